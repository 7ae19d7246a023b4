"""The relations' resources under /api/v1/."""

from rest_framework.routers import DefaultRouter

from relations.api.views import ComparisonViewSet, RelationViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("relations", RelationViewSet, basename="relation")
router.register("comparisons", ComparisonViewSet, basename="comparison")

urlpatterns = router.urls
