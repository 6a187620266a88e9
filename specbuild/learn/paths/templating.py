"""Deciding templates from all skeleton keys at once: the trie, the resolver, and parameter names.

The keys form a trie. At each node the word children are judged twice if need be: first on their
raw subtrees, top-down (namespaces that all hold ``pods`` and ``configmaps`` merge at once, before
``pods`` and ``configmaps`` could be mistaken for values under one namespace); if that finds no
parameter, each child is resolved first and they are judged again, bottom-up (owners look alike
only once each owner's repositories have merged). When siblings merge into a parameter, the union
of their subtrees is resolved again: together they carry more evidence than apart. Values merged
anywhere feed another pass (a value seen at ``/repos/{owner}`` is an owner again under
``/user/starred``) until no decision would change.

Evidence, weakest to strongest: how many distinct values (a plural parent, /users/..., needs few),
alike response shapes (overlap of property paths), shared structure below the siblings, values
known from another parameter. Unlike shapes veto; aliases, actions, versions and API prefixes
stay literal; typed ids beside words keep the words literal (/releases/latest).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Protocol

from specbuild.http import METHODS
from specbuild.learn.naming import pair_names
from specbuild.learn.paths.actions import invoked, over_names, posted_only
from specbuild.learn.paths.evidence import (
    SIM_HIGH,
    SIM_LOW,
    Answers,
    Features,
    Likeness,
    Profile,
    Suffix,
    alike,
    alike_inside,
    answers_alike,
    followers,
    item_props,
    lone_words_as_values,
    loners,
    object_props,
    private_share,
    same_position,
    shared_structure,
    similarity,
    walk,
)
from specbuild.learn.paths.filepaths import file_paths as spanned
from specbuild.learn.paths.resolved import Res as _Res
from specbuild.learn.paths.resolved import Slot as _Slot
from specbuild.learn.paths.templates import (
    NO_REFUSALS,
    Hint,
    PathParam,
    Refusals,
    Template,
    hint_label,
    kind_schema,
    placeholder_kind,
)
from specbuild.learn.rules import IDENTIFIER
from specbuild.segments import (
    ACTIONS,
    ALIASES,
    API_PREFIXES,
    STRONG_KINDS,
    VERB_CAMEL,
    decoded,
    escape_segment,
    is_action,
    is_cased,
    is_file_name,
    is_marked,
    is_version,
    keeps_literal,
    reads_as_random,
    split_path,
    version_here,
)

# Pure, and asked of the same few thousand words by every rule of every pass (a regex or three each): remembered.
_keeps_literal = lru_cache(maxsize=1 << 14)(keeps_literal)
_is_version = lru_cache(maxsize=1 << 14)(is_version)
_is_cased = lru_cache(maxsize=1 << 14)(is_cased)  # the mix's 100k render: 6.3k questions of 1.5k words

WORDS_BESIDE_IDS: Final = 10   # word siblings of typed ids stay literal below this many
# Action words, at least, holding what as many names beside them hold that make a vocabulary of the API's
# own (Kratos' login, logout, settings): two may be anyone's names (jobs called export and import).
VOCABULARY_MIN: Final = 3
MAX_PASSES: Final = 4
THIN_KEYS: Final = 2           # a sibling seen at this many distinct paths or fewer is thin evidence
MANY_THIN: Final = 12          # ... and this many thin siblings sharing words below them are values
FEW_THIN: Final = 4            # ... or this many under a collection (/predictions/...: its items)
# A word right below one value in this many, FEW_THIN values at least, is a resource of the values (each
# value's resources are called a few times: a sample holds a few of them under each value).
RESOURCE_SHARE: Final = 8
MANY_LEAVES: Final = 32        # leaves answering alike at one position: values, however often each was called
# The fields of a listed item that a path names it by (``GET /projects`` -> ``[{"id": "default"}]``, then
# ``/projects/default``): :func:`_listed_here`.
ITEM_NAMES: Final = frozenset({"id", "name", "slug", "key"})


class Listed(Protocol):
    """The names the collections at some skeleton keys list as their items' ITEM_NAMES, and the names
    clients POSTed into a collection called so (render reads both from the folded bodies: the distinct
    strings each shape keeps, so as bounded as they are)."""

    def __call__(self, keys: Sequence[str]) -> frozenset[str]: ...

    def posted(self, noun: str) -> frozenset[str]: ...

    def posted_field(self, noun: str, name: str) -> frozenset[str]: ...


# A property path of names (``result.name``, ``items[].id``). A key that is data (a version ``1.0.1``, an
# id ``42``) names no property of the resource: a map's keys differ from one value of a parameter to the
# next and would make siblings that are one resource look unalike.
_NAMED: Final = re.compile(rf"(?:{IDENTIFIER})?(?:\[\]|\.{IDENTIFIER})*")  # one way to match: linear


# What a node without keys answers: one for all (an Answers is never changed; a trie has thousands of nodes).
_NO_ANSWERS: Final = Answers()


class _Raw:
    __slots__ = ("children", "keys", "methods", "props", "targets", "walked")

    def __init__(self) -> None:
        self.children: dict[str, _Raw] = {}
        self.keys: list[str] = []
        self.targets = 0   # distinct request targets of the keys ending here (0: not counted)
        self.props = _NO_ANSWERS   # response properties of the keys ending here, by method too
        self.methods: frozenset[str] = frozenset()  # ... and their methods (actions: learn/paths/actions.py)
        self.walked: list[tuple[str, _Raw]] | None = None   # the children as profiles see them (_raw_children)


def decide(keys: Sequence[str], hints: Sequence[Hint], features: Mapping[str, frozenset[str]],
           targets: Mapping[str, int] | None = None, listed: Listed | None = None,
           refused: Refusals = NO_REFUSALS, *, file_paths: bool = False) -> dict[str, Template]:
    """The template of every skeleton key, from all keys (their features, how many distinct request
    targets reached each, the names the collections at them list, where known, and those every answer
    of which refused the path) at once. ``file_paths``: a file path with folders is one parameter that
    spans segments (learn/paths/filepaths.py), not a template per depth (``--file-paths``)."""
    root = _Raw()
    # the keys of one resource share their property paths: each matched once, then sets intersected
    every: frozenset[str] = frozenset().union(*(features.get(key, ()) for key in keys))
    named = frozenset(p for p in every if p not in METHODS and _NAMED.fullmatch(p))
    unnamed = every - named
    for key in keys:
        node = root
        for label in split_path(key):
            child = node.children.get(label)
            if child is None:
                child = node.children[label] = _Raw()
            node = child
        node.keys.append(key)
        node.targets += (targets or {}).get(key, 0)
        seen = features.get(key, frozenset())
        answers = _answers(seen, named, unnamed)
        # a node ends one key (they are distinct): its answers are the key's, as merged would hand them back
        node.props = Answers.merged((node.props, answers)) if node.props or not answers else answers
        node.methods = node.methods | _methods(seen)
    served = _fold_formats(root, keys)
    _drop_path_values(root)
    pins = _pins(hints)
    pool: dict[str, frozenset[Suffix]] = {}
    memo = _Memo(listed, refused, _top_collections(root))
    for _ in range(MAX_PASSES):
        resolver = _Resolver(pins, pool, memo)
        resolved = resolver.resolve([root], (), None, in_slot=False)
        found = {v: frozenset(p) for v, p in resolver.merged.items()}
        if found == pool or resolver.settled(found):
            break
        pool = found
    if file_paths:  # opt-in: only our own gates match a parameter across "/" (x-multiSegment)
        spanned(resolved)
    return _templates(resolved, resolver.fixed, served)


def _answers(seen: frozenset[str], named: frozenset[str], unnamed: frozenset[str]) -> Answers:
    """A key's named properties, and which method answered each: given (:class:`Features`, what
    ``render.features`` hands), or spelled out in the plain form (``"GET items[].name"``). ``unnamed``:
    the features of all keys that are not ``named`` (few: data used as keys, method names)."""
    if isinstance(seen, Features):
        # asked of the key: isdisjoint walks the smaller set only when its argument is a plain frozenset
        if seen.isdisjoint(unnamed):
            return seen  # all named: the key's answers as render gave them (no copy of hundreds)
        # its properties are among all keys' features: the named ones are those not unnamed (a few, so
        # taking them out is cheaper than looking each property up among the named)
        kept = seen - unnamed
        sole = seen.sole_call()
        if sole is not None and kept:  # one method answered all of it (most keys): its call is what is kept
            return Answers._answered_by(kept, sole)
        calls = {method: props - unnamed for method, props in seen.calls.items()}
        return Answers(kept, {method: props for method, props in calls.items() if props})
    calls = _spelled_calls(seen, named)
    return Answers(filter(named.__contains__, seen), {method: props for method, props in calls.items() if props})


def _methods(seen: frozenset[str]) -> frozenset[str]:
    """The methods a key was called with (the plain form lists them among its features)."""
    return METHODS & seen | seen.methods if isinstance(seen, Features) else METHODS & seen


def _spelled_calls(seen: frozenset[str], named: frozenset[str]) -> dict[str, frozenset[str]]:
    """The calls of the plain form of features: ``"GET items[].name"``, the property named."""
    calls: dict[str, set[str]] = {}
    for feature in seen:
        method, space, prop = feature.partition(" ")
        if space and prop in named and method in METHODS:
            calls.setdefault(method, set()).add(prop)
    return {method: frozenset(props) for method, props in calls.items()}


_COMPONENT: Final = re.compile(r"\[\]\.?|\.")
# What an API serves a resource as (Rails' ``.:format``, ``/orders.json``), unlike a file's own type
# (``notes.md``, ``logo.png``): plain words in one of these are endpoints' names (_file_names) ...
_FORMATS: Final = frozenset({"json", "xml"})
# ... and glued to a name that is also a path of its own (Datasette's ``/{table}.json``: _fold_formats), these
# and the formats of data and feeds are the same thing as the bare name, in a format.
_SERVED: Final = _FORMATS | {"csv", "tsv", "yaml", "yml", "ndjson", "jsonl", "atom", "rss"}
_SERVED_AS: Final = re.compile(r"(.+)(\.(?:{}))\Z".format("|".join(sorted(_SERVED))), re.IGNORECASE)


def _fold_formats(root: _Raw, keys: Iterable[str]) -> dict[str, str]:
    """Fold ``name.json`` into ``name`` where the names are also paths of their own: ``/shop/customers.json``
    beside ``/shop/customers/-/insert`` is the table ``customers`` in a format, and so is ``/projects/acme.json``
    beside ``/projects/acme/issues``. Compared whole, ``customers.json`` and ``customers`` are two siblings:
    the names vary once with the suffix and once without, and each half is judged on half the evidence (one
    sample templates the names, the other keeps some literal, the suffix inside the value). Folded, the
    name is judged once, on everything below and at it; the suffix goes back on its keys at the end
    (the returned key -> suffix). Where a name is so paired (two names at least, or typed ids), the other
    ``name.json`` leaves there fold too: a table only read (``/shop/items.json``) is one more name of the
    same kind. A name alone in a format (``/openapi.json``, Twilio's ``/Records/Today.json``) is left whole:
    a resource asked for in a format (:func:`_in_a_format`), nothing pairs it with a path of its own.
    Where is a position (typed segments as ``*``): typed siblings are one parameter whatever else is decided,
    so the words of one account fold as the ids of another do. Where the names there carry several
    extensions (``plots 7.csv`` beside ``notes 3.md``, ``{:token}.csv`` beside a folder ``{:token}``) they
    are files in a folder, each of its own type: nothing folds."""
    # a name in a format has a dot (``_SERVED_AS``): a position without one has nothing to fold (most; the
    # mix's 100k: 1 of 7.2k). The trie's labels are the keys' segments, so the keys say where dots are,
    # and only those positions' nodes are gathered (grouping all of them by position was 6% of decide()).
    groups = [_nodes_at(root, at) for at in _dotted_positions(keys)]  # all gathered before any fold
    served: dict[str, str] = {}
    for group in groups:
        folding = _folding(group)
        for node in group:
            for label in sorted(folding.keys() & node.children.keys()):
                _fold_one(node, label, *folding[label], served)
    return served


def _position(label: str) -> str:
    """A label as a position names it: a typed segment as ``*``."""
    return "*" if label.startswith("{") else label


def _dotted_positions(keys: Iterable[str]) -> list[Suffix]:
    """The positions (labels before, typed ones as ``*``) where some key has a segment with a dot."""
    out: set[Suffix] = set()
    for key in keys:
        if "." in key:
            segments = split_path(key)
            out.update(tuple(map(_position, segments[:i])) for i, seg in enumerate(segments) if "." in seg)
    return sorted(out)


def _nodes_at(root: _Raw, at: Suffix) -> list[_Raw]:
    """The trie's nodes at the position ``at``."""
    level = [root]
    for step in at:
        level = [child for node in level for label, child in node.children.items() if _position(label) == step]
    return level


def _folding(group: Sequence[_Raw]) -> dict[str, tuple[str, str]]:
    """The leaves ``name.json`` to fold at one position (its nodes: ``group``), with their stems and suffixes."""
    leaves: dict[str, tuple[str, str]] = {}   # label -> (stem, suffix), leaves only
    inner: set[str] = set()                   # labels with children
    extensions: set[str] = set()
    for node in group:
        for label, child in node.children.items():
            typed = placeholder_kind(label)
            if (typed is not None and typed[1].startswith(".")) or (typed is None and is_file_name(label)):
                extensions.add(label.rsplit(".", 1)[1].lower())
            found = _SERVED_AS.match(label) if not child.children and not hint_label(label) else None
            if found is not None:
                leaves[label] = (found.group(1), found.group(2))
            elif child.children:
                inner.add(label)
    if len(extensions) > 1:
        return {}   # files of their own types (``notes 3.md`` beside ``plots 7.csv``): a folder, no format
    paired = {label for label, (stem, _) in leaves.items() if stem in inner}
    suffixes = {leaves[label][1] for label in paired}
    # typed ids in a format (``{:token}.json`` beside ``{:token}/Media.json``) fold as one: the words
    # beside them in that format (``wNCMorOUJl.json``) go with them, to be judged as ids beside ids
    if len(paired) >= 2 or any(label.startswith("{") for label in paired):
        paired |= {label for label, (_, suffix) in leaves.items() if suffix in suffixes}
    return {label: leaves[label] for label in paired}


def _fold_one(node: _Raw, label: str, stem: str, suffix: str, served: dict[str, str]) -> None:
    """Move the leaf ``label`` (``stem`` + ``suffix``) of ``node`` onto its ``stem`` child."""
    leaf = node.children.pop(label)
    into = node.children.get(stem)
    if into is None:
        into = node.children[stem] = _Raw()
    into.keys.extend(leaf.keys)
    into.targets += leaf.targets
    into.props = Answers.merged((into.props, leaf.props))
    into.methods = into.methods | leaf.methods
    served.update((key, suffix) for key in leaf.keys)


def _drop_path_values(root: _Raw) -> None:
    """Drop the properties keyed by a word of the paths right below their node: ``GET /alice`` answering
    ``result.indexes.experimental2`` beside ``/alice/experimental2`` lists its indexes in a map keyed by
    their names. Such keys are data (every owner has its own), not what the resource answers: read as
    properties, owners that are one resource would each look like a resource of its own."""
    inner: list[_Raw] = []
    stack = [root]
    while stack:
        node = stack.pop()
        stack.extend(node.children.values())
        if node.props and node.children:  # a leaf has no word below to be keyed by
            inner.append(node)
    # a key below a path's first -> the paths: nodes share their paths, so each is split once
    keyed: dict[str, set[str]] = defaultdict(set)
    for p in frozenset().union(*(node.props for node in inner)):
        for key in _COMPONENT.split(p)[1:]:
            keyed[key].add(p)
    for node in inner:
        below = {label for child in node.children.values() for label in child.children} | set(node.children)
        dropped = set().union(*(keyed[label] for label in below if label in keyed))
        if dropped:
            node.props = node.props.without(dropped)


def _pins(hints: Sequence[Hint]) -> frozenset[tuple[Suffix, str]]:
    """Positions a hint holds literal: (labels before, literal)."""
    out = set()
    for hint in hints:
        before: list[str] = []
        for seg in hint.segments:
            if seg.startswith("{"):
                before.append("*")
            else:
                out.add((tuple(before), escape_segment(seg)))
                before.append(escape_segment(seg))
    return frozenset(out)


# A node to resolve (raws, prefix, parent, in_slot), and a resolution that asks for such nodes.
_Call = tuple[Sequence[_Raw], Suffix, str | None, bool]
_Resolving = Generator[_Call, _Res, _Res]


class _Resolver:
    def __init__(self, pins: frozenset[tuple[Suffix, str]], pool: Mapping[str, frozenset[Suffix]],
                 memo: _Memo) -> None:
        self.pins = pins
        self.pool = pool
        self.memo = memo   # shared by the passes
        self.merged: dict[str, set[Suffix]] = {}   # word value -> positions where it became a parameter
        # Where the pool was asked, with the candidates, and whether the answer could not matter; and
        # what :meth:`_pooled` answered each (by position).
        self.consulted: list[tuple[Suffix, frozenset[str], bool]] = []
        self.pooled: list[set[str]] = []
        self.answered: dict[tuple[Suffix, frozenset[str]], set[str]] = {}   # _pooled, of this pass's pool
        # Words kept literal as the API's own (learn/paths/actions.py), where: they name no parameter.
        self.fixed: set[tuple[Suffix, str]] = set()
        # Every addition to ``fixed`` and to ``merged``, in order: what a subtree added (:meth:`_reused`).
        self.fixed_log: list[tuple[Suffix, str]] = []
        self.merged_log: list[tuple[str, Suffix]] = []
        memo.passes += 1
        self.passes = memo.passes
        self.vocabulary = _Vocabulary(pool)
        # Where the words of the values were asked (:meth:`_in_the_values_words`): the site, its
        # candidates, and the answer.
        self.worded: list[tuple[Suffix, bool, frozenset[str], frozenset[str]]] = []

    def resolve(self, raws: Sequence[_Raw], prefix: Suffix, parent: str | None, *, in_slot: bool) -> _Res:
        """Resolve the union of ``raws`` (one node, or siblings merged into a parameter).

        Each node's resolution is a generator that yields the resolutions it needs below it; they run
        here on an explicit stack, so a path of thousands of segments (a hostile record) is deep in the
        heap, not in Python's call stack.
        """
        first: _Call = (raws, prefix, parent, in_slot)
        answer: _Res | None = self._reused(first)
        if answer is not None:
            return answer
        stack = [(self._resolve(*first), self._started(first))]
        while True:
            try:
                call = next(stack[-1][0]) if answer is None else stack[-1][0].send(answer)
            except StopIteration as done:
                _, started = stack.pop()
                answer = done.value
                self._finished(started, answer)
                if not stack:
                    return answer
                continue
            answer = self._reused(call)
            if answer is None:
                stack.append((self._resolve(*call), self._started(call)))

    def _started(self, call: _Call) -> tuple[_Where, int, int, int, int]:
        """Where a node's resolution starts, and how far the pass's notes ran then (:meth:`_finished`)."""
        raws, prefix, parent, in_slot = call
        return ((tuple(map(id, raws)), prefix, parent, in_slot, ()), len(self.consulted), len(self.worded),
                len(self.fixed_log), len(self.merged_log))

    def _finished(self, started: tuple[_Where, int, int, int, int], res: _Res) -> None:
        """Remember a node's resolution with what it read of the pool and what it noted, for the next
        pass (:meth:`_reused`)."""
        where, consulted, worded, fixed, merged = started
        self.memo.subtrees[where] = _Subtree(res, self.passes, tuple(self.consulted[consulted:]),
                                             tuple(self.pooled[consulted:]), tuple(self.worded[worded:]),
                                             tuple(self.fixed_log[fixed:]), tuple(self.merged_log[merged:]))

    def _reused(self, call: _Call) -> _Res | None:
        """A node's resolution from an earlier pass, where this pass's pool answers each question its
        subtree asked as it was answered then: it was decided from the same raw nodes and those answers
        alone, so it would come out the same (most of the tree, in every pass after the first: only
        where a decision reads a changed answer is it resolved again). Its notes are noted again."""
        raws, prefix, parent, in_slot = call
        known = self.memo.subtrees.get((tuple(map(id, raws)), prefix, parent, in_slot, ()))
        if known is None or known.passes == self.passes or not known.holds(self):
            return None
        self.consulted.extend(known.consulted)
        self.pooled.extend(known.pooled)
        self.worded.extend(known.worded)
        self._fix(known.fixed)
        for label, at in known.merged:
            self._merge(label, at)
        return known.res

    def _fix(self, pairs: Iterable[tuple[Suffix, str]]) -> None:
        """Note words kept literal (``fixed``), and that they were."""
        for pair in pairs:
            self.fixed.add(pair)
            self.fixed_log.append(pair)

    def _merge(self, label: str, at: Suffix) -> None:
        """Note a word that became a parameter's value at ``at``, and that it did."""
        self.merged.setdefault(label, set()).add(at)
        self.merged_log.append((label, at))

    def _resolve(self, raws: Sequence[_Raw], prefix: Suffix, parent: str | None, in_slot: bool) -> _Resolving:
        """One node's resolution: ``yield`` a node below, get its :class:`_Res` back."""
        node = _Res([k for raw in raws for k in raw.keys], self.memo.answers(raws))
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
            if hint is not None:  # one slot per name and extension: ``{id}`` and ``{id}.csv`` are two
                fixed.setdefault(hint[0] + "}" + hint[2], []).append(label)  # "}": in no name (``{a.b}``, ``{a}.b``)
            elif placeholder is not None and placeholder[1]:
                fixed.setdefault(placeholder[1], []).append(label)
            elif placeholder is not None:
                typed[label] = placeholder[0]
            else:
                words.append(label)
        moved = _ids_in_format(fixed, words, lambda labels: object_props(
            self.memo.answers([raw for label in labels for raw in groups[label]])))
        for slot_id, labels in moved.items():
            fixed[slot_id].extend(labels)
            words = [w for w in words if w not in labels]
        folded = _mixed_extensions(fixed, words)
        for slot_id in {label[label.index("}") + 1:] for label in folded}:
            del fixed[slot_id]
            words = sorted([*words, *moved.get(slot_id, ())])  # file names after all: judged as words
        typed.update(folded)
        for slot_id, labels in _custom_methods(words, fixed, bool(typed)).items():
            fixed.setdefault(slot_id, []).extend(labels)
            words = [w for w in words if w not in labels]
        for slot_id, labels in fixed.items():
            yield from self._fixed_slot(node, slot_id, labels, groups, prefix)
        site = _Site(prefix, parent, in_slot, typed, groups, (node.props, len(raws), node.keys), self.memo)
        resolved: dict[str, _Res] = {}
        absorbed: set[str] = set()
        if words:
            # Top-down first: siblings whose raw subtrees already agree (namespaces that all hold
            # ``pods``) merge before anything below them is judged one namespace at a time.
            absorbed = self._decided(site, (tuple(map(id, raws)), prefix, parent, in_slot, tuple(words)))
            if not absorbed:
                # Bottom-up: owners only look alike once each owner's repositories have merged.
                for w in words:
                    resolved[w] = yield groups[w], (*prefix, w), w, False
                absorbed = self._decide_resolved(site, resolved)
        # words every call of which the API refused: the errors of the parameter beside them
        refused = self._refused_values(site, [w for w in words if w not in absorbed], absorbed)
        # words whose own calls are a value's, their subtree the API's
        named = (yield from self._value_slot(node, site, words, absorbed, refused)) if typed or absorbed else set()
        for w in words:
            if w not in absorbed and w not in refused:
                done = resolved.get(w)
                node.literals[w] = done if done is not None else (yield groups[w], (*prefix, w), w, False)
                if w in named:  # its own keys went to the parameter: a copy without them (a node is kept
                    node.literals[w] = _without_keys(node.literals[w])  # for the next pass as it was made)
        return node

    def _value_slot(self, node: _Res, site: _Site, words: Sequence[str], absorbed: set[str],
                    refused: Set[str] = frozenset()) -> Generator[_Call, _Res, set[str]]:
        """The learned parameter: typed ids and the words absorbed, the words ``refused`` beside them (no
        evidence of values: neither counted nor pooled, their kinds the parameter's already), and the own
        calls of the words that are a value's (:func:`_values_named_as_words`); returns those words."""
        values = [c for label in sorted(site.typed.keys() | absorbed) for c in site.groups[label]]
        named = _values_named_as_words(site, [w for w in words if w not in absorbed and w not in refused], values)
        values += [c for label in sorted(refused) for c in site.groups[label]]
        # a word absorbed for looking like the ids beside it is one of them: /accounts/{accountId}
        kinds = frozenset(site.typed.values()) | {_word_kind(w) for w in absorbed | named}
        shells = [self.memo.shell(raw) for w in sorted(named) for raw in site.groups[w] if raw.keys]
        below = yield [*values, *shells], (*site.prefix, "*"), None, True
        node.slots[""] = _Slot(below, kinds, "", "", len(absorbed))
        for label in absorbed:
            self._merge(label, site.prefix)
        return named

    def _refused_values(self, site: _Site, words: Sequence[str], absorbed: Set[str]) -> set[str]:
        """Words every call of which, at them and below, the API refused (render.refused: not found, or
        an invalid name in its error shape), beside a parameter typed ids or words absorbed make here:
        values of it the server does not have, its errors, not operations (Phoenix's ``GET
        /v1/projects/no-such-project``, one 404 beside ``{projectName}``; Parse's ``POST
        /schemas/2ndClass``, 400 "Invalid classname", beside ``{schemaName}``). Only where nothing says
        endpoint: a candidate, no word of the API's own (alias, action, mark, plural: ``/users/me``
        refused when logged out stays); at THIN_KEYS paths or fewer, under one owner (refused under
        several, it is a word the API names: a view every organisation has); with calls the values take
        there too (a POST beside values never POSTed to is an operation called wrongly); and changing
        nothing of the parameter, its name or its schema (``/users/nobody`` beside integer ids stays, the
        ids' template an integer), but for a malformed value refused as invalid, its calls bare (Alertmanager's
        ``GET /api/v2/silence/not-a-uuid``, 422 beside uuids: the parameter stays a uuid). A word with no
        parameter beside it stays the path it is: nothing else stands there to take its calls."""
        refusals = self.memo.refused
        if not (refusals.paths or refusals.malformed) or not words or not (site.typed or absorbed):
            return set()
        kinds = frozenset(site.typed.values()) | {_word_kind(w) for w in absorbed}
        values = [raw for label in sorted(site.typed.keys() | absorbed) for raw in site.groups[label]]
        out = set()
        for w in words:
            raws = site.groups[w]
            calls = _calls_below(raws[0]) if len(raws) == 1 and _keys_below(raws, THIN_KEYS + 1) <= THIN_KEYS else []
            joined = kinds | {_word_kind(w)}
            same = kind_schema(joined) == kind_schema(kinds) and _suffix(joined) == _suffix(kinds)
            # a word the typed ids would not take, refused as invalid in any shape: a malformed value the
            # validation layer turned away, the parameter's error; it keeps the parameter's type and name
            # (the value is what the server refused). Not found there may be a router's: it stays.
            refused = refusals.paths if same else refusals.malformed if site.typed else frozenset()
            if (calls and all(key in refused for _, node in calls for key in node.keys)
                    and self._candidate(site, w) and not _names_a_resource(w)
                    and all(node.methods <= _methods_at(values, suffix) for suffix, node in calls)):
                out.add(w)
        return out

    def _decided(self, site: _Site, where: _Where) -> set[str]:
        """:meth:`_decide` on the raw profiles of the words ``where`` lists, remembered across passes.

        A pass sees the same site and raw profiles as the one before it; only the pool differs, and
        :meth:`_decide` reads it through :meth:`_pooled` and the vocabulary alone (recorded in
        ``consulted`` and ``worded``). Where each of those answers as it did, the rest decides as it
        did: its answer, and what it noted (``fixed``, ``consulted``, ``worded``), are the same again
        (each of the mix's 100k passes after the first decided ~120 sites in 0.055 s this way).
        """
        known = self.memo.decisions.get(where)
        if known is not None and known.holds(self):
            self.consulted.extend(known.consulted)
            self.pooled.extend(known.pooled)
            self.worded.extend(known.worded)
            self._fix(known.fixed)
            return set(known.chosen)
        consulted, worded, fixed = len(self.consulted), len(self.worded), self.fixed
        self.fixed = set()  # what this decision adds: noted apart, then added
        try:
            chosen = self._decide(site, {w: site.profile(w) for w in where[-1]}, where)
            made = self.fixed
        finally:
            fixed |= self.fixed
            self.fixed = fixed
        self.memo.decisions[where] = _Decision(frozenset(chosen), frozenset(made), tuple(self.consulted[consulted:]),
                                               tuple(self.pooled[consulted:]), tuple(self.worded[worded:]))
        return chosen

    def _decide_resolved(self, site: _Site, resolved: Mapping[str, _Res]) -> set[str]:
        """:meth:`_decide` on the siblings resolved one by one; failing that, owners of names alike."""
        profiles = {w: self._profile(r) for w, r in resolved.items()}
        absorbed = self._decide(site, lone_words_as_values(profiles, _names_a_resource))
        if absorbed:
            return absorbed
        return _owners_of_names({w: r for w, r in resolved.items() if self._candidate(site, w)}, profiles,
                                self.memo.likeness)

    def _fixed_slot(self, node: _Res, slot_id: str, labels: list[str], groups: dict[str, list[_Raw]],
                    prefix: Suffix) -> Generator[_Call, _Res, None]:
        """A slot no evidence decides: a hint's parameter (and the literal after it: ``{id}.csv``), or typed
        values with an extension (``slot_id``, as :meth:`_resolve` groups them)."""
        name, suffix = "", slot_id
        kinds = set()
        for label in labels:
            hint = hint_label(label)
            placeholder = placeholder_kind(label)
            if hint is not None:
                name, suffix = hint[0], hint[2]
            kinds.add(hint[1] if hint else placeholder[0] if placeholder else "word")
        below = yield [c for label in labels for c in groups[label]], (*prefix, "*"), None, True
        node.slots[slot_id] = _Slot(below, frozenset(kinds), name, suffix)

    def _decide(self, site: _Site, profiles: Mapping[str, Profile], where: _Where | None = None) -> set[str]:
        """The word siblings that are values of one parameter here (typed siblings always are).

        Namespaced names (``com.example.created``, ``m.room.message``) and names behind a sigil (npm's
        scopes ``@acme``, home folders ``~alice``) are values wherever two of them are siblings: nobody
        names endpoints like that, and each one would be an operation of its own. ``where``: the raw
        profiles' (:meth:`_decided`), by which what the pool does not change is remembered across passes.
        """
        known = self.memo.rules.get(where) if where is not None else None
        if known is None:
            start = len(self.fixed_log)
            cands, chosen, owners, crowd = self._rules(site, profiles)
            if where is not None:
                self.memo.rules[where] = _Rules(tuple(cands), tuple(self.fixed_log[start:]), frozenset(chosen),
                                                frozenset(owners), crowd)
        else:  # a pass after the one that decided here: the same candidates, rules and notes
            self._fix(known.fixed)
            cands, chosen, owners, crowd = {w: profiles[w] for w in known.cands}, set(known.chosen), known.owners, \
                known.crowd
        chosen = (chosen | self._in_the_values_words(site, cands) | self._acted_on(site, cands)) - owners
        namespaced = {w for w in cands if _namespaced(w)}
        if len(namespaced) >= 2:
            chosen |= namespaced | self._decide_words(site, {w: p for w, p in cands.items() if w not in namespaced},
                                                      crowd, where)
        else:
            chosen |= self._decide_words(site, cands, crowd, where)
        # names written as people write (a space: Tiled's ``energy (keV)``, a folder ``Lima lab``, recorded
        # as they are or percent-encoded) are values wherever two are siblings: no API names an endpoint so.
        # The words beside them were weighed with them all the same (a project ``fraud detection`` beside
        # ``ETA`` and ``LLM``). Parentheses alone say nothing: Graph's ``recent()`` is a function.
        spoken = {w for w in cands if " " in decoded(w)}
        if len(spoken) >= 2:
            chosen |= spoken
        return chosen | _files(site, cands, chosen)

    def _rules(self, site: _Site, profiles: Mapping[str, Profile]
               ) -> tuple[dict[str, Profile], set[str], Set[str], bool]:
        """What :meth:`_decide` works out before it asks the pool: the candidates, the values the rules
        choose (but :meth:`_in_the_values_words`) and those :func:`_one_name_under_many_owners` takes out,
        and whether many leaves answer alike here (:func:`_thin_leaves`)."""
        cands = {w: p for w, p in profiles.items() if self._candidate(site, w)}
        verbs = _over_the_values(site, cands)
        if verbs:
            cands = {w: p for w, p in cands.items() if w not in verbs}
            self._fix((site.prefix, w) for w in verbs)
        if len(cands) < WORDS_BESIDE_IDS:  # many words over the same names are names too
            # a word of the ids' alphabet (``VVCjHaazXz``) over the same names is one more id, no verb
            fixed = {w for w in over_names({w: site.profile(w) for w in cands}, _plural)
                     if not _is_cased(w)}
            cands = {w: p for w, p in cands.items() if w not in fixed}
            self._fix((site.prefix, w) for w in fixed)
        # each of these only adds values: the rest of the evidence still weighs every candidate
        crowd = _thin_leaves(site, cands)
        # items created by name, but never a word that names an operation (``addThingToBillingGroup``)
        created = {w for w in invoked(site.groups, cands) if not _keeps_literal(w)} \
            if _created_here(site, cands) else set()
        posted = _posted_here(site, cands)  # items even alone under many owners
        chosen = (_items_here(site, cands) | _answering_the_item(site, cands) | _owned_names(site, cands)
                  | _name_pairs(cands) | _spaces(site, cands) | _named_as_an_item(site, cands) | crowd | created
                  | _after_a_name_marker(site, cands) | _after_a_field(site, cands)
                  | _listed_here(site, cands) | _listed_above(site, cands)
                  | _changed_items(site, cands) | posted | _entity_sets(cands)
                  | _holding_the_ids_resources(site, cands)
                  | _probes_beside_ids(site, cands)
                  | _items_holding_only_the_ids_resources(site, cands) | _folders_beside_folders(site, cands)
                  | _random_beside_ids(site, cands))
        return cands, chosen, _one_name_under_many_owners(site, cands) - posted, bool(crowd)

    def _decide_words(self, site: _Site, cands: dict[str, Profile], crowd: bool = False,
                      where: _Where | None = None) -> set[str]:
        """``crowd``: many leaves here answer alike (:func:`_thin_leaves`): words only POSTed to are no
        actions then, but names (attachments, each POSTed to by its file name). ``where``: as
        :meth:`_decide` takes it (what :meth:`_weighed` works out is remembered by it)."""
        known = self.memo.weighed.get(where) if where is not None else None
        if known is None:
            start = len(self.fixed_log)
            weighed = self._weighed(site, cands, crowd)
            if where is not None:
                self.memo.weighed[where] = (weighed, tuple(self.fixed_log[start:]))
        else:  # a pass after the one that weighed these words: the same weights, the same words kept literal
            weighed = known[0]
            self._fix(known[1])
        if weighed is None:
            return set()
        cands, members, sim, outliers, sharing = weighed
        kinds = set(site.typed.values())
        if "cased" in kinds and not kinds & (STRONG_KINDS | {"word"}):
            # Ids like 0OdUWJ0sBjDrqHygGUXeCF: a word of their alphabet is one more, too short to be
            # typed on sight; a plain word is an endpoint, as beside strong ids (/accounts/search),
            # unless there are many and the evidence says they are values as it would without ids.
            alike = {w for w in cands if not _plain(w)}
            rest = set(cands) - alike
            if len(rest) < WORDS_BESIDE_IDS or (sim is not None and sim < SIM_LOW):
                # ... or a plain one that was a value elsewhere with the others (a folder's name read
                # as a word: Tiled's ``materials.discovery`` under each verb as under /metadata)
                return alike | (self._ask_pool(set(cands), site.prefix) & rest if alike else set())
            return alike | (self._accept(site, members, rest, sim, sharing) - outliers)
        if "word" in kinds:
            capped = {label for label, kind in site.typed.items() if kind == "word"}
            chosen = followers(members, capped, set(cands)) if site.top else set(cands)
            return chosen - capped - outliers
        if sim is not None and sim < SIM_LOW and not self._known_elsewhere(site, set(cands)) \
                and not _many_thin(site, sharing):
            return set()
        if kinds & STRONG_KINDS:  # /releases/{id} beside /releases/latest: the words are literals
            return set(cands) - outliers if len(cands) >= WORDS_BESIDE_IDS else set()
        return self._accept(site, members, set(cands), sim, sharing) - outliers

    def _weighed(self, site: _Site, cands: dict[str, Profile], crowd: bool) -> _Weighed | None:
        """What :meth:`_decide_words` reads of the words before it asks the pool: the candidates that are
        no actions, the members compared (with the typed ids that are names too), their likeness and
        the outliers, and the structure they share; None where fewer than two are left to compare."""
        cands = self._without_actions(site, cands, crowd)
        if not cands:
            return None
        members = dict(cands)
        for label, kind in site.typed.items():
            # Opaque ids are names too (k8s pods beside a plain "nginx"); and past the word cap
            # hundreds of distinct values were seen here.
            if kind in ("token", "cased", "word"):
                members[label] = site.profile(label)
        if len(members) < 2:
            return None
        sim, outliers = similarity(members, self.memo.likeness)
        sharing = shared_structure(members, strict=site.scoped)
        # A sibling that answers unlike the rest stays literal, unless it shares their structure.
        outliers -= sharing | _thin_outliers(site, members, outliers)
        if site.typed:
            # Beside ids, a plain word with resources of its own below it is a resource.
            everyone = {**{label: site.profile(label) for label in site.typed if label not in members},
                        **members}
            # ... unless it is one thin value among many: a value seen once holds a random few of its
            # resources, and the ids beside it took the same few (:func:`_thin_outliers`)
            own = {w for w in loners(everyone, cands) if _plain(w)}
            outliers |= own - _thin_outliers(site, members, own)
            if not _one_probe(site):
                outliers |= _collections_of_ids(everyone, cands, site.typed)
        return cands, members, sim, frozenset(outliers), frozenset(sharing)

    def _without_actions(self, site: _Site, cands: dict[str, Profile], crowd: bool) -> dict[str, Profile]:
        """``cands`` less the words that are operations here (kept literal): actions, unless many values
        stand beside them."""
        called = set() if crowd or _created_here(site, cands) or _ids_posted_to(site) \
            else invoked(site.groups, cands) - _saved_as_the_read_are(site, cands)
        actions = {w for w in cands if is_action(w) or _in_a_format(w)} | called
        holding = _holding_the_values_resources(site, actions - called, set(cands) - actions)
        if len(holding) >= VOCABULARY_MIN and len(holding) >= len(set(cands) - actions) \
                and "word" not in site.typed.values() and not _plural(site.parent or "") \
                and (site.parent or "").lower() not in NAME_MARKERS and not holding & _listed_at(site):
            # as many action words as names holding the same resources: a vocabulary, the API's own
            # words (Kratos' login, logout, settings beside registration, recovery, verification, each
            # with /api and /flows below), not names people chose that read as actions. Under a
            # collection (/roles/export beside /roles/read) they are its items, whatever they read as;
            # after a name marker (/flows/name/export), or listed by the collection here as its items'
            # names (GET /job listing jobs export, import), names, whatever they read as; two are no
            # vocabulary (Jenkins' jobs export and import beside frontend and backend, under a singular
            # /job); past the word cap (hundreds of values: "word" ids here) an action word is one more value.
            self._fix((site.prefix, w) for w in cands)
            return {}
        actions -= holding
        if len(cands) - len(actions) < WORDS_BESIDE_IDS:
            self._fix((site.prefix, w) for w in called)
            return {w: p for w, p in cands.items() if w not in actions}
        # among many values a plain action word may be one (a deployment called "search"); a verb
        # phrase in camelCase (``addThingToBillingGroup``) is nobody's name for a thing, and neither
        # is an action only POSTed to where no value is (Prefect's ``POST /work_pools/filter``
        # beside pools read, changed and deleted: :func:`_posted_apart`)
        apart = _posted_apart(site, actions - called, set(cands) - actions) \
            | _called_apart(site, actions - called, set(cands) - actions)
        self._fix((site.prefix, w) for w in apart)
        return {w: p for w, p in cands.items()
                if w not in apart and (w in called or not (w in actions and VERB_CAMEL.match(w)))}

    def _accept(self, site: _Site, members: Mapping[str, Profile], cands: set[str],
                sim: float | None, sharing: Set[str]) -> set[str]:
        """The candidates the evidence makes values; at a scoped site only those it speaks for
        (``sharing``: the members' :func:`shared_structure` at this site)."""
        n = len(members)
        similar = sim is not None and sim >= SIM_HIGH
        pooled = self._ask_pool(cands, site.prefix, settled=bool(sharing) and not site.top)
        if not pooled and _kinds_of_collections(members, cands):
            return set()  # two of them sharing a resource below (a table's and a view's columns) or not
        if not pooled and not site.top and _mounted_again(site, cands, self.memo.collections):
            return set()  # /api/paginated/channels beside /api/paginated/users: the API's lists again
        if pooled or sharing:
            if site.top:  # /health beside /{tenant}/users stays literal
                if not pooled and private_share(members) > 0.5 and not _many_thin(site, sharing):
                    # tenants answer alike below; resources sharing the values below them (a job and
                    # a dataset both named "sales") each have fields of their own
                    return set()
                return followers(members, (pooled | sharing) & cands, cands)
            # the literal the values share below them is a resource beside them, not one more value:
            # /{package}/dist-tags beside /{scope}/{name}/dist-tags (a name of two segments)
            return cands - {s[0] for label in sharing for s in members[label] if s}
        if site.scoped:  # after an id, at the root, after /api or /v1: resources, unless strongly alike
            # not just a common envelope: fields of their own are few, and inside it they answer alike
            alike = similar and private_share(members) <= 0.5 and alike_inside(members)
            return cands if n >= (12 if site.top else 8) and alike else set()
        if _plural(site.parent or ""):  # /users/{...}: a collection's children are its items
            return cands if n >= 3 or sim is not None else set()
        if n >= 8:
            return cands
        # a few collections answer alike by their list envelope alone (``{value: [...], nextLink}``):
        # likeness speaks for the words that are no collection's name, three of them at least, and for a
        # word among them that reads as a plural but answers as they do (a script ``wake_up_kids``)
        named = {w for w in cands if not _plural(w)}
        if not similar or len(named) < 3:
            return set()
        theirs = [members[n] for n in named]
        return named | {w for w in cands - named if _answers_as_they_do(site, w, members[w], theirs)}

    def _known_elsewhere(self, site: _Site, cands: set[str]) -> bool:
        """Most candidates were values of a parameter elsewhere: the evidence that outweighs unlike answers.

        The median of pair likeness says "different resources" when a minority answers otherwise: nine
        names of which four answer a release, two an error and three nothing make more unlike pairs than
        alike ones. Values answer differently (found, gone, empty); names the same run merged as values
        at another position (``/heidi/{index}/data-tools``) are values here too, so the pool is asked
        before the unlike answers give up, as it is asked before the other evidence (:meth:`_accept`).
        """
        return bool(self._ask_pool(cands, site.prefix))

    def _acted_on(self, site: _Site, cands: Mapping[str, Profile]) -> set[str]:
        """Words only POSTed to, most of them values of a parameter elsewhere: items acted on, not actions.

        A word only POSTed to with nothing below it has the shape of an operation (:func:`invoked`), but
        ``POST /archive/revive/beta_pricing_page-copy6`` beside four more flag names, each of them a value
        of ``/features/{featureName}``, revives flags by name (Unleash). The pool is asked every pass
        (what it knows grows with the values each pass takes); ``/archive/purge`` is nobody's value."""
        called = invoked(site.groups, cands)
        return self._ask_pool(called, site.prefix) if len(called) >= 2 else set()

    def _ask_pool(self, cands: Set[str], prefix: Suffix, settled: bool = False) -> set[str]:
        """:meth:`_pooled`'s answer, noted with the question for :meth:`settled` (``settled``: an answer
        another pass's pool would not change)."""
        pooled = self._pooled(cands, prefix)
        self.consulted.append((prefix, frozenset(cands), settled))
        self.pooled.append(pooled)
        return pooled

    def _in_the_values_words(self, site: _Site, cands: Mapping[str, Profile]) -> set[str]:
        """Thin words made only of the words the API's values are made of: values, even one alone.

        Names people choose draw on a vocabulary of their own (``summer-report``, ``main-worker-local``
        beside hundreds of values such as ``report-summer-data``), and an API's own words on another
        (``iam-policy-assignments``, ``groups-search``). A word seen at one or two paths, no plural nor
        action, whose every part (split at ``-``/``_``) recurs in the values other positions took
        (the pool: two values or more hold it) is one more value where a lone word says nothing else:
        ``POST /rules/summer-report`` is a rule created, not an action. A plural of one word names a
        collection, of several (``river-payments``) it is one more name. Where resources stand (after a
        value, at the root, after /api or /v1) only at a position that took values before (Google's
        ``/v1/{name}``)."""
        thin = frozenset(w for w in cands if not _keeps_literal(w) and (not _plural(w) or _PARTS.search(w))
                         and _keys_below(site.groups[w], THIN_KEYS + 1) <= THIN_KEYS)
        found = self.vocabulary.values(site.prefix, site.scoped, thin)
        self.worded.append((site.prefix, site.scoped, thin, found))
        return set(found)

    def _candidate(self, site: _Site, label: str) -> bool:
        low = label.lower()
        if not label or low in ALIASES or (site.scoped and low in API_PREFIXES) or is_marked(label):
            return False  # "" is /users/ with its trailing slash: never a value
        if (site.prefix, label) in self.pins:
            return False
        below, versions = site.memo.below(site.groups[label])
        if (_is_version(label) or version_here(label, site.parent)) and below:
            return False  # a version prefix
        return not versions  # an API group: /apis/batch/v1

    def _pooled(self, cands: Iterable[str], prefix: Suffix,
                pool: Mapping[str, frozenset[Suffix]] | None = None) -> set[str]:
        """The siblings that were values of a parameter somewhere else, if most of them were. Of this
        pass's pool, remembered: a question is asked again wherever a node's earlier resolution is
        checked (:meth:`_reused`), and the answers are only compared, never changed."""
        if pool is None:
            asked = (prefix, frozenset(cands))
            found = self.answered.get(asked)
            if found is None:
                found = self.answered[asked] = self._pooled(asked[1], prefix, self.pool)
            return found
        cands = list(cands)
        known = {label for label in cands
                 if any(not same_position(p, prefix) for p in pool.get(label, ()))}
        return known if len(known) >= 2 and 3 * len(known) >= 2 * len(cands) else set()

    def settled(self, pool: Mapping[str, frozenset[Suffix]]) -> bool:
        """Would another pass with this pool decide exactly as this one did?"""
        vocabulary = _Vocabulary(pool)
        return all(settled or self._pooled(cands, prefix, pool) == self._pooled(cands, prefix)
                   for prefix, cands, settled in self.consulted) \
            and all(vocabulary.values(prefix, scoped, cands) == answer for prefix, scoped, cands, answer in self.worded)

    def _profile(self, res: _Res) -> Profile:
        """Endpoints below a resolved node (params as ``*``) with the response properties seen there."""
        if res.profile is None:
            res.profile = walk([res], _resolved_children)
        return res.profile


class _Site:
    """Where a decision is taken: the position, the parent segment, and the typed siblings."""

    __slots__ = ("groups", "in_slot", "keys", "memo", "owners", "parent", "prefix", "props", "scoped", "top",
                 "typed")

    def __init__(self, prefix: Suffix, parent: str | None, in_slot: bool, typed: dict[str, str],
                 groups: dict[str, list[_Raw]], here: tuple[frozenset[str], int, list[str]], memo: _Memo) -> None:
        self.prefix = prefix
        self.memo = memo
        self.parent = parent
        self.typed = typed
        self.groups = groups
        self.in_slot = in_slot
        # what the position itself answers (a collection lists its items), and how many nodes were
        # merged into it: after a parameter, one per value of it (an owner); and the keys ending at it
        self.props, self.owners, self.keys = here
        # After an id or an alias (/me stands for one user as an id does), at the root, after /api or
        # /v1, siblings are resources unless strongly alike.
        self.top = not in_slot and (parent is None or _opens_api(parent))
        self.scoped = in_slot or self.top or (parent is not None and parent.lower() in ALIASES)

    def profile(self, label: str) -> Profile:
        """The raw profile of the sibling ``label`` (:func:`_raw_profile`)."""
        return self.memo.profile(self.groups[label])


def _over_the_values(site: _Site, cands: Iterable[str]) -> set[str]:
    """Words beside many values that hold values of their own, none of the values' resources:
    ``/flows/start/{arn}``, ``/flows/stop/{arn}`` beside hundreds of flows that each hold
    ``entitlements``, ``source``, ``outputs``. What many values hold below them is their resources; a
    sibling holding FEW_THIN names or more right below it, each a leaf (the name is all the call
    needs), and not one of those resources is no value beside them but a word of the API's over the
    values (what is done to a flow), and stays literal. A folder holding files and folders beside files
    (Jupyter's contents) holds more below its names: one more value; and file names recurring under
    values (``/x.txt`` probed under many files) are no resources. Values holding names of their own
    only (owners and their repositories: no name below many of them) say nothing of the kind."""
    cands = set(cands)
    if len(cands) < MANY_THIN:  # before the words below are gathered: some hold thousands
        return set()
    below = {w: {label for raw in site.groups[w] for label in raw.children} for w in cands}
    counts: dict[str, int] = defaultdict(int)
    for labels in below.values():
        for label in labels:
            counts[label] += 1
    resources = {label for label, n in counts.items()
                 if _under_many(n, len(below)) and not label.startswith("{") and not is_file_name(label)}
    if not resources:
        return set()
    holding = [w for w, labels in below.items() if labels & resources]
    if 2 * len(holding) < len(below):
        return set()
    return {w for w, labels in below.items() if len(labels) >= FEW_THIN and not labels & resources
            and not any(child.children for raw in site.groups[w] for child in raw.children.values())}


# A part of a word recurring in this many values that other positions took is a word of the values'.
VALUE_WORD_USES: Final = 2
# ... and the values must be this many for their words to be a vocabulary, not a few names' parts.
VOCABULARY_VALUES: Final = 8
_PARTS: Final = re.compile(r"[-_]")


class _Vocabulary:
    """The words the values are made of: the parts of the pooled values (``river-report`` -> ``river``,
    ``report``) that recur in VALUE_WORD_USES of them, once VOCABULARY_VALUES values were pooled; and
    the positions that took values."""

    __slots__ = ("positions", "words")

    def __init__(self, pool: Mapping[str, frozenset[Suffix]]) -> None:
        self.positions = frozenset(p for seen in pool.values() for p in seen)
        uses: dict[str, int] = defaultdict(int)
        for value in pool if len(pool) >= VOCABULARY_VALUES else ():
            for part in set(_PARTS.split(value)):
                uses[part] += 1
        self.words = frozenset(part for part, n in uses.items() if n >= VALUE_WORD_USES and part)

    def values(self, prefix: Suffix, scoped: bool, words: Iterable[str]) -> frozenset[str]:
        """The ``words`` whose every part is a word of the values; where resources stand (``scoped``)
        only at a position that took values."""
        if not self.words or (scoped and not any(same_position(p, prefix) for p in self.positions)):
            return frozenset()
        return frozenset(w for w in words if all(p in self.words for p in _PARTS.split(w)))


# Literal words right below a typed sibling that a word sibling must hold too, for it to be one more value:
# one shared word is a resource of both (``/admin/users`` beside ``/{tenantId}/users``), two a shape.
IDS_RESOURCES_SHARED: Final = 2


def _posted_apart(site: _Site, actions: set[str], values: set[str]) -> set[str]:
    """The action words (``filter``, ``search``) only ever POSTed to, nothing below them, beside values
    none of which is POSTed to: an operation on the collection, not one more value. A value called
    ``search`` is read, changed or deleted as the others are."""
    if any("POST" in node.methods for w in values for node in site.groups[w]):
        return set()
    return {w for w in actions if posted_only(site.groups[w])}


def _called_apart(site: _Site, actions: set[str], values: set[str]) -> set[str]:
    """The action words (``search``) called only at themselves, nothing below them, beside values none of
    which is ever called at itself (owners only called below: ``/repos/{owner}/{repo}``): an operation
    beside the values, not one more value. A value called ``search`` is called where the others are."""
    if any(node.keys for w in values for node in site.groups[w]):
        return set()
    return {w for w in actions if all(node.keys and not node.children for node in site.groups[w])}


def _holding_the_ids_resources(site: _Site, cands: Mapping[str, Profile]) -> set[str]:
    """Names people choose, beside typed ids holding the same resources: ``/acme-crm/_all_docs``,
    ``/acme-crm/_changes`` beside ``/userdb-6572696e/_all_docs``, ``/{id}/_changes``. What a typed id
    holds below it is its resources; a word holding IDS_RESOURCES_SHARED of them or more (beside its own
    names below, documents not merged yet: raw words) is one more value of that parameter, however its
    answers differ (each database holds its users' documents: fields of their own, which keep
    resources apart at the top) and however few its siblings; a name that reads as a plural
    (``acme-recipes``) too: a collection holds ids, not the ids' own resources. A parameter shared
    alone (``/users/{id}`` beside ``/orders/{id}``) or one resource in common (``/admin/users``) says
    nothing; the API's own words (actions, aliases, marks) stay literal."""
    held = {label for typed in site.typed for label in site.memo.below(site.groups[typed])[0]
            if not label.startswith("{")}
    if len(held) < IDS_RESOURCES_SHARED:
        return set()
    out = set()
    for w, profile in cands.items():
        below = {s[0] for s in profile if s and s[0] != "*"}
        if not _keeps_literal(w) and len(below & held) >= IDS_RESOURCES_SHARED:
            out.add(w)
    return out


def _items_holding_only_the_ids_resources(site: _Site, cands: Mapping[str, Profile]) -> set[str]:
    """Under a collection, beside typed ids, a word never called itself that holds nothing but the ids'
    own resources, answering there as the ids do: one more item (``/accounts/JMnecNiMyn/follow`` beside
    ``/accounts/{id}/follow``: random letters that read as camelCase, so no id on sight; Twilio's
    ``/Calls/lebUhrsExfgU/Recordings``). A resource of the collection beside its items is called itself
    (``/accounts/search``) or holds something of its own; at the top, where resources stand, one
    resource in common says nothing (``/admin/users`` beside ``/{tenantId}/users``:
    :func:`_holding_the_ids_resources`)."""
    if site.scoped or not site.typed or not _plural(site.parent or ""):
        return set()
    raws = [raw for label in site.typed for raw in site.groups[label]]
    ids = site.memo.profile(raws)
    held = {label for label in site.memo.below(raws)[0] if not label.startswith("{")}
    out = set()
    for w, profile in cands.items():
        below = site.memo.below(site.groups[w])[0]
        if (below and below <= held and not _names_a_resource(w) and not any(raw.keys for raw in site.groups[w])
                and all(answers_alike(object_props(answers), object_props(ids[s])) or not answers or not ids[s]
                        for s, answers in profile.items() if s in ids)):
            out.add(w)
    return out


def _one_name_under_many_owners(site: _Site, cands: Mapping[str, Profile]) -> set[str]:
    """The one word at a position below a parameter, the same under FEW_THIN of its values or more:
    the API's own name for one item (Azure's ``/namespaces/{name}/networkRuleSets/default`` under 79
    namespaces), however much it answers like the items of its collection. Names people choose differ
    from one owner to the next; one name alone under many owners was chosen by the API. Beside other
    words or typed ids the evidence decides as before, and a word that is the singular of its collection
    names one item of it still (Jupyter's ``/checkpoints/checkpoint``: :func:`_named_as_an_item`), and
    so is a file name many folders share each one's own file (``README.md`` in every repository:
    :func:`_files`)."""
    if site.typed or len(cands) != 1 or site.owners < FEW_THIN or _file_names(cands):
        return set()
    word = next(iter(cands))
    return {word} if len(site.groups[word]) >= FEW_THIN and not _named_as_an_item(site, cands) else set()


def _values_named_as_words(site: _Site, words: Sequence[str], values: Sequence[_Raw]) -> set[str]:
    """Words kept literal for what they hold below (the API's ``/folders/update/async``), themselves
    deleted, replaced or changed beside values called so too, answering as they do: those calls are on a
    value that happens to bear the word's name (a folder called "update"; HubSpot's ``GET``/``DELETE
    /folders/update`` beside ``/folders/{folderId}``). An API's own word is POSTed to or read, never
    deleted (:func:`_changed_items`); its calls go to the parameter, what it holds stays the API's.
    Aliases (``DELETE /users/me``) and marked words stay whole."""
    if not values:
        return set()
    methods = _called(values)
    theirs = object_props(site.memo.answers(list(values)))
    out = set()
    for w in words:
        raws = site.groups[w]
        own = _called(raw for raw in raws if raw.keys)
        if (not own & _ITEM_CALLS or not own <= methods or w.lower() in ALIASES or is_marked(w)
                or not any(raw.children for raw in raws)):
            continue
        answers = object_props(site.memo.answers([raw for raw in raws if raw.keys]))
        if not answers or answers_alike(answers, theirs):
            out.add(w)
    return out


def _probes_beside_ids(site: _Site, cands: Mapping[str, Profile]) -> set[str]:
    """Words with digits beside typed ids, each a leaf reached once or twice, answering alike or with no
    body at all: probes of names that are not there (``/nobody-3``, ``/nobody-58``, one 404 each beside
    ``/{id}``). A number in a word is how ids and names people number read, not endpoints
    (:func:`_plain`); FEW_THIN of them alike, none holding anything below, are values of the parameter
    beside them, where the top's rule (resources answer each their own) keeps each a path of its own."""
    if not site.typed:
        return set()
    probes = {w: p for w, p in cands.items()
              if not _plain(w) and not _keeps_literal(w) and not any(raw.children for raw in site.groups[w])
              and sum(raw.targets for raw in site.groups[w]) <= THIN_KEYS}
    # answered alike, or with no property at all (a 404 each): a crowd either way
    silent = {w for w, profile in probes.items() if not any(profile.values())}
    return {w for crowd in (alike(probes), silent) if len(crowd) >= FEW_THIN for w in crowd}


def _folders_beside_folders(site: _Site, cands: Mapping[str, Profile]) -> set[str]:
    """Beside typed ids holding typed ids right below them (a tree of names: folders of folders, a
    catalog's containers of nodes), a word called itself as they are and holding typed ids right below it
    too: one more folder, however plainly its name reads (Tiled's ``materials.discovery`` beside
    ``beamline 7-BM`` and ``cryo-EM 2026``: a plain word beside cased ids was kept an endpoint, and with
    it a second tree of paths). A resource's children are its words (``/apps/{id}/deployments``), not
    ids, so a collection beside its items (``/accounts/archive/{id}``) is no folder here; plurals,
    actions and the API's marks stay literal."""
    if not site.typed:
        return set()
    values = [raw for label in site.typed for raw in site.groups[label]]
    if not _methods_at(values, ("*",)):
        return set()
    theirs = _methods_at(values, ())
    return {w for w in cands if not _names_a_resource(w) and _methods_at(site.groups[w], ()) & theirs
            and _methods_at(site.groups[w], ("*",))}


def _random_beside_ids(site: _Site, cands: Mapping[str, Profile]) -> set[str]:
    """Under a collection, beside opaque ids (tokens on sight: random letters and digits), a word of
    random letters (:func:`reads_as_random`) called only as they are and holding nothing they do not:
    one more id that happens to have no digit (NocoDB's ``PATCH /sorts/sopzicifgyvccjjq`` beside three
    sort ids, too rare a call for any answer to speak for it). Plurals and the API's own words stay."""
    if site.scoped or not _plural(site.parent or "") or set(site.typed.values()) != {"token"}:
        return set()
    values = [raw for label in site.typed for raw in site.groups[label]]
    methods = _methods_at(values, ())
    held = site.memo.below(values)[0]
    return {w for w in cands if reads_as_random(w) and not _names_a_resource(w)
            and _methods_at(site.groups[w], ()) <= methods and site.memo.below(site.groups[w])[0] <= held}


def _calls_below(raw: _Raw) -> list[tuple[Suffix, _Raw]]:
    """The nodes at and below ``raw`` that were called (keys end there), with where (typed labels ``*``)."""
    out: list[tuple[Suffix, _Raw]] = []
    stack: list[tuple[Suffix, _Raw]] = [((), raw)]
    while stack:
        suffix, node = stack.pop()
        if node.keys:
            out.append((suffix, node))
        stack.extend(((*suffix, label), child) for label, child in _raw_children(node))
    return out


def _called(raws: Iterable[_Raw]) -> frozenset[str]:
    """The methods called at any of ``raws``."""
    return frozenset().union(*(raw.methods for raw in raws))


def _methods_at(raws: Sequence[_Raw], suffix: Suffix) -> frozenset[str]:
    """The methods called at ``suffix`` below any of ``raws`` (typed labels ``*``)."""
    nodes = list(raws)
    for step in suffix:
        nodes = [child for node in nodes for label, child in _raw_children(node) if label == step]
    return frozenset().union(*(node.methods for node in nodes if node.keys))


def _under_many(n: int, values: int) -> bool:
    """A word right below ``n`` of ``values`` values is under many of them: a resource of theirs."""
    return n >= FEW_THIN and RESOURCE_SHARE * n >= values


def _collections_of_ids(members: Mapping[str, Profile], cands: Iterable[str], typed: Iterable[str]) -> set[str]:
    """Plurals beside ids holding ids of their own right below, where no id holds any: collections
    (``/issues/comments/{id}`` beside ``/issues/{index}/dependencies``), not one more value."""
    def holds_ids(label: str) -> bool:
        return any(s and s[0] == "*" for s in members[label])
    if any(holds_ids(label) for label in typed if label in members):
        return set()
    return {w for w in cands if _plural(w) and holds_ids(w)}


def _one_probe(site: _Site) -> bool:
    """The typed siblings are one leaf reached by one distinct request the API refused: a probe (Azurite's
    ``GET /acme/archive-2019``, 404: a container that is not there, its year read as a token), no id
    parameter the words beside it could be collections of (:func:`_collections_of_ids`). Uncounted targets
    (0) say nothing; an id the API served once is an id (Gitea's ``GET /issues/42`` beside
    ``/issues/comments/{id}``)."""
    raws = [raw for label in site.typed for raw in site.groups.get(label, ())]
    refused = site.memo.refused.paths | site.memo.refused.malformed
    return (len(raws) == 1 and not raws[0].children and raws[0].targets == 1
            and all(key in refused for key in raws[0].keys))


def _kinds_of_collections(members: Mapping[str, Profile], cands: Iterable[str]) -> bool:
    """Most candidates plurals holding ids right below, and the ids of two of them or more holding
    resources no other candidate's ids hold (a project's tables, a view's sorts): an API's collections,
    each of its own kind, however many stand side by side and however alike their list envelopes and
    common fields make their answers (NocoDB's ``/db/meta/projects``, ``/tables``, ``/views``, ``/sorts``
    ...). A data API's tables, each holding its rows and nothing of its own below them, stay values."""
    cands = list(cands)
    below = {w: {s[1] for s in members[w] if len(s) >= 2 and s[0] == "*" and s[1] != "*"}
             for w in cands if _plural(w) and any(s and s[0] == "*" for s in members[w])}
    if 3 * len(below) < 2 * len(cands):
        return False
    counts: dict[str, int] = defaultdict(int)
    for held in below.values():
        for label in held:
            counts[label] += 1
    return sum(1 for held in below.values() if any(counts[label] == 1 for label in held)) >= 2


def _opens_api(label: str) -> bool:
    """``api``, ``v1``: a segment after which siblings are an API's resources (its top, as the root is)."""
    return label.lower() in API_PREFIXES or _is_version(label)


def _top_collections(root: _Raw) -> frozenset[str]:
    """The plurals holding something below at an API's top (the root, after ``/api`` or a version, where
    siblings are resources): its collections (``/api/channels``, ``/api/users``)."""
    out: set[str] = set()
    stack = [root]
    while stack:
        for label, child in stack.pop().children.items():
            if _opens_api(label):
                stack.append(child)
            elif child.children and _plural(label):
                out.add(label)
    return frozenset(out)


def _mounted_again(site: _Site, cands: Set[str], collections: frozenset[str]) -> bool:
    """Every sibling, two at least, one of the collections the API names at its top: the API's lists
    mounted again under a word (Quetz's ``/api/paginated/channels`` and ``/users`` beside ``/api/channels``
    and ``/api/users``), each a resource of its own however alike their items' structure below. Not under
    a plural: a collection's children are its members, whatever their names (a data API's
    ``/api/tables/users``, Kinto's ``/buckets/{bid}/collections/users``)."""
    under_plural = site.parent is not None and not site.in_slot and _plural(site.parent)
    return len(cands) >= 2 and cands <= collections and not under_plural


def _many_thin(site: _Site, sharing: Set[str]) -> bool:
    """Many siblings, each seen at one or two paths, sharing the few words below them: values.

    A field only one sibling answered is a resource's own when that sibling was seen often; seen once
    or twice, it is as likely an optional field the others happened not to send (Google's
    ``/v1/{parent}/operations``, one value per call, each answer with its own random fields), and two
    such answers compare unlike for the same reason. So neither private fields nor unlike answers keep
    siblings literal when MANY_THIN or more share structure below them and most of those are thin; a
    few resources sharing a value below them (a job and a dataset both named "sales") stay below that
    count, and words that name a resource (plurals, actions) never count.
    """
    values = [w for w in sharing if not _names_a_resource(w)]
    thin = [w for w in values if _keys_below(site.groups[w], THIN_KEYS + 1) <= THIN_KEYS]
    many = FEW_THIN if _plural(site.parent or "") else MANY_THIN
    return len(values) >= many and 3 * len(thin) >= 2 * len(sharing)


def _thin_outliers(site: _Site, members: Mapping[str, Profile], outliers: set[str]) -> set[str]:
    """The siblings that answered unlike the rest once or twice among MANY_THIN or more: values all the
    same. One answer with its own few optional fields is unlike a crowd of values by chance; a word
    the API keeps as its own (search, me, a plural) still stands apart, and so does a crowd of odd ones."""
    if len(members) < MANY_THIN or 4 * len(outliers) > len(members):
        return set()
    return {w for w in outliers if w in site.groups and not _names_a_resource(w)
            and _keys_below(site.groups[w], THIN_KEYS + 1) <= THIN_KEYS}


def _thin_leaves(site: _Site, cands: Mapping[str, Profile]) -> set[str]:
    """Many leaf siblings (nothing below any of them), each reached by one or two request targets,
    answering alike call by call: values, whatever the calls (Xero's attachments, each POSTed to by its
    file name; Google's ``/v1/{name}``, read or deleted). A crowd of leaves that answer as one resource,
    each seen once or twice, is one parameter's values, where neither shared structure nor repeated
    names can speak for them; the API's own words are called again and again, on many ids
    (Mastodon's ``/statuses/{id}/mute``, ``/unreblog``..., all answering the status), and are fewer
    than MANY_LEAVES (past that many, each name was simply called often, and a name that reads as a
    plural, ``blue-payments``, is one more if it answers alike). Words that name a resource (plurals,
    actions: ``/v1/health``) stay literal, and so does a leaf no call compares with the rest (a lone
    ``GET /v1/ping`` beside values only ever deleted): only those alike count, WORDS_BESIDE_IDS of them
    (MANY_THIN at the top, where an API's resources stand)."""
    leaves = {w: p for w, p in cands.items()
              if not _keeps_literal(w) and not any(raw.children for raw in site.groups[w])}
    named = {w: p for w, p in leaves.items() if not _plural(w)}
    if len(named) < MANY_LEAVES:
        leaves = {w: p for w, p in named.items() if sum(raw.targets for raw in site.groups[w]) <= THIN_KEYS}
    # past MANY_LEAVES names, a name that reads as a plural (``blue-payments``) is judged by its answers
    # like the rest: a collection there lists what the values are, and answers unlike them
    many = MANY_THIN if site.top else WORDS_BESIDE_IDS
    if len(leaves) < many:
        return set()
    values = alike(leaves)
    return values if len(values) >= many else set()


def _collection_item(site: _Site) -> str | None:
    """The camelCase name of the item of the collection the site is under (``thing-types`` ->
    ``thingType``), whose key fields (``thingTypeId``, ``thingTypeArn``) name it; None where resources
    stand or the parent is no plural resource word."""
    parent = site.parent or ""
    if site.scoped or not _plural(parent) or not _RESOURCE_WORD.fullmatch(parent):
        return None
    return _camel(_singular(parent))


def _created_here(site: _Site, cands: Mapping[str, Profile]) -> bool:
    """A word under a collection answered with the collection's item named in its properties
    (``POST /thing-types/blue`` answering ``thingTypeId``, ``thingTypeArn``): the position holds items
    created or read by name, so words only POSTed to there are items too, not actions invoked."""
    item = _collection_item(site)
    if item is None:
        return False
    own = {item + "Id", item + "Name", item + "Arn"}  # a camelCase field, its first letter either case
    # how each can be spelled (named properties are ASCII): looked up among each candidate's, not read one by one
    spelled = own | {name[:1].upper() + name[1:] for name in own}
    return any(p[:1].lower() + p[1:] in own
               for profile in cands.values() for p in object_props(profile.get((), ())) & spelled)


def _answering_the_item(site: _Site, cands: Mapping[str, Profile]) -> set[str]:
    """Words under a collection answering with its item's key, a field naming the item
    (``DELETE /entitlements/storage`` answering ``EntitlementArn``): items, even one alone and whatever
    the call; a word of the API's own there (``/users/search``, a count, a summary) answers something
    else than one item's key. An answer that is the item itself (``PATCH /projects/default`` answering
    ``project``) says less: an API's own name for one item (``default``, as ``me``) answers so too."""
    item = _collection_item(site)
    if item is None:
        return set()
    names = {item.lower() + "id", item.lower() + "name", item.lower() + "arn"}
    return {w for w, profile in cands.items() if not _names_a_resource(w)
            and any(p.lower() in names for p in object_props(profile.get((), ())))}


# What is done to an item of a collection, never to an action invoked on it (actions are POSTed or read).
_ITEM_CALLS: Final = frozenset({"DELETE", "PUT", "PATCH"})


def _changed_leaf(raws: Sequence[_Raw]) -> bool:
    """A word only ever deleted, replaced or changed, with nothing below it: an item, whatever it reads
    as (a tag value ``payments`` under its type, ``DELETE /features/{f}/tags/team/payments``); a collection
    is listed or posted to, not deleted whole."""
    methods = _called(raws)
    return bool(methods) and methods <= _ITEM_CALLS and not any(raw.children for raw in raws)


def _changed_items(site: _Site, cands: Iterable[str]) -> set[str]:
    """Words under a collection that were deleted, replaced or changed, two or more: its items
    (``DELETE /releases/tags/green-feature``), however few and whatever they answered. An action is
    POSTed to or read; a literal resource under a collection (``/users/search``) is not deleted."""
    if site.scoped or not _plural(site.parent or ""):
        return set()
    changed = {w for w in cands if not _names_a_resource(w)
               and any(raw.keys and raw.methods & _ITEM_CALLS for raw in site.groups[w])}
    return changed if len(changed) >= 2 else set()


def _holding_the_values_resources(site: _Site, words: Iterable[str], names: Iterable[str] = ()) -> set[str]:
    """Action words that hold the values' own resources below them: past the word cap, beside hundreds
    of values (``/v1/search/restorePlans`` beside ``/v1/{name}/restorePlans``, a project called "search"
    like any other); or below the cap, what two or more of the plain ``names`` beside them hold (Airflow's
    task ``list_partitions`` with its ``/tries`` and ``/xcomEntries`` like every task; Keycloak's role
    ``export`` with its ``/users``): names people chose, whatever they read as. ``/users/search``, with
    nothing below it, stays the action."""
    capped = [label for label, kind in site.typed.items() if kind == "word"]
    if capped:
        known = {s for s in site.memo.profile([raw for label in capped for raw in site.groups[label]]) if s}
    else:
        counts: dict[Suffix, int] = {}
        for name in names:
            for s in site.profile(name):
                if s:
                    counts[s] = counts.get(s, 0) + 1
        known = {s for s, n in counts.items() if n >= 2}
    out = set()
    for word in words:
        below = {s for s in site.profile(word) if s}
        if below and below <= known:
            out.add(word)
    return out


def _ids_posted_to(site: _Site) -> bool:
    """Typed ids here were POSTed to (``POST /tags/{arn}``): the call is made on items, so words only
    POSTed to beside them are items named by hand (``POST /tags/alpha-green``), not actions invoked."""
    return any("POST" in raw.methods for label in site.typed for raw in site.groups[label])


def _saved_as_the_read_are(site: _Site, cands: Iterable[str]) -> set[str]:
    """The words only POSTed to that are items not read yet: beside two or more plain words both POSTed
    to and read (``POST`` and ``GET /config/scripts/nightly-backup``, items saved and read back by name,
    as a configuration API's create-or-update is; an operation is not read back), those whose POST
    answers as the saved words' POSTs do (``{"result": "ok"}`` each), as beside ids POSTed to
    (:func:`_ids_posted_to`). A POST answering otherwise (``POST /jobs/build``'s queue receipt beside
    jobs saved and read by name) is an operation on the collection still."""
    cands = list(cands)
    both = [w for w in cands if not _names_a_resource(w)
            and {"GET", "POST"} <= _called(site.groups[w])]
    if len(both) < 2:
        return set()
    saved = frozenset().union(*(_posted_answer(site, w) for w in both))
    answers = {w: _posted_answer(site, w) for w in cands if w not in both}
    # a word answering nothing beside saved words answering nothing too: no evidence against an item
    return {w for w, answer in answers.items() if answer & saved or not (saved or answer)}


def _posted_answer(site: _Site, word: str) -> frozenset[str]:
    """What the POSTs right at ``word`` answered (response properties)."""
    answers = site.profile(word).get(())
    return answers.calls.get("POST", frozenset()) if isinstance(answers, Answers) else frozenset()


def _keys_below(raws: Sequence[_Raw], limit: int) -> int:
    """How many distinct paths end at or below these nodes, counted up to ``limit``."""
    count = 0
    stack = list(raws)
    while stack and count < limit:
        node = stack.pop()
        count += len(node.keys)
        stack.extend(node.children.values())
    return count


def _items_here(site: _Site, cands: Mapping[str, Profile]) -> set[str]:
    """The words that answer like an item of the collection they are under (``/pools/acme-pool``
    beside a list of pools), or like the ids beside them (``/limits/{idOrName}``): values, even one alone.
    Aliases (``/users/me``) never come here: they are no candidates."""
    if site.scoped:  # where resources stand: a common envelope makes them answer alike
        return set()
    listed = item_props(site.props) if _plural(site.parent or "") else frozenset()
    ids = frozenset().union(*(object_props(site.profile(label).get((), ()))
                              for label in site.typed))
    if len(listed) < 2 and len(ids) < 2:  # nothing to answer alike (two properties in common)
        return set()
    out = set()
    for w, profile in cands.items():
        own = object_props(profile.get((), ()))
        if not _keeps_literal(w) and (answers_alike(own, listed) or answers_alike(own, ids)):
            out.add(w)
    return out


# Names each under one owner, or endpoints below owners answering alike: this many make a position of
# names (two could be two resources that happen to look alike).
OWNED_MIN: Final = 3


def _owned_names(site: _Site, cands: Mapping[str, Profile]) -> set[str]:
    """Names people choose, nested: after a parameter, words each seen under few values of it
    (``/deployments/by-name/{flow}/{deployment}``: each flow has its own deployments; one project in
    two of a user's six indexes), spread over several values, are values too. A resource is under most
    owners (``/users/{id}/repos``), or under many of hundreds (DataBrew's ``publishRecipe`` under 50 of
    165 recipes: each recipe's resources are called a few times), and is named as a collection; so at
    least OWNED_MIN words, each under at most half the owners and not many of them, none plural (but an
    item changed: :func:`_changed_leaf`), none an action."""
    if not site.in_slot or site.owners < 2 or len(cands) < OWNED_MIN:
        return set()
    if any(2 * len(site.groups[w]) > site.owners or _under_many(len(site.groups[w]), site.owners)
           or (_plural(w) and not _changed_leaf(site.groups[w])) or _keeps_literal(w) for w in cands):
        return set()
    owners = {id(site.groups[w][0]) for w in cands}   # the node under one owner each word came from
    sim, _ = similarity(dict(cands), site.memo.likeness)
    return set(cands) if len(owners) >= 2 and (sim is None or sim >= SIM_HIGH) else set()


# Names one owner holds below it, at least, for the owner to be read as one value among owners alike.
NAMES_HELD: Final = 4


def _owners_of_names(resolved: Mapping[str, _Res], profiles: Mapping[str, Profile], likeness: Likeness) -> set[str]:
    """Names people choose, nested, that no name repeats to tie together: ``/alice/ix0`` ... ``/heidi/ix59``,
    five users each holding a dozen indexes of their own. Below each user the indexes merged, but no
    structure is shared above (``/alice/{index}`` beside ``/bob/{index}`` share only the parameter) and a
    handful of users is too few to be values on likeness alone; so the names chosen at the first level
    stayed literal while the level below became the parameter (``/alice/{aliceName}``).

    Siblings that each hold nothing but one parameter of NAMES_HELD words or more (names, not typed
    ids), with the same endpoints below and answering alike, are values of one parameter themselves,
    OWNED_MIN of them at least: what is under each is the same kind of thing, named each time anew, so
    they are owners of it. Resources holding items (``/users/{id}``, ``/orders/{id}``) are named as
    collections, hold ids, or answer each their own: none of that is read so. Only the owners count;
    words beside them (``/health``) are judged as before."""
    owners: dict[str, Profile] = {}
    for w, res in resolved.items():
        slot = res.slots.get("")
        if (_names_a_resource(w) or res.literals or len(res.slots) != 1 or slot is None
                or slot.names < NAMES_HELD or "word" not in slot.kinds or slot.kinds & STRONG_KINDS):
            continue
        owners[w] = profiles[w]
    if len(owners) < OWNED_MIN or len({frozenset(profile) for profile in owners.values()}) != 1:
        return set()
    sim, outliers = similarity(owners, likeness)
    if sim is None or sim < SIM_HIGH or outliers or private_share(owners) > 0.5:
        return set()
    return set(owners)


def _name_pairs(cands: Mapping[str, Profile]) -> set[str]:
    """Owners of names answered alike: ``/by-name/{flow}/{deployment}``. Words with no endpoint of
    their own, each over words of its own (no two share one) that all answer like one resource, are
    values; the words below them then are names under one owner each (:func:`_owned_names`). Resources
    side by side answer unlike each other, or share what lies below them."""
    if len(cands) < 2 or any(_keeps_literal(w) or _plural(w) for w in cands):
        return set()
    below: list[frozenset[str]] = []
    labels: set[str] = set()
    for profile in cands.values():
        if not profile or any(len(s) != 1 or s[0] == "*" or s[0] in labels for s in profile):
            return set()
        labels.update(s[0] for s in profile)
        below.extend(object_props(props) for props in profile.values())
    if len(below) < OWNED_MIN or not all(answers_alike(below[0], other) for other in below[1:]):
        return set()
    return set(cands)


def _spaces(site: _Site, cands: Mapping[str, Profile]) -> set[str]:
    """Words that only ever hold ids, alike: ``/download/{host}/{mediaId}`` (a host or a namespace that
    ids live in), unless a plural names them (``/git/blobs/{sha}`` beside ``/git/trees/{sha}``:
    resources) or they stand where resources do (after an id, at the root, after /api or /v1)."""
    if site.scoped or len(cands) < 2 or any(_keeps_literal(w) or _plural(w) for w in cands):
        return set()
    shapes = {frozenset(profile) for profile in cands.values()}
    if len(shapes) != 1:
        return set()
    suffixes = next(iter(shapes))
    return set(cands) if suffixes and all(s and s[0] == "*" for s in suffixes) else set()


def _listed_at(site: _Site) -> frozenset[str]:
    """The names the collection at the site lists as its items' ITEM_NAMES (none where nothing is known)."""
    return site.memo.listed(site.keys) if site.memo.listed is not None and site.keys else frozenset()


def _listed_here(site: _Site, cands: Iterable[str]) -> set[str]:
    """Words the collection at the site lists as its items' ids or names (``GET /api/admin/projects``
    answering ``{"projects": [{"id": "default"}]}`` beside ``/api/admin/projects/default/features``):
    items, even one alone. A recording of one team's own instance has one project, org, realm or
    workspace (Unleash's open-source edition: ``default``), and nothing else there says value; the
    listing does. Where resources stand (after an id, at the root) a listing names no resource below."""
    if site.scoped or site.memo.listed is None:
        return set()
    cands = [w for w in cands if not _keeps_literal(w)]
    if not cands or not item_props(site.props) & ITEM_NAMES:
        return set()
    named = _listed_at(site)
    return {w for w in cands if w in named}


# Words after a parameter, at least, that the collection before it must list for them to be values.
LISTED_ABOVE_MIN: Final = 2


def _listed_above(site: _Site, cands: Iterable[str]) -> set[str]:
    """Words after a parameter that the collection before it lists, every one, as its items' names: a key
    in two parts (RabbitMQ's ``/api/policies/{vhost}/{name}``, ``GET /api/policies`` answering
    ``[{"vhost": "prod", "name": "dlx"}]``). A team's few names, set again in every vhost, read as the
    API's own words under many owners (``/users/{id}/repos``); the listing says they are items. Two of
    them at least, and all, so that an item that happens to bear a resource's name does not count; and
    after values that are no item's own id or name (a vhost): values that name an item themselves
    (``/projects/{id}``, a project's listed slug) hold its resources, whatever names the listing gives."""
    words = list(cands)
    if (not site.in_slot or site.memo.listed is None or len(site.prefix) < 2 or not _plural(site.prefix[-2])
            or len(words) < LISTED_ABOVE_MIN or any(_keeps_literal(w) for w in words)):
        return set()
    split = [key.rsplit("/", 2) for w in words for raw in site.groups[w] for key in raw.keys]
    keys = sorted({parts[0] for parts in split})
    named = site.memo.listed(keys) if keys else frozenset()
    if not all(w in named for w in words):
        return set()
    # the first part names no item on its own (an id, a name the listing gives an item): else the words
    # are that item's resources, whatever names it lists (projects called members and hooks)
    firsts = {parts[1] for parts in split}
    if firsts & named or any(_naming_kind(label) for label in firsts):
        return set()
    return set(words)


# Entity sets addressed both ways at one position, at least, for them to be a user's tables.
ENTITY_SETS_MIN: Final = 2


def _entity_sets(cands: Iterable[str]) -> set[str]:
    """OData's entity sets, two at least, each addressed as a word and as the word with a key in
    parentheses beside it: ``POST /{account}/Invoices`` inserts, ``GET /{account}/Invoices()`` queries and
    ``/{account}/Invoices(PartitionKey='eu',RowKey='7')`` is one entity. A user's tables (Azure Table,
    SAP and Dynamics entity sets): the words are values, as their keyed forms are. Not the set that
    catalogues the others (``Tables('Invoices')``: its keys are their names), nor a set alone."""
    cands = set(cands)
    keyed: dict[str, set[str]] = {}
    for w in cands:
        head, paren, rest = w.partition("(")
        if paren and rest.endswith(")") and head:
            keyed.setdefault(head, set()).add(rest[:-1])
    sets = {w for w in cands if w in keyed and not _keeps_literal(w)}
    sets -= {w for w in sets if any(key.strip("'") in cands for key in keyed[w])}  # Tables('Invoices')
    if len(sets) < ENTITY_SETS_MIN:
        return set()
    return sets | {w for w in cands if w.partition("(")[0] in sets}


def _naming_kind(label: str) -> bool:
    """A typed label of ids that name an item on their own (``{:integer}``, ``{:uuid}``); past the word
    cap (``{:word}``) names, as any word."""
    kind = placeholder_kind(label)
    return kind is not None and kind[0] != "word"


def _posted_here(site: _Site, cands: Iterable[str]) -> set[str]:
    """Words right after a collection that clients created in a collection of that name (``POST
    /v1/prompt_versions/{id}/tags {"name": "production"}``, then ``/v1/prompts/{name}/tags/production``):
    items, even one alone under many owners (the API accepted the name as a tag; it did not name an
    endpoint so). Where resources stand (after an id, at the root) no name is an item."""
    parent = site.parent or ""
    if site.scoped or site.memo.listed is None or not _plural(parent):
        return set()
    posted = site.memo.listed.posted(parent)
    return {w for w in cands if w in posted and not _keeps_literal(w)} if posted else set()


def _after_a_field(site: _Site, cands: Iterable[str]) -> set[str]:
    """Words after a collection and the name of a field its items were created with, where clients sent one
    of them in that field (``POST /api/concurrency_limits/ {"tag": "warehouse:search"}``, then
    ``/api/concurrency_limits/tag/warehouse:search``): the field names the items there, as ``/name/`` does
    (:func:`_after_a_name_marker`), so every word there is an item by it, even one alone; the API's own
    marks stay literal. Not where resources stand (after an id, at the root), nor after a plural (a
    collection of the items'). What was sent is read from the distinct strings a field's shape keeps (a
    few, short: a field of many values, or of ids, tells nothing here; its values tell in the paths)."""
    parent = site.parent or ""
    if site.scoped or site.memo.listed is None or len(site.prefix) < 2 or _plural(parent) \
            or not _plural(site.prefix[-2]):
        return set()
    sent = site.memo.listed.posted_field(site.prefix[-2], parent)
    if not sent or not any(w in sent for w in cands):
        return set()
    return {w for w in cands if not _keeps_literal(w)}


def _named_as_an_item(site: _Site, cands: Iterable[str]) -> set[str]:
    """``/checkpoints/checkpoint``: a word that is the singular of the collection it is under names one
    item of it, even alone (a server whose only checkpoint id is ``checkpoint``): a resource beside the
    collection's items is not named after one of them."""
    parent = site.parent or ""
    if site.scoped or not _plural(parent):
        return set()
    item = _singular(parent).lower()
    return {w for w in cands if w.lower() == item}


# Words that say a name follows them in the path: ``/flows/name/{name}``, ``/block_types/slug/{slug}``.
NAME_MARKERS: Final = frozenset({"name", "by-name", "by_name", "byname", "slug", "by-slug", "by_slug"})


def _after_a_name_marker(site: _Site, cands: Mapping[str, Profile]) -> set[str]:
    """Words after a word saying a name follows (``/flows/name/sync-salesforce``): names, whatever they
    read as (``sync-salesforce``, ``refresh-embeddings`` read as actions, and kept Prefect's flows
    literal), even one alone; the API's own marks (aliases, actions it names) stay literal. Right below
    such a name, leaves are the name's second part (``/deployments/name/{flow}/{deployment}``), two of
    them at least, each under at most half of the names; a plural, or a word under more of the names, is
    a resource of theirs (``/deployments/name/{flow}/runs``)."""
    if site.scoped and not site.in_slot:
        return set()
    if not site.in_slot and (site.parent or "").lower() in NAME_MARKERS:
        return {w for w in cands if not _keeps_literal(w)}
    if site.in_slot and len(site.prefix) >= 2 and site.prefix[-2].lower() in NAME_MARKERS:
        leaves = {w for w in cands if not _names_a_resource(w) and not any(raw.children for raw in site.groups[w])
                  and 2 * len(site.groups[w]) <= max(site.owners, 2)}
        return leaves if len(leaves) >= 2 else set()
    return set()


def _files(site: _Site, cands: Mapping[str, Profile], values: set[str]) -> set[str]:
    """File names (``Untitled.ipynb``, ``report 524.csv``) where the names vary: two side by side, or one
    beside values (ids, names decided above), are values of one parameter, the extension included.
    Shared by many folders (every folder has an ``Untitled.ipynb``) they are still names, not a resource.
    Where resources stand at the top (``/api/spec.yaml`` beside ``/api/status``) they stay literal."""
    if site.top:
        return set()
    files = _file_names(cands, {label[label.index("}") + 1:] for label in site.typed if "}." in label})
    return files if len(files) >= 2 or site.typed or values else set()


def _file_names(words: Iterable[str], typed_extensions: Iterable[str] = ()) -> set[str]:
    """The words that are file names: ``name.ext``, unless all are plain words of one format
    (``/products.json`` beside ``/orders.json``: resources asked for in a format; ``config.txt`` beside
    ``summary.txt`` are files). Typed names with an extension (``{:token}.md``) are no plain words; most
    plain words are enough (``UserDefinedMessageSubscriptions.json`` beside Twilio's ``Events.json`` has
    four consonants in a row, as ids do)."""
    files = {w for w in words if is_file_name(w)}
    typed = set(typed_extensions)
    extensions = {w.rsplit(".", 1)[1].lower() for w in files} | {ext.lstrip(".").lower() for ext in typed}
    if extensions <= _FORMATS and len(extensions) == 1 and not typed \
            and 3 * sum(1 for w in files if _plain(w.rsplit(".", 1)[0])) >= 2 * len(files):
        return set()
    return files


def _in_a_format(word: str) -> bool:
    """A plain word asked for in a format (Twilio's ``/Usage/Records/ThisMonth.json`` beside
    ``Today.json``): an endpoint's name, as ``/orders.json`` is; a few such words are no values."""
    stem, dot, extension = word.rpartition(".")
    return bool(dot) and extension.lower() in _FORMATS and bool(stem) and _plain(stem)


def _ids_in_format(fixed: Mapping[str, list[str]], words: Iterable[str],
                   answer: Callable[[list[str]], frozenset[str]]) -> dict[str, list[str]]:
    """Words of the ids' alphabet beside typed ids asked for in a format (Twilio's ``{sid}.json``:
    ``wNCMorOUJl.json`` beside ``{:token}.json``): one more id of that slot, the format kept literal,
    not file names that would fold the format into the value. So is a word in the ids' format that
    answers as they do (``atniuJxoTol.json``, letters that happen to read as camelCase, answering an
    application as the ids beside it do: ``answer``, the properties the labels answer at their root),
    as :func:`_items_here` finds one word alone answering like the ids; the API's own words stay literal."""
    out: dict[str, list[str]] = {}
    for slot_id, labels in fixed.items():
        if slot_id.startswith(".") and slot_id[1:].lower() in _FORMATS:
            same = [w for w in words if w.endswith(slot_id)]
            ids = [w for w in same if _is_cased(w[:-len(slot_id)])]
            theirs = answer(labels) if len(ids) < len(same) else frozenset()
            ids += [w for w in same if w not in ids and not _keeps_literal(w[:-len(slot_id)])
                    and answers_alike(answer([w]), theirs)]
            if ids:
                out[slot_id] = ids
    return out


def _mixed_extensions(fixed: Mapping[str, list[str]], words: Iterable[str]) -> dict[str, str]:
    """The typed values with an extension (``{:token}.md``: ``notes 26.md``) that are file names, with
    their kinds, to fold into the one parameter (the extension is part of the value, not a literal
    half): all of them when two extensions, or file names, are siblings. ``/Messages/{sid}.json`` keeps
    its one extension, and a strong id keeps each (``/users/{id}.json`` beside ``{id}.xml``: a format
    asked for, not part of the id)."""
    named: dict[str, dict[str, str]] = {}
    for slot_id, labels in fixed.items():
        kinds = {label: found[0] for label in labels if (found := placeholder_kind(label)) is not None}
        if slot_id.startswith(".") and not STRONG_KINDS.intersection(kinds.values()):
            named[slot_id] = kinds
    if len(named) >= 2 or (named and _file_names(words, named)):
        return {label: kind for kinds in named.values() for label, kind in kinds.items()}
    return {}


def _custom_methods(words: Iterable[str], typed: Mapping[str, list[str]], ids: bool) -> dict[str, list[str]]:
    """Custom methods on values (Google's ``/v1/{resource}:setIamPolicy``): ``:verb`` -> its words, where
    two names or more (not plurals) take the same verb. The verb is a literal after the value, as an
    extension is (``{sid}.json``); one name with it (``/v1/services:generateConfigReport``, a method on a
    collection) stays a word, and so do collections taking the same verb (``/v3/projects:search`` beside
    ``/v3/folders:search``). A plural beside names is one more name (``payments:setIamPolicy``). One name
    is enough where typed ids take the verb too (``{:token}:cancel``, in ``typed``: the slots of typed
    values with what follows them), or, beside typed ids (``ids``), when it reads as one of them (digits
    or mixed case, ``23v1ht:getIamPolicy``: too short to be typed on sight, no endpoint's name)."""
    out: dict[str, list[str]] = {}
    for word in words:
        stem, colon, verb = word.rpartition(":")
        if colon and stem and _CUSTOM_VERB.fullmatch(verb) and ":" not in stem:
            out.setdefault(colon + verb, []).append(word)
    found = {}
    for verb, labels in out.items():
        names = [w.rpartition(":")[0] for w in labels if not _names_a_resource(w.rpartition(":")[0])]
        if len(names) >= 2 or (names and (verb in typed or (ids and not all(map(_plain, names))))):
            found[verb] = labels
    return found


# ``setIamPolicy``, ``cancel``, ``undelete``: a verb in lowerCamelCase, letters only.
_CUSTOM_VERB: Final = re.compile(r"[a-z]+(?:[A-Z][a-z]*)*")


def _raw_profile(raws: Sequence[_Raw], merge: Callable[[list[_Raw]], Answers]) -> Profile:
    """Endpoints below unresolved nodes: typed segments as ``*``, words as they are. ``merge``: the
    answers of the nodes at an endpoint (:meth:`_Memo.answers`: they are often a parameter's values,
    resolved as one node too)."""
    return walk(raws, _raw_children, merge)


# A site's decision asked of its raw profiles (:meth:`_Resolver._decided`): the nodes, prefix, parent,
# whether in a slot, and the words.
_Where = tuple[tuple[int, ...], Suffix, str | None, bool, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class _Decision:
    """A decision on raw profiles, and what it read of the pass's pool (:meth:`_Resolver._decided`):
    the values chosen, the words it kept literal (``fixed``), the pool's answers (``consulted``, with
    ``pooled`` what :meth:`_Resolver._pooled` said of each) and the vocabulary's (``worded``)."""

    chosen: frozenset[str]
    fixed: frozenset[tuple[Suffix, str]]
    consulted: tuple[tuple[Suffix, frozenset[str], bool], ...]
    pooled: tuple[set[str], ...]
    worded: tuple[tuple[Suffix, bool, frozenset[str], frozenset[str]], ...]

    def holds(self, resolver: _Resolver) -> bool:
        """Whether ``resolver``'s pool answers each question as this decision's did."""
        return _answers_hold(self.consulted, self.pooled, self.worded, resolver)


def _answers_hold(consulted: Sequence[tuple[Suffix, frozenset[str], bool]], pooled: Sequence[set[str]],
                  worded: Sequence[tuple[Suffix, bool, frozenset[str], frozenset[str]]], resolver: _Resolver) -> bool:
    """Whether ``resolver``'s pool answers each question (``consulted``, ``worded``) as it was answered
    (``pooled``, the last of each of ``worded``)."""
    return all(resolver._pooled(cands, prefix) == answer
               for (prefix, cands, _), answer in zip(consulted, pooled, strict=True)) \
        and all(resolver.vocabulary.values(prefix, scoped, cands) == answer for prefix, scoped, cands, answer in worded)


# What _Resolver._weighed works out: candidates, members, likeness, outliers, shared structure.
_Weighed = tuple[dict[str, Profile], dict[str, Profile], float | None, frozenset[str], frozenset[str]]


@dataclass(frozen=True, slots=True)
class _Rules:
    """What :meth:`_Resolver._rules` worked out at a site, and the words it kept literal (``fixed``)."""

    cands: tuple[str, ...]
    fixed: tuple[tuple[Suffix, str], ...]
    chosen: frozenset[str]
    owners: frozenset[str]
    crowd: bool


@dataclass(frozen=True, slots=True)
class _Subtree:
    """A node's resolution in one pass (``passes``: which), and what its subtree read of that pass's pool
    (``consulted`` and ``pooled``, ``worded``: as a :class:`_Decision`'s) and noted (``fixed``, and the
    values ``merged``, with where), in order (:meth:`_Resolver._reused`)."""

    res: _Res
    passes: int
    consulted: tuple[tuple[Suffix, frozenset[str], bool], ...]
    pooled: tuple[set[str], ...]
    worded: tuple[tuple[Suffix, bool, frozenset[str], frozenset[str]], ...]
    fixed: tuple[tuple[Suffix, str], ...]
    merged: tuple[tuple[str, Suffix], ...]

    def holds(self, resolver: _Resolver) -> bool:
        """Whether ``resolver``'s pool answers each question as this subtree's pass did."""
        return _answers_hold(self.consulted, self.pooled, self.worded, resolver)


def _without_keys(res: _Res) -> _Res:
    """``res`` without keys of its own (they went to a parameter), its subtree shared: nothing changes
    a node once resolved, and the one made is kept as it was for the next pass (:meth:`_Resolver._reused`)."""
    out = _Res([], res.props)
    out.literals, out.slots, out.profile = res.literals, res.slots, res.profile
    return out


class _Memo:
    """What every pass of one :func:`decide` works out alike, worked out once: the raw trie is built
    once and never changed, and each pass (and several rules within one) asks the same of the same
    nodes. What it hands out is shared: nobody changes a profile or an Answers (rules build new ones)."""

    __slots__ = ("_answers", "_below", "_profiles", "_shells", "collections", "decisions", "likeness", "listed",
                 "passes", "refused", "rules", "subtrees", "weighed")

    def __init__(self, listed: Listed | None = None, refused: Refusals = NO_REFUSALS,
                 collections: frozenset[str] = frozenset()) -> None:
        # by the nodes' ids: the trie keeps every node alive while decide() runs, so an id stays its node's
        self._profiles: dict[tuple[int, ...], Profile] = {}
        self._answers: dict[tuple[int, ...], Answers] = {}
        self._below: dict[tuple[int, ...], tuple[frozenset[str], bool]] = {}
        self._shells: dict[int, _Raw] = {}
        self.likeness = Likeness()
        self.decisions: dict[_Where, _Decision] = {}  # by the pass that made them (_Resolver._decided)
        self.passes = 0   # the passes begun (each _Resolver counts itself)
        self.subtrees: dict[_Where, _Subtree] = {}    # the latest resolution of each node (_Resolver._reused)
        self.rules: dict[_Where, _Rules] = {}   # what a decision works out before it asks the pool (_Resolver._decide)
        # ... and what its words weigh (_Resolver._weighed), with the words that kept literal
        self.weighed: dict[_Where, tuple[_Weighed | None, tuple[tuple[Suffix, str], ...]]] = {}
        self.listed = listed   # the same in every pass: a decision it feeds needs no new check
        self.refused = refused   # ... and so are the keys every answer of which refused the path
        self.collections = collections   # ... and the collections the API names at its top (_top_collections)

    def shell(self, raw: _Raw) -> _Raw:
        """A node with ``raw``'s own keys and answers and nothing below: its calls, resolved apart from
        what it holds (:func:`_values_named_as_words`). One per node, kept alive: the memo goes by ids."""
        found = self._shells.get(id(raw))
        if found is None:
            found = self._shells[id(raw)] = _Raw()
            found.keys, found.targets, found.props, found.methods = raw.keys, raw.targets, raw.props, raw.methods
        return found

    def below(self, raws: Sequence[_Raw]) -> tuple[frozenset[str], bool]:
        """The labels right below the nodes, and whether one is a version (each candidate asks, every pass)."""
        key = tuple(map(id, raws))
        known = self._below.get(key)
        if known is None:
            labels = frozenset().union(*(raw.children for raw in raws))
            known = self._below[key] = labels, any(map(_is_version, labels))
        return known

    def profile(self, raws: Sequence[_Raw]) -> Profile:
        """:func:`_raw_profile`."""
        key = tuple(map(id, raws))
        profile = self._profiles.get(key)
        if profile is None:
            profile = self._profiles[key] = _raw_profile(raws, self.answers)
        return profile

    def answers(self, raws: Sequence[_Raw]) -> Answers:
        """What the nodes answer, merged: a parameter's values (thousands of them past the word cap)."""
        if len(raws) == 1:
            return raws[0].props
        key = tuple(map(id, raws))
        answers = self._answers.get(key)
        if answers is None:
            answers = self._answers[key] = Answers.merged(raw.props for raw in raws)
        return answers


def _raw_children(node: _Raw) -> list[tuple[str, _Raw]]:
    """The children with typed labels as ``*``, listed once: every profile reaching the node walks them,
    and the trie no longer changes once decide() resolves it."""
    if node.walked is None:
        node.walked = [("*" if label.startswith("{") else label, child) for label, child in node.children.items()]
    return node.walked


def _resolved_children(node: _Res) -> Iterator[tuple[str, _Res]]:
    yield from node.literals.items()
    for slot in node.slots.values():
        yield "*", slot.node


_NAMESPACED: Final = re.compile(r"[A-Za-z][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+){2,}")


_SIGILED: Final = re.compile(r"[@~][A-Za-z0-9][A-Za-z0-9_.-]*")


def _word_kind(word: str) -> str:
    """The kind a word taken as a value adds to its parameter: ``cased`` for letters of both cases that
    read as an id, ``token`` for random letters of one case (an id without a digit: the parameter is
    still an id, ``{sortId}``), else ``word`` (a name)."""
    return "cased" if _is_cased(word) else "token" if reads_as_random(word) else "word"


def _namespaced(word: str) -> bool:
    """A dotted name of three parts or more (reverse-DNS, ``m.room.name``), not a version (``v1.2.3``), or
    a name behind a sigil (``@acme``, ``~alice``)."""
    return (_NAMESPACED.fullmatch(word) is not None and not _is_version(word)) or _SIGILED.fullmatch(word) is not None


def _names_a_resource(word: str) -> bool:
    """A word that is no value whatever stands beside it: a collection (plural), an action, an API's mark."""
    return _keeps_literal(word) or _plural(word)


def _plain(word: str) -> bool:
    """Letters of one case, or camelCase, no digits: how endpoints are named, unlike ids (4amxqus9hn,
    ftNbsXzOx)."""
    return not _is_cased(word) and not any(c.isdigit() for c in word)


def _answers_as_they_do(site: _Site, word: str, profile: Profile, theirs: Sequence[Profile]) -> bool:
    """Whether ``word`` answers, call by call, at least what each of ``theirs`` answers there, and no list:
    an item among them. A collection's page answers less (``{data: [], meta}`` beside ``{data: {name},
    meta}``: an empty list names no property), a bare list nothing at all; a word only deleted (answered
    nothing, as items are) says nothing against it."""
    here = profile.get(())
    calls = here.calls if isinstance(here, Answers) else {}
    if _answers_a_list(profile) or ("GET" in _called(site.groups[word]) and "GET" not in calls):
        return False
    for method, props in calls.items():
        asked = [a.calls[method] for a in (p.get(()) for p in theirs) if isinstance(a, Answers) and method in a.calls]
        if not asked or not props >= frozenset.intersection(*asked):
            return False
    return True


def _answers_a_list(profile: Profile) -> bool:
    """Whether an answer right at the word held a list (``[].id``, ``value[].id``): a collection's listing."""
    return any("[]" in prop for prop in profile.get((), ()))


@lru_cache(maxsize=1 << 14)  # pure, and asked by most rules (the mix's 100k render: 16.9k questions of 1.5k words)
def _plural(word: str) -> bool:
    low = word.lower()
    return ((len(low) > 2 and low.endswith("s")
             and (not low.endswith(("ss", "us", "is")) or low.endswith(_ACRONYMS_IS)))
            or (low in _IRREGULAR_PLURALS and _IRREGULAR_PLURALS[low] != low))


# Plurals of acronyms ending in ``i`` (AWS's ``/restapis``, ``/uris``), unlike words ending in ``is``
# (``analysis``, ``axis``), which are singular.
_ACRONYMS_IS: Final = ("apis", "uris", "kpis")


# --- naming -----------------------------------------------------------------------------------

_IRREGULAR_PLURALS: Final = {"people": "person", "children": "child", "men": "man", "women": "woman",
                             "data": "data", "media": "media", "indices": "index", "statuses": "status",
                             "aliases": "alias", "analyses": "analysis", "caches": "cache"}
_WORD_SPLIT: Final = re.compile(r"[^A-Za-z0-9]+")


Segment = str | _Slot


def _templates(root: _Res, fixed: set[tuple[Suffix, str]], served: Mapping[str, str]) -> dict[str, Template]:
    """Every key's template: the keys that end at a resolved node share the path down to it. ``fixed``:
    the words kept as actions, by where they are (labels before, parameters as ``*``); ``served``: the
    keys whose last segment had its format folded off (:func:`_fold_formats`), and the format."""
    out: dict[str, Template] = {}
    stack: list[tuple[_Res, tuple[Segment, ...], frozenset[int]]] = [(root, (), frozenset())]
    while stack:
        node, segs, actions = stack.pop()
        if node.keys:
            template = _name(segs, actions)
            # a file path's extension is the file's, no format folded off it (the parameter holds it)
            spans = bool(segs) and isinstance(segs[-1], _Slot) and segs[-1].spans
            for key in node.keys:
                suffix = None if spans else served.get(key)
                out[key] = template if suffix is None else Template(template.path + suffix, template.params)
        prefix = tuple(s if isinstance(s, str) else "*" for s in segs)
        stack.extend((child, (*segs, label), actions | {len(segs)} if (prefix, label) in fixed else actions)
                     for label, child in node.literals.items())
        stack.extend((slot.node, (*segs, slot), actions) for slot in node.slots.values())
    return out


def _name(segs: Sequence[Segment], actions: frozenset[int] = frozenset()) -> Template:
    """Names from the resource before each parameter, unique within the path: /users/{userId}.

    Only a literal that reads as a resource names a parameter: a value that stayed literal (``m.read``,
    ``v1``) never does, the nearest resource before it does (``/receipt/m.read/{receiptId}``). A second
    parameter in a row is not the resource's again (``/redact/{redactId}/{redactId2}`` says nothing):
    it is named by its kind (``/projects/{projectName}/{name}``), and so is one after an item of a
    collection that stayed literal (``/users/alice/{id}``, not ``{aliceId}``).
    """
    used = {s.hint for s in segs if isinstance(s, _Slot) and s.hint}
    paired = _paired(segs, used)
    parts: list[str] = []
    params: list[PathParam] = []
    base = ""
    run = 0
    collection = False   # the literal before was a collection (``users``): this one is an item of it
    for seg in segs:
        if isinstance(seg, str):
            parts.append(seg)
            if _opens_api(seg) or seg.lower() in ACTIONS or len(parts) - 1 in actions:
                base = ""  # what follows an action is no longer the resource before it: /download/{name}
            elif _QUALIFIER.match(seg) or seg.lower() in NAME_MARKERS:
                pass  # /deployments/by-name/{deploymentName}, /flows/name/{flowName}: the resource before it
            elif collection and not _plural(seg):
                base = ""  # /users/alice/{id}: alice is one user that stayed literal, not a resource
            elif _RESOURCE_WORD.fullmatch(seg) and not _is_cased(seg):
                base = _camel(_singular(seg))
            collection = _plural(seg) and seg.lower() not in API_PREFIXES
            run = 0
            continue
        collection = False
        run += 1
        name = seg.hint or paired.get(len(parts), "")
        if not name:
            kind = "Path" if seg.spans else _suffix(seg.kinds)  # a file path: /contents/{contentPath}
            stem = base + kind if base and run == 1 else kind
            stem = stem[0].lower() + stem[1:]
            name = stem
            n = 1
            while name in used:
                n += 1
                name = f"{stem}{n}"
        used.add(name)
        parts.append("{" + name + "}" + seg.suffix)
        params.append(PathParam(name, {"type": "string"}, spans=True) if seg.spans
                      else PathParam(name, kind_schema(seg.kinds)))
    return Template("/" + "/".join(parts), tuple(params))


# A literal that can name the parameter after it: letters in words, not a dotted, numbered or random value.
_RESOURCE_WORD: Final = re.compile(r"[A-Za-z]+(?:[-_][A-Za-z]+)*")
# ``by-name``, ``by_id``: how the values after it are looked up, not what they are (the resource before).
_QUALIFIER: Final = re.compile(r"by(?:[-_]|[A-Z])")
def _paired(segs: Sequence[Segment], used: set[str]) -> dict[int, str]:
    """Names for two unhinted parameters in a row after a word of naming.pair_names (/repos/{owner}/{repo}),
    by their position in the path."""
    out: dict[int, str] = {}
    for i in range(len(segs) - 2):
        word, first, second = segs[i], segs[i + 1], segs[i + 2]
        alone = i + 3 == len(segs) or isinstance(segs[i + 3], str)
        if isinstance(word, str) and isinstance(first, _Slot) and isinstance(second, _Slot) and alone \
                and not first.hint and not second.hint and not first.spans and not second.spans:
            pair = pair_names(word)
            if pair and not used & set(pair):
                out[i + 1], out[i + 2] = pair
    return out


def _suffix(kinds: frozenset[str]) -> str:
    if kinds == {"ipv4"}:
        return "Address"
    if kinds <= {"date", "date-time"}:
        return "Date"
    if kinds == {"email"}:
        return "Email"
    if "word" in kinds:
        # names beside ids at one position: /limits/{limitIdOrName}
        return "IdOrName" if kinds & STRONG_KINDS else "Name"
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
