"""concepts/{slug}/neighbors/: concepts reached by relations, with the edges that reach them."""

import pytest
from django.urls import reverse


def neighbors(client, slug="key-value-store", **params):
    return client.get(reverse("concept-neighbors", args=[slug]), params)


def other_end(edge: dict) -> str:
    """Where a walked edge came from: its start, given the direction it was crossed."""
    return edge["source"] if edge["direction"] == "forward" else edge["target"]


def test_depth_one_gives_direct_neighbours_in_both_directions(anon):
    body = neighbors(anon, depth=1).json()
    assert body["concept"]["slug"] == "key-value-store"
    reached = {r["slug"]: r for r in body["results"]}
    assert {"non-relational-database", "key-value-pair", "document-store"} <= set(reached)
    assert body["count"] == len(body["results"])
    assert all(r["distance"] == 1 for r in body["results"])
    is_a = {"source": "key-value-store", "type": "is-a", "target": "non-relational-database"}
    assert {**is_a, "direction": "forward"} in reached["non-relational-database"]["edges"]
    part_of = {"source": "key-value-pair", "type": "part-of", "target": "key-value-store"}
    assert {**part_of, "direction": "backward"} in reached["key-value-pair"]["edges"]
    assert reached["key-value-pair"]["url"].endswith("/api/v1/concepts/key-value-pair/")


def test_every_edge_reaches_its_concept_from_one_relation_nearer(anon):
    body = neighbors(anon, depth=3).json()
    distance = {r["slug"]: r["distance"] for r in body["results"]} | {"key-value-store": 0}
    assert max(distance.values()) == 3
    for result in body["results"]:
        assert result["edges"], result["slug"]
        for edge in result["edges"]:
            assert result["slug"] in (edge["source"], edge["target"])
            assert distance[other_end(edge)] == result["distance"] - 1


def test_deeper_walks_find_more_and_keep_what_was_near(anon):
    found = {}
    for depth in (1, 2, 3):
        found[depth] = {
            r["slug"]: r["distance"] for r in neighbors(anon, depth=depth).json()["results"]
        }
    assert len(found[1]) < len(found[2]) < len(found[3])
    assert all(found[3][slug] == d for slug, d in found[2].items())
    assert "key-value-store" not in found[3]


def test_results_are_nearest_first_then_by_slug(anon):
    results = neighbors(anon, depth=2).json()["results"]
    keys = [(r["distance"], r["slug"]) for r in results]
    assert keys == sorted(keys)


def test_type_filter_walks_only_those_relations(anon):
    body = neighbors(anon, depth=2, type="is-a").json()
    assert body["types"] == ["is-a"]
    reached = {r["slug"] for r in body["results"]}
    # up to the parent type, on to its parent and across to the sibling types
    assert {"non-relational-database", "database", "document-store", "graph-database"} <= reached
    assert "key-value-pair" not in reached  # linked by part-of only
    assert all(e["type"] == "is-a" for r in body["results"] for e in r["edges"])


def test_several_types_repeated_or_comma_separated_agree(anon):
    url = reverse("concept-neighbors", args=["relational-database"])
    repeated = anon.get(f"{url}?type=is-a&type=part-of&depth=2").json()
    commas = anon.get(f"{url}?type=part-of,is-a&depth=2").json()
    assert repeated == commas
    assert repeated["types"] == ["is-a", "part-of"]
    assert {e["type"] for r in repeated["results"] for e in r["edges"]} == {"is-a", "part-of"}


@pytest.mark.parametrize(
    "depth",
    [
        "0",
        "4",
        "-1",
        "1.5",
        "2.0",
        "NaN",
        "nan",
        "Infinity",
        "-Infinity",
        "1e400",
        "1e0",
        "99999999999999999999999",
        "",
        " 2",
        "two",
        "0x2",
        "2\x00",
    ],
)
def test_depth_outside_one_to_three_or_not_an_integer_is_400(anon, depth):
    response = neighbors(anon, depth=depth)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "depth" in body["errors"]
    expected = "NUL" if "\x00" in depth else "1 to 3"  # NUL is refused before any view runs
    assert expected in body["message"]


def test_unknown_relation_type_is_400_naming_it(anon):
    body = neighbors(anon, type="is-a,likes").json()
    assert body["status"] == 400
    assert "likes" in body["errors"]["type"][0]


@pytest.mark.parametrize("query", ["type=", "type=%20", "type=is-a&type="])
def test_an_empty_relation_type_is_400_not_a_walk_of_every_type(anon, query):
    url = reverse("concept-neighbors", args=["key-value-store"])
    response = anon.get(f"{url}?{query}")
    assert response.status_code == 400
    assert "leave the parameter out" in response.json()["errors"]["type"][0]


def test_unknown_concept_is_404_in_the_error_shape(anon):
    response = neighbors(anon, slug="no-such-concept")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert "no-such-concept" in response.json()["message"]


def test_only_get_is_allowed(editor):
    response = editor.post(reverse("concept-neighbors", args=["key-value-store"]), {})
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
