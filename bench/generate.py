"""Grow the loaded knowledge base to N concepts, in the real one's proportions, fast.

``python -m bench.generate 100000`` after ``loadkb``: copies of the real
concepts (same text lengths, categories, traits) with tags, examples and
relations per concept as in the real content, written with ``bulk_create``
(no history rows: this is load, not editing). Then it rebuilds the search
index (``search.index.rebuild``, as ``manage.py reindex`` does)
and bumps the knowledge-base version, as every bulk write must.
"""

import multiprocessing
import os
import random
import sys
import time

BATCH = 5000


def generate(total: int, seed: int = 7) -> dict:
    from django.db import transaction

    from concepts.models import Concept, Example, Tag
    from relations.models import Relation

    rng = random.Random(seed)
    real = list(Concept.objects.order_by("pk"))
    n_real = len(real)
    todo = total - n_real
    if todo <= 0:
        return {"concepts": n_real}
    real_ids = [c.pk for c in real]
    tag_links = Concept.tags.through.objects.count() / n_real
    examples_per = Example.objects.count() / n_real
    example_links = Example.concepts.through.objects.count() / max(Example.objects.count(), 1)
    relations_per = Relation.objects.count() / n_real
    template_examples = list(Example.objects.all()[:50])
    types = [t for t, _ in Relation.Type.choices]
    started = time.monotonic()
    _fast_bulk_writes()
    with transaction.atomic():
        extra_tags = [Tag(slug=f"gen-tag-{i}", name=f"Generated tag {i}") for i in range(200)]
        Tag.objects.bulk_create(extra_tags)
        tag_ids = list(Tag.objects.values_list("pk", flat=True))
        first_new = (Concept.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        for start in range(0, todo, BATCH):
            batch = []
            for i in range(start, min(start + BATCH, todo)):
                t = real[i % n_real]
                batch.append(Concept(
                    slug=f"{t.slug}-g{i}", name=f"{t.name} (g{i})", aliases=t.aliases,
                    summary=t.summary, definition=t.definition, category_id=t.category_id,
                    advantages=t.advantages, limitations=t.limitations, use_cases=t.use_cases,
                    traits=t.traits, source=t.source,
                ))  # fmt: skip
            Concept.objects.bulk_create(batch)
        new_ids = list(Concept.objects.filter(pk__gte=first_new).values_list("pk", flat=True))
        all_ids = real_ids + new_ids
        through = Concept.tags.through
        links = []
        for cid in new_ids:
            k = int(tag_links) + (rng.random() < tag_links % 1)
            for tid in rng.sample(tag_ids, k):
                links.append(through(concept_id=cid, tag_id=tid))
        through.objects.bulk_create(links, batch_size=BATCH)
        examples = []
        for i in range(int(len(new_ids) * examples_per)):
            t = template_examples[i % len(template_examples)]
            examples.append(Example(
                slug=f"{t.slug}-g{i}", name=f"{t.name} (g{i})", kind=t.kind,
                description=t.description, code=t.code, language=t.language,
            ))  # fmt: skip
        Example.objects.bulk_create(examples, batch_size=BATCH)
        ex_ids = list(Example.objects.filter(slug__contains="-g").values_list("pk", flat=True))
        ex_through = Example.concepts.through
        ex_links = {
            (eid, cid)
            for eid in ex_ids
            for cid in rng.sample(new_ids, max(1, round(example_links)))
        }
        ex_through.objects.bulk_create(
            [ex_through(example_id=e, concept_id=c) for e, c in ex_links], batch_size=BATCH
        )
        edges = set()
        for _ in range(int(len(new_ids) * relations_per)):
            s, t = rng.choice(new_ids), rng.choice(all_ids)
            if s != t:
                edges.add((s, rng.choice(types), t))
        Relation.objects.bulk_create(
            [Relation(source_id=s, type=ty, target_id=t) for s, ty, t in edges], batch_size=BATCH
        )
    rows_written = time.monotonic()
    rebuilt = rebuild_search_index()
    from kbapi.edge.version import bump

    bump()
    return {
        "concepts": len(all_ids),
        "tag_links": len(links),
        "examples": len(ex_ids),
        "relations": len(edges),
        "search_index": rebuilt,
        "seconds": round(time.monotonic() - started, 1),
        "search_index_seconds": round(time.monotonic() - rows_written, 1),
    }


def _fast_bulk_writes() -> None:
    """A throwaway bench database need not survive a power cut while it is filled."""
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA journal_mode=MEMORY")
            cursor.execute("PRAGMA cache_size=-200000")


def rebuild_search_index() -> str:
    """Bulk inserts bypass the services, so the search index is rebuilt from scratch.

    On PostgreSQL the rebuild is split over one process per core, each with its
    own connection and transaction (``reindex`` of a share of the objects), and
    the GIN indexes of the search tables are dropped before and built once after,
    as a bulk load does. SQLite has one writer, so it rebuilds in this process.
    """
    from django.db import connection, transaction

    from search.index import rebuild

    if connection.vendor != "postgresql":
        with transaction.atomic():
            return f"{rebuild()} documents indexed"
    with transaction.atomic():
        gin = _drop_search_gin_indexes()
    shares = _shares(os.cpu_count() or 1)
    connection.close()
    context = multiprocessing.get_context("spawn")
    with context.Pool(len(shares), initializer=_setup_django) as pool:
        indexed = sum(pool.map(_reindex_share, shares))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for definition in gin:
            cursor.execute(definition)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return f"{indexed} documents indexed"


def _shares(n: int) -> list[list[tuple[str, list[int]]]]:
    """Every searchable object's id, by kind, dealt round-robin into ``n`` shares."""
    from concepts.models import Concept, Example
    from relations.models import Comparison
    from search.models import SearchDocument

    kinds = SearchDocument.Kind
    shares = [[] for _ in range(max(n, 1))]
    for kind, model in (
        (kinds.CONCEPT, Concept),
        (kinds.EXAMPLE, Example),
        (kinds.COMPARISON, Comparison),
    ):
        ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
        for i, share in enumerate(shares):
            share.append((kind.value, ids[i :: len(shares)]))
    return shares


def _setup_django() -> None:
    import django

    django.setup()


def _reindex_share(share: list[tuple[str, list[int]]]) -> int:
    """In a worker process: index one share of the objects, in one transaction."""
    from django.db import connection, transaction

    from search.index import reindex

    done = 0
    with transaction.atomic():
        for kind, ids in share:
            for start in range(0, len(ids), 500):
                reindex(kind, ids[start : start + 500])
            done += len(ids)
    connection.close()
    return done


def _drop_search_gin_indexes() -> list[str]:
    """Drop the GIN indexes of the search tables; returns their CREATE statements."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
            " AND tablename LIKE 'search%%' AND indexdef LIKE '%% USING gin %%'"
        )
        found = cursor.fetchall()
        for name, _ in found:
            cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in found]


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    print(generate(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
