"""One served exchange as an HTTP Types record, redacted; pure (the middleware hands the parts in).

``http_types(exchange, redaction)`` is what the WSGI and ASGI recorders write, one JSON line each:

- credentials never leave the process: ``Authorization``/``Proxy-Authorization`` keep only their scheme
  (``Bearer REDACTED``, so the spec still learns the security scheme), cookies keep their names, and
  API-key headers, secret-named headers and API-key query parameters are ``REDACTED``, and so are the
  JSON and form body fields of a secret name (``password``, ``token``: the rule of :mod:`specbuild.http`)
  or of a configured one, by a value of the same type (the learned schema stays what the traffic showed);
- a body is stored decoded (gzip, deflate; br with ``brotli`` installed) and as text: JSON, text and forms
  as they are (bytes that are not UTF-8 read as Latin-1, never base64: redaction reads text), any other
  media type base64 (specbuild learns those as binary, a multipart/form-data body as its parts:
  specbuild/multipart.py) or, for the media types in ``omit`` (``image/*``), not at all; a body so left
  out, over ``max_body_bytes``, in a coding it cannot undo, or JSON with a secret's key that cannot be
  parsed (malformed, cut short: nothing in it can be redacted) is flagged ``bodyTruncated`` (learned by its
  media type only); a form cut short is redacted up to the cut. A multipart/form-data body's text parts
  are redacted as form fields are (a JSON part as a JSON body), before it is stored, also when it was cut.
"""

from __future__ import annotations

import base64
import functools
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from typing import Any, Final
from urllib.parse import quote, unquote, urlencode

import orjson

from specbuild import multipart
from specbuild.http import (
    API_KEY_QUERY,
    JWK_PRIVATE,
    JWK_TYPE,
    SECRET_STEMS,
    is_api_key_header,
    media_type,
    secret_name,
)
from specbuild.patterns import compile_pattern
from specbuild.record.codings import decoded
from specbuild.records import is_json_media, qsl

REDACTED: Final = "REDACTED"
DEFAULT_MAX_BODY_BYTES: Final = 1 << 20  # a recording is for learning shapes: 1 MiB shows them
_TEXT_MEDIA: Final = ("application/x-www-form-urlencoded", "application/xml", "application/javascript")


@dataclass(frozen=True, slots=True)
class Redaction:
    """What is replaced before a record leaves the process (``enabled=False``: nothing, for a test bench)."""

    enabled: bool = True
    headers: frozenset[str] = frozenset()   # more header names (lower case) to redact
    query: frozenset[str] = frozenset()     # more query parameter names to redact
    fields: frozenset[str] = frozenset()    # more body field names to redact (JSON at any depth, forms)
    # field()'s answers: asked for every key of every body, and names are few (kept to a bound)
    _fields: dict[str, bool] = field(default_factory=dict, init=False, repr=False, compare=False)
    _query: dict[str, bool] = field(default_factory=dict, init=False, repr=False, compare=False)
    _headers: dict[str, bool] = field(default_factory=dict, init=False, repr=False, compare=False)
    _plain: dict[str, bool] = field(default_factory=dict, init=False, repr=False, compare=False)
    _scan: dict[str, Callable[[str], bool]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def header(self, name: str, value: str) -> str:
        if not self.enabled:
            return value
        if name in ("authorization", "proxy-authorization"):
            scheme, sep, _ = value.partition(" ")
            return f"{scheme} {REDACTED}" if sep else REDACTED
        if name == "cookie":
            return "; ".join(_cookie(pair) for pair in value.split(";"))
        if name == "set-cookie":  # its attributes (Path, HttpOnly ...) after the first pair are no secret
            first, sep, attributes = value.partition(";")
            return _cookie(first) + (f"; {attributes.strip()}" if sep else "")
        return REDACTED if self._secret_header(name) else value

    def sent_credential(self, name: str, value: str) -> str:
        """What a request header of this (lower-case) name sends that :meth:`header` redacts whole, as sent
        ("" for nothing): an Authorization's credentials after its scheme (Basic's left: its password is
        inside the base64), a secret header's value; cookies, redacted pair by pair, give none."""
        if not self.enabled:
            return ""
        if name in ("authorization", "proxy-authorization"):
            scheme, _, credentials = value.partition(" ")
            return "" if scheme.lower() == "basic" else credentials.strip()
        if name in ("cookie", "set-cookie") or not self._secret_header(name):
            return ""
        return value.strip()

    def _secret_header(self, name: str) -> bool:
        """Whether a header of this name is redacted: a configured one, a secret name, or what the learner
        reads as the client's credential (is_api_key_header: ``X-Gotify-Key``, ``Ocp-Apim-Subscription-Key``),
        whether or not its name holds a secret word. Asked of every header of every exchange: kept."""
        answer = self._headers.get(name)
        if answer is None:
            if len(self._headers) >= 4096:
                self._headers.clear()  # clients that invent names must not grow memory
            answer = self._headers[name] = name in self.headers or secret_name(name) or is_api_key_header(name)
        return answer

    def query_name(self, name: str) -> bool:
        """Whether a query parameter of this name is redacted."""
        answer = self._query.get(name)
        if answer is None:
            if len(self._query) >= 4096:
                self._query.clear()
            answer = self._query[name] = self.enabled and (
                name in self.query or name.lower() in API_KEY_QUERY or secret_name(name))
        return answer

    def field(self, name: str) -> bool:
        """Whether a body field of this name is redacted."""
        answer = self._fields.get(name)
        if answer is None:
            if len(self._fields) >= 4096:
                self._fields.clear()  # bodies that invent keys must not grow memory
            answer = self._fields[name] = self.enabled and (name in self.fields or secret_name(name))
        return answer

    def may_hold(self, text: str) -> bool:
        """Whether the JSON ``text`` may have a field this redacts: a key (an escaped one too) holding a word
        of a secret name, a configured name or a JSON Web Key's ``kty``. One linear-time scan; False lets the
        text pass unparsed."""
        search = self._scan.get("search")
        if search is None:
            names = "|".join(re.escape(n) for n in (*SECRET_STEMS, JWK_TYPE, *sorted(self.fields)))
            scan = compile_pattern(rf'(?i)"(?:[^"\\]|\\.)*?(?:{names}|\\u)(?:[^"\\]|\\.)*"\s*:').search
            search = self._scan["search"] = scan or (lambda text: True)
        return search(text)

    def header_plain(self, name: str) -> bool:
        """Whether a header of this (lower-case) name passes as it is."""
        answer = self._plain.get(name)
        if answer is None:
            if len(self._plain) >= 4096:
                self._plain.clear()
            answer = self._plain[name] = self.header(name, "a b=c") == "a b=c"
        return answer

    def body(self, value: Any) -> Any:
        """A JSON value with the values of its redacted fields replaced."""
        return _redact_fields(value, self, False) if self.enabled else value


def _cookie(pair: str) -> str:
    """``name=value`` -> ``name=REDACTED``: a cookie's name says what it is, its value is the secret."""
    name, sep, _ = pair.strip().partition("=")
    return f"{name}={REDACTED}" if sep else REDACTED


def _redact_fields(value: Any, redaction: Redaction, hit: bool) -> Any:
    """``value`` with its redacted fields replaced: the same object when nothing in it is (most bodies:
    nothing is copied, and the caller keeps the text as it came)."""
    if isinstance(value, dict):
        out: dict[str, Any] | None = None
        known = redaction._fields
        jwk = isinstance(value.get(JWK_TYPE), str)  # a JSON Web Key: its private members are the key
        for k, v in value.items():
            secret = hit or (jwk and k in JWK_PRIVATE) or known.get(k)
            if secret is None:
                secret = redaction.field(k)
            if secret or isinstance(v, dict | list):  # a scalar of a plain field stays: no call for it
                new = _redact_fields(v, redaction, secret)
                if new is not v:
                    out = out if out is not None else dict(value)
                    out[k] = new
        return value if out is None else out
    if isinstance(value, list):
        items = [_redact_fields(v, redaction, hit) for v in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    if not hit or value is None or isinstance(value, bool):
        return value
    # the same type, so the learned schema stays what the traffic showed
    return REDACTED if isinstance(value, str) else 0 if isinstance(value, int) else 0.0


_SECOND: list[tuple[int, str]] = [(0, "")]  # the last second formatted: two reads of every exchange share it


_ENCODED_SLASH: Final = re.compile("%2f", re.IGNORECASE)


_ESCAPE_LIKE: Final = re.compile("%(?=[0-9A-Fa-f]{2})")


def decoded_path(raw: str) -> str:
    """A request target's path percent-decoded but for its encoded slashes, written ``%2F``: a slash sent so
    is part of one segment (RabbitMQ's vhost `/` in `/api/queues/%2F/orders`, GitLab's `group%2Fproject`);
    decoded, the segment becomes two and the learned routes and the drift gate's matching split with it.
    A ``%`` the decoding leaves before two hex digits is written ``%25``: ``%252F`` sent is the text ``%2F``,
    which must not read back as an encoded slash (check's router and the segments unquote what they read)."""
    return "%2F".join(_ESCAPE_LIKE.sub("%25", unquote(part)) for part in _ENCODED_SLASH.split(raw))


def slashes_kept(path: str, target: str) -> str:
    """``path`` as the server decoded it (WSGI's SCRIPT_NAME + PATH_INFO, ASGI's root_path + path) with the
    segments that ``target``, the request target as sent (gunicorn's RAW_URI, ASGI's raw_path), wrote with an
    encoded slash kept whole: the target's longest tail of segments that decodes to the path's own tail is
    taken from it, the rest stays the server's (a prefix a proxy put in SCRIPT_NAME from X-Forwarded-Prefix,
    which the target never had; an absolute-form target's scheme and host, which are no path)."""
    segments = decoded_path(target.partition("?")[0]).split("/")
    for k in range(len(segments)):  # the longest tail first
        tail = "/".join(segments[k:])
        if "%2F" not in tail:
            break  # no encoded slash left in what would be kept: the server's path as it is
        plain = unquote(tail)
        if path.endswith(plain) and (plain.startswith("/") or path[:len(path) - len(plain)].endswith("/")):
            return path[:len(path) - len(plain)] + tail
    return path


CREDENTIAL_ECHO_MIN: Final = 16  # characters: an API key or token, not a word


def now() -> str:
    """The time of day as a record says it, ``2026-12-03T14:48:35.123456Z`` (the one clock read of a
    recorder; formatting the date once a second, not twice an exchange, took 5 µs off each)."""
    t = time.time()
    second = int(t)
    cached, text = _SECOND[0]
    if second != cached:
        text = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        _SECOND[0] = (second, text)
    return f"{text}.{int((t - second) * 1_000_000):06d}Z"


class Kept:
    """The first ``limit`` bytes of a stream, and whether there was more."""

    __slots__ = ("chunks", "cut", "limit", "size")

    def __init__(self, limit: int) -> None:
        self.chunks: list[bytes] = []
        self.size = 0
        self.limit = limit
        self.cut = False

    def add(self, data: bytes) -> None:
        room = self.limit - self.size
        if len(data) > room:
            self.cut = True
            data = data[:max(room, 0)]
        if data:
            self.chunks.append(bytes(data))
            self.size += len(data)

    def bytes(self) -> bytes:
        return b"".join(self.chunks)


@dataclass(slots=True)
class Exchange:
    """The parts of one exchange as a server sees them (headers in the order they came)."""

    method: str
    scheme: str
    host: str
    path: str           # the decoded path, without the query string
    query: str          # the raw query string
    request_headers: list[tuple[str, str]]
    status: int
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    request_body: bytes = b""
    response_body: bytes = b""
    request_cut: bool = False   # the body was longer than what was kept
    response_cut: bool = False
    started: str = ""   # ISO 8601 timestamps
    finished: str = ""


def http_types(ex: Exchange, redaction: Redaction, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
               omit: tuple[str, ...] = ()) -> dict[str, Any]:
    """The HTTP Types record of ``ex``, redacted; the bodies of the media types ``omit`` matches (``image/*``,
    ``application/pdf``) left out."""
    query, qs = _query(ex.query, redaction)
    request = {"method": ex.method, "protocol": ex.scheme, "host": ex.host, "pathname": ex.path,
               "path": ex.path + (f"?{qs}" if qs else ""), "query": query,
               "headers": _headers(ex.request_headers, redaction), "timestamp": ex.started}
    response = {"statusCode": ex.status, "headers": _headers(ex.response_headers, redaction),
                "timestamp": ex.finished}
    _put_body(request, ex.request_body, ex.request_cut, ex.request_headers, redaction, max_body_bytes, omit)
    _put_body(response, ex.response_body, ex.response_cut, ex.response_headers, redaction, max_body_bytes, omit)
    if redaction.enabled and ("body" in request or "body" in response):
        for sent in _credentials(ex, redaction):
            for written in _written(sent):
                for side in (request, response):
                    body = side.get("body")
                    if isinstance(body, str) and written in body:
                        side["body"] = body.replace(written, REDACTED)
    return {"request": request, "response": response}


def _credentials(ex: Exchange, redaction: Redaction) -> list[str]:
    """The credentials ``ex``'s request sent in a header or the query that the record redacts, those of
    CREDENTIAL_ECHO_MIN characters or more: a server that answers one back (Quetz lists the caller's API
    keys with their values, a ``/whoami`` its token, a link its query's key) has it redacted in the body
    too, whatever the field's name. A shorter one (``guest``) could be any word of a body: left. Basic
    credentials are left (their password is inside base64)."""
    out = [sent for sent in (redaction.sent_credential(name.lower(), value) for name, value in ex.request_headers)
           if len(sent) >= CREDENTIAL_ECHO_MIN]
    if ex.query:
        out.extend(v for k, v in qsl(ex.query) if len(v) >= CREDENTIAL_ECHO_MIN and redaction.query_name(k))
    return out


@functools.lru_cache(maxsize=1024)  # a client sends the same few credentials with every request: quote() once
def _written(sent: str) -> tuple[str, ...]:
    """The forms a body writes the credential ``sent`` in: as sent, with its ``/`` escaped ``\\/`` (PHP's
    json_encode, some Java writers: a base64 token has slashes) and percent-encoded (a link's query)."""
    out = [sent]
    for form in (sent.replace("/", "\\/"), quote(sent, safe="")):
        if form not in out:
            out.append(form)
    return tuple(out)


def _query(raw: str, redaction: Redaction) -> tuple[dict[str, list[str]], str]:
    """The parameters of the query string ``raw``, and ``raw`` with only the redacted values replaced:
    the rest stays as it came (re-encoding the whole query was 15% of a record's cost)."""
    query: dict[str, list[str]] = {}
    fields: list[str] | None = None
    for i, (name, value) in enumerate(qsl(raw)):
        if redaction.query_name(name):
            value = REDACTED
            if fields is None:  # qsl yields one pair per non-empty field, in order
                fields = [f for f in raw.split("&") if f]
            fields[i] = f"{fields[i].partition('=')[0]}={REDACTED}"
        query.setdefault(name, []).append(value)
    return query, raw if fields is None else "&".join(fields)


def _headers(pairs: Iterable[tuple[str, str]], redaction: Redaction) -> dict[str, list[str] | str]:
    out: dict[str, list[str] | str] = {}
    for name, value in pairs:
        key = name.lower()
        if redaction.enabled and not redaction.header_plain(key):
            value = redaction.header(key, value)
        seen = out.get(key)
        if seen is None:
            out[key] = value
        elif isinstance(seen, list):
            seen.append(value)
        else:
            out[key] = [seen, value]
    return out


def _first(pairs: Iterable[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in pairs if k.lower() == name), None)


def _put_body(side: dict[str, Any], raw: bytes, cut: bool, headers: list[tuple[str, str]], redaction: Redaction,
              limit: int, omit: tuple[str, ...]) -> None:
    if not raw and not cut:
        return
    mt = media_type(_first(headers, "content-type"))
    if raw and mt is not None and omit and any(fnmatchcase(mt, pattern) for pattern in omit):
        side["bodyTruncated"] = True  # left out: learned by its media type only, as a cut body is
        return
    coding = (_first(headers, "content-encoding") or "identity").strip().lower()
    if raw and coding not in ("identity", ""):
        raw, undone = decoded(raw, coding, limit)
        cut = cut or not undone
    if len(raw) > limit:
        raw, cut = raw[:limit], True
    if cut:
        side["bodyTruncated"] = True
    if not raw:
        return
    if mt is None or is_json_media(mt) or mt.startswith("text/") or mt in _TEXT_MEDIA:
        text = _text(raw, cut, mt is not None)
        if text is None:  # no media type named and bytes that are not UTF-8: binary
            side["body"] = base64.b64encode(raw).decode()
        elif not redaction.enabled:
            side["body"] = text
        elif is_json_media(mt):
            redacted = _redacted_json(text, redaction)
            if redacted is None:  # a secret's key in JSON that cannot be read (cut, malformed): left out
                side["bodyTruncated"] = True
            else:
                side["body"] = redacted
        elif mt == "application/x-www-form-urlencoded":  # cut too: each pair before the cut is whole
            side["body"] = urlencode([(k, REDACTED if redaction.field(k) else v)
                                      for k, v in qsl(text)])
        else:
            side["body"] = text
    else:
        if mt == multipart.MEDIA and redaction.enabled:  # the parts before a cut are whole: redacted too
            raw = multipart.redacted(raw, _first(headers, "content-type"), redaction.field, REDACTED,
                                     lambda media, text: _json_part(text, redaction) if is_json_media(media)
                                     else text)
        side["body"] = base64.b64encode(raw).decode()


def _text(raw: bytes, cut: bool, named: bool) -> str | None:
    """A text body's characters, never base64, which no redaction reads (a Latin-1 form's ``password`` was
    written as it came): UTF-8 (a cut one without the character the cut split), else Latin-1, every byte one
    character (a charset the Content-Type names is not trusted with a decoder: the keys redaction looks for
    are ASCII either way). None: bytes that are not UTF-8 under no media type (``named`` False), a binary body."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if cut and exc.end == len(raw):  # the cut split a character
            try:
                return raw[:exc.start].decode("utf-8")
            except UnicodeDecodeError:
                pass
    return raw.decode("latin-1") if named else None


def _json_part(text: str, redaction: Redaction) -> str:
    """A multipart body's JSON part, redacted as a JSON body is; one that may hold a secret and cannot be read,
    masked whole."""
    redacted = _redacted_json(text, redaction)
    return REDACTED if redacted is None else redacted


def _redacted_json(text: str, redaction: Redaction) -> str | None:
    """``text`` with its secret fields redacted; None when a key may be a secret's and the JSON cannot be read
    (cut short, malformed): nothing can be redacted in it, so nothing of it may be written."""
    if not redaction.may_hold(text):
        return text
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    redacted = redaction.body(value)
    return text if redacted is value else orjson.dumps(redacted).decode()  # as it came, when nothing was secret
