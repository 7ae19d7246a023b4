"""The hottest reads are planned once per connection on PostgreSQL (kbapi.core.db)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kbapi.core.db import planned_once

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)


def executions(marker: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(generic_plans + custom_plans), 0) FROM pg_prepared_statements"
            " WHERE statement LIKE %s",
            [f"%{marker}%"],
        )
        return cursor.fetchone()[0]


@postgresql_only
def test_the_concept_detail_runs_as_one_prepared_statement(anon, small_kb):
    url = reverse("concept-detail", args=["relational-database"])
    before = executions("embedded_tags")
    for _ in range(3):
        assert anon.get(url).status_code == 200
    assert executions("embedded_tags") == before + 3


@postgresql_only
def test_django_own_queries_are_not_prepared(anon, small_kb):
    anon.get(reverse("category-detail", args=["database-type"]))
    assert executions('WHERE "concepts_category"."slug"') == 0


def test_a_prepared_query_is_counted_like_any_other(anon, small_kb):
    with CaptureQueriesContext(connection) as queries, planned_once(connection) as cursor:
        cursor.execute("SELECT slug FROM concepts_concept WHERE slug = %s", ["relational-database"])
        assert cursor.fetchall() == [("relational-database",)]
    assert len(queries) == 1
