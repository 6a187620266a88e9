"""The options of a command grouped into what they set: built once from the flat parameter list typer
needs, then passed around whole (``build`` hands them on; ``check`` shares the Kafka ones)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from specbuild.cli.options import FailOn, Format, OffsetStart, OpenAPIVersion, Source, SpecFormat, StateKind
from specbuild.errors import UsageError
from specbuild.filters import RecordFilter
from specbuild.http import HeaderPolicy
from specbuild.learn.builder import SpecBuilder
from specbuild.learn.paths.templates import Hint
from specbuild.learn.render import RenderOptions
from specbuild.records import epoch_seconds
from specbuild.run import spec_file_name

if TYPE_CHECKING:  # Kafka is imported only when used: confluent_kafka loads librdkafka
    from specbuild.kafka.client import Connection, StartFrom, StopAt
    from specbuild.kafka.follow import FollowSettings, Limits

DEFAULT_TOPIC = "http_recordings"


@dataclass(frozen=True, slots=True)
class Learning:
    """How records are folded: forced templates, header policy, body cap, strictness, processes."""

    templates: tuple[str, ...]
    headers: HeaderPolicy
    max_body_bytes: int
    strict: bool
    jobs: int  # 0: one per core
    keep: RecordFilter | None = None  # --include-path, --exclude-path, --host, --method

    def builder(self, base: dict[str, Any] | None, *, examples: bool,
                note: Callable[[str], None]) -> SpecBuilder:
        """A builder that also keeps the paths of the spec it starts from (``--spec``) as templates.

        A spec path that is no template of whole segments, or of a parameter and an extension after it
        (``/reports/{id}.csv``), such as ``/compare/{base}...{head}`` (valid OpenAPI),
        stays in the spec as written; only the traffic is templated without it, and ``note`` says so.
        """
        hints = list(self.templates)
        for path in base.get("paths", {}) if base is not None else ():
            try:
                Hint.parse(path)
            except UsageError as exc:
                note(f"note: --spec {exc}: the path is kept, but not used to template the traffic")
                continue
            hints.append(path)
        return SpecBuilder(hints=hints, headers=self.headers, examples=examples)


@dataclass(frozen=True, slots=True)
class Output:
    """Where the learned spec goes, in what format, what it starts from and how it is rendered."""

    target: str  # a folder, or '-' for stdout
    fmt: str  # json | yaml
    start: Path | None
    render: RenderOptions

    @property
    def file_name(self) -> str:
        return spec_file_name(self.fmt)


@dataclass(frozen=True, slots=True)
class DriftCheck:
    """``build --check``: the committed spec to compare the learned one with, and how to report."""

    committed: Path | None
    fail_on: str
    fmt: str
    ignore: Path | None = None  # accepted changes, as diff --ignore reads them


def record_source(source: Source | None, input_: str | None, stdin_piped: bool) -> tuple[Source, str | None]:
    """Where records come from when not said: ``-i`` is a file; a pipe or file on stdin is that file
    (``cat rec.jsonl | specbuild -o x``); else the Kafka topic. Returns the source and the input."""
    if source is Source.kafka and input_ is not None:
        raise UsageError("-i/--input is for --source file; the Kafka source reads --topic")
    if source is not None:
        return source, input_
    if input_ is not None:
        return Source.file, input_
    return (Source.file, "-") if stdin_piped else (Source.kafka, None)


def file_input(input_: str | None, command: str = "", *, broker_options: bool = False) -> str:
    """The ``-i`` of ``--source file``: given, and with no option only a broker reads."""
    if input_ is None:
        raise UsageError(f"{command}--source file needs -i FILE (or '-' for stdin)")
    if broker_options:
        raise UsageError("-X and --kafka-config are for --source kafka; a file build reads no broker")
    return input_


def kafka_input(input_: str | None) -> None:
    """``--source kafka`` takes no ``-i``."""
    if input_ is not None:
        raise UsageError("-i/--input is for --source file; the Kafka source reads --topic")


def stdin_piped() -> bool:
    """Whether stdin is a pipe or a regular file (a terminal, /dev/null or no stdin at all is not)."""
    import os
    import stat
    import sys

    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
    except (AttributeError, OSError, ValueError):
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISREG(mode)


def learning_settings(templates: list[str] | None, include: list[str] | None, exclude: list[str] | None,
                      max_body_bytes: int, strict: bool, jobs: int, keep: RecordFilter | None = None) -> Learning:
    headers = HeaderPolicy(include=tuple(include or ()), exclude=tuple(exclude or ()))
    return Learning(tuple(templates or ()), headers, max_body_bytes, strict, jobs, keep)


def record_filter(include_path: list[str] | None, exclude_path: list[str] | None, hosts: list[str] | None,
                  methods: list[str] | None) -> RecordFilter | None:
    """The filters of ``--include-path``, ``--exclude-path``, ``--host`` and ``--method`` (None: none given)."""
    return RecordFilter.of(include_path or (), exclude_path or (), hosts or (), methods or ())


def output_settings(target: str, fmt: SpecFormat, start: Path | None, openapi: OpenAPIVersion, title: str,
                    api_version: str, server_url: str | None, base_path: str | None, *, examples: bool,
                    enums: bool, evidence: bool = True, file_paths: bool = False) -> Output:
    render = RenderOptions(openapi=openapi.value, title=title, api_version=api_version, server_url=server_url,
                           base_path=base_path, enums=enums, examples=examples, evidence=evidence,
                           file_paths=file_paths)
    return Output(target, fmt.value, start, render)


def drift_check(committed: Path | None, fail_on: FailOn | None, fmt: Format | None,
                ignore: Path | None = None) -> DriftCheck:
    """``--check`` and its options; those alone are refused: without a committed spec nothing fails (a build
    given ``--fail-on warning`` as a gate exited 0 whatever the traffic)."""
    if committed is None:
        given = [name for name, value in (("--fail-on", fail_on), ("--check-format", fmt), ("--ignore", ignore))
                 if value is not None]
        if given:
            raise UsageError(f"{given[0]} is for --check: the diff of the learned spec to a committed one",
                             hint="e.g. specbuild -i rec.jsonl -o out --check openapi.json --fail-on warning")
    return DriftCheck(committed, (fail_on or FailOn.breaking).value, (fmt or Format.text).value, ignore)


def kafka_connection(bootstrap_servers: str, topics: list[str] | None, group_id: str, from_beginning: bool,
                     offset_reset: OffsetStart | None, overrides: list[str] | None, config_file: Path | None,
                     start_offset: str | None = None, start_time: str | None = None,
                     partitions: list[int] | None = None) -> Connection:
    """The Kafka options ``build`` and ``check`` share (``--from-beginning`` is ``--offset-reset earliest``)."""
    from specbuild.kafka.client import Connection, topic_pattern

    refuse_template_topics(topics)
    for topic in topics or ():
        if topic.startswith("^"):
            topic_pattern(topic)  # a bad pattern is said before any broker is asked
    reset = OffsetStart.earliest if from_beginning else (offset_reset or OffsetStart.earliest)
    return Connection(bootstrap_servers=bootstrap_servers, topics=tuple(topics or (DEFAULT_TOPIC,)),
                      group_id=group_id, offset_reset=reset.value, overrides=tuple(overrides or ()),
                      config_file=config_file, start=start_from(start_offset, start_time),
                      partitions=tuple(sorted(set(partitions or ()))),
                      asked_start=start_option(from_beginning, start_offset, start_time))


def start_from(start_offset: str | None, start_time: str | None) -> StartFrom | None:
    """``--start-offset beginning|end|N|-N`` or ``--start-time ISO|epoch-ms`` (one of them)."""
    from specbuild.kafka.client import StartFrom

    if start_offset is not None and start_time is not None:
        raise UsageError("--start-offset and --start-time both say where to start: give one")
    if start_time is not None:
        return StartFrom("time", _epoch_ms(start_time))
    if start_offset is None:
        return None
    word = start_offset.strip().lower()
    if word in ("beginning", "earliest", "end", "latest"):
        return StartFrom("beginning" if word in ("beginning", "earliest") else "end")
    try:
        offset = int(word)
    except ValueError:
        raise UsageError(f"--start-offset {start_offset!r}: expected beginning, end, an offset N or -N",
                         hint="-N starts N records before the end; --start-time takes a time") from None
    if abs(offset) >= 1 << 63:
        raise UsageError(f"--start-offset {start_offset}: no Kafka offset is that large")
    return StartFrom("offset", offset) if offset >= 0 else StartFrom("tail", -offset)


def _epoch_ms(text: str) -> int:
    """An ISO 8601 time (UTC when it names no zone) or epoch milliseconds, as epoch milliseconds."""
    if text.strip().isdigit():
        if int(text) >= 1 << 63:
            raise UsageError(f"--start-time {text}: not a time Kafka can hold (epoch milliseconds)")
        return int(text)
    seconds = epoch_seconds(text.strip())
    if seconds is None:
        raise UsageError(f"--start-time {text!r}: expected an ISO 8601 time or epoch milliseconds",
                         hint="e.g. --start-time 2026-12-03T10:00:00Z or --start-time 1764756000000")
    return max(0, int(seconds * 1000))  # Kafka reads a negative time as "latest"/"earliest"


def start_option(from_beginning: bool, start_offset: str | None, start_time: str | None) -> str:
    """The option that asked where a follow starts ("" if none): with a saved state it would not apply."""
    if start_offset is not None:
        return f"--start-offset {start_offset}"
    if start_time is not None:
        return f"--start-time {start_time}"
    return "--from-beginning" if from_beginning else ""


def refuse_kafka_only(kafka_only: Mapping[str, object], topics: list[str] | None) -> None:
    """Kafka options given to a file build or check mean nothing there: refused, named (an env-settable
    one, like SPECBUILD_GROUP_ID, is left out: a service's environment sets it for every run)."""
    refuse_template_topics(topics)
    given = [name for name, value in kafka_only.items() if value is not None and value is not False and
             value != []]
    if given:
        raise UsageError(f"{', '.join(given)} {'is' if len(given) == 1 else 'are'} for --source kafka; a file "
                         "is read to its end and no broker is involved",
                         hint="leave it out, or read a topic with -t TOPIC (--source kafka)")


def refuse_template_topics(topics: list[str] | None) -> None:
    """``-t /repos/{owner}`` was a path template before -t became the topic (as in kcat): say so, never
    subscribe to a topic named like a path (a Kafka topic name has no '/' or '{')."""
    for topic in topics or ():
        if topic.startswith("/") or "{" in topic:
            raise UsageError(f"-t/--topic {topic!r} looks like a path template: -t is the Kafka topic (as in kcat)",
                             hint=f"force a template with --path-template '{topic}'")


def check_stop(until_end: bool, max_records: int | None, idle_timeout: float | None) -> StopAt:
    """When ``check`` stops reading a topic: at its end, unless another stop is given."""
    from specbuild.kafka.client import StopAt

    return StopAt(until_end or (max_records is None and idle_timeout is None), max_records, idle_timeout)


def follow_limits(until_end: bool, max_records: int | None, idle_timeout: float | None,
                  checkpoint_interval: float, render_interval: float = 120.0) -> Limits:
    from specbuild.kafka.follow import Limits

    return Limits(until_end=until_end, max_records=max_records, idle_timeout=idle_timeout,
                  checkpoint_interval=checkpoint_interval, render_interval=render_interval)


def follow_settings(connection: Connection, limits: Limits, dead_letter: Path | None, learning: Learning,
                    output: Output, quiet: bool, reset_state: bool = False,
                    state: tuple[str, str] = ("local", "")) -> FollowSettings:
    from specbuild.kafka.follow import FollowSettings

    return FollowSettings(connection=connection, limits=limits, dead_letter=dead_letter, output=output.target,
                          fmt=output.fmt, strict=learning.strict, max_body_bytes=learning.max_body_bytes,
                          quiet=quiet, jobs=learning.jobs, reset_state=reset_state, keep=learning.keep,
                          state=state[0], state_topic=state[1])


def state_store(state: StateKind | None, state_topic: str | None, output: str, reset_state: bool) -> tuple[str, str]:
    """``--state`` and ``--state-topic``: (local|kafka, topic). Local stays the default: a follower that saved
    its state in its folder goes on from it, and a state topic needs a broker with transactions."""
    kind = state or (StateKind.kafka if state_topic else StateKind.local)
    if kind is StateKind.local:
        if state_topic:
            raise UsageError("--state-topic is for --state kafka", hint="leave out --state local")
        return "local", ""
    if output == "-":
        raise UsageError("--state kafka needs -o DIR: every member writes the group's spec into its folder")
    if reset_state:
        raise UsageError("--reset-state forgets a local state; the group's states are in its state topic",
                         hint="start over with a new --group-id (its own state topic), or delete the state topic")
    return "kafka", state_topic or ""
