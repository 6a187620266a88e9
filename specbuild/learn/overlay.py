"""Merge a learned document into an existing one (``--spec FILE``); pure.

What a person wrote wins: info, servers, summaries, descriptions, operationIds, tags, parameter names,
``$ref``s and any schema they defined. The traffic adds what the person had not written: new paths,
methods, parameters, statuses, media types and object properties. Paths are matched with parameter names
erased, so the learned ``/users/{userId}`` lands on the written ``/users/{id}``.

What the traffic adds speaks the person's names: a learned object that fits one of their components
(learn/agreement.py says when) is a ``$ref`` to it; one that fits none keeps its learned component,
renamed ``ObservedUser`` where the person already has a ``User`` (theirs is never changed).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from specbuild.extensions import SEEN
from specbuild.http import OPERATION_METHODS
from specbuild.learn.agreement import REF_PREFIX, Fits, schemas_in
from specbuild.learn.components import ref_with, shareable
from specbuild.records import form_name
from specbuild.refs import follow

_PARAM = re.compile(r"\{[^}/]+\}")
DESCRIPTIVE = ("summary", "description", "operationId", "tags", "deprecated", "externalDocs", "title")
# before a learned component's name that one of the person's already has: what the traffic showed
OBSERVED = "Observed"


def shape_of(path: str) -> str:
    """``/users/{userId}`` and ``/users/{id}`` have the same shape ``/users/{}``."""
    return _PARAM.sub("{}", path.rstrip("/") or "/")


def overlay(base: dict[str, Any], learned: dict[str, Any]) -> dict[str, Any]:
    """``base`` with everything ``learned`` adds; neither input is modified."""
    out = copy.deepcopy(base)
    had = (base.get("components") or {}).get("schemas")
    learned, added, adopted = _adopt(learned, out)
    out.setdefault("info", learned.get("info", {}))
    if "servers" not in out and "servers" in learned:
        out["servers"] = learned["servers"]
    paths = out.setdefault("paths", {})
    by_shape = {shape_of(p): p for p in paths}
    for path, item in learned.get("paths", {}).items():
        written = by_shape.get(shape_of(path))
        if written is None:
            paths[path] = _referred(copy.deepcopy(item), adopted.fits)
            by_shape[shape_of(path)] = path
            continue
        renames = dict(zip(_names(path), _names(written), strict=False))
        target = paths[written]
        for method, op in item.items():
            op = _rename_path_params(copy.deepcopy(op), renames)
            if method not in target:
                target[method] = _referred(op, adopted.fits)
            else:
                target[method] = _merge_operation(target[method], op, out, adopted, target.get("parameters"))
    _merge_components(out, learned)
    _drop_unused(out, added)
    if not out["components"]["schemas"] and had is None:  # none written, none added: none written out
        del out["components"]["schemas"]
        if not out["components"] and "components" not in base:
            del out["components"]
    _learned_ids_unique(out, base)
    _merge_tags(out, learned)
    return out


@dataclass(frozen=True, slots=True)
class _Adopted:
    """What merging the traffic into the person's spec reads besides the two documents."""

    fits: Fits  # tells a learned inline object that fits one of the person's components (:func:`_referred`)
    # the learned body of each learned component taken for one of theirs, by their name: what the traffic
    # showed there, which a written inline object merges (:func:`merge_schema`), never their component's own
    own: dict[str, Any]


def _adopt(learned: dict[str, Any], out: dict[str, Any]) -> tuple[dict[str, Any], set[str], _Adopted]:
    """``learned`` speaking the names of ``out`` (the person's spec, a copy): its components that fit one
    of theirs are refs to it, the others join ``out`` (renamed where the name is taken). Returns the
    learned document without its schemas, the names of the components it added to ``out``, and what tells
    the learned inline objects that fit one of theirs (:func:`_referred`, as each joins ``out``)."""
    schemas = (learned.get("components") or {}).get("schemas") or {}
    out_schemas = out.setdefault("components", {}).setdefault("schemas", {})
    theirs = set(out_schemas)
    fits = Fits(learned, out, theirs)
    matched = {name: fits.component(schemas[name], name) for name in sorted(schemas)}
    names: dict[str, str] = {}
    taken = theirs | set(schemas)
    for name, match in matched.items():
        new = match or name
        if match is None and name in theirs:  # one that fits none of theirs, by one of their names
            while new in taken:
                new = OBSERVED + new
            taken.add(new)
        names[name] = new
    doc = _renamed({k: v for k, v in learned.items() if k != "components"}, names)
    if set(learned.get("components") or {}) - {"schemas"}:
        doc["components"] = {k: v for k, v in learned["components"].items() if k != "schemas"}
    added = {names[n]: _renamed(schemas[n], names) for n in sorted(schemas) if names[n] not in theirs}
    out_schemas.update(added)
    inline = Fits(out, out, theirs)  # every learned ref now names a component of ``out``
    for name in added:
        out_schemas[name] = _refer(out_schemas[name], inline, root=True)
    own: dict[str, Any] = {}
    for name, match in matched.items():
        if match is not None:  # several learned ones may be taken for one of theirs: the first, by name
            own.setdefault(match, _renamed(schemas[name], names))
    return doc, set(added), _Adopted(inline, own)


def _referred(node: Any, fits: Fits) -> Any:
    """``node`` (learned: a path item, an operation, a response, a request body) with its bodies' inline
    objects that fit a person's component refs to it, as it joins ``out``. Only then: where the person
    wrote the object inline, the traffic's properties merge into theirs (:func:`merge_schema`), and a ref
    there would bring their component's properties the traffic never showed (Jupyter's session create
    body fits ``Session``, so a spec learned again over itself gained ``id`` and ``notebook``)."""
    for media in schemas_in(node):
        media["schema"] = _refer(media["schema"], fits)
    return node


def _renamed(node: Any, names: dict[str, str]) -> Any:
    """A copy of ``node`` whose refs to learned components name what they became."""
    if isinstance(node, list):
        return [_renamed(v, names) for v in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith(REF_PREFIX) and ref[len(REF_PREFIX):] in names:
        return {**node, "$ref": REF_PREFIX + names[ref[len(REF_PREFIX):]]}
    return {k: _renamed(v, names) for k, v in node.items()}


def _refer(schema: Any, fits: Fits, *, root: bool = False) -> Any:
    """``schema`` with every inline object that fits a person's component a ref to it (outermost first;
    ``root``: a component's own schema, which is no inline object)."""
    if not isinstance(schema, dict) or "$ref" in schema:
        return schema
    if not root and shareable(schema):
        theirs = fits.component(schema)
        if theirs is not None:  # its count stays beside the ref: how often the object was in its parent's
            seen = schema.get(SEEN)
            return ref_with(REF_PREFIX + theirs, seen if type(seen) is int else None)
    out = dict(schema)
    if isinstance(schema.get("properties"), dict):
        out["properties"] = {p: _refer(sub, fits) for p, sub in schema["properties"].items()}
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            out[key] = _refer(schema[key], fits)
    if isinstance(schema.get("anyOf"), list):
        out["anyOf"] = [_refer(b, fits) for b in schema["anyOf"]]
    return out


def _drop_unused(out: dict[str, Any], added: set[str]) -> None:
    """The learned components nothing refers to any more (those of operations the person wrote)."""
    schemas = out["components"]["schemas"]
    used: set[str] = set()
    todo: list[Any] = [{k: v for k, v in out.items() if k != "components"},
                       {k: v for k, v in out.get("components", {}).items() if k != "schemas"},
                       [v for k, v in schemas.items() if k not in added]]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            name = ref[len(REF_PREFIX):] if isinstance(ref, str) and ref.startswith(REF_PREFIX) else None
            if name in added and name not in used:
                used.add(name)
                todo.append(schemas[name])
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    for name in added - used:
        del schemas[name]


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
    param = follow(doc, param)
    return (param.get("in"), param.get("name")) if isinstance(param, dict) else (None, None)


def _merge_operation(written: dict[str, Any], learned: dict[str, Any], doc: dict[str, Any],
                     adopted: _Adopted, shared: list[Any] | None = None) -> dict[str, Any]:
    """``shared``: the parameters the person wrote on the path item, which the operation's inherit."""
    out = dict(written)
    params = [*(shared or []), *written.get("parameters", [])]
    have = {_param_key(p, doc) for p in params}
    # a person's deepObject is theirs, its fields too (``--spec`` over a spec specbuild wrote)
    deep = {pk for p in params if (pk := _param_key(p, doc))[0] == "query"
            and (follow(doc, p) or {}).get("style") == "deepObject"}
    # a person who spelled a query object flat (Strapi's `pagination[page]`) described those names: the
    # learned deepObject `pagination` would describe them twice; its other fields are added as the person
    # spells them, flat (`pagination[pageSize]`)
    spelled = {form_name(name)[0] for where, name in have if where == "query" and isinstance(name, str)}
    extra = []
    for p in learned.get("parameters", []):
        if p["in"] == "path" or (p["in"], p["name"]) in deep:
            continue
        if p.get("style") == "deepObject" and p["name"] in spelled:
            extra += [leaf for leaf in _flat(p, doc) if ("query", leaf["name"]) not in have]
        elif (p["in"], p["name"]) not in have:
            extra.append(p)
    if extra:
        out["parameters"] = [*written.get("parameters", []), *extra]
    if "requestBody" in learned:
        if "requestBody" not in written:
            out["requestBody"] = _referred(learned["requestBody"], adopted.fits)
        elif "$ref" not in written["requestBody"]:
            out["requestBody"] = _merge_content_holder(written["requestBody"], learned["requestBody"], doc, adopted)
    responses = dict(written.get("responses", {}))
    for status, resp in learned.get("responses", {}).items():
        if status.endswith("XX"):  # inferred (learn/statuses.py): a written operation's statuses are theirs
            continue
        if status not in responses:
            responses[status] = _referred(resp, adopted.fits)
        elif "$ref" not in responses[status]:
            responses[status] = _merge_content_holder(responses[status], resp, doc, adopted)
    out["responses"] = responses
    if "security" not in written and "security" in learned:
        out["security"] = learned["security"]
    for key in DESCRIPTIVE:
        if key not in out and key in learned:
            out[key] = learned[key]
    return out


def _flat(param: dict[str, Any], doc: dict[str, Any]) -> list[dict[str, Any]]:
    """A learned deepObject query parameter as the flat parameters a person spells it with: a name per
    field (``pagination[pageSize]``), a list of values ``name[]``, required where the object and every
    object on the way said so. Fields under a map (keys that are data) or in an array of objects have no
    one name: they are left out."""
    out: dict[str, dict[str, Any]] = {}
    stack: list[tuple[str, Any, bool]] = [(param["name"], param.get("schema"), bool(param.get("required")))]
    while stack:
        name, schema, required = stack.pop()
        node = follow(doc, schema)
        if not isinstance(node, dict):
            continue
        if isinstance(node.get("anyOf"), list):
            stack.extend((name, branch, False) for branch in reversed(node["anyOf"]))
        elif isinstance(node.get("properties"), dict):
            needed = node.get("required", [])
            stack.extend((f"{name}[{key}]", sub, required and key in needed)
                         for key, sub in reversed(node["properties"].items()))
        elif node.get("type") == "array":
            items = follow(doc, node.get("items"))
            if isinstance(items, dict) and items.get("type") not in ("object", "array", None):
                out.setdefault(f"{name}[]", {"name": f"{name}[]", "in": "query", "required": required,
                                             "schema": schema, "style": "form", "explode": True})
        elif node.get("type") != "object":
            out.setdefault(name, {"name": name, "in": "query", "required": required, "schema": schema})
    return list(out.values())


def _merge_content_holder(written: dict[str, Any], learned: dict[str, Any], doc: dict[str, Any],
                          adopted: _Adopted) -> dict[str, Any]:
    out = dict(written)
    content = dict(written.get("content", {}))
    for media, obj in learned.get("content", {}).items():
        if media not in content:
            content[media] = _referred({"content": {media: obj}}, adopted.fits)["content"][media]
        elif "schema" in obj and "schema" in content[media]:
            schema = merge_schema(content[media]["schema"], obj["schema"], doc, adopted)
            content[media] = {**content[media], "schema": schema}
            _merge_encoding(content[media], obj.get("encoding"), schema)
    if content:
        out["content"] = content
    if "headers" in learned:
        out["headers"] = {**learned["headers"], **written.get("headers", {})}
    return out


def _merge_encoding(media: dict[str, Any], learned: Any, schema: Any) -> None:
    """The learned ``encoding`` of the form or multipart properties only the traffic added (a file part's
    ``contentType``): the person's entries stand, and a property their schema does not have (a binary
    body they wrote) gets none."""
    props = schema.get("properties") if isinstance(schema, dict) else None
    if not isinstance(learned, dict) or not isinstance(props, dict):
        return
    mine = media.get("encoding")
    written: dict[str, Any] = mine if isinstance(mine, dict) else {}
    added = {name: enc for name, enc in learned.items() if name in props and name not in written}
    if added:
        media["encoding"] = {**written, **added}


def merge_schema(written: Any, learned: Any, doc: dict[str, Any] | None = None,
                 adopted: _Adopted | None = None) -> Any:
    """The written schema, plus properties only the traffic shows (never changing what was written).

    ``doc`` is where the learned schema's refs point (the merged document): a person's inline object
    takes the properties of the learned component it meets; the person's own refs are theirs, left as
    written. ``adopted``: what the traffic adds (a property, a whole schema) refers to the person's
    component it fits (:func:`_referred`), and a learned ref to one of their components stands for
    what the traffic showed there (``_Adopted.own``), not for all they wrote in it."""
    if not isinstance(written, dict) or not isinstance(learned, dict) or "$ref" in written:
        return written
    if any(k in written for k in ("allOf", "oneOf", "anyOf")):
        return written
    body = _learned_body(learned, doc, adopted)
    if not isinstance(body, dict):
        return written
    out = dict(written)
    if isinstance(written.get("properties"), dict) and isinstance(body.get("properties"), dict):
        props = dict(written["properties"])
        for name, sub in body["properties"].items():
            props[name] = merge_schema(props[name], sub, doc, adopted) if name in props else _refer_if(sub, adopted)
        out["properties"] = props
    elif "properties" in body and not written:
        return _refer_if(learned, adopted)
    if isinstance(written.get("items"), dict) and isinstance(body.get("items"), dict):
        out["items"] = merge_schema(written["items"], body["items"], doc, adopted)
    return out


def _learned_body(learned: Any, doc: dict[str, Any] | None, adopted: _Adopted | None) -> Any:
    """The schema ``learned`` stands for: a ref followed in ``doc``, or to the learned body of one of the
    person's components it was taken for (Jupyter's learned ``Session`` is theirs: merged into a body they
    wrote inline, their ``id`` and ``notebook`` came with it)."""
    ref = learned.get("$ref") if isinstance(learned, dict) else None
    if adopted is not None and isinstance(ref, str) and ref.startswith(REF_PREFIX):
        own = adopted.own.get(ref[len(REF_PREFIX):])
        if own is not None:
            return own
    return follow(doc, learned) if doc is not None else learned


def _refer_if(schema: Any, adopted: _Adopted | None) -> Any:
    return schema if adopted is None else _refer(schema, adopted.fits)


def _merge_components(out: dict[str, Any], learned: dict[str, Any]) -> None:
    schemes = learned.get("components", {}).get("securitySchemes", {})
    if not schemes:
        return
    mine = out.setdefault("components", {}).setdefault("securitySchemes", {})
    for name, scheme in schemes.items():
        mine.setdefault(name, scheme)
