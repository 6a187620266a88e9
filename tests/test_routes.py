"""routes: request paths find their spec path (literal first, then templates), under server base
paths; operations read with $refs resolved."""

from __future__ import annotations

from typing import Any

import pytest

from specbuild.drift.routes import Router, operation, pick_media

PATHS = {
    "/users": {},
    "/users/me": {},
    "/users/{userId}": {},
    "/users/{userId}/orders/{orderId}": {},
    "/users/me/orders/{orderId}/items": {},
    "/files/{name}.json": {},
    "/compare/{base}...{head}": {},
    "/": {},
}


@pytest.mark.parametrize(
    ("path", "template", "values"),
    [
        ("/users", "/users", ()),
        ("/users/me", "/users/me", ()),
        ("/users/42", "/users/{userId}", ("42",)),
        ("/users/me/orders/7", "/users/{userId}/orders/{orderId}", ("me", "7")),  # backtracks out of /users/me
        ("/users/me/orders/7/items", "/users/me/orders/{orderId}/items", ("7",)),
        ("/files/report.json", "/files/{name}.json", ("report",)),
        ("/compare/main...dev", "/compare/{base}...{head}", ("main", "dev")),
        ("/users/a%20b", "/users/{userId}", ("a b",)),
        ("/", "/", ()),
    ],
)
def test_a_literal_path_wins_and_templates_catch_the_rest(path: str, template: str, values: tuple[str, ...]) -> None:
    match = Router(PATHS).match(path)
    assert match is not None and (match.route.template, match.values) == (template, values)


@pytest.mark.parametrize("path", ["/user", "/users/1/orders", "/files/report.xml", "/users/1/2/3/4"])
def test_unknown_paths_match_nothing(path: str) -> None:
    assert Router(PATHS).match(path) is None


def test_server_base_paths_are_tried_longest_first_and_the_bare_path_last() -> None:
    router = Router({"/pets/{id}": {}, "/v1/pets": {}}, ["/api/v1", "/api"])
    assert router.match("/api/v1/pets/3").route.template == "/pets/{id}"  # type: ignore[union-attr]
    assert router.match("/pets/3").route.template == "/pets/{id}"  # type: ignore[union-attr]
    assert router.match("/api/v1/pets").route.template == "/v1/pets"  # type: ignore[union-attr]


def test_the_route_cache_stays_bounded() -> None:
    router = Router(PATHS)
    for i in range(20_000):
        router.match(f"/users/{i}")
    assert len(router._cache) <= 1 << 14


SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "security": [{"key": []}],
    "paths": {
        "/items/{itemId}": {
            "parameters": [
                {"$ref": "#/components/parameters/itemId"},
                {"name": "X-Trace", "in": "header", "schema": {"type": "string"}},
            ],
            "get": {
                "parameters": [
                    {"name": "X-Trace", "in": "header", "required": True, "schema": {"type": "string"}},
                    {"name": "Accept", "in": "header", "schema": {"type": "string"}},
                    {
                        "name": "fields",
                        "in": "query",
                        "style": "form",
                        "explode": False,
                        "schema": {"type": "array", "items": {"type": "string"}},
                    },
                ],
                "responses": {"200": {"$ref": "#/components/responses/Item"}, "4XX": {"description": "err"}},
            },
        }
    },
    "components": {
        "parameters": {"itemId": {"name": "itemId", "in": "path", "required": True, "schema": {"type": "integer"}}},
        "responses": {
            "Item": {
                "description": "OK",
                "headers": {"ETag": {"required": True, "schema": {}}},
                "content": {"application/json; charset=utf-8": {"schema": {"type": "object"}}},
            }
        },
        "securitySchemes": {"key": {"type": "apiKey", "in": "query", "name": "api_key"}},
    },
}


def test_operations_read_through_refs_levels_and_ranges() -> None:
    match = Router(SPEC["paths"]).match("/items/3")
    assert match is not None
    op = operation(SPEC, match.route, "GET")
    assert op is not None and op.key == "GET /items/{itemId}"
    assert op.path_params[0] is not None and op.path_params[0].schema == {"type": "integer"}
    assert op.headers["x-trace"].required  # the operation's declaration wins over the path's
    assert "accept" not in op.headers  # OpenAPI: ignored
    assert op.query["fields"].array and not op.query["fields"].explode
    assert op.credential_query == frozenset({"api_key"})
    assert op.required_headers == ("x-trace",)
    assert op.response(200) is not None and op.response(200).required_headers == ("etag",)  # type: ignore[union-attr]
    assert op.response(404) is op.responses["4XX"] and op.response(500) is None
    assert list(op.response(200).content or {}) == ["application/json"]  # type: ignore[union-attr]
    assert operation(SPEC, match.route, "POST") is None


@pytest.mark.parametrize(
    ("content", "media", "picked"),
    [
        ({"application/json": 1}, "application/json", "application/json"),
        ({"application/json": 1}, "application/problem+json", "application/json"),
        ({"text/*": 1, "*/*": 2}, "text/plain", "text/*"),
        ({"*/*": 2}, "image/png", "*/*"),
        ({"application/json": 1}, "text/html", None),
    ],
)
def test_media_types(content: dict[str, Any], media: str, picked: str | None) -> None:
    hit = pick_media(content, media)
    assert (hit[0] if hit else None) == picked
