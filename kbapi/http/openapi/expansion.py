"""The schema of ``?fields=`` and ``?expand=`` (``kbapi.http.expansion``), on every list
and detail whose serializer offers them."""

import re

from drf_spectacular.settings import spectacular_settings

from kbapi.http.expansion import EXPAND_PARAM, FIELDS_PARAM, MAX_NAMES, FieldsExpandMixin


def add_query_parameters(result, generator, request, public):
    """drf-spectacular hook: document ``fields`` and ``expand`` where a serializer has them."""
    for path, _regex, method, callback in generator.endpoints or ():
        action = getattr(callback, "actions", {}).get(method.lower())
        if action not in {"list", "retrieve"}:
            continue
        view = generator.create_view(callback, method)
        view.request = spectacular_settings.GET_MOCK_REQUEST(method, path, view, request)
        path = generator.coerce_path(path, method, view)
        serializer_class = view.get_serializer_class()
        if not issubclass(serializer_class, FieldsExpandMixin):
            continue
        operation = result["paths"].get(path, {}).get(method.lower())
        if operation is not None:
            operation.setdefault("parameters", []).extend(_parameters(serializer_class))
    return result


def names_pattern(names) -> str:
    """A comma-separated list of ``names`` as ``requested`` reads it: items trimmed, blank
    items ignored, at most ``MAX_NAMES`` of them; an empty value names nothing."""
    name = "|".join(re.escape(n) for n in names)
    item = rf"\s*(?:{name})?\s*"
    return rf"^{item}(?:,{item}){{0,{MAX_NAMES - 1}}}$"


def _parameters(serializer_class) -> list[dict]:
    field_names = list(serializer_class().fields)
    fields = ", ".join(f"`{name}`" for name in field_names)
    parameters = [
        {
            "in": "query",
            "name": FIELDS_PARAM,
            "schema": {"type": "string", "pattern": names_pattern(field_names)},
            "description": (
                "Comma-separated top-level fields to return, e.g. `slug,name`; "
                f"an unknown field is a 400. Fields: {fields}."
            ),
        }
    ]
    if serializer_class.expandable:
        names = ", ".join(f"`{name}`" for name in serializer_class.expandable)
        parameters.append(
            {
                "in": "query",
                "name": EXPAND_PARAM,
                "schema": {
                    "type": "string",
                    "pattern": names_pattern(serializer_class.expandable),
                },
                "description": (
                    "Comma-separated related objects to embed instead of their slugs, or "
                    "fields of the full form to add; an unknown name is a 400. "
                    f"Expandable: {names}."
                ),
            }
        )
    return parameters
