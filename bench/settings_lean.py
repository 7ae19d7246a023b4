"""Bench-only: production's settings with the middleware an anonymous or token API read needs.

Measures what the sync middleware hooks cost under ASGI (each hops to a thread).
"""

from bench.settings import *  # noqa: F403

MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
]
