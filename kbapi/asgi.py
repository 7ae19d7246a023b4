"""ASGI entry point: ``uvicorn kbapi.asgi:application``."""

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


application = BodyLimitMiddleware(_with_static_files(django_application))
