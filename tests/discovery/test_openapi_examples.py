"""The OpenAPI schema's response examples are real answers, and still the API's answers."""

import json

import pytest
from drf_spectacular.generators import SchemaGenerator
from openapi_schema_validator import OAS30Validator

from content.management.commands.openapiexamples import record
from kbapi.http.openapi.examples import EXAMPLES_FILE, REQUESTS

MAIN_OPERATIONS = {
    "concepts_list",
    "concepts_retrieve",
    "search",
    "graph_retrieve",
    "graph_path",
    "compare",
    "advisor",
    "comparisons_retrieve",
}


@pytest.fixture(scope="module")
def schema():
    return json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True)))


def operations(schema) -> dict[str, dict]:
    return {op["operationId"]: op for item in schema["paths"].values() for op in item.values()}


def example_and_schema(schema, operation_id) -> tuple[dict, dict]:
    content = operations(schema)[operation_id]["responses"]["200"]["content"]["application/json"]
    return content["examples"]["real"]["value"], content["schema"]


def errors(value, response_schema, components) -> list[str]:
    validator = OAS30Validator({**response_schema, "components": components})
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(value)]


def keys(value, path="") -> set[str]:
    """Every key path in ``value`` (list items merged), e.g. ``results[].slug``."""
    if isinstance(value, dict):
        return {f"{path}.{k}" for k in value} | {
            p for k, v in value.items() for p in keys(v, f"{path}.{k}")
        }
    if isinstance(value, list):
        return {p for item in value for p in keys(item, f"{path}[]")}
    return set()


def test_the_main_operations_have_a_real_response_example(schema):
    assert set(REQUESTS) == MAIN_OPERATIONS
    for operation_id in MAIN_OPERATIONS:
        value, _ = example_and_schema(schema, operation_id)
        assert value, operation_id


@pytest.mark.parametrize("operation_id", sorted(MAIN_OPERATIONS))
def test_each_example_is_valid_for_its_response_schema(schema, operation_id):
    value, response_schema = example_and_schema(schema, operation_id)
    assert errors(value, response_schema, schema["components"]) == []


def test_an_example_that_no_longer_matches_its_schema_fails(schema):
    value, response_schema = example_and_schema(schema, "concepts_retrieve")
    # every property may be left out (``?fields=``), so a wrong type is what breaks it
    assert errors({**value, "tags": "not-a-list"}, response_schema, schema["components"])
    assert errors({**value, "name": 7}, response_schema, schema["components"])


def test_the_recorded_examples_are_still_what_the_api_answers(db):
    """Recorded again on this database: the same requests, the same shapes (the values,
    such as timestamps, may differ)."""
    committed = json.loads(EXAMPLES_FILE.read_text(encoding="utf-8"))
    fresh = record()
    assert set(fresh) == set(committed)
    for operation_id, example in committed.items():
        assert example["request"] == fresh[operation_id]["request"]
        assert keys(example["value"]) == keys(fresh[operation_id]["value"]), operation_id
