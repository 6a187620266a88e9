"""Tests of specbuild.learn.schema: the rules of the rendered schema, and the laws of the fold.

Laws (Hypothesis): every folded value validates against the schema (3.0 and 3.1, formats checked);
folding order does not matter; merging pieces equals folding everything; pickling keeps the state;
genson (the reference) agrees on properties, required and types.
"""

from __future__ import annotations

import gzip
import json
import pickle
import random
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker, ValidationError

from specbuild.learn.schema import (
    ENUM_MAX,
    FORMATS,
    MAX_DEPTH,
    MAX_PROPS,
    REQUIRED_MIN_OBJECTS,
    Shape,
    StringsShape,
    infer_schema,
    infer_strings,
)
from specbuild.segments import numbered_alike, numbered_stem
from tests.helpers import reference_schema

DEVSET = Path(__file__).resolve().parents[2] / "shared" / "devset"
KEYWORDS = {"additionalProperties", "anyOf", "enum", "format", "items", "nullable", "properties",
            "required", "type"}

# jsonschema's 2020-12 checker knows every format we emit but uri (that needs rfc3987): a local check
# stands in for it.
CHECKER = FormatChecker(formats=())
CHECKER.checkers = dict(Draft202012Validator.FORMAT_CHECKER.checkers)

# Traffic cannot tell the sizes apart: the widest formats are named.
INT64 = {"type": "integer", "format": "int64"}
DOUBLE = {"type": "number", "format": "double"}


def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc) and " " not in value


CHECKER.checks("uri")(_is_uri)


# -- helpers ---------------------------------------------------------------------------------------
def to_json_schema(schema: Any, openapi: str) -> Any:
    """An OpenAPI 3.0/3.1 schema as JSON Schema 2020-12; fails on keywords the inferrer should not emit."""
    assert isinstance(schema, dict)
    assert set(schema) <= KEYWORDS, set(schema) - KEYWORDS
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "properties":
            out[key] = {k: to_json_schema(v, openapi) for k, v in value.items()}
        elif key in ("items", "additionalProperties"):
            out[key] = value if value is True else to_json_schema(value, openapi)
        elif key == "anyOf":
            out[key] = [to_json_schema(v, openapi) for v in value]
        elif key == "nullable":
            assert openapi == "3.0" and value is True
        else:
            out[key] = value
    if schema.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    return out


def fold(values: Iterable[Any]) -> Shape:
    shape = Shape()
    for v in values:
        shape.add(v)
    return shape


def fold_strings(values: Iterable[str]) -> StringsShape:
    shape = StringsShape()
    for v in values:
        shape.add(v)
    return shape


def assert_accepts(schema: dict[str, Any], values: Iterable[Any], openapi: str = "3.0") -> None:
    js = to_json_schema(schema, openapi)
    Draft202012Validator.check_schema(js)
    plain = Draft202012Validator(js)
    checked = Draft202012Validator(js, format_checker=CHECKER)
    for v in values:
        assert plain.is_valid(v), (v, schema)
        errors = [e.message for e in checked.iter_errors(v)]
        assert not errors, (v, schema, errors)


OPEN = {"additionalProperties": True, "type": "object"}  # keys of values of any kind: said, unlike {}'s


def both(values: list[Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    shape = fold(values)
    return shape.to_schema(), shape.to_schema(openapi="3.1")


# -- types -----------------------------------------------------------------------------------------
def test_integer_number_and_bool_are_told_apart() -> None:
    assert infer_schema([1, 2]) == INT64
    assert infer_schema([1, 2.5]) == DOUBLE
    assert infer_schema([2.0]) == DOUBLE
    assert infer_schema([True, False]) == {"type": "boolean"}
    assert infer_schema([True, 1]) == {"anyOf": [{"type": "boolean"}, INT64]}


def test_objects_sorted_with_required_present_in_every_object() -> None:
    values = [{"b": 1, "a": "x", "c": None}, {"a": "y", "b": 2}] * (REQUIRED_MIN_OBJECTS // 2)
    schema = infer_schema(values)
    assert list(schema["properties"]) == ["a", "b", "c"]
    assert schema["required"] == ["a", "b"]
    assert schema["type"] == "object"
    assert schema["properties"]["c"] == {"nullable": True}
    assert infer_schema([{}]) == {"type": "object"}
    assert "required" not in infer_schema([{"a": 1}, {}] * REQUIRED_MIN_OBJECTS)


def test_no_required_from_too_few_objects() -> None:
    values = [{"a": 1, "b": "x"}] * (REQUIRED_MIN_OBJECTS - 1)
    assert "required" not in infer_schema(values)
    assert infer_schema([*values, {"a": 2}])["required"] == ["a"]


def test_arrays_of_objects_merge_into_one_items_schema() -> None:
    values = [[{"id": 1, "tag": "a"}, {"id": 2}], [{"id": 3, "extra": True}]] * REQUIRED_MIN_OBJECTS
    schema = infer_schema(values)
    items = schema["items"]
    assert schema["type"] == "array"
    assert items["required"] == ["id"]
    assert sorted(items["properties"]) == ["extra", "id", "tag"]
    assert infer_schema([[]]) == {"items": {}, "type": "array"}


def test_nullable_in_30_and_type_lists_in_31() -> None:
    s30, s31 = both(["2024-03-04T08:00:00Z", None])
    assert s30 == {"format": "date-time", "nullable": True, "type": "string"}
    assert s31 == {"format": "date-time", "type": ["string", "null"]}


def test_only_null_accepts_anything_and_says_so_in_30() -> None:
    s30, s31 = both([None, None])
    assert s30 == {"nullable": True}
    assert s31 == {}
    assert Shape().to_schema() == {}


def test_mixed_kinds_become_anyof_with_null_on_every_branch() -> None:
    values = ["x", {"a": 1}, None, 3]
    s30, s31 = both(values)
    assert [b["type"] for b in s30["anyOf"]] == ["integer", "object", "string"]
    assert all(b["nullable"] is True for b in s30["anyOf"])
    assert [b["type"] for b in s31["anyOf"]] == [["integer", "null"], ["object", "null"], ["string", "null"]]
    assert_accepts(s30, values, "3.0")
    assert_accepts(s31, values, "3.1")


def test_a_value_seen_as_four_kinds_is_any_json_and_three_stay_a_union() -> None:
    # a user's setting: no type one sample holds is a promise about the next (an object, here)
    four = [{"value": v} for v in ("on", 3, True, ["a"], None)]
    s30, s31 = both(four)
    assert s30["properties"]["value"] == s31["properties"]["value"] == {}
    assert_accepts(s30, [*four, {"value": {"channel": "#ops"}}, {"value": 2.5}], "3.0")
    three = ["x", 3, ["a"]]
    assert [b["type"] for b in infer_schema(three)["anyOf"]] == ["array", "integer", "string"]


# -- formats ---------------------------------------------------------------------------------------
FORMAT_EXAMPLES = {
    "date-time": ["2024-03-04T08:00:00Z", "2021-10-14t01:10:05.123+02:00", "2024-02-29T00:00:00-05:30"],
    "date": ["2024-03-04", "2000-02-29", "1999-12-31"],
    "time": ["08:00:00Z", "23:59:59.5+01:00"],
    "uuid": ["131c64c0-e2f7-4aba-8e4f-68825bc485b8", "00000000-0000-0000-0000-000000000000"],
    "email": ["octocat@github.com", "a.b+c@mail.example.org"],
    "uri": ["https://api.github.com/users/octocat", "http://localhost:8080/a?b=c#d", "ftp://x.org/%20"],
    "ipv4": ["10.0.0.1", "255.255.255.255"],
    "ipv6": ["::1", "2001:db8::8a2e:370:7334"],
}
NOT_FORMATTED = [
    "2021-02-29", "2021-04-31", "0000-01-01", "2024-13-01", "2024-03-04 08:00:00", "2024-03-04T08:00:00",
    "08:00:00", "24:00:00Z", "131c64c0e2f74aba8e4f68825bc485b8", "octocat", "not an@email",
    "https://api.github.com/users/octocat/starred{/owner}", "https://x.org/%zz", "mailto:", "256.1.1.1",
    "01.2.3.4", "1.2.3", "12:30", "", "42",
]


@pytest.mark.parametrize("name", sorted(FORMAT_EXAMPLES))
def test_format_when_every_string_matches(name: str) -> None:
    values = FORMAT_EXAMPLES[name]
    schema = infer_schema(values)
    assert schema == {"format": name, "type": "string"}
    assert_accepts(schema, values)
    assert "format" not in infer_schema([*values, "something else"])
    assert infer_schema([*values, None])["format"] == name  # null is not a string that fails


@pytest.mark.parametrize("value", NOT_FORMATTED)
def test_no_format_for_near_misses(value: str) -> None:
    assert infer_schema([value]) == {"type": "string"}


def test_every_emitted_format_is_checked_by_the_test_validator() -> None:
    assert {name for name, _ in FORMATS} <= set(CHECKER.checkers)


# -- enums -----------------------------------------------------------------------------------------
def status_values(n: int = 30) -> list[str]:
    return ["enabled" if i % 3 else "disabled" for i in range(n)]


def test_enum_for_few_repeated_tokens() -> None:
    assert infer_schema(status_values()) == {"enum": ["disabled", "enabled"], "type": "string"}
    assert infer_schema(status_values(), enums=False) == {"type": "string"}


def test_enum_lists_null_when_nullable() -> None:
    s30, s31 = both([*status_values(), None])
    assert s30 == {"enum": ["disabled", "enabled", None], "nullable": True, "type": "string"}
    assert s31 == {"enum": ["disabled", "enabled", None], "type": ["string", "null"]}


@pytest.mark.parametrize("values", [
    status_values(10),                                      # too few observations
    ["a", "b", "c", "d", "e", "f", "g", "h", "i"] * 5,      # too many distinct values
    [*status_values(), "paused"],                           # a value seen once: more are likely
    ["Jose Cohen", "Fatima Rossi"] * 20,                    # free text
    ["x4klx40ejr", "Rt6HNCpbFm2hm4g60dBy3Kxt"] * 20,        # ids
    ["deadbeef99", "cafebabe01"] * 20,                      # hex ids
    ["1", "2"] * 20,                                        # numbers
    ["2024-01-01", "2024-01-02"] * 20,                      # dates
    ["a@b.io", "c@d.io"] * 20,                              # emails
    ["x" * 40, "y" * 40] * 20,                              # long
])
def test_no_enum_without_evidence(values: list[str]) -> None:
    assert "enum" not in infer_schema(values)


@pytest.mark.parametrize("key", ["id", "name", "userId", "login", "email", "html_url", "nodeName",
                                 "full_name", "description", "ids", "user_names", "owner", "principal",
                                 "assignees", "created_by_account", "project", "namespace", "hostname"])
def test_no_enum_under_names_of_ids_and_text(key: str) -> None:
    schema = infer_schema([{key: v, "state": v} for v in status_values()])
    assert "enum" not in schema["properties"][key]
    assert "enum" in schema["properties"]["state"]


def test_no_enum_over_tags_people_choose() -> None:
    """Prefect's flow-run ``tags`` were learned as an enum of the six tags a sample used (``dev``,
    ``prod``, ``backfill``...): the next team's tag is 'not one of [...]'. Tags, like labels, are words
    each user chooses."""
    values = ["dev", "prod", "backfill"] * 10
    runs = infer_schema([{"tags": [v], "state": v} for v in values])["properties"]
    assert "enum" not in runs["tags"]["items"] and runs["state"]["enum"] == ["backfill", "dev", "prod"]
    assert "enum" not in infer_schema([{"tag": v, "state": v} for v in values])["properties"]["tag"]


def test_no_enum_over_references_to_people() -> None:
    """Permission principals (``account:alice``) were learned as an enum of the people seen: the
    next sample's new user was 'not one of [...]'."""
    values = ["account:alice", "account:bob", "group:ops"] * 10
    assert "enum" not in infer_schema([{"grantee": v} for v in values])["properties"]["grantee"]
    assert infer_schema(["read:org", "write:repo", "admin:hook"] * 10)["enum"] == [
        "admin:hook", "read:org", "write:repo"]   # a kind each: a closed set of scopes


def test_no_enum_over_places_and_currencies() -> None:
    """Users' records name places and currencies from vocabularies of the world: Datasette's customer rows
    (the sixth held-out set) learned ``city`` as an enum of the 7 cities seen, and the other sample's
    update to 'Austin' was refused; PocketBase's ``city`` and ``country`` alike."""
    rows = [{"city": c, "country": k, "currency": m, "kind": t} for c, k, m, t in zip(
        ["Berlin", "Lisbon", "Osaka"] * 10, ["DE", "PT", "JP"] * 10, ["eur", "jpy"] * 15, ["retail", "b2b"] * 15,
        strict=True)]
    props = infer_schema(rows)["properties"]
    assert [p for p in sorted(props) if "enum" in props[p]] == ["kind"]


def test_no_enum_over_a_prefix_composed_with_values() -> None:
    """ZenML's ``sort_by`` (the sixth held-out set): ``created`` and ``desc:name`` learned as an enum; a
    direction before any field of the resource, and the next sample sorts by another one."""
    values = ["created", "desc:name"] * 15
    assert "enum" not in infer_schema([{"sort_by": v} for v in values])["properties"]["sort_by"]
    assert infer_schema([{"order": v, "by": f"field{i}"} for i, v in enumerate(["asc", "desc"] * 15)]
                        )["properties"]["order"]["enum"] == ["asc", "desc"]
    # Strapi's sort[0] (the ninth held-out set): every value a field and a direction, the next sample others
    assert "enum" not in infer_strings(["capacity:desc", "starts_at:asc"] * 15)
    assert infer_schema(["read:org", "write:repo", "admin:hook"] * 10)["enum"] == [
        "admin:hook", "read:org", "write:repo"]   # still a closed set of scopes


def test_enum_memory_is_bounded() -> None:
    shape = fold(f"v{i}" for i in range(1000))
    assert shape.vals is None
    shape = fold(["on", "off"] * 1000)
    assert shape.vals == {"off": 1000, "on": 1000}
    assert ENUM_MAX >= 2


# -- maps, limits ----------------------------------------------------------------------------------
def test_objects_keyed_by_data_render_as_maps() -> None:
    keys = ["env", "team", "tier", "app.kubernetes.io/name", "region", "owner"]
    rng = random.Random(1)
    values = [{"labels": {k: rng.choice(["a", "b", "c"]) for k in rng.sample(keys, 1)}} for _ in range(60)]
    schema = infer_schema(values, enums=False)
    labels = schema["properties"]["labels"]
    assert labels == {"additionalProperties": {"type": "string"}, "type": "object"}
    assert_accepts(schema, values)


def test_objects_whose_every_key_is_data_are_maps_however_full() -> None:
    """A health report's ``checks`` (``application/health+json``): keys such as ``sqlite3:responseTime``,
    ``storage:local:responseTime``, the same few in every response. No API names its fields so: each is a
    component of this deployment (another adds ``redis:responseTime``), a map of one kind of value. A
    record with one such key beside names keeps its fields, and so does a lone data-shaped key."""
    checks = {k: [{"status": "ok", "componentType": "datastore", "observedValue": 3}]
              for k in ("sqlite3:connectionsAvailable", "sqlite3:responseTime", "storage:local:responseTime",
                        "email:connection")}
    reports = [{"status": "ok", "checks": checks} for _ in range(40)]
    schema = infer_schema(reports, enums=False)
    assert set(schema["properties"]["checks"]) == {"additionalProperties", "type"}
    assert schema["properties"]["checks"]["additionalProperties"]["type"] == "array"
    assert_accepts(schema, [*reports, {"status": "ok", "checks": {"redis:responseTime": checks["email:connection"]}}])
    record = [{"file": {"kernel.js": "x", "name": "a", "size": 3}} for _ in range(40)]
    assert set(infer_schema(record)["properties"]["file"]["properties"]) == {"kernel.js", "name", "size"}
    lone = [{"beat": {"nanosecond heartbeat": 17}} for _ in range(40)]
    assert "properties" in infer_schema(lone)["properties"]["beat"]


def test_objects_users_fill_in_are_maps_when_their_keys_vary() -> None:
    """Run parameters, settings: each user's own keys (identifiers, mixed values) are a map or an open
    object, not a union of everyone's keys; the same keys under another name stay properties, and so do
    the entities of a list named like one."""
    runs = [{"params": {"lr": 0.1, "epochs": 3}}, {"params": {"optimizer": "adam"}},
            {"params": {"batch": 32, "seed": 7}}, {"params": {"dropout": 0.5}}]
    schema = infer_schema(runs)
    assert schema["properties"]["params"] == OPEN
    assert_accepts(schema, runs)
    labels = [{"labels": {"env": "prod"}}, {"labels": {"team": "web"}}, {"labels": {"tier": "db"}}]
    assert infer_schema(labels)["properties"]["labels"] == {
        "additionalProperties": {"type": "string"}, "type": "object"}
    record = [{"result": {"lr": 0.1, "epochs": 3}}, {"result": {"optimizer": "adam"}},
              {"result": {"batch": 32, "seed": 7}}, {"result": {"dropout": 0.5}}]
    assert "properties" in infer_schema(record)["properties"]["result"]
    entities = [{"data": [{"id": "1", "a": "x"}, {"id": "2", "b": "y"}, {"id": "3", "c": "z"}, {"id": "4", "d": "w"}]}]
    assert "properties" in infer_schema(entities)["properties"]["data"]["items"]


def test_compound_names_of_user_objects_and_lists_among_their_values() -> None:
    """``job_variables``, ``podLabels``: the first words say whose; a run's parameters mix lists with
    scalars (Prefect's ``customer_ids`` beside ``dry_run``). Nested objects there still make a record
    (Kubernetes' metadata), and so does a compound whose last word names no user object."""
    jobs = [{"job_variables": {"OMP_NUM_THREADS": "4"}}, {"job_variables": {"AWS_REGION": "eu-west-1"}},
            {"job_variables": {"DBT_PROFILES_DIR": "/p", "OMP_NUM_THREADS": "8"}}]
    assert infer_schema(jobs)["properties"]["job_variables"] == {
        "additionalProperties": {"type": "string"}, "type": "object"}
    pods = [{"podLabels": {"app": "web"}}, {"podLabels": {"tier": "db"}}, {"podLabels": {"team": "ml"}}]
    assert "additionalProperties" in infer_schema(pods)["properties"]["podLabels"]
    runs = [{"parameters": {"customer_ids": [1, 2], "threshold": 0.5}}, {"parameters": {"dry_run": True}},
            {"parameters": {"end_date": "2026-01-01", "customer_ids": [3]}}, {"parameters": {"batch_size": 9}}]
    assert infer_schema(runs)["properties"]["parameters"] == OPEN
    meta = [{"metadata": {"labels": {"a": "b"}, "uid": "1"}}, {"metadata": {"ownerReferences": [{"k": 1}]}},
            {"metadata": {"labels": {"c": "d"}, "generateName": "x-"}}]
    assert "properties" in infer_schema(meta)["properties"]["metadata"]
    other = [{"job_results": {"OMP_NUM_THREADS": "4"}}, {"job_results": {"AWS_REGION": "eu-west-1"}},
             {"job_results": {"DBT_PROFILES_DIR": "/p", "OMP_NUM_THREADS": "8"}}]
    assert "properties" in infer_schema(other)["properties"]["job_results"]


def test_a_free_form_document_each_user_writes_is_open_whatever_its_values_mix() -> None:
    """Nautobot's ``local_config_context_data`` (the ninth held-out set): each device's own configuration
    keys (``bgp`` an object, ``banner`` a string, ``ntp_servers`` a list), drawn from what its owner
    configures; learned as one record of everyone's keys, the next sample's devices had 6 keys it lacked.
    A compound name ending in ``data`` names such a document: keys that vary, none in every object, make it
    open even where its values mix objects in. Other user objects with objects among their values stay
    records (Kubernetes' ``metadata``), and so does a ``*_data`` whose keys are in every object."""
    devices = [{"local_config_context_data": {"bgp": {"asn": 65000 + i}, "banner": "hi"}} if i % 3 == 0 else
               {"local_config_context_data": {"ntp_servers": ["10.0.0.1"], "mgmt_vrf": "mgmt"}} if i % 3 == 1 else
               {"local_config_context_data": {"snmp": {"community": "c"}, "syslog_host": "10.0.0.9"}}
               for i in range(12)]
    schema = infer_schema(devices)
    assert schema["properties"]["local_config_context_data"] == OPEN
    assert_accepts(schema, devices)
    meta = [{"metadata": {"labels": {"a": "b"}, "uid": "1"}}, {"metadata": {"ownerReferences": [{"k": 1}]}},
            {"metadata": {"labels": {"c": "d"}, "generateName": "x-"}}]
    assert "properties" in infer_schema(meta)["properties"]["metadata"]
    charts = [{"chart_data": {"points": [i], "axis": {"x": "t"}, "title": f"c{i}"}} for i in range(6)]
    assert "properties" in infer_schema(charts)["properties"]["chart_data"]
    # of one kind of values, sparse (a generator leaving optional fields out), it stays a record (review22)
    profiles = [{"client_profile_data": {k: "x" for k in keys}} for keys in
                (["email"], ["firstName", "lastName"], ["phone"], ["document", "email"], ["lastName"])] * 8
    assert "properties" in infer_schema(profiles)["properties"]["client_profile_data"]


def test_values_chosen_per_entity_are_a_map() -> None:
    """ZenML's secrets (the sixth held-out set): each secret's ``values`` keyed by what its owner stores
    (``dsn``, ``password``, ``aws_secret_access_key``), a patch's null deleting one; learned as one record
    of every secret's keys, the other sample's keys and nulls were refused. A ``values`` in every object
    with the same keys stays a record."""
    secrets = [{"values": {"dsn": "x"}}, {"values": {"password": "p", "host": "h"}}, {"values": {"token": None}},
               {"values": {"api_key": "k", "dsn": "y"}}]
    assert infer_schema(secrets)["properties"]["values"] == {
        "additionalProperties": {"type": "string", "nullable": True}, "type": "object"}
    ranges = [{"values": {"min": i, "max": i + 1}} for i in range(5)]
    assert "properties" in infer_schema(ranges)["properties"]["values"]


def test_a_json_schema_carried_as_data_maps_its_field_names() -> None:
    """Each block type's or deployment's schema names its own fields: ``properties`` (and ``$defs``...)
    of an object with a string ``type`` is a map of schemas; a record's field named ``properties`` is not."""
    blocks = [{"fields": {"type": "object", "title": "S3", "properties": {
                  "bucket": {"type": "string", "title": "Bucket"}, "region": {"type": "string"}}}},
              {"fields": {"type": "object", "title": "Snowflake", "required": ["account"], "properties": {
                  "account": {"type": "string", "title": "Account"}, "warehouse": {"type": "string"}}}}]
    fields = infer_schema(blocks)["properties"]["fields"]
    named = fields["properties"]["properties"]
    assert set(named) == {"additionalProperties", "type"}
    assert named["additionalProperties"]["properties"]["type"] == {"type": "string"}
    assert fields["properties"]["type"] == {"type": "string"}
    assert_accepts(fields, [{"type": "object", "properties": {"dbt_select": {"type": "string"}}}])
    record = [{"item": {"kind": "object", "properties": {"color": "red", "size": 3}}} for _ in range(4)]
    assert "color" in infer_schema(record)["properties"]["item"]["properties"]["properties"]["properties"]
    # an Azure resource: its type names the resource, its properties are the resource's fields
    arm = [{"type": "Microsoft.ServiceBus/namespaces", "properties": {"status": "Active", "n": i}} for i in range(4)]
    assert "status" in infer_schema(arm)["properties"]["properties"]["properties"]


def test_a_number_alone_beside_names_is_an_index_not_a_field() -> None:
    """PocketBase's batch error: ``{"code": 400, "message": ..., "3": {...}}`` named the request's index
    as a property; the names stay fields and the object says other keys come."""
    errors = [{"code": 400, "message": "bad", "3": {"code": "invalid"}}, {"code": 404, "message": "gone"},
              {"code": 403, "message": "no"}]
    schema = infer_schema(errors)
    assert set(schema["properties"]) == {"code", "message"}
    assert schema["additionalProperties"] is True
    assert_accepts(schema, [*errors, {"code": 400, "message": "x", "7": {"code": "invalid"}}])
    assert "2fa" in infer_schema([{"2fa": True, "name": "a"}])["properties"]


def test_a_map_whose_common_keys_recur_by_chance_is_still_a_map() -> None:
    # link names, tags, labels: mostly one-off keys, a few words that recur in some objects, none in most
    rng = random.Random(4)
    words = ["self", "next", "status", "docs", "billing", "audit"]
    values = [{"id": str(i), "links": {(rng.choice(words) if rng.random() < 0.4 else f"k{rng.getrandbits(32):x}"):
                                       "https://x.example/" + str(i) for _ in range(rng.randint(0, 3))}}
              for i in range(60)]
    schema = infer_schema(values, enums=False)
    assert schema["properties"]["links"] == {"additionalProperties": {"format": "uri", "type": "string"},
                                             "type": "object"}
    assert_accepts(schema, values)


def test_keys_shaped_as_data_make_a_map_whatever_kinds_the_values_mix() -> None:
    """A vector store's document metadata and its filters: each entity's own keys (``ticket/id``,
    ``repo:name``, ``end seconds``) with strings, numbers, flags and operator objects beside each other,
    under names no rule knows. They were listed as properties, so the next sample's keys were unknown
    and a key holding a string here and ``{"$gt": 3}`` there was a type change the gate called breaking."""
    rng = random.Random(6)
    keys = {"ticket/id": "T-1", "ticket/priority": 3, "repo:name": "api", "end seconds": 12.5, "isPublic": True,
            "author": "alice", "doc.type": "faq", "lang": "en"}
    docs = [{"metas": {k: keys[k] for k in rng.sample(sorted(keys), rng.randint(1, 3))}} for _ in range(40)]
    schema = infer_schema(docs)
    assert schema["properties"]["metas"] == OPEN   # an open object: the values mix kinds
    assert_accepts(schema, docs)
    filters = [{"where": {k: rng.choice([keys[k], {"$gt": 1}, {"$in": [keys[k]]}])}} for k in sorted(keys)] * 3
    filters += [{"where": {"$and": [{"lang": "en"}, {"repo:name": "api"}]}}]
    assert infer_schema(filters)["properties"]["where"] == OPEN


def test_a_key_shaped_as_data_under_a_users_name_is_a_map_however_full() -> None:
    """Cloud tags: the ``Name`` every team sets and a cluster's own ``k8s.io/...`` key in every object of
    a sample. Full objects read as a record, and the next cluster's key was unknown to it."""
    tags = [{"tags": {"Name": f"node-{i}", "k8s.io/cluster-autoscaler/prod-eu": "owned"}} for i in range(30)]
    assert infer_schema(tags, enums=False)["properties"]["tags"] == {
        "additionalProperties": {"type": "string"}, "type": "object"}
    fields = [{"result": {"Name": f"node-{i}", "k8s.io/cluster": "prod"}} for i in range(30)]
    assert "properties" in infer_schema(fields)["properties"]["result"]   # no name for users' keys: a record
    named = [{"tags": {"Name": f"node-{i}", "Team": "web"}} for i in range(30)]
    assert "properties" in infer_schema(named)["properties"]["tags"]   # words in every object: fields


def test_an_annotation_is_a_name_not_a_key_shaped_as_data() -> None:
    """OData's annotations (``@odata.type``, ``@odata.etag``, ``@microsoft.graph.downloadUrl``) are names
    the protocol gives, dotted as they are: a record wrapped in ``data`` that carries one in every object
    (or now and then) stays a record. Read as data, it made the whole record an open object."""
    full = [{"data": {"id": i, "name": f"u{i}", "@odata.type": "#microsoft.graph.user"}} for i in range(30)]
    assert sorted(infer_schema(full, enums=False)["properties"]["data"]["properties"]) == [
        "@odata.type", "id", "name"]
    some = [{"data": {"id": i, "name": f"u{i}", **({"@odata.etag": 'W/"1"'} if i % 2 else {}),
                      **({"@odata.id": "https://g/x"} if i % 3 else {})}} for i in range(30)]
    assert "properties" in infer_schema(some, enums=False)["properties"]["data"]
    rng = random.Random(8)
    fields = {"id": "1", "displayName": "A", "mail": None, "jobTitle": "x", "businessPhones": ["1"]}
    items = [{"@odata.etag": 'W/"x"', **({"@odata.type": "#user"} if i % 2 else {}),
              **{k: fields[k] for k in rng.sample(sorted(fields), 1)}} for i in range(60)]   # $select varies
    assert "properties" in infer_schema(items, enums=False)


def test_an_odd_field_name_or_a_fixed_one_does_not_make_a_map() -> None:
    """One key shaped as data beside names (``kernel.js``), or such keys in every object (a fixed
    response such as ``{"nanosecond heartbeat": 1}``), are a record's fields."""
    rng = random.Random(7)
    fields = {"name": "x", "size": 3, "kernel.js": "/k.js", "ok": True, "owner": {"id": 1}}
    values = [{k: fields[k] for k in rng.sample(sorted(fields), 2)} for _ in range(60)]
    assert "kernel.js" in infer_schema(values)["properties"]
    fixed = [{"nanosecond heartbeat": i, "build info": "v1", "ok": True} for i in range(30)]
    assert sorted(infer_schema(fixed)["properties"]) == ["build info", "nanosecond heartbeat", "ok"]
    optional = [{"total count": i, "next page": None if i % 2 else "p2", **({"ok": True} if i % 3 else {})}
                for i in range(30)]   # every data-shaped key in every object: a record with an optional field
    assert "properties" in infer_schema(optional)


def test_records_with_optional_fields_stay_records() -> None:
    rng = random.Random(2)
    fields = {"name": "x", "size": 3, "tags": ["a"], "owner": {"id": 1}, "ok": True}
    values = [{k: fields[k] for k in rng.sample(sorted(fields), 1)} for _ in range(60)]
    assert "properties" in infer_schema(values)


def filler(rng: random.Random, n: int) -> dict[str, Any]:
    """Keys a mock server invents (``lorem_3f1``): one-offs, values of any kind."""
    return {f"{rng.choice(['lorem', 'ipsum', 'dolor'])}_{rng.getrandbits(24):x}": rng.choice([1, "x", None])
            for _ in range(n)}


def test_one_off_keys_are_not_listed_as_properties() -> None:
    rng = random.Random(3)
    values = [{"id": i, "state": "open", **filler(rng, 3), **({"note": "n"} if i % 9 == 0 else {})}
              for i in range(40)]
    schema = infer_schema(values)
    assert sorted(schema["properties"]) == ["id", "note", "state"]
    assert schema["required"] == ["id", "state"]
    assert schema["additionalProperties"] is True
    assert_accepts(schema, values)


def test_sparse_records_keep_their_rare_properties() -> None:
    rng = random.Random(4)
    fields = {f"field_{i}": [1, "x", True, {"a": 1}][i % 4] for i in range(30)}
    values = [{"id": i, **{f: fields[f] for f in rng.sample(sorted(fields), 3)}} for i in range(12)]
    seen = {k for v in values for k in v}
    schema = infer_schema(values)
    assert set(schema["properties"]) == seen
    assert "additionalProperties" not in schema


def test_real_keys_survive_eviction_of_one_off_keys() -> None:
    rng = random.Random(5)
    values = [{"id": i, "name": "x", **filler(rng, 4)} for i in range(MAX_PROPS)]
    shape = fold(values)
    assert shape.props is not None and len(shape.props) <= MAX_PROPS and shape.extra is not None
    schema = shape.to_schema()
    assert sorted(schema["properties"]) == ["id", "name"]
    assert schema["required"] == ["id", "name"]
    assert schema["additionalProperties"] is True
    assert_accepts(schema, values)


def test_too_many_keys_fold_into_a_map_with_bounded_memory() -> None:
    values = [{f"k{i}-{j}": {"n": i} for j in range(3)} for i in range(MAX_PROPS)]
    shape = fold(values)
    assert shape.props is not None and len(shape.props) <= MAX_PROPS and shape.extra is not None
    schema = shape.to_schema()
    assert schema["additionalProperties"]["properties"]["n"] == INT64
    assert_accepts(schema, values)
    halves = fold(values[: len(values) // 2])
    halves.merge(fold(values[len(values) // 2:]))
    assert halves.to_schema() == schema


def test_a_record_wider_than_max_props_keeps_every_field() -> None:
    """MockServer's configuration: one object of 273 named fields, the same in every answer. Before, the
    first object's keys were evicted as they came (each seen once) and the record rendered as an open
    object with no properties: a removed or retyped field went unseen by the drift gate."""
    width = MAX_PROPS + MAX_PROPS // 4
    record = {f"setting{k:03d}": (k if k % 2 else f"v{k}") for k in range(width)}
    values = [dict(record) for _ in range(REQUIRED_MIN_OBJECTS + 1)]
    shape = fold(values)
    assert shape.props is not None and len(shape.props) == width and shape.extra is None
    schema = shape.to_schema()
    assert len(schema["properties"]) == width and len(schema["required"]) == width
    assert "additionalProperties" not in schema
    halves = fold(values[:2])
    halves.merge(fold(values[2:]))
    assert halves.to_schema() == schema


def test_a_wide_first_object_is_let_go_once_the_keys_are_one_offs() -> None:
    """Only keys in every object are kept past MAX_PROPS: objects of fresh keys each (ids as keys) hold
    the position at MAX_PROPS from the second object on, whatever the width of the first."""
    width = MAX_PROPS * 2
    values = [{f"id-{i}-{k}": {"n": k} for k in range(width)} for i in range(4)]
    shape = fold(values[:1])
    assert shape.props is not None and len(shape.props) == width  # one object: every key is in every object
    for value in values[1:]:
        shape.add(value)
        assert shape.props is not None and len(shape.props) <= MAX_PROPS and shape.extra is not None
    schema = shape.to_schema()
    assert schema["additionalProperties"]["properties"]["n"] == INT64
    assert_accepts(schema, values)


def test_state_size_does_not_grow_with_values_folded() -> None:
    rng = random.Random(6)

    def body(i: int) -> dict[str, Any]:
        return {"id": i, "name": f"user {i}", "tags": [f"t{rng.randrange(1000)}"], "ratio": rng.random(),
                "at": f"2024-01-{1 + i % 28:02d}T00:00:00Z", **filler(rng, 2)}

    small, large = fold(body(i) for i in range(1000)), fold(body(i) for i in range(10000))
    assert len(pickle.dumps(large)) <= 1.5 * len(pickle.dumps(small))  # both hold <= MAX_PROPS keys
    assert large.to_schema() == small.to_schema()


def test_deep_nesting_is_bounded_not_a_recursion_error() -> None:
    value: Any = "leaf"
    for i in range(MAX_DEPTH * 3):
        value = [value] if i % 2 else {"a": value}
    shape = fold([value, value])
    schema = shape.to_schema()
    assert_accepts(schema, [value])
    assert shape.copy().to_schema() == schema
    assert pickle.loads(pickle.dumps(shape)).to_schema() == schema


def test_unknown_python_types_are_accepted_as_anything() -> None:
    assert infer_schema([(1, 2), 3]) == {}


# -- merge, copy, pickle ---------------------------------------------------------------------------
def test_merge_copies_instead_of_sharing() -> None:
    a, b = fold([{"x": {"y": 1}}]), fold([{"x": {"y": 1}, "z": [1]}])
    a.merge(b)
    a.add({"x": {"y": "s"}, "z": ["t"]})
    assert b.to_schema() == infer_schema([{"x": {"y": 1}, "z": [1]}])


def test_merge_with_itself_doubles() -> None:
    values = status_values(12)
    shape = fold(values)
    shape.merge(shape)
    assert shape.to_schema() == infer_schema(values * 2)
    strings = fold_strings(values)
    strings.merge(strings)
    assert strings.to_schema() == infer_strings(values * 2)


def test_pickle_keeps_learning_where_it_stopped() -> None:
    first, rest = [{"a": 1, "s": "on"}] * 15, [{"a": 2.5, "s": "off"}] * 15
    shape = pickle.loads(pickle.dumps(fold(first)))
    for v in rest:
        shape.add(v)
    assert shape.to_schema() == infer_schema(first + rest)
    assert shape.count == 30


# -- strings (query parameters, headers, form fields) ----------------------------------------------
@pytest.mark.parametrize(("values", "expected"), [
    (["42", "-7", "0"], INT64),
    (["4.5", "1", "1e3"], DOUBLE),
    (["true", "false"], {"type": "boolean"}),
    (["True", "False", "true"], {"type": "boolean"}),  # Python's str(True): requests sends a bool param so
    (["TRUE", "yes"], {"type": "string"}),
    (["true", "1"], {"type": "string"}),
    (["007"], {"type": "string"}),
    (["12345678901234567890"], {"type": "string"}),
    (["42", "abc"], {"type": "string"}),
    (["131c64c0-e2f7-4aba-8e4f-68825bc485b8"], {"format": "uuid", "type": "string"}),
    (["2024-03-04"], {"format": "date", "type": "string"}),
    (["2024-03-04", "7"], {"type": "string"}),
    (["asc", "desc"] * 10, {"enum": ["asc", "desc"], "type": "string"}),
    ([], {"type": "string"}),
])
def test_strings_are_typed(values: list[str], expected: dict[str, Any]) -> None:
    assert infer_strings(values) == expected
    assert infer_strings(values, openapi="3.1") == expected


def test_strings_pickle_and_stay_bounded() -> None:
    shape = fold_strings(str(i) for i in range(5000))
    shape.add("x")
    assert shape.vals is None
    again = pickle.loads(pickle.dumps(shape))
    assert again.to_schema() == shape.to_schema() == {"type": "string"}
    assert again.count == 5001


def test_string_enums_respect_names_and_the_switch() -> None:
    values = ["octocat", "hubot"] * 20
    assert "enum" in infer_strings(values)
    assert "enum" not in infer_strings(values, name="username")
    assert "enum" not in infer_strings(values, enums=False)


# -- the reference: genson -------------------------------------------------------------------------
def test_reference_schema_is_plain_genson() -> None:
    assert reference_schema([1, 2.5]) == {"type": "number"}
    assert reference_schema([{"a": 1}, {"a": 2, "b": "x"}])["required"] == ["a"]


def genson_paths(schema: dict[str, Any], prefix: str = "$") -> dict[str, tuple[frozenset[str], Any]]:
    """Position -> (non-null JSON types, required) from a genson (JSON Schema) schema."""
    out: dict[str, tuple[frozenset[str], Any]] = {}
    branches = schema.get("anyOf", [schema])
    types: set[str] = set()
    required = None
    for b in branches:
        t = b.get("type")
        types.update([t] if isinstance(t, str) else (t or []))
        if "properties" in b:
            required = tuple(sorted(b.get("required", [])))
            for k, sub in b["properties"].items():
                out.update(genson_paths(sub, f"{prefix}.{k}"))
        if isinstance(b.get("items"), dict):
            out.update(genson_paths(b["items"], prefix + "[]"))
    types.discard("null")
    if "object" in types and required is None:
        required = ()
    out[prefix] = (frozenset(types), required)
    return out


def our_paths(schema: dict[str, Any], prefix: str = "$") -> dict[str, tuple[frozenset[str], Any]]:
    return genson_paths(to_json_schema(schema, "3.1"), prefix)


def map_paths(schema: dict[str, Any], prefix: str = "$") -> set[str]:
    """Positions (genson_paths' notation) that a schema makes a map: ``additionalProperties``, no
    ``properties`` (their keys are data: genson lists them as properties)."""
    out: set[str] = set()
    for b in schema.get("anyOf", [schema]):
        if "additionalProperties" in b and "properties" not in b:
            out.add(prefix)
        for k, sub in (b.get("properties") or {}).items():
            out |= map_paths(sub, f"{prefix}.{k}")
        if isinstance(b.get("items"), dict):
            out |= map_paths(b["items"], prefix + "[]")
    return out


def object_counts(values: Iterable[Any], prefix: str = "$",
                  out: dict[str, int] | None = None) -> dict[str, int]:
    """Position (genson_paths' notation) -> how many objects were seen there."""
    out = {} if out is None else out
    for v in values:
        if isinstance(v, dict):
            out[prefix] = out.get(prefix, 0) + 1
            for k, x in v.items():
                object_counts([x], f"{prefix}.{k}", out)
        elif isinstance(v, list):
            object_counts(v, prefix + "[]", out)
    return out


# -- Hypothesis ------------------------------------------------------------------------------------
KEYS = st.sampled_from(["id", "name", "state", "at", "url", "n", "tags", "owner", "kind", "x"])
FORMATTED = st.one_of(
    st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat()),
    st.dates().map(lambda d: d.isoformat()),
    st.uuids().map(str),
    st.ip_addresses(v=4).map(str),
    st.ip_addresses(v=6).map(str),
    st.emails(),
    st.sampled_from(["https://a.example/x", "http://b.example:80/y?z=1", "enabled", "disabled"]),
)
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12), FORMATTED, st.sampled_from(["on", "off"]),
)
JSON = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=5),
    max_leaves=12,
)
# Folds of many values, some positions repeating, so enums and formats get a chance.
MANY = st.lists(JSON, min_size=1, max_size=30).flatmap(
    lambda vs: st.lists(st.sampled_from(vs), min_size=1, max_size=60))
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(MANY)
def test_every_folded_value_validates(values: list[Any]) -> None:
    shape = fold(values)
    assert shape.count == len(values)
    assert_accepts(shape.to_schema(), values, "3.0")
    assert_accepts(shape.to_schema(openapi="3.1"), values, "3.1")


@FAST
@given(MANY, st.randoms(use_true_random=False))
def test_order_does_not_matter(values: list[Any], rng: random.Random) -> None:
    shuffled = list(values)
    rng.shuffle(shuffled)
    a, b = fold(values), fold(shuffled)
    assert a.to_schema() == b.to_schema()
    assert a.to_schema(openapi="3.1") == b.to_schema(openapi="3.1")
    assert json.dumps(a.to_schema()) == json.dumps(b.to_schema())  # key order too


@FAST
@given(MANY, st.data())
def test_merge_equals_one_fold(values: list[Any], data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(values)))
    j = data.draw(st.integers(i, len(values)))
    a, b, c = fold(values[:i]), fold(values[i:j]), fold(values[j:])
    left = a.copy()
    left.merge(b)
    left.merge(c)
    right = c.copy()
    right.merge(b)
    right.merge(a)
    whole = fold(values)
    assert left.to_schema() == whole.to_schema() == right.to_schema()
    assert left.to_schema(openapi="3.1") == whole.to_schema(openapi="3.1")
    assert left.count == whole.count


@FAST
@given(MANY)
@example([{"tags": {"id": None}}, {"id": None, "tags": {"name": False}}])  # a user's map: keys not listed
def test_genson_agrees_on_properties_required_and_types(values: list[Any]) -> None:
    schema = fold(values).to_schema(openapi="3.1", enums=False)
    ours = our_paths(schema)
    theirs = genson_paths(reference_schema(values))
    objects = object_counts(values)
    # ours claims no type where four kinds were seen (any JSON), nor below: genson's union is left out;
    # nor does it list a map's keys (``tags: {id: null}``, ``tags: {name: false}``: each object's own)
    untyped = [p for p, (t, _) in theirs.items() if len({"number" if x == "integer" else x for x in t}) >= 4]
    maps = map_paths(schema)
    theirs = {p: v for p, v in theirs.items() if not any(p == u or (p.startswith(u) and p[len(u)] in ".[")
                                                         for u in untyped)
              and not any(p.startswith(m + ".") for m in maps)}
    # genson types a position seen only as null "null"; ours accepts anything there: compare the rest
    assert {p for p, (t, _) in ours.items() if t} == {p for p, (t, _) in theirs.items() if t}
    for path, (types, required) in ours.items():
        if types:
            assert types == theirs[path][0], path
            few = objects.get(path, 0) < REQUIRED_MIN_OBJECTS  # we claim nothing required from few
            assert required == (() if few and required is not None else theirs[path][1]), path


STRINGS = st.lists(st.one_of(st.text(max_size=8), FORMATTED, st.integers().map(str),
                             st.floats(allow_nan=False, allow_infinity=False).map(repr),
                             st.sampled_from(["true", "false", "True", "False", "asc", "desc"])),
                   min_size=1, max_size=40)


def typed(value: str, schema: dict[str, Any]) -> Any:
    """A string as the typed value its parameter schema says it is (what a server would parse)."""
    t = schema["type"]
    if t == "integer":
        return int(value)
    if t == "number":
        return float(value)
    if t == "boolean":
        return value.lower() == "true"
    return value


@FAST
@given(STRINGS, st.randoms(use_true_random=False))
def test_strings_laws(values: list[str], rng: random.Random) -> None:
    schema = infer_strings(values)
    assert_accepts(schema, [])
    js = Draft202012Validator(to_json_schema(schema, "3.0"), format_checker=CHECKER)
    for v in values:
        assert js.is_valid(typed(v, schema)), (v, schema)
    shuffled = list(values)
    rng.shuffle(shuffled)
    assert infer_strings(shuffled) == schema
    half = len(values) // 2
    merged = fold_strings(values[:half])
    merged.merge(fold_strings(values[half:]))
    assert merged.to_schema() == schema
    assert merged.count == len(values)


# -- devset ----------------------------------------------------------------------------------------
def devset_bodies(name: str) -> dict[tuple[str, int], list[Any]]:
    groups: dict[tuple[str, int], list[Any]] = defaultdict(list)
    with gzip.open(DEVSET / f"{name}.jsonl.gz", "rb") as fh:
        for line in fh:
            rec = orjson.loads(line)
            try:
                body = orjson.loads(rec["response"]["body"])
            except (KeyError, TypeError, orjson.JSONDecodeError):
                continue
            key = "/".join(p if not any(ch.isdigit() for ch in p) else "*"
                           for p in str(rec["request"].get("pathname", "")).split("/")[:3])
            groups[(key, int(rec["response"]["statusCode"]))].append(body)
    return groups


@pytest.mark.slow
@pytest.mark.skipif(not DEVSET.is_dir(), reason=f"needs the shared devset at {DEVSET} (../shared absent)")
@pytest.mark.parametrize("name", ["github-n200", "kubernetes-n200"])
def test_devset_bodies_validate_against_their_schemas(name: str) -> None:
    from specbuild.io.validate import BodyValidator, spec_problems

    paths: dict[str, Any] = {}
    for i, ((_, status), bodies) in enumerate(sorted(devset_bodies(name).items())):
        for openapi in ("3.0", "3.1"):
            schema = fold(bodies).to_schema(openapi=openapi)
            assert_accepts(schema, bodies, openapi)
            validator = BodyValidator(schema, openapi)
            assert all(validator.is_valid(b) for b in bodies)
            if openapi == "3.0":
                paths[f"/p{i}"] = {"get": {"responses": {str(status): {
                    "description": "x", "content": {"application/json": {"schema": schema}}}}}}
    doc = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths}
    assert spec_problems(doc) == []


@pytest.mark.slow
@pytest.mark.skipif(not DEVSET.is_dir(), reason=f"needs the shared devset at {DEVSET} (../shared absent)")
def test_devset_folds_are_order_independent_and_mergeable() -> None:
    for (_, _), bodies in sorted(devset_bodies("kubernetes-n200").items()):
        shuffled = list(bodies)
        random.Random(3).shuffle(shuffled)
        half = fold(shuffled[::2])
        half.merge(fold(shuffled[1::2]))
        assert half.to_schema() == fold(bodies).to_schema()


def test_objects_keyed_by_ids_are_maps_however_full() -> None:
    """Keys that are ids (numbered, user ids with a server, key ids, dates) are data: tomorrow's sample
    brings other ids, so they are a map of the values' schema, never properties; names stay properties."""
    numbered = [{str(i): {"price": i} for i in range(1, 13)} for _ in range(5)]
    assert infer_schema(numbered) == {"additionalProperties": {
        "properties": {"price": INT64}, "required": ["price"], "type": "object"}, "type": "object"}
    keys = [{"ed25519:JLAFKJWSCS": "sig1", "curve25519:QWERTYUIOP1": "sig2"}] * 3
    assert infer_schema(keys) == {"additionalProperties": {"type": "string"}, "type": "object"}
    users = [{"@alice:example.org": {"ts": 1}, "@bob:example.org": {"ts": 2}}]
    assert "additionalProperties" in infer_schema(users) and "properties" not in infer_schema(users)
    assert "properties" in infer_schema([{"id": 1, "name": "x"}] * 3)


def test_fields_beside_keys_that_are_ids_are_properties_and_the_ids_a_map() -> None:
    """npm's ``time``: ``created`` and ``modified`` beside one timestamp per release. The releases are a
    map (Verdaccio's next sample published others: 11 of them were learned as properties); the two
    names stay properties. Fewer ids than names stay properties (a table with a ``404`` column)."""
    stamp = "2026-12-04T10:00:00Z"
    times = [{"created": stamp, "modified": stamp, **{f"1.{i}.0": stamp for i in range(n)}} for n in (2, 3, 4)]
    schema = infer_schema(times)
    assert sorted(schema["properties"]) == ["created", "modified"]
    assert schema["additionalProperties"] == {"format": "date-time", "type": "string"}
    table = infer_schema([{"name": "x", "kind": "y", "owner": "z", "200": 1, "404": 2}] * 3)
    assert sorted(table["properties"]) == ["200", "404", "kind", "name", "owner"]
    assert "additionalProperties" not in table


def test_keys_numbered_alike_are_a_map_beside_one_off_ids() -> None:
    """OpenFGA's batch check answers ``result`` keyed by each check's correlation id: the client's own
    ``chk-0``, ``chk-1``, ... (a new batch starts at 0 again) or UUIDs. Learned as eight properties, each
    had its own schema, ``allowed`` required in those no check's error happened to land in: the next
    sample's error under ``chk-6`` was rejected. Keys numbered alike are ids; ``address_line_1`` and
    ``_2`` beside a record's other fields (and two alone) stay fields."""
    rng = random.Random(3)
    batches = []
    for i in range(40):
        batch: dict[str, Any] = {f"chk-{n}": {"allowed": rng.random() < 0.5} for n in range(rng.randint(1, 8))}
        batch[f"{rng.getrandbits(64):016x}-{i}"] = {"allowed": True}  # one-off keys: never kept
        batches.append(batch)
    batches[5]["chk-0"] = {"error": {"code": "validation_error", "message": "type 'doc' not found"}}
    schema = infer_schema(batches)
    assert "properties" not in schema, sorted(schema.get("properties", ()))
    values = schema["additionalProperties"]
    assert sorted(values["properties"]) == ["allowed", "error"] and "required" not in values
    # found reviewing: a recurring id beside them (kept, not dropped) still makes them ids
    for batch in batches:
        batch["5f0e4a7c-8d1b-4c2e-9a3f-2b6d7e8f9a0b"] = {"allowed": False}
    assert "properties" not in infer_schema(batches)


def test_keys_numbered_alike_without_ids_beside_them_are_a_records_fields() -> None:
    """Found reviewing: a survey's ``question_1`` .. ``question_5`` (values of several kinds) became
    ``additionalProperties: true``, checking nothing, and ``level_1`` .. ``level_3`` lost ``level_2``'s
    enum; ``address-line-1`` was numbered where ``address_line_1`` was not."""
    rng = random.Random(5)
    surveys = [{"question_1": rng.choice(["yes", "no"]), "question_2": rng.randint(1, 5), "question_3": True,
                "question_4": "text", "question_5": rng.random()} for _ in range(40)]
    assert sorted(infer_schema(surveys)["properties"]) == [f"question_{i}" for i in range(1, 6)]
    for sep in ("_", "-"):
        lines = [{f"address{sep}line{sep}{i}": f"{n} Main St" for i in (1, 2, 3)} for n in range(20)]
        assert len(infer_schema(lines)["properties"]) == 3, sep
    assert numbered_stem("address_line_1") == "address_line" and numbered_stem("v-2") is None
    assert numbered_alike(["peaks 71", "peaks_177", "ipv4", "oauth2", "v_1", "v-2"]) == {"peaks 71", "peaks_177"}


def test_a_map_keyed_by_ids_keeps_its_records_beside_a_rare_name_of_another_kind() -> None:
    """changedetection.io's watch list: an object keyed by watch UUIDs (each a record), and the same
    operation's answer to an action flag (``?recheck_all=1``) ``{"status": "OK, queued ..."}``, 2 of 69
    responses. Merged into the map's values (records and a string) the list said only
    ``additionalProperties: true``: every watch's fields lost. The ids are the map, the name a field."""
    rng = random.Random(7)
    ids = [f"{rng.getrandbits(32):08x}-1f2e-4d3c-8b7a-{rng.getrandbits(48):012x}" for _ in range(30)]
    lists = [{k: {"title": "Rust jobs", "last_checked": 1796515896 + i} for i, k in enumerate(rng.sample(ids, 8))}
             for _ in range(25)]
    schema = infer_schema([*lists, {"status": "OK, queued 1 watches for rechecking"}])
    assert schema["properties"] == {"status": {"type": "string"}}
    assert sorted(schema["additionalProperties"]["properties"]) == ["last_checked", "title"]
    for body in [*lists, {"status": "OK"}]:
        Draft202012Validator(schema).validate(body)


def test_a_map_of_numbers_some_whole_some_not_keeps_its_values_schema() -> None:
    """Balances keyed by account UUIDs: ``7`` in one, ``2.5`` in another. Integer and fractional numbers
    are one kind (``number``), as ``_render`` says of a property; counted as two kinds, the map said
    ``additionalProperties: true`` (any value), and so did a rare ``{"status": ...}`` beside such ids."""
    rng = random.Random(11)
    ids = [f"{rng.getrandbits(32):08x}-1f2e-4d3c-8b7a-{rng.getrandbits(48):012x}" for _ in range(30)]
    maps = [{k: (i if i % 2 else i + 0.5) for i, k in enumerate(rng.sample(ids, 8))} for _ in range(25)]
    schema = infer_schema(maps)
    assert schema["additionalProperties"]["type"] == "number" and "properties" not in schema
    beside = infer_schema([*maps, {"status": "OK, queued 1 watches for rechecking"}])
    assert beside["properties"] == {"status": {"type": "string"}}
    assert beside["additionalProperties"]["type"] == "number"
    for body in [*maps, {"status": "OK"}]:
        Draft202012Validator(beside).validate(body)
    with pytest.raises(ValidationError):
        Draft202012Validator(beside).validate({ids[0]: "seven"})


def test_one_key_that_is_a_release_or_an_id_is_a_map() -> None:
    """npm's ``versions`` of a package published once has one key, ``1.0.0``: a map of versions, not a
    property named ``1.0.0`` (main learned it as one, and named a component ``100`` after it); so is
    one numbered key, or a name a DNS name qualifies (Ray's ``label_selector``: ``{"ray.io/node-id": ...}``,
    a Kubernetes label); a single word stays a property, and so does a file's name."""
    versions = [{"versions": {"1.0.0": {"name": "pkg", "version": "1.0.0"}}}] * 3
    assert "additionalProperties" in infer_schema(versions)["properties"]["versions"]
    for key in ("2.3.1-beta.1", "v1.2", "42", "ray.io/node-id", "app.kubernetes.io/name"):
        schema = infer_schema([{key: {"n": 1}}] * 3)
        assert "additionalProperties" in schema and "properties" not in schema, key
    for key in ("latest", "v1", "x86_64", "kernel.js", "docs/readme"):
        assert list(infer_schema([{key: {"n": 1}}] * 3)["properties"]) == [key]


def test_numbers_under_names_and_an_id_are_one_map() -> None:
    """Ray's node resources: ``CPU``, ``memory``, ``object_store_memory`` and ``node:192.0.2.2``, numbers all.
    The id names this cluster's node (the next has another): the object is a map of numbers, not five
    properties of which one is an address. Values of two kinds are a record with ids beside (the ``404``
    column above), and so are ids that are most of the keys, and strings under names (a record's fields)."""
    resources = [{"CPU": 2.0, "memory": 1.5e9, "object_store_memory": 7e8, "node:192.0.2.2": 1.0,
                  "node:__internal_head__": 1.0}] * 3
    assert infer_schema(resources) == {"additionalProperties": {"format": "double", "type": "number"},
                                       "type": "object"}
    # ids that are most of the keys: the names beside are fields (npm's ``time``, above)
    by_day = infer_schema([{"total": 9, "2026-12-01": 4, "2026-12-02": 5}] * 3)
    assert list(by_day["properties"]) == ["total"] and by_day["additionalProperties"]["type"] == "integer"
    strings = infer_schema([{"Name": "web-1", "Host": "10.0.0.1", "10.0.0.1": "up"}] * 3)
    assert sorted(strings["properties"]) == ["10.0.0.1", "Host", "Name"]
    assert sorted(infer_schema([{"id": 7, "count": 5, "n": 1}] * 3)["properties"]) == ["count", "id", "n"]


def test_an_object_named_headers_is_a_map_of_header_values() -> None:
    """Kinto's batch sub-requests carry ``headers: {"If-None-Match": "*"}``: learned as a property and
    required, a batch sending ``If-Match`` instead was rejected. An object named ``headers`` (or
    ``responseHeaders``, ``http_headers``) is keyed by header names, whatever a sample shows; one holding
    objects is no header map, and ``header`` alone, or ``headline``, names no such object."""
    batch = [{"method": "PUT", "headers": {"If-None-Match": "*"}}] * 30
    assert infer_schema(batch)["properties"]["headers"] == {"additionalProperties": {"type": "string"},
                                                            "type": "object"}
    for key in ("responseHeaders", "http_headers", "Headers"):
        schema = infer_schema([{key: {"Content-Type": "text/plain", "X-Count": ["1"]}}] * 30)["properties"][key]
        assert "properties" not in schema, key
    nested = infer_schema([{"headers": {"auth": {"scheme": "basic"}}}] * 30)["properties"]["headers"]
    assert list(nested["properties"]) == ["auth"]
    for key in ("header", "headline"):
        assert list(infer_schema([{key: {"Content-Type": "a"}}] * 30)["properties"][key]["properties"]) == \
            ["Content-Type"], key


def test_keys_that_are_media_types_make_a_map_even_one_in_every_object() -> None:
    """API Gateway's ``requestTemplates`` for ``application/json`` alone, in every method (moto learned it
    as a property named ``application/json``), and OpenAPI's ``content``: a map keyed by media types,
    whatever few of them a sample shows; words named after the types' halves stay properties."""
    method = [{"type": "AWS", "requestTemplates": {"application/json": '{"statusCode": 200}'}}] * 30
    templates = infer_schema(method)["properties"]["requestTemplates"]
    assert templates == {"additionalProperties": {"type": "string"}, "type": "object"}
    content = [{"text/plain; charset=utf-8": {"schema": {}}, "image/*": {"schema": {}}}] * 3
    assert "properties" not in infer_schema(content)
    for key in ("application", "text", "json", "applicationJson"):
        assert list(infer_schema([{key: {"n": 1}}] * 3)["properties"]) == [key]


def test_a_value_one_entity_held_makes_no_enum_however_often_it_was_read() -> None:
    """Matrix's ``/messages`` answers the same stored events page after page: a widget's ``type`` read 30
    times from 3 events (``jitsi`` from one) was learned as the enum [jitsi, m.custom, m.space], and the
    next sample's ``grafana`` widget was refused. Counted by entity (the array or object a value sits
    in), ``jitsi`` was seen once: unseen values are likely. Distinct objects back it, five a value (two
    for each: too few things to tell a closed set); a request's values are each a client's choice, so a
    request body still counts calls."""
    widgets = [{"type": "jitsi", "url": "https://meet.example/x"}, {"type": "m.custom", "url": "https://a.example"},
               {"type": "m.space", "creator": "@bob:example"}]
    reread = Shape()
    for _ in range(10):
        reread.add({"chunk": [{"content": w} for w in widgets]})
    content = reread.to_schema(entities=True)["properties"]["chunk"]["items"]["properties"]["content"]
    assert "enum" not in content["properties"]["type"]
    as_sent = reread.to_schema()["properties"]["chunk"]["items"]["properties"]["content"]
    assert as_sent["properties"]["type"]["enum"] == ["jitsi", "m.custom", "m.space"]
    def pages(things: int, shards: int = 1) -> list[Shape]:
        out = [Shape() for _ in range(shards)]
        for page in range(10):
            out[page % shards].add({"chunk": [{"content": {**w, "page": page % things}} for w in widgets]})
        return out

    def content_of(shape: Shape) -> dict[str, Any]:
        return shape.to_schema(entities=True)["properties"]["chunk"]["items"]["properties"]["content"]

    assert "enum" not in content_of(pages(2)[0])["properties"]["type"]  # 6 things for 3 values
    each = pages(10)[0]
    assert content_of(each)["properties"]["type"]["enum"] == ["jitsi", "m.custom", "m.space"]
    halves = pages(10, shards=2)  # entities merge order-free: two shards each saw half the objects
    halves[0].merge(halves[1])
    assert halves[0].to_schema(entities=True) == each.to_schema(entities=True)
    items = halves[0].props["chunk"].items.props["content"].props["type"]  # type: ignore[union-attr,index]
    assert items.ents is not None and all(e.bit_count() >= 8 for e in items.ents.values())


def test_attributes_and_preferences_people_fill_in_are_maps() -> None:
    """Parse's products carry ``attributes`` a shop fills in (``voltage (V)``, ``color``, ``weight``), its users
    ``preferences`` (``shoe size``, ``newsletter``): each object its own few keys. They were learned as
    properties, the keys of everyone seen (the eighth held-out set: 7 data-shaped keys among them)."""
    products = [{"attributes": {"voltage (V)": 230, "plug": "EU"}}, {"attributes": {"color": "red"}},
                {"attributes": {"weight": 1.5, "material": "oak"}}, {"attributes": {"size": "XL"}}]
    assert "properties" not in infer_schema(products)["properties"]["attributes"]
    users = [{"preferences": {"shoe size": "42"}}, {"preferences": {"newsletter": "weekly"}},
             {"preferences": {"theme": "dark", "lang": "fr"}}]
    assert infer_schema(users)["properties"]["preferences"] == {
        "additionalProperties": {"type": "string"}, "type": "object"}


def test_a_users_blob_with_nested_objects_and_a_key_shaped_as_data_is_open() -> None:
    """A node's ``metadata`` keyed by what each group picks (``exposure (s)``, ``sample.formula``, a
    ``motors`` object of its own motor names): the nested object made it read as a record of everyone's
    keys, and the next group's keys were unknown to it. Without a key shaped as data, a ``metadata`` with
    nested objects is still a record (Kubernetes' ``labels`` beside ``uid``)."""
    blobs = [{"metadata": {"PI": "Ana", "exposure (s)": 0.5, "motors": {"chi": 1.0, "phi": 2.0}}},
             {"metadata": {"sample.formula": "Fe2O3", "notes": "x", "motors": {"sx": 0.1}}},
             {"metadata": {"operator": "bo", "temperature_K": 300.0, "tags": ["a"]}}]
    schema = infer_schema(blobs)
    assert schema["properties"]["metadata"] == OPEN
    assert_accepts(schema, [*blobs, {"metadata": {"proposal-id": "p1", "motors": {"omega": 3.0}}}])
    once = [{"metadata": {"PI": "Ana", "exposure (s)": 0.5, "motors": {"chi": 1.0}}}]
    assert infer_schema(once)["properties"]["metadata"] == OPEN
    meta = [{"metadata": {"labels": {"a": "b"}, "uid": "1", "name": "n"}}, {"metadata": {"name": "m", "uid": "2"}}]
    assert "properties" in infer_schema(meta)["properties"]["metadata"]


def test_labels_people_write_as_keys_make_an_open_object() -> None:
    """A table's rows keyed by the titles its owner gave the columns (``Full name``, ``Qty on hand``):
    each table its own, beside the ``Id`` every row has. A key written as words with spaces, absent from
    some rows, makes an open object, however few among the keys; keys so written in every object are a
    fixed record's (``{"nanosecond heartbeat": n}``)."""
    tables = [{"Id": 1, "Full name": "Emma", "Email": "e@x.example", "Role": "SRE", "Rating": 3},
              {"Id": 2, "SKU": "A-1", "Price": 1.5, "In stock": True, "Qty on hand": 4, "Category": "Audio"},
              {"Id": 3, "Name": "north AB", "Industry": "SaaS", "Employees": 410, "Notes": "n", "Tags": "t"},
              {"Id": 4, "Amount": 5, "Stage": "won", "Owner": "ana", "Priority": 2, "Region": "eu"}] * 8
    schema = infer_schema(tables)
    assert schema["additionalProperties"] is True and "properties" not in schema
    assert_accepts(schema, [*tables, {"Id": 5, "Deal name": "big", "Close date": "2026-01-01"}])
    rows = [{"Full name": "Emma", "Email": "e@x.example"}, {"Role": "SRE", "Rating": 3}, {"SKU": "A", "Price": 1.5},
            {"Name": "north", "Industry": "SaaS"}]
    one = [{"Id": i, **rows[i % 4]} for i in range(32)]
    assert infer_schema(one)["additionalProperties"] is True   # one table's title is as much a label
    same = [{"Id": i, "Full name": "Emma", "Email": "e@x.example"} if i % 2 else {"Id": i, "Full name": "Bo"}
            for i in range(30)]
    assert "Full name" in infer_schema(same)["properties"]   # in every row: a fixed field
    fixed = [{"nanosecond heartbeat": i, "build info": "v1", "ok": True, "a": 1, "b": 2, "c": 3, "d": 4,
              "e": 5, "f": 6, **({"g": 7} if i % 2 else {})} for i in range(30)]
    assert "nanosecond heartbeat" in infer_schema(fixed)["properties"]


def test_many_keys_whose_values_are_one_record_are_a_map() -> None:
    """A server's providers keyed by each provider kind (``hash``, ``cekmanagement``, ...), every value
    ``{"internal": ..., "providers": {...}}`` keyed in turn by provider ids (``SHA-256``,
    ``RSA-OAEP-256``): one response, every key in it, so nothing looked sparse; but dozens of keys whose
    values all hold the same fields are a map of that record, not dozens of fields. A record's fields
    hold different shapes, and a few links of one shape (``self``, ``html``) stay fields."""
    rng = random.Random(11)
    kinds = [f"kind{c}{i}" for c in "abcdefg" for i in range(4)]
    info = {"providers": {k: {"internal": rng.random() < 0.5,
                              "providers": {f"P-{k}-{j}": {"order": j} for j in range(rng.randint(1, 4))}}
                          for k in kinds}}
    schema = infer_schema([info])
    providers = schema["properties"]["providers"]
    assert "properties" not in providers
    value = providers["additionalProperties"]
    assert set(value["properties"]) == {"internal", "providers"}
    assert "properties" not in value["properties"]["providers"]
    record = [{f"f{i}": {f"x{i}": i} for i in range(25)}]
    assert len(infer_schema(record)["properties"]) == 25
    links = [{"_links": {rel: {"href": "https://x.example/"} for rel in ("self", "html", "issues", "pulls")}}]
    assert "properties" in infer_schema(links)["properties"]["_links"]


def test_a_records_fields_beside_many_sparse_keys_of_one_record_are_fields_and_a_map() -> None:
    """Prometheus Pushgateway's groups (``GET /api/v1/metrics``): each ``{"labels": {...},
    "last_push_successful": true, "push_time_seconds": {...}, ...}`` and, beside those fields, one key per
    metric family the job pushed (``db_dump_records_processed_total``, ``job_step_seconds``), each
    ``{"help", "metrics", "time_stamp", "type"}``: the metric names are what each job pushes (word-shaped,
    a few per group, 35 over the sample), a map of that record; the four in every group are its fields.
    Fewer such keys, or keys in most objects, stay fields (a record's optional links)."""
    rng = random.Random(5)
    names = [f"{job}_{what}" for job in ("db_dump", "etl_orders", "gc", "sync_ldap", "nightly_backup", "reindex")
             for what in ("records_total", "records_created", "duration_seconds", "step_seconds", "info")]

    def family(name: str) -> dict[str, Any]:
        return {"help": f"About {name}", "type": rng.choice(("GAUGE", "COUNTER")), "time_stamp": "2026-12-06T09:34:59Z",
                "metrics": [{"labels": {"job": "db_dump", "instance": "web-01"}, "value": str(rng.random())}]}

    groups = [{"labels": {"job": "db_dump", "instance": f"web-{i}"}, "last_push_successful": True,
               "push_time_seconds": family("push_time_seconds"),
               "push_failure_time_seconds": family("push_failure_time_seconds"),
               **{n: family(n) for n in rng.sample(names, rng.randint(3, 6))}} for i in range(40)]
    schema = infer_schema(groups)
    assert sorted(schema["properties"]) == ["labels", "last_push_successful", "push_failure_time_seconds",
                                            "push_time_seconds"]
    assert sorted(schema["additionalProperties"]["properties"]) == ["help", "metrics", "time_stamp", "type"]
    for body in groups:
        Draft202012Validator(schema).validate(body)
    link = {"href": "https://x.example/"}
    optional = [{"id": i, **{f"rel{j}": link for j in range(25) if rng.random() < 0.7}} for i in range(40)]
    assert "additionalProperties" not in infer_schema(optional)
    few = [{"id": i, **{f"rel{j}": link for j in rng.sample(range(10), 2)}} for i in range(40)]
    assert len(infer_schema(few)["properties"]) == 11


def test_a_records_object_fields_beside_a_family_stay_fields_without_a_scalar_among_them() -> None:
    """The same groups without ``last_push_successful`` (the one scalar: a server that stopped sending it):
    every value is an object, yet ``labels`` (a map of strings) holds another shape than the families'
    record. Taken whole as a map the fields were merged into an open object, and ``diff`` saw nothing
    gone. They stay fields beside the family; a map whose every key holds the family's record (one
    ``default`` entry in each) stays a map."""
    rng = random.Random(7)
    names = [f"job{j}_{what}" for j in range(7) for what in ("total", "created", "seconds", "info", "errors")]

    def family(name: str) -> dict[str, Any]:
        return {"help": f"About {name}", "type": "GAUGE", "time_stamp": "2026-12-06T09:34:59Z",
                "metrics": [{"labels": {"job": "db_dump"}, "value": str(rng.random())}]}

    groups = [{"labels": {"job": "db_dump", "instance": f"web-{i}"}, "push_time_seconds": family("push"),
               "push_failure_time_seconds": family("failure"),
               **{n: family(n) for n in rng.sample(names, rng.randint(3, 6))}} for i in range(40)]
    schema = infer_schema(groups)
    assert sorted(schema["properties"]) == ["labels", "push_failure_time_seconds", "push_time_seconds"]
    assert schema["required"] == ["labels", "push_failure_time_seconds", "push_time_seconds"]
    assert sorted(schema["additionalProperties"]["properties"]) == ["help", "metrics", "time_stamp", "type"]
    defaults = [{"default": family("default"), **{n: family(n) for n in rng.sample(names, 3)}} for _ in range(40)]
    assert "properties" not in infer_schema(defaults)


def test_the_values_of_a_map_are_never_an_enum() -> None:
    """Each user's labels hold what each user writes: 60 pods' ``labels`` saying ``prod`` or ``staging``
    (or lists of them) are no closed set, the next team has ``canary``; a map of records keeps its
    records' enums (a field's values are the API's)."""
    pods = [{"labels": {f"k{i % 7}": ("prod", "staging")[i % 2]}} for i in range(60)]
    assert infer_schema(pods)["properties"]["labels"] == {"additionalProperties": {"type": "string"}, "type": "object"}
    lists = [{"labels": {f"k{i % 7}": [("prod", "staging")[i % 2]]}} for i in range(60)]
    assert "enum" not in infer_schema(lists)["properties"]["labels"]["additionalProperties"]["items"]
    runs = [{"runs": {f"r{i}": {"state": ("ok", "failed")[i % 2]}}} for i in range(60)]
    value = infer_schema(runs)["properties"]["runs"]["additionalProperties"]
    assert value["properties"]["state"]["enum"] == ["failed", "ok"]


def test_objects_keyed_by_node_names_are_maps() -> None:
    """RabbitMQ's queues say ``open_files: {"rabbit@mq-1": 0}`` and its vhosts ``cluster_state: {"rabbit@mq-1":
    "running"}``: one key per node of the cluster, an Erlang node's name (``name@host``, CouchDB's
    ``couchdb@127.0.0.1``). The next deployment's nodes are others: a map, never a property named after the
    node (both gates called the next sample's ``realset2@localhost`` a removal of ``realset1@localhost``).
    A dotted annotation after an ``@`` (OData's ``Members@odata.count``) is still a field."""
    queues = [{"name": f"q{i}", "open_files": {"realset1@localhost": i % 3}} for i in range(30)]
    files = infer_schema(queues)["properties"]["open_files"]
    assert files == {"additionalProperties": INT64, "type": "object"}
    vhosts = [{"cluster_state": {"rabbit@mq-1": "running", "rabbit@mq-2": "running", "couchdb@127.0.0.1": "up"}}] * 5
    assert "additionalProperties" in infer_schema(vhosts)["properties"]["cluster_state"]
    odata = infer_schema([{"Members@odata.count": 2, "Members": [{"@odata.id": "/redfish/v1/Systems/1"}]}] * 5)
    assert sorted(odata["properties"]) == ["Members", "Members@odata.count"]
