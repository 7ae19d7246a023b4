"""The viewset every knowledge-base resource shares: writes go through services."""

from collections.abc import Callable

from rest_framework import viewsets

from kbapi.conditional import ConditionalMixin
from kbapi.renderers import JSONRenderer
from kbapi.strict import check_types

CHANGE_MESSAGE_HEADER = "HTTP_X_CHANGE_MESSAGE"
CHANGE_MESSAGE_MAX = 500


class JSONOptionsMixin:
    """OPTIONS describes the endpoint in JSON, whatever ``?format=`` asks of its other answers."""

    def options(self, request, *args, **kwargs):
        response = super().options(request, *args, **kwargs)
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
        return response


class ServiceModelViewSet(JSONOptionsMixin, ConditionalMixin, viewsets.ModelViewSet):
    """A ModelViewSet whose create/update/delete call the app's services.

    Subclasses name their services and the keyword the update/delete services
    take the object by (``service_object = "concept"``).
    """

    lookup_field = "slug"
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    create_service: Callable
    update_service: Callable
    delete_service: Callable
    service_object: str

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if "data" in kwargs:
            check_types(serializer, kwargs["data"])
        return serializer

    def write_context(self) -> dict:
        message = self.request.META.get(CHANGE_MESSAGE_HEADER, "")[:CHANGE_MESSAGE_MAX]
        return {"actor": self.request.user, "change_message": message}

    def versioned_context(self, instance) -> dict:
        """The write context plus the version ``If-Match`` pins (see kbapi.conditional)."""
        return {**self.write_context(), "expected_version": self.expected_version(instance)}

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
