"""The admin does what the API does: all-or-nothing deletes, and reverts through the services."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from concepts import services
from concepts.models import Category, Concept, Example

ADMIN_USERNAME = "root"


@pytest.fixture
def admin_client(db, small_kb):
    """A superuser's admin session; a server error fails the test with its traceback."""
    client = Client(raise_request_exception=True)
    client.force_login(User.objects.create_superuser(ADMIN_USERNAME, password="pw-12345-xyz"))
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def new_concept(slug: str) -> Concept:
    return services.concept_create(
        slug=slug,
        name=slug.replace("-", " ").capitalize(),
        summary="A concept made for this test.",
        definition="Made for this test.",
        category=Category.objects.get(slug="database-concept"),
        source="test",
    )


def bulk_delete(client, route: str, objects):
    return client.post(
        reverse(route),
        {"action": "delete_selected", "_selected_action": [o.pk for o in objects], "post": "yes"},
    )


# Bulk delete ("Delete selected ...")


def test_bulk_delete_with_one_refused_deletes_nothing_and_names_what_depends(admin_client):
    # The deletable one comes first in the changelist's order, so a loop would delete it.
    deletable = new_concept("aaa-unneeded")
    needed = new_concept("zzz-needed")
    services.example_create(
        slug="only-zzz", name="Only zzz", kind="system", description="d", concepts=[needed]
    )
    before = Concept.history.count()

    response = bulk_delete(admin_client, "admin:concepts_concept_changelist", [deletable, needed])

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:concepts_concept_changelist")
    assert Concept.objects.filter(slug__in=["aaa-unneeded", "zzz-needed"]).count() == 2
    assert Concept.history.count() == before  # no delete entry survived the rollback
    page = admin_client.get(response["Location"])
    [message] = messages_of(page)
    assert message.startswith("Nothing was deleted")
    assert "Zzz needed" in message and "examples: only-zzz" in message
    assert "Aaa unneeded" not in message
    assert not any("Successfully deleted" in m for m in messages_of(page))


def test_bulk_delete_names_every_refused_object(admin_client):
    first, second = new_concept("first-needed"), new_concept("second-needed")
    for concept in (first, second):
        services.example_create(
            slug=f"only-{concept.slug}",
            name=concept.slug,
            kind="system",
            description="d",
            concepts=[concept],
        )
    response = bulk_delete(admin_client, "admin:concepts_concept_changelist", [first, second])
    assert response.status_code == 302
    [message] = messages_of(admin_client.get(response["Location"]))
    assert "2 of the 2 selected concepts" in message
    assert "examples: only-first-needed" in message
    assert "examples: only-second-needed" in message
    assert Concept.objects.filter(pk__in=[first.pk, second.pk]).count() == 2


def test_bulk_delete_of_deletable_objects_deletes_each_through_the_service(admin_client):
    concepts = [new_concept("unneeded-one"), new_concept("unneeded-two")]
    examples = list(Example.objects.all())

    response = bulk_delete(admin_client, "admin:concepts_concept_changelist", concepts)
    assert response.status_code == 302
    assert not Concept.objects.filter(slug__startswith="unneeded-").exists()
    for concept in concepts:
        [entry] = Concept.history.filter(id=concept.pk, history_type="-")
        assert entry.history_user.username == ADMIN_USERNAME
    assert any(
        "Successfully deleted 2 concepts" in m
        for m in messages_of(admin_client.get(response["Location"]))
    )

    response = bulk_delete(admin_client, "admin:concepts_example_changelist", examples)
    assert response.status_code == 302
    assert not Example.objects.exists()
    deleted = Example.history.filter(history_type="-")
    assert sorted(deleted.values_list("slug", flat=True)) == sorted(e.slug for e in examples)
    assert {e.history_user.username for e in deleted} == {ADMIN_USERNAME}


def test_bulk_delete_of_a_category_with_concepts_is_refused(admin_client):
    empty = services.category_create(slug="empty-category", name="Empty")
    used = Category.objects.get(slug="database-type")
    response = bulk_delete(admin_client, "admin:concepts_category_changelist", [empty, used])
    # Django's own check sees the protected concepts first and asks again: nothing deleted.
    assert response.status_code in (200, 302)
    assert Category.objects.filter(pk__in=[empty.pk, used.pk]).count() == 2


# Single delete


def test_single_delete_refused_by_the_service_names_what_depends(admin_client):
    needed = new_concept("needed-by-example")
    services.example_create(
        slug="only-needed", name="Only needed", kind="system", description="d", concepts=[needed]
    )
    url = reverse("admin:concepts_concept_delete", args=[needed.pk])
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert Concept.objects.filter(pk=needed.pk).exists()
    assert not Concept.history.filter(id=needed.pk, history_type="-").exists()
    [message] = messages_of(admin_client.get(response["Location"]))
    assert "Needed by example" in message and "examples: only-needed" in message


# History revert (History → an entry → Revert)


def entry_url(obj, record) -> str:
    meta = obj._meta
    route = f"admin:{meta.app_label}_{meta.model_name}_simple_history"
    return reverse(route, args=[obj.pk, record.history_id])


def first_entry(obj):
    return type(obj).history.filter(id=obj.pk).order_by("history_date", "history_id").first()


def latest_entry(obj):
    return type(obj).history.filter(id=obj.pk).order_by("-history_date", "-history_id").first()


def revert_form(client, url: str) -> dict:
    """What a browser posts from the revert page: the fields it may submit (not disabled ones)."""
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {"_save": "Revert"}
    for name, field in form.fields.items():
        value = form[name].value()
        if not field.disabled and value is not None:
            data[name] = value
    return data


def revert(client, obj, record):
    url = entry_url(obj, record)
    return client.post(url, revert_form(client, url))


def assert_reverted(obj, record, version: int) -> None:
    """A new recorded change: version bumped, the admin user, the message naming the entry."""
    obj.refresh_from_db()
    assert obj.version == version
    entry = latest_entry(obj)
    assert (entry.version, entry.history_type) == (version, "~")
    assert entry.history_user.username == ADMIN_USERNAME
    assert entry.history_change_reason == f"Reverted to entry {record.history_id}."


def test_revert_of_a_concept_restores_fields_and_tags(admin_client):
    concept = Concept.objects.get(slug="key-value-store")
    first = first_entry(concept)
    concept = services.concept_update(
        concept=concept, data={"summary": "Changed.", "tags": []}, change_message="edit"
    )
    assert concept.version == 2

    url = entry_url(concept, first)
    page = admin_client.get(url)
    form = page.context["adminform"].form
    # The page shows the entry's state (its tags, not today's) and the version stored now.
    assert sorted(t.slug for t in form.initial["tags"]) == ["nosql", "week-1"]
    assert form.initial["opened_at_version"] == 2

    response = revert(admin_client, concept, first)
    assert response.status_code == 302
    concept.refresh_from_db()
    assert concept.summary == first.summary
    assert sorted(concept.tags.values_list("slug", flat=True)) == ["nosql", "week-1"]
    assert_reverted(concept, first, version=3)
    assert latest_entry(concept).related == {"tags": ["nosql", "week-1"]}
    [message] = messages_of(admin_client.get(response["Location"]))
    assert f"reverted to entry {first.history_id}" in message


def test_revert_of_an_example_restores_its_concepts(admin_client):
    example = Example.objects.get(slug="redis")
    first = first_entry(example)
    database = Concept.objects.get(slug="database")
    services.example_update(
        example=example, data={"description": "Changed.", "concepts": [database]}
    )
    assert revert(admin_client, example, first).status_code == 302
    example.refresh_from_db()
    assert example.description == first.description
    assert list(example.concepts.values_list("slug", flat=True)) == ["key-value-store"]
    assert_reverted(example, first, version=3)


def test_revert_of_a_comparison_restores_its_rows(admin_client):
    from relations import services as relation_services
    from relations.models import Comparison

    comparison = Comparison.objects.get(slug="relational-vs-key-value")
    first = first_entry(comparison)
    aspects = [
        {"name": "Speed", "values": {"relational-database": "Fast.", "key-value-store": "Faster."}}
    ]
    relation_services.comparison_update(
        comparison=comparison, data={"verdict": "Changed.", "aspects": aspects}
    )
    assert revert(admin_client, comparison, first).status_code == 302
    comparison.refresh_from_db()
    assert comparison.verdict == first.verdict
    restored = relation_services.comparison_aspects(comparison)
    assert restored == first.related["aspects"]
    assert [a["name"] for a in restored] == ["Data structure", "Querying"]
    assert_reverted(comparison, first, version=3)


def test_revert_of_a_relation(admin_client):
    from relations import services as relation_services
    from relations.models import Relation

    relation = Relation.objects.get(type="contrasts-with")
    first = first_entry(relation)
    relation_services.relation_update(relation=relation, data={"note": "changed"})
    assert revert(admin_client, relation, first).status_code == 302
    relation.refresh_from_db()
    assert relation.note == "tables vs keys"
    assert_reverted(relation, first, version=3)


def test_revert_to_a_state_that_refers_to_a_deleted_concept_is_refused(admin_client):
    gone = new_concept("soon-gone")
    example = services.example_create(
        slug="about-soon-gone", name="About it", kind="system", description="d", concepts=[gone]
    )
    first = first_entry(example)
    services.example_update(
        example=example, data={"concepts": [Concept.objects.get(slug="database")]}
    )
    services.concept_delete(concept=gone)
    entries = Example.history.filter(id=example.pk).count()

    url = entry_url(example, first)
    response = admin_client.post(url, revert_form(admin_client, url))
    assert response.status_code == 302
    [message] = messages_of(admin_client.get(response["Location"]))
    assert "Not reverted" in message and "'soon-gone'" in message
    example.refresh_from_db()
    assert example.version == 2
    assert list(example.concepts.values_list("slug", flat=True)) == ["database"]
    assert Example.history.filter(id=example.pk).count() == entries


def test_revert_from_a_stale_page_is_refused(admin_client):
    concept = Concept.objects.get(slug="database")
    first = first_entry(concept)
    services.concept_update(concept=concept, data={"summary": "Mine."})
    url = entry_url(concept, first)
    form = revert_form(admin_client, url)  # opened at version 2
    services.concept_update(concept=concept, data={"summary": "Theirs."})

    response = admin_client.post(url, form)
    assert response.status_code == 302
    [message] = messages_of(admin_client.get(response["Location"]))
    assert "someone else changed this concept" in message
    concept.refresh_from_db()
    assert (concept.summary, concept.version) == ("Theirs.", 3)


def test_revert_needs_the_change_permission(admin_client):
    from django.contrib.auth.models import Permission

    from tests.concepts.test_admin import concept_form

    viewer = User.objects.create_user("viewer", password="pw-12345-xyz", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_concept"))
    client = Client()
    client.force_login(viewer)
    concept = Concept.objects.get(slug="database")
    services.concept_update(concept=concept, data={"summary": "Changed."})
    url = entry_url(concept, latest_entry(concept))
    assert client.get(url).status_code == 200  # the entry may be looked at

    form = concept_form(concept, summary="Written by a viewer.", opened_at_version="2")
    assert client.post(url, form).status_code == 403
    concept.refresh_from_db()
    assert (concept.summary, concept.version) == ("Changed.", 2)


@pytest.mark.parametrize("model", ["category", "tag"])
def test_history_page_of_a_model_without_history_is_the_admin_log(admin_client, model):
    from django.apps import apps

    obj = apps.get_model("concepts", model).objects.first()
    response = admin_client.get(reverse(f"admin:concepts_{model}_history", args=[obj.pk]))
    assert response.status_code == 200


def test_revert_to_the_state_it_has_changes_nothing(admin_client):
    concept = Concept.objects.get(slug="database")
    latest = latest_entry(concept)
    entries = Concept.history.filter(id=concept.pk).count()

    response = revert(admin_client, concept, latest)
    assert response.status_code == 302
    [message] = messages_of(admin_client.get(response["Location"]))
    assert f"already is as entry {latest.history_id} recorded it" in message
    concept.refresh_from_db()
    assert concept.version == 1
    assert Concept.history.filter(id=concept.pk).count() == entries
