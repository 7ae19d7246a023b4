"""The relations' resources under /api/v1/."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from relations.api.views import ComparisonViewSet, RelationTypesView, RelationViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("relations", RelationViewSet, basename="relation")
router.register("comparisons", ComparisonViewSet, basename="comparison")

urlpatterns = [
    path("relation-types/", RelationTypesView.as_view(), name="relation-types"),
    *router.urls,
]
