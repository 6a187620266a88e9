#!/usr/bin/env python3
"""Kafka end-to-end speed: raw confluent-kafka consume against `specbuild --source kafka --until-end`.

    python bench/bench_kafka.py [--records 200000] [--bootstrap HOST:PORT] [--broker apache|tansu]
                                [--devset ../shared/devset] [--api kubernetes] [--partitions 3]
                                [--specs DIR [--mix FILE]] [--state local|kafka] [--rounds 1] [--timeline]

It produces N records into a fresh topic (the devset's <api>-n5000 file repeated; without ../shared,
fixtures/users.jsonl repeated; with --specs, bench/realistic_mix.py's mix of N records: JSON and form
bodies, >= 1 KB, kept in --mix when given), then, each in a fresh process and each in a fresh consumer group:
  - raw:       subscribe, consume(num_messages=...) until every partition reports EOF (nothing learned),
               with the consumer settings specbuild runs with (client.consumer_config: its fetch and
               queue sizes), before and after each specbuild run, at least RAW_RUNS times: the fastest is
               the ceiling (one run alone ranged 68k-116k/s on the 100k mix: the group join and a busy
               machine; every run is printed);
  - specbuild: `python -m specbuild --source kafka --until-end -o DIR` (one member; --state kafka: its
               states committed to a state topic in transactions), from process start to spec written,
               --rounds times (the fastest is the figure; every run is printed);
  - file:      `python -m specbuild -i FILE -o DIR` of the same records (what Kafka adds, told apart from
               what the fold costs).
It prints both rates, their ratio and specbuild's peak RSS (its own or a fold worker's, the larger).
``--timeline`` (``--state local``) runs specbuild once more, untimed, with bench/timeline/sitecustomize.py: each
process's steps (the member's follow, join, first batch, loop, last sync, render, validation, state; the fold
worker's merge and encode; the standby; the render's child) as wall seconds from the start and CPU seconds,
its CPU and peak RSS (MiB); bench/build_timeline.py gives a file replay's to compare.
Targets: issue 3 (the devset): >= 40,000 records/s end-to-end and >= 0.5 of the raw consume rate;
issue 15 (the realistic mix, --specs): >= 0.4 of the raw consume rate.
Without --bootstrap (or SPECBUILD_TEST_BOOTSTRAP) it starts a broker with tests/brokers.py and stops it.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from confluent_kafka.admin import AdminClient, NewTopic  # noqa: E402

from specbuild.kafka.client import consumer_config  # noqa: E402
from tests import brokers  # noqa: E402

RAW_RUNS = 3  # raw consumes at least, the fastest taken

RAW = r"""
import sys, time, uuid
from confluent_kafka import Consumer, KafkaError
bootstrap, topic, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
settings = dict(kv.split("=", 1) for kv in sys.argv[4:])
t = time.perf_counter()
c = Consumer({**settings, "bootstrap.servers": bootstrap, "group.id": f"raw-{topic}-{uuid.uuid4().hex[:8]}",
              "auto.offset.reset": "earliest"})
c.subscribe([topic])
got, eof, assigned = 0, set(), None
while True:
    for m in c.consume(num_messages=4096, timeout=0.5):
        e = m.error()
        if e is None:
            m.value(); got += 1
        elif e.code() == KafkaError._PARTITION_EOF:
            eof.add(m.partition())
    if got >= n and len(eof) >= len(c.assignment()) > 0:
        break
dt = time.perf_counter() - t
c.close()
print(got, dt)
"""


def write_records(devset: Path, api: str, n: int, path: Path) -> tuple[int, float, str]:
    """Write the N records to ``path``; (count, mean size, what they are)."""
    src = devset / f"{api}-n5000.jsonl.gz"
    if src.exists():
        with gzip.open(src) as fh:
            lines = [ln for ln in fh.read().splitlines() if ln.strip()]
        what = f"{src.name} repeated"
    else:
        lines = [ln for ln in (ROOT / "fixtures" / "users.jsonl").read_bytes().splitlines() if ln.strip()]
        what = f"fixtures/users.jsonl repeated ({src} not found)"
    total = 0
    with open(path, "wb") as out:
        for i in range(n):
            line = lines[i % len(lines)]
            total += len(line)
            out.write(line + b"\n")
    return n, total / n, what


def mix_records(specs: Path, n: int, kept: Path | None, path: Path) -> tuple[int, float, str]:
    """realistic_mix.py's mix, its first ``n`` records written to ``path`` (the whole mix kept in ``kept``
    when given, and reused when it is there).

    Made in a child process and copied a line at a time: this process stays small. Linux counts the memory
    of the process that starts a child in the child's peak RSS (exec records the old address space's peak),
    so a bench that had held the mix's 200 MB (with its copies: ~600 MiB) reported that as specbuild's."""
    source = kept or path
    if not source.exists():
        subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; "
                        "from realistic_mix import write_mix; write_mix(Path(sys.argv[1]), int(sys.argv[2]), "
                        "Path(sys.argv[3]))", str(specs), str(n), str(source)],
                       check=True, cwd=ROOT / "bench")
    count = size = 0
    with source.open("rb") as fh, contextlib.ExitStack() as stack:
        out = stack.enter_context(path.open("wb")) if source != path else None
        for line in fh:
            if count == n:
                break
            if not line.strip():
                continue
            line = line.rstrip(b"\n")
            count += 1
            size += len(line)
            if out is not None:
                out.write(line + b"\n")
    if count < n:
        raise SystemExit(f"{source} holds {count:,} records, fewer than --records {n:,}")
    return n, size / n, f"bench/realistic_mix.py's mix ({specs})"


@contextlib.contextmanager
def broker(bootstrap: str | None, kind: str | None) -> Iterator[tuple[str, str]]:
    if bootstrap:
        yield bootstrap, kind or "given"
        return
    b = brokers.start_broker(kind or brokers.default_kind())
    try:
        yield b.bootstrap, b.kind
    finally:
        b.stop()


def make_topic(bootstrap: str, partitions: int) -> str:
    topic = f"bench-{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for fut in admin.create_topics([NewTopic(topic, partitions, 1)]).values():
        fut.result(30)
    return topic


PRODUCE = r"""
import sys, time
from confluent_kafka import Producer
bootstrap, topic, path = sys.argv[1:4]
values = open(path, "rb").read().splitlines()
p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 20, "batch.size": 1_000_000,
              "compression.type": "lz4", "queue.buffering.max.messages": 500_000})
t = time.perf_counter()
for v in values:
    while True:
        try:
            p.produce(topic, v)
            break
        except BufferError:
            p.poll(0.05)
left = p.flush(120)
if left:
    raise SystemExit(f"{left} records not delivered")
print(len(values) / (time.perf_counter() - t))
"""


def run_timed(cmd: list[str]) -> tuple[str, float, int]:
    """Run ``cmd``; its stdout, wall seconds and peak RSS in KiB (from wait4: this child only)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=ROOT,
                                env={**os.environ, "PYTHONPATH": str(ROOT)})
        _, status, usage = os.wait4(proc.pid, 0)
        dt = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode:
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err.read().decode()[-3000:]}")
        return out.read().decode(), dt, usage.ru_maxrss


def timeline(cmd: list[str], folder: Path) -> None:
    """Run ``cmd`` with the step instrument (bench/timeline) and print each process's steps."""
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'bench' / 'timeline'}{os.pathsep}{ROOT}",
           "SPECBUILD_BENCH_TIMELINE": str(folder), "SPECBUILD_BENCH_TIMELINE_LOCAL": "1"}
    start = time.time()
    subprocess.run(cmd, check=True, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    print(f"timeline ({time.time() - start:.2f} s wall; step@start-end/CPU s; counted steps: calls, wall, CPU):")
    for path in sorted(folder.glob("*.jsonl"), key=lambda p: p.stat().st_mtime):
        events = [json.loads(line) for line in path.read_text().splitlines()]
        role = next((e["role"] for e in events if e["ev"] == "forked"), "member")
        print(f"  {role} ({events[-1]['cpu']:.2f} CPU s, peak {events[-1].get('hwm', 0)} MiB):")
        print("    " + " ".join(steps(events, start)))


def steps(events: list[dict[str, Any]], start: float) -> list[str]:
    """``name@start-end/cpu`` per step (``name@t`` for a moment), and the counted ones at the end."""
    out: list[str] = []
    opened: dict[str, tuple[float, float]] = {}
    for e in events:
        name, t, cpu = e["ev"], e["t"] - start, e["cpu"]
        if name.endswith("+"):
            opened[name[:-1]] = (t, cpu)
        elif name.endswith("-") and name[:-1] in opened:
            t0, c0 = opened.pop(name[:-1])
            out.append(f"{name[:-1]}@{t0:.2f}-{t:.2f}/{cpu - c0:.2f}")
        elif name in ("atexit", "exit"):
            out += [f"[{k}: {n}, {w:.2f} s, {c:.2f}]" for k, (n, w, c) in (e.get("counts") or {}).items()]
        elif name not in ("start", "forked"):
            out.append(f"{name}@{t:.2f}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=200_000)
    ap.add_argument("--bootstrap", default=os.environ.get("SPECBUILD_TEST_BOOTSTRAP"))
    ap.add_argument("--broker", choices=brokers.KINDS, default=None, help="kind to start (default: "
                    "SPECBUILD_TEST_BROKER, else apache when java and mvn are there)")
    ap.add_argument("--devset", default=str(ROOT.parent / "shared" / "devset"))
    ap.add_argument("--api", default="kubernetes")
    ap.add_argument("--partitions", type=int, default=3)
    ap.add_argument("--specs", type=Path, help="realistic_mix.py's folder of API descriptions: its mix, not the devset")
    ap.add_argument("--mix", type=Path, help="with --specs: keep the mix here (reused when it is there)")
    ap.add_argument("--state", choices=("local", "kafka"), default="local")
    ap.add_argument("--rounds", type=int, default=1, help="specbuild runs, each between two raw consumes")
    ap.add_argument("--timeline", action="store_true", help="then one more run, its steps per process printed")
    args = ap.parse_args()
    # The records go through a file and a child process: a bench process holding them all would make
    # every child it forks start with (and report) that much resident memory.
    with broker(args.bootstrap, args.broker) as (bootstrap, kind), tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "records.jsonl"
        if args.specs:
            n, size, what = mix_records(args.specs, args.records, args.mix, data)
        else:
            n, size, what = write_records(Path(args.devset), args.api, args.records, data)
        topic = make_topic(bootstrap, args.partitions)
        print(f"broker {kind} at {bootstrap}; topic {topic} ({args.partitions} partitions); "
              f"{n:,} records of {what}, {size:,.0f} B on average")
        out, _, _ = run_timed([sys.executable, "-c", PRODUCE, bootstrap, topic, str(data)])
        print(f"produce:   {float(out):>10,.0f} records/s (lz4)")
        extra = [f"{k}={v}" for k, v in brokers.consumer_overrides(kind).items()]
        # what specbuild's consumer runs with, but the group and where to start (each raw run has its own)
        same = {k: v for k, v in consumer_config(bootstrap, "raw", "earliest", extra).items()
                if k not in ("bootstrap.servers", "group.id", "auto.offset.reset")}

        def raw() -> float:
            out, _, _ = run_timed([sys.executable, "-c", RAW, bootstrap, topic, str(n),
                                   *(f"{k}={v}" for k, v in same.items())])
            n_raw, t_raw = out.split()
            return int(n_raw) / float(t_raw)

        def command(i: int) -> list[str]:
            cmd = [sys.executable, "-m", "specbuild", "--source", "kafka", "-b", bootstrap, "--topic", topic,
                   "-g", f"specbuild-{topic}-{i}", "--until-end", "-o", str(Path(tmp) / f"out{i}"), "-q",
                   "--state", args.state]
            for kv in extra:
                cmd += ["-X", kv]
            return cmd

        def build(i: int) -> tuple[float, int]:
            _, t_sb, rss = run_timed(command(i))
            return t_sb, rss

        # The first read of a fresh topic is often the slowest (the broker warms up), and one run's group join
        # and the machine's other work move a second's consume by a third: raw runs before and after each
        # specbuild run, and the fastest of them is the ceiling the ratio is taken to.
        raws = [raw()]
        builds = []
        for i in range(max(1, args.rounds)):
            builds.append(build(i))
            raws.append(raw())
        while len(raws) < RAW_RUNS:
            raws.append(raw())
        _, t_file, _ = run_timed([sys.executable, "-m", "specbuild", "-i", str(data), "-o", str(Path(tmp) / "file"),
                                  "-q"])
        raw_rate = max(raws)
        t_sb = min(t for t, _ in builds)
        rate = n / t_sb
        rss = max(r for _, r in builds)
        print(f"raw:       {raw_rate:>10,.0f} records/s  (consume only, the fastest of {len(raws)} runs: "
              f"{' / '.join(f'{r:,.0f}' for r in raws)})")
        print(f"           consumer settings (specbuild's): {', '.join(f'{k}={v}' for k, v in sorted(same.items()))}")
        print(f"specbuild: {rate:>10,.0f} records/s  (process start to spec written, {t_sb:.2f} s"
              + (f"; the fastest of {len(builds)}: {' / '.join(f'{n / t:,.0f}' for t, _ in builds)})" if len(builds) > 1
                 else ")"))
        print(f"file:      {n / t_file:>10,.0f} records/s  (specbuild -i of the same records, {t_file:.2f} s)")
        print(f"ratio:     {rate / raw_rate:>10.2f}        peak RSS {rss / 1024:,.0f} MiB  (--state {args.state})")
        if args.specs:
            print(f"target (issue 15, ratio >= 0.4): {'met' if rate / raw_rate >= 0.4 else 'NOT met'}")
        else:
            ok = rate >= 40_000 and rate / raw_rate >= 0.5
            print(f"targets (issue 3, >= 40,000 records/s, ratio >= 0.5): {'met' if ok else 'NOT met'}")
        if args.timeline:
            steps_folder = Path(tmp) / "timeline"
            steps_folder.mkdir()
            timeline(command(len(builds)), steps_folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
