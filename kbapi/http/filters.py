"""Filter backends that say no.

Ordering: an unknown ``ordering`` field is a 400 naming the allowed ones, and so
is a field with more than one ``-``.
Search: ``?search=`` is bounded as ``/search/``'s ``q`` is (200 characters, and at
most 12 words): each word is a condition on every search field, and a thousand
words made SQLite refuse the query ("Expression tree is too large").

DRF's OrderingFilter silently drops fields it does not know, so a typo looks
like a working request, and a client cannot probe for fields it should not
see (``ordering=password``) either way; saying so is clearer.
Filters: an empty value of a typed filter (date, number, choice) is a 400.
"""

import datetime
import re

from django import forms
from django_filters.fields import IsoDateTimeField
from django_filters.filters import CharFilter, IsoDateTimeFilter, NumberFilter
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.drainage import set_override
from rest_framework import exceptions, filters


class StrictOrderingFilter(filters.OrderingFilter):
    def get_ordering(self, request, queryset, view):
        raw = request.query_params.get(self.ordering_param)
        if raw is None or raw == "":
            return self.get_default_ordering(view)
        allowed = self.allowed_fields(view, queryset, request)
        terms = raw.split(",")
        unknown = [term for term in terms if term.removeprefix("-") not in allowed]
        if unknown:
            raise exceptions.ValidationError(
                {
                    self.ordering_param: [
                        f"Unknown ordering field {unknown[0]!r}; allowed: "
                        f"{', '.join(sorted(allowed))} (prefix '-' for descending)."
                    ]
                }
            )
        return terms

    def allowed_fields(self, view, queryset=None, request=None) -> list[str]:
        fields = getattr(view, "ordering_fields", None)
        if isinstance(fields, (list, tuple)):
            return list(fields)
        if queryset is None:
            return []
        return [name for name, _ in self.get_valid_fields(queryset, view, {"request": request})]

    def get_schema_operation_parameters(self, view):
        allowed = self.allowed_fields(view)
        if not allowed:
            return super().get_schema_operation_parameters(view)
        field = "-?(?:" + "|".join(re.escape(name) for name in allowed) + ")"
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": (
                    "Comma-separated fields to order by, '-' for descending. Allowed: "
                    f"{', '.join(allowed)}. Any other field is a 400."
                ),
                "schema": {"type": "string", "pattern": f"^(?:{field}(?:,{field})*)?$"},
            }
        ]


MAX_SEARCH_LENGTH = 200
MAX_SEARCH_WORDS = 12


class BoundedSearchFilter(filters.SearchFilter):
    """DRF's search, with the query bounded: a longer one is a 400, not a huge query."""

    def get_search_terms(self, request):
        raw = request.query_params.get(self.search_param, "")
        if len(raw) > MAX_SEARCH_LENGTH:
            raise exceptions.ValidationError(
                {self.search_param: [f"At most {MAX_SEARCH_LENGTH} characters."]}
            )
        terms = super().get_search_terms(request)
        if len(terms) > MAX_SEARCH_WORDS:
            raise exceptions.ValidationError(
                {self.search_param: [f"At most {MAX_SEARCH_WORDS} words."]}
            )
        return terms

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["description"] = (
                f"{parameter['description']} At most {MAX_SEARCH_LENGTH} characters "
                f"and {MAX_SEARCH_WORDS} words (a longer query is a 400)."
            )
            parameter["schema"] = {**parameter["schema"], "maxLength": MAX_SEARCH_LENGTH}
        return parameters


class StrictDjangoFilterBackend(DjangoFilterBackend):
    """django-filter, except that an empty value for a typed filter is a 400, not ignored.

    ``?updated_after=`` or ``?kind=`` reads as "filter by nothing" to django-filter, which
    silently answers the unfiltered list; a date, number or choice has no empty value.
    """

    def filter_queryset(self, request, queryset, view):
        if not self.asked_for(request, view):
            # No parameter of this filterset given: a bound form over nothing would
            # validate, apply no filter and return the queryset unchanged, at a cost
            # of a fifth of a plain list request (docs/PERFORMANCE.md).
            return queryset
        filterset = self.get_filterset(request, queryset, view)
        if filterset is not None:
            empty = [
                name
                for name, f in filterset.filters.items()
                if not isinstance(f, CharFilter) and request.query_params.get(name, None) == ""
            ]
            if empty:
                raise exceptions.ValidationError({name: ["A value is required."] for name in empty})
        return super().filter_queryset(request, queryset, view)

    def asked_for(self, request, view) -> bool:
        """Whether any query parameter may belong to the view's filterset.

        By prefix, so that the suffixed parameters of range filters
        (``name_min``, ``name_after``) count too; unsure means yes.
        """
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is None or getattr(view, "filterset_fields", None):
            return True
        names = tuple(filterset_class.base_filters)
        return any(key.startswith(names) for key in request.query_params)


class IntegerFilter(NumberFilter):
    """A whole-number filter: NaN, Infinity, 1e400 and fractions are a 400, not a query.

    Give it ``min_value`` and ``max_value`` so no value overflows the database's integers.
    """

    field_class = forms.IntegerField

    def __init__(self, *args, min_value: int, max_value: int, **kwargs):
        super().__init__(*args, min_value=min_value, max_value=max_value, **kwargs)
        schema = {"type": "integer", "minimum": min_value, "maximum": max_value}
        set_override(self, "field", schema)  # drf-spectacular: document the bounds


class UTCDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time, handed on in UTC.

    PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 allows, and some instants
    (``0001-01-01T00:00+17:52``) do not exist in UTC: the first is converted, the
    second is a 400.
    """

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(datetime.UTC)
        except OverflowError as exc:
            raise forms.ValidationError("Date-time out of range.", code="invalid") from exc


class DateTimeFilter(IsoDateTimeFilter):
    """An ISO 8601 date-time filter that answers 400, not 500, for instants outside UTC's range."""

    field_class = UTCDateTimeField
