"""The API's error envelope, ``{status, code, message, errors?}``: the one place it is built.

Every layer answers errors in this shape: DRF's exception handler and Django's
handler views (``kbapi.http.errors``) and the ASGI layers that answer before
Django does (the body limit, the last-resort 500 of the request log). It
imports nothing of Django, so the logging configuration, set up before Django's
apps, can import the request log that uses it.
"""

import json

# An error is never stored by a cache (kbapi.http.caching applies the same policy).
NO_STORE = "no-store"


def error_body(status_code: int, code: str, message: str, errors=None) -> dict:
    body = {"status": status_code, "code": code, "message": message}
    if errors is not None:
        body["errors"] = errors
    return body


async def send_error(send, status_code: int, code: str, message: str, headers=()) -> None:
    """Answer an ASGI request with the envelope (compact JSON, as the API renders it)."""
    body = json.dumps(error_body(status_code, code, message), separators=(",", ":")).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", NO_STORE.encode()),
        *headers,
    ]
    await send({"type": "http.response.start", "status": status_code, "headers": headers})
    await send({"type": "http.response.body", "body": body})
