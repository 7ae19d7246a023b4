"""The concepts' resources under /api/v1/."""

from rest_framework.routers import DefaultRouter

from concepts.api.views import CategoryViewSet, ConceptViewSet, ExampleViewSet, TagViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("concepts", ConceptViewSet, basename="concept")
router.register("categories", CategoryViewSet, basename="category")
router.register("tags", TagViewSet, basename="tag")
router.register("examples", ExampleViewSet, basename="example")

urlpatterns = router.urls
