#!/usr/bin/env python3
"""A group of followers (``--state kafka``) on a real Apache Kafka broker: exactly once, and scale-out.

    python bench/bench_group.py exactly-once [--records 60000] [--kills 10] [--seconds 60] [--seed 1]
                                        [--checkpoint-interval 5]
    python bench/bench_group.py scale-out [--records 120000] [--repeat 3] [--warm-up-runs 1] [--rebalance-delay-ms 3000]
                                     [--timeline]
    python bench/bench_group.py tail [--records 120000] [--members 2] [--repeat 3] [--skew 3] [--notes]

exactly-once (issue 15): 3 members in one group on a 6-partition topic that is fed for ``--seconds``
(idempotent producer); at random moments a random member is killed with SIGKILL and started again
(``--kills`` times), and the broker is stopped and started again (same data) half-way. When the feed is
done, every member is stopped and all three are started with ``--until-end``; then each member's
openapi.json and ``specbuild render``'s are compared, byte for byte, with ``specbuild -i FILE`` of the
same records. Exit 1 when one differs.

scale-out (issue 15: >= 1.7x): the same records, pre-produced; one member pinned to one core
(``taskset -c 0``) against two members pinned to a core each, from process start to the last spec
written (every member's), alternating --repeat times, after a warm-up that has the broker create its
internal topics (else the first run, one member's, pays for them) and ``--warm-up-runs`` pairs (default 1)
that are run and printed but not counted: in stop 32 every invocation's first two-member run took 20.3-23.3 s
against 19.4-20.1 s for the later ones (a broker whose JVM has not yet compiled the paths a group of two
uses: a long-lived broker has), which moved the median by a tenth; it prints each ratio, then the median. The broker
runs on the same two cores (there is no third), so the two members share their cores with it; the load
average and the members' CPU seconds say how much else ran, the broker's CPU seconds (/proc) how much of
the members' cores it took. The tests' broker sets
``group.initial.rebalance.delay.ms=0`` (tests form groups fast), so the first member to join folds all six
partitions until the second's rebalance moves three; ``--rebalance-delay-ms 3000`` runs the broker with
Kafka's own default, as a production broker has it, where members started together get one assignment.
``--timeline`` prints each member's steps (bench/timeline/sitecustomize.py) as ``step@seconds/CPU seconds``
from the run's start: where a member waits (its join, the others' states, the spec) and what its end costs.

tail: an ``--until-end`` group's end, after the last record: ``--members`` members (pinned to a core each,
round robin) fold pre-produced records; the clock starts when the last partition state was produced (its
record's timestamp in the state topic: the group's last record folded, its state committing) and stops at
each member's spec written (openapi.json there, looked for every 20 ms) and at its exit. Each member's CPU
seconds in that tail are its CPU at exit less its CPU then (/proc, sampled every 20 ms): the render, the
waits, the publish, the exit; "after the spec": its CPU from its spec written to its exit. It prints each
repeat, then the medians; every member's spec must be the same. ``--skew 3`` gives partitions 0-2 three
times the records of 3-5: the member holding 3-5 waits, and its part (kafka/parts.py) has time to land.

Records: the devset's github and kubernetes n5000 files (../shared/devset), repeated; without them,
fixtures/users.jsonl. It starts its own broker (tests/brokers.py) and stops it.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import json
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

from confluent_kafka import Consumer, Producer  # noqa: E402

from tests import brokers  # noqa: E402
from tests.test_kafka_integration import restarted  # noqa: E402

# ../shared/devset beside the repo, or beside its worktrees' folder (a worktree in ../wt/NAME)
DEVSET = next((d for d in (ROOT.parent / "shared" / "devset", ROOT.parent.parent / "shared" / "devset")
               if d.is_dir()), ROOT.parent / "shared" / "devset")
PARTITIONS = 6
# exactly-once: a killed member is noticed within 6 s (scale-out runs with the product's settings)
SESSION = ["-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=1500", "-X", "reconnect.backoff.max.ms=1000"]


def records(n: int) -> list[bytes]:
    """``n`` records: the devset's github and kubernetes n5000 files shuffled and repeated (else the fixture's)."""
    lines: list[bytes] = []
    for api in ("github", "kubernetes"):
        src = DEVSET / f"{api}-n5000.jsonl.gz"
        if src.exists():
            lines += [ln for ln in gzip.decompress(src.read_bytes()).splitlines() if ln.strip()]
    if not lines:
        lines = [ln for ln in (ROOT / "fixtures" / "users.jsonl").read_bytes().splitlines() if ln.strip()]
    random.Random(7).shuffle(lines)
    return [lines[i % len(lines)] for i in range(n)]


def env(timeline: Path | None = None) -> dict[str, str]:
    """The members' environment: this tree's specbuild, none of the caller's settings; with ``timeline``,
    the instrument that writes each member's steps into that folder (bench/timeline)."""
    out = {k: v for k, v in os.environ.items() if not k.startswith("SPECBUILD_")}
    if timeline is None:
        return {**out, "PYTHONPATH": str(ROOT)}
    return {**out, "PYTHONPATH": f"{ROOT / 'bench' / 'timeline'}{os.pathsep}{ROOT}",
            "SPECBUILD_BENCH_TIMELINE": str(timeline)}


def member(bootstrap: str, topic: str, group: str, out: Path, log: Path, *extra: str,
           core: int | None = None, notes: bool = False, timeline: Path | None = None) -> subprocess.Popen[bytes]:
    """A member whose stderr goes to ``log``: errors only, or (``notes``) every note, each line stamped
    with the seconds since the bench started (where a member waits shows in the gaps)."""
    pin = ["taskset", "-c", str(core)] if core is not None else []
    cmd = [*pin, sys.executable, "-m", "specbuild", "--source", "kafka", "-b", bootstrap, "-t", topic, "-g", group,
           "--state", "kafka", "-o", str(out), *([] if notes else ["-q"]), *extra]
    if not notes:
        with log.open("ab") as fh:
            return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=fh, stdin=subprocess.DEVNULL,
                                    env=env(timeline))
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            env=env(timeline))
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


def protocol_args(protocol: str) -> list[str]:
    """The members' options for a group rebalance protocol: ``classic`` (the default: cooperative-sticky,
    two rounds to join) or ``consumer`` (KIP-848: the broker assigns, a round of heartbeats)."""
    return [] if protocol == "classic" else ["-X", f"group.protocol={protocol}"]


def timed_members(bootstrap: str, topic: str, cores: list[int], work: Path, notes: bool = False,
                  broker: int | None = None, timeline: bool = False,
                  protocol: str = "classic") -> tuple[float, float, float]:
    """Seconds from the start to the last member's exit, the CPU seconds the members used (the machine
    may be shared: CPU time says what wall time cannot then) and those the ``broker`` process used meanwhile
    (it is not pinned: on two cores, it runs on the members' cores); with ``timeline``, each member's steps
    are printed."""
    group = f"g-scale-{uuid.uuid4().hex[:6]}"
    steps = work / f"{group}-timeline" if timeline else None
    if steps is not None:
        steps.mkdir()
    before = cpu_seconds(broker) if broker is not None else 0.0
    start, epoch = time.perf_counter(), time.time()
    procs = [member(bootstrap, topic, group, work / f"{group}-{c}", work / f"{group}-{c}.log", "--until-end",
                    *protocol_args(protocol), core=c, notes=notes, timeline=steps) for c in cores]
    cpu = 0.0
    exits: list[tuple[float, float]] = []
    for p in procs:
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        if p.returncode != 0:
            raise SystemExit(f"a member failed: see {work}")
        cpu += usage.ru_utime + usage.ru_stime
        exits.append((time.time() - epoch, usage.ru_utime + usage.ru_stime))
    wall = time.perf_counter() - start
    if steps is not None:
        for c, p, (gone, used) in zip(cores, procs, exits, strict=True):
            print(f"    core {c}: {timeline_line(steps / f'{p.pid}.jsonl', epoch)} exit@{gone:.2f}/{used:.2f}")
    return wall, cpu, (cpu_seconds(broker) - before if broker is not None else 0.0)


def timeline_line(path: Path, epoch: float) -> str:
    """A member's steps as ``step@seconds since the run's start/its CPU seconds``, then what its
    catch-ups of the state topic took in all (taskset execs the member: its pid is the one started)."""
    if not path.exists():
        return "(no timeline)"
    steps, counted = [], ""
    for line in path.read_text().splitlines():
        event = json.loads(line)
        if event["ev"] == "atexit":
            counted = " ".join(f"[{name}: {n} calls, {wall:.2f} s, {cpu:.2f} CPU s]"
                               for name, (n, wall, cpu) in event.get("counts", {}).items())
        else:
            steps.append(f"{event['ev']}@{event['t'] - epoch:.2f}/{event['cpu']:.2f}")
    return " ".join(steps) + (f" {counted}" if counted else "")


def scale(args: argparse.Namespace) -> int:
    work = Path(tempfile.mkdtemp(prefix="bench-group-"))
    delay = {} if args.rebalance_delay_ms is None else \
        {"group.initial.rebalance.delay.ms": str(args.rebalance_delay_ms)}
    broker = brokers.start_broker("apache", work, properties=delay)
    try:
        topic = f"scale-{uuid.uuid4().hex[:6]}"
        brokers.create_topic(broker.bootstrap, topic, PARTITIONS)
        lines = records(args.records)
        produce_all(broker.bootstrap, topic, lines)
        warm_up(broker.bootstrap, topic)
        size = sum(map(len, lines)) / len(lines)
        print(f"{len(lines):,} records ({size:,.0f} B average) in {PARTITIONS} partitions; "
              f"group.initial.rebalance.delay.ms {args.rebalance_delay_ms or '0 (the tests)'}; "
              f"group.protocol {args.protocol}; "
              f"load average before: {load()}; logs in {work}")
        ratios, cpu_ratios = [], []
        for run in range(args.warm_up_runs + args.repeat):
            one, cpu1, brk1 = timed_members(broker.bootstrap, topic, [0], work, args.notes, broker.pid, args.timeline,
                                            args.protocol)
            two, cpu2, brk2 = timed_members(broker.bootstrap, topic, [0, 1], work, args.notes, broker.pid,
                                            args.timeline, args.protocol)
            counted = run >= args.warm_up_runs
            if counted:
                ratios.append(one / two)
                cpu_ratios.append(cpu1 / (cpu2 / 2))
            print(f"  {'' if counted else '(warm-up, not counted) '}one member (core 0): {one:6.2f} s, "
                  f"{len(lines) / one:8,.0f} records/s, {cpu1:6.2f} CPU s, "
                  f"broker {brk1:5.2f} CPU s;  two members (cores 0, 1): {two:6.2f} s, {len(lines) / two:8,.0f} "
                  f"records/s, {cpu2:6.2f} CPU s in all, broker {brk2:5.2f} CPU s;  {one / two:.2f}x  "
                  f"(load average {load()})", flush=True)
        ratio = statistics.median(ratios)
        print(f"scale-out: {ratio:.2f}x, the median of {len(ratios)} ({', '.join(f'{r:.2f}' for r in ratios)}); "
              f"target (issue 15) >= 1.7x: {'met' if ratio >= 1.7 else 'NOT met'}")
        print(f"CPU per member: one member's CPU s / each of two members' = {statistics.median(cpu_ratios):.2f}x, "
              f"the median ({', '.join(f'{r:.2f}' for r in cpu_ratios)}); wall time adds the waits (the group's "
              "join, the others' ends) to it")
        return 0
    finally:
        broker.stop()


def warm_up(bootstrap: str, topic: str) -> None:
    """The broker's internal topics created before the first timed run: the first group join creates
    ``__consumer_offsets``, the first transactional producer ``__transaction_state`` (50 partitions each).
    Else the first run, always one member's, pays for them (its join and its writer's start took ~1-2.5 s
    longer than later runs'), which flattered the ratio."""
    producer = Producer({"bootstrap.servers": bootstrap, "transactional.id": f"warm-{uuid.uuid4().hex[:6]}",
                         "log_level": 0})  # "coordinator load in progress: retrying" is what we wait for
    producer.init_transactions(60)
    del producer
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"warm-{uuid.uuid4().hex[:6]}",
                         "auto.offset.reset": "latest"})
    consumer.subscribe([topic])
    deadline = time.monotonic() + 60
    while not consumer.assignment() and time.monotonic() < deadline:
        consumer.poll(0.2)
    consumer.close()


def produce_all(bootstrap: str, topic: str, lines: list[bytes], skew: int = 1) -> None:
    """``lines`` round robin over the partitions, all delivered; with ``skew``, the first half of the
    partitions gets that many times as many as the second half."""
    cycle = [p for p in range(PARTITIONS // 2) for _ in range(skew)] + list(range(PARTITIONS // 2, PARTITIONS))
    p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 20, "compression.type": "lz4"})
    for i, line in enumerate(lines):
        while True:
            try:
                p.produce(topic, line, partition=cycle[i % len(cycle)])
                break
            except BufferError:
                p.poll(0.05)
    if p.flush(120):
        raise SystemExit("records not delivered")
    del p  # else its client keeps calling the broker after it stopped (librdkafka logs each refusal)


def cpu_seconds(pid: int) -> float:
    """A running process's user + system CPU seconds (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tail_once(bootstrap: str, topic: str, members: int, work: Path, notes: bool) -> dict[str, list[float]]:
    """One group run to the end: per member, the seconds from the last state committed at its end to its spec
    written and to its exit, and its CPU seconds in between (sampled every 20 ms)."""
    group = f"g-tail-{uuid.uuid4().hex[:6]}"
    outs = [work / f"{group}-{i}" for i in range(members)]
    procs = [member(bootstrap, topic, group, outs[i], work / f"{group}-{i}.log", "--until-end", core=i % 2,
                    notes=notes) for i in range(members)]
    exits: dict[int, tuple[float, float]] = {}  # member -> (when it exited, its CPU seconds)
    cpu: list[list[tuple[float, float]]] = [[] for _ in procs]  # member -> [(when, CPU seconds)]
    written: dict[int, float] = {}

    def reap(i: int) -> None:
        _, status, usage = os.wait4(procs[i].pid, 0)
        procs[i].returncode = os.waitstatus_to_exitcode(status)
        exits[i] = (time.time(), usage.ru_utime + usage.ru_stime)

    reapers = [threading.Thread(target=reap, args=(i,), daemon=True) for i in range(members)]
    for t in reapers:
        t.start()
    while len(exits) < members:
        for i, p in enumerate(procs):
            if i not in exits:
                with contextlib.suppress(OSError, IndexError, ValueError):
                    cpu[i].append((time.time(), cpu_seconds(p.pid)))
            if i not in written and (outs[i] / "openapi.json").exists():
                written[i] = time.time()
        time.sleep(0.02)
    if any(p.returncode != 0 for p in procs) or len(written) < members:
        raise SystemExit(f"a member failed or wrote no spec: see {work}")
    specs = {(out / "openapi.json").read_bytes() for out in outs}
    if len(specs) != 1:
        raise SystemExit(f"the members wrote {len(specs)} different specs: see {work}")
    start, parts = last_state_commit(bootstrap, f"{group}.specbuild-state")

    def cpu_at(i: int, when: float) -> float:
        return max((c for t, c in cpu[i] if t <= when), default=0.0)

    return {"spec": [written[i] - start for i in range(members)],
            "exit": [exits[i][0] - start for i in range(members)],
            "cpu": [exits[i][1] - cpu_at(i, start) for i in range(members)],
            "after": [exits[i][1] - cpu_at(i, written[i]) for i in range(members)],
            "parts": [t - start for t in parts]}


def last_state_commit(bootstrap: str, state_topic: str) -> tuple[float, list[float]]:
    """When the last partition state was produced (its record's timestamp, epoch seconds): the group's
    last record folded and committed; and when each part (a waiting member's states merged) was."""
    from confluent_kafka import KafkaError, TopicPartition

    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"{state_topic}.bench", "enable.auto.commit": False,
                  "isolation.level": "read_committed", "enable.partition.eof": True})
    ours = sorted(c.list_topics(state_topic, timeout=10).topics[state_topic].partitions)
    c.assign([TopicPartition(state_topic, p, 0) for p in ours])
    latest: dict[bytes, int] = {}
    parts: list[float] = []
    eof: set[int] = set()
    while len(eof) < len(ours):
        for m in c.consume(1000, 1.0):
            err = m.error()
            if err is not None:
                if err.code() == KafkaError._PARTITION_EOF:
                    eof.add(m.partition() or 0)
            elif (key := m.key()) is not None and not key.startswith(b"#"):
                latest[key] = m.timestamp()[1]
            elif key is not None and key.startswith(b"#part:") and m.value() is not None:
                parts.append(m.timestamp()[1] / 1000)
    c.close()
    return max(latest.values()) / 1000, parts


def tail(args: argparse.Namespace) -> int:
    work = Path(tempfile.mkdtemp(prefix="bench-group-"))
    broker = brokers.start_broker("apache", work)
    try:
        topic = f"tail-{uuid.uuid4().hex[:6]}"
        brokers.create_topic(broker.bootstrap, topic, PARTITIONS)
        lines = records(args.records)
        produce_all(broker.bootstrap, topic, lines, args.skew)
        print(f"{len(lines):,} records in {PARTITIONS} partitions (skew {args.skew}), {args.members} members; "
              "load average before: "
              f"{load()}; logs in {work}")
        runs = []
        for _ in range(args.repeat):
            got = tail_once(broker.bootstrap, topic, args.members, work, args.notes)
            runs.append(got)
            print(f"  spec final {max(got['spec']):5.2f} s (each {', '.join(f'{s:.2f}' for s in got['spec'])}); "
                  f"exits {max(got['exit']):5.2f} s; CPU in the tail {sum(got['cpu']):5.2f} s "
                  f"(each {', '.join(f'{c:.2f}' for c in got['cpu'])}; the most {max(got['cpu']):.2f}; after the "
                  f"spec {', '.join(f'{c:.2f}' for c in got['after'])}; parts published at "
                  f"{', '.join(f'{t:+.2f}' for t in got['parts']) or 'none'} s)  "
                  f"(load average {load()})", flush=True)
        med = statistics.median
        print(f"tail: spec final {med(max(r['spec']) for r in runs):.2f} s, "
              f"exits {med(max(r['exit']) for r in runs):.2f} s, "
              f"CPU {med(sum(r['cpu']) for r in runs):.2f} s in all, the busiest member's "
              f"{med(max(r['cpu']) for r in runs):.2f} s, after the spec {med(sum(r['after']) for r in runs):.2f} s "
              f"in all (medians of {len(runs)})")
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
    sc.add_argument("--warm-up-runs", type=int, default=1,
                    help="pairs (one member, then two) run first and not counted: the broker's JIT and caches warm")
    sc.add_argument("--rebalance-delay-ms", type=int, default=None,
                    help="the broker's group.initial.rebalance.delay.ms (default: the tests' 0; Kafka's own is 3000)")
    sc.add_argument("--protocol", choices=("classic", "consumer"), default="classic",
                    help="the members' group.protocol: classic (cooperative-sticky) or consumer (KIP-848)")
    sc.add_argument("--notes", action="store_true",
                    help="keep every member's notes (not -q) in its log, stamped with the bench's seconds")
    sc.add_argument("--timeline", action="store_true",
                    help="print each member's steps (step@seconds/CPU seconds since the run's start)")
    tl = sub.add_parser("tail")
    tl.add_argument("--records", type=int, default=120_000)
    tl.add_argument("--members", type=int, default=2)
    tl.add_argument("--repeat", type=int, default=3)
    tl.add_argument("--notes", action="store_true", help="keep every member's notes in its log, stamped")
    tl.add_argument("--skew", type=int, default=1, help="partitions 0-2 get this many times the records of 3-5: "
                    "a member ends that much sooner than the other (default 1: even)")
    args = parser.parse_args()
    run = {"exactly-once": exactly_once, "tail": tail}.get(args.what, scale)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
