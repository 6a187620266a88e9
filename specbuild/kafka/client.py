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
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from confluent_kafka import (
    OFFSET_BEGINNING,
    OFFSET_END,
    Consumer,
    KafkaError,
    KafkaException,
    Producer,
    TopicPartition,
)

from specbuild.errors import InputError, SourceError, UsageError

Partition = tuple[str, int]
Note = Callable[[str], None]

DEFAULT_BOOTSTRAP: Final = "localhost:9092"
DEFAULT_GROUP: Final = "specbuild"
PROBE_TIMEOUT: Final = 7.0          # seconds to reach a broker at start: "a clear error within ~10 s"
# seconds an offset commit is waited for: librdkafka's has no timeout, and a broker that hangs (stopped, not
# gone: its connections stay open) held a follower stopped by Ctrl-C for minutes after its spec was written
COMMIT_WAIT_S: Final = 10.0
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
# A fetch takes at most max.partition.fetch.bytes of each partition (librdkafka: 1 MiB), ~150 records of
# 6.9 KB: a member alone on a 640k-record backlog waited on fetches ~30% of its wall time (15,0xx
# records/s in 3 runs); at 16 MiB 20,372-21,267/s, two members 29,233-31,276/s (was 23,759-25,536). Records of
# ~2 KB gained nothing (19.6k/s either way), peak RSS 623 -> 685 MiB (bench_kafka, 100k).
# A topic created after the follower started (it warns "waiting for it"), or a new one a ^pattern matches,
# is seen at librdkafka's next metadata refresh: every 5 minutes by default, and a follower started before
# its producers was still unassigned 80 s after they created the topic. Every 10 s costs one small request.
_CONSUMER_DEFAULTS: Final[dict[str, str]] = {"queued.max.messages.kbytes": "131072",
                                             "max.partition.fetch.bytes": "16777216",
                                             "topic.metadata.refresh.interval.ms": "10000"}
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


_NO_EQUIVALENT: Final = "remove it: librdkafka has no such setting"
_READS_RAW: Final = "remove it: specbuild reads each record's raw value"
_NO_CLASSES: Final = "remove it: librdkafka loads no Java classes (OAUTHBEARER: sasl.oauthbearer.method=oidc)"
_PEM_CA: Final = "ssl.ca.location, the CA certificates as a PEM file (librdkafka reads no Java truststore)"
_NO_TRUSTSTORE: Final = "remove it: a PEM ssl.ca.location has no truststore password or type"
# Settings of the Java client (consumer.properties, client.properties) that librdkafka does not have,
# with what to write instead: librdkafka's own error ("No such configuration property") names neither.
JAVA_ONLY: Final = {
    "sasl.jaas.config": "sasl.username and sasl.password (with sasl.mechanism, as in Java)",
    "ssl.truststore.location": _PEM_CA, "ssl.truststore.password": _NO_TRUSTSTORE,
    "ssl.truststore.type": _NO_TRUSTSTORE,
    "ssl.keystore.type": "ssl.keystore.location takes PKCS#12; or ssl.certificate.location and ssl.key.location (PEM)",
    "key.deserializer": _READS_RAW, "value.deserializer": _READS_RAW,
    "key.serializer": _READS_RAW, "value.serializer": _READS_RAW,
    "sasl.login.callback.handler.class": _NO_CLASSES, "sasl.client.callback.handler.class": _NO_CLASSES,
    "sasl.login.class": _NO_CLASSES, "interceptor.classes": _NO_CLASSES, "security.providers": _NO_CLASSES,
    "ssl.protocol": "remove it: librdkafka negotiates the TLS version itself",
    "ssl.enabled.protocols": "remove it: librdkafka negotiates the TLS version itself",
    "fetch.max.wait.ms": "fetch.wait.max.ms", "max.poll.records": _NO_EQUIVALENT,
    "default.api.timeout.ms": _NO_EQUIVALENT, "exclude.internal.topics": _NO_EQUIVALENT,
    "ssl.trustmanager.algorithm": _NO_EQUIVALENT, "ssl.keymanager.algorithm": _NO_EQUIVALENT,
}


def refuse_java_settings(conf: Mapping[str, str], origin: str) -> None:
    """A Java client setting (``sasl.jaas.config``...) is an error naming what librdkafka takes instead."""
    found = sorted(key for key in conf if key in JAVA_ONLY)
    if not found:
        return
    advice = [f"{key}: {JAVA_ONLY[key]}" + _jaas_user(conf[key] if key == "sasl.jaas.config" else "")
              for key in found]
    raise UsageError(f"{origin}: {', '.join(found)} {'is a setting' if len(found) == 1 else 'are settings'} of "
                     "the Java client, which librdkafka does not have",
                     hint="; ".join(advice))


def _jaas_user(jaas: str) -> str:
    # the user name helps; the password is never repeated
    user = re.search(r'username\s*=\s*"([^"]*)"', jaas)
    return f" (here: sasl.username={user.group(1)}, sasl.password=<the password in it>)" if user else ""


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
    file_conf = _properties(config_file)
    conf = merge_config(named, defaults, {**_CONSUMER_DEFAULTS, **file_conf}, _overrides(overrides))
    conf.update(_CONSUMER_FORCED)
    return conf


@dataclass(frozen=True, slots=True)
class StartFrom:
    """Where a partition starts when no saved state says (``--start-offset``, ``--start-time``).

    ``kind``: ``beginning``, ``end``, ``offset`` (``value`` is the offset), ``tail`` (``value`` records
    before the end) or ``time`` (``value`` is epoch milliseconds: the first record at or after it).
    """

    kind: str
    value: int = 0


@dataclass(frozen=True, slots=True)
class Connection:
    """Where and how to consume: the Kafka options ``build --source kafka`` and ``check`` share."""

    bootstrap_servers: str
    topics: tuple[str, ...]
    group_id: str
    offset_reset: str
    overrides: tuple[str, ...]
    config_file: Path | None
    start: StartFrom | None = None   # --start-offset / --start-time
    partitions: tuple[int, ...] = ()  # --partition: these partitions of each topic, assigned, not subscribed
    asked_start: str = ""  # the option that asked where to start (--from-beginning...): a saved state refuses it

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
    file_conf = _properties(config_file)
    base = {"linger.ms": "20", **file_conf}
    return merge_config(named, defaults, base, _overrides(overrides))


def _properties(config_file: Path | None) -> dict[str, str]:
    if config_file is None:
        return {}
    conf = read_properties(config_file)
    refuse_java_settings(conf, f"--kafka-config {config_file}")
    return conf


def _overrides(pairs: Sequence[str]) -> dict[str, str]:
    conf = parse_overrides(pairs)
    refuse_java_settings(conf, "-X")
    return conf


def is_cooperative(conf: Mapping[str, str]) -> bool:
    """Whether the group assigns incrementally (then on_assign must call incremental_assign)."""
    return "cooperative" in conf.get("partition.assignment.strategy", "") or _kip848(conf)


def _kip848(conf: Mapping[str, str]) -> bool:
    """``group.protocol=consumer`` (KIP-848), in whatever case it was given: librdkafka reads it so."""
    return conf.get("group.protocol", "classic").lower() == "consumer"


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
                 cooperative: bool = False, start: StartFrom | None = None,
                 partitions: Sequence[int] = ()) -> None:
        self.consumer = consumer
        self.topics = list(topics)
        self.positions = positions
        self.start = start
        self.partitions = tuple(partitions)
        self.errors: list[Any] = errors if errors is not None else []
        self.health = Health(note)
        self.note = note
        self.cooperative = cooperative
        self.assigned: set[Partition] = set()
        self.at_eof: set[Partition] = set()
        self.on_revoke: Callable[[list[Partition]], None] | None = None
        # before a partition is placed: a state topic's state sets its position (--state kafka)
        self.on_assign: Callable[[list[Partition]], None] | None = None
        self.on_lost: Callable[[list[Partition]], None] | None = None
        self.failure: Exception | None = None  # what on_assign raised
        self.closing = False
        self.closed = False
        self.committing: threading.Thread | None = None  # an offset commit Kafka has not answered yet

    def subscribe(self) -> None:
        if self.partitions:  # --partition: exactly these, as kcat -p does; the group only stores offsets
            self.cooperative = False
            self._assign(self.consumer, [TopicPartition(t, p) for t in self.topics for p in self.partitions])
            return
        self.consumer.subscribe(self.topics, on_assign=self._assign, on_revoke=self._revoke,
                                on_lost=self._lost)

    def _assign(self, consumer: Any, partitions: list[Any]) -> None:
        # closing: partitions of a member that left before us come and go within close(); nothing is folded
        if self.on_assign is not None and partitions and not self.closing:
            try:
                self.on_assign([(tp.topic, tp.partition) for tp in partitions])
            except Exception as exc:  # raised through librdkafka's callback it came out as a
                self.failure = exc    # SystemError ("exception <class 'str'>..."): raised by poll() instead
                return
        fresh = []
        for tp in partitions:
            start = self.positions.get((tp.topic, tp.partition))
            if start is not None:
                tp.offset = start
            else:
                fresh.append(tp)
        if self.start is not None and fresh:
            self._place(consumer, fresh)
        if self.cooperative:
            consumer.incremental_assign(partitions)
        else:
            consumer.assign(partitions)
        parts = [(tp.topic, tp.partition) for tp in partitions]
        self.assigned.update(parts)
        self.at_eof.difference_update(parts)
        if parts and not self.closing:
            self.note(f"specbuild: assigned {describe(parts)}")

    def _place(self, consumer: Any, partitions: list[Any]) -> None:
        """Start partitions no state holds where ``--start-offset``/``--start-time`` says."""
        start = self.start
        assert start is not None
        if start.kind == "time":
            asked = [TopicPartition(tp.topic, tp.partition, start.value) for tp in partitions]
            found = {(tp.topic, tp.partition): tp.offset for tp in consumer.offsets_for_times(asked, timeout=10)}
        for tp in partitions:
            if start.kind == "time":  # no record at or after that time: the end
                offset = found.get((tp.topic, tp.partition), -1)
                tp.offset = offset if offset >= 0 else OFFSET_END
            elif start.kind == "tail":
                low, high = consumer.get_watermark_offsets(TopicPartition(tp.topic, tp.partition), timeout=10)
                tp.offset = max(low, high - start.value)
            else:
                tp.offset = {"beginning": OFFSET_BEGINNING, "end": OFFSET_END}.get(start.kind, start.value)

    def _revoke(self, consumer: Any, partitions: list[Any]) -> None:
        parts = [(tp.topic, tp.partition) for tp in partitions]
        if self.on_revoke is not None and parts:
            self.on_revoke(parts)
        self._drop(parts)

    def _lost(self, consumer: Any, partitions: list[Any]) -> None:
        parts = [(tp.topic, tp.partition) for tp in partitions]
        if parts:
            self.note(f"warning: lost {describe(parts)} (the group moved on without us); not committing")
            if self.on_lost is not None:
                self.on_lost(parts)
        self._drop(parts)

    def group_metadata(self) -> Any:
        """What a transaction needs to commit this member's offsets (and to be fenced if it is a zombie)."""
        return self.consumer.consumer_group_metadata()

    def _drop(self, parts: list[Partition]) -> None:
        self.assigned.difference_update(parts)
        self.at_eof.difference_update(parts)

    def poll(self, max_records: int, timeout: float) -> Batch:
        """Up to ``max_records`` records; partition EOFs and errors are handled here, not returned.

        No more are asked of librdkafka than the fetches said are left (records and end-of-partition events):
        consume() returns once it has as many messages as asked for, or at ``timeout``, so asking for a
        full batch at the end of a backlog waited the whole timeout for messages that were not there (the
        last poll of every ``--until-end`` replay: 0.5 s)."""
        left = self._left()
        if left:  # 0: every partition at its end: wait for new records, as many as may come
            max_records = min(max_records, left)
        messages = self.consumer.consume(num_messages=max_records, timeout=timeout)
        if self.failure is not None:
            raise self.failure
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
        total, known, _ = self._behind()
        return total if known else None

    def _left(self) -> int | None:
        """Messages to come before every assigned partition is at its end, as the last fetches reported the
        ends: the records behind, and an end-of-partition event for each partition not at its end; None
        while a partition's end is unknown (not fetched yet) or nothing is assigned."""
        total, known, unknown = self._behind()
        if unknown or not known:
            return None
        return total + len(self.assigned - self.at_eof)

    def _behind(self) -> tuple[int, int, int]:
        """Records behind the high watermarks; how many assigned partitions' places are known (where they stand
        and their watermark), and how many not."""
        positions = self._positions()
        total, known, unknown = 0, 0, len(self.assigned) - len(positions)
        for (topic, part), pos in positions.items():
            try:
                marks = self.consumer.get_watermark_offsets(TopicPartition(topic, part), cached=True)
            except KafkaException:
                marks = None
            if marks and marks[1] >= 0:
                total += max(0, marks[1] - pos)
                known += 1
            else:
                unknown += 1
        return total, known, unknown

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
        if self.committing is not None and self.committing.is_alive():
            self.note("warning: Kafka has not answered the last offset commit; this one is skipped (the saved "
                      "state has the offsets)")
            return False
        self.committing, answer = _started(lambda: self.consumer.commit(offsets=mine, asynchronous=False),
                                           "specbuild-commit")
        self.committing.join(COMMIT_WAIT_S)
        if not answer:
            self.note(f"warning: Kafka did not answer the offset commit in {COMMIT_WAIT_S:.0f} s (a broker that "
                      "hangs?); the saved state has the offsets")
            return False
        result = answer[0]
        if isinstance(result, BaseException) and not isinstance(result, (KafkaException, RuntimeError)):
            raise result
        if isinstance(result, (KafkaException, RuntimeError)):  # RuntimeError: the consumer closed meanwhile
            why = _reason(result) if isinstance(result, KafkaException) else str(result)
            self.note(f"warning: could not commit offsets ({why}); the saved state has them")
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
        self.closing = True
        if self.committing is not None and self.committing.is_alive():
            # closing would wait for that commit's broker too: the group moves our partitions when our
            # session times out instead
            self.note("warning: Kafka does not answer; leaving without closing the consumer")
            self.closed = True
            return
        try:
            self.consumer.close()
        except (KafkaException, RuntimeError) as exc:
            self.note(f"warning: closing the Kafka consumer: {_reason(exc)}")
        finally:
            self.closed = True


def open_source(conf: Mapping[str, str], topics: Sequence[str], positions: Mapping[Partition, int], *,
                note: Note, require_topics: bool = False, start: StartFrom | None = None,
                partitions: Sequence[int] = (), probe_timeout: float = PROBE_TIMEOUT) -> KafkaSource:
    """Connect, check the broker answers (a clear error, not a hang) and subscribe (or, with
    ``partitions``, assign those partitions of each topic)."""
    errors: list[Any] = []
    consumer = _client(Consumer, {**conf, "error_cb": errors.append})
    try:
        metadata = _probe(consumer, conf, probe_timeout)
        _check_topics(metadata, topics, note, require_topics or bool(partitions))
        _check_partitions(metadata, topics, partitions)
    except BaseException:
        consumer.close()
        raise
    errors.clear()  # connection attempts before the probe succeeded are not news
    source = KafkaSource(consumer, topics, positions, errors=errors, note=note,
                         cooperative=is_cooperative(conf), start=start, partitions=partitions)
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
    """Every topic named exists, and every pattern (``^http_.*``, librdkafka's regex subscription) matches
    one; else an error (``require``: --until-end would wait for an end that never comes) or a warning."""
    existing = [name for name, topic in metadata.topics.items() if topic.error is None]
    missing = [t for t in topics if not (any(topic_pattern(t).search(name) for name in existing) if t.startswith("^")
                                         else t in existing)]
    if not missing:
        return
    names = ", ".join(missing)
    what = f"no topic matches {names}" if all(t.startswith("^") for t in missing) else \
        f"topic {names} does not exist on the broker"
    if require:
        raise SourceError(what, hint="check --topic; --until-end and --partition need the topic to exist")
    note(f"warning: {what} (yet); waiting for it")


def topic_pattern(topic: str) -> re.Pattern[str]:
    """A ``^...`` topic as the regular expression librdkafka subscribes with; a bad one is a usage error."""
    try:
        return re.compile(topic)
    except re.error as exc:
        raise UsageError(f"--topic {topic!r}: not a regular expression ({exc})",
                         hint="a topic that starts with ^ is a pattern, as in kcat and librdkafka") from None


def _check_partitions(metadata: Any, topics: Sequence[str], partitions: Sequence[int]) -> None:
    if not partitions:
        return
    for topic in topics:
        if topic.startswith("^"):
            raise UsageError(f"--partition needs topic names, and {topic!r} is a pattern",
                             hint="name the topics with -t, or leave --partition out to subscribe")
        have = sorted(metadata.topics[topic].partitions)
        absent = sorted(set(partitions) - set(have))
        if absent:
            raise UsageError(f"topic {topic} has no partition {', '.join(map(str, absent))} "
                             f"(it has {len(have)}: {have[0]}..{have[-1]})")


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

    def offer_many(self, items: Iterable[tuple[bytes, bytes | None]]) -> None:
        """Queue each (value, key: it picks the partition), then serve delivery reports once (a poll per
        value was half of what producing a recorded exchange cost)."""
        produce, topic, delivered = self.producer.produce, self.topic, self._delivered
        try:
            for value, key in items:
                try:
                    produce(topic, value=value, key=key, on_delivery=delivered)
                except (BufferError, KafkaException):
                    self.dropped += 1
                else:
                    self.sent += 1
        finally:
            self.producer.poll(0)  # delivery reports and errors, without waiting
            while self.errors:
                self.health.error(self.errors.pop(0))

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


# -- the state topic -------------------------------------------------------------------------------

# A partition's state is one message, not chunks: the topic and the producer take messages up to this
# size, and zstd makes a state's JSON about a tenth of it on the wire and on disk. A larger state is refused
# by the producer (an error naming the limit) rather than split: a split state could be read half-written.
STATE_MAX_BYTES: Final = 64 << 20
# How long a transaction a killed member left open holds back the state topic's readers (read_committed
# stops at it) before the broker aborts it: a checkpoint's transaction takes milliseconds.
STATE_TRANSACTION_TIMEOUT_MS: Final = 15_000
# librdkafka 2.16 can block in send_offsets_to_transaction past its own 30 s timeout (confluentinc/librdkafka
# #5456, #5511: a cached group coordinator gone, as after a broker restart; seen in bench_group exactly-once
# for minutes): a member stuck there would hold its partitions and the group's --until-end forever. Past
# this it fails instead.
TRANSACTION_STUCK_S: Final = 60.0
_STATE_TOPIC_CONFIG: Final = {"cleanup.policy": "compact", "max.message.bytes": str(STATE_MAX_BYTES)}
# Settings of the source's consumer that make no sense for the state topic's reader or its producer.
_CONSUMER_ONLY: Final = ("group.id", "group.instance.id", "partition.assignment.strategy", "auto.offset.reset",
                         "enable.auto.commit", "enable.partition.eof", "session.timeout.ms",
                         "heartbeat.interval.ms", "max.poll.interval.ms", "queued.max.messages.kbytes",
                         "group.protocol", "isolation.level", "enable.auto.offset.store")


def state_topic_name(group_id: str) -> str:
    """The default ``--state-topic``: one per consumer group."""
    return f"{group_id}.specbuild-state"


# Keys of the state topic that are not a partition's state (a state's key is ``<topic>:<partition>``, and
# a topic's name has no "#"): the group's last rendered spec (kafka/group.py).
NOTE_PREFIX: Final = "#"


def state_key(part: Partition) -> str:
    """A state's message key: ``<source topic>:<partition>``."""
    return f"{part[0]}:{part[1]}"


# A member heartbeats this often (librdkafka: every 3 s) unless set otherwise: a member that joins waits for
# two heartbeats of the others (cooperative-sticky's two rounds: revoke, then assign). Two members started
# together on a broker without an initial rebalance delay: the second was assigned 4.15 / 4.16 s after the
# start at 1000 ms, 3.04 / 3.14 s at 250 ms (medians of 4, two sets); 100 ms gained nothing more. Four
# small requests a second per member are nothing to a broker.
GROUP_HEARTBEAT_MS: Final = "250"


def cooperative(conf: Mapping[str, str]) -> dict[str, str]:
    """A group of followers moves only the partitions it must (cooperative-sticky), and soon (a heartbeat
    every 250 ms), unless set otherwise. With ``group.protocol=consumer`` (KIP-848) the broker sets the
    heartbeat and assigns, incrementally: librdkafka refuses a ``partition.assignment.strategy`` there."""
    if _kip848(conf):
        return dict(conf)
    return {"partition.assignment.strategy": "cooperative-sticky", "heartbeat.interval.ms": GROUP_HEARTBEAT_MS,
            **conf}


def _connection_only(conf: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in conf.items() if k not in _CONSUMER_ONLY}


def ensure_state_topic(conf: Mapping[str, str], topic: str, note: Note, timeout: float = PROBE_TIMEOUT) -> None:
    """Create the compacted state topic when it is missing (one partition: every member reads all of it)."""
    from confluent_kafka.admin import NewTopic  # type: ignore[attr-defined]

    admin = _client(_admin(), _connection_only(conf))
    metadata = _probe(admin, conf, timeout)
    if topic in metadata.topics and metadata.topics[topic].error is None:
        return
    future = admin.create_topics([NewTopic(topic, 1, -1, config=dict(_STATE_TOPIC_CONFIG))])[topic]
    try:
        future.result(timeout=30)
        note(f"specbuild: created the state topic {topic} (compacted)")
    except KafkaException as exc:
        if exc.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:  # another member was first
            raise SourceError(f"cannot create the state topic {topic} ({_reason(exc)})",
                              hint="create it with cleanup.policy=compact, or name one with --state-topic") from None
    _served(admin, topic, time.monotonic() + timeout)


def _served(admin: Any, topic: str, deadline: float) -> None:
    """Until the broker serves ``topic`` (a leader for each partition): Apache Kafka answers CreateTopics
    a moment before its metadata shows the topic, and a member that read the state topic at once was told
    it did not exist (two members started together, in bench_group.py tail)."""
    while time.monotonic() < deadline:
        with contextlib.suppress(KafkaException):
            meta = admin.list_topics(topic, timeout=5).topics.get(topic)
            if meta is not None and meta.error is None and meta.partitions and \
                    all(p.leader >= 0 for p in meta.partitions.values()):
                return
        time.sleep(0.1)


def _retried(call: Callable[[], Any], seconds: float = 120.0) -> None:
    """A transaction's commit or abort, called again while its error is retriable (the broker away)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            call()
            return
        except KafkaException as exc:
            if not exc.args[0].retriable() or time.monotonic() > deadline:
                raise


def _bounded(call: Callable[[], Any], seconds: float) -> None:
    """``call`` in a thread of its own, waited for ``seconds`` at most; past that a SourceError (the thread
    stays blocked, and the process ends with the error: restarted, the member goes on from its last
    checkpoint, which is all the group has of it)."""
    thread, outcome = _started(call, "specbuild-transaction")
    thread.join(seconds)
    if not outcome:
        raise SourceError(f"Kafka did not take the checkpoint's offsets in {seconds:.0f} s (librdkafka can block "
                          "there past its timeout: confluentinc/librdkafka#5456); nothing of it was committed",
                          hint="restart to go on from the last checkpoint")
    if isinstance(outcome[0], BaseException):
        raise outcome[0]


def _started(call: Callable[[], Any], name: str) -> tuple[threading.Thread, list[Any]]:
    """``call`` started in a daemon thread of its own, and the list its outcome is appended to when it
    returns: its result, or what it raised (for the caller's thread to look at or raise again)."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread, outcome


def _admin() -> Any:
    from confluent_kafka.admin import AdminClient  # only --state kafka needs it

    return AdminClient


# Seconds a state reader's consume waits at most before it looks again whether it reached the high
# watermarks: librdkafka's consume returns when it has its batch (1000 records) or its timeout passed, never
# sooner, so every read of a few new states (a member's last ones, the group's spec) cost the whole wait
# (0.2 s, measured: 0.204 s a catch-up). Metadata is asked of the admin client, not of this consumer: the
# broker answers a connection's requests in order, so the consumer's were queued behind its fetch waiting
# for data (fetch.wait.max.ms, 500 ms): 0.50 s every time against 0.01 s. Both were on the path of an
# --until-end group's end, the member that commits last's and the others'.
CATCH_UP_SLICE: Final = 0.01


class StateReader:
    """Every key's latest committed value in the state topic (``isolation.level=read_committed``)."""

    def __init__(self, conf: Mapping[str, str], topic: str, note: Note = lambda _m: None) -> None:
        self.topic = topic
        self.note = note
        self.latest: dict[str, bytes] = {}  # the partitions' states
        self.notes: dict[str, bytes] = {}  # what else members wrote beside them (NOTE_PREFIX keys)
        self.eof_at: dict[int, int] = {}  # where each partition's fetch last reached its end
        settings = {**_connection_only(conf), "group.id": f"{topic}.reader", "enable.auto.commit": "false",
                    "isolation.level": "read_committed", "enable.partition.eof": "true",
                    "auto.offset.reset": "earliest",
                    "max.partition.fetch.bytes": str(STATE_MAX_BYTES), "fetch.max.bytes": str(STATE_MAX_BYTES)}
        self.consumer = _client(Consumer, settings)
        self.admin = _client(_admin(), _connection_only(conf))  # one ListOffsets for many partitions
        metadata = _probe(self.consumer, conf, PROBE_TIMEOUT)
        if topic not in metadata.topics or metadata.topics[topic].error is not None:
            raise SourceError(f"the state topic {topic} does not exist",
                              hint="a follower with --state kafka creates it; check --state-topic")
        self.parts = sorted(metadata.topics[topic].partitions)
        self.consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in self.parts])

    def catch_up(self, timeout: float = 120.0) -> dict[str, bytes]:
        """Read up to the high watermarks of now: every state committed before this call is in ``latest``.
        An open transaction (of a member killed mid-checkpoint) is waited for until the broker aborts it."""
        deadline = time.monotonic() + timeout
        highs = {p: end for (_, p), end in self.ends([(self.topic, p) for p in self.parts], deadline).items()}
        while not self._reached(highs):
            if time.monotonic() > deadline:
                raise SourceError(f"could not read the state topic {self.topic} to its end in {timeout:.0f} s")
            for msg in self.consumer.consume(num_messages=1000, timeout=CATCH_UP_SLICE):
                err = msg.error()
                if err is not None:
                    if err.code() == PARTITION_EOF:
                        self.eof_at[msg.partition()] = msg.offset()
                elif msg.key() is not None:
                    key = msg.key().decode("utf-8", "replace")
                    kept = self.notes if key.startswith(NOTE_PREFIX) else self.latest
                    value = msg.value()
                    if value is None:
                        kept.pop(key, None)
                    else:
                        kept[key] = value
        return self.latest

    def _reached(self, highs: Mapping[int, int]) -> bool:
        # The position is the offset after the last record delivered; librdkafka 2.16 moves it past an
        # aborted transaction's records and markers too, and the end of the fetch (partition EOF) says the
        # same where a client would not.
        got = self.consumer.position([TopicPartition(self.topic, p) for p in highs])
        return all(max(tp.offset, self.eof_at.get(tp.partition, -1)) >= highs[tp.partition]
                   or highs[tp.partition] <= 0 for tp in got)

    def source_ends(self, topics: Sequence[str], deadline: float | None = None) -> dict[Partition, int]:
        """The high watermark of every partition of the source ``topics`` (names, or ``^`` patterns)."""
        metadata = _probe(self.admin, {}, PROBE_TIMEOUT)  # not the consumer's: see CATCH_UP_SLICE
        return self.ends([(name, p) for name, meta in sorted(metadata.topics.items())
                          if any(topic_pattern(t).search(name) if t.startswith("^") else t == name for t in topics)
                          for p in meta.partitions], deadline)

    def ends(self, parts: Sequence[Partition], deadline: float | None = None) -> dict[Partition, int]:
        """The high watermarks of ``parts``, asked again (the broker away) until ``deadline``."""
        from confluent_kafka.admin import OffsetSpec  # type: ignore[attr-defined]

        asked = {TopicPartition(t, p): OffsetSpec.latest() for t, p in parts}  # type: ignore[no-untyped-call]
        while asked:
            try:
                return {(tp.topic, tp.partition): future.result().offset
                        for tp, future in self.admin.list_offsets(asked, request_timeout=10).items()}
            except KafkaException:
                # after a broker restart the admin client can keep a stale leader ("Leader epoch is older
                # than broker epoch") where the consumer looks the leader up again: ask it, one by one
                with contextlib.suppress(KafkaException):
                    return {(tp.topic, tp.partition): self.consumer.get_watermark_offsets(tp, timeout=10)[1]
                            for tp in asked}
                if deadline is None or time.monotonic() > deadline:
                    raise SourceError(f"cannot read where the partitions of {describe(parts)} end") from None
                time.sleep(1.0)
        return {}

    def close(self) -> None:
        with contextlib.suppress(KafkaException, RuntimeError):
            self.consumer.close()


class StateWriter:
    """Writes partition states and the consumer's offsets in one transaction: both or neither."""

    def __init__(self, conf: Mapping[str, str], topic: str, transactional_id: str) -> None:
        self.topic = topic
        self.errors: list[Any] = []
        settings = {**_connection_only(conf), "transactional.id": transactional_id,
                    "transaction.timeout.ms": str(STATE_TRANSACTION_TIMEOUT_MS),
                    "message.max.bytes": str(STATE_MAX_BYTES), "compression.type": "zstd", "linger.ms": "0",
                    "error_cb": self.errors.append}
        self.producer = _client(Producer, settings)
        try:
            self.producer.init_transactions(30)
        except KafkaException as exc:
            raise SourceError(f"Kafka transactions: {_reason(exc)}",
                              hint="--state kafka needs a broker with transactions; --state local keeps the "
                                   "state in the output folder") from None

    def commit(self, states: Mapping[str, bytes], offsets: Mapping[Partition, int], group_metadata: Any) -> bool:
        """States and offsets in one transaction. False when it was aborted (the broker away, a rebalance
        under way): nothing of it was written, and the next checkpoint writes it all again."""
        producer = self.producer
        try:
            producer.begin_transaction()
            for key, value in sorted(states.items()):
                producer.produce(self.topic, key=key.encode(), value=value)
            tps = [TopicPartition(t, p, o) for (t, p), o in sorted(offsets.items())]
            _bounded(lambda: producer.send_offsets_to_transaction(tps, group_metadata, 30), TRANSACTION_STUCK_S)
            _retried(lambda: producer.commit_transaction(30))
        except KafkaException as exc:
            if exc.args[0].fatal():
                raise SourceError(f"the checkpoint's transaction failed ({_reason(exc)}); nothing of it was "
                                  "written", hint="restart to go on from the last checkpoint") from None
            try:
                _retried(lambda: producer.abort_transaction(30))
            except KafkaException as again:  # the next begin_transaction could not work either
                raise SourceError(f"the checkpoint's transaction could not be aborted ({_reason(again)})",
                                  hint="restart to go on from the last checkpoint") from None
            return False
        return True

    def publish(self, key: str, value: bytes, drop: Sequence[str] = ()) -> bool:
        """One message beside the states (no offsets), and tombstones of the ``drop`` keys (compaction
        removes those records), in a transaction of their own; False when it was aborted."""
        producer = self.producer
        try:
            producer.begin_transaction()
            for gone in drop:
                producer.produce(self.topic, key=gone.encode(), value=None)
            producer.produce(self.topic, key=key.encode(), value=value)
            _retried(lambda: producer.commit_transaction(30))
        except KafkaException as exc:
            if not exc.args[0].fatal():
                with contextlib.suppress(KafkaException):
                    producer.abort_transaction(30)
            return False
        return True

    def close(self) -> None:
        self.producer.flush(10)
