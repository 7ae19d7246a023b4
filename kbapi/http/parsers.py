"""The JSON parser every endpoint uses: bounded in size, and strict about what a string may hold.

PostgreSQL cannot store NUL in text and no database stores a lone UTF-16
surrogate, and ``1e400`` parses to an infinite float; each would surface as a
500 deep in a save. They are refused here, once, for every endpoint.
"""

import codecs
import math

from django.conf import settings
from rest_framework import exceptions, parsers
from rest_framework.utils import json

MAX_DEPTH = 32


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


def body_limit() -> int | None:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def check_declared_length(meta) -> None:
    """Refuse a body whose Content-Length is over the limit before reading any of it."""
    limit = body_limit()
    try:
        declared = int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise exceptions.ParseError("Content-Length is not a number.") from None
    if limit is not None and declared > limit:
        raise PayloadTooLarge(f"The request body is over the limit of {limit} bytes.")


def read_bounded(stream) -> bytes:
    """Read the body, counting the bytes actually read (chunked bodies carry no length)."""
    limit = body_limit()
    if stream is None:
        return b""
    data = stream.read() if limit is None else stream.read(limit + 1)
    if limit is not None and len(data) > limit:
        raise PayloadTooLarge(f"The request body is over the limit of {limit} bytes.")
    return data


def bad_value(value, depth: int = 0) -> str | None:
    """Why ``value`` cannot be stored, or None when every string and number in it can."""
    if depth > MAX_DEPTH:
        return f"JSON nested deeper than {MAX_DEPTH} levels."
    if isinstance(value, str):
        return bad_text(value)
    if isinstance(value, float) and not math.isfinite(value):
        return "Numbers must be finite (no NaN, Infinity or out-of-range values like 1e400)."
    if isinstance(value, dict):
        items = [*value.keys(), *value.values()]
    elif isinstance(value, list):
        items = value
    else:
        return None
    for item in items:
        reason = bad_value(item, depth + 1)
        if reason:
            return reason
    return None


def bad_text(text: str) -> str | None:
    if "\x00" in text:
        return "Strings must not contain NUL (\\u0000) characters."
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "Strings must not contain lone surrogates (\\ud800-\\udfff)."
    return None


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with a size limit and a check of every string and number."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        request = parser_context.get("request")
        if request is not None:
            check_declared_length(request.META)
        raw = read_bounded(stream)
        try:
            data = json.loads(codecs.decode(raw, parsers.get_encoding(parser_context)))
        except (ValueError, RecursionError) as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from None
        reason = bad_value(data)
        if reason:
            raise exceptions.ParseError(reason)
        return data
