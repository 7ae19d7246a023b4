"""A Python client generated from schema.yml by openapi-python-client works against the live app.

Every operation of the schema is called, and every documented variant of a read (``fields``,
``expand``, each graph format); each answer must parse into the model the schema names for
it. Writes run as the live admin on throwaway objects: create, update, history, revert, delete.
"""

import importlib
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "schema.yml"


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


class Caller:
    """Calls operations by id through the generated client; checks each answer's type."""

    def __init__(self, schema: dict):
        self.operations = {
            op["operationId"]: op
            for item in schema["paths"].values()
            for method, op in item.items()
            if method in {"get", "post", "put", "patch", "delete"}
        }
        self.called: set[str] = set()

    def __call__(self, client, operation_id: str, *args, **kwargs):
        operation = self.operations[operation_id]
        tag = operation["tags"][0].replace("-", "_")
        module = importlib.import_module(f"kbapi_client.api.{tag}.{operation_id}")
        response = module.sync_detailed(*args, client=client, **kwargs)
        status = str(int(response.status_code))
        assert status in operation["responses"] and status < "300", (
            operation_id,
            status,
            response.content[:500],
        )
        content = operation["responses"][status].get("content")
        if content is None:
            assert response.parsed is None, operation_id
        else:
            media_type, body = next(iter(content.items()))
            assert response.headers["content-type"].split(";")[0] == media_type, operation_id
            if "$ref" in body["schema"]:
                model = body["schema"]["$ref"].rpartition("/")[2]
                assert type(response.parsed).__name__ == model, (operation_id, response.parsed)
            else:
                assert isinstance(response.parsed, str) and response.parsed, operation_id
        self.called.add(operation_id)
        return response.parsed


@pytest.fixture
def client_module(tmp_path):
    kbapi_client = generate_client(tmp_path)
    yield kbapi_client
    sys.path.remove(str(tmp_path))


def test_generated_python_client_lists_fetches_and_searches(live_app, client_module):
    from kbapi_client.api.concepts import concepts_list, concepts_retrieve
    from kbapi_client.api.relations import relations_list

    client = client_module.Client(base_url=live_app.url, raise_on_unexpected_status=True)
    page = concepts_list.sync(client=client, search="key-value", page_size=5)
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


def test_generated_python_client_calls_every_operation_and_variant(live_app, client_module):
    from kbapi_client import models

    schema = yaml.safe_load(SCHEMA_FILE.read_text())
    call = Caller(schema)
    anon = client_module.Client(base_url=live_app.url)
    slug, kv = "relational-database", "key-value-store"

    # --- reads, with every variant -------------------------------------------------------
    call(anon, "api_root")
    types = call(anon, "relation_types_list")
    assert {t.slug: t.label for t in types.results}["is-a"] == "is a"
    feed = call(anon, "changes_list", since=0)
    assert feed.results and feed.results[0].action.value == "created"
    for list_id, detail_id, key in (
        ("categories_list", "categories_retrieve", "database-type"),
        ("tags_list", "tags_retrieve", None),
        ("concepts_list", "concepts_retrieve", kv),
        ("examples_list", "examples_retrieve", "redis"),
        ("comparisons_list", "comparisons_retrieve", None),
        ("relations_list", "relations_retrieve", None),
    ):
        page = call(anon, list_id, page_size=3)
        key = key or (page.results[0].key if list_id == "relations_list" else page.results[0].slug)
        call(anon, detail_id, key)
        params = {p["name"]: p for p in call.operations[list_id].get("parameters", [])}
        sparse = call(anon, list_id, fields="url")
        assert sparse.results and all(not r.additional_properties for r in sparse.results)
        if "expand" in params:  # every expandable name, at once, on the list and the detail
            names = params["expand"]["description"].split("Expandable:")[1]
            expand = ",".join(n.strip(" `.") for n in names.split(","))
            call(anon, list_id, expand=expand, page_size=3)
            detail_params = {p["name"] for p in call.operations[detail_id].get("parameters", [])}
            if "expand" in detail_params:
                call(anon, detail_id, key, expand=expand.split(",")[0])
    expanded = call(anon, "concepts_retrieve", kv, expand="category,tags")
    assert isinstance(expanded.category, models.Category)
    assert all(isinstance(tag, models.Tag) for tag in expanded.tags)
    sparse = call(anon, "concepts_retrieve", kv, fields="slug,name")
    assert (sparse.slug, sparse.name) == (kv, "Key-value store")
    assert isinstance(
        call(anon, "concepts_list", expand="category").results[0].category, models.Category
    )

    call(anon, "concepts_neighbors", kv)
    call(anon, "concepts_learning_path", kv)
    call(anon, "graph_path", from_=kv, to=slug)
    call(anon, "compare", concepts=f"{kv},{slug}")
    call(anon, "advisor", q="user session cache")
    call(anon, "search", q="RDBMS")
    call(anon, "graph_retrieve", around=kv)
    assert call(anon, "graph_mermaid", around=kv).startswith("graph")
    assert call(anon, "graph_dot", around=kv).startswith("digraph")
    assert call(anon, "graph_jsonld", around=kv).to_dict()["@graph"]
    # --- writes, as an editor, on throwaway objects ---------------------------------------
    credentials = models.CredentialsRequest(
        username=live_app.admin_username, password=live_app.admin_password
    )
    token = call(anon, "auth_token_create", body=credentials).token
    editor = client_module.AuthenticatedClient(base_url=live_app.url, token=token)
    assert call(editor, "auth_me_retrieve").username == live_app.admin_username

    for kind, request, patched, body in (
        ("categories", models.CategoryRequest, models.PatchedCategoryRequest, {}),
        ("tags", models.TagRequest, models.PatchedTagRequest, {}),
    ):
        name = f"client-{kind}"
        call(editor, f"{kind}_create", body=request(slug=name, name=name, **body))
        call(editor, f"{kind}_update", name, body=request(slug=name, name=f"{name} 2", **body))
        call(editor, f"{kind}_partial_update", name, body=patched(name=f"{name} 3"))
        call(editor, f"{kind}_destroy", name)

    concept = models.ConceptRequest(
        slug="client-concept",
        name="Client concept",
        summary="A concept the client test makes.",
        definition="Made and removed by the generated client.",
        category="database-type",
        tags=[],
        source="tests",
    )
    call(editor, "concepts_create", body=concept)
    concept.summary = "Changed by PUT."
    call(editor, "concepts_update", "client-concept", body=concept)
    call(
        editor,
        "concepts_partial_update",
        "client-concept",
        body=models.PatchedConceptRequest(name="Client concept 2"),
    )
    example = models.ExampleRequest(
        slug="client-example",
        name="Client example",
        kind=models.ExampleKindEnum.SYSTEM,
        description="An example the client test makes.",
        concepts=["client-concept"],
    )
    call(editor, "examples_create", body=example)
    example.name = "Client example 2"
    call(editor, "examples_update", "client-example", body=example)
    call(
        editor,
        "examples_partial_update",
        "client-example",
        body=models.PatchedExampleRequest(name="Client example 3"),
    )
    aspect = models.AspectRequest.from_dict(
        {"name": "Speed", "values": {"client-concept": ["fast"], kv: ["faster"]}}
    )
    comparison = models.ComparisonRequest(
        slug="client-comparison",
        title="Client comparison",
        summary="A comparison the client test makes.",
        verdict="Either.",
        concepts=["client-concept", kv],
        aspects=[aspect],
    )
    call(editor, "comparisons_create", body=comparison)
    comparison.title = "Client comparison 2"
    call(editor, "comparisons_update", "client-comparison", body=comparison)
    call(
        editor,
        "comparisons_partial_update",
        "client-comparison",
        body=models.PatchedComparisonRequest(verdict="Neither."),
    )
    relation = models.RelationRequest(
        source="client-concept", type_=models.RelationTypeEnum.RELATED_TO, target=kv
    )
    key = call(editor, "relations_create", body=relation).key
    relation.note = "Changed by PUT."
    call(editor, "relations_update", key, body=relation)
    call(
        editor,
        "relations_partial_update",
        key,
        body=models.PatchedRelationRequest(note="Changed by PATCH."),
    )

    for kind, ident in (
        ("concepts", "client-concept"),
        ("examples", "client-example"),
        ("comparisons", "client-comparison"),
        ("relations", key),
    ):
        history = call(editor, f"{kind}_history_list", ident)
        call(editor, f"{kind}_history_revert_create", ident, history.results[-1].id)

    for kind, ident in (
        ("relations", key),
        ("comparisons", "client-comparison"),
        ("examples", "client-example"),
        ("concepts", "client-concept"),
    ):
        call(editor, f"{kind}_destroy", ident)
    call(editor, "auth_token_destroy")

    assert call.called == set(call.operations), set(call.operations) - call.called
