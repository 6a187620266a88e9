"""The options of a command grouped into what they set: built once from the flat parameter list typer
needs, then passed around whole (``build`` hands them on; ``check`` shares the Kafka ones)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from specbuild.cli.options import FailOn, Format, OffsetStart, OpenAPIVersion, Source, SpecFormat
from specbuild.errors import UsageError
from specbuild.filters import RecordFilter
from specbuild.http import HeaderPolicy
from specbuild.learn.builder import SpecBuilder
from specbuild.learn.paths.templates import Hint
from specbuild.learn.render import RenderOptions

if TYPE_CHECKING:  # Kafka is imported only when used: confluent_kafka loads librdkafka
    from specbuild.kafka.client import Connection, StopAt
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

        A spec path that is no template of whole segments (``/compare/{base}...{head}``, valid OpenAPI)
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
        return "openapi.yaml" if self.fmt == SpecFormat.yaml.value else "openapi.json"


@dataclass(frozen=True, slots=True)
class DriftCheck:
    """``build --check``: the committed spec to compare the learned one with, and how to report."""

    committed: Path | None
    fail_on: str
    fmt: str


def record_source(source: Source | None, input_: str | None, stdin_piped: bool) -> tuple[Source, str | None]:
    """Where records come from when not said: ``-i`` is a file; a pipe or file on stdin is that file
    (``cat rec.jsonl | specbuild -o x``); else the Kafka topic. Returns the source and the input."""
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
                    enums: bool) -> Output:
    render = RenderOptions(openapi=openapi.value, title=title, api_version=api_version, server_url=server_url,
                           base_path=base_path, enums=enums, examples=examples)
    return Output(target, fmt.value, start, render)


def drift_check(committed: Path | None, fail_on: FailOn, fmt: Format) -> DriftCheck:
    return DriftCheck(committed, fail_on.value, fmt.value)


def kafka_connection(bootstrap_servers: str, topics: list[str] | None, group_id: str, from_beginning: bool,
                     offset_reset: OffsetStart | None, overrides: list[str] | None,
                     config_file: Path | None) -> Connection:
    """The Kafka options ``build`` and ``check`` share (``--from-beginning`` is ``--offset-reset earliest``)."""
    from specbuild.kafka.client import Connection

    start = OffsetStart.earliest if from_beginning else (offset_reset or OffsetStart.earliest)
    return Connection(bootstrap_servers=bootstrap_servers, topics=tuple(topics or (DEFAULT_TOPIC,)),
                      group_id=group_id, offset_reset=start.value, overrides=tuple(overrides or ()),
                      config_file=config_file)


def check_stop(until_end: bool, max_records: int | None, idle_timeout: float | None) -> StopAt:
    """When ``check`` stops reading a topic: at its end, unless another stop is given."""
    from specbuild.kafka.client import StopAt

    return StopAt(until_end or (max_records is None and idle_timeout is None), max_records, idle_timeout)


def follow_limits(until_end: bool, max_records: int | None, idle_timeout: float | None,
                  checkpoint_interval: float) -> Limits:
    from specbuild.kafka.follow import Limits

    return Limits(until_end=until_end, max_records=max_records, idle_timeout=idle_timeout,
                  checkpoint_interval=checkpoint_interval)


def follow_settings(connection: Connection, limits: Limits, dead_letter: Path | None, learning: Learning,
                    output: Output, quiet: bool) -> FollowSettings:
    from specbuild.kafka.follow import FollowSettings

    return FollowSettings(connection=connection, limits=limits, dead_letter=dead_letter, output=output.target,
                          fmt=output.fmt, strict=learning.strict, max_body_bytes=learning.max_body_bytes,
                          quiet=quiet, jobs=learning.jobs, keep=learning.keep)
