"""Keep ``search_document`` (and SQLite's FTS5 tables) in step with every write.

``object_written`` is sent by the services inside the write's transaction, so
the index changes atomically with the data. A write can change the documents
of other objects too: an example's document names its concepts, and a
concept's document names its tags.
"""

from collections.abc import Iterable

from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import Prefetch
from django.dispatch import receiver

from concepts.models import Concept, Example, Tag
from kbapi.signals import object_written
from relations.models import Comparison

from .models import SearchDocument
from .text import keys_of

Kind = SearchDocument.Kind
FTS_TABLE = "search_fts"
TRIGRAM_TABLE = "search_fts_keys"
TRIGRAM_VOCAB = "search_fts_keys_vocab"


@receiver(object_written)
def keep_index_in_step(sender, instance, action, **kwargs):
    for kind, ids, without in _affected(instance, action):
        reindex(kind, ids, without=without)


def _affected(instance, action):
    """(kind, object ids, object being deleted) for every document the write touches."""
    deleting = instance if action == "delete" else None
    if isinstance(instance, Concept):
        yield Kind.CONCEPT, [instance.pk], deleting
        example_ids = list(instance.examples.values_list("pk", flat=True))
        if example_ids:
            yield Kind.EXAMPLE, example_ids, deleting
    elif isinstance(instance, Example):
        yield Kind.EXAMPLE, [instance.pk], deleting
    elif isinstance(instance, Comparison):
        yield Kind.COMPARISON, [instance.pk], deleting
    elif isinstance(instance, Tag) and action != "create":
        concept_ids = list(instance.concepts.values_list("pk", flat=True))
        if concept_ids:
            yield Kind.CONCEPT, concept_ids, deleting


def reindex(kind: str, ids: Iterable[int], *, without=None) -> None:
    """Rebuild the documents of these objects; ``without`` is an object about to be deleted."""
    ids = list(ids)
    docs = [doc for doc in BUILDERS[kind](ids, without) if doc.object_id != _pk(without, kind)]
    stale = list(
        SearchDocument.objects.filter(kind=kind, object_id__in=ids).values_list("pk", flat=True)
    )
    if stale:
        SearchDocument.objects.filter(pk__in=stale).delete()
    created = SearchDocument.objects.bulk_create(docs)
    _write_backend(stale, created)


def rebuild() -> int:
    """Index every object from scratch; returns the number of documents."""
    SearchDocument.objects.all().delete()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE}")
            cursor.execute(f"DELETE FROM {TRIGRAM_TABLE}")
    total = 0
    for kind, model in (
        (Kind.CONCEPT, Concept),
        (Kind.EXAMPLE, Example),
        (Kind.COMPARISON, Comparison),
    ):
        ids = list(model.objects.values_list("pk", flat=True))
        for start in range(0, len(ids), 500):
            reindex(kind, ids[start : start + 500])
        total += len(ids)
    return total


def _pk(obj, kind):
    model = {Kind.CONCEPT: Concept, Kind.EXAMPLE: Example, Kind.COMPARISON: Comparison}[kind]
    return obj.pk if isinstance(obj, model) else None


def _document(kind, obj, *, title, names, summary, body) -> SearchDocument:
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


def _with_names(model, ids, fields, *, related: str, without):
    """Rows of ``model`` with the names of their ``related`` objects, less ``without``
    (an object about to be deleted, whose name must leave the documents now)."""
    named = model._meta.get_field(related).related_model
    names = named.objects.only("id", "name")
    if isinstance(without, named):
        names = names.exclude(pk=without.pk)
    rows = model.objects.filter(pk__in=ids).only("id", "slug", *fields)
    return rows.prefetch_related(Prefetch(related, queryset=names))


def _concepts(ids, without):
    fields = ["name", "aliases", "summary", "definition", "advantages", "limitations", "use_cases"]
    for c in _with_names(Concept, ids, fields, related="tags", without=without):
        body = [c.definition, *c.advantages, *c.limitations, *c.use_cases]
        body.append(" ".join(tag.name for tag in c.tags.all()))
        yield _document(
            Kind.CONCEPT, c, title=c.name, names=[c.name, *c.aliases], summary=c.summary, body=body
        )


def _examples(ids, without):
    fields = ["name", "description", "code", "language"]
    for e in _with_names(Example, ids, fields, related="concepts", without=without):
        body = [e.code, e.language, " ".join(c.name for c in e.concepts.all())]
        yield _document(
            Kind.EXAMPLE, e, title=e.name, names=[e.name], summary=e.description, body=body
        )


def _comparisons(ids, without):
    rows = Comparison.objects.filter(pk__in=ids).only("id", "slug", "title", "summary", "verdict")
    for c in rows:
        yield _document(
            Kind.COMPARISON, c, title=c.title, names=[c.title], summary=c.summary, body=[c.verdict]
        )


BUILDERS = {Kind.CONCEPT: _concepts, Kind.EXAMPLE: _examples, Kind.COMPARISON: _comparisons}


def _write_backend(stale: list[int], created: list[SearchDocument]) -> None:
    if connection.vendor == "postgresql" and created:
        SearchDocument.objects.filter(pk__in=[d.pk for d in created]).update(
            vector=SearchVector("names", weight="A", config="english")
            + SearchVector("summary", weight="B", config="english")
            + SearchVector("body", weight="C", config="english")
        )
    elif connection.vendor == "sqlite":
        _write_fts(stale, created)


def _write_fts(stale: list[int], created: list[SearchDocument]) -> None:
    # Rowids of new documents are cleared too: a flushed table may reuse ids the FTS
    # tables (which a flush does not empty) still hold.
    gone = stale + [d.pk for d in created]
    with connection.cursor() as cursor:
        if gone:
            marks = ",".join("%s" for _ in gone)
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", gone)
            cursor.execute(f"DELETE FROM {TRIGRAM_TABLE} WHERE rowid IN ({marks})", gone)
        if created:
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE} (rowid, names, summary, body) VALUES (%s, %s, %s, %s)",
                [(d.pk, d.names, d.summary, d.body) for d in created],
            )
            cursor.executemany(
                f"INSERT INTO {TRIGRAM_TABLE} (rowid, keys) VALUES (%s, %s)",
                [(d.pk, d.keys) for d in created],
            )
