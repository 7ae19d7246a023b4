"""The schema of the RateLimit fields (``kbapi.http.throttling``) on every API answer."""

DRAFT = "draft-ietf-httpapi-ratelimit-headers-10"
RATELIMIT_HEADERS = {
    "RateLimit-Policy": {
        "description": (
            f"The policy of the count this request came closest to refusing in ({DRAFT}): "
            '`"<name>";q=<requests>;w=<seconds>`, e.g. `"anon";q=1000;w=60`. Names: '
            "`anon` (per address), `user` (per signed-in user), `write` (writes), "
            "`login` and `login_user` (token and admin logins, per address and per "
            "username). Absent where nothing was counted: answers the response cache "
            "serves, and 401/403 (decided before the throttles)."
        ),
        "schema": {"type": "string"},
        "example": '"anon";q=1000;w=60',
    },
    "RateLimit": {
        "description": (
            f"What is left of that policy's window ({DRAFT}): "
            '`"<name>";r=<requests left>;t=<seconds until the window resets>`, e.g. '
            '`"anon";r=998;t=41`; `r=0` on a 429, next to `Retry-After`. Absent where '
            "nothing was counted (as `RateLimit-Policy`)."
        ),
        "schema": {"type": "string"},
        "example": '"anon";r=998;t=41',
    },
}


def add_ratelimit_headers(result, generator, request, public):
    """drf-spectacular hook: the two fields, once in ``components.headers`` and referenced
    by every answer of every operation (every API view is throttled)."""
    result.setdefault("components", {}).setdefault("headers", {}).update(RATELIMIT_HEADERS)
    refs = {name: {"$ref": f"#/components/headers/{name}"} for name in RATELIMIT_HEADERS}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            for response in operation.get("responses", {}).values():
                if "$ref" not in response:
                    response.setdefault("headers", {}).update(refs)
    return result
