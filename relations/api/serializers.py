"""Shapes of relations and comparisons."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from concepts.api.serializers import TIMESTAMPS, ConceptStubSerializer
from concepts.models import Concept
from kbapi.http.expansion import Expansion, FieldsExpandMixin, borrow
from kbapi.http.links import object_url
from kbapi.http.pagination import CollectionSerializer
from relations.models import Aspect, AspectValue, Comparison, Relation


class RelationSerializer(FieldsExpandMixin, serializers.ModelSerializer):
    """A typed edge ``source --type--> target``, addressed by its key."""

    expandable = {
        end: Expansion(lambda: ConceptStubSerializer(read_only=True), (f"{end}__category",))
        for end in ("source", "target")
    }

    url = serializers.SerializerMethodField()
    key = serializers.CharField(read_only=True)
    source = serializers.SlugRelatedField(slug_field="slug", queryset=Concept.objects.all())
    target = serializers.SlugRelatedField(slug_field="slug", queryset=Concept.objects.all())

    class Meta:
        model = Relation
        fields = ("url", "key", "source", "type", "target", "note", *TIMESTAMPS)
        read_only_fields = TIMESTAMPS
        validators = []  # the unique edge is checked by the service (409 on a duplicate)

    @extend_schema_field(serializers.URLField)
    def get_url(self, relation) -> str:
        return object_url(
            self.context.get("request"),
            "relation-detail",
            relation.key,
            kwarg="key",
            keep_format=True,
        )


class RelationTypeSerializer(serializers.Serializer):
    """A relation type: its slug and how to read it."""

    slug = serializers.ChoiceField(choices=Relation.Type.choices, help_text="As in `type`.")
    label = serializers.CharField(help_text='How to read it: "is a", "prerequisite of", ...')


class RelationTypesSerializer(CollectionSerializer):
    """Every relation type, with its label."""

    results = RelationTypeSerializer(many=True)


class AspectSerializer(serializers.Serializer):
    """A row of a comparison: per compared concept (by slug), its cell as a list of texts,
    as in the rows of `/compare/`. A curated comparison holds one text per cell, so each
    list has exactly one item, read and written."""

    name = serializers.CharField(max_length=200)
    values = serializers.DictField(
        child=serializers.ListField(
            child=serializers.CharField(max_length=2000), min_length=1, max_length=1
        ),
        help_text="Per concept slug, its cell: a list of exactly one text.",
    )

    def to_internal_value(self, data):
        row = super().to_internal_value(data)
        return {**row, "values": {slug: texts[0] for slug, texts in row["values"].items()}}


class ComparedConceptsField(serializers.ListField):
    """The compared concepts as slugs, in column order."""

    child = serializers.SlugRelatedField(slug_field="slug", queryset=Concept.objects.all())

    def get_attribute(self, comparison):
        return [item.concept for item in comparison.items.all()]


def cells(values: dict[str, str]) -> dict[str, list[str]]:
    """An aspect's values as stored (one text per concept slug) as the API shows them."""
    return {slug: [text] for slug, text in values.items()}


class AspectsField(serializers.ListField):
    """The comparison's rows, in order."""

    child = AspectSerializer()

    def get_attribute(self, comparison):
        return [
            {"name": a.name, "values": cells({v.concept.slug: v.value for v in a.values.all()})}
            for a in comparison.aspects.all()
        ]


@extend_schema_field(ConceptStubSerializer(many=True))
class ComparedConceptStubsField(serializers.Field):
    """``?expand=concepts``: the compared concepts as stubs, in column order."""

    def __init__(self):
        super().__init__(read_only=True, source="*")

    def to_representation(self, comparison):
        concepts = [item.concept for item in comparison.items.all()]
        return ConceptStubSerializer(concepts, many=True, context=self.context).data


class ComparisonBriefSerializer(FieldsExpandMixin, serializers.ModelSerializer):
    expandable = {}  # filled in below ComparisonSerializer, whose fields it borrows
    url = serializers.HyperlinkedIdentityField(view_name="comparison-detail", lookup_field="slug")
    concepts = ComparedConceptsField(read_only=True)

    class Meta:
        model = Comparison
        fields = ("url", "slug", "title", "summary", "concepts")
        read_only_fields = fields


class ComparisonSerializer(FieldsExpandMixin, serializers.ModelSerializer):
    """A comparison in full; writes give ``concepts`` as slugs in column order."""

    url = serializers.HyperlinkedIdentityField(view_name="comparison-detail", lookup_field="slug")
    concepts = ComparedConceptsField(min_length=2, max_length=10)
    aspects = AspectsField(min_length=1, max_length=50)

    class Meta:
        model = Comparison
        fields = (
            "url",
            "slug",
            "title",
            "summary",
            "verdict",
            "concepts",
            "aspects",
            *TIMESTAMPS,
        )
        read_only_fields = TIMESTAMPS


# ?expand= on comparisons (kbapi/http/expansion.py), and on lists the fields of the full form.
_ASPECTS = Prefetch(
    "aspects",
    queryset=Aspect.objects.prefetch_related(
        Prefetch("values", queryset=AspectValue.objects.select_related("concept"))
    ),
)
# ``concepts`` as stubs instead of slugs: the items' concepts come with their categories
# (relations.selectors.comparison_list), so it costs no query.
COMPARISON_EXPANSIONS = {"concepts": Expansion(ComparedConceptStubsField)}
ComparisonSerializer.expandable = COMPARISON_EXPANSIONS
ComparisonBriefSerializer.expandable = {
    **COMPARISON_EXPANSIONS,
    **{
        name: borrow(lambda: ComparisonSerializer, name, (_ASPECTS,) if name == "aspects" else ())
        for name in ComparisonSerializer.Meta.fields
        if name not in ComparisonBriefSerializer.Meta.fields
    },
}
