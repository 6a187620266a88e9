"""What the WSGI and ASGI recorders share: their settings, which exchanges they record, how they write.

``keep`` (a :class:`specbuild.filters.RecordFilter`: paths, hosts, methods) and ``sample`` (the share of
exchanges recorded, 0..1) are decided when a request starts; ``omit`` (media type globs, ``image/*``)
names the bodies left out of the record: an exchange not recorded costs nothing
more. Writing never raises into the app: a record that cannot be made or written is logged and counted.
The middleware hands its exchanges to a :class:`~specbuild.record.writer.Writer` (``submit``: made into
records and written by a thread, off the request); the proxy writes them as they come (``write``).
"""

from __future__ import annotations

import logging
import os
import random
from typing import Any

from specbuild.filters import RecordFilter
from specbuild.record.capture import DEFAULT_MAX_BODY_BYTES, Exchange, Redaction, http_types
from specbuild.record.sink import Sink, open_sink
from specbuild.record.writer import Writer

log = logging.getLogger("specbuild.record")


class Recorder:
    """The settings and the write of a recorder middleware around ``app``."""

    def __init__(self, app: Any, to: str | os.PathLike[str] | Sink, *, redaction: Redaction | None = None,
                 max_body_bytes: int = DEFAULT_MAX_BODY_BYTES, keep: RecordFilter | None = None,
                 sample: float = 1.0, omit: tuple[str, ...] = ()) -> None:
        if not 0.0 <= sample <= 1.0:
            raise ValueError(f"sample is a share of the exchanges, 0..1, not {sample}")
        self.app = app
        self.sink = open_sink(to)
        self.redaction = redaction or Redaction()
        self.max_body_bytes = max_body_bytes
        self.keep = keep
        self.sample = sample
        self.omit = tuple(m.lower() for m in omit)
        self.failed = 0  # exchanges that could not be made into a record (the sink counts its own drops)
        self.writer = Writer(self.sink, self._made)

    @property
    def dropped(self) -> int:
        """Exchanges not recorded because the writer's queue was full."""
        return self.writer.dropped

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until the exchanges submitted so far are written (at most ``timeout`` s); whether they were."""
        return self.writer.flush(timeout)

    def close(self) -> None:
        """Write what is queued and close the sink (Kafka: deliver what it holds); done at exit too."""
        self.writer.close()

    def wanted(self, method: str, path: str, host: str) -> bool:
        """Whether the exchange that starts with this request is recorded."""
        if self.keep is not None and not self.keep.keeps(method.upper(), path, host):
            return False
        return self.sample >= 1.0 or random.random() < self.sample

    def submit(self, ex: Exchange) -> None:
        """Record ``ex`` off the request: queued for the writer thread."""
        self.writer.put(ex)

    def write(self, ex: Exchange) -> None:
        """Record ``ex`` now (the proxy batches its writes per turn of its event loop itself)."""
        record = self._made(ex)
        if record is not None:
            try:
                self.sink.write(record)
            except Exception:  # the recorder never breaks the app
                self.failed += 1
                log.exception("specbuild: an exchange could not be recorded")

    def _made(self, ex: Exchange) -> dict[str, Any] | None:
        try:
            return http_types(ex, self.redaction, self.max_body_bytes, self.omit)
        except Exception:  # the recorder never breaks the app
            self.failed += 1
            log.exception("specbuild: an exchange could not be recorded")
            return None
