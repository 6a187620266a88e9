"""run: the fold loop, and sharded replay that must equal the plain one byte for byte."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from specbuild import parallel
from specbuild.errors import RecordError
from specbuild.io.files import dumps
from specbuild.io.jsonl import iter_lines
from specbuild.learn.builder import SpecBuilder
from specbuild.run import Fold, build_document, feed_sharded, plan_shards
from tests.helpers import FIXTURES


def sequential(path: Path) -> tuple[bytes, list[str], Fold]:
    seen: list[str] = []
    fold = Fold(SpecBuilder(), on_skip=lambda e: seen.append(str(e)))
    fold.feed(iter_lines(str(path)))
    return dumps(build_document(fold.builder)), seen, fold


def sharded(path: Path, jobs: int) -> tuple[bytes, list[str], Fold]:
    seen: list[str] = []
    fold = Fold(SpecBuilder(), on_skip=lambda e: seen.append(str(e)))
    shards = plan_shards(str(path), jobs, min_bytes=0)
    assert len(shards) == jobs
    feed_sharded(fold, shards)
    return dumps(build_document(fold.builder)), seen, fold


@pytest.mark.parametrize("method", ["fork", "spawn"])
@pytest.mark.parametrize("name", ["users.jsonl", "messy.jsonl"])
def test_sharded_replay_equals_sequential(name: str, method: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers forked (Linux, no other thread) or spawned (elsewhere, or with rich's live line running)."""
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} start method here")
    monkeypatch.setattr(parallel, "start_method", lambda: method)
    doc, warnings, fold = sequential(FIXTURES / name)
    doc3, warnings3, fold3 = sharded(FIXTURES / name, 3)
    assert doc3 == doc
    assert warnings3 == warnings  # same messages, same file:line, same order
    assert fold3.stats.skipped == fold.stats.skipped and fold3.stats.read == fold.stats.read


def test_sharded_strict_raises_the_first_bad_line() -> None:
    fold = Fold(SpecBuilder(), strict=True)
    with pytest.raises(RecordError) as info:
        feed_sharded(fold, plan_shards(str(FIXTURES / "messy.jsonl"), 2, min_bytes=0))
    assert info.value.origin == "messy.jsonl:11"


def test_no_shards_for_small_gzip_or_stdin(tmp_path: Path) -> None:
    assert plan_shards(str(FIXTURES / "users.jsonl"), 4) == []   # under the size threshold
    assert plan_shards("-", 4, min_bytes=0) == []
    gz = tmp_path / "x.jsonl"
    gz.write_bytes(b"\x1f\x8b" + b"0" * 100)
    assert plan_shards(str(gz), 4, min_bytes=0) == []


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_sharded_replay_skips_a_byte_order_mark_like_the_plain_reader(
        tmp_path: Path, method: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shard reader re-read the file without the BOM rule: ``not-json`` at line 1 of a large file."""
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} start method here")
    monkeypatch.setattr(parallel, "start_method", lambda: method)
    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(b"\xef\xbb\xbf" + (FIXTURES / "users.jsonl").read_bytes())
    doc, warnings, fold = sequential(bom)
    doc3, warnings3, fold3 = sharded(bom, 3)
    assert warnings == [] and fold.stats.read == fold.stats.learned == 144
    assert warnings3 == [] and not fold3.stats.skipped
    assert fold3.stats.read == fold3.stats.learned == 144
    assert doc3 == doc


def test_feed_stops_when_asked() -> None:
    fold = Fold(SpecBuilder())
    lines = list(iter_lines(str(FIXTURES / "users.jsonl")))
    fold.feed(lines, should_stop=lambda: True)
    assert fold.stats.read == 64
