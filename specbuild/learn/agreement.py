"""When a learned schema fits one a person wrote, so ``--spec`` refers to theirs (learn/overlay.py); pure.

A learned shape *fits* a written schema when every value the traffic showed, as far as the learned
shape tells, is one the written schema accepts:

- **types**: each learned type is a written one (an integer is a number); a written schema without a
  type accepts any. A null object or list needs a nullable written one (a person writes those apart:
  GitHub's ``nullable-milestone``); a null beside a scalar type is not compared, as the learner makes a
  property name seen null anywhere nullable everywhere (render.py), so it says little about this place;
- **objects**: every learned property is a written property (the learned object may have fewer) and
  fits it; a property the written schema requires was in every learned object (learned ``required``, or
  no count of its own: seen as often as its object); a written ``additionalProperties: false`` refuses
  the keys learned beyond the listed ones, and learned map values fit the written map's;
- **arrays**: the items fit; a learned ``anyOf``: every branch fits; a written ``anyOf``/``oneOf``: one
  branch does;
- **values**: a written enum needs a learned enum of its values (none learned: too many values, or too
  few to tell); a string format the traffic can tell (``date-time``, ``uuid``, ...) written is learned
  too (its absence says a value did not match).

Not compared, the person's word: ``pattern``, bounds, lengths, an integer's width. A written ``allOf``
or ``not`` is not compared (nothing fits it), nor a learned ``{}`` (only null, or nothing, was seen).
A person's component is theirs: a learned object with a property it lacks does not fit, and keeps a
learned component of its own.

A learned object may fit several components. It takes the one of its own name, else the one whose name
has most words of its learned name (``Cinder``: ``...v1.CinderVolumeSource``, ``Assignee`` none), then
the one it has the largest share of the properties of. A name without a word of its own needs two thirds
of the properties (a learned ``{id}`` is no ``Repository``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Final

from specbuild.extensions import SEEN
from specbuild.learn.components import shareable
from specbuild.learn.naming import words
from specbuild.learn.rules import FORMAT_RULES
from specbuild.refs import follow

REF_PREFIX: Final = "#/components/schemas/"
# the string formats the learner tags values with: written, the traffic's values were checked for it
_TOLD: Final = frozenset(name for name, _ in FORMAT_RULES)
# the share of a written component's properties (or enum values) a learned object of another name needs
_COVER: Final = 2 / 3


def _types(schema: dict[str, Any]) -> set[str] | None:
    """The JSON types a schema allows (None: any), ``null`` included when nullable (3.0) or listed (3.1)."""
    t = schema.get("type")
    if t is None:
        return None
    out = set(t) if isinstance(t, list) else {t}
    if schema.get("nullable") is True:
        out.add("null")
    return out


class Fits:
    """Compares learned schemas (refs into ``learned``) with written ones (refs into ``written``)."""

    def __init__(self, learned: dict[str, Any], written: dict[str, Any], names: set[str]) -> None:
        """``names``: the components of ``written`` a learned object may take (the person's)."""
        self.learned, self.written = learned, written
        self.memo: dict[tuple[int, int, int | None], bool] = {}
        # the nodes the memo's ids name, kept alive: a node freed (an overlay's copy of a learned operation,
        # once merged) gives its id to the next, which would read its answer
        self.alive: list[tuple[Any, Any]] = []
        schemas = (written.get("components") or {}).get("schemas") or {}
        self.candidates = [(name, body) for name in sorted(names)
                           if shareable(body := follow(written, schemas[name]))]
        # which candidates have a property (an enum value): a learned object's are all in a fitting one
        self.keys = [_keys(body) for _, body in self.candidates]
        self.having: dict[Any, set[int]] = {}
        for i, keys in enumerate(self.keys):
            for key in keys:
                self.having.setdefault(key, set()).add(i)

    def component(self, schema: Any, own: str = "") -> str | None:
        """The written component ``schema`` fits (``own``: its learned name), or None."""
        node = follow(self.learned, schema)
        if not shareable(node):
            return None
        mine = _keys(node)
        found = sorted((self.having.get(key, set()) for key in mine), key=len)
        best: tuple[bool, int, float, int, str] | None = None
        for i in sorted(set.intersection(*found)) if found else ():
            (name, body), theirs = self.candidates[i], self.keys[i]
            cover, related = len(mine) / len(theirs), _related(own, name)
            if name != own and not related and cover < _COVER:
                continue
            rank = (name != own, -related, -cover, len(theirs), name)
            if (best is None or rank < best) and self.fits(node, body, node.get(SEEN)):
                best = rank
        return best[-1] if best else None

    def fits(self, learned: Any, written: Any, count: int | None) -> bool:
        """``learned`` (seen ``count`` times, when its evidence says) accepted by ``written``."""
        lnode, wnode = follow(self.learned, learned), follow(self.written, written)
        if not isinstance(lnode, dict) or not isinstance(wnode, dict):
            return False
        count = lnode.get(SEEN, count) if isinstance(lnode.get(SEEN, count), int) else None
        key = (id(lnode), id(wnode), count)
        if key not in self.memo:
            self.memo[key] = self._fits(lnode, wnode, count)
            self.alive.append((lnode, wnode))
        return self.memo[key]

    def _fits(self, learned: dict[str, Any], written: dict[str, Any], count: int | None) -> bool:
        if "allOf" in written or "not" in written:
            return False
        if isinstance(learned.get("anyOf"), list):
            return all(self.fits(b, written, count) for b in learned["anyOf"])
        for union in ("anyOf", "oneOf"):
            if isinstance(written.get(union), list):
                return any(self.fits(learned, b, count) for b in written[union])
        if not _types_fit(learned, written) or not _values_fit(learned, written):
            return False
        if isinstance(learned.get("items"), dict) and isinstance(written.get("items"), dict) \
                and not self.fits(learned["items"], written["items"], count):
            return False
        return self._object_fits(learned, written, count)

    def _object_fits(self, learned: dict[str, Any], written: dict[str, Any], count: int | None) -> bool:
        mine: dict[str, Any] = _dict(learned, "properties") or {}
        theirs = _dict(written, "properties")
        extra = written.get("additionalProperties", True)
        for prop, sub in mine.items():
            if theirs is not None:  # the person listed the keys: each learned one is theirs, alike
                if prop not in theirs or not self.fits(sub, theirs[prop], count):
                    return False
            elif extra is False or (isinstance(extra, dict) and not self.fits(sub, extra, count)):
                return False  # a written map: its values say what every key holds
        more = learned.get("additionalProperties")
        if (more is True or isinstance(more, dict)) and extra is False:
            return False  # keys were seen beyond the listed ones: the person's schema refuses any
        if isinstance(more, dict):  # keys told by their values only (a map, or names clashing: +1, -1)
            others = [sub for p, sub in (theirs or {}).items() if p not in mine]
            if not all(self.fits(more, sub, count) for sub in [*others, *([extra] if isinstance(extra, dict) else [])]):
                return False
        # every property the person requires was in every learned object
        required = written.get("required")
        return not isinstance(required, list) or all(p in mine and self._always(learned, p, count) for p in required)

    def _always(self, learned: dict[str, Any], prop: str, count: int | None) -> bool:
        """``prop`` was in every learned object: required, or seen as often as its object."""
        if prop in (learned.get("required") or ()):
            return True
        sub = learned["properties"][prop]
        # a $ref's own count beside it (learn/components.py): how often the property was here; the component
        # behind it counts its objects at every place, or none at all (a person's, which a learned one joined)
        own = sub.get(SEEN) if isinstance(sub, dict) else None
        if not isinstance(own, int):
            node = follow(self.learned, sub)
            own = node.get(SEEN) if isinstance(node, dict) else None
        return count is not None and (not isinstance(own, int) or own >= count)


def _related(own: str, name: str) -> int:
    """How many words of a learned name the written one has (``Cinder``: ``...v1.CinderVolumeSource``
    before ``...v1.PortworxVolumeSource`` of the same properties)."""
    compact = re.sub(r"[^a-z0-9]", "", name.rsplit(".", 1)[-1].lower())
    return sum(1 for word in words(own) if len(word) > 1 and word in compact)


def _keys(schema: dict[str, Any]) -> frozenset[Any]:
    """An object's property names, or an enum's values (tagged apart: a property ``open`` is no value)."""
    if isinstance(schema.get("properties"), dict):
        return frozenset(("p", name) for name in schema["properties"])
    return frozenset(("v", _hashable(v)) for v in schema.get("enum") or ())


def _dict(schema: dict[str, Any], key: str) -> dict[str, Any] | None:
    value = schema.get(key)
    return value if isinstance(value, dict) else None


def _hashable(value: Any) -> Any:
    return repr(value) if isinstance(value, (dict, list)) else value


def _types_fit(learned: dict[str, Any], written: dict[str, Any]) -> bool:
    theirs = _types(written)
    if theirs is None:
        return True
    mine = _types(learned)
    if mine is None:  # nothing but null was seen here (or nothing at all)
        return learned.get("nullable") is not True or "null" in theirs
    if "number" in theirs:
        mine.discard("integer")
    if not mine & {"object", "array"}:
        # a property name seen null anywhere is nullable everywhere (render.py): beside a scalar type a
        # learned null says little about this place (an object's or a list's null is compared: a person
        # writes a nullable one apart, GitHub's nullable-milestone)
        mine.discard("null")
    return mine <= theirs


def _values_fit(learned: dict[str, Any], written: dict[str, Any]) -> bool:
    told = written.get("format")
    if told in _TOLD and "string" in (_types(learned) or ()) and learned.get("format") != told:
        return False  # the learner checked every value for the formats it tells: one did not match
    mine, theirs = learned.get("enum"), written.get("enum")
    if not isinstance(theirs, list):
        return True
    allowed = {_hashable(v) for v in theirs}
    return isinstance(mine, list) and all(_hashable(v) in allowed or (v is None and "null" in (_types(written) or ()))
                                          for v in mine)


def schemas_in(node: Any) -> Iterator[dict[str, Any]]:
    """Every schema of the bodies under ``node`` (a path item or an operation): requests and responses."""
    if isinstance(node, dict):
        if isinstance(node.get("content"), dict):
            for media in node["content"].values():
                if isinstance(media, dict) and isinstance(media.get("schema"), dict):
                    yield media
        for key, value in node.items():
            if key not in ("content", "parameters", "headers", "examples", "example"):
                yield from schemas_in(value)
