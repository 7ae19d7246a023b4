"""URLs: the API under /api/v1/, its docs, probes and the admin."""

from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from history.feed import ChangeFeedView
from kbapi.http import errors, health
from kbapi.http.auth import MeView, TokenView, admin_login
from kbapi.http.root import APIRootView
from search.api import SearchView

api_v1 = [
    path("", APIRootView.as_view(), name="api-root"),
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("auth/me/", MeView.as_view(), name="auth-me"),
    path("search/", SearchView.as_view(), name="search"),
    path("changes/", ChangeFeedView.as_view(), name="changes"),
    path("", include("discovery.api.urls")),
    path("", include("concepts.api.urls")),
    path("", include("relations.api.urls")),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    # the current version's root; temporary (302), as the current version may change
    path("api/", RedirectView.as_view(pattern_name="api-root", permanent=False)),
    re_path(r"^api(?:/.*)?$", errors.not_found),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/login/", admin_login),  # the admin's own login, throttled
    path("admin/", admin.site.urls),
]

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.not_found
handler500 = errors.server_error
