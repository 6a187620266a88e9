"""files: atomic writes, readable permissions, clear errors for unreadable specs."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from specbuild.errors import InputError
from specbuild.io.files import dumps, read_document, remove_stale_temps, write_atomic


def test_atomic_write_replaces_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "out" / "openapi.json"
    write_atomic(target, b"one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["openapi.json"]
    mode = stat.S_IMODE(target.stat().st_mode)
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask


def test_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "openapi.json"
    write_atomic(target, b"old")
    with pytest.raises(TypeError):
        write_atomic(target, object())  # type: ignore[arg-type]
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["openapi.json"]


def test_dumps_is_sorted_and_stable() -> None:
    assert dumps({"b": 1, "a": {"d": 2, "c": 3}}) == dumps({"a": {"c": 3, "d": 2}, "b": 1})
    assert dumps({"b": 1, "a": 2}, "yaml") == b"a: 2\nb: 1\n"


def test_read_document_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.json: no such file"):
        read_document(tmp_path / "nope.json")
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [1,\n")
    with pytest.raises(InputError, match=r"bad\.yaml: neither JSON nor YAML"):
        read_document(bad)
    good = tmp_path / "good.yaml"
    good.write_text("openapi: 3.0.3\n")
    assert read_document(good) == {"openapi": "3.0.3"}


def test_stale_temps_of_a_killed_write_are_removed_and_nothing_else(tmp_path: Path) -> None:
    stale = tmp_path / ".openapi.json.ab3_x9qz.tmp"      # what a kill in _write leaves
    stale.write_bytes(b"x" * 1000)
    keep = [tmp_path / ".openapi.json.tmp", tmp_path / "notes.ab3_x9qz.tmp", tmp_path / "openapi.json",
            tmp_path / ".openapi.json.ab3_x9qz.tmp.bak"]
    for p in keep:
        p.write_bytes(b"mine")
    fresh = tmp_path / ".openapi.json.zzzzzzzz.tmp"     # another run's write under way
    old = time.time() - 60
    for p in (stale, *keep):
        os.utime(p, (old, old))
    fresh.write_bytes(b"y")
    started = time.time() - 1
    os.utime(fresh, (started + 0.5, started + 0.5))
    assert remove_stale_temps(tmp_path, started) == [stale]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in (*keep, fresh))
    assert remove_stale_temps(tmp_path / "missing", started) == []
