"""Throttles: reads by anonymous users and users (DRF's), and writes on their own scope.

Clients are told apart by user id or, when anonymous, by the address DRF's
``get_ident`` trusts: with ``NUM_PROXIES=0`` (the default) that is the socket's
peer address and ``X-Forwarded-For`` is ignored, so a client cannot pick a
fresh identity per request. Behind N proxies set ``NUM_PROXIES=N``.
"""

from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import SimpleRateThrottle


class WriteRateThrottle(SimpleRateThrottle):
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
