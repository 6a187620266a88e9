"""``specbuild check`` and ``specbuild diff``: the command line of the drift check.

``register(app)`` adds both commands (``cli.main()`` calls it when this module is there). Exit codes,
the same for both: **0** nothing at or above ``--fail-on``; **1** drift at or above it; **2** a usage or
input error (a spec that is not valid OpenAPI 3, a missing file, a malformed ignore file).

``check`` reads the traffic (a JSONL file, stdin, or a Kafka topic read to its end) through the record
loop the build uses (:class:`specbuild.run.Fold`: decode, skip and count bad records) into a
:class:`specbuild.drift.check.Checker`; with ``--jobs N`` the records are dealt in
batches to N worker processes, each with its own checker, and their findings merged at the end
(exact: counts add up, examples and subjects are chosen by content). ``run_check`` is that loop,
shared with the bench script.
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Final

import typer

from specbuild.cli.console import Reporter
from specbuild.cli.helptext import Command, examples
from specbuild.cli.options import (
    BootstrapServers,
    CheckGroupId,
    CheckJobs,
    CheckMaxBodyBytes,
    CheckQuiet,
    CommittedSpec,
    ExcludePath,
    FailOn,
    FindingFailOn,
    Format,
    FromBeginning,
    Hosts,
    IdleTimeout,
    IgnoreFile,
    IncludePath,
    Input,
    KafkaConfig,
    KafkaOption,
    MaxRecords,
    Methods,
    OffsetReset,
    Partitions,
    RecordSource,
    ReportFormat,
    ReportOutput,
    ShowTraceback,
    Source,
    StartOffset,
    StartTime,
    Strict,
    Topic,
    UntilEnd,
    one_of,
)
from specbuild.cli.settings import (
    check_stop,
    file_input,
    kafka_connection,
    kafka_input,
    record_filter,
    record_source,
    refuse_kafka_only,
    stdin_piped,
)
from specbuild.drift.check import Checker, CheckState, CheckStats, Finding
from specbuild.drift.diff import diff
from specbuild.drift.ignores import Rule
from specbuild.drift.ignores import apply as apply_ignores
from specbuild.drift.ignores import parse as parse_ignores
from specbuild.drift.kinds import CHANGE_KINDS
from specbuild.drift.kinds import TRAFFIC_KINDS as KINDS
from specbuild.drift.report import CheckReport, DiffReport, render_check, render_diff
from specbuild.errors import OutputError, RecordError, UsageError, plural
from specbuild.filters import RecordFilter
from specbuild.io.files import read_bytes, write_atomic
from specbuild.io.recordings import is_jsonl, read_records
from specbuild.io.specs import operation_lines, read_spec
from specbuild.io.validate import BodyValidator, check_input_spec
from specbuild.parallel import Workers, cores, exit_if_orphaned, portable, receive
from specbuild.records import DEFAULT_MAX_BODY_BYTES, Raw
from specbuild.run import Fold, Stats

if TYPE_CHECKING:
    from specbuild.kafka.client import Connection, StopAt

BATCH: Final = 512          # records per batch sent to a worker process
AUTO_PARALLEL_BYTES: Final = 8 << 20  # files at least this big are checked by one worker per core
MAX_AUTO_JOBS: Final = 4
MAX_WARNINGS: Final = 20    # bad records a worker reports one by one (the rest are counted)


# --- the loop ----------------------------------------------------------------------------------------

@dataclass(slots=True)
class CheckOutcome:
    findings: list[Finding]
    stats: CheckStats
    skipped: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    read: int = 0
    filtered: int = 0  # left out by --include-path, --exclude-path, --host, --method


def load_spec(path: str | Path) -> dict[str, Any]:
    """Read a spec (JSON or YAML) and make sure it is a valid OpenAPI 3 document (else exit 2)."""
    doc = read_spec(path)
    check_input_spec(doc, _shown(path))
    return dict(doc)


def run_check(records: Iterable[Raw] | str, spec: dict[str, Any], *, jobs: int = 1, strict: bool = False,
              max_body_bytes: int = DEFAULT_MAX_BODY_BYTES, keep: RecordFilter | None = None,
              on_skip: Callable[[RecordError], None] | None = None) -> CheckOutcome:
    """Decode and check every record; bad ones are counted by reason (``strict``: the first is fatal).

    ``records`` is an iterable of ``(raw, origin)`` or the path of a JSONL file ('-': stdin).
    """
    started = time.monotonic()
    # more workers than cores only wait for one (and each file worker reads the whole file): -j 1000 is
    # capped, -j 2 is kept on one core (the caller asked for it)
    jobs = min(jobs, max(cores(), MAX_AUTO_JOBS))
    # each worker reads a file's lines and keeps its share; a HAR or an array is one document, read once here
    if isinstance(records, str) and (records == "-" or jobs <= 1 or strict or not is_jsonl(records)):
        records = read_records(records)
    if jobs > 1 and not strict:
        outcome = _run_parallel(records, spec, jobs, max_body_bytes, keep, on_skip)
    else:
        assert not isinstance(records, str)
        checker = Checker(spec, explain=BodyValidator)
        fold = Fold(checker, strict=strict, max_body_bytes=max_body_bytes, keep=keep, on_skip=on_skip)
        fold.feed(records)
        outcome = CheckOutcome(checker.findings(), checker.stats, fold.stats.skipped, 0.0, fold.stats.read,
                               fold.stats.filtered)
    outcome.seconds = time.monotonic() - started
    return outcome


def _check_all(i: int, records: Iterable[Raw], spec: dict[str, Any], max_body_bytes: int, keep: RecordFilter | None,
               outbox: Any) -> None:
    """A worker's whole job: check its share, then hand back what it found (or the bug it hit)."""
    try:
        checker = Checker(spec, explain=BodyValidator)
        errors: list[RecordError] = []

        def keep_error(err: RecordError) -> None:
            if len(errors) < MAX_WARNINGS:
                errors.append(err)

        fold = Fold(checker, max_body_bytes=max_body_bytes, keep=keep, on_skip=keep_error)
        fold.feed(records, should_stop=exit_if_orphaned)
        outbox.put((i, "ok", checker.state(), fold.stats, errors))
    except Exception as exc:  # a bug (or an unreadable file): the parent re-raises it
        outbox.put((i, "error", portable(exc), None, None))


def _queued(inbox: Any) -> Iterator[Raw]:
    while (batch := receive(inbox)) is not None:
        yield from batch


def _queue_worker(i: int, spec: dict[str, Any], max_body_bytes: int, keep: RecordFilter | None, inbox: Any,
                  outbox: Any) -> None:
    _check_all(i, _queued(inbox), spec, max_body_bytes, keep, outbox)


def _file_worker(path: str, shard: int, shards: int, spec: dict[str, Any], max_body_bytes: int,
                 keep: RecordFilter | None, outbox: Any) -> None:
    # each worker reads the whole file and keeps every shards-th batch: no records cross processes
    mine = (record for i, record in enumerate(read_records(path)) if (i // BATCH) % shards == shard)
    _check_all(shard, mine, spec, max_body_bytes, keep, outbox)


def _run_parallel(records: Iterable[Raw] | str, spec: dict[str, Any], jobs: int, max_body_bytes: int,
                  keep: RecordFilter | None, on_skip: Callable[[RecordError], None] | None) -> CheckOutcome:
    """``records`` is a file path (each worker reads its shard) or an iterable (dealt in batches)."""
    with Workers("specbuild-check") as workers:
        outbox = workers.outbox
        if isinstance(records, str):
            workers.start(_file_worker, ((records, i, jobs, spec, max_body_bytes, keep, outbox) for i in range(jobs)))
        else:
            inbox = workers.queue(maxsize=jobs * 4)  # bounded: memory does not grow with the input
            workers.start(_queue_worker, ((i, spec, max_body_bytes, keep, inbox, outbox) for i in range(jobs)))
            _deal(records, workers, inbox, jobs)
        answered: dict[int, tuple[Any, ...]] = {}
        while len(answered) < jobs:
            i, *result = workers.get(done=answered)
            answered[i] = tuple(result)
        results = [answered[i] for i in range(jobs)]
    merged = Checker(spec, explain=BodyValidator)
    stats = Stats()
    for status, state, counts, errors in results:
        if status != "ok":
            raise state
        assert isinstance(state, CheckState)
        merged.merge(state)
        stats.merge(counts)
        if on_skip is not None:
            for err in errors:
                on_skip(err)
    return CheckOutcome(merged.findings(), merged.stats, stats.skipped, 0.0, stats.read, stats.filtered)


def _deal(records: Iterable[Raw], workers: Workers, inbox: Any, jobs: int) -> None:
    batch: list[Raw] = []
    for record in records:
        batch.append(record)
        if len(batch) >= BATCH:
            workers.put(inbox, batch)  # a full inbox waits for the workers, which must still be alive
            batch = []
    if batch:
        workers.put(inbox, batch)
    for _ in range(jobs):
        workers.put(inbox, None)


def auto_jobs(source: str | None) -> int:
    """Worker processes for ``--jobs`` left out: one per core (up to 4) for a big file, else one.

    A process costs a fork and a copy of the compiled checks; a few thousand records are done before
    that pays off, and a file's size says how many there are (stdin and Kafka do not: one).
    """
    if source is None or source == "-":
        return 1
    try:
        size = os.stat(source).st_size
    except OSError:
        return 1  # read_records says what is wrong with it
    return min(cores(), MAX_AUTO_JOBS) if size >= AUTO_PARALLEL_BYTES else 1


# --- sources -----------------------------------------------------------------------------------------

def kafka_records(connection: Connection, stop: StopAt, note: Callable[[str], None]) -> Iterator[Raw]:
    """Records of a topic until ``stop`` says so; nothing is committed (a check only reads)."""
    from specbuild.kafka import client as kafka  # imported only when used: confluent_kafka loads librdkafka

    source = kafka.open_source(connection.config(), connection.topics, {}, note=note,
                               require_topics=stop.until_end, start=connection.start,
                               partitions=connection.partitions)
    # --max-records is counted after each record (a batch may hold more), only the end and idleness after a
    # batch: so --max-records 0 still waits for one record, as it always has
    after_batch = replace(stop, max_records=None)
    try:
        read, last = 0, time.monotonic()
        while True:
            batch = source.poll(1000, 0.5)
            if batch.records:
                last = time.monotonic()
            for raw, origin in batch.records:
                yield (raw if raw is not None else b""), origin  # a tombstone: an empty record (not-json)
                read += 1
                if stop.reached(read):
                    return
            if after_batch.reason(read, time.monotonic() - last, source.at_end()):
                return
    finally:
        source.close()


# --- output --------------------------------------------------------------------------------------------

def _color(fmt: Format, output: str) -> bool:
    return (fmt is Format.text and output == "-" and sys.stdout.isatty()
            and not os.environ.get("NO_COLOR"))


def _emit(text: str, output: str) -> None:
    if output == "-":
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except OSError as exc:  # a full disk behind a redirection, a reader gone: theirs to fix, not a bug
            raise OutputError(f"stdout: cannot write the report ({exc.strerror or exc})") from None
    else:
        write_atomic(output, text.encode())


def _rules(path: Path | None, known: Collection[str]) -> list[Rule]:
    if path is None:
        return []
    text = read_bytes(path, "ignore file").decode("utf-8", errors="replace")
    return parse_ignores(text, path.name, known)


ALL_KINDS: Final = frozenset(KINDS) | frozenset(CHANGE_KINDS)


def change_rules(path: Path | None) -> list[Rule]:
    """``build --check --ignore FILE``: the rules ``diff --ignore`` reads."""
    return _rules(path, ALL_KINDS)


# --- the commands -------------------------------------------------------------------------------------

def check(
    spec: CommittedSpec,
    input_: Input = None,
    source: RecordSource = None,
    fmt: ReportFormat = Format.text,
    fail_on: FindingFailOn = FailOn.breaking,
    ignore: IgnoreFile = None,
    output: ReportOutput = "-",
    jobs: CheckJobs = None,
    strict: Strict = False,
    max_body_bytes: CheckMaxBodyBytes = DEFAULT_MAX_BODY_BYTES,
    quiet: CheckQuiet = False,
    bootstrap_servers: BootstrapServers = "localhost:9092",
    topic: Topic = None,
    group_id: CheckGroupId = "specbuild-check",  # not a follower's group: a check takes no partitions from it
    from_beginning: FromBeginning = False,
    offset_reset: OffsetReset = None,
    start_offset: StartOffset = None,
    start_time: StartTime = None,
    partition: Partitions = None,
    kafka_option: KafkaOption = None,
    kafka_config: KafkaConfig = None,
    until_end: UntilEnd = False,
    max_records: MaxRecords = None,
    idle_timeout: IdleTimeout = None,
    show_traceback: ShowTraceback = False,  # its callback tells main() (see RunFlags)
    include_path: IncludePath = None,
    exclude_path: ExcludePath = None,
    host: Hosts = None,
    method: Methods = None,
) -> None:
    """Check recorded traffic against a committed spec: every exchange matched to an operation and
    checked; findings grouped by operation and kind, with a count and one redacted example. A Kafka
    topic is read to its end unless --max-records or --idle-timeout stops it; no offsets are committed."""
    if str(spec) == "-":  # stdin is the traffic's
        raise UsageError("--spec -: check reads traffic from stdin; give the spec as a file")
    doc = load_spec(spec)
    rules = _rules(ignore, ALL_KINDS)
    keep = record_filter(include_path, exclude_path, host, method)
    with Reporter(quiet=quiet) as reporter:
        records: Iterable[Raw] | str
        src, input_ = record_source(source, input_, stdin_piped())
        if src is Source.file:
            refuse_kafka_only({"-X": kafka_option, "--kafka-config": kafka_config, "--start-offset": start_offset,
                               "--start-time": start_time, "--partition": partition, "--from-beginning":
                               from_beginning, "-e/--until-end": until_end, "--max-records": max_records,
                               "--idle-timeout": idle_timeout}, topic)
            records = file_input(input_, "check ")
        else:
            kafka_input(input_)
            connection = kafka_connection(bootstrap_servers, topic, group_id, from_beginning, offset_reset,
                                          kafka_option, kafka_config, start_offset, start_time, partition)
            records = kafka_records(connection, check_stop(until_end, max_records, idle_timeout), reporter.note)
        workers = jobs if jobs is not None else auto_jobs(records if isinstance(records, str) else None)
        outcome = run_check(records, doc, jobs=workers, strict=strict, max_body_bytes=max_body_bytes, keep=keep,
                            on_skip=reporter.warn)
        if outcome.filtered and not outcome.stats.exchanges:
            assert keep is not None
            which = f"all {outcome.read:,}" if outcome.filtered == outcome.read else \
                f"{outcome.filtered:,} of {outcome.read:,}"
            reporter.note(f"warning: {which} records were filtered out ({keep.said}): nothing was checked")
        elif not outcome.stats.exchanges:  # an empty recording passed as "no findings", exit 0, in CI
            name = input_ if src is Source.file and input_ else "the topic"
            reporter.note(f"warning: {nothing_checked(outcome, name)}")
        lines = lines_of(spec, doc) if fmt is Format.github else {}
        code = _report_check(outcome, rules, str(spec), fail_on, fmt, output, reporter, lines)
    raise typer.Exit(code)


def nothing_checked(outcome: CheckOutcome, source: str) -> str:
    """Why a check checked no exchange (none filtered out): ``source`` held no records, or every one was bad."""
    name = "stdin" if source == "-" else source
    if not outcome.read:
        return f"{name} holds no records: nothing was checked"
    counts = ", ".join(f"{reason}: {n:,}" for reason, n in sorted(outcome.skipped.items(), key=lambda i: (-i[1], i[0])))
    every = "the one record" if outcome.read == 1 else f"all {outcome.read:,} records"
    return f"{every} of {name} {'was' if outcome.read == 1 else 'were'} skipped ({counts}): nothing was checked"


def lines_of(spec: Path, doc: dict[str, Any]) -> dict[str, int]:
    """Where the spec's paths and operations are in its file, for GitHub annotations."""
    paths = doc.get("paths")
    return operation_lines(spec, paths if isinstance(paths, dict) else {})


def _report_check(outcome: CheckOutcome, rules: list[Rule], spec: str, fail_on: FailOn, fmt: Format, output: str,
                  reporter: Reporter, lines: dict[str, int]) -> int:
    """Write the report (and, unless it went to the terminal, a summary line on stderr); the exit code."""
    applied = apply_ignores(outcome.findings, rules)
    report = CheckReport(applied.kept, outcome.stats, spec, fail_on.value, dict(outcome.skipped),
                         applied.ignored, applied.unused, lines)
    _emit(render_check(report, fmt.value, color=_color(fmt, output)), output)
    if not (fmt is Format.text and output == "-"):
        rate = outcome.stats.exchanges / outcome.seconds if outcome.seconds > 0 else 0.0
        filtered = f", {plural(outcome.filtered, 'record')} filtered out" if outcome.filtered else ""
        reporter.note(f"specbuild check: {plural(outcome.stats.exchanges, 'exchange')}{filtered} in "
                      f"{outcome.seconds:.2f} s ({rate:,.0f}/s), {plural(len(report.findings), 'finding')}; "
                      f"exit {report.exit_code}")
    return report.exit_code


def diff_report(base: dict[str, Any], head: dict[str, Any], *, base_name: str, head_name: str, fail_on: str,
                rules: list[Rule] | None = None, learned_head: bool = False, annotate: str = "",
                lines: dict[str, int] | None = None) -> DiffReport:
    """The classified changes from ``base`` to ``head`` (also what ``build --check`` reports); GitHub
    annotations go on ``annotate`` (default: head) at ``lines``."""
    applied = apply_ignores(diff(base, head, learned_head=learned_head), rules or [])
    return DiffReport(applied.kept, base_name, head_name, fail_on, applied.ignored, applied.unused, annotate,
                      lines or {})


def diff_command(
    base: Annotated[Path, typer.Argument(metavar="BASE",
                                         help="The spec before (e.g. the main branch's openapi.json).")],
    head: Annotated[Path, typer.Argument(metavar="HEAD", help="The spec after (e.g. this pull request's; '-': "
                                         "stdin, as 'specbuild build -i t.jsonl -o -' writes it).")],
    fmt: Annotated[Format, typer.Option("--format", "-f", metavar="FORMAT",
                                            help=f"Report format ({one_of(Format)}).")] = Format.text,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", metavar="SEVERITY", help="Exit 1 when a change is "
                       f"at or above this severity ({one_of(FailOn)}).")] = FailOn.breaking,
    ignore: Annotated[Path | None, typer.Option("--ignore", metavar="FILE",
                      help="Accepted changes: 'METHOD /path kind  # reason' per line.")] = None,
    output: Annotated[str, typer.Option("--output", "-o", metavar="FILE",
                                         help="Write the report here ('-': stdout).")] = "-",
    learned: Annotated[bool, typer.Option("--learned", help="HEAD was learned from traffic ('specbuild build "
                       "-o -'): what the traffic did not show (an operation, a status, a property it did not "
                       "send) is no evidence of a removal, as build --check reads it.")] = False,
    show_traceback: ShowTraceback = False,  # its callback tells main() (see RunFlags)
) -> None:
    """Compare two specs and classify every change for API clients: breaking, warning or info. A path
    parameter that only changed its name is no change. One of them may be '-': read from stdin."""
    if str(base) == str(head) == "-":
        raise UsageError("BASE and HEAD are both '-': only one of them can be read from stdin")
    head_doc = load_spec(head)
    report = diff_report(load_spec(base), head_doc, base_name=_shown(base), head_name=_shown(head),
                         fail_on=fail_on.value, rules=_rules(ignore, ALL_KINDS), learned_head=learned,
                         lines=lines_of(head, head_doc) if fmt is Format.github else None)
    _emit(render_diff(report, fmt.value, color=_color(fmt, output)), output)
    raise typer.Exit(report.exit_code)


def _shown(spec: str | Path) -> str:
    return "stdin" if str(spec) == "-" else str(spec)


def register(app: typer.Typer) -> None:
    """Add ``check`` and ``diff`` to the CLI (cli.main() calls this when the module is there)."""
    app.command("check", cls=Command, epilog=examples(
        "specbuild check --spec openapi.json -i traffic.jsonl     # traffic against the committed spec",
        "specbuild check --spec openapi.json -t http_recordings   # a Kafka topic, read to its end",
        "specbuild check --spec openapi.json -i t.jsonl -f markdown -o drift.md --fail-on warning"))(check)
    app.command("diff", cls=Command, epilog=examples(
        "specbuild diff main/openapi.json openapi.json            # what changed, breaking or not",
        "specbuild diff old.yaml new.yaml -f github --fail-on warning   # annotations in a GitHub job",
        "specbuild diff base.json head.json --ignore .specbuild-ignore",
        "specbuild diff --learned openapi.json learned/openapi.json   # HEAD learned, as build --check"))(diff_command)
