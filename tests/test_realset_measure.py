"""scripts/real/measure.py, the real-traffic sets' measure: the parts that need no server nor devset."""

from __future__ import annotations

import gzip
from pathlib import Path
from types import ModuleType

from tests.helpers import load_script


def _measure() -> ModuleType:
    return load_script("scripts/real/measure.py")


def test_gunzip_keeps_same_named_samples_of_two_folders_apart(tmp_path: Path) -> None:
    # A set and its -swap folder both hold moto-a.jsonl.gz: one quality.py run over both must judge
    # each folder on its own samples.
    measure = _measure()
    work = tmp_path / "work"
    work.mkdir()
    unpacked = []
    for folder, text in (("set", "first\n"), ("set-swap", "second\n")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "moto-a.jsonl.gz").write_bytes(gzip.compress(text.encode()))
        unpacked.append(measure.gunzip(tmp_path / folder / "moto-a.jsonl.gz", work))
    assert [p.read_text() for p in unpacked] == ["first\n", "second\n"]
    assert unpacked[0].name.endswith("moto-a.jsonl")
