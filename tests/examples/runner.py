"""How each language's examples run (README, "Code examples run in the suite").

``run_example`` runs one example with everything it requires and raises
``ExampleFailed`` (an AssertionError) saying why when it does not do what it
should. Python and template examples that need Django run in the throwaway
project (``project.py``): all of them at once in one project (``DjangoBatch``),
or, when that project cannot be set up, each in one of its own, so a failure
still names its example.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .catalogue import Catalogue
from .project import SETTINGS_ENV, build
from .project import run as run_driver


class ExampleFailed(AssertionError):
    pass


def run_example(
    catalogue: Catalogue, slug: str, *, tmp: Path, batch=None, connection=None, redis_port=None
):
    """Run ``slug``'s example; ``batch``: the results of all Django examples run together,
    ``connection``: the database connection SQL runs on (in the caller's transaction),
    ``redis_port``: the test's own Redis server."""
    example = catalogue[slug]
    language = example.language
    if language == "sql":
        return run_sql(catalogue, slug, connection)
    if language in ("python", "html") and catalogue.runs_in_django(slug):
        return run_django(catalogue, slug, tmp=tmp, batch=batch)
    if language == "python":
        return run_plain_python(catalogue, slug, tmp=tmp, redis_port=redis_port)
    if language in ("bash", "shell", "sh"):
        return _completed(["bash", "-n"], example.code, slug)
    if language == "json":
        try:
            return json.loads(example.code)
        except ValueError as exc:
            raise ExampleFailed(f"{slug}: not JSON: {exc}") from exc
    if language == "nginx":
        return run_nginx(example.code, slug, tmp=tmp)
    if language == "cypher":
        return check_cypher(example.code, slug)
    raise ExampleFailed(f"{slug}: no runner for language {language!r} (tests/examples/runner.py)")


def _completed(command, stdin: str, slug: str, **kwargs) -> str:
    done = subprocess.run(command, input=stdin, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        raise ExampleFailed(f"{slug}: {' '.join(map(str, command))} failed:\n{done.stderr}")
    return done.stdout


# --- SQL: on the suite's database, in its transaction ---

TRANSACTION_CONTROL = {  # the example's own transaction, as a savepoint of the test's
    "BEGIN": "SAVEPOINT example",
    "START TRANSACTION": "SAVEPOINT example",
    "COMMIT": "RELEASE SAVEPOINT example",
    "ROLLBACK": "ROLLBACK TO SAVEPOINT example",
}


def sql_statements(code: str) -> list[str]:
    """The statements of ``code``: split at semicolons outside quotes and ``--`` comments,
    comments left out."""
    statements, current, quote, i = [], [], None, 0
    while i < len(code):
        char = code[i]
        if quote:
            current.append(char)
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
            current.append(char)
        elif code.startswith("--", i):
            end = code.find("\n", i)
            i = len(code) if end < 0 else end
            continue
        elif char == ";":
            statements.append("".join(current).strip())
            current = []
        else:
            current.append(char)
        i += 1
    statements.append("".join(current).strip())
    return [s for s in statements if s]


def run_sql(catalogue: Catalogue, slug: str, connection) -> list:
    """Every statement of the example and of those it requires, in order; the rows of the
    example's last statement that returns any."""
    if connection is None:
        raise ExampleFailed(f"{slug}: SQL runs on the suite's database (use the db fixture)")
    rows: list = []
    with connection.cursor() as cursor:
        for example in catalogue.closure(slug):
            for statement in sql_statements(example.code):
                sql = TRANSACTION_CONTROL.get(statement.upper(), statement)
                try:
                    cursor.execute(sql)
                except Exception as exc:
                    raise ExampleFailed(
                        f"{example.slug} ({connection.vendor}): {exc}\n  in: {statement}"
                    ) from exc
                if example.slug == slug and cursor.description:
                    rows = cursor.fetchall()
    return rows


# --- Python without Django: a subprocess in a folder of its own ---

REDIS_PORT = re.compile(r"\bport\s*=\s*6379\b")


def run_plain_python(catalogue: Catalogue, slug: str, *, tmp: Path, redis_port=None) -> str:
    """The scripts of the example and of those it requires, one program, run in ``tmp``;
    a Redis client is pointed at the test's own server (``redis_port``)."""
    code = "\n\n".join(s.code for e in catalogue.closure(slug) for s in e.sections)
    if "import redis" in code:
        if redis_port is None:
            raise ExampleFailed(f"{slug}: needs a Redis server (the test starts one)")
        code = REDIS_PORT.sub(f"port={redis_port}", code)
    folder = tmp / slug
    folder.mkdir(parents=True, exist_ok=True)
    return _completed([sys.executable, "-"], code, slug, cwd=folder, timeout=60)


# --- nginx: nginx -t on a configuration wrapping the example ---

CERTIFICATE = re.compile(r"^(\s*ssl_certificate(?:_key)?\s+)(\S+);", re.MULTILINE)


def nginx_binary() -> str | None:
    path = os.environ.get("PATH", "") + os.pathsep + "/usr/sbin"
    return shutil.which("nginx", path=path)


def self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "example.pem", folder / "example.key"
    if not cert.exists():
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-days", "1", "-subj", "/CN=library.example.org",
             "-keyout", str(key), "-out", str(cert)],
            check=True, capture_output=True,
        )  # fmt: skip
    return cert, key


def run_nginx(code: str, slug: str, *, tmp: Path) -> None:
    """``nginx -t`` on the example inside an ``http {}`` block, as a site file is included;
    certificate files it names are replaced by a throwaway self-signed pair."""
    nginx = nginx_binary()
    if nginx is None:
        raise ExampleFailed("nginx is not installed")
    folder = tmp / slug
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = self_signed(tmp)
    site = CERTIFICATE.sub(
        lambda m: m.group(1) + str(key if m.group(1).strip().endswith("_key") else cert) + ";",
        code,
    )
    (folder / "site.conf").write_text(site)
    temp = " ".join(
        f"{name}_temp_path {folder}/{name};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (folder / "nginx.conf").write_text(
        f"""pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    {temp}
    include {folder}/site.conf;
}}
"""
    )
    _completed([nginx, "-t", "-q", "-p", str(folder), "-c", str(folder / "nginx.conf")], "", slug)


# --- Cypher: no well-kept parser on PyPI; the example is reviewed, this only catches slips ---

CYPHER_CLAUSES = ("MATCH", "OPTIONAL MATCH", "CREATE", "MERGE", "WITH", "UNWIND", "RETURN", "CALL")


def check_cypher(code: str, slug: str) -> None:
    text = re.sub(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'", "''", code)
    pairs, stack = {")": "(", "]": "[", "}": "{"}, []
    for char in text:
        if char in "([{":
            stack.append(char)
        elif char in pairs and (not stack or stack.pop() != pairs[char]):
            raise ExampleFailed(f"{slug}: unbalanced {char!r}")
    if stack:
        raise ExampleFailed(f"{slug}: unclosed {stack[-1]!r}")
    if not text.lstrip().upper().startswith(CYPHER_CLAUSES):
        raise ExampleFailed(f"{slug}: does not start with a Cypher clause")
    if "RETURN" not in text.upper() and not re.search(r"\b(CREATE|MERGE|SET|DELETE)\b", text, re.I):
        raise ExampleFailed(f"{slug}: neither returns nor writes anything")


# --- Django: the throwaway project ---


class DjangoBatch:
    """Every Django example of a catalogue checked in one project, once."""

    def __init__(self, catalogue: Catalogue, root: Path):
        self.catalogue, self.root = catalogue, root
        slugs = catalogue.django_examples()
        build(root, catalogue, slugs)
        self.results = run_driver(root, "examples")
        self.plan = json.loads((root / "plan.json").read_text())

    @property
    def set_up(self) -> bool:
        return "setup" not in self.results


def run_django(catalogue: Catalogue, slug: str, *, tmp: Path, batch: DjangoBatch | None) -> None:
    if batch is None or not batch.set_up:
        tmp.mkdir(parents=True, exist_ok=True)
        root = Path(tempfile.mkdtemp(prefix=f"project-{slug}-", dir=tmp))
        slugs = [slug, *_renderers(catalogue, slug)]
        plan = build(root, catalogue, slugs)
        results = run_driver(root, "examples")
        why = (
            f"\n(run alone: the project of all examples failed to set up:\n{batch.results['setup']})"
            if batch
            else ""
        )
    else:
        root, plan, results, why = batch.root, batch.plan, batch.results, ""
    if "setup" in results:
        raise ExampleFailed(
            f"{slug}: the project with this example cannot be set up:\n{results['setup']}{why}"
        )
    result = results[slug]
    if not result["ok"]:
        raise ExampleFailed(f"{slug}:\n{result['detail']}{why}")
    settings = plan["targets"][slug]["settings"]
    if settings:
        checked = run_driver(
            root, "settings", slug, settings, DJANGO_SETTINGS_MODULE=settings, **SETTINGS_ENV
        )
        outcome = checked.get(slug) or {"ok": False, "detail": checked.get("setup")}
        if not outcome["ok"]:
            raise ExampleFailed(f"{slug} (settings {settings}):\n{outcome['detail']}")


def _renderers(catalogue: Catalogue, slug: str) -> list[str]:
    """For a template: the view examples that require it (they render it)."""
    if catalogue[slug].language != "html":
        return []
    return [
        other
        for other, example in catalogue.examples.items()
        if other != slug
        and example.roles & {"views", "urls"}
        and slug in {e.slug for e in catalogue.closure(other)}
    ]
