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

The work is split by concept; this module keeps the public API (and ``PathTemplater`` itself, whose
class path old checkpoints name):

- :mod:`specbuild.segments`: which segments are parameters on sight (``classify_segment``).
- :mod:`specbuild.learn.paths.templates`: ``Template``, ``PathParam``, the user's ``Hint``, key labels.
- :mod:`specbuild.learn.paths.evidence`: sibling profiles and how alike they are.
- :mod:`specbuild.learn.paths.templating`: the trie of keys, the resolver, and parameter names (``decide``).

Imports run one way: paths -> templating -> evidence | templates -> segments -> errors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from specbuild.errors import RecordError
from specbuild.learn.paths.templates import Hint, PathParam, Template, kind_schema
from specbuild.learn.paths.templating import decide
from specbuild.segments import (
    EXTENSION,
    classify_segment,
    escape_segment,
    is_version,
    keeps_literal,
    split_path,
    token_kind,
    version_here,
)

# Hint stays importable from here: checkpoints pickled before the split name specbuild.learn.paths.templater.Hint.
__all__ = [
    "CACHE_SIZE",
    "MAX_SEGMENTS",
    "WORD_CAP",
    "Hint",
    "PathParam",
    "PathTemplater",
    "Template",
    "classify_segment",
    "decide",
    "is_version",
    "kind_schema",
]

WORD_CAP: Final = 256          # distinct word values kept per (prefix, position)
# No API nests this deep; a path that does is a hostile or broken record, and every prefix of it would
# be a key of the word sets (memory quadratic in its length).
MAX_SEGMENTS: Final = 256
CACHE_SIZE: Final = 1 << 12    # raw paths remembered by observe(); more costs memory that grows with records


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
        """The skeleton key of a raw path: typed segments as ``{:kind}``, words literal.

        A path of more than MAX_SEGMENTS segments is a RecordError ("too-deep"), before anything is kept.
        """
        key = self._cache.get(path)
        if key is None:
            if path.count("/") > MAX_SEGMENTS:
                raise RecordError("too-deep", f"path has {path.count('/')} segments, more than {MAX_SEGMENTS}")
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
        segs = split_path(path)
        labels: list[str] = []
        for hint in self.hints:
            found = hint.key_prefix(segs)
            if found is not None:
                labels = found
                break
        prefix = "/" + "/".join(labels)
        previous = segs[len(labels) - 1] if labels else None
        for seg in segs[len(labels):]:
            ext = EXTENSION.match(seg) if "." in seg else None
            stem_kind = _kind(ext.group(1)) if ext else None
            kind = None if stem_kind or version_here(seg, previous) else _kind(seg)
            previous = seg
            if kind is not None:
                label = "{:" + kind + "}"
            elif ext and stem_kind:
                label = "{:" + stem_kind + "}" + ext.group(2)
            else:
                label = escape_segment(seg)
                seen = self._words.get(prefix)
                if seen is None:
                    seen = self._words[prefix] = set()
                if label not in seen:
                    if len(seen) >= self.word_cap and not keeps_literal(label):
                        label = "{:word}"
                    else:
                        seen.add(label)
            labels.append(label)
            prefix = prefix + "/" + label if len(prefix) > 1 else "/" + label
        return "/" + "/".join(labels)

    def templates(self, features: Mapping[str, frozenset[str]] | None = None) -> dict[str, Template]:
        """The template of every key observed so far, decided from all the evidence at once."""
        return decide(sorted(self._keys), self.hints, features or {})


def _kind(seg: str) -> str | None:
    """The placeholder kind of a segment that is a parameter on sight: tokens by their alphabet."""
    kind = classify_segment(seg)
    return token_kind(seg) if kind == "token" else kind
