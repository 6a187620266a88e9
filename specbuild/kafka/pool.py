"""Folding batches of raw records, in this process or in a pool of worker processes.

A live topic trickles and one process keeps up; a replay has a backlog worth a pool. Builders merge
exactly, so which process folds a record does not change the spec: the pool's workers fold into
delta builders that are merged into the one builder at each checkpoint (``sync``).
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, Protocol

from specbuild.errors import RecordError
from specbuild.filters import RecordFilter
from specbuild.io.files import write_temp
from specbuild.learn import state as codec
from specbuild.learn.builder import SpecBuilder
from specbuild.parallel import Workers, give_back_memory, packed, unpacked
from specbuild.run import BATCH as FOLD_BATCH
from specbuild.run import Fold, Operations, Stats, operation_parts

BATCH: Final = 4096          # records per consume(); a whole batch is folded before a stop is noticed
POOL_BACKLOG: Final = 50_000  # records behind before folding moves to the pool (~2 s of one core)

# The state, encoded and written to a temporary file beside its target by another process: waited for when
# the state is put in place, after the spec (None: encode and write it here).
Encoding = Callable[[], Path | None]


class Folder(Protocol):
    """Where batches are folded: this process, or a pool of processes merged at each checkpoint."""

    @property
    def dispatched(self) -> int: ...
    @property
    def stats(self) -> Stats: ...
    @property
    def live(self) -> SpecBuilder | None:
        """The builder that holds every record added so far (not a pool's: its workers keep theirs until
        a sync)."""
    def add(self, records: Sequence[tuple[bytes | None, str]]) -> None: ...
    def backlog(self, lag: int | None) -> None: ...
    def sync(self, last: bool = False) -> SpecBuilder: ...
    def encode_state(self, builder: SpecBuilder, positions: Mapping[codec.Partition, int],
                     target: Path) -> Encoding | None:
        """After the last sync: the state of ``builder`` (:func:`specbuild.learn.state.encode`) set encoding in
        a fold worker, written beside ``target`` (:func:`specbuild.io.files.write_temp`), while this process
        renders the spec; None when no worker is left to: encode here."""
    def close(self) -> None: ...


class BadRecords(Protocol):
    def write(self, raw: bytes | None, err: RecordError) -> None: ...


class LocalFolder:
    """Folds each batch here; bad records are reported through the fold's ``on_skip`` as they come."""

    def __init__(self, fold: Fold[SpecBuilder], bad: BadRecords | None = None) -> None:
        self.fold = fold
        self.bad = bad
        self.dispatched = 0
        self._errors: list[RecordError] = []  # of the run being folded, in order
        self._report = fold.on_skip
        fold.on_skip = self._skipped

    @property
    def stats(self) -> Stats:
        return self.fold.stats

    @property
    def live(self) -> SpecBuilder | None:
        return self.fold.builder

    def add(self, records: Sequence[tuple[bytes | None, str]]) -> None:
        add_many, bad = self.fold.add_many, self.bad
        for run in _runs(records):
            if isinstance(run, str):
                self._tombstone(run)
                self._errors.clear()  # written by _tombstone itself
                continue
            skipped = add_many(run)
            if bad is not None:
                for i, err in zip(skipped, self._errors, strict=True):
                    bad.write(run[i][0], err)
            self._errors.clear()
        self.dispatched += len(records)

    def _tombstone(self, origin: str) -> None:
        self.fold.stats.read += 1
        err = RecordError("tombstone", "null value (a tombstone), not an HTTP Types record", origin)
        self.fold.skip(err)
        if self.bad is not None:
            self.bad.write(None, err)

    def _skipped(self, err: RecordError) -> None:
        self._errors.append(err)
        if self._report is not None:
            self._report(err)

    def backlog(self, lag: int | None) -> None:
        pass

    def sync(self, last: bool = False) -> SpecBuilder:
        return self.fold.builder

    def encode_state(self, builder: SpecBuilder, positions: Mapping[codec.Partition, int],
                     target: Path) -> Encoding | None:
        return None

    def close(self) -> None:
        pass


def _runs(records: Sequence[tuple[bytes | None, str]]) -> Iterator[str | list[tuple[bytes, str]]]:
    """``records`` in order as tombstones (a null value: its origin) and runs of at most ``run.BATCH``
    values between them, each folded by one ``Fold.add_many``."""
    run: list[tuple[bytes, str]] = []
    for raw, origin in records:
        if raw is None:
            if run:
                yield run
                run = []
            yield origin
            continue
        run.append((raw, origin))
        if len(run) == FOLD_BATCH:
            yield run
            run = []
    if run:
        yield run


class _Collected:
    """Bad records a worker saw, sent back with the batch's stats (raw values only if kept)."""

    def __init__(self, keep_raw: bool) -> None:
        self.keep_raw = keep_raw
        self.items: list[tuple[RecordError, bytes | None]] = []

    def write(self, raw: bytes | None, err: RecordError) -> None:
        self.items.append((err, raw if self.keep_raw else None))


def _fold_worker(inbox: Any, results: Any, template: SpecBuilder, strict: bool, max_body_bytes: int,
                 keep_raw: bool, keep: RecordFilter | None) -> None:
    """A pool process: fold batches into a delta builder, hand it over (and start afresh) on "sync"."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # the parent decides when to stop, and saves (Ctrl-C too)
    parent = os.getppid()
    builder = _blank(template)
    while True:
        message = _next(inbox, parent)
        if message is None:  # the parent is gone (SIGKILL): there is no one to hand over to
            return
        kind = message[0]
        if kind == "batch":
            collected = _Collected(keep_raw)
            fold = Fold(builder, strict=strict, max_body_bytes=max_body_bytes, keep=keep)
            try:
                LocalFolder(fold, collected).add(message[1])
            except RecordError as err:  # --strict
                results.put(("failed", err))
                return
            results.put(("done", message[2], fold.stats, collected.items))
        elif kind == "sync":  # the builder without its operations, then those in parts (merged as they come)
            parts = operation_parts(builder)
            results.put(("synced", message[1], builder, len(parts)))
            for part in parts:
                results.put(("part", message[1], part))
            if message[3]:  # the last one, and the parent's builder follows (PoolFolder.sync): the encoder
                give_back_memory()  # the batches it folded, before the parent's builder comes in
                own = _next(inbox, parent)
                if own is None or own[0] != "own":
                    return
                merged: SpecBuilder = unpacked(own[1])
                del own
                # merged as the parent merges them, so both hold the same builder; taken in, not copied: the
                # parent sends its builder once it has every part (the queue's feeder pickled them all)
                merged.merge_parts(builder, parts)
                del parts, builder
                _encode(inbox, results, merged, parent)
                return
            del parts
            if message[2]:  # the last one: exit while the parent renders, not when it closes the pool
                return
            builder = _blank(template)
        else:
            return


def _next(inbox: Any, parent: int) -> tuple[Any, ...] | None:
    """The next message for a worker done folding; None once the parent is gone."""
    while True:
        try:
            message: tuple[Any, ...] = inbox.get(timeout=1.0)
            return message
        except queue.Empty:
            if os.getppid() != parent:
                return None


def _encode(inbox: Any, results: Any, merged: SpecBuilder, parent: int) -> None:
    """The encoder after the last sync: ``merged`` (the parent's builder merged with this worker's parts, as
    the parent merges them) encoded once the parent asks with the positions, and written to a temporary file
    beside the state's path, which the parent puts in place after the spec (the parent neither receives
    nor writes the bytes: the 100k mix's 33 MB, twice in its memory); ``stop``: no state is written."""
    message = _next(inbox, parent)
    if message is None or message[0] != "encode":
        return
    _, positions, target = message
    try:
        written: Path | None = write_temp(target, codec.encode(merged, positions), private=True)
    except OSError:  # a full disk...: the parent writes it and says why
        written = None
    results.put(("encoded", written))


ENCODER: Final = 0  # the worker that encodes the state at the last checkpoint


def _blank(template: SpecBuilder) -> SpecBuilder:
    return template.blank()


class PoolFolder:
    """Folds batches in ``jobs`` processes; each checkpoint merges what they learned into ``builder``.

    A batch goes to whichever worker has the fewest waiting: builders merge exactly, so which worker
    folds a record does not change the result. Bad records come back with each batch's stats and are
    reported and dead-lettered here, in this process. With ``local`` (the fold of ``builder``), this
    process folds too: a batch whenever every worker has ``BUSY`` batches (one folding, one waiting).
    """

    # Batches waiting per worker (~10 MB each for Kubernetes records): bounds memory; fewer starve the
    # workers while the consumer waits on a fetch (a 200k replay: 2 -> 5.1-5.9 s, 4 -> 4.8-5.3 s).
    QUEUED = 4
    # With a local fold: a worker's batches outstanding before this process folds the next one itself. A
    # batch folded here is one neither pickled, piped nor merged (the queues' feeder threads had ~10% of a
    # -j 2 replay's samples, 100k records of 2 KB); two keep the worker busy meanwhile.
    BUSY = 2

    def __init__(self, builder: SpecBuilder, jobs: int, *, strict: bool, max_body_bytes: int,
                 keep: RecordFilter | None = None, on_skip: Callable[[RecordError], None] | None = None,
                 bad: BadRecords | None = None, stats: Stats | None = None, dispatched: int = 0,
                 local: LocalFolder | None = None) -> None:
        self.builder = builder
        self.local = local
        self.on_skip = on_skip
        self.bad = bad
        self.dispatched = dispatched
        self._stats = stats if stats is not None else Stats()
        # spawned in a follower (librdkafka's threads run here), forked without other threads (tests)
        self._workers = Workers("specbuild-fold")
        self._results: Any = self._workers.outbox
        self._inboxes: list[Any] = [self._workers.queue(maxsize=self.QUEUED) for _ in range(jobs)]
        self._pending = [0] * jobs
        self._synced: dict[int, tuple[SpecBuilder, int]] = {}  # a worker's builder (no operations), its parts
        self._parts: dict[int, list[Operations]] = {}  # parts of operations arrived, not merged yet
        self._answered: set[int] = set()  # the workers whose builder and parts all arrived
        self._expected: dict[int, int] = {}  # parts still to come, by worker
        self._finished = False  # after the last sync, the workers have exited
        self._own_sent = False  # the last sync sent the encoder this builder as it was before the merge
        self._workers.start(_fold_worker, ((inbox, self._results, _blank(builder), strict, max_body_bytes,
                                            bad is not None, keep) for inbox in self._inboxes))

    @property
    def stats(self) -> Stats:
        self._drain(block=False)
        return self._stats

    @property
    def live(self) -> SpecBuilder | None:
        return None

    def add(self, records: Sequence[tuple[bytes | None, str]]) -> None:
        self._drain(block=False)
        i = min(range(len(self._inboxes)), key=self._pending.__getitem__)
        if self.local is not None and self._pending[i] >= self.BUSY:
            self.local.add(records)
        else:
            self._pending[i] += 1
            self._put(i, ("batch", list(records), i))
        self.dispatched += len(records)

    def backlog(self, lag: int | None) -> None:
        pass

    def _put(self, i: int, message: tuple[Any, ...]) -> None:
        while True:  # a full inbox waits for its worker, which must still be alive
            try:
                self._inboxes[i].put(message, timeout=0.5)
                return
            except queue.Full:
                self._drain(block=False)
                self._check_alive()

    def sync(self, last: bool = False) -> SpecBuilder:
        """Wait for every batch sent so far, and merge the workers' builders into ``builder``.

        After the ``last`` sync the workers are gone: nothing more may be added.
        """
        # One worker, at the last sync: it gets this builder as it is before the merge and merges its own parts
        # into it as this process does, to encode the state (encode_state). Pickled here, while the worker
        # folds its last batch and sends its parts (this process would wait), and sent once they are merged: the
        # worker answers the sync first (it loaded this builder before it answered, ~0.2 s of the 100k mix's
        # that this process waited), and takes its parts in without copies (~90 MB of its peak).
        if last:
            self._take_back()
        self._own_sent = last and len(self._inboxes) == 1
        for i in range(len(self._inboxes)):
            self._put(i, ("sync", i, last, self._own_sent and i == ENCODER))
        own = packed(self.builder) if self._own_sent else None  # its parts come in meanwhile, not merged yet
        for i in range(len(self._inboxes)):
            while i not in self._synced:
                self._drain(block=True)
            synced, count = self._synced.pop(i)
            self.builder.merge_parts(synced, self._arriving(i, count))
        if own is not None:  # once its parts are all here: the worker may take them into it, not copy them
            self._put(ENCODER, ("own", own))
            del own
        self._finished = last
        self._answered.clear()
        return self.builder

    def _take_back(self) -> None:
        """With a local fold: the batches still waiting in the workers' queues (each has one folding and up
        to one waiting, BUSY) folded here instead, while each worker folds the one it has: the last sync
        waits for the slowest worker's tail, and this process would wait idle meanwhile."""
        if self.local is None:
            return
        for i, inbox in enumerate(self._inboxes):
            while self._pending[i] > 1:
                try:
                    message = inbox.get_nowait()  # one its feeder thread has not written yet stays the worker's
                except queue.Empty:
                    break
                self._pending[i] -= 1
                self.local.add(message[1])

    def encode_state(self, builder: SpecBuilder, positions: Mapping[codec.Partition, int],
                     target: Path) -> Encoding | None:
        """The one worker, which stayed after the last sync with ``builder`` merged as here, encodes the state
        and writes it beside ``target`` while this process renders: at the end of a replay its core is idle,
        and the state of the 100k mix costs 0.3 s of CPU to encode and 33 MB to write. None with more workers
        (none holds the whole builder)."""
        if not (self._finished and self._own_sent):
            return None
        keeper = self._workers.procs[ENCODER]
        if keeper.exitcode is not None:
            return None
        self._put(ENCODER, ("encode", dict(positions), target))

        def wait() -> Path | None:
            while True:
                gone = keeper.exitcode is not None  # it sends its answer before it exits
                try:
                    message = self._results.get(timeout=0.5)
                except queue.Empty:
                    if gone:  # died (killed, out of memory): this process encodes instead
                        return None
                    continue
                if message[0] == "encoded":
                    written: Path | None = message[1]
                    return written
        return wait

    def _arriving(self, i: int, count: int) -> Iterator[Operations]:
        """Worker ``i``'s ``count`` parts of operations, each as soon as it is here."""
        for _ in range(count):
            while not self._parts.get(i):
                self._drain(block=True)
            yield self._parts[i].pop(0)

    def _drain(self, block: bool) -> None:
        while True:
            try:
                message = self._results.get(timeout=0.5) if block else self._results.get_nowait()
            except queue.Empty:
                if block:
                    self._check_alive()
                    continue
                return
            self._handle(message)
            block = False

    def _handle(self, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "failed":
            raise message[1]
        if kind == "synced":
            _, i, builder, count = message
            self._synced[i] = (builder, count)
            self._parts[i] = []
            self._expected[i] = count
        if kind == "part":
            self._parts[message[1]].append(message[2])
            self._expected[message[1]] -= 1
        if kind in ("synced", "part"):
            if not self._expected[message[1]]:
                self._answered.add(message[1])
            return
        _, i, stats, bad = message
        self._pending[i] -= 1
        self._stats.merge(stats)
        for err, raw in bad:
            if self.on_skip is not None:
                self.on_skip(err)
            if self.bad is not None:
                self.bad.write(raw, err)

    def _check_alive(self) -> None:
        if not self._finished:  # after the last sync the workers have handed their builders over and left
            self._workers.check(done=self._answered)

    def close(self) -> None:
        try:
            for inbox in self._inboxes:
                with contextlib.suppress(queue.Full, ValueError, OSError):
                    inbox.put(("stop",), timeout=1.0)
        except BaseException:  # a second Ctrl-C while asking them to stop still ends the workers
            self._workers.close(0.0)
            raise
        self._workers.close()


class ScalingFolder:
    """Folds here until there is a backlog, then in a pool of processes: ``jobs - 1`` workers and this one.

    A live topic trickles and one process keeps up; a replay (``--until-end``, or a restart after
    downtime) has a backlog worth the pool's start-up (spawned interpreters, one per core). A backlog
    shows as lag (once the fetches have reported every partition's end) or, sooner, as full batches
    arriving one after another: records are waiting.
    """

    def __init__(self, local: LocalFolder, jobs: int, threshold: int = POOL_BACKLOG,
                 bad: BadRecords | None = None, note: Callable[[str], None] = lambda _m: None,
                 replay: bool = False) -> None:
        self.local = local
        self.jobs = jobs
        self.threshold = threshold
        self.bad = bad
        self.note = note
        self.current: LocalFolder | PoolFolder = local
        self._streak = 0   # records in full batches, one after another
        if replay:
            # --until-end: the topic's backlog is the whole run, so the pool starts now, before the consumer
            # exists: its workers fork (no librdkafka thread yet) instead of spawning an interpreter each
            # (~0.3-0.5 s), and fold from the first batch instead of after a streak of POOL_BACKLOG / 2
            # records folded here alone (the 100k mix: 25k records, a quarter of the replay on one core)
            self._scale("--until-end")

    @property
    def dispatched(self) -> int:
        return self.current.dispatched

    @property
    def stats(self) -> Stats:
        return self.current.stats

    @property
    def live(self) -> SpecBuilder | None:
        return self.current.live

    def add(self, records: Sequence[tuple[bytes | None, str]]) -> None:
        self.current.add(records)
        if self.current is self.local:
            self._streak = self._streak + len(records) if len(records) >= BATCH else 0
            if self._streak >= self.threshold // 2:
                self._scale(f"{self._streak:,} records came in full batches")

    def backlog(self, lag: int | None) -> None:
        if self.current is self.local and lag is not None and lag >= self.threshold:
            self._scale(f"{lag:,} records behind")

    def _scale(self, why: str) -> None:
        self.note(f"specbuild: {why}: folding in {self.jobs} processes")
        fold = self.local.fold
        self.current = PoolFolder(fold.builder, self.jobs - 1, strict=fold.strict,
                                  max_body_bytes=fold.max_body_bytes, keep=fold.keep, on_skip=self.local._report,
                                  bad=self.bad, stats=fold.stats, dispatched=self.local.dispatched, local=self.local)

    def sync(self, last: bool = False) -> SpecBuilder:
        return self.current.sync(last)

    def encode_state(self, builder: SpecBuilder, positions: Mapping[codec.Partition, int],
                     target: Path) -> Encoding | None:
        return self.current.encode_state(builder, positions, target)

    def close(self) -> None:
        self.current.close()

