"""JSONL recordings from a file, a gzip file or standard input.

Each item is ``(raw_line, origin)`` where origin is ``file:line`` so every warning can say where.
"""

from __future__ import annotations

import gzip
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Final

from specbuild.errors import SourceError

BOM: Final = b"\xef\xbb\xbf"  # a UTF-8 byte order mark, as some Windows tools write


def first_line(line: bytes) -> bytes:
    """A file's first line without its byte order mark: every reader of a file's lines applies this."""
    return line[len(BOM):] if line.startswith(BOM) else line


def _open(path: str) -> tuple[BinaryIO, str]:
    if path == "-":
        stdin = sys.stdin.buffer
        if stdin.peek(2)[:2] == b"\x1f\x8b" if hasattr(stdin, "peek") else False:
            return gzip.GzipFile(fileobj=stdin), "<stdin>"  # type: ignore[return-value]
        return stdin, "<stdin>"
    p = Path(path)
    try:
        fh: BinaryIO = open(p, "rb")  # noqa: SIM115 - closed by iter_lines
    except FileNotFoundError:
        raise SourceError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise SourceError(f"{path}: is a directory, not a recordings file") from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot open ({exc.strerror})") from None
    if fh.peek(2)[:2] == b"\x1f\x8b" if hasattr(fh, "peek") else path.endswith(".gz"):
        return gzip.GzipFile(fileobj=fh), p.name  # type: ignore[return-value]
    return fh, p.name


def iter_lines(path: str) -> Iterator[tuple[bytes, str]]:  # a records.Raw, always bytes
    """Yield each non-blank line of a recordings file with its origin (``rec.jsonl:42``).

    Gzip input (a file or stdin) is recognised by its magic bytes, whatever the name; ``-`` reads
    standard input.
    """
    fh, name = _open(path)
    try:
        stream = io.BufferedReader(fh, buffer_size=1 << 20) if isinstance(fh, gzip.GzipFile) else fh
        lineno = 0
        try:
            for line in stream:
                lineno += 1
                if lineno == 1:
                    line = first_line(line)
                if line and not line.isspace():  # blank lines are skipped (isspace: no copy of the line)
                    yield line, f"{name}:{lineno}"
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise SourceError(f"{name}:{lineno + 1}: cannot read further ({exc})") from None
    finally:
        if fh is not sys.stdin.buffer:
            fh.close()  # a GzipFile over stdin leaves stdin open
