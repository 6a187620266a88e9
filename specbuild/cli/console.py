"""What the user sees on stderr: warnings, a live progress line on a TTY, the end-of-run summary.

The only rich importer. In a pipe (CI, logs) there is no live line, only warnings and the summary,
plus a periodic plain progress line when asked for (long-running Kafka follows).
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from rich.console import Console
from rich.live import Live
from rich.text import Text

from specbuild.errors import RecordError
from specbuild.run import Stats

MAX_WARNINGS = 20


class Reporter:
    """Prints warnings (the first few individually), progress and the summary to stderr."""

    def __init__(self, *, quiet: bool = False, stream: TextIO | None = None,
                 live: bool | None = None, log_every: float = 0.0) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.console = Console(file=self.stream, stderr=stream is None, highlight=False)
        tty = self.stream.isatty() if live is None else live
        self.live: Live | None = None
        if tty and not quiet:
            self.live = Live(Text(""), console=self.console, transient=True, refresh_per_second=4)
        self.warned = 0
        self.log_every = log_every
        self._last_log = time.monotonic()
        self.extra: dict[str, Any] = {}

    def __enter__(self) -> Reporter:
        if self.live is not None:
            self.live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live is not None:
            self.live.stop()

    def warn(self, err: RecordError) -> None:
        self.warned += 1
        if self.quiet:
            return
        if self.warned <= MAX_WARNINGS:
            self.print(f"warning: {err}")
        elif self.warned == MAX_WARNINGS + 1:
            self.print("warning: further bad records are not shown one by one; the summary counts them")

    def note(self, message: str) -> None:
        if not self.quiet:
            self.print(message)

    def print(self, message: str) -> None:
        if self.live is not None:
            self.live.console.print(Text(message), highlight=False)
        else:
            print(message, file=self.stream, flush=True)

    def progress(self, stats: Stats, **extra: Any) -> None:
        self.extra.update(extra)
        line = progress_line(stats, self.extra)
        if self.live is not None:
            self.live.update(Text(line))
        elif self.log_every and not self.quiet:
            now = time.monotonic()
            if now - self._last_log >= self.log_every:
                self._last_log = now
                print(line, file=self.stream, flush=True)

    def summary(self, stats: Stats, *, paths: int, operations: int, target: str | None) -> None:
        if self.live is not None:  # the live line goes away before the summary is printed
            self.live.stop()
            self.live = None
        if self.quiet:
            return
        for line in summary_lines(stats, paths=paths, operations=operations, target=target):
            self.print(line)


def progress_line(stats: Stats, extra: dict[str, Any]) -> str:
    parts = [f"{stats.read:,} records", f"{stats.rate:,.0f}/s"]
    for key in ("lag", "paths", "operations", "note"):
        if key in extra and extra[key] is not None:
            value = extra[key]
            parts.append(f"{key} {value:,}" if isinstance(value, int) else str(value))
    skipped = sum(stats.skipped.values())
    if skipped:
        parts.append(f"{skipped:,} skipped")
    return "specbuild: " + ", ".join(parts)


def summary_lines(stats: Stats, *, paths: int, operations: int, target: str | None) -> list[str]:
    skipped = sum(stats.skipped.values())
    filtered = f", {stats.filtered:,} filtered out" if stats.filtered else ""
    head = f"specbuild: {stats.read:,} records read, {stats.learned:,} learned{filtered}, {skipped:,} skipped"
    if skipped:
        head += " (" + ", ".join(f"{r}: {n:,}" for r, n in sorted(stats.skipped.items())) + ")"
    lines = [head]
    if stats.too_large:
        lines.append(f"specbuild: {stats.too_large:,} records had a body over --max-body-bytes "
                     "(operation and status learned, body not parsed)")
    where = f" -> {target}" if target else ""
    lines.append(f"specbuild: {paths:,} paths, {operations:,} operations in {stats.seconds:.2f} s "
                 f"({stats.rate:,.0f} records/s){where}")
    return lines
