"""The admin: editors manage content, and every save goes through the services."""

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from concepts.models import Concept, Example
from relations.models import Comparison, Relation


@pytest.fixture
def staff_editor(db, small_kb):
    user = User.objects.create_user("staff-editor", password="pw-12345-xyz", is_staff=True)
    user.groups.add(Group.objects.get(name="editors"))
    client = Client()
    client.force_login(user)
    return client


def concept_form(concept: Concept, **changes) -> dict:
    data = {
        "slug": concept.slug,
        "name": concept.name,
        "aliases": '["' + '", "'.join(concept.aliases) + '"]' if concept.aliases else "[]",
        "summary": concept.summary,
        "definition": concept.definition,
        "category": concept.category_id,
        "tags": [t.pk for t in concept.tags.all()],
        "advantages": "[]",
        "limitations": "[]",
        "use_cases": "[]",
        "traits": "[]",
        "source": concept.source,
    }
    for prefix in ("Example_concepts-", "outgoing-"):
        data.update({f"{prefix}TOTAL_FORMS": "0", f"{prefix}INITIAL_FORMS": "0"})
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "route",
    [
        "admin:concepts_concept_changelist",
        "admin:concepts_example_changelist",
        "admin:concepts_category_changelist",
        "admin:concepts_tag_changelist",
        "admin:relations_relation_changelist",
        "admin:relations_comparison_changelist",
    ],
)
def test_editor_sees_every_model_in_the_admin_with_search(staff_editor, route):
    response = staff_editor.get(reverse(route), {"q": "a"})
    assert response.status_code == 200


def test_concept_change_page_shows_examples_and_relations_inlines(staff_editor):
    concept = Concept.objects.get(slug="relational-database")
    response = staff_editor.get(reverse("admin:concepts_concept_change", args=[concept.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Examples" in body and "Relations from this concept" in body
    assert "History" in body


def test_admin_save_goes_through_the_service(staff_editor):
    concept = Concept.objects.get(slug="key-value-store")
    response = staff_editor.post(
        reverse("admin:concepts_concept_change", args=[concept.pk]),
        concept_form(concept, summary="Values stored and fetched by a unique key."),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    concept.refresh_from_db()
    assert concept.summary == "Values stored and fetched by a unique key."
    assert concept.version == 2  # the service's compare-and-set bumped it
    assert concept.history.first().history_user.username == "staff-editor"


def test_admin_relation_inline_adds_a_relation(staff_editor):
    concept = Concept.objects.get(slug="key-value-store")
    target = Concept.objects.get(slug="relational-database")
    form = concept_form(
        concept,
        **{
            "outgoing-TOTAL_FORMS": "1",
            "outgoing-0-type": "alternative-to",
            "outgoing-0-target": target.pk,
            "outgoing-0-note": "for lookups by key",
        },
    )
    response = staff_editor.post(reverse("admin:concepts_concept_change", args=[concept.pk]), form)
    assert response.status_code == 302
    relation = Relation.objects.get(source=concept, type="alternative-to", target=target)
    assert relation.history.count() == 1


def test_admin_example_inline_links_an_example(staff_editor):
    concept = Concept.objects.get(slug="database")
    redis = Example.objects.get(slug="redis")
    form = concept_form(
        concept,
        **{"Example_concepts-TOTAL_FORMS": "1", "Example_concepts-0-example": redis.pk},
    )
    response = staff_editor.post(reverse("admin:concepts_concept_change", args=[concept.pk]), form)
    assert response.status_code == 302
    assert set(redis.concepts.values_list("slug", flat=True)) == {"key-value-store", "database"}
    redis.refresh_from_db()
    assert redis.version == 2


def test_admin_comparison_saves_concepts_and_aspects(staff_editor):
    comparison = Comparison.objects.get(slug="relational-vs-key-value")
    aspects = list(comparison.aspects.order_by("position"))
    form = {
        "slug": comparison.slug,
        "title": comparison.title,
        "summary": comparison.summary,
        "verdict": "Relational for joins.",
        "concept_slugs": "relational-database, key-value-store",
        "aspects-TOTAL_FORMS": str(len(aspects)),
        "aspects-INITIAL_FORMS": str(len(aspects)),
    }
    for i, aspect in enumerate(aspects):
        form[f"aspects-{i}-id"] = aspect.pk
        form[f"aspects-{i}-comparison"] = comparison.pk
        form[f"aspects-{i}-position"] = aspect.position
        form[f"aspects-{i}-name"] = aspect.name
        form[f"aspects-{i}-values"] = (
            '{"relational-database": "Tables.", "key-value-store": "Keys."}'
        )
    response = staff_editor.post(
        reverse("admin:relations_comparison_change", args=[comparison.pk]), form
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    comparison.refresh_from_db()
    assert comparison.verdict == "Relational for joins."
    assert comparison.version == 2
    values = set(comparison.aspects.first().values.values_list("value", flat=True))
    assert values == {"Tables.", "Keys."}


def test_admin_refuses_to_delete_a_needed_concept(db, small_kb):
    admin = User.objects.create_superuser("root", password="pw-12345-xyz")
    client = Client()
    client.force_login(admin)
    concept = Concept.objects.get(slug="key-value-store")
    response = client.post(
        reverse("admin:concepts_concept_delete", args=[concept.pk]), {"post": "yes"}, follow=True
    )
    assert response.status_code == 200
    assert Concept.objects.filter(slug="key-value-store").exists()
    assert "Cannot delete concept" in response.content.decode()


def test_createeditor_makes_a_staff_editor_with_a_token(db, capsys):
    from django.core.management import call_command

    call_command("createeditor", "ada", password="pw-12345-xyz")
    user = User.objects.get(username="ada")
    assert user.is_staff and user.groups.filter(name="editors").exists()
    token = capsys.readouterr().out.split("API token: ")[1].strip()
    assert user.auth_token.key == token
