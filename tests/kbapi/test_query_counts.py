"""Every list and detail endpoint runs a fixed number of queries, whatever the page size."""

from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from content.loader import load_folder
from tests.conftest import FIXTURE_CONTENT, cached_dataset
from tests.factories import make_many

LISTS = {
    # route: queries (count, page, and one per prefetched relation)
    "concept-list": 2,  # the page's tags are aggregated in the page query
    "category-list": 2,
    "tag-list": 2,
    "example-list": 3,
    "relation-list": 2,
    "comparison-list": 3,
}
DETAILS = {
    ("concept-detail", "relational-database"): 1,  # the concept, all it embeds as JSON arrays
    ("category-detail", "database-type"): 1,
    ("tag-detail", "nosql"): 1,
    ("example-detail", "select-rows"): 3,  # the example, its concepts, what it requires
    ("relation-detail", "relational-database--is-a--database"): 1,
    ("comparison-detail", "relational-vs-key-value"): 4,
}


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries)


@pytest.fixture
def many(db):
    def build():
        load_folder(FIXTURE_CONTENT)
        make_many(120)

    cached_dataset("many", build)


@pytest.mark.parametrize(("route", "expected"), LISTS.items())
def test_list_query_count_is_pinned_and_independent_of_page_size(anon, many, route, expected):
    url = reverse(route)
    assert len(anon.get(url, {"page_size": 100}).json()["results"]) > 1
    assert count_queries(anon, f"{url}?page_size=1") == expected
    assert count_queries(anon, f"{url}?page_size=100") == expected


@pytest.mark.parametrize(("route_and_slug", "expected"), DETAILS.items())
def test_detail_query_count_is_pinned(anon, many, route_and_slug, expected):
    route, slug = route_and_slug
    assert count_queries(anon, reverse(route, args=[slug])) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"category": "database-type"}, 3),  # filtered: count, page, tags
        ({"ordering": "-name"}, 3),
        ({"fields": "slug,tags"}, 3),  # reshaped: the serializer, tags prefetched
    ],
)
def test_other_concept_lists_are_pinned_too(anon, many, query, expected):
    url = reverse("concept-list")
    assert count_queries(anon, f"{url}?{urlencode({**query, 'page_size': 1})}") == expected
    assert count_queries(anon, f"{url}?{urlencode({**query, 'page_size': 100})}") == expected


def test_the_serializer_detail_is_pinned_too(anon, many):
    """?format= (or ?fields=, ?expand=) takes the serializer: concept, tags, examples,
    relations out and in, comparisons."""
    url = reverse("concept-detail", args=["relational-database"])
    assert count_queries(anon, f"{url}?format=json") == 6


# A concept PATCH of one field: permissions (2), the row, then in the service the row
# again under its lock, its tags (the history row's links), the UPDATE, the history
# INSERT, the change feed's INSERT (its position is given at commit, in the database),
# the search document rebuilt in place (the concept and its tags, the document, its update,
# and the full-text row: SQLite rewrites the FTS5 row, PostgreSQL the vector), and the
# answer in one query. The test's own transaction adds a savepoint.
PATCH_QUERIES = {"sqlite": 17, "postgresql": 16}


@pytest.mark.parametrize("if_match", [False, True])
def test_a_concept_patch_runs_a_pinned_number_of_queries(editor, kb, if_match):
    url = reverse("concept-detail", args=["acid"])
    headers = {"HTTP_IF_MATCH": editor.get(url)["ETag"]} if if_match else {}
    with CaptureQueriesContext(connection) as queries:
        response = editor.patch(
            url, {"summary": "All or nothing, and kept."}, format="json", **headers
        )
    assert response.status_code == 200, response.content
    expected = PATCH_QUERIES[connection.vendor] + if_match  # If-Match: the current tag
    assert len(queries) == expected <= 21, [q["sql"][:120] for q in queries]
