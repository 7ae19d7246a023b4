"""Liveness and readiness probes for load balancers and orchestrators."""

from django.conf import settings
from django.db import connection
from django.db.utils import DatabaseError
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from kbapi.edge.errors import error_body
from kbapi.edge.outage import database_breaker, describe, redis_breaker


@require_GET
def healthz(request):
    """200 while the process lives; touches nothing else."""
    return JsonResponse({"status": "ok"})


@require_GET
def readyz(request):
    """200 when the database and Redis (when configured) answer; 503 naming what does not.

    Each is asked now, whatever its breaker says, within its own timeout:
    ``DATABASE_CONNECT_TIMEOUT`` for the database, ``REDIS_CONNECT_TIMEOUT`` and
    ``REDIS_TIMEOUT`` for Redis. ``checks`` says ``ok`` or ``down: <why>`` for each.
    """
    checks = {"database": _check_database()}
    for name, url in _redis_urls().items():
        checks[name] = _check_redis(url)
    down = [name for name, result in checks.items() if result != "ok"]
    if not down:
        return JsonResponse({"status": "ok", "database": connection.vendor, "checks": checks})
    code = "database_unavailable" if "database" in down else "redis_unavailable"
    body = error_body(503, code, "Not ready: " + ", ".join(f"{n} is down" for n in down) + ".")
    body["checks"] = checks
    response = JsonResponse(body, status=503)
    breakers = [database_breaker(), *(redis_breaker(url) for url in _redis_urls().values())]
    response["Retry-After"] = str(max(breaker.seconds_left() for breaker in breakers))
    return response


def _check_database() -> str:
    """``SELECT 1`` on a connection got within ``DATABASE_CONNECT_TIMEOUT`` seconds."""
    timeout = getattr(settings, "DATABASE_CONNECT_TIMEOUT", 5) or None  # 0: libpq's "forever"
    try:
        pool = getattr(connection, "pool", None) if connection.connection is None else None
        if pool is not None:
            # The pool's own wait may be set longer (DATABASE_POOL_TIMEOUT): the probe
            # waits no longer than the connect timeout it documents.
            pool.open()
            raw = pool.getconn(timeout=timeout)
            try:
                raw.execute("SELECT 1").fetchone()
            finally:
                pool.putconn(raw)
        else:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
    except Exception as exc:  # any failure is the answer: down, and why
        if isinstance(exc, DatabaseError):
            connection.close_if_unusable_or_obsolete()
        database_breaker().failed(exc)
        return f"down: {describe(exc)}"
    database_breaker().succeeded()
    return "ok"


def _redis_urls() -> dict[str, str]:
    """The Redis servers kbapi uses, by what they are for (one name when they are one)."""
    cache = settings.CACHES["default"]
    urls = {}
    if cache["BACKEND"].endswith("RedisCache"):
        urls["redis"] = cache["LOCATION"]
    version_url = getattr(settings, "KB_VERSION_REDIS_URL", "")
    if version_url and version_url not in urls.values():
        urls["redis" if not urls else "redis_version"] = version_url
    return urls


_clients: dict[str, object] = {}


def _check_redis(url: str) -> str:
    """``PING``, within ``REDIS_CONNECT_TIMEOUT`` and ``REDIS_TIMEOUT``."""
    import redis

    from kbapi.edge.version import redis_errors, redis_options

    breaker = redis_breaker(url)
    try:
        client = _clients.get(url)
        if client is None:
            client = _clients.setdefault(url, redis.Redis.from_url(url, **redis_options()))
        client.ping()
    except redis_errors() as exc:
        breaker.failed(exc)
        return f"down: {describe(exc)}"
    breaker.succeeded()
    return "ok"
