"""A response cache in front of Django, checked against the knowledge-base version.

The knowledge base is read far more than it is written, so an anonymous GET or
HEAD under ``/api/v1/`` whose answer has not changed is served from memory
here, without entering Django. Correctness rests on three rules:

* **The version.** Every write bumps the knowledge-base version (see
  ``kbapi.edge.version``), both inside its transaction and again after it
  commits, before the writer's response is sent. An entry records the version
  read *before* Django computed it and is served only while the version is
  unchanged, so after a write no worker (and, with Redis, no host) serves
  the old answer. While the version cannot be read (Redis down), nothing is
  served from memory: the entries are dropped and Django answers.
* **The key.** Method, path, the full query string (``?fields=``, ``?expand=``,
  ``?format=``, paging) and every request header a response may depend on:
  ``Host`` and the forwarded scheme/host (absolute URLs), ``Accept``, and
  ``Origin`` (CORS headers). A response whose ``Vary`` names any other header
  is not stored.
* **What is never cached.** Requests with ``Authorization`` or a session
  cookie (user-dependent); responses other than 200; responses with
  ``Set-Cookie`` or ``Cache-Control: private / no-store``.

A stored entry keeps the status, headers and body; on a hit the request id is
fresh (``kbapi.edge.request_log`` wraps this) and ``If-None-Match`` is answered
with 304 from the entry's ETag. Django's caching policy (``kbapi.http.caching``)
gives every read it answers its ``Cache-Control`` and an ``ETag`` (lists too),
so hits and these 304s carry exactly the headers Django's answer had (but
the RateLimit fields, below); the cache adds none of its own but ``X-Cache``.
Memory is bounded (LRU over entries and bytes). Cache hits skip DRF's
throttles: they cost next to nothing, are not counted, and carry no
``RateLimit``/``RateLimit-Policy`` (those of the miss that stored the entry
described another client's count and are not stored).
"""

from collections import OrderedDict
from dataclasses import dataclass, replace

from kbapi.edge.etags import none_match

API_PREFIX = "/api/v1/"
KEY_HEADERS = (b"host", b"accept", b"origin", b"x-forwarded-proto", b"x-forwarded-host")
# Vary on these is fine: a request that carries a session or credentials is never cached.
HARMLESS_VARY = {"cookie", "authorization", "accept-encoding"}
HIT = (b"x-cache", b"hit")
MISS = (b"x-cache", b"miss")
RATELIMIT_HEADERS = {b"ratelimit", b"ratelimit-policy"}  # kbapi.http.throttling
NOT_MODIFIED_HEADERS = {
    b"etag",
    b"vary",
    b"cache-control",
    b"content-location",
    b"expires",
    b"last-modified",
}


@dataclass(slots=True)
class Entry:
    """One cached response and the knowledge-base version it was computed at."""

    version: object
    status: int
    headers: list
    body: bytes
    etag: bytes

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + 200


class LRUStore:
    """Entries bounded by count and by total bytes; the least recently used go first."""

    def __init__(self, max_entries: int, max_bytes: int):
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict[tuple, Entry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key) -> Entry | None:
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry

    def put(self, key, entry: Entry) -> None:
        if entry.size > self.max_bytes:
            return
        self.discard(key)
        self._entries[key] = entry
        self.bytes += entry.size
        while len(self._entries) > self.max_entries or self.bytes > self.max_bytes:
            _, oldest = self._entries.popitem(last=False)
            self.bytes -= oldest.size

    def discard(self, key) -> None:
        old = self._entries.pop(key, None)
        if old is not None:
            self.bytes -= old.size

    def clear(self) -> None:
        self._entries.clear()
        self.bytes = 0


def request_key(scope, session_cookie: bytes):
    """The cache key of a request, or None when it must not be served from the cache."""
    if scope["method"] not in ("GET", "HEAD") or not scope["path"].startswith(API_PREFIX):
        return None
    wanted = dict.fromkeys(KEY_HEADERS, b"")
    validators = set()
    for name, value in scope["headers"]:
        if name == b"authorization":
            return None
        if name in (b"if-modified-since", b"if-none-match"):
            validators.add(name)
        if name == b"cookie" and session_cookie in value:
            return None
        if name in wanted:
            if wanted[name]:  # repeated header: keep them all, in order
                value = wanted[name] + b"\n" + value
            wanted[name] = value
    if validators == {b"if-modified-since"}:
        # Only Django knows the object's own Last-Modified (If-None-Match wins when both come).
        return None
    return (
        scope["method"],
        scope.get("scheme", "http"),
        scope["path"],
        scope.get("query_string", b""),
        *wanted.values(),
    )


def storable(status: int, headers) -> bool:
    """Whether a response may be served to other anonymous requests with the same key."""
    if status != 200:
        return False
    for name, value in headers:
        if name == b"set-cookie":
            return False
        if name == b"cache-control":
            directives = value.decode("latin-1").lower()
            if "private" in directives or "no-store" in directives:
                return False
        if name == b"vary":
            varied = {v.strip().lower() for v in value.decode("latin-1").split(",")}
            if "*" in varied or varied - HARMLESS_VARY - {h.decode() for h in KEY_HEADERS}:
                return False
    return True


def _header(headers, wanted: bytes) -> bytes | None:
    for name, value in headers:
        if name == wanted:
            return value
    return None


class ResponseCacheMiddleware:
    """ASGI middleware: answer unchanged anonymous API reads from memory."""

    def __init__(self, app, *, version, max_entries=2000, max_bytes=32 * 1024 * 1024,
                 max_entry_bytes=1024 * 1024, session_cookie="sessionid"):  # fmt: skip
        self.app = app
        self.version = version
        self.store = LRUStore(max_entries, max_bytes)
        self.max_entry_bytes = max_entry_bytes
        self.session_cookie = session_cookie.encode("latin-1")
        self.hits = 0
        self.misses = 0

    async def __call__(self, scope, receive, send):
        key = request_key(scope, self.session_cookie) if scope["type"] == "http" else None
        if key is None:
            if scope["type"] == "http":
                scope["kbapi.cache"] = "bypass"
            return await self.app(scope, receive, send)
        try:
            version = await self.version.current()
        except Exception:
            # The shared version is unreachable (Redis is down): another host may have
            # written meanwhile, so nothing held here can be trusted, now or once Redis
            # answers again (it may answer with the version these entries were stored
            # under). Drop them all and let Django answer until then.
            self.store.clear()
            scope["kbapi.cache"] = "bypass"
            return await self.app(scope, receive, send)
        entry = self.store.get(key)
        if entry is not None and entry.version == version:
            self.hits += 1
            scope["kbapi.cache"] = "hit"
            return await self._send_entry(entry, scope, send, HIT)
        self.misses += 1
        scope["kbapi.cache"] = "miss"
        await self._miss(key, version, scope, receive, send)

    async def _miss(self, key, version, scope, receive, send):
        """Let Django answer without the client's validators, store a 200, then reply."""
        if_none_match = _header(scope["headers"], b"if-none-match")
        if if_none_match is not None:
            headers = [(k, v) for k, v in scope["headers"] if k != b"if-none-match"]
            scope = {**scope, "headers": headers}
        start = None
        chunks: list[bytes] = []
        size = 0
        passthrough = False

        async def capture(message):
            nonlocal start, size, passthrough
            if passthrough:
                return await send(message)
            if message["type"] == "http.response.start":
                start = message
                return None
            if message["type"] != "http.response.body":
                return await send(message)
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if size > self.max_entry_bytes:
                passthrough = True  # too big or not storable: stream the rest unchanged
                await send(start)
                await send(
                    {"type": "http.response.body", "body": b"".join(chunks), "more_body": more}
                )
                return None
            if not more:
                await self._finish(
                    key, version, start, b"".join(chunks), if_none_match, scope, send
                )
            return None

        await self.app(scope, receive, capture)

    async def _finish(self, key, version, start, body, if_none_match, scope, send):
        # Django sends header names as written ("Content-Type"); ASGI asks for lowercase.
        headers = [(k.lower(), v) for k, v in start.get("headers", ())]
        if not storable(start["status"], headers):
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        entry = Entry(version, start["status"], headers, body, _header(headers, b"etag") or b"")
        if scope["method"] == "GET" or not body:
            # the RateLimit fields were this client's count: a hit is not counted
            kept = [(k, v) for k, v in headers if k not in RATELIMIT_HEADERS]
            stored = entry if len(kept) == len(headers) else replace(entry, headers=kept)
            self.store.put(key, stored)
        if if_none_match is not None:
            scope = {**scope, "headers": [*scope["headers"], (b"if-none-match", if_none_match)]}
        await self._send_entry(entry, scope, send, MISS)

    async def _send_entry(self, entry: Entry, scope, send, how):
        if_none_match = _header(scope["headers"], b"if-none-match")
        if if_none_match is not None and none_match(
            if_none_match.decode("latin-1"), entry.etag.decode("latin-1")
        ):
            headers = [
                (k, v)
                for k, v in entry.headers
                if k in NOT_MODIFIED_HEADERS or k.startswith(b"access-control-")
            ]
            headers.append(how)
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        await send(
            {
                "type": "http.response.start",
                "status": entry.status,
                "headers": [*entry.headers, how],
            }
        )
        await send(
            {"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else entry.body}
        )
