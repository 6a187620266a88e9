"""What clients wrap around a request (specbuild.envelope): a POST that names the method it stands for (Parse's
SDK, Rails' and Laravel's forms, ``X-HTTP-Method-Override``), JSON sent as ``text/plain``, the envelope's own
``_`` members; learned (pure and native folds alike) and checked as the API serves them."""

from __future__ import annotations

import random
import re
from typing import Any
from urllib.parse import urlencode

import orjson
import pytest

from specbuild import build_spec
from specbuild.drift import check as drift_check
from specbuild.envelope import unwrap, unwrap_exchange
from specbuild.filters import RecordFilter
from specbuild.io.files import dumps
from specbuild.io.validate import BodyValidator
from specbuild.learn import native
from specbuild.learn.builder import Bodies, SpecBuilder
from specbuild.records import Body, Exchange, decode
from specbuild.run import Fold, build_document

ENVELOPE = {"_ApplicationId": "app-1", "_JavaScriptKey": "js-key", "_ClientVersion": "js8.6.0",
            "_InstallationId": "5e1b0c"}


def sdk(path: str, body: dict[str, Any], status: int = 200, answer: Any = None, *, session: str | None = None,
        ctype: str = "text/plain") -> dict[str, Any]:
    """A record as the Parse JS SDK sends it: POST, the body JSON as text/plain, the keys inside it."""
    envelope = {**body, **ENVELOPE, **({"_SessionToken": session} if session else {})}
    response: dict[str, Any] = {"statusCode": status}
    if answer is not None:
        response.update(headers={"content-type": "application/json"}, body=orjson.dumps(answer).decode())
    return {"request": {"method": "POST", "protocol": "https", "host": "api.example.com", "pathname": path,
                        "headers": {"content-type": ctype}, "body": orjson.dumps(envelope).decode()},
            "response": response}


def parse_traffic(n: int = 60, seed: int = 1) -> list[dict[str, Any]]:
    """Finds, creates, updates and deletes of two classes, every one tunnelled through POST as the SDK does."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        cls = rnd.choice(["Product", "Order"])
        oid = "".join(rnd.choice("abcdefghkmnpqrstuvwxyzABCDEFGH0123456789") for _ in range(10))
        session = f"r:{rnd.getrandbits(64):016x}" if rnd.random() < 0.5 else None
        kind = i % 4
        if kind == 0:
            out.append(sdk(f"/parse/classes/{cls}", {"where": {"sku": f"S{i}"}, "limit": rnd.randint(1, 50),
                                                     "order": "-price", "_method": "GET"},
                           answer={"results": [{"objectId": oid, "title": f"t{i}"}]}, session=session))
        elif kind == 1:
            out.append(sdk(f"/parse/classes/{cls}", {"title": f"t{i}", "price": rnd.randint(1, 99)}, 201,
                           answer={"objectId": oid, "createdAt": "2026-12-05T10:00:00.000Z"}, session=session))
        elif kind == 2:
            out.append(sdk(f"/parse/classes/{cls}/{oid}", {"price": rnd.randint(1, 99), "_method": "PUT"},
                           answer={"updatedAt": "2026-12-05T10:00:00.000Z"}, session=session))
        else:
            out.append(sdk(f"/parse/classes/{cls}/{oid}", {"_method": "DELETE"}, answer={}, session=session))
    return out


def exchanges(records: list[dict[str, Any]]) -> list[Exchange]:
    return [decode(orjson.dumps(r)) for r in records]


def unwrapped(record: dict[str, Any]) -> Exchange:
    return unwrap_exchange(decode(orjson.dumps(record)))


def post(path: str, *, headers: dict[str, str] | None = None, body: str = "", status: int = 200) -> dict[str, Any]:
    return {"request": {"method": "POST", "pathname": path, "headers": headers or {}, "body": body},
            "response": {"statusCode": status}}


# -- unwrap: what one request stands for -----------------------------------------------------------------
def test_a_tunnelled_get_is_a_get_whose_body_members_are_its_query() -> None:
    ex = unwrapped(sdk("/parse/classes/Product", {"where": {"sku": "A1"}, "limit": 10, "keys": "title",
                                                  "_method": "GET"}, session="r:1"))
    assert (ex.method, ex.request_body.kind) == ("GET", "empty")
    # what the SDK's REST twin sends: JSON text for what is not a string
    assert ex.query == (("where", '{"sku":"A1"}'), ("limit", "10"), ("keys", "title"))


def test_a_tunnelled_put_keeps_its_body_without_the_envelope() -> None:
    ex = unwrapped(sdk("/parse/classes/Product/Kz1", {"stock": {"__op": "Increment", "amount": 5},
                                                      "_method": "PUT"}))
    assert ex.method == "PUT"
    assert ex.request_body == Body("json", "text/plain", {"stock": {"__op": "Increment", "amount": 5}})


def test_json_sent_as_text_plain_is_json_under_its_own_media_type_and_its_envelope_is_left_out() -> None:
    ex = unwrapped(sdk("/parse/functions/searchCatalog", {"term": "lamp", "limit": 5}, session="r:9"))
    assert ex.method == "POST"
    assert ex.request_body == Body("json", "text/plain", {"term": "lamp", "limit": 5})


@pytest.mark.parametrize(("record", "method", "query", "body"), [
    # Rails and Laravel: the form names the method, Laravel's CSRF token beside it is the envelope's
    (post("/users/7", headers={"content-type": "application/x-www-form-urlencoded"},
          body=urlencode([("_method", "patch"), ("_token", "csrf"), ("user[name]", "ann")])),
     "PATCH", (), Body("form", "application/x-www-form-urlencoded", {"user[name]": ["ann"]})),
    # Google APIs, OData, express's method-override: the header, and a query tunnelled in a JSON body
    (post("/things", headers={"x-http-method-override": "get", "content-type": "application/json"},
          body='{"q": "a", "n": 3}'),
     "GET", (("q", "a"), ("n", "3")), Body("empty")),
    ({"request": {"method": "POST", "path": "/things/1?_method=DELETE&v=2"}, "response": {"statusCode": 204}},
     "DELETE", (("v", "2"),), Body("empty")),
])
def test_every_way_a_post_names_another_method_is_read(record: dict[str, Any], method: str,
                                                       query: tuple[tuple[str, str], ...], body: Body) -> None:
    ex = unwrapped(record)
    assert (ex.method, ex.query, ex.request_body) == (method, query, body)


@pytest.mark.parametrize("record", [
    post("/log", headers={"content-type": "text/plain"}, body="started {job}"),  # text, not JSON
    post("/log", headers={"content-type": "text/plain"}, body="42"),  # a bare number sent as text stays text
    post("/rpc", headers={"content-type": "application/json"}, body='{"_method": "TRACE"}'),  # no tunnel to TRACE
    post("/items", headers={"content-type": "application/json"}, body='{"name": "_method"}'),  # a value, no member
    post("/items", headers={"content-type": "application/json"}, body='{"_id": "x", "n": 1}'),  # no envelope
    {"request": {"method": "PUT", "pathname": "/items/1", "headers": {"content-type": "application/json"},
                 "body": '{"_method": "GET"}'}, "response": {"statusCode": 200}},  # only a POST tunnels
])
def test_a_request_that_wraps_nothing_is_left_as_it_is(record: dict[str, Any]) -> None:
    ex = decode(orjson.dumps(record))
    assert unwrap(ex.method, ex.query, ex.request_headers, ex.request_body) is None
    assert unwrap_exchange(ex) is ex


# -- learned: the operations the API has, and their parameters ------------------------------------------
def test_the_sdk_s_calls_are_learned_as_the_methods_they_stand_for_with_their_query_and_bodies() -> None:
    doc = build_spec(exchanges(parse_traffic()))
    paths = doc["paths"]
    (item,) = (p for p in paths if p.count("/") == 4)
    assert {(re.sub("{[^}]+}", "{}", p), m) for p, ops in paths.items() for m in ops if m != "parameters"} == {
        ("/parse/classes/{}", "get"), ("/parse/classes/{}", "post"), ("/parse/classes/{}/{}", "put"),
        ("/parse/classes/{}/{}", "delete")}
    find = paths["/parse/classes/{className}"]["get"]
    assert {p["name"] for p in find["parameters"] if p["in"] == "query"} == {"where", "limit", "order"}
    create = paths["/parse/classes/{className}"]["post"]["requestBody"]["content"]["text/plain"]["schema"]
    if "$ref" in create:
        create = doc["components"]["schemas"][create["$ref"].rsplit("/", 1)[1]]
    assert set(create["properties"]) == {"title", "price"}
    text = dumps(doc)
    # the envelope: no key, no client version, no session token in any schema (they are the client's)
    assert b"_ApplicationId" not in text and b"_SessionToken" not in text and b"_method" not in text
    assert "requestBody" not in paths[item]["delete"]


def test_what_was_learned_from_tunnelled_traffic_checks_it_without_a_finding() -> None:
    learned = exchanges(parse_traffic(80, seed=2))
    doc = build_spec(learned)
    assert drift_check.check(doc, exchanges(parse_traffic(80, seed=3)), explain=BodyValidator) == []
    wrong = exchanges([sdk("/parse/classes/Product/Kz1", {"price": "cheap", "_method": "PUT"}, answer={})])
    (finding,) = drift_check.check(doc, wrong, explain=BodyValidator)
    assert finding.operation.startswith("PUT /parse/classes/{className}/")
    assert finding.kind.startswith("request-type-") and finding.example.pointer == "price"


@pytest.mark.skipif(not native.AVAILABLE, reason="specbuild._native is not built here")
def test_the_native_decoder_leaves_every_post_that_names_a_method_to_python_and_the_folds_agree() -> None:
    named = [sdk("/parse/classes/Product", {"title": "x", "_method": "GET"}, ctype="application/json"),
             post("/users/7", headers={"content-type": "application/x-www-form-urlencoded"},
                  body=urlencode([("_method", "patch"), ("user[name]", "ann")])),
             post("/things", headers={"x-http-method-override": "GET"}),
             {"request": {"method": "POST", "path": "/things/1?_method=DELETE"}, "response": {"statusCode": 204}}]
    plain = [sdk("/parse/functions/whoami", {}), post("/users", headers={"content-type": "application/json"},
                                                       body='{"name": "ann"}')]
    decode_natively = native.fields_decoder(**SpecBuilder().headers_read())
    assert decode_natively is not None
    assert [decode_natively(orjson.dumps(r), 1 << 20) for r in named] == [None] * len(named)
    assert None not in [decode_natively(orjson.dumps(r), 1 << 20) for r in plain]
    lines = [(orjson.dumps(r), "x") for r in [*parse_traffic(60, seed=4), *named, *plain]]
    pure, fast = SpecBuilder(accelerated=False), SpecBuilder(accelerated=True)
    Fold(pure).feed(lines)
    Fold(fast).feed(lines)
    doc = dumps(build_document(fast))
    assert doc == dumps(build_document(pure))
    assert b'"patch"' in doc and b"_method" not in doc


def _merged(media: str, left: list[Body], right: list[Body]) -> tuple[str, int, int]:
    one, a, b = Bodies(), Bodies(), Bodies()
    for body in left + right:
        one.add(body)
    for body in left:
        a.add(body)
    for body in right:
        b.add(body)
    a.merge(b)
    state, whole = a.by_media[media], one.by_media[media]
    assert (state.kind, state.count, state.too_large) == (whole.kind, whole.count, whole.too_large)
    return state.kind, state.count, state.too_large


def test_under_text_plain_one_body_that_is_not_json_makes_it_text_in_any_order_and_merge() -> None:
    text, sniffed = Body("text", "text/plain", "hello"), Body("json", "text/plain", {"a": 1})
    cut = Body("too-large", "text/plain")
    assert _merged("text/plain", [text], [sniffed, text]) == ("text", 3, 0)
    assert _merged("text/plain", [sniffed], [text]) == ("text", 2, 0)
    assert _merged("text/plain", [sniffed], [sniffed]) == ("json", 2, 0)
    # a state of bodies over the size limit only takes the kind of the first body read, its counts kept
    assert _merged("text/plain", [cut], [text]) == ("text", 2, 1)
    assert _merged("text/plain", [text], [cut]) == ("text", 2, 1)
    # elsewhere the richer JSON view wins, as before
    other = "application/x-ndjson"
    assert _merged(other, [Body("text", other, "x")], [Body("json", other, {"a": 1})]) == ("json", 2, 0)


def test_a_text_endpoint_that_also_got_json_lines_stays_text_and_checks_its_own_traffic() -> None:
    lines = [post("/log", headers={"content-type": "text/plain"}, body=f"started job {i}", status=204)
             for i in range(40)]
    lines += [post("/log", headers={"content-type": "text/plain"}, body=orjson.dumps({"event": i, "_ts": 1}).decode(),
                   status=204) for i in range(40)]
    traffic = exchanges(lines)
    doc = build_spec(traffic)
    schema = doc["paths"]["/log"]["post"]["requestBody"]["content"]["text/plain"]["schema"]
    assert schema["type"] == "string"
    assert drift_check.check(doc, traffic, explain=BodyValidator) == []


def test_check_reads_a_text_body_as_json_only_where_the_spec_does_not_take_text() -> None:
    spec = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/log": {"post": {
        "requestBody": {"content": {"text/plain": {"schema": {"type": "string"}}}},
        "responses": {"204": {"description": "ok"}}}}}}
    json_lines = exchanges([post("/log", headers={"content-type": "text/plain"}, body='{"event": 1, "_ts": 2}',
                                 status=204)])
    assert drift_check.check(spec, json_lines, explain=BodyValidator) == []  # a hand-written text endpoint
    learned = build_spec(exchanges([sdk("/parse/functions/f", {"n": i}) for i in range(30)]))
    wrong = exchanges([sdk("/parse/functions/f", {"n": "many"})])
    (finding,) = drift_check.check(learned, wrong, explain=BodyValidator)
    assert finding.example.pointer == "n"  # the JSON's member, not "not a string"


def test_a_spec_that_documents_only_the_post_checks_a_tunnel_as_the_post_it_was_sent_as() -> None:
    old = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/parse/classes/{className}": {
        "post": {"parameters": [{"name": "className", "in": "path", "required": True, "schema": {"type": "string"}}],
                 "requestBody": {"content": {"text/plain": {"schema": {"type": "string"}}}},
                 "responses": {"200": {"description": "ok"}, "201": {"description": "ok"}}}}}}
    traffic = exchanges(parse_traffic(40, seed=6))
    finds = [ex for ex in traffic if ex.path.count("/") == 3]
    findings = drift_check.check(old, finds, explain=BodyValidator)
    # checked as the POST it documents: its body (text, as sent) fits; no "undocumented method GET"
    assert [(f.operation, f.kind) for f in findings] == [("POST /parse/classes/{className}",
                                                          "response-body-undocumented")]


def test_a_tunnel_named_anywhere_is_an_envelope_and_a_delete_keeps_its_body() -> None:
    form = "application/x-www-form-urlencoded"
    by_header = unwrapped(post("/users/7", headers={"x-http-method-override": "PUT", "content-type": form},
                               body=urlencode([("_token", "csrf"), ("name", "ann")])))
    assert (by_header.method, by_header.request_body.value) == ("PUT", {"name": ["ann"]})
    # a header naming no method a tunnel stands for: the body's field decides (the last of a repeated one)
    by_body = unwrapped(post("/users/7", headers={"x-http-method-override": "POST", "content-type": form},
                             body=urlencode([("_method", "put"), ("_method", "patch"), ("name", "ann")])))
    assert by_body.method == "PATCH"
    delete = unwrapped(post("/items", headers={"x-http-method-override": "DELETE", "content-type": "application/json"},
                            body='{"ids": [1, 2]}'))
    assert (delete.method, delete.query, delete.request_body.value) == ("DELETE", (), {"ids": [1, 2]})
    listed = unwrapped(post("/items", headers={"x-http-method-override": "GET", "content-type": "application/json"},
                            body="[1, 2]"))
    assert (listed.method, listed.request_body.value) == ("GET", [1, 2])  # an array has no members to query by
    escaped = unwrapped(post("/items", headers={"content-type": "application/json"}, body='{"\\u005fmethod": "GET"}'))
    assert escaped.method == "GET"


@pytest.mark.skipif(not native.AVAILABLE, reason="specbuild._native is not built here")
def test_json_sent_as_text_folds_natively_and_method_filters_see_the_method_a_tunnel_names(tmp_path: Any) -> None:
    sdk_call = sdk("/parse/functions/f", {"n": 1})
    ex = decode(orjson.dumps(sdk_call))
    out = unwrap(ex.method, ex.query, ex.request_headers, ex.request_body, parse_json=native.json_parser())
    assert out is not None and type(out.body.value) is native.JSON_TYPE
    escaped = post("/items", headers={"content-type": "application/json"}, body='{"\\u005fmethod": "GET", "q": "a"}')
    decode_natively = native.fields_decoder(**SpecBuilder().headers_read())
    assert decode_natively is not None and decode_natively(orjson.dumps(escaped), 1 << 20) is None
    lines = [(orjson.dumps(r), "x") for r in parse_traffic(40, seed=7)]
    for accelerated in (True, False):
        builder = SpecBuilder(accelerated=accelerated)
        Fold(builder, keep=RecordFilter.of(methods=["GET"])).feed(lines)
        assert {m for _, m in builder.operations} == {"GET"}
