#!/usr/bin/env python3
"""Fold speed of the schema inferrer on devset response bodies, against genson and the raw JSON parse.

    python bench/schema_speed.py [--devset ../shared/devset] [--files github-n5000,kubernetes-n5000]
                                 [--repeat 3]

For each file, the JSON response bodies are parsed once up front; then, best of --repeat runs:
  - parse:   orjson.loads of the body texts (the ceiling: nothing is learned);
  - shape:   specbuild.learn.schema.Shape, one per operation and status (templates from the truth spec, as
             the builder would group them), every body folded in, then to_schema();
  - genson:  the same with genson's SchemaBuilder (tests/helpers.py reference_schema).
It prints bodies/s for each and shape's speed-up over genson. Target: >= 40,000 Kubernetes bodies/s.
Skips (exit 0, with the reason) when the devset is not there.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from anywhere, with or without `pip install .`

from specbuild.learn.schema import Shape  # noqa: E402
from tests.helpers import reference_schema  # noqa: E402  (genson, the yardstick)

Groups = dict[tuple[str, str, int], list[Any]]


def templates(truth: Path) -> list[tuple[re.Pattern[str], str]]:
    """The truth spec's path templates as regexes, literal paths first (they win over templates)."""
    paths = sorted(json.loads(truth.read_text()).get("paths", {}), key=lambda p: (p.count("{"), p))
    return [(re.compile("^" + re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(p)) + "/?$"), p) for p in paths]


def operation(path: str, known: list[tuple[re.Pattern[str], str]]) -> str:
    return next((name for rx, name in known if rx.match(path)), path)


def load_bodies(path: Path) -> tuple[list[bytes], Groups]:
    """The JSON response body texts of a devset file, and the parsed bodies grouped by operation, status."""
    texts: list[bytes] = []
    groups: Groups = defaultdict(list)
    truth = path.with_name(path.name.replace(".jsonl.gz", ".truth.json"))
    known = templates(truth) if truth.is_file() else []
    with gzip.open(path, "rb") as fh:
        for line in fh:
            rec = orjson.loads(line)
            body = rec.get("response", {}).get("body")
            if not body:
                continue
            text = body.encode() if isinstance(body, str) else orjson.dumps(body)
            try:
                value = orjson.loads(text)
            except orjson.JSONDecodeError:
                continue
            texts.append(text)
            req = rec["request"]
            where = operation(str(req.get("path") or req.get("pathname") or "").split("?")[0], known)
            groups[(where, str(req.get("method", "")).upper(),
                    int(rec["response"].get("statusCode", 0)))].append(value)
    return texts, groups


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def fold_shapes(groups: Groups) -> None:
    for bodies in groups.values():
        shape = Shape()
        for body in bodies:
            shape.add(body)
        shape.to_schema()


def fold_genson(groups: Groups) -> None:
    for bodies in groups.values():
        reference_schema(bodies)


def parse(texts: list[bytes]) -> None:
    loads = orjson.loads
    for text in texts:
        loads(text)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--devset", type=Path, default=ROOT.parent / "shared" / "devset")
    ap.add_argument("--files", default="github-n5000,kubernetes-n5000")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if not args.devset.is_dir():
        print(f"skipped: no devset at {args.devset} (the shared checkout ../shared is absent)")
        return 0
    print(f"{'file':<20} {'bodies':>7} {'parse/s':>10} {'shape/s':>10} {'genson/s':>10} {'shape/genson':>13}")
    for name in args.files.split(","):
        path = args.devset / f"{name}.jsonl.gz"
        if not path.is_file():
            print(f"{name:<20} skipped: {path} not found")
            continue
        texts, groups = load_bodies(path)
        n = len(texts)
        t_parse = best(partial(parse, texts), args.repeat)
        t_shape = best(partial(fold_shapes, groups), args.repeat)
        t_genson = best(partial(fold_genson, groups), max(1, args.repeat // 2))
        print(f"{name:<20} {n:>7} {n / t_parse:>10,.0f} {n / t_shape:>10,.0f} {n / t_genson:>10,.0f}"
              f" {t_genson / t_shape:>12.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
