"""report: the same findings and changes as text, a stable JSON document, a PR comment and workflow
annotations; deterministic, escaped, redacted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from specbuild.drift.check import Checker, CheckStats, Example, Finding
from specbuild.drift.diff import diff
from specbuild.drift.ignores import parse
from specbuild.drift.report import FORMATS, SCHEMA_VERSION, CheckReport, DiffReport, render_check, render_diff
from specbuild.io.validate import BodyValidator
from specbuild.records import decode

ROOT = Path(__file__).resolve().parent.parent
DRIFT = ROOT / "fixtures" / "drift"
DIFF = ROOT / "fixtures" / "diff"
SPEC = json.loads((DRIFT / "spec.json").read_text())
CASES = ["response-type-mismatch", "undocumented-client-error", "response-undocumented-property"]


def findings() -> tuple[list[Finding], CheckStats]:
    checker = Checker(SPEC, explain=BodyValidator)
    for case in CASES:
        path = DRIFT / f"{case}.jsonl"
        for number, line in enumerate(path.read_bytes().splitlines(), 1):
            checker.add(decode(line, f"{path.name}:{number}"))
    return checker.findings(), checker.stats


def check_report(fail_on: str = "breaking", **extra: Any) -> CheckReport:
    found, stats = findings()
    return CheckReport(found, stats, "openapi.json", fail_on, {"not-json": 2}, **extra)


def diff_report(fail_on: str = "breaking") -> DiffReport:
    base = json.loads((DIFF / "base.json").read_text())
    head = json.loads((DIFF / "response-enum-value-added.head.json").read_text())
    return DiffReport(diff(base, head), "base.json", "head.json", fail_on)


def test_json_is_a_stable_versioned_document() -> None:
    doc = json.loads(render_check(check_report(), "json"))
    assert doc["version"] == SCHEMA_VERSION and doc["command"] == "check" and doc["spec"] == "openapi.json"
    assert doc["result"] == {"fail_on": "breaking", "failed": True, "exit_code": 1}
    assert doc["summary"] == {
        "exchanges": 5,
        "matched": 5,
        "skipped": {"not-json": 2},
        "bodies_unchecked": 0,
        "findings": 4,
        "breaking": 2,
        "warning": 1,
        "info": 1,
        "ignored": 0,
    }
    first = doc["findings"][0]
    assert set(first) == {"operation", "kind", "severity", "count", "subjects", "more_subjects", "meaning", "example"}
    assert set(first["example"]) == {"request", "status", "location", "pointer", "expected", "seen", "origin"}
    assert [f["severity"] for f in doc["findings"]] == ["breaking", "breaking", "warning", "info"]


def test_every_format_is_deterministic() -> None:
    for fmt in FORMATS:
        assert render_check(check_report(), fmt) == render_check(check_report(), fmt)
        assert render_diff(diff_report(), fmt) == render_diff(diff_report(), fmt)


def test_text_is_plain_unless_colour_is_asked_for() -> None:
    plain = render_check(check_report(), "text")
    assert "\x1b[" not in plain
    assert "breaking  GET /pets/{petId}  response-type-mismatch  (1 exchange)" in plain
    assert "2 skipped (not-json 2)" in plain
    assert plain.rstrip().endswith("Result: FAILED (something at or above --fail-on breaking)")
    assert "\x1b[1;31mbreaking" in render_check(check_report(), "text", color=True)
    assert render_check(check_report("never"), "text").rstrip().endswith("Result: reported only (--fail-on never)")


def test_text_and_markdown_say_how_many_bodies_were_not_checked() -> None:
    # a response over --max-body-bytes: "no findings" alone reads as "checked and fine" (trial26)
    quiet = CheckReport([], CheckStats(3, 3, 2, 1), "openapi.json", "breaking")
    assert render_check(quiet, "text").splitlines()[0] == (
        "specbuild check openapi.json: 3 exchanges, 3 matched an operation; 1 body not checked "
        "(over --max-body-bytes, binary, or not the JSON declared)")
    assert "3 matched an operation); 1 body not checked" in render_check(quiet, "markdown")
    assert "not checked" not in render_check(check_report(), "text") + render_check(check_report(), "markdown")


def test_markdown_is_a_pr_comment_with_one_row_per_finding() -> None:
    md = render_check(check_report(), "markdown")
    lines = md.splitlines()
    assert lines[0] == "## ❌ specbuild check: 2 breaking, 1 warning, 1 info"
    rows = [line for line in lines if line.startswith("| **")]
    assert len(rows) == 4 and rows[0].startswith("| **breaking** | `GET /pets` | `response-type-mismatch` | 1 |")
    assert "<details>" in md
    clean = render_check(CheckReport([], CheckStats(3, 3), "openapi.json", "breaking"), "markdown")
    assert clean.splitlines()[0] == "## ✅ specbuild check: no findings"
    # --fail-on never: the gate passes, yet a PR comment headed ✅ over breaking findings reads as "all clear"
    # (trial25)
    assert render_check(check_report("never"), "markdown").splitlines()[0] == (
        "## ⚠️ specbuild check: 2 breaking, 1 warning, 1 info")


def test_markdown_cells_are_escaped() -> None:
    example = Example("GET /a", 200, "response body", "a|b", "one of `x`", '"x | y"', "t:1")
    finding = Finding("GET /a", "response-enum-violation", "breaking", 1, ("200 a|b",), False, example)
    md = render_check(CheckReport([finding], CheckStats(1, 1), "s.json", "breaking"), "markdown")
    row = next(line for line in md.splitlines() if line.startswith("| **"))
    assert row.count(" | ") == 4  # five cells: no pipe from the data splits a cell
    assert "`a\\|b`" in row and "one of 'x'" not in row


def test_github_annotations_map_severities_and_escape() -> None:
    lines = render_check(check_report(), "github").splitlines()
    kinds = [line.split(" ", 1)[0] for line in lines[:-1]]
    assert kinds == ["::error", "::error", "::warning", "::notice"]
    assert lines[0].startswith("::error file=openapi.json,title=specbuild check%3A response-type-mismatch::GET /pets")
    assert lines[-1].startswith("specbuild check: 4 findings: 2 breaking, 1 warning, 1 info;")
    example = Example("GET /a", 200, "response body", "x", "50%\nmore", "y", "t:1")
    finding = Finding("GET /a", "response-enum-violation", "breaking", 1, ("x",), False, example)
    [line, _] = render_check(CheckReport([finding], CheckStats(1, 1), "a,b:c.json", "breaking"), "github").splitlines()
    assert line.startswith("::error file=a%2Cb%3Ac.json,") and "50%25%0Amore" in line


def test_ignored_findings_and_unused_rules_are_reported_apart() -> None:
    rules = parse(
        "GET /pets response-type-mismatch  # known (API-7)\nGET /x undocumented-path  # stale\n",
        "drift.ignore",
        {"response-type-mismatch", "undocumented-path"},
    )
    found, stats = findings()
    report = CheckReport(
        found[1:], stats, "openapi.json", "breaking", ignored=[(found[0], rules[0])], unused_rules=[rules[1]]
    )
    doc = json.loads(render_check(report, "json"))
    assert doc["ignored"] == [
        {
            "operation": "GET /pets",
            "kind": "response-type-mismatch",
            "severity": "breaking",
            "count": 1,
            "rule": "drift.ignore:1",
            "reason": "known (API-7)",
        }
    ]
    assert doc["unused_ignore_rules"] == ["drift.ignore:2"]
    assert "note: ignore rule drift.ignore:2 matched nothing" in render_check(report, "text")
    assert "known (API-7)" in render_check(report, "markdown")


def test_diff_reports() -> None:
    report = diff_report()
    doc = json.loads(render_diff(report, "json"))
    assert doc["command"] == "diff" and doc["version"] == SCHEMA_VERSION
    assert doc["summary"] == {"changes": 5, "breaking": 0, "warning": 3, "info": 2, "ignored": 0}
    assert doc["result"]["exit_code"] == 0 and diff_report("warning").exit_code == 1
    assert set(doc["changes"][0]) == {"operation", "kind", "severity", "where", "pointer", "detail", "meaning"}
    text = render_diff(report, "text")
    assert "warning   GET /users  response-enum-value-added" in text
    assert 'response 200 application/json: [].role (added: "guest")' in text
    assert render_diff(report, "markdown").splitlines()[0] == "## ✅ specbuild diff: 3 warning, 2 info"
    assert render_diff(report, "github").splitlines()[0].startswith("::warning file=head.json,")


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_secret_reaches_any_format(fmt: str) -> None:
    line = json.dumps(
        {
            "request": {
                "method": "get",
                "path": "/v1/pets/1?token=tok-31337",
                "headers": {"authorization": "Bearer tok-31337", "x-debug": "sess-4242"},
            },
            "response": {
                "statusCode": 200,
                "headers": {"content-type": "application/json"},
                "body": json.dumps(
                    {"id": 1, "name": "Rex", "status": "sold", "apiKey": "sess-4242", "note": "Bearer tok-31337"}
                ),
            },
        }
    )
    checker = Checker(SPEC, explain=BodyValidator)
    checker.add(decode(line, "t:1"))
    out = render_check(CheckReport(checker.findings(), checker.stats, "openapi.json", "info"), fmt)
    assert "tok-31337" not in out and "sess-4242" not in out
    assert "undocumented-header" in out and "undocumented-query-parameter" in out
