"""Every test here reads the real knowledge base, loaded once for the whole folder.

Loading the content takes seconds, so it happens once inside an outer
transaction that is rolled back when the folder is done; each test runs in its
own savepoint, so a test that writes leaves nothing behind.
"""

import pytest

from content.loader import CONTENT_DIR
from tests.relations.loaded import loaded_once


@pytest.fixture(scope="package")
def kb_loaded(django_db_setup, django_db_blocker):
    yield from loaded_once(CONTENT_DIR, django_db_blocker)


@pytest.fixture(autouse=True)
def _real_content(kb_loaded, db):
    """Database access for every test, on the real knowledge base."""
