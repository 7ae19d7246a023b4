"""The token's security scheme in the schema: HTTP bearer."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerScheme(OpenApiAuthenticationExtension):
    """The token as an HTTP bearer scheme: Swagger UI's Authorize takes it as printed."""

    target_class = "kbapi.http.authentication.TokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "The token from `POST /api/v1/auth/token/` (or `manage.py createeditor`), "
                "as `Authorization: Bearer <token>`. `Authorization: Token <token>` is "
                "accepted too."
            ),
        }
