"""The write path every app shares: validate, compare-and-set, save, record, announce.

Views, the admin and the content loader call the typed services of each app
(``concepts.services``, ``relations.services``), which are thin wrappers over
these functions, so every rule is written once.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import F

from kbapi.models import related_snapshot
from kbapi.signals import knowledge_changed, object_written


class ServiceError(Exception):
    """A write the knowledge base refuses; carries the HTTP status the API answers with."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, details: Mapping[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.details = dict(details or {})


class Conflict(ServiceError):
    """The write clashes with what is stored (a duplicate, or dependents of a delete)."""

    status_code = 409
    code = "conflict"


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
    instance._change_reason = change_message or None
    if related is None and getattr(instance._meta, "simple_history_manager_attribute", None):
        related = related_snapshot(instance) if instance.pk else {}
        for name, values in (m2m or {}).items():
            related[name] = sorted(value.slug for value in values)
    instance._history_related = dict(related) if related is not None else None


def _announce(instance: models.Model, action: str) -> None:
    object_written.send(sender=type(instance), instance=instance, action=action)
    transaction.on_commit(lambda: knowledge_changed.send(sender=type(instance)))


def _save(instance: models.Model, m2m: Mapping[str, Iterable] | None) -> None:
    instance.full_clean()
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise Conflict(f"{instance._meta.verbose_name} clashes with a stored one: {exc}") from exc
    for name, values in (m2m or {}).items():
        getattr(instance, name).set(values)


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
    instance = model(**data)
    _record(instance, actor=actor, change_message=change_message, m2m=m2m, related=history_related)
    _save(instance, m2m)
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
) -> models.Model:
    """Apply ``data`` and bump the version with one compare-and-set UPDATE.

    The UPDATE filtered on the expected version is atomic in the database (it
    takes the row lock on PostgreSQL), so of several writers holding the same
    version exactly one wins and the others get ``PreconditionFailed``.
    """
    m2m = {name: list(values) for name, values in (m2m or {}).items()}
    claim_version(instance, expected_version)
    for name, value in data.items():
        setattr(instance, name, value)
    _record(instance, actor=actor, change_message=change_message, m2m=m2m, related=history_related)
    _save(instance, m2m)
    _announce(instance, "update")
    return instance


def claim_version(instance: models.Model, expected_version: int | None) -> None:
    """Atomically move the stored version on by one, or fail if it is not the expected one."""
    rows = type(instance)._default_manager.filter(pk=instance.pk)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    if not rows.update(version=F("version") + 1):
        raise PreconditionFailed(
            "The object has changed since you read it; fetch it again and retry.",
            details={"expected_version": expected_version},
        )
    instance.version = rows.model._default_manager.values_list("version", flat=True).get(
        pk=instance.pk
    )


@transaction.atomic
def delete_instance(
    instance: models.Model,
    *,
    dependents: Mapping[str, list[str]] | None = None,
    expected_version: int | None = None,
    actor=None,
    change_message: str = "",
    history_related: Mapping[str, Any] | None = None,
) -> None:
    """Delete unless something depends on it; ``dependents`` names what would be lost."""
    if dependents and any(dependents.values()):
        raise Conflict(
            f"{instance} is still needed; remove or re-point what depends on it first.",
            details={"dependents": {k: v for k, v in dependents.items() if v}},
        )
    if hasattr(instance, "version"):
        claim_version(instance, expected_version)
    _record(instance, actor=actor, change_message=change_message, related=history_related)
    _announce(instance, "delete")
    try:
        with transaction.atomic():
            instance.delete()
    except models.ProtectedError as exc:
        names = sorted(str(obj) for obj in exc.protected_objects)
        raise Conflict(
            f"{instance} is still needed by other objects.",
            details={"dependents": {"objects": names}},
        ) from exc
