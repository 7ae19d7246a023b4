"""Reads of concepts and examples with the query shapes the API needs."""

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
