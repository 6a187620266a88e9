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


@contextlib.contextmanager
def held() -> Iterator[None]:
    """A one-shot run (a file build: fold, render, validate, write, then the process ends): no cycle
    collection inside the block, and what is alive at its end is moved out of the collector's sight
    (``gc.freeze``, which walks nothing) before it resumes as it was.

    Paused blocks alone leave the collector a walk of everything they built and kept: resumed, it is set
    off by the next allocation and walks the young objects (a builder, a document), then again as they
    age (the 100k mix: the -j 2 merged builder 0.06 s, the document after a render 0.03 s, the standby's
    copy of it 0.03 s, of CPU on the build's way to its file). Processes forked inside (shard workers,
    the standby, a render's child) start with the collector off too. A fold's sweeps
    (:func:`sweep_young`) still collect what its callbacks leave in cycles; what is left in cycles at
    the end stays (the process ends; in a test process, until it does).
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was:
            gc.enable()


def ended() -> None:
    """In a process that ends with what it built (a shard worker: its fold pickled and sent, then
    ``os._exit``): no cycle collection from here on. Its builder was walked by each collection
    its allocations set off (0.1 s of a worker's CPU on the 100k mix at -j 2, in the handover that
    the parent waits for)."""
    gc.disable()


def sweep_young() -> None:
    """Collect the youngest generation only: inside a paused block, what the block left in cycles
    since the last sweep goes; the survivors (a builder's new objects) are walked this once."""
    gc.collect(0)
