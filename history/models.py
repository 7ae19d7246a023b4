"""What a history row keeps beyond the object's own fields (django-simple-history's rows)."""

from django.conf import settings
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


class Change(models.Model):
    """One entry of the change feed (``GET /api/v1/changes/``): a create, update, delete or
    revert of a knowledge object, written by ``history.feed.record`` in the write's own
    transaction (the services' ``object_written`` signal), so it exists exactly when the
    write does.

    ``position`` is the feed's cursor. It is given at commit, not at insert, in the order
    the writes commit: on PostgreSQL a deferred trigger (migration 0001) takes a
    transaction-scoped advisory lock and the next value of a sequence as the writing
    transaction commits, so a transaction that commits later always gets a higher
    position and no row can ever appear below a position a reader has already seen
    (a plain serial id is taken at insert, and a lower id can commit after a higher one
    was read). On SQLite writers are serialised (``BEGIN IMMEDIATE``), and a trigger
    copies the row id. A row without a position is not committed yet (or, in a test
    that never commits, never will be) and is not shown.
    """

    position = models.BigIntegerField(null=True, unique=True, editable=False)
    type = models.CharField(max_length=20)  # the model's name: concept, relation, ...
    object_id = models.BigIntegerField()
    key = models.CharField(max_length=255)  # the slug, or a relation's key
    previous_key = models.CharField(max_length=255, blank=True, default="")  # "": no rename
    action = models.CharField(max_length=10)  # created, changed, deleted, reverted
    version = models.PositiveIntegerField(null=True)
    at = models.DateTimeField()
    message = models.CharField(max_length=100, blank=True, default="")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reverted_to = models.BigIntegerField(null=True, blank=True)  # the history id restored

    class Meta:
        indexes = [models.Index(fields=["type", "object_id"], name="history_change_object")]

    def __str__(self):
        return f"{self.position}: {self.type} {self.key} {self.action}"
