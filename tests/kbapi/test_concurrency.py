"""No lost updates across workers: 20 concurrent PATCHes with one If-Match, exactly one wins."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from rest_framework.authtoken.models import Token

from concepts.content import load_folder
from concepts.models import Concept
from tests.conftest import FIXTURE_CONTENT

ROOT = Path(__file__).resolve().parents[2]
WRITERS = 20
TIMEOUT = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@contextmanager
def uvicorn(workers: int, log_path: Path):
    """The app on a free port, against the test database; always stopped afterwards."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "kbapi.settings"}
    command = [sys.executable, "-m", "uvicorn", "kbapi.asgi:application", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers), "--log-level", "warning"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(base, process, log_path)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def wait_until_ready(base: str, process, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"uvicorn exited: {log_path.read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    pytest.fail(f"uvicorn did not become ready: {log_path.read_text()}")


def request(method: str, url: str, *, token: str, etag: str, body: dict) -> int:
    data = json.dumps(body).encode()
    headers = {
        "Authorization": f"Token {token}",
        "Content-Type": "application/json",
        "If-Match": etag,
    }
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_patches_with_one_if_match_let_exactly_one_through(tmp_path):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers and its test database lives in memory")
    load_folder(FIXTURE_CONTENT)
    user = User.objects.create_user("racer", password="racer-pass-123")
    user.groups.add(Group.objects.get(name="editors"))
    token = Token.objects.create(user=user).key
    concept = Concept.objects.get(slug="relational-database")
    history_before = Concept.history.filter(id=concept.pk).count()

    with uvicorn(3, tmp_path / "uvicorn.log") as base:
        url = f"{base}/api/v1/concepts/relational-database/"
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            etag = response.headers["ETag"]
        start = threading.Barrier(WRITERS, timeout=TIMEOUT)
        statuses = [None] * WRITERS

        def write(i: int) -> None:
            start.wait()
            body = {"summary": f"Writer {i} was here."}
            statuses[i] = request("PATCH", url, token=token, etag=etag, body=body)

        threads = [threading.Thread(target=write, args=(i,)) for i in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=TIMEOUT * 2)

    assert sorted(statuses) == [200] + [412] * (WRITERS - 1), statuses
    concept.refresh_from_db()
    assert concept.version == 2
    assert Concept.history.filter(id=concept.pk).count() == history_before + 1
    winner = statuses.index(200)
    assert concept.summary == f"Writer {winner} was here."
