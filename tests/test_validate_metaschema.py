"""The compiled OpenAPI 3.0 metaschema (io.metaschema): the verdict of jsonschema's Draft4Validator, which
openapi-spec-validator's metaschema walk runs, on documents valid and broken every way we can think of."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator
from jsonschema._utils import equal, uniq

from specbuild.io import validate
from specbuild.io.metaschema import MIRRORED, Metaschema, Unsupported
from tests.test_validate import random_doc

ROOT = Path(__file__).resolve().parent.parent
DRAFT4 = {k: f"{f.__module__}.{f.__qualname__}" for k, f in Draft4Validator.VALIDATORS.items()}


def library_metaschema() -> dict[str, Any]:
    validate.import_validator()
    from openapi_spec_validator.schemas import schema_v30

    return dict(schema_v30)


def rich_doc() -> dict[str, Any]:
    """A document that reaches most of the OpenAPI 3.0 metaschema: servers, security, callbacks, links..."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1", "contact": {"email": "a@b.c"}, "license": {"name": "MIT"}},
        "servers": [{"url": "https://{host}/v1", "variables": {"host": {"default": "x", "enum": ["x", "y"]}}}],
        "tags": [{"name": "a", "externalDocs": {"url": "https://x"}}],
        "security": [{"key": []}],
        "paths": {"/a/{id}": {
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer",
                            "minimum": 1, "exclusiveMinimum": True, "multipleOf": 2}}],
            "post": {
                "operationId": "postA", "deprecated": False,
                "parameters": [{"name": "q", "in": "query",
                                "content": {"application/json": {"schema": {"type": "object"}}}},
                               {"name": "h", "in": "header", "example": 1, "schema": {"type": "string"}}],
                "requestBody": {"required": True, "content": {"multipart/form-data": {
                    "schema": {"type": "object", "properties": {"f": {"type": "string", "format": "binary"}}},
                    "encoding": {"f": {"contentType": "image/png",
                                       "headers": {"X": {"schema": {"type": "string"}}}}}}}},
                "callbacks": {"cb": {"{$request.body#/url}": {"post": {"responses": {"200": {"description": "ok"}}}}}},
                "responses": {
                    "200": {"description": "ok", "headers": {"X-Rate": {"schema": {"type": "integer"}}},
                            "links": {"self": {"operationId": "postA", "parameters": {"id": "$response.body#/id"}}},
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"},
                                                             "examples": {"e": {"value": {"id": 1}}}}}},
                    "default": {"$ref": "#/components/responses/Error"}}}}},
        "components": {
            "schemas": {
                "Pet": {"type": "object", "required": ["id"], "discriminator": {"propertyName": "kind"},
                        "xml": {"name": "pet"}, "additionalProperties": {"type": "string"},
                        "properties": {"id": {"type": "integer", "readOnly": True}, "kind": {"type": "string",
                                       "enum": ["a", "b"], "nullable": True, "maxLength": 4, "pattern": "^[a-z]+$"},
                                       "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": True,
                                                "minItems": 0}},
                        "x-extra": {"anything": [1, 2]}},
                "Any": {"anyOf": [{"type": "string"}, {"$ref": "#/components/schemas/Pet"}],
                        "not": {"type": "boolean"}, "allOf": [{}], "oneOf": [{"type": "object"}]}},
            "responses": {"Error": {"description": "error"}},
            "securitySchemes": {"key": {"type": "apiKey", "name": "k", "in": "header"},
                                "oauth": {"type": "oauth2", "flows": {"implicit": {
                                    "authorizationUrl": "https://x", "scopes": {"r": "read"}}}},
                                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                                "oidc": {"type": "openIdConnect", "openIdConnectUrl": "https://x"}}},
        "externalDocs": {"url": "https://x"},
        "x-top": 1,
    }


REPLACEMENTS: list[Any] = [None, True, False, 0, 1, -1, 1.0, 1.5, "", "x", "^(", "/p", "x-k", "#/a",
                           [], ["a"], ["a", "a"], [1, True], {}, {"$ref": "#/a"}, {"type": "string"}]
KEYS = ["x-new", "new", "$ref", "type", "description", "required", "in", "style", "nullable", "/new", "200", "1XX",
        "schema", "content", "example", "examples"]


def places(node: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [at]
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for k, v in items:
        found += places(v, (*at, k))
    return found


def mutated(doc: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """``doc`` with one to three random changes: a value replaced, a key added or removed, an item repeated."""
    doc = copy.deepcopy(doc)
    for _ in range(rng.randint(1, 3)):
        at = rng.choice(places(doc)[1:])
        parent = doc
        for k in at[:-1]:
            parent = parent[k]
        node, last = parent[at[-1]], at[-1]
        action = rng.random()
        if action < 0.5:
            parent[last] = copy.deepcopy(rng.choice(REPLACEMENTS))
        elif action < 0.7 and isinstance(parent, dict):
            del parent[last]
        elif isinstance(node, dict):
            node[rng.choice(KEYS)] = copy.deepcopy(rng.choice(REPLACEMENTS))
        elif isinstance(node, list) and node:
            node.append(copy.deepcopy(rng.choice(node)))
    return doc


@pytest.fixture(scope="module")
def compiled() -> tuple[Metaschema, Draft4Validator]:
    meta = library_metaschema()
    return Metaschema(meta, DRAFT4, equal, uniq), Draft4Validator(meta)


def test_the_library_metaschema_is_compiled() -> None:
    """jsonschema's draft-4 keyword functions are the ones mirrored (another version's: the library walks)."""
    validate.import_validator()
    from openapi_spec_validator.schemas import openapi_v30_schema_validator

    walk = openapi_v30_schema_validator
    assert validate._compiled_metaschema(walk.schema, walk.format_checker) is not None
    assert {k: DRAFT4[k] for k in MIRRORED} == MIRRORED


@pytest.mark.parametrize("source", ["rich", "fixtures/users.openapi.json", "fixtures/diff/human.base.json",
                                    "fixtures/diff/learned.base.json"])
def test_the_verdict_is_the_library_one_on_documents_broken_at_random(source: str, compiled: Any) -> None:
    mine, library = compiled
    base = rich_doc() if source == "rich" else json.loads((ROOT / source).read_text())
    assert mine.valid(base) and library.is_valid(base)
    rng = random.Random(source)
    verdicts = []
    for _ in range(150):
        doc = mutated(base, rng)
        verdicts.append(library.is_valid(doc))
        assert mine.valid(doc) == verdicts[-1], json.dumps(doc)[:2000]
    assert 10 <= sum(verdicts) <= 140  # both kinds were met


def test_the_verdict_is_the_library_one_on_random_documents(compiled: Any) -> None:
    mine, library = compiled
    rng = random.Random(7)
    verdicts = []
    for _ in range(60):
        doc = random_doc(rng, broken=0.7)
        verdicts.append(library.is_valid(doc))
        assert mine.valid(doc) == verdicts[-1]
    assert 5 <= sum(verdicts) <= 55


@pytest.mark.parametrize(("change", "value"), [
    (("components", "schemas", "Pet", "properties", "kind", "maxLength"), 1.0),  # draft 4: no integer
    (("components", "schemas", "Pet", "properties", "kind", "enum"), []),
    (("components", "schemas", "Pet", "required"), ["id", "id"]),
    (("components", "schemas", "Pet", "properties", "tags", "minItems"), -1),
    (("paths", "/a/{id}", "post", "parameters", 0, "in"), "path"),  # required: true then
    (("paths", "/a/{id}", "post", "responses", "200", "description"), True),
    (("paths", "/a/{id}", "post", "deprecated"), 1),  # a boolean is not 1
    (("servers", 0, "variables", "host", "enum"), ["x", "x"]),
    (("components", "schemas", "Pet", "properties", "kind", "pattern"), "^("),  # a format: not checked
    (("paths", "/a/{id}", "post", "parameters", 1, "content"), {"application/json": {}}),  # both of a oneOf
    (("paths", "/a/{id}", "post", "parameters", 1, "examples"), {}),  # an example and examples: a not
])
def test_edge_cases_judged_as_the_library(change: tuple[Any, ...], value: Any, compiled: Any) -> None:
    mine, library = compiled
    doc = rich_doc()
    node: Any = doc
    for k in change[:-1]:
        node = node[k]
    node[change[-1]] = value
    assert mine.valid(doc) == library.is_valid(doc)


def test_what_is_not_mirrored_is_left_to_the_library() -> None:
    with pytest.raises(Unsupported, match="maxLength"):
        Metaschema({"properties": {"a": {"maxLength": 1}}}, DRAFT4, equal, uniq)
    with pytest.raises(Unsupported, match="required"):
        Metaschema({"required": ["a"]}, {**DRAFT4, "required": "jsonschema._keywords.required_v5"}, equal, uniq)
    with pytest.raises(Unsupported, match="ref"):
        Metaschema({"$ref": "other.json#/a"}, DRAFT4, equal, uniq)
    with pytest.raises(Unsupported, match="id"):
        Metaschema({"properties": {"a": {"id": "x", "type": "string"}}}, DRAFT4, equal, uniq)
    assert Metaschema({"description": 1, "title": "unknown keywords are not checked"}, DRAFT4, equal, uniq).valid(3)


def test_a_recursive_metaschema_and_its_refs_memo() -> None:
    meta = {"definitions": {"node": {"type": "object", "properties": {"next": {"$ref": "#/definitions/node"}},
                                     "additionalProperties": False}}, "$ref": "#/definitions/node"}
    mine, library = Metaschema(meta, DRAFT4, equal, uniq), Draft4Validator(meta)
    shared = {"next": {}}
    for doc in ({"next": {"next": shared}}, {"next": shared, "x": 1}, {"next": {"next": {"y": shared}}}, 3):
        assert mine.valid(doc) == library.is_valid(doc)


SMALL = [
    {"oneOf": [{"type": "integer"}, {"minimum": 0}]},
    {"anyOf": [{"type": "string"}, {"type": "array", "minItems": 2}]},
    {"not": {"enum": [1, "a", None, [1], {"a": True}]}},
    {"enum": [True, 0.5, {"a": [1]}]},
    {"type": ["integer", "null"], "minimum": 2, "exclusiveMinimum": True},
    {"type": "array", "uniqueItems": True, "items": [{"type": "integer"}, {"type": "boolean"}]},
    {"type": "object", "properties": {"a": {"type": "number"}}, "patternProperties": {"^x-": {"type": "string"},
     "b$": {"type": "null"}}, "additionalProperties": False, "minProperties": 1, "maxProperties": 2},
    {"additionalProperties": {"type": "integer"}, "properties": {"a": {}}, "required": ["a"]},
    {"allOf": [{"pattern": "^a"}, {"pattern": "z$"}], "$ref": "#/definitions/never", "definitions": {"never": {}}},
]
VALUES: list[Any] = [None, True, False, 0, 1, 2, 2.0, 2.5, -1, "", "az", "b", [], [1], [1, True], [1, 1], [True, 2],
                     {}, {"a": 1}, {"a": "s"}, {"x-a": "s"}, {"x-a": 1}, {"ab": None}, {"a": 1, "b": 2, "x-c": "s"},
                     {"a": [1]}, {"a": True}]


@pytest.mark.parametrize("schema", SMALL)
def test_each_keyword_judges_as_the_library(schema: dict[str, Any]) -> None:
    mine, library = Metaschema(schema, DRAFT4, equal, uniq), Draft4Validator(schema)
    assert [mine.valid(v) for v in VALUES] == [library.is_valid(v) for v in VALUES]


def test_the_schema_objects_check_is_the_library_one() -> None:
    """Each schema object is checked against JSON Schema draft 4's metaschema with the OpenAPI 3.0 format
    checker (a pattern must be a regex; exclusiveMaximum needs maximum: dependencies)."""
    from jsonschema.exceptions import SchemaError
    from openapi_schema_validator import OAS30Validator

    assert validate._compiled_metaschema(OAS30Validator.META_SCHEMA, OAS30Validator.FORMAT_CHECKER) is not None
    mine = Metaschema(OAS30Validator.META_SCHEMA, DRAFT4, equal, uniq, OAS30Validator.FORMAT_CHECKER)

    def library(schema: Any) -> bool:
        try:
            OAS30Validator.check_schema(schema)
        except SchemaError:
            return False
        return True

    base = {"schemas": rich_doc()["components"]["schemas"]}
    rng = random.Random(11)
    extra = [{"pattern": "^("}, {"pattern": "a+"}, {"exclusiveMaximum": True}, {"exclusiveMaximum": True, "maximum": 1},
             {"dependencies": {"a": ["b"]}}, {"type": ["string", "null"]}, {"type": []}, {"enum": [1, 1]}]
    verdicts = []
    for _ in range(150):
        doc = mutated(base, rng)
        schemas = doc.get("schemas", {})
        for schema in [*(schemas.values() if isinstance(schemas, dict) else [schemas]), rng.choice(extra)]:
            verdicts.append(library(schema))
            assert mine.valid(schema) == verdicts[-1], schema
    assert 10 <= verdicts.count(False) <= len(verdicts) - 10


def test_the_library_rust_backend_walks_on_its_own() -> None:
    """With jsonschema-rs installed the library's metaschema walk is a wrapper of it (no format_checker):
    no compiled verdict then (it once crashed into a false problem), the wrapper says."""
    from types import SimpleNamespace

    rust = SimpleNamespace(schema_validator=SimpleNamespace(schema=library_metaschema()), schema=rich_doc())
    assert validate._metaschema_clean(rust) is False
