"""The viewset every knowledge-base resource shares: writes go through services."""

from collections.abc import Callable

from rest_framework import exceptions, viewsets
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from kbapi.core.services import WritesThroughServices
from kbapi.http.conditional import ConditionalMixin
from kbapi.http.input_types import check_types
from kbapi.http.renderers import JSONRenderer

CHANGE_MESSAGE_HEADER = "HTTP_X_CHANGE_MESSAGE"
CHANGE_MESSAGE_MAX = 500
WRITE_ACTIONS = frozenset({"update", "partial_update", "destroy"})


class JSONOptionsMixin:
    """OPTIONS describes the endpoint in JSON, whatever ``?format=`` asks of its other answers.

    And a method the endpoint does not offer is a 405 (with ``Allow``) before anything
    else: DRF authenticates and checks permissions first, so an anonymous POST to a detail
    URL was a 401, which tells a client to sign in for something no one may do.
    """

    def perform_authentication(self, request):
        # DRF's initial(): content negotiation (an unknown format suffix is a 404), then
        # this, then permissions and throttles
        method = request.method.lower()
        if method not in self.http_method_names or not hasattr(self, method):
            raise exceptions.MethodNotAllowed(request.method)
        super().perform_authentication(request)

    def options(self, request, *args, **kwargs):
        response = super().options(request, *args, **kwargs)
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
        return response


class ServiceModelViewSet(
    WritesThroughServices, JSONOptionsMixin, ConditionalMixin, viewsets.ModelViewSet
):
    """A ModelViewSet whose create/update/delete call the app's services.

    Subclasses name their model's services (``writes = services.CONCEPT_WRITES``); a list
    may have its own serializer (``brief_serializer_class``) and querysets may come
    from selectors (``list_selector``, ``detail_selector``: the detail's and writes').
    """

    lookup_field = "slug"
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    create_service: Callable
    update_service: Callable
    delete_service: Callable
    service_object: str
    brief_serializer_class = None
    list_selector: Callable | None = None
    detail_selector: Callable | None = None

    def get_queryset(self):
        selector = type(self).list_selector if self.action == "list" else None
        selector = selector or type(self).detail_selector
        return selector() if selector is not None else super().get_queryset()

    def get_serializer_class(self):
        if self.action == "list" and self.brief_serializer_class is not None:
            return self.brief_serializer_class
        return super().get_serializer_class()

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if "data" in kwargs:
            check_types(serializer, kwargs["data"])
        return serializer

    def write_context(self) -> dict:
        message = self.request.META.get(CHANGE_MESSAGE_HEADER, "")[:CHANGE_MESSAGE_MAX]
        return {"actor": self.request.user, "change_message": message}

    def versioned_context(self, instance) -> dict:
        """The write context plus the version ``If-Match`` pins (see kbapi.http.conditional)."""
        return {**self.write_context(), "expected_version": self.expected_version(instance)}

    def get_object(self):
        if self.action not in WRITE_ACTIONS:
            return super().get_object()
        lookup = self.lookup_url_kwarg or self.lookup_field
        queryset = self.get_queryset().model._default_manager.all()
        obj = get_object_or_404(queryset, **{self.lookup_field: self.kwargs[lookup]})
        self.check_object_permissions(self.request, obj)
        return obj  # the row alone: the service reads it again under its lock

    def representation(self, instance) -> dict:
        """What a GET of ``instance`` answers now: the body of a write's answer, and what
        ``If-Match`` is compared with."""
        fresh = self.get_queryset().get(pk=instance.pk)
        self.conditional_object = fresh
        return self.get_serializer(fresh).data

    def create(self, request, *args, **kwargs):
        # 201 with what a GET of the new object answers (counts and embedded parts included);
        # a comment, not a docstring: the schema takes an action's docstring as its description
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        data = self.representation(serializer.instance)
        return Response(data, status=201, headers=self.get_success_headers(data))

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        self.perform_update(serializer)
        return Response(self.representation(serializer.instance))

    def perform_create(self, serializer):
        serializer.instance = type(self).create_service(
            **serializer.validated_data, **self.write_context()
        )
        self.conditional_object = serializer.instance

    def perform_update(self, serializer):
        serializer.instance = type(self).update_service(
            **{self.service_object: serializer.instance},
            data=serializer.validated_data,
            **self.versioned_context(serializer.instance),
        )
        self.conditional_object = serializer.instance

    def perform_destroy(self, instance):
        type(self).delete_service(
            **{self.service_object: instance}, **self.versioned_context(instance)
        )
