"""drf-spectacular hook: the words Swagger UI, ReDoc and generated clients show.

Every tag gets a description (the docstring of the view that serves it) and
every operation a summary: "List concepts", "Get a concept" for the standard
viewset actions, else the first sentence of its description, unless the view
already set one with ``@extend_schema``.
"""

from django.utils.text import capfirst
from drf_spectacular.settings import spectacular_settings

SUMMARIES = {
    "list": "List {plural}",
    "retrieve": "Get {a} {singular}",
    "create": "Create {a} {singular}",
    "update": "Replace {a} {singular}",
    "partial_update": "Change fields of {a} {singular}",
    "destroy": "Delete {a} {singular}",
}


def describe_operations(result, generator, request, public):
    tag_descriptions = {tag["name"]: tag for tag in result.get("tags", [])}
    for path, _regex, method, callback in generator.endpoints or ():
        view = generator.create_view(callback, method)
        view.request = spectacular_settings.GET_MOCK_REQUEST(method, path, view, request)
        path = generator.coerce_path(path, method, view)
        operation = result["paths"].get(path, {}).get(method.lower())
        if operation is None:
            continue
        for tag in operation.get("tags", []):
            tag_descriptions.setdefault(tag, {"name": tag, "description": _docstring(view)})
        summary = _summary(view, getattr(callback, "actions", {}).get(method.lower()))
        operation.setdefault("summary", summary or _first_sentence(operation))
    result["tags"] = list(tag_descriptions.values())
    return result


def _first_sentence(operation) -> str:
    """Without a model to name, the description's first sentence (or the operation id)."""
    text = " ".join(operation.get("description", "").split())
    sentence = text.split(". ")[0].rstrip(".")
    return sentence if 0 < len(sentence) <= 80 else operation["operationId"].replace("_", " ")


def _docstring(view) -> str:
    return " ".join((type(view).__doc__ or "").split())


def _summary(view, action) -> str | None:
    model = getattr(getattr(view, "queryset", None), "model", None)
    if action not in SUMMARIES or model is None:
        return None
    singular = str(model._meta.verbose_name)
    article = "an" if singular[:1] in "aeiou" else "a"
    text = SUMMARIES[action].format(
        a=article, singular=singular, plural=model._meta.verbose_name_plural
    )
    return capfirst(text)
