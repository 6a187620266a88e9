"""Following a Kafka topic: the lifecycle around the fold.

    open (state, lock, consumer) -> poll -> fold -> every --checkpoint-interval: checkpoint
    -> stop (signal, --until-end, --max-records, --idle-timeout) -> checkpoint -> close

A checkpoint writes ``openapi.json`` (validated) and the builder's state with the next offset of
every partition folded into it (``.specbuild-state.pickle``, atomic), and only then commits those
offsets to the group. A restart with the same ``-o`` loads the state and starts each assigned
partition at the state's offsets, not the group's: a record is folded into a state exactly once,
so a run killed at any moment and restarted ends with the same bytes as one that never stopped.

A signal handler only records the signal; the loop notices it between batches. A second signal
restores the default handlers, so it ends the process at once (the last checkpoint stays whole:
every write is atomic).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import multiprocessing
import os
import pickle
import queue
import signal
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO, Any, Final, Protocol

import orjson

from specbuild import __version__
from specbuild.builder import SpecBuilder
from specbuild.console import Reporter
from specbuild.errors import InputError, RecordError, UsageError
from specbuild.files import write_atomic
from specbuild.run import Fold, Stats, build_document, write_document
from specbuild.sources.kafka import Batch, Partition, consumer_config, describe, open_source
from specbuild.spec import RenderOptions

STATE_NAME: Final = ".specbuild-state.pickle"
LOCK_NAME: Final = ".specbuild.lock"
STATE_MAGIC: Final = b"specbuild-state"
STATE_VERSION: Final = 1
BATCH: Final = 4096          # records per consume(); a whole batch is folded before a stop is noticed
POLL_TIMEOUT: Final = 0.5    # seconds; also how quickly a signal or a stop condition is noticed
PROGRESS_EVERY: Final = 0.5  # seconds between live-line updates
MAX_AUTO_JOBS: Final = 4     # fold processes by default: one per core, at most this many
POOL_BACKLOG: Final = 50_000  # records behind before folding moves to the pool (~2 s of one core)


@dataclass(frozen=True, slots=True)
class FollowSettings:
    """Everything ``specbuild --source kafka`` was asked to do (built by cli.py)."""

    bootstrap_servers: str
    topics: tuple[str, ...]
    group_id: str
    offset_reset: str
    overrides: tuple[str, ...]
    config_file: Path | None
    until_end: bool
    max_records: int | None
    idle_timeout: float | None
    checkpoint_interval: float
    dead_letter: Path | None
    output: str
    fmt: str
    strict: bool
    max_body_bytes: int
    quiet: bool
    jobs: int = 0   # processes that fold; 0: one per core (at most 4), 1: fold in this process


@dataclass(frozen=True, slots=True)
class Limits:
    """When the loop stops by itself and how often it checkpoints."""

    until_end: bool = False
    max_records: int | None = None
    idle_timeout: float | None = None
    checkpoint_interval: float = 30.0


class Source(Protocol):
    """What the loop needs from a consumer (sources.kafka.KafkaSource in production)."""

    on_revoke: Callable[[list[Partition]], None] | None

    def poll(self, max_records: int, timeout: float) -> Batch: ...
    def at_end(self) -> bool: ...
    def lag(self) -> int | None: ...
    def commit(self, offsets: Mapping[Partition, int]) -> bool: ...
    def close(self) -> None: ...


# -- the saved state -------------------------------------------------------------------------------

@dataclass(slots=True)
class State:
    """What a checkpoint saves besides the spec: the fold and where each partition continues."""

    builder: SpecBuilder
    positions: dict[Partition, int]


def encode_state(state: State) -> bytes:
    header = b"%s %d %s\n" % (STATE_MAGIC, STATE_VERSION, __version__.encode())
    return header + pickle.dumps({"builder": state.builder, "positions": dict(state.positions)},
                                 protocol=pickle.HIGHEST_PROTOCOL)


def decode_state(data: bytes, origin: str) -> State:
    """The inverse of :func:`encode_state`; a state from another format version is refused."""
    header, _, body = data.partition(b"\n")
    parts = header.split(b" ")
    if len(parts) < 2 or parts[0] != STATE_MAGIC:
        raise InputError(f"{origin}: not a specbuild state file")
    if parts[1] != str(STATE_VERSION).encode():
        raise InputError(f"{origin}: state format {parts[1].decode(errors='replace')} is not the one this "
                         f"specbuild writes ({STATE_VERSION})",
                         hint="delete it to start over (the group's committed offsets then apply)")
    try:
        obj = pickle.loads(body)
        return State(builder=obj["builder"], positions=dict(obj["positions"]))
    except Exception as exc:  # a truncated or foreign pickle can raise almost anything
        raise InputError(f"{origin}: cannot read the saved state ({type(exc).__name__}: {exc})",
                         hint="delete it to start over (the group's committed offsets then apply)") from None


class Store(Protocol):
    """Where checkpoints go: a folder (spec + state) or, for ``-o -``, stdout once at the end."""

    periodic: bool

    def load(self) -> State | None: ...
    def write(self, state: State) -> tuple[dict[str, Any], Path | None]: ...


class Checkpoints:
    """Writes the spec and the state into the output folder; reads the state back on start."""

    periodic = True

    def __init__(self, output: Path, fmt: str, options: RenderOptions | None,
                 base: dict[str, Any] | None) -> None:
        self.output = output
        self.fmt = fmt
        self.options = options
        self.base = base
        self.state_path = output / STATE_NAME

    def load(self) -> State | None:
        try:
            data = self.state_path.read_bytes()
        except FileNotFoundError:
            return None
        return decode_state(data, str(self.state_path))

    def write(self, state: State) -> tuple[dict[str, Any], Path | None]:
        """Spec first, then state: a crash between them leaves an older state, which refolds to the same."""
        doc = build_document(state.builder, self.options, self.base)
        target = write_document(doc, self.output, self.fmt)
        write_atomic(self.state_path, encode_state(state))
        return doc, target


class StdoutCheckpoints:
    """``-o -``: the spec goes to stdout once, at the end; nothing is saved, so nothing is committed."""

    periodic = False

    def __init__(self, fmt: str, options: RenderOptions | None, base: dict[str, Any] | None) -> None:
        self.fmt = fmt
        self.options = options
        self.base = base

    def load(self) -> State | None:
        return None

    def write(self, state: State) -> tuple[dict[str, Any], Path | None]:
        doc = build_document(state.builder, self.options, self.base)
        write_document(doc, "-", self.fmt)
        return doc, None


# -- bad records -----------------------------------------------------------------------------------

def dead_letter_line(raw: bytes | None, err: RecordError) -> bytes:
    """One JSON line per bad record: where it came from, why, and its value as it was."""
    entry: dict[str, Any] = {"origin": err.origin, "reason": err.reason, "detail": err.detail}
    if raw is None:
        entry["value"] = None
    else:
        try:
            entry["value"] = raw.decode("utf-8")
        except UnicodeDecodeError:
            entry["value_base64"] = base64.b64encode(raw).decode("ascii")
    return orjson.dumps(entry) + b"\n"


class DeadLetter:
    """Appends bad records to a file; flushed (and fsynced) before offsets are committed."""

    def __init__(self, fh: IO[bytes]) -> None:
        self.fh = fh
        self.written = 0

    def write(self, raw: bytes | None, err: RecordError) -> None:
        self.fh.write(dead_letter_line(raw, err))
        self.written += 1

    def flush(self) -> None:
        self.fh.flush()
        with contextlib.suppress(OSError, ValueError):  # not every stream has a descriptor
            os.fsync(self.fh.fileno())


# -- signals ---------------------------------------------------------------------------------------

class StopSignals:
    """SIGINT/SIGTERM ask the loop to stop; a second one ends the process at once."""

    SIGNALS: Final = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.received: int | None = None
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> StopSignals:
        for sig in self.SIGNALS:
            self._previous[sig] = signal.signal(sig, self.handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)

    def handle(self, signum: int, _frame: FrameType | None) -> None:
        self.received = signum
        for sig in self.SIGNALS:  # the next one gets the OS default: terminate now
            signal.signal(sig, signal.SIG_DFL)

    def requested(self) -> bool:
        return self.received is not None


# -- folding, here or in worker processes -----------------------------------------------------------

class Folder(Protocol):
    """Where batches are folded: this process, or a pool of processes merged at each checkpoint."""

    @property
    def dispatched(self) -> int: ...
    @property
    def stats(self) -> Stats: ...
    def add(self, records: Sequence[tuple[bytes | None, str]]) -> None: ...
    def backlog(self, lag: int | None) -> None: ...
    def sync(self) -> SpecBuilder: ...
    def close(self) -> None: ...


class BadRecords(Protocol):
    def write(self, raw: bytes | None, err: RecordError) -> None: ...


class LocalFolder:
    """Folds each batch here; bad records are reported through the fold's ``on_skip`` as they come."""

    def __init__(self, fold: Fold, bad: BadRecords | None = None) -> None:
        self.fold = fold
        self.bad = bad
        self.dispatched = 0
        self._last: RecordError | None = None
        self._report = fold.on_skip
        fold.on_skip = self._skipped

    @property
    def stats(self) -> Stats:
        return self.fold.stats

    def add(self, records: Sequence[tuple[bytes | None, str]]) -> None:
        add, bad = self.fold.add, self.bad
        for raw, origin in records:
            if raw is None:
                self._tombstone(origin)
            elif not add(raw, origin) and bad is not None and self._last is not None:
                bad.write(raw, self._last)
        self.dispatched += len(records)

    def _tombstone(self, origin: str) -> None:
        self.fold.stats.read += 1
        err = RecordError("tombstone", "null value (a tombstone), not an HTTP Types record", origin)
        self.fold.skip(err)
        if self.bad is not None:
            self.bad.write(None, err)

    def _skipped(self, err: RecordError) -> None:
        self._last = err
        if self._report is not None:
            self._report(err)

    def backlog(self, lag: int | None) -> None:
        pass

    def sync(self) -> SpecBuilder:
        return self.fold.builder

    def close(self) -> None:
        pass


class _Collected:
    """Bad records a worker saw, sent back with the batch's stats (raw values only if kept)."""

    def __init__(self, keep_raw: bool) -> None:
        self.keep_raw = keep_raw
        self.items: list[tuple[RecordError, bytes | None]] = []

    def write(self, raw: bytes | None, err: RecordError) -> None:
        self.items.append((err, raw if self.keep_raw else None))


def _fold_worker(inbox: Any, results: Any, template: SpecBuilder, strict: bool, max_body_bytes: int,
                 keep_raw: bool) -> None:
    """A pool process: fold batches into a delta builder, hand it over (and start afresh) on "sync"."""
    for sig in (signal.SIGINT, signal.SIGTERM):  # the parent decides when to stop, and saves
        signal.signal(sig, signal.SIG_IGN)
    parent = os.getppid()
    builder = _blank(template)
    while True:
        try:
            message = inbox.get(timeout=1.0)
        except queue.Empty:
            if os.getppid() != parent:  # the parent is gone (SIGKILL): there is no one to hand over to
                return
            continue
        kind = message[0]
        if kind == "batch":
            collected = _Collected(keep_raw)
            fold = Fold(builder, strict=strict, max_body_bytes=max_body_bytes)
            try:
                LocalFolder(fold, collected).add(message[1])
            except RecordError as err:  # --strict
                results.put(("failed", err))
                return
            results.put(("done", message[2], fold.stats, collected.items))
        elif kind == "sync":
            results.put(("synced", message[1], builder))
            builder = _blank(template)
        else:
            return


def _blank(template: SpecBuilder) -> SpecBuilder:
    return SpecBuilder(hints=template.hints, headers=template.headers)


class PoolFolder:
    """Folds batches in ``jobs`` processes; each checkpoint merges what they learned into ``builder``.

    A batch goes to whichever worker has the fewest waiting: builders merge exactly, so which worker
    folds a record does not change the result. Bad records come back with each batch's stats and are
    reported and dead-lettered here, in this process.
    """

    QUEUED = 2  # batches waiting per worker: bounds memory, and Kafka's own prefetch does the rest

    def __init__(self, builder: SpecBuilder, jobs: int, *, strict: bool, max_body_bytes: int,
                 on_skip: Callable[[RecordError], None] | None = None, bad: BadRecords | None = None,
                 stats: Stats | None = None, dispatched: int = 0) -> None:
        ctx = multiprocessing.get_context("spawn")  # no fork: librdkafka and rich run threads here
        self.builder = builder
        self.on_skip = on_skip
        self.bad = bad
        self.dispatched = dispatched
        self._stats = stats if stats is not None else Stats()
        self._results: Any = ctx.Queue()
        self._inboxes: list[Any] = [ctx.Queue(maxsize=self.QUEUED) for _ in range(jobs)]
        self._pending = [0] * jobs
        self._synced: dict[int, SpecBuilder] = {}
        self._procs = [ctx.Process(target=_fold_worker, name=f"specbuild-fold-{i}", daemon=True,
                                   args=(inbox, self._results, _blank(builder), strict, max_body_bytes,
                                         bad is not None))
                       for i, inbox in enumerate(self._inboxes)]
        for proc in self._procs:
            proc.start()

    @property
    def stats(self) -> Stats:
        self._drain(block=False)
        return self._stats

    def add(self, records: Sequence[tuple[bytes | None, str]]) -> None:
        self._drain(block=False)
        i = min(range(len(self._inboxes)), key=self._pending.__getitem__)
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

    def sync(self) -> SpecBuilder:
        """Wait for every batch sent so far, and merge the workers' builders into ``builder``."""
        for i in range(len(self._inboxes)):
            self._put(i, ("sync", i))
        while len(self._synced) < len(self._inboxes):
            self._drain(block=True)
        for i in sorted(self._synced):
            self.builder.merge(self._synced[i])
        self._synced.clear()
        return self.builder

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
            self._synced[message[1]] = message[2]
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
        for proc in self._procs:
            if not proc.is_alive():
                raise RuntimeError(f"fold worker {proc.name} died (exit code {proc.exitcode})")

    def close(self) -> None:
        for inbox in self._inboxes:
            with contextlib.suppress(queue.Full, ValueError, OSError):
                inbox.put(("stop",), timeout=1.0)
        for proc in self._procs:
            proc.join(timeout=5.0)
            if proc.is_alive():
                proc.terminate()
        for q in (*self._inboxes, self._results):
            q.cancel_join_thread()
            q.close()


class ScalingFolder:
    """Folds here until there is a backlog, then hands over to a pool of processes.

    A live topic trickles and one process keeps up; a replay (``--until-end``, or a restart after
    downtime) has a backlog worth the pool's start-up (spawned interpreters, one per core). A backlog
    shows as lag (once the fetches have reported every partition's end) or, sooner, as full batches
    arriving one after another: records are waiting.
    """

    def __init__(self, local: LocalFolder, jobs: int, threshold: int = POOL_BACKLOG,
                 bad: BadRecords | None = None, note: Callable[[str], None] = lambda _m: None) -> None:
        self.local = local
        self.jobs = jobs
        self.threshold = threshold
        self.bad = bad
        self.note = note
        self.current: LocalFolder | PoolFolder = local
        self._streak = 0   # records in full batches, one after another

    @property
    def dispatched(self) -> int:
        return self.current.dispatched

    @property
    def stats(self) -> Stats:
        return self.current.stats

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
        self.current = PoolFolder(fold.builder, self.jobs, strict=fold.strict,
                                  max_body_bytes=fold.max_body_bytes, on_skip=self.local._report,
                                  bad=self.bad, stats=fold.stats, dispatched=self.local.dispatched)

    def sync(self) -> SpecBuilder:
        return self.current.sync()

    def close(self) -> None:
        self.current.close()


# -- the loop --------------------------------------------------------------------------------------

class Follower:
    """Polls a source, folds each batch, checkpoints, and stops when a limit or ``should_stop`` says so."""

    def __init__(self, source: Source, folder: Folder, positions: dict[Partition, int], *,
                 checkpoints: Store, limits: Limits, dead_letter: DeadLetter | None = None,
                 progress: Callable[[Stats, int | None], None] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.source = source
        self.folder = folder
        self.positions = positions
        self.checkpoints = checkpoints
        self.limits = limits
        self.dead_letter = dead_letter
        self.progress = progress
        self.clock = clock
        self.dirty = False
        self.failed = False
        self.checkpoints_written = 0
        self.doc: dict[str, Any] | None = None
        self.target: Path | None = None
        source.on_revoke = self._revoked

    def run(self, should_stop: Callable[[], bool] = lambda: False) -> str:
        """Follow until a stop condition; checkpoint; return why it stopped."""
        try:
            reason = self._loop(should_stop)
        except BaseException:
            self.failed = True  # no checkpoint of a half-folded batch, no commit
            raise
        self.checkpoint()
        return reason

    def _loop(self, should_stop: Callable[[], bool]) -> str:
        limits, folder, clock = self.limits, self.folder, self.clock
        now = clock()
        last_checkpoint = last_progress = last_record = now
        while True:
            reason = self._stop_reason(should_stop, now - last_record)
            if reason:
                return reason
            want = BATCH if limits.max_records is None else min(BATCH, limits.max_records - folder.dispatched)
            batch = self.source.poll(want, POLL_TIMEOUT)
            now = clock()
            if batch.records:
                folder.add(batch.records)
                self.positions.update(batch.ends)
                self.dirty = True
                last_record = now
            due = now - last_checkpoint >= limits.checkpoint_interval
            if due and self.dirty and self.checkpoints.periodic:
                self.checkpoint()
                last_checkpoint = now
            if now - last_progress >= PROGRESS_EVERY:
                last_progress = now
                lag = self.source.lag()
                folder.backlog(lag)
                if self.progress is not None:
                    self.progress(folder.stats, lag)

    def _stop_reason(self, should_stop: Callable[[], bool], idle: float) -> str:
        limits = self.limits
        if should_stop():
            return "signal"
        if limits.max_records is not None and self.folder.dispatched >= limits.max_records:
            return "max-records"
        if limits.until_end and self.source.at_end():
            return "end"
        if limits.idle_timeout is not None and idle >= limits.idle_timeout:
            return "idle-timeout"
        return ""

    def _revoked(self, _parts: list[Partition]) -> None:
        # Save and commit before another member takes these partitions over, so it starts where we
        # stopped instead of refolding everything since our last checkpoint.
        if self.dirty and not self.failed and self.checkpoints.periodic:
            self.checkpoint()

    def checkpoint(self) -> None:
        """Spec and state to disk, dead letters flushed, then (only then) the offsets committed."""
        builder = self.folder.sync()
        self.doc, self.target = self.checkpoints.write(State(builder, self.positions))
        if self.dead_letter is not None:
            self.dead_letter.flush()
        if self.checkpoints.periodic:  # with nothing saved, committing would lose those records
            self.source.commit(self.positions)
        self.dirty = False
        self.checkpoints_written += 1


# -- wiring ----------------------------------------------------------------------------------------

def follow(settings: FollowSettings, builder: SpecBuilder, options: RenderOptions | None = None,
           base: dict[str, Any] | None = None) -> None:
    """``specbuild --source kafka``: follow the topics until stopped, then write the spec."""
    conf = consumer_config(settings.bootstrap_servers, settings.group_id, settings.offset_reset,
                           settings.overrides, settings.config_file)
    log_every = max(5.0, min(settings.checkpoint_interval, 60.0))
    with contextlib.ExitStack() as stack:
        reporter = stack.enter_context(Reporter(quiet=settings.quiet, log_every=log_every))
        checkpoints: Store
        if settings.output == "-":
            checkpoints = StdoutCheckpoints(settings.fmt, options, base)
        else:
            out = Path(settings.output)
            stack.enter_context(_locked(out))
            checkpoints = Checkpoints(out, settings.fmt, options, base)
        saved = checkpoints.load()
        positions: dict[Partition, int] = {}
        if saved is not None:
            builder = _resume(saved, builder, reporter)
            positions = saved.positions
        dead = None
        if settings.dead_letter is not None:
            dead = DeadLetter(stack.enter_context(_append(settings.dead_letter)))
        folder = _folder(settings, builder, reporter, dead)
        stack.callback(folder.close)
        stop = stack.enter_context(StopSignals())
        source = open_source(conf, settings.topics, positions, note=reporter.note,
                             require_topics=settings.until_end)
        stack.callback(source.close)  # also when the loop fails: leave the group at once
        follower = Follower(
            source, folder, positions, checkpoints=checkpoints, dead_letter=dead,
            limits=Limits(settings.until_end, settings.max_records, settings.idle_timeout,
                          settings.checkpoint_interval),
            progress=lambda stats, lag: reporter.progress(stats, lag=lag, **_counts(follower.doc)),
        )
        reason = follower.run(stop.requested)
        source.close()
        folder.stats.finished = time.monotonic()
        _report_end(reporter, follower, reason, stop.received)


def _folder(settings: FollowSettings, builder: SpecBuilder, reporter: Reporter,
            dead: DeadLetter | None) -> Folder:
    jobs = settings.jobs or min(os.cpu_count() or 1, MAX_AUTO_JOBS)
    fold = Fold(builder, strict=settings.strict, max_body_bytes=settings.max_body_bytes,
                on_skip=reporter.warn)
    local = LocalFolder(fold, dead)
    return local if jobs <= 1 else ScalingFolder(local, jobs, bad=dead, note=reporter.note)


def _resume(saved: State, builder: SpecBuilder, reporter: Reporter) -> SpecBuilder:
    mine = saved.builder
    if tuple(mine.headers.include) != tuple(builder.headers.include) or \
            tuple(mine.headers.exclude) != tuple(builder.headers.exclude) or \
            not set(builder.hints) <= set(mine.hints):
        reporter.note("warning: the saved state was learned with other --path-template/--include-header/"
                      f"--exclude-header options; it keeps its own (delete {STATE_NAME} to start over)")
    reporter.note(f"specbuild: resuming from the saved state: {mine.exchanges:,} exchanges learned, "
                  f"{describe(saved.positions) or 'no partitions'} at offsets "
                  f"{', '.join(str(o) for _, o in sorted(saved.positions.items())) or '-'}")
    return mine


def _counts(doc: dict[str, Any] | None) -> dict[str, int]:
    if doc is None:
        return {}
    paths = doc.get("paths", {})
    ops = sum(1 for item in paths.values() for m in item if m != "parameters")
    return {"paths": len(paths), "operations": ops}


def _report_end(reporter: Reporter, follower: Follower, reason: str, signum: int | None) -> None:
    why = {"signal": f"stopped by {signal.Signals(signum).name}" if signum else "stopped",
           "end": "reached the end of every assigned partition",
           "max-records": "read --max-records records", "idle-timeout": "idle for --idle-timeout"}
    reporter.note(f"specbuild: {why.get(reason, reason)}")
    counts = _counts(follower.doc)
    target = str(follower.target) if follower.target else None
    reporter.summary(follower.folder.stats, paths=counts.get("paths", 0),
                     operations=counts.get("operations", 0), target=target)


@contextlib.contextmanager
def _locked(output: Path) -> Iterator[None]:
    """One follower per output folder: two would overwrite each other's state."""
    try:
        output.mkdir(parents=True, exist_ok=True)
        fd = os.open(output / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise UsageError(f"{output}: cannot use as the output folder ({exc.strerror})") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(f"{output}: another specbuild is already following into this folder",
                             hint="give each follower its own -o") from None
        yield
    finally:
        os.close(fd)


@contextlib.contextmanager
def _append(path: Path) -> Iterator[IO[bytes]]:
    try:
        fh = open(path, "ab")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise UsageError(f"--dead-letter {path}: cannot open ({exc.strerror})") from None
    with fh:
        yield fh
