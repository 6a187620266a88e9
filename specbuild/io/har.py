"""HAR 1.2 (browser devtools, mitmproxy, Charles, Playwright): each entry as an HTTP Types record.

``entry_record(entry)`` is pure: one HAR entry -> the HTTP Types record :func:`specbuild.records.decode`
reads (its ``url``, headers, ``postData`` and ``response.content``). ``har_records(doc, name)`` yields
every entry of a parsed HAR document as ``(record JSON, "session.har#/log/entries/3")``, the form every
source yields, so the record loop, its warnings and its counts are the same as for JSONL.

- ``postData.text`` is the request body; ``postData.params`` alone (a form the browser kept as fields)
  becomes the URL-encoded body of those fields, under ``postData.mimeType``.
- ``content.encoding: base64`` is decoded (text that is not UTF-8 stays as given: a binary body).
- A body sent (``content.size`` or Content-Length above 0) whose ``text`` the HAR leaves out is flagged
  ``bodyTruncated``: learned and checked by its media type only, not as an empty body.
- An entry with no response (``status`` 0: blocked, cancelled, failed) is given no ``response``, so the
  loop skips and counts it as ``no-response``, located.
- HTTP/2 pseudo-headers (``:authority``, ``:path`` ...) are dropped: the URL already says them.
- A WebSocket's ``ws://`` or ``wss://`` URL is its handshake's, ``http://`` or ``https://``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from typing import Any, Final
from urllib.parse import urlencode

import orjson

from specbuild.errors import InputError


def har_records(doc: dict[str, Any], name: str) -> Iterator[tuple[bytes, str]]:
    """Every entry of the HAR document ``doc`` (read from ``name``) as an HTTP Types record."""
    log = doc.get("log")
    entries = log.get("entries") if isinstance(log, dict) else None
    if not isinstance(entries, list):
        raise InputError(f"{name}: a HAR document without a 'log.entries' list",
                         hint="HAR 1.2 is {\"log\": {\"entries\": [...]}}")
    for i, entry in enumerate(entries):
        record = entry_record(entry) if isinstance(entry, dict) else entry
        yield orjson.dumps(record), f"{name}#/log/entries/{i}"


def entry_record(entry: dict[str, Any]) -> dict[str, Any]:
    """One HAR entry as an HTTP Types record (what it lacks is left out: ``decode`` says what is missing)."""
    record: dict[str, Any] = {}
    request = entry.get("request")
    if isinstance(request, dict):
        headers = _headers(request.get("headers"))
        req: dict[str, Any] = {"method": request.get("method"), "url": _http_url(request.get("url")),
                               "headers": headers}
        post = request.get("postData")
        if isinstance(post, dict):
            req["body"] = _post_body(post)
            _default_type(headers, post.get("mimeType"))
        record["request"] = req
    response = entry.get("response")
    if isinstance(response, dict) and response.get("status"):  # status 0: the browser got no response
        headers = _headers(response.get("headers"))
        res: dict[str, Any] = {"statusCode": response.get("status"), "headers": headers}
        content = response.get("content")
        if isinstance(content, dict):
            res["body"] = _content_text(content)
            _default_type(headers, content.get("mimeType"))
            if _not_kept(content, headers, request, response.get("status")):
                res["bodyTruncated"] = True  # learned by its media type only, as a recorder's cut body is
        record["response"] = res
    return record


# A WebSocket's entry (Chrome, Firefox) has the socket's URL; its handshake is an HTTP GET to the same place
_HTTP_SCHEMES: Final = {"ws": "http", "wss": "https"}


def _http_url(url: Any) -> Any:
    """The URL of the HTTP request an entry stands for: ``wss://`` is ``https://`` (a WebSocket's handshake),
    so the spec's servers are the API's, not ``wss://api.example.com`` beside ``https://api.example.com``."""
    if isinstance(url, str):
        scheme, sep, rest = url.partition("://")
        http = _HTTP_SCHEMES.get(scheme.lower()) if sep else None
        if http is not None:
            return f"{http}://{rest}"
    return url


def _headers(items: Any) -> dict[str, list[str]]:
    """HAR's ``[{"name": .., "value": ..}]`` as HTTP Types' ``{name: [values]}`` (names lower-cased)."""
    out: dict[str, list[str]] = {}
    for item in items if isinstance(items, list) else ():
        if not isinstance(item, dict):
            continue
        name, value = item.get("name"), item.get("value")
        if isinstance(name, str) and name and not name.startswith(":") and isinstance(value, str):
            out.setdefault(name.lower(), []).append(value)
    return out


def _default_type(headers: dict[str, list[str]], mime_type: Any) -> None:
    """The body's media type from HAR's ``mimeType`` when the headers do not say it."""
    # Chrome writes "x-unknown" for a body it could not type
    if isinstance(mime_type, str) and mime_type.strip() and mime_type != "x-unknown" and "content-type" not in headers:
        headers["content-type"] = [mime_type]


def _post_body(post: dict[str, Any]) -> str | None:
    text = post.get("text")
    if isinstance(text, str) and text:
        return text
    params = post.get("params")
    if isinstance(params, list) and params:
        fields = [(p.get("name", ""), p.get("value", "")) for p in params if isinstance(p, dict)]
        return urlencode([(str(k), str(v)) for k, v in fields if k])
    return None


def _not_kept(content: dict[str, Any], headers: dict[str, list[str]], request: Any, status: Any) -> bool:
    """A body that was sent but that the HAR leaves out: HAR 1.2 omits ``text`` when "the information is
    not available" (Chrome for a redirect's page, a body devtools dropped), which is no empty body."""
    if "text" in content or status in (204, 304) or (isinstance(request, dict) and request.get("method") == "HEAD"):
        return False
    size = content.get("size")
    length = headers.get("content-length", ["0"])[0].strip()
    return (isinstance(size, int) and size > 0) or (length.isdigit() and int(length) > 0)


def _content_text(content: dict[str, Any]) -> str | None:
    text = content.get("text")
    if not isinstance(text, str) or not text:
        return None
    if content.get("encoding") != "base64":
        return text
    try:
        return base64.b64decode(text, validate=False).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return text  # bytes, not text: decode() keeps a body of a binary media type as binary
