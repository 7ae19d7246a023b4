"""The history of a knowledge object, read and reverted through the API.

Rows are django-simple-history's; the services write exactly one per create,
update and delete (who, when, the ``X-Change-Message`` header as the message,
and the object's many-to-many links and comparison rows in ``related``).

- ``GET {resource}/{slug}/history/``: newest first, paginated; each entry has
  ``id`` (the history id), ``version``, ``at``, ``user``, ``action``
  (created/changed/deleted), ``message`` and ``changes`` ([{field, old, new}],
  against the entry before it; foreign keys shown as slugs). ``user`` names the
  editor only to a signed-in user who may view or change that kind of object
  (the editors, as the admin's History shows it); the public reads that an edit
  happened, when and why, not who made it (``null``).
  A slug that no longer exists shows the history of the last object that had
  it, so a deleted object's history stays readable.
- ``POST {resource}/{slug}/history/{id}/revert/``: restores that entry's state
  through the update service, as a new recorded change (``If-Match`` honoured,
  the change permission needed); ``409`` when the state cannot be restored (it
  refers to a concept, category or tag that is gone, or clashes with another
  object), ``404`` when the object itself is deleted.
"""

from django.db.models import Model
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from history.revert import history_record, revert_to, tracked_fields
from kbapi.http.renderers import JSONRenderer

ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}
ACTION_CHOICES = sorted(ACTIONS.values())  # the schema's ActionEnum (settings' overrides)
HISTORY_ID = OpenApiParameter(
    "history_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="An entry's `id`."
)


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class HistoryEntrySerializer(serializers.Serializer):
    """One recorded change of an object."""

    id = serializers.IntegerField(help_text="The history id (what revert/ takes).")
    version = serializers.IntegerField(help_text="The object's version after this change.")
    at = serializers.DateTimeField()
    user = serializers.CharField(
        allow_null=True,
        help_text=(
            "Who made the change (a username): shown only to a signed-in user who may view "
            "or change this kind of object (an editor); null for everyone else, and when "
            "no user is recorded (the content loader's changes)."
        ),
    )
    action = serializers.ChoiceField(choices=ACTION_CHOICES)
    message = serializers.CharField(allow_null=True)
    changes = ChangeSerializer(many=True)


class CanChange(permissions.BasePermission):
    """The model's change permission (a revert is an update)."""

    def has_permission(self, request, view):
        meta = view.get_queryset().model._meta
        return bool(
            request.user
            and request.user.is_authenticated
            and request.user.has_perm(f"{meta.app_label}.change_{meta.model_name}")
        )


def shows_users(user, model: type[Model]) -> bool:
    """Whether ``user`` may see who made each change of ``model``'s objects: signed in,
    with its view or change permission (what the admin's History page asks too)."""
    if not (user and user.is_authenticated):
        return False
    meta = model._meta
    return any(
        user.has_perm(f"{meta.app_label}.{action}_{meta.model_name}")
        for action in ("view", "change")
    )


class HistoryMixin:
    """``history/`` and ``history/{id}/revert/`` on a viewset of a model with history."""

    cursor_key = staticmethod(lambda pair: pair[0].history_id)  # kbapi.http.pagination

    def history_lookup(self) -> dict:
        return {"slug": self.kwargs[self.lookup_field]}

    def history_value(self, field: str, value):
        """A recorded ``value`` of ``field`` in the shape the resource shows the field in
        (a viewset overrides this where the two differ)."""
        return value

    @extend_schema(responses=HistoryEntrySerializer(many=True), filters=False)
    @action(
        detail=True,
        methods=["get"],
        url_path="history",
        filter_backends=[],
        renderer_classes=[JSONRenderer],  # history entries are JSON whatever the resource offers
    )
    def history(self, request, *args, **kwargs):
        """The object's changes, newest first: who, when, what changed and why."""
        records = self._history_records()
        pairs = list(zip(records, [*records[1:], None], strict=True))
        page = self.paginate_queryset(pairs)
        model = self.get_queryset().model
        presenter = _Presenter(model, records, show_users=shows_users(request.user, model))
        entries = [presenter.entry(record, previous) for record, previous in page]
        for change in (change for entry in entries for change in entry["changes"]):
            for side in ("old", "new"):
                if change[side] is not None:
                    change[side] = self.history_value(change["field"], change[side])
        return self.get_paginated_response(HistoryEntrySerializer(entries, many=True).data)

    @extend_schema(request=None, parameters=[HISTORY_ID], filters=False)
    @action(
        detail=True,
        methods=["post"],
        url_path=r"history/(?P<history_id>[0-9]{1,18})/revert",
        permission_classes=[CanChange],
        filter_backends=[],
        renderer_classes=[JSONRenderer],
    )
    def revert(self, request, *args, history_id: str, **kwargs):
        """Restore the state of an earlier entry, as a new recorded change."""
        instance = self.get_object()
        record = history_record(instance, history_id)
        if record is None:
            raise Http404("This object has no history entry with that id.")
        revert_to(
            instance,
            record,
            update_service=type(self).update_service,
            service_object=self.service_object,
            **self.versioned_context(instance),
        )
        self.conditional_object = self.get_queryset().get(pk=instance.pk)
        return Response(self.get_serializer(self.conditional_object).data)

    def _history_records(self) -> list:
        model = self.get_queryset().model
        lookup = self.history_lookup()
        object_id = model._default_manager.filter(**lookup).values_list("pk", flat=True).first()
        if object_id is None:
            latest = model.history.filter(**lookup).order_by("-history_date", "-history_id")
            object_id = latest.values_list("id", flat=True).first()
        if object_id is None:
            raise Http404("No object, present or deleted, has that identifier.")
        records = model.history.filter(id=object_id).select_related("history_user")
        return list(records.order_by("-history_date", "-history_id"))


class _Presenter:
    """Turns history rows into entries; foreign keys as slugs, looked up once per model."""

    def __init__(self, model: type[Model], records: list, *, show_users: bool):
        self.show_users = show_users
        self.fields = tracked_fields(model)
        self.slugs = {}
        for field in self.fields:
            if field.is_relation:
                ids = {getattr(r, field.attname) for r in records}
                self.slugs.setdefault(field.related_model, set()).update(ids)
        self.slugs = {m: _slugs(m, ids) for m, ids in self.slugs.items()}

    def state(self, record) -> dict:
        state = {}
        for field in self.fields:
            value = getattr(record, field.attname)
            state[field.name] = (
                self.slugs[field.related_model].get(value) if field.is_relation else value
            )
        state.update(record.related or {})
        return state

    def entry(self, record, previous) -> dict:
        action = ACTIONS[record.history_type]
        new = self.state(record)
        if action == "deleted":
            changes = []
        else:
            old = self.state(previous) if previous is not None and action == "changed" else {}
            changes = [
                {"field": name, "old": old.get(name), "new": value}
                for name, value in new.items()
                if action == "created" or old.get(name) != value
            ]
        user = record.history_user if self.show_users else None
        return {
            "id": record.history_id,
            "version": record.version,
            "at": record.history_date,
            "user": user.get_username() if user else None,
            "action": action,
            "message": record.history_change_reason,
            "changes": changes,
        }


def _slugs(model: type[Model], ids: set) -> dict:
    """id → slug, also for objects since deleted (from their own history, when they have one)."""
    found = dict(model._default_manager.filter(pk__in=ids).values_list("pk", "slug"))
    missing = ids - set(found)
    if missing and hasattr(model, "history"):
        rows = model.history.filter(id__in=missing).order_by("history_date", "history_id")
        found.update(rows.values_list("id", "slug"))
    return found
