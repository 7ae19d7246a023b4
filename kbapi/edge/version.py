"""The knowledge-base version: one number every write moves on, read on every cache hit.

Two signals carry it, chosen by configuration:

* **A version file** (always): every write appends one byte to a file next to
  the database (or ``KB_VERSION_FILE``); a reader's version is the file's
  inode, size and mtime from one ``stat()``, about a microsecond. It agrees
  across every worker process of one host, needs no service and survives
  restarts of any worker.
* **Redis** (with ``REDIS_URL``): every write ``SET``s a key to a new random
  token; a reader ``GET``s it, one round trip. It agrees across hosts. A token,
  not a counter: a Redis restarted without its data must never hand out a
  value a host has already cached answers under (a counter would count 1, 2,
  3 ... again).

Each write bumps both twice (``kbapi.core`` connects ``bump`` and
``bump_after_commit`` to its signals): inside its transaction (``object_written``), so
a failure to bump the file aborts the write rather than leaving caches stale, and
after commit (``knowledge_changed``), so a read that raced the commit and
cached the old answer under the first bump is invalidated too. The second
bump runs before the writer gets its response, so a client that wrote and
then reads, on any worker, sees its write.

**When Redis is down** (``kbapi.edge.outage``): a reader cannot check the
version across hosts, so the response cache answers nothing from memory (it
drops what it holds and sends every read to Django) until Redis answers
again. A write still commits and bumps the file; the Redis bump it could not
make is kept, and made as soon as Redis answers (the next read of this
process, or a retry in the background every ``REDIS_RETRY_AFTER`` seconds),
so other hosts stop serving what they cached before the write. Redis's
timeouts are ``REDIS_CONNECT_TIMEOUT`` and ``REDIS_TIMEOUT``.

Writes that bypass the services (bulk loads, raw SQL) call ``bump()``.
"""

import hashlib
import logging
import os
import secrets
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings

from kbapi.edge.outage import redis_breaker

logger = logging.getLogger(__name__)


def _database_identity() -> str:
    db = settings.DATABASES["default"]
    return f"{db['ENGINE']}|{db.get('HOST', '')}|{db.get('PORT', '')}|{db['NAME']}"


def default_version_file() -> Path:
    """Beside a SQLite file; for a server database, in the temp dir, named after it."""
    configured = getattr(settings, "KB_VERSION_FILE", "") or os.environ.get("KB_VERSION_FILE")
    if configured:
        return Path(configured)
    db = settings.DATABASES["default"]
    name = str(db["NAME"])
    if (
        db["ENGINE"].endswith("sqlite3")
        and name
        and ":memory:" not in name
        and "mode=memory" not in name
    ):
        return Path(f"{name}.kbversion")
    digest = hashlib.sha1(_database_identity().encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"kbapi-{digest}.kbversion"


class FileVersion:
    """The version of one host: the identity and length of an append-only file."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._fspath = os.fspath(self.path)  # read on every cache hit: no Path per call

    def read(self):
        try:
            st = os.stat(self._fspath)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def bump(self) -> None:
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
        try:
            os.write(fd, b".")
        finally:
            os.close(fd)


def redis_options(*, asynchronous: bool = False) -> dict:
    """Timeouts (``REDIS_CONNECT_TIMEOUT``, ``REDIS_TIMEOUT``) and one retry on a broken
    connection only (a Redis restarted since the last command: one reconnect, refused at
    once if it is still down); a timeout is not retried. A dead Redis so costs one short
    timeout, after which its breaker keeps callers off it for a while."""
    from redis.backoff import NoBackoff
    from redis.exceptions import ConnectionError

    if asynchronous:
        from redis.asyncio.retry import Retry
    else:
        from redis.retry import Retry

    return {
        "socket_connect_timeout": getattr(settings, "REDIS_CONNECT_TIMEOUT", 0.5),
        "socket_timeout": getattr(settings, "REDIS_TIMEOUT", 0.5),
        "retry": Retry(NoBackoff(), 1, supported_errors=(ConnectionError,)),
    }


def redis_errors() -> tuple:
    from redis.exceptions import RedisError

    return (RedisError, OSError)


class Unavailable(Exception):
    """Redis is down (its breaker is open): the shared version cannot be read."""


class RedisVersion:
    """The version shared by every host: a token in Redis that every write replaces."""

    def __init__(self, url: str, key: str):
        self.url = url
        self.key = key
        self.breaker = redis_breaker(url)
        self.errors = redis_errors()
        self._sync = None
        self._async = None
        self._pending = False  # a write this process could not announce yet
        self._lock = threading.Lock()
        self._retrier: threading.Thread | None = None

    def _sync_client(self):
        if self._sync is None:
            import redis

            self._sync = redis.Redis.from_url(self.url, **redis_options())
        return self._sync

    def _async_client(self):
        if self._async is None:
            import redis.asyncio

            self._async = redis.asyncio.Redis.from_url(self.url, **redis_options(asynchronous=True))
        return self._async

    def bump(self) -> None:
        """Announce a write; when Redis is down, keep it for later instead of failing it."""
        self._pending = True
        if self.breaker.available() and self._announce():
            return
        self._retry_later()

    def _announce(self) -> bool:
        """Replace the token (the kept write included); whether Redis took it."""
        self._pending = False  # before the SET: a write that comes during it keeps its own
        try:
            self._sync_client().set(self.key, new_token())
        except self.errors as exc:
            self._pending = True
            self.breaker.failed(exc)
            return False
        self.breaker.succeeded()
        return True

    def _retry_later(self) -> None:
        with self._lock:
            if self._retrier is None:
                self._retrier = threading.Thread(
                    target=self._retry, name="kbapi-version-retry", daemon=True
                )
                self._retrier.start()

    def _retry(self) -> None:
        """In the background, every ``retry_after`` seconds: the kept write, until Redis
        takes it (a process that serves no more reads announces it all the same)."""
        while True:
            time.sleep(self.breaker.retry_after)
            with self._lock:
                if not self._pending:
                    self._retrier = None
                    return
            if self.breaker.available():
                self._announce()

    async def read(self):
        """The token; raises when Redis cannot be asked (its breaker is open) or fails."""
        if not self.breaker.available():
            raise Unavailable(self.breaker.reason)
        client = self._async_client()
        try:
            if self._pending:  # Redis is back: first announce this process's kept write
                self._pending = False
                try:
                    await client.set(self.key, new_token())
                except BaseException:
                    self._pending = True
                    raise
            value = await client.get(self.key)
            if value is None:  # a new (or emptied) Redis: a token no host has seen
                await client.set(self.key, new_token(), nx=True)
                value = await client.get(self.key)
        except self.errors as exc:
            self.breaker.failed(exc)
            raise
        self.breaker.succeeded()
        return value


def new_token() -> str:
    return secrets.token_hex(8)


class KnowledgeVersion:
    """What the response cache compares: the file version, plus Redis's when configured."""

    def __init__(self, file: FileVersion, shared: RedisVersion | None = None):
        self.file = file
        self.shared = shared

    async def current(self):
        if self.shared is None:
            return self.file.read()
        return (self.file.read(), await self.shared.read())

    def bump(self) -> None:
        self.file.bump()
        if self.shared is not None:
            self.shared.bump()


_version: KnowledgeVersion | None = None


def get_version() -> KnowledgeVersion:
    """The process's knowledge-base version, built from settings on first use."""
    global _version
    if _version is None:
        redis_url = getattr(settings, "KB_VERSION_REDIS_URL", "")
        shared = None
        if redis_url:
            key = "kbapi:kb-version:" + hashlib.sha1(_database_identity().encode()).hexdigest()[:16]
            shared = RedisVersion(redis_url, key)
        _version = KnowledgeVersion(FileVersion(default_version_file()), shared)
    return _version


def reset_version() -> None:
    """Forget the configured version (tests that change settings)."""
    global _version
    _version = None


def bump(**_kwargs) -> None:
    """Move the knowledge-base version on: every cached answer is stale now."""
    get_version().bump()


def bump_after_commit(**_kwargs) -> None:
    """The second bump; the write is committed, so a failure is logged, not raised."""
    try:
        bump()
    except Exception:
        logger.exception("could not bump the knowledge-base version after a commit")
