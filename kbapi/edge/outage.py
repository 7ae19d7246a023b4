"""Outages of the services kbapi uses, Redis and the database: noticed once, retried on a clock.

A :class:`Breaker` per service and process remembers that the service failed.
For the next ``retry_after`` seconds nobody waits on it again: Redis's users
fall back at once (the throttles count in the process, the response cache
goes to Django, a write's version bump is kept for later, see
``kbapi.edge.version``) and requests that need the database get 503 at once
(:class:`DatabaseGate`). Then one caller tries the service again (the breaker
is half open): success closes it, failure opens it for another interval. A
dead service so costs one timeout per interval, not one per request, and the
log gets one warning when the service goes away and one when it is back, not
one line per request.

Nothing here talks to a service: the callers report ``failed`` and
``succeeded``. ``/readyz`` (``kbapi.http.health``) asks each service directly
every time, whatever its breaker says, and reports to it.
"""

import logging
import math
import threading
import time
from urllib.parse import urlsplit

from django.conf import settings

from kbapi.edge.errors import send_error

logger = logging.getLogger("kbapi.outage")


class Breaker:
    """Whether a service may be asked now; ``failed`` opens it for ``retry_after`` seconds."""

    def __init__(self, name: str, retry_after: float, consequence: str = ""):
        self.name = name
        self.retry_after = retry_after
        self.consequence = consequence
        self.down_since: float | None = None  # monotonic time of the first failure
        self.retry_at = 0.0
        self.reason = ""
        self._lock = threading.Lock()

    @property
    def down(self) -> bool:
        return self.down_since is not None

    def available(self) -> bool:
        """True while the service is up; while it is down, True once per ``retry_after``
        seconds (the caller that gets it tries the service again, and reports)."""
        if self.down_since is None:
            return True
        now = time.monotonic()
        with self._lock:
            if now < self.retry_at:
                return False
            self.retry_at = now + self.retry_after  # this caller probes; the others wait
            return True

    def refusing(self) -> bool:
        """Down, and not to be tried again yet (unlike ``available``, claims no try)."""
        return self.down_since is not None and time.monotonic() < self.retry_at

    def failed(self, exc: BaseException | str) -> None:
        now = time.monotonic()
        with self._lock:
            first = self.down_since is None
            if first:
                self.down_since = now
            self.retry_at = now + self.retry_after
            self.reason = describe(exc)
        if first:
            logger.warning(
                "%s is unavailable (%s)%s; trying again every %g s",
                self.name,
                self.reason,
                f": {self.consequence}" if self.consequence else "",
                self.retry_after,
            )

    def succeeded(self) -> None:
        if self.down_since is None:
            return
        with self._lock:
            since, self.down_since = self.down_since, None
        if since is not None:
            logger.warning("%s answers again, after %.1f s", self.name, time.monotonic() - since)

    def seconds_left(self) -> int:
        """A ``Retry-After``: whole seconds until the next try, at least 1."""
        return max(1, math.ceil(self.retry_at - time.monotonic()))


def describe(exc: BaseException | str) -> str:
    """One short line about a failure, for logs and ``/readyz``: no traceback, no secrets."""
    if isinstance(exc, str):
        return exc[:200]
    text = " ".join(str(exc).split())
    return (f"{type(exc).__name__}: {text}" if text else type(exc).__name__)[:200]


def redacted(url: str) -> str:
    """A Redis URL without its password, to name the server in logs."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


_breakers: dict[str, Breaker] = {}
_registry_lock = threading.Lock()


def redis_breaker(url: str) -> Breaker:
    """The breaker of the Redis server at ``url``, shared by everything in the process that
    uses it (the throttles' cache and the knowledge-base version)."""
    breaker = _breakers.get(url)
    if breaker is None:
        with _registry_lock:
            breaker = _breakers.get(url) or Breaker(
                f"Redis ({redacted(url)})",
                getattr(settings, "REDIS_RETRY_AFTER", 2.0),
                "the throttles count in each process, the response cache sends every read "
                "to Django and writes are announced to the other hosts when it is back",
            )
            _breakers[url] = breaker
    return breaker


def database_breaker() -> Breaker:
    breaker = _breakers.get("database")
    if breaker is None:
        with _registry_lock:
            breaker = _breakers.get("database") or Breaker(
                "The database",
                getattr(settings, "DATABASE_RETRY_AFTER", 2.0),
                "requests that need it get 503 with Retry-After",
            )
            _breakers["database"] = breaker
    return breaker


def reset_breakers() -> None:
    """Forget every breaker (tests that change settings)."""
    with _registry_lock:
        _breakers.clear()


def database_connected(sender=None, connection=None, **_kwargs) -> None:
    """``connection_created``: the database answered."""
    breaker = _breakers.get("database")
    if breaker is not None and breaker.down_since is not None:
        breaker.succeeded()


DATABASE_UNAVAILABLE = "The database is unavailable. Try again shortly."
PROBES = ("/healthz", "/readyz")
DATABASE_TRY = "kbapi.database_try"  # in the scope of the request that tries the database again


class DatabaseGate:
    """ASGI middleware: while the database's breaker is open, requests for Django get 503
    with ``Retry-After`` at once, from the event loop, instead of each waiting the
    connect timeout in the worker's thread. The probes always pass. Once per
    ``DATABASE_RETRY_AFTER`` one request passes to try the database again; it is
    marked so that ``kbapi.http.middleware.DatabaseOutageMiddleware`` lets it in."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"] not in PROBES:
            breaker = database_breaker()
            if breaker.down_since is not None:
                if breaker.available():
                    scope[DATABASE_TRY] = True
                    return await self.app(scope, receive, send)
                retry_after = str(breaker.seconds_left()).encode()
                return await send_error(
                    send,
                    503,
                    "database_unavailable",
                    DATABASE_UNAVAILABLE,
                    headers=[(b"retry-after", retry_after)],
                )
        return await self.app(scope, receive, send)
