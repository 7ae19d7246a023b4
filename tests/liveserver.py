"""A real uvicorn serving kbapi on a free 127.0.0.1 port, against a throwaway database.

The throwaway database is a SQLite file in a temporary folder, or a fresh
PostgreSQL database on the server the suite runs against (dropped afterwards);
it is migrated and loaded with the small fixture content, and has an editor
with an API token. Every wait is bounded, and the server is always stopped.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_CONTENT = ROOT / "tests" / "fixtures" / "content"
UNTHROTTLED = {
    "THROTTLE_ANON": "1000000/second",
    "THROTTLE_USER": "1000000/second",
    "THROTTLE_WRITE": "1000000/second",
}
SETUP = """
from pathlib import Path
from django.contrib.auth.models import Group, User
from rest_framework.authtoken.models import Token
from concepts.content import load_folder
load_folder(Path({content!r}))
user = User.objects.create_user("editor", password="editor-pass-123")
user.groups.add(Group.objects.get(name="editors"))
print(Token.objects.create(user=user).key)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def is_postgresql() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def postgres_url(name: str, port: int | None = None) -> str:
    db = settings.DATABASES["default"]
    auth = db.get("USER") or "postgres"
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    return (
        f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{port or db.get('PORT') or 5432}/{name}"
    )


def admin_sql(sql: str, url: str | None = None) -> None:
    import psycopg2

    connection = psycopg2.connect(url or postgres_url("postgres"), connect_timeout=5)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()


def child_env(database_url: str, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_ENV"))}
    env.update(DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="kbapi.settings", DEBUG="false")
    env.pop("REDIS_URL", None)
    env.update(extra)
    return env


def manage(database_url: str, *args: str, timeout: int = 180) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=child_env(database_url),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@contextmanager
def throwaway_database(tmp_path: Path):
    """(database_url, editor_token) of a migrated database holding the fixture content."""
    if is_postgresql():
        name = f"kbapi_live_{uuid.uuid4().hex[:10]}"
        admin_sql(f'CREATE DATABASE "{name}"')
        # a throwaway database needs no durable commits; thousands of fuzzed writes go faster
        admin_sql(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
        url = postgres_url(name)
    else:
        name, url = None, f"sqlite:///{tmp_path / 'live.sqlite3'}"
    try:
        manage(url, "migrate", "--noinput", "-v0")
        token = manage(url, "shell", "-c", SETUP.format(content=str(FIXTURE_CONTENT))).strip()
        yield url, token.splitlines()[-1]
    finally:
        if name:
            admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def uvicorn(database_url: str, *, app: str = "kbapi.asgi:application", log=None, **env: str):
    """Serve ``app`` on a free port; yields (base_url, process). Stops it (SIGTERM, then kill)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
        + ["--log-level", "warning", "--timeout-graceful-shutdown", "10"],
        cwd=ROOT,
        env=child_env(database_url, **{**UNTHROTTLED, **env}),
        stdout=log or subprocess.DEVNULL,
        stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process)
        yield base, process
    finally:
        stop(process)


def wait_until_up(base: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {process.returncode}")
        try:
            with urlopen(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (URLError, ConnectionError, OSError):
            time.sleep(0.2)
    raise TimeoutError(f"uvicorn did not answer on {base} within {timeout} s")


def stop(process: subprocess.Popen, timeout: float = 20) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
