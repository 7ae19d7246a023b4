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

    The scheme, host and path around the slug are put together once per request
    and view: a concept's detail links to ~40 objects.

    ``keep_format``: as DRF's ``reverse`` does, carry a ``?format=`` of the request along.
    """
    if request is None:
        return object_path(view_name, slug, kwarg=kwarg)
    if keep_format and api_settings.URL_FORMAT_OVERRIDE in request.GET:
        return drf_reverse(view_name, kwargs={kwarg: slug}, request=request)
    django_request = getattr(request, "_request", request)
    try:
        templates = django_request._kbapi_object_urls
    except AttributeError:
        templates = django_request._kbapi_object_urls = {}
    around = templates.get((view_name, kwarg))
    if around is None:
        before, after = _around_slug(view_name, kwarg, get_script_prefix())
        # build_absolute_uri(path) for an absolute, ASCII path is the scheme and host before it
        around = templates[view_name, kwarg] = (django_request._current_scheme_host + before, after)
    return f"{around[0]}{slug}{around[1]}"
