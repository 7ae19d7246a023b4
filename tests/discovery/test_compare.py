"""compare/: an ad-hoc matrix of aspects by concepts."""

import pytest
from django.urls import reverse

from concepts.models import Concept


def compare(client, concepts):
    return client.get(reverse("compare"), {"concepts": concepts})


def rows(body) -> dict[str, dict]:
    return {row["name"]: row for row in body["results"]}


def test_curated_comparison_rows_come_first_for_the_requested_columns(anon):
    body = compare(anon, "graph-database,key-value-store").json()
    assert [c["slug"] for c in body["concepts"]] == ["graph-database", "key-value-store"]
    assert body["comparison"]["slug"] == "nosql-families"
    assert body["comparison"]["url"].endswith("/api/v1/comparisons/nosql-families/")
    curated = anon.get(reverse("comparison-detail", args=["nosql-families"])).json()["aspects"]
    sources = [row["source"] for row in body["results"]]
    assert sources == ["comparison"] * len(curated) + ["concept"] * (len(sources) - len(curated))
    for mine, theirs in zip(body["results"], curated, strict=False):
        assert mine["name"] == theirs["name"]
        assert mine["values"] == {
            slug: theirs["values"][slug] for slug in ("graph-database", "key-value-store")
        }


def test_attribute_rows_come_from_the_concepts(anon):
    body = compare(anon, "key-value-store,graph-database").json()
    by_name = rows(body)
    kv = Concept.objects.get(slug="key-value-store")
    assert by_name["Advantages"]["values"]["key-value-store"] == kv.advantages
    assert by_name["Limitations"]["values"]["graph-database"] == (
        Concept.objects.get(slug="graph-database").limitations
    )
    assert by_name["Use cases"]["values"]["key-value-store"] == kv.use_cases
    assert by_name["Category"]["values"]["key-value-store"] == [kv.category.name]
    assert by_name["Summary"]["values"]["key-value-store"] == [kv.summary]
    # the curated "Example systems" row stands; the attribute row of that name is not repeated
    assert [row["name"] for row in body["results"]].count("Example systems") == 1


def test_the_tightest_curated_comparison_is_used(anon):
    body = compare(anon, "relational-database,non-relational-database").json()
    assert body["comparison"]["slug"] == "relational-vs-non-relational"


def test_without_a_curated_comparison_only_attributes_and_example_systems(anon):
    body = compare(anon, "join,table").json()
    assert body["comparison"] is None
    assert [row["name"] for row in body["results"]] == [
        "Category",
        "Summary",
        "Advantages",
        "Limitations",
        "Use cases",
        "Example systems",
    ]
    assert all(set(row["values"]) == {"join", "table"} for row in body["results"])


def test_example_systems_are_the_systems_tied_to_each_concept(anon):
    body = compare(anon, "document-store,relational-database,column-store").json()
    assert body["comparison"] is None  # no curated comparison holds all three
    systems = rows(body)["Example systems"]["values"]
    assert "MongoDB" in systems["document-store"]
    assert "Apache Cassandra" in systems["column-store"]
    assert [c["slug"] for c in body["concepts"]] == [
        "document-store",
        "relational-database",
        "column-store",
    ]


def test_six_concepts_are_allowed(anon):
    six = "key-value-store,document-store,column-store,graph-database,relational-database,acid"
    assert compare(anon, six).status_code == 200


@pytest.mark.parametrize(
    ("concepts", "says"),
    [
        ("", "2 to 6"),
        ("acid", "2 to 6"),
        ("acid,join,table,sql,orm,mvt,mvc", "2 to 6"),
        ("acid,acid", "once"),
        ("acid,no-such-concept", "no-such-concept"),
        (",,acid,,", "2 to 6"),
    ],
)
def test_bad_concept_lists_are_400(anon, concepts, says):
    response = compare(anon, concepts)
    assert response.status_code == 400
    assert says in response.json()["errors"]["concepts"][0]


def test_missing_parameter_is_400(anon):
    response = anon.get(reverse("compare"))
    assert response.status_code == 400
    assert "concepts" in response.json()["errors"]
