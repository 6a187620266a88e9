"""``WSGIRecorder``: record every exchange a WSGI app (Flask, Django, any) serves, as HTTP Types.

    app.wsgi_app = WSGIRecorder(app.wsgi_app, to="recordings.jsonl")     # Flask
    application = WSGIRecorder(get_wsgi_application(), to="recordings.jsonl")  # Django's wsgi.py

The request body is recorded as the app reads it (nothing is read ahead of the app); the response
passes through chunk by chunk, unbuffered, and the record is written when the server closes it. A
failure of the recorder never reaches the app or the client.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from specbuild.record.capture import Exchange, Kept, now, slashes_kept
from specbuild.record.recorder import Recorder

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class _Input:
    """``wsgi.input`` that keeps what the app reads."""

    def __init__(self, stream: Any, kept: Kept) -> None:
        self._stream = stream
        self._kept = kept

    def read(self, *args: Any) -> bytes:
        data: bytes = self._stream.read(*args)
        self._kept.add(data)
        return data

    def readline(self, *args: Any) -> bytes:
        data: bytes = self._stream.readline(*args)
        self._kept.add(data)
        return data

    def readlines(self, *args: Any) -> list[bytes]:
        lines: list[bytes] = self._stream.readlines(*args)
        for line in lines:
            self._kept.add(line)
        return lines

    def __iter__(self) -> Iterator[bytes]:
        for line in self._stream:
            self._kept.add(line)
            yield line


class WSGIRecorder(Recorder):
    """WSGI middleware that appends one HTTP Types record per exchange to ``to`` (a JSONL path or a sink);
    ``redaction``, ``max_body_bytes``, ``keep`` and ``sample`` as :class:`Recorder` says."""

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if not self.wanted(environ.get("REQUEST_METHOD", "GET"), _path(environ), _host(environ)):
            return self.app(environ, start_response)  # type: ignore[no-any-return]
        started = now()
        request = Kept(self.max_body_bytes)
        environ["wsgi.input"] = _Input(environ["wsgi.input"], request)
        seen: dict[str, Any] = {}

        def recording_start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        body = self.app(environ, recording_start)
        return _Response(body, lambda response: self._record(environ, started, request, seen, response),
                         Kept(self.max_body_bytes))

    def _record(self, environ: dict[str, Any], started: str, request: Kept, seen: dict[str, Any],
                response: Kept) -> None:
        if "status" not in seen:
            return  # the app failed before it answered: the server's error page is no exchange of the API
        self.submit(Exchange(method=environ.get("REQUEST_METHOD", "GET"), scheme=environ.get("wsgi.url_scheme", "http"),
                            host=_host(environ), path=_path(environ), query=environ.get("QUERY_STRING", ""),
                            request_headers=_request_headers(environ), status=int(str(seen["status"]).split()[0]),
                            response_headers=list(seen["headers"]), request_body=request.bytes(),
                            response_body=response.bytes(), request_cut=request.cut, response_cut=response.cut,
                            started=started, finished=now()))


class _Response:
    """The app's response iterable, passed through chunk by chunk; ``close()`` records the exchange."""

    def __init__(self, body: Iterable[bytes], done: Callable[[Kept], None], kept: Kept) -> None:
        self._body = body
        self._done = done
        self._kept = kept

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._body:
            self._kept.add(chunk)
            yield chunk

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            self._done(self._kept)


def _host(environ: dict[str, Any]) -> str:
    host = environ.get("HTTP_HOST")
    if host:
        return str(host)
    port = str(environ.get("SERVER_PORT", ""))
    default = "443" if environ.get("wsgi.url_scheme") == "https" else "80"
    return str(environ.get("SERVER_NAME", "")) + ("" if port in ("", default) else f":{port}")


def _path(environ: dict[str, Any]) -> str:
    # PEP 3333: the path arrives as latin-1 text of its bytes; most paths are UTF-8
    raw = (environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")).encode("latin-1", "replace")
    # PATH_INFO has an encoded slash decoded; the request target as sent (gunicorn's RAW_URI, uwsgi's and
    # mod_wsgi's REQUEST_URI) keeps it inside its segment
    path = raw.decode("utf-8", "replace") or "/"
    target = str(environ.get("RAW_URI") or environ.get("REQUEST_URI") or "")
    if "%2f" in target.lower():
        return slashes_kept(path, target.encode("latin-1", "replace").decode("utf-8", "replace"))
    return path


def _request_headers(environ: dict[str, Any]) -> list[tuple[str, str]]:
    headers = [(key[5:].replace("_", "-").lower(), str(value)) for key, value in environ.items()
               if key.startswith("HTTP_")]
    for key, name in (("CONTENT_TYPE", "content-type"), ("CONTENT_LENGTH", "content-length")):
        if environ.get(key):
            headers.append((name, str(environ[key])))
    return sorted(headers)
