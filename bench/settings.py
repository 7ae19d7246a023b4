"""Bench-only settings: production's, plus the reference view's URL."""

from kbapi.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
