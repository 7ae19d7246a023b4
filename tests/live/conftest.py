"""A live kbapi under uvicorn, for the tests that drive it like its users do.

One server per test session (tests/liveserver.py), on a free 127.0.0.1 port,
serving its own database: a temporary SQLite file, or a throwaway PostgreSQL
database on the server the suite runs against. It is migrated and loaded with
the real knowledge base, and has a superuser for the admin.
"""

from dataclasses import dataclass

import pytest

from tests.liveserver import loaded_server

ADMIN = ("live-admin", "live-admin-pass-123")
SUPERUSER_ENV = {
    "DJANGO_SUPERUSER_USERNAME": ADMIN[0],
    "DJANGO_SUPERUSER_PASSWORD": ADMIN[1],
    "DJANGO_SUPERUSER_EMAIL": "admin@example.com",
}


@dataclass(frozen=True)
class LiveApp:
    url: str  # http://127.0.0.1:PORT, no trailing slash
    admin_username: str
    admin_password: str


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("kbapi-live")
    createsuperuser = ("createsuperuser", "--noinput")
    with loaded_server(workdir, createsuperuser, SERVE_STATIC="true", **SUPERUSER_ENV) as (url, _):
        yield LiveApp(url, *ADMIN)
