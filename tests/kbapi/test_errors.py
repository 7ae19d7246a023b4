"""Every error has the same JSON shape, a machine-readable code, and changes nothing."""

import pytest
from django.urls import reverse

from concepts.models import Concept
from tests.factories import comparison_body


def assert_error(response, status: int, code: str):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    return body


def refused_delete_dependents(client, route: str, key: str) -> dict:
    """Delete what others still need: a 409 in the error shape; the dependents it names."""
    body = assert_error(client.delete(reverse(route, args=[key])), 409, "conflict")
    return body["dependents"]


@pytest.mark.parametrize(
    "path", ["/api/nope", "/api/v1/nope/", "/api/v2/", "/api/v1/concepts/x/y/"]
)
def test_unknown_routes_under_api_answer_json_404(anon, db, path):
    assert_error(anon.get(path), 404, "not_found")


def test_unknown_slug_is_json_404(anon, small_kb):
    assert_error(anon.get(reverse("concept-detail", args=["no-such-concept"])), 404, "not_found")


def test_validation_errors_name_the_fields(editor, small_kb):
    body = assert_error(editor.post(reverse("concept-list"), {}, format="json"), 400, "invalid")
    assert {"slug", "name", "summary", "definition", "category", "source"} <= set(body["errors"])


def test_malformed_json_is_400_parse_error(editor, small_kb):
    response = editor.generic(
        "POST", reverse("tag-list"), '{"slug": "x", ', content_type="application/json"
    )
    assert_error(response, 400, "parse_error")


def test_wrong_content_type_is_415(editor, small_kb):
    response = editor.generic(
        "POST",
        reverse("tag-list"),
        "slug=x&name=y",
        content_type="application/x-www-form-urlencoded",
    )
    assert_error(response, 415, "unsupported_media_type")


def test_method_not_allowed_is_405(editor, small_kb):
    assert_error(editor.put(reverse("concept-list"), {}, format="json"), 405, "method_not_allowed")


def test_duplicate_slug_is_refused_and_nothing_changes(editor, small_kb):
    before = Concept.objects.count()
    response = editor.post(
        reverse("concept-list"),
        {
            "slug": "database",
            "name": "Another database",
            "summary": "Dup.",
            "definition": "Dup.",
            "category": "database-type",
            "source": "Week 1",
        },
        format="json",
    )
    body = assert_error(response, 400, "invalid")
    assert "slug" in body["errors"]
    assert Concept.objects.count() == before


def test_duplicate_relation_is_400_and_says_so(editor, small_kb):
    body = {"source": "relational-database", "type": "is-a", "target": "database"}
    error = assert_error(editor.post(reverse("relation-list"), body, format="json"), 400, "invalid")
    assert error["message"] == "This relation already exists."


def test_self_loop_relation_is_400(editor, small_kb):
    body = {"source": "database", "type": "related-to", "target": "database"}
    assert_error(editor.post(reverse("relation-list"), body, format="json"), 400, "invalid")


def test_deleting_a_needed_concept_is_409_naming_dependents(deleter, small_kb):
    dependents = refused_delete_dependents(deleter, "concept-detail", "key-value-store")
    assert dependents["relations"] == [
        "key-value-store--is-a--database",
        "relational-database--contrasts-with--key-value-store",
    ]
    assert dependents["comparisons"] == ["relational-vs-key-value"]
    assert dependents["examples"] == ["redis"]
    assert Concept.objects.filter(slug="key-value-store").exists()


def test_deleting_a_category_in_use_is_409(deleter, small_kb):
    response = deleter.delete(reverse("category-detail", args=["database-type"]))
    assert_error(response, 409, "conflict")


def test_comparison_aspect_missing_a_value_is_400(editor, small_kb):
    body = comparison_body(
        "bad", "Bad", {"Scope": {"database": "Any"}}, summary="Bad.", verdict="Bad."
    )
    error = assert_error(
        editor.post(reverse("comparison-list"), body, format="json"), 400, "invalid"
    )
    assert "aspects" in error["errors"]


def test_bad_trait_is_400(editor, small_kb):
    response = editor.patch(
        reverse("concept-detail", args=["key-value-store"]),
        {"traits": [{"factor": "colour", "value": "red", "fit": 9, "reason": "x"}]},
        format="json",
    )
    body = assert_error(response, 400, "invalid")
    assert "traits" in body["errors"]


def test_huge_page_number_is_404_not_500(anon, small_kb):
    assert_error(anon.get(reverse("concept-list"), {"page": 10**12}), 404, "not_found")


def test_page_size_is_clamped_to_the_maximum(anon, small_kb):
    response = anon.get(reverse("concept-list"), {"page_size": 10**9})
    assert response.status_code == 200
    assert response.json()["count"] == 3


@pytest.mark.parametrize(
    "method, url, allowed",
    [
        ("post", "/api/v1/concepts/acid/", "GET, PUT, PATCH, DELETE, HEAD, OPTIONS"),
        ("put", "/api/v1/concepts/", "GET, POST, HEAD, OPTIONS"),
        ("post", "/api/v1/relations/acid--is-a--database/", None),
        ("delete", "/api/v1/graph/", "GET, HEAD, OPTIONS"),
    ],
)
@pytest.mark.parametrize("who", ["anon", "editor"])
def test_a_method_the_route_lacks_is_405_whoever_asks(request, small_kb, who, method, url, allowed):
    """Not 401 for an anonymous client: signing in would not make the method exist."""
    client = request.getfixturevalue(who)
    response = getattr(client, method)(url, {}, format="json")
    assert response.status_code == 405, response.content
    assert response.json()["code"] == "method_not_allowed"
    if allowed:
        assert response["Allow"] == allowed
