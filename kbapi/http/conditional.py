"""Conditional requests (RFC 9110 section 13) on the detail resources.

``ETag`` is strong and names the object's version plus a digest of the exact
bytes of the representation: ``"v3-1f2e...`` . The digest makes the tag
differ between representations that differ (query parameters that shape the
body, and related data a detail embeds, such as a concept's relations), so a
``304`` is never answered for a body the client has not seen.

- ``If-None-Match`` (GET/HEAD; a list of tags or ``*``; weak comparison)
  answers ``304`` with no body; ``If-Modified-Since`` is used only when
  ``If-None-Match`` is absent (section 13.2.2), against ``Last-Modified``,
  the object's own ``updated_at``.
- ``If-Match`` (PUT/PATCH/DELETE, and the revert action; strong comparison,
  but for the weak form of the current tag, which is what nginx's gzip makes of
  it on the way: ``kbapi.edge.etags.if_match``; ``*`` matches any existing
  object) must match the tag of the current
  representation of the object, else ``412`` and nothing changes. The version
  is then handed to the service, which locks the row and compares the stored
  version with it (``kbapi.core.services.lock``), so a concurrent writer cannot
  slip in between. A malformed ``If-Match`` (not ``*`` and not a list of quoted
  tags) is a client bug, so it gets ``400`` rather than a ``412`` that would
  send the client round a refetch loop.
- ``REQUIRE_IF_MATCH`` (setting, off by default): writes without ``If-Match``
  get ``428``. Off by default because scripts, the loader and existing
  clients write without it; deployments whose clients all send it turn it on.
"""

import hashlib

from django.conf import settings
from django.http import HttpResponseNotModified
from django.utils.http import http_date, parse_http_date_safe
from rest_framework import exceptions
from rest_framework.response import Response

from kbapi.core.services import PreconditionFailed
from kbapi.edge.etags import if_match, none_match, parse_etags

DETAIL_ACTIONS = {"retrieve", "create", "update", "partial_update", "revert"}
GUARDED_ACTIONS = {"update", "partial_update", "destroy", "revert"}
WRITE_METHODS = {"PUT", "PATCH", "DELETE", "POST"}


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_code = "precondition_required"
    default_detail = "This server requires If-Match on writes; send the ETag you last read."


class MalformedPrecondition(exceptions.APIException):
    status_code = 400
    default_code = "malformed_precondition"
    default_detail = 'If-Match must be "*" or a comma-separated list of quoted entity tags.'


def etag_for(instance, content: bytes) -> str:
    digest = hashlib.sha256(content).hexdigest()[:20]
    version = getattr(instance, "version", None)
    return f'"v{version}-{digest}"' if version is not None else f'"{digest}"'


def last_modified_for(instance) -> str | None:
    updated_at = getattr(instance, "updated_at", None)
    return http_date(updated_at.timestamp()) if updated_at else None


class ConditionalMixin:
    """ETag / Last-Modified on detail responses; If-None-Match, If-Modified-Since, If-Match."""

    conditional_object = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if (
            settings.REQUIRE_IF_MATCH
            and self.action in GUARDED_ACTIONS
            and "HTTP_IF_MATCH" not in request.META
        ):
            raise PreconditionRequired()

    def retrieve(self, request, *args, **kwargs):
        self.conditional_object = instance = self.get_object()
        return Response(self.get_serializer(instance).data)

    def representation(self, instance) -> dict:
        return self.get_serializer(instance).data

    def current_etag(self, instance) -> str:
        """The tag a GET of this object would carry now (the same representation)."""
        data = self.representation(instance)
        renderer = self.request.accepted_renderer
        content = renderer.render(
            data, self.request.accepted_media_type, self.get_renderer_context()
        )
        return etag_for(instance, content)

    def expected_version(self, instance) -> int | None:
        """The version ``If-Match`` pins (None: no If-Match, or ``*``); 412 when it is stale."""
        header = self.request.META.get("HTTP_IF_MATCH")
        if header is None:
            return None
        tags = parse_etags(header)
        if tags is None:
            raise MalformedPrecondition()
        if tags == ["*"]:
            return None
        current = self.current_etag(instance)
        if not any(if_match(tag, current) for tag in tags):
            raise PreconditionFailed(
                "The object has changed since you read it; fetch it again and retry.",
                details={"etag": current},
            )
        return instance.version

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        instance = self.conditional_object
        if instance is None or self.action not in DETAIL_ACTIONS:
            return response
        if response.status_code not in (200, 201):
            return response
        response.render()
        etag = etag_for(instance, response.content)
        response["ETag"] = etag
        last_modified = last_modified_for(instance)
        if last_modified:
            response["Last-Modified"] = last_modified
        if request.method in ("GET", "HEAD") and self._not_modified(request, etag, instance):
            not_modified = HttpResponseNotModified()
            for header in ("ETag", "Last-Modified", "Vary", "Cache-Control"):
                if header in response:
                    not_modified[header] = response[header]
            return not_modified
        return response

    @staticmethod
    def _not_modified(request, etag: str, instance) -> bool:
        if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
        if if_none_match is not None:
            return none_match(if_none_match, etag)
        since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
        updated_at = getattr(instance, "updated_at", None)
        return since is not None and updated_at is not None and int(updated_at.timestamp()) <= since
