"""record.proxy and `specbuild record`: a recording reverse proxy in front of a real app, driven by httpx."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ROOT, free_port, wait_lines, wait_listening
from tests.test_record import SERVERS, _build

httpx = pytest.importorskip("httpx", reason="specbuild[record] (httpx, uvicorn) runs the proxy")
pytest.importorskip("uvicorn", reason="specbuild[record] (httpx, uvicorn) runs the proxy")

from specbuild.record.proxy import Proxy, forwarded_headers  # noqa: E402


def test_hop_by_hop_headers_stay_and_x_forwarded_ones_are_added() -> None:
    scope = {"type": "http", "scheme": "https", "client": ("10.0.0.7", 5555), "headers": [
        (b"host", b"api.example.com"), (b"connection", b"keep-alive"), (b"te", b"trailers"),
        (b"x-forwarded-for", b"1.2.3.4"), (b"accept", b"application/json"), (b"Proxy-Authorization", b"Basic x")]}
    assert forwarded_headers(scope) == [(b"accept", b"application/json"), (b"x-forwarded-for", b"1.2.3.4, 10.0.0.7"),
                                        (b"x-forwarded-proto", b"https"), (b"x-forwarded-host", b"api.example.com")]


def test_the_proxy_forwards_what_came_and_streams_back_what_the_upstream_said() -> None:
    seen: list[httpx.Request] = []

    def upstream(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, headers={"content-type": "application/json", "connection": "close"},
                              stream=httpx.ByteStream(b'{"ok": true}'))  # as a network transport answers

    scope = {"type": "http", "method": "POST", "scheme": "http", "path": "/items", "raw_path": b"/items",
             "query_string": b"x=1&x=2", "client": ("10.0.0.7", 5555), "headers": [
                 (b"host", b"front.example"), (b"content-type", b"application/json"), (b"content-length", b"8")]}
    inbox = [{"type": "http.request", "body": b'{"a":', "more_body": True},
             {"type": "http.request", "body": b" 1}", "more_body": False}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return inbox.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    proxy = Proxy("http://upstream.internal:9000/base/", transport=httpx.MockTransport(upstream))
    asyncio.run(proxy(scope, receive, send))
    assert sent[0] == {"type": "http.response.start", "status": 201,
                       "headers": [(b"content-type", b"application/json")]}  # connection stays on its hop
    assert b"".join(m.get("body", b"") for m in sent[1:]) == b'{"ok": true}' and not sent[-1]["more_body"]
    (req,) = seen
    assert (req.method, str(req.url), req.content) == ("POST", "http://upstream.internal:9000/base/items?x=1&x=2",
                                                       b'{"a": 1}')
    # what the client sent, and no more: none of httpx's own default headers
    assert dict(req.headers) == {"host": "upstream.internal:9000", "content-type": "application/json",
                                 "content-length": "8", "x-forwarded-for": "10.0.0.7", "x-forwarded-proto": "http",
                                 "x-forwarded-host": "front.example"}


def test_an_upstream_that_does_not_answer_is_a_502() -> None:
    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async def run() -> httpx.Response:
        proxy = Proxy("http://127.0.0.1:9", transport=httpx.MockTransport(refused))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=proxy), base_url="http://p") as client:
            return await client.get("/a")

    response = asyncio.run(run())
    assert response.status_code == 502 and b"did not answer (ConnectError)" in response.content


@pytest.fixture
def recording_proxy(tmp_path: Path) -> Iterator[Any]:
    started: list[subprocess.Popen[bytes]] = []

    def start(upstream_argv: list[str], recording: Path, *extra: str) -> str:
        port, front = free_port(), free_port()
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        env.pop("SPECBUILD_RECORD_TO", None)  # the upstream app serves plain: the proxy records
        up = subprocess.Popen([sys.executable, "-m", *[a.replace("PORT", str(port)) for a in upstream_argv]],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        started.append(up)
        wait_listening(port, up)
        proxy = subprocess.Popen([sys.executable, "-m", "specbuild", "record", "--upstream", f"http://127.0.0.1:{port}",
                                  "--listen", f"127.0.0.1:{front}", "-o", str(recording), *extra], cwd=ROOT, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        started.append(proxy)
        wait_listening(front, proxy)
        return f"http://127.0.0.1:{front}"

    yield start
    for proc in reversed(started):
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=15)


def test_a_session_through_the_proxy_gives_the_spec_of_the_exchanges_the_client_saw(recording_proxy: Any,
                                                                                     tmp_path: Path) -> None:
    from tests.apps.session import SECRETS, play

    recording, client_log = tmp_path / "proxy.jsonl", tmp_path / "client.jsonl"
    base = recording_proxy(SERVERS["starlette-uvicorn"], recording)
    n = play(base, client_log)
    assert len(wait_lines(recording, n)) == n
    text = recording.read_text()
    assert not [s for s in SECRETS if s in text]
    assert _build(recording) == _build(client_log)


def test_concurrent_keep_alive_clients_are_all_recorded(recording_proxy: Any, tmp_path: Path) -> None:
    recording = tmp_path / "proxy.jsonl"
    base = recording_proxy(SERVERS["flask-waitress"], recording, "--exclude-path", "/stream")
    errors: list[BaseException] = []

    def client(k: int) -> None:
        try:
            with httpx.Client(base_url=base, timeout=20) as c:  # one connection, kept alive
                for i in range(20):
                    assert c.get("/items", params={"limit": str(i % 4), "client": str(k)}).status_code == 200
                    assert c.get("/stream").status_code == 200
        except BaseException as exc:  # handed to the test, which asserts there were none
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    records = [json.loads(line) for line in wait_lines(recording, 8 * 20)]
    assert len(records) == 8 * 20  # /stream is left out by --exclude-path
    assert {r["request"]["pathname"] for r in records} == {"/items"}
    assert sorted({r["request"]["query"]["client"][0] for r in records}) == [str(k) for k in range(8)]


@pytest.mark.parametrize(("args", "message"), [
    (["--upstream", "localhost:8000", "-o", "x.jsonl"], "Error: --upstream 'localhost:8000' is not an http(s) URL"),
    (["--upstream", "http://localhost:8000", "-o", "x.jsonl", "--listen", "host:port"],
     "Error: --listen 'host:port' is not HOST:PORT"),
    (["--upstream", "http://localhost:8000", "-o", "missing/x.jsonl"], "Error: -o missing/x.jsonl: the folder missing"),
    (["--upstream", "http://localhost:8000", "-o", "kafka://localhost:9092"],
     "Error: -o 'kafka://localhost:9092': a Kafka sink is kafka://HOST:PORT/TOPIC"),
])
def test_record_refuses_what_cannot_work(args: list[str], message: str, tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "specbuild", "record", *args], cwd=tmp_path, capture_output=True,
                          text=True, timeout=30, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdin=subprocess.DEVNULL)
    assert done.returncode == 2 and done.stderr.startswith(message), done.stderr
