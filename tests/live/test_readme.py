"""Every command and snippet of the README runs as written, against a live server.

The README's shell blocks are run in order as one bash script (so `TOKEN=...` in one block
serves the next), with `set -euo pipefail` and a `.curlrc` saying `--fail-with-body`, so an
HTTP error of any `curl` fails the test; its Python blocks then run with the project's
Python, and the typed-client one is also type-checked by mypy against the client the shell
block generated; its JSON blocks must parse. The one change made to the text: the README's
address `127.0.0.1:8000` becomes the live server's. A command that cannot run inside a test
(it starts the server, runs the suite, or needs Docker) must be listed in ``NOT_RUN`` with the
test that covers it instead, so a new command in the README cannot go unrun.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import require_tool
from tests.liveserver import child_env, loaded_server

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
ADDRESS = "127.0.0.1:8000"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)

# command (as the README writes it) -> what checks it instead
NOT_RUN = {
    "make run": "the README's address is this test's server, started as `make run` starts it",
    "make test": "this suite is what it runs",
    "make run &": "as `make run`",
    "DATABASE_URL=postgres://user@127.0.0.1:5432/kbapi make run": ".ci/run's PostgreSQL pass",
    "DATABASE_URL=postgres://user@127.0.0.1:5432/kbapi make test": ".ci/run's PostgreSQL pass",
    "cp .env.example .env": "tests/kbapi/test_deployment.py (compose with .env.example)",
    "docker-compose up -d --build": "tests/kbapi/test_deployment.py (no Docker daemon in CI)",
    "curl -H 'Host: localhost' http://127.0.0.1:8080/readyz": "tests/kbapi/test_nginx_live.py",
}


def blocks(language: str) -> list[str]:
    return [body for lang, body in FENCE.findall(README.read_text()) if lang == language]


def commands(block: str) -> list[str]:
    """The block's commands, continuation lines joined, comments and blank lines left out."""
    joined = re.sub(r"\\\n\s*", " ", block)
    lines = [re.sub(r"\s+#[^'\"]*$", "", line).strip() for line in joined.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def shell_script() -> tuple[str, list[str]]:
    ran, script = [], []
    for block in blocks("sh"):
        for command in commands(block):
            if command in NOT_RUN:
                continue
            ran.append(command)
            script.append(command)
    return "\n".join(script), ran


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with loaded_server(tmp_path_factory.mktemp("readme")) as served:
        yield served


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A folder that looks like the checkout (each top-level entry linked), so the README's
    relative paths work and what it writes (kbapi_client/, kbapi.ts, types.svg) lands here."""
    folder = tmp_path_factory.mktemp("checkout")
    for entry in ROOT.iterdir():
        if entry.name not in {".git", "db.sqlite3"}:
            (folder / entry.name).symlink_to(entry)
    (folder / ".curlrc").write_text("fail-with-body\nsilent\nshow-error\n")
    return folder


def written(text: str, url: str) -> str:
    return text.replace(f"http://{ADDRESS}", url).replace(ADDRESS, url.removeprefix("http://"))


def environment(server, workdir) -> dict:
    url, database_url = server
    # KBAPI_URL: examples/explore.py's default address is the README's, 127.0.0.1:8000
    env = child_env(database_url, CURL_HOME=str(workdir), HOME=str(workdir), KBAPI_URL=url)
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '/usr/bin:/bin')}"
    return env


def test_every_command_not_run_is_still_in_the_readme():
    written_commands = {c for block in blocks("sh") for c in commands(block)}
    assert set(NOT_RUN) <= written_commands, set(NOT_RUN) - written_commands


@pytest.fixture(scope="module")
def shell_run(server, workdir):
    for tool in ("jq", "dot", "npx"):
        require_tool(tool)
    script, _ = shell_script()
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", written(script, server[0])],
        cwd=workdir,
        env=environment(server, workdir),
        capture_output=True,
        text=True,
        timeout=600,
    )
    return result


def test_the_shell_blocks_run_as_written(shell_run, workdir):
    assert shell_run.returncode == 0, shell_run.stdout[-3000:] + shell_run.stderr[-3000:]
    assert (workdir / "kbapi_client" / "__init__.py").exists()  # the client generation ran
    assert (workdir / "kbapi.ts").read_text().count("operations") >= 1
    assert (workdir / "types.svg").read_text().lstrip().startswith("<?xml")
    assert "\n304\n" in f"\n{shell_run.stdout}"  # the revalidation line prints its 304


def test_the_shell_blocks_name_the_calls_they_make():
    _, ran = shell_script()
    assert any("createeditor" in c for c in ran) and any("auth/token/" in c for c in ran)
    assert any(c.startswith("PATH=.venv/bin:$PATH openapi-python-client generate") for c in ran)
    assert len(ran) >= 30


def python_blocks() -> list[str]:
    found = blocks("python")
    assert len(found) == 3, "a new Python block needs a test here"
    return found


def test_the_typed_client_snippet_runs_and_passes_mypy(shell_run, server, workdir):
    assert shell_run.returncode == 0
    snippet = written(python_blocks()[0], server[0])
    (workdir / "typed_snippet.py").write_text(snippet)
    env = environment(server, workdir)
    run = subprocess.run(
        [sys.executable, "typed_snippet.py"], cwd=workdir, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "key paired with a value" in run.stdout and "document-store" in run.stdout
    checked = subprocess.run(
        # the snippet is checked; the generated package is the generator's code (its own
        # errors, if any, are openapi-python-client's, not the README's)
        [sys.executable, "-m", "mypy", "--no-incremental", "--follow-imports=silent"]
        + ["typed_snippet.py"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert checked.returncode == 0, checked.stdout[-3000:]


def test_the_requests_snippet_runs(shell_run, server, workdir):
    assert shell_run.returncode == 0  # the editor it signs in as was created there
    snippet = written(python_blocks()[1], server[0])
    env = {**environment(server, workdir), "EDITOR_PASSWORD": "pick a long passphrase"}
    assert "export EDITOR_PASSWORD='pick a long passphrase'" in README.read_text()
    run = subprocess.run(
        [sys.executable, "-c", snippet], cwd=workdir, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr[-3000:]
    tag = json.loads(
        subprocess.run(
            ["curl", "-s", f"{server[0]}/api/v1/tags/nosql/"], capture_output=True, text=True
        ).stdout
    )
    assert tag["name"] == "NoSQL databases"


def test_the_json_blocks_parse():
    """Each JSON block is one or more JSON documents, one after another."""
    decoder = json.JSONDecoder()
    found = blocks("json")
    assert found
    for block in found:
        position, count = 0, 0
        while block[position:].strip():
            position += len(block[position:]) - len(block[position:].lstrip())
            _, position = decoder.raw_decode(block, position)
            count += 1
        assert count >= 1


def test_the_commands_kept_out_of_the_run_exist():
    for command in NOT_RUN:
        if command.startswith(("make", "DATABASE_URL")):
            target = command.split("make ", 1)[1].rstrip(" &")
            dry = subprocess.run(
                ["make", "-n", target], cwd=ROOT, capture_output=True, text=True, timeout=60
            )
            assert dry.returncode == 0, dry.stderr
    assert (ROOT / ".env.example").exists() and (ROOT / "docker-compose.yml").exists()
    assert os.access(ROOT / "manage.py", os.R_OK)


def test_the_change_feed_poller_follows_the_feed(server, workdir):
    """The poller loops for ever by design: it runs until it has caught up and sleeps."""
    snippet = written(python_blocks()[2], server[0])
    with pytest.raises(subprocess.TimeoutExpired) as stopped:
        subprocess.run(
            [sys.executable, "-c", snippet],
            cwd=workdir,
            env=environment(server, workdir),
            capture_output=True,
            text=True,
            timeout=20,
        )
    lines = (stopped.value.stdout or b"").decode().splitlines()
    assert len(lines) > 300 and lines[0].split()[1:3] == ["created", "category"], lines[:3]
    cursors = [int(line.split()[0]) for line in lines]
    assert cursors == sorted(set(cursors))  # each change once, in order
    assert "Traceback" not in (stopped.value.stderr or b"").decode()
