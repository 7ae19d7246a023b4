"""Beyond MAX_HITS matches the list is approximate: names first, a bounded number of rows read.

The real knowledge base never reaches 1000 matches, so these tests lower MAX_HITS
to reach the approximate ranking with it. Every test runs on SQLite and PostgreSQL.
"""

import pytest
from django.urls import reverse

from search import engine


def search(client, q, **params):
    response = client.get(reverse("search"), {"q": q, **params})
    assert response.status_code == 200, response.content
    return response.json()


def exact(client, q):
    """Every match, ranked exactly (the real knowledge base is far below MAX_HITS)."""
    return search(client, q, page_size=100)


@pytest.fixture
def max_hits(monkeypatch):
    def lower(value):
        monkeypatch.setattr(engine, "MAX_HITS", value)

    return lower


def test_below_max_hits_every_match_is_ranked_exactly(anon, kb):
    # "database" has well over 100 matches here: the page shows the best 100 of all.
    body = exact(anon, "database")
    assert body["count"] > 100
    ranks = [hit["rank"] for hit in body["results"]]
    assert ranks == sorted(ranks, reverse=True)
    assert body["results"][0]["slug"] == "database"


def test_beyond_max_hits_the_name_matches_are_the_hits(anon, kb, max_hits):
    max_hits(5)
    body = search(anon, "database", page_size=100)
    assert body["count"] == 5
    hits = body["results"]
    # The whole name first, then titles starting with the query: ranked by the name
    # boosts alone (whole name 1.75, title starting with it 0.75).
    assert hits[0]["slug"] == "database"
    assert hits[0]["rank"] == pytest.approx(1.75)
    assert [hit["rank"] for hit in hits[1:]] == pytest.approx([0.75] * 4)
    assert all(hit["title"].lower().startswith("database") for hit in hits)
    assert all(hit["highlights"] for hit in hits)
    assert anon.get(hits[1]["url"]).status_code == 200


def test_beyond_max_hits_the_full_text_is_not_read(anon, kb, max_hits):
    everything = {hit["slug"] for hit in exact(anon, "django")["results"]}
    max_hits(10)
    body = search(anon, "django", page_size=100)
    assert body["count"] == 10
    ranks = [hit["rank"] for hit in body["results"]]
    assert ranks == sorted(ranks, reverse=True)
    # Only name matches (whole name 1.75, title starting with it 0.75, names holding it 0.5).
    assert set(ranks) <= {1.75, 0.75, 0.5}
    assert {hit["slug"] for hit in body["results"]} <= everything


def test_beyond_max_hits_with_few_name_matches_the_rest_is_full_text(anon, kb, max_hits):
    everything = exact(anon, "table")
    assert everything["count"] > 20
    max_hits(20)
    body = search(anon, "table", page_size=100)
    assert body["count"] == 20
    ranks = [hit["rank"] for hit in body["results"]]
    assert ranks == sorted(ranks, reverse=True)
    shown = [hit["slug"] for hit in body["results"]]
    assert set(shown) <= {hit["slug"] for hit in everything["results"]}
    # Every name match (here fewer than 20) is shown, before the full-text matches,
    # whatever its text rank: ranked by the name boosts alone, the others by theirs.
    titled = {hit["slug"] for hit in everything["results"] if "table" in hit["title"].lower()}
    assert 0 < len(titled) < 20
    assert titled <= set(shown)
    named = [rank for rank in ranks if rank >= 0.5]
    assert named
    assert all(hit["rank"] >= 0.5 for hit in body["results"] if hit["slug"] in titled)
    assert ranks[len(named) :] and max(ranks[len(named) :]) < 0.5


def test_beyond_max_hits_type_still_narrows_the_kinds(anon, kb, max_hits):
    max_hits(3)
    body = search(anon, "django", type="example", page_size=100)
    assert body["count"] == 3
    assert {hit["type"] for hit in body["results"]} == {"example"}


def test_beyond_max_hits_pages_are_consistent(anon, kb, max_hits):
    max_hits(9)
    whole = [hit["slug"] for hit in search(anon, "database", page_size=9)["results"]]
    pages = [search(anon, "database", page_size=3, page=page) for page in (1, 2, 3)]
    assert [hit["slug"] for page in pages for hit in page["results"]] == whole
    assert pages[2]["next"] is None
