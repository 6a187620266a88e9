"""parallel: one rule for how worker processes start, and one way to start and end them."""

from __future__ import annotations

import os
import signal
import sys
import threading
from typing import Any

import pytest

from specbuild import parallel
from specbuild.parallel import WorkerDied, Workers, start_method


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
