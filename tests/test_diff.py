"""diff: every rule, in the direction an API client sees it; refactorings and renamed path parameters
are no change; specs written by people ($ref, allOf) read like generated ones."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import specbuild.drift.diff as diff_module
from specbuild.drift.diff import LEARNED_SUPPRESSED, diff
from specbuild.drift.kinds import CHANGE_KINDS

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fixtures" / "diff"
INDEX = json.loads((CORPUS / "cases.json").read_text())
DEVSET = ROOT.parent / "shared" / "devset"


def load(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((CORPUS / name).read_text())
    return doc


def pair(case: str) -> tuple[dict[str, Any], dict[str, Any]]:
    c = INDEX["cases"][case]
    return load(c["base"]), load(c["head"])


@pytest.mark.parametrize("case", sorted(INDEX["cases"]))
def test_each_rule_gives_exactly_its_changes(case: str) -> None:
    base, head = pair(case)
    changes = diff(base, head)
    expected = {(e["operation"], e["kind"]) for e in INDEX["cases"][case]["expected"]}
    assert {(c.operation, c.kind) for c in changes} == expected
    assert all(c.severity == CHANGE_KINDS[c.kind].severity for c in changes)


def test_the_corpus_covers_every_kind() -> None:
    covered = {e["kind"] for c in INDEX["cases"].values() for e in c["expected"]}
    assert covered == set(CHANGE_KINDS)


def test_the_kinds_are_listed_once_in_the_registry_and_its_doc_is_generated_from_it() -> None:
    import specbuild.drift.kinds as kinds

    assert "========" not in (diff_module.__doc__ or "")  # no second copy of the table to drift apart
    doc = kinds.__doc__ or ""
    for k in CHANGE_KINDS.values():
        assert kinds.CHANGE_KINDS[k.name] is k and f"{k.severity:<8}  {k.meaning}" in doc


@pytest.mark.parametrize("case", ["renamed-path-parameter", "moved-base-path"])
def test_what_a_client_cannot_tell_apart_is_no_change(case: str) -> None:
    base, head = pair(case)
    assert diff(base, head) == [] and diff(head, base) == []


def test_a_refactored_human_spec_shows_only_its_real_changes() -> None:
    base, head = pair("human")
    changes = diff(base, head)
    assert [(c.operation, c.kind, c.where, c.pointer) for c in changes] == [
        ("GET /orders", "response-property-removed", "response 200 application/json", "items[].lines[].discount"),
        ("GET /orders/{id}", "response-property-removed", "response 200 application/json", "lines[].discount"),
        ("GET /orders", "parameter-added", "query parameter status", ""),
    ]


def test_every_spec_equals_itself() -> None:
    for name in sorted(p.name for p in CORPUS.glob("*.json") if p.name != "cases.json"):
        doc = load(name)
        assert diff(doc, doc) == [], name


def test_direction_decides_the_severity_of_one_schema_change() -> None:
    changes = diff(*pair("response-enum-value-added"))
    by_kind = {(c.kind, c.severity) for c in changes}
    assert by_kind == {("request-enum-value-added", "info"), ("response-enum-value-added", "warning")}
    assert {c.detail for c in changes} == {'added: "guest"'}


@pytest.mark.parametrize(
    ("case", "detail"),
    [
        ("request-type-widened", "integer -> number"),
        ("request-type-narrowed", "format int32 added"),
        ("response-type-widened", "integer -> integer or null"),
        ("response-constraint-tightened", "maxLength 50 -> 20"),
        ("security-alternative-removed", "apiKey"),
        ("security-alternative-added", "no credentials"),
    ],
)
def test_details_say_what_changed(case: str, detail: str) -> None:
    assert detail in {c.detail for c in diff(*pair(case))}


def test_reversing_a_change_reverses_its_kind() -> None:
    base, head = pair("operation-added")
    assert {c.kind for c in diff(head, base)} == {"operation-removed"}
    base, head = pair("response-property-added")
    assert {c.kind for c in diff(head, base)} == {"response-property-removed"}


def _labelled(labels: dict[str, Any]) -> dict[str, Any]:
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/x": {"get": {"responses": {
        "200": {"description": "OK", "content": {"application/json": {"schema": {
            "type": "object", "required": ["labels"], "properties": {"labels": labels}}}}}}}}}}


def test_a_maps_values_are_compared_as_any_keys_and_a_record_become_a_map_as_its_names() -> None:
    """``additionalProperties`` was not read at all: a map of strings become a map of integers, or a record
    become a map, was "no changes"; now its values are compared at ``labels.*``, and a record's named
    properties against the map's values (``count`` an integer, now a string as any key's value is)."""
    strings = {"type": "object", "additionalProperties": {"type": "string"}}
    record = {"type": "object", "required": ["env"],
              "properties": {"env": {"type": "string"}, "count": {"type": "integer"}}}
    changes = diff(_labelled(strings), _labelled({**strings, "additionalProperties": {"type": "integer"}}))
    assert [(c.kind, c.pointer, c.detail) for c in changes] == [
        ("response-type-changed", "labels.*", "string -> integer")]
    changes = diff(_labelled(record), _labelled(strings))
    assert [(c.kind, c.pointer, c.detail) for c in changes] == [
        ("response-object-now-map", "labels", "properties count, env -> any key"),
        ("response-type-changed", "labels.count", "integer -> string")]
    assert [(c.kind, c.pointer) for c in diff(_labelled(strings), _labelled(record))] == [
        ("response-type-changed", "labels.count"), ("response-map-now-object", "labels")]
    free = {"type": "object", "additionalProperties": True}  # any value: a map all the same
    assert [(c.kind, c.pointer) for c in diff(_labelled(record), _labelled(free))] == [
        ("response-object-now-map", "labels"), ("response-type-widened", "labels.count"),
        ("response-type-widened", "labels.env")]


def _seen(schema: dict[str, Any], n: int) -> dict[str, Any]:
    return {**schema, "x-specbuild-seen": n}


def test_a_learned_record_become_a_learned_map_is_only_what_the_second_sample_showed() -> None:
    """Two learned specs of one API: a ``usage`` record (``cpu``, ``mem``, a ``note`` string seen twice)
    learned as a map of integers from a sample whose keys varied. The map's 120 values were counted at every
    key and say nothing of ``note``: no breaking ``note`` string -> integer, either way (review 56)."""
    record = _seen({"type": "object", "required": ["cpu", "mem"], "properties": {
        "cpu": _seen({"type": "integer"}, 60), "mem": _seen({"type": "integer"}, 60),
        "note": _seen({"type": "string"}, 2)}}, 60)
    counted = _seen({"type": "object", "additionalProperties": _seen({"type": "integer"}, 120)}, 60)

    def learned(usage: dict[str, Any]) -> dict[str, Any]:
        doc = _labelled(usage)
        body = doc["paths"]["/x"]["get"]["responses"]["200"]["content"]["application/json"]
        body["schema"] = _seen({**body["schema"], "properties": {"usage": usage}, "required": ["usage"]}, 60)
        return doc

    for base, head, kind in ((record, counted, "response-object-map-unproven"),
                             (counted, record, "response-map-now-object")):
        changes = diff(learned(base), learned(head), learned_head=True)
        assert [(c.kind, c.severity, c.pointer) for c in changes] == [(kind, "info", "usage")]


def test_a_property_beside_a_map_gone_from_every_object_is_a_removal_when_no_key_could_hold_it() -> None:
    """Pushgateway's metric groups: ``labels`` and ``last_push_successful`` (a boolean) in every group,
    beside a map of metrics (objects). A second learned sample whose groups all lack the boolean had it
    among no keys either: its map's values are objects only, and a learner that met the key merged its
    value there. Proven gone (110 bodies, then 139), where a map whose values take booleans could hold
    it: nothing said (review: drift gate missed it, stop 58)."""
    metric = {"type": "object", "properties": {"help": {"type": "string"}}}

    def learned(group: dict[str, Any], bodies: int) -> dict[str, Any]:
        doc = _labelled({"type": "object"})
        body = doc["paths"]["/x"]["get"]["responses"]["200"]["content"]["application/json"]
        body["schema"] = _seen({"type": "object", "properties": {"data": {"type": "array", "items": group}},
                                "required": ["data"]}, bodies)
        return doc

    named = _seen({"type": "object", "properties": {"labels": {"type": "object"}, "ok": {"type": "boolean"}},
                   "additionalProperties": metric}, 3210)
    gone = _seen({"type": "object", "properties": {"labels": {"type": "object"}},
                  "additionalProperties": metric}, 6611)
    changes = diff(learned(named, 110), learned(gone, 139), learned_head=True)
    assert [(c.kind, c.severity, c.pointer) for c in changes] == [
        ("response-property-removed", "breaking", "data[].ok")]
    may_hold = {**gone, "additionalProperties": {"anyOf": [metric, {"type": "boolean"}]}}
    changes = diff(learned(named, 110), learned(may_hold, 139), learned_head=True)
    assert [(c.kind, c.severity, c.pointer) for c in changes] == [("response-type-unproven", "info", "data[].*")]
    # a person's spec (no counts): its map's keys are anyone's, the name compared with their values, as before
    person = [{k: v for k, v in schema.items() if k != "x-specbuild-seen"} for schema in (named, gone)]
    assert [(c.kind, c.pointer) for c in diff(_labelled(person[0]), _labelled(person[1]))] == [
        ("response-type-changed", "labels.ok")]


@pytest.mark.parametrize(("base", "head", "expected"), [
    # named beside a map on one side only: the name is compared with the other side's values, not lost
    ({"properties": {"size": {"type": "integer"}}, "required": ["size"], "additionalProperties": {"type": "string"}},
     {"additionalProperties": {"type": "string"}},
     [("response-object-now-map", ""), ("response-type-changed", "size")]),
    ({"additionalProperties": {"type": "string"}},
     {"properties": {"size": {"type": "integer"}}, "additionalProperties": {"type": "string"}},
     [("response-type-changed", "size"), ("response-map-now-object", "")]),
    # `properties: {}` beside the map is no name: one flip, no property removed beside it
    ({"properties": {"a": {"type": "string"}, "b": {"type": "integer"}}},
     {"properties": {}, "additionalProperties": {"type": "string"}},
     [("response-object-now-map", ""), ("response-type-changed", "b")]),
    # a writeOnly property never comes back in a response: nothing to compare, nothing to name
    ({"properties": {"name": {"type": "string"}, "password": {"type": "integer", "writeOnly": True}}},
     {"additionalProperties": {"type": "string"}}, [("response-object-now-map", "")]),
])
def test_named_properties_beside_a_map_are_compared_once_with_its_values(
        base: dict[str, Any], head: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    changes = diff(_labelled({"type": "object", **base}), _labelled({"type": "object", **head}))
    assert [(c.kind, c.pointer.removeprefix("labels").lstrip(".")) for c in changes] == expected


def _chain(depth: int, last: dict[str, Any]) -> dict[str, Any]:
    """A response of component C0, each Ci holding three properties that are C(i+1), the last ``last``."""
    schemas: dict[str, Any] = {f"C{i}": {"type": "object", "properties": {
        k: {"$ref": f"#/components/schemas/C{i + 1}"} for k in ("a", "b", "c")}} for i in range(depth)}
    schemas[f"C{depth}"] = last
    doc = _labelled({"$ref": "#/components/schemas/C0"})
    doc["components"] = {"schemas": schemas}
    return doc


def test_a_dense_graph_of_components_is_compared_once_per_pair_and_its_changes_said_at_each_place() -> None:
    """Stripe's description against itself ran for more than ten minutes: every path to every pair of
    components was walked (3^14 paths here). Each pair is compared once in a place; reached again, its
    changes are said again at the new pointer, as a walk of every path said them."""
    import time

    leaf = {"type": "object", "properties": {"n": {"type": "integer"}}}
    start = time.process_time()
    assert diff(_chain(14, leaf), _chain(14, leaf)) == []
    assert time.process_time() - start < 5
    changed = diff(_chain(6, leaf), _chain(6, {"type": "object", "properties": {"n": {"type": "string"}}}))
    pointers = {c.pointer for c in changed}
    assert {c.kind for c in changed} == {"response-type-changed"} and len(pointers) == 3 ** 6
    assert "labels.a.b.c.a.b.c.n" in pointers and "labels.c.c.c.c.c.c.n" in pointers


def test_a_learned_head_reports_no_absence_and_no_learned_requiredness() -> None:
    """... unless counts prove it (drift/evidence.py): a property in all 40 objects before and in none
    of 300 now is gone."""
    for case in sorted(INDEX["cases"]):
        for change in diff(*pair(case), learned_head=True):
            assert change.kind not in LEARNED_SUPPRESSED or (change.proven and case == "learned-property-removed")
    [change] = diff(*pair("required-parameter-added"), learned_head=True)
    assert (change.kind, change.severity) == ("parameter-added", "info")
    assert diff(*pair("operation-removed"), learned_head=True) == []


def test_changes_are_sorted_most_severe_first_and_deterministic() -> None:
    base, head = pair("response-enum-value-removed")
    changes = diff(base, head)
    assert [c.severity for c in changes] == sorted(
        (c.severity for c in changes), key=["breaking", "warning", "info"].index
    )
    assert changes == diff(json.loads(json.dumps(base)), json.loads(json.dumps(head)))


def test_recursive_schemas_terminate() -> None:
    base = load("human.base.json")
    head = json.loads(json.dumps(base))
    head["components"]["schemas"]["Order"]["allOf"][1]["properties"]["parent"] = {
        "allOf": [{"$ref": "#/components/schemas/Order"}],
        "nullable": True,
    }
    assert {c.kind for c in diff(base, head)} <= {"response-type-widened"}


@pytest.mark.slow
@pytest.mark.skipif(not DEVSET.is_dir(), reason="needs ../shared/devset (not in this checkout)")
def test_real_api_descriptions_equal_themselves() -> None:
    for path in sorted(DEVSET.glob("*.truth.json")):
        doc = json.loads(path.read_text())
        assert diff(doc, doc) == [], path.name


def _with_age(schema: dict[str, Any]) -> dict[str, Any]:
    body = {"content": {"application/json": {"schema": {"type": "object", "properties": {"age": schema}}}}}
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/users": {"post": {
        "requestBody": body, "responses": {"201": {"description": "Created", **body}}}}}}


@pytest.mark.parametrize("typed", [{"type": "integer"}, {"type": "number"}])
def test_the_natural_range_of_a_number_is_no_change(typed: dict[str, Any]) -> None:
    # specbuild names int64 and double on every number it learns; a spec written before it did, or by
    # hand without them, is the same contract
    natural = {**typed, "format": "int64" if typed["type"] == "integer" else "double"}
    assert diff(_with_age(typed), _with_age(natural)) == []
    assert diff(_with_age(natural), _with_age(typed)) == []
    narrower = {**typed, "format": "int32" if typed["type"] == "integer" else "float"}
    assert {c.kind for c in diff(_with_age(typed), _with_age(narrower))} == {"request-type-narrowed",
                                                                            "response-type-narrowed"}
    assert {c.kind for c in diff(_with_age(natural), _with_age(narrower))} == {"request-type-changed",
                                                                              "response-type-changed"}


def test_a_number_become_an_integer_is_a_type_change_not_a_format_change_too() -> None:
    """PocketBase's ``rating``: double in one sample, int64 in the next (each format natural to its
    type). The type narrowed, said once; no "format double -> int64" beside it."""
    number = {"type": "number", "format": "double"}
    integer = {"type": "integer", "format": "int64"}
    assert {(c.kind, c.detail) for c in diff(_with_age(number), _with_age(integer))} == {
        ("request-type-narrowed", "number -> integer"), ("response-type-narrowed", "number -> integer")}
    assert {(c.kind, c.detail) for c in diff(_with_age(integer), _with_age(number))} == {
        ("request-type-widened", "integer -> number"), ("response-type-widened", "integer -> number")}
    # a learned spec makes no claim of narrowing: nothing breaks
    assert [c for c in diff(_with_age(number), _with_age(integer), learned_head=True) if c.severity == "breaking"] == []


def test_names_tags_and_summaries_are_no_change() -> None:
    """Two specs learned from samples of one traffic may name an operation differently (a name is told
    apart from a like one only when both are seen): that is no change for a client of the API."""
    base = json.loads((ROOT / "fixtures" / "users.openapi.json").read_text())
    head = json.loads((ROOT / "fixtures" / "users.openapi.json").read_text())
    for item in head["paths"].values():
        for op in item.values():
            op["operationId"] += "Renamed"
            op["summary"] = "Something else"
            op["tags"] = ["other"]
    head["tags"] = [{"name": "other", "description": "Operations on other"}]
    assert diff(base, head) == []


def _learned_rows(tier: dict[str, Any], seen: int | None = 20) -> dict[str, Any]:
    """A learned spec whose query answers are rows, or an object holding rows (an ``anyOf`` at the body's
    root: uncounted), and a row's ``tier`` is ``tier``; ``seen``: the rows' count (None: not learned)."""
    row: dict[str, Any] = {"type": "object", "properties": {"tier": tier}}
    if seen is not None:
        row["x-specbuild-seen"] = seen
    body = {"anyOf": [{"type": "array", "items": row}, {"type": "object", "properties": {
        "rows": {"type": "array", "items": row}}}]}
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/query": {"get": {"responses": {
        "200": {"description": "OK", "content": {"application/json": {"schema": body}}}}}}}}


def test_evidence_is_read_below_an_uncounted_root() -> None:
    """A learned body whose root is an ``anyOf`` (rows, or an object of rows) has no count there; its
    branches' counts are the evidence, as a counted root's are. Datasette's query rows: a column seen 20
    times as strings or null in one sample and only null in the other (``{}``: nothing learned) was
    "null or string -> any", breaking, on an unchanged API (the sixth held-out set)."""
    typed = {"type": "string", "nullable": True}
    changes = diff(_learned_rows(typed), _learned_rows({}, seen=300), learned_head=True)
    assert {(c.kind, c.severity) for c in changes} == {("response-type-unproven", "info")} and len(changes) == 2
    # without counts on one side, the claim is read as certain, as for a spec written by hand
    changes = diff(_learned_rows(typed, seen=None), _learned_rows({}, seen=300), learned_head=True)
    assert {(c.kind, c.severity) for c in changes} == {("response-type-widened", "breaking")}


def test_counts_on_both_sides_tell_a_change_from_knowing_more() -> None:
    """A learned spec's claims carry their evidence: the same case with thinner counts is no change."""
    base, head = pair("learned-property-now-optional")  # absent from 150 of 200, present in 40 of 40 before
    [change] = diff(base, head, learned_head=True)
    assert (change.kind, change.severity, change.proven) == ("response-property-now-optional", "breaking", True)
    assert change.detail == "absent from 150 of 200 objects (from none of 40 before)"
    base, head = pair("learned-required-unproven")
    [change] = diff(base, head, learned_head=True)
    assert (change.kind, change.severity) == ("response-required-unproven", "info")
    # without counts on one side, the claim is read as certain, as for a spec written by hand
    head["paths"]["/items/{itemId}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"].pop(
        "x-specbuild-seen")
    assert [c.kind for c in diff(base, head)] == ["response-property-now-optional"]


def test_flat_bracketed_parameters_and_one_deep_object_compare_leaf_by_leaf() -> None:
    """The same names on the wire: no parameter removed or added, but a narrower leaf still breaks."""
    base, head = pair("parameter-now-deep-object")
    changes = diff(base, head)
    assert [(c.kind, c.where) for c in changes] == [("parameter-now-deep-object", "query parameter filter")]
    narrowed = json.loads(json.dumps(head))
    deep = next(p for p in narrowed["paths"]["/users"]["get"]["parameters"] if p["name"] == "filter")
    deep["schema"]["properties"]["age"]["properties"]["gte"] = {"type": "integer", "maximum": 10}
    deep["required"] = True
    kinds = {(c.kind, c.severity, c.pointer) for c in diff(base, narrowed)}
    assert kinds == {("parameter-now-deep-object", "info", ""), ("parameter-now-required", "breaking", ""),
                     ("request-constraint-tightened", "breaking", "filter[age][gte]")}


def test_a_deep_object_whose_schema_is_a_union_naming_itself_is_compared_without_end() -> None:
    """``F: anyOf [F, {a}]`` (a filter that nests itself): the walk of its branches ends (MAX_REF_HOPS, as
    check's reading of it), where it recursed until Python stopped it (RecursionError)."""
    union = {"anyOf": [{"$ref": "#/components/schemas/F"},
                       {"type": "object", "properties": {"a": {"type": "string"}}}]}
    flat = _query_doc({"name": "filter[a]", "in": "query", "schema": {"type": "string"}})
    deep = _query_doc({"name": "filter", "in": "query", "style": "deepObject", "explode": True,
                       "schema": {"$ref": "#/components/schemas/F"}})
    for doc in (flat, deep):
        doc["components"] = {"schemas": {"F": union}}
    assert [c.kind for c in diff(flat, deep)] == ["parameter-now-deep-object"]


def _query_doc(*params: dict[str, Any]) -> dict[str, Any]:
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/x": {"get": {
        "parameters": list(params), "responses": {"200": {"description": "ok"}}}}}}


def _flat(name: str, **kw: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": {"type": "string"}, **kw}


def _deep(schema: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return {"name": "filter", "in": "query", "schema": schema, "style": "deepObject", "explode": True, **kw}


FIELDS = {"a": {"type": "string"}, "b": {"type": "string"}}


@pytest.mark.parametrize(("base", "head", "expected"), [
    # a closed object without b: filter[b] rejected, as a flat spec dropping it says
    ([_flat("filter[a]"), _flat("filter[b]")],
     [_deep({"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": False})],
     {("parameter-removed", "warning", "query parameter filter[b]")}),
    # a field the object now requires: a client sending filter[b] alone is refused
    ([_flat("filter[a]"), _flat("filter[b]")], [_deep({"type": "object", "properties": FIELDS, "required": ["a"]})],
     {("parameter-now-required", "breaking", "query parameter filter[a]")}),
    # an array or a scalar where keys were named
    ([_flat("filter[a]")], [_deep({"type": "array", "items": {"type": "string"}})],
     {("parameter-removed", "warning", "query parameter filter[a]")}),
    ([_flat("filter[a]")], [_deep({"type": "integer"})],
     {("parameter-removed", "warning", "query parameter filter[a]")}),
    # the other way: a field of the object no flat name spells is gone; a required flat name is new
    ([_deep({"type": "object", "properties": FIELDS})], [_flat("filter[a]")],
     {("parameter-removed", "warning", "query parameter filter[b]")}),
    ([_deep({"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}, required=True)],
     [_flat("filter[a]"), _flat("filter[b]", required=True)],
     {("required-parameter-added", "breaking", "query parameter filter[b]"),
      ("parameter-now-optional", "info", "query parameter filter[a]")}),
    # a field the object requires that the flat names never spelled
    ([_flat("filter[a]")], [_deep({"type": "object", "properties": FIELDS, "required": ["b"]})],
     {("required-parameter-added", "breaking", "query parameter filter[b]")}),
])
def test_flat_names_against_a_deep_object_report_what_flat_names_would(
        base: list[dict[str, Any]], head: list[dict[str, Any]], expected: set[tuple[str, str, str]]) -> None:
    """Each of these was one info (parameter-now-deep-object / -no-longer-) whatever the object said."""
    changes = {(c.kind, c.severity, c.where) for c in diff(_query_doc(*base), _query_doc(*head))}
    assert changes - {(k, "info", "query parameter filter") for k in DEEP_KINDS} == expected


DEEP_KINDS = ("parameter-now-deep-object", "parameter-no-longer-deep-object", "parameter-now-required",
              "parameter-now-optional")


def test_a_media_type_now_under_a_range_is_no_removal() -> None:
    """A body without Content-Type was learned application/octet-stream, now ``*/*`` (http.UNDECLARED_MEDIA):
    the type is still documented, under the range; a type no range covers is still removed."""
    def doc(content: dict[str, Any]) -> dict[str, Any]:
        return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/flows": {"get": {
            "responses": {"401": {"description": "Unauthorized", "content": content}}}}}}

    binary = {"schema": {"type": "string", "format": "binary"}}
    base = doc({"application/octet-stream": binary})
    assert [(c.kind, c.severity) for c in diff(base, doc({"*/*": binary}))] == [("response-media-type-added", "info")]
    assert [c.kind for c in diff(base, doc({"application/*": binary}))] == ["response-media-type-added"]
    assert "response-media-type-removed" in {c.kind for c in diff(base, doc({"text/*": binary}))}


@pytest.mark.parametrize(("before", "after", "kind"), [
    ({"type": "integer"}, {"type": "string"}, "request-type-widened"),  # Tiled's block=0, then block=0,1
    ({"type": "boolean"}, {"type": "string"}, "request-type-widened"),
    ({"type": "string"}, {"type": "integer"}, "request-type-narrowed"),
    ({"type": "integer"}, {"type": "boolean"}, "request-type-changed"),
    ({"type": "array", "items": {"type": "integer"}}, {"type": "array", "items": {"type": "string"}},
     "request-type-widened"),
])
def test_a_parameters_value_is_text_so_a_string_takes_every_scalar(before: dict[str, Any], after: dict[str, Any],
                                                                  kind: str) -> None:
    """A query parameter learned integer from ``block=0`` and string once ``block=0,1`` came: every value
    a client sent before is still accepted (widened, info), where a body's integer become a string is not."""
    changes = diff(_query_doc(_flat("block", schema=before)), _query_doc(_flat("block", schema=after)))
    assert [(c.kind, c.where) for c in changes] == [(kind, "query parameter block")]
    body = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/x": {"post": {
        "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {
            "block": before}}}}}, "responses": {"200": {"description": "ok"}}}}}}
    head = json.loads(json.dumps(body))
    head["paths"]["/x"]["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"]["block"] = after
    if before.get("type") != "string":
        assert {c.kind for c in diff(body, head)} == {"request-type-changed"}


@pytest.mark.parametrize(("before", "after", "kinds"), [
    ({"type": "integer", "enum": [1, 2]}, {"type": "string", "enum": ["1", "2", "3"]},
     [("request-enum-value-added", 'added: "3"'), ("request-type-widened", "integer -> string")]),
    ({"type": "boolean", "enum": [True, False]}, {"type": "string", "enum": ["true", "false"]},
     [("request-type-widened", "boolean -> string")]),
    ({"type": "string", "enum": ["1", "2"]}, {"type": "integer", "enum": [1]},
     [("request-enum-value-removed", 'removed: "2"'), ("request-type-narrowed", "string -> integer")]),
])
def test_a_parameters_enum_values_are_compared_as_the_text_they_are_sent_as(
        before: dict[str, Any], after: dict[str, Any], kinds: list[tuple[str, str]]) -> None:
    """``level`` enum [1, 2] and enum ["1", "2", "3"] are the same two values on the wire and one more: the
    diff said all the integers were removed (breaking) and the strings added, where the type's change it
    reads as text (widened)."""
    changes = diff(_query_doc(_flat("level", schema=before)), _query_doc(_flat("level", schema=after)))
    assert sorted((c.kind, c.detail) for c in changes) == kinds


@pytest.mark.parametrize(("before", "after", "tightened"), [
    ({"type": "integer", "minimum": 0}, {"type": "string", "minLength": 1}, []),  # "0" is one character
    ({"type": "number"}, {"type": "string", "minLength": 1}, []),
    ({"type": "boolean"}, {"type": "string", "minLength": 4}, []),  # "true", "false"
    ({"type": "integer"}, {"type": "string", "minLength": 2}, ["minLength none -> 2"]),  # "5" is refused now
    ({"type": "boolean"}, {"type": "string", "minLength": 5}, ["minLength none -> 5"]),  # "true" is
    ({"type": "integer"}, {"type": "string", "maxLength": 3}, ["maxLength none -> 3"]),  # "1000" is
    ({"type": "integer"}, {"type": "string", "pattern": "^[0-9]+$"}, ["pattern none -> \"^[0-9]+$\""]),
    ({"type": "string"}, {"type": "string", "minLength": 1}, ["minLength none -> 1"]),  # "" was a string
])
def test_a_string_length_a_widened_parameters_every_old_value_has_is_no_tightening(
        before: dict[str, Any], after: dict[str, Any], tightened: list[str]) -> None:
    """``block`` integer (``minimum: 0``), then string with ``minLength: 1``: every integer a client sent is
    still sent as one character or more, so the new bound refuses none of them; the diff said
    ``request-constraint-tightened`` (breaking). A bound some old value breaks is still one."""
    changes = diff(_query_doc(_flat("block", schema=before)), _query_doc(_flat("block", schema=after)))
    assert [c.detail for c in changes if c.kind == "request-constraint-tightened"] == tightened


def test_a_new_min_length_refuses_the_empty_value_a_parameter_allowed() -> None:
    """``allowEmptyValue: true``: ``?block=`` was a value clients could send, of no character; a new
    ``minLength: 1`` refuses it, however long every integer's spelling is."""
    before = _flat("block", schema={"type": "integer"}, allowEmptyValue=True)
    changes = diff(_query_doc(before), _query_doc(_flat("block", schema={"type": "string", "minLength": 1})))
    assert [c.detail for c in changes if c.kind == "request-constraint-tightened"] == ["minLength none -> 1"]


@pytest.mark.parametrize("media", ["application/x-www-form-urlencoded", "multipart/form-data"])
def test_a_forms_field_is_text_as_a_query_parameter_is(media: str) -> None:
    """``n=5`` then ``n=five`` in a form body: every value a client sent before is still accepted (widened),
    as for a query parameter; the same change in a JSON body is a changed type (breaking)."""
    def doc(mt: str, typed: str) -> dict[str, Any]:
        return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/x": {"post": {
            "requestBody": {"content": {mt: {"schema": {"type": "object", "properties": {"n": {"type": typed}}}}}},
            "responses": {"200": {"description": "ok"}}}}}}
    assert [c.kind for c in diff(doc(media, "integer"), doc(media, "string"))] == ["request-type-widened"]
    assert [c.kind for c in diff(doc(media, "string"), doc(media, "integer"))] == ["request-type-narrowed"]
    assert [c.kind for c in diff(doc("application/json", "integer"), doc("application/json", "string"))] == [
        "request-type-changed"]


def _learned_contents(props: dict[str, Any], answered: int, objects: int | None = None) -> dict[str, Any]:
    """A learned spec whose ``GET /contents/{name}`` answers a shared ``Content`` (``objects``: the
    component's count, pooled from its places; ``answered``: the distinct requests this place answered)."""
    component = {"type": "object", "properties": props, "x-specbuild-seen": objects or answered}
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/contents/{name}": {"get": {
        "responses": {"200": {"description": "OK", "x-specbuild-seen": answered, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Content"}}}}}}}},
        "components": {"schemas": {"Content": component}}}


def test_a_property_in_every_object_gone_from_every_object_is_removed_without_a_required_claim() -> None:
    """Jupyter's contents model: ``writable`` in every one of 47 answers at one place, 130 at another, one
    shared component. Too few at the first for ``required`` (REQUIRED_MIN_WITNESSES), so the component
    claims none; the property then went from all 47 answers of the next sample, and the gate said nothing.
    A property in every object before and in none of as many now is a removal the counts prove, claim or
    no claim (the test ``required`` has, drift/evidence.py); the counts are this place's, not those of
    another place sharing the component."""
    typed = {"type": "boolean"}
    base = _learned_contents({"name": {"type": "string"}, "writable": typed}, answered=47, objects=130)
    head = _learned_contents({"name": {"type": "string"}}, answered=47)
    [change] = diff(base, head, learned_head=True)
    assert (change.kind, change.severity, change.proven) == ("response-property-removed", "breaking", True)
    assert change.detail == "in every one of 47 objects before, in none of 47 now"
    # this place answered 3 requests before and 3 now (the component's 130 are another place's): chance
    thin = _learned_contents({"name": {"type": "string"}, "writable": typed}, answered=3, objects=130)
    assert diff(thin, _learned_contents({"name": {"type": "string"}}, answered=3), learned_head=True) == []
    # absent from some objects before (its own count): its absence now is no change
    some = _learned_contents({"name": {"type": "string"}, "writable": {**typed, "x-specbuild-seen": 40}},
                             answered=47)
    assert diff(some, head, learned_head=True) == []


def test_a_learned_head_seen_only_empty_has_lost_every_property() -> None:
    """changedetection.io's ``POST /tag`` answers ``{"uuid": ...}``: with ``uuid`` gone from all 40
    answers, the head learned ``{}`` (an object, its count, no properties) and the gate compared nothing."""
    head = _learned_contents({}, answered=47)
    del head["components"]["schemas"]["Content"]["properties"]
    base = _learned_contents({"uuid": {"type": "string", "format": "uuid"}}, answered=47)
    [change] = diff(base, head, learned_head=True)
    assert (change.kind, change.pointer, change.proven) == ("response-property-removed", "uuid", True)
    # a hand-written free-form object is no evidence of anything absent
    del head["paths"]["/contents/{name}"]["get"]["responses"]["200"]["x-specbuild-seen"]
    del head["components"]["schemas"]["Content"]["x-specbuild-seen"]
    assert diff(base, head, learned_head=True) == []


def test_a_property_gone_is_weighed_on_the_bodies_that_reached_it_and_enough_of_them() -> None:
    """The synthetic Wallet Objects sample: ``language`` in each of 11 items of 6 arrays, deep in a
    shared component, and in none of the next sample's (its generator stopped short there): the same
    API. Items are counted as the arrays that held them (6), fewer than GONE_MIN_WITNESSES bodies: no
    proof. The check's own walk (drift/presence.py) weighs them alike."""
    from specbuild.drift.presence import watched

    def doc(items: dict[str, Any], arrays: int) -> dict[str, Any]:
        body = {"type": "object", "x-specbuild-seen": 47, "properties": {"values": {
            "type": "array", "x-specbuild-seen": arrays, "items": items}}}
        return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/x": {"get": {"responses": {
            "200": {"description": "OK", "x-specbuild-seen": 47, "content": {"application/json": {"schema": body}}}}}}}}

    base = doc({"type": "object", "x-specbuild-seen": 11, "properties": {"language": {"type": "string"}}}, 6)
    head = doc({"type": "object", "x-specbuild-seen": 52}, 33)
    assert [c for c in diff(base, head, learned_head=True) if c.severity == "breaking"] == []
    schema = base["paths"]["/x"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert watched(base, schema, 47) == ()
    # the same in 30 arrays: enough bodies, and gone from all 33
    base = doc({"type": "object", "x-specbuild-seen": 55, "properties": {"language": {"type": "string"}}}, 30)
    [change] = diff(base, head, learned_head=True)
    assert (change.kind, change.pointer, change.detail) == (
        "response-property-removed", "values[].language", "in every one of 30 objects before, in none of 33 now")
    schema = base["paths"]["/x"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert [(w.path, w.before) for w in watched(base, schema, 47)] == [(("values", "[]"), 30)]


def _calls(paths: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "x-specbuild-evidence": 2, "paths": paths}


def _post(body: dict[str, Any], seen: int, *params: str) -> dict[str, Any]:
    ok = {"description": "OK", "content": {"application/json": {"schema": {**body, "x-specbuild-seen": seen}}},
          "x-specbuild-seen": seen}
    return {"post": {"parameters": [{"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
                                    for p in params], "responses": {"200": ok}}}


def test_a_learned_heads_literals_are_compared_with_the_base_template_that_covers_them() -> None:
    """Gradio's endpoints under the names their author gave them, ``POST /gradio_api/call/<name>``: sample a's
    answers alike (``{event_id}``) made them one template; with ``event_id`` gone from every answer, the next
    sample's no longer answer alike and are learned literal. ``check`` routes their calls to the template and
    says the property is gone; ``build --check`` read the template "removed" (what traffic cannot prove) and
    the literals added, and said nothing."""
    receipt = {"type": "object", "properties": {"event_id": {"type": "string"}}, "required": ["event_id"]}
    base = _calls({"/call/{name}": _post(receipt, 72, "name"), "/call/v2/{name}": _post(receipt, 40, "name"),
                   "/upload": _post({"type": "array"}, 30)})
    head = _calls({"/call/summarize": _post({"type": "object"}, 18), "/call/classify": _post({"type": "object"}, 14),
                   "/call/v2/summarize": _post(receipt, 20), "/upload/more": _post({"type": "array"}, 9)})
    changes = diff(base, head, learned_head=True)
    gone = {(c.operation, c.kind, c.severity) for c in changes if c.pointer == "event_id"}
    assert gone == {("POST /call/{name}", "response-property-removed", "breaking")}
    assert len([c for c in changes if c.pointer == "event_id"]) == 2  # one for each literal, its own counts
    # the literals are the template's operation: none added; an operation no template covers still is
    assert {(c.operation, c.kind) for c in changes if c.pointer != "event_id"} == {
        ("POST /upload/more", "operation-added")}
    # two specs written by hand: a template is no literal's operation (``diff`` says removed and added)
    assert {c.kind for c in diff(base, head)} >= {"operation-removed", "operation-added"}
