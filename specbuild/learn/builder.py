"""SpecBuilder: the fold state learned from exchanges; pure.

``SpecBuilder.add(exchange)`` folds one exchange; ``merge(other)`` folds another builder in (used when
path templates merge and by tests). State is kept per *skeleton key* (the raw path with typed ids
replaced, see :mod:`specbuild.learn.paths.templater`) and method, so memory grows with the number of distinct
operations and shapes, never with the number of records. Templates are decided later, from all the
evidence, when the spec is rendered (:mod:`specbuild.learn.render`).

Everything here is plain attributes so the whole builder pickles: a Kafka checkpoint stores it and
a restart keeps learning exactly as if it had never stopped.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import orjson

from specbuild import multipart
from specbuild.envelope import SNIFFED_MEDIA, readable, unwrap
from specbuild.http import (
    API_KEY_HEADERS,
    API_KEY_QUERY,
    JWK_PRIVATE,
    JWK_TYPE,
    OVERRIDE_HEADERS,
    PREFLIGHT_HEADER,
    UNAUTHENTICATED,
    UNDECLARED_MEDIA,
    HeaderPolicy,
    cors_preflight,
    email,
    secret_name,
    secret_value,
    served,
    without_userinfo,
)
from specbuild.learn import native
from specbuild.learn.paths.templater import PathTemplater
from specbuild.learn.rules import MAX_CREDENTIALS, MAX_PARAMS, MAX_SECURITY_KEYS, PARAMS_KEEP
from specbuild.learn.schema import Shape, StringsShape
from specbuild.learn.witnesses import Witnesses, request_hash, target_hash
from specbuild.records import Body, Exchange, Pairs, epoch_seconds, form_key


class ParamState:
    """One query parameter or header across the calls of an operation."""

    __slots__ = ("present", "repeated", "values")

    def __init__(self) -> None:
        self.present = 0          # calls in which it appeared
        self.repeated = False     # appeared more than once in one call: an array
        self.values = StringsShape()

    def merge(self, other: ParamState) -> None:
        self.present += other.present
        self.repeated = self.repeated or other.repeated
        self.values.merge(other.values)


class ParamMap(dict[str, ParamState]):
    """Parameters (query, headers, form fields) by name, at most ``MAX_PARAMS``: beyond, the rarest go
    (:func:`_make_room`) and ``dropped`` counts their calls, so traffic inventing names stays bounded."""

    dropped = 0  # calls of the names evicted


class BodyState:
    """The bodies of one media type on one side of an operation.

    Bodies the native decoder produced fold into ``pending`` (see :mod:`specbuild.learn.native`): a JSON
    accumulator, or a form's native parameters; call :meth:`settle` before reading ``shape`` or ``form``.
    """

    __slots__ = ("count", "example", "example_size", "form", "kind", "pending", "shape", "too_large")

    def __init__(self, kind: str) -> None:
        self.kind = kind          # json | form | text | binary
        self.count = 0
        self.too_large = 0
        # With --examples: the smallest JSON body (by its canonical JSON size, then its redacted text), kept
        # redacted, so a raw secret never reaches the state file or a worker's pipe. Only a body no larger
        # than the one kept is redacted: redacting every body made --examples ~60% slower.
        self.example: bytes | None = None
        self.example_size = 0
        self.shape: Shape | None = Shape() if kind == "json" else None
        self.form: ParamMap | None = ParamMap() if kind == "form" else None
        self.pending: Any = None  # native accumulator (or parameters) of native bodies, not yet in ``shape`` (``form``)

    def add(self, body: Body, keep_example: bool = False, salt: int = 0) -> None:
        """Fold one body; ``salt``: the hash of the path a response answered (schema.Shape.add)."""
        self.count += 1
        if body.kind == "too-large":
            self.too_large += 1
        elif body.kind == "malformed":  # declared JSON, is not: its media type and count only
            pass
        elif self.shape is not None:
            value = body.value
            if type(value) is native.JSON_TYPE:
                if self.pending is None:
                    self.pending = native.new_accumulator()
                self.pending.add(value, salt)
            else:
                self.shape.add(value, salt)
            if keep_example:
                self._keep_example(readable(body))
        elif self.form is not None:
            value = body.value
            if type(value) is native.FORM_TYPE:  # decoded natively: its fields fold there too
                if self.pending is None:
                    self.pending = native.new_params()
                self.pending.fold_form(value)
            elif body.media_type == multipart.MEDIA:  # a file part folds under its own segment
                _fold_pairs(self.form, (multipart.folded(form_key(k), v) for k, vs in value.items() for v in vs),
                            None)
            else:
                _fold_pairs(self.form, ((form_key(k), v) for k, vs in value.items() for v in vs), None)

    def _keep_example(self, value: Any) -> None:
        size = len(orjson.dumps(value))
        if self.example is None or size <= self.example_size:
            self._offer(size, orjson.dumps(redact(value), option=orjson.OPT_SORT_KEYS))

    def _offer(self, size: int, example: bytes) -> None:
        """Keep ``example`` if its key is lower: the kept one does not depend on record order."""
        if self.example is None or (size, example) < (self.example_size, self.example):
            self.example, self.example_size = example, size

    def natively_only(self) -> Any:
        """The native accumulator when every JSON body here was folded natively, else None: a render's reads
        (render.who_strings, field_names, _core_paths_of, _listed_names) are made there, nothing converted."""
        shape, pending = self.shape, self.pending
        if shape is not None and not shape.count and pending is not None and pending.count:
            return pending
        return None

    def settled_shape(self) -> Shape | None:
        """``shape`` with the natively folded bodies in, as copies: the builder stays as it was (a render
        reads it; exporting an accumulator empties it)."""
        if self.shape is None or self.pending is None:
            return self.shape
        return native.settled(self.shape.copy(), self.pending.copy())

    def settled_export(self) -> tuple[Any, ...] | None:
        """``shape`` as :meth:`settle` would leave it, in the layout of a state file's SHAPE (native ``export()``,
        schema.Shape.exported), without settling: what a saved state holds of this JSON body (learn/state.py)."""
        shape, pending = self.shape, self.pending
        if shape is None:
            return None
        if pending is None or not pending.count:
            return shape.exported()
        pending = pending.copy()  # export() empties an accumulator: the builder keeps its own
        if not shape.count:  # what settling gives: the native tree alone, already in the file's layout
            exported: tuple[Any, ...] = pending.export()
            return exported
        return native.settled(shape.copy(), pending).exported()

    def settle(self, keep_native: bool = False) -> None:
        """Bring natively folded bodies into ``shape`` (JSON) or ``form``. ``keep_native``: a JSON body's
        shape ends as one native accumulator instead, where the native fold is there, as its encoded state
        decodes (learn/state.py): exporting accumulators to Python shapes is most of a settle's cost, and
        a render of merged states does it once at the end."""
        if keep_native and self.shape is not None and native.AVAILABLE:
            if self.shape.count:  # a Python part (a body the native decoder left): into the native tree
                self.pending, self.shape = native.from_export(self.settled_export()), Shape()
            return
        if self.pending is not None:
            if self.shape is not None:
                self.shape = native.settled(self.shape, self.pending)
            elif self.form is not None:
                _settle_params(self.form, self.pending)
            self.pending = None

    def merge(self, other: BodyState, take: bool = True) -> None:
        """Fold ``other`` in; its native part is taken over (``take``: drop ``other`` afterwards) or copied."""
        # native and Python parts merge apart; settle() joins them
        self.pending = _merge_pending(self.pending, other.pending, take)
        if take:
            other.pending = None
        self.count += other.count
        self.too_large += other.too_large
        if other.example is not None:
            self._offer(other.example_size, other.example)
        if self.shape is not None and other.shape is not None:
            self.shape.merge(other.shape)
        if self.form is not None and other.form is not None:
            _merge_params(self.form, other.form)


# The native JSON parser (None without the module): a body out of its envelope folds natively too.
_PARSE_JSON: Final = native.json_parser()
# The type of a body the native decoder parsed (see BodyState.add).
_JSON: Final = native.JSON_TYPE

# OperationState.security's key of the calls without credentials refused for it (no scheme key looks so)
REFUSED_BARE: Final = "!refused"

# Bodies whose media type is learned but not their content: over --max-body-bytes, or declared JSON and not.
_UNREAD: Final = ("too-large", "malformed")


def redact(value: Any, key: str = "") -> Any:
    """An example with secrets and personal data replaced by placeholders of the same type and format (a
    JSON Web Key's private members too, as the recorder replaces them)."""
    if isinstance(value, dict):
        jwk = isinstance(value.get(JWK_TYPE), str)
        return {k: "REDACTED" if jwk and k in JWK_PRIVATE and isinstance(v, str) else redact(v, k)
                for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v, key) for v in value]
    if isinstance(value, str):
        if key and (secret_name(key) or secret_value(value)):
            return "REDACTED"
        if email(value):
            return "user@example.com"
    return value


def _kept(media: str, state: BodyState, kind: str) -> bool:
    """Whether ``state`` keeps its kind when a body of another ``kind`` comes under the same media type (the
    body then only counts). A state of unread bodies only (over the size limit) takes the kind of the first
    body read. Under ``text/plain`` text wins: JSON there was sniffed (envelope.py), and one body that is
    not JSON says the endpoint takes text. Elsewhere the richer view wins, in either order: JSON, then a
    form's fields over an opaque body (a multipart body a state of an older specbuild kept as binary)."""
    if state.count == state.too_large:
        return False
    if media in SNIFFED_MEDIA:
        return state.kind == "text"
    return state.kind == "json" or (state.kind == "form" and kind == "binary")


def _replaced(state: BodyState, kind: str) -> BodyState:
    """A state of ``kind`` in place of ``state``, its counts carried over (its content is not: another kind's)."""
    out = BodyState(kind)
    out.count, out.too_large = state.count, state.too_large
    return out


class Bodies:
    """Bodies by media type, plus how many calls had none (to tell whether a body is required)."""

    __slots__ = ("by_media", "empty")

    def __init__(self) -> None:
        self.by_media: dict[str, BodyState] = {}
        self.empty = 0

    def add(self, body: Body, keep_example: bool = False, salt: int = 0) -> None:
        kind = body.kind
        if kind == "empty":
            self.empty += 1
            return
        if kind == "json" and not keep_example:
            # most bodies: one parsed natively, of a media type seen before as JSON; BodyState.add's
            # work inline (a call less for each body: 0.8% of the fold's instructions on the 20k mix)
            state = self.by_media.get(body.media_type)  # type: ignore[arg-type]
            value = body.value
            if state is not None and state.kind == "json" and type(value) is _JSON:
                state.count += 1
                pending = state.pending
                if pending is None:
                    pending = state.pending = native.new_accumulator()
                pending.add(value, salt)
                return
        if kind in _UNREAD:
            kind = "json" if body.media_type and "json" in body.media_type else "binary"
        media = body.media_type or ("application/json" if kind == "json" else UNDECLARED_MEDIA)
        state = self.by_media.get(media)
        if state is None:
            state = self.by_media[media] = BodyState(kind)
        elif state.kind != kind and body.kind not in _UNREAD:
            if _kept(media, state, kind):
                state.count += 1
                return
            state = self.by_media[media] = _replaced(state, kind)
        state.add(body, keep_example, salt)

    def merge(self, other: Bodies, take: bool = True) -> None:
        self.empty += other.empty
        for media, theirs in other.by_media.items():
            mine = self.by_media.get(media)
            if mine is None:
                mine = self.by_media[media] = BodyState(theirs.kind)
            elif mine.kind != theirs.kind:  # one media type, two kinds of body: the kind add() keeps, either way
                if _kept(media, mine, theirs.kind) or theirs.count == theirs.too_large:
                    mine.count += theirs.count
                    mine.too_large += theirs.too_large
                    continue
                mine = self.by_media[media] = _replaced(mine, theirs.kind)
            mine.merge(theirs, take)

    @property
    def count(self) -> int:
        return sum(s.count for s in self.by_media.values())


class ResponseState:
    """The responses of one status. Natively folded headers wait in ``pending_headers`` (like
    ``BodyState.pending``): call :meth:`settle` before reading ``headers``."""

    __slots__ = ("bodies", "count", "headers", "pending_headers", "requests", "witnesses")

    def __init__(self) -> None:
        self.count = 0
        self.headers = ParamMap()
        self.bodies = Bodies()
        self.pending_headers: Any = None
        self.witnesses = Witnesses()  # distinct request targets answered with this status
        # distinct requests that sent a body (target and body: witnesses.request_hash), once one did
        self.requests: Witnesses | None = None

    def merge(self, other: ResponseState, take: bool = True) -> None:
        self.count += other.count
        self.witnesses.merge(other.witnesses)
        if other.requests is not None:
            if self.requests is None:
                self.requests = Witnesses()
            self.requests.merge(other.requests)
        _merge_params(self.headers, other.headers)
        self.pending_headers = _merge_pending(self.pending_headers, other.pending_headers, take)
        if take:
            other.pending_headers = None
        self.bodies.merge(other.bodies, take)

    def saw(self, target: int, request: int | None) -> None:
        """One more call: its target's hash, and the request's (target and body) where it sent a body."""
        self.witnesses.add(target)
        if request is not None:
            if self.requests is None:
                self.requests = Witnesses()
            self.requests.add(request)

    def distinct(self) -> int | None:
        """The distinct requests answered so (learn/witnesses.py): targets, or where calls sent bodies,
        targets and bodies, the larger (a lower bound of their union); None when a state saved before
        witnesses were counted left it unknown."""
        targets = self.witnesses.count()
        if targets is None or self.requests is None:
            return targets
        bodied = self.requests.count()
        return targets if bodied is None else max(targets, bodied)

    def settle(self, keep_native: bool = False) -> None:
        _settle_params(self.headers, self.pending_headers)
        self.pending_headers = None
        for state in self.bodies.by_media.values():
            state.settle(keep_native)



class OperationState:
    """Everything learned about one (skeleton key, method).

    Natively folded query parameters and headers wait in ``pending_query`` and ``pending_headers``
    (like ``BodyState.pending``): call :meth:`settle` before reading ``query`` and ``headers``.
    """

    __slots__ = ("count", "headers", "pending_headers", "pending_query", "query", "request", "responses",
                 "security", "slashed", "slashed_served")

    def __init__(self) -> None:
        self.count = 0
        self.query = ParamMap()
        self.headers = ParamMap()
        self.request = Bodies()
        self.responses: dict[int, ResponseState] = {}
        # scheme key -> calls; "" = calls with no credentials, REFUSED_BARE those of them answered 401 or 403
        self.security: Counter[str] = Counter()
        self.pending_query: Any = None    # native parameters (native.new_params), not yet in ``query``
        self.pending_headers: Any = None  # ... not yet in ``headers``
        # calls whose target ended in "/", and those of them the server served (render.slashed decides)
        self.slashed = 0
        self.slashed_served = 0

    def merge(self, other: OperationState, take: bool = True) -> None:
        """Fold ``other`` in. Its native parts are taken over (``take``: drop ``other`` afterwards) or
        copied (rendering merges the states of a template into a new one and keeps the builder's)."""
        self.count += other.count
        self.slashed += other.slashed
        self.slashed_served += other.slashed_served
        _merge_params(self.query, other.query)
        _merge_params(self.headers, other.headers)
        self.pending_query = _merge_pending(self.pending_query, other.pending_query, take)
        self.pending_headers = _merge_pending(self.pending_headers, other.pending_headers, take)
        if take:
            other.pending_query = other.pending_headers = None
        self.request.merge(other.request, take)
        for status, theirs in other.responses.items():
            mine = self.responses.get(status)
            if mine is None:
                mine = self.responses[status] = ResponseState()
            mine.merge(theirs, take)
        for key, calls in other.security.items():
            _secured(self.security, key, calls)

    def settle(self, keep_native: bool = False) -> None:
        """Bring natively folded parameters and bodies into ``query``, ``headers`` and the shapes
        (``keep_native``: see :meth:`BodyState.settle`)."""
        _settle_params(self.query, self.pending_query)
        _settle_params(self.headers, self.pending_headers)
        self.pending_query = self.pending_headers = None
        for state in self.request.by_media.values():
            state.settle(keep_native)
        for resp in self.responses.values():
            resp.settle(keep_native)


@dataclass(slots=True)
class SpecBuilder:
    """The whole fold: operations by (skeleton key, method), servers, and counters.

    >>> b = SpecBuilder(); b.add(exchange); doc = specbuild.learn.render.render(b)
    """

    hints: Sequence[str] = ()
    headers: HeaderPolicy = field(default_factory=HeaderPolicy)
    examples: bool = False
    # The engine, chosen once: with the native module, each record's query parameters and headers fold
    # natively, one call per record (the Python loop over the pairs took ~3 µs of a Kubernetes record's
    # ~25), and run.Fold decodes records and parses bodies natively. The spec is the same either way.
    accelerated: bool = field(default_factory=lambda: native.AVAILABLE)
    templater: PathTemplater = field(init=False)
    operations: dict[tuple[str, str], OperationState] = field(default_factory=dict)
    servers: Counter[tuple[str, str]] = field(default_factory=Counter)
    # the first and last instants the records said (UTC seconds since the epoch); None until one did
    span: tuple[int, int] | None = None
    exchanges: int = 0
    too_large: int = 0
    # the names headers_read's request filter keeps that the policy refuses (credentials, host, ...)
    read_not_kept: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.accelerated = self.accelerated and native.AVAILABLE
        self.templater = PathTemplater(hints=tuple(self.hints))
        self.read_not_kept = frozenset(n for n in _READ_REQUEST_HEADERS if not self.headers.request(n))

    def blank(self) -> SpecBuilder:
        """An empty builder with this one's settings (the one place that lists them): what a pool worker
        or a shard folds into, to be merged back, must fold exactly as this one would."""
        return SpecBuilder(hints=self.hints, headers=self.headers, examples=self.examples,
                           accelerated=self.accelerated)

    def headers_read(self) -> dict[str, Any]:
        """The header names :meth:`add_fields` reads, as ``native.fields_decoder``'s filters: the policy's,
        the request's credentials (``_credential``), ``host`` (``run.Fold``'s filter) and the override a
        tunnelled POST names; leaving out the others changes nothing it learns (the native decoder then
        makes no Python object of them). With the policy's plain rule, the decoder asks about only the
        names that need its closer look."""
        policy = self.headers

        def request(name: str) -> bool:
            return name in _READ_REQUEST_HEADERS or policy.request(name) or name in policy.credentials

        return {"keep_request": request, "keep_response": policy.response,
                "plain_request": policy.plain(True, _READ_REQUEST_HEADERS), "plain_response": policy.plain(False)}

    def add(self, ex: Exchange) -> None:
        """Fold one exchange in. Raises on data only for a path no API has (a RecordError, "too-deep",
        before anything is folded): records were validated by ``records.decode``."""
        self.add_fields(ex.method, ex.path, ex.status, ex.query, ex.request_headers, ex.response_headers,
                        ex.request_body, ex.response_body, ex.scheme, ex.host, ex.timestamp, ex.slash, None,
                        None if ex.request_digest is None else request_hash(target_hash(ex.path, ex.query),
                                                                            ex.request_digest))

    def add_fields(self, method: str, path: str, status: int, query: Pairs, request_headers: Pairs,
                   response_headers: Pairs, request_body: Body, response_body: Body, scheme: str,
                   host: str, timestamp: str | int = "", slash: bool = False, target: int | None = None,
                   request: int | None = None) -> None:
        """:meth:`add`, from an Exchange's fields (the native decode gives those, without the object,
        ``target``: the request target's ``target_hash``, hashed there, ``request``: the ``request_hash``
        of a request that sent a body, and the timestamp as its second where it read it)."""
        # the requests that may wrap another (envelope.py): a natively decoded POST (its ``target`` hashed
        # there) was looked at by the decoder, which leaves every one that names a method to records.decode
        if request_body.kind == "text" or (method == "POST" and target is None):
            wrapped = unwrap(method, query, request_headers, request_body,
                             parse_json=_PARSE_JSON if self.accelerated else None)
            if wrapped is not None:
                method, query, request_body = wrapped.method, wrapped.query, wrapped.body
                target = None  # the target the API read: its query may have come out of the body
        if method == "OPTIONS" and cors_preflight(method, request_headers):  # most records: no call
            return  # a browser's CORS preflight: the server's business, not the API's (check skips it too)
        templater = self.templater
        # most paths were seen before (83% of the 100k mix): observe's own first look, done here, saves
        # the call (a property would cost it again); keys are never empty
        key = templater.recent.get(path) or templater.observe(path)
        if templater.renamed:
            self._rekey(templater.take_renamed())
        op = self.operations.get((key, method))
        if op is None:
            op = self.operations[(key, method)] = OperationState()
        op.count += 1
        if slash:
            op.slashed += 1
            op.slashed_served += served(status)
        self.exchanges += 1
        if host:  # most hosts have no userinfo: no call
            self.servers[(scheme, without_userinfo(host) if "@" in host else host)] += 1
        if timestamp != "":
            span = self.span  # most records: a second the native decoder read, inside the range (no call)
            if type(timestamp) is not int or span is None or not span[0] <= timestamp <= span[1]:
                self._saw(timestamp)
        natively = self.accelerated
        in_query = (_fold_query_natively(op, query) if natively else _fold_query(op.query, query)) if query else ""
        policy, in_headers = self.headers, ""
        if request_headers:  # the policy's verdicts first: _credential reads the names it found credentials
            # natively decoded (``target``): headers_read's filter kept these, refused by name (unless it forgot)
            _fold_headers(op, request_headers, policy.request, natively,
                          None if target is None or policy.forgot else (self.read_not_kept, policy.credentials))
            in_headers = _credential(request_headers, policy)
        # credentials sent together are one requirement ("+"): both schemes apply at once; a call without any
        # that was refused for it (401, 403) shows the scheme needed, not optional: counted apart
        _secured(op.security, f"{in_headers}+{in_query}" if in_query and in_headers else in_headers or in_query
                 or (REFUSED_BARE if status in UNAUTHENTICATED else ""))
        if request_body.kind == "empty":  # most requests (Bodies.add's first case: a call less)
            op.request.empty += 1
        else:
            op.request.add(request_body, self.examples)
        resp = op.responses.get(status)
        if resp is None:
            resp = op.responses[status] = ResponseState()
        resp.count += 1
        resp.saw(target_hash(path, query) if target is None else target, request)
        if response_headers:
            _fold_headers(resp, response_headers, policy.response, natively, None if target is None else ())
        resp.bodies.add(response_body, self.examples, _path_salt(path))
        if request_body.kind == "too-large" or response_body.kind == "too-large":
            self.too_large += 1

    def _saw(self, timestamp: str | int) -> None:
        """The time range covers ``timestamp``: its text, or the second the native decoder read from it
        (``fromisoformat`` was ~2% of a record's fold)."""
        if isinstance(timestamp, int):
            second = timestamp
        else:
            instant = epoch_seconds(timestamp)  # a bad timestamp loses only the exchange's instant
            if instant is None:
                return
            second = math.floor(instant)
        span = self.span
        if span is None or not span[0] <= second <= span[1]:  # most instants fall inside: no new tuple
            self.widen(second, second)

    def widen(self, first: int, last: int) -> None:
        """The time range covers ``first`` .. ``last`` too (min and max: order-free, merged exactly)."""
        span = self.span
        self.span = (first, last) if span is None else (min(span[0], first), max(span[1], last))

    def settle(self, keep_native: bool = False) -> None:
        """Bring every operation's natively folded parts into its Python state. ``keep_native``: into the
        form its encoded state decodes to (parameters and forms in Python, a JSON body's shape one native
        accumulator): merged beside decoded builders, which names a capped position keeps depends on
        which parts meet where (a group member's own partitions beside the others' states)."""
        for op in self.operations.values():
            op.settle(keep_native)

    def merge(self, other: SpecBuilder, take: bool = True) -> None:
        """Fold in another builder's state: taken over (drop ``other`` afterwards), or copied (``take``
        False: ``other`` stays as it was, for a group member that merges the same decoded states again).

        Exact: merging two builders equals one builder fed both inputs, in any order.
        """
        self.merge_parts(other, (other.operations.items(),), take)

    def merge_parts(self, other: SpecBuilder, parts: Iterable[Iterable[tuple[tuple[str, str], OperationState]]],
                    take: bool = True) -> None:
        """:meth:`merge`, ``other``'s operations given apart, in ``parts`` (its own are ignored): a worker
        sends them a part at a time, and each is taken in while it pickles the next."""
        self.templater.merge(other.templater)
        for part in parts:
            self._take(part, take)
        self._rekey(self.templater.take_renamed())  # after every part: keys the merge renamed come in any part
        self.servers.update(other.servers)
        if other.span is not None:
            self.widen(*other.span)
        self.exchanges += other.exchanges
        self.too_large += other.too_large

    def _take(self, operations: Iterable[tuple[tuple[str, str], OperationState]], take: bool = True) -> None:
        for key, state in operations:
            mine = self.operations.get(key)
            if mine is None and take:
                self.operations[key] = state
                continue
            if mine is None:
                mine = self.operations[key] = OperationState()
            mine.merge(state, take)

    def _rekey(self, renamed: Mapping[str, str]) -> None:
        """Move what is kept per skeleton key to the keys the templater rewrote them to (a position
        opened: its words became one ``{:word}``), merging where keys now meet."""
        if not renamed:
            return
        moved = [((renamed[key], method), self.operations.pop((key, method)))
                 for key, method in sorted(self.operations) if key in renamed]
        self._take(moved)

    def add_all(self, exchanges: Iterable[Exchange]) -> SpecBuilder:
        for ex in exchanges:
            self.add(ex)
        return self


def _path_salt(path: str) -> int:
    """Where the entities of a response's values start (schema.Shape.add): its path, not its query. Two
    users' ``{"state": "active"}`` are two things; one event on every page of a room's ``/messages``
    (``?from=`` differs) is one. Stable across processes (shards and members must agree), and cheap."""
    return zlib.crc32(path.encode("utf-8", "surrogatepass"))


def _fold_query(params: ParamMap, pairs: Pairs) -> str:
    """Fold query parameters but API keys; return the security key of the (last) API key, if any."""
    if not pairs:
        return ""
    _fold_pairs(params, pairs, _not_api_key)
    for name, _ in reversed(pairs):
        if not _not_api_key(name):
            return f"apiKey:query:{name}"
    return ""


def _fold_query_natively(op: OperationState, pairs: Pairs) -> str:
    """:func:`_fold_query` into ``op.pending_query``."""
    if not pairs:
        return ""
    pending = op.pending_query
    if pending is None:
        pending = op.pending_query = native.new_params()
    key: str | None = pending.fold(pairs, _not_api_key)  # the last name refused: an API key
    return "" if key is None else f"apiKey:query:{key}"


def _fold_headers(owner: OperationState | ResponseState, pairs: Pairs, keep: Callable[[str], bool],
                  natively: bool, refused: tuple[Container[str], ...] | None = None) -> None:
    """Fold the headers ``keep`` keeps into ``owner.headers`` (natively: into ``owner.pending_headers``).
    ``refused``: pairs the native decoder filtered (``SpecBuilder.headers_read``), the names among them
    ``keep`` refuses (no call a new name: a record may invent 10k)."""
    if not natively:
        _fold_pairs(owner.headers, pairs, keep)
        return
    pending = owner.pending_headers
    if pending is None:
        pending = owner.pending_headers = native.new_params()
    if refused is None:
        pending.fold(pairs, keep)
    else:
        pending.fold(pairs, None, refused)


def _not_api_key(name: str) -> bool:
    return name.lower() not in API_KEY_QUERY


def _fold_pairs(params: ParamMap, pairs: Iterable[tuple[str, str]],
                keep: Callable[[str], bool] | None) -> None:
    seen: set[str] = set()
    for name, value in pairs:
        if keep is not None and not keep(name):
            continue
        state = params.get(name)
        if state is None:  # new, or evicted earlier in this call: its first time, as in params.rs
            if len(params) >= MAX_PARAMS:
                _make_room(params)
            state = params[name] = ParamState()
            seen.add(name)
            state.present += 1
        elif name in seen:
            state.repeated = True
        else:
            seen.add(name)
            state.present += 1
        state.values.add(value)


def _make_room(params: ParamMap) -> None:
    """Too many names: the rarest go, their calls counted (``schema._evict``'s rule, for parameters).

    Only here does the fold depend on order (which rare names were still tracked): real parameters
    recur and stay, names that traffic invents go.
    """
    ranked = sorted(params.items(), key=lambda kv: (kv[1].present, kv[0]))
    victims = [k for k, state in ranked if state.present == 1]
    if len(params) - len(victims) > PARAMS_KEEP:
        victims = [k for k, _ in ranked[: len(params) - PARAMS_KEEP]]
    for name in victims:
        params.dropped += params.pop(name).present


def _merge_params(mine: ParamMap, theirs: ParamMap) -> None:
    mine.dropped += theirs.dropped
    for name, state in theirs.items():
        target = mine.get(name)
        if target is None:
            target = mine[name] = ParamState()
        target.merge(state)
    if len(mine) > MAX_PARAMS:
        _make_room(mine)


def _merge_pending(mine: Any, theirs: Any, take: bool) -> Any:
    """Native accumulators merged (``theirs`` taken over, or copied); the Python parts merge apart."""
    if theirs is None:
        return mine
    if mine is None:
        return theirs if take else theirs.copy()
    if take:
        mine.merge(theirs)
    else:
        mine.merge_copy(theirs)  # copies only what ``mine`` lacks
    return mine


def _settle_params(params: ParamMap, pending: Any) -> None:
    """Merge native parameters into ``params`` (exact: as if their pairs had been folded there)."""
    if pending is not None:
        _merge_exported(params, pending.export(), pending.take_dropped())


def settled_params(params: ParamMap, pending: Any) -> ParamMap:
    """``params`` as settling ``pending`` into them would leave them, changing neither (a new map)."""
    if pending is None:
        return params
    out = ParamMap()
    out.dropped = params.dropped
    for name, state in params.items():
        out[name] = copy = ParamState()
        copy.merge(state)
    pending = pending.copy()  # export() empties the accumulator: a copy's
    _merge_exported(out, pending.export(), pending.take_dropped())
    return out


def _merge_exported(params: ParamMap,
                    exported: Iterable[tuple[str, int, bool, int, int, int, dict[str, int] | None]],
                    dropped: int) -> None:
    params.dropped += dropped
    for name, present, repeated, count, kinds, fmts, vals in exported:
        state = ParamState()
        state.present, state.repeated = present, repeated
        values = state.values
        values.count, values.kinds, values.fmts, values.vals = count, kinds, fmts, vals
        mine = params.get(name)
        if mine is None:
            params[name] = state
        else:
            mine.merge(state)
    if len(params) > MAX_PARAMS:
        _make_room(params)


# read from a request whatever the header policy says (see SpecBuilder.headers_read)
# what the fold reads besides the policy: credentials, the host, and the override a tunnelled POST names
# and the preflight's (a browser's CORS preflight is not learned, whatever the policy documents)
_READ_REQUEST_HEADERS = frozenset({"authorization", "host", PREFLIGHT_HEADER, *API_KEY_HEADERS, *OVERRIDE_HEADERS})


def _credential(headers: Pairs, policy: HeaderPolicy) -> str:
    """The security scheme key of the credentials a request carries (never the credential itself): every
    one it sent, one requirement (``+``: Parse's REST API key and a user's session token go together).
    A vendor's own credential header is one ``policy`` refused as a parameter for it (asked about every
    name of the record first: a record inventing 10k header names costs two set lookups a name here)."""
    found: list[str] = []
    credentials, forgot = policy.credentials, policy.forgot
    for name, value in headers:
        if name == "authorization":
            scheme = value.split(" ", 1)[0].lower()
            found.append(f"http:{scheme}" if scheme in ("bearer", "basic", "digest") else "apiKey:header:Authorization")
        elif name in API_KEY_HEADERS or name in credentials or (
                forgot and not policy.request(name) and name in credentials):  # asked again: it is there now
            found.append(f"apiKey:header:{name}")
    return "" if not found else found[0] if len(found) == 1 else "+".join(sorted(set(found))[:MAX_CREDENTIALS])


def _secured(security: Counter[str], key: str, calls: int = 1) -> None:
    """Count ``calls`` made with the credentials ``key`` names, unless MAX_SECURITY_KEYS other ways are
    counted already (then they are left out: the requirements an operation lists are the first ways seen,
    and a stream inventing credential names costs no memory)."""
    if key in security or len(security) < MAX_SECURITY_KEYS:
        security[key] += calls
