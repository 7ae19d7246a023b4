from django.apps import AppConfig


class ContentConfig(AppConfig):
    """The knowledge base's content files (``data/*.yaml``), their loader and their export."""

    name = "content"
    verbose_name = "Content"
    default_auto_field = "django.db.models.BigAutoField"
