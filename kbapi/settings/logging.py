"""Logging: plain lines in development, JSON lines in production."""

import os

from kbapi.settings.base import PRODUCTION
from kbapi.settings.env import env_bool

# JSON lines in production (one per request from kbapi.edge.request_log, errors with
# their traceback and request id); REQUEST_LOG turns the request lines on or off.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "kbapi.edge.request_log.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "json": {"class": "logging.StreamHandler", "formatter": "json"},
    },
    "loggers": {
        "kbapi.request": {
            "handlers": ["json"],
            "level": "INFO" if env_bool("REQUEST_LOG", PRODUCTION) else "WARNING",
            "propagate": False,
        },
    },
    "root": {
        "handlers": ["json" if env_bool("LOG_JSON", PRODUCTION) else "console"],
        "level": os.environ.get("LOG_LEVEL", "INFO"),
    },
}
