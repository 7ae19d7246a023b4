"""The change feed, ``GET /api/v1/changes/``: every create, update, delete and revert of
every knowledge object, oldest first, from a cursor.

Written: ``record`` listens to the services' ``object_written`` signal, which they send
inside the write's transaction, and adds one ``Change`` row per object written (the
object itself, and each object a write records a change on, such as the concepts a
deleted tag is taken off). The row commits or rolls back with the write.

Read: entries in ``position`` order after ``?since=<cursor>``. A row's position is
given as its transaction commits, one committer after the other (``Change``), so
positions appear in increasing order: a poller that passes the last cursor it saw
misses nothing and sees nothing twice, whichever worker or host served either request.
"""

from django.apps import apps
from django.db.models import Model
from django.urls import NoReverseMatch
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from history.api import shows_users
from history.models import Change
from history.revert import REVERTING
from kbapi.http.pagination import MAX_DIGITS, PageNumberPagination, _invalid
from kbapi.http.renderers import JSONRenderer

ACTIONS = {"create": "created", "update": "changed", "delete": "deleted"}
ACTION_CHOICES = ["created", "changed", "deleted", "reverted"]
# The feed's resources, by the model's name (the entry's ``type``); each has a detail URL
# named ``{type}-detail``.
TYPES = ["category", "tag", "concept", "example", "relation", "comparison"]
CURSOR_MAX = 10**MAX_DIGITS - 1
# The fields whose change changes a relation's key (``source--type--target``): a rename of
# a concept it names is recorded on it as a change of that field (``touch_referrers``).
KEY_FIELDS = {"source", "type", "target"}


def tracked(model: type[Model]) -> bool:
    """Whether the feed lists the writes of ``model`` (a knowledge object's model; not its
    historical model, which shares its name)."""
    return model._meta.model_name in TYPES and model._meta.app_label in ("concepts", "relations")


def key_of(instance: Model) -> str:
    """The object's identifier in its URL: its slug, or a relation's key."""
    slug = getattr(instance, "slug", None)
    return slug if slug is not None else instance.key


def record(sender, instance, action, fields=None, previous_slug=None, **kwargs):
    """``object_written``: one feed entry for this write, in its transaction."""
    if not tracked(sender) or action not in ACTIONS:
        return
    key = key_of(instance)
    if previous_slug is None and action == "update" and KEY_FIELDS & (fields or set()):
        previous_slug = _previous_key(sender, instance.pk, key)
    reverting = REVERTING.get()
    reverted_to = None
    if reverting is not None and reverting[:2] == (sender, instance.pk) and action == "update":
        reverted_to = reverting[2]
    user = getattr(instance, "_history_user", None)
    Change.objects.create(
        type=sender._meta.model_name,
        object_id=instance.pk,
        key=key,
        previous_key=previous_slug or "",
        action="reverted" if reverted_to is not None else ACTIONS[action],
        version=getattr(instance, "version", None),
        at=timezone.now(),
        message=getattr(instance, "_change_reason", None) or "",
        user=user if getattr(user, "is_authenticated", False) else None,
        reverted_to=reverted_to,
    )


def _previous_key(model: type[Model], pk, key: str) -> str | None:
    """A relation's key before this write moved its source or target (or a concept it
    names was renamed): the key of its last entry, when that differs (one query, on the
    writes that can change a key only)."""
    last = Change.objects.filter(type=model._meta.model_name, object_id=pk).order_by("-id")
    found = last.values_list("key", flat=True).first()
    return found if found and found != key else None


class ChangeEntrySerializer(serializers.Serializer):
    """One change of one object, as the feed lists it."""

    cursor = serializers.IntegerField(
        min_value=1,
        help_text="This entry's place in the feed: pass it as `since` to read what follows.",
    )
    type = serializers.ChoiceField(choices=TYPES, help_text="The kind of object changed.")
    key = serializers.CharField(
        help_text="The object's identifier in its URL: its slug (a relation's key), as the "
        "change left it (a deleted object's last one)."
    )
    previous_key = serializers.CharField(
        allow_null=True,
        help_text="On a rename, the key the object had before this change (a relation's key "
        "changes with its source, type or target, and when a concept it names is renamed); "
        "null otherwise.",
    )
    action = serializers.ChoiceField(
        choices=ACTION_CHOICES,
        help_text="`reverted`: an update that restored an earlier history entry (`reverted_to`).",
    )
    version = serializers.IntegerField(
        allow_null=True, help_text="The object's version after this change."
    )
    at = serializers.DateTimeField(help_text="When the change was made.")
    message = serializers.CharField(
        allow_null=True, help_text="The change message (`X-Change-Message`), if any."
    )
    user = serializers.CharField(
        allow_null=True,
        help_text=(
            "Who made the change (a username): shown only to a signed-in user who may view or "
            "change this kind of object (an editor), as in the history; null for everyone else."
        ),
    )
    reverted_to = serializers.IntegerField(
        allow_null=True,
        help_text="For a revert, the history entry (`id`) restored; null otherwise.",
    )
    object_url = serializers.URLField(
        allow_null=True,
        help_text="The object as it is now; null when it has been deleted since.",
    )
    history_url = serializers.URLField(
        allow_null=True,
        help_text="The object's history (kept after a delete); null for categories and tags, "
        "which have no history endpoint.",
    )


class ChangeFeedSerializer(serializers.Serializer):
    """Changes after `since`, oldest first."""

    count = serializers.IntegerField(
        help_text="How many changes follow `since` (all of them, not only this page's)."
    )
    next = serializers.URLField(
        allow_null=True,
        help_text="The changes after this page; null when this page reaches the end of the "
        "feed (poll again later with `cursor`).",
    )
    previous = serializers.URLField(
        allow_null=True, help_text="Always null: the feed is read forward, from a cursor."
    )
    results = ChangeEntrySerializer(many=True)
    cursor = serializers.IntegerField(
        min_value=0,
        help_text="What to pass as `since` next time: the last entry's cursor on this page, "
        "or `since` itself when there is nothing new.",
    )


SINCE = OpenApiParameter(
    "since",
    {"type": "integer", "format": "int64", "minimum": 0, "maximum": CURSOR_MAX},
    OpenApiParameter.QUERY,
    description=(
        "A cursor: the changes after it (default 0, from the start). Pass the `cursor` of "
        "the last answer (or of the last entry you processed)."
    ),
)


class ChangeFeedView(APIView):
    """Every create, update, delete and revert of every object, oldest first from a cursor."""

    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]
    pagination_class = PageNumberPagination

    @extend_schema(
        operation_id="changes_list",
        tags=["changes"],
        summary="The change feed",
        parameters=[
            SINCE,
            OpenApiParameter(
                "page_size",
                OpenApiTypes.INT,
                OpenApiParameter.QUERY,
                description=PageNumberPagination.page_size_query_description,
            ),
        ],
        responses=ChangeFeedSerializer,
    )
    def get(self, request):
        """The changes after `since`, oldest first, a page at a time.

        Follow `next` while it is not null; then keep `cursor` and ask again later with
        `?since=<cursor>`. Each change appears exactly once, in the order the writes
        committed, whatever worker or host answers.
        """
        since = _cursor(request.query_params.get("since"))
        size = self.pagination_class().get_page_size(request)
        after = Change.objects.filter(position__gt=since)
        rows = list(after.select_related("user").order_by("position")[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        count = after.count() if more else len(rows)
        cursor = rows[-1].position if rows else since
        results = _entries(request, rows)
        url = request.build_absolute_uri()
        next_url = replace_query_param(url, "since", cursor) if more else None
        body = {"count": count, "next": next_url, "previous": None, "results": results}
        response = Response(ChangeFeedSerializer({**body, "cursor": cursor}).data)
        if next_url:
            response["Link"] = f'<{next_url}>; rel="next"'
        return response


def _cursor(raw: str | None) -> int:
    if raw is None:
        return 0
    text = raw.strip()
    if not text.isascii() or not text.isdigit():
        raise _invalid("since", "A cursor is a whole number from 0 (an entry's `cursor`).")
    if len(text) > MAX_DIGITS:
        raise _invalid("since", f"A cursor has at most {MAX_DIGITS} digits.")
    return int(text)


def _entries(request, rows: list[Change]) -> list[dict]:
    by_type: dict[str, set] = {}
    for row in rows:
        by_type.setdefault(row.type, set()).add(row.object_id)
    current = {kind: _current_keys(kind, ids) for kind, ids in by_type.items()}
    models = {kind: _model(kind) for kind in by_type}
    users = {kind: shows_users(request.user, model) for kind, model in models.items()}
    entries = []
    for row in rows:
        key = current[row.type].get(row.object_id)
        entries.append(
            {
                "cursor": row.position,
                "type": row.type,
                "key": row.key,
                "previous_key": row.previous_key or None,
                "action": row.action,
                "version": row.version,
                "at": row.at,
                "message": row.message or None,
                "user": row.user.get_username() if users[row.type] and row.user else None,
                "reverted_to": row.reverted_to,
                "object_url": _url(request, f"{row.type}-detail", key) if key else None,
                "history_url": _url(request, f"{row.type}-history", row.key),
            }
        )
    return entries


def _model(kind: str) -> type[Model]:
    return next(m for m in apps.get_models() if m._meta.model_name == kind and tracked(m))


def _current_keys(kind: str, ids: set) -> dict:
    """id → the object's key now, for those of ``ids`` that still exist (one query)."""
    model = _model(kind)
    rows = model._default_manager.filter(pk__in=ids)
    if any(f.name == "slug" for f in model._meta.get_fields()):
        return dict(rows.values_list("pk", "slug"))
    return {obj.pk: key_of(obj) for obj in rows.select_related("source", "target")}


def _url(request, name: str, key: str) -> str | None:
    try:
        return reverse(name, args=[key], request=request)
    except NoReverseMatch:
        return None
