"""The loop: raw records -> decode -> builder.add; then render, validate and write. No printing.

Sources are plain iterables of ``(raw, origin)``; what to say to the user is passed in as callbacks
(``on_skip``, ``on_progress``), so the CLI, the Kafka follower and the tests share one loop.
"""

from __future__ import annotations

import signal
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice, pairwise
from pathlib import Path
from types import FrameType
from typing import Any, Final, Generic, Protocol, TypeVar

from specbuild import multipart
from specbuild.envelope import unwrap_exchange
from specbuild.errors import RecordError, plural
from specbuild.filters import RecordFilter
from specbuild.io.files import dumps, write_atomic
from specbuild.io.jsonl import READ_BUFFER, first_line
from specbuild.io.recordings import is_jsonl
from specbuild.io.validate import Elsewhere, check_built_spec, import_validator, warm
from specbuild.learn import native
from specbuild.learn.builder import OperationState, SpecBuilder
from specbuild.learn.collector import ended, paused, sweep_young
from specbuild.learn.overlay import overlay
from specbuild.learn.render import RenderOptions, render
from specbuild.parallel import Standby, Workers, cores, exit_if_orphaned, exit_sent, portable, start_method
from specbuild.records import DEFAULT_MAX_BODY_BYTES, Exchange, JsonParser, Raw, decode

PROGRESS_EVERY = 2048  # records between clock reads: time.monotonic() per record would cost ~5%
BATCH: Final = 64  # records folded per call of Fold.add_many (and between looks at should_stop)


@dataclass(slots=True)
class Stats:
    """What a run did; the summary is printed from this."""

    read: int = 0
    learned: int = 0
    filtered: int = 0  # left out by the run's RecordFilter (not an error: not in ``skipped``)
    skipped: Counter[str] = field(default_factory=Counter)
    too_large: int = 0
    first_too_large: tuple[str, str] | None = None  # the first record with such a body: (where, how large)
    malformed: int = 0  # records kept whose body was declared JSON (multipart) and is not (the body left out)
    first_malformed: tuple[str, str] | None = None  # the first such body: (where it came from, why)
    position: int = 0  # bytes of the input read (of a file: its progress)
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None

    @property
    def seconds(self) -> float:
        return (self.finished or time.monotonic()) - self.started

    @property
    def rate(self) -> float:
        s = self.seconds
        return self.read / s if s > 0 else 0.0

    def merge(self, other: Stats) -> None:
        self.read += other.read
        self.learned += other.learned
        self.filtered += other.filtered
        self.skipped.update(other.skipped)
        self.too_large += other.too_large
        self.first_too_large = self.first_too_large or other.first_too_large  # merged in input order
        self.malformed += other.malformed
        self.first_malformed = self.first_malformed or other.first_malformed  # merged in input order
        self.position += other.position


# What a user can do when a reason is why nothing was learned.
_NOTHING_HINTS: Final = {
    "not-json": "-i reads JSONL or a JSON array of HTTP Types records, or HAR 1.2",
    "not-an-object": "-i reads JSONL or a JSON array of HTTP Types records, or HAR 1.2",
    "no-request": "is it HTTP Types? each record needs a 'request' and a 'response' object (HAR 1.2 is read too)",
    "no-response": "the recordings hold requests whose response was never recorded",
    "filtered": "the filters left nothing: compare --include-path/--exclude-path/--host/--method with the "
                "records' paths and hosts",
}


def nothing_learned(stats: Stats, source: str, filters: str = "") -> tuple[str, str | None]:
    """Why a run that read ``source`` learned nothing, and a hint: the most common reason first."""
    skipped = sum(stats.skipped.values())
    if stats.read == 0:
        return f"nothing learned: {source} holds no records", None
    if stats.filtered == stats.read:
        return f"nothing learned: {_all(stats.read)} filtered out ({filters})", _NOTHING_HINTS["filtered"]
    reasons = sorted(stats.skipped.items(), key=lambda item: (-item[1], item[0]))
    counts = ", ".join(f"{reason}: {n:,}" for reason, n in reasons)
    what = f"{_all(skipped)} skipped ({counts})" if not stats.filtered else (
        f"of {plural(stats.read, 'record')}, {stats.filtered:,} were filtered out and {skipped:,} skipped ({counts})")
    # the filters' hint where they left out more than was skipped (not the skipped records' hint on -i)
    top = reasons[0][0] if reasons and skipped > stats.filtered else "filtered"
    return f"nothing learned from {source}: {what}", _NOTHING_HINTS.get(top)


def _all(n: int) -> str:
    """``the one record was``, ``all 12 records were``."""
    return "the one record was" if n == 1 else f"all {n:,} records were"


class Reporter(Protocol):
    """What a run tells the person watching it; the CLI's console is one (``specbuild.cli.console``)."""

    def warn(self, err: RecordError) -> None: ...
    def note(self, message: str) -> None: ...
    def progress(self, stats: Stats, **extra: Any) -> None: ...
    def summary(self, stats: Stats, *, paths: int, operations: int, target: str | None) -> None: ...


class StopSignals:
    """SIGINT/SIGTERM ask the loop to stop (``requested()``); it checks between records and batches.

    A second signal ends the process at once (``at_once``: the OS default, so a Kafka follow stuck in a
    checkpoint still ends), or gets the handlers that were there before (Python's KeyboardInterrupt for
    Ctrl-C: a file build's workers are ended on the way out).
    """

    SIGNALS: Final = (signal.SIGINT, signal.SIGTERM)

    def __init__(self, at_once: bool = True) -> None:
        self.received: int | None = None
        self.at_once = at_once
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
        for sig in self.SIGNALS:  # the next one is not asked: it ends the run
            # (None: a handler set outside Python, which cannot be put back: the default)
            signal.signal(sig, signal.SIG_DFL if self.at_once else self._previous[sig] or signal.SIG_DFL)

    def requested(self) -> bool:
        return self.received is not None


class Sink(Protocol):
    """What a fold feeds exchanges to: a :class:`SpecBuilder`, or ``check``'s drift checker."""

    def add(self, ex: Exchange) -> None: ...


S = TypeVar("S", bound=Sink)


@dataclass(slots=True)
class Fold(Generic[S]):
    """The one record loop: decode each raw record and feed it to ``builder``; count and report bad ones
    (``strict``: the first is raised); count, and do not feed, those ``keep`` leaves out."""

    builder: S
    strict: bool = False
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    keep: RecordFilter | None = None
    on_skip: Callable[[RecordError], None] | None = None
    # A body declared JSON (multipart) that is not is left out and its record folded (counted in
    # ``stats.malformed``); False makes it the record's error ("bad-json-body", "bad-multipart-body"), as
    # ``strict`` does.
    keep_malformed: bool = True
    on_progress: Callable[[Stats], None] | None = None
    stats: Stats = field(default_factory=Stats)
    # With the native module and a SpecBuilder: records in their plain form decoded natively, and bodies
    # parsed natively (see specbuild.learn.native). Examples need the bodies as Python values, so not with
    # --examples; nor for a checker, which reads the bodies.
    parse_json: JsonParser | None = field(init=False)
    decode_fields: Callable[[bytes | str, int], tuple[Any, ...] | None] | None = field(init=False)
    decode_many: native.BatchDecoder | None = field(init=False)  # decode_fields over a batch
    add_fields: Callable[..., None] = field(init=False)

    def __post_init__(self) -> None:
        self.keep_malformed = self.keep_malformed and not self.strict
        self.native(isinstance(self.builder, SpecBuilder) and self.builder.accelerated and not self.builder.examples)

    def native(self, on: bool) -> None:
        """Use the native decode and fold (when built), or not: the spec is the same either way."""
        builder = self.builder if isinstance(self.builder, SpecBuilder) else None
        self.parse_json = native.json_parser() if on and builder else None
        self.decode_fields = native.fields_decoder(**builder.headers_read(), targets=True,
                                                   instants=True) if on and builder else None
        self.decode_many = native.batch_decoder(self.decode_fields)
        self.add_fields = builder.add_fields if builder else _no_fields

    def add(self, raw: bytes | str, origin: str) -> bool:
        """Fold one raw record; False when it was skipped (and counted)."""
        return self._add(raw, origin, self._fold)

    def add_many(self, records: Sequence[tuple[bytes | str, str]]) -> list[int]:
        """Fold a batch of raw records, in order, as :meth:`add` does each; the indices of those skipped.

        The records in their plain form are decoded in one native call (``decode_many``) and folded
        from there in this one loop: a native call, :meth:`add` and :meth:`_fold` per record were ~1 µs
        of its ~30 (bench/realistic_mix.py). The others go through :meth:`add` (``records.decode``).
        """
        return self.add_raws([raw for raw, _ in records], lambda i: records[i][1])

    def add_raws(self, raws: Sequence[bytes | str], origin: Callable[[int], str]) -> list[int]:
        """:meth:`add_many` of the records ``raws``, ``origin(i)`` the origin of the i-th: asked only of a
        record that goes to ``records.decode`` or is skipped (a file's fold names none of the others)."""
        decode_many = self.decode_many
        if decode_many is None:
            return [i for i, raw in enumerate(raws) if not self._add(raw, origin(i), self._fold)]
        rows = decode_many(raws if isinstance(raws, list) else list(raws), self.max_body_bytes)
        stats, keep, add_fields = self.stats, self.keep, self.add_fields
        skipped: list[int] = []
        for i, fields in enumerate(rows):
            if fields is None:
                if not self._add(raws[i], origin(i), self._decode):
                    skipped.append(i)
                continue
            stats.read += 1
            # fields: method, path, status, query, request headers, ..., host, timestamp, slash, target, request
            if keep is not None and not _keeps(keep, fields):
                stats.filtered += 1
                continue
            try:
                add_fields(*fields)
            except (RecordError, RecursionError) as exc:
                self._failed(exc, origin(i))
                skipped.append(i)
                continue
            stats.learned += 1
        return skipped

    def _add(self, raw: bytes | str, origin: str, fold: Callable[[bytes | str, str], Exchange | None]) -> bool:
        self.stats.read += 1
        try:
            ex = fold(raw, origin)
        except (RecordError, RecursionError) as exc:
            self._failed(exc, origin)
            return False
        if ex is FILTERED:
            self.stats.filtered += 1
            return True
        self.stats.learned += 1
        if ex is None:
            return True
        if ex.request_body.kind == "too-large" or ex.response_body.kind == "too-large":
            self._too_large(ex)
        if ex.request_body.kind == "malformed" or ex.response_body.kind == "malformed":
            self._malformed(ex)
        return True

    def _too_large(self, ex: Exchange) -> None:
        stats = self.stats
        stats.too_large += 1
        if stats.first_too_large is None:
            body = ex.request_body if ex.request_body.kind == "too-large" else ex.response_body
            stats.first_too_large = (ex.origin, str(body.value))

    def _malformed(self, ex: Exchange) -> None:
        stats = self.stats
        stats.malformed += 1
        if stats.first_malformed is None:
            body = ex.request_body if ex.request_body.kind == "malformed" else ex.response_body
            stats.first_malformed = (ex.origin, body.value)

    def _failed(self, exc: RecordError | RecursionError, origin: str) -> None:
        """Count (and report) a record whose decode or fold raised."""
        if isinstance(exc, RecordError):
            self.skip(exc if exc.origin else exc.located(origin))
        else:
            # The last guard of the stream: whatever one record nests too deep for must skip it, not
            # end the run (the paths and the folds are bounded; this keeps a future case a skip too).
            self.skip(RecordError("too-deep", "record nested too deep to fold (recursion limit)", origin))

    def _fold(self, raw: bytes | str, origin: str) -> Exchange | None:
        """Decode and fold one record: its Exchange, None when it was decoded natively, or FILTERED."""
        if self.decode_fields is not None:
            fields = self.decode_fields(raw, self.max_body_bytes)
            if fields is not None:  # the plain form, decoded natively (never too large): no Exchange needed
                # fields: method, path, status, query, request headers, ..., host, timestamp, slash, target, request
                keep = self.keep
                if keep is not None and not _keeps(keep, fields):
                    return FILTERED
                self.add_fields(*fields)
                return None
        return self._decode(raw, origin)

    def _decode(self, raw: bytes | str, origin: str) -> Exchange:
        """Decode one record with ``records.decode`` and fold it: its Exchange, or FILTERED."""
        ex = decode(raw, origin, max_body_bytes=self.max_body_bytes, parse_json=self.parse_json)
        if isinstance(self.builder, SpecBuilder):
            # a tunnelled POST as the method it names (what --method filters by), as the native decoder
            # leaves it here; a text body's JSON is the builder's to read. A checker unwraps by its spec.
            ex = unwrap_exchange(ex, sniff=False, parse_json=self.parse_json)
        if not self.keep_malformed:  # --strict: a body that is not what it says is the record's error
            for body in (ex.request_body, ex.response_body):
                if body.kind == "malformed":
                    reason = "bad-multipart-body" if body.media_type == multipart.MEDIA else "bad-json-body"
                    raise RecordError(reason, body.value, origin)
        keep = self.keep
        if keep is not None and not keep.keeps(ex.method, ex.path, ex.host or ex.request_header("host") or ""):
            return FILTERED
        self.builder.add(ex)
        return ex

    def skip(self, err: RecordError) -> None:
        if self.strict:
            raise err
        self.stats.skipped[err.reason] += 1
        if self.on_skip is not None:
            self.on_skip(err)

    def feed(self, records: Iterable[Raw], should_stop: Callable[[], bool] | None = None,
             position: Callable[[], int] | None = None) -> Stats:
        """Fold every record (until ``should_stop()`` says so, checked between records); ``position()``
        says how far into its input the source is (``stats.position``)."""
        add_many = self.add_many
        progress = self.on_progress
        n = 0
        records = iter(records)
        # The fold makes no cycles, but the collections its allocations set off walk the growing builder
        # (~3% of the 100k mix's fold). Paused, the young objects are swept every PROGRESS_EVERY records
        # instead, each walked once: what the callbacks (progress, warnings) leave in cycles still goes.
        with paused():
            while batch := list(islice(records, BATCH)):
                add_many(batch)
                n += len(batch)
                if n % PROGRESS_EVERY == 0:
                    sweep_young()
                    if position is not None:
                        self.stats.position = position()
                    if progress is not None:
                        progress(self.stats)
                    if should_stop is not None and should_stop():
                        break
                elif should_stop is not None and should_stop():
                    break
        if position is not None:
            self.stats.position = position()
        return self.stats


# What Fold._fold answers for a record the run's filter leaves out.
FILTERED: Final = Exchange("GET", "/", 200, origin="filtered")


def _keeps(keep: RecordFilter, fields: tuple[Any, ...]) -> bool:
    """``keep``'s verdict on a natively decoded record (its method, path and host, else its host header)."""
    return keep.keeps(fields[0], fields[1], fields[9] or _host(fields[4]))


def _host(request_headers: tuple[tuple[str, str], ...]) -> str:
    return next((value for name, value in request_headers if name == "host"), "")


def _no_fields(*fields: Any) -> None:
    raise AssertionError("natively decoded fields are only for a SpecBuilder")


def build_document(builder: SpecBuilder, options: RenderOptions | None = None,
                   base: dict[str, Any] | None = None, on_phase: Callable[[str], None] | None = None,
                   elsewhere: Elsewhere | None = None, ready: Elsewhere | None = None) -> dict[str, Any]:
    """Render, merge into an existing spec if given, and validate: what gets written. ``on_phase`` is told
    each step as it starts ("rendering", "validating"): on a large spec each takes seconds. ``elsewhere``
    (:func:`specbuild.parallel.forked`): half the validation runs in another process (a run of ``-j 2``
    or more has a core for it); ``ready`` (:func:`validator_standby`): all of it runs in the process
    that got the validator ready while this one folded (which runs a walk ``elsewhere`` in turn)."""
    return _built(builder, options, base, on_phase, elsewhere, ready)


def build_serialised(builder: SpecBuilder, options: RenderOptions | None = None,
                     base: dict[str, Any] | None = None, on_phase: Callable[[str], None] | None = None,
                     elsewhere: Elsewhere | None = None, ready: Elsewhere | None = None,
                     fmt: str = "json") -> tuple[dict[str, Any], bytes]:
    """:func:`build_document`, and the document as :func:`write_document` writes it (``fmt``): serialised
    while ``ready`` judges it (~0.1 s of the mix's 100k that this process would otherwise wait)."""
    text: list[bytes] = []
    doc = _built(builder, options, base, on_phase, elsewhere, ready, lambda built: text.append(dumps(built, fmt)))
    return doc, text[0] if text else dumps(doc, fmt)


def _built(builder: SpecBuilder, options: RenderOptions | None, base: dict[str, Any] | None,
           on_phase: Callable[[str], None] | None, elsewhere: Elsewhere | None, ready: Elsewhere | None,
           meanwhile: Callable[[dict[str, Any]], object] | None = None) -> dict[str, Any]:
    phase = on_phase or _no_phase
    phase("rendering")
    doc = render(builder, options, elsewhere)
    if base is not None:
        doc = overlay(base, doc)
    phase("validating")
    with paused():  # its copies and walks are many containers and no cycle (the collections: 0.01-0.02 s)
        check_built_spec(doc, elsewhere, ready, None if meanwhile is None else lambda: meanwhile(doc))
    return doc


def validator_standby(shards: Sequence[Shard]) -> Standby | None:
    """A standby process (:class:`specbuild.parallel.Standby`) that imports and first uses the validator
    (~0.1 s of CPU) on another core while this one folds, then validates the document there (one walk in
    a process of its own) while this one serialises it (:func:`build_serialised`), on a machine of
    several cores; None otherwise. With ``shards`` it only waits: their processes have every core busy
    until they are merged, and then :func:`ready_standby` has it get ready while this one renders."""
    if cores() < 2:
        return None
    return Standby.start(warm) if not shards else Standby.start(_nothing)


def _nothing() -> None:
    pass


def ready_standby(standby: Standby | None, shards: Sequence[Shard]) -> None:
    """After a sharded fold, :func:`validator_standby`'s standby gets the validator ready (the shards'
    processes are done: a core is free while this one renders)."""
    if standby is not None and shards:
        standby.later(warm)


def _no_phase(name: str) -> None:
    pass


def spec_file_name(fmt: str) -> str:
    """The spec's file in an output folder: ``openapi.json``, or ``openapi.yaml`` for ``--format yaml``."""
    return "openapi.yaml" if fmt == "yaml" else "openapi.json"


def write_document(doc: dict[str, Any], output: str | Path, fmt: str = "json", text: bytes | None = None
                   ) -> Path | None:
    """Write ``doc`` into the folder ``output`` as openapi.json / openapi.yaml (``-``: stdout); ``text``:
    ``doc`` serialised already (:func:`build_serialised`)."""
    data = dumps(doc, fmt) if text is None else text
    if str(output) == "-":
        write_atomic("-", data)
        return None
    target = Path(output) / spec_file_name(fmt)
    write_atomic(target, data)
    return target


# --- sharded replay of a large plain file ------------------------------------------------------
# One core is the limit of a replay (CHANGELOG.md has the figures); a file can be cut into byte ranges
# at line boundaries, folded by one process per range, and the builders merged exactly.
# Below this many bytes, starting the processes costs more than it saves: a forked worker folds at
# once, a spawned one first starts an interpreter and imports specbuild (~0.3 s here).
SHARD_MIN_BYTES = {"fork": 8 << 20, "spawn": 64 << 20}


@dataclass(frozen=True, slots=True)
class Shard:
    path: str
    name: str
    start: int
    end: int


@dataclass(slots=True)
class ShardResult:
    builder: SpecBuilder
    stats: Stats
    lines: int
    errors: list[tuple[int, RecordError]]   # (line within the shard, error): the first few, in order
    fatal: tuple[int, RecordError] | None


def plan_shards(path: str, jobs: int, min_bytes: int | None = None) -> list[Shard]:
    """Cut a plain (not gzip) file into ``jobs`` byte ranges that start at line starts.

    One shard (no parallelism) for stdin, gzip input, small files, ``jobs <= 1`` or a file that is no
    JSONL (HAR, an array of records: one document, read by ``io.recordings``).
    """
    p = Path(path)
    if path == "-" or jobs <= 1 or not p.is_file():
        return []
    size = p.stat().st_size
    floor = SHARD_MIN_BYTES[start_method()] if min_bytes is None else min_bytes
    if size < floor:
        return []
    if floor:  # a shard of half the floor at least: -j 1000 started 1,000 processes for 56 MB (83 s, not 3)
        jobs = min(jobs, size // (floor // 2))
    with open(p, "rb") as fh:
        if fh.read(2) == b"\x1f\x8b":
            return []
        cuts = [0]
        for i in range(1, jobs):
            fh.seek(size * i // jobs)
            fh.readline()
            cuts.append(max(fh.tell(), cuts[-1]))
    cuts.append(size)
    if not is_jsonl(path):
        return []
    return [Shard(path, p.name, a, b) for a, b in pairwise(cuts) if b > a]


# A sharded replay's shared counters: per shard, records and bytes read so far (each written by the
# process folding that shard, read by the parent for the progress line); after them, the stop flag.
SLOTS = 2
WATCH_EVERY = 256  # lines between looks at the counters and the stop flag (a few ms of folding)


def fold_shard(shard: Shard, template: SpecBuilder, strict: bool, max_body_bytes: int, keep_errors: int,
               keep: RecordFilter | None = None, watch: Callable[[int, int], bool] | None = None) -> ShardResult:
    """Fold one byte range into a fresh builder shaped like ``template`` (runs in a worker process).

    ``watch(records, bytes)`` is told how far the fold is every few hundred lines and at the end; when
    it answers True the fold stops there (what was folded is the result).
    """
    builder = template.blank()
    errors: list[tuple[int, RecordError]] = []
    fatal: tuple[int, RecordError] | None = None
    watched = 0
    skips: list[RecordError] = []  # of the batch being folded, in order
    fold = Fold(builder, strict=False, max_body_bytes=max_body_bytes, keep=keep, on_skip=skips.append,
                keep_malformed=not strict)
    # A fold makes no cycles (its records' tuples die by their counts, a skipped record's error too), but
    # the collections its allocations set off walk the growing builder: ~3% of the fold on the 100k mix.
    with open(shard.path, "rb", buffering=READ_BUFFER) as fh, paused():
        fh.seek(shard.start)
        reader = _Lines(fh, shard.end - shard.start, shard.start == 0)
        while batch := reader.batch():
            raws, lines = batch
            stop = False
            for i, err in zip(fold.add_raws(raws, _named(lines)), skips, strict=True):
                kept = len(errors) < keep_errors
                if kept:
                    errors.append((lines[i], err))
                if strict:  # the first is fatal (the records after it in the batch are folded, unused)
                    fatal, stop = (lines[i], err) if kept else None, True
                    break
            skips.clear()
            if stop:
                break
            if watch is not None and reader.line - watched >= WATCH_EVERY:
                watched = reader.line
                if watch(fold.stats.read, reader.position):
                    reader.line += reader.unread()  # stopped: the next shard's warnings still name their lines
                    break
        fold.stats.position = reader.position
        line = reader.line
    if watch is not None:
        watch(fold.stats.read, fold.stats.position)
    return ShardResult(builder, fold.stats, line, errors, fatal)


def _named(lines: Sequence[int]) -> Callable[[int], str]:
    """The origin of a batch's i-th record: its line (the parent names it: shard.name:first_line + line)."""
    return lambda i: str(lines[i])


def _within(lines: list[bytes], size: int) -> list[bytes]:
    """The first ``size`` bytes of ``lines`` (as readline(size) would cut the last of them)."""
    out: list[bytes] = []
    for line in lines:
        if size <= 0:
            break
        out.append(line[:size])
        size -= len(line)
    return out


READ_AHEAD: Final = 1 << 18  # bytes of whole lines read at once by a shard's fold (see _Lines)


class _Lines:
    """A shard's records, BATCH at a time, with their lines (counted from 1 at the shard's start).

    Whole lines are read ``READ_AHEAD`` bytes at a time (``readlines``): a ``readline`` call, a line
    number's string and a tuple per record were ~0.4 µs of its ~15 on the 100k mix. Blank lines are
    counted and skipped; a file's first line loses its byte order mark (as ``sources.jsonl.iter_lines``).
    """

    def __init__(self, fh: Any, size: int, at_start: bool) -> None:
        self.fh = fh
        self.remaining = size  # bytes of the shard not read yet
        self.ahead: list[bytes] = []  # lines read and not handed out yet, from index ``at``
        self.at = 0
        self.line = 0  # lines handed out (blank ones too)
        self.position = 0  # bytes of the lines handed out
        self.at_start = at_start

    def batch(self) -> tuple[list[bytes], Sequence[int]] | None:
        """The next records (at most BATCH) and the line of each; None at the shard's end."""
        while self.at < len(self.ahead) or self._read():
            raws = self.ahead[self.at:self.at + BATCH]
            self.at += len(raws)
            first = self.line + 1
            self.line += len(raws)
            self.position += sum(map(len, raws))
            if first == 1 and self.at_start:
                raws[0] = first_line(raws[0])
            if raws[0] and not any(map(bytes.isspace, raws)):  # isspace: no copy of the line
                return raws, range(first, first + len(raws))
            kept = [(raw, first + i) for i, raw in enumerate(raws) if raw and not raw.isspace()]
            if kept:
                return [raw for raw, _ in kept], [n for _, n in kept]
        return None

    def _read(self) -> bool:
        """Read the next whole lines of the shard; False at its end."""
        if self.remaining <= 0:
            return False
        ahead = self.fh.readlines(min(self.remaining, READ_AHEAD))
        if not ahead:
            return False
        size = sum(map(len, ahead))
        if size > self.remaining:  # read past the shard's end: readlines reads on until it has the hint
            ahead, size = _within(ahead, self.remaining), self.remaining
        self.remaining -= size
        self.ahead, self.at = ahead, 0
        return True

    def unread(self) -> int:
        """Lines of the shard not handed out (those read ahead, then the rest of the shard)."""
        lines = len(self.ahead) - self.at
        size, last = self.remaining, b"\n"
        while size > 0 and (chunk := self.fh.read(min(size, 1 << 20))):
            size -= len(chunk)
            lines += chunk.count(b"\n")
            last = chunk[-1:]
        return lines + (last != b"\n")


def _shard_worker(i: int, shard: Shard, template: SpecBuilder, strict: bool, max_body_bytes: int,
                  keep_errors: int, keep: RecordFilter | None, counters: Any, outbox: Any) -> None:
    def watch(records: int, position: int) -> bool:
        exit_if_orphaned()
        counters[SLOTS * i], counters[SLOTS * i + 1] = records, position
        return bool(counters[-1])

    ended()  # this process ends once its parts are sent: no collection walks its builder (its pickling too)
    try:
        result = fold_shard(shard, template, strict, max_body_bytes, keep_errors, keep, watch)
        parts = operation_parts(result.builder)
        outbox.put((i, (result, len(parts)), None))
        for part in parts:
            outbox.put((i, part, None))
    except Exception as exc:  # a bug, or a file that cannot be read: raised in the parent
        outbox.put((i, None, portable(exc)))
        return
    exit_sent(outbox)  # the parts are not freed one object at a time: this process ends


class _Watch:
    """The parent's side of the counters: the progress of all shards reported as one, and a stop asked
    for (``should_stop``) passed on to the workers."""

    def __init__(self, fold: Fold[SpecBuilder], counters: Any, should_stop: Callable[[], bool] | None) -> None:
        self.fold = fold
        self.counters = counters
        self.should_stop = should_stop

    def here(self, records: int, position: int) -> bool:
        """This process's own shard (shard 0) is this far."""
        self.counters[0], self.counters[1] = records, position
        return self.idle()

    def idle(self) -> bool:
        if self.fold.on_progress is not None:
            c = self.counters
            self.fold.on_progress(Stats(read=sum(c[0:-1:SLOTS]), position=sum(c[1:-1:SLOTS]),
                                        started=self.fold.stats.started))
        if self.should_stop is not None and self.should_stop():
            self.counters[-1] = 1
        return bool(self.counters[-1])


PARTS = 8  # a worker's operations are sent in this many parts
Operations = list[tuple[tuple[str, str], OperationState]]


def _located(stats: Stats, name: str, first_line: int) -> None:
    """A shard's first too-large and malformed records named by the file's line (fold_shard names the shard's)."""
    if stats.first_too_large is not None:
        at, why = stats.first_too_large
        stats.first_too_large = (f"{name}:{first_line + int(at)}", why)
    if stats.first_malformed is not None:
        at, why = stats.first_malformed
        stats.first_malformed = (f"{name}:{first_line + int(at)}", why)


def operation_parts(builder: SpecBuilder) -> list[Operations]:
    """``builder``'s operations taken out of it, in PARTS parts, for a worker to send after the rest of it:
    the parent unpickles and merges one while the worker pickles the next (one message: ~0.2 s of each, one
    after the other, on the 100k mix), and holds one part's pickle at a time, not the whole builder's."""
    operations = list(builder.operations.items())
    builder.operations = {}
    step = -(-len(operations) // PARTS) or 1
    return [operations[a:a + step] for a in range(0, len(operations), step)]


class _Arrivals:
    """What the workers sent, by shard: its result (the builder without its operations) and how many
    parts of operations follow, then the parts. Shards answer in any order, and are merged in the file's."""

    def __init__(self, workers: Workers, watch: _Watch, validator: bool = True) -> None:
        self.workers = workers
        self.watch = watch
        self.validator = validator  # this process validates the merged document: its validator imported
        self.results: dict[int, tuple[ShardResult, int]] = {}
        self.parts: dict[int, list[Operations]] = {}
        self.expected: dict[int, int] = {}  # parts still to come, by shard
        self.answered: set[int] = set()     # the workers that sent all they will

    def result(self, i: int) -> ShardResult:
        """Shard ``i``'s result; its operations come from :meth:`operations`."""
        while i not in self.results:
            self._receive()
        return self.results[i][0]

    def operations(self, i: int) -> Iterator[Operations]:
        """Shard ``i``'s parts of operations, each as soon as it is here."""
        for _ in range(self.results.pop(i)[1]):
            while not self.parts.get(i):
                self._receive()
            yield self.parts[i].pop(0)

    def _receive(self) -> None:
        if self.validator and self.workers.outbox.empty():
            import_validator()  # needed once the shards are merged: meanwhile, a worker folds
        j, message, exc = self.workers.get(done=self.answered, idle=self.watch.idle)
        if exc is not None:
            raise exc
        if j in self.expected:
            self.parts.setdefault(j, []).append(message)
            self.expected[j] -= 1
        else:
            self.results[j] = message
            self.expected[j] = message[1]
        if not self.expected[j]:
            self.answered.add(j - 1)  # shard j's worker (this process folds shard 0)


def feed_sharded(fold: Fold[SpecBuilder], shards: list[Shard], keep_errors: int = 64,
                 should_stop: Callable[[], bool] | None = None, validator: bool = True) -> Stats:
    """Fold every shard in its own process and merge into ``fold.builder``; warnings come in file order.

    ``should_stop()`` (checked every few hundred lines) stops every shard where it is: what was folded
    is merged. ``validator``: this process will validate the document, and imports the validator while
    it waits for the workers (False: a standby will, :func:`validator_standby`; the import cost ~0.09 s
    of this process's CPU, and its memory).
    """
    template = fold.builder.blank()
    settings = (template, fold.strict, fold.max_body_bytes, keep_errors, fold.keep)
    # This process folds the first shard itself while the workers start and fold the others: one
    # interpreter fewer to start, one builder fewer to pickle, and a core busy from the first moment.
    with Workers("specbuild-shard") as workers:
        counters = workers.counters(SLOTS * len(shards) + 1)
        workers.start(_shard_worker, ((i, s, *settings, counters, workers.outbox) for i, s in enumerate(shards) if i))
        watch = _Watch(fold, counters, should_stop)
        arrivals = _Arrivals(workers, watch, validator)
        first_line = 0
        for i, shard in enumerate(shards):
            if i == 0:
                result = fold_shard(shard, *settings, watch.here)
            else:
                # a worker's builder arrives as pickles of hundreds of thousands of objects, none in a
                # cycle: the collections their allocations set off walked the whole heap (on the 100k
                # mix at -j 2, 0.16 s of this process's CPU unpickling, 0.06 with the collector paused)
                with paused():
                    result = arrivals.result(i)
            for line, err in result.errors:
                located = err.located(f"{shard.name}:{first_line + line}")
                if result.fatal is not None and line == result.fatal[0]:
                    raise located
                if fold.on_skip is not None:
                    fold.on_skip(located)
            _located(result.stats, shard.name, first_line)
            first_line += result.lines
            with paused():
                if i == 0:
                    fold.builder.merge(result.builder)
                else:
                    fold.builder.merge_parts(result.builder, arrivals.operations(i))
            fold.stats.merge(result.stats)
            del result  # merged results are let go at once: peak memory stays near one builder
    return fold.stats
