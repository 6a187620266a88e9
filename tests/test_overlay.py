"""specbuild.learn.overlay: what a person wrote wins, the traffic adds, and nothing is declared twice."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import yaml

from specbuild.io.validate import spec_problems
from specbuild.learn.overlay import overlay
from specbuild.records import decode
from tests.helpers import record, rejections
from tests.test_cli import specbuild


def doc(paths: dict[str, Any], components: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths}
    if components:
        out["components"] = components
    return out


def op(*params: dict[str, Any]) -> dict[str, Any]:
    return {"parameters": list(params), "responses": {"200": {"description": "ok"}}}


QUERY_ALL = {"name": "all", "in": "query", "schema": {"type": "boolean"}}


def test_a_learned_parameter_a_person_wrote_through_a_ref_is_not_added_again() -> None:
    # GitHub's description writes {"$ref": "#/components/parameters/all"}; the traffic learns `all` too
    written = doc({"/issues": {"get": op({"$ref": "#/components/parameters/all"})}},
                  {"parameters": {"all": QUERY_ALL}})
    learned = doc({"/issues": {"get": op({**QUERY_ALL, "required": False}, {"name": "page", "in": "query",
                                                                              "schema": {"type": "integer"}})}})
    merged = overlay(written, learned)
    params = merged["paths"]["/issues"]["get"]["parameters"]
    assert params == [{"$ref": "#/components/parameters/all"}, learned["paths"]["/issues"]["get"]["parameters"][1]]
    assert spec_problems(merged) == []


def test_a_written_parameter_wins_and_path_names_follow_the_written_path() -> None:
    written = doc({"/users/{id}": {"get": op({"name": "id", "in": "path", "required": True,
                                              "schema": {"type": "string"}, "description": "mine"})}})
    learned = doc({"/users/{userId}": {"get": op({"name": "userId", "in": "path", "required": True,
                                                  "schema": {"type": "integer"}})}})
    merged = overlay(written, learned)
    assert list(merged["paths"]) == ["/users/{id}"]
    assert merged["paths"]["/users/{id}"]["get"]["parameters"][0]["description"] == "mine"


def test_a_learned_deep_object_a_person_spelled_flat_adds_its_other_fields_flat() -> None:
    """Not the deepObject ``pagination`` beside their ``pagination[page]`` (its names twice), nor nothing
    (``pagination[pageSize]``, seen, then undocumented): the fields they did not write, spelled as theirs."""
    flat = {"name": "pagination[page]", "in": "query", "schema": {"type": "integer"}}
    written = doc({"/articles": {"get": op(flat)}})
    deep = {"name": "pagination", "in": "query", "required": True, "style": "deepObject", "explode": True,
            "schema": {"type": "object", "required": ["page", "pageSize"], "properties": {
                "page": {"type": "integer"}, "pageSize": {"type": "integer"}, "sort": {"type": "object", "properties": {
                    "by": {"type": "string"}}}, "ids": {"type": "array", "items": {"type": "integer"}}}}}
    learned = doc({"/articles": {"get": op(deep, {"name": "locale", "in": "query", "schema": {"type": "string"}})}})
    merged = overlay(written, learned)
    params = merged["paths"]["/articles"]["get"]["parameters"]
    assert [p["name"] for p in params] == ["pagination[page]", "pagination[pageSize]", "pagination[sort][by]",
                                           "pagination[ids][]", "locale"]
    assert [p.get("required") for p in params[1:4]] == [True, False, False]
    assert params[3]["style"] == "form" and params[3]["schema"]["type"] == "array"
    assert spec_problems(merged) == []


def test_a_deep_object_a_person_wrote_as_one_is_theirs_with_its_fields() -> None:
    """``--spec`` over a spec specbuild wrote (Unleash's ``/api/frontend?properties[plan]=pro``): its deepObject
    ``properties`` is written, and the learned one adds nothing; it added ``properties[plan]`` and
    ``properties[region]`` beside it, the same names twice (the round trip was not byte-identical)."""
    deep = {"name": "properties", "in": "query", "style": "deepObject", "explode": True, "schema": {
        "type": "object", "properties": {"plan": {"type": "string"}, "region": {"type": "string"}}}}
    written = doc({"/api/frontend": {"get": op(deep)}})
    learned = doc({"/api/frontend": {"get": op(deep, {"name": "userId", "in": "query", "schema": {"type": "string"}})}})
    params = overlay(written, learned)["paths"]["/api/frontend"]["get"]["parameters"]
    assert [p["name"] for p in params] == ["properties", "userId"]
    # ... written on the path item too, which its operations inherit: no learned deepObject over it
    item = {"parameters": [deep], "get": op({"name": "userId", "in": "query", "schema": {"type": "string"}})}
    merged = overlay(doc({"/api/frontend": item}), learned)["paths"]["/api/frontend"]
    assert [p["name"] for p in merged["get"]["parameters"]] == ["userId"]
    # a plain parameter of the object's name is no deepObject: the fields the traffic sent are added flat
    plain = {"name": "properties", "in": "query", "schema": {"type": "string"}}
    params = overlay(doc({"/api/frontend": {"get": op(plain)}}), learned)["paths"]["/api/frontend"]["get"]["parameters"]
    assert [p["name"] for p in params] == ["properties", "properties[plan]", "properties[region]", "userId"]


ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}


def test_statuses_inferred_from_the_traffic_are_not_added_to_a_written_operation() -> None:
    """A person wrote what their operation answers (their ``default`` holds its errors); the learned
    ``4XX`` (the API's client errors, learn/statuses.py) would take those errors from it. A 404 seen is added."""
    written = doc({"/users/{id}": {"get": {**op(ID), "responses": {"200": {"description": "ok"},
                                                                   "default": {"description": "error"}}}}})
    inferred = {"description": "Client error", "content": {"application/json": {"schema": {"type": "object"}}}}
    learned = doc({"/users/{id}": {"get": {**op(ID), "responses": {"200": {"description": "OK"},
                                                                   "404": {"description": "Not Found"},
                                                                   "4XX": inferred}}},
                   "/teams": {"get": {**op(), "responses": {"200": {"description": "OK"}, "4XX": inferred}}}})
    merged = overlay(written, learned)
    assert sorted(merged["paths"]["/users/{id}"]["get"]["responses"]) == ["200", "404", "default"]
    assert sorted(merged["paths"]["/teams"]["get"]["responses"]) == ["200", "4XX"]  # a new operation: learned


def test_written_tags_summaries_and_ids_win_and_learned_ones_stay_unique() -> None:
    written = doc({"/users/{id}": {"get": {**op(ID), "summary": "Fetch one user", "operationId": "listUsers",
                                           "tags": ["people"]}}})
    written["tags"] = [{"name": "people", "description": "mine"}]
    learned = doc({"/users/{userId}": {"get": {**op({**ID, "name": "userId"}), "summary": "Get a user",
                                               "operationId": "getUser",
                                               "tags": ["users"]}},
                   "/users": {"get": {**op(), "summary": "List users", "operationId": "listUsers",
                                      "tags": ["users"]}}})
    learned["tags"] = [{"name": "users", "description": "Operations on users"}]
    merged = overlay(written, learned)
    mine = merged["paths"]["/users/{id}"]["get"]
    assert (mine["summary"], mine["operationId"], mine["tags"]) == ("Fetch one user", "listUsers", ["people"])
    added = merged["paths"]["/users"]["get"]
    assert (added["summary"], added["operationId"], added["tags"]) == ("List users", "listUsers2", ["users"])
    assert merged["tags"] == [{"name": "people", "description": "mine"},
                              {"name": "users", "description": "Operations on users"}]
    assert spec_problems(merged) == []


# --- the traffic speaks the person's component names (issue 12) -------------------------------------------

WRITTEN_YAML = """openapi: 3.0.3
info: {title: People API, version: "2"}
tags:
  - {name: people, description: Who uses the service}
paths:
  /users/{id}:
    get:
      summary: Fetch one user
      description: Mine, as written.
      operationId: fetchUser
      tags: [people]
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}}
      responses:
        "200":
          description: The user
          content:
            application/json:
              schema: {$ref: "#/components/schemas/User"}
components:
  schemas:
    User:
      type: object
      description: A person with an account.
      required: [id, login]
      properties:
        id: {type: integer}
        login: {type: string}
        email: {type: string, format: email}
        score: {type: number}
"""


def _user(i: int) -> dict[str, Any]:
    return {"id": i, "login": f"u{i}", "score": i * 2}


def _people_traffic() -> list[dict[str, Any]]:
    rows = []
    for i in range(12):
        rows += [record(path=f"/users/{i}", resp=_user(i)),
                 record(path=f"/teams/t{i}x{i}/members", resp=[_user(i), _user(i + 1)]),
                 record(path=f"/teams/t{i}x{i}", resp={"id": i, "name": "t", "lead": _user(i)}),
                 # one property more than the person's User: not theirs, its own component
                 record(path=f"/bots/{i}", resp={**_user(i), "karma": i})]
    rows += [record(path=f"/users/{i}", status=404, resp={"message": "no such user", "code": 404})
             for i in range(100, 103)]
    return rows


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _body(doc: dict[str, Any], path: str, status: str = "200") -> Any:
    return doc["paths"][path]["get"]["responses"][status]["content"]["application/json"]["schema"]


def test_what_the_traffic_adds_refers_to_the_persons_components(tmp_path: Path) -> None:
    written = tmp_path / "openapi.yaml"
    written.write_text(WRITTEN_YAML)
    rows = _people_traffic()
    traffic = _write_jsonl(tmp_path / "traffic.jsonl", rows)
    r = specbuild("-i", str(traffic), "-o", str(tmp_path / "out"), "--spec", str(written))
    assert r.returncode == 0, r.stderr
    doc = json.loads((tmp_path / "out" / "openapi.json").read_text())
    person = yaml.safe_load(WRITTEN_YAML)
    # the person's operation, tags, summary, description, ref and component exactly as written; the
    # traffic adds its 404
    mine = doc["paths"]["/users/{id}"]["get"]
    assert {k: v for k, v in mine.items() if k != "responses"} == \
        {k: v for k, v in person["paths"]["/users/{id}"]["get"].items() if k != "responses"}
    assert mine["responses"]["200"] == person["paths"]["/users/{id}"]["get"]["responses"]["200"]
    assert doc["components"]["schemas"]["User"] == person["components"]["schemas"]["User"]
    assert doc["tags"][0] == person["tags"][0]
    assert {t["name"] for t in doc["tags"][1:]} == {"bots", "teams"}
    # new paths: the users they hold are the person's User (a subset of its properties, integer a number)
    members = next(p for p in doc["paths"] if p.endswith("/members"))
    assert _body(doc, members) == {"type": "array", "items": {"$ref": "#/components/schemas/User"},
                                   "x-specbuild-seen": 12}
    team = next(p for p in doc["paths"] if p.startswith("/teams/") and not p.endswith("/members"))
    assert _body(doc, team)["properties"]["lead"] == {"$ref": "#/components/schemas/User"}
    # a bot has a property the person's User lacks: it keeps what was learned (the one body of its
    # operation: in place, as in a learned spec)
    assert "karma" in _body(doc, "/bots/{botId}")["properties"]
    assert sorted(doc["components"]["schemas"]) == ["Error", "User"]
    assert _body(doc, "/users/{id}", "404") == {"$ref": "#/components/schemas/Error"}
    assert spec_problems(doc) == [] and rejections(doc, [decode(row, "t") for row in rows]) == []
    # the traffic it was learned from is no drift from it, and against the written spec only additions
    check = specbuild("check", "--spec", str(tmp_path / "out" / "openapi.json"), "-i", str(traffic))
    assert check.returncode == 0, check.stdout + check.stderr
    changes = specbuild("diff", str(written), str(tmp_path / "out" / "openapi.json"), "-f", "json")
    found = json.loads(changes.stdout)["changes"]
    assert changes.returncode == 0 and found and "breaking" not in {c["severity"] for c in found}, changes.stdout
    # the same records in another order: the same bytes
    again = _write_jsonl(tmp_path / "again.jsonl", rows[::-1])
    assert specbuild("-i", str(again), "-o", str(tmp_path / "again"), "--spec", str(written)).returncode == 0
    assert (tmp_path / "again" / "openapi.json").read_bytes() == (tmp_path / "out" / "openapi.json").read_bytes()


def test_a_learned_component_named_like_a_persons_that_does_not_fit_it_is_observed(tmp_path: Path) -> None:
    written = tmp_path / "openapi.yaml"
    written.write_text(WRITTEN_YAML)
    # a user without a login (the person requires one), at the person's path and at a new one
    rows = [record(path=f"/users/{i}", resp={"id": i, "score": 1.5}) for i in range(12)]
    rows += [record(path="/users", resp=[{"id": i, "score": 1.5}]) for i in range(12)]
    r = specbuild("-i", str(_write_jsonl(tmp_path / "t.jsonl", rows)), "-o", str(tmp_path), "--spec", str(written))
    assert r.returncode == 0, r.stderr
    doc = json.loads((tmp_path / "openapi.json").read_text())
    assert _body(doc, "/users")["items"] == {"$ref": "#/components/schemas/ObservedUser"}
    assert doc["components"]["schemas"]["User"] == yaml.safe_load(WRITTEN_YAML)["components"]["schemas"]["User"]
    assert _body(doc, "/users/{id}") == {"$ref": "#/components/schemas/User"}   # theirs, as written
    assert spec_problems(doc) == []


USER_COMPONENT = {"type": "object", "required": ["id", "login"],
                  "properties": {"id": {"type": "integer"}, "login": {"type": "string"},
                                 "state": {"type": "string", "enum": ["active", "gone"]},
                                 "joined": {"type": "string", "format": "date-time"}}}


def _fits(learned_user: dict[str, Any], name: str = "User") -> bool:
    """Whether a learned object (its counts in it) becomes a ref to the written User."""
    written = doc({"/users/{id}": {"get": op(ID)}}, {"schemas": {"User": USER_COMPONENT}})
    body = {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
            "description": "ok"}
    learned = doc({"/members": {"get": {"responses": {"200": body}}}}, {"schemas": {name: learned_user}})
    merged = overlay(written, learned)
    return merged["paths"]["/members"]["get"]["responses"]["200"] == {**body, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/User"}}}}


SEEN = "x-specbuild-seen"


def test_agreement_is_the_shape_the_traffic_can_tell() -> None:
    base = {"type": "object", SEEN: 20, "properties": {"id": {"type": "integer", "format": "int64"},
                                                        "login": {"type": "string"}}}
    assert _fits(base)
    state = {"type": "string", "enum": ["active", "gone"]}
    assert not _fits(base, "Member")  # another name: it has too few of the person's properties (2 of 4)
    assert _fits({**base, "properties": {**base["properties"], "state": state}}, "Member")  # 3 of 4
    assert not _fits({**base, "properties": {"login": base["properties"]["login"]}})  # id is required
    sometimes = {**base, "properties": {**base["properties"], "login": {"type": "string", SEEN: 7}}}
    assert not _fits(sometimes)  # the person requires a login, the traffic lacked one 13 times
    assert _fits({**sometimes, "required": ["id", "login"]})
    assert not _fits({k: v for k, v in base.items() if k != SEEN})  # no evidence, no required: unknown
    assert not _fits({**base, "properties": {**base["properties"], "karma": {"type": "integer"}}})
    assert not _fits({**base, "properties": {**base["properties"], "login": {"type": "integer"}}})
    # a string nullable by its name elsewhere in the API (render.py): no word about this place; a null
    # object is (a person writes a nullable one apart)
    assert _fits({**base, "properties": {**base["properties"], "login": {"type": "string", "nullable": True}}})
    assert not _fits({**base, "nullable": True})
    assert not _fits({**base, "properties": {**base["properties"], "login": {"nullable": True}}})  # only null
    assert _fits({**base, "properties": {**base["properties"], "state": state}})
    # a person's enum takes only a learned enum inside it (no enum learned: too many values, or too few to say)
    assert not _fits({**base, "properties": {**base["properties"], "state": {"type": "string"}}})
    assert not _fits({**base, "properties": {**base["properties"], "state": {**state, "enum": ["active", "new"]}}})
    joined = {"type": "string", "format": "date-time"}
    assert _fits({**base, "properties": {**base["properties"], "joined": joined}})
    assert not _fits({**base, "properties": {**base["properties"], "joined": {"type": "string"}}})



def test_a_learned_object_takes_the_component_named_like_it_among_those_it_fits() -> None:
    volume = {"volumeID": {"type": "string"}, "fsType": {"type": "string"}, "readOnly": {"type": "boolean"}}
    written = doc({}, {"schemas": {
        "CinderVolumeSource": {"type": "object", "properties": {**volume, "secretRef": {"type": "object"}}},
        "PortworxVolumeSource": {"type": "object", "properties": volume}}})
    seen = {"volumeID": {"type": "string"}, "readOnly": {"type": "boolean"}}
    body = {"description": "ok", "content": {"application/json": {"schema": {"type": "object", "properties": {
        "cinder": {"$ref": "#/components/schemas/Cinder"}, "disk": {"$ref": "#/components/schemas/Disk"}}}}}}
    learned = doc({"/volumes": {"get": {"responses": {"200": body}}}},
                  {"schemas": {"Cinder": {"type": "object", "properties": seen},
                               "Disk": {"type": "object", "properties": seen}}})
    merged = overlay(written, learned)
    got = merged["paths"]["/volumes"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    # Cinder: half of CinderVolumeSource's properties, but its name; Disk: two thirds of Portworx's
    assert got["properties"] == {"cinder": {"$ref": "#/components/schemas/CinderVolumeSource"},
                                 "disk": {"$ref": "#/components/schemas/PortworxVolumeSource"}}
    assert sorted(merged["components"]["schemas"]) == ["CinderVolumeSource", "PortworxVolumeSource"]


def test_an_inline_body_a_person_wrote_takes_only_the_properties_the_traffic_showed() -> None:
    """A learned create body (``name``, ``path``) fits the person's ``Session`` (``id``, ``name``, ``path``),
    but where they wrote the body inline, the traffic's properties merge into theirs: ``path``, never
    ``id``, which no request sent (Jupyter's spec, learned again over itself, gained ``id`` and
    ``notebook``). A new operation's body still refers to their component."""
    session = {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"},
                                                 "path": {"type": "string"}}}

    def create(schema: dict[str, Any]) -> dict[str, Any]:
        return {"requestBody": {"content": {"application/json": {"schema": schema}}},
                "responses": {"201": {"description": "Created"}}}

    sent = {"type": "object", "properties": {"name": {"type": "string"}, "path": {"type": "string"}},
            "x-specbuild-seen": 22}
    base = doc({"/sessions": {"post": create({"type": "object", "properties": {"name": {"type": "string"}}})}},
               {"schemas": {"Session": session}})
    learned = doc({"/sessions": {"post": create(sent)}, "/drafts": {"post": create(sent)}})
    out = overlay(base, learned)
    merged = out["paths"]["/sessions"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert merged == {"type": "object", "properties": {"name": {"type": "string"}, "path": {"type": "string"}}}
    added = out["paths"]["/drafts"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert added == {"$ref": "#/components/schemas/Session", "x-specbuild-seen": 22}
    assert spec_problems(out) == []


def test_a_learned_component_taken_for_the_persons_merges_only_what_the_traffic_showed() -> None:
    """The learned body is a ``$ref`` to a learned ``Session`` that fits theirs, so it is renamed to theirs:
    merged into the inline body they wrote, it still brings only the traffic's properties."""
    session = {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"},
                                                 "path": {"type": "string"}}}
    body = {"requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {
        "name": {"type": "string"}}}}}}, "responses": {"201": {"description": "Created"}}}
    base = doc({"/sessions": {"post": body}}, {"schemas": {"Session": session}})
    sent = {"type": "object", "properties": {"name": {"type": "string"}, "path": {"type": "string"}},
            "x-specbuild-seen": 22}
    learned = doc({"/sessions": {"post": {
        "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Session"}}}},
        "responses": {"201": {"description": "Created"}}}}}, {"schemas": {"Session": sent}})
    out = overlay(base, learned)
    merged = out["paths"]["/sessions"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert sorted(merged["properties"]) == ["name", "path"]
    assert out["components"]["schemas"] == {"Session": session}


def test_what_fits_a_persons_component_is_judged_for_each_learned_object_however_many() -> None:
    """Found reviewing: the fit of a learned object to a person's component was remembered by the object's
    id, and the overlay's copies of learned operations, freed once merged, gave their ids to later ones,
    which then read the old answer: bodies with integers became refs to a component of strings."""
    rnd = random.Random(1)
    keys = ["id", "name", "path", "kind"]

    def obj() -> dict[str, Any]:
        return {"type": "object", "x-specbuild-seen": 22, "properties": {
            k: {"type": rnd.choice(["string", "integer"])} for k in rnd.sample(keys, rnd.randint(3, 4))}}

    def create() -> dict[str, Any]:
        return {"requestBody": {"content": {"application/json": {"schema": obj()}}}, "responses": {"201": {
            "description": "Created", "content": {"application/json": {"schema": obj()}}}}}

    thing = {"type": "object", "properties": {k: {"type": "string"} for k in keys}}
    base = doc({f"/w{i}": {"post": create()} for i in range(50)}, {"schemas": {"Thing": thing}})
    learned = doc({**{f"/w{i}": {"post": create(), "put": create()} for i in range(50)},
                   **{f"/n{i}": {"post": create()} for i in range(200)}})
    out = overlay(base, learned)
    wrong = []
    for path, item in learned["paths"].items():
        for method, op in item.items():
            if path in base["paths"] and method in base["paths"][path]:
                continue  # merged into what the person wrote
            sides = [(op["requestBody"], out["paths"][path][method]["requestBody"]),
                     (op["responses"]["201"], out["paths"][path][method]["responses"]["201"])]
            for theirs, ours in sides:
                sent = theirs["content"]["application/json"]["schema"]
                strings = all(p["type"] == "string" for p in sent["properties"].values())
                if ("$ref" in ours["content"]["application/json"]["schema"]) != strings:
                    wrong.append((method, path))
    assert not wrong


def test_a_persons_path_with_an_extension_gets_its_own_traffic(tmp_path: Path) -> None:
    """``/reports/{reportId}.csv`` beside ``/reports/{reportId}``: the CSV calls are the first's, the JSON
    calls the second's. Before, a parameter with an extension was no hint: the traffic learned one
    ``/reports/{reportName}``, and the person's ``/reports/{reportId}`` took the CSV responses too."""
    def get(media: str, schema: dict[str, Any]) -> dict[str, Any]:
        return {"get": {"parameters": [{"name": "reportId", "in": "path", "required": True,
                                        "schema": {"type": "string"}}],
                        "responses": {"200": {"description": "ok", "content": {media: {"schema": schema}}}}}}
    written = tmp_path / "openapi.json"
    report = {"type": "object", "properties": {"id": {"type": "string"}}}
    written.write_text(json.dumps(doc({"/reports/{reportId}.csv": get("text/csv", {"type": "string"}),
                                       "/reports/{reportId}": get("application/json", report)})))
    rows = []
    for i in range(20):
        rows.append(record(path=f"/reports/r{i}x", resp={"id": f"r{i}x", "rows": i}))
        csv = record(path=f"/reports/r{i}x.csv", resp_headers={"content-type": "text/csv"})
        csv["response"]["body"] = "a,b\n1,2\n"
        rows.append(csv)
    traffic = _write_jsonl(tmp_path / "traffic.jsonl", rows)
    r = specbuild("-i", str(traffic), "-o", str(tmp_path / "out"), "--spec", str(written))
    assert r.returncode == 0, r.stderr
    assert "not used to template" not in r.stderr
    out = json.loads((tmp_path / "out" / "openapi.json").read_text())
    assert sorted(out["paths"]) == ["/reports/{reportId}", "/reports/{reportId}.csv"]
    assert list(out["paths"]["/reports/{reportId}"]["get"]["responses"]["200"]["content"]) == ["application/json"]
    assert list(out["paths"]["/reports/{reportId}.csv"]["get"]["responses"]["200"]["content"]) == ["text/csv"]
    assert "rows" in _body(out, "/reports/{reportId}")["properties"]  # the JSON calls added theirs
