"""advisor/: the columnar database, told apart from the wide-column store and the row store."""

import pytest
from django.urls import reverse


def advise(client, **params):
    response = client.get(reverse("advisor"), params)
    assert response.status_code == 200, response.content
    return response.json()


def ranking(client, **params) -> list[str]:
    return [result["slug"] for result in advise(client, **params)["results"]]


@pytest.mark.parametrize(
    "need",
    [
        "analytical scans over billions of rows",
        "OLAP scans with column compression",
        "a data lake of parquet files",
        "clickstream analytics loaded in nightly batches",
        "columnar storage for ad hoc analytical queries",
    ],
)
def test_analytical_needs_point_to_the_columnar_database(anon, need):
    assert ranking(anon, q=need)[0] == "columnar-database"


def test_the_columnar_database_has_example_systems(anon):
    body = advise(anon, q="analytical scans over billions of rows")
    best = body["results"][0]
    assert {"clickhouse", "duckdb", "amazon-redshift", "vertica", "apache-parquet"} <= {
        example["slug"] for example in best["examples"]
    }


def test_heavy_writes_by_key_still_point_to_the_wide_column_store(anon):
    slugs = ranking(anon, q="time series IoT sensor data with heavy writes")
    assert slugs[0] == "column-store"
    assert slugs.index("columnar-database") > slugs.index("column-store")


def test_oltp_speaks_against_the_columnar_database(anon):
    body = advise(anon, q="OLTP banking transactions")
    assert body["results"][0]["slug"] == "relational-database"
    columnar = next(r for r in body["results"] if r["slug"] == "columnar-database")
    assert columnar["score"] < 0
    assert ("intended_use", "oltp") in {
        (reason["factor"], reason["value"]) for reason in columnar["reasons"]["against"]
    }


def test_large_volume_analytics_separates_columnar_from_graph(anon):
    slugs = ranking(anon, intended_use="large-volume-analytics")
    assert slugs[0] == "columnar-database"
    assert slugs[-1] == "graph-database"


def test_generic_needs_keep_the_answers_the_notes_give(anon):
    assert ranking(anon, q="structured data")[0] == "relational-database"
    assert ranking(anon, q="analytics platform")[0] == "document-store"
    assert ranking(anon, q="ad hoc queries")[0] == "document-store"


def test_structured_requirements_for_scans_and_few_transactions(anon):
    slugs = ranking(anon, intended_use="column-scans,data-warehouse", data_structure="structured")
    assert slugs[0] == "columnar-database"
    scores = {r["slug"]: r["score"] for r in advise(anon, transaction_speed="high-rate")["results"]}
    assert scores["columnar-database"] == min(scores.values()) < 0
