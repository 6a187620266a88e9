#!/usr/bin/env python3
"""File-replay speed and memory of `specbuild build`, against the raw JSON parse of the same records.

    python bench/bench_build.py [--devset ../shared/devset] [--api kubernetes] [--sizes 20000,200000]

For each size it writes a JSONL file of that many records (the devset n5000 file repeated), then runs,
each in a fresh process so peak RSS is that run's alone:
  - raw:       read the lines and orjson.loads each record (the ceiling: nothing is learned);
  - specbuild: the same lines through decode + SpecBuilder + render + validate + write, sharded over
    --jobs processes as `specbuild build -i FILE` does (peak RSS is the largest of the processes).
It prints records/s for both, their ratio, and peak RSS; then the RSS ratio between the sizes.
Targets (issue 2): >= 50,000 records/s, ratio >= 0.25, RSS(200k) <= 1.3 x RSS(20k).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

RAW = r"""
import orjson, resource, sys, time
path = sys.argv[1]
t = time.perf_counter(); n = 0
with open(path, "rb") as fh:
    for line in fh:
        orjson.loads(line); n += 1
dt = time.perf_counter() - t
print(n, dt, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

BUILD = r"""
import os, resource, sys, time
import specbuild.cli.app  # what the CLI has loaded before it starts (the validator among it)
from specbuild.learn.builder import SpecBuilder
from specbuild.run import Fold, build_document, feed_sharded, plan_shards, write_document
from specbuild.io.jsonl import iter_lines
path, out, jobs = sys.argv[1], sys.argv[2], int(sys.argv[3])
t = time.perf_counter()
b = SpecBuilder(); fold = Fold(b)
shards = plan_shards(path, jobs)          # what `specbuild build -i FILE` does
if shards:
    feed_sharded(fold, shards)
else:
    fold.feed(iter_lines(path))
doc = build_document(b)
write_document(doc, out)
dt = time.perf_counter() - t
rss = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(fold.stats.read, dt, rss, len(doc["paths"]), len(shards) or 1)
"""


def run(code: str, *args: str) -> list[float]:
    out = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, text=True,
                         cwd=ROOT)
    return [float(x) for x in out.stdout.split()]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--devset", default=str(ROOT.parent / "shared" / "devset"))
    ap.add_argument("--api", default="kubernetes", help="devset API whose n5000 file is repeated")
    ap.add_argument("--sizes", default="20000,200000")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="as specbuild --jobs (1: one process)")
    args = ap.parse_args()
    src = Path(args.devset) / f"{args.api}-n5000.jsonl.gz"
    if not src.exists():
        print(f"skipped: {src} not found (the devset lives in ../shared, beside a development clone)")
        return 0
    lines = [ln for ln in gzip.decompress(src.read_bytes()).splitlines() if ln.strip()]
    rss: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            path = Path(tmp) / f"{args.api}-{size}.jsonl"
            with open(path, "wb") as fh:
                for i in range(size):
                    fh.write(lines[i % len(lines)] + b"\n")
            n_raw, t_raw, _ = run(RAW, str(path))
            n, t_b, maxrss, paths, procs = run(BUILD, str(path), str(Path(tmp) / "out"), str(args.jobs))
            raw_rate, rate = n_raw / t_raw, n / t_b
            rss[size] = maxrss
            print(json.dumps({"api": args.api, "records": int(n), "raw_parse_rps": round(raw_rate),
                              "specbuild_rps": round(rate), "ratio": round(rate / raw_rate, 3),
                              "peak_rss_mib": round(maxrss / 1024, 1), "paths": int(paths),
                              "processes": int(procs)}))
    sizes = sorted(rss)
    if len(sizes) >= 2:
        print(json.dumps({"rss_ratio": round(rss[sizes[-1]] / rss[sizes[0]], 3),
                          "of": f"{sizes[-1]} vs {sizes[0]} records"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
