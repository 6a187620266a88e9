"""The follow loop and the Kafka source wrapper, with an in-memory consumer passed in.

FakeConsumer speaks the slice of confluent_kafka.Consumer's interface that KafkaSource uses
(subscribe with rebalance callbacks, assign, consume, watermarks, commit, close), so these tests
cover the wrapper as well as the loop. The real broker is in test_kafka_integration.py.
"""

from __future__ import annotations

import json
import signal
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from specbuild.cli.console import Reporter
from specbuild.cli.produce import send_all, summary
from specbuild.errors import InputError, RecordError, SourceError, UsageError
from specbuild.io.files import dumps
from specbuild.kafka import follow as follow_module
from specbuild.kafka.checkpoint import STATE_NAME, Checkpoints, DeadLetter, State, StdoutCheckpoints, decode_state
from specbuild.kafka.client import (
    PARTITION_EOF,
    Connection,
    Health,
    KafkaSink,
    KafkaSource,
    StopAt,
    consumer_config,
    cooperative,
    describe,
    is_cooperative,
    parse_overrides,
    parse_properties,
    producer_config,
)
from specbuild.kafka.follow import (
    BATCH_BYTES,
    COUNT_EVERY,
    MIN_BATCH,
    Counts,
    Follower,
    Limits,
    StopSignals,
    batch_size,
)
from specbuild.kafka.pool import BATCH, LocalFolder
from specbuild.learn.builder import SpecBuilder
from specbuild.run import Fold, build_document
from tests.helpers import FIXTURES, record

USERS = [ln for ln in (FIXTURES / "users.jsonl").read_bytes().splitlines() if ln.strip()]
TRANSPORT = -195
FATAL = -150


# -- the fake consumer -----------------------------------------------------------------------------

@dataclass
class FakeError:
    code_: int
    text: str = "boom"
    fatal_: bool = False

    def code(self) -> int:
        return self.code_

    def str(self) -> str:
        return self.text

    def fatal(self) -> bool:
        return self.fatal_


@dataclass
class FakeMessage:
    topic_: str
    partition_: int
    offset_: int
    value_: bytes | None
    error_: FakeError | None = None

    def error(self) -> FakeError | None:
        return self.error_

    def topic(self) -> str:
        return self.topic_

    def partition(self) -> int:
        return self.partition_

    def offset(self) -> int:
        return self.offset_

    def value(self) -> bytes | None:
        return self.value_


@dataclass
class FakeTP:
    topic: str
    partition: int
    offset: int = -1001
    error: FakeError | None = None


@dataclass
class FakeConsumer:
    """Partitions held in memory; the only group member, assigned everything at the first consume."""

    logs: dict[tuple[str, int], list[bytes | None]]
    committed: dict[tuple[str, int], int] = field(default_factory=dict)
    per_consume: int = 1_000_000           # at most this many messages per consume(), to get many batches
    on_commit: Callable[[dict[tuple[str, int], int]], None] | None = None
    positions: dict[tuple[str, int], int] = field(default_factory=dict)
    started_at: dict[tuple[str, int], int] = field(default_factory=dict)
    commits: list[dict[tuple[str, int], int]] = field(default_factory=list)
    eof_sent: set[tuple[str, int]] = field(default_factory=set)
    callbacks: dict[str, Any] = field(default_factory=dict)
    pending_assign: bool = False
    closed: bool = False
    consumes: int = 0

    def subscribe(self, topics: list[str], on_assign: Any, on_revoke: Any, on_lost: Any) -> None:
        self.callbacks = {"assign": on_assign, "revoke": on_revoke, "lost": on_lost}
        self.pending_assign = True

    def assign(self, parts: list[FakeTP]) -> None:
        for tp in parts:
            key = (tp.topic, tp.partition)
            start = tp.offset if tp.offset >= 0 else self.committed.get(key, 0)
            self.positions[key] = self.started_at[key] = start
            self.eof_sent.discard(key)

    def rebalance(self, keep: Iterable[tuple[str, int]]) -> None:
        """An eager rebalance: everything revoked, then ``keep`` assigned again."""
        self.callbacks["revoke"](self, [FakeTP(t, p) for t, p in sorted(self.positions)])
        self.positions.clear()
        self.callbacks["assign"](self, [FakeTP(t, p) for t, p in keep])

    def consume(self, num_messages: int, timeout: float) -> list[FakeMessage]:
        self.consumes += 1
        if self.pending_assign:
            self.pending_assign = False
            self.callbacks["assign"](self, [FakeTP(t, p) for t, p in sorted(self.logs)])
        out: list[FakeMessage] = []
        limit = min(num_messages, self.per_consume)
        moved = True
        while moved and len(out) < limit:  # one message per partition in turn, like interleaved fetches
            moved = False
            for key in sorted(self.positions):
                log, pos = self.logs[key], self.positions[key]
                if len(out) >= limit:
                    break
                if pos < len(log):
                    out.append(FakeMessage(key[0], key[1], pos, log[pos]))
                    self.positions[key] = pos + 1
                    moved = True
                elif key not in self.eof_sent:
                    out.append(FakeMessage(key[0], key[1], len(log), None, FakeError(PARTITION_EOF)))
                    self.eof_sent.add(key)
        return out

    def position(self, parts: list[Any]) -> list[FakeTP]:
        return [FakeTP(tp.topic, tp.partition, self.positions.get((tp.topic, tp.partition), -1001))
                for tp in parts]

    def get_watermark_offsets(self, tp: Any, cached: bool = False) -> tuple[int, int]:
        return 0, len(self.logs[(tp.topic, tp.partition)])

    def commit(self, offsets: list[Any], asynchronous: bool = True) -> list[Any]:
        done = {(tp.topic, tp.partition): tp.offset for tp in offsets}
        if self.on_commit is not None:
            self.on_commit(done)
        self.commits.append(done)
        self.committed.update(done)
        return [FakeTP(t, p, o) for (t, p), o in done.items()]

    def close(self) -> None:
        if self.positions:
            self.callbacks["revoke"](self, [FakeTP(t, p) for t, p in sorted(self.positions)])
        self.positions.clear()
        self.closed = True


Logs = dict[tuple[str, int], list[bytes | None]]


def spread(values: Iterable[bytes | None], parts: int = 3, topic: str = "t") -> Logs:
    """Round-robin values over ``parts`` partitions, as a producer without keys roughly does."""
    logs: Logs = {(topic, p): [] for p in range(parts)}
    for i, v in enumerate(values):
        logs[(topic, i % parts)].append(v)
    return logs


@dataclass
class Harness:
    """A follower over a fake consumer, writing checkpoints into ``out``."""

    consumer: FakeConsumer
    out: Path
    limits: Limits
    positions: dict[tuple[str, int], int] = field(default_factory=dict)
    builder: SpecBuilder = field(default_factory=SpecBuilder)
    notes: list[str] = field(default_factory=list)
    warnings: list[RecordError] = field(default_factory=list)
    dead: DeadLetter | None = None
    strict: bool = False

    def __post_init__(self) -> None:
        self.store = Checkpoints(self.out, "json", None, None)
        saved = self.store.load()
        if saved is not None:
            self.builder, self.positions = saved.builder, saved.positions
        self.source = KafkaSource(self.consumer, ["t"], self.positions, note=self.notes.append)
        self.source.subscribe()
        self.fold = Fold(self.builder, strict=self.strict, on_skip=self.warnings.append)
        self.folder = LocalFolder(self.fold, self.dead)
        self.follower = Follower(self.source, self.folder, self.positions, checkpoints=self.store,
                                 limits=self.limits, dead_letter=self.dead)

    def run(self, should_stop: Callable[[], bool] = lambda: False) -> str:
        reason = self.follower.run(should_stop)
        self.source.close()
        return reason

    def spec(self) -> bytes:
        return (self.out / "openapi.json").read_bytes()


def file_replay(values: Iterable[bytes | None]) -> bytes:
    builder = SpecBuilder()
    fold = Fold(builder)
    fold.feed((v, f"x:{i}") for i, v in enumerate(values) if v is not None)
    return dumps(build_document(builder))


# -- the loop --------------------------------------------------------------------------------------

def test_until_end_folds_every_partition_like_a_file(tmp_path: Path) -> None:
    consumer = FakeConsumer(spread(list(USERS)), per_consume=50)
    h = Harness(consumer, tmp_path / "out", Limits(until_end=True))
    assert h.run() == "end"
    assert h.fold.stats.read == len(USERS) == h.fold.stats.learned
    assert h.spec() == file_replay(USERS)
    ends = {key: len(log) for key, log in consumer.logs.items()}
    assert h.positions == ends
    assert consumer.commits[-1] == ends
    assert consumer.closed
    assert any("assigned t[0,1,2]" in n for n in h.notes)


class SizingFolder(LocalFolder):
    """A local folder that notes what the follower tells it about the backlog, and when."""

    def __init__(self, fold: Fold) -> None:
        super().__init__(fold)
        self.events: list[tuple[str, int | None]] = []

    def add(self, records: Sequence[tuple[bytes | None, str]]) -> None:
        self.events.append(("add", len(records)))
        super().add(records)

    def backlog(self, lag: int | None) -> None:
        self.events.append(("backlog", lag))


def test_the_backlog_is_sized_up_at_the_first_batch(tmp_path: Path) -> None:
    """A replay moves to the pool before its first batch is folded here, not at the first progress tick."""
    h = Harness(FakeConsumer(spread(list(USERS)), per_consume=40), tmp_path / "out", Limits(until_end=True))
    folder = SizingFolder(h.fold)
    h.follower.folder = folder
    h.run()
    assert folder.events[:2] == [("backlog", len(USERS) - 40), ("add", 40)]  # what is behind this batch
    assert h.spec() == file_replay(USERS)


def test_batches_of_large_records_are_fewer_records() -> None:
    """A batch waits in memory for a fold worker: its size is bounded in bytes as well as in records."""
    small, large = b"x" * 1000, b"x" * (512 << 10)
    assert batch_size([(small, "t[0]@0")] * 10) == BATCH
    assert batch_size([(None, "t[0]@0")]) == BATCH               # tombstones only
    assert batch_size([(large, "t[0]@0"), (None, "t[0]@1")]) == BATCH_BYTES * 2 // len(large)
    assert batch_size([(b"x" * (64 << 20), "t[0]@0")]) == MIN_BATCH


def test_the_follower_asks_for_fewer_records_when_they_are_large(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(follow_module, "BATCH_BYTES", 20 * len(USERS[0]))
    h = Harness(FakeConsumer(spread(list(USERS)), per_consume=50), tmp_path / "out", Limits(until_end=True))
    folder = SizingFolder(h.fold)
    h.follower.folder = folder
    h.run()
    sizes = [n for kind, n in folder.events if kind == "add"]
    assert sizes[0] == 50 and max(sizes[1:]) < 40    # then about 20 records' worth of bytes at a time
    assert h.spec() == file_replay(USERS)


def test_bad_records_are_skipped_counted_located_and_dead_lettered(tmp_path: Path) -> None:
    bad: list[bytes | None] = [b"not json", None, b'{"request": {"method": "GET"}}', b"[1, 2]", b"\xff\xfe"]
    logs = {("t", 0): [USERS[0], *bad, USERS[1]]}
    dl = tmp_path / "dead.jsonl"
    with open(dl, "ab") as fh:
        h = Harness(FakeConsumer(logs), tmp_path / "out", Limits(until_end=True), dead=DeadLetter(fh))
        h.run()
    stats = h.fold.stats
    assert (stats.read, stats.learned, sum(stats.skipped.values())) == (7, 2, 5)
    assert stats.skipped["tombstone"] == 1 and stats.skipped["not-json"] == 2
    assert [w.origin for w in h.warnings] == [f"t[0]@{i}" for i in range(1, 6)]
    assert "t[0]@2" in str(h.warnings[1])
    lines = [json.loads(x) for x in dl.read_bytes().splitlines()]
    assert [x["origin"] for x in lines] == [f"t[0]@{i}" for i in range(1, 6)]
    assert lines[0]["value"] == "not json" and lines[1]["value"] is None
    assert lines[4]["value_base64"] == "//4="
    assert h.positions == {("t", 0): 7}  # bad records are consumed past, never retried


def test_max_records_stops_exactly_there(tmp_path: Path) -> None:
    h = Harness(FakeConsumer(spread(list(USERS))), tmp_path / "out", Limits(max_records=10))
    assert h.run() == "max-records"
    assert h.fold.stats.read == 10
    assert sum(h.positions.values()) == 10


def test_idle_timeout_stops_a_quiet_topic(tmp_path: Path) -> None:
    ticks = iter(range(1000))
    h = Harness(FakeConsumer({("t", 0): [USERS[0]]}), tmp_path / "out", Limits(idle_timeout=5))
    h.follower.clock = lambda: float(next(ticks))
    assert h.run() == "idle-timeout"
    assert h.fold.stats.read == 1
    assert (h.out / "openapi.json").exists()


def test_a_stop_request_writes_spec_and_state_then_commits(tmp_path: Path) -> None:
    consumer = FakeConsumer(spread(list(USERS)), per_consume=10)
    calls = iter(range(1000))
    h = Harness(consumer, tmp_path / "out", Limits())
    assert h.run(lambda: next(calls) >= 3) == "signal"
    assert h.fold.stats.read == 30
    state = decode_state((h.out / STATE_NAME).read_bytes(), "state")
    assert state.positions == h.positions and sum(state.positions.values()) == 30
    assert consumer.commits[-1] == h.positions


def test_offsets_are_committed_only_after_the_state_that_holds_them_is_on_disk(tmp_path: Path) -> None:
    out = tmp_path / "out"
    seen: list[dict[tuple[str, int], int]] = []

    def check(offsets: dict[tuple[str, int], int]) -> None:
        saved = decode_state((out / STATE_NAME).read_bytes(), "state").positions
        assert {k: saved[k] for k in offsets} == offsets
        seen.append(offsets)

    consumer = FakeConsumer(spread(list(USERS)), per_consume=7, on_commit=check)
    Harness(consumer, out, Limits(until_end=True, checkpoint_interval=0)).run()
    assert len(seen) > 3


class Killed(BaseException):
    pass


class KillingStore(Checkpoints):
    """Dies (like SIGKILL) right after the ``n``-th checkpoint reached the disk."""

    def __init__(self, out: Path, n: int) -> None:
        super().__init__(out, "json", None, None)
        self.n = n

    def write(self, state: State) -> tuple[dict[str, Any], Path | None]:
        result = super().write(state)
        self.n -= 1
        if self.n == 0:
            raise Killed
        return result


def test_killed_then_restarted_gives_the_same_bytes_as_never_stopped(tmp_path: Path) -> None:
    values: list[bytes | None] = [*USERS, *USERS[:40]]   # duplicates too: same result
    Harness(FakeConsumer(spread(values)), tmp_path / "whole", Limits(until_end=True)).run()
    expected = (tmp_path / "whole" / "openapi.json").read_bytes()

    out = tmp_path / "killed"
    logs = spread(values)
    first = Harness(FakeConsumer(logs, per_consume=9), out, Limits(until_end=True, checkpoint_interval=0))
    first.store = first.follower.checkpoints = KillingStore(out, 4)
    with pytest.raises(Killed):
        first.follower.run()
    folded_before = first.fold.stats.read
    saved = decode_state((out / STATE_NAME).read_bytes(), "state")
    # the group's commits are behind the state (say the last commit never reached the broker):
    behind = {k: max(0, v - 5) for k, v in saved.positions.items()}
    second_consumer = FakeConsumer(logs, committed=behind)
    second = Harness(second_consumer, out, Limits(until_end=True))
    second.run()
    assert second_consumer.started_at == saved.positions    # resumed from the state, not the group
    assert second.spec() == expected
    assert second.builder.exchanges == len(values)           # every record folded exactly once
    assert second.fold.stats.read == len(values) - sum(saved.positions.values())
    assert folded_before == sum(saved.positions.values())


def test_a_revoke_checkpoints_and_commits_before_the_partitions_move(tmp_path: Path) -> None:
    consumer = FakeConsumer(spread(list(USERS)), per_consume=20)
    h = Harness(consumer, tmp_path / "out", Limits(max_records=20))
    h.follower.run()
    assert consumer.commits[-1] == h.positions
    batch = h.source.poll(5, 0.1)   # folded since the last checkpoint
    h.folder.add(batch.records)
    h.positions.update(batch.ends)
    h.follower.dirty = True
    before = len(consumer.commits)
    consumer.rebalance(keep=[("t", 0)])
    assert len(consumer.commits) == before + 1
    assert h.source.assigned == {("t", 0)}
    assert consumer.started_at[("t", 0)] == h.positions[("t", 0)]


def test_the_live_line_counts_paths_and_operations_between_checkpoints(tmp_path: Path) -> None:
    """They were the last checkpoint's: none for the first --checkpoint-interval of a follow."""
    now = [0.0]
    h = Harness(FakeConsumer({}), tmp_path / "out", Limits(until_end=True))
    tally = Counts(clock=lambda: now[0])
    assert tally(h.follower) == {}  # nothing folded yet: no count, and the first records are counted at once
    h.folder.add([(r, f"x:{i}") for i, r in enumerate(USERS)])
    rendered = build_document(h.builder)["paths"]
    assert h.follower.doc is None and tally(h.follower) == {
        "paths": len(rendered), "operations": sum(len(item) for item in rendered.values())} == {
        "paths": 3, "operations": 5}
    h.folder.add([(json.dumps(record("delete", "/teams/x")).encode(), "y:1")])
    assert tally(h.follower)["paths"] == 3      # recounted every few seconds, not every redraw
    now[0] += COUNT_EVERY
    assert tally(h.follower) == {"paths": 4, "operations": 6}
    # a person's spec overlaid adds paths the builder does not have: the checkpoint's document says
    assert Counts(overlaid=True)(h.follower) == {}


def test_strict_mode_stops_without_checkpoint_or_commit(tmp_path: Path) -> None:
    consumer = FakeConsumer({("t", 0): [USERS[0], b"nope"]})
    h = Harness(consumer, tmp_path / "out", Limits(until_end=True), strict=True)
    with pytest.raises(RecordError):
        h.follower.run()
    h.source.close()
    assert consumer.commits == []
    assert not (h.out / "openapi.json").exists()


def test_stdout_output_writes_once_and_commits_nothing(tmp_path: Path, capsysbinary: Any) -> None:
    consumer = FakeConsumer(spread(list(USERS)), per_consume=5)
    source = KafkaSource(consumer, ["t"], {})
    source.subscribe()
    fold = Fold(SpecBuilder())
    follower = Follower(source, LocalFolder(fold), {}, checkpoints=StdoutCheckpoints("json", None, None),
                        limits=Limits(until_end=True, checkpoint_interval=0))
    follower.run()
    source.close()
    assert capsysbinary.readouterr().out == file_replay(USERS)
    assert consumer.commits == []


# -- the source wrapper ----------------------------------------------------------------------------

def test_assigned_partitions_start_at_the_callers_positions() -> None:
    consumer = FakeConsumer(spread(list(USERS)), committed={("t", 0): 1, ("t", 1): 2})
    source = KafkaSource(consumer, ["t"], {("t", 0): 5})
    source.subscribe()
    source.poll(1, 0.1)
    assert consumer.started_at == {("t", 0): 5, ("t", 1): 2, ("t", 2): 0}


def test_cooperative_groups_assign_incrementally() -> None:
    calls: list[str] = []

    class Coop(FakeConsumer):
        def incremental_assign(self, parts: list[FakeTP]) -> None:
            calls.append("incremental")
            self.assign(parts)

    consumer = Coop({("t", 0): [USERS[0]]})
    source = KafkaSource(consumer, ["t"], {}, cooperative=True)
    source.subscribe()
    assert source.poll(10, 0.1).records
    assert calls == ["incremental"]
    assert is_cooperative({"partition.assignment.strategy": "cooperative-sticky"})
    assert is_cooperative({"group.protocol": "consumer"})
    assert not is_cooperative({})
    # a joining member waits for two heartbeats of the others: every 250 ms, unless -X says otherwise
    assert cooperative({})["heartbeat.interval.ms"] == "250"
    assert cooperative({"heartbeat.interval.ms": "3000"})["heartbeat.interval.ms"] == "3000"
    # KIP-848: the broker sets the heartbeat and assigns (librdkafka refuses a client-side assignor there)
    assert cooperative({"group.protocol": "consumer"}) == {"group.protocol": "consumer"}


def test_eof_is_per_partition_and_a_new_record_clears_it() -> None:
    logs = spread(list(USERS[:6]))
    consumer = FakeConsumer(logs)
    source = KafkaSource(consumer, ["t"], {})
    source.subscribe()
    batch = source.poll(100, 0.1)
    assert len(batch.records) == 6 and batch.ends == {("t", 0): 2, ("t", 1): 2, ("t", 2): 2}
    assert source.at_end()
    logs[("t", 1)].append(USERS[7])
    consumer.eof_sent.discard(("t", 1))
    assert source.poll(1, 0.1).records == [(USERS[7], "t[1]@2")]
    assert not source.at_end()
    source.poll(10, 0.1)
    assert source.at_end()


def test_a_poll_asks_for_no_more_than_the_fetches_said_is_left() -> None:
    """consume() waits its whole timeout for as many messages as asked: near the end a poll asks for the
    records behind and one end-of-partition event per partition not at its end, so it returns at once."""
    asked: list[int] = []
    consumer = FakeConsumer(spread(list(USERS[:30])), per_consume=7)  # 10 per partition
    consume = consumer.consume
    consumer.consume = lambda num_messages, timeout: (asked.append(num_messages), consume(num_messages, timeout))[1]
    source = KafkaSource(consumer, ["t"], {})
    source.subscribe()
    positions = source.positions = {}
    while not source.at_end():
        positions.update(source.poll(100, 0.1).ends)
    assert asked == [100, 30 - 7 + 3, 30 - 14 + 3, 30 - 21 + 3, 30 - 28 + 3]  # the first: nothing assigned yet
    source.poll(100, 0.1)  # every partition at its end: as many as may come
    assert asked[-1] == 100


def test_nothing_assigned_is_not_the_end() -> None:
    source = KafkaSource(FakeConsumer({}), ["t"], {})
    assert not source.at_end()


def test_lag_comes_from_cached_watermarks_and_our_positions() -> None:
    consumer = FakeConsumer(spread(list(USERS[:30])))  # 10 per partition
    positions = {("t", 0): 4, ("t", 1): 10}
    source = KafkaSource(consumer, ["t"], positions)
    source.subscribe()
    source.poll(1, 0.1)
    assert source.lag() == 6 + 0 + 10   # partition 2, not folded yet: from where its fetching stands


def test_broker_loss_is_noted_once_then_its_return() -> None:
    notes: list[str] = []
    errors: list[Any] = [FakeError(TRANSPORT, "connection refused")] * 3
    consumer = FakeConsumer({("t", 0): [USERS[0]]})
    source = KafkaSource(consumer, ["t"], {}, errors=errors, note=notes.append)
    source.subscribe()
    source.poll(10, 0.1)
    assert [n for n in notes if "lost the Kafka broker" in n] == [
        "warning: lost the Kafka broker (connection refused); retrying"]
    assert any("broker is back" in n for n in notes)


def test_other_errors_are_rate_limited_and_fatal_ones_raise() -> None:
    notes: list[str] = []
    clock = iter([0.0, 1.0, 40.0]).__next__
    health = Health(notes.append, clock)
    for _ in range(3):
        health.error(FakeError(-1, "odd"))
    assert notes == ["warning: Kafka: odd", "warning: Kafka: odd"]
    with pytest.raises(SourceError, match="fenced"):
        health.error(FakeError(FATAL, "fenced", fatal_=True))


def test_commit_only_touches_partitions_we_hold() -> None:
    consumer = FakeConsumer(spread(list(USERS[:6]), parts=2))
    source = KafkaSource(consumer, ["t"], {})
    source.subscribe()
    source.poll(100, 0.1)
    consumer.rebalance(keep=[("t", 1)])
    assert source.commit({("t", 0): 3, ("t", 1): 3})
    assert consumer.commits == [{("t", 1): 3}]


def test_a_commit_kafka_does_not_answer_is_given_up_and_the_consumer_left_unclosed(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from specbuild.kafka import client as client_module

    monkeypatch.setattr(client_module, "COMMIT_WAIT_S", 0.2)
    answer = threading.Event()
    consumer = FakeConsumer(spread(list(USERS[:6]), parts=2), on_commit=lambda _: answer.wait(10) and None)
    notes: list[str] = []
    source = KafkaSource(consumer, ["t"], {}, note=notes.append)
    source.subscribe()
    source.poll(100, 0.1)
    assert not source.commit({("t", 0): 3})  # a hung broker: given up after COMMIT_WAIT_S
    assert not source.commit({("t", 0): 3})  # the first still waits: this one is not asked
    source.close()  # closing would wait for that broker too
    assert not consumer.closed
    assert [n.split(";")[0] for n in notes if n.startswith("warning")] == [
        "warning: Kafka did not answer the offset commit in 0 s (a broker that hangs?)",
        "warning: Kafka has not answered the last offset commit",
        "warning: Kafka does not answer",
    ]
    answer.set()


def test_describe_groups_partitions_by_topic() -> None:
    assert describe([("b", 2), ("a", 1), ("b", 0)]) == "a[1], b[0,2]"


# -- configuration ---------------------------------------------------------------------------------

def test_properties_files_parse_like_java() -> None:
    text = "# comment\n! also\nbootstrap.servers = b1:9092,\\\n   b2:9092\nsasl.username: me\nx y\n\n"
    assert parse_properties(text) == {"bootstrap.servers": "b1:9092,b2:9092", "sasl.username": "me",
                                      "x": "y"}


def test_overrides_need_key_equals_value() -> None:
    assert parse_overrides(["a=1", "b = x=y"]) == {"a": "1", "b": "x=y"}
    with pytest.raises(UsageError, match="key=value"):
        parse_overrides(["novalue"])


def test_consumer_config_precedence(tmp_path: Path) -> None:
    props = tmp_path / "client.properties"
    props.write_text("bootstrap.servers=cloud:9092\nsecurity.protocol=SASL_SSL\nenable.auto.commit=true\n")
    conf = consumer_config("localhost:9092", "specbuild", "earliest", ["session.timeout.ms=6000"], props)
    assert conf["bootstrap.servers"] == "cloud:9092"          # the default does not override the file
    assert conf["security.protocol"] == "SASL_SSL"
    assert conf["session.timeout.ms"] == "6000"
    assert conf["enable.auto.commit"] == "false"              # forced: commits follow checkpoints
    assert conf["enable.partition.eof"] == "true"
    assert conf["queued.max.messages.kbytes"] == "131072"    # our default, below what a user sets
    assert consumer_config("b", "g", "earliest", ["queued.max.messages.kbytes=1024"])[
        "queued.max.messages.kbytes"] == "1024"
    assert conf["max.partition.fetch.bytes"] == "16777216"   # 1 MiB fetches starved a member of big records
    assert consumer_config("b", "g", "earliest", ["max.partition.fetch.bytes=65536"])[
        "max.partition.fetch.bytes"] == "65536"
    conf = consumer_config("mine:1", "g", "latest", ["group.id=x"], props)
    named = (conf["bootstrap.servers"], conf["group.id"], conf["auto.offset.reset"])
    assert named == ("mine:1", "x", "latest")
    with pytest.raises(InputError, match="no such file"):
        consumer_config("b", "g", "earliest", (), tmp_path / "missing.properties")


def test_connection_config_is_consumer_config() -> None:
    conn = Connection("b:1", ("t",), "g", "latest", ("session.timeout.ms=6000",), None)
    assert conn.config() == consumer_config("b:1", "g", "latest", ["session.timeout.ms=6000"])


def test_stop_reasons_in_order() -> None:
    every = StopAt(until_end=True, max_records=10, idle_timeout=5)
    assert every.reason(10, 5, True) == "max-records"          # the first that holds wins
    assert every.reason(9, 5, True) == "end"
    assert every.reason(9, 5, False) == "idle-timeout"
    assert every.reason(9, 4.9, False) == ""
    assert StopAt().reason(10**9, 10**9, True) == ""           # no limit: only a signal stops
    assert StopAt(max_records=3).reached(3) and not StopAt(max_records=3).reached(2)


def test_producer_config() -> None:
    conf = producer_config("b:1", "zstd", ["linger.ms=5"])
    assert (conf["bootstrap.servers"], conf["compression.type"], conf["linger.ms"]) == ("b:1", "zstd", "5")


# -- signals ---------------------------------------------------------------------------------------

def test_first_signal_asks_to_stop_and_the_second_gets_the_default() -> None:
    with StopSignals() as stop:
        assert not stop.requested()
        stop.handle(signal.SIGTERM, None)
        assert stop.requested() and stop.received == signal.SIGTERM
        assert signal.getsignal(signal.SIGINT) is signal.SIG_DFL
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


# -- produce ---------------------------------------------------------------------------------------

class FakeProducer:
    def __init__(self, full_once: bool = False) -> None:
        self.sent: list[bytes] = []
        self.full_once = full_once
        self.callbacks: list[Any] = []

    def produce(self, topic: str, value: bytes, on_delivery: Any) -> None:
        if self.full_once:
            self.full_once = False
            raise BufferError
        if len(value) > 5000:
            raise ValueError("too big")
        self.sent.append(value)
        self.callbacks.append(on_delivery)

    def poll(self, timeout: float) -> int:
        for cb in self.callbacks:
            cb(None, None)
        self.callbacks.clear()
        return 0

    def flush(self, timeout: float) -> int:
        return self.poll(timeout)


def test_produce_sends_good_records_as_written_and_locates_bad_ones(tmp_path: Path) -> None:
    producer = FakeProducer(full_once=True)
    sink = KafkaSink(producer, "t")
    warned: list[str] = []
    reporter = Reporter(quiet=True)
    reporter.warn = lambda err: warned.append(str(err))  # type: ignore[method-assign]
    records = [(USERS[0] + b"\n", "f.jsonl:1"), (b"nope\n", "f.jsonl:2"), (USERS[1], "f.jsonl:3")]
    stats = send_all(sink, records, reporter)
    sink.flush(1)
    assert producer.sent == [USERS[0], USERS[1]]
    assert sink.delivered == 2
    assert warned and warned[0].startswith("f.jsonl:2: not a JSON record")
    assert "2 records produced to t" in summary(stats, sink)
    assert "1 bad record skipped (not-json: 1)" in summary(stats, sink)


@pytest.mark.parametrize(("cores", "folds_here"), [(1, True), (2, False)])
def test_without_j_a_follower_folds_in_as_many_processes_as_it_has_cores(
        monkeypatch: pytest.MonkeyPatch, cores: int, folds_here: bool) -> None:
    """``-j`` unset is one fold process per core the follower may run on (its affinity, as a file build
    counts them: ``parallel.cores``), not per core of the machine: pinned to one (``taskset -c 0``, a
    container's cpuset), a second fold process only shares that core and sends every batch through a pipe."""
    monkeypatch.setattr(follow_module, "cores", lambda: cores)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    settings: Any = type("Settings", (), {"jobs": 0, "strict": False, "max_body_bytes": 1 << 20, "keep": None,
                                         "limits": type("Limits", (), {"until_end": True})()})()
    folder = follow_module._folder(settings, SpecBuilder(), Reporter(quiet=True), None)
    try:
        assert isinstance(folder, LocalFolder) is folds_here
    finally:
        folder.close()


def test_kip848_is_recognised_in_any_case_as_librdkafka_reads_it() -> None:
    # librdkafka reads group.protocol's value in any case: -X group.protocol=CONSUMER started a KIP-848
    # member, but specbuild set cooperative-sticky and a heartbeat for it (refused: the member exited) and
    # assigned eagerly (review27, of 68123d0)
    assert is_cooperative({"group.protocol": "CONSUMER"})
    assert cooperative({"group.protocol": "Consumer"}) == {"group.protocol": "Consumer"}
    assert "partition.assignment.strategy" in cooperative({"group.protocol": "Classic"})
