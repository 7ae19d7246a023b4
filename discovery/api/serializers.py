"""Shapes of the discovery answers: neighbours, learning path, path, graph, compare, advisor."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from concepts.traits import FACTORS
from discovery.graph import BACKWARD, FORWARD
from kbapi.http.links import object_url
from relations.models import Relation


@extend_schema_field(OpenApiTypes.URI)
class SlugUrlField(serializers.Field):
    """The absolute URL of the object whose slug is at ``source`` (``slug`` by default)."""

    def __init__(self, view_name: str, **kwargs):
        self.view_name = view_name
        kwargs.setdefault("source", "slug")
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        return object_url(self.context.get("request"), self.view_name, value)


def renamed(fields: dict, **names) -> dict:
    """``fields`` with keys renamed (for output names that are Python keywords)."""
    return {names.get(key, key): field for key, field in fields.items()}


class ConceptNodeSerializer(serializers.Serializer):
    """A concept as the graph shows it."""

    slug = serializers.CharField()
    name = serializers.CharField()
    category = serializers.CharField(help_text="Category slug.")
    url = SlugUrlField("concept-detail")


class GraphEdgeSerializer(serializers.Serializer):
    """A relation ``source --type--> target``, by concept slugs."""

    source = serializers.CharField()
    type = serializers.ChoiceField(choices=Relation.Type.choices)
    target = serializers.CharField()


class WalkedEdgeSerializer(GraphEdgeSerializer):
    """A relation as a walk crossed it: ``forward`` from source to target, else ``backward``."""

    direction = serializers.ChoiceField(choices=[FORWARD, BACKWARD])


class NeighborSerializer(ConceptNodeSerializer):
    distance = serializers.IntegerField(help_text="Relations between it and the concept.")
    edges = WalkedEdgeSerializer(
        many=True, help_text="The edges that reach it from a concept one relation nearer."
    )


class NeighborsSerializer(serializers.Serializer):
    concept = ConceptNodeSerializer()
    depth = serializers.IntegerField()
    types = serializers.ListField(
        child=serializers.CharField(),
        help_text="The relation types walked; empty means all.",
    )
    count = serializers.SerializerMethodField()
    results = NeighborSerializer(many=True)

    def get_count(self, data) -> int:
        return len(data["results"])


class LearningStepSerializer(ConceptNodeSerializer):
    position = serializers.IntegerField(help_text="1 for the first concept to learn.")
    prerequisites = serializers.ListField(
        child=serializers.CharField(),
        help_text="Its direct prerequisites within this path (each comes earlier).",
    )


class LearningPathSerializer(serializers.Serializer):
    concept = ConceptNodeSerializer()
    known = serializers.ListField(child=serializers.CharField())
    count = serializers.SerializerMethodField()
    steps = LearningStepSerializer(many=True)

    def get_count(self, data) -> int:
        return len(data["steps"])


class PathSerializer(serializers.Serializer):
    from_ = ConceptNodeSerializer()
    to = ConceptNodeSerializer()
    length = serializers.IntegerField(help_text="Number of relations on the path.")
    concepts = ConceptNodeSerializer(many=True, help_text="From `from` to `to`, in order.")
    edges = WalkedEdgeSerializer(many=True, help_text="The relations between them, in order.")

    def get_fields(self):
        return renamed(super().get_fields(), from_="from")


class GraphSerializer(serializers.Serializer):
    nodes = ConceptNodeSerializer(many=True)
    edges = GraphEdgeSerializer(many=True)


class ColumnSerializer(serializers.Serializer):
    url = SlugUrlField("concept-detail")
    slug = serializers.CharField()
    name = serializers.CharField()


class CuratedComparisonSerializer(serializers.Serializer):
    url = SlugUrlField("comparison-detail")
    slug = serializers.CharField()
    title = serializers.CharField()


class MatrixRowSerializer(serializers.Serializer):
    name = serializers.CharField()
    source = serializers.ChoiceField(
        choices=["comparison", "concept"],
        help_text="`comparison`: a curated aspect; `concept`: the concepts' own attributes.",
    )
    values = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Per concept slug, the texts of its cell (empty when it says nothing).",
    )


class CompareSerializer(serializers.Serializer):
    concepts = ColumnSerializer(many=True, help_text="The columns, in the order asked.")
    comparison = CuratedComparisonSerializer(
        allow_null=True, help_text="The curated comparison whose aspects come first, if any."
    )
    aspects = MatrixRowSerializer(many=True)


class RequirementSerializer(serializers.Serializer):
    factor = serializers.ChoiceField(choices=list(FACTORS))
    value = serializers.CharField()
    matched = serializers.ListField(
        child=serializers.CharField(),
        help_text="The words of `q` that named it; empty for structured parameters.",
    )


class ReasonSerializer(serializers.Serializer):
    factor = serializers.ChoiceField(choices=list(FACTORS))
    value = serializers.CharField()
    fit = serializers.IntegerField(min_value=-2, max_value=2)
    reason = serializers.CharField(help_text="The stored trait's reason.")


class ReasonsSerializer(serializers.Serializer):
    for_ = ReasonSerializer(many=True, source="reasons_for")
    against = ReasonSerializer(many=True, source="reasons_against")

    def get_fields(self):
        return renamed(super().get_fields(), for_="for")


class ExampleSystemSerializer(serializers.Serializer):
    url = SlugUrlField("example-detail")
    slug = serializers.CharField()
    name = serializers.CharField()


class AdviceSerializer(serializers.Serializer):
    slug = serializers.CharField(source="candidate.slug")
    name = serializers.CharField(source="candidate.name")
    url = SlugUrlField("concept-detail", source="candidate.slug")
    score = serializers.IntegerField(help_text="Sum of the fits of the traits that answer.")
    reasons = ReasonsSerializer(source="*")
    examples = ExampleSystemSerializer(
        many=True, source="candidate.examples", help_text="Example systems of this type."
    )


class AdvisorSerializer(serializers.Serializer):
    requirements = RequirementSerializer(many=True)
    results = AdviceSerializer(many=True)


# --- the same shapes as plain dicts, for the hottest discovery reads ---------------------
# The serializers above document the answers (the schema) and shape the rest; a path and
# an advice are built here without serializer fields, which were a fifth of their cost
# (docs/PERFORMANCE.md). tests/discovery/test_plain_shapes.py holds both equal.


def node_data(node: dict, request) -> dict:
    slug = node["slug"]
    return {
        "slug": slug,
        "name": node["name"],
        "category": node["category"],
        "url": object_url(request, "concept-detail", slug),
    }


def path_data(answer: dict, request) -> dict:
    """``PathSerializer(answer).data``, built directly."""
    return {
        "from": node_data(answer["from"], request),
        "to": node_data(answer["to"], request),
        "length": answer["length"],
        "concepts": [node_data(node, request) for node in answer["concepts"]],
        "edges": [
            {k: edge[k] for k in ("source", "type", "target", "direction")}
            for edge in answer["edges"]
        ],
    }


def _reason_data(reason) -> dict:
    return {
        "factor": reason.factor,
        "value": reason.value,
        "fit": reason.fit,
        "reason": reason.reason,
    }


def advice_data(answer: dict, request) -> dict:
    """``AdvisorSerializer(answer).data``, built directly."""
    return {
        "requirements": [
            {"factor": r.factor, "value": r.value, "matched": list(r.matched)}
            for r in answer["requirements"]
        ],
        "results": [
            {
                "slug": advice.candidate.slug,
                "name": advice.candidate.name,
                "url": object_url(request, "concept-detail", advice.candidate.slug),
                "score": advice.score,
                "reasons": {
                    "for": [_reason_data(r) for r in advice.reasons_for],
                    "against": [_reason_data(r) for r in advice.reasons_against],
                },
                "examples": [
                    {
                        "url": object_url(request, "example-detail", example["slug"]),
                        "slug": example["slug"],
                        "name": example["name"],
                    }
                    for example in advice.candidate.examples
                ],
            }
            for advice in answer["results"]
        ],
    }
