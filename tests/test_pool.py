"""Folding here or in a pool of processes: the same spec either way, bad records reported here."""

from __future__ import annotations

import json
import os
import signal
import stat
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from specbuild import parallel
from specbuild.errors import RecordError
from specbuild.filters import RecordFilter
from specbuild.http import HeaderPolicy
from specbuild.io.files import dumps
from specbuild.kafka.checkpoint import STATE_NAME
from specbuild.kafka.pool import BATCH, ENCODER, LocalFolder, PoolFolder, ScalingFolder
from specbuild.learn import state as codec
from specbuild.learn.builder import SpecBuilder
from specbuild.learn.render import RenderOptions
from specbuild.run import PARTS, Fold, build_document
from tests.helpers import FIXTURES, record

USERS = [ln for ln in (FIXTURES / "users.jsonl").read_bytes().splitlines() if ln.strip()]


def file_replay(values: Iterable[bytes | None]) -> bytes:
    builder = SpecBuilder()
    Fold(builder).feed((v, f"x:{i}") for i, v in enumerate(values) if v is not None)
    return dumps(build_document(builder))


def test_a_pool_of_processes_learns_the_same_spec_and_reports_bad_records(tmp_path: Path) -> None:
    warned: list[RecordError] = []
    bad: list[tuple[bytes | None, str]] = []

    class Dead:
        def write(self, raw: bytes | None, err: RecordError) -> None:
            bad.append((raw, err.reason))

    pool = PoolFolder(SpecBuilder(), 2, strict=False, max_body_bytes=4 << 20, on_skip=warned.append,
                      bad=Dead())
    try:
        records: list[tuple[bytes | None, str]] = [(v, f"t[0]@{i}") for i, v in enumerate(USERS)]
        records[5:5] = [(b"nope", "t[1]@0"), (None, "t[1]@1")]
        for i in range(0, len(records), 10):
            pool.add(records[i:i + 10])
        builder = pool.sync()
        assert dumps(build_document(builder)) == file_replay(USERS)
        stats = pool.stats
        assert (stats.read, stats.learned, dict(stats.skipped)) == (146, 144, {"not-json": 1, "tombstone": 1})
        assert sorted(w.origin for w in warned) == ["t[1]@0", "t[1]@1"]
        assert sorted(bad, key=str) == [(None, "tombstone"), (b"nope", "not-json")]
        pool.add(records[:3])      # after a sync the workers start from empty deltas: nothing doubles
        assert pool.sync().exchanges == 147
    finally:
        pool.close()


def test_after_the_last_sync_the_workers_are_gone_and_nothing_is_lost() -> None:
    """At stop the workers hand over and exit while the spec is rendered; one slow to answer is no error."""
    pool = PoolFolder(SpecBuilder(), 2, strict=False, max_body_bytes=4 << 20)
    try:
        half = len(USERS) // 2
        pool.add([(v, f"t[0]@{i}") for i, v in enumerate(USERS[:half])])
        pool.add([(v, f"t[1]@{i}") for i, v in enumerate(USERS[half:])])
        builder = pool.sync(last=True)
        assert dumps(build_document(builder)) == file_replay(USERS)
        for proc in pool._workers.procs:
            proc.join(timeout=10)
            assert proc.exitcode == 0
        pool._check_alive()        # exited after handing over: not a dead worker
    finally:
        pool.close()


def test_after_the_last_sync_the_one_worker_encodes_the_state_while_this_process_renders(tmp_path: Path) -> None:
    """It gets this process's builder before the merge and merges its own parts into it as this process
    does: the state's bytes are those of the builder merged here, in a temporary file beside the target."""
    messy = [ln for ln in (FIXTURES / "messy.jsonl").read_bytes().splitlines() if ln.strip()]
    lines = USERS + messy
    builder = SpecBuilder()
    Fold(builder).feed((v, f"x:{i}") for i, v in enumerate(lines[::3]))  # this process's own half
    pool = PoolFolder(builder, 1, strict=False, max_body_bytes=4 << 20)
    try:
        target = tmp_path / STATE_NAME
        assert pool.encode_state(builder, {}, target) is None  # before the last sync the worker folds
        rest = [v for i, v in enumerate(lines) if i % 3]
        for a in range(0, len(rest), 20):
            pool.add([(v, f"t[0]@{a + j}") for j, v in enumerate(rest[a:a + 20])])
        merged = pool.sync(last=True)
        positions = {("t", 0): len(rest), ("t", 1): 7}
        wait = pool.encode_state(merged, positions, target)
        assert wait is not None
        doc = dumps(build_document(merged))  # the render the encoding overlaps
        written = wait()
        assert written is not None and written.parent == tmp_path and not target.exists()
        assert written.read_bytes() == codec.encode(merged, positions)
        assert stat.S_IMODE(written.stat().st_mode) == 0o600  # it may hold examples
        alone = SpecBuilder()
        Fold(alone).feed((v, f"x:{i}") for i, v in enumerate(lines[::3] + rest))
        assert doc == dumps(build_document(alone))
        pool._workers.procs[ENCODER].join(timeout=10)
        assert pool._workers.procs[ENCODER].exitcode == 0  # gone once it answered
        assert pool.encode_state(merged, positions, target) is None  # no worker is left to
    finally:
        pool.close()


def test_the_last_sync_is_answered_before_the_encoder_loads_this_process_builder(monkeypatch: pytest.MonkeyPatch
                                                                                 ) -> None:
    """The worker sends its parts first and loads the builder it encodes after: this process merges them
    meanwhile instead of waiting for that load (here it never ends)."""
    here = os.getpid()

    def loaded_slowly(builder: SpecBuilder, state: tuple[Any, dict[str, Any]]) -> None:  # in the forked worker
        if os.getpid() != here:
            time.sleep(60)
        for name, value in state[1].items():  # a slotted object's state: (None, its slots)
            setattr(builder, name, value)

    monkeypatch.setattr(SpecBuilder, "__setstate__", loaded_slowly, raising=False)
    monkeypatch.setattr(parallel, "start_method", lambda: "fork")  # the worker has this process's patch
    pool = PoolFolder(SpecBuilder(), 1, strict=False, max_body_bytes=4 << 20)
    try:
        pool.add([(v, f"t[0]@{i}") for i, v in enumerate(USERS)])
        started = time.monotonic()
        builder = pool.sync(last=True)
        assert time.monotonic() - started < 30
        assert dumps(build_document(builder)) == file_replay(USERS)
    finally:
        pool._workers.close(0.0)


def test_with_more_workers_none_holds_the_whole_builder_and_the_state_is_encoded_here() -> None:
    pool = PoolFolder(SpecBuilder(), 2, strict=False, max_body_bytes=4 << 20)
    try:
        pool.add([(v, f"t[0]@{i}") for i, v in enumerate(USERS)])
        assert pool.encode_state(pool.sync(last=True), {("t", 0): len(USERS)}, Path("state")) is None
    finally:
        pool.close()


def test_a_state_the_encoder_cannot_write_is_left_to_this_process(tmp_path: Path) -> None:
    """Its write failing (here: the folder is a file) is an answer, None, not a dead worker: this process
    encodes and writes the state, and says why it cannot."""
    (tmp_path / "out").write_bytes(b"")
    pool = PoolFolder(SpecBuilder(), 1, strict=False, max_body_bytes=4 << 20)
    try:
        pool.add([(v, f"t[0]@{i}") for i, v in enumerate(USERS)])
        builder = pool.sync(last=True)
        wait = pool.encode_state(builder, {("t", 0): len(USERS)}, tmp_path / "out" / STATE_NAME)
        assert wait is not None and wait() is None
        pool._workers.procs[ENCODER].join(timeout=10)
        assert pool._workers.procs[ENCODER].exitcode == 0
    finally:
        pool.close()


def test_a_state_encoder_that_died_leaves_the_state_to_this_process() -> None:
    pool = PoolFolder(SpecBuilder(), 1, strict=False, max_body_bytes=4 << 20)
    try:
        pool.add([(v, f"t[0]@{i}") for i, v in enumerate(USERS)])
        builder = pool.sync(last=True)
        os.kill(pool._workers.procs[ENCODER].pid or 0, signal.SIGKILL)
        wait = pool.encode_state(builder, {("t", 0): len(USERS)}, Path("state"))
        assert wait is None or wait() is None
    finally:
        pool.close()


def test_the_last_sync_takes_back_the_batches_still_waiting_for_a_worker() -> None:
    """Each worker keeps the batch it folds; one waiting behind it is folded here (the same spec)."""
    warned: list[RecordError] = []
    local = LocalFolder(Fold(SpecBuilder(), on_skip=warned.append))
    pool = PoolFolder(local.fold.builder, 1, strict=False, max_body_bytes=4 << 20, stats=local.fold.stats,
                      local=local, on_skip=warned.append)
    worker = pool._workers.procs[0].pid or 0
    try:
        os.kill(worker, signal.SIGSTOP)  # it takes nothing from its queue meanwhile
        half = len(USERS) // 2
        pool.add([(v, f"t[0]@{i}") for i, v in enumerate(USERS[:half])])
        pool.add([(v, f"t[0]@{i}") for i, v in enumerate(USERS[half:], half)] + [(b"x", "t[0]@144")])
        assert pool._pending == [2] and local.dispatched == 0
        deadline = time.monotonic() + 10
        while pool._pending == [2] and time.monotonic() < deadline:  # once the queue's feeder wrote them
            pool._take_back()
            time.sleep(0.05)
        assert pool._pending == [1] and local.dispatched == half  # the first in the queue, taken back
        os.kill(worker, signal.SIGCONT)
        builder = pool.sync(last=True)
        assert dumps(build_document(builder)) == file_replay(USERS)
        assert (pool.stats.read, pool.stats.learned) == (145, 144) and [w.origin for w in warned] == ["t[0]@144"]
    finally:
        os.kill(worker, signal.SIGCONT)
        pool.close()


def test_a_pool_in_strict_mode_raises_the_first_bad_record() -> None:
    pool = PoolFolder(SpecBuilder(), 2, strict=True, max_body_bytes=4 << 20)
    try:
        pool.add([(USERS[0], "t[0]@0"), (b"nope", "t[0]@1")])
        with pytest.raises(RecordError, match="t\\[0\\]@1"):
            pool.sync()
    finally:
        pool.close()


def test_full_batches_one_after_another_also_mean_a_backlog() -> None:
    folder = ScalingFolder(LocalFolder(Fold(SpecBuilder())), 2, threshold=2 * BATCH * 2)
    try:
        full = [(USERS[0], "t[0]@0")] * BATCH
        folder.add(full)
        folder.add(full[:10])          # a short batch: caught up, the streak starts over
        folder.add(full)
        assert folder.current is folder.local
        folder.add(full)
        assert isinstance(folder.current, PoolFolder)
        assert folder.sync().exchanges == 3 * BATCH + 10
    finally:
        folder.close()


def test_folding_moves_to_the_pool_only_for_a_large_backlog() -> None:
    warned: list[RecordError] = []
    local = LocalFolder(Fold(SpecBuilder(), on_skip=warned.append))
    folder = ScalingFolder(local, 2, threshold=1000)
    try:
        folder.add([(v, f"t[0]@{i}") for i, v in enumerate(USERS[:50])])
        folder.backlog(None)
        folder.backlog(999)
        assert folder.current is local
        folder.backlog(1000)
        assert isinstance(folder.current, PoolFolder)
        folder.add([(v, f"t[0]@{i}") for i, v in enumerate(USERS[50:], 50)] + [(b"x", "t[0]@144")])
        assert dumps(build_document(folder.sync())) == file_replay(USERS)
        assert (folder.dispatched, folder.stats.read, folder.stats.learned) == (145, 145, 144)
        assert [w.origin for w in warned] == ["t[0]@144"]
    finally:
        folder.close()


def test_a_replay_folds_in_the_pool_from_its_first_batch() -> None:
    """--until-end: the backlog is the whole run, so the pool starts with the folder, not after a streak."""
    notes: list[str] = []
    local = LocalFolder(Fold(SpecBuilder()))
    folder = ScalingFolder(local, 2, bad=None, note=notes.append, replay=True)
    try:
        assert isinstance(folder.current, PoolFolder) and len(folder.current._inboxes) == 1
        assert notes == ["specbuild: --until-end: folding in 2 processes"]
        folder.add([(v, f"t[0]@{i}") for i, v in enumerate(USERS[:10])])  # a short batch: still the pool's
        assert local.dispatched == 0
        folder.add([(v, f"t[0]@{i}") for i, v in enumerate(USERS[10:], 10)])
        assert dumps(build_document(folder.sync(last=True))) == file_replay(USERS)
    finally:
        folder.close()


def test_a_scaled_out_follower_folds_batches_itself_while_its_worker_is_busy() -> None:
    """-j 2: one worker and this process; a batch is folded here whenever the worker has BUSY outstanding."""
    warned: list[RecordError] = []
    local = LocalFolder(Fold(SpecBuilder(), on_skip=warned.append))
    folder = ScalingFolder(local, 2, threshold=1)
    try:
        folder.backlog(1)
        assert isinstance(folder.current, PoolFolder) and len(folder.current._inboxes) == 1
        for i, v in enumerate([*USERS, b"x"]):
            folder.add([(v, f"t[0]@{i}")])
        assert 0 < local.dispatched <= len(USERS) + 1 - PoolFolder.BUSY  # the first BUSY went to the worker
        assert dumps(build_document(folder.sync())) == file_replay(USERS)
        assert (folder.dispatched, folder.stats.read, folder.stats.learned) == (145, 145, 144)
        assert [w.origin for w in warned] == ["t[0]@144"]
    finally:
        folder.close()


def test_pool_workers_fold_with_the_parents_settings_examples_hints_and_headers() -> None:
    """The workers' builders were made with hints and headers but not ``examples``: 0 examples, not 7."""
    def configured() -> SpecBuilder:
        return SpecBuilder(hints=("/users/{userId}",), headers=HeaderPolicy(include=("user-agent",)),
                           examples=True)

    options = RenderOptions(examples=True)
    local = configured()
    Fold(local).feed((v, f"x:{i}") for i, v in enumerate(USERS))
    expected = dumps(build_document(local, options))
    pool = PoolFolder(configured(), 2, strict=False, max_body_bytes=4 << 20)
    try:
        pool.add([(v, f"t[0]@{i}") for i, v in enumerate(USERS)])
        doc = dumps(build_document(pool.sync(last=True), options))
    finally:
        pool.close()
    assert b'"example"' in expected and b"userId" in expected and b"user-agent" in expected
    assert doc.count(b'"example"') == expected.count(b'"example"')
    assert doc == expected


def test_ctrl_c_while_the_pool_closes_still_ends_its_workers() -> None:
    """The second Ctrl-C of a follow lands in close(): the fold workers ignore SIGTERM and were left running."""
    pool = PoolFolder(SpecBuilder(), 2, strict=False, max_body_bytes=4 << 20)
    pool.add([(v, f"t[0]@{i}") for i, v in enumerate(USERS[:10])])

    def interrupted(*_args: object, **_kw: object) -> None:
        raise KeyboardInterrupt

    pool._inboxes[0].put = interrupted
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        pool.close()
    assert not any(proc.is_alive() for proc in pool._workers.procs)
    assert time.monotonic() - started < 10


def test_a_follower_that_moves_to_the_pool_keeps_filtering() -> None:
    """--include-path and kin reach the fold workers: the pool leaves out what this process leaves out."""
    keep = RecordFilter.of(exclude=["/users/*"])
    local = LocalFolder(Fold(SpecBuilder(), keep=keep))
    folder = ScalingFolder(local, 2, threshold=1)
    try:
        folder.add([(v, f"t[0]@{i}") for i, v in enumerate(USERS[:50])])
        folder.backlog(1)
        assert isinstance(folder.current, PoolFolder)
        folder.add([(v, f"t[0]@{i}") for i, v in enumerate(USERS[50:], 50)])
        alone = Fold(SpecBuilder(), keep=keep)
        alone.feed((v, f"x:{i}") for i, v in enumerate(USERS))
        assert dumps(build_document(folder.sync())) == dumps(build_document(alone.builder))
        stats = folder.stats
        assert (stats.read, stats.learned, stats.filtered) == (144, alone.stats.learned, alone.stats.filtered)
        assert 0 < stats.filtered < 144
    finally:
        folder.close()


def test_a_workers_operations_come_in_parts_each_merged_as_it_arrives() -> None:
    """A worker's builder is sent without its operations, then those in PARTS messages: the parent never
    holds the whole builder's pickle and its unpickled copy at once (bench_kafka's peak RSS)."""
    merged: list[int] = []

    class Counting(SpecBuilder):
        def merge_parts(self, other: SpecBuilder, parts: Iterable[Any], take: bool = True) -> None:
            got = list(parts)
            merged.append(len(got))
            super().merge_parts(other, got, take)

    lines = [json.dumps(record(method, f"/res{i}/items", resp={"id": i})).encode()
             for i in range(20) for method in ("get", "post")]
    pool = PoolFolder(Counting(), 2, strict=False, max_body_bytes=4 << 20)
    try:
        for i in range(0, len(lines), 10):
            pool.add([(v, f"t[0]@{i + j}") for j, v in enumerate(lines[i:i + 10])])
        builder = pool.sync(last=True)
        assert dumps(build_document(builder)) == file_replay(lines)
        assert len(merged) == 2 and all(1 < n <= PARTS for n in merged)  # each worker's 20 operations
    finally:
        pool.close()
