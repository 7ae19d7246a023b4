"""Reads of relations and comparisons with the query shapes the API needs."""

from django.db.models import Prefetch, QuerySet

from concepts.selectors import STUB_FIELDS

from .models import Aspect, AspectValue, Comparison, ComparisonItem, Relation


def relation_list() -> QuerySet[Relation]:
    return Relation.objects.select_related("source", "target").only(
        "id",
        "type",
        "note",
        "version",
        "created_at",
        "updated_at",
        "source__slug",
        "source__name",
        "source__category",  # the column: ?expand=source prefetches the category
        "target__slug",
        "target__name",
        "target__category",
    )


def relation_by_key(key: str) -> dict | None:
    """Split ``source--type--target`` into lookup arguments, or None when malformed."""
    for relation_type in Relation.Type.values:
        marker = f"--{relation_type}--"
        source, sep, target = key.partition(marker)
        if sep and source and target:
            return {"source__slug": source, "type": relation_type, "target__slug": target}
    return None


def comparison_list() -> QuerySet[Comparison]:
    items = ComparisonItem.objects.select_related("concept__category").only(
        "id", "comparison_id", "position", *(f"concept__{field}" for field in STUB_FIELDS)
    )
    return Comparison.objects.prefetch_related(Prefetch("items", queryset=items))


def comparison_detail() -> QuerySet[Comparison]:
    values = AspectValue.objects.select_related("concept").only(
        "id", "aspect_id", "value", "concept__slug"
    )
    aspects = Aspect.objects.prefetch_related(Prefetch("values", queryset=values))
    return comparison_list().prefetch_related(Prefetch("aspects", queryset=aspects))
