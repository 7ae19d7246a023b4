"""Who the client is and which scheme it used: ``TRUSTED_PROXIES``, the one rule.

uvicorn runs with ``--no-proxy-headers`` wherever kbapi is started (``make
run``, the Dockerfile, the tests' live server, the benchmark), so the scope's
``client`` is the socket's peer and its ``scheme`` that of the connection. This
layer, the outermost, decides what the forwarded headers may change:

* from a peer in ``TRUSTED_PROXIES`` (addresses or networks), ``client``
  becomes the address the proxies report in ``X-Forwarded-For``: read from the
  right (each proxy appends the address it received the request from), the
  first address that is not itself a trusted proxy. The entries on its left are
  whatever the client sent and are never read. ``scheme`` becomes
  ``X-Forwarded-Proto`` (``http`` or ``https``, its first value).
* from any other peer both headers are removed, so nothing below can believe them.

Django reads ``client`` as ``REMOTE_ADDR`` (the throttles count anonymous
clients by it) and ``scheme`` as ``request.is_secure()`` (the SSL redirect,
secure cookies, CSRF's origin check). An ``X-Forwarded-For`` entry that is no
address ends the walk at the last trusted hop: no one can mint a fresh identity.
"""

import ipaddress
from functools import lru_cache

FORWARDED_FOR = b"x-forwarded-for"
FORWARDED_PROTO = b"x-forwarded-proto"
FORWARDED = (FORWARDED_FOR, FORWARDED_PROTO)
SCHEMES = {b"http": "http", b"https": "https"}


def parse_address(entry: str) -> str | None:
    """The address of one ``X-Forwarded-For`` entry (a port or IPv6 brackets stripped),
    normalized; None when it is not an address (``unknown``, garbage)."""
    entry = entry.strip()
    if entry.startswith("["):  # [2001:db8::1]:4711
        entry = entry[1 : entry.find("]")] if "]" in entry else ""
    elif entry.count(":") == 1:  # 192.0.2.1:4711
        entry = entry.split(":")[0]
    try:
        address = ipaddress.ip_address(entry)
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address)


class TrustedProxies:
    """The addresses and networks of the proxies in front of the app."""

    def __init__(self, entries):
        self.networks = tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)
        # a worker sees the same few peers and forwarded chains over and over
        # (short keys only: a client chooses the left of X-Forwarded-For, as long as it likes)
        self.trusts = lru_cache(maxsize=4096)(self._trusts)
        self._cached_client = lru_cache(maxsize=4096)(self._client)

    def __contains__(self, address: str | None) -> bool:
        return bool(self.networks and address) and len(address) <= 64 and self.trusts(address)

    def _trusts(self, address: str) -> bool:
        parsed = parse_address(address)
        if parsed is None:
            return False
        ip = ipaddress.ip_address(parsed)
        return any(ip in network for network in self.networks)

    def client(self, forwarded_for: str, peer: str) -> str:
        """The client's address: ``X-Forwarded-For`` read from the right past trusted
        proxies; all of them trusted, the leftmost."""
        if len(forwarded_for) <= 200:
            return self._cached_client(forwarded_for, peer)
        return self._client(forwarded_for, peer)

    def _client(self, forwarded_for: str, peer: str) -> str:
        client = peer
        for entry in reversed(forwarded_for.split(",")):
            address = parse_address(entry)
            if address is None:
                break
            client = address
            if address not in self:
                break
        return client


class ProxyHeadersMiddleware:
    """Sets the scope's ``client`` and ``scheme`` from a trusted proxy's forwarded headers
    and drops them from anyone else (see the module's docstring)."""

    def __init__(self, app, trusted_proxies):
        self.app = app
        self.trusted = TrustedProxies(trusted_proxies)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            scope = self.resolve(scope)
        return await self.app(scope, receive, send)

    def resolve(self, scope: dict) -> dict:
        forwarded_for = proto = None
        for name, value in scope["headers"]:
            if name == FORWARDED_FOR:
                forwarded_for = value if forwarded_for is None else forwarded_for + b"," + value
            elif name == FORWARDED_PROTO and proto is None:
                proto = value
        if forwarded_for is None and proto is None:
            return scope
        peer = scope.get("client")
        if not (peer and peer[0] in self.trusted):
            headers = [(n, v) for n, v in scope["headers"] if n not in FORWARDED]
            return {**scope, "headers": headers}
        scope = dict(scope)
        if forwarded_for and forwarded_for.strip():
            scope["client"] = (self.trusted.client(forwarded_for.decode("latin-1"), peer[0]), 0)
        if proto:
            scheme = SCHEMES.get(proto.split(b",")[0].strip().lower())
            if scheme:
                scope["scheme"] = scheme
        return scope
