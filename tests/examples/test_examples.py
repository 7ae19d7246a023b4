"""Every code example of the content runs, with what it requires: one test per example.

How each language runs: tests/examples/runner.py (and README, "Code examples run in the
suite"). SQL runs on the suite's database (SQLite under ``make test``, PostgreSQL in that
CI run) in the test's transaction, rolled back afterwards.
"""

import pytest

from .catalogue import Catalogue
from .runner import run_example

CATALOGUE = Catalogue.from_folder()


def _needs(example) -> set[str]:
    if example.language == "sql":
        return {"db"}
    if example.language == "nginx":
        return {"nginx"}
    if example.language in ("python", "html") and CATALOGUE.runs_in_django(example.slug):
        return {"django_batch"}
    if example.language == "python" and "import redis" in example.code:
        return {"redis_port"}
    return set()


@pytest.mark.parametrize("slug", sorted(CATALOGUE.examples))
def test_example_runs(slug, request, catalogue, examples_tmp):
    fixtures = {name: request.getfixturevalue(name) for name in _needs(catalogue[slug])}
    connection = None
    if "db" in fixtures:
        from django.db import connection
    run_example(
        catalogue,
        slug,
        tmp=examples_tmp,
        batch=fixtures.get("django_batch"),
        connection=connection,
        redis_port=fixtures.get("redis_port"),
    )


def test_every_code_example_has_a_runner_and_known_requirements(catalogue):
    assert len(catalogue.examples) >= 40
    for slug in catalogue.examples:
        catalogue.closure(slug)  # every required slug is a code example; no cycle


def test_sql_examples_return_what_they_say(db, catalogue, examples_tmp):
    from django.db import connection

    rows = run_example(catalogue, "sql-join-example", tmp=examples_tmp, connection=connection)
    assert [tuple(row) for row in rows] == [
        ("Emma", "Jane Austen"),
        ("Persuasion", "Jane Austen"),
        ("Pride and Prejudice", "Jane Austen"),
    ]
