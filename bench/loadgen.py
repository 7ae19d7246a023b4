"""A small HTTP/1.1 keep-alive load generator, for machines without wrk.

``python -m bench.loadgen URL -c 16 -d 3 [-H 'Name: value'] [-m PATCH -b BODY]``
prints JSON: requests, rps, p50_ms, p99_ms, errors (non-2xx/3xx or broken).
A ``%d`` in BODY is replaced by a new number in each request (so each write changes
something).
"""

import argparse
import asyncio
import itertools
import json
import time
from urllib.parse import urlsplit


def build_request(url: str, method: str, headers: list[str], body: str) -> tuple[str, int, bytes]:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [f"{method} {target} HTTP/1.1", f"Host: {parts.netloc}", *headers]
    data = body.encode()
    if data:
        lines.append(f"Content-Length: {len(data)}")
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + data
    return parts.hostname, parts.port or 80, raw


async def worker(host, port, raw, deadline, latencies, errors, counter):
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            writer.write(raw(next(counter)))
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if length:
                await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if status >= 400:
                errors.append(status)
    finally:
        writer.close()


async def run(url, connections, duration, method, headers, body):
    if "%d" in body:
        target = build_request(url, method, headers, body)[:2]

        def raw(n):
            return build_request(url, method, headers, body.replace("%d", str(n)))[2]
    else:
        *target, fixed = build_request(url, method, headers, body)

        def raw(n):
            return fixed

    host, port = target
    counter = itertools.count(1)
    latencies: list[float] = []
    errors: list[int] = []
    started = time.perf_counter()
    deadline = started + duration
    await asyncio.gather(
        *(worker(host, port, raw, deadline, latencies, errors, counter) for _ in range(connections))
    )
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p):
        return (
            latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000 if latencies else 0
        )

    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "errors": len(errors),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("-c", type=int, default=16)
    parser.add_argument("-d", type=float, default=3)
    parser.add_argument("-m", default="GET")
    parser.add_argument("-H", action="append", default=[])
    parser.add_argument("-b", default="")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.url, args.c, args.d, args.m, args.H, args.b))))


if __name__ == "__main__":
    main()
