"""Properties a learned response had in every object, gone from every object of new traffic; pure.

A learned spec claims ``required`` only on enough distinct requests (learn/rules.py
REQUIRED_MIN_WITNESSES): a place of 47 answers claims none of its own (a body it shares as one component
with a well-witnessed place carries that place's claim, learn/components.py; an object below it, none).
So a property in every one of 47 answers, alone, carries no claim, and ``check`` saw nothing when it went
from all of the next 47. Its presence is still evidence: a property without its own count was seen in
every object of its parent (drift/evidence.py). :func:`watched` lists those of a response's schema,
by parent; a :class:`Presence` follows them through the traffic until each is seen once (most within a
few bodies: then it costs nothing), and :meth:`Presence.gone` names those absent from every object
where the counts say that is no chance (evidence.overturned, the test ``required`` has).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from specbuild.drift.evidence import (
    GONE_MIN_WITNESSES,
    MAX_COUNTED,
    ROUTE_MIN_CALLS,
    in_every,
    overturned,
    ref_counts,
    root_inherited,
    seen_of,
)
from specbuild.refs import follow

ITEMS: Final = "[]"  # a step into an array's items
MAX_DEPTH: Final = 8

Path = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Watched:
    """Properties seen in every object at ``path`` (``()``: the body), on ``before`` objects at most."""

    path: Path
    names: frozenset[str]
    before: int
    # ``before`` counts a route's calls (evidence.route_bodies): the new traffic's are counted, each call one
    # request, and ROUTE_MIN_CALLS of them at least must all lack a name
    calls: bool = False


def watched(doc: Mapping[str, Any], schema: Any, answered: int | None,
            shared: frozenset[str] = frozenset(), calls: int | None = None) -> tuple[Watched, ...]:
    """The properties of a learned body ``schema`` (local ``$ref``s followed in ``doc``, its spec) seen in
    every object of their parent and not claimed ``required`` (a claim ``check`` already tests), with the
    bodies that reached the parent: the fewest values on the way down (an array's items counted as the
    arrays that held them), capped by ``answered``: the distinct requests this response answered, where
    the schema's counts may be a shared component's, pooled from other places; only where at least
    GONE_MIN_WITNESSES did. ``shared``: the ``$ref``s the spec makes more than once (:func:`shared_refs`);
    below the body, such a component's count is no count of this place. ``calls``: a route's calls, where
    they are the body's evidence (evidence.route_bodies), in place of the distinct requests at its root."""
    node = follow(doc, schema)
    bodies = seen_of(node)
    if bodies is None or answered is None:
        return ()  # not learned: a hand-written spec's absent property is just optional
    out: list[Watched] = []
    if calls is None:
        _walk(_Spec(doc, shared, ref_counts(doc)), node, (), min(bodies, answered), frozenset(), out)
    else:  # the root's own count is its distinct requests (one): the calls stand there
        _walk(_Spec(doc, shared, ref_counts(doc), bodies), node, (), calls, frozenset(), out, counted=False)
    return tuple(sorted(out, key=lambda w: w.path))


def shared_refs(doc: Any) -> frozenset[str]:
    """The ``$ref``s ``doc`` makes more than once (a component shared by several places)."""
    seen: set[str] = set()
    shared: set[str] = set()
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                (shared if ref in seen else seen).add(ref)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return frozenset(shared)


@dataclass(frozen=True, slots=True)
class _Spec:
    """What :func:`_walk` reads a spec's counts by: the spec, its shared ``$ref``s, and whether a ``$ref``
    property carries its own count beside it (evidence.ref_counts)."""

    doc: Mapping[str, Any]
    shared: frozenset[str]
    ref_counts: bool
    # where a route's calls stand at the body's root (evidence.route_bodies): the root's own count, which
    # a component in every object of its parent inherited (evidence.root_inherited); else None
    inherited: int | None = None


def _walk(spec: _Spec, node: Any, path: Path, count: int, refs: frozenset[int], out: list[Watched],
          counted: bool = True) -> None:
    if not isinstance(node, Mapping) or len(path) > MAX_DEPTH or id(node) in refs:
        return
    refs = refs | {id(node)}
    n = seen_of(node) if counted else None
    # the fewest values on the way down: an array's items count as the arrays that held them, and a pooled
    # count (a shared component's) as no more than its parent's here
    count = count if n is None else min(n, count)
    props = node.get("properties")
    if isinstance(props, Mapping):
        required = set(node.get("required") or ())
        names = frozenset(k for k, p in props.items() if k not in required and in_every(p, spec.ref_counts))
        if names and count >= GONE_MIN_WITNESSES:
            out.append(Watched(path, names, count, calls=spec.inherited is not None))
        for k, p in sorted(props.items()):
            child, shared_here = _counted(spec.doc, spec.shared, p)
            if shared_here and k not in required and not spec.ref_counts:
                continue  # an older spec: how often a shared component was here is unknown (_counted)
            own = seen_of(p)  # a property absent from some objects here: in as many as its count (beside a $ref)
            _walk(spec, child, (*path, k), count if own is None else min(own, count), refs, out,
                  _counted_at(spec, p, child, own))
    items = node.get("items")
    if node.get("type") == "array" and isinstance(items, Mapping):
        child, _ = _counted(spec.doc, spec.shared, items)
        _walk(spec, child, (*path, ITEMS), count, refs, out)


def _counted_at(spec: _Spec, prop: Any, child: Any, own: int | None) -> bool:
    """Whether ``child``'s own count is evidence at its place: not where a route's calls stand at the root and
    ``child`` is a component in every object of its parent (``prop`` a ``$ref`` without a count beside it)
    whose count is the root's, inherited (evidence.root_inherited)."""
    if own is not None or not (isinstance(prop, Mapping) and "$ref" in prop):
        return True
    return not root_inherited(seen_of(child), spec.inherited)


def _counted(doc: Mapping[str, Any], shared: frozenset[str], node: Any) -> tuple[Any, bool]:
    """``node``, its ``$ref`` followed, and whether the count there is pooled from several places.

    - A schema without a count of its own is a person's (None: nothing below is followed): every
      component a learner writes has one (learn/components.py), and ``--spec`` refers a learned object to
      the person's component it fits (learn/overlay.py); an optional property it lists was never seen.
    - A component the spec refers to more than once carries the counts of its best-evidenced place, and
      the ``$ref`` none of its own: an object in 3 of this place's 47 answers and in 130 of 130 elsewhere
      reads 130. How often it was here is known only where its parent claims it ``required`` (then as
      often as its parent), and for an array's items, no more often than the array: :func:`_walk` caps
      the pooled count by the parent's and, in an older spec, follows no optional property into it. A
      spec that writes a ``$ref`` property's own count beside it (evidence.ref_counts) says how often it
      was here: in every object of its parent without one, in that many with one; both are followed.
    """
    if isinstance(node, Mapping) and "$ref" in node:
        target = follow(doc, node)
        if seen_of(target) is None:
            return None, False
        return target, node["$ref"] in shared
    return node, False


def reached(value: Any, path: Path) -> list[dict[str, Any]]:
    """The objects of ``value`` at ``path`` (each item, where a step is ``[]``)."""
    nodes = [value]
    for step in path:
        nxt: list[Any] = []
        for node in nodes:
            if step == ITEMS:
                if isinstance(node, list):
                    nxt.extend(node)
            elif isinstance(node, dict) and step in node:
                nxt.append(node[step])
        nodes = nxt
        if not nodes:
            return []
    return [node for node in nodes if isinstance(node, dict)]


ExchangeKey = tuple[str, str, int, str]  # (method, path, status, origin): the smallest is a finding's example
NO_EXCHANGE: Final[ExchangeKey] = ("\uffff", "", 0, "")


@dataclass(slots=True)
class _Parent:
    watched: Watched
    unseen: set[str]
    requests: set[int] = field(default_factory=set)
    # the smallest exchange that reached this parent: one that reached another (settled or not) says
    # nothing of this one's properties, and which others were still followed depends on the record order
    example: ExchangeKey = NO_EXCHANGE


@dataclass(slots=True)
class Presence:
    """One learned response's watched properties, followed through new traffic (it pickles: a pool's
    worker returns it, :meth:`merge` folds it in)."""

    parents: dict[Path, _Parent] = field(default_factory=dict)

    @classmethod
    def of(cls, watched_: tuple[Watched, ...]) -> Presence:
        return cls({w.path: _Parent(w, set(w.names)) for w in watched_})

    def observe(self, value: Any, request: int, example: ExchangeKey) -> None:
        """One body, answered to ``request`` (a digest of it: distinct requests are the evidence; of a route
        whose calls are, a digest of the call, check._call)."""
        for path in list(self.parents):
            parent = self.parents[path]
            objects = reached(value, path)
            if not objects:
                continue
            parent.unseen -= {name for name in parent.unseen if any(name in o for o in objects)}
            if not parent.unseen:
                del self.parents[path]  # every name seen: nothing here can be gone
                continue
            if len(parent.requests) < MAX_COUNTED:
                parent.requests.add(request)
            parent.example = min(parent.example, example)

    @property
    def settled(self) -> bool:
        return not self.parents

    def merge(self, other: Presence) -> None:
        """Another share of the same traffic: a name seen in either was seen; a parent gone from either
        was settled there."""
        for path in [p for p in self.parents if p not in other.parents]:
            del self.parents[path]
        for path, parent in list(self.parents.items()):
            theirs = other.parents[path]
            parent.unseen &= theirs.unseen
            parent.requests |= theirs.requests
            parent.example = min(parent.example, theirs.example)
            if not parent.unseen:
                del self.parents[path]

    def gone(self) -> list[tuple[str, int, int, ExchangeKey]]:
        """(pointer, objects before, requests now, the smallest exchange that reached its parent) of each
        watched property absent from every object new traffic showed at its parent, beyond chance."""
        out = []
        for path, parent in sorted(self.parents.items()):
            now = min(len(parent.requests), MAX_COUNTED)
            before = parent.watched.before
            if parent.watched.calls and now < ROUTE_MIN_CALLS:
                continue  # a route's calls are a series: a few without a name are a moment, not a change
            if overturned(before, now, now):
                out += [(pointer(path, name), before, now, parent.example) for name in sorted(parent.unseen)]
        return out


def pointer(path: Path, name: str) -> str:
    """``items[].name``: the place as check's subjects read."""
    out = ""
    for step in (*path, name):
        out = f"{out}{step}" if step == ITEMS or not out else f"{out}.{step}"
    return out
