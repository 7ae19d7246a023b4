"""Settings for kbapi, read from environment variables.

Development is the default and needs nothing set. ``DJANGO_ENV=production``
turns on the production rules: no debug, a real ``SECRET_KEY`` is required,
and the HTTPS and cookie settings that ``manage.py check --deploy`` expects.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


DEV_SECRET_KEY = "dev-only-insecure-key-not-for-production"  # noqa: S105 - development default

ENVIRONMENT = os.environ.get("DJANGO_ENV", "development").strip().lower()
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
SECRET_KEY = os.environ.get("SECRET_KEY", "" if PRODUCTION else DEV_SECRET_KEY)
if PRODUCTION and (not SECRET_KEY or SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "DJANGO_ENV=production needs SECRET_KEY set to a random value of 50+ characters."
    )
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DJANGO_ENV=production refuses DEBUG=true.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "corsheaders",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    # kbapi's own, lowest layer first (the dependency rules: pyproject's importlinter)
    "kbapi.core",
    "history",
    "search",
    "concepts",
    "relations",
    "discovery",
    "content",
]

MIDDLEWARE = [
    # outermost: it sees every response, the guards' and the error handlers' included
    "kbapi.http.caching.CachePolicyMiddleware",
    "kbapi.http.middleware.RequestGuardMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "kbapi.urls"
ASGI_APPLICATION = "kbapi.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kbapi" / "templates"],  # ReDoc without internet assets
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=0,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Under kbapi.asgi every request of a worker runs on one thread, so its
    # connection can stay open (opening one costs more than the queries of a read).
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 300)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Writers from several workers: each write transaction takes SQLite's write lock when
    # it begins (IMMEDIATE), so two never both read and then both try to upgrade (which
    # SQLite answers at once with "database is locked"); a writer waits its turn for up
    # to DATABASE_BUSY_TIMEOUT seconds. Every check of the write path then runs under
    # the lock it acts under.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE", timeout=env_int("DATABASE_BUSY_TIMEOUT", 20)
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int(
        "DATABASE_CONNECT_TIMEOUT", 5
    )
    # psycopg 3 with Django's connection pool by default (see docs/PERFORMANCE.md:
    # under ASGI a new connection per request costs more than the query);
    # DATABASE_DRIVER=psycopg2 selects psycopg2 (no pool, CONN_MAX_AGE=0) instead.
    if os.environ.get("DATABASE_DRIVER", "").strip().lower() == "psycopg2":
        import sys

        sys.modules["psycopg"] = None  # Django then falls back to psycopg2
    elif env_bool("DATABASE_POOL", True):
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": env_int("DATABASE_POOL_MIN", 2),
            "max_size": env_int("DATABASE_POOL_MAX", 16),
            "timeout": env_int("DATABASE_POOL_TIMEOUT", 10),
        }
        # With the pool, Django passes psycopg_pool's check_connection: a pooled
        # connection the server dropped (pg_terminate_backend, a restart) is found
        # out and replaced on checkout instead of failing a request.
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
        # The hottest reads run as prepared statements (kbapi/core/db.py), planned
        # once per pooled connection. Behind a pooler in transaction mode (PgBouncer),
        # where a connection changes server session, set DATABASE_PREPARED_STATEMENTS=0.
        if env_bool("DATABASE_PREPARED_STATEMENTS", True):
            DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 1

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))

# Requests larger than this are refused with 413 before any parsing (kbapi.http.middleware, .parsers).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_BODY_BYTES", 256 * 1024)
CSRF_FAILURE_VIEW = "kbapi.http.errors.csrf_failure"

# Writes without If-Match get 428 when on; off by default so scripts and existing clients
# keep working (a stale If-Match is always refused with 412). See kbapi/http/conditional.py.
REQUIRE_IF_MATCH = env_bool("REQUIRE_IF_MATCH", default=False)

CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", "")
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Link", "X-Request-ID", "Retry-After"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "kbapi.http.permissions.ModelPermissionsOrReadOnly",
    ],
    "DEFAULT_RENDERER_CLASSES": ["kbapi.http.renderers.JSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "kbapi.http.negotiation.StrictContentNegotiation",
    "DEFAULT_PARSER_CLASSES": ["kbapi.http.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": [
        "kbapi.http.filters.StrictDjangoFilterBackend",
        "kbapi.http.filters.BoundedSearchFilter",
        "kbapi.http.filters.StrictOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "kbapi.http.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "kbapi.http.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "kbapi.http.openapi.autoschema.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "kbapi.http.throttling.AnonRateThrottle",
        "kbapi.http.throttling.SignedInRateThrottle",
        "kbapi.http.throttling.WriteRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("THROTTLE_ANON", "1000/minute"),
        "user": os.environ.get("THROTTLE_USER", "5000/minute"),
        "write": os.environ.get("THROTTLE_WRITE", "300/minute"),
        "login": os.environ.get("THROTTLE_LOGIN", "10/minute"),
    },
    "NUM_PROXIES": env_int("NUM_PROXIES", 0),
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
    }
    if os.environ.get("REDIS_URL")
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# The response cache in front of Django (kbapi.edge.response_cache) and the knowledge-base
# version it checks (kbapi.edge.version): a file per host, plus Redis across hosts.
# On by default where every worker shares one host (SQLite) or Redis is set; a
# server database without Redis may have several app hosts, so it is opt-in there.
KB_VERSION_FILE = os.environ.get("KB_VERSION_FILE", "")
KB_VERSION_REDIS_URL = os.environ.get("KB_VERSION_REDIS_URL", os.environ.get("REDIS_URL", ""))
RESPONSE_CACHE = env_bool(
    "RESPONSE_CACHE",
    DATABASES["default"]["ENGINE"].endswith("sqlite3") or bool(KB_VERSION_REDIS_URL),
)
RESPONSE_CACHE_MAX_ENTRIES = env_int("RESPONSE_CACHE_MAX_ENTRIES", 5000)
RESPONSE_CACHE_MAX_BYTES = env_int("RESPONSE_CACHE_MAX_BYTES", 64 * 1024 * 1024)

SPECTACULAR_SETTINGS = {
    "TITLE": "kbapi",
    "DESCRIPTION": (
        "A knowledge base about database concepts: databases and DBMSs, relational and "
        "NoSQL models, Django's ORM, views, authentication and deployment. Reads are "
        "public; writes need a token or session of a user with the model permission. "
        "Every response says how it may be cached: anonymous reads `public, no-cache` with "
        "an ETag, so caches keep them but revalidate each use (If-None-Match, 304); anything "
        "to a signed-in user `private, no-store`; writes, the token and errors `no-store`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # no badge from the online validator: the docs work offline and behind a proxy
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        # names that read well in generated clients (not TypeEnum / KindEnum)
        "RelationTypeEnum": "relations.models.Relation.Type",
        "ExampleKindEnum": "concepts.models.Example.Kind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "kbapi.http.openapi.autoschema.add_error_responses",
        "kbapi.http.openapi.conditional.add_conditional_headers",
        "kbapi.http.openapi.caching.add_cache_headers",
        "kbapi.http.openapi.expansion.add_query_parameters",
        "kbapi.http.openapi.summaries.describe_operations",
        "kbapi.http.openapi.jsonld.jsonld_schema_hook",
    ],
}

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

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
