"""The real knowledge base, loaded once per module for the read-only search tests."""

import pytest
from django.db import transaction

from content.loader import CONTENT_DIR, load_folder


@pytest.fixture(scope="module")
def kb_once(django_db_setup, django_db_blocker):
    """Load the content once, in a transaction rolled back after the module's last test.

    Each test's own transaction (the ``db`` fixture) nests inside it as a savepoint,
    so whatever a test writes is undone and the next test sees the content as loaded.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        load_folder(CONTENT_DIR)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def kb(kb_once, db):
    """The shared ``kb`` fixture, without reloading the content for every test."""
