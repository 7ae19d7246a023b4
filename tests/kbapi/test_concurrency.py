"""No lost updates across workers: 20 concurrent PATCHes with one If-Match, exactly one wins."""

import json
import threading
import urllib.error
import urllib.request

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from rest_framework.authtoken.models import Token

from concepts.models import Concept
from content.loader import load_folder
from tests.conftest import FIXTURE_CONTENT
from tests.liveserver import postgres_url, uvicorn

WRITERS = 20
TIMEOUT = 30


def request(method: str, url: str, *, token: str, etag: str, body: dict) -> int:
    data = json.dumps(body).encode()
    headers = {
        "Authorization": f"Token {token}",
        "Content-Type": "application/json",
        "If-Match": etag,
    }
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_patches_with_one_if_match_let_exactly_one_through(tmp_path):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers and its test database lives in memory")
    load_folder(FIXTURE_CONTENT)
    user = User.objects.create_user("racer", password="racer-pass-123")
    user.groups.add(Group.objects.get(name="editors"))
    token = Token.objects.create(user=user).key
    concept = Concept.objects.get(slug="relational-database")
    history_before = Concept.history.filter(id=concept.pk).count()

    # the app serves the test database itself, so the test sees what the workers wrote
    database_url = postgres_url(connection.settings_dict["NAME"])
    log = tmp_path / "uvicorn.log"
    with uvicorn(database_url, workers=3, log=log, ready="/readyz") as (base, _):
        url = f"{base}/api/v1/concepts/relational-database/"
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            etag = response.headers["ETag"]
        start = threading.Barrier(WRITERS, timeout=TIMEOUT)
        statuses = [None] * WRITERS

        def write(i: int) -> None:
            start.wait()
            body = {"summary": f"Writer {i} was here."}
            statuses[i] = request("PATCH", url, token=token, etag=etag, body=body)

        threads = [threading.Thread(target=write, args=(i,)) for i in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=TIMEOUT * 2)

    assert sorted(statuses) == [200] + [412] * (WRITERS - 1), statuses
    concept.refresh_from_db()
    assert concept.version == 2
    assert Concept.history.filter(id=concept.pk).count() == history_before + 1
    winner = statuses.index(200)
    assert concept.summary == f"Writer {winner} was here."
