"""The content files and the database as one truth, end to end as users meet it.

A database set up as ``make run`` does (``migrate``, ``loadkb``), served by a
real uvicorn; an editor PATCHes through the HTTP API with a token; then the
set-up of ``make run`` runs again, as at every restart. The API's edit must
survive it, a content file's change must reach the database, a change on both
sides must be reported (file and entry named) with nothing lost, and
``exportkb --files`` must bring the edit into the files so that the next load
has nothing to do. Runs on the suite's database (SQLite, or PostgreSQL).
"""

import json
import shutil
import subprocess
import sys
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest

from tests.liveserver import FIXTURE_CONTENT, ROOT, child_env, empty_database, manage, uvicorn

CONCEPT = "/api/v1/concepts/{}/"
SUMMARY = "An organised collection of data built for storing, finding and changing it."


@pytest.fixture
def site(tmp_path):
    """(database URL, content folder, editor token) of a fresh site set up as `make run` does."""
    folder = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, folder)
    with empty_database(tmp_path) as url:
        make_run_setup(url, folder)
        out = manage(url, "createeditor", "editor", "--password", "editor-pass-123")
        token = out.split("API token: ")[1].strip()
        yield url, folder, token


def make_run_setup(url: str, folder, *options: str) -> subprocess.CompletedProcess:
    """What `make run` does before it serves: migrate, then loadkb (of ``folder``)."""
    manage(url, "migrate", "--noinput", "-v0")
    result = subprocess.run(
        [sys.executable, "manage.py", "loadkb", str(folder), *options],
        cwd=ROOT,
        env=child_env(url),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def call(base: str, method: str, path: str, token: str | None = None, body=None):
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = Request(base + path, data=data, method=method, headers=headers)
    try:
        with urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def patch(url: str, token: str, slug: str, fields: dict) -> None:
    with uvicorn(url) as (base, _):
        status, body = call(base, "PATCH", CONCEPT.format(slug), token, fields)
        assert status == 200, body


def read(url: str, *slugs: str) -> dict[str, dict]:
    """The concepts as the API serves them now, by slug (``slug/history/``: its history)."""
    found = {}
    with uvicorn(url) as (base, _):
        for slug in slugs:
            status, body = call(base, "GET", CONCEPT.format(slug))
            assert status == 200, body
            found[slug] = body
    return found


def edit(folder, old: str, new: str) -> None:
    path = folder / "10-databases.yaml"
    text = path.read_text()
    assert text.count(old) == 1
    path.write_text(text.replace(old, new))


def test_api_edits_survive_a_restart_and_file_changes_reach_the_database(site):
    url, folder, token = site
    patch(url, token, "database", {"summary": "Edited through the API."})
    result = make_run_setup(url, folder)
    assert not result.stderr
    assert read(url, "database")["database"]["summary"] == "Edited through the API."

    edit(folder, "aliases: [KV store]", "aliases: [KV store, key-value database]")
    result = make_run_setup(url, folder)
    assert "concepts: 0 created, 1 updated" in result.stdout and not result.stderr
    served = read(url, "key-value-store", "database")
    assert served["key-value-store"]["aliases"] == ["KV store", "key-value database"]
    assert served["database"]["summary"] == "Edited through the API."


def test_a_change_on_both_sides_is_reported_and_nothing_is_lost(site):
    url, folder, token = site
    patch(url, token, "database", {"summary": "Edited through the API."})
    edit(folder, f"summary: {SUMMARY}", "summary: Edited in the file.")
    result = make_run_setup(url, folder)
    assert "CONFLICT 10-databases.yaml: concept 'database'" in result.stderr
    assert read(url, "database")["database"]["summary"] == "Edited through the API."
    assert "summary: Edited in the file." in (folder / "10-databases.yaml").read_text()

    # the files win when told so, through the services (a recorded change)
    result = make_run_setup(url, folder, "--prefer-files")
    assert not result.stderr
    served = read(url, "database", "database/history")
    assert served["database"]["summary"] == "Edited in the file."
    latest = served["database/history"]["results"][0]
    assert latest["message"] == "loadkb --prefer-files: 10-databases.yaml"
    assert {"field": "summary", "old": "Edited through the API.", "new": "Edited in the file."} in (
        latest["changes"]
    )


def test_exportkb_brings_the_edit_into_the_files_and_the_next_load_has_nothing_to_do(site):
    url, folder, token = site
    patch(url, token, "database", {"summary": "Edited through the API."})
    manage(url, "exportkb", "--files", str(folder))
    assert "summary: Edited through the API." in (folder / "10-databases.yaml").read_text()
    result = make_run_setup(url, folder)
    assert not result.stderr
    assert result.stdout == "The knowledge base is up to date (15 entries unchanged).\n"
    assert read(url, "database")["database"]["summary"] == "Edited through the API."
