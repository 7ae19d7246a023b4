"""The knowledge base as content files: load them through the services, export them back.

A content folder holds YAML files; each is a mapping whose keys are any of
``categories``, ``tags``, ``concepts``, ``examples``, ``relations`` and
``comparisons``, each a list of entries. Files are merged in name order.
Loading upserts by slug (relations by source, type and target) and leaves an
entry alone when it already matches, so a second run changes nothing.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction

from concepts.models import Category, Concept, Example, Tag
from concepts.services import (
    category_create,
    category_update,
    concept_create,
    concept_update,
    example_create,
    example_update,
    tag_create,
    tag_update,
)
from kbapi.services import ServiceError
from kbapi.text import normalise_value
from relations.models import Comparison, Relation
from relations.services import (
    comparison_aspects,
    comparison_concepts,
    comparison_create,
    comparison_update,
    relation_create,
    relation_update,
)

CONTENT_DIR = Path(__file__).resolve().parent / "content"
KINDS = ("categories", "tags", "concepts", "examples", "relations", "comparisons")


class ContentError(Exception):
    """A content file or entry that cannot be loaded; names the file and the entry."""


@dataclass
class Entry:
    kind: str
    data: dict
    file: str

    @property
    def label(self) -> str:
        ident = self.data.get("slug") or "--".join(
            str(self.data.get(k, "?")) for k in ("source", "type", "target")
        )
        return (
            f"{self.file}: {self.kind[:-1] if self.kind != 'categories' else 'category'} {ident!r}"
        )


@dataclass
class LoadReport:
    created: dict = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    updated: dict = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values())

    def __str__(self) -> str:
        if not self.changed:
            return f"The knowledge base is up to date ({self.unchanged} entries unchanged)."
        parts = [
            f"{kind}: {self.created[kind]} created, {self.updated[kind]} updated"
            for kind in KINDS
            if self.created[kind] or self.updated[kind]
        ]
        return "Loaded " + "; ".join(parts) + f"; {self.unchanged} unchanged."


# --- the content format of each object (shared by loading and exporting) ---


def category_entry(category: Category) -> dict:
    return {"slug": category.slug, "name": category.name, "description": category.description}


def tag_entry(tag: Tag) -> dict:
    return {"slug": tag.slug, "name": tag.name}


def concept_entry(concept: Concept) -> dict:
    return {
        "slug": concept.slug,
        "name": concept.name,
        "aliases": list(concept.aliases),
        "summary": concept.summary,
        "definition": concept.definition,
        "category": concept.category.slug,
        "tags": sorted(tag.slug for tag in concept.tags.all()),
        "advantages": list(concept.advantages),
        "limitations": list(concept.limitations),
        "use_cases": list(concept.use_cases),
        "source": concept.source,
        "traits": list(concept.traits),
    }


def example_entry(example: Example) -> dict:
    return {
        "slug": example.slug,
        "name": example.name,
        "kind": example.kind,
        "description": example.description,
        "concepts": sorted(concept.slug for concept in example.concepts.all()),
        "language": example.language,
        "code": example.code,
    }


def relation_entry(relation: Relation) -> dict:
    return {
        "source": relation.source.slug,
        "type": relation.type,
        "target": relation.target.slug,
        "note": relation.note,
    }


def comparison_entry(comparison: Comparison) -> dict:
    return {
        "slug": comparison.slug,
        "title": comparison.title,
        "summary": comparison.summary,
        "verdict": comparison.verdict,
        "concepts": [concept.slug for concept in comparison_concepts(comparison)],
        "aspects": comparison_aspects(comparison),
    }


DEFAULTS = {
    "categories": {"description": ""},
    "tags": {},
    "concepts": {
        "aliases": [],
        "tags": [],
        "advantages": [],
        "limitations": [],
        "use_cases": [],
        "traits": [],
    },
    "examples": {"language": "", "code": ""},
    "relations": {"note": ""},
    "comparisons": {},
}


FIELDS = {
    "categories": {"slug", "name", "description"},
    "tags": {"slug", "name"},
    "concepts": {
        "slug",
        "name",
        "summary",
        "definition",
        "category",
        "source",
        *DEFAULTS["concepts"],
    },
    "examples": {"slug", "name", "kind", "description", "concepts", "language", "code"},
    "relations": {"source", "type", "target", "note"},
    "comparisons": {"slug", "title", "summary", "verdict", "concepts", "aspects"},
}


def normalise(kind: str, data: dict) -> dict:
    """An entry as the services would store it (text policy of ``kbapi.text``, sorted links)."""
    entry = {key: normalise_value(value) for key, value in {**DEFAULTS[kind], **data}.items()}
    for aspect in entry.get("aspects") or () if kind == "comparisons" else ():
        if isinstance(aspect, dict) and isinstance(aspect.get("values"), dict):
            aspect["name"] = normalise_value(aspect.get("name"))
            aspect["values"] = {k: normalise_value(v) for k, v in aspect["values"].items()}
    for key in ("tags", "concepts") if kind != "comparisons" else ():
        if isinstance(entry.get(key), list):
            entry[key] = sorted(entry[key])
    return entry


# --- reading files ---


def read_entries(folder: Path) -> list[Entry]:
    files = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
    if not files:
        raise ContentError(f"{folder}: no .yaml content files found.")
    entries = []
    for path in files:
        entries.extend(_read_file(path))
    return entries


def _read_file(path: Path) -> list[Entry]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ContentError(f"{path.name}: not valid YAML: {exc}") from exc
    if not isinstance(document, dict) or set(document) - set(KINDS):
        raise ContentError(
            f"{path.name}: top level must be a mapping with keys among {', '.join(KINDS)}."
        )
    entries = []
    for kind, items in document.items():
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise ContentError(f"{path.name}: {kind} must be a list of mappings.")
        entries.extend(Entry(kind, normalise(kind, item), path.name) for item in items)
    return entries


# --- loading ---


def load_folder(folder: Path = CONTENT_DIR, *, actor=None) -> LoadReport:
    """Load every content file in ``folder``; all or nothing."""
    entries = read_entries(folder)
    report = LoadReport()
    with transaction.atomic():
        for kind in KINDS:
            loader = _Loader(report, actor)
            for entry in entries:
                if entry.kind == kind:
                    loader.load(entry)
    return report


class _Loader:
    def __init__(self, report: LoadReport, actor):
        self.report = report
        self.actor = actor

    def load(self, entry: Entry) -> None:
        try:
            self._upsert(entry)
        except (ValidationError, ServiceError, KeyError, TypeError, ValueError) as exc:
            raise ContentError(f"{entry.label}: {_describe(exc)}") from exc

    def _upsert(self, entry: Entry) -> None:
        unknown = set(entry.data) - FIELDS[entry.kind]
        if unknown:
            raise ValueError(f"unknown field(s) {', '.join(map(str, sorted(unknown)))}")
        find, describe, create, update = HANDLERS[entry.kind]
        stored = find(entry.data)
        if stored is None:
            create(_resolve(entry.kind, entry.data), actor=self.actor)
            self.report.created[entry.kind] += 1
        elif normalise(entry.kind, describe(stored)) != entry.data:
            update(stored, _resolve(entry.kind, entry.data), actor=self.actor)
            self.report.updated[entry.kind] += 1
        else:
            self.report.unchanged += 1


def _describe(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        return " ".join(exc.messages)
    if isinstance(exc, KeyError):
        return f"missing or unknown reference {exc}"
    return str(getattr(exc, "message", exc))


def _one(model, **lookup):
    return model.objects.filter(**lookup).first()


def _concepts(slugs: Iterable[str]) -> list[Concept]:
    found = {c.slug: c for c in Concept.objects.filter(slug__in=list(slugs))}
    missing = [slug for slug in slugs if slug not in found]
    if missing:
        raise ValidationError({"concepts": f"unknown concept(s): {', '.join(missing)}"})
    return [found[slug] for slug in slugs]


def _lookup(model, field_name: str, slug: str):
    obj = _one(model, slug=slug)
    if obj is None:
        raise ValidationError({field_name: f"unknown {model._meta.verbose_name} {slug!r}"})
    return obj


def _resolve(kind: str, data: dict) -> dict:
    """Turn slugs in an entry into the objects the services take."""
    data = dict(data)
    if kind == "concepts":
        data["category"] = _lookup(Category, "category", data["category"])
        tags = {t.slug: t for t in Tag.objects.filter(slug__in=data["tags"])}
        missing = [slug for slug in data["tags"] if slug not in tags]
        if missing:
            raise ValidationError({"tags": f"unknown tag(s): {', '.join(missing)}"})
        data["tags"] = list(tags.values())
    elif kind == "examples" or kind == "comparisons":
        data["concepts"] = _concepts(data["concepts"])
    elif kind == "relations":
        data["source"] = _lookup(Concept, "source", data["source"])
        data["target"] = _lookup(Concept, "target", data["target"])
    return data


def _find_relation(data: dict):
    return (
        Relation.objects.select_related("source", "target")
        .filter(source__slug=data["source"], type=data["type"], target__slug=data["target"])
        .first()
    )


def _handler(model, describe: Callable, create: Callable, update: Callable, find=None) -> tuple:
    """(find, describe, create, update) for one kind of entry: found by slug unless ``find``
    says otherwise, written through the app's services (``update`` names the stored object
    as the model does: ``category=``, ``relation=``, ...)."""
    name = model._meta.model_name
    return (
        find or (lambda data: _one(model, slug=data["slug"])),
        describe,
        lambda data, actor: create(**data, actor=actor),
        lambda stored, data, *, actor: update(**{name: stored}, data=data, actor=actor),
    )


HANDLERS = {
    "categories": _handler(Category, category_entry, category_create, category_update),
    "tags": _handler(Tag, tag_entry, tag_create, tag_update),
    "concepts": _handler(Concept, concept_entry, concept_create, concept_update),
    "examples": _handler(Example, example_entry, example_create, example_update),
    "relations": _handler(
        Relation, relation_entry, relation_create, relation_update, find=_find_relation
    ),
    "comparisons": _handler(Comparison, comparison_entry, comparison_create, comparison_update),
}


# --- exporting ---

EXPORTERS = {
    "categories": (Category.objects.order_by("slug"), category_entry),
    "tags": (Tag.objects.order_by("slug"), tag_entry),
    "concepts": (
        Concept.objects.select_related("category").prefetch_related("tags").order_by("slug"),
        concept_entry,
    ),
    "examples": (Example.objects.prefetch_related("concepts").order_by("slug"), example_entry),
    "relations": (
        Relation.objects.select_related("source", "target").order_by(
            "source__slug", "type", "target__slug"
        ),
        relation_entry,
    ),
    "comparisons": (Comparison.objects.order_by("slug"), comparison_entry),
}


def export_document() -> dict:
    """The whole knowledge base in the content format, in a stable order."""
    return {kind: [describe(obj) for obj in qs.all()] for kind, (qs, describe) in EXPORTERS.items()}


class _BlockStyleDumper(yaml.SafeDumper):
    pass


def _str_presenter(dumper, value):
    style = "|" if "\n" in value and not value.endswith(" ") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockStyleDumper.add_representer(str, _str_presenter)


def dump_document(document: dict) -> str:
    return yaml.dump(
        document, Dumper=_BlockStyleDumper, sort_keys=False, allow_unicode=True, width=100
    )
