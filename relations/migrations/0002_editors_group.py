"""Create the ``editors`` group: add, change and view every knowledge-base model."""

from django.db import migrations

MODELS = {
    "concepts": ["category", "tag", "concept", "example"],
    "relations": ["relation", "comparison"],
}
ACTIONS = ["add", "change", "view"]


def create_editors(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="editors")
    codenames = [f"{action}_{model}" for models in MODELS.values() for model in models
                 for action in ACTIONS]
    permissions = Permission.objects.filter(
        content_type__app_label__in=MODELS, codename__in=codenames
    )
    editors.permissions.add(*permissions)


def remove_editors(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="editors").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("relations", "0001_initial"),
        ("concepts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editors, remove_editors)]
