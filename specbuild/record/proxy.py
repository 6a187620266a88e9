"""``specbuild record``: a recording reverse proxy, HTTP/1.1 passed through as it came, on asyncio protocols.

Each client connection is a :class:`ClientSide`: it finds a request head in what it reads
(:mod:`specbuild.record.wire`), forwards it to ``--upstream`` over a kept-alive connection of the pool
(:mod:`specbuild.record.pool`, plain or TLS), then the body and the answer as the bytes they came in,
framing and all (a chunked or long body reaches the other side as it comes), following each body's
framing (:class:`~specbuild.record.wire.Body`) to know where it ends, and keeps copies of the bodies for
the record, written once the answer is complete. No task or stream per connection: measured
(bench/bench_proxy.py, CPU per exchange), asyncio streams cost ~120 µs to pass one exchange, the same
as the httpx forwarder under uvicorn this replaced, against ~22 µs for a bare byte pump.

Hop-by-hop headers stay on their hop; the upstream gets ``X-Forwarded-For``, ``-Proto`` and ``-Host``;
``Expect: 100-continue`` is answered by the proxy; an HTTP/1.0 client gets a chunked answer as its
bytes ended by the close. An upgrade (WebSocket) is passed through both ways once the upstream says
101, unrecorded. An upstream that cannot be reached is a 502 to the client (a 504 if it does not answer
in time), and no record; a kept connection the upstream closed meanwhile is retried once on a new one
(for a request without a body). An answer on the request's head alone closes its upstream connection
(the server still waits for the body it was promised) instead of returning it to the pool; where the
server kept it, the proxy reads the rest of the body for the record before the client's next request.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable, Coroutine
from typing import Any, Final, cast

from specbuild.errors import UsageError
from specbuild.record.capture import Exchange, Kept, decoded_path, now
from specbuild.record.pool import Upstream, UpstreamSide
from specbuild.record.recorder import Recorder
from specbuild.record.sink import Sink, write_batch
from specbuild.record.wire import (
    HOP_BY_HOP,
    Body,
    Framing,
    Head,
    WireError,
    keeps_alive,
    parse_head,
    request_framing,
    response_framing,
    serialize,
    simple_response,
)

__all__ = ["ClientSide", "Proxy", "Upstream", "origin_form", "serve", "upstream_headers"]

HEAD_LIMIT: Final = 1 << 16   # a head over 64 KiB is refused (431 to a client, 502 from the upstream)


class ClientSide(asyncio.Protocol):
    """One client connection: its requests one at a time (a pipelined one waits for the answer before)."""

    def __init__(self, proxy: Proxy) -> None:
        self.proxy = proxy
        self.transport: asyncio.Transport | None = None
        self.gone = False        # the client closed its connection
        self.busy = False        # an exchange is under way
        self.tunnel = False      # upgraded: bytes pass both ways
        self.buf = b""           # read from the client, not yet passed on
        self.rbuf = b""          # read from the upstream, not yet passed on
        self.up: UpstreamSide | None = None
        self._paused = False
        self._reset()

    def _reset(self) -> None:
        self.head: Head | None = None
        self.request: Body | None = None
        self.response: Body | None = None
        self.out = b""           # the request head for the upstream (kept for a retry)
        self.reply = b""         # the response head for the client, sent with the first body bytes
        self.close_after = False
        self.reused = False
        self.answered = False    # any byte of the answer came
        self.replied = False     # the answer's head went to the client
        self.up_keeps = False    # the upstream keeps its connection after this answer
        self.exchange: Exchange | None = None
        self.kept: tuple[Kept, Kept] | None = None
        self.timer: asyncio.TimerHandle | None = None
        self.draining = False    # answered on the head alone: the rest of the body read for the record

    # -- the client's side ------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        self.proxy.clients.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.gone = True
        self.proxy.clients.discard(self)
        if self.timer is not None:
            self.timer.cancel()
        if self.up is not None:  # an exchange left half-way: its upstream connection is no clean one
            self.up.close()
            self.up = None
        if self.draining:  # gone before the body an early answer left had come: recorded cut
            self._drained(whole=False)

    def data_received(self, data: bytes) -> None:
        if self.tunnel:
            if self.up is not None:
                self.up.write(data)
            return
        self.buf += data
        try:
            self._advance()
        except WireError as exc:
            self._refuse(400, "Bad Request", str(exc))

    def _advance(self) -> None:
        """Start the next request, or pass on what is read of the current one's body."""
        while not self.gone:
            if self.head is None:
                end = self.buf.find(b"\r\n\r\n")
                if end < 0:
                    if len(self.buf) > HEAD_LIMIT:
                        self._refuse(431, "Request Header Fields Too Large", "a head over 64 KiB")
                    return
                raw, self.buf = self.buf[:end], self.buf[end + 4:]
                self._start(parse_head(raw))
            elif self.draining and self.buf:
                assert self.request is not None and self.kept is not None
                _, data, self.buf = self.request.feed(self.buf)
                self.kept[0].add(data)
                if self.request.done:
                    self._drained(whole=True)
            elif self.request is not None and not self.request.done and self.up is not None and self.buf:
                out, data, self.buf = self.request.feed(self.buf)
                self.up.write(out)
                if self.kept is not None:
                    self.kept[0].add(data)
            else:  # waiting: for the upstream connection, for more body, or for the answer
                if len(self.buf) > HEAD_LIMIT:
                    self.pause_reading()  # a client far ahead waits in its socket, not in our memory
                else:
                    self.resume_reading()
                return

    def _start(self, head: Head) -> None:
        method, target, _ = head.line
        framing, length = request_framing(head)
        self.busy, self.head, self.request = True, head, Body(framing, length)
        upgrade = b"upgrade" in head.tokens(b"connection") and head.get(b"upgrade") is not None
        if b"100-continue" in head.tokens(b"expect"):
            self._write(b"HTTP/1.1 100 Continue\r\n\r\n")  # the upstream never sees the Expect
        peer = self.transport.get_extra_info("peername") if self.transport is not None else None
        upstream = self.proxy.upstream
        self.out = serialize((method, upstream.prefix + origin_form(target), b"HTTP/1.1"),
                             upstream_headers(head, upstream.authority, peer[0] if peer else None,
                                              self.proxy.scheme, framing, upgrade, self.proxy.forwarded))
        self.exchange = self.proxy.capture(head, now())
        if self.exchange is not None:
            self.kept = (Kept(self.proxy.max_body), Kept(self.proxy.max_body))
        upstream.acquire(self)

    def _write(self, data: bytes) -> None:
        if self.transport is not None and not self.gone:
            self.transport.write(data)

    def _refuse(self, status: int, reason: str, text: str) -> None:
        """Answer an error of the proxy's own (unless an answer has begun) and close; no record."""
        if self.timer is not None:
            self.timer.cancel()
        if self.up is not None:
            self.up.close()
            self.up = None
        if not self.replied and not self.tunnel:
            self._write(simple_response(status, reason, f"specbuild record: {text}"))
        if self.transport is not None:
            self.transport.close()
        self.busy = False

    # the upstream reads slower than the client writes (or the client is ahead): stop reading it
    def pause_reading(self) -> None:
        if self.transport is not None and not self._paused:
            self._paused = True
            self.transport.pause_reading()

    def resume_reading(self) -> None:
        if self.transport is not None and self._paused and not self.gone:
            self._paused = False
            self.transport.resume_reading()

    def pause_writing(self) -> None:
        if self.up is not None and self.up.transport is not None:
            self.up.transport.pause_reading()

    def resume_writing(self) -> None:
        if self.up is not None and self.up.transport is not None:
            self.up.transport.resume_reading()

    # -- the upstream's side -----------------------------------------------------------------------
    def connected(self, up: UpstreamSide, *, reused: bool) -> None:
        self.up, self.reused = up, reused
        up.write(self.out)
        self.timer = asyncio.get_running_loop().call_later(self.proxy.upstream.timeout, self._timed_out)
        self._advance()

    def connect_failed(self, exc: BaseException) -> None:
        if isinstance(exc, TimeoutError):
            self._timed_out()
        else:
            self._refuse(502, "Bad Gateway", f"the upstream {self.proxy.upstream.url} did not answer "
                                             f"({type(exc).__name__})")

    def _timed_out(self) -> None:
        self._refuse(504, "Gateway Timeout", f"the upstream {self.proxy.upstream.url} did not answer in "
                                             f"{self.proxy.upstream.timeout:g} s")

    def upstream_lost(self, up: UpstreamSide) -> None:
        if up is not self.up:
            return
        self.up = None
        if self.tunnel:
            if self.transport is not None:
                self.transport.close()
        elif self.response is not None and self.response.framing is Framing.CLOSE:
            self._finish(clean=False)  # the close ends the body
        elif self.reused and not self.answered and self.request is not None \
                and self.request.framing is Framing.NONE:
            if self.timer is not None:
                self.timer.cancel()
            self.proxy.upstream.acquire(self, fresh=True)  # it had closed the kept connection meanwhile
        else:
            self._refuse(502, "Bad Gateway", f"the upstream {self.proxy.upstream.url} closed the connection")

    def upstream_data(self, data: bytes) -> None:
        if self.tunnel:
            self._write(data)
            return
        self.answered = True
        self.rbuf += data
        try:
            self._answer()
        except WireError as exc:
            self._refuse(502, "Bad Gateway", f"the upstream {self.proxy.upstream.url} answered what is not "
                                             f"HTTP/1.x ({exc})")

    def _answer(self) -> None:
        while self.response is None:
            end = self.rbuf.find(b"\r\n\r\n")
            if end < 0:
                if len(self.rbuf) > HEAD_LIMIT:
                    raise WireError("a head over 64 KiB")
                return
            raw, self.rbuf = self.rbuf[:end], self.rbuf[end + 4:]
            if raw[9:10] == b"1" and raw[9:12] != b"101":
                continue  # 100, 103: interim, not passed on
            self._response_head(parse_head(raw), raw)
            if self.tunnel:
                return
        out, data, rest = self.response.feed(self.rbuf)
        self.rbuf = b""
        if self.reply or out:
            self._write(self.reply + out if self.reply else out)
            self.reply, self.replied = b"", True
        if self.kept is not None:
            self.kept[1].add(data)
        if self.response.done:
            self._finish(clean=not rest)  # bytes after the answer: that connection is no clean one

    def _response_head(self, response: Head, raw: bytes) -> None:
        if not response.line[1].isdigit():
            raise WireError(f"not a status line: {raw[:40]!r}")
        assert self.head is not None
        if self.timer is not None:
            self.timer.cancel()
        if response.line[1] == b"101" and b"upgrade" in self.head.tokens(b"connection"):
            self.tunnel = self.replied = True  # from here on, bytes both ways and no record
            self._write(raw + b"\r\n\r\n" + self.rbuf)
            if self.up is not None and self.buf:
                self.up.write(self.buf)
            self.rbuf = self.buf = b""
            return
        framing, length = response_framing(response, self.head.line[0])
        # an HTTP/1.0 client reads no chunks: it gets the body alone, ended by the close
        dechunk = self.head.line[2] == b"HTTP/1.0" and framing is Framing.CHUNKED
        self.close_after = not keeps_alive(self.head, self.head.line[2]) or framing is Framing.CLOSE or dechunk
        headers = [(k, v) for k, v in response.headers if k.lower() not in HOP_BY_HOP
                   or (framing is Framing.CHUNKED and not dechunk and k.lower() == b"transfer-encoding")]
        if self.close_after:
            headers.append((b"connection", b"close"))
        self.reply = serialize((b"HTTP/1.1", *response.line[1:]), headers)
        self.response = Body(framing, length, dechunk=dechunk)
        self.up_keeps = keeps_alive(response, response.line[0])
        if self.exchange is not None:
            self.exchange.status = int(response.line[1])
            self.exchange.response_headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers]

    def _finish(self, *, clean: bool) -> None:
        """The answer is passed on: the upstream connection back to the pool (when it stays clean), the
        record written, and the client's next request started."""
        if self.reply:
            self._write(self.reply)
        up, self.up = self.up, None
        # an answer on the head alone leaves the upstream waiting for the body it was promised: the next
        # request on that connection would be read as the rest of it (request.done: passed on whole)
        sent = self.request is None or self.request.done
        if up is not None and clean and sent and self.up_keeps and self.response is not None \
                and self.response.framing is not Framing.CLOSE:
            self.proxy.upstream.release(up)
        elif up is not None:
            up.close()
        if self.exchange is not None and self.kept is not None:
            ex, (request, response) = self.exchange, self.kept
            whole = self._request_read()  # first: it may add the client's buffered bytes to ``request``
            ex.response_body, ex.response_cut = response.bytes(), response.cut
            ex.finished = now()
            if not whole and self.up_keeps and not self.close_after and not self.gone:
                # the server keeps the connection: it reads the rest of the body and drops it, and so
                # does the proxy, for the record (_drained); the client's next request waits for it
                self.draining = True
                self.resume_reading()
                return
            ex.request_body, ex.request_cut = request.bytes(), request.cut or not whole
            self.proxy.record(ex)
        self._next(close=self.close_after or (self.request is not None and not self.request.done))

    def _drained(self, whole: bool) -> None:
        """The body an early answer left (see _finish) is read, or its client gone: the record written."""
        assert self.exchange is not None and self.kept is not None
        self.exchange.request_body, self.exchange.request_cut = self.kept[0].bytes(), self.kept[0].cut or not whole
        self.proxy.record(self.exchange)
        self._next(close=not whole)

    def _next(self, *, close: bool) -> None:
        """The client's next request: started from what it sent already, or its connection closed."""
        self._reset()
        self.busy = False
        if close:
            if self.transport is not None:
                self.transport.close()
            return
        self.resume_reading()
        if self.buf:
            self._advance()

    def _request_read(self) -> bool:
        """Whether the request's body was read to its end. A server may answer on the head alone (Keycloak,
        a body it ignores): what the client sent meanwhile is kept (not passed on: the answer is in);
        a body still unread is read on where the server keeps its connection (_finish), else recorded
        cut, never as a request without one."""
        if self.request is None or self.request.done:
            return True
        if self.buf and self.kept is not None:
            _, data, self.buf = self.request.feed(self.buf)
            self.kept[0].add(data)
        return self.request.done


class Proxy:
    """Forward every request a client sends to ``upstream`` and record the exchange with ``recorder``."""

    def __init__(self, upstream: Upstream, recorder: Recorder | None = None, *, scheme: str = "http",
                 forwarded: bool = True) -> None:
        self.upstream = upstream
        self.recorder = recorder
        self.scheme = scheme
        self.forwarded = forwarded  # X-Forwarded-* added to what goes upstream
        self.max_body = recorder.max_body_bytes if recorder is not None else 0
        self.clients: set[ClientSide] = set()

    def capture(self, head: Head, started: str) -> Exchange | None:
        """The exchange to fill in as it goes, when the recorder wants it (its filters and sample)."""
        if self.recorder is None:
            return None
        method = head.line[0].decode("latin-1")
        path, _, query = origin_form(head.line[1]).decode("latin-1").partition("?")
        host = (head.get(b"host") or b"").decode("latin-1")
        path = decoded_path(path)
        if not self.recorder.wanted(method, path, host):
            return None
        return Exchange(method=method, scheme=self.scheme, host=host, path=path, query=query,
                        request_headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in head.headers],
                        status=0, started=started)

    def record(self, exchange: Exchange) -> None:
        if self.recorder is not None:
            self.recorder.write(exchange)

    async def serve(self, host: str, port: int, ready: Callable[[], None] = lambda: None) -> None:
        """Listen on ``host:port`` until SIGINT or SIGTERM; then finish the exchanges under way (5 s at most).
        ``ready`` is called once it listens (a banner said before would claim a port another process has)."""
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            server = await loop.create_server(lambda: ClientSide(self), host, port, backlog=4096)
        except OSError as exc:
            raise UsageError(f"--listen {host}:{port}: {exc.strerror or exc}") from None
        ready()
        await stop.wait()
        server.close()
        for _ in range(250):  # 5 s for the exchanges under way; idle connections close at once
            for client in [c for c in self.clients if not c.busy or c.tunnel]:
                client.gone = True
                if client.transport is not None:
                    client.transport.close()
            if not self.clients:
                break
            await asyncio.sleep(0.02)
        for client in list(self.clients):
            if client.transport is not None:
                client.transport.close()
        self.upstream.close()
        await asyncio.sleep(0)  # the transports' close callbacks run


def origin_form(target: bytes) -> bytes:
    """A request target as ``/path?query`` (an absolute-form target loses its scheme and authority)."""
    if target.startswith((b"http://", b"https://")):
        rest = target.split(b"//", 1)[1]
        slash = rest.find(b"/")
        return rest[slash:] if slash >= 0 else b"/"
    return target


def upstream_headers(head: Head, authority: bytes, client: str | None, scheme: str, framing: Framing,
                     upgrade: bool, forwarded: bool = True) -> list[tuple[bytes, bytes]]:
    """The request's headers for the upstream: Host its own, hop-by-hop ones (and those Connection names)
    dropped but the framing and an upgrade, Expect dropped (the proxy answered it), X-Forwarded-* added
    (unless not ``forwarded``: the client's own then pass as they came)."""
    named = head.tokens(b"connection")
    out: list[tuple[bytes, bytes]] = [(b"host", authority)]
    host, forwarded_for = b"", b""
    for key, value in head.headers:
        name = key.lower()
        if name == b"host":
            host = value
        elif name == b"x-forwarded-for" and forwarded:
            forwarded_for = value + b", "
        elif ((name not in HOP_BY_HOP and name not in named and name != b"expect")
              or (name == b"transfer-encoding" and framing is Framing.CHUNKED)
              or (upgrade and name in (b"connection", b"upgrade"))):
            out.append((key, value))
    if not forwarded:
        return out
    if client:
        out.append((b"x-forwarded-for", forwarded_for + client.encode()))
    out.append((b"x-forwarded-proto", scheme.encode()))
    if host:
        out.append((b"x-forwarded-host", host))
    return out


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
        if not self.records:  # a JSONL sink's write opens (creates) its file: a session of no record makes none
            return
        records, self.records = self.records, []
        write_batch(self.sink, records, "specbuild record")

    def close(self) -> None:
        self.flush()
        self.sink.close()


def _run(main: Coroutine[Any, Any, None]) -> None:
    """Run ``main`` on uvloop when it is installed (``specbuild[record]``): measured, it takes the CPU a
    passed-through exchange costs from 161 to 111 µs; else on asyncio's own loop."""
    try:
        import uvloop  # type: ignore[import-not-found, unused-ignore]  # optional: specbuild[record]
    except ModuleNotFoundError:
        asyncio.run(main)
    else:
        uvloop.run(main)


def serve(upstream: Upstream, host: str, port: int, recorder: dict[str, object], forwarded: bool = True,
          ready: Callable[[], None] = lambda: None) -> None:
    """Record through a proxy on ``host:port`` to ``upstream`` until a signal (``recorder``: the keyword
    arguments of :class:`Recorder`, ``to`` included; ``forwarded``: X-Forwarded-* added upstream; ``ready``:
    called once the proxy listens)."""
    rec = Recorder(None, **recorder)  # type: ignore[arg-type]
    rec.sink = Batch(rec.sink)
    try:
        _run(Proxy(upstream, rec, forwarded=forwarded).serve(host, port, ready))
    finally:
        rec.sink.close()
