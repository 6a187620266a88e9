"""Path templates as values: a learned ``Template`` with its ``PathParam``s, and a user's ``Hint``.

Also the labels of skeleton keys: ``{:integer}`` (a typed value), ``{:hex}.json`` (a typed value with a
literal extension) and ``{owner}`` / ``{id:integer}`` (a hint's parameter). Pure, stdlib only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

from specbuild.errors import UsageError
from specbuild.segments import classify_segment, escape_segment, split_path


@dataclass(frozen=True, slots=True)
class PathParam:
    """A path parameter: its name and JSON schema (``{"type": "integer"}``, ``format: uuid``...)."""

    name: str
    schema: dict[str, str] = field(hash=False)
    spans: bool = False   # a file path: one or more segments, ``/`` included (learn/paths/filepaths.py)


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
        mine = split_path(self.path)
        theirs = self.aligned(split_path(path))
        if theirs is None:
            return None
        values: dict[str, str] = {}
        for pattern, seg in zip(mine, theirs, strict=True):
            if pattern.startswith("{"):
                end = pattern.index("}")
                suffix = pattern[end + 1:]
                if len(seg) <= len(suffix) or not seg.endswith(suffix):
                    return None
                values[pattern[1:end]] = seg[:len(seg) - len(suffix)]
            elif pattern != escape_segment(seg):
                return None
        return values


    def aligned(self, segments: list[str]) -> list[str] | None:
        """``segments`` (a path's, or a key's labels) one per segment of this template: those of a parameter
        that spans segments joined by ``/``; None when their count cannot fit."""
        spans = [i for i, p in enumerate(self.params) if p.spans]
        mine = split_path(self.path)
        if not spans:
            return segments if len(segments) == len(mine) else None
        if len(segments) < len(mine):
            return None
        at = _nth_param(mine, spans[0])  # the segments before it and its trailer match one to one
        end = len(segments) - (len(mine) - at - 1)
        return [*segments[:at], "/".join(segments[at:end]), *segments[end:]]


def _nth_param(segments: Sequence[str], n: int) -> int:
    """The index of the ``n``-th parameter segment among ``segments``."""
    return [i for i, seg in enumerate(segments) if seg.startswith("{")][n]


_KIND_SCHEMAS: Final[dict[str, dict[str, str]]] = {
    "integer": {"type": "integer", "format": "int64"},  # the widest: see schema.INTEGER
    "uuid": {"type": "string", "format": "uuid"},
    "date": {"type": "string", "format": "date"},
    "date-time": {"type": "string", "format": "date-time"},
    "email": {"type": "string", "format": "email"},
    "ipv4": {"type": "string", "format": "ipv4"},
}


def kind_schema(kinds: Iterable[str]) -> dict[str, str]:
    """The schema of a parameter whose values were of these kinds (one kind keeps its type)."""
    found = set(kinds)
    if len(found) == 1:
        return dict(_KIND_SCHEMAS.get(next(iter(found)), {"type": "string"}))
    return {"type": "string"}


@dataclass(frozen=True, slots=True)
class Refusals:
    """The skeleton keys every answer of which refused the path itself (learn/render.py ``refused``):
    ``paths``, not found, or invalid in the error shape the API answers where it serves; ``malformed``,
    invalid (400, 422) in whatever shape, as the validation layer in front of a handler refuses a value
    of the wrong type (go-swagger's ``silenceID in path must be of type uuid``), every call bare (no
    query, no body: what a call sends may be what was refused)."""

    paths: frozenset[str] = frozenset()
    malformed: frozenset[str] = frozenset()


NO_REFUSALS: Final = Refusals()


# --- hints: user templates ---------------------------------------------------------------------

# ``{name}``, or ``{name}`` and a literal after it: an extension or a custom method (``{reportId}.csv``,
# ``{name}:cancel``), as the templater learns them (``{:hex}.json``)
_HINT_PARAM: Final = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.-]*)\}((?:[.:][A-Za-z0-9_-]+)*)\Z")


@dataclass(frozen=True, slots=True)
class Hint:
    """A user template (``--path-template``): literal segments and ``{name}`` parameters."""

    text: str
    segments: tuple[str, ...]   # literal text, or "{name}"

    @classmethod
    def parse(cls, text: str) -> Hint:
        if not text.startswith("/"):
            raise UsageError(f"path template {text!r} must start with '/'")
        segments = tuple(split_path(text.rstrip("/") or "/"))
        names = []
        for seg in segments:
            if "{" in seg or "}" in seg:
                m = _HINT_PARAM.match(seg)
                if m is None:
                    raise UsageError(f"path template {text!r}: a parameter must be a whole segment like "
                                     "'{name}', or one followed by an extension like '{name}.json'")
                names.append(m.group(1))
        if len(set(names)) != len(names):
            raise UsageError(f"path template {text!r} names a parameter twice")
        return cls(text, segments)

    @property
    def rank(self) -> tuple[int, int, int, str]:
        """More literal segments first, then longer, then longer literals after parameters (``{id}.tar.gz``
        before ``{id}.gz`` before ``{id}``, each of which would take the others' paths too): the most
        specific hint wins, as ``check`` routes (the longest literal first)."""
        literals = sum(not s.startswith("{") for s in self.segments)
        after = sum(len(s) - s.index("}") - 1 for s in self.segments if s.startswith("{"))
        return (-literals, -len(self.segments), -after, self.text)

    def covers(self, labels: Sequence[str]) -> bool:
        """Whether ``labels`` (a key's) start with what :meth:`key_prefix` makes of this hint."""
        if len(labels) < len(self.segments):
            return False
        for pattern, label in zip(self.segments, labels, strict=False):
            if pattern.startswith("{"):
                mine, theirs = hint_label(pattern), hint_label(label)  # a hint's segment is a hint label
                if mine is None or theirs is None or (mine[0], mine[2]) != (theirs[0], theirs[2]):
                    return False
            elif label != escape_segment(pattern):
                return False
        return True

    def key_prefix(self, segs: Sequence[str]) -> list[str] | None:
        """Key labels for the start of ``segs`` when this hint covers it: ``{owner}`` / ``{id:integer}``."""
        if len(segs) < len(self.segments):
            return None
        out = []
        for pattern, seg in zip(self.segments, segs, strict=False):
            if pattern.startswith("{"):
                end = pattern.index("}")
                suffix = pattern[end + 1:]
                if len(seg) <= len(suffix) or not seg.endswith(suffix):
                    return None
                kind = classify_segment(seg[:len(seg) - len(suffix)])
                out.append(pattern if kind is None else f"{pattern[:end]}:{kind}}}{suffix}")
            elif pattern != seg:
                return None
            else:
                out.append(escape_segment(seg))
        return out


def hint_label(label: str) -> tuple[str, str, str] | None:
    """``{owner}`` -> ("owner", "word", ""), ``{id:integer}.csv`` -> ("id", "integer", ".csv"): a hint's
    parameter, its kind and the literal after it; None for other labels."""
    if label.startswith("{") and not label.startswith("{:"):
        end = label.index("}")
        name, _, kind = label[1:end].partition(":")
        return name, kind or "word", label[end + 1:]
    return None


def placeholder_kind(label: str) -> tuple[str, str] | None:
    """``{:integer}`` -> ("integer", ""), ``{:hex}.json`` -> ("hex", ".json"); None for other labels."""
    if not label.startswith("{:"):
        return None
    end = label.index("}")
    return label[2:end], label[end + 1:]
