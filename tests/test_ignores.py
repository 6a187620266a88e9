"""ignores: accepted drift, one rule per line, each with a reason; malformed lines name themselves."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from specbuild.drift.ignores import apply, parse
from specbuild.errors import InputError

KNOWN = {"response-undocumented-property", "undocumented-path", "operation-removed"}
TEXT = """\
# accepted drift
GET /users/{userId} response-undocumented-property   # mobile adds it next sprint (API-12)

*    /health  undocumented-path   # health checks are not part of the API
post /orders/* *                  # the orders API is being rewritten
"""


@dataclass(frozen=True)
class Item:
    operation: str
    kind: str


def test_rules_parse_with_their_reasons_and_origins() -> None:
    rules = parse(TEXT, "drift.ignore", KNOWN)
    assert [(r.method, r.path, r.kind, r.origin) for r in rules] == [
        ("GET", "/users/{userId}", "response-undocumented-property", "drift.ignore:2"),
        ("*", "/health", "undocumented-path", "drift.ignore:4"),
        ("POST", "/orders/*", "*", "drift.ignore:5"),
    ]
    assert rules[0].reason == "mobile adds it next sprint (API-12)"


def test_apply_splits_kept_ignored_and_unused() -> None:
    rules = parse(TEXT, "drift.ignore", KNOWN)
    items = [
        Item("GET /users/{userId}", "response-undocumented-property"),
        Item("HEAD /health", "undocumented-path"),
        Item("POST /orders/{id}/items", "operation-removed"),
        Item("GET /users", "response-undocumented-property"),
    ]
    applied = apply(items, rules)
    assert applied.kept == [items[3]]
    assert [(i, r.origin) for i, r in applied.ignored] == [
        (items[0], "drift.ignore:2"),
        (items[1], "drift.ignore:4"),
        (items[2], "drift.ignore:5"),
    ]
    assert applied.unused == []
    assert [r.origin for r in apply(items[3:], rules).unused] == ["drift.ignore:2", "drift.ignore:4", "drift.ignore:5"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("GET /users undocumented-path", "no reason"),
        ("GET /users undocumented-path  #   ", "no reason"),
        ("GET /users  # why", "expected 'METHOD /path kind"),
        ("FETCH /users undocumented-path # why", "not an HTTP method"),
        ("GET users undocumented-path # why", "must start with '/'"),
        ("GET /users undocumented-paths # why", "did you mean 'undocumented-path'"),
    ],
)
def test_malformed_rules_are_errors_that_name_the_line(line: str, message: str) -> None:
    with pytest.raises(InputError) as err:
        parse(f"# first\n{line}\n", "drift.ignore", KNOWN)
    assert "drift.ignore:2" in str(err.value) and message in str(err.value)
    assert err.value.exit_code == 2


def test_a_path_parameter_matches_whatever_its_name() -> None:
    """trial25: README's rule `GET /users/{id} ...` matched nothing against a learned `/users/{userId}`.

    `diff` and `--spec` match paths with parameter names erased; an ignore rule does too, but an undocumented
    path's shape (`{integer}`, `{uuid}`) names a kind of value, and stays exact.
    """
    rules = parse("GET /users/{id}/keys/{n} response-undocumented-property  # v2 fields\n"
                  "GET /widgets/{integer} undocumented-path  # demo widgets\n", "drift.ignore", KNOWN)
    items = [
        Item("GET /users/{userId}/keys/{keyId}", "response-undocumented-property"),
        Item("GET /users/{userId}/keys", "response-undocumented-property"),
        Item("GET /widgets/{uuid}", "undocumented-path"),
    ]
    applied = apply(items, rules)
    assert [i for i, _ in applied.ignored] == [items[0]]
    assert applied.kept == items[1:]
    # nor does a rule written with a shape, for undocumented paths, silence a documented operation (review28)
    shaped = parse("GET /widgets/{integer} *  # demo widgets\n", "drift.ignore", KNOWN)
    documented = Item("GET /widgets/{widgetId}", "response-property-removed")
    assert apply([documented], shaped).kept == [documented]
