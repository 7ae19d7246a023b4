"""Pages by cursor (``?pagination=cursor``, kbapi.http.pagination.ListPagination): stable
while rows are inserted, the project's collection shape and Link header, and a 400 in
the error shape for a cursor the API did not make or an order it cannot keep."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from concepts.models import Tag
from tests.kbapi.test_errors import assert_error

LISTS = ["category-list", "tag-list", "concept-list", "example-list", "relation-list"]
LISTS += ["comparison-list"]


def walk(client, url: str, limit: int = 100) -> list[dict]:
    """Every page from ``url`` by its ``next`` links (at most ``limit`` pages)."""
    pages = []
    while url and len(pages) < limit:
        response = client.get(url)
        assert response.status_code == 200, response.content
        pages.append(response.json())
        url = pages[-1]["next"]
    assert url is None, "more pages than the limit"
    return pages


def new_tag(i: int) -> Tag:
    # a slug and name that sort first: page numbers would shift every later page by one
    return Tag.objects.create(slug=f"aaa-{i:03d}", name=f"AAA {i:03d}")


def test_pages_stay_stable_while_rows_are_inserted(anon, small_kb):
    for i in range(5):
        Tag.objects.create(slug=f"zzz-{i}", name=f"ZZZ {i}")
    before = set(Tag.objects.values_list("slug", flat=True))
    assert len(before) >= 8
    url = reverse("tag-list") + "?pagination=cursor&page_size=2"
    seen, inserted, pages = [], [], 0
    while url and pages < 50:
        body = anon.get(url).json()
        seen += [tag["slug"] for tag in body["results"]]
        inserted.append(new_tag(pages).slug)  # between two page requests
        url, pages = body["next"], pages + 1
    assert url is None
    assert len(seen) == len(set(seen)), "a row was seen twice"
    assert before <= set(seen), "a row was skipped"
    assert set(seen) - before <= set(inserted)  # new rows come later, in creation order


def test_page_numbers_shift_under_the_same_inserts(anon, small_kb):
    """Why the cursor: by page number, an insert before the page read next repeats a row."""
    for i in range(3):
        Tag.objects.create(slug=f"zzz-{i}", name=f"ZZZ {i}")
    url = reverse("tag-list") + "?page_size=2"
    first = [tag["slug"] for tag in anon.get(url).json()["results"]]
    new_tag(0)
    second = [tag["slug"] for tag in anon.get(url + "&page=2").json()["results"]]
    assert set(first) & set(second)


@pytest.mark.parametrize("route", LISTS)
def test_every_list_pages_by_cursor_forth_and_back(anon, small_kb, route):
    base = reverse(route)
    whole = anon.get(base + "?page_size=100").json()
    pages = walk(anon, base + "?pagination=cursor&page_size=2")
    results = [item for page in pages for item in page["results"]]
    key = "key" if route == "relation-list" else "slug"
    assert sorted(r[key] for r in results) == sorted(r[key] for r in whole["results"])
    assert all(page["count"] == whole["count"] for page in pages)  # the whole list's size
    assert set(pages[0]) == {"count", "next", "previous", "results"}
    assert pages[0]["previous"] is None
    if len(pages) > 1:  # back from the last page: the one before it again
        back = anon.get(pages[-1]["previous"]).json()
        assert back["results"] == pages[-2]["results"]


def test_link_header_names_next_prev_and_first(anon, small_kb):
    first = anon.get(reverse("tag-list") + "?pagination=cursor&page_size=1")
    links = dict(
        (rel.split('"')[1], url.strip(" <>"))
        for url, rel in (part.split(";") for part in first["Link"].split(","))
    )
    assert links["next"] == first.json()["next"]
    assert set(links) == {"next", "first"}
    second = anon.get(links["next"])
    second_links = second["Link"]
    assert f'<{second.json()["previous"]}>; rel="prev"' in second_links
    first_url = [p for p in second_links.split(", ") if p.endswith('rel="first"')][0]
    query = parse_qs(urlsplit(first_url.strip("<>").split(">")[0]).query)
    assert query == {"pagination": ["cursor"], "page_size": ["1"]}


def test_filters_and_search_page_by_cursor(anon, small_kb):
    whole = anon.get(reverse("concept-list") + "?search=data&page_size=100").json()
    pages = walk(anon, reverse("concept-list") + "?search=data&pagination=cursor&page_size=1")
    slugs = [item["slug"] for page in pages for item in page["results"]]
    assert sorted(slugs) == sorted(c["slug"] for c in whole["results"])


def test_a_cursor_alone_pages_by_cursor(anon, small_kb):
    body = anon.get(reverse("tag-list") + "?pagination=cursor&page_size=1").json()
    cursor = parse_qs(urlsplit(body["next"]).query)["cursor"][0]
    alone = anon.get(reverse("tag-list"), {"cursor": cursor, "page_size": 1}).json()
    assert alone["previous"] is not None and alone["results"] != body["results"]


def tampered(cursor: str) -> list[str]:
    value, _, signature = cursor.partition(":")
    return [
        f"f999999:{signature}",  # another position under the old signature
        f"{value}:{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}",
        value,
        "cD00ODY=",  # DRF's own (unsigned) form
        "",
        "x" * 500,
    ]


def test_a_tampered_cursor_is_a_400_in_the_error_shape(anon, small_kb):
    body = anon.get(reverse("tag-list") + "?pagination=cursor&page_size=1").json()
    cursor = parse_qs(urlsplit(body["next"]).query)["cursor"][0]
    for bad in tampered(cursor):
        error = assert_error(anon.get(reverse("tag-list"), {"cursor": bad}), 400, "invalid")
        assert "cursor" in error["errors"]
    assert anon.get(reverse("tag-list"), {"cursor": cursor}).status_code == 200
    # another list's cursor: signed for the list it came from
    assert_error(anon.get(reverse("category-list"), {"cursor": cursor}), 400, "invalid")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("pagination=cursor&ordering=name", "ordering"),
        ("pagination=cursor&page=2", "page"),
        ("pagination=pages", "pagination"),
        ("pagination=page&cursor=x", "cursor"),
    ],
)
def test_what_a_cursor_cannot_honour_is_a_400(anon, small_kb, query, field):
    error = assert_error(anon.get(reverse("concept-list") + "?" + query), 400, "invalid")
    assert field in error["errors"]


def test_page_numbers_stay_the_default_and_unchanged(anon, small_kb):
    body = anon.get(reverse("tag-list") + "?page_size=2").json()
    assert body["next"].endswith("?page=2&page_size=2")
    assert anon.get(reverse("tag-list") + "?pagination=page&page_size=2").json() == {
        **body,
        "next": body["next"].replace("?page=2&page_size=2", "?page=2&page_size=2&pagination=page"),
    }


def test_an_objects_history_pages_by_cursor_while_edits_land_on_top(editor, small_kb):
    target = reverse("concept-detail", args=["database"])
    for i in range(5):
        assert editor.patch(target, {"summary": f"Edit {i}."}, format="json").status_code == 200
    url = reverse("concept-history", args=["database"])
    before = [entry["id"] for entry in editor.get(url + "?page_size=100").json()["results"]]
    assert len(before) >= 6
    seen, next_url, pages = [], url + "?pagination=cursor&page_size=2", 0
    while next_url and pages < 20:
        body = editor.get(next_url).json()
        assert body["count"] == len(before) + pages  # one edit more per page read
        seen += [entry["id"] for entry in body["results"]]
        editor.patch(target, {"summary": f"Meanwhile {pages}."}, format="json")  # on top
        next_url, pages = body["next"], pages + 1
    assert seen == before  # newest first, none twice, none skipped; new edits on page 1
    back = editor.get(body["previous"]).json()
    assert [entry["id"] for entry in back["results"]] == before[-4:-2]


def test_a_list_built_in_python_without_a_cursor_key_pages_by_number_only(rf):
    from rest_framework.request import Request

    from kbapi.http.pagination import ListPagination

    request = Request(rf.get("/api/v1/x/?pagination=cursor"))
    with pytest.raises(Exception, match="by number only"):
        ListPagination().paginate_queryset([1, 2, 3], request, view=object())
