"""A Python client generated from schema.yml by openapi-python-client works against the live app."""

import importlib
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "schema.yml"
SEARCH_PATH = "/api/v1/search/"


def generate_client(tmp_path: Path):
    tool = Path(sys.executable).with_name("openapi-python-client")
    result = subprocess.run(
        [str(tool), "generate", "--path", str(SCHEMA_FILE), "--meta", "none"]
        + ["--output-path", str(tmp_path / "kbapi_client")],
        capture_output=True,
        text=True,
        timeout=180,
        env={"PATH": f"{tool.parent}:/usr/bin:/bin"},  # its ruff post-hooks come from the venv
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout, result.stdout
    sys.path.insert(0, str(tmp_path))
    for name in [m for m in sys.modules if m == "kbapi_client" or m.startswith("kbapi_client.")]:
        del sys.modules[name]
    return importlib.import_module("kbapi_client")


def test_generated_python_client_lists_fetches_and_searches(live_app, tmp_path):
    kbapi_client = generate_client(tmp_path)
    try:
        from kbapi_client.api.concepts import concepts_list, concepts_retrieve
        from kbapi_client.api.relations import relations_list

        client = kbapi_client.Client(base_url=live_app.url, raise_on_unexpected_status=True)
        page = concepts_list.sync(client=client, search="key", page_size=5)
        assert page.count >= 1 and len(page.results) <= 5
        assert "key-value-store" in [c.slug for c in page.results]

        concept = concepts_retrieve.sync(client=client, slug="key-value-store")
        assert concept.name == "Key-value store"
        assert concept.category == "database-type"
        assert {e.slug for e in concept.examples} >= {"redis"}
        targets = {edge.concept.slug for edge in concept.relations.outgoing}
        assert "non-relational-database" in targets

        edges = relations_list.sync(client=client, source="key-value-store")
        assert {e.target for e in edges.results} == targets

        schema = yaml.safe_load(SCHEMA_FILE.read_text())
        if SEARCH_PATH in schema["paths"]:  # the search endpoint, once it is merged
            operation_id = schema["paths"][SEARCH_PATH]["get"]["operationId"]
            tag = schema["paths"][SEARCH_PATH]["get"]["tags"][0].replace("-", "_")
            search = importlib.import_module(f"kbapi_client.api.{tag}.{operation_id}")
            response = search.sync_detailed(client=client, q="RDBMS")
            assert response.status_code == 200
            assert response.parsed is not None
            assert b"relational-database" in response.content
    finally:
        sys.path.remove(str(tmp_path))
