"""JSONL recordings from a file, a gzip file or standard input.

Each item is ``(raw_line, origin)`` where origin is ``file:line`` so every warning can say where.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, Final

from specbuild.errors import SourceError

BOM: Final = b"\xef\xbb\xbf"  # a UTF-8 byte order mark, as some Windows tools write


def first_line(line: bytes) -> bytes:
    """A file's first line without its byte order mark: every reader of a file's lines applies this."""
    return line[len(BOM):] if line.startswith(BOM) else line


class _Chunks(io.RawIOBase):
    """A gzip reader as a raw stream that answers each read with what one step decompressed (a third slower
    than a buffered reader straight over it: a file is read again this way only once it turned out cut
    short, see :meth:`Lines.__iter__`; standard input always is)."""

    def __init__(self, gz: gzip.GzipFile) -> None:
        super().__init__()
        self._gz = gz

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._gz.read1(len(buffer))
        buffer[:len(data)] = data
        return len(data)


READ_BUFFER: Final = 1 << 20  # bytes a recordings file is read by (its gzip stream too)


def _open(path: str) -> tuple[BinaryIO, BinaryIO, str]:
    """The file as opened, the stream of its lines (the same, or a gzip reader of it) and its name."""
    if path == "-":
        stdin = sys.stdin.buffer
        if stdin.peek(2)[:2] == b"\x1f\x8b" if hasattr(stdin, "peek") else False:
            # read one step at a time: a stream cut short cannot be read again (see Lines.__iter__)
            return stdin, io.BufferedReader(_Chunks(gzip.GzipFile(fileobj=stdin)), buffer_size=READ_BUFFER), "<stdin>"
        return stdin, stdin, "<stdin>"
    p = Path(path)
    try:
        # 1 MiB at a read: with the default 8 KiB, reading the lines of the 100k mix (2 KB each) took 0.6-1.1 s
        # of its fold, 0.35 s so
        fh: BinaryIO = open(p, "rb", buffering=READ_BUFFER)  # noqa: SIM115 - closed by Lines.__iter__
    except FileNotFoundError:
        raise SourceError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise SourceError(f"{path}: is a directory, not a recordings file") from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot open ({exc.strerror})") from None
    if fh.peek(2)[:2] == b"\x1f\x8b" if hasattr(fh, "peek") else path.endswith(".gz"):
        unzipped = io.BufferedReader(gzip.GzipFile(fileobj=fh), buffer_size=READ_BUFFER)
        return fh, unzipped, p.name
    return fh, fh, p.name


def iter_lines(path: str) -> Iterator[tuple[bytes, str]]:  # a records.Raw, always bytes
    """Yield each non-blank line of a recordings file with its origin (``rec.jsonl:42``).

    Gzip input (a file or stdin) is recognised by its magic bytes, whatever the name; ``-`` reads
    standard input.
    """
    return iter(Lines(path))


class Lines:
    """The lines of a recordings file (as :func:`iter_lines` yields them), and how far the reading is.

    ``position()`` against ``size``: bytes of the file read so far (of the compressed file for gzip: the
    only size known up front), for a percentage; standard input has no size.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.size: int | None = None
        self._file: BinaryIO | None = None
        self._done = 0
        if path != "-":
            with contextlib.suppress(OSError):  # opening it says what is wrong
                self.size = os.stat(path).st_size

    def position(self) -> int:
        """Bytes of the file read so far."""
        fh = self._file
        return fh.tell() if fh is not None and not fh.closed and fh.seekable() else self._done

    def __iter__(self) -> Iterator[tuple[bytes, str]]:
        fh, stream, name = _open(self.path)
        self._file = fh
        lineno = 0
        try:
            try:
                for line in stream:
                    lineno += 1
                    if lineno == 1:
                        line = first_line(line)
                    if line and not line.isspace():  # blank lines are skipped (isspace: no copy of the line)
                        yield line, f"{name}:{lineno}"
            except (EOFError, gzip.BadGzipFile):
                if stream is fh or not fh.seekable():
                    raise
                # A gzip file cut short, or with bytes after its data that are no gzip: the buffered reader
                # fills 1 MiB in one call, and the error there lost the lines it had decompressed before the
                # cut. Read them again, one step at a time.
                fh.seek(0)
                for n, line in enumerate(io.BufferedReader(_Chunks(gzip.GzipFile(fileobj=fh))), 1):
                    if n > lineno:
                        lineno = n
                        line = first_line(line) if n == 1 else line
                        if line and not line.isspace():
                            yield line, f"{name}:{lineno}"
                raise
            self._done = self.size or 0
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            if isinstance(exc, EOFError):  # the end-of-stream marker never came
                hint: str | None = "the file ends early (still being written, or copied in part?)"
            elif isinstance(exc, gzip.BadGzipFile) and lineno:
                hint = "the gzip data ends and something else follows (a file appended to a .gz?)"
            else:
                hint = None
            raise SourceError(f"{name}:{lineno + 1}: cannot read further ({exc})",
                              hint=f"{hint}; {lineno:,} lines were read before" if hint else None) from None
        finally:
            self._file = None
            if fh is not sys.stdin.buffer:
                fh.close()  # stdin stays open (a gzip reader over it is dropped with it)
