"""Does the drift gate still see real drift on real traffic? Mutations of a real set's -b sample, each gated.

    python scripts/quality.py --realset /work/realset --mutations

Issue 11 asks two things of the gate at once: silence on an unchanged API (measure.drift: a spec learned
from sample a, gated on sample b) and every mutation of the drift corpus still caught. The corpus
(fixtures/drift) is hand-made; here the same mutations are made to real traffic, so the calibration that
keeps the gate silent on real servers is shown not to have silenced it on a real change too. Each
mutation changes one operation of sample b (chosen by spec A's routes, most-called first, up to
``PER_KIND`` operations a kind), then both gates a team runs are asked about it:

- ``server-error``: a fifth of the operation's 2xx answers (one at least) become a 500 with a JSON error (not
  asked of an operation whose spec A documents a 5xx already: no change a gate could see);
- ``field-removed``: a scalar property present in every 2xx JSON answer of the operation, and a field spec A
  documents there (a key of a map it learned, ``additionalProperties``, is no field: each user's own, no
  claim of the API), is removed from all of them (from every item, where it sits in a list's objects);
- ``type-changed``: such a property's values change JSON type in all of them (a number becomes its
  text, a string its length, a boolean its text; a null stays null);
- ``operation-removed``: every call of the operation is answered 404 with a JSON error, as a server
  answers a route it no longer has (its calls simply missing from -b would prove nothing: a sample need
  not call every operation, and ``build --check`` rightly reads absence as no evidence).

``caught``: the gate reports a breaking finding on that operation (what fails a CI job by default) of a kind
it did not already report there on the unmutated sample b (a finding the unchanged API raises is no sign of
the mutation); ``seen``: any finding on it. The recall is caught / asked, per gate and kind.
"""

from __future__ import annotations

import copy
import gzip
import json
import re
import subprocess
import sys
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from specbuild.drift.routes import Router  # noqa: E402  (the script runs from a checkout)
from specbuild.refs import resolve  # noqa: E402

PER_KIND = 3          # operations mutated per kind and set
MIN_CALLS = 3         # an operation answered fewer times in -b is no test of the gate
KINDS = ("server-error", "field-removed", "type-changed", "operation-removed")

Record = dict[str, Any]
Op = tuple[str, str]  # (METHOD, template) of spec A


def load(path: Path) -> list[Record]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _path(record: Record) -> str:
    req = record["request"]
    return str(req.get("pathname") or str(req.get("path", "")).split("?", 1)[0])


def operations(doc: dict[str, Any], records: list[Record]) -> dict[Op, list[int]]:
    """The indices of ``records`` per operation of ``doc`` they reach (unmatched ones left out)."""
    bases = {urlparse(s.get("url", "")).path.rstrip("/") for s in doc.get("servers", [])} | {""}
    router = Router(doc.get("paths", {}), sorted(bases))
    ops: dict[Op, list[int]] = defaultdict(list)
    for i, record in enumerate(records):
        match = router.match(_path(record))
        method = str(record["request"]["method"]).upper()
        if match is not None and method.lower() in match.route.item:
            ops[(method, match.route.template)].append(i)
    return ops


def _json_body(record: Record) -> Any:
    body = record["response"].get("body")
    if not isinstance(body, str) or body[:1] not in ("{", "["):
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def _served(records: list[Record], idx: list[int]) -> list[int]:
    return [i for i in idx if 200 <= int(records[i]["response"]["statusCode"]) < 300]


def _places(value: Any, at: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every scalar property of ``value`` as (names from the root, ``[]`` for a list's items), with its value."""
    if isinstance(value, dict):
        for key, child in value.items():
            if isinstance(child, dict | list):
                yield from _places(child, (*at, key))
            elif child is not None:
                yield (*at, key), child
    elif isinstance(value, list):
        for item in value:
            yield from _places(item, (*at, "[]"))


def common_property(bodies: list[Any], documented: Callable[[tuple[str, ...]], bool] = lambda place: True
                    ) -> tuple[str, ...] | None:
    """A scalar property every body holds (each list item too, where it sits in a list), of one JSON
    type, not null, ``documented`` as a field: the one a hash of the bodies' count picks, so each set gets
    its own, reproducibly."""
    seen: dict[tuple[str, ...], set[str]] = {}
    for n, body in enumerate(bodies):
        here: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for place, value in _places(body):
            here[place].add(type(value).__name__)
        # a list seen empty holds no evidence about its items: the place must be in every body
        seen = dict(here) if n == 0 else {p: k | here[p] for p, k in seen.items() if p in here}
    candidates = sorted(p for p, kinds in seen.items() if len(kinds) == 1)
    if candidates:  # the pick among every candidate first: a set whose pick is a field keeps it, as before
        pick = candidates[zlib.crc32(repr(candidates).encode()) % len(candidates)]
        if documented(pick):
            return pick
        candidates = [p for p in candidates if documented(p)]
    if not candidates:
        return None
    return candidates[zlib.crc32(repr(candidates).encode()) % len(candidates)]


def documented_fields(doc: Mapping[str, Any], op: Op) -> Callable[[tuple[str, ...]], bool]:
    """Whether a place (names from a body's root, ``[]`` for items) is a property spec A documents in one of
    ``op``'s 2xx JSON answers: each name under ``properties`` (``$ref``s followed, any branch of a union), not a
    key of a map it learned (``additionalProperties``)."""
    roots = [media.get("schema") for code, r in _responses(doc, op).items() if str(code).startswith("2")
             for mt, media in (resolve(doc, r).get("content") or {}).items()
             if "json" in mt and isinstance(media, dict)]

    def at(schema: Any, place: tuple[str, ...], depth: int = 0) -> bool:
        schema = resolve(doc, schema)
        if not place:
            return True
        if depth > 16:
            return False
        if any(at(branch, place, depth + 1) for branch in schema.get("anyOf") or schema.get("oneOf") or ()):
            return True
        head, rest = place[0], place[1:]
        if head == "[]":
            return at(schema.get("items"), rest, depth + 1) if isinstance(schema.get("items"), dict) else False
        props = schema.get("properties")
        return isinstance(props, dict) and head in props and at(props[head], rest, depth + 1)

    return lambda place: any(at(root, place) for root in roots)


def _edit(value: Any, place: tuple[str, ...], change: Callable[[dict[str, Any], str], None]) -> None:
    if not place:
        return
    head, rest = place[0], place[1:]
    if head == "[]":
        for item in value if isinstance(value, list) else []:
            _edit(item, rest, change)
    elif isinstance(value, dict) and head in value:
        if rest:
            _edit(value[head], rest, change)
        else:
            change(value, head)


def _drop(obj: dict[str, Any], key: str) -> None:
    del obj[key]


def _retype(obj: dict[str, Any], key: str) -> None:
    v = obj[key]
    if v is None:
        return  # a null has no type to change (common_property chose the place by its other values)
    obj[key] = len(v) if isinstance(v, str) else ("true" if v else "false") if isinstance(v, bool) else str(v)


def _with_body(record: Record, body: Any) -> Record:
    out = copy.deepcopy(record)
    out["response"]["body"] = json.dumps(body)
    out["response"]["headers"] = {k: v for k, v in out["response"].get("headers", {}).items()
                                  if k.lower() != "content-length"}
    return out


def askable(kind: str, doc: Mapping[str, Any], op: Op) -> bool:
    """Whether ``kind`` can be a change to ``op`` as spec A learned it: a server error is none where A documents
    one already (an API whose own error path is a 500, or a 500 sample a happened to see), so no gate could
    report it and counting it as missed says nothing of the gates."""
    if kind != "server-error":
        return True
    return not any(str(code).startswith("5") for code in _responses(doc, op))


def _responses(doc: Mapping[str, Any], op: Op) -> Mapping[str, Any]:
    """The responses spec A states for ``op`` (none where it has no such operation)."""
    return (doc.get("paths", {}).get(op[1], {}).get(op[0].lower()) or {}).get("responses") or {}


def mutate(kind: str, records: list[Record], idx: list[int],
           documented: Callable[[tuple[str, ...]], bool] = lambda place: True) -> list[Record] | None:
    """Sample b with ``kind`` made to the operation whose records are ``idx``; None when it cannot be.
    ``documented``: the places spec A documents as fields there (:func:`documented_fields`)."""
    served = _served(records, idx)
    if kind in ("server-error", "operation-removed"):
        if not served:
            return None
        # a fifth of the served calls fail (the first among them); a removed route answers every call 404
        hit, status = (served[::5], 500) if kind == "server-error" else (idx, 404)
        out = list(records)
        for i in hit:
            r = copy.deepcopy(records[i])
            r["response"]["statusCode"] = status
            r["response"]["headers"] = {"content-type": "application/json"}
            r["response"]["body"] = json.dumps({"error": "Internal Server Error" if status == 500 else "Not Found"})
            out[i] = r
        return out
    bodies = [_json_body(records[i]) for i in served]
    if not bodies or any(b is None for b in bodies):
        return None
    place = common_property(bodies, documented)
    if place is None:
        return None
    change = _drop if kind == "field-removed" else _retype
    out = list(records)
    for i, body in zip(served, bodies, strict=True):
        _edit(body, place, change)
        out[i] = _with_body(records[i], body)
    return out


def _specbuild(*args: str) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, "-m", "specbuild", *args], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"specbuild {' '.join(args)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return dict(json.loads(proc.stdout))


def gate(a_spec: Path, traffic: Path, out: Path) -> dict[str, list[dict[str, Any]]]:
    """The findings of both gates on ``traffic``."""
    built = _specbuild("build", "-i", str(traffic), "-o", str(out), "-q", "--check", str(a_spec),
                       "--check-format", "json", "--fail-on", "never")
    checked = _specbuild("check", "--spec", str(a_spec), "-i", str(traffic), "-f", "json", "--fail-on", "never", "-q")
    return {"build_check": built["changes"], "check": checked["findings"]}


def _on(finding: dict[str, Any], op: Op) -> bool:
    """A finding on ``op``'s route: `build --check` learns the mutated sample anew, and may name the route's
    parameters otherwise (`{name}` there, `{idOrName2}` here); two templates of one shape are one route."""
    said = str(finding.get("operation", "")).split()
    return len(said) == 2 and said[0] == op[0] and _shape(said[1]) == _shape(op[1])


def _shape(template: str) -> str:
    """A template with its parameters unnamed and without a trailing slash: the sample learned anew may write
    the route ``/{name}/{name2}/`` where the spec wrote ``/{user}/{index}`` (its 200s gone, the calls that
    ended in ``/`` are the ones served: ``path-now-with-trailing-slash``, an info finding, says so)."""
    shaped = re.sub(r"\{[^}/]*\}", "{}", template)
    return shaped[:-1] if len(shaped) > 1 and shaped.endswith("/") else shaped


def breaking_kinds(broken: list[dict[str, Any]], op: Op) -> set[str]:
    """The kinds of the breaking findings ``broken`` on ``op``'s route."""
    return {str(f["kind"]) for f in broken if _on(f, op)}


def verdict(findings: list[dict[str, Any]], op: Op, already: set[str]) -> dict[str, Any]:
    """What a gate's ``findings`` on a mutated sample say of ``op``: caught (a breaking finding there of a kind
    not in ``already``, what the unmutated sample raised there), seen (any finding there), and their kinds."""
    mine = [f for f in findings if _on(f, op)]
    return {"caught": any(f["severity"] == "breaking" and f["kind"] not in already for f in mine),
            "seen": bool(mine), "kinds": sorted({f"{f['kind']}:{f['severity']}" for f in mine})}


def mutations(name: str, a_spec: Path, b: Path, tmp: Path, unmutated: Mapping[str, list[dict[str, Any]]]
              ) -> dict[str, Any]:
    """Every kind made to up to PER_KIND operations of ``b``, each gated; what each gate caught. ``unmutated``:
    the breaking findings each gate raised on ``b`` as recorded (measure.drift's, gated already)."""
    doc = json.loads(a_spec.read_text())
    records = load(b)
    ops = operations(doc, records)
    ranked = sorted((op for op, idx in ops.items() if len(_served(records, idx)) >= MIN_CALLS),
                    key=lambda op: (-len(ops[op]), op))
    cases: list[dict[str, Any]] = []
    for kind in KINDS:
        done = 0
        for op in ranked:
            if done == PER_KIND:
                break
            if not askable(kind, doc, op):
                continue
            mutated = mutate(kind, records, ops[op], documented_fields(doc, op))
            if mutated is None:
                continue
            done += 1
            traffic = tmp / f"{name}-{kind}-{done}.jsonl"
            traffic.write_text("".join(json.dumps(r) + "\n" for r in mutated))
            found = gate(a_spec, traffic, tmp / f"{name}-{kind}-{done}")
            case: dict[str, Any] = {"kind": kind, "operation": f"{op[0]} {op[1]}"}
            for label, items in found.items():
                case[label] = verdict(items, op, breaking_kinds(unmutated[label], op))
            cases.append(case)
    return {"cases": cases, "recall": recall(cases)}


def recall(cases: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for case in cases:
        for label in ("build_check", "check"):
            if label in case:
                tally = out.setdefault(label, {"asked": 0, "caught": 0, "seen": 0})
                tally["asked"] += 1
                tally["caught"] += case[label]["caught"]
                tally["seen"] += case[label]["seen"]
    return out


def summary(r: dict[str, Any]) -> str:
    rec = r["recall"]
    return " | ".join(f"mutations {label} caught {t['caught']}/{t['asked']} (seen {t['seen']})"
                      for label, t in sorted(rec.items()))


def misses(r: dict[str, Any]) -> list[str]:
    return [f"- mutation {c['kind']} of `{c['operation']}` not caught by {label}: {c[label]['kinds'] or 'nothing'}"
            for c in r["cases"] for label in ("build_check", "check") if label in c and not c[label]["caught"]]
