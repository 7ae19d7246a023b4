"""Guards in front of every view: input no view should ever see.

``RequestGuardMiddleware`` (Django) refuses a Host not in ``ALLOWED_HOSTS``, NUL characters anywhere in the
path or query string (PostgreSQL cannot compare text with NUL, so a lookup
would fail as a 500) and a declared ``Content-Length`` over the limit.

``BodyLimitMiddleware`` (ASGI) counts the body bytes actually received, so a
chunked upload with no ``Content-Length`` is cut off at the limit with a 413
instead of being spooled to disk whole before Django looks at it.
"""

import json

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import JsonResponse

from kbapi.caching import NO_STORE
from kbapi.errors import error_body

NUL_MESSAGE = "NUL (%00) characters are not allowed in URLs."


def _json(status: int, code: str, message: str, errors=None) -> JsonResponse:
    return JsonResponse(error_body(status, code, message, errors), status=status)


def nul_errors(request) -> dict | None:
    """The URL parts holding a NUL, as field errors (``path`` or a parameter's name)."""
    errors = {}
    if "\x00" in request.path or "%00" in request.path_info:
        errors["path"] = [NUL_MESSAGE]
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in v for v in values):
            errors[key.replace("\x00", "") or "query"] = [NUL_MESSAGE]
    if not errors and "%00" in request.META.get("QUERY_STRING", ""):
        errors["query"] = [NUL_MESSAGE]
    return errors or None


class RequestGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            request.get_host()
        except DisallowedHost:  # JSON even with DEBUG on, where Django would show its HTML page
            return _json(400, "disallowed_host", "The Host header is not served here.")
        errors = nul_errors(request)
        if errors:
            return _json(400, "invalid", NUL_MESSAGE, errors)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _json(400, "bad_request", "Content-Length is not a number.")
        if limit is not None and declared > limit:
            return _json(413, "payload_too_large", f"The request body is over {limit} bytes.")
        return self.get_response(request)


class BodyLimitMiddleware:
    """ASGI: read the body up to the limit; past it, answer 413 and never call the app."""

    def __init__(self, app, limit: int | None = None):
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send):
        limit = self.limit if self.limit is not None else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if scope["type"] != "http" or limit is None:
            return await self.app(scope, receive, send)
        messages, size = [], 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > limit:
                return await self._too_large(send, limit)
            if not message.get("more_body", False):
                break
        replay = iter(messages)

        async def replaying_receive():
            return next(replay, None) or await receive()

        return await self.app(scope, replaying_receive, send)

    @staticmethod
    async def _too_large(send, limit: int):
        body = json.dumps(
            error_body(413, "payload_too_large", f"The request body is over {limit} bytes.")
        ).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
            (b"cache-control", NO_STORE.encode()),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})
