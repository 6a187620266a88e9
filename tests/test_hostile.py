"""Issue 16's acceptance: a corpus of hostile records (tests/hostile.py) is learned or skipped, each skip
located, in about the time of a normal record per byte, and odd paths never become path keys as written.

The Kafka half of the criterion is in test_kafka_integration.py (it needs the broker fixture's session).
"""

from __future__ import annotations

import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from specbuild.errors import RecordError
from specbuild.io.files import dumps
from specbuild.io.validate import spec_problems
from specbuild.learn import native, state
from specbuild.learn.builder import SpecBuilder
from specbuild.run import Fold, build_document
from tests.helpers import FIXTURES, ROOT
from tests.hostile import FORBIDDEN_IN_PATH_KEYS, corpus

pytestmark = pytest.mark.timeout(120)

ENGINES = [pytest.param(False, id="pure"),
           pytest.param(True, id="native", marks=pytest.mark.skipif(not native.AVAILABLE, reason="not built"))]
SLOWER = 10          # a hostile record may cost this many normal records of its size...
FLOOR = 0.005        # ...plus this (seconds): timer noise and one-off costs on tiny records cannot fail it


def specbuild(*args: str, pure: bool) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPECBUILD_")}
    env["PYTHONPATH"] = str(ROOT)
    if pure:
        env["SPECBUILD_PURE"] = "1"
    return subprocess.run([sys.executable, "-m", "specbuild", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=90, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def records() -> list[tuple[str, bytes]]:
    return corpus()


@pytest.fixture(scope="module")
def corpus_file(records: list[tuple[str, bytes]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "corpus.jsonl"
    path.write_bytes(b"".join(raw + b"\n" for _, raw in records))
    return path


def skipped_lines(records: list[tuple[str, bytes]], accelerated: bool) -> dict[int, RecordError]:
    """Line -> error of every record one in-process fold skips (origins as a file replay gives them)."""
    errors: list[RecordError] = []
    fold = Fold(SpecBuilder(accelerated=accelerated), on_skip=errors.append)
    out = {}
    for line, (_, raw) in enumerate(records, 1):
        if not fold.add(raw, f"corpus.jsonl:{line}"):
            out[line] = errors[-1]
    return out


@pytest.mark.parametrize("accelerated", ENGINES)
def test_every_hostile_record_is_learned_or_skipped_with_its_line(records: list[tuple[str, bytes]],
                                                                   accelerated: bool) -> None:
    skipped = skipped_lines(records, accelerated)
    for line, err in skipped.items():
        name = records[line - 1][0]
        assert not name.startswith("normal"), f"{name} (line {line}) skipped: {err}"
        assert str(err).startswith(f"corpus.jsonl:{line}: "), (name, str(err))
        assert "\n" not in str(err) and len(str(err)) < 400, (name, str(err)[:400])
        if name.startswith("utf8-"):
            assert "invalid UTF-8 at byte " in str(err), (name, str(err))


@pytest.mark.parametrize("accelerated", ENGINES)
def test_a_file_build_of_the_corpus_exits_0_counts_every_record_and_writes_a_valid_spec(
        records: list[tuple[str, bytes]], corpus_file: Path, tmp_path: Path, accelerated: bool) -> None:
    out = tmp_path / "spec"
    r = specbuild("build", "-i", str(corpus_file), "-o", str(out), pure=not accelerated)
    assert r.returncode == 0, r.stderr[-3000:]
    counts = re.search(r"(\d+) records read, (\d+) learned, (\d+) skipped", r.stderr)
    assert counts is not None, r.stderr[-3000:]
    read, learned, skipped = map(int, counts.groups())
    expected = skipped_lines(records, accelerated)
    assert (read, skipped) == (len(records), len(expected)) and read == learned + skipped
    # The console shows the first 20 warnings one by one: each names its line, the lines the fold skips.
    shown = [int(m) for m in re.findall(r"^warning: corpus\.jsonl:(\d+): ", r.stderr, re.M)]
    assert shown == sorted(expected)[:len(shown)] and len(shown) == min(20, len(expected)), r.stderr[-3000:]

    doc = json.loads((out / "openapi.json").read_text())
    assert spec_problems(doc) == []
    for key in doc["paths"]:
        assert not any(bad in key for bad in FORBIDDEN_IN_PATH_KEYS), repr(key[:200])
    normal = specbuild("build", "-i", str(FIXTURES / "users.jsonl"), "-o", str(tmp_path / "users"), pure=True)
    assert normal.returncode == 0, normal.stderr
    for path, item in json.loads((tmp_path / "users" / "openapi.json").read_text())["paths"].items():
        assert path in doc["paths"], path
        assert set(item) <= set(doc["paths"][path]), path


def test_strict_stops_at_the_first_hostile_record_with_exit_2(records: list[tuple[str, bytes]],
                                                               corpus_file: Path, tmp_path: Path) -> None:
    first = min(skipped_lines(records, native.AVAILABLE))
    r = specbuild("build", "-i", str(corpus_file), "-o", str(tmp_path / "spec"), "--strict", pure=False)
    assert r.returncode == 2, r.stderr[-3000:]
    assert f"corpus.jsonl:{first}: " in r.stderr
    assert not (tmp_path / "spec" / "openapi.json").exists()


def fold_times(records: list[tuple[str, bytes]], accelerated: bool) -> dict[str, float]:
    """CPU seconds to fold each record: the best of five folds of the corpus, each into a fresh builder (a
    hostile record meets no cache its like has filled; a normal one meets those of the normal ones before
    it). CPU time, not wall time: on a shared machine a 20 ms fold is preempted where a 20 us one is not,
    and the best of five leaves out the folds a garbage collection fell in."""
    best: dict[str, float] = {}
    for _ in range(5):
        fold = Fold(SpecBuilder(accelerated=accelerated), on_skip=lambda err: None)
        for line, (name, raw) in enumerate(records, 1):
            started = time.thread_time()
            fold.add(raw, f"corpus.jsonl:{line}")
            took = time.thread_time() - started
            best[name] = min(took, best.get(name, took))
    return best


@pytest.mark.parametrize("accelerated", ENGINES)
def test_a_hostile_record_costs_at_most_10x_a_normal_record_of_its_size(records: list[tuple[str, bytes]],
                                                                         accelerated: bool) -> None:
    times = fold_times(records, accelerated)
    size = {name: len(raw) for name, raw in records}
    per_byte = statistics.median(t / size[n] for n, t in times.items() if n.startswith("normal"))
    report = {n: f"{t * 1000:.2f} ms ({size[n]} B)" for n, t in times.items() if not n.startswith("normal")}
    print(f"normal: {per_byte * 1e9:.1f} ns/B; " + ", ".join(f"{n}: {v}" for n, v in report.items()))
    slow = {n: report[n] for n, t in times.items() if t > SLOWER * per_byte * size[n] + FLOOR}
    assert not slow, f"slower than {SLOWER}x a normal record of their size: {slow}"


@pytest.mark.parametrize("accelerated", ENGINES)
def test_invented_path_words_stay_bounded_folded_whole_in_halves_or_resumed(accelerated: bool,
                                                                            tmp_path: Path) -> None:
    """Every record inventing its own path words (3 levels, 2,000 records): the positions past the word
    cap open, so the spec holds one path, not one per record; halves folded apart and merged (as shard
    workers are), and a fold resumed from its saved state, write the same bytes."""
    rnd = random.Random(16)

    def word() -> str:
        return "".join(rnd.choices("abcdefghijklmnopqrstuvwxyz", k=rnd.randint(5, 12)))

    lines = [(json.dumps({"request": {"method": "get", "path": f"/{word()}/v1/{word()}/{word()}"},
                          "response": {"statusCode": 200, "headers": {"content-type": "application/json"},
                                       "body": json.dumps({"id": i, "name": word()})}}).encode(), f"line {i}")
             for i in range(2000)]
    src = tmp_path / "invented.jsonl"
    src.write_bytes(b"".join(raw + b"\n" for raw, _ in lines))
    r = specbuild("-i", str(src), "-o", str(tmp_path / "out"), pure=not accelerated)
    assert r.returncode == 0, r.stderr
    spec = (tmp_path / "out" / "openapi.json").read_bytes()
    assert list(json.loads(spec)["paths"]) == ["/{name}/v1/{name2}/{name3}"]

    whole, half_a, half_b, first = (SpecBuilder(accelerated=accelerated) for _ in range(4))
    Fold(whole).feed(lines)
    Fold(half_a).feed(lines[::2])
    Fold(half_b).feed(lines[1::2])
    half_a.merge(half_b)
    Fold(first).feed(lines[:700])
    resumed, _ = state.decode(state.encode(first, {}), "state")
    Fold(resumed).feed(lines[700:])
    assert len(whole.templater.keys) == 1 and len(whole.operations) == 1
    assert dumps(build_document(half_a)) == dumps(build_document(whole)) == dumps(build_document(resumed))
