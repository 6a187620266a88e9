"""Which learned properties may be null: how far a null seen spreads, and when "never null" is a claim.

Two passes over the rendered paths (before components are shared; :func:`share_nulls` runs both on one
walk of the paths), both widening only, so every observed value still validates, and neither fed by a
merge-patch request (RFC 7396: a null there deletes the field):

- ``share_nullability``: a property seen null is nullable where the same name sits in the same scope
  (under the same parent name, or at a body's root under the same resource word of the path), in an
  object of the same kind, or holding an object of the same kind; not everywhere: ``label: null`` on an
  issue says nothing of a check run's ``label``.
- ``nullable_by_evidence``: "this property is never null" rests on the values seen there. Where most
  places of its name are nullable, a place seen non-null only a few times is likely nullable too
  (:func:`doubt`, at the API's own null rate: :func:`fit_nulls`); the claim is made only once that
  chance is below NULL_DOUBT.
"""

from __future__ import annotations

import operator
from collections import Counter
from dataclasses import dataclass
from typing import Any, Final

from specbuild import multipart
from specbuild.extensions import SEEN
from specbuild.learn.nullrate import likeliest
from specbuild.learn.rules import (
    IDENTITY_NAMES,
    LIST_ENVELOPES,
    NULL_DOUBT,
    NULL_FIT_MIN_PLACES,
    NULL_MAJORITY,
    NULL_PRIOR_WEIGHT,
    NULL_SHARE,
)
from specbuild.learn.schema import SCALAR_KEYS
from specbuild.segments import is_action

# JSON Merge Patch (RFC 7396): a null deletes the field. It says nothing of whether the field can be null.
MERGE_PATCH: Final = "application/merge-patch+json"
# form bodies: urlencoded, and multipart (its parts read as a form's fields, specbuild/multipart.py)
FORMS: Final = frozenset({"application/x-www-form-urlencoded", multipart.MEDIA})
# The mark on the scopes of error responses' places (a status 4xx, 5xx, 4XX, default): a null seen there is
# shared with error bodies only (holdout9's Strapi: nullable precision 0.00, 58 false positives, from 61
# error envelopes' ``data: null``); a null seen elsewhere reaches error bodies too (GitHub's validation
# errors' ``value``, null where other ``value``s are: devset held-out acceptance).
ERROR_SCOPE: Final = "\x00"  # no resource word or property name begins so
_ERROR_CLASSES: Final = frozenset("45d")
# A property of one object: (its scope, its name, its schema, the object's schema, the values seen there)
Place = tuple[str, str, dict[str, Any], dict[str, Any], int | None]
Field = tuple[str, str]  # a name in a scope: its places are one field (nullable_by_evidence)
_SEEN_OF: Final = operator.itemgetter(4)  # a place's values seen
# Two objects of which most property names are the same are one kind of thing (Jaccard index of the names)
KIND_MIN_JACCARD: Final = 0.5


def is_nullable(schema: dict[str, Any], openapi: str) -> bool:
    """Whether ``schema`` lets null through (3.0 ``nullable``, a 3.1 type list, an ``anyOf`` branch)."""
    branches = schema.get("anyOf")
    if isinstance(branches, list) and "type" not in schema:
        return any(isinstance(b, dict) and is_nullable(b, openapi) for b in branches)
    if openapi == "3.0":
        return schema.get("nullable") is True
    t = schema.get("type")
    return isinstance(t, list) and "null" in t


def _typed(schema: dict[str, Any]) -> bool:
    branches = schema.get("anyOf")
    if "type" in schema:
        return True
    return isinstance(branches, list) and bool(branches) and all(isinstance(b, dict) and "type" in b
                                                                 for b in branches)


def make_nullable(schema: dict[str, Any], openapi: str) -> None:
    """Let null through ``schema``: on its type, or on each branch of its ``anyOf`` (as the fold does)."""
    if "type" not in schema:
        for branch in schema.get("anyOf") or []:
            make_nullable(branch, openapi)
        return
    if openapi == "3.0":
        schema["nullable"] = True
    else:
        t = schema["type"]
        schema["type"] = sorted({*(t if isinstance(t, list) else [t]), "null"})
    if "enum" in schema and None not in schema["enum"]:
        schema["enum"] = [*schema["enum"], None]


def resource_word(path: str) -> str:
    """A body root's scope: the last literal segment of its path (``issues`` of ``/repos/{o}/{r}/issues/{n}``),
    before an action done to one of them (``tasks`` of ``/tasks/{t}/setParent``, ``runs`` of
    ``/runs/{r}/cancel``): what an action answers is the thing it acted on."""
    parts = [s for s in path.split("/") if s]
    words = [i for i, s in enumerate(parts) if not s.startswith("{")]
    if not words:
        return ""
    last = words[-1]
    if len(words) > 1 and last > 0 and parts[last - 1].startswith("{") and is_action(parts[last]):
        return parts[words[-2]]
    return parts[last]


def places(paths: dict[str, Any], *, merge_patches: bool = True) -> list[Place]:
    """Every object property under ``paths`` with its scope and the values its claims rest on.

    The scope: the name of the nearest property above it (an array's items keep the array's name), or its
    path's resource word at a body's root and in the objects of a list envelope there
    (rules.LIST_ENVELOPES). The values: its ``x-specbuild-seen``, else its parent's, capped by its body's
    root; None without counts."""
    return _flat(places_by_path(paths, merge_patches=merge_patches))


def places_by_path(paths: dict[str, Any], *, merge_patches: bool = True) -> dict[str, list[Place]]:
    """:func:`places`, per path (in the order of ``paths``): a path item without a merge patch has the
    same places either way, so :func:`share_nulls` walks again only those with one."""
    return {path: _item_places(path, item, merge_patches) for path, item in paths.items()}


def places_again(paths: dict[str, Any], before: dict[str, list[Place]], changed: set[int]) -> dict[str, list[Place]]:
    """:func:`places_by_path` of ``paths`` after the schemas whose ids are ``changed`` were changed (and
    nothing else), given ``before``, its places until then: walked again only where one of those is (a
    place's schema, or the object of its properties: a schema object shared by two path items is seen
    in both)."""
    return {path: _item_places(path, paths[path], True)
            if any(id(place[2]) in changed or id(place[3]) in changed for place in found) else found
            for path, found in before.items()}


def _flat(by_path: dict[str, list[Place]]) -> list[Place]:
    return [place for found in by_path.values() for place in found]


def _item_places(path: str, item: dict[str, Any], merge_patches: bool) -> list[Place]:
    """:func:`places` of one path item."""
    out: list[Place] = []
    resource = resource_word(path)
    # (node, scope, seen, root count, whether node is a body's root object: no properties or items above,
    # the scopes' mark: ERROR_SCOPE under error responses)
    stack: list[tuple[Any, str, int | None, int | None, bool, str]] = [
        (op, mark + resource, None, None, True, mark) for op, mark in _learned_from(item, merge_patches)
        if isinstance(op, (dict, list))]
    while stack:  # only lists and dicts go on it: a walk of every scalar took half the time
        node, scope, seen, root, top, mark = stack.pop()
        if isinstance(node, list):
            stack.extend((v, scope, seen, root, top, mark) for v in reversed(node) if isinstance(v, (dict, list)))
            continue
        here = node.get(SEEN)
        if isinstance(here, int):
            seen = here if root is None else min(here, root)
            root = seen if root is None else root
        children: list[tuple[Any, str, int | None, int | None, bool, str]] = []
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                envelope = _envelope(value) if top else None
                for name, sub in value.items():
                    if isinstance(sub, dict):
                        n = sub.get(SEEN, seen)
                        out.append((scope, name, sub, node, min(n, root) if n is not None and root else n))
                        if sub.keys() <= SCALAR_KEYS:  # no places below (most: the walk's leaves were half its time)
                            continue
                        # a list envelope's objects are the resource's, as a bare list's are
                        children.append((sub, scope if name == envelope else mark + name, seen, root, False, mark))
            elif isinstance(value, (dict, list)) and key not in _DATA:
                children.append((value, scope, seen, root, top and key != "items", mark))
        stack.extend(reversed(children))
    return out


def _envelope(properties: dict[str, Any]) -> str | None:
    """The list of a list envelope at a body's root (rules.LIST_ENVELOPES), if it has one list of those and
    no identity (rules.IDENTITY_NAMES: an order's ``items`` are its lines)."""
    if not properties.keys().isdisjoint(IDENTITY_NAMES):
        return None
    lists = [name for name, sub in properties.items() if name in LIST_ENVELOPES and isinstance(sub, dict)
             and "items" in sub]
    return lists[0] if len(lists) == 1 else None


# Where a value is data, not a schema (an example may hold "properties")
_DATA: Final = frozenset({"example", "examples", "enum", "default"})


def _learned_from(item: dict[str, Any], merge_patches: bool) -> list[tuple[Any, str]]:
    """The operations of one path item (views, not copies), each with its scopes' mark: their error
    responses apart, marked ERROR_SCOPE (Strapi answers every 400 ``{"data": null, "error": ...}``: that
    null says nothing of a 2xx's ``data`` or a request's); their form request bodies left out (a form
    field is a string on the wire, never JSON null: a form neither shows a null nor takes one), and
    their merge-patch request bodies too unless ``merge_patches``."""
    drop = FORMS if merge_patches else FORMS | {MERGE_PATCH}
    out: list[tuple[Any, str]] = []
    for op in item.values():
        responses = op.get("responses") if isinstance(op, dict) else None
        if not isinstance(responses, dict):
            responses = {}
        errors = {c: r for c, r in responses.items() if str(c)[:1] in _ERROR_CLASSES}
        if errors:
            out.append(({"responses": errors}, ERROR_SCOPE))
            op = {**op, "responses": {c: r for c, r in responses.items() if c not in errors}}
        content = (op.get("requestBody") or {}).get("content") or {} if isinstance(op, dict) else {}
        if drop.isdisjoint(content):
            out.append((op, ""))
            continue
        out.append(({k: v for k, v in op.items() if k != "requestBody"}, ""))
        out.append(({k: v for k, v in content.items() if k not in drop}, ""))
    return out


def share_nulls(paths: dict[str, Any], openapi: str, found: dict[str, list[Place]] | None = None) -> None:
    """Both passes, on one walk of ``paths`` (they change types only, never which places there are);
    ``found``: its :func:`places_by_path`, when the caller has them."""
    by_path = places_by_path(paths) if found is None else found
    every = _flat(by_path)
    # the same walk without merge-patch requests: only the path items with one walked again
    plain = _flat({path: _item_places(path, item, False) if _merge_patched({path: item}) else by_path[path]
                   for path, item in paths.items()}) if _merge_patched(paths) else every
    # each place's schema read once for the three passes (26k places on the mix's 100k: the reads were
    # a fifth of this); what share_nullability widens is read again as it leaves it
    claims = Claims(every, openapi)
    plain_claims = claims if plain is every else Claims(plain, openapi)
    fit = fit_nulls(plain, openapi, plain_claims)  # before the passes: what the traffic showed, nothing inferred
    made = share_nullability(every, plain, openapi, claims)
    claims.widened(every, made)
    if plain_claims is not claims:
        plain_claims.widened(plain, made)
    nullable_by_evidence(every, plain, openapi, fit, (claims, plain_claims))
    share_numbers(every)
    share_any(every, claims.untyped)


class Claims:
    """Of each place in a list (by position): whether its schema is typed (:func:`_typed`; no pass here
    changes that) and nullable (:func:`is_nullable`; only :func:`make_nullable` widens it, so a pass
    that made some schemas nullable hands their ids to :meth:`widened`)."""

    __slots__ = ("nullable", "typed", "untyped")

    def __init__(self, places: list[Place], openapi: str) -> None:
        self.typed: list[bool] = []
        self.nullable: list[bool] = []
        # the places whose schema has no ``type`` (few): no pass here gives one a type (make_nullable
        # widens an ``anyOf``'s branches, share_numbers a type there is), so :func:`share_any` reads these
        self.untyped: list[Place] = []
        typed, nullable, old = self.typed.append, self.nullable.append, openapi == "3.0"
        for place in places:
            schema = place[2]
            if "type" in schema:  # most: typed, and nullable by its type alone (is_nullable, inlined)
                typed(True)
                t = schema["type"]
                nullable(schema.get("nullable") is True if old else isinstance(t, list) and "null" in t)
            else:
                typed(_typed(schema))
                nullable(is_nullable(schema, openapi))
                self.untyped.append(place)

    def widened(self, places: list[Place], made: set[int]) -> None:
        """The claims after the schemas whose ids are ``made`` were made nullable (a schema object may
        be at two places: by id, not by position)."""
        if made:
            self.nullable = [null or id(place[2]) in made for place, null in zip(places, self.nullable, strict=True)]


def share_numbers(every: list[Place]) -> None:
    """A property seen with fractions is a number wherever the same name is in the same scope: where it
    was an integer, that operation drew whole numbers only (PocketBase's ``rating``: 0, 47, then 746.58
    in the next sample). One field, one type: the integer claim there had no evidence of its own."""
    # one walk of the places (26k on the mix's 100k) finds the numbers and the integers that may become
    # one; a type that is no list is its value type: value_type called only for a list (few places)
    numbers: set[tuple[str, str]] = set()
    integers: list[Place] = []
    for place in every:
        t = place[2].get("type")
        if isinstance(t, list):
            t = value_type(place[2])
        if t == "number":
            numbers.add((place[0], place[1]))
        elif t == "integer":
            integers.append(place)
    if not numbers:
        return
    named = {name for _, name in numbers}
    for scope, name, schema, _, _ in integers:  # asked again: a schema at two places is widened once
        if name in named and (scope, name) in numbers and value_type(schema) == "integer":
            t = schema["type"]
            schema["type"] = "number" if isinstance(t, str) else sorted("number" if x == "integer" else x for x in t)
            if schema.get("format") == "int64":
                schema["format"] = "double"


# What a schema claims of a value's shape; a counted place with none of these was seen as most of JSON's
# kinds (schema.ANY_JSON_KINDS): any JSON. (Uncounted, ``{}`` says nothing was learned: only nulls.)
_SHAPING: Final = frozenset({"type", "anyOf", "oneOf", "allOf", "$ref", "enum", "format", "properties",
                             "items", "additionalProperties"})


def share_any(every: list[Place], untyped: list[Place] | None = None) -> None:
    """A property that is any JSON somewhere is any JSON wherever the same name is in the same scope
    (it runs last: no place is read after it). Airflow's XCom ``value``: objects, strings, numbers and
    lists where entries were posted, integers and lists only where one entry's reads saw four values;
    the read's union had no evidence of its own and rejected the next sample's string. ``untyped``: the
    places of ``every`` whose schema has no ``type`` (:attr:`Claims.untyped`), when the caller has them."""
    free = {(scope, name) for scope, name, schema, _, _ in (every if untyped is None else untyped)
            if "type" not in schema and _any_json(schema)}
    if not free:
        return
    named = {name for _, name in free}
    for scope, name, schema, _, _ in every:
        if name in named and (scope, name) in free and not _any_json(schema):
            seen = schema.get(SEEN)
            schema.clear()  # in place: the parent's ``properties`` holds this very dict
            if isinstance(seen, int):
                schema[SEEN] = seen


def _any_json(schema: dict[str, Any]) -> bool:
    return SEEN in schema and _SHAPING.isdisjoint(schema)


def value_type(schema: dict[str, Any]) -> Any:
    """The type without null: "string" for both ``string`` and 3.1's ``["null", "string"]``."""
    t = schema.get("type")
    if isinstance(t, list):
        rest = tuple(sorted(x for x in t if x != "null"))
        return rest[0] if len(rest) == 1 else rest
    return t


def _merge_patched(paths: dict[str, Any]) -> bool:
    """Whether an operation takes a merge patch (:func:`places` leaves its places out only then)."""
    return any(MERGE_PATCH in ((op.get("requestBody") or {}).get("content") or {})
               for item in paths.values() for op in item.values() if isinstance(op, dict))


def share_nullability(every: list[Place], plain: list[Place], openapi: str, claims: Claims | None = None) -> set[int]:
    """``every``: the :func:`places` of the paths; ``plain``: those outside merge-patch requests;
    ``claims``: ``every``'s (:class:`Claims`), when the caller has them. Returns the ids of the schemas
    it made nullable.

    A property seen null is nullable where the same name is in the same scope (:func:`places`), in an
    object of the same kind, or holds an object of the same kind (most property names the same:
    :data:`KIND_MIN_JACCARD`; a commit's ``author`` and a release's are one kind of user).

    APIs reuse a field with one meaning within a resource, and an object kind (a user, a license) with
    its nullable fields wherever it is embedded: a value null in one response will be null in the other.
    A name alone is no such evidence (``title`` of an issue and of a check run's output differ).
    """
    claims = claims or Claims(every, openapi)
    # the ids of ``plain``'s schemas: every place's without a merge patch (most APIs: no set of 26k ids)
    counted = None if plain is every else {id(schema) for _, _, schema, _, _ in plain}
    kinds = _Kinds()
    # by side and name: a null seen in an error body is shared with error bodies only; one seen elsewhere
    # with both (GitHub's validation errors' ``value`` is null where other ``value``s are: ERROR_SCOPE)
    sources: dict[tuple[bool, str], set[_Source]] = {}
    rest: list[Place] = []  # typed places not nullable
    for place, null, typed in zip(every, claims.nullable, claims.typed, strict=True):
        if null:
            if counted is None or id(place[2]) in counted:
                sources.setdefault((place[0][:1] == ERROR_SCOPE, place[1]), set()).add(
                    (place[0], kinds.of(place[3]), kinds.held(place[2])))
        elif typed:
            rest.append(place)
    # a round's sources are places the round before made nullable, whose names had sources then: every
    # name that will ever have one has one now, and a place of another name is never made nullable (most).
    # One field at many operations asks the same (the mix's 100k: 6.3k places, 1.8k questions): the
    # places by question, each asked once a round (the order they are widened in changes nothing)
    pending: dict[_Asked, list[Place]] = {}
    for place in rest:
        if (False, place[1]) in sources or (place[0][:1] == ERROR_SCOPE and (True, place[1]) in sources):
            pending.setdefault((place[1], place[0], kinds.of(place[3]), kinds.held(place[2])), []).append(place)
    first = True
    made: set[int] = set()
    while pending:  # to a fixed point, object kinds only: a user made nullable by its scope is a source
        # for that kind of user (scalars and scopes would chain on: a url to every url)
        newly = _sharing(pending, sources, first, kinds)
        if not newly:
            break
        sources = {}
        for name, scope, keys, value in newly:
            for place in pending[(name, scope, keys, value)]:
                make_nullable(place[2], openapi)
                made.add(id(place[2]))
                if value and (counted is None or id(place[2]) in counted):
                    sources.setdefault((scope[:1] == ERROR_SCOPE, name), set()).add((scope, keys, value))
        # a place holding no object shares with none of these sources: left out of the next rounds
        pending = {asked: left for asked, places in pending.items()
                   if asked[3] and (left := [p for p in places if not is_nullable(p[2], openapi)])}
        first = False
    return made


_NO_KIND: Final[frozenset[str]] = frozenset()
# A null seen, as share_nullability spreads it: (its scope, the kind of its object, the kind it holds)
_Source = tuple[str, frozenset[str], frozenset[str]]
# What share_nullability asks of a place: (its name, its scope, the kind of its object, the kind it holds)
_Asked = tuple[str, str, frozenset[str], frozenset[str]]


def _sharing(pending: dict[_Asked, list[Place]], sources: dict[tuple[bool, str], set[_Source]],
             first: bool, kinds: _Kinds) -> list[_Asked]:
    """The questions of ``pending`` whose places share a null with ``sources`` this round (:func:`_shares`)."""
    out = []
    heard: dict[tuple[bool, str], set[_Source]] = {}  # per side and name: the sources its places hear
    for asked in pending:
        name, scope, keys, value = asked
        side = (scope[:1] == ERROR_SCOPE, name)
        sides = heard.get(side)
        if sides is None:
            sides = heard[side] = sources.get((False, name), set()) | (
                sources.get((True, name), set()) if side[0] else set())
        if sides and _shares(scope, keys, value, sides, first, kinds):
            out.append(asked)
    return out


def _shares(scope: str, keys: frozenset[str], value: frozenset[str], found: set[_Source] | tuple[()], first: bool,
            kinds: _Kinds) -> bool:
    if not found:  # no null seen under this name (most places)
        return False
    return any((first and (s == scope or kinds.alike(k, keys))) or (v and kinds.alike(v, value)) for s, k, v in found)


class _Kinds:
    """The kinds of objects (their property names) as share_nullability compares them: each set made once
    and shared (a parent's, for all its properties), each pair of sets compared once (a place is
    compared with every source of its name in each round: the Jaccard indices were half the pass)."""

    def __init__(self) -> None:
        self._parents: dict[int, frozenset[str]] = {}
        self._made: dict[frozenset[str], frozenset[str]] = {_NO_KIND: _NO_KIND}
        self._alike: dict[tuple[frozenset[str], frozenset[str]], bool] = {}

    def of(self, parent: dict[str, Any]) -> frozenset[str]:
        """The kind of the object a property is in: its property names (read once per object)."""
        found = self._parents.get(id(parent))
        if found is None:
            found = self._parents[id(parent)] = self._one(frozenset(parent["properties"]))
        return found

    def held(self, schema: dict[str, Any]) -> frozenset[str]:
        """The kind of object a property holds (:func:`_keys`), none for any other value."""
        if "properties" not in schema and "anyOf" not in schema:  # a scalar's (most places)
            return _NO_KIND
        return self._one(_keys(schema))

    def _one(self, keys: frozenset[str]) -> frozenset[str]:
        return self._made.setdefault(keys, keys)  # one object per set: the pairs below hash and compare fast

    def alike(self, a: frozenset[str], b: frozenset[str]) -> bool:
        found = self._alike.get((a, b))
        if found is None:
            found = self._alike[(a, b)] = _alike(a, b)
        return found


def _keys(schema: dict[str, Any]) -> frozenset[str]:
    """The property names of an object schema (of each of its branches), none for any other."""
    out = set(schema.get("properties") or ())
    for branch in schema.get("anyOf") or ():
        out.update(branch.get("properties") or ())
    return frozenset(out)


def _alike(a: frozenset[str], b: frozenset[str]) -> bool:
    common = len(a & b)  # the union's size counted, not made: |a | b| = |a| + |b| - |a & b|
    return common >= KIND_MIN_JACCARD * (len(a) + len(b) - common)


@dataclass(frozen=True, slots=True)
class NullFit:
    """How the API sends nulls (:func:`fit_nulls`): the share of its properties that are nullable, and
    the share of a nullable property's values that are null."""

    nullable: float
    rate: float


def nullable_by_evidence(every: list[Place], plain: list[Place], openapi: str, fit: NullFit,
                         claims: tuple[Claims, Claims] | None = None) -> None:
    """(``every``, ``plain``: as :func:`share_nullability` takes them; ``fit``: :func:`fit_nulls`';
    ``claims``: theirs, as they are now, when the caller has them.)

    A property not seen null is nullable while "never null" is still in doubt (:func:`doubt`); the
    values it was seen non-null weigh against its prior. The places of one name in one scope are one
    field (as :func:`share_nullability` has it): their values are its evidence together, and it is
    one vote for its name. The prior:

    - a name in several scopes: the share of them whose field is nullable, when most are
      (NULL_MAJORITY: below, the name is several fields, and the others say nothing of this one); a
      field not seen null counts as the chance it is nullable all the same (its own :func:`doubt`),
      so ten thin fields never seen null are not ten proofs;
    - a name in this scope only: the share of nullable properties beside it in its object, counted
      with NULL_PRIOR_WEIGHT more properties at the API's own share (``fit.nullable``), so one thin
      object is not all the evidence, and an API that never sends null makes no such doubt."""
    mine, theirs = claims or (Claims(every, openapi), Claims(plain, openapi))
    objects = _object_priors(plain, fit.nullable, theirs)
    open_ = _open_fields(every, mine)
    pooled: dict[Field, int] = {key: sum(map(_SEEN_OF, found)) for key, found in open_.items()}
    fields: dict[tuple[str, str], float] = {}
    for (scope, name, _, parent, _), null in zip(plain, theirs.nullable, strict=True):
        key = (scope, name)  # made once (26k places on the mix's 100k)
        if null:
            fields[key] = 1.0
        elif key not in fields:  # a field's first place not seen null gives its doubt, or none without counts
            count = pooled.get(key)
            fields[key] = 0.0 if count is None else doubt(objects.get(id(parent), objects[None]), count, fit.rate)
    # a name's votes by scope: an error body's field hears every scope, another only the others' (a null
    # seen in error bodies alone says nothing of a success body or a request: ERROR_SCOPE)
    votes: dict[tuple[bool, str], dict[str, float]] = {}
    for (scope, name), vote in fields.items():
        if scope[:1] != ERROR_SCOPE:
            votes.setdefault((False, name), {})[scope] = vote
        votes.setdefault((True, name), {})[scope] = vote
    doubtful = _doubtful(open_, votes, pooled, objects, fit.rate)
    for schema in doubtful:  # after every prior was read: the order of the places does not matter
        make_nullable(schema, openapi)


def _open_fields(every: list[Place], claims: Claims) -> dict[Field, list[Place]]:
    """The places :func:`nullable_by_evidence` may make nullable, by field (scope, name): with counts,
    typed, not nullable (``claims``: ``every``'s; read once: nothing changes them before the end)."""
    out: dict[tuple[str, str], list[Place]] = {}
    for place, typed, null in zip(every, claims.typed, claims.nullable, strict=True):
        if place[4] is not None and typed and not null:
            found = out.get(key := (place[0], place[1]))
            if found is None:
                out[key] = [place]
            else:
                found.append(place)
    return out


def _doubtful(open_: dict[Field, list[Place]], votes: dict[tuple[bool, str], dict[str, float]],
              pooled: dict[Field, int], objects: dict[int | None, float], rate: float) -> list[dict[str, Any]]:
    """The schemas of the places of ``open_`` (:func:`_open_fields`) whose "never null" is in doubt: by
    their name's ``votes`` in its other scopes when it has any, else by their objects' priors."""
    out: list[dict[str, Any]] = []
    # per side and name: its votes sorted by scope once (not per field), and where each scope's is; a
    # field's others are those without its own, sliced out (a name in 150 scopes: every field of it read
    # all of them, 82k votes on the mix's 100k), summed in the same order
    ranked: dict[tuple[bool, str], tuple[dict[str, int], list[float]]] = {}
    for (scope, name), found in open_.items():
        side = (scope[:1] == ERROR_SCOPE, name)
        known = ranked.get(side)
        if known is None:
            by_scope = sorted(votes.get(side, {}).items())
            known = ranked[side] = ({where: i for i, (where, _) in enumerate(by_scope)}, [v for _, v in by_scope])
        at, values = known
        i = at.get(scope)
        others = values if i is None else values[:i] + values[i + 1:]  # its name's prior from its other scopes
        seen = pooled[(scope, name)]
        if not others:  # each place's prior is its object's
            out += [place[2] for place in found
                    if doubt(objects.get(id(place[3]), objects[None]), seen, rate) >= NULL_DOUBT]
        elif (shared := sum(others) / len(others)) >= NULL_MAJORITY and doubt(shared, seen, rate) >= NULL_DOUBT:
            out += [place[2] for place in found]
    return out


def _object_priors(plain: list[Place], api: float, claims: Claims) -> dict[int | None, float]:
    """Per object schema (by id), the chance one of its properties is nullable: its properties'
    nullable share, shrunk to the API's (``api``, also under the key None) by NULL_PRIOR_WEIGHT more
    properties. ``claims``: ``plain``'s."""
    counts: dict[int, list[int]] = {}
    last: dict[str, Any] | None = None  # an object's properties are its places in a row: its tally looked up once
    tally = [0, 0]
    for (_, _, _, parent, _), typed, null in zip(plain, claims.typed, claims.nullable, strict=True):
        if typed:
            if parent is not last:
                tally, last = counts.setdefault(id(parent), [0, 0]), parent
            tally[0] += null
            tally[1] += 1
    out: dict[int | None, float] = {key: (n + NULL_PRIOR_WEIGHT * api) / (t + NULL_PRIOR_WEIGHT)
                                    for key, (n, t) in counts.items()}
    out[None] = api
    return out


def doubt(prior: float, seen: int, rate: float = NULL_SHARE) -> float:
    """The chance a property is nullable after ``seen`` values of it were all non-null (Bayes): a
    nullable one, null in ``rate`` of its values (:func:`fit_nulls`), shows no null in ``seen`` values
    with chance (1 - rate) ** seen."""
    if prior >= 1.0:  # every place of the name nullable: no count of non-null values outweighs it
        return 1.0
    miss = prior * (1.0 - rate) ** seen
    return miss / (miss + 1.0 - prior)


def fit_nulls(plain: list[Place], openapi: str, claims: Claims | None = None) -> NullFit:
    """The API's own null rate: the share of a nullable property's values that are null, as the
    traffic shows it, bounded to NULL_SHARE_MIN..NULL_SHARE.

    The fold counts values, not nulls, so the rate is read from how the chance of a property having
    shown a null grows with its values: a nullable property seen ``n`` times shows one with chance
    ``1 - (1 - rate) ** n``. The well-observed properties say which share of them is nullable at all,
    the thinly observed ones how fast nulls show; the pair of the most likely (maximum likelihood) is
    taken (:func:`nullrate.likeliest`, a grid search). An API that sends nulls rarely (8% of a nullable
    field's values) leaves "never null" in doubt far longer than one that sends them often; one that
    sends none claims it at the highest rate.
    """
    claims = claims or Claims(plain, openapi)
    # counted in C, in the order a loop of ``+= 1`` would meet them (the search sums in the tally's order):
    # the loop was 12 ms of the mix's 100k, this 3
    tally = Counter([(place[4], null) for place, typed, null in zip(plain, claims.typed, claims.nullable, strict=True)
                     if typed and place[4]])
    places = sum(tally.values())
    shown = sum(k for (_, null), k in tally.items() if null)
    if places < NULL_FIT_MIN_PLACES or not shown:  # too little to tell two numbers apart: as seen
        return NullFit(shown / places if places else 0.0, NULL_SHARE)
    share, rate = likeliest(tally)
    return NullFit(share, rate)
