"""Content negotiation that refuses an empty ``?format=`` instead of ignoring it."""

from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation


class StrictContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        param = self.settings.URL_FORMAT_OVERRIDE
        if param and request.query_params.get(param, None) == "":
            raise exceptions.ValidationError(
                {param: ["Name a format, or leave the parameter out."]}
            )
        return super().select_renderer(request, renderers, format_suffix)
