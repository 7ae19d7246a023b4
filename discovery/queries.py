"""Reads behind the discovery endpoints: graph, path, learning path, compare, advisor.

Each read runs a fixed number of queries whatever the size of the knowledge
base: the edge list in one query, the concepts it needs in one more, and the
algorithms (``discovery.graph``, ``discovery.compare``, ``discovery.advisor``)
in Python. Results are plain dicts and dataclasses for the API to shape.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from django.db import connection
from django.db.models import Count, Prefetch, Q

from concepts.models import Category, Concept, Example
from discovery import advisor, compare
from discovery.graph import PREREQUISITE, Edge, Graph, Lesson, Reached, Step, learning_path
from kbapi.core.db import json_column
from kbapi.core.services import NotFound, ServiceError
from relations.models import AspectValue, Comparison


class BadQuery(ServiceError):
    """A parameter the discovery endpoints cannot use; names it in ``errors``."""

    status_code = 400
    code = "invalid"

    def __init__(self, field: str, message: str):
        super().__init__(message, details={"errors": {field: [message]}})


class NoPath(ServiceError):
    status_code = 404
    code = "no_path"


# --- loading -----------------------------------------------------------------


EDGES_SQL = """
    SELECT s.slug, r.type, t.slug FROM relations_relation r
    INNER JOIN concepts_concept s ON s.id = r.source_id
    INNER JOIN concepts_concept t ON t.id = r.target_id
"""


def edge_rows(types: Sequence[str] = ()) -> tuple[tuple[str, str, str], ...]:
    """Every relation (of ``types``, if given) as a slug triple, in one query.

    Hand-written: every walk starts here, and building the ORM query cost a third
    more than running it.
    """
    sql, params = EDGES_SQL, list(types)
    if types:
        sql += f" WHERE r.type IN ({', '.join(['%s'] * len(types))})"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return tuple(map(tuple, cursor.fetchall()))


def edge_list(types: Sequence[str] = ()) -> list[Edge]:
    return [Edge(*row) for row in edge_rows(types)]


def concept_graph(types: Sequence[str] = ()) -> Graph:
    """The walkable graph of the relations as they are now (one query)."""
    return _graph_of(edge_rows(types))


@lru_cache(maxsize=8)
def _graph_of(rows: tuple[tuple[str, str, str], ...]) -> Graph:
    """A pure function of the edge rows, memoised: the rows are read on every call, so
    a changed relation is a different key and never meets a stale graph; building the
    sorted adjacency is what a walk would otherwise pay on each request."""
    return Graph(Edge(*row) for row in rows)


NODES_SQL = """
    SELECT c.slug, c.name, g.slug{detail} FROM concepts_concept c
    INNER JOIN concepts_category g ON g.id = c.category_id{where} ORDER BY c.slug ASC
"""


def concept_nodes(slugs: Iterable[str] | None = None, *, detail: bool = False) -> dict[str, dict]:
    """Concepts as ``{slug: {slug, name, category, ...}}``, all of them when ``slugs`` is None.

    ``detail`` adds aliases and summary. One hand-written query (every walk ends here).
    """
    wanted = None if slugs is None else sorted(set(slugs))
    if wanted == []:
        return {}
    where = "" if wanted is None else f" WHERE c.slug IN ({', '.join(['%s'] * len(wanted))})"
    sql = NODES_SQL.format(detail=", c.aliases, c.summary" if detail else "", where=where)
    nodes = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, wanted or [])
        for slug, name, category, *more in cursor.fetchall():
            node = {"slug": slug, "name": name, "category": category}
            if detail:
                node.update(aliases=json_column(more[0]), summary=more[1])
            nodes[slug] = node
    return nodes


def _concept(slug: str, nodes: dict[str, dict]) -> dict:
    if slug not in nodes:
        raise NotFound(f"No concept has the slug {slug!r}.")
    return nodes[slug]


def _unknown(field: str, slugs: Iterable[str], nodes: dict[str, dict]) -> None:
    missing = sorted(set(slugs) - set(nodes))
    if missing:
        raise BadQuery(field, f"Unknown concept slug(s): {', '.join(missing)}.")


def step_dict(step: Step) -> dict:
    edge = step.edge
    return {
        "source": edge.source,
        "type": edge.type,
        "target": edge.target,
        "direction": step.direction,
    }


# --- neighbours, learning path, path ---------------------------------------------


def neighbors(*, slug: str, depth: int, types: Sequence[str] = ()) -> dict:
    """The concepts within ``depth`` relations of ``slug``, with the edges that reach them."""
    center = _concept(slug, concept_nodes([slug]))
    reached: list[Reached] = concept_graph(types).reach(slug, depth)
    nodes = concept_nodes(r.slug for r in reached)
    results = [
        {**nodes[r.slug], "distance": r.distance, "edges": [step_dict(s) for s in r.steps]}
        for r in reached
    ]
    return {"results": results, "concept": center, "depth": depth, "types": list(types)}


def learning_path_for(*, slug: str, known: Sequence[str] = ()) -> dict:
    """The prerequisites of ``slug`` to learn, in order, without those already ``known``."""
    given = concept_nodes([slug, *known])
    center = _concept(slug, given)
    _unknown("known", known, given)
    lessons: list[Lesson] = learning_path(edge_list([PREREQUISITE]), slug, set(known))
    nodes = concept_nodes(lesson.slug for lesson in lessons)
    steps = [
        {**nodes[lesson.slug], "position": i, "prerequisites": list(lesson.prerequisites)}
        for i, lesson in enumerate(lessons, start=1)
    ]
    return {"results": steps, "concept": center, "known": sorted(set(known))}


def path(*, source: str, target: str, types: Sequence[str] = ()) -> dict:
    """The shortest chain of relations from ``source`` to ``target``, direction ignored.

    Two queries: the edges, then the concepts at both ends and on the way (the walk
    needs no concept rows, so unknown ends are found by the same query).
    """
    steps = concept_graph(types).shortest_path(source, target)
    on_path = [source, *(step.end for step in steps or ())]
    nodes = concept_nodes([*on_path, target])
    _unknown("from", [source], nodes)
    _unknown("to", [target], nodes)
    if steps is None:
        raise NoPath(
            f"No chain of relations connects {source!r} and {target!r}"
            + (f" using only {', '.join(types)}." if types else ".")
        )
    return {
        "results": [nodes[s] for s in on_path],
        "from": nodes[source],
        "to": nodes[target],
        "length": len(steps),
        "edges": [step_dict(s) for s in steps],
    }


# --- the whole graph ------------------------------------------------------------


@dataclass(frozen=True)
class GraphSelection:
    nodes: list[dict]
    edges: list[Edge]


def graph(
    *,
    category: str | None = None,
    around: str | None = None,
    depth: int = 1,
    types: Sequence[str] = (),
    detail: bool = False,
) -> GraphSelection:
    """Concepts (of ``category``, within ``depth`` of ``around``) and the edges among them."""
    if category and not Category.objects.filter(slug=category).exists():
        raise BadQuery("category", f"Unknown category slug: {category}.")
    nodes = concept_nodes(detail=detail)
    if around:
        _unknown("around", [around], nodes)
    whole = concept_graph(types)
    keep = set(nodes)
    if around:
        keep = {around} | {r.slug for r in whole.reach(around, depth)}
    if category:
        keep = {s for s in keep if nodes[s]["category"] == category or s == around}
    return GraphSelection([nodes[s] for s in sorted(keep)], whole.subgraph(keep))


# --- compare ------------------------------------------------------------------


def compare_concepts(*, slugs: Sequence[str]) -> dict:
    """A matrix of aspects by ``slugs`` and the curated comparison it drew on, if any."""
    systems = Example.objects.filter(kind=Example.Kind.SYSTEM).only("id", "slug", "name")
    found = {
        c.slug: c
        for c in Concept.objects.filter(slug__in=slugs)
        .select_related("category")
        .prefetch_related(Prefetch("examples", queryset=systems))
    }
    _unknown("concepts", slugs, found)
    columns = [_facts(found[slug]) for slug in slugs]
    curated = _covering_comparison([found[s].pk for s in slugs])
    aspects = _curated_aspects(curated, found) if curated else []
    return {
        "results": compare.matrix(columns, aspects),
        "concepts": [
            {"slug": slug, "name": found[slug].name, "category": found[slug].category.slug}
            for slug in slugs
        ],
        "comparison": curated,
    }


def _facts(concept: Concept) -> compare.Facts:
    return compare.Facts(
        slug=concept.slug,
        name=concept.name,
        category=concept.category.name,
        summary=concept.summary,
        advantages=concept.advantages,
        limitations=concept.limitations,
        use_cases=concept.use_cases,
        example_systems=[e.name for e in concept.examples.all()],
    )


def _covering_comparison(concept_ids: list[int]) -> Comparison | None:
    """The tightest curated comparison holding every concept: fewest columns, then slug."""
    return (
        Comparison.objects.annotate(
            hits=Count("items", filter=Q(items__concept__in=concept_ids)),
            size=Count("items"),
        )
        .filter(hits=len(concept_ids))
        .order_by("size", "slug")
        .only("id", "slug", "title")
        .first()
    )


def _curated_aspects(comparison: Comparison, found: dict[str, Concept]):
    values = (
        AspectValue.objects.filter(
            aspect__comparison=comparison, concept__in=[c.pk for c in found.values()]
        )
        .order_by("aspect__position", "id")
        .values_list("aspect__name", "concept__slug", "value")
    )
    rows: dict[str, dict[str, str]] = {}
    for name, slug, value in values:
        rows.setdefault(name, {})[slug] = value
    return list(rows.items())


# --- advisor ------------------------------------------------------------------


CANDIDATES_SQL = """
    SELECT c.id, c.slug, c.name, g.slug, c.traits FROM concepts_concept c
    INNER JOIN concepts_category g ON g.id = c.category_id
    WHERE {has_traits} ORDER BY c.name ASC
"""
HAS_TRAITS = {
    "postgresql": "jsonb_array_length(c.traits) > 0",
    "sqlite": "json_array_length(c.traits) > 0",
}
SYSTEMS_SQL = """
    SELECT ec.concept_id, e.slug, e.name, e.kind FROM concepts_example_concepts ec
    INNER JOIN concepts_example e ON e.id = ec.example_id
    WHERE e.kind = %s ORDER BY e.name ASC, e.slug ASC
"""


def advisor_candidates() -> list[advisor.Candidate]:
    """The concepts that carry traits (the database types), with their example systems.

    Two hand-written queries of plain rows: no model instances or ORM query
    building, as this runs on every advice.
    """
    systems: dict[int, list[dict]] = {}
    with connection.cursor() as cursor:
        cursor.execute(CANDIDATES_SQL.format(has_traits=HAS_TRAITS[connection.vendor]))
        concepts = [(pk, *stub, _traits(traits)) for pk, *stub, traits in cursor]
        cursor.execute(SYSTEMS_SQL, [Example.Kind.SYSTEM.value])
        for concept_id, slug, name, kind in cursor.fetchall():
            systems.setdefault(concept_id, []).append({"slug": slug, "name": name, "kind": kind})
    return [
        advisor.Candidate(slug, name, category, traits, systems.get(pk, []))
        for pk, slug, name, category, traits in concepts
        if traits
    ]


@lru_cache(maxsize=256)
def _traits(stored: str) -> list[dict]:
    """The traits of a stored JSON text, parsed once per distinct text (read-only)."""
    return json_column(stored)


def advise(*, structured: dict[str, list[str]], q: str = "") -> dict:
    """Rank the database types for requirements given as factors and/or plain words."""
    candidates = advisor_candidates()
    allowed = advisor.allowed_values(candidates)
    for factor, values in structured.items():
        wrong = [v for v in values if v not in allowed[factor]]
        if wrong:
            raise BadQuery(
                factor,
                f"Unknown value(s) {', '.join(wrong)} for {factor}; "
                f"one of: {', '.join(allowed[factor])}.",
            )
    given = [advisor.Requirement(f, v) for f, values in structured.items() for v in values]
    requirements = advisor.merge(given, advisor.requirements_from_text(q, candidates))
    if not requirements:
        raise BadQuery("q", _nothing_recognised(q, allowed))
    return {"requirements": requirements, "results": advisor.rank(candidates, requirements)}


def _nothing_recognised(q: str, allowed: dict[str, tuple[str, ...]]) -> str:
    factors = "; ".join(f"{f}={'|'.join(values)}" for f, values in allowed.items())
    start = f"No requirement recognised in q={q!r}. " if q else "No requirement given. "
    return (
        start + "Describe the need in plain words (q=user session cache, q=social network) "
        f"or give one or more of: {factors}."
    )
