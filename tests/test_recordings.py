"""io.recordings: a recordings file is read as what its content is (JSONL, HAR, a JSON array), or refused."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from specbuild.errors import InputError
from specbuild.io.recordings import is_jsonl, read_records
from tests.helpers import FIXTURES, record

HAR = FIXTURES / "har" / "devtools.har"


def _records(path: Path) -> list[tuple[dict[str, object] | str, str]]:
    out: list[tuple[dict[str, object] | str, str]] = []
    for raw, origin in read_records(str(path)):
        try:
            out.append((json.loads(raw), origin))
        except ValueError:
            out.append((raw.decode(), origin))
    return out


def test_jsonl_is_streamed_line_by_line() -> None:
    got = _records(FIXTURES / "users.jsonl")
    assert len(got) == 144 and got[0][1] == "users.jsonl:1"
    assert is_jsonl(str(FIXTURES / "users.jsonl"))


@pytest.mark.parametrize("indent", [None, 2])
def test_a_har_on_one_line_or_many(tmp_path: Path, indent: int | None) -> None:
    path = tmp_path / "session.json"  # the name says nothing: the content does
    path.write_text(json.dumps(json.loads(HAR.read_text()), indent=indent))
    got = _records(path)
    assert [origin for _, origin in got] == [f"session.json#/log/entries/{i}" for i in range(5)]
    assert not is_jsonl(str(path))


@pytest.mark.parametrize("indent", [None, 2])
def test_a_json_array_of_records_and_one_record_alone(tmp_path: Path, indent: int | None) -> None:
    recs = [record(path="/a"), record(path="/b")]
    path = tmp_path / "recs.json"
    path.write_text(json.dumps(recs, indent=indent))
    assert _records(path) == [(recs[0], "recs.json#/0"), (recs[1], "recs.json#/1")]
    path.write_text(json.dumps(recs[0], indent=2))
    assert _records(path) == [(recs[0], "recs.json#")]


def test_gzip_is_read_whatever_the_name(tmp_path: Path) -> None:
    path = tmp_path / "session.bin"
    path.write_bytes(gzip.compress(HAR.read_bytes()))
    assert len(_records(path)) == 5


def test_jsonl_whose_first_lines_are_broken_stays_jsonl(tmp_path: Path) -> None:
    good = json.dumps(record(path="/a"))
    path = tmp_path / "rec.jsonl"
    path.write_text('{"request": {"meth\n' + good + "\n")  # a line cut short, then records
    assert [origin for _, origin in _records(path)] == ["rec.jsonl:1", "rec.jsonl:2"]
    path.write_text("{\n[1,\n" + good + "\n")  # two bad lines that open JSON, closed by none
    assert [origin for _, origin in _records(path)] == ["rec.jsonl:1", "rec.jsonl:2", "rec.jsonl:3"]
    path.write_text("garbage\n" + good + "\n")
    assert [origin for _, origin in _records(path)] == ["rec.jsonl:1", "rec.jsonl:2"]
    path.write_text("[1, 2]\n" + good + "\n")  # an array on the first line, then records: a bad line
    assert [origin for _, origin in _records(path)] == ["rec.jsonl:1", "rec.jsonl:2"]


@pytest.mark.parametrize("indent", [None, 2])
@pytest.mark.parametrize("kind", ["har", "array"])
def test_a_document_cut_short_is_said_to_be_cut(tmp_path: Path, indent: int | None, kind: str) -> None:
    """Not a one-line bad record (nor thousands of bad lines when pretty-printed): the file was cut."""
    whole = json.loads(HAR.read_text()) if kind == "har" else [record(path="/a"), record(path="/b")]
    text = json.dumps(whole, indent=indent)
    path = tmp_path / "session.json"
    cut = text[:len(text) // 2]
    path.write_text(cut)
    with pytest.raises(InputError) as caught:
        next(read_records(str(path)))
    assert caught.value.message == (f"session.json ends in the middle of its JSON document (a HAR or an array of "
                                    f"records), at line {cut.rstrip().count(chr(10)) + 1}: the file was cut short")
    assert "JSONL" in (caught.value.hint or "")


def test_a_jsonl_record_cut_short_alone_is_one_bad_record(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    path.write_text(json.dumps(record(path="/a"))[:40])
    assert [origin for _, origin in _records(path)] == ["rec.jsonl:1"]


@pytest.mark.parametrize(("text", "message", "hint"), [
    (json.dumps({"openapi": "3.0.3", "info": {}, "paths": {}}, indent=2),
     "x is an OpenAPI document, not recordings", "--spec"),
    (json.dumps({"swagger": "2.0", "paths": {}}), "x is an OpenAPI document, not recordings", "--spec"),
    ("openapi: 3.0.3\ninfo:\n  title: t\npaths: {}\n", "x is a YAML OpenAPI document, not recordings", "--spec"),
    ("method,path,status\nGET,/a,200\n", "x is CSV, not recordings", "HAR 1.2"),
    ('{\n  "name": "not a har"\n}\n', "x is one JSON document, but neither HAR nor an array of records", "JSONL"),
])
def test_what_is_no_recordings_is_refused_before_a_record_is_read(tmp_path: Path, text: str, message: str,
                                                                  hint: str) -> None:
    path = tmp_path / "x"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        next(read_records(str(path)))
    assert caught.value.message.startswith(message)
    assert caught.value.exit_code == 2 and hint in (caught.value.hint or "")


def test_an_empty_file_holds_no_records(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("\n\n")
    assert list(read_records(str(path))) == []


def test_a_document_over_the_bound_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from specbuild.io import recordings

    monkeypatch.setattr(recordings, "MAX_DOCUMENT_BYTES", 1000)
    path = tmp_path / "big.har"
    path.write_text(json.dumps(json.loads(HAR.read_text()), indent=2))
    with pytest.raises(InputError, match=r"a JSON document over .* MiB is not read"):
        next(read_records(str(path)))
