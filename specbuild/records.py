"""HTTP Types records: decoding one raw record into an :class:`Exchange`; pure.

``decode(raw, origin)`` accepts what real recorders send (see README, "Input"):
``path`` or ``pathname`` + ``query`` or ``url``; any method case; header and query values as a
string or a list; ``statusCode`` as a number or a numeric string; JSON, form, text or empty bodies; a side's
``bodyTruncated: true`` (specbuild's recorder cut the body at its cap) makes its body ``too-large``.
Anything it cannot use raises :class:`RecordError` with a stable ``reason`` for the summary.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import parse_qsl, urlsplit

import orjson

from specbuild import multipart
from specbuild.errors import RecordError
from specbuild.http import API_METHODS, METHODS, UNDECLARED_MEDIA, media_type

DEFAULT_MAX_BODY_BYTES: Final = 4 * 1024 * 1024
PARTIAL_CONTENT: Final = 206  # a range of a representation (RFC 9110 15.3.7): serves_files

Pairs = tuple[tuple[str, str], ...]
# One raw record as every source yields it, with where it came from ("rec.jsonl:42",
# "http_recordings[2]@1187"): the text ``decode`` reads.
Raw = tuple[bytes | str, str]
JsonParser = Callable[[str], Any]


@dataclass(frozen=True, slots=True)
class Body:
    """A decoded body. ``kind`` is one of:

    ``empty`` (no content), ``json`` (``value`` is the parsed JSON), ``form`` (``value`` is a
    ``dict[str, list[str]]``: an urlencoded form's fields, or a multipart/form-data body's parts, a
    file part's value :data:`specbuild.multipart.FILE_PART` and its media type), ``text`` (``value``
    is the text), ``binary`` (nothing kept), ``too-large`` (over the size limit: not parsed, only its
    media type is learned; ``value`` says how large), ``malformed`` (declared JSON but not JSON, or
    multipart and not readable as such: ``value`` says why; only its media type is learned, as for
    ``too-large``).
    """

    kind: str
    media_type: str | None = None
    value: Any = None


EMPTY: Final = Body("empty")


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request/response pair, normalised. Header names are lower-case; ``method`` upper-case."""

    method: str
    path: str
    status: int
    query: Pairs = ()
    request_headers: Pairs = ()
    response_headers: Pairs = ()
    request_body: Body = EMPTY
    response_body: Body = EMPTY
    scheme: str = "http"
    host: str = ""
    origin: str = field(default="", compare=False)
    # when it happened, as the record wrote it (ISO 8601; "" when it did not say): the spec's time range
    timestamp: str = field(default="", compare=False)
    # the request target ended in "/" (``/v1/auth/login/``): ``path`` is without it (what templates are
    # made of), and the spec writes it back where the server was called so (Django, Flask, FastAPI tell
    # ``/x`` from ``/x/``)
    slash: bool = False
    # a request that sent a body: the body's :func:`body_digest` (None without one). Calls of one target
    # with different bodies are different requests (learn/witnesses.py: a hundred runs created by a hundred
    # ``POST /runs/create`` are a hundred witnesses of what the API answers, not one)
    request_digest: tuple[int, int] | None = field(default=None, compare=False)

    def request_header(self, name: str) -> str | None:
        return _first(self.request_headers, name)


def _first(pairs: Pairs, name: str) -> str | None:
    for key, value in pairs:
        if key == name:
            return value
    return None


def decode(raw: bytes | str | dict[str, Any], origin: str = "", *,
           max_body_bytes: int = DEFAULT_MAX_BODY_BYTES, parse_json: JsonParser | None = None) -> Exchange:
    """Decode one HTTP Types record (JSON text or an already parsed object) into an Exchange.

    ``parse_json`` parses JSON bodies instead of orjson (the native parser: the body's ``value`` is
    then an opaque handle only the builder reads, see :mod:`specbuild.learn.native`).

    >>> decode(b'{"request":{"method":"get","path":"/a?x=1"},"response":{"statusCode":"200"}}').query
    (('x', '1'),)
    """
    if isinstance(raw, dict):
        obj: Any = raw
    else:
        try:
            obj = _loads(raw)
        except orjson.JSONDecodeError as exc:
            raise RecordError("not-json", f"not a JSON record ({_why_not_json(raw, exc)})", origin) from None
    if not isinstance(obj, dict):
        raise RecordError("not-an-object", f"record is {_kind(obj)}, not a JSON object", origin)
    request = obj.get("request")
    if not isinstance(request, dict):
        raise RecordError("no-request", "record has no 'request' object", origin)
    response = obj.get("response")
    if not isinstance(response, dict):
        raise RecordError("no-response", "record has no 'response' object (the client gave up?)", origin)

    method = request.get("method")
    if not isinstance(method, str) or method.upper() not in METHODS:
        raise RecordError("bad-method", f"'request.method' is {_show(method)}, not an HTTP method", origin)
    if method.upper() not in API_METHODS:
        raise RecordError("tunnel", f"'request.method' is {method.upper()}: a proxy's tunnel, no API call", origin)
    status = _status(response.get("statusCode"), origin)
    path, slash, query, scheme, host = _target(request, origin)
    req_headers = _pairs(request.get("headers"), lower=True)
    resp_headers = _pairs(response.get("headers"), lower=True)
    method = method.upper()
    req_body = _body(request.get("body"), _first(req_headers, "content-type"), "request", origin,
                     max_body_bytes, parse_json, lenient_empty=True, cut=request.get("bodyTruncated") is True)
    resp_body = _body(response.get("body"), _first(resp_headers, "content-type"), "response", origin,
                      max_body_bytes, parse_json, lenient_empty=False, cut=response.get("bodyTruncated") is True)
    return Exchange(method=method, path=path, status=status, query=query,
                    request_headers=req_headers, response_headers=resp_headers,
                    request_body=req_body, response_body=resp_body,
                    scheme=scheme or "http", host=host, origin=origin,
                    timestamp=_timestamp(request, response), slash=slash,
                    request_digest=None if req_body.kind == "empty" else body_digest(request.get("body")))


def body_digest(body: Any) -> tuple[int, int]:
    """What tells one body from another, cheaply: its CRC-32 and length in bytes, as the record held it
    (its text; a JSON value some recorders embed instead, as canonical JSON). The native decoder reads
    the same from the same text (witness.rs)."""
    data = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else orjson.dumps(
        body, option=orjson.OPT_SORT_KEYS)
    return zlib.crc32(data), len(data)


def _timestamp(request: dict[str, Any], response: dict[str, Any]) -> str:
    """The request's ``timestamp``, else the response's (what record.rs takes too); "" when neither is text."""
    for side in (request, response):
        value = side.get("timestamp")
        if isinstance(value, str) and value:
            return value
    return ""


def _status(value: Any, origin: str) -> int:
    if isinstance(value, bool):
        value = None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int):
        raise RecordError("no-status", f"'response.statusCode' is {_show(value)}, not a number", origin)
    if not 100 <= value <= 599:
        raise RecordError("bad-status", f"'response.statusCode' {value} is not an HTTP status", origin)
    return value


def _target(request: dict[str, Any], origin: str) -> tuple[str, bool, Pairs, str, str]:
    """Path, whether it ended in "/", query pairs, scheme and host, from pathname/query, path or url (in
    that order)."""
    scheme = request.get("protocol")
    host = request.get("host")
    pathname = request.get("pathname")
    query_obj = request.get("query")
    query: Pairs | None = None
    if isinstance(query_obj, dict) and query_obj:
        query = _pairs(query_obj, lower=False)
    elif isinstance(query_obj, str) and query_obj:
        query = tuple(qsl(query_obj.lstrip("?")))
    if not isinstance(pathname, str) or not pathname:
        raw_path = request.get("path")
        url = request.get("url")
        if isinstance(raw_path, str) and raw_path:
            pathname, _, qs = raw_path.partition("?")
        elif isinstance(url, str) and url:
            parts = urlsplit(url)
            pathname, qs = parts.path or "/", parts.query
            scheme = scheme or parts.scheme
            host = host or parts.netloc
        else:
            raise RecordError("no-path", "record has no 'request.pathname', 'path' or 'url'", origin)
        if query is None and qs:
            query = tuple(qsl(qs))
    if "://" in pathname:  # an absolute URL where a path belongs
        parts = urlsplit(pathname)
        pathname = parts.path or "/"
        host = host or parts.netloc
    if not pathname.startswith("/"):
        pathname = "/" + pathname
    path, slash = _normalise_path(pathname)
    return (path, slash, query or (), scheme if isinstance(scheme, str) else "",
            host if isinstance(host, str) else "")


def _normalise_path(path: str) -> tuple[str, bool]:
    """The path with ``//`` collapsed and without its trailing slash, and whether it had one (the root
    ``/``, and ``//``, have none)."""
    if "//" in path:
        while "//" in path:
            path = path.replace("//", "/")
    if len(path) > 1 and path.endswith("/"):
        return path.rstrip("/") or "/", True
    return path, False


def _pairs(obj: Any, *, lower: bool) -> Pairs:
    """``{name: value | [values]}`` as (name, value) pairs; names lower-cased for headers."""
    if not isinstance(obj, dict):
        return ()
    out: list[tuple[str, str]] = []
    for name, value in obj.items():
        key = name.lower() if lower else name
        if isinstance(value, list):
            out.extend((key, _text(v)) for v in value)
        elif value is not None:
            out.append((key, _text(value)))
    return tuple(out)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def is_json_media(mt: str | None) -> bool:
    return mt is not None and (mt == "application/json" or mt.endswith("+json") or mt.endswith("/json"))


def serves_files(content: Mapping[str, Any], status: int | None = None) -> bool:
    """A response documented in two media types or more, one of them not JSON (Directus' ``/assets/{id}``:
    application/json and text/csv; a chat server's media download: text/csv, text/markdown, image/svg+xml):
    it serves files, each in its own type, so tomorrow's upload in another type is no change of the API. So
    does a ``status`` 206 not in JSON, in one type as well: a range of a stored thing's bytes (RFC 9110), in
    that thing's type (S3's and Azure Blob's range reads, a file server's); a JSON 206 is a page of items."""
    files = any(not is_json_media(media) for media in content)
    return files and (len(content) >= 2 or status == PARTIAL_CONTENT)


def _parse(text: str, parse_json: JsonParser | None) -> Any:
    """The JSON ``text`` parsed; orjson's error when it is not JSON."""
    if parse_json is not None:
        try:
            return parse_json(text)
        except ValueError:
            pass  # the native check takes less (duplicate keys, -0, deep nesting): orjson, the reference, decides
    return _loads(text)


def _loads(text: bytes | str) -> Any:
    """orjson's parse of ``text``, where a lone UTF-16 surrogate escape (``"\\ud83d"``) is U+FFFD: valid
    JSON that orjson refuses, written by JavaScript's ``JSON.stringify`` for text cut in the middle of an
    emoji (a preview, a truncated title). Refused, one such string lost its whole record."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        if "surrogate" not in exc.msg:
            raise
        try:
            fixed = _lone_surrogates_replaced(text if isinstance(text, str) else text.decode("utf-8"))
        except UnicodeDecodeError:
            raise exc from None
        if fixed is None:
            raise
        return orjson.loads(fixed)


_ESCAPE: Final = re.compile(r"(\\+)u([0-9a-fA-F]{4})")


def _lone_surrogates_replaced(text: str) -> str | None:
    """``text`` with every ``\\uD800``-``\\uDFFF`` escape that is not half of a pair written ``\\uFFFD``
    (an escape is a ``u`` after an odd run of backslashes; a pair is a high half's escape and a low half's
    right after it); None when there is none."""
    out: list[str] = []
    last = 0
    escapes = [m for m in _ESCAPE.finditer(text) if len(m.group(1)) % 2]
    i = 0
    while i < len(escapes):
        m = escapes[i]
        i += 1
        unit = int(m.group(2), 16)
        if not 0xD800 <= unit <= 0xDFFF:
            continue
        after = escapes[i] if i < len(escapes) else None
        if unit <= 0xDBFF and after is not None and after.start() == m.end() and len(after.group(1)) == 1 \
                and 0xDC00 <= int(after.group(2), 16) <= 0xDFFF:
            i += 1  # a pair: both halves stand
            continue
        start = m.start(2) - 2  # the backslash and the u of the escape
        out += [text[last:start], "\\ufffd"]
        last = m.end()
    return "".join([*out, text[last:]]) if out else None


def _why_not_json(raw: bytes | str, exc: orjson.JSONDecodeError) -> str:
    """orjson says "str is not valid UTF-8: surrogates not allowed ... (char 0)" of a line with a bad byte
    anywhere: the byte's offset is what helps."""
    if isinstance(raw, bytes):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as bad:
            return f"invalid UTF-8 at byte {bad.start}"
    return str(exc)

def epoch_seconds(text: str) -> float | None:
    """An ISO 8601 time (UTC when it names no offset), a record's ``timestamp`` or a ``--start-time``, as
    seconds since the epoch; None when it is not one."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    try:
        return when.timestamp()
    except (OverflowError, OSError, ValueError):
        return None


def qsl(text: str) -> list[tuple[str, str]]:
    """``parse_qsl(text, keep_blank_values=True)``; split directly when there is nothing to unescape, as
    record.rs does: a form or query of 10k fields cost 3x more through parse_qsl (tests/test_hostile.py)."""
    if "%" in text or "+" in text:
        return parse_qsl(text, keep_blank_values=True)
    return [(k, v) for k, _, v in (f.partition("=") for f in text.split("&") if f)]

# -- form field names: bracket keys (Rails, PHP, Stripe: ``metadata[plan]``, ``items[0][price]``) ----------
# A name is a base and bracketed segments, each without brackets inside; anything else is a plain name.
_BRACKETED: Final = re.compile(r"([^\[\]]+)((?:\[[^\[\]]*\])+)")
_SEGMENT: Final = re.compile(r"\[([^\[\]]*)\]")
# an array position: at most 9 digits (a longer run is a key: no array is that long, and int() of 5,000
# digits raises), no leading zero (`qs` reads `a[07]` as the key "07", beside `a[7]`); record.rs's form_key
# reads the same
_INDEX: Final = re.compile(r"(?:0|[1-9][0-9]{0,8})?")
# A name of more bracketed segments is a plain name: the tree it would spell is walked recursively (learn/forms,
# drift/forms), and no client nests a form or a query this deep; record.rs's MAX_FORM_DEPTH is the same.
MAX_FORM_DEPTH: Final = 32


def form_name(name: str) -> tuple[str, ...]:
    """The path a form field's name spells: ``items[0][price]`` -> ``("items", "0", "price")``; a name
    without brackets, or not of the ``base[a][b]`` shape (``a[b``, ``[x]``, ``a[b]c``), or of more than
    ``MAX_FORM_DEPTH`` segments, is itself."""
    match = _BRACKETED.fullmatch(name)
    if match is None:
        return (name,)
    segments = _SEGMENT.findall(match[2])
    return (name,) if len(segments) > MAX_FORM_DEPTH else (match[1], *segments)


def is_index(segment: str) -> bool:
    """An array position: ``[]`` (PHP's append) or up to 9 ASCII digits without a leading zero (``[0]``)."""
    return _INDEX.fullmatch(segment) is not None


def form_key(name: str) -> str:
    """The name a form field folds under: its indices collapsed (``items[0][price]`` and ``items[1][price]``
    are ``items[][price]``), so the fold's cap on names (rules.MAX_PARAMS) counts fields, not array
    positions, and what it keeps does not depend on record order. record.rs's ``form_key`` is the same."""
    if "[" not in name:
        return name
    path = form_name(name)
    if len(path) == 1 or not any(seg and is_index(seg) for seg in path[1:]):
        return name
    return path[0] + "".join("[]" if is_index(seg) else f"[{seg}]" for seg in path[1:])


def _body(body: Any, content_type: str | None, side: str, origin: str, limit: int,
          parse_json: JsonParser | None, *, lenient_empty: bool, cut: bool = False) -> Body:
    mt = media_type(content_type)
    if cut:  # a recorder kept only the start of the body (over its cap, or a coding it cannot undo)
        return Body("too-large", mt, f"{side} body was cut by its recorder (bodyTruncated)")
    if body is None or body == "":
        return EMPTY
    if not isinstance(body, str):
        # Some recorders embed JSON bodies as JSON values instead of JSON text.
        return Body("json", mt or "application/json", body)
    if len(body) > limit:
        return Body("too-large", mt, f"{side} body of {len(body):,} characters is over --max-body-bytes {limit:,}")
    if mt is None:
        if lenient_empty and body.strip() in ("{}", ""):
            return EMPTY  # Express logs body "{}" on requests that had none
        head = body.lstrip()[:1]
        if head in ("{", "["):
            try:
                return Body("json", "application/json", _parse(body, parse_json))
            except orjson.JSONDecodeError:
                return Body("text", UNDECLARED_MEDIA, body)
        return Body("binary", UNDECLARED_MEDIA)
    if is_json_media(mt):
        try:
            return Body("json", mt, _parse(body, parse_json))
        except orjson.JSONDecodeError as exc:
            # A server's error page under its API's JSON type (jupyter_server's 404 text): the exchange
            # still tells the operation and its status, so only the body is left out (run.Fold counts it).
            return Body("malformed", mt, f"{side} body is declared {mt} but could not be read as JSON ({exc})")
    if mt == "application/x-www-form-urlencoded":
        form: dict[str, list[str]] = {}
        for k, v in qsl(body):
            form.setdefault(k, []).append(v)
        return Body("form", mt, form)
    if mt == multipart.MEDIA:
        try:
            return Body("form", mt, multipart.fields(body, content_type))
        except multipart.Malformed as exc:
            return Body("malformed", mt, f"{side} body is declared {mt} but could not be read as one ({exc})")
    if mt.startswith("text/") or mt in ("application/xml", "application/javascript"):
        return Body("text", mt, body)
    return Body("binary", mt)


def _kind(obj: Any) -> str:
    if obj is None:
        return "null"
    return {list: "an array", str: "a string", bool: "a boolean", int: "a number",
            float: "a number"}.get(type(obj), type(obj).__name__)


def _show(value: Any) -> str:
    if value is None:
        return "missing"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
