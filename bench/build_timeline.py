#!/usr/bin/env python3
"""Where a file build's time goes, process by process (issue 15): the serial end of ``-j 2`` and its bound.

    python bench/build_timeline.py FILE [--jobs 2] [--rounds 1] [--events]

Each round builds FILE in a fresh process as ``specbuild build -i FILE -j N`` does (bench/realistic_mix.py's
way), its phases timed where they start and end: the fold of each shard, the merge, each pass of the
render, the validation and the write, in this process, the shard worker, the standby and the render's
forked child. Times are wall (one monotonic clock for every process, from this process's start) and CPU
(each process's own). ``--events`` lists every phase; the summary says:

- ``serial``: this process's CPU from the end of its fold (and the merge) to the file written: the chain
  that no other core shortens; ``critical``: the slower shard's fold CPU and then that chain, what the
  wall time nears on a quiet machine (sharded: the fold before it, the fold's CPU without one);
- ``handover``: wall from the later shard's fold to the merged builder (the worker's parts sent, merged);
- ``total_cpu``: every process's CPU after the imports; ``bound``: total_cpu / cores, the wall time a
  build would take were every phase split evenly over the cores (Amdahl), and the records/s it gives;
- ``idle_core``: the other core's CPU seconds left unused in the build's wall time;
- ``waits``: this process's wall minus its CPU from the merged builder to the file written: the chain
  waiting on the others (the render's forked child, the standby's verdict); by phase, the merges' too, in
  ``wait_s`` (on a busy machine, also the time it was ready to run and not running: read it on a quiet one).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# Runs in the build's process (and, forked, in its children): wrap the phases, log one JSON line per event.
BUILD = r"""
import json, os, resource, sys, time
T0, LOG = float(sys.argv[4]), sys.argv[5]
ROLE = ["parent"]
def log(event, **kw):
    with open(LOG, "a") as fh:
        fh.write(json.dumps({"pid": os.getpid(), "role": ROLE[0], "event": event,
                             "wall": time.perf_counter() - T0, "cpu": time.process_time(), **kw}) + "\n")
def usage(event):
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    log(event, cpu_all=me.ru_utime + me.ru_stime, children=kids.ru_utime + kids.ru_stime, rss=me.ru_maxrss)
log("started")
import specbuild.cli.app  # what the CLI has loaded before it starts
import specbuild.io.validate as validate
import specbuild.learn.render as render
import specbuild.parallel as parallel
import specbuild.run as run
from specbuild.learn.builder import SpecBuilder
from specbuild.learn.paths.templater import PathTemplater
from specbuild.io.jsonl import iter_lines
log("imported")

def wrap(owner, name, label=None):
    inner, depth = getattr(owner, name), [0]
    def timed(*args, **kwargs):
        if depth[0]:  # a recursive pass: its outermost call only
            return inner(*args, **kwargs)
        depth[0] += 1
        log((label or name) + ":start")
        try:
            return inner(*args, **kwargs)
        finally:
            depth[0] -= 1
            log((label or name) + ":end")
    setattr(owner, name, timed)

for name in ("features", "targets", "path_values", "grouped_states", "_rendered_operations", "_rendered_text",
             "share_maps", "share_nulls", "infer_statuses", "tidy", "name_operations", "share_schemas"):
    wrap(render, name)
wrap(PathTemplater, "templates")
wrap(SpecBuilder, "merge")
wrap(SpecBuilder, "merge_parts")
for name, label in (("fold_shard", None), ("check_built_spec", "validate"), ("dumps", "serialise"),
                    ("write_atomic", "write")):
    wrap(run, name, label)

forked_run, stand_by = parallel._run, parallel._stand_by
def child(parent, target, args):  # a shard worker, or the render's (or the standby's) forked child
    ROLE[0] = "worker" if target is not parallel._answer else "forked"
    log("process:start")
    try:
        forked_run(parent, target, args)
    finally:
        if ROLE[0] == "worker":
            args[-1].close(); args[-1].join_thread()  # its parts sent
        usage("process:end")
parallel._run = child
def standby(prepare, conn, parents):
    ROLE[0] = "standby"
    def ready():
        log("ready:start"); prepare(); log("ready:end")
    class Logged:  # the pipe, each task logged as it is read and answered
        closed = False
        def recv(self):
            task = conn.recv()
            log("task:start", task=getattr(getattr(task, "func", task), "__name__", "?"))
            return task
        def send(self, answer):
            log("task:end"); conn.send(answer)
    stand_by(ready, Logged(), parents)
    usage("process:end")
parallel._stand_by = standby

path, out, jobs = sys.argv[1], sys.argv[2], int(sys.argv[3])
import specbuild.learn.collector as collector
held = collector.held() if hasattr(collector, "held") else None  # as the CLI: no collection walks the build
if held is not None:
    held.__enter__()
builder = SpecBuilder(); fold = run.Fold(builder)
log("fold:start")
shards = run.plan_shards(path, jobs)
standby_ = run.validator_standby(shards)
beside = {"elsewhere": parallel.forked} if jobs > 1 else {}
if standby_ is not None:
    beside.update(ready=standby_, elsewhere=parallel.forked)
if shards:
    run.feed_sharded(fold, shards, validator=standby_ is None)
else:
    fold.feed(iter_lines(path))
log("fold:end")
run.ready_standby(standby_, shards)
log("render:start")
doc, text = run.build_serialised(builder, **beside)
run.write_document(doc, out, "json", text)
if standby_ is not None:
    standby_.close()
log("render:end")
usage("process:end")
print(fold.stats.read)
"""

# The passes of the render, in order, as the summary lists them (the others are shown with --events).
PHASES = ("fold_shard", "merge_parts", "features", "templates", "_rendered_operations", "share_maps",
          "share_nulls", "tidy", "share_schemas", "validate", "serialise", "write")


def one_round(path: str, jobs: int, events: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "events.jsonl"
        t0 = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", BUILD, path, tmp, str(jobs), str(t0), str(log)], check=True,
                              capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
        rows = [json.loads(line) for line in log.read_text().splitlines()]
    records = int(done.stdout.split()[-1])
    return summarise(rows, records, jobs, events)


def summarise(rows: list[dict[str, Any]], records: int, jobs: int, events: bool) -> dict[str, Any]:
    rows.sort(key=lambda r: r["wall"])
    opened: dict[tuple[int, str], dict[str, Any]] = {}
    spans: dict[tuple[str, str], list[tuple[float, float, float]]] = defaultdict(list)
    ended: dict[int, dict[str, Any]] = {}
    for row in rows:
        name, _, edge = row["event"].rpartition(":")
        if edge == "start":
            opened[(row["pid"], name)] = row
        elif edge == "end" and (row["pid"], name) in opened:
            first = opened.pop((row["pid"], name))
            spans[(row["role"], name)].append((first["wall"], row["wall"], row["cpu"] - first["cpu"]))
            if events:
                print(f"  {first['wall']:7.3f} {row['wall']:7.3f}  wall {row['wall'] - first['wall']:6.3f}"
                      f"  cpu {row['cpu'] - first['cpu']:6.3f}  {row['role']:8s} {name}")
        if row["event"] == "process:end":
            ended[row["pid"]] = row
    parent = next(r for r in ended.values() if r["role"] == "parent")
    imported = next(r for r in rows if r["event"] == "imported" and r["role"] == "parent")
    # every process's CPU after the imports (a child's CPU is all after them: it is forked after)
    total = parent["cpu_all"] + parent["children"] - imported["cpu"]
    (fold_start, fold_end, parent_fold), = spans[("parent", "fold")]
    (render_start, end, serial), = spans[("parent", "render")]
    waits = end - render_start - serial  # this process's wall in the render that is not its CPU
    serial += sum(cpu for _, _, cpu in spans[("parent", "merge_parts")])  # the merges after this one's fold
    fold_cpu = max((cpu for (_, name), found in spans.items() if name == "fold_shard" for _, _, cpu in found),
                   default=parent_fold)  # one process: its whole fold
    critical = fold_cpu + serial  # the slower shard's fold, then the chain: what a quiet machine's wall nears
    # from the later shard's fold to this process's fold done (the worker's parts sent, merged, joined)
    last_fold = max((b for (_, name), found in spans.items() if name == "fold_shard" for _, b, _ in found),
                    default=fold_end)
    cores = os.cpu_count() or 1
    wall = end - fold_start
    out = {"jobs": jobs, "records": records, "wall_s": round(wall, 3), "records_per_s": round(records / wall),
           "fold_wall_s": round(fold_end - fold_start, 3), "handover_s": round(fold_end - last_fold, 3),
           "serial_cpu_s": round(serial, 3),
           "critical_cpu_s": round(critical, 3), "critical_records_per_s": round(records / critical),
           "total_cpu_s": round(total, 3), "bound_s": round(total / cores, 3),
           "bound_records_per_s": round(records * cores / total), "idle_core_s": round(cores * wall - total, 3),
           "waits_s": round(waits, 3), "rss_mib": round(max(r.get("rss", 0) for r in ended.values()) / 1024, 1)}
    out["cpu_by_process"] = {f"{r['role']}:{pid}": round(r["cpu_all"], 3) for pid, r in sorted(ended.items())}
    phases: dict[str, float] = {}
    for (role, name), found in spans.items():
        if name in PHASES:
            phases[f"{role}:{name}"] = round(sum(cpu for _, _, cpu in found), 3)
    out["phase_cpu_s"] = dict(sorted(phases.items(), key=lambda kv: (PHASES.index(kv[0].split(":")[1]), kv[0])))
    # where this process waited a hundredth of a second or more: a phase's wall beyond its CPU
    waited = {name: round(sum(b - a - cpu for a, b, cpu in found), 3) for (role, name), found in spans.items()
              if role == "parent" and name in PHASES and name != "fold_shard"}
    out["wait_s"] = {name: w for name, w in sorted(waited.items(), key=lambda kv: PHASES.index(kv[0])) if w >= 0.01}
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--events", action="store_true", help="list every phase of every process")
    args = ap.parse_args()
    for _ in range(args.rounds):
        print(json.dumps(one_round(args.file, args.jobs, args.events)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
