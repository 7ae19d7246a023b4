"""Shapes of categories, tags, concepts and examples: brief in lists, full in detail."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from concepts.models import Category, Concept, Example, Tag

TIMESTAMPS = ("version", "created_at", "updated_at")


def slug_url(view_name: str) -> serializers.HyperlinkedIdentityField:
    return serializers.HyperlinkedIdentityField(view_name=view_name, lookup_field="slug")


def slug_list(queryset) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(slug_field="slug", queryset=queryset, many=True)


class CategorySerializer(serializers.ModelSerializer):
    url = slug_url("category-detail")

    class Meta:
        model = Category
        fields = ("url", "slug", "name", "description", *TIMESTAMPS)
        read_only_fields = TIMESTAMPS


class TagSerializer(serializers.ModelSerializer):
    url = slug_url("tag-detail")

    class Meta:
        model = Tag
        fields = ("url", "slug", "name", *TIMESTAMPS)
        read_only_fields = TIMESTAMPS


class ConceptBriefSerializer(serializers.ModelSerializer):
    """A concept as lists show it."""

    url = slug_url("concept-detail")
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


class ConceptSerializer(serializers.ModelSerializer):
    """A concept in full; also the shape clients write."""

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


class ExampleBriefSerializer(serializers.ModelSerializer):
    url = slug_url("example-detail")
    concepts = serializers.SlugRelatedField(slug_field="slug", read_only=True, many=True)

    class Meta:
        model = Example
        fields = ("url", "slug", "name", "kind", "description", "concepts")
        read_only_fields = fields


class ExampleSerializer(serializers.ModelSerializer):
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
