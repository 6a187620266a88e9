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

A member with ``--state local`` (``bench_kafka.py --timeline``) logs its own steps, and each process it forks
(the fold worker, the validator standby and its walk, the render's child) writes its own file from the fork on,
with its role: follow (the CLI imported), standby / pool (forked), open_source, first_batch, loop (the poll
and fold loop), checkpoint (sync, encode_ask, build_doc, write_doc, state_wait, encode, state_write, commit),
close, exit; in a worker fold (counted), parts, merge_own, encode; poll and add are counted.
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
    _out.write(json.dumps({"t": time.time(), "cpu": time.process_time(), "ev": name, "rss": _rss(), **extra}) + "\n")


def _rss() -> int:
    """This process's resident memory now, in MiB (its peak is in the exit events: ``hwm``)."""
    with open("/proc/self/statm", "rb") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") >> 20


def _hwm() -> int:
    """This process's peak resident memory so far, in MiB."""
    with open("/proc/self/status", "rb") as fh:
        for line in fh:
            if line.startswith(b"VmHWM:"):
                return int(line.split()[1]) >> 10
    return 0


def _wrap(owner: Any, attr: str, name: str, first_only: bool = False, counted: bool = False) -> None:
    fn = getattr(owner, attr, None)
    if fn is None:  # another tree's (an A/B run): not there, not timed
        return
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


def _reopen(role: str) -> None:
    """A forked child writes its own file from here on (it inherited the parent's), named by its role."""
    global _out
    _out = open(os.path.join(_FOLDER or ".", f"{os.getpid()}.jsonl"), "a", buffering=1)  # noqa: SIM115
    _counts.clear()
    _event("forked", role=role)


def _role(owner: Any, attr: str, role: str) -> None:
    """A process that runs ``owner.attr`` as its life (a forked target): its role, and its end (a forked
    process leaves by os._exit: no atexit)."""
    fn = getattr(owner, attr)

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        _reopen(role)
        try:
            return fn(*args, **kwargs)
        finally:
            _event("exit", counts=_counts, hwm=_hwm())

    setattr(owner, attr, wrapped)


def _install_local() -> None:
    from specbuild import parallel, run
    from specbuild.io import validate
    from specbuild.kafka import checkpoint, client, follow, pool
    from specbuild.learn import builder, state

    _wrap(follow, "follow", "follow")
    _wrap(follow, "_standby", "standby")
    _wrap(pool.PoolFolder, "__init__", "pool")
    _wrap(follow, "open_source", "open_source")
    _once(client.KafkaSource, "poll", "first_batch", lambda _self, result: bool(result.records))
    if os.environ.get("SPECBUILD_BENCH_TIMELINE_POLLS"):  # every poll and every batch handed to the folder
        _wrap(client.KafkaSource, "poll", "poll")
        _wrap(pool.PoolFolder, "add", "dispatch")
    else:
        _wrap(client.KafkaSource, "poll", "poll", counted=True)
    _wrap(pool.LocalFolder, "add", "add", counted=True)
    _wrap(follow.Follower, "_loop", "loop")
    _wrap(follow.Follower, "checkpoint", "checkpoint")
    _wrap(pool.PoolFolder, "sync", "sync")
    _wrap(pool.PoolFolder, "encode_state", "encode_ask")
    _wrap(checkpoint, "build_serialised", "build_doc")
    _wrap(run, "check_built_spec", "validate")
    _wrap(checkpoint, "write_document", "write_doc")
    _wrap(checkpoint, "encode_state", "encode_here")
    _wrap(checkpoint, "write_atomic", "state_write")
    _wrap(client.KafkaSource, "commit", "commit")
    _wrap(client.KafkaSource, "close", "close")
    _wrap(pool.PoolFolder, "close", "pool_close")
    _wrap(pool, "operation_parts", "parts")
    _wrap(builder.SpecBuilder, "merge_parts", "merge_parts")
    _wrap(state, "encode", "encode")
    _role(pool, "_fold_worker", "worker")
    _role(parallel, "_stand_by", "standby")
    _role(parallel, "_answer", "forked")
    _ = validate


def _install() -> None:
    from specbuild.kafka import client, follow, group

    if os.environ.get("SPECBUILD_BENCH_TIMELINE_LOCAL"):
        _install_local()
        return

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
    atexit.register(lambda: _event("atexit", counts=_counts, hwm=_hwm()))
    _install()
