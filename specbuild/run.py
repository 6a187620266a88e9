"""The loop: raw records -> decode -> builder.add; then render, validate and write. No printing.

Sources are plain iterables of ``(raw, origin)``; what to say to the user is passed in as callbacks
(``on_skip``, ``on_progress``), so the CLI, the Kafka follower and the tests share one loop.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from specbuild.builder import SpecBuilder
from specbuild.errors import RecordError
from specbuild.files import dumps, write_atomic
from specbuild.overlay import overlay
from specbuild.records import DEFAULT_MAX_BODY_BYTES, decode
from specbuild.spec import RenderOptions, render
from specbuild.validate import check_built_spec

Raw = tuple[bytes | str, str]
PROGRESS_EVERY = 2048  # records between clock reads: time.monotonic() per record would cost ~5%


@dataclass(slots=True)
class Stats:
    """What a run did; the summary is printed from this."""

    read: int = 0
    learned: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    too_large: int = 0
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None

    @property
    def seconds(self) -> float:
        return (self.finished or time.monotonic()) - self.started

    @property
    def rate(self) -> float:
        s = self.seconds
        return self.read / s if s > 0 else 0.0

    def merge(self, other: Stats) -> None:
        self.read += other.read
        self.learned += other.learned
        self.skipped.update(other.skipped)
        self.too_large += other.too_large


@dataclass(slots=True)
class Fold:
    """Feeds records into a builder, counting and reporting bad ones."""

    builder: SpecBuilder
    strict: bool = False
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    on_skip: Callable[[RecordError], None] | None = None
    on_progress: Callable[[Stats], None] | None = None
    stats: Stats = field(default_factory=Stats)

    def add(self, raw: bytes | str, origin: str) -> bool:
        """Fold one raw record; False when it was skipped (and counted)."""
        self.stats.read += 1
        try:
            ex = decode(raw, origin, max_body_bytes=self.max_body_bytes)
        except RecordError as err:
            self.skip(err)
            return False
        self.builder.add(ex)
        self.stats.learned += 1
        if ex.request_body.kind == "too-large" or ex.response_body.kind == "too-large":
            self.stats.too_large += 1
        return True

    def skip(self, err: RecordError) -> None:
        if self.strict:
            raise err
        self.stats.skipped[err.reason] += 1
        if self.on_skip is not None:
            self.on_skip(err)

    def feed(self, records: Iterable[Raw], should_stop: Callable[[], bool] | None = None) -> Stats:
        """Fold every record (until ``should_stop()`` says so, checked between records)."""
        add = self.add
        progress = self.on_progress
        n = 0
        for raw, origin in records:
            add(raw, origin)
            n += 1
            if n % PROGRESS_EVERY == 0:
                if progress is not None:
                    progress(self.stats)
                if should_stop is not None and should_stop():
                    break
            elif should_stop is not None and n % 64 == 0 and should_stop():
                break
        return self.stats


def build_document(builder: SpecBuilder, options: RenderOptions | None = None,
                   base: dict[str, Any] | None = None) -> dict[str, Any]:
    """Render, merge into an existing spec if given, and validate: what gets written."""
    doc = render(builder, options)
    if base is not None:
        doc = overlay(base, doc)
    check_built_spec(doc)
    return doc


def write_document(doc: dict[str, Any], output: str | Path, fmt: str = "json") -> Path | None:
    """Write ``doc`` into the folder ``output`` as openapi.json / openapi.yaml (``-``: stdout)."""
    if str(output) == "-":
        write_atomic("-", dumps(doc, fmt))
        return None
    target = Path(output) / ("openapi.yaml" if fmt == "yaml" else "openapi.json")
    write_atomic(target, dumps(doc, fmt))
    return target
