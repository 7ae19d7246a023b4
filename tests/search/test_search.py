"""Search over the real knowledge base: ranking, typos, filters and bad input.

Every test runs on SQLite (FTS5) and PostgreSQL (tsvector + pg_trgm) alike.
"""

import pytest
from django.urls import reverse

ALIASES = {
    "RDBMS": "relational-database",
    "NoSQL": "non-relational-database",
    "ORM": "orm",
    "KV store": "key-value-store",
    "MVT": "mvt",
    "ERD": "er-diagram",
    "CBV": "class-based-view",
    "relational DBMS": "relational-database",
}


def search(client, q, **params):
    response = client.get(reverse("search"), {"q": q, **params})
    assert response.status_code == 200, response.content
    return response.json()


def slugs(body):
    return [hit["slug"] for hit in body["results"]]


def test_alias_and_abbreviation_searches_find_the_concept_first(anon, kb):
    for q, slug in ALIASES.items():
        body = search(anon, q)
        first = body["results"][0]
        assert (first["type"], first["slug"]) == ("concept", slug), (q, slugs(body)[:5])
        assert body["suggestion"] is None


def test_a_hit_has_its_type_title_rank_snippet_and_absolute_url(anon, kb):
    hit = search(anon, "NoSQL")["results"][0]
    assert set(hit) == {"type", "slug", "title", "rank", "snippet", "highlights", "url"}
    assert hit["title"] == "Non-relational database"
    assert isinstance(hit["rank"], float)
    assert "NoSQL" in [hit["snippet"][start:end] for start, end in hit["highlights"]]
    assert "<mark>" not in hit["snippet"]
    assert hit["url"].startswith("http://testserver/api/v1/concepts/non-relational-database/")
    assert anon.get(hit["url"]).json()["slug"] == "non-relational-database"


def test_results_are_ranked_best_first(anon, kb):
    ranks = [hit["rank"] for hit in search(anon, "database", page_size=100)["results"]]
    assert len(ranks) > 20
    assert ranks == sorted(ranks, reverse=True)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("postgress", {"postgresql", "production-database"}),
        ("relatinal database", {"relational-database"}),
        ("relatinal", {"relational-database"}),
        ("databse", {"database"}),
        ("non-relatonal database", {"non-relational-database"}),
    ],
)
def test_a_small_typo_still_finds_the_concept_and_suggests_the_term(anon, kb, q, expected):
    body = search(anon, q)
    assert body["results"][0]["slug"] in expected, slugs(body)[:5]
    assert body["suggestion"]
    # The suggestion is a term the knowledge base knows: searching it needs no correction.
    again = search(anon, body["suggestion"])
    assert again["count"] > 0
    assert again["suggestion"] is None


def test_suggestions_name_the_term_meant(anon, kb):
    assert search(anon, "postgress")["suggestion"] == "PostgreSQL"
    assert search(anon, "relatinal database")["suggestion"] == "Relational database"
    assert search(anon, "databse")["suggestion"] == "Database"
    assert search(anon, "relatinal")["suggestion"] == "Relational"


def test_several_words_match_in_any_order(anon, kb):
    for q in ("relational database", "database relational", "Database, relational!"):
        assert slugs(search(anon, q))[0] == "relational-database", q
    for q in ("key value store", "store key value", "value store key"):
        assert slugs(search(anon, q))[0] == "key-value-store", q


def test_every_word_must_match(anon, kb):
    # words rare enough that each one's matches fit one page of 100
    both = set(slugs(search(anon, "document index", page_size=100)))
    assert both
    assert both < set(slugs(search(anon, "document", page_size=100)))
    assert both < set(slugs(search(anon, "index", page_size=100)))


def test_the_last_word_matches_as_a_prefix(anon, kb):
    assert slugs(search(anon, "relational datab"))[0] == "relational-database"


def test_a_query_with_no_match_and_no_near_name_is_empty(anon, kb):
    body = search(anon, "xylophone quantum zebra")
    assert body == {"count": 0, "next": None, "previous": None, "results": [], "suggestion": None}
    assert search(anon, "the of and")["count"] == 0  # stop words only
    assert search(anon, "!!! ???")["count"] == 0  # no words


def test_type_narrows_the_result_kinds(anon, kb):
    everything = search(anon, "ORM", page_size=100)
    assert {hit["type"] for hit in everything["results"]} == {"concept", "example", "comparison"}
    examples = search(anon, "ORM", type="example", page_size=100)
    assert examples["count"] > 0
    assert {hit["type"] for hit in examples["results"]} == {"example"}
    for params in ({"type": "example,comparison"}, {"type": ["example", "comparison"]}):
        body = search(anon, "ORM", page_size=100, **params)
        assert {hit["type"] for hit in body["results"]} == {"example", "comparison"}
        assert body["count"] == everything["count"] - sum(
            hit["type"] == "concept" for hit in everything["results"]
        )


def test_type_also_narrows_typo_results(anon, kb):
    body = search(anon, "relatinal database", type="comparison")
    assert body["results"]
    assert {hit["type"] for hit in body["results"]} == {"comparison"}


def test_search_is_paginated_like_every_list(anon, kb):
    first = search(anon, "database", page_size=5)
    assert first["count"] > 10
    assert len(first["results"]) == 5
    assert first["previous"] is None
    second = anon.get(first["next"]).json()
    assert second["previous"]
    assert not set(slugs(first)) & set(slugs(second))
    assert len(search(anon, "database", page_size=100_000)["results"]) == min(first["count"], 100)
    response = anon.get(reverse("search"), {"q": "database", "page": 10_000})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "q"),
        ({"q": ""}, "q"),
        ({"q": "   \t "}, "q"),
        ({"q": "data\x00base"}, "q"),
        ({"q": "d" * 201}, "q"),
        ({"q": "database", "type": "concept,planet"}, "type"),
        ({"q": "database", "type": ""}, "type"),
    ],
)
def test_bad_queries_are_a_400_in_the_error_shape(anon, kb, params, field):
    response = anon.get(reverse("search"), params)
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400
    assert body["code"] == "invalid"
    assert field in body["errors"]
    assert body["message"]


def test_a_query_of_the_maximum_length_is_accepted(anon, kb):
    assert search(anon, "database " * 22)["count"] >= 0
    assert search(anon, "d" * 200)["count"] == 0


@pytest.mark.parametrize(
    "q",
    [
        "\"quoted\" 'single' (paren) [br] {x}",
        "a:* & b | !c <-> d",
        "NEAR(one two) AND OR NOT",
        "col:value ^caret *star -minus +plus",
        "%_ \\ back\\slash ; DROP TABLE search_document; --",
        "日本語 データベース",
        "émoji 🐘 çà",
        "x",
        "1e5 0x1f 3.14 v2",
        "|| pipes | |",
    ],
)
def test_any_text_is_a_valid_query(anon, kb, q):
    body = search(anon, q)
    assert body["count"] >= len(body["results"])
    assert all(hit["url"].startswith("http://testserver/api/v1/") for hit in body["results"])
