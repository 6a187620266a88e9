"""console: what a person watching a run sees on stderr."""

from __future__ import annotations

import io

from specbuild.cli.console import Reporter, progress_line
from specbuild.run import Stats


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_rate_is_the_last_few_seconds_not_the_run_average() -> None:
    """A follow that read 1,000 records/s and then nothing for a minute showed half its old rate."""
    clock, out = Clock(), io.StringIO()
    stats = Stats(started=clock.now)
    reporter = Reporter(stream=out, live=False, log_every=10.0, clock=clock)
    for _ in range(80):  # 20 s at 1,000/s, reported every 0.25 s
        clock.now += 0.25
        stats.read += 250
        reporter.progress(stats)
    for _ in range(40):  # then 10 s of nothing
        clock.now += 0.25
        reporter.progress(stats)
    lines = out.getvalue().splitlines()
    assert lines == ["specbuild: 10,000 records, 1,000/s", "specbuild: 20,000 records, 1,000/s",
                     "specbuild: 20,000 records, 0/s"]


def test_a_file_of_known_size_shows_its_percent_and_eta_then_the_phase() -> None:
    stats = Stats(read=40_960, position=420)
    line = progress_line(stats, {"phase": "reading", "size": 1000, "note": "2 processes"}, 52_003.4, 10.0)
    assert line == "specbuild: reading 42%, ETA 0:58, 40,960 records, 52,003/s, 2 processes"
    assert progress_line(stats, {"size": 1000}, 0.0).startswith("specbuild: 42%, ETA -, 40,960 records, 0/s")
    assert progress_line(stats, {"phase": "validating", "size": 1000}, 9.0) == \
        "specbuild: validating, 40,960 records read"
    stdin = progress_line(stats, {"phase": "reading", "size": None}, 7.0)
    assert stdin == "specbuild: reading, 40,960 records, 7/s"
