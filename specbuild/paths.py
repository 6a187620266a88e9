"""Path templating from evidence across requests; pure, stdlib only.

Typed segments (integers, UUIDs, long hex, dates, opaque tokens) become parameters on sight. Word
segments (slugs, names) stay literal until the evidence says the siblings at one position are values
of one parameter: many distinct values under a collection, values that share what lies below them
(``/namespaces/{ns}/pods``), values already seen at another parameter, or responses of the same shape.

>>> t = PathTemplater()
>>> t.observe("/users/42")
'/users/{:integer}'
>>> t.templates()["/users/{:integer}"].path
'/users/{userId}'

``observe`` runs once per exchange and only builds a *skeleton key* (typed segments replaced, words
kept). ``templates`` decides from all keys seen so far, from scratch, so a decision taken early is
revised when later evidence arrives; the result depends on the set of keys, never on their order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Final, Protocol, TypeVar
from urllib.parse import unquote

from specbuild.errors import UsageError

# --- segment classification -------------------------------------------------------------------

_INTEGER: Final = re.compile(r"(?:0|[1-9][0-9]*)\Z")
_DIGITS: Final = re.compile(r"[0-9]+\Z")
_UUID: Final = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")
_HEX: Final = re.compile(r"[0-9a-f]{7,}\Z|[0-9A-F]{7,}\Z")
_DATE: Final = re.compile(r"[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])\Z")
_DATE_TIME: Final = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}(?::|%3[Aa])[0-9]{2}(?:(?::|%3[Aa])[0-9]{2}(?:\.[0-9]+)?)?"
    r"(?:[Zz]|[+-][0-9]{2}(?:(?::|%3[Aa])?[0-9]{2})?)?\Z")
_EMAIL: Final = re.compile(r"[^@/\s]+(?:@|%40)[^@/\s]+\.[A-Za-z]{2,}\Z")
# v1, v2beta1, v1.2, 2.0: API versions are prefixes, never parameters.
_VERSION: Final = re.compile(r"[vV][0-9]+(?:[._][0-9]+)*(?:(?:alpha|beta|rc|preview|dev)[0-9]*)?\Z"
                             r"|[0-9]+(?:\.[0-9]+)+\Z")
_DIGIT_RUN: Final = re.compile(r"[0-9]+")
_HAS_DIGIT: Final = re.compile(r"[0-9]")
_SEPARATORS: Final = re.compile(r"[-_.:~+]")
_HEX_PART: Final = re.compile(r"[0-9a-fA-F]{7,}\Z")
# /Messages/SM0123abcd.json: a typed value with a file extension keeps the extension literal.
_EXTENSION: Final = re.compile(r"(.+)(\.(?:json|xml|csv|tsv|txt|html?|ya?ml|pdf|png|jpe?g|gif|svg|webp|zip"
                               r"|gz|tar|mp3|mp4|wav|ics|atom|rss|ndjson|jsonl|md))\Z", re.IGNORECASE)
_CAMEL: Final = re.compile(r"[A-Za-z][a-z]*(?:[A-Z][a-z]+)*[A-Z]?\Z")

STRONG_KINDS: Final = frozenset({"integer", "uuid", "hex", "date", "date-time", "email"})
API_PREFIXES: Final = frozenset({"api", "apis", "rest", "rpc", "graphql"})
# Aliases answer like the values beside them (``/users/me`` is shaped like ``/users/{username}``), so
# no evidence can tell them apart: they always stay literal.
ALIASES: Final = frozenset({"me", "self", "current", "mine", "latest"})
# Actions stay literal unless the values around them are many (a k8s deployment may be called "search").
ACTIONS: Final = frozenset({"search", "new", "count", "bulk", "batch", "export", "import", "stats",
                            "login", "logout", "signin", "signout", "signup", "register", "session",
                            "token", "refresh", "verify", "reset", "password", "settings", "status",
                            "health", "info", "summary", "_search", "_count", "_bulk"})
# findByStatus, createWithList, getUserInfo: camel-case verbs name operations, not values.
_VERB_CAMEL: Final = re.compile(r"(?:find|get|list|create|update|delete|remove|add|set|search|upload|download"
                                r"|check|validate|reset|send)[A-Z_]")
HTTP_METHODS: Final = frozenset({"GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE",
                                 "CONNECT"})
WORD_CAP: Final = 256          # distinct word values kept per (prefix, position)
CACHE_SIZE: Final = 1 << 16    # raw paths remembered by observe()


def classify_segment(seg: str) -> str | None:
    """The kind of a segment that is a parameter on sight, or None for a word-like segment.

    >>> classify_segment("42"), classify_segment("v1"), classify_segment("api-45db8383e-q1zvr")
    ('integer', None, 'token')
    """
    if "%" in seg:
        seg = unquote(seg)
    if not _HAS_DIGIT.search(seg):
        # no digit: a word (hex without digits is vanishingly rare), unless it is an address or
        # random letters (base62 ids can lack digits: cus_BVpecptLnKlGZI)
        if "@" in seg and _EMAIL.match(seg):
            return "email"
        return "token" if _random_case(seg) else None
    if _INTEGER.match(seg):
        return "integer"
    if _DIGITS.match(seg):
        return "token"  # zero-padded numbers keep their zeros: a string
    if _VERSION.match(seg):
        return None
    if _UUID.match(seg):
        return "uuid"
    if _DATE.match(seg):
        return "date"
    if _DATE_TIME.match(seg):
        return "date-time"
    if _HEX.match(seg):  # all-digit strings were taken above, so this mixes digits and letters
        return "hex"
    if "@" in seg and _EMAIL.match(seg):
        return "email"
    return "token" if _looks_opaque(seg) else None


def _looks_opaque(seg: str) -> bool:
    """Ids that mix digits and letters, without catching ``oauth2``, ``s3``, ``sha256`` or ``alice51``."""
    runs = _DIGIT_RUN.findall(seg)
    digits = sum(map(len, runs))
    if not any(c.isalpha() for c in seg):
        return True  # digits with separators: 10-20, 1_000_000
    if digits >= 4 and (max(map(len, runs)) >= 3 or len(runs) >= 3):
        return True  # worker-cleanup-28740121, ip-10-0-1-53.ec2.internal
    for part in _SEPARATORS.split(seg):
        if _HEX_PART.match(part) and any(c.isalpha() for c in part):
            return True  # api-45db8383e-q1zvr, aks-nodepool1-631294d7-eecb
    core = seg.rstrip("=")
    if len(core) >= 10 and sum(c.isupper() for c in core) >= 2 and sum(c.islower() for c in core) >= 2:
        changes = sum(_char_class(a) != _char_class(b) for a, b in pairwise(core))
        if changes >= 4 and changes >= 0.3 * len(core):
            return True  # base64-ish: MDQ6VXNlcjE, NffrFeUfNV2Hib
    return len(seg) >= 20 and digits >= 2


def _random_case(seg: str) -> bool:
    """Letters whose case flips like noise, not like camelCase: cus_BVpecptLnKlGZI, not findByStatus."""
    longest = max(_SEPARATORS.split(seg), key=len)
    if len(longest) < 12 or _CAMEL.match(longest):
        return False
    changes = sum(a.isupper() != b.isupper() for a, b in pairwise(longest))
    uppers = sum(c.isupper() for c in longest)
    return bool(changes >= 0.35 * len(longest) and 3 <= uppers <= len(longest) - 3)


def _char_class(c: str) -> int:
    return 0 if c.isdigit() else 1 if c.isupper() else 2 if c.islower() else 3


def is_version(seg: str) -> bool:
    """``v1``, ``v2beta1``, ``1.0``: API version segments."""
    return bool(_VERSION.match(seg))


def _keeps_literal(word: str) -> bool:
    """Words no amount of values beside them turns into one: me, search, findByStatus, v2, api."""
    low = word.lower()
    return (low in ALIASES or low in ACTIONS or low in API_PREFIXES or is_version(word)
            or bool(_VERB_CAMEL.match(word)))


def _version_here(seg: str, previous: str | None) -> bool:
    """``/rest/api/2``, ``/2010-04-01/Accounts``: a bare number or date where a version goes
    (first segment, or right after ``api``) is a version, not an id."""
    if previous is not None and previous.lower() not in API_PREFIXES:
        return False
    return (seg.isdigit() and len(seg) <= 2) or bool(_DATE.match(seg))


# --- templates --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PathParam:
    """A path parameter: its name and JSON schema (``{"type": "integer"}``, ``format: uuid``...)."""

    name: str
    schema: dict[str, str] = field(hash=False)


@dataclass(frozen=True, slots=True)
class Template:
    """A path template such as ``/users/{userId}`` and its parameters in path order."""

    path: str
    params: tuple[PathParam, ...] = ()

    def match(self, path: str) -> dict[str, str] | None:
        """The parameter values of a raw path, or None when the path is not an instance of this one.

        >>> Template("/users/{userId}", (PathParam("userId", {"type": "string"}),)).match("/users/7")
        {'userId': '7'}
        """
        mine = _split(self.path)
        theirs = _split(path)
        if len(mine) != len(theirs):
            return None
        values: dict[str, str] = {}
        for pattern, seg in zip(mine, theirs, strict=True):
            if pattern.startswith("{"):
                end = pattern.index("}")
                suffix = pattern[end + 1:]
                if len(seg) <= len(suffix) or not seg.endswith(suffix):
                    return None
                values[pattern[1:end]] = seg[:len(seg) - len(suffix)]
            elif pattern != _escape(seg):
                return None
        return values


def _split(path: str) -> list[str]:
    return [] if path in ("", "/") else path[1:].split("/") if path.startswith("/") else path.split("/")


def _escape(seg: str) -> str:
    """Braces are ours (templates and keys): a literal brace is kept percent-encoded."""
    return seg.replace("{", "%7B").replace("}", "%7D") if "{" in seg or "}" in seg else seg


_KIND_SCHEMAS: Final[dict[str, dict[str, str]]] = {
    "integer": {"type": "integer"},
    "uuid": {"type": "string", "format": "uuid"},
    "date": {"type": "string", "format": "date"},
    "date-time": {"type": "string", "format": "date-time"},
    "email": {"type": "string", "format": "email"},
}


def kind_schema(kinds: Iterable[str]) -> dict[str, str]:
    """The schema of a parameter whose values were of these kinds (one kind keeps its type)."""
    found = set(kinds)
    if len(found) == 1:
        return dict(_KIND_SCHEMAS.get(next(iter(found)), {"type": "string"}))
    return {"type": "string"}


# --- hints ------------------------------------------------------------------------------------

_HINT_PARAM: Final = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.-]*)\}\Z")


@dataclass(frozen=True, slots=True)
class Hint:
    """A user template (``--path-template``): literal segments and ``{name}`` parameters."""

    text: str
    segments: tuple[str, ...]   # literal text, or "{name}"

    @classmethod
    def parse(cls, text: str) -> Hint:
        if not text.startswith("/"):
            raise UsageError(f"path template {text!r} must start with '/'")
        segments = tuple(_split(text.rstrip("/") or "/"))
        names = []
        for seg in segments:
            if "{" in seg or "}" in seg:
                m = _HINT_PARAM.match(seg)
                if m is None:
                    raise UsageError(f"path template {text!r}: a parameter must be a whole segment like "
                                     "'{name}'")
                names.append(m.group(1))
        if len(set(names)) != len(names):
            raise UsageError(f"path template {text!r} names a parameter twice")
        return cls(text, segments)

    @property
    def rank(self) -> tuple[int, int, str]:
        """More literal segments first, then longer: the most specific hint wins."""
        literals = sum(not s.startswith("{") for s in self.segments)
        return (-literals, -len(self.segments), self.text)

    def key_prefix(self, segs: Sequence[str]) -> list[str] | None:
        """Key labels for the start of ``segs`` when this hint covers it: ``{owner}`` / ``{id:integer}``."""
        if len(segs) < len(self.segments):
            return None
        out = []
        for pattern, seg in zip(self.segments, segs, strict=False):
            if pattern.startswith("{"):
                if not seg:
                    return None
                kind = classify_segment(seg)
                out.append(pattern if kind is None else f"{pattern[:-1]}:{kind}}}")
            elif pattern != seg:
                return None
            else:
                out.append(_escape(seg))
        return out


def hint_label(label: str) -> tuple[str, str] | None:
    """``{owner}`` -> ("owner", "word"), ``{id:integer}`` -> ("id", "integer"); None for other labels."""
    if label.startswith("{") and not label.startswith("{:"):
        name, _, kind = label[1:-1].partition(":")
        return name, kind or "word"
    return None


def placeholder_kind(label: str) -> tuple[str, str] | None:
    """``{:integer}`` -> ("integer", ""), ``{:hex}.json`` -> ("hex", ".json"); None for other labels."""
    if not label.startswith("{:"):
        return None
    end = label.index("}")
    return label[2:end], label[end + 1:]


# --- the templater ----------------------------------------------------------------------------

class PathTemplater:
    """Learns path templates: ``observe`` each request path, then ask for ``templates``.

    Plain attributes only, so it pickles with the builder that owns it.
    """

    def __init__(self, hints: Sequence[str] = (), *, word_cap: int = WORD_CAP,
                 cache_size: int = CACHE_SIZE) -> None:
        self.hints = tuple(sorted((Hint.parse(h) for h in hints), key=lambda h: h.rank))
        self.word_cap = word_cap
        self.cache_size = cache_size
        self._cache: dict[str, str] = {}
        self._words: dict[str, set[str]] = {}   # key prefix -> word values seen at the next position
        self._keys: set[str] = set()

    def observe(self, path: str) -> str:
        """The skeleton key of a raw path: typed segments as ``{:kind}``, words literal."""
        key = self._cache.get(path)
        if key is None:
            key = self._skeleton(path)
            if len(self._cache) >= self.cache_size:
                self._cache.clear()  # the key of a path never changes, so forgetting is safe
            self._cache[path] = key
            self._keys.add(key)
        return key

    @property
    def keys(self) -> frozenset[str]:
        """Every skeleton key observed so far."""
        return frozenset(self._keys)

    def merge(self, other: PathTemplater) -> None:
        """Fold in what another templater observed (same hints), as if its paths came here too."""
        self._keys |= other._keys
        for prefix, words in other._words.items():
            mine = self._words.setdefault(prefix, set())
            for word in sorted(words - mine):
                if len(mine) >= self.word_cap:
                    break
                mine.add(word)

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state["_cache"] = {}  # a checkpoint need not carry the raw paths; they come back on sight
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)

    def _skeleton(self, path: str) -> str:
        segs = _split(path)
        labels: list[str] = []
        for hint in self.hints:
            found = hint.key_prefix(segs)
            if found is not None:
                labels = found
                break
        prefix = "/" + "/".join(labels)
        previous = segs[len(labels) - 1] if labels else None
        for seg in segs[len(labels):]:
            ext = _EXTENSION.match(seg) if "." in seg else None
            stem_kind = classify_segment(ext.group(1)) if ext else None
            kind = None if stem_kind or _version_here(seg, previous) else classify_segment(seg)
            previous = seg
            if kind is not None:
                label = "{:" + kind + "}"
            elif ext and stem_kind:
                label = "{:" + stem_kind + "}" + ext.group(2)
            else:
                label = _escape(seg)
                seen = self._words.get(prefix)
                if seen is None:
                    seen = self._words[prefix] = set()
                if label not in seen:
                    if len(seen) >= self.word_cap and not _keeps_literal(label):
                        label = "{:word}"
                    else:
                        seen.add(label)
            labels.append(label)
            prefix = prefix + "/" + label if len(prefix) > 1 else "/" + label
        return "/" + "/".join(labels)

    def templates(self, features: Mapping[str, frozenset[str]] | None = None) -> dict[str, Template]:
        """The template of every key observed so far, decided from all the evidence at once."""
        return decide(sorted(self._keys), self.hints, features or {})


# --- deciding templates from the evidence -----------------------------------------------------
#
# The keys form a trie. At each node the word children are judged twice if need be: first on their
# raw subtrees, top-down (namespaces that all hold ``pods`` and ``configmaps`` merge at once, before
# ``pods`` and ``configmaps`` could be mistaken for values under one namespace); if that finds no
# parameter, each child is resolved first and they are judged again, bottom-up (owners look alike
# only once each owner's repositories have merged). When siblings merge into a parameter, the union
# of their subtrees is resolved again: together they carry more evidence than apart. Values merged
# anywhere feed another pass (a value seen at ``/repos/{owner}`` is an owner again under
# ``/user/starred``) until no decision would change.
#
# Evidence, weakest to strongest: how many distinct values (a plural parent, /users/..., needs few),
# alike response shapes (overlap of property paths), shared structure below the siblings, values
# known from another parameter. Unlike shapes veto; aliases, actions, versions and API prefixes
# stay literal; typed ids beside words keep the words literal (/releases/latest).

SIM_HIGH: Final = 0.7          # response shapes this alike are one resource
SIM_LOW: Final = 0.45          # ... this different are different resources
SIM_GROUP: Final = 0.6         # a group this alike can tell its clearly odd ones out
SIM_ODD: Final = 0.3           # ... as those this unlike the rest
WORDS_BESIDE_IDS: Final = 10   # word siblings of typed ids stay literal below this many
PROFILE_DEPTH: Final = 4       # how deep below a sibling its structure is compared
PROFILE_SIZE: Final = 48       # ... and how many endpoints of it at most
MAX_COMPARED: Final = 16       # siblings compared pairwise for similarity (sorted, deterministic)
MAX_REFERENCES: Final = 8      # ... and the others each compared with this many of those
MAX_PASSES: Final = 4

Suffix = tuple[str, ...]


class _Raw:
    __slots__ = ("children", "keys", "props")

    def __init__(self) -> None:
        self.children: dict[str, _Raw] = {}
        self.keys: list[str] = []
        self.props: frozenset[str] = frozenset()   # response properties of the keys ending here


class _Slot:
    """A parameter position: the node below it and the kinds of the values that landed there."""

    __slots__ = ("hint", "kinds", "node", "suffix")

    def __init__(self, node: _Res, kinds: frozenset[str], hint: str, suffix: str) -> None:
        self.node = node
        self.kinds = kinds
        self.hint = hint       # the user's name for it, or "" for a learned parameter
        self.suffix = suffix   # a literal extension after the value: ".json"


class _Res:
    """A resolved trie node: literal children, parameter slots, and which labels went to which slot."""

    __slots__ = ("keys", "literals", "profile", "props", "slots")

    def __init__(self, keys: list[str], props: frozenset[str]) -> None:
        self.keys = keys
        self.props = props
        self.literals: dict[str, _Res] = {}
        self.slots: dict[str, _Slot] = {}   # "" learned, a hint's name, or an extension like ".json"
        self.profile: dict[Suffix, frozenset[str]] | None = None


def decide(keys: Sequence[str], hints: Sequence[Hint],
           features: Mapping[str, frozenset[str]]) -> dict[str, Template]:
    """The template of every skeleton key, from all keys (and their features) at once."""
    root = _Raw()
    for key in keys:
        node = root
        for label in _split(key):
            child = node.children.get(label)
            if child is None:
                child = node.children[label] = _Raw()
            node = child
        node.keys.append(key)
        node.props = node.props | features.get(key, frozenset()) - HTTP_METHODS
    pins = _pins(hints)
    pool: dict[str, frozenset[Suffix]] = {}
    for _ in range(MAX_PASSES):
        resolver = _Resolver(pins, pool)
        resolved = resolver.resolve([root], (), None, in_slot=False)
        found = {v: frozenset(p) for v, p in resolver.merged.items()}
        if found == pool or resolver.settled(found):
            break
        pool = found
    return _templates(resolved)


def _pins(hints: Sequence[Hint]) -> frozenset[tuple[Suffix, str]]:
    """Positions a hint holds literal: (labels before, literal)."""
    out = set()
    for hint in hints:
        before: list[str] = []
        for seg in hint.segments:
            if seg.startswith("{"):
                before.append("*")
            else:
                out.add((tuple(before), _escape(seg)))
                before.append(_escape(seg))
    return frozenset(out)


Profile = dict[Suffix, frozenset[str]]


class _Node(Protocol):
    keys: list[str]
    props: frozenset[str]


N = TypeVar("N", bound=_Node)


class _Resolver:
    def __init__(self, pins: frozenset[tuple[Suffix, str]], pool: Mapping[str, frozenset[Suffix]]) -> None:
        self.pins = pins
        self.pool = pool
        self.merged: dict[str, set[Suffix]] = {}   # word value -> positions where it became a parameter
        # Where the pool was asked, with the candidates, and whether the answer could not matter.
        self.consulted: list[tuple[Suffix, frozenset[str], bool]] = []

    def resolve(self, raws: Sequence[_Raw], prefix: Suffix, parent: str | None, *, in_slot: bool) -> _Res:
        """Resolve the union of ``raws`` (one node, or siblings merged into a parameter)."""
        node = _Res([k for raw in raws for k in raw.keys], frozenset().union(*(raw.props for raw in raws)))
        groups: dict[str, list[_Raw]] = {}
        for raw in raws:
            for label, child in raw.children.items():
                groups.setdefault(label, []).append(child)
        words: list[str] = []
        typed: dict[str, str] = {}
        fixed: dict[str, list[str]] = {}   # slot id -> labels: hint names, and typed ids with extensions
        for label in sorted(groups):
            hint = hint_label(label)
            placeholder = placeholder_kind(label)
            if hint is not None:
                fixed.setdefault(hint[0], []).append(label)
            elif placeholder is not None and placeholder[1]:
                fixed.setdefault(placeholder[1], []).append(label)
            elif placeholder is not None:
                typed[label] = placeholder[0]
            else:
                words.append(label)
        for slot_id, labels in fixed.items():
            self._fixed_slot(node, slot_id, labels, groups, prefix)
        site = _Site(prefix, parent, in_slot, typed, groups)
        resolved: dict[str, _Res] = {}
        absorbed: set[str] = set()
        if words:
            # Top-down first: siblings whose raw subtrees already agree (namespaces that all hold
            # ``pods``) merge before anything below them is judged one namespace at a time.
            absorbed = self._decide(site, {w: _raw_profile(groups[w]) for w in words})
            if not absorbed:
                # Bottom-up: owners only look alike once each owner's repositories have merged.
                resolved = {w: self.resolve(groups[w], (*prefix, w), w, in_slot=False) for w in words}
                absorbed = self._decide(site, {w: self._profile(r) for w, r in resolved.items()})
        if typed or absorbed:
            labels = sorted(typed.keys() | absorbed)
            kinds = frozenset(typed.values()) | ({"word"} if absorbed else set())
            below = self.resolve([c for label in labels for c in groups[label]], (*prefix, "*"), None,
                                 in_slot=True)
            node.slots[""] = _Slot(below, kinds, "", "")
            for label in absorbed:
                self.merged.setdefault(label, set()).add(prefix)
        for w in words:
            if w not in absorbed:
                node.literals[w] = resolved.get(w) or self.resolve(groups[w], (*prefix, w), w, in_slot=False)
        return node

    def _fixed_slot(self, node: _Res, slot_id: str, labels: list[str], groups: dict[str, list[_Raw]],
                    prefix: Suffix) -> None:
        """A slot no evidence decides: a hint's parameter, or typed values with an extension."""
        suffix = slot_id if slot_id.startswith(".") else ""
        kinds = set()
        for label in labels:
            hint = hint_label(label)
            placeholder = placeholder_kind(label)
            kinds.add(hint[1] if hint else placeholder[0] if placeholder else "word")
        below = self.resolve([c for label in labels for c in groups[label]], (*prefix, "*"), None,
                             in_slot=True)
        node.slots[slot_id] = _Slot(below, frozenset(kinds), "" if suffix else slot_id, suffix)

    def _decide(self, site: _Site, profiles: Mapping[str, Profile]) -> set[str]:
        """The word siblings that are values of one parameter here (typed siblings always are)."""
        cands = {w: p for w, p in profiles.items() if self._candidate(site, w)}
        actions = {w for w in cands if w.lower() in ACTIONS or _VERB_CAMEL.match(w)}
        if len(cands) - len(actions) < WORDS_BESIDE_IDS:
            cands = {w: p for w, p in cands.items() if w not in actions}
        if not cands:
            return set()
        kinds = set(site.typed.values())
        members = dict(cands)
        for label, kind in site.typed.items():
            # Opaque ids are names too (k8s pods beside a plain "nginx"); and past the word cap
            # hundreds of distinct values were seen here.
            if kind in ("token", "word"):
                members[label] = _raw_profile(site.groups[label])
        if len(members) < 2:
            return set()
        sim, outliers = _similarity(members)
        # A sibling that answers unlike the rest stays literal, unless it shares their structure.
        outliers -= _shared_structure(members, strict=site.scoped)
        if "word" in kinds:
            capped = {label for label, kind in site.typed.items() if kind == "word"}
            chosen = _followers(members, capped, set(cands)) if site.top else set(cands)
            return chosen - capped - outliers
        if sim is not None and sim < SIM_LOW:
            return set()
        if kinds & STRONG_KINDS:  # /releases/{id} beside /releases/latest: the words are literals
            return set(cands) - outliers if len(cands) >= WORDS_BESIDE_IDS else set()
        return self._accept(site, members, set(cands), sim) - outliers

    def _accept(self, site: _Site, members: Mapping[str, Profile], cands: set[str],
                sim: float | None) -> set[str]:
        """The candidates the evidence makes values; at a scoped site only those it speaks for."""
        n = len(members)
        similar = sim is not None and sim >= SIM_HIGH
        pooled = self._pooled(cands, site.prefix)
        sharing = _shared_structure(members, strict=site.scoped)
        self.consulted.append((site.prefix, frozenset(cands), bool(sharing) and not site.top))
        if pooled or sharing:
            if site.top:  # /health beside /{tenant}/users stays literal
                return _followers(members, (pooled | sharing) & cands, cands)
            return cands
        if site.scoped:  # after an id, at the root, after /api or /v1: resources, unless strongly alike
            alike = similar and _private_share(members) <= 0.5  # not just a common envelope
            return cands if n >= (12 if site.top else 8) and alike else set()
        if _plural(site.parent or ""):  # /users/{...}: a collection's children are its items
            return cands if n >= 3 or sim is not None else set()
        return cands if (n >= 3 and similar) or n >= 8 else set()

    def _candidate(self, site: _Site, label: str) -> bool:
        low = label.lower()
        if not label or low in ALIASES or (site.scoped and low in API_PREFIXES):
            return False  # "" is /users/ with its trailing slash: never a value
        if (site.prefix, label) in self.pins:
            return False
        below = {k for raw in site.groups[label] for k in raw.children}
        if (is_version(label) or _version_here(label, site.parent)) and below:
            return False  # a version prefix
        return not any(is_version(child) for child in below)  # an API group: /apis/batch/v1

    def _pooled(self, cands: Iterable[str], prefix: Suffix,
                pool: Mapping[str, frozenset[Suffix]] | None = None) -> set[str]:
        """The siblings that were values of a parameter somewhere else, if most of them were."""
        pool = self.pool if pool is None else pool
        cands = list(cands)
        known = {label for label in cands
                 if any(not _same_position(p, prefix) for p in pool.get(label, ()))}
        return known if len(known) >= 2 and 3 * len(known) >= 2 * len(cands) else set()

    def settled(self, pool: Mapping[str, frozenset[Suffix]]) -> bool:
        """Would another pass with this pool decide exactly as this one did?"""
        return all(settled or self._pooled(cands, prefix, pool) == self._pooled(cands, prefix)
                   for prefix, cands, settled in self.consulted)

    def _profile(self, res: _Res) -> Profile:
        """Endpoints below a resolved node (params as ``*``) with the response properties seen there."""
        if res.profile is None:
            res.profile = _walk([res], _resolved_children)
        return res.profile


class _Site:
    """Where a decision is taken: the position, the parent segment, and the typed siblings."""

    __slots__ = ("groups", "parent", "prefix", "scoped", "top", "typed")

    def __init__(self, prefix: Suffix, parent: str | None, in_slot: bool, typed: dict[str, str],
                 groups: dict[str, list[_Raw]]) -> None:
        self.prefix = prefix
        self.parent = parent
        self.typed = typed
        self.groups = groups
        # After an id, at the root, after /api or /v1, siblings are resources unless strongly alike.
        self.top = not in_slot and (parent is None or parent.lower() in API_PREFIXES or is_version(parent))
        self.scoped = in_slot or self.top


def _raw_profile(raws: Sequence[_Raw]) -> Profile:
    """Endpoints below unresolved nodes: typed segments as ``*``, words as they are."""
    return _walk(raws, _raw_children)


def _raw_children(node: _Raw) -> Iterator[tuple[str, _Raw]]:
    for label, child in node.children.items():
        yield ("*" if label.startswith("{") else label), child


def _resolved_children(node: _Res) -> Iterator[tuple[str, _Res]]:
    yield from node.literals.items()
    for slot in node.slots.values():
        yield "*", slot.node


def _walk(start: Sequence[N], children: Callable[[N], Iterable[tuple[str, N]]]) -> Profile:
    """Breadth-first, nearest endpoints first, at most PROFILE_SIZE of them: what lies right below
    a sibling tells most, and a bounded profile keeps huge subtrees cheap to compare."""
    out: Profile = {}
    level: dict[Suffix, list[N]] = {(): list(start)}
    for depth in range(PROFILE_DEPTH + 1):
        below: dict[Suffix, list[N]] = {}
        for suffix, nodes in level.items():
            if any(n.keys for n in nodes):
                out[suffix] = frozenset().union(*(n.props for n in nodes))
                if len(out) >= PROFILE_SIZE:
                    return out
            if depth < PROFILE_DEPTH and len(below) < 4 * PROFILE_SIZE:
                for n in nodes:
                    for label, child in children(n):
                        below.setdefault((*suffix, label), []).append(child)
                        if len(below) >= 4 * PROFILE_SIZE:
                            break
        level = below
    return out


def _followers(members: Mapping[str, Profile], leaders: set[str], cands: set[str]) -> set[str]:
    """The leaders, and the other candidates whose endpoints all lie where the leaders' do."""
    known = {s for label in leaders for s in members[label]}
    return leaders | {label for label in cands - leaders if members[label].keys() <= known}


def _shared_structure(members: Mapping[str, Profile], *, strict: bool) -> set[str]:
    """The siblings sharing a literal below them (not just a version), if most do: /namespaces/*/pods."""
    have = {label: {s for s in profile if _strong(s)} for label, profile in members.items()}
    with_any = [label for label, suffixes in have.items() if suffixes]
    counts: dict[Suffix, int] = {}
    for label in with_any:
        for s in have[label]:
            counts[s] = counts.get(s, 0) + 1
    sharing = {label for label in with_any if any(counts[s] >= 2 for s in have[label])}
    if strict:
        return sharing if len(sharing) >= 3 and 3 * len(sharing) >= 2 * len(with_any) else set()
    return sharing if len(sharing) >= 2 and 2 * len(sharing) >= len(with_any) else set()


def _similarity(members: Mapping[str, Profile]) -> tuple[float | None, set[str]]:
    """Median likeness of the siblings' responses, and the siblings unlike the rest."""
    ordered = sorted(members)
    sample = ordered[:MAX_COMPARED]
    per: dict[str, list[float]] = {label: [] for label in ordered}
    sims: list[float] = []
    for i, a in enumerate(sample):
        for b in sample[i + 1:]:
            s = _pair_similarity(members[a], members[b])
            if s is not None:
                sims.append(s)
                per[a].append(s)
                per[b].append(s)
    if not sims:
        return None, set()
    sims.sort()
    median = sims[len(sims) // 2]
    references = sample[:MAX_REFERENCES]
    for a in ordered[MAX_COMPARED:]:  # the rest are judged against a few of the sample
        per[a] = [s for b in references if (s := _pair_similarity(members[a], members[b])) is not None]
    outliers = set()
    if median >= SIM_GROUP:
        odd = SIM_LOW if median >= SIM_HIGH else SIM_ODD
        outliers = {label for label, xs in per.items() if xs and sum(xs) / len(xs) < odd}
    return median, outliers


def _private_share(members: Mapping[str, Profile]) -> float:
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


def _same_position(a: Suffix, b: Suffix) -> bool:
    """``namespaces/web`` and ``namespaces/*`` are one position seen before and after a merge."""
    return len(a) == len(b) and all(x == y or "*" in (x, y) for x, y in zip(a, b, strict=True))


def _strong(suffix: Suffix) -> bool:
    return any(label != "*" and not is_version(label) for label in suffix)


def _pair_similarity(a: Mapping[Suffix, frozenset[str]], b: Mapping[Suffix, frozenset[str]]) -> float | None:
    """Mean overlap of the response properties where both have an endpoint with properties."""
    if len(b) < len(a):
        a, b = b, a
    total = 0.0
    count = 0
    for suffix, pa in a.items():
        pb = b.get(suffix)
        if pa and pb:
            total += len(pa & pb) / min(len(pa), len(pb))
            count += 1
    return total / count if count else None


def _plural(word: str) -> bool:
    low = word.lower()
    return ((len(low) > 2 and low.endswith("s") and not low.endswith(("ss", "us", "is")))
            or (low in _IRREGULAR_PLURALS and _IRREGULAR_PLURALS[low] != low))


# --- naming -----------------------------------------------------------------------------------

_IRREGULAR_PLURALS: Final = {"people": "person", "children": "child", "men": "man", "women": "woman",
                             "data": "data", "media": "media", "indices": "index", "statuses": "status",
                             "aliases": "alias", "analyses": "analysis", "caches": "cache"}
_WORD_SPLIT: Final = re.compile(r"[^A-Za-z0-9]+")

Segment = str | _Slot


def _templates(root: _Res) -> dict[str, Template]:
    """Every key's template: the keys that end at a resolved node share the path down to it."""
    out: dict[str, Template] = {}
    stack: list[tuple[_Res, tuple[Segment, ...]]] = [(root, ())]
    while stack:
        node, segs = stack.pop()
        if node.keys:
            template = _name(segs)
            for key in node.keys:
                out[key] = template
        stack.extend((child, (*segs, label)) for label, child in node.literals.items())
        stack.extend((slot.node, (*segs, slot)) for slot in node.slots.values())
    return out


def _name(segs: Sequence[Segment]) -> Template:
    """Names from the resource before each parameter, unique within the path: /users/{userId}."""
    used = {s.hint for s in segs if isinstance(s, _Slot) and s.hint}
    parts: list[str] = []
    params: list[PathParam] = []
    base = ""
    run = 0
    for seg in segs:
        if isinstance(seg, str):
            parts.append(seg)
            base = "" if seg.lower() in API_PREFIXES or is_version(seg) else _camel(_singular(seg))
            run = 0
            continue
        run += 1
        name = seg.hint
        if not name:
            stem = base + _suffix(seg.kinds) if base else _suffix(seg.kinds).lower()
            name = stem if run == 1 else f"{stem}{run}"
            n = run
            while name in used:
                n += 1
                name = f"{stem}{n}"
        used.add(name)
        parts.append("{" + name + "}" + seg.suffix)
        params.append(PathParam(name, kind_schema(seg.kinds)))
    return Template("/" + "/".join(parts), tuple(params))


def _suffix(kinds: frozenset[str]) -> str:
    if kinds <= {"date", "date-time"}:
        return "Date"
    if kinds == {"email"}:
        return "Email"
    if "word" in kinds:
        return "Name"
    return "Id"


def _singular(word: str) -> str:
    low = word.lower()
    if low in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[low]
    if low.endswith("ies") and len(low) > 4:
        return word[:-3] + "y"
    if low.endswith(("sses", "shes", "ches", "xes", "zzes")):
        return word[:-2]
    if _plural(low):
        return word[:-1]
    return word


def _camel(word: str) -> str:
    pieces = [p for p in _WORD_SPLIT.split(word) if p]
    if not pieces:
        return ""
    out = pieces[0][0].lower() + pieces[0][1:] + "".join(p[0].upper() + p[1:] for p in pieces[1:])
    return out if out[0].isalpha() else "p" + out
