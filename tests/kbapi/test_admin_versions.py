"""Admin edits: a change form saved after someone else's change is refused, not saved over it."""

import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from concepts.models import Concept, Tag
from relations import services
from relations.models import Relation

HIDDEN_VERSION = re.compile(r'<input type="hidden" name="opened_at_version" value="(\d+)"')


@pytest.fixture
def admin_client(client, db):
    client.force_login(User.objects.create_superuser("boss", password="boss-pass-123"))
    return client


def relation_form(relation: Relation, **changes) -> dict:
    data = {
        "source": relation.source_id,
        "type": relation.type,
        "target": relation.target_id,
        "note": relation.note,
        "_save": "Save",
    }
    return {**data, **changes}


def test_change_form_carries_the_version_it_was_opened_at(admin_client, small_kb):
    relation = Relation.objects.get(type="is-a", source__slug="relational-database")
    page = admin_client.get(reverse("admin:relations_relation_change", args=[relation.pk]))
    assert page.status_code == 200
    assert HIDDEN_VERSION.search(page.content.decode()).group(1) == "1"


def test_stale_admin_form_is_refused_with_a_clear_message(admin_client, small_kb):
    relation = Relation.objects.get(type="is-a", source__slug="relational-database")
    url = reverse("admin:relations_relation_change", args=[relation.pk])
    opened = HIDDEN_VERSION.search(admin_client.get(url).content.decode()).group(1)
    services.relation_update(relation=relation, data={"note": "theirs"})  # someone else saves

    response = admin_client.post(
        url, relation_form(relation, note="mine", opened_at_version=opened), follow=True
    )
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert any("someone else changed this relation" in m for m in messages), messages
    relation.refresh_from_db()
    assert (relation.note, relation.version) == ("theirs", 2)
    assert Relation.history.filter(id=relation.pk).count() == 2


def test_fresh_admin_form_saves_through_the_services(admin_client, small_kb):
    relation = Relation.objects.get(type="is-a", source__slug="relational-database")
    url = reverse("admin:relations_relation_change", args=[relation.pk])
    opened = HIDDEN_VERSION.search(admin_client.get(url).content.decode()).group(1)
    response = admin_client.post(
        url, relation_form(relation, note="mine", opened_at_version=opened)
    )
    assert response.status_code == 302
    relation.refresh_from_db()
    assert (relation.note, relation.version) == ("mine", 2)
    latest = Relation.history.filter(id=relation.pk).latest("history_date")
    assert latest.history_user.username == "boss"


def test_stale_tag_form_is_refused(admin_client, small_kb):
    tag = Tag.objects.get(slug="nosql")
    url = reverse("admin:concepts_tag_change", args=[tag.pk])
    opened = HIDDEN_VERSION.search(admin_client.get(url).content.decode()).group(1)
    Tag.objects.filter(pk=tag.pk).update(version=5)
    data = {"slug": "nosql", "name": "Not only SQL", "opened_at_version": opened, "_save": "Save"}
    admin_client.post(url, data)
    tag.refresh_from_db()
    assert tag.name == "NoSQL"
    assert Concept.objects.filter(tags=tag).exists()


@pytest.mark.parametrize(
    ("route", "model_path"),
    [
        ("admin:concepts_concept_change", "concepts.models.Concept"),
        ("admin:concepts_category_change", "concepts.models.Category"),
        ("admin:concepts_tag_change", "concepts.models.Tag"),
        ("admin:concepts_example_change", "concepts.models.Example"),
        ("admin:relations_comparison_change", "relations.models.Comparison"),
    ],
)
def test_every_change_form_carries_its_version(admin_client, small_kb, route, model_path):
    from django.utils.module_loading import import_string

    obj = import_string(model_path).objects.first()
    page = admin_client.get(reverse(route, args=[obj.pk]))
    assert page.status_code == 200
    assert HIDDEN_VERSION.search(page.content.decode()).group(1) == str(obj.version)
