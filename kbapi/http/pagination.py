"""Every collection's shape: ``{"count", "next", "previous", "results"}`` plus the
endpoint's own keys. Page-number pagination with a clamped ``page_size`` and an RFC 8288
``Link`` header for the lists; the same four keys for collections served whole.

The resource lists (:class:`ListPagination`) also page by cursor, when asked with
``?pagination=cursor`` (or given a ``cursor``): in creation order (the primary key,
unique and never changed), each page starting after the last row of the one before,
so rows inserted meanwhile shift nothing (none is skipped or seen twice; a new row
shows up on a later page). ``count`` is still the whole filtered list's size. A cursor
is opaque and signed for its list: any other value (another list's cursor
included) is a 400 in the error shape, and so is asking
for an ``ordering`` (the cursor's order is fixed) or a ``page`` with it.
An object's history, built in Python, pages by cursor too (:class:`SequenceCursor`).
"""

from django.core import signing
from django.db.models import QuerySet
from rest_framework import exceptions, pagination, serializers
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

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


PAGINATION_PARAM = "pagination"
CURSOR_PARAM = "cursor"
PAGINATION_MODES = ("page", "cursor")
MAX_CURSOR_LENGTH = 200


class CursorPagination(pagination.CursorPagination):
    """DRF's cursor over the primary key, with a signed cursor that a 400 refuses when
    it is not one this API made (DRF answers a 404, or a 500 for a position of the
    wrong type)."""

    ordering = ("id",)
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    template = None

    def get_page_size(self, request):
        return PageNumberPagination().get_page_size(request)

    def get_ordering(self, request, queryset, view):
        return self.ordering

    @staticmethod
    def signer(request) -> signing.Signer:
        """Signs a cursor for one list (its path): another list's cursor is refused."""
        return signing.Signer(salt=f"kbapi.http.pagination.cursor:{request.path}")

    def decode_cursor(self, request):
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        try:
            if len(encoded) > MAX_CURSOR_LENGTH:
                raise signing.BadSignature
            token = self.signer(request).unsign(encoded)
            direction, rest = token[0], token[1:]
            position, _, offset = rest.partition(".")
            offset = offset or "0"
            if direction not in "fb" or not _digits(offset) or not _digits(position or "0"):
                raise signing.BadSignature
            offset = min(int(offset), self.offset_cutoff)
        except (signing.BadSignature, IndexError):
            raise _invalid(
                self.cursor_query_param,
                "Not a cursor of this list: follow the next or previous link of a page.",
            ) from None
        # no position: DRF's first page followed by an offset alone (rows of one position)
        position = position or None
        return pagination.Cursor(offset=offset, reverse=direction == "b", position=position)

    def encode_cursor(self, cursor):
        position = "" if cursor.position is None else str(cursor.position)
        token = f"{'b' if cursor.reverse else 'f'}{position}"
        if cursor.offset:
            token += f".{cursor.offset}"
        signed = self.signer(self.request).sign(token)
        return replace_query_param(self.base_url, self.cursor_query_param, signed)


class SequenceCursor:
    """A cursor over a list built whole in Python (an object's history, newest first),
    by the unique key of its items (``key(item)``, a whole number): a page starts just
    after (or ends just before) the item the cursor names, wherever that item now is,
    so items added elsewhere in the list shift nothing."""

    def __init__(self, key):
        self.key = key

    def paginate(self, items: list, request) -> list:
        self.codec = codec = CursorPagination()
        codec.request, codec.base_url = request, request.build_absolute_uri()
        self.base_url = codec.base_url
        size = codec.get_page_size(request)
        cursor = codec.decode_cursor(request)
        keys = [self.key(item) for item in items]
        start, end = 0, size
        if cursor is not None and cursor.position is not None:
            try:
                at = keys.index(int(cursor.position))
            except ValueError:
                message = "This cursor's item is no longer in the list."
                raise _invalid(CURSOR_PARAM, message) from None
            start, end = (max(at - size, 0), at) if cursor.reverse else (at + 1, at + 1 + size)
        page = items[start:end]
        self.next_key = keys[end - 1] if page and end < len(items) else None
        self.previous_key = keys[start] if page and start > 0 else None
        return page

    def _link(self, position, reverse: bool) -> str | None:
        if position is None:
            return None
        cursor = pagination.Cursor(offset=0, reverse=reverse, position=position)
        return self.codec.encode_cursor(cursor)

    def get_next_link(self):
        return self._link(self.next_key, reverse=False)

    def get_previous_link(self):
        return self._link(self.previous_key, reverse=True)


class ListPagination(PageNumberPagination):
    """The resource lists: page numbers, or a cursor with ``?pagination=cursor``."""

    cursor_paginator = None

    def cursor_mode(self, request) -> bool:
        params = request.query_params
        mode = params.get(PAGINATION_PARAM)
        if mode is not None and mode not in PAGINATION_MODES:
            raise _invalid(PAGINATION_PARAM, f"One of: {', '.join(PAGINATION_MODES)}.")
        if mode == "page" and CURSOR_PARAM in params:
            raise _invalid(CURSOR_PARAM, "A cursor goes with pagination=cursor, not page.")
        return mode == "cursor" or CURSOR_PARAM in params

    def paginate_queryset(self, queryset, request, view=None):
        self.cursor_paginator = None
        if not self.cursor_mode(request):
            return super().paginate_queryset(queryset, request, view)
        params = request.query_params
        if self.page_query_param in params:
            raise _invalid(self.page_query_param, "Pages by cursor have no numbers.")
        if params.get("ordering"):
            raise _invalid(
                "ordering",
                "Pages by cursor are in creation order; ordering goes with page numbers.",
            )
        self.request = request
        if not isinstance(queryset, QuerySet):
            # built in Python (an object's history): by the key its view names
            key = getattr(view, "cursor_key", None)
            if key is None:
                raise _invalid(PAGINATION_PARAM, "This list pages by number only.")
            self.count = len(queryset)
            self.cursor_paginator = SequenceCursor(key)
            return self.cursor_paginator.paginate(queryset, request)
        self.count = queryset.count()
        self.cursor_paginator = CursorPagination()
        return self.cursor_paginator.paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        cursor = self.cursor_paginator
        if cursor is None:
            return super().get_paginated_response(data)
        next_url, previous_url = cursor.get_next_link(), cursor.get_previous_link()
        response = Response(
            {"count": self.count, "next": next_url, "previous": previous_url, "results": data}
        )
        first = remove_query_param(cursor.base_url, CURSOR_PARAM)
        first = replace_query_param(first, PAGINATION_PARAM, "cursor")
        links = [(next_url, "next"), (previous_url, "prev"), (first, "first")]
        response["Link"] = ", ".join(f'<{url}>; rel="{rel}"' for url, rel in links if url)
        return response

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        listing = getattr(view, "action", None) == "list"
        if not listing and getattr(view, "cursor_key", None) is None:
            return parameters
        order = (
            "creation order"
            if listing
            else "the list's own order, an object's history newest first: entries added "
            "meanwhile are on the first page"
        )
        return [
            *parameters,
            {
                "name": PAGINATION_PARAM,
                "required": False,
                "in": "query",
                "description": (
                    "How to page: `page` (the default: page numbers, `page`) or `cursor` "
                    f"({order}; stable while rows are added: follow `next` and "
                    "`previous`, whose `cursor` parameter carries the position; `count` "
                    "is still the whole list's size). With `cursor`, `ordering` and "
                    "`page` are a 400."
                ),
                "schema": {"type": "string", "enum": list(PAGINATION_MODES)},
            },
            {
                "name": CURSOR_PARAM,
                "required": False,
                "in": "query",
                "description": (
                    "A position in the list by cursor, as the `cursor` parameter of a "
                    "page's `next` or `previous` link (implies `pagination=cursor`). "
                    "Opaque and signed for this list: any other value (another list's cursor "
                    "too) is a 400."
                ),
                "schema": {"type": "string", "maxLength": MAX_CURSOR_LENGTH},
            },
        ]


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


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


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
