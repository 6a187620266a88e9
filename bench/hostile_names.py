#!/usr/bin/env python3
"""Invented names against a normal replay: does `specbuild build` stay bounded when every record of a
200k replay brings its own query names, header names and path words? (issue 16)

    python bench/hostile_names.py [--devset ../shared/devset] [--api kubernetes] [--records 200000]

It writes two JSONL files of --records records each (the devset n5000 file repeated, as
bench_build.py does): the normal one, and the same records with every query name, every header name
(but content-type and host, so the bodies are still read as they were) and every path word (a
segment of letters only) replaced by a random name per record. Each is built by `specbuild build -i
FILE` in a fresh process; records/s and the peak RSS of that run (its largest process, from
getrusage(RUSAGE_CHILDREN) of a fresh wrapper) are printed, then the ratios hostile/normal against
the targets: peak RSS <= 2 x, time <= 3 x. A hostile build running past --give-up times the
normal one is stopped and reported as failing the time target.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import signal
import string
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parent.parent
RSS_TARGET, TIME_TARGET = 2.0, 3.0
KEEP_HEADERS = frozenset({"content-type", "host"})
VARY = frozenset({"query", "headers", "path"})
WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")

# A fresh wrapper per run: RUSAGE_CHILDREN's ru_maxrss is then the largest process of that one build
# (the CLI and its shard workers), not of an earlier run.
WRAP = r"""
import resource, subprocess, sys, time
t = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
dt = time.perf_counter() - t
print(dt, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def _name(rnd: random.Random, low: int = 4, high: int = 14) -> str:
    return "".join(rnd.choices(string.ascii_lowercase, k=rnd.randint(low, high)))


def _headers(headers: Any, rnd: random.Random) -> Any:
    if not isinstance(headers, dict):
        return headers
    return {(k if k.lower() in KEEP_HEADERS else "x-" + _name(rnd)): v for k, v in headers.items()}


def hostile(line: bytes, rnd: random.Random, vary: frozenset[str] = VARY) -> bytes:
    """The record with its query names, header names and path words invented (those in ``vary``)."""
    rec = orjson.loads(line)
    req, resp = rec["request"], rec["response"]
    if "path" in vary:
        path = req.get("pathname") or req.get("path") or "/"
        words = "/".join(_name(rnd) if WORD.fullmatch(seg) else seg for seg in path.split("/"))
        req["pathname" if "pathname" in req else "path"] = words
    if "query" in vary and isinstance(req.get("query"), dict):
        req["query"] = {_name(rnd): v for v in req["query"].values()}
    if "headers" in vary:
        req["headers"] = _headers(req.get("headers"), rnd)
        resp["headers"] = _headers(resp.get("headers"), rnd)
    return orjson.dumps(rec)


def build(path: Path, out: Path, jobs: int, limit: float | None) -> tuple[float, int] | None:
    """Seconds and peak RSS (KiB) of one build; None when it ran past ``limit`` seconds (then stopped)."""
    cmd = [sys.executable, "-m", "specbuild", "build", "-i", str(path), "-o", str(out), "-q", "-j", str(jobs)]
    with subprocess.Popen([sys.executable, "-c", WRAP, *cmd], stdout=subprocess.PIPE, text=True, cwd=ROOT,
                          start_new_session=True) as proc:
        try:
            stdout, _ = proc.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # its own session: the build and its workers, nothing else
            proc.communicate()
            return None
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode})")
    seconds, rss = stdout.split()
    return float(seconds), int(rss)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--devset", default=str(ROOT.parent / "shared" / "devset"))
    ap.add_argument("--api", default="kubernetes", help="devset API whose n5000 file is repeated")
    ap.add_argument("--records", type=int, default=200_000)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="as specbuild --jobs (1: one process)")
    ap.add_argument("--give-up", type=float, default=3 * TIME_TARGET,
                    help="stop the hostile build after this many times the normal build's time")
    ap.add_argument("--vary", default=",".join(sorted(VARY)),
                    help="what is invented per record (to tell the costs apart): query,headers,path")
    args = ap.parse_args()
    vary = frozenset(args.vary.split(","))
    src = Path(args.devset) / f"{args.api}-n5000.jsonl.gz"
    if not src.exists():
        print(f"skipped: {src} not found (the devset lives in ../shared, beside a development clone)")
        return 0
    lines = [ln for ln in gzip.decompress(src.read_bytes()).splitlines() if ln.strip()]
    rnd = random.Random(16)
    figures: dict[str, tuple[float, int]] = {}
    limit: float | None = None
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("normal", "hostile"):
            path = Path(tmp) / f"{kind}.jsonl"
            with open(path, "wb") as fh:
                for i in range(args.records):
                    line = lines[i % len(lines)]
                    fh.write((hostile(line, rnd, vary) if kind == "hostile" else line) + b"\n")
            out = Path(tmp) / f"out-{kind}"
            got = build(path, out, args.jobs, limit)
            if got is None:
                print(json.dumps({"input": kind, "records": args.records, "stopped_after_s": round(limit or 0, 1),
                                  "time_ok": False, "note": f"over {args.give_up} x the normal run"}))
                return 1
            seconds, rss = figures[kind] = got
            limit = args.give_up * seconds
            doc = json.loads((out / "openapi.json").read_text())
            print(json.dumps({"input": kind, "records": args.records, "seconds": round(seconds, 2),
                              "records_per_s": round(args.records / seconds),
                              "peak_rss_mib": round(rss / 1024, 1), "paths": len(doc["paths"])}))
    (t_n, rss_n), (t_h, rss_h) = figures["normal"], figures["hostile"]
    rss_ratio, time_ratio = rss_h / rss_n, t_h / t_n
    print(json.dumps({"rss_ratio": round(rss_ratio, 2), "rss_target": RSS_TARGET, "rss_ok": rss_ratio <= RSS_TARGET,
                      "time_ratio": round(time_ratio, 2), "time_target": TIME_TARGET,
                      "time_ok": time_ratio <= TIME_TARGET}))
    return 0 if rss_ratio <= RSS_TARGET and time_ratio <= TIME_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
