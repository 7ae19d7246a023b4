"""How a token is sent: ``Authorization: Bearer <token>``, or ``Token <token>``.

Bearer is the scheme OpenAPI tools and Swagger UI's Authorize send;
``Token`` (DRF's own word) keeps working for existing scripts. The schema
documents the bearer scheme only (``kbapi.http.openapi.auth``), so Swagger UI
asks for the token as ``createeditor`` and the login print it.

DRF imports this module while it sets itself up: it must not import DRF's views.
"""

from rest_framework import authentication, exceptions


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, under the word ``Bearer`` as well as ``Token``."""

    keyword = "Bearer"
    keywords = (b"bearer", b"token")

    def authenticate(self, request):
        words = authentication.get_authorization_header(request).split()
        if not words or words[0].lower() not in self.keywords:
            return None  # another scheme, or none: not ours to refuse
        if len(words) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the token after the scheme: 'Authorization: Bearer <token>'."
            )
        try:
            key = words[1].decode("ascii")
        except UnicodeError:
            message = "A token has only ASCII letters and digits."
            raise exceptions.AuthenticationFailed(message) from None
        return self.authenticate_credentials(key)
