"""Shared schemas: the objects of the bodies become ``components/schemas`` entries named after a resource; pure.

A client generator makes one class per inline object and numbers the collisions: the GitHub traffic's
user object became ``Owner``, ``User``, ``Assignee``, ``Permissions33``. Here every object schema (and
every enum of strings) is interned bottom-up, nested ones first, so a parent compares its children as
entries; equal ones are one entry, and like-named ones with the same properties, each alike, are one
entry with the wider schema of each. Never a union: a component read at a place claims each of its
properties there, and one place's extras at another are properties the traffic never had there (a
run's ``pull_requests[].base.repo``, ``{id, name, url}``, read as the whole repository). Each merged
entry is written once and referenced with ``$ref``, except the one body of an operation that nothing
shares (it stays in place).
Names come from where it appears: the resource of the body (``GET /users/{id}`` -> ``User``), its own
``type``/``kind``, the property that holds it (``owner`` -> ``Owner``), then qualified names, the
operation's, the parent's (``IssuePinnedComment``); names depend only on the document. Merged schemas
may rest on different evidence (``x-specbuild-seen``, drift/evidence.py): a component keeps the counts
of its best-evidenced occurrence, so ``check`` and ``diff`` weigh a claim by one real place. Its
``required`` is what every merged place that claims anything requires; a response of too few distinct
requests (REQUIRED_MIN_WITNESSES) claims nothing either way at its body's resource and keeps the others'
claim there, but for a property it saw absent (:func:`_required`).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from http import HTTPStatus
from typing import Any, Final

import orjson

from specbuild.extensions import SEEN
from specbuild.learn.naming import name, singular, words
from specbuild.learn.rules import IDENTITY_NAMES, REQUIRED_MIN_WITNESSES
from specbuild.learn.schema import SCALAR_KEYS

REF_PREFIX: Final = "#/components/schemas/"
# a body's resource says more about what a schema is than its own type field, and that more than a property name
_RESOURCE, _KIND, _HOLDER = 100, 10, 1
_NAMEABLE: Final = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,40}")
_MERGED: Final = frozenset({"properties", "required"})  # what may differ between schemas merged as one
# ... and, at the root, whether the object was in every holder (its own count): that is the holder's claim
_COMPARED: Final = _MERGED | {SEEN}


Place = tuple[Any, ...]


@dataclass(slots=True)
class _Entry:
    """One object schema (nested objects as placeholder refs) and what its occurrences say about it."""

    schema: dict[str, Any]
    count: int = 0
    votes: dict[str, int] = field(default_factory=dict)     # name -> weight
    qualified: set[str] = field(default_factory=set)        # resource + name: the names to fall back on
    parents: set[tuple[int, str]] = field(default_factory=set)  # (the entry holding it, the holder's name)
    operations: set[str] = field(default_factory=set)  # the operations whose body it is (``ReplacePod``)
    contexts: set[str] = field(default_factory=set)  # operation + holder of where it is held (``GetNodeSpec``)
    # the counts of the best-evidenced occurrence (most properties, then most values at its root; the
    # first of equals): one place's counts stay consistent with each other (a property's presence
    # against its objects). Read off ``kept`` (that occurrence's schema, and the count it inherits) when
    # first asked (:meth:`places`): a better occurrence replaced the kept one ~500 times of ~1.6k on the
    # mix's 100k, and only the last one is read. ``root``: the count at the kept one's root (-1: none).
    evidence: dict[Place, int] = field(default_factory=dict)
    kept: tuple[dict[str, Any], int | None] | None = None
    root: int = -1
    key: bytes = b""  # the schema's _key as it stands (placeholders as they were made)
    # whether an occurrence's ``required`` is a claim: one in a response of too few distinct requests
    # (REQUIRED_MIN_WITNESSES) claims nothing either way (render._cap_seen dropped it), only ``always``:
    # the properties in every one of its objects (None: no such occurrence), which no claim may exceed
    claims: bool = False
    always: frozenset[str] | None = None

    def vote(self, name: str, weight: int, qualified: str) -> None:
        if name:
            self.votes[name] = self.votes.get(name, 0) + weight
            self.qualified.add(qualified)

    def rank(self) -> tuple[int, int]:
        return len(self.schema.get("properties") or ()), self.root

    def places(self) -> dict[Place, int]:
        """The counts of the kept occurrence by place (``evidence``), read off it on the first ask."""
        if self.kept is not None:
            schema, inherited = self.kept
            self.kept, self.evidence = None, {}
            _places(schema, inherited, (), self.evidence)
        return self.evidence

    def absorb(self, other: _Entry) -> None:
        self.count += other.count
        for n, w in other.votes.items():
            self.votes[n] = self.votes.get(n, 0) + w
        self.qualified |= other.qualified
        self.parents |= other.parents
        self.operations |= other.operations
        self.contexts |= other.contexts
        self.claims |= other.claims
        if other.always is not None:
            self.always = other.always if self.always is None else self.always & other.always
        # the better-evidenced one's counts, the other's where it alone has the place (a merged extra)
        better, worse = (other, self) if other.rank() > self.rank() else (self, other)
        self.evidence = {**worse.places(), **better.places()}
        self.root = self.evidence.get((), -1)

    def best(self) -> str:
        return min(self.votes, key=lambda n: (-self.votes[n], len(n), n)) if self.votes else ""


@dataclass(frozen=True, slots=True)
class _Where:
    """The body a schema is in: its operation's resource (``Issue``), whose it is (``Repo``), its side."""

    resource: str
    whose: str
    many: bool
    side: str  # "Input" (a request), "" (a response), "Error" (a 4xx or 5xx response)
    operation: str = ""  # the operation's name (``ReplacePod``): a last name for a body's own schema
    thin: bool = False  # a response of too few distinct requests to claim ``required`` (render._cap_seen)

    def one(self) -> _Where:
        # one already (an array's items below the first): itself, not a copy (a frozen dataclass's are slow)
        return self if not self.many else _Where(self.resource, self.whose, False, self.side, self.operation, self.thin)


def share_schemas(paths: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Replace every object schema in the bodies of ``paths`` by a ref; the named schemas, sorted."""
    table = _Table()
    direct: list[tuple[int, tuple[str, str, bool]]] = []  # a body that is an object: (entry, its operation)
    bodies: Counter[tuple[str, str, bool]] = Counter()  # bodies per operation's requests (responses)
    for path, method, side, status, witnesses, media in _medias(paths):
        n = name(method, path)
        where = _Where(_pascal(n.resource), _pascal(n.whose), n.many, side, _pascal(n.words) + side + _phrase(status),
                       witnesses is not None and witnesses < REQUIRED_MIN_WITNESSES)
        media["schema"] = table.intern(media["schema"], where, root=True, holder="", inherited=None)
        hole = _hole(media["schema"])
        if not status.endswith("XX"):  # a range is inferred (learn/statuses.py): the API's body, not its own
            bodies[(path, method, side == "Input")] += 1
        if hole is not None:
            direct.append((hole, (path, method, side == "Input")))
    if not table.entries:
        return {}
    table.settle()
    # a generator names the one body of an operation's responses after it, several with numbers
    alone = table.alone([(i, at) for i, at in direct if bodies[at] == 1])
    names = table.names(alone)
    for _, _, _, _, _, media in _medias(paths):
        media["schema"] = table.resolve(media["schema"], names, alone)
    schemas = {names[i]: table.body(i, names) for i in table.reps() if i not in alone}
    used = _used(paths, schemas)  # a merge may have left one unused (an enum where the union says string)
    return {n: schemas[n] for n in sorted(schemas) if n in used}


# A ref in orjson's output: a ``"$ref"`` key (a quote inside a string is escaped, so none opens there), its
# string value, escapes and all. What _walked_refs takes for one: a dict's "$ref" that is such a string.
_REF_AT: Final = re.compile(rb'"\$ref":"' + re.escape(REF_PREFIX.encode()) + rb'((?:[^"\\]|\\.)*)"')


def _used(paths: dict[str, Any], schemas: dict[str, Any]) -> set[str]:
    """The names of ``schemas`` that ``paths`` refer to, directly or through other schemas.

    Read from each tree's JSON text (one dump and one search, ~2 ms of the mix's 100k, where walking
    every dict of the named schemas took ~20 ms); a tree orjson cannot dump is walked."""
    try:
        used: set[str] = set()
        todo = _text_refs(paths)
        while todo:
            ref = todo.pop()
            if ref not in used:
                used.add(ref)
                if ref in schemas:
                    todo.extend(_text_refs(schemas[ref]))
        return used
    except TypeError:  # orjson.JSONEncodeError: an int over 64 bits (from the traffic), in an example
        return _walked_refs(paths, schemas)


def _text_refs(node: Any) -> list[str]:
    """The names the refs under ``node`` give, from its JSON text."""
    return [raw.decode() if b"\\" not in raw else orjson.loads(b'"' + raw + b'"')
            for raw in _REF_AT.findall(orjson.dumps(node))]


def _walked_refs(paths: dict[str, Any], schemas: dict[str, Any]) -> set[str]:
    """:func:`_used`, walking every dict."""
    used: set[str] = set()
    todo: list[Any] = [paths]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(REF_PREFIX) and ref[len(REF_PREFIX):] not in used:
                used.add(ref[len(REF_PREFIX):])
                todo.append(schemas.get(ref[len(REF_PREFIX):]))
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return used


def _medias(paths: dict[str, dict[str, Any]]) -> Iterator[tuple[str, str, str, str, int | None, dict[str, Any]]]:
    """(path, method, side (see _Where), status (or "" for a request), the distinct requests a response
    answered (its ``x-specbuild-seen``: None for a request, an inferred range, or without counts), media
    type object) of every body, in a fixed order."""
    for path in sorted(paths):
        for method, op in sorted(paths[path].items()):
            bodies = [("Input", "", op["requestBody"])] if "requestBody" in op else []
            bodies += [("Error" if s[:1] in "45" else "", s, op["responses"][s]) for s in sorted(op["responses"])]
            for side, status, body in bodies:
                seen = body.get(SEEN) if side != "Input" else None
                for media in sorted(body.get("content", {})):
                    yield path, method, side, status, seen if type(seen) is int else None, body["content"][media]


def _phrase(status: str) -> str:
    """``201`` -> ``Created``: what tells two bodies of one operation apart in a name."""
    try:
        return _pascal(words(HTTPStatus(int(status)).phrase))
    except ValueError:
        return ""


def shareable(schema: Any) -> bool:
    """An object with properties or an enum of strings: a class in every generator, so a name of ours
    rather than its guess (``Language12``)."""
    if not isinstance(schema, dict):
        return False
    if isinstance(schema.get("properties"), dict):
        return bool(schema["properties"])
    return isinstance(schema.get("enum"), list) and any(isinstance(v, str) for v in schema["enum"])


# In orjson's output a count is ``"x-specbuild-seen":12`` where the quote is no escaped one (a ``"`` then
# ``x`` opens a key: a closing quote is followed by ``:,]}``), and a placeholder is a whole object
# ``{"$ref":"\u0000N"}`` (``{"`` is never inside a string: a quote there is escaped).
_SEEN_AT: Final = b'"' + SEEN.encode() + b'":'
# The lookbehind comes after the key (the quote before it no escaped one): a pattern that starts with a
# literal is searched for as one, one that starts with a lookbehind is tried at every byte (5x slower).
_COUNT_AT: Final = re.compile(re.escape(_SEEN_AT) + rb'(?<!\\' + re.escape(_SEEN_AT) + rb')-?[0-9]+(?=[,}])')
_PRESENT: Final = _SEEN_AT + b"true"  # a literal replacement: no template to expand per count
# ... with its count beside it, where the object was absent from some objects of its parent (``_property``)
_HOLE_AT: Final = re.compile(rb'\{"\$ref":"\\u0000([0-9]+)"(,' + re.escape(_PRESENT) + rb')?\}')


def _key(schema: dict[str, Any]) -> bytes:
    """Equal schemas have one key, whatever their counts (``x-specbuild-seen``), but not whatever their
    claims: a property with a count of its own was absent from some objects, one without was in all of
    them. Shared, one place's "always there" would be read at the other, and a second sample showing
    the absence it always had there would be called breaking (GitHub n5000 against its holdout: 13).

    The bytes of ``_presence``'s copy, made by rewriting the counts in one dump rather than copying the
    tree first (a third of the sharing's time); a ``x-specbuild-seen`` that is not a count (a property
    of that name) takes the copy."""
    data = orjson.dumps({k: v for k, v in schema.items() if k != SEEN}, option=orjson.OPT_SORT_KEYS)
    marks = data.count(_SEEN_AT)  # an escaped one too: then the copy (rare), so still the same bytes
    if not marks:
        return data
    out, counts = _COUNT_AT.subn(_PRESENT, data)
    if counts == marks:
        return out
    return orjson.dumps(_presence({k: v for k, v in schema.items() if k != SEEN}), option=orjson.OPT_SORT_KEYS)


def _presence(node: Any) -> Any:
    """``node`` with every count replaced by the fact that there is one."""
    if isinstance(node, dict):
        return {k: True if k == SEEN else _presence(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_presence(v) for v in node]
    return node


def _in_every(schema: dict[str, Any]) -> frozenset[str]:
    """The properties of a learned object schema not seen absent from any of its objects: those without
    a count of their own (learn/schema.py writes one where a property was in fewer objects than its
    parent; any JSON keeps its count, so it is not read as there). A union (counts on its branches) and
    a position seen only null (``{}``) carry none: nothing seen says they were ever absent."""
    props = schema.get("properties")
    if not isinstance(props, dict):
        return frozenset()
    return frozenset(p for p, sub in props.items() if isinstance(sub, dict) and SEEN not in sub)


def _required(one: _Entry, other: _Entry) -> list[str]:
    """The ``required`` of two entries merged as one. A property is required only where every merged
    schema that claims anything requires it; a schema from a response of too few distinct requests
    claims nothing either way (its ``required`` was never said, render._cap_seen): kept as the intersection,
    its silence erased what a well-witnessed place of the same resource proves (Miniflux's ``EntryList``:
    ``GET /v1/entries``' 90 requests require ``total``, ``GET /v1/categories/{id}/entries``' 23 said nothing).
    Its objects still rule out what they lacked: the claim keeps only properties in every one of them."""
    mine, theirs = set(one.schema.get("required", ())), set(other.schema.get("required", ()))
    if one.claims and other.claims:
        return sorted(mine & theirs)
    if one.claims:
        return sorted(mine & (other.always or frozenset()))
    if other.claims:
        return sorted(theirs & (one.always or frozenset()))
    return []  # neither claims: neither has a ``required``


def _places(schema: dict[str, Any], inherited: int | None, at: Place, out: dict[Place, int]) -> None:
    """The values seen at every place under ``schema`` (a place without a count has its parent's). A
    place is a path of steps to a schema, those drift/evidence.py walks: ``("p", name)`` into a property,
    ``items``, ``additionalProperties``, ``("b", i)`` into an ``anyOf`` branch."""
    here = schema.get(SEEN, inherited)
    if isinstance(here, int):
        out[at] = here
    # no generator of the steps: every object schema of the bodies is walked here (or in _holes,
    # _apply), most of them leaves with nothing below
    props = schema.get("properties")
    if props:
        for prop, sub in props.items():
            if not isinstance(sub, dict):
                continue
            if sub.keys() <= SCALAR_KEYS:  # a scalar's (most): its count, nothing below (no call for it)
                seen = sub.get(SEEN, here)
                if isinstance(seen, int):
                    out[(*at, ("p", prop))] = seen
            else:
                _places(sub, here, (*at, ("p", prop)), out)
    for key in ("items", "additionalProperties"):
        sub = schema.get(key)
        if isinstance(sub, dict):
            _places(sub, here, (*at, key), out)
    for i, branch in enumerate(schema.get("anyOf") or ()):
        if isinstance(branch, dict):
            _places(branch, here, (*at, ("b", i)), out)


def _beside(ref: dict[str, Any], count: int | None, parent: int | None) -> None:
    """The count of a property that is a ``$ref`` beside it, where it was absent from some of its parent's
    objects (a count of its own, as a property written in place has); none where it was in all of them."""
    ref.pop(SEEN, None)
    if count is not None and count != parent:
        ref[SEEN] = count


def _apply(schema: dict[str, Any], evidence: dict[tuple[Any, ...], int], at: tuple[Any, ...],
           parent: int | None) -> None:
    """Write the merged evidence onto a shared schema: a count where it differs from its parent's."""
    here = evidence.get(at)
    schema.pop(SEEN, None)
    if here is not None and here != parent:
        schema[SEEN] = here
    # the places _places walks, in its order
    props = schema.get("properties")
    if props:
        for prop, sub in props.items():
            if isinstance(sub, dict) and "$ref" not in sub:
                _apply(sub, evidence, (*at, ("p", prop)), here)
            elif isinstance(sub, dict):  # a ref to a component: the count of the property beside it, if its own
                _beside(sub, evidence.get((*at, ("p", prop))), here)
    for key in ("items", "additionalProperties"):
        sub = schema.get(key)
        if isinstance(sub, dict) and "$ref" not in sub:
            _apply(sub, evidence, (*at, key), here)
    for i, branch in enumerate(schema.get("anyOf") or ()):
        if isinstance(branch, dict) and "$ref" not in branch:
            _apply(branch, evidence, (*at, ("b", i)), here)


@lru_cache(maxsize=4096)  # every occurrence of a property asks again
def _held(prop: str) -> str:
    """The name of what a property holds: ``labels`` -> ``Label``."""
    ws = words(prop)
    return _pascal([*ws[:-1], singular(ws[-1])] if ws else [])


def _pascal(ws: list[str] | tuple[str, ...]) -> str:
    return "".join(w[:1].upper() + w[1:] for w in ws)


# The keys of a schema that intern looks below or shares (``shareable``): a schema with none is copied as it is.
_NESTING: Final = frozenset({"properties", "items", "additionalProperties", "anyOf", "enum"})

# A placeholder ref to an entry ("\x00<entry>") until the entries are merged and named.
_HOLE: Final = "\x00"


def ref_with(target: str, seen: Any = None) -> dict[str, Any]:
    """A ``$ref`` to ``target``, with the count of the property it stands for beside it where it has one (an
    object absent from some of its parent's objects: :meth:`_Table._property`)."""
    return {"$ref": target} if seen is None else {"$ref": target, SEEN: seen}


def _hole(node: Any) -> int | None:
    if isinstance(node, dict) and (len(node) == 1 or (len(node) == 2 and SEEN in node)):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_HOLE):
            return int(ref[1:])
    return None


def _holes(schema: dict[str, Any], holder: str | None, out: list[tuple[int, str | None]]) -> None:
    """(entry, the name of what holds it) for every placeholder directly under ``schema``, into ``out``
    in the order _places walks them."""
    props = schema.get("properties")
    if props:
        for prop, sub in props.items():
            if isinstance(sub, dict) and not sub.keys() <= SCALAR_KEYS:  # a scalar's holds no placeholder
                _hole_at(sub, _held(prop), out)
    for key in ("items", "additionalProperties"):
        sub = schema.get(key)
        if isinstance(sub, dict):
            _hole_at(sub, holder, out)
    for branch in schema.get("anyOf") or ():
        if isinstance(branch, dict):
            _hole_at(branch, holder, out)


def _hole_at(sub: dict[str, Any], held: str | None, out: list[tuple[int, str | None]]) -> None:
    hole = _hole(sub)
    if hole is not None:
        out.append((hole, held))
    else:
        _holes(sub, held, out)


def _discriminator(schema: dict[str, Any]) -> str:
    """The name a one-valued ``type``/``object`` field gives (``type: User``), or a resource's ``kind``."""
    props = schema.get("properties") or {}
    for field_name in ("kind", "type", "object"):
        values = (props.get(field_name) or {}).get("enum") if isinstance(props.get(field_name), dict) else None
        if field_name == "kind" and "metadata" not in props:
            continue  # a Kubernetes reference (involvedObject) names a kind without being one
        one = [v for v in values or () if v is not None]
        if len(one) == 1 and isinstance(one[0], str) and _NAMEABLE.fullmatch(one[0]):
            return _pascal(words(one[0]))
    return ""


def _nullable(schema: Any) -> bool:
    t = schema.get("type") if isinstance(schema, dict) else None
    return isinstance(schema, dict) and (schema.get("nullable") is True or (isinstance(t, list) and "null" in t))


def _non_null(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` without null: no ``nullable``, no "null" in a type list or an enum."""
    out = {k: v for k, v in schema.items() if k != "nullable"}
    t = out.get("type")
    if isinstance(t, list):
        rest = [x for x in t if x != "null"]
        out["type"] = rest[0] if len(rest) == 1 else rest
    if isinstance(out.get("enum"), list):
        out["enum"] = [v for v in out["enum"] if v is not None]
    return out


@lru_cache(maxsize=1 << 14)  # every property of every shared schema asks again
def _identifier(prop: str) -> str:
    """The identifier a generator makes of a property's name: its words joined (``a-b``, ``a_b``: ``a_b``)."""
    return "_".join(words(prop))


def _without_clashes(schema: dict[str, Any]) -> None:
    """Properties whose names are one identifier in a generated class (``+1`` and ``-1``, ``a-b`` and ``a_b``)
    are described by ``additionalProperties`` instead: no generator can make two fields of one name, and
    openapi-python-client drops the whole model (and the response models that hold it)."""
    props = schema.get("properties")
    if not isinstance(props, dict):
        return
    idents = list(map(_identifier, props))
    if len(set(idents)) == len(idents):  # no two alike (nearly every schema): nothing to move
        return
    by_word: dict[str, list[str]] = defaultdict(list)
    for prop, ident in zip(props, idents, strict=True):
        by_word[ident].append(prop)
    clashing = sorted(p for group in by_word.values() if len(group) > 1 for p in group)
    if not clashing:
        return
    moved = {p: props.pop(p) for p in clashing}
    if "required" in schema:
        schema["required"] = [p for p in schema["required"] if p not in clashing]
        if not schema["required"]:
            del schema["required"]
    if "additionalProperties" not in schema:
        # any value: the moved names' values were seen, no other key's. Their type here would claim every
        # other key has it, which no object showed (Unleash's variant: ``featureEnabled`` and
        # ``feature_enabled``, flags, made it a map of booleans, and the next sample's ``payload``, an
        # object, was refused); an object not judged a map has no claim on keys it did not list
        schema["additionalProperties"] = True
    # ... and what they were, for a reader (the only place left to say it)
    said = ", ".join(f"`{p}` ({_type_word(v)})" for p, v in moved.items())
    note = f"Also {said}: names that make one field in a generated class, so not listed as properties."
    schema["description"] = f"{schema['description']} {note}" if isinstance(schema.get("description"), str) else note


def _type_word(schema: Any) -> str:
    """What a moved property's values were, in a word: its type (or types, null too), an object for a
    ``$ref`` (its component may go with this, its one use), else any value."""
    if not isinstance(schema, dict):
        return "any value"
    if isinstance(schema.get("$ref"), str):
        return "object"
    kind = schema.get("type")
    kinds = [str(k) for k in kind] if isinstance(kind, list) else [kind] if isinstance(kind, str) else []
    if kinds and schema.get("nullable") is True and "null" not in kinds:
        kinds.append("null")
    return " or ".join(kinds) if kinds else "any value"


# Of an object schema's properties, those another's are alike with only where equal, and those schemas
# (:meth:`_Table._fixed`)
Fixed = tuple[tuple[str, ...], tuple[Any, ...]]


def _may_widen(one: Fixed, other: Fixed) -> bool:
    """Whether :meth:`_Table._compatible` may take two schemas of the same properties: not where the same
    ones are fixed in both (:meth:`_Table._fixed`) and one differs (no :meth:`_Table._wider` takes two
    such unequal schemas: neither is ``{}`` nor nullable, holds an ``anyOf`` or is a ref)."""
    return one[0] != other[0] or one[1] == other[1]


class _Table:
    """Every object schema of the bodies, once; equal ones, and like-named ones of the same properties, merged."""

    def __init__(self) -> None:
        self.entries: list[_Entry] = []
        self.up: list[int] = []  # union-find: the entry each one was merged into
        self.by_key: dict[bytes, int] = {}
        # an entry's schema does not change while the bodies are interned: what _note reads off it, once
        self.kinds: list[str] = []  # its _discriminator
        self.held: list[list[tuple[int, str | None]]] = []  # its _holes (None: held as the entry is)
        # per name: the members (and their _canon_keys) of a group _unite_compatible merged none of
        self.unmerged: dict[str, tuple[tuple[int, bytes], ...]] = {}
        # per entry: its last _canon_key, and what it was made of (its key, the placeholders' entries
        # in it, and what they were merged into)
        self.canon: dict[int, tuple[bytes, tuple[int, ...], tuple[int, ...], bytes]] = {}
        self.loaded: dict[bytes, Any] = {}   # _compared, by _canon_key (read, never changed)
        self.fixed: dict[bytes, Fixed] = {}  # _fixed, by _canon_key
        # per entry: the property names of its schema, and the ``properties`` they were read off
        self.props: dict[int, tuple[dict[str, Any], frozenset[str]]] = {}

    def find(self, i: int) -> int:
        while self.up[i] != i:
            self.up[i] = self.up[self.up[i]]
            i = self.up[i]
        return i

    def reps(self) -> list[int]:
        return [i for i in range(len(self.entries)) if self.find(i) == i]

    def intern(self, schema: Any, where: _Where, *, root: bool, holder: str, inherited: int | None) -> Any:
        """``schema`` with every object in it (innermost first) a placeholder of its entry.

        ``root``: the schema is the body's resource (the body itself, its array's items, a page's items).
        """
        if not isinstance(schema, dict):
            return schema
        if _NESTING.isdisjoint(schema):  # nothing below it, and no entry (a scalar's items): a copy
            return dict(schema)
        here = schema.get(SEEN, inherited)
        out = dict(schema)
        props, items, extra = schema.get("properties"), schema.get("items"), schema.get("additionalProperties")
        branches = schema.get("anyOf")
        if isinstance(props, dict):
            # a scalar's schema (most properties) is itself, without intern's work, a call or a copy: nothing
            # changes an entry's schemas in place (a merge makes new ones), and resolve writes copies
            page = root and "items" in props and props.keys().isdisjoint(IDENTITY_NAMES)  # not an order's lines
            out["properties"] = {p: sub if isinstance(sub, dict) and _NESTING.isdisjoint(sub)
                                 else self._property(p, sub, where, page, here)
                                 for p, sub in props.items()}
        if isinstance(items, dict):
            out["items"] = self.intern(items, where.one(), root=root, holder=holder, inherited=here)
        if isinstance(extra, dict):
            out["additionalProperties"] = self.intern(extra, where, root=False, holder=holder, inherited=here)
        if isinstance(branches, list):
            out["anyOf"] = [self.intern(b, where, root=root, holder=holder, inherited=here) for b in branches]
        if not shareable(out):
            return out
        # only the body's resource (the body, its array's items, a page's items) of a thin response claims
        # nothing: its count is the place's (capped by its distinct requests), which the gates weigh a claim
        # on. An object below it still claims what it has, none: lent a claim, a shared object nested in a
        # thin body took the other place's sample for its own (the devset's live1000, a mock serving complete
        # examples: GitHub's holdout accepted 0.849 -> 0.586, Kubernetes' 0.556 -> 0.522), and where it sits
        # under an optional property the diff reads the component's count as this place's
        i = self._entry(out, inherited, _in_every(schema) if where.thin and root else None)
        self._note(i, where, root=root, holder=holder)
        return {"$ref": f"{_HOLE}{i}"}

    def _property(self, prop: str, sub: Any, where: _Where, page: bool, here: int | None) -> Any:
        """``prop``'s schema ``sub`` interned; ``page``: its object is a page at a body's root (an ``items``
        list beside no identity of its own, rules.IDENTITY_NAMES)."""
        if page and prop == "items" and isinstance(sub, dict) and isinstance(sub.get("items"), dict):
            # the items of a page ({items: [...], total}, a Kubernetes list) are the resource itself
            inner = sub.get(SEEN, here)
            return {**sub, "items": self.intern(sub["items"], where.one(), root=True, holder="", inherited=inner)}
        out = self.intern(sub, where, root=False, holder=_held(prop), inherited=here)
        seen = sub.get(SEEN) if isinstance(sub, dict) else None
        if type(seen) is int and _hole(out) is not None:
            # an object absent from some of its parent's objects keeps its count beside the ref: the component's
            # counts are its own objects' (pooled where shared), and without this one no reader could tell an
            # object in every parent from one in a few (drift/presence.py follows the first, not the second)
            out = ref_with(out["$ref"], seen)
        return out

    def _entry(self, schema: dict[str, Any], inherited: int | None, always: frozenset[str] | None) -> int:
        """The entry of ``schema`` (its occurrence counted); ``always``: it claims no ``required`` (a thin
        response's), these properties were in every one of its objects."""
        key = _key(schema)
        i = self.by_key.get(key)
        if i is None:
            i = self.by_key[key] = len(self.entries)
            self.entries.append(_Entry(schema, key=key))
            self.up.append(i)
            self.kinds.append(_discriminator(schema))
            held: list[tuple[int, str | None]] = []
            _holes(schema, None, held)
            self.held.append(held)
        entry = self.entries[i]
        entry.count += 1
        if always is None:
            entry.claims = True
        else:
            entry.always = always if entry.always is None else entry.always & always
        here = schema.get(SEEN, inherited)
        root = here if isinstance(here, int) else -1
        if root > entry.root:  # kept, its places read when asked (_Entry.places)
            entry.kept, entry.root = (schema, inherited), root
        return i

    def _note(self, i: int, where: _Where, *, root: bool, holder: str) -> None:
        """The names this occurrence suggests, and which entries hold it."""
        entry = self.entries[i]
        if root and where.side == "Error":  # an API's errors have one shape, whatever the resource
            entry.vote("Error", _RESOURCE, where.resource + "Error")
        elif root:
            base = where.resource + (where.side or ("List" if where.many else ""))
            entry.vote(base, _RESOURCE, where.whose + base)
        else:
            entry.vote(holder, _HOLDER, where.resource + holder)
            if holder:  # and whose resource it is: NamespaceServiceSpec
                entry.qualified.add(where.whose + where.resource + holder)
                entry.contexts.add(where.operation + holder)
        if root:
            entry.operations.add(where.operation)
        kind = self.kinds[i]
        if kind:
            entry.vote(kind, _KIND, where.resource + kind)
        for child, held in self.held[i]:
            self.entries[child].parents.add((i, holder if held is None else held))

    def _canon(self, node: Any) -> Any:
        """``node`` with its placeholders pointing at the entries they were merged into, and every count
        replaced by the fact that there is one: a property absent from some objects at one place and in
        all of them at the other differs (see ``_key``), however many values each saw."""
        if isinstance(node, dict):
            hole = _hole(node)
            if hole is not None:
                return ref_with(f"{_HOLE}{self.find(hole)}", True if SEEN in node else None)
            return {k: True if k == SEEN else self._canon(v) for k, v in node.items()}
        if isinstance(node, list):
            return [self._canon(v) for v in node]
        return node

    def _canon_key(self, i: int) -> bytes:
        """``_key(self._canon(schema))`` of entry ``i``, from its key: only the placeholders change. Each
        round of :meth:`settle` asks it of every entry again, most of them as they were (the same key, the
        same entries merged into): those are not rewritten again."""
        key = self.entries[i].key
        known = self.canon.get(i)
        if known is None or known[0] is not key:
            # no entries merged into yet: a key with holes is rewritten below, one without has none to rewrite
            known = (key, tuple(int(m.group(1)) for m in _HOLE_AT.finditer(key)), (), key)
        if not known[1]:
            self.canon[i] = known
            return key
        into = tuple(map(self.find, known[1]))
        if into != known[2]:
            found = iter(into)
            known = (key, known[1], into,
                     _HOLE_AT.sub(lambda m: b'{"$ref":"\\u0000%d"%s}' % (next(found), m.group(2) or b""), key))
            self.canon[i] = known
        return known[3]

    def _compared(self, key: bytes) -> Any:
        """What :meth:`_compatible` reads of an entry whose _canon_key is ``key``: its ``_canon`` but for
        key order and the root's count, neither of which it reads (``rest`` leaves the count out, and
        it compares dicts and key sets). Read from the key's JSON, not copied from the schema in Python."""
        found = self.loaded.get(key)
        if found is None:
            found = self.loaded[key] = orjson.loads(key)
        return found

    def _fixed(self, key: bytes) -> Fixed:
        """The properties of the entry whose _canon_key is ``key`` that :meth:`_wider` finds alike with
        another's only where both are equal (a schema not empty, not nullable, with no ``anyOf`` and no
        ref), and those schemas: most like-named schemas of one set of properties differ in one of these
        (the mix's 100k: 1.5k of 2k compared), told apart by one comparison of two tuples."""
        found = self.fixed.get(key)
        if found is None:
            props = self._compared(key)["properties"]
            rigid = [p for p, sub in props.items() if isinstance(sub, dict) and sub and "anyOf" not in sub
                     and "$ref" not in sub and not _nullable(sub)]
            found = self.fixed[key] = (tuple(rigid), tuple([props[p] for p in rigid]))
        return found

    def _names(self, i: int) -> frozenset[str]:
        """The property names of entry ``i``'s schema (asked of each again in every round of :meth:`settle`;
        a schema's ``properties`` is replaced when it changes, never changed in place)."""
        props = self.entries[i].schema["properties"]
        known = self.props.get(i)
        if known is None or known[0] is not props:
            known = self.props[i] = (props, frozenset(props))
        return known[1]

    def settle(self) -> None:
        """Merge until nothing changes: a merge below can make two schemas above equal."""
        while self._unite_equal() | self._unite_compatible():
            pass

    def _wider(self, a: Any, b: Any) -> Any:
        """The one of two property schemas that accepts what both do, when one does; else None."""
        if a == b:
            return a
        for x, y in ((a, b), (b, a)):
            if x == {} and _nullable(y):  # only null was seen where the other one is nullable
                return y
            if _nullable(y) and _non_null(y) == x:  # a place of this kind was seen null (learn/nullability.py)
                return y
            if isinstance(y, dict) and isinstance(y.get("anyOf"), list) and x in y["anyOf"]:
                return y
            hole = _hole(x)
            enum = self.entries[self.find(hole)].schema if hole is not None else {}
            # an enum of strings where the other place says any string, both in every object of their parents:
            # the string (no count) stands for both, and an enum absent from some (its count beside its ref)
            # would read as always there
            if "enum" in enum and SEEN not in x and y == {k: enum[k] for k in ("type", "nullable") if k in enum}:
                return y
        return None

    def _compatible(self, one: dict[str, Any], other: dict[str, Any]) -> bool:
        """The same properties, each alike (one accepts the other), and all but ``properties`` and
        ``required`` the same: one resource whose values differed. A property of one only would be claimed
        where the traffic never had it (a subset too: a reference ``{id, name, url}`` is no repository)."""
        def rest(schema: dict[str, Any]) -> dict[str, Any]:
            return {k: v for k, v in schema.items() if k not in _COMPARED}

        mine, theirs = one["properties"], other["properties"]
        return (rest(one) == rest(other) and mine.keys() == theirs.keys()
                and all(self._wider(mine[p], theirs[p]) is not None for p in mine))

    def _unite(self, keep: int, gone: int) -> None:
        kept, other = self.entries[keep], self.entries[gone]
        required = _required(kept, other)
        kept.schema = {k: v for k, v in kept.schema.items() if k != "required"}
        if "properties" in kept.schema:  # the same properties (_compatible): each the wider of the two
            mine, theirs = self._canon(kept.schema["properties"]), self._canon(other.schema["properties"])
            kept.schema["properties"] = {p: self._wider(mine[p], theirs[p]) for p in sorted(mine)}
        if required:
            kept.schema["required"] = required
        kept.key = _key(kept.schema)
        kept.absorb(other)
        self.up[gone] = keep

    def _unite_equal(self) -> bool:
        first: dict[bytes, int] = {}
        merged = False
        for i in self.reps():
            j = first.setdefault(self._canon_key(i), i)
            if j != i:
                self._unite(j, i)
                merged = True
        return merged

    def _unite_compatible(self) -> bool:
        """A schema with the same properties as a like-named one, each alike, joins it."""
        groups: dict[str, list[int]] = defaultdict(list)
        for i in self.reps():
            if "properties" in self.entries[i].schema:  # an enum is merged only with its equal
                groups[self.entries[i].best()].append(i)
        merged = False
        for best, group in sorted(groups.items()):
            if len(group) < 2:  # most names: nothing to compare (a group of one compares nothing later either)
                continue
            # only schemas of the same property names are compatible: one alone with its names is left as is
            names = {i: self._names(i) for i in group}
            alike = Counter(names.values())
            members = [i for i in group if alike[names[i]] > 1]
            keys = {i: self._canon_key(i) for i in members}
            compared = tuple(keys.items())
            if self.unmerged.get(best) == compared:
                # the same schemas as last round (their _canon_keys: their placeholders' entries too), none
                # of which was compatible with another: the same comparisons, the same answers (most groups
                # after the first round)
                continue
            self.unmerged[best] = compared
            canon = {i: self._compared(keys[i]) for i in members}
            kept: dict[frozenset[str], list[int]] = defaultdict(list)
            fixed = {i: self._fixed(keys[i]) for i in members}
            for i in sorted(members, key=lambda i: (-len(names[i]), keys[i])):
                into = next((k for k in kept[names[i]]
                             if _may_widen(fixed[i], fixed[k]) and self._compatible(canon[i], canon[k])), None)
                if into is None:
                    kept[names[i]].append(i)
                else:
                    self._unite(into, i)
                    canon[into] = self._compared(self._canon_key(into))
                    fixed[into] = self._fixed(self._canon_key(into))
                    merged = True
                    self.unmerged.pop(best, None)
        return merged

    def names(self, alone: set[int]) -> dict[int, str]:
        """A unique name per merged entry: voted names by evidence, then qualified, then an operation's
        (``ReplacePod``), then parent + holder. One ``alone`` is called after its operation and takes no
        name from the others (it is written in place): only what it holds may be named after it."""
        out: dict[int, str] = {i: min(self.entries[i].operations, default="Object") for i in alone}
        reps = [i for i in self.reps() if i not in alone]
        keys = {i: self._canon_key(i) for i in reps}
        order = sorted(reps, key=lambda i: (-max(self.entries[i].votes.values(), default=0),
                                            -self.entries[i].count, keys[i]))
        taken: set[str] = set()
        pending = []
        for i in order:
            e = self.entries[i]
            ranked = sorted(e.votes, key=lambda n: (-e.votes[n], len(n), n))
            candidates = [*ranked, *sorted(e.qualified, key=lambda n: (len(n), n)), *sorted(e.operations)]
            chosen = next((n for n in candidates if n and n not in taken), None)
            if chosen is None:
                pending.append(i)
            else:
                taken.add(chosen)
                out[i] = chosen
        patient = True
        while pending:
            left = self._name_by_parents(pending, out, taken, patient)
            patient = len(left) < len(pending) or not patient  # no progress: operation names next, then numbers
            pending = left
        return {i: out[self.find(i)] for i in range(len(self.entries))}

    def _name_by_parents(self, pending: list[int], out: dict[int, str], taken: set[str], patient: bool) -> list[int]:
        """Name what a named parent holds after both (``IssueLabel``), else after the operation and holder;
        ``patient``, one whose parent is still unnamed waits for it rather than take an operation's name
        that a nearer schema (the job's own ``spec``, not its pod template's) should have. A number only
        when nothing else is left."""
        left = []
        for i in pending:
            e = self.entries[i]
            options = sorted({out[self.find(p)] + held for p, held in e.parents if self.find(p) in out})
            if not (patient and any(self.find(p) not in out for p, _ in e.parents)):
                options += sorted(e.contexts - set(options))
            chosen = next((n for n in options if n not in taken), None)
            if chosen is None:
                left.append(i)
            else:
                taken.add(chosen)
                out[i] = chosen
        if len(left) == len(pending) and not patient:  # nothing helps: the first voted name with a number
            i = left.pop(0)
            base = self.entries[i].best() or "Object"
            n = 2
            while f"{base}{n}" in taken:
                n += 1
            taken.add(f"{base}{n}")
            out[i] = f"{base}{n}"
        return left

    def alone(self, direct: list[tuple[int, tuple[str, str, bool]]]) -> set[int]:
        """The merged entries of ``direct`` (the one body of an operation's requests or responses) that
        are that body only, held by nothing: they stay where they are (a generator names them after their
        operation, uniquely)."""
        found = [(self.find(i), at) for i, at in direct
                 if self.entries[self.find(i)].count == 1 and not self.entries[self.find(i)].parents]
        return {i for i, _ in found}

    def body(self, i: int, names: dict[int, str]) -> dict[str, Any]:
        """The schema of a merged entry as written: refs named, its evidence on it, no clashing names."""
        entry = self.entries[i]
        if entry.kept is not None:  # its evidence not read yet: one occurrence's, read beside it
            body = self._written(entry.schema, names, entry.kept[0], entry.kept[1], None)
        else:
            body = self.resolve(entry.schema, names)
            _apply(body, entry.places(), (), None)
        _without_clashes(body)
        return body

    def _written(self, node: dict[str, Any], names: dict[int, str], kept: Any, inherited: Any,
                 parent: int | None) -> dict[str, Any]:
        """:meth:`resolve`'s copy of ``node`` (a place of an entry's schema, as :func:`_places` walks them)
        with the counts :func:`_apply` writes there, read off ``kept`` (the kept occurrence's schema at the
        same place, or None; ``inherited``: the count above it) as :func:`_places` reads them: one walk,
        not three and a dict of places (an entry never merged: all but ~24 of ~1k on the mix's 100k)."""
        here = kept.get(SEEN, inherited) if kept is not None else None
        count = here if isinstance(here, int) else None  # what _places records at this place
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == SEEN:
                continue  # written last, as _apply writes it
            if key == "properties" and isinstance(value, dict) and value:
                theirs = kept.get("properties") if kept is not None else None
                out[key] = {prop: self._written_property(sub, names, theirs.get(prop) if theirs else None, here, count)
                            for prop, sub in value.items()}
            elif key in ("items", "additionalProperties") and isinstance(value, dict) and "$ref" not in value:
                sub = kept.get(key) if kept is not None else None
                out[key] = self._written(value, names, sub if isinstance(sub, dict) else None, here, count)
            elif key == "anyOf" and isinstance(value, list):
                theirs = kept.get("anyOf") if kept is not None else None
                theirs = theirs if isinstance(theirs, list) else []
                out[key] = [self._written(b, names, theirs[j] if j < len(theirs) and isinstance(theirs[j], dict)
                                          else None, here, count)
                            if isinstance(b, dict) and "$ref" not in b else self.resolve(b, names)
                            for j, b in enumerate(value)]
            else:
                out[key] = self.resolve(value, names) if isinstance(value, (dict, list)) else value
        if count is not None and count != parent:
            out[SEEN] = count
        return out

    def _written_property(self, sub: Any, names: dict[int, str], kept: Any, inherited: Any,
                          parent: int | None) -> Any:
        """:meth:`_written` of a property's schema ``sub``; a ref with its count beside it (:func:`_beside`)."""
        if not isinstance(sub, dict):
            return self.resolve(sub, names) if isinstance(sub, list) else sub
        kept = kept if isinstance(kept, dict) else None
        if "$ref" not in sub:
            return self._written(sub, names, kept, inherited, parent)
        ref: dict[str, Any] = self.resolve(sub, names)
        here = kept.get(SEEN, inherited) if kept is not None else None
        _beside(ref, here if isinstance(here, int) else None, parent)
        return ref

    def resolve(self, node: Any, names: dict[int, str], alone: frozenset[int] | set[int] = frozenset()) -> Any:
        """``node`` with its placeholders refs to the named components (or, ``alone``, the schema itself)."""
        if isinstance(node, dict):
            # a placeholder is alone in its dict, or beside its count (most dicts are neither)
            hole = _hole(node) if len(node) <= 2 else None
            if hole is not None and self.find(hole) in alone:
                return self.body(self.find(hole), names)
            if hole is not None:  # the count beside it is the holder's evidence: _apply writes it
                return ref_with(REF_PREFIX + names[hole], node.get(SEEN))
            # a scalar is itself (most values: no call for each)
            return {k: self.resolve(v, names, alone) if isinstance(v, (dict, list)) else v for k, v in node.items()}
        if isinstance(node, list):
            return [self.resolve(v, names, alone) if isinstance(v, (dict, list)) else v for v in node]
        return node


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
