"""Where a recorder's records go: a JSONL file, appended safely by any number of threads and processes.

Each record is one ``write`` of one whole line to a file opened ``O_APPEND``, under an exclusive
``flock``: lines of gunicorn's workers or of two apps writing one file never interleave. A failure to
write (disk full, the file gone read-only) never reaches the application: the record is dropped,
counted in ``dropped``, and the first failure is logged once.

With ``max_bytes``, the file is rotated by size: the write that takes it to ``max_bytes`` or more
renames it ``rec.jsonl.1`` (``.1`` becomes ``.2`` ..., ``backups`` kept), under the lock; a writer that
finds the name on another file than its own reopens it, so every line lands whole in some file.
"""

from __future__ import annotations

import atexit
import fcntl
import logging
import os
import threading
from pathlib import Path
from typing import Any, Protocol

import orjson

log = logging.getLogger("specbuild.record")


class Sink(Protocol):
    """What a recorder writes each record to."""

    def write(self, record: dict[str, Any]) -> None: ...
    def close(self) -> None: ...


class JsonlSink:
    """Append each record as one line of ``path`` (created if missing; its folder must exist)."""

    def __init__(self, path: str | os.PathLike[str], *, max_bytes: int | None = None, backups: int = 5) -> None:
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.backups = max(1, backups)
        self.written = 0
        self.dropped = 0
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._pid = 0

    def _open(self) -> int:
        # opened lazily and again after a fork: a forked worker must not share its parent's descriptor
        # (the lock of flock is held per open file description)
        if self._fd is None or self._pid != os.getpid():
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
            self._pid = os.getpid()
        return self._fd

    def _locked(self) -> int:
        """The descriptor of the file now at ``path``, locked (reopened if another writer rotated it)."""
        fd = self._open()
        fcntl.flock(fd, fcntl.LOCK_EX)
        while self.max_bytes is not None:
            try:
                if os.stat(self.path).st_ino == os.fstat(fd).st_ino:
                    break
            except FileNotFoundError:
                pass
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
            self._fd = None
            fd = self._open()
            fcntl.flock(fd, fcntl.LOCK_EX)
        return fd

    def _rotate(self, fd: int) -> None:
        if self.max_bytes is None or os.fstat(fd).st_size < self.max_bytes:
            return
        try:  # the line is written: a rotation that fails is said, not counted as a dropped record
            for i in range(self.backups - 1, 0, -1):
                older = self.path.with_name(f"{self.path.name}.{i}")
                if older.exists():
                    os.replace(older, self.path.with_name(f"{self.path.name}.{i + 1}"))
            os.replace(self.path, self.path.with_name(f"{self.path.name}.1"))
        except OSError as exc:
            log.warning("specbuild: cannot rotate %s (%s)", self.path, exc)

    def write(self, record: dict[str, Any]) -> None:
        self.write_many([record])

    def write_many(self, records: list[dict[str, Any]]) -> None:
        """Append ``records`` in one locked write (the proxy's records of one turn of its event loop)."""
        line = b"".join(orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE) for record in records)
        with self._lock:
            try:
                fd = self._locked()
                try:
                    view = memoryview(line)
                    while view:  # a regular file takes the whole line at once; a short write goes on
                        view = view[os.write(fd, view):]
                    self._rotate(fd)
                finally:
                    fcntl.flock(fd, fcntl.LOCK_UN)
                self.written += len(records)
            except OSError as exc:
                self.dropped += len(records)
                if self.dropped == len(records):  # the first failure (of a batch of any size)
                    log.warning("specbuild: cannot append to %s (%s): records are dropped", self.path, exc)

    def forked(self) -> None:
        """In a forked child: a lock the parent's writer thread held at the fork would never be let go."""
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            if self._fd is not None and self._pid == os.getpid():
                os.close(self._fd)
            self._fd = None


class KafkaRecordSink:
    """Produce each record to a Kafka topic, keyed by method and path (one operation's records stay in
    one partition), asynchronously: never waiting on the broker, dropping (and counting) what does not fit.

    ``KafkaRecordSink("localhost:9092", "http_recordings", {"acks": "1"})``; settings are librdkafka's.
    """

    def __init__(self, bootstrap: str, topic: str, settings: dict[str, str] | None = None) -> None:
        from specbuild.kafka.client import open_dropping_sink  # confluent_kafka only when Kafka is the sink

        # librdkafka's own log goes to this logger, not to the app's stderr
        conf: dict[str, Any] = {"bootstrap.servers": bootstrap, "linger.ms": "20",
                                "logger": logging.getLogger("specbuild.record.kafka"), **(settings or {})}
        self._sink = open_dropping_sink(conf, topic, note=lambda message: log.warning("%s", message))
        self._closed = False
        self._lock = threading.Lock()  # librdkafka's producer is thread-safe; the counts are not
        # what is still queued when the app's process ends is delivered then (up to 2 s): a WSGI app has
        # no shutdown of its own to say so
        atexit.register(self.close)

    @property
    def written(self) -> int:
        return self._sink.sent

    @property
    def dropped(self) -> int:
        return self._sink.dropped

    def write(self, record: dict[str, Any]) -> None:
        self.write_many([record])

    def write_many(self, records: list[dict[str, Any]]) -> None:
        """Produce ``records`` (a batch of the recorder's writer thread), serving delivery reports once."""
        items = [(orjson.dumps(record), _key(record)) for record in records]
        with self._lock:
            self._sink.offer_many(items)

    def close(self, timeout: float = 2.0) -> None:
        """Deliver what is queued, waiting at most ``timeout`` seconds (once: later calls do nothing)."""
        if self._closed:
            return
        self._closed = True
        left = self._sink.flush(timeout)
        if left:
            log.warning("specbuild: %d records were not delivered to Kafka before the recorder closed", left)


def _key(record: dict[str, Any]) -> bytes:
    request = record.get("request", {})
    return f"{request.get('method', '')} {request.get('pathname', '')}".encode()


def write_batch(sink: Sink, records: list[dict[str, Any]], who: str) -> None:
    """Write ``records`` at once where the sink can (one locked append, one poll), else one by one. What a
    sink raises is logged as ``who``'s, never the app's or the proxy's end: a sink counts its own drops."""
    try:
        write_many = getattr(sink, "write_many", None)
        if write_many is not None:
            write_many(records)
        else:
            for record in records:
                sink.write(record)
    except Exception:
        log.exception("%s: recorded exchanges could not be written", who)


def open_sink(to: str | os.PathLike[str] | Sink) -> Sink:
    """A sink for ``to``: a sink as it is; ``kafka://host:port/topic``; else the path of a JSONL file
    (``file://`` optional)."""
    if isinstance(to, str | os.PathLike):
        text = os.fspath(to)
        if text.startswith("kafka://"):
            return KafkaRecordSink(*kafka_target(text))
        return JsonlSink(text.removeprefix("file://"))
    return to


def kafka_target(url: str) -> tuple[str, str]:
    """``kafka://HOST:PORT/TOPIC`` -> (bootstrap servers, topic)."""
    where, _, topic = url.removeprefix("kafka://").partition("/")
    if not where or not topic or "/" in topic:
        raise ValueError(f"{url!r}: a Kafka sink is kafka://HOST:PORT/TOPIC")
    return where, topic
