"""What the user sees on stderr: warnings, a live progress line on a TTY, the end-of-run summary.

The only rich importer. In a pipe (CI, logs) there is no live line, only warnings and the summary,
plus a periodic plain progress line when asked for (long-running Kafka follows).

The live line says the phase (reading, rendering, validating, writing), the records read, the rate over
the last few seconds (not since the start: a stall shows at once) and, for a file of known size, how much
of it is read and when the reading should end.
"""

from __future__ import annotations

import sys
import time
from collections import deque
from collections.abc import Callable
from typing import Any, TextIO

from rich.console import Console
from rich.live import Live
from rich.text import Text

from specbuild.errors import RecordError, plural
from specbuild.run import Stats

MAX_WARNINGS = 20
REDRAW_EVERY = 0.25  # seconds between redraws of the live line
WINDOW = 5.0         # seconds the rate and the ETA are measured over


class Reporter:
    """Prints warnings (the first few individually), progress and the summary to stderr."""

    def __init__(self, *, quiet: bool = False, stream: TextIO | None = None,
                 live: bool | None = None, log_every: float = 0.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.console = Console(file=self.stream, stderr=stream is None, highlight=False)
        tty = self.stream.isatty() if live is None else live
        self.live: Live | None = None
        if tty and not quiet:
            # redrawn by progress() and phase(), not by rich's refresh thread: a process with a second
            # thread cannot fork its workers (parallel.start_method), and would spawn them, slower
            self.live = Live(Text(""), console=self.console, transient=True, auto_refresh=False)
        self.warned = 0
        self.log_every = log_every
        self.clock = clock
        self._last_log = self._drawn = clock()
        self.extra: dict[str, Any] = {}
        self._stats = Stats(started=self._drawn)
        self._seen: deque[tuple[float, int, int]] = deque([(self._stats.started, 0, 0)])  # see _sample

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
        """How far the run is (``extra``: ``size`` of the input in bytes, ``note``, Kafka's ``lag``...;
        ``detail``: a function of more of them, called only when a line is shown)."""
        self.extra.update(extra)
        self._stats = stats
        now = self.clock()
        if now - self._seen[-1][0] >= REDRAW_EVERY:
            self._sample(now)
        if self.live is not None:
            if now - self._drawn >= REDRAW_EVERY or extra:
                self._draw(now)
        elif self.log_every and not self.quiet and now - self._last_log >= self.log_every:
            self._last_log = now
            print(self._line(now), file=self.stream, flush=True)

    def phase(self, name: str) -> None:
        """The run moves on to ``name`` (reading, rendering, validating, writing)."""
        self.extra["phase"] = name
        if self.live is not None:
            self._draw(self.clock())

    def _draw(self, now: float) -> None:
        assert self.live is not None
        self._drawn = now
        self.live.update(Text(self._line(now), no_wrap=True, overflow="ellipsis"), refresh=True)

    def _sample(self, now: float) -> None:
        """Remember how far the run was ``now``; forget all but one sample older than WINDOW."""
        seen = self._seen
        seen.append((now, self._stats.read, self._stats.position))
        while len(seen) > 2 and seen[1][0] <= now - WINDOW:
            seen.popleft()

    def _line(self, now: float) -> str:
        stats = self._stats
        self._sample(now)
        since, records, position = self._seen[0]
        spent = now - since
        rate = (stats.read - records) / spent if spent > 0 else 0.0
        bytes_rate = (stats.position - position) / spent if spent > 0 else 0.0
        detail = self.extra.get("detail")
        return progress_line(stats, {**self.extra, **detail()} if detail else self.extra, rate, bytes_rate)

    def summary(self, stats: Stats, *, paths: int, operations: int, target: str | None) -> None:
        if self.live is not None:  # the live line goes away before the summary is printed
            self.live.stop()
            self.live = None
        if self.quiet:
            return
        for line in summary_lines(stats, paths=paths, operations=operations, target=target):
            self.print(line)


def progress_line(stats: Stats, extra: dict[str, Any], rate: float, bytes_rate: float = 0.0) -> str:
    """``specbuild: reading 42%, ETA 0:07, 40,960 records, 52,003/s, ...`` (``rate``: records/s lately)."""
    phase, size = extra.get("phase"), extra.get("size")
    if phase not in (None, "reading"):  # the records are all read: what is left is the phase
        return f"specbuild: {phase}, {plural(stats.read, 'record')} read"
    parts = [plural(stats.read, "record"), f"{rate:,.0f}/s"]
    if size:
        left = f"ETA {_clock((size - stats.position) / bytes_rate)}" if bytes_rate > 0 else "ETA -"
        parts[:0] = [f"{'reading ' if phase else ''}{min(stats.position / size, 1.0):.0%}", left]
    elif phase:
        parts.insert(0, phase)
    for key in ("lag", "paths", "operations", "note"):
        if key in extra and extra[key] is not None:
            value = extra[key]
            parts.append(f"{key} {value:,}" if isinstance(value, int) else str(value))
    skipped = sum(stats.skipped.values())
    if skipped:
        parts.append(f"{skipped:,} skipped")
    return "specbuild: " + ", ".join(parts)


def _clock(seconds: float) -> str:
    """``0:07``, ``12:30``, ``1:02:03``."""
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def summary_lines(stats: Stats, *, paths: int, operations: int, target: str | None) -> list[str]:
    skipped = sum(stats.skipped.values())
    filtered = f", {stats.filtered:,} filtered out" if stats.filtered else ""
    head = f"specbuild: {plural(stats.read, 'record')} read, {stats.learned:,} learned{filtered}, {skipped:,} skipped"
    if skipped:
        head += " (" + ", ".join(f"{r}: {n:,}" for r, n in sorted(stats.skipped.items())) + ")"
    lines = [head]
    if stats.too_large:
        first = "" if stats.first_too_large is None else "; the first: " + ": ".join(stats.first_too_large)
        lines.append(f"specbuild: {plural(stats.too_large, 'record')} had a body over --max-body-bytes or cut by its "
                     f"recorder (operation and status learned, body not parsed){first}")
    if stats.malformed and stats.first_malformed is not None:
        first = ": ".join(stats.first_malformed)
        lines.append(f"specbuild: {plural(stats.malformed, 'record')} had a body that could not be read as its "
                     f"declared type (operation and status learned, body left out); the first: {first}")
    where = f" -> {target}" if target else ""
    lines.append(f"specbuild: {plural(paths, 'path')}, {plural(operations, 'operation')} in {stats.seconds:.2f} s "
                 f"({stats.rate:,.0f} records/s){where}")
    return lines
