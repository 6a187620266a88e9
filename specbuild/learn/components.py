"""Shared schemas: equal object schemas become one ``components/schemas`` entry named after a resource; pure.

A client generator makes one class per inline object: the GitHub traffic's user object, inline in forty
places, became ``Owner``, ``User``, ``Assignee``, ``Item``, ``Permissions33``. Here every object schema
of at least MIN_PROPERTIES properties that appears more than once (exactly equal, nested ones compared
with their own content) is written once and referenced with ``$ref``. Its name comes from where it
appears: the resource of the operation whose body it is (``GET /users/{id}`` -> ``User``, the items of
``GET /repos/{o}/{r}/issues`` -> ``Issue``), or else the property that holds it (``owner`` -> ``Owner``,
``labels: [...]`` -> ``Label``). Where two schemas want one name, the one with more evidence keeps it and
the other takes its resource's qualifier (``IssueUser``); names depend only on the document. Equal
schemas may rest on different evidence (``x-specbuild-seen``, drift/evidence.py): a shared one keeps the
counts of its best-evidenced occurrence, so ``check`` and ``diff`` weigh a claim by one real place.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Final

import orjson

from specbuild.learn.naming import name, singular, words
from specbuild.learn.schema import SEEN

MIN_PROPERTIES: Final = 3
REF_PREFIX: Final = "#/components/schemas/"
_RESOURCE, _HOLDER = 100, 1  # a body's resource says more about what a schema is than a property name


@dataclass(slots=True)
class _Seen:
    count: int = 0
    votes: dict[str, int] = field(default_factory=dict)     # name -> weight
    qualified: set[str] = field(default_factory=set)        # resource + name: the names to fall back on
    # the counts of the best-evidenced occurrence (most values at its root; the first of equals): one
    # place's counts stay consistent with each other (a property's presence against its objects)
    evidence: dict[tuple[Any, ...], int] = field(default_factory=dict)

    def vote(self, name: str, weight: int, qualified: str) -> None:
        if name:
            self.votes[name] = self.votes.get(name, 0) + weight
            self.qualified.add(qualified)


@dataclass(frozen=True, slots=True)
class _Where:
    """The body a schema is in: its operation's resource (``Issue``), whose it is (``Repo``), its side."""

    resource: str
    whose: str
    many: bool
    side: str  # "Input" (a request), "" (a response), "Error" (a 4xx or 5xx response)


def share_schemas(paths: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Replace repeated object schemas in the bodies of ``paths`` by refs; the named schemas, sorted."""
    seen: dict[bytes, _Seen] = defaultdict(_Seen)
    for path, method, side, media in _medias(paths):
        n = name(method, path)
        where = _Where(_pascal(n.resource), _pascal(n.whose), n.many, side)
        _count(media["schema"], seen, where, root=True, holder="")
    shared = {key: s for key, s in seen.items() if s.count >= 2}
    if not shared:
        return {}
    names = _assign_names(shared)
    by_key = {key: (names[key], s) for key, s in shared.items()}
    schemas: dict[str, Any] = {}
    for _, _, _, media in _medias(paths):
        media["schema"] = _replace(media["schema"], by_key, schemas)
    return {n: schemas[n] for n in sorted(schemas)}


def _medias(paths: dict[str, dict[str, Any]]) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(path, method, side (see _Where), media type object) of every body, in a fixed order."""
    for path in sorted(paths):
        for method, op in sorted(paths[path].items()):
            bodies = [("Input", op["requestBody"])] if "requestBody" in op else []
            bodies += [("Error" if s[:1] in "45" else "", op["responses"][s]) for s in sorted(op["responses"])]
            for side, body in bodies:
                for media in sorted(body.get("content", {})):
                    yield path, method, side, body["content"][media]


def _is_shareable(schema: Any) -> bool:
    return isinstance(schema, dict) and isinstance(schema.get("properties"), dict) \
        and len(schema["properties"]) >= MIN_PROPERTIES


def _key(schema: dict[str, Any]) -> bytes:
    """Equal schemas have one key, whatever their counts (``x-specbuild-seen``), but not whatever their
    claims: a property with a count of its own was absent from some objects, one without was in all of
    them. Shared, one place's "always there" would be read at the other, and a second sample showing
    the absence it always had there would be called breaking (GitHub n5000 against its holdout: 13)."""
    return orjson.dumps(_presence({k: v for k, v in schema.items() if k != SEEN}), option=orjson.OPT_SORT_KEYS)


def _presence(node: Any) -> Any:
    """``node`` with every count replaced by the fact that there is one."""
    if isinstance(node, dict):
        return {k: True if k == SEEN else _presence(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_presence(v) for v in node]
    return node


def _subschemas(schema: dict[str, Any]) -> Iterator[tuple[Any, dict[str, Any]]]:
    """(step, child) for every schema directly under ``schema``, the places drift/evidence.py walks."""
    for prop, sub in (schema.get("properties") or {}).items():
        if isinstance(sub, dict):
            yield ("p", prop), sub
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield key, schema[key]
    for i, branch in enumerate(schema.get("anyOf") or ()):
        if isinstance(branch, dict):
            yield ("b", i), branch


Place = tuple[Any, ...]


def _places(schema: dict[str, Any], inherited: int | None, at: Place, out: dict[Place, int]) -> None:
    """The values seen at every place under ``schema`` (a place without a count has its parent's)."""
    here = schema.get(SEEN, inherited)
    if isinstance(here, int):
        out[at] = here
    for step, sub in _subschemas(schema):
        _places(sub, here, (*at, step), out)


def _apply(schema: dict[str, Any], evidence: dict[tuple[Any, ...], int], at: tuple[Any, ...],
           parent: int | None) -> None:
    """Write the merged evidence onto a shared schema: a count where it differs from its parent's."""
    here = evidence.get(at)
    schema.pop(SEEN, None)
    if here is not None and here != parent:
        schema[SEEN] = here
    for step, sub in _subschemas(schema):
        if "$ref" not in sub:
            _apply(sub, evidence, (*at, step), here)


def _count(schema: Any, seen: dict[bytes, _Seen], where: _Where, *, root: bool, holder: str,
           inherited: int | None = None) -> None:
    """Count every shareable object under ``schema`` and note the names its positions suggest.

    ``root``: the schema is the body's resource (the body itself, its array's items, a page's items).
    """
    if not isinstance(schema, dict):
        return
    inherited = schema.get(SEEN, inherited)
    if _is_shareable(schema):
        s = seen[_key(schema)]
        s.count += 1
        places: dict[Place, int] = {}
        _places(schema, inherited, (), places)
        if places.get((), -1) > s.evidence.get((), -1):
            s.evidence = places
        if root and where.side == "Error":  # an API's errors have one shape, whatever the resource
            s.vote("Error", _RESOURCE, where.resource + "Error")
        elif root:
            base = where.resource + (where.side or ("List" if where.many else ""))
            s.vote(base, _RESOURCE, where.whose + base)
        else:
            s.vote(holder, _HOLDER, where.resource + holder)
    for prop, sub in sorted((schema.get("properties") or {}).items()):
        if root and prop == "items" and isinstance(sub, dict) and isinstance(sub.get("items"), dict):
            # the items of a page ({items: [...], total}, a Kubernetes list) are the resource itself
            _count(sub["items"], seen, _Where(where.resource, where.whose, False, where.side), root=True,
                   holder="", inherited=sub.get(SEEN, inherited))
        else:
            _count(sub, seen, where, root=False, holder=_pascal(_holder_words(prop)), inherited=inherited)
    if isinstance(schema.get("items"), dict):
        _count(schema["items"], seen, _Where(where.resource, where.whose, False, where.side), root=root,
               holder=holder, inherited=inherited)
    if isinstance(schema.get("additionalProperties"), dict):
        _count(schema["additionalProperties"], seen, where, root=False, holder=holder, inherited=inherited)
    for branch in schema.get("anyOf") or ():
        _count(branch, seen, where, root=root, holder=holder, inherited=inherited)


def _holder_words(prop: str) -> list[str]:
    ws = words(prop)
    return [*ws[:-1], singular(ws[-1])] if ws else []


def _pascal(ws: list[str] | tuple[str, ...]) -> str:
    return "".join(w[:1].upper() + w[1:] for w in ws)


def _assign_names(shared: dict[bytes, _Seen]) -> dict[bytes, str]:
    """A unique name per shared schema: the best-evidenced schema keeps a contested name."""
    order = sorted(shared, key=lambda k: (-max(shared[k].votes.values(), default=0), -shared[k].count, k))
    taken: set[str] = set()
    out: dict[bytes, str] = {}
    for key in order:
        s = shared[key]
        ranked = sorted(s.votes, key=lambda n: (-s.votes[n], len(n), n))
        candidates = [n for n in [*ranked, *sorted(s.qualified)] if n]
        chosen = next((n for n in candidates if n not in taken), None)
        if chosen is None:
            base = candidates[0] if candidates else "Object"
            i = 2
            while f"{base}{i}" in taken:
                i += 1
            chosen = f"{base}{i}"
        taken.add(chosen)
        out[key] = chosen
    return out


def _replace(schema: Any, shared: dict[bytes, tuple[str, _Seen]], schemas: dict[str, Any]) -> Any:
    """``schema`` with every shared object (outermost first) a ``$ref``; ``schemas`` gets their bodies.

    A body carries the counts of its best-evidenced occurrence, with one at its root: a ref has no parent
    count to inherit.
    """
    if not isinstance(schema, dict):
        return schema
    if _is_shareable(schema):
        hit = shared.get(_key(schema))
        if hit is not None:
            named, s = hit
            if named not in schemas:
                schemas[named] = {}  # taken before its content is walked: a body is written once
                body = _replace_children(schema, shared, schemas)
                _apply(body, s.evidence, (), None)
                schemas[named] = body
            return {"$ref": REF_PREFIX + named}
    return _replace_children(schema, shared, schemas)


def _replace_children(schema: dict[str, Any], shared: dict[bytes, tuple[str, _Seen]],
                      schemas: dict[str, Any]) -> dict[str, Any]:
    out = dict(schema)
    if isinstance(schema.get("properties"), dict):
        out["properties"] = {k: _replace(v, shared, schemas) for k, v in schema["properties"].items()}
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            out[key] = _replace(schema[key], shared, schemas)
    if isinstance(schema.get("anyOf"), list):
        out["anyOf"] = [_replace(b, shared, schemas) for b in schema["anyOf"]]
    return out


def inline(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` with its ``#/components/schemas/`` refs replaced by the schemas (the learned ones never loop)."""
    schemas = (doc.get("components") or {}).get("schemas") or {}
    if not schemas:
        return doc

    def walk(node: Any, depth: int) -> Any:
        if isinstance(node, list):
            return [walk(v, depth) for v in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(REF_PREFIX) and ref[len(REF_PREFIX):] in schemas and depth < 64:
            return walk(schemas[ref[len(REF_PREFIX):]], depth + 1)
        return {k: walk(v, depth) for k, v in node.items()}

    out = {k: walk(v, 0) for k, v in doc.items() if k != "components"}
    rest = {k: v for k, v in doc["components"].items() if k != "schemas"}
    if rest:
        out["components"] = rest
    return out
