"""The database: ``DATABASE_URL`` (SQLite by default), with the options each engine needs."""

import dj_database_url

from kbapi.settings.base import BASE_DIR
from kbapi.settings.env import env_bool, env_float, env_int

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=0,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Under kbapi.asgi every request of a worker runs on one thread, so its
    # connection can stay open (opening one costs more than the queries of a read).
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 300)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Writers from several workers: each write transaction takes SQLite's write lock when
    # it begins (IMMEDIATE), so two never both read and then both try to upgrade (which
    # SQLite answers at once with "database is locked"); a writer waits its turn for up
    # to DATABASE_BUSY_TIMEOUT seconds. Every check of the write path then runs under
    # the lock it acts under.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE", timeout=env_int("DATABASE_BUSY_TIMEOUT", 20)
    )
# When the database does not answer, a request waits at most DATABASE_CONNECT_TIMEOUT
# seconds for it, and then for DATABASE_RETRY_AFTER seconds the requests that need it get
# 503 with Retry-After at once (kbapi.edge.outage). README, "When Redis or PostgreSQL is down".
DATABASE_CONNECT_TIMEOUT = env_int("DATABASE_CONNECT_TIMEOUT", 5)
DATABASE_RETRY_AFTER = env_float("DATABASE_RETRY_AFTER", 2)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = DATABASE_CONNECT_TIMEOUT
    # psycopg 3 with Django's connection pool by default (see docs/PERFORMANCE.md:
    # under ASGI a new connection per request costs more than the query).
    if env_bool("DATABASE_POOL", True):
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": env_int("DATABASE_POOL_MIN", 2),
            "max_size": env_int("DATABASE_POOL_MAX", 16),
            # How long a request waits for a connection. A worker runs its requests on one
            # thread, so it never waits for a busy connection, only for a new one: the wait
            # is the connect timeout's (a longer one only held up the worker when the
            # server is down).
            "timeout": env_float("DATABASE_POOL_TIMEOUT", DATABASE_CONNECT_TIMEOUT or 10),
            # After a failed connect the pool tries again after 1, 2, 4 ... s; it gives up
            # (and starts over, at 1 s, on the next request) after this long, so a
            # database back after a long outage is found within seconds, not minutes.
            "reconnect_timeout": env_float("DATABASE_POOL_RECONNECT_TIMEOUT", 10),
        }
        # With the pool, Django passes psycopg_pool's check_connection: a pooled
        # connection the server dropped (pg_terminate_backend, a restart) is found
        # out and replaced on checkout instead of failing a request.
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
        # The hottest reads run as prepared statements (kbapi/core/db.py), planned
        # once per pooled connection. Behind a pooler in transaction mode (PgBouncer),
        # where a connection changes server session, set DATABASE_PREPARED_STATEMENTS=0.
        if env_bool("DATABASE_PREPARED_STATEMENTS", True):
            DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 1

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
