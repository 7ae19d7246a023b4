"""Reads of concepts and examples with the query shapes the API needs."""

from collections import defaultdict
from collections.abc import Sequence
from types import SimpleNamespace

from django.db import connection, models
from django.db.models import Count, F, Func, OuterRef, Prefetch, Q, QuerySet, Subquery, TextField
from django.db.models.expressions import RawSQL
from rest_framework.fields import DateTimeField

from kbapi.core.db import PreparedQuery, json_column, planned_once

from .models import Category, Concept, Example, Tag, linked_model
from .shape import CONCEPT, LISTS, REF
from .stub import concept_stub


def _count(rows: QuerySet) -> Subquery:
    """``SELECT COUNT(*)`` of ``rows`` (filtered by an ``OuterRef``), as a subquery."""
    return Subquery(rows.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n"))


# ``concept_count`` as a subquery of each row, not a join and GROUP BY: a prefetch of
# categories or tags (?expand=) filters through the same link and would count only the
# concepts of the page.
def category_list() -> QuerySet[Category]:
    concepts = Concept.objects.filter(category=OuterRef("pk"))
    return Category.objects.annotate(concept_count=_count(concepts))


def tag_list() -> QuerySet[Tag]:
    links = Concept.tags.through.objects.filter(tag=OuterRef("pk"))
    return Tag.objects.annotate(concept_count=_count(links))


def concept_list() -> QuerySet[Concept]:
    return Concept.objects.select_related("category").prefetch_related(
        Prefetch("tags", queryset=Tag.objects.only("id", "slug", "name"))
    )


def concept_detail() -> QuerySet[Concept]:
    ends = [f"{end}__{field}" for end in ("source", "target") for field in STUB_FIELDS]
    edge = (
        linked_model("outgoing")
        .objects.select_related("source__category", "target__category")
        .only("id", "type", "note", *ends)
    )
    return concept_list().prefetch_related(
        Prefetch("examples", queryset=Example.objects.only("id", "slug", "name", "kind")),
        Prefetch("outgoing", queryset=edge),
        Prefetch("incoming", queryset=edge),
        Prefetch(
            "comparisons", queryset=linked_model("comparisons").objects.only("id", "slug", "title")
        ),
    )


# What a concept stub (concepts/stub.py) reads of a concept, for ``only()``.
STUB_FIELDS = ("slug", "name", "category__slug")


def concept_stubs() -> QuerySet[Concept]:
    """Concepts read for their stubs alone (``concepts.stub``): category joined."""
    return Concept.objects.select_related("category").only("id", *STUB_FIELDS)


def example_list() -> QuerySet[Example]:
    return Example.objects.prefetch_related(Prefetch("concepts", queryset=concept_stubs()))


def example_detail() -> QuerySet[Example]:
    """An example in full: also the slugs of the examples it requires."""
    return example_list().prefetch_related(
        Prefetch("requires", queryset=Example.objects.only("id", "slug"))
    )


def concept_dependents(*, concept: Concept) -> dict[str, list[str]]:
    """What would lose knowledge if ``concept`` were deleted, by kind."""
    edges = (
        linked_model("outgoing")
        .objects.filter(Q(source=concept) | Q(target=concept))
        .select_related("source", "target")
    )
    sole_examples = (
        Example.objects.annotate(n=Count("concepts"))
        .filter(n=1, concepts=concept)
        .values_list("slug", flat=True)
    )
    return {
        "relations": sorted(edge.key for edge in edges),
        "comparisons": sorted(concept.comparisons.values_list("slug", flat=True)),
        "examples": sorted(sole_examples),
    }


# The plain paths below answer the serializers' JSON without them; their columns and dicts
# come from the concept's shape (concepts/shape.py), worked out here at import time.


def _column(name: str) -> str:
    """The column of a plain row that holds the field ``name``: a reference by its slug."""
    return f"{name}__slug" if CONCEPT.kinds.get(name) == REF else name


def _dict_builder(keys: Sequence[str], *, columns: dict, convert: dict | None = None):
    """``build(row, **parts)``: the dict of ``keys`` in order, each ``row[columns[key]]``
    (through ``convert[key]`` when it has one) or else the keyword argument ``key``.

    Written out once, at import time, as one dict literal: a loop over the keys would
    cost the hottest reads several times as much as the literal they had by hand.
    """
    convert = dict(convert or {})
    parts = [key for key in keys if key not in columns]
    if not all(key.isidentifier() for key in parts):
        raise ValueError(f"Keys passed as arguments must be identifiers: {parts}")

    def value(key: str) -> str:
        if key not in columns:
            return key
        read = f"row[{columns[key]!r}]"
        return f"convert[{key!r}]({read})" if key in convert else read

    params = ", ".join(["row", *(["*", *parts] if parts else [])])
    items = ", ".join(f"{key!r}: {value(key)}" for key in keys)
    # the source is made of the model's field names (repr-quoted), never of input
    return eval(f"lambda {params}: {{{items}}}", {"convert": convert})


_BRIEF_FIELDS = tuple(name for name in CONCEPT.brief[1:] if name in CONCEPT.columns)
BRIEF_COLUMNS = ("id", *map(_column, _BRIEF_FIELDS))
_brief_dict = _dict_builder(CONCEPT.brief, columns={name: _column(name) for name in _BRIEF_FIELDS})


def _brief_page_sql() -> str:
    """The unfiltered list's page: the brief columns, a reference's slug by a join."""
    select, joins = ["c.id"], []
    for name in _BRIEF_FIELDS:
        field = Concept._meta.get_field(name)
        if CONCEPT.kinds[name] == REF:
            table = field.related_model._meta.db_table
            joins.append(f'INNER JOIN {table} "{name}" ON "{name}".id = c.{field.column}')
            select.append(f'"{name}".slug')
        else:
            select.append(f"c.{field.column}")
    return f"""
        SELECT {", ".join(select)}, ({{tags}})
        FROM concepts_concept c {" ".join(joins)}
        ORDER BY c.name ASC LIMIT %s OFFSET %s
    """


def concept_brief_rows(concepts: QuerySet[Concept]) -> QuerySet:
    """The columns of the brief list shape, as plain rows (no model instances)."""
    return concepts.values(*BRIEF_COLUMNS)


class AllConceptRows:
    """Every concept's brief row in the list's order (by name), for Django's Paginator.

    The unfiltered list is the one most read: ``count()`` and each page (with
    its tags, aggregated per concept as the detail embeds them) are one hand-written
    query apiece (planned once per connection on PostgreSQL), with no queryset
    built per request. Rows are the dicts of
    ``concept_brief_rows`` plus their tags; a test holds the two paths' JSON equal.
    """

    PAGE_SQL = _brief_page_sql()
    COLUMNS = (*BRIEF_COLUMNS, "tags")
    JSON_COLUMNS = tuple(
        name for name in COLUMNS if name == "tags" or CONCEPT.kinds.get(name) in LISTS
    )

    def count(self) -> int:
        with planned_once(connection) as cursor:
            cursor.execute("SELECT COUNT(*) FROM concepts_concept")
            return cursor.fetchone()[0]

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[dict]:
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("AllConceptRows is read a page (a slice) at a time.")
        start = index.start or 0
        sql = self.PAGE_SQL.format(tags=embedded_json(connection.vendor, "tags", outer="c.id"))
        with planned_once(connection) as cursor:
            cursor.execute(sql, [max(index.stop - start, 0), start])
            rows = [dict(zip(self.COLUMNS, row, strict=True)) for row in cursor.fetchall()]
        for row in rows:
            for name in self.JSON_COLUMNS:
                row[name] = json_column(row[name])
        return rows


def concept_brief_page(rows: list[dict], *, url_prefix: str) -> list[dict]:
    """A page of brief rows in the list shape, with their tags read in one query.

    The same JSON as ``ConceptBriefSerializer``, built without model instances or
    serializer fields: the concept list is the hottest read, and this is most of
    its cost (see docs/PERFORMANCE.md). A test holds the two shapes equal.
    """
    tags = defaultdict(list)
    if rows and "tags" not in rows[0]:
        marks = ", ".join(["%s"] * len(rows))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT ct.concept_id, t.slug FROM concepts_concept_tags ct"
                " INNER JOIN concepts_tag t ON t.id = ct.tag_id"
                f" WHERE ct.concept_id IN ({marks}) ORDER BY t.slug ASC",
                [row["id"] for row in rows],
            )
            for concept_id, slug in cursor.fetchall():
                tags[concept_id].append(slug)
    return [
        _brief_dict(
            row,
            url=f"{url_prefix}{row['slug']}/",
            tags=row["tags"] if "tags" in row else tags[row["id"]],
        )
        for row in rows
    ]


DETAIL_COLUMNS = ("id", *map(_column, CONCEPT.columns), *CONCEPT.stamps)
_TIMESTAMP = DateTimeField()  # the API's date-time format, as the serializers write it
# Everything a concept's detail embeds, each as a JSON array built by a subquery of the
# concept's row (``{outer}``: its id), in its model's ordering: (columns, order, source).
_EMBEDDED_FROM = {
    "tags": ("t.slug", "t.slug", """concepts_concept_tags ct
        JOIN concepts_tag t ON t.id = ct.tag_id WHERE ct.concept_id = {outer}"""),
    "examples": ("e.slug, e.name, e.kind", "e.name, e.slug", """concepts_example_concepts ec
        JOIN concepts_example e ON e.id = ec.example_id WHERE ec.concept_id = {outer}"""),
    "outgoing": ("r.type, c.slug, c.name, g.slug AS category, r.note", "r.type, c.slug",
        """relations_relation r JOIN concepts_concept c ON c.id = r.target_id
        JOIN concepts_category g ON g.id = c.category_id WHERE r.source_id = {outer}"""),
    "incoming": ("r.type, c.slug, c.name, g.slug AS category, r.note", "c.slug, r.type",
        """relations_relation r JOIN concepts_concept c ON c.id = r.source_id
        JOIN concepts_category g ON g.id = c.category_id WHERE r.target_id = {outer}"""),
    "comparisons": ("m.slug, m.title", "m.title, m.slug", """relations_comparisonitem i
        JOIN relations_comparison m ON m.id = i.comparison_id WHERE i.concept_id = {outer}"""),
}  # fmt: skip


def embedded_json(vendor: str, name: str, *, outer: str = '"concepts_concept"."id"') -> str:
    """A subquery: what a concept embeds under ``name``, as a JSON array (of arrays, for
    several columns), in its model's ordering; ``outer`` is the concept's id column."""
    columns, order, source = _EMBEDDED_FROM[name]
    source = source.format(outer=outer)
    # "t.col" or "t.col AS name": the subquery's column names, and the bare expressions
    specs = [column.split(" AS ") for column in columns.split(", ")]
    names = [spec[-1].split(".")[-1] for spec in specs]
    if vendor == "postgresql":
        bare = ", ".join(spec[0] for spec in specs)
        item = bare if len(names) == 1 else f"json_build_array({bare})"
        return f"SELECT coalesce(json_agg({item} ORDER BY {order}), '[]')::text FROM {source}"
    # SQLite aggregates in the order of the rows of the subquery it reads
    item = names[0] if len(names) == 1 else f"json_array({', '.join(names)})"
    return f"""SELECT json_group_array({item})
        FROM (SELECT {columns} FROM {source} ORDER BY {order})"""


def _concept_in_full(slug: str) -> QuerySet:
    text = TextField()
    embedded = {
        f"embedded_{name}": RawSQL(embedded_json(connection.vendor, name), (), text)
        for name in _EMBEDDED_FROM
    }
    return (
        Concept.objects.filter(slug=slug)
        .order_by()
        .annotate(**embedded)
        .values_list(*DETAIL_COLUMNS, *embedded)[:1]
    )


_CONCEPT_IN_FULL = PreparedQuery(_concept_in_full, markers=["\x00slug"])
_detail_dict = _dict_builder(
    CONCEPT.detail,
    columns={name: _column(name) for name in (*CONCEPT.columns, *CONCEPT.stamps)},
    convert={
        field.name: _TIMESTAMP.to_representation
        for field in Concept._meta.concrete_fields
        if isinstance(field, models.DateTimeField) and field.name in CONCEPT.detail
    },
)


def concept_detail_plain(slug: str, *, url_for) -> tuple[SimpleNamespace, dict] | None:
    """A concept in full, in the shape of ``ConceptSerializer``, from one query.

    The detail is the second hottest read: this builds its JSON from one row,
    the concept with everything it embeds as JSON arrays, compiled once per
    process, without model instances, prefetches or serializer fields, which
    are most of the cost of the serializer path (docs/PERFORMANCE.md).
    Orderings are the models' own and are applied by the database (its
    collation), as the serializer path's prefetches do. ``url_for(view_name,
    slug)`` makes the links. A test holds the bytes equal to the serializer's,
    for every concept.

    Returns what conditional requests need (version, updated_at) and the data, or
    None when no concept has the slug.
    """
    rows = _CONCEPT_IN_FULL.rows(slug)
    if not rows:
        return None
    row = dict(zip(DETAIL_COLUMNS, rows[0], strict=False))
    tags, examples, outgoing, incoming, comparisons = map(json_column, rows[0][len(row) :])
    data = _detail_dict(
        row,
        url=url_for("concept-detail", row["slug"]),
        tags=tags,
        examples=[
            {"url": url_for("example-detail", e_slug), "slug": e_slug, "name": name, "kind": kind}
            for e_slug, name, kind in examples
        ],
        relations={
            "outgoing": [_edge(*edge, url_for) for edge in outgoing],
            "incoming": [_edge(*edge, url_for) for edge in incoming],
        },
        comparisons=[
            {"url": url_for("comparison-detail", c_slug), "slug": c_slug, "title": title}
            for c_slug, title in comparisons
        ],
    )
    return SimpleNamespace(version=row["version"], updated_at=row["updated_at"]), data


def _edge(kind: str, slug: str, name: str, category: str, note: str, url_for) -> dict:
    return {
        "type": kind,
        "concept": concept_stub(slug, name, category, url_for("concept-detail", slug)),
        "note": note,
    }
