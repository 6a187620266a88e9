"""records.decode: what real recorders send is accepted; what cannot be used is a located RecordError."""

from __future__ import annotations

import json
from typing import Any

import pytest

from specbuild.errors import RecordError
from specbuild.http import media_type
from specbuild.records import decode


def rec(request: dict[str, Any] | None = None, response: dict[str, Any] | None = None, **top: Any) -> bytes:
    obj: dict[str, Any] = {"request": {"method": "get", "path": "/users"} if request is None else request,
                           "response": {"statusCode": 200} if response is None else response, **top}
    return json.dumps(obj).encode()


def test_seed_example_decodes() -> None:
    line = (
        '{"request":{"method":"post","protocol":"http","host":"localhost","headers":{"host":"localhost:3000",'
        '"content-type":"application/json"},"body":"{\\"name\\":\\"Kimmo\\"}","path":"/users","pathname":"/users",'
        '"query":{}},"response":{"statusCode":200,"headers":{"content-type":"application/json; charset=utf-8"},'
        '"body":"{\\"id\\":\\"0549a790-fe19-4e1b-ae15-2ab99a2c91ad\\"}"}}'
    )
    ex = decode(line, "users.jsonl:1")
    assert (ex.method, ex.path, ex.status, ex.scheme, ex.host) == ("POST", "/users", 200, "http", "localhost")
    assert ex.request_body.kind == "json" and ex.request_body.value == {"name": "Kimmo"}
    assert ex.response_body.media_type == "application/json"
    assert ex.origin == "users.jsonl:1"


@pytest.mark.parametrize(
    ("request_", "path", "query"),
    [
        ({"method": "GET", "path": "/a/b?x=1&x=2&y="}, "/a/b", (("x", "1"), ("x", "2"), ("y", ""))),
        ({"method": "get", "pathname": "/a", "query": {"x": ["1", "2"], "y": "3"}}, "/a",
         (("x", "1"), ("x", "2"), ("y", "3"))),
        ({"method": "get", "url": "https://h:8443/a/b/?q=v"}, "/a/b", (("q", "v"),)),
        ({"method": "get", "path": "//a//b/"}, "/a/b", ()),
        ({"method": "get", "path": "relative"}, "/relative", ()),
    ],
)
def test_targets(request_: dict[str, Any], path: str, query: tuple[tuple[str, str], ...]) -> None:
    ex = decode(rec(request_))
    assert ex.path == path
    assert ex.query == query


def test_url_gives_scheme_and_host() -> None:
    ex = decode(rec({"method": "get", "url": "https://api.example.com:8443/a"}))
    assert (ex.scheme, ex.host) == ("https", "api.example.com:8443")


def test_headers_lower_cased_and_lists_expanded() -> None:
    ex = decode(rec({"method": "get", "path": "/", "headers": {"X-Api-Key": "k", "Accept": ["a", "b"]}}))
    assert ex.request_headers == (("x-api-key", "k"), ("accept", "a"), ("accept", "b"))
    assert ex.request_header("accept") == "a"


@pytest.mark.parametrize("status", [200, "200", " 201 ", 204.0])
def test_status_forms(status: Any) -> None:
    assert decode(rec(response={"statusCode": status})).status == int(float(str(status).strip()))


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"not json", "not-json"),
        (b"[1]", "not-an-object"),
        (b"null", "not-an-object"),
        (b'{"response": {"statusCode": 200}}', "no-request"),
        (b'{"request": {"method": "get", "path": "/"}}', "no-response"),
        (rec({"path": "/"}), "bad-method"),
        (rec({"method": "fetch", "path": "/"}), "bad-method"),
        (rec({"method": "connect", "path": "api.example.com:443"}), "tunnel"),  # one in a spec did not validate
        (rec(response={}), "no-status"),
        (rec(response={"statusCode": True}), "no-status"),
        (rec(response={"statusCode": 999}), "bad-status"),
        (rec({"method": "get"}), "no-path"),
    ],
)
def test_bad_records_are_located(raw: bytes, reason: str) -> None:
    with pytest.raises(RecordError) as info:
        decode(raw, "rec.jsonl:42")
    assert info.value.reason == reason
    assert str(info.value).startswith("rec.jsonl:42: ")


def test_a_lone_surrogate_escape_is_a_replacement_character_not_a_lost_record() -> None:
    """JavaScript's ``JSON.stringify`` writes ``"\\ud83d"`` for text cut in the middle of an emoji: valid JSON
    that orjson refuses. In the record (a header) or in a body, it reads as U+FFFD; an escaped backslash
    before ``u`` is no escape, and a pair stays its character. Native and pure: tests/test_native.py."""
    raw = rec({"method": "post", "path": "/notes", "headers": {"x-title": "PLACEHOLDER",
                                                               "content-type": "application/json"},
               "body": '{"title": "cut \\ud83d", "emoji": "\\ud83d\\ude00", "path": "C:\\\\ud800"}'})
    ex = decode(raw.replace(b"PLACEHOLDER", b"a\\udc00"), "rec.jsonl:7")
    assert ("x-title", "a\ufffd") in ex.request_headers
    assert ex.request_body.value == {"title": "cut \ufffd", "emoji": "\U0001F600", "path": "C:\\ud800"}
    with pytest.raises(RecordError, match="invalid UTF-8 at byte"):  # a bad byte is still no JSON
        decode(raw.replace(b"PLACEHOLDER", b"\xed\xa0\x80"), "rec.jsonl:8")


def test_a_body_declared_json_that_is_not_keeps_its_exchange() -> None:
    """jupyter_server answers a missing file with plain text under application/json: the operation and
    its 404 are still learned; only the body is left out, saying why."""
    ex = decode(rec(response={"statusCode": 404, "headers": {"content-type": "application/json"},
                              "body": "file 'x.ipynb' does not exist"}), "rec.jsonl:42")
    assert ex.status == 404 and ex.response_body.kind == "malformed"
    assert ex.response_body.media_type == "application/json"
    assert ex.response_body.value.startswith("response body is declared application/json but could not be read")


def test_bodies() -> None:
    form = decode(rec({"method": "post", "path": "/f", "headers": {"content-type":
                       "application/x-www-form-urlencoded"}, "body": "a=1&a=2&b=x"}))
    assert form.request_body.kind == "form" and form.request_body.value == {"a": ["1", "2"], "b": ["x"]}
    text = decode(rec(response={"statusCode": 200, "headers": {"content-type": "text/plain"}, "body": "{}"}))
    assert text.response_body.kind == "text"
    binary = decode(rec(response={"statusCode": 200, "headers": {"content-type": "image/png"}, "body": "x"}))
    assert binary.response_body.kind == "binary"
    express = decode(rec({"method": "get", "path": "/u", "body": "{}"}))
    assert express.request_body.kind == "empty"
    sniffed = decode(rec(response={"statusCode": 200, "body": '{"a": 1}'}))
    assert sniffed.response_body.kind == "json" and sniffed.response_body.value == {"a": 1}
    big = decode(rec(response={"statusCode": 200, "headers": {"content-type": "application/json"},
                               "body": "[" + "1," * 100 + "1]"}), max_body_bytes=50)
    assert big.response_body.kind == "too-large"


def test_media_type_strips_parameters() -> None:
    assert media_type("Application/JSON; charset=utf-8") == "application/json"
    assert media_type(None) is None
