"""The compiled JSON Schema 2020-12 metaschemas of OpenAPI 3.1 (io.metaschema2020): the verdict of jsonschema's
Draft202012Validator, which openapi-spec-validator runs on a 3.1 document (its document schema) and on each of
its schema objects (the OAS 3.1 dialect, through check_openapi_schema), on valid and broken input."""

from __future__ import annotations

import copy
import functools
import random
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from specbuild.io import validate
from specbuild.io.metaschema2020 import MIRRORED, Metaschema2020, Unsupported
from specbuild.io.validate import _validate, spec_problems
from tests.test_validate import random_doc
from tests.test_validate_metaschema import mutated

DRAFT2020 = {k: f"{f.__module__}.{f.__qualname__}" for k, f in Draft202012Validator.VALIDATORS.items()}


def document_schema() -> Any:
    validate.import_validator()
    from openapi_spec_validator.schemas import schema_v31

    return schema_v31


def compiled_document() -> Metaschema2020:
    compiled = validate._compiled_2020(document_schema(), None)
    assert compiled is not None
    return compiled  # type: ignore[no-any-return]


def compiled_dialect() -> Metaschema2020:
    from openapi_schema_validator import OAS31Validator
    from openapi_schema_validator._specifications import REGISTRY

    compiled = validate._compiled_2020(OAS31Validator.META_SCHEMA, OAS31Validator.FORMAT_CHECKER, REGISTRY,
                                       OAS31Validator)
    assert compiled is not None
    return compiled  # type: ignore[no-any-return]


def library_schema_check(schema: Any) -> bool:
    """What openapi-spec-validator asks of a 3.1 schema object: check_openapi_schema, the OAS 3.1 format checker."""
    from openapi_schema_validator import OAS31Validator, oas31_format_checker

    try:
        OAS31Validator.check_schema(schema, format_checker=oas31_format_checker)
    except SchemaError:
        return False
    return True


def draft2020_types() -> dict[str, Any]:
    from jsonschema._types import draft202012_type_checker

    checker = draft202012_type_checker
    return {name: functools.partial(validate._is_type, checker, name) for name in checker._type_checkers}


def rich_doc_31() -> dict[str, Any]:
    """A 3.1 document that reaches most of the OpenAPI 3.1 document schema: webhooks, servers, security,
    callbacks, links, parameter styles, examples, and schema objects of many keywords."""
    pet = {"type": "object", "required": ["id"], "discriminator": {"propertyName": "kind", "mapping": {"a": "#/x"}},
           "xml": {"name": "pet", "wrapped": True}, "externalDocs": {"url": "https://x", "x-e": 1},
           "additionalProperties": {"type": "string"}, "$defs": {"n": {"type": "integer"}},
           "properties": {"id": {"type": "integer", "readOnly": True, "exclusiveMinimum": 0},
                          "kind": {"type": ["string", "null"], "enum": ["a", "b", None], "maxLength": 4,
                                   "pattern": "^[a-z]+$"},
                          "n": {"$ref": "#/components/schemas/Pet/$defs/n"},
                          "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": True, "minItems": 0,
                                   "prefixItems": [{"const": "first"}], "contains": {"type": "string"}}},
           "dependentRequired": {"id": ["kind"]}, "examples": [{"id": 1}], "x-extra": {"anything": [1, 2]}}
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {"title": "t", "version": "1", "summary": "s", "license": {"name": "MIT", "identifier": "MIT"}},
        "servers": [{"url": "https://{host}/v1", "variables": {"host": {"default": "x", "enum": ["x", "y"]}}}],
        "tags": [{"name": "a", "externalDocs": {"url": "https://x"}}],
        "security": [{"key": []}],
        "webhooks": {"hook": {"post": {"requestBody": {"content": {"application/json": {}}},
                                       "responses": {"200": {"description": "ok"}}}}},
        "paths": {"/a/{id}": {
            "parameters": [{"name": "id", "in": "path", "required": True, "style": "simple",
                            "schema": {"type": "integer", "minimum": 1, "multipleOf": 2}}],
            "post": {
                "operationId": "postA", "deprecated": False,
                "parameters": [{"name": "q", "in": "query", "style": "form", "explode": True,
                                "schema": {"type": "object"}},
                               {"name": "j", "in": "query", "content": {"application/json": {"schema": {}}}},
                               {"name": "h", "in": "header", "example": 1, "schema": {"type": "string"}},
                               {"name": "c", "in": "cookie", "examples": {"e": {"value": "x"}},
                                "schema": {"type": "string"}}],
                "requestBody": {"required": True, "content": {"multipart/form-data": {
                    "schema": {"type": "object",
                               "properties": {"f": {"type": "string", "contentMediaType": "image/png"}}},
                    "encoding": {"f": {"contentType": "image/png", "style": "form",
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
                "Pet": pet,
                "Any": {"anyOf": [{"type": "string"}, {"$ref": "#/components/schemas/Pet"}],
                        "not": {"type": "boolean"}, "allOf": [{}], "oneOf": [{"type": "object"}],
                        "if": {"required": ["a"]}, "then": {"minProperties": 1}, "else": {"maxProperties": 3}},
                "Bool": True},
            "responses": {"Error": {"description": "error"}},
            "pathItems": {"p": {"get": {"responses": {"200": {"description": "ok"}}}}},
            "securitySchemes": {"key": {"type": "apiKey", "name": "k", "in": "header"},
                                "oauth": {"type": "oauth2", "flows": {"implicit": {
                                    "authorizationUrl": "https://x", "scopes": {"r": "read"}}}},
                                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                                "mtls": {"type": "mutualTLS"},
                                "oidc": {"type": "openIdConnect", "openIdConnectUrl": "https://x"}}},
        "externalDocs": {"url": "https://x"},
        "x-top": 1,
    }


def test_the_library_metaschemas_are_compiled() -> None:
    """jsonschema's 2020-12 keyword functions are the ones mirrored (another version's: the library walks)."""
    compiled_document()
    compiled_dialect()
    assert {k: DRAFT2020[k] for k in MIRRORED} == MIRRORED


@pytest.mark.parametrize("source", ["rich", "random"])
def test_the_document_verdict_is_the_library_one_on_documents_broken_at_random(source: str) -> None:
    mine, library = compiled_document(), Draft202012Validator(document_schema())
    rng = random.Random(source)
    base = rich_doc_31() if source == "rich" else random_doc(rng, broken=0.0, version="3.1.0")
    assert mine.valid(base) and library.is_valid(base)
    verdicts = []
    for _ in range(200):
        doc = mutated(base, rng)
        verdicts.append(library.is_valid(doc))
        assert mine.valid(doc) == verdicts[-1], doc
    assert 10 <= sum(verdicts) <= 190  # both kinds were met


SCHEMA_EDGES: list[Any] = [
    {"type": "strin"}, {"type": ["string", "null"]}, {"type": []}, {"type": ["a", "a"]}, {"enum": []},
    {"required": ["a", "a"]}, {"minLength": -1}, {"minLength": 1.0}, {"minLength": 1.5}, {"pattern": "^("},
    {"pattern": "a+"}, {"patternProperties": {"^(": {}}}, {"format": 1}, {"$ref": 1}, {"$ref": "#/x"},
    {"$id": "#a"}, {"$id": "http://e/x"}, {"$schema": "x"}, {"$anchor": "1a"}, {"$dynamicRef": "#meta"},
    {"$defs": {"a": 1}}, {"$defs": {"a": {"type": "integer"}}}, {"prefixItems": []}, {"prefixItems": [1]},
    {"dependentRequired": {"a": ["b", "b"]}}, {"dependentSchemas": {"a": 1}}, {"const": None},
    {"discriminator": {}}, {"discriminator": {"propertyName": "a", "other": 1}},
    {"discriminator": {"propertyName": "a", "x-o": 1}}, {"discriminator": {"propertyName": 1}},
    {"xml": {"name": "a", "wrapped": 1}}, {"xml": {"nope": 1}}, {"externalDocs": {"url": "a b"}},
    {"externalDocs": {}}, {"example": {"any": "thing"}}, {"examples": 1}, {"examples": [1]},
    {"description": 1}, {"deprecated": 1}, {"readOnly": "yes"}, {"contentEncoding": 1},
    {"unevaluatedProperties": 1}, {"items": [{}]}, {"items": False}, {"additionalProperties": "no"},
    {"properties": {"a": {"exclusiveMinimum": True}}}, {"allOf": []}, {"anyOf": [{}, 1]}, {"not": []},
    {"if": 1}, {"then": {"type": "x"}}, {"multipleOf": 0}, {"multipleOf": -1}, {"multipleOf": 0.5},
    {"minLength": 0}, {"maxItems": -1}, {"minContains": 0}, True, False, 1, "schema", None, [],
]


def test_each_schema_object_is_judged_as_the_library_checks_it() -> None:
    """Each schema object is checked against the OAS 3.1 dialect (2020-12 and the OAS base vocabulary:
    discriminator, xml, externalDocs with unevaluatedProperties) with the OAS 3.1 format checker."""
    mine = compiled_dialect()
    base = {"schemas": rich_doc_31()["components"]["schemas"], "other": {"type": "string"}}
    rng = random.Random(11)
    verdicts = []
    for edge in SCHEMA_EDGES:
        verdicts.append(library_schema_check(edge))
        assert mine.valid(edge) == verdicts[-1], edge
    for _ in range(150):
        doc = mutated(base, rng)
        schemas = doc.get("schemas", {})
        nested = copy.deepcopy(rng.choice(SCHEMA_EDGES))
        for schema in [*(schemas.values() if isinstance(schemas, dict) else [schemas]), doc.get("other"),
                       {"type": "object", "properties": {"p": nested}}, {"items": nested}, {"anyOf": [nested]}]:
            verdicts.append(library_schema_check(schema))
            assert mine.valid(schema) == verdicts[-1], schema
    assert 20 <= verdicts.count(False) <= len(verdicts) - 20


# the dynamic scope decides what a $dynamicRef means: the 2020-12 spec's tree and strict-tree
TREE = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://example.com/tree",
        "$dynamicAnchor": "node", "type": "object",
        "properties": {"data": True, "children": {"type": "array", "items": {"$dynamicRef": "#node"}}}}
STRICT = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://example.com/strict-tree",
          "$dynamicAnchor": "node", "$ref": "tree", "unevaluatedProperties": False}


def test_a_dynamic_ref_resolves_in_its_dynamic_scope() -> None:
    """A strict tree refers to a tree whose children are ``$dynamicRef: #node``: under the strict tree they
    are strict trees (an unknown key is not allowed), under the tree itself plain trees."""
    from jsonschema._utils import equal, uniq
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    registry = Registry().with_resources([(s["$id"], DRAFT202012.create_resource(s)) for s in (TREE, STRICT)])
    types = draft2020_types()
    instances: list[Any] = [{"children": [{"daat": 1}]}, {"children": [{"data": 1}]}, {"daat": 1},
                            {"children": [{"children": [{"x": 1}]}]}, {"children": [1]}, {"data": 1, "children": []}]
    for root in (TREE, STRICT):
        library = Draft202012Validator(root, registry=registry)
        mine = Metaschema2020(root, library._resolver, DRAFT2020, types, equal, uniq, lambda schema: True)
        assert [mine.valid(x) for x in instances] == [library.is_valid(x) for x in instances]
    strict = Draft202012Validator(STRICT, registry=registry)
    assert [strict.is_valid(x) for x in instances] == [False, True, False, False, False, True]
    # the same tree met under two scopes in one walk: a plain tree and a strict one
    both = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://example.com/both",
            "properties": {"plain": {"$ref": "tree"}, "strict": {"$ref": "strict-tree"}}}
    library = Draft202012Validator(both, registry=registry)
    mine = Metaschema2020(both, library._resolver, DRAFT2020, types, equal, uniq, lambda schema: True)
    pairs = [{"plain": x, "strict": y} for x in instances for y in instances]
    assert [mine.valid(x) for x in pairs] == [library.is_valid(x) for x in pairs]
    assert 0 < sum(library.is_valid(x) for x in pairs) < len(pairs)


UNEVALUATED: list[Any] = [
    {"properties": {"a": {}}, "unevaluatedProperties": False},
    {"allOf": [{"properties": {"a": {"type": "integer"}}}], "unevaluatedProperties": False},
    {"anyOf": [{"properties": {"a": {"type": "integer"}}}, {"patternProperties": {"^b": {}}}],
     "unevaluatedProperties": {"type": "string"}},
    {"oneOf": [{"required": ["a"], "properties": {"a": {}}}, {"required": ["b"], "properties": {"b": {}}}],
     "unevaluatedProperties": False},
    {"if": {"properties": {"a": {"const": 1}}, "required": ["a"]}, "then": {"properties": {"b": {}}},
     "else": {"properties": {"c": {}}}, "unevaluatedProperties": False},
    {"dependentSchemas": {"a": {"properties": {"b": {}}}}, "properties": {"a": {}}, "unevaluatedProperties": False},
    {"$ref": "#/$defs/d", "$defs": {"d": {"properties": {"a": {"type": "string"}}}}, "unevaluatedProperties": False},
    {"additionalProperties": {"type": "integer"}, "unevaluatedProperties": False},
    {"not": {"properties": {"a": {}}, "required": ["a"]}, "minProperties": 1, "maxProperties": 2},
]
VALUES: list[Any] = [None, True, 0, 1, 1.0, 2.5, "", "s", [], [1], [1, 1], {}, {"a": 1}, {"a": "s"}, {"b": 1},
                     {"b": "s"}, {"c": 1}, {"a": 1, "b": 2}, {"a": 2, "c": 1}, {"a": 1, "c": "x"},
                     {"ba": None, "a": 1}, {"x": "s"}, {"a": 1, "b": "s", "c": None}, {"a": 2.5}, {"a": 2.5, "b": 1},
                     {"a": "s", "b": 1}, {"a": 1, "b": "s"}, {"b": 1, "c": "s"}]


@pytest.mark.parametrize("schema", UNEVALUATED)
def test_unevaluated_properties_judges_as_the_library(schema: dict[str, Any]) -> None:
    """Which keys a schema evaluates is the library's find_evaluated_property_keys_by_schema: a ref's target
    whatever its verdict; an allOf, anyOf, oneOf or if branch only when valid; additionalProperties' valid."""
    from jsonschema._utils import equal, uniq

    types = draft2020_types()
    library = Draft202012Validator(schema)
    mine = Metaschema2020(schema, library._resolver, DRAFT2020, types, equal, uniq, lambda s: True)
    assert [mine.valid(v) for v in VALUES] == [library.is_valid(v) for v in VALUES]


def test_what_is_not_mirrored_is_left_to_the_library() -> None:
    library = Draft202012Validator({})
    args = (library._resolver, DRAFT2020, {}, lambda a, b: a == b, lambda x: True, lambda s: True)
    with pytest.raises(Unsupported, match="maxLength"):
        Metaschema2020({"properties": {"a": {"maxLength": 1}}}, *args)
    with pytest.raises(Unsupported, match="ref"):
        Metaschema2020({"$ref": "https://elsewhere.example/x"}, *args)
    with pytest.raises(Unsupported, match="id"):
        Metaschema2020({"properties": {"a": {"$id": "x", "required": []}}}, *args)
    with pytest.raises(Unsupported, match="required"):
        Metaschema2020({"required": []}, library._resolver, {**DRAFT2020, "required": "x.required"}, *args[2:])
    # a ref's target is compiled when an instance first reaches it: no verdict then, and every time after
    schema = {"properties": {"a": {"$ref": "#/$defs/a"}}, "$defs": {"a": {"maxLength": 1}}}
    lazy = Metaschema2020(schema, Draft202012Validator(schema)._resolver, *args[1:])
    assert lazy.valid({"b": 1})
    for _ in range(2):
        with pytest.raises(Unsupported, match="maxLength"):
            lazy.valid({"a": 1})
    assert validate._valid(lazy, {"a": 1}) is False


def schema_errors_doc(schema: Any) -> dict[str, Any]:
    doc = rich_doc_31()
    doc["components"]["schemas"]["Broken"] = schema
    return doc


@pytest.mark.parametrize("doc", [
    rich_doc_31(),
    {**rich_doc_31(), "jsonSchemaDialect": "https://example.com/unknown"},  # each schema: an unknown dialect
    {**rich_doc_31(), "jsonSchemaDialect": 3},
    *(schema_errors_doc(schema) for schema in SCHEMA_EDGES[:12]),
    *(schema_errors_doc({"properties": {"a": schema}}) for schema in SCHEMA_EDGES[12:24]),
])
def test_a_31_document_gets_the_library_verdict(doc: dict[str, Any]) -> None:
    """spec_problems of a 3.1 document (compiled metaschemas, the keyword walk on a DocPath, the library's
    walks when either is not clean) is the plain library's, message and place."""
    assert spec_problems(copy.deepcopy(doc)) == _validate(doc, memo=False)[0]


def test_random_31_documents_get_the_library_verdict() -> None:
    rng = random.Random(31)
    base = rich_doc_31()
    broken = 0
    for i in range(40):
        doc = random_doc(rng, broken=0.7, version="3.1.0") if i % 2 else mutated(base, rng)
        problems = spec_problems(copy.deepcopy(doc))
        assert problems == _validate(doc, memo=False)[0], doc
        broken += bool(problems)
    assert 8 <= broken <= 32
