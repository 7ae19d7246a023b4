"""The API root, ``GET /api/v1/``: where to start browsing, and where the docs are."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from kbapi.http.renderers import JSONRenderer

# key in the answer -> URL name; every collection and endpoint without a path parameter
RESOURCES = {
    "concepts": "concept-list",
    "categories": "category-list",
    "tags": "tag-list",
    "examples": "example-list",
    "relations": "relation-list",
    "relation_types": "relation-types",
    "comparisons": "comparison-list",
    "search": "search",
    "changes": "changes",
    "graph": "graph",
    "graph_mermaid": "graph-mermaid",
    "graph_dot": "graph-dot",
    "graph_jsonld": "graph-jsonld",
    "graph_path": "graph-path",
    "compare": "compare",
    "advisor": "advisor",
    "auth_token": "auth-token",
    "auth_me": "auth-me",
}
DOCS = {"swagger_ui": "swagger-ui", "redoc": "redoc", "schema": "schema"}


def _urls(component: str, names: dict) -> serializers.Serializer:
    """An object of absolute URLs, one per key of ``names``, each always present."""
    return inline_serializer(component, {key: serializers.URLField() for key in names})


class APIRootView(APIView):
    """The resources of the API and its documentation, as absolute URLs."""

    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]

    @extend_schema(
        operation_id="api_root",
        tags=["root"],
        summary="API root",
        responses=inline_serializer(
            "ApiRoot",
            {
                "resources": _urls("ApiRootResources", RESOURCES),
                "docs": _urls("ApiRootDocs", DOCS),
            },
        ),
    )
    def get(self, request):
        """Every collection and query endpoint of `/api/v1/`, and the docs: Swagger UI, ReDoc
        and the OpenAPI schema. Endpoints under a concept (`/concepts/{slug}/neighbors/`, ...)
        are linked from the concept and listed in the docs."""
        return Response(
            {
                "resources": {
                    key: reverse(name, request=request) for key, name in RESOURCES.items()
                },
                "docs": {key: reverse(name, request=request) for key, name in DOCS.items()},
            }
        )
