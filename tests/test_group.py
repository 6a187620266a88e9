"""A group's states (specbuild.kafka.group): a builder per partition whose merge is the spec of one
builder; a state's positions read without its builder; the options that choose a state topic.

The group on a real broker (transactions, rebalances, kill -9): tests/test_kafka_group.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from specbuild.errors import InputError
from specbuild.io.files import dumps
from specbuild.kafka.client import state_key
from specbuild.kafka.group import PartitionFolder, behind_ends, merged
from specbuild.learn import state as codec
from specbuild.learn.builder import SpecBuilder
from specbuild.run import Fold, build_document
from tests.helpers import FIXTURES, ROOT, record

LINES = [ln for ln in (FIXTURES / "users.jsonl").read_bytes().splitlines() if ln.strip()]
LINES += [json.dumps(record("get", f"/orders/{i}", resp={"id": i, "n": i * 0.5})).encode() for i in range(60)]


def spread(lines: list[bytes], partitions: int) -> list[tuple[bytes | None, str]]:
    """Records as a poll returns them: runs of one partition, each partition's offsets in order."""
    offsets = [0] * partitions
    out: list[tuple[bytes | None, str]] = []
    for i, line in enumerate(lines):
        p = (i // 5) % partitions
        out.append((line, f"http.v1[{p}]@{offsets[p]}"))
        offsets[p] += 1
    return out


def folder() -> PartitionFolder:
    return PartitionFolder(SpecBuilder(), lambda b, stats: Fold(b, stats=stats))


def test_each_partition_folds_into_its_own_builder_and_their_merge_is_one_builders_spec() -> None:
    parts = folder()
    records = spread(LINES, 3)
    parts.add(records[:50])
    parts.add(records[50:])
    assert sorted(parts.folders) == [("http.v1", 0), ("http.v1", 1), ("http.v1", 2)]
    assert parts.stats.read == parts.dispatched == len(LINES)
    assert sum(f.fold.builder.exchanges for f in parts.folders.values()) == len(LINES)
    positions = {p: 1000 + p[1] for p in parts.folders}
    states = parts.take_states(positions)
    assert parts.take_states(positions) == {}  # nothing folded since
    one = SpecBuilder()
    Fold(one).feed([(line, "x") for line in LINES])
    latest = {state_key(p): data for p, data in states.items()}
    assert dumps(build_document(merged(latest, "st"))) == dumps(build_document(one))
    # a merge takes over what it is given: the states are decoded afresh each time, so a second is the same
    assert dumps(build_document(merged(latest, "st"))) == dumps(build_document(one))


def test_a_dropped_partition_is_no_longer_folded_or_saved() -> None:
    parts = folder()
    parts.add(spread(LINES, 2))
    parts.drop([("http.v1", 1)])
    assert list(parts.take_states({("http.v1", 0): 5, ("http.v1", 1): 7})) == [("http.v1", 0)]


def test_a_states_positions_are_read_without_its_builder() -> None:
    b = SpecBuilder()
    Fold(b).feed([(line, "x") for line in LINES])
    positions = {("a.b", 0): 12, ("a.b", 3): 7, ("c", 1): 0}
    data = codec.encode(b, positions)
    assert codec.decode_positions(data) == positions == codec.decode(data, "s")[1]
    with pytest.raises(InputError, match="cannot read the saved state"):
        codec.decode_positions(data[:-2], "st[a.b:0]")


def test_partitions_whose_state_is_short_of_the_end_are_behind() -> None:
    b = SpecBuilder()
    latest = {"t:0": codec.encode(b, {("t", 0): 10}), "t:1": codec.encode(b, {("t", 1): 4})}
    ends = {("t", 0): 10, ("t", 1): 5, ("t", 2): 0, ("t", 3): 2}
    assert behind_ends(latest, ends) == [("t", 1), ("t", 3)]


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPECBUILD_")}
    return subprocess.run([sys.executable, "-m", "specbuild", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**env, "PYTHONPATH": str(ROOT)}, timeout=60, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize(("args", "message"), [
    (["--state", "kafka", "-o", "-"], "--state kafka needs -o DIR"),
    (["--state", "local", "--state-topic", "st", "-o", "out"], "--state-topic is for --state kafka"),
    (["--state-topic", "st", "--reset-state", "-o", "out"], "the group's states are in its state topic"),
])
def test_state_options_that_cannot_work_together_are_refused(args: list[str], message: str) -> None:
    r = cli("--source", "kafka", "-b", "127.0.0.1:1", *args)
    assert r.returncode == 2, r.stderr
    assert message in r.stderr


def test_a_state_option_is_refused_for_a_file_build() -> None:
    r = cli("-i", str(FIXTURES / "users.jsonl"), "--state", "kafka", "-o", "-")
    assert r.returncode == 2
    assert "--state" in r.stderr

