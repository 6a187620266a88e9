"""Worker processes: the one rule for how they start, and the one way to start and end them.

Three pools use it: sharded file replay (``run.feed_sharded``), the Kafka fold pool
(``kafka.pool.PoolFolder``) and ``check``'s pool of checkers (``cli.drift``). What a pool sends its
workers, how it spreads the work and how it merges what comes back stay with the pool.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import functools
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Collection, Iterable
from multiprocessing.process import BaseProcess
from multiprocessing.reduction import ForkingPickler
from types import TracebackType
from typing import Any, Final, NoReturn

from specbuild.errors import SpecbuildError
from specbuild.learn.collector import paused


def cores() -> int:
    """The cores this process may run on (its affinity, where the system says it)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def start_method() -> str:
    """``fork`` on Linux when this process runs no other thread, else ``spawn``."""
    # A forked worker starts at once, with everything this process has imported and built; a spawned
    # one first starts an interpreter and imports specbuild (~0.3 s here). But a forked child keeps only
    # the thread that forked: a lock another thread held at that moment (rich's live line, librdkafka's
    # threads, the preloading of the validator, a queue's feeder) stays held in the child for ever.
    # So fork only when the kernel counts a single thread here (``threading`` does not see librdkafka's
    # native threads), and only on Linux: elsewhere fork is missing (Windows) or not safe with the
    # system's libraries (macOS).
    if sys.platform == "linux" and _threads() == 1:
        return "fork"
    return "spawn"


def _threads() -> int:
    """Threads of this process, native ones included (0: unknown)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 0


class WorkerDied(SpecbuildError):
    """A worker process ended abnormally (killed, out of memory, a crash outside its own handling).

    Exit 2, not 70: a worker killed from outside (the OOM killer, a kill) is not a bug in specbuild, and
    the message names the worker and the signal; a bug inside a worker comes back as its own exception.
    """


class WorkerError(RuntimeError):
    """An unexpected exception in a worker, brought back as text (its own type may not survive a pickle)."""


def portable(exc: BaseException) -> BaseException:
    """``exc`` as a worker sends it to its parent: a SpecbuildError as it is, anything else as text.

    A message that cannot be pickled (jsonschema's referencing errors are frozen attrs classes) is
    dropped by the queue's feeder thread and never arrives.
    """
    if isinstance(exc, SpecbuildError):
        return exc
    text = "".join(traceback.format_exception(exc, limit=-8))[-4000:]
    return WorkerError(f"{type(exc).__name__}: {str(exc)[:500]}\n  in the worker:\n{text}")


def _how(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


class Workers:
    """Worker processes started by :func:`start_method`'s rule; they answer on ``outbox``.

    Each runs ``target(*args)`` with Ctrl-C ignored: the parent handles it and ends its workers. Used
    in a ``with`` block or closed by :meth:`close`: on the way out of a block after an error the
    workers are terminated at once, otherwise each has ``grace`` seconds to exit by itself first.
    """

    def __init__(self, name: str, grace: float = 5.0) -> None:
        self.name = name
        self.grace = grace
        self.method = start_method()
        self.ctx: Any = multiprocessing.get_context(self.method)
        self.procs: list[BaseProcess] = []
        self._queues: list[Any] = []
        self.outbox = self.queue()

    def queue(self, maxsize: int = 0) -> Any:
        """A queue for these workers (create every queue before :meth:`start`: they are arguments)."""
        q = self.ctx.Queue(maxsize)
        self._queues.append(q)
        return q

    def counters(self, n: int) -> Any:
        """``n`` shared integers (all 0) that workers write and the parent reads while they run: how far
        each has got, or a flag the parent raises (like queues, create them before :meth:`start`)."""
        # no lock: each counter has one writer, and a reader only shows or checks what it reads
        return self.ctx.RawArray("q", n)

    def start(self, target: Callable[..., None], args: Iterable[tuple[Any, ...]]) -> None:
        """One worker per tuple of arguments."""
        for a in args:
            proc = self.ctx.Process(target=_run, args=(os.getpid(), target, a), name=f"{self.name}-{len(self.procs)}",
                                    daemon=True)
            proc.start()
            self.procs.append(proc)

    def get(self, done: Collection[int] | None = None, idle: Callable[[], object] | None = None) -> Any:
        """The next message on ``outbox``, waiting as long as it takes while the workers live.

        ``done``: the workers that have answered all they will (they may exit). Without it, a worker
        that exits cleanly is noticed only once no worker is left; with it, at once. ``idle`` is called
        every quarter of a second of waiting (to show progress).
        """
        while True:
            # a worker flushes what it sent before it exits: ended before this wait and nothing came
            # during it means its answer is lost (a message that could not be pickled, say)
            ended = [i for i, proc in enumerate(self.procs) if proc.exitcode is not None]
            try:
                return self.outbox.get(timeout=0.5 if idle is None else 0.25)
            except queue.Empty:
                self.check(done or ())
                if idle is not None:
                    idle()
            if done is not None:
                quiet = [i for i in ended if i not in done]
            else:
                quiet = ended if len(ended) == len(self.procs) else []
            if quiet:
                raise WorkerDied(f"worker process {self.procs[quiet[0]].name} exited without answering")

    def put(self, q: Any, message: Any, done: Collection[int] = ()) -> None:
        """Put ``message`` on ``q`` (one of :meth:`queue`), waiting while it is full and the workers live."""
        self.check(done)  # a dead worker is noticed even while the others keep the queue moving
        while True:
            try:
                q.put(message, timeout=0.5)
                return
            except queue.Full:
                self.check(done)

    def check(self, done: Collection[int] = ()) -> None:
        """Raise :class:`WorkerDied` if a worker (other than those ``done``) ended with an error code."""
        for i, proc in enumerate(self.procs):
            if i not in done and proc.exitcode not in (None, 0):
                raise WorkerDied(f"worker process {proc.name} (pid {proc.pid}) died ({_how(proc.exitcode)})")

    def close(self, grace: float | None = None) -> None:
        """End the workers (each has ``grace`` seconds to exit first) and let go of the queues."""
        wait = self.grace if grace is None else grace
        try:
            for proc in self.procs:
                if wait > 0:
                    proc.join(timeout=wait)
        finally:  # a second Ctrl-C while waiting still ends every worker
            for proc in self.procs:
                if proc.is_alive():
                    proc.terminate()
            deadline = time.monotonic() + 2.0
            for proc in self.procs:
                proc.join(timeout=max(0.0, deadline - time.monotonic()))
            for proc in self.procs:
                if proc.is_alive():
                    proc.kill()  # the Kafka fold workers ignore SIGTERM; one stuck in native code may too
                    proc.join(timeout=2.0)
            for q in self._queues:
                q.cancel_join_thread()  # what is still buffered for a worker that is gone is dropped
                q.close()

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close(0.0 if exc is not None else None)


def forked(task: Callable[[], Any]) -> Callable[[], Any] | None:
    """``task()`` started in a forked child; the answer is what the returned function waits for.

    None when this process may not fork (:func:`start_method`): a spawned child would first import
    specbuild and be sent ``task``'s data, which costs more than the work it takes over. The wait
    answers None when the child ended without an answer (killed, out of memory): do the work here then.
    An exception in ``task`` is raised by the wait (as :func:`portable` makes it).
    """
    if start_method() != "fork":
        return None
    ctx = multiprocessing.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    _widen(sender)
    for stream in (sys.stdout, sys.stderr):  # a child flushes its copy of what is buffered when it exits
        with contextlib.suppress(OSError, ValueError):  # a closed stream, a reader gone: nothing to repeat
            stream.flush()
    proc = ctx.Process(target=_run, args=(os.getpid(), _answer, (task, sender)), name="specbuild-beside",
                       daemon=True)
    proc.start()
    sender.close()  # the child holds the only writing end: its exit ends the wait

    def wait() -> Any:
        try:
            ok, value = receiver.recv()
        except EOFError:
            proc.join()  # ended without an answer: it is gone, or about to be
            return None
        finally:
            receiver.close()
        # Answered: not waited for while it exits. A child of a large process takes a while to (the kernel
        # lets go of its copy of the address space: ~9 ms of the 100k mix's render, on the other core);
        # multiprocessing reaps it when this process starts another or exits.
        if not ok:
            raise value
        return value

    return wait


# Linux's fcntl that sets a pipe's capacity (F_SETPIPE_SZ; Python 3.11's fcntl module does not name it)
_SETPIPE_SZ: Final = 1031
PIPE_BYTES: Final = 1 << 20  # what an unprivileged process may ask (/proc/sys/fs/pipe-max-size's default)


def _widen(conn: Any) -> None:
    """Let the pipe of ``conn`` hold PIPE_BYTES. A forked child whose answer does not fit waits, alive, until
    this process reads it, and while it lives every page this process writes (a reference count changed by
    reading an object is a write) is copied first: who_strings' answer (~330 KB on the 100k mix), read
    after the templates are decided, kept its child alive through them (the parent's render: 0.015-0.035 s
    more CPU, most of it the kernel's)."""
    # not Linux (no fcntl, no such command), or over the limit (pipe-max-size): the pipe stays as it is
    with contextlib.suppress(OSError, ValueError, ImportError):
        import fcntl

        fcntl.fcntl(conn.fileno(), _SETPIPE_SZ, PIPE_BYTES)


def _answer(task: Callable[[], Any], sender: Any) -> None:
    try:
        answer = (True, task())
    except Exception as exc:
        answer = (False, portable(exc))
    with contextlib.suppress(OSError):  # the parent is gone (killed): no one waits for the answer
        sender.send(answer)


_parent = 0  # in a worker: the pid of the process that started it


def give_back_memory() -> None:
    """Return the free pages of this process's heap to the system (glibc's ``malloc_trim``); a no-op elsewhere.

    free() keeps what a process frees for its next allocations unless it is at the top of the heap: a
    follower that consumed and folded a topic holds every batch it has freed (librdkafka's fetch buffers in
    the arenas of its own threads too) as resident memory. The 100k mix's follower: 381 -> 184 MiB after its
    fold, in 0.014 CPU s."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim  # this process's C library
    except (OSError, AttributeError):  # musl has none
        return None
    return trim


def packed(message: Any) -> bytes:
    """``message`` as a queue would send it, made now (a queue's feeder thread pickles it later, while this
    process may be changing it); :func:`unpacked` in the process it is sent to. Only between the processes
    of one run: never what is written to a file (a state file is data, :mod:`specbuild.learn.state`)."""
    return bytes(ForkingPickler.dumps(message))


def unpacked(data: bytes) -> Any:
    """The message :func:`packed` made."""
    return ForkingPickler.loads(data)


def receive(q: Any) -> Any:
    """In a worker: the next message on ``q``; a worker whose parent is gone exits at once."""
    while True:
        try:
            return q.get(timeout=1.0)
        except queue.Empty:
            exit_if_orphaned()


def exit_if_orphaned() -> bool:
    """In a worker: exit at once if the parent is gone (killed by SIGTERM or SIGKILL, a crash): no one
    reads what is left to send, and a daemon worker is ended by its parent only when the parent exits
    through Python. False otherwise: it can be a fold's ``should_stop``."""
    if os.getppid() != _parent:
        os._exit(1)
    return False


def exit_sent(q: Any) -> NoReturn:
    """In a worker that has sent its last message on ``q``: wait until all it sent is in the pipe, then
    exit without freeing what it holds. A shard's builder (~25 MB pickled on the 100k mix at -j 2) took
    ~0.1 s of CPU to free object by object, as long as pickling it, at the end of a process whose memory
    goes back to the system whole."""
    q.close()
    q.join_thread()  # the queue's feeder has written every message (the parent has read all but a pipe's worth)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _watch_parent(every: float = 0.5) -> None:
    """In a worker, on a thread of its own: exit once the parent is gone, wherever the worker waits.

    ``receive`` notices it only between messages; a worker sending its answer when the parent died
    waits for ever otherwise: its queue's feeder blocks writing to a full pipe whose reading end the
    worker holds itself (forked), and the exit joins that feeder."""
    while not exit_if_orphaned():
        time.sleep(every)


def _run(parent: int, target: Callable[..., None], args: tuple[Any, ...]) -> None:
    global _parent
    _parent = parent  # not os.getppid(): the parent may already be gone when the worker starts
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and ends its workers
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a forked worker keeps the parent's handler otherwise
    threading.Thread(target=_watch_parent, name="specbuild-parent-watch", daemon=True).start()
    target(*args)


class Standby:
    """A process forked early, while this one is still small (its copy costs little and this one's later
    writes copy no page of it), that gets ready with ``prepare()`` while this one works, then runs each
    task it is sent and answers it.

    It takes a task as :func:`forked` does (``standby(task)`` answers the function that waits for its
    result, None when the standby did not answer: do the work here then), but the task crosses a pipe:
    a module's function with its data, which must pickle. :meth:`start` answers None where this process
    may not fork (:func:`start_method`). Closed (:meth:`close`, or leaving a ``with`` block) it exits.
    """

    def __init__(self, proc: BaseProcess, conn: Any) -> None:
        self.proc = proc
        self.conn = conn
        self.unread = 0  # answers of tasks sent by :meth:`later`, read before the next task's
        # closed at the latest on the way out of Python, before multiprocessing waits for its children
        # (atexit runs the last registered first): one left open would wait for ever
        atexit.register(self.close)

    @classmethod
    def start(cls, prepare: Callable[[], None]) -> Standby | None:
        if start_method() != "fork":
            return None
        ctx = multiprocessing.get_context("fork")
        mine, theirs = ctx.Pipe(duplex=True)
        for stream in (sys.stdout, sys.stderr):  # as forked(): nothing buffered is written twice
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        # not a daemon: a daemon may not fork, and the standby forks a walk of its own (it exits at the
        # end of its pipe, which the parent closes or leaves by exiting)
        proc = ctx.Process(target=_stand_by, args=(prepare, theirs, mine), name="specbuild-standby", daemon=False)
        proc.start()
        theirs.close()
        return cls(proc, mine)

    def __call__(self, task: Callable[[], Any]) -> Callable[[], Any] | None:
        try:
            self.conn.send(task)
        except (OSError, ValueError):  # gone (killed), or closed
            return None

        def wait() -> Any:
            try:
                while self.unread:  # the answers come in the order the tasks were sent
                    self.conn.recv()
                    self.unread -= 1
                ok, value = self.conn.recv()
            except (EOFError, OSError):
                return None
            if not ok:
                raise value
            return value

        return wait

    def later(self, task: Callable[[], Any]) -> None:
        """Send ``task`` without waiting for it: to get ready (``prepare``'s work) when this process
        says so, not at once (while every core folds). Its answer, an error included, is dropped."""
        try:
            self.conn.send(task)
        except (OSError, ValueError):  # gone: the next task finds it so
            return
        self.unread += 1

    def close(self) -> None:
        """Let it exit (it reads the end of its pipe), and end it if it does not at once."""
        atexit.unregister(self.close)
        if self.conn.closed:
            return
        self.conn.close()
        self.proc.join(timeout=1.0)
        if self.proc.is_alive():
            self.proc.terminate()
            self.proc.join()

    def __enter__(self) -> Standby:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _stand_by(prepare: Callable[[], None], conn: Any, parents: Any) -> None:
    """The standby's life: get ready, then answer each task until the pipe ends (the parent closed it or
    exited: no watching thread is needed, and without one the standby may fork a task of its own)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C (and closes the pipe)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    parents.close()  # the parent's end, inherited: only the parent may hold it, or no end is ever seen
    # A task (a validation) builds a large tree of containers and no cycle: the collections its allocations
    # set off walked it for nothing (the 100k mix's document: 0.03 s of the validation the build waits for).
    # Between tasks the collector runs as before: what a task left in cycles still goes.
    with contextlib.suppress(Exception), paused():  # not ready is only slower: the task still runs
        prepare()
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        with paused():
            try:
                answer = (True, task())
            except Exception as exc:
                answer = (False, portable(exc))
            try:
                conn.send(answer)
            except OSError:  # the parent is gone
                return
