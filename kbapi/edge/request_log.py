"""Request ids and one structured log line per request, at the ASGI level.

It wraps everything, the response cache included, so a cache hit gets a fresh
request id and its log line like any other request. The id is taken from a
sane incoming ``X-Request-ID`` (a proxy's) or generated, returned as
``X-Request-ID``, and kept in a context variable so any log record written
while the request runs (Django's error log with its traceback) carries it.
"""

import contextvars
import json
import logging
import random
import re
import time
import traceback

from kbapi.edge.errors import send_error

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

REQUEST_ID_HEADER = b"x-request-id"
_SANE_ID = re.compile(rb"^[A-Za-z0-9._:@/+=-]{1,128}$")

logger = logging.getLogger("kbapi.request")


def request_id_from(headers) -> str:
    """The client's or proxy's id when it is a short token, else a new one."""
    for name, value in headers:
        if name == REQUEST_ID_HEADER:
            if _SANE_ID.match(value):
                return value.decode("ascii")
            break
    # 128 random bits as 32 hex digits, the shape of uuid4().hex, from the process's own
    # generator (seeded from os.urandom, and again in a forked child): uuid4() reads
    # os.urandom, a system call on every request, ~4 % of a cache hit (py-spy). An id
    # tells log lines apart; it is not a secret.
    return f"{random.getrandbits(128):032x}"


class RequestLogMiddleware:
    """Adds ``X-Request-ID`` to every HTTP response and logs method, path, status, duration."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request_id = request_id_from(scope["headers"])
        token = request_id_var.set(request_id)
        logging_on = logger.isEnabledFor(logging.INFO)
        started = time.perf_counter() if logging_on else 0.0
        status = 0
        id_header = (REQUEST_ID_HEADER, request_id.encode("ascii"))

        async def send_with_id(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                # nothing below this layer sets X-Request-ID: append, no scan of the headers
                message = {**message, "headers": [*message.get("headers", ()), id_header]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            logger.error("unhandled error", exc_info=True, extra={"request_id": request_id})
            if status:
                raise
            # the last-resort answer when the app raised before responding
            await send_error(send_with_id, 500, "server_error", "Internal server error.")
        finally:
            if logging_on:
                logger.info(
                    "request",
                    extra={
                        "request_id": request_id,
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                        "cache": scope.get("kbapi.cache"),
                    },
                )
            request_id_var.reset(token)


_RECORD_FIELDS = ("method", "path", "status", "duration_ms", "cache")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, request fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id_var.get() or None,
        }
        for field in _RECORD_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = value
        if record.exc_info:
            entry["traceback"] = "".join(traceback.format_exception(*record.exc_info))
        return json.dumps(entry, default=str)

    converter = time.gmtime
