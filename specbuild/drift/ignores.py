"""Accepted drift: an ignore file, one rule per line, each with its reason; pure.

::

    # specbuild check --ignore drift.ignore
    GET /users/{userId} response-undocumented-property   # mobile adds `nickname` next sprint (API-12)
    *   /health         undocumented-path                # health checks are not part of the API
    POST /orders/*      *                                # the orders API is being rewritten

``METHOD path kind  # reason``: method, path and kind are globs (``*`` and ``?``; the method is
case-insensitive), matched against a finding's operation (``GET /users/{userId}``, or for an
undocumented path its shape, ``GET /widgets/{integer}``) and kind. A path parameter's name is not
compared (``/users/{id}`` is ``/users/{userId}``, as ``diff`` and ``--spec`` match paths), but in an
undocumented path's shape, where the braces name a kind of value, on either side: a rule's
``/widgets/{integer}`` is the shape of an undocumented path, never the documented ``/widgets/{widgetId}``.
The same rules apply to the changes of ``specbuild diff``. A rule without a reason, an unknown kind or a
malformed line is an error that names the line: accepted drift is a decision, and a decision has a reason.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Final, Generic, Protocol, TypeVar

from specbuild.errors import InputError
from specbuild.http import METHODS
from specbuild.segments import SEGMENT_KINDS

_GLOB: Final = frozenset("*?[")
_PARAMETER: Final = re.compile(r"\{[^{}/]*\}")


class Subject(Protocol):
    @property
    def operation(self) -> str: ...

    @property
    def kind(self) -> str: ...


T = TypeVar("T", bound=Subject)


@dataclass(frozen=True, slots=True)
class Rule:
    method: str
    path: str
    kind: str
    reason: str
    origin: str  # "drift.ignore:3"

    def matches(self, item: Subject) -> bool:
        method, _, path = item.operation.partition(" ")
        if not (fnmatchcase(method.upper(), self.method) and fnmatchcase(item.kind, self.kind)):
            return False
        if fnmatchcase(path, self.path):
            return True
        # the spec's parameter names are a learner's guess or a person's choice: a rule written with
        # another (README's `{id}` for a learned `{userId}`) means the same operation
        return item.kind != "undocumented-path" and fnmatchcase(_unnamed(path), _unnamed(self.path, keep=SEGMENT_KINDS))


@dataclass(slots=True)
class Applied(Generic[T]):
    kept: list[T] = field(default_factory=list)
    ignored: list[tuple[T, Rule]] = field(default_factory=list)
    unused: list[Rule] = field(default_factory=list)  # rules that matched nothing: stale, or a typo


def _unnamed(path: str, keep: frozenset[str] = frozenset()) -> str:
    """``path`` with its parameters' names erased, but those in ``keep``: a rule's ``{integer}`` is the shape
    of an undocumented path (``check`` names them so), never any documented parameter (review28)."""
    return _PARAMETER.sub(lambda m: m.group() if m.group()[1:-1] in keep else "{}", path)


def parse(text: str, origin: str, known_kinds: Collection[str]) -> list[Rule]:
    """The rules of an ignore file; InputError (exit 2) naming the line for anything malformed."""
    rules = []
    for number, line in enumerate(text.splitlines(), 1):
        where = f"{origin}:{number}"
        body, hash_, reason = line.partition("#")
        if not body.strip():
            continue  # blank, or a comment
        words = body.split()
        if len(words) != 3:
            raise InputError(f"{where}: expected 'METHOD /path kind  # reason', got {line.strip()!r}")
        method, path, kind = words[0].upper(), words[1], words[2]
        if not hash_ or not reason.strip():
            raise InputError(f"{where}: the rule has no reason; write it after '#' "
                             f"(e.g. '{words[0]} {path} {kind}  # accepted until the v2 release')")
        if method not in METHODS and not _GLOB & set(method):
            raise InputError(f"{where}: {words[0]!r} is not an HTTP method (or '*')")
        if not path.startswith("/") and not _GLOB & set(path[:1]):
            raise InputError(f"{where}: the path {path!r} must start with '/' (or be '*')")
        if kind not in known_kinds and not _GLOB & set(kind):
            close = difflib.get_close_matches(kind, sorted(known_kinds), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise InputError(f"{where}: unknown kind {kind!r}{hint}")
        rules.append(Rule(method, path, kind, reason.strip(), where))
    return rules


def apply(items: Sequence[T], rules: Sequence[Rule]) -> Applied[T]:
    """Split ``items`` into kept and ignored (with the first rule that matched), and list unused rules."""
    out: Applied[T] = Applied()
    used: set[int] = set()
    for item in items:
        for i, rule in enumerate(rules):
            if rule.matches(item):
                out.ignored.append((item, rule))
                used.add(i)
                break
        else:
            out.kept.append(item)
    out.unused = [rule for i, rule in enumerate(rules) if i not in used]
    return out
