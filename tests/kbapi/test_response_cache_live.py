"""The response cache under a real uvicorn with several workers: never a stale or foreign answer.

The server (tests/liveserver.py) runs in a subprocess on a free port against a
SQLite file migrated and loaded here, so the workers share only what production
workers share: the database and the knowledge-base version file.
"""

import json
import time
from urllib.parse import urlsplit

import pytest

from tests.liveserver import fetch, manage, throwaway_database, uvicorn

FRONTEND = "http://front.example"
CLIENTS = 24  # separate connections, spread by the kernel over the workers
ENV = {
    "RESPONSE_CACHE": "1",
    "CORS_ALLOWED_ORIGINS": FRONTEND,
    "KB_VERSION_REDIS_URL": "",
    "SERVE_STATIC": "0",
}


class Server:
    def __init__(self, base: str, token: str, database_url: str):
        self.port = urlsplit(base).port
        self.token = token
        self.database_url = database_url

    def request(self, method, path, headers=None, body=None):
        """One request on a new connection, so consecutive requests reach different workers."""
        return fetch(self.port, method, path, headers, body, timeout=10)

    def get_json(self, path, headers=None):
        status, headers, data = self.request("GET", path, headers)
        return status, headers, (json.loads(data) if data else None)

    def patch(self, path, data):
        return self.request(
            "PATCH",
            path,
            {"Authorization": f"Token {self.token}", "Content-Type": "application/json"},
            json.dumps(data),
        )


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("live-cache")
    with (
        throwaway_database(tmp, sqlite=True, **ENV) as (database_url, token),
        uvicorn(database_url, workers=2, log=tmp / "uvicorn.log", **ENV) as (base, _),
    ):
        # both workers must be up before the tests count on spreading requests over them
        time.sleep(1.5)
        yield Server(base, token, database_url)


def read_everywhere(server, path, headers=None):
    """The same read from many connections; returns (statuses, bodies, headers) lists."""
    answers = [server.get_json(path, headers) for _ in range(CLIENTS)]
    return [a[0] for a in answers], [a[2] for a in answers], [a[1] for a in answers]


def test_after_a_write_through_the_api_no_worker_serves_the_old_answer(server):
    detail = "/api/v1/concepts/relational-database/"
    listing = "/api/v1/concepts/?page_size=100"
    for round_ in range(3):
        _, _, before = read_everywhere(server, detail)
        assert any(h["x-cache"] == "hit" for h in before)
        read_everywhere(server, listing)
        summary = f"Tables of rows, edited live (round {round_})."
        status, _, body = server.patch(detail, {"summary": summary})
        assert status == 200, body
        statuses, bodies, _ = read_everywhere(server, detail)
        assert set(statuses) == {200}
        assert {b["summary"] for b in bodies} == {summary}
        _, lists, _ = read_everywhere(server, listing)
        for page in lists:
            (row,) = [c for c in page["results"] if c["slug"] == "relational-database"]
            assert row["summary"] == summary


def test_a_write_from_another_process_on_the_host_invalidates_every_worker(server):
    path = "/api/v1/tags/nosql/"
    read_everywhere(server, path)
    manage(
        server.database_url,
        "shell",
        "-c",
        "from concepts.models import Tag; from concepts.services import tag_update;"
        "tag_update(tag=Tag.objects.get(slug='nosql'), data={'name': 'Not only SQL'})",
        **ENV,
    )
    _, bodies, _ = read_everywhere(server, path)
    assert {b["name"] for b in bodies} == {"Not only SQL"}


def test_hits_carry_fresh_request_ids_and_the_headers_of_the_original(server):
    path = "/api/v1/concepts/?page_size=1"
    _, _, headers = read_everywhere(server, path)
    hits = [h for h in headers if h["x-cache"] == "hit"]
    assert hits
    assert len({h["x-request-id"] for h in headers}) == CLIENTS
    assert {h["content-type"] for h in headers} == {"application/json"}
    assert len({h["etag"] for h in headers}) == 1
    assert {h["link"] for h in hits} == {headers[0]["link"]}
    assert all("origin" in h["vary"].lower() for h in hits)
    status, echoed, _ = server.get_json(path, {"X-Request-ID": "trace-1234"})
    assert echoed["x-request-id"] == "trace-1234"


def test_cors_headers_follow_the_origin_of_each_request_on_hits(server):
    path = "/api/v1/categories/"
    _, _, allowed = read_everywhere(server, path, {"Origin": FRONTEND})
    _, _, foreign = read_everywhere(server, path, {"Origin": "http://evil.example"})
    _, _, plain = read_everywhere(server, path)
    assert any(h["x-cache"] == "hit" for h in allowed)
    assert {h.get("access-control-allow-origin") for h in allowed} == {FRONTEND}
    assert {h.get("access-control-allow-origin") for h in foreign} == {None}
    assert {h.get("access-control-allow-origin") for h in plain} == {None}


def test_if_none_match_gets_304_on_every_worker_until_a_write(server):
    path = "/api/v1/concepts/database/"
    _, _, headers = read_everywhere(server, path)
    etag = headers[-1]["etag"]
    statuses, _, not_modified = read_everywhere(server, path, {"If-None-Match": etag})
    assert set(statuses) == {304}
    assert {h["etag"] for h in not_modified} == {etag}
    server.patch(path, {"summary": "Documents, changed."})
    statuses, bodies, _ = read_everywhere(server, path, {"If-None-Match": etag})
    assert set(statuses) == {200}
    assert {b["summary"] for b in bodies} == {"Documents, changed."}


def test_authenticated_and_trimmed_reads_are_never_served_from_anonymous_entries(server):
    path = "/api/v1/concepts/key-value-store/"
    read_everywhere(server, path)
    token = {"Authorization": f"Token {server.token}"}
    statuses, _, headers = read_everywhere(server, path, token)
    assert set(statuses) == {200}
    assert all("x-cache" not in h for h in headers)
    _, trimmed, _ = read_everywhere(server, f"{path}?fields=slug,name")
    _, full, _ = read_everywhere(server, path)
    assert all("definition" in body for body in full)
    assert len({json.dumps(body, sort_keys=True) for body in trimmed}) == 1
