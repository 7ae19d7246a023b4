"""Discovery endpoints: neighbours, learning path, path, graph, compare, advisor.

Read-only views: they check and parse the query parameters, call one read
of ``discovery.queries`` and shape its answer. Any bad parameter is a 400
in the shared error shape, naming the parameter.
"""

import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from concepts.jsonld import JSONLDRenderer, graph_document
from concepts.traits import FACTORS
from discovery import compare
from discovery import queries as discovery
from discovery.api import serializers as shapes
from discovery.formats import DotRenderer, MermaidRenderer
from discovery.queries import BadQuery
from kbapi.core.models import SLUG_MAX_LENGTH, SLUG_PATTERN
from kbapi.http.params import split_list
from kbapi.http.renderers import JSONRenderer
from kbapi.http.viewsets import JSONOptionsMixin
from relations.models import Relation

MAX_DEPTH = 3
MAX_SLUGS = 200
MAX_Q_LENGTH = 500
INTEGER = re.compile(r"[0-9]{1,9}")
TYPES = Relation.Type.values
FORMATS = ("json", "mermaid", "dot", "jsonld")

# The schema of slug parameters: what ``slugs_checked`` lets through (trimmed, blanks
# dropped). That a slug names a stored concept cannot be said in OpenAPI 3.0.
_SLUG = rf"\s*{SLUG_PATTERN.pattern}\s*"


def slug_schema(*, required: bool) -> dict:
    """One slug; an empty value is the parameter left out unless ``required``."""
    slug = _SLUG if required else rf"(?:{_SLUG})?\s*"
    return {"type": "string", "pattern": rf"^{slug}$", "minLength": 1 if required else 0}


def slug_list_schema(low: int = 0, high: int = MAX_SLUGS) -> dict:
    """A comma-separated list of ``low`` to ``high`` slugs (an empty list when ``low`` is 0)."""
    if low == 0:
        item = rf"(?:{_SLUG})?\s*"
        return {"type": "string", "pattern": rf"^{item}(?:,{item}){{0,{high - 1}}}$"}
    pattern = rf"^{_SLUG}(?:,{_SLUG}){{{low - 1},{high - 1}}}$"
    return {"type": "string", "pattern": pattern, "minLength": 2 * low - 1}


# --- query parameters -------------------------------------------------------------------


def depth_param(request, *, default: int = 1) -> int:
    raw = request.query_params.get("depth")
    if raw is None:
        return default
    if not INTEGER.fullmatch(raw) or not 1 <= int(raw) <= MAX_DEPTH:
        raise BadQuery("depth", f"depth must be a whole number from 1 to {MAX_DEPTH}.")
    return int(raw)


def list_param(request, name: str) -> list[str]:
    """A list given as repeated and/or comma-separated values, blanks dropped, order kept."""
    items = split_list(request.query_params.getlist(name))
    if len(items) > MAX_SLUGS:
        raise BadQuery(name, f"{name} takes at most {MAX_SLUGS} values.")
    return items


def slugs_checked(name: str, slugs: list[str], kind: str = "concept") -> list[str]:
    """``slugs``, unless one cannot be a slug at all (it is then unknown, without a query)."""
    bad = [s for s in slugs if len(s) > SLUG_MAX_LENGTH or not SLUG_PATTERN.fullmatch(s)]
    if bad:
        raise BadQuery(name, f"Unknown {kind} slug(s): {', '.join(map(repr, bad))}.")
    return slugs


def optional_slug(request, name: str, kind: str = "concept") -> str | None:
    value = request.query_params.get(name, "").strip()
    return slugs_checked(name, [value], kind)[0] if value else None


def types_param(request) -> list[str]:
    if any(not raw.strip() for raw in request.query_params.getlist("type")):
        # a relation type is a choice, and an empty choice is a 400 (as in kbapi.http.filters)
        raise BadQuery("type", "Name a relation type, or leave the parameter out.")
    types = sorted(set(list_param(request, "type")))
    unknown = [t for t in types if t not in TYPES]
    if unknown:
        raise BadQuery(
            "type", f"Unknown relation type(s): {', '.join(unknown)}; one of: {', '.join(TYPES)}."
        )
    return types


def required_slug(request, name: str) -> str:
    value = optional_slug(request, name)
    if value is None:
        raise BadQuery(name, f"The {name} parameter is required.")
    return value


def slugs_param(request, name: str) -> list[str]:
    """Concept slugs given as a list (see ``list_param``), each checked by ``slugs_checked``."""
    return slugs_checked(name, list_param(request, name))


def slug_list_param(request, name: str, *, low: int, high: int) -> list[str]:
    slugs = slugs_param(request, name)
    if len(set(slugs)) != len(slugs):
        raise BadQuery(name, f"Name each concept in {name} once.")
    if not low <= len(slugs) <= high:
        raise BadQuery(name, f"{name} takes {low} to {high} concept slugs, comma-separated.")
    return slugs


DEPTH = OpenApiParameter(
    "depth",
    OpenApiTypes.INT,
    description=f"How many relations away to go: 1 to {MAX_DEPTH} (default 1).",
    enum=list(range(1, MAX_DEPTH + 1)),
)
TYPE = OpenApiParameter(
    "type",
    OpenApiTypes.STR,
    many=True,
    explode=True,
    enum=TYPES,
    description="Walk only relations of these types; repeat it or separate with commas.",
)
SLUG = OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH)


class DiscoveryView(JSONOptionsMixin, APIView):
    """Base of the read-only discovery endpoints (public, GET only)."""

    permission_classes = [AllowAny]
    http_method_names = ["get", "head", "options"]

    def respond(self, serializer_class, answer) -> Response:
        """``answer`` in the endpoint's shape (links absolute to this request)."""
        return Response(serializer_class(answer, context={"request": self.request}).data)


# --- neighbours, learning path, path -------------------------------------------------


class NeighborsView(DiscoveryView):
    """The concepts reached from a concept by relations in either direction, within a depth."""

    @extend_schema(
        operation_id="concepts_neighbors",
        summary="Neighbours of a concept",
        parameters=[SLUG, DEPTH, TYPE],
        responses=shapes.NeighborsSerializer,
    )
    def get(self, request, slug: str):
        """Concepts within `depth` relations (either direction), nearest first, each with the
        edges that reach it from a concept one relation nearer and the direction the walk
        crossed them (`forward`: from source to target)."""
        answer = discovery.neighbors(
            slug=slug, depth=depth_param(request), types=types_param(request)
        )
        return self.respond(shapes.NeighborsSerializer, answer)


class LearningPathView(DiscoveryView):
    """The prerequisites of a concept, in an order to learn them."""

    @extend_schema(
        operation_id="concepts_learning_path",
        summary="Learning path to a concept",
        parameters=[
            SLUG,
            OpenApiParameter(
                "known",
                slug_list_schema(),
                description="Concepts the reader already knows, comma-separated slugs.",
            ),
        ],
        responses=shapes.LearningPathSerializer,
    )
    def get(self, request, slug: str):
        """Every transitive prerequisite (`A prerequisite-of B`: learn A before B), each after
        its own prerequisites; ties are broken by slug. Concepts in `known` are left out, and so
        is whatever is needed only for them: knowing a concept counts as knowing what it
        builds on. An unknown slug in `known` is a 400."""
        known = slugs_param(request, "known")
        answer = discovery.learning_path_for(slug=slug, known=known)
        return self.respond(shapes.LearningPathSerializer, answer)


class PathView(DiscoveryView):
    """The shortest chain of relations between two concepts."""

    @extend_schema(
        operation_id="graph_path",
        summary="Shortest path between two concepts",
        parameters=[
            OpenApiParameter(
                "from", slug_schema(required=True), required=True, description="Concept slug."
            ),
            OpenApiParameter(
                "to", slug_schema(required=True), required=True, description="Concept slug."
            ),
            TYPE,
        ],
        responses=shapes.PathSerializer,
    )
    def get(self, request):
        """The fewest relations leading from `from` to `to`, crossing edges either way; each
        edge says whether it was followed `forward` (source to target) or `backward`.
        `from` equal to `to` is a path of length 0; no chain at all is a 404 (`no_path`)."""
        source, target = required_slug(request, "from"), required_slug(request, "to")
        answer = discovery.path(source=source, target=target, types=types_param(request))
        return Response(shapes.path_data(answer, request))


# --- the graph --------------------------------------------------------------------------


GRAPH_PARAMETERS = [
    OpenApiParameter("category", slug_schema(required=False), description="Only this category."),
    OpenApiParameter(
        "around", slug_schema(required=False), description="Only concepts near this one (slug)."
    ),
    OpenApiParameter(
        "depth",
        OpenApiTypes.INT,
        enum=list(range(1, MAX_DEPTH + 1)),
        description="With `around`: how many relations away (1 to 3, default 1).",
    ),
    TYPE,
]


class GraphView(DiscoveryView):
    """The concept graph as JSON for a frontend, Mermaid or DOT for people, or SKOS JSON-LD."""

    renderer_classes = [JSONRenderer, MermaidRenderer, DotRenderer, JSONLDRenderer]

    def perform_content_negotiation(self, request, force=False):
        wanted = request.query_params.get("format")
        if wanted is not None and wanted not in FORMATS and not force:
            raise BadQuery("format", f"format must be one of: {', '.join(FORMATS)}.")
        return super().perform_content_negotiation(request, force)

    @extend_schema(
        operation_id="graph_retrieve",
        summary="The concept graph",
        parameters=[
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=FORMATS,
                description="`json` (default): the concepts as `results`, and `edges`; "
                "`mermaid`: a Mermaid flowchart; `dot`: Graphviz DOT; `jsonld`: SKOS concepts in "
                "JSON-LD (without `category`, `around` and `type`: the whole scheme in one "
                "document, top concepts declared).",
            ),
            *GRAPH_PARAMETERS,
        ],
        responses={
            (200, "application/json"): shapes.GraphSerializer,
            (200, "text/plain"): OpenApiResponse(OpenApiTypes.STR, description="Mermaid"),
            (200, "text/vnd.graphviz"): OpenApiResponse(OpenApiTypes.STR, description="DOT"),
            (200, "application/ld+json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="SKOS JSON-LD"
            ),
        },
    )
    def get(self, request):
        """Concepts and the relations among them, optionally only one `category` and/or only
        within `depth` relations of `around` (walked in either direction). Edges are those
        whose both ends are shown."""
        around = optional_slug(request, "around")
        if "depth" in request.query_params and around is None:
            raise BadQuery("depth", "depth applies only together with around.")
        jsonld = request.accepted_renderer.format == "jsonld"
        category = optional_slug(request, "category", kind="category")
        types = types_param(request)
        selection = discovery.graph(
            category=category,
            around=around,
            depth=depth_param(request),
            types=types,
            detail=jsonld,
        )
        answer = {"results": selection.nodes, "edges": selection.edges}
        data = shapes.GraphSerializer(answer, context={"request": request}).data
        if jsonld:
            whole = not (category or around or types)
            nodes = [
                {**node, **raw} for node, raw in zip(data["results"], selection.nodes, strict=True)
            ]
            return Response(graph_document(nodes, data["edges"], request, whole=whole))
        if request.accepted_renderer.format in ("mermaid", "dot"):
            # the text formats draw the concepts as nodes (discovery.formats)
            return Response({"nodes": data["results"], "edges": data["edges"]})
        return Response(data)


def graph_in(fmt: str, renderer, response, summary: str) -> type[GraphView]:
    """``GET /graph/<fmt>/``: the graph in one format, as an operation of its own.

    ``/graph/?format=`` answers four media types from one operation, and a generated client
    types an operation's answer by its status alone (openapi-python-client reads the first
    media type): each format here has one answer, typed, for such clients.
    """

    class FormatView(GraphView):
        renderer_classes = [renderer]

        def perform_content_negotiation(self, request, force=False):
            return super().perform_content_negotiation(request, force=True)  # this format

        @extend_schema(
            operation_id=f"graph_{fmt}",
            summary=summary,
            parameters=GRAPH_PARAMETERS,
            responses={(200, renderer.media_type): response},
        )
        def get(self, request):
            """The same graph as `GET /api/v1/graph/?format=...`, with the same parameters."""
            return super().get(request)

    FormatView.__name__ = FormatView.__qualname__ = f"Graph{fmt.title()}View"
    return FormatView


GraphMermaidView = graph_in(
    "mermaid", MermaidRenderer, OpenApiResponse(OpenApiTypes.STR), "The graph as Mermaid"
)
GraphDotView = graph_in("dot", DotRenderer, OpenApiResponse(OpenApiTypes.STR), "The graph as DOT")
GraphJsonldView = graph_in(
    "jsonld", JSONLDRenderer, OpenApiResponse(OpenApiTypes.OBJECT), "The graph as SKOS JSON-LD"
)


# --- compare and advisor ----------------------------------------------------------------


class CompareView(DiscoveryView):
    """An ad-hoc comparison matrix of any concepts."""

    @extend_schema(
        operation_id="compare",
        summary="Compare concepts",
        parameters=[
            OpenApiParameter(
                "concepts",
                slug_list_schema(compare.MIN_CONCEPTS, compare.MAX_CONCEPTS),
                required=True,
                description=f"{compare.MIN_CONCEPTS} to {compare.MAX_CONCEPTS} distinct concept "
                "slugs, comma-separated; they become the columns in this order.",
            )
        ],
        responses=shapes.CompareSerializer,
    )
    def get(self, request):
        """Aspects (rows) by concepts (columns). A curated comparison covering every concept
        asked for gives the first rows (its aspects, only these columns) and is named in
        `comparison`; then come the concepts' category, summary, advantages, limitations,
        use cases and example systems."""
        slugs = slug_list_param(
            request, "concepts", low=compare.MIN_CONCEPTS, high=compare.MAX_CONCEPTS
        )
        answer = discovery.compare_concepts(slugs=slugs)
        return self.respond(shapes.CompareSerializer, answer)


FACTOR_PARAMETERS = [
    OpenApiParameter(
        factor,
        OpenApiTypes.STR,
        many=True,
        explode=False,
        enum=list(values) if values else None,
        description=f"Requirement: {factor.replace('_', ' ')}"
        + ("" if values else " (the uses the content names, e.g. `session-store`, `oltp`)")
        + "; comma-separated for several.",
    )
    for factor, values in FACTORS.items()
]


class AdvisorView(DiscoveryView):
    """Which database type fits given requirements, with reasons from the stored knowledge."""

    @extend_schema(
        operation_id="advisor",
        summary="Database advisor",
        parameters=[
            OpenApiParameter(
                "q",
                {"type": "string", "maxLength": MAX_Q_LENGTH},
                description="The need in plain words, e.g. `user session cache`, `social network`.",
            ),
            *FACTOR_PARAMETERS,
        ],
        responses=shapes.AdvisorSerializer,
    )
    def get(self, request):
        """Give requirements as factors (`data_structure=semi-structured&latency=low`) and/or
        plain words (`q=user session cache`, matched against the traits' keywords). Each
        database type that has traits is scored by adding the fits (-2..2) of its traits that
        answer a requirement; `reasons` quote those traits. At least one requirement must be
        recognised."""
        q = request.query_params.get("q", "")
        if len(q) > MAX_Q_LENGTH:
            raise BadQuery("q", f"q is at most {MAX_Q_LENGTH} characters.")
        structured = {f: v for f in FACTORS if (v := list_param(request, f))}
        answer = discovery.advise(structured=structured, q=q)
        return Response(shapes.advice_data(answer, request))
