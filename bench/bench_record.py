#!/usr/bin/env python3
"""The time the WSGI and ASGI recorders add to one request, recording to a JSONL file.

    python bench/bench_record.py [--requests 20000] [--body-bytes 600] [--to kafka://HOST:PORT/TOPIC]

Calls a minimal app directly (no server, no socket: only the middleware's own cost is measured) for
--requests requests, bare and wrapped in the recorder, each call timed with perf_counter_ns; prints
the median and p99 of each and the difference of the medians. The record is written synchronously
(one append under flock), so the file's cost is in the figure; with --to kafka://... it is produced
(queued in librdkafka: a broker that is stopped, e.g. kafka://127.0.0.1:9/t, must slow nothing, and
no request may fail). Target (issue 13): <= 50 µs median for 5 KB bodies.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from specbuild.record import ASGIRecorder, WSGIRecorder  # noqa: E402


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


def time_wsgi(app: Any, n: int) -> list[int]:
    out = []
    for _ in range(n):
        t = time.perf_counter_ns()
        result = app(environ(), lambda status, headers, exc_info=None: None)
        for _chunk in result:
            pass
        close = getattr(result, "close", None)
        if close is not None:
            close()
        out.append(time.perf_counter_ns() - t)
    return out


def asgi_app(payload: bytes) -> Any:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": payload})
    return app


async def time_asgi(app: Any, n: int) -> list[int]:
    scope = {"type": "http", "method": "GET", "scheme": "http", "path": "/items/42", "root_path": "",
             "query_string": b"limit=10&api_key=k", "server": ("localhost", 8000),
             "headers": [(b"host", b"localhost:8000"), (b"authorization", b"Bearer t")]}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        pass

    out = []
    for _ in range(n):
        t = time.perf_counter_ns()
        await app(scope, receive, send)
        out.append(time.perf_counter_ns() - t)
    return out


def report(name: str, bare: list[int], wrapped: list[int]) -> None:
    def p(values: list[int], q: float) -> float:
        return sorted(values)[int(q * (len(values) - 1))] / 1000

    added = (statistics.median(wrapped) - statistics.median(bare)) / 1000
    print(f"{name}: bare median {p(bare, 0.5):.1f} µs p99 {p(bare, 0.99):.1f} µs; recorded median "
          f"{p(wrapped, 0.5):.1f} µs p99 {p(wrapped, 0.99):.1f} µs; added {added:.1f} µs (median)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--body-bytes", type=int, default=600)
    parser.add_argument("--to", help="a kafka://HOST:PORT/TOPIC sink instead of a JSONL file")
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)  # a stopped broker is expected here: librdkafka's retries are no news
    payload = body_of(args.body_bytes)
    with tempfile.TemporaryDirectory() as tmp:
        wsgi = wsgi_app(payload)
        recorder = WSGIRecorder(wsgi, to=args.to or Path(tmp) / "w.jsonl")
        report("wsgi", time_wsgi(wsgi, args.requests), time_wsgi(recorder, args.requests))
        failed = recorder.failed
        asgi = asgi_app(payload)
        bare = asyncio.run(time_asgi(asgi, args.requests))
        recorder = ASGIRecorder(asgi, to=args.to or Path(tmp) / "a.jsonl")
        report("asgi", bare, asyncio.run(time_asgi(recorder, args.requests)))
        failed += recorder.failed
    print(f"({args.requests} requests, a {len(payload)}-byte JSON response, redaction on, to "
          f"{args.to or 'a JSONL file'}; {failed} exchanges failed to record)")


if __name__ == "__main__":
    main()
