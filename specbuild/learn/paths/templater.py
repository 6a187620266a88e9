"""Path templating from evidence across requests; pure (where built, the native module walks ASCII paths).

Typed segments (integers, UUIDs, long hex, dates, opaque tokens) become parameters on sight. Word
segments (slugs, names) stay literal until the evidence says the siblings at one position are values
of one parameter: many distinct values under a collection, values that share what lies below them
(``/namespaces/{ns}/pods``), values already seen at another parameter, or responses of the same shape.

>>> t = PathTemplater()
>>> t.observe("/users/42")
'/users/{:integer}'
>>> t.templates()["/users/{:integer}"].path
'/users/{userId}'

A position with more distinct words than ``WORD_CAP`` *opens*: all its words (but those that never are
values, like ``me`` or ``search``) become ``{:word}``, the words seen there before included, and the
keys that meet below it are rewritten (``take_renamed`` tells the owner). So invented words cannot grow
the keys, the state or the spec with the traffic.

``observe`` runs once per exchange and only builds a *skeleton key* (typed segments replaced, words
kept). ``templates`` decides from all keys seen so far, from scratch, so a decision taken early is
revised when later evidence arrives; the result depends on the set of keys, never on their order.

The work is split by concept; this module keeps the public API (and ``PathTemplater`` itself, whose
class path old checkpoints name):

- :mod:`specbuild.segments`: which segments are parameters on sight (``classify_segment``).
- :mod:`specbuild.learn.paths.templates`: ``Template``, ``PathParam``, the user's ``Hint``, key labels.
- :mod:`specbuild.learn.paths.evidence`: sibling profiles and how alike they are.
- :mod:`specbuild.learn.paths.templating`: the trie of keys, the resolver, and parameter names (``decide``).
- :mod:`specbuild.learn.paths.filepaths`: files in folders below one parameter made one parameter that spans
  segments (``/contents/{contentPath}``), on the trie the resolver decided (:mod:`~.resolved`).

Imports run one way: paths -> templating -> filepaths -> resolved | evidence | templates -> segments -> errors.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Final

from specbuild.errors import RecordError
from specbuild.learn import native
from specbuild.learn.paths.evidence import Features
from specbuild.learn.paths.templates import NO_REFUSALS, Hint, PathParam, Refusals, Template, kind_schema
from specbuild.learn.paths.templating import Listed, decide
from specbuild.segments import (
    EXTENSION,
    classify_segment,
    continues_id,
    custom_method,
    escape_segment,
    is_sigil_id,
    is_version,
    keeps_literal,
    split_path,
    token_kind,
    version_after,
    version_here,
)

# Hint stays importable from here: checkpoints pickled before the split name specbuild.learn.paths.templater.Hint.
__all__ = [
    "CACHE_SIZE",
    "MAX_SEGMENTS",
    "WORD_CAP",
    "Features",
    "Hint",
    "PathParam",
    "PathTemplater",
    "Template",
    "classify_segment",
    "decide",
    "is_version",
    "kind_schema",
]

WORD_CAP: Final = 256          # distinct words at one (prefix, position) before it is a value position
OPEN: Final = "{:word}"        # the label of any word at a value position; in a word set, marks it open
# No API nests this deep; a path that does is a hostile or broken record, and every prefix of it would
# be a key of the word sets (memory quadratic in its length).
MAX_SEGMENTS: Final = 256
# Raw paths remembered by observe() (~3 MB when full), in two generations of half as many: the current
# one, and the one before, which a full current one replaces (a path found there moves to the current).
# Ids repeat in paths (a client reads what it just created), so what was seen recently is kept and a
# full cache never forgets all at once: on the 100k mix (17,107 distinct paths) one generation cleared
# when full missed 25k times (~6 µs a miss), two 18k.
CACHE_SIZE: Final = 1 << 14


class PathTemplater:
    """Learns path templates: ``observe`` each request path, then ask for ``templates``.

    Plain attributes only, so it pickles with the builder that owns it.
    """

    def __init__(self, hints: Sequence[str] = (), *, word_cap: int = WORD_CAP,
                 cache_size: int = CACHE_SIZE) -> None:
        self.hints = tuple(sorted((Hint.parse(h) for h in hints), key=lambda h: h.rank))
        self.word_cap = word_cap
        self.cache_size = cache_size
        # raw path -> key, the current generation; SpecBuilder.add_fields looks there before it calls observe
        self.recent: dict[str, str] = {}
        self._older: dict[str, str] = {}  # ... the one before (see CACHE_SIZE)
        self._words: dict[str, set[str]] = {}   # key prefix -> word values seen at the next position
        self._keys: set[str] = set()
        self.renamed: dict[str, str] = {}  # old key -> new key since the owner last took them (take_renamed)

    def observe(self, path: str) -> str:
        """The skeleton key of a raw path: typed segments as ``{:kind}``, words literal.

        A path of more than MAX_SEGMENTS segments is a RecordError ("too-deep"), before anything is kept.
        """
        key = self.recent.get(path)
        if key is None:
            key = self._older.get(path)
            if key is None:
                key = self._key(path)
            # a key changes only when a position opens, which rewrites both generations
            if 2 * len(self.recent) >= self.cache_size:
                self._older, self.recent = self.recent, {}
            self.recent[path] = key
        return key

    def _key(self, path: str) -> str:
        """:meth:`observe` of a path not in the cache."""
        if path.count("/") > MAX_SEGMENTS:
            raise RecordError("too-deep", f"path has {path.count('/')} segments, more than {MAX_SEGMENTS}")
        key, full = self._skeleton(path)
        self._keys.add(key)
        if full:
            self._open(full)
            # this path's key is new (it brought a new word) and was never handed out: no rename
            key = self.renamed.pop(key, key)
        return key

    def take_renamed(self) -> dict[str, str]:
        """Keys rewritten since the last call (old -> new), for the owner to move what it keeps per key."""
        renamed, self.renamed = self.renamed, {}
        return renamed

    @property
    def keys(self) -> frozenset[str]:
        """Every skeleton key observed so far."""
        return frozenset(self._keys)

    def merge(self, other: PathTemplater) -> None:
        """Fold in what another templater observed (same hints), as if its paths came here too; keys a
        position opened by the merge rewrites are in ``renamed``."""
        self._keys |= other._keys
        for prefix, words in other._words.items():
            self._words.setdefault(prefix, set()).update(words)
        self._open(prefix for prefix, words in self._words.items() if _must_open(words, self.word_cap))

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state["recent"] = {}  # a checkpoint need not carry the raw paths; they come back on sight
        state["_older"] = {}
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self.__dict__.setdefault("_older", {})  # pickled before the cache had two generations

    def _skeleton(self, path: str) -> tuple[str, list[str]]:
        """The key of ``path``, and the prefixes whose word sets this path filled past the cap."""
        labels = self._hint_labels(split_path(path)) if self.hints else []
        if _NATIVE_SKELETON is not None:
            walked = _NATIVE_SKELETON(path, labels, self._words, self.word_cap, _word)
            if walked is not None:
                return walked
        return self._walk(split_path(path), labels)

    def _hint_labels(self, segs: list[str]) -> list[str]:
        """The labels the first hint that matches ``segs`` places on its first segments (none: [])."""
        for hint in self.hints:
            found = hint.key_prefix(segs)
            if found is not None:
                return found
        return []

    def _walk(self, segs: list[str], labels: list[str]) -> tuple[str, list[str]]:
        """:meth:`_skeleton` from the segment after the ``labels`` a hint placed, in Python (the reference)."""
        full: list[str] = []
        prefix = "/" + "/".join(labels)
        after = _after(segs[len(labels) - 1]) if labels else _VERSION_HERE
        for seg in segs[len(labels):]:
            label, opened, after = _segment(seg, after)
            if opened is not _TYPED:
                seen = self._words.get(prefix)
                if seen is None:
                    seen = self._words[prefix] = set()
                if opened is not None and OPEN in seen:
                    label = opened
                elif label not in seen:
                    seen.add(label)
                    if len(seen) > self.word_cap:
                        full.append(prefix)
            labels.append(label)
            prefix = prefix + "/" + label if len(prefix) > 1 else "/" + label
        return "/" + "/".join(labels), full

    def _open(self, prefixes: Iterable[str]) -> None:
        """Make ``prefixes`` value positions: every word there (but those that stay literal) becomes
        ``{:word}`` in every key below, and so on where the rewritten keys now meet and fill a word set
        past the cap. The keys rewritten (old -> new) are added to ``renamed``.

        Why all of them: more distinct words than the cap at one position is a position of values
        (user names, slugs) or of invented words; keeping the first ones literal would keep every
        path below them apart, and the keys (the spec's paths) would grow with the traffic.
        Cost: one scan of the keys per position opened, and the keys below it rewritten.
        """
        renames: dict[str, str] = {}  # each key as it was -> as it is now
        todo = sorted(set(prefixes), reverse=True)
        while todo:
            step: dict[str, str] = {}
            todo.extend(self._open_one(todo.pop(), step))
            targets = set(renames.values())
            renames = {**{old: step.get(now, now) for old, now in renames.items()},
                       **{old: new for old, new in step.items() if old not in targets}}
        if renames:
            # a cached path's key is rewritten as its key was (what _skeleton now answers): clearing
            # the cache instead cost ~8k misses of 100k records on the mix (Stripe's /v1/customers opened)
            self.recent = {path: renames.get(key, key) for path, key in self.recent.items()}
            self._older = {path: renames.get(key, key) for path, key in self._older.items()}
            # renames pending for the owner are relative to the keys it holds: compose
            pending = {old: renames.get(mid, mid) for old, mid in self.renamed.items()}
            self.renamed = {**renames, **pending}

    def _open_one(self, prefix: str, renames: dict[str, str]) -> list[str]:
        """Open one position (see :meth:`_open`), noting the keys rewritten in ``renames``; returns the
        positions below it that must open in turn."""
        head = prefix if prefix == "/" else prefix + "/"
        at = prefix.count("/") if prefix != "/" else 0  # index of the label the prefix is followed by
        was_open = {q for q, words in self._words.items() if q.startswith(head) and q != prefix and OPEN in words}
        for q in [q for q in self._words if q.startswith(head) and q != prefix]:
            del self._words[q]
        self._words[prefix] = {OPEN} | {w for w in self._words.get(prefix, ()) if keeps_literal(w)}
        for key in [k for k in self._keys if k.startswith(head)]:
            labels = key[1:].split("/")
            new = self._collapsed(labels, at)
            if new != key:
                self._keys.discard(key)
                self._keys.add(new)
                renames[key] = new
            self._add_words(labels, at + 1)
        for q in was_open:  # a value position stays one whatever its prefix becomes
            self._words.setdefault(self._collapsed(q[1:].split("/"), at), set()).add(OPEN)
        below = [(q, words) for q, words in self._words.items() if q.startswith(head) and q != prefix]
        return sorted((q for q, words in below if _must_open(words, self.word_cap)), reverse=True)

    def _collapsed(self, labels: list[str], at: int) -> str:
        """``labels`` as a key, with the word at index ``at`` (if any, and not the user's) as ``{:word}``;
        ``labels`` is updated in place."""
        if at < len(labels) and not labels[at].startswith("{") and not keeps_literal(labels[at]) \
                and at >= self._hinted(labels):
            labels[at] = OPEN + custom_method(labels[at])
        return "/" + "/".join(labels)

    def _add_words(self, labels: list[str], start: int) -> None:
        """Note the words of a key's ``labels`` from index ``start`` in the word sets of their prefixes."""
        first = max(start, self._hinted(labels))
        prefix = "/" + "/".join(labels[:first])
        for label in labels[first:]:
            if not label.startswith("{"):
                self._words.setdefault(prefix, set()).add(label)
            prefix = prefix + "/" + label if len(prefix) > 1 else "/" + label

    def _hinted(self, labels: list[str]) -> int:
        """How many leading labels a hint placed (those are the user's, never opened)."""
        for hint in self.hints:
            if hint.covers(labels):
                return len(hint.segments)
        return 0

    def templates(self, features: Mapping[str, frozenset[str]] | None = None,
                  targets: Mapping[str, int] | None = None, listed: Listed | None = None,
                  refused: Refusals = NO_REFUSALS, *, file_paths: bool = False) -> dict[str, Template]:
        """The template of every key observed so far, decided from all the evidence at once: ``features``
        (methods and response properties per key: :class:`Features`, or their plain form), ``targets``
        (distinct request targets per key), ``listed`` (the names the collections at some keys list) and
        ``refused`` (the keys every answer of which refused the path: not found, an invalid name, a
        malformed value)."""
        return decide(sorted(self._keys), self.hints, features or {}, targets or {}, listed, refused,
                      file_paths=file_paths)


def _must_open(words: set[str], cap: int) -> bool:
    """A word set past the cap, or an open one that still holds words that can be values."""
    if OPEN in words:
        return any(w != OPEN and not keeps_literal(w) for w in words)
    return len(words) > cap


# A path cache miss is a path seen for the first time, mostly for its ids: its other segments were seen
# before. What a segment is and how it is labelled are kept for 8,192 segments each, as classify_segment
# keeps its answers (typing and labelling segments again was half of a miss's ~13 us on the 100k mix).
# The native twin of _typed_here (None without the native module): it types segments of printable ASCII
# without ``%``, the ids of a path-cache miss, ~10x faster (0.7-0.9 us a segment, not 7-8, on the
# mix's 6.9k distinct segments); tests/test_native.py holds the two together.
_NATIVE_TYPED: Final = native.segment_typer()


@functools.lru_cache(maxsize=8192)
def _typed(seg: str) -> str | None:
    """The label of a segment that is a parameter on sight (``{:uuid}``, ``{:token}.json``), or None
    for a word. Where a version goes, the caller asks version_here first."""
    if _NATIVE_TYPED is not None:
        label = _NATIVE_TYPED(seg)  # "" for a word, None for a segment left to Python
        if label is not None:
            return label or None
    return _typed_here(seg)


def _typed_here(seg: str) -> str | None:
    """:func:`_typed` in Python, the reference."""
    ext = EXTENSION.match(seg) if "." in seg else None
    if ext is None:
        # A custom method after an id (``txat25kjbx1:setIamPolicy``) is a literal after the value, as an
        # extension is: typed whole, its camelCase made the segment one opaque token, a value of the
        # parameter beside the method's own path (gkebackup's POST /v1/{name}).
        verb = custom_method(seg) if ":" in seg and not is_sigil_id(seg) else ""
        kind = _kind(seg[:len(seg) - len(verb)])
        return None if kind is None else "{:" + kind + "}" + verb
    # A name with a file extension is an id by its stem alone: ``billing-carts-43.json`` is 21
    # characters of words and a number, as opaque as ``billing-carts-43`` is (not): typed whole,
    # one sample's long names are ids and the other's short ones file names, two templates apart.
    stem_kind = _kind(ext.group(1))
    return None if stem_kind is None else "{:" + stem_kind + "}" + ext.group(2)


# The native twin of _walk (None without the native module): one call a path of printable ASCII without
# ``%`` instead of a Python loop over its segments (a path-cache miss, 22% of the records of the mix).
_NATIVE_SKELETON: Final = native.path_skeleton()

# What the segment before says of the next one (see _segment): the rest of an id cut by its slash
# (continues_id), a place for a version (version_here: the first segment, or after ``api``), or neither.
_CONTINUES_ID: Final = 0
_VERSION_HERE: Final = 1
_ANY: Final = 2
_TYPED: Final = "{:typed}"  # _segment's second answer for a typed segment (a word's is its open label or None)


def _after(seg: str) -> int:
    """What ``seg`` says of the segment after it (see _segment)."""
    if continues_id(seg):
        return _CONTINUES_ID
    return _VERSION_HERE if version_after(seg) else _ANY


# A miss of the path cache walks segments mostly seen before, each after what it was after before:
# one cached call a segment instead of continues_id, version_here, _typed and _word (1.7% of the fold's
# instructions on the 20k mix, whose 6.6k distinct paths miss 6.6k times, when _walk was every miss's).
@functools.lru_cache(maxsize=8192)
def _segment(seg: str, after: int) -> tuple[str, str | None, int]:
    """The label of ``seg`` where the segment before it says ``after``; ``_TYPED`` for a typed one, else
    its label at a value position (``_word``); and what it says of the next segment."""
    if after == _CONTINUES_ID:
        label: str | None = "{:token}"
    else:
        # a version (a bare number or date, see version_here) has no extension: a word
        label = None if after == _VERSION_HERE and version_here(seg, None) else _typed(seg)
    if label is not None:
        return label, _TYPED, _after(seg)
    word, opened = _word(seg)
    return word, opened, _after(seg)


@functools.lru_cache(maxsize=8192)
def _word(seg: str) -> tuple[str, str | None]:
    """A word segment's label, and its label at a value position (None: it stays literal there)."""
    label = escape_segment(seg)
    return label, None if keeps_literal(label) else OPEN + custom_method(label)


def _kind(seg: str) -> str | None:
    """The placeholder kind of a segment that is a parameter on sight: tokens by their alphabet."""
    kind = classify_segment(seg)
    return token_kind(seg) if kind == "token" else kind
