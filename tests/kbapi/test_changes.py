"""The change feed, GET /api/v1/changes/: every write once, in order, from a cursor.

Tests in a rolled-back transaction never commit, so on PostgreSQL the rows'
positions (given at commit by a deferred trigger) are given here by ``settle()``,
which runs the pending deferred triggers (``SET CONSTRAINTS ALL IMMEDIATE``) as a
commit would. The live test at the end commits for real, through two workers.
"""

import json
import threading
import urllib.error
import urllib.request

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from history.models import Change
from tests.factories import NEW_BODIES
from tests.liveserver import throwaway_database, uvicorn

FEED = "/api/v1/changes/"
NEW = {
    "category": {"slug": "storage", "name": "Storage", "description": "Where data lives."},
    "tag": {"slug": "week-9", "name": "Week 9"},
    **NEW_BODIES,
}
EDIT_FIELD = {
    "category": "description",
    "tag": "name",
    "example": "description",
    "relation": "note",
}


def key_of(resource: str) -> str:
    if resource == "relation":
        return "key-value-store--related-to--database"
    return NEW[resource]["slug"]


def settle() -> None:
    """Give the uncommitted feed rows their positions, as their commit would."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def last_cursor() -> int:
    settle()
    return Change.objects.exclude(position=None).order_by("-position")[:1][0].position


def feed(client, since: int, **params) -> dict:
    settle()
    response = client.get(FEED, {"since": since, **params})
    assert response.status_code == 200, response.content
    return response.json()


def entries(client, since: int) -> list[dict]:
    """Every entry after ``since``, following ``next``."""
    found, body = [], feed(client, since, page_size=100)
    found += body["results"]
    while body["next"]:
        body = client.get(body["next"]).json()
        found += body["results"]
    return found


@pytest.mark.parametrize("resource", list(NEW))
def test_each_kind_of_write_appears_once_in_order(anon, deleter, small_kb, resource):
    since = last_cursor()
    created = deleter.post(reverse(f"{resource}-list"), NEW[resource], format="json")
    assert created.status_code == 201, created.content
    key = key_of(resource)
    detail = reverse(f"{resource}-detail", args=[key])
    field = EDIT_FIELD.get(resource, "summary")
    assert deleter.patch(detail, {field: "Changed."}, format="json").status_code == 200
    assert deleter.patch(detail, {field: "Changed."}, format="json").status_code == 200  # no-op
    assert deleter.delete(detail).status_code == 204

    found = entries(anon, since)
    assert [(e["type"], e["key"], e["action"], e["version"]) for e in found] == [
        (resource, key, "created", 1),
        (resource, key, "changed", 2),
        (resource, key, "deleted", 3),
    ]
    cursors = [e["cursor"] for e in found]
    assert cursors == sorted(set(cursors)) and cursors[0] > since
    assert all(e["object_url"] is None for e in found)  # the object is gone
    assert found[0]["previous_key"] is None


def test_an_entry_links_to_the_object_until_it_is_deleted(anon, deleter, small_kb):
    since = last_cursor()
    deleter.patch(reverse("concept-detail", args=["database"]), {"summary": "S."}, format="json")
    deleter.delete(reverse("example-detail", args=["redis"]))
    changed, deleted = entries(anon, since)
    assert changed["object_url"] == "http://testserver/api/v1/concepts/database/"
    assert changed["history_url"] == "http://testserver/api/v1/concepts/database/history/"
    assert (deleted["type"], deleted["action"], deleted["object_url"]) == (
        "example",
        "deleted",
        None,
    )
    assert deleted["history_url"] == "http://testserver/api/v1/examples/redis/history/"


def test_a_rename_shows_the_previous_slug_and_what_it_touched(anon, editor, small_kb):
    since = last_cursor()
    response = editor.patch(
        reverse("concept-detail", args=["key-value-store"]), {"slug": "kv-store"}, format="json"
    )
    assert response.status_code == 200, response.content
    found = entries(anon, since)
    first = found[0]
    assert (first["type"], first["key"], first["previous_key"], first["action"]) == (
        "concept",
        "kv-store",
        "key-value-store",
        "changed",
    )
    assert first["object_url"] == "http://testserver/api/v1/concepts/kv-store/"
    # the objects whose content names the concept got a version of their own, each listed once
    touched = [(e["type"], e["key"]) for e in found[1:]]
    assert touched and len(touched) == len(set(touched))
    # a relation's key names the concept: the mirror learns its old key too
    relations = {e["key"]: e["previous_key"] for e in found[1:] if e["type"] == "relation"}
    assert relations and all(
        key.replace("kv-store", "key-value-store") == previous
        for key, previous in relations.items()
    ), relations
    assert all(e["previous_key"] is None for e in found[1:] if e["type"] != "relation")
    assert all("renamed from 'key-value-store'" in e["message"] for e in found[1:])


def test_a_revert_shows_as_a_revert(anon, editor, small_kb):
    detail = reverse("concept-detail", args=["database"])
    editor.patch(detail, {"summary": "Wrong."}, format="json")
    first = editor.get(reverse("concept-history", args=["database"])).json()["results"][-1]
    since = last_cursor()
    reverted = editor.post(reverse("concept-revert", args=["database", first["id"]]))
    assert reverted.status_code == 200, reverted.content
    (entry,) = entries(anon, since)
    assert (entry["action"], entry["reverted_to"], entry["version"]) == (
        "reverted",
        first["id"],
        3,
    )
    assert entry["message"] == f"Reverted to entry {first['id']}."


def test_the_public_sees_what_changed_editors_see_who(anon, reader, editor, small_kb):
    since = last_cursor()
    editor.patch(
        reverse("concept-detail", args=["database"]),
        {"summary": "S."},
        format="json",
        HTTP_X_CHANGE_MESSAGE="Why",
    )
    for client in (anon, reader):
        (entry,) = entries(client, since)
        assert (entry["user"], entry["message"]) == (None, "Why")
        assert b"editor" not in client.get(FEED, {"since": since}).content
    assert entries(editor, since)[0]["user"] == "editor"


def test_a_loaded_change_has_no_user(editor, small_kb):
    assert all(e["user"] is None for e in entries(editor, 0))


def test_pages_follow_the_cursor_and_the_end_says_so(anon, editor, small_kb):
    total = Change.objects.count()
    assert total > 5
    first = feed(anon, 0, page_size=2)
    assert len(first["results"]) == 2
    assert first["count"] == total and first["previous"] is None
    assert first["cursor"] == first["results"][-1]["cursor"]
    assert first["next"] == f"http://testserver{FEED}?page_size=2&since={first['cursor']}"
    response = anon.get(first["next"])
    assert response["Link"] == f'<{response.json()["next"]}>; rel="next"'
    second = response.json()
    assert second["results"][0]["cursor"] > first["cursor"]
    end = last_cursor()
    last = feed(anon, end)
    assert (last["count"], last["next"], last["results"], last["cursor"]) == (0, None, [], end)
    assert "Link" not in anon.get(FEED, {"since": end})


@pytest.mark.parametrize("since", ["-1", "x", "1.5", "1" * 19, ""])
def test_a_cursor_that_is_not_one_is_a_400(anon, db, since):
    response = anon.get(FEED, {"since": since})
    assert response.status_code == 400
    assert response.json()["errors"]["since"]


def test_the_feed_costs_a_patch_one_query(editor, small_kb):
    detail = reverse("concept-detail", args=["database"])
    editor.patch(detail, {"summary": "Warm."}, format="json")
    with CaptureQueriesContext(connection) as queries:
        assert editor.patch(detail, {"summary": "Measured."}, format="json").status_code == 200
    feed_queries = [q for q in queries.captured_queries if '"history_change"' in (q["sql"] or "")]
    assert len(feed_queries) == 1 and feed_queries[0]["sql"].startswith("INSERT")
    assert len(queries) <= 20


def test_a_write_that_fails_leaves_no_entry(editor, small_kb):
    before = Change.objects.count()
    clash = editor.patch(
        reverse("concept-detail", args=["database"]), {"slug": "key-value-store"}, format="json"
    )
    assert clash.status_code in (400, 409)
    assert Change.objects.count() == before


# serialized_rollback: its flush must not recreate content types under new ids, which the
# next transactional test's restore (tests/kbapi/test_concurrency.py) would collide with
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_positions_are_given_at_commit_in_commit_order():
    """PostgreSQL: a transaction that inserted first but commits last is numbered last."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: its row ids are in commit order")
    from django.db import connections

    from history.models import Change as ChangeModel

    first = connections.create_connection("default")
    second = connections.create_connection("default")
    try:
        for conn in (first, second):
            conn.set_autocommit(False)
        row = "INSERT INTO history_change (type, object_id, key, previous_key, action, at, message)"
        values = " VALUES ('concept', 1, %s, '', 'changed', now(), '') RETURNING id"
        with first.cursor() as cursor:
            cursor.execute(row + values, ["early"])
        with second.cursor() as cursor:
            cursor.execute(row + values, ["late"])
        second.commit()  # the row inserted second commits first
        first.commit()
        early = ChangeModel.objects.get(key="early")
        late = ChangeModel.objects.get(key="late")
        assert early.id < late.id and early.position > late.position
    finally:
        for conn in (first, second):
            conn.close()


# --- a poller during concurrent writes, through two workers -----------------------------

WRITES = 200
WRITERS = 8
TIMEOUT = 60
CONCEPTS = ["database", "relational-database", "key-value-store"]


def _call(method: str, url: str, token: str | None = None, body: dict | None = None):
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, {}


def test_a_poller_sees_each_change_once_in_order_during_concurrent_writes(tmp_path):
    """200 PATCHes from 8 threads through two uvicorn workers, and a poller following the
    feed meanwhile with the last cursor it saw: it sees every change exactly once, in the
    order of each object's versions (the database's own feed rows agree)."""
    with (
        throwaway_database(tmp_path) as (database_url, token),
        uvicorn(database_url, workers=2, log=tmp_path / "uvicorn.log") as (base, _),
    ):
        cursor = 0  # the fixture's load: read to the end of the feed first
        while True:
            status, body = _call("GET", f"{base}{FEED}?since={cursor}&page_size=100")
            assert status == 200, status
            cursor = body["cursor"]
            if not body["next"]:
                break
        seen: list[dict] = []
        done = threading.Event()
        errors: list = []

        def poll():
            nonlocal cursor
            try:
                while True:
                    finished = done.is_set()  # read before the request: a last full pass
                    status, body = _call("GET", f"{base}{FEED}?since={cursor}&page_size=7")
                    assert status == 200, status
                    seen.extend(body["results"])
                    cursor = body["cursor"]
                    if finished and not body["next"]:
                        return
            except Exception as exc:  # noqa: BLE001 - reported by the test
                errors.append(exc)

        statuses: list[int] = []
        lock = threading.Lock()

        def write(worker: int):
            for i in range(worker, WRITES, WRITERS):
                slug = CONCEPTS[i % len(CONCEPTS)]
                url = f"{base}/api/v1/concepts/{slug}/"
                status, _ = _call("PATCH", url, token, {"summary": f"Write {i}."})
                with lock:
                    statuses.append(status)

        poller = threading.Thread(target=poll)
        poller.start()
        writers = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
        for thread in writers:
            thread.start()
        for thread in writers:
            thread.join(timeout=TIMEOUT * 4)
        done.set()
        poller.join(timeout=TIMEOUT)
        assert not poller.is_alive() and not errors, errors

    assert statuses == [200] * WRITES
    cursors = [e["cursor"] for e in seen]
    assert cursors == sorted(cursors) and len(set(cursors)) == len(cursors)  # in order, once
    assert len(seen) == WRITES
    for slug in CONCEPTS:
        versions = [e["version"] for e in seen if e["key"] == slug]
        assert versions == list(range(versions[0], versions[0] + len(versions))), slug
