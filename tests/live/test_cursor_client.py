"""The Python client generated from schema.yml follows cursor pages on the live app, and
the live ASGI stack's answers carry the RateLimit fields (but its response-cache hits)."""

from urllib.parse import parse_qs, urlsplit

import httpx

from tests.live.test_python_client import client_module  # noqa: F401  (a fixture)
from tests.liveserver import is_postgresql


def cursor_of(url: str | None) -> str | None:
    """The ``cursor`` parameter of a page's ``next`` or ``previous`` link."""
    return parse_qs(urlsplit(url).query)["cursor"][0] if url else None


def test_generated_client_follows_cursor_pages(live_app, client_module):  # noqa: F811
    from kbapi_client.api.concepts import concepts_list
    from kbapi_client.api.relations import relations_list
    from kbapi_client.models import ConceptsListPagination, RelationsListPagination

    client = client_module.Client(base_url=live_app.url, raise_on_unexpected_status=True)
    whole = concepts_list.sync(client=client, page_size=100)
    slugs, pages = [], 0
    page = concepts_list.sync(client=client, pagination=ConceptsListPagination.CURSOR, page_size=50)
    while True:
        pages += 1
        assert page.count == whole.count
        slugs += [c.slug for c in page.results]
        cursor = cursor_of(page.next_)
        if cursor is None or pages > 20:
            break
        page = concepts_list.sync(client=client, cursor=cursor, page_size=50)
    assert len(slugs) == len(set(slugs)) == whole.count
    assert pages == -(-whole.count // 50)

    back = concepts_list.sync(client=client, cursor=cursor_of(page.previous), page_size=50)
    assert [c.slug for c in back.results] == slugs[-50 - len(page.results) : -len(page.results)]

    edges = relations_list.sync(
        client=client, pagination=RelationsListPagination.CURSOR, source="key-value-store"
    )
    assert edges.results and all(e.source == "key-value-store" for e in edges.results)


def test_live_answers_carry_the_ratelimit_fields_but_cache_hits(live_app):
    """On SQLite the live app runs the response cache; on PostgreSQL without Redis it does
    not, and every answer is Django's, counted (tests/live/test_http_caching_live.py)."""
    url = f"{live_app.url}/api/v1/tags/?page_size=7"
    first, second = httpx.get(url), httpx.get(url)
    assert first.headers["ratelimit-policy"].startswith('"anon";q=')
    assert first.headers["ratelimit"].startswith('"anon";r=')
    if is_postgresql():
        assert "x-cache" not in second.headers
        assert second.headers["ratelimit"].startswith('"anon";r=')
    else:
        assert (first.headers["x-cache"], second.headers["x-cache"]) == ("miss", "hit")
        assert "ratelimit" not in second.headers and "ratelimit-policy" not in second.headers
