"""Shapes of categories, tags, concepts and examples: brief in lists, full in detail."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from concepts.models import Category, Concept, Example, Tag, linked_model
from kbapi.http.expansion import Expansion, FieldsExpandMixin, borrow

TIMESTAMPS = ("version", "created_at", "updated_at")


def slug_url(view_name: str) -> serializers.HyperlinkedIdentityField:
    return serializers.HyperlinkedIdentityField(view_name=view_name, lookup_field="slug")


def slug_list(queryset) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(slug_field="slug", queryset=queryset, many=True)


class CategorySerializer(FieldsExpandMixin, serializers.ModelSerializer):
    url = slug_url("category-detail")

    class Meta:
        model = Category
        fields = ("url", "slug", "name", "description", *TIMESTAMPS)
        read_only_fields = TIMESTAMPS


class TagSerializer(FieldsExpandMixin, serializers.ModelSerializer):
    url = slug_url("tag-detail")

    class Meta:
        model = Tag
        fields = ("url", "slug", "name", *TIMESTAMPS)
        read_only_fields = TIMESTAMPS


class ConceptBriefSerializer(FieldsExpandMixin, serializers.ModelSerializer):
    """A concept as lists show it; ``?expand=`` adds any field of the full form."""

    expandable = {}  # filled in below ConceptSerializer, whose fields it borrows
    url = slug_url("concept-detail")
    aliases = serializers.ListField(child=serializers.CharField(), read_only=True)
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    tags = serializers.SlugRelatedField(slug_field="slug", read_only=True, many=True)

    class Meta:
        model = Concept
        fields = ("url", "slug", "name", "aliases", "summary", "category", "tags")
        read_only_fields = fields


class ConceptRefSerializer(serializers.ModelSerializer):
    url = slug_url("concept-detail")

    class Meta:
        model = Concept
        fields = ("url", "slug", "name")
        read_only_fields = fields


class ExampleRefSerializer(serializers.ModelSerializer):
    url = slug_url("example-detail")

    class Meta:
        model = Example
        fields = ("url", "slug", "name", "kind")
        read_only_fields = fields


class EdgeSerializer(serializers.Serializer):
    """A relation seen from one concept: its type and the concept at the other end."""

    type = serializers.CharField()
    concept = ConceptRefSerializer()
    note = serializers.CharField()


class ConceptRelationsSerializer(serializers.Serializer):
    outgoing = EdgeSerializer(many=True)
    incoming = EdgeSerializer(many=True)


class ComparisonRefSerializer(serializers.Serializer):
    url = serializers.HyperlinkedIdentityField(view_name="comparison-detail", lookup_field="slug")
    slug = serializers.CharField()
    title = serializers.CharField()


class ConceptSerializer(FieldsExpandMixin, serializers.ModelSerializer):
    """A concept in full; also the shape clients write."""

    expandable = {}  # filled in below
    url = slug_url("concept-detail")
    category = serializers.SlugRelatedField(slug_field="slug", queryset=Category.objects.all())
    tags = slug_list(Tag.objects.all())
    aliases = serializers.ListField(child=serializers.CharField(max_length=500), required=False)
    advantages = serializers.ListField(child=serializers.CharField(max_length=500), required=False)
    limitations = serializers.ListField(child=serializers.CharField(max_length=500), required=False)
    use_cases = serializers.ListField(child=serializers.CharField(max_length=500), required=False)
    traits = serializers.ListField(child=serializers.DictField(), required=False)
    examples = ExampleRefSerializer(many=True, read_only=True)
    relations = serializers.SerializerMethodField()
    comparisons = ComparisonRefSerializer(many=True, read_only=True)

    class Meta:
        model = Concept
        fields = (
            "url",
            "slug",
            "name",
            "aliases",
            "summary",
            "definition",
            "category",
            "tags",
            "advantages",
            "limitations",
            "use_cases",
            "traits",
            "examples",
            "relations",
            "comparisons",
            "source",
            *TIMESTAMPS,
        )
        read_only_fields = TIMESTAMPS
        extra_kwargs = {"tags": {"required": False}}

    @extend_schema_field(ConceptRelationsSerializer)
    def get_relations(self, concept):
        outgoing = [
            {"type": e.type, "concept": e.target, "note": e.note} for e in concept.outgoing.all()
        ]
        incoming = [
            {"type": e.type, "concept": e.source, "note": e.note} for e in concept.incoming.all()
        ]
        return ConceptRelationsSerializer(
            {"outgoing": outgoing, "incoming": incoming}, context=self.context
        ).data


class ExampleBriefSerializer(FieldsExpandMixin, serializers.ModelSerializer):
    expandable = {}  # filled in below ExampleSerializer
    url = slug_url("example-detail")
    concepts = serializers.SlugRelatedField(slug_field="slug", read_only=True, many=True)

    class Meta:
        model = Example
        fields = ("url", "slug", "name", "kind", "description", "concepts")
        read_only_fields = fields


class ExampleSerializer(FieldsExpandMixin, serializers.ModelSerializer):
    expandable = {}  # filled in below
    url = slug_url("example-detail")
    concepts = slug_list(Concept.objects.all())

    class Meta:
        model = Example
        fields = (
            "url",
            "slug",
            "name",
            "kind",
            "description",
            "code",
            "language",
            "concepts",
            *TIMESTAMPS,
        )
        read_only_fields = TIMESTAMPS


# ?expand= on concepts and examples (kbapi/http/expansion.py): objects instead of slugs,
# and in lists the fields of the full form, each with the prefetches it needs.
_EDGES = linked_model("outgoing").objects.select_related("source", "target")
CONCEPT_EXPANSIONS = {
    "category": Expansion(lambda: CategorySerializer(read_only=True), ("category",)),
    "tags": Expansion(
        lambda: TagSerializer(source="expanded_tags", many=True, read_only=True),
        (Prefetch("tags", queryset=Tag.objects.all(), to_attr="expanded_tags"),),
    ),
    "examples": Expansion(
        lambda: ExampleBriefSerializer(source="expanded_examples", many=True, read_only=True),
        (
            Prefetch(
                "examples",
                queryset=Example.objects.prefetch_related(
                    Prefetch("concepts", queryset=Concept.objects.only("id", "slug"))
                ),
                to_attr="expanded_examples",
            ),
        ),
    ),
}
_FULL_ONLY_PREFETCH = {
    "relations": (
        Prefetch("outgoing", queryset=_EDGES),
        Prefetch("incoming", queryset=_EDGES),
    ),
    "comparisons": ("comparisons",),
}
ConceptSerializer.expandable = CONCEPT_EXPANSIONS
ConceptBriefSerializer.expandable = {
    **CONCEPT_EXPANSIONS,
    **{
        name: borrow(lambda: ConceptSerializer, name, _FULL_ONLY_PREFETCH.get(name, ()))
        for name in ConceptSerializer.Meta.fields
        if name not in ConceptBriefSerializer.Meta.fields and name not in CONCEPT_EXPANSIONS
    },
}
EXAMPLE_EXPANSIONS = {
    "concepts": Expansion(lambda: ConceptRefSerializer(many=True, read_only=True), ("concepts",)),
}
ExampleSerializer.expandable = EXAMPLE_EXPANSIONS
ExampleBriefSerializer.expandable = {
    **EXAMPLE_EXPANSIONS,
    **{
        name: borrow(lambda: ExampleSerializer, name)
        for name in ExampleSerializer.Meta.fields
        if name not in ExampleBriefSerializer.Meta.fields
    },
}
