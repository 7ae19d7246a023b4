"""Concurrent writers through real workers: no lost field, no orphan, no 500, on both databases.

The app runs under uvicorn with two workers on a throwaway database of its own
(a SQLite file, or a fresh PostgreSQL database when the suite runs on one),
and the requests race through threads released together by a barrier.
"""

import json
import threading
import urllib.error
import urllib.request

import pytest

from tests.liveserver import manage, throwaway_database, uvicorn

TIMEOUT = 30
ADMIN_TOKEN = """
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
user = User.objects.create_superuser("racer", "racer@example.com", "racer-pass-123")
print(Token.objects.create(user=user).key)
"""
ORPHANS = """
from django.db.models import Count
from concepts.models import Example
print(Example.objects.annotate(n=Count("concepts")).filter(n=0).count())
"""


def call(method: str, url: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else {}
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        return exc.code, json.loads(raw) if raw else {}


def race(*calls) -> list:
    """Run the calls at once (threads behind a barrier); their results in order."""
    start = threading.Barrier(len(calls), timeout=TIMEOUT)
    results = [None] * len(calls)

    def run(i, call_):
        start.wait()
        results[i] = call_()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT * 2)
    return results


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """(base URL, superuser token, database URL) of two workers serving a throwaway database."""
    folder = tmp_path_factory.mktemp("concurrent-writes")
    with throwaway_database(folder) as (database_url, _):
        token = manage(database_url, "shell", "-c", ADMIN_TOKEN).strip().splitlines()[-1]
        with uvicorn(database_url, workers=2, log=folder / "uvicorn.log", ready="/readyz") as (
            base,
            _,
        ):
            yield f"{base}/api/v1", token, database_url


def test_concurrent_patches_of_different_fields_both_keep_their_change(app):
    base, token, _ = app
    url = f"{base}/concepts/key-value-store/"
    for i in range(20):
        summary, definition = f"Round {i}: values found by key.", f"Round {i}: a key-value map."
        statuses = race(
            lambda s=summary: call("PATCH", url, token, {"summary": s})[0],
            lambda d=definition: call("PATCH", url, token, {"definition": d})[0],
        )
        assert statuses == [200, 200], (i, statuses)
        status, concept = call("GET", url, token)
        assert (concept["summary"], concept["definition"]) == (summary, definition), i


def test_deleting_a_concept_while_an_example_is_created_for_it_leaves_no_orphan(app):
    base, token, database_url = app
    for i in range(30):
        slug = f"racing-concept-{i}"
        created, body = call(
            "POST",
            f"{base}/concepts/",
            token,
            {
                "slug": slug,
                "name": f"Racing concept {i}",
                "summary": "A concept that races its own deletion.",
                "definition": "It exists to be deleted.",
                "category": "database-concept",
                "source": "Week 1",
                "tags": [],
            },
        )
        assert created == 201, body
        example = {
            "slug": f"racing-example-{i}",
            "name": f"Racing example {i}",
            "kind": "use-case",
            "description": "An example of a concept that may be gone.",
            "concepts": [slug],
        }
        deleted, made = race(
            lambda s=slug: call("DELETE", f"{base}/concepts/{s}/", token)[0],
            lambda e=example: call("POST", f"{base}/examples/", token, e)[0],
        )
        # either the delete won (the example names a concept that is gone: 400),
        # or the example did (the concept is its only concept: the delete is refused)
        assert (deleted, made) in {(204, 400), (409, 201)}, (i, deleted, made)
    assert manage(database_url, "shell", "-c", ORPHANS).strip().splitlines()[-1] == "0"


def test_concurrent_creates_all_succeed(app):
    """SQLite with two workers used to answer some of these with 500 "database is locked"."""
    base, token, _ = app
    for round_ in range(5):
        statuses = race(
            *(
                lambda n=n, r=round_: call(
                    "POST",
                    f"{base}/tags/",
                    token,
                    {"slug": f"t-{r}-{n}", "name": f"T {r} {n}"},
                )[0]
                for n in range(8)
            )
        )
        assert statuses == [201] * 8, (round_, statuses)
