"""Throttles (anonymous, user, writes, token login) that X-Forwarded-For cannot dodge; CORS."""

import pickle

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from rest_framework.throttling import SimpleRateThrottle

from tests.kbapi.test_errors import assert_error

RATES = {"anon": "3/minute", "user": "5/minute", "write": "2/minute", "login": "2/minute"}


@pytest.fixture
def low_rates(monkeypatch):
    """Rates low enough to hit in a test; the cache holding the counts starts empty."""
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", RATES)
    cache.clear()
    yield
    cache.clear()


def assert_throttled(response):
    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0


def assert_throttled_after(allowed: int, send, status: int = 200) -> None:
    """``send(i)`` is answered ``status`` for i below ``allowed``; the next one is throttled."""
    for i in range(allowed):
        response = send(i)
        assert response.status_code == status, response.content
    assert_throttled(send(allowed))


def test_anonymous_reads_are_throttled_with_retry_after(anon, small_kb, low_rates):
    assert_throttled_after(3, lambda _: anon.get(reverse("tag-list")))


def test_x_forwarded_for_does_not_give_a_fresh_allowance(anon, small_kb, low_rates):
    for i in range(3):
        response = anon.get(reverse("tag-list"), HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")
        assert response.status_code == 200
    assert_throttled(anon.get(reverse("tag-list"), HTTP_X_FORWARDED_FOR="10.9.9.9"))


# Behind a proxy the address it reports counts, and only a trusted proxy's:
# tests/kbapi/test_proxy.py (TRUSTED_PROXIES, through the ASGI layer that decides it).


def test_users_are_throttled(editor, small_kb, low_rates):
    assert_throttled_after(5, lambda _: editor.get(reverse("tag-list")))


def test_writes_have_their_own_lower_rate(editor, small_kb, low_rates):
    def create_tag(i):
        return editor.post(reverse("tag-list"), {"slug": f"t{i}", "name": f"T{i}"}, format="json")

    assert_throttled_after(2, create_tag, status=201)
    assert editor.get(reverse("tag-list")).status_code == 200  # reads still go through


def test_token_login_attempts_are_throttled(anon, editor_user, low_rates):
    url = reverse("auth-token")
    for _ in range(2):
        response = anon.post(url, {"username": "editor", "password": "guess"}, format="json")
        assert response.status_code == 400
    right = {"username": "editor", "password": "editor-pass-123"}
    assert_throttled(anon.post(url, right, format="json"))


ALLOWED = "https://app.example.org"


@override_settings(CORS_ALLOWED_ORIGINS=[ALLOWED])
def test_cors_allows_a_configured_origin(anon, small_kb):
    response = anon.get(reverse("tag-list"), HTTP_ORIGIN=ALLOWED)
    assert response["Access-Control-Allow-Origin"] == ALLOWED


@override_settings(CORS_ALLOWED_ORIGINS=[ALLOWED])
def test_cors_ignores_a_foreign_origin(anon, small_kb):
    response = anon.get(reverse("tag-list"), HTTP_ORIGIN="https://evil.example.com")
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


@override_settings(CORS_ALLOWED_ORIGINS=[ALLOWED])
@pytest.mark.parametrize(("origin", "allowed"), [(ALLOWED, True), ("https://evil.example", False)])
def test_cors_preflight_answers_only_configured_origins(anon, small_kb, origin, allowed):
    response = anon.options(
        reverse("tag-list"),
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )
    assert ("Access-Control-Allow-Origin" in response) is allowed
    if allowed:
        assert "POST" in response["Access-Control-Allow-Methods"]


def test_by_default_no_origin_is_allowed(anon, small_kb):
    response = anon.get(reverse("tag-list"), HTTP_ORIGIN=ALLOWED)
    assert "Access-Control-Allow-Origin" not in response


def test_the_count_starts_again_in_the_next_window(anon, small_kb, low_rates, monkeypatch):
    """Fixed windows (kbapi.http.throttling): one counter per client and window, not a list."""
    now = [60 * 16_667 + 20.0]  # 20 s into a minute
    monkeypatch.setattr(SimpleRateThrottle, "timer", lambda self: now[0])
    url = reverse("concept-list")
    for _ in range(3):
        assert anon.get(url).status_code == 200
    refused = anon.get(url)
    assert_throttled(refused)
    assert int(refused["Retry-After"]) == 40  # the rest of this window
    counters = [pickle.loads(value) for value in cache._cache.values()]  # LocMemCache in tests
    assert counters == [3 + 1]
    now[0] += 40
    assert anon.get(url).status_code == 200


class RacingCache:
    """A counter another worker creates between this worker's incr and add."""

    def __init__(self, expire_after_add=False):
        self.value = None
        self.expire_after_add = expire_after_add

    def incr(self, key):
        if self.value is None:
            raise ValueError(key)
        self.value += 1
        return self.value

    def add(self, key, value, timeout):
        self.value = None if self.expire_after_add else 5  # the other worker's count
        return False

    def set(self, key, value, timeout):
        self.value = value


@pytest.mark.parametrize(("expire_after_add", "count"), [(False, 6), (True, 1)])
def test_a_window_another_worker_started_is_counted_on(expire_after_add, count):
    from kbapi.http.throttling import AnonRateThrottle

    throttle = type("Racing", (AnonRateThrottle,), {"cache": RacingCache(expire_after_add)})()
    assert throttle._count("throttle_anon_1:1") == count
