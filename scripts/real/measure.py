"""Measure specbuild on a recorded real-traffic set (scripts/real/*.sh): learn from -a, judge on -b.

    python scripts/quality.py --realset /work/realset [--realset /work/realset-holdout]

For every `<server>-a.jsonl.gz` with a `<server>-b.jsonl.gz` beside it:
- paths / ops F1: where `<server>.truth.json` exists, score.py against the truth cut to the operations
  the -a traffic exercised (as the devset's truths are cut to their traffic); learned paths that cannot lie
  under the truth's mount (its servers' base path: `/-/healthy` beside a description of `/api/v2`) are
  listed apart (`outside_truth`), not scored: the truth says nothing of them;
- selfcons / accept: the share of -a / -b exchanges the spec learned from -a accepts (score.py's rule), each
  request read as the API serves it (``as_served``: a tunnelled POST as the method it names); "as sent" beside
  it, where it differs, is score.py on the request lines as they were sent;
- gate: `build -i b --check A` and `check --spec A -i b` on an unchanged API: breaking counts (target 0);
- id enums: enums whose values or name look like identities (people, ids, paths), never to be enums;
- slashes: the learned paths written with a trailing slash, and those written in a form (`/x` or `/x/`)
  the -b traffic was never served with (2xx, or 3xx but a redirect) where it was served in the other:
  score.py's matcher takes both (`/?$`), and a client of `/x` where the server serves only `/x/` cannot
  call it (Django, Flask);
- map keys: learned property names that look like ids (hex, numbers, versions, sigils; an OData
  annotation of a property, `CreatedAt@odata.type`, is none), or that sit in an object whose names the two
  samples disagree on in 3 or more places, both having some (a key set that grows with traffic is a map).
The heuristics of the last two are this script's, independent of the learner's rules, and list what
they flag so a person can judge each one.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import re
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent.parent
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
ID_NAME = re.compile(
    r"(^|[_\-.])(ids?|names?|users?|usernames?|owners?|principals?|members?|emails?|logins?|"
    r"paths?|titles?|uuids?|tokens?|slugs?|keys?)$|Ids?$|Names?$",
    re.I,
)
ID_VALUE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-|^[0-9a-f]{12,}$|@|^[\w.+-]+:[\w.@+-]+$|^/[^/]+/|\d{6,}|\s\d+$", re.I)
# `CreatedAt@odata.type`: a property's name, `@`, a namespace (group 2: its first word) and a term
ANNOTATED = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)@([A-Za-z_][A-Za-z0-9_]*)(?:\.[A-Za-z_][A-Za-z0-9_]*)+").fullmatch
# (a colon inside a key: `algorithm:KEYID`, `@alice:host`; a leading one is a field's own spelling: devpi's and
# PyPI's upload form `:action`, `:protocol_version`)
ID_KEY = re.compile(
    r"^[0-9a-f]{8,}$|^\d+$|[0-9a-f]{8}-[0-9a-f]{4}-|[@/\s]|(?<=.):|[-_.]\d{3,}|^v?\d+(\.\d+)+([-+][\w.]+)?$", re.I
)


def load_score(devset: Path) -> ModuleType:
    """The devset's score.py, for its acceptance rule (self_consistency) and truth matching."""
    sys.path.insert(0, str(devset))
    spec = importlib.util.spec_from_file_location("score", devset / "score.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def gunzip(path: Path, tmp: Path) -> Path:
    """PATH unpacked into TMP once. Named by the folder too: one run over a set and its -swap folder
    meets the same file name in each, and a cache keyed by the name alone judged the swap on the
    first folder's samples."""
    target = tmp / f"{hashlib.sha256(str(path.absolute()).encode()).hexdigest()[:12]}-{path.name.removesuffix('.gz')}"
    if not target.exists():
        target.write_bytes(gzip.decompress(path.read_bytes()))
    return target


def specbuild(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "specbuild", *args], capture_output=True, text=True, cwd=ROOT)


def cut_truth(score: ModuleType, truth: dict[str, Any], traffic: Path) -> dict[str, Any]:
    """The truth's operations that the traffic exercised, nothing else."""
    matchers = score.build_matchers(score.Spec(truth))
    hit = {
        score.match_truth_op(matchers, r["request"]["pathname"], str(r["request"]["method"]).lower())
        for r in score.load_traffic(str(traffic))
    }
    # the scorer's own full path (server base + path, trailing slash dropped: kinto's `/` under `/v1`
    # is `/v1`), so the operations it matched are the ones kept
    kept: dict[str, set[str]] = defaultdict(set)
    for full, path, method, _, _ in score.iter_operations(truth):
        if (score.norm_template(full), method) in hit:
            kept[path].add(method)
    paths = {}
    for path, item in truth["paths"].items():
        ops = {m: op for m, op in item.items() if m in kept.get(path, ())}
        if ops:
            paths[path] = ops
    return {**truth, "paths": paths}


def _bases(truth: dict[str, Any]) -> list[list[str]]:
    """The path segments of each of the truth's servers (``/api/v2/`` -> [api, v2]); [] at the root."""
    out = []
    for server in truth.get("servers") or [{"url": "/"}]:
        path = urlparse(str(server.get("url", "/"))).path
        out.append([seg for seg in path.split("/") if seg])
    return out


def _under(path: str, base: list[str]) -> bool:
    segs = [seg for seg in path.split("/") if seg]
    if len(segs) < len(base):
        return False  # above the mount (`/api` beside a base `/api/v2`)
    return all(seg == want or seg.startswith("{") for seg, want in zip(segs, base, strict=False))


def outside_truth(truth: dict[str, Any], learned: Iterable[str]) -> list[str]:
    """Learned paths that cannot lie under any base path of the truth's servers: a description of an API
    mounted at ``/api/v2`` says nothing of the server's ``/-/healthy``, so a learned path there is neither
    right nor wrong by it. A parameter where the base has a word may be under it (still scored)."""
    bases = _bases(truth)
    return sorted(p for p in learned if not any(_under(p, base) for base in bases))


def drift(folder: Path, name: str, a_spec: Path, b: Path, tmp: Path) -> dict[str, Any]:
    """The gate on an unchanged API, both ways a team runs it: breaking counts and what they are."""
    built = specbuild(
        "build",
        "-i",
        str(b),
        "-o",
        str(tmp / f"{name}-B"),
        "-q",
        "--check",
        str(a_spec),
        "--check-format",
        "json",
        "--fail-on",
        "never",
    )
    checked = specbuild("check", "--spec", str(a_spec), "-i", str(b), "-f", "json", "--fail-on", "never", "-q")
    out: dict[str, Any] = {}
    for label, proc, items in (("build_check", built, "changes"), ("check", checked, "findings")):
        report = json.loads(proc.stdout)
        broken = [c for c in report[items] if c["severity"] == "breaking"]
        out[label] = {
            "breaking": report["summary"]["breaking"],
            "summary": report["summary"],
            "breaking_items": [
                {
                    k: c.get(k)
                    for k in ("operation", "kind", "where", "pointer", "detail", "count", "subjects", "example")
                }
                for c in broken
            ],
        }
    return out


def schemas(doc: dict[str, Any]) -> list[tuple[str, Any]]:
    """(where, schema) of every parameter and body of every operation."""
    out = []
    for path, item in sorted((doc.get("paths") or {}).items()):
        for m in METHODS:
            op = item.get(m)
            if not isinstance(op, dict):
                continue
            for p in item.get("parameters", []) + op.get("parameters", []):
                out.append((f"{m.upper()} {path} {p.get('in')} {p.get('name')}", p.get("schema", {})))
            for mt, media in (op.get("requestBody") or {}).get("content", {}).items():
                out.append((f"{m.upper()} {path} request {mt}", media.get("schema", {})))
            for code, resp in (op.get("responses") or {}).items():
                for mt, media in (resp.get("content") or {}).items():
                    out.append((f"{m.upper()} {path} {code} {mt}", media.get("schema", {})))
    return out


def walk(doc: dict[str, Any], node: Any, pointer: str, seen: frozenset[str] = frozenset()) -> Any:
    """Yield (pointer, schema) through $refs, properties, items, maps and combinators."""
    if not isinstance(node, dict):
        return
    ref = node.get("$ref")
    if isinstance(ref, str):
        if ref in seen:
            return
        target: Any = doc
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        yield from walk(doc, target, pointer, seen | {ref})
        return
    yield pointer, node
    for name, sub in sorted((node.get("properties") or {}).items()):
        yield from walk(doc, sub, f"{pointer}.{name}" if pointer else name, seen)
    if isinstance(node.get("items"), dict):
        yield from walk(doc, node["items"], pointer + "[]", seen)
    if isinstance(node.get("additionalProperties"), dict):
        yield from walk(doc, node["additionalProperties"], pointer + ".*", seen)
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in node.get(key) or []:
            yield from walk(doc, sub, pointer, seen)


def id_enums(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Enums over values that identify people or things (by the value or by the name it sits under)."""
    found = []
    for where, schema in schemas(doc):
        for pointer, node in walk(doc, schema, ""):
            values = node.get("enum")
            if not isinstance(values, list) or len(values) < 2:
                continue
            last = (pointer or where.split(" ")[-1]).split(".")[-1].rstrip("[]")
            strs = [v for v in values if isinstance(v, str)]
            if ID_NAME.search(last) or (strs and any(ID_VALUE.search(v) for v in strs)):
                found.append({"where": where, "pointer": pointer, "values": values[:8], "n": len(values)})
    return found


def object_names(doc: dict[str, Any]) -> dict[tuple[str, str], set[str]]:
    out: dict[tuple[str, str], set[str]] = defaultdict(set)
    for where, schema in schemas(doc):
        for pointer, node in walk(doc, schema, ""):
            out[(where, pointer)] |= set(node.get("properties") or {})
    return out


def annotation(name: str, names: set[str]) -> bool:
    """An OData annotation of a property, no key (OData JSON: `<property>@<namespace>.<term>`): Azure Tables'
    `CreatedAt@odata.type` beside `CreatedAt`, or one of OData's own terms (`Members@odata.count`, whose
    collection the answer may leave out). The `@` of an email, a Matrix id or a node's name is an id's."""
    match = ANNOTATED(name)
    return match is not None and (match[1] in names or match[2] == "odata")


def map_keys(a_doc: dict[str, Any], b_doc: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Learned property names that are map keys: id-like, or in a key set the samples disagree on."""
    a_names = object_names(a_doc)
    b_names = object_names(b_doc) if b_doc else {}
    found = []
    for (where, pointer), names in sorted(a_names.items()):
        other = b_names.get((where, pointer))
        # a side that learned no name there (a field always null in it: `{}`) holds no key set to disagree
        grown = sorted(names ^ other) if names and other and len(names ^ other) >= 3 else []
        ids = sorted(n for n in names if ID_KEY.search(n) and not annotation(n, names))
        if ids or grown:
            found.append(
                {
                    "where": where,
                    "pointer": pointer,
                    "id_like": ids[:10],
                    "n_id_like": len(ids),
                    "differ_in_b": grown[:10],
                    "n_differ": len(grown),
                }
            )
    return found


def measure(folder: Path, name: str, tmp: Path, devset: Path, mutations: bool = False) -> dict[str, Any]:
    score = load_score(devset)
    a, b = folder / f"{name}-a.jsonl.gz", folder / f"{name}-b.jsonl.gz"
    proc = specbuild("build", "-i", str(a), "-o", str(tmp / f"{name}-A"), "-q")
    proc.check_returncode()
    a_spec = tmp / f"{name}-A" / "openapi.json"
    learned = json.loads(a_spec.read_text())
    a_plain, b_plain = gunzip(a, tmp), gunzip(b, tmp)
    res: dict[str, Any] = {"exchanges": {"a": a_plain.read_text().count("\n"), "b": b_plain.read_text().count("\n")}}
    truth_path = folder / f"{name}.truth.json"
    if truth_path.exists():
        truth = cut_truth(score, json.loads(truth_path.read_text()), a_plain)
        # scored on what the truth can judge: paths outside its mount are listed apart
        outside = outside_truth(truth, learned["paths"])
        judged = {**learned, "paths": {p: v for p, v in learned["paths"].items() if p not in outside}}
        m = score.score(truth, judged, str(a_plain), skip_validity=True)
        res["truth"] = {
            "paths": m["paths"],
            "operations": m["operations"],
            "counts": m["counts"],
            "learned_only": sorted(set(score.Spec(judged).templates) - set(score.Spec(truth).templates)),
            "truth_only": sorted(set(score.Spec(truth).templates) - set(score.Spec(judged).templates)),
            "outside_truth": outside,
        }
    spec = score.Spec(learned)
    res["selfcons"] = score.self_consistency(spec, as_served(score.load_traffic(str(a_plain))))
    res["accept"] = score.self_consistency(spec, as_served(score.load_traffic(str(b_plain))))
    # score.py reads the request line as sent: a tunnelled POST (method override) judged as a POST
    res["accept_wire"] = score.self_consistency(spec, score.load_traffic(str(b_plain)))
    # score.py checks every JSON request body against the operation's application/json schema, also a
    # merge-patch or JSON-patch body that the spec documents under its own media type: the same rates
    # without those exchanges say how much of a drop is that.
    res["selfcons_plain_json"] = score.self_consistency(spec, plain_json(as_served(score.load_traffic(str(a_plain)))))
    res["accept_plain_json"] = score.self_consistency(spec, plain_json(as_served(score.load_traffic(str(b_plain)))))
    if spanning(learned):  # a file path: score.py matches each {x} as one segment, the Router as one or more
        with spans_as_paths(score, learned):
            res["selfcons_spanning"] = score.self_consistency(spec, as_served(score.load_traffic(str(a_plain))))
            res["accept_spanning"] = score.self_consistency(spec, as_served(score.load_traffic(str(b_plain))))
    res["gate"] = drift(folder, name, a_spec, b, tmp)
    b_spec = tmp / f"{name}-B" / "openapi.json"
    res["id_enums"] = id_enums(learned)
    res["map_keys"] = map_keys(learned, json.loads(b_spec.read_text()) if b_spec.exists() else None)
    res["slashes"] = slashes(score, learned, score.load_traffic(str(b_plain)))
    if mutations:  # the gate's other half: real drift made to -b, still caught (mutate.py)
        import mutate

        unmutated = {label: res["gate"][label]["breaking_items"] for label in ("build_check", "check")}
        res["mutations"] = mutate.mutations(name, a_spec, b, tmp, unmutated)
    return res


def spanning(learned: dict[str, Any]) -> set[tuple[str, str]]:
    """The learned (path, parameter name) pairs marked ``x-multiSegment`` (a file path with folders)."""
    return {(path, p["name"]) for path, item in learned.get("paths", {}).items() if isinstance(item, dict)
            for op in item.values() if isinstance(op, dict)
            for p in op.get("parameters", []) if isinstance(p, dict) and p.get("x-multiSegment") is True}


@contextmanager
def spans_as_paths(score: ModuleType, learned: dict[str, Any]) -> Iterator[None]:
    """score.py's ``template_regex`` made to match the learned ``x-multiSegment`` parameters as one or more
    segments, meanwhile (score.py is not changed): its rule otherwise (a literal escaped, a parameter
    ``[^/]+``, ``/?$``), the trailers of the other file paths at the same place kept theirs, as the Router
    tries them first (``/api/contents/a/b.ipynb/checkpoints`` is the checkpoints')."""
    split = {(path, name): tuple(path.split("{" + name + "}", 1)) for path, name in spanning(learned)}
    plain: Callable[[str], re.Pattern[str]] = score.template_regex

    def one(text: str) -> str:
        return "".join("[^/]+" if part.startswith("{") else re.escape(part) for part in _PARAM.split(text))

    def regex(full: str) -> re.Pattern[str]:
        names = {name for path, name in split if full.endswith(path)}
        if not names:
            return plain(full)
        out = ""
        for part in _PARAM.split(full):
            if part[1:-1] in names and part.startswith("{"):
                before, after = next(v for (path, n), v in split.items() if n == part[1:-1] and full.endswith(path))
                others = sorted({t for (b, t) in split.values() if b == before and t != after and t})
                out += ("(?!.+?(?:" + "|".join(one(t) for t in others) + ")/?$)" if others else "") + "(.+?)"
            else:
                out += "([^/]+)" if part.startswith("{") else re.escape(part)
        return re.compile("^" + out + "/?$")

    setattr(score, "template_regex", regex)  # noqa: B010 (a module object the devset owns)
    try:
        yield
    finally:
        setattr(score, "template_regex", plain)  # noqa: B010


_PARAM = re.compile(r"(\{[^{}/]*\})")


REDIRECTS = (301, 302, 307, 308)  # what a server answers the form of a path it does not serve


def slashes(score: ModuleType, learned: dict[str, Any], traffic: Any) -> dict[str, Any]:
    """The learned paths written with a trailing slash, and those written in a form (with or without it)
    the traffic was never served with, where it was served in the other (a server that serves both forms,
    or a path never served: not judged)."""
    written: dict[str, str] = {}  # the scorer's template (no trailing slash) -> the path as written
    for full, raw, _, _, _ in score.iter_operations(learned):
        written.setdefault(score.norm_template(full), raw)
    matchers = score.build_matchers(score.Spec(learned))
    served: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # template -> [served as /x, as /x/]
    for rec in traffic:
        req, status = rec["request"], int(rec["response"]["statusCode"])
        path = req.get("pathname") or str(req.get("path") or req.get("url") or "").split("?")[0]
        hit = score.match_truth_op(matchers, path, str(req.get("method")).lower())
        if hit is not None and (200 <= status < 300 or (300 <= status < 400 and status not in REDIRECTS)):
            served[hit[0]][len(path) > 1 and path.endswith("/")] += 1
    with_slash = {norm for norm, path in written.items() if path != "/" and path.endswith("/")}
    wrong = sorted(written[norm] for norm, (bare, slashed) in served.items()
                   if not (bare and slashed) and bool(slashed) != (norm in with_slash))
    return {"slashed": sorted(written[norm] for norm in with_slash), "wrong": wrong}


def as_served(traffic: Any) -> Any:
    """Each record as the API serves it and specbuild learns and checks it (specbuild.envelope): a POST that
    names another method (``_method``, ``X-HTTP-Method-Override``) as that method, its envelope members out,
    a tunnelled GET's body members in its query; JSON sent as text/plain as JSON. Other records as they are."""
    from urllib.parse import urlencode

    from specbuild.envelope import unwrap_exchange
    from specbuild.errors import RecordError
    from specbuild.records import decode

    for rec in traffic:
        try:
            ex = decode(rec)
        except RecordError:
            yield rec
            continue
        served = unwrap_exchange(ex)
        if served is ex:
            yield rec
            continue
        query: dict[str, list[str]] = {}
        for k, v in served.query:
            query.setdefault(k, []).append(v)
        body = served.request_body
        text = ("" if body.kind == "empty" else urlencode([(k, v) for k, vs in body.value.items() for v in vs])
                if body.kind == "form" else json.dumps(body.value))
        # the target as a pathname and a query apart (a `path` with `?_method=` in it would be read again)
        yield {**rec, "request": {**rec["request"], "method": served.method, "pathname": served.path,
                                  "query": query, "body": text}}


def plain_json(traffic: Any) -> Any:
    for rec in traffic:
        ctype = str((rec["request"].get("headers") or {}).get("content-type", "")).split(";")[0].strip().lower()
        if not ("json" in ctype and ctype != "application/json"):
            yield rec


def names_in(folder: Path) -> list[str]:
    return sorted(
        p.name[: -len("-a.jsonl.gz")]
        for p in folder.glob("*-a.jsonl.gz")
        if (folder / p.name.replace("-a.jsonl.gz", "-b.jsonl.gz")).exists()
    )


def summary(r: dict[str, Any]) -> str:
    t = r.get("truth")
    f1 = f"paths F1 {t['paths']['f1']:.3f} | ops F1 {t['operations']['f1']:.3f}" if t else "paths F1 - | ops F1 -"
    keys = sum(m["n_id_like"] for m in r["map_keys"]), sum(m["n_differ"] for m in r["map_keys"])
    return (
        f"{f1} | selfcons {r['selfcons']['rate']:.3f} | accept {r['accept']['rate']:.3f}{_wire(r)} | "
        f"build --check breaking {r['gate']['build_check']['breaking']} | "
        f"check breaking {r['gate']['check']['breaking']} | "
        f"(plain-JSON requests: {r['selfcons_plain_json']['rate']:.3f} / {r['accept_plain_json']['rate']:.3f}) | "
        f"{_spanning(r)}"
        f"id enums {len(r['id_enums'])} | map keys id-like {keys[0]} differ {keys[1]}{_slashes(r)}{_mutated(r)}"
    )


def totals(results: Mapping[str, dict[str, Any]]) -> str:
    """One line over every set, against issue 11's targets on real traffic: the servers whose paths or
    operations F1 (where a truth exists) is under 0.95, whose unseen-traffic acceptance is under 0.98, the
    breaking findings each gate raised on an unchanged API (target 0), and the mutations each caught."""
    def named(rows: list[str]) -> str:
        return f"{len(rows)}" + (f" ({', '.join(rows)})" if rows else "")

    f1 = [name.split("/")[-1] for name, r in results.items() if r.get("truth")
          and min(r["truth"]["paths"]["f1"], r["truth"]["operations"]["f1"]) < 0.95]
    accept = [name.split("/")[-1] for name, r in results.items() if r["accept"]["rate"] < 0.98]
    broke = {label: sum(r["gate"][label]["breaking"] for r in results.values()) for label in ("build_check", "check")}
    line = (f"TOTAL {len(results)} sets | paths or ops F1 < 0.95: {named(f1)} | accept < 0.98: "
            f"{named(accept)} | breaking on unchanged traffic: build --check {broke['build_check']}, "
            f"check {broke['check']}")
    mutated = [r["mutations"]["recall"] for r in results.values() if "mutations" in r]
    for label in ("build_check", "check") if mutated else ():
        caught = sum(m[label]["caught"] for m in mutated if label in m)
        asked = sum(m[label]["asked"] for m in mutated if label in m)
        line += f" | mutations {label} caught {caught}/{asked}"
    return line


def _spanning(r: dict[str, Any]) -> str:
    """Where the spec has file paths: the rates with them matched as one or more segments."""
    if "accept_spanning" not in r:
        return ""
    return (f"(x-multiSegment as 1+ segments: {r['selfcons_spanning']['rate']:.3f} / "
            f"{r['accept_spanning']['rate']:.3f}) | ")


def _mutated(r: dict[str, Any]) -> str:
    import mutate

    return "" if "mutations" not in r else " | " + mutate.summary(r["mutations"])


def _slashes(r: dict[str, Any]) -> str:
    s = r.get("slashes")
    return "" if s is None else f" | slashed {len(s['slashed'])} wrong {len(s['wrong'])}"


def _wire(r: dict[str, Any]) -> str:
    """The acceptance of the request lines as sent, where it differs (tunnelled methods: ``as_served``)."""
    wire = r.get("accept_wire")
    return "" if wire is None or wire["rate"] == r["accept"]["rate"] else f" (as sent {wire['rate']:.3f})"


def findings(results: dict[str, dict[str, Any]]) -> str:
    """The concrete failures behind the numbers, per server, as markdown (FINDINGS.md)."""
    lines = ["# Real-traffic findings (scripts/quality.py --realset)", ""]
    for name, r in sorted(results.items()):
        lines += [
            f"## {name}",
            "",
            summary(r),
            "",
            f"exchanges a/b: {r['exchanges']['a']}/{r['exchanges']['b']}; acceptance failures (score.py reasons): "
            f"selfcons {r['selfcons']['failures']}, unseen {r['accept']['failures']}",
            "",
        ]
        if "truth" in r:
            t = r["truth"]
            lines.append(
                f"- paths only learned ({len(t['learned_only'])}): "
                + ", ".join(f"`{p}`" for p in t["learned_only"][:40])
            )
            lines.append(
                f"- truth paths not learned ({len(t['truth_only'])}): " + ", ".join(f"`{p}`" for p in t["truth_only"])
            )
            outside = t.get("outside_truth", [])
            lines.append(f"- learned outside the truth's mount, not scored ({len(outside)}): "
                         + ", ".join(f"`{p}`" for p in outside[:40]))
        for label in ("build_check", "check"):
            for c in r["gate"][label]["breaking_items"]:
                ex = c.get("example") or {}
                seen = f" seen {ex.get('seen')} where {ex.get('expected')} ({ex.get('request')})" if ex else ""
                lines.append(
                    f"- gate {label}: `{c['operation']}` {c['kind']} at `{c.get('pointer') or c.get('subjects')}`"
                    f" {c.get('detail') or ''}{' x' + str(c['count']) if c.get('count') else ''}{seen}"
                )
        for e in r["id_enums"]:
            lines.append(f"- id enum: `{e['where']}` `{e['pointer']}` ({e['n']} values): {e['values']}")
        for m in r["map_keys"]:
            lines.append(
                f"- map keys: `{m['where']}` `{m['pointer']}` id-like {m['id_like']} ({m['n_id_like']}),"
                f" differ in b {m['differ_in_b']} ({m['n_differ']})"
            )
        if "mutations" in r:
            import mutate

            lines += mutate.misses(r["mutations"])
        for path in r.get("slashes", {}).get("wrong", []):
            lines.append(f"- trailing slash: `{path}` is written in a form the -b traffic was never served with")
        lines.append("")
    return "\n".join(lines)
