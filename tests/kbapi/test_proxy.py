"""Whose X-Forwarded-For and X-Forwarded-Proto are believed: TRUSTED_PROXIES, the one rule.

A client that is not a trusted proxy gets no fresh throttle allowance from its own
X-Forwarded-For and no secure request from its X-Forwarded-Proto; through a trusted
proxy both count. uvicorn never rewrites the client itself: every way of starting
it turns its own proxy headers off, and a live uvicorn started as `make run` starts
it (tests/liveserver.py) shows it.
"""

import asyncio
import http.client
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from asgiref.sync import async_to_sync
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from rest_framework.throttling import SimpleRateThrottle

from kbapi.edge.handler import OneHopASGIHandler
from kbapi.edge.proxy import ProxyHeadersMiddleware, TrustedProxies, parse_address
from kbapi.settings.security import trusted_proxies
from tests.liveserver import make_run_options, throwaway_database, uvicorn

ROOT = Path(__file__).resolve().parents[2]
PROXY = "192.0.2.10"  # the trusted proxy of these tests
STRANGER = "203.0.113.7"  # any other client
TAGS = "/api/v1/tags/"


# --- the edge layer on its own -------------------------------------------------------


def resolved(scope_headers, peer, trusted=(PROXY,)):
    """The scope the layer hands on, for a request from ``peer`` with these headers."""
    seen = {}

    async def app(scope, receive, send):
        seen.update(scope)

    scope = {"type": "http", "scheme": "http", "client": (peer, 4711), "headers": scope_headers}
    asyncio.run(ProxyHeadersMiddleware(app, list(trusted))(scope, None, None))
    return seen


def test_an_untrusted_peers_forwarded_headers_are_dropped_and_change_nothing():
    scope = resolved(
        [(b"host", b"kb"), (b"x-forwarded-for", b"10.0.0.1"), (b"x-forwarded-proto", b"https")],
        STRANGER,
    )
    assert scope["client"] == (STRANGER, 4711)
    assert scope["scheme"] == "http"
    assert scope["headers"] == [(b"host", b"kb")]


def test_a_trusted_proxy_sets_the_client_and_the_scheme():
    scope = resolved(
        [(b"x-forwarded-for", b"10.0.0.1, 198.51.100.4"), (b"x-forwarded-proto", b"https")],
        PROXY,
    )
    # the entry the proxy appended, not the one the client wrote on its left
    assert scope["client"][0] == "198.51.100.4"
    assert scope["scheme"] == "https"


def test_with_no_trusted_proxies_nothing_forwarded_is_believed():
    scope = resolved([(b"x-forwarded-for", b"10.0.0.1")], "127.0.0.1", trusted=())
    assert scope["client"] == ("127.0.0.1", 4711)
    assert scope["headers"] == []


@pytest.mark.parametrize(
    ("forwarded_for", "client"),
    [
        ("198.51.100.4", "198.51.100.4"),
        # a chain of trusted proxies is walked past, from the right
        ("spoofed, 198.51.100.4, 10.1.2.3", "198.51.100.4"),
        ("198.51.100.4:5123", "198.51.100.4"),
        ("[2001:db8::7]:443", "2001:db8::7"),
        ("2001:db8::7", "2001:db8::7"),
        ("::ffff:198.51.100.4", "198.51.100.4"),
        # all trusted: the leftmost
        ("10.1.2.3, 10.4.5.6", "10.1.2.3"),
        # no address where the client's should be: the last trusted hop, never a new identity
        ("198.51.100.4, unknown", PROXY),
        ("garbage, 10.1.2.3", "10.1.2.3"),
        ("", PROXY),
        # as long as a client likes on the left
        ("x" * 300 + ", 198.51.100.4", "198.51.100.4"),
    ],
)
def test_the_client_is_the_rightmost_address_that_is_no_trusted_proxy(forwarded_for, client):
    scope = resolved([(b"x-forwarded-for", forwarded_for.encode())], PROXY, (PROXY, "10.0.0.0/8"))
    assert scope["client"][0] == client


@pytest.mark.parametrize(
    ("proto", "scheme"),
    [("https", "https"), ("HTTPS", "https"), ("https, http", "https"), ("ftp", "http")],
)
def test_only_http_or_https_is_taken_from_x_forwarded_proto(proto, scheme):
    assert resolved([(b"x-forwarded-proto", proto.encode())], PROXY)["scheme"] == scheme


def test_addresses_and_networks_are_matched_as_addresses():
    trusted = TrustedProxies(["10.0.0.0/8", "2001:db8::/32", "192.0.2.10"])
    assert "10.9.8.7" in trusted and "2001:db8::1" in trusted and "192.0.2.10" in trusted
    assert "::ffff:10.9.8.7" in trusted
    assert "11.0.0.1" not in trusted and "192.0.2.11" not in trusted and "x" not in trusted
    assert parse_address(" 192.0.2.1 ") == "192.0.2.1" and parse_address("unknown") is None


@pytest.mark.parametrize("value", ["*", "nginx", "10.0.0.0/33", "127.0.0.1 10.0.0.1"])
def test_a_trusted_proxies_entry_that_is_no_address_is_refused(value):
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        trusted_proxies(f"127.0.0.1,{value}")
    assert trusted_proxies(" 127.0.0.1, 10.0.0.0/8 ,") == ["127.0.0.1", "10.0.0.0/8"]
    assert trusted_proxies("") == []


@pytest.mark.parametrize(
    "env", [{"TRUSTED_PROXIES": "nginx"}, {"NUM_PROXIES": "1"}], ids=["not-an-address", "old"]
)
def test_the_app_does_not_start_on_a_proxy_setting_it_cannot_honour(env):
    """A typo, or the old NUM_PROXIES a deployment still sets, stops the start with a
    message naming TRUSTED_PROXIES, rather than counting every client as the proxy."""
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "kbapi.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "TRUSTED_PROXIES" in result.stderr


# --- Django behind the layer: throttles and is_secure ---------------------------------


@pytest.fixture
def low_anon_rate(monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle,
        "THROTTLE_RATES",
        {**SimpleRateThrottle.THROTTLE_RATES, "anon": "3/minute"},
    )
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def asgi(small_kb):
    """``asgi(path, peer, headers)`` -> (status, headers, body) through the proxy layer and
    Django's handler, on this test's database connection (as Django's test client does)."""
    apps = {}

    def request(path, peer, headers=()):
        app = apps.setdefault(0, ProxyHeadersMiddleware(OneHopASGIHandler(), [PROXY]))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"testserver"), *headers],
            "client": (peer, 50000),
            "server": ("testserver", 80),
        }
        sent = []
        body = [{"type": "http.request", "body": b"", "more_body": False}]

        async def receive():
            if body:
                return body.pop()
            await asyncio.Event().wait()

        async def send(message):
            sent.append(message)

        async_to_sync(app)(scope, receive, send)
        headers = {k.decode().lower(): v.decode() for k, v in sent[0].get("headers", [])}
        content = b"".join(m.get("body", b"") for m in sent[1:])
        return sent[0]["status"], headers, content

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield request
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def forwarded(for_=None, proto=None):
    headers = []
    if for_:
        headers.append((b"x-forwarded-for", for_.encode()))
    if proto:
        headers.append((b"x-forwarded-proto", proto.encode()))
    return headers


def test_an_untrusted_clients_x_forwarded_for_gives_no_fresh_allowance(asgi, low_anon_rate):
    for i in range(3):
        assert asgi(TAGS, STRANGER, forwarded(f"10.0.0.{i}"))[0] == 200
    assert asgi(TAGS, STRANGER, forwarded("10.9.9.9"))[0] == 429


def test_through_a_trusted_proxy_the_address_it_reports_is_counted(asgi, low_anon_rate):
    for _ in range(3):
        assert asgi(TAGS, PROXY, forwarded("spoofed, 198.51.100.1"))[0] == 200
    assert asgi(TAGS, PROXY, forwarded("other, 198.51.100.1"))[0] == 429
    assert asgi(TAGS, PROXY, forwarded("spoofed, 198.51.100.2"))[0] == 200


def test_an_untrusted_clients_x_forwarded_proto_does_not_make_it_secure(asgi):
    status, _, body = asgi(TAGS, STRANGER, forwarded(proto="https"))
    assert status == 200
    assert all(tag["url"].startswith("http://testserver/") for tag in json.loads(body)["results"])


def test_a_trusted_proxys_x_forwarded_proto_makes_it_secure(asgi):
    status, _, body = asgi(TAGS, PROXY, forwarded(proto="https"))
    assert status == 200
    assert all(tag["url"].startswith("https://testserver/") for tag in json.loads(body)["results"])


@override_settings(SECURE_SSL_REDIRECT=True)
def test_the_ssl_redirect_believes_only_a_trusted_proxy(asgi):
    status, headers, _ = asgi(TAGS, STRANGER, forwarded(proto="https"))
    assert status == 301
    assert headers["location"] == "https://testserver/api/v1/tags/"
    assert asgi(TAGS, PROXY, forwarded(proto="https"))[0] == 200
    assert asgi(TAGS, PROXY)[0] == 301


# --- every way of starting uvicorn ----------------------------------------------------


def test_make_run_turns_uvicorns_own_proxy_headers_off():
    assert "--no-proxy-headers" in make_run_options()


def test_the_image_turns_uvicorns_own_proxy_headers_off():
    cmd = next(
        line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD")
    )
    assert "uvicorn kbapi.asgi:application" in cmd and "--no-proxy-headers" in cmd


def test_the_benchmark_turns_uvicorns_own_proxy_headers_off():
    assert "proxy_headers=False" in (ROOT / "bench" / "serve.py").read_text()


def test_nothing_asks_uvicorn_to_believe_forwarded_headers():
    """uvicorn's own trust (its --forwarded-allow-ips, 127.0.0.1 by default) is never used."""
    paths = ["Makefile", "Dockerfile", "docker-compose.yml", ".env.example", ".ci/run"]
    paths += [str(p.relative_to(ROOT)) for p in (ROOT / "bench").glob("*.py")]
    paths += ["tests/liveserver.py"]
    pattern = re.compile(r"forwarded.allow.ips|(?<!no-)--proxy-headers|proxy_headers=True", re.I)
    offenders = [path for path in paths if pattern.search((ROOT / path).read_text())]
    assert offenders == []


# --- live: uvicorn as `make run` starts it ---------------------------------------------


def live_get(port, path, source, headers):
    """One GET from the loopback address ``source``: (status, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.mark.slow
def test_live_a_spoofed_x_forwarded_for_from_loopback_does_not_dodge_the_throttle(tmp_path):
    """uvicorn's default trusts X-Forwarded-For from 127.0.0.1; `make run` must not.

    127.0.0.2 stands for a proxy in TRUSTED_PROXIES: through it the addresses it
    reports are counted, each on its own.
    """
    env = {"THROTTLE_ANON": "3/minute", "RESPONSE_CACHE": "0", "TRUSTED_PROXIES": "127.0.0.2"}
    with (
        throwaway_database(tmp_path, sqlite=True) as (database_url, _),
        uvicorn(database_url, log=tmp_path / "uvicorn.log", **env) as (base, _),
    ):
        port = urlsplit(base).port
        spoofing = [
            live_get(
                port,
                TAGS,
                "127.0.0.1",
                {"X-Forwarded-For": f"10.0.0.{i}", "X-Forwarded-Proto": "https"},
            )
            for i in range(4)
        ]
        assert [status for status, _ in spoofing] == [200, 200, 200, 429]
        urls = [tag["url"] for tag in json.loads(spoofing[0][1])["results"]]
        assert urls and all(url.startswith(f"http://127.0.0.1:{port}/") for url in urls)

        proxied = [
            live_get(port, TAGS, "127.0.0.2", {"X-Forwarded-For": f"spoof{i}, 198.51.100.1"})
            for i in range(4)
        ]
        assert [status for status, _ in proxied] == [200, 200, 200, 429]
        status, body = live_get(
            port,
            TAGS,
            "127.0.0.2",
            {"X-Forwarded-For": "198.51.100.2", "X-Forwarded-Proto": "https"},
        )
        assert status == 200
        assert json.loads(body)["results"][0]["url"].startswith(f"https://127.0.0.1:{port}/")
