"""The JSON parser every endpoint uses: bounded in size, and strict about what a string may hold.

PostgreSQL cannot store NUL in text and no database stores a lone UTF-16
surrogate, and ``1e400`` parses to an infinite float; each would surface as a
500 deep in a save. They are refused here, once, for every endpoint.
"""

import codecs
import math

from rest_framework import exceptions, parsers
from rest_framework.utils import json

from kbapi.edge.body_limit import body_limit, over_limit, too_large_message

MAX_DEPTH = 32


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


def read_bounded(stream) -> bytes:
    """Read the body, counting the bytes actually read: a body longer than its declared
    length (which ``kbapi.http.middleware`` checked) is cut at the limit too."""
    limit = body_limit()
    if stream is None:
        return b""
    data = stream.read() if limit is None else stream.read(limit + 1)
    if over_limit(len(data)):
        raise PayloadTooLarge(too_large_message(limit))
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
        raw = read_bounded(stream)
        try:
            data = json.loads(codecs.decode(raw, parsers.get_encoding(parser_context)))
        except (ValueError, RecursionError) as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from None
        reason = bad_value(data)
        if reason:
            raise exceptions.ParseError(reason)
        return data
