"""kbapi's ASGI handler: a request's sync part in one thread hop, Django's signals kept.

Each hop to the sync thread costs the event loop an executor round trip; the
benchmark found three per request in Django's handler (request_started, the
view, the response's close). These tests pin one, and that what the hops did
still happens: both signals once per request, in order, and a streaming
response closed only after its last chunk is sent.
"""

import asyncio

import pytest
from django.core import signals
from django.http import HttpResponse, StreamingHttpResponse

import kbapi.edge.handler
from kbapi.edge.handler import OneHopASGIHandler


def http_scope(path="/nothing-here/", query=b""):
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }


@pytest.fixture
def events():
    """What happened, in order: signals, messages sent, hops to the sync thread."""
    happened = []

    def started(**kwargs):
        happened.append("request_started")

    def finished(**kwargs):
        happened.append("request_finished")

    signals.request_started.connect(started)
    signals.request_finished.connect(finished)
    yield happened
    signals.request_started.disconnect(started)
    signals.request_finished.disconnect(finished)


@pytest.fixture
def counted_hops(monkeypatch, events):
    real = kbapi.edge.handler.sync_to_async

    def counting(func, **kwargs):
        wrapped = real(func, **kwargs)

        async def hop(*args):
            events.append("hop")
            return await wrapped(*args)

        return hop

    monkeypatch.setattr(kbapi.edge.handler, "sync_to_async", counting)


def run(handler, scope):
    messages = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive():  # the body, then nothing until the client goes
        if messages:
            return messages.pop()
        await asyncio.Event().wait()

    sent = []

    async def send(message):
        sent.append(message)

    asyncio.run(handler(scope, receive, send))
    return sent


def body_of(sent):
    return b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


def test_a_request_crosses_to_the_sync_thread_once(counted_hops, events):
    handler = OneHopASGIHandler()
    sent = run(handler, http_scope("/nothing-here/"))
    assert sent[0]["status"] == 404
    assert events == ["hop", "request_started", "request_finished"]


def test_each_request_gets_both_signals(counted_hops, events):
    handler = OneHopASGIHandler()
    for _ in range(3):
        run(handler, http_scope("/nothing-here/"))
    assert events == ["hop", "request_started", "request_finished"] * 3


def test_a_request_django_refuses_to_read_still_gets_both_signals(counted_hops, events):
    """A query string that is not UTF-8: Django's 400, through the same one hop."""
    handler = OneHopASGIHandler()
    sent = run(handler, http_scope("/api/v1/concepts/", query=b"q=\xff"))
    assert sent[0]["status"] == 400
    assert events == ["hop", "request_started", "request_finished"]


def test_a_streaming_response_is_closed_after_its_last_chunk(counted_hops, events, monkeypatch):
    handler = OneHopASGIHandler()

    async def chunks():
        yield b"first,"
        events.append("last chunk made")
        yield b"second"

    monkeypatch.setattr(handler, "get_response", lambda request: StreamingHttpResponse(chunks()))
    sent = run(handler, http_scope())
    assert body_of(sent) == b"first,second"
    assert events[:2] == ["hop", "request_started"]
    assert events.index("request_finished") > events.index("last chunk made")
    assert events.count("request_finished") == 1


def test_a_response_in_memory_is_sent_whole_after_closing(events, monkeypatch):
    """Closing releases the database connection before the bytes go out; the body stays."""
    handler = OneHopASGIHandler()
    monkeypatch.setattr(
        handler, "get_response", lambda request: HttpResponse(b"x" * 100_000, status=201)
    )
    sent = run(handler, http_scope())
    assert sent[0]["status"] == 201
    assert body_of(sent) == b"x" * 100_000
    assert events == ["request_started", "request_finished"]
