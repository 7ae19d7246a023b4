"""graph/path/: the shortest chain of relations between two concepts."""

from collections import deque
from itertools import pairwise

import pytest
from django.urls import reverse

from relations.models import Relation
from tests.factories import make_concept


def distance(source: str, target: str) -> int:
    """Fewest relations between two concepts, found independently of the API's walk."""
    linked: dict[str, set[str]] = {}
    for a, b in Relation.objects.values_list("source__slug", "target__slug"):
        linked.setdefault(a, set()).add(b)
        linked.setdefault(b, set()).add(a)
    seen, queue = {source: 0}, deque([source])
    while queue:
        here = queue.popleft()
        for there in linked.get(here, ()):
            if there not in seen:
                seen[there] = seen[here] + 1
                queue.append(there)
    return seen[target]


def path(client, **params):
    return client.get(reverse("graph-path"), params)


def assert_is_a_chain(body):
    slugs = [c["slug"] for c in body["results"]]
    assert len(body["edges"]) == body["length"] == len(slugs) - 1
    for (here, there), edge in zip(pairwise(slugs), body["edges"], strict=True):
        expected = (here, there) if edge["direction"] == "forward" else (there, here)
        assert (edge["source"], edge["target"]) == expected


def test_shortest_chain_across_the_knowledge_base(anon):
    body = path(anon, **{"from": "key-value-store", "to": "django-orm"}).json()
    assert body["from"]["slug"] == "key-value-store" and body["to"]["slug"] == "django-orm"
    assert body["length"] == 3
    assert [c["slug"] for c in body["results"]] == [
        "key-value-store",
        "relational-database",
        "orm",
        "django-orm",
    ]
    assert [(e["type"], e["direction"]) for e in body["edges"]] == [
        ("contrasts-with", "forward"),
        ("uses", "backward"),
        ("implements", "backward"),  # the Django ORM implements the ORM technique
    ]
    assert_is_a_chain(body)


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("acid", "mvt"),
        ("graph-node", "sql"),
        ("database", "relational-database"),
        ("flat-file", "generic-views"),
        ("wsgi", "column-family"),
    ],
)
def test_paths_are_chains_of_the_shortest_length(anon, source, target):
    body = path(anon, **{"from": source, "to": target}).json()
    assert body["length"] == distance(source, target) > 0
    assert_is_a_chain(body)
    assert body["results"][0]["slug"] == source and body["results"][-1]["slug"] == target
    backwards = path(anon, **{"from": target, "to": source}).json()
    assert backwards["length"] == body["length"]


def test_from_equal_to_to_is_a_path_of_length_zero(anon):
    body = path(anon, **{"from": "acid", "to": "acid"}).json()
    assert body["length"] == 0
    assert [c["slug"] for c in body["results"]] == ["acid"]
    assert body["edges"] == []


def test_type_filter_limits_the_relations_used(anon):
    body = path(anon, **{"from": "key-value-store", "to": "database", "type": "is-a"}).json()
    assert body["length"] == 2
    assert {e["type"] for e in body["edges"]} == {"is-a"}


def test_no_chain_is_404_with_a_clear_message(anon):
    make_concept("an-island")
    response = path(anon, **{"from": "an-island", "to": "acid"})
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "no_path"
    assert "'an-island'" in body["message"] and "'acid'" in body["message"]


def test_no_chain_with_only_the_given_types_is_404(anon):
    response = path(anon, **{"from": "key-value-store", "to": "django-orm", "type": "is-a"})
    assert response.status_code == 404
    assert "is-a" in response.json()["message"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"to": "acid"}, "from"),
        ({"from": "acid"}, "to"),
        ({"from": "", "to": "acid"}, "from"),
        ({"from": "acid", "to": "no-such-concept"}, "to"),
        ({"from": "no-such-concept", "to": "acid"}, "from"),
        ({"from": "acid", "to": "mvt", "type": "friend-of"}, "type"),
        ({"from": "acid", "to": "mvt", "type": ""}, "type"),
    ],
)
def test_missing_or_unknown_parameters_are_400(anon, params, field):
    response = path(anon, **params)
    assert response.status_code == 400
    assert field in response.json()["errors"]
