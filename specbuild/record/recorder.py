"""What the WSGI and ASGI recorders share: their settings, which exchanges they record, how they write.

``keep`` (a :class:`specbuild.filters.RecordFilter`: paths, hosts, methods) and ``sample`` (the share of
exchanges recorded, 0..1) are decided when a request starts; ``omit`` (media type globs, ``image/*``)
names the bodies left out of the record: an exchange not recorded costs nothing
more. Writing never raises into the app: a record that cannot be made or written is logged and counted.
"""

from __future__ import annotations

import logging
import os
import random
from typing import Any

from specbuild.filters import RecordFilter
from specbuild.record.capture import DEFAULT_MAX_BODY_BYTES, Exchange, Redaction, http_types
from specbuild.record.sink import Sink, open_sink

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

    def wanted(self, method: str, path: str, host: str) -> bool:
        """Whether the exchange that starts with this request is recorded."""
        if self.keep is not None and not self.keep.keeps(method.upper(), path, host):
            return False
        return self.sample >= 1.0 or random.random() < self.sample

    def write(self, ex: Exchange) -> None:
        try:
            self.sink.write(http_types(ex, self.redaction, self.max_body_bytes, self.omit))
        except Exception:  # the recorder never breaks the app
            self.failed += 1
            log.exception("specbuild: an exchange could not be recorded")
