#!/usr/bin/env python3
"""The time the WSGI and ASGI recorders add to one request: to a JSONL file, a running broker, a stopped one.

    python bench/bench_record.py [--requests 20000] [--body-bytes 5000] [--rounds 3] [--baseline main]
                                 [--bootstrap HOST:PORT] [--sinks file,kafka,stopped]

Calls a minimal app directly (no server, no socket: only the middleware's own cost is measured),
bare and wrapped in the recorder, in alternating blocks, each call timed with perf_counter_ns; prints
the median of the difference (the target of issue 13: <= 50 µs for 5 KB bodies with Kafka as the
sink, and no request failed or slowed by a stopped broker), its p99, and the CPU time the recorder
costs per request (process time of the wrapped blocks minus the bare ones, the recorder's writer
thread, librdkafka's threads and the final flush included: work moved off the request is still paid).
For ASGI it also serves a backlog of 2000 exchanges at once and says how late the event loop's turns
came in the next 0.2 s while the recorder's thread wrote them ("loop late": the sum of the turns over 1
ms, and the longest): the GIL the writer holds is time the app's thread waits.

The sinks: ``file`` (a JSONL file in a temp folder), ``kafka`` (a broker on ``--bootstrap``, else an
Apache Kafka started here for the run, as tests/brokers.py does, and stopped after), ``stopped``
(``kafka://127.0.0.1:<a free port>/t``: nothing listens). ``--baseline REF`` runs the recorder of that
git ref too, in the same rounds (``git archive`` into a temp folder), so both meet the same load on a
shared machine; the ratio head/baseline is printed. Each measurement is its own process.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BACKLOG = 2000  # exchanges served at once before the event loop's turns are timed (asgi_stall)
BLOCK = 500  # requests per block; bare and recorded blocks alternate, so both meet the same load
TOPIC = f"bench-record-{uuid.uuid4().hex[:8]}"  # new for each run: --bootstrap may name a broker used before


def body_of(size: int) -> bytes:
    item = {"id": "3f2c7a51-0d5e-4b8e-9a43-1c2d3e4f5a6b", "name": "lamp", "price": 12.5, "tags": ["home"]}
    items = [item] * max(1, size // len(json.dumps(item)))
    return json.dumps(items).encode()


def wsgi_app(payload: bytes) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
        return [payload]
    return app


def environ() -> dict[str, Any]:
    return {"REQUEST_METHOD": "GET", "PATH_INFO": "/items/42", "QUERY_STRING": "limit=10&api_key=k",
            "SERVER_NAME": "localhost", "SERVER_PORT": "8000", "HTTP_HOST": "localhost:8000",
            "HTTP_AUTHORIZATION": "Bearer t", "HTTP_ACCEPT": "application/json", "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b"")}


def wsgi_block(app: Any, n: int, out: list[int]) -> int:
    """Serve ``n`` requests through ``app``; their times go to ``out``; the number that failed."""
    failed = 0
    for _ in range(n):
        t = time.perf_counter_ns()
        try:
            result = app(environ(), lambda status, headers, exc_info=None: None)
            for _chunk in result:
                pass
            close = getattr(result, "close", None)
            if close is not None:
                close()
        except Exception:
            failed += 1
        out.append(time.perf_counter_ns() - t)
    return failed


def asgi_app(payload: bytes) -> Any:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": payload})
    return app


async def asgi_block(app: Any, n: int, out: list[int]) -> int:
    scope = {"type": "http", "method": "GET", "scheme": "http", "path": "/items/42", "root_path": "",
             "query_string": b"limit=10&api_key=k", "server": ("localhost", 8000),
             "headers": [(b"host", b"localhost:8000"), (b"authorization", b"Bearer t")]}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        pass

    failed = 0
    for _ in range(n):
        t = time.perf_counter_ns()
        try:
            await app(scope, receive, send)
        except Exception:
            failed += 1
        out.append(time.perf_counter_ns() - t)
    return failed


def measure(kind: str, to: str, requests: int, body_bytes: int) -> dict[str, Any]:
    """One process's measurement of the recorder (of whichever specbuild is first on sys.path)."""
    from specbuild.record import ASGIRecorder, WSGIRecorder

    payload = body_of(body_bytes)
    bare_app = wsgi_app(payload) if kind == "wsgi" else asgi_app(payload)
    recorder = (WSGIRecorder if kind == "wsgi" else ASGIRecorder)(bare_app, to=to)
    loop = asyncio.new_event_loop()

    def block(app: Any, n: int, out: list[int]) -> int:
        if kind == "wsgi":
            return wsgi_block(app, n, out)
        return loop.run_until_complete(asgi_block(app, n, out))

    block(bare_app, BLOCK, [])  # warm both: the first calls open files and connections
    block(recorder, BLOCK, [])
    bare: list[int] = []
    wrapped: list[int] = []
    cpu_bare = cpu_wrapped = 0.0
    failed = 0
    flush = getattr(recorder, "flush", lambda: None)  # the baseline wrote as it went
    for _ in range(max(1, requests // BLOCK)):
        t = time.process_time()
        failed += block(bare_app, BLOCK, bare)
        cpu_bare += time.process_time() - t
        t = time.process_time()
        failed += block(recorder, BLOCK, wrapped)
        flush()  # the writer thread's work on this block is this block's CPU, not the next bare block's
        cpu_wrapped += time.process_time() - t
    stall = loop.run_until_complete(asgi_stall(recorder)) if kind == "asgi" else {}
    t = time.process_time()
    close = getattr(recorder, "close", None) or (lambda: recorder.sink.close())  # the baseline had no close
    close()
    cpu_wrapped += time.process_time() - t
    loop.close()
    sink = recorder.sink
    return {"median": (statistics.median(wrapped) - statistics.median(bare)) / 1000,
            "p99": (_quantile(wrapped, 0.99) - _quantile(bare, 0.99)) / 1000,
            "cpu": (cpu_wrapped - cpu_bare) / len(wrapped) * 1e6, "failed": failed,
            "unrecorded": recorder.failed + getattr(recorder, "dropped", 0) + getattr(sink, "dropped", 0),
            "requests": len(wrapped), **stall}


async def asgi_stall(recorder: Any) -> dict[str, float]:
    """How late the event loop's turns come while the recorder writes a backlog of exchanges: serve
    BACKLOG requests at once, then turn the loop for 0.2 s; the turns that took over 1 ms (their sum and
    the longest). A recorder that writes in the request has no backlog: what it shows is the machine's."""
    await asgi_block(recorder, BACKLOG, [])
    late: list[float] = []
    t = start = time.perf_counter()
    while t - start < 0.2:
        await asyncio.sleep(0)
        now = time.perf_counter()
        if now - t > 0.001:
            late.append(now - t)
        t = now
    return {"late": sum(late) * 1000, "longest": max(late, default=0.0) * 1000}


def _quantile(values: list[int], q: float) -> float:
    return sorted(values)[int(q * (len(values) - 1))]


def baseline_tree(ref: str, into: Path) -> Path:
    """The specbuild package of git ``ref`` in ``into`` (with this tree's native module, if built)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "specbuild"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    for native in (ROOT / "specbuild").glob("_native*.so"):
        shutil.copy(native, into / "specbuild")
    return into


def run_one(tree: Path, kind: str, to: str, args: argparse.Namespace) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, "--worker", kind, "--to", to, "--requests", str(args.requests),
                           "--body-bytes", str(args.body_bytes)], capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(tree)}, stdin=subprocess.DEVNULL, timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"a measurement failed ({tree}, {kind}, {to}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def sink_targets(names: list[str], folder: Path, bootstrap: str) -> dict[str, Callable[[], str]]:
    from tests.brokers import free_port

    targets: dict[str, Callable[[], str]] = {
        "file": lambda: str(folder / f"{uuid.uuid4().hex}.jsonl"),
        "kafka": lambda: f"kafka://{bootstrap}/{TOPIC}",
        "stopped": lambda: f"kafka://127.0.0.1:{free_port()}/t",
    }
    return {name: targets[name] for name in names}


def compare(args: argparse.Namespace, trees: dict[str, Path], bootstrap: str, folder: Path) -> None:
    targets = sink_targets(args.sinks.split(","), folder, bootstrap)
    results: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for r in range(args.rounds):
        order = list(trees) if r % 2 == 0 else list(reversed(trees))
        for sink, target in targets.items():
            for kind in ("wsgi", "asgi"):
                for name in order:
                    results.setdefault((sink, kind, name), []).append(run_one(trees[name], kind, target(), args))
    print(f"{args.requests} requests x {args.rounds} rounds per figure, a {len(body_of(args.body_bytes))}-byte JSON "
          f"response, redaction on; medians over rounds; load before: {args.load}, after: {_load()}")
    for sink in targets:
        for kind in ("wsgi", "asgi"):
            line = []
            for name in trees:
                runs = results[(sink, kind, name)]
                med = statistics.median(x["median"] for x in runs)
                line.append(f"{name}: added {med:5.1f} µs median, p99 {statistics.median(x['p99'] for x in runs):7.1f}"
                            f" µs, CPU {statistics.median(x['cpu'] for x in runs):5.1f} µs/request, "
                            f"{sum(x['failed'] for x in runs)} failed, {sum(x['unrecorded'] for x in runs)} unrecorded"
                            + (f", loop late {statistics.median(x['late'] for x in runs):.1f} ms (longest "
                               f"{max(x['longest'] for x in runs):.1f})" if kind == "asgi" else ""))
            if len(trees) == 2:
                base, head = (statistics.median(x["median"] for x in results[(sink, kind, n)]) for n in trees)
                line.append(f"head/baseline {head / base:.2f}")
            print(f"{sink:8s} {kind}: " + "; ".join(line))


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--body-bytes", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", help="a git ref whose recorder is measured in the same rounds")
    parser.add_argument("--sinks", default="file,kafka,stopped")
    parser.add_argument("--bootstrap", help="a running broker for the kafka sink (else one is started)")
    parser.add_argument("--worker", choices=("wsgi", "asgi"), help=argparse.SUPPRESS)
    parser.add_argument("--to", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        logging.disable(logging.CRITICAL)  # a stopped broker is expected here: librdkafka's retries are no news
        print(json.dumps(measure(args.worker, args.to, args.requests, args.body_bytes)))
        return
    sys.path.insert(0, str(ROOT))
    from tests import brokers

    args.load = _load()
    broker = None
    if "kafka" in args.sinks.split(",") and not args.bootstrap:
        broker = brokers.start_broker("apache")
    try:
        bootstrap = args.bootstrap or (broker.bootstrap if broker else "")
        if bootstrap:
            brokers.create_topic(bootstrap, TOPIC, partitions=3)
        with tempfile.TemporaryDirectory() as tmp:
            trees = {"head": ROOT}
            if args.baseline:
                trees = {"baseline": baseline_tree(args.baseline, Path(tmp)), "head": ROOT}
            compare(args, trees, bootstrap, Path(tmp))
    finally:
        if broker is not None:
            broker.stop()


if __name__ == "__main__":
    main()
