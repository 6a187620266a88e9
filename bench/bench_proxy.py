#!/usr/bin/env python3
"""The latency `specbuild record` adds, and the requests/s it sustains, against calling the app directly.

    python bench/bench_proxy.py [--clients 200] [--seconds 10]

Starts an upstream (a minimal ASGI app answering a 600-byte JSON body, under uvicorn) and the proxy
recording to a temporary file, pinned to one core each where taskset exists; then --clients keep-alive
clients (httpx, one asyncio loop) call the upstream directly for --seconds, then through the proxy.
Prints requests/s and p50/p99 latency of both, and what the proxy adds at p50 and p99. The clients run
in this process: on a small machine they are a limit of their own, so read requests/s as a lower bound.
Targets (issue 13): >= 3,000 requests/s on one core, p99 added <= 5 ms at that load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BODY = json.dumps([{"id": f"3f2c7a51-0d5e-4b8e-9a43-1c2d3e4f5a6{n}", "name": "lamp", "price": 12.5}
                   for n in range(8)]).encode()


async def upstream(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The app behind the proxy (``--serve-upstream PORT`` runs it)."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]})
    await send({"type": "http.response.body", "body": BODY})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start(argv: list[str], port: int, core: int) -> subprocess.Popen[bytes]:
    pin = ["taskset", "-c", str(core)] if shutil.which("taskset") and (os.cpu_count() or 1) > core else []
    proc = subprocess.Popen([*pin, *argv], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{argv[0]} did not listen on {port}")


async def load(base: str, clients: int, seconds: float) -> tuple[float, list[float]]:
    import httpx

    latencies: list[float] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        end = time.monotonic() + seconds

        async def one() -> None:
            while time.monotonic() < end:
                t = time.perf_counter()
                response = await client.get("/items/42?limit=10")
                await response.aread()
                latencies.append(time.perf_counter() - t)

        started = time.monotonic()
        await asyncio.gather(*(one() for _ in range(clients)))
        return len(latencies) / (time.monotonic() - started), latencies


def quantile(values: list[float], q: float) -> float:
    return sorted(values)[int(q * (len(values) - 1))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--serve-upstream", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_upstream:
        import uvicorn

        uvicorn.run(upstream, host="127.0.0.1", port=args.serve_upstream, log_level="warning", access_log=False)
        return
    up_port, proxy_port = free_port(), free_port()
    with tempfile.TemporaryDirectory() as tmp:
        procs = [start([sys.executable, __file__, "--serve-upstream", str(up_port)], up_port, 0),
                 start([sys.executable, "-m", "specbuild", "record", "--upstream", f"http://127.0.0.1:{up_port}",
                        "--listen", f"127.0.0.1:{proxy_port}", "-o", str(Path(tmp) / "rec.jsonl")], proxy_port, 1)]
        try:
            direct_rate, direct = asyncio.run(load(f"http://127.0.0.1:{up_port}", args.clients, args.seconds))
            proxy_rate, proxied = asyncio.run(load(f"http://127.0.0.1:{proxy_port}", args.clients, args.seconds))
            recorded = len((Path(tmp) / "rec.jsonl").read_bytes().splitlines())
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(timeout=10)
    for name, rate, values in (("direct", direct_rate, direct), ("proxy", proxy_rate, proxied)):
        print(f"{name}: {rate:,.0f} requests/s, p50 {quantile(values, 0.5):.2f} ms, "
              f"p99 {quantile(values, 0.99):.2f} ms")
    print(f"added: p50 {quantile(proxied, 0.5) - quantile(direct, 0.5):.2f} ms, "
          f"p99 {quantile(proxied, 0.99) - quantile(direct, 0.99):.2f} ms; {recorded:,} exchanges recorded "
          f"({args.clients} keep-alive clients, {args.seconds:.0f} s each)")


if __name__ == "__main__":
    main()
