"""What a history row keeps beyond the object's own fields (django-simple-history's rows)."""

from django.db import models

from kbapi.core.models import related_snapshot


class HistoryExtras(models.Model):
    """Base of the historical models: what a history row keeps beyond the object's own fields.

    ``related`` is the state of the object's many-to-many links (slugs) and, for
    comparisons, their concepts and aspects, so one history row holds the whole
    change (simple-history's own m2m tracking would write a second row).
    """

    related = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True


def fill_related(sender, instance, history_instance, **kwargs):
    """``pre_create_historical_record``: the row keeps the links the write left (see above)."""
    if hasattr(history_instance, "related"):
        related = getattr(instance, "_history_related", None)
        history_instance.related = related if related is not None else related_snapshot(instance)
