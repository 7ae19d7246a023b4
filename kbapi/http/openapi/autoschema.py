"""drf-spectacular hooks: document the shared error shape on every operation."""

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
