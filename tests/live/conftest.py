"""A live kbapi under uvicorn, for the tests that drive it like its users do.

One server per test session, on a free 127.0.0.1 port, serving its own
database: a temporary SQLite file, or a throwaway PostgreSQL database on the
server the suite runs against. It is migrated and loaded with the real
knowledge base, and has a superuser for the admin.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 90
ADMIN = ("live-admin", "live-admin-pass-123")


@dataclass(frozen=True)
class LiveApp:
    url: str  # http://127.0.0.1:PORT, no trailing slash
    admin_username: str
    admin_password: str


def _run(args, env, timeout=300):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stderr[-3000:]}"


def _postgres_database(url: str, name: str, action: str) -> None:
    import psycopg2

    parts = urlsplit(url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    connection = psycopg2.connect(admin_url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(
            f'{action} DATABASE "{name}"' + (" WITH (FORCE)" if action == "DROP" else "")
        )
    connection.close()


def _wait_ready(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"uvicorn exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(f"uvicorn did not get ready in {START_TIMEOUT}s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def live_app():
    workdir = Path(tempfile.mkdtemp(prefix="kbapi-live-"))
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ENV"}
    base_url = os.environ.get("DATABASE_URL", "")
    pg_name = None
    if base_url.startswith(("postgres://", "postgresql://")):
        pg_name = f"kbapi_live_{os.getpid()}"
        _postgres_database(base_url, pg_name, "CREATE")
        env["DATABASE_URL"] = urlunsplit(urlsplit(base_url)._replace(path=f"/{pg_name}"))
    else:
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'db.sqlite3'}"
    env.update(
        DEBUG="false",
        SERVE_STATIC="true",
        DJANGO_SUPERUSER_USERNAME=ADMIN[0],
        DJANGO_SUPERUSER_PASSWORD=ADMIN[1],
        DJANGO_SUPERUSER_EMAIL="admin@example.com",
    )
    server = None
    try:
        _run(["migrate", "--noinput", "-v0"], env)
        _run(["loadkb"], env)
        _run(["createsuperuser", "--noinput"], env)
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        log = workdir / "uvicorn.log"
        with log.open("w") as out:
            server = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "kbapi.asgi:application"]
                + ["--fd", str(listener.fileno()), "--log-level", "warning"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                pass_fds=[listener.fileno()],
            )
        listener.close()
        _wait_ready(url, server, log)
        yield LiveApp(url, *ADMIN)
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=15)
        if pg_name:
            _postgres_database(base_url, pg_name, "DROP")
