"""Writes of categories, tags, concepts and examples (API, admin and loader alike)."""

from collections.abc import Sequence

from django.db import transaction

from kbapi.core.services import ModelServices, create_instance, delete_instance, update_instance

from .models import Category, Concept, Example, Tag
from .selectors import concept_dependents
from .shape import CONCEPT, EXAMPLE, LISTS, Shape

CONCEPT_FIELDS = CONCEPT.columns  # what an update may write besides the links (tags)
EXAMPLE_FIELDS = EXAMPLE.columns  # besides the links (concepts)


def _split(data: dict, fields: Sequence[str], m2m_fields: Sequence[str]):
    unknown = set(data) - set(fields) - set(m2m_fields)
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")
    plain = {k: v for k, v in data.items() if k in fields}
    m2m = {k: v for k, v in data.items() if k in m2m_fields}
    return plain, m2m


def _create_data(service, shape: Shape, fields: dict) -> tuple[dict, dict]:
    """What ``service`` (a create taking the fields of ``shape`` by keyword) stores: every
    field, as given or its default (lists copied), and the links; a TypeError, worded as
    Python words it, for a name it does not take or a required one missing."""
    for name in fields:
        if name not in shape.kinds:
            raise TypeError(f"{service.__name__}() got an unexpected keyword argument {name!r}")
    missing = [repr(name) for name in shape.required if name not in fields]
    if missing:
        *rest, last = missing
        names = f"{', '.join(rest)}{',' if len(rest) > 1 else ''} and {last}" if rest else last
        noun = "argument" if len(missing) == 1 else "arguments"
        raise TypeError(
            f"{service.__name__}() missing {len(missing)} required keyword-only {noun}: {names}"
        )
    given = {name: fields.get(name, shape.defaults.get(name)) for name in shape.fields}
    data = {
        name: list(given[name]) if shape.kinds[name] in LISTS else given[name]
        for name in shape.columns
    }
    return data, {name: list(given[name]) for name in shape.links}


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


def concept_create(*, actor=None, change_message: str = "", **fields) -> Concept:
    """A new concept from its fields by keyword (``CONCEPT.fields``; the category and tags as
    objects): those in ``CONCEPT.required`` must be given, the others default as the model
    says (lists to empty)."""
    data, m2m = _create_data(concept_create, CONCEPT, fields)
    return create_instance(Concept, data=data, m2m=m2m, actor=actor, change_message=change_message)


def concept_update(*, concept: Concept, data: dict, **context) -> Concept:
    plain, m2m = _split(data, CONCEPT_FIELDS, CONCEPT.links)
    return update_instance(concept, data=plain, m2m=m2m, **context)


def concept_delete(*, concept: Concept, **context) -> None:
    delete_instance(concept, dependents=lambda: concept_dependents(concept=concept), **context)


def example_create(*, actor=None, change_message: str = "", **fields) -> Example:
    """A new example from its fields by keyword (``EXAMPLE.fields``; its concepts, at least
    one, and the examples it requires, as objects): those in ``EXAMPLE.required`` must be
    given, the others default to empty. Nothing requires a new example yet, so what it
    requires cannot make a cycle."""
    data, m2m = _create_data(example_create, EXAMPLE, fields)
    _require_concepts(m2m["concepts"])
    return create_instance(Example, data=data, m2m=m2m, actor=actor, change_message=change_message)


@transaction.atomic
def example_update(*, example: Example, data: dict, **context) -> Example:
    plain, m2m = _split(data, EXAMPLE_FIELDS, EXAMPLE.links)
    if "concepts" in m2m:
        m2m["concepts"] = list(m2m["concepts"])
        _require_concepts(m2m["concepts"])
    if "requires" in m2m:
        m2m["requires"] = list(m2m["requires"])
        _require_no_cycle(example, m2m["requires"])
    return update_instance(example, data=plain, m2m=m2m, **context)


def example_delete(*, example: Example, **context) -> None:
    """An example that others require is kept until they stop requiring it (a 409 naming
    them): they would no longer run."""

    def dependents():
        return {"examples": sorted(example.required_by.values_list("slug", flat=True))}

    delete_instance(example, dependents=dependents, **context)


def _require_no_cycle(example: Example, requires: list[Example]) -> None:
    """The rule that ``requires`` never loops: ``example`` may not be reached again from the
    examples it is to require. Checked under locks: the example and every example reachable
    from ``requires`` are locked (in id order, so two writers cannot deadlock on one pair)
    before the walk that decides, so no concurrent write can close a loop meanwhile."""
    from django.core.exceptions import ValidationError

    if any(required.pk == example.pk for required in requires):
        raise ValidationError({"requires": "An example cannot require itself."})
    links = Example.requires.through.objects
    locked: set[int] = set()
    while True:
        parent = {required.pk: None for required in requires}  # id -> the id it was reached from
        frontier = list(parent)
        while frontier:
            pairs = links.filter(from_example_id__in=frontier).values_list(
                "from_example_id", "to_example_id"
            )
            frontier = []
            for source, target in pairs:
                if target not in parent:
                    parent[target] = source
                    frontier.append(target)
        wanted = ({example.pk} | set(parent)) - locked
        if not wanted:
            break
        rows = Example.objects.select_for_update(no_key=True).filter(pk__in=wanted).order_by("pk")
        locked |= set(rows.values_list("pk", flat=True))
        locked |= wanted  # rows deleted meanwhile: lock_references reports them
    if example.pk in parent:
        path, at = [], example.pk
        while at is not None:
            path.append(at)
            at = parent[at]
        slugs = dict(Example.objects.filter(pk__in=path).values_list("pk", "slug"))
        chain = " → ".join([example.slug, *(slugs[pk] for pk in reversed(path))])
        raise ValidationError({"requires": f"Requiring these would make a cycle: {chain}."})


def _require_concepts(concepts: list[Concept]) -> None:
    """The rule that an example needs a concept; under concurrency, the services lock the
    concepts it names and a concept's delete locks the concept before it counts examples."""
    from django.core.exceptions import ValidationError

    if not concepts:
        raise ValidationError({"concepts": "An example illustrates at least one concept."})


CATEGORY_WRITES = ModelServices("category", category_create, category_update, category_delete)
TAG_WRITES = ModelServices("tag", tag_create, tag_update, tag_delete)
CONCEPT_WRITES = ModelServices("concept", concept_create, concept_update, concept_delete)
EXAMPLE_WRITES = ModelServices("example", example_create, example_update, example_delete)
