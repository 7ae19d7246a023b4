"""Entity tags (RFC 9110 8.8.3, 13.1): the one parser of If-Match and If-None-Match.

Used by the response cache, before Django, and by the conditional requests
and caching policy of the views (``kbapi.http.conditional``, ``.caching``).
"""

import re

# One entity tag: optional W/ and a quoted string of etagc characters.
ETAG_RE = re.compile(r'\s*((?:W/)?"[\x21\x23-\x7e\x80-\xff]*")\s*(?:,|$)')


def parse_etags(value: str) -> list[str] | None:
    """The tags of an If-Match / If-None-Match value, ``["*"]``, or None when malformed."""
    value = value.strip()
    if value == "*":
        return ["*"]
    tags, pos = [], 0
    while pos < len(value):
        match = ETAG_RE.match(value, pos)
        if match is None:
            return None
        tags.append(match.group(1))
        pos = match.end()
    return tags or None


def weak_match(a: str, b: str) -> bool:
    return a.removeprefix("W/") == b.removeprefix("W/")


def if_match(tag: str, etag: str) -> bool:
    """Whether an ``If-Match`` tag names ``etag``, a strong tag this server issued.

    Strong comparison, with one exception: the weak form ``W/"…"`` of ``etag``
    itself. The server never issues weak tags, so a ``W/`` on one of its own
    can only have been added on the way: nginx's gzip marks every tag it
    compresses weak (``deploy/nginx.conf``), and a client then sends back what
    it received. The opaque part still names the exact version and the exact
    bytes before compression, so a stale tag, weak or strong, never matches.
    """
    return tag.removeprefix("W/") == etag and not etag.startswith("W/")


def none_match(if_none_match: str, etag: str) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (weak comparison, as it asks for); a
    malformed value names nothing."""
    if not etag:
        return False
    tags = parse_etags(if_none_match) or []
    return tags == ["*"] or any(weak_match(tag, etag) for tag in tags)
