"""Shapes of categories, tags, concepts and examples: brief in lists, full in detail."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from concepts.models import TEXT_ITEM_MAX_LENGTH, Category, Concept, Example, Tag, linked_model
from concepts.shape import CONCEPT, EXAMPLE, RECORDS, REF, REFS, TEXT_LIST, Shape
from kbapi.http.expansion import Expansion, FieldsExpandMixin, borrow

TIMESTAMPS = ("version", "created_at", "updated_at")


def slug_url(view_name: str) -> serializers.HyperlinkedIdentityField:
    return serializers.HyperlinkedIdentityField(view_name=view_name, lookup_field="slug")


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


class ShapedFields:
    """ModelSerializer mixin: the fields of a shape (``concepts.shape``) that the model alone
    would show otherwise, built from their kind: a reference as the slug of what it names
    (many-to-many: a list of slugs), a JSON text list as a list of strings (at most
    ``TEXT_ITEM_MAX_LENGTH`` characters each when written), JSON records as a list of
    objects. The lists are optional in writes; references are required (even a blank
    many-to-many: the tags of a concept written whole), except the links a serializer names
    in ``optional_links`` (added later: a write that leaves them out keeps them, a create
    stores none).

    Listed after ``FieldsExpandMixin``: the schema describes a serializer without a
    docstring by the first of its bases, which has always been that mixin's."""

    shape: Shape
    optional_links: tuple[str, ...] = ()

    def build_field(self, field_name, info, model_class, nested_depth):
        kind = self.shape.kinds.get(field_name)
        read_only = field_name in getattr(self.Meta, "read_only_fields", ())
        if kind in (REF, REFS):
            related = model_class._meta.get_field(field_name).related_model
            kwargs = {"slug_field": "slug", "queryset": related._default_manager.all()}
            if field_name in self.optional_links:
                kwargs["required"] = False
            return serializers.SlugRelatedField, kwargs | ({"many": True} if kind == REFS else {})
        if kind == TEXT_LIST:
            limit = {} if read_only else {"max_length": TEXT_ITEM_MAX_LENGTH}
            return serializers.ListField, {
                "child": serializers.CharField(**limit),
                "required": False,
            }
        if kind == RECORDS:
            return serializers.ListField, {"child": serializers.DictField(), "required": False}
        return super().build_field(field_name, info, model_class, nested_depth)


class ConceptBriefSerializer(FieldsExpandMixin, ShapedFields, serializers.ModelSerializer):
    """A concept as lists show it; ``?expand=`` adds any field of the full form."""

    shape = CONCEPT
    expandable = {}  # filled in below ConceptSerializer, whose fields it borrows
    url = slug_url("concept-detail")

    class Meta:
        model = Concept
        fields = CONCEPT.brief
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


class ConceptSerializer(FieldsExpandMixin, ShapedFields, serializers.ModelSerializer):
    """A concept in full; also the shape clients write."""

    shape = CONCEPT
    expandable = {}  # filled in below
    url = slug_url("concept-detail")
    # the parts it embeds (CONCEPT.embedded)
    examples = ExampleRefSerializer(many=True, read_only=True)
    relations = serializers.SerializerMethodField()
    comparisons = ComparisonRefSerializer(many=True, read_only=True)

    class Meta:
        model = Concept
        fields = CONCEPT.detail
        read_only_fields = CONCEPT.stamps

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


class ExampleBriefSerializer(FieldsExpandMixin, ShapedFields, serializers.ModelSerializer):
    shape = EXAMPLE
    expandable = {}  # filled in below ExampleSerializer
    url = slug_url("example-detail")

    class Meta:
        model = Example
        fields = EXAMPLE.brief
        read_only_fields = fields


class ExampleSerializer(FieldsExpandMixin, ShapedFields, serializers.ModelSerializer):
    shape = EXAMPLE
    optional_links = ("requires",)  # slugs of examples; the services refuse a cycle
    expandable = {}  # filled in below
    url = slug_url("example-detail")

    class Meta:
        model = Example
        fields = EXAMPLE.detail
        read_only_fields = EXAMPLE.stamps


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
_EXAMPLE_FULL_ONLY_PREFETCH = {
    "requires": (Prefetch("requires", queryset=Example.objects.only("id", "slug")),),
}
ExampleSerializer.expandable = EXAMPLE_EXPANSIONS
ExampleBriefSerializer.expandable = {
    **EXAMPLE_EXPANSIONS,
    **{
        name: borrow(lambda: ExampleSerializer, name, _EXAMPLE_FULL_ONLY_PREFETCH.get(name, ()))
        for name in ExampleSerializer.Meta.fields
        if name not in ExampleBriefSerializer.Meta.fields
    },
}
