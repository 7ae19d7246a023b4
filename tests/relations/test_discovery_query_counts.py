"""Discovery endpoints run a pinned number of queries on the small knowledge base,
the same number with many more concepts, and (tests/discovery) on the real one."""

import pytest

from tests.factories import make_many
from tests.relations.discovery_queries import DISCOVERY_QUERIES, count_queries
from tests.relations.loaded import small_kb_once  # noqa: F401  (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("small_kb_once")]


@pytest.mark.parametrize(("name", "case"), DISCOVERY_QUERIES.items())
def test_query_count_is_pinned_on_the_small_knowledge_base(anon, name, case):
    small_url, _, expected = case
    assert count_queries(anon, small_url) == expected


def test_query_counts_do_not_grow_with_more_concepts_and_relations(anon):
    make_many(60)
    for small_url, _, expected in DISCOVERY_QUERIES.values():
        assert count_queries(anon, small_url) == expected, small_url
