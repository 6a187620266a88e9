"""HTTP/1.1 on the wire, as the recording proxy reads it: a message head and how its body is framed; pure.

The proxy passes bytes through and parses only what it must decide on: the start line, the headers,
where the body ends (RFC 9112 section 6.3) and whether the connection goes on. A request that frames
its body two ways (``Transfer-Encoding`` and ``Content-Length``) is refused: a proxy that read it one
way and an upstream the other is how requests are smuggled.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Final

HOP_BY_HOP: Final = frozenset({b"connection", b"keep-alive", b"proxy-authenticate", b"proxy-authorization", b"te",
                               b"trailer", b"trailers", b"transfer-encoding", b"upgrade", b"proxy-connection"})


class WireError(ValueError):
    """A message the proxy cannot pass on (its answer is a 400 and the connection closes)."""


class Framing(Enum):
    NONE = "none"          # no body
    LENGTH = "length"      # Content-Length bytes
    CHUNKED = "chunked"    # chunks up to the zero-size one and the trailers
    CLOSE = "close"        # the bytes up to the end of the connection (a response only)


@dataclass(slots=True)
class Head:
    """A request or status line and its headers as they came (names' case kept)."""

    line: tuple[bytes, bytes, bytes]   # method, target, version | version, status, reason
    headers: list[tuple[bytes, bytes]]

    def get(self, name: bytes) -> bytes | None:
        """The first value of header ``name`` (lower case)."""
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None

    def tokens(self, name: bytes) -> set[bytes]:
        """The comma-separated tokens of every ``name`` header, lower case (``Connection: close, Upgrade``)."""
        return {t.strip().lower() for key, value in self.headers if key.lower() == name for t in value.split(b",")}


def parse_head(raw: bytes) -> Head:
    """``raw`` (a start line, header lines, an empty line) -> :class:`Head`."""
    lines = raw.split(b"\r\n")
    parts = lines[0].split(b" ", 2)
    if len(parts) == 2:  # a status line may leave its reason out: "HTTP/1.1 200"
        parts.append(b"")
    if len(parts) != 3:
        raise WireError(f"not an HTTP/1.x start line: {lines[0][:80]!r}")
    headers = []
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(b":")
        if not sep or not name or name != name.strip():
            raise WireError(f"not a header line: {line[:80]!r}")
        headers.append((name, value.strip()))
    return Head((parts[0], parts[1], parts[2]), headers)


def request_framing(head: Head) -> tuple[Framing, int]:
    """How the body of request ``head`` is framed, and its length when it is given."""
    coding = head.get(b"transfer-encoding")
    length = head.get(b"content-length")
    if coding is not None:
        if length is not None:
            raise WireError("a request with both Transfer-Encoding and Content-Length")
        if not coding.lower().rstrip().endswith(b"chunked"):
            raise WireError(f"a request body coded {coding!r} and not chunked")
        return Framing.CHUNKED, 0
    if length is None:
        return Framing.NONE, 0
    return Framing.LENGTH, _length(head)


def response_framing(head: Head, method: bytes) -> tuple[Framing, int]:
    """How the body of a response to ``method`` with ``head`` is framed, and its length when it is given."""
    status = int(head.line[1])
    if method == b"HEAD" or status < 200 or status in (204, 304):
        return Framing.NONE, 0
    coding = head.get(b"transfer-encoding")
    if coding is not None:
        return (Framing.CHUNKED, 0) if coding.lower().rstrip().endswith(b"chunked") else (Framing.CLOSE, 0)
    if head.get(b"content-length") is None:
        return Framing.CLOSE, 0
    return Framing.LENGTH, _length(head)


def _length(head: Head) -> int:
    values = {v.strip() for key, value in head.headers if key.lower() == b"content-length" for v in value.split(b",")}
    if len(values) != 1 or not next(iter(values)).isdigit():
        raise WireError(f"Content-Length {sorted(values)!r} is not one number")
    return int(next(iter(values)))


def keeps_alive(head: Head, version: bytes) -> bool:
    """Whether the connection of a message with ``head`` goes on after it (HTTP/1.1: unless it says close)."""
    tokens = head.tokens(b"connection")
    return b"close" not in tokens and (version != b"HTTP/1.0" or b"keep-alive" in tokens)


def serialize(line: tuple[bytes, bytes, bytes], headers: list[tuple[bytes, bytes]]) -> bytes:
    """A head as bytes."""
    return b" ".join(line) + b"\r\n" + b"".join(k + b": " + v + b"\r\n" for k, v in headers) + b"\r\n"


def chunk_size(line: bytes) -> int:
    """The size a chunk-size line (``1a;ext=1\\r\\n``) gives."""
    text = line.split(b";", 1)[0].strip()
    try:
        return int(text, 16)
    except ValueError:
        raise WireError(f"not a chunk size: {line[:40]!r}") from None


def simple_response(status: int, reason: str, text: str, *, close: bool = True) -> bytes:
    """A whole plain-text response the proxy answers itself (a 400, 502, 504)."""
    body = text.encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    if close:
        headers.append((b"connection", b"close"))
    return serialize((b"HTTP/1.1", str(status).encode(), reason.encode()), headers) + body


class Body:
    """A body followed through its framing as its bytes arrive: ``feed(data)`` says which of them belong to
    it (passed on as they came, or only the chunks' data when ``dechunk``), its data, and what comes after
    its end (the next message). ``done`` once it has ended; a ``CLOSE`` body ends with its connection."""

    __slots__ = ("_line", "_state", "dechunk", "done", "framing", "left")

    def __init__(self, framing: Framing, length: int = 0, *, dechunk: bool = False) -> None:
        self.framing = framing
        self.left = length
        self.dechunk = dechunk
        self.done = framing is Framing.NONE or (framing is Framing.LENGTH and length == 0)
        self._state = "size"   # chunked: size line, data, the CRLF after it, trailers
        self._line = b""

    def feed(self, data: bytes) -> tuple[bytes, bytes, bytes]:
        """(the bytes to pass on, the body's data among them, the bytes after the body)."""
        if self.done:
            return b"", b"", data
        if self.framing is Framing.CLOSE:
            return data, data, b""
        if self.framing is Framing.LENGTH:
            taken, rest = data[:self.left], data[self.left:]
            self.left -= len(taken)
            self.done = self.left == 0
            return taken, taken, rest
        return self._chunked(data)

    def _chunked(self, data: bytes) -> tuple[bytes, bytes, bytes]:
        out: list[bytes] = []
        body: list[bytes] = []
        at = 0
        while at < len(data) and not self.done:
            if self._state == "data":
                piece = data[at:at + self.left]
                at += len(piece)
                self.left -= len(piece)
                out.append(piece)
                body.append(piece)
                if not self.left:
                    self._state = "crlf"
                    self.left = 2
                continue
            if self._state == "crlf":
                piece = data[at:at + self.left]
                at += len(piece)
                self.left -= len(piece)
                if not self.dechunk:
                    out.append(piece)
                if not self.left:
                    self._state = "size"
                continue
            end = data.find(b"\n", at)  # a size or trailer line, perhaps split across reads
            self._line += data[at:] if end < 0 else data[at:end + 1]
            at = len(data) if end < 0 else end + 1
            if len(self._line) > 8192:
                raise WireError("a chunk-size or trailer line over 8 KiB")
            if end >= 0:
                self._line_done(out)
        rest = data[at:]
        return b"".join(out), b"".join(body), rest

    def _line_done(self, out: list[bytes]) -> None:
        line, self._line = self._line, b""
        if not self.dechunk:
            out.append(line)
        if self._state == "trailers":
            self.done = line in (b"\r\n", b"\n")
            return
        size = chunk_size(line)
        if size == 0:
            self._state = "trailers"
        else:
            self._state, self.left = "data", size
