"""Reads of concepts and examples with the query shapes the API needs."""

from collections import defaultdict

from django.db.models import Count, Prefetch, Q, QuerySet

from .models import Concept, Example, Tag


def concept_list() -> QuerySet[Concept]:
    return Concept.objects.select_related("category").prefetch_related(
        Prefetch("tags", queryset=Tag.objects.only("id", "slug", "name"))
    )


def concept_detail() -> QuerySet[Concept]:
    from relations.models import Comparison, Relation

    edge = Relation.objects.select_related("source", "target").only(
        "id", "type", "note", "source__slug", "source__name", "target__slug", "target__name"
    )
    return concept_list().prefetch_related(
        Prefetch("examples", queryset=Example.objects.only("id", "slug", "name", "kind")),
        Prefetch("outgoing", queryset=edge),
        Prefetch("incoming", queryset=edge),
        Prefetch("comparisons", queryset=Comparison.objects.only("id", "slug", "title")),
    )


def example_list() -> QuerySet[Example]:
    return Example.objects.prefetch_related(
        Prefetch("concepts", queryset=Concept.objects.only("id", "slug", "name"))
    )


def concept_dependents(*, concept: Concept) -> dict[str, list[str]]:
    """What would lose knowledge if ``concept`` were deleted, by kind."""
    from relations.models import Comparison, Relation

    edges = Relation.objects.filter(Q(source=concept) | Q(target=concept)).select_related(
        "source", "target"
    )
    sole_examples = (
        Example.objects.annotate(n=Count("concepts"))
        .filter(n=1, concepts=concept)
        .values_list("slug", flat=True)
    )
    return {
        "relations": sorted(edge.key for edge in edges),
        "comparisons": sorted(
            Comparison.objects.filter(items__concept=concept).values_list("slug", flat=True)
        ),
        "examples": sorted(sole_examples),
    }


BRIEF_COLUMNS = ("id", "slug", "name", "aliases", "summary", "category__slug")


def concept_brief_rows(concepts: QuerySet[Concept]) -> QuerySet:
    """The columns of the brief list shape, as plain rows (no model instances)."""
    return concepts.values(*BRIEF_COLUMNS)


def concept_brief_page(rows: list[dict], *, url_prefix: str) -> list[dict]:
    """A page of brief rows in the list shape, with their tags read in one query.

    The same JSON as ``ConceptBriefSerializer``, built without model instances or
    serializer fields: the concept list is the hottest read, and this is most of
    its cost (see docs/PERFORMANCE.md). A test holds the two shapes equal.
    """
    tags = defaultdict(list)
    links = Concept.tags.through.objects.filter(concept_id__in=[row["id"] for row in rows])
    for concept_id, slug in links.order_by("tag__slug").values_list("concept_id", "tag__slug"):
        tags[concept_id].append(slug)
    return [
        {
            "url": f"{url_prefix}{row['slug']}/",
            "slug": row["slug"],
            "name": row["name"],
            "aliases": row["aliases"],
            "summary": row["summary"],
            "category": row["category__slug"],
            "tags": tags[row["id"]],
        }
        for row in rows
    ]
