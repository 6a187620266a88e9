"""Every command-line option, declared once, and the values several commands share.

Each option is an ``Annotated`` alias named after what it is; a command lists the ones it takes and
gives each its default (``group_id: GroupId = "specbuild"``). ``build`` and ``check`` take the same
Kafka aliases, so their help cannot drift apart. A small module: the CLI loads it at start-up, while
the modules of the commands that use it are loaded only when those commands run.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum
from pathlib import Path
from typing import Annotated

import typer

PANEL_DRIFT = "Drift (--check)"
PANEL_KAFKA = "Kafka source"
PANEL_LEARNING = "Learning"
PANEL_OUTPUT = "Output"
PANEL_REPORT = "Report"


class Format(StrEnum):
    """How a drift report is written."""

    text = "text"
    json = "json"
    markdown = "markdown"
    github = "github"


class FailOn(StrEnum):
    """The severity of a finding or change from which a check fails (exit 1)."""

    breaking = "breaking"
    warning = "warning"
    info = "info"
    never = "never"


class Source(str, Enum):
    """Where recordings come from."""

    file = "file"
    kafka = "kafka"


class SpecFormat(str, Enum):
    """How a learned spec is written."""

    json = "json"
    yaml = "yaml"


class StateKind(str, Enum):
    """Where a follow keeps its state (``--state``)."""

    local = "local"
    kafka = "kafka"


class OpenAPIVersion(str, Enum):
    v30 = "3.0"
    v31 = "3.1"


class OffsetStart(str, Enum):
    """Where a consumer group without committed offsets starts."""

    earliest = "earliest"
    latest = "latest"


# --- what main() needs to know once a command has read its options ------------------------------------

@dataclass(slots=True)
class RunFlags:
    """Passed to the commands as the click context's ``obj`` by main(), which reads it back on an error."""

    traceback: bool = False


def one_of(choices: type[Enum]) -> str:
    """``a, b or c``: the values of a choice whose metavar names what it is (``SEVERITY``)."""
    values = [str(member.value) for member in choices]
    return ", ".join(values[:-1]) + " or " + values[-1]


def _not_negative(value: int | None) -> int | None:
    if value is not None and value < 0:
        raise typer.BadParameter(f"{value} is negative: give 0 or more")
    return value


def _seconds(value: float | None) -> float | None:
    if value is not None and not value > 0:  # also NaN
        raise typer.BadParameter(f"{value}: give a number of seconds above 0")
    return value


def _seconds_or_zero(value: float | None) -> float | None:
    if value is not None and not value >= 0:  # also NaN; 0 has a meaning of its own (its option says which)
        raise typer.BadParameter(f"{value}: give 0 (at every checkpoint) or a number of seconds above it")
    return value


def _not_negative_all(values: list[int] | None) -> list[int] | None:
    for value in values or ():
        _not_negative(value)
    return values


def _server_url(value: str | None) -> str | None:
    """An absolute URL (``https://api.example.com/v2``) or a path (``/v2``: relative to where the spec is
    served), as OpenAPI's ``servers[].url`` is; anything else was written as given and no client could use it."""
    if value is None:
        return value
    scheme, sep, rest = value.partition("://")
    absolute = bool(sep) and scheme.isascii() and scheme.replace("+", "").isalpha() and rest[:1] not in ("", "/")
    if any(c.isspace() for c in value) or not (absolute or value.startswith("/")):
        raise typer.BadParameter(f"{value!r}: give an absolute URL (https://api.example.com/v2) or a path (/v2)")
    return value


def _positive(value: int | None) -> int | None:
    if value is not None and value < 1:
        raise typer.BadParameter(f"{value}: give 1 or more")
    return value


def _remember_traceback(ctx: typer.Context, value: bool) -> bool:
    ctx.ensure_object(RunFlags).traceback = value
    return value


# --- where recordings come from (build and check) -----------------------------------------------------

RecordSource = Annotated[Source | None, typer.Option(
    "--source", "-s", envvar="SPECBUILD_SOURCE", metavar="file|kafka",
    help="Where recordings come from (default: file with -i, else kafka).")]
Input = Annotated[str | None, typer.Option(
    "--input", "-i", envvar="SPECBUILD_INPUT", metavar="FILE",
    help="Recordings: JSONL (a record a line), HAR 1.2 or a JSON array of records (.gz read transparently); "
         "'-' for stdin.")]
Strict = Annotated[bool, typer.Option("--strict", help="Stop at the first bad record (exit 2).")]

# --- Kafka source (build and check) ---------------------------------------------------------------------

BootstrapServers = Annotated[str, typer.Option(
    "--bootstrap-servers", "-b", envvar="SPECBUILD_BOOTSTRAP_SERVERS", metavar="HOST:PORT", rich_help_panel=PANEL_KAFKA,
    help="Kafka bootstrap servers.")]
Topic = Annotated[list[str] | None, typer.Option(
    "--topic", "-t", envvar="SPECBUILD_TOPIC", metavar="TOPIC", rich_help_panel=PANEL_KAFKA,
    help="Topic to read (repeatable; '^regex' subscribes to the topics it matches; default http_recordings).")]
GroupId = Annotated[str, typer.Option(
    "--group-id", "-g", envvar="SPECBUILD_GROUP_ID", metavar="GROUP", rich_help_panel=PANEL_KAFKA,
    help="Consumer group.")]
# check's group reads no SPECBUILD_GROUP_ID: set for a follower, it would make a check join that group
# and read only the partitions it is assigned.
CheckGroupId = Annotated[str, typer.Option(
    "--group-id", "-g", metavar="GROUP", rich_help_panel=PANEL_KAFKA, help="Consumer group.")]
FromBeginning = Annotated[bool, typer.Option(
    "--from-beginning", rich_help_panel=PANEL_KAFKA, help="Same as --offset-reset earliest.")]
OffsetReset = Annotated[OffsetStart | None, typer.Option(
    "--offset-reset", envvar="SPECBUILD_OFFSET_RESET", metavar="earliest|latest", rich_help_panel=PANEL_KAFKA,
    help="Where a group without committed offsets starts (default earliest).")]
StartOffset = Annotated[str | None, typer.Option(
    "--start-offset", metavar="OFFSET", rich_help_panel=PANEL_KAFKA,
    help="Start every partition at: beginning, end, an offset N, or -N (N records before the end), as kcat -o "
         "(for a follow, only without a saved state).")]
StartTime = Annotated[str | None, typer.Option(
    "--start-time", metavar="TIME", rich_help_panel=PANEL_KAFKA,
    help="Start every partition at its first record at or after TIME: ISO 8601 (2026-12-03T10:00:00Z; no zone: "
         "UTC) or epoch milliseconds.")]
Partitions = Annotated[list[int] | None, typer.Option(
    "--partition", "-p", metavar="N", callback=_not_negative_all, rich_help_panel=PANEL_KAFKA,
    help="Read only partition N of each topic (repeatable), as kcat -p: assigned, not shared in the group.")]
KafkaOption = Annotated[list[str] | None, typer.Option(
    "-X", metavar="KEY=VALUE", rich_help_panel=PANEL_KAFKA,
    help="librdkafka property key=value, as kcat takes it (repeatable).")]
KafkaConfig = Annotated[Path | None, typer.Option(
    "--kafka-config", envvar="SPECBUILD_KAFKA_CONFIG", metavar="FILE", rich_help_panel=PANEL_KAFKA,
    help="A .properties file of librdkafka settings (SASL/SSL).")]
UntilEnd = Annotated[bool, typer.Option(
    "--until-end", "-e", rich_help_panel=PANEL_KAFKA,
    help="Stop once every assigned partition reaches its end.")]
MaxRecords = Annotated[int | None, typer.Option(
    "--max-records", metavar="N", callback=_not_negative, rich_help_panel=PANEL_KAFKA,
    help="Stop after this many records.")]
IdleTimeout = Annotated[float | None, typer.Option(
    "--idle-timeout", metavar="SECONDS", callback=_seconds, rich_help_panel=PANEL_KAFKA,
    help="Stop after this many seconds with no new record.")]
# only a follower checkpoints and keeps bad records
CheckpointInterval = Annotated[float, typer.Option(
    "--checkpoint-interval", envvar="SPECBUILD_CHECKPOINT_INTERVAL", metavar="SECONDS", callback=_seconds,
    rich_help_panel=PANEL_KAFKA,
    help="Seconds between checkpoints (spec + state, then offsets).")]
RenderInterval = Annotated[float, typer.Option(
    "--render-interval", envvar="SPECBUILD_RENDER_INTERVAL", metavar="SECONDS", callback=_seconds_or_zero,
    rich_help_panel=PANEL_KAFKA,
    help="With --state kafka: seconds between renders of the group's spec (states and offsets are committed at "
         "every checkpoint; the spec is also written at the first checkpoint and at stop); with --until-end, "
         "also of --state local's spec (written at the end; the state is saved at every checkpoint). 0: at "
         "every checkpoint.")]
ResetState = Annotated[bool, typer.Option(
    "--reset-state", rich_help_panel=PANEL_KAFKA,
    help="Forget the output folder's saved state (what was learned and where each partition stood) and start "
         "over.")]
StateStore = Annotated[StateKind | None, typer.Option(
    "--state", envvar="SPECBUILD_STATE", metavar="local|kafka", rich_help_panel=PANEL_KAFKA,
    help="Where a follow keeps what it learned: local (a file in -o, for one follower; the default) or kafka "
         "(a state per partition in --state-topic, committed with the offsets: run N copies in one group, each "
         "writes the whole group's spec).")]
StateTopic = Annotated[str | None, typer.Option(
    "--state-topic", envvar="SPECBUILD_STATE_TOPIC", metavar="TOPIC", rich_help_panel=PANEL_KAFKA,
    help="The compacted topic of the group's states (implies --state kafka; default GROUP.specbuild-state, "
         "for --group-id GROUP; "
         "created when missing).")]
DeadLetter = Annotated[Path | None, typer.Option(
    "--dead-letter", metavar="FILE", rich_help_panel=PANEL_KAFKA, help="Append bad records, raw, to this file.")]

# --- build: output --------------------------------------------------------------------------------------

SpecOutput = Annotated[str | None, typer.Option(
    "--output", "-o", envvar="SPECBUILD_OUTPUT", metavar="DIR", rich_help_panel=PANEL_OUTPUT,
    help="Output folder (gets openapi.json / openapi.yaml); '-' for stdout. A file build defaults to the "
         "current folder; a Kafka follow needs one (it keeps its state there).")]
SpecFormatOption = Annotated[SpecFormat, typer.Option(
    "--format", metavar="json|yaml", help="Output format.", rich_help_panel=PANEL_OUTPUT)]
StartSpec = Annotated[Path | None, typer.Option(
    "--spec", metavar="FILE", rich_help_panel=PANEL_OUTPUT,
    help="Start from this existing spec: what a person wrote there is kept, the traffic adds to it.")]
OpenAPI = Annotated[OpenAPIVersion, typer.Option(
    "--openapi", metavar="3.0|3.1", help="OpenAPI version to write.", rich_help_panel=PANEL_OUTPUT)]
Title = Annotated[str, typer.Option("--title", metavar="TEXT", help="info.title", rich_help_panel=PANEL_OUTPUT)]
APIVersion = Annotated[str, typer.Option(
    "--api-version", metavar="TEXT", help="info.version", rich_help_panel=PANEL_OUTPUT)]
ServerURL = Annotated[str | None, typer.Option(
    "--server-url", metavar="URL", callback=_server_url, rich_help_panel=PANEL_OUTPUT,
    help="servers[0].url (default: from the recorded protocol and host).")]
BasePath = Annotated[str | None, typer.Option(
    "--base-path", metavar="PREFIX|auto", rich_help_panel=PANEL_OUTPUT,
    help="Move this path prefix (or 'auto': the prefix all paths share) into the server URL.")]
Examples = Annotated[bool, typer.Option(
    "--examples", rich_help_panel=PANEL_OUTPUT,
    help="Add one redacted example per body (the smallest seen; secrets and emails replaced).")]

# --- build: drift (--check) -----------------------------------------------------------------------------

CheckAgainst = Annotated[Path | None, typer.Option(
    "--check", metavar="FILE", rich_help_panel=PANEL_DRIFT,
    help="After learning, report how the learned spec differs from this committed one (did the API "
         "change?); exit 1 on drift at or above --fail-on.")]
CheckFailOn = Annotated[FailOn | None, typer.Option(
    "--fail-on", metavar="SEVERITY", rich_help_panel=PANEL_DRIFT, show_default=False,
    help=f"With --check: the severity that fails ({one_of(FailOn)}; default: breaking).")]
CheckIgnore = Annotated[Path | None, typer.Option(
    "--ignore", metavar="FILE", rich_help_panel=PANEL_DRIFT,
    help="With --check: accepted changes, 'METHOD /path kind  # reason' per line (diff's --ignore).")]
CheckFormat = Annotated[Format | None, typer.Option(
    "--check-format", metavar="FORMAT", rich_help_panel=PANEL_DRIFT, show_default=False,
    help=f"With --check: report format, to stdout ({one_of(Format)}; default: text).")]

# --- build: learning ------------------------------------------------------------------------------------

PathTemplates = Annotated[list[str] | None, typer.Option(
    "--path-template", metavar="TEMPLATE", rich_help_panel=PANEL_LEARNING,
    help="Force a template and its parameter names, e.g. '/repos/{owner}/{repo}' or "
         "'/reports/{id}.csv' (repeatable).")]
IncludeHeaders = Annotated[list[str] | None, typer.Option(
    "--include-header", metavar="GLOB", rich_help_panel=PANEL_LEARNING,
    help="Glob of header names to document even if generic (repeatable).")]
ExcludeHeaders = Annotated[list[str] | None, typer.Option(
    "--exclude-header", metavar="GLOB", rich_help_panel=PANEL_LEARNING,
    help="Glob of header names never to document (repeatable).")]
NoEnums = Annotated[bool, typer.Option("--no-enums", help="Never infer enums.", rich_help_panel=PANEL_LEARNING)]
NoEvidence = Annotated[bool, typer.Option(
    "--no-evidence", rich_help_panel=PANEL_OUTPUT,
    help="Leave out the x-specbuild-seen and -calls counts; check and diff then read every learned claim as certain.")]
FilePaths = Annotated[bool, typer.Option(
    "--file-paths", rich_help_panel=PANEL_LEARNING,
    help="Learn a file path with folders (contents/docs/adr/1.md) as ONE path parameter marked x-multiSegment, "
         "as Gitea's and Jupyter's own specs write it; check and diff honour it, most other tools match one "
         "segment only. Default: a template per depth.")]
LearnMaxBodyBytes = Annotated[int, typer.Option(
    "--max-body-bytes", metavar="BYTES", callback=_not_negative, rich_help_panel=PANEL_LEARNING,
    help="Bodies larger than this are not parsed (the operation and status are still learned).")]
FoldJobs = Annotated[int, typer.Option(
    "--jobs", "-j", metavar="N", callback=_not_negative, envvar="SPECBUILD_JOBS", rich_help_panel=PANEL_LEARNING,
    help="Processes that fold: for a large plain file, and for a Kafka backlog (0: one per core).")]

# --- build: the run -------------------------------------------------------------------------------------

Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")]
Partial = Annotated[bool, typer.Option(
    "--partial", help="On Ctrl-C, write the spec learned so far (validated) instead of nothing; still exit 130.")]
ShowTraceback = Annotated[bool, typer.Option(
    "--traceback", callback=_remember_traceback, help="Show tracebacks of internal errors.")]

# --- check ----------------------------------------------------------------------------------------------

CommittedSpec = Annotated[Path, typer.Option(
    "--spec", metavar="FILE", help="The committed OpenAPI 3 document (JSON or YAML).")]
ReportFormat = Annotated[Format, typer.Option(
    "--format", "-f", metavar="FORMAT", help=f"Report format ({one_of(Format)}).",
    rich_help_panel=PANEL_REPORT)]
FindingFailOn = Annotated[FailOn, typer.Option(
    "--fail-on", metavar="SEVERITY", help="Exit 1 when a finding is at or above this severity "
    f"({one_of(FailOn)}).", rich_help_panel=PANEL_REPORT)]
IgnoreFile = Annotated[Path | None, typer.Option(
    "--ignore", metavar="FILE", rich_help_panel=PANEL_REPORT,
    help="Accepted drift: 'METHOD /path kind  # reason' per line.")]
ReportOutput = Annotated[str, typer.Option(
    "--output", "-o", metavar="FILE", help="Write the report here ('-': stdout).", rich_help_panel=PANEL_REPORT)]
CheckJobs = Annotated[int | None, typer.Option(
    "--jobs", "-j", metavar="N", callback=_positive,
    help="Worker processes checking records in parallel (default: one per core, up to 4, for files over 8 MB; "
         "else 1; never more than one per core or 4).")]
CheckMaxBodyBytes = Annotated[int, typer.Option(
    "--max-body-bytes", metavar="BYTES", callback=_not_negative,
    help="Bodies larger than this are not checked (counted).")]
CheckQuiet = Annotated[bool, typer.Option("--quiet", "-q", help="No warnings or summary on stderr.")]

# --- which records a run keeps (build and check, a file or Kafka) ---------------------------------------
# (kept in a block of their own: RecordFilter.of reads them, specbuild.filters says what they match)

PANEL_FILTERS = "Filters"
IncludePath = Annotated[list[str] | None, typer.Option(
    "--include-path", metavar="GLOB", rich_help_panel=PANEL_FILTERS,
    help="Only records whose path matches this glob: '*' within a segment, '**' across ('/api/**'; repeatable).")]
ExcludePath = Annotated[list[str] | None, typer.Option(
    "--exclude-path", metavar="GLOB", rich_help_panel=PANEL_FILTERS,
    help="Leave out records whose path matches this glob (repeatable).")]
Hosts = Annotated[list[str] | None, typer.Option(
    "--host", metavar="HOST", rich_help_panel=PANEL_FILTERS,
    help="Only records sent to this host ('api.example.com', '*.example.com'; the port only if given; repeatable).")]
Methods = Annotated[list[str] | None, typer.Option(
    "--method", metavar="METHOD", rich_help_panel=PANEL_FILTERS, help="Only records of this HTTP method (repeatable).")]
