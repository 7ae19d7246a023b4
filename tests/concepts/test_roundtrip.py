"""Export and import: the real knowledge base, exported and loaded into an empty database,
answers every list and detail request with the same bytes (timestamps aside)."""

import re

from django.core.management import call_command
from django.urls import reverse
from rest_framework.views import APIView

from concepts.models import Category, Concept, Example, Tag
from content.models import LoadedEntry
from relations.models import Aspect, AspectValue, Comparison, ComparisonItem, Relation

RESOURCES = ("category", "tag", "concept", "example", "relation", "comparison")
# Only the moments of writing legitimately differ between the two databases.
TIMESTAMPS = re.compile(rb'"(created_at|updated_at)":"[^"]*"')


def responses(client) -> dict[str, bytes]:
    """Every page of every list and every detail of every resource, by URL."""
    seen = {}
    for resource in RESOURCES:
        url = reverse(f"{resource}-list") + "?page_size=100"
        while url:
            response = client.get(url)
            assert response.status_code == 200, url
            seen[url] = TIMESTAMPS.sub(b"", response.content)
            body = response.json()
            for item in body["results"]:
                detail = client.get(item["url"])
                assert detail.status_code == 200, item["url"]
                seen[item["url"]] = TIMESTAMPS.sub(b"", detail.content)
            url = body["next"]
    return seen


def empty_the_knowledge_base():
    """As a fresh database is: no content, and no record of a load (without that, loadkb
    would take the missing rows for deletions made in the database, and keep them deleted)."""
    LoadedEntry.objects.all().delete()
    for model in (AspectValue, Aspect, ComparisonItem, Comparison, Relation, Example, Concept):
        model.objects.all().delete()
    Tag.objects.all().delete()
    Category.objects.all().delete()


def test_export_then_load_into_an_empty_database_gives_identical_responses(
    kb, anon, tmp_path, monkeypatch
):
    # some 1,300 reads: throttling (tested on its own) must not answer them
    monkeypatch.setattr(APIView, "check_throttles", lambda self, request: None)
    before = responses(anon)
    assert len(before) > 146 + 85 + 368 + 16
    call_command("exportkb", output=tmp_path / "one")
    empty_the_knowledge_base()
    assert anon.get(reverse("concept-list")).json()["count"] == 0
    call_command("loadkb", str(tmp_path / "one"))
    after = responses(anon)
    assert after.keys() == before.keys()
    different = [url for url in before if before[url] != after[url]]
    assert different == [], different[:5]
    # and the export of the reloaded knowledge base is the same file
    call_command("exportkb", output=tmp_path / "two")
    assert (tmp_path / "one" / "kb.yaml").read_bytes() == (
        tmp_path / "two" / "kb.yaml"
    ).read_bytes()
