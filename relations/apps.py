from django.apps import AppConfig


class RelationsConfig(AppConfig):
    name = "relations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import search  # noqa: F401 - registers comparisons with search
