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
    """Rates low enough to hit in a test; the cache holding the counts starts empty. The
    clock stands still 20 s into a window, so a test's requests never straddle two windows
    (a login hashes its password for a good part of a second)."""
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", RATES)
    monkeypatch.setattr(SimpleRateThrottle, "timer", lambda self: 60 * 16_667 + 20.0)
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


# --- logins: the token's and the admin's, per address and per username ---------------------


def assert_login_refused(response):
    """The admin's login page again (a page a browser shows), 429 with Retry-After, and
    nobody signed in."""
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert response["Content-Type"].startswith("text/html")
    content = response.content.decode()
    assert "Too many login attempts. Try again in" in content
    assert 'name="password"' in content  # the form, to try again later
    assert not response.wsgi_request.user.is_authenticated
    assert "no-store" in response["Cache-Control"]


def admin_login(client, username, password, address):
    """A post of the admin's login form from ``address`` (no CSRF check: Django's test
    client skips it unless asked)."""
    form = {"username": username, "password": password, "next": "/admin/"}
    return client.post("/admin/login/", form, REMOTE_ADDR=address)


@pytest.fixture
def staff(db):
    from django.contrib.auth.models import User

    return User.objects.create_user("staff", password="staff-pass-123", is_staff=True)


@pytest.fixture
def hashes(monkeypatch):
    """How many passwords were checked (each a deliberately slow hash)."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    checked = []
    verify = PBKDF2PasswordHasher.verify
    monkeypatch.setattr(
        PBKDF2PasswordHasher,
        "verify",
        lambda self, password, encoded: checked.append(1) or verify(self, password, encoded),
    )
    return checked


def test_admin_login_is_throttled_per_address_before_any_password_is_checked(
    client, staff, low_rates, hashes
):
    for _ in range(2):
        response = admin_login(client, "staff", "guess", "192.0.2.1")
        assert response.status_code == 200  # the form again, with its error
        assert not response.wsgi_request.user.is_authenticated
    assert len(hashes) == 2
    refused = admin_login(client, "staff", "staff-pass-123", "192.0.2.1")  # the right one
    assert_login_refused(refused)
    assert len(hashes) == 2  # refused before authenticating: no hash computed
    assert "_auth_user_id" not in client.session


def test_admin_login_counts_every_username_tried_from_one_address(client, staff, low_rates):
    for name in ("alice", "bob"):
        assert admin_login(client, name, "guess", "192.0.2.1").status_code == 200
    assert_login_refused(admin_login(client, "carol", "guess", "192.0.2.1"))
    assert admin_login(client, "dave", "guess", "192.0.2.2").status_code == 200


def test_admin_login_counts_one_username_across_addresses(client, staff, low_rates, hashes):
    for i in range(2):
        assert admin_login(client, "staff", "guess", f"192.0.2.{i}").status_code == 200
    assert_login_refused(admin_login(client, "STAFF ", "staff-pass-123", "198.51.100.7"))
    assert len(hashes) == 2
    assert admin_login(client, "other", "guess", "198.51.100.8").status_code == 200


def test_admin_login_allows_the_right_password_within_the_rate(client, staff, low_rates):
    response = admin_login(client, "staff", "staff-pass-123", "192.0.2.1")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/login/", REMOTE_ADDR="192.0.2.1").status_code in (200, 302)


def test_showing_the_admin_login_form_is_not_an_attempt(client, db, low_rates):
    for _ in range(5):
        assert client.get("/admin/login/", REMOTE_ADDR="192.0.2.1").status_code == 200


def test_token_and_admin_logins_share_the_counts(anon, client, staff, low_rates):
    url = reverse("auth-token")
    response = anon.post(url, {"username": "staff", "password": "guess"}, REMOTE_ADDR="192.0.2.1")
    assert response.status_code == 400
    assert admin_login(client, "someone", "guess", "192.0.2.1").status_code == 200
    assert_login_refused(admin_login(client, "someone-else", "guess", "192.0.2.1"))
    # and the token login counts the username across addresses too
    anon.post(url, {"username": "staff", "password": "guess"}, REMOTE_ADDR="192.0.2.9")
    assert_throttled(
        anon.post(url, {"username": "staff", "password": "x"}, REMOTE_ADDR="203.0.113.1")
    )
