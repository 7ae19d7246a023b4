"""``make bench``: kbapi under uvicorn, side by side with its two references, in one run.

For each database (SQLite always; PostgreSQL when ``DATABASE_URL`` names one or
a local server answers on 127.0.0.1:5432) it loads the real knowledge base,
serves it with uvicorn (one worker per core), and drives load from a second
process (wrk, installed from Debian's packages when possible, else
``bench.loadgen``). First reads run with the response cache off; repeated
reads with it on and warm. Then it grows the knowledge base to 100,000
concepts and measures the reads again. Every row is shown as a ratio to a
bare ASGI app (the ceiling) and to a hand-written ``.values()`` Django view,
both served by the same uvicorn. The table goes to docs/PERFORMANCE.md.

Every row is the median of BENCH_SAMPLES back-to-back load runs: a dip of a
second (another process's burst, a collector pass) moves one sample, not the row.
The references are measured at the start of each pass. The rows with a target
(first-read list and detail against the ``.values()`` view; repeated list,
detail, search and 304 against bare ASGI) are closer to it than the machine's
drift over a pass: each is measured in turn with its reference,
BENCH_PAIRED_SAMPLES times each, and its ratio is to those runs.

Each server is first warmed for BENCH_WARMUP seconds on the ``.values()`` view:
a worker moves its long-lived state out of the collector's way after its first
200 and 2,000 requests (``kbapi.asgi``); without the warm-up the reference
measured first ran in a slower state than the endpoints after it.

Environment: BENCH_DURATION (seconds per load run, 1), BENCH_SAMPLES (3), BENCH_WARMUP (2),
BENCH_PAIRED_SAMPLES (4), BENCH_CONNECTIONS (16), BENCH_SIZE (generated concepts, 100000),
BENCH_SKIP_PG=1, BENCH_SKIP_LARGE=1, BENCH_LEAN=1 (also a pass with lean middleware).
"""

import contextlib
import datetime
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
DOC = ROOT / "docs" / "PERFORMANCE.md"
DURATION = float(os.environ.get("BENCH_DURATION", 1))
SAMPLES = max(1, int(os.environ.get("BENCH_SAMPLES", 3)))
WARMUP = float(os.environ.get("BENCH_WARMUP", 2))
PAIRED_SAMPLES = max(1, int(os.environ.get("BENCH_PAIRED_SAMPLES", 4)))
# BENCH_LEAN=1: also a pass with lean middleware (bench/settings_lean.py)
LEAN = os.environ.get("BENCH_LEAN") == "1"
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", 16))
SIZE = int(os.environ.get("BENCH_SIZE", 100_000))
WORKERS = os.cpu_count() or 1

DETAIL = "/api/v1/concepts/relational-database/"
VALUES = "/bench/values/"  # the hand-written .values() reference (bench/references.py)
ENDPOINTS = {
    "concept list": "/api/v1/concepts/",
    "concept detail": DETAIL,
    "detail 304": DETAIL,
    "search": "/api/v1/search/?q=transaction",
    "graph path": "/api/v1/graph/path/?from=key-value-store&to=acid",
    "advisor": "/api/v1/advisor/?q=user+session+cache",
    "write (PATCH)": "PATCH /api/v1/concepts/acid/",
}
SINGLE_CLIENT = ("search", "graph path", "advisor")
REFERENCES = {"bare ASGI": "/bench/bare", ".values() view": VALUES}
# The rows with a target, each measured in turn with the reference its target names.
PAIRED = {
    "first read": {"concept list": ".values() view", "concept detail": ".values() view"},
    "repeated": {name: "bare ASGI" for name in ("concept list", "concept detail", "search",
                                                "detail 304")},
}  # fmt: skip
LARGE = ("concept list", "concept detail", "search")


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# ---------------------------------------------------------------- load generation


def ensure_wrk() -> str | None:
    if shutil.which("wrk"):
        return shutil.which("wrk")
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        log("installing wrk from Debian's packages")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        quiet = {"env": env, "capture_output": True, "timeout": 300}
        if subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], **quiet).returncode:
            subprocess.run(["apt-get", "update", "-qq"], **quiet)
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], **quiet)
    return shutil.which("wrk")


WRK = None


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def load(url, *, connections=CONNECTIONS, duration=DURATION, headers=(), method="GET", body=""):
    """Drive ``url`` for ``duration`` seconds; requests/s, p50 and p99 in ms, error count."""
    if WRK:
        cmd = [WRK, "-t1", f"-c{connections}", f"-d{max(1, round(duration))}s", "--latency", url]
        for header in headers:
            cmd += ["-H", header]
        script = None
        if method != "GET":
            with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
                script.write(WRK_WRITE.format(method=json.dumps(method), body=json.dumps(body)))
            cmd += ["-s", script.name]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
        out = done.stdout
        if "Requests/sec" not in out:
            raise RuntimeError(f"wrk failed: {done.stdout}{done.stderr}")
        if script:
            os.unlink(script.name)
        pct = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        return {
            "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50_ms": _ms(pct["50"]),
            "p99_ms": _ms(pct["99"]),
            "errors": int(errors.group(1)) if errors else 0,
        }
    cmd = [PY, "-m", "bench.loadgen", url, "-c", str(connections), "-d", str(duration)]
    cmd += ["-m", method, "-b", body] + [arg for h in headers for arg in ("-H", h)]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=duration + 60)
    return json.loads(out.stdout)


# A write's body may hold one %d: each request puts a new number there, so every
# request changes the object (a write that changes nothing writes nothing).
WRK_WRITE = """wrk.method = {method}
local template, n = {body}, 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, string.format(template, n))
end
"""


def measured(url, **options) -> dict:
    """``load`` SAMPLES times back to back: the median of each figure, errors summed."""
    return summary([load(url, **options) for _ in range(SAMPLES)])


def paired(url, reference_url, **options) -> tuple[dict, dict]:
    """``url`` (with ``options``) and ``reference_url`` loaded in turn, PAIRED_SAMPLES
    times each: the summary of each. A drift of the machine hits both alike."""
    runs, references = [], []
    for _ in range(PAIRED_SAMPLES):
        references.append(load(reference_url))
        runs.append(load(url, **options))
    return summary(runs), summary(references)


def summary(runs: list[dict]) -> dict:
    figures = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    return {**figures, "errors": sum(run.get("errors", 0) for run in runs)}


# ---------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http(port, path, headers=None, method="GET", body=None):
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


class Server:
    """uvicorn, one worker per core (``bench.serve``), serving bench.asgi: kbapi plus the references.

    Each worker is its own uvicorn process with its own ``SO_REUSEPORT`` socket
    on the shared port, rather than ``uvicorn --workers``: see bench/serve.py
    for why (with one shared socket, a run measured one core or two at random).
    """

    def __init__(self, env: dict, label: str):
        self.env = env
        self.label = label
        self.port = free_port()
        self.procs = [
            subprocess.Popen([PY, "-m", "bench.serve", str(self.port)], cwd=ROOT, env=env)
            for _ in range(WORKERS)
        ]
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if any(proc.poll() is not None for proc in self.procs):
                self.stop()
                raise RuntimeError(f"a uvicorn worker exited ({label})")
            if self._all_answer():
                break
            time.sleep(0.3)
        else:
            self.stop()
            raise RuntimeError(f"uvicorn did not start its workers in 90 s ({label})")
        time.sleep(1)

    def _all_answer(self) -> bool:
        """Every worker listens: a worker's socket takes connections only once it does."""
        return all(_listening(proc.pid, self.port) for proc in self.procs) and _healthy(self.port)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def workers(self) -> list[int]:
        return [proc.pid for proc in self.procs]

    def peak_rss_mb(self) -> list[float]:
        peaks = []
        for pid in self.workers():
            status = Path(f"/proc/{pid}/status").read_text()
            peaks.append(int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024)
        return peaks

    def stop(self) -> list[float]:
        peaks = self.peak_rss_mb()
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        return peaks


def _healthy(port: int) -> bool:
    try:
        return http(port, "/healthz")[0] == 200
    except OSError:
        return False


def _listening(pid: int, port: int) -> bool:
    """Whether process ``pid`` holds a socket listening on 127.0.0.1:``port``."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    local = f"0100007F:{port:04X}"
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1] == local and fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
            return True
    return False


# ---------------------------------------------------------------- databases


def postgres_base() -> str | None:
    if os.environ.get("BENCH_SKIP_PG") == "1":
        return None
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        return url.rsplit("/", 1)[0]
    for user in ("postgres", "root"):
        probe = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", user, "-d", "postgres", "-Atc", "select 1"],
            capture_output=True,
            timeout=10,
        ) if shutil.which("psql") else None  # fmt: skip
        if probe and probe.returncode == 0:
            return f"postgres://{user}@127.0.0.1:5432"
    return None


def fresh_database(kind: str, tmp: Path, pg_base: str | None) -> str:
    if kind == "sqlite":
        path = tmp / "bench.sqlite3"
        for leftover in tmp.glob("bench.sqlite3*"):
            leftover.unlink()
        return f"sqlite:///{path}"
    admin = f"{pg_base}/postgres"
    subprocess.run(["psql", admin, "-qc", "drop database if exists kbapi_bench"], check=True)
    subprocess.run(["psql", admin, "-qc", "create database kbapi_bench"], check=True)
    return f"{pg_base}/kbapi_bench"


def base_env(database_url: str, tmp: Path) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url,
        "KB_VERSION_FILE": str(tmp / f"kbversion-{abs(hash(database_url))}"),
        "SERVE_STATIC": "0",
        "THROTTLE_ANON": "100000000/minute",
        "THROTTLE_USER": "100000000/minute",
        "REQUEST_LOG": "0",
        "DEBUG": "false",  # as deployed: no query log kept per request
        "PYTHONPATH": str(ROOT),
    }


def manage(env, *args, module=None) -> str:
    cmd = [PY, "-m", module, *args] if module else [PY, "manage.py", *args]
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    if result.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{result.stderr[-3000:]}")
    return result.stdout.strip()


# ---------------------------------------------------------------- one measurement pass


def probe(server: Server, names, token: str) -> tuple[dict, dict]:
    """Which endpoints this checkout serves; the ETag for the 304 row."""
    available, notes = {}, {}
    for name in names:
        spec = ENDPOINTS[name]
        if spec.startswith("PATCH "):
            available[name] = spec
            continue
        status, headers, _ = http(server.port, spec)
        if status == 404:
            notes[name] = "not in this checkout (404): skipped"
        elif status != 200:
            notes[name] = f"answers {status}: skipped"
        elif name == "detail 304" and "etag" not in headers:
            notes[name] = "no ETag on detail: skipped"
        else:
            available[name] = spec
            if name == "detail 304":
                notes["etag"] = headers["etag"]
    return available, notes


def measure(server: Server, names, token: str, mode: str, pairs=None) -> list[dict]:
    available, notes = probe(server, names, token)
    rows = []
    for name in names:
        if name not in available:
            rows.append({"endpoint": name, "mode": mode, "note": notes.get(name, "")})
            continue
        spec = available[name]
        headers, method, body, path = [], "GET", "", spec
        if spec.startswith("PATCH "):
            method, path = "PATCH", spec[6:]
            body = json.dumps({"summary": "Benchmarked: a set of properties of transactions, %d."})
            headers = [f"Authorization: Token {token}", "Content-Type: application/json"]
        if name == "detail 304":
            headers = [f"If-None-Match: {notes['etag']}"]
        if method == "GET":
            http(server.port, path, dict(h.split(": ", 1) for h in headers))  # warm (fill cache)
        options = {"headers": headers, "method": method, "body": body}
        if name in (pairs or {}):
            reference = pairs[name]
            result, ref = paired(server.url(path), server.url(REFERENCES[reference]), **options)
            result["paired"] = {"reference": reference, "rps": ref["rps"]}
        else:
            result = measured(server.url(path), **options)
        rows.append({"endpoint": name, "mode": mode, **result})
        if mode == "first read" and name in SINGLE_CLIENT:
            single = measured(server.url(path), connections=1)
            rows.append({"endpoint": name, "mode": "1 client", **single})
    return rows


def references(server: Server) -> dict:
    return {name: measured(server.url(path)) for name, path in REFERENCES.items()}


def run_database(kind: str, tmp: Path, pg_base: str | None) -> dict:
    log(f"{kind}: fresh database, migrate, load the real knowledge base")
    url = fresh_database(kind, tmp, pg_base)
    env = base_env(url, tmp)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "loadkb")
    token = manage(env, "token", module="bench.tasks").splitlines()[-1]
    env["BENCH_TOKEN"] = token
    reads = [n for n in ENDPOINTS if n != "write (PATCH)"]
    query_urls = [ENDPOINTS[n] for n in ENDPOINTS]
    result = {"kind": kind, "passes": []}

    def one_pass(label, names, cache, dataset, server_env=None, paired=False):
        server = Server({**(server_env or env), "RESPONSE_CACHE": "1" if cache else "0"}, label)
        try:
            if WARMUP > 0:
                load(server.url(VALUES), duration=WARMUP)
            refs = references(server)
            mode = "repeated" if cache else "first read"
            rows = measure(server, names, token, mode, PAIRED[mode] if paired else None)
        finally:
            peaks = server.stop()
        queries = json.loads(manage(env, "queries", *query_urls, module="bench.tasks"))
        for row in rows:
            row["queries"] = queries.get(ENDPOINTS[row["endpoint"]])
        result["passes"].append(
            {"label": label, "dataset": dataset, "refs": refs, "rows": rows, "rss": peaks}
        )
        log(f"{kind}: {label} done")

    one_pass("first reads, cache off", [*reads, "write (PATCH)"], False, "real", paired=True)
    one_pass("repeated reads, cache on", reads, True, "real", paired=True)
    if kind == "postgresql":
        for driver, extra in (
            ("psycopg2, CONN_MAX_AGE=0", {"DJANGO_SETTINGS_MODULE": "bench.settings_psycopg2"}),
            ("psycopg 3 + pool", {"DATABASE_POOL": "1"}),
        ):
            one_pass(f"driver: {driver}", ["concept list", "concept detail"], False, "real",
                     server_env={**env, **extra})  # fmt: skip
    if kind == "sqlite" and LEAN:  # what the middleware costs does not depend on the database
        lean = {**env, "DJANGO_SETTINGS_MODULE": "bench.settings_lean"}
        one_pass("lean middleware (bench-only)", ["concept list", "concept detail"], False,
                 "real", server_env=lean)  # fmt: skip
    if os.environ.get("BENCH_SKIP_LARGE") != "1":
        log(f"{kind}: growing the knowledge base to {SIZE:,} concepts")
        result["generated"] = manage(env, str(SIZE), module="bench.generate")
        one_pass(f"first reads at {SIZE:,} concepts", list(LARGE), False, f"{SIZE:,}")
    return result


# ---------------------------------------------------------------- the report


def fmt(value, digits=1):
    return "" if value is None else f"{value:,.{digits}f}"


def table(results) -> list[str]:
    lines = [
        "| database | data | pass | endpoint | req/s | p50 ms | p99 ms | queries | % of bare ASGI | % of .values() | note |",
        "|---|---|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for db in results:
        for p in db["passes"]:
            for name, ref in p["refs"].items():
                lines.append(
                    f"| {db['kind']} | {p['dataset']} | {p['label']} | *{name}* | {fmt(ref['rps'], 0)} "
                    f"| {fmt(ref['p50_ms'], 2)} | {fmt(ref['p99_ms'], 2)} | "
                    f"| {fmt(share(ref, p['refs'], 'bare ASGI'))} "
                    f"| {fmt(share(ref, p['refs'], '.values() view'))} | |"
                )
            for row in p["rows"]:
                if "rps" not in row:
                    lines.append(
                        f"| {db['kind']} | {p['dataset']} | {p['label']} | {row['endpoint']} "
                        f"| | | | | | | {row['note']} |"
                    )
                    continue
                note = f"{row['errors']} errors" if row.get("errors") else ""
                if row["mode"] == "1 client":
                    note = (note + " 1 client").strip()
                if "paired" in row:
                    ref = row["paired"]
                    note = f"{note} in turn with {ref['reference']} at {fmt(ref['rps'], 0)}".strip()
                lines.append(
                    f"| {db['kind']} | {p['dataset']} | {p['label']} | {row['endpoint']} "
                    f"| {fmt(row['rps'], 0)} | {fmt(row['p50_ms'], 2)} | {fmt(row['p99_ms'], 2)} "
                    f"| {row.get('queries') if row.get('queries') is not None else ''} "
                    f"| {fmt(share(row, p['refs'], 'bare ASGI'))} "
                    f"| {fmt(share(row, p['refs'], '.values() view'))} | {note} |"
                )
    return lines


def share(row: dict, refs: dict, reference: str) -> float:
    """``row``'s requests/s in % of ``reference``'s: of the runs of it made in turn with
    the row when there are some, else of the pass's."""
    paired = row.get("paired")
    if paired and paired["reference"] == reference:
        return 100 * row["rps"] / paired["rps"]
    return 100 * row["rps"] / refs[reference]["rps"]


def memory(results) -> list[str]:
    lines = ["| database | pass | peak RSS per worker (MB) |", "|---|---|---|"]
    for db in results:
        for p in db["passes"]:
            lines.append(f"| {db['kind']} | {p['label']} | {', '.join(fmt(m) for m in p['rss'])} |")
    return lines


def targets(results) -> list[str]:
    """Every target of the speed issue against its measured figure."""
    lines = ["| target | database | measured | met |", "|---|---|---|---|"]

    def row(target, kind, measured, ok):
        verdict = "n/a" if ok is None else ("yes" if ok else "**no**")
        lines.append(f"| {target} | {kind} | {measured} | {verdict} |")

    for db in results:
        kind = db["kind"]
        by = {}
        for p in db["passes"]:
            for r in p["rows"]:
                if "rps" in r:
                    by[(p["label"], r["endpoint"], r["mode"])] = (r, p["refs"])
        for name in ("concept list", "concept detail", "search", "detail 304"):
            hit = by.get(("repeated reads, cache on", name, "repeated"))
            if hit:
                pct = share(*hit, "bare ASGI")
                row(f"repeated {name} ≥ 50 % of bare ASGI", kind, f"{pct:.1f} %", pct >= 50)
            else:
                row(f"repeated {name} ≥ 50 % of bare ASGI", kind, "not measured", None)
        for name, goal in (("concept list", 80), ("concept detail", 100)):
            first = by.get(("first reads, cache off", name, "first read"))
            if first:
                pct = share(*first, ".values() view")
                row(f"first {name} ≥ {goal} % of .values()", kind, f"{pct:.1f} %", pct >= goal)
        limit = 20 if kind == "postgresql" else 50
        large = [k for k in by if k[0].startswith("first reads at") and k[1] == "search"]
        if large:
            single = [k for k in large if k[2] == "1 client"] or large
            p99 = by[single[0]][0]["p99_ms"]
            row(
                f"search p99 at {SIZE:,} < {limit} ms (1 client)",
                kind,
                f"{p99:.1f} ms",
                p99 < limit,
            )
        else:
            row(f"search p99 at {SIZE:,} < {limit} ms", kind, "search not in this checkout", None)
        for name in ("graph path", "advisor"):
            single = by.get(("first reads, cache off", name, "1 client"))
            measured = f"{single[0]['p99_ms']:.1f} ms" if single else "not in this checkout"
            row(
                f"{name} p99 < 20 ms (1 client)",
                kind,
                measured,
                single and single[0]["p99_ms"] < 20,
            )
        peak = max((m for p in db["passes"] for m in p["rss"]), default=0)
        row("memory < 150 MB RSS per worker", kind, f"{peak:.0f} MB", peak < 150)
    return lines


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError, AttributeError):
        cpu = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text()).group(1)
    return (
        f"{platform.node()}: {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def signal_lines(signals: dict) -> list[str]:
    lines = ["| version signal | per cache hit | per write | stale window |", "|---|---|---|---|"]
    for name, row in signals.items():
        if "error" in row:
            lines.append(f"| {name} | {row['error']} | | |")
        elif name == "pg_listen_notify":
            window = row["commit_to_listener"]
            lines.append(
                f"| {name} | none (listener keeps a local copy) | NOTIFY in the transaction "
                f"| p50 {window['p50_us']} µs, p99 {window['p99_us']} µs after commit |"
            )
        else:
            lines.append(
                f"| {name} | p50 {row['read']['p50_us']} µs, p99 {row['read']['p99_us']} µs "
                f"| p50 {row['bump']['p50_us']} µs | none (bumped before the write's response) |"
            )
    return lines


def write_doc(results, started: float, signals: dict) -> str:
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    block = [
        "<!-- bench:begin (written by `make bench`; edit outside these markers) -->",
        f"Run of {now} on {machine()}; load average at the end {load}; {WORKERS} uvicorn workers (one "
        f"SO_REUSEPORT socket each); load from "
        f"{'wrk' if WRK else 'bench/loadgen.py'} with {CONNECTIONS} connections for "
        f"{SAMPLES} runs of {DURATION:g} s per row (medians), {PAIRED_SAMPLES} alternating with "
        f"the reference for the rows with a target, after a {WARMUP:g} s warm-up; "
        f"whole run {time.monotonic() - started:.0f} s.",
        "",
        "### Targets",
        "",
        *targets(results),
        "",
        "### All rows",
        "",
        *table(results),
        "",
        "### Memory",
        "",
        *memory(results),
        "",
        "### Sharing the knowledge-base version",
        "",
        *signal_lines(signals),
        "",
        *[f"- {db['kind']} generated: `{db.get('generated', 'skipped')}`" for db in results],
        "<!-- bench:end -->",
    ]
    text = "\n".join(block)
    DOC.parent.mkdir(exist_ok=True)
    old = (
        DOC.read_text()
        if DOC.exists()
        else "# Performance\n\n<!-- bench:begin -->\n<!-- bench:end -->\n"
    )
    new = re.sub(r"<!-- bench:begin.*?<!-- bench:end -->", lambda _: text, old, flags=re.S)
    DOC.write_text(new)
    return text


def main() -> None:
    global WRK
    started = time.monotonic()
    WRK = ensure_wrk()
    log(f"load generator: {WRK or 'bench/loadgen.py (wrk not available)'}; workers: {WORKERS}")
    pg = postgres_base()
    results = []
    with tempfile.TemporaryDirectory(prefix="kbapi-bench-") as tmp:
        for kind in ["sqlite", *(["postgresql"] if pg else [])]:
            results.append(run_database(kind, Path(tmp), pg))
        if not pg:
            log("PostgreSQL: none answers and DATABASE_URL names none: skipped")
        log("cost of each knowledge-base version signal")
        env = base_env(f"sqlite:///{Path(tmp) / 'signals.sqlite3'}", Path(tmp))
        if pg:
            env["BENCH_PG_DSN"] = f"{pg}/postgres"
        signals = json.loads(manage(env, module="bench.version_signals").splitlines()[-1])
    print(write_doc(results, started, signals))
    log(f"wrote {DOC.relative_to(ROOT)} in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
