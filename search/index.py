"""Keep ``search_document`` (and SQLite's FTS5 tables) in step with every write.

``object_written`` is sent by the services inside the write's transaction, so
the index changes atomically with the data. A write can change the documents
of other objects too: an example's document names its concepts, and a
concept's document names its tags. Which documents a write touches, and how
each is built, the apps tell ``registry`` (search imports none of them).
"""

from collections.abc import Iterable

from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.dispatch import receiver

from kbapi.core.signals import object_written

from . import registry
from .models import SearchDocument, SearchName
from .text import phrase

FTS_TABLE = "search_fts"
TRIGRAM_TABLE = "search_fts_keys"
TRIGRAM_VOCAB = "search_fts_keys_vocab"
NAMES_TABLE = "search_fts_names"


@receiver(object_written)
def keep_index_in_step(sender, instance, action, fields=None, **kwargs):
    for kind, ids, without in registry.affected(instance, action, fields):
        reindex(kind, ids, without=without)


def reindex(kind: str, ids: Iterable[int], *, without=None) -> None:
    """Rebuild the documents of these objects; ``without`` is an object about to be deleted.

    A document whose names are unchanged (most edits) is updated in place, so its
    name rows and trigram keys, which derive from the names alone, stay as they are.
    """
    ids = list(ids)
    build = registry.get(kind).build
    docs = [doc for doc in build(ids, without) if doc.object_id != registry.pk_of(without, kind)]
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
    for entry in registry.kinds():
        ids = list(entry.model.objects.values_list("pk", flat=True))
        for start in range(0, len(ids), 500):
            reindex(entry.kind, ids[start : start + 500])
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
