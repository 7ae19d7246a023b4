"""Reverting an object to an earlier history entry: the one revert of the API and the admin."""

from contextvars import ContextVar

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Model

from kbapi.core.services import Conflict

HIDDEN_FIELDS = {"id", "version", "created_at", "updated_at"}

# (model, pk, history id) of the object a revert is restoring, while it runs: its update
# is recorded in the change feed as a revert (``history.feed``); what the revert touches
# besides (the referrers of a renamed slug) stays an ordinary change.
REVERTING: ContextVar[tuple | None] = ContextVar("reverting", default=None)


def tracked_fields(model: type[Model]) -> list:
    """The fields a history entry shows and a revert restores."""
    return [f for f in model.history.model.tracked_fields if f.name not in HIDDEN_FIELDS]


def history_record(instance: Model, history_id):
    """The history entry ``history_id`` of ``instance`` (None: it has no such entry)."""
    try:
        history_id = int(history_id)
    except (TypeError, ValueError):
        return None
    return type(instance).history.filter(id=instance.pk, history_id=history_id).first()


def revert_message(record) -> str:
    return f"Reverted to entry {record.history_id}."


def revert_to(
    instance: Model,
    record,
    *,
    update_service,
    service_object: str,
    expected_version: int | None = None,
    actor=None,
    change_message: str = "",
) -> Model:
    """Restore ``record``'s state through the update service, as a new recorded change.

    The one revert of the API and the admin alike: ``revert_data`` then the
    update service (its compare-and-set honours ``expected_version``), with
    "Reverted to entry N." as the message unless one is given. Conflict when
    the state refers to what is gone or does not validate any more.
    """
    data = revert_data(type(instance), record)
    token = REVERTING.set((type(instance), instance.pk, record.history_id))
    try:
        return update_service(
            **{service_object: instance},
            data=data,
            expected_version=expected_version,
            actor=actor,
            change_message=change_message or revert_message(record),
        )
    except ValidationError as exc:
        raise Conflict("The earlier state cannot be restored: " + "; ".join(exc.messages)) from exc
    finally:
        REVERTING.reset(token)


def revert_data(model: type[Model], record) -> dict:
    """The update-service data that restores ``record``; Conflict when it refers to what is gone."""
    data, missing = {}, []
    for field in tracked_fields(model):
        value = getattr(record, field.attname)
        if field.is_relation:
            related = field.related_model._default_manager.filter(pk=value).first()
            if related is None:
                missing.append(f"{field.name} (id {value})")
            data[field.name] = related
        else:
            data[field.name] = value
    for name, value in (record.related or {}).items():
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            field = None
        if field is None or not field.many_to_many:  # e.g. a comparison's aspects
            data[name] = value
            continue
        found = {o.slug: o for o in field.related_model._default_manager.filter(slug__in=value)}
        missing.extend(f"{name} {slug!r}" for slug in value if slug not in found)
        data[name] = [found[slug] for slug in value if slug in found]
    if missing:
        raise Conflict(
            "The earlier state refers to objects that no longer exist: " + ", ".join(missing),
            details={"missing": missing},
        )
    return data
