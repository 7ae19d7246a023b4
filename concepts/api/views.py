"""Viewsets of categories, tags, concepts and examples."""

from functools import partial

from django.http import Http404
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.settings import api_settings

from concepts import selectors, services
from concepts.filters import CategoryFilter, ConceptFilter, ExampleFilter, TagFilter
from concepts.jsonld import JSONLDRenderer
from concepts.models import Concept
from history.api import HistoryMixin
from kbapi.http.links import object_url
from kbapi.http.viewsets import ServiceModelViewSet

from . import serializers

PAGING = {"page", "page_size"}


class CategoryViewSet(ServiceModelViewSet):
    """Broad kinds of concept: database type, data model, design pattern, practice, ..."""

    queryset = selectors.category_list()
    serializer_class = serializers.CategorySerializer
    filterset_class = CategoryFilter
    search_fields = ["name", "description"]
    ordering_fields = ["name", "slug", "concept_count", "updated_at"]
    writes = services.CATEGORY_WRITES


class TagViewSet(ServiceModelViewSet):
    """Free labels across categories (week-1, nosql, deployment, ...)."""

    queryset = selectors.tag_list()
    serializer_class = serializers.TagSerializer
    filterset_class = TagFilter
    search_fields = ["name", "slug"]
    ordering_fields = ["name", "slug", "concept_count", "updated_at"]
    writes = services.TAG_WRITES


class ConceptViewSet(HistoryMixin, ServiceModelViewSet):
    """Concepts of the course notes: brief in lists, in full with examples and relations."""

    queryset = selectors.concept_list()
    serializer_class = serializers.ConceptSerializer
    filterset_class = ConceptFilter
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, JSONLDRenderer]
    search_fields = ["name", "summary"]
    ordering_fields = ["name", "slug", "created_at", "updated_at"]
    writes = services.CONCEPT_WRITES
    brief_serializer_class = serializers.ConceptBriefSerializer
    list_selector = selectors.concept_list
    detail_selector = selectors.concept_detail

    def list(self, request, *args, **kwargs):
        if not self.plain_brief_list(request):
            return super().list(request, *args, **kwargs)
        if set(request.query_params) <= PAGING:
            rows = selectors.AllConceptRows()
        else:
            rows = selectors.concept_brief_rows(self.filter_queryset(Concept.objects.all()))
        page = self.paginate_queryset(rows)
        prefix = request.build_absolute_uri(reverse("concept-list"))
        return self.get_paginated_response(selectors.concept_brief_page(page, url_prefix=prefix))

    def retrieve(self, request, *args, **kwargs):
        if request.query_params or request.accepted_renderer.format != "json":
            return super().retrieve(request, *args, **kwargs)
        found = selectors.concept_detail_plain(
            kwargs[self.lookup_field], url_for=partial(object_url, request)
        )
        if found is None:
            raise Http404("No Concept matches the given query.")
        self.conditional_object, data = found
        return Response(data)

    def representation(self, instance) -> dict:
        if self.request.query_params or self.request.accepted_renderer.format != "json":
            return super().representation(instance)
        found = selectors.concept_detail_plain(
            instance.slug, url_for=partial(object_url, self.request)
        )
        self.conditional_object, data = found
        return data

    @staticmethod
    def plain_brief_list(request) -> bool:
        """The brief JSON list with no reshaping asked for: served from plain rows."""
        reshaping = {"fields", "expand", "format"} & set(request.query_params)
        return not reshaping and request.accepted_renderer.format == "json"


class ExampleViewSet(HistoryMixin, ServiceModelViewSet):
    """Real systems, code snippets and use cases, each tied to the concepts it shows."""

    queryset = selectors.example_list()
    serializer_class = serializers.ExampleSerializer
    filterset_class = ExampleFilter
    search_fields = ["name", "description"]
    ordering_fields = ["name", "slug", "kind", "updated_at"]
    writes = services.EXAMPLE_WRITES
    brief_serializer_class = serializers.ExampleBriefSerializer
    list_selector = selectors.example_list
    detail_selector = selectors.example_detail
