"""conformance: the compiled filter never accepts what jsonschema rejects, and lists exactly the
properties a plain walk over the schema calls undocumented."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specbuild.drift.conformance import FORMATS, Conformance
from specbuild.io.validate import BodyValidator
from specbuild.refs import lookup, merge_all_of, self_contained

DOC: dict[str, Any] = {
    "components": {
        "schemas": {
            "Node": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string"},
                    "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
                },
            },
            "Base": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer", "minimum": 1}}},
            "Tagged": {
                "allOf": [
                    {"$ref": "#/components/schemas/Base"},
                    {
                        "type": "object",
                        "properties": {"tags": {"type": "array", "uniqueItems": True, "items": {"type": "string"}}},
                    },
                ]
            },
        }
    }
}

SCHEMAS: list[tuple[str, dict[str, Any]]] = [
    (
        "3.0",
        {
            "type": "object",
            "required": ["a"],
            "properties": {
                "a": {"type": "integer", "maximum": 10, "exclusiveMaximum": True},
                "b": {"type": "string", "nullable": True, "enum": ["x", "y"]},
                "c": {"type": "number", "minimum": -1.5},
                "id": {"type": "string", "format": "uuid"},
            },
        },
    ),
    (
        "3.0",
        {
            "type": "array",
            "minItems": 1,
            "maxItems": 3,
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "minLength": 1, "maxLength": 3, "pattern": "^[a-c]"},
                    "x": {"type": "boolean"},
                },
            },
        },
    ),
    ("3.0", {"type": "object", "additionalProperties": {"type": "integer"}}),
    ("3.0", {"type": "object", "properties": {"a": {}}, "additionalProperties": False}),
    ("3.0", {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": True}),
    (
        "3.0",
        {
            "oneOf": [
                {"type": "string"},
                {"type": "integer"},
                {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}},
            ]
        },
    ),
    (
        "3.0",
        {
            "oneOf": [
                {"type": "object", "required": ["a"], "properties": {"a": {"type": "integer"}}},
                {"type": "object", "required": ["b"], "properties": {"b": {"type": "integer"}}},
            ]
        },
    ),
    (
        "3.0",
        {
            "anyOf": [{"type": "string", "format": "date-time"}, {"type": "array", "items": {"type": "integer"}}],
            "nullable": True,
        },
    ),
    ("3.0", {"$ref": "#/components/schemas/Node"}),
    ("3.0", {"$ref": "#/components/schemas/Tagged"}),
    (
        "3.0",
        {
            "type": "object",
            "properties": {
                "n": {"$ref": "#/components/schemas/Base", "nullable": True},
                "d": {"type": "string", "format": "date"},
                "t": {"type": "string", "format": "time"},
                "e": {"type": "string", "format": "email"},
                "ip": {"type": "string", "format": "ipv4"},
                "ip6": {"type": "string", "format": "ipv6"},
                "k": {"type": "integer", "enum": [1, 2]},
                "const": {"enum": [True]},
            },
        },
    ),
    (
        "3.1",
        {
            "type": ["object", "null"],
            "properties": {
                "a": {"type": ["integer", "null"]},
                "b": {"const": "x"},
                "c": {"type": "number", "exclusiveMinimum": 0},
            },
        },
    ),
    ("3.0", {"type": "object", "properties": {"m": {"type": "integer", "multipleOf": 2}}}),  # slow-checked
]

STRINGS = [
    "x",
    "y",
    "a",
    "abc",
    "",
    "2020-02-29T10:00:00Z",
    "2021-02-29T10:00:00Z",
    "2020-13-01T00:00:00Z",
    "2024-03-04",
    "10:00:00Z",
    "25:00:00Z",
    "a@b",
    "nope",
    "127.0.0.1",
    "::1",
    "fe80::1%eth0",
    "0f8e2a61-7c4b-4d2e-9a55-1b3c9d7e6f10",
    "0f8e2a617c4b4d2e9a551b3c9d7e6f10",
    "bcd",
]
KEYS = ["a", "b", "c", "id", "name", "children", "tags", "x", "n", "d", "t", "e", "ip", "ip6", "k", "const", "m"]
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-3, 12)
    | st.sampled_from([1.0, 2.5, -1.5, 10.0, 0.0])
    | st.sampled_from(STRINGS)
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=4),
    max_leaves=12,
)


def compiled(openapi: str, schema: dict[str, Any]) -> tuple[dict[str, Any], Conformance, BodyValidator]:
    contained = self_contained(schema, DOC)
    return contained, Conformance(contained, openapi), BodyValidator(contained, openapi)


CASES = [compiled(openapi, schema) for openapi, schema in SCHEMAS]


def walk(root: dict[str, Any], openapi: str, schema: Any, v: Any, where: str, out: list[str]) -> None:
    """The oracle: the plain reading of 'undocumented' (see conformance's module doc)."""
    for _ in range(16):
        if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            schema = lookup(root, schema["$ref"])
    if not isinstance(schema, dict):
        return
    if "allOf" in schema:
        schema = merge_all_of(schema, root)
    props, ap = schema.get("properties"), schema.get("additionalProperties")
    if isinstance(v, dict):
        for key, x in v.items():
            here = f"{where}.{key}" if where else key
            sub = props.get(key) if isinstance(props, dict) else None
            if sub is None and isinstance(props, dict) and ap is None and "allOf" not in schema:
                out.append(here)
            elif sub is not None or isinstance(ap, dict):
                walk(root, openapi, sub if sub is not None else ap, x, here, out)
    elif isinstance(v, list) and isinstance(schema.get("items"), dict):
        for i, x in enumerate(v):
            walk(root, openapi, schema["items"], x, f"{where}[{i}]", out)
    for key in ("anyOf", "oneOf"):
        if isinstance(schema.get(key), list):
            best: tuple[int, int, list[str]] | None = None
            for branch in schema[key]:
                found: list[str] = []
                walk(root, openapi, branch, v, where, found)
                target = branch
                while isinstance(target, dict) and isinstance(target.get("$ref"), str):
                    target = lookup(root, target["$ref"])
                declared = Conformance(target, openapi) if isinstance(target, dict) and "type" in target else None
                admits = declared is None or _admits(target, v, openapi)
                rank = (0 if admits else 1, len(found))
                if best is None or rank < best[:2]:
                    best = (*rank, found)
            if best is not None:
                out.extend(best[2])
    for branch in schema.get("allOf") or ():
        walk(root, openapi, branch, v, where, out)


def _admits(schema: dict[str, Any], v: Any, openapi: str) -> bool:
    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    if openapi == "3.0" and schema.get("nullable") is True and isinstance(schema["type"], str):
        types = [*types, "null"]
    py = {
        "string": str,
        "integer": int,
        "number": (int, float),
        "boolean": bool,
        "null": type(None),
        "object": dict,
        "array": list,
    }
    return any(type(v) is py[t] if not isinstance(py[t], tuple) else type(v) in py[t] for t in types)


@pytest.mark.parametrize("index", range(len(SCHEMAS)))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=VALUES)
def test_the_filter_never_accepts_what_jsonschema_rejects(index: int, value: Any) -> None:
    _, conformance, validator = CASES[index]
    if conformance.ok(value):
        assert validator.is_valid(value)
        assert conformance.valid(value) and conformance.undocumented(value) == []
    if conformance.valid(value):
        assert validator.is_valid(value)


@pytest.mark.parametrize("index", range(len(SCHEMAS)))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=VALUES)
def test_undocumented_properties_are_the_ones_a_plain_walk_finds(index: int, value: Any) -> None:
    root, conformance, _ = CASES[index]
    expected: list[str] = []
    walk(root, SCHEMAS[index][0], root, value, "", expected)
    assert sorted(conformance.undocumented(value, limit=10_000)) == sorted(expected)


def test_common_documented_values_take_the_fast_path() -> None:
    _, conformance, validator = CASES[0]
    value = {"a": 9, "b": None, "c": 0, "id": "0f8e2a61-7c4b-4d2e-9a55-1b3c9d7e6f10"}
    assert conformance.ok(value) and validator.is_valid(value)
    assert not conformance.ok({**value, "a": 10})  # exclusiveMaximum
    assert not conformance.ok({**value, "z": 1}) and conformance.valid({**value, "z": 1})
    assert conformance.undocumented({**value, "z": 1}) == ["z"]
    _, tree, _ = CASES[8]
    deep = {"name": "a", "children": [{"name": "b", "children": [{"name": "c", "extra": 1}]}]}
    assert not tree.ok(deep) and tree.valid(deep)
    assert tree.undocumented(deep) == ["children[0].children[0].extra"]


def test_true_is_not_one_and_one_point_zero_is_left_to_jsonschema() -> None:
    _, conformance, validator = CASES[10]
    assert not conformance.ok({"k": True}) and not validator.is_valid({"k": True})
    assert conformance.ok({"k": 1})
    assert not conformance.ok({"k": 1.0}) and validator.is_valid({"k": 1.0})  # slow path, still correct


def test_deeply_nested_schemas_compile() -> None:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(40):
        schema = {"type": "object", "properties": {"x": schema}}
    value: Any = "leaf"
    for _ in range(40):
        value = {"x": value}
    c = Conformance(schema)
    assert c.ok(value) and not c.ok({"x": {"x": 1}})


FORMAT_SAMPLES = [
    *STRINGS,
    "2020-02-30T00:00:00Z",
    "2000-02-29T23:59:60.5+01:00",
    "1900-02-29T00:00:00Z",
    "2020-01-01t00:00:00z",
    "2020-01-01 00:00:00Z",
    "2020-1-01",
    "00:00:00+24:00",
    "0F8E2A61-7C4B-4D2E-9A55-1B3C9D7E6F10",
    "{0f8e2a61-7c4b-4d2e-9a55-1b3c9d7e6f10}",
    "256.0.0.1",
    "1.2.3",
    "::ffff:1.2.3.4",
    "@",
    "2024-02-29",
]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@settings(max_examples=200, deadline=None)
@given(text=st.sampled_from(FORMAT_SAMPLES) | st.text(alphabet="0123456789-:TZ.+@af", max_size=26))
def test_format_checks_accept_only_what_jsonschema_accepts(fmt: str, text: str) -> None:
    if FORMATS[fmt](text):
        assert BodyValidator({"type": "string", "format": fmt}).is_valid(text), (fmt, text)


@pytest.mark.parametrize(
    ("fmt", "good", "bad"),
    [
        ("date-time", "2020-02-29T10:00:00.123Z", "2021-02-29T10:00:00Z"),
        ("date", "2024-02-29", "2023-02-29"),
        ("time", "23:59:59+01:00", "24:00:00Z"),
        ("uuid", "0f8e2a61-7c4b-4d2e-9a55-1b3c9d7e6f10", "0f8e2a617c4b4d2e9a551b3c9d7e6f10"),
        ("ipv4", "10.0.0.1", "10.0.0.256"),
    ],
)
def test_formats(fmt: str, good: str, bad: str) -> None:
    assert FORMATS[fmt](good) and not FORMATS[fmt](bad)


def test_a_spec_pattern_runs_in_linear_time_in_both_checkers() -> None:
    schema = {"type": "string", "pattern": "^(a+)+$"}
    fast, exact = Conformance(schema), BodyValidator(schema)
    for value, fits in (("a" * 40 + "!", False), ("a" * 40, True), ("\u00e9", False)):
        assert fast.ok(value) is fits and exact.is_valid(value) is fits
    # ECMA's \uXXXX (re2 spells it \x{XXXX}); a doubled backslash stays a backslash
    assert Conformance({"type": "string", "pattern": "^\\u00e9$"}).ok("\u00e9")
    assert BodyValidator({"type": "string", "pattern": "^\\\\u$"}).is_valid("\\u")
