"""refs: specs people write ($refs, allOf, readOnly, servers) read as one self-contained schema."""

from __future__ import annotations

from typing import Any

from specbuild.io.validate import BodyValidator
from specbuild.refs import dangling, merge_all_of, resolve, self_contained, server_base_paths

DOC: dict[str, Any] = {
    "components": {
        "schemas": {
            "Id": {"type": "integer", "readOnly": True},
            "User": {
                "type": "object",
                "required": ["id", "name", "password"],
                "properties": {
                    "id": {"$ref": "#/components/schemas/Id"},
                    "name": {"type": "string"},
                    "password": {"type": "string", "writeOnly": True},
                    "friends": {"type": "array", "items": {"$ref": "#/components/schemas/User"}},
                },
            },
            "Loop": {"$ref": "#/components/schemas/Loop"},
        }
    }
}


def test_self_contained_schemas_validate_on_their_own_and_stay_recursive() -> None:
    schema = self_contained({"$ref": "#/components/schemas/User"}, DOC)
    assert schema["$ref"] == "#/$defs/d0" and set(schema["$defs"]) == {"d0", "d1"}
    v = BodyValidator(schema)
    good = {"id": 1, "name": "a", "password": "p", "friends": [{"id": 2, "name": "b", "password": "q"}]}
    assert v.is_valid(good)
    assert not v.is_valid({**good, "friends": [{"id": "x", "name": "b", "password": "q"}]})


def test_direction_drops_what_never_travels_that_way() -> None:
    request = self_contained({"$ref": "#/components/schemas/User"}, DOC, "request")
    response = self_contained({"$ref": "#/components/schemas/User"}, DOC, "response")
    assert request["$defs"]["d0"]["required"] == ["name", "password"]  # id is readOnly (through a $ref)
    assert response["$defs"]["d0"]["required"] == ["id", "name"]  # password is writeOnly


def test_broken_and_looping_refs_read_as_anything() -> None:
    assert resolve(DOC, {"$ref": "#/components/schemas/Nope"}) == {}
    assert resolve(DOC, {"$ref": "#/components/schemas/Loop"}) == {}
    assert self_contained({"$ref": "https://example.com/x.json"}, DOC) == {}


def test_nullable_next_to_a_ref_is_kept() -> None:
    schema = self_contained({"$ref": "#/components/schemas/Id", "nullable": True}, DOC)
    assert BodyValidator(schema).is_valid(None) and BodyValidator(schema).is_valid(3)


def test_all_of_merges_properties_required_and_types() -> None:
    merged = merge_all_of(
        {
            "allOf": [
                {"$ref": "#/components/schemas/User"},
                {"type": "object", "required": ["email"], "properties": {"email": {"type": "string"}}},
            ]
        },
        DOC,
    )
    assert "allOf" not in merged
    assert set(merged["properties"]) == {"id", "name", "password", "friends", "email"}
    assert merged["required"] == ["email", "id", "name", "password"]


def test_all_of_keeps_apart_what_does_not_merge() -> None:
    closed = {"type": "object", "properties": {"a": {}}, "additionalProperties": False}
    merged = merge_all_of({"allOf": [closed, {"properties": {"b": {}}}]}, DOC)
    assert merged["allOf"] == [{"properties": {"b": {}}}]  # additionalProperties judges its own branch
    assert merge_all_of({"allOf": [{"type": "string"}, {"type": "integer"}]}, DOC)["allOf"]


def test_server_base_paths() -> None:
    doc = {
        "servers": [
            {"url": "https://x.example.com/api/v1/"},
            {"url": "/v2"},
            {"url": "{scheme}://h/{base}", "variables": {"base": {"default": "b"}}},
        ]
    }
    assert server_base_paths(doc) == ["/api/v1", "/v2", "/b", ""]


def test_properties_named_like_keywords_have_their_refs_inlined() -> None:
    """GitHub's issue-search-result-item has a property called "type" that is a $ref: it was left
    pointing at #/components, and the validator stopped the whole check on it (exit 70)."""
    doc = {"components": {"schemas": {
        "T": {"type": "object", "properties": {"name": {"type": "string"}}},
        "Item": {"type": "object", "properties": {
            "type": {"$ref": "#/components/schemas/T"}, "description": {"$ref": "#/components/schemas/T"},
            "enum": {"items": {"$ref": "#/components/schemas/T"}}}}}}}
    out = self_contained({"$ref": "#/components/schemas/Item"}, doc)
    assert dangling(out) is None
    assert "#/components" not in str(out)
    assert not BodyValidator(out).is_valid({"type": {"name": 1}})
    assert not BodyValidator(out).is_valid({"enum": [{"name": 1}]})


def test_a_ref_that_points_nowhere_is_found() -> None:
    assert dangling({"properties": {"type": {"$ref": "#/components/schemas/T"}}}) == "#/components/schemas/T"
    assert dangling({"example": {"$ref": "#/nowhere"}, "$ref": "#/$defs/d0", "$defs": {"d0": {}}}) is None
