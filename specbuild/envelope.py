"""What a client wraps around a request, unwrapped: method override and JSON sent as text; pure.

Two client habits put an operation's real shape where the request line and ``Content-Type`` do not say:

- **Method override** ("tunnelling"): a ``POST`` that names the method it stands for, in an
  ``X-HTTP-Method-Override`` (``X-HTTP-Method``, ``X-Method-Override``) header (Google APIs, OData,
  ASP.NET, express's method-override), a ``_method`` query parameter, or a ``_method`` member of its form
  or JSON body (Rails' and Laravel's HTML forms, Symfony, the Parse SDK, which sends every call as a POST
  "to avoid the pre-flight"). The server serves the named method; so does the learned spec. A tunnelled
  ``GET``/``HEAD`` carries its query in the body: those members are its query parameters (a ``DELETE``
  keeps a body it has: some APIs read one).
- **JSON as ``text/plain``**: ``fetch(url, {method: "POST", body: JSON.stringify(x)})`` without a header
  sends ``text/plain;charset=UTF-8`` (the fetch standard's default for a string), and so does every SDK
  that keeps its calls "simple requests" for CORS. A ``text/plain`` body that is a JSON object or array is
  learned as JSON, under the media type it was sent with, unless the endpoint also took text that is not
  JSON (``learn/builder._kept``: then it takes text).

A tunnelled request's body, and a body that avoids the pre-flight, is an **envelope**: its
``_``-prefixed top-level members are the client's (``_method``, Parse's ``_ApplicationId``,
``_SessionToken``, ``_ClientVersion``, Laravel's ``_token``: what other clients send as headers), never the
operation's, so they are left out. The override headers are transport (``http.OVERRIDE_HEADERS``: never
parameters). The learner (``run.Fold``, ``SpecBuilder.add_fields``) and the drift checker
(``Checker.add``) unwrap alike, so what one learned is what the other checks.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable
from typing import Any, Final

import orjson

from specbuild.http import OVERRIDE_HEADERS
from specbuild.records import EMPTY, Body, Exchange, Pairs

OVERRIDE_FIELD: Final = "_method"
# What a POST may stand for (a tunnel to POST, TRACE or CONNECT means nothing)
OVERRIDDEN: Final = frozenset({"GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Methods whose request body has no meaning (RFC 9110): a tunnelled one's body members are its query
QUERY_METHODS: Final = frozenset({"GET", "HEAD"})
# Declared media types a JSON body is sniffed under (what fetch and sendBeacon send for a string)
SNIFFED_MEDIA: Final = frozenset({"text/plain"})
ENVELOPE_PREFIX: Final = "_"
# A JSON text that may have a ``_method`` member: the name as written, or with an escape in it
# (``"\u005fmethod"``); the native decoder looks for the same (record.rs ``names_a_method``)
MENTIONS: Final = (f'"{OVERRIDE_FIELD}"', "\\u005")
# What a JSON body's value is when records.decode parsed it (not a native handle): no member to look for
_PLAIN_JSON: Final = frozenset({list, str, int, float, bool, type(None)})
JsonParser = Callable[[str], Any]


@dataclasses.dataclass(frozen=True, slots=True)
class Unwrapped:
    """A request as the API reads it: the method it stands for, its query and body out of the envelope."""

    method: str
    query: Pairs
    body: Body


def unwrap(method: str, query: Pairs, headers: Pairs, body: Body, *, sniff: bool = True,
           parse_json: JsonParser | None = None) -> Unwrapped | None:
    """The request ``method`` ``query`` ``headers`` ``body`` stands for; None when it wraps nothing (nearly
    every request: a few comparisons, no parse). ``body.value`` may be a native ``Json`` (only its
    ``mentions`` is asked), never a native ``Form``: the native decoder leaves every form that names a
    method, and every POST whose query or headers do, to ``records.decode`` (record.rs). ``sniff``: a
    ``text/plain`` JSON body that tunnels nothing comes back as JSON too (the checker asks that only of a
    spec that documents JSON there). ``parse_json``: the native parser, for a JSON body that comes back
    (the fold's), else plain data."""
    sniffed = _sniffed(body) if body.kind == "text" else None
    members = None
    named = None
    if method == "POST":
        members = sniffed if sniffed is not None else _members(body)
        named = _named_method(query, headers, members)
    if named is None:
        if sniffed is None or not sniff:
            return None
        return Unwrapped(method, query, _enveloped(body, sniffed, parse_json))
    target, where = named
    if where == "query":
        query = tuple(pair for pair in query if pair[0] != OVERRIDE_FIELD)
    if sniffed is not None or body.kind in ("json", "form"):  # a tunnel's body is an envelope
        value = members if members is not None else readable(body)
        if target in QUERY_METHODS and type(value) is dict:
            return Unwrapped(target, query + _as_query(body.kind, _stripped(value)), EMPTY)
        body = _enveloped(body, value, parse_json)
    return Unwrapped(target, query, body)


def unwrap_exchange(ex: Exchange, *, sniff: bool = True, parse_json: JsonParser | None = None) -> Exchange:
    """``ex`` as the API reads it (:func:`unwrap`), the same object when it wraps nothing."""
    out = unwrap(ex.method, ex.query, ex.request_headers, ex.request_body, sniff=sniff, parse_json=parse_json)
    if out is None:
        return ex
    return dataclasses.replace(ex, method=out.method, query=out.query, request_body=out.body)


def sniffed_json(body: Body) -> Any:
    """A ``text/plain`` body that is a JSON object or array, as the learner folded it (out of its envelope);
    None for any other (the checker reads a text body so where its spec does not take the text itself)."""
    value = _sniffed(body) if body.kind == "text" else None
    return None if value is None else _stripped(value)


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


def _named_method(query: Pairs, headers: Pairs, members: Any) -> tuple[str, str] | None:
    """The method a POST names and where (``header``, ``query``, ``body``: ``members``, the body's members
    as :func:`_members` reads them): the first place that names one a tunnel may stand for; None when none
    does. Asked of every POST the Python decoder reads: the common answer (none) costs a look at a few
    names and, for a native body, one search of its text."""
    for name, value in headers:
        if name in OVERRIDE_HEADERS and _valid(value):
            return value.strip().upper(), "header"
    for name, value in query:
        if name == OVERRIDE_FIELD and _valid(value):
            return value.strip().upper(), "query"
    field = members.get(OVERRIDE_FIELD) if type(members) is dict else None
    if type(field) is list:  # a form's values: the last, as Rack and PHP read a repeated field
        field = field[-1] if field else None
    return (field.strip().upper(), "body") if type(field) is str and _valid(field) else None


def _members(body: Body) -> Any:
    """A JSON or form body's members where they may name a method: a dict as it is (a form's, a JSON
    object records.decode parsed), a native Json parsed only when its text may name the field (the rare
    one); None for any other body."""
    value = body.value
    if type(value) is dict:
        return value if body.kind in ("json", "form") else None
    if body.kind != "json" or type(value) in _PLAIN_JSON or not any(value.mentions(m) for m in MENTIONS):
        return None
    return orjson.loads(value.text)


def _valid(value: str | None) -> bool:
    return (value or "").strip().upper() in OVERRIDDEN


def readable(body: Body) -> Any:
    """The body as Python data (a native Json parsed: a text body that wraps a call is parsed natively, and
    an ``--examples`` example is kept as Python data)."""
    value = body.value
    if body.kind == "json" and type(value) not in _PLAIN_JSON and type(value) is not dict:  # a native Json
        return orjson.loads(value.text)
    return value


def _stripped(value: Any) -> Any:
    """An envelope's content: its ``_``-prefixed top-level members left out."""
    if type(value) is not dict:
        return value
    return {k: v for k, v in value.items() if not k.startswith(ENVELOPE_PREFIX)}


def _enveloped(body: Body, value: Any, parse_json: JsonParser | None) -> Body:
    """The body without its envelope, as JSON or a form; nothing when nothing is left (Parse's tunnelled
    DELETE carries only its keys)."""
    value = _stripped(value)
    if value == {}:
        return EMPTY
    if body.kind == "form":
        return Body("form", body.media_type, value)
    if parse_json is not None:  # the fold's: a native handle folds natively (a Parse app sends only these)
        # what the native parser does not take (nesting past its limit) stays plain data
        with contextlib.suppress(ValueError):
            value = parse_json(orjson.dumps(value).decode())
    return Body("json", body.media_type, value)


def _as_query(kind: str, value: dict[str, Any]) -> Pairs:
    """A tunnelled GET's body members as the query pairs the real GET sends (a value that is not a string
    as its JSON text: Parse's ``where={"sku":"A1"}``, ``limit=10``)."""
    if kind == "form":
        return tuple((name, item) for name, items in value.items() for item in items)
    return tuple((name, item if isinstance(item, str) else orjson.dumps(item).decode()) for name, item in value.items())
