"""The command line: options -> a source -> the fold -> the written document.

The one place errors become exit codes: a SpecbuildError prints ``Error: ...`` and exits with its
code (2 for what the user can fix); anything else is a bug and says so (``--traceback`` shows it).
``specbuild [OPTIONS]`` with no subcommand is ``specbuild build [OPTIONS]``.
"""

from __future__ import annotations

import atexit
import contextlib
import difflib
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from specbuild._version import __version__
from specbuild.cli.console import Reporter
from specbuild.cli.helptext import Command, examples
from specbuild.cli.options import (
    APIVersion,
    BasePath,
    BootstrapServers,
    CheckAgainst,
    CheckFailOn,
    CheckFormat,
    CheckIgnore,
    CheckpointInterval,
    DeadLetter,
    Examples,
    ExcludeHeaders,
    ExcludePath,
    FilePaths,
    FoldJobs,
    FromBeginning,
    GroupId,
    Hosts,
    IdleTimeout,
    IncludeHeaders,
    IncludePath,
    Input,
    KafkaConfig,
    KafkaOption,
    LearnMaxBodyBytes,
    MaxRecords,
    Methods,
    NoEnums,
    NoEvidence,
    OffsetReset,
    OpenAPI,
    OpenAPIVersion,
    Partial,
    Partitions,
    PathTemplates,
    Quiet,
    RecordSource,
    RenderInterval,
    ResetState,
    RunFlags,
    ServerURL,
    ShowTraceback,
    Source,
    SpecFormat,
    SpecFormatOption,
    SpecOutput,
    StartOffset,
    StartSpec,
    StartTime,
    StateStore,
    StateTopic,
    Strict,
    Title,
    Topic,
    UntilEnd,
)
from specbuild.cli.settings import (
    DriftCheck,
    Learning,
    Output,
    drift_check,
    file_input,
    follow_limits,
    follow_settings,
    kafka_connection,
    kafka_input,
    learning_settings,
    output_settings,
    record_filter,
    record_source,
    refuse_kafka_only,
    state_store,
    stdin_piped,
)
from specbuild.errors import InputError, SpecbuildError, UsageError
from specbuild.io.files import locked, read_document, remove_stale_temps
from specbuild.io.jsonl import Lines
from specbuild.io.recordings import read_records
from specbuild.io.specs import read_spec
from specbuild.learn.collector import held
from specbuild.parallel import forked
from specbuild.records import DEFAULT_MAX_BODY_BYTES
from specbuild.run import (
    Fold,
    Stats,
    StopSignals,
    build_serialised,
    feed_sharded,
    nothing_learned,
    plan_shards,
    ready_standby,
    validator_standby,
    write_document,
)

if TYPE_CHECKING:
    from specbuild.drift.ignores import Rule
    from specbuild.kafka.follow import FollowSettings
    from specbuild.learn.builder import SpecBuilder
    from specbuild.run import Shard

app = typer.Typer(
    add_completion=False,
    no_args_is_help=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Learn an OpenAPI 3 document from HTTP Types recordings and check API drift.\n\n"
         "With no command, `specbuild [OPTIONS]` runs `build`. `specbuild COMMAND -h` shows a command's "
         "options, grouped, and examples.",
)
SUBCOMMANDS = ("build", "check", "diff", "produce", "record", "render")
COMMAND_MODULES = {"check": "specbuild.cli.drift", "diff": "specbuild.cli.drift",
                   "produce": "specbuild.cli.produce", "record": "specbuild.cli.record",
                   "render": "specbuild.cli.render"}


# the help is given here, beside the examples, not as a docstring: the command's parameters are its options,
# and its body stays within a screen with them
@app.command("build", cls=Command, help="Learn an OpenAPI document from recordings (JSONL, HAR or a JSON array; "
             "a file, stdin or a Kafka topic).", epilog=examples(
    "specbuild -i recordings.jsonl -o my_spec            # learn from a file (.gz too)",
    "cat rec.jsonl | specbuild -o my_spec --format yaml  # from a pipe, written as YAML",
    "specbuild -b kafka:9092 -t http_recordings -e -o my_spec   # a topic, read to its end",
    "specbuild -i rec.jsonl -o learned --check openapi.json     # learn, then: did the API change?"))
def build(
    source: RecordSource = None,
    input_: Input = None,
    output: SpecOutput = None,
    fmt: SpecFormatOption = SpecFormat.json,
    spec: StartSpec = None,
    check: CheckAgainst = None,
    fail_on: CheckFailOn = None,
    check_format: CheckFormat = None,
    ignore: CheckIgnore = None,
    openapi: OpenAPI = OpenAPIVersion.v30,
    title: Title = "API learned by specbuild",
    api_version: APIVersion = "0.1.0",
    server_url: ServerURL = None,
    base_path: BasePath = None,
    path_template: PathTemplates = None,
    include_header: IncludeHeaders = None,
    exclude_header: ExcludeHeaders = None,
    no_enums: NoEnums = False,
    no_evidence: NoEvidence = False,
    file_paths: FilePaths = False,
    examples: Examples = False,
    max_body_bytes: LearnMaxBodyBytes = DEFAULT_MAX_BODY_BYTES,
    strict: Strict = False,
    jobs: FoldJobs = 0,
    quiet: Quiet = False,
    partial: Partial = False,
    show_traceback: ShowTraceback = False,  # its callback tells main() (see RunFlags)
    bootstrap_servers: BootstrapServers = "localhost:9092",
    topic: Topic = None,
    group_id: GroupId = "specbuild",
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
    checkpoint_interval: CheckpointInterval = 30.0,
    render_interval: RenderInterval = 120.0,
    reset_state: ResetState = False,
    state: StateStore = None,
    state_topic: StateTopic = None,
    dead_letter: DeadLetter = None,
    include_path: IncludePath = None,
    exclude_path: ExcludePath = None,
    host: Hosts = None,
    method: Methods = None,
) -> None:
    learning = learning_settings(path_template, include_header, exclude_header, max_body_bytes, strict, jobs,
                                 record_filter(include_path, exclude_path, host, method))
    src, input_ = record_source(source, input_, stdin_piped())
    out = output_settings(_output_folder_for(src, output), fmt, spec, openapi, title, api_version, server_url,
                          base_path, examples=examples, enums=not no_enums, evidence=not no_evidence,
                          file_paths=file_paths)
    drift = drift_check(check, fail_on, check_format, ignore)
    committed, rules = _committed_spec(drift, src, out)
    if src is Source.file:
        refuse_kafka_only({"-X": kafka_option, "--kafka-config": kafka_config, "--start-offset": start_offset,
                           "--start-time": start_time, "--partition": partition, "--reset-state": reset_state,
                           "--state": state, "--state-topic": state_topic,
                           "--from-beginning": from_beginning, "-e/--until-end": until_end, "--max-records":
                           max_records, "--idle-timeout": idle_timeout, "--dead-letter": dead_letter}, topic)
        learned = _build_from_file(file_input(input_), learning, out, read_base(out.start, quiet), quiet, partial)
    else:
        kafka_input(input_)
        connection = kafka_connection(bootstrap_servers, topic, group_id, from_beginning, offset_reset,
                                      kafka_option, kafka_config, start_offset, start_time, partition)
        limits = follow_limits(until_end, max_records, idle_timeout, checkpoint_interval, render_interval)
        _build_from_kafka(follow_settings(connection, limits, dead_letter, learning, out, quiet, reset_state,
                                          state_store(state, state_topic, out.target, reset_state)),
                          learning, out, read_base(out.start, quiet), partial)
    _check_learned(drift, committed, learned if src is Source.file else None, out, rules)


def _output_folder_for(src: Source, output: str | None) -> str:
    """``-o``: a file build writes into the current folder by default; a Kafka follow keeps a state and a
    lock beside its spec, which must not land wherever the command happened to run."""
    if output is not None:
        return output
    if src is Source.kafka:
        raise UsageError("a Kafka follow needs -o DIR: it keeps the spec, its state and a lock there",
                         hint="e.g. specbuild -t http_recordings -o my_spec ('-o -' writes the spec to stdout "
                              "and keeps no state)")
    return "."


def _build_from_kafka(settings: FollowSettings, learning: Learning, out: Output, base: dict[str, Any] | None,
                      partial: bool = False) -> None:
    from specbuild.kafka.follow import follow  # Kafka is imported only when used

    if partial:
        raise UsageError("--partial is for a file build: a Kafka follow always writes what it learned when stopped")

    # in a pipe (a service's log), a progress line a minute: a follow runs for days
    with Reporter(quiet=settings.quiet, log_every=60.0) as reporter:
        follow(settings, learning.builder(base, examples=out.render.examples, note=reporter.note), reporter, out.render,
               base)


def _committed_spec(drift: DriftCheck, src: Source, out: Output) -> tuple[dict[str, Any] | None, list[Rule]]:
    """``build --check SPEC``: the committed spec and the ``--ignore`` file's rules, read (and their problems
    said) before any record is: a mistyped path used to be said after a replay had learned and written its spec."""
    if drift.committed is None:
        return None, []
    if src is Source.kafka and out.target == "-":
        raise UsageError("--check with --source kafka needs -o FOLDER (the spec is read back from it)")
    from specbuild.cli.drift import change_rules, load_spec

    return load_spec(drift.committed), change_rules(drift.ignore)


def _read_back(out: Output) -> dict[str, Any]:
    """The spec a Kafka follow wrote, for ``--check``."""
    return dict(read_document(Path(out.target) / out.file_name))


def _check_learned(drift: DriftCheck, committed: dict[str, Any] | None, learned: dict[str, Any] | None,
                   out: Output, rules: list[Rule] | None = None) -> None:
    """``build --check``: the diff from the committed spec to the learned one (a follow's: read back from
    its folder), for API clients; nothing without ``--check``."""
    if drift.committed is None or committed is None:
        return
    if learned is None:
        learned = _read_back(out)
    from specbuild.cli.drift import diff_report, lines_of
    from specbuild.drift.report import render_diff

    # annotations go on the committed spec: the file in the repository that the traffic disagrees with
    report = diff_report(committed, learned, base_name=str(drift.committed), head_name="learned from traffic",
                         fail_on=drift.fail_on, learned_head=True, annotate=str(drift.committed), rules=rules,
                         lines=lines_of(drift.committed, committed) if drift.fmt == "github" else None)
    color = drift.fmt == "text" and sys.stdout.isatty()
    sys.stdout.write(render_diff(report, drift.fmt, color=color))
    sys.stdout.flush()
    if report.exit_code:
        raise typer.Exit(report.exit_code)


def read_base(spec: Path | None, quiet: bool) -> dict[str, Any] | None:
    """``--spec FILE`` (``build`` and ``render``): the spec the learned one is overlaid on, checked."""
    if spec is None:
        return None
    if str(spec) == "-":  # else no file '-' exists, and the piped spec, edits and all, was left out unsaid
        raise UsageError("--spec -: give the spec to extend as a file",
                         hint="save it first (> base.json), then give --spec base.json")
    if not spec.exists():  # first run: the spec we are asked to extend does not exist yet
        if not quiet:
            print(f"note: --spec {spec} does not exist yet: learning from the traffic alone", file=sys.stderr)
        return None
    doc = read_spec(spec)
    from specbuild.io.validate import check_input_spec

    check_input_spec(doc, str(spec))
    return dict(doc)


def _build_from_file(input_: str, learning: Learning, out: Output, base: dict[str, Any] | None,
                     quiet: bool, partial: bool) -> dict[str, Any]:
    jobs = learning.jobs or min(os.cpu_count() or 1, 8)
    # Ctrl-C: without --partial, KeyboardInterrupt ends the build at once (main() says nothing was written);
    # with it, the fold stops between records and what it learned is written
    stop = StopSignals(at_once=False) if partial else contextlib.nullcontext()
    # one run, then the process ends: what it builds is never walked by the cycle collector (collector.held)
    with _output_folder(out.target), Reporter(quiet=quiet) as reporter, stop, held():
        builder = learning.builder(base, examples=out.render.examples, note=reporter.note)
        fold = Fold(builder, strict=learning.strict, max_body_bytes=learning.max_body_bytes, keep=learning.keep,
                    on_skip=reporter.warn, on_progress=reporter.progress)
        should_stop = stop.requested if isinstance(stop, StopSignals) else None
        shards = plan_shards(input_, jobs)
        with validator_standby(shards) or contextlib.nullcontext() as ready:
            stats = _read(input_, fold, shards, reporter, should_stop, validator=ready is None)
            ready_standby(ready, shards)
            if stats.learned == 0 and should_stop is None:  # a spec of no paths, exit 0, would pass for a result
                said = learning.keep.said if learning.keep is not None else ""
                why, hint = nothing_learned(stats, "stdin" if input_ == "-" else input_, said)
                raise InputError(why, hint=hint)
            # a standby runs one walk in a process of its own (it is small: forked at once)
            doc, text = build_serialised(builder, out.render, base, on_phase=reporter.phase,
                                         elsewhere=forked if jobs > 1 or ready is not None else None, ready=ready,
                                         fmt=out.fmt)
        reporter.phase("writing")
        target = write_document(doc, out.target, out.fmt, text)
        stats.finished = stats.finished or time.monotonic()
        _note_collapsed(doc, reporter)
        _note_base_path(doc, out.render.base_path, reporter)
        ops = sum(1 for item in doc["paths"].values() for m in item if m != "parameters")
        where = str(target) if target else None
        reporter.summary(stats, paths=len(doc["paths"]), operations=ops, target=where)
    if isinstance(stop, StopSignals) and stop.received is not None:
        print(f"Interrupted: wrote what was learned from {stats.read:,} records to {where or 'stdout'} (--partial).",
              file=sys.stderr)
        raise SystemExit(128 + stop.received)  # not typer.Exit: main() reads its 130 as "nothing written"
    return doc


def _read(input_: str, fold: Fold[SpecBuilder], shards: list[Shard], reporter: Reporter,
          should_stop: Callable[[], bool] | None, validator: bool = True) -> Stats:
    """Fold the file (in shards when it has them) with its progress on the live line; ``validator``: this
    process will validate the document (no standby does)."""
    lines = Lines(input_)
    reporter.progress(fold.stats, phase="reading", size=lines.size, note=f"{len(shards)} processes" if shards else None)
    if shards:
        stats = feed_sharded(fold, shards, should_stop=should_stop, validator=validator)
    else:
        stats = fold.feed(read_records(input_, lines), should_stop, position=lines.position)
    reporter.progress(stats)
    return stats


def _note_collapsed(doc: dict[str, Any], reporter: Reporter) -> None:
    """Say how many operations left rare parameter names out (traffic inventing names)."""
    from specbuild.learn.rules import MAX_PARAMS

    collapsed = sum(1 for item in doc["paths"].values() for op in item.values()
                    if isinstance(op, dict) and any(k.startswith("x-specbuild-more-") for k in op))
    if collapsed:
        reporter.note(f"note: {collapsed} operation(s) saw more than {MAX_PARAMS} query parameter or header "
                      "names: the rarest are left out, marked x-specbuild-more-*")


def _note_base_path(doc: dict[str, Any], wanted: str | None, reporter: Reporter) -> None:
    """``--base-path /v1`` moves the prefix only when every path has it; say so when it did not."""
    if wanted is None or wanted == "auto" or not doc["paths"]:
        return
    prefix = "/" + wanted.strip("/")
    if any(str(s.get("url", "")).rstrip("/").endswith(prefix) for s in doc.get("servers", [])):
        return  # moved into the server URL
    misses = sorted(p for p in doc["paths"] if p != prefix and not p.startswith(prefix + "/"))
    reporter.note(f"warning: --base-path {wanted}: {len(misses)} of {len(doc['paths'])} paths do not start with "
                  f"it (e.g. {misses[0]}), so the paths are kept whole (--base-path auto finds the shared prefix)")


@contextlib.contextmanager
def _output_folder(target: str) -> Iterator[None]:
    """Hold the output folder for the whole build (a follower there would overwrite our spec, we its
    spec), after removing what a run killed in a write left behind."""
    if target == "-":
        yield
        return
    started = time.time()
    with locked(Path(target), "another specbuild is already building or following into this folder"):
        remove_stale_temps(target, started)
        yield


def version_callback(value: bool) -> None:
    if value:
        print(f"specbuild {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=version_callback, is_eager=True,
                       help="Show the version and exit.")] = False,
) -> None:
    """Learn an OpenAPI 3 document from HTTP Types recordings and check API drift."""


def _register_optional_commands(args: Sequence[str]) -> None:
    # Commands that live in their own modules register themselves here, and only when asked for (or for
    # the help): `specbuild build` need not load the drift checker, a third of the CLI's start-up.
    import importlib

    first = args[0] if args else ""
    if first == "build":
        names: Sequence[str] = ()
    elif first in COMMAND_MODULES:
        names = (COMMAND_MODULES[first],)
    else:
        names = sorted(set(COMMAND_MODULES.values()))
    for name in names:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(app)


def _argv(argv: Sequence[str]) -> list[str]:
    """``specbuild [OPTIONS]`` means ``specbuild build [OPTIONS]``; a first word that is no command is an
    error that names the nearest one (``build`` takes no word of its own)."""
    args = list(argv)
    if not args or args[0] in SUBCOMMANDS or args[0] in ("-h", "--help", "--version"):
        return args
    if not args[0].startswith("-"):
        raise UsageError(f"no command {args[0]!r}", hint=_nearest(args[0]))
    return ["build", *args]


def _nearest(word: str) -> str:
    near = difflib.get_close_matches(word, SUBCOMMANDS, n=1)
    if near:
        return f"did you mean 'specbuild {near[0]}'?"
    if Path(word).exists():
        return f"to learn from a file: specbuild -i {word} -o FOLDER"
    return f"the commands are {', '.join(SUBCOMMANDS)}; with none, 'specbuild [OPTIONS]' builds"


_stopped_by = signal.SIGINT  # the signal that interrupted the run (see _terminate_as_interrupt)


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (a CI timeout, ``docker stop``, ``timeout``) interrupts a run as Ctrl-C does: its workers
    ended, its temporary files removed, ``Interrupted: ...``, exit 143. The OS default killed the process
    on the spot, and a worker sending its share then waited for ever. A follow and the recording proxy
    put their own handler over this one while they run; a handler someone else set is left alone."""
    global _stopped_by
    _stopped_by = signal.SIGINT
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield
        return

    def handle(signum: int, _frame: object) -> None:
        global _stopped_by  # read by _interrupted, once typer has turned this into exit 130
        _stopped_by = signal.Signals(signum)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second one ends the process at once
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handle)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> None:
    flags = RunFlags()  # the commands' context obj: --traceback sets flags.traceback as it is read
    with _terminate_as_interrupt():
        _main(argv, flags)


def _main(argv: Sequence[str] | None, flags: RunFlags) -> None:
    try:
        args = _argv(sys.argv[1:] if argv is None else argv)
        _register_optional_commands(args)
        # with standalone_mode=False, typer returns (not raises) the code of a typer.Exit
        code = app(args, prog_name="specbuild", standalone_mode=False, obj=flags)
        if code == 130:  # typer turns Ctrl-C into exit 130 before our handler below sees it
            _interrupted()
        sys.exit(code if isinstance(code, int) else 0)
    except SpecbuildError as err:
        print(f"Error: {err}", file=sys.stderr)
        if flags.traceback:
            traceback.print_exc()
        sys.exit(err.exit_code)
    except KeyboardInterrupt:
        _interrupted()
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        print("Aborted.", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:
        _usage_or_bug(exc, show_traceback=flags.traceback)


def run() -> NoReturn:
    """The program (``python -m specbuild``, the ``specbuild`` command): :func:`main`, then the process ends
    at once. By then every file is written (atomically, fsynced), every client closed and the exit handlers
    run (the recorders' sinks flush there); what is left is the interpreter freeing every object, ~0.1-0.9
    CPU s for a run that held large builders (a group member's states), memory the OS takes back anyway.
    Tests call :func:`main`, which returns by ``SystemExit`` as usual."""
    try:
        main()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if code is not None and not isinstance(code, int):  # sys.exit("message"): printed, status 1
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more can be said there
            stream.flush()
    os._exit(code or 0)


def _interrupted() -> None:
    # a file build or a check writes only at its end, atomically: stopped before that, nothing was written
    # (a Kafka follow handles Ctrl-C itself: it checkpoints, then ends normally)
    print("Interrupted: nothing was written.", file=sys.stderr)
    sys.exit(128 + _stopped_by)


def _usage_or_bug(exc: Exception, *, show_traceback: bool) -> None:
    # typer ships its own copy of click: recognise its exceptions by what they can do
    show, code = getattr(exc, "show", None), getattr(exc, "exit_code", None)
    message, ctx = getattr(exc, "format_message", None), getattr(exc, "ctx", None)
    if callable(message) and ctx is not None and isinstance(code, int):
        # a usage error, said as every other one is: one Error: line and a hint
        print(f"Error: {message()}\n  hint: '{ctx.command_path} -h' lists the options, with examples",
              file=sys.stderr)
        sys.exit(code)
    if callable(show) and isinstance(code, int):
        show()
        sys.exit(code)
    if show_traceback:
        traceback.print_exc()
    else:
        print(f"Internal error (a bug in specbuild): {type(exc).__name__}: {exc}\n"
              "  rerun with --traceback and report it", file=sys.stderr)
    sys.exit(70)
