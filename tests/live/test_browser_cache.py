"""A real browser's HTTP cache against the live app: another client's edit shows on the
browser's next read, and a read of an unchanged concept is revalidated, not refetched.

The page runs without Playwright's request routing, which would turn Chromium's
HTTP cache off (``browser_page(..., http_cache=True)``). What went over the wire
is read from Chromium's DevTools protocol: the headers it actually sent (the
``If-None-Match`` its cache adds) and the status the server actually answered
(``304``), which ``fetch()`` itself never shows.
"""

import json
import time
import urllib.request
from email.utils import parsedate_to_datetime

from tests.live.browser import browser_page

# A concept no other live test reads; its summary is put back afterwards.
SLUG = "flat-file"
DETAIL = f"/api/v1/concepts/{SLUG}/"
# Without Cache-Control, Chromium reuses a response with Last-Modified for a tenth of
# its age (heuristic freshness, RFC 9111 4.2.2): at 10 s old that is a second, ample
# for the read-edit-read below, so this test fails wherever that heuristic applies.
MIN_AGE_S = 10

FETCH = """async url => {
    const response = await fetch(url);
    return {status: response.status, body: await response.json()};
}"""


def request(url: str, *, method: str = "GET", data=None, headers=None):
    """(status, headers, parsed JSON body) of one request from a client other than the page."""
    body = json.dumps(data).encode() if data is not None else None
    headers = {"Accept": "application/json", **(headers or {})}
    if body is not None:
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=body, method=method, headers=headers)
    with urllib.request.urlopen(req, timeout=30) as response:
        return response.status, response.headers, json.load(response)


def admin_token(live_app) -> str:
    credentials = {"username": live_app.admin_username, "password": live_app.admin_password}
    _, _, body = request(f"{live_app.url}/api/v1/auth/token/", method="POST", data=credentials)
    return body["token"]


def edit_summary(live_app, token: str, summary: str) -> None:
    status, _, body = request(
        live_app.url + DETAIL,
        method="PATCH",
        data={"summary": summary},
        headers={"Authorization": f"Token {token}", "X-Change-Message": "browser cache test"},
    )
    assert status == 200 and body["summary"] == summary


def summary_once_old_enough(base: str) -> str:
    """The concept's summary, once its Last-Modified is MIN_AGE_S old (waits if need be)."""
    _, headers, body = request(base + DETAIL)
    age = parsedate_to_datetime(headers["Date"]) - parsedate_to_datetime(headers["Last-Modified"])
    if age.total_seconds() < MIN_AGE_S:
        time.sleep(MIN_AGE_S - age.total_seconds())
    return body["summary"]


def record_wire(page) -> dict[str, dict]:
    """Request id -> its URL and, when it reached the network, the headers sent on the wire
    (``sent``) and the status received; a request the cache answered alone has no ``sent``."""
    session = page.context.new_cdp_session(page)
    by_id: dict[str, dict] = {}
    session.on(
        "Network.requestWillBeSent",
        lambda e: by_id.setdefault(e["requestId"], {}).update(url=e["request"]["url"]),
    )
    session.on(
        "Network.requestWillBeSentExtraInfo",
        lambda e: by_id.setdefault(e["requestId"], {}).update(
            sent={k.lower(): v for k, v in e["headers"].items()}
        ),
    )
    session.on(
        "Network.responseReceivedExtraInfo",
        lambda e: by_id.setdefault(e["requestId"], {}).update(status=e["statusCode"]),
    )
    session.send("Network.enable")
    return by_id


def test_browser_shows_another_clients_edit_on_its_next_fetch_and_revalidates(live_app):
    base = live_app.url
    token = admin_token(live_app)
    original = summary_once_old_enough(base)
    edited = f"{original} Edited by another client."
    with browser_page(base, http_cache=True) as page:
        wire = record_wire(page)
        page.goto(f"{base}/healthz")
        first = page.evaluate(FETCH, DETAIL)
        try:
            edit_summary(live_app, token, edited)
            second = page.evaluate(FETCH, DETAIL)
            third = page.evaluate(FETCH, DETAIL)
        finally:
            edit_summary(live_app, token, original)
        # let the DevTools events of the last fetch arrive
        page.wait_for_timeout(200)
    assert first["status"] == 200 and first["body"]["summary"] == original
    assert second["status"] == 200 and second["body"]["summary"] == edited
    assert third["status"] == 200 and third["body"]["summary"] == edited

    exchanges = [e for e in wire.values() if e.get("url") == base + DETAIL and "sent" in e]
    assert len(exchanges) == 3, exchanges  # each fetch asked the server; none was answered blind
    asked, after_edit, unchanged = exchanges
    assert "if-none-match" not in asked["sent"] and asked["status"] == 200
    # the browser sent the tag it held; the edit changed it, so the new body came back
    assert after_edit["sent"]["if-none-match"] and after_edit["status"] == 200
    # then its copy was current: a 304, the body from the browser's cache
    assert unchanged["sent"]["if-none-match"] != after_edit["sent"]["if-none-match"]
    assert unchanged["status"] == 304
