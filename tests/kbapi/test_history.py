"""History: one row per change, who/when/what/why, readable after delete, and revert."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from concepts.models import Concept, Example, Tag
from relations.models import Comparison, Relation
from tests.factories import NEW_BODIES

NEW = NEW_BODIES
MODELS = {"concept": Concept, "example": Example, "relation": Relation, "comparison": Comparison}
EDIT = {
    "concept": ("relational-database", {"summary": "Tables.", "tags": ["sql"]}),
    "example": ("select-rows", {"description": "Changed.", "concepts": ["database"]}),
    "relation": ("relational-database--is-a--database", {"note": "changed"}),
    "comparison": ("relational-vs-key-value", {"verdict": "Changed."}),
}


def new_key(resource):
    if resource == "relation":
        return "key-value-store--related-to--database"
    return NEW[resource]["slug"]


def history(client, resource, key, **params):
    return client.get(reverse(f"{resource}-history", args=[key]), params)


def revert_url(resource, key, history_id):
    return reverse(f"{resource}-revert", args=[key, history_id])


@pytest.mark.parametrize("resource", list(NEW))
def test_each_api_write_records_exactly_one_history_row(deleter, small_kb, resource):
    model = MODELS[resource]
    before = model.history.count()
    created = deleter.post(reverse(f"{resource}-list"), NEW[resource], format="json")
    assert created.status_code == 201, created.content
    assert model.history.count() == before + 1
    key = new_key(resource)
    detail = reverse(f"{resource}-detail", args=[key])
    field = {"relation": "note", "example": "description"}.get(resource, "summary")
    assert deleter.patch(detail, {field: "x"}, format="json").status_code == 200
    assert model.history.count() == before + 2
    assert deleter.delete(detail).status_code == 204
    assert model.history.count() == before + 3
    actions = [e["action"] for e in history(deleter, resource, key).json()["results"]]
    assert actions == ["deleted", "changed", "created"]


@pytest.mark.parametrize("resource", list(EDIT))
def test_history_says_who_when_what_and_why(editor, small_kb, resource):
    key, change = EDIT[resource]
    response = editor.patch(
        reverse(f"{resource}-detail", args=[key]),
        change,
        format="json",
        HTTP_X_CHANGE_MESSAGE="Fix the wording",
    )
    assert response.status_code == 200, response.content
    entries = history(editor, resource, key).json()["results"]
    latest = entries[0]
    assert latest["action"] == "changed"
    assert latest["user"] == "editor"
    assert latest["message"] == "Fix the wording"
    assert latest["version"] == 2
    assert latest["at"]
    changed = {c["field"]: (c["old"], c["new"]) for c in latest["changes"]}
    for field, value in change.items():
        assert changed[field][1] == value
    assert set(changed) == set(change)
    assert entries[-1]["action"] == "created"
    assert entries[-1]["user"] is None  # loaded by the content loader, no user


@pytest.mark.parametrize("resource", list(EDIT))
def test_only_editors_see_who_made_a_change(anon, reader, editor, small_kb, resource):
    """The public reads that an edit happened, when and why; who made it is the editors'.
    (Staff usernames shown to anyone were a head start for guessing admin passwords.)"""
    key, change = EDIT[resource]
    detail = reverse(f"{resource}-detail", args=[key])
    assert (
        editor.patch(detail, change, format="json", HTTP_X_CHANGE_MESSAGE="Why").status_code == 200
    )
    for client in (anon, reader):
        latest = history(client, resource, key).json()["results"][0]
        assert latest["user"] is None
        assert (latest["action"], latest["message"], latest["version"]) == ("changed", "Why", 2)
        assert latest["changes"]
        assert b"editor" not in history(client, resource, key).content
    assert history(editor, resource, key).json()["results"][0]["user"] == "editor"


def test_a_user_who_may_view_sees_who_made_a_change(anon, editor, small_kb):
    from django.contrib.auth.models import Permission, User
    from rest_framework.test import APIClient

    viewer = User.objects.create_user("viewer", password="viewer-pass-123")
    viewer.user_permissions.add(Permission.objects.get(codename="view_concept"))
    client = APIClient()
    client.force_authenticate(viewer)
    edge = "key-value-store--is-a--database"
    editor.patch(reverse("concept-detail", args=["database"]), {"summary": "S."}, format="json")
    editor.patch(reverse("relation-detail", args=[edge]), {"note": "N."}, format="json")
    assert history(client, "concept", "database").json()["results"][0]["user"] == "editor"
    assert history(client, "relation", edge).json()["results"][0]["user"] is None  # not its kind
    assert history(editor, "relation", edge).json()["results"][0]["user"] == "editor"


def test_the_schema_says_when_the_user_is_shown():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    user = schema["components"]["schemas"]["HistoryEntry"]["properties"]["user"]
    assert user["nullable"] is True
    assert "signed-in" in user["description"] and "null" in user["description"]


def test_concept_history_shows_foreign_keys_and_tags_as_slugs(editor, small_kb):
    target = reverse("concept-detail", args=["database"])
    editor.patch(target, {"category": "database-type", "tags": ["nosql", "sql"]}, format="json")
    changes = history(editor, "concept", "database").json()["results"][0]["changes"]
    as_dict = {c["field"]: c for c in changes}
    assert as_dict["category"] == {
        "field": "category",
        "old": "database-concept",
        "new": "database-type",
    }
    assert as_dict["tags"]["new"] == ["nosql", "sql"]


def test_comparison_history_shows_aspect_and_concept_changes(editor, small_kb):
    target = reverse("comparison-detail", args=["relational-vs-key-value"])
    body = editor.get(target).json()
    aspects = body["aspects"] + [
        {"name": "Joins", "values": {slug: ["maybe"] for slug in body["concepts"]}}
    ]
    assert editor.patch(target, {"aspects": aspects}, format="json").status_code == 200
    entry = history(editor, "comparison", "relational-vs-key-value").json()["results"][0]
    assert [c["field"] for c in entry["changes"]] == ["aspects"]
    assert entry["changes"][0]["old"] == body["aspects"]
    assert entry["changes"][0]["new"] == aspects
    assert Comparison.history.count() == 2  # created by the loader, then this one change


def test_history_of_a_deleted_object_stays_readable(deleter, small_kb):
    target = reverse("relation-detail", args=["relational-database--is-a--database"])
    assert deleter.delete(target, HTTP_X_CHANGE_MESSAGE="Wrong edge").status_code == 204
    response = history(deleter, "relation", "relational-database--is-a--database")
    assert response.status_code == 200
    latest = response.json()["results"][0]
    assert (latest["action"], latest["message"], latest["user"]) == (
        "deleted",
        "Wrong edge",
        "editor",
    )


def test_history_of_an_unknown_object_is_404(anon, small_kb):
    response = history(anon, "concept", "no-such-thing")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert history(anon, "relation", "not-a-key").status_code == 404


def test_history_is_paginated_newest_first(editor, small_kb):
    target = reverse("concept-detail", args=["database"])
    for i in range(5):
        editor.patch(target, {"summary": f"Edit {i}."}, format="json")
    page = history(editor, "concept", "database", page_size=2).json()
    assert page["count"] == 6
    assert [e["version"] for e in page["results"]] == [6, 5]
    assert page["results"][0]["changes"] == [
        {"field": "summary", "old": "Edit 3.", "new": "Edit 4."}
    ]


def test_history_query_count_does_not_grow_with_its_length(editor, small_kb):
    target = reverse("concept-detail", args=["database"])
    url = reverse("concept-history", args=["database"])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert editor.get(url).status_code == 200
        return len(queries)

    editor.patch(target, {"summary": "One."}, format="json")
    short = count()
    for i in range(8):
        editor.patch(target, {"summary": f"Edit {i}."}, format="json")
    assert count() == short <= 5


def test_revert_restores_an_earlier_state_as_a_new_recorded_change(editor, small_kb):
    target = reverse("concept-detail", args=["relational-database"])
    original = editor.get(target).json()
    editor.patch(target, {"summary": "Wrong.", "tags": ["nosql"]}, format="json")
    first = history(editor, "concept", "relational-database").json()["results"][-1]
    response = editor.post(
        revert_url("concept", "relational-database", first["id"]),
        HTTP_X_CHANGE_MESSAGE="Undo the mistake",
    )
    assert response.status_code == 200, response.content
    assert response["ETag"].startswith('"v3-')
    restored = response.json()
    assert restored["summary"] == original["summary"]
    assert restored["tags"] == original["tags"]
    assert restored["version"] == 3
    latest = history(editor, "concept", "relational-database").json()["results"][0]
    assert (latest["action"], latest["message"]) == ("changed", "Undo the mistake")
    assert {c["field"] for c in latest["changes"]} == {"summary", "tags"}


def test_revert_of_a_comparison_restores_its_aspects(editor, small_kb):
    target = reverse("comparison-detail", args=["relational-vs-key-value"])
    original = editor.get(target).json()
    first = history(editor, "comparison", "relational-vs-key-value").json()["results"][0]
    concepts = original["concepts"]
    aspects = [{"name": "Only", "values": dict.fromkeys(concepts, ["x"])}]
    editor.patch(target, {"aspects": aspects}, format="json")
    response = editor.post(revert_url("comparison", "relational-vs-key-value", first["id"]))
    assert response.status_code == 200, response.content
    assert response.json()["aspects"] == original["aspects"]


def test_revert_honours_if_match(editor, small_kb):
    target = reverse("relation-detail", args=["relational-database--is-a--database"])
    stale = editor.get(target)["ETag"]
    editor.patch(target, {"note": "newer"}, format="json")
    first = history(editor, "relation", "relational-database--is-a--database").json()["results"][-1]
    url = revert_url("relation", "relational-database--is-a--database", first["id"])
    assert editor.post(url, HTTP_IF_MATCH=stale).status_code == 412
    assert editor.get(target).json()["note"] == "newer"
    fresh = editor.get(target)["ETag"]
    assert editor.post(url, HTTP_IF_MATCH=fresh).status_code == 200


def test_revert_needs_the_change_permission(anon, reader, small_kb):
    first = history(anon, "concept", "database").json()["results"][0]
    url = revert_url("concept", "database", first["id"])
    assert anon.post(url).status_code == 401
    assert reader.post(url).status_code == 403
    assert Concept.history.count() == 3


def test_revert_to_a_state_that_refers_to_a_deleted_tag_is_409(deleter, small_kb):
    target = reverse("concept-detail", args=["relational-database"])
    first = history(deleter, "concept", "relational-database").json()["results"][0]
    deleter.patch(target, {"tags": []}, format="json")
    for slug in ("sql", "week-1"):
        Tag.objects.filter(slug=slug).delete()
    before = deleter.get(target).content
    response = deleter.post(revert_url("concept", "relational-database", first["id"]))
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert "tags" in response.json()["message"]
    assert deleter.get(target).content == before


def test_revert_with_an_unknown_entry_is_404(editor, small_kb):
    response = editor.post(revert_url("concept", "database", 999999))
    assert response.status_code == 404


@override_settings(REQUIRE_IF_MATCH=True)
def test_revert_needs_if_match_when_the_server_requires_it(editor, small_kb):
    first = history(editor, "concept", "database").json()["results"][0]
    url = revert_url("concept", "database", first["id"])
    response = editor.post(url)
    assert response.status_code == 428
    assert Concept.history.count() == 3
    etag = editor.get(reverse("concept-detail", args=["database"]))["ETag"]
    assert editor.post(url, HTTP_IF_MATCH=etag).status_code == 200


def test_history_is_json_even_where_the_resource_offers_json_ld(anon, small_kb):
    response = anon.get("/api/v1/concepts/key-value-store/history/", {"format": "jsonld"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert anon.get("/api/v1/concepts/key-value-store/history/").status_code == 200
