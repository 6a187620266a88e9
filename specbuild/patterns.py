"""A spec's own regular expressions (a schema's ``pattern``), run in linear time: the only importer of re2.

A spec is input, and so are its patterns. Python's ``re`` backtracks: ``^(a+)+$`` against forty
``a`` and a ``!`` takes longer than anyone waits (the time doubles with every character). RE2
(google-re2) matches in time linear in the value, whatever the pattern, so every pattern a spec
gives is compiled here. RE2 has no lookaround and no backreferences: such a pattern is *not
checkable* (:attr:`Pattern.problem` says why) and is never run; the caller reports it.

Both the fast filter (:mod:`specbuild.drift.conformance`) and jsonschema's ``pattern`` keyword
(:mod:`specbuild.io.validate`) read this module, so the two always agree on what matches.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import re2

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # a refused pattern is reported by the caller, not logged to stderr by RE2
# ECMA-262 (JSON Schema's dialect) and Python spell some escapes RE2 does not: \uXXXX, and \Z (Python's
# end of text). A backslash pair is consumed first, so ``\\u0041`` stays a backslash and a "u".
_ESCAPE = re.compile(r"\\(?:\\|u([0-9A-Fa-f]{4})|(Z))")


@dataclass(frozen=True, slots=True)
class Pattern:
    """``search(value)``: the pattern matches somewhere in ``value``; None when it cannot be run in
    linear time or is no regular expression at all, and then ``problem`` says which ("not checked: ...")."""

    source: str
    search: Callable[[str], bool] | None
    problem: str = ""


def _translated(source: str) -> str:
    def one(m: re.Match[str]) -> str:
        if m[1] is not None:
            return rf"\x{{{m[1]}}}"
        return r"\z" if m[2] is not None else m[0]

    return _ESCAPE.sub(one, source)


@lru_cache(maxsize=1024)
def compile_pattern(source: str) -> Pattern:
    """The compiled ``source``, cached: jsonschema asks again for every value it checks."""
    try:
        rx = re2.compile(_translated(source), _OPTIONS)
    except re2.error:
        try:
            re.compile(source)  # only to tell an unsupported feature from a broken pattern; never run
        except re.error as exc:
            return Pattern(source, None, f"not checked: not a regular expression ({exc})")
        return Pattern(source, None, "not checked: lookaround or a backreference, which no linear-time "
                                     "engine runs")
    search = rx.search
    return Pattern(source, lambda value: search(value) is not None)
