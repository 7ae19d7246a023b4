"""The schema of ``?fields=`` and ``?expand=`` (``kbapi.http.expansion``), on every list
and detail whose serializer offers them."""

import re

from drf_spectacular.settings import spectacular_settings

from kbapi.http.expansion import (
    EXPAND_PARAM,
    FIELDS_PARAM,
    MAX_NAMES,
    BorrowedField,
    FieldsExpandMixin,
)


def add_query_parameters(result, generator, request, public):
    """drf-spectacular hook: document ``fields`` and ``expand`` where a serializer has them,
    and type the shapes they give (see ``_type_variants``)."""
    variants = {}
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
            component = _item_component(result, operation)
            if component is not None:
                schema = view.schema
                schema.registry, schema.path, schema.method = generator.registry, path, method
                variants[component] = (serializer_class, schema)
    _type_variants(result, generator, variants)
    return result


def _item_component(result, operation) -> str | None:
    """The component of one object in the operation's 200 JSON answer (page items in a list)."""
    content = operation.get("responses", {}).get("200", {}).get("content", {})
    ref = content.get("application/json", {}).get("schema", {}).get("$ref", "")
    name = ref.rpartition("/")[2]
    items = result["components"]["schemas"].get(name, {}).get("properties", {}).get("results")
    if items is not None:
        name = items.get("items", {}).get("$ref", "").rpartition("/")[2]
    return name or None


def _type_variants(result, generator, variants) -> None:
    """Type what ``fields`` and ``expand`` answer, so that a generated client parses it.

    ``?fields=`` may leave out any field, so the components of these answers require none.
    ``?expand=`` turns a reference into the object (``anyOf`` of both, e.g. a category slug
    or the category) or adds a field of the full form (an optional property, typed as there).
    """
    schemas = result["components"]["schemas"]
    for component, (serializer_class, auto_schema) in variants.items():
        target = schemas.get(component)
        if target is None:
            continue
        target.pop("required", None)
        properties = target.setdefault("properties", {})
        for name, expansion in serializer_class.expandable.items():
            field = expansion.build()
            if isinstance(field, BorrowedField):
                field = field.lender_class()().fields[field.lent_name]
            expanded = auto_schema._map_serializer_field(field, "response")
            current = properties.get(name)
            if current is None:
                properties[name] = expanded
            elif current != expanded:
                properties[name] = {"anyOf": [expanded, current]}  # the object parses first
    for name, schema in generator.registry.build({}).get("schemas", {}).items():
        schemas.setdefault(name, schema)  # components only an expanded field uses


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
