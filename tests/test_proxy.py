"""record.proxy and `specbuild record`: a recording reverse proxy in front of real servers, driven by real clients."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import socketserver
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from specbuild.record.capture import Exchange, Kept
from specbuild.record.proxy import ClientSide, upstream_headers
from specbuild.record.wire import Body, Framing, WireError, parse_head
from tests.helpers import ROOT, free_port, stop_app, wait_lines, wait_listening
from tests.test_record import SERVERS, _build

httpx = pytest.importorskip("httpx", reason="specbuild[test] has the client and the apps of these tests")
pytest.importorskip("uvicorn", reason="specbuild[test] has the servers of these tests")


def test_hop_by_hop_headers_stay_and_x_forwarded_ones_are_added() -> None:
    head = parse_head(b"GET /a HTTP/1.1\r\nhost: api.example.com\r\nconnection: keep-alive, x-hop\r\nte: trailers\r\n"
                      b"x-hop: 1\r\nx-forwarded-for: 1.2.3.4\r\naccept: application/json\r\n"
                      b"Proxy-Authorization: Basic x\r\nexpect: 100-continue")
    assert upstream_headers(head, b"up:9000", "10.0.0.7", "https", Framing.NONE, upgrade=False) == [
        (b"host", b"up:9000"), (b"accept", b"application/json"), (b"x-forwarded-for", b"1.2.3.4, 10.0.0.7"),
        (b"x-forwarded-proto", b"https"), (b"x-forwarded-host", b"api.example.com")]
    upgrade = parse_head(b"GET /ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                         b"Transfer-Encoding: chunked")
    assert upstream_headers(upgrade, b"up", None, "http", Framing.CHUNKED, upgrade=True) == [
        (b"host", b"up"), (b"Connection", b"Upgrade"), (b"Upgrade", b"websocket"), (b"Transfer-Encoding", b"chunked"),
        (b"x-forwarded-proto", b"http"), (b"x-forwarded-host", b"h")]


def test_no_forwarded_sends_the_request_as_the_client_sent_it(proxy_to: Any) -> None:
    # Home Assistant answers 400 to X-Forwarded-For from a proxy it was not told to trust
    def answer(request: bytes, rfile: Any, wfile: Any) -> None:
        wfile.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")

    upstream = RawUpstream(answer)
    client = http.client.HTTPConnection(proxy_to(upstream.url, "--no-forwarded"), timeout=10)
    client.request("GET", "/a", headers={"x-forwarded-for": "1.2.3.4"})
    assert client.getresponse().read() == b"{}"
    head = upstream.requests[0].partition(b"\r\n\r\n")[0].lower().split(b"\r\n")
    assert b"x-forwarded-for: 1.2.3.4" in head  # the client's own, passed on as it was
    assert not [line for line in head if line.startswith((b"x-forwarded-proto", b"x-forwarded-host"))]


class RawUpstream(socketserver.ThreadingTCPServer):
    """An upstream on loopback that keeps each request as its bytes came and answers ``answer(request)``:
    the tests see exactly what the proxy sent and control exactly what it gets back."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.requests: list[bytes] = []
        super().__init__(("127.0.0.1", 0), _RawHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _RawHandler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        server: RawUpstream = self.server  # type: ignore[assignment]
        while True:
            lines = [self.rfile.readline()]
            if not lines[0]:
                return
            while lines[-1] not in (b"\r\n", b""):
                lines.append(self.rfile.readline())
            head = b"".join(lines).lower()
            if b"transfer-encoding: chunked" in head:
                while lines[-1] != b"0\r\n":
                    lines.append(self.rfile.readline())
                lines.append(self.rfile.readline())
            elif b"content-length:" in head:
                lines.append(self.rfile.read(int(head.split(b"content-length:")[1].split(b"\r\n")[0])))
            server.requests.append(b"".join(lines))
            if server.answer(b"".join(lines), self.rfile, self.wfile) is False:
                return


@pytest.fixture
def proxy_to(tmp_path: Path) -> Iterator[Any]:
    """``proxy_to(url, *args)``: `specbuild record` in front of ``url``, recording to tmp_path/rec.jsonl; its URL."""
    started: list[subprocess.Popen[bytes]] = []

    def start(upstream: str, *extra: str, env: dict[str, str] | None = None, output: str | None = None) -> str:
        front = free_port()
        proc = subprocess.Popen([sys.executable, "-m", "specbuild", "record", "--upstream", upstream, "--listen",
                                 f"127.0.0.1:{front}", "-o", output or str(tmp_path / "rec.jsonl"), *extra], cwd=ROOT,
                                env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        started.append(proc)
        wait_listening(front, proc)
        return f"127.0.0.1:{front}"

    yield start
    for proc in started:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=15) == 0, proc.stderr.read() if proc.stderr else ""


def test_the_proxy_passes_bodies_through_as_framed_and_records_them_whole(proxy_to: Any, tmp_path: Path) -> None:
    def answer(request: bytes, rfile: Any, wfile: Any) -> None:
        wfile.write(b"HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n"
                    b"connection: keep-alive\r\n\r\n5\r\n{\"ok\"\r\n7\r\n: true}\r\n0\r\n\r\n")

    upstream = RawUpstream(answer)
    client = http.client.HTTPConnection(proxy_to(upstream.url + "/base/"), timeout=10)
    client.request("POST", "/items?x=1&x=2", body=iter([b'{"a":', b' 1}']),
                   headers={"content-type": "application/json", "x-forwarded-for": "1.2.3.4"}, encode_chunked=True)
    response = client.getresponse()
    assert (response.status, response.read(), response.getheader("transfer-encoding")) == (201, b'{"ok": true}',
                                                                                             "chunked")
    client.request("GET", "/items/7")  # the same connection, kept alive both sides
    assert client.getresponse().read() == b'{"ok": true}'
    head, _, body = upstream.requests[0].partition(b"\r\n\r\n")
    assert head.split(b"\r\n") == [
        b"POST /base/items?x=1&x=2 HTTP/1.1", b"host: " + upstream.url[7:].encode(), b"Accept-Encoding: identity",
        b"Transfer-Encoding: chunked", b"content-type: application/json", b"x-forwarded-for: 1.2.3.4, 127.0.0.1",
        b"x-forwarded-proto: http", b"x-forwarded-host: " + client.host.encode() + b":" + str(client.port).encode()]
    assert body == b"5\r\n{\"a\":\r\n3\r\n 1}\r\n0\r\n\r\n"  # chunk by chunk, as the client framed it
    first, second = (json.loads(line) for line in wait_lines(tmp_path / "rec.jsonl", 2))
    assert (first["request"]["body"], first["response"]["body"]) == ('{"a": 1}', '{"ok": true}')
    assert first["request"]["query"] == {"x": ["1", "2"]} and first["response"]["statusCode"] == 201
    assert second["request"]["pathname"] == "/items/7"
    assert len({request.split(b" ")[0] for request in upstream.requests}) == 2 and len(upstream.requests) == 2


@pytest.mark.parametrize("dechunk", [False, True])
def test_a_chunked_body_is_followed_to_its_end_however_its_bytes_are_split(dechunk: bool) -> None:
    raw = b"5\r\nhello\r\n3;ext=1\r\n wo\r\n0\r\nx-trailer: 1\r\n\r\nGET /next"
    for split in range(1, len(raw)):
        body = Body(Framing.CHUNKED, dechunk=dechunk)
        parts = [body.feed(raw[:split]), body.feed(raw[split:])]
        assert body.done
        assert b"".join(p[0] for p in parts) == (b"hello wo" if dechunk else raw[:-9])  # passed on
        assert b"".join(p[1] for p in parts) == b"hello wo"  # recorded
        assert b"".join(p[2] for p in parts) == b"GET /next"  # the next message
    with pytest.raises(WireError, match="not a chunk size"):
        Body(Framing.CHUNKED).feed(b"zz\r\n")


def test_large_bodies_pass_whole_both_ways_and_are_recorded_cut(proxy_to: Any, tmp_path: Path) -> None:
    big = bytes(range(256)) * 12_000  # ~3 MB, over the 1 MiB a record keeps

    def answer(request: bytes, rfile: Any, wfile: Any) -> None:
        wfile.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: "
                    + str(len(big)).encode() + b"\r\n\r\n" + big)

    upstream = RawUpstream(answer)
    client = http.client.HTTPConnection(proxy_to(upstream.url), timeout=30)
    client.request("PUT", "/blob", body=big, headers={"content-type": "application/octet-stream"})
    assert client.getresponse().read() == big
    assert upstream.requests[0].endswith(big)
    (line,) = wait_lines(tmp_path / "rec.jsonl", 1)
    record = json.loads(line)
    assert record["request"]["bodyTruncated"] is True and record["response"]["bodyTruncated"] is True


def test_an_answer_before_the_request_body_records_the_body_as_cut(tmp_path: Path, proxy_to: Any) -> None:
    """Keycloak answers some PUTs (a body it ignores) on the head alone: the record was written with no
    body and no mark, so a learner saw a request without the body every other call had. What was not
    read when the answer ended is marked cut (``bodyTruncated``): its media type is known, not its body."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            seen = b""
            while b"\r\n\r\n" not in seen:
                seen += conn.recv(4096)
            conn.sendall(b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n")  # on the head alone

    threading.Thread(target=serve, daemon=True).start()
    front = proxy_to(f"http://127.0.0.1:{listener.getsockname()[1]}")
    host, port = front.split(":")
    with socket.create_connection((host, int(port)), timeout=10) as client:
        client.sendall(b"PUT /clients/7/scopes/9 HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
                       b"content-length: 2\r\n\r\n")
        assert client.recv(4096).startswith(b"HTTP/1.1 204")
        with contextlib.suppress(OSError):  # the body, after the answer (the proxy may have closed by now)
            client.sendall(b"{}")
    (line,) = wait_lines(tmp_path / "rec.jsonl", 1)
    request = json.loads(line)["request"]
    assert request.get("bodyTruncated") is True, request
    listener.close()


def test_a_body_the_client_sent_before_the_answer_ended_is_recorded_whole() -> None:
    """The same early answer, with the client's body already read but not yet passed on: it is the
    record's body, whole (not cut), and the connection goes on to the client's next request."""
    recorded: list[Exchange] = []
    proxy = SimpleNamespace(record=recorded.append, upstream=SimpleNamespace(release=lambda up: None))
    side = ClientSide(proxy)  # type: ignore[arg-type]
    side.request, side.response = Body(Framing.LENGTH, 2), Body(Framing.LENGTH, 0)
    side.kept = (Kept(1 << 20), Kept(1 << 20))
    side.exchange = Exchange("PUT", "http", "x", "/scopes/9", "", [], 204)
    side.buf = b"{}GET /next HTTP/1.1\r\n"
    side._finish(clean=True)
    assert (recorded[0].request_body, recorded[0].request_cut) == (b"{}", False)
    assert side.buf == b"GET /next HTTP/1.1\r\n"  # the next request's start, kept for it


def test_an_answer_before_the_request_body_never_returns_the_upstream_connection_to_the_pool() -> None:
    """Evidently's service answers a POST with a wrong secret (403) on the head alone and keeps its
    connection: it still waits for the body it was promised. That connection went back to the pool, and
    the next request on it (another client's GET) reached the server behind the 13 bytes it took for the
    old body: a 400 "Invalid HTTP request received." that the client saw and the recording kept. A
    connection whose request body was not passed on whole is closed, not reused."""
    released: list[object] = []
    closed: list[object] = []
    up = SimpleNamespace(close=lambda: closed.append(up), transport=None)
    proxy = SimpleNamespace(record=lambda ex: None, upstream=SimpleNamespace(release=released.append))
    side = ClientSide(proxy)  # type: ignore[arg-type]
    side.request, side.response = Body(Framing.LENGTH, 13), Body(Framing.LENGTH, 0)
    side.up, side.up_keeps = up, True  # type: ignore[assignment]
    side.kept = (Kept(1 << 20), Kept(1 << 20))
    side.exchange = Exchange("POST", "http", "x", "/api/v2/projects", "", [], 403)
    side.buf = b'{"name": "x"}'  # read from the client after the answer: never passed on
    side._finish(clean=True)
    assert (released, closed) == ([], [up])
    side = ClientSide(proxy)  # type: ignore[arg-type]
    side.request, side.response = Body(Framing.LENGTH, 0), Body(Framing.LENGTH, 0)
    side.up, side.up_keeps = up, True  # type: ignore[assignment]
    side._finish(clean=True)
    assert released == [up]  # a request passed on whole: its connection is clean


def test_a_body_sent_after_an_answer_that_keeps_the_connection_is_read_for_the_record() -> None:
    """An answer on the head alone that keeps its connection (Evidently's 403 for a wrong secret) means
    the server reads the body it was promised and drops it: the proxy reads it too, for the record, which
    was written cut with no body at all (a POST that always sends one, learned as sent without). Only
    once the body has come is the record written and the client's next request started; a client gone
    before its body ended leaves it cut."""
    recorded: list[Exchange] = []
    proxy = SimpleNamespace(record=recorded.append, upstream=SimpleNamespace(release=lambda up: None), clients=set())

    def answered_early() -> ClientSide:
        side = ClientSide(proxy)  # type: ignore[arg-type]
        side.head = SimpleNamespace(line=(b"POST", b"/api/v2/projects", b"HTTP/1.1"))  # type: ignore[assignment]
        side.request, side.response = Body(Framing.LENGTH, 13), Body(Framing.LENGTH, 0)
        side.kept = (Kept(1 << 20), Kept(1 << 20))
        side.exchange = Exchange("POST", "http", "x", "/api/v2/projects", "", [], 403)
        side.up_keeps = True  # the server keeps the connection (a close: it reads no more, test above)
        side.buf = b'{"name"'  # the body's start came with the head
        side._finish(clean=True)
        return side

    side = answered_early()
    assert recorded == []  # not yet: the body is under way
    side.data_received(b': "x"}GET /next')
    assert [(r.request_body, r.request_cut) for r in recorded] == [(b'{"name": "x"}', False)]
    assert (side.head, side.buf, side.busy) == (None, b"GET /next", False)  # the next request's start, kept
    recorded.clear()
    side = answered_early()
    side.connection_lost(None)
    assert [(r.request_body, r.request_cut) for r in recorded] == [(b'{"name"', True)]


def test_an_http_1_0_client_gets_a_chunked_answer_as_its_bytes_ended_by_the_close(proxy_to: Any) -> None:
    def answer(request: bytes, rfile: Any, wfile: Any) -> None:
        wfile.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n"
                    b"3\r\nabc\r\n2\r\nde\r\n0\r\nx-trailer: 1\r\n\r\n")

    host, port = proxy_to(RawUpstream(answer).url).split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"GET /old HTTP/1.0\r\nHost: x\r\n\r\n")
        reply = b""
        while data := sock.recv(4096):
            reply += data
    head, _, body = reply.partition(b"\r\n\r\n")
    assert body == b"abcde" and b"transfer-encoding" not in head.lower() and b"connection: close" in head


def test_an_upgrade_is_passed_through_both_ways_and_not_recorded(proxy_to: Any, tmp_path: Path) -> None:
    def answer(request: bytes, rfile: Any, wfile: Any) -> bool:
        if b"upgrade: websocket" not in request.lower():
            wfile.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
            return True
        wfile.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
        wfile.flush()
        while data := rfile.read1(1024):  # an echo, frames or not: the proxy only passes bytes
            wfile.write(data.upper())
            wfile.flush()
        return False

    front = proxy_to(RawUpstream(answer).url)
    host, port = front.split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"GET /chat HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                     b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        reply = b""
        while b"\r\n\r\n" not in reply:
            reply += sock.recv(1024)
        assert reply.startswith(b"HTTP/1.1 101 ") and b"Upgrade: websocket" in reply
        for word in (b"hello", b"again"):
            sock.sendall(word)
            assert sock.recv(1024) == word.upper()
    client = http.client.HTTPConnection(front, timeout=10)
    client.request("GET", "/after")
    assert client.getresponse().read() == b"ok"
    (line,) = wait_lines(tmp_path / "rec.jsonl", 1)
    assert json.loads(line)["request"]["pathname"] == "/after"  # the upgraded exchange has no record


def test_an_upstream_that_does_not_answer_is_a_502_and_no_record(proxy_to: Any, tmp_path: Path) -> None:
    client = http.client.HTTPConnection(proxy_to(f"http://127.0.0.1:{free_port()}"), timeout=10)
    client.request("GET", "/a")
    response = client.getresponse()
    assert response.status == 502 and b"did not answer (ConnectionRefusedError)" in response.read()
    assert not (tmp_path / "rec.jsonl").exists()


def test_a_session_that_recorded_nothing_leaves_no_file(tmp_path: Path) -> None:
    """trial25: the sink was flushed of no records at the stop, which created an empty rec.jsonl (a session
    whose every exchange was a 502, or none at all), where `_sink` says a session that records nothing leaves
    no file; and a --listen port taken printed "recording to rec.jsonl" before its error."""
    front = free_port()
    cmd = [sys.executable, "-m", "specbuild", "record", "--upstream", f"http://127.0.0.1:{free_port()}",
           "--listen", f"127.0.0.1:{front}", "-o", str(tmp_path / "rec.jsonl")]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_listening(front, proc)
        taken = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=30,
                               stdin=subprocess.DEVNULL)
        assert taken.returncode == 2 and taken.stderr.startswith(f"Error: --listen 127.0.0.1:{front}: "), taken.stderr
        assert "recording to" not in taken.stdout
        client = http.client.HTTPConnection(f"127.0.0.1:{front}", timeout=10)
        client.request("GET", "/a")
        assert client.getresponse().status == 502
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
    assert "recording to" in out
    assert not (tmp_path / "rec.jsonl").exists()


def test_an_https_upstream_is_checked_against_the_trust_store(proxy_to: Any, tmp_path: Path) -> None:
    trustme = pytest.importorskip("trustme", reason="specbuild[test] makes the test's CA with trustme")
    ca = trustme.CA()
    cert = ca.issue_cert("localhost")
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    cert.private_key_pem.write_to_path(str(tmp_path / "key.pem"))
    cert.cert_chain_pems[0].write_to_path(str(tmp_path / "cert.pem"))
    port = free_port()
    up = subprocess.Popen([sys.executable, "-m", "uvicorn", "tests.apps.starlette_app:app", "--host", "127.0.0.1",
                           "--port", str(port), "--ssl-keyfile", str(tmp_path / "key.pem"), "--ssl-certfile",
                           str(tmp_path / "cert.pem"), "--no-access-log"], cwd=ROOT,
                          env={k: v for k, v in os.environ.items() if k != "SPECBUILD_RECORD_TO"},
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_listening(port, up)
        trusted = proxy_to(f"https://localhost:{port}", env={"SSL_CERT_FILE": str(tmp_path / "ca.pem")})
        with httpx.Client(base_url=f"http://{trusted}", timeout=10) as client:
            assert client.get("/items", params={"limit": "2"}).status_code == 200
        (line,) = wait_lines(tmp_path / "rec.jsonl", 1)
        record = json.loads(line)
        assert (record["request"]["pathname"], record["response"]["statusCode"]) == ("/items", 200)
        assert record["request"]["protocol"] == "http"  # what the client used; the upstream's TLS is the proxy's
        untrusted = proxy_to(f"https://localhost:{port}")  # the system's store does not know the test's CA
        with httpx.Client(base_url=f"http://{untrusted}", timeout=10) as client:
            refused = client.get("/items")
        assert refused.status_code == 502 and "SSLCertVerificationError" in refused.text
    finally:
        stop_app(up)


@pytest.fixture
def recording_proxy(proxy_to: Any) -> Iterator[Any]:
    """``recording_proxy(app_argv, recording, *args)``: an app served plain behind `specbuild record`; its URL."""
    apps: list[subprocess.Popen[bytes]] = []

    def start(upstream_argv: list[str], recording: Path, *extra: str) -> str:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if k != "SPECBUILD_RECORD_TO"}  # the proxy records, not the app
        up = subprocess.Popen([sys.executable, "-m", *[a.replace("PORT", str(port)) for a in upstream_argv]],
                              cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
        apps.append(up)
        wait_listening(port, up)
        return "http://" + proxy_to(f"http://127.0.0.1:{port}", *extra, output=str(recording))

    yield start
    for up in apps:
        stop_app(up, signal.SIGINT)


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
    # a folder: the proxy ran, forwarded every exchange, and dropped every record, saying nothing
    (["--upstream", "http://localhost:8000", "-o", "."], "Error: -o .: is a folder; the records are appended to"),
    (["--upstream", "http://localhost:8000", "-o", "kafka://localhost:9092"],
     "Error: -o 'kafka://localhost:9092': a Kafka sink is kafka://HOST:PORT/TOPIC"),
    (["--upstream", "http://localhost:8000", "-o", "x.jsonl", "-X", "acks=1"],
     "Error: -X and --kafka-config are for -o kafka://HOST:PORT/TOPIC"),
    (["--upstream", "http://localhost:8000", "-o", "kafka://127.0.0.1:9/t", "-X", "no.such.setting=1"],
     "Error: "),
])
def test_record_refuses_what_cannot_work(args: list[str], message: str, tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "specbuild", "record", *args], cwd=tmp_path, capture_output=True,
                          text=True, timeout=30, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdin=subprocess.DEVNULL)
    assert done.returncode == 2 and done.stderr.startswith(message), done.stderr


@pytest.mark.kafka
def test_the_proxy_produces_to_kafka_with_the_settings_of_x_and_kafka_config(kafka_broker: Any, proxy_to: Any,
                                                                           tmp_path: Path) -> None:
    """-X and --kafka-config reach the recorder's producer (read as --source kafka reads them): a
    client.properties and -X name the settings; the topic then holds every exchange."""
    from tests.test_kafka_integration import kafka_args

    def answer(request: bytes, rfile: Any, wfile: Any) -> None:
        wfile.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\n\r\n{\"id\": 42}\n")

    topic = f"proxied-{os.getpid()}-{free_port()}"
    (tmp_path / "client.properties").write_text("# the producer's own settings\nlinger.ms=5\nacks=all\n")
    front = proxy_to(RawUpstream(answer).url, "-X", "client.id=specbuild-record-test", "--kafka-config",
                     str(tmp_path / "client.properties"), output=f"kafka://{kafka_broker.bootstrap}/{topic}")
    with httpx.Client(base_url=f"http://{front}", timeout=10) as client:
        for i in range(5):
            assert client.get(f"/items/{i}").status_code == 200
    for attempt in range(50):  # the records reach the topic a moment after the client has its answers
        done = subprocess.run([sys.executable, "-m", "specbuild", *kafka_args(kafka_broker, topic, f"g-{attempt}"),
                               "-o", str(tmp_path / f"out-{attempt}"), "--until-end"], cwd=ROOT, capture_output=True,
                              text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)},
                              stdin=subprocess.DEVNULL)
        if done.returncode == 0 and "specbuild: 5 records read, 5 learned" in done.stderr:
            break
    assert done.returncode == 0 and "specbuild: 5 records read, 5 learned" in done.stderr, done.stderr


def test_an_encoded_slash_stays_inside_its_path_segment_in_the_record(proxy_to: Any, tmp_path: Path) -> None:
    # RabbitMQ's default vhost `/` is `%2F` in every path (`/api/queues/%2F/orders`), GitLab's project
    # `group%2Fproject`: decoded, the one segment becomes two and the learned routes split with it
    def answer(request: bytes, rfile: Any, wfile: Any) -> None:
        wfile.write(b"HTTP/1.1 204 No Content\r\nconnection: keep-alive\r\n\r\n")

    upstream = RawUpstream(answer)
    client = http.client.HTTPConnection(proxy_to(upstream.url), timeout=10)
    for target in ("/api/queues/%2F/orders.created", "/api/vhosts/iot%2fsensors?x=1", "/files/a%20b/%E2%82%AC"):
        client.request("GET", target)
        assert client.getresponse().read() == b""
    assert [r.split(b" ")[1] for r in upstream.requests] == [  # passed on as the client sent them
        b"/api/queues/%2F/orders.created", b"/api/vhosts/iot%2fsensors?x=1", b"/files/a%20b/%E2%82%AC"]
    records = [json.loads(line)["request"] for line in wait_lines(tmp_path / "rec.jsonl", 3)]
    assert [r["pathname"] for r in records] == ["/api/queues/%2F/orders.created", "/api/vhosts/iot%2Fsensors",
                                               "/files/a b/€"]
    assert records[1]["path"] == "/api/vhosts/iot%2Fsensors?x=1"
