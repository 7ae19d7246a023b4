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
from kbapi.core.signals import object_written
from relations.models import Comparison

from .models import SearchDocument, SearchName
from .text import keys_of, phrase

Kind = SearchDocument.Kind
FTS_TABLE = "search_fts"
TRIGRAM_TABLE = "search_fts_keys"
TRIGRAM_VOCAB = "search_fts_keys_vocab"
NAMES_TABLE = "search_fts_names"


# The fields each kind of document is built from (its own, and the links it names).
DOCUMENT_FIELDS = {
    Concept: {"slug", "name", "aliases", "summary", "definition", "tags"}
    | {"advantages", "limitations", "use_cases"},
    Example: {"slug", "name", "description", "code", "language", "concepts"},
    Comparison: {"slug", "title", "summary", "verdict"},
}


@receiver(object_written)
def keep_index_in_step(sender, instance, action, fields=None, **kwargs):
    for kind, ids, without in _affected(instance, action, fields):
        reindex(kind, ids, without=without)


def _affected(instance, action, fields):
    """(kind, object ids, object being deleted) for every document the write touches;
    ``fields`` (None: any) are what an update changed."""
    deleting = instance if action == "delete" else None

    def changed(*names):
        return fields is None or not fields.isdisjoint(names)

    if isinstance(instance, Concept):
        if changed(*DOCUMENT_FIELDS[Concept]):
            yield Kind.CONCEPT, [instance.pk], deleting
        if changed("name"):  # an example's document names its concepts
            example_ids = list(instance.examples.values_list("pk", flat=True))
            if example_ids:
                yield Kind.EXAMPLE, example_ids, deleting
    elif isinstance(instance, Example) and changed(*DOCUMENT_FIELDS[Example]):
        yield Kind.EXAMPLE, [instance.pk], deleting
    elif isinstance(instance, Comparison) and changed(*DOCUMENT_FIELDS[Comparison]):
        yield Kind.COMPARISON, [instance.pk], deleting
    elif isinstance(instance, Tag) and action != "create" and changed("name"):
        concept_ids = list(instance.concepts.values_list("pk", flat=True))
        if concept_ids:
            yield Kind.CONCEPT, concept_ids, deleting


def reindex(kind: str, ids: Iterable[int], *, without=None) -> None:
    """Rebuild the documents of these objects; ``without`` is an object about to be deleted.

    A document whose names are unchanged (most edits) is updated in place, so its
    name rows and trigram keys, which derive from the names alone, stay as they are.
    """
    ids = list(ids)
    docs = [doc for doc in BUILDERS[kind](ids, without) if doc.object_id != _pk(without, kind)]
    existing = {
        row["object_id"]: row
        for row in SearchDocument.objects.filter(kind=kind, object_id__in=ids).values(
            "pk", "object_id", "names"
        )
    }
    kept = []
    for doc in docs:
        row = existing.get(doc.object_id)
        if row is not None and row["names"] == doc.names:
            doc.pk = row["pk"]
            kept.append(doc)
            del existing[doc.object_id]
    if kept:
        SearchDocument.objects.bulk_update(kept, ["slug", "title", "summary", "body"])
    stale = [row["pk"] for row in existing.values()]
    stale_names = []
    if stale:
        stale_names = list(
            SearchName.objects.filter(document_id__in=stale).values_list("pk", flat=True)
        )
        SearchName.objects.filter(pk__in=stale_names).delete()
        SearchDocument.objects.filter(pk__in=stale).delete()
    new = [doc for doc in docs if doc.pk is None]
    created = SearchDocument.objects.bulk_create(new) if new else []
    names = SearchName.objects.bulk_create(name for doc in created for name in _names(doc))
    _write_backend(stale, created, kept)
    if stale_names or names:
        _write_names(stale_names, names)


def rebuild() -> int:
    """Index every object from scratch; returns the number of documents."""
    SearchName.objects.all().delete()
    SearchDocument.objects.all().delete()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE}")
            cursor.execute(f"DELETE FROM {TRIGRAM_TABLE}")
            cursor.execute(f"DELETE FROM {NAMES_TABLE}")
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
    _settle()
    return total


def _settle() -> None:
    """After a rebuild: indexes merged for reading, and fresh statistics on PostgreSQL.

    SQLite: the FTS5 tables were written in many small segments; merged into one
    ('optimize'), a large doclist gets its index and finding one document in it (the
    snippets of a page) no longer reads it from the start. PostgreSQL: every row was
    rewritten, so the statistics (if any) describe the old table, and the GIN indexes
    hold their newest entries in a pending list that every search scans until
    (auto)vacuum merges it; a server without autovacuum would keep it.
    """
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for table in (FTS_TABLE, TRIGRAM_TABLE, NAMES_TABLE):
                cursor.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT gin_clean_pending_list('search_document_vector'::regclass)")
        cursor.execute("SELECT gin_clean_pending_list('search_document_keys_trgm'::regclass)")
        cursor.execute("ANALYZE search_document")
        cursor.execute("ANALYZE search_name")


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


def _names(doc: SearchDocument) -> list[SearchName]:
    """The title row and one row per other name of ``doc`` (see ``SearchName``)."""
    rows, seen = [], set()
    for name in doc.names.split("\n"):
        key = phrase(name)
        if key and key not in seen:
            seen.add(key)
            rows.append(
                SearchName(document_id=doc.pk, kind=doc.kind, phrase=key, is_title=not rows)
            )
    return rows


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


def _write_backend(
    stale: list[int], created: list[SearchDocument], kept: list[SearchDocument]
) -> None:
    """The full-text side: PostgreSQL's vectors, or SQLite's FTS5 rows (``kept`` documents
    have new text but the same names, so their trigram keys stay)."""
    written = created + kept
    if connection.vendor == "postgresql" and written:
        SearchDocument.objects.filter(pk__in=[d.pk for d in written]).update(
            vector=SearchVector("names", weight="A", config="english")
            + SearchVector("summary", weight="B", config="english")
            + SearchVector("body", weight="C", config="english")
        )
    elif connection.vendor == "sqlite":
        _write_fts(stale, created, kept)


def _write_fts(stale: list[int], created: list[SearchDocument], kept: list[SearchDocument]) -> None:
    # Rowids of new documents are cleared too: a flushed table may reuse ids the FTS
    # tables (which a flush does not empty) still hold.
    gone = stale + [d.pk for d in created]
    rewritten = gone + [d.pk for d in kept]
    with connection.cursor() as cursor:
        if rewritten:
            marks = ",".join("%s" for _ in rewritten)
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", rewritten)
        if gone:
            marks = ",".join("%s" for _ in gone)
            cursor.execute(f"DELETE FROM {TRIGRAM_TABLE} WHERE rowid IN ({marks})", gone)
        if created or kept:
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE} (rowid, names, summary, body) VALUES (%s, %s, %s, %s)",
                [(d.pk, d.names, d.summary, d.body) for d in created + kept],
            )
        if created:
            cursor.executemany(
                f"INSERT INTO {TRIGRAM_TABLE} (rowid, keys) VALUES (%s, %s)",
                [(d.pk, d.keys) for d in created],
            )


def _write_names(stale: list[int], created: list[SearchName]) -> None:
    titles = [n.pk for n in created if n.is_title]
    if connection.vendor == "postgresql" and titles:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE search_name AS n SET vector = to_tsvector('english', d.names) "
                "FROM search_document AS d WHERE d.id = n.document_id AND n.id = ANY(%s)",
                [titles],
            )
    elif connection.vendor == "sqlite":
        gone = stale + [n.pk for n in created]  # see _write_fts: reused ids are cleared too
        with connection.cursor() as cursor:
            if gone:
                marks = ",".join("%s" for _ in gone)
                cursor.execute(f"DELETE FROM {NAMES_TABLE} WHERE rowid IN ({marks})", gone)
            if titles:
                cursor.execute(
                    f"INSERT INTO {NAMES_TABLE} (rowid, names) SELECT n.id, d.names "
                    "FROM search_name AS n JOIN search_document AS d ON d.id = n.document_id "
                    f"WHERE n.id IN ({','.join('%s' for _ in titles)})",
                    titles,
                )
