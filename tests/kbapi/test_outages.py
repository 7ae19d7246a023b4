"""Outages: Redis and PostgreSQL down, and back (README, "When Redis or PostgreSQL is down").

While Redis is down no request fails: the throttles count in each process, the
response cache serves nothing from memory, and a write is announced to the
other hosts once Redis is back. While the database is down a request that needs
it gets 503 with ``Retry-After`` in the error shape, never a 500. ``/readyz``
names what is down within its timeouts. Both recover by themselves.

The live tests stop and start services of their own (tests/liveserver.py): a
redis-server on a free port and a PostgreSQL cluster, never the machine's. The
Redis one runs on SQLite and PostgreSQL alike; the PostgreSQL one in CI's
PostgreSQL run. Every wait is bounded.
"""

import asyncio
import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.db.utils import OperationalError
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.throttling import SimpleRateThrottle

from kbapi.edge import outage
from kbapi.edge.response_cache import ResponseCacheMiddleware
from kbapi.edge.version import RedisVersion, reset_version
from kbapi.http import throttling
from tests.kbapi.test_asgi_cache import FakeApp, call, scope
from tests.kbapi.test_errors import assert_error
from tests.liveserver import (
    admin_sql,
    eventually,
    fetch,
    free_port,
    get,
    is_postgresql,
    manage,
    postgres_cluster,
    redis_server,
    throwaway_database,
    uvicorn,
)

needs_postgresql = pytest.mark.skipif(not is_postgresql(), reason="PostgreSQL-specific")
# What the live tests configure: the connect timeout /readyz must answer within, and a
# margin for a loaded machine (a correctness bound on a documented timeout, not a speed test).
DATABASE_CONNECT_TIMEOUT = 2
REDIS_TIMEOUTS = 0.5 + 0.5  # REDIS_CONNECT_TIMEOUT + REDIS_TIMEOUT, the defaults
MARGIN = 3


@pytest.fixture(autouse=True)
def fresh_version():
    yield
    reset_version()  # a test that pointed it at another Redis


def dead_redis_url() -> str:
    """A Redis URL nothing listens at: connections are refused."""
    return f"redis://127.0.0.1:{free_port()}/0"


def redis_cache(url: str) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@pytest.fixture
def throttles_in(monkeypatch):
    """The throttles' counts kept in the cache that ``CACHES`` describes, at low rates."""
    rates = {"anon": "3/minute", "user": "5/minute", "write": "2/minute", "login": "2/minute"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)

    def clear():
        throttling.counters.cache_clear()
        throttling._shared_location.cache_clear()
        throttling.local_counters().clear()

    clear()
    yield
    clear()


# Redis down, in process


def test_throttles_count_in_the_process_while_redis_is_down(anon, small_kb, throttles_in, caplog):
    with override_settings(CACHES=redis_cache(dead_redis_url())), caplog.at_level(logging.WARNING):
        statuses = [anon.get(reverse("tag-list")).status_code for _ in range(6)]
    assert statuses == [200, 200, 200, 429, 429, 429]  # still throttled, never a 500
    warnings = [r for r in caplog.records if r.name == "kbapi.outage"]
    assert len(warnings) == 1 and "Redis" in warnings[0].getMessage()  # once, not per request


def test_a_write_succeeds_while_redis_is_down(editor, small_kb):
    with override_settings(KB_VERSION_REDIS_URL=dead_redis_url()):
        reset_version()
        response = editor.patch(
            reverse("concept-detail", args=["database"]), {"summary": "Kept."}, format="json"
        )
    assert response.status_code == 200, response.content
    assert editor.get(reverse("concept-detail", args=["database"])).json()["summary"] == "Kept."


class SwitchableVersion:
    """A shared version that can be made unreachable, and come back unchanged."""

    def __init__(self):
        self.value = 1
        self.down = False

    async def current(self):
        if self.down:
            raise ConnectionError("redis is down")
        return self.value


def test_what_was_cached_before_redis_went_away_is_not_served_after_it_is_back():
    """Another host may have written while the version could not be read: when Redis
    answers again with the version the entries were stored under, they are not served."""
    version = SwitchableVersion()
    django = FakeApp()
    cached = ResponseCacheMiddleware(django, version=version)
    call(cached, scope())
    assert call(cached, scope())["headers"]["x-cache"] == "hit"
    version.down = True
    call(cached, scope())
    assert django.calls == 2  # to Django while the version cannot be read
    version.down = False
    response = call(cached, scope())
    assert response["headers"]["x-cache"] == "miss" and django.calls == 3


# The database down, in process


def lost_database() -> OperationalError:
    """What Django raises when psycopg cannot reach the server."""
    error = OperationalError("connection failed: Connection refused")
    error.__cause__ = psycopg.OperationalError("connection failed: Connection refused")
    return error


def assert_database_unavailable(response):
    assert_error(response, 503, "database_unavailable")
    assert int(response["Retry-After"]) >= 1
    assert "Traceback" not in response.content.decode()


def test_a_lost_database_is_503_with_retry_after_in_the_api(anon, small_kb, monkeypatch):
    from concepts.api.views import ConceptViewSet

    def fail(self, *args, **kwargs):
        raise lost_database()

    monkeypatch.setattr(ConceptViewSet, "list", fail)
    assert_database_unavailable(anon.get(reverse("concept-list")))


def test_a_lost_database_is_503_with_retry_after_outside_the_api(small_kb, monkeypatch):
    """The admin, and middleware that reads the database (the session), answer alike."""
    from django.contrib.sessions.backends.db import SessionStore

    def fail(self, *args, **kwargs):
        raise lost_database()

    monkeypatch.setattr(SessionStore, "load", fail)
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "x" * 32
    assert_database_unavailable(client.get("/admin/"))


def test_a_failed_query_is_not_taken_for_an_outage(anon, small_kb, monkeypatch):
    """An error with a SQLSTATE of its own (here a statement timeout) is no outage."""
    from concepts.api.views import ConceptViewSet

    error = OperationalError("canceling statement due to statement timeout")
    error.__cause__ = psycopg.errors.QueryCanceled("canceling statement")

    def fail(self, *args, **kwargs):
        raise error

    monkeypatch.setattr(ConceptViewSet, "list", fail)
    response = Client(raise_request_exception=False).get(reverse("concept-list"))
    assert_error(response, 500, "server_error")
    assert not outage.database_breaker().down


def test_readyz_names_each_check_when_all_answer(anon, db):
    body = anon.get("/readyz").json()
    assert body["status"] == "ok" and body["checks"] == {"database": "ok"}


def test_readyz_is_503_naming_redis_when_it_does_not_answer(anon, db):
    with override_settings(CACHES=redis_cache(dead_redis_url()), KB_VERSION_REDIS_URL=""):
        response = anon.get("/readyz")
    body = assert_error(response, 503, "redis_unavailable")
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("down: ")
    assert int(response["Retry-After"]) >= 1


# Live: a Redis of the test's own, stopped and frozen under two uvicorns


def timed(check):
    started = time.monotonic()
    result = check()
    return result, time.monotonic() - started


def read_concept(base: str) -> tuple[int, dict]:
    return get(f"{base}/api/v1/concepts/database/")


def write_summary(port: int, token: str, summary: str) -> int:
    status, _, _ = fetch(
        port,
        "PATCH",
        "/api/v1/concepts/database/",
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        body=json.dumps({"summary": summary}),
    )
    return status


def port_of(base: str) -> int:
    return int(base.rsplit(":", 1)[1])


@pytest.mark.slow
@pytest.mark.django_db
def test_reads_writes_and_readyz_while_redis_is_down_and_after(tmp_path):
    """Two app hosts (their own version files) share a database and a Redis of ours.

    Frozen Redis (it accepts connections, answers nothing): reads answer 200, a
    write on host A succeeds, /readyz names Redis within its timeouts. Thawed, host
    B, which cached the concept before, serves the write. Stopped and started empty:
    the same, and everything recovers without a restart."""
    with (
        redis_server(tmp_path) as redis,
        throwaway_database(tmp_path) as (url, token),
    ):
        env = {"REDIS_URL": redis.url, "RESPONSE_CACHE": "true"}
        with (
            uvicorn(url, KB_VERSION_FILE=str(tmp_path / "a.kbversion"), **env) as (a, _),
            uvicorn(url, KB_VERSION_FILE=str(tmp_path / "b.kbversion"), **env) as (b, _),
        ):
            assert get(f"{a}/readyz") == (
                200,
                {
                    "status": "ok",
                    "database": connection.vendor,
                    "checks": {"database": "ok", "redis": "ok"},
                },
            )
            for _ in range(2):  # host B holds the concept in its response cache
                assert read_concept(b)[0] == 200
            assert fetch(port_of(b), "GET", "/api/v1/concepts/database/")[1]["x-cache"] == "hit"

            redis.pause()
            try:
                (status, body), elapsed = timed(lambda: get(f"{a}/readyz"))
                assert status == 503 and body["code"] == "redis_unavailable", body
                assert body["checks"]["database"] == "ok"
                assert body["checks"]["redis"].startswith("down: ")
                assert elapsed < REDIS_TIMEOUTS + MARGIN
                # host B gets nothing while Redis is frozen: it cannot notice the outage
                assert get(f"{a}/api/v1/concepts/")[0] == 200
                assert write_summary(port_of(a), token, "Written while Redis slept.") == 200
                assert read_concept(a)[1]["summary"] == "Written while Redis slept."
            finally:
                redis.resume()
            # Redis gives B the version B cached under; A announces its write in the background
            assert eventually(
                lambda: read_concept(b)[1].get("summary") == "Written while Redis slept.",
                timeout=15,
            ), "host B still serves what it cached before the write"
            assert eventually(lambda: get(f"{a}/readyz")[0] == 200, timeout=15)

            redis.stop()
            (status, body), elapsed = timed(lambda: get(f"{b}/readyz"))
            assert status == 503 and body["checks"]["redis"].startswith("down: ")
            assert elapsed < REDIS_TIMEOUTS + MARGIN
            for _ in range(3):
                status, headers, _ = fetch(port_of(b), "GET", "/api/v1/concepts/database/")
                assert status == 200 and headers.get("x-cache") != "hit"
            assert write_summary(port_of(b), token, "Written while Redis was gone.") == 200
            redis.start()
            for base in (a, b):
                assert eventually(lambda base=base: get(f"{base}/readyz")[0] == 200, timeout=15)
                assert eventually(
                    lambda base=base: (
                        read_concept(base)[1].get("summary") == "Written while Redis was gone."
                    ),
                    timeout=15,
                )


@pytest.mark.slow
def test_a_restarted_redis_never_hands_out_a_version_seen_before(tmp_path):
    """Redis without persistence forgets the version when it restarts: what a reader
    gets next is new, however many writes follow (a counter would repeat itself)."""
    with redis_server(tmp_path) as redis:
        version = RedisVersion(redis.url, "kbapi:test:version")

        async def scenario():
            seen = set()
            for _ in range(3):
                seen.add(await version.read())
                version.bump()
            redis.stop()
            redis.start()
            first = await version.read()
            version.bump()
            assert first not in seen and await version.read() not in seen | {first}

        asyncio.run(scenario())


# Live: a PostgreSQL cluster of the test's own, stopped and started under uvicorn


@pytest.mark.slow
@pytest.mark.django_db
@needs_postgresql
def test_app_survives_a_database_restart_without_restarting(tmp_path):
    with postgres_cluster(tmp_path) as (port, stop_db, start_db):
        url = f"postgres://postgres@127.0.0.1:{port}/kbapi"
        admin_sql('CREATE DATABASE "kbapi"', url=f"postgres://postgres@127.0.0.1:{port}/postgres")
        manage(url, "migrate", "--noinput", "-v0")
        manage(url, "loadkb", str(Path(__file__).resolve().parents[1] / "fixtures" / "content"))
        with uvicorn(url, DATABASE_CONNECT_TIMEOUT=str(DATABASE_CONNECT_TIMEOUT)) as (base, _):
            assert get(f"{base}/api/v1/concepts/")[0] == 200
            stop_db()
            # requests in flight when the database goes: the first waits the connect
            # timeout, those queued behind it on the worker's thread do not wait it again
            with ThreadPoolExecutor(4) as pool:
                burst = list(
                    pool.map(lambda _: timed(lambda: get(f"{base}/api/v1/concepts/")), range(4))
                )
            for (status, body), elapsed in burst:
                assert status == 503 and body["code"] == "database_unavailable", body
                assert elapsed < DATABASE_CONNECT_TIMEOUT + MARGIN
            (status, body), elapsed = timed(lambda: get(f"{base}/readyz"))
            assert status == 503 and body["code"] == "database_unavailable", body
            assert body["checks"]["database"].startswith("down: ")
            assert elapsed < DATABASE_CONNECT_TIMEOUT + MARGIN
            for path in ("/api/v1/concepts/", "/api/v1/concepts/database/", "/admin/login/"):
                status, headers, raw = fetch(port_of(base), "GET", path)
                assert status in (200, 503) and status != 500, (path, status)
                if path.startswith("/api/"):
                    assert status == 503, (path, status)
                if status == 503:
                    body = json.loads(raw)
                    assert body["code"] == "database_unavailable", body
                    assert {"status", "code", "message"} <= set(body)
                    assert int(headers["retry-after"]) >= 1
            start_db()
            assert eventually(lambda: get(f"{base}/readyz")[0] == 200, timeout=30)
            assert eventually(lambda: get(f"{base}/api/v1/concepts/")[0] == 200, timeout=15)
            status, body = get(f"{base}/api/v1/concepts/")
            assert status == 200 and body["count"] == 3
