"""One field, one vocabulary: a name's enums at several places share their values (learn/enums.py)."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from specbuild import build_spec
from specbuild.learn import native
from specbuild.learn.builder import SpecBuilder
from specbuild.learn.components import inline
from specbuild.learn.enums import share_enums
from specbuild.learn.render import RenderOptions, render
from specbuild.run import Fold
from tests.helpers import ex, record, rejections


def _answer(doc: dict[str, Any], path: str) -> Any:
    return doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]


@pytest.mark.parametrize("version", ["3.0", "3.1"])
def test_a_fields_enums_at_several_places_hold_their_union(version: str) -> None:
    """Matrix's ``membership``: an event's ``content`` showed join, leave and invite, its ``unsigned``
    join and ban; the next sample shows ``unsigned`` a leave. One field: both hold all four. A check
    run's ``status`` and a deployment's share no value: other fields, apart."""
    rows = [ex(path=f"/rooms/{i}/state", resp={"content": {"membership": ("join", "leave", "invite")[i % 3]}})
            for i in range(30)]
    rows += [ex(path=f"/rooms/{i}/context", resp={"unsigned": {"membership": ("join", "ban")[i % 2]}})
             for i in range(30)]
    rows += [ex(path=f"/checks/{i}", resp={"status": ("queued", "completed")[i % 2]}) for i in range(30)]
    rows += [ex(path=f"/deploys/{i}", resp={"status": ("success", "failure")[i % 2]}) for i in range(30)]
    doc = inline(build_spec(rows, RenderOptions(openapi=version)))
    state = _answer(doc, "/rooms/{roomId}/state")["properties"]["content"]["properties"]["membership"]
    context = _answer(doc, "/rooms/{roomId}/context")["properties"]["unsigned"]["properties"]["membership"]
    assert state["enum"] == context["enum"] == ["ban", "invite", "join", "leave"]
    assert _answer(doc, "/checks/{checkId}")["properties"]["status"]["enum"] == ["completed", "queued"]
    assert _answer(doc, "/deploys/{deployId}")["properties"]["status"]["enum"] == ["failure", "success"]
    later = ex(path="/rooms/99/context", resp={"unsigned": {"membership": "leave"}})
    assert rejections(doc, [*rows, later]) == []


def test_a_union_past_the_enum_cap_is_no_enum_and_a_null_stays_its_places() -> None:
    """Nine values between two places are no closed set (ENUM_MAX 8): neither claims one. A place's
    null (3.0: in its enum) stays that place's."""
    wide = [{"type": "string", "enum": [f"v{i}" for i in range(5)]},
            {"type": "string", "enum": [f"v{i}" for i in range(4, 9)]}]
    share_enums([("a", "kind", wide[0], {}, 20), ("b", "kind", wide[1], {}, 20)])
    assert wide == [{"type": "string"}, {"type": "string"}]
    narrow = [{"type": "string", "nullable": True, "enum": ["a", "b", None]}, {"type": "string", "enum": ["b", "c"]}]
    share_enums([("a", "kind", narrow[0], {}, 20), ("b", "kind", narrow[1], {}, 20)])
    assert narrow[0]["enum"] == ["a", "b", "c", None]
    assert narrow[1]["enum"] == ["a", "b", "c"]



@pytest.mark.parametrize("accelerated", [pytest.param(True, id="native", marks=pytest.mark.skipif(
    not native.AVAILABLE, reason="specbuild._native is not built here")), pytest.param(False, id="pure")])
def test_a_path_or_topic_people_write_is_no_enum_where_a_media_type_is(accelerated: bool) -> None:
    """Node-RED's change rules set an MQTT topic each flow's author writes (``factory/line3/temp``): one sample's
    three topics, deployed again and again, are no closed set. Two slashes make a path, a route or a topic;
    one is a media type's (``text/plain``), which may be an enum. Both folds read the same rule."""
    topics = ["home/garage/door", "shop/orders/new", "payload"]
    kinds = ["text/plain", "application/json"]
    builder = SpecBuilder(accelerated=accelerated)
    rules = [{"rules": [{"to": topics[i % 3], "as": kinds[i % 2]}]} for i in range(60)]
    Fold(builder).feed((orjson.dumps(record("post", "/flows", body=body)), f"r:{i}") for i, body in enumerate(rules))
    doc = inline(render(builder))
    rule = doc["paths"]["/flows"]["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"][
        "rules"]["items"]["properties"]
    assert "enum" not in rule["to"], rule["to"]
    assert rule["as"]["enum"] == sorted(kinds)
    later = ex("post", "/flows", body={"rules": [{"to": "factory/line3/temp", "as": "text/plain"}]})
    assert rejections(doc, [later]) == []


@pytest.mark.parametrize("accelerated", [pytest.param(True, id="native", marks=pytest.mark.skipif(
    not native.AVAILABLE, reason="specbuild._native is not built here")), pytest.param(False, id="pure")])
def test_a_value_with_one_slash_is_a_token_of_32_characters_at_most_as_one_without(accelerated: bool) -> None:
    """The slash rule took a slash away from the token; it did not lengthen it: ``owner/some-long-repository-name``
    (33 characters and more) is no enum, as before, where ``text/plain`` may be one."""
    repos = ["kubernetes-sigs/cluster-api-provider-aws", "kubernetes-sigs/cluster-api-provider-gcp",
             "open-telemetry/opentelemetry-collector-contrib"]
    kinds = ["text/plain", "application/json"]
    builder = SpecBuilder(accelerated=accelerated)
    bodies = [{"mode": repos[i % 3], "as": kinds[i % 2]} for i in range(60)]
    Fold(builder).feed((orjson.dumps(record("post", "/builds", body=body)), f"r:{i}") for i, body in enumerate(bodies))
    doc = inline(render(builder))
    props = doc["paths"]["/builds"]["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"]
    assert "enum" not in props["mode"], props["mode"]
    assert props["as"]["enum"] == sorted(kinds)


@pytest.mark.parametrize("accelerated", [pytest.param(True, id="native", marks=pytest.mark.skipif(
    not native.AVAILABLE, reason="specbuild._native is not built here")), pytest.param(False, id="pure")])
def test_an_error_bodys_codes_are_no_enum_where_a_successs_are(accelerated: bool) -> None:
    """NocoDB's 404s answered ``RECORD_NOT_FOUND``, ``TABLE_NOT_FOUND`` and ``INVALID_OFFSET_VALUE``, each
    many times: an enum, and the next sample's deleted view answered ``VIEW_NOT_FOUND`` (the drift gate's
    one breaking finding). A sample sees the errors its client provoked, not the API's vocabulary of
    them: an error body claims no enum. The same values in a success's body still make one."""
    codes = ("RECORD_NOT_FOUND", "TABLE_NOT_FOUND", "INVALID_OFFSET_VALUE")
    rows = [ex(path=f"/tables/{i}", status=404, resp={"error": codes[i % 3], "msg": "not found"}) for i in range(60)]
    rows += [ex(path=f"/jobs/{i}", resp={"state": codes[i % 3]}) for i in range(60)]
    builder = SpecBuilder(accelerated=accelerated)
    for row in rows:
        builder.add(row)
    doc = inline(render(builder))
    error = doc["paths"]["/tables/{tableId}"]["get"]["responses"]["404"]["content"]["application/json"]["schema"]
    assert "enum" not in error["properties"]["error"] and error["properties"]["error"]["type"] == "string", error
    assert _answer(doc, "/jobs/{jobId}")["properties"]["state"]["enum"] == sorted(codes)
    later = ex(path="/tables/99", status=404, resp={"error": "VIEW_NOT_FOUND", "msg": "not found"})
    assert rejections(doc, [*rows, later]) == []


@pytest.mark.parametrize("accelerated", [pytest.param(True, id="native", marks=pytest.mark.skipif(
    not native.AVAILABLE, reason="specbuild._native is not built here")), pytest.param(False, id="pure")])
def test_the_names_of_columns_are_no_enum(accelerated: bool) -> None:
    """Evidently's reports name the columns of each team's data (``categorical_columns: ["country",
    "plan"]``, a metric's ``column: "plan"``): one sample's seven column names, reported again and again,
    are no closed set; the next team's table has others (Directus' fields and NocoDB's columns alike). A
    column's name is what its table's owner picked, as a user's or a file's is."""
    cols = ["country", "plan", "device", "channel", "segment", "store_id", "label"]
    builder = SpecBuilder(accelerated=accelerated)
    bodies = [{"data_definition": {"categorical_columns": [cols[i % 7], cols[(i + 3) % 7]]},
               "metrics": [{"column": cols[(i + 1) % 7], "kind": ("mean", "max")[i % 2]}]} for i in range(70)]
    Fold(builder).feed((orjson.dumps(record("post", "/snapshots", body=b)), f"r:{i}") for i, b in enumerate(bodies))
    doc = inline(render(builder))
    props = doc["paths"]["/snapshots"]["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"]
    assert "enum" not in props["data_definition"]["properties"]["categorical_columns"]["items"]
    metric = props["metrics"]["items"]["properties"]
    assert "enum" not in metric["column"], metric["column"]
    assert metric["kind"]["enum"] == ["max", "mean"]
    later = ex("post", "/snapshots", body={"data_definition": {"categorical_columns": ["region"]},
                                          "metrics": [{"column": "region", "kind": "max"}]})
    assert rejections(doc, [later]) == []


@pytest.mark.parametrize("accelerated", [pytest.param(True, id="native", marks=pytest.mark.skipif(
    not native.AVAILABLE, reason="specbuild._native is not built here")), pytest.param(False, id="pure")])
def test_a_query_parameter_naming_a_listed_collections_items_is_no_enum(accelerated: bool) -> None:
    """Alertmanager's web UI asks ``GET /api/v2/alerts/groups?receiver=team-payments``: sample a's 22
    calls named four of the five receivers its configuration has (an enum), sample b's the fifth (the
    gate's warning). ``GET /api/v2/receivers`` lists them, ``[{"name": "team-platform"}, ...]``: a
    parameter named after a collection the API lists, all of whose values are names of its items, refers
    to them, and tomorrow's configuration names others. A parameter the API lists nothing for keeps its
    enum."""
    receivers = ["team-platform", "team-payments", "team-search", "blackhole", "oncall-pager"]
    rows = [ex(path="/api/v2/receivers", resp=[{"name": r} for r in receivers]) for _ in range(3)]
    rows += [ex(path="/api/v2/alerts/groups",
                query={"receiver": receivers[i % 4], "state": ("active", "silenced")[i % 2],
                       "severity": ("critical", "warning", "info")[i % 3]},
                resp=[{"labels": {"team": "db"}, "receiver": {"name": receivers[i % 4]}}]) for i in range(40)]
    builder = SpecBuilder(accelerated=accelerated)
    for row in rows:
        builder.add(row)
    doc = render(builder)
    params = {p["name"]: p["schema"] for p in doc["paths"]["/api/v2/alerts/groups"]["get"]["parameters"]}
    assert params["receiver"] == {"type": "string"}, params
    assert params["state"]["enum"] == ["active", "silenced"]
    assert params["severity"]["enum"] == ["critical", "info", "warning"]  # no collection of severities is listed
    later = ex(path="/api/v2/alerts/groups", query={"receiver": "oncall-pager"}, resp=[])
    assert rejections(doc, [later]) == []


@pytest.mark.parametrize("accelerated", [pytest.param(True, id="native", marks=pytest.mark.skipif(
    not native.AVAILABLE, reason="specbuild._native is not built here")), pytest.param(False, id="pure")])
def test_a_name_glued_to_id_is_no_enum(accelerated: bool) -> None:
    """Azure's Blob API stages an upload's blocks as ``PUT ...?comp=block&blockid=MDAwMDAw``: a client that
    names its blocks by their index sends the same four ids for every blob, an enum by the counts; a bigger
    upload tomorrow sends a fifth. ``blockid``, ``leaseid``, ``versionids`` name ids as ``block_id`` does;
    English words that end so (``valid``, ``hybrid``) keep their enums."""
    blocks = ["MDAwMDAw", "MDAwMDAx", "MDAwMDAy", "MDAwMDAz"]
    rows = [ex("put", f"/acme/blob-{i // 4}", status=201,
               query={"comp": "block", "blockid": blocks[i % 4], "hybrid": ("on", "off")[i % 2]}) for i in range(48)]
    builder = SpecBuilder(accelerated=accelerated)
    for row in rows:
        builder.add(row)
    doc = render(builder)
    params = {p["name"]: p["schema"] for p in doc["paths"]["/acme/{acmeName}"]["put"]["parameters"]
              if p["in"] == "query"}
    assert "enum" not in params["blockid"], params
    assert params["hybrid"]["enum"] == ["off", "on"]
    later = ex("put", "/acme/blob-99", status=201, query={"comp": "block", "blockid": "MDAwMDA0", "hybrid": "on"})
    assert rejections(doc, [later]) == []
