"""The concept detail's plain-row read path gives exactly the serializer's bytes."""

from django.urls import reverse

from concepts.api.serializers import ConceptSerializer
from concepts.models import Concept

ALL_FIELDS = ",".join(ConceptSerializer.Meta.fields)


def test_plain_row_detail_equals_the_serializer_output_for_every_concept(anon, kb):
    """Same bytes (so the same ETag) as the serializer path, which ?fields= takes."""
    slugs = list(Concept.objects.values_list("slug", flat=True))
    assert len(slugs) > 100
    for slug in slugs:
        url = reverse("concept-detail", args=[slug])
        fast = anon.get(url)
        slow = anon.get(url, {"fields": ALL_FIELDS})
        assert fast.status_code == slow.status_code == 200, slug
        assert fast.content == slow.content, slug
        assert fast["ETag"] == slow["ETag"] and fast["Last-Modified"] == slow["Last-Modified"]


def test_plain_row_detail_shows_relations_both_ways_and_comparisons(anon, kb):
    body = anon.get(reverse("concept-detail", args=["key-value-store"])).json()
    assert body["relations"]["outgoing"] and body["relations"]["incoming"]
    assert body["comparisons"] and body["examples"] and body["tags"]
    edge = body["relations"]["outgoing"][0]
    assert edge["concept"]["url"].endswith(f"/api/v1/concepts/{edge['concept']['slug']}/")


def test_plain_row_detail_keeps_conditional_requests_and_errors(anon, kb):
    url = reverse("concept-detail", args=["acid"])
    first = anon.get(url)
    assert anon.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert anon.head(url)["ETag"] == first["ETag"]
    missing = anon.get(reverse("concept-detail", args=["no-such-concept"]))
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
