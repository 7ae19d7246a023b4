"""What the apps make searchable: search itself imports none of them.

An app's ``search`` module (imported by its ``AppConfig.ready()``) registers, per
document kind, its model, the fields the document is built from and its builder
(``register_search``), and, where a write of a model touches other documents
than its own, a function that says which (``register_affects``)::

    @register_search(Kind.EXAMPLE, model=Example, fields={"slug", "name", "concepts"})
    def example_documents(ids, without):
        for e in Example.objects.filter(pk__in=ids):
            yield document(Kind.EXAMPLE, e, title=e.name, names=[e.name], summary="", body=[])

A builder takes object ids and ``without`` (an object about to be deleted, or None)
and yields one ``SearchDocument`` (unsaved) per object that exists.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Model, Prefetch

from .models import SearchDocument
from .text import keys_of

# (ids, without) -> the documents of those objects
Builder = Callable[[list[int], Model | None], Iterable[SearchDocument]]
# (instance, action, changed) -> (kind, object ids) of the documents the write touches;
# changed(*fields) tells whether an update changed any of those fields.
Affects = Callable[[Model, str, Callable[..., bool]], Iterable[tuple[str, list[int]]]]


@dataclass(frozen=True)
class DocumentKind:
    kind: str
    model: type[Model]
    fields: frozenset[str]  # its own fields, and the links it names
    build: Builder


_kinds: dict[str, DocumentKind] = {}
_affects: dict[type[Model], Affects] = {}


def register_search(kind: str, *, model: type[Model], fields: Iterable[str]):
    """Decorator: ``build`` makes the documents of ``kind``, objects of ``model``.

    Unless ``register_affects`` says otherwise for ``model``, a write of one of its
    objects touches that object's document when it changed one of ``fields``.
    """

    def decorate(build: Builder) -> Builder:
        if kind in _kinds and _kinds[kind].build is not build:
            raise ValueError(f"Search kind {kind!r} is registered already.")
        _kinds[kind] = DocumentKind(kind, model, frozenset(fields), build)
        return build

    return decorate


def register_affects(model: type[Model]):
    """Decorator: ``affects(instance, action, changed)`` yields (kind, object ids) of every
    document a write of a ``model`` object touches (its own included, if it has one)."""

    def decorate(affects: Affects) -> Affects:
        _affects[model] = affects
        return affects

    return decorate


def kinds() -> list[DocumentKind]:
    """The registered kinds, in ``SearchDocument.Kind``'s order."""
    return [_kinds[kind] for kind in SearchDocument.Kind.values if kind in _kinds]


def get(kind: str) -> DocumentKind:
    return _kinds[kind]


def pk_of(obj: Model | None, kind: str) -> int | None:
    """``obj``'s id when it is an object of ``kind``'s model, else None."""
    return obj.pk if isinstance(obj, _kinds[kind].model) else None


def affected(instance: Model, action: str, fields: frozenset[str] | None) -> Iterator[tuple]:
    """(kind, object ids, object being deleted) for every document the write touches;
    ``fields`` (None: any) are what an update changed."""
    deleting = instance if action == "delete" else None

    def changed(*names: str) -> bool:
        return fields is None or not fields.isdisjoint(names)

    affects = _affects_of(type(instance))
    if affects is not None:
        for kind, ids in affects(instance, action, changed):
            yield kind, ids, deleting


def _affects_of(model: type[Model]) -> Affects | None:
    for cls in model.__mro__:
        if cls in _affects:
            return _affects[cls]
        for entry in _kinds.values():
            if entry.model is cls:
                return _own_document(entry)
    return None


def _own_document(entry: DocumentKind) -> Affects:
    def affects(instance, action, changed):
        if changed(*entry.fields):
            yield entry.kind, [instance.pk]

    return affects


def document(kind: str, obj: Model, *, title, names, summary, body) -> SearchDocument:
    """The (unsaved) document of ``obj``: ``names`` its name and aliases, ``body`` parts of text."""
    names = [n.strip() for n in names if n and n.strip()]
    return SearchDocument(
        kind=kind,
        object_id=obj.pk,
        slug=obj.slug,
        title=title,
        names="\n".join(names),
        keys=keys_of(names),
        summary=summary,
        body="\n".join(part for part in body if part),
    )


def with_names(model: type[Model], ids, fields, *, related: str, without):
    """Rows of ``model`` with the names of their ``related`` objects, less ``without``
    (an object about to be deleted, whose name must leave the documents now)."""
    named = model._meta.get_field(related).related_model
    names = named.objects.only("id", "name")
    if isinstance(without, named):
        names = names.exclude(pk=without.pk)
    rows = model.objects.filter(pk__in=ids).only("id", "slug", *fields)
    return rows.prefetch_related(Prefetch(related, queryset=names))
