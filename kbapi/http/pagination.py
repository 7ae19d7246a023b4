"""Every collection's shape: ``{"count", "next", "previous", "results"}`` plus the
endpoint's own keys. Page-number pagination with a clamped ``page_size`` and an RFC 8288
``Link`` header for the lists; the same four keys for collections served whole."""

from rest_framework import exceptions, pagination, serializers

MAX_PAGE_SIZE = 100


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    page_size_query_description = (
        f"Number of results per page (default 20, at most {MAX_PAGE_SIZE}; larger values are "
        "clamped to the maximum, 0 or less gives the default; not a whole number is a 400)."
    )
    page_query_description = (
        "A page number from 1; past the last page is a 404, not a whole number from 1 is a 400."
    )
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        size = _whole_number(self.page_size_query_param, raw)
        return self.page_size if size < 1 else min(size, self.max_page_size)

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw is None:
            return 1
        number = _whole_number(self.page_query_param, raw)
        if number < 1:
            raise _invalid(self.page_query_param, "Pages are numbered from 1.")
        return number

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
        return parameters

    def get_paginated_response_schema(self, schema):
        """A page always carries all four keys (``next``/``previous`` null at the ends)."""
        page = super().get_paginated_response_schema(schema)
        page["required"] = ["count", "next", "previous", "results"]
        return page

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        links = [
            f'<{url}>; rel="{rel}"'
            for rel, url in (("next", self.get_next_link()), ("prev", self.get_previous_link()))
            if url
        ]
        if links:
            response["Link"] = ", ".join(links)
        return response


def collection(results: list, **extra) -> dict:
    """A collection served whole, in the shape of a page: ``count`` and ``results``,
    ``next`` and ``previous`` null, then the endpoint's own keys (``extra``)."""
    return {"count": len(results), "next": None, "previous": None, "results": results, **extra}


class CollectionSerializer(serializers.Serializer):
    """A collection: ``count``, ``next``, ``previous``, ``results``, then its own keys."""

    # Subclasses declare ``results`` first, then their own keys, and a docstring of their
    # own (the schema describes each by it). Built by ``collection`` for answers served whole.

    count = serializers.IntegerField(help_text="How many results there are.")
    next = serializers.URLField(
        allow_null=True, help_text="The next page; null on the last (the only) page."
    )
    previous = serializers.URLField(
        allow_null=True, help_text="The previous page; null on the first (the only) page."
    )

    def to_representation(self, answer):
        whole = {"count": len(answer["results"]), "next": None, "previous": None}
        return super().to_representation({**whole, **answer})


MAX_DIGITS = 18  # beyond any page count; keeps int() and the database's integers in range


def _whole_number(name: str, raw: str) -> int:
    text = raw.strip()
    digits = text.removeprefix("-")
    if not digits.isascii() or not digits.isdigit():
        raise _invalid(name, "A whole number is required.")
    if len(digits) > MAX_DIGITS:
        return -1 if text.startswith("-") else 10**MAX_DIGITS
    return int(text)


def _invalid(name: str, message: str) -> exceptions.ValidationError:
    return exceptions.ValidationError({name: [message]})
