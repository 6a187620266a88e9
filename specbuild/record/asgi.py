"""``ASGIRecorder``: record every HTTP exchange an ASGI app (FastAPI, Starlette, any) serves, as HTTP Types.

    app = ASGIRecorder(app, to="recordings.jsonl")

Request body chunks are kept as the app receives them; response messages go to the server as they
come (streaming stays streaming) and the record is written once the last body chunk is sent. WebSocket
and lifespan scopes pass through unrecorded. A failure of the recorder never reaches the app or the
client.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from specbuild.record.capture import Exchange, Kept, now, slashes_kept
from specbuild.record.recorder import Recorder

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[MutableMapping[str, Any], Receive, Send], Awaitable[None]]


class ASGIRecorder(Recorder):
    """ASGI middleware that appends one HTTP Types record per HTTP exchange to ``to`` (a JSONL path or a
    sink); ``redaction``, ``max_body_bytes``, ``keep`` and ``sample`` as :class:`Recorder` says."""

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, self._closing(send))
            return
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope.get("headers", [])]
        if scope["type"] != "http" or not self.wanted(scope.get("method", "GET"), _path(scope), _host(scope, headers)):
            await self.app(scope, receive, send)
            return
        started = now()
        request, response = Kept(self.max_body_bytes), Kept(self.max_body_bytes)
        seen: dict[str, Any] = {}

        async def recording_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                request.add(message.get("body", b""))
            return message

        async def recording_send(message: Message) -> None:
            await send(message)
            kind = message["type"]
            if kind == "http.response.start":
                seen["status"], seen["headers"] = message["status"], message.get("headers", [])
            elif kind == "http.response.body":
                response.add(message.get("body", b""))
                if not message.get("more_body", False):
                    self._record(scope, headers, started, request, seen, response)

        await self.app(scope, recording_receive, recording_send)

    def _closing(self, send: Send) -> Send:
        """``send`` for the lifespan scope: what is queued is written and the sink closed (Kafka: flushed)
        as the app shuts down."""
        async def closing_send(message: Message) -> None:
            if message["type"] == "lifespan.shutdown.complete":
                self.close()
            await send(message)
        return closing_send

    def _record(self, scope: MutableMapping[str, Any], headers: list[tuple[str, str]], started: str, request: Kept,
                seen: dict[str, Any], response: Kept) -> None:
        self.submit(Exchange(method=scope.get("method", "GET"), scheme=scope.get("scheme", "http"),
                            host=_host(scope, headers), path=_path(scope),
                            query=scope.get("query_string", b"").decode("latin-1"), request_headers=headers,
                            status=int(seen["status"]),
                            response_headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in seen["headers"]],
                            request_body=request.bytes(), response_body=response.bytes(), request_cut=request.cut,
                            response_cut=response.cut, started=started, finished=now()))


def _path(scope: MutableMapping[str, Any]) -> str:
    # servers differ on whether "path" already holds "root_path" (uvicorn does since 0.26)
    root, path = str(scope.get("root_path", "")), str(scope.get("path", "/"))
    path = path if not root or path.startswith(root) else root + path
    raw = scope.get("raw_path")
    if isinstance(raw, bytes) and b"%2f" in raw.lower():  # "path" has it decoded to a slash: the raw one tells
        return slashes_kept(path, raw.decode("utf-8", "replace"))
    return path


def _host(scope: MutableMapping[str, Any], headers: list[tuple[str, str]]) -> str:
    host = next((v for k, v in headers if k.lower() == "host"), "")
    if host:
        return host
    server = scope.get("server")
    return f"{server[0]}:{server[1]}" if server else ""
