"""Where a recorder's records go: a JSONL file, appended safely by any number of threads and processes.

Each record is one ``write`` of one whole line to a file opened ``O_APPEND``, under an exclusive
``flock``: lines of gunicorn's workers or of two apps writing one file never interleave. A failure to
write (disk full, the file gone read-only) never reaches the application: the record is dropped,
counted in ``dropped``, and the first failure is logged once.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from pathlib import Path
from typing import Any, Protocol

import orjson

log = logging.getLogger("specbuild.record")


class Sink(Protocol):
    """What a recorder writes each record to."""

    def write(self, record: dict[str, Any]) -> None: ...
    def close(self) -> None: ...


class JsonlSink:
    """Append each record as one line of ``path`` (created if missing; its folder must exist)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.written = 0
        self.dropped = 0
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._pid = 0

    def _open(self) -> int:
        # opened lazily and again after a fork: a forked worker must not share its parent's descriptor
        # (the lock of flock is held per open file description)
        if self._fd is None or self._pid != os.getpid():
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
            self._pid = os.getpid()
        return self._fd

    def write(self, record: dict[str, Any]) -> None:
        line = orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE)
        with self._lock:
            try:
                fd = self._open()
                fcntl.flock(fd, fcntl.LOCK_EX)
                try:
                    view = memoryview(line)
                    while view:  # a regular file takes the whole line at once; a short write goes on
                        view = view[os.write(fd, view):]
                finally:
                    fcntl.flock(fd, fcntl.LOCK_UN)
                self.written += 1
            except OSError as exc:
                self.dropped += 1
                if self.dropped == 1:
                    log.warning("specbuild: cannot append to %s (%s): records are dropped", self.path, exc)

    def close(self) -> None:
        with self._lock:
            if self._fd is not None and self._pid == os.getpid():
                os.close(self._fd)
            self._fd = None


def open_sink(to: str | os.PathLike[str] | Sink) -> Sink:
    """A sink for ``to``: a sink as it is, else the path of a JSONL file (``file://`` optional)."""
    if isinstance(to, str | os.PathLike):
        text = os.fspath(to)
        if text.startswith("kafka://"):
            raise ValueError("a Kafka sink is not here yet: record to a JSONL file and `specbuild produce` it")
        return JsonlSink(text.removeprefix("file://"))
    return to
