"""``specbuild record``: a recording reverse proxy on asyncio streams, HTTP/1.1 passed through as it came.

Each client connection is one task: it reads a request head (:mod:`specbuild.record.wire`), forwards
the head to ``--upstream`` over a kept-alive connection of the pool (plain or TLS), then the body and
the answer as bytes, framing and all (a chunked or long body reaches the other side as it comes), and
keeps copies of the bodies for the record, written once the answer is complete. Measured (bench/
bench_proxy.py) the stack used before, an httpx forwarder under uvicorn, spent its time in the
client's pool and the ASGI messages, far below the 3,000 requests/s a core asked for.

Hop-by-hop headers stay on their hop; the upstream gets ``X-Forwarded-For``, ``-Proto`` and ``-Host``;
``Expect: 100-continue`` is answered by the proxy. An upgrade (WebSocket) is passed through both ways
once the upstream says 101, unrecorded. An upstream that cannot be reached is a 502 to the client (a
504 if it does not answer in time), and no record.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import ssl
from asyncio import IncompleteReadError, StreamReader, StreamWriter
from collections.abc import Coroutine
from typing import Any, Final
from urllib.parse import unquote, urlsplit

from specbuild.errors import UsageError
from specbuild.record.capture import Exchange, Kept, now
from specbuild.record.recorder import Recorder
from specbuild.record.sink import Sink
from specbuild.record.wire import (
    HOP_BY_HOP,
    Framing,
    Head,
    WireError,
    chunk_size,
    keeps_alive,
    parse_head,
    request_framing,
    response_framing,
    serialize,
    simple_response,
)

log = logging.getLogger("specbuild.record")
CHUNK: Final = 1 << 16
HEAD_LIMIT: Final = 1 << 16   # a head over 64 KiB is refused (431), as most servers do
IDLE_KEPT: Final = 512        # upstream connections kept open between requests
Conn = tuple[StreamReader, StreamWriter]


class Upstream:
    """Where the proxy forwards to (``http[s]://host[:port][/prefix]``), and its idle connections."""

    def __init__(self, url: str, *, timeout: float = 60.0, tls: ssl.SSLContext | None = None) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{url!r} is not an http(s) URL")
        self.url = url
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.authority = parts.netloc.rpartition("@")[2].encode()
        self.prefix = parts.path.rstrip("/").encode()
        self.timeout = timeout
        # https: the system's trust store (SSL_CERT_FILE names another) and the host's name checked
        self._tls = (tls or ssl.create_default_context()) if parts.scheme == "https" else None
        self._idle: list[Conn] = []

    async def connect(self) -> tuple[Conn, bool]:
        """A connection, and whether it was kept from an earlier request."""
        while self._idle:
            conn = self._idle.pop()
            if not conn[0].at_eof() and not conn[1].is_closing():
                return conn, True
            conn[1].close()
        async with asyncio.timeout(self.timeout):
            conn = await asyncio.open_connection(self.host, self.port, ssl=self._tls, limit=HEAD_LIMIT,
                                                 server_hostname=self.host if self._tls else None)
        return conn, False

    def release(self, conn: Conn) -> None:
        if len(self._idle) < IDLE_KEPT:
            self._idle.append(conn)
        else:
            conn[1].close()

    def close(self) -> None:
        for _, writer in self._idle:
            writer.close()
        self._idle.clear()


class Proxy:
    """Forward every request a client sends to ``upstream`` and record the exchange with ``recorder``."""

    def __init__(self, upstream: Upstream, recorder: Recorder | None = None, *, scheme: str = "http") -> None:
        self.upstream = upstream
        self.recorder = recorder
        self.scheme = scheme
        self._max_body = recorder.max_body_bytes if recorder is not None else 0
        self._busy: dict[asyncio.Task[None], bool] = {}  # each client connection: mid-exchange or idle

    async def handle(self, reader: StreamReader, writer: StreamWriter) -> None:
        """Serve one client connection until it closes (``asyncio.start_server``'s callback)."""
        task = asyncio.current_task()
        assert task is not None
        self._busy[task] = False
        try:
            while await self._exchange(reader, writer, task):
                pass
        except (OSError, IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            pass  # a side went away mid-message: its connection closes, there is no record
        except Exception:  # a bug of ours: said, and only this connection ends
            log.exception("specbuild record: an exchange failed")
        finally:
            del self._busy[task]
            writer.close()

    async def _exchange(self, reader: StreamReader, writer: StreamWriter, task: asyncio.Task[None]) -> bool:
        """One request and its answer; whether the client connection goes on."""
        try:
            raw = await reader.readuntil(b"\r\n\r\n")
        except IncompleteReadError:
            return False  # the client closed between requests
        except asyncio.LimitOverrunError:
            writer.write(simple_response(431, "Request Header Fields Too Large", "specbuild record: head over 64 KiB"))
            return False
        self._busy[task] = True
        try:
            return await self._forward(parse_head(raw[:-4]), reader, writer)
        except WireError as exc:
            writer.write(simple_response(400, "Bad Request", f"specbuild record: {exc}"))
            return False
        finally:
            self._busy[task] = False

    async def _forward(self, head: Head, reader: StreamReader, writer: StreamWriter) -> bool:
        method, target, _ = head.line
        framing, length = request_framing(head)
        upgrade = b"upgrade" in head.tokens(b"connection") and head.get(b"upgrade") is not None
        peer = writer.get_extra_info("peername")
        if b"100-continue" in head.tokens(b"expect"):
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")  # the upstream never sees the Expect
        out = serialize((method, self.upstream.prefix + origin_form(target), b"HTTP/1.1"),
                        upstream_headers(head, self.upstream.authority, peer[0] if peer else None, self.scheme,
                                         framing, upgrade))
        exchange = self._capture(head, now())
        request_kept = None if exchange is None else Kept(self._max_body)
        try:
            conn, raw = await self._ask(out, reader, framing, length, request_kept)
        except TimeoutError:
            writer.write(simple_response(504, "Gateway Timeout", f"specbuild record: the upstream "
                                         f"{self.upstream.url} did not answer in {self.upstream.timeout:g} s"))
            return False
        except (OSError, IncompleteReadError) as exc:
            writer.write(simple_response(502, "Bad Gateway", f"specbuild record: the upstream {self.upstream.url} "
                                         f"did not answer ({type(exc).__name__})"))
            return False
        try:
            response = parse_head(raw[:-4])
            if not response.line[1].isdigit():
                raise WireError(f"not a status line: {raw[:40]!r}")
        except WireError as exc:
            conn[1].close()
            writer.write(simple_response(502, "Bad Gateway", f"specbuild record: the upstream {self.upstream.url} "
                                         f"answered what is not HTTP/1.x ({exc})"))
            return False
        if upgrade and response.line[1] == b"101":
            writer.write(raw)
            await splice((reader, writer), conn)
            return False
        return await self._answer(head, response, conn, writer, exchange, request_kept)

    async def _ask(self, out: bytes, reader: StreamReader, framing: Framing, length: int,
                   kept: Kept | None) -> tuple[Conn, bytes]:
        """Send the request (head ``out``, then its body from ``reader``) and read the head of the final answer.
        A kept connection the upstream closed meanwhile is tried once more on a new one (a request without
        a body: one with a body is gone by then)."""
        while True:
            conn, reused = await self.upstream.connect()
            try:
                await relay(reader, conn[1], framing, length, kept, out)
                async with asyncio.timeout(self.upstream.timeout):
                    raw = await conn[0].readuntil(b"\r\n\r\n")
                    while raw[9:10] == b"1" and raw[9:12] != b"101":  # 100, 103: interim, not passed on
                        raw = await conn[0].readuntil(b"\r\n\r\n")
                return conn, raw
            except (IncompleteReadError, ConnectionError) as exc:
                conn[1].close()
                partial = exc.partial if isinstance(exc, IncompleteReadError) else b""
                if not reused or framing is not Framing.NONE or partial:
                    raise
            except BaseException:
                conn[1].close()
                raise

    async def _answer(self, head: Head, response: Head, conn: Conn, writer: StreamWriter,
                      exchange: Exchange | None, request_kept: Kept | None) -> bool:
        """Pass the response on to the client; record the exchange; whether the client connection goes on."""
        framing, length = response_framing(response, head.line[0])
        # an HTTP/1.0 client reads no chunks: it gets the body alone, ended by the close
        dechunk = head.line[2] == b"HTTP/1.0" and framing is Framing.CHUNKED
        close = not keeps_alive(head, head.line[2]) or framing is Framing.CLOSE or dechunk
        headers = [(k, v) for k, v in response.headers if k.lower() not in HOP_BY_HOP
                   or (framing is Framing.CHUNKED and not dechunk and k.lower() == b"transfer-encoding")]
        if close:
            headers.append((b"connection", b"close"))
        kept = None if exchange is None else Kept(self._max_body)
        await relay(conn[0], writer, framing, length, kept, serialize((b"HTTP/1.1", *response.line[1:]), headers),
                    dechunk=dechunk)
        if framing is not Framing.CLOSE and keeps_alive(response, response.line[0]):
            self.upstream.release(conn)
        else:
            conn[1].close()
        if self.recorder is not None and exchange is not None and request_kept is not None and kept is not None:
            exchange.status = int(response.line[1])
            exchange.response_headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers]
            exchange.request_body, exchange.request_cut = request_kept.bytes(), request_kept.cut
            exchange.response_body, exchange.response_cut = kept.bytes(), kept.cut
            exchange.finished = now()
            self.recorder.write(exchange)
        return not close

    def _capture(self, head: Head, started: str) -> Exchange | None:
        """The exchange to fill in as it goes, when the recorder wants it (its filters and sample)."""
        if self.recorder is None:
            return None
        method = head.line[0].decode("latin-1")
        path, _, query = origin_form(head.line[1]).decode("latin-1").partition("?")
        host = (head.get(b"host") or b"").decode("latin-1")
        path = unquote(path)
        if not self.recorder.wanted(method, path, host):
            return None
        return Exchange(method=method, scheme=self.scheme, host=host, path=path, query=query,
                        request_headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in head.headers],
                        status=0, started=started)

    async def serve(self, host: str, port: int) -> None:
        """Listen on ``host:port`` until SIGINT or SIGTERM; then finish the exchanges under way (5 s at most)."""
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            server = await asyncio.start_server(self.handle, host, port, limit=HEAD_LIMIT, backlog=4096)
        except OSError as exc:
            raise UsageError(f"--listen {host}:{port}: {exc.strerror or exc}") from None
        await stop.wait()
        server.close()
        for task, busy in list(self._busy.items()):
            if not busy:
                task.cancel()
        async with asyncio.timeout(5.0):
            while any(self._busy.values()):
                await asyncio.sleep(0.02)
        for task in list(self._busy):
            task.cancel()
        await asyncio.gather(*self._busy, return_exceptions=True)
        self.upstream.close()


def origin_form(target: bytes) -> bytes:
    """A request target as ``/path?query`` (an absolute-form target loses its scheme and authority)."""
    if target.startswith((b"http://", b"https://")):
        rest = target.split(b"//", 1)[1]
        slash = rest.find(b"/")
        return rest[slash:] if slash >= 0 else b"/"
    return target


def upstream_headers(head: Head, authority: bytes, client: str | None, scheme: str, framing: Framing,
                     upgrade: bool) -> list[tuple[bytes, bytes]]:
    """The request's headers for the upstream: Host its own, hop-by-hop ones (and those Connection names)
    dropped but the framing and an upgrade, Expect dropped (the proxy answered it), X-Forwarded-* added."""
    named = head.tokens(b"connection")
    out: list[tuple[bytes, bytes]] = [(b"host", authority)]
    host, forwarded_for = b"", b""
    for key, value in head.headers:
        name = key.lower()
        if name == b"host":
            host = value
        elif name == b"x-forwarded-for":
            forwarded_for = value + b", "
        elif ((name not in HOP_BY_HOP and name not in named and name != b"expect")
              or (name == b"transfer-encoding" and framing is Framing.CHUNKED)
              or (upgrade and name in (b"connection", b"upgrade"))):
            out.append((key, value))
    if client:
        out.append((b"x-forwarded-for", forwarded_for + client.encode()))
    out.append((b"x-forwarded-proto", scheme.encode()))
    if host:
        out.append((b"x-forwarded-host", host))
    return out


async def relay(src: StreamReader, dst: StreamWriter, framing: Framing, length: int, kept: Kept | None,
                head: bytes, *, dechunk: bool = False) -> None:
    """Write ``head``, then pass a body framed so from ``src`` to ``dst`` as it came (a chunked one with its
    chunk lines, or only their data when ``dechunk``), keeping a copy of its bytes in ``kept``; the head
    goes with the first bytes (one write)."""
    if framing is Framing.LENGTH:
        await _copy(src, dst, length, kept, head)
    elif framing is Framing.CHUNKED:
        while True:
            line = await src.readuntil(b"\r\n")
            size = chunk_size(line)
            if size == 0:
                break
            await _copy(src, dst, size, kept, head if dechunk else head + line)
            crlf = await src.readexactly(2)
            head = b"" if dechunk else crlf
        trailers = [line]
        while trailers[-1] != b"\r\n":
            trailers.append(await src.readuntil(b"\r\n"))
        dst.write(head if dechunk else head + b"".join(trailers))
    elif framing is Framing.CLOSE:
        while data := await src.read(CHUNK):
            dst.write(head + data)
            head = b""
            if kept is not None:
                kept.add(data)
            await dst.drain()
        dst.write(head)
    else:
        dst.write(head)
    await dst.drain()


async def _copy(src: StreamReader, dst: StreamWriter, n: int, kept: Kept | None, head: bytes) -> None:
    """Pass ``n`` bytes from ``src`` to ``dst`` after ``head``."""
    while n > 0:
        data = await src.read(min(n, CHUNK))
        if not data:
            raise IncompleteReadError(b"", n)
        dst.write(head + data if head else data)
        head = b""
        n -= len(data)
        if kept is not None:
            kept.add(data)
        if n:
            await dst.drain()
    if head:
        dst.write(head)


async def splice(a: Conn, b: Conn) -> None:
    """Pass bytes both ways between two connections until one side ends (an upgraded connection)."""
    async def pipe(src: StreamReader, dst: StreamWriter) -> None:
        while data := await src.read(CHUNK):
            dst.write(data)
            await dst.drain()
        if dst.can_write_eof():
            dst.write_eof()

    tasks = [asyncio.ensure_future(pipe(a[0], b[1])), asyncio.ensure_future(pipe(b[0], a[1]))]
    try:
        _, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        await asyncio.wait(pending, timeout=5.0)  # the other way may still be closing (a WebSocket's close frame)
    finally:
        for task in tasks:
            task.cancel()
        b[1].close()


class Batch:
    """The records of one turn of the event loop, appended at its end in one locked write (a JSONL sink's
    ``write_many``): under load one turn answers many exchanges, and the lock and the write were a third
    of the CPU a record cost. Nothing waits: the turn ends within the exchanges' own time."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.records: list[dict[str, Any]] = []

    def write(self, record: dict[str, Any]) -> None:
        if not self.records:
            asyncio.get_running_loop().call_soon(self.flush)
        self.records.append(record)

    def flush(self) -> None:
        records, self.records = self.records, []
        write_many = getattr(self.sink, "write_many", None)
        try:
            if write_many is not None:
                write_many(records)
            else:
                for record in records:
                    self.sink.write(record)
        except Exception:  # a sink counts its own drops; what it raises is said, never the proxy's end
            log.exception("specbuild record: records could not be written")

    def close(self) -> None:
        self.flush()
        self.sink.close()


def _run(main: Coroutine[Any, Any, None]) -> None:
    """Run ``main`` on uvloop when it is installed (``specbuild[record]``): measured, it takes the CPU a
    passed-through exchange costs from 161 to 111 µs; else on asyncio's own loop."""
    try:
        import uvloop
    except ModuleNotFoundError:
        asyncio.run(main)
    else:
        uvloop.run(main)


def serve(upstream: Upstream, host: str, port: int, recorder: dict[str, object]) -> None:
    """Record through a proxy on ``host:port`` to ``upstream`` until a signal (``recorder``: the keyword
    arguments of :class:`Recorder`, ``to`` included)."""
    rec = Recorder(None, **recorder)  # type: ignore[arg-type]
    rec.sink = Batch(rec.sink)
    try:
        _run(Proxy(upstream, rec).serve(host, port))
    finally:
        rec.sink.close()
