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
    decode_natively = native.fields_decoder(*SpecBuilder().headers_read())
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


def test_one_media_type_with_text_and_json_bodies_merges_as_one_fold_keeps_it() -> None:
    text, json_body = Body("text", "text/plain", "hello"), Body("json", "text/plain", {"a": 1})
    one = Bodies()
    for body in (text, json_body, text):
        one.add(body)
    for first, second in ((text, json_body), (json_body, text)):
        left, right = Bodies(), Bodies()
        left.add(first)
        right.add(second)
        right.add(text)
        left.merge(right)
        state = left.by_media["text/plain"]
        assert (state.kind, state.count) == ("json", 3) == (one.by_media["text/plain"].kind, one.count)
