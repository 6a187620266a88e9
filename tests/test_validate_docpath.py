"""The keyword walk read through io.docpath: a clean verdict only where the library's own walk finds nothing."""

from __future__ import annotations

import copy
import gc
import random
from typing import Any

import pytest

from specbuild.io.docpath import DocPath, Document, Unsure
from specbuild.io.validate import _clean_at_once, _shared, _validate, _validator, spec_problems
from tests.test_validate import all_errors

OK = {"description": "ok"}


def parameter(rng: random.Random, name: str, where: str) -> dict[str, Any]:
    made: dict[str, Any] = {"name": name, "in": where, "schema": {"type": rng.choice(["string", "integer"])}}
    if where == "path":
        made["required"] = True
    return made


FINE: list[dict[str, Any]] = [
    {"type": "string"}, {"type": "integer", "format": "int32"}, {"$ref": "#/components/schemas/A"},
    {"$ref": "#/components/schemas/Chain"}, {"type": "string", "default": "x"}, {"type": "boolean"},
    {"type": "string", "nullable": True, "default": None}, {"type": "object", "additionalProperties": True},
    {"$ref": "#/components/schemas/A~1B"}, {"$ref": "#/components/schemas/A~0B"},
    {"$ref": "#/components/schemas/List/x-list/0"}, {"$ref": "#/components/schemas/List/x-list/-1"},
    {"$ref": "#/components/schemas/A%7EB"}, {"$ref": "#/components/schemas/%41"}]
BROKEN: list[dict[str, Any]] = [  # each wrong to one of the walks
    {"type": "integer", "default": "x"}, {"allOf": [{"type": "object"}], "required": ["zzz"]},
    {"$ref": "#/components/schemas/Nope"}, {"type": "str"}, {"type": "string", "minLength": -1},
    {"$ref": "#/components/schemas/Loop"}, {"type": "string", "pattern": "("},
    {"type": "object", "properties": {"a": {"type": "array", "items": {"type": "string", "default": 1}}}},
    {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/Bad"}}},
    {"$ref": "#/components/parameters/Limit"}, {"type": "array", "items": [{"type": "string"}]}]
UNSURE: list[dict[str, Any]] = [  # fine, but not for a plain path to read: the library's own walk judges them
    {"$ref": "#/components/schemas/A%42"}, {"$ref": "#/components/schemas/A%2FB"},
    {"$ref": "#/components/schemas/A", "$id": "http://example.com/x"}, {"$ref": "#/components/schemas/List/x-list/01"},
    {"$ref": "#/components/schemas/List/x-list/2"}, {"$ref": "#/components/schemas/List/x-list/a"}]


def schema(rng: random.Random, depth: int, places: list[Any]) -> dict[str, Any]:
    """A fine schema object; ``places`` gets every (container, key) holding one, for a hazard to replace."""
    kind = rng.choice(["leaf", "leaf", "object", "array", "allOf", "anyOf", "oneOf", "not"]) if depth else "leaf"
    made: dict[str, Any]
    if kind == "leaf":
        return copy.deepcopy(rng.choice(FINE))
    if kind == "object":
        names = rng.sample(["a", "b", "c", "x-d", "$ref", "default"], rng.randint(1, 3))
        made = {"type": "object", "properties": {n: schema(rng, depth - 1, places) for n in names}}
        places += [(made["properties"], n) for n in names]
        if rng.random() < 0.4:
            made["required"] = names[:1]
    elif kind == "array":
        made = {"type": "array", "items": schema(rng, depth - 1, places)}
        places.append((made, "items"))
    elif kind == "allOf":
        inner = {"type": "object", "properties": {"a": schema(rng, depth - 1, places)}}
        made = {"allOf": [inner, {"$ref": "#/components/schemas/A"}], "required": ["a"]}
        places.append((inner["properties"], "a"))
    elif kind == "not":
        made = {"not": schema(rng, depth - 1, places)}
        places.append((made, "not"))
    else:
        made = {kind: [schema(rng, depth - 1, places), schema(rng, depth - 1, places)]}
        places += [(made[kind], 0), (made[kind], 1)]
    return made


def operation(rng: random.Random, url: str, ids: list[str], places: list[Any]) -> dict[str, Any]:
    params: list[Any] = [parameter(rng, part[1:-1], "path") for part in url.split("/") if part.startswith("{")]
    params += [parameter(rng, "q", "query")] * rng.randint(0, 1)
    if rng.random() < 0.2:
        params.append({"$ref": rng.choice(["#/components/parameters/Limit", "#/components/parameters/Alias"])})
    responses: dict[str, Any] = {}
    for code in rng.sample(["200", "201", "404"], 2):
        if rng.random() < 0.3:
            responses[code] = {"$ref": "#/components/responses/Ok"}
        else:
            media = {"schema": schema(rng, 3, places)}
            places.append((media, "schema"))
            responses[code] = {**OK, "content": {"application/json": media}}
    op: dict[str, Any] = {"parameters": params, "responses": responses}
    if rng.random() < 0.7:
        op["operationId"] = ids.pop()
    return op


def hazard(rng: random.Random, doc: dict[str, Any], places: list[Any]) -> None:
    """One thing the library finds wrong (or a plain path cannot read), somewhere in ``doc``."""
    ops = [op for item in doc["paths"].values() for op in item.values()]
    roll = rng.random()
    if roll < 0.6:
        container, key = rng.choice(places)
        container[key] = copy.deepcopy(rng.choice(BROKEN if roll < 0.45 else UNSURE))
    elif roll < 0.68:
        rng.choice(ops)["operationId"] = "same"
        rng.choice(ops)["operationId"] = "same"
    elif roll < 0.76:
        op = rng.choice(ops)
        op["parameters"] = op["parameters"][1:] if op["parameters"] else [parameter(rng, "nope", "path")]
    elif roll < 0.84:
        rng.choice(ops)["parameters"] += [parameter(rng, "q", "query"), parameter(rng, "q", "query")]
    elif roll < 0.9:
        doc["tags"] = [{"name": "a"}, {"name": "a"}]
    elif roll < 0.95:
        doc["components"]["schemas"]["Bad"] = {"type": "string", "default": 3}
    else:  # a cycle of refs (the library recurses until Python stops it)
        doc["components"]["schemas"].update({"Loop": {"$ref": "#/components/schemas/Loop2"},
                                             "Loop2": {"$ref": "#/components/schemas/Loop"}})


def random_doc(rng: random.Random) -> dict[str, Any]:
    """A document the library finds clean, then none, one or two hazards in it."""
    ids = [f"op{n}" for n in range(12)]
    places: list[Any] = []
    urls = rng.sample(["/items", "/items/{id}", "/items/{id}/tags/{tag}", "/users/{user}"], rng.randint(1, 3))
    paths = {url: {method: operation(rng, url, ids, places)
                   for method in rng.sample(["get", "post", "delete"], rng.randint(1, 2))} for url in urls}
    a = {"type": "object", "properties": {"id": {"type": "string"}}}
    ok_media = {"schema": schema(rng, 2, places)}
    doc: dict[str, Any] = {
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths,
        "tags": [{"name": t} for t in rng.sample(["a", "b"], rng.randint(0, 2))],
        "components": {
            "schemas": {"A": a, "A/B": copy.deepcopy(a), "A~B": {"type": "integer"}, "AB": a,
                        "Chain": {"$ref": "#/components/schemas/A"},
                        "List": {"type": "object", "x-list": [{"type": "string"}]}, "B": schema(rng, 2, places),
                        "Bad": {"type": "string"}},
            "parameters": {"Limit": {"name": "limit", "in": "query", "schema": {"type": "integer", "default": 10}},
                           "Alias": {"$ref": "#/components/parameters/Limit"}},
            "responses": {"Ok": {**OK, "content": {"application/json": ok_media}}}}}
    places += [(doc["components"]["schemas"], "B"), (ok_media, "schema")]
    for _ in range(rng.choice([0, 0, 1, 1, 1, 2])):
        hazard(rng, doc, places)
    return doc


@pytest.mark.parametrize("seed", range(3))
def test_a_clean_walk_on_the_plain_path_is_the_library_verdict(seed: int) -> None:
    """Every document the plain path finds clean is clean to the library walking as it does (no memo, its
    SchemaPath); every other is judged by that walk, so spec_problems says what the library says."""
    rng = random.Random(seed)
    clean = fell_back = 0
    for _ in range(40):
        doc = random_doc(rng)
        plain = _validate(doc, memo=False)
        fast = _clean_at_once(_validator(doc), doc)
        if fast:
            assert plain == ([], True)
            clean += 1
        else:
            fell_back += 1
        assert spec_problems(doc) == plain[0]
        gc.collect()
    assert clean >= 3 and fell_back >= 3  # both ways were taken


@pytest.mark.parametrize("seed", range(2))
def test_the_memoized_walks_yield_the_library_errors_on_these_documents_too(seed: int) -> None:
    """Every error (message, places, context, in order) or crash of the memoized walks, a validator evolved
    once per subschema, is the library's plain walk's, on these documents (refs escaped, through lists,
    chained, cyclic; defaults) as a learned spec shares them or not."""
    rng = random.Random(seed)
    broken = 0
    for _ in range(25):
        doc = random_doc(rng)
        for tree in (doc, _shared(doc)):
            plain = all_errors(tree, memo=False)
            assert all_errors(tree, memo=True) == plain
        broken += bool(plain)
        gc.collect()
    assert 5 <= broken <= 22


def every_path(root: Any, limit: int = 400) -> list[tuple[Any, Any]]:
    """(DocPath, SchemaPath) pairs at the same parts, reached the same way (items()), breadth first."""
    out, queue = [], [root]
    while queue and len(out) < limit:
        mine, theirs = queue.pop(0)
        out.append((mine, theirs))
        try:
            mine_children = list(mine.items())
        except Unsure:
            continue
        theirs_children = list(theirs.items())
        assert [k for k, _ in mine_children] == [k for k, _ in theirs_children]
        queue += [(m, t) for (_, m), (_, t) in zip(mine_children, theirs_children, strict=True)]
    return out


@pytest.mark.parametrize("seed", range(3))
def test_the_plain_path_reads_what_schemapath_reads(seed: int) -> None:
    """At every place both reach: the same object (refs followed to the same target), the same keys, the same
    answers to `in` and `[]`; where the plain path is unsure it says so instead of answering."""
    rng = random.Random(seed)
    compared = 0
    for _ in range(10):
        doc = random_doc(rng)
        validator = _validator(doc)
        try:
            root = Document(validator.schema, lambda v=validator: v.schema_path).root()
        except Unsure:
            continue
        for mine, theirs in every_path((root, validator.schema_path)):
            try:
                value = mine.read_value()
            except Unsure:
                continue
            assert value is theirs.read_value()
            for key in ("name", "in", "schema", "$ref", "properties", 0, "allOf", "default"):
                assert (key in mine) == (key in theirs)
                if key in mine:
                    try:
                        got = mine[key]
                    except Unsure:
                        continue
                    want = theirs[key]
                    assert type(got) is DocPath or got == want
                    if type(got) is DocPath:
                        assert got.read_value() is want.read_value()
            compared += 1
    assert compared > 200


def test_refs_a_plain_path_does_not_mirror_make_it_unsure() -> None:
    """Non-local refs, an $id anywhere, a cycle, a ref to nowhere (%2F splits a key, as in the library): the
    library's walk reads them. A pointer is percent-decoded, its ~0 and ~1 unescaped, and a list's index
    read, as the library does."""
    schemas = {"A~B": {"type": "string"}, "A/B": {"type": "integer"}, "L": [{}],
               "C": {"$ref": "#/components/schemas/C"}}
    base = {"openapi": "3.0.3", "components": {"schemas": schemas}}
    for ref, target in (("#/components/schemas/A~0B", "A~B"), ("#/components/schemas/A~1B", "A/B"),
                        ("#/components/schemas/A%7EB", "A~B"), ("#/components/schemas/L/-1", "L")):
        found = (Document({**base, "x": {"$ref": ref}}, lambda: None).root() / "x").read_value()
        assert found is (schemas[target][0] if target == "L" else schemas[target])
    for ref in ("#/components/schemas/A%2FB", "other.json#/x", "#/components/schemas/L/1", "#/components/schemas/L/x",
                "#/components/schemas/C", "#/nowhere"):
        doc = Document({**base, "x": {"$ref": ref}}, lambda: None)
        with pytest.raises(Unsure):
            doc.root() / "x"
    with pytest.raises(Unsure):
        Document({**base, "y": [{"$id": "http://example.com/"}]}, lambda: None)
