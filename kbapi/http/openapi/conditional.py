"""The schema of conditional requests (``kbapi.http.conditional``): ETag, Last-Modified,
If-None-Match, If-Modified-Since, If-Match and 304, on the operations that have them."""

import re

DETAIL_PATH_RE = re.compile(r"/\{(slug|key)\}/(history/\{history_id\}/revert/)?$")
RESPONSE_HEADERS = {
    "ETag": {
        "description": "Strong entity tag of this representation: the version and a digest.",
        "schema": {"type": "string"},
    },
    "Last-Modified": {
        "description": "When the object itself was last changed.",
        "schema": {"type": "string"},
    },
}
# Every other read is tagged by the caching policy (kbapi.http.caching) from its body alone.
BODY_ETAG = {
    "ETag": {
        "description": "Strong entity tag of this representation: a digest of its bytes.",
        "schema": {"type": "string"},
    },
}


def _header(name: str, description: str) -> dict:
    return {"in": "header", "name": name, "schema": {"type": "string"}, "description": description}


IF_NONE_MATCH = _header(
    "If-None-Match", "Entity tags (or `*`) the client holds; a match answers 304 with no body."
)
IF_MODIFIED_SINCE = _header(
    "If-Modified-Since", "An HTTP date; 304 when not modified since (ignored with If-None-Match)."
)
IF_MATCH = _header(
    "If-Match",
    "The ETag last read (or `*`): a stale one answers 412 and nothing changes. "
    "Required (428 when missing) when the server sets REQUIRE_IF_MATCH. "
    "Not `*` and not a list of quoted entity tags is a 400.",
)
# what kbapi.edge.etags.parse_etags reads: `*`, or quoted tags, comma-separated
_TAG = r'(?:W/)?"[\x21\x23-\x7e\x80-\xff]*"'
IF_MATCH["schema"]["pattern"] = rf"^\s*(?:\*|{_TAG}(?:\s*,\s*{_TAG})*\s*,?)\s*$"


def add_conditional_headers(result, generator, request, public):
    """drf-spectacular hook: document ETag, If-None-Match and 304 on every read, and
    Last-Modified, If-Modified-Since, If-Match on the detail operations."""
    for path, path_item in result.get("paths", {}).items():
        detail = DETAIL_PATH_RE.search(path) is not None
        for method, operation in path_item.items():
            responses = operation.get("responses", {})
            if method == "get":
                tags = RESPONSE_HEADERS if detail else BODY_ETAG
                parameters = [IF_NONE_MATCH, IF_MODIFIED_SINCE] if detail else [IF_NONE_MATCH]
                operation.setdefault("parameters", []).extend(parameters)
                if "200" in responses:
                    responses["200"].setdefault("headers", {}).update(tags)
                responses["304"] = {
                    "description": "Not modified: the client's copy is current.",
                    "headers": {"ETag": tags["ETag"]},
                }
                continue
            if detail:
                operation.setdefault("parameters", []).append(IF_MATCH)
            elif method != "post":
                continue
            for code in ("200", "201"):
                if code in responses and (detail or code == "201"):
                    responses[code].setdefault("headers", {}).update(RESPONSE_HEADERS)
    return result
