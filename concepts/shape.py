"""The shape of a concept, read once from its model: adding a field to ``Concept`` is one edit.

Everything that lists a concept's fields derives from ``CONCEPT``, at import
time: the services' writable fields and what ``concept_create`` accepts, the
serializers' fields (``concepts.api.serializers``), the plain fast paths'
columns and dicts (``concepts.selectors``), and the content files' fields,
defaults and order (``content.loader``).

A concept's fields are the model's own, in the order it declares them. What the
model does not say is declared here, once:

- the read-only parts the full form embeds (its examples, relations and
  comparisons), and the field they follow;
- the fields of the brief form lists show;
- the fields a content file puts after the others, in that order (long ones).

How each field is shown follows from its kind (``kind_of``): a foreign key as the
related object's slug, a many-to-many as a list of slugs, a JSON list with
``validate_text_list`` as a list of short strings, any other JSON list as a list
of objects (records); everything else as its model field. The version and
timestamps (the fields nobody edits) close the full form.

``EXAMPLE`` is an example's shape, read the same way.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from django.core.exceptions import ImproperlyConfigured
from django.db import models

from .models import Concept, Example, validate_text_list

VALUE = "value"  # shown as its model field
TEXT_LIST = "text list"  # a JSON list of short strings
RECORDS = "records"  # a JSON list of objects
REF = "ref"  # a foreign key, shown as the related object's slug
REFS = "refs"  # a many-to-many, shown as a list of slugs
LISTS = (TEXT_LIST, RECORDS)  # what the services store as a list of what they are given


def kind_of(field: models.Field) -> str:
    """How a model field is shown (see the module docstring)."""
    if field.many_to_many:
        return REFS
    if field.many_to_one:
        return REF
    if isinstance(field, models.JSONField):
        if field.default is not list:
            raise ImproperlyConfigured(
                f"{field}: concepts.shape knows JSON lists only "
                "(default=list); say here how the API shows any other JSON."
            )
        return TEXT_LIST if validate_text_list in field.validators else RECORDS
    return VALUE


@dataclass(frozen=True)
class Shape:
    """The fields of one model as the API, the services and the content files see them."""

    fields: tuple[str, ...]  # what clients write, in the model's order (links included)
    kinds: Mapping[str, str]  # of each of ``fields``
    columns: tuple[str, ...]  # ``fields`` stored in the model's row (no many-to-many)
    links: tuple[str, ...]  # ``fields`` that are many-to-many
    required: tuple[str, ...]  # ``fields`` with neither a default nor ``blank``
    defaults: Mapping[str, object]  # the value of each other field when it is not given
    stamps: tuple[str, ...]  # read-only: what no one edits (version, timestamps)
    detail: tuple[str, ...]  # the full form's keys, in order (``url`` first)
    brief: tuple[str, ...]  # the brief form's keys, in order (``url`` first)
    file: tuple[str, ...]  # an entry's fields in a content file, in order (``file_last`` last)
    embedded: tuple[str, ...]  # read-only parts of the full form that are not fields


def shape_of(
    model: type[models.Model],
    *,
    embedded: tuple[str, ...] = (),
    embedded_after: str | None = None,
    brief: tuple[str, ...] = (),
    file_last: tuple[str, ...] = (),
) -> Shape:
    """The shape of ``model``: its editable fields in declaration order, the parts it
    ``embedded`` after ``embedded_after`` in the full form, the ``brief`` form's fields,
    and the fields a content file puts last (``file_last``, in that order)."""
    own = sorted(
        (f for f in model._meta.local_fields + model._meta.local_many_to_many if f.editable),
        key=lambda f: f.creation_counter,
    )
    own = [f for f in own if not f.primary_key]
    fields = tuple(f.name for f in own)
    optional = {f.name: f for f in own if f.blank or f.has_default()}
    stamps = tuple(f.name for f in model._meta.concrete_fields if not (f.editable or f.primary_key))
    at = fields.index(embedded_after) + 1 if embedded else len(fields)
    for name in (*brief, *file_last, *([embedded_after] if embedded else [])):
        if name not in fields:
            raise ImproperlyConfigured(f"{model.__name__} has no field {name!r}.")
    file = (*(name for name in fields if name not in file_last), *file_last)
    return Shape(
        fields=fields,
        kinds=MappingProxyType({f.name: kind_of(f) for f in own}),
        columns=tuple(f.name for f in own if not f.many_to_many),
        links=tuple(f.name for f in own if f.many_to_many),
        required=tuple(name for name in fields if name not in optional),
        defaults=MappingProxyType(
            {  # in the files' order: a loaded entry lists them first
                name: [] if optional[name].many_to_many else optional[name].get_default()
                for name in file
                if name in optional
            }
        ),
        stamps=stamps,
        detail=("url", *fields[:at], *embedded, *fields[at:], *stamps),
        brief=("url", *(name for name in fields if name in brief)),
        file=file,
        embedded=embedded,
    )


CONCEPT = shape_of(
    Concept,
    embedded=("examples", "relations", "comparisons"),
    embedded_after="traits",
    brief=("slug", "name", "aliases", "summary", "category", "tags"),
    file_last=("traits",),
)
EXAMPLE = shape_of(
    Example,
    brief=("slug", "name", "kind", "description", "concepts"),
    file_last=("language", "code"),
)
