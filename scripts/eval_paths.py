#!/usr/bin/env python3
"""Path-template quality on the devset: precision/recall/F1 per file, holdout coverage, observe() speed.

    python scripts/eval_paths.py [--devset ../shared/devset] [-v] [--features union|core|none]

Raw paths come from the recorded requests, decoded as specbuild decodes them; truth templates are the
``paths`` of the matching ``*.truth.json`` (behind the path of ``servers[0]``), compared with parameter
names erased, as ``score.py`` does. Features (methods and response property paths, as the builder
passes them) are computed here from the traffic, so this runs without the rest of the pipeline:
``union`` = every property path seen in a 2xx JSON response of the key; ``core`` = only those present
in at least half of them (random extra properties and map keys drop out).
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from specbuild.errors import RecordError
from specbuild.learn.paths.templater import PathTemplater, Template
from specbuild.records import Exchange, decode

DEFAULT_DEVSET = Path(__file__).resolve().parent.parent.parent / "shared" / "devset"
LEARN = ("github-n5000", "github-n200", "github-live1000",
         "kubernetes-n5000", "kubernetes-n200", "kubernetes-live1000")
PARAM = re.compile(r"\{[^}]*\}")


def exchanges(path: Path) -> Iterator[Exchange]:
    with gzip.open(path, "rb") as fh:
        for n, line in enumerate(fh, 1):
            try:
                yield decode(line, f"{path.name}:{n}")
            except RecordError:
                continue


def property_paths(value: Any, prefix: str, depth: int, out: set[str]) -> None:
    """Flattened property paths (``items[].owner.login``) as the builder reports them as features."""
    if isinstance(value, list):
        for item in value:
            property_paths(item, prefix + "[]", depth, out)
        return
    if not isinstance(value, dict) or depth < 0:
        return
    for name, sub in value.items():
        path = f"{prefix}.{name}" if prefix else name
        out.add(path)
        property_paths(sub, path, depth - 1, out)


def learn(name: str, devset: Path, mode: str = "union") -> tuple[PathTemplater, dict[str, Template],
                                                                 list[str]]:
    """Observe every exchange of a devset file; templates decided with features of ``mode``."""
    templater = PathTemplater()
    methods: dict[str, set[str]] = defaultdict(set)
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    bodies: Counter[str] = Counter()
    raw_paths = []
    for ex in exchanges(devset / f"{name}.jsonl.gz"):
        key = templater.observe(ex.path)
        raw_paths.append(ex.path)
        methods[key].add(ex.method)
        if 200 <= ex.status < 300 and ex.response_body.kind == "json":
            found: set[str] = set()
            property_paths(ex.response_body.value, "", 2, found)
            seen[key].update(found)
            bodies[key] += 1
    if mode == "none":
        return templater, templater.templates(None), raw_paths
    least = 0.5 if mode == "core" else 0.0
    features = {k: frozenset(m | {p for p, n in seen[k].items() if n >= least * bodies[k]})
                for k, m in methods.items()}
    return templater, templater.templates(features), raw_paths


def truth_paths(name: str, devset: Path) -> set[str]:
    doc = orjson.loads((devset / f"{name}.truth.json").read_bytes())
    base = ""
    servers = doc.get("servers") or []
    if servers and isinstance(servers[0].get("url"), str):
        base = urlsplit(servers[0]["url"]).path.rstrip("/")
    return {PARAM.sub("{}", base + p) for p in doc.get("paths", {})}


def prf(truth: set[str], learned: set[str]) -> tuple[float, float, float]:
    tp = len(truth & learned)
    p = tp / len(learned) if learned else 1.0
    r = tp / len(truth) if truth else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--devset", type=Path, default=DEFAULT_DEVSET)
    ap.add_argument("-v", "--verbose", action="store_true", help="list wrong and missing templates")
    ap.add_argument("--features", choices=("union", "core", "none"), default="union",
                    help="what the builder passes as evidence (default: union, as spec.features does)")
    args = ap.parse_args()
    if not args.devset.is_dir():
        print(f"skipped: no devset at {args.devset} (it lives in ../shared/devset beside the repo)")
        return 0
    learned_by_name: dict[str, dict[str, Template]] = {}
    print(f"{'file':22} {'P':>6} {'R':>6} {'F1':>6}  templates  truth  keys  templates()")
    f1s = []
    for name in LEARN:
        start = time.perf_counter()
        templater, templates, _ = learn(name, args.devset, args.features)
        t0 = time.perf_counter()
        templater.templates(None)
        decide_s = time.perf_counter() - t0
        learned_by_name[name] = templates
        learned = {PARAM.sub("{}", t.path) for t in templates.values()}
        truth = truth_paths(name, args.devset)
        p, r, f = prf(truth, learned)
        f1s.append(f)
        print(f"{name:22} {p:6.3f} {r:6.3f} {f:6.3f}  {len(learned):9d}  {len(truth):5d}  "
              f"{len(templates):4d}  {decide_s * 1000:8.1f} ms   ({time.perf_counter() - start:.1f}s)")
        if args.verbose:
            for path in sorted(learned - truth):
                print(f"    extra   {path}")
            for path in sorted(truth - learned):
                print(f"    missing {path}")
    print(f"{'mean F1':22} {'':6} {'':6} {sum(f1s) / len(f1s):6.3f}")
    print("share of the unseen holdout paths that match a learned template:")
    for name in LEARN:
        holdout = name.split("-")[0] + "-holdout"
        matched, total = holdout_coverage(holdout, learned_by_name[name], args.devset)
        print(f"  {name:22} -> {holdout:20} {matched:5d}/{total} = {matched / total:.3f}")
    speed(args.devset)
    return 0


def holdout_coverage(holdout: str, templates: dict[str, Template], devset: Path) -> tuple[int, int]:
    unique = {t.path: t for t in templates.values()}.values()
    by_len: dict[int, list[Template]] = defaultdict(list)
    for t in unique:
        by_len[t.path.count("/")].append(t)
    matched = total = 0
    for ex in exchanges(devset / f"{holdout}.jsonl.gz"):
        total += 1
        if any(t.match(ex.path) is not None for t in by_len[ex.path.count("/")]):
            matched += 1
    return matched, total


def speed(devset: Path) -> None:
    paths = [ex.path for ex in exchanges(devset / "github-n5000.jsonl.gz")]
    paths += [ex.path for ex in exchanges(devset / "kubernetes-n5000.jsonl.gz")]
    templater = PathTemplater()
    t0 = time.perf_counter()
    for p in paths:
        templater.observe(p)
    first = (time.perf_counter() - t0) / len(paths) * 1e6
    t0 = time.perf_counter()
    for _ in range(5):
        for p in paths:
            templater.observe(p)
    cached = (time.perf_counter() - t0) / (5 * len(paths)) * 1e6
    print(f"observe(): {first:.2f} µs/path on first sight ({len(set(paths))} distinct of {len(paths)}), "
          f"{cached:.2f} µs/path cached")


if __name__ == "__main__":
    sys.exit(main())
