"""The middleware's writer thread: an exchange is queued by the request and made into a record and
written off it, in batches.

A request only appends its :class:`~specbuild.record.capture.Exchange` to a bounded queue (no lock
of a file, no JSON, no redaction on its path). The recorder's thread, woken by the first exchange
queued while it sleeps, waits ``linger`` seconds more (as the Kafka sink's ``linger.ms``), then makes,
redacts and writes what is queued, 8 records a ``write_many`` (a JSONL file: one locked append;
Kafka: one poll) with a 0.2 ms pause between (the app's threads get the GIL), until the queue is
empty. A short linger keeps a batch small (5 ms of a busy app's 5 KB exchanges is a few MB), and a
sleeping thread costs an idle app next to nothing (a wake-up a second). What does not fit in the
queue (``max_items``, or ``max_bytes`` of bodies) is dropped and counted, never waited for: a
recording is a sample. ``flush`` waits until the queue is written; ``close`` (the ASGI lifespan's
shutdown, and the process's exit) writes what is left. A forked child starts with an empty queue
and its own thread: its parent writes the parent's records.
"""

from __future__ import annotations

import atexit
import os
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from typing import Any, Final

from specbuild.record.capture import Exchange
from specbuild.record.sink import Sink, write_batch

LINGER: Final = 0.005
MAX_ITEMS: Final = 10_000
MAX_BYTES: Final = 64 << 20  # bodies queued, as the Kafka sink's queue.buffering.max.kbytes
# records made and written at a time, then a pause: a real sleep hands the GIL to an app thread that
# waits for it (an ASGI server's event loop), which then waits for one chunk's work (~0.25 ms). The GIL
# let go in a write is taken back before the waiting thread wakes, and it waited out the 5 ms switch
# interval (bench_record.py's "loop late")
CHUNK: Final = 8
PAUSE: Final = 0.0002

_WRITERS: weakref.WeakSet[Writer] = weakref.WeakSet()


class Writer:
    """Queue exchanges; a thread makes them into records (``make``) and writes them to ``sink``."""

    def __init__(self, sink: Sink, make: Callable[[Exchange], dict[str, Any] | None], *, linger: float = LINGER,
                 max_items: int = MAX_ITEMS, max_bytes: int = MAX_BYTES) -> None:
        self.sink = sink
        self.make = make
        self.linger = linger
        self.max_items = max_items
        self.max_bytes = max_bytes
        self.dropped = 0  # exchanges that found the queue full
        self._queue: deque[Exchange] = deque()
        self._bytes = 0
        self._busy = False  # a batch is taken from the queue and not yet written
        self._idle = False  # the thread sleeps until an exchange is queued
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._closed = False
        _WRITERS.add(self)
        atexit.register(_close_at_exit, weakref.ref(self))

    def put(self, ex: Exchange) -> None:
        """Queue ``ex`` (dropped and counted when the queue is full); never waits on the sink."""
        size = len(ex.request_body) + len(ex.response_body)
        with self._lock:
            if len(self._queue) >= self.max_items or self._bytes + size > self.max_bytes or self._closed:
                self.dropped += 1
                return
            self._queue.append(ex)
            self._bytes += size
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="specbuild-recorder", daemon=True)
                self._thread.start()
        if self._idle:
            self._idle = False
            self._wake.set()

    def _run(self) -> None:
        while not self._closed:
            self._idle = True
            if not self._queue:  # a put after this line sees _idle and wakes the thread
                self._wake.wait(1.0)
            self._idle = False
            self._wake.clear()
            time.sleep(self.linger)
            self._drain()

    def _drain(self) -> None:
        """Make and write every queued exchange (from the writer thread, or at close)."""
        while True:
            with self._lock:
                if not self._queue:
                    return
                batch, self._queue = self._queue, deque()
                self._bytes = 0
                self._busy = True
            try:
                items = list(batch)
                for start in range(0, len(items), CHUNK):
                    if start:
                        time.sleep(PAUSE)
                    self._write([r for r in map(self.make, items[start:start + CHUNK]) if r is not None])
            finally:
                self._busy = False

    def _write(self, records: list[dict[str, Any]]) -> None:
        write_batch(self.sink, records, "specbuild")

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until what is queued is written (at most ``timeout`` seconds); whether it was."""
        deadline = time.monotonic() + timeout
        thread = self._thread
        if thread is None or not thread.is_alive():
            self._drain()
            return True
        while self._queue or self._busy:
            if time.monotonic() > deadline:
                return False
            self._wake.set()
            time.sleep(0.001)
        return True

    def close(self, timeout: float = 5.0) -> None:
        """Write what is queued and close the sink (later calls do nothing)."""
        if self._closed:
            return
        self.flush(timeout)
        with self._lock:
            self._closed = True
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        self._drain()  # what came in while the thread stopped
        self.sink.close()

    def _forked(self) -> None:
        # the parent writes what it queued; the child's queue, lock and thread are its own
        self._queue = deque()
        self._bytes = 0
        self._busy = False
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread = None
        forked = getattr(self.sink, "forked", None)
        if forked is not None:
            forked()


def _close_at_exit(ref: weakref.ref[Writer]) -> None:
    writer = ref()
    if writer is not None:
        writer.close()


def _after_fork() -> None:
    for writer in list(_WRITERS):
        writer._forked()


os.register_at_fork(after_in_child=_after_fork)
