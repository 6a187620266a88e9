"""specbuild.learn.overlay: what a person wrote wins, the traffic adds, and nothing is declared twice."""

from __future__ import annotations

from typing import Any

from specbuild.io.validate import spec_problems
from specbuild.learn.overlay import overlay


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


ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}


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
