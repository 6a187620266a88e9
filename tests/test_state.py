"""The state file's codec (specbuild.learn.state): plain versioned JSON, the same bytes with or without the
native fold, an exact round trip and resume, and refusals that never run what a file names."""

from __future__ import annotations

import ast
import contextlib
import os
import pickle
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from specbuild import __version__
from specbuild.errors import InputError
from specbuild.http import HeaderPolicy
from specbuild.io.files import dumps
from specbuild.io.jsonl import iter_lines
from specbuild.kafka.checkpoint import LEGACY_STATE_NAME, STATE_NAME, Checkpoints
from specbuild.learn import native
from specbuild.learn import state as codec
from specbuild.learn.builder import SpecBuilder
from specbuild.run import Fold, build_document
from tests.helpers import FIXTURES, ROOT, devset_lines

needs_native = pytest.mark.skipif(not native.AVAILABLE, reason="specbuild._native is not built here")
ENGINES = [pytest.param(True, id="native", marks=needs_native), pytest.param(False, id="pure")]


def lines_of(name: str) -> list[tuple[bytes | str, str]]:
    return list(iter_lines(str(FIXTURES / name)))


@pytest.fixture
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Whether this test folds and loads natively (bodies, parameters) or in Python only, as a process
    with SPECBUILD_PURE=1 does."""
    on: bool = request.param
    monkeypatch.setattr(native, "AVAILABLE", on and native.AVAILABLE)
    return on


def fold(records: list[Any], builder: SpecBuilder | None = None, *, use_native: bool = True) -> SpecBuilder:
    builder = builder if builder is not None else SpecBuilder(accelerated=use_native)
    Fold(builder).feed(records)
    return builder


def spec(builder: SpecBuilder) -> bytes:
    return dumps(build_document(builder))


def body(data: bytes) -> Any:
    header, _, rest = data.partition(b"\n")
    assert header == b"specbuild-state 8 " + __version__.encode()
    return orjson.loads(rest)


# -- the format ------------------------------------------------------------------------------------

def test_the_state_is_a_header_then_sorted_plain_json() -> None:
    b = fold(lines_of("users.jsonl"))
    data = codec.encode(b, {("orders", 1): 9, ("orders", 0): 7})
    doc = body(data)
    assert data.partition(b"\n")[2] == orjson.dumps(doc, option=orjson.OPT_SORT_KEYS)  # keys sorted
    assert doc["positions"] == [["orders", 0, 7], ["orders", 1, 9]]
    saved = doc["builder"]
    assert set(saved) == {"hints", "include", "exclude", "examples", "exchanges", "too_large", "servers", "span",
                          "templater", "operations"}
    assert saved["exchanges"] == b.exchanges
    assert [op[:2] for op in saved["operations"]] == sorted(op[:2] for op in saved["operations"])
    key, method, (count, _, _, _, responses, _, slashes) = saved["operations"][0]
    assert (key, method) == min(b.operations) and count == b.operations[(key, method)].count and slashes == [0, 0]
    assert [status for status, _ in responses] == sorted(status for status, _ in responses)
    shapes = [s[4] for _, r in responses for s in r[2][1].values() if s[0] == "json"]
    assert shapes and all(len(s) == 10 and s[2] == 0 for s in shapes)  # [count, kinds, depth=0, ...]


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
@pytest.mark.parametrize("name", ["", "users.jsonl", "messy.jsonl"])
@pytest.mark.parametrize("positions", [{}, {("t", 1): 5, ("t", 0): 3}])
def test_the_operations_dumped_one_at_a_time_give_the_bytes_of_one_dump(engine: bool, name: str,
                                                                        positions: dict[tuple[str, int], int]) -> None:
    # the state is written in pieces (an operation's export at a time); a dump of the whole document is the oracle
    b = fold(lines_of(name) if name else [], use_native=engine)
    whole = {"builder": {**codec._builder_data(b),
                         "operations": [[key, method, codec._operation_data(op)]
                                        for (key, method), op in sorted(b.operations.items())]},
             "positions": [[t, p, o] for (t, p), o in sorted(positions.items())]}
    data = codec.encode(b, positions).partition(b"\n")[2]
    assert data == orjson.dumps(whole, option=orjson.OPT_SORT_KEYS)
    assert bool(b.operations) == bool(name)


@pytest.mark.parametrize("doc", [{}, {"a": 1}, {"z": [2]}, {"a": {"y": 1, "b": 2}, "z": None}])
def test_a_value_spliced_in_pieces_is_where_a_sorted_dump_puts_it(doc: dict[str, Any]) -> None:
    pieces = codec._spliced(doc, "m", [b"[1", b",", b"2]"])
    assert b"".join(pieces) == orjson.dumps({**doc, "m": [1, 2]}, option=orjson.OPT_SORT_KEYS)


def test_settings_and_templater_round_trip() -> None:
    b = SpecBuilder(hints=("/repos/{owner}/{repo}",), headers=HeaderPolicy(include=("x-*",), exclude=("x-b",)),
                    examples=True)
    b.templater.word_cap = 5
    fold(lines_of("users.jsonl"), b)
    again, positions = codec.decode(codec.encode(b, {}), "s")
    assert positions == {}
    assert (again.hints, again.headers, again.examples) == (b.hints, b.headers, b.examples)
    assert [h.text for h in again.templater.hints] == [h.text for h in b.templater.hints]
    assert (again.templater.word_cap, again.templater.keys, again.templater._words) == \
        (5, b.templater.keys, b.templater._words)
    assert (again.servers, again.exchanges, again.too_large) == (b.servers, b.exchanges, b.too_large)
    assert any(s.example for op in again.operations.values() for r in op.responses.values()
               for s in r.bodies.by_media.values())


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
@pytest.mark.parametrize("name", ["users.jsonl", "messy.jsonl"])
def test_round_trip_gives_the_same_bytes_and_spec(engine: bool, name: str) -> None:
    b = fold(lines_of(name), use_native=engine)
    data = codec.encode(b, {("t", 0): 3})
    again, positions = codec.decode(data, "s")
    assert positions == {("t", 0): 3}
    assert codec.encode(again, positions) == data
    assert spec(again) == spec(b)


def test_record_order_and_dict_order_do_not_reach_the_bytes() -> None:
    records = lines_of("users.jsonl")
    assert codec.encode(fold(records), {("a", 1): 1, ("a", 0): 2}) == \
        codec.encode(fold(records[::-1]), {("a", 0): 2, ("a", 1): 1})


@needs_native
def test_saving_leaves_the_live_builder_as_it_was() -> None:
    records = lines_of("users.jsonl")
    half = len(records) // 2
    saved_twice = fold(records[:half])
    first = codec.encode(saved_twice, {})
    assert codec.encode(saved_twice, {}) == first   # nothing was taken out of the native accumulators
    assert any(op.pending_query is not None or op.pending_headers is not None
               for op in saved_twice.operations.values())
    fold(records[half:], saved_twice)
    never_saved = fold(records)
    assert codec.encode(saved_twice, {}) == codec.encode(never_saved, {})
    assert spec(saved_twice) == spec(never_saved)


# -- native and pure: the same bytes ---------------------------------------------------------------

def pure_and_native(records: list[Any]) -> tuple[bytes, bytes]:
    native_state, pure_state = (codec.encode(fold(records, use_native=on), {("t", 0): len(records)})
                                for on in (True, False))
    return native_state, pure_state


@needs_native
@pytest.mark.parametrize("name", ["users.jsonl", "messy.jsonl"])
def test_native_and_pure_folds_write_the_same_bytes(name: str) -> None:
    with_native, without = pure_and_native(lines_of(name))
    assert with_native == without


@needs_native
@pytest.mark.slow
@pytest.mark.parametrize("name", ["kubernetes-live1000", "github-live1000"])
def test_native_and_pure_folds_write_the_same_bytes_on_the_devset(name: str) -> None:
    records = [(line, f"{name}:{i}") for i, line in enumerate(devset_lines(name))]
    with_native, without = pure_and_native(records)
    assert with_native == without


@needs_native
def test_a_process_without_the_native_module_writes_the_same_bytes(tmp_path: Path) -> None:
    script = ("import sys; from specbuild.learn import native, state; from specbuild.learn.builder import SpecBuilder; "
              "from specbuild.run import Fold; from specbuild.io.jsonl import iter_lines; "
              "b = SpecBuilder(); Fold(b).feed(iter_lines(sys.argv[1])); "
              "assert native.AVAILABLE is (sys.argv[2] == '1'); "
              "sys.stdout.buffer.write(state.encode(b, {('t', 0): 1}))")
    out = []
    for pure in ("", "1"):
        env = {**os.environ, "SPECBUILD_PURE": pure, "PYTHONPATH": str(ROOT)}
        r = subprocess.run([sys.executable, "-c", script, str(FIXTURES / "users.jsonl"), "0" if pure else "1"],
                           env=env, capture_output=True, check=True, cwd=tmp_path)
        out.append(r.stdout)
    assert out[0] == out[1] and out[0].startswith(b"specbuild-state 8 ")


# -- resuming --------------------------------------------------------------------------------------

def assert_resumes_exactly(records: list[Any], use_native: bool) -> None:
    whole = fold(records, use_native=use_native)
    for cut in (len(records) // 3, len(records) // 2):
        resumed, _ = codec.decode(codec.encode(fold(records[:cut], use_native=use_native), {}), "s")
        fold(records[cut:], resumed, use_native=use_native)
        assert spec(resumed) == spec(whole)
        assert codec.encode(resumed, {}) == codec.encode(whole, {})


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
@pytest.mark.parametrize("name", ["users.jsonl", "messy.jsonl"])
def test_a_resumed_fold_equals_one_never_stopped(engine: bool, name: str) -> None:
    assert_resumes_exactly(lines_of(name), engine)


@pytest.mark.slow
@pytest.mark.parametrize("engine", ENGINES, indirect=True)
@pytest.mark.parametrize("name", ["kubernetes-live1000", "github-live1000", "kubernetes-n5000"])
def test_a_resumed_fold_equals_one_never_stopped_on_the_devset(engine: bool, name: str) -> None:
    """The live files hold mock-server objects with more than MAX_PROPS keys: which are evicted depends on
    the fold going on into the same native tree after a resume."""
    assert_resumes_exactly([(line, f"{name}:{i}") for i, line in enumerate(devset_lines(name))], engine)


@needs_native
def test_a_state_written_natively_resumes_without_the_native_module(monkeypatch: pytest.MonkeyPatch) -> None:
    records = lines_of("users.jsonl")
    data = codec.encode(fold(records[:100]), {})
    whole = spec(fold(records))
    monkeypatch.setattr(native, "AVAILABLE", False)
    resumed, _ = codec.decode(data, "s")
    assert all(s.pending is None for op in resumed.operations.values() for s in op.request.by_media.values())
    assert codec.encode(resumed, {}) == data
    assert spec(fold(records[100:], resumed, use_native=False)) == whole


# -- refusals: nothing a file names ever runs ------------------------------------------------------

class Payload:
    """Unpickling this creates ``marker``: proof of a file that runs code when loaded."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


@pytest.fixture
def marker(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "ran"
    control = tmp_path / "control"
    pickle.loads(pickle.dumps(Payload(control))).close()  # the control: this payload does run
    assert control.exists()
    yield path
    assert not path.exists(), "a payload in the state file ran"


def test_a_format_2_state_is_refused_by_its_header(marker: Path) -> None:
    data = b"specbuild-state 2 0.1.0\n" + pickle.dumps({"builder": Payload(marker), "positions": {}})
    with pytest.raises(InputError) as err:
        codec.decode(data, "out/.specbuild-state.pickle")
    assert err.value.message == "out/.specbuild-state.pickle: state format 2 is not 8: re-learn or use specbuild 0.1.0"
    assert err.value.hint and "\n" not in err.value.message


def test_a_raw_pickle_is_not_a_state_file(marker: Path) -> None:
    for data in (pickle.dumps(Payload(marker)), pickle.dumps(Payload(marker), protocol=0), b"", b"\n"):
        with pytest.raises(InputError) as err:
            codec.decode(data, "s")
        assert err.value.message == "s: not a specbuild state file"


def test_a_pickle_behind_the_right_header_cannot_be_read(marker: Path) -> None:
    data = b"specbuild-state 5 0.1.0\n" + pickle.dumps(Payload(marker))
    with pytest.raises(InputError, match=r"^s: cannot read the saved state \(not JSON"):
        codec.decode(data, "s")


def valid_doc() -> dict[str, Any]:
    doc: dict[str, Any] = body(codec.encode(fold(lines_of("users.jsonl")[:30]), {("t", 0): 1}))
    return doc


def broken(path: tuple[Any, ...], value: Any) -> bytes:
    doc = valid_doc()
    at = doc
    for step in path[:-1]:
        at = at[step]
    if value is KeyError:
        del at[path[-1]]
    else:
        at[path[-1]] = value
    return b"specbuild-state 5 x\n" + orjson.dumps(doc)


def first_shape_path() -> tuple[Any, ...]:
    doc = valid_doc()
    for i, (_, _, op) in enumerate(doc["builder"]["operations"]):
        for j, (_, resp) in enumerate(op[4]):
            for media, s in resp[2][1].items():
                if s[0] == "json" and s[4][4]:
                    return ("builder", "operations", i, 2, 4, j, 1, 2, 1, media, 4)
    raise AssertionError("no JSON response body in the fixture")


@pytest.mark.parametrize("case", [
    "truncated", "no document", "not an object", "missing key", "string count", "negative offset",
    "bad hint", "bad kind", "shape at the wrong depth", "shape too short", "vals not counts", "form and shape",
    "deep nesting", "huge count", "entities not words", "entities not the values'",
])
def test_a_malformed_document_cannot_be_read(case: str) -> None:
    good = codec.encode(fold(lines_of("users.jsonl")[:30]), {("t", 0): 1})
    shape = first_shape_path()
    data = {
        "truncated": good[: len(good) * 2 // 3],
        "no document": b"specbuild-state 5 0.1.0",
        "not an object": b"specbuild-state 5 0.1.0\n[1, 2]",
        "missing key": broken(("builder", "templater"), KeyError),
        "string count": broken(("builder", "exchanges"), "12"),
        "negative offset": broken(("positions",), [["t", 0, -1]]),
        "bad hint": broken(("builder", "hints"), ["no-slash"]),
        "bad kind": broken((*shape[:-1], 0), "xml"),
        "shape at the wrong depth": broken((*shape, 2), 3),
        "shape too short": broken(shape, [1, 2, 0]),
        "vals not counts": broken((*shape, 8), {"a": "1"}),
        "entities not words": broken(shape, [1, 16, 0, 0, None, None, None, 0, {"a": 2}, {"a": "1"}]),
        "entities not the values'": broken(shape, [1, 16, 0, 0, None, None, None, 0, {"a": 2}, {"b": 2}]),
        "form and shape": broken((*shape[:-1], 5), {}),
        "deep nesting": broken(shape, nested_shape(200)),
        "huge count": broken((*shape, 0), 987654321987).replace(b"987654321987", b"9" * 30),
    }[case]
    with pytest.raises(InputError, match=r"^s: cannot read the saved state \(") as err:
        codec.decode(data, "s")
    assert "\n" not in err.value.message and err.value.hint


def nested_shape(levels: int) -> list[Any]:
    node: list[Any] = [1, 64, levels, 1, None, None, None, 0, None, None]
    for depth in range(levels - 1, -1, -1):
        node = [1, 64, depth, 0, None, None, node, 0, None, None]
    return node


def test_no_corruption_of_a_state_escapes_as_anything_but_an_input_error() -> None:
    good = codec.encode(fold(lines_of("messy.jsonl")), {("t", 0): 1})
    header_end = good.index(b"\n") + 1
    for at in range(header_end, len(good), max(1, len(good) // 400)):
        for data in (good[:at], good[:at] + b"]" + good[at + 1:], good[:at] + b"7" + good[at + 1:]):
            with contextlib.suppress(InputError):
                codec.decode(data, "s")


# -- the state file in the output folder -----------------------------------------------------------

def test_a_legacy_pickle_state_is_refused_not_started_over(tmp_path: Path, marker: Path) -> None:
    (tmp_path / LEGACY_STATE_NAME).write_bytes(
        b"specbuild-state 2 0.1.0\n" + pickle.dumps({"builder": Payload(marker), "positions": {}}))
    store = Checkpoints(tmp_path, "json", None, None)
    with pytest.raises(InputError) as err:
        store.load()
    assert err.value.message == f"{tmp_path / LEGACY_STATE_NAME}: state format 2 is not 8: re-learn or use " \
                                "specbuild 0.1.0"
    (tmp_path / LEGACY_STATE_NAME).write_bytes(pickle.dumps(Payload(marker)))
    with pytest.raises(InputError, match="not a specbuild state file"):
        store.load()
    (tmp_path / LEGACY_STATE_NAME).write_bytes(b"specbuild-state 5 0.1.0\n" + pickle.dumps(Payload(marker)))
    with pytest.raises(InputError, match="not a specbuild state file"):
        store.load()


def test_the_state_file_is_json_and_wins_over_a_legacy_one(tmp_path: Path) -> None:
    from specbuild.kafka.checkpoint import State
    store = Checkpoints(tmp_path, "json", None, None)
    assert STATE_NAME == ".specbuild-state.json" and store.load() is None
    store.write(State(fold(lines_of("users.jsonl")[:20]), {("t", 0): 20}))
    (tmp_path / LEGACY_STATE_NAME).write_bytes(b"specbuild-state 2 0.1.0\n...")
    loaded = store.load()
    assert loaded is not None and loaded.positions == {("t", 0): 20}


def test_no_module_of_specbuild_imports_pickle() -> None:
    for path in (ROOT / "specbuild").rglob("*.py"):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not any(n.split(".")[0] in ("pickle", "cPickle", "dill") for n in names), path


def test_the_codec_does_not_load_kafka() -> None:
    code = "import sys, specbuild.learn.state; assert 'confluent_kafka' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)


def _told(node: Any, out: list[dict[str, int]]) -> list[dict[str, int]]:
    """Every SHAPE's ENTS in a state document that tells some (depth first)."""
    if isinstance(node, list) and len(node) == 10 and isinstance(node[9], dict) and node[9]:
        out.append(node[9])
    for child in node.values() if isinstance(node, dict) else node if isinstance(node, list) else ():
        _told(child, out)
    return out


def test_an_older_states_entities_are_read_as_the_sketches_of_what_they_told() -> None:
    """Format 8 keeps a value's entities as a sketch of the distinct things it was seen in, a bit each;
    4 to 7 kept the hash of its one thing, or 1 for two or more. Read as they are, 1 would be one thing
    and a hash ~32 (an enum on no evidence); an older state is read as what it told: one bit, or two."""
    doc = valid_doc()
    told = _told(doc, [])
    assert told, "the fixture's responses hold enum candidates"
    old_words = [1, 0x5EED << 40, 0]
    for ents in told:
        for i, v in enumerate(sorted(ents)):
            ents[v] = old_words[i % 3]
    for fmt, want in ((7, [0b11, 1 << (0x5EED << 40 >> 58), 0]), (8, old_words)):
        data = b"specbuild-state %d x\n" % fmt + orjson.dumps(doc)
        builder, _ = codec.decode(data, "s")
        again = _told(body(codec.encode(builder, {})), [])
        assert [sorted(e.values()) for e in again] == [sorted(want[i % 3] for i in range(len(e))) for e in told]
