#!/usr/bin/env python3
"""The requests/s `specbuild record` sustains and the latency it adds, against calling the app directly.

    python bench/bench_proxy.py [--clients 200] [--seconds 10] [--rate 3000]

Starts an upstream (a minimal asyncio server answering a 600-byte JSON body to every request, so it is
never the limit) and the proxy recording to a temporary file; the proxy is pinned to core 1, the
upstream and the clients of this process to core 0 (taskset, where there are two cores). --clients
keep-alive connections (raw asyncio HTTP/1.1, so the client is not the limit either: httpx's pool
was, at ~70 requests/s with 200 connections) then
  1. send as fast as they are answered for --seconds: the requests/s, directly and through the proxy;
  2. send --rate requests/s in all, each connection on its own schedule, for --seconds: p50/p99 latency,
     counted from when each request was due (a late send counts), directly and through the proxy.
It also prints the proxy's CPU time per exchange (from /proc), which another load on the machine does
not change much. Targets (issue 13): >= 3,000 requests/s on one core, p99 added <= 5 ms at that rate.
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

ROOT = Path(__file__).resolve().parent.parent
BODY = json.dumps([{"id": f"3f2c7a51-0d5e-4b8e-9a43-1c2d3e4f5a6{n}", "name": "lamp", "price": 12.5}
                   for n in range(8)]).encode()


class Upstream(asyncio.Protocol):
    """The app behind the proxy (``--serve-upstream PORT`` runs it): the same answer to every request."""

    ANSWER = (b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
              + str(len(BODY)).encode() + b"\r\n\r\n" + BODY)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.pending = b""

    def data_received(self, data: bytes) -> None:
        self.pending += data
        heads = self.pending.count(b"\r\n\r\n")  # GETs only: a head ends each request
        if heads:
            self.pending = self.pending[self.pending.rindex(b"\r\n\r\n") + 4:]
            self.transport.write(self.ANSWER * heads)  # type: ignore[attr-defined]


async def serve_upstream(port: int) -> None:
    server = await asyncio.get_running_loop().create_server(Upstream, "127.0.0.1", port, backlog=4096)
    await server.serve_forever()


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


REQUEST = b"GET /items/42?limit=10 HTTP/1.1\r\nhost: api.example.com\r\naccept: application/json\r\n\r\n"


async def call(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(REQUEST)
    head = await reader.readuntil(b"\r\n\r\n")
    length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
    await reader.readexactly(length)


async def load(port: int, clients: int, seconds: float, rate: float | None) -> tuple[float, list[float]]:
    """Requests/s and latencies of ``clients`` connections: as fast as answered, or ``rate`` in all."""
    conns = [await asyncio.open_connection("127.0.0.1", port) for _ in range(clients)]
    latencies: list[float] = []
    begin = time.perf_counter()
    end = begin + seconds

    async def one(k: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        due = begin + (k / rate if rate else 0.0)
        while due < end:
            if rate:
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
            else:
                due = time.perf_counter()
            await call(reader, writer)
            latencies.append(time.perf_counter() - due)
            due += clients / rate if rate else 0.0

    await asyncio.gather(*(one(k, *conn) for k, conn in enumerate(conns)))
    took = time.perf_counter() - begin
    for _, writer in conns:
        writer.close()
    return len(latencies) / took, latencies


def cpu_seconds(pid: int) -> float:
    """The CPU time (user + system) process ``pid`` has used: on a loaded machine, what a request costs."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def quantile(values: list[float], q: float) -> float:
    return sorted(values)[int(q * (len(values) - 1))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=3000.0)
    parser.add_argument("--serve-upstream", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_upstream:
        asyncio.run(serve_upstream(args.serve_upstream))
        return
    if shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {0})
    up_port, proxy_port = free_port(), free_port()
    with tempfile.TemporaryDirectory() as tmp:
        procs = [start([sys.executable, __file__, "--serve-upstream", str(up_port)], up_port, 0),
                 start([sys.executable, "-m", "specbuild", "record", "--upstream", f"http://127.0.0.1:{up_port}",
                        "--listen", f"127.0.0.1:{proxy_port}", "-o", str(Path(tmp) / "rec.jsonl")], proxy_port, 1)]
        try:
            runs, cpu = {}, 0.0
            for rate in (None, args.rate):
                for name, port in (("direct", up_port), ("proxy", proxy_port)):
                    before = cpu_seconds(procs[1].pid)
                    runs[(name, rate)] = asyncio.run(load(port, args.clients, args.seconds, rate))
                    if name == "proxy" and rate is None:
                        cpu = (cpu_seconds(procs[1].pid) - before) / len(runs[(name, rate)][1])
            recorded = len((Path(tmp) / "rec.jsonl").read_bytes().splitlines())
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(timeout=10)
    for (name, rate), (achieved, values) in runs.items():
        what = f"at {rate:,.0f}/s offered" if rate else "as fast as answered"
        print(f"{name} {what}: {achieved:,.0f} requests/s, p50 {quantile(values, 0.5):.2f} ms, "
              f"p99 {quantile(values, 0.99):.2f} ms")
    print(f"proxy CPU per exchange: {cpu * 1e6:.0f} µs (at full load; 1 core = {1 / cpu:,.0f} exchanges/s "
          "if nothing else runs on it)")
    paced_direct, paced_proxy = runs[("direct", args.rate)][1], runs[("proxy", args.rate)][1]
    print(f"added at {args.rate:,.0f}/s: p50 {quantile(paced_proxy, 0.5) - quantile(paced_direct, 0.5):.2f} ms, "
          f"p99 {quantile(paced_proxy, 0.99) - quantile(paced_direct, 0.99):.2f} ms; {recorded:,} exchanges "
          f"recorded ({args.clients} keep-alive clients, {args.seconds:g} s a run)")


if __name__ == "__main__":
    main()
