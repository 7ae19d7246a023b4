"""The response cache's rules, on a stand-in ASGI app: what is keyed, bypassed, stored, served."""

import asyncio
import json
import logging
import os
import re

import pytest

from kbapi.edge.request_log import RequestLogMiddleware, request_id_from
from kbapi.edge.response_cache import LRUStore, ResponseCacheMiddleware, request_key, storable


class FakeVersion:
    def __init__(self):
        self.value = 1

    async def current(self):
        return self.value


class FakeApp:
    """Answers like Django would, counting the calls that reach it."""

    def __init__(self, *headers, status=200):
        self.calls = 0
        self.headers = [(b"Content-Type", b"application/json"), *headers]
        self.status = status
        self.seen_headers = []

    async def __call__(self, scope, receive, send):
        self.calls += 1
        self.seen_headers.append(dict(scope["headers"]))
        body = json.dumps({"call": self.calls, "query": scope["query_string"].decode()}).encode()
        await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
        await send({"type": "http.response.body", "body": body[:5], "more_body": True})
        await send({"type": "http.response.body", "body": body[5:]})


def scope(path="/api/v1/concepts/", method="GET", query=b"", headers=()):
    base = [(b"host", b"testserver")]
    return {
        "type": "http",
        "method": method,
        "scheme": "http",
        "path": path,
        "query_string": query,
        "headers": base + list(headers),
    }


def call(app, request_scope):
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(app(request_scope, receive, send))
    start = sent[0]
    return {
        "status": start["status"],
        "headers": {k.decode().lower(): v.decode() for k, v in start["headers"]},
        "body": b"".join(m.get("body", b"") for m in sent[1:]),
    }


@pytest.fixture
def version():
    return FakeVersion()


@pytest.fixture
def django():
    return FakeApp()


def cache_in_front(version, *headers, status=200, **options):
    """A FakeApp answering JSON with ``headers`` and ``status``, and the cache in front of it."""
    django = FakeApp(*headers, status=status)
    return django, ResponseCacheMiddleware(django, version=version, **options)


@pytest.fixture
def cached(django, version):
    return ResponseCacheMiddleware(django, version=version)


def test_repeated_anonymous_read_is_served_without_reaching_django(cached, django):
    first = call(cached, scope())
    second = call(cached, scope())
    assert django.calls == 1
    assert second["body"] == first["body"]
    assert (first["headers"]["x-cache"], second["headers"]["x-cache"]) == ("miss", "hit")
    assert second["headers"]["content-type"] == "application/json"


def test_a_new_knowledge_base_version_makes_every_entry_stale(cached, django, version):
    call(cached, scope())
    version.value = 2
    again = call(cached, scope())
    assert django.calls == 2
    assert json.loads(again["body"])["call"] == 2


@pytest.mark.parametrize(
    "other",
    [
        scope(query=b"fields=slug"),
        scope(query=b"expand=tags"),
        scope(query=b"format=json"),
        scope(path="/api/v1/concepts/acid/"),
        scope(method="HEAD"),
        scope(headers=[(b"accept", b"application/json; indent=4")]),
        scope(headers=[(b"origin", b"https://front.example")]),
        scope(headers=[(b"x-forwarded-proto", b"https")]),
        scope(headers=[(b"x-forwarded-host", b"kb.example")]),
    ],
    ids=["fields", "expand", "format", "path", "head", "accept", "origin", "proto", "fwd-host"],
)
def test_a_request_differing_in_anything_the_answer_depends_on_is_not_served_the_other(
    cached, django, other
):
    call(cached, scope())
    call(cached, other)
    assert django.calls == 2


def test_host_is_part_of_the_key_because_urls_in_bodies_are_absolute():
    one = request_key(scope(), b"sessionid")
    other = request_key({**scope(), "headers": [(b"host", b"kb.example")]}, b"sessionid")
    assert one != other


@pytest.mark.parametrize(
    "request_scope",
    [
        scope(headers=[(b"authorization", b"Token abc")]),
        scope(headers=[(b"cookie", b"csrftoken=x; sessionid=abc")]),
        scope(method="POST"),
        scope(method="PATCH"),
        scope(path="/admin/"),
        scope(path="/api/schema/"),
    ],
    ids=["token", "session", "post", "patch", "admin", "schema"],
)
def test_user_dependent_writes_and_non_api_requests_bypass_the_cache(cached, django, request_scope):
    assert request_key(request_scope, b"sessionid") is None
    call(cached, request_scope)
    response = call(cached, request_scope)
    assert django.calls == 2
    assert "x-cache" not in response["headers"]


def test_an_authenticated_request_is_never_answered_from_an_anonymous_entry(cached, django):
    call(cached, scope())
    response = call(cached, scope(headers=[(b"authorization", b"Token abc")]))
    assert django.calls == 2
    assert json.loads(response["body"])["call"] == 2


def test_cookies_other_than_the_session_do_not_split_or_bypass_the_cache(cached, django):
    call(cached, scope(headers=[(b"cookie", b"theme=dark")]))
    call(cached, scope(headers=[(b"cookie", b"csrftoken=abc")]))
    assert django.calls == 1


@pytest.mark.parametrize(
    ("status", "headers"),
    [
        (404, []),
        (500, []),
        (302, [(b"location", b"/api/v1/concepts/")]),
        (200, [(b"set-cookie", b"sessionid=x")]),
        (200, [(b"cache-control", b"private, max-age=60")]),
        (200, [(b"cache-control", b"no-store")]),
        (200, [(b"vary", b"Accept-Language")]),
        (200, [(b"vary", b"*")]),
    ],
    ids=["404", "500", "302", "set-cookie", "private", "no-store", "vary-other", "vary-star"],
)
def test_responses_that_must_not_be_shared_are_never_stored(version, status, headers):
    django, cached = cache_in_front(version, *headers, status=status)
    assert not storable(status, headers)
    call(cached, scope())
    call(cached, scope())
    assert django.calls == 2


def test_vary_on_keyed_headers_and_cookie_is_storable():
    assert storable(200, [(b"vary", b"Accept, Origin, Cookie")])


def test_if_none_match_is_answered_304_from_the_entry_with_its_headers(version):
    django, cached = cache_in_front(
        version,
        (b"ETag", b'"concept-7"'),
        (b"Vary", b"Origin"),
        (b"Access-Control-Allow-Origin", b"https://front.example"),
    )
    origin = (b"origin", b"https://front.example")
    call(cached, scope(headers=[origin]))
    response = call(cached, scope(headers=[origin, (b"if-none-match", b'W/"concept-7"')]))
    assert response["status"] == 304
    assert response["body"] == b""
    assert response["headers"]["etag"] == '"concept-7"'
    assert response["headers"]["vary"] == "Origin"
    assert response["headers"]["access-control-allow-origin"] == "https://front.example"
    assert "content-type" not in response["headers"]
    assert django.calls == 1


def test_hits_and_their_304s_carry_the_cache_control_and_etag_django_gave(version):
    django, cached = cache_in_front(
        version, (b"ETag", b'"a1b2"'), (b"Cache-Control", b"public, no-cache")
    )
    current = (b"if-none-match", b'"a1b2"')
    miss = call(cached, scope(headers=[current]))  # Django is asked without it: a 200 to keep
    hit = call(cached, scope())
    hit_304 = call(cached, scope(headers=[current]))
    assert [r["status"] for r in (miss, hit, hit_304)] == [304, 200, 304]
    assert [r["headers"]["x-cache"] for r in (miss, hit, hit_304)] == ["miss", "hit", "hit"]
    for response in (miss, hit, hit_304):
        assert response["headers"]["cache-control"] == "public, no-cache"
        assert response["headers"]["etag"] == '"a1b2"'
    assert django.calls == 1


def test_the_cache_invents_no_validator_of_its_own(cached, django):
    """Django's policy (kbapi.http.caching) tags every read; an answer without a tag has none here
    either, so If-None-Match never matches it."""
    call(cached, scope())
    response = call(cached, scope(headers=[(b"if-none-match", b'"x"')]))
    assert response["status"] == 200
    assert response["headers"]["x-cache"] == "hit"
    assert "etag" not in response["headers"]
    assert django.calls == 1


def test_a_miss_with_if_none_match_still_fills_the_cache(cached, django):
    response = call(cached, scope(headers=[(b"if-none-match", b'"stale"')]))
    assert response["status"] == 200
    assert b"if-none-match" not in django.seen_headers[0]
    assert call(cached, scope())["headers"]["x-cache"] == "hit"


def test_head_answers_headers_without_a_body(cached):
    call(cached, scope(method="HEAD"))
    response = call(cached, scope(method="HEAD"))
    assert response["body"] == b""


def test_the_store_is_bounded_by_entries_and_by_bytes(version):
    django, cached = cache_in_front(version, max_entries=3)
    for page in range(10):
        call(cached, scope(query=f"page={page}".encode()))
    assert len(cached.store) == 3
    call(cached, scope(query=b"page=9"))
    assert django.calls == 10
    call(cached, scope(query=b"page=0"))
    assert django.calls == 11


def test_lru_evicts_the_least_recently_used_within_the_byte_budget():
    from kbapi.edge.response_cache import Entry

    store = LRUStore(max_entries=100, max_bytes=1000)
    for key in "abc":
        store.put(key, Entry(1, 200, [], b"x" * 100, b""))
    store.get("a")
    store.put("d", Entry(1, 200, [], b"x" * 100, b""))
    assert store.bytes <= 1000
    assert store.get("b") is None
    assert store.get("a") is not None


def test_an_oversized_response_is_passed_through_whole_and_not_stored(version):
    django, cached = cache_in_front(version, max_entry_bytes=8)
    response = call(cached, scope())
    assert json.loads(response["body"])["call"] == 1
    call(cached, scope())
    assert django.calls == 2


def test_an_unreachable_shared_version_sends_the_request_to_django(django):
    class Down:
        async def current(self):
            raise ConnectionError("redis is down")

    cached = ResponseCacheMiddleware(django, version=Down())
    call(cached, scope())
    call(cached, scope())
    assert django.calls == 2


# The request log wraps the cache: a hit gets its own id and log line.


@pytest.fixture
def request_log(caplog):
    """The request logger does not propagate (its lines go out as JSON): listen to it directly."""
    logger = logging.getLogger("kbapi.request")
    logger.addHandler(caplog.handler)
    with caplog.at_level(logging.INFO, logger="kbapi.request"):
        yield caplog
    logger.removeHandler(caplog.handler)


def test_every_response_carries_a_fresh_request_id_even_from_the_cache(cached):
    app = RequestLogMiddleware(cached)
    ids = {call(app, scope())["headers"]["x-request-id"] for _ in range(3)}
    assert len(ids) == 3


def test_generated_request_ids_are_random_and_differ_in_a_forked_worker():
    """128 random bits each, as 32 hex digits; a worker forked from a process that made
    ids already (gunicorn's preload) does not repeat its parent's."""
    ids = {request_id_from([]) for _ in range(2000)}
    assert len(ids) == 2000
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next id, then out without running pytest's teardown
        os.write(write, request_id_from([]).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    childs = os.read(read, 64).decode()
    os.close(read)
    parents = request_id_from([])
    assert re.fullmatch(r"[0-9a-f]{32}", childs)
    assert childs != parents and childs not in ids


def test_a_sane_incoming_request_id_is_kept_and_a_hostile_one_replaced(cached):
    app = RequestLogMiddleware(cached)
    kept = call(app, scope(headers=[(b"x-request-id", b"lb-1234.abcd")]))
    assert kept["headers"]["x-request-id"] == "lb-1234.abcd"
    hostile = call(app, scope(headers=[(b"x-request-id", b"x" * 300)]))
    assert hostile["headers"]["x-request-id"] != "x" * 300
    injected = call(app, scope(headers=[(b"x-request-id", b'a"}\n{"admin":true')]))
    assert len(injected["headers"]["x-request-id"]) == 32


def test_each_request_is_logged_as_one_json_line_with_its_id(cached, request_log):
    from kbapi.edge.request_log import JsonFormatter

    app = RequestLogMiddleware(cached)
    call(app, scope())
    response = call(app, scope(headers=[(b"x-request-id", b"req-42")]))
    records = [r for r in request_log.records if r.name == "kbapi.request"]
    assert len(records) == 2
    line = json.loads(JsonFormatter().format(records[1]))
    assert line["method"] == "GET"
    assert line["path"] == "/api/v1/concepts/"
    assert line["status"] == 200
    assert line["cache"] == "hit"
    assert line["duration_ms"] >= 0
    assert response["headers"]["x-request-id"] == "req-42"


def test_an_error_is_logged_with_its_traceback_and_never_shown_to_the_client(request_log):
    from kbapi.edge.request_log import JsonFormatter

    async def broken(scope, receive, send):
        raise RuntimeError("secret detail: password=hunter2")

    response = call(RequestLogMiddleware(broken), scope())
    assert response["status"] == 500
    assert b"hunter2" not in response["body"]
    assert json.loads(response["body"])["code"] == "server_error"
    error = next(r for r in request_log.records if r.levelno == logging.ERROR)
    line = json.loads(JsonFormatter().format(error))
    assert "RuntimeError: secret detail" in line["traceback"]
    assert line["request_id"] == response["headers"]["x-request-id"]


def test_if_modified_since_alone_goes_to_django_which_knows_last_modified():
    ims = (b"if-modified-since", b"Wed, 01 Jan 2099 00:00:00 GMT")
    assert request_key(scope(headers=[ims]), b"sessionid") is None
    both = [ims, (b"if-none-match", b'"v1-abc"')]
    assert request_key(scope(headers=both), b"sessionid") is not None
