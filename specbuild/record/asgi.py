"""``ASGIRecorder``: record every HTTP exchange an ASGI app (FastAPI, Starlette, any) serves, as HTTP Types.

    app = ASGIRecorder(app, to="recordings.jsonl")

Request body chunks are kept as the app receives them; response messages go to the server as they
come (streaming stays streaming) and the record is written once the last body chunk is sent. WebSocket
and lifespan scopes pass through unrecorded. A failure of the recorder never reaches the app or the
client.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from specbuild.record.capture import DEFAULT_MAX_BODY_BYTES, Exchange, Kept, Redaction, http_types, now
from specbuild.record.sink import Sink, open_sink

log = logging.getLogger("specbuild.record")
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[MutableMapping[str, Any], Receive, Send], Awaitable[None]]


class ASGIRecorder:
    """ASGI middleware that appends one HTTP Types record per HTTP exchange to ``to`` (a JSONL path or a sink)."""

    def __init__(self, app: ASGIApp, to: str | os.PathLike[str] | Sink, *, redaction: Redaction | None = None,
                 max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.app = app
        self.sink = open_sink(to)
        self.redaction = redaction or Redaction()
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
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
                    self._record(scope, started, request, seen, response)

        await self.app(scope, recording_receive, recording_send)

    def _record(self, scope: MutableMapping[str, Any], started: str, request: Kept, seen: dict[str, Any],
                response: Kept) -> None:
        try:
            headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope.get("headers", [])]
            ex = Exchange(method=scope.get("method", "GET"), scheme=scope.get("scheme", "http"),
                          host=_host(scope, headers), path=scope.get("root_path", "") + scope.get("path", "/"),
                          query=scope.get("query_string", b"").decode("latin-1"), request_headers=headers,
                          status=int(seen["status"]),
                          response_headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in seen["headers"]],
                          request_body=request.bytes(), response_body=response.bytes(), request_cut=request.cut,
                          response_cut=response.cut, started=started, finished=now())
            self.sink.write(http_types(ex, self.redaction, self.max_body_bytes))
        except Exception:  # the recorder never breaks the app
            log.exception("specbuild: an exchange could not be recorded")


def _host(scope: MutableMapping[str, Any], headers: list[tuple[str, str]]) -> str:
    host = next((v for k, v in headers if k.lower() == "host"), "")
    if host:
        return host
    server = scope.get("server")
    return f"{server[0]}:{server[1]}" if server else ""
