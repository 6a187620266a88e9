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


def _remember_traceback(ctx: typer.Context, value: bool) -> bool:
    ctx.ensure_object(RunFlags).traceback = value
    return value


# --- where recordings come from (build and check) -----------------------------------------------------

RecordSource = Annotated[Source | None, typer.Option(
    "--source", "-s", envvar="SPECBUILD_SOURCE",
    help="Where recordings come from (default: file with -i, else kafka).")]
Input = Annotated[str | None, typer.Option(
    "--input", "-i", envvar="SPECBUILD_INPUT", help="JSONL recordings file (.gz read transparently); '-' for stdin.")]
Strict = Annotated[bool, typer.Option("--strict", help="Stop at the first bad record (exit 2).")]

# --- Kafka source (build and check) ---------------------------------------------------------------------

BootstrapServers = Annotated[str, typer.Option(
    "--bootstrap-servers", "-b", envvar="SPECBUILD_BOOTSTRAP_SERVERS", rich_help_panel=PANEL_KAFKA,
    help="Kafka bootstrap servers.")]
Topic = Annotated[list[str] | None, typer.Option(
    "--topic", envvar="SPECBUILD_TOPIC", rich_help_panel=PANEL_KAFKA,
    help="Topic to read (repeatable; default http_recordings).")]
GroupId = Annotated[str, typer.Option(
    "--group-id", "-g", envvar="SPECBUILD_GROUP_ID", rich_help_panel=PANEL_KAFKA, help="Consumer group.")]
# check's group reads no SPECBUILD_GROUP_ID: set for a follower, it would make a check join that group
# and read only the partitions it is assigned.
CheckGroupId = Annotated[str, typer.Option(
    "--group-id", "-g", rich_help_panel=PANEL_KAFKA, help="Consumer group.")]
FromBeginning = Annotated[bool, typer.Option(
    "--from-beginning", rich_help_panel=PANEL_KAFKA, help="Same as --offset-reset earliest.")]
OffsetReset = Annotated[OffsetStart | None, typer.Option(
    "--offset-reset", envvar="SPECBUILD_OFFSET_RESET", rich_help_panel=PANEL_KAFKA,
    help="Where a group without committed offsets starts (default earliest).")]
KafkaOption = Annotated[list[str] | None, typer.Option(
    "-X", rich_help_panel=PANEL_KAFKA, help="librdkafka property key=value, as kcat takes it (repeatable).")]
KafkaConfig = Annotated[Path | None, typer.Option(
    "--kafka-config", envvar="SPECBUILD_KAFKA_CONFIG", rich_help_panel=PANEL_KAFKA,
    help="A .properties file of librdkafka settings (SASL/SSL).")]
UntilEnd = Annotated[bool, typer.Option(
    "--until-end", rich_help_panel=PANEL_KAFKA, help="Stop once every assigned partition reaches its end.")]
MaxRecords = Annotated[int | None, typer.Option(
    "--max-records", rich_help_panel=PANEL_KAFKA, help="Stop after this many records.")]
IdleTimeout = Annotated[float | None, typer.Option(
    "--idle-timeout", rich_help_panel=PANEL_KAFKA, help="Stop after this many seconds with no new record.")]
# only a follower checkpoints and keeps bad records
CheckpointInterval = Annotated[float, typer.Option(
    "--checkpoint-interval", envvar="SPECBUILD_CHECKPOINT_INTERVAL", rich_help_panel=PANEL_KAFKA,
    help="Seconds between checkpoints (spec + state, then offsets).")]
DeadLetter = Annotated[Path | None, typer.Option(
    "--dead-letter", rich_help_panel=PANEL_KAFKA, help="Append bad records, raw, to this file.")]

# --- build: output --------------------------------------------------------------------------------------

SpecOutput = Annotated[str, typer.Option(
    "--output", "-o", envvar="SPECBUILD_OUTPUT", rich_help_panel=PANEL_OUTPUT,
    help="Output folder (gets openapi.json / openapi.yaml); '-' for stdout.")]
SpecFormatOption = Annotated[SpecFormat, typer.Option("--format", help="Output format.", rich_help_panel=PANEL_OUTPUT)]
StartSpec = Annotated[Path | None, typer.Option(
    "--spec", rich_help_panel=PANEL_OUTPUT,
    help="Start from this existing spec: what a person wrote there is kept, the traffic adds to it.")]
OpenAPI = Annotated[OpenAPIVersion, typer.Option(
    "--openapi", help="OpenAPI version to write.", rich_help_panel=PANEL_OUTPUT)]
Title = Annotated[str, typer.Option("--title", help="info.title", rich_help_panel=PANEL_OUTPUT)]
APIVersion = Annotated[str, typer.Option("--api-version", help="info.version", rich_help_panel=PANEL_OUTPUT)]
ServerURL = Annotated[str | None, typer.Option(
    "--server-url", rich_help_panel=PANEL_OUTPUT,
    help="servers[0].url (default: from the recorded protocol and host).")]
BasePath = Annotated[str | None, typer.Option(
    "--base-path", rich_help_panel=PANEL_OUTPUT,
    help="Move this path prefix (or 'auto': the prefix all paths share) into the server URL.")]
Examples = Annotated[bool, typer.Option(
    "--examples", rich_help_panel=PANEL_OUTPUT,
    help="Add one redacted example per body (the smallest seen; secrets and emails replaced).")]

# --- build: drift (--check) -----------------------------------------------------------------------------

CheckAgainst = Annotated[Path | None, typer.Option(
    "--check", rich_help_panel=PANEL_DRIFT,
    help="After learning, report how the learned spec differs from this committed one (did the API "
         "change?); exit 1 on drift at or above --fail-on.")]
CheckFailOn = Annotated[FailOn, typer.Option(
    "--fail-on", help="With --check: the severity that fails.", rich_help_panel=PANEL_DRIFT)]
CheckFormat = Annotated[Format, typer.Option(
    "--check-format", help="With --check: report format (to stdout).", rich_help_panel=PANEL_DRIFT)]

# --- build: learning ------------------------------------------------------------------------------------

PathTemplates = Annotated[list[str] | None, typer.Option(
    "--path-template", "-t", rich_help_panel=PANEL_LEARNING,
    help="Force a template and its parameter names, e.g. '/repos/{owner}/{repo}' (repeatable).")]
IncludeHeaders = Annotated[list[str] | None, typer.Option(
    "--include-header", rich_help_panel=PANEL_LEARNING,
    help="Glob of header names to document even if generic (repeatable).")]
ExcludeHeaders = Annotated[list[str] | None, typer.Option(
    "--exclude-header", rich_help_panel=PANEL_LEARNING, help="Glob of header names never to document (repeatable).")]
NoEnums = Annotated[bool, typer.Option("--no-enums", help="Never infer enums.", rich_help_panel=PANEL_LEARNING)]
LearnMaxBodyBytes = Annotated[int, typer.Option(
    "--max-body-bytes", min=0, rich_help_panel=PANEL_LEARNING,
    help="Bodies larger than this are not parsed (the operation and status are still learned).")]
FoldJobs = Annotated[int, typer.Option(
    "--jobs", "-j", min=0, envvar="SPECBUILD_JOBS", rich_help_panel=PANEL_LEARNING,
    help="Processes that fold: for a large plain file, and for a Kafka backlog (0: one per core).")]

# --- build: the run -------------------------------------------------------------------------------------

Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")]
Partial = Annotated[bool, typer.Option(
    "--partial", help="On Ctrl-C, write the spec learned so far (validated) instead of nothing; still exit 130.")]
ShowTraceback = Annotated[bool, typer.Option(
    "--traceback", callback=_remember_traceback, help="Show tracebacks of internal errors.")]

# --- check ----------------------------------------------------------------------------------------------

CommittedSpec = Annotated[Path, typer.Option("--spec", help="The committed OpenAPI 3 document (JSON or YAML).")]
ReportFormat = Annotated[Format, typer.Option("--format", "-f", help="Report format.", rich_help_panel=PANEL_REPORT)]
FindingFailOn = Annotated[FailOn, typer.Option(
    "--fail-on", help="Exit 1 when a finding is at or above this severity.", rich_help_panel=PANEL_REPORT)]
IgnoreFile = Annotated[Path | None, typer.Option(
    "--ignore", help="Accepted drift: 'METHOD /path kind  # reason' per line.", rich_help_panel=PANEL_REPORT)]
ReportOutput = Annotated[str, typer.Option(
    "--output", "-o", help="Write the report here ('-': stdout).", rich_help_panel=PANEL_REPORT)]
CheckJobs = Annotated[int | None, typer.Option(
    "--jobs", "-j", min=1,
    help="Worker processes checking records in parallel (default: one per core, up to 4, for files over 8 MB; "
         "else 1).")]
CheckMaxBodyBytes = Annotated[int, typer.Option(
    "--max-body-bytes", min=0, help="Bodies larger than this are not checked (counted).")]
CheckQuiet = Annotated[bool, typer.Option("--quiet", "-q", help="No warnings or summary on stderr.")]
