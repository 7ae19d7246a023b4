"""The write path every app shares: lock, compare, validate, save, record, announce.

Views, the admin and the content loader call the typed services of each app
(``concepts.services``, ``relations.services``), which are thin wrappers over
these functions, so every rule is written once:

- **An update writes only what it changes.** It locks the stored row, reads it
  afresh, applies the fields it was given and saves only those that differ,
  so two editors of different fields both keep their change; when nothing
  differs it writes nothing (no version, no history entry).
- **Checks and writes happen under the same locks.** A write locks the rows it
  refers to (``FOR NO KEY UPDATE`` on PostgreSQL; SQLite's write transactions
  are ``IMMEDIATE``, so one writer at a time), and a delete locks its row before
  it looks for dependents, so a rule such as "an example illustrates at least
  one concept" holds under any interleaving of requests.
- **A write that alters other objects records it on them.** Deleting a tag takes
  it off its concepts, deleting a concept takes it off the examples it shares;
  renaming a slug changes how the objects that refer to it read. Each such
  object gets its own history entry and a new version.
- **Text is stored one way** (``kbapi.core.text``): LF line endings, no trailing blanks.
"""

from collections.abc import Callable, Iterable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from kbapi.core.models import related_snapshot
from kbapi.core.signals import knowledge_changed, object_written
from kbapi.core.text import normalise_value


class ServiceError(Exception):
    """A write the knowledge base refuses; carries the HTTP status the API answers with."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, details: Mapping[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.details = dict(details or {})


class NotFound(ServiceError):
    status_code = 404
    code = "not_found"


class Conflict(ServiceError):
    """The write clashes with what is stored (a duplicate, or dependents of a delete)."""

    status_code = 409
    code = "conflict"


class Gone(NotFound):
    """The object was deleted after the client's request found it."""


class PreconditionFailed(ServiceError):
    """The client's ``If-Match`` version is no longer the stored one."""

    status_code = 412
    code = "precondition_failed"


def _record(
    instance: models.Model,
    *,
    actor,
    change_message: str,
    m2m: Mapping[str, list] | None = None,
    related: Mapping[str, Any] | None = None,
) -> None:
    """Set what django-simple-history stores with the next history row.

    ``related`` (the many-to-many links as slugs, or what the app service gives)
    goes into the same row, so one logical change is one history record.
    """
    instance._history_user = actor if getattr(actor, "is_authenticated", False) else None
    instance._change_reason = _fitting(change_message) or None
    if related is None and getattr(instance._meta, "simple_history_manager_attribute", None):
        related = related_snapshot(instance) if instance.pk else {}
        for name, values in (m2m or {}).items():
            related[name] = sorted(value.slug for value in values)
    instance._history_related = dict(related) if related is not None else None


def _announce(
    instance: models.Model,
    action: str,
    fields: Iterable[str] | None = None,
    previous_slug: str | None = None,
) -> None:
    """Tell the derived data (search index, change feed, caches) what was written;
    ``fields``: what changed in an update (None: everything may have); ``previous_slug``:
    the slug an update renamed the object from."""
    fields = frozenset(fields) if fields is not None else None
    object_written.send(
        sender=type(instance),
        instance=instance,
        action=action,
        fields=fields,
        previous_slug=previous_slug,
    )
    transaction.on_commit(lambda: knowledge_changed.send(sender=type(instance)))


def _normalised(data: Mapping[str, Any]) -> dict:
    return {name: normalise_value(value) for name, value in data.items()}


def lock_references(
    model: type[models.Model], data: Mapping[str, Any], m2m: Mapping[str, list]
) -> None:
    """Lock the rows a write refers to, so none is deleted before it commits.

    A reference to a row that is gone (deleted since the client read it) is a
    validation error naming the field, never a database error at commit.
    """
    wanted: dict[str, tuple[type[models.Model], set]] = {}
    for name, value in data.items():
        field = model._meta.get_field(name)
        if field.is_relation and field.many_to_one and value is not None:
            wanted[name] = (field.related_model, {value.pk})
    for name, values in m2m.items():
        if values:
            wanted[name] = (model._meta.get_field(name).related_model, {v.pk for v in values})
    for name, (related, pks) in wanted.items():
        rows = related._default_manager.select_for_update(no_key=True).filter(pk__in=pks)
        if len(set(rows.values_list("pk", flat=True))) != len(pks):
            raise ValidationError({name: f"A {related._meta.verbose_name} given no longer exists."})


def _save(instance: models.Model, update_fields: list[str] | None = None) -> None:
    """Save; a unique or check constraint that another writer won meanwhile is a 409.

    The checks before the save (``full_clean``) find a taken name or slug; only a
    writer who commits the same one in between gets here. The 409 then names what
    clashes in the model's own words (the database's error text names its tables
    and indexes, and is never shown): a save that may clash (a create, or an update
    of a unique value) runs in a savepoint, so the transaction can still look.
    """
    may_clash = update_fields is None or not unique_fields(type(instance)).isdisjoint(update_fields)
    try:
        with transaction.atomic() if may_clash else nullcontext():
            instance.save(update_fields=update_fields)
    except IntegrityError as exc:
        errors = clashes(instance) if may_clash else {}
        first = next(iter(errors.values()), [None])[0]
        name = instance._meta.verbose_name
        raise Conflict(
            f"This {name} clashes with a stored one: {first}"
            if first
            else f"This {name} breaks a rule of its fields that the database enforces.",
            details={"errors": errors} if errors else None,
        ) from exc


@cache
def unique_fields(model: type[models.Model]) -> frozenset[str]:
    """The fields a stored row of ``model`` can hold a clashing value of (unique ones, and
    those of its unique constraints)."""
    names = {f.name for f in model._meta.concrete_fields if f.unique and not f.primary_key}
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            names.update(constraint.fields)
    for together in model._meta.unique_together:
        names.update(together)
    return frozenset(names)


def clashes(instance: models.Model) -> dict[str, list[str]]:
    """What of ``instance`` another stored row holds already (its unique fields, its unique
    constraints) and what its check constraints refuse, as field → messages."""
    errors: dict[str, list[str]] = {}
    for check in (instance.validate_unique, instance.validate_constraints):
        try:
            check()
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                key = "non_field_errors" if field == "__all__" else field
                errors.setdefault(key, []).extend(messages)
    return errors


@transaction.atomic
def create_instance(
    model: type[models.Model],
    *,
    data: Mapping[str, Any],
    m2m: Mapping[str, Iterable] | None = None,
    actor=None,
    change_message: str = "",
    history_related: Mapping[str, Any] | None = None,
) -> models.Model:
    m2m = {name: list(values) for name, values in (m2m or {}).items()}
    data = _normalised(data)
    lock_references(model, data, m2m)
    instance = model(**data)
    _record(instance, actor=actor, change_message=change_message, m2m=m2m, related=history_related)
    instance.full_clean()
    _save(instance)
    for name, values in m2m.items():
        getattr(instance, name).set(values)
    _announce(instance, "create")
    return instance


@transaction.atomic
def update_instance(
    instance: models.Model,
    *,
    data: Mapping[str, Any],
    m2m: Mapping[str, Iterable] | None = None,
    expected_version: int | None = None,
    actor=None,
    change_message: str = "",
    history_related: Mapping[str, Any] | None = None,
    related_changed: bool = False,
) -> models.Model:
    """Apply ``data`` to the stored row; save and record only when something differs.

    ``related_changed``: the app service changed rows of its own (a comparison's
    aspects), so the object has changed even when none of its fields did.
    Returns the stored object as it now is.
    """
    model = type(instance)
    m2m = {name: list(values) for name, values in (m2m or {}).items()}
    data = _normalised(data)
    stored = lock(instance, expected_version, no_key=True)
    changed = [name for name, value in data.items() if _differs(stored, name, value)]
    changed_m2m = {name: v for name, v in m2m.items() if _m2m_differs(stored, name, v)}
    if not (changed or changed_m2m or related_changed):
        return stored
    lock_references(model, {name: data[name] for name in changed}, changed_m2m)
    previous_slug = getattr(stored, "slug", None)
    for name in changed:
        setattr(stored, name, data[name])
    stored.full_clean(exclude=_unchecked(model, changed))
    if hasattr(stored, "version"):
        stored.version += 1  # the row is locked: nobody else can move it meanwhile
        changed += ["version", "updated_at"]
    _record(stored, actor=actor, change_message=change_message, m2m=m2m, related=history_related)
    _save(stored, update_fields=changed)
    for name, values in changed_m2m.items():
        getattr(stored, name).set(values)
    renamed = previous_slug is not None and "slug" in changed
    _announce(
        stored,
        "update",
        fields=[*changed, *changed_m2m],
        previous_slug=previous_slug if renamed else None,
    )
    if renamed:
        touch_referrers(
            stored,
            actor=actor,
            change_message=f"{_label(stored)} renamed from {previous_slug!r}.",
            foreign_keys=True,
        )
    return stored


def lock(
    instance: models.Model, expected_version: int | None = None, *, no_key: bool = False
) -> models.Model:
    """The stored row of ``instance``, locked for this transaction; 412 when its version is
    not ``expected_version`` (None: any). ``no_key``: the lock of an update, which still lets
    other writers refer to the row; a delete takes the full lock."""
    model = type(instance)
    rows = model._default_manager.select_for_update(no_key=no_key)
    stored = rows.filter(pk=instance.pk).first()
    if stored is None:
        raise Gone(f"This {model._meta.verbose_name} was deleted meanwhile.")
    if expected_version is not None and stored.version != expected_version:
        raise PreconditionFailed(
            "The object has changed since you read it; fetch it again and retry.",
            details={"expected_version": expected_version},
        )
    return stored


def _unchecked(model: type[models.Model], changed: list[str]) -> list[str]:
    """Fields whose checks an update can skip: unchanged unique fields and references, whose
    checks are database queries (a constraint over one of them is skipped with it, and the
    database still enforces it)."""
    return [
        f.name
        for f in model._meta.concrete_fields
        if f.name not in changed and (f.unique or f.is_relation)
    ]


def _differs(stored: models.Model, name: str, value: Any) -> bool:
    field = stored._meta.get_field(name)
    if field.is_relation:
        return getattr(stored, field.attname) != (value.pk if value is not None else None)
    return getattr(stored, name) != value


def _m2m_differs(stored: models.Model, name: str, values: list) -> bool:
    current = set(getattr(stored, name).values_list("pk", flat=True))
    return current != {value.pk for value in values}


def _label(instance: models.Model) -> str:
    return f"{instance._meta.verbose_name.capitalize()} {getattr(instance, 'slug', instance)!s}"


@transaction.atomic
def delete_instance(
    instance: models.Model,
    *,
    dependents: Callable[[], Mapping[str, list[str]]] | None = None,
    expected_version: int | None = None,
    actor=None,
    change_message: str = "",
    history_related: Mapping[str, Any] | None = None,
) -> None:
    """Delete unless something depends on it; ``dependents()`` names what would be lost.

    The row is locked before ``dependents()`` looks, so nothing can come to depend
    on it between the look and the delete.
    """
    stored = lock(instance, expected_version if hasattr(instance, "version") else None)
    found = dependents() if dependents is not None else {}
    if any(found.values()):
        raise Conflict(
            f"{stored} is still needed; remove or re-point what depends on it first.",
            details={"dependents": {k: v for k, v in found.items() if v}},
        )
    holders = _referrers(stored, foreign_keys=False)
    if hasattr(stored, "version"):
        stored.version += 1  # the history row of the delete carries the next version
    _record(stored, actor=actor, change_message=change_message, related=history_related)
    _announce(stored, "delete")
    try:
        stored.delete()  # PROTECT is checked before any row is deleted
    except models.ProtectedError as exc:
        names = sorted(str(obj) for obj in exc.protected_objects)
        raise Conflict(
            f"{stored} is still needed by other objects.",
            details={"dependents": {"objects": names}},
        ) from exc
    _touch(holders, actor=actor, change_message=f"{_label(stored)} deleted: taken off this one.")


CHANGE_MESSAGE_MAX = 100  # django-simple-history's history_change_reason column


def _fitting(message: str | None) -> str | None:
    """A change message within its column: a message made from long slugs is shortened
    (PostgreSQL refuses an over-long value, SQLite kept it whole)."""
    if message and len(message) > CHANGE_MESSAGE_MAX:
        return message[: CHANGE_MESSAGE_MAX - 1] + "\u2026"
    return message


def touch_referrers(
    instance: models.Model, *, actor, change_message: str, foreign_keys: bool
) -> None:
    """Record a change on each object whose content refers to ``instance``."""
    holders = _referrers(instance, foreign_keys=foreign_keys)
    _touch(holders, actor=actor, change_message=change_message)


def _referrers(instance: models.Model, *, foreign_keys: bool) -> list[tuple[models.Model, str]]:
    """(object, field) for each versioned object with history that holds ``instance`` in a
    many-to-many field of its own (with ``foreign_keys``, in a foreign key too), locked."""
    found = []
    for rel in instance._meta.related_objects:
        holder = rel.related_model
        if not (hasattr(holder, "history") and hasattr(holder, "version")):
            continue
        own_link = rel.many_to_many and rel.through._meta.auto_created
        if own_link or (foreign_keys and rel.one_to_many):
            rows = holder._default_manager.filter(**{rel.field.name: instance})
            found.extend((row, rel.field.name) for row in rows.select_for_update().order_by("pk"))
    return found


def _touch(holders: list[tuple[models.Model, str]], *, actor, change_message: str) -> None:
    """A new version and a history entry (with its links as they now are) for each holder."""
    seen = set()
    for holder, field_name in holders:
        if (type(holder), holder.pk) in seen:
            continue
        seen.add((type(holder), holder.pk))
        holder.version += 1
        _record(holder, actor=actor, change_message=change_message)
        _save(holder, update_fields=["version", "updated_at"])
        _announce(holder, "update", fields=[field_name])


@dataclass(frozen=True)
class ModelServices:
    """One model's write services, named once for every caller (the API's viewset, the
    admin, revert): ``create(**fields)``, ``update(**{name: obj}, data=...)`` and
    ``delete(**{name: obj})``, ``name`` being the keyword that takes the object."""

    name: str
    create: Callable
    update: Callable
    delete: Callable


class WritesThroughServices:
    """A class that writes through a model's services: ``writes = ModelServices(...)``
    gives it ``create_service``, ``update_service``, ``delete_service`` and
    ``service_object``."""

    writes: ModelServices | None = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        writes = cls.__dict__.get("writes")
        if writes is not None:
            cls.create_service = writes.create
            cls.update_service = writes.update
            cls.delete_service = writes.delete
            cls.service_object = writes.name
