"""schema.yml is generated from the code, and a stale copy fails the suite."""

from pathlib import Path

from django.core.management import call_command

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.yml"


def test_committed_schema_matches_the_code(tmp_path):
    fresh = tmp_path / "schema.yml"
    call_command("spectacular", "--file", str(fresh), "--validate", "--fail-on-warn")
    assert fresh.read_text() == SCHEMA_FILE.read_text(), "schema.yml is stale: run `make schema`"


def test_schema_documents_the_error_shape_on_every_operation():
    import yaml

    schema = yaml.safe_load(SCHEMA_FILE.read_text())
    assert "Error" in schema["components"]["schemas"]
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            assert {"400", "404", "429", "500"} <= set(operation["responses"]), (path, method)
            if method in {"post", "put", "patch", "delete"}:
                assert {"401", "403", "415"} <= set(operation["responses"]), (path, method)


def test_schema_and_docs_are_served(anon, db):
    assert anon.get("/api/schema/").status_code == 200
    docs = anon.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger-ui" in docs.content
    assert anon.get("/api/redoc/").status_code == 200
