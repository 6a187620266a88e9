"""Test factories that ship with the tests: exchanges, and the "spec accepts its traffic" check."""

from __future__ import annotations

import gzip
import importlib.util
import json
import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from genson import SchemaBuilder

from specbuild.io.validate import BodyValidator
from specbuild.records import Exchange, decode
from specbuild.refs import self_contained

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
DEVSET = ROOT.parent / "shared" / "devset"


def load_script(relative: str) -> ModuleType:
    """A script of the repository (``scripts/real/truth.py``) loaded as a module: scripts are no package."""
    path = ROOT / relative
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def devset_lines(name: str) -> list[bytes]:
    """The records of devset file ``name`` (e.g. ``github-n200``); the test skips where there is no devset."""
    path = DEVSET / f"{name}.jsonl.gz"
    if not path.exists():
        pytest.skip(f"{path} is not here (the devset lives beside a development clone, in ../shared)")
    return [line for line in gzip.decompress(path.read_bytes()).splitlines() if line.strip()]


def record(method: str = "get", path: str = "/users", status: int = 200, *, body: Any = None,
           resp: Any = None, query: dict[str, Any] | None = None, headers: dict[str, str] | None = None,
           resp_headers: dict[str, str] | None = None, host: str = "api.example.com") -> dict[str, Any]:
    """An HTTP Types record as a dict (JSON bodies given as values are serialised)."""
    req: dict[str, Any] = {"method": method, "protocol": "https", "host": host, "pathname": path,
                           "query": query or {}, "headers": dict(headers or {})}
    res: dict[str, Any] = {"statusCode": status, "headers": dict(resp_headers or {})}
    if body is not None:
        req["headers"].setdefault("content-type", "application/json")
        req["body"] = json.dumps(body)
    if resp is not None:
        res["headers"].setdefault("content-type", "application/json")
        res["body"] = json.dumps(resp)
    return {"request": req, "response": res}


def ex(*args: Any, **kwargs: Any) -> Exchange:
    return decode(record(*args, **kwargs), "test")


def read_exchanges(path: Path) -> list[Exchange]:
    out = []
    for i, line in enumerate(path.read_bytes().splitlines(), 1):
        if line.strip():
            try:
                out.append(decode(line, f"{path.name}:{i}"))
            except Exception:
                continue
    return out


def _template_regex(path: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}/]+\})", path)
    return re.compile("^" + "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts) + "$")


def rejections(doc: dict[str, Any], exchanges: Iterable[Exchange]) -> list[str]:
    """Why ``doc`` does not accept each exchange it should (empty: it accepts them all).

    Literal paths win over templates, as in every router.
    """
    openapi = "3.1" if str(doc["openapi"]).startswith("3.1") else "3.0"
    base = ""
    if doc.get("servers"):
        url = doc["servers"][0]["url"]
        base = re.sub(r"^[a-z]+://[^/]+", "", url).rstrip("/")
    routes = sorted((p.count("{"), p, _template_regex(base + p)) for p in doc["paths"])
    validators: dict[int, BodyValidator] = {}
    out = []
    for e in exchanges:
        hit = next((p for _, p, rx in routes if rx.match(e.path)), None)
        if hit is None:
            out.append(f"{e.origin}: no path for {e.path}")
            continue
        op = doc["paths"][hit].get(e.method.lower())
        if op is None:
            out.append(f"{e.origin}: no {e.method} on {hit}")
            continue
        resp = op["responses"].get(str(e.status))
        if resp is None:
            out.append(f"{e.origin}: status {e.status} undocumented on {e.method} {hit}")
            continue
        checks = [(e.response_body, resp.get("content", {}), "response")]
        if "requestBody" in op:
            checks.append((e.request_body, op["requestBody"].get("content", {}), "request"))
        for body, content, side in checks:
            if body.kind != "json" or body.media_type not in content:
                continue
            schema = content[body.media_type]["schema"]
            v = validators.setdefault(id(schema), BodyValidator(self_contained(schema, doc), openapi))
            if not v.is_valid(body.value):
                err = next(iter(v.errors(body.value)))
                out.append(f"{e.origin}: {side} body of {e.method} {hit}: {err.where}: {err.message}")
    return out


def reference_schema(values: Iterable[Any]) -> dict[str, Any]:
    """genson's plain JSON Schema for ``values``: the oracle our own schema walker is held to."""
    builder = SchemaBuilder(schema_uri=False)
    for v in values:
        builder.add_object(v)
    schema: dict[str, Any] = builder.to_schema()
    return schema


def free_port() -> int:
    """A TCP port free on loopback now (a server started next binds it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_listening(port: int, proc: subprocess.Popen[bytes], seconds: float = 30) -> None:
    """Wait until ``proc`` accepts connections on ``port``; a process that exits first is an error."""
    deadline = time.monotonic() + seconds
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited ({proc.returncode}): "
                               f"{proc.stderr.read() if proc.stderr else b''!r}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{proc.args!r} did not listen on {port} within {seconds:.0f} s") from None
            time.sleep(0.05)


def stop_app(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM, seconds: float = 15) -> None:
    """Stop a test's app server (``sig``, then SIGKILL past ``seconds``): on a loaded machine waitress took
    longer than the fixtures waited, the wait raised at teardown, and the server outlived the suite."""
    proc.send_signal(sig)
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=seconds)


def wait_lines(path: Path, n: int, seconds: float = 10) -> list[str]:
    """The lines of ``path`` once it has ``n`` (or after ``seconds``): a recorder writes an exchange just
    after its last byte went to the client, so a client that is done may be a moment ahead of the file."""
    deadline = time.monotonic() + seconds
    while True:
        # whole lines only: a line of megabytes can be read while it is still being appended
        lines = path.read_text().split("\n")[:-1] if path.exists() else []
        if len(lines) >= n or time.monotonic() > deadline:
            return lines
        time.sleep(0.02)
def children(pid: int) -> set[int]:
    """The processes ``pid`` started (its workers; multiprocessing's resource tracker aside)."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid and b"resource_tracker" not in cmdline:
                found.add(int(entry))
    return found


def gone(pid: int) -> bool:
    """``pid`` has exited (a zombie waiting for its parent counts as gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def small_records(path: Path, mib: int) -> int:
    """Write ``mib`` MiB of small records (the most records per byte: the slowest file to fold) to ``path``;
    how many."""
    lines = [json.dumps({"request": {"method": "get", "host": "h", "pathname": f"/u/{i}", "query": {"q": str(i)},
                                     "headers": {}}, "response": {"statusCode": 200, "headers": {}}})
             for i in range(1000)]
    block = ("\n".join(lines) + "\n").encode()
    copies = (mib << 20) // len(block)
    path.write_bytes(block * copies)
    return 1000 * copies
