"""The API's JSON renderer: DRF's output, written by orjson.

Rendering is a fixed share of every response: the full detail of a concept
(~11 KB) took 65 µs with the standard library's encoder and 8 µs with orjson
(docs/PERFORMANCE.md). The bytes are DRF's compact, UTF-8 form: same key
order, ``\\u2028`` and ``\\u2029`` escaped, and anything orjson does not know
natively (dates, decimals, lazy translations, querysets) turned into JSON by
DRF's own encoder, so its formats are kept. A pretty-printed response
(``Accept: application/json; indent=4``) and anything orjson refuses (an
integer beyond 64 bits) go through DRF's renderer unchanged.
"""

import orjson
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

_OPTIONS = (
    orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
)
# SKOS JSON-LD (concepts.jsonld), offered by the concept and graph endpoints.
JSONLD_MEDIA_TYPE = "application/ld+json"
_LINE_SEPARATORS = ((b"\xe2\x80\xa8", b"\\u2028"), (b"\xe2\x80\xa9", b"\\u2029"))


class JSONRenderer(renderers.JSONRenderer):
    """``rest_framework.renderers.JSONRenderer`` with orjson on its common path."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        fast = self.compact and not self.ensure_ascii and self.encoder_class is JSONEncoder
        if not fast or self.get_indent(accepted_media_type, renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            content = orjson.dumps(data, default=_ENCODER.default, option=_OPTIONS)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        for raw, escaped in _LINE_SEPARATORS:
            if raw in content:
                content = content.replace(raw, escaped)
        return content


_ENCODER = JSONEncoder()


def render_error(data, renderer_context) -> bytes:
    """An error stays JSON in the shared error shape, whatever format was asked for."""
    response = (renderer_context or {}).get("response")
    if response is not None:
        response["Content-Type"] = "application/json"
    return JSONRenderer().render(data)


def is_error(renderer_context) -> bool:
    response = (renderer_context or {}).get("response")
    return response is not None and response.status_code >= 400
