"""The command line: options -> a source -> the fold -> the written document.

The one place errors become exit codes: a SpecbuildError prints ``Error: ...`` and exits with its
code (2 for what the user can fix); anything else is a bug and says so (``--traceback`` shows it).
``specbuild [OPTIONS]`` with no subcommand is ``specbuild build [OPTIONS]``.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from specbuild import __version__
from specbuild.cli.console import Reporter
from specbuild.cli.options import FailOn
from specbuild.cli.options import Format as ReportFormat
from specbuild.errors import SpecbuildError, UsageError
from specbuild.http import HeaderPolicy
from specbuild.io.files import read_document
from specbuild.io.jsonl import iter_lines
from specbuild.learn.builder import SpecBuilder
from specbuild.learn.render import RenderOptions
from specbuild.records import DEFAULT_MAX_BODY_BYTES
from specbuild.run import Fold, build_document, feed_sharded, plan_shards, write_document

app = typer.Typer(
    add_completion=False,
    no_args_is_help=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Learn an OpenAPI 3 document from HTTP Types recordings and check API drift.\n\n"
         "With no command, `specbuild [OPTIONS]` runs `build`.",
)
SUBCOMMANDS = ("build", "check", "diff", "produce")
COMMAND_MODULES = {"check": "specbuild.cli.drift", "diff": "specbuild.cli.drift",
                   "produce": "specbuild.cli.produce"}


class Source(str, Enum):
    file = "file"
    kafka = "kafka"


class OutFormat(str, Enum):
    json = "json"
    yaml = "yaml"


class OpenAPIVersion(str, Enum):
    v30 = "3.0"
    v31 = "3.1"


class OffsetReset(str, Enum):
    earliest = "earliest"
    latest = "latest"


_state: dict[str, bool] = {"traceback": False}

D = "Drift (--check)"
K = "Kafka source"
L = "Learning"
O_ = "Output"


@app.command("build")
def build(
    source: Annotated[Source | None, typer.Option("--source", "-s", envvar="SPECBUILD_SOURCE",
                      help="Where recordings come from (default: file with -i, else kafka).")] = None,
    input_: Annotated[str | None, typer.Option("--input", "-i", envvar="SPECBUILD_INPUT",
                      help="JSONL recordings file (.gz read transparently); '-' for stdin.")] = None,
    output: Annotated[str, typer.Option("--output", "-o", envvar="SPECBUILD_OUTPUT",
                      help="Output folder (gets openapi.json / openapi.yaml); '-' for stdout.",
                      rich_help_panel=O_)] = ".",
    fmt: Annotated[OutFormat, typer.Option("--format", help="Output format.",
                   rich_help_panel=O_)] = OutFormat.json,
    spec: Annotated[Path | None, typer.Option("--spec", help="Start from this existing spec: what a "
                    "person wrote there is kept, the traffic adds to it.", rich_help_panel=O_)] = None,
    check: Annotated[Path | None, typer.Option("--check", help="After learning, report how the learned "
                     "spec differs from this committed one (did the API change?); exit 1 on drift at "
                     "or above --fail-on.", rich_help_panel=D)] = None,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", help="With --check: the severity that fails.",
                       rich_help_panel=D)] = FailOn.breaking,
    check_format: Annotated[ReportFormat, typer.Option("--check-format", help="With --check: report "
                            "format (to stdout).", rich_help_panel=D)] = ReportFormat.text,
    openapi: Annotated[OpenAPIVersion, typer.Option("--openapi", help="OpenAPI version to write.",
                       rich_help_panel=O_)] = OpenAPIVersion.v30,
    title: Annotated[str, typer.Option(help="info.title", rich_help_panel=O_)] = "API learned by specbuild",
    api_version: Annotated[str, typer.Option("--api-version", help="info.version",
                           rich_help_panel=O_)] = "0.1.0",
    server_url: Annotated[str | None, typer.Option("--server-url", help="servers[0].url (default: from "
                          "the recorded protocol and host).", rich_help_panel=O_)] = None,
    base_path: Annotated[str | None, typer.Option("--base-path", help="Move this path prefix (or 'auto': "
                         "the prefix all paths share) into the server URL.", rich_help_panel=O_)] = None,
    path_template: Annotated[list[str] | None, typer.Option("--path-template", "-t", help="Force a "
                             "template and its parameter names, e.g. '/repos/{owner}/{repo}' (repeatable).",
                             rich_help_panel=L)] = None,
    include_header: Annotated[list[str] | None, typer.Option("--include-header", help="Glob of header "
                              "names to document even if generic (repeatable).", rich_help_panel=L)] = None,
    exclude_header: Annotated[list[str] | None, typer.Option("--exclude-header", help="Glob of header "
                              "names never to document (repeatable).", rich_help_panel=L)] = None,
    no_enums: Annotated[bool, typer.Option("--no-enums", help="Never infer enums.",
                        rich_help_panel=L)] = False,
    examples: Annotated[bool, typer.Option("--examples", help="Add one redacted example per body "
                        "(the smallest seen; secrets and emails replaced).", rich_help_panel=O_)] = False,
    max_body_bytes: Annotated[int, typer.Option("--max-body-bytes", help="Bodies larger than this are "
                              "not parsed (the operation and status are still learned).",
                              rich_help_panel=L)] = DEFAULT_MAX_BODY_BYTES,
    strict: Annotated[bool, typer.Option("--strict", help="Stop at the first bad record (exit 2).",
                      rich_help_panel=L)] = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", envvar="SPECBUILD_JOBS", help="Processes that fold: "
                    "for a large plain file, and for a Kafka backlog (0: one per core).", rich_help_panel=L)] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")] = False,
    show_traceback: Annotated[bool, typer.Option("--traceback", help="Show tracebacks of internal "
                              "errors.")] = False,
    bootstrap_servers: Annotated[str, typer.Option("--bootstrap-servers", "-b",
                                 envvar="SPECBUILD_BOOTSTRAP_SERVERS", rich_help_panel=K,
                                 help="Kafka bootstrap servers.")] = "localhost:9092",
    topic: Annotated[list[str] | None, typer.Option("--topic", envvar="SPECBUILD_TOPIC", rich_help_panel=K,
                     help="Topic to follow (repeatable; default http_recordings).")] = None,
    group_id: Annotated[str, typer.Option("--group-id", "-g", envvar="SPECBUILD_GROUP_ID",
                        rich_help_panel=K, help="Consumer group.")] = "specbuild",
    from_beginning: Annotated[bool, typer.Option("--from-beginning", rich_help_panel=K,
                              help="Same as --offset-reset earliest.")] = False,
    offset_reset: Annotated[OffsetReset | None, typer.Option("--offset-reset", envvar="SPECBUILD_OFFSET_RESET",
                            rich_help_panel=K, help="Where a group without committed offsets starts "
                            "(default earliest).")] = None,
    kafka_option: Annotated[list[str] | None, typer.Option("-X", rich_help_panel=K, help="librdkafka "
                            "property key=value, as kcat takes it (repeatable).")] = None,
    kafka_config: Annotated[Path | None, typer.Option("--kafka-config", envvar="SPECBUILD_KAFKA_CONFIG",
                            rich_help_panel=K, help="A .properties file of librdkafka settings "
                            "(SASL/SSL).")] = None,
    until_end: Annotated[bool, typer.Option("--until-end", rich_help_panel=K, help="Stop once every "
                         "assigned partition reaches its end.")] = False,
    max_records: Annotated[int | None, typer.Option("--max-records", rich_help_panel=K,
                           help="Stop after this many records.")] = None,
    idle_timeout: Annotated[float | None, typer.Option("--idle-timeout", rich_help_panel=K,
                            help="Stop after this many seconds with no new record.")] = None,
    checkpoint_interval: Annotated[float, typer.Option("--checkpoint-interval", rich_help_panel=K,
                                   envvar="SPECBUILD_CHECKPOINT_INTERVAL",
                                   help="Seconds between checkpoints (spec + state, then offsets).")] = 30.0,
    dead_letter: Annotated[Path | None, typer.Option("--dead-letter", rich_help_panel=K,
                           help="Append bad records, raw, to this file.")] = None,
) -> None:
    """Learn an OpenAPI document from recordings (a JSONL file, stdin, or a Kafka topic)."""
    _state["traceback"] = show_traceback
    src = source or (Source.file if input_ is not None else Source.kafka)
    builder = SpecBuilder(
        hints=tuple(path_template or ()),
        headers=HeaderPolicy(include=tuple(include_header or ()), exclude=tuple(exclude_header or ())),
        examples=examples,
    )
    base = _read_base(spec)
    if base is not None:
        builder = SpecBuilder(hints=(*builder.hints, *base.get("paths", {})), headers=builder.headers,
                              examples=examples)
    options = RenderOptions(openapi=openapi.value, title=title, api_version=api_version,
                            server_url=server_url, base_path=base_path, enums=not no_enums,
                            examples=examples)
    if src is Source.file:
        if input_ is None:
            raise UsageError("--source file needs -i FILE (or '-' for stdin)")
        doc = _build_from_file(input_, builder, options, base, output, fmt.value, strict, max_body_bytes, quiet,
                               jobs or min(os.cpu_count() or 1, 8))
        if check is not None:
            _check_learned(check, doc, fail_on.value, check_format.value)
        return
    if input_ is not None:
        raise UsageError("-i/--input is for --source file; the Kafka source reads --topic")
    from specbuild.kafka.client import Connection
    from specbuild.kafka.follow import FollowSettings, Limits, follow  # Kafka is imported only when used

    connection = Connection(
        bootstrap_servers=bootstrap_servers, topics=tuple(topic or ("http_recordings",)), group_id=group_id,
        offset_reset=(OffsetReset.earliest if from_beginning else (offset_reset or OffsetReset.earliest)).value,
        overrides=tuple(kafka_option or ()), config_file=kafka_config,
    )
    limits = Limits(until_end=until_end, max_records=max_records, idle_timeout=idle_timeout,
                    checkpoint_interval=checkpoint_interval)
    settings = FollowSettings(
        connection=connection, limits=limits, dead_letter=dead_letter, output=output, fmt=fmt.value,
        strict=strict, max_body_bytes=max_body_bytes, quiet=quiet, jobs=jobs,
    )
    # progress lines no more often than checkpoints, within 5 s .. 1 min
    log_every = max(5.0, min(limits.checkpoint_interval, 60.0))
    with Reporter(quiet=quiet, log_every=log_every) as reporter:
        follow(settings, builder, reporter, options, base)
    if check is not None:
        if output == "-":
            raise UsageError("--check with --source kafka needs -o FOLDER (the spec is read back from it)")
        learned = read_document(Path(output) / ("openapi.yaml" if fmt is OutFormat.yaml else "openapi.json"))
        _check_learned(check, learned, fail_on.value, check_format.value)


def _check_learned(committed: Path, learned: dict[str, Any], fail_on: str, fmt: str) -> None:
    """``build --check``: the diff from the committed spec to the learned one, for API clients."""
    from specbuild.cli.drift import diff_report, load_spec
    from specbuild.drift.report import render_diff

    report = diff_report(load_spec(committed), learned, base_name=str(committed), head_name="learned from traffic",
                         fail_on=fail_on, learned_head=True)
    color = fmt == "text" and sys.stdout.isatty()
    sys.stdout.write(render_diff(report, fmt, color=color))
    sys.stdout.flush()
    if report.exit_code:
        raise typer.Exit(report.exit_code)


def _read_base(spec: Path | None) -> dict[str, Any] | None:
    if spec is None:
        return None
    if not spec.exists():
        return None  # first run: the spec we are asked to extend does not exist yet
    doc = read_document(spec)
    from specbuild.io.validate import check_input_spec

    check_input_spec(doc, str(spec))
    return dict(doc)


def _build_from_file(input_: str, builder: SpecBuilder, options: RenderOptions, base: dict[str, Any] | None,
                     output: str, fmt: str, strict: bool, max_body_bytes: int, quiet: bool,
                     jobs: int) -> dict[str, Any]:
    with Reporter(quiet=quiet) as reporter:
        fold = Fold(builder, strict=strict, max_body_bytes=max_body_bytes, on_skip=reporter.warn,
                    on_progress=reporter.progress)
        shards = plan_shards(input_, jobs)
        if shards:
            reporter.progress(fold.stats, note=f"replaying in {len(shards)} processes")
            stats = feed_sharded(fold, shards)
        else:
            stats = fold.feed(iter_lines(input_))
        doc = build_document(builder, options, base)
        target = write_document(doc, output, fmt)
        stats.finished = stats.finished or time.monotonic()
        if stats.learned == 0:
            reporter.note("warning: no exchange was learned: the document has no paths")
        ops = sum(1 for item in doc["paths"].values() for m in item if m != "parameters")
        reporter.summary(stats, paths=len(doc["paths"]), operations=ops,
                         target=str(target) if target else None)
    return doc


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
    """``specbuild [OPTIONS]`` means ``specbuild build [OPTIONS]``."""
    args = list(argv)
    if not args or args[0] in SUBCOMMANDS or args[0] in ("-h", "--help", "--version"):
        return args
    return ["build", *args]


def main(argv: Sequence[str] | None = None) -> None:
    args = _argv(sys.argv[1:] if argv is None else argv)
    _register_optional_commands(args)
    try:
        # with standalone_mode=False, typer returns (not raises) the code of a typer.Exit
        code = app(args, prog_name="specbuild", standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except SpecbuildError as err:
        print(f"Error: {err}", file=sys.stderr)
        if _state["traceback"]:
            traceback.print_exc()
        sys.exit(err.exit_code)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        print("Aborted.", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:
        _usage_or_bug(exc)


def _usage_or_bug(exc: Exception) -> None:
    # typer ships its own copy of click: recognise its exceptions by what they can do
    show, code = getattr(exc, "show", None), getattr(exc, "exit_code", None)
    if callable(show) and isinstance(code, int):
        show()
        sys.exit(code)
    if _state["traceback"]:
        traceback.print_exc()
    else:
        print(f"Internal error (a bug in specbuild): {type(exc).__name__}: {exc}\n"
              "  rerun with --traceback and report it", file=sys.stderr)
    sys.exit(70)
