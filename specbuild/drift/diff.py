"""Spec against spec: every change classified for the API's clients; pure.

``diff(base, head)`` pairs the operations of two OpenAPI documents by method and path *shape* (the
server base path included, parameter names erased: ``/users/{id}`` and ``/users/{userId}`` are the
same path, so a renamed path parameter is no change), then compares parameters, request bodies,
responses and security, and walks both schemas ($refs followed, ``allOf`` merged) side by side.

Direction decides what breaks a client: what a client *sends* (parameters, request bodies) breaks it
when the API accepts less (a new required property, a narrower type, a removed enum value); what it
*receives* (responses) breaks it when the API returns more or other (a removed or now optional
property, a wider type, a removed status).

The kinds of change and their severities are one registry: :mod:`specbuild.drift.kinds`.

``learned_head=True`` (``specbuild build --check``) reads ``head`` as learned from traffic: what the
traffic did not show is no evidence, so removals, narrowings and "now required" are not reported.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final

import orjson

from specbuild.drift.evidence import (
    GONE_MIN_WITNESSES,
    NOT_NOW,
    calls_of,
    count_of,
    gone,
    gone_tests,
    in_every,
    overturned,
    ref_counts,
    root_inherited,
    route_bodies,
    route_gone,
    seen_of,
    successes,
)
from specbuild.drift.forms import branches, types_at
from specbuild.drift.kinds import CHANGE_KINDS, RANK, status_class
from specbuild.drift.presence import shared_refs
from specbuild.drift.routes import Router
from specbuild.extensions import BODY_OPTIONAL, CALLS, INFERRED, MULTI_SEGMENT
from specbuild.http import OPERATION_METHODS
from specbuild.records import MAX_FORM_DEPTH, form_name, is_index
from specbuild.refs import merge_all_of, resolve, server_path

_PARAM: Final = re.compile(r"\{[^{}/]*\}")
MAX_DEPTH: Final = 24



# What a spec learned from traffic cannot know: it saw only some calls, so absence proves nothing.
LEARNED_SUPPRESSED: Final = frozenset({
    "operation-removed", "parameter-removed", "request-body-removed", "response-status-removed",
    "response-media-type-removed", "response-header-removed", "request-property-removed",
    "response-property-removed", "request-media-type-removed", "security-alternative-removed",
    "parameter-now-required", "request-body-now-required", "request-property-now-required",
    "response-property-now-required", "request-type-narrowed", "response-type-narrowed",
    "request-enum-value-removed", "response-enum-value-removed", "request-constraint-tightened",
    "response-constraint-tightened", "operation-deprecated", "path-parameter-no-longer-spans",
    "request-map-now-object",
})
# ... and what it learned as required may be optional after all: reported as the optional kind.
LEARNED_DOWNGRADE: Final = {"required-parameter-added": "parameter-added",
                            "request-required-property-added": "request-property-added"}


@dataclass(frozen=True, slots=True)
class Change:
    operation: str  # "GET /users/{userId}" as the head spells it (the base, for a removed operation)
    kind: str
    severity: str
    where: str      # "response 200 application/json", "query parameter limit", "" for the operation
    pointer: str    # inside a schema: "items[].id"; "" otherwise
    detail: str     # "integer -> string", "values 'b' removed"
    proven: bool = False  # shown by counts (drift/evidence.py), so reported even against a learned head


def diff(base: Mapping[str, Any], head: Mapping[str, Any], *, learned_head: bool = False) -> list[Change]:
    """Every change from ``base`` to ``head``, most severe first, then by operation, kind and place."""
    ctx = _Ctx(base, head)
    pairs = _paired(_operations(base), _operations(head), covered=learned_head)
    # every operation both sides learned is asked whether a success is gone: weighed together (evidence.gone)
    ctx.tests = gone_tests(_asked(ctx, b_op, h_op) for b_op, h_op in pairs if b_op is not None and h_op is not None)
    for b_op, h_op in pairs:
        if b_op is not None and h_op is not None:
            _operation(ctx, b_op, h_op)
        elif b_op is not None:
            ctx.add(b_op.label, "operation-removed", "", "", "")
        elif h_op is not None:
            ctx.add(h_op.label, "operation-added", "", "", "")
    changes = ctx.changes
    if learned_head:
        changes = [_learned(c) for c in changes if c.proven or c.kind not in LEARNED_SUPPRESSED]
    return sorted(set(changes), key=lambda c: (-RANK[c.severity], c.operation, c.kind, c.where, c.pointer,
                                               c.detail))


def _learned(change: Change) -> Change:
    kind = LEARNED_DOWNGRADE.get(change.kind)
    if kind is None:
        return change
    return Change(change.operation, kind, CHANGE_KINDS[kind].severity, change.where, change.pointer,
                  change.detail)


@dataclass(slots=True)
class _Ctx:
    base: Mapping[str, Any]
    head: Mapping[str, Any]
    changes: list[Change] = field(default_factory=list)
    label: str = ""
    ev: _Ev | None = None  # the evidence at the response schema node being compared, when both learned
    text: bool = False  # comparing a parameter's schemas: what goes on the wire is text (see _covers)
    empty: bool = False  # ...of a parameter the base let be sent empty (allowEmptyValue): ``?block=``
    # the distinct requests the response being compared answered, base and head (``x-specbuild-seen`` on
    # the response object): a shared component's counts may be another place's
    answered: tuple[int | None, int | None] = (None, None)
    # the base's $refs made more than once (drift/presence.py shared_refs), found when first asked: :meth:`shared`
    base_shared: frozenset[str] | None = None
    head_refs: frozenset[str] | None = None  # ...and the head's (:meth:`head_shared`)
    # the operation compared takes nothing but its route on both sides: no path or query parameter, no body
    route: bool = False
    # ...and the response being compared answered its calls with bodies that are its evidence on both sides
    # (evidence.route_bodies): the calls, base and head, stand at the bodies' roots
    calls: tuple[int, int] | None = None
    tests: int = 1  # the operations asked whether a success is gone (evidence.gone_tests)
    # component pairs compared, by place: the shallowest depth, and the changes found below it (_compared_once)
    compared: dict[tuple[Any, ...], tuple[int, tuple[tuple[Any, ...], ...]]] = field(default_factory=dict)

    def shared(self, ref: str) -> bool:
        """Whether the base's ``$ref`` here is to a component shared by several places (its counts pooled)."""
        if self.base_shared is None:
            self.base_shared = shared_refs(self.base)
        return ref in self.base_shared

    def head_shared(self, ref: str) -> bool:
        """Whether the head's ``$ref`` here is to a component shared by several places."""
        if self.head_refs is None:
            self.head_refs = shared_refs(self.head)
        return ref in self.head_refs

    @property
    def base_ref_counts(self) -> bool:
        """Whether the base's ``$ref`` properties carry their own counts (evidence.ref_counts)."""
        return ref_counts(self.base)

    def add(self, label: str, kind: str, where: str, pointer: str, detail: str) -> None:
        self.changes.append(Change(label, kind, CHANGE_KINDS[kind].severity, where, pointer, detail))

    def here(self, kind: str, where: str, pointer: str = "", detail: str = "", proven: bool = False) -> None:
        ev = self.ev
        if ev is not None and ((kind == "response-type-widened" and not ev.widened())
                               or (kind == "response-type-changed" and not ev.changed())):
            kind = _WIDENED_REFINED.get(detail.split(" ")[0], "response-type-unproven")
        self.changes.append(Change(self.label, kind, CHANGE_KINDS[kind].severity, where, pointer, detail, proven))


# A learned response claim the head no longer makes, by what the detail names, within the evidence
_WIDENED_REFINED: Final = {"enum": "response-enum-unproven", "format": "response-format-unproven"}


@dataclass(frozen=True, slots=True)
class _Ev:
    """The evidence at a place of two learned schemas (drift/evidence.py): values seen there in the base
    and in the head, and at their roots (the bodies, which cap every count below)."""

    base: int
    head: int
    base_root: int
    head_root: int
    # the base's counts here are no count of this place, reached through a ``$ref``: to a person's
    # component (``--spec``, learn/overlay.py), whose properties no learner counted, or under the body to a
    # component shared by several places (its counts its best-evidenced place's): none was "in every object"
    uncounted: bool = False
    # the fewest values on the way down from the root: an array's items count as the arrays that held them,
    # and a shared component's count (its best-evidenced place's) as no more than its parent's here; at
    # most the bodies that reached this place: what a property without a claim is weighed on (_removed)
    base_bodies: int = 0
    head_bodies: int = 0
    # the counts are a route's calls (evidence.route_bodies): a claim every head value breaks, or a property
    # every head object lacks, is weighed on them; a property absent from some is no proof (a series in time).
    # Then the roots' own counts (their distinct requests), which a component in every object of its parent
    # inherited: no count of its place (evidence.root_inherited)
    route: bool = False
    inherited: tuple[int, int] = (0, 0)

    @staticmethod
    def roots(b: Any, h: Any, calls: tuple[int, int] | None = None) -> _Ev | None:
        nb, nh = seen_of(b), seen_of(h)
        if nb is None or nh is None:
            return None
        if calls is None:
            return _Ev(nb, nh, nb, nh, base_bodies=nb, head_bodies=nh)
        # the roots' own counts are their distinct requests (one each): the calls stand there
        cb, ch = calls
        return _Ev(cb, ch, cb, ch, base_bodies=cb, head_bodies=ch, route=True, inherited=(nb, nh))

    def at(self, b: Any, h: Any, components: bool = False) -> _Ev:
        """The evidence one level down, at schemas ``b`` and ``h`` (a schema without a count has its parent's;
        ``components``: the ones its ``$ref``s lead to, whose count may be a route's root's, inherited)."""
        nb, nh = seen_of(b), seen_of(h)
        if components and self.route:
            nb = None if root_inherited(nb, self.inherited[0]) else nb
            nh = None if root_inherited(nh, self.inherited[1]) else nh
        return _Ev(min(self.base if nb is None else nb, self.base_root),
                   min(self.head if nh is None else nh, self.head_root), self.base_root, self.head_root,
                   self.uncounted, min(self.base_bodies, self.base_bodies if nb is None else nb),
                   min(self.head_bodies, self.head_bodies if nh is None else nh), self.route, self.inherited)

    def widened(self) -> bool:
        """A response claim of the base that the head no longer makes: a change only when the base's
        evidence outweighs the head's so much that even one value against it is more than chance (the
        head does not say how many of its values broke the claim; ``check`` does)."""
        return overturned(self.base, self.head, 1)

    def changed(self) -> bool:
        """A response claim of the base that every value of the head breaks: a change when the counts
        outweigh chance (a type learned from 2 values, and 1 value of another type, does not)."""
        return overturned(self.base, self.head, self.head)


@dataclass(frozen=True, slots=True)
class _Op:
    label: str
    op: Mapping[str, Any]
    item: Mapping[str, Any]
    path: str


def _operations(doc: Mapping[str, Any]) -> dict[tuple[str, str], _Op]:
    """Operations by (path template under the servers' base, with its trailing slash if written, method)."""
    base = _base_path(doc)
    out: dict[tuple[str, str], _Op] = {}
    for path in sorted(doc.get("paths") or {}):
        item = resolve(doc, doc["paths"][path])
        for method in OPERATION_METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                full = (base + "/" + path.strip("/")).rstrip("/") or "/"
                key = (_PARAM.sub("{}", full + "/" if _slashed(path) and full != "/" else full), method)
                out.setdefault(key, _Op(f"{method.upper()} {path}", op, item, path))
    return out


def _paired(b_ops: dict[tuple[str, str], _Op], h_ops: dict[tuple[str, str], _Op],
            covered: bool = False) -> list[tuple[_Op | None, _Op | None]]:
    """The base's and the head's operations paired: each with its own path first, then one left over with the
    other's written with(out) its trailing slash (one operation either way: ``diff`` tells the slash); a
    spec holding both ``/x`` and ``/x/`` keeps them two. ``covered`` (a head learned from traffic): then a
    base operation left over is paired with each head operation left over whose path its template matches
    (:func:`_covering`)."""
    out: list[tuple[_Op | None, _Op | None]] = [(b_ops[k], h_ops[k]) for k in sorted(b_ops.keys() & h_ops.keys())]
    left: dict[tuple[str, str], list[tuple[tuple[str, str], _Op]]] = {}
    for key in sorted(h_ops.keys() - b_ops.keys()):
        left.setdefault(_unslashed(key), []).append((key, h_ops[key]))
    spanned = _Spanning(h_ops)
    alone: dict[tuple[str, str], _Op] = {}
    for key in sorted(b_ops.keys() - h_ops.keys()):
        same = left.get(_unslashed(key))
        found = same.pop(0)[1] if same else spanned.covering(key)
        if found is None and covered:
            alone[key] = b_ops[key]
        else:
            out.append((b_ops[key], found))
    rest = [(key, h_op) for ops in left.values() for key, h_op in ops if id(h_op) not in spanned.paired]
    pairs = _covering(alone, rest)
    paired = {id(op) for pair in pairs for op in pair}
    out.extend((b_op, None) for b_op in alone.values() if id(b_op) not in paired)
    # named as the base names it, as ``check`` names the route of the head's traffic
    out.extend((b_op, replace(h_op, label=b_op.label)) for b_op, h_op in pairs)
    out.extend((None, h_op) for _, h_op in rest if id(h_op) not in paired)
    return out


def _covering(b_ops: Mapping[tuple[str, str], _Op],
              h_ops: list[tuple[tuple[str, str], _Op]]) -> list[tuple[_Op, _Op]]:
    """Each head operation paired with the base operation whose template matches its path, as ``check`` routes
    the head's traffic: a template learned from one sample (``POST /call/{name}``, its names answering alike)
    and its values learned literal from the next (``POST /call/summarize``, ``POST /call/classify``: their
    answers no longer alike, a field gone from all of them) are one operation, its bodies compared; else a
    change to them would be the base's operation "removed" (what traffic cannot prove) and the head's added."""
    routes = {(_named(key[0], op.path), key[1]): op for key, op in b_ops.items() if "{}" in key[0]}
    if not routes or not h_ops:
        return []
    router = Router({path: op.item for (path, _), op in sorted(routes.items())})
    pairs: list[tuple[_Op, _Op]] = []
    for key, h_op in h_ops:
        found = router.match(key[0])
        b_op = routes.get((found.route.template, key[1])) if found is not None else None
        if b_op is not None:
            pairs.append((b_op, h_op))
    return pairs


class _Spanning:
    """The head's operations whose path has a parameter of one or more segments (a file path), and which of
    them cover a base operation: a spec learned with a template per depth (``/contents/{a}/{b}.md``) diffed
    against one learned with the file path (``/contents/{path}``) pairs each depth with the file path, as
    ``check`` routes their calls; none is removed, and the file path is no operation added."""

    def __init__(self, h_ops: Mapping[tuple[str, str], _Op]) -> None:
        # by the path as keyed, its parameters named again (the router reads which one spans by its name)
        self.ops = {(_named(key[0], op.path), key[1]): op for key, op in h_ops.items() if _spans(op)}
        self.router = Router({path: op.item for (path, _), op in self.ops.items()}) if self.ops else None
        self.paired: set[int] = set()   # id() of each head operation paired so

    def covering(self, key: tuple[str, str]) -> _Op | None:
        """The head's operation whose file path covers the base's path ``key`` (``{}`` a value), or None."""
        found = self.router.match(key[0]) if self.router is not None else None
        op = self.ops.get((found.route.template, key[1])) if found is not None else None
        if op is not None:
            self.paired.add(id(op))
        return op


def _named(keyed: str, path: str) -> str:
    """A keyed path (``/v1/contents/{}``) with the parameter names of the path it was keyed from."""
    names = iter(m[0] for m in _PARAM.finditer(path))
    return re.sub(r"\{\}", lambda _: next(names, "{}"), keyed)


def _spans(op: _Op) -> bool:
    """Whether an operation's path has a parameter marked as spanning segments."""
    return any(isinstance(p, Mapping) and p.get("in") == "path" and p.get(MULTI_SEGMENT) is True
               for p in [*(op.item.get("parameters") or ()), *(op.op.get("parameters") or ())])


def _unslashed(key: tuple[str, str]) -> tuple[str, str]:
    return key[0].rstrip("/") or "/", key[1]


def _base_path(doc: Mapping[str, Any]) -> str:
    servers = doc.get("servers") or []
    return server_path(servers[0]) if servers else ""


def _operation(ctx: _Ctx, b: _Op, h: _Op) -> None:
    ctx.label = h.label
    ctx.route = _route(ctx.base, b) and _route(ctx.head, h)
    if h.op.get("deprecated") is True and b.op.get("deprecated") is not True:
        ctx.here("operation-deprecated", "")
    slashed = _slashed(h.path)
    if slashed != _slashed(b.path):  # one operation either way (Django answers /x with a 301 to /x/)
        ctx.here("path-now-with-trailing-slash" if slashed else "path-no-longer-with-trailing-slash", "")
    b_security = b.op.get("security", ctx.base.get("security"))
    h_security = h.op.get("security", ctx.head.get("security"))
    bp, hp = _spanned(*_params(ctx.base, b), *_params(ctx.head, h))
    # a credential header one side documents as a parameter and the other as the API key scheme it is
    now = {name for name in _header_schemes(ctx.head, h_security) if ("header", name) in bp.keys() - hp.keys()}
    before = {name for name in _header_schemes(ctx.base, b_security) if ("header", name) in hp.keys() - bp.keys()}
    _parameters(ctx, bp, hp, moved=now | before)
    _request_body(ctx, b.op.get("requestBody"), h.op.get("requestBody"))
    _responses(ctx, b.op.get("responses") or {}, h.op.get("responses") or {})
    if now or before:
        ctx.here("header-now-security-scheme" if now else "header-no-longer-security-scheme", "security", "",
                 ", ".join(sorted(now or before)))
    _security(ctx, b_security, h_security, now | before)


def _route(doc: Mapping[str, Any], op: _Op) -> bool:
    """Whether each call of an operation names its route and nothing else: a path without parameters, no
    query parameter, no request body (a 404 to ``GET /lookup?email=b`` is ``b`` not found, no route gone):
    its calls are weighed (evidence.route_gone) as check weighs them (check._route)."""
    if "{" in op.path or "requestBody" in op.op or "x-specbuild-more-query-parameters" in op.op:
        return False
    params = [*(op.item.get("parameters") or ()), *(op.op.get("parameters") or ())]
    return not any(resolve(doc, p).get("in") == "query" for p in params)


def _slashed(path: str) -> bool:
    """Whether a path is written with its trailing slash (``/x/``; the root is no such path)."""
    return len(path) > 1 and path.endswith("/")


Params = dict[tuple[str, str], dict[str, Any]]


def _spanned(bp: Params, bn: int, hp: Params, hn: int) -> tuple[Params, Params]:
    """Path parameters (``bn`` and ``hn`` of them, keyed by position) aligned on a file path: where one side's
    parameter spans segments (``x-multiSegment``), the parameters after it are keyed from the end (its
    trailer's, ``/checkpoints/{id}``), and the other side's parameters its span covers (a template per
    depth: ``/contents/{a}/{b}``) are the file path's: the first compared with it, the rest no parameter
    removed or added (the file path holds them)."""
    at = next((int(k[1]) for side in (hp, bp) for k, p in side.items() if k[0] == "path" and p.get(MULTI_SEGMENT)
               is True and k[1].isdigit()), None)
    if at is None:
        return bp, hp
    after = (hn if any(k[0] == "path" and p.get(MULTI_SEGMENT) is True for k, p in hp.items()) else bn) - at - 1
    return _aligned(bp, bn, at, after), _aligned(hp, hn, at, after)


def _aligned(params: Params, n: int, at: int, after: int) -> Params:
    """``params`` with their path parameters keyed as :func:`_spanned` aligns them (``n`` in the path)."""
    out: Params = {}
    for key, p in params.items():
        if key[0] != "path" or not key[1].isdigit() or int(key[1]) <= at:
            out[key] = p
        elif int(key[1]) >= n - after:
            out[("path", f"-{n - int(key[1])}")] = p
    return out


def _params(doc: Mapping[str, Any], op: _Op) -> tuple[Params, int]:
    """Parameters by (in, name), and how many the path has; path parameters by position, so a rename is no
    change."""
    names = [m[0][1:-1] for m in _PARAM.finditer(op.path)]
    out: Params = {}
    for raw in [*(op.item.get("parameters") or ()), *(op.op.get("parameters") or ())]:
        p = resolve(doc, raw)
        name, where = p.get("name"), p.get("in")
        if not isinstance(name, str) or not isinstance(where, str):
            continue
        if where == "path":
            key = ("path", str(names.index(name)) if name in names else name)
        else:
            key = (where, name.lower() if where == "header" else name)
        out[key] = p
    return out, len(names)


def _parameters(ctx: _Ctx, bp: dict[tuple[str, str], dict[str, Any]], hp: dict[tuple[str, str], dict[str, Any]],
                moved: frozenset[str] | set[str] = frozenset()) -> None:
    """The base's and the head's parameters (:func:`_params`) compared. ``moved``: header names (lower case)
    one side documents as a parameter and the other as its API key scheme (told once, by :func:`_operation`)."""
    ctx.text = True  # their values go on the wire as text (_covers)
    try:
        _parameter_pairs(ctx, bp, hp, moved)
    finally:
        ctx.text = False


def _parameter_pairs(ctx: _Ctx, bp: dict[tuple[str, str], dict[str, Any]],
                     hp: dict[tuple[str, str], dict[str, Any]], moved: frozenset[str] | set[str]) -> None:
    _deep_objects(ctx, bp, hp)
    for key in sorted(bp.keys() | hp.keys()):
        if key[0] == "header" and key[1] in moved:
            continue
        where = f"{key[0]} parameter {(hp.get(key) or bp[key])['name']}"
        if key not in hp:
            ctx.here("parameter-removed", where)
        elif key not in bp:
            ctx.here("required-parameter-added" if hp[key].get("required") else "parameter-added", where)
        else:
            was, now = bool(bp[key].get("required")), bool(hp[key].get("required"))
            spans = bp[key].get(MULTI_SEGMENT) is True, hp[key].get(MULTI_SEGMENT) is True
            if key[0] == "path" and spans[0] != spans[1]:
                ctx.here("path-parameter-now-spans" if spans[1] else "path-parameter-no-longer-spans", where)
            if now and not was:
                ctx.here("parameter-now-required", where)
            elif was and not now:
                ctx.here("parameter-now-optional", where)
            before, after = bp[key].get("schema"), hp[key].get("schema")
            if key[0] == "query":
                before, after = _repeats(ctx, bp[key], hp[key], where)
            ctx.empty = bp[key].get("allowEmptyValue") is True
            try:
                _schema(ctx, before, after, "request", where)
            finally:
                ctx.empty = False


def _deep_objects(ctx: _Ctx, bp: dict[tuple[str, str], dict[str, Any]],
                  hp: dict[tuple[str, str], dict[str, Any]]) -> None:
    """Flat bracketed query parameters (``filter[age][gte]``) on one side and one ``deepObject``
    parameter ``filter`` on the other are the same names on the wire: one change, info, each flat name's
    schema compared with the one at its place in the object (in the direction a client sends), and the
    names taken out of the pairing by name (they were no more removed or added than renamed)."""
    for flat, deep, kind in ((bp, hp, "parameter-now-deep-object"), (hp, bp, "parameter-no-longer-deep-object")):
        for base, param in [(key[1], p) for key, p in deep.items() if key[0] == "query"
                            and p.get("style") == "deepObject"]:
            leaves = {key: p for key, p in flat.items() if key[0] == "query" and _spelled_under(key[1], base)}
            if not leaves:
                continue
            if ("query", base) not in flat:  # else a plain `base` beside the flat names: compared as usual
                del deep[("query", base)]
            where = f"query parameter {base}"
            ctx.here(kind, where)
            for key in leaves:
                del flat[key]
            _deep_leaves(ctx, leaves, param, deep is hp)
            required = (any(p.get("required") for p in leaves.values()), bool(param.get("required")))
            if required[0] != required[1]:
                ctx.here("parameter-now-required" if required[deep is hp] else "parameter-now-optional", where)


def _deep_leaves(ctx: _Ctx, leaves: dict[tuple[str, str], dict[str, Any]], param: Mapping[str, Any],
                 flat_before: bool) -> None:
    """Each flat name against its place in the deepObject parameter, as a flat name against the other
    side's would be: none there (a closed object without the key, an array or a scalar where a key is
    named) is that name removed (or added); a place its object requires and the flat name did not is
    the name now required; a field of the object that no flat name spells is a name added (required
    where the object requires it) or removed."""
    doc, mine_doc = (ctx.head, ctx.base) if flat_before else (ctx.base, ctx.head)
    base, schema = param["name"], param.get("schema")
    for key, leaf in sorted(leaves.items()):
        where = f"query parameter {key[1]}"
        path = form_name(key[1])[1:]
        place = _place(doc, schema, path)
        if place is None:
            added = "required-parameter-added" if leaf.get("required") else "parameter-added"
            ctx.here("parameter-removed" if flat_before else added, where)
            continue
        if _needed(doc, schema, path) and not leaf.get("required"):
            ctx.here("parameter-now-required" if flat_before else "parameter-now-optional", where)
        mine = leaf.get("schema")
        if _repeated(leaf, resolve(mine_doc, mine)) and "array" not in types_at(place, doc):
            mine = resolve(mine_doc, mine).get("items")
        before, after = (mine, place) if flat_before else (place, mine)
        _schema(ctx, before, after, "request", f"query parameter {base}", key[1])
    spelled = {tuple(s for s in form_name(key[1])[1:] if not is_index(s)) for key in leaves}
    for path, needed in _fields(doc, schema):
        if not any(have[:len(path)] == path or path[:len(have)] == have for have in spelled):
            where = "query parameter " + base + "".join(f"[{s}]" for s in path)
            added = "required-parameter-added" if needed else "parameter-added"
            ctx.here(added if flat_before else "parameter-removed", where)


def _needed(doc: Mapping[str, Any], schema: Any, path: tuple[str, ...]) -> bool:
    """Every object on ``path`` requires the next key (an object sent must have this field)."""
    node, keyed = schema, False
    for segment in path:
        if is_index(segment):
            node = next((b["items"] for b in branches(node, doc) if isinstance(b.get("items"), dict)), None)
            continue
        holding = [b for b in branches(node, doc) if segment in (b.get("properties") or {})]
        if not holding or not all(segment in (b.get("required") or ()) for b in holding):
            return False
        node, keyed = holding[0]["properties"][segment], True
    return keyed


def _fields(doc: Mapping[str, Any], schema: Any, depth: int = 0) -> list[tuple[tuple[str, ...], bool]]:
    """The named fields of an object (its properties, down to those that are no object of named fields),
    each with whether an object sent must carry it (required at every level on its way)."""
    out: list[tuple[tuple[str, ...], bool]] = []
    for branch in branches(schema, doc) if depth < MAX_FORM_DEPTH else ():
        props = branch.get("properties")
        for key, sub in props.items() if isinstance(props, dict) else ():
            needed = key in (branch.get("required") or ())
            below = _fields(doc, sub, depth + 1)
            out += [((key, *rest), needed and deeper) for rest, deeper in below] or [((key,), needed)]
    return out


def _spelled_under(name: str, base: str) -> bool:
    path = form_name(name)
    return len(path) > 1 and path[0] == base


def _place(doc: Mapping[str, Any], schema: Any, path: tuple[str, ...]) -> Any:
    """The schema at ``path`` (``("age", "gte")``, ``("0",)``) in a deepObject parameter's schema: named
    properties, array items, a map's values, down any branch of a union; None where nothing says."""
    node = schema
    for segment in path:
        node = next((step for branch in branches(node, doc) if (step := _step(branch, segment)) is not None), None)
        if node is None:
            return None
    return node


def _step(node: Mapping[str, Any], segment: str) -> Any:
    if is_index(segment) and isinstance(node.get("items"), dict):
        return node["items"]
    props = node.get("properties")
    if isinstance(props, dict) and segment in props:
        return props[segment]
    extra = node.get("additionalProperties")
    return extra if isinstance(extra, dict) else None


def _repeats(ctx: _Ctx, b: Mapping[str, Any], h: Mapping[str, Any], where: str) -> tuple[Any, Any]:
    """A query parameter that became a list of repeated keys (``?id=a&id=b``), or stopped being one: the
    same request for one value, so no type change. A learned spec says "a list" once a sample repeated the
    key, and a value alone until then: "we now know more" (or less), never "the API changed". Their values
    are compared item for item."""
    before, after = resolve(ctx.base, b.get("schema")), resolve(ctx.head, h.get("schema"))
    listed = (_repeated(b, before), _repeated(h, after))
    if listed == (False, True) and _scalar(before):
        ctx.here("parameter-now-repeated", where)
        return before, after.get("items")
    if listed == (True, False) and _scalar(after):
        ctx.here("parameter-no-longer-repeated", where)
        return before.get("items"), after
    return b.get("schema"), h.get("schema")


def _repeated(param: Mapping[str, Any], schema: Any) -> bool:
    """An array sent as repeated keys: style form (the default of a query parameter), exploded."""
    return (isinstance(schema, dict) and schema.get("type") == "array" and isinstance(schema.get("items"), dict)
            and param.get("style", "form") == "form" and param.get("explode", True) is True)


def _scalar(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("type") in ("string", "integer", "number", "boolean")


def _content(doc: Mapping[str, Any], node: Any) -> dict[str, Any]:
    content = resolve(doc, node).get("content")
    if not isinstance(content, dict):
        return {}
    return {str(k).split(";", 1)[0].strip().lower(): v for k, v in content.items()}


def _request_body(ctx: _Ctx, b_raw: Any, h_raw: Any) -> None:
    if b_raw is None and h_raw is None:
        return
    b, h = resolve(ctx.base, b_raw), resolve(ctx.head, h_raw)
    if b_raw is None:
        ctx.here("request-body-now-required" if h.get("required") else "request-body-added", "request body")
        return
    if h_raw is None:
        ctx.here("request-body-removed", "request body")
        return
    if h.get("required") and not b.get("required"):
        ctx.here("request-body-now-required", "request body")
    elif b.get("required") and not h.get("required"):
        ctx.here("request-body-now-optional", "request body")
    _contents(ctx, b, h, "request", "request body")


def _contents(ctx: _Ctx, b: Mapping[str, Any], h: Mapping[str, Any], side: str, where: str) -> None:
    """The media types of a request body or response: added, removed, or their schemas compared."""
    bc, hc = _content(ctx.base, b), _content(ctx.head, h)
    for mt in sorted(bc.keys() | hc.keys()):
        if mt not in hc and _ranged(mt, hc):
            continue  # still documented, under the range (a body without Content-Type: `*/*`, http.py)
        if mt not in hc:
            ctx.here(f"{side}-media-type-removed", f"{where} {mt}")
        elif mt not in bc:
            ctx.here(f"{side}-media-type-added", f"{where} {mt}")
        elif side == "request" and mt.startswith("multipart/") and _parts_told(ctx, bc[mt], hc[mt], f"{where} {mt}"):
            continue
        else:
            ctx.text = side == "request" and mt in TEXT_FORMS  # a form's field values are text, as a query's
            try:
                _schema(ctx, _media_schema(bc[mt]), _media_schema(hc[mt]), side, f"{where} {mt}")
            finally:
                ctx.text = False


# request bodies whose fields go on the wire as text (integer -> string there is widened: _covers)
TEXT_FORMS: Final = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def _ranged(mt: str, content: Mapping[str, Any]) -> bool:
    """Whether a media range of ``content`` (``*/*``, ``image/*``) covers ``mt``: a type it lists no more
    is one it still documents (its range is said, added)."""
    return "/" in mt and not mt.endswith("/*") and ("*/*" in content or f"{mt.split('/', 1)[0]}/*" in content)


def _parts_told(ctx: _Ctx, b: Any, h: Any, where: str) -> bool:
    """A multipart body written as one binary string on one side and as its parts on the other: a spec
    learned before specbuild read the parts, or a person's that does not list them; the bytes a client sends
    are the same, so that is said (info) and the schemas are not compared. False where neither is so."""
    b_binary, h_binary = _binary(resolve(ctx.base, _media_schema(b))), _binary(resolve(ctx.head, _media_schema(h)))
    if b_binary == h_binary:
        return False
    ctx.here("request-body-now-parts" if b_binary else "request-body-no-longer-parts", where)
    return True


def _binary(schema: Any) -> bool:
    """Whether a schema is one binary string (``{type: string, format: binary}``), no parts."""
    return isinstance(schema, dict) and schema.get("type") == "string" and schema.get("format") == "binary"


def _media_schema(media: Any) -> Any:
    return media.get("schema") if isinstance(media, dict) else None


def _responses(ctx: _Ctx, b: Mapping[str, Any], h: Mapping[str, Any]) -> None:
    bs, hs = _stated(ctx.base, b), _stated(ctx.head, h)
    for code in sorted(bs.keys() | hs.keys()):
        label = code.lower() if code == "DEFAULT" else code
        if code not in hs:
            ctx.here("response-status-removed", f"response {label}", proven=_gone(ctx, code, bs, hs))
            continue
        if code not in bs:
            added = "default" if code == "DEFAULT" else status_class(code)
            ctx.here(f"response-{added}-added", f"response {label}")
            continue
        br, hr = resolve(ctx.base, bs[code]), resolve(ctx.head, hs[code])
        ctx.calls = _route_calls(ctx, br, hr)
        ctx.answered = (seen_of(br), seen_of(hr)) if ctx.calls is None else ctx.calls
        try:
            _contents(ctx, br, hr, "response", f"response {label}")
        finally:
            ctx.answered, ctx.calls = (None, None), None
        bh = {k.lower() for k in br.get("headers") or {}}
        hh = {k.lower() for k in hr.get("headers") or {}}
        for name in sorted(bh - hh):
            ctx.here("response-header-removed", f"response {label} header {name}")
        for name in sorted(hh - bh):
            ctx.here("response-header-added", f"response {label} header {name}")


def _route_calls(ctx: _Ctx, br: Mapping[str, Any], hr: Mapping[str, Any]) -> tuple[int, int] | None:
    """A route's response (both sides' operations take nothing but the route) whose calls are its body's
    evidence on both sides (evidence.route_bodies): the calls, base and head; else None."""
    if not ctx.route:
        return None
    b = route_bodies(count_of(br, CALLS), len(_content(ctx.base, br)), br.get(BODY_OPTIONAL) is True)
    h = route_bodies(count_of(hr, CALLS), len(_content(ctx.head, hr)), hr.get(BODY_OPTIONAL) is True)
    return None if b is None or h is None else (b, h)


def _gone(ctx: _Ctx, code: str, bs: Mapping[str, Any], hs: Mapping[str, Any]) -> bool:
    """A success the base's evidence shows the operation answering, where the head's shows it answering
    nothing but errors (a route removed), beyond chance: both learned, each response saying how many
    distinct requests it answered (``x-specbuild-seen``). Another success in the head (a 200 where a PUT
    once created, a 304 to a conditional GET) is no success gone."""
    if not code.startswith("2") or any(c[:1] in ("2", "3") for c in hs):
        return False  # an error no longer seen is the clients' doing as often as the API's
    before, now = _seen(ctx, bs, hs)
    if any(n is None for _, n in before) or None in now:
        return False
    _, answered, total = successes((c, n) for c, n in before if n is not None)
    if gone(answered, total, sum(n for n in now if n is not None), ctx.tests):
        return True
    # a route without parameters: weighed on its calls (evidence.route_gone), where both sides count them
    if not ctx.route:
        return False
    was = [(c, n) for c, r in bs.items() if (n := calls_of(resolve(ctx.base, r))) is not None]
    new = [(c, n) for c, r in hs.items() if (n := calls_of(resolve(ctx.head, r))) is not None]
    return route_gone(was, new, ctx.tests)


def _asked(ctx: _Ctx, b: _Op, h: _Op) -> tuple[int, int, int]:
    """The distinct requests the base's successes answered, all the base's responses answered and the head's
    answered, of one operation (each response's ``x-specbuild-seen``; 0 where a side is not learned): what
    :func:`_gone` weighs, for counting the operations asked."""
    before, now = _seen(ctx, _stated(ctx.base, b.op.get("responses") or {}),
                        _stated(ctx.head, h.op.get("responses") or {}))
    _, answered, total = successes((c, n) for c, n in before if n is not None)
    return answered, total, sum(n for n in now if n is not None)


def _seen(ctx: _Ctx, bs: Mapping[str, Any], hs: Mapping[str, Any]) -> tuple[list[tuple[str, int | None]],
                                                                            list[int | None]]:
    """The distinct requests each stated response answered (``x-specbuild-seen``, None where it says none):
    the base's by code, the head's. A 429 or 503 is the server not answering then (evidence.NOT_NOW):
    counted on neither side."""
    return ([(c, seen_of(resolve(ctx.base, r))) for c, r in bs.items() if c not in NOT_NOW],
            [seen_of(resolve(ctx.head, r)) for c, r in hs.items() if c not in NOT_NOW])


def _stated(doc: Mapping[str, Any], responses: Mapping[str, Any]) -> dict[str, Any]:
    """The responses a spec states, by upper-case code: not those a learner inferred (``INFERRED``), so
    a spec learned from a shorter window, whose operations are thinner, does not read as new statuses."""
    return {str(k).upper(): v for k, v in responses.items() if not resolve(doc, v).get(INFERRED)}


def _security(ctx: _Ctx, b: Any, h: Any, moved: set[str] | frozenset[str] = frozenset()) -> None:
    """``moved``: credential headers one side documents as parameters (the ways to call that the other's
    schemes for them stand for, and the call "without credentials" it made of them, are no change)."""
    bs, hs = _alternatives(ctx.base, b), _alternatives(ctx.head, h)
    for key in sorted(bs.keys() - hs.keys(), key=lambda k: (bs[k], sorted(k))):
        if not (moved and (not key or _headers_only(key, moved))):
            ctx.here("security-alternative-removed", "security", "", bs[key])
    for key in sorted(hs.keys() - bs.keys(), key=lambda k: (hs[k], sorted(k))):
        if not (moved and (not key or _headers_only(key, moved))):
            ctx.here("security-alternative-added", "security", "", hs[key])


def _headers_only(alternative: frozenset[str], headers: set[str] | frozenset[str]) -> bool:
    """Whether every scheme of ``alternative`` (canonical definitions: :func:`_scheme`) is an API key in one of
    ``headers``."""
    for scheme in alternative:
        try:
            definition = orjson.loads(scheme)
        except orjson.JSONDecodeError:
            return False  # an undefined scheme, known by its name only
        if not (isinstance(definition, dict) and definition.get("type") == "apiKey" and definition.get("in") == "header"
                and str(definition.get("name", "")).lower() in headers):
            return False
    return True


def _header_schemes(doc: Mapping[str, Any], requirements: Any) -> set[str]:
    """The header names (lower case) of the API key schemes ``requirements`` name."""
    schemes = (doc.get("components") or {}).get("securitySchemes") or {}
    out: set[str] = set()
    for requirement in requirements if isinstance(requirements, list) else ():
        for name in requirement if isinstance(requirement, dict) else ():
            scheme = resolve(doc, schemes.get(name))
            if scheme.get("type") == "apiKey" and scheme.get("in") == "header" and isinstance(scheme.get("name"), str):
                out.add(scheme["name"].lower())
    return out


def _alternatives(doc: Mapping[str, Any], requirements: Any) -> dict[frozenset[str], str]:
    """Each way to authenticate, keyed by what its schemes are, to how the spec names it.

    A scheme is its definition, not its name: ``apiKey`` renamed ``ApiKeyAuth`` with the same
    definition asks a client for the same credential, so it is no change.
    """
    if not isinstance(requirements, list) or not requirements:
        return {frozenset(): "no credentials"}
    schemes = (doc.get("components") or {}).get("securitySchemes") or {}
    out: dict[frozenset[str], str] = {}
    for requirement in requirements:
        if isinstance(requirement, dict):
            key = frozenset(_scheme(doc, schemes.get(name), name) for name in requirement)
            out.setdefault(key, " + ".join(sorted(requirement)) if requirement else "no credentials")
    return out


def _scheme(doc: Mapping[str, Any], definition: Any, name: str) -> str:
    """A scheme's definition as canonical JSON (its description aside); an undefined one, its name."""
    resolved = resolve(doc, definition)
    if not resolved:  # not defined, or a broken $ref: known only by its name
        return f"undefined {name}"
    kept = {k: v for k, v in resolved.items() if k != "description" and not str(k).startswith("x-")}
    return orjson.dumps(kept, option=orjson.OPT_SORT_KEYS, default=str).decode()


# --- schemas, side by side -----------------------------------------------------------------------

def _schema(ctx: _Ctx, b_raw: Any, h_raw: Any, direction: str, where: str, pointer: str = "",
            depth: int = 0, seen: frozenset[tuple[str, str]] = frozenset(), types_done: bool = False,
            ev: _Ev | None = None, optional: bool = False) -> None:
    if b_raw is None or h_raw is None or depth > MAX_DEPTH:
        return
    refs = (_ref(b_raw), _ref(h_raw))
    if refs != ("", ""):
        if refs in seen:
            return  # a recursive schema: this pair is being compared further up
        seen = seen | {refs}
        if ev is None and all(refs):  # (two components: an inline side is its place's own; counted places
            # weigh their own evidence at each place: both compared each time)
            _compared_once(ctx, refs, b_raw, h_raw, direction, where, pointer, depth, seen, types_done, optional)
            return
    _compare(ctx, b_raw, h_raw, refs, direction, where, pointer, depth, seen, types_done, ev, optional)


def _compared_once(ctx: _Ctx, refs: tuple[str, str], b_raw: Any, h_raw: Any, direction: str, where: str,
                   pointer: str, depth: int, seen: frozenset[tuple[str, str]], types_done: bool,
                   optional: bool) -> None:
    """Two components compared once in a place (direction, body, the response's counts): reached again as
    deep or deeper, their changes are said again at the new pointer, not worked out again. A dense graph of
    components (Stripe's: every object refers to many others, each expandable) was walked once per path to
    each pair, exponential in its depth: Stripe's description against itself ran for more than ten minutes."""
    key = (refs, _beside(b_raw), _beside(h_raw), direction, where, types_done, ctx.calls, ctx.answered, ctx.text,
           ctx.empty)
    done = ctx.compared.get(key)
    if done is not None and done[0] <= depth:
        for kind, severity, at, rel, detail, proven in done[1]:
            ctx.changes.append(Change(ctx.label, kind, severity, at, _joined(pointer, rel), detail, proven))
        return
    before = len(ctx.changes)
    _compare(ctx, b_raw, h_raw, refs, direction, where, pointer, depth, seen, types_done, None, optional)
    found = tuple((c.kind, c.severity, c.where, _relative(pointer, c.pointer), c.detail, c.proven)
                  for c in ctx.changes[before:])
    ctx.compared[key] = (depth, found)


def _beside(node: Mapping[str, Any]) -> str:
    """What a ``$ref`` carries beside it (a description, a learned count), as one text: part of its place."""
    return "" if len(node) == 1 else orjson.dumps({k: v for k, v in node.items() if k != "$ref"},
                                                  option=orjson.OPT_SORT_KEYS).decode()


def _relative(base: str, pointer: str) -> str:
    """``pointer`` (at or below ``base``) as what follows ``base``: ``.name``, ``[]``, ``.*``, or ""."""
    if base:
        return pointer[len(base):]
    return pointer if not pointer or pointer.startswith("[") else f".{pointer}"


def _joined(base: str, rel: str) -> str:
    """:func:`_relative` undone at another ``base`` (at the root, ``.name`` is ``name``)."""
    return f"{base}{rel}" if base else rel.removeprefix(".")


def _compare(ctx: _Ctx, b_raw: Any, h_raw: Any, refs: tuple[str, str], direction: str, where: str, pointer: str,
             depth: int, seen: frozenset[tuple[str, str]], types_done: bool, ev: _Ev | None,
             optional: bool) -> None:
    b, h = merge_all_of(b_raw, ctx.base), merge_all_of(h_raw, ctx.head)
    # evidence starts at the first node counted on both sides: a body's root, or below an uncounted one
    # (an anyOf of rows or an object of rows: its branches carry the counts)
    if ev is not None and depth:
        # a $ref property's own count beside it (where the spec writes those) caps its component's pooled one:
        # the component's count is its best-evidenced place's (another place's 587 where this one held 60)
        ev = _capped(ev.at(b_raw, h_raw), b, h) if refs != ("", "") else ev.at(b, h)
        # every learned component has a count (learn/components.py): one without is a person's; and in an older
        # spec, how often a shared one was here is unknown where its parent does not claim it required
        # (drift/presence.py)
        if refs[0] and not ev.uncounted and (seen_of(b) is None or (optional and ctx.shared(refs[0])
                                                                      and not ctx.base_ref_counts)):
            ev = replace(ev, uncounted=True)
    else:
        ev = _Ev.roots(b, h, ctx.calls)
    ctx.ev = ev if direction == "response" else None  # read by here(), for this node's own checks below
    if not types_done:
        _types(ctx, b, h, direction, where, pointer)
    _format(ctx, b, h, direction, where, pointer)
    _enum(ctx, b, h, direction, where, pointer)
    _constraints(ctx, b, h, direction, where, pointer)
    _properties(ctx, b, h, direction, where, pointer, depth, seen, ev)
    _entries(ctx, b, h, direction, where, pointer, depth, seen, ev)
    if isinstance(b.get("items"), dict) and isinstance(h.get("items"), dict):
        _schema(ctx, b["items"], h["items"], direction, where, f"{pointer}[]", depth + 1, seen, ev=ev)
    _branches(ctx, b, h, direction, where, pointer, depth, seen, ev)


def _capped(own: _Ev, b: Any, h: Any) -> _Ev:
    """The evidence at the components ``b`` and ``h`` a ``$ref`` pair leads to, ``own`` the evidence at the
    ``$ref``s (their own counts, else their parents'): no more values than that, on either side."""
    ev = own.at(b, h, components=True)
    return replace(ev, base=min(ev.base, own.base), head=min(ev.head, own.head))


def _ref(node: Any) -> str:
    return node["$ref"] if isinstance(node, dict) and isinstance(node.get("$ref"), str) else ""


def _accepts(doc: Mapping[str, Any], s: Mapping[str, Any], depth: int = 0) -> frozenset[str] | None:
    """The JSON types a schema lets through (``null`` included); None for any."""
    t = s.get("type")
    types: set[str] = set()
    if isinstance(t, str):
        types.add(t)
    elif isinstance(t, list):
        types.update(x for x in t if isinstance(x, str))
    else:
        branches = s.get("anyOf") or s.get("oneOf")
        if not isinstance(branches, list) or depth > 8:
            return None
        for branch in branches:
            sub = _accepts(doc, merge_all_of(branch, doc), depth + 1)
            if sub is None:
                return None
            types |= sub
    if s.get("nullable") is True:
        types.add("null")
    return frozenset(types)


def _covers(outer: frozenset[str] | None, inner: frozenset[str] | None, text: bool = False) -> bool:
    """Whether every value ``inner`` accepts ``outer`` accepts. ``text``: the values are a parameter's,
    sent as text, where a string takes every scalar's spelling (``block=0`` and ``block=0,1``: a
    parameter learned integer from ``0`` and string from both was widened, not changed)."""
    if outer is None:
        return True
    if inner is None:
        return False
    scalar = text and "string" in outer
    return all(t in outer or (t == "integer" and "number" in outer) or (scalar and t in _SCALARS) for t in inner)


_SCALARS: Final = frozenset({"integer", "number", "boolean"})


def _show_types(types: frozenset[str] | None) -> str:
    return "any" if types is None else " or ".join(sorted(types)) or "nothing"


def _types(ctx: _Ctx, b: Mapping[str, Any], h: Mapping[str, Any], direction: str, where: str,
           pointer: str) -> None:
    tb, th = _accepts(ctx.base, b), _accepts(ctx.head, h)
    wider, narrower = _covers(th, tb, ctx.text), _covers(tb, th, ctx.text)
    if wider and narrower:
        return
    change = "widened" if wider else "narrowed" if narrower else "changed"
    ctx.here(f"{direction}-type-{change}", where, pointer, f"{_show_types(tb)} -> {_show_types(th)}")


def _format(ctx: _Ctx, b: Mapping[str, Any], h: Mapping[str, Any], direction: str, where: str,
            pointer: str) -> None:
    fb, fh = b.get("format"), h.get("format")
    # a format absent or natural to its side's type says nothing (double -> int64 with number -> integer:
    # the type change says it)
    if fb == fh or ((fb is None or _natural(b, fb)) and (fh is None or _natural(h, fh))):
        return
    if fb is None:
        ctx.here(f"{direction}-type-narrowed", where, pointer, f"format {fh} added")
    elif fh is None:
        ctx.here(f"{direction}-type-widened", where, pointer, f"format {fb} removed")
    else:
        ctx.here(f"{direction}-type-changed", where, pointer, f"format {fb} -> {fh}")


# int64 on an integer and double on a number name what JSON implementations assume anyway (specbuild
# writes them on every number it learns): adding or dropping one changes nothing for a client.
_NATURAL_FORMATS: Final = {"integer": "int64", "number": "double"}


def _natural(schema: Mapping[str, Any], fmt: str | None) -> bool:
    """Is ``fmt``, on ``schema`` (the side that has it), the natural range of the schema's type?"""
    types = schema.get("type")
    names = [t for t in (types if isinstance(types, list) else [types]) if isinstance(t, str) and t != "null"]
    return len(names) == 1 and _NATURAL_FORMATS.get(names[0]) == fmt


def _enum(ctx: _Ctx, b: Mapping[str, Any], h: Mapping[str, Any], direction: str, where: str,
          pointer: str) -> None:
    eb, eh = b.get("enum"), h.get("enum")
    if not isinstance(eb, list) and not isinstance(eh, list):
        return
    if not isinstance(eb, list):
        ctx.here(f"{direction}-type-narrowed", where, pointer, f"enum added: {_values(eh or [])}")
        return
    if not isinstance(eh, list):
        ctx.here(f"{direction}-type-widened", where, pointer, "enum removed")
        return
    key = _spelled if ctx.text else _json  # a parameter's 1 and "1" are one value on the wire
    kb, kh = {key(v): v for v in eb}, {key(v): v for v in eh}
    removed = [kb[k] for k in sorted(kb.keys() - kh.keys())]
    added = [kh[k] for k in sorted(kh.keys() - kb.keys())]
    if removed:
        ctx.here(f"{direction}-enum-value-removed", where, pointer, f"removed: {_values(removed)}")
    if added:
        ctx.here(f"{direction}-enum-value-added", where, pointer, f"added: {_values(added)}")


def _values(values: list[Any]) -> str:
    shown = ", ".join(_json(v) for v in values[:10])
    return shown + (f", ... ({len(values)} in all)" if len(values) > 10 else "")


def _json(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def _spelled(value: Any) -> str:
    """A parameter's value as the text a client sends: a string as it is, any other value as JSON writes it
    (``1``, ``true``), what a string enum lists for it (see _covers)."""
    return value if isinstance(value, str) else _json(value)


_UPPER: Final = ("maxLength", "maxItems", "maximum", "maxProperties")
_LOWER: Final = ("minLength", "minItems", "minimum", "minProperties")


def _constraints(ctx: _Ctx, b: Mapping[str, Any], h: Mapping[str, Any], direction: str, where: str,
                 pointer: str) -> None:
    for key in (*_UPPER, *_LOWER, "pattern"):
        vb, vh = b.get(key), h.get(key)
        if vb == vh or isinstance(vb, bool) or isinstance(vh, bool):
            continue
        if key == "minLength" and vb is None and ctx.text and not ctx.empty and isinstance(vh, int) \
                and vh <= _shortest_spelling(_accepts(ctx.base, b)):
            continue  # a widened parameter's every old value is sent at least that long: none refused
        if key == "pattern":
            tighter = vh is not None
        elif vb is None or vh is None:
            tighter = vb is None
        else:
            tighter = (vh < vb) if key in _UPPER else (vh > vb)
        kind = "tightened" if tighter else "loosened"
        ctx.here(f"{direction}-constraint-{kind}", where, pointer, f"{key} {_show(vb)} -> {_show(vh)}")


# The fewest characters a parameter's value of each scalar type is sent as: a digit, "true" or "false".
_SPELLED_AT_LEAST: Final = {"integer": 1, "number": 1, "boolean": 4}


def _shortest_spelling(types: frozenset[str] | None) -> int:
    """The shortest text a parameter of ``types`` was sent as (0 when a string, or anything, was allowed)."""
    if not types:
        return 0
    return min(_SPELLED_AT_LEAST.get(t, 0) for t in types)


def _show(value: Any) -> str:
    return "none" if value is None else _json(value)


def _properties(ctx: _Ctx, b: Mapping[str, Any], h: Mapping[str, Any], direction: str, where: str,
                pointer: str, depth: int, seen: frozenset[tuple[str, str]], ev: _Ev | None) -> None:
    """Named properties, side by side. A name one side lacks where the other holds a map (its
    ``additionalProperties``) is no property gone or added: the map's values are what it is held as
    (:func:`_under_map`)."""
    vb, vh = _map_values(b), _map_values(h)
    pb, ph = b.get("properties"), _learned_properties(h, ev, ref_counts(ctx.head))
    pb = {} if pb is None and vb is not None else pb
    ph = {} if ph is None and vh is not None else ph
    if not isinstance(pb, dict) or not isinstance(ph, dict):
        return
    rb, rh = set(b.get("required") or ()), set(h.get("required") or ())
    skip = _never_sent(direction)
    for name in sorted(pb.keys() | ph.keys()):
        here = f"{pointer}.{name}" if pointer else name
        if (name in ph and _flag(ctx.head, ph[name], skip)) or (name in pb and _flag(ctx.base, pb[name], skip)):
            continue
        if name not in ph:
            if vh is not None and _held_among(ctx, pb[name], vh, ev):
                _under_map(ctx, pb[name], vh, direction, where, here, depth, seen, ev)
            else:
                _removed(ctx, direction, where, here, name in rb, ev,
                         in_every(pb[name], ctx.base_ref_counts) and ev is not None and not ev.uncounted)
            continue
        if name not in pb:
            if vb is not None:
                _under_map(ctx, vb, ph[name], direction, where, here, depth, seen, ev)
            elif direction == "request" and name in rh:
                ctx.here("request-required-property-added", where, here)
            else:
                ctx.here(f"{direction}-property-added", where, here)
            continue
        if name in rh and name not in rb:
            ctx.here(f"{direction}-property-now-required", where, here)
        elif name in rb and name not in rh:
            _now_optional(ctx, direction, where, here, ph[name], ev, pb[name])
        _schema(ctx, pb[name], ph[name], direction, where, here, depth + 1, seen, ev=ev, optional=name not in rb)


def _under_map(ctx: _Ctx, b: Any, h: Any, direction: str, where: str, here: str, depth: int,
               seen: frozenset[tuple[str, str]], ev: _Ev | None) -> None:
    """A property one side names and the other holds among a map's keys: compared with the map's values.
    Not between two learned specs (counts on both sides): the map's values were counted at every key, and
    say nothing of this one (a ``note`` seen twice beside keys whose 120 values are integers); the learner
    only judged the keys to vary, which :func:`_entries` reports."""
    if ev is None or ev.uncounted:
        _schema(ctx, b, h, direction, where, here, depth + 1, seen, ev=ev)


def _held_among(ctx: _Ctx, prop: Any, values: Any, ev: _Ev | None) -> bool:
    """Whether the head may hold the base's property ``prop`` among its map's keys (``values``, the map's
    values). Between two learned specs it cannot where no value of the property's types is among the
    map's values: a learner that met the key, in any object, merged its value there (Pushgateway's
    ``last_push_successful``, a boolean, beside metric groups' objects). Then the name is in no object of the
    head, and gone as a property beside no map is (:func:`_removed`)."""
    if ev is None or ev.uncounted:
        return True  # a person's map: its keys are anyone's
    named, held = _accepts(ctx.base, merge_all_of(prop, ctx.base)), _accepts(ctx.head, merge_all_of(values, ctx.head))
    if named is None or held is None or not named:
        return True
    return not named.isdisjoint(held) or ("integer" in named and "number" in held) \
        or ("number" in named and "integer" in held)


def _entries(ctx: _Ctx, b: Mapping[str, Any], h: Mapping[str, Any], direction: str, where: str,
             pointer: str, depth: int, seen: frozenset[tuple[str, str]], ev: _Ev | None) -> None:
    """A map's values (``additionalProperties``) compared as any value is, at ``labels.*``. An object whose
    named properties became a map's free keys, or back, is a change of its own (its properties are compared
    with the map's values by :func:`_properties`). Two learned specs make that flip when the second sample
    showed the keys vary (ids, user-chosen names): the base's names were never promised beyond their
    evidence, which no map can overturn."""
    vb, vh = _map_values(b), _map_values(h)
    if vb is not None and vh is not None:
        _schema(ctx, vb, vh, direction, where, f"{pointer}.*" if pointer else "*", depth + 1, seen, ev=ev)
    skip = _never_sent(direction)
    named_b, named_h = _travelling(ctx.base, b, skip), _travelling(ctx.head, h, skip)
    if vh is not None and named_b and not named_h:
        kind = f"{direction}-object-now-map"
        if direction == "response" and ev is not None and not ev.uncounted:
            kind = "response-object-map-unproven"
        ctx.here(kind, where, pointer, f"{_names(named_b)} -> any key")
    elif vb is not None and named_h and not named_b:
        ctx.here(f"{direction}-map-now-object", where, pointer, f"any key -> {_names(named_h)}")
    closed_b, closed_h = b.get("additionalProperties") is False, h.get("additionalProperties") is False
    if closed_b != closed_h and _object_like(b) and _object_like(h):  # ``additionalProperties: false`` set or lifted
        ctx.here(f"{direction}-object-now-{'closed' if closed_h else 'open'}", where, pointer,
                 "no key beyond the named properties" if closed_h else "keys beyond the named properties too")


def _object_like(schema: Mapping[str, Any]) -> bool:
    """An object's schema: its ``type`` says so, or it names properties (a person may leave the type out)."""
    return _object_type(schema.get("type")) or ("type" not in schema and "properties" in schema)


def _map_values(schema: Mapping[str, Any]) -> Any:
    """The schema of a map's values (``additionalProperties``; ``true``: any value), else None."""
    extra = schema.get("additionalProperties")
    return {} if extra is True else extra if isinstance(extra, dict) else None


def _never_sent(direction: str) -> str:
    """The flag of a property that never travels this way: readOnly in a request, writeOnly in a response."""
    return "readOnly" if direction == "request" else "writeOnly"


def _travelling(doc: Mapping[str, Any], schema: Mapping[str, Any], skip: str) -> list[str]:
    """The names ``schema`` gives properties that travel this way (``skip``: readOnly in a request)."""
    props = schema.get("properties")
    return [name for name, prop in props.items() if not _flag(doc, prop, skip)] if isinstance(props, dict) else []


def _names(props: list[str]) -> str:
    names = sorted(props)
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f"properties {shown}"


def _learned_properties(schema: Mapping[str, Any], ev: _Ev | None, learned: bool = False) -> Any:
    """A schema's ``properties``; none at all for a learned object seen only empty (``{}``: its
    ``type`` and count, nothing else), where every property of the other side is absent. An object in every
    one of its parent's has no count of its own: in a spec that says it is learned (``learned``,
    evidence.ref_counts) its ``{"type": "object"}`` was seen empty all the same (a person writes one for any)."""
    if "properties" not in schema and ev is not None and _object_type(schema.get("type")) \
            and "additionalProperties" not in schema and (learned or seen_of(schema) is not None):
        return {}
    return schema.get("properties")


def _removed(ctx: _Ctx, direction: str, where: str, here: str, required: bool, ev: _Ev | None,
             always: bool = False) -> None:
    """A property gone: with counts on both sides, a response property the base saw in every object
    (``required``; or ``always``: no claim, too few requests to make one, :func:`evidence.in_every`),
    absent from every object of the head, is a proven removal when the counts outweigh chance, else "we
    know more". Counts are capped by each response's own (a shared component's are another place's)."""
    if direction != "response" or ev is None or not (required or always):
        ctx.here(f"{direction}-property-removed", where, here)
        return
    if required:
        base, head = _answered(ev.base, ev.head, ctx.answered)
    else:  # no claim: weighed on the bodies that reached the place, and on enough of them
        base, head = _answered(ev.base_bodies, ev.head_bodies, ctx.answered)
    if (required or base >= GONE_MIN_WITNESSES) and overturned(base, head, head):
        ctx.here("response-property-removed", where, here,
                 f"in every one of {base} objects before, in none of {head} now", proven=True)
    elif required:
        ctx.here("response-required-unproven", where, here, f"absent from all {head} objects now")
    else:
        ctx.here("response-property-removed", where, here)


def _answered(base: int, head: int, answered: tuple[int | None, int | None]) -> tuple[int, int]:
    """``base`` and ``head`` capped by the distinct requests each side's response answered (when known)."""
    b, h = answered
    return (base if b is None else min(base, b)), (head if h is None else min(head, h))


def _now_optional(ctx: _Ctx, direction: str, where: str, here: str, head_prop: Any, ev: _Ev | None,
                  base_prop: Any = None) -> None:
    """A required property now optional: with counts, a change only when its absences outweigh chance."""
    if direction != "response" or ev is None:
        ctx.here(f"{direction}-property-now-optional", where, here)
        return
    if ev.route:
        return  # a route's calls, some without it: the one thing it answers about, for a while (_Ev.route)
    present = min(seen_of(head_prop) or ev.head, ev.head)
    absent = ev.head - present
    if absent <= 0:
        return  # present in every object the head saw: too few to say required, no sign of a change
    detail = f"absent from {absent} of {ev.head} objects (from none of {ev.base} before)"
    if _null_object(resolve(ctx.head, head_prop)):
        # its count is of its objects, not of the answers that held it (a null is no object, no absence); but
        # a component shared by several places is nullable where any of them held a null: here, nulls or
        # absences, the head cannot say, and where the base saw no null there either something changed
        # (review22; a base that saw nulls too, GitHub's head_commit, stays quiet)
        ref = head_prop.get("$ref") if isinstance(head_prop, Mapping) else None
        if isinstance(ref, str) and ctx.head_shared(ref) and not _null_object(resolve(ctx.base, base_prop)):
            ctx.here("response-required-unproven", where, here, f"absent or null in {absent} of {ev.head} objects")
        return
    if overturned(ev.base, ev.head, absent):
        ctx.here("response-property-now-optional", where, here, detail, proven=True)
    else:
        ctx.here("response-required-unproven", where, here, detail)


def _object_type(t: Any) -> bool:
    """``type`` says an object: 3.0's ``object``, or 3.1's ``["object", "null"]`` (a nullable one, as 3.0's
    ``nullable`` beside ``object`` says; review22)."""
    return t == "object" or (isinstance(t, list) and "object" in t and set(t) <= {"object", "null"})


def _null_object(schema: Mapping[str, Any]) -> bool:
    """A learned object that may be null (3.0's ``nullable``, 3.1's type list): its ``x-specbuild-seen`` counts
    the objects seen, not the nulls beside them (learn/schema.py)."""
    t = schema.get("type")
    if isinstance(t, list):
        return "null" in t and "object" in t
    return t == "object" and schema.get("nullable") is True


def _flag(doc: Mapping[str, Any], schema: Any, flag: str) -> bool:
    return resolve(doc, schema).get(flag) is True


def _branches(ctx: _Ctx, b: Mapping[str, Any], h: Mapping[str, Any], direction: str, where: str,
              pointer: str, depth: int, seen: frozenset[tuple[str, str]], ev: _Ev | None) -> None:
    """anyOf/oneOf: compare the alternatives that stand for the same type, one with the other."""
    bb, hb = _alternatives_of(b), _alternatives_of(h)
    if bb is None and hb is None:
        return
    by_b = _by_type(ctx.base, bb if bb is not None else [b])
    by_h = _by_type(ctx.head, hb if hb is not None else [h])
    for t in sorted(by_b.keys() & by_h.keys()):
        _schema(ctx, by_b[t], by_h[t], direction, where, pointer, depth + 1, seen, types_done=True, ev=ev)


def _alternatives_of(s: Mapping[str, Any]) -> list[Any] | None:
    branches = s.get("anyOf") or s.get("oneOf")
    return branches if isinstance(branches, list) and "type" not in s else None


def _by_type(doc: Mapping[str, Any], branches: list[Any]) -> dict[str, Any]:
    """Alternatives that let exactly one non-null type through, by that type."""
    out: dict[str, Any] = {}
    for branch in branches:
        types = _accepts(doc, merge_all_of(branch, doc))
        if types is None:
            continue
        real = sorted(types - {"null"})
        if len(real) == 1 and real[0] not in out:
            out[real[0]] = branch
    return out
