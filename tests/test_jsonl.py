"""Reading recordings line by line: io/jsonl.py."""

from __future__ import annotations

import gzip
import io
import random
import sys
import zlib
from pathlib import Path

import pytest

from specbuild.errors import SourceError
from specbuild.io.jsonl import iter_lines


def _cut_gzip(n: int = 6_000) -> tuple[bytes, int]:
    """A gzip file of ``n`` lines (MiBs, over the reader's buffer) cut short, and its lines that are whole."""
    rng = random.Random(7)
    text = b"".join(b'{"n": %d, "pad": "%s"}\n' % (i, rng.randbytes(200).hex().encode()) for i in range(n))
    cut = gzip.compress(text)[: len(text) // 3]
    whole = zlib.decompressobj(wbits=31).decompress(cut).count(b"\n")
    assert 1_000 < whole < n
    return cut, whole


def _read_all(path: str) -> tuple[list[str], str]:
    origins = []
    with pytest.raises(SourceError) as err:
        for _, origin in iter_lines(path):
            origins.append(origin)
    return origins, str(err.value)


def test_a_gzip_file_cut_short_gives_every_whole_line_and_names_the_cut(tmp_path: Path) -> None:
    """The lines decompressed into the reader's 1 MiB buffer before the cut were lost, and the error named a
    line up to 1 MiB early (``rec.jsonl.gz:1`` for a small file)."""
    data, whole = _cut_gzip()
    path = tmp_path / "rec.jsonl.gz"
    path.write_bytes(data)
    origins, said = _read_all(str(path))
    assert len(origins) == whole and origins[-1] == f"rec.jsonl.gz:{whole}"
    assert said.startswith(f"rec.jsonl.gz:{whole + 1}: cannot read further (")
    assert f"the file ends early (still being written, or copied in part?); {whole:,} lines were read" in said


def test_a_gzip_file_with_bytes_after_its_data_gives_every_line_and_names_where(tmp_path: Path) -> None:
    """Text appended to a .gz (``echo x >> rec.jsonl.gz``): the lines before it were lost in the reader's
    buffer and the error named line 1 (found fuzzing)."""
    path = tmp_path / "rec.jsonl.gz"
    path.write_bytes(gzip.compress(b"".join(b'{"n": %d}\n' % i for i in range(11))) + b"garbage\n")
    origins, said = _read_all(str(path))
    assert len(origins) == 11 and origins[-1] == "rec.jsonl.gz:11"
    assert said.startswith("rec.jsonl.gz:12: cannot read further (")
    assert "something else follows (a file appended to a .gz?); 11 lines were read before" in said


def test_gzip_on_stdin_cut_short_too(monkeypatch: pytest.MonkeyPatch) -> None:
    data, whole = _cut_gzip()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(data))))
    origins, said = _read_all("-")
    assert len(origins) == whole and said.startswith(f"<stdin>:{whole + 1}: cannot read further (")


def test_a_whole_gzip_file_reads_as_the_plain_one(tmp_path: Path) -> None:
    plain = b'\xef\xbb\xbf{"a": 1}\n\n  \n{"b": 2}\r\n{"c": 3}\n'
    path = tmp_path / "rec.gz"
    path.write_bytes(gzip.compress(plain) + gzip.compress(b'{"d": 4}\n'))  # two members, as `cat a.gz b.gz`
    assert list(iter_lines(str(path))) == [(b'{"a": 1}\n', "rec.gz:1"), (b'{"b": 2}\r\n', "rec.gz:4"),
                                          (b'{"c": 3}\n', "rec.gz:5"), (b'{"d": 4}\n', "rec.gz:6")]
