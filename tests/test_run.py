"""run: the fold loop, and sharded replay that must equal the plain one byte for byte."""

from __future__ import annotations

import gc
import json
import multiprocessing
import multiprocessing.queues
import random
import sys
import weakref
from collections import Counter
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from specbuild import parallel, run
from specbuild.errors import RecordError
from specbuild.filters import RecordFilter
from specbuild.io import validate
from specbuild.io.files import dumps
from specbuild.io.jsonl import iter_lines
from specbuild.kafka.pool import LocalFolder
from specbuild.learn import render as render_module
from specbuild.learn.builder import SpecBuilder
from specbuild.learn.collector import held
from specbuild.records import Exchange
from specbuild.run import Fold, Stats, build_document, feed_sharded, nothing_learned, plan_shards
from tests.helpers import FIXTURES, record


def sequential(path: Path) -> tuple[bytes, list[str], Fold]:
    seen: list[str] = []
    fold = Fold(SpecBuilder(), on_skip=lambda e: seen.append(str(e)))
    fold.feed(iter_lines(str(path)))
    return dumps(build_document(fold.builder)), seen, fold


def sharded(path: Path, jobs: int) -> tuple[bytes, list[str], Fold]:
    seen: list[str] = []
    fold = Fold(SpecBuilder(), on_skip=lambda e: seen.append(str(e)))
    shards = plan_shards(str(path), jobs, min_bytes=0)
    assert len(shards) == jobs
    feed_sharded(fold, shards)
    # validated as `build -j N` does: half in a forked process where this one may fork (else here)
    return dumps(build_document(fold.builder, elsewhere=parallel.forked)), seen, fold


@pytest.mark.parametrize("method", ["fork", "spawn"])
@pytest.mark.parametrize("name", ["users.jsonl", "messy.jsonl"])
def test_sharded_replay_equals_sequential(name: str, method: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers forked (Linux, no other thread) or spawned (elsewhere, or with rich's live line running)."""
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} start method here")
    monkeypatch.setattr(parallel, "start_method", lambda: method)
    doc, warnings, fold = sequential(FIXTURES / name)
    doc3, warnings3, fold3 = sharded(FIXTURES / name, 3)
    assert doc3 == doc
    assert warnings3 == warnings  # same messages, same file:line, same order
    assert fold3.stats.skipped == fold.stats.skipped and fold3.stats.read == fold.stats.read
    assert (fold3.stats.malformed, fold3.stats.first_malformed) == (fold.stats.malformed, fold.stats.first_malformed)


def test_the_first_too_large_body_is_named_by_its_line_in_the_file_however_it_is_sharded() -> None:
    """The summary's "over --max-body-bytes" line says where the first one was: a shard's line is the file's."""
    located = []
    for jobs in (1, 3):
        fold = Fold(SpecBuilder(), max_body_bytes=10_000)
        if jobs == 1:
            fold.feed(iter_lines(str(FIXTURES / "messy.jsonl")))
        else:
            feed_sharded(fold, plan_shards(str(FIXTURES / "messy.jsonl"), jobs, min_bytes=0))
        located.append((fold.stats.too_large, fold.stats.first_too_large))
    assert located[0] == located[1] == (
        1, ("messy.jsonl:19", "response body of 20,036 characters is over --max-body-bytes 10,000"))


def test_sharded_strict_raises_the_first_bad_line() -> None:
    fold = Fold(SpecBuilder(), strict=True)
    with pytest.raises(RecordError) as info:
        feed_sharded(fold, plan_shards(str(FIXTURES / "messy.jsonl"), 2, min_bytes=0))
    assert info.value.origin == "messy.jsonl:11"


def test_strict_makes_a_body_that_is_not_json_the_records_error(tmp_path: Path) -> None:
    """Without --strict such a record is learned and its body left out; with it, the run stops there."""
    good = json.dumps(record(path="/users", resp={"id": 1}))
    bad = json.loads(good)
    bad["response"]["body"] = "Internal error"
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join([good, good, json.dumps(bad), good]) + "\n")
    lenient = Fold(SpecBuilder())
    lenient.feed(iter_lines(str(path)))
    assert lenient.stats.learned == 4 and lenient.stats.malformed == 1 and not lenient.stats.skipped
    for feed in (lambda f: f.feed(iter_lines(str(path))),
                 lambda f: feed_sharded(f, plan_shards(str(path), 2, min_bytes=0))):
        with pytest.raises(RecordError) as info:
            feed(Fold(SpecBuilder(), strict=True))
        assert (info.value.reason, info.value.origin) == ("bad-json-body", "r.jsonl:3")


def test_a_shard_is_half_the_size_threshold_at_least_whatever_jobs_asks() -> None:
    """-j 1000 started 1,000 processes for a 56 MB file: 83 s instead of 3."""
    size = (FIXTURES / "users.jsonl").stat().st_size
    assert len(plan_shards(str(FIXTURES / "users.jsonl"), 1000, min_bytes=size // 2)) == 4


def test_no_shards_for_small_gzip_or_stdin(tmp_path: Path) -> None:
    assert plan_shards(str(FIXTURES / "users.jsonl"), 4) == []   # under the size threshold
    assert plan_shards("-", 4, min_bytes=0) == []
    gz = tmp_path / "x.jsonl"
    gz.write_bytes(b"\x1f\x8b" + b"0" * 100)
    assert plan_shards(str(gz), 4, min_bytes=0) == []


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_sharded_replay_skips_a_byte_order_mark_like_the_plain_reader(
        tmp_path: Path, method: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shard reader re-read the file without the BOM rule: ``not-json`` at line 1 of a large file."""
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} start method here")
    monkeypatch.setattr(parallel, "start_method", lambda: method)
    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(b"\xef\xbb\xbf" + (FIXTURES / "users.jsonl").read_bytes())
    doc, warnings, fold = sequential(bom)
    doc3, warnings3, fold3 = sharded(bom, 3)
    assert warnings == [] and fold.stats.read == fold.stats.learned == 144
    assert warnings3 == [] and not fold3.stats.skipped
    assert fold3.stats.read == fold3.stats.learned == 144
    assert doc3 == doc


def test_feed_stops_when_asked() -> None:
    fold = Fold(SpecBuilder())
    lines = list(iter_lines(str(FIXTURES / "users.jsonl")))
    fold.feed(lines, should_stop=lambda: True)
    assert fold.stats.read == 64


# --- hostile records: one bad record never stops the stream -------------------------------------


def _hostile(tmp_path: Path) -> Path:
    """users.jsonl with, among its records, a path deeper than any API, a 100k-character segment, and
    bodies nested deeper than serde_json's (128) and orjson's (1024) limits."""
    lines = (FIXTURES / "users.jsonl").read_text().splitlines()[:6]
    def nested(path: str, body: str) -> str:
        return json.dumps({"request": {"method": "post", "pathname": path, "headers": {
            "content-type": "application/json"}, "body": body}, "response": {"statusCode": 201}})

    deep_bodies = [nested("/deep", '{"a":' * 500 + "1" + "}" * 500), nested("/deeper", "[" * 3000 + "]" * 3000)]
    hostile = [json.dumps({**json.loads(lines[0]), "request": {**json.loads(lines[0])["request"], "pathname": p}})
               for p in ("/a" * 600, "/files/" + "x" * 100_000)]
    path = tmp_path / "hostile.jsonl"
    path.write_text("\n".join([*lines[:2], hostile[0], *lines[2:4], hostile[1], *deep_bodies, *lines[4:]]) + "\n")
    return path


@pytest.mark.parametrize("accelerated", [True, False])
def test_a_hostile_record_is_skipped_and_located_not_fatal(tmp_path: Path, accelerated: bool) -> None:
    seen: list[RecordError] = []
    fold = Fold(SpecBuilder(accelerated=accelerated), on_skip=seen.append)
    fold.feed(iter_lines(str(_hostile(tmp_path))))
    doc = build_document(fold.builder)
    assert [(e.reason, e.origin) for e in seen] == [("too-deep", "hostile.jsonl:3")]
    assert fold.stats.read == 10 and fold.stats.learned == 9
    # orjson's depth limit: the record is learned, its body left out, and the summary can say where
    assert fold.stats.malformed == 1 and fold.stats.first_malformed is not None
    assert fold.stats.first_malformed[0] == "hostile.jsonl:8"
    assert "/files/{fileId}" in doc["paths"] or any(p.startswith("/files/") for p in doc["paths"])
    assert "/deep" in doc["paths"]


def test_a_recursion_error_in_one_record_is_a_record_error() -> None:
    """The last guard: whatever one record recurses too deep for skips it (counted, located)."""
    class Sink(SpecBuilder):
        def add(self, ex: Exchange) -> None:
            if ex.path == "/boom":
                raise RecursionError("maximum recursion depth exceeded")
            super().add(ex)

    fold = Fold(Sink(accelerated=False))
    good = json.dumps(record(path="/users")).encode()
    assert fold.add(good, "a:1") and not fold.add(json.dumps(record(path="/boom")).encode(), "a:2")
    assert fold.add(good, "a:3")
    assert fold.stats.skipped == {"too-deep": 1} and fold.stats.learned == 2


def test_the_kafka_fold_dead_letters_a_hostile_record(tmp_path: Path) -> None:
    letters: list[tuple[bytes | None, RecordError]] = []

    class Bad:
        def write(self, raw: bytes | None, err: RecordError) -> None:
            letters.append((raw, err))

    folder = LocalFolder(Fold(SpecBuilder()), Bad())
    raws = [raw for raw, _ in iter_lines(str(_hostile(tmp_path)))]
    folder.add([(raw if isinstance(raw, bytes) else raw.encode(), f"t[0]@{i}") for i, raw in enumerate(raws)])
    assert [(err.reason, err.origin) for _, err in letters] == [("too-deep", "t[0]@2")]
    assert letters[0][0] is not None and letters[0][0].count(b"/a") == 600
    assert folder.stats.learned == 9 and folder.stats.malformed == 1


# --- batches: Fold.add_many folds as add does, record by record ------------------------------------


def _mixed_batch() -> list[tuple[bytes, str]]:
    """Plain records, one the native decoder leaves to records.decode (a ``url`` target), one that is no
    JSON, one whose path is deeper than any API, one of another host (filtered): in this order."""
    plain = [json.dumps(record(path=f"/users/{i}", resp={"id": i, "name": "x"})).encode() for i in range(4)]
    odd = json.dumps({"request": {"method": "GET", "url": "https://api.example.com/users/9?q=1"},
                      "response": {"statusCode": 200}}).encode()
    deep = json.dumps(record(path="/a" * 600)).encode()
    other = json.dumps(record(path="/users/5", host="elsewhere.example")).encode()
    raws = [plain[0], odd, plain[1], b"{not json", deep, plain[2], other, plain[3]]
    return [(raw, f"b:{i + 1}") for i, raw in enumerate(raws)]


@pytest.mark.parametrize("accelerated", [True, False])
def test_a_batch_folds_as_its_records_one_by_one(accelerated: bool) -> None:
    folds: list[Fold[SpecBuilder]] = []
    warnings: list[list[tuple[str, str]]] = []
    for _ in range(2):
        seen: list[tuple[str, str]] = []
        warnings.append(seen)
        folds.append(Fold(SpecBuilder(accelerated=accelerated), keep=RecordFilter.of(hosts=["api.example.com"]),
                          on_skip=lambda e, seen=seen: seen.append((e.reason, e.origin))))
    batch = _mixed_batch()
    assert folds[0].add_many(batch) == [3, 4]
    assert [ok for raw, origin in batch if not (ok := folds[1].add(raw, origin))] == [False, False]
    assert warnings[0] == warnings[1] == [("not-json", "b:4"), ("too-deep", "b:5")]
    one, other = (f.stats for f in folds)
    assert (one.read, one.learned, one.filtered, one.skipped) == (other.read, other.learned, other.filtered,
                                                                  other.skipped) == (8, 5, 1, {"not-json": 1,
                                                                                               "too-deep": 1})
    assert dumps(build_document(folds[0].builder)) == dumps(build_document(folds[1].builder))


def test_a_strict_batch_stops_at_its_first_bad_record() -> None:
    fold = Fold(SpecBuilder(), strict=True)
    with pytest.raises(RecordError) as info:
        fold.add_many(_mixed_batch())
    assert info.value.origin == "b:4" and fold.stats.learned == 3  # the records after it are not folded


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_sharded_warnings_name_their_lines_across_batches(
        tmp_path: Path, method: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Bad lines inside and at the ends of 64-record batches, blank lines between: each warning names
    its line, as the plain reader's do."""
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} start method here")
    monkeypatch.setattr(parallel, "start_method", lambda: method)
    lines = (FIXTURES / "users.jsonl").read_bytes().splitlines()
    for at in (140, 129, 128, 64, 63, 5, 1):
        lines[at:at] = [b"{bad" + str(at).encode(), b""]
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    doc, warnings, fold = sequential(path)
    doc2, warnings2, fold2 = sharded(path, 2)
    assert len(warnings) == 7 and warnings2 == warnings
    assert fold2.stats.read == fold.stats.read == 151 and doc2 == doc


def test_the_kafka_fold_dead_letters_the_bad_records_between_tombstones() -> None:
    letters: list[tuple[bytes | None, str]] = []

    class Bad:
        def write(self, raw: bytes | None, err: RecordError) -> None:
            letters.append((raw, err.origin))

    folder = LocalFolder(Fold(SpecBuilder()), Bad())
    batch: list[tuple[bytes | None, str]] = list(_mixed_batch())
    batch[2:2] = [(None, "t[0]@tomb")]
    folder.add(batch)
    assert letters == [(None, "t[0]@tomb"), (b"{not json", "b:4"), (batch[5][0], "b:5")]
    assert folder.stats.read == 9 and folder.stats.learned == 6 and folder.dispatched == 9


def test_nothing_learned_hints_at_what_left_out_most() -> None:
    """5,000 records filtered out and 14 not JSON hinted at -i's formats, not at the filters."""
    mostly_filtered = Stats(read=5_014, filtered=5_000, skipped=Counter({"not-json": 14}))
    why, hint = nothing_learned(mostly_filtered, "rec.jsonl", "--include-path '/api/**'")
    assert why == "nothing learned from rec.jsonl: of 5,014 records, 5,000 were filtered out and 14 skipped " \
                  "(not-json: 14)"
    assert hint is not None and hint.startswith("the filters left nothing")
    mostly_bad = Stats(read=5_014, filtered=14, skipped=Counter({"not-json": 5_000}))
    assert nothing_learned(mostly_bad, "rec.jsonl")[1] == "-i reads JSONL or a JSON array of HTTP Types records, " \
                                                          "or HAR 1.2"


def test_one_record_is_counted_in_the_singular() -> None:
    """A run of one record says "1 record", "the one record was", "1 path, 1 operation", not "1 records"."""
    from specbuild.cli.console import summary_lines

    one = Stats(read=1, skipped=Counter({"not-json": 1}))
    assert nothing_learned(one, "rec.jsonl")[0] == "nothing learned from rec.jsonl: the one record was skipped " \
                                                   "(not-json: 1)"
    assert nothing_learned(Stats(read=1, filtered=1), "rec.jsonl", "--host x")[0] == \
        "nothing learned: the one record was filtered out (--host x)"
    learned = Stats(read=1, learned=1, too_large=1)
    lines = summary_lines(learned, paths=1, operations=1, target=None)
    assert lines[0] == "specbuild: 1 record read, 1 learned, 0 skipped"
    assert lines[1].startswith("specbuild: 1 record had a body over --max-body-bytes")
    assert lines[2].startswith("specbuild: 1 path, 1 operation in ")
    assert summary_lines(Stats(read=2, learned=2), paths=2, operations=3, target=None)[1].startswith(
        "specbuild: 2 paths, 3 operations in ")


@pytest.mark.skipif(sys.platform != "linux", reason="a standby is forked (Linux only: start_method)")
def test_a_build_folding_alone_is_validated_by_a_standby_made_ready_meanwhile(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """One process folding on a machine of several cores: a standby imports and first uses the validator
    meanwhile, then judges the document (the same bytes written); beside shards it gets ready only once
    they are merged (their processes take every core until then); none on one core."""
    monkeypatch.setattr(parallel, "start_method", lambda: "fork")  # (pytest may run a thread of its own)
    monkeypatch.setattr(validate, "_VERDICTS", validate._Verdicts(8))  # judged anew, not remembered
    monkeypatch.setattr(run, "cores", lambda: 2)
    path = str(FIXTURES / "users.jsonl")
    shards = plan_shards(path, 2, min_bytes=0)
    with run.validator_standby(shards) or pytest.fail("no standby beside shards") as beside:
        told: list[Any] = []
        monkeypatch.setattr(beside, "later", told.append)
        run.ready_standby(beside, [])
        assert told == []
        run.ready_standby(beside, shards)
        assert told == [validate.warm]
    standby = run.validator_standby(plan_shards(path, 1))
    assert standby is not None
    sent: list[Any] = []

    def watched(task: Any) -> Any:
        sent.append(task)
        return standby(task)

    with standby:
        fold = Fold(SpecBuilder())
        fold.feed(iter_lines(path))
        learned = build_document(fold.builder, elsewhere=parallel.forked, ready=watched)
        assert dumps(learned) == sequential(FIXTURES / "users.jsonl")[0]
    assert len(sent) == 1
    monkeypatch.setattr(run, "cores", lambda: 1)
    assert run.validator_standby([]) is None


@pytest.mark.skipif(sys.platform != "linux", reason="a standby is forked (Linux only: start_method)")
def test_the_document_is_serialised_while_the_standby_judges_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """build_serialised: the text written is made after the document is sent to the standby and before
    its verdict is waited for (that wait was idle), and it is the bytes write_document would write."""
    monkeypatch.setattr(parallel, "start_method", lambda: "fork")
    monkeypatch.setattr(validate, "_VERDICTS", validate._Verdicts(8))
    monkeypatch.setattr(run, "cores", lambda: 2)
    path = str(FIXTURES / "users.jsonl")
    events: list[str] = []
    serialise = run.dumps

    def dumped(doc: Any, fmt: str = "json") -> bytes:
        events.append("serialised")
        return serialise(doc, fmt)

    monkeypatch.setattr(run, "dumps", dumped)
    with run.validator_standby([]) or pytest.fail("no standby") as standby:
        def watched(task: Any) -> Any:
            events.append("sent")
            wait = standby(task)
            assert wait is not None
            return lambda: (events.append("waited"), wait())[1]

        fold = Fold(SpecBuilder())
        fold.feed(iter_lines(path))
        doc, text = run.build_serialised(fold.builder, ready=watched)
    assert events == ["sent", "serialised", "waited"]
    assert text == serialise(doc) == sequential(FIXTURES / "users.jsonl")[0]
    _, yaml_text = run.build_serialised(fold.builder, fmt="yaml")  # judged before: remembered, then serialised
    assert yaml_text == serialise(doc, "yaml")


@pytest.mark.skipif(sys.platform != "linux", reason="forked (Linux only: start_method)")
def test_half_the_operations_are_rendered_in_a_forked_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """A build's ``elsewhere`` renders every other operation in a forked child: the same document."""
    monkeypatch.setattr(parallel, "start_method", lambda: "fork")
    monkeypatch.setattr(render_module, "ELSEWHERE_MIN_KEYS", 0)
    forks: list[Any] = []

    def counted(task: Any) -> Any:
        forks.append(task)
        return parallel.forked(task)

    for name in ("users.jsonl", "messy.jsonl"):
        fold = Fold(SpecBuilder())
        fold.feed(iter_lines(str(FIXTURES / name)))
        assert dumps(run.build_document(fold.builder, elsewhere=counted)) == sequential(FIXTURES / name)[0]
    assert [task.func for task in forks if getattr(task, "func", None) is render_module._rendered_text] == [
        render_module._rendered_text] * 2  # (beside the validator's walk, when it is not remembered)


@pytest.mark.parametrize("validator", [True, False], ids=["validated-here", "by-a-standby"])
def test_a_sharded_fold_imports_the_validator_only_for_this_process(
        monkeypatch: pytest.MonkeyPatch, validator: bool) -> None:
    """While it waits for the workers, this process imports the validator it will need, unless a standby
    validates (~0.09 s of CPU and the memory of pydantic's modules, for nothing)."""
    imports: list[bool] = []
    monkeypatch.setattr(run, "import_validator", lambda: imports.append(True))
    monkeypatch.setattr(multiprocessing.queues.Queue, "empty", lambda self: True)  # it waits for each answer
    fold = Fold(SpecBuilder())
    feed_sharded(fold, plan_shards(str(FIXTURES / "users.jsonl"), 2, min_bytes=0), validator=validator)
    assert fold.stats.learned > 0
    assert bool(imports) is validator


def test_a_workers_builder_is_taken_in_with_the_collector_paused(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker's builder is hundreds of thousands of objects and no cycle: collections while it is
    unpickled and merged only walk the heap again (0.1 s of the parent's CPU on the 100k mix at -j 2)."""
    seen: list[bool] = []
    result, merge_parts = run._Arrivals.result, SpecBuilder.merge_parts

    def received(self: Any, i: int) -> Any:
        seen.append(gc.isenabled())
        return result(self, i)

    def merged(self: Any, *args: Any, **kwargs: Any) -> None:
        seen.append(gc.isenabled())
        merge_parts(self, *args, **kwargs)

    monkeypatch.setattr(run._Arrivals, "result", received)
    monkeypatch.setattr(SpecBuilder, "merge_parts", merged)
    assert gc.isenabled()
    doc, _, _ = sharded(FIXTURES / "users.jsonl", 3)
    assert len(seen) >= 4 and not any(seen) and gc.isenabled()  # two received, each merged
    assert doc == sequential(FIXTURES / "users.jsonl")[0]


def test_keys_only_a_worker_folded_count_in_their_template(tmp_path: Path) -> None:
    """-j 2 keeps a worker's state of a key this process never saw as the bytes it came in; the render
    merges a template's keys as copies, and dropped those states (native Acc.merge_copy read only a
    loaded root): request and response counts, ``required``, properties differed from -j 1's."""
    rng = random.Random(3)
    words = ["".join(rng.choice("abcdefghijkmnpqrstuvwxyz") for _ in range(8)) for _ in range(120)]
    path = tmp_path / "members.jsonl"
    with path.open("w") as fh:
        for i in range(400):  # the second half's keys only in the second shard
            word = words[i % 60] if i < 200 else words[60 + i % 60]
            fh.write(json.dumps(record(method="POST", path=f"/portfolios/{word}/addMembers",
                                       body={"data": {"members": f"u{i}", "note": "n" if i % 3 else None}},
                                       resp={"data": {"gid": str(i), "name": "p"}})) + "\n")
    doc, _, fold = sequential(path)
    assert len(fold.builder.operations) == 120
    assert sharded(path, 2)[0] == doc


# --- a shard's lines: read ahead in whole lines, handed out as the line-by-line reader did ---------


def _readline_batches(data: bytes, start: int, end: int) -> list[tuple[list[bytes], list[int]]]:
    """What fold_shard read before _Lines, a readline() at a time: (records, their lines) per batch."""
    out, line, at = [], 0, start
    batch: list[bytes] = []
    lines: list[int] = []
    for raw in data[start:end].splitlines(keepends=True):
        line += 1
        at += len(raw)
        if line == 1 and start == 0:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        if raw and not raw.isspace():
            batch.append(raw)
            lines.append(line)
    for i in range(0, len(batch), run.BATCH):
        out.append((batch[i:i + run.BATCH], lines[i:i + run.BATCH]))
    return out


@pytest.mark.parametrize("read_ahead", [1, 7, 300, 1 << 18])
def test_a_shards_lines_are_the_readline_readers_whatever_is_read_ahead(
        tmp_path: Path, read_ahead: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """readlines(hint) reads on past the hint (and the shard's end) to a line's end: the lines of the
    next shard must not come in, nor blank lines, nor the byte order mark."""
    monkeypatch.setattr(run, "READ_AHEAD", read_ahead)
    rng = random.Random(read_ahead)
    lines = [b"\xef\xbb\xbf{\"a\": 0}"] + [rng.choice([b"", b"  ", b"{\"n\": %d}" % i * rng.randint(1, 9)])
                                              for i in range(400)]
    data = b"\n".join(lines)  # no newline at the end
    path = tmp_path / "lines.jsonl"
    path.write_bytes(data)
    cuts = [0, *sorted({data.index(b"\n", rng.randrange(len(data) - 1)) + 1 for _ in range(5)}), len(data)]
    for start, end in pairwise(cuts):
        with open(path, "rb") as fh:
            fh.seek(start)
            reader = run._Lines(fh, end - start, start == 0)
            got = []
            while batch := reader.batch():
                got.append((batch[0], list(batch[1])))
        expected = _readline_batches(data, start, end)
        flat = [(raw, n) for raws, ns in got for raw, n in zip(raws, ns, strict=True)]
        assert flat == [(raw, n) for raws, ns in expected for raw, n in zip(raws, ns, strict=True)]
        assert all(len(raws) <= run.BATCH for raws, _ in got)
        assert (reader.position, reader.line) == (end - start, len(data[start:end].splitlines()))


def test_a_shard_stopped_counts_the_lines_it_did_not_fold(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stopped mid-shard, the lines read ahead and those still in the file are counted: the next
    shard's warnings name their lines."""
    monkeypatch.setattr(run, "READ_AHEAD", 5000)
    path = tmp_path / "many.jsonl"
    path.write_bytes(b"".join(b"{\"n\": %d}\n" % i for i in range(1000)))
    with open(path, "rb") as fh:
        reader = run._Lines(fh, path.stat().st_size, True)
        raws, lines = reader.batch() or ([], [])
        assert (len(raws), list(lines)[-1], reader.position) == (64, 64, sum(map(len, raws)))
        assert reader.line + reader.unread() == 1000


def test_a_shard_is_folded_with_the_collector_paused(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fold makes no cycles; collections set off by its allocations only walked the growing builder."""
    seen: list[bool] = []
    add_raws = Fold.add_raws

    def folded(self: Any, *args: Any) -> list[int]:
        seen.append(gc.isenabled())
        return add_raws(self, *args)

    monkeypatch.setattr(Fold, "add_raws", folded)
    path = FIXTURES / "users.jsonl"
    result = run.fold_shard(run.Shard(str(path), path.name, 0, path.stat().st_size), SpecBuilder(), False,
                            1 << 20, 64)
    assert seen and not any(seen) and gc.isenabled() and result.stats.learned == 144


def test_a_shard_worker_folds_and_sends_with_the_collector_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker ends once its parts are sent: no collection walks its builder, the pickling of its parts (by
    the queue's feeder thread) included; before, one set off there walked it all (0.06 s on the 100k mix)."""
    sent: list[tuple[bool, Any]] = []

    class Outbox:
        def put(self, message: Any) -> None:
            sent.append((gc.isenabled(), message))

    def exit_sent(outbox: Any) -> None:
        sent.append((gc.isenabled(), "exit"))

    monkeypatch.setattr(run, "exit_sent", exit_sent)
    monkeypatch.setattr(run, "exit_if_orphaned", lambda: False)  # this process is no worker: its parent is pytest's
    path = FIXTURES / "users.jsonl"
    try:
        run._shard_worker(1, run.Shard(str(path), path.name, 0, path.stat().st_size), SpecBuilder(), False,
                          1 << 20, 64, None, [0, 0, 0, 0, 0], Outbox())
    finally:
        gc.enable()  # this test's process goes on
    assert [enabled for enabled, _ in sent] == [False] * len(sent) and sent[-1][1] == "exit"
    assert sent[0][1][1][0].stats.learned == 144 and len(sent) == 2 + sent[0][1][1][1]  # result, parts, exit


def test_a_held_run_leaves_what_it_built_out_of_the_collectors_walks() -> None:
    """collector.held: no collection inside; what is alive at its end is frozen (never walked again), and the
    collector is as it was."""
    frozen = gc.get_freeze_count()
    try:
        with held():
            assert not gc.isenabled()
            built = [[i] for i in range(1000)]
        assert gc.isenabled() and gc.get_freeze_count() >= frozen + len(built)
        with held():
            gc.disable()
        assert gc.isenabled()
        gc.disable()
        with held():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()


def test_a_feed_folds_with_the_collector_paused_and_sweeps_the_young(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fold.feed pauses the collector (its collections walked the growing builder, ~3% of a fold) but
    sweeps the young generation every PROGRESS_EVERY records: cycles a callback makes still go."""
    seen: list[bool] = []
    add_many = Fold.add_many

    def folded(self: Any, batch: Any) -> list[int]:
        seen.append(gc.isenabled())
        return add_many(self, batch)

    class Cycle:
        def __init__(self) -> None:
            self.me = self

    alive: list[Any] = []

    def progress(stats: Stats) -> None:  # a callback that leaves a cycle behind each time
        alive.append(weakref.ref(Cycle()))

    monkeypatch.setattr(Fold, "add_many", folded)
    lines = list(iter_lines(str(FIXTURES / "users.jsonl")))
    records = (lines * (3 * run.PROGRESS_EVERY // len(lines) + 1))[:3 * run.PROGRESS_EVERY]
    fold = Fold(SpecBuilder(), on_progress=progress)
    fold.feed(records)
    assert seen and not any(seen) and gc.isenabled() and fold.stats.learned == 3 * run.PROGRESS_EVERY
    assert len(alive) == 3 and alive[0]() is None and alive[1]() is None  # swept at the next sweep
