"""Who may write: anonymous users never, readers never, editors add and change."""

from pathlib import Path

import pytest
import yaml
from django.urls import reverse

SCHEMA = yaml.safe_load((Path(__file__).resolve().parents[2] / "schema.yml").read_text())
WRITE_METHODS = ("post", "put", "patch", "delete")
PUBLIC_WRITES = {("/api/v1/auth/token/", "post")}  # logging in is how one stops being anonymous


def write_operations():
    for path, item in SCHEMA["paths"].items():
        for method in WRITE_METHODS:
            if method in item and (path, method) not in PUBLIC_WRITES:
                yield path, method


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "method"), list(write_operations()))
def test_anonymous_write_to_every_schema_operation_is_refused(anon, small_kb, path, method):
    url = path.replace("{slug}", "database").replace("{key}", "relational-database--is-a--database")
    url = url.replace("{history_id}", "1")
    response = getattr(anon, method)(url, {}, format="json")
    assert response.status_code == 401, (path, method, response.content)
    assert response.json()["code"] == "not_authenticated"


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
            {
                "slug": "database-vs-kv",
                "title": "Database vs key-value store",
                "summary": "General against specific.",
                "verdict": "It depends.",
                "concepts": ["database", "key-value-store"],
                "aspects": [
                    {"name": "Scope", "values": {"database": "Any", "key-value-store": "Keys"}}
                ],
            },
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
