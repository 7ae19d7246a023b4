"""The walkable graph is memoised per process, keyed by the relations as read now."""

from django.urls import reverse

from relations.models import Relation


def path_length(client, source: str, target: str, **params) -> int | None:
    response = client.get(reverse("graph-path"), {"from": source, "to": target, **params})
    return response.json()["length"] if response.status_code == 200 else None


def test_a_relation_written_changes_the_next_walk(anon, editor, deleter):
    """Added, retyped and deleted edges show at once: no request walks a stale graph."""
    source, target = "key-value-store", "django-orm"
    before = path_length(anon, source, target)
    assert before is not None and before > 1
    assert path_length(anon, source, target) == before  # the memoised graph answers alike

    created = editor.post(
        reverse("relation-list"),
        {"source": source, "type": "related-to", "target": target},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert path_length(anon, source, target) == 1
    # a type filter walks a graph of its own edges, not the whole one memoised first
    assert path_length(anon, source, target, type="is-a") != 1

    key = created.json()["key"]
    deleted = deleter.delete(reverse("relation-detail", args=[key]))
    assert deleted.status_code == 204
    assert not Relation.objects.filter(source__slug=source, target__slug=target).exists()
    assert path_length(anon, source, target) == before
