"""Shapes of relations and comparisons."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from concepts.api.serializers import TIMESTAMPS, ConceptRefSerializer
from concepts.models import Concept
from kbapi.http.expansion import Expansion, FieldsExpandMixin, borrow
from kbapi.http.links import object_url
from relations.models import Aspect, AspectValue, Comparison, Relation


class RelationSerializer(FieldsExpandMixin, serializers.ModelSerializer):
    """A typed edge ``source --type--> target``, addressed by its key."""

    expandable = {
        end: Expansion(lambda: ConceptRefSerializer(read_only=True), (end,))
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


class AspectSerializer(serializers.Serializer):
    """A row of a comparison: one value per compared concept, keyed by concept slug."""

    name = serializers.CharField(max_length=200)
    values = serializers.DictField(child=serializers.CharField(max_length=2000))


class ComparedConceptsField(serializers.ListField):
    """The compared concepts as slugs, in column order."""

    child = serializers.SlugRelatedField(slug_field="slug", queryset=Concept.objects.all())

    def get_attribute(self, comparison):
        return [item.concept for item in comparison.items.all()]


class AspectsField(serializers.ListField):
    """The comparison's rows, in order."""

    child = AspectSerializer()

    def get_attribute(self, comparison):
        return [
            {"name": a.name, "values": {v.concept.slug: v.value for v in a.values.all()}}
            for a in comparison.aspects.all()
        ]


class ComparisonBriefSerializer(FieldsExpandMixin, serializers.ModelSerializer):
    expandable = {}  # filled in below ComparisonSerializer, whose fields it borrows
    url = serializers.HyperlinkedIdentityField(view_name="comparison-detail", lookup_field="slug")
    concepts = serializers.SerializerMethodField()

    class Meta:
        model = Comparison
        fields = ("url", "slug", "title", "summary", "concepts")
        read_only_fields = fields

    @extend_schema_field(ConceptRefSerializer(many=True))
    def get_concepts(self, comparison):
        concepts = [item.concept for item in comparison.items.all()]
        return ConceptRefSerializer(concepts, many=True, context=self.context).data


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


# ?expand= on comparison lists (kbapi/http/expansion.py): the fields of the full form.
_ASPECTS = Prefetch(
    "aspects",
    queryset=Aspect.objects.prefetch_related(
        Prefetch("values", queryset=AspectValue.objects.select_related("concept"))
    ),
)
ComparisonBriefSerializer.expandable = {
    name: borrow(lambda: ComparisonSerializer, name, (_ASPECTS,) if name == "aspects" else ())
    for name in ComparisonSerializer.Meta.fields
    if name not in ComparisonBriefSerializer.Meta.fields
}
