"""The API: request limits, Django REST framework (throttle rates included), the
OpenAPI schema (drf-spectacular) and CORS."""

import os
import re

from corsheaders.defaults import default_headers
from django.core.exceptions import ImproperlyConfigured

from kbapi.settings.env import env_bool, env_int, env_list

# Requests larger than this are refused with 413 before any parsing (kbapi.http.middleware, .parsers).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_BODY_BYTES", 256 * 1024)
CSRF_FAILURE_VIEW = "kbapi.http.errors.csrf_failure"

# Writes without If-Match get 428 when on; off by default so scripts and existing clients
# keep working (a stale If-Match is always refused with 412). See kbapi/http/conditional.py.
REQUIRE_IF_MATCH = env_bool("REQUIRE_IF_MATCH", default=False)

# The base of every SKOS IRI in ?format=jsonld (concepts.jsonld): the scheme is
# <base>scheme, a concept <base>concept/<slug>, whatever Host the request came to.
# The default is a placeholder (example.org); an operator who publishes the vocabulary
# sets a base they own, once, and never changes it.
SKOS_BASE_IRI = os.environ.get("SKOS_BASE_IRI") or "https://kbapi.example.org/skos/"
if not re.fullmatch(r"[a-z][a-z0-9+.-]*:[^\s\"<>]*[/#]", SKOS_BASE_IRI):
    raise ImproperlyConfigured(
        f"SKOS_BASE_IRI must be an absolute IRI ending in / or #, not {SKOS_BASE_IRI!r}."
    )

CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", "")
CORS_EXPOSE_HEADERS = [
    *("ETag", "Last-Modified", "Link", "X-Request-ID", "Retry-After"),
    *("RateLimit-Policy", "RateLimit"),  # kbapi.http.throttling
]
# A frontend's safe write sends If-Match (with the ETag it read) and may say why
# (X-Change-Message); its revalidating read sends If-None-Match.
CORS_ALLOW_HEADERS = (*default_headers, "if-match", "if-none-match", "x-change-message")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "kbapi.http.authentication.TokenAuthentication",  # Bearer, and Token
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
    "DEFAULT_PAGINATION_CLASS": "kbapi.http.pagination.ListPagination",
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
    # The client address is the one kbapi.edge.proxy settled (TRUSTED_PROXIES): DRF must
    # not read X-Forwarded-For a second time.
    "NUM_PROXIES": 0,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "kbapi",
    "DESCRIPTION": (
        "A knowledge base about database concepts: databases and DBMSs, relational and "
        "NoSQL models, Django's ORM, views, authentication and deployment. Reads are "
        "public; writes need a token or session of a user with the model permission. "
        "Every response says how it may be cached: anonymous reads `public, no-cache` with "
        "an ETag, so caches keep them but revalidate each use (If-None-Match, 304); anything "
        "to a signed-in user `private, no-store`; writes, the token and errors `no-store`. "
        "One shape for one idea: every collection, paged or not, is `count`, `next`, "
        "`previous`, `results` plus the endpoint's own keys; an embedded concept is always "
        "a `ConceptStub` (`slug`, `name`, `category`, `url`); a comparison's cell is a list "
        "of texts in `comparisons/` and `compare/` alike; search snippets are plain text "
        "with `highlights` (offsets of the matches); relation types and their labels are "
        "listed by `relation-types/`."
    ),
    "VERSION": "1.0.0",
    # the API serves its own schema: paths are relative to the server that answered it
    "SERVERS": [{"url": "/", "description": "The server this schema was fetched from."}],
    "CONTACT": {"name": "The kbapi maintainers"},
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
        # what a search hit is: its own enum, so a TypeScript client narrows on hit.type
        "SearchHitTypeEnum": "search.models.SearchDocument.Kind",
        # a history entry's action, and the change feed's (which adds "reverted")
        "ActionEnum": "history.api.ACTION_CHOICES",
        "ChangeActionEnum": "history.feed.ACTION_CHOICES",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "kbapi.http.openapi.autoschema.add_error_responses",
        "kbapi.http.openapi.conditional.add_conditional_headers",
        "kbapi.http.openapi.caching.add_cache_headers",
        "kbapi.http.openapi.ratelimit.add_ratelimit_headers",
        "kbapi.http.openapi.expansion.add_query_parameters",
        "kbapi.http.openapi.summaries.describe_operations",
        "kbapi.http.openapi.jsonld.jsonld_schema_hook",
        "kbapi.http.openapi.examples.add_response_examples",
        "kbapi.http.openapi.autoschema.tidy_schema",  # last: what the linters ask
    ],
}
