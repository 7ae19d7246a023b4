"""``GET /api/v1/search/?q=&type=``: the ranked search, paginated like every list."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import permissions, serializers
from rest_framework.views import APIView

from kbapi.http.links import object_url
from kbapi.http.pagination import CollectionSerializer, PageNumberPagination
from kbapi.http.params import split_list

from .engine import KINDS, search
from .models import SearchDocument

MAX_QUERY_LENGTH = 200
_KIND = rf"\s*(?:{'|'.join(KINDS)})\s*"
KINDS_PATTERN = rf"^{_KIND}(?:,{_KIND})*$"  # one ``type`` value: kinds, comma-separated


class KindListField(serializers.ListField):
    """``type`` given repeated (``type=a&type=b``) or comma-separated (``type=a,b``)."""

    child = serializers.CharField()

    def to_internal_value(self, data):
        kinds = split_list(super().to_internal_value(data), keep_blanks=True)
        unknown = sorted({kind for kind in kinds if kind not in KINDS})
        if unknown:
            raise serializers.ValidationError(
                f"Unknown type {', '.join(unknown)}; use {', '.join(KINDS)}."
            )
        return kinds


class SearchParamsSerializer(serializers.Serializer):
    q = serializers.CharField(max_length=MAX_QUERY_LENGTH, trim_whitespace=True)
    type = KindListField(required=False, allow_empty=False)


class SearchHitSerializer(serializers.Serializer):
    type = serializers.ChoiceField(
        choices=SearchDocument.Kind.choices, help_text="What kind of object matched."
    )
    slug = serializers.CharField()
    title = serializers.CharField()
    rank = serializers.FloatField(help_text="Relevance; higher is better.")
    snippet = serializers.CharField(
        help_text="An excerpt as plain text on one line: no HTML (nothing escaped), no "
        "Markdown; escape it as any text when you show it."
    )
    highlights = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField(), min_length=2, max_length=2),
        help_text="Where the query matched in `snippet`: `[start, end]` pairs, end exclusive, "
        "in order, counted in Unicode code points (Python's string indices; in JavaScript "
        "index `Array.from(snippet)`), so `snippet[start:end]` is a match.",
    )
    url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, hit) -> str:
        return object_url(self.context["request"], f"{hit.type}-detail", hit.slug, keep_format=True)


class SearchPageSerializer(CollectionSerializer):
    """A page of search hits, and the term meant when the query looked misspelt."""

    count = serializers.IntegerField(help_text="Number of hits (at most 1000).")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = SearchHitSerializer(many=True)
    suggestion = serializers.CharField(
        allow_null=True,
        help_text="When the query looks misspelt: the name it most likely meant, else null.",
    )


class SearchView(APIView):
    """One ranked search over concepts, examples and comparisons."""

    pagination_class = PageNumberPagination
    permission_classes = [permissions.AllowAny]  # a read of public knowledge, GET only

    @extend_schema(
        operation_id="search",
        summary="Search the knowledge base",
        description=(
            "Every word must match (the last one as a prefix), in any order. Names and "
            "aliases outrank summaries, which outrank the rest of the text. When nothing "
            "matches, names within a small typo of the query are returned and the most "
            "likely one is given as `suggestion`. A hit's `snippet` is plain text (no HTML, "
            "no Markdown) and `highlights` gives the matches in it as `[start, end]` code "
            "point offsets."
        ),
        parameters=[
            OpenApiParameter(
                "q",
                # trimmed, it must keep a character: all blanks is no query
                {"type": "string", "minLength": 1, "maxLength": MAX_QUERY_LENGTH, "pattern": r"\S"},
                required=True,
                description=f"What to look for (1 to {MAX_QUERY_LENGTH} characters).",
            ),
            OpenApiParameter(
                "type",
                {"type": "array", "items": {"type": "string", "pattern": KINDS_PATTERN}},
                explode=True,
                enum=KINDS,
                description=(
                    f"Only these kinds of result ({', '.join(KINDS)}); repeat it or separate "
                    "kinds by commas."
                ),
            ),
            OpenApiParameter(
                "page",
                {"type": "integer", "minimum": 1},
                description=PageNumberPagination.page_query_description,
            ),
            OpenApiParameter(
                "page_size", int, description=PageNumberPagination.page_size_query_description
            ),
        ],
        responses=SearchPageSerializer,
    )
    def get(self, request):
        params = SearchParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        outcome = search(params.validated_data["q"], params.validated_data.get("type", KINDS))
        paginator = self.pagination_class()
        page = outcome.with_snippets(paginator.paginate_queryset(outcome.hits, request, view=self))
        hits = SearchHitSerializer(page, many=True, context={"request": request}).data
        response = paginator.get_paginated_response(hits)
        response.data["suggestion"] = outcome.suggestion
        return response
