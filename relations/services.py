"""Writes of relations and comparisons (API, admin and loader alike)."""

from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction

from concepts.models import Concept
from kbapi.core.services import (
    ModelServices,
    create_instance,
    delete_instance,
    lock_references,
    update_instance,
)
from kbapi.core.text import normalise_text

from .models import Aspect, AspectValue, Comparison, ComparisonItem, Relation

COMPARISON_FIELDS = ("slug", "title", "summary", "verdict")


def relation_create(
    *,
    source: Concept,
    type: str,
    target: Concept,
    note: str = "",
    actor=None,
    change_message: str = "",
) -> Relation:
    data = {"source": source, "type": type, "target": target, "note": note}
    return create_instance(Relation, data=data, actor=actor, change_message=change_message)


def relation_update(*, relation: Relation, data: dict, **context) -> Relation:
    unknown = set(data) - {"source", "type", "target", "note"}
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")
    return update_instance(relation, data=data, **context)


def relation_delete(*, relation: Relation, **context) -> None:
    delete_instance(relation, **context)


AspectInput = Mapping[str, object]  # {"name": str, "values": {concept slug: text}}


@transaction.atomic
def comparison_create(
    *,
    slug: str,
    title: str,
    summary: str,
    verdict: str,
    concepts: Sequence[Concept],
    aspects: Sequence[AspectInput],
    actor=None,
    change_message: str = "",
) -> Comparison:
    aspects = _normalised_aspects(aspects)
    _validate_rows(concepts, aspects)
    lock_references(Comparison, {}, {"concepts": concepts})
    data = {"slug": slug, "title": title, "summary": summary, "verdict": verdict}
    comparison = create_instance(
        Comparison,
        data=data,
        actor=actor,
        change_message=change_message,
        history_related=comparison_snapshot(concepts, aspects),
    )
    _write_rows(comparison, concepts, aspects)
    return comparison


@transaction.atomic
def comparison_update(*, comparison: Comparison, data: dict, **context) -> Comparison:
    """Update fields; ``concepts`` and ``aspects`` replace the rows when given."""
    unknown = set(data) - set(COMPARISON_FIELDS) - {"concepts", "aspects"}
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")
    plain = {k: v for k, v in data.items() if k in COMPARISON_FIELDS}
    stored = comparison_snapshot(comparison_concepts(comparison), comparison_aspects(comparison))
    concepts = data.get("concepts") or comparison_concepts(comparison)
    aspects = _normalised_aspects(data.get("aspects") or comparison_aspects(comparison))
    snapshot = comparison_snapshot(concepts, aspects)
    rows_changed = snapshot != stored
    if rows_changed:
        _validate_rows(concepts, aspects)
        lock_references(Comparison, {}, {"concepts": concepts})
    comparison = update_instance(
        comparison, data=plain, history_related=snapshot, related_changed=rows_changed, **context
    )
    if rows_changed:
        comparison.items.all().delete()
        comparison.aspects.all().delete()
        _write_rows(comparison, concepts, aspects)
    return comparison


def comparison_delete(*, comparison: Comparison, **context) -> None:
    delete_instance(
        comparison,
        **context,
        history_related=comparison_snapshot(
            comparison_concepts(comparison), comparison_aspects(comparison)
        ),
    )


RELATION_WRITES = ModelServices("relation", relation_create, relation_update, relation_delete)
COMPARISON_WRITES = ModelServices(
    "comparison", comparison_create, comparison_update, comparison_delete
)


def comparison_snapshot(concepts: Sequence[Concept], aspects: Sequence[AspectInput]) -> dict:
    """What a comparison's history row keeps of its rows: concept slugs and aspects, in order."""
    return {
        "concepts": [concept.slug for concept in concepts],
        "aspects": [
            {"name": str(aspect["name"]), "values": dict(aspect["values"])} for aspect in aspects
        ],
    }


def comparison_concepts(comparison: Comparison) -> list[Concept]:
    return [item.concept for item in comparison.items.select_related("concept")]


def comparison_aspects(comparison: Comparison) -> list[dict]:
    return [
        {"name": aspect.name, "values": {v.concept.slug: v.value for v in aspect.values.all()}}
        for aspect in comparison.aspects.prefetch_related("values__concept")
    ]


def _normalised_aspects(aspects: Sequence[AspectInput]) -> list[dict]:
    """Aspect names and values under the services' text policy (``kbapi.core.text``)."""
    return [
        {
            "name": normalise_text(str(aspect["name"])),
            "values": {
                slug: normalise_text(text) if isinstance(text, str) else text
                for slug, text in dict(aspect["values"]).items()
            },
        }
        for aspect in aspects
    ]


def _validate_rows(concepts: Sequence[Concept], aspects: Sequence[AspectInput]) -> None:
    slugs = [concept.slug for concept in concepts]
    if len(slugs) < 2:
        raise ValidationError({"concepts": "A comparison compares at least two concepts."})
    if len(set(slugs)) != len(slugs):
        raise ValidationError({"concepts": "Each concept appears once in a comparison."})
    if not aspects:
        raise ValidationError({"aspects": "A comparison needs at least one aspect."})
    names = [aspect["name"] for aspect in aspects]
    if len(set(names)) != len(names):
        raise ValidationError({"aspects": "Aspect names must be unique within a comparison."})
    for aspect in aspects:
        given = set(aspect["values"])
        if given != set(slugs):
            raise ValidationError(
                {
                    "aspects": f"Aspect {aspect['name']!r} must give one value for each compared "
                    f"concept ({', '.join(slugs)}); got {', '.join(sorted(given)) or 'none'}."
                }
            )


def _write_rows(
    comparison: Comparison, concepts: Sequence[Concept], aspects: Sequence[AspectInput]
) -> None:
    by_slug = {concept.slug: concept for concept in concepts}
    ComparisonItem.objects.bulk_create(
        ComparisonItem(comparison=comparison, concept=concept, position=i)
        for i, concept in enumerate(concepts)
    )
    for position, row in enumerate(aspects):
        aspect = Aspect(comparison=comparison, name=row["name"], position=position)
        aspect.full_clean(exclude=["comparison"])
        aspect.save()
        values = []
        for slug, text in row["values"].items():
            value = AspectValue(aspect=aspect, concept=by_slug[slug], value=text)
            value.full_clean(exclude=["aspect", "concept"])
            values.append(value)
        AspectValue.objects.bulk_create(values)


def concepts_by_slug(slugs) -> dict[str, Concept]:
    return {c.slug: c for c in Concept.objects.filter(slug__in=list(slugs))}
