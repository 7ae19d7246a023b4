"""Faults: the database's connections killed, the database restarted, uvicorn stopped mid-request.

Each runs a real uvicorn against a throwaway database (tests/liveserver.py). The
PostgreSQL ones skip on SQLite only because they are about PostgreSQL; CI's
PostgreSQL run runs them. Every wait is bounded; servers and clusters are
always stopped.
"""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from contextlib import contextmanager
from glob import glob
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

import pytest

from tests.liveserver import (
    admin_sql,
    free_port,
    is_postgresql,
    manage,
    throwaway_database,
    uvicorn,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
needs_postgresql = pytest.mark.skipif(not is_postgresql(), reason="PostgreSQL-specific")


def get(url: str, timeout: float = 15, headers: dict | None = None) -> tuple[int, dict]:
    """Status and JSON body; an HTTP error status is returned, not raised."""
    try:
        with urlopen(Request(url, headers=headers or {}), timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"{}")
    except HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def eventually(check, timeout: float = 20, interval: float = 0.2):
    """The first truthy result of ``check()`` within ``timeout`` seconds, else the last one."""
    deadline = time.monotonic() + timeout
    result = check()
    while not result and time.monotonic() < deadline:
        time.sleep(interval)
        result = check()
    return result


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


@contextmanager
def postgres_cluster(tmp_path: Path):
    """A throwaway PostgreSQL cluster we may stop and start; yields (port, pg_ctl)."""
    bins = sorted(glob("/usr/lib/postgresql/*/bin"))
    if not bins:
        pytest.skip("no PostgreSQL server binaries in /usr/lib/postgresql")
    bin_dir = Path(bins[-1])
    # not under pytest's tmp_path: the postgres user cannot enter root's private folders
    root = Path(tempfile.mkdtemp(prefix="kbapi-pg-"))
    runas = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        runas = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    data = root / "data"

    def pg_ctl(*args: str) -> None:
        subprocess.run(
            [*runas, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), *args],
            check=True,
            timeout=60,
            capture_output=True,
        )

    try:
        yield from _running_cluster(runas, bin_dir, root, data, port, pg_ctl)
    finally:
        subprocess.run(
            [*runas, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            timeout=60,
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


def _running_cluster(runas, bin_dir, root, data, port, pg_ctl):
    subprocess.run(
        [*runas, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"],
        check=True,
        timeout=120,
        capture_output=True,
    )
    options = f"-h 127.0.0.1 -p {port} -k {root}"
    start = ("-w", "-t", "30", "-o", options, "start")
    pg_ctl(*start)
    yield port, lambda: pg_ctl("-w", "-t", "30", "-m", "fast", "stop"), lambda: pg_ctl(*start)


@needs_postgresql
def test_app_survives_a_database_restart_without_restarting(tmp_path):
    with postgres_cluster(tmp_path) as (port, stop_db, start_db):
        url = f"postgres://postgres@127.0.0.1:{port}/kbapi"
        admin_sql('CREATE DATABASE "kbapi"', url=f"postgres://postgres@127.0.0.1:{port}/postgres")
        manage(url, "migrate", "--noinput", "-v0")
        manage(url, "loadkb", str(Path(__file__).resolve().parents[1] / "fixtures" / "content"))
        with uvicorn(url, DATABASE_CONNECT_TIMEOUT="2") as (base, _):
            assert get(f"{base}/api/v1/concepts/")[0] == 200
            stop_db()
            status, body = get(f"{base}/readyz")
            assert status == 503 and body["code"] == "database_unavailable"
            status, body = get(f"{base}/api/v1/concepts/")  # an error in our shape, not a hang
            assert status in (500, 503) and {"status", "code", "message"} <= set(body)
            start_db()
            assert eventually(lambda: get(f"{base}/readyz")[0] == 200)
            status, body = get(f"{base}/api/v1/concepts/")
            assert status == 200 and body["count"] == 3


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
