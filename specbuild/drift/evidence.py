"""The evidence behind a learned spec's claims, and when new traffic overturns one; pure.

A spec learned by specbuild says, on its schemas, how many values its claims rest on:
``x-specbuild-seen`` is the number of values seen at that position (of objects, on an object schema).
A schema without it was seen as often as the nearest schema above it that has one (a property present
in every object of its parent). A claim — ``required``, ``enum``, ``type``, ``format`` — held for all
``seen`` values it was learned from. New traffic shows ``against`` of ``checked`` values breaking it.

Did the API change, or do we only know more? Under "nothing changed", the values that break the claim
were as likely to fall in the old sample as in the new one; all ``against`` of them landed in the new
one. The chance of that (Fisher's exact test, one-sided) is::

    p = C(checked, against) / C(seen + checked, against)

A ``p`` below ``ALPHA`` is a change; anything else is "we know more now": a property learned as
required from 12 objects and absent from 6 of 1,000 new ones was never known to be required (p 0.93);
one present in 5,000 of 5,000 and absent from 40 of 200 was (p < 1e-30). Counts are of values, capped
by the bodies they came in, so a long array in one response does not count as many independent
witnesses.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from specbuild.extensions import CALLS, EVIDENCE, EVIDENCE_REF_COUNTS, SEEN
from specbuild.refs import follow

ALPHA: Final = 0.001  # below this chance of "the same API", new traffic that breaks a claim is a change
# Bodies (distinct requests) that must have shown a property in every object before its absence from every
# object of new traffic can prove it gone, where the spec claims no ``required`` (drift/presence.py): fewer,
# and all-or-nothing is a sample's quirk as often as the API's (a synthetic sample's items, each with
# ``language`` in 6 arrays, and none in the next sample's 13: the same API). The enum claim's floor.
GONE_MIN_WITNESSES: Final = 20
# Distinct new requests a test of "gone" counts, at most (check's answers per status, presence's per parent): each
# test is decided long before (a success 10 of 10 requests got, in none of 4,096 new ones: p ~ 1e-36).
MAX_COUNTED: Final = 4096
# Answers that say the server could not (or would not) answer then, whatever the route: a rate limiter's 429, a
# gateway's 502, 503, 504 (drift/kinds.py UNAVAILABLE). A request so answered is no evidence of a success gone
# (a window the upstream was down would read as every route removed): ``gone`` counts neither side's.
NOT_NOW: Final = frozenset({"429", "502", "503", "504"})


def overturned(seen: int, checked: int, against: int) -> bool:
    """Whether ``against`` of ``checked`` new values breaking a claim that held for ``seen`` earlier
    values is more than chance (module doc): the API changed, not only our knowledge of it."""
    if against <= 0 or seen <= 0:
        return False
    return _beyond_chance(against, max(checked, against), seen)


def gone(answered: int, before: int, now: int, tests: int = 1) -> bool:
    """Whether a status the operation answered ``answered`` of ``before`` distinct requests, and none of
    ``now`` new ones, is gone beyond chance: under "the same API", every request so answered fell in the
    old sample (hypergeometric, one-sided: ``C(before, answered) / C(before + now, answered)``). A route
    that now answers 404 to all of its 200 calls is removed; one success among 50 errors, missing from 30
    new calls, proves nothing.

    ``tests``: the operations a gate asks this of at once that could be found so (:func:`gone_tests`). Each
    is weighed at ALPHA over their number (Bonferroni), so that the gate's own chance of calling some
    success gone on an unchanged API stays ALPHA: asked at ALPHA each, a spec's 40 operations would cry
    wolf up to 4% of the time. Seen so: PouchDB's ``GET /{db}/_local/{id}`` (a replication checkpoint)
    answered 200 to 8 of 22 requests in one sample and to none of 26 in the next, p 8.5e-4, where every
    replication was a first."""
    if answered <= 0 or now <= 0 or before < answered:
        return False
    return _beyond_chance(answered, before, now, ALPHA / max(tests, 1))


def gone_tests(asked: Iterable[tuple[int, int, int]]) -> int:
    """The number of operations :func:`gone` weighs each against, of those a gate asks it of, each given as
    ``(answered, before, now)``: the requests its learned successes answered, all it answered, and the
    new requests (at most: a share of them is enough).

    Tarone's count, not all of them: an operation whose test cannot reach ALPHA / k even when every new
    request fails (called twice before and twice now: p 1/6 at best) can never be found gone, so it does
    not count against the others. ``k`` is the smallest number of operations such that at most ``k`` of
    them could reach ALPHA / k; the family's false alarms stay under ALPHA all the same."""
    tests = [(a, b, n) for a, b, n in asked if a > 0 and n > 0 and b >= a]
    least = ALPHA / max(len(tests), 1)  # below every threshold weighed: the product need go no lower
    floors = sorted(_chance(a, b, n, least / 2) for a, b, n in tests)
    for k in range(1, len(floors) + 1):
        if bisect.bisect_right(floors, ALPHA / k) <= k:
            return k
    return 1


# Answers that say a route is not there (not found, not allowed, gone), whatever the caller sent.
ROUTE_REFUSALS: Final = frozenset({"404", "405", "410"})
# New calls, every one refused, before a route's calls can prove it gone: calls of one route are a series in
# time, not independent draws (a status endpoint polled forty times, then refused in the three calls of a
# redeploy's window, would be gone at p 8e-5), so the floor a property's absence needs (GONE_MIN_WITNESSES).
ROUTE_MIN_CALLS: Final = GONE_MIN_WITNESSES


def route_bodies(calls: int | None, media_types: int, body_optional: bool) -> int | None:
    """The bodies a learned response of a route without parameters answered (each call names the route and
    nothing else: the callers' rule), where its calls are its body's evidence: ``x-specbuild-calls``, each
    call answered with a body of its one media type (``media_types`` 1, never without a body), and at least
    ROUTE_MIN_CALLS of them; else None, and its distinct requests are the evidence, as everywhere.

    Such a route answers about one thing (its status, its version, the signed-in user), which distinct
    requests count once however often it is read: a learner's claims about things (``required``, ``enum``)
    rest on many things, and a route's body never reaches them. Its calls are that one thing over time. So a
    property it had in each of 321 calls, absent from each of 25 new ones, or a value of another type in
    each of them, is that thing changed; and only *each*: a series in time is no set of independent draws (a
    field dropped for the minutes a cluster reconnects), so the callers ask every new call, ROUTE_MIN_CALLS
    of them at least, to break the claim."""
    if calls is None or calls < ROUTE_MIN_CALLS or media_types != 1 or body_optional:
        return None
    return calls


def route_gone(before: Iterable[tuple[str, int]], now: Iterable[tuple[str, int]], tests: int = 1) -> bool:
    """Whether a route without parameters is gone: its calls by status before (``x-specbuild-calls``, else
    ``x-specbuild-seen``) and now. Every call there asks the same route, so calls are the route's behaviour
    over time, not one entity counted again: its successes, refused (ROUTE_REFUSALS) in every new call,
    are weighed as ``gone`` weighs distinct requests. Not where it refused so before (a resource that can
    be absent, ``GET /runs/current``) nor where a new answer is another error (401: a client not signed in
    says nothing of the route), nor on fewer than ROUTE_MIN_CALLS new calls; NOT_NOW's are counted on
    neither side. The callers weigh only calls that name nothing but the route (no query, no body: a
    404 to ``GET /lookup?email=b`` is ``b`` not found). ``tests``: as for :func:`gone`."""
    was = [(code, n) for code, n in before if code not in NOT_NOW]
    new = [(code, n) for code, n in now if code not in NOT_NOW]
    if not new or any(code not in ROUTE_REFUSALS for code, _ in new) or any(code in ROUTE_REFUSALS for code, _ in was):
        return False
    calls = sum(n for _, n in new)
    if calls < ROUTE_MIN_CALLS:
        return False
    _, answered, total = successes(was)
    return gone(answered, total, calls, tests)


def successes(counts: Iterable[tuple[str, int]]) -> tuple[tuple[str, ...], int, int]:
    """An operation's learned answers by status code, each the distinct requests it answered: its success
    codes (2xx), the requests they answered, and all requests. NOT_NOW's are left out of both: what ``gone``
    weighs, one rule for ``check`` and ``diff``."""
    kept = [(code, n) for code, n in counts if code not in NOT_NOW]
    codes = tuple(code for code, _ in kept if code.isdigit() and code.startswith("2"))
    return codes, sum(n for code, n in kept if code in codes), sum(n for _, n in kept)


def _beyond_chance(k: int, here: int, there: int, alpha: float = ALPHA) -> bool:
    """Whether the chance that all ``k`` items fell in ``here`` (:func:`_chance`) is below ``alpha``."""
    return _chance(k, here, there, alpha) < alpha


def _chance(k: int, here: int, there: int, floor: float) -> float:
    """The chance that all ``k`` of the items that fell in ``here`` (of ``here + there``, drawn alike) did so:
    ``C(here, k) / C(here + there, k)``, multiplied out until it is below ``floor`` (no lower is asked)."""
    p = 1.0
    for j in range(k):
        p *= (here - j) / (here + there - j)
        if p < floor:
            break
    return p


def in_every(prop: Any, ref_counts: bool = False) -> bool:
    """Whether a learned property of one type was in every object of its place: a property absent from
    some carries its own count (learn/schema.py); a union's is on its branches, never its own. So does a
    ``$ref`` to a component, beside it, in a spec that says it writes those (``ref_counts``, :func:`ref_counts`);
    in an older one a ``$ref``'s only count is its component's, pooled from every place that shares it."""
    if not isinstance(prop, Mapping) or seen_of(prop) is not None:
        return False
    return ref_counts if "$ref" in prop else "type" in prop


def ref_counts(doc: Any) -> bool:
    """Whether a spec's ``$ref`` properties carry their own counts (extensions.EVIDENCE): a learned spec of this
    or a later convention."""
    marker = doc.get(EVIDENCE) if isinstance(doc, Mapping) else None
    return type(marker) is int and marker >= EVIDENCE_REF_COUNTS


def count_of(node: Any, key: str) -> int | None:
    """A count a learner wrote on a spec node (``x-specbuild-seen``, ``x-specbuild-calls``), if it carries a
    usable one (a person may write anything there)."""
    n = node.get(key) if isinstance(node, Mapping) else None
    return n if type(n) is int and n >= 0 else None


def seen_of(schema: Any) -> int | None:
    """The ``x-specbuild-seen`` of one schema node, if it carries one."""
    return count_of(schema, SEEN)


def calls_of(response: Any) -> int | None:
    """The calls a learned response of a route without parameters answered (``x-specbuild-calls``; where it
    has none, as many as its distinct requests)."""
    n = count_of(response, CALLS)
    return seen_of(response) if n is None else n


def seen_at(root: Any, path: Sequence[str | int], calls: int | None = None) -> int | None:
    """The evidence behind the schema node a value at ``path`` (keys and indexes) meets in ``root``:
    the count of the nearest node on the way that has one, capped by the root's (the bodies seen; ``calls``
    in its place where a route's calls are the evidence, :func:`route_bodies`).
    None when ``root`` was not learned (no count at its root) or the path leaves the schema. Local ``$ref``s
    are followed: a learned spec shares equal objects under components, each with the counts of all its places."""
    top = node = follow(root, root)
    bodies = _root_count(node, calls)
    if bodies is None:
        return None
    inherited = None if calls is None else seen_of(top)
    nearest = bodies
    for step in path:
        node = _branch(root, follow(root, node), step)
        n = None if node is top else seen_of(node)  # a union's branch may carry its own count (the root: bodies)
        if n is not None:
            nearest = n
        raw = _step(node, step)
        node = follow(root, raw)
        if node is None:
            return None
        n = _count_here(raw, node, top, inherited)
        if n is not None:
            nearest = n
    return min(nearest, bodies)


def seen_along(root: Any, schema_path: Sequence[str | int], calls: int | None = None) -> int | None:
    """The evidence behind the rule at ``schema_path`` in ``root`` (keywords, property names and union
    branch indexes, as jsonschema gives an error's ``absolute_schema_path``: local ``$ref``s followed at
    each step): the count of the nearest node on the way that has one, capped by the root's. Where
    :func:`seen_at` has only the value's place and guesses a union's branch (the first that has the name),
    this walks the branch the value was judged by: an ``anyOf`` of an article and an event that both have
    a ``status`` reads the event's counts for an event. None when ``root`` was not learned. ``calls``: as
    for :func:`seen_at`."""
    top = node = follow(root, root)
    bodies = _root_count(node, calls)
    if bodies is None:
        return None
    inherited = None if calls is None else seen_of(top)
    nearest = bodies
    for step in schema_path:
        if isinstance(node, Mapping) and isinstance(step, str):
            raw = node.get(step)
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            raw = node[step]
        else:
            break
        node = follow(root, raw)
        n = _count_here(raw, node, top, inherited)
        if n is not None:
            nearest = n
    return min(nearest, bodies)


def root_inherited(n: int | None, inherited: int | None) -> bool:
    """Whether a component's count ``n`` is, where a route's calls stand at the body's root (``inherited``: the
    root's own count, its distinct requests), the root's, inherited where the object was in every one of its
    parent's (learn/components.py writes a place's count on its component): no count of its place, and the
    calls stand there too (Alertmanager's ``versionInfo``, in each of 835 answers, counts 1). ``check``,
    ``diff`` and drift/presence.py ask it of the components their walks reach."""
    return n is not None and inherited is not None and n <= inherited


def _count_here(raw: Any, node: Any, top: Any, inherited: int | None) -> int | None:
    """The count on ``node`` (``raw`` before its ``$ref`` was followed) as the evidence at its place; none on
    the root (its count is the bodies'), nor on a component whose count is the root's (:func:`root_inherited`)."""
    if node is top:
        return None
    n = seen_of(node)
    return None if raw is not node and root_inherited(n, inherited) else n


def _root_count(node: Any, calls: int | None) -> int | None:
    """A learned body's count at its root: its distinct requests, or a route's calls (:func:`route_bodies`)
    where they are the evidence (the root's count, capped by the distinct requests, then says nothing)."""
    bodies = seen_of(node)
    return None if bodies is None else bodies if calls is None else calls


def _branch(root: Any, node: Any, step: str | int, within: frozenset[int] = frozenset()) -> Any:
    """The first branch of a union (``anyOf``/``oneOf``) that leads on at ``step``, its ``$ref`` followed (a
    learned spec shares a union's objects under components); else ``node``. A union met again inside
    itself (a schema that refers to itself) is not walked again: each union once per path."""
    if not isinstance(node, Mapping) or id(node) in within:
        return node
    for key in ("anyOf", "oneOf"):
        branches = node.get(key)
        if isinstance(branches, list):
            inside = within | {id(node)}
            for branch in branches:
                taken = _branch(root, follow(root, branch), step, inside)
                if _step(taken, step) is not None:
                    return taken
    return node


def _step(node: Any, step: str | int) -> Any:
    """The schema a value's child at ``step`` meets: a property, a map's values, an array's items."""
    if not isinstance(node, Mapping):
        return None
    if isinstance(step, int):
        items = node.get("items")
        return items if isinstance(items, Mapping) else None
    props = node.get("properties")
    if isinstance(props, Mapping) and isinstance(props.get(step), Mapping):
        return props[step]
    extra = node.get("additionalProperties")
    return extra if isinstance(extra, Mapping) else None
