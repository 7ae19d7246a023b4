"""Absolute URLs of objects by slug, without a URL reversal per object.

Lists and discovery answers carry a URL for every object they name, often
dozens per response; ``reverse()`` walks the resolver each time. The path of
``<view>/{slug}/`` is the same but for the slug, so it is reversed once per
view (and script prefix) and the slug put in its place. Slugs are URL-safe
(``[-a-zA-Z0-9_]``), so no quoting is lost.
"""

from functools import lru_cache

from django.urls import get_script_prefix, reverse
from rest_framework.reverse import reverse as drf_reverse
from rest_framework.settings import api_settings

_SLOT = "0slot0"  # a valid slug that no URL pattern spells otherwise


@lru_cache(maxsize=64)
def _around_slug(view_name: str, kwarg: str, script_prefix: str) -> tuple[str, str]:
    path = reverse(view_name, kwargs={kwarg: _SLOT})
    before, _, after = path.rpartition(_SLOT)
    return before, after


def object_path(view_name: str, slug: str, *, kwarg: str = "slug") -> str:
    """``reverse(view_name, kwargs={kwarg: slug})``, from a cached template."""
    before, after = _around_slug(view_name, kwarg, get_script_prefix())
    return f"{before}{slug}{after}"


def object_url(
    request, view_name: str, slug: str, *, kwarg: str = "slug", keep_format: bool = False
) -> str:
    """The absolute URL of ``object_path`` for ``request`` (the path alone without one).

    ``keep_format``: as DRF's ``reverse`` does, carry a ``?format=`` of the request along.
    """
    if keep_format and request is not None and api_settings.URL_FORMAT_OVERRIDE in request.GET:
        return drf_reverse(view_name, kwargs={kwarg: slug}, request=request)
    path = object_path(view_name, slug, kwarg=kwarg)
    if request is None:
        return path
    # build_absolute_uri(path) for an absolute, ASCII path is the scheme and host before it
    return getattr(request, "_request", request)._current_scheme_host + path
