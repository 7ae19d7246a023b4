"""RateLimit-Policy and RateLimit (draft-ietf-httpapi-ratelimit-headers-10) on every
counted response: they count down, reset with the window, say 0 on a 429 next to
Retry-After, and are exposed to browsers by CORS (kbapi.http.throttling)."""

import re

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from rest_framework.throttling import SimpleRateThrottle

from kbapi.http import throttling
from tests.kbapi.test_outages import dead_redis_url, redis_cache
from tests.kbapi.test_throttling_cors import admin_login, assert_throttled

RATES = {"anon": "3/minute", "user": "5/minute", "write": "2/minute", "login": "2/minute"}
ITEM = re.compile(r'^"(?P<policy>[a-z_]+)";(?P<a>[qr])=(?P<x>\d+);(?P<b>[wt])=(?P<y>\d+)$')


@pytest.fixture
def clock(monkeypatch):
    """Low rates and a clock the test moves: 20 s into a minute's window."""
    now = [60 * 16_667 + 20.0]
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", RATES)
    monkeypatch.setattr(SimpleRateThrottle, "timer", lambda self: now[0])
    cache.clear()
    yield now
    cache.clear()


def fields(response) -> tuple[str, int, int, int, int]:
    """(policy, quota, window, remaining, reset) of a response's two fields."""
    policy = ITEM.match(response["RateLimit-Policy"])
    state = ITEM.match(response["RateLimit"])
    assert policy and state, (response["RateLimit-Policy"], response["RateLimit"])
    assert (policy["a"], policy["b"], state["a"], state["b"]) == ("q", "w", "r", "t")
    assert policy["policy"] == state["policy"]
    return (
        policy["policy"],
        int(policy["x"]),
        int(policy["y"]),
        int(state["x"]),
        int(state["y"]),
    )


def test_anonymous_reads_count_down_and_reset_with_the_window(anon, small_kb, clock):
    url = reverse("tag-list")
    seen = [fields(anon.get(url)) for _ in range(3)]
    assert seen == [("anon", 3, 60, left, 40) for left in (2, 1, 0)]
    refused = anon.get(url)
    assert_throttled(refused)  # Retry-After still there
    assert fields(refused) == ("anon", 3, 60, 0, 40)
    assert int(refused["Retry-After"]) == 40
    clock[0] += 15
    assert fields(anon.get(reverse("concept-list")))[3:] == (0, 25)  # one count for all reads
    clock[0] += 25  # the next window
    response = anon.get(url)
    assert response.status_code == 200
    assert fields(response) == ("anon", 3, 60, 2, 60)


def test_errors_are_counted_and_say_so(anon, small_kb, clock):
    response = anon.get(reverse("concept-detail", kwargs={"slug": "no-such-concept"}))
    assert response.status_code == 404
    assert fields(response) == ("anon", 3, 60, 2, 40)


def test_the_count_closest_to_refusing_is_shown(editor, small_kb, clock):
    """A signed-in write is counted under ``user`` (5) and ``write`` (2): write is closer."""
    assert fields(editor.get(reverse("tag-list"))) == ("user", 5, 60, 4, 40)
    created = editor.post(reverse("tag-list"), {"slug": "t1", "name": "T1"}, format="json")
    assert created.status_code == 201
    assert fields(created) == ("write", 2, 60, 1, 40)
    assert fields(editor.get(reverse("tag-list"))) == ("user", 5, 60, 2, 40)


def test_logins_show_the_login_count(anon, editor_user, clock):
    url = reverse("auth-token")
    wrong = {"username": "editor", "password": "guess"}
    response = anon.post(url, wrong, format="json")
    assert response.status_code == 400
    assert fields(response)[:4] == ("login", 2, 60, 1)
    anon.post(url, wrong, format="json")
    refused = anon.post(url, wrong, format="json")
    assert_throttled(refused)
    assert fields(refused)[3] == 0


def test_the_admin_login_shows_its_count(client, db, clock):
    response = admin_login(client, "nobody", "guess", "10.1.1.1")
    assert fields(response)[:4] == ("login", 2, 60, 1)


def test_responses_no_throttle_counted_carry_no_fields(anon, db, clock):
    response = anon.get("/healthz")
    assert "RateLimit" not in response
    assert "RateLimit-Policy" not in response


@override_settings(CORS_ALLOWED_ORIGINS=["https://app.example.org"])
def test_cors_exposes_the_fields(anon, small_kb, clock):
    response = anon.get(reverse("tag-list"), HTTP_ORIGIN="https://app.example.org")
    exposed = {
        name.strip().lower() for name in response["Access-Control-Expose-Headers"].split(",")
    }
    assert {"ratelimit", "ratelimit-policy", "retry-after"} <= exposed


def test_a_response_cache_hit_is_not_counted_and_carries_no_fields():
    """The miss tells its client where it stands; the stored entry forgets it (a hit is
    answered before Django and the throttles)."""
    from tests.kbapi.test_asgi_cache import FakeVersion, cache_in_front, call, scope

    django, cached = cache_in_front(
        FakeVersion(),
        (b"RateLimit-Policy", b'"anon";q=3;w=60'),
        (b"RateLimit", b'"anon";r=2;t=40'),
    )
    miss, hit = call(cached, scope()), call(cached, scope())
    assert django.calls == 1
    assert miss["headers"]["ratelimit"] == '"anon";r=2;t=40'
    assert miss["headers"]["ratelimit-policy"] == '"anon";q=3;w=60'
    assert hit["headers"]["x-cache"] == "hit"
    assert "ratelimit" not in hit["headers"]
    assert "ratelimit-policy" not in hit["headers"]


@pytest.fixture
def fresh_counters():
    """The throttles' handles on the cache made anew (CACHES changes in the test)."""

    def clear():
        throttling.counters.cache_clear()
        throttling._shared_location.cache_clear()
        throttling.local_counters().clear()

    clear()
    yield
    clear()


def test_while_redis_is_down_the_fields_show_the_process_count(
    anon, small_kb, clock, fresh_counters
):
    """The per-process count that stands in for Redis's (kbapi.http.throttling) is the
    one the fields show, down to 0 on the 429s."""
    from kbapi.edge.version import reset_version

    try:
        with override_settings(CACHES=redis_cache(dead_redis_url())):
            responses = [anon.get(reverse("tag-list")) for _ in range(4)]
    finally:
        reset_version()
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert [fields(r)[3] for r in responses] == [2, 1, 0, 0]
    assert all(fields(r)[:3] == ("anon", 3, 60) and fields(r)[4] == 40 for r in responses)


def test_a_refusal_for_credentials_comes_before_the_count(anon, small_kb, clock):
    response = anon.post(reverse("tag-list"), {"slug": "t", "name": "T"}, format="json")
    assert response.status_code == 401
    assert "RateLimit" not in response and "RateLimit-Policy" not in response
    assert fields(anon.get(reverse("tag-list")))[3] == 2  # the POST was not counted
