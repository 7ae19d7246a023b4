"""How a response may be cached (RFC 9111): the one place that says so.

``CachePolicyMiddleware``, outermost in ``MIDDLEWARE``, gives every response
Django answers its ``Cache-Control``, after every other middleware has had
its say:

* **Public reads**: GET or HEAD under ``/api/`` (the API, its schema and its
  docs) from a request without credentials, answered ``200`` or ``304``
  without setting a cookie: ``public, no-cache``. Any cache (the browser's,
  a proxy's) may keep the body but must ask the server again before each use,
  with ``If-None-Match``, and gets ``304`` (no body) or the new body. An edit
  shows on the very next read; reading an unchanged resource costs a round
  trip but no body (the response cache answers it without Django). A
  ``max-age`` would save the round trip but show a stale concept for that
  long after an edit, as Chromium did when no response said anything: it
  gave responses with ``Last-Modified`` a heuristic freshness of a tenth of
  their age.
* **A request with credentials** (``Authorization``, or the session cookie;
  or a user signed in otherwise) or **a response that sets a cookie**
  (Swagger UI's page and its CSRF token): ``private, no-store``. What a
  signed-in user reads may depend on who they are; it stays out of every
  cache, the browser's disk included.
* **Everything else**: ``no-store``. Writes' answers, the token of
  ``POST /api/v1/auth/token/`` among them; errors (a 404 turns into a 200
  after a create, and 404, 405, 410, 414 and 501 are cacheable by default,
  RFC 9111 4.2.2); redirects; the probes.

A response that already says ``no-store`` keeps its own header (the admin's
``never_cache``).

Validators: a ``200`` to GET or HEAD under ``/api/`` that carries no
``ETag`` (lists, search, the graph, compare, the advisor, histories, the
schema...) gets a strong one, a digest of its exact bytes: the digest of the
detail views' tags (``kbapi.http.conditional``, which answer their own
validators), without their version. A matching ``If-None-Match`` (weak
comparison, or ``*``) turns it into a ``304`` without a body. No 304 carries
``Content-Length`` (the detail views' did: ``0``, which a cache may copy over
the length of the body it keeps).

The response cache in front of Django (``kbapi.edge.response_cache``) keeps the
headers of each ``200`` it stores, so its hits and its own 304s carry the
``Cache-Control`` and ``ETag`` Django gave; the two answers made before
Django runs (the body limit's 413, the request log's last-resort 500) say
``no-store`` themselves.
"""

from django.conf import settings
from django.http import HttpResponseNotModified

from kbapi.edge.errors import NO_STORE
from kbapi.edge.etags import none_match
from kbapi.http.conditional import etag_for

PUBLIC = "public, no-cache"
PRIVATE = "private, no-store"
PUBLIC_PREFIX = "/api/"
READS = ("GET", "HEAD")


def personal(request) -> bool:
    """Whether the request carries credentials (a token, a session cookie) or its user is
    signed in by any other means (a test client's forced authentication, a future scheme)."""
    if "HTTP_AUTHORIZATION" in request.META or settings.SESSION_COOKIE_NAME in request.COOKIES:
        return True
    user = getattr(request, "user", None)  # unset on answers made before AuthenticationMiddleware
    return user is not None and user.is_authenticated


def cache_control(request, response) -> str:
    """The ``Cache-Control`` the policy gives this response to this request."""
    if personal(request) or response.cookies:
        return PRIVATE
    if (
        request.method in READS
        and response.status_code in (200, 304)
        and request.path_info.startswith(PUBLIC_PREFIX)
    ):
        return PUBLIC
    return NO_STORE


def body_etag(content: bytes) -> str:
    """A strong tag of exactly these bytes (the detail tags' digest, without a version)."""
    return etag_for(None, content)


def not_modified(response) -> HttpResponseNotModified:
    """The 304 for ``response``: its headers, less the body's own (RFC 9110 15.4.5), and cookies."""
    result = HttpResponseNotModified()
    for name, value in response.items():
        lowered = name.lower()
        if not lowered.startswith("content-") or lowered == "content-location":
            result[name] = value
    result.cookies = response.cookies
    return result


class CachePolicyMiddleware:
    """Cache-Control on every response, an ETag and 304s on every read under /api/."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 200
            and request.method in READS
            and request.path_info.startswith(PUBLIC_PREFIX)
            and not response.streaming
        ):
            etag = response.get("ETag")
            if etag is None:
                etag = response["ETag"] = body_etag(response.content)
            if none_match(request.META.get("HTTP_IF_NONE_MATCH", ""), etag):
                response = not_modified(response)
        elif response.status_code == 304 and "Content-Length" in response:
            # CommonMiddleware counts the 304's empty body; a cache may copy that 0 over the
            # stored body's length, and RFC 9110 8.6 allows only the 200's own length here.
            del response["Content-Length"]
        if "no-store" not in response.get("Cache-Control", ""):
            response["Cache-Control"] = cache_control(request, response)
        return response
