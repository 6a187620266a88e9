"""Reading specs people write: local ``$ref``s, ``allOf``, server base paths; pure.

Specs written by specbuild reference only whole shared object schemas; specs written by people are
full of refs. The drift check, the diff and the overlay (learn and drift alike, so it sits below both)
see every spec through these helpers:

- :func:`resolve` follows ``$ref`` chains of non-schema objects (parameters, responses, bodies);
  :func:`follow` does the same for any node, telling a broken chain (None) from an empty object;
- :func:`self_contained` turns a schema with ``$ref``s into one document with ``$defs`` that a
  validator can use on its own (recursive schemas stay recursive), optionally shaped for one direction
  of traffic (OpenAPI: a required ``readOnly`` property is not expected in requests, nor a
  ``writeOnly`` one in responses);
- :func:`merge_all_of` folds ``allOf`` branches into one schema where they agree.

Only local references (``#/...``) are followed; anything else reads as an empty (any-value) schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import unquote

MAX_REF_HOPS: Final = 32
Direction = str  # "request" | "response" | ""


def lookup(doc: Mapping[str, Any], ref: str) -> Any:
    """The node a local JSON reference points to; KeyError when it does not resolve.

    >>> lookup({"components": {"schemas": {"A": {"type": "string"}}}}, "#/components/schemas/A")
    {'type': 'string'}
    """
    if not ref.startswith("#"):
        raise KeyError(ref)
    node: Any = doc
    for raw in ref[2:].split("/") if len(ref) > 2 else []:
        part = unquote(raw).replace("~1", "/").replace("~0", "~")
        try:
            node = node[int(part)] if isinstance(node, list) else node[part]
        except (KeyError, IndexError, ValueError, TypeError):
            raise KeyError(ref) from None
    return node


def resolve(doc: Mapping[str, Any], node: Any) -> dict[str, Any]:
    """``node`` with its ``$ref`` chain followed; ``{}`` when the chain is broken or loops."""
    for _ in range(MAX_REF_HOPS):
        if not isinstance(node, dict):
            return {}
        ref = node.get("$ref")
        if not isinstance(ref, str):
            return node
        try:
            node = lookup(doc, ref)
        except KeyError:
            return {}
    return {}


def follow(doc: Mapping[str, Any], node: Any) -> Any:
    """``node`` with its local ``$ref`` chain followed in ``doc``; None when it is broken, loops or leaves
    the document. Unlike :func:`resolve`, a node that is no object comes back as it is.

    >>> follow({"a": {"$ref": "#/b"}, "b": [1]}, {"$ref": "#/a"})
    [1]
    """
    for _ in range(MAX_REF_HOPS):
        ref = node.get("$ref") if isinstance(node, dict) else None
        if not isinstance(ref, str):
            return node
        try:
            node = lookup(doc, ref)
        except KeyError:
            return None
    return None


def self_contained(schema: Any, doc: Mapping[str, Any], direction: Direction = "") -> dict[str, Any]:
    """``schema`` with every local ``$ref`` pointing into its own ``$defs``.

    ``{"$ref": "#/components/schemas/User"}`` becomes
    ``{"$ref": "#/$defs/d0", "$defs": {"d0": <User, its refs rewritten too>}}``.
    """
    names: dict[str, str] = {}
    defs: dict[str, Any] = {}
    pending: list[str] = []

    def name_of(ref: str) -> str:
        if ref not in names:
            names[ref] = f"d{len(names)}"
            pending.append(ref)
        return names[ref]

    def rewrite(node: Any) -> Any:
        if isinstance(node, list):
            return [rewrite(x) for x in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str):
            if not ref.startswith("#") or not _resolves(doc, ref):
                return {}
            # OpenAPI 3.0 ignores siblings of $ref, except that people write nullable next to it
            out: dict[str, Any] = {"$ref": "#/$defs/" + name_of(ref)}
            if node.get("nullable") is True:
                out = {"anyOf": [out], "nullable": True}
            return out
        if direction:
            node = _for_direction(node, doc, direction)
        return {k: (v if k in _VERBATIM else rewrite_map(v) if k in _SCHEMA_MAPS else rewrite(v))
                for k, v in node.items()}

    def rewrite_map(node: Any) -> Any:
        # names here are a property's (GitHub's issues have one called "type"), never keywords
        if not isinstance(node, dict):
            return rewrite(node)
        return {k: rewrite(v) for k, v in node.items()}

    root: dict[str, Any] = rewrite(schema if isinstance(schema, dict) else {})
    while pending:
        ref = pending.pop()
        defs[names[ref]] = rewrite(lookup(doc, ref))
    if defs:
        if root.get("nullable") is True and not isinstance(root.get("type"), str):
            # a nullable composite becomes anyOf [it, null] when converted to JSON Schema: keep the
            # $defs at the top, out of that wrapper, or its $refs point nowhere
            root = {"allOf": [root]}
        root = dict(root)
        root["$defs"] = dict(sorted(defs.items(), key=lambda kv: int(kv[0][1:])))
    return root


def dangling(schema: Any) -> str | None:
    """The first ``$ref`` of a :func:`self_contained` schema that does not resolve within it, if any.

    None is expected: this guards the validator, which would stop the whole check on such a ref.
    """
    stack: list[Any] = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        ref = node.get("$ref")
        if isinstance(ref, str) and not _resolves(schema, ref):
            return ref
        for key, value in node.items():
            if key in _SCHEMA_MAPS and isinstance(value, dict):
                stack.extend(value.values())
            elif key not in _VERBATIM:
                stack.append(value)
    return None


# Keywords whose values are data, not schemas: never rewrite inside them.
_VERBATIM: Final = frozenset({"enum", "const", "example", "examples", "default", "required", "type",
                              "format", "pattern", "description", "title", "discriminator", "xml",
                              "externalDocs"})
# Keywords whose values map names to schemas: a name there is not a keyword, whatever it reads.
_SCHEMA_MAPS: Final = frozenset({"properties", "patternProperties", "dependentSchemas", "$defs",
                                 "definitions"})


def _resolves(doc: Mapping[str, Any], ref: str) -> bool:
    try:
        lookup(doc, ref)
    except KeyError:
        return False
    return True


def _for_direction(schema: dict[str, Any], doc: Mapping[str, Any], direction: Direction) -> dict[str, Any]:
    """Drop from ``required`` what this direction never carries (readOnly in requests, writeOnly in
    responses): a client sends no ``id`` the server assigns."""
    required = schema.get("required")
    props = schema.get("properties")
    if not isinstance(required, list) or not isinstance(props, dict):
        return schema
    flag = "readOnly" if direction == "request" else "writeOnly"
    keep = [name for name in required if not _flagged(props.get(name), doc, flag)]
    if len(keep) == len(required):
        return schema
    out = dict(schema)
    if keep:
        out["required"] = keep
    else:
        del out["required"]
    return out


def _flagged(prop: Any, doc: Mapping[str, Any], flag: str) -> bool:
    if not isinstance(prop, dict):
        return False
    if prop.get(flag) is True:
        return True
    return isinstance(prop.get("$ref"), str) and resolve(doc, prop).get(flag) is True


def merge_all_of(schema: Any, doc: Mapping[str, Any], depth: int = 0) -> dict[str, Any]:
    """One schema for ``schema`` and its ``allOf`` branches ($refs followed), where they can merge.

    Properties are united (a property defined twice merges recursively), ``required`` lists are
    united, ``type`` is the intersection. Branches that do not merge cleanly (``anyOf`` inside,
    conflicting values) stay behind in a residual ``allOf``.
    """
    node = resolve(doc, schema)
    branches = node.get("allOf")
    if not isinstance(branches, list) or depth > 16:
        return node
    out: dict[str, Any] = {k: v for k, v in node.items() if k != "allOf"}
    rest: list[Any] = []
    for branch in branches:
        part = merge_all_of(branch, doc, depth + 1)
        if not _merge_into(out, part, doc, depth):
            rest.append(branch)
    if rest:
        out["allOf"] = rest
    return out


_MERGEABLE: Final = frozenset({"type", "properties", "required", "description", "title", "nullable",
                               "example", "readOnly", "writeOnly", "deprecated"})


def _merge_into(out: dict[str, Any], part: dict[str, Any], doc: Mapping[str, Any], depth: int) -> bool:
    """Merge ``part`` into ``out`` in place; False (and ``out`` untouched) when it cannot merge."""
    if not (_open(out) or not part.get("properties")) or not (_open(part) or not out.get("properties")):
        return False  # additionalProperties judges only its own branch's properties: keep them apart
    for key, value in part.items():
        if key not in _MERGEABLE and key in out and out[key] != value:
            return False
        if key == "type" and "type" in out and _types(out["type"]) != _types(value):
            common = _types(out["type"]) & _types(value)
            if not common:
                return False
    nullable = _allows_null(out) and _allows_null(part)
    for key, value in part.items():
        if key == "properties" and isinstance(value, dict):
            props = dict(out.get("properties") or {})
            for name, sub in value.items():
                if name in props and props[name] != sub:
                    props[name] = merge_all_of({"allOf": [props[name], sub]}, doc, depth + 1)
                else:
                    props[name] = sub
            out["properties"] = props
        elif key == "required" and isinstance(value, list):
            out["required"] = sorted({*(out.get("required") or []), *value})
        elif key == "type" and "type" in out:
            both = sorted(_types(out["type"]) & _types(value))
            out["type"] = both[0] if len(both) == 1 else both
        elif key == "nullable":
            continue
        elif key not in out:
            out[key] = value
    out.pop("nullable", None)
    if nullable and any(k in out for k in ("type", "anyOf", "oneOf", "allOf")):
        out["nullable"] = True  # every branch lets null through, so the whole does
    return True


def _open(schema: dict[str, Any]) -> bool:
    return schema.get("additionalProperties", True) in (True, {})


def _allows_null(schema: dict[str, Any]) -> bool:
    """Whether null passes the type of this (3.0) schema: no type at all, or nullable."""
    return "type" not in schema or schema.get("nullable") is True or "null" in _types(schema["type"])


def _types(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {t for t in value if isinstance(t, str)}
    return set()


def server_base_paths(doc: Mapping[str, Any]) -> list[str]:
    """The path part of each server URL (variables at their defaults), longest first, ``""`` for none.

    >>> server_base_paths({"servers": [{"url": "https://api.example.com/v1/"}]})
    ['/v1', '']
    """
    out = {server_path(server) for server in doc.get("servers") or []} | {""}
    return sorted(out, key=lambda p: (-len(p), p))


def server_path(server: Any) -> str:
    """The path of one server object's URL, without a trailing slash (``""`` when it has none)."""
    if not isinstance(server, dict) or not isinstance(server.get("url"), str):
        return ""
    url = server["url"]
    for name, var in (server.get("variables") or {}).items():
        default = var.get("default", "") if isinstance(var, dict) else ""
        url = url.replace("{" + str(name) + "}", str(default))
    if "://" in url or url.startswith("//"):
        host_and_path = url.split("//", 1)[1]  # by hand: a variable left in the scheme upsets urlsplit
        path = "/" + host_and_path.split("/", 1)[1] if "/" in host_and_path else ""
    else:
        path = "/" + url.lstrip("/")
    return path.rstrip("/")
