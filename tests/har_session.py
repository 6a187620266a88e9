"""A small real HTTP session recorded two ways: by the server itself (HTTP Types JSONL) and by mitmproxy's
``mitmdump`` in reverse-proxy mode with its HAR export. Both must give the same spec.

``python -m tests.har_session MITMDUMP FOLDER`` writes ``FOLDER/mitmproxy.har`` and ``FOLDER/server.jsonl``
(how ``fixtures/har/mitmproxy.har`` and ``mitmproxy-server.jsonl`` were made, with mitmproxy 11.0.2 from
PyPI: regenerate them on purpose, never by accident).

``find_mitmdump()`` is the live test's mitmdump: ``SPECBUILD_MITMDUMP``, else one on PATH, else mitmproxy
MITMPROXY_VERSION installed from PyPI into a virtualenv of its own in the test cache (beside the Kafka jars:
``SPECBUILD_KAFKA_CACHE``, default ``~/.cache/specbuild``), once: its dependencies pin versions that must
not meet ours in the test environment.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
import venv
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.brokers import file_lock, kafka_cache_dir
from tests.helpers import free_port, wait_listening

MITMPROXY_VERSION = "11.0.2"

AVATAR = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\xff\xfe"
USERS = {
    "3f2c7a51-0d5e-4b8e-9a43-1c2d3e4f5a6b": {"name": "Ada", "email": "ada@example.com", "admin": True},
    "8b1e2d4c-6f7a-4c3b-8d2e-5f6a7b8c9d0e": {"name": "Alan", "email": "alan@example.com", "admin": False},
    "c5d6e7f8-1a2b-4c3d-9e4f-0a1b2c3d4e5f": {"name": "Grace", "email": "grace@example.com", "admin": False},
}


class Api(BaseHTTPRequestHandler):
    """A tiny users API that records every exchange it serves as one HTTP Types line."""

    protocol_version = "HTTP/1.1"
    recording: Path
    lock = threading.Lock()

    def log_message(self, format: str, *args: Any) -> None:  # quiet: a session is not a log
        pass

    def _route(self, body: str) -> tuple[int, str, str | bytes]:
        url = urlsplit(self.path)
        parts = [p for p in url.path.split("/") if p]
        if self.command == "GET" and parts == ["users"]:
            limit = int(parse_qs(url.query).get("limit", ["10"])[0])
            users = [{"id": k, **v} for k, v in sorted(USERS.items())][:limit]
            return 200, "application/json", json.dumps(users)
        if len(parts) == 2 and parts[0] == "users" and self.command in ("GET", "DELETE"):
            if parts[1] not in USERS:
                return 404, "application/json", json.dumps({"error": "no such user", "id": parts[1]})
            if self.command == "DELETE":
                return 204, "", ""
            return 200, "application/json", json.dumps({"id": parts[1], **USERS[parts[1]]})
        if self.command == "POST" and parts == ["users"]:
            new = json.loads(body)
            return 201, "application/json", json.dumps({"id": "0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a", **new})
        if self.command == "POST" and parts == ["login"]:
            return 204, "", ""
        if self.command == "GET" and len(parts) == 3 and parts[0] == "users" and parts[2] == "avatar":
            return 200, "image/png", AVATAR
        if self.command == "GET" and parts == ["health"]:
            return 200, "text/plain; charset=utf-8", "ok"
        return 404, "application/json", json.dumps({"error": "not found"})

    def _serve(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        status, media, content = self._route(body)
        payload = content.encode() if isinstance(content, str) else content
        # HTTP Types bodies are text: bytes are recorded base64 (a binary media type is learned as binary)
        text = content if isinstance(content, str) else base64.b64encode(content).decode()
        headers = {"content-length": str(len(payload))}
        if media:
            headers["content-type"] = media
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)
        url = urlsplit(self.path)
        record = {"request": {"method": self.command, "protocol": "http", "host": self.headers.get("host", ""),
                              "pathname": url.path, "query": parse_qs(url.query, keep_blank_values=True),
                              "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body},
                  "response": {"statusCode": status, "headers": headers, "body": text}}
        with self.lock, self.recording.open("a") as fh:
            fh.write(json.dumps(record, sort_keys=True) + "\n")

    do_GET = do_POST = do_DELETE = _serve


def _session(base: str) -> None:
    """What a client does: the same calls, in the same order, every time."""
    def call(method: str, path: str, body: bytes | None = None, media: str | None = None) -> None:
        req = urllib.request.Request(base + path, data=body, method=method,
                                     headers={"content-type": media} if media else {})
        req.add_header("authorization", "Bearer not-a-real-token")
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                resp.read()
        except urllib.error.HTTPError as err:  # a 404 is part of the session
            err.read()

    for limit in (1, 2, 3):
        call("GET", f"/users?limit={limit}")
    for user in [*sorted(USERS), "00000000-0000-4000-8000-000000000000"]:
        call("GET", f"/users/{user}")
    for user in sorted(USERS):
        call("GET", f"/users/{user}/avatar")
    call("POST", "/users", json.dumps({"name": "Edsger", "email": "edsger@example.com", "admin": False}).encode(),
         "application/json")
    call("DELETE", f"/users/{sorted(USERS)[0]}")
    call("POST", "/login", b"user=ada&remember=1", "application/x-www-form-urlencoded")
    call("GET", "/health")


def find_mitmdump(timeout: float = 600.0) -> tuple[str | None, str]:
    """The mitmdump to record with, or None and why there is none (the test skips with that reason)."""
    found = os.environ.get("SPECBUILD_MITMDUMP") or shutil.which("mitmdump")
    if found:
        return found, ""
    home = kafka_cache_dir().parent / f"mitmproxy-{MITMPROXY_VERSION}"
    binary = home / "bin" / "mitmdump"
    home.parent.mkdir(parents=True, exist_ok=True)
    with file_lock(home.parent / f".mitmproxy-{MITMPROXY_VERSION}.lock"):
        if binary.is_file():
            return str(binary), ""
        shutil.rmtree(home, ignore_errors=True)  # a half-made one, from an install that was killed
        venv.create(home, with_pip=True)
        pip = [str(home / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
               f"mitmproxy=={MITMPROXY_VERSION}"]
        try:
            done = subprocess.run(pip, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            done = None
        if done is None or done.returncode != 0 or not binary.is_file():
            shutil.rmtree(home, ignore_errors=True)
            why = "timed out" if done is None else (done.stderr.strip().splitlines() or ["no mitmdump"])[-1]
            return None, f"could not install mitmproxy {MITMPROXY_VERSION} from PyPI ({why}); set SPECBUILD_MITMDUMP"
    return str(binary), ""


def record_session(mitmdump: str, folder: Path) -> tuple[Path, Path]:
    """Serve the API, run the session through ``mitmdump`` (reverse proxy, HAR export); the HAR written by
    mitmdump and the JSONL written by the server."""
    folder.mkdir(parents=True, exist_ok=True)
    har, jsonl = folder / "mitmproxy.har", folder / "server.jsonl"
    jsonl.write_text("")
    Api.recording = jsonl
    server = ThreadingHTTPServer(("127.0.0.1", 0), Api)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = free_port()
    proc = subprocess.Popen([mitmdump, "--mode", f"reverse:http://127.0.0.1:{server.server_port}", "--listen-host",
                             "127.0.0.1", "--listen-port", str(port), "--set", f"hardump={har}", "-q"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_listening(port, proc)
        _session(f"http://127.0.0.1:{port}")
        proc.send_signal(signal.SIGINT)  # mitmdump writes the HAR as it exits
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        server.shutdown()
        server.server_close()
    return har, jsonl


if __name__ == "__main__":
    print(*record_session(sys.argv[1], Path(sys.argv[2] if len(sys.argv) > 2 else os.getcwd())))
