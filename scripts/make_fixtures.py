#!/usr/bin/env python3
"""Regenerate fixtures/users.jsonl and fixtures/messy.jsonl (deterministic: seeded).

    python scripts/make_fixtures.py

The users API is the seed's tutorial service: POST /users, GET /users/{userId} with UUID ids and
404s, plus a list with paging, a /users/me literal, DELETE, and bearer credentials.
messy.jsonl holds one of every kind of bad record between good ones (see the comments below).
"""

from __future__ import annotations

import json
import random
import uuid
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
NAMES = ["Kimmo", "Aino", "Mikael", "Sofia", "Leo", "Ella", "Onni", "Helmi", "Eino", "Olivia"]
TS = "2020-02-28T10:39:{:02d}.{:03d}Z"


def _ts(rng: random.Random) -> str:
    return TS.format(rng.randrange(60), rng.randrange(1000))


def _user(rng: random.Random, uid: str, name: str) -> dict[str, object]:
    user: dict[str, object] = {"id": uid, "name": name, "email": f"{name.lower()}@example.com",
                               "createdAt": f"2020-02-{rng.randrange(10, 28)}T10:{rng.randrange(10, 59)}:00Z",
                               "age": rng.randrange(18, 80)}
    if rng.random() < 0.5:
        user["nickname"] = None if rng.random() < 0.5 else name[:3].lower()
    return user


def exchange(rng: random.Random, method: str, path: str, status: int, *, body: object = None,
             resp: object = None, query: dict[str, str] | None = None, token: bool = True) -> dict[str, object]:
    headers = {"host": "localhost:3000", "user-agent": "curl/7.54.0", "accept": "*/*"}
    if token:
        headers["authorization"] = f"Bearer tok-{rng.randrange(10**9):09d}"
    request: dict[str, object] = {"method": method, "protocol": "http", "host": "localhost:3000",
                                  "headers": headers, "pathname": path, "query": query or {},
                                  "timestamp": _ts(rng)}
    if body is not None:
        headers["content-type"] = "application/json"
        request["body"] = json.dumps(body)
    response: dict[str, object] = {"statusCode": status, "timestamp": _ts(rng),
                                   "headers": {"x-powered-by": "Express", "date": "Fri, 28 Feb 2020"}}
    if resp is not None:
        response["headers"]["content-type"] = "application/json; charset=utf-8"  # type: ignore[index]
        response["body"] = json.dumps(resp)
    return {"request": request, "response": response}


def users(rng: random.Random) -> list[dict[str, object]]:
    out = []
    known: list[dict[str, object]] = []
    for i in range(40):
        name = NAMES[i % len(NAMES)]
        uid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        user = _user(rng, uid, name)
        known.append(user)
        out.append(exchange(rng, "post", "/users", 201,
                            body={"name": name, "email": user["email"], "age": user["age"]}, resp=user))
        out[-1]["response"]["headers"]["location"] = f"/users/{uid}"  # type: ignore[index]
    for _ in range(60):
        user = rng.choice(known)
        out.append(exchange(rng, "get", f"/users/{user['id']}", 200, resp=user))
    for _ in range(12):
        missing = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        out.append(exchange(rng, "get", f"/users/{missing}", 404,
                            resp={"error": "not found", "code": 404}))
    for _ in range(10):
        out.append(exchange(rng, "get", "/users/me", 200, resp=rng.choice(known)))
    for _ in range(15):
        limit = rng.choice([5, 10, 20])
        page = rng.sample(known, k=min(limit, 3))
        query = {"limit": str(limit)}
        if rng.random() < 0.5:
            query["offset"] = str(rng.randrange(0, 100))
        out.append(exchange(rng, "get", "/users", 200, resp={"items": page, "total": len(known)},
                            query=query))
    for _ in range(6):
        user = rng.choice(known)
        out.append(exchange(rng, "delete", f"/users/{user['id']}", 204))
    out.append(exchange(rng, "get", "/users", 401, resp={"error": "unauthorized", "code": 401},
                        query={"limit": "10"}, token=False))
    rng.shuffle(out)
    return out


def messy(rng: random.Random) -> list[str]:
    good = [json.dumps(e) for e in users(rng)[:30]]
    bad = [
        "this is not json",                                         # not-json
        "[1, 2, 3]",                                                # not-an-object
        "null",                                                     # not-an-object
        json.dumps({"response": {"statusCode": 200}}),              # no-request
        json.dumps({"request": {"method": "get", "path": "/users"}}),  # no-response
        json.dumps({"request": {"path": "/users"}, "response": {"statusCode": 200}}),  # bad-method
        json.dumps({"request": {"method": "fetch", "path": "/users"}, "response": {"statusCode": 200}}),
        json.dumps({"request": {"method": "get", "path": "/users"}, "response": {}}),  # no-status
        json.dumps({"request": {"method": "get", "path": "/users"}, "response": {"statusCode": 999}}),
        json.dumps({"request": {"method": "get"}, "response": {"statusCode": 200}}),   # no-path
        json.dumps({"request": {"method": "get", "path": "/users"},                    # bad-json-body
                    "response": {"statusCode": 200, "headers": {"content-type": "application/json"},
                                 "body": "{not json"}}),
        '{"request": {"method": "get", "path": "/users"', # truncated line: not-json
    ]
    odd_but_good = [
        # upper-case method, path with query, status as a string, header values as lists, meta ignored
        json.dumps({"request": {"method": "GET", "path": "/users?limit=5", "host": "localhost:3000",
                                "headers": {"Accept": ["application/json", "text/plain"]}},
                    "response": {"statusCode": "200", "headers": {"Content-Type": "application/json"},
                                 "body": json.dumps({"items": [], "total": 0})},
                    "meta": {"recorder": "express"}}),
        # url instead of path, Express "{}" body on a GET
        json.dumps({"request": {"method": "get", "url": "http://localhost:3000/users/me", "body": "{}"},
                    "response": {"statusCode": 200, "headers": {"content-type": "application/json"},
                                 "body": json.dumps({"id": "0549a790-fe19-4e1b-ae15-2ab99a2c91ad",
                                                     "name": "Kimmo", "email": "kimmo@example.com",
                                                     "createdAt": "2020-02-11T10:11:00Z", "age": 33})}}),
        # a huge body (over a small --max-body-bytes in the tests): learned without its body
        json.dumps({"request": {"method": "get", "path": "/users", "query": {"limit": "20"}},
                    "response": {"statusCode": 200, "headers": {"content-type": "application/json"},
                                 "body": json.dumps({"items": [], "total": 0, "pad": "x" * 20000})}}),
    ]
    lines = good[:10] + bad[:6] + odd_but_good + [""] + bad[6:] + good[10:]
    return lines


def main() -> None:
    FIXTURES.mkdir(exist_ok=True)
    rows = users(random.Random(20200228))
    (FIXTURES / "users.jsonl").write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in rows))
    (FIXTURES / "messy.jsonl").write_text("\n".join(messy(random.Random(7))) + "\n")
    print(f"wrote {len(rows)} records to fixtures/users.jsonl and fixtures/messy.jsonl")


if __name__ == "__main__":
    main()
