#!/usr/bin/env python3
"""A group of followers (``--state kafka``) on a real Apache Kafka broker: exactly once, and scale-out.

    python bench/bench_group.py exactly-once [--records 60000] [--kills 10] [--seconds 60] [--seed 1]
                                        [--checkpoint-interval 5]
    python bench/bench_group.py scale-out [--records 120000] [--repeat 3] [--rebalance-delay-ms 3000]

exactly-once (issue 15): 3 members in one group on a 6-partition topic that is fed for ``--seconds``
(idempotent producer); at random moments a random member is killed with SIGKILL and started again
(``--kills`` times), and the broker is stopped and started again (same data) half-way. When the feed is
done, every member is stopped and all three are started with ``--until-end``; then each member's
openapi.json and ``specbuild render``'s are compared, byte for byte, with ``specbuild -i FILE`` of the
same records. Exit 1 when one differs.

scale-out (issue 15: >= 1.7x): the same records, pre-produced; one member pinned to one core
(``taskset -c 0``) against two members pinned to a core each, from process start to the last spec
written (every member's), alternating --repeat times; it prints each ratio, then the median. The broker
runs on the same two cores (there is no third), so the two members share their cores with it; the load
average and the members' CPU seconds say how much else ran. The tests' broker sets
``group.initial.rebalance.delay.ms=0`` (tests form groups fast), so the first member to join folds all six
partitions until the second's rebalance moves three; ``--rebalance-delay-ms 3000`` runs the broker with
Kafka's own default, as a production broker has it, where members started together get one assignment.

Records: the devset's github and kubernetes n5000 files (../shared/devset), repeated; without them,
fixtures/users.jsonl. It starts its own broker (tests/brokers.py) and stops it.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from confluent_kafka import Producer  # noqa: E402

from tests import brokers  # noqa: E402
from tests.test_kafka_integration import restarted  # noqa: E402

DEVSET = ROOT.parent / "shared" / "devset"
PARTITIONS = 6
# exactly-once: a killed member is noticed within 6 s (scale-out runs with the product's settings)
SESSION = ["-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=1500", "-X", "reconnect.backoff.max.ms=1000"]


def records(n: int) -> list[bytes]:
    lines: list[bytes] = []
    for api in ("github", "kubernetes"):
        src = DEVSET / f"{api}-n5000.jsonl.gz"
        if src.exists():
            lines += [ln for ln in gzip.decompress(src.read_bytes()).splitlines() if ln.strip()]
    if not lines:
        lines = [ln for ln in (ROOT / "fixtures" / "users.jsonl").read_bytes().splitlines() if ln.strip()]
    random.Random(7).shuffle(lines)
    return [lines[i % len(lines)] for i in range(n)]


def env() -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if not k.startswith("SPECBUILD_")}
    return {**out, "PYTHONPATH": str(ROOT)}


def member(bootstrap: str, topic: str, group: str, out: Path, log: Path, *extra: str,
           core: int | None = None, notes: bool = False) -> subprocess.Popen[bytes]:
    """A member whose stderr goes to ``log``: errors only, or (``notes``) every note, each line stamped
    with the seconds since the bench started (where a member waits shows in the gaps)."""
    pin = ["taskset", "-c", str(core)] if core is not None else []
    cmd = [*pin, sys.executable, "-m", "specbuild", "--source", "kafka", "-b", bootstrap, "-t", topic, "-g", group,
           "--state", "kafka", "-o", str(out), *([] if notes else ["-q"]), *extra]
    if not notes:
        with log.open("ab") as fh:
            return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=fh, stdin=subprocess.DEVNULL, env=env())
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            env=env())
    threading.Thread(target=stamp, args=(proc, log), daemon=True).start()
    return proc


BENCH_START = time.monotonic()


def stamp(proc: subprocess.Popen[bytes], log: Path) -> None:
    assert proc.stderr is not None
    with log.open("ab") as fh:
        for line in proc.stderr:
            fh.write(f"{time.monotonic() - BENCH_START:8.2f} ".encode() + line)
            fh.flush()


def replay_spec(lines: list[bytes], work: Path) -> bytes:
    src = work / "replay.jsonl"
    src.write_bytes(b"".join(ln + b"\n" for ln in lines))
    out = work / "replay"
    subprocess.run([sys.executable, "-m", "specbuild", "-i", str(src), "-o", str(out), "-q"], check=True, env=env())
    return (out / "openapi.json").read_bytes()


def render_spec(bootstrap: str, group: str, out: Path) -> bytes:
    subprocess.run([sys.executable, "-m", "specbuild", "render", "--state-topic", f"{group}.specbuild-state",
                    "-b", bootstrap, "-o", str(out), "-q"], check=True, env=env())
    return (out / "openapi.json").read_bytes()


def feed(bootstrap: str, topic: str, lines: list[bytes], seconds: float) -> threading.Thread:
    """Produce ``lines`` spread over ``seconds``, round robin over the partitions, idempotently (a broker
    restart makes the producer retry; without idempotence a retry could write a record twice)."""
    def run() -> None:
        p = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "linger.ms": 5, "log_level": 0})
        step = max(1, len(lines) // 200)
        for i in range(0, len(lines), step):
            for j, line in enumerate(lines[i:i + step], i):
                p.produce(topic, line, partition=j % PARTITIONS)
            p.poll(0)
            time.sleep(seconds / 200)
        if p.flush(300):
            raise SystemExit("records not delivered")
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def exactly_once(args: argparse.Namespace) -> int:
    work = Path(tempfile.mkdtemp(prefix="bench-group-"))
    broker = brokers.start_broker("apache", work)
    try:
        topic, group = f"eo-{uuid.uuid4().hex[:6]}", f"g-eo-{uuid.uuid4().hex[:6]}"
        brokers.create_topic(broker.bootstrap, topic, PARTITIONS)
        lines = records(args.records)
        rng = random.Random(args.seed)
        outs = [work / f"member{i}" for i in range(3)]
        logs = [work / f"member{i}.log" for i in range(3)]
        every = ("--checkpoint-interval", str(args.checkpoint_interval))
        procs = [member(broker.bootstrap, topic, group, outs[i], logs[i], *SESSION, *every) for i in range(3)]
        feeder = feed(broker.bootstrap, topic, lines, args.seconds)
        started = time.monotonic()
        exits: list[str] = []

        def supervise(seconds: float) -> None:
            """Wait, starting again any member that ended by itself (as systemd's Restart=always would)."""
            until = time.monotonic() + seconds
            while time.monotonic() < until:
                for i, p in enumerate(procs):
                    if p.poll() is not None:
                        exits.append(f"member {i} exited {p.returncode} at {time.monotonic() - started:.1f} s")
                        procs[i] = member(broker.bootstrap, topic, group, outs[i], logs[i], *SESSION, *every)
                time.sleep(0.2)

        for k in range(args.kills):
            supervise(rng.uniform(0.5, 2 * args.seconds / (args.kills + 1)))
            i = rng.randrange(3)
            procs[i].kill()
            procs[i].wait()
            print(f"  {time.monotonic() - started:5.1f} s: SIGKILL member {i}", flush=True)
            procs[i] = member(broker.bootstrap, topic, group, outs[i], logs[i], *SESSION, *every)
            if k == args.kills // 2:
                print(f"  {time.monotonic() - started:5.1f} s: broker restart", flush=True)
                with restarted(broker):
                    time.sleep(2)
        while feeder.is_alive():
            supervise(1.0)
        feeder.join()
        print(f"  {time.monotonic() - started:5.1f} s: feed done ({len(lines):,} records); stopping the members")
        supervise(5.0)  # a member started a moment ago has no signal handler yet: SIGTERM would just end it
        for p in procs:
            p.send_signal(signal.SIGTERM)
        stopped = [p.wait(300) for p in procs]
        print(f"  exits on SIGTERM: {stopped}", flush=True)
        ends = [member(broker.bootstrap, topic, group, outs[i], logs[i], *SESSION, "--until-end") for i in range(3)]
        codes = [p.wait(300) for p in ends]
        want = replay_spec(lines, work)
        got = {f"member{i}": (outs[i] / "openapi.json").read_bytes() for i in range(3)}
        got["render"] = render_spec(broker.bootstrap, group, work / "rendered")
        print(f"members that ended by themselves (and were started again): {exits or 'none'}")
        print(f"file replay: {digest(want)} ({len(want):,} bytes); exits of the last runs: {codes}")
        same = True
        for name, data in got.items():
            ok = data == want
            same &= ok
            print(f"  {name:8} {digest(data)} {'identical' if ok else 'DIFFERENT'}")
        print(f"exactly once: {'yes' if same and codes == [0, 0, 0] else 'NO'}; every exit clean: "
              f"{'yes' if stopped == [0, 0, 0] and codes == [0, 0, 0] else 'NO'} (logs in {work})")
        return 0 if same and codes == [0, 0, 0] and stopped == [0, 0, 0] else 1
    finally:
        broker.stop()


def timed_members(bootstrap: str, topic: str, cores: list[int], work: Path, notes: bool = False) -> tuple[float, float]:
    """Seconds from the start to the last member's exit, and the CPU seconds the members used (the machine
    may be shared: CPU time says what wall time cannot then)."""
    group = f"g-scale-{uuid.uuid4().hex[:6]}"
    start = time.perf_counter()
    procs = [member(bootstrap, topic, group, work / f"{group}-{c}", work / f"{group}-{c}.log", "--until-end",
                    core=c, notes=notes) for c in cores]
    cpu = 0.0
    for p in procs:
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        if p.returncode != 0:
            raise SystemExit(f"a member failed: see {work}")
        cpu += usage.ru_utime + usage.ru_stime
    return time.perf_counter() - start, cpu


def scale(args: argparse.Namespace) -> int:
    work = Path(tempfile.mkdtemp(prefix="bench-group-"))
    delay = {} if args.rebalance_delay_ms is None else \
        {"group.initial.rebalance.delay.ms": str(args.rebalance_delay_ms)}
    broker = brokers.start_broker("apache", work, properties=delay)
    try:
        topic = f"scale-{uuid.uuid4().hex[:6]}"
        brokers.create_topic(broker.bootstrap, topic, PARTITIONS)
        lines = records(args.records)
        p = Producer({"bootstrap.servers": broker.bootstrap, "linger.ms": 20, "compression.type": "lz4"})
        for i, line in enumerate(lines):
            while True:
                try:
                    p.produce(topic, line, partition=i % PARTITIONS)
                    break
                except BufferError:
                    p.poll(0.05)
        p.flush(120)
        del p  # else its client keeps calling the broker after it stopped (librdkafka logs each refusal)
        size = sum(map(len, lines)) / len(lines)
        print(f"{len(lines):,} records ({size:,.0f} B average) in {PARTITIONS} partitions; "
              f"group.initial.rebalance.delay.ms {args.rebalance_delay_ms or '0 (the tests)'}; "
              f"load average before: {load()}; logs in {work}")
        ratios, cpu_ratios = [], []
        for _ in range(args.repeat):
            one, cpu1 = timed_members(broker.bootstrap, topic, [0], work, args.notes)
            two, cpu2 = timed_members(broker.bootstrap, topic, [0, 1], work, args.notes)
            ratios.append(one / two)
            cpu_ratios.append(cpu1 / (cpu2 / 2))
            print(f"  one member (core 0): {one:6.2f} s, {len(lines) / one:8,.0f} records/s, {cpu1:6.2f} CPU s;  "
                  f"two members (cores 0, 1): {two:6.2f} s, {len(lines) / two:8,.0f} records/s, {cpu2:6.2f} CPU s "
                  f"in all;  {one / two:.2f}x  (load average {load()})", flush=True)
        ratio = statistics.median(ratios)
        print(f"scale-out: {ratio:.2f}x, the median of {len(ratios)} ({', '.join(f'{r:.2f}' for r in ratios)}); "
              f"target (issue 15) >= 1.7x: {'met' if ratio >= 1.7 else 'NOT met'}")
        print(f"CPU per member: one member's CPU s / each of two members' = {statistics.median(cpu_ratios):.2f}x, "
              f"the median ({', '.join(f'{r:.2f}' for r in cpu_ratios)}); wall time adds the waits (the group's "
              "join, the others' ends) to it")
        return 0
    finally:
        broker.stop()


def load() -> str:
    """The load averages (1, 5, 15 min), as uptime prints them: the machine may not be quiet."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    eo = sub.add_parser("exactly-once")
    eo.add_argument("--records", type=int, default=60_000)
    eo.add_argument("--kills", type=int, default=10)
    eo.add_argument("--seconds", type=float, default=60.0)
    eo.add_argument("--seed", type=int, default=1)
    eo.add_argument("--checkpoint-interval", type=float, default=5.0)
    sc = sub.add_parser("scale-out", aliases=["scale"])
    sc.add_argument("--records", type=int, default=120_000)
    sc.add_argument("--repeat", type=int, default=3)
    sc.add_argument("--rebalance-delay-ms", type=int, default=None,
                    help="the broker's group.initial.rebalance.delay.ms (default: the tests' 0; Kafka's own is 3000)")
    sc.add_argument("--notes", action="store_true",
                    help="keep every member's notes (not -q) in its log, stamped with the bench's seconds")
    args = parser.parse_args()
    return exactly_once(args) if args.what == "exactly-once" else scale(args)


if __name__ == "__main__":
    sys.exit(main())
