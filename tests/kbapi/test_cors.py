"""Browsers on the allowed origins (from CORS_ALLOWED_ORIGINS) may call the API; others may not."""

import os
import subprocess
import sys

from django.test import override_settings

APP = "https://app.example.org"


@override_settings(CORS_ALLOWED_ORIGINS=[APP])
def test_an_allowed_origin_gets_cors_headers_and_the_link_header_is_exposed(anon, small_kb):
    preflight = anon.options(
        "/api/v1/concepts/", HTTP_ORIGIN=APP, HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == APP
    response = anon.get("/api/v1/concepts/?page_size=1", HTTP_ORIGIN=APP)
    assert response.headers["Access-Control-Allow-Origin"] == APP
    exposed = {h.strip() for h in response.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"Link", "ETag"} <= exposed
    assert 'rel="next"' in response.headers["Link"]


@override_settings(CORS_ALLOWED_ORIGINS=[APP])
def test_another_origin_gets_no_cors_headers(anon, small_kb):
    response = anon.get("/api/v1/concepts/", HTTP_ORIGIN="https://evil.example.com")
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers


def test_allowed_origins_come_from_the_environment():
    env = {**os.environ, "CORS_ALLOWED_ORIGINS": f"{APP}, http://localhost:5173"}
    result = subprocess.run(
        [sys.executable, "-c", "from kbapi import settings; print(settings.CORS_ALLOWED_ORIGINS)"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str([APP, "http://localhost:5173"])


@override_settings(CORS_ALLOWED_ORIGINS=[APP])
def test_a_frontend_may_send_the_headers_of_a_safe_write(anon, editor, small_kb):
    """The preflight of a PATCH with If-Match and X-Change-Message allows them; else the
    browser never sends the write (and a frontend could only write without If-Match)."""
    asked = "if-match, x-change-message, content-type, authorization"
    url = "/api/v1/concepts/database/"
    preflight = anon.options(
        url,
        HTTP_ORIGIN=APP,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="PATCH",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS=asked,
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == APP
    allowed = {
        h.strip().lower() for h in preflight.headers["Access-Control-Allow-Headers"].split(",")
    }
    assert {"if-match", "x-change-message", "content-type", "authorization"} <= allowed
    assert "if-none-match" in allowed
    assert "PATCH" in preflight.headers["Access-Control-Allow-Methods"]
    # the write itself, cross-origin: its new ETag is readable by the frontend
    etag = anon.get(url, HTTP_ORIGIN=APP).headers["ETag"]
    response = editor.patch(
        url,
        {"summary": "Changed from another origin."},
        format="json",
        HTTP_ORIGIN=APP,
        HTTP_IF_MATCH=etag,
        HTTP_X_CHANGE_MESSAGE="From the frontend",
    )
    assert response.status_code == 200, response.content
    exposed = {h.strip() for h in response.headers["Access-Control-Expose-Headers"].split(",")}
    assert "ETag" in exposed and response.headers["ETag"] != etag
