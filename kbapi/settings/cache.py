"""Django's cache, the response cache in front of Django and the knowledge-base version."""

import os

from kbapi.settings.database import DATABASES
from kbapi.settings.env import env_bool, env_int

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
    }
    if os.environ.get("REDIS_URL")
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# The response cache in front of Django (kbapi.edge.response_cache) and the knowledge-base
# version it checks (kbapi.edge.version): a file per host, plus Redis across hosts.
# On by default where every worker shares one host (SQLite) or Redis is set; a
# server database without Redis may have several app hosts, so it is opt-in there.
KB_VERSION_FILE = os.environ.get("KB_VERSION_FILE", "")
KB_VERSION_REDIS_URL = os.environ.get("KB_VERSION_REDIS_URL", os.environ.get("REDIS_URL", ""))
RESPONSE_CACHE = env_bool(
    "RESPONSE_CACHE",
    DATABASES["default"]["ENGINE"].endswith("sqlite3") or bool(KB_VERSION_REDIS_URL),
)
RESPONSE_CACHE_MAX_ENTRIES = env_int("RESPONSE_CACHE_MAX_ENTRIES", 5000)
RESPONSE_CACHE_MAX_BYTES = env_int("RESPONSE_CACHE_MAX_BYTES", 64 * 1024 * 1024)
