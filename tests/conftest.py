"""Shared fixtures: API clients for each kind of user, and the knowledge base loaded."""

import os
import shutil
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission, User
from rest_framework.test import APIClient

from content.loader import CONTENT_DIR, load_folder

FIXTURE_CONTENT = Path(__file__).parent / "fixtures" / "content"


def require_tool(name: str) -> str:
    """The path of an external tool; CI (KBAPI_REQUIRE_TOOLS=1) fails instead of skipping."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("KBAPI_REQUIRE_TOOLS") == "1":
            pytest.fail(f"{name} is required here but not installed")
        pytest.skip(f"{name} is not installed (CI installs it)")
    return path


@pytest.fixture(autouse=True)
def _closed_breakers():
    """Every test starts with Redis and the database taken for up: a test that made the
    app see one down (kbapi.edge.outage) does not leave it refusing requests."""
    from kbapi.edge.outage import reset_breakers

    reset_breakers()
    yield
    reset_breakers()


@pytest.fixture
def small_kb(db):
    """A handful of concepts with relations, examples and a comparison."""
    load_folder(FIXTURE_CONTENT)


@pytest.fixture
def kb(db):
    """The real knowledge base, as `make run` loads it.

    The first test that asks for it loads the content files through the services;
    later tests get the same rows copied back in (a load takes seconds, a copy
    milliseconds). Each test still runs in its own rolled-back transaction.
    """
    cached_dataset("kb", lambda: load_folder(CONTENT_DIR))


_SNAPSHOTS: dict[str, dict[str, tuple[list[str], list[tuple]]]] = {}


def cached_dataset(name: str, build) -> None:
    """Build a dataset once per test session; later tests get a copy of its rows."""
    if name in _SNAPSHOTS:
        restore_snapshot(_SNAPSHOTS[name])
    else:
        build()
        _SNAPSHOTS[name] = take_snapshot()


def _snapshot_tables() -> list[str]:
    """Tables of the knowledge-base apps (derived data such as the search index is rebuilt)."""
    from django.apps import apps

    return sorted(
        model._meta.db_table
        for label in ("concepts", "relations")
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    )


def take_snapshot() -> dict[str, tuple[list[str], list[tuple]]]:
    from django.db import connection

    snapshot = {}
    with connection.cursor() as cursor:
        for table in _snapshot_tables():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            columns = [col[0] for col in cursor.description]
            snapshot[table] = (columns, cursor.fetchall())
    return snapshot


def restore_snapshot(snapshot) -> None:
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection

    from search import index as search_index

    with connection.cursor() as cursor:
        for table, (columns, rows) in snapshot.items():
            if not rows:
                continue
            names = ", ".join(connection.ops.quote_name(c) for c in columns)
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {connection.ops.quote_name(table)} ({names}) VALUES ({marks})",
                [_adapt(row) for row in rows],
            )
        models = [
            model
            for label in ("concepts", "relations")
            for model in apps.get_app_config(label).get_models(include_auto_created=True)
        ]
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)
    search_index.rebuild()


def _adapt(row: tuple) -> tuple:
    """Values read back as dicts/lists (PostgreSQL jsonb) are written back as JSON text."""
    import json

    return tuple(json.dumps(v) if isinstance(v, dict | list) else v for v in row)


@pytest.fixture
def anon():
    return APIClient()


def _client_for(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def editor_user(db):
    user = User.objects.create_user("editor", password="editor-pass-123")
    user.groups.add(Group.objects.get(name="editors"))
    return user


@pytest.fixture
def editor(editor_user):
    return _client_for(editor_user)


@pytest.fixture
def reader(db):
    """An authenticated user with no model permissions."""
    return _client_for(User.objects.create_user("reader", password="reader-pass-123"))


@pytest.fixture
def deleter(editor_user):
    """An editor who was also given the delete permissions."""
    editor_user.user_permissions.add(*Permission.objects.filter(codename__startswith="delete_"))
    return _client_for(User.objects.get(pk=editor_user.pk))
