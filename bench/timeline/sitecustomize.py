"""``bench_group.py scale-out --timeline``: a member's steps, each with the wall clock and its process's CPU.

Python imports ``sitecustomize`` at start from the path; bench_group puts this folder first on the members'
PYTHONPATH and names a folder in ``SPECBUILD_BENCH_TIMELINE``. Each member then writes ``<pid>.jsonl``
there: one event a line (``{"t": epoch s, "cpu": process CPU s, "ev": name}``); a step's start ends in
``+``, its end in ``-``. It wraps the group's methods by name: measurement only, nothing of the product
changes (the imports it makes, the member makes anyway). Steps: assigned, revoke, first fold, at_end (the
member's last record folded), encode / txn (a checkpoint's states encoded, its transaction), part (a
waiting member's partitions merged and published), waiting (logged once the call that began it, and
published the part, returned) / spec_wait / ended (the group's end), finish,
merged (the states decoded and merged), build_doc, write_doc, publish; catch_up is counted, not listed.
"""

from __future__ import annotations

import atexit
import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any

_FOLDER = os.environ.get("SPECBUILD_BENCH_TIMELINE")
_counts: dict[str, list[float]] = {}


def _event(name: str, **extra: Any) -> None:
    _out.write(json.dumps({"t": time.time(), "cpu": time.process_time(), "ev": name, **extra}) + "\n")


def _wrap(owner: Any, attr: str, name: str, first_only: bool = False, counted: bool = False) -> None:
    fn = getattr(owner, attr)
    calls = [0]

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if counted:
            t, c = time.time(), time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                total = _counts.setdefault(name, [0, 0.0, 0.0])
                total[0] += 1
                total[1] += time.time() - t
                total[2] += time.process_time() - c
        if first_only and calls[0] > 1:
            return fn(*args, **kwargs)
        _event(name + "+")
        try:
            return fn(*args, **kwargs)
        finally:
            _event(name + "-")

    setattr(owner, attr, wrapped)


def _once(owner: Any, attr: str, name: str, when: Callable[[Any, Any], bool]) -> None:
    """An event the first time ``when(self, result)`` holds after a call of ``owner.attr``."""
    fn = getattr(owner, attr)
    seen = [False]

    def wrapped(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = fn(self, *args, **kwargs)
        if not seen[0] and when(self, result):
            seen[0] = True
            _event(name)
        return result

    setattr(owner, attr, wrapped)


def _install() -> None:
    from specbuild.kafka import client, follow, group

    _wrap(group.Group, "assigned", "assigned")
    _wrap(follow.Follower, "_revoked", "revoke")
    _wrap(group.PartitionFolder, "add", "first_fold", first_only=True)
    _wrap(group.PartitionFolder, "take_states", "encode")
    _wrap(client.StateWriter, "commit", "txn")
    _wrap(client.StateWriter, "publish", "publish")
    _wrap(group.Group, "publish_part", "part")
    _wrap(group.Group, "finish", "finish")
    _wrap(group.DecodedStates, "merged", "merged")
    _wrap(group, "build_document", "build_doc")
    _wrap(group, "write_document", "write_doc")
    _wrap(client.StateReader, "catch_up", "catch_up", counted=True)
    _once(group.Group, "end_unsaved", "at_end", lambda _self, result: bool(result))
    _once(group.Group, "ended", "waiting", lambda self, _result: self.waiting_since is not None
          and bool(self.source and self.source.assigned))
    _once(group.Group, "ended", "spec_wait", lambda self, _result: self.spec_since is not None)
    _once(group.Group, "ended", "ended", lambda _self, result: bool(result))


if _FOLDER and "specbuild" in " ".join(getattr(sys, "orig_argv", sys.argv)):
    _out = open(os.path.join(_FOLDER, f"{os.getpid()}.jsonl"), "a", buffering=1)  # noqa: SIM115 - until exit
    _event("start")
    atexit.register(lambda: _event("atexit", counts=_counts))
    _install()
