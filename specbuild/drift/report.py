"""Reports of ``check`` and ``diff`` as text, JSON, Markdown or GitHub annotations; pure (returns str).

- ``text``: for a terminal or a CI log; ANSI colours only when ``color=True`` (the caller decides:
  a TTY, and no ``NO_COLOR``).
- ``json``: a stable document for tools. Its shape, version 1 (a change of shape bumps ``version``)::

    {"version": 1, "command": "check", "spec": "openapi.json",
     "result": {"fail_on": "breaking", "failed": true, "exit_code": 1},
     "summary": {"exchanges": 5000, "matched": 4990, "skipped": {"not-json": 3}, "bodies_unchecked": 0,
                 "findings": 3, "breaking": 1, "warning": 1, "info": 1, "ignored": 2},
     "findings": [{"operation": "GET /users/{userId}", "kind": "response-type-mismatch",
                   "severity": "breaking", "count": 12, "subjects": ["200 age"], "more_subjects": false,
                   "meaning": "...",
                   "example": {"request": "GET /users/8c1f...", "status": 200, "location": "response body",
                               "pointer": "age", "expected": "integer", "seen": "\\"33\\"",
                               "origin": "rec.jsonl:42"}}],
     "ignored": [{"operation": "...", "kind": "...", "severity": "...", "count": 4,
                  "rule": "drift.ignore:3", "reason": "..."}],
     "unused_ignore_rules": ["drift.ignore:7"]}

    {"version": 1, "command": "diff", "base": "base.json", "head": "head.json", "result": {...},
     "summary": {"changes": 4, "breaking": 1, "warning": 0, "info": 3, "ignored": 0},
     "changes": [{"operation": "GET /users", "kind": "response-property-removed", "severity": "breaking",
                  "where": "response 200 application/json", "pointer": "items[].email", "detail": "",
                  "meaning": "..."}],
     "ignored": [...], "unused_ignore_rules": [...]}

- ``markdown``: a pull-request comment: a headline, one table row per finding, details folded.
- ``github``: workflow commands (``::error title=...::...``), one per finding, shown as annotations on
  the spec file (breaking: error, warning: warning, info: notice).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import orjson

from specbuild.drift.check import CheckStats, Finding
from specbuild.drift.diff import Change
from specbuild.drift.ignores import Rule
from specbuild.drift.kinds import CHANGE_KINDS, exit_code, severity_counts
from specbuild.drift.kinds import TRAFFIC_KINDS as KINDS
from specbuild.errors import plural

FORMATS: Final = ("text", "json", "markdown", "github")
SCHEMA_VERSION: Final = 1
ANNOTATION: Final = {"breaking": "error", "warning": "warning", "info": "notice"}
_COLORS: Final = {"breaking": "\x1b[1;31m", "warning": "\x1b[33m", "info": "\x1b[36m", "dim": "\x1b[2m",
                  "bold": "\x1b[1m", "ok": "\x1b[32m"}
_RESET: Final = "\x1b[0m"


@dataclass(frozen=True, slots=True)
class CheckReport:
    findings: Sequence[Finding]
    stats: CheckStats
    spec: str
    fail_on: str
    skipped: Mapping[str, int] = field(default_factory=dict)
    ignored: Sequence[tuple[Finding, Rule]] = ()
    unused_rules: Sequence[Rule] = ()
    lines: Mapping[str, int] = field(default_factory=dict)  # "GET /users" or "/users" -> its line in the spec

    @property
    def exit_code(self) -> int:
        return exit_code(self.findings, self.fail_on)


@dataclass(frozen=True, slots=True)
class DiffReport:
    changes: Sequence[Change]
    base: str
    head: str
    fail_on: str
    ignored: Sequence[tuple[Change, Rule]] = ()
    unused_rules: Sequence[Rule] = ()
    # GitHub annotations go on this file (default: head), at these lines ("GET /users" or "/users" -> line)
    annotate: str = ""
    lines: Mapping[str, int] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return exit_code(self.changes, self.fail_on)


def render_check(report: CheckReport, fmt: str, *, color: bool = False) -> str:
    return {"text": _check_text, "json": _check_json, "markdown": _check_markdown,
            "github": _check_github}[fmt](report, color)


def render_diff(report: DiffReport, fmt: str, *, color: bool = False) -> str:
    return {"text": _diff_text, "json": _diff_json, "markdown": _diff_markdown,
            "github": _diff_github}[fmt](report, color)


# --- json -------------------------------------------------------------------------------------------

def _result(fail_on: str, code: int) -> dict[str, Any]:
    return {"fail_on": fail_on, "failed": code != 0, "exit_code": code}


def _finding(f: Finding) -> dict[str, Any]:
    e = f.example
    return {"operation": f.operation, "kind": f.kind, "severity": f.severity, "count": f.count,
            "subjects": list(f.subjects), "more_subjects": f.more_subjects,
            "meaning": KINDS[f.kind].meaning,
            "example": {"request": e.request, "status": e.status, "location": e.location,
                        "pointer": e.pointer, "expected": e.expected, "seen": e.seen, "origin": e.origin}}


def _change(c: Change) -> dict[str, Any]:
    return {"operation": c.operation, "kind": c.kind, "severity": c.severity, "where": c.where,
            "pointer": c.pointer, "detail": c.detail, "meaning": CHANGE_KINDS[c.kind].meaning}


def _dumps(doc: Mapping[str, Any]) -> str:
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode() + "\n"


def _check_json(r: CheckReport, color: bool) -> str:
    counts = severity_counts(r.findings)
    return _dumps({
        "version": SCHEMA_VERSION, "command": "check", "spec": r.spec,
        "result": _result(r.fail_on, r.exit_code),
        "summary": {"exchanges": r.stats.exchanges, "matched": r.stats.matched, "skipped": dict(sorted(
                    r.skipped.items())), "bodies_unchecked": r.stats.bodies_unchecked,
                    "findings": len(r.findings), **counts, "ignored": len(r.ignored)},
        "findings": [_finding(f) for f in r.findings],
        "ignored": [{"operation": f.operation, "kind": f.kind, "severity": f.severity, "count": f.count,
                     "rule": rule.origin, "reason": rule.reason} for f, rule in r.ignored],
        "unused_ignore_rules": [rule.origin for rule in r.unused_rules],
    })


def _diff_json(r: DiffReport, color: bool) -> str:
    counts = severity_counts(r.changes)
    return _dumps({
        "version": SCHEMA_VERSION, "command": "diff", "base": r.base, "head": r.head,
        "result": _result(r.fail_on, r.exit_code),
        "summary": {"changes": len(r.changes), **counts, "ignored": len(r.ignored)},
        "changes": [_change(c) for c in r.changes],
        "ignored": [{**_change(c), "rule": rule.origin, "reason": rule.reason} for c, rule in r.ignored],
        "unused_ignore_rules": [rule.origin for rule in r.unused_rules],
    })


# --- text ---------------------------------------------------------------------------------------------

def _paint(text: str, style: str, color: bool) -> str:
    return f"{_COLORS[style]}{text}{_RESET}" if color else text


def _counts(items: Sequence[Any], noun: str) -> str:
    counts = severity_counts(items)
    if not items:
        return f"no {noun}s"
    parts = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    return f"{plural(len(items), noun)}: {parts}"


def _verdict(code: int, fail_on: str, color: bool) -> str:
    if fail_on == "never":
        return "Result: reported only (--fail-on never)"
    if code:
        return _paint(f"Result: FAILED (something at or above --fail-on {fail_on})", "breaking", color)
    return _paint(f"Result: OK (nothing at or above --fail-on {fail_on})", "ok", color)


def _unused(rules: Sequence[Rule]) -> list[str]:
    return [f"note: ignore rule {rule.origin} matched nothing ({rule.method} {rule.path} {rule.kind})"
            for rule in rules]


def _example_line(f: Finding) -> str:
    e = f.example
    place = f"{e.location} {e.pointer}".strip()
    return f"{place}: expected {e.expected}, seen {e.seen}"


def _unchecked(stats: CheckStats) -> str:
    """What the head says of the bodies left unread: a body over --max-body-bytes holds findings no one saw."""
    n = stats.bodies_unchecked
    return "" if not n else f"; {n:,} {'body' if n == 1 else 'bodies'} not checked (over --max-body-bytes, " \
                            "binary, or not the JSON declared)"


def _check_text(r: CheckReport, color: bool) -> str:
    skipped = sum(r.skipped.values())
    head = (f"specbuild check {r.spec}: {plural(r.stats.exchanges, 'exchange')}, {r.stats.matched:,} matched "
            f"an operation")
    if skipped:
        reasons = ", ".join(f"{k} {v:,}" for k, v in sorted(r.skipped.items()))
        head += f", {skipped:,} skipped ({reasons})"
    head += _unchecked(r.stats)
    lines = [head, _counts(r.findings, "finding") + (f" ({len(r.ignored)} ignored)" if r.ignored else ""), ""]
    for f in r.findings:
        label = _paint(f"{f.severity:<8}", f.severity, color)
        lines.append(f"{label}  {_paint(f.operation, 'bold', color)}  {f.kind}  "
                     f"({plural(f.count, 'exchange')})")
        pad = " " * 10
        lines.append(pad + _paint(KINDS[f.kind].meaning, "dim", color))
        if f.subjects and f.subjects != (f.operation,):
            lines.append(pad + "at " + ", ".join(f.subjects) + (", ..." if f.more_subjects else ""))
        lines.append(f"{pad}e.g. {f.example.request} -> {f.example.status}: {_example_line(f)}"
                     + (f"  ({f.example.origin})" if f.example.origin else ""))
        lines.append("")
    lines += _unused(r.unused_rules)
    lines.append(_verdict(r.exit_code, r.fail_on, color))
    return "\n".join(lines) + "\n"


def _diff_text(r: DiffReport, color: bool) -> str:
    lines = [f"specbuild diff {r.base} -> {r.head}: " + _counts(r.changes, "change")
             + (f" ({len(r.ignored)} ignored)" if r.ignored else ""), ""]
    for c in r.changes:
        label = _paint(f"{c.severity:<8}", c.severity, color)
        lines.append(f"{label}  {_paint(c.operation, 'bold', color)}  {c.kind}")
        where = ": ".join(x for x in (c.where, c.pointer) if x)
        detail = " ".join(x for x in (where, f"({c.detail})" if c.detail else "") if x)
        if detail:
            lines.append(" " * 10 + detail)
    if r.changes:
        lines.append("")
    lines += _unused(r.unused_rules)
    lines.append(_verdict(r.exit_code, r.fail_on, color))
    return "\n".join(lines) + "\n"


# --- markdown -----------------------------------------------------------------------------------------

def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("<", "&lt;")


def _code(text: str) -> str:
    return "`" + text.replace("`", "'").replace("|", "\\|").replace("\n", " ") + "`"


def _headline(command: str, items: Sequence[Any], code: int, fail_on: str, noun: str) -> str:
    counts = severity_counts(items)
    # a gate that passes over breaking findings (--fail-on never, warning...) is no all-clear
    mark = "❌" if code else "⚠️" if counts.get("breaking") else "✅"
    what = ", ".join(f"{n} {s}" for s, n in counts.items() if n) or f"no {noun}s"
    return f"## {mark} specbuild {command}: {what}"


def _check_markdown(r: CheckReport, color: bool) -> str:
    out = [_headline("check", r.findings, r.exit_code, r.fail_on, "finding"), "",
           f"{_code(r.spec)} against {plural(r.stats.exchanges, 'recorded exchange')} "
           f"({r.stats.matched:,} matched an operation){_unchecked(r.stats)}. Fails on **{r.fail_on}**.", ""]
    if r.findings:
        out += ["| Severity | Operation | Finding | Exchanges | Example |", "|---|---|---|---|---|"]
        for f in r.findings:
            e = f.example
            place = f"{e.location} {_code(e.pointer)}" if e.pointer else e.location
            example = f"{place}: expected {_cell(e.expected)}, seen {_code(e.seen)}"
            out.append(f"| **{f.severity}** | {_code(f.operation)} | {_code(f.kind)} | {f.count:,} "
                       f"| {example} |")
        out += ["", "<details><summary>What each finding means, where, and one example</summary>", ""]
        for f in r.findings:
            out.append(f"- {_code(f.operation)} {_code(f.kind)}: {_cell(KINDS[f.kind].meaning)}. "
                       f"At {', '.join(_code(s) for s in f.subjects)}{', ...' if f.more_subjects else ''}. "
                       f"E.g. {_code(f.example.request)} -> {f.example.status}"
                       + (f" ({_code(f.example.origin)})" if f.example.origin else ""))
        out += ["", "</details>"]
    if r.ignored:
        out += ["", f"<details><summary>{len(r.ignored)} ignored</summary>", "",
                "| Operation | Finding | Exchanges | Reason |", "|---|---|---|---|"]
        out += [f"| {_code(f.operation)} | {_code(f.kind)} | {f.count:,} | {_cell(rule.reason)} |"
                for f, rule in r.ignored]
        out += ["", "</details>"]
    return "\n".join(out) + "\n"


def _diff_markdown(r: DiffReport, color: bool) -> str:
    out = [_headline("diff", r.changes, r.exit_code, r.fail_on, "change"), "",
           f"{_code(r.base)} -> {_code(r.head)}. Fails on **{r.fail_on}**.", ""]
    if r.changes:
        out += ["| Severity | Operation | Change | Where | Detail |", "|---|---|---|---|---|"]
        for c in r.changes:
            where = _cell(c.where) + (f" {_code(c.pointer)}" if c.pointer else "")
            out.append(f"| **{c.severity}** | {_code(c.operation)} | {_code(c.kind)} | {where} | "
                       f"{_cell(c.detail)} |")
    if r.ignored:
        out += ["", f"<details><summary>{len(r.ignored)} ignored</summary>", "",
                "| Operation | Change | Reason |", "|---|---|---|"]
        out += [f"| {_code(c.operation)} | {_code(c.kind)} | {_cell(rule.reason)} |" for c, rule in r.ignored]
        out += ["", "</details>"]
    return "\n".join(out) + "\n"


# --- github workflow commands ---------------------------------------------------------------------------

def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _annotation(severity: str, file: str, line: int | None, title: str, message: str) -> str:
    props = ",".join(x for x in (f"file={_prop(file)}" if file else "", f"line={line}" if line else "",
                                 f"title={_prop(title)}") if x)
    return f"::{ANNOTATION[severity]} {props}::{_data(message)}"


def _line(lines: Mapping[str, int], operation: str) -> int | None:
    """The operation's line, else its path's (an undocumented method of a documented path)."""
    return lines.get(operation) or lines.get(operation.partition(" ")[2])


def _check_github(r: CheckReport, color: bool) -> str:
    lines = []
    for f in r.findings:
        message = (f"{f.operation}: {KINDS[f.kind].meaning} ({plural(f.count, 'exchange')}). {_example_line(f)}. "
                   f"E.g. {f.example.request} -> {f.example.status}"
                   + (f" ({f.example.origin})" if f.example.origin else ""))
        lines.append(_annotation(f.severity, r.spec, _line(r.lines, f.operation), f"specbuild check: {f.kind}",
                                 message))
    lines.append(f"specbuild check: {_counts(r.findings, 'finding')}; "
                 + _verdict(r.exit_code, r.fail_on, False))
    return "\n".join(lines) + "\n"


def _diff_github(r: DiffReport, color: bool) -> str:
    lines = []
    for c in r.changes:
        where = ": ".join(x for x in (c.where, c.pointer) if x)
        message = f"{c.operation}: {CHANGE_KINDS[c.kind].meaning}" + (f" at {where}" if where else "") \
            + (f" ({c.detail})" if c.detail else "")
        lines.append(_annotation(c.severity, r.annotate or r.head, _line(r.lines, c.operation),
                                 f"specbuild diff: {c.kind}", message))
    lines.append(f"specbuild diff: {_counts(r.changes, 'change')}; "
                 + _verdict(r.exit_code, r.fail_on, False))
    return "\n".join(lines) + "\n"
