"""Content negotiation gives each request its own answer, though answers are remembered."""

import pytest
from django.urls import reverse

from kbapi.http import negotiation

DETAIL = reverse("concept-detail", args=["relational-database"])


@pytest.fixture(autouse=True)
def nothing_remembered():
    negotiation.StrictContentNegotiation._chosen.clear()
    yield
    negotiation.StrictContentNegotiation._chosen.clear()


def test_each_accept_header_gets_its_own_format_in_any_order(anon, small_kb):
    asked = ["*/*", "application/ld+json", "application/json", "application/ld+json", "*/*"]
    for accept in asked * 2:
        response = anon.get(DETAIL, HTTP_ACCEPT=accept)
        assert response.status_code == 200, accept
        wanted = "application/ld+json" if accept == "application/ld+json" else "application/json"
        assert response["Content-Type"].startswith(wanted), accept


def test_a_format_parameter_wins_over_the_remembered_header(anon, small_kb):
    assert anon.get(DETAIL)["Content-Type"].startswith("application/json")
    response = anon.get(DETAIL, {"format": "jsonld"})
    assert response["Content-Type"].startswith("application/ld+json")


def test_an_unacceptable_type_is_refused_every_time(anon, small_kb):
    for _ in range(3):
        response = anon.get(DETAIL, HTTP_ACCEPT="text/csv")
        assert response.status_code == 406
        assert response.json()["code"] == "not_acceptable"
    assert anon.get(DETAIL).status_code == 200


def test_an_indent_parameter_reaches_the_renderer(anon, small_kb):
    plain = anon.get(DETAIL, HTTP_ACCEPT="application/json")
    pretty = anon.get(DETAIL, HTTP_ACCEPT="application/json; indent=2")
    assert b"\n" not in plain.content
    assert b'\n  "url"' in pretty.content


def test_the_table_stays_bounded(anon, small_kb):
    for i in range(negotiation.REMEMBERED + 10):
        anon.get(DETAIL, HTTP_ACCEPT=f"application/json; q=0.{i % 9 + 1}, x/y{i}")
    assert len(negotiation.StrictContentNegotiation._chosen) <= negotiation.REMEMBERED
