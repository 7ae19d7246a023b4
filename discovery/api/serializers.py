"""Shapes of the discovery answers: neighbours, learning path, path, graph, compare, advisor."""

from rest_framework import serializers

from concepts.api.serializers import (
    ComparisonRefSerializer,
    ConceptStubSerializer,
    ExampleRefSerializer,
)
from concepts.stub import concept_stub
from concepts.traits import FACTORS
from discovery.graph import BACKWARD, FORWARD
from kbapi.http.links import object_url
from kbapi.http.pagination import CollectionSerializer, collection
from relations.models import Relation


def renamed(fields: dict, **names) -> dict:
    """``fields`` with keys renamed (for output names that are Python keywords)."""
    return {names.get(key, key): field for key, field in fields.items()}


class GraphEdgeSerializer(serializers.Serializer):
    """A relation ``source --type--> target``, by concept slugs."""

    source = serializers.CharField()
    type = serializers.ChoiceField(choices=Relation.Type.choices)
    target = serializers.CharField()


class WalkedEdgeSerializer(GraphEdgeSerializer):
    """A relation as a walk crossed it: ``forward`` from source to target, else ``backward``."""

    direction = serializers.ChoiceField(choices=[FORWARD, BACKWARD])


class NeighborSerializer(ConceptStubSerializer):
    """A concept reached by the walk: its stub, then how far and by which edges."""

    distance = serializers.IntegerField(help_text="Relations between it and the concept.")
    edges = WalkedEdgeSerializer(
        many=True, help_text="The edges that reach it from a concept one relation nearer."
    )


class NeighborsSerializer(CollectionSerializer):
    """The concepts within a depth of a concept, as a collection served whole."""

    results = NeighborSerializer(many=True, help_text="Nearest first.")
    concept = ConceptStubSerializer(help_text="The concept walked from.")
    depth = serializers.IntegerField()
    types = serializers.ListField(
        child=serializers.CharField(),
        help_text="The relation types walked; empty means all.",
    )


class LearningStepSerializer(ConceptStubSerializer):
    position = serializers.IntegerField(help_text="1 for the first concept to learn.")
    prerequisites = serializers.ListField(
        child=serializers.CharField(),
        help_text="Its direct prerequisites within this path (each comes earlier).",
    )


class LearningPathSerializer(CollectionSerializer):
    """The prerequisites of a concept in an order to learn them, as a collection."""

    results = LearningStepSerializer(many=True, help_text="The concepts to learn, in order.")
    concept = ConceptStubSerializer(help_text="The concept to learn in the end.")
    known = serializers.ListField(child=serializers.CharField())


class PathSerializer(CollectionSerializer):
    """The concepts on the shortest path, in order, and the relations between them."""

    results = ConceptStubSerializer(
        many=True, help_text="The concepts on the path, from `from` to `to`, in order."
    )
    from_ = ConceptStubSerializer()
    to = ConceptStubSerializer()
    length = serializers.IntegerField(help_text="Number of relations on the path.")
    edges = WalkedEdgeSerializer(many=True, help_text="The relations between them, in order.")

    def get_fields(self):
        return renamed(super().get_fields(), from_="from")


class GraphSerializer(CollectionSerializer):
    """The concepts of the graph as a collection, and the relations among them (`edges`)."""

    results = ConceptStubSerializer(many=True, help_text="The concepts (the graph's nodes).")
    edges = GraphEdgeSerializer(many=True, help_text="The relations whose both ends are shown.")


class MatrixRowSerializer(serializers.Serializer):
    name = serializers.CharField()
    source = serializers.ChoiceField(
        choices=["comparison", "concept"],
        help_text="`comparison`: a curated aspect; `concept`: the concepts' own attributes.",
    )
    values = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Per concept slug, its cell: a list of texts (empty when it says nothing), "
        "as in a comparison's aspects.",
    )


class CompareSerializer(CollectionSerializer):
    """A comparison matrix: its rows (aspects) as a collection, its columns (`concepts`)."""

    results = MatrixRowSerializer(many=True, help_text="The rows (aspects), in order.")
    concepts = ConceptStubSerializer(many=True, help_text="The columns, in the order asked.")
    comparison = ComparisonRefSerializer(
        allow_null=True, help_text="The curated comparison whose aspects come first, if any."
    )


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


class AdviceSerializer(ConceptStubSerializer):
    """A database type (its concept's stub) with its score and the reasons for it."""

    stub_source = "candidate"
    score = serializers.IntegerField(help_text="Sum of the fits of the traits that answer.")
    reasons = ReasonsSerializer(source="*")
    examples = ExampleRefSerializer(
        many=True, source="candidate.examples", help_text="Example systems of this type."
    )


class AdvisorSerializer(CollectionSerializer):
    """The database types ranked for the requirements recognised."""

    results = AdviceSerializer(many=True, help_text="Best score first.")
    requirements = RequirementSerializer(many=True)


# --- the same shapes as plain dicts, for the hottest discovery reads ---------------------
# The serializers above document the answers (the schema) and shape the rest; a path and
# an advice are built here without serializer fields, which were a fifth of their cost
# (docs/PERFORMANCE.md), from the same stub builder (concepts.stub).
# tests/discovery/test_plain_shapes.py holds both equal.


def node_data(node: dict, request) -> dict:
    slug = node["slug"]
    return concept_stub(slug, node["name"], node["category"], _concept_url(request, slug))


def _concept_url(request, slug: str) -> str:
    return object_url(request, "concept-detail", slug)


def path_data(answer: dict, request) -> dict:
    """``PathSerializer(answer).data``, built directly."""
    return collection(
        [node_data(node, request) for node in answer["results"]],
        **{
            "from": node_data(answer["from"], request),
            "to": node_data(answer["to"], request),
            "length": answer["length"],
            "edges": [
                {k: edge[k] for k in ("source", "type", "target", "direction")}
                for edge in answer["edges"]
            ],
        },
    )


def _reason_data(reason) -> dict:
    return {
        "factor": reason.factor,
        "value": reason.value,
        "fit": reason.fit,
        "reason": reason.reason,
    }


def advice_data(answer: dict, request) -> dict:
    """``AdvisorSerializer(answer).data``, built directly."""
    results = []
    for advice in answer["results"]:
        candidate = advice.candidate
        stub = concept_stub(
            candidate.slug,
            candidate.name,
            candidate.category,
            _concept_url(request, candidate.slug),
        )
        stub["score"] = advice.score
        stub["reasons"] = {
            "for": [_reason_data(r) for r in advice.reasons_for],
            "against": [_reason_data(r) for r in advice.reasons_against],
        }
        stub["examples"] = [
            {
                "url": object_url(request, "example-detail", example["slug"]),
                "slug": example["slug"],
                "name": example["name"],
                "kind": example["kind"],
            }
            for example in candidate.examples
        ]
        results.append(stub)
    requirements = [
        {"factor": r.factor, "value": r.value, "matched": list(r.matched)}
        for r in answer["requirements"]
    ]
    return collection(results, requirements=requirements)
