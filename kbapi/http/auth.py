"""Tokens for scripts and frontends: log in (throttled), ask who you are, log out; and the
admin's login form, throttled as the token login is.

Both logins count against the same ``login`` rate, per address and per username,
before any password is checked (``kbapi.http.throttling.LoginRateThrottle``).
How a token is sent is ``kbapi.http.authentication``.
"""

import math

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from kbapi.http.renderers import JSONRenderer
from kbapi.http.throttling import LoginRateThrottle, username_in


class TokenView(ObtainAuthToken):
    """Exchange a username and password for the user's API token; revoke it."""

    renderer_classes = [JSONRenderer]
    throttle_classes = [LoginRateThrottle]

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "DELETE" else []

    def get_throttles(self):
        if self.request.method == "DELETE":  # not a login: the usual limits, not the login's
            return [throttle() for throttle in api_settings.DEFAULT_THROTTLE_CLASSES]
        return super().get_throttles()

    @extend_schema(
        operation_id="auth_token_create",
        tags=["auth"],
        # JSON, as every write: the form encodings ObtainAuthToken also reads are left out,
        # as generated clients cannot send one model under three media types
        request={
            "application/json": inline_serializer(
                "Credentials",
                {"username": serializers.CharField(), "password": serializers.CharField()},
            )
        },
        responses={200: inline_serializer("Token", {"token": serializers.CharField()})},
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        """The user's token (the same until revoked). Throttled per address and per username."""
        return super().post(request, *args, **kwargs)

    @extend_schema(
        operation_id="auth_token_destroy",
        tags=["auth"],
        request=None,
        responses={204: OpenApiResponse(description="The token no longer authenticates.")},
    )
    def delete(self, request, *args, **kwargs):
        """Revoke the caller's token: it stops working at once; logging in gives a new one."""
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeSerializer(serializers.Serializer):
    username = serializers.CharField(help_text="The account's username.")
    is_staff = serializers.BooleanField(help_text="Whether the account may use the admin.")
    permissions = serializers.ListField(
        child=serializers.CharField(),
        help_text="Django permissions as `app.codename` (`concepts.change_concept`), sorted: "
        "what a frontend may offer this user to do.",
    )


class MeView(APIView):
    """Who the credentials belong to, and what they may change."""

    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer]

    @extend_schema(operation_id="auth_me_retrieve", tags=["auth"], responses=MeSerializer)
    def get(self, request):
        """The signed-in account: 401 without credentials. Never cached (`no-store`)."""
        user = request.user
        me = {
            "username": user.get_username(),
            "is_staff": user.is_staff,
            "permissions": sorted(user.get_all_permissions()),
        }
        return Response(MeSerializer(me).data)


def admin_login(request, **kwargs):
    """The admin's login view, with its form posts counted as the token login's are.

    A refused attempt gets the admin's login page again, a 429 with ``Retry-After``
    and the reason where a wrong password's would be: the admin's errors are pages
    a browser shows (JSON is the API's).
    """
    if request.method == "POST":
        throttle = LoginRateThrottle()
        if not throttle.allow_attempt(request, lambda: username_in(request.POST)):
            return refused_login(request, math.ceil(throttle.wait()))
    return admin.site.login(request, **kwargs)


def refused_login(request, wait: int):
    """The admin's login page with the form refused, as ``AdminSite.login`` renders it."""
    message = f"Too many login attempts. Try again in {wait} seconds."

    class Refused(AdminAuthenticationForm):
        def clean(self):  # instead of authenticating: no password is checked
            raise ValidationError(message, code="throttled")

    context = {
        **admin.site.each_context(request),
        "title": "Log in",
        "subtitle": None,
        "app_path": request.get_full_path(),
        "username": request.user.get_username(),
    }
    if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
        context[REDIRECT_FIELD_NAME] = reverse("admin:index", current_app=admin.site.name)
    request.current_app = admin.site.name
    response = LoginView.as_view(
        authentication_form=Refused,
        template_name=admin.site.login_template or "admin/login.html",
        extra_context=context,
    )(request)
    response.status_code = 429
    response["Retry-After"] = str(wait)
    return response
