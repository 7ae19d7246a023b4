"""The /api/v1/ router: every resource of the knowledge base."""

from rest_framework.routers import DefaultRouter

from concepts.api.views import CategoryViewSet, ConceptViewSet, ExampleViewSet, TagViewSet
from relations.api.views import ComparisonViewSet, RelationViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("concepts", ConceptViewSet, basename="concept")
router.register("categories", CategoryViewSet, basename="category")
router.register("tags", TagViewSet, basename="tag")
router.register("examples", ExampleViewSet, basename="example")
router.register("relations", RelationViewSet, basename="relation")
router.register("comparisons", ComparisonViewSet, basename="comparison")
