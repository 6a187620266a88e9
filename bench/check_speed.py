#!/usr/bin/env python3
"""Speed and memory of `specbuild check` on a devset file.

    python bench/check_speed.py [--devset ../shared/devset] [--api kubernetes] [--sizes 20000,200000]
                                [--spec truth|learned] [--jobs 1]

For each size it writes a JSONL file of that many records (the devset n5000 file repeated), then runs,
each in a fresh process so peak RSS is that run's alone, the loop `specbuild check` runs: read lines,
decode each record, check it against the spec, and render the report. The spec is the devset truth
spec (a spec people wrote, $refs resolved) or one learned from the same file (`--spec learned`,
learned in the parent and written to a temp file). Loading and validating the spec is timed apart:
it is paid once per run, whatever the traffic.

It prints records/s, peak RSS, and the RSS ratio between the sizes.
Targets (issue 4): >= 30,000 records/s; memory independent of the number of records.
Without ../shared/devset it says so and exits 0.
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 30_000

RUN = r"""
import json, resource, sys, time
from specbuild.cli.drift import auto_jobs, load_spec, run_check
from specbuild.drift.report import CheckReport, render_check
traffic, spec_path, jobs = sys.argv[1], sys.argv[2], int(sys.argv[3])
jobs = jobs or auto_jobs(traffic)
t0 = time.perf_counter()
spec = load_spec(spec_path)
t1 = time.perf_counter()
outcome = run_check(traffic, spec, jobs=jobs)
report = CheckReport(outcome.findings, outcome.stats, spec_path, "breaking", dict(outcome.skipped))
text = render_check(report, "json")
t2 = time.perf_counter()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if jobs > 1:
    rss = max(rss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(json.dumps({"records": outcome.stats.exchanges, "load": t1 - t0, "check": t2 - t1, "rss_kb": rss,
                  "findings": len(outcome.findings), "jobs": jobs}))
"""


def run(traffic: Path, spec: Path, jobs: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", RUN, str(traffic), str(spec), str(jobs)], check=True,
                         capture_output=True, text=True, cwd=ROOT)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def write_sizes(source: Path, sizes: list[int], folder: Path) -> dict[int, Path]:
    with gzip.open(source) as fh:
        lines = [line for line in fh.read().splitlines() if line.strip()]
    files = {}
    for size in sizes:
        path = folder / f"traffic-{size}.jsonl"
        with path.open("wb") as out:
            for i in range(size):
                out.write(lines[i % len(lines)] + b"\n")
        files[size] = path
    return files


def learned_spec(source: Path, folder: Path) -> Path:
    sys.path.insert(0, str(ROOT))
    from specbuild import build_spec
    from specbuild.errors import RecordError
    from specbuild.records import decode

    exchanges = []
    with gzip.open(source) as fh:
        for number, line in enumerate(fh, 1):
            try:
                exchanges.append(decode(line, f"{source.name}:{number}"))
            except RecordError:
                continue
    path = folder / "learned.json"
    path.write_text(json.dumps(build_spec(exchanges)))
    return path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--devset", type=Path, default=ROOT.parent / "shared" / "devset")
    ap.add_argument("--api", default="kubernetes")
    ap.add_argument("--sizes", default="20000,200000")
    ap.add_argument("--spec", choices=("truth", "learned"), default="truth")
    ap.add_argument("--jobs", type=int, default=0, help="worker processes, as `check --jobs` (0: what "
                    "check picks when --jobs is left out)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per size; the best is reported (the "
                    "machine is shared: the best run is the one least disturbed)")
    args = ap.parse_args()
    source = args.devset / f"{args.api}-n5000.jsonl.gz"
    if not source.exists():
        print(f"skipped: {source} not found (the devset lives in ../shared/devset)")
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = write_sizes(source, sizes, folder)
        spec = learned_spec(source, folder) if args.spec == "learned" \
            else args.devset / f"{args.api}-n5000.truth.json"
        results = {}
        print(f"check: {args.api}-n5000 x N against the {args.spec} spec, --jobs {args.jobs or 'auto'}, "
              f"best of {args.repeat}")
        for size in sizes:
            runs = [run(files[size], spec, args.jobs) for _ in range(args.repeat)]
            r = results[size] = min(runs, key=lambda x: x["check"])
            rate = r["records"] / r["check"]
            median = sorted(x["records"] / x["check"] for x in runs)[len(runs) // 2]
            print(f"  {size:>8,} records: {rate:>9,.0f} records/s (median {median:,.0f}; {r['check']:.2f} s; "
                  f"spec load {r['load']:.2f} s; jobs {r['jobs']:.0f})  peak RSS {r['rss_kb'] / 1024:.0f} MB  "
                  f"findings {r['findings']:.0f}  {'OK' if rate >= TARGET else 'below'} the {TARGET:,}/s target")
        if len(sizes) > 1:
            small, big = results[min(sizes)], results[max(sizes)]
            print(f"  RSS {max(sizes):,} / {min(sizes):,} records: {big['rss_kb'] / small['rss_kb']:.2f}x "
                  "(memory independent of the record count: ~1.0x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
