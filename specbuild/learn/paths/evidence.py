"""Evidence that word siblings are values of one parameter: their profiles and how alike they are.

A sibling's *profile* is the endpoints below it (parameters as ``*``) with the response properties
seen at each. Siblings are values of one parameter when their responses are alike
(:func:`similarity`), when they share structure below them (:func:`shared_structure`:
``/namespaces/*/pods``), or when they fall where known values fall (:func:`followers`). Pure, stdlib only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Final, Protocol, Self, TypeVar, cast

from specbuild.segments import is_version

SIM_HIGH: Final = 0.7          # response shapes this alike are one resource
SIM_LOW: Final = 0.45          # ... this different are different resources
SIM_GROUP: Final = 0.6         # a group this alike can tell its clearly odd ones out
SIM_ODD: Final = 0.3           # ... as those this unlike the rest
PROFILE_DEPTH: Final = 4       # how deep below a sibling its structure is compared
PROFILE_SIZE: Final = 48       # ... and how many endpoints of it at most
MAX_COMPARED: Final = 16       # siblings compared pairwise for similarity (sorted, deterministic)
MAX_REFERENCES: Final = 8      # ... and the others each compared with this many of those


Suffix = tuple[str, ...]
Profile = dict[Suffix, frozenset[str]]


class Answers(frozenset[str]):
    """The response properties seen at an endpoint, and which method's answers held them (``calls``).

    Siblings are compared call by call: a GET's answer with a GET's, a DELETE's with a DELETE's. Values
    of one parameter are read and deleted alike whatever each value is, while a POST's receipt (or an
    operation a DELETE starts) says nothing about the resource a GET of the other returns; compared as
    one union, two values asked different things look like two resources.
    """

    __slots__ = ("_asked", "_objects", "_sole", "_tops", "calls")
    calls: dict[str, frozenset[str]]
    _asked: bool
    _sole: str | None
    _objects: frozenset[str] | None
    _tops: dict[str, frozenset[str]] | None

    def __new__(cls, props: Iterable[str] = (), calls: Mapping[str, frozenset[str]] | None = None) -> Self:
        self = super().__new__(cls, props)
        self.calls = dict(calls) if calls else {}
        self._asked = False   # sole_call not worked out yet: most answers are never compared
        self._sole = None
        self._objects = None  # object_props, once asked
        self._tops = None     # _call_tops, once asked
        return self

    def sole_call(self) -> str | None:
        """The one method that answered, if it answered all of these (none empty): compared call by call,
        such answers compare as wholes do. Worked out once (an Answers is never changed)."""
        if not self._asked:
            self._asked = True
            if len(self.calls) == 1 and self:
                method, seen = next(iter(self.calls.items()))
                self._sole = method if len(seen) == len(self) and seen == self else None
        return self._sole

    @classmethod
    def merged(cls, answers: Iterable[frozenset[str]]) -> Answers:
        """The answers of several nodes as one (siblings merged into a parameter).

        Most nodes merge with nothing (a path seen alone, an endpoint of one node in a profile): an
        Answers is never changed once made, so one alone is its own merge, not a copy of it."""
        given = [a for a in answers if a or getattr(a, "calls", None)]
        if len(given) == 1 and isinstance(given[0], cls):
            return given[0]
        sole = _sole_call(given)
        if sole is not None:
            # most merges: one method answered each of them all it held (a parameter's values, read)
            return cls._answered_by(frozenset().union(*given), sole)
        props: set[str] = set()
        calls: dict[str, set[str]] = {}
        for a in given:
            props |= a
            for method, seen in getattr(a, "calls", {}).items():
                calls.setdefault(method, set()).update(seen)
        return cls(props, {method: frozenset(seen) for method, seen in calls.items()})

    @classmethod
    def _answered_by(cls, props: frozenset[str], method: str) -> Self:
        """``props`` (not empty) all answered by ``method``, the only one: its sole call known as made."""
        self = Answers.__new__(cls, props, {method: props})
        self._asked, self._sole = True, method
        return self

    def without(self, dropped: Iterable[str]) -> Answers:
        """These answers but the ``dropped`` properties."""
        gone = frozenset(dropped)
        kept = self - gone
        sole = self.sole_call()
        if sole is not None and kept:  # one method answered all of it: its call is what is kept, not taken apart again
            return Answers._answered_by(kept, sole)
        return Answers(kept, {method: seen - gone for method, seen in self.calls.items()})


def _sole_call(given: Sequence[frozenset[str]]) -> str | None:
    """The method that is the sole call of each of ``given`` (:meth:`Answers.sole_call`), if one is."""
    first = given[0] if given and isinstance(given[0], Answers) else None
    sole = first.sole_call() if first is not None else None
    if sole is None or not all(isinstance(a, Answers) and a.sole_call() == sole for a in given):
        return None
    return sole


class Features(Answers):
    """What render.features says of a skeleton key: the property paths its operations answered, by
    method too (an :class:`Answers`), and the ``methods`` it was called with (some answer nothing).

    The plain form of features, a frozenset of strings, spells all of it out (``GET``, ``items[].name``,
    ``"GET items[].name"``); render hands this one instead, built and read without those strings: a key
    of a large API holds hundreds, and making, parsing and copying them cost most of a decision. Where
    all its properties are named, a key's Features are its answers as they are.
    """

    __slots__ = ("methods",)
    methods: frozenset[str]

    def __new__(cls, calls: Mapping[str, frozenset[str]]) -> Features:
        """``calls``: each method the key was called with -> the properties its answers held."""
        held = {method: props for method, props in calls.items() if props}
        if len(held) == 1:  # one method answered, all of it (most keys)
            self = cls._answered_by(*next((props, method) for method, props in held.items()))
        else:
            self = super().__new__(cls, frozenset().union(*held.values()), held)
        self.methods = frozenset(calls)
        return self

    def __reduce__(self) -> tuple[type[Features], tuple[dict[str, frozenset[str]]]]:
        return Features, ({method: self.calls.get(method, frozenset()) for method in self.methods},)


class _Node(Protocol):
    @property
    def keys(self) -> list[str]: ...
    @property
    def props(self) -> frozenset[str]: ...


N = TypeVar("N", bound=_Node)
R = TypeVar("R")


def walk(start: Sequence[N], children: Callable[[N], Iterable[tuple[str, N]]],
         merge: Callable[[list[N]], Answers] | None = None) -> Profile:
    """Breadth-first, nearest endpoints first, at most PROFILE_SIZE of them: what lies right below
    a sibling tells most, and a bounded profile keeps huge subtrees cheap to compare. ``merge``: the
    answers of the nodes at one endpoint (one that remembers, where the same nodes meet again)."""
    out: Profile = {}
    level: dict[Suffix, list[N]] = {(): list(start)}
    cap = 4 * PROFILE_SIZE  # the endpoints gathered a level at most (locals: the loop below is the walk's time)
    for depth in range(PROFILE_DEPTH + 1):
        below: dict[Suffix, list[N]] = {}
        for suffix, nodes in level.items():
            if nodes[0].keys if len(nodes) == 1 else any(n.keys for n in nodes):
                out[suffix] = Answers.merged(n.props for n in nodes) if merge is None else merge(nodes)
                if len(out) >= PROFILE_SIZE:
                    return out
            if depth < PROFILE_DEPTH and len(below) < cap:
                for n in nodes:
                    for label, child in children(n):
                        key = suffix + (label,)  # noqa: RUF005 (the same tuple as (*suffix, label), 40% faster)
                        same = below.get(key)
                        if same is None:
                            below[key] = [child]
                        else:
                            same.append(child)
                        if len(below) >= cap:
                            break
        level = below
    return out


def followers(members: Mapping[str, Profile], leaders: set[str], cands: set[str]) -> set[str]:
    """The leaders, and the other candidates whose endpoints all lie where the leaders' do."""
    known = {s for label in leaders for s in members[label]}
    return leaders | {label for label in cands - leaders if members[label].keys() <= known}


def shared_structure(members: Mapping[str, Profile], *, strict: bool) -> set[str]:
    """The siblings sharing a literal below them (not just a version), if most do: /namespaces/*/pods."""
    have = {label: {s for s in profile if _strong(s)} for label, profile in members.items()}
    with_any = [label for label, suffixes in have.items() if suffixes]
    counts: dict[Suffix, int] = {}
    for label in with_any:
        for s in have[label]:
            counts[s] = counts.get(s, 0) + 1
    sharing = {label for label in with_any if any(counts[s] >= 2 for s in have[label])} - _crowded(members)
    if strict:
        return sharing if len(sharing) >= 3 and 3 * len(sharing) >= 2 * len(with_any) else set()
    return sharing if len(sharing) >= 2 and 2 * len(sharing) >= len(with_any) else set()


def _crowded(members: Mapping[str, Profile]) -> set[str]:
    """The siblings whose words right below are mostly their own: most of what lies right below a value
    is shared (every namespace holds pods); a resource holding dozens of names shares a few of them
    with the next by chance (a kpi and a view both called ``alpha``), which is no structure."""
    firsts = {label: {s[0] for s in profile if s and s[0] != "*"} for label, profile in members.items()}
    counts: dict[str, int] = {}
    for below in firsts.values():
        for first in below:
            counts[first] = counts.get(first, 0) + 1
    return {label for label, below in firsts.items() if 3 * sum(1 for f in below if counts[f] >= 2) < len(below)}


def loners(members: Mapping[str, Profile], cands: Iterable[str]) -> set[str]:
    """Candidates with resources right below them that no other sibling has: a resource of its own
    (``/apps/metrics/bandwidth_daily`` beside ``/apps/{id}/deployments``), not one more value."""
    firsts = {label: {s[0] for s in profile if s and s[0] != "*"} for label, profile in members.items()}
    counts: dict[str, int] = {}
    for below in firsts.values():
        for first in below:
            counts[first] = counts.get(first, 0) + 1
    return {label for label in cands if firsts[label] and all(counts[f] == 1 for f in firsts[label])}


def similarity(members: Mapping[str, Profile], likeness: Likeness | None = None) -> tuple[float | None, set[str]]:
    """Median likeness of the siblings' responses, and the siblings unlike the rest (``likeness``: one
    that remembers, where the same answers are compared again)."""
    compare = likeness.profiles if likeness is not None else _compared
    ordered = sorted(members)
    sample = ordered[:MAX_COMPARED]
    per: dict[str, list[float]] = {label: [] for label in ordered}
    sims: list[float] = []
    for i, a in enumerate(sample):
        for b in sample[i + 1:]:
            s = compare(members[a], members[b])
            if s is not None:
                sims.append(s)
                per[a].append(s)
                per[b].append(s)
    if not sims:
        return None, set()
    sims.sort()
    median = sims[len(sims) // 2]
    if median < SIM_GROUP:  # too unlike to tell odd ones out: the rest need not be compared at all
        return median, set()
    odd = SIM_LOW if median >= SIM_HIGH else SIM_ODD
    outliers = {label for label, xs in per.items() if xs and sum(xs) / len(xs) < odd}
    references = [members[b] for b in sample[:MAX_REFERENCES]]
    # the rest are judged against a few of the sample
    outliers.update(a for a in ordered[MAX_COMPARED:] if _unlike(members[a], references, compare, odd))
    return median, outliers


# Below this much over ``odd`` a mean so far is no proof (sums of floats round): _unlike compares on.
_MARGIN: Final = 1e-9


def _unlike(profile: Profile, references: Sequence[Profile], compare: Callable[[Profile, Profile], float | None],
            odd: float) -> bool:
    """Whether ``profile``'s mean likeness to the ``references`` (those it compares with) is under ``odd``.
    Likeness is never negative: once the sum so far stays at ``odd`` or over as a mean even were every
    reference left compared at 0, the member is no outlier, and most are alike (past the sample, ~960
    members of the mix's 100k, each compared with eight references: half of similarity's time)."""
    xs: list[float] = []
    total = 0.0
    for i, reference in enumerate(references, 1):
        s = compare(profile, reference)
        if s is not None:
            xs.append(s)
            total += s
            if total / (len(xs) + len(references) - i) >= odd + _MARGIN:
                return False
    return bool(xs) and sum(xs) / len(xs) < odd


def alike(members: Mapping[str, Profile]) -> set[str]:
    """The members whose answers are like other members' answers to the same calls: most top-level
    properties a member's calls answered (``GET`` at ``()``, ``DELETE`` at ``("operations",)``) some
    other member's same call answered too (a value's rare optional field may be its own in a sample).

    Values of one parameter answer from one vocabulary; a resource of its own has fields of its own.
    A member no other member's call compares with (only ever read where the others were only deleted)
    is not said to be alike. Top-level names only: below them, one resource's answers often hold maps
    keyed by data (``response.<random key>``), and a sample of one or two answers each holds a random
    few of the optional fields, so pairwise overlap says little.
    """
    answering: dict[tuple[Suffix, str], int] = {}
    counts: dict[tuple[Suffix, str], dict[str, int]] = {}
    calls = {label: [((suffix, method), tops) for suffix, props in profile.items()
                     for method, tops in _call_tops(props).items() if tops]
             for label, profile in members.items()}
    for answers in calls.values():
        for call, tops in answers:
            answering[call] = answering.get(call, 0) + 1
            seen_here = counts.setdefault(call, {})
            for name in tops:
                seen_here[name] = seen_here.get(name, 0) + 1
    out = set()
    for label, answers in calls.items():
        names = [counts[call][name] for call, tops in answers if answering[call] >= 2 for name in tops]
        if 2 * sum(1 for n in names if n >= 2) > len(names):
            out.add(label)
    return out


def _by_method(props: frozenset[str]) -> Mapping[str, frozenset[str]]:
    """What each method answered, or all of it as one call where the methods are not told apart."""
    calls: Mapping[str, frozenset[str]] = getattr(props, "calls", {})
    return calls or {"": props}


def _call_tops(props: frozenset[str]) -> Mapping[str, frozenset[str]]:
    """The top-level names each call answered (:func:`_by_method`, :func:`_top_level`); of an Answers
    worked out once (every pass asks it of the same leaves)."""
    if not isinstance(props, Answers):
        return {method: _top_level(seen) for method, seen in _by_method(props).items()}
    if props._tops is None:
        props._tops = {method: _top_level(seen) for method, seen in _by_method(props).items()}
    return props._tops


class _Remembered(dict[str, R]):
    """A pure function of a string, its answers remembered in a dict: a hit is a plain lookup, where an
    lru_cache's moves its entry to the front too (~30 ns more a hit: the mix's 100k render asks ~250k
    times). At most REMEMBERED answers, then all forgotten at once: a long follow keeps bringing paths."""

    __slots__ = ("_of",)

    def __init__(self, of: Callable[[str], R]) -> None:
        super().__init__()
        self._of = of

    def __missing__(self, key: str) -> R:
        if len(self) >= REMEMBERED:
            self.clear()
        value = self[key] = self._of(key)
        return value


REMEMBERED: Final = 1 << 16


def _top_level(props: Iterable[str]) -> frozenset[str]:
    """``items[].name`` -> ``items``, ``[].name`` -> ``[]``: the first name of each property path."""
    return frozenset(map(_first_name, props))


def _first_name_of(path: str) -> str:
    # what comes before the first "." or "[]" ("[" and "]" are never part of a ".")
    return path[:2] if path.startswith("[]") else path.partition(".")[0].partition("[]")[0]


# Pure, and asked of the same paths by every answer of a large API (the mix's 100k: 39k asks): remembered.
_first_name: Final = _Remembered(_first_name_of).__getitem__


def lone_words_as_values(members: Mapping[str, Profile], fixed: Callable[[str], bool]) -> dict[str, Profile]:
    """The siblings' profiles, a sibling's one word right below read as a value where the others hold values.

    A node with ONE word below it cannot tell a word from a value: ``/alice/prod5`` is alice's only
    index, and nothing beside ``prod5`` says it is one of many. Its siblings can: where two or more of
    them hold a parameter right below (``/bob/{index}``) and none holds the word itself, the word stands
    where their values stand, so what lies below it compares with what lies below them
    (``/alice/prod5/+api`` beside ``/bob/{index}/+api``). Words that name a resource (``fixed``:
    plurals, actions, the API's own marks) stay words. Only the comparison reads it so: merged, the
    siblings' subtrees are resolved again together, with the others' values beside the word.
    """
    firsts = {label: {s[0] for s in profile if s} for label, profile in members.items()}
    out = dict(members)
    for label, below in firsts.items():
        if len(below) != 1 or "*" in below:
            continue
        word = next(iter(below))
        slots = sum(1 for other, theirs in firsts.items() if other != label and "*" in theirs)
        if fixed(word) or slots < 2 or any(word in theirs for other, theirs in firsts.items() if other != label):
            continue
        out[label] = {(("*", *s[1:]) if s else s): props for s, props in members[label].items()}
    return out


def private_share(members: Mapping[str, Profile]) -> float:
    """The share of siblings with a property no other sibling has where they both answer: distinct
    resources each have their own fields, even when a common envelope makes them look alike."""
    seen: dict[tuple[Suffix, str], int] = {}
    for profile in members.values():
        for suffix, props in profile.items():
            for p in props:
                seen[(suffix, p)] = seen.get((suffix, p), 0) + 1
    answering = [profile for profile in members.values() if any(profile.values())]
    if not answering:
        return 0.0
    private = sum(1 for profile in answering
                  if any(seen[(suffix, p)] == 1 for suffix, props in profile.items() for p in props))
    return private / len(answering)


def alike_inside(members: Mapping[str, Profile]) -> bool:
    """False where every answer of the members lies inside one top-level name (an envelope:
    ``{"response": ...}``) and, with it taken off, the answers are unlike (:func:`similarity`).

    A bare envelope (``{"response": true}``, or one holding only a map keyed by data) is contained in
    every other answer, so by overlap it is like all of them: an RPC API's methods (Luigi's
    ``/api/task_list``, ``/api/is_paused``, ``/api/worker_list``) all looked one resource. What
    each answers inside the envelope tells them apart; values of one parameter answer alike in it
    too (tenants' ``{"data": {"id", "plan"}}``). Where nothing answers inside it, it says nothing."""
    tops = {_top_name(p) for profile in members.values() for props in profile.values() for p in props}
    if len(tops) != 1:
        return True
    cut = len(next(iter(tops)))
    inside: dict[str, Profile] = {label: {suffix: _inside(props, cut) for suffix, props in profile.items()}
                                  for label, profile in members.items()}
    sim, _ = similarity(inside)
    return sim is None or sim >= SIM_HIGH


def _top_name(prop: str) -> str:
    """The top-level name of a property path: ``response`` of ``response.x`` and ``response[].x``."""
    end = len(prop)
    for mark in ".[":
        at = prop.find(mark)
        if at >= 0:
            end = min(end, at)
    return prop[:end]


def _inside(props: frozenset[str], cut: int) -> Answers:
    """``props`` (and what each call answered) without their first ``cut`` characters, the envelope's
    name: ``response.x`` -> ``x``, ``response[].x`` -> ``[].x``; the bare envelope goes."""
    def strip(seen: Iterable[str]) -> frozenset[str]:
        return frozenset(p[cut:].removeprefix(".") for p in seen if len(p) > cut)
    return Answers(strip(props), {method: strip(seen) for method, seen in getattr(props, "calls", {}).items()})


def item_props(props: Iterable[str]) -> frozenset[str]:
    """The top-level properties of the items a collection lists: ``name`` of ``[].name`` or
    ``items[].name`` (an envelope)."""
    return frozenset(p.split("[].", 1)[1].split(".", 1)[0] for p in props if "[]." in p)


def object_props(props: Iterable[str]) -> frozenset[str]:
    """The top-level properties of an endpoint answering one object (not a list of them). Of an
    Answers worked out once: several rules, in every pass, ask it of the same siblings' answers."""
    if isinstance(props, Answers):
        if props._objects is None:
            props._objects = _object_props(props)
        return props._objects
    return _object_props(props)


def _object_props(props: Iterable[str]) -> frozenset[str]:
    tops: set[str | None] = set(map(_top, props))  # the few distinct ones, no generator over them
    tops.discard(None)
    return frozenset(cast(set[str], tops))


def _top_of(path: str) -> str | None:
    """The top-level property a path is in (``a`` of ``a.b``), None for one in a list (``[].a``)."""
    return None if path.startswith("[]") else path.partition(".")[0]


# Pure, and asked of the same texts by every key's answers (the mix's 100k: 240k paths, 9k texts): remembered.
_top: Final = _Remembered(_top_of).__getitem__


def answers_alike(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two answers of one resource: most of the smaller one's properties, two at least, in the other."""
    common = len(a & b)
    return common >= 2 and common >= SIM_HIGH * min(len(a), len(b))


def same_position(a: Suffix, b: Suffix) -> bool:
    """``namespaces/web`` and ``namespaces/*`` are one position seen before and after a merge."""
    if len(a) != len(b):
        return False
    # a plain loop, no generator: the pool asks ~16k times a decision (the mix's 100k)
    for x, y in zip(a, b, strict=True):  # noqa: SIM110 (a plain loop)
        if x != y and x != "*" and y != "*":
            return False
    return True


# Pure, and asked of the same labels by every profile of every pass: remembered.
_is_version = lru_cache(maxsize=1 << 14)(is_version)


def _strong(suffix: Suffix) -> bool:
    # a plain loop, no generator: shared_structure asks it of every endpoint of every member (~6k a render)
    for label in suffix:  # noqa: SIM110 (a plain loop)
        if label != "*" and not _is_version(label):
            return True
    return False


def _pair_similarity(a: Mapping[Suffix, frozenset[str]], b: Mapping[Suffix, frozenset[str]],
                     likeness: Callable[[frozenset[str], frozenset[str]], float | None]) -> float | None:
    """Mean overlap of the response properties where both have an endpoint with properties."""
    if len(b) < len(a):
        a, b = b, a
    total = 0.0
    count = 0
    for suffix, pa in a.items():
        pb = b.get(suffix)
        if pa and pb:
            s = likeness(pa, pb)
            if s is not None:
                total += s
                count += 1
    return total / count if count else None


class Likeness:
    """:func:`_likeness`, as the passes of one decision (learn/paths/templating.py) ask it. It remembered
    each answer by the objects' ids; since the passes after the first reuse whole decisions (templating's
    memo) instead, 1-2% of the questions came again (the mix's 100k: 266 of 13,120 pairs of profiles, 79
    of 7,920 pairs of answers; the devset's and four synthetic APIs' alike), which cost less than keeping
    every answer cost: each is worked out."""

    __slots__ = ()

    def profiles(self, a: Profile, b: Profile) -> float | None:
        """:func:`_compared`."""
        return _compared(a, b)

    def __call__(self, a: frozenset[str], b: frozenset[str]) -> float | None:
        return _likeness(a, b)


def _compared(a: Profile, b: Profile) -> float | None:
    return _pair_similarity(a, b, _likeness)


def _likeness(a: frozenset[str], b: frozenset[str]) -> float | None:
    """Overlap of two endpoints' answers. Where both say which method answered what, only endpoints a
    method answered at both compare (None otherwise: nothing to compare), method by method or whole,
    whichever is closer: one or two answers each hold a random few of a resource's optional fields,
    which the other methods' answers of the same resource fill in."""
    calls_a: Mapping[str, frozenset[str]] = getattr(a, "calls", {})
    calls_b: Mapping[str, frozenset[str]] = getattr(b, "calls", {})
    if not calls_a or not calls_b:
        return _overlap(a, b)
    sole = a.sole_call() if isinstance(a, Answers) else None
    if sole is not None and isinstance(b, Answers) and b.sole_call() == sole:
        return _overlap(a, b)  # most endpoints: one method answered each, all of it; by method is whole
    common = [m for m, seen in calls_a.items() if seen and calls_b.get(m)]
    if not common:
        return None
    by_method = sum(_overlap(calls_a[m], calls_b[m]) for m in common) / len(common)
    return max(by_method, _overlap(a, b))


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """The share of the smaller one's properties the other holds, counted by those it lacks: few where
    answers are alike (most compared), where the common set built whole held nearly all of them (the
    mix's 100k: 7.7k pairs of ~100 properties, a quarter less time; the devset's ~230: 60% less)."""
    if len(b) < len(a):
        a, b = b, a
    return (len(a) - len(a - b)) / len(a)
