"""Python's cycle collector paused while a large tree of small containers is built; pure.

A state decoded, a spec rendered: hundreds of thousands of dicts and lists, none in a cycle. Each
allocation past the collector's threshold sets off a collection that walks them all again, for nothing.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No cycle collection inside the block (as it was after it: nested blocks leave it off)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def sweep_young() -> None:
    """Collect the youngest generation only: inside a paused block, what the block left in cycles
    since the last sweep goes; the survivors (a builder's new objects) are walked this once."""
    gc.collect(0)
