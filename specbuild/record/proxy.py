"""``specbuild record``: a recording reverse proxy, an ASGI app that forwards to ``--upstream`` with httpx,
wrapped in :class:`~specbuild.record.asgi.ASGIRecorder` and served by uvicorn (HTTP/1.1 keep-alive,
concurrent clients). The only httpx and uvicorn importer; both come with ``specbuild[record]``.

Requests and responses stream through (a chunked or long response reaches the client as it comes);
hop-by-hop headers stay on their hop; the upstream gets ``X-Forwarded-For``, ``-Proto`` and ``-Host``;
an upstream that cannot be reached is a 502 to the client (and no record). WebSocket upgrades are
refused (close code 1003): they are not proxied.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, MutableMapping
from typing import Any, Final

import httpx
import uvicorn

from specbuild.record.asgi import ASGIRecorder, Receive, Send

HOP_BY_HOP: Final = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
                               "trailer", "trailers", "transfer-encoding", "upgrade"})


class Proxy:
    """Forward every HTTP request to ``upstream`` (``http://host:port[/prefix]``) and stream the answer back."""

    def __init__(self, upstream: str, *, timeout: float = 60.0, transport: httpx.AsyncBaseTransport | None = None):
        self.upstream = upstream.rstrip("/")
        self._settings: dict[str, Any] = {"timeout": timeout, "transport": transport, "follow_redirects": False}
        self._client: httpx.AsyncClient | None = None

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:  # made in the server's event loop, kept for its keep-alive connections
            self._client = httpx.AsyncClient(**self._settings)
            # httpx's default Accept-Encoding, User-Agent ... would change what the client asked for
            for name in list(self._client.headers):
                del self._client.headers[name]
        return self._client

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "websocket":
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": 1003})
        else:
            await self._forward(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._client is not None:
                    await self._client.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _forward(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        target = self.upstream + (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
        if scope.get("query_string"):
            target += "?" + scope["query_string"].decode("latin-1")
        # a request that says it has no body is sent with none (an iterator would make httpx send it chunked)
        framing = {k.lower(): v for k, v in scope.get("headers", []) if k.lower() in (b"content-length",
                                                                                  b"transfer-encoding")}
        has_body = framing.get(b"content-length", b"0") != b"0" or b"transfer-encoding" in framing
        request = self.client.build_request(scope["method"], target, headers=forwarded_headers(scope),
                                            content=_body(receive) if has_body else None)
        try:
            response = await self.client.send(request, stream=True)
        except httpx.HTTPError as exc:
            text = f"specbuild record: the upstream {self.upstream} did not answer ({type(exc).__name__})".encode()
            await send({"type": "http.response.start", "status": 502,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
            await send({"type": "http.response.body", "body": text})
            return
        try:
            headers = [(k, v) for k, v in response.headers.raw if k.lower().decode("latin-1") not in HOP_BY_HOP]
            await send({"type": "http.response.start", "status": response.status_code, "headers": headers})
            async for chunk in response.aiter_raw():  # as the upstream coded it: the recorder decodes its copy
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            await response.aclose()


def forwarded_headers(scope: MutableMapping[str, Any]) -> list[tuple[bytes, bytes]]:
    """The request's headers for the upstream: its hop-by-hop ones and Host dropped, X-Forwarded-* added."""
    out: list[tuple[bytes, bytes]] = []
    host, forwarded_for = b"", b""
    for key, value in scope.get("headers", []):
        name = key.lower()
        if name == b"host":
            host = value
        elif name == b"x-forwarded-for":
            forwarded_for = value + b", "
        elif name.decode("latin-1") not in HOP_BY_HOP:
            out.append((key, value))
    client = scope.get("client")
    if client:
        out.append((b"x-forwarded-for", forwarded_for + str(client[0]).encode()))
    out.append((b"x-forwarded-proto", str(scope.get("scheme", "http")).encode()))
    if host:
        out.append((b"x-forwarded-host", host))
    return out


async def _body(receive: Receive) -> AsyncIterator[bytes]:
    while True:
        message = await receive()
        if message["type"] != "http.request":  # http.disconnect: the client went away
            return
        if message.get("body"):
            yield message["body"]
        if not message.get("more_body", False):
            return


def serve(upstream: str, host: str, port: int, recorder: dict[str, Any]) -> None:
    """Record through a proxy on ``host:port`` to ``upstream`` until a signal (``recorder``: ASGIRecorder's
    keyword arguments, ``to`` included)."""
    app = ASGIRecorder(Proxy(upstream), **recorder)
    try:
        # the upstream's Date and Server headers go through as they are, not doubled by uvicorn's
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, lifespan="on",
                    timeout_graceful_shutdown=5, server_header=False, date_header=False)
    finally:
        app.sink.close()
