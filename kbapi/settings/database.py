"""The database: ``DATABASE_URL`` (SQLite by default), with the options each engine needs."""

import dj_database_url

from kbapi.settings.base import BASE_DIR
from kbapi.settings.env import env_bool, env_int

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
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int(
        "DATABASE_CONNECT_TIMEOUT", 5
    )
    # psycopg 3 with Django's connection pool by default (see docs/PERFORMANCE.md:
    # under ASGI a new connection per request costs more than the query).
    if env_bool("DATABASE_POOL", True):
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": env_int("DATABASE_POOL_MIN", 2),
            "max_size": env_int("DATABASE_POOL_MAX", 16),
            "timeout": env_int("DATABASE_POOL_TIMEOUT", 10),
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
