"""examples/explore.py, run as a person would against a running kbapi."""

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "explore.py"


def run(*args, env=None):
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", **(env or {})},
    )


def test_explore_searches_reads_follows_relations_and_prints_a_comparison(live_app):
    result = run("--url", live_app.url, "key value store")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("Search 'key value store': ")
    assert "\nKey-value store  (database-type)\n" in out
    assert "--is-a--> Non-relational database: " in out
    assert "Key-value vs document vs wide-column vs graph databases" in out
    assert "aspect" in out and "| document-store" in out
    assert "Verdict: " in out


def test_explore_reads_the_url_from_the_environment_and_reports_no_match(live_app):
    result = run("no-such-thing-anywhere", env={"KBAPI_URL": live_app.url})
    assert result.returncode == 1
    assert "Nothing found for 'no-such-thing-anywhere'." in result.stdout


def test_explore_says_when_the_server_is_not_running():
    result = run("--url", "http://127.0.0.1:9", "acid")
    assert result.returncode == 2
    assert "is `make run` going?" in result.stderr
