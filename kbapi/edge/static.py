"""Static files (the admin's and Swagger UI's assets) when no web server serves them.

Django's ``ASGIStaticFilesHandler``, with every refusal a 404 in the error envelope:

* a path that would leave the static folders — a ``..`` segment, however it was
  encoded (``%2e%2e/``, ``..%2f``, ``%252e%252e``: the handler decodes the path
  once more itself), a backslash or a NUL — is refused before any file is
  looked up. Django's finders raise ``SuspiciousFileOperation`` for a path out
  of their folder, which the handler let through as a 500;
* a file that is not there is a 404 in the envelope, never Django's debug page
  (with ``DEBUG`` on it names the path and how it was looked for).

Browsers and proxies resolve ``.`` and ``..`` segments before they send a URL,
so no asset's URL has one.
"""

import json

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponse

from kbapi.edge.errors import NO_STORE, error_body, send_error

NOT_FOUND = "No static file at this path."


def outside(relative: str) -> bool:
    """Whether a decoded path below the static URL could point outside the static folders."""
    return "\x00" in relative or "\\" in relative or ".." in relative.split("/")


def not_found() -> HttpResponse:
    body = json.dumps(error_body(404, "not_found", NOT_FOUND), separators=(",", ":"))
    response = HttpResponse(body, status=404, content_type="application/json")
    response["Cache-Control"] = NO_STORE
    return response


class StaticFilesHandler(ASGIStaticFilesHandler):
    """``/static/…`` from the static folders; everything else to the wrapped application."""

    async def __call__(self, scope, receive, send):
        if (
            scope["type"] == "http"
            and self._should_handle(scope["path"])
            and outside(self.file_path(scope["path"]))
        ):
            return await send_error(send, 404, "not_found", NOT_FOUND)
        return await super().__call__(scope, receive, send)

    def serve(self, request):
        try:
            return super().serve(request)
        except (Http404, SuspiciousOperation):
            return not_found()
