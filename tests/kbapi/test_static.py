"""Static files served by the app itself (``SERVE_STATIC``, as ``make run`` does): a path that
leaves the static folders, however it is encoded, is a 404 in the error shape that
discloses nothing; never a 500, never a file outside them, never Django's debug page."""

import asyncio
import http.client
import json
import socket
from urllib.parse import unquote, urlsplit

import pytest
from django.test import override_settings

from kbapi.edge import build
from kbapi.edge.handler import OneHopASGIHandler
from tests.liveserver import uvicorn

# Each as a client sends it on the request line (curl --path-as-is), with no normalising.
TRAVERSALS = [
    "/static/../kbapi/settings.py",
    "/static/../kbapi/settings/base.py",
    "/static/admin/../../manage.py",
    "/static/%2e%2e/kbapi/settings.py",
    "/static/%2E%2E/%2E%2E/manage.py",
    "/static/..%2fkbapi%2fsettings.py",
    "/static/%2e%2e%2fmanage.py",
    "/static/%252e%252e/manage.py",  # decoded twice: uvicorn, then the static handler
    "/static/..%252fmanage.py",
    "/static/..\\kbapi\\settings.py",
    "/static/..%5cmanage.py",
    "/static/admin/css/..%5c..%5c..%5cmanage.py",
    "/static/%00",
    "/static/admin/css/base.css%00.py",
    "/static/../../../../etc/passwd",
    "/static//etc/passwd",
    "/static/no-such-file.css",
    "/static/admin/",
]
SECRETS = ("SECRET_KEY", "import ", "DJANGO_SETTINGS_MODULE", "root:", "Traceback", "<html")
ASSET = "/static/admin/css/base.css"


def assert_not_found(status: int, body: bytes, what: str) -> None:
    assert status == 404, (what, status, body[:300])
    error = json.loads(body)
    assert error == {"status": 404, "code": "not_found", "message": error["message"]}, what
    assert not any(secret.encode() in body for secret in SECRETS), what


def asgi_get(app, target: str):
    """(status, headers, body) of a GET of ``target`` as uvicorn hands it to the app: the
    path percent-decoded once, the bytes as sent in ``raw_path``."""
    raw_path, _, query = target.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": unquote(raw_path),
        "raw_path": raw_path.encode("latin-1"),
        "root_path": "",
        "query_string": query.encode("latin-1"),
        "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    sent, requests = [], [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive():
        if requests:
            return requests.pop()
        await asyncio.Event().wait()  # the client stays connected until the answer

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], {k.lower(): v for k, v in start["headers"]}, body


@pytest.fixture
def edge_app(db):
    """The ASGI application as kbapi.asgi builds it, static files served."""
    return build(OneHopASGIHandler(), serve_static=True)


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
@pytest.mark.parametrize("target", TRAVERSALS)
def test_a_path_out_of_the_static_folders_is_a_json_404(edge_app, target, debug):
    with override_settings(DEBUG=debug):
        status, headers, body = asgi_get(edge_app, target)
    assert_not_found(status, body, target)
    assert headers[b"content-type"] == b"application/json"
    assert headers[b"cache-control"] == b"no-store"


def test_the_assets_are_still_served(edge_app):
    status, headers, body = asgi_get(edge_app, ASSET)
    assert status == 200 and headers[b"content-type"].startswith(b"text/css")
    assert b"body" in body


def raw_get(base: str, target: str) -> tuple[int, bytes]:
    """Send ``target`` on the request line exactly as given; (status, body)."""
    host, port = urlsplit(base).hostname, urlsplit(base).port
    request = f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(request.encode("latin-1"))
        response = http.client.HTTPResponse(sock)  # reads the answer, chunked or not
        response.begin()
        return response.status, response.read()


def test_under_uvicorn_as_make_run_starts_it(tmp_path):
    """A real uvicorn with DEBUG and SERVE_STATIC on (make run's defaults). It touches no
    database for static files, so the database is left empty."""
    database = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    with uvicorn(database, log=tmp_path / "uvicorn.log", DEBUG="true", SERVE_STATIC="true") as (
        base,
        _,
    ):
        status, body = raw_get(base, ASSET)
        assert status == 200 and b"body" in body
        for target in TRAVERSALS:
            assert_not_found(*raw_get(base, target), target)
        too_many = "&".join(f"p{i}=1" for i in range(1001))
        status, body = raw_get(base, f"/healthz?{too_many}")
        assert status == 400 and json.loads(body)["code"] == "too_many_fields"
    log = (tmp_path / "uvicorn.log").read_text()
    assert "Traceback" not in log and "SuspiciousFileOperation" not in log
