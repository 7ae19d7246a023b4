"""Discovery endpoints run as many queries on the real knowledge base as on the small one."""

import pytest

from tests.relations.discovery_queries import DISCOVERY_QUERIES, count_queries


@pytest.mark.parametrize(("name", "case"), DISCOVERY_QUERIES.items())
def test_query_count_on_the_real_knowledge_base_matches_the_small_one(anon, name, case):
    _, kb_url, expected = case
    assert count_queries(anon, kb_url) == expected


def test_concepts_as_jsonld_cost_no_extra_query(anon):
    for name, path in (("list", "concepts/"), ("detail", "concepts/key-value-store/")):
        # the JSON serializer path (?format= takes it); a plain detail is fewer queries still
        serializer = count_queries(anon, f"{path}?format=json")
        assert count_queries(anon, f"{path}?format=jsonld") == serializer, name
