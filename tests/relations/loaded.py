"""Knowledge bases loaded once for many tests (the real content takes seconds to load).

The content is loaded inside an outer transaction that is rolled back when the
fixture ends. Each test still runs in its own savepoint (``db``), so a test
that writes leaves nothing behind for the next one.
"""

import pytest
from django.db import transaction

from tests.conftest import FIXTURE_CONTENT


def loaded_once(folder, django_db_blocker):
    """Generator body of a fixture: ``folder`` loaded until the fixture is torn down."""
    from content.loader import load_folder

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        load_folder(folder)
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(scope="module")
def small_kb_once(django_db_setup, django_db_blocker):
    """The small fixture knowledge base, loaded once for the module."""
    yield from loaded_once(FIXTURE_CONTENT, django_db_blocker)
