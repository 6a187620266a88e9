"""Which operation of a spec does a request belong to, and what does it declare? Pure, stdlib only.

:class:`Router` is compiled once per spec.
Paths are split into segments and kept in a trie. At each segment a literal child is tried first,
then segments that mix literal text and parameters (``{base}...{head}``, ``{name}.json``), then a
whole-segment parameter, with backtracking: ``/users/me`` beats ``/users/{userId}``, and a literal
prefix that leads nowhere falls back to the template. Request paths are tried below each server
base path (``https://api.example.com/v1`` serves ``/v1/users`` as ``/users``), longest first.

>>> router = Router({"/users/{userId}": {}, "/users/me": {}})
>>> [(m.route.template, m.values) for m in [router.match("/users/42")] if m]
[('/users/{userId}', ('42',))]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import unquote

from specbuild.drift.evidence import count_of
from specbuild.drift.forms import types_at
from specbuild.extensions import BODY_OPTIONAL, CALLS, INFERRED, MULTI_SEGMENT, SEEN
from specbuild.http import OPERATION_METHODS, UNDECLARED_MEDIA, media_type
from specbuild.records import is_json_media
from specbuild.refs import resolve

PARAM: Final = re.compile(r"\{([^{}/]*)\}")
CACHE_SIZE: Final = 1 << 14


@dataclass(frozen=True, slots=True)
class Route:
    """One path of the spec: as written, and its parameter names in order."""

    template: str
    item: Mapping[str, Any]
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Match:
    route: Route
    values: tuple[str, ...]  # the path parameter values, percent-decoded, in template order

    def params(self) -> dict[str, str]:
        return dict(zip(self.route.names, self.values, strict=True))


@dataclass(slots=True)
class _Node:
    literal: dict[str, _Node] = field(default_factory=dict)
    mixed: list[tuple[re.Pattern[str], _Node]] = field(default_factory=list)
    param: _Node | None = None
    tail: _Node | None = None  # a parameter of one or more segments (MULTI_SEGMENT: a file path)
    route: Route | None = None


class Router:
    """Match request paths to the paths of one spec."""

    __slots__ = ("_bases", "_cache", "_root")

    def __init__(self, paths: Mapping[str, Any], base_paths: Iterable[str] = ("",)) -> None:
        self._root = _Node()
        self._cache: dict[str, Match | None] = {}
        self._bases = tuple(sorted({b.rstrip("/") for b in base_paths} | {""}, key=lambda b: (-len(b), b)))
        for template in sorted(paths):
            item = paths[template]
            self._add(template, item if isinstance(item, Mapping) else {})

    def _add(self, template: str, item: Mapping[str, Any]) -> None:
        node = self._root
        spans = _spanning(item)
        for seg in _segments(template):
            if seg.startswith("{") and seg.endswith("}") and seg[1:-1] in spans:
                node.tail = node.tail or _Node()
                node = node.tail
            elif seg.startswith("{") and seg.endswith("}") and PARAM.fullmatch(seg):
                node.param = node.param or _Node()
                node = node.param
            elif PARAM.search(seg):
                rx = _mixed_regex(seg)
                for known, child in node.mixed:
                    if known.pattern == rx.pattern:
                        node = child
                        break
                else:
                    child = _Node()
                    node.mixed.append((rx, child))
                    node.mixed.sort(key=lambda kv: (-len(PARAM.sub("", kv[0].pattern)), kv[0].pattern))
                    node = child
            else:
                node = node.literal.setdefault(unquote(seg), _Node())
        if node.route is None:  # two templates that differ only in parameter names: the first wins
            node.route = Route(template, item, tuple(m[1] for m in PARAM.finditer(template)))

    def match(self, path: str) -> Match | None:
        """The route for a request path (no query string), or None."""
        try:
            return self._cache[path]  # lists and singletons come back again and again
        except KeyError:
            pass
        found = self._match(path)
        if len(self._cache) >= CACHE_SIZE:
            self._cache.clear()  # ids make paths endless; the cache stays bounded
        self._cache[path] = found
        return found

    def _match(self, path: str) -> Match | None:
        for base in self._bases:
            if base and not (path == base or path.startswith(base + "/")):
                continue
            rest = path[len(base):] or "/"
            segments = _segments(rest)
            if "%" in rest:
                segments = [unquote(s) for s in segments]
            values: list[str] = []
            route = _walk(self._root, segments, 0, values)
            if route is not None:
                return Match(route, tuple(values))
        return None


def _spanning(item: Mapping[str, Any]) -> frozenset[str]:
    """The path parameters of a path item that span segments (``x-multiSegment: true``), by name; a
    parameter by ``$ref`` is read as one segment."""
    lists = [item.get("parameters"), *(op.get("parameters") for m in OPERATION_METHODS
                                       if isinstance(op := item.get(m), Mapping))]
    return frozenset(p["name"] for params in lists if isinstance(params, list) for p in params
                     if isinstance(p, Mapping) and p.get("in") == "path" and p.get(MULTI_SEGMENT) is True
                     and isinstance(p.get("name"), str))


def _segments(path: str) -> list[str]:
    path = path.strip("/")
    return path.split("/") if path else []


def _mixed_regex(segment: str) -> re.Pattern[str]:
    out, pos = "", 0
    for m in PARAM.finditer(segment):
        out += re.escape(segment[pos:m.start()]) + "(.+?)"
        pos = m.end()
    return re.compile(out + re.escape(segment[pos:]))


def _walk(node: _Node, segments: list[str], i: int, values: list[str]) -> Route | None:
    if i == len(segments):
        return node.route
    seg = segments[i]
    child = node.literal.get(seg)
    if child is not None:
        found = _walk(child, segments, i + 1, values)
        if found is not None:
            return found
    for rx, mixed in node.mixed:
        m = rx.fullmatch(seg)
        if m is not None:
            mark = len(values)
            values.extend(m.groups())
            found = _walk(mixed, segments, i + 1, values)
            if found is not None:
                return found
            del values[mark:]
    if node.param is not None and seg:
        values.append(seg)
        found = _walk(node.param, segments, i + 1, values)
        if found is not None:
            return found
        values.pop()
    return None if node.tail is None else _walk_tail(node.tail, segments, i, values)


def _walk_tail(tail: _Node, segments: list[str], i: int, values: list[str]) -> Route | None:
    """A parameter of one or more segments from ``i``, the fewest first: what follows it (a trailer such as
    jupyter's ``/checkpoints``) is the trailer's where it can be, as the servers that serve one route it."""
    for end in range(i + 1, len(segments) + 1):
        if not segments[end - 1]:
            return None  # an empty segment (``a//b``) names no folder
        values.append("/".join(segments[i:end]))
        found = _walk(tail, segments, end, values)
        if found is not None:
            return found
        values.pop()
    return None


# --- what an operation declares ------------------------------------------------------------------

# OpenAPI: header parameters with these names "SHALL be ignored" (they are described elsewhere).
IGNORED_HEADER_PARAMS: Final = frozenset({"accept", "content-type", "authorization"})


@dataclass(frozen=True, slots=True)
class Param:
    """A declared parameter. ``name`` is lower-case for headers."""

    name: str
    where: str  # path | query | header | cookie
    required: bool
    schema: Mapping[str, Any] | None
    array: bool = False
    explode: bool = True
    deep: bool = False  # a query object spelled base[k1][k2]=v (style deepObject)


@dataclass(frozen=True, slots=True)
class Response:
    """A declared response: its media types (``None``: no body documented) and required headers."""

    content: Mapping[str, Any] | None
    required_headers: tuple[str, ...] = ()
    inferred: bool = False  # a learner's guess (x-specbuild-inferred), not what the API was seen to answer
    body_optional: bool = False  # seen answered without a body too (x-specbuild-body-optional)
    answered: int | None = None  # the distinct requests a learner saw answered so (x-specbuild-seen)
    calls: int | None = None  # the calls, on a route without parameters where more (x-specbuild-calls)


@dataclass(frozen=True, slots=True)
class Operation:
    """One (path, method) of the spec, with $refs resolved, as the drift check reads it."""

    key: str  # "GET /users/{userId}"
    path_params: tuple[Param | None, ...]
    query: Mapping[str, Param]
    headers: Mapping[str, Param]
    credential_query: frozenset[str]
    credential_headers: frozenset[str]
    body: Mapping[str, Any] | None  # requestBody content by media type; None: no body documented
    body_required: bool
    responses: Mapping[str, Response]
    required_query: tuple[str, ...] = ()
    required_headers: tuple[str, ...] = ()
    # a learned operation: every response it states says how many distinct requests it answered (check
    # counts the traffic's answers to tell a success gone, check._gone)
    counted: bool = False

    def response(self, status: int) -> Response | None:
        """The response documented for a status: exact, then its range (``4XX``), then ``default``."""
        return (self.responses.get(str(status)) or self.responses.get(f"{status // 100}XX")
                or self.responses.get("default"))


def operation(doc: Mapping[str, Any], route: Route, method: str) -> Operation | None:
    """The operation of ``route`` for an (upper-case) method, or None when the spec has none."""
    op = route.item.get(method.lower())
    if method.lower() not in OPERATION_METHODS or not isinstance(op, dict):
        return None
    params: dict[tuple[str, str], Param] = {}
    for raw in [*(route.item.get("parameters") or ()), *(op.get("parameters") or ())]:
        param = _param(doc, raw)
        if param is not None:
            params[(param.where, param.name)] = param  # operation-level wins over path-level
    by_where: dict[str, dict[str, Param]] = {"path": {}, "query": {}, "header": {}}
    for (where, name), param in params.items():
        if where in by_where and not (where == "header" and name in IGNORED_HEADER_PARAMS):
            by_where[where][name] = param
    cred_query, cred_headers = _credentials(doc, op)
    body = resolve(doc, op.get("requestBody")) if "requestBody" in op else None
    content = _content(body) if body is not None else None
    responses = {str(code).upper() if str(code) != "default" else "default": _response(doc, r)
                 for code, r in (op.get("responses") or {}).items()}
    stated = [r for r in responses.values() if not r.inferred]
    return Operation(
        key=f"{method.upper()} {route.template}",
        path_params=tuple(by_where["path"].get(name) for name in route.names),
        query=by_where["query"], headers=by_where["header"],
        credential_query=cred_query, credential_headers=cred_headers,
        body=content, body_required=bool(body and body.get("required") is True),
        responses=responses,
        required_query=tuple(sorted(n for n, p in by_where["query"].items() if p.required)),
        required_headers=tuple(sorted(n for n, p in by_where["header"].items() if p.required)),
        counted=bool(stated) and all(r.answered is not None for r in stated),
    )


def _param(doc: Mapping[str, Any], raw: Any) -> Param | None:
    p = resolve(doc, raw)
    name, where = p.get("name"), p.get("in")
    if not isinstance(name, str) or where not in ("path", "query", "header", "cookie"):
        return None
    schema = resolve(doc, p["schema"]) if isinstance(p.get("schema"), dict) else None
    # an array where any branch of a union is one (populate=a&populate=b beside populate[x]=y)
    is_array = bool(schema) and "array" in types_at(schema, doc)
    style = p.get("style", "form")
    return Param(name=name.lower() if where == "header" else name, where=where,
                 required=bool(p.get("required")) or where == "path",
                 schema=p.get("schema") if schema else None, array=is_array,
                 explode=bool(p.get("explode", style == "form")), deep=style == "deepObject" and where == "query")


def _credentials(doc: Mapping[str, Any], op: Mapping[str, Any]) -> tuple[frozenset[str], frozenset[str]]:
    """Query and header names that carry the credentials of the operation's security schemes."""
    requirements = op.get("security", doc.get("security")) or []
    schemes = (doc.get("components") or {}).get("securitySchemes") or {}
    query: set[str] = set()
    headers: set[str] = set()
    for requirement in requirements:
        for name in requirement if isinstance(requirement, dict) else ():
            scheme = resolve(doc, schemes.get(name))
            if scheme.get("type") == "apiKey" and isinstance(scheme.get("name"), str):
                if scheme.get("in") == "query":
                    query.add(scheme["name"])
                elif scheme.get("in") == "header":
                    headers.add(scheme["name"].lower())
    return frozenset(query), frozenset(headers)


def _content(node: Mapping[str, Any]) -> dict[str, Any] | None:
    content = node.get("content")
    if not isinstance(content, dict) or not content:
        return None
    return {(media_type(str(k)) or str(k)): v for k, v in sorted(content.items())}


def _response(doc: Mapping[str, Any], raw: Any) -> Response:
    r = resolve(doc, raw)
    required = sorted(name.lower() for name, h in (r.get("headers") or {}).items()
                      if isinstance(name, str) and resolve(doc, h).get("required") is True
                      and name.lower() != "content-type")
    return Response(content=_content(r), required_headers=tuple(required), inferred=r.get(INFERRED) is True,
                    body_optional=r.get(BODY_OPTIONAL) is True, answered=count_of(r, SEEN), calls=count_of(r, CALLS))


def pick_media(content: Mapping[str, Any], mt: str | None) -> tuple[str, Any] | None:
    """The documented media type a body of type ``mt`` falls under: exact, JSON for any JSON flavour
    (``application/vnd.x+json`` reads as ``application/json``), ``type/*``, then ``*/*``. A body sent
    without one (None, http.UNDECLARED_MEDIA) falls under ``*/*``, else application/octet-stream (what
    RFC 9110 lets a recipient assume, and what specs learned before documented), ``application/*``."""
    if mt is None or mt == UNDECLARED_MEDIA:
        for key in (UNDECLARED_MEDIA, "application/octet-stream", "application/*"):
            if key in content:
                return key, content[key]
        return None
    hit = content.get(mt)
    if hit is not None:
        return mt, hit
    if is_json_media(mt):
        for key in content:
            if is_json_media(key):
                return key, content[key]
    for key in (mt.split("/", 1)[0] + "/*", "*/*"):
        if key in content:
            return key, content[key]
    return None
