"""Schema inference: fold JSON values (bodies) or strings (parameters, headers) and render a schema; pure.

>>> shape = Shape(); shape.add({"id": 1, "at": "2024-03-04T08:00:00Z"}); shape.add({"id": 2.5, "at": None})
>>> shape.to_schema()["properties"]["at"]
{'format': 'date-time', 'nullable': True, 'type': 'string'}

genson's ``SchemaBuilder`` is the model (fold values in, render once) and the reference the tests hold
this module to (``tests/helpers.py``: ``reference_schema``), but its fold is several times too slow for
our budget (``bench/schema_speed.py`` measures both; CHANGELOG.md has the figures): the fold below is
one slotted node class walked with ``type(v)`` dispatch, scalars handled inline in the dict and list
loops, no allocation per value.

What a node keeps is small and bounded: counts, a bitmask of the JSON kinds seen, a bitmask of the
string formats every string so far matched (it only shrinks, and is not tested once empty), the
distinct strings while they could still be an enum (at most ENUM_MAX), and its children (at most
MAX_PROPS keys per object position, more only where every object there has them all: a record that
wide; and MAX_DEPTH levels). Every part merges exactly, so folding in any order, or in pieces merged
later, gives the same schema; the one exception is a position with more than MAX_PROPS distinct keys,
where the rarest keys are evicted (see :func:`_evict`).

Rules of the rendered schema (OpenAPI 3.0 by default, 3.1 on request):
- integer unless a float was seen (then number); bool is never an integer.
- ``format`` only when every string at the position matched it; ``time`` is RFC 3339 full-time
  (with offset), as JSON Schema defines it.
- null beside other kinds: ``nullable: true`` (3.0) or a type list with "null" (3.1), on each branch
  of an ``anyOf`` so tools that read ``nullable`` only next to ``type`` agree.
- a position only ever null says nothing about its type: it accepts anything (3.0 keeps
  ``nullable: true`` as the record that null was seen; 3.0 ``nullable`` without ``type`` has no effect).
- ``required``: properties present in every object seen there, once at least REQUIRED_MIN_OBJECTS were
  seen (from fewer, "always there" is not evidence: a field present 80% of the time is in all of 3
  objects half the time); properties and required sorted.
- several kinds at one position: ``anyOf`` with one branch per kind (kinds are disjoint, so ``oneOf``
  would also hold without null; ``anyOf`` stays valid with it).
- ``enum`` only for short token-like strings seen often, each distinct value repeated, and never under
  a name that says id, name, email, url, text, a person or an owned thing (``owner``, ``principal``,
  ``project``), nor for references like ``account:alice`` (render.py also asks a response body for
  ENUM_MIN_WITNESSES distinct requests).
- objects whose keys are data (``app.kubernetes.io/name``, file names) rather than names, sparse and with
  one kind of value, render as maps (``additionalProperties``).
- a position seen often whose keys are mostly one-offs (mock-server filler, ids as keys) lists only
  the keys that recur, with ``additionalProperties: true`` to say that others come and go.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterable
from functools import lru_cache, reduce
from typing import Any, ClassVar, Final, NamedTuple

from specbuild.extensions import CALLS, SEEN
from specbuild.formats import fullmatcher
from specbuild.http import WORD_SPLIT  # a name's words, as the secret rule splits them
from specbuild.learn.rules import (
    ANNOTATION,
    BLOB_ENDINGS,
    BOOL_TEXT,
    ENUM_ENTITIES_PER_VALUE,
    ENUM_HEXISH,
    ENUM_MAX,
    ENUM_MIN_SEEN,
    ENUM_NUMERIC,
    ENUM_TOKEN,
    EVICT_KEEP,
    FORMAT_RULES,
    FREE_NAMES,
    GLUED_ID_MIN,
    HEADER_OBJECTS,
    HEX_ID_MIN,
    ID_ENDING_WORDS,
    ID_MIN_DIGITS,
    ID_MIN_LEN,
    IDENTIFIER,
    INT_TEXT,
    ITEM_IDENTITY_KEYS,
    KEY_VALUE_EXTRA,
    KEY_VALUE_MIN_KEYS,
    LABEL,
    MAP_DATA_SHARE,
    MAP_MAX_FILL,
    MAP_MIN_DATA_KEYS,
    MAP_MIN_KEYS,
    MAP_MIN_LABELS,
    MAX_DEPTH,
    MAX_PROPS,
    MEDIA_TYPE,
    NODE_NAME,
    NOISE_MIN_OBJECTS,
    NOISE_MIN_ONCE,
    NOISE_MIN_SHARE,
    NUMBER_START,
    NUMBER_TEXT,
    NUMBERED_KEYS,
    QUALIFIED_NAME,
    REFERENCE,
    RELEASE,
    REQUIRED_MIN_OBJECTS,
    USER_OBJECT_ENDINGS,
    USER_OBJECTS,
)
from specbuild.segments import classify_segment, numbered_alike

__all__ = ["KeyValues", "Shape", "StringsShape", "fields_among", "infer_schema", "infer_strings", "names_who",
           "who_values"]


class KeyValues:
    """The strings an API's bodies hold as who or what (render.key_values), and the names its records
    hold as fields, worked out by ``fields`` from those strings the first time an object's keys are
    mostly among them (most APIs never ask: the walk of every core path was ~0.5% of a build)."""

    __slots__ = ("_fields", "_find", "values")

    def __init__(self, values: frozenset[str] = frozenset(),
                 fields: Callable[[frozenset[str]], set[str]] | None = None) -> None:
        self.values = values
        self._find = fields
        self._fields: frozenset[str] | None = None if fields is not None else frozenset()

    def __repr__(self) -> str:  # the values only: kafka.group.view_digest spells render options so
        return f"KeyValues({sorted(self.values)!r})"

    def fields(self) -> frozenset[str]:
        if self._fields is None:
            assert self._find is not None
            self._fields = frozenset(self._find(self.values))
        return self._fields


NO_KEY_VALUES: Final = KeyValues()

# JSON kinds seen at a position (bitmask). ANY: a value we do not descend into (too deep, not JSON).
NULL, BOOL, INT, FLOAT, STR, OBJ, ARR, ANY = 1, 2, 4, 8, 16, 32, 64, 128


# -- string formats (the rules: rules.FORMAT_RULES) ----------------------------------------------------
def _matcher(rule: str | tuple[str, Callable[[str], bool]]) -> Callable[[str], object]:
    if isinstance(rule, tuple):
        return rule[1]
    return fullmatcher(rule)


# A test returns a truthy value for a match.
FORMATS: Final[tuple[tuple[str, Callable[[str], object]], ...]] = tuple(
    (name, _matcher(rule)) for name, rule in FORMAT_RULES)
ALL_FORMATS: Final = (1 << len(FORMATS)) - 1
_TESTS: Final = tuple((1 << i, test) for i, (_, test) in enumerate(FORMATS))
# By candidate mask: the one test when a single format is left, else None (then _narrow tests them all).
_TEST_OF: Final[tuple[Callable[[str], object] | None, ...]] = tuple(
    next((test for bit, test in _TESTS if bit == mask), None) for mask in range(ALL_FORMATS + 1))


def _narrow(mask: int, v: str) -> int:
    """The formats of ``mask`` that ``v`` matches."""
    out = 0
    for bit, test in _TESTS:
        if mask & bit and test(v):
            out |= bit
    return out


def _format_name(mask: int) -> str:
    return FORMATS[(mask & -mask).bit_length() - 1][0]


# -- enum guard (the rules: rules.ENUM_*, HEX_ID_MIN, ID_MIN_*, FREE_NAMES) ---------------------------
_TOKEN, _NUMERIC, _HEXISH = (fullmatcher(p) for p in (ENUM_TOKEN, ENUM_NUMERIC, ENUM_HEXISH))
_WORD_SPLIT = re.compile(WORD_SPLIT)
_DIGIT = re.compile(r"[0-9]", re.ASCII)


def _enumish(v: str) -> bool:
    """Whether ``v`` could be one value of an enum: a short token, not a number, id, date, url, text."""
    if _TOKEN(v) is None or _NUMERIC(v) is not None or (len(v) >= HEX_ID_MIN and _HEXISH(v) is not None):
        return False
    digits = len(_DIGIT.findall(v))
    if len(v) >= ID_MIN_LEN and digits >= ID_MIN_DIGITS:
        return False  # mixes letters and digits like a generated id
    # Every format a token can match (date, time, uuid, ip, uri) has a digit or a colon: skip the tests.
    if ":" not in v and not digits:
        return True
    return _narrow(ALL_FORMATS, v) == 0


def _entities_enough(ents: dict[str, int], values: int) -> bool:
    """Each value seen in two things at least (one read however often says unseen values are likely), and
    ENUM_ENTITIES_PER_VALUE things a value in all: a few people's choices are no closed set."""
    told = [e for e in ents.values() if e]
    if not told:
        return True  # nothing told (a body that is one string): the counts alone decide
    if any(e.bit_count() < 2 for e in told):
        return False
    return entities(reduce(operator.or_, told)) >= ENUM_ENTITIES_PER_VALUE * values


def _last_word(key: str | None) -> str:
    """What a name names: ``created_by_account`` -> ``account``."""
    return _WORD_SPLIT.split(key.rstrip("[]").strip("_-. "))[-1].lower() if key else ""


def _free_name(key: str | None) -> bool:
    word = _last_word(key)
    return word in FREE_NAMES or (word.endswith("s") and word[:-1] in FREE_NAMES) or _glued_id(word)


def _glued_id(word: str) -> bool:
    """``blockid``, ``leaseids``: a thing's name glued to ``id`` (rules.GLUED_ID_MIN, ID_ENDING_WORDS)."""
    stem = word[:-1] if word.endswith("ids") else word
    return stem.endswith("id") and len(stem) >= GLUED_ID_MIN and stem not in ID_ENDING_WORDS


def _enum(vals: dict[str, int] | None, key: str | None, ents: dict[str, int] | None = None) -> list[Any] | None:
    if vals is None or not 2 <= len(vals) <= ENUM_MAX:
        return None
    if sum(vals.values()) < max(ENUM_MIN_SEEN, 5 * len(vals)) or min(vals.values()) < 2:
        return None  # a value seen once says unseen values are likely
    if ents is not None and not _entities_enough(ents, len(vals)):
        return None
    if _free_name(key) or _references(vals):
        return None
    return sorted(vals)


# -- entities: in how many distinct arrays or objects a value was seen (native/src/shape.rs' twins) ----
_MASK: Final = (1 << 64) - 1
_MIX: Final = 0x517CC1B727220A95


def _mix(h: int, word: int) -> int:
    return ((((h << 5) | (h >> 59)) & _MASK ^ word) * _MIX) & _MASK


def key_hash(text: str) -> int:
    """The native fold's hash of a key or string (FxHash over the UTF-8 bytes, eight at a time)."""
    data = text.encode()
    whole = len(data) - len(data) % 8
    h = 0
    for i in range(0, whole, 8):
        h = _mix(h, int.from_bytes(data[i:i + 8], "little"))
    if whole < len(data):
        word = 0
        for b in reversed(data[whole:]):
            word = (word << 8) | b
        h = _mix(h, word)
    return h


HASHED_EVENTS: Final = 32  # events of a container its hash reads (native/src/body.rs: what identifies it comes first)


def _events(v: Any, out: list[tuple[int, ...]]) -> int:
    """Append the hash words of ``v``'s events on the native tape (body.rs' ``Walk::container``), a tuple
    an event, up to HASHED_EVENTS of them: a scalar is one event, an array or object one (its length in
    events) and its contents'. Past them events are only counted (a length before them needs them)."""
    t = type(v)
    if t is dict or t is list:
        at = len(out)
        if at < HASHED_EVENTS:
            out.append(())
        n = 1 + _inner_events(v, out)
        if at < HASHED_EVENTS:
            out[at] = (9 if t is dict else 8, n)
        return n
    if len(out) < HASHED_EVENTS:
        out.append(_scalar_event(v))
    return 1


def _scalar_event(v: Any) -> tuple[int, ...]:
    t = type(v)
    if v is None:
        return (1,)
    if t is bool:
        return (2 + v,)
    if t is int:
        return (4, v & _MASK)
    if t is float:  # any float alike: serde_json may read a float a bit off orjson's
        return (5,)
    return (6, key_hash(v))


def _inner_events(v: dict[str, Any] | list[Any], out: list[tuple[int, ...]]) -> int:
    n = 0
    if type(v) is dict:
        for key, x in v.items():
            if len(out) < HASHED_EVENTS:
                out.append((7, key_hash(key)))
            n += 1 + _events(x, out)
    else:
        for x in v:
            n += _events(x, out)
    return n


Container = dict[str, Any] | list[Any]
# the hash of the path a response answered; in an array, with the nearest item (_holder_entity)
Salt = int | tuple[Container, int]


def _holder_entity(holder: Container | None, salt: Salt = 0) -> int:
    """The entity word of the array or object a value sits in (0: none, a body that is one string).
    ``salt``: the hash of the path a response answered (body.rs' ``Walk::salt``), where the hash starts;
    in an array, with the nearest item at or above ``holder``, the thing it belongs to: its identity where
    it has one (whatever path answered), else the hash starts from its content's (``Holder::entity``)."""
    if holder is None:
        return 0
    if isinstance(salt, int):
        return 1 << (_container_hash(holder, salt) >> 58)
    item, path = salt
    h = _identity(item)
    if h is None:
        h = _container_hash(holder, path if item is holder else _container_hash(item, path))
    return 1 << (h >> 58)


def _identity(item: Container) -> int | None:
    """What a listed object is (body.rs' ``Walk::identity``): the hash of its first own key named in
    rules.ITEM_IDENTITY_KEYS that holds a string or an integer, with that value; None without one."""
    if type(item) is dict:
        for key, v in item.items():
            if key in ITEM_IDENTITY_KEYS and (type(v) is str or type(v) is int):
                h = 0
                for word in (7, key_hash(key), *_scalar_event(v)):
                    h = _mix(h, word)
                return h
    return None


def _container_hash(container: Container, start: int) -> int:
    events: list[tuple[int, ...]] = []
    _inner_events(container, events)
    h = start
    for event in events:
        for word in event:
            h = _mix(h, word)
    return h


# A value's entities (_holder_entity): a sketch of the distinct arrays or objects it was seen in, one bit of
# 64 for each (the top six bits of its hash pick it; shape.rs' ``entity``), 0 where none are told. From
# ENTITIES_ENOUGH bits on no rule asks for more: it is ENTITIES_ALL, and its holders are no longer hashed.
ENTITIES_ENOUGH: Final = 32
ENTITIES_ALL: Final = (1 << 64) - 1
NO_ENUMS, BY_COUNTS, BY_ENTITIES = 0, 1, 2  # how a render weighs enums (Shape.to_schema's enums, entities)


def _merge_entities(a: int, b: int) -> int:
    """Two sketches as one: the union of their bits, ENTITIES_ALL from ENTITIES_ENOUGH on. Order-free (one
    fold, or shards merged, is all ones exactly when the union of every holder's bit reaches it)."""
    union = a | b
    return ENTITIES_ALL if union.bit_count() >= ENTITIES_ENOUGH else union


def entities(sketch: int) -> float:
    """How many distinct things a sketch of 64 buckets saw: linear counting's estimate (all 64 bits set:
    more than it can tell)."""
    empty = 64 - sketch.bit_count()
    return math.inf if not empty else -64 * math.log(empty / 64)


_REFERENCE = fullmatcher(REFERENCE)


def _references(vals: dict[str, int]) -> bool:
    """Values that each name someone of a kind (``account:alice``, ``account:bob``, ``group:ops``):
    the names vary behind fewer kinds, and the next sample brings other people. Or values of which some
    are prefixed and some bare (``created``, ``desc:name``: a sort direction before any field): a prefix
    composed with values, whose pairs the next sample varies (ZenML's ``sort_by``); so are fields with a
    sort direction, every one prefixed (``capacity:desc``, ``starts_at:asc``: Strapi's ``sort[0]``). A set
    all prefixed, a kind each (``read:org``, ``admin:hook``), is a closed set of scopes."""
    prefixed = sum(_REFERENCE(v) is not None for v in vals)
    if prefixed < len(vals):
        return prefixed > 0
    if any(_sort_direction(v) for v in vals):
        return True  # a field composed with a direction (Strapi's ``sort[0]=capacity:desc``): any field, next time
    return len({v.split(":", 1)[0] for v in vals}) < len(vals)


_DIRECTIONS: Final = frozenset({"asc", "desc"})


def _sort_direction(v: str) -> bool:
    """``capacity:desc``, ``desc:name``: a sort direction on one side of the colon, a field on the other."""
    head, _, tail = v.partition(":")
    return head.lower() in _DIRECTIONS or tail.lower() in _DIRECTIONS


def _fold_str_stats(node: Shape | StringsShape, v: str) -> None:
    """Narrow the format candidates and count the value while an enum is possible."""
    f = node.fmts
    if f:
        test = _TEST_OF[f]
        if test is None:
            node.fmts = _narrow(f, v)
        elif not test(v):
            node.fmts = 0
    if node.vals is not None:
        _count_value(node, v)


def _count_value(node: Shape | StringsShape, v: str, holder: Container | None = None, salt: Salt = 0) -> None:
    """Count ``v``, and the entity of ``holder`` (the array or object it sits in; ``salt``: as
    _holder_entity's) while it has one."""
    vs = node.vals
    if vs is not None:
        n = vs.get(v)
        ents = node.ents
        if n is not None:
            vs[v] = n + 1
            if ents is not None:
                e = ents[v]
                if e and e != ENTITIES_ALL:
                    ents[v] = _merge_entities(e, _holder_entity(holder, salt))
        elif len(vs) < ENUM_MAX and _enumish(v):
            vs[v] = 1
            if ents is not None:
                ents[v] = _holder_entity(holder, salt)
        else:
            _no_enum(node)


def _no_enum(node: Shape | StringsShape) -> None:
    """The position's strings can no longer be an enum: its values (and their entities) are let go."""
    node.vals = None
    if isinstance(node, Shape):
        node.ents = None


def _merge_str_stats(node: Shape | StringsShape, other: Shape | StringsShape) -> None:
    node.fmts &= other.fmts
    mine, theirs = node.vals, other.vals
    if mine is None or theirs is None:
        _no_enum(node)
        return
    for v, n in theirs.items():
        mine[v] = mine.get(v, 0) + n
    ents, their_ents = node.ents, other.ents
    if len(mine) > ENUM_MAX:
        _no_enum(node)
    elif ents is not None and their_ents is not None:
        for v, e in their_ents.items():
            ents[v] = _merge_entities(ents.get(v, 0), e)


# -- JSON values -----------------------------------------------------------------------------------
class Shape:
    """What was seen at one position of JSON values; fold with :meth:`add`, render with :meth:`to_schema`.

    Plain attributes only, so it pickles (a checkpoint) and merges (:meth:`merge`) exactly.
    """

    __slots__ = ("count", "depth", "ents", "extra", "fmts", "items", "kinds", "objects", "props", "vals")

    def __init__(self, depth: int = 0) -> None:
        self.count = 0                           # values folded here
        self.kinds = 0                           # JSON kinds seen (NULL | BOOL | ...)
        self.depth = depth                       # nesting level of this position (root: 0)
        self.objects = 0                         # objects seen (a property is required if seen in all)
        self.props: dict[str, Shape] | None = None   # object properties by key
        self.extra: Shape | None = None          # values of rare keys evicted to keep props bounded
        self.items: Shape | None = None          # array elements
        self.fmts = ALL_FORMATS                  # formats every string so far matched
        self.vals: dict[str, int] | None = {}    # distinct strings and counts; None: not an enum
        self.ents: dict[str, int] | None = {}    # their entities (_holder_entity), as vals; None with it

    def add(self, value: Any, salt: int = 0) -> None:
        """Fold one parsed JSON value (dict, list, str, int, float, bool or None); ``salt``: the hash of
        the path a response answered, where its entities' hashes start (0: none told)."""
        _fold(self, value, salt)

    def merge(self, other: Shape) -> None:
        """Fold in everything ``other`` saw, as if its values had been added here."""
        if other is self:
            other = other.copy()
        self.count += other.count
        self.kinds |= other.kinds
        self.objects += other.objects
        _merge_str_stats(self, other)
        # most merged shapes are leaves (a map's values: 41k of the mix's 100k render's 47k): no calls for them
        if other.items is not None:
            self.items = _merged(self.items, other.items)
        if other.extra is not None:
            self.extra = _merged(self.extra, other.extra)
        if other.props is not None:
            props = self.props
            if props is None:
                props = self.props = {}
            for key, child in other.props.items():
                mine = props.get(key)
                if mine is None:
                    props[key] = child.copy()
                else:
                    mine.merge(child)
            if len(props) > MAX_PROPS:
                _evict(self, props)

    def copy(self) -> Shape:
        """A deep copy (merging never shares nodes, so later folds into one leave the other alone)."""
        out = Shape(self.depth)
        out.count, out.kinds, out.objects, out.fmts = self.count, self.kinds, self.objects, self.fmts
        out.vals = None if self.vals is None else dict(self.vals)
        out.ents = None if self.ents is None else dict(self.ents)
        out.items = None if self.items is None else self.items.copy()
        out.extra = None if self.extra is None else self.extra.copy()
        out.props = None if self.props is None else {k: c.copy() for k, c in self.props.items()}
        return out

    def exported(self) -> tuple[Any, ...]:
        """This shape in the layout of the native accumulator's ``export()`` (properties sorted by key): what
        a state file writes (learn/state.py) and ``native.from_export`` reads."""
        props = self.props
        return (self.count, self.kinds, self.depth, self.objects,
                None if props is None else [(key, child.exported()) for key, child in sorted(props.items())],
                None if self.extra is None else self.extra.exported(),
                None if self.items is None else self.items.exported(),
                self.fmts, self.vals, self.ents)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # A state file holds tens of thousands of shapes: as a flat tuple each pickles in ~60% of the time
        # and bytes of the default (a dict of the slots per object).
        return _restored, (self.count, self.kinds, self.depth, self.objects, self.props, self.extra,
                           self.items, self.fmts, self.vals, self.ents)

    def to_schema(self, *, openapi: str = "3.0", enums: bool = True, evidence: bool = False,
                  path_values: frozenset[str] = frozenset(), entities: bool = False,
                  fields: Callable[[str], frozenset[str]] | None = None,
                  key_values: KeyValues = NO_KEY_VALUES) -> dict[str, Any]:
        """The schema of everything folded so far (``{}`` when nothing was); with ``evidence``, the
        counts behind its claims in ``x-specbuild-seen`` (see SEEN). ``path_values``: the words the
        paths hold as parameter values (keys among them are data: a map). ``entities``: an enum wants
        each value in two arrays or objects (what a server answers: the same stored event read on
        every page is one); without, in two values (what clients send: each call a choice of its own).
        ``fields``: the fields of the resource's answers under an object's name (:class:`Known`).
        ``key_values``: the strings the API's bodies hold as who or what (render.key_values; keys
        among them, but the names its records hold as fields, are data: a map)."""
        mode = (BY_ENTITIES if entities else BY_COUNTS) if enums else NO_ENUMS
        schema = _render(self, None, openapi.startswith("3.1"), mode,
                         Known(path_values, fields or _no_fields, key_values))
        return schema if evidence else without_seen(schema)


def without_seen(node: Any) -> Any:
    """``node`` without its evidence counts (a schema's and a response's), at any depth."""
    if isinstance(node, dict):
        return {k: without_seen(v) for k, v in node.items() if k != SEEN and k != CALLS}
    if isinstance(node, list):
        return [without_seen(v) for v in node]
    return node


def _merged(mine: Shape | None, theirs: Shape | None) -> Shape | None:
    if theirs is None:
        return mine
    if mine is None:
        return theirs.copy()
    mine.merge(theirs)
    return mine


def _evict(node: Shape, props: dict[str, Shape]) -> None:
    """Make room at a position with too many distinct keys: its rarest keys' values move to ``extra``.

    Only here does the fold depend on order (which rare keys were still tracked): real properties
    recur and stay, one-off keys (ids used as keys, mock-server filler) go. A key in every object seen
    at the position (``count >= objects``) is never a victim, however many such keys: that is a record
    wider than MAX_PROPS (MockServer's configuration has 273 fields), whose every field the first
    object already shows. Their number is bounded by the first object's keys, so memory stays bounded
    by what one body holds. In place, as the caller's loop holds ``props``.
    """
    objects = node.objects
    ranked = sorted(((c.count, k) for k, c in props.items() if c.count < objects))
    keep = EVICT_KEEP
    victims = [k for n, k in ranked if n == 1]
    if len(props) - len(victims) > keep:
        victims = [k for _, k in ranked[: len(props) - keep]]
    if not victims:
        return
    extra = node.extra
    if extra is None:
        extra = node.extra = Shape(node.depth + 1)
    for key in victims:
        extra.merge(props.pop(key))


def _fold(node: Shape, v: Any, salt: Salt = 0) -> None:
    node.count += 1
    t = type(v)
    if t is str:
        node.kinds |= STR
        if node.fmts or node.vals is not None:
            _fold_str_stats(node, v)
    elif t is dict:
        _fold_dict(node, v, salt)
    elif t is int:
        node.kinds |= INT
    elif t is list:
        _fold_list(node, v, salt)
    elif t is bool:  # bool is a subclass of int: the exact type() test keeps them apart
        node.kinds |= BOOL
    elif v is None:
        node.kinds |= NULL
    elif t is float:
        node.kinds |= FLOAT
    else:
        node.kinds |= ANY


# The two loops below repeat _fold's scalar cases inline: a call per scalar costs more than the rest of
# the work, and most values are scalars inside objects and arrays.
def _fold_dict(node: Shape, v: dict[str, Any], salt: Salt = 0) -> None:
    node.kinds |= OBJ
    node.objects += 1
    if node.depth >= MAX_DEPTH:
        node.kinds |= ANY
        return
    props = node.props
    if props is None:
        props = node.props = {}
    for k, x in v.items():
        try:
            c = props[k]
        except KeyError:
            c = props[k] = Shape(node.depth + 1)
        c.count += 1
        t = type(x)
        if t is str:
            c.kinds |= STR
            f = c.fmts
            if f:
                test = _TEST_OF[f]
                if test is None:
                    c.fmts = _narrow(f, x)
                elif not test(x):
                    c.fmts = 0
            if c.vals is not None:
                _count_value(c, x, v, salt)
        elif t is int:
            c.kinds |= INT
        elif t is dict:
            _fold_dict(c, x, salt)
        elif t is bool:
            c.kinds |= BOOL
        elif x is None:
            c.kinds |= NULL
        elif t is list:
            _fold_list(c, x, salt)
        elif t is float:
            c.kinds |= FLOAT
        else:
            c.kinds |= ANY
    # room is made once the object is read, not while: every key it holds is then counted, so the
    # fields of a record wider than MAX_PROPS are each in every object, and none is evicted (_evict)
    if len(props) > MAX_PROPS:
        _evict(node, props)


def _fold_list(node: Shape, v: list[Any], salt: Salt = 0) -> None:
    node.kinds |= ARR
    if node.depth >= MAX_DEPTH:
        node.kinds |= ANY
        return
    c = node.items
    if c is None:
        c = node.items = Shape(node.depth + 1)
    c.count += len(v)
    path = salt if isinstance(salt, int) else salt[1]
    for x in v:
        t = type(x)
        if t is str:
            c.kinds |= STR
            f = c.fmts
            if f:
                test = _TEST_OF[f]
                if test is None:
                    c.fmts = _narrow(f, x)
                elif not test(x):
                    c.fmts = 0
            if c.vals is not None:
                _count_value(c, x, v, salt)
        elif t is dict:
            _fold_dict(c, x, (x, path))  # an item is what the values in it belong to (_holder_entity)
        elif t is int:
            c.kinds |= INT
        elif t is list:
            _fold_list(c, x, (x, path))
        elif t is bool:
            c.kinds |= BOOL
        elif x is None:
            c.kinds |= NULL
        elif t is float:
            c.kinds |= FLOAT
        else:
            c.kinds |= ANY


_NONE: Final = frozenset[str]()


def _no_fields(name: str) -> frozenset[str]:
    """No fields known beyond the body (its resource's answers not asked)."""
    return _NONE


class Known(NamedTuple):
    """What rendering a body knows from beyond it. ``path_values``: the words the paths hold as parameter
    values (keys among them are data: a map). ``fields``: the fields the resource's answers hold in most of
    their objects under an object's name (``data``, ``items[]``), asked only where it decides (render works
    them out on the first asking): sparse keys under a name users fill in that are all such fields are a
    partial update's, a record's optional fields, not each user's keys."""

    path_values: frozenset[str]
    fields: Callable[[str], frozenset[str]]
    key_values: KeyValues  # the strings the bodies hold as who or what (KeyValues)


# -- rendering -------------------------------------------------------------------------------------
# Traffic cannot tell int32 from int64, nor float from double: the widest are named, so code generated
# from the spec never truncates a value (an int32 field read as int64 loses nothing; the reverse can).
# An integer past 64 bits is parsed as a float (bodies) or kept a string (parameters); one between
# 2**63 and 2**64 would be mislabelled int64, a risk taken for values that rare.
INTEGER: Final = {"type": "integer", "format": "int64"}
NUMBER: Final = {"type": "number", "format": "double"}
# The keys of a scalar's schema as rendered: no schema below it (a type is a name or a list of names; an
# enum, an example or a default is data). The walks of the paths pass over such schemas, most of them.
SCALAR_KEYS: Final = frozenset({"type", "format", "nullable", SEEN, "enum", "example", "examples", "default"})


# A value seen as four of JSON's five non-null kinds (numbers one kind) is any JSON value: a setting's
# or a variable's value, chosen by a user. The union of the kinds one sample happened to hold is no
# promise about the next (Prefect's variable ``value``: array, boolean, integer and string in one sample,
# an object in the next), so the spec claims no type there. Three kinds stay a union: GitHub documents
# its validation errors' ``value`` as exactly string, integer or array.
ANY_JSON_KINDS: Final = 4


def _kind_count(kinds: int) -> int:
    return sum(1 for k in (BOOL, INT | FLOAT, STR, OBJ, ARR) if kinds & k)


# _kind_count of every combination of the kinds it counts, looked up by _render: it asks of every node
# of every body (a generator each time was ~1% of a render of the mix)
_TYPED: Final = BOOL | INT | FLOAT | STR | OBJ | ARR
_KIND_COUNTS: Final = tuple(_kind_count(kinds) for kinds in range(_TYPED + 1))


def _render(node: Shape, key: str | None, v31: bool, enums: int, known: Known) -> dict[str, Any]:
    kinds = node.kinds
    if kinds & ANY or not kinds & ~NULL:
        return {"nullable": True} if kinds == NULL and not v31 else {}
    if _KIND_COUNTS[kinds & _TYPED] >= ANY_JSON_KINDS:
        return {SEEN: node.count}
    branches: list[dict[str, Any]] = []
    if kinds & ARR:
        # the items keep their array's name (``ids``: no enum), marked as items (``labels[]``: entities)
        items = {} if node.items is None else _render(node.items, key and key + "[]", v31, enums, known)
        branches.append({"items": items, "type": "array"})
    if kinds & BOOL:
        branches.append({"type": "boolean"})
    if kinds & (INT | FLOAT):
        branches.append(dict(NUMBER if kinds & FLOAT else INTEGER))
    if kinds & OBJ:
        branches.append(_render_object(node, key, v31, enums, known))
    if kinds & STR:
        branches.append(_string_schema(node.fmts, node.vals if enums else None, key,
                                       node.ents if enums == BY_ENTITIES else None))
    if kinds & NULL:
        for branch in branches:
            _add_null(branch, v31)
    if len(branches) == 1:
        branches[0][SEEN] = node.objects if kinds & OBJ else node.count
        return branches[0]
    for branch in branches:  # of a union, only the counts the shape keeps per branch
        if branch.get("type") == "object" or "additionalProperties" in branch:
            branch[SEEN] = node.objects
        elif "enum" in branch and node.vals:
            branch[SEEN] = sum(node.vals.values())
    return {"anyOf": branches}


def _render_object(node: Shape, key: str | None, v31: bool, enums: int, known: Known) -> dict[str, Any]:
    props = node.props or {}
    keys = _kept_keys(node)
    dropped = len(keys) < len(props) or node.extra is not None   # keys seen beyond the listed ones
    # A map: only one-off keys, or dictionary-like keys of which none is in most objects (those that
    # recurred did so by chance) or, with nothing dropped, dictionary-like keys at all; or keys a client
    # numbered beside ids, however often they recur.
    if (dropped and not keys) or (keys and not _ids_beside_other_kinds(node, keys)
                                  and not _fields_beside_family(node, keys)
                                  and (_dictionary(node, keys, key, dropped, known)
                                       or _numbered_beside_ids(node, keys, dropped))):
        return _map_schema(_children(node), node, v31, enums, known)
    if not keys:
        return {"type": "object"}
    out: dict[str, Any] = {}
    # fields beside keys that are ids (npm's ``time``: created, modified, 1.0.0, 1.1.0, ...) or beside many
    # sparse keys of one record (Pushgateway's groups: a key per metric family each job pushed)
    ids = _id_keys(keys) or _family_keys(node, keys)
    if ids:
        keys = [k for k in keys if k not in ids]
        extra = [props[k] for k in sorted(ids)] + ([] if node.extra is None else [node.extra])
        out["additionalProperties"] = _map_schema(extra, node, v31, enums, known).get("additionalProperties", True)
    else:
        # a number beside names, in few of the objects, is an index (a batch error's ``"3": {...}``
        # beside ``code``), left to the keys beyond the listed ones; in most, a column (``404``: a count)
        index = [k for k in keys if k.isdigit() and 2 * props[k].count < node.objects]
        if index and len(index) < len(keys):
            keys = [k for k in keys if k not in index]
            dropped = True
        if dropped:
            out["additionalProperties"] = True  # says so: keys beyond the listed ones were seen and are fine
    out["properties"] = {k: _render(props[k], k, v31, enums, known) for k in keys}
    for k in _schema_maps(props, keys):  # a JSON Schema carried as data: its field names are each user's
        out["properties"][k] = _map_schema(_children(props[k]), props[k], v31, enums, known)
    for k in keys:  # a property in every object was seen as often as its object: said once, there
        # (but any JSON keeps its count: the one mark that tells it from ``{}``, nothing learned, which
        # nullability.share_any reads)
        here = out["properties"][k]
        if props[k].count >= node.objects and here.get(SEEN) == props[k].count and len(here) > 1:
            del here[SEEN]
    if node.objects >= REQUIRED_MIN_OBJECTS:
        required = [k for k in keys if props[k].count >= node.objects]
        if required:
            out["required"] = required
    out["type"] = "object"
    return out


def _ids_beside_other_kinds(node: Shape, keys: list[str]) -> bool:
    """Keys that are ids, of one kind of value, beside a few names whose values are of another kind
    (changedetection.io's watch list keyed by UUIDs, and the same operation's ``{"status": "OK"}``):
    merged as one map's values the kinds would clash and say any object, every record's fields lost;
    the ids are left to the map of their values and the names to fields (:func:`_id_keys`' rule)."""
    ids = _id_keys(keys)
    if not ids or len(ids) == len(keys):
        return False
    props = node.props or {}
    return _kind_count_of([props[k] for k in ids]) == 1 and _kind_count_of(_children(node)) > 1


def _kind_count_of(children: list[Shape]) -> int:
    """How many kinds of value (null aside) the shapes hold together."""
    kinds = 0
    for child in children:
        kinds |= child.kinds
    return _value_kinds(kinds)


def _value_kinds(kinds: int) -> int:
    """How many kinds of value ``kinds`` holds, null aside: an integer and a fraction are one (``number``,
    as :func:`_render` says it), any JSON one more."""
    if kinds & FLOAT:
        kinds = (kinds & ~FLOAT) | INT
    return bin(kinds & ~NULL).count("1")


def _children(node: Shape) -> list[Shape]:
    """The shapes of every key's values at ``node``: its properties', and the keys dropped beyond them."""
    props = list((node.props or {}).values())
    return props if node.extra is None else [*props, node.extra]


def _map_schema(children: list[Shape], node: Shape, v31: bool, enums: int, known: Known) -> dict[str, Any]:
    """An object of arbitrary keys: their values' schema when they share one kind, else any object
    (``additionalProperties: true`` says so, which an object only ever seen empty does not)."""
    merged = Shape(node.depth + 1)
    for child in children:
        merged.merge(child)
    if _value_kinds(merged.kinds) != 1:
        return {"additionalProperties": True, "type": "object"}
    # the values themselves (or a list of them) are what each user wrote, never an enum (``labels``'
    # ``prod``: the next team has ``canary``); a map of records keeps its records' fields' enums
    own = enums if merged.kinds & OBJ or (merged.items is not None and merged.items.kinds & OBJ) else NO_ENUMS
    return {"additionalProperties": _render(merged, None, v31, own, known), "type": "object"}


def _kept_keys(node: Shape) -> list[str]:
    """The keys rendered as properties, sorted: all, unless the position is full of one-off keys.

    A position seen often whose keys are mostly seen once (mock-server filler, ids used as keys)
    keeps only the keys that recur; the others are left to the schema's default of allowing any.
    """
    props = node.props or {}
    n = node.objects
    # counted only where it can decide (NOISE_MIN_ONCE keys seen once need as many keys): most are not
    once = sum(1 for c in props.values() if c.count == 1) \
        if node.extra is None and n >= NOISE_MIN_OBJECTS and len(props) >= NOISE_MIN_ONCE else 0
    noisy = node.extra is not None or (
        n >= NOISE_MIN_OBJECTS and once >= NOISE_MIN_ONCE and once > 2 * (len(props) - once))
    if not noisy:
        return sorted(props)
    floor = max(2, NOISE_MIN_SHARE * n)
    return sorted(k for k, c in props.items() if c.count >= floor)


_IDENTIFIER = re.compile(IDENTIFIER).fullmatch
_ANNOTATION = re.compile(ANNOTATION).fullmatch
_RELEASE = re.compile(RELEASE).fullmatch
_MEDIA_TYPE = re.compile(MEDIA_TYPE, re.IGNORECASE).fullmatch
_NODE_NAME = re.compile(NODE_NAME).fullmatch
_QUALIFIED_NAME = re.compile(QUALIFIED_NAME).fullmatch
_HEADER_OBJECT = re.compile(HEADER_OBJECTS).fullmatch
_LABEL = re.compile(LABEL).fullmatch


@lru_cache(maxsize=1 << 14)  # pure, and asked of the same property names by every object's keys
def _shaped_as_data(key: str) -> bool:
    """``ticket/id``, ``repo:name``, ``end seconds``: no field is named so; an annotation
    (``@odata.type``) is, dotted as it is."""
    return _IDENTIFIER(key) is None and _ANNOTATION(key) is None


def _keyed_by_ids(keys: list[str]) -> bool:
    """Keys that are ids (``1``..``12``, UUIDs, ``@alice:host``, ``rabbit@mq-1``, dates, opaque tokens, releases such as
    ``1.0.0``) or media types, every one: a map from ids to values, however full each object is; the next
    sample brings other ids. One such key is enough (npm's ``versions`` of a package published once, an
    API Gateway method's ``requestTemplates`` for ``application/json`` alone): no API names a field
    ``1.0.0``, ``42`` or ``application/json``. Keys numbered alike are ids only beside ids
    (:func:`_numbered_beside_ids`)."""
    return bool(keys) and all(_is_id_key(k) for k in keys)


def _dictionary(node: Shape, keys: list[str], key: str | None, dropped: bool, known: Known) -> bool:
    """Dictionary-like ``keys`` (:func:`_render_object`'s), none of them in most objects where keys were
    ``dropped`` beside them (those that recurred did so by chance)."""
    props = node.props or {}
    return (_keyed_by_ids(keys) or _keyed_by_path_values(keys, known.path_values)
            or _counts_by_id(node, keys) or _looks_like_map(node, key, known.fields) or _values_alike(node)
            or _keyed_by_key_values(keys, known.key_values)) and (
        not dropped or all(2 * props[k].count < node.objects for k in keys))


def _numbered_beside_ids(node: Shape, keys: list[str], dropped: bool) -> bool:
    """Keys numbered alike beside ids (kept, or one-off and dropped: ``dropped``), values of one kind: ids
    a client numbered (OpenFGA's batch checks, ``chk-0`` .. ``chk-7`` beside UUIDs), a map however full:
    a client numbers its own from 0 in every batch, so their recurring is no chance. NUMBERED_KEYS of one
    stem at least; without ids beside them numbered keys are a record's fields (a survey's ``question_1``
    .. ``question_5``, ``address_line_1`` .. ``_3``), and so are values of several kinds."""
    rest = [k for k in keys if not _is_id_key(k)]
    if not rest or not (dropped or len(rest) < len(keys)) or len(numbered_alike(rest, NUMBERED_KEYS)) < len(rest):
        return False
    props = node.props or {}
    return len({props[k].kinds & ~NULL for k in keys} - {0}) == 1


@lru_cache(maxsize=1 << 14)  # pure, and asked of the same few thousand property names by every object
def _is_id_key(key: str) -> bool:
    """A key that is an id: a typed path segment (a number, a UUID, a date, a token...), a release, a media
    type, a node's name (``rabbit@mq-1``), or a name a DNS name qualifies (``ray.io/node-id``)."""
    return (classify_segment(key) is not None or _RELEASE(key) is not None or _MEDIA_TYPE(key) is not None
            or _NODE_NAME(key) is not None or _QUALIFIED_NAME(key) is not None)


def _counts_by_id(node: Shape, keys: list[str]) -> bool:
    """Numbers (or flags: one kind) under names, one at least an id shaped as no field is (Ray's resources:
    ``CPU``, ``memory`` and ``node:192.0.2.2``): the names are keys of the same map as the id, counts of
    what each is (the next cluster has another node), never a record's fields. Strings beside such a key
    are a record's (a ``Name`` beside ``k8s.io/cluster``) unless a name for users' keys holds them
    (``labels``); an object value, values of two kinds, or ids that are most of the keys make a record with
    ids beside (:func:`_id_keys`)."""
    props = node.props or {}
    if len(keys) < 2 or any(c.kinds & ~(NULL | INT | FLOAT | BOOL) for c in props.values()):
        return False
    if _kind_count_of(_children(node)) != 1 or _id_keys(keys):  # npm's ``time``: names beside ids are fields
        return False
    return any(_is_id_key(k) and _IDENTIFIER(k) is None for k in keys)


def _id_keys(keys: list[str]) -> set[str]:
    """The keys that are ids where they are two or more and at least half of the keys, beside a few
    names: the ids are a map's keys (the next sample brings other releases), the names its fields."""
    ids = {k for k in keys if _is_id_key(k)}
    return ids if len(ids) >= 2 and 2 * len(ids) >= len(keys) else set()


def _family_keys(node: Shape, keys: list[str]) -> set[str]:
    """The keys that come and go beside fields in every object, when they are MAP_MIN_KEYS or more, each
    in at most MAP_MAX_FILL of the objects on average, and their values all objects with one same set of
    fields (Pushgateway's groups: ``labels``, ``push_time_seconds`` ... in every group, and one key per
    metric family the job pushed, ``{"help", "metrics", "time_stamp", "type"}``): a map of that record
    beside the fields, as :func:`_values_alike` says of a whole object. A record's optional fields are
    fewer, or in most objects, or hold different shapes."""
    props = node.props or {}
    sparse = [k for k in keys if props[k].count < node.objects]
    if len(sparse) < MAP_MIN_KEYS or len(sparse) == len(keys):
        return set()
    if sum(props[k].count for k in sparse) > MAP_MAX_FILL * node.objects * len(sparse):
        return set()
    fields = None
    for k in sparse:
        child = props[k]
        if child.kinds & ~NULL != OBJ or not child.props:
            return set()
        if fields is None:
            fields = child.props.keys()
        elif child.props.keys() != fields:
            return set()
    return set(sparse)


def _fields_beside_family(node: Shape, keys: list[str]) -> bool:
    """Keys in every object beside a family (:func:`_family_keys`), one of them of another shape than the
    family's record: Pushgateway's groups keep ``labels`` (a map of strings) beside one key per metric
    family, every value an object. Taken whole as a map, the record's fields would be merged into the
    family's values and lost, and a field gone from every group would go unseen by ``diff``. A record,
    its fields and the family as its ``additionalProperties``. A map stays a map: where a key in every
    object holds the family's record, give or take a field (a ``default`` entry in each), or is data."""
    family = _family_keys(node, keys)
    if not family:
        return False
    props = node.props or {}
    fields = (props[next(iter(family))].props or {}).keys()
    named = [k for k in keys if k not in family]
    if any(_IDENTIFIER(k) is None or _shaped_as_data(k) for k in named):
        return False  # Gradio's ``/classify_ticket`` in every answer beside sparse ones: all a map's keys
    # not the family's record with a field more or less (an endpoint's optional ``code_snippets``)
    return any(props[k].kinds & ~NULL != OBJ or not (props[k].props or {}).keys() & fields for k in named)


def _keyed_by_path_values(keys: list[str], values: frozenset[str]) -> bool:
    """Keys of which most, two at least, are values the paths hold as a parameter's (``GET /alice``
    listing ``indexes: {dev: ..., prod: ...}`` beside ``/alice/dev``): a map keyed by those names; the
    next sample brings other users and indexes."""
    known = sum(k in values for k in keys)
    return known >= 2 and 2 * known >= len(keys)


def _keyed_by_key_values(keys: list[str], data: KeyValues) -> bool:
    """Keys of which more than half, two at least (rules.KEY_VALUE_MIN_KEYS), are strings the bodies hold
    as who or what and no record's field (render.key_values: doccano's ``{"anna.k": {...}, "ben_t":
    {...}}`` beside the members' ``username``): a map keyed by those names; the next sample brings
    other users. Asked last (the records' fields are worked out the first time it is asked)."""
    if not data.values:
        return False
    held = [k for k in keys if k in data.values]
    if len(held) < KEY_VALUE_MIN_KEYS or 2 * len(held) <= len(keys):
        return False
    fields = data.fields()
    known = sum(k not in fields for k in held)
    return known >= KEY_VALUE_MIN_KEYS and 2 * known > len(keys)


def who_values(node: Shape, who: Callable[[str], bool]) -> list[str]:
    """The distinct strings of each position of ``node`` holding two or more among its enum candidates
    whose name ``who`` takes (an array's items under the array's name; the root and the keys evicted
    beyond the listed ones have none): native/src/body.rs' who_values, for the shapes folded here."""
    out: list[str] = []
    stack: list[tuple[Shape, str | None]] = [(node, None)]
    while stack:
        at, name = stack.pop()
        if name is not None and at.vals is not None and len(at.vals) >= 2 and who(name):
            out.extend(at.vals)
        if at.extra is not None:
            stack.append((at.extra, None))
        if at.props:
            stack.extend((sub, key) for key, sub in at.props.items())
        if at.items is not None:
            stack.append((at.items, name))
    return out


def fields_among(node: Shape, held: frozenset[str]) -> list[str]:
    """The keys of ``held`` that are a record's fields somewhere in ``node``: at an object position where
    they are at most half of its listed keys (native/src/body.rs' fields_among)."""
    out: list[str] = []
    stack = [node]
    while stack:
        at = stack.pop()
        if at.props:
            known = [key for key in at.props if key in held]
            if known and 2 * len(known) <= len(at.props):
                out.extend(known)
            stack.extend(at.props.values())
        if at.items is not None:
            stack.append(at.items)
        if at.extra is not None:
            stack.append(at.extra)
    return out


@lru_cache(maxsize=1 << 12)  # asked of every position's name that holds values, in every body
def names_who(name: str) -> bool:
    """A field whose strings name who or what (rules.FREE_NAMES, KEY_VALUE_EXTRA): its values may be keys
    that are data elsewhere (rules.KEY_VALUE_MIN_KEYS)."""
    return _free_name(name) or _last_word(name) in KEY_VALUE_EXTRA


def _looks_like_map(node: Shape, key: str | None, fields: Callable[[str], frozenset[str]] = _no_fields) -> bool:
    """Keys that are data (``app.kubernetes.io/name``, ``hello.py``, many sparse keys), one kind of value.

    Each object carries a small share of all the keys seen, and every value has the same kind: a
    dictionary, not a record with optional fields (those mix kinds, or recur in most objects). Under a
    name for what users fill in (``labels``, ``metadata``, ``settings``), keys that differ from object
    to object, none in every one, of one kind or scalars and lists, are enough: each user's keys, a map
    (of mixed kinds: an open object), never a union; so is a key shaped as data there, however full the objects
    (``k8s.io/cluster-autoscaler/prod`` beside the ``Name`` every user sets: no field is named so). Two
    or more keys, every one shaped as data and one kind of value, are a map anywhere, in every object or
    not: a health report's ``checks`` keyed ``sqlite3:responseTime``, ``storage:local:responseTime``
    (``application/health+json``) names this deployment's components, not the API's fields.
    """
    props = node.props
    if not props:
        return False
    kinds = {c.kinds & ~NULL for c in props.values()} - {0}  # a value only ever null fits any map
    if key is not None and _HEADER_OBJECT(key) and not any(k & OBJ for k in kinds):
        return True  # header names as keys, each call its own few: rules.HEADER_OBJECTS
    # values of one kind, or scalars and lists of them (a run's ``customer_ids`` beside its ``dry_run``)
    named = key is not None and user_named(key)
    # a document each user writes (``local_config_context_data``) where its values mix objects in; of one kind
    # of values it stays what it was (a ``client_profile_data`` of optional strings is a record: review22)
    plain = len(kinds) == 1 or not any(k & OBJ for k in kinds)
    user = named if plain else free_form(key)
    if named and any(_shaped_as_data(k) for k in props):
        return True  # a group's ``exposure (s)`` beside its own ``motors`` object: each user's keys, open
    if len(props) >= 2 and len(kinds) == 1 and all(_shaped_as_data(k) for k in props):
        return True  # every key data (a health report's ``sqlite3:responseTime``), however full: a map
    if len(props) < 2 or sum(c.count for c in props.values()) > MAP_MAX_FILL * node.objects * len(props):
        return False
    if user:
        # but a key in every object is a record's field: a record (so are nested objects of mixed kinds,
        # like Kubernetes' metadata with its labels and ownerReferences); and keys that are all fields the
        # resource's answers hold under the name are a partial update's (Strapi's events' ``data``, 1-3 of
        # an event's fields each), that record's fields
        return all(c.count < node.objects for c in props.values()) and not (
            key is not None and props.keys() <= fields(key))
    if len(kinds) != 1:
        return _keyed_by_data(node)
    return len(props) >= MAP_MIN_KEYS or any(_IDENTIFIER(k) is None for k in props)


# The keys of a JSON Schema (or OpenAPI schema object) that hold schemas by the names users chose.
_SCHEMA_MAPS: Final = ("$defs", "definitions", "patternProperties", "properties")
_JSON_TYPES: Final = frozenset({"array", "boolean", "integer", "null", "number", "object", "string"})


def _schema_maps(props: dict[str, Shape], keys: list[str]) -> list[str]:
    """The keys of ``props`` that are a JSON Schema's maps of named schemas, when ``props`` is a JSON
    Schema: a ``type`` that is a JSON type's name beside an object ``properties`` (Prefect's block
    schemas and deployment parameter schemas, a Kubernetes CRD's ``openAPIV3Schema``). Every block type,
    deployment or resource brings its own field names: a map of schemas, never one record of everyone's
    fields."""
    kind, fields = props.get("type"), props.get("properties")
    if kind is None or fields is None or kind.kinds & ~NULL != STR or fields.kinds & ~NULL != OBJ:
        return []
    if not kind.vals or not kind.vals.keys() <= _JSON_TYPES:  # Azure's resources: a type and properties
        return []
    return [k for k in _SCHEMA_MAPS if k in keys and props[k].kinds == OBJ and props[k].props]


_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])").findall


@lru_cache(maxsize=1 << 14)  # pure, and asked of every property of every object (and by render.share_maps)
def user_named(key: str) -> bool:
    """A name for what users fill in: rules.USER_OBJECTS, or a compound ending in USER_OBJECT_ENDINGS."""
    return key.lower() in USER_OBJECTS or _compound_ending(key) in USER_OBJECT_ENDINGS


def free_form(key: str | None) -> bool:
    """A compound name of a document each user writes (rules.BLOB_ENDINGS: ``local_config_context_data``)."""
    return key is not None and _compound_ending(key) in BLOB_ENDINGS


@lru_cache(maxsize=1 << 14)
def _compound_ending(key: str) -> str:
    """The last word of a compound name, lower case (``podLabels`` -> ``labels``); "" for one word alone (its
    camelCase words: :func:`_last_word` splits at separators only)."""
    words = _WORD(key)
    return words[-1].lower() if len(words) > 1 else ""


def _keyed_by_data(node: Shape) -> bool:
    """Keys shaped as data (``ticket/id``, ``repo:name``, ``end seconds``), two or more and a quarter of
    the keys at least, some absent from some objects: each entity's own keys, a map (an open object where
    the values mix kinds: a metadata blob of strings, numbers and flags, a filter's ``{key: {$gt: 1}}``),
    never a union of everyone's keys. No JSON API names its fields so; one such key beside names is a
    record's odd field (``kernel.js``)."""
    props = node.props or {}
    labels = [c for k, c in props.items() if _LABEL(k)]  # ``Full name``: a column a user titled
    if len(labels) >= MAP_MIN_LABELS and any(c.count < node.objects for c in labels):
        return True
    data = [c for k, c in props.items() if _shaped_as_data(k)]
    return (len(data) >= MAP_MIN_DATA_KEYS and len(data) >= MAP_DATA_SHARE * len(props)
            and any(c.count < node.objects for c in data))


def _values_alike(node: Shape) -> bool:
    """MAP_MIN_KEYS keys or more whose values are all objects with one same set of fields (a server's
    providers by kind, each ``{"internal": ..., "providers": {...}}``): a map of that record, however
    full the object; a record's fields hold different shapes."""
    props = node.props
    if not props or len(props) < MAP_MIN_KEYS:
        return False
    fields = None
    for child in props.values():
        if child.kinds & ~NULL != OBJ or not child.props:
            return False
        if fields is None:
            fields = child.props.keys()
        elif child.props.keys() != fields:
            return False
    return True


def _string_schema(fmts: int, vals: dict[str, int] | None, key: str | None,
                   ents: dict[str, int] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    enum = _enum(vals, key, ents) if not fmts else None
    if enum is not None:
        out["enum"] = enum
    if fmts:
        out["format"] = _format_name(fmts)
    out["type"] = "string"
    return out


def _add_null(schema: dict[str, Any], v31: bool) -> None:
    # enum lists null too: 3.1 requires it, and the 3.0.3 clarification of nullable asks for it
    if "enum" in schema:
        schema["enum"].append(None)
    if v31:
        schema["type"] = [schema["type"], "null"]
    else:
        schema["nullable"] = True
        schema["type"] = schema.pop("type")  # keep keys in sorted order


def infer_schema(values: Iterable[Any], *, openapi: str = "3.0", enums: bool = True) -> dict[str, Any]:
    """The schema of JSON ``values`` (a convenience over :class:`Shape`)."""
    shape = Shape()
    for v in values:
        shape.add(v)
    return shape.to_schema(openapi=openapi, enums=enums)


def _restored(count: int, kinds: int, depth: int, objects: int, props: dict[str, Shape] | None,
              extra: Shape | None, items: Shape | None, fmts: int, vals: dict[str, int] | None,
              ents: dict[str, int] | None) -> Shape:
    """A Shape from :meth:`Shape.__reduce__`'s fields."""
    shape = Shape.__new__(Shape)
    shape.count, shape.kinds, shape.depth, shape.objects = count, kinds, depth, objects
    shape.props, shape.extra, shape.items, shape.fmts, shape.vals, shape.ents = props, extra, items, fmts, vals, ents
    return shape


# -- strings: query parameters, headers, form fields -------------------------------------------------
_INT_TEXT, _NUMBER_TEXT = fullmatcher(INT_TEXT), fullmatcher(NUMBER_TEXT)
S_BOOL, S_INT, S_NUMBER, S_STR = 1, 2, 4, 8
_NUMBER_START: Final = frozenset(NUMBER_START)
# Booleans as query strings and form fields carry them: JSON's, and Python's (requests sends ``str(True)``:
# doccano-client's ``confirmed=True``, a string enum ['False', 'True'] before; django-filter reads both)
_BOOL_TEXT: Final = frozenset(BOOL_TEXT)


class StringsShape:
    """What was seen in string-only data: "42" is an integer, "4.5" a number, "true" a boolean.

    >>> s = StringsShape(); s.add("42"); s.add("7"); s.to_schema()
    {'type': 'integer'}
    """

    __slots__ = ("count", "fmts", "kinds", "vals")
    ents: ClassVar[None] = None  # a parameter's values are each a call's: no entities are told

    def __init__(self) -> None:
        self.count = 0
        self.kinds = 0                           # S_BOOL | S_INT | S_NUMBER | S_STR
        self.fmts = ALL_FORMATS                  # formats every value so far matched
        self.vals: dict[str, int] | None = {}    # distinct values and counts; None: not an enum

    def add(self, value: str) -> None:
        """Fold one string value."""
        self.count += 1
        if value in _BOOL_TEXT:
            kind = S_BOOL
        elif value[:1] not in _NUMBER_START:  # most values are words: skip both number patterns
            kind = 0
        elif _INT_TEXT(value) is not None:
            kind = S_INT
        elif _NUMBER_TEXT(value) is not None:
            kind = S_NUMBER
        else:
            kind = 0
        if not kind:
            self.kinds |= S_STR
            if self.fmts or self.vals is not None:
                _fold_str_stats(self, value)
            return
        self.kinds |= kind
        self.fmts = 0       # numbers and booleans match no format
        self.vals = None    # and make no string enum

    def merge(self, other: StringsShape) -> None:
        """Fold in everything ``other`` saw."""
        if other is self:
            other = self.copy()
        self.count += other.count
        self.kinds |= other.kinds
        _merge_str_stats(self, other)

    def copy(self) -> StringsShape:
        out = StringsShape()
        out.count, out.kinds, out.fmts = self.count, self.kinds, self.fmts
        out.vals = None if self.vals is None else dict(self.vals)
        return out

    def to_schema(self, *, openapi: str = "3.0", enums: bool = True,
                  name: str | None = None) -> dict[str, Any]:
        """The schema of the values (``name``, the parameter's, keeps ids and names from being enums)."""
        kinds = self.kinds
        if kinds == S_BOOL:
            return {"type": "boolean"}
        if kinds == S_INT:
            return dict(INTEGER)
        if kinds and not kinds & ~(S_INT | S_NUMBER):
            return dict(NUMBER)
        if kinds != S_STR:  # nothing seen, or strings mixed with numbers or booleans
            return {"type": "string"}
        return _string_schema(self.fmts, self.vals if enums else None, name)


def infer_strings(values: Iterable[str], *, openapi: str = "3.0", enums: bool = True,
                  name: str | None = None) -> dict[str, Any]:
    """The schema of string ``values`` (a convenience over :class:`StringsShape`)."""
    shape = StringsShape()
    for v in values:
        shape.add(v)
    return shape.to_schema(openapi=openapi, enums=enums, name=name)
