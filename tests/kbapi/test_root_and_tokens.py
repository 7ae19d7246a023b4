"""Getting started: the API root, the token as Bearer or Token, who am I, and logging out."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from kbapi.http.root import DOCS, RESOURCES
from tests.kbapi.test_access import SCHEMA

pytestmark = pytest.mark.django_db
LOGIN = {"username": "editor", "password": "editor-pass-123"}


def login(client, credentials=LOGIN) -> str:
    response = client.post(reverse("auth-token"), credentials, format="json")
    assert response.status_code == 200, response.json()
    return response.json()["token"]


def with_header(value: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=value)
    return client


# --- the root -----------------------------------------------------------------------------


def test_the_root_lists_every_resource_and_the_docs_as_absolute_urls(anon, small_kb):
    response = anon.get("/api/v1/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"resources", "docs"}
    assert set(body["resources"]) == set(RESOURCES) and set(body["docs"]) == set(DOCS)
    for url in [*body["resources"].values(), *body["docs"].values()]:
        assert url.startswith("http://testserver/api/"), url
    assert body["resources"]["concepts"] == "http://testserver/api/v1/concepts/"
    assert body["docs"]["swagger_ui"] == "http://testserver/api/docs/"


def test_every_link_of_the_root_answers(anon, small_kb):
    links = anon.get("/api/v1/").json()
    answers = {"auth_token": 405, "auth_me": 401}  # a POST to log in; credentials to ask
    needs_query = {
        "graph_path": "?from=database&to=database",
        "compare": "?concepts=database,relational-database",
        "search": "?q=database",
        "advisor": "?q=cache",
    }
    for key, url in links["resources"].items():
        path = url.removeprefix("http://testserver") + needs_query.get(key, "")
        assert anon.get(path).status_code == answers.get(key, 200), key
    for key, url in links["docs"].items():
        assert anon.get(url.removeprefix("http://testserver")).status_code == 200, key


def test_the_root_covers_every_path_of_the_schema_without_a_parameter():
    listed = {reverse(name) for name in RESOURCES.values()}
    plain = {path for path in SCHEMA["paths"] if "{" not in path and path != "/api/v1/"}
    assert plain == listed


def test_the_root_is_a_public_read_revalidated_with_its_etag(anon, small_kb):
    response = anon.get("/api/v1/")
    assert response["Cache-Control"] == "public, no-cache"
    again = anon.get("/api/v1/", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_api_leads_to_the_current_versions_root(anon, small_kb):
    response = anon.get("/api/")
    assert response.status_code == 302 and response["Location"] == "/api/v1/"
    assert anon.get("/api/v2/").status_code == 404


# --- Bearer and Token ---------------------------------------------------------------------


@pytest.mark.parametrize("word", ["Bearer", "bearer", "Token"])
def test_the_token_works_after_bearer_or_token(anon, editor_user, small_kb, word):
    token = login(anon)
    client = with_header(f"{word} {token}")
    response = client.post(reverse("tag-list"), {"slug": "week-3", "name": "Week 3"}, format="json")
    assert response.status_code == 201


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer a b", "Bearer 0123456789abcdef0123456789abcdef01234567", "Bearer ünï"],
)
def test_a_bad_bearer_header_is_401_in_the_error_shape(small_kb, header):
    response = with_header(header).get(reverse("auth-me"))
    assert response.status_code == 401
    assert set(response.json()) >= {"status", "code", "message"}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_another_scheme_is_left_alone_and_reads_stay_public(small_kb):
    assert with_header("Basic dXNlcjpwYXNz").get(reverse("concept-list")).status_code == 200


def test_the_schema_offers_the_token_as_an_http_bearer_scheme():
    schemes = SCHEMA["components"]["securitySchemes"]
    assert schemes["bearerAuth"]["type"] == "http" and schemes["bearerAuth"]["scheme"] == "bearer"
    assert "tokenAuth" not in schemes  # one box in Swagger UI's Authorize, not two
    patch = SCHEMA["paths"]["/api/v1/concepts/{slug}/"]["patch"]
    assert {"bearerAuth": []} in patch["security"]


# --- who am I -----------------------------------------------------------------------------


def test_me_names_the_account_and_its_permissions(anon, editor_user, small_kb):
    client = with_header(f"Bearer {login(anon)}")
    response = client.get(reverse("auth-me"))
    assert response.status_code == 200
    me = response.json()
    assert me["username"] == "editor" and me["is_staff"] is False
    assert "concepts.change_concept" in me["permissions"]
    assert "concepts.delete_concept" not in me["permissions"]
    assert me["permissions"] == sorted(me["permissions"])
    assert "no-store" in response["Cache-Control"]


def test_me_with_a_session(editor_user, small_kb):
    client = APIClient()
    assert client.login(**LOGIN)
    assert client.get(reverse("auth-me")).json()["username"] == "editor"


def test_me_without_credentials_is_401(anon, small_kb):
    response = anon.get(reverse("auth-me"))
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


# --- logging out ----------------------------------------------------------------------------


def test_revoking_the_token_stops_it_at_once(anon, editor_user, small_kb):
    token = login(anon)
    client = with_header(f"Bearer {token}")
    response = client.delete(reverse("auth-token"))
    assert response.status_code == 204
    assert not Token.objects.filter(user=editor_user).exists()
    assert client.get(reverse("auth-me")).status_code == 401
    assert login(anon) != token  # logging in again gives a new token


def test_revoking_without_credentials_is_401_and_revokes_nothing(anon, editor_user, small_kb):
    token = login(anon)
    assert anon.delete(reverse("auth-token")).status_code == 401
    assert Token.objects.get(user=editor_user).key == token


def test_revoking_with_a_session_needs_its_csrf_token(editor_user, small_kb):
    client = APIClient(enforce_csrf_checks=True)
    assert client.login(**LOGIN)
    Token.objects.create(user=editor_user)
    assert client.delete(reverse("auth-token")).status_code == 403
    assert Token.objects.filter(user=editor_user).exists()


def test_the_schema_says_me_needs_credentials():
    me = SCHEMA["paths"]["/api/v1/auth/me/"]["get"]
    assert {} not in me["security"] and "401" in me["responses"]
    public = SCHEMA["paths"]["/api/v1/concepts/"]["get"]["responses"]
    assert "invalid" in public["401"]["description"]  # wrong credentials on a public read


def test_wrong_credentials_on_a_public_read_are_the_documented_401(small_kb):
    response = with_header("Bearer not-a-token").get(reverse("concept-list"))
    assert response.status_code == 401
    assert "401" in SCHEMA["paths"]["/api/v1/concepts/"]["get"]["responses"]
