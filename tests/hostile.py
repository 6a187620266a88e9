"""A corpus of hostile HTTP Types records (issue 16): what a recorder in front of the internet may write.

``corpus()`` gives ``(name, raw line)`` pairs: every hostile kind in a few variants, with the normal records of
``fixtures/users.jsonl`` mixed in between them (their names start with ``normal``). Raw lines are bytes, as a
file or a Kafka topic holds them; invalid UTF-8 is written into them as raw bytes, where JSON has text.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.helpers import FIXTURES, record

MARK = "@@BAD@@"        # replaced by invalid UTF-8 bytes once the record is serialised
BAD_BYTES = b"\xff\xfe\xc3("  # a stray byte, a BOM-like pair, a truncated two-byte sequence
MAX_BODY_BYTES = 4 * 1024 * 1024  # records.DEFAULT_MAX_BODY_BYTES: the "huge body" goes over it
KAFKA_MAX_BYTES = 900_000  # under the broker's and producer's default message size (1 MB): what a topic holds

NORMAL = [ln for ln in (FIXTURES / "users.jsonl").read_bytes().splitlines() if ln.strip()]


def line(rec: dict[str, Any]) -> bytes:
    return json.dumps(rec, separators=(",", ":")).encode().replace(MARK.encode(), BAD_BYTES)


def nested(depth: int) -> str:
    return "[" * depth + "1" + "]" * depth


def nested_objects(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def _paths() -> list[tuple[str, bytes]]:
    return [
        ("deep-path-600", line(record(path="/a" * 600))),
        ("deep-path-5000", line(record(path="/" + "/".join(f"s{i}" for i in range(5000))))),
        ("deep-path-5000-ids", line(record(path="/x/" + "/".join(str(i) for i in range(5000))))),
        ("segment-100k", line(record(path="/users/" + "a" * 100_000))),
        ("segment-100k-digits", line(record(path="/users/" + "7" * 100_000 + "/posts"))),
        ("segment-100k-mixed", line(record(path="/files/" + "ab1-" * 25_000))),
        ("path-nul", line(record(path="/users/\x00/x"))),
        ("path-nul-only", line(record(path="/\x00"))),
        ("path-query", line(record(path="/?a=1"))),
        ("path-query-deep", line(record(path="/users/?a=1&b=2"))),
        ("path-fragment", line(record(path="/users#frag"))),
        ("path-tilde0", line(record(path="/users/~0"))),
        ("path-tilde1", line(record(path="/users/~1/x"))),
        ("path-pct00", line(record(path="/users/%00"))),
        ("path-dotdot", line(record(path="/users/../../etc/passwd"))),
        ("path-dot", line(record(path="/./users/."))),
        ("path-empty-segments", line(record(path="//users///x//"))),
        ("path-braces", line(record(path="/users/{id}/x"))),
    ]


def _names() -> list[tuple[str, bytes]]:
    many = range(10_000)
    return [
        ("query-10k", line(record(path="/search", query={f"q{i}": str(i) for i in many}))),
        ("query-10k-long", line(record(path="/search", query={f"{'k' * 50}{i}": "v" * 20 for i in many}))),
        ("req-headers-10k", line(record(path="/users", headers={f"x-h{i}": str(i) for i in many}))),
        ("resp-headers-10k", line(record(path="/users", resp_headers={f"x-r{i}": str(i) for i in many}))),
        ("form-10k", line(_form({f"f{i}": str(i) for i in many}))),
    ]


def _form(fields: dict[str, str]) -> dict[str, Any]:
    rec = record("post", "/forms")
    rec["request"]["headers"]["content-type"] = "application/x-www-form-urlencoded"
    rec["request"]["body"] = "&".join(f"{k}={v}" for k, v in fields.items())
    return rec


def _bodies() -> list[tuple[str, bytes]]:
    out = []
    for depth in (200, 1000, 5000):
        for kind, text in (("arrays", nested(depth)), ("objects", nested_objects(depth))):
            rec = record("post", "/nest", resp={"ok": True})
            rec["request"]["headers"]["content-type"] = "application/json"
            rec["request"]["body"] = text
            out.append((f"body-nested-{kind}-{depth}", line(rec)))
    resp = record("get", "/nest")
    resp["response"]["headers"]["content-type"] = "application/json"
    resp["response"]["body"] = nested_objects(5000)
    out.append(("resp-body-nested-5000", line(resp)))
    huge = record("post", "/upload", body={"data": "x" * (MAX_BODY_BYTES + 1024)})
    out.append(("body-huge", line(huge)))
    # Under the default cap and under Kafka's message size: over the cap the Kafka test sets.
    big = record("post", "/upload", body={"data": "y" * 600_000})
    out.append(("body-600k", line(big)))
    notjson = record("post", "/users")
    notjson["request"]["headers"]["content-type"] = "application/json"
    notjson["request"]["body"] = "{this is not json"
    out.append(("body-not-json", line(notjson)))
    notjson_resp = record("get", "/users")
    notjson_resp["response"]["headers"]["content-type"] = "application/json; charset=utf-8"
    notjson_resp["response"]["body"] = "<html>oops</html>"
    out.append(("resp-body-not-json", line(notjson_resp)))
    return out


def _set(where: str) -> Callable[[dict[str, Any]], None]:
    """A mutation putting MARK (then invalid UTF-8) into one field of a record."""
    def put(rec: dict[str, Any]) -> None:
        req, res = rec["request"], rec["response"]
        if where == "method":
            req["method"] = "GE" + MARK
        elif where == "path":
            req["pathname"] = "/users/" + MARK
        elif where == "host":
            req["host"] = "api" + MARK + ".example.com"
        elif where == "header-name":
            req["headers"]["x-" + MARK] = "1"
        elif where == "header-value":
            req["headers"]["x-a"] = "v" + MARK
        elif where == "resp-header-value":
            res["headers"]["x-a"] = "v" + MARK
        elif where == "query-name":
            req["query"] = {"q" + MARK: "1"}
        elif where == "query-value":
            req["query"] = {"q": "1" + MARK}
        elif where == "body":
            req["headers"]["content-type"] = "application/json"
            req["body"] = '{"name": "' + MARK + '"}'
        elif where == "resp-body":
            res["headers"]["content-type"] = "application/json"
            res["body"] = '{"name": "' + MARK + '"}'
        elif where == "status":
            res["statusCode"] = "2" + MARK
        elif where == "timestamp":
            req["timestamp"] = "2020-02-28T10:39:01" + MARK
        elif where == "key":
            rec["x" + MARK] = 1
    return put


UTF8_FIELDS = ["method", "path", "host", "header-name", "header-value", "resp-header-value", "query-name",
               "query-value", "body", "resp-body", "status", "timestamp", "key"]


def _utf8() -> list[tuple[str, bytes]]:
    out = []
    for where in UTF8_FIELDS:
        rec = record("post" if where == "body" else "get", "/users")
        _set(where)(rec)
        out.append((f"utf8-{where}", line(rec)))
    out.append(("utf8-whole-line", b"\xff" * 64))
    return out


def hostile() -> list[tuple[str, bytes]]:
    """Every hostile kind, a few variants each."""
    return [*_paths(), *_names(), *_bodies(), *_utf8()]


def corpus() -> list[tuple[str, bytes]]:
    """The hostile records with a normal record from users.jsonl after each, then the remaining normal ones."""
    bad = hostile()
    out: list[tuple[str, bytes]] = []
    for i, (name, raw) in enumerate(bad):
        out.append((name, raw))
        out.append((f"normal-{i}", NORMAL[i % len(NORMAL)]))
    out += [(f"normal-{i}", raw) for i, raw in enumerate(NORMAL) if i >= len(bad)]
    return out


# Path keys a spec must never carry: query, fragment, NUL or a raw JSON-pointer escape as written.
FORBIDDEN_IN_PATH_KEYS = ("\x00", "?", "#", "~0", "~1")
