"""Guards in front of every view: input no view should ever see.

``RequestGuardMiddleware`` (Django) refuses a Host not in ``ALLOWED_HOSTS``, more
query parameters or form fields than ``DATA_UPLOAD_MAX_NUMBER_FIELDS`` (1,000;
Django raises ``TooManyFieldsSent`` wherever they are first read, and with
``DEBUG`` on its error page read them again and failed as a 500), NUL
characters anywhere in the path or query string (PostgreSQL cannot compare text
with NUL, so a lookup would fail as a 500) and a declared ``Content-Length``
over the limit. The bytes actually received are counted at the ASGI level
(``kbapi.edge.body_limit``).

``DatabaseOutageMiddleware`` answers 503 to the requests that were already
waiting for the worker's thread when the database was found down (the ASGI
gate, ``kbapi.edge.outage.DatabaseGate``, answers those that come after).
"""

from django.conf import settings
from django.core.exceptions import DisallowedHost, TooManyFieldsSent, TooManyFilesSent
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError

from kbapi.edge.body_limit import over_limit, too_large_message
from kbapi.edge.outage import DATABASE_TRY, PROBES, database_breaker
from kbapi.http.errors import database_unavailable_response, json_error

NUL_MESSAGE = "NUL (%00) characters are not allowed in URLs."
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
API_PREFIX = "/api/"  # its views parse JSON only: a form there is a 415, and never read


def unparsable_fields(request) -> tuple[str, str] | None:
    """(code, message) when the query string or a form body (the admin's) cannot be parsed:
    more fields (or files) than Django parses, or a broken multipart body. Read here, first,
    so no later reader (the CSRF check, a view, a debug page) meets the error."""
    try:
        request.GET  # noqa: B018 - parsed on first access
        if (
            request.method == "POST"
            and request.content_type in FORMS
            and not request.path_info.startswith(API_PREFIX)
        ):
            request.POST  # noqa: B018 - the CSRF check would read it next anyway
    except (TooManyFieldsSent, TooManyFilesSent):
        return "too_many_fields", (
            f"More than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} query parameters or form "
            f"fields (or {settings.DATA_UPLOAD_MAX_NUMBER_FILES} files)."
        )
    except MultiPartParserError:
        return "bad_request", "The multipart body cannot be parsed."
    return None


def nul_errors(request) -> dict | None:
    """The URL parts holding a NUL, as field errors (``path`` or a parameter's name)."""
    errors = {}
    if "\x00" in request.path or "%00" in request.path_info:
        errors["path"] = [NUL_MESSAGE]
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in v for v in values):
            errors[key.replace("\x00", "") or "query"] = [NUL_MESSAGE]
    if not errors and "%00" in request.META.get("QUERY_STRING", ""):
        errors["query"] = [NUL_MESSAGE]
    return errors or None


class RequestGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            request.get_host()
        except DisallowedHost:  # JSON even with DEBUG on, where Django would show its HTML page
            return json_error(
                request, 400, "disallowed_host", "The Host header is not served here."
            )
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return json_error(request, 400, "bad_request", "Content-Length is not a number.")
        if over_limit(declared):
            return json_error(request, 413, "payload_too_large", too_large_message())
        unparsable = unparsable_fields(request)
        if unparsable:
            return json_error(request, 400, *unparsable)
        errors = nul_errors(request)
        if errors:
            return json_error(request, 400, "invalid", NUL_MESSAGE, errors)
        return self.get_response(request)


class DatabaseOutageMiddleware:
    """503 with ``Retry-After`` while the database's breaker is open, except for the probes
    and the one request the gate let through to try the database again: a request that
    queued behind the one that found the database down does not wait the connect
    timeout again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            database_breaker().refusing()
            and request.path_info not in PROBES
            and not getattr(request, "scope", {}).get(DATABASE_TRY)
        ):
            return database_unavailable_response(JsonResponse)
        return self.get_response(request)
