"""HTTP caching, checked the way REDbot checks a resource: every response says how it may
be cached, public reads carry a validator and revalidate to 304, and nothing personal or
erroneous is ever stored (the policy: kbapi/http/caching.py)."""

import asyncio
import json

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from kbapi.edge.body_limit import BodyLimitMiddleware
from kbapi.edge.request_log import RequestLogMiddleware

PUBLIC = "public, no-cache"
PRIVATE = "private, no-store"
NO_STORE = "no-store"

# A representative public read of each kind (the small_kb fixture content).
READS = {
    "concept list": "/api/v1/concepts/",
    "concept detail": "/api/v1/concepts/relational-database/",
    "concept fields": "/api/v1/concepts/database/?fields=slug,name",
    "category list": "/api/v1/categories/",
    "category detail": "/api/v1/categories/database-type/",
    "tag list": "/api/v1/tags/",
    "tag detail": "/api/v1/tags/nosql/",
    "example list": "/api/v1/examples/",
    "example detail": "/api/v1/examples/select-rows/",
    "relation list": "/api/v1/relations/?source=relational-database",
    "relation detail": "/api/v1/relations/relational-database--is-a--database/",
    "comparison list": "/api/v1/comparisons/",
    "comparison detail": "/api/v1/comparisons/relational-vs-key-value/",
    "search": "/api/v1/search/?q=key",
    "graph": "/api/v1/graph/",
    "graph mermaid": "/api/v1/graph/?format=mermaid",
    "graph path": "/api/v1/graph/path/?from=key-value-store&to=relational-database",
    "neighbors": "/api/v1/concepts/database/neighbors/",
    "learning path": "/api/v1/concepts/relational-database/learning-path/",
    "compare": "/api/v1/compare/?concepts=relational-database,key-value-store",
    "advisor": "/api/v1/advisor/?q=session",
    "history list": "/api/v1/concepts/database/history/",
    "schema": "/api/schema/",
    "redoc": "/api/redoc/",
}
PATHS = list(READS.values())
IDS = list(READS)


def same_headers(one, other, names=("ETag", "Cache-Control", "Last-Modified", "Vary")):
    return {n: one.get(n) for n in names} == {n: other.get(n) for n in names}


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_public_reads_may_be_stored_but_must_be_revalidated(anon, small_kb, path):
    response = anon.get(path)
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == PUBLIC
    assert "Expires" not in response  # no freshness of any kind: every use asks first
    etag = response["ETag"]
    assert etag.startswith('"') and etag.endswith('"'), etag  # strong: a digest of the bytes


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_sending_the_etag_back_answers_304_with_no_body_and_the_same_headers(anon, small_kb, path):
    first = anon.get(path)
    etag = first["ETag"]
    for header in (etag, f"W/{etag}", f'"something-else", {etag}', "*"):
        again = anon.get(path, HTTP_IF_NONE_MATCH=header)
        assert again.status_code == 304, header
        assert again.content == b""
        assert same_headers(again, first)
        assert "Content-Type" not in again and "Content-Length" not in again
    changed = anon.get(path, HTTP_IF_NONE_MATCH='"something-else"')
    assert changed.status_code == 200
    assert changed["ETag"] == etag


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_head_answers_the_headers_of_get_and_revalidates_too(anon, small_kb, path):
    get, head = anon.get(path), anon.head(path)
    assert head.status_code == 200 and head.content == b""
    assert same_headers(head, get, ("ETag", "Cache-Control", "Content-Type", "Content-Length"))
    assert anon.head(path, HTTP_IF_NONE_MATCH=get["ETag"]).status_code == 304


def test_an_edit_changes_the_etag_so_revalidating_a_list_gets_the_new_body(anon, editor, small_kb):
    listing = "/api/v1/concepts/?fields=slug,summary"
    before = anon.get(listing)
    response = editor.patch("/api/v1/concepts/database/", {"summary": "Kept data."}, format="json")
    assert response.status_code == 200
    after = anon.get(listing, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert {"slug": "database", "summary": "Kept data."} in after.json()["results"]


# --- nothing personal is stored -------------------------------------------------------


@pytest.fixture
def token_client(editor_user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor_user).key}")
    return client


@pytest.fixture
def session_client(editor_user):
    client = APIClient()
    assert client.login(username="editor", password="editor-pass-123")
    return client


@pytest.mark.parametrize("who", ["editor", "token_client", "session_client"])
@pytest.mark.parametrize(
    "path", [READS["concept list"], READS["concept detail"], READS["search"], READS["schema"]]
)
def test_reads_of_a_signed_in_user_are_private_and_never_stored(request, small_kb, who, path):
    client = request.getfixturevalue(who)
    response = client.get(path)
    assert response.status_code == 200
    assert response["Cache-Control"] == PRIVATE
    again = client.get(path, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert again["Cache-Control"] == PRIVATE


def test_a_request_with_credentials_that_fail_is_not_stored_either(small_kb):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get(READS["concept list"])
    assert response.status_code == 401
    assert response["Cache-Control"] == PRIVATE


@pytest.fixture
def login_allowance():
    """The login throttle counts in the cache: start this test with a full allowance."""
    cache.clear()
    yield
    cache.clear()


def test_the_token_response_is_never_stored(anon, editor_user, login_allowance):
    credentials = {"username": "editor", "password": "editor-pass-123"}
    response = anon.post("/api/v1/auth/token/", credentials, format="json")
    assert response.status_code == 200 and "token" in response.json()
    assert response["Cache-Control"] == NO_STORE
    refused = anon.post("/api/v1/auth/token/", {**credentials, "password": "x"}, format="json")
    assert refused.status_code == 400
    assert refused["Cache-Control"] == NO_STORE


def test_a_page_that_sets_a_cookie_is_private(anon, db):
    """Swagger UI's page carries a CSRF token and sets its cookie: no shared cache may keep it."""
    response = anon.get("/api/docs/")
    assert response.status_code == 200 and response.cookies
    assert response["Cache-Control"] == PRIVATE


# --- errors and writes are never stored -----------------------------------------------


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/concepts/no-such-concept/", 404),
        ("/api/v1/no-such-route/", 404),
        ("/api/v1/concepts/?fields=no-such-field", 400),
        ("/api/v1/graph/path/?from=database", 400),
        ("/api/v1/concepts/?ordering=%00", 400),
    ],
    ids=["unknown-concept", "unknown-route", "bad-fields", "missing-parameter", "nul"],
)
def test_error_responses_are_never_stored(anon, small_kb, path, status):
    response = anon.get(path)
    assert response.status_code == status
    assert response["Cache-Control"] == NO_STORE
    assert "ETag" not in response


def test_a_disallowed_host_is_refused_with_no_store(anon, db):
    response = anon.get("/api/v1/concepts/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response["Cache-Control"] == NO_STORE


def test_answers_to_writes_are_never_stored(editor, anon, small_kb):
    created = editor.post("/api/v1/tags/", {"slug": "week-9", "name": "Week 9"}, format="json")
    changed = editor.patch("/api/v1/tags/week-9/", {"name": "Week nine"}, format="json")
    refused = anon.post("/api/v1/tags/", {"slug": "week-8", "name": "Week 8"}, format="json")
    assert (created.status_code, changed.status_code, refused.status_code) == (201, 200, 401)
    assert created["Cache-Control"] == changed["Cache-Control"] == PRIVATE
    assert refused["Cache-Control"] == NO_STORE


def test_probes_are_never_stored(anon, db):
    assert anon.get("/healthz")["Cache-Control"] == NO_STORE
    assert anon.get("/readyz")["Cache-Control"] == NO_STORE


def test_the_admins_own_never_cache_header_is_kept(anon, db):
    response = anon.get("/admin/login/")
    assert response.status_code == 200
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"no-store", "private", "no-cache", "must-revalidate", "max-age=0"} <= directives


# --- the answers made before Django runs ----------------------------------------------


def asgi_call(app, method="POST", body=b""):
    scope = {
        "type": "http",
        "method": method,
        "path": "/api/v1/tags/",
        "query_string": b"",
        "headers": [(b"host", b"testserver")]
        + ([(b"content-length", b"%d" % len(body))] if body else []),
    }
    sent = []

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent[0]["status"], dict(sent[0]["headers"]), b"".join(m["body"] for m in sent[1:])


def test_the_body_limits_413_is_never_stored():
    async def app(scope, receive, send):
        raise AssertionError("the app is never called")

    status, headers, body = asgi_call(BodyLimitMiddleware(app, limit=10), body=b"x" * 11)
    assert status == 413 and json.loads(body)["code"] == "payload_too_large"
    assert headers[b"cache-control"] == b"no-store"


def test_the_request_logs_last_resort_500_is_never_stored():
    async def broken(scope, receive, send):
        raise RuntimeError("boom")

    status, headers, _ = asgi_call(RequestLogMiddleware(broken), method="GET")
    assert status == 500
    assert headers[b"cache-control"] == b"no-store"
