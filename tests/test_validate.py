"""Whole-document validation (spec_problems): openapi-spec-validator's verdict, remembered only where exact."""

from __future__ import annotations

import copy
import gc
import json
import os
import random
import subprocess
import sys
import weakref
from itertools import islice
from typing import Any

import pytest

from specbuild import parallel
from specbuild.errors import InvalidSpecError
from specbuild.io import validate
from specbuild.io.validate import _forget_validators, _shared, _validate, _validator, check_built_spec, spec_problems
from specbuild.parallel import forked


def valid_doc() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/items/{id}": {"get": {
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Item"}}}}},
        }}},
        "components": {"schemas": {"Item": {"type": "object", "properties": {"id": {"type": "string"}}}}},
    }


def without_path_parameter(doc: dict[str, Any]) -> None:
    doc["paths"]["/items/{id}"]["get"]["parameters"] = []


def with_bad_ref(doc: dict[str, Any]) -> None:
    media = doc["paths"]["/items/{id}"]["get"]["responses"]["200"]["content"]["application/json"]
    media["schema"] = {"$ref": "#/components/schemas/Nope"}


def with_wrong_type(doc: dict[str, Any]) -> None:
    doc["components"]["schemas"]["Item"]["properties"]["id"]["type"] = "str"


def with_number_version(doc: dict[str, Any]) -> None:
    doc["info"]["version"] = 1


@pytest.mark.parametrize(("breaks", "expected"), [
    (without_path_parameter, "Path parameter 'id' for 'get' operation in '/items/{id}' was not resolved"),
    (with_bad_ref, "PointerToNowhere: '/components/schemas/Nope' does not exist within {"),
    (with_wrong_type, "components/schemas/Item: {'type': 'object', 'properties': {'id': {'type': 'str'}}} "
                      "is not valid under any of the given schemas"),
    (with_number_version, "info/version: 1 is not of type 'string'"),
])
def test_invalid_documents_are_reported_every_time(breaks: Any, expected: str) -> None:
    doc = valid_doc()
    breaks(doc)
    for _ in range(2):  # the second answer may come from the remembered verdicts: it must be the same
        problems = spec_problems(doc)
        assert len(problems) == 1
        assert problems[0].startswith(expected)
    with pytest.raises(InvalidSpecError, match="does not validate"):
        check_built_spec(doc)


def test_valid_document_then_changed_in_place() -> None:
    doc = valid_doc()
    assert spec_problems(doc) == []
    with_number_version(doc)  # same object, new content: judged anew
    assert spec_problems(doc) == ["info/version: 1 is not of type 'string'"]
    doc["info"]["version"] = "1"
    assert spec_problems(doc) == []


def test_equal_json_text_of_other_types_is_not_taken_for_the_same_document() -> None:
    """A tuple prints as a JSON array but is no array to the validator: no verdict is shared."""
    doc = {**valid_doc(), "tags": [{"name": "a"}]}
    assert spec_problems(doc) == []
    as_tuple = {**doc, "tags": ({"name": "a"},)}
    assert spec_problems(as_tuple) == ["tags: ({'name': 'a'},) is not of type 'array'"]


def test_shared_objects_are_judged_by_the_validator_itself() -> None:
    """The validator walks a schema object once (by id): met first inside properties, where a required name
    it does not define is allowed, it is not checked again as a component. Same JSON text, two verdicts."""
    schema = {"allOf": [{"type": "object", "properties": {"a": {"type": "string"}}}], "required": ["zzz"]}

    def doc(inner: dict[str, Any]) -> dict[str, Any]:
        media = {"schema": {"type": "object", "properties": {"p": inner}}}
        return {**valid_doc(), "paths": {"/x": {"get": {"responses": {"200": {
            "description": "ok", "content": {"application/json": media}}}}}},
            "components": {"schemas": {"A": schema}}}

    assert spec_problems(doc(copy.deepcopy(schema))) == ["Required list has not defined properties: ['zzz']"]
    assert spec_problems(doc(schema)) == []
    assert spec_problems(doc(copy.deepcopy(schema))) == ["Required list has not defined properties: ['zzz']"]


def test_equal_schemas_shared_for_speed_keep_the_verdict() -> None:
    """Equal objects are shared before validating (the validator checks a schema object once): what it
    finds wrong, and where, is what it finds in the unshared document."""
    bad = {"type": "object", "properties": {"a": {"type": "string", "default": 1}}}
    ok = {"type": "object", "properties": {"a": {"type": "string"}}}

    def doc(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
        def op(schema: dict[str, Any]) -> dict[str, Any]:
            return {"get": {"responses": {"200": {"description": "ok", "content": {
                "application/json": {"schema": copy.deepcopy(schema)}}}}}}
        return {**valid_doc(), "paths": {"/a": op(first), "/b": op(second)}}

    for first, second in ((bad, bad), (ok, bad), (bad, ok), (ok, ok)):
        shared, unshared = spec_problems(doc(first, second)), _validate(doc(first, second), memo=False)[0]
        assert shared == unshared
        assert bool(shared) == (bad in (first, second))


class Payload(dict[str, Any]):
    """A dict that can be weakly referenced (a plain one cannot)."""


def test_validated_documents_are_not_kept_alive() -> None:
    """openapi-spec-validator 0.9 memoizes every validator (and its document) unless we let them go."""
    payload = Payload(big="x" * 1000)
    alive = weakref.ref(payload)
    doc = {**valid_doc(), "x-payload": payload}
    assert spec_problems(doc) == []
    del doc, payload
    gc.collect()
    assert alive() is None


def test_the_cli_loads_without_the_spec_validator() -> None:
    """Its import is a third of the CLI's start-up: it comes when a document is first validated."""
    code = ("import sys, specbuild.cli.app; assert 'openapi_spec_validator' not in sys.modules; "
            "assert 'jsonschema' not in sys.modules; "
            "from specbuild.io.validate import spec_problems; spec_problems({}); "
            "assert 'openapi_spec_validator' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("second", [
    {"type": "string", "minLength": -1},  # wrong to the OpenAPI metaschema and to JSON Schema's
    {"type": "string", "x-seen": 2, "default": 3},  # wrong only to the keyword walk
    {"type": "string", "x-seen": 2},
])
def test_memoized_metaschema_walks_judge_as_the_library(second: dict[str, Any]) -> None:
    """A subtree's clean verdict is kept per (ref, object): a repeat is skipped, another subtree at the same
    ref is still judged, and what is found (and where) is what the library finds walking every place."""
    first = {"type": "string", "x-seen": 1}

    def op(schema: dict[str, Any]) -> dict[str, Any]:
        return {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {
            "schema": {"type": "object", "properties": {"a": schema, "b": copy.deepcopy(first)}}}}}}}}

    doc = {**valid_doc(), "paths": {"/a": op(copy.deepcopy(first)), "/b": op(second), "/c": op(first)}}
    memoized, plain = spec_problems(doc), _validate(doc, memo=False)[0]
    assert memoized == plain
    assert bool(plain) == (second.get("x-seen") != 2 or "default" in second)


def test_validations_one_after_another_give_the_library_verdicts() -> None:
    """A follower validates at every checkpoint: nothing judged in one validation (by the id of an object
    since let go, and free for another) answers for the next."""
    pool = [{"type": "string", "x-seen": n} for n in range(4)] + [
        {"type": "string", "minLength": -1}, {"type": "integer", "default": "x"},
        {"type": "object", "properties": {"a": {"type": "string", "x-seen": 1}}},
        {"allOf": [{"type": "object"}], "required": ["zzz"]}]
    rng = random.Random(15)
    for _ in range(40):
        paths = {f"/p{i}": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {
            "schema": {"type": "object", "properties": {
                name: copy.deepcopy(rng.choice(pool)) for name in rng.sample("abcdef", 3)}}}}}}}}
            for i in range(rng.randint(1, 3))}
        components = {"schemas": {"A": copy.deepcopy(rng.choice(pool))}} if rng.random() < 0.5 else {}
        doc = {**valid_doc(), "paths": paths, "components": components}
        assert spec_problems(doc) == _validate(doc, memo=False)[0]
        gc.collect()


def error_tree(error: Any) -> tuple[Any, ...]:
    """All a caller can read of an error: its kind, message, where (document and metaschema), and its context."""
    return (type(error).__name__, error.message, list(error.absolute_path), list(error.absolute_schema_path),
            error.validator, [error_tree(e) for e in error.context])


def all_errors(doc: dict[str, Any], memo: bool) -> list[Any]:
    """Every error the validator yields (the first 30), in order, or how it crashed."""
    try:
        return [error_tree(e) for e in islice(_validator(doc, memo).iter_errors(), 30)]
    except Exception as exc:  # the validator crashes on some broken documents: the same crash is the verdict
        return [type(exc).__name__, str(exc)]
    finally:
        _forget_validators()


FRAGMENTS: list[dict[str, Any]] = [
    {"type": "string", "x-seen": 1}, {"type": "string", "x-seen": 2}, {"type": "integer", "format": "int32"},
    {"type": "string", "enum": ["a", "b"]}, {"type": "array", "items": {"type": "string", "x-seen": 1}},
    {"$ref": "#/components/schemas/A"}, {"type": "object", "nullable": True},
    # broken to the OpenAPI metaschema and to JSON Schema's, to JSON Schema's only, to the keyword walk only
    {"type": "string", "minLength": -1}, {"type": "str"}, {"type": "string", "enum": []},
    {"type": "integer", "default": "x"}, {"allOf": [{"type": "object"}], "required": ["zzz"]},
    {"type": "array", "items": {"type": "str"}}, {"$ref": 1}, {"type": "string", "x-seen": 1, "nullable": "yes"},
    # an x- key is an extension in a schema object, a name in a map of properties, data in a default
    {"type": "object", "properties": {"x-seen": {"type": "str"}}},
    {"type": "object", "additionalProperties": False, "default": {"x-seen": 1}},
    {"$ref": "#/components/schemas/A/x-inner"},
]


def random_schema(rng: random.Random, depth: int, pool: list[dict[str, Any]]) -> dict[str, Any]:
    """A schema of fragments; the same object met again (shared) or an equal copy, as a learned spec has them."""
    if depth == 0 or rng.random() < 0.4:
        fragment = rng.choice(pool)
        return fragment if rng.random() < 0.3 else copy.deepcopy(fragment)
    made: dict[str, Any] = {"type": "object", "properties": {
        name: random_schema(rng, depth - 1, pool) for name in rng.sample("abcdef", rng.randint(1, 3))}}
    if rng.random() < 0.3:
        made["x-seen"] = rng.randint(1, 3)
    pool.append(made)
    return made


def random_doc(rng: random.Random, broken: float, version: str = "3.0.3") -> dict[str, Any]:
    pool = [f for f in FRAGMENTS[:7]] + ([f for f in FRAGMENTS[7:]] if rng.random() < broken else [])

    def op() -> dict[str, Any]:
        return {"get": {"responses": {str(code): {"description": "ok", "content": {"application/json": {
            "schema": random_schema(rng, 3, pool)}}} for code in rng.sample([200, 201, 404], rng.randint(1, 2))}}}

    doc = {**valid_doc(), "openapi": version, "paths": {f"/p{i}": op() for i in range(rng.randint(1, 4))}}
    doc["components"] = {"schemas": {"A": random_schema(rng, 2, pool), "B": random_schema(rng, 2, pool)}}
    if rng.random() < 0.5:  # a ref into an extension resolves in the document, not in a copy without them
        doc["components"]["schemas"]["A"] = {**doc["components"]["schemas"]["A"], "x-inner": {"type": "string"}}
    return doc


@pytest.mark.parametrize("seed", range(2))
def test_the_memoized_walks_yield_every_error_the_library_yields(seed: int) -> None:
    """Verdicts are kept per (ref, object), clean or not (an error kept is handed on as a new copy): every
    error, its message, where it is, where in the metaschema, and its context, in order, is the library's,
    whether the broken subtree is shared by many places or met once, for OpenAPI 3.0 and 3.1."""
    rng = random.Random(seed)
    broken = 0
    for _ in range(20):
        doc = random_doc(rng, broken=0.7, version=rng.choice(["3.0.3", "3.1.0"]))
        shared = _shared(doc)  # equal subtrees one object: a shared one is walked once (by id) by the library too
        for tree in (doc, shared):
            assert all_errors(tree, memo=True) == all_errors(tree, memo=False)
        assert spec_problems(doc) == _validate(doc, memo=False)[0]
        broken += bool(spec_problems(doc))
        gc.collect()
    assert 4 <= broken <= 19  # both kinds of document were met


def here(task: Any) -> Any:
    """An ``elsewhere`` that does the task at once, in this process."""
    answer = task()
    return lambda: answer


def lost(task: Any) -> Any:
    """An ``elsewhere`` whose process ended without an answer."""
    return lambda: None


@pytest.mark.parametrize("elsewhere", [forked, here, lost])
def test_the_two_walks_run_apart_give_the_library_verdict(elsewhere: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """With -j 2 the metaschema walk runs in a forked process while this one runs the keyword checks: the
    verdict is the library's, whichever walk finds a problem (or crashes), and when the other process dies."""
    monkeypatch.setattr(validate, "_VERDICTS", validate._Verdicts(8))  # no verdict remembered from other tests
    if elsewhere is forked and sys.platform == "linux":
        monkeypatch.setattr(parallel, "start_method", lambda: "fork")  # (pytest may run a thread of its own)
    broken = [valid_doc() for _ in range(3)]
    with_number_version(broken[0])     # found by the metaschema walk
    without_path_parameter(broken[1])  # by the keyword checks only
    with_bad_ref(broken[2])            # a crash of the keyword checks
    rng = random.Random(5)
    docs = [valid_doc(), *broken, *(random_doc(rng, broken=0.7, version=rng.choice(["3.0.3", "3.1.0"]))
                                    for _ in range(8))]
    for doc in docs:
        assert spec_problems(doc, elsewhere) == _validate(doc, memo=False)[0]
    assert sum(bool(spec_problems(doc)) for doc in docs) >= 4


def with_schema(schema: dict[str, Any], **components: Any) -> dict[str, Any]:
    doc = valid_doc()
    doc["paths"]["/items/{id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] = schema
    doc["components"]["schemas"].update(components)
    return doc


@pytest.mark.parametrize(("doc", "expected"), [
    (with_schema({"type": "object", "properties": {"x-seen": {"type": "str"}}, "x-seen": 3}),
     "'properties': {'x-seen': {'type': 'str'}}, 'x-seen': 3}}}} is not valid under any of the given schemas"),
    (with_schema({"type": "object", "additionalProperties": False, "default": {"x-seen": 1}, "x-seen": 3}),
     "Additional properties are not allowed ('x-seen' was unexpected)"),
    (with_schema({"$ref": "#/components/schemas/Item/x-inner"},
                 Item={"type": "object", "x-seen": 2, "x-inner": {"type": "string"}}), ""),
    (with_schema({"type": "string", "x-seen": {"type": "str"}}), ""),
])
@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_extensions_of_schema_objects_are_judged_without_them_first(doc: dict[str, Any], expected: str,
                                                                    version: str) -> None:
    """A copy without the x- keys of schema objects is judged first, and is the answer only when clean: an
    x- name of a property, x- keys in a default's data, a ref into an extension are the document's own
    (in 3.1 too, whose schema objects are checked against the OAS dialect: its messages are its own)."""
    doc = {**copy.deepcopy(doc), "openapi": version}
    problems = spec_problems(doc)
    assert problems == _validate(doc, memo=False)[0]
    if version.startswith("3.0"):
        assert (expected in problems[0]) if expected else problems == []
    else:
        assert bool(problems) == bool(expected)


def test_a_remembered_verdict_answers_only_for_its_place_in_the_metaschema() -> None:
    """One object met by two oneOfs (or a oneOf and an anyOf) of a metaschema gets each its own verdict:
    every error of the memoizing validator is one that jsonschema's own yields, in its order."""
    from jsonschema import Draft4Validator

    from specbuild.io.validate import _with_ref_memo

    meta = {"$schema": "http://json-schema.org/draft-04/schema#", "definitions": {
        "X": {"required": ["x"]}, "Y": {"required": ["y"]}},
        "properties": {"a": {"oneOf": [{"type": "object"}, {"$ref": "#/definitions/X"}]},
                       "b": {"oneOf": [{"$ref": "#/definitions/Y"}, {"type": "array"}]},
                       "c": {"anyOf": [{"$ref": "#/definitions/X"}, {"$ref": "#/definitions/Y"}]},
                       "d": {"items": {"oneOf": [{"$ref": "#/definitions/Y"}, {"$ref": "#/definitions/X"}]}}}}
    for shared in ({}, {"x": 1}, {"y": 1}, {"x": 1, "y": 2}):
        instance = {"a": shared, "b": shared, "c": shared, "d": [shared, {"z": 1}, shared]}
        plain = [error_tree(e) for e in Draft4Validator(meta).iter_errors(instance)]
        assert [error_tree(e) for e in _with_ref_memo(meta, {}).iter_errors(instance)] == plain
        assert plain  # each instance breaks some rule


def test_a_subtree_judged_clean_before_is_judged_again_when_its_content_changed() -> None:
    """A clean verdict is kept across validations by the subtree's content (a follower's next checkpoint
    renders mostly the same schemas): a subtree that changed, however little, is judged again."""
    item = {"type": "object", "properties": {"id": {"type": "string", "x-seen": 4},
                                             "tags": {"type": "array", "items": {"type": "string"}}}}
    assert spec_problems(with_schema(copy.deepcopy(item))) == []
    broken = copy.deepcopy(item)
    broken["properties"]["tags"]["items"]["minLength"] = -1
    assert spec_problems(with_schema(broken)) == _validate(with_schema(broken), memo=False)[0] != []
    recounted = copy.deepcopy(item)
    recounted["properties"]["id"]["x-seen"] = 5
    assert spec_problems(with_schema(recounted)) == []


HASH_SEEDED = """
import json, random, sys
from specbuild.errors import SpecbuildError
from specbuild.io.validate import check_built_spec, check_input_spec, spec_problems
from tests.test_validate import random_doc
rng = random.Random(3)
docs = [random_doc(rng, broken=0.7, version=rng.choice(["3.0.3", "3.1.0"])) for _ in range(12)]
out = []
for doc in docs:
    said = []
    for check in (check_built_spec, lambda d: check_input_spec(d, "x.json")):
        try:
            check(json.loads(json.dumps(doc)))
        except SpecbuildError as exc:
            said.append(str(exc))
    out.append([spec_problems(doc), said])
print(json.dumps(out))
"""


def test_what_an_invalid_spec_is_told_is_the_same_whatever_the_hash_seed() -> None:
    """The library walks the keys of a map as a set: its first problem depends on PYTHONHASHSEED. The
    message of an invalid spec (built or given) is the same in every run: the problems sorted by place,
    found by walks that meet keys in the document's order, the least error of a 3.1 schema's check."""
    runs = [json.loads(subprocess.run([sys.executable, "-c", HASH_SEEDED], capture_output=True, text=True, check=True,
                                      env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout) for seed in range(4)]
    library = {json.dumps([first for first, _ in run]) for run in runs}
    told = {json.dumps([said for _, said in run]) for run in runs}
    assert len(library) > 1  # the library's own first problem changed with the seed here
    assert len(told) == 1
    assert sum(bool(said) for _, said in runs[0]) >= 6


@pytest.mark.skipif(sys.platform != "linux", reason="a standby is forked (Linux only: start_method)")
def test_a_document_judged_by_a_standby_gets_the_library_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    """-j 1 on two cores: the validator is made ready in a standby while the build folds, and the document
    is judged there, from its JSON text: the same verdicts, a document of other types judged here, the
    verdict remembered here, and a standby gone (killed) answers nothing: judged here then."""
    monkeypatch.setattr(validate, "_VERDICTS", validate._Verdicts(8))
    monkeypatch.setattr(parallel, "start_method", lambda: "fork")  # (pytest may run a thread of its own)
    sent: list[Any] = []

    def watched(task: Any) -> Any:
        sent.append(task)
        return standby(task)

    rng = random.Random(7)
    broken = [valid_doc() for _ in range(3)]
    with_number_version(broken[0])
    without_path_parameter(broken[1])
    with_bad_ref(broken[2])
    docs = [valid_doc(), *broken, *(random_doc(rng, broken=0.7, version=rng.choice(["3.0.3", "3.1.0"]))
                                    for _ in range(6))]
    standby = parallel.Standby.start(validate.warm)
    assert standby is not None
    with standby:
        for i, doc in enumerate(docs):  # the standby runs a walk in a process of its own, or not
            assert spec_problems(doc, forked if i % 2 else None, ready=watched) == _validate(doc, memo=False)[0]
        plain = sum(validate._plain_text(doc) is not None for doc in docs)  # (some share a subtree)
        assert len(sent) == plain >= 4  # each of plain JSON judged there
        assert spec_problems(docs[0], ready=watched) == [] and len(sent) == plain  # remembered here
        tupled = valid_doc()
        tupled["tags"] = ({"name": "a"},)  # no JSON text tells a tuple: judged here
        assert spec_problems(tupled, ready=watched) == _validate(tupled, memo=False)[0]
        assert len(sent) == plain
        os.kill(standby.proc.pid, 9)
        standby.proc.join()
        changed = valid_doc()
        changed["info"]["title"] = "another"
        assert spec_problems(changed, ready=watched) == [] and len(sent) == plain + 1
