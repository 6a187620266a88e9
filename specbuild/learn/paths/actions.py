"""Evidence that a word sibling is an action invoked, not an item: the operations at it. Pure, stdlib only.

An item of a collection is a resource: it is read, replaced, changed or deleted (``GET``/``PUT``/
``PATCH``/``DELETE /users/alice``), and often has resources of its own below it. An action is an
operation called by name: ``POST /recordings/start``, ``POST /runs/log-metric``, answered right there,
with nothing below it. Creating goes to a collection, not to one of its items, so a word only ever
POSTed to, with no path below it, names an operation, whatever the word (a closed vocabulary each API
chooses, not a list anyone can keep).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol


class _Node(Protocol):
    @property
    def children(self) -> Mapping[str, object]: ...
    @property
    def keys(self) -> list[str]: ...
    @property
    def methods(self) -> frozenset[str]: ...


def invoked(groups: Mapping[str, Sequence[_Node]], words: Iterable[str]) -> set[str]:
    """The words only ever POSTed to, with no path below them (``/recordings/start``), where they are
    most of the siblings: a position of operations. One such word among names people chose (``POST
    /users/carol`` beside ``GET /users/alice``) is one more name."""
    words = list(words)
    out = set()
    for word in words:
        nodes = groups[word]
        if any(node.children for node in nodes) or not any(node.keys for node in nodes):
            continue
        if frozenset().union(*(node.methods for node in nodes)) == {"POST"}:
            out.add(word)
    return out if 2 * len(out) >= len(words) else set()
