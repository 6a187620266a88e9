"""specbuild against a real Kafka-protocol broker (tests/brokers.py starts it; see conftest.py).

Every test runs ``python -m specbuild`` as a subprocess, as a user would, and compares what the
Kafka source learned with what ``specbuild -i FILE`` learns from the same records: the two sources
must write byte-identical specs. Each test uses its own topic and consumer group.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

from specbuild.io.validate import spec_problems
from specbuild.kafka.client import COMMIT_WAIT_S
from tests.brokers import (
    HEAP_OPTS,
    Broker,
    consumer_overrides,
    create_topic,
    default_kind,
    fetch_kafka,
    free_port,
    java_command,
    port_open,
    start_broker,
    terminate,
)
from tests.helpers import FIXTURES, ROOT, record
from tests.hostile import FORBIDDEN_IN_PATH_KEYS, KAFKA_MAX_BYTES
from tests.hostile import corpus as hostile_corpus

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(120)]

USERS = FIXTURES / "users.jsonl"
MESSY = FIXTURES / "messy.jsonl"
USER_LINES = [ln for ln in USERS.read_bytes().splitlines() if ln.strip()]


# -- helpers ---------------------------------------------------------------------------------------

def env() -> dict[str, str]:
    out = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    for key in [k for k in out if k.startswith("SPECBUILD_")]:
        del out[key]
    return out


def specbuild(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "specbuild", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env(), timeout=timeout, stdin=subprocess.DEVNULL)


class Running:
    """A ``specbuild`` process in the background, its stderr collected into a file."""

    def __init__(self, args: Sequence[str], log: Path) -> None:
        self.log = log
        self.fh = log.open("wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "specbuild", *args], stdout=subprocess.DEVNULL,
                                     stderr=self.fh, cwd=ROOT, env=env(), stdin=subprocess.DEVNULL)

    @property
    def stderr(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, predicate: Callable[[str], bool], what: str, timeout: float = 40) -> None:
        deadline = time.monotonic() + timeout
        while not predicate(self.stderr):
            if self.proc.poll() is not None:
                raise AssertionError(f"specbuild exited ({self.proc.returncode}) waiting for {what}:\n"
                                     f"{self.stderr}")
            if time.monotonic() > deadline:
                raise AssertionError(f"no {what} after {timeout} s:\n{self.stderr}")
            time.sleep(0.1)

    def stop(self, sig: int = signal.SIGINT, timeout: float = 30) -> int:
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        finally:
            self.fh.close()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.fh.close()


@pytest.fixture
def running(tmp_path: Path) -> Iterator[Callable[..., Running]]:
    started: list[Running] = []

    def start(*args: str) -> Running:
        r = Running(args, tmp_path / f"specbuild-{len(started)}.log")
        started.append(r)
        return r

    yield start
    for r in started:
        r.kill()


def new_topic(broker: Broker, partitions: int = 3) -> str:
    topic = f"t-{uuid.uuid4().hex[:10]}"
    create_topic(broker.bootstrap, topic, partitions)
    return topic


def produce(broker: Broker, topic: str, values: Sequence[bytes | None], *, partition: int | None = None,
            compression: str = "none") -> None:
    producer = Producer({"bootstrap.servers": broker.bootstrap, "compression.type": compression,
                         "linger.ms": 5})
    for value in values:
        if partition is None:
            producer.produce(topic, value=value)
        else:
            producer.produce(topic, value=value, partition=partition)
    assert producer.flush(30) == 0


def kafka_args(broker: Broker, topic: str, group: str | None = None) -> list[str]:
    args = ["--source", "kafka", "-b", broker.bootstrap, "--topic", topic, "-g", group or f"g-{topic}"]
    # A member killed with SIGKILL stays in the group until its session times out (45 s by default),
    # and a restart waits for that: keep sessions at Apache Kafka's minimum.
    settings = {"session.timeout.ms": 6000, "heartbeat.interval.ms": 1500, **consumer_overrides(broker.kind)}
    for key, value in settings.items():
        args += ["-X", f"{key}={str(value).lower() if isinstance(value, bool) else value}"]
    return args


def file_spec(tmp_path: Path, lines: Sequence[bytes], name: str = "replay") -> bytes:
    """The spec `specbuild -i FILE` writes for these records."""
    src = tmp_path / f"{name}.jsonl"
    src.write_bytes(b"".join(line + b"\n" for line in lines))
    out = tmp_path / f"{name}-spec"
    r = specbuild("-i", str(src), "-o", str(out), "-q")
    assert r.returncode == 0, r.stderr
    return (out / "openapi.json").read_bytes()


def committed(broker: Broker, topic: str, group: str, partitions: int = 3) -> dict[int, int]:
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": group})
    try:
        got = c.committed([TopicPartition(topic, p) for p in range(partitions)], timeout=10)
        return {tp.partition: tp.offset for tp in got}
    finally:
        c.close()


def wait_committed(broker: Broker, topic: str, group: str, total: int, partitions: int = 3,
                   timeout: float = 40) -> dict[int, int]:
    """Until the group committed ``total`` records (only done once a checkpoint on disk holds them).

    Totals rather than each partition's end: Tansu's ListOffsets (watermarks on request) is unreliable.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            got = committed(broker, topic, group, partitions)
        except KafkaException as exc:  # e.g. NOT_COORDINATOR while a new broker loads its offsets
            got = {-1: -1}
            assert exc.args[0].retriable() or time.monotonic() < deadline, exc
        if sum(max(0, o) for o in got.values()) == total:
            return got
        assert time.monotonic() < deadline, f"committed {got}, expected {total} in all"
        time.sleep(0.3)


def spec_of(out: Path) -> bytes:
    return (out / "openapi.json").read_bytes()


def partitions_in(stderr: str) -> list[set[int]]:
    """Every assignment a process announced, in order (``specbuild: assigned t[0,2]``)."""
    out = []
    for line in stderr.splitlines():
        if "specbuild: assigned " in line:
            out.append({int(p) for p in line.rsplit("[", 1)[1].rstrip("]").split(",")})
    return out


def messy_lines() -> list[bytes]:
    return [ln for ln in MESSY.read_bytes().splitlines() if ln.strip()]


# -- stopping ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_writes_the_spec_a_file_replay_writes(kafka_broker: Broker, running: Callable[..., Running],
                                                        tmp_path: Path, sig: int) -> None:
    topic = new_topic(kafka_broker)
    produce(kafka_broker, topic, USER_LINES)
    out = tmp_path / "my_spec"
    proc = running(*kafka_args(kafka_broker, topic), "-o", str(out), "--checkpoint-interval", "1")
    wait_committed(kafka_broker, topic, f"g-{topic}", len(USER_LINES))
    # Everything is folded and checkpointed; remove the file so only the stop can write it again.
    (out / "openapi.json").unlink()
    assert proc.stop(sig) == 0, proc.stderr
    assert spec_of(out) == file_spec(tmp_path, USER_LINES)
    assert f"stopped by {signal.Signals(sig).name}" in proc.stderr
    assert "144 records read, 144 learned, 0 skipped" in proc.stderr
    assert "Traceback" not in proc.stderr


def slow_feed(broker: Broker, topic: str, values: Sequence[bytes], seconds: float) -> threading.Thread:
    """Produce ``values`` spread evenly over ``seconds`` in the background."""
    def feed() -> None:
        producer = Producer({"bootstrap.servers": broker.bootstrap, "linger.ms": 5})
        chunk = max(1, len(values) // 40)
        for i in range(0, len(values), chunk):
            for value in values[i:i + chunk]:
                producer.produce(topic, value=value)
            producer.flush(10)
            time.sleep(seconds / 40)
        producer.flush(30)

    thread = threading.Thread(target=feed, daemon=True)
    thread.start()
    return thread


def test_sigkill_then_restart_ends_byte_identical_to_an_uninterrupted_run(
        kafka_broker: Broker, running: Callable[..., Running], tmp_path: Path) -> None:
    topic = new_topic(kafka_broker)
    values = [record("get", f"/orders/{i}", resp={"id": i, "total": i * 1.5, "tags": ["a"] * (i % 3)},
                     query={"page": str(i % 7)}) for i in range(1500)]
    values += [record("post", f"/orders/{i}/items", 201, body={"sku": f"s{i}", "qty": i},
                      resp={"ok": True, "at": "2024-01-01T00:00:00Z"}) for i in range(1500)]
    lines = [json.dumps(v).encode() for v in values]
    feeder = slow_feed(kafka_broker, topic, lines, seconds=8)
    out = tmp_path / "killed"
    group = f"g-{topic}"
    first = running(*kafka_args(kafka_broker, topic, group), "-o", str(out), "--checkpoint-interval", "1")
    first.wait_for(lambda _s: (out / ".specbuild-state.json").exists(), "a first checkpoint")
    time.sleep(1.5)
    first.kill()   # SIGKILL: no chance to write anything more
    assert feeder.is_alive(), "the feed ended before the kill: the test did not kill mid-run"
    feeder.join()

    second = specbuild(*kafka_args(kafka_broker, topic, group), "-o", str(out), "--until-end")
    assert second.returncode == 0, second.stderr
    assert "resuming from the saved state" in second.stderr

    whole = tmp_path / "whole"
    r = specbuild(*kafka_args(kafka_broker, topic, f"{group}-whole"), "-o", str(whole), "--until-end")
    assert r.returncode == 0, r.stderr
    assert spec_of(out) == spec_of(whole)
    assert spec_of(whole) == file_spec(tmp_path, lines)


def test_a_large_backlog_is_folded_by_the_process_pool_to_the_same_spec(
        kafka_broker: Broker, tmp_path: Path) -> None:
    topic = new_topic(kafka_broker)
    lines = [USER_LINES[i % len(USER_LINES)] for i in range(80_000)]   # above pool.POOL_BACKLOG
    produce(kafka_broker, topic, lines, compression="lz4")
    out = tmp_path / "spec"
    r = specbuild(*kafka_args(kafka_broker, topic), "-o", str(out), "--until-end", timeout=120)
    assert r.returncode == 0, r.stderr
    assert ": folding in" in r.stderr
    assert "80,000 records read, 80,000 learned, 0 skipped" in r.stderr
    assert spec_of(out) == file_spec(tmp_path, lines)


# -- groups ----------------------------------------------------------------------------------------

def test_two_processes_in_one_group_split_the_partitions(
        kafka_broker: Broker, running: Callable[..., Running], tmp_path: Path) -> None:
    topic = new_topic(kafka_broker)
    group = f"g-{topic}"
    args = [*kafka_args(kafka_broker, topic, group), "--checkpoint-interval", "1"]
    a = running(*args, "-o", str(tmp_path / "a"))
    b = running(*args, "-o", str(tmp_path / "b"))

    def split() -> bool:
        pa, pb = partitions_in(a.stderr), partitions_in(b.stderr)
        return bool(pa and pb) and pa[-1] | pb[-1] == {0, 1, 2} and not pa[-1] & pb[-1]

    deadline = time.monotonic() + 40
    while not split():
        assert time.monotonic() < deadline, f"no split:\n{a.stderr}\n{b.stderr}"
        time.sleep(0.2)
    time.sleep(1)  # let a late rebalance announce itself, then check the split still holds
    assert split(), f"{a.stderr}\n{b.stderr}"
    for p in range(3):  # each partition carries its own resource, so a spec shows whose records it read
        values = [record("get", f"/part{p}/things/{i}", resp={"p": p}) for i in range(20)]
        produce(kafka_broker, topic, [json.dumps(v).encode() for v in values], partition=p)
    assignments = len(partitions_in(a.stderr)), len(partitions_in(b.stderr))
    assert wait_committed(kafka_broker, topic, group, 60) == {0: 20, 1: 20, 2: 20}
    assert a.stop() == 0 and b.stop() == 0
    logs = f"{a.stderr}\n{b.stderr}"
    learned = {name: set(json.loads(spec_of(tmp_path / name))["paths"]) for name in ("a", "b")}
    assert all(learned.values()), logs
    assert learned["a"] | learned["b"] == {f"/part{p}/things/{{thingId}}" for p in range(3)}, logs
    # nothing read twice, nothing lost: a revoke hands a partition over exactly where it stopped
    assert sum(int(p.stderr.split(" records read")[0].rsplit(" ", 1)[1]) for p in (a, b)) == 60, logs
    if assignments == (len(partitions_in(a.stderr)), len(partitions_in(b.stderr))):  # no late rebalance
        for name, proc in (("a", a), ("b", b)):
            mine = partitions_in(proc.stderr)[-1]
            assert learned[name] == {f"/part{p}/things/{{thingId}}" for p in mine}, logs


# -- bad input and faults ----------------------------------------------------------------------------

def test_bad_records_are_skipped_counted_and_located(kafka_broker: Broker, tmp_path: Path) -> None:
    topic = new_topic(kafka_broker, partitions=1)
    bad: list[bytes | None] = [b"not json", None, b'{"request": {"method": "GET", "path": "/x"}}', b"[1]"]
    produce(kafka_broker, topic, [USER_LINES[0], *bad, USER_LINES[1]], partition=0)
    dead = tmp_path / "dead.jsonl"
    out = tmp_path / "spec"
    r = specbuild(*kafka_args(kafka_broker, topic), "-o", str(out), "--until-end", "--dead-letter", str(dead))
    assert r.returncode == 0, r.stderr
    assert f"warning: {topic}[0]@1: not a JSON record" in r.stderr
    assert f"warning: {topic}[0]@2: null value (a tombstone)" in r.stderr
    assert f"warning: {topic}[0]@3: record has no 'response' object" in r.stderr
    assert f"warning: {topic}[0]@4: record is an array" in r.stderr
    assert "6 records read, 2 learned, 4 skipped" in r.stderr
    assert spec_of(out) == file_spec(tmp_path, USER_LINES[:2])
    entries = [json.loads(line) for line in dead.read_text().splitlines()]
    assert [(e["origin"], e["value"]) for e in entries] == [
        (f"{topic}[0]@{i}", None if v is None else v.decode()) for i, v in enumerate(bad, 1)]


def test_no_broker_is_a_clear_error_within_seconds(tmp_path: Path) -> None:
    port = free_port()
    started = time.monotonic()
    r = specbuild("--source", "kafka", "-b", f"127.0.0.1:{port}", "-o", str(tmp_path / "o"), timeout=30)
    took = time.monotonic() - started
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith(f"Error: cannot reach Kafka at 127.0.0.1:{port}"), r.stderr
    assert "hint: is the broker running?" in r.stderr
    assert "Traceback" not in r.stderr and "%3|" not in r.stderr  # no librdkafka log spam
    assert took < 12, took


@contextlib.contextmanager
def own_broker_followed(running: Callable[..., Running], tmp_path: Path) -> Iterator[tuple[Broker, Path, Running]]:
    """Our own Tansu broker (the test stops it), and a follower of USER_LINES that committed them all."""
    broker = start_broker("tansu", tmp_path)
    try:
        topic = new_topic(broker)
        produce(broker, topic, USER_LINES)
        out = tmp_path / "spec"
        proc = running(*kafka_args(broker, topic), "-o", str(out), "--checkpoint-interval", "1")
        wait_committed(broker, topic, f"g-{topic}", len(USER_LINES))
        yield broker, out, proc
    finally:
        broker.stop()


def test_the_broker_going_away_is_survived_and_a_signal_during_the_outage_writes(
        running: Callable[..., Running], tmp_path: Path) -> None:
    with own_broker_followed(running, tmp_path) as (broker, out, proc):
        broker.stop()
        proc.wait_for(lambda s: "lost the Kafka broker" in s, "an outage warning")
        time.sleep(1)
        assert proc.proc.poll() is None   # still running, retrying
        assert proc.stop(signal.SIGTERM) == 0, proc.stderr
    assert spec_of(out) == file_spec(tmp_path, USER_LINES)
    assert "144 records read" in proc.stderr


def test_a_signal_while_the_broker_hangs_writes_and_exits_after_the_commit_wait(
        running: Callable[..., Running], tmp_path: Path) -> None:
    # a broker stopped (SIGSTOP), not gone: its connections stay open and nothing answers. librdkafka's
    # offset commit has no timeout: the follower, its spec written, waited there until the broker came back
    with own_broker_followed(running, tmp_path) as (broker, out, proc):
        assert broker.pid is not None
        os.kill(broker.pid, signal.SIGSTOP)
        try:
            started = time.monotonic()
            assert proc.stop(signal.SIGINT, timeout=40) == 0, proc.stderr
            took = time.monotonic() - started
        finally:
            os.kill(broker.pid, signal.SIGCONT)
    assert took < COMMIT_WAIT_S + 10, (took, proc.stderr)
    assert "Kafka did not answer the offset commit" in proc.stderr, proc.stderr
    assert spec_of(out) == file_spec(tmp_path, USER_LINES)


@contextlib.contextmanager
def restarted(broker: Broker) -> Iterator[None]:
    """Stop an Apache Kafka broker keeping its data, then start it again on the same port and data."""
    assert broker.home is not None and broker.pid is not None
    terminate(broker.pid, broker.process, 15)
    broker.pid = broker.process = None
    yield
    log = broker.home / "server-again.log"
    with log.open("wb") as fh:
        proc = subprocess.Popen([*java_command(fetch_kafka()), *HEAP_OPTS, "kafka.Kafka",
                                 str(broker.home / "server.properties")], cwd=broker.home,
                                stdin=subprocess.DEVNULL, stdout=fh, stderr=subprocess.STDOUT,
                                start_new_session=True)
    broker.pid, broker.process = proc.pid, proc
    port = int(broker.bootstrap.rsplit(":", 1)[1])
    deadline = time.monotonic() + 90
    while not (port_open(port) and "Kafka Server started" in log.read_text(errors="replace")):
        assert proc.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
        time.sleep(0.2)


@pytest.mark.skipif(default_kind() != "apache", reason="runs with Apache Kafka only (this run uses Tansu, "
                    "which keeps no data across a restart)")
def test_following_resumes_when_the_broker_is_back(running: Callable[..., Running], tmp_path: Path) -> None:
    broker = start_broker("apache", tmp_path)   # our own broker: this test stops and restarts it
    try:
        topic = new_topic(broker)
        produce(broker, topic, USER_LINES)
        out = tmp_path / "spec"
        proc = running(*kafka_args(broker, topic), "-o", str(out), "--checkpoint-interval", "1",
                       "-X", "reconnect.backoff.max.ms=1000")
        wait_committed(broker, topic, f"g-{topic}", len(USER_LINES))
        with restarted(broker):
            proc.wait_for(lambda s: "lost the Kafka broker" in s, "an outage warning")
        extra = [json.dumps(record("delete", f"/sessions/{i}", 204)).encode() for i in range(9)]
        produce(broker, topic, extra)
        proc.wait_for(lambda s: "the Kafka broker is back" in s, "the broker's return", timeout=60)
        wait_committed(broker, topic, f"g-{topic}", len(USER_LINES) + len(extra), timeout=60)
        assert proc.stop(signal.SIGINT) == 0, proc.stderr
    finally:
        broker.stop()
    assert spec_of(out) == file_spec(tmp_path, [*USER_LINES, *extra])
    assert "153 records read" in proc.stderr


# -- compression and produce -----------------------------------------------------------------------

@pytest.mark.parametrize("codec", ["gzip", "snappy", "lz4", "zstd"])
def test_compressed_topics_with_three_partitions(kafka_broker: Broker, tmp_path: Path, codec: str) -> None:
    topic = new_topic(kafka_broker)
    r = specbuild("produce", "-i", str(USERS), "--topic", topic, "-b", kafka_broker.bootstrap,
                  "--compression", codec)
    assert r.returncode == 0, r.stderr
    assert "144 records produced" in r.stderr
    out = tmp_path / "spec"
    r = specbuild(*kafka_args(kafka_broker, topic), "-o", str(out), "--until-end", "-q")
    assert r.returncode == 0, r.stderr
    assert spec_of(out) == file_spec(tmp_path, USER_LINES)


def test_produce_round_trip_counts_and_locates_bad_records(kafka_broker: Broker, tmp_path: Path) -> None:
    topic = new_topic(kafka_broker)
    r = specbuild("produce", "-i", str(MESSY), "--topic", topic, "-b", kafka_broker.bootstrap)
    assert r.returncode == 0, r.stderr
    assert "warning: messy.jsonl:11: not a JSON record" in r.stderr
    produced = int(r.stderr.split(" records produced")[0].rsplit(" ", 1)[1])
    bad = int(r.stderr.split(" bad records skipped")[0].rsplit(" ", 1)[1])
    assert produced + bad == len(messy_lines()) and bad > 0
    out = tmp_path / "spec"
    r = specbuild(*kafka_args(kafka_broker, topic), "-o", str(out), "--until-end")
    assert r.returncode == 0, r.stderr
    assert f"{produced} records read, {produced} learned, 0 skipped" in r.stderr
    assert spec_of(out) == file_spec(tmp_path, messy_lines())


def test_max_records_and_restart_continue_where_the_state_ends(kafka_broker: Broker, tmp_path: Path) -> None:
    topic = new_topic(kafka_broker)
    produce(kafka_broker, topic, USER_LINES)
    out = tmp_path / "spec"
    args = [*kafka_args(kafka_broker, topic), "-o", str(out)]
    r = specbuild(*args, "--max-records", "50")
    assert r.returncode == 0 and "50 records read" in r.stderr, r.stderr
    r = specbuild(*args, "--until-end")
    assert r.returncode == 0 and "94 records read" in r.stderr, r.stderr
    assert spec_of(out) == file_spec(tmp_path, USER_LINES)


def test_a_hostile_corpus_is_followed_to_the_end_with_every_skip_dead_lettered(kafka_broker: Broker,
                                                                                tmp_path: Path) -> None:
    """Issue 16's corpus (tests/hostile.py) through a topic: what a file replay of it does, skips kept."""
    lines = [raw for _, raw in hostile_corpus() if len(raw) < KAFKA_MAX_BYTES]
    topic = new_topic(kafka_broker, partitions=1)
    produce(kafka_broker, topic, lines, partition=0)
    dead, out = tmp_path / "dead.jsonl", tmp_path / "spec"
    cap = ["--max-body-bytes", "500000"]  # body-600k goes over it
    r = specbuild(*kafka_args(kafka_broker, topic), "-o", str(out), "--until-end", "--dead-letter", str(dead), *cap,
                  timeout=90)
    assert r.returncode == 0, r.stderr[-3000:]
    counts = re.search(r"(\d+) records read, (\d+) learned, (\d+) skipped", r.stderr)
    assert counts is not None, r.stderr[-3000:]
    read, learned, skipped = map(int, counts.groups())
    assert read == len(lines) == learned + skipped and skipped > 0
    assert "1 record had a body over --max-body-bytes" in r.stderr
    first = rf"not parsed\); the first: {re.escape(topic)}\[0\]@\d+: (?:request|response) body of [\d,]+ characters"
    assert re.search(first + " is over --max-body-bytes 500,000", r.stderr), r.stderr[-3000:]
    entries = [json.loads(line) for line in dead.read_bytes().splitlines()]
    assert len(entries) == skipped
    for entry in entries:
        offset = int(entry["origin"].removeprefix(f"{topic}[0]@"))
        value = entry["value"].encode() if "value" in entry else base64.b64decode(entry["value_base64"])
        assert value == lines[offset], entry["origin"]
        assert entry["reason"] and entry["detail"]
    doc = json.loads(spec_of(out))
    assert spec_problems(doc) == []
    assert not [key for key in doc["paths"] if any(bad in key for bad in FORBIDDEN_IN_PATH_KEYS)]
    src = tmp_path / "corpus.jsonl"
    src.write_bytes(b"".join(line + b"\n" for line in lines))
    replay = specbuild("-i", str(src), "-o", str(tmp_path / "replay"), "-q", *cap)
    assert replay.returncode == 0, replay.stderr
    assert spec_of(out) == spec_of(tmp_path / "replay")


# -- kcat habits: -t, -e, -p, --start-offset, --start-time, a pattern --------------------------------------

def checked(broker: Broker, *args: str) -> dict[str, int]:
    """``specbuild check`` of a topic as a user runs it (kcat's short forms); how many exchanges it read."""
    overrides = [f"-X{k}={str(v).lower() if isinstance(v, bool) else v}"
                 for k, v in consumer_overrides(broker.kind).items()]
    r = specbuild("check", "--spec", str(FIXTURES / "users.openapi.json"), "-b", broker.bootstrap, "-e",
                  "-f", "json", *overrides, *args)
    assert r.returncode in (0, 1), r.stderr
    summary: dict[str, int] = json.loads(r.stdout)["summary"]
    return summary


def test_kcat_short_forms_choose_partitions_and_where_to_start(kafka_broker: Broker) -> None:
    topic = new_topic(kafka_broker)
    for p in range(3):
        produce(kafka_broker, topic, USER_LINES[:10 * (p + 1)], partition=p)  # 10, 20 and 30 records
    assert checked(kafka_broker, "-t", topic)["exchanges"] == 60
    assert checked(kafka_broker, "-t", topic, "-p", "1")["exchanges"] == 20
    assert checked(kafka_broker, "-t", topic, "-p", "0", "-p", "2")["exchanges"] == 40
    assert checked(kafka_broker, "-t", topic, "-p", "2", "--start-offset", "25")["exchanges"] == 5
    assert checked(kafka_broker, "-t", topic, "--start-offset", "end")["exchanges"] == 0
    assert checked(kafka_broker, "-t", topic, "--start-offset", "beginning", "-p", "0")["exchanges"] == 10
    if kafka_broker.kind != "tansu":  # Tansu's ListOffsets(latest) is batch-granular (tests/brokers.py)
        assert checked(kafka_broker, "-t", topic, "--start-offset", "-3")["exchanges"] == 9
    assert checked(kafka_broker, "-t", f"^{re.escape(topic)}$")["exchanges"] == 60
    r = specbuild("check", "--spec", str(FIXTURES / "users.openapi.json"), "-b", kafka_broker.bootstrap, "-e",
                  "-t", topic, "-p", "7")
    assert r.returncode == 2 and f"Error: topic {topic} has no partition 7 (it has 3: 0..2)" in r.stderr
    nothing = specbuild("check", "--spec", str(FIXTURES / "users.openapi.json"), "-b", kafka_broker.bootstrap,
                        "-e", "-t", "^no-such-topic-.*")
    assert nothing.returncode == 2 and "Error: no topic matches ^no-such-topic-.*" in nothing.stderr


def test_a_replay_that_learned_nothing_writes_no_spec_and_fails_as_a_file_build_does(
        kafka_broker: Broker, tmp_path: Path) -> None:
    # -e on an empty topic (retention expired, a topic nothing produced to yet) wrote a spec of no paths and
    # exited 0, and with --check the drift gate said "no changes": a CI job passed on nothing (trial24)
    empty = new_topic(kafka_broker, 1)
    out = tmp_path / "spec"
    r = specbuild(*kafka_args(kafka_broker, empty), "-o", str(out), "-e", "--check", str(USERS.with_name(
        "users.openapi.json")))
    assert r.returncode == 2, r.stderr
    assert f"Error: nothing learned: {empty} holds no records" in r.stderr, r.stderr
    assert "no changes" not in r.stdout and not (out / "openapi.json").exists()
    topic = new_topic(kafka_broker, 1)
    produce(kafka_broker, topic, USER_LINES[:5])
    filtered = specbuild(*kafka_args(kafka_broker, topic), "-o", str(tmp_path / "f"), "-e", "--method", "PATCH")
    assert filtered.returncode == 2, filtered.stderr
    assert "Error: nothing learned: all 5 records were filtered out (--method 'PATCH')" in filtered.stderr
    assert not (tmp_path / "f" / "openapi.json").exists()
    # a resumed replay that read nothing new still has what it learned before: no error
    learned = specbuild(*kafka_args(kafka_broker, topic, f"r-{topic}"), "-o", str(tmp_path / "r"), "-e")
    again = specbuild(*kafka_args(kafka_broker, topic, f"r-{topic}"), "-o", str(tmp_path / "r"), "-e")
    assert (learned.returncode, again.returncode) == (0, 0), again.stderr
    assert "0 records read" in again.stderr and (tmp_path / "r" / "openapi.json").exists()


def test_a_replay_that_learned_nothing_leaves_the_spec_already_in_its_folder(
        kafka_broker: Broker, tmp_path: Path) -> None:
    # a file build that learns nothing writes nothing: the spec already in its folder stays. The replay
    # wrote its spec of no paths over it, then removed it (review27, of bfd7709): `-o spec/ --check
    # spec/openapi.json` on an empty topic deleted the committed spec it checked against
    # -- and it was put back by a second write: a run killed between the two, or a reader in between, had
    # the spec of nothing. A replay writes no spec until it learned something: the file is never touched.
    out = tmp_path / "spec"
    built = specbuild("-i", str(USERS), "-o", str(out), "-q")
    assert built.returncode == 0, built.stderr
    spec = out / "openapi.json"
    before = spec.read_bytes()
    os.utime(spec, ns=(1_000_000_000, 1_000_000_000))
    untouched = (spec.stat().st_ino, spec.stat().st_mtime_ns)
    empty = new_topic(kafka_broker, 1)
    r = specbuild(*kafka_args(kafka_broker, empty), "-o", str(out), "-e", "--check", str(spec))
    assert r.returncode == 2 and "Error: nothing learned" in r.stderr, r.stderr
    assert spec.read_bytes() == before and (spec.stat().st_ino, spec.stat().st_mtime_ns) == untouched
    # nor is a spec of the --spec base alone a result (a file build refuses it too), nor one on stdout
    based = specbuild(*kafka_args(kafka_broker, empty), "-o", str(tmp_path / "b"), "-e", "--spec", str(spec))
    assert based.returncode == 2 and "Error: nothing learned" in based.stderr, based.stderr
    assert not (tmp_path / "b" / "openapi.json").exists()
    printed = specbuild(*kafka_args(kafka_broker, empty), "-o", "-", "-e")
    assert printed.returncode == 2 and printed.stdout == "", printed.stdout[:200]


@pytest.mark.parametrize("pattern", [False, True], ids=["name", "pattern"])
def test_a_topic_created_after_the_follower_started_is_followed_within_seconds(
        kafka_broker: Broker, running: Callable[..., Running], tmp_path: Path, pattern: bool) -> None:
    # The follower says it waits for a topic that does not exist yet (or a pattern that matches none);
    # librdkafka looks for new topics on its metadata refresh, every 5 minutes by default: a follower
    # started before the services that produce saw their topic 80 s later still not assigned (trial24).
    topic = f"t-{uuid.uuid4().hex[:10]}"
    asked = f"^{re.escape(topic)}$" if pattern else topic
    proc = running(*kafka_args(kafka_broker, asked), "-o", str(tmp_path / "spec"), "--checkpoint-interval", "1")
    proc.wait_for(lambda err: "waiting for it" in err, "the warning about the missing topic")
    create_topic(kafka_broker.bootstrap, topic, 1)
    produce(kafka_broker, topic, USER_LINES)
    proc.wait_for(lambda err: f"assigned {topic}[0]" in err, "the new topic's partition", timeout=30)
    wait_committed(kafka_broker, topic, f"g-{asked}", len(USER_LINES), partitions=1)
    assert proc.stop() == 0, proc.stderr
    assert spec_of(tmp_path / "spec") == file_spec(tmp_path, USER_LINES)


@pytest.mark.skipif(os.environ.get("SPECBUILD_TEST_BROKER", "").strip() == "tansu",
                    reason="Tansu's offsets_for_times is batch-granular (tests/brokers.py)")
def test_start_time_starts_at_the_first_record_at_or_after_it(kafka_broker: Broker) -> None:
    topic = new_topic(kafka_broker, partitions=1)
    hour_ago = int(time.time() * 1000) - 3_600_000
    producer = Producer({"bootstrap.servers": kafka_broker.bootstrap})
    for i, line in enumerate(USER_LINES[:30]):  # 10 an hour ago, 20 a minute apart from 30 minutes ago
        producer.produce(topic, value=line, partition=0,
                         timestamp=hour_ago if i < 10 else hour_ago + 1_800_000 + 60_000 * i)
    assert producer.flush(30) == 0
    iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime((hour_ago + 1_800_000) / 1000))
    assert checked(kafka_broker, "-t", topic, "--start-time", iso)["exchanges"] == 20
    assert checked(kafka_broker, "-t", topic, "--start-time", str(hour_ago + 1_800_000 + 60_000 * 25))[
        "exchanges"] == 5
    assert checked(kafka_broker, "-t", topic, "--start-time", str(int(time.time() * 1000) + 60_000))[
        "exchanges"] == 0


def test_a_start_asked_of_a_folder_with_a_saved_state_is_refused_until_it_is_reset(
        kafka_broker: Broker, tmp_path: Path) -> None:
    """`--from-beginning -g new` in a used folder resumed the old state with a note only."""
    topic = new_topic(kafka_broker)
    produce(kafka_broker, topic, USER_LINES[:50])
    out = tmp_path / "spec"
    first = specbuild(*kafka_args(kafka_broker, topic), "-o", str(out), "-e")
    assert first.returncode == 0, first.stderr
    produce(kafka_broker, topic, USER_LINES[50:])
    again = specbuild(*kafka_args(kafka_broker, topic, f"g-{topic}-new"), "-o", str(out), "-e", "--from-beginning")
    assert again.returncode == 2 and again.stderr.startswith(f"Error: {out} holds a saved state (50 exchanges "
                                                             "learned"), again.stderr
    assert "--from-beginning would not apply" in again.stderr and "hint: --reset-state" in again.stderr
    reset = specbuild(*kafka_args(kafka_broker, topic, f"g-{topic}-new"), "-o", str(out), "-e", "--from-beginning",
                      "--reset-state")
    assert reset.returncode == 0, reset.stderr
    assert "--reset-state: removed" in reset.stderr and "144 records read" in reset.stderr
    assert spec_of(out) == file_spec(tmp_path, USER_LINES)
def test_a_har_produced_and_followed_with_filters_gives_the_file_builds_spec(kafka_broker: Broker,
                                                                            tmp_path: Path) -> None:
    """`produce -i session.har` sends each entry as its HTTP Types record; the follower filters as a file
    build does (--include-path, --method) and counts what it left out."""
    har = ROOT / "fixtures" / "har" / "devtools.har"
    topic = new_topic(kafka_broker)
    sent = specbuild("produce", "-i", str(har), "--topic", topic, "-b", kafka_broker.bootstrap)
    assert sent.returncode == 0, sent.stderr
    assert "warning: devtools.har#/log/entries/4: record has no 'response' object" in sent.stderr
    filters = ["--include-path", "/users/**", "--method", "GET"]
    out = tmp_path / "spec"
    r = specbuild(*kafka_args(kafka_broker, topic), "-o", str(out), "--until-end", *filters)
    assert r.returncode == 0, r.stderr
    assert "4 records read, 2 learned, 2 filtered out, 0 skipped" in r.stderr
    built = specbuild("-i", str(har), "-o", str(tmp_path / "file"), "-q", *filters)
    assert built.returncode == 0, built.stderr
    assert spec_of(out) == spec_of(tmp_path / "file")
