"""The recording proxy's upstream: where it is (``http[s]://host[:port][/prefix]``) and its connections,
kept alive between requests; each an asyncio protocol that hands what it reads to the client connection
it serves (:class:`~specbuild.record.proxy.ClientSide`), and nothing else.
"""

from __future__ import annotations

import asyncio
import ssl
from typing import TYPE_CHECKING, Final, cast
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from specbuild.record.proxy import ClientSide

IDLE_KEPT: Final = 512  # upstream connections kept open between requests


class UpstreamSide(asyncio.Protocol):
    """One connection to the upstream; ``client`` is the client connection it answers now (None: idle)."""

    def __init__(self, pool: Upstream) -> None:
        self.pool = pool
        self.client: ClientSide | None = None
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        if self.client is not None:
            self.client.upstream_data(data)
        elif self.transport is not None:
            self.transport.close()  # bytes nobody asked for: this connection is no longer a clean one

    def connection_lost(self, exc: Exception | None) -> None:
        self.pool.forget(self)
        if self.client is not None:
            self.client.upstream_lost(self)

    # the client reads slower than the upstream writes: stop reading the upstream until it catches up
    def pause_writing(self) -> None:
        if self.client is not None:
            self.client.pause_reading()

    def resume_writing(self) -> None:
        if self.client is not None:
            self.client.resume_reading()

    def write(self, data: bytes) -> None:
        if self.transport is not None:
            self.transport.write(data)

    def close(self) -> None:
        self.client = None
        if self.transport is not None:
            self.transport.close()


class Upstream:
    """Where the proxy forwards to, and its idle connections."""

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
        self._idle: list[UpstreamSide] = []
        self._connecting: set[asyncio.Future[None]] = set()

    def acquire(self, client: ClientSide, *, fresh: bool = False) -> None:
        """Hand ``client`` a connection (``client.connected``), an idle one unless ``fresh``, or tell it why
        none could be made (``client.connect_failed``)."""
        while self._idle and not fresh:
            up = self._idle.pop()
            if up.transport is not None and not up.transport.is_closing():
                up.client = client
                client.connected(up, reused=True)
                return
        task = asyncio.ensure_future(self._connect(client))
        self._connecting.add(task)  # a task nobody holds may be collected before it runs
        task.add_done_callback(self._connecting.discard)

    async def _connect(self, client: ClientSide) -> None:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self.timeout):
                _, up = await loop.create_connection(lambda: UpstreamSide(self), self.host, self.port, ssl=self._tls,
                                                     server_hostname=self.host if self._tls else None)
        except (OSError, TimeoutError) as exc:
            client.connect_failed(exc)
            return
        if client.gone:
            self.release(up)
        else:
            up.client = client
            client.connected(up, reused=False)

    def release(self, up: UpstreamSide) -> None:
        up.client = None
        if len(self._idle) < IDLE_KEPT and up.transport is not None and not up.transport.is_closing():
            self._idle.append(up)
        else:
            up.close()

    def forget(self, up: UpstreamSide) -> None:
        if up in self._idle:
            self._idle.remove(up)

    def close(self) -> None:
        for up in list(self._idle):
            up.close()
        self._idle.clear()
