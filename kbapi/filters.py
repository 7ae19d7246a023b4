"""Ordering that says no: an unknown ``ordering`` field is a 400 naming the allowed ones.

DRF's OrderingFilter silently drops fields it does not know, so a typo looks
like a working request, and a client cannot probe for fields it should not
see (``ordering=password``) either way; saying so is clearer.
"""

import re

from rest_framework import exceptions, filters


class StrictOrderingFilter(filters.OrderingFilter):
    def get_ordering(self, request, queryset, view):
        raw = request.query_params.get(self.ordering_param)
        if raw is None or raw == "":
            return self.get_default_ordering(view)
        allowed = self.allowed_fields(view, queryset, request)
        terms = raw.split(",")
        unknown = [term for term in terms if term.lstrip("-") not in allowed]
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
