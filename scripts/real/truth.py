"""Turn a server's published description into the OpenAPI 3 truth that score.py reads.

    python truth.py SOURCE OUT.json [PREFIX] [--max-ref-depth N] [--href-params]
                                        SOURCE: a .yaml/.json file or an http:// URL

PREFIX (e.g. /api) is the path the described app is mounted under, for a description that names no
server of its own (Prefect's FastAPI app lists `/flows/`, served as `/api/flows/`).

Most servers here publish Swagger 2.0 (jupyter_server's services/api/api.yaml, Kinto's /v1/__api__);
score.py compares OpenAPI 3 documents. Only what the scoring reads is converted: servers from basePath,
parameters with a schema, a body parameter as requestBody, response schemas as application/json
content; every $ref is inlined (a recursive one becomes {}), as in the devset's truth files. An OpenAPI 3
description (WireMock's /__admin/docs/swagger) keeps its operations as written, its refs inlined the
same way; a server URL of `/` says nothing, and score.py would read it as a path prefix.

--max-ref-depth N: a $ref met under N others becomes {}, as a recursive one does. ZenML's description
shares its models so widely (a response's body, metadata and resources each refer to other responses)
that inlining them all wrote 684 MB and more; score.py reads only the paths and operations of a truth.

--href-params: Pulp's description writes an entity's paths from its href, one path parameter standing for
`/pulp/api/v3/repositories/file/file/<uuid>/` (`{file_file_repository_href}sync/`), as pulp-glue calls
them; the paths the server serves are written out: the href is its list path (the operation id of the
same prefix ending in `_list`) and an id (`{file_file_repository_id}`), nested hrefs in turn.
"""

from __future__ import annotations

import json
import sys
import urllib.request
from typing import Any

METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
SCHEMA_KEYS = ("type", "format", "enum", "items", "default", "minimum", "maximum", "pattern")


def load(source: str) -> dict[str, Any]:
    if source.startswith("http://"):
        with urllib.request.urlopen(source, timeout=30) as r:  # loopback only: the recipe's own server
            text = r.read().decode("utf-8")
    else:
        with open(source, encoding="utf-8") as f:
            text = f.read()
    if source.endswith((".yaml", ".yml")):
        import yaml  # the server's environment has it (jupyter_server depends on PyYAML); MockServer serves YAML

        # YAML reads a date (JupyterHub's examples) as a datetime and a status code as an int: JSON's text of them
        return dict(json.loads(json.dumps(yaml.safe_load(text), default=str)))
    return dict(json.loads(text))


def inline(node: Any, doc: dict[str, Any], seen: tuple[str, ...] = (), depth: int | None = None) -> Any:
    if isinstance(node, list):
        return [inline(v, doc, seen, depth) for v in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        if ref in seen or (depth is not None and len(seen) >= depth):
            return {}
        target: Any = doc
        for part in ref[2:].split("/"):
            target = target.get(part.replace("~1", "/").replace("~0", "~"), {}) if isinstance(target, dict) else {}
        return inline(target, doc, (*seen, ref), depth)
    out = {k: inline(v, doc, seen, depth) for k, v in node.items()}
    if out.pop("x-nullable", False):
        out["nullable"] = True
    return out


def parameter(p: dict[str, Any]) -> dict[str, Any]:
    schema = {k: p[k] for k in SCHEMA_KEYS if k in p}
    out = {"name": p["name"], "in": p["in"], "required": bool(p.get("required", p["in"] == "path"))}
    return {**out, "schema": schema or {"type": "string"}}


def operation(op: dict[str, Any], shared: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {k: op[k] for k in ("operationId", "summary", "tags") if k in op}
    params = {(p["name"], p["in"]): p for p in shared + op.get("parameters", [])}
    out["parameters"] = [parameter(p) for p in params.values() if p["in"] not in ("body", "formData")]
    body = [p for p in params.values() if p["in"] == "body"]
    if body:
        out["requestBody"] = {
            "required": bool(body[0].get("required")),
            "content": {"application/json": {"schema": body[0].get("schema", {})}},
        }
    out["responses"] = {}
    for code, resp in op.get("responses", {}).items():
        r: dict[str, Any] = {"description": resp.get("description", "")}
        if resp.get("schema"):
            r["content"] = {"application/json": {"schema": resp["schema"]}}
        out["responses"][str(code)] = r
    return out


def convert3(doc: dict[str, Any], prefix: str = "", depth: int | None = None) -> dict[str, Any]:
    doc = inline(doc, doc, depth=depth)
    keep = (*METHODS, "parameters")
    paths = {path: {k: v for k, v in item.items() if k in keep} for path, item in doc["paths"].items()}
    servers = [s for s in doc.get("servers", []) if s.get("url", "/") not in ("", "/")]
    if prefix and not servers:
        servers = [{"url": prefix}]
    return {"openapi": doc["openapi"], "info": doc["info"], "servers": servers, "paths": dict(sorted(paths.items()))}


ITEM_ACTIONS = ("_partial_update", "_update", "_read", "_delete", "_cancel")


def expand_hrefs(doc: dict[str, Any]) -> dict[str, Any]:
    """Each `{NAME_href}` at the start of a path becomes the path of NAME's list and `{NAME_id}/`."""
    by_id = {
        op["operationId"]: path
        for path, item in doc["paths"].items()
        for m, op in item.items()
        if m in METHODS and isinstance(op, dict) and "operationId" in op
    }
    items: dict[str, str] = {}  # href parameter -> its list path
    for path, item in doc["paths"].items():
        if path.startswith("{") and path.endswith("}"):
            for m, op in item.items():
                oid = op.get("operationId", "") if m in METHODS else ""
                base = next((oid[: -len(a)] for a in ITEM_ACTIONS if oid.endswith(a)), None)
                if base and f"{base}_list" in by_id:
                    items[path[1:-1]] = by_id[f"{base}_list"]
                    break

    def spell(path: str, seen: tuple[str, ...] = ()) -> str:
        if not path.startswith("{"):
            return path
        name, rest = path[1:].split("}", 1)
        if name not in items or name in seen:
            return path
        return f"{spell(items[name], (*seen, name))}{{{name[: -len('_href')]}_id}}/{rest}"

    paths = {spell(path): item for path, item in doc["paths"].items()}
    for item in paths.values():
        for m, op in item.items():
            for p in op.get("parameters", []) if m in METHODS and isinstance(op, dict) else []:
                if p.get("in") == "path" and p["name"] in items:
                    p["name"] = p["name"][: -len("_href")] + "_id"
    return {**doc, "paths": dict(sorted(paths.items()))}


def convert(doc: dict[str, Any], prefix: str = "", depth: int | None = None) -> dict[str, Any]:
    if str(doc.get("openapi", "")).startswith("3."):
        return convert3(doc, prefix, depth)
    doc = inline(doc, doc, depth=depth)
    paths: dict[str, Any] = {}
    for path, item in sorted(doc.get("paths", {}).items()):
        shared = item.get("parameters", [])
        paths[path] = {m: operation(item[m], shared) for m in METHODS if m in item}
    base = doc.get("basePath", "/")
    return {
        "openapi": "3.0.3",
        "info": doc.get("info", {"title": "truth", "version": "0"}),
        "servers": [{"url": base if base != "/" else ""}] if base not in ("", "/") else [],
        "paths": paths,
    }


def main() -> int:
    args, depth = sys.argv[1:], None
    if "--max-ref-depth" in args:
        i = args.index("--max-ref-depth")
        depth = int(args[i + 1])
        del args[i : i + 2]
    hrefs = "--href-params" in args
    if hrefs:
        args.remove("--href-params")
    source, out = args[0], args[1]
    prefix = args[2] if len(args) > 2 else ""
    if source == "jupyter":  # the description jupyter_server ships inside its package
        import jupyter_server

        source = jupyter_server.__path__[0] + "/services/api/api.yaml"
    with open(out, "w", encoding="utf-8") as f:
        truth = convert(load(source), prefix, depth)
        json.dump(expand_hrefs(truth) if hrefs else truth, f, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
