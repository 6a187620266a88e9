"""Traffic against a spec: every exchange matched to an operation and checked; pure.

``Checker(spec).add(exchange)`` for each exchange, then ``findings()``; or ``check(spec, exchanges)``.
Findings are grouped by (operation, kind): a count of the exchanges that show it, the distinct places
(*subjects*: a body property, a parameter, a status) and one redacted example. The example is the
smallest by content, so the output does not depend on record order (only the example's ``origin``,
``file:line``, moves when the lines themselves move).

The kinds of finding and their severities are one registry: :mod:`specbuild.drift.kinds`.

A HEAD request is checked against the GET operation of its path (HTTP makes HEAD a GET without a
body), and a browser's CORS preflight (OPTIONS with ``Access-Control-Request-Method``) is not API
traffic: it is counted, never checked.

"And accepted": the request side is judged only when the server accepted the request (a status
below 400) or failed on it (5xx); a 4xx answer to a request the spec forbids is the API agreeing
with its spec. Likewise an undocumented path or method answered with 404, 405 or 501 is no finding.
Examples never carry a header value, a cookie, a credential or a token: header values are hidden,
undocumented query parameters are named without their value, values under names like ``password``
or ``token`` and values shaped like credentials (``Bearer ...``, JWTs, well-known key prefixes) are
redacted, and long values are cut.
"""

from __future__ import annotations

import bisect
import re
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from typing import Any, Final, Protocol

import orjson

from specbuild import multipart
from specbuild.drift.conformance import Conformance
from specbuild.drift.evidence import (
    MAX_COUNTED,
    NOT_NOW,
    ROUTE_MIN_CALLS,
    gone,
    gone_tests,
    overturned,
    route_bodies,
    route_gone,
    seen_along,
    seen_at,
    successes,
)
from specbuild.drift.forms import deep_value, form_value, param_values, types_at
from specbuild.drift.kinds import RANK, status_class
from specbuild.drift.kinds import TRAFFIC_KINDS as KINDS
from specbuild.drift.presence import NO_EXCHANGE, ExchangeKey, Presence, shared_refs, watched
from specbuild.drift.routes import Operation, Param, Response, Router, operation, pick_media
from specbuild.envelope import sniffed_json, unwrap_exchange
from specbuild.errors import InputError
from specbuild.http import HeaderPolicy, cors_preflight, secret_name, secret_value
from specbuild.records import Body, Exchange, form_name, serves_files
from specbuild.refs import dangling, self_contained, server_base_paths
from specbuild.segments import classify_segment

# A learned claim broken (kind without its side) -> the kind when its evidence was too thin to call it
# a change (drift/evidence.py).
REFINED: Final = {"missing-required": "required-refined", "type-mismatch": "type-refined",
                  "enum-violation": "enum-refined", "format-violation": "format-refined",
                  "media-type": "media-type-refined", "body-missing": "body-optional-refined"}
EMPTY: Final = "empty"  # _checked's side for a response without a body (weighed with those checked: _judged)
ROUTED: Final = "routed"  # _checked's side for the bodies a route's calls are the evidence of (_judged)
ABSENT_STATUSES: Final = frozenset({404, 405, 501})   # the server agrees: no such path or method
NO_CONTENT_STATUSES: Final = frozenset({204, 205, 304})
MAX_SUBJECTS: Final = 20
MAX_ERRORS_PER_BODY: Final = 50
MAX_REMEMBERED: Final = 1 << 16  # parameter verdicts and header decisions kept; memory stays bounded
MAX_REMEMBERED_TEXT: Final = 1024  # a deepObject query's verdict is kept when its names and values are this short
_NOT_NOW: Final = frozenset(int(code) for code in NOT_NOW)  # the statuses, as Exchange.status holds them


@dataclass(frozen=True, slots=True, order=True)
class Example:
    """One occurrence, redacted: what was sent, where in it, what the spec expected, what was seen."""

    request: str     # "GET /users/8c1f0a52-..." (never the query string)
    status: int
    location: str    # "response body", "query parameter", "header", "status", "path"
    pointer: str     # "items[0].age" in a body, the parameter name, or ""
    expected: str
    seen: str
    origin: str      # "rec.jsonl:42"


@dataclass(frozen=True, slots=True)
class Finding:
    operation: str   # "GET /users/{userId}"; for an undocumented path, its shape: "GET /widgets/{integer}"
    kind: str
    severity: str
    count: int       # exchanges that show it
    subjects: tuple[str, ...]  # distinct places, the first MAX_SUBJECTS in sorted order
    more_subjects: bool
    example: Example


@dataclass(slots=True)
class CheckStats:
    exchanges: int = 0
    matched: int = 0          # exchanges that matched a documented operation
    bodies_checked: int = 0
    bodies_unchecked: int = 0  # too large, binary, or declared JSON and not

    def merge(self, other: CheckStats) -> None:
        self.exchanges += other.exchanges
        self.matched += other.matched
        self.bodies_checked += other.bodies_checked
        self.bodies_unchecked += other.bodies_unchecked


@dataclass(slots=True)
class _Group:
    count: int = 0
    seq: int = -1
    subjects: list[str] = field(default_factory=list)
    more: bool = False
    example: Example | None = None
    key: tuple[Any, ...] = ()
    claims: int = -1  # the most evidence behind a learned claim it broke; 0: a claim without any; -1: none yet
    route: bool = False  # some of it a route's calls (evidence.route_bodies): a change only if every call broke it

    def claim(self, evidence: int | None) -> None:
        self.claims = 0 if evidence is None or self.claims == 0 else max(self.claims, evidence)

    def add_subject(self, subject: str) -> None:
        subjects = self.subjects
        i = bisect.bisect_left(subjects, subject)
        if i < len(subjects) and subjects[i] == subject:
            return
        if len(subjects) >= MAX_SUBJECTS:
            self.more = True
            if i >= MAX_SUBJECTS:
                return
            subjects.pop()
        subjects.insert(i, subject)

    def offer(self, key: tuple[Any, ...], example: Example) -> None:
        if self.example is None or key < self.key:
            self.example, self.key = example, key

    def merge(self, other: _Group) -> None:
        self.count += other.count
        if other.claims != -1:
            self.claim(other.claims or None)
        self.more = self.more or other.more
        self.route = self.route or other.route
        for s in other.subjects:
            self.add_subject(s)
        if other.example is not None:
            self.offer(other.key, other.example)


@dataclass(slots=True)
class Answers:
    """What one operation of a learned spec (its responses counted) answered in the traffic: the distinct
    requests per status (stable hashes, at most ``MAX_COUNTED`` each: only the number matters, and past
    that many the test of a status gone has all the evidence it needs), and the smallest example."""

    # the operation's stated responses and the distinct requests each answered in the learned traffic
    stated: tuple[tuple[str, int], ...] = ()
    by_status: dict[int, set[int]] = field(default_factory=dict)
    # the smallest exchange: redacted only when a finding shows it
    example: ExchangeKey = NO_EXCHANGE
    # nothing can be gone (a success answered, or none stated): no more is counted, most operations soon
    settled: bool = False
    # a route without parameters: its stated calls by status (evidence.route_gone), and the traffic's calls;
    # None once a call named more than the route (a query, a body): its refusals may be of what it named
    route: tuple[tuple[str, int], ...] | None = None
    calls: Counter[int] = field(default_factory=Counter)
    # exchanges of the operation, settled or not: at least its distinct requests, where a settled one no
    # longer counts them (evidence.gone_tests asks how low its test could have gone)
    exchanges: int = 0

    def settle(self) -> None:
        self.settled = True
        self.by_status.clear()
        self.calls.clear()

    def unroute(self) -> None:
        """A call named more than its route (a query, a body): no call of the operation is weighed as the
        route's (a 404 to ``?email=b`` is ``b`` not found)."""
        self.route = None
        self.calls.clear()

    def add(self, status: int, request: int) -> None:
        seen = self.by_status.get(status)
        if seen is None:
            seen = self.by_status[status] = set()
        if len(seen) < MAX_COUNTED:
            seen.add(request)

    def merge(self, other: Answers) -> None:
        self.exchanges += other.exchanges
        if self.settled or other.settled:
            self.settle()
            return
        if other.route is None:  # a share saw a call that named more than the route: none is weighed
            self.unroute()
        elif self.route is not None:
            self.calls.update(other.calls)
        for status, requests in other.by_status.items():
            mine = self.by_status.setdefault(status, set())
            mine.update(requests)
            if len(mine) > MAX_COUNTED:  # a bound, not a sample: the count reads min(len, MAX_COUNTED)
                self.by_status[status] = set(sorted(mine)[:MAX_COUNTED])
        self.example = min(self.example, other.example)

    def requests(self) -> int:
        """Distinct requests answered, any status (at most MAX_COUNTED: enough for the test either way)."""
        return min(MAX_COUNTED, len(set().union(*self.by_status.values())))


@dataclass(slots=True)
class CheckState:
    groups: dict[tuple[str, str], _Group]
    stats: CheckStats
    checked: dict[tuple[str, str], int]  # (operation, side) -> bodies checked
    answers: dict[str, Answers] = field(default_factory=dict)  # operation -> what the traffic answered
    # (operation, status, media type documented) -> the learned response's properties in every object,
    # followed (None: none)
    presence: dict[tuple[str, int, str], Presence | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BodyError:
    """One way a value does not fit its schema: where (``items[0].id``), the rule, and a short message."""

    where: str
    keyword: str
    message: str
    expected: Any = None
    path: tuple[str | int, ...] = ()  # ``where`` as keys and indexes
    # the rule's place in the schema (keywords, names and branch indexes, refs followed): which branch of
    # a union the value was judged by, for the evidence (evidence.seen_along); () when not known
    schema_path: tuple[str | int, ...] = ()


class BodyExplainer(Protocol):
    """Says why a value does not fit a schema (jsonschema's errors, from the caller: this module stays pure)."""

    def errors(self, value: Any) -> Iterator[BodyError]: ...


# (schema, openapi version) -> explainer: ``specbuild.io.validate.BodyValidator`` is the one we use.
ExplainerFactory = Callable[[Mapping[str, Any], str], BodyExplainer]


@dataclass(slots=True)
class _BodyCheck:
    """A compiled schema (the fast filter) and, built only when something is wrong, its validator."""

    schema: Mapping[str, Any]
    conformance: Conformance
    openapi: str
    explain: ExplainerFactory
    _validator: BodyExplainer | None = None

    def errors(self, value: Any) -> list[BodyError]:
        if self._validator is None:
            self._validator = self.explain(self.schema, self.openapi)
        return list(islice(self._validator.errors(value), MAX_ERRORS_PER_BODY))


class Checker:
    """Checks exchanges against one OpenAPI document (already validated by the caller)."""

    def __init__(self, spec: Mapping[str, Any], *, explain: ExplainerFactory,
                 headers: HeaderPolicy | None = None) -> None:
        self.spec = spec
        self.explain = explain
        self.openapi = str(spec.get("openapi", "3.0"))[:3]
        self.router = Router(spec.get("paths") or {}, server_base_paths(spec))
        self.policy = headers or HeaderPolicy()
        self.stats = CheckStats()
        self._ops: dict[tuple[str, str], Operation | None] = {}
        self._bodies: dict[tuple[int, str], tuple[Any, _BodyCheck]] = {}
        self._api_headers: dict[str, bool] = {}
        self._param_ok: dict[tuple[int, str] | None, bool] = {}
        self._deep_ok: dict[tuple[int, tuple[tuple[str, ...], ...]], bool] = {}  # deepObject queries
        self._media: dict[tuple[int, str | None, str], _BodyCheck] = {}
        self._groups: dict[tuple[str, str], _Group] = {}
        self._checked: Counter[tuple[str, str]] = Counter()
        self._answers: dict[str, Answers] = {}
        self._presence: dict[tuple[str, int, str], Presence | None] = {}
        self._routed: dict[str, bool] = {}  # operation -> a route without parameters (:func:`_route`)
        self._shared: frozenset[str] | None = None  # the spec's $refs made more than once (drift/presence.py)
        self._seq = 0

    # -- the hot path ----------------------------------------------------------------------------
    def add(self, ex: Exchange) -> None:
        self.stats.exchanges += 1
        if ex.method == "POST":  # a tunnelled POST as the method it names, as the learner reads it
            ex = self._served(ex)
        self._seq += 1
        if cors_preflight(ex.method, ex.request_headers):
            return  # a browser's CORS preflight: the server's business, not the API's (nor learned)
        match = self.router.match(ex.path)
        if match is None:
            if ex.status not in ABSENT_STATUSES:
                self._undocumented(ex, "undocumented-path", f"{ex.method} {_shape(ex.path)}")
            return
        op_key = (match.route.template, ex.method)
        if op_key in self._ops:
            op = self._ops[op_key]
        else:
            op = operation(self.spec, match.route, ex.method)
            if op is None and ex.method == "HEAD":  # HTTP: HEAD is GET without the body
                op = operation(self.spec, match.route, "GET")
            self._ops[op_key] = op
        if op is None:
            if ex.status not in ABSENT_STATUSES:
                self._undocumented(ex, "undocumented-method", f"{ex.method} {match.route.template}")
            return
        self.stats.matched += 1
        if op.counted:
            self._answered(op, ex)
        if ex.status < 400 or ex.status >= 500:
            self._check_request(op, match.values, ex)
        response = op.response(ex.status)
        if response is None:
            self._undocumented_status(op, ex)
        else:
            self._check_response(op, response, ex)

    def _answered(self, op: Operation, ex: Exchange) -> None:
        """Note the status a learned operation answered, by distinct request (its target, and its body's
        digest where it sent one: as the learner counted them, learn/witnesses.py). A 429 or a 503 is the
        server not answering then (evidence.NOT_NOW): no evidence either way, counted on neither side."""
        if ex.status in _NOT_NOW:
            return
        answers = self._answers.get(op.key)
        if answers is None:
            stated = tuple((code, r.answered) for code, r in sorted(op.responses.items())
                           if not r.inferred and r.answered is not None)
            answers = self._answers[op.key] = Answers(stated, route=_route(op))
            if not successes(stated)[0]:
                answers.settle()  # no success to lose
        answers.exchanges += 1
        if answers.settled:
            return  # the hot path's usual case: a success seen, nothing can be gone
        if ex.status < 400:  # a success (a 304, a 200 where a 201 was learned): nothing is gone
            answers.settle()
            return
        if ex.method == "HEAD" and not op.key.startswith("HEAD "):
            return  # checked as its GET: an error to it (FastAPI's 405) is about HEAD, not what the GET answers
        if answers.route is not None:
            if ex.request_digest is not None or any(k not in op.credential_query for k, _ in ex.query):
                answers.unroute()
            else:
                answers.calls[ex.status] += 1
        seen = answers.by_status.get(ex.status)
        if seen is None or len(seen) < MAX_COUNTED:  # past that many, only the example can change
            answers.add(ex.status, _request(ex))
        example = (ex.method, ex.path, ex.status, ex.origin)
        if example < answers.example:
            answers.example = example

    def _served(self, ex: Exchange) -> Exchange:
        """A POST that names another method as that method (envelope.py), unless the spec documents only
        the POST on that path (one learned before specbuild read tunnels, or written so): it is checked as
        what the spec says."""
        served = unwrap_exchange(ex, sniff=False)
        if served is ex:
            return ex
        match = self.router.match(ex.path)
        if match is not None and operation(self.spec, match.route, served.method) is None \
                and operation(self.spec, match.route, "POST") is not None:
            return ex
        return served

    def add_all(self, exchanges: Iterable[Exchange]) -> Checker:
        for ex in exchanges:
            self.add(ex)
        return self

    def _check_request(self, op: Operation, values: Sequence[str], ex: Exchange) -> None:
        for param, raw in zip(op.path_params, values, strict=False):
            if param is not None and param.schema is not None:
                self._check_param(op, ex, param, [raw])
        if ex.query or op.required_query:
            self._check_query(op, ex)
        if ex.request_headers or op.required_headers:
            self._check_headers(op, ex)
        body = ex.request_body
        if body.kind == "empty":
            if op.body_required:
                self._report(op.key, "request-body-missing", "request body", ex, "request body", "",
                             "a body", "none")
        elif op.body is None:
            self._report(op.key, "request-body-undocumented", body.media_type or "body", ex, "request body",
                         "", "no body", _a_body(body))
        else:
            self._check_body(op, ex, body, op.body, "request", "request body")

    def _check_query(self, op: Operation, ex: Exchange) -> None:
        arrays: dict[str, list[str]] | None = None
        deep: dict[str, dict[str, list[str]]] | None = None
        verdicts = self._param_ok
        for name, value in ex.query:
            param = op.query.get(name)
            if param is None and "[" in name:  # deepObject (filter[x]) and PHP arrays (ids[])
                param = op.query.get(name.split("[", 1)[0])
                if param is not None and param.deep:
                    path = form_name(name)
                    if path[0] != param.name or len(path) == 1:
                        param = None  # filter[a, filter[]]: not a name the object is spelled by
                    elif param.schema is not None:
                        deep = deep or {}
                        deep.setdefault(param.name, {}).setdefault(name, []).append(value)
                        continue
            if param is None:
                if name not in op.credential_query:
                    self._report(op.key, "undocumented-query-parameter", name, ex, "query parameter", name,
                                 "not declared", "present")
            elif param.schema is None:
                continue
            elif param.array:
                arrays = arrays or {}
                arrays.setdefault(param.name, []).append(value)
            elif verdicts.get((id(param), value)) is not True:
                self._check_param(op, ex, param, [value])
        if arrays:
            for name, raws in arrays.items():
                self._check_param(op, ex, op.query[name], raws)
        if deep:
            for name, form in deep.items():
                self._check_deep(op, ex, op.query[name], form)
        if op.required_query:
            # a deepObject parameter is present by any of its names, a form one named ids[] by its own
            names = {part for name, _ in ex.query for part in (name, name.split("[", 1)[0])}
            for name in op.required_query:
                if name not in names:
                    self._report(op.key, "missing-required-parameter", f"query {name}", ex,
                                 "query parameter", name, "present (required)", "absent")

    def _check_deep(self, op: Operation, ex: Exchange, param: Param, form: dict[str, list[str]]) -> None:
        """A ``deepObject`` parameter's bracketed names read into the object they spell (``filters[venue][$eq]``
        is ``{"venue": {"$eq": ...}}``), each text typed as its place in the schema says, then judged as one
        value: a field the schema does not name passes where the object is open, a wrong type does not."""
        assert param.schema is not None
        # the same few objects come again and again (pagination[page]=1): remember the verdicts, as for
        # plain values, of queries short enough to keep
        names = tuple((name, *texts) for name, texts in form.items())
        key = (id(param), names) if sum(len(t) for n in names for t in n) <= MAX_REMEMBERED_TEXT else None
        if key is not None and self._deep_ok.get(key) is True:
            return
        check = self._compiled(param.schema, "")
        value = deep_value(form, check.schema)
        ok = check.conformance.ok(value)
        if key is not None and len(self._deep_ok) < MAX_REMEMBERED:
            self._deep_ok[key] = ok
        errors = [] if ok else check.errors(value)
        if errors:
            # the field that broke (pagination[page]) and its value, not the whole object
            err = errors[0]
            pointer = param.name + "".join(f"[{step}]" for step in err.path)
            seen = "a value (hidden)" if secret_name(param.name) else _show_at(value, err.where, pointer)
            self._report(op.key, "parameter-violation", f"query {param.name}", ex, "query parameter",
                         pointer, _expected(err), seen)

    def _check_headers(self, op: Operation, ex: Exchange) -> None:
        for name, value in ex.request_headers:
            param = op.headers.get(name)
            if param is not None:
                if param.schema is not None:
                    self._check_param(op, ex, param, [value])
            elif name not in op.credential_headers and self._api_header(name):
                self._report(op.key, "undocumented-header", name, ex, "header", name, "not declared",
                             "present")
        if op.required_headers:
            present = {name for name, _ in ex.request_headers}
            for name in op.required_headers:
                if name not in present:
                    self._report(op.key, "missing-required-parameter", f"header {name}", ex, "header",
                                 name, "present (required)", "absent")

    def _api_header(self, name: str) -> bool:
        known = self._api_headers.get(name)
        if known is None:
            known = self.policy.request(name)
            if len(self._api_headers) < MAX_REMEMBERED:
                self._api_headers[name] = known
        return known

    def _check_param(self, op: Operation, ex: Exchange, param: Param, raws: list[str]) -> None:
        assert param.schema is not None
        # the same few values come again and again (ids aside): remember the verdicts
        key = (id(param), raws[0]) if len(raws) == 1 else None
        ok = self._param_ok.get(key) if key is not None else None
        check = None
        if ok is None:
            check = self._compiled(param.schema, "")
            ok = any(check.conformance.ok(value) for value in param_values(raws, check.schema, param.explode))
            if key is not None and len(self._param_ok) < MAX_REMEMBERED:
                self._param_ok[key] = ok
        if ok:
            return
        check = check or self._compiled(param.schema, "")
        value = param_values(raws, check.schema, param.explode)[0]
        errors = check.errors(value)
        if not errors:
            return
        hidden = param.where == "header" or secret_name(param.name)
        seen = "a value (hidden)" if hidden else show(value)
        self._report(op.key, "parameter-violation", f"{param.where} {param.name}", ex,
                     f"{param.where} parameter", param.name, _expected(errors[0]), seen)

    def _check_response(self, op: Operation, response: Response, ex: Exchange) -> None:
        body = ex.response_body
        if body.kind == "empty":
            if response.content and not response.body_optional and ex.status not in NO_CONTENT_STATUSES \
                    and ex.method != "HEAD":
                # a learned claim too: a body in every distinct request answered so (Azurite's blob of
                # zero bytes, twice in a new sample, is a body that can be empty, not a change)
                self._checked[(op.key, EMPTY)] += 1
                media = ", ".join(response.content)
                self._report(op.key, "response-body-missing", str(ex.status), ex, "response body", "",
                             f"a body ({media})", "none", response.answered)
        elif response.content is None:
            self._report(op.key, "response-body-undocumented", str(ex.status), ex, "response body", "",
                         "no body", _a_body(body))
        else:
            calls = None if response.calls is None else self._route_bodies(op, response)
            self._check_body(op, ex, body, response.content, "response", "response body", response.inferred,
                             response.answered, calls)
            if body.kind == "json" and response.answered is not None:
                self._watch(op, response, ex, body, calls)
        if response.required_headers:
            names = {name for name, _ in ex.response_headers}
            for name in response.required_headers:
                if name not in names:
                    self._report(op.key, "response-header-missing", f"{ex.status} {name}", ex,
                                 "response header", name, "present (required)", "absent")

    def _route_bodies(self, op: Operation, response: Response) -> int | None:
        """The calls of ``op``'s ``response`` where they are its body's evidence (evidence.route_bodies): a
        route without parameters, called with nothing else (:func:`_route`); else None."""
        routed = self._routed.get(op.key)
        if routed is None:
            routed = self._routed[op.key] = _route(op) is not None
        if not routed:
            return None
        return route_bodies(response.calls, len(response.content or ()), response.body_optional)

    def _watch(self, op: Operation, response: Response, ex: Exchange, body: Body, calls: int | None) -> None:
        """Follow the learned properties this response had in every object (drift/presence.py), by the
        media type documented: each has its own schema, and which came first is no matter. ``calls``: a
        route's, where they are the evidence (each call then counts, :func:`_call`)."""
        picked = pick_media(response.content or {}, body.media_type)
        if picked is None:
            return  # a media type the spec does not document: reported, nothing to follow
        key = (op.key, ex.status, picked[0])
        if key in self._presence:
            presence = self._presence[key]
        else:
            schema = picked[1].get("schema") if isinstance(picked[1], dict) else None
            if self._shared is None:
                self._shared = shared_refs(self.spec)
            found = watched(self.spec, schema, response.answered, self._shared, calls) \
                if isinstance(schema, dict) else ()
            presence = self._presence[key] = Presence.of(found) if found else None
        if presence is not None and not presence.settled:
            presence.observe(body.value, _request(ex) if calls is None else _call(ex, self._seq),
                             (ex.method, ex.path, ex.status, ex.origin))

    def _check_body(self, op: Operation, ex: Exchange, body: Body, content: Mapping[str, Any], side: str,
                    location: str, inferred: bool = False, answered: int | None = None,
                    calls: int | None = None) -> None:
        """``answered``: the distinct requests a learner saw answered with this response, the evidence of
        its media types (a type it never saw on 8 requests is "we know more now", on 100 a change).
        ``calls``: a route's calls, where they are its body's evidence (:meth:`_route_bodies`)."""
        key = (id(content), body.media_type, side)
        check = self._media.get(key)
        if check is not None and body.kind in ("json", "text", "form"):  # the usual case: seen before
            self._read(op, ex, check, body, side, location, calls)
            return
        picked = pick_media(content, body.media_type)
        if picked is None:
            kind = "request-body-undocumented" if side == "request" else \
                "response-inferred-media-type" if inferred else \
                "response-file-media-type" if serves_files(content, ex.status) else \
                "response-error-media-type" if ex.status >= 400 else "response-media-type"
            subject = body.media_type or "unknown"
            if kind == "response-media-type":
                self._checked[(op.key, side)] += 1  # a body of the new sample, weighed with those checked
            self._report(op.key, kind, subject, ex, location, "", " or ".join(content), subject,
                         answered if kind == "response-media-type" else None)
            return
        media = picked[1]
        schema = media.get("schema") if isinstance(media, dict) else None
        if not isinstance(schema, dict):
            return
        if body.kind in ("binary", "too-large", "malformed"):
            self.stats.bodies_unchecked += 1
            return
        check = self._compiled(schema, side)
        if len(self._media) < MAX_REMEMBERED:
            self._media[key] = check  # `content` lives in the spec: its id stays its own
        self._read(op, ex, check, body, side, location, calls)

    def _read(self, op: Operation, ex: Exchange, check: _BodyCheck, body: Body, side: str, location: str,
              calls: int | None = None) -> None:
        """Judge a JSON, text or form body against its media type's compiled schema, counted as checked (a
        multipart body against a binary schema: unchecked, :func:`_opaque`)."""
        if body.kind == "form" and _opaque(body, check.schema):
            self.stats.bodies_unchecked += 1
            return
        self.stats.bodies_checked += 1
        self._checked[(op.key, side)] += 1
        if calls is not None:
            self._checked[(op.key, ROUTED)] += 1
        # a form's text, nested and typed as the schema says (drift/forms.py)
        value = form_value(body.value, check.schema) if body.kind == "form" else body.value
        self._judge(op, ex, check, body, value, side, location, calls)

    def _judge(self, op: Operation, ex: Exchange, check: _BodyCheck, body: Body, value: Any, side: str,
               location: str, calls: int | None = None) -> None:
        """Explain ``value`` unless it fits. A text body the schema does not take as text is read as the JSON
        it is (a ``text/plain`` JSON body the learner learned as JSON: envelope.py), and explained as that
        JSON when it fits neither way (its members' errors say more than "not a string")."""
        if check.conformance.ok(value):
            return
        sniffed = sniffed_json(body) if body.kind == "text" else None
        if sniffed is not None:
            if check.conformance.ok(sniffed):
                return
            value = sniffed
        self._explain(op, ex, check, value, side, location, calls)

    def _undocumented_status(self, op: Operation, ex: Exchange) -> None:
        kind = f"undocumented-{status_class(str(ex.status))}"
        documented = ", ".join(sorted(op.responses)) or "none"
        self._report(op.key, kind, str(ex.status), ex, "status", "", f"one of {documented}", str(ex.status))

    def _undocumented(self, ex: Exchange, kind: str, op_key: str) -> None:
        self._report(op_key, kind, op_key, ex, "path" if kind == "undocumented-path" else "method", "",
                     "a documented operation", f"{ex.method} {_redact_path(ex.path)}")

    # -- explaining what the fast filter rejected --------------------------------------------------
    def _explain(self, op: Operation, ex: Exchange, check: _BodyCheck, value: Any, side: str,
                 location: str, calls: int | None = None) -> None:
        for err in ([] if check.conformance.valid(value) else check.errors(value)):
            kind, pointer, expected = _classify(err)
            seen: str | Callable[[], str] = "absent"
            if kind != "missing-required":
                seen = partial(_show_at, value, err.where, pointer)
            evidence = _evidence(check.schema, err, calls) if kind in REFINED else None
            self._report(op.key, f"{side}-{kind}", _subject(ex, side, pointer), ex, location, pointer,
                         expected, seen, evidence, calls is not None)
        kind = f"{side}-undocumented-property"
        for pointer in check.conformance.undocumented(value):
            self._report(op.key, kind, _subject(ex, side, pointer), ex, location, pointer,
                         "not in the schema", partial(_show_at, value, pointer, pointer))

    def _compiled(self, schema: Mapping[str, Any], direction: str) -> _BodyCheck:
        key = (id(schema), direction)
        hit = self._bodies.get(key)
        if hit is not None:
            return hit[1]
        contained = self_contained(schema, self.spec, direction)
        ref = dangling(contained)
        if ref is not None:  # the validator would stop the whole check on it, in the middle of the traffic
            raise InputError(f"spec: the schema $ref {ref!r} points nowhere once the schema is inlined",
                             hint="a bug in specbuild's $ref reader: please report it with the spec")
        check = _BodyCheck(contained, Conformance(contained, self.openapi), self.openapi, self.explain)
        self._bodies[key] = (schema, check)  # keeps the schema alive, so its id stays its own
        return check

    # -- grouping ---------------------------------------------------------------------------------
    def _report(self, op_key: str, kind: str, subject: str, ex: Exchange, location: str, pointer: str,
                expected: str, seen: str | Callable[[], str], evidence: int | None = None,
                route: bool = False) -> None:
        """Count the exchange once per (operation, kind); keep the subject; keep the example if it is
        the smallest so far (``seen`` may be a callable: rendering is only paid for a contender).
        ``evidence``: the values a learned claim this breaks rested on (None: not a learned claim);
        ``route``: they are a route's calls (evidence.route_bodies)."""
        group = self._groups.get((op_key, kind))
        if group is None:
            group = self._groups[(op_key, kind)] = _Group()
        if group.seq != self._seq:
            group.count += 1
            group.seq = self._seq
        if kind.partition("-")[2] in REFINED:
            group.claim(evidence)
            group.route = group.route or route
        group.add_subject(subject)
        if group.example is not None and subject > group.key[0]:
            return
        example = Example(request=f"{ex.method} {_redact_path(ex.path)}", status=ex.status,
                          location=location, pointer=pointer, expected=_cut(expected, 160),
                          seen=_cut(seen if isinstance(seen, str) else seen(), 120), origin=ex.origin)
        group.offer((subject, example), example)

    def _judged(self, op_key: str, kind: str, group: _Group) -> str:
        """A broken learned claim whose evidence the traffic does not overturn is "we know more now"."""
        side, _, rule = kind.partition("-")
        if rule not in REFINED or group.claims <= 0:
            return kind
        checked = self._checked[(op_key, side)] + (self._checked[(op_key, EMPTY)] if rule == "body-missing" else 0)
        if group.route:  # a route's calls are a series: only every one of them is a change (the bodies they
            # are the evidence of: not its 401s' beside them)
            checked = self._checked[(op_key, ROUTED)]
            if group.count < checked or checked < ROUTE_MIN_CALLS:
                return f"{side}-{REFINED[rule]}"
        if overturned(group.claims, checked, group.count):
            return kind
        return f"{side}-{REFINED[rule]}"

    def state(self) -> CheckState:
        """What the checker found so far, as plain data (it pickles: a worker process returns it)."""
        return CheckState(dict(self._groups), self.stats, dict(self._checked), dict(self._answers),
                          dict(self._presence))

    def merge(self, other: Checker | CheckState) -> None:
        """Fold in what another checker of the same spec found (e.g. another process's share)."""
        state = other.state() if isinstance(other, Checker) else other
        self.stats.merge(state.stats)
        self._checked.update(state.checked)
        for key, group in state.groups.items():
            mine = self._groups.get(key)
            if mine is None:
                self._groups[key] = mine = _Group()
            mine.merge(group)
        for op_key, answers in state.answers.items():
            self._answers.setdefault(op_key, Answers(answers.stated, route=answers.route)).merge(answers)
        for watched_at, presence in state.presence.items():
            ours = self._presence.setdefault(watched_at, presence)
            if ours is not None and presence is not None and ours is not presence:
                ours.merge(presence)

    def findings(self) -> list[Finding]:
        """Every finding so far, most severe first, then by operation and kind."""
        out = []
        for (op_key, kind), group in self._groups.items():
            assert group.example is not None
            kind = self._judged(op_key, kind, group)
            out.append(Finding(op_key, kind, KINDS[kind].severity, group.count, tuple(group.subjects),
                               group.more, group.example))
        # every operation the traffic reached is asked whether a success is gone: weighed together
        tests = gone_tests((*successes(a.stated)[1:], a.exchanges if a.settled else a.requests())
                           for a in self._answers.values())
        out += [finding for op_key, answers in self._answers.items() for finding in _gone(op_key, answers, tests)]
        followed: dict[str, list[tuple[int, Presence]]] = {}
        for (op_key, status, _), presence in sorted(self._presence.items(), key=lambda kv: kv[0]):
            if presence is not None:
                followed.setdefault(op_key, []).append((status, presence))
        out += [finding for op_key, presences in followed.items() for finding in _properties_gone(op_key, presences)]
        return sorted(out, key=lambda f: (-RANK[f.severity], f.operation, f.kind))


def _properties_gone(op_key: str, presences: list[tuple[int, Presence]]) -> list[Finding]:
    """Properties an operation's learned responses (by status) had in every object, absent from every
    object of the traffic beyond chance (drift/presence.py): one finding, each such property a subject."""
    gone_ = [(f"{status} {pointer}", before, now, ex) for status, presence in presences
             for pointer, before, now, ex in presence.gone()]
    if not gone_:
        return []
    # the smallest answer that reached a gone property's parent, and the first such property there
    (method, path, status, origin), first, before, now = min((ex, p, b, n) for p, b, n, ex in gone_)
    example = Example(request=f"{method} {_redact_path(path)}", status=status, location="response body",
                      pointer=first.partition(" ")[2], expected=f"present (in every one of {before} objects learned)",
                      seen=f"absent from all {now} requests' answers", origin=origin)
    subjects = sorted({subject for subject, _, _, _ in gone_})
    return [Finding(op_key, "response-property-gone", KINDS["response-property-gone"].severity,
                    max(n for _, _, n, _ in gone_), tuple(subjects[:MAX_SUBJECTS]), len(subjects) > MAX_SUBJECTS,
                    example)]


def _request(ex: Exchange) -> int:
    """A digest of the request an exchange answered: its target, and its body's digest where it sent one
    (as the learner counts distinct requests, learn/witnesses.py)."""
    request = zlib.crc32(ex.path.encode("utf-8", "surrogatepass"))
    for k, v in ex.query:
        request = zlib.crc32(f"&{k}={v}".encode("utf-8", "surrogatepass"), request)
    if ex.request_digest is not None:
        request = zlib.crc32(b"%d:%d" % ex.request_digest, request)
    return request


def _call(ex: Exchange, seq: int) -> int:
    """A digest of one call, where a route's calls are the evidence (drift/presence.py counts them as it
    counts distinct requests): its record's origin (a file's line, a partition's offset: its own in any
    share of the traffic), else its place in this checker's; negative, apart from :func:`_request`'s."""
    return -1 - (zlib.crc32(ex.origin.encode("utf-8", "surrogatepass")) if ex.origin else seq)


def _gone(op_key: str, answers: Answers, tests: int) -> list[Finding]:
    """A learned operation that answered no request of the traffic with a success (every call an error: a
    route removed, answering 404) where its counts show it succeeding, beyond chance (drift/evidence.gone).
    Only where nothing succeeded: a 304 for a conditional GET, a 200 where a PUT once created (201), is
    another success, not a success gone. ``tests``: the operations asked so (evidence.gone)."""
    if answers.settled:
        return []
    codes, answered, before = successes(answers.stated)
    now = answers.requests()
    if gone(answered, before, now, tests):
        expected = f"{', '.join(codes)} (answered to {answered} of {before} distinct requests)"
        seen = f"no success in {now} distinct requests"
    elif answers.route is not None and route_gone(answers.route, ((str(s), n) for s, n in answers.calls.items()),
                                                        tests):
        codes, answered, before = successes(answers.route)
        now = sum(answers.calls.values())
        expected = f"{', '.join(codes)} (answered to {answered} of {before} calls of this route)"
        seen = f"refused in all {now} calls ({', '.join(str(s) for s in sorted(answers.calls))})"
    else:
        return []
    method, path, status, origin = answers.example
    example = Example(request=f"{method} {_redact_path(path)}", status=status, location="status", pointer="",
                      expected=expected, seen=seen, origin=origin)
    return [Finding(op_key, "response-status-gone", KINDS["response-status-gone"].severity, now, codes, False,
                    example)]


def _route(op: Operation) -> tuple[tuple[str, int], ...] | None:
    """A learned operation on a path without parameters, that takes no query parameter and no body (each
    call names the route and nothing else): its stated responses' calls by status (where the spec says
    none, its distinct requests: as many), which ``evidence.route_gone`` weighs; else None. A parameter
    of the template counts declared or not (``path_params`` has a place for each name)."""
    if op.path_params or op.query or op.body is not None or not op.counted:
        return None
    return tuple((code, r.calls if r.calls is not None else r.answered) for code, r in sorted(op.responses.items())
                 if not r.inferred and r.answered is not None)


def check(spec: Mapping[str, Any], exchanges: Iterable[Exchange], *, explain: ExplainerFactory,
          headers: HeaderPolicy | None = None) -> list[Finding]:
    """Findings of ``exchanges`` against ``spec`` (see the module doc for kinds and severities)."""
    return Checker(spec, explain=explain, headers=headers).add_all(exchanges).findings()


# --- values: evidence, classification, display (their coercion: drift/forms.py) -------------------------

def _opaque(body: Body, schema: Mapping[str, Any]) -> bool:
    """A multipart body where the spec documents no object (``format: binary``: a spec of an older
    specbuild, or a person's): its parts say nothing the spec can be held to, as before they were read. A
    schema that names no type (``properties`` alone) holds them."""
    if body.media_type != multipart.MEDIA:
        return False
    types = types_at(schema, schema)
    return bool(types) and "object" not in types


def _evidence(schema: Mapping[str, Any], err: BodyError, calls: int | None = None) -> int | None:
    """The values the claim ``err`` broke rested on: along the rule's own place in the schema where the
    validator said it (the branch of a union the value was judged by), else at the value's place; a route's
    ``calls`` at the root where they are the evidence (evidence.route_bodies)."""
    return seen_along(schema, err.schema_path, calls) if err.schema_path else seen_at(schema, err.path, calls)


def _a_body(body: Body) -> str:
    return f"a body ({body.media_type})" if body.media_type else "a body"



_KEYWORD_KINDS: Final = {"type": "type-mismatch", "required": "missing-required", "enum": "enum-violation",
                         "const": "enum-violation", "format": "format-violation"}
_REQUIRED_MESSAGE: Final = re.compile(r"^'(.*)' is a required property$")


def _classify(err: BodyError) -> tuple[str, str, str]:
    """(kind without side, pointer, expected) for one validation error."""
    kind = _KEYWORD_KINDS.get(err.keyword, "schema-violation")
    pointer = "" if err.where == "(root)" else err.where
    if kind == "missing-required":
        m = _REQUIRED_MESSAGE.match(err.message)
        name = m[1] if m else "?"
        return kind, f"{pointer}.{name}" if pointer else name, "present (required)"
    return kind, pointer, _expected(err)


def _expected(err: BodyError) -> str:
    exp = err.expected
    if err.keyword == "type":
        types = exp if isinstance(exp, list) else [exp]
        return " or ".join(str(t) for t in types)
    if err.keyword in ("enum", "const"):
        values = exp if isinstance(exp, list) else [exp]
        shown = ", ".join(_json(v) for v in values[:8])
        return "one of " + shown + (", ..." if len(values) > 8 else "")
    if err.keyword == "format":
        return f"a {exp} string"
    if err.keyword in ("anyOf", "oneOf", "allOf", "not"):
        return f"a value matching {err.keyword} of the schema"
    if err.keyword in ("properties", "items", "additionalProperties", "$ref"):
        return f"{err.keyword} of the schema"
    return f"{err.keyword} {_json(exp)}"


def _subject(ex: Exchange, side: str, pointer: str) -> str:
    """A body place with array indexes folded: ``items[3].id`` -> ``items[].id``."""
    place = re.sub(r"\[\d+\]", "[]", pointer) or "(root)"
    return f"{ex.status} {place}" if side == "response" else place


_TOKEN: Final = re.compile(r"\[(\d+)\]|\.?([^.\[\]]+)")


def _at(value: Any, pointer: str) -> Any:
    """The part of ``value`` at ``items[0].id`` (``(root)`` or ``""``: all of it)."""
    if pointer in ("", "(root)"):
        return value
    for m in _TOKEN.finditer(pointer):
        try:
            value = value[int(m[1])] if m[1] is not None else value[m[2]]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def _show_at(value: Any, where: str, pointer: str) -> str:
    return show(_at(value, where), _last_name(pointer))


def _last_name(pointer: str) -> str:
    return re.split(r"[.\[\]]", pointer.rstrip("]"))[-1] if pointer else ""


def show(value: Any, name: str = "") -> str:
    """A short, redacted rendering of a value for an example."""
    if name and secret_name(name):
        return "(redacted)"
    if isinstance(value, dict):
        return f"an object with {len(value)} propert{'y' if len(value) == 1 else 'ies'}"
    if isinstance(value, list):
        return f"an array of {len(value)} item{'' if len(value) == 1 else 's'}"
    if isinstance(value, str) and secret_value(value):
        return "(redacted)"
    media = multipart.file_media(value) if isinstance(value, str) else None
    if media is not None:  # a multipart file part: its media type, no marker
        return f"a file ({_cut(media, 60)})" if media else "a file"
    return _cut(_json(value), 80)


def _json(value: Any) -> str:
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return repr(value)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[: limit - 12]}... ({len(text)} chars)"


def _redact_path(path: str) -> str:
    segs = path.split("/")
    return _cut("/".join("(redacted)" if secret_value(s) else s for s in segs), 120)


def _shape(path: str) -> str:
    """An undocumented path with its ids folded, so ``/w/1`` and ``/w/2`` are one finding."""
    out = []
    for seg in path.split("/"):
        kind = classify_segment(seg) if seg else None
        out.append(f"{{{kind}}}" if kind else seg)
    return "/".join(out) or "/"
