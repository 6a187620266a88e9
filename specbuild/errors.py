"""The errors specbuild raises on purpose.

    SpecbuildError            exit 2 unless said otherwise; the CLI prints "Error: <message>"
    ├── UsageError            a bad option or combination of options
    ├── InputError            an input file or spec that cannot be read at all
    ├── RecordError           one record that is not usable HTTP Types; carries its origin
    ├── SourceError           a source (file, Kafka) that cannot be opened or read
    ├── OutputError           an output that cannot be written (folder missing rights, disk full)
    └── InvalidSpecError      a spec we produced failed validation: a bug in specbuild, exit 3

Anything else that escapes is a bug and is shown as such (with --traceback for the details).
"""

from __future__ import annotations


def plural(n: int, noun: str) -> str:
    """``1 record``, ``2 records``, ``12,000 records``: every count a message gives."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


class SpecbuildError(Exception):
    """Base of every error a user can cause; ``exit_code`` is what the CLI exits with."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if self.hint is None else f"{self.message}\n  hint: {self.hint}"


class UsageError(SpecbuildError):
    """A bad option or combination of options."""


class InputError(SpecbuildError):
    """An input (recordings file, existing spec, config file) that cannot be used."""


class SourceError(SpecbuildError):
    """A source of records that cannot be opened or read (missing file, unreachable broker)."""


class OutputError(SpecbuildError):
    """An output (the spec, a report, a checkpoint) that cannot be written."""


class RecordError(SpecbuildError):
    """One record that is not usable HTTP Types.

    ``reason`` is a short stable key used for counting (``not-json``, ``no-response`` ...);
    ``origin`` says where the record came from (``rec.jsonl:42``, ``http_recordings[2]@1187``).
    """

    def __init__(self, reason: str, detail: str, origin: str = "") -> None:
        self.reason = reason
        self.detail = detail
        self.origin = origin
        super().__init__(f"{origin}: {detail}" if origin else detail)

    def __reduce__(self) -> tuple[type[RecordError], tuple[str, str, str]]:
        # pickled across processes by the sharded replay; Exception's default would lose the fields
        return (RecordError, (self.reason, self.detail, self.origin))

    def located(self, origin: str) -> RecordError:
        return RecordError(self.reason, self.detail, origin)


class InvalidSpecError(SpecbuildError):
    """The document we built does not pass openapi-spec-validator: a bug in specbuild."""

    exit_code = 3
