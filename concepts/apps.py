from django.apps import AppConfig


class ConceptsConfig(AppConfig):
    name = "concepts"
    default_auto_field = "django.db.models.BigAutoField"
