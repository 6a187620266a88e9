"""What a client wraps around a request, unwrapped: method override and JSON sent as text; pure.

Two client habits put an operation's real shape where the request line and ``Content-Type`` do not say:

- **Method override** ("tunnelling"): a ``POST`` that names the method it stands for, in an
  ``X-HTTP-Method-Override`` (``X-HTTP-Method``, ``X-Method-Override``) header (Google APIs, OData,
  ASP.NET, express's method-override), a ``_method`` query parameter, or a ``_method`` member of its form
  or JSON body (Rails' and Laravel's HTML forms, Symfony, the Parse SDK, which sends every call as a POST
  "to avoid the pre-flight"). The server serves the named method; so does the learned spec. A tunnelled
  ``GET``/``HEAD``/``DELETE`` carries its query in the body: those members are its query parameters.
- **JSON as ``text/plain``**: ``fetch(url, {method: "POST", body: JSON.stringify(x)})`` without a header
  sends ``text/plain;charset=UTF-8`` (the fetch standard's default for a string), and so does every SDK
  that keeps its calls "simple requests" for CORS. A ``text/plain`` body that is a JSON object or array is
  learned as JSON, under the media type it was sent with.

A body that tunnels a method or avoids the pre-flight is an **envelope**: its ``_``-prefixed top-level
members are the client's (``_method``, Parse's ``_ApplicationId``/``_SessionToken``/``_ClientVersion``,
Laravel's ``_token``: what other clients send as headers), never the operation's, so they are left out.
The override headers are transport (``http.OVERRIDE_HEADERS``: never parameters).
The learner (``SpecBuilder.add_fields``) and the drift checker (``Checker.add``) unwrap alike, so what
one learned is what the other checks.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Final

import orjson

from specbuild.http import OVERRIDE_HEADERS
from specbuild.records import EMPTY, Body, Exchange, Pairs

OVERRIDE_FIELD: Final = "_method"
# What a POST may stand for (a tunnel to POST, TRACE or CONNECT means nothing)
OVERRIDDEN: Final = frozenset({"GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Methods whose body has no defined meaning (RFC 9110): a tunnelled one's body members are its query
QUERY_METHODS: Final = frozenset({"GET", "HEAD", "DELETE", "OPTIONS"})
# Declared media types a JSON body is sniffed under (what fetch and sendBeacon send for a string)
SNIFFED_MEDIA: Final = frozenset({"text/plain"})
ENVELOPE_PREFIX: Final = "_"
_MENTION: Final = f'"{OVERRIDE_FIELD}"'
# What a JSON body's value is when records.decode parsed it (not a native handle): no member to look for
_PLAIN_JSON: Final = frozenset({list, str, int, float, bool, type(None)})


@dataclasses.dataclass(frozen=True, slots=True)
class Unwrapped:
    """A request as the API reads it: the method it stands for, its query and body out of the envelope."""

    method: str
    query: Pairs
    body: Body


def unwrap(method: str, query: Pairs, headers: Pairs, body: Body) -> Unwrapped | None:
    """The request ``method`` ``query`` ``headers`` ``body`` stands for; None when it wraps nothing (nearly
    every request: a few comparisons, no parse). ``body.value`` may be a native handle (``Json``/``Form``:
    only their ``mentions``/``in`` are asked); what comes back is plain Python data."""
    sniffed = _sniffed(body) if body.kind == "text" else None
    named = _named_method(query, headers, body, sniffed) if method == "POST" else None
    if named is None:
        return None if sniffed is None else Unwrapped(method, query, _enveloped(body, sniffed))
    target, where = named
    if where == "query":
        query = tuple(pair for pair in query if pair[0] != OVERRIDE_FIELD)
    if sniffed is not None or where == "body":  # an envelope
        body = _enveloped(body, sniffed if sniffed is not None else _readable(body))
    if target in QUERY_METHODS and body.kind in ("json", "form"):
        query, body = query + _as_query(body.kind, _readable(body)), EMPTY
    return Unwrapped(target, query, body)


def unwrap_exchange(ex: Exchange) -> Exchange:
    """``ex`` as the API reads it (:func:`unwrap`), the same object when it wraps nothing."""
    out = unwrap(ex.method, ex.query, ex.request_headers, ex.request_body)
    if out is None:
        return ex
    return dataclasses.replace(ex, method=out.method, query=out.query, request_body=out.body)


def _sniffed(body: Body) -> Any:
    """A ``text/plain`` body's JSON object or array; None for any other body (a bare number or string
    sent as text stays text)."""
    if body.media_type not in SNIFFED_MEDIA or type(body.value) is not str:
        return None
    head = body.value.lstrip()[:1]
    if head not in ("{", "["):
        return None
    try:
        value = orjson.loads(body.value)
    except orjson.JSONDecodeError:
        return None
    return value if type(value) is dict or type(value) is list else None


def _named_method(query: Pairs, headers: Pairs, body: Body, sniffed: Any) -> tuple[str, str] | None:
    """The method a POST names and where (``header``, ``query``, ``body``), the header first (it is the
    standard's); None when it names none, or names one no tunnel stands for. Asked of every POST: the
    common answer (none) costs a look at a few names and, for a native body, one search of its text."""
    for name, value in headers:
        if name in OVERRIDE_HEADERS:
            return _valid(value, "header")
    for name, value in query:
        if name == OVERRIDE_FIELD:
            return _valid(value, "query")
    kind = body.kind
    if sniffed is not None:
        field = sniffed.get(OVERRIDE_FIELD) if type(sniffed) is dict else None
    elif kind == "json":
        field = _json_field(body.value)
    elif kind == "form":
        value = body.value
        field = value.get(OVERRIDE_FIELD) if type(value) is dict else (
            value.dict()[OVERRIDE_FIELD] if OVERRIDE_FIELD in value else None)  # a native Form
    else:
        return None
    if type(field) is list:  # a form's values
        field = field[0] if field else None
    return _valid(field, "body") if type(field) is str else None


def _json_field(value: Any) -> Any:
    """A JSON body's ``_method`` member: a dict's, or a native Json's after a search of its text (the rare
    body that names the field is parsed)."""
    if type(value) is dict:
        return value.get(OVERRIDE_FIELD)
    if type(value) in _PLAIN_JSON or not value.mentions(_MENTION):
        return None
    parsed = orjson.loads(value.text)
    return parsed.get(OVERRIDE_FIELD) if type(parsed) is dict else None


def _valid(value: str | None, where: str) -> tuple[str, str] | None:
    method = (value or "").strip().upper()
    return (method, where) if method in OVERRIDDEN else None


def _readable(body: Body) -> Any:
    """The body as Python data (a native handle parsed; a form's dict)."""
    value = body.value
    if body.kind == "json" and type(value) not in _PLAIN_JSON and type(value) is not dict:  # a native Json
        return orjson.loads(value.text)
    if body.kind == "form" and type(value) is not dict:  # a native Form
        return value.dict()
    return value


def _enveloped(body: Body, value: Any) -> Body:
    """The body without its envelope (the ``_``-prefixed top-level members), as JSON or a form."""
    if isinstance(value, dict):
        value = {k: v for k, v in value.items() if not k.startswith(ENVELOPE_PREFIX)}
    if body.kind == "form":
        return Body("form", body.media_type, value)
    return Body("json", body.media_type, value)


def _as_query(kind: str, value: Any) -> Pairs:
    """A tunnelled GET's body members as the query pairs the real GET sends (a value that is not a string
    as its JSON text: Parse's ``where={"sku":"A1"}``, ``limit=10``); an array body has none."""
    if not isinstance(value, dict):
        return ()
    if kind == "form":
        return tuple((name, item) for name, items in value.items() for item in items)
    return tuple((name, item if isinstance(item, str) else orjson.dumps(item).decode()) for name, item in value.items())
