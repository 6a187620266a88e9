#!/usr/bin/env python3
"""Which response bodies claim ``required`` when learned inline but lose it once shared as components?

    PYTHONPATH=. python scripts/required_lost.py TRAFFIC.jsonl.gz [...] [-v]

For each traffic file it learns one SpecBuilder and renders it twice: inline (``components=False``) and
as ``build`` writes it. A 2xx/4xx/5xx body root (not the inferred ``4XX``/``2XX``; an array's items
followed) that requires properties inline and not all of them through its components lost a claim its
own evidence proves: a component shared with a place that claims nothing (too few distinct requests,
learn/rules.py REQUIRED_MIN_WITNESSES) kept the intersection of both (FINDINGS19 cause 5). Prints one
line per file: bodies claiming ``required`` inline, how many lost some of it, and which (``-v``: all).
"""

from __future__ import annotations

import argparse
import gzip
from typing import Any

from specbuild.learn.builder import SpecBuilder
from specbuild.learn.render import RenderOptions, render
from specbuild.records import decode


def _root(schema: Any, schemas: dict[str, Any]) -> Any:
    """The object a body's schema is: refs followed, an array's items."""
    for _ in range(64):
        if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            schema = schemas.get(schema["$ref"].rsplit("/", 1)[1])
        elif isinstance(schema, dict) and schema.get("type") == "array" and isinstance(schema.get("items"), dict):
            schema = schema["items"]
        else:
            break
    return schema


def _learned(path: str) -> SpecBuilder:
    builder = SpecBuilder()
    with gzip.open(path, "rb") as lines:
        for i, line in enumerate(lines):
            try:
                builder.add(decode(line, str(i)))
            except Exception:  # a record the CLI would skip too
                continue
    return builder


def lost(path: str) -> tuple[int, list[str]]:
    """Bodies that claim ``required`` inline, and those (``METHOD path status``) that lose some of it shared."""
    builder = _learned(path)
    flat, shared = render(builder, RenderOptions(components=False)), render(builder)
    schemas = shared.get("components", {}).get("schemas", {})
    claiming, gone = 0, []
    for template, item in sorted(flat["paths"].items()):
        for method, op in sorted(item.items()):
            for status, response in sorted(op.get("responses", {}).items()):
                if status.endswith("XX"):  # inferred (learn/statuses.py): the API's body, not this one's
                    continue
                for media, body in sorted((response.get("content") or {}).items()):
                    inline = _root(body.get("schema"), {})
                    if not isinstance(inline, dict) or not inline.get("required"):
                        continue
                    claiming += 1
                    there = shared["paths"][template][method]["responses"][status]["content"][media]
                    kept = _root(there.get("schema"), schemas)
                    if not (isinstance(kept, dict) and set(inline["required"]) <= set(kept.get("required", ()))):
                        gone.append(f"{method.upper()} {template} {status}")
    return claiming, gone


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("traffic", nargs="+")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every body that lost a claim")
    args = ap.parse_args()
    for path in args.traffic:
        claiming, gone = lost(path)
        shown = gone if args.verbose else gone[:4]
        print(f"{path.rsplit('/', 1)[-1]}: bodies claiming required inline {claiming}, lost in components "
              f"{len(gone)}", shown)


if __name__ == "__main__":
    main()
