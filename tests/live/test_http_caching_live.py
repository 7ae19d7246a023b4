"""The caching policy through the live server (uvicorn): the response cache's hits and its
own 304s carry the Cache-Control and ETag Django gave, and what is personal or an error
is marked no-store on the wire as in the test client (tests/kbapi/test_http_caching.py).

On SQLite the live app runs the response cache (``X-Cache: miss`` then ``hit``); on
PostgreSQL without Redis it does not, and Django answers every request itself.
"""

import json
from urllib.parse import urlsplit

import pytest

from tests.liveserver import fetch, is_postgresql

PUBLIC = "public, no-cache"
# Query strings no other live test asks for, so the first request is the cache's first.
PATHS = [
    "/api/v1/concepts/?page_size=13",
    "/api/v1/concepts/acid/?fields=slug,name,version",
    "/api/v1/search/?q=isolation",
    "/api/v1/graph/?around=acid&depth=1",
    "/api/v1/graph/path/?from=acid&to=transaction",
    "/api/v1/compare/?concepts=key-value-store,document-store",
    "/api/v1/advisor/?q=graph+traversal",
    "/api/v1/concepts/acid/history/?page_size=3",
]


def call(live_app, method, path, headers=None, body=None):
    """(status, lowercased headers, body) of one request on its own connection."""
    return fetch(urlsplit(live_app.url).port, method, path, headers, body)


@pytest.mark.parametrize("path", PATHS)
def test_hits_and_304s_of_the_response_cache_carry_djangos_cache_control_and_etag(live_app, path):
    response_cache = not is_postgresql()
    status, first, body = call(live_app, "GET", path)
    assert status == 200, body[:300]
    etag = first["etag"]
    assert first["cache-control"] == PUBLIC
    assert "date" in first  # caches age responses by it

    status, second, again = call(live_app, "GET", path)
    assert status == 200 and again == body
    assert (second["etag"], second["cache-control"]) == (etag, PUBLIC)

    status, not_modified, empty = call(live_app, "GET", path, {"If-None-Match": etag})
    assert status == 304 and empty == b""
    assert (not_modified["etag"], not_modified["cache-control"]) == (etag, PUBLIC)
    assert "content-length" not in not_modified and "content-type" not in not_modified

    status, head, _ = call(live_app, "HEAD", path)
    assert status == 200
    assert (head["etag"], head["cache-control"]) == (etag, PUBLIC)

    if response_cache:
        assert (first["x-cache"], second["x-cache"], not_modified["x-cache"]) == (
            "miss",
            "hit",
            "hit",
        )
    else:
        assert "x-cache" not in second


def token(live_app) -> str:
    credentials = json.dumps(
        {"username": live_app.admin_username, "password": live_app.admin_password}
    )
    status, headers, body = call(
        live_app,
        "POST",
        "/api/v1/auth/token/",
        {"Content-Type": "application/json"},
        credentials,
    )
    assert status == 200
    assert headers["cache-control"] == "no-store"
    return json.loads(body)["token"]


def test_authenticated_reads_and_the_token_are_never_stored_on_the_wire(live_app):
    auth = {"Authorization": f"Token {token(live_app)}"}
    for _ in range(2):
        status, headers, _ = call(live_app, "GET", PATHS[0], auth)
        assert status == 200
        assert headers["cache-control"] == "private, no-store"
        assert "x-cache" not in headers  # the response cache never answers a signed-in user


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/api/v1/concepts/no-such-concept/", None, 404),
        ("GET", "/api/v1/concepts/?fields=no-such-field", None, 400),
        (
            "POST",
            "/api/v1/tags/",
            "x" * 300_000,
            413,
        ),  # refused before Django (kbapi.http.middleware)
        ("POST", "/api/v1/tags/", "{}", 401),
    ],
    ids=["404", "400", "413", "401"],
)
def test_errors_are_marked_no_store_on_the_wire(live_app, method, path, body, status):
    headers = {"Content-Type": "application/json"} if body else {}
    got, response_headers, _ = call(live_app, method, path, headers, body)
    assert got == status
    assert response_headers["cache-control"] == "no-store"
