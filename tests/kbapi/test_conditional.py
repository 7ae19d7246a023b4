"""Conditional requests: ETag / Last-Modified, 304 on If-None-Match, 412 / 428 on If-Match."""

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils.http import http_date

from concepts.models import Concept
from relations.models import Relation

DETAILS = [
    ("concept-detail", "relational-database", {"summary": "Rows in tables, changed."}),
    ("category-detail", "database-type", {"description": "Kinds of database, changed."}),
    ("tag-detail", "nosql", {"name": "No SQL"}),
    ("example-detail", "select-rows", {"description": "Reading rows, changed."}),
    ("relation-detail", "relational-database--is-a--database", {"note": "changed"}),
    ("comparison-detail", "relational-vs-key-value", {"summary": "Tables or keys, changed."}),
]
IDS = [route for route, _, _ in DETAILS]


def url(route, slug):
    return reverse(route, args=[slug])


@pytest.mark.parametrize(("route", "slug", "change"), DETAILS, ids=IDS)
def test_detail_carries_a_strong_etag_and_last_modified(anon, small_kb, route, slug, change):
    response = anon.get(url(route, slug))
    assert response.status_code == 200
    assert response["ETag"].startswith('"v1-') and response["ETag"].endswith('"')
    assert response["Last-Modified"].endswith("GMT")


@pytest.mark.parametrize(("route", "slug", "change"), DETAILS, ids=IDS)
def test_if_none_match_answers_304_with_no_body(anon, small_kb, route, slug, change):
    etag = anon.get(url(route, slug))["ETag"]
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        response = anon.get(url(route, slug), HTTP_IF_NONE_MATCH=header)
        assert response.status_code == 304, header
        assert response.content == b""
        assert response["ETag"] == etag
    assert anon.get(url(route, slug), HTTP_IF_NONE_MATCH='"other"').status_code == 200


@pytest.mark.parametrize(("route", "slug", "change"), DETAILS, ids=IDS)
def test_stale_if_match_is_rejected_and_nothing_changes(editor, small_kb, route, slug, change):
    before = editor.get(url(route, slug))
    editor.patch(url(route, slug), change, format="json")  # someone else's edit
    middle = editor.get(url(route, slug))
    response = editor.patch(
        url(route, slug), {"summary": "x"}, format="json", HTTP_IF_MATCH=before["ETag"]
    )
    assert response.status_code == 412
    assert response.json()["code"] == "precondition_failed"
    assert response.json()["status"] == 412
    after = editor.get(url(route, slug))
    assert after.content == middle.content
    assert after["ETag"] == middle["ETag"] != before["ETag"]


@pytest.mark.parametrize(("route", "slug", "change"), DETAILS, ids=IDS)
def test_fresh_if_match_writes_and_answers_the_new_etag(editor, small_kb, route, slug, change):
    etag = editor.get(url(route, slug))["ETag"]
    response = editor.patch(url(route, slug), change, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    new_etag = response["ETag"]
    assert new_etag.startswith('"v2-')
    # the tag a write answers is the tag the next read carries, so it can be sent on
    assert editor.get(url(route, slug))["ETag"] == new_etag
    again = editor.patch(url(route, slug), change, format="json", HTTP_IF_MATCH=new_etag)
    assert again.status_code == 200


def test_if_match_takes_a_list_and_star(editor, small_kb):
    target = url("tag-detail", "nosql")
    etag = editor.get(target)["ETag"]
    listed = editor.patch(target, {"name": "A"}, format="json", HTTP_IF_MATCH=f'"x", {etag}')
    assert listed.status_code == 200
    star = editor.patch(target, {"name": "B"}, format="json", HTTP_IF_MATCH="*")
    assert star.status_code == 200
    assert star.json()["version"] == 3


def test_the_weak_form_of_the_current_etag_writes_and_a_stale_one_does_not(editor, small_kb):
    """nginx's gzip hands clients W/"<our tag>": that still names this exact version."""
    target = url("tag-detail", "nosql")
    etag = editor.get(target)["ETag"]
    response = editor.patch(target, {"name": "A"}, format="json", HTTP_IF_MATCH=f"W/{etag}")
    assert response.status_code == 200, response.content
    stale = editor.patch(target, {"name": "B"}, format="json", HTTP_IF_MATCH=f"W/{etag}")
    assert stale.status_code == 412
    assert editor.get(target).json()["name"] == "A"
    other = editor.patch(target, {"name": "B"}, format="json", HTTP_IF_MATCH='W/"v2-other"')
    assert other.status_code == 412


@pytest.mark.parametrize("header", ["abc", '"unterminated', "v1", '"a" "b"', ""])
def test_malformed_if_match_is_400_and_nothing_changes(editor, small_kb, header):
    target = url("tag-detail", "nosql")
    response = editor.patch(target, {"name": "A"}, format="json", HTTP_IF_MATCH=header)
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_precondition"
    assert editor.get(target).json()["name"] == "NoSQL"


def test_stale_if_match_on_delete_is_412_and_keeps_the_object(deleter, small_kb):
    target = url("relation-detail", "relational-database--is-a--database")
    etag = deleter.get(target)["ETag"]
    deleter.patch(target, {"note": "newer"}, format="json")
    assert deleter.delete(target, HTTP_IF_MATCH=etag).status_code == 412
    assert Relation.objects.filter(note="newer").exists()
    fresh = deleter.get(target)["ETag"]
    assert deleter.delete(target, HTTP_IF_MATCH=fresh).status_code == 204


def test_etag_changes_when_embedded_related_data_changes(editor, small_kb):
    """A concept embeds its relations: a new relation must not be hidden behind a 304."""
    target = url("concept-detail", "key-value-store")
    etag = editor.get(target)["ETag"]
    created = editor.post(
        reverse("relation-list"),
        {"source": "database", "type": "related-to", "target": "key-value-store"},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert editor.get(target, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_etag_differs_between_representations_that_differ(anon, small_kb):
    """Query parameters that change the body change the tag (the digest is of the bytes)."""
    plain = anon.get(url("concept-detail", "database"))
    other = anon.get(url("concept-detail", "database"), HTTP_HOST="localhost")
    assert plain.content != other.content
    assert plain["ETag"] != other["ETag"]


def test_if_modified_since_answers_304_when_not_modified(anon, small_kb):
    concept = Concept.objects.get(slug="database")
    target = url("concept-detail", "database")
    later = http_date(concept.updated_at.timestamp() + 60)
    earlier = http_date(concept.updated_at.timestamp() - 60)
    assert anon.get(target, HTTP_IF_MODIFIED_SINCE=later).status_code == 304
    assert anon.get(target, HTTP_IF_MODIFIED_SINCE=earlier).status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2)
    assert (
        anon.get(target, HTTP_IF_MODIFIED_SINCE=later, HTTP_IF_NONE_MATCH='"x"').status_code == 200
    )


@override_settings(REQUIRE_IF_MATCH=True)
@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_required_if_match_answers_428_when_missing(deleter, small_kb, method):
    target = url("tag-detail", "nosql")
    response = getattr(deleter, method)(target, {"slug": "nosql", "name": "X"}, format="json")
    assert response.status_code == 428
    assert response.json()["code"] == "precondition_required"
    assert deleter.get(target).json()["name"] == "NoSQL"
    etag = deleter.get(target)["ETag"]
    ok = getattr(deleter, method)(
        target, {"slug": "nosql", "name": "X"}, format="json", HTTP_IF_MATCH=etag
    )
    assert ok.status_code in (200, 204)


@override_settings(REQUIRE_IF_MATCH=True)
def test_required_if_match_leaves_creates_and_reads_alone(editor, small_kb):
    assert editor.get(url("tag-detail", "nosql")).status_code == 200
    created = editor.post(reverse("tag-list"), {"slug": "new", "name": "New"}, format="json")
    assert created.status_code == 201
    assert created["ETag"].startswith('"v1-')


def test_head_answers_the_same_etag_and_304(anon, small_kb):
    target = url("concept-detail", "database")
    etag = anon.get(target)["ETag"]
    assert anon.head(target)["ETag"] == etag
    assert anon.head(target, HTTP_IF_NONE_MATCH=etag).status_code == 304
