"""The knowledge-base version: one number every write moves on, read on every cache hit.

Two signals carry it, chosen by configuration:

* **A version file** (always): every write appends one byte to a file next to
  the database (or ``KB_VERSION_FILE``); a reader's version is the file's
  inode, size and mtime from one ``stat()``, about a microsecond. It agrees
  across every worker process of one host, needs no service and survives
  restarts of any worker.
* **Redis** (with ``REDIS_URL``): every write ``INCR``s a key; a reader
  ``GET``s it, one round trip. It agrees across hosts.

Each write bumps both twice (``kbapi.core`` connects ``bump`` and
``bump_after_commit`` to its signals): inside its transaction (``object_written``), so
a failure to bump aborts the write rather than leaving caches stale, and
after commit (``knowledge_changed``), so a read that raced the commit and
cached the old answer under the first bump is invalidated too. The second
bump runs before the writer gets its response, so a client that wrote and
then reads, on any worker, sees its write.

Writes that bypass the services (bulk loads, raw SQL) call ``bump()``.
"""

import hashlib
import logging
import os
import tempfile
from pathlib import Path

from django.conf import settings

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


class RedisVersion:
    """The version shared by every host: a counter in Redis."""

    def __init__(self, url: str, key: str):
        self.url = url
        self.key = key
        self._sync = None
        self._async = None

    def bump(self) -> None:
        if self._sync is None:
            import redis

            self._sync = redis.Redis.from_url(self.url, socket_timeout=2)
        self._sync.incr(self.key)

    async def read(self):
        if self._async is None:
            import redis.asyncio

            self._async = redis.asyncio.Redis.from_url(self.url, socket_timeout=2)
        return await self._async.get(self.key)


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
