from django.db import migrations


class Migration(migrations.Migration):
    """LoadedEntry now belongs to the content app (content 0001); its table stays as it is."""

    dependencies = [
        ('concepts', '0003_loadedentry'),
        ('content', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='LoadedEntry')],
            database_operations=[],
        ),
    ]
