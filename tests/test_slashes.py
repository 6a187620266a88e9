"""A path served with its trailing slash is documented with it (Django's ``/v1/auth/login/``): the
decoders keep the bit, the fold counts it per operation, merges and the state keep the counts, render
writes the served form once, and check, diff and the router take ``/x`` and ``/x/`` as one path."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from specbuild.drift.diff import diff
from specbuild.drift.routes import Router
from specbuild.errors import InputError
from specbuild.learn import native
from specbuild.learn import state as codec
from specbuild.learn.builder import SpecBuilder
from specbuild.learn.render import render
from specbuild.records import decode
from specbuild.run import Fold
from tests.helpers import record

needs_native = pytest.mark.skipif(not native.AVAILABLE, reason="specbuild._native is not built here")
ENGINES = [pytest.param(True, id="native", marks=needs_native), pytest.param(False, id="pure")]


def raw(method: str, path: str, status: int = 200, body: Any = None) -> bytes:
    return orjson.dumps(record(method, path, status, resp={"id": 1, "name": "a"} if body is None else body))


def django() -> list[bytes]:
    """An API served with trailing slashes (Django REST), beside one without, and one called both ways."""
    out = []
    for i in range(1, 7):
        out += [raw("POST", "/v1/auth/login/"), raw("GET", "/v1/auth/user/"), raw("PUT", "/v1/auth/user/"),
                raw("GET", f"/api/projects/{i}/"), raw("DELETE", f"/api/projects/{i}/", 204, body={}),
                raw("GET", "/api/things"), raw("GET", "/")]
    # called both ways: the slashless form redirected (APPEND_SLASH's 301), the slashed one served
    out += [raw("GET", "/v1/me", 301, body={}), raw("GET", "/v1/me", 301, body={}), raw("GET", "/v1/me/"),
            raw("GET", "//")]
    return out


def fold(lines: list[bytes], use_native: bool) -> SpecBuilder:
    builder = SpecBuilder(accelerated=use_native)
    Fold(builder).feed((line, f"r:{i}") for i, line in enumerate(lines))
    return builder


# -- the decoders ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "expected", "slash"), [
    ("/v1/auth/login/", "/v1/auth/login", True), ("/v1/auth/login", "/v1/auth/login", False),
    ("/a//b//", "/a/b", True), ("/", "/", False), ("//", "/", False), ("///", "/", False),
    ("x/", "/x", True),
])
def test_the_decoder_keeps_whether_the_target_ended_in_a_slash(path: str, expected: str, slash: bool) -> None:
    ex = decode(raw("GET", path), "r")
    assert (ex.path, ex.slash) == (expected, slash)


@needs_native
@pytest.mark.parametrize("path", ["/v1/auth/login/", "/v1/auth/login", "/a//b//", "/", "//", "x/", "/a/b/?q=1"])
def test_the_native_decoder_keeps_the_same_bit(path: str) -> None:
    line = orjson.dumps({"request": {"method": "GET", "path": path}, "response": {"statusCode": 200}})
    fields = native.fields_decoder(targets=True)(line, 1 << 20)  # type: ignore[misc]
    assert fields is not None
    ex = decode(line, "r")
    assert (fields[1], fields[11]) == (ex.path, ex.slash)


# -- the fold, merge, state and render ---------------------------------------------------------------

@pytest.mark.parametrize("use_native", ENGINES)
def test_paths_served_with_a_slash_are_written_with_it_once(use_native: bool) -> None:
    paths = render(fold(django(), use_native))["paths"]
    assert list(paths) == ["/", "/api/projects/{projectId}/", "/api/things", "/v1/auth/login/",
                           "/v1/auth/user/", "/v1/me/"]
    assert set(paths["/v1/auth/user/"]) == {"get", "put"}
    assert set(paths["/v1/me/"]["get"]["responses"]) >= {"200", "301"}  # one path, both forms' calls


@pytest.mark.parametrize("use_native", ENGINES)
def test_called_both_ways_the_form_served_more_often_wins(use_native: bool) -> None:
    served_bare = [raw("GET", "/x"), raw("GET", "/x"), raw("GET", "/x/", 308, body={})] * 3
    assert list(render(fold(served_bare, use_native))["paths"]) == ["/x"]
    served_slashed = [raw("GET", "/x", 404, body={}), raw("GET", "/x/"), raw("GET", "/x/", 304, body={})]
    assert list(render(fold(served_slashed, use_native))["paths"]) == ["/x/"]
    tied = [raw("GET", "/x"), raw("GET", "/x/")]
    assert list(render(fold(tied, use_native))["paths"]) == ["/x"]  # a tie keeps the form without


def test_the_base_path_comes_out_before_the_slash_goes_on() -> None:
    lines = [raw("GET", "/api/v1/items/"), raw("GET", "/api/v1/users"), raw("GET", "/api/v1/")] * 2
    doc = build(lines, base_path="/api/v1")
    assert doc["servers"] == [{"url": "https://api.example.com/api/v1"}]
    assert list(doc["paths"]) == ["/", "/items/", "/users"]


def build(lines: list[bytes], **options: Any) -> dict[str, Any]:
    from specbuild.learn.render import RenderOptions
    return render(fold(lines, native.AVAILABLE), RenderOptions(**options))


def test_merged_builders_add_their_counts() -> None:
    lines = django()
    one = fold(lines, native.AVAILABLE)
    halves = [fold(lines[::2], native.AVAILABLE), fold(lines[1::2], native.AVAILABLE)]
    halves[0].merge(halves[1])
    assert render(halves[0]) == render(one)
    assert sum(op.slashed for op in halves[0].operations.values()) == sum(
        op.slashed for op in one.operations.values()) == 6 * 5 + 1


@pytest.mark.parametrize("use_native", ENGINES)
def test_the_state_keeps_the_counts(use_native: bool) -> None:
    builder = fold(django(), use_native)
    loaded, _ = codec.decode(codec.encode(builder, {}), "s")
    assert render(loaded) == render(builder)
    ops = orjson.loads(codec.encode(builder, {}).partition(b"\n")[2])["builder"]["operations"]
    assert {tuple(op[6]) for key, method, op in ops if key.startswith("/v1/auth")} == {(6, 6)}


def test_a_format_4_state_is_read_as_no_slash_seen_and_format_3_is_refused() -> None:
    builder = fold(django(), native.AVAILABLE)
    data = codec.encode(builder, {})
    header, _, body = data.partition(b"\n")
    doc = orjson.loads(body)
    for _, _, op in doc["builder"]["operations"]:
        del op[6]
    old = header.replace(b" 8 ", b" 4 ") + b"\n" + orjson.dumps(doc, option=orjson.OPT_SORT_KEYS)
    loaded, _ = codec.decode(old, "s")
    assert all(not op.slashed for op in loaded.operations.values())
    assert "/v1/auth/login" in render(loaded)["paths"]
    with pytest.raises(InputError, match="state format 3 is not 8"):
        codec.decode(header.replace(b" 8 ", b" 3 ") + b"\n" + body, "s")
    doc["builder"]["operations"][0][2].append([1, 2])  # more served than sent
    with pytest.raises(InputError, match="cannot read the saved state"):
        codec.decode(header + b"\n" + orjson.dumps(doc, option=orjson.OPT_SORT_KEYS), "s")


# -- the consumers: router, diff ---------------------------------------------------------------------

def test_the_router_takes_both_forms_for_either_written_form() -> None:
    router = Router({"/x/": {}, "/y": {}, "/a/{id}/": {}, "/": {}})
    found = {path: (m.route.template if (m := router.match(path)) else None)
             for path in ["/x", "/x/", "/y", "/y/", "/a/1", "/a/1/", "/", "//"]}
    assert found == {"/x": "/x/", "/x/": "/x/", "/y": "/y", "/y/": "/y", "/a/1": "/a/{id}/",
                     "/a/1/": "/a/{id}/", "/": "/", "//": "/"}


def test_a_path_now_written_with_its_slash_is_the_same_operation() -> None:
    """A spec learned before slashes were kept and one learned now: the same operations, each told (info)
    that its path is now written as the server serves it, and nothing else."""
    old = render(fold([line.replace(b'/"', b'"') if b'"pathname":"/"' not in line else line
                       for line in django()], native.AVAILABLE))
    new = render(fold(django(), native.AVAILABLE))
    assert "/v1/auth/login" in old["paths"] and "/v1/auth/login/" in new["paths"]
    forward, backward = diff(old, new), diff(new, old)
    assert forward and {(c.kind, c.severity) for c in forward} == {("path-now-with-trailing-slash", "info")}
    assert {(c.kind, c.severity) for c in backward} == {("path-no-longer-with-trailing-slash", "info")}
    assert "POST /v1/auth/login/" in {c.operation for c in forward}


def test_a_persons_spec_keeps_its_form_and_hints_with_a_slash_template_the_slashless_path() -> None:
    from specbuild.learn.overlay import overlay
    learned = render(fold(django(), native.AVAILABLE))
    mine = overlay({"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
                    "paths": {"/v1/auth/login": {"post": {"responses": {"200": {"description": "ok"}}}}}}, learned)
    assert "/v1/auth/login" in mine["paths"] and "/v1/auth/login/" not in mine["paths"]
    builder = SpecBuilder(hints=("/api/projects/{key}/",), accelerated=native.AVAILABLE)
    Fold(builder).feed((line, "r") for line in django())
    assert "/api/projects/{key}/" in render(builder)["paths"]


def _paths_spec(paths: list[str]) -> dict[str, Any]:
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {p: {"get": {"responses": {"200": {"description": "ok"}}}} for p in paths}}


def test_a_spec_holding_a_path_with_and_without_its_slash_keeps_both_operations_in_a_diff() -> None:
    """``/x`` and ``/x/`` in one spec are two operations (a person's spec may write both): dropping ``/x``
    is its removal (breaking), not ``/x``'s operation now written with a slash; each pairs with its own
    form first, and with the other form only when a spec holds one of them."""
    both, slashed = _paths_spec(["/x", "/x/", "/y"]), _paths_spec(["/x/", "/y"])
    assert {(c.operation, c.kind) for c in diff(both, slashed)} == {("GET /x", "operation-removed")}
    assert {(c.operation, c.kind) for c in diff(slashed, both)} == {("GET /x", "operation-added")}
    assert diff(both, both) == []
    assert {(c.operation, c.kind) for c in diff(_paths_spec(["/y"]), both)} == {
        ("GET /x", "operation-added"), ("GET /x/", "operation-added")}
    assert {(c.operation, c.kind) for c in diff(both, _paths_spec(["/x", "/x/", "/y/"]))} == {
        ("GET /y/", "path-now-with-trailing-slash")}
