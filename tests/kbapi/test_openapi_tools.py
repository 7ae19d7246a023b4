"""schema.yml works with the tools frontends and client authors use on it."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import require_tool

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = ROOT / "schema.yml"
CLIENTS = ROOT / "tests" / "clients"
NODE_DIR = ROOT / "tests" / "artifacts" / "node"  # git-ignored; reused between runs


def test_schema_passes_openapi_spec_validator():
    from openapi_spec_validator import validate

    validate(yaml.safe_load(SCHEMA_FILE.read_text()))


def test_operation_ids_are_unique_and_read_well():
    schema = yaml.safe_load(SCHEMA_FILE.read_text())
    operations = [op for item in schema["paths"].values() for op in item.values()]
    ids = [op["operationId"] for op in operations]
    assert len(ids) == len(set(ids))
    assert not [i for i in ids if i[-1].isdigit()], "numbered ids like concepts_list_2"
    described = {tag["name"] for tag in schema["tags"] if tag.get("description")}
    for op in operations:
        assert op.get("summary"), op["operationId"]
        assert set(op["tags"]) <= described, op["operationId"]


def _install_node_tools(npm: str) -> Path:
    """openapi-typescript and typescript at the versions pinned in tests/clients/package.json."""
    wanted = json.loads((CLIENTS / "package.json").read_text())["devDependencies"]
    installed = {
        name: json.loads(path.read_text())["version"]
        for name in wanted
        if (path := NODE_DIR / "node_modules" / name / "package.json").exists()
    }
    if installed != wanted:
        NODE_DIR.mkdir(parents=True, exist_ok=True)
        shutil.copy(CLIENTS / "package.json", NODE_DIR / "package.json")
        # exact versions from the npm registry; no install scripts, so nothing else is fetched
        result = subprocess.run(
            [npm, "install", "--ignore-scripts", "--no-audit", "--no-fund", "--no-package-lock"],
            cwd=NODE_DIR,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr[-3000:]
    return NODE_DIR / "node_modules" / ".bin"


@pytest.fixture(scope="module")
def typescript(tmp_path_factory):
    """``check(name)``: type-check ``tests/clients/{name}`` against the types
    openapi-typescript generates from schema.yml (generated once per module)."""
    require_tool("node")
    bin_dir = _install_node_tools(require_tool("npm"))
    folder = tmp_path_factory.mktemp("typescript")
    generated = folder / "kbapi.ts"
    result = subprocess.run(
        [str(bin_dir / "openapi-typescript"), str(SCHEMA_FILE), "--output", str(generated)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "error" not in result.stderr.lower(), result.stderr

    def check(name: str) -> subprocess.CompletedProcess:
        shutil.copy(CLIENTS / name, folder / name)
        return subprocess.run(
            [str(bin_dir / "tsc"), "--noEmit", "--strict", "--target", "es2020"]
            + ["--moduleResolution", "node", str(folder / name)],
            capture_output=True,
            text=True,
            timeout=120,
        )

    check.types = generated.read_text()
    return check


def test_openapi_typescript_generates_types_that_compile(typescript):
    assert "concepts_list: {" in typescript.types
    assert '"/api/v1/concepts/{slug}/": {' in typescript.types
    result = typescript("use_types.ts")
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_typescript_frontend_can_rely_on_the_contract(typescript):
    """tests/clients/contract.ts narrows on a search hit's type (with a `never` check), types
    sparse fields, and treats every collection, concept stub and comparison cell as one."""
    result = typescript("contract.ts")
    assert result.returncode == 0, result.stdout + result.stderr


def test_redocly_lint_finds_no_error_or_warning():
    require_tool("node")
    bin_dir = _install_node_tools(require_tool("npm"))
    result = subprocess.run(
        [str(bin_dir / "redocly"), "lint", str(SCHEMA_FILE), "--format", "stylish"]
        + ["--config", str(CLIENTS / "redocly.yaml")],
        capture_output=True,
        text=True,
        timeout=180,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert " error " not in output and " warning " not in output, output


def test_spectral_lint_finds_no_problem():
    require_tool("node")
    bin_dir = _install_node_tools(require_tool("npm"))
    result = subprocess.run(
        [str(bin_dir / "spectral"), "lint", str(SCHEMA_FILE), "--fail-severity", "hint"]
        + ["--ruleset", str(CLIENTS / "spectral.yaml")],
        capture_output=True,
        text=True,
        timeout=180,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "No results with a severity of 'hint' or higher found!" in output, output
