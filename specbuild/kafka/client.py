"""Kafka: consumer and producer wrappers; the only confluent_kafka importer.

:class:`KafkaSource` wraps a consumer (a real ``confluent_kafka.Consumer`` or, in tests, any object
with the same methods): ``poll()`` returns a :class:`Batch` of ``(raw value, "topic[partition]@offset")``
plus the next offset of each partition in it; it tracks partition EOF (for ``--until-end``), computes
lag from the high watermarks the fetches return, starts each assigned partition at the offset the
caller's ``positions`` hold (so a restart resumes from its saved state, not from the group's commits),
and turns librdkafka's errors into notes (broker gone: retrying) or a :class:`SourceError` (fatal).
:class:`KafkaSink` wraps a producer for ``specbuild produce``. :class:`Connection` (what to consume,
how) and :class:`StopAt` (when to stop) are what the follower and ``specbuild check`` both take.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition

from specbuild.errors import InputError, SourceError, UsageError

Partition = tuple[str, int]
Note = Callable[[str], None]

DEFAULT_BOOTSTRAP: Final = "localhost:9092"
DEFAULT_GROUP: Final = "specbuild"
PROBE_TIMEOUT: Final = 7.0          # seconds to reach a broker at start: "a clear error within ~10 s"
NOTE_EVERY: Final = 30.0            # the same librdkafka error is noted at most this often
COMPRESSIONS: Final = ("none", "gzip", "snappy", "lz4", "zstd")
PARTITION_EOF: Final[int] = KafkaError._PARTITION_EOF
_DOWN: Final = frozenset({KafkaError._TRANSPORT, KafkaError._ALL_BROKERS_DOWN, KafkaError._RESOLVE,
                          KafkaError._TIMED_OUT})
# librdkafka logs every failed connection to stderr itself; errors reach us through error_cb instead.
_QUIET: Final = {"log_level": "0"}
# librdkafka prefetches up to queued.max.messages.kbytes while we fold; when that queue is full its
# fetcher pauses, and a pool of fold processes behind a backlog drains it in bursts. At its default
# (64 MiB) a 200k-record replay (Kubernetes, 3 partitions, 2 cores) spent 3.0 of 6.0 s waiting in
# consume: 6.0-6.7 s in all, against 4.9-5.1 s at 128 MiB, for ~90 MiB more peak RSS (215 -> 310 MiB).
# A follower that keeps up holds little of it. -X queued.max.messages.kbytes=... sets it.
_CONSUMER_DEFAULTS: Final[dict[str, str]] = {"queued.max.messages.kbytes": "131072"}
# What the follower's correctness rests on: offsets are committed only after a checkpoint is on disk.
_CONSUMER_FORCED: Final = {"enable.auto.commit": "false", "enable.partition.eof": "true"}


# -- configuration ---------------------------------------------------------------------------------

def parse_properties(text: str, origin: str = "") -> dict[str, str]:
    """Parse a Java-style .properties text: ``key=value``, ``key: value`` or ``key value`` lines.

    ``#`` and ``!`` start comments; a trailing backslash continues the line.
    """
    out: dict[str, str] = {}
    pending = ""
    for lineno, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not pending and (not stripped or stripped[0] in "#!"):
            continue
        if stripped.endswith("\\") and not stripped.endswith("\\\\"):
            pending += stripped[:-1]
            continue
        entry, pending = pending + stripped, ""
        key, value = _split_property(entry)
        if not key:
            raise InputError(f"{origin}:{lineno}: no key in {line.strip()!r}")
        out[key] = value
    return out


def _split_property(entry: str) -> tuple[str, str]:
    for i, ch in enumerate(entry):
        if ch in "=:":
            return entry[:i].strip(), entry[i + 1:].strip()
        if ch.isspace():
            rest = entry[i:].lstrip()
            if rest[:1] in ("=", ":"):
                rest = rest[1:]
            return entry[:i], rest.strip()
    return entry, ""


def parse_overrides(pairs: Iterable[str]) -> dict[str, str]:
    """``-X key=value`` options (as kcat takes them) into a dict."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"-X {pair!r}: expected key=value, e.g. -X session.timeout.ms=6000")
        out[key.strip()] = value.strip()
    return out


def read_properties(path: Path) -> dict[str, str]:
    try:
        return parse_properties(path.read_text(encoding="utf-8"), str(path))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file (--kafka-config)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from None


def merge_config(named: Mapping[str, str], defaults: Mapping[str, str], file_conf: Mapping[str, str],
                 overrides: Mapping[str, str]) -> dict[str, str]:
    """Built-ins, then the .properties file, then named options, then ``-X``.

    A named option still at its default (``--bootstrap-servers localhost:9092``) does not override
    the file: a client.properties that names its cluster is used as written.
    """
    conf = dict(_QUIET)
    conf.update(file_conf)
    for key, value in named.items():
        if key not in file_conf or value != defaults.get(key):
            conf[key] = value
    conf.update(overrides)
    return conf


def consumer_config(bootstrap: str, group_id: str, offset_reset: str, overrides: Sequence[str] = (),
                    config_file: Path | None = None) -> dict[str, str]:
    """The librdkafka consumer settings specbuild runs with."""
    named = {"bootstrap.servers": bootstrap, "group.id": group_id, "auto.offset.reset": offset_reset}
    defaults = {"bootstrap.servers": DEFAULT_BOOTSTRAP, "group.id": DEFAULT_GROUP,
                "auto.offset.reset": "earliest"}
    file_conf = read_properties(config_file) if config_file is not None else {}
    conf = merge_config(named, defaults, {**_CONSUMER_DEFAULTS, **file_conf}, parse_overrides(overrides))
    conf.update(_CONSUMER_FORCED)
    return conf


@dataclass(frozen=True, slots=True)
class Connection:
    """Where and how to consume: the Kafka options ``build --source kafka`` and ``check`` share."""

    bootstrap_servers: str
    topics: tuple[str, ...]
    group_id: str
    offset_reset: str
    overrides: tuple[str, ...]
    config_file: Path | None

    def config(self) -> dict[str, str]:
        """The librdkafka consumer settings (see :func:`consumer_config`)."""
        return consumer_config(self.bootstrap_servers, self.group_id, self.offset_reset, self.overrides,
                               self.config_file)


@dataclass(frozen=True, slots=True)
class StopAt:
    """When reading a topic stops by itself: ``--until-end``, ``--max-records``, ``--idle-timeout``."""

    until_end: bool = False
    max_records: int | None = None
    idle_timeout: float | None = None

    def reached(self, read: int) -> bool:
        """Whether ``read`` records are as many as ``--max-records`` asks for."""
        return self.max_records is not None and read >= self.max_records

    def reason(self, read: int, idle: float, at_end: bool) -> str:
        """Why to stop after ``read`` records, ``idle`` seconds without one and ``at_end``; "" to go on."""
        if self.reached(read):
            return "max-records"
        if self.until_end and at_end:
            return "end"
        if self.idle_timeout is not None and idle >= self.idle_timeout:
            return "idle-timeout"
        return ""


def producer_config(bootstrap: str, compression: str = "none", overrides: Sequence[str] = (),
                    config_file: Path | None = None) -> dict[str, str]:
    named = {"bootstrap.servers": bootstrap, "compression.type": compression}
    defaults = {"bootstrap.servers": DEFAULT_BOOTSTRAP, "compression.type": "none"}
    file_conf = read_properties(config_file) if config_file is not None else {}
    base = {"linger.ms": "20", **file_conf}
    return merge_config(named, defaults, base, parse_overrides(overrides))


def is_cooperative(conf: Mapping[str, str]) -> bool:
    """Whether the group assigns incrementally (then on_assign must call incremental_assign)."""
    return ("cooperative" in conf.get("partition.assignment.strategy", "")
            or conf.get("group.protocol", "classic") == "consumer")


# -- the consumer ----------------------------------------------------------------------------------

@dataclass(slots=True)
class Batch:
    """What one poll returned: records in arrival order and each partition's next offset after them."""

    records: list[tuple[bytes | None, str]] = field(default_factory=list)
    ends: dict[Partition, int] = field(default_factory=dict)


class Health:
    """Turns librdkafka's error stream into a few notes: gone (retrying), back, other errors."""

    def __init__(self, note: Note, clock: Callable[[], float] = time.monotonic) -> None:
        self.note = note
        self.clock = clock
        self.down_since: float | None = None
        self._last: dict[int, float] = {}

    def error(self, err: Any) -> None:
        if err.fatal():
            raise SourceError(f"Kafka: {err.str()}")
        code = err.code()
        if code in _DOWN:
            if self.down_since is None:
                self.down_since = self.clock()
                self.note(f"warning: lost the Kafka broker ({err.str()}); retrying")
            return
        now = self.clock()
        if now - self._last.get(code, -NOTE_EVERY) >= NOTE_EVERY:
            self._last[code] = now
            self.note(f"warning: Kafka: {err.str()}")

    def alive(self) -> None:
        if self.down_since is not None:
            gone = self.clock() - self.down_since
            self.down_since = None
            self.note(f"specbuild: the Kafka broker is back (after {gone:.0f} s)")


class KafkaSource:
    """A subscribed consumer that yields batches and keeps what the follower needs to know.

    ``positions`` is the caller's map of next offsets per partition (the state on disk plus what
    was folded since); newly assigned partitions start there when known. ``errors`` is the list the
    consumer's ``error_cb`` appends to. ``on_revoke`` runs before partitions go to another member.
    """

    def __init__(self, consumer: Any, topics: Sequence[str], positions: Mapping[Partition, int], *,
                 errors: list[Any] | None = None, note: Note = lambda _m: None,
                 cooperative: bool = False) -> None:
        self.consumer = consumer
        self.topics = list(topics)
        self.positions = positions
        self.errors: list[Any] = errors if errors is not None else []
        self.health = Health(note)
        self.note = note
        self.cooperative = cooperative
        self.assigned: set[Partition] = set()
        self.at_eof: set[Partition] = set()
        self.on_revoke: Callable[[list[Partition]], None] | None = None
        self.closed = False

    def subscribe(self) -> None:
        self.consumer.subscribe(self.topics, on_assign=self._assign, on_revoke=self._revoke,
                                on_lost=self._lost)

    def _assign(self, consumer: Any, partitions: list[Any]) -> None:
        for tp in partitions:
            start = self.positions.get((tp.topic, tp.partition))
            if start is not None:
                tp.offset = start
        if self.cooperative:
            consumer.incremental_assign(partitions)
        else:
            consumer.assign(partitions)
        parts = [(tp.topic, tp.partition) for tp in partitions]
        self.assigned.update(parts)
        self.at_eof.difference_update(parts)
        if parts:
            self.note(f"specbuild: assigned {describe(parts)}")

    def _revoke(self, consumer: Any, partitions: list[Any]) -> None:
        parts = [(tp.topic, tp.partition) for tp in partitions]
        if self.on_revoke is not None and parts:
            self.on_revoke(parts)
        self._drop(parts)

    def _lost(self, consumer: Any, partitions: list[Any]) -> None:
        parts = [(tp.topic, tp.partition) for tp in partitions]
        if parts:
            self.note(f"warning: lost {describe(parts)} (the group moved on without us); not committing")
        self._drop(parts)

    def _drop(self, parts: list[Partition]) -> None:
        self.assigned.difference_update(parts)
        self.at_eof.difference_update(parts)

    def poll(self, max_records: int, timeout: float) -> Batch:
        """Up to ``max_records`` records; partition EOFs and errors are handled here, not returned."""
        messages = self.consumer.consume(num_messages=max_records, timeout=timeout)
        self._drain_errors()
        batch = Batch()
        if not messages:
            return batch
        self.health.alive()
        records, ends, eof = batch.records, batch.ends, self.at_eof
        for msg in messages:
            err = msg.error()
            if err is not None:
                self._message_error(err, msg.topic(), msg.partition())
                continue
            topic, part, offset = msg.topic(), msg.partition(), msg.offset()
            records.append((msg.value(), f"{topic}[{part}]@{offset}"))
            ends[(topic, part)] = offset + 1
            if eof:  # a record after an EOF: the partition grew again
                eof.discard((topic, part))
        return batch

    def _message_error(self, err: Any, topic: str | None, part: int | None) -> None:
        code = err.code()
        if code == PARTITION_EOF:
            if topic is not None and part is not None:
                self.at_eof.add((topic, part))
            return
        self.health.error(err)

    def _drain_errors(self) -> None:
        while self.errors:
            self.health.error(self.errors.pop(0))

    def at_end(self) -> bool:
        """Every assigned partition has been read to its end (and something is assigned)."""
        return bool(self.assigned) and self.assigned <= self.at_eof

    def lag(self) -> int | None:
        """Records between our positions and the high watermarks the last fetches reported."""
        total, known = 0, False
        for (topic, part), pos in self._positions().items():
            try:
                marks = self.consumer.get_watermark_offsets(TopicPartition(topic, part), cached=True)
            except KafkaException:
                continue
            if marks and marks[1] >= 0:
                total += max(0, marks[1] - pos)
                known = True
        return total if known else None

    def _positions(self) -> dict[Partition, int]:
        """Where each assigned partition stands: what we folded, else where its fetching starts."""
        known = {p: self.positions[p] for p in self.assigned if p in self.positions}
        unknown = [TopicPartition(t, p) for t, p in sorted(self.assigned) if (t, p) not in known]
        if unknown:
            with contextlib.suppress(KafkaException):
                for tp in self.consumer.position(unknown):
                    if tp.offset >= 0:
                        known[(tp.topic, tp.partition)] = tp.offset
        return known

    def commit(self, offsets: Mapping[Partition, int]) -> bool:
        """Commit the offsets of the partitions we hold; False (after a warning) when it failed."""
        mine = [TopicPartition(t, p, o) for (t, p), o in sorted(offsets.items()) if (t, p) in self.assigned]
        if not mine or self.closed:
            return True
        try:
            result = self.consumer.commit(offsets=mine, asynchronous=False)
        except KafkaException as exc:
            self.note(f"warning: could not commit offsets ({_reason(exc)}); the saved state has them")
            return False
        failed = [tp for tp in result or () if tp.error is not None]
        if failed:
            self.note(f"warning: could not commit {describe((tp.topic, tp.partition) for tp in failed)} "
                      f"({failed[0].error.str()}); the saved state has them")
            return False
        return True

    def close(self) -> None:
        """Leave the group at once so the partitions move to another member now."""
        if self.closed:
            return
        try:
            self.consumer.close()
        except (KafkaException, RuntimeError) as exc:
            self.note(f"warning: closing the Kafka consumer: {_reason(exc)}")
        finally:
            self.closed = True


def open_source(conf: Mapping[str, str], topics: Sequence[str], positions: Mapping[Partition, int], *,
                note: Note, require_topics: bool = False,
                probe_timeout: float = PROBE_TIMEOUT) -> KafkaSource:
    """Connect, check the broker answers (a clear error, not a hang) and subscribe."""
    errors: list[Any] = []
    consumer = _client(Consumer, {**conf, "error_cb": errors.append})
    try:
        _check_topics(_probe(consumer, conf, probe_timeout), topics, note, require_topics)
    except BaseException:
        consumer.close()
        raise
    errors.clear()  # connection attempts before the probe succeeded are not news
    source = KafkaSource(consumer, topics, positions, errors=errors, note=note,
                         cooperative=is_cooperative(conf))
    source.subscribe()
    return source


def _client(kind: Any, conf: Mapping[str, Any]) -> Any:
    try:
        return kind(dict(conf))
    except KafkaException as exc:
        raise UsageError(f"Kafka configuration: {_reason(exc)}",
                         hint="check -X and --kafka-config against librdkafka's CONFIGURATION.md") from None


def _probe(client: Any, conf: Mapping[str, str], timeout: float) -> Any:
    try:
        return client.list_topics(timeout=timeout)
    except KafkaException as exc:
        raise SourceError(f"cannot reach Kafka at {conf.get('bootstrap.servers')} within {timeout:.0f} s "
                          f"({_reason(exc)})",
                          hint="is the broker running? check --bootstrap-servers (or "
                               "SPECBUILD_BOOTSTRAP_SERVERS), and -X/--kafka-config for SASL/SSL") from None


def _check_topics(metadata: Any, topics: Sequence[str], note: Note, require: bool) -> None:
    missing = [t for t in topics if t not in metadata.topics or metadata.topics[t].error is not None]
    if not missing:
        return
    names = ", ".join(missing)
    if require:
        raise SourceError(f"topic {names} does not exist on the broker",
                          hint="check --topic; --until-end needs the topic to exist")
    note(f"warning: topic {names} does not exist (yet); waiting for it")


def describe(parts: Iterable[Partition]) -> str:
    """``http_recordings[0,1,2]``: partitions grouped by topic."""
    by_topic: dict[str, list[int]] = {}
    for topic, part in parts:
        by_topic.setdefault(topic, []).append(part)
    return ", ".join(f"{t}[{','.join(str(p) for p in sorted(ps))}]" for t, ps in sorted(by_topic.items()))


def _reason(exc: BaseException) -> str:
    arg = exc.args[0] if exc.args else exc
    return str(arg.str()) if hasattr(arg, "str") else str(arg)


# -- the producer ----------------------------------------------------------------------------------

class KafkaSink:
    """Sends values to one topic, waiting for room when librdkafka's queue is full."""

    def __init__(self, producer: Any, topic: str, errors: list[Any] | None = None,
                 note: Note = lambda _m: None) -> None:
        self.producer = producer
        self.topic = topic
        self.errors: list[Any] = errors if errors is not None else []
        self.health = Health(note)
        self.delivered = 0
        self.failed: MutableMapping[str, int] = {}

    def send(self, value: bytes) -> None:
        """Queue one value; ``ValueError`` when Kafka refuses it (e.g. larger than message.max.bytes)."""
        while True:
            try:
                self.producer.produce(self.topic, value=value, on_delivery=self._delivered)
                break
            except BufferError:  # the local queue is full: let deliveries drain it
                self.producer.poll(0.1)
                self._drain_errors()
            except KafkaException as exc:
                raise ValueError(_reason(exc)) from None
        self.producer.poll(0)
        if self.errors:
            self._drain_errors()

    def _drain_errors(self) -> None:
        while self.errors:
            self.health.error(self.errors.pop(0))

    def _delivered(self, err: Any, _msg: Any) -> None:
        if err is None:
            self.delivered += 1
        else:
            reason = err.str()
            self.failed[reason] = self.failed.get(reason, 0) + 1

    def flush(self, timeout: float) -> int:
        """Wait for deliveries; the number still not delivered after ``timeout`` seconds."""
        return int(self.producer.flush(timeout))


class DroppingSink:
    """Sends values to one topic without ever waiting: what does not fit in librdkafka's bounded queue,
    or what Kafka refuses, is dropped and counted (a recorder in front of an app must not slow it). A
    broker that is away is librdkafka's to retry; its errors are noted, never raised."""

    def __init__(self, producer: Any, topic: str, errors: list[Any], note: Note) -> None:
        self.producer = producer
        self.topic = topic
        self.errors = errors
        self.health = Health(note)
        self.sent = 0
        self.dropped = 0
        self.delivered = 0
        self.failed = 0

    def offer(self, value: bytes, key: bytes | None = None) -> bool:
        """Queue one value (``key`` picks the partition); False when it was dropped."""
        try:
            self.producer.produce(self.topic, value=value, key=key, on_delivery=self._delivered)
        except (BufferError, KafkaException):
            self.dropped += 1
            return False
        finally:
            self.producer.poll(0)  # delivery reports and errors, without waiting
            while self.errors:
                self.health.error(self.errors.pop(0))
        self.sent += 1
        return True

    def _delivered(self, err: Any, _msg: Any) -> None:
        if err is None:
            self.delivered += 1
        else:
            self.failed += 1

    def flush(self, timeout: float) -> int:
        return int(self.producer.flush(timeout))


def open_dropping_sink(conf: Mapping[str, str], topic: str, *, note: Note) -> DroppingSink:
    """A :class:`DroppingSink`; the broker is not probed (one that is away is no error for an app)."""
    errors: list[Any] = []
    # a bounded queue (librdkafka's default is 100,000 messages / 1 GiB), and records that could not be
    # delivered within 30 s given up: a recording is a sample, never a reason to hold memory
    settings = {"queue.buffering.max.kbytes": "65536", "message.timeout.ms": "30000", **conf}
    return DroppingSink(_client(Producer, {**settings, "error_cb": errors.append}), topic, errors, note)


def open_sink(conf: Mapping[str, str], topic: str, *, note: Note,
              probe_timeout: float = PROBE_TIMEOUT) -> KafkaSink:
    errors: list[Any] = []
    producer = _client(Producer, {**conf, "error_cb": errors.append})
    metadata = _probe(producer, conf, probe_timeout)
    if topic not in metadata.topics or metadata.topics[topic].error is not None:
        note(f"warning: topic {topic} does not exist; the broker will create it with its defaults "
             "if it allows that")
    errors.clear()
    return KafkaSink(producer, topic, errors, note)
