"""URLs: the API under /api/v1/, its docs, probes and the admin."""

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from kbapi.http import errors, health
from kbapi.http.auth import TokenView
from search.api import SearchView

api_v1 = [
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("search/", SearchView.as_view(), name="search"),
    path("", include("discovery.api.urls")),
    path("", include("concepts.api.urls")),
    path("", include("relations.api.urls")),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    re_path(r"^api(?:/.*)?$", errors.not_found),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
]

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.not_found
handler500 = errors.server_error
