"""``?fields=`` and ``?expand=`` for read responses, as one serializer mixin.

``?fields=slug,name`` keeps only those top-level fields. ``?expand=category,tags``
swaps a reference for the embedded object, or adds a field that only the full
form has (``?expand=definition`` on a list). Both take comma-separated names;
an unknown name is a 400 in the usual error shape. They apply to reads (GET,
HEAD) of the serializer the view renders, never to nested ones or to writes.

A serializer declares what it can expand::

    class ConceptBriefSerializer(FieldsExpandMixin, serializers.ModelSerializer):
        expandable = {"category": Expansion(lambda: CategorySerializer(read_only=True))}

Each :class:`Expansion` names the prefetches it needs; they run once for the
whole page (``prefetch_related_objects``), so an expansion costs a fixed number
of queries, never one per row. The schema documents both parameters on every
list and retrieve operation of such a serializer (:func:`add_query_parameters`).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import prefetch_related_objects
from django.db.models.manager import BaseManager
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS

from kbapi.http.params import split_list
from kbapi.http.renderers import JSONLD_MEDIA_TYPE

FIELDS_PARAM = "fields"
EXPAND_PARAM = "expand"
MAX_NAMES = 50


@dataclass(frozen=True)
class Expansion:
    """How to show one expanded field, and what it needs prefetched."""

    build: Callable[[], serializers.Field]
    prefetch: tuple = field(default=())


def borrow(serializer_class: Callable[[], type], name: str, prefetch: Iterable = ()) -> Expansion:
    """Expand to the field ``name`` exactly as another (full) serializer shows it."""
    return Expansion(lambda: BorrowedField(serializer_class, name), tuple(prefetch))


class BorrowedField(serializers.Field):
    """A read-only field rendered by a field of another serializer (its full form)."""

    def __init__(self, serializer_class: Callable[[], type], name: str):
        self.lender_class, self.lent_name = serializer_class, name
        super().__init__(read_only=True, source="*")

    def to_representation(self, instance):
        lender = self._lender()
        lent = lender.fields[self.lent_name]
        return lent.to_representation(lent.get_attribute(instance))

    def _lender(self):
        if not hasattr(self, "_lender_instance"):
            # bound below this field: it shares the root's context, and is not a root itself
            self._lender_instance = self.lender_class()()
            self._lender_instance.bind(field_name="", parent=self)
        return self._lender_instance


def requested(request, param: str) -> list[str]:
    """The comma-separated names of a query parameter, in order, without blanks."""
    raw = request.query_params.get(param, "") if request is not None else ""
    names = split_list([raw])
    if len(names) > MAX_NAMES:
        raise serializers.ValidationError({param: [f"At most {MAX_NAMES} names."]})
    return list(dict.fromkeys(names))


class ExpandableListSerializer(serializers.ListSerializer):
    """Checks the parameters even for an empty page, then prefetches once for the page."""

    def to_representation(self, data):
        self.child.fields  # noqa: B018 - validates ?fields= / ?expand= before any row
        items = list(data.all() if isinstance(data, BaseManager) else data)
        self.child.prefetch(items)
        return super().to_representation(items)


class FieldsExpandMixin:
    """Serializer mixin: ``?fields=`` trims, ``?expand=`` embeds (see the module docstring)."""

    expandable: dict[str, Expansion] = {}

    @classmethod
    def many_init(cls, *args, **kwargs):
        # DRF's many_init, with the list class that validates and prefetches once
        list_kwargs = {}
        for key in serializers.LIST_SERIALIZER_KWARGS_REMOVE:
            value = kwargs.pop(key, None)
            if value is not None:
                list_kwargs[key] = value
        list_kwargs["child"] = cls(*args, **kwargs)
        list_kwargs.update(
            {k: v for k, v in kwargs.items() if k in serializers.LIST_SERIALIZER_KWARGS}
        )
        return ExpandableListSerializer(*args, **list_kwargs)

    def get_fields(self):
        fields = super().get_fields()
        if not self._applies():
            return fields
        request = self.context["request"]
        expanded = self._expanded(request)
        if _jsonld(request):
            # they shape the JSON; JSON-LD is always the whole SKOS node, built from every
            # field: the names are checked all the same (an unknown one is a 400)
            self._trimmed(dict(fields), requested(request, FIELDS_PARAM))
            return fields
        for name in expanded:
            fields[name] = self.expandable[name].build()
        return self._trimmed(fields, requested(request, FIELDS_PARAM))

    def to_representation(self, instance):
        if self._applies() and self.parent is None:
            self.prefetch([instance])
        return super().to_representation(instance)

    def prefetch(self, instances: list) -> None:
        """Fetch what the expanded fields need, for all ``instances`` at once."""
        if not self._applies() or not instances:
            return
        if _jsonld(self.context["request"]):
            return
        lookups = [
            lookup
            for name in self._expanded(self.context["request"])
            for lookup in self.expandable[name].prefetch
        ]
        if lookups:
            prefetch_related_objects(instances, *lookups)

    def _applies(self) -> bool:
        request = self.context.get("request")
        root = self.parent is None or (
            isinstance(self.parent, serializers.ListSerializer) and self.parent.parent is None
        )
        return root and request is not None and request.method in SAFE_METHODS

    def _expanded(self, request) -> list[str]:
        names = requested(request, EXPAND_PARAM)
        unknown = [name for name in names if name not in self.expandable]
        if unknown:
            raise serializers.ValidationError(
                {EXPAND_PARAM: [_unknown_message(unknown, self.expandable)]}
            )
        return names

    @staticmethod
    def _trimmed(fields, names: list[str]):
        if not names:
            return fields
        unknown = [name for name in names if name not in fields]
        if unknown:
            raise serializers.ValidationError({FIELDS_PARAM: [_unknown_message(unknown, fields)]})
        for name in [name for name in fields if name not in names]:
            del fields[name]
        return fields


def _jsonld(request) -> bool:
    renderer = getattr(request, "accepted_renderer", None)
    return getattr(renderer, "media_type", None) == JSONLD_MEDIA_TYPE


def _unknown_message(unknown: list[str], known) -> str:
    return f"Unknown field(s): {', '.join(unknown)}. Choose from: {', '.join(known)}."
