"""scripts/real/measure.py, the real-traffic sets' measure: the parts that need no server nor devset."""

from __future__ import annotations

import gzip
import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def _measure() -> ModuleType:
    spec = importlib.util.spec_from_file_location("measure", ROOT / "scripts" / "real" / "measure.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


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
