"""concepts/{slug}/learning-path/: prerequisites in an order to learn them."""

from django.urls import reverse

from relations.models import Relation


def learning_path(client, slug="join", **params):
    return client.get(reverse("concept-learning-path", args=[slug]), params)


def prerequisite_edges() -> dict[str, set[str]]:
    requires: dict[str, set[str]] = {}
    for source, target in Relation.objects.filter(type="prerequisite-of").values_list(
        "source__slug", "target__slug"
    ):
        requires.setdefault(target, set()).add(source)
    return requires


def transitive(requires, slug) -> set[str]:
    seen, stack = set(), [slug]
    while stack:
        for before in requires.get(stack.pop(), ()):
            if before not in seen:
                seen.add(before)
                stack.append(before)
    return seen


def test_join_is_learned_from_the_relational_model_up_through_keys(anon):
    body = learning_path(anon).json()
    assert body["concept"]["slug"] == "join"
    # the relational model comes before relational databases, which are defined with tables
    # (content review item 29), so a relational database is no step towards a join
    assert [s["slug"] for s in body["results"]] == [
        "data-model",
        "relational-model",
        "table",
        "primary-key",
        "foreign-key",
    ]
    assert [s["position"] for s in body["results"]] == list(range(1, 6))
    assert body["count"] == 5


def test_each_step_comes_after_its_own_prerequisites_and_all_are_needed(anon):
    requires = prerequisite_edges()
    for slug in ("join", "django-orm", "mvt", "data-warehouse", "on-delete", "generic-views"):
        steps = learning_path(anon, slug=slug).json()["results"]
        order = [s["slug"] for s in steps]
        assert set(order) == transitive(requires, slug), slug
        for position, step in enumerate(steps):
            assert set(step["prerequisites"]) == requires.get(step["slug"], set()) & set(order)
            assert set(step["prerequisites"]) <= set(order[:position]), (slug, step["slug"])


def test_known_concepts_and_what_lies_only_behind_them_are_left_out(anon):
    body = learning_path(anon, slug="relational-database", known="relational-model").json()
    order = [s["slug"] for s in body["results"]]
    # relational-model's own prerequisite (data-model) goes with it; database is still
    # needed because database-management-system builds on it directly
    assert order == ["database", "database-management-system", "flat-file"]
    assert body["known"] == ["relational-model"]
    assert body["results"][1]["prerequisites"] == ["database"]


def test_several_known_concepts_comma_separated(anon):
    body = learning_path(anon, known="relational-model,data-model,table").json()
    assert [s["slug"] for s in body["results"]] == ["primary-key", "foreign-key"]
    assert body["known"] == ["data-model", "relational-model", "table"]


def test_knowing_the_concept_itself_leaves_nothing_to_learn(anon):
    assert learning_path(anon, known="join").json()["results"] == []


def test_a_concept_without_prerequisites_has_an_empty_path(anon):
    body = learning_path(anon, slug="database").json()
    assert body["results"] == [] and body["count"] == 0


def test_unknown_slugs_in_known_are_400_naming_them(anon):
    response = learning_path(anon, known="table,no-such-thing,also-missing")
    assert response.status_code == 400
    body = response.json()
    assert "also-missing, no-such-thing" in body["errors"]["known"][0]
    assert "table" not in body["message"]


def test_unknown_concept_is_404(anon):
    response = learning_path(anon, slug="no-such-concept")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_prerequisite_cycle_still_gives_every_concept_once(anon, editor):
    created = editor.post(
        reverse("relation-list"),
        {"source": "join", "type": "prerequisite-of", "target": "table"},
        format="json",
    )
    assert created.status_code == 201, created.content
    order = [s["slug"] for s in learning_path(anon, slug="foreign-key").json()["results"]]
    assert len(order) == len(set(order))
    assert {"join", "table", "primary-key", "relational-model"} <= set(order)
