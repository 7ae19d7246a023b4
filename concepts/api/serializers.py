"""Shapes of categories, tags, concepts and examples: brief in lists, full in detail."""

from collections.abc import Mapping

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from concepts.models import TEXT_ITEM_MAX_LENGTH, Category, Concept, Example, Tag, linked_model
from concepts.selectors import category_list, tag_list
from concepts.shape import CONCEPT, EXAMPLE, RECORDS, REF, REFS, TEXT_LIST, Shape
from kbapi.http.expansion import Expansion, FieldsExpandMixin, borrow
from kbapi.http.links import object_url

TIMESTAMPS = ("version", "created_at", "updated_at")


def slug_url(view_name: str) -> serializers.HyperlinkedIdentityField:
    return serializers.HyperlinkedIdentityField(view_name=view_name, lookup_field="slug")


def concept_count_field() -> serializers.IntegerField:
    return serializers.IntegerField(read_only=True, help_text="How many concepts it has.")


class CategorySerializer(FieldsExpandMixin, serializers.ModelSerializer):
    url = slug_url("category-detail")
    concept_count = concept_count_field()

    class Meta:
        model = Category
        fields = ("url", "slug", "name", "description", "concept_count", *TIMESTAMPS)
        read_only_fields = TIMESTAMPS


class TagSerializer(FieldsExpandMixin, serializers.ModelSerializer):
    url = slug_url("tag-detail")
    concept_count = concept_count_field()

    class Meta:
        model = Tag
        fields = ("url", "slug", "name", "concept_count", *TIMESTAMPS)
        read_only_fields = TIMESTAMPS


@extend_schema_field(OpenApiTypes.URI)
class SlugUrlField(serializers.Field):
    """The absolute URL of the object whose slug is at ``source`` (``slug`` by default)."""

    def __init__(self, view_name: str, **kwargs):
        self.view_name = view_name
        kwargs.setdefault("source", "slug")
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        return object_url(self.context.get("request"), self.view_name, value)


def _stub_part(concept, key: str):
    """``key`` of a concept given as a model or as a plain dict (``concepts.stub``)."""
    value = concept[key] if isinstance(concept, Mapping) else getattr(concept, key)
    return value if isinstance(value, str) else value.slug  # a Category: its slug


@extend_schema_field(OpenApiTypes.STR)
class StubTextField(serializers.Field):
    def __init__(self, key: str, **kwargs):
        self.key = key
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, concept):
        return _stub_part(concept, self.key)


@extend_schema_field(OpenApiTypes.URI)
class StubUrlField(serializers.Field):
    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, concept):
        return object_url(
            self.context.get("request"), "concept-detail", _stub_part(concept, "slug")
        )


class ConceptStubSerializer(serializers.Serializer):
    """A concept named in another answer: these four keys wherever a concept is embedded.
    Answers that say more about it add their own keys after them."""

    # The plain paths build the same dict with concepts.stub.concept_stub
    # (tests/kbapi/test_shapes.py reads both). ``stub_source``: where the concept is in
    # the object shown, "*" the object itself, else an attribute (an advice's candidate).
    stub_source = "*"

    def get_fields(self):
        source = self.stub_source
        return {
            "slug": StubTextField("slug", source=source),
            "name": StubTextField("name", source=source),
            "category": StubTextField(
                "category", source=source, help_text="The slug of the concept's category."
            ),
            "url": StubUrlField(source=source),
            **super().get_fields(),
        }


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


class ExampleRefSerializer(serializers.Serializer):
    """An example named in another answer."""

    url = SlugUrlField("example-detail")
    slug = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=Example.Kind.choices, read_only=True)


class EdgeSerializer(serializers.Serializer):
    """A relation seen from one concept: its type and the concept at the other end."""

    type = serializers.CharField()
    concept = ConceptStubSerializer()
    note = serializers.CharField()


class ConceptRelationsSerializer(serializers.Serializer):
    outgoing = EdgeSerializer(many=True)
    incoming = EdgeSerializer(many=True)


class ComparisonRefSerializer(serializers.Serializer):
    """A comparison named in another answer."""

    url = SlugUrlField("comparison-detail")
    slug = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)


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
_EDGES = linked_model("outgoing").objects.select_related("source__category", "target__category")
CONCEPT_EXPANSIONS = {
    # a category or tag as its own endpoint shows it, concept_count included
    "category": Expansion(
        lambda: CategorySerializer(source="expanded_category", read_only=True),
        (Prefetch("category", queryset=category_list(), to_attr="expanded_category"),),
    ),
    "tags": Expansion(
        lambda: TagSerializer(source="expanded_tags", many=True, read_only=True),
        (Prefetch("tags", queryset=tag_list(), to_attr="expanded_tags"),),
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
    "concepts": Expansion(lambda: ConceptStubSerializer(many=True, read_only=True), ("concepts",)),
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
