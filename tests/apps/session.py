"""The data of the recorded test apps and the session a client plays against them (tests/test_record.py).

``play(base, client_log)`` sends the same requests every time with httpx and writes, beside the
server's recording, what the client itself sent and received as HTTP Types: the same exchanges
written directly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

ITEMS = [{"id": f"a1b2c3d4-0000-4000-8000-00000000000{n}", "name": name, "price": price, "tags": tags}
         for n, (name, price, tags) in enumerate([("lamp", 12.5, ["home"]), ("desk", 99.0, []),
                                                  ("chair", 45.25, ["home", "office"])])]
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\xff\xfe"
SECRETS = ("s3cret-bearer-token", "k3y-abc-123", "cookie-value-xyz", "tok-ada", "tok-bob", "hunter2", "hunter3")


def big_listing() -> dict[str, Any]:
    return {"items": [dict(item, rank=i) for i in range(10) for item in ITEMS], "total": 30}


def _record(response: httpx.Response) -> dict[str, Any]:
    req = response.request
    body = response.content  # httpx has undone the content coding
    text = body.decode() if not response.headers.get("content-type", "").startswith("image/") else "binary"
    return {"request": {"method": req.method, "protocol": req.url.scheme, "host": req.url.netloc.decode(),
                        "pathname": req.url.path, "query": dict(req.url.params.multi_items()),
                        "headers": dict(req.headers), "body": req.content.decode()},
            "response": {"statusCode": response.status_code, "headers": dict(response.headers), "body": text}}


def play(base: str, client_log: Path) -> int:
    """The session; returns how many exchanges it made."""
    records = []
    auth = {"authorization": "Bearer s3cret-bearer-token"}
    with httpx.Client(base_url=base, timeout=10) as client:
        client.cookies.set("session", "cookie-value-xyz")
        calls: list[tuple[str, str, dict[str, Any]]] = [
            ("GET", "/items", {"params": {"limit": "2", "api_key": "k3y-abc-123"}, "headers": auth}),
            ("GET", "/items", {"params": {"limit": "3"}, "headers": auth}),
            *[("GET", f"/items/{item['id']}", {"headers": auth}) for item in ITEMS],
            ("GET", "/items/a1b2c3d4-0000-4000-8000-0000000000ff", {"headers": auth}),
            ("POST", "/items", {"json": {"name": "shelf", "price": 30.0, "tags": ["office"]}, "headers": auth}),
            ("POST", "/login", {"data": {"user": "ada", "password": "hunter2"}}),
            ("POST", "/login", {"data": {"user": "bob", "password": "hunter3"}}),
            ("GET", f"/items/{ITEMS[0]['id']}/picture", {}),
            ("GET", "/listing", {"headers": {"accept-encoding": "gzip"}}),
            ("GET", "/stream", {}),
        ]
        for method, path, kwargs in calls:
            records.append(_record(client.request(method, path, **kwargs)))
    client_log.write_text("".join(json.dumps(r) + "\n" for r in records))
    return len(records)
