"""The schema of the caching policy (``kbapi.http.caching``): each answer's Cache-Control."""

from kbapi.edge.errors import NO_STORE
from kbapi.http.caching import PRIVATE, PUBLIC

CACHE_CONTROL_READ = {
    "description": (
        f"`{PUBLIC}` when anonymous: caches may keep it but revalidate each use; "
        f"`{PRIVATE}` when signed in."
    ),
    "schema": {"type": "string"},
}
CACHE_CONTROL_WRITE = {
    "description": f"`{NO_STORE}` (`{PRIVATE}` when signed in).",
    "schema": {"type": "string"},
}


def add_cache_headers(result, generator, request, public):
    """drf-spectacular hook: the Cache-Control of every operation's 2xx and 304 answers
    (errors are ``no-store``, said once in the API's description)."""
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            header = CACHE_CONTROL_READ if method == "get" else CACHE_CONTROL_WRITE
            for code, response in operation.get("responses", {}).items():
                if code.startswith("2") or code == "304":
                    response.setdefault("headers", {})["Cache-Control"] = header
    return result
