"""The two references the benchmark compares every endpoint with.

* ``bare_app``: an ASGI app returning fixed JSON, the ceiling of the server.
* ``values_page``: a hand-written Django view returning a page of 20 concepts
  from ``.values()``, the fastest path through Django and its ORM.
"""

import json

from django.http import HttpResponse

BARE_BODY = json.dumps({"status": "ok", "results": [{"slug": "acid", "name": "ACID"}]}).encode()
BARE_HEADERS = [
    (b"content-type", b"application/json"),
    (b"content-length", str(len(BARE_BODY)).encode()),
]


async def bare_app(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": BARE_HEADERS})
    await send({"type": "http.response.body", "body": BARE_BODY})


def values_page(request):
    from concepts.models import Concept

    rows = list(
        Concept.objects.order_by("name").values(
            "slug", "name", "summary", "category__slug", "updated_at"
        )[:20]
    )
    body = {"count": Concept.objects.count(), "results": rows}
    return HttpResponse(json.dumps(body, default=str), content_type="application/json")
