"""ASGI entry point: ``uvicorn kbapi.asgi:application``.

Layers, outermost first: request ids and the request log, the response cache
(answers unchanged anonymous API reads without entering Django), static files,
then Django itself.
"""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kbapi.settings")

django_application = get_asgi_application()

from kbapi.guards import BodyLimitMiddleware  # noqa: E402 - needs the settings configured above


def _with_static_files(app):
    """Serve collected static files (admin, Swagger UI) when no web server does it for us."""
    from django.conf import settings
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    from kbapi.settings import env_bool

    if env_bool("SERVE_STATIC", True) and settings.STATIC_URL:
        return ASGIStaticFilesHandler(app)
    return app


def _with_response_cache(app):
    from django.conf import settings

    from kbapi.asgi_cache import ResponseCacheMiddleware
    from kbapi.kb_version import get_version

    if not getattr(settings, "RESPONSE_CACHE", False):
        return app
    return ResponseCacheMiddleware(
        app,
        version=get_version(),
        max_entries=settings.RESPONSE_CACHE_MAX_ENTRIES,
        max_bytes=settings.RESPONSE_CACHE_MAX_BYTES,
        session_cookie=settings.SESSION_COOKIE_NAME,
    )


def _with_request_log(app):
    from kbapi.request_log import RequestLogMiddleware

    return RequestLogMiddleware(app)


application = _with_request_log(
    BodyLimitMiddleware(_with_response_cache(_with_static_files(django_application)))
)

# Everything loaded so far lives as long as the worker: keep it out of the
# collector's full passes, which otherwise cost ~30 ms every few hundred requests.
gc.collect()
gc.freeze()
