"""parallel: one rule for how worker processes start, and one way to start and end them."""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from specbuild import parallel
from specbuild.errors import RecordError
from specbuild.parallel import WorkerDied, WorkerError, Workers, portable, start_method
from specbuild.run import SHARD_MIN_BYTES
from tests.helpers import children, gone, small_records

ROOT = Path(__file__).resolve().parent.parent


def test_fork_only_on_linux_without_other_threads() -> None:
    if parallel._threads() == 1:  # (other tests may have left a thread running: brokers, queue feeders)
        assert start_method() == ("fork" if sys.platform == "linux" else "spawn")
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert start_method() == "spawn"   # a forked child would inherit its locks, not the thread
    finally:
        stop.set()
        other.join()


def test_threads_are_counted_by_the_kernel_native_ones_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """librdkafka's threads are not in ``threading``: the rule asks the kernel."""
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setattr(parallel, "_threads", lambda: 3)
    assert start_method() == "spawn"
    monkeypatch.setattr(parallel, "_threads", lambda: 0)  # not known (no /proc): not safe
    assert start_method() == "spawn"
    monkeypatch.setattr(parallel, "_threads", lambda: 1)
    assert start_method() == ("fork" if sys.platform == "linux" else "spawn")


def _echo(value: int, outbox: Any) -> None:
    outbox.put((value, os.getpid(), signal.getsignal(signal.SIGINT) == signal.SIG_IGN))


class _Heavy:
    """A message whose freeing the worker would notice: it says so in a file (it must never)."""

    def __init__(self, note: str) -> None:
        self.note = note
        self.payload = [list(range(100)) for _ in range(2000)]  # ~1 MB pickled: more than a pipe holds

    def __del__(self) -> None:
        Path(self.note).write_text("freed")


def _send_and_exit(outbox: Any, note: str) -> None:
    sent = [_Heavy(note) for _ in range(4)]
    for i, heavy in enumerate(sent):
        outbox.put((i, heavy.payload))
    parallel.exit_sent(outbox)


def test_a_worker_exits_once_all_it_sent_is_in_the_pipe_without_freeing_it(tmp_path: Path) -> None:
    """exit_sent: every message arrives whole although the worker exits at once (~0.1 s of CPU a shard
    spent freeing its builder), and the exit is clean."""
    note = tmp_path / "note"
    with Workers("specbuild-test") as workers:
        workers.start(_send_and_exit, [(workers.outbox, str(note))])
        time.sleep(0.5)  # the worker is blocked on the full pipe: all but one message wait in it
        got = sorted(workers.get() for _ in range(4))
        workers.procs[0].join(10)
    assert [i for i, _ in got] == [0, 1, 2, 3] and all(len(p) == 2000 for _, p in got)
    assert workers.procs[0].exitcode == 0 and not note.exists()


def _die(outbox: Any) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def test_workers_answer_on_the_outbox_and_ignore_ctrl_c() -> None:
    with Workers("specbuild-test") as workers:
        workers.start(_echo, ((i, workers.outbox) for i in range(2)))
        got = sorted(workers.get() for _ in range(2))
    assert [v for v, _, _ in got] == [0, 1]
    assert all(ignored for _, _, ignored in got) and os.getpid() not in {pid for _, pid, _ in got}
    assert [p.name for p in workers.procs] == ["specbuild-test-0", "specbuild-test-1"]
    assert not any(p.is_alive() for p in workers.procs)


def test_a_worker_that_dies_is_an_error_not_a_hang() -> None:
    with pytest.raises(WorkerDied, match="specbuild-test-0"), Workers("specbuild-test") as workers:
        workers.start(_die, [(workers.outbox,)])
        workers.get()


def _lost(outbox: Any) -> None:
    outbox.put(lambda: None)  # the queue's feeder thread cannot pickle it: dropped, and the worker exits 0


def _sleep(outbox: Any) -> None:
    time.sleep(30)


@pytest.mark.parametrize("done", [None, set()])
def test_a_worker_whose_answer_is_lost_is_an_error_not_a_hang(done: set[int] | None) -> None:
    """`check` on the GitHub description hung for ever: the workers' errors could not be pickled."""
    started = time.monotonic()
    with pytest.raises(WorkerDied, match="specbuild-test-0 exited without answering"), \
            Workers("specbuild-test") as workers:
        workers.start(_lost, [(workers.outbox,)])
        if done is not None:  # told who has answered, the parent need not wait for the others
            workers.start(_sleep, [(workers.outbox,)])
        workers.get(done)
    assert time.monotonic() - started < 8
    assert not any(p.is_alive() for p in workers.procs)


def _where() -> tuple[int, bool]:
    return os.getpid(), signal.getsignal(signal.SIGINT) == signal.SIG_IGN


def _fails() -> None:
    raise ValueError("in the child")


def _killed() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.skipif(sys.platform != "linux", reason="fork is for Linux only (start_method)")
def test_a_task_forked_beside_answers_raises_or_says_it_did_not_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "start_method", lambda: "fork")  # (pytest may run a thread of its own)
    wait = parallel.forked(_where)
    assert wait is not None
    joined: list[str] = []
    join = multiprocessing.process.BaseProcess.join

    def joins(self: Any, timeout: float | None = None) -> None:
        joined.append(self.name)
        join(self, timeout)

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "join", joins)
    pid, ignores_ctrl_c = wait()
    assert pid != os.getpid() and ignores_ctrl_c
    assert joined == []  # answered: not waited for while it exits (a large process's child takes a while)
    deadline = time.monotonic() + 10.0
    while (multiprocessing.active_children() or Path(f"/proc/{pid}").exists()) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not Path(f"/proc/{pid}").exists()  # reaped as multiprocessing reaps: not even a zombie is left
    wait = parallel.forked(_fails)
    assert wait is not None
    with pytest.raises(WorkerError, match="ValueError: in the child"):
        wait()
    wait = parallel.forked(_killed)
    assert wait is not None and wait() is None  # the caller does the work itself
    assert joined == ["specbuild-beside"]  # ended without an answer: waited for


def _large() -> tuple[int, bytes]:
    return os.getpid(), b"x" * 300_000  # who_strings' answer on the 100k mix: ~330 KB, past a pipe's 64 KB


@pytest.mark.skipif(sys.platform != "linux", reason="fork is for Linux only (start_method)")
def test_a_forked_child_with_a_large_answer_exits_before_it_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """The answer waits in the pipe, not in a live child: while a forked child lives, every page its parent
    writes is copied first (render reads who_strings' answer only after the templates are decided)."""
    monkeypatch.setattr(parallel, "start_method", lambda: "fork")
    wait = parallel.forked(_large)
    assert wait is not None
    deadline = time.monotonic() + 5.0
    while multiprocessing.active_children() and time.monotonic() < deadline:  # reaps those that exited
        time.sleep(0.01)
    assert not multiprocessing.active_children()  # exited with its answer not read
    pid, data = wait()
    assert pid != os.getpid() and data == b"x" * 300_000


def test_no_task_is_forked_where_a_fork_is_not_safe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "start_method", lambda: "spawn")
    assert parallel.forked(_where) is None


class _Frozen(Exception):
    def __reduce__(self) -> Any:
        raise TypeError("cannot pickle a frozen attrs exception")


def test_what_a_worker_raises_reaches_the_parent_as_text() -> None:
    err = RecordError("not-json", "bad", "f:1")
    assert portable(err) is err
    sent = portable(_Frozen("'/components/schemas/issue-type' does not exist"))
    assert isinstance(sent, WorkerError) and "_Frozen: '/components/schemas/issue-type'" in str(sent)


def test_a_full_queue_waits_for_live_workers_only() -> None:
    with pytest.raises(WorkerDied, match=r"specbuild-test-0 \(pid \d+\) died \(killed by SIGKILL\)"), \
            Workers("specbuild-test") as workers:
        inbox = workers.queue(maxsize=1)
        workers.start(_die, [(workers.outbox,)])
        for _ in range(10):
            workers.put(inbox, "x")


# --- a worker killed in the middle of a real run: a prompt, clear error, and no process left behind ---

def _kill_a_worker(proc: subprocess.Popen[bytes], jobs: int, standby: bool = False) -> set[int]:
    """Kill one of ``proc``'s ``jobs - 1`` workers; ``standby``: its first child is the validator's
    standby (forked before the workers: run.validator_standby), which is not one of them."""
    deadline = time.monotonic() + 20
    while len(workers := children(proc.pid)) < jobs - 1 + standby and time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        time.sleep(0.01)
    assert workers, "no worker started"
    if standby:
        workers.discard(min(workers))
    victim = min(workers)
    os.kill(victim, signal.SIGSTOP)  # caught before it is done: it dies in the middle of its work
    os.kill(victim, signal.SIGKILL)
    return workers


def _ends_promptly_naming_the_worker(proc: subprocess.Popen[bytes], workers: set[int], name: str) -> None:
    killed = time.monotonic()
    try:
        _, err = proc.communicate(timeout=10)
    finally:
        proc.kill()
    assert time.monotonic() - killed < 10
    text = err.decode()
    assert proc.returncode == 2, text
    assert f"worker process {name}-" in text and "killed by SIGKILL" in text and "Internal error" not in text
    time.sleep(0.2)
    assert all(gone(pid) for pid in workers)


def _feed(stdin: Any, line: bytes) -> None:
    with contextlib.suppress(OSError, ValueError):
        for _ in range(200_000):
            stdin.write(line * 64)
        stdin.close()


def test_check_with_a_worker_killed_fails_at_once(tmp_path: Path) -> None:
    spec = ROOT / "fixtures" / "users.openapi.json"
    line = (ROOT / "fixtures" / "users.jsonl").read_bytes().splitlines(keepends=True)[0]
    proc = subprocess.Popen([sys.executable, "-m", "specbuild", "check", "--spec", str(spec), "-i", "-", "-j", "2"],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    feeder = threading.Thread(target=_feed, args=(proc.stdin, line), daemon=True)
    feeder.start()
    workers = _kill_a_worker(proc, 3)
    _ends_promptly_naming_the_worker(proc, workers, "specbuild-check")


def _sharded_build(tmp_path: Path, **env: str) -> subprocess.Popen[bytes]:
    """``build -j 2`` of a file large enough to be cut into shards."""
    users = (ROOT / "fixtures" / "users.jsonl").read_bytes()
    big = tmp_path / "big.jsonl"
    big.write_bytes(users * (2 * SHARD_MIN_BYTES["fork"] // len(users)))
    return subprocess.Popen([sys.executable, "-m", "specbuild", "build", "-i", str(big), "-o", str(tmp_path / "out"),
                             "-j", "2", "-q"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT,
                            env={**os.environ, **env})


def test_a_sharded_build_with_a_worker_killed_fails_at_once(tmp_path: Path) -> None:
    proc = _sharded_build(tmp_path)
    workers = _kill_a_worker(proc, 2, standby=parallel.cores() >= 2)
    _ends_promptly_naming_the_worker(proc, workers, "specbuild-shard")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
@pytest.mark.parametrize("command", [["build", "-o", "out"],
                                     ["check", "--spec", str(ROOT / "fixtures" / "users.openapi.json")]],
                         ids=["build", "check"])
def test_a_run_killed_from_outside_leaves_no_worker(tmp_path: Path, command: list[str], sig: int) -> None:
    """A worker went on with its whole share of the file after its parent was gone."""
    big = tmp_path / "big.jsonl"
    small_records(big, 48)
    proc = subprocess.Popen([sys.executable, "-m", "specbuild", *command, "-i", str(big), "-j", "2", "-q"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path,
                            env={**os.environ, "PYTHONPATH": str(ROOT), "SPECBUILD_PURE": "1"})
    deadline = time.monotonic() + 20
    while not (workers := children(proc.pid)) and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)  # folding (its shard takes seconds)
    proc.send_signal(sig)
    proc.wait(timeout=10)
    deadline = time.monotonic() + 2
    while not all(gone(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert workers and all(gone(pid) for pid in workers)


def test_ctrl_c_twice_during_a_sharded_build_leaves_no_worker(tmp_path: Path) -> None:
    proc = _sharded_build(tmp_path, SPECBUILD_PURE="1")
    deadline = time.monotonic() + 20
    while not (workers := children(proc.pid)) and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    try:
        proc.communicate(timeout=10)
    finally:
        proc.kill()
    assert proc.returncode in (130, -signal.SIGINT)
    time.sleep(0.2)
    assert workers and all(gone(pid) for pid in workers)


_ORPHAN = """
import os, sys, time
from specbuild.parallel import Workers

def answer(outbox):
    outbox.put(b"x" * (8 << 20))  # far more than a pipe holds: the feeder waits for a reader

workers = Workers("specbuild-orphan")
workers.start(answer, [(workers.outbox,)])
print(workers.procs[0].pid, flush=True)
time.sleep(0.5)  # the worker is sending its answer
os._exit(0)  # and the parent is gone (as killed) without reading it
"""


def test_a_worker_whose_parent_dies_while_it_answers_exits(tmp_path: Path) -> None:
    """A worker left waiting for ever when its parent died as it sent its answer (a build's SIGTERM)."""
    said = tmp_path / "pid"
    with said.open("w") as out:  # not a pipe: a worker left behind would hold it open
        subprocess.run([sys.executable, "-c", _ORPHAN], stdout=out, cwd=ROOT, timeout=30,
                       env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
    pid = int(said.read_text().split()[0])
    try:
        deadline = time.monotonic() + 5
        while not gone(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert gone(pid)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


_READY: list[int] = []


def _get_ready() -> None:
    _READY.append(os.getpid())


def _ready_where() -> tuple[list[int], int, bool]:
    return _READY, os.getpid(), signal.getsignal(signal.SIGINT) == signal.SIG_IGN


def _forks() -> Any:
    wait = parallel.forked(os.getpid)  # a standby may fork a task of its own (no daemon: those may not)
    return wait() if wait is not None else None


@pytest.mark.skipif(sys.platform != "linux", reason="fork is for Linux only (start_method)")
def test_a_standby_gets_ready_then_answers_each_task(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "start_method", lambda: "fork")  # (pytest may run a thread of its own)
    standby = parallel.Standby.start(_get_ready)
    assert standby is not None
    with standby:
        wait = standby(_ready_where)
        assert wait is not None
        ready, pid, ignores_ctrl_c = wait()
        assert ready == [pid] and pid != os.getpid() and ignores_ctrl_c  # prepared there, before the task
        assert _READY == []  # not here
        wait = standby(_fails)
        assert wait is not None
        with pytest.raises(WorkerError, match="ValueError: in the child"):
            wait()
        wait = standby(_forks)
        assert wait is not None and wait() not in (None, pid, os.getpid())
        wait = standby(_killed)
        assert wait is not None and wait() is None  # the caller does the work itself
        assert standby(_where) is None or standby(_where)() is None  # gone: nothing more is answered
    assert not Path(f"/proc/{pid}").exists()


@pytest.mark.skipif(sys.platform != "linux", reason="fork is for Linux only (start_method)")
def test_a_standby_runs_its_tasks_with_the_collector_paused(monkeypatch: pytest.MonkeyPatch) -> None:
    """A task (a validation) builds a large tree and no cycle: no collection walks it (0.03 s of the 100k
    mix's); between tasks the collector runs as it did."""
    monkeypatch.setattr(parallel, "start_method", lambda: "fork")
    standby = parallel.Standby.start(_get_ready)
    assert standby is not None
    with standby:
        for _ in range(2):
            wait = standby(gc.isenabled)
            assert wait is not None and wait() is False


@pytest.mark.skipif(sys.platform != "linux", reason="fork is for Linux only (start_method)")
def test_a_standby_exits_when_closed_or_when_its_parent_is_gone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "start_method", lambda: "fork")
    standby = parallel.Standby.start(_get_ready)
    assert standby is not None
    pid = standby.proc.pid
    standby.close()
    assert standby.proc.exitcode == 0 and not Path(f"/proc/{pid}").exists()
    # a parent that exits without closing it: closed on the way out (multiprocessing waits for it then)
    code = ("from specbuild import parallel; s = parallel.Standby.start(lambda: None); "
            "print(s.proc.pid, flush=True)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=30)
    assert out.returncode == 0 and gone(int(out.stdout.split()[0]))
    # a parent killed while its standby waits: the standby reads the end of its pipe and exits
    code = ("import os, sys, time; from specbuild import parallel; s = parallel.Standby.start(lambda: None); "
            "print(s.proc.pid, flush=True); os.kill(os.getpid(), 9)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=30)
    orphan = int(out.stdout.split()[0])
    deadline = time.monotonic() + 10.0
    while not gone(orphan) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert gone(orphan)


def test_no_standby_where_a_fork_is_not_safe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "start_method", lambda: "spawn")
    assert parallel.Standby.start(_get_ready) is None


@pytest.mark.skipif(parallel._malloc_trim() is None, reason="no malloc_trim (not glibc)")
def test_memory_freed_amid_the_heap_is_given_back() -> None:
    """free() keeps freed chunks below a live one resident; give_back_memory returns their pages."""
    def resident() -> int:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    values = [bytes(3000) for _ in range(60_000)]  # ~180 MB, each a chunk of the heap (too large for pymalloc)
    kept = values[::100]  # live chunks all along the heap: none of it is at the top, free() returns nothing
    del values
    before = resident()
    parallel.give_back_memory()
    assert resident() < before - (100 << 20)
    assert kept
