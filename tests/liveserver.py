"""A real uvicorn serving kbapi on a free 127.0.0.1 port, against a throwaway database.

The throwaway database is a SQLite file in a temporary folder, or a fresh
PostgreSQL database on the server the suite runs against (dropped afterwards);
``throwaway_database`` migrates it and loads the small fixture content, and
adds an editor with an API token. Services a test may stop and start again are
its own: a PostgreSQL cluster (``postgres_cluster``) and a Redis
(``redis_server``), never the machine's. Every wait is bounded, and every
server (uvicorn with all its workers, the cluster, Redis) is always stopped.
"""

import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager, nullcontext
from glob import glob
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import quote
from urllib.request import Request, urlopen

import pytest
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
from content.loader import load_folder
load_folder(Path({content!r}))
user = User.objects.create_user("editor", password="editor-pass-123")
user.groups.add(Group.objects.get(name="editors"))
print(Token.objects.create(user=user).key)
"""


def make_run_options() -> list[str]:
    """uvicorn's options in the Makefile's ``run`` recipe, but the address and the number
    of workers, which the caller picks: the live server starts the app as ``make run`` does."""
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    line = next(line for line in recipe.splitlines() if "uvicorn kbapi.asgi:application" in line)
    words = shlex.split(line.split("kbapi.asgi:application", 1)[1])
    options = []
    while words:
        word = words.pop(0)
        if word in ("--host", "--port", "--workers"):
            words.pop(0)
            continue
        assert "$" not in word, f"the Makefile's run recipe: {word} (a make variable)"
        options.append(word)
    return options


def fetch(port: int, method: str, path: str, headers=None, body=None, timeout: float = 30):
    """(status, lower-cased headers, body) of one request on a connection of its own, so
    consecutive requests may reach different workers."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data
    finally:
        conn.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def is_postgresql() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def postgres_url(name: str, port: int | None = None) -> str:
    db = settings.DATABASES["default"]
    auth = quote(db.get("USER") or "postgres", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    return (
        f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{port or db.get('PORT') or 5432}/{name}"
    )


def admin_sql(sql: str, url: str | None = None) -> None:
    import psycopg  # production's driver (psycopg2 is the bench's only)

    with psycopg.connect(
        url or postgres_url("postgres"), connect_timeout=5, autocommit=True
    ) as connection:
        connection.execute(sql)


def child_env(database_url: str, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_ENV"))}
    env.update(DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="kbapi.settings", DEBUG="false")
    env.pop("REDIS_URL", None)
    env.update(extra)
    return env


def manage(database_url: str, *args: str, timeout: int = 180, **env: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=child_env(database_url, **env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@contextmanager
def empty_database(folder: Path, *, sqlite: bool = False):
    """The URL of a new, empty database: on a PostgreSQL run a fresh database on that
    server (dropped afterwards), else a SQLite file in ``folder``; ``sqlite=True``: always."""
    if sqlite or not is_postgresql():
        yield f"sqlite:///{folder / 'live.sqlite3'}"
        return
    name = f"kbapi_live_{uuid.uuid4().hex[:10]}"
    admin_sql(f'CREATE DATABASE "{name}"')
    try:
        # a throwaway database needs no durable commits; thousands of fuzzed writes go faster
        admin_sql(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
        yield postgres_url(name)
    finally:
        admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def loaded_server(folder: Path, *commands: tuple[str, ...], **env: str):
    """(base_url, database_url) of uvicorn serving a database of its own, migrated and loaded
    with the real knowledge base as `make run` does, after any further manage.py
    ``commands`` (e.g. createsuperuser); ``env`` goes to those commands and the server."""
    with empty_database(folder) as database_url:
        manage(database_url, "migrate", "--noinput", "-v0", timeout=300)
        manage(database_url, "loadkb", timeout=300)
        for command in commands:
            manage(database_url, *command, timeout=300, **env)
        server = uvicorn(
            database_url, log=folder / "uvicorn.log", ready="/readyz", timeout=90, **env
        )
        with server as (url, _):
            yield url, database_url


@contextmanager
def throwaway_database(folder: Path, *, sqlite: bool = False, **env: str):
    """(database_url, editor_token) of a migrated database holding the fixture content."""
    with empty_database(folder, sqlite=sqlite) as url:
        manage(url, "migrate", "--noinput", "-v0", **env)
        setup = SETUP.format(content=str(FIXTURE_CONTENT))
        token = manage(url, "shell", "-c", setup, **env).strip()
        yield url, token.splitlines()[-1]


@contextmanager
def uvicorn(
    database_url: str,
    *,
    app: str = "kbapi.asgi:application",
    workers: int = 1,
    log: Path | None = None,
    ready: str = "/healthz",
    timeout: float = 60,
    **env: str,
):
    """Serve ``app`` on a free port; yields (base_url, process) once ``ready`` answers 200.

    The port is bound here and handed to uvicorn, so nothing can take it in between.
    The server leads its own process group, so stopping it reaches every worker.

    uvicorn opens an inherited descriptor as a Unix socket and so never sets
    ``TCP_NODELAY`` on its connections: on a kept-alive connection each response
    then waits ~40 ms for the client's delayed ACK. Set on the listener, the
    option is inherited by every connection it accepts (Linux).
    """
    listener = socket.socket()
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    listener.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{listener.getsockname()[1]}"
    command = [sys.executable, "-m", "uvicorn", app, "--fd", str(listener.fileno())]
    command += ["--workers", str(workers), "--log-level", "warning"]
    command += ["--timeout-graceful-shutdown", "10", *make_run_options()]
    with listener, log.open("wb") if log else nullcontext(subprocess.DEVNULL) as out:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=child_env(database_url, **{**UNTHROTTLED, **env}),
            stdout=out,
            stderr=subprocess.STDOUT,
            pass_fds=[listener.fileno()],
            start_new_session=True,
        )
    try:
        wait_until_up(f"{base}{ready}", process, timeout, log)
        yield base, process
    finally:
        stop(process)


def wait_until_up(url: str, process: subprocess.Popen, timeout: float, log: Path | None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"uvicorn exited with {process.returncode}{_tail(log)}")
        try:
            with urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (URLError, ConnectionError, OSError):
            pass
        time.sleep(0.2)
    pytest.fail(f"{url} did not answer 200 within {timeout} s{_tail(log)}")


def _tail(log: Path | None) -> str:
    return f":\n{log.read_text(errors='replace')[-3000:]}" if log and log.exists() else ""


def stop(process: subprocess.Popen, timeout: float = 20) -> None:
    """SIGTERM to the server's process group, then SIGKILL if it has not ended in time."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


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


@contextmanager
def postgres_cluster(tmp_path: Path):
    """A throwaway PostgreSQL cluster we may stop and start; yields (port, stop, start)."""
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


class RedisServer:
    """A redis-server of the test's own on a free 127.0.0.1 port, without persistence:
    ``stop`` ends it (its data goes with it), ``start`` starts a new one on the same port,
    ``pause``/``resume`` freeze and thaw it (it accepts connections but answers nothing)."""

    def __init__(self, binary: str, folder: Path):
        self.binary = binary
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.folder)]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self.folder
        )
        if not eventually(self.answers, timeout=15, interval=0.05):
            self.stop()
            pytest.fail(f"redis-server did not answer on port {self.port}")

    def answers(self) -> bool:
        import redis

        try:
            return redis.Redis(port=self.port, socket_timeout=1).ping()
        except (redis.RedisError, OSError):
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)  # a paused server cannot end
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def pause(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)


@contextmanager
def redis_server(folder: Path):
    """A running :class:`RedisServer`, always stopped afterwards."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("KBAPI_REQUIRE_TOOLS") == "1":
            pytest.fail("redis-server is required here but not installed")
        pytest.skip("redis-server is not installed (CI installs it)")
    server = RedisServer(binary, folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()
