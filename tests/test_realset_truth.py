"""scripts/real/truth.py, the published descriptions turned into the truths score.py reads."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

from tests.helpers import load_script


def _truth() -> ModuleType:
    return load_script("scripts/real/truth.py")


def _doc(servers: list[dict[str, str]] | None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/flows/{id}": {"get": {"responses": {"200": {"description": "ok"}}}}},
    }
    if servers is not None:
        doc["servers"] = servers
    return doc


def test_prefix_names_the_mount_point_of_a_description_without_servers() -> None:
    # Prefect's app lists /flows/{id} and is served as /api/flows/{id}: without the prefix score.py
    # would match no recorded path.
    truth = _truth()
    assert truth.convert(_doc(None), "/api")["servers"] == [{"url": "/api"}]
    assert truth.convert(_doc([{"url": "/"}]), "/api")["servers"] == [{"url": "/api"}]
    assert truth.convert(_doc(None))["servers"] == []


def test_a_description_that_names_its_server_keeps_it_over_the_prefix() -> None:
    truth = _truth()
    assert truth.convert(_doc([{"url": "/v1"}]), "/api")["servers"] == [{"url": "/v1"}]


def test_max_ref_depth_cuts_refs_nested_deeper_than_asked() -> None:
    # ZenML's models refer to each other so widely that inlining them all writes hundreds of MB.
    truth = _truth()
    doc = _doc(None)
    doc["paths"]["/flows/{id}"]["get"]["responses"]["200"]["content"] = {
        "application/json": {"schema": {"$ref": "#/components/schemas/A"}}
    }
    doc["components"] = {
        "schemas": {
            "A": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}},
            "B": {"type": "object", "properties": {"c": {"$ref": "#/components/schemas/C"}}},
            "C": {"type": "string"},
        }
    }

    def schema(out: dict[str, Any]) -> Any:
        return out["paths"]["/flows/{id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]

    assert schema(truth.convert(doc))["properties"]["b"]["properties"]["c"] == {"type": "string"}
    assert schema(truth.convert(doc, "", 2))["properties"]["b"]["properties"]["c"] == {}
    assert schema(truth.convert(doc, "", 1))["properties"]["b"] == {}


def test_href_params_spell_out_pulps_item_paths_as_served() -> None:
    # Pulp's description writes an entity's paths from its href (`{repo_href}sync/`), which no recorded
    # path matches: the href is its list path (the `_list` operation of the same prefix) and an id.
    truth = _truth()

    def op(oid: str) -> dict[str, Any]:
        return {"operationId": oid, "parameters": [], "responses": {"200": {"description": "ok"}}}

    href = {"name": "repo_href", "in": "path", "required": True, "schema": {"type": "string"}}
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/api/repositories/": {"get": op("repositories_list")},
            "{repo_href}": {"get": op("repositories_read"), "patch": op("repositories_partial_update")},
            "{repo_href}sync/": {"post": {**op("repositories_sync"), "parameters": [dict(href)]}},
            "{repo_href}versions/": {"get": op("repositories_versions_list")},
            "{version_href}": {"delete": op("repositories_versions_delete")},
        },
    }
    out = truth.expand_hrefs(truth.convert(doc))
    assert sorted(out["paths"]) == [
        "/api/repositories/",
        "/api/repositories/{repo_id}/",
        "/api/repositories/{repo_id}/sync/",
        "/api/repositories/{repo_id}/versions/",
        "/api/repositories/{repo_id}/versions/{version_id}/",
    ]
    assert out["paths"]["/api/repositories/{repo_id}/sync/"]["post"]["parameters"][0]["name"] == "repo_id"
    # without the option a description's paths stay as written
    assert "{repo_href}sync/" in truth.convert(doc)["paths"]


def test_a_yaml_description_with_dates_and_status_codes_reads_as_json_would(tmp_path: Path) -> None:
    # JupyterHub's rest-api.yml gives examples as bare dates and responses as `200:`: YAML reads a datetime
    # and an int, which the truth's JSON could not write (a TypeError after the file was opened).
    source = tmp_path / "rest-api.yml"
    source.write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /users:\n    get:\n      responses:\n"
        "        200:\n          description: ok\n          content:\n            application/json:\n"
        "              schema: {type: string, format: date-time, example: 2026-12-06T20:00:00Z}\n"
    )
    doc = _truth().load(str(source))
    ok = doc["paths"]["/users"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"]["example"] == "2026-12-06 20:00:00+00:00"
    json.dumps(_truth().convert(doc), sort_keys=True)
