"""Viewsets of relations and comparisons."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from history.api import HistoryMixin
from kbapi.http.pagination import collection
from kbapi.http.viewsets import JSONOptionsMixin, ServiceModelViewSet
from relations import selectors, services
from relations.filters import ComparisonFilter, RelationFilter
from relations.models import Relation

from . import serializers

KEY_PARAMETER = OpenApiParameter(
    "key",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="The edge as `source--type--target`, e.g. `key-value-store--is-a--non-relational-database`.",
)


@extend_schema_view(
    retrieve=extend_schema(parameters=[KEY_PARAMETER]),
    update=extend_schema(parameters=[KEY_PARAMETER]),
    partial_update=extend_schema(parameters=[KEY_PARAMETER]),
    destroy=extend_schema(parameters=[KEY_PARAMETER]),
    history=extend_schema(parameters=[KEY_PARAMETER]),
    revert=extend_schema(parameters=[KEY_PARAMETER]),
)
class RelationViewSet(HistoryMixin, ServiceModelViewSet):
    """Typed, directed edges between concepts, addressed by `source--type--target`."""

    queryset = selectors.relation_list()
    serializer_class = serializers.RelationSerializer
    filterset_class = RelationFilter
    search_fields = ["note", "source__name", "target__name"]
    ordering_fields = ["type", "source__slug", "target__slug", "updated_at"]
    lookup_field = "key"
    lookup_value_regex = r"[a-z0-9-]+"
    writes = services.RELATION_WRITES
    detail_selector = selectors.relation_list

    def history_lookup(self) -> dict:
        lookup = selectors.relation_by_key(self.kwargs["key"])
        if lookup is None:
            raise Http404("A relation key has the form source--type--target.")
        return lookup

    def get_object(self):
        lookup = selectors.relation_by_key(self.kwargs["key"])
        if lookup is None:
            raise Http404("A relation key has the form source--type--target.")
        relation = self.get_queryset().filter(**lookup).first()
        if relation is None:
            raise Http404("No relation has that key.")
        self.check_object_permissions(self.request, relation)
        return relation


class ComparisonViewSet(HistoryMixin, ServiceModelViewSet):
    """Curated side-by-side comparisons: aspects (rows) by concepts (columns), and a verdict."""

    queryset = selectors.comparison_detail()
    serializer_class = serializers.ComparisonSerializer
    filterset_class = ComparisonFilter
    search_fields = ["title", "summary"]
    ordering_fields = ["title", "slug", "updated_at"]
    writes = services.COMPARISON_WRITES
    brief_serializer_class = serializers.ComparisonBriefSerializer
    list_selector = selectors.comparison_list
    detail_selector = selectors.comparison_detail

    def history_value(self, field: str, value):
        if field == "aspects":  # recorded as the services take them: one text per cell
            return [{**aspect, "values": serializers.cells(aspect["values"])} for aspect in value]
        return value


class RelationTypesView(JSONOptionsMixin, APIView):
    """The types a relation can have, each with the label that reads it out."""

    permission_classes = [AllowAny]
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        operation_id="relation_types_list",
        summary="Relation types",
        responses=serializers.RelationTypesSerializer,
    )
    def get(self, request):
        """Every relation type: its `slug` (the `type` of relations and edges everywhere)
        and its `label`, which reads `source --type--> target` as a sentence ("key-value
        store *is a* non-relational database"); in the order of the `RelationTypeEnum`."""
        return Response(
            collection([{"slug": slug, "label": label} for slug, label in Relation.Type.choices])
        )
