"""What each way of sharing the knowledge-base version costs: ``python -m bench.version_signals``.

* version file (one host): ``stat()`` per cache hit, an append per write.
* Redis (across hosts): a ``GET`` round trip per hit (async client, as the
  cache uses it), a ``SET`` of a new token per write.
* PostgreSQL LISTEN/NOTIFY (across hosts): nothing per hit (a listener
  thread keeps a local copy), but the new version reaches other workers only
  after a delay: the window in which they would serve the old answer.

Prints JSON; the benchmark puts it in docs/PERFORMANCE.md.
"""

import asyncio
import json
import os
import statistics
import tempfile
import threading
import time

N = 2000


def _pcts(samples_s: list[float]) -> dict:
    samples = sorted(s * 1e6 for s in samples_s)
    return {
        "p50_us": round(statistics.median(samples), 1),
        "p99_us": round(samples[int(len(samples) * 0.99) - 1], 1),
    }


def file_version() -> dict:
    from kbapi.edge.version import FileVersion

    with tempfile.TemporaryDirectory() as tmp:
        version = FileVersion(os.path.join(tmp, "v"))
        version.bump()
        reads, bumps = [], []
        for _ in range(N):
            t = time.perf_counter()
            version.read()
            reads.append(time.perf_counter() - t)
        for _ in range(200):
            t = time.perf_counter()
            version.bump()
            bumps.append(time.perf_counter() - t)
    return {"read": _pcts(reads), "bump": _pcts(bumps)}


def redis_version(url: str) -> dict:
    from kbapi.edge.version import RedisVersion

    version = RedisVersion(url, "kbapi:bench:version")
    version.bump()

    async def reads():
        samples = []
        for _ in range(N):
            t = time.perf_counter()
            await version.read()
            samples.append(time.perf_counter() - t)
        return samples

    read_samples = asyncio.run(reads())
    bumps = []
    for _ in range(200):
        t = time.perf_counter()
        version.bump()
        bumps.append(time.perf_counter() - t)
    return {"read": _pcts(read_samples), "bump": _pcts(bumps)}


def pg_notify(dsn: str, trials: int = 200) -> dict:
    """Commit-to-listener delay of NOTIFY sent inside a write transaction."""
    import psycopg

    listener = psycopg.connect(dsn, autocommit=True)
    listener.execute("LISTEN kbapi_kb_version")
    received: list[float] = []
    done = threading.Event()

    def listen():
        for _ in listener.notifies():
            received.append(time.perf_counter())
            if len(received) >= trials:
                done.set()
                return

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    delays = []
    with psycopg.connect(dsn) as writer:
        for i in range(trials):
            writer.execute("SELECT pg_notify('kbapi_kb_version', %s)", [str(i)])
            writer.commit()
            committed = time.perf_counter()
            deadline = committed + 2
            while len(received) <= i and time.perf_counter() < deadline:
                time.sleep(0)
            if len(received) > i:
                delays.append(received[i] - committed)
    done.wait(2)
    listener.close()
    return {"commit_to_listener": _pcts(delays), "delivered": f"{len(delays)}/{trials}"}


def main() -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    result = {"file": file_version()}
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        result["redis"] = redis_version(redis_url)
    except Exception as exc:  # no Redis here: say so in the table
        result["redis"] = {"error": f"{type(exc).__name__}: {exc}"[:120]}
    dsn = os.environ.get("BENCH_PG_DSN", "")
    if dsn:
        try:
            result["pg_listen_notify"] = pg_notify(dsn)
        except Exception as exc:
            result["pg_listen_notify"] = {"error": f"{type(exc).__name__}: {exc}"[:120]}
    return result


if __name__ == "__main__":
    print(json.dumps(main()))
