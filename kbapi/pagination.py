"""Page-number pagination with a clamped ``page_size`` and an RFC 8288 ``Link`` header."""

from rest_framework import pagination

MAX_PAGE_SIZE = 100


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    page_size_query_description = (
        f"Number of results per page (default 20, at most {MAX_PAGE_SIZE}; larger values are "
        "clamped to the maximum)."
    )
    max_page_size = MAX_PAGE_SIZE

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
