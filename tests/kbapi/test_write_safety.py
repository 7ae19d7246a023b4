"""Writes change only what they change, and record it on every object they alter."""

import json

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from concepts import services
from concepts.models import Concept, Example, Tag
from kbapi.core.services import ServiceError
from tests.concepts.test_admin import concept_form


def detail(slug: str) -> str:
    return reverse("concept-detail", args=[slug])


def state(slug: str) -> tuple[int, int]:
    """(version, history rows) of a concept."""
    concept = Concept.objects.get(slug=slug)
    return concept.version, Concept.history.filter(id=concept.pk).count()


def test_an_update_writes_only_the_fields_it_was_given(small_kb):
    """Two editors who read the same version and change different fields both keep theirs."""
    first = Concept.objects.get(slug="key-value-store")
    second = Concept.objects.get(slug="key-value-store")
    services.concept_update(concept=first, data={"summary": "Values found by their key."})
    services.concept_update(concept=second, data={"definition": "A map from keys to values."})
    stored = Concept.objects.get(slug="key-value-store")
    assert stored.summary == "Values found by their key."
    assert stored.definition == "A map from keys to values."
    assert stored.version == 3


@pytest.mark.parametrize("body", [{}, "same values"])
def test_a_patch_that_changes_nothing_changes_nothing(editor, small_kb, body):
    before = editor.get(detail("key-value-store"))
    if body == "same values":
        body = {k: before.json()[k] for k in ("name", "summary", "aliases", "definition")}
    version, rows = state("key-value-store")
    response = editor.patch(detail("key-value-store"), body, format="json")
    assert response.status_code == 200
    assert response.json() == before.json()
    assert response["ETag"] == before["ETag"]
    assert state("key-value-store") == (version, rows)


def test_a_stale_if_match_is_refused_even_when_nothing_would_change(editor, small_kb):
    etag = editor.get(detail("key-value-store"))["ETag"]
    editor.patch(detail("key-value-store"), {"summary": "Changed once."}, format="json")
    response = editor.patch(detail("key-value-store"), {}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 412


def test_crlf_and_trailing_blanks_make_no_change(editor, small_kb):
    """A browser's textarea sends CRLF; the stored text has LF and no blanks at line ends."""
    stored = Concept.objects.get(slug="relational-database").definition
    assert "\n" in stored
    version, rows = state("relational-database")
    as_a_browser_sends_it = stored.replace("\n", "  \r\n") + "\r\n"
    response = editor.patch(
        detail("relational-database"), {"definition": as_a_browser_sends_it}, format="json"
    )
    assert response.status_code == 200
    assert state("relational-database") == (version, rows)
    assert "\r" not in response.json()["definition"]


def test_new_text_is_stored_with_lf_line_endings(editor, small_kb):
    response = editor.patch(
        detail("relational-database"),
        {"definition": "One line.  \r\nTwo lines.\r\n"},
        format="json",
    )
    assert response.json()["definition"] == "One line.\nTwo lines."
    assert Concept.objects.get(slug="relational-database").definition == "One line.\nTwo lines."


def test_deleting_a_tag_records_a_change_on_each_concept_that_had_it(deleter, small_kb):
    holders = {c.slug: c.version for c in Concept.objects.filter(tags__slug="week-1")}
    assert len(holders) >= 2
    response = deleter.delete(reverse("tag-detail", args=["week-1"]), HTTP_X_CHANGE_MESSAGE="tidy")
    assert response.status_code == 204
    for slug, version in holders.items():
        concept = Concept.objects.get(slug=slug)
        assert concept.version == version + 1, slug
        latest = concept.history.order_by("-history_id").first()
        assert latest.history_user.username == "editor"
        assert "week-1" in latest.history_change_reason
        assert "week-1" not in latest.related["tags"]
        entries = deleter.get(reverse("concept-history", args=[slug])).json()["results"]
        assert entries[0]["changes"] == [
            {"field": "tags", "old": entries[0]["changes"][0]["old"], "new": latest.related["tags"]}
        ]
        assert "week-1" in entries[0]["changes"][0]["old"]


def test_deleting_a_concept_records_a_change_on_the_examples_it_shared(deleter, small_kb):
    example = Example.objects.get(slug="select-rows")
    assert sorted(example.concepts.values_list("slug", flat=True)) == [
        "database",
        "relational-database",
    ]
    database = Concept.objects.get(slug="database")
    for relation in [*database.outgoing.all(), *database.incoming.all()]:
        relation.delete()
    response = deleter.delete(detail("database"))
    assert response.status_code == 204, response.content
    example.refresh_from_db()
    assert example.version == 2
    latest = example.history.order_by("-history_id").first()
    assert latest.related["concepts"] == ["relational-database"]
    assert "database" in latest.history_change_reason


def test_renaming_a_tag_records_a_change_on_its_concepts(editor, small_kb):
    holders = {c.slug: c.version for c in Concept.objects.filter(tags__slug="nosql")}
    response = editor.patch(
        reverse("tag-detail", args=["nosql"]), {"slug": "no-sql"}, format="json"
    )
    assert response.status_code == 200
    for slug, version in holders.items():
        concept = Concept.objects.get(slug=slug)
        assert concept.version == version + 1
        assert "no-sql" in concept.history.order_by("-history_id").first().related["tags"]


def test_an_update_that_refers_to_a_deleted_object_is_refused_cleanly(small_kb):
    example = Example.objects.get(slug="redis")
    deleted_meanwhile = Concept(pk=10**9, slug="deleted-meanwhile")
    with pytest.raises(ValidationError) as raised:
        services.example_update(example=example, data={"concepts": [deleted_meanwhile]})
    assert "no longer exists" in str(raised.value.message_dict["concepts"])
    assert list(example.concepts.values_list("slug", flat=True)) == ["key-value-store"]


def test_a_write_to_an_object_deleted_meanwhile_is_a_404(small_kb):
    tag = Tag.objects.get(slug="sql")
    Tag.objects.filter(pk=tag.pk).delete()
    with pytest.raises(ServiceError) as raised:
        services.tag_update(tag=tag, data={"name": "Structured Query Language"})
    assert raised.value.status_code == 404


def test_saving_an_untouched_admin_form_changes_nothing(small_kb):
    """Browsers submit a textarea with CRLF line endings: no phantom change in history."""
    user = User.objects.create_superuser("admin-editor", "a@example.com", "pw-12345-xyz")
    client = Client()
    client.force_login(user)
    concept = Concept.objects.get(slug="relational-database")
    version, rows = state("relational-database")
    lists = ("aliases", "advantages", "limitations", "use_cases", "traits")
    form = concept_form(concept, **{name: json.dumps(getattr(concept, name)) for name in lists})
    form["definition"] = concept.definition.replace("\n", "\r\n")
    response = client.post(reverse("admin:concepts_concept_change", args=[concept.pk]), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert state("relational-database") == (version, rows)
    assert "\r" not in Concept.objects.get(pk=concept.pk).definition
