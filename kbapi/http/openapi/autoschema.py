"""drf-spectacular hooks: document the shared error shape on every operation."""

import json
import re

from drf_spectacular import openapi
from rest_framework import permissions

from kbapi.http.openapi.auth import BearerScheme  # noqa: F401 - registers the bearer scheme

ERROR_COMPONENT = {
    "type": "object",
    "description": "The shape of every error response.",
    "properties": {
        "status": {"type": "integer", "description": "HTTP status code."},
        "code": {"type": "string", "description": "Machine-readable error code."},
        "message": {"type": "string", "description": "Readable explanation."},
        "errors": {
            "type": "object",
            "additionalProperties": {},
            "description": "Field errors, on validation failures.",
        },
    },
    "required": ["status", "code", "message"],
    "additionalProperties": True,
}

COMMON = {
    "400": "Bad input (validation error, malformed JSON, bad parameter).",
    "404": "Not found.",
    "429": "Too many requests; see the Retry-After header.",
    "500": "Internal server error.",
}
WRITES = {
    "401": "Authentication credentials were not provided or are invalid.",
    "403": "You do not have permission to perform this action.",
    "405": "Method not allowed.",
    "409": "Conflict with stored data (duplicate, or the object is still needed).",
    "412": "Precondition failed: the If-Match version is stale.",
    "413": "Request body too large.",
    "415": "Unsupported media type; send application/json.",
    "428": "Precondition required: send If-Match.",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_COMPONENT
    ref = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            codes = dict(COMMON)
            if method in WRITE_METHODS:
                codes.update(WRITES)
            elif {} not in operation.get("security", [{}]):
                codes["401"] = WRITES["401"]  # a read that needs credentials
            elif any(operation.get("security", ())):  # credentials optional: wrong ones are 401
                codes["401"] = "The credentials sent are invalid (this read needs none)."
            responses = operation.setdefault("responses", {})
            for code, description in codes.items():
                responses.setdefault(
                    code,
                    {"description": description, "content": {"application/json": {"schema": ref}}},
                )
    return result


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's AutoSchema, knowing that anonymous users may read.

    drf-spectacular marks auth optional (``{}`` in ``security``) only for AllowAny and
    IsAuthenticatedOrReadOnly; without this the schema would claim reads need a token.
    """

    def get_auth(self):
        auth = super().get_auth()
        anon_reads = any(
            isinstance(p, permissions.DjangoModelPermissionsOrAnonReadOnly)
            for p in self.view.get_permissions()
        )
        if anon_reads and self.method in permissions.SAFE_METHODS and auth and {} not in auth:
            auth.append({})
        return auth


NULL = {"type": "object", "nullable": True, "enum": [None], "description": "null"}


def tidy_schema(result, generator, request, public):
    """drf-spectacular hook, run last: what OpenAPI linters (Redocly, Spectral) rightly ask.

    - ``nullable`` needs a ``type`` beside it (OpenAPI 3.0): a nullable ``allOf`` of one
      component becomes ``anyOf`` that component or null (the 3.0 way to say null, which
      generated clients read as ``Component | None``); an untyped value that may be anything
      (a history change's ``old`` and ``new``) drops the ``nullable``: any value includes null.
    - every operation states its security: one without any is ``security: []`` (public),
      and so is a read anyone may make whose answer is the same whoever asks (credentials
      are accepted but change nothing). Only reads whose answer depends on the caller
      (``CALLER_DEPENDENT``) say "a token, a session or nothing" (``{}`` among them):
      openapi-python-client makes an operation with any security requirement demand an
      ``AuthenticatedClient``, so a public read declared so could not be called with the
      plain ``Client`` a frontend without an account has.
    - JSON comes first among a request body's media types: generated clients send the
      first one (openapi-python-client's form-encoded bodies do not even compile).
    - components nothing refers to are dropped (a request twin of a read-only serializer).
    """
    for node in _walk(result.get("components", {}).get("schemas", {})):
        if node.get("nullable") and "type" not in node:
            if len(node.get("allOf", ())) == 1:
                del node["nullable"]
                node["anyOf"] = [node.pop("allOf")[0], NULL]
            elif not {"oneOf", "anyOf", "$ref"} & node.keys():
                del node["nullable"]
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            operation.setdefault("security", [])
            if {} in operation["security"] and not _caller_dependent(operation):
                operation["security"] = []
            content = operation.get("requestBody", {}).get("content")
            if content and "application/json" in content:
                body = {"application/json": content.pop("application/json")}
                operation["requestBody"]["content"] = body | content
    schemas = result.get("components", {}).get("schemas", {})
    while True:
        text = json.dumps(result, default=str)  # lazy translations as text
        unused = [name for name in schemas if text.count(f'"#/components/schemas/{name}"') == 0]
        if not unused:
            return result
        for name in unused:
            del schemas[name]


# Reads whose answer depends on who asks: a history entry's ``user`` is shown to editors only.
CALLER_DEPENDENT = re.compile(r"_history_list$")


def _caller_dependent(operation: dict) -> bool:
    return bool(CALLER_DEPENDENT.search(operation.get("operationId", "")))


def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)
