"""Writes of categories, tags, concepts and examples (API, admin and loader alike)."""

from collections.abc import Iterable, Sequence

from kbapi.core.services import ModelServices, create_instance, delete_instance, update_instance

from .models import Category, Concept, Example, Tag
from .selectors import concept_dependents

CONCEPT_FIELDS = (
    "slug",
    "name",
    "aliases",
    "summary",
    "definition",
    "category",
    "advantages",
    "limitations",
    "use_cases",
    "traits",
    "source",
)
EXAMPLE_FIELDS = ("slug", "name", "kind", "description", "code", "language")


def _split(data: dict, fields: Sequence[str], m2m_fields: Sequence[str]):
    unknown = set(data) - set(fields) - set(m2m_fields)
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")
    plain = {k: v for k, v in data.items() if k in fields}
    m2m = {k: v for k, v in data.items() if k in m2m_fields}
    return plain, m2m


def category_create(
    *, slug: str, name: str, description: str = "", actor=None, change_message: str = ""
) -> Category:
    data = {"slug": slug, "name": name, "description": description}
    return create_instance(Category, data=data, actor=actor, change_message=change_message)


def category_update(*, category: Category, data: dict, **context) -> Category:
    plain, _ = _split(data, ("slug", "name", "description"), ())
    return update_instance(category, data=plain, **context)


def category_delete(*, category: Category, **context) -> None:
    def dependents():
        return {"concepts": sorted(category.concepts.values_list("slug", flat=True))}

    delete_instance(category, dependents=dependents, **context)


def tag_create(*, slug: str, name: str, actor=None, change_message: str = "") -> Tag:
    data = {"slug": slug, "name": name}
    return create_instance(Tag, data=data, actor=actor, change_message=change_message)


def tag_update(*, tag: Tag, data: dict, **context) -> Tag:
    plain, _ = _split(data, ("slug", "name"), ())
    return update_instance(tag, data=plain, **context)


def tag_delete(*, tag: Tag, **context) -> None:
    """Deleting a label loses no knowledge: it is taken off its concepts (each gets a history
    entry and a new version)."""
    delete_instance(tag, **context)


def concept_create(
    *,
    slug: str,
    name: str,
    summary: str,
    definition: str,
    category: Category,
    source: str,
    aliases: Sequence[str] = (),
    tags: Iterable[Tag] = (),
    advantages: Sequence[str] = (),
    limitations: Sequence[str] = (),
    use_cases: Sequence[str] = (),
    traits: Sequence[dict] = (),
    actor=None,
    change_message: str = "",
) -> Concept:
    data = {
        "slug": slug,
        "name": name,
        "summary": summary,
        "definition": definition,
        "category": category,
        "source": source,
        "aliases": list(aliases),
        "advantages": list(advantages),
        "limitations": list(limitations),
        "use_cases": list(use_cases),
        "traits": list(traits),
    }
    return create_instance(
        Concept, data=data, m2m={"tags": tags}, actor=actor, change_message=change_message
    )


def concept_update(
    *,
    concept: Concept,
    data: dict,
    expected_version: int | None = None,
    actor=None,
    change_message: str = "",
) -> Concept:
    plain, m2m = _split(data, CONCEPT_FIELDS, ("tags",))
    return update_instance(
        concept,
        data=plain,
        m2m=m2m,
        expected_version=expected_version,
        actor=actor,
        change_message=change_message,
    )


def concept_delete(
    *, concept: Concept, expected_version: int | None = None, actor=None, change_message=""
) -> None:
    delete_instance(
        concept,
        dependents=lambda: concept_dependents(concept=concept),
        expected_version=expected_version,
        actor=actor,
        change_message=change_message,
    )


def example_create(
    *,
    slug: str,
    name: str,
    kind: str,
    description: str,
    concepts: Iterable[Concept],
    code: str = "",
    language: str = "",
    actor=None,
    change_message: str = "",
) -> Example:
    concepts = list(concepts)
    _require_concepts(concepts)
    data = {
        "slug": slug,
        "name": name,
        "kind": kind,
        "description": description,
        "code": code,
        "language": language,
    }
    return create_instance(
        Example, data=data, m2m={"concepts": concepts}, actor=actor, change_message=change_message
    )


def example_update(
    *,
    example: Example,
    data: dict,
    expected_version: int | None = None,
    actor=None,
    change_message: str = "",
) -> Example:
    plain, m2m = _split(data, EXAMPLE_FIELDS, ("concepts",))
    if "concepts" in m2m:
        m2m["concepts"] = list(m2m["concepts"])
        _require_concepts(m2m["concepts"])
    return update_instance(
        example,
        data=plain,
        m2m=m2m,
        expected_version=expected_version,
        actor=actor,
        change_message=change_message,
    )


def example_delete(
    *, example: Example, expected_version: int | None = None, actor=None, change_message=""
) -> None:
    delete_instance(
        example, expected_version=expected_version, actor=actor, change_message=change_message
    )


def _require_concepts(concepts: list[Concept]) -> None:
    """The rule that an example needs a concept; under concurrency, the services lock the
    concepts it names and a concept's delete locks the concept before it counts examples."""
    from django.core.exceptions import ValidationError

    if not concepts:
        raise ValidationError({"concepts": "An example illustrates at least one concept."})


CATEGORY = ModelServices("category", category_create, category_update, category_delete)
TAG = ModelServices("tag", tag_create, tag_update, tag_delete)
CONCEPT = ModelServices("concept", concept_create, concept_update, concept_delete)
EXAMPLE = ModelServices("example", example_create, example_update, example_delete)
