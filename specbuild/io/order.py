"""The conventional key order of an OpenAPI document: ``openapi, info, servers, tags, paths, components``.

People read a spec top down (Swagger UI, Redoc, a pull request's ``openapi.yaml``), so the keys of each
object come in the order everyone writes them: ``summary, operationId, tags, parameters, requestBody,
responses`` in an operation, ``name, in, required, schema`` in a parameter, ``type, format, ...`` in a
schema. Keys a kind does not list (``x-`` extensions) follow, sorted, and so do the names of maps (paths,
status codes, media types, property names) and every key of plain data (examples, enums, defaults): a
fixed order is as deterministic as an alphabetical one. Lists keep their order (the renderer sorts them).
"""

from __future__ import annotations

from typing import Any, Final

from specbuild.http import OPERATION_METHODS

# kind -> (its keys in order, the kind of each key's value); a kind named "map:X" is a map of names to X;
# a value whose key no kind lists is data. A list takes the kind of its elements.
_KINDS: Final[dict[str, tuple[tuple[str, ...], dict[str, str]]]] = {
    "document": (("openapi", "info", "jsonSchemaDialect", "servers", "security", "tags", "paths", "webhooks",
                  "components", "externalDocs"),
                 {"info": "info", "servers": "server", "tags": "tag", "paths": "map:pathItem",
                  "webhooks": "map:pathItem", "components": "components", "externalDocs": "externalDocs"}),
    "info": (("title", "summary", "description", "termsOfService", "contact", "license", "version"),
             {"contact": "contact", "license": "license"}),
    "contact": (("name", "url", "email"), {}),
    "license": (("name", "identifier", "url"), {}),
    "server": (("url", "description", "variables"), {"variables": "map:serverVariable"}),
    "serverVariable": (("enum", "default", "description"), {}),
    "tag": (("name", "description", "externalDocs"), {"externalDocs": "externalDocs"}),
    "externalDocs": (("description", "url"), {}),
    "pathItem": (("$ref", "summary", "description", "servers", "parameters", *OPERATION_METHODS),
                 {"servers": "server", "parameters": "parameter", **{m: "operation" for m in OPERATION_METHODS}}),
    "operation": (("summary", "description", "operationId", "tags", "deprecated", "parameters", "requestBody",
                   "responses", "callbacks", "security", "servers", "externalDocs"),
                  {"parameters": "parameter", "requestBody": "requestBody", "responses": "map:response",
                   "callbacks": "map:callback", "servers": "server", "externalDocs": "externalDocs"}),
    "callback": ((), {}),  # a map of expressions to path items: see _order
    "parameter": (("$ref", "name", "in", "description", "required", "deprecated", "allowEmptyValue", "style",
                   "explode", "allowReserved", "schema", "example", "examples", "content"),
                  {"schema": "schema", "examples": "map:example", "content": "map:media"}),
    "header": (("$ref", "description", "required", "deprecated", "style", "explode", "schema", "example",
                "examples", "content"),
               {"schema": "schema", "examples": "map:example", "content": "map:media"}),
    "requestBody": (("$ref", "description", "required", "content"), {"content": "map:media"}),
    "response": (("$ref", "description", "headers", "content", "links"),
                 {"headers": "map:header", "content": "map:media"}),
    "media": (("schema", "example", "examples", "encoding"),
              {"schema": "schema", "examples": "map:example", "encoding": "map:encoding"}),
    "encoding": (("contentType", "headers", "style", "explode", "allowReserved"), {"headers": "map:header"}),
    "example": (("$ref", "summary", "description", "value", "externalValue"), {}),
    "schema": (("$ref", "$id", "$schema", "title", "description", "type", "format", "nullable", "const", "enum",
                "default", "minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum", "multipleOf",
                "minLength", "maxLength", "pattern", "contentMediaType", "contentEncoding", "items",
                "prefixItems", "contains", "minItems", "maxItems", "uniqueItems", "properties",
                "patternProperties", "additionalProperties", "propertyNames", "minProperties", "maxProperties",
                "required", "dependentRequired", "allOf", "oneOf", "anyOf", "not", "if", "then", "else",
                "discriminator", "readOnly", "writeOnly", "deprecated", "xml", "externalDocs", "example",
                "examples"),
               {**{k: "schema" for k in ("items", "prefixItems", "contains", "additionalProperties",
                                         "propertyNames", "allOf", "oneOf", "anyOf", "not", "if", "then", "else")},
                "properties": "map:schema", "patternProperties": "map:schema", "$defs": "map:schema",
                "definitions": "map:schema", "externalDocs": "externalDocs"}),
    "components": (("schemas", "responses", "parameters", "examples", "requestBodies", "headers",
                    "securitySchemes", "links", "callbacks", "pathItems"),
                   {"schemas": "map:schema", "responses": "map:response", "parameters": "map:parameter",
                    "examples": "map:example", "requestBodies": "map:requestBody", "headers": "map:header",
                    "securitySchemes": "map:securityScheme", "callbacks": "map:callback",
                    "pathItems": "map:pathItem"}),
    "securityScheme": (("$ref", "type", "description", "name", "in", "scheme", "bearerFormat", "flows",
                        "openIdConnectUrl"), {}),
}
_POSITION: Final = {kind: {key: i for i, key in enumerate(keys)} for kind, (keys, _) in _KINDS.items()}


def ordered(doc: Any) -> Any:
    """``doc`` (an OpenAPI document) as new dicts with their keys in the conventional order."""
    return _order(doc, "document")


def child_kind(kind: str, key: str) -> str:
    """The kind of the value at ``key`` of a ``kind`` object (a name of the table, ``map:X``, or "data")."""
    if kind.startswith("map:"):
        return kind[4:]
    if kind == "callback":
        return "pathItem"
    return _KINDS[kind][1].get(key, "data") if kind in _KINDS else "data"


def _order(node: Any, kind: str) -> Any:
    if isinstance(node, list):
        return [_order(item, kind) for item in node]
    if not isinstance(node, dict):
        return node
    if kind.startswith("map:"):
        return {name: _order(node[name], kind[4:]) for name in sorted(node)}
    if kind == "callback":
        return {name: _order(node[name], "pathItem") for name in sorted(node)}
    if kind not in _KINDS:  # plain data
        return {name: _order(node[name], "data") for name in sorted(node)}
    position, children = _POSITION[kind], _KINDS[kind][1]
    last = len(position)
    keys = sorted(node, key=lambda k: (position.get(k, last), k))
    return {key: _order(node[key], children.get(key, "data")) for key in keys}
