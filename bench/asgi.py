"""Bench-only entry point: ``/bench/bare`` is the bare ASGI ceiling, the rest is kbapi.asgi."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from bench.references import bare_app  # noqa: E402, I001
from kbapi.asgi import application as kbapi_application  # noqa: E402 - sets Django up first


async def application(scope, receive, send):
    if scope["type"] == "http" and scope["path"] == "/bench/bare":
        return await bare_app(scope, receive, send)
    return await kbapi_application(scope, receive, send)
