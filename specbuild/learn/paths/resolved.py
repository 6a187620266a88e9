"""Resolved trie nodes: what the templater decided at each position (literal children and parameter slots).

:mod:`specbuild.learn.paths.templating` builds them; :mod:`specbuild.learn.paths.filepaths` rewrites the
file paths among them into one parameter; both read them, so they live apart from either.
"""

from __future__ import annotations

from specbuild.learn.paths.evidence import Suffix


class Slot:
    """A parameter position: the node below it and the kinds of the values that landed there."""

    __slots__ = ("hint", "kinds", "names", "node", "spans", "suffix")

    def __init__(self, node: Res, kinds: frozenset[str], hint: str, suffix: str, names: int = 0) -> None:
        self.node = node
        self.kinds = kinds
        self.hint = hint       # the user's name for it, or "" for a learned parameter
        self.suffix = suffix   # a literal extension after the value: ".json"
        self.names = names     # how many words the evidence made values of it (typed ids not counted)
        self.spans = False     # its values are file paths: one or more segments (filepaths.py)


class Res:
    """A resolved trie node: literal children, parameter slots, and which labels went to which slot."""

    __slots__ = ("keys", "literals", "profile", "props", "slots")

    def __init__(self, keys: list[str], props: frozenset[str]) -> None:
        self.keys = keys
        self.props = props
        self.literals: dict[str, Res] = {}
        self.slots: dict[str, Slot] = {}   # "" learned, a hint's name, or an extension like ".json"
        self.profile: dict[Suffix, frozenset[str]] | None = None
