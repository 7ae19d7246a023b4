"""Bad input of any kind is a 4xx in the error shape and changes nothing (SQLite and PostgreSQL).

List endpoints are found by walking the generated schema, so endpoints added
later are covered without touching this file.
"""

import asyncio
import json
import logging

import pytest
from django.test import override_settings
from django.urls import resolve, reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.validators import UniqueValidator

from concepts.models import Category, Concept, Example, Tag
from kbapi.edge.body_limit import BodyLimitMiddleware
from relations.models import Comparison, Relation
from tests.kbapi.test_errors import assert_error, refused_delete_dependents

MODELS = (Category, Tag, Concept, Example, Relation, Comparison)


def generated_schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def list_paths() -> list[str]:
    """GET operations without path parameters whose responses are paginated."""
    paths = []
    for path, item in generated_schema()["paths"].items():
        get = item.get("get")
        if "{" in path or not get:
            continue
        if any(p["name"] == "page" for p in get.get("parameters", [])):
            paths.append(path)
    return sorted(paths)


def searchable_paths() -> list[str]:
    return [
        path
        for path, item in generated_schema()["paths"].items()
        if "{" not in path
        and "get" in item
        and any(p["name"] == "search" for p in item["get"].get("parameters", []))
    ]


def ordered_paths() -> list[str]:
    """List operations that take ``ordering``."""
    return [
        path
        for path, item in generated_schema()["paths"].items()
        if "{" not in path
        and "get" in item
        and any(p["name"] == "ordering" for p in item["get"].get("parameters", []))
    ]


LIST_PATHS = list_paths()


def snapshot() -> dict:
    """Everything a bad request could have changed: each object's identity and version."""
    state = {}
    for model in MODELS:
        fields = ["pk", "version"] if hasattr(model, "version") else ["pk"]
        state[model.__name__] = sorted(model.objects.values_list(*fields))
    return state


@pytest.fixture
def unchanged(small_kb):
    """Asserts, after the test, that the knowledge base is exactly as it was."""
    before = snapshot()
    yield
    assert snapshot() == before


def post_raw(client, url, body: bytes | str, content_type="application/json", **extra):
    return client.generic("POST", url, body, content_type=content_type, **extra)


# --- NUL bytes ---------------------------------------------------------------------------


def test_the_schema_walk_finds_every_list():
    for resource in ("concepts", "categories", "tags", "examples", "relations", "comparisons"):
        assert f"/api/v1/{resource}/" in LIST_PATHS


@pytest.mark.parametrize("path", searchable_paths())
def test_nul_in_search_is_400(anon, unchanged, path):
    assert_error(anon.get(path + "?search=data%00base"), 400, "invalid")


@pytest.mark.parametrize("path", searchable_paths())
def test_a_search_of_a_thousand_words_is_400_not_a_huge_query(anon, unchanged, path):
    """1,000 words made SQLite refuse the query (a 500) and PostgreSQL take seconds."""
    response = anon.get(path, {"search": " ".join(["data"] * 1000)})
    assert_error(response, 400, "invalid")
    assert "At most 200 characters" in response.json()["errors"]["search"][0]


@pytest.mark.parametrize("path", searchable_paths())
def test_a_search_of_more_than_twelve_words_is_400(anon, unchanged, path):
    response = anon.get(path, {"search": " ".join(["db"] * 13)})
    assert_error(response, 400, "invalid")
    assert anon.get(path, {"search": " ".join(["db"] * 12)}).status_code == 200


def test_every_searchable_list_is_walked():
    searchable = set(searchable_paths())
    assert {f"/api/v1/{r}/" for r in ("concepts", "tags", "relations")} <= searchable
    assert set(ordered_paths()) >= searchable


@pytest.mark.parametrize("path", ordered_paths())
def test_ordering_with_two_minus_signs_is_400(anon, unchanged, path):
    """Django accepts one '-' before a field; '--name' reached it and was a 500."""
    for field in resolve(path).func.cls.ordering_fields:
        for ordering in (f"--{field}", f"---{field}", f"name,--{field}"):
            response = anon.get(path, {"ordering": ordering})
            assert_error(response, 400, "invalid")
            assert "ordering" in response.json()["errors"]


@pytest.mark.parametrize(
    ("route", "query"),
    [
        ("concept-list", "category=database%00-type"),
        ("concept-list", "name=%00"),
        ("example-list", "kind=system%00"),
        ("relation-list", "source=database%00"),
        ("tag-list", "name%00=x"),
    ],
)
def test_nul_in_filters_is_400(anon, unchanged, route, query):
    assert_error(anon.get(f"{reverse(route)}?{query}"), 400, "invalid")


@pytest.mark.parametrize("method", ["get", "patch", "put", "delete"])
def test_nul_in_a_slug_is_400(deleter, unchanged, method):
    response = getattr(deleter, method)("/api/v1/concepts/data%00base/", {}, format="json")
    assert_error(response, 400, "invalid")


@pytest.mark.parametrize(
    "body",
    [
        {"slug": "nul-name", "name": "Bad\u0000name"},
        {"slug": "nul-key", "name": "Fine", "x\u0000": "y"},
    ],
)
def test_nul_in_json_strings_is_400(editor, unchanged, body):
    response = editor.post(reverse("tag-list"), body, format="json")
    body = assert_error(response, 400, "parse_error")
    assert "NUL" in body["message"]


def test_nul_deep_in_a_json_list_is_400(editor, unchanged):
    url = reverse("concept-detail", args=["database"])
    response = editor.patch(url, {"aliases": ["DB", "D\u0000B"]}, format="json")
    assert_error(response, 400, "parse_error")


@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "x\\udc00y"])
def test_lone_surrogates_in_json_are_400(editor, unchanged, escape):
    body = '{"slug": "surrogate", "name": "ESCAPE"}'.replace("ESCAPE", escape)
    response = post_raw(editor, reverse("tag-list"), body)
    assert "surrogate" in assert_error(response, 400, "parse_error")["message"]


def test_a_surrogate_pair_is_a_valid_character(editor, small_kb):
    body = '{"slug": "emoji", "name": "Emoji \\ud83d\\ude00"}'
    response = post_raw(editor, reverse("tag-list"), body)
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "Emoji \U0001f600"


# --- malformed bodies ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        '{"slug": "x", ',
        '{"slug": "x", "name": "y"',
        '{"slug": "x" "name": "y"}',
        "{'slug': 'x'}",
        "\xff\xfe",
        '{"slug": "x", "name": NaN}',
        '{"slug": "x", "name": Infinity}',
        "[" * 5000 + "]" * 5000,
    ],
    ids=["truncated", "unclosed", "no-comma", "single-quotes", "not-utf8", "nan", "inf", "deep"],
)
def test_malformed_json_is_400(editor, unchanged, body):
    assert_error(post_raw(editor, reverse("tag-list"), body), 400, "parse_error")


def test_out_of_range_numbers_in_json_are_400(editor, unchanged):
    body = '{"traits": [{"factor": "scale_out", "value": "x", "fit": 1e400, "reason": "r"}]}'
    url = reverse("concept-detail", args=["key-value-store"])
    response = editor.generic("PATCH", url, body, content_type="application/json")
    assert "finite" in assert_error(response, 400, "parse_error")["message"]


@pytest.mark.parametrize("body", ["[]", '[{"slug": "x", "name": "y"}]', "42", '"tag"', "null"])
def test_json_that_is_not_an_object_is_400(editor, unchanged, body):
    assert_error(post_raw(editor, reverse("tag-list"), body), 400, "invalid")


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/xml", "multipart/form-data; boundary=x"]
)
def test_wrong_content_type_is_415(editor, unchanged, content_type):
    response = post_raw(editor, reverse("tag-list"), '{"slug": "x", "name": "y"}', content_type)
    assert_error(response, 415, "unsupported_media_type")


# --- size limits ---------------------------------------------------------------------------


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_body_over_the_limit_is_413(editor, unchanged):
    body = json.dumps({"slug": "big", "name": "x" * 2000})
    assert_error(post_raw(editor, reverse("tag-list"), body), 413, "payload_too_large")


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_declared_length_over_the_limit_is_413_before_reading(editor, unchanged):
    response = post_raw(editor, reverse("tag-list"), "{}", CONTENT_LENGTH="1000000")
    assert_error(response, 413, "payload_too_large")


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_body_longer_than_its_declared_length_is_cut_at_the_limit(editor, unchanged):
    """The parser counts the bytes it reads, so a short Content-Length cannot smuggle more."""
    from kbapi.http.parsers import read_bounded

    class Stream:
        def read(self, n=-1):
            return b"x" * (n if n > 0 else 10**6)

    with pytest.raises(Exception) as raised:
        read_bounded(Stream())
    assert raised.value.status_code == 413


def run_asgi(app, messages):
    """Drive an ASGI app with the given request messages; return what it sent and if it ran."""
    sent, called = [], []
    queue = list(messages)

    async def receive():
        return queue.pop(0) if queue else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    async def inner(scope, receive, send):
        called.append(True)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    headers = [(b"transfer-encoding", b"chunked")]
    scope = {"type": "http", "method": "POST", "path": "/api/v1/tags/", "headers": headers}
    asyncio.run(BodyLimitMiddleware(app or inner, limit=100)(scope, receive, send))
    return sent, called


def test_chunked_body_over_the_limit_is_413_without_calling_the_app():
    chunks = [{"type": "http.request", "body": b"x" * 60, "more_body": True}] * 3
    sent, called = run_asgi(None, chunks)
    assert sent[0]["status"] == 413 and not called
    assert json.loads(sent[1]["body"])["code"] == "payload_too_large"


def test_chunked_body_under_the_limit_reaches_the_app_whole():
    received = []

    async def app(scope, receive, send):
        while True:
            message = await receive()
            received.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})

    chunks = [
        {"type": "http.request", "body": b"a" * 40, "more_body": True},
        {"type": "http.request", "body": b"b" * 40, "more_body": False},
    ]
    sent, _ = run_asgi(app, chunks)
    assert sent[0]["status"] == 200
    assert b"".join(received) == b"a" * 40 + b"b" * 40


def test_an_http2_body_without_a_declared_length_is_still_counted():
    chunks = [{"type": "http.request", "body": b"x" * 60, "more_body": True}] * 3
    sent, called = [], []
    queue = list(chunks)

    async def receive():
        return queue.pop(0) if queue else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    async def app(scope, receive, send):
        called.append(True)

    scope = {"type": "http", "http_version": "2", "method": "POST", "path": "/", "headers": []}
    asyncio.run(BodyLimitMiddleware(app, limit=100)(scope, receive, send))
    assert sent[0]["status"] == 413 and not called


def test_a_request_without_a_body_reaches_the_app_with_its_receive_untouched():
    seen = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def app(scope, their_receive, send):
        seen.append(their_receive)

    scope = {"type": "http", "http_version": "1.1", "method": "GET", "path": "/", "headers": []}
    asyncio.run(BodyLimitMiddleware(app, limit=100)(scope, receive, None))
    assert seen == [receive]


# --- pages and page sizes ------------------------------------------------------------------


@pytest.mark.parametrize("path", LIST_PATHS)
@pytest.mark.parametrize("page", ["0", "-1", "abc", "", "1.5", "1e3", "٣"])
def test_malformed_page_is_400(anon, unchanged, path, page):
    required = {"q": "database"} if path.endswith("/search/") else {}
    body = assert_error(anon.get(path, {**required, "page": page}), 400, "invalid")
    assert "page" in body["errors"]


@pytest.mark.parametrize("page", [str(10**6), str(10**30), "9" * 5000])
def test_page_past_the_end_is_404(anon, unchanged, page):
    assert_error(anon.get(reverse("concept-list"), {"page": page}), 404, "not_found")


@pytest.fixture
def many_tags(small_kb):
    Tag.objects.bulk_create(Tag(slug=f"t-{i}", name=f"T {i}") for i in range(130))


@pytest.mark.parametrize(
    ("page_size", "expected"),
    [("0", 20), ("-5", 20), ("7", 7), ("100", 100), ("101", 100), (str(10**40), 100)],
)
def test_page_size_is_clamped_or_defaulted(anon, many_tags, page_size, expected):
    response = anon.get(reverse("tag-list"), {"page_size": page_size})
    assert response.status_code == 200
    assert len(response.json()["results"]) == expected


@pytest.mark.parametrize("page_size", ["abc", "", "1.5", "NaN"])
def test_page_size_that_is_not_a_whole_number_is_400(anon, unchanged, page_size):
    body = assert_error(anon.get(reverse("tag-list"), {"page_size": page_size}), 400, "invalid")
    assert "page_size" in body["errors"]


# --- ordering ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ordering",
    ["password", "category__concepts__definition", "-version", "name,nope", "name,", " name"],
)
def test_unknown_or_sensitive_ordering_is_400_listing_the_allowed_fields(anon, unchanged, ordering):
    response = anon.get(reverse("concept-list"), {"ordering": ordering})
    body = assert_error(response, 400, "invalid")
    assert "name, slug, updated_at" in body["errors"]["ordering"][0]


@pytest.mark.parametrize("path", LIST_PATHS)
def test_every_list_refuses_unknown_ordering(anon, unchanged, path):
    assert_error(anon.get(path, {"ordering": "password"}), 400, "invalid")


def test_known_ordering_orders(anon, small_kb):
    response = anon.get(reverse("concept-list"), {"ordering": "-slug"})
    slugs = [c["slug"] for c in response.json()["results"]]
    assert slugs == sorted(slugs, reverse=True)


def test_allowed_ordering_fields_are_documented_in_the_schema():
    params = generated_schema()["paths"]["/api/v1/concepts/"]["get"]["parameters"]
    ordering = next(p for p in params if p["name"] == "ordering")
    assert "created_at" in ordering["description"]
    assert "created_at" in ordering["schema"]["pattern"]


# --- numeric, date and choice filters ------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["NaN", "Infinity", "-Infinity", "1e400", "-1", "0", "1.5", str(10**30), "abc", ""]
)
def test_bad_numbers_in_a_numeric_filter_are_400(anon, unchanged, value):
    body = assert_error(anon.get(reverse("concept-list"), {"version_min": value}), 400, "invalid")
    assert "version_min" in body["errors"]


def test_numeric_filter_filters(anon, editor, small_kb):
    editor.patch(reverse("concept-detail", args=["database"]), {"summary": "S."}, format="json")
    response = anon.get(reverse("concept-list"), {"version_min": "2"})
    assert [c["slug"] for c in response.json()["results"]] == ["database"]


@pytest.mark.parametrize("value", ["yesterday", "2026-13-45T99:99", "1e400", "NaN", ""])
def test_garbage_dates_are_400(anon, unchanged, value):
    response = anon.get(reverse("concept-list"), {"updated_after": value})
    assert "updated_after" in assert_error(response, 400, "invalid")["errors"]


@pytest.mark.parametrize(("route", "param"), [("example-list", "kind"), ("relation-list", "type")])
@pytest.mark.parametrize("value", ["bogus", "", "SYSTEM"])
def test_invalid_choices_are_400_in_the_error_shape(anon, unchanged, route, param, value):
    body = assert_error(anon.get(reverse(route), {param: value}), 400, "invalid")
    assert param in body["errors"]


@pytest.mark.parametrize(
    ("route", "query"),
    [
        ("concept-list", {"category": "no-such-category"}),
        ("concept-list", {"tag": "no-such-tag"}),
        ("example-list", {"concept": "no-such-concept"}),
        ("relation-list", {"concept": "no-such-concept"}),
        ("comparison-list", {"concept": "x" * 5000}),
    ],
)
def test_unknown_slugs_in_filters_give_an_empty_list(anon, unchanged, route, query):
    response = anon.get(reverse(route), query)
    assert response.status_code == 200
    assert response.json()["count"] == 0


# --- lengths, duplicates, dependents -------------------------------------------------------


@pytest.mark.parametrize(
    ("route", "body", "field", "limit"),
    [
        ("tag-list", {"slug": "a" * 81, "name": "Long slug"}, "slug", 80),
        ("tag-list", {"slug": "long-name", "name": "n" * 101}, "name", 100),
        ("category-list", {"slug": "c", "name": "n" * 101}, "name", 100),
    ],
)
def test_over_long_slugs_and_names_are_400_with_the_limit(
    editor, unchanged, route, body, field, limit
):
    error = assert_error(editor.post(reverse(route), body, format="json"), 400, "invalid")
    assert str(limit) in error["errors"][field][0]


def test_over_long_slug_in_the_url_is_404(anon, unchanged):
    assert_error(anon.get(f"/api/v1/concepts/{'a' * 10000}/"), 404, "not_found")


def test_duplicate_tag_slug_is_400(editor, unchanged):
    response = editor.post(reverse("tag-list"), {"slug": "nosql", "name": "Other"}, format="json")
    assert "slug" in assert_error(response, 400, "invalid")["errors"]


def test_colliding_creates_are_409_not_500(editor, small_kb, monkeypatch):
    """Two creates that both pass validation: the loser hits the unique index and gets 409."""
    monkeypatch.setattr(UniqueValidator, "__call__", lambda self, value, field: None)
    monkeypatch.setattr(Tag, "validate_unique", lambda self, exclude=None: None)
    before = snapshot()
    response = editor.post(reverse("tag-list"), {"slug": "nosql", "name": "Other"}, format="json")
    assert_error(response, 409, "conflict")
    assert snapshot() == before


DATABASE_WORDS = ("UNIQUE constraint", "duplicate key", "violates", "IntegrityError", "concepts_")


def another_writer_commits_first(monkeypatch, model, **fields):
    """Between the checks of a write and its save, a row with ``fields`` appears, as when
    another writer's commit wins the race for a unique value."""
    checked = model.full_clean

    def racing(self, *args, **kwargs):
        checked(self, *args, **kwargs)
        model._default_manager.create(**fields)

    monkeypatch.setattr(model, "full_clean", racing)


@pytest.mark.parametrize(
    ("request_body", "winner", "field"),
    [
        ({"slug": "fresh", "name": "Fresh"}, {"slug": "fresh", "name": "Other"}, "slug"),
        ({"slug": "fresh", "name": "Fresh"}, {"slug": "other", "name": "Fresh"}, "name"),
    ],
)
def test_a_lost_race_for_a_unique_value_is_409_naming_the_field(
    editor, small_kb, monkeypatch, request_body, winner, field
):
    another_writer_commits_first(monkeypatch, Tag, **winner)
    before = snapshot()
    response = editor.post(reverse("tag-list"), request_body, format="json")
    body = assert_error(response, 409, "conflict")
    assert body["errors"] == {field: [f"Tag with this {field.capitalize()} already exists."]}
    assert body["message"] == f"This tag clashes with a stored one: {body['errors'][field][0]}"
    assert not any(word in response.content.decode() for word in DATABASE_WORDS)
    assert snapshot() == before


def test_a_lost_race_in_an_update_is_409_naming_the_field(editor, small_kb, monkeypatch):
    another_writer_commits_first(monkeypatch, Tag, slug="other", name="Renamed")
    response = editor.patch(
        reverse("tag-detail", args=["nosql"]), {"name": "Renamed"}, format="json"
    )
    body = assert_error(response, 409, "conflict")
    assert body["errors"] == {"name": ["Tag with this Name already exists."]}
    assert Tag.objects.get(slug="nosql").name == "NoSQL"


def test_a_lost_race_for_a_relation_is_409_in_its_own_words(editor, small_kb, monkeypatch):
    edge = {"source": "key-value-store", "type": "related-to", "target": "database"}
    another_writer_commits_first(
        monkeypatch,
        Relation,
        source=Concept.objects.get(slug="key-value-store"),
        type="related-to",
        target=Concept.objects.get(slug="database"),
    )
    response = editor.post(reverse("relation-list"), edge, format="json")
    body = assert_error(response, 409, "conflict")
    assert body["errors"] == {"non_field_errors": ["This relation already exists."]}
    assert not any(word in response.content.decode() for word in DATABASE_WORDS)


def test_deleting_a_category_in_use_is_409_listing_its_concepts(deleter, unchanged):
    dependents = refused_delete_dependents(deleter, "category-detail", "database-type")
    assert dependents["concepts"] == ["key-value-store", "relational-database"]


def test_deleting_a_linked_concept_is_409_listing_its_relations(deleter, unchanged):
    dependents = refused_delete_dependents(deleter, "concept-detail", "database")
    assert dependents["relations"] == [
        "database--prerequisite-of--relational-database",
        "key-value-store--is-a--database",
        "relational-database--is-a--database",
    ]
    assert "examples" not in dependents  # select-rows still illustrates another


# --- too many parameters ----------------------------------------------------------------

TOO_MANY = "&".join(f"p{i}=1" for i in range(1001))
ROUTES = [
    "/api/v1/concepts/",
    "/api/v1/concepts/database/",
    "/api/v1/concepts/database/history/",
    "/api/v1/search/",
    "/api/v1/graph/",
    "/api/v1/no-such-route/",
    "/api/schema/",
    "/api/docs/",
    "/api/redoc/",
    "/admin/",
    "/admin/login/",
    "/healthz",
]


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
@pytest.mark.parametrize("path", ROUTES)
def test_more_than_a_thousand_query_parameters_is_400_on_every_route(small_kb, path, debug):
    """Django refuses to parse them (TooManyFieldsSent); with DEBUG on (make run) its error
    page parsed them again and the request failed as a 500."""
    from django.test import Client

    with override_settings(DEBUG=debug):
        response = Client().get(f"{path}?{TOO_MANY}")
    body = assert_error(response, 400, "too_many_fields")
    assert "1000" in body["message"]


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_a_form_of_more_than_a_thousand_fields_is_400(small_kb, debug):
    """The admin's login form posted with 1,001 fields: the same 400, not Django's page."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.get("/admin/login/")  # the CSRF cookie, so the check would read the form
    token = client.cookies["csrftoken"].value
    form = {f"p{i}": "1" for i in range(1001)} | {"csrfmiddlewaretoken": token}
    with override_settings(DEBUG=debug):
        response = client.post("/admin/login/", form)
    assert_error(response, 400, "too_many_fields")


def test_a_thousand_query_parameters_are_still_read(anon, small_kb):
    query = "&".join(f"p{i}=1" for i in range(999)) + "&search=key"
    response = anon.get(f"/api/v1/concepts/?{query}")
    assert response.status_code == 200
    assert [c["slug"] for c in response.json()["results"]] == ["key-value-store"]


# --- hosts, CSRF, unknown routes, server errors --------------------------------------------


@pytest.mark.parametrize("debug", [False, True])
def test_host_not_in_allowed_hosts_is_json_400(anon, unchanged, debug):
    with override_settings(DEBUG=debug):
        response = anon.get(reverse("concept-list"), HTTP_HOST="evil.example.com")
    assert_error(response, 400, "disallowed_host")


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_to_unknown_api_routes_are_json_404_not_csrf_pages(anon, unchanged, method):
    response = getattr(anon, method)("/api/v1/concepts/a.b/", {}, format="json")
    assert_error(response, 404, "not_found")


def test_session_write_without_csrf_token_is_json_403(editor_user, unchanged):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(editor_user)
    response = client.post(reverse("tag-list"), {"slug": "x", "name": "X"}, format="json")
    assert_error(response, 403, "permission_denied")
    assert "CSRF" in response.json()["message"]


def test_an_unexpected_error_is_json_500_without_traceback_and_logged(
    anon, small_kb, monkeypatch, caplog
):
    from concepts.api.views import ConceptViewSet

    def explode(self, *args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(ConceptViewSet, "list", explode)
    with caplog.at_level(logging.ERROR):
        response = anon.get(reverse("concept-list"))
    body = assert_error(response, 500, "server_error")
    assert "secret" not in response.content.decode() and "Traceback" not in str(body)
    assert any("secret internals" in (r.exc_text or str(r.exc_info)) for r in caplog.records)


def test_an_error_outside_drf_is_json_500_under_api(small_kb, monkeypatch, caplog):
    """A crash in middleware or a plain view under /api/ still answers JSON (DEBUG off)."""
    from django.test import Client

    import kbapi.http.middleware

    def explode(request):
        raise RuntimeError("middleware broke")

    monkeypatch.setattr(kbapi.http.middleware, "nul_errors", explode)
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR):
        response = client.get(reverse("concept-list"))
    body = assert_error(response, 500, "server_error")
    assert "middleware broke" not in json.dumps(body)
    assert any("middleware broke" in str(r.exc_info) for r in caplog.records if r.exc_info)


# --- JSON types ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("route", "body", "field"),
    [
        ("tag-list", {"slug": "x", "name": 0}, "name"),
        ("category-list", {"slug": "x", "name": "X", "description": 0}, "description"),
        ("tag-list", {"slug": True, "name": "X"}, "slug"),
        ("concept-list", {"slug": "x", "tags": "week-1"}, "tags"),
        ("concept-list", {"slug": "x", "aliases": [1, 2]}, "aliases"),
        ("example-list", {"slug": "x", "concepts": [0]}, "concepts"),
        ("relation-list", {"source": 1, "type": "is-a", "target": "database"}, "source"),
        (
            "comparison-list",
            {"slug": "x", "aspects": [{"name": "A", "values": {"a": 1}}]},
            "aspects",
        ),
    ],
)
def test_values_of_the_wrong_json_type_are_400(editor, unchanged, route, body, field):
    error = assert_error(editor.post(reverse(route), body, format="json"), 400, "invalid")
    assert field in error["errors"]


def test_date_time_outside_utcs_range_is_400(anon, small_kb):
    response = anon.get(reverse("concept-list"), {"updated_after": "0001-01-01T00:00:00+17:52"})
    assert_error(response, 400, "invalid")


def test_date_time_with_an_offset_postgresql_refuses_is_converted(anon, small_kb):
    response = anon.get(reverse("concept-list"), {"updated_after": "0912-03-15T12:42:19-17:52"})
    assert response.status_code == 200
    assert response.json()["count"] == 3


@pytest.mark.parametrize(
    "path", ["/api/v1/concepts/", "/api/v1/concepts/database/", "/api/v1/tags/"]
)
def test_empty_format_is_400(anon, small_kb, path):
    body = assert_error(anon.get(path, {"format": ""}), 400, "invalid")
    assert "format" in body["errors"]


@pytest.mark.parametrize("fmt", ["dot", "mermaid", "jsonld"])
def test_options_describes_the_endpoint_in_json_whatever_the_format(anon, small_kb, fmt):
    for path in ("/api/v1/graph/", "/api/v1/concepts/"):
        response = anon.options(f"{path}?format={fmt}")
        if fmt != "jsonld" and path == "/api/v1/concepts/":
            continue  # concepts offer json and jsonld only
        assert response.status_code == 200, (path, response.content)
        assert response["Content-Type"].startswith("application/json")


def test_an_admin_form_without_its_csrf_token_gets_a_page_a_browser_can_show(editor_user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": "editor", "password": "x"})
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    assert b"CSRF verification failed" in response.content


# --- every documented parameter of every read, with malformed values ----------------------

ANY_VALUE = {
    "nul": "data\x00base",
    "empty": "",
    "very-long": "x" * 10_000,
    "many-words": " ".join(["db"] * 66),
    "control": "\x01\x1b[0m\x7f",
    "quote": "' OR 1=1 --",
    "percent": "%%%zz",
    "unicode": "\u202e\ufeff\U0001f600",
    "commas": ",,,",
}
BY_TYPE = {
    "integer": {
        "wrong-type": "abc",
        "fraction": "1.5",
        "nan": "NaN",
        "infinity": "-Infinity",
        "exponent": "1e400",
        "huge": "9" * 400,
        "negative": "-1",
        "non-ascii-digit": "\u0663",
    },
    "date-time": {
        "bad-date": "2026-13-45T99:99",
        "word": "yesterday",
        "out-of-utc": "0001-01-01T00:00:00+17:52",
        "far": "9999-12-31T23:59:59-23:59",
        "date-only": "2026-02-30",
    },
    "array": {"many-items": ",".join(["x"] * 2000)},
    "string": {"slug-like": "no-such-thing"},
}
# sent percent-encoded as they stand: bytes that are not UTF-8 (Django decodes them as U+FFFD)
RAW_VALUES = {"not-utf8": "%ff%fe", "encoded-surrogate": "%ED%A0%80", "overlong-nul": "%C0%80"}
BAD_HEADERS = {
    "If-None-Match": ["W/", '"unterminated', "x" * 10_000, '*, W/"a"', '"a" "b"'],
    "If-Modified-Since": ["yesterday", "Mon, 99 Foo 2026 99:99:99 GMT", "0", "9" * 400],
}


def read_operations() -> list[tuple[str, list[dict]]]:
    """(path template, documented parameters) of every GET in the schema (lists, details,
    histories, search, discovery)."""
    return sorted(
        (path, item["get"].get("parameters", []))
        for path, item in generated_schema()["paths"].items()
        if "get" in item
    )


def malformed_values(parameter: dict) -> dict[str, str]:
    """Values a client could send for ``parameter`` that it does not accept (or barely)."""
    schema = parameter["schema"]
    kind = "date-time" if schema.get("format") == "date-time" else schema.get("type", "string")
    values = {**ANY_VALUE, **BY_TYPE.get(kind, {})}
    choices = schema.get("enum") or schema.get("items", {}).get("enum") or []
    if choices:
        values["unknown-choice"] = "bogus"
        values["other-case"] = str(choices[0]).upper() + "X"
        values["all-choices"] = ",".join(map(str, choices))
    return values


def a_stored_path(anon, template: str) -> str:
    """``template`` with its path parameter filled with a stored object's slug or key."""
    if "{" not in template:
        return template
    head, _, rest = template.partition("{")
    name, _, tail = rest.partition("}")
    first = anon.get(head).json()["results"][0]
    return f"{head}{first[name]}{tail}"


def assert_no_server_error(response, what):
    assert response.status_code < 500, (what, response.content[:300])
    if response.status_code >= 400:
        body = json.loads(response.content)
        assert body["status"] == response.status_code, what
        assert body["code"] and body["message"], what


@pytest.fixture
def unthrottled(monkeypatch):
    """Hundreds of requests in one test: no throttle may answer them (nor count them)."""
    from kbapi.http.throttling import WindowCount

    monkeypatch.setattr(WindowCount, "allow_request", lambda self, request, view: True)


@pytest.mark.parametrize(("template", "parameters"), read_operations())
def test_malformed_values_of_every_documented_parameter_are_never_a_500(
    anon, small_kb, unthrottled, template, parameters
):
    """The schema's own parameters, each with every malformed value of its type, alone and
    repeated (a JSON error in the error shape, or an answer; never a 500)."""
    path = a_stored_path(anon, template)
    for parameter in parameters:
        name, where = parameter["name"], parameter["in"]
        if where == "query":
            for label, value in malformed_values(parameter).items():
                what = f"{path} {name}={label}"
                assert_no_server_error(anon.get(path, {name: value}), what)
                repeated = anon.get(path, {name: [value, "x"]})
                assert_no_server_error(repeated, f"{what} (repeated)")
            for label, raw in RAW_VALUES.items():
                response = anon.get(f"{path}?{name}={raw}")
                assert_no_server_error(response, f"{path} {name}={label}")
        elif where == "header":
            header = "HTTP_" + name.upper().replace("-", "_")
            for value in BAD_HEADERS[name]:
                response = anon.get(path, **{header: value})
                assert_no_server_error(response, f"{path} {name}: {value[:20]}")


def test_the_walk_covers_each_lists_filters_ordering_and_search():
    names = {
        path: {p["name"] for p in parameters if p["in"] == "query"}
        for path, parameters in read_operations()
    }
    assert {"ordering", "search", "category", "tag", "updated_after", "version_min"} <= names[
        "/api/v1/concepts/"
    ]
    assert {"kind", "concept"} <= names["/api/v1/examples/"]
    assert {"type", "source", "target"} <= names["/api/v1/relations/"]
    assert "q" in names["/api/v1/search/"]
