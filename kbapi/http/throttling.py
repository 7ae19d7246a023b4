"""Throttles: anonymous reads, signed-in users, writes and logins, each at its own rate.

Clients are told apart by user id or, when anonymous, by their address,
``REMOTE_ADDR`` (DRF's ``get_ident`` with ``NUM_PROXIES=0``). That address is
settled before Django by ``kbapi.edge.proxy``: the socket's peer, or what a
proxy in ``TRUSTED_PROXIES`` reports in ``X-Forwarded-For``; anyone else's
``X-Forwarded-For`` is dropped, so a client cannot pick a fresh identity per
request.

Logins (the token's and the admin's, :class:`LoginRateThrottle`) are counted per
address and per username, before any password is checked, so guessing costs no
hashing once refused and neither many addresses nor many usernames get around it.

Every throttle here counts in fixed windows (:class:`WindowCount`): one cache
counter per client and window, read and bumped in O(1). DRF's throttles keep a
list of the times of every request in the window, which the cache pickles and
unpickles whole on each request (up to a rate's worth of floats: 1,000 at
1000/minute) and which concurrent workers overwrite without a lock. The cost:
a client may spend up to twice its rate across a window boundary.

When Redis keeps the counts (``REDIS_URL``) and does not answer, the
throttles neither fail nor let everything through: each process counts in
its own memory (:func:`local_counters`) until Redis answers again, so a
client gets at most its rate per worker process meanwhile. Redis's breaker
(``kbapi.edge.outage``) keeps requests from waiting on it more than once per
``REDIS_RETRY_AFTER`` seconds and logs the outage once.

Every response a throttle counted says where its client stands, in the
``RateLimit-Policy`` and ``RateLimit`` fields of the IETF draft "RateLimit header
fields for HTTP" (draft-ietf-httpapi-ratelimit-headers-10): the policy (quota
``q`` per window ``w`` seconds) and what ``r`` remains of it for ``t`` more
seconds, for the one count closest to refusing (the fewest requests left) among
those the request was counted in. Each count notes itself on the request
(:meth:`WindowCount.note`); :class:`RateLimitHeadersMiddleware` writes the two
fields, on 429s too (with ``r=0``, next to ``Retry-After``). An answer the
response cache (``kbapi.edge.response_cache``) serves never reaches the
throttles: it is not counted and carries neither field (the cache strips them
before storing).
"""

import hashlib
import math
from collections.abc import Mapping
from functools import cache

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.locmem import LocMemCache
from rest_framework import throttling
from rest_framework.permissions import SAFE_METHODS

from kbapi.edge.outage import Breaker, redis_breaker
from kbapi.edge.version import redis_errors


@cache
def counters():
    """The process's own handle on the default cache, where the counts are kept.

    DRF's throttles use ``django.core.cache.cache``, a proxy that looks the
    connection up in a context-local store on every attribute it reads. Under
    ASGI every request runs in a context of its own, so each request built a
    new cache object and paid the lookups (~40 µs per request, measured with
    py-spy). The backends kbapi configures (local memory, Redis) are safe to
    share between threads.
    """
    return caches.create_connection(DEFAULT_CACHE_ALIAS)


@cache
def local_counters():
    """Where the counts go while Redis does not answer: this process's memory."""
    return LocMemCache("kbapi-throttle-fallback", {})


@cache
def _shared_location() -> str | None:
    """The Redis URL the counts are kept at, or None when they are kept in memory."""
    config = settings.CACHES[DEFAULT_CACHE_ALIAS]
    return config["LOCATION"] if config["BACKEND"].endswith(".RedisCache") else None


def shared_breaker() -> Breaker | None:
    location = _shared_location()
    return redis_breaker(location) if location else None


RATELIMIT_ATTRIBUTE = "kbapi_ratelimit"


class RateLimitState:
    """Where a client stands in one count: its policy and what is left of the window."""

    __slots__ = ("policy", "quota", "window", "remaining", "reset")

    def __init__(self, policy: str, quota: int, window: int, remaining: int, reset: int):
        self.policy, self.quota, self.window = policy, quota, window
        self.remaining, self.reset = remaining, reset

    def closer_than(self, other: "RateLimitState") -> bool:
        """Closer to refusing: fewer requests left (on a tie, the longer wait)."""
        return (self.remaining, -self.reset) < (other.remaining, -other.reset)

    def headers(self) -> tuple[str, str]:
        """``RateLimit-Policy`` and ``RateLimit``: structured-field lists of one item."""
        return (
            f'"{self.policy}";q={self.quota};w={self.window}',
            f'"{self.policy}";r={self.remaining};t={self.reset}',
        )


class RateLimitHeadersMiddleware:
    """Writes the RateLimit fields of the count a request came closest to refusing in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        state = request.__dict__.get(RATELIMIT_ATTRIBUTE)
        if state is not None:
            response["RateLimit-Policy"], response["RateLimit"] = state.headers()
        return response


class WindowCount:
    """``SimpleRateThrottle`` counting requests per fixed window of the rate's period."""

    @property
    def cache(self):
        return counters()

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        return self.allow_key(self.key, request)

    def allow_key(self, key: str, request=None, policy: str | None = None) -> bool:
        """Count one more request against ``key`` in this window; whether it is allowed.
        With ``request``, note the count on it for the RateLimit fields (under ``policy``,
        the scope's name by default)."""
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_end = (window + 1) * self.duration
        count = self._counted(f"{key}:{window}")
        if request is not None:
            self.note(request, count, policy or self.scope)
        return count <= self.num_requests

    def note(self, request, count: int, policy: str) -> None:
        """Keep, on the (Django) request, the count with the fewest requests left."""
        state = RateLimitState(
            policy,
            self.num_requests,
            self.duration,
            max(self.num_requests - count, 0),
            max(math.ceil(self.window_end - self.now), 1),
        )
        django_request = getattr(request, "_request", request)
        current = getattr(django_request, RATELIMIT_ATTRIBUTE, None)
        if current is None or state.closer_than(current):
            setattr(django_request, RATELIMIT_ATTRIBUTE, state)

    def _counted(self, counter: str) -> int:
        """The count, in Redis when it answers, else in this process's memory."""
        breaker = shared_breaker()
        if breaker is None:
            return self._count(counter)
        if breaker.available():
            try:
                count = self._count(counter)
            except redis_errors() as exc:
                breaker.failed(exc)
            else:
                breaker.succeeded()
                return count
        return self._count(counter, local_counters())

    def _count(self, counter: str, cache=None) -> int:
        """Count one more request in ``counter``: one cache operation once it exists."""
        if cache is None:
            cache = self.cache
        try:
            return cache.incr(counter)
        except ValueError:  # the window's first request from this client
            pass
        if cache.add(counter, 1, timeout=self.duration + 1):
            return 1
        try:  # another worker started the window first
            return cache.incr(counter)
        except ValueError:  # ... and the counter has expired since
            cache.set(counter, 1, timeout=self.duration + 1)
            return 1

    def wait(self):
        """Seconds until the window ends and the count starts again."""
        return max(self.window_end - self.now, 1.0)


class AnonRateThrottle(WindowCount, throttling.AnonRateThrottle):
    """Anonymous requests, per address, at the ``anon`` rate."""


class SignedInRateThrottle(WindowCount, throttling.UserRateThrottle):
    """Signed-in users, per user, at the ``user`` rate.

    DRF's ``UserRateThrottle`` also counts anonymous requests, by address, under
    the ``user`` rate; ``AnonRateThrottle`` already counts those under the lower
    ``anon`` rate, so the second count could never refuse anything and only cost
    a cache round trip per request.
    """

    def allow_request(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return True
        return super().allow_request(request, view)


class WriteRateThrottle(WindowCount, throttling.SimpleRateThrottle):
    """Unsafe methods (POST, PUT, PATCH, DELETE) per user, or per address when anonymous."""

    scope = "write"

    def allow_request(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        user = request.user
        ident = user.pk if user and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class ScopedRateThrottle(WindowCount, throttling.ScopedRateThrottle):
    """A view's own ``throttle_scope``."""

    def allow_request(self, request, view):
        # DRF's reads the view's scope and its rate first; then count as the others do
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)


class LoginRateThrottle(WindowCount, throttling.SimpleRateThrottle):
    """Login attempts at the ``login`` rate, per address and per username.

    Each attempt (a POST) counts against the client's address (``get_ident``, as
    every throttle here tells anonymous clients apart) and against the username it
    tries, whichever login it comes through (token or admin: they share the
    counts); over either rate it is refused before the password is hashed. So one
    address cannot try many usernames, nor many addresses one username. The
    price: whoever keeps guessing a username's password keeps its owner out with
    them, a window at a time (``Retry-After`` says until when).
    """

    scope = "login"

    def allow_request(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        return self.allow_attempt(request, lambda: username_in(request.data))

    def allow_attempt(self, request, username) -> bool:
        """Count a login attempt; ``username()`` reads the username tried (after the
        address is counted: reading a body may fail, and the attempt still counts)."""
        if self.rate is None:
            return True
        allowed = self.allow_key(
            self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}, request
        )
        name = username()
        if name:
            digest = hashlib.sha256(name.strip().casefold().encode()).hexdigest()[:32]
            key = self.cache_format % {"scope": f"{self.scope}_user", "ident": digest}
            allowed = self.allow_key(key, request, f"{self.scope}_user") and allowed
        return allowed


def username_in(data) -> str | None:
    """The ``username`` of a login body (a form or JSON object), when it is a string."""
    value = data.get("username") if isinstance(data, Mapping) else None
    return value if isinstance(value, str) else None
