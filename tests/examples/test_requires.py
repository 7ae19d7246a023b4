"""An example's ``requires``: the examples it builds on, through the API and the files."""

import pytest
import yaml
from django.urls import reverse

from concepts.models import Example
from content.loader import ContentError, export_document, load_folder
from tests.conftest import FIXTURE_CONTENT

NEW = {
    "slug": "select-books",
    "name": "Selecting books",
    "kind": "code",
    "description": "Rows of the book table.",
    "concepts": ["relational-database"],
    "language": "sql",
    "code": "SELECT title FROM book;",
}


def detail(slug):
    return reverse("example-detail", args=[slug])


def test_requires_is_a_list_of_slugs_and_optional(editor, small_kb):
    assert editor.get(detail("select-rows")).json()["requires"] == []
    created = editor.post(
        reverse("example-list"), {**NEW, "requires": ["select-rows"]}, format="json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["requires"] == ["select-rows"]
    assert editor.get(detail("select-books")).json()["requires"] == ["select-rows"]
    # a write that leaves it out keeps it
    response = editor.put(detail("select-books"), {**NEW, "name": "Books"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["requires"] == ["select-rows"]
    listed = editor.get(reverse("example-list"), {"expand": "requires", "kind": "code"}).json()
    assert {row["slug"]: row["requires"] for row in listed["results"]}["select-books"] == [
        "select-rows"
    ]


def test_an_unknown_slug_is_a_400_naming_it(editor, small_kb):
    response = editor.post(reverse("example-list"), {**NEW, "requires": ["nope"]}, format="json")
    assert response.status_code == 400
    assert "nope" in response.json()["errors"]["requires"][0]


def test_a_cycle_is_a_400_naming_it(editor, small_kb):
    editor.post(reverse("example-list"), {**NEW, "requires": ["select-rows"]}, format="json")
    response = editor.patch(detail("select-rows"), {"requires": ["select-books"]}, format="json")
    assert response.status_code == 400, response.content
    message = response.json()["errors"]["requires"][0]
    assert "select-rows → select-books → select-rows" in message
    assert Example.objects.get(slug="select-rows").requires.count() == 0
    response = editor.patch(detail("select-rows"), {"requires": ["select-rows"]}, format="json")
    assert response.status_code == 400
    assert "itself" in response.json()["errors"]["requires"][0]


def test_a_required_example_is_not_deleted(deleter, small_kb):
    deleter.post(reverse("example-list"), {**NEW, "requires": ["select-rows"]}, format="json")
    response = deleter.delete(detail("select-rows"))
    assert response.status_code == 409
    assert response.json()["dependents"] == {"examples": ["select-books"]}
    assert deleter.patch(detail("select-books"), {"requires": []}, format="json").status_code == 200
    assert deleter.delete(detail("select-rows")).status_code == 204


def test_a_change_of_requires_is_in_the_history(editor, small_kb):
    editor.post(reverse("example-list"), NEW, format="json")
    editor.patch(detail("select-books"), {"requires": ["select-rows"]}, format="json")
    entry = editor.get(detail("select-books") + "history/").json()["results"][0]
    assert {"field": "requires", "old": [], "new": ["select-rows"]} in entry["changes"]


def _write(folder, examples):
    """The small fixture content plus ``examples`` in a file of their own."""
    for path in FIXTURE_CONTENT.glob("*.yaml"):
        (folder / path.name).write_text(path.read_text())
    (folder / "50-more.yaml").write_text(yaml.safe_dump({"examples": examples}))


def test_the_files_load_required_examples_first_and_export_requires(db, tmp_path):
    first = {**NEW, "slug": "b-first", "requires": ["z-base"]}
    base = {**NEW, "slug": "z-base", "name": "Base"}
    _write(tmp_path, [first, base])
    load_folder(tmp_path)
    assert list(Example.objects.get(slug="b-first").requires.values_list("slug", flat=True)) == [
        "z-base"
    ]
    exported = {e["slug"]: e for e in export_document()["examples"]}
    assert exported["b-first"]["requires"] == ["z-base"]
    assert exported["z-base"]["requires"] == []


def test_examples_gone_from_the_files_are_deleted_requiring_ones_first(db, tmp_path):
    base = {**NEW, "slug": "a-base", "name": "Base"}
    _write(tmp_path, [base, {**NEW, "slug": "b-uses-it", "requires": ["a-base"]}])
    load_folder(tmp_path)
    _write(tmp_path, [])
    report = load_folder(tmp_path)
    assert report.conflicts == []
    assert report.deleted["examples"] == 2


def test_a_cycle_in_the_files_is_a_content_error(db, tmp_path):
    one = {**NEW, "slug": "one", "requires": ["two"]}
    two = {**NEW, "slug": "two", "name": "Two", "requires": ["one"]}
    _write(tmp_path, [one, two])
    with pytest.raises(ContentError, match="cycle: one → two → one"):
        load_folder(tmp_path)


# serialized_rollback: the flush after this test then leaves the content types to the
# restore of the next transactional test (tests/kbapi/test_concurrency.py) instead of
# recreating them under new ids, which that restore would collide with
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_writers_closing_a_loop_at_once_cannot_both_win():
    """A requires B and B requires A, written at the same time: one is refused (no deadlock,
    no loop), however the two interleave."""
    import threading

    from django.core.exceptions import ValidationError
    from django.db import connection, connections

    from concepts.models import Concept
    from concepts.services import example_create, example_update

    if connection.vendor == "sqlite":
        pytest.skip("SQLite runs one writer at a time")
    load_folder(FIXTURE_CONTENT)
    concept = Concept.objects.get(slug="database")
    for round_ in range(8):
        a, b = (
            example_create(**{**NEW, "slug": f"a-{round_}", "concepts": [concept]}),
            example_create(**{**NEW, "slug": f"b-{round_}", "concepts": [concept]}),
        )
        start, outcomes = threading.Barrier(2, timeout=30), []

        def write(example, other, start=start, outcomes=outcomes):
            try:
                start.wait()
                example_update(example=example, data={"requires": [other]})
                outcomes.append("ok")
            except ValidationError:
                outcomes.append("refused")
            except Exception as exc:  # a deadlock would land here
                outcomes.append(repr(exc))
            finally:
                connections.close_all()

        threads = [threading.Thread(target=write, args=pair) for pair in ((a, b), (b, a))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(outcomes) == ["ok", "refused"], outcomes
