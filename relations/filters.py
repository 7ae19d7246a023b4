"""One FilterSet per model: relations by either end and type, comparisons by concept."""

import django_filters
from django.db.models import Q

from .models import Comparison, Relation


class RelationFilter(django_filters.FilterSet):
    source = django_filters.CharFilter(
        field_name="source__slug", lookup_expr="exact", help_text="Source concept slug."
    )
    target = django_filters.CharFilter(
        field_name="target__slug", lookup_expr="exact", help_text="Target concept slug."
    )
    type = django_filters.ChoiceFilter(field_name="type", choices=Relation.Type.choices)
    concept = django_filters.CharFilter(
        method="filter_concept", help_text="Concept slug at either end of the relation."
    )

    class Meta:
        model = Relation
        fields = ["source", "target", "type", "concept"]

    def filter_concept(self, queryset, name, value):
        return queryset.filter(Q(source__slug=value) | Q(target__slug=value))


class ComparisonFilter(django_filters.FilterSet):
    concept = django_filters.CharFilter(
        field_name="items__concept__slug",
        lookup_expr="exact",
        help_text="Slug of a compared concept.",
        distinct=True,
    )

    class Meta:
        model = Comparison
        fields = ["concept"]
