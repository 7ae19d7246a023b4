"""?fields= trims responses, ?expand= embeds related objects; neither costs a query per row."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_many


def get_json(client, url, params=None, status=200):
    response = client.get(url, params or {})
    assert response.status_code == status, response.content
    return response.json()


def test_fields_keeps_only_the_named_top_level_fields_in_lists(anon, small_kb):
    body = get_json(anon, reverse("concept-list"), {"fields": "slug,name"})
    assert body["count"] == 3
    assert all(set(row) == {"slug", "name"} for row in body["results"])


def test_fields_on_a_detail_keeps_declared_order(anon, small_kb):
    body = get_json(
        anon, reverse("concept-detail", args=["relational-database"]), {"fields": "name, slug"}
    )
    assert list(body) == ["slug", "name"]


@pytest.mark.parametrize("param", ["fields", "expand"])
def test_an_unknown_name_is_a_400_in_the_error_shape_even_on_an_empty_page(anon, small_kb, param):
    for query in ({param: "slug,nope"}, {param: "nope", "name": "no-such-concept"}):
        body = get_json(anon, reverse("concept-list"), query, status=400)
        assert body["status"] == 400 and body["code"] == "invalid"
        assert "nope" in body["errors"][param][0]


def test_expand_embeds_category_and_tags_objects_instead_of_slugs(anon, small_kb):
    body = get_json(anon, reverse("concept-list"), {"expand": "category,tags", "ordering": "slug"})
    database = body["results"][0]
    assert database["category"]["slug"] == "database-concept"
    assert database["category"]["name"] == "Database concept"
    assert [tag["name"] for tag in database["tags"]] == ["Week 1"]


def test_expand_in_a_list_adds_fields_of_the_full_form(anon, small_kb):
    url = reverse("concept-list")
    brief = get_json(anon, url, {"name": "Relational database"})["results"][0]
    assert "definition" not in brief and "relations" not in brief
    full = get_json(anon, url, {"name": "Relational database", "expand": "definition,relations"})
    row = full["results"][0]
    assert row["definition"].startswith("Data lives in tables")
    outgoing = {(edge["type"], edge["concept"]["slug"]) for edge in row["relations"]["outgoing"]}
    assert ("is-a", "database") in outgoing


def test_expand_examples_on_a_detail_gives_example_objects(anon, small_kb):
    url = reverse("concept-detail", args=["relational-database"])
    assert get_json(anon, url)["examples"][0].keys() == {"url", "slug", "name", "kind"}
    example = get_json(anon, url, {"expand": "examples"})["examples"][0]
    assert example["slug"] == "select-rows"
    assert example["description"] == "Run a query and walk the rows."
    assert set(example["concepts"]) == {"relational-database", "database"}


def test_fields_and_expand_combine(anon, small_kb):
    body = get_json(
        anon,
        reverse("example-list"),
        {"fields": "slug,concepts,code", "expand": "concepts,code", "slug": "select-rows"},
    )
    row = body["results"][0]
    assert set(row) == {"slug", "concepts", "code"}
    assert {c["slug"] for c in row["concepts"]} == {"relational-database", "database"}
    assert "cursor.execute" in row["code"]


def test_relation_ends_and_comparison_aspects_expand(anon, small_kb):
    relation = get_json(
        anon,
        reverse("relation-detail", args=["relational-database--is-a--database"]),
        {"expand": "source,target"},
    )
    assert relation["source"]["name"] == "Relational database"
    assert relation["target"]["slug"] == "database"
    comparison = get_json(anon, reverse("comparison-list"), {"expand": "aspects,verdict"})
    assert comparison["results"][0]["aspects"]


def test_writes_ignore_fields_and_expand(editor, small_kb):
    url = reverse("tag-detail", args=["sql"]) + "?fields=slug&expand=whatever"
    response = editor.patch(url, {"name": "Structured Query Language"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Structured Query Language"


def test_schema_documents_fields_and_expand_on_lists_and_details(anon, db):
    schema = anon.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path in ("/api/v1/concepts/", "/api/v1/concepts/{slug}/", "/api/v1/examples/"):
        names = {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}
        assert {"fields", "expand"} <= set(names), path
    expand = {p["name"]: p for p in schema["paths"]["/api/v1/concepts/"]["get"]["parameters"]}
    assert "`definition`" in expand["expand"]["description"]


EXPANDED_LISTS = {
    # (route, expand): queries, whatever the page size
    # + the page's categories with their concept counts (the concepts' own are joined)
    ("concept-list", "category,tags,examples"): 3 + 3 + 1,
    ("concept-list", "definition,relations,comparisons"): 3 + 3,
    ("example-list", "concepts,code"): 3,
    # + the categories of the sources, of the targets (the stub names its category)
    ("relation-list", "source,target"): 2 + 2,
    ("comparison-list", "aspects"): 3 + 2,
}


@pytest.mark.parametrize(("route_and_expand", "expected"), EXPANDED_LISTS.items())
def test_expanded_list_query_count_is_pinned_and_independent_of_page_size(
    anon, small_kb, route_and_expand, expected
):
    make_many(30)
    route, expand = route_and_expand
    url = reverse(route)
    for page_size in (1, 100):
        with CaptureQueriesContext(connection) as queries:
            response = anon.get(url, {"expand": expand, "page_size": page_size})
        assert response.status_code == 200, response.content
        assert len(queries) == expected, (page_size, [q["sql"] for q in queries])


def test_link_header_lets_a_frontend_walk_every_page(anon, small_kb):
    make_many(5)
    url, seen, pages = reverse("concept-list") + "?page_size=3&fields=slug", [], 0
    while url and pages < 10:
        response = anon.get(url)
        assert response.status_code == 200
        body = response.json()
        seen += [row["slug"] for row in body["results"]]
        links = dict(
            (part.split(";")[1].strip(), part.split(";")[0].strip(" <>"))
            for part in response.headers.get("Link", "").split(",")
            if part
        )
        assert links.get('rel="next"') == body["next"]
        if pages:
            assert links['rel="prev"'] == body["previous"]
        url, pages = body["next"], pages + 1
    assert len(seen) == len(set(seen)) == 8
    assert pages == 3


def test_expanded_detail_query_count_is_pinned(anon, small_kb):
    make_many(30)
    url = reverse("concept-detail", args=["relational-database"])
    with CaptureQueriesContext(connection) as plain:  # the serializer's path, unexpanded
        assert anon.get(url, {"format": "json"}).status_code == 200
    with CaptureQueriesContext(connection) as expanded:
        response = anon.get(url, {"expand": "category,tags,examples"})
    assert response.status_code == 200
    # the category with its concept count, tag objects, example objects and the examples'
    # concepts: one query each
    assert len(expanded) == len(plain) + 4
