"""Django's cache, the response cache in front of Django and the knowledge-base version."""

import os

from kbapi.settings.database import DATABASES
from kbapi.settings.env import env_bool, env_float, env_int

# Redis, when REDIS_URL is set (the throttles' counts, the knowledge-base version across
# hosts). A dead Redis costs one short timeout: then it is left alone for REDIS_RETRY_AFTER
# seconds (kbapi.edge.outage) while the throttles count in each process and the response
# cache sends reads to Django. README, "When Redis or PostgreSQL is down".
REDIS_CONNECT_TIMEOUT = env_float("REDIS_CONNECT_TIMEOUT", 0.5)
REDIS_TIMEOUT = env_float("REDIS_TIMEOUT", 0.5)
REDIS_RETRY_AFTER = env_float("REDIS_RETRY_AFTER", 2)

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("REDIS_URL"):
    from redis.backoff import NoBackoff
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.retry import Retry

    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
        # one retry on a broken connection (Redis restarted since), none on a timeout
        "OPTIONS": {
            "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
            "socket_timeout": REDIS_TIMEOUT,
            "retry": Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
        },
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
