"""Shared fixtures: API clients for each kind of user, and the knowledge base loaded."""

import os
import shutil
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission, User
from rest_framework.test import APIClient

from concepts.content import CONTENT_DIR, load_folder

FIXTURE_CONTENT = Path(__file__).parent / "fixtures" / "content"


def require_tool(name: str) -> str:
    """The path of an external tool; CI (KBAPI_REQUIRE_TOOLS=1) fails instead of skipping."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("KBAPI_REQUIRE_TOOLS") == "1":
            pytest.fail(f"{name} is required here but not installed")
        pytest.skip(f"{name} is not installed (CI installs it)")
    return path


@pytest.fixture
def small_kb(db):
    """A handful of concepts with relations, examples and a comparison."""
    load_folder(FIXTURE_CONTENT)


@pytest.fixture
def kb(db):
    """The real knowledge base, as `make run` loads it."""
    load_folder(CONTENT_DIR)


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
