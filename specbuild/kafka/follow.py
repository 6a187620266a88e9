"""Following a Kafka topic: the lifecycle around the fold.

    open (state, lock, consumer) -> poll -> fold -> every --checkpoint-interval: checkpoint
    -> stop (signal, --until-end, --max-records, --idle-timeout) -> checkpoint -> close

A checkpoint (see :mod:`specbuild.kafka.checkpoint`) writes ``openapi.json`` (validated) and the builder's
state with the next offset of every partition folded into it, and only then commits those offsets
to the group. A restart with the same ``-o`` loads the state and starts each assigned partition at
the state's offsets, not the group's: a record is folded into a state exactly once, so a run killed
at any moment and restarted ends with the same bytes as one that never stopped. Batches are folded
here or in a pool of processes (see :mod:`specbuild.kafka.pool`).

A signal handler only records the signal; the loop notices it between batches. A second signal
restores the default handlers, so it ends the process at once (the last checkpoint stays whole:
every write is atomic).
"""

from __future__ import annotations

import contextlib
import signal
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Protocol

from specbuild.errors import InputError, SourceError, UsageError
from specbuild.filters import RecordFilter
from specbuild.io.files import remove_stale_temps
from specbuild.io.validate import preload, warm
from specbuild.kafka.checkpoint import (
    STATE_NAME,
    Checkpoints,
    DeadLetter,
    State,
    StdoutCheckpoints,
    Store,
    locked,
    open_dead_letter,
)
from specbuild.kafka.client import (
    Batch,
    Connection,
    KafkaSource,
    Partition,
    StateReader,
    StateWriter,
    StopAt,
    cooperative,
    describe,
    ensure_state_topic,
    open_source,
    state_topic_name,
)
from specbuild.kafka.group import WAIT_POLL, Group, PartitionFolder, transactional_id
from specbuild.kafka.pool import BATCH, Folder, LocalFolder, ScalingFolder
from specbuild.learn.builder import SpecBuilder
from specbuild.learn.render import RenderOptions, counts
from specbuild.parallel import Standby, cores, give_back_memory
from specbuild.run import Fold, Reporter, Stats, StopSignals, nothing_learned

POLL_TIMEOUT: Final = 0.5    # seconds; also how quickly a signal or a stop condition is noticed
# A batch holds at most about this many bytes (fewer than BATCH records when they are large): batches
# wait in memory for the fold workers (pool.PoolFolder.QUEUED per worker).
BATCH_BYTES: Final = 16 << 20
MIN_BATCH: Final = 16
PROGRESS_EVERY: Final = 0.5  # seconds between live-line updates
COUNT_EVERY: Final = 5.0     # seconds between recounts of the paths and operations for the live line
COUNT_SHARE: Final = 0.05    # ... and no more of the time than this (deciding templates takes a while)
MAX_AUTO_JOBS: Final = 4     # fold processes by default: one per core, at most this many


@dataclass(frozen=True, slots=True)
class Limits(StopAt):
    """When the loop stops by itself (see :class:`StopAt`), how often it checkpoints and (``--state kafka``)
    how often it renders the group's spec."""

    checkpoint_interval: float = 30.0
    # a group's render costs every member seconds of CPU whatever its share of the partitions (decode the
    # changed states, render the whole API, validate): every 2 minutes keeps that a few % of a core
    render_interval: float = 120.0


@dataclass(frozen=True, slots=True)
class FollowSettings:
    """Everything ``specbuild --source kafka`` was asked to do (built by cli.py)."""

    connection: Connection
    limits: Limits
    dead_letter: Path | None
    output: str
    fmt: str
    strict: bool
    max_body_bytes: int
    quiet: bool
    jobs: int = 0   # processes that fold; 0: one per core (at most 4), 1: fold in this process
    reset_state: bool = False  # --reset-state: forget the folder's saved state first
    keep: RecordFilter | None = None  # --include-path, --exclude-path, --host, --method
    state: str = "local"  # --state: local (a file in -o) or kafka (a state per partition, in state_topic)
    state_topic: str = ""  # --state-topic; "": <group id>.specbuild-state


class Source(Protocol):
    """What the loop needs from a consumer (sources.kafka.KafkaSource in production)."""

    on_revoke: Callable[[list[Partition]], None] | None

    def poll(self, max_records: int, timeout: float) -> Batch: ...
    def at_end(self) -> bool: ...
    def lag(self) -> int | None: ...
    def commit(self, offsets: Mapping[Partition, int]) -> bool: ...
    def close(self) -> None: ...


# -- the loop --------------------------------------------------------------------------------------

class Follower:
    """Polls a source, folds each batch, checkpoints, and stops when a limit or ``should_stop`` says so."""

    def __init__(self, source: Source, folder: Folder, positions: dict[Partition, int], *,
                 checkpoints: Store, limits: Limits, dead_letter: DeadLetter | None = None,
                 progress: Callable[[Stats, int | None], None] | None = None,
                 clock: Callable[[], float] = time.monotonic, group: Group | None = None) -> None:
        self.source = source
        self.group = group
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
        self.checkpoint(last=True)
        return reason

    def _loop(self, should_stop: Callable[[], bool]) -> str:
        limits, folder, clock = self.limits, self.folder, self.clock
        now = clock()
        last_checkpoint = last_progress = last_record = now
        sized_up = False
        size = BATCH
        while True:
            reason = self._stop_reason(should_stop, now - last_record)
            if reason:
                return reason
            want = size if limits.max_records is None else min(size, limits.max_records - folder.dispatched)
            batch = self.source.poll(want, WAIT_POLL if self.group is not None and self.group.waiting else POLL_TIMEOUT)
            now = clock()
            if batch.records:
                size = batch_size(batch.records)
                if not sized_up:  # the first fetch tells the backlog: a replay goes to the pool at once
                    sized_up = True
                    folder.backlog(self.source.lag())
                folder.add(batch.records)
                self.positions.update(batch.ends)
                self.dirty = True
                last_record = now
            due = now - last_checkpoint >= limits.checkpoint_interval or self._end_unsaved()
            if due and (self.dirty or self._news()) and self.checkpoints.periodic:
                self.checkpoint()
                last_checkpoint = now
            if now - last_progress >= PROGRESS_EVERY:
                last_progress = now
                give_back_memory()  # the batches folded since (a replay's follower: ~100 MB a second)
                lag = self.source.lag()
                folder.backlog(lag)
                if self.progress is not None:
                    self.progress(folder.stats, lag)

    def _end_unsaved(self) -> bool:
        """A group's member at the end of its partitions (--until-end) commits their states at once: the
        others wait for them."""
        return self.group is not None and self.group.end_unsaved()

    def _news(self) -> bool:
        """A group's spec changes when another member checkpoints: rendered again, as if we had folded."""
        return self.group is not None and self.group.news()

    def _stop_reason(self, should_stop: Callable[[], bool], idle: float) -> str:
        if should_stop():
            return "signal"
        group = self.group
        at_end = group.ended() if group is not None and group.until_end else self.source.at_end()
        return self.limits.reason(self.folder.dispatched, idle, at_end)

    def _revoked(self, _parts: list[Partition]) -> None:
        # Save and commit before another member takes these partitions over, so it starts where we
        # stopped instead of refolding everything since our last checkpoint.
        if self.group is not None:  # the states committed with their offsets; the spec waits for a checkpoint
            if not self.failed:  # also what an aborted transaction left to write
                if self.dead_letter is not None:
                    self.dead_letter.flush()
                self.group.commit(_parts)
            self.group.revoked(_parts)
        elif self.dirty and not self.failed and self.checkpoints.periodic:
            self.checkpoint()

    def checkpoint(self, last: bool = False) -> None:
        """Spec and state to disk, dead letters flushed, then (only then) the offsets committed.

        The ``last`` one (at stop) lets the fold processes go before the spec is rendered. With a group
        (``--state kafka``): the dead letters first, then the states with their offsets in one transaction,
        then the spec of every partition's latest state (:meth:`Group.write`).
        """
        self.checkpoints.stopping = last
        builder = self.folder.sync(last)
        if last:  # before the render: the last batches folded, the workers' parts merged
            give_back_memory()
        if self.dead_letter is not None:  # before the offsets are committed (with the state, or after it)
            self.dead_letter.flush()
        state = State(builder, self.positions)
        target = self.checkpoints.state_path
        if last and self.checkpoints.periodic and target is not None:
            # a state to write: a fold worker encodes and writes it while the spec renders
            state.encoded = self.folder.encode_state(builder, self.positions, target)
        self.doc, self.target = self.checkpoints.write(state)
        if self.checkpoints.periodic and self.group is None:  # with nothing saved, committing would lose those records
            self.source.commit(self.positions)
        self.dirty = False
        self.checkpoints_written += 1


def batch_size(records: list[tuple[bytes | None, str]]) -> int:
    """Records to ask for next: BATCH, or fewer when records of the size of these would pass BATCH_BYTES."""
    total = sum(len(raw) for raw, _ in records if raw is not None)
    if total * BATCH <= BATCH_BYTES * len(records):
        return BATCH
    return max(MIN_BATCH, BATCH_BYTES * len(records) // total)


# -- wiring ----------------------------------------------------------------------------------------

def follow(settings: FollowSettings, builder: SpecBuilder, reporter: Reporter,
           options: RenderOptions | None = None, base: dict[str, Any] | None = None) -> None:
    """``specbuild --source kafka``: follow the topics until stopped, then write the spec."""
    if settings.state == "kafka":
        follow_group(settings, builder, reporter, options, base)
        return
    started = time.time()
    conf = settings.connection.config()
    limits = settings.limits
    with contextlib.ExitStack() as stack:
        checkpoints: Store
        if settings.output == "-":
            checkpoints = StdoutCheckpoints(settings.fmt, options, base, replay=limits.until_end)
        else:
            out = Path(settings.output)
            stack.enter_context(locked(out))
            remove_stale_temps(out, started)  # ours, from a run killed in a write; we hold the folder now
            checkpoints = Checkpoints(out, settings.fmt, options, base,
                                      render_every=limits.render_interval if limits.until_end else 0.0,
                                      ready=_standby(stack, limits), replay=limits.until_end)
        builder, positions = _start(settings, checkpoints, builder, reporter)
        dead = None
        if settings.dead_letter is not None:
            dead = DeadLetter(stack.enter_context(open_dead_letter(settings.dead_letter)))
        folder = _folder(settings, builder, reporter, dead)
        stack.callback(folder.close)
        stop = stack.enter_context(StopSignals())
        tally = Counts(overlaid=base is not None, file_paths=options is not None and options.file_paths)
        if not isinstance(checkpoints, Checkpoints) or checkpoints.ready is None:
            preload()  # the validator's import overlaps the group join instead of the first checkpoint
        source = open_source(conf, settings.connection.topics, positions, note=reporter.note,
                             require_topics=limits.until_end, start=settings.connection.start,
                             partitions=settings.connection.partitions)
        stack.callback(source.close)  # also when the loop fails: leave the group at once
        follower = Follower(
            source, folder, positions, checkpoints=checkpoints, dead_letter=dead, limits=limits,
            progress=lambda stats, lag: reporter.progress(stats, lag=lag, detail=lambda: tally(follower)),
        )
        reason = follower.run(stop.requested)
        source.close()
        folder.stats.finished = time.monotonic()
        _report_end(reporter, follower, reason, stop.received)
        _refuse_nothing_learned(follower, reason, settings)


def follow_group(settings: FollowSettings, template: SpecBuilder, reporter: Reporter,
                 options: RenderOptions | None = None, base: dict[str, Any] | None = None) -> None:
    """``--state kafka``: one member of a group that writes one spec (see :mod:`specbuild.kafka.group`)."""
    started = time.time()
    if settings.jobs > 1:
        reporter.note(f"warning: -j {settings.jobs} does not apply with --state kafka: a member folds in its own "
                      "process; run more members to use more cores")
    connection = settings.connection
    conf = cooperative(connection.config())
    topic = settings.state_topic or state_topic_name(connection.group_id)
    out = Path(settings.output)
    with contextlib.ExitStack() as stack:
        stack.enter_context(locked(out))
        remove_stale_temps(out, started)
        ensure_state_topic(conf, topic, reporter.note)
        reader = StateReader(conf, topic, reporter.note)
        stack.callback(reader.close)
        writer = StateWriter(conf, topic, transactional_id(connection.group_id))
        stack.callback(writer.close)
        dead = None
        if settings.dead_letter is not None:
            dead = DeadLetter(stack.enter_context(open_dead_letter(settings.dead_letter)))
        folder = PartitionFolder(template, lambda b, stats: Fold(
            b, strict=settings.strict, max_body_bytes=settings.max_body_bytes, keep=settings.keep,
            on_skip=reporter.warn, stats=stats), dead)
        positions: dict[Partition, int] = {}
        group = Group(folder, reader, writer, positions, output=out, fmt=settings.fmt, options=options,
                      base=base, note=reporter.note, render_interval=settings.limits.render_interval,
                      until_end=connection.topics if settings.limits.until_end else ())
        stop = stack.enter_context(StopSignals())
        preload()
        source = open_source(conf, connection.topics, positions, note=reporter.note,
                             require_topics=settings.limits.until_end, start=connection.start,
                             partitions=connection.partitions)
        stack.callback(source.close)
        group.attach(source)
        follower = Follower(source, folder, positions, checkpoints=group,
                            dead_letter=dead, limits=settings.limits, group=group,
                            progress=lambda stats, lag: reporter.progress(stats, lag=lag))
        reason = follower.run(stop.requested)
        _leave(group, follower, source, reason, stop.requested())
        folder.stats.finished = time.monotonic()
        _report_end(reporter, follower, reason, stop.received)
        _refuse_nothing_learned(follower, reason, settings)


def _leave(group: Group, follower: Follower, source: KafkaSource, reason: str, signalled: bool) -> None:
    """Leave the group; with ``--until-end``, render the group's spec from every partition's last state."""
    if group.until_end and reason == "end":  # every state at its end: render, then leave (no one needs ours)
        follower.doc, follower.target = group.finish()
        source.close()
        return
    source.close()  # our partitions go to the members still folding
    if group.until_end:
        if not signalled:  # stopped by a signal: what the group has saved now, at once
            group.wait_for_ends(group.topics)
        follower.doc, follower.target = group.render(last=True)


def _start(settings: FollowSettings, checkpoints: Store, builder: SpecBuilder,
           reporter: Reporter) -> tuple[SpecBuilder, dict[Partition, int]]:
    """The builder and partition offsets to go on from: the folder's saved state, unless there is none or
    ``--reset-state`` forgets it. A start asked for (``--from-beginning``, ``--start-offset``...) with a
    saved state is an error: the state's offsets would win, silently."""
    state = Path(settings.output) / STATE_NAME
    if settings.reset_state and settings.output != "-" and state.exists():
        try:
            state.unlink()
        except OSError as exc:  # a folder the follower's user may not write, a folder by that name
            raise InputError(f"{state}: cannot remove the saved state ({exc.strerror})",
                             hint="remove it yourself (or give the folder to this user), or use another output "
                                  "folder") from None
        reporter.note(f"specbuild: --reset-state: removed {state}; learning from the start")
    saved = checkpoints.load()
    if saved is None:
        return builder, {}
    asked = settings.connection.asked_start
    if asked:
        raise UsageError(
            f"{settings.output} holds a saved state ({saved.builder.exchanges:,} exchanges learned, at offsets of "
            f"{describe(saved.positions) or 'no partitions'}): a follow resumes where it stopped, so "
            f"{asked} would not apply",
            hint=f"--reset-state forgets the state and starts over; or leave out {asked} to resume")
    return _resume(saved, builder, reporter), saved.positions


def _standby(stack: contextlib.ExitStack, limits: Limits) -> Standby | None:
    """A replay's validator standby: forked now, before librdkafka's threads (this process may not fork
    after), it imports the validator while the topic is read and judges the spec at the end on a core of
    its own (the parent's validation of the 100k mix: ~0.23 s of CPU), as a build's standby does. Only for
    ``--until-end`` on two cores or more: there the spec at the end is what the run waits for."""
    if not limits.until_end or cores() < 2:
        return None
    standby = Standby.start(warm)
    return None if standby is None else stack.enter_context(standby)


def _folder(settings: FollowSettings, builder: SpecBuilder, reporter: Reporter,
            dead: DeadLetter | None) -> Folder:
    # the cores this process may run on (a pinned member, a cpuset), not the machine's: a second fold
    # process on the same core only adds every batch's trip through a pipe
    jobs = settings.jobs or min(cores(), MAX_AUTO_JOBS)
    fold = Fold(builder, strict=settings.strict, max_body_bytes=settings.max_body_bytes, keep=settings.keep,
                on_skip=reporter.warn)
    local = LocalFolder(fold, dead)
    return local if jobs <= 1 else ScalingFolder(local, jobs, bad=dead, note=reporter.note,
                                                 replay=settings.limits.until_end)


def _resume(saved: State, builder: SpecBuilder, reporter: Reporter) -> SpecBuilder:
    mine = saved.builder
    if tuple(mine.headers.include) != tuple(builder.headers.include) or \
            tuple(mine.headers.exclude) != tuple(builder.headers.exclude) or \
            not set(builder.hints) <= set(mine.hints):
        reporter.note("warning: the saved state was learned with other --path-template/--include-header/"
                      "--exclude-header options; it keeps its own (--reset-state starts over)")
    reporter.note(f"specbuild: resuming from the saved state: {mine.exchanges:,} exchanges learned, "
                  f"{describe(saved.positions) or 'no partitions'} at offsets "
                  f"{', '.join(str(o) for _, o in sorted(saved.positions.items())) or '-'}")
    return mine


class Counts:
    """Paths and operations for the live line, fresher than the last checkpoint's: recounted from the
    builder this process folds into (:func:`specbuild.learn.render.counts`) every COUNT_EVERY s at most,
    and less often when a count takes long. A pool's workers keep what they fold until a checkpoint, and
    a person's spec overlaid adds paths: then the last checkpoint's document says."""

    def __init__(self, overlaid: bool = False, clock: Callable[[], float] = time.monotonic,
                 file_paths: bool = False) -> None:
        self.overlaid = overlaid
        self.file_paths = file_paths  # --file-paths: the templates the render decides
        self.clock = clock
        self.due = 0.0
        self.exchanges = -1
        self.last: dict[str, int] = {}

    def __call__(self, follower: Follower) -> dict[str, int]:
        builder = None if self.overlaid else follower.folder.live
        if builder is None:
            return _counts(follower.doc)
        now = self.clock()
        if now >= self.due and builder.exchanges not in (0, self.exchanges):  # 0: nothing to count yet
            paths, operations = counts(builder, self.file_paths)
            self.exchanges = builder.exchanges
            self.due = now + max(COUNT_EVERY, (self.clock() - now) / COUNT_SHARE)
            self.last = {"paths": paths, "operations": operations}
        return self.last


def _counts(doc: dict[str, Any] | None) -> dict[str, int]:
    if doc is None:
        return {}
    paths = doc.get("paths", {})
    ops = sum(1 for item in paths.values() for m in item if m != "parameters")
    return {"paths": len(paths), "operations": ops}


def _refuse_nothing_learned(follower: Follower, reason: str, settings: FollowSettings) -> None:
    """``--until-end`` (a replay, as of a file) that learned nothing, not even from a saved state: an error, as a
    file build's (exit 2); it wrote no spec (:func:`specbuild.kafka.checkpoint.learned`). A follow stopped
    otherwise keeps its spec: it learns what comes."""
    if reason != "end" or follower.doc:
        return
    said = settings.keep.said if settings.keep is not None else ""
    why, hint = nothing_learned(follower.folder.stats, ", ".join(settings.connection.topics), said)
    raise SourceError(why, hint=hint)


def _report_end(reporter: Reporter, follower: Follower, reason: str, signum: int | None) -> None:
    why = {"signal": f"stopped by {signal.Signals(signum).name}" if signum else "stopped",
           "end": "reached the end of every assigned partition",
           "max-records": "read --max-records records", "idle-timeout": "idle for --idle-timeout"}
    reporter.note(f"specbuild: {why.get(reason, reason)}")
    counts = _counts(follower.doc)
    target = str(follower.target) if follower.target else None
    reporter.summary(follower.folder.stats, paths=counts.get("paths", 0),
                     operations=counts.get("operations", 0), target=target)

