"""One JSON shape for every error: ``{"status", "code", "message", "errors"?}``.

``code`` is machine-readable, ``message`` is for people, and ``errors`` maps
fields to their messages on validation failures.
"""

import logging
import sys

from django.core.exceptions import DisallowedHost, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from kbapi.core.services import ServiceError
from kbapi.edge.body_limit import too_large_message
from kbapi.edge.errors import error_body
from kbapi.edge.outage import DATABASE_UNAVAILABLE, database_breaker

logger = logging.getLogger(__name__)


def exception_handler(exc, context):
    """DRF's exception handler, reshaped; also maps Django and service errors."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_errors(exc))
    elif isinstance(exc, RequestDataTooBig):
        return Response(error_body(413, "payload_too_large", too_large_message()), status=413)
    elif isinstance(exc, ServiceError):
        body = error_body(exc.status_code, exc.code, exc.message)
        body.update(exc.details)
        return Response(body, status=exc.status_code)
    elif database_unavailable(exc):
        return database_unavailable_response(Response)
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("Unhandled error in %s", context.get("view"), exc_info=exc)
        return Response(
            error_body(500, "server_error", "Internal server error."),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    response.data = _reshape(exc, response.status_code)
    return response


def _reshape(exc, status_code: int) -> dict:
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        return error_body(status_code, "invalid", _first_message(errors), errors)
    if isinstance(exc, Http404):
        return error_body(404, "not_found", str(exc) or "Not found.")
    if isinstance(exc, PermissionDenied):
        return error_body(403, "permission_denied", str(exc) or "Permission denied.")
    detail = getattr(exc, "detail", str(exc))
    code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
    return error_body(status_code, str(code), str(detail))


def _first_message(errors) -> str:
    """A readable one-line summary of field errors: the first field and its message."""
    for field, messages in errors.items():
        message = messages[0] if isinstance(messages, list) and messages else messages
        if isinstance(message, dict):
            return f"{field}: {_first_message(message)}"
        return f"{field}: {message}" if field != "non_field_errors" else str(message)
    return "Invalid input."


def _django_errors(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): [m for e in errs for m in e]
            for field, errs in exc.error_dict.items()
        }
    return {"non_field_errors": exc.messages}


def json_error(request, status_code: int, code: str, message: str, errors=None) -> JsonResponse:
    return JsonResponse(error_body(status_code, code, message, errors), status=status_code)


@csrf_exempt  # an unknown route is a 404 whatever the method, never a CSRF page
def not_found(request, exception=None, *args, **kwargs):
    return json_error(request, 404, "not_found", f"No route matches {request.path}.")


def bad_request(request, exception=None):
    if isinstance(exception, DisallowedHost):
        return json_error(request, 400, "disallowed_host", "The Host header is not served here.")
    return json_error(request, 400, "bad_request", "Bad request.")


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a missing or wrong CSRF token. JSON under /api/; elsewhere (the
    admin's forms) Django's own page, which a browser shows and which says what to do."""
    if not request.path.startswith("/api/"):
        return django_csrf_failure(request, reason)
    return json_error(request, 403, "csrf_failed", f"CSRF check failed: {reason}")


def permission_denied(request, exception=None):
    return json_error(request, 403, "permission_denied", "Permission denied.")


def server_error(request):
    # Django calls its 500 handler while it handles the exception: sys.exc_info() has it.
    if database_unavailable(sys.exc_info()[1]):
        return database_unavailable_response(JsonResponse)
    return json_error(request, 500, "server_error", "Internal server error.")


# PostgreSQL's errors that say the database cannot be reached (no SQLSTATE: the client
# lost or never made the connection; class 08: connection exception; 57P01-57P03: the
# server shutting down, or starting and not accepting connections yet).
_UNREACHABLE_STATES = ("08", "57P01", "57P02", "57P03")


def database_unavailable(exc) -> bool:
    """Whether ``exc`` says the database is down or unreachable (not that a query failed).

    When no connection could be made at all, the database's breaker opens
    (``kbapi.edge.outage``): for ``DATABASE_RETRY_AFTER`` seconds the requests
    that need it are answered 503 before they reach Django."""
    from django.db import connection
    from django.db.utils import InterfaceError, OperationalError

    if not isinstance(exc, OperationalError | InterfaceError):
        return False
    cause = exc.__cause__
    if not hasattr(cause, "sqlstate"):  # not psycopg's (SQLite's "database is locked" ...)
        return False
    state = cause.sqlstate
    if state is not None and not state.startswith(_UNREACHABLE_STATES):
        return False
    if connection.connection is None:  # it never connected: the pool or the server refused
        database_breaker().failed(cause)
    return True


def database_unavailable_response(response_class):
    """503 in the error shape, with ``Retry-After`` (``Response`` or ``JsonResponse``)."""
    body = error_body(503, "database_unavailable", DATABASE_UNAVAILABLE)
    response = response_class(body, status=503)
    response["Retry-After"] = str(database_breaker().seconds_left())
    return response
