"""The request body limit, at the ASGI level: the bytes actually received are counted.

A chunked upload with no ``Content-Length`` is cut off at the limit with a 413
instead of being spooled to disk whole before Django looks at it (Django's
``ASGIHandler.read_body`` reads the whole body first). A declared
``Content-Length`` over the limit is refused by ``kbapi.http.middleware``
before any view, which also covers requests that do not pass through ASGI.
"""

from django.conf import settings

from kbapi.edge.errors import send_error


def body_limit() -> int | None:
    """The most bytes a request body may have (None: no limit)."""
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def over_limit(size: int, limit: int | None = None) -> bool:
    """The rule, wherever a body's size is known: over the limit is a 413."""
    limit = body_limit() if limit is None else limit
    return limit is not None and size > limit


def too_large_message(limit: int | None = None) -> str:
    return f"The request body is over {body_limit() if limit is None else limit} bytes."


BODY_HEADERS = (b"content-length", b"transfer-encoding")


def may_have_body(scope) -> bool:
    """Whether a request may carry a body. In HTTP/1.x only with a length or a transfer
    coding (RFC 9112, 6.3): most reads have neither and pass straight through. HTTP/2 and
    later frame bodies without either, so those requests are always counted."""
    if scope.get("http_version", "1.1") not in ("1.1", "1.0"):
        return True
    return any(name in BODY_HEADERS for name, _ in scope["headers"])


class BodyLimitMiddleware:
    """ASGI: read the body up to the limit; past it, answer 413 and never call the app."""

    def __init__(self, app, limit: int | None = None):
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send):
        limit = self.limit if self.limit is not None else body_limit()
        if scope["type"] != "http" or limit is None or not may_have_body(scope):
            return await self.app(scope, receive, send)
        messages, size = [], 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if over_limit(size, limit):
                closing = [(b"connection", b"close")]
                message = too_large_message(limit)
                return await send_error(send, 413, "payload_too_large", message, closing)
            if not message.get("more_body", False):
                break
        replay = iter(messages)

        async def replaying_receive():
            return next(replay, None) or await receive()

        return await self.app(scope, replaying_receive, send)
