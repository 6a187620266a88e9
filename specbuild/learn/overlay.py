"""Merge a learned document into an existing one (``--spec FILE``); pure.

What a person wrote wins: info, servers, summaries, descriptions, operationIds, tags, parameter names
and any schema they defined. The traffic adds what the person had not written: new paths, methods,
parameters, statuses, media types and object properties. Paths are matched with parameter names
erased, so the learned ``/users/{userId}`` lands on the written ``/users/{id}``.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from specbuild.http import OPERATION_METHODS
from specbuild.learn.components import inline

_PARAM = re.compile(r"\{[^}/]+\}")
DESCRIPTIVE = ("summary", "description", "operationId", "tags", "deprecated", "externalDocs", "title")


def shape_of(path: str) -> str:
    """``/users/{userId}`` and ``/users/{id}`` have the same shape ``/users/{}``."""
    return _PARAM.sub("{}", path.rstrip("/") or "/")


def overlay(base: dict[str, Any], learned: dict[str, Any]) -> dict[str, Any]:
    """``base`` with everything ``learned`` adds; neither input is modified.

    The learned schemas are merged inline (their ``components/schemas`` names mean nothing to ``base``).
    """
    learned = inline(learned)
    out = copy.deepcopy(base)
    out.setdefault("info", learned.get("info", {}))
    if "servers" not in out and "servers" in learned:
        out["servers"] = learned["servers"]
    paths = out.setdefault("paths", {})
    by_shape = {shape_of(p): p for p in paths}
    for path, item in learned.get("paths", {}).items():
        written = by_shape.get(shape_of(path))
        if written is None:
            paths[path] = copy.deepcopy(item)
            by_shape[shape_of(path)] = path
            continue
        renames = dict(zip(_names(path), _names(written), strict=False))
        target = paths[written]
        for method, op in item.items():
            op = _rename_path_params(copy.deepcopy(op), renames)
            if method not in target:
                target[method] = op
            else:
                target[method] = _merge_operation(target[method], op, out)
    _merge_components(out, learned)
    _learned_ids_unique(out, base)
    _merge_tags(out, learned)
    return out


def _operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    paths = doc.get("paths")
    return [(path, method, op) for path, item in sorted(paths.items()) if isinstance(item, dict)
            for method, op in sorted(item.items()) if method in OPERATION_METHODS and isinstance(op, dict)] \
        if isinstance(paths, dict) else []


def _learned_ids_unique(out: dict[str, Any], base: dict[str, Any]) -> None:
    """A learned operationId that a person already gave another operation takes a number (``getUser2``)."""
    written = {(path, method): op.get("operationId") for path, method, op in _operations(base)}
    taken = {oid for oid in written.values() if oid}
    for path, method, op in _operations(out):
        oid = op.get("operationId")
        if not isinstance(oid, str) or written.get((path, method)) == oid:
            continue
        candidate, n = oid, 1
        while candidate in taken:
            n += 1
            candidate = f"{oid}{n}"
        op["operationId"] = candidate
        taken.add(candidate)


def _merge_tags(out: dict[str, Any], learned: dict[str, Any]) -> None:
    """The learned tags an operation uses and the person's list does not name are listed after theirs."""
    written = out.get("tags", [])
    if not isinstance(written, list):
        return  # not a spec's tag list: the validator says so
    listed = {t.get("name") for t in written if isinstance(t, dict)}
    used = {t for _, _, op in _operations(out) for t in op.get("tags", []) if isinstance(t, str)}
    extra = [t for t in learned.get("tags", []) if t["name"] in used and t["name"] not in listed]
    if extra:
        out["tags"] = [*written, *extra]


def _names(path: str) -> list[str]:
    return [m.group(0)[1:-1] for m in _PARAM.finditer(path)]


def _rename_path_params(op: dict[str, Any], renames: dict[str, str]) -> dict[str, Any]:
    for param in op.get("parameters", []):
        if param.get("in") == "path" and param.get("name") in renames:
            param["name"] = renames[param["name"]]
    return op


def _param_key(param: Any, doc: dict[str, Any]) -> tuple[Any, Any]:
    """(in, name) of a written parameter, through its ``$ref`` (GitHub's ``#/components/parameters/all``)."""
    for _ in range(8):  # a chain of refs, never a cycle
        ref = param.get("$ref") if isinstance(param, dict) else None
        if not isinstance(ref, str) or not ref.startswith("#/"):
            break
        param = doc
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            param = param.get(part) if isinstance(param, dict) else None
    return (param.get("in"), param.get("name")) if isinstance(param, dict) else (None, None)


def _merge_operation(written: dict[str, Any], learned: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    out = dict(written)
    have = {_param_key(p, doc) for p in written.get("parameters", [])}
    extra = [p for p in learned.get("parameters", []) if (p["in"], p["name"]) not in have
             and p["in"] != "path"]
    if extra:
        out["parameters"] = [*written.get("parameters", []), *extra]
    if "requestBody" in learned:
        if "requestBody" not in written:
            out["requestBody"] = learned["requestBody"]
        elif "$ref" not in written["requestBody"]:
            out["requestBody"] = _merge_content_holder(written["requestBody"], learned["requestBody"])
    responses = dict(written.get("responses", {}))
    for status, resp in learned.get("responses", {}).items():
        if status not in responses:
            responses[status] = resp
        elif "$ref" not in responses[status]:
            responses[status] = _merge_content_holder(responses[status], resp)
    out["responses"] = responses
    if "security" not in written and "security" in learned:
        out["security"] = learned["security"]
    for key in DESCRIPTIVE:
        if key not in out and key in learned:
            out[key] = learned[key]
    return out


def _merge_content_holder(written: dict[str, Any], learned: dict[str, Any]) -> dict[str, Any]:
    out = dict(written)
    content = dict(written.get("content", {}))
    for media, obj in learned.get("content", {}).items():
        if media not in content:
            content[media] = obj
        elif "schema" in obj and "schema" in content[media]:
            content[media] = {**content[media],
                              "schema": merge_schema(content[media]["schema"], obj["schema"])}
    if content:
        out["content"] = content
    if "headers" in learned:
        out["headers"] = {**learned["headers"], **written.get("headers", {})}
    return out


def merge_schema(written: Any, learned: Any) -> Any:
    """The written schema, plus properties only the traffic shows (never changing what was written)."""
    if not isinstance(written, dict) or not isinstance(learned, dict) or "$ref" in written:
        return written
    if any(k in written for k in ("allOf", "oneOf", "anyOf")):
        return written
    out = dict(written)
    if isinstance(written.get("properties"), dict) and isinstance(learned.get("properties"), dict):
        props = dict(written["properties"])
        for name, sub in learned["properties"].items():
            props[name] = merge_schema(props[name], sub) if name in props else sub
        out["properties"] = props
    elif "properties" in learned and "type" not in written and not written:
        return learned
    if isinstance(written.get("items"), dict) and isinstance(learned.get("items"), dict):
        out["items"] = merge_schema(written["items"], learned["items"])
    return out


def _merge_components(out: dict[str, Any], learned: dict[str, Any]) -> None:
    schemes = learned.get("components", {}).get("securitySchemes", {})
    if not schemes:
        return
    mine = out.setdefault("components", {}).setdefault("securitySchemes", {})
    for name, scheme in schemes.items():
        mine.setdefault(name, scheme)
