#!/usr/bin/env python3
"""The CPU a render takes (builder -> OpenAPI document), A/B against another checkout.

    python bench/bench_render.py FILE [FILE...] [--baseline ../main] [--rounds 3] [--renders 2]

For each recordings FILE (JSONL, gzip or not), in a fresh process per checkout and round, in turn so a
busy machine weighs on each alike: fold the file as ``specbuild build -j 1`` does, then render it
--renders times. It prints the render's process CPU seconds (the least of the renders: the machine's
other jobs only add), the fold's, and the document's SHA-256, which must be the same on both sides.
CPU, not wall time: on a shared 2-core machine the wall time of one render varies threefold.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

RENDER = r"""
import hashlib, sys, time
import orjson
import specbuild.run as run
from specbuild.io.jsonl import iter_lines
from specbuild.learn.builder import SpecBuilder
from specbuild.learn.render import render
path, renders = sys.argv[1], int(sys.argv[2])
t = time.process_time()
b = SpecBuilder(); run.Fold(b).feed(iter_lines(path))
fold = time.process_time() - t
spent = []
for _ in range(renders):
    t = time.process_time(); doc = render(b); spent.append(time.process_time() - t)
print(fold, min(spent), hashlib.sha256(orjson.dumps(doc)).hexdigest()[:16])
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--baseline", type=Path, help="another checkout (its native module built) to run in turn")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--renders", type=int, default=2)
    args = ap.parse_args()
    trees = [ROOT, args.baseline.resolve()] if args.baseline else [ROOT]
    for path in args.files:
        seen: dict[Path, list[float]] = {tree: [] for tree in trees}
        for round_no in range(args.rounds):
            for tree in trees:  # the same code, run in each tree: it imports that tree's specbuild
                out = subprocess.run([sys.executable, "-c", RENDER, str(path.resolve()), str(args.renders)],
                                     check=True, capture_output=True, text=True, cwd=tree,
                                     env={**os.environ, "PYTHONPATH": str(tree)})
                fold, spent, digest = out.stdout.split()
                seen[tree].append(float(spent))
                print(json.dumps({"file": path.name, "round": round_no, "tree": str(tree), "fold_cpu_s":
                                  round(float(fold), 2), "render_cpu_s": round(float(spent), 3), "doc": digest}),
                      flush=True)
        print(json.dumps({"file": path.name, "median_render_cpu_s": {str(t): round(statistics.median(v), 3)
                                                                     for t, v in seen.items()}}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
