"""Test factories that ship with the tests: exchanges, and the "spec accepts its traffic" check."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from genson import SchemaBuilder

from specbuild.drift.refs import self_contained
from specbuild.io.validate import BodyValidator
from specbuild.records import Exchange, decode

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
DEVSET = ROOT.parent / "shared" / "devset"


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
