"""Bounded HTTP load run against a local ``chipwatch serve`` (loopback only).

Starts the real server (uvicorn, one worker) on a free 127.0.0.1 port, then drives it from an
asyncio keep-alive client with a fixed number of connections, a fixed request count and a
duration cap. Prints requests/s, p50/p99 latency and errors for ``/api/check`` and for a
chip page, and - as the same-run baseline - for a static file served by the same server.

    python benchmarks/http_load.py [--requests 3000] [--connections 16] [--seconds 20]

Goal (issue 7): /api/check >= 500 requests/s with p99 < 50 ms and zero errors on 2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request

TARGETS = {
    "static /static/app.css (baseline)": "/static/app.css",
    "/api/check": "/api/check?chip=H20&to=CN&on=2025-05-01",
    "chip page /chips/H20": "/chips/H20?to=CN&on=2025-05-01",
}


async def _worker(port: int, path: str, todo: list[int], deadline: float, lat: list[float], errors: list[str]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n".encode()
    try:
        while todo and time.perf_counter() < deadline:
            todo.pop()
            start = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:"))
            await reader.readexactly(length)
            lat.append(time.perf_counter() - start)
            if status != 200:
                errors.append(str(status))
    except (OSError, asyncio.IncompleteReadError, StopIteration, ValueError) as exc:
        errors.append(type(exc).__name__)
    finally:
        writer.close()


async def run(port: int, path: str, requests: int, connections: int, seconds: float) -> dict[str, float]:
    todo = list(range(requests))
    lat: list[float] = []
    errors: list[str] = []
    start = time.perf_counter()
    await asyncio.gather(*(_worker(port, path, todo, start + seconds, lat, errors) for _ in range(connections)))
    wall = time.perf_counter() - start
    lat.sort()
    pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1e3  # noqa: E731
    return {"n": len(lat), "rps": len(lat) / wall, "p50": pick(0.50), "p99": pick(0.99), "errors": len(errors)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=3000)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=20.0)
    args = ap.parse_args()
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "chipwatch", "serve", "--port", str(port)],
                              stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{TARGETS['/api/check']}", timeout=5).read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            print("server did not start", file=sys.stderr)
            return 1
        results = {}
        for name, path in TARGETS.items():
            asyncio.run(run(port, path, 200, args.connections, 5))  # warm-up
            results[name] = asyncio.run(run(port, path, args.requests, args.connections, args.seconds))
    finally:
        server.terminate()
        server.wait(10)
    base = results["static /static/app.css (baseline)"]["rps"]
    print(f"{args.requests} requests per target, {args.connections} keep-alive connections, one uvicorn worker, loopback")
    print(f"{'target':38} {'n':>6} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} {'vs static':>9}")
    for name, r in results.items():
        print(f"{name:38} {r['n']:6.0f} {r['rps']:8.0f} {r['p50']:8.1f} {r['p99']:8.1f} {r['errors']:6.0f} {r['rps'] / base:8.2f}x")
    check = results["/api/check"]
    ok = check["rps"] >= 500 and check["p99"] < 50 and check["errors"] == 0
    print(f"goal /api/check >= 500 req/s, p99 < 50 ms, 0 errors: {'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
