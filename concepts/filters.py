"""One FilterSet per model: the fields a client filters concepts and examples by."""

import django_filters
from django.db.models import Q

from kbapi.http.filters import DateTimeFilter, IntegerFilter

from .models import Category, Concept, Example, Tag


class CategoryFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = Category
        fields = ["name"]


class TagFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = Tag
        fields = ["name"]


class ConceptFilter(django_filters.FilterSet):
    category = django_filters.CharFilter(
        field_name="category__slug", lookup_expr="exact", help_text="Category slug."
    )
    tag = django_filters.CharFilter(
        field_name="tags__slug", lookup_expr="exact", help_text="Tag slug.", distinct=True
    )
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains")
    source = django_filters.CharFilter(
        field_name="source", lookup_expr="icontains", help_text="Section of the notes."
    )
    updated_after = DateTimeFilter(field_name="updated_at", lookup_expr="gte")
    term = django_filters.CharFilter(
        method="filter_term",
        help_text="A name or alias, matched whole and case-insensitively (e.g. `RDBMS`).",
    )
    version_min = IntegerFilter(
        field_name="version",
        lookup_expr="gte",
        min_value=1,
        max_value=2**31 - 1,
        help_text="Concepts edited into at least this version (1 = all).",
    )

    class Meta:
        model = Concept
        fields = ["category", "tag", "name", "source", "updated_after", "term", "version_min"]

    def filter_term(self, queryset, name, value):
        # The JSON text match narrows candidates in SQL; the exact alias check runs on
        # those few rows, so `ORM` does not also answer `ORM tools`.
        candidates = queryset.filter(Q(name__iexact=value) | Q(aliases__icontains=value))
        wanted = value.casefold()
        ids = [
            pk
            for pk, concept_name, aliases in candidates.values_list("pk", "name", "aliases")
            if wanted in {concept_name.casefold(), *(a.casefold() for a in aliases)}
        ]
        return queryset.filter(pk__in=ids)


class ExampleFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(field_name="kind", choices=Example.Kind.choices)
    concept = django_filters.CharFilter(
        field_name="concepts__slug", lookup_expr="exact", help_text="Concept slug.", distinct=True
    )
    language = django_filters.CharFilter(field_name="language", lookup_expr="iexact")
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = Example
        fields = ["kind", "concept", "language", "name"]
