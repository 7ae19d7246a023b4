"""Bench-only: production's settings on psycopg2 with a connection per request.

The "driver: psycopg2, CONN_MAX_AGE=0" rows of bench/run.py, measured against
production's psycopg 3 with Django's pool. Production does not use psycopg2;
it is installed with the ``bench`` extra only.
"""

import sys

from bench.settings import *  # noqa: F403
from bench.settings import DATABASES

# Django's PostgreSQL backend imports psycopg 3 when it can; with it blocked here,
# before Django loads the backend, it falls back to psycopg2.
sys.modules["psycopg"] = None

# psycopg 3's pool and prepared statements do not apply: one connection per request
# (CONN_MAX_AGE=0, as DATABASE_URL is read), without health checks.
DATABASES["default"]["OPTIONS"].pop("pool", None)
DATABASES["default"]["OPTIONS"].pop("prepare_threshold", None)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
