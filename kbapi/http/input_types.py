"""JSON types as the schema states them: ``"name": 0`` is a 400, not the string ``"0"``.

DRF's CharField (and the slug fields built on it) quietly turns numbers into
strings, so a body the schema calls invalid is stored. ``check_types`` walks a
serializer's writable fields and refuses any value whose JSON type differs
from the declared one, before the serializer validates anything.
"""

from rest_framework import exceptions, relations, serializers

TEXT_FIELDS = (
    serializers.CharField,
    serializers.ChoiceField,
    serializers.DateTimeField,
    serializers.DateField,
    serializers.TimeField,
    relations.SlugRelatedField,
)


def type_errors(field, value):
    """Errors for ``value`` read by ``field`` (a string, a list or a dict), or None."""
    if value is None:
        return None if getattr(field, "allow_null", False) else ["This field may not be null."]
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else ["Must be a boolean."]
    if isinstance(field, serializers.IntegerField):
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else ["Must be an integer."]
    if isinstance(field, (serializers.FloatField, serializers.DecimalField)):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return None if ok else ["Must be a number."]
    if isinstance(field, TEXT_FIELDS):
        return None if isinstance(value, str) else ["Must be a string."]
    if isinstance(
        field, (serializers.ListField, serializers.ListSerializer, relations.ManyRelatedField)
    ):
        return _list_errors(field, value)
    if isinstance(field, serializers.DictField):
        return _dict_errors(field.child, value)
    if isinstance(field, serializers.Serializer):
        return object_errors(field, value) if isinstance(value, dict) else ["Must be an object."]
    return None


def _list_errors(field, value):
    if not isinstance(value, list):
        return ["Must be a list."]
    child = getattr(field, "child", None) or getattr(field, "child_relation", None)
    errors = {i: e for i, item in enumerate(value) if (e := type_errors(child, item))}
    return errors or None


def _dict_errors(child, value):
    if not isinstance(value, dict):
        return ["Must be an object."]
    errors = {k: e for k, item in value.items() if (e := type_errors(child, item))}
    return errors or None


def object_errors(serializer, data: dict):
    errors = {}
    for name, field in serializer.fields.items():
        if not field.read_only and field.source != "*" and field.field_name in data:
            problem = type_errors(field, data[field.field_name])
            if problem:
                errors[name] = problem
    return errors or None


def check_types(serializer, data) -> None:
    """Raise a 400 naming each field whose JSON type is not the declared one."""
    if isinstance(serializer, serializers.Serializer) and isinstance(data, dict):
        errors = object_errors(serializer, data)
        if errors:
            raise exceptions.ValidationError(errors)
