"""One shape for one idea (README, "Using the API"): every collection is count, next,
previous, results plus its own keys; an embedded concept is the same stub everywhere; a
comparison's cell is the same list in comparisons/ and compare/; relation types come
with labels; categories and tags count their concepts; a search hit's type is an enum."""

import re
from pathlib import Path

import pytest
import yaml
from django.db.models import Count
from django.urls import reverse

from concepts.models import Category, Concept, Tag
from relations.models import Relation

SCHEMA = yaml.safe_load((Path(__file__).resolve().parents[2] / "schema.yml").read_text())
COMPONENTS = SCHEMA["components"]["schemas"]
PAGE_KEYS = ["count", "next", "previous", "results"]
STUB_KEYS = ["slug", "name", "category", "url"]

# Every GET whose path does not end in a parameter answers a collection, except these.
# the root and the account are objects; the graph's picture and SKOS URLs answer one other
# media type each (text, DOT, JSON-LD), not a JSON collection
NOT_COLLECTIONS = {
    "/api/v1/",
    "/api/v1/auth/me/",
    "/api/v1/graph/mermaid/",
    "/api/v1/graph/dot/",
    "/api/v1/graph/jsonld/",
}
# A request of each collection on the real knowledge base.
COLLECTIONS = {
    "/api/v1/advisor/": "advisor/?q=user+session+cache",
    "/api/v1/categories/": "categories/",
    "/api/v1/changes/": "changes/",
    "/api/v1/compare/": "compare/?concepts=key-value-store,graph-database",
    "/api/v1/comparisons/": "comparisons/",
    "/api/v1/comparisons/{slug}/history/": "comparisons/nosql-families/history/",
    "/api/v1/concepts/": "concepts/",
    "/api/v1/concepts/{slug}/history/": "concepts/acid/history/",
    "/api/v1/concepts/{slug}/learning-path/": "concepts/join/learning-path/",
    "/api/v1/concepts/{slug}/neighbors/": "concepts/acid/neighbors/?depth=2",
    "/api/v1/examples/": "examples/",
    "/api/v1/examples/{slug}/history/": "examples/redis/history/",
    "/api/v1/graph/": "graph/",
    "/api/v1/graph/path/": "graph/path/?from=key-value-store&to=django-orm",
    "/api/v1/relation-types/": "relation-types/",
    "/api/v1/relations/": "relations/",
    "/api/v1/relations/{key}/history/": "relations/key-value-store--is-a--non-relational-database/history/",
    "/api/v1/search/": "search/?q=database",
    "/api/v1/tags/": "tags/",
}
# Answers that embed concepts, beyond the collections above.
EMBEDDING = [
    "concepts/acid/",
    "concepts/relational-database/?format=json",  # the serializer path, not the plain one
    "concepts/?expand=relations&page_size=100",
    "relations/?expand=source,target&page_size=100",
    "relations/key-value-store--is-a--non-relational-database/?expand=source,target",
    "examples/?expand=concepts&page_size=100",
    "examples/redis/?expand=concepts",
    "comparisons/?expand=concepts",
    "comparisons/nosql-families/?expand=concepts",
    "concepts/relational-database/neighbors/?depth=3",
    "graph/?around=key-value-store&depth=2",
    "advisor/?data_structure=semi-structured",
]
CONCEPT_URL = re.compile(r"^http://testserver/api/v1/concepts/([^/]+)/$")


def resolve(schema: dict) -> dict:
    """A schema with its ``$ref`` (or the single ``allOf`` drf-spectacular wraps one in) followed."""
    while "$ref" in schema or len(schema.get("allOf", ())) == 1:
        ref = schema["$ref"] if "$ref" in schema else schema["allOf"][0]["$ref"]
        schema = COMPONENTS[ref.rsplit("/", 1)[1]]
    return schema


def get_json(client, url: str):
    response = client.get(f"/api/v1/{url}")
    assert response.status_code == 200, (url, response.content[:300])
    return response.json()


# --- collections ------------------------------------------------------------------------


def test_every_collection_in_the_schema_is_count_next_previous_results_first():
    collections = set()
    for path, item in SCHEMA["paths"].items():
        if "get" not in item or path.endswith("}/") or path in NOT_COLLECTIONS:
            continue
        collections.add(path)
        body = resolve(item["get"]["responses"]["200"]["content"]["application/json"]["schema"])
        properties = body["properties"]
        assert list(properties)[:4] == PAGE_KEYS, path
        assert set(PAGE_KEYS) <= set(body["required"]), path
        assert properties["count"]["type"] == "integer", path
        for key in ("next", "previous"):
            assert properties[key]["type"] == "string", path
            assert properties[key]["format"] == "uri", path
            assert properties[key]["nullable"] is True, path
        assert properties["results"]["type"] == "array", path
    assert collections == set(COLLECTIONS)  # a new collection needs a request below


@pytest.mark.parametrize("url", COLLECTIONS.values())
def test_every_collection_answers_count_next_previous_results_first(anon, kb, url):
    body = get_json(anon, url)
    assert list(body)[:4] == PAGE_KEYS
    assert body["count"] == len(body["results"]) or body["next"] is not None
    if "page=" not in url and body["count"] <= 20:
        assert body["next"] is None and body["previous"] is None


def test_a_collection_served_whole_says_so(anon, kb):
    body = get_json(anon, "graph/")
    assert (body["count"], body["next"], body["previous"]) == (
        Concept.objects.count(),
        None,
        None,
    )
    assert len(body["results"]) == body["count"] and len(body["edges"]) == Relation.objects.count()


# --- the concept stub ---------------------------------------------------------------------


def concept_stubs(body, *, own_items: bool):
    """Every object in ``body`` that names a concept by its URL, but the objects shown in
    their own right: a concept's detail, and with ``own_items`` the items of the list (the
    concept list's concepts, the search's hits)."""
    found = []

    def walk(node, depth):
        if isinstance(node, dict):
            own = depth == 0 or (depth == 1 and own_items)
            if isinstance(node.get("url"), str) and CONCEPT_URL.match(node["url"]) and not own:
                found.append(node)
            for value in node.values():
                walk(value, depth + 1)
        elif isinstance(node, list):
            for item in node:
                walk(item, depth)

    walk(body, 0)
    return found


@pytest.mark.parametrize("url", [*COLLECTIONS.values(), *EMBEDDING])
def test_every_embedded_concept_is_the_one_stub(anon, kb, url):
    categories = dict(Concept.objects.values_list("slug", "category__slug"))
    names = dict(Concept.objects.values_list("slug", "name"))
    body = get_json(anon, url)
    own = url.startswith(("concepts/?", "search/")) or url == "concepts/"
    stubs = concept_stubs(body, own_items=own)
    for stub in stubs:
        slug = CONCEPT_URL.match(stub["url"])[1]
        assert list(stub)[:4] == STUB_KEYS, (url, stub)
        assert (stub["slug"], stub["name"], stub["category"]) == (
            slug,
            names[slug],
            categories[slug],
        ), url
    if url in EMBEDDING:
        assert stubs, f"{url} embeds no concept"


def test_the_schema_has_one_concept_stub():
    stub = COMPONENTS["ConceptStub"]
    assert list(stub["properties"]) == STUB_KEYS
    assert set(STUB_KEYS) <= set(stub["required"])

    def plain(schema):
        return {k: v for k, v in schema.items() if k != "description"}

    extended = []
    for name, component in COMPONENTS.items():
        properties = component.get("properties", {})
        if not set(STUB_KEYS) <= set(properties) or name.startswith(("Concept", "Patched")):
            continue
        extended.append(name)
        assert list(properties)[:4] == STUB_KEYS, name
        for key in STUB_KEYS:
            assert plain(properties[key]) == plain(stub["properties"][key]), (name, key)
    assert sorted(extended) == ["Advice", "LearningStep", "Neighbor"]
    for gone in ("ConceptRef", "ConceptNode", "Column", "ExampleSystem", "CuratedComparison"):
        assert gone not in COMPONENTS


# --- a comparison's cell ------------------------------------------------------------------


def test_a_comparison_cell_is_a_list_of_texts_in_comparisons_and_compare(anon, kb):
    curated = get_json(anon, "comparisons/nosql-families/")
    columns = ["graph-database", "key-value-store"]
    matrix = get_json(anon, f"compare/?concepts={','.join(columns)}")
    assert matrix["comparison"]["slug"] == "nosql-families"
    rows = {row["name"]: row for row in matrix["results"]}
    for aspect in curated["aspects"]:
        assert all(
            isinstance(cell, list) and len(cell) == 1 and isinstance(cell[0], str)
            for cell in aspect["values"].values()
        ), aspect
        # the curated row of compare/ is the comparison's row, for the columns asked
        assert rows[aspect["name"]]["values"] == {s: aspect["values"][s] for s in columns}
    for name in ("Aspect", "MatrixRow"):
        cell = COMPONENTS[name]["properties"]["values"]["additionalProperties"]
        assert (cell["type"], cell["items"]["type"]) == ("array", "string"), name


def test_a_comparison_is_written_in_the_shape_it_is_read(editor, kb):
    url = reverse("comparison-detail", args=["nosql-families"])
    read = editor.get(url).json()
    body = {key: read[key] for key in ("slug", "title", "summary", "verdict", "concepts")}
    body["aspects"] = [*read["aspects"][1:], read["aspects"][0]]  # moved: a real change
    response = editor.put(url, body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["aspects"] == body["aspects"]
    assert editor.get(url).json()["aspects"] == body["aspects"]


@pytest.mark.parametrize(
    "cell",
    ["just a string", [], ["one", "two"], [1]],
    ids=["string", "empty", "two-texts", "number"],
)
def test_a_comparison_cell_of_another_shape_is_a_400(editor, kb, cell):
    url = reverse("comparison-detail", args=["nosql-families"])
    aspects = editor.get(url).json()["aspects"]
    first = aspects[0]
    aspects[0] = {**first, "values": {**first["values"], next(iter(first["values"])): cell}}
    response = editor.patch(url, {"aspects": aspects}, format="json")
    assert response.status_code == 400, response.content
    assert "aspects" in response.json()["errors"]


# --- relation types -----------------------------------------------------------------------


def test_relation_types_are_listed_with_their_labels(anon, db):
    body = get_json(anon, "relation-types/")
    assert body == {
        "count": len(Relation.Type.choices),
        "next": None,
        "previous": None,
        "results": [{"slug": slug, "label": label} for slug, label in Relation.Type.choices],
    }
    assert {"slug": "prerequisite-of", "label": "prerequisite of"} in body["results"]
    # the slugs are the relation type enum every relation and edge uses
    enum = COMPONENTS["RelationTypeEnum"]["enum"]
    assert [t["slug"] for t in body["results"]] == enum
    slug_schema = COMPONENTS["RelationType"]["properties"]["slug"]
    assert resolve(slug_schema)["enum"] == enum
    assert get_json(anon, "")["resources"]["relation_types"].endswith("/api/v1/relation-types/")


# --- concept counts -----------------------------------------------------------------------


@pytest.mark.parametrize(("model", "route"), [(Category, "category"), (Tag, "tag")])
def test_categories_and_tags_count_their_concepts(anon, kb, model, route):
    counts = dict(model.objects.annotate(n=Count("concepts")).values_list("slug", "n"))
    assert any(counts.values()) and len(counts) > 1
    listed = anon.get(reverse(f"{route}-list"), {"page_size": 100}).json()
    assert {row["slug"]: row["concept_count"] for row in listed["results"]} == counts
    slug = max(counts, key=counts.get)
    assert anon.get(reverse(f"{route}-detail", args=[slug])).json()["concept_count"] == counts[slug]
    biggest = anon.get(reverse(f"{route}-list"), {"ordering": "-concept_count,slug"}).json()
    assert biggest["results"][0]["concept_count"] == max(counts.values())


def test_an_expanded_category_or_tag_counts_its_concepts_too(anon, kb):
    concept = Concept.objects.get(slug="key-value-store")
    body = get_json(anon, "concepts/key-value-store/?expand=category,tags")
    assert body["category"]["concept_count"] == concept.category.concepts.count()
    for tag in body["tags"]:
        assert tag["concept_count"] == Tag.objects.get(slug=tag["slug"]).concepts.count()
    page = get_json(anon, "concepts/?expand=category,tags&page_size=100")
    for row in page["results"]:
        assert (
            row["category"]["concept_count"]
            == Category.objects.get(slug=row["category"]["slug"]).concepts.count()
        )


def test_a_new_category_answers_as_a_get_does(editor, db):
    body = {"slug": "fresh", "name": "Fresh", "description": ""}
    response = editor.post(reverse("category-list"), body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["concept_count"] == 0
    assert response.json() == editor.get(reverse("category-detail", args=["fresh"])).json()


# --- search hits --------------------------------------------------------------------------


def test_a_search_hit_type_is_its_own_enum():
    hit_type = COMPONENTS["SearchHit"]["properties"]["type"]
    assert hit_type["allOf"] == [{"$ref": "#/components/schemas/SearchHitTypeEnum"}]
    assert COMPONENTS["SearchHitTypeEnum"]["enum"] == ["concept", "example", "comparison"]
    assert "is-a" in COMPONENTS["RelationTypeEnum"]["enum"]  # not renamed or merged
    assert COMPONENTS["SearchHit"]["properties"]["highlights"]["items"]["type"] == "array"
