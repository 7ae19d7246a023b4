"""Who may write: anonymous users never, readers never, editors add and change.

The walks read the schema generated from the code at test time (not only the
committed schema.yml), so a new endpoint, router or not, cannot be forgotten.
"""

import re

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from concepts.models import Category, Concept, Tag
from relations.models import Relation
from tests.factories import comparison_body
from tests.kbapi.test_bad_input import snapshot

SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
WRITE_METHODS = ("post", "put", "patch", "delete")
PUBLIC_WRITES = {("/api/v1/auth/token/", "post")}  # logging in is how one stops being anonymous
# any signed-in user may revoke their own token: no model permission is involved
OWN_ACCOUNT_WRITES = {("/api/v1/auth/token/", "delete")}
EXAMPLE_KEYS = {
    "slug": "database",
    "key": "relational-database--is-a--database",
    "history_id": "1",
}


def write_operations(methods=WRITE_METHODS, *, but=frozenset()):
    for path, item in SCHEMA["paths"].items():
        for method in methods:
            if method in item and (path, method) not in PUBLIC_WRITES | but:
                yield path, method


def url_of(path: str) -> str:
    """The schema path with each parameter filled by an existing object's key."""
    return re.sub(r"\{(\w+)\}", lambda m: EXAMPLE_KEYS.get(m.group(1), "database"), path)


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "method"), list(write_operations()))
def test_anonymous_write_to_every_schema_operation_is_refused(anon, small_kb, path, method):
    response = getattr(anon, method)(url_of(path), {}, format="json")
    assert response.status_code == 401, (path, method, response.content)
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "method"), list(write_operations(but=OWN_ACCOUNT_WRITES)))
def test_write_without_the_model_permission_is_403_on_every_operation(
    reader, small_kb, path, method
):
    response = getattr(reader, method)(url_of(path), {}, format="json")
    assert response.status_code == 403, (path, method, response.content)
    assert response.json()["code"] == "permission_denied"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "method"), list(write_operations(("delete",), but=OWN_ACCOUNT_WRITES))
)
def test_editor_without_delete_permission_cannot_delete_anything(editor, small_kb, path, method):
    before = snapshot()
    response = editor.delete(url_of(path))
    assert response.status_code == 403, (path, response.content)
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "method"), list(write_operations(("post", "put", "patch"))))
def test_editor_is_allowed_to_add_and_change_on_every_operation(editor, small_kb, path, method):
    response = getattr(editor, method)(url_of(path), {}, format="json")
    assert response.status_code not in (401, 403), (path, method, response.content)


def test_the_walk_sees_the_freshly_generated_schema():
    paths = {path for path, _ in write_operations()}
    assert "/api/v1/concepts/{slug}/" in paths
    assert ("/api/v1/auth/token/", "post") in PUBLIC_WRITES
    assert "/api/v1/auth/token/" in SCHEMA["paths"]  # a non-router endpoint is walked too


SERVER_FIELDS = {
    "version": 99,
    "created_at": "2000-01-01T00:00:00Z",
    "updated_at": "2000-01-01T00:00:00Z",
    "url": "http://evil.example.com/x/",
    "history": [{"history_user": "mallory"}],
    "history_user": "mallory",
}


@pytest.mark.parametrize(
    ("route", "slug", "model", "change"),
    [
        ("tag-detail", "nosql", Tag, {"name": "No SQL"}),
        ("category-detail", "database-type", Category, {"description": "Kinds."}),
        ("concept-detail", "database", Concept, {"summary": "Kept data."}),
    ],
)
def test_fields_a_client_must_not_set_are_ignored(editor, small_kb, route, slug, model, change):
    before = model.objects.get(slug=slug)
    url = reverse(route, args=[slug])
    response = editor.patch(url, {**change, **SERVER_FIELDS}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    after = model.objects.get(slug=slug)
    assert after.version == before.version + 1 == body["version"]
    assert after.created_at == before.created_at
    assert after.updated_at > before.updated_at
    assert body["url"].startswith("http://testserver/")
    assert "history_user" not in body


def test_a_relation_key_cannot_be_set(editor, small_kb):
    body = {"source": "database", "type": "related-to", "target": "key-value-store"}
    response = editor.post(reverse("relation-list"), {**body, "key": "a--is-a--b"}, format="json")
    assert response.status_code == 201
    assert response.json()["key"] == "database--related-to--key-value-store"
    assert not Relation.objects.filter(note="a--is-a--b").exists()


def test_a_created_object_starts_at_version_1_whatever_is_sent(editor, small_kb):
    response = editor.post(
        reverse("tag-list"), {"slug": "new", "name": "New", **SERVER_FIELDS}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["version"] == 1
    assert Tag.objects.get(slug="new").created_at.year > 2000


def test_the_schema_walk_covers_every_resource():
    paths = {path for path, _ in write_operations()}
    for resource in ("concepts", "categories", "tags", "examples", "relations", "comparisons"):
        assert f"/api/v1/{resource}/" in paths


NEW_CONCEPT = {
    "slug": "flat-file",
    "name": "Flat file",
    "summary": "A plain file of records with no links between them.",
    "definition": "Records sit one per line in a single file.",
    "category": "database-type",
    "tags": ["week-1"],
    "source": "Week 1 › Introduction to Data and Databases",
}


def test_editor_creates_and_changes_a_concept(editor, small_kb):
    created = editor.post(reverse("concept-list"), NEW_CONCEPT, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["url"].endswith("/api/v1/concepts/flat-file/")
    changed = editor.patch(
        reverse("concept-detail", args=["flat-file"]), {"summary": "Rows in a file."}, format="json"
    )
    assert changed.status_code == 200
    assert changed.json()["summary"] == "Rows in a file."
    assert changed.json()["version"] == 2


def test_user_without_model_permission_gets_403(reader, small_kb):
    response = reader.post(reverse("concept-list"), NEW_CONCEPT, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    response = reader.patch(reverse("tag-detail", args=["nosql"]), {"name": "X"}, format="json")
    assert response.status_code == 403


def test_editor_cannot_delete_without_the_delete_permission(editor, small_kb):
    response = editor.delete(reverse("example-detail", args=["redis"]))
    assert response.status_code == 403
    assert editor.get(reverse("example-detail", args=["redis"])).status_code == 200


def test_user_with_delete_permission_deletes(deleter, small_kb):
    assert deleter.delete(reverse("example-detail", args=["redis"])).status_code == 204
    assert deleter.get(reverse("example-detail", args=["redis"])).status_code == 404


def test_editor_writes_every_resource(editor, small_kb):
    cases = [
        ("category-list", {"slug": "practice", "name": "Practice"}),
        ("tag-list", {"slug": "week-2", "name": "Week 2"}),
        (
            "example-list",
            {
                "slug": "memcached",
                "name": "Memcached",
                "kind": "system",
                "description": "An in-memory cache.",
                "concepts": ["key-value-store"],
            },
        ),
        (
            "relation-list",
            {"source": "key-value-store", "type": "related-to", "target": "relational-database"},
        ),
        (
            "comparison-list",
            comparison_body(
                "database-vs-kv",
                "Database vs key-value store",
                {"Scope": {"database": "Any", "key-value-store": "Keys"}},
                summary="General against specific.",
            ),
        ),
    ]
    for route, body in cases:
        response = editor.post(reverse(route), body, format="json")
        assert response.status_code == 201, (route, response.json())


def test_token_login_returns_a_token_that_authenticates(anon, editor_user, small_kb):
    response = anon.post(
        reverse("auth-token"), {"username": "editor", "password": "editor-pass-123"}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    anon.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = anon.post(reverse("tag-list"), {"slug": "week-3", "name": "Week 3"}, format="json")
    assert response.status_code == 201


def test_token_login_with_a_wrong_password_is_400(anon, editor_user):
    response = anon.post(
        reverse("auth-token"), {"username": "editor", "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
