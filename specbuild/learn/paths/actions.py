"""Evidence that a word sibling is an action invoked, not an item: the operations at it. Pure, stdlib only.

An item of a collection is a resource: it is read, replaced, changed or deleted (``GET``/``PUT``/
``PATCH``/``DELETE /users/alice``), and often has resources of its own below it. An action is an
operation called by name: ``POST /recordings/start``, ``POST /runs/log-metric``, answered right there,
with nothing below it. Creating goes to a collection, not to one of its items, so a word only ever
POSTed to, with no path below it, names an operation, whatever the word (a closed vocabulary each API
chooses, not a list anyone can keep). And where a few words each hold the same names, the names that
recur are the values and the words the API's own (``/media/original/{host}``, ``/media/scaled/{host}``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Protocol

from specbuild.learn.paths.evidence import Profile
from specbuild.segments import keeps_literal


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
    out = {word for word in words if posted_only(groups[word])}
    return out if 2 * len(out) >= len(words) else set()


def posted_only(nodes: Sequence[_Node]) -> bool:
    """A word's nodes called, only ever with POST, and nothing below them: an operation's shape."""
    if len(nodes) == 1:  # most words: one node, no generators (~4k asks a render of the mix's 100k)
        node = nodes[0]
        return not node.children and bool(node.keys) and node.methods == {"POST"}
    return (not any(node.children for node in nodes) and any(node.keys for node in nodes)
            and frozenset().union(*(node.methods for node in nodes)) == {"POST"})


def over_names(profiles: Mapping[str, Profile], plural: Callable[[str], bool]) -> set[str]:
    """The words over the same names: ``/files/fetch/{host}/{id}`` beside ``/files/show/{host}/{id}``,
    the hosts ``alpha`` and ``gamma`` under both. Names that hold only ids (no endpoint of their own, not
    a plural collection) recurring under siblings are the values: the siblings above them are the API's
    few words (what is done with a host's files), not one more parameter with the hosts as resources
    (``/files/{fileName}/alpha/{alphaId}``). Two such names shared, or one under words that are no
    endpoint either (``/files/fetch`` is never called; an item, ``/pods/web``, is read itself). A
    resource below each value (``/namespaces/{ns}/pods``) is a collection, or answers itself."""
    # a name answering as an endpoint of its own under any sibling (``GET /policies/b/version``) is a
    # resource of the values, not a host: under the others it was only not called yet
    called = {s[0] for profile in profiles.values() for s in profile if len(s) == 1}
    names = {word: _spaces(profile, plural) - called for word, profile in profiles.items()}
    # a word with anything else right below (an endpoint, a resource: /JSON/News beside /JSON/Games/{season})
    # is a value over the API's own words (a format, a version), not a verb over hosts
    names = {word: spaces if spaces == {s[0] for s in profiles[word] if s and s[0] != "*"} else frozenset()
             for word, spaces in names.items()}
    out = set()
    for word, mine in names.items():
        for other, theirs in names.items():
            bare = () not in profiles[word] and () not in profiles[other]
            if other != word and len(mine & theirs) >= (1 if bare else 2):
                out.add(word)
    return out


def _spaces(profile: Profile, plural: Callable[[str], bool]) -> frozenset[str]:
    """The words right below that hold only ids, with no endpoint of their own."""
    firsts: dict[str, bool] = {}
    for suffix in profile:
        if suffix and suffix[0] != "*":
            firsts[suffix[0]] = firsts.get(suffix[0], True) and len(suffix) >= 2 and suffix[1] == "*"
    return frozenset(label for label, only_ids in firsts.items()
                     if only_ids and not plural(label) and not keeps_literal(label))
