"""Response examples in the OpenAPI schema, taken from real answers of the API.

``EXAMPLES_FILE`` holds, per operation, one request and its answer (``make
examples`` = ``manage.py openapiexamples`` asks a running copy of the app, on
the loaded content, and writes the file). Long lists are cut to
``LIST_ITEMS`` items and long texts to ``TEXT_CHARS`` characters, which keeps
each answer valid for its schema. ``add_response_examples`` (a drf-spectacular
hook) puts them in the schema, so Swagger UI and ReDoc show them. A test
validates every example against its response schema and asks the API again:
an example that no longer matches the response fails it.
"""

import json
from pathlib import Path

EXAMPLES_FILE = Path(__file__).with_name("examples.json")
LIST_ITEMS = 2
TEXT_CHARS = 300
BASE_URL = "http://127.0.0.1:8000"

# operation id -> (summary, the request); {comparison} is the first curated comparison
REQUESTS = {
    "concepts_list": ("Two concepts per page", "/api/v1/concepts/?page_size=2"),
    "concepts_retrieve": ("A concept in full", "/api/v1/concepts/key-value-store/"),
    "search": ("Searching the notes", "/api/v1/search/?q=transaction"),
    "graph_retrieve": ("A neighbourhood", "/api/v1/graph/?around=acid"),
    "graph_path": (
        "From a key-value store to the ORM",
        "/api/v1/graph/path/?from=key-value-store&to=django-orm",
    ),
    "compare": (
        "Two database types side by side",
        "/api/v1/compare/?concepts=key-value-store,graph-database",
    ),
    "advisor": ("Which database for user sessions", "/api/v1/advisor/?q=user+session+cache"),
    "comparisons_retrieve": ("A curated comparison", "/api/v1/comparisons/{comparison}/"),
}


def shortened(value):
    """``value`` with every list cut to ``LIST_ITEMS`` items and long texts cut."""
    if isinstance(value, list):
        return [shortened(item) for item in value[:LIST_ITEMS]]
    if isinstance(value, dict):
        return {key: shortened(item) for key, item in value.items()}
    if isinstance(value, str) and len(value) > TEXT_CHARS:
        return value[: TEXT_CHARS - 1] + "…"
    return value


def load() -> dict:
    if not EXAMPLES_FILE.exists():
        return {}
    return json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))


def add_response_examples(result, generator, request, public):
    """drf-spectacular hook: each recorded answer as its operation's 200 JSON example."""
    examples = load()
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            example = examples.get(operation.get("operationId"))
            if not example:
                continue
            content = operation["responses"]["200"]["content"]["application/json"]
            content["examples"] = {
                "real": {
                    "summary": example["summary"],
                    "description": f"`GET {example['request']}` on the loaded content.",
                    "value": example["value"],
                }
            }
    return result
