"""The saved state of a follower as plain data: a versioned JSON codec for a :class:`SpecBuilder` and the
partition positions; pure (bytes in, bytes out, no I/O).

A state file is one header line, then one JSON document (UTF-8, keys sorted, no whitespace)::

    specbuild-state 3 <specbuild version>\\n
    {"builder": BUILDER, "positions": [[topic, partition, offset], ...]}

Loading it builds objects from numbers, strings, lists and dicts only: nothing in the file names code.
The header is read first, so a state of another format (2 was a pickle) is refused from its first line
and never parsed. Every list below is sorted, and dicts are written with sorted keys, so the same fold
gives the same bytes whatever order it saw things in, and with or without the native fold (its parts
are written settled, as the Python fold would hold them).

``BUILDER`` (what :class:`~specbuild.learn.builder.SpecBuilder` holds; its caches are not saved)::

    {"hints": [str],                 # --path-template sources, as given
     "include": [str], "exclude": [str], "examples": bool,   # the HeaderPolicy globs, --examples
     "exchanges": int, "too_large": int,
     "servers": [[scheme, host, calls]],
     "span": [first, last] | null,    # UTC epoch seconds the records said (absent in older states: null)
     "templater": {"word_cap": int, "cache_size": int,
                   "words": {key prefix: [word]},          # words seen at the next position
                   "keys": [skeleton key]},
     "operations": [[skeleton key, method, OPERATION]]}

    OPERATION = [count, PARAMS query, PARAMS headers, BODIES request,
                 [[status, RESPONSE]], {security scheme key: calls},   # "" = calls without credentials
                 [slashed, slashed served]]   # calls whose target ended in "/", and those served (2xx,
                                              # 3xx but a redirect); format 4 had none: read as [0, 0]
    RESPONSE  = [count, PARAMS headers, BODIES, [hash] | null, [hash] | null]
                # the K + 1 smallest target hashes of learn/witnesses.py; null (or absent, in a state
                # saved before them): not counted; then those of the requests that sent a body (target and
                # body: witnesses.request_hash), null when none did (absent before format 7)
    BODIES    = [calls without a body, {media type: BODY}]
    BODY      = [kind, count, too_large, example, SHAPE | null, PARAMS | null]
                # kind: json (has a SHAPE) | form (has PARAMS) | text | binary;
                # example: [size of the body's canonical JSON, its redacted canonical JSON text], or null
    PARAMS    = {name: [present, repeated, count, kinds, fmts, VALS]}   # ParamState + its StringsShape
              | [{name: ...}, dropped]   # when names were evicted: the calls of those (builder.ParamMap)
    SHAPE     = [count, kinds, depth, objects, [[key, SHAPE]] | null, SHAPE extra | null,
                 SHAPE items | null, fmts, VALS, ENTS]
                # a schema.Shape, in the order the native fold exports it (its tuples are written as
                # they come); properties sorted by key; depth: 0 at a body's root, one more per level
    VALS      = {string: count} | null   # the distinct strings while an enum is possible
    ENTS      = {string: entity} | null  # their entities (schema._holder_entity: a sketch of the distinct
                                         # things that held the string, a bit of 64 each); null with VALS

``kinds`` and ``fmts`` are the bitmasks of :mod:`specbuild.learn.schema` (JSON kinds, or S_BOOL.. for strings;
format bits in ``FORMAT_RULES`` order).

Saving does not change the builder: copies of its native accumulators are exported, and merged into
copies of its Python parts where it holds both, so the fold goes on exactly as if no state had been
saved. Loading puts each body's shape back where it would be: into a native accumulator where the native
fold is there (so that later bodies fold into the same tree: where more than ``rules.MAX_PROPS`` keys
meet at one object position, which are evicted depends on that), else into a ``Shape``. Parameters load
as Python ``ParamState``s (they merge with natively folded ones exactly).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any, Final

import orjson

from specbuild._version import __version__
from specbuild.errors import InputError, SpecbuildError
from specbuild.http import HeaderPolicy
from specbuild.learn import native
from specbuild.learn.builder import (
    Bodies,
    BodyState,
    OperationState,
    ParamMap,
    ParamState,
    ResponseState,
    SpecBuilder,
    settled_params,
)
from specbuild.learn.collector import paused
from specbuild.learn.rules import MAX_DEPTH
from specbuild.learn.schema import Shape
from specbuild.learn.witnesses import K, Witnesses

# (topic, partition), as specbuild.kafka.client.Partition: not imported, so Kafka needs not be loaded
Partition = tuple[str, int]

MAGIC: Final = b"specbuild-state"
FORMAT: Final = 8  # 2: a pickle (specbuild 0.1.0); 3: this JSON; 4: and each SHAPE's ENTS; 5: and the slashes;
# 6: multipart bodies as forms (a file part under ``name[\x00file]``, specbuild/multipart.py: a reader of 5
# would render that segment as a property, so it refuses the state instead); 7: and each RESPONSE's requests;
# 8: ENTS as sketches of distinct things (schema._holder_entity), read from 4-7's words by _entities_counted
# Formats read too: a format 4 state is a format 5 one that saw no target ending in "/" (its calls stay
# counted as sent without: the paths it documented keep their form until new traffic outweighs them); a
# format 5 state kept multipart bodies as binary: the first multipart body read as a form takes their place
# (builder._kept), the counts carried over; a format 6 state counted targets only: its responses' claims
# rest on those until requests with bodies are counted again.
# A format 4 to 7 state told of each value one thing's hash, or 1 for two or more: read as one bit, or two.
READ_FORMATS: Final = (4, 5, 6, 7, FORMAT)
BODY_KINDS: Final = frozenset({"json", "form", "text", "binary"})
_HINT: Final = ("move it aside and re-learn the topics with a new --group, or keep following with the "
                "specbuild that wrote it")


class _Malformed(ValueError):
    """A well-formed JSON document that is not a state."""


# -- encoding --------------------------------------------------------------------------------------

def encode(builder: SpecBuilder, positions: dict[Partition, int]) -> bytes:
    """The state file's bytes: header line, then the JSON document (see the module docstring)."""
    header = b"%s %d %s\n" % (MAGIC, FORMAT, __version__.encode())
    with paused():  # the collector would walk the exported data, made of many containers and no cycle
        head = {"positions": [[topic, part, offset] for (topic, part), offset in sorted(positions.items())]}
        pieces = _spliced(head, "builder", _builder_json(builder))
    return b"".join([header, *pieces])


def _spliced(doc: dict[str, Any], key: str, value: list[bytes]) -> list[bytes]:
    """The pieces of ``orjson.dumps({**doc, key: value}, option=OPT_SORT_KEYS)`` where ``value`` is JSON text
    in pieces: a large value is joined once, with the rest, instead of copied into each enclosing dump."""
    before = orjson.dumps({k: v for k, v in doc.items() if k < key}, option=orjson.OPT_SORT_KEYS)
    after = orjson.dumps({k: v for k, v in doc.items() if k > key}, option=orjson.OPT_SORT_KEYS)
    opening = before[:-1] + (b"," if len(before) > 2 else b"") + orjson.dumps(key) + b":"
    closing = (b"," if len(after) > 2 else b"") + after[1:]
    return [opening, *value, closing]


def _builder_json(b: SpecBuilder) -> list[bytes]:
    """BUILDER as JSON text in pieces: its operations exported and dumped one at a time, so that only one
    operation's export is alive at once (the 100k mix's state: ~200 MB of exported tuples at the peak of a
    process whose builder held ~200 MB, and the page faults to get them)."""
    ops = [orjson.dumps([key, method, _operation_data(op)], option=orjson.OPT_SORT_KEYS)
           for (key, method), op in sorted(b.operations.items(), key=lambda kv: kv[0])]
    listed = [b"[", *(piece for i, op in enumerate(ops) for piece in ((b",", op) if i else (op,))), b"]"]
    return _spliced(_builder_data(b), "operations", listed)


def _builder_data(b: SpecBuilder) -> dict[str, Any]:
    """BUILDER but its operations."""
    t = b.templater
    return {
        "hints": list(b.hints), "include": list(b.headers.include), "exclude": list(b.headers.exclude),
        "examples": b.examples, "exchanges": b.exchanges, "too_large": b.too_large,
        "servers": [[scheme, host, n] for (scheme, host), n in sorted(b.servers.items())],
        "span": list(b.span) if b.span is not None else None,
        "templater": {"word_cap": t.word_cap, "cache_size": t.cache_size,
                      "words": {prefix: sorted(words) for prefix, words in t._words.items()},
                      "keys": sorted(t._keys)},
    }


def _operation_data(op: OperationState) -> list[Any]:
    return [op.count, _params_data(op.query, op.pending_query), _params_data(op.headers, op.pending_headers),
            _bodies_data(op.request),
            [[status, [resp.count, _params_data(resp.headers, resp.pending_headers), _bodies_data(resp.bodies),
                       resp.witnesses.smallest() if resp.witnesses.known else None,
                       None if resp.requests is None else resp.requests.smallest()]]
             for status, resp in sorted(op.responses.items(), key=lambda kv: kv[0])],
            dict(op.security), [op.slashed, op.slashed_served]]


def _params_data(params: ParamMap, pending: Any) -> dict[str, list[Any]] | list[Any]:
    out = {}
    settled = settled_params(params, pending)
    for name, p in settled.items():
        v = p.values
        out[name] = [p.present, p.repeated, v.count, v.kinds, v.fmts, v.vals]
    return [out, settled.dropped] if settled.dropped else out  # the plain form when nothing was evicted


def _bodies_data(bodies: Bodies) -> list[Any]:
    return [bodies.empty, {media: _body_data(s) for media, s in bodies.by_media.items()}]


def _body_data(s: BodyState) -> list[Any]:
    example = None if s.example is None else [s.example_size, s.example.decode()]  # orjson's output: UTF-8
    form = None if s.form is None else _params_data(s.form, s.pending)
    return [s.kind, s.count, s.too_large, example, s.settled_export(), form]


# -- decoding --------------------------------------------------------------------------------------

def check_header(line: bytes, origin: str) -> None:
    """Refuse a first line that is not this format's header (the format 2 header names its version)."""
    parts = line.rstrip(b"\r\n").split(b" ")
    if len(parts) < 2 or parts[0] != MAGIC:
        raise InputError(f"{origin}: not a specbuild state file",
                         hint="the output folder holds a file by the state's name that specbuild did not write")
    if parts[1] not in [b"%d" % f for f in READ_FORMATS]:
        found = parts[1][:20].decode(errors="replace")
        wrote = parts[2][:40].decode(errors="replace") if len(parts) > 2 else "?"
        raise InputError(f"{origin}: state format {found} is not {FORMAT}: re-learn or use specbuild {wrote}",
                         hint=_HINT)


def decode(data: bytes, origin: str) -> tuple[SpecBuilder, dict[Partition, int]]:
    """The builder and positions :func:`encode` wrote; anything else is an InputError, never run."""
    header, newline, body = data.partition(b"\n")
    check_header(header, origin)
    try:
        if not newline:
            raise _Malformed("no document after the header")
        with paused():  # the collections a state's containers set off took over half the time of loading one
            doc = _dict(orjson.loads(body))
            if header.split(b" ")[1] != b"%d" % FORMAT:
                _entities_counted(_dict(doc["builder"]))
            builder = _builder(_dict(doc["builder"]))
            positions = {(_str(topic), _int(part)): _int(offset)
                         for topic, part, offset in _list(doc["positions"])}
            del doc
    except orjson.JSONDecodeError as exc:
        raise _unreadable(origin, f"not JSON: {exc}") from None
    except (_Malformed, KeyError, IndexError, TypeError, ValueError, OverflowError, SpecbuildError,
            RecursionError) as exc:
        raise _unreadable(origin, f"{type(exc).__name__}: {exc}") from None
    return builder, positions


def decode_positions(data: bytes, origin: str = "state") -> dict[Partition, int]:
    """Only the positions of a state, without building its builder: they are the document's last key (keys
    are sorted), and no key or string of the builder holds the text that opens them (quotes are escaped)."""
    at = data.rfind(b',"positions":')
    try:
        if at < 0 or not data.endswith(b"}"):
            raise _Malformed("no positions")
        return {(_str(topic), _int(part)): _int(offset)
                for topic, part, offset in _list(orjson.loads(data[at + 13:-1]))}
    except (orjson.JSONDecodeError, _Malformed, TypeError, ValueError) as exc:
        raise _unreadable(origin, f"{type(exc).__name__}: {exc}") from None


def _entities_counted(builder: dict[str, Any]) -> None:
    """Rewrite, in place, a state of format 4 to 7's entities as format 8's sketches (READ_FORMATS)."""
    for _key, _method, op in _list(builder["operations"]):
        parts = _list(op)
        _bodies_counted(parts[3])
        for _status, resp in _list(parts[4]):
            _bodies_counted(_list(resp)[2])


def _bodies_counted(bodies: Any) -> None:
    for body in _dict(_list(bodies)[1]).values():
        shape = _list(body)[4]
        if shape is not None:
            _shape_counted(_list(shape))


def _shape_counted(shape: list[Any]) -> None:
    ents = shape[9]
    if type(ents) is dict:
        shape[9] = {v: _sketch(e) for v, e in ents.items()}
    for _name, child in _list(shape[4] or []):
        _shape_counted(_list(child))
    for child in (shape[5], shape[6]):
        if child is not None:
            _shape_counted(_list(child))


def _sketch(word: Any) -> Any:
    """An old entity word as a sketch: 1 (two things or more) as two bits; a thing's hash as its bit."""
    if type(word) is not int or word <= 0:
        return word  # 0, or not a count: _shape refuses it
    return 0b11 if word == 1 else 1 << (word >> 58)


def _unreadable(origin: str, why: str) -> InputError:
    return InputError(f"{origin}: cannot read the saved state ({why})", hint=_HINT)


def _builder(d: dict[str, Any]) -> SpecBuilder:
    headers = HeaderPolicy(include=tuple(_strs(d["include"])), exclude=tuple(_strs(d["exclude"])))
    examples = d["examples"]
    if type(examples) is not bool:
        raise _Malformed("examples is not a boolean")
    b = SpecBuilder(hints=tuple(_strs(d["hints"])), headers=headers, examples=examples)  # parses the hints
    b.exchanges, b.too_large = _int(d["exchanges"]), _int(d["too_large"])
    b.servers = Counter({(_str(scheme), _str(host)): _int(n) for scheme, host, n in _list(d["servers"])})
    span = d.get("span")
    if span is not None:
        first, last = _list(span)
        b.span = (_int(first), _int(last))
    t, saved = b.templater, _dict(d["templater"])
    t.word_cap, t.cache_size = _int(saved["word_cap"]), _int(saved["cache_size"])
    t._words = {prefix: set(_strs(words)) for prefix, words in _dict(saved["words"]).items()}
    t._keys = set(_strs(saved["keys"]))
    for key, method, op in _list(d["operations"]):
        b.operations[(_str(key), _str(method))] = _operation(op)
    return b


def _operation(d: Any) -> OperationState:
    parts = _list(d)
    if len(parts) == 6:  # format 4: no slash seen
        parts = [*parts, [0, 0]]
    count, query, headers, request, responses, security, slashes = parts
    op = OperationState()
    op.slashed, op.slashed_served = (_int(n) for n in _list(slashes))
    if not 0 <= op.slashed_served <= op.slashed:
        raise _Malformed("slashes are not counts of calls")
    op.count, op.query, op.headers = _int(count), _params(query), _params(headers)
    op.request = _bodies(request)
    for status, resp in _list(responses):
        op.responses[_int(status)] = _response(resp)
    op.security = Counter({k: _int(n) for k, n in _dict(security).items()})
    return op


def _response(d: Any) -> ResponseState:
    parts = _list(d)
    if len(parts) == 3:  # saved before specbuild counted witnesses: their number is unknown
        parts = [*parts, None]
    if len(parts) == 4:  # format 6 or older: targets only
        parts = [*parts, None]
    count, headers, bodies, witnesses, requests = parts
    resp = ResponseState()
    resp.count, resp.headers, resp.bodies = _int(count), _params(headers), _bodies(bodies)
    resp.witnesses = Witnesses() if witnesses is None else Witnesses(_hashes(witnesses))
    resp.witnesses.known = witnesses is not None
    resp.requests = None if requests is None else Witnesses(_hashes(requests))
    return resp


def _hashes(d: Any) -> list[int]:
    hashes = [_int(h) for h in _list(d)]
    if len(hashes) > K + 1 or any(not 0 <= h < 1 << 63 for h in hashes):
        raise _Malformed("witnesses are not a sketch")
    return hashes


def _bodies(d: Any) -> Bodies:
    empty, by_media = _list(d)
    out = Bodies()
    out.empty = _int(empty)
    out.by_media = {media: _body(s) for media, s in _dict(by_media).items()}
    return out


def _body(d: Any) -> BodyState:
    kind, count, too_large, example, shape, form = _list(d)
    if kind not in BODY_KINDS or (shape is None) != (kind != "json") or (form is None) != (kind != "form"):
        raise _Malformed(f"a body of kind {kind!r} with the parts of another")
    s = BodyState(kind)
    s.count, s.too_large = _int(count), _int(too_large)
    if example is not None:
        size, text = _list(example)
        s.example, s.example_size = _str(text).encode(), _int(size)
    if shape is not None and native.AVAILABLE:
        s.pending = _accumulator(shape)
    elif shape is not None:
        s.shape = _shape(shape, 0)
    if form is not None:
        s.form = _params(form)
    return s


def _params(d: Any) -> ParamMap:
    out = ParamMap()
    if type(d) is list:  # [params, dropped]
        d, dropped = _list(d)
        out.dropped = _int(dropped)
    for name, (present, repeated, count, kinds, fmts, vals) in _dict(d).items():
        p = ParamState()
        if type(repeated) is not bool:
            raise _Malformed("repeated is not a boolean")
        p.present, p.repeated = _int(present), repeated
        v = p.values
        v.count, v.kinds, v.fmts, v.vals = _int(count), _int(kinds), _int(fmts), _vals(vals)
        out[name] = p  # JSON keys are strings
    return out


def _shape(d: Any, depth: int) -> Shape:
    # the hot loop of loading (a shape per position of every body): checks inline, one call per node
    count, kinds, at, objects, props, extra, items, fmts, vals, ents = d
    if type(count) is not int or type(kinds) is not int or type(objects) is not int or type(fmts) is not int \
            or at != depth or depth > MAX_DEPTH + 1:
        raise _Malformed("a shape with counts that are not integers, or at the wrong depth")
    if vals is not None and (type(vals) is not dict or not all(type(n) is int for n in vals.values())
                             or type(ents) is not dict or ents.keys() != vals.keys()
                             or not all(type(e) is int for e in ents.values())):
        raise _Malformed("string counts or entities that are not a dict of integers")
    s = Shape.__new__(Shape)
    s.count, s.kinds, s.depth, s.objects, s.fmts, s.vals = count, kinds, depth, objects, fmts, vals
    s.ents = None if vals is None else ents
    below = depth + 1
    s.props = None if props is None else {_str(k): _shape(c, below) for k, c in _list(props)}
    s.extra = None if extra is None else _shape(extra, below)
    s.items = None if items is None else _shape(items, below)
    return s


def _accumulator(d: Any) -> Any:
    """A SHAPE as the native accumulator it was exported from (None when it saw nothing): folding goes on
    into the same tree, as if the fold had never stopped (which keys are evicted at a crowded position
    depends on that). The native side checks it as :func:`_shape` does."""
    acc = native.from_export(d)
    return acc if acc.count else None


def _vals(d: Any) -> dict[str, int] | None:
    if d is not None and (type(d) is not dict or any(type(n) is not int for n in d.values())):
        raise _Malformed("string counts that are not a dict of integers")
    return d


def _checked(kind: type, what: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if type(value) is not kind or (type(value) is int and value < 0):
            raise _Malformed(f"{value!r:.40} is not {what}")
        return value
    return check


_int: Callable[[Any], int] = _checked(int, "a count")
_str: Callable[[Any], str] = _checked(str, "a string")
_dict: Callable[[Any], dict[str, Any]] = _checked(dict, "an object")
_list: Callable[[Any], list[Any]] = _checked(list, "a list")


def _strs(value: Any) -> list[str]:
    return [_str(s) for s in _list(value)]
