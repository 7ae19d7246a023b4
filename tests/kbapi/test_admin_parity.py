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
