"""Whose forwarded headers are believed (``TRUSTED_PROXIES``), and production's HTTPS and
cookie rules, the ones ``manage.py check --deploy`` expects."""

import ipaddress
import os

from django.core.exceptions import ImproperlyConfigured

from kbapi.settings.base import PRODUCTION
from kbapi.settings.env import env_bool, env_int


def trusted_proxies(value: str) -> list[str]:
    """The addresses and networks (CIDR) of a comma list; anything else stops the start."""
    entries = [item.strip() for item in value.split(",") if item.strip()]
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES: {entry!r} is not an IP address or network (such as "
                "10.0.0.5 or 172.31.240.0/24)."
            ) from None
    return entries


# The proxies in front of the app whose X-Forwarded-For and X-Forwarded-Proto are believed
# (kbapi.edge.proxy sets the client address and the scheme from them); from any other
# peer both headers are dropped. None by default: the client is the socket's peer.
# uvicorn runs with --no-proxy-headers wherever kbapi is started, so this is the one rule.
TRUSTED_PROXIES = trusted_proxies(os.environ.get("TRUSTED_PROXIES", ""))
if os.environ.get("NUM_PROXIES", "0").strip() not in {"", "0"}:
    raise ImproperlyConfigured(
        "NUM_PROXIES is no longer read: set TRUSTED_PROXIES to the addresses of the proxies "
        "in front of the app (behind docker-compose's nginx, its network)."
    )

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
