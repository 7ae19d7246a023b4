from django.apps import AppConfig


class ConceptsConfig(AppConfig):
    name = "concepts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import search  # noqa: F401 - registers concepts and examples with search
