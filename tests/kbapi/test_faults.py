"""Faults: the database's connections killed, uvicorn stopped mid-request.

Each runs a real uvicorn against a throwaway database (tests/liveserver.py). The
PostgreSQL ones skip on SQLite only because they are about PostgreSQL; CI's
PostgreSQL run runs them. Every wait is bounded; servers are always stopped.
Outages of the database and of Redis, stopped and started again: test_outages.py.
"""

import signal
import threading
from urllib.error import URLError
from urllib.request import urlopen

import pytest

from tests.liveserver import (
    admin_sql,
    eventually,
    get,
    is_postgresql,
    throwaway_database,
    uvicorn,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
needs_postgresql = pytest.mark.skipif(not is_postgresql(), reason="PostgreSQL-specific")


@needs_postgresql
def test_app_keeps_serving_after_its_connections_are_terminated(tmp_path):
    with throwaway_database(tmp_path) as (url, _), uvicorn(url) as (base, _):
        assert get(f"{base}/api/v1/concepts/")[0] == 200
        name = url.rsplit("/", 1)[1]
        admin_sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        )
        for _ in range(5):  # started after the kill: each succeeds, with no restart
            status, body = get(f"{base}/api/v1/concepts/")
            assert status == 200 and body["count"] == 3
        assert get(f"{base}/readyz")[0] == 200


def test_uvicorn_finishes_requests_in_flight_when_told_to_stop(tmp_path):
    mark = tmp_path / "arrived"
    with (
        throwaway_database(tmp_path) as (url, _),
        uvicorn(url, app="tests.slow_asgi:application", KBAPI_TEST_MARK=str(mark)) as (
            base,
            server,
        ),
    ):
        result = {}

        def slow_request():
            result["response"] = get(f"{base}/api/v1/concepts/", headers={"X-Test-Delay": "2"})

        client = threading.Thread(target=slow_request)
        client.start()
        assert eventually(mark.exists, timeout=15, interval=0.05), "the request never arrived"
        server.send_signal(signal.SIGTERM)
        client.join(timeout=30)
        assert not client.is_alive()
        status, body = result["response"]
        assert status == 200 and body["count"] == 3  # the request in flight was finished
        # uvicorn re-raises the signal once it has shut down cleanly
        assert server.wait(timeout=30) in (0, -signal.SIGTERM)
        with pytest.raises((URLError, ConnectionError, OSError)):
            urlopen(f"{base}/healthz", timeout=5)
