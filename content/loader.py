"""The knowledge base as content files, and how they and the database stay one truth.

A content folder holds YAML files; each is a mapping whose keys are any of
``categories``, ``tags``, ``concepts``, ``examples``, ``relations`` and
``comparisons``, each a list of entries. An entry is identified by its slug
(a relation by ``source--type--target``) and lives in one file.

**Who holds what.** The files seed a fresh database and carry reviewed
changes; the database holds the editors' work (API, admin). ``loadkb``
(``load_folder``) applies only what changed in the files since the last load:
it keeps, per entry, what it last loaded (``LoadedEntry``, the base of a
three-way merge) and compares the file's entry (F), the database's (D) and
that base (B), all normalised:

- F changed, D did not: F is applied (through the services, with the file's
  name as the change message); a new entry is created, an entry gone from the
  files is deleted (a refusal, e.g. dependents, is reported).
- F did not change: the database is left alone, its edits (and deletions) stay.
- Both changed, differently (or D exists and was never loaded): a **conflict**,
  reported with file, kind, entry and the fields each side changed; the
  database's version is kept unless the caller prefers the files.

``exportkb --files`` (``export_folder``) is the way back: it writes what
changed in the database into the files, touching only those entries, for
review and commit; the next load then finds files and database equal.
"""

import hashlib
import json
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction

from concepts.models import Category, Concept, Example, Tag
from concepts.services import (
    category_create,
    category_delete,
    category_update,
    concept_create,
    concept_delete,
    concept_update,
    example_create,
    example_delete,
    example_update,
    tag_create,
    tag_delete,
    tag_update,
)
from concepts.shape import CONCEPT, EXAMPLE, LISTS, REF, REFS, Shape
from content import export as content_files
from content.models import LoadedEntry
from kbapi.core.services import ServiceError
from kbapi.core.text import normalise_value
from relations.models import Comparison, Relation
from relations.services import (
    comparison_aspects,
    comparison_concepts,
    comparison_create,
    comparison_delete,
    comparison_update,
    relation_create,
    relation_delete,
    relation_update,
)

CONTENT_DIR = Path(__file__).resolve().parent / "data"
KINDS = ("categories", "tags", "concepts", "examples", "relations", "comparisons")
SINGULAR = {
    "categories": "category",
    "tags": "tag",
    "concepts": "concept",
    "examples": "example",
    "relations": "relation",
    "comparisons": "comparison",
}
ADDED_FILE = "99-added.yaml"  # where exportkb puts entries created in the database


class ContentError(Exception):
    """A content file or entry that cannot be loaded; names the file and the entry."""


class ContentConflicts(ContentError):
    """``strict``: the files and the database conflict, so nothing was loaded."""


def entry_key(kind: str, data: dict) -> str:
    """An entry's identity: its slug; a relation's ``source--type--target``."""
    if kind == "relations":
        return "--".join(str(data[name]) for name in ("source", "type", "target"))
    return str(data["slug"])


def digest(data: dict) -> str:
    """A fingerprint of a normalised entry (what ``LoadedEntry.digest`` holds)."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _label(file: str, kind: str, key: str) -> str:
    return f"{file}: {SINGULAR[kind]} {key!r}"


@dataclass
class Entry:
    """One entry of a content file, normalised."""

    kind: str
    data: dict
    file: str

    @property
    def key(self) -> str:
        return entry_key(self.kind, self.data)

    @property
    def where(self) -> tuple[str, str]:
        return (self.kind, self.key)

    @property
    def label(self) -> str:
        return _label(self.file, self.kind, self.key)


@dataclass
class LoadReport:
    created: dict = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    updated: dict = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    deleted: dict = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    unchanged: int = 0
    kept: int = 0  # of the unchanged: edited or deleted in the database since the last load
    recorded: int = 0  # baselines recorded where the files and the database already agreed
    conflicts: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return (
            any(self.created.values()) or any(self.updated.values()) or any(self.deleted.values())
        )

    def __str__(self) -> str:
        lead = "Dry run, nothing written. " if self.dry_run else ""
        kept = f"; {self.kept} edited in the database, kept" if self.kept else ""
        tail = f" {len(self.conflicts)} conflict(s), listed on stderr." if self.conflicts else ""
        if not self.changed:
            return (
                f"{lead}The knowledge base is up to date "
                f"({self.unchanged} entries unchanged{kept}).{tail}"
            )
        parts = []
        for kind in KINDS:
            if self.created[kind] or self.updated[kind] or self.deleted[kind]:
                part = f"{kind}: {self.created[kind]} created, {self.updated[kind]} updated"
                part += f", {self.deleted[kind]} deleted" if self.deleted[kind] else ""
                parts.append(part)
        verb = "Would load" if self.dry_run else "Loaded"
        return f"{lead}{verb} " + "; ".join(parts) + f"; {self.unchanged} unchanged{kept}.{tail}"


# --- the content format of each object (shared by loading and exporting) ---


def category_entry(category: Category) -> dict:
    return {"slug": category.slug, "name": category.name, "description": category.description}


def tag_entry(tag: Tag) -> dict:
    return {"slug": tag.slug, "name": tag.name}


def _shaped_entry(shape: Shape, obj) -> dict:
    """An object of a shaped model (a concept, an example) in the content format: its fields
    in the files' order, references as slugs (links sorted)."""
    entry = {}
    for name in shape.file:
        kind, value = shape.kinds[name], getattr(obj, name)
        if kind == REF:
            value = value.slug
        elif kind == REFS:
            value = sorted(linked.slug for linked in value.all())
        elif kind in LISTS:
            value = list(value)
        entry[name] = value
    return entry


def concept_entry(concept: Concept) -> dict:
    return _shaped_entry(CONCEPT, concept)


def example_entry(example: Example) -> dict:
    return _shaped_entry(EXAMPLE, example)


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
    "concepts": CONCEPT.defaults,
    "examples": EXAMPLE.defaults,
    "relations": {"note": ""},
    "comparisons": {},
}


ORDER = {
    "categories": ("slug", "name", "description"),
    "tags": ("slug", "name"),
    "concepts": CONCEPT.file,
    "examples": EXAMPLE.file,
    "relations": ("source", "type", "target", "note"),
    "comparisons": ("slug", "title", "summary", "verdict", "concepts", "aspects"),
}


# The fields an entry of each kind may have: those of its order above.
FIELDS = {kind: frozenset(names) for kind, names in ORDER.items()}


def normalise(kind: str, data: dict) -> dict:
    """An entry as the services would store it (text policy of ``kbapi.core.text``, sorted links),
    so a file's entry and the database's compare equal when they say the same."""
    entry = {key: normalise_value(value) for key, value in {**DEFAULTS[kind], **data}.items()}
    if kind == "comparisons" and isinstance(entry.get("aspects"), list):
        entry["aspects"] = [
            {
                **aspect,
                "name": normalise_value(aspect.get("name")),
                "values": {k: normalise_value(v) for k, v in aspect["values"].items()},
            }
            if isinstance(aspect, dict) and isinstance(aspect.get("values"), dict)
            else aspect
            for aspect in entry["aspects"]
        ]
    for key in ("tags", "concepts", "requires") if kind != "comparisons" else ():
        if isinstance(entry.get(key), list):
            entry[key] = sorted(entry[key])
    return entry


def compact(kind: str, data: dict) -> dict:
    """An entry as a file shows it: fields in the usual order, default values left out."""
    defaults = DEFAULTS[kind]
    return {
        name: data[name]
        for name in ORDER[kind]
        if name in data and not (name in defaults and data[name] == defaults[name])
    }


# --- reading files ---


def read_entries(folder: Path, *, allow_empty: bool = False) -> list[Entry]:
    """Every entry of the folder's files, checked: known fields, an identity, defined once."""
    files = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
    if not files and not allow_empty:
        raise ContentError(f"{folder}: no .yaml content files found.")
    entries, seen = [], {}
    for path in files:
        for entry in _read_file(path):
            if entry.where in seen:
                raise ContentError(f"{entry.label}: defined twice (also in {seen[entry.where]}).")
            seen[entry.where] = entry.file
            entries.append(entry)
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
        for number, item in enumerate(items, start=1):
            try:
                key = entry_key(kind, item)
            except KeyError as exc:
                raise ContentError(
                    f"{path.name}: {SINGULAR[kind]} #{number} has no {exc.args[0]}."
                ) from exc
            unknown = set(item) - FIELDS[kind]
            if unknown:
                raise ContentError(
                    f"{_label(path.name, kind, key)}: unknown field(s) "
                    f"{', '.join(map(str, sorted(unknown)))}"
                )
            entries.append(Entry(kind, normalise(kind, item), path.name))
    return entries


def database_entries() -> dict[tuple[str, str], dict]:
    """The database's state of every entry, normalised, by (kind, key)."""
    return {
        (kind, entry_key(kind, data)): normalise(kind, data)
        for kind, (queryset, describe) in EXPORTERS.items()
        for data in map(describe, queryset.all())
    }


def _changed_fields(new: dict, old: dict | None) -> list[str]:
    if old is None:
        return []
    return [name for name in new if new.get(name) != old.get(name)]


def _fields_text(names: list[str]) -> str:
    return f" ({', '.join(names)})" if names else ""


# --- loading ---


def load_folder(
    folder: Path = CONTENT_DIR,
    *,
    actor=None,
    prefer_files: bool | Collection[str] = False,
    dry_run: bool = False,
    strict: bool = False,
) -> LoadReport:
    """Apply what changed in the files of ``folder`` since the last load; all or nothing.

    ``prefer_files``: True, or entries (``key`` or ``kind:key``) for which a conflict is
    settled in the files' favour. ``dry_run``: report what would happen, write nothing.
    ``strict``: conflicts raise ``ContentConflicts`` and nothing is loaded.
    """
    entries = read_entries(folder)
    report = LoadReport(dry_run=dry_run)
    with transaction.atomic():
        _Sync(entries, report, actor=actor, prefer=prefer_files, dry_run=dry_run).run()
        if strict and report.conflicts:
            raise ContentConflicts(
                f"{len(report.conflicts)} conflict(s) between the files and the database:\n"
                + "\n".join(report.conflicts)
            )
    return report


def _prefers(prefer: bool | Collection[str], kind: str, key: str) -> bool:
    if prefer is True or prefer is False:
        return prefer
    for spec in prefer:
        name, _, value = spec.rpartition(":") if ":" in spec else ("", "", spec)
        if value == key and name in ("", kind, SINGULAR[kind]):
            return True
    return False


class _Sync:
    """One load: each file entry against its baseline and the database, then the entries
    gone from the files (dependents first)."""

    def __init__(self, entries: list[Entry], report: LoadReport, *, actor, prefer, dry_run):
        self.files = {entry.where: entry for entry in entries}
        self.report = report
        self.actor = actor
        self.prefer = prefer
        self.dry_run = dry_run
        self.base = {(b.kind, b.key): b for b in LoadedEntry.objects.all()}
        self.stored = database_entries()
        self.present = set(self.stored)

    def run(self) -> None:
        for kind in KINDS:
            entries = [entry for entry in self.files.values() if entry.kind == kind]
            if kind == "examples":  # an example after those it requires
                entries = required_first(entries, lambda e: e.key, lambda e: e.data["requires"])
            for entry in entries:
                self.entry(entry)
        for kind in reversed(KINDS):
            gone = [
                b for where, b in self.base.items() if where[0] == kind and where not in self.files
            ]
            if kind == "examples":  # an example before those it requires
                gone = required_first(gone, lambda b: b.key, lambda b: b.data.get("requires", []))
                gone.reverse()
            for base in gone:
                self.gone(base)

    def entry(self, entry: Entry) -> None:
        f, base, d = entry.data, self.base.get(entry.where), self.stored.get(entry.where)
        old = base.data if base is not None else None
        if base is None:
            if d is None:
                self.write(entry, None)
            elif d == f:
                self.record(entry, counted=True)
            else:
                fields = _fields_text(_changed_fields(f, d))
                self.conflict(
                    entry,
                    d,
                    f"in the database but never loaded from the files, and different{fields}",
                )
        elif digest(f) == base.digest:  # the file did not change: the database's state stands
            self.report.unchanged += 1
            if d is None or digest(d) != base.digest:
                self.report.kept += 1
            if base.file != entry.file:
                self.record(entry)
        elif d is None:
            fields = _fields_text(_changed_fields(f, old))
            self.conflict(entry, d, f"deleted in the database, changed in the file{fields}")
        elif digest(d) == base.digest:
            self.write(entry, d)
        elif d == f:
            self.record(entry, counted=True)
        else:
            mine = _fields_text(_changed_fields(f, old))
            theirs = _fields_text(_changed_fields(d, old))
            self.conflict(entry, d, f"changed in the file{mine} and in the database{theirs}")

    def conflict(self, entry: Entry, d: dict | None, message: str) -> None:
        if _prefers(self.prefer, entry.kind, entry.key):
            self.write(entry, d, forced=True)
        else:
            self.report.conflicts.append(f"{entry.label}: {message}; the database's is kept")

    def write(self, entry: Entry, d: dict | None, *, forced: bool = False) -> None:
        """Create or update the entry through the services, as the file says."""
        if not self.loadable(entry, d):
            return
        handler = HANDLERS[entry.kind]
        option = " --prefer-files" if forced else ""
        context = {"actor": self.actor, "change_message": f"loadkb{option}: {entry.file}"}
        if not self.dry_run:
            try:
                if d is None:
                    handler.create(**_resolve(entry.kind, entry.data), **context)
                else:
                    changed = {k: v for k, v in entry.data.items() if d.get(k) != v}
                    stored = handler.find(entry.data)
                    handler.update(
                        **{handler.name: stored}, data=_resolve(entry.kind, changed), **context
                    )
            except (ValidationError, ServiceError, KeyError, TypeError, ValueError) as exc:
                raise ContentError(f"{entry.label}: {_describe(exc)}") from exc
        (self.report.created if d is None else self.report.updated)[entry.kind] += 1
        self.present.add(entry.where)
        self.record(entry)

    def loadable(self, entry: Entry, d: dict | None) -> bool:
        """False (a conflict reported) when the entry needs what the database lacks or holds
        otherwise; a ContentError when the files themselves are wrong."""
        missing = [ref for ref in _references(entry.kind, entry.data) if ref not in self.present]
        unknown = [ref for ref in missing if ref not in self.files]
        if unknown:
            names = ", ".join(f"{SINGULAR[kind]} {key!r}" for kind, key in unknown)
            raise ContentError(f"{entry.label}: unknown {names}")
        if missing:
            names = ", ".join(f"{SINGULAR[kind]} {key!r}" for kind, key in missing)
            self.report.conflicts.append(
                f"{entry.label}: refers to {names}, which the files have and the database "
                "does not (deleted there, or held back by a conflict); not loaded"
            )
            return False
        unique = UNIQUE_NAME.get(entry.kind)
        value = entry.data.get(unique)
        if unique is None or (d is not None and d.get(unique) == value):
            return True
        model = HANDLERS[entry.kind].model
        other = (
            model.objects.filter(**{unique: value})
            .exclude(slug=entry.key)
            .values_list("slug", flat=True)
            .first()
        )
        if other is None:
            return True
        twin = self.files.get((entry.kind, other))
        if twin is not None and twin.data.get(unique) == value:
            raise ContentError(
                f"{entry.label}: its {unique} {value!r} is also that of {twin.label}"
            )
        self.report.conflicts.append(
            f"{entry.label}: its {unique} {value!r} is taken in the database by "
            f"{SINGULAR[entry.kind]} {other!r}; not loaded"
        )
        return False

    def gone(self, base: LoadedEntry) -> None:
        """An entry loaded before and now in no file."""
        d = self.stored.get((base.kind, base.key))
        label = _label(base.file, base.kind, base.key)
        if d is None:
            self.forget(base)
        elif digest(d) == base.digest or _prefers(self.prefer, base.kind, base.key):
            self.delete(base, label)
        else:
            fields = _fields_text(_changed_fields(d, base.data))
            self.report.conflicts.append(
                f"{label}: removed from the file, edited in the database{fields}; "
                "the database's is kept"
            )

    def delete(self, base: LoadedEntry, label: str) -> None:
        handler = HANDLERS[base.kind]
        if not self.dry_run:
            stored = handler.find(base.data)
            try:
                with transaction.atomic():
                    handler.delete(
                        **{handler.name: stored},
                        actor=self.actor,
                        change_message=f"loadkb: removed from {base.file}",
                    )
            except ServiceError as exc:
                needed = exc.details.get("dependents")
                why = f" ({_dependents_text(needed)})" if needed else ""
                self.report.conflicts.append(
                    f"{label}: removed from the file, but not deleted: {exc.message}{why}"
                )
                return
        self.report.deleted[base.kind] += 1
        self.present.discard((base.kind, base.key))
        self.forget(base)

    def record(self, entry: Entry, *, counted: bool = False) -> None:
        """Remember the file's entry as what was loaded (it is what the database holds)."""
        if counted:
            self.report.recorded += 1
            self.report.unchanged += 1
        if self.dry_run:
            return
        wanted = {"file": entry.file, "digest": digest(entry.data), "data": entry.data}
        base = self.base.get(entry.where)
        if base is None:
            self.base[entry.where] = LoadedEntry.objects.create(
                kind=entry.kind, key=entry.key, **wanted
            )
        elif any(getattr(base, name) != value for name, value in wanted.items()):
            for name, value in wanted.items():
                setattr(base, name, value)
            base.save()

    def forget(self, base: LoadedEntry) -> None:
        if not self.dry_run:
            base.delete()


def required_first(items: list, key_of: Callable, requires_of: Callable) -> list:
    """``items`` (examples) in their order, except that each comes after those it requires
    among them (depth first); a ContentError names a cycle."""
    by_key = {key_of(item): item for item in items}
    done: set = set()
    ordered: list = []

    def visit(key, path: tuple) -> None:
        if key in done or key not in by_key:
            return
        if key in path:
            chain = " → ".join([*path[path.index(key) :], key])
            raise ContentError(f"examples: requires makes a cycle: {chain}")
        for required in requires_of(by_key[key]):
            visit(required, (*path, key))
        done.add(key)
        ordered.append(by_key[key])

    for item in items:
        visit(key_of(item), ())
    return ordered


def _dependents_text(needed) -> str:
    if isinstance(needed, dict):
        return "; ".join(f"{kind}: {', '.join(map(str, names))}" for kind, names in needed.items())
    return str(needed)


def _references(kind: str, data: dict) -> list[tuple[str, str]]:
    """The (kind, key) of every entry ``data`` refers to."""
    if kind == "concepts":
        return [("categories", data["category"]), *(("tags", slug) for slug in data["tags"])]
    if kind == "examples":
        return [
            *(("concepts", slug) for slug in data["concepts"]),
            *(("examples", slug) for slug in data["requires"]),
        ]
    if kind == "comparisons":
        return [("concepts", slug) for slug in data["concepts"]]
    if kind == "relations":
        return [("concepts", data["source"]), ("concepts", data["target"])]
    return []


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
    """Turn the slugs in (some fields of) an entry into the objects the services take."""
    data = dict(data)
    if kind == "concepts" and "category" in data:
        data["category"] = _lookup(Category, "category", data["category"])
    if kind == "concepts" and "tags" in data:
        tags = {t.slug: t for t in Tag.objects.filter(slug__in=data["tags"])}
        missing = [slug for slug in data["tags"] if slug not in tags]
        if missing:
            raise ValidationError({"tags": f"unknown tag(s): {', '.join(missing)}"})
        data["tags"] = list(tags.values())
    if kind in ("examples", "comparisons") and "concepts" in data:
        data["concepts"] = _concepts(data["concepts"])
    if kind == "examples" and "requires" in data:
        found = {e.slug: e for e in Example.objects.filter(slug__in=data["requires"])}
        missing = [slug for slug in data["requires"] if slug not in found]
        if missing:
            raise ValidationError({"requires": f"unknown example(s): {', '.join(missing)}"})
        data["requires"] = [found[slug] for slug in data["requires"]]
    if kind == "relations":
        for name in ("source", "target"):
            if name in data:
                data[name] = _lookup(Concept, name, data[name])
    return data


def _find_relation(data: dict):
    return (
        Relation.objects.select_related("source", "target")
        .filter(source__slug=data["source"], type=data["type"], target__slug=data["target"])
        .first()
    )


class Handler(NamedTuple):
    """How one kind of entry is found and written: the app's services, which name the stored
    object as the model does (``concept=``, ``relation=``, ...)."""

    model: type
    find: Callable
    create: Callable
    update: Callable
    delete: Callable

    @property
    def name(self) -> str:
        return self.model._meta.model_name


def _by_slug(model) -> Callable:
    return lambda data: _one(model, slug=data["slug"])


HANDLERS = {
    "categories": Handler(
        Category, _by_slug(Category), category_create, category_update, category_delete
    ),
    "tags": Handler(Tag, _by_slug(Tag), tag_create, tag_update, tag_delete),
    "concepts": Handler(Concept, _by_slug(Concept), concept_create, concept_update, concept_delete),
    "examples": Handler(Example, _by_slug(Example), example_create, example_update, example_delete),
    "relations": Handler(
        Relation, _find_relation, relation_create, relation_update, relation_delete
    ),
    "comparisons": Handler(
        Comparison, _by_slug(Comparison), comparison_create, comparison_update, comparison_delete
    ),
}
UNIQUE_NAME = {"categories": "name", "tags": "name", "concepts": "name", "comparisons": "title"}


# --- exporting ---

EXPORTERS = {
    "categories": (Category.objects.order_by("slug"), category_entry),
    "tags": (Tag.objects.order_by("slug"), tag_entry),
    "concepts": (
        Concept.objects.select_related("category").prefetch_related("tags").order_by("slug"),
        concept_entry,
    ),
    "examples": (
        Example.objects.prefetch_related("concepts", "requires").order_by("slug"),
        example_entry,
    ),
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


@dataclass
class ExportReport:
    written: int = 0  # entries rewritten with the database's state
    removed: int = 0  # entries deleted in the database, taken out of their file
    added: int = 0  # entries created in the database, added to a file
    files: list[str] = field(default_factory=list)  # the files changed
    whole: list[str] = field(default_factory=list)  # of those, written whole
    pending: list[str] = field(default_factory=list)  # file changes loadkb has not loaded yet
    conflicts: list[str] = field(default_factory=list)
    dry_run: bool = False

    def __str__(self) -> str:
        lead = "Dry run, nothing written. " if self.dry_run else ""
        if not self.files:
            text = f"{lead}The content files already hold the database's changes."
        else:
            verb = "Would write" if self.dry_run else "Wrote"
            text = (
                f"{lead}{verb} the database's changes into {', '.join(self.files)}: "
                f"{self.written} entries changed, {self.removed} removed, {self.added} added."
            )
        if self.whole:
            text += f" Written whole (layout not kept): {', '.join(self.whole)}."
        if self.pending:
            text += (
                f"\n{len(self.pending)} change(s) in the files are not loaded yet "
                "(left as they are; loadkb applies them):\n  " + "\n  ".join(self.pending)
            )
        return text


def export_folder(
    folder: Path = CONTENT_DIR,
    *,
    prefer_database: bool = False,
    dry_run: bool = False,
    added_file: str = ADDED_FILE,
) -> ExportReport:
    """Write what changed in the database since the last load into the files of ``folder``.

    Each entry goes into the file that has it (or had it when last loaded); entries
    created in the database go into ``added_file``; entries deleted there leave their file.
    Changes made in the files and not loaded yet are left alone; where both sides changed
    an entry, the file is left as it is and the conflict reported, unless
    ``prefer_database``. Lines of entries that did not change are kept byte for byte.
    """
    entries = read_entries(folder, allow_empty=True)
    files = {entry.where: entry for entry in entries}
    base = {(b.kind, b.key): b for b in LoadedEntry.objects.all()}
    stored = database_entries()
    report = ExportReport(dry_run=dry_run)
    replace: dict[str, dict] = {}
    add: dict[str, list] = {}
    for where, entry in files.items():
        f, b, d = entry.data, base.get(where), stored.get(where)
        if d == f:
            continue
        file_unchanged = b is not None and digest(f) == b.digest
        db_unchanged = b is not None and d is not None and digest(d) == b.digest
        if not file_unchanged and (db_unchanged or (b is None and d is None)):
            report.pending.append(f"{entry.label}: {'new' if b is None else 'changed'} in the file")
            continue
        if not file_unchanged:
            what = (
                "deleted in the database, changed in the file"
                if d is None
                else "in the database but never loaded from the files, and different"
                if b is None
                else "changed in the file and in the database"
            )
            kept = "the database's is written" if prefer_database else "the file is left as it is"
            report.conflicts.append(f"{entry.label}: {what}; {kept}")
            if not prefer_database:
                continue
        replace.setdefault(entry.file, {})[where] = d
        if d is None:
            report.removed += 1
        else:
            report.written += 1
    for where, d in stored.items():
        if where in files:
            continue
        b = base.get(where)
        if b is not None and digest(d) == b.digest:
            report.pending.append(f"{_label(b.file, *where)}: removed from the file")
            continue
        if b is not None:
            kept = "the database's is written" if prefer_database else "the file is left as it is"
            report.conflicts.append(
                f"{_label(b.file, *where)}: removed from the file, edited in the database; {kept}"
            )
            if not prefer_database:
                continue
        target = b.file if b is not None and (folder / b.file).exists() else added_file
        add.setdefault(target, []).append((where[0], d))
        report.added += 1
    for name in sorted({*replace, *add}):
        path = folder / name
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        result = content_files.rewrite(
            text,
            key_of=entry_key,
            replace=replace.get(name, {}),
            add=add.get(name, []),
            compact=compact,
            normalise=normalise,
            flow=_one_line,
        )
        if result.text == text:
            continue
        report.files.append(name)
        if result.whole:
            report.whole.append(name)
        if not dry_run:
            folder.mkdir(parents=True, exist_ok=True)
            path.write_text(result.text, encoding="utf-8")
    return report


def _one_line(kind: str, data: dict) -> bool:
    """Relations go on one line in a file of their own kind, as the files write them."""
    return kind == "relations" and content_files.fits_one_line(compact(kind, data), 4)


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
