"""io.har: a HAR entry as the HTTP Types record it stands for (decoded as every record is)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from specbuild.errors import InputError, RecordError
from specbuild.io.har import entry_record, har_records
from specbuild.records import decode
from tests.helpers import FIXTURES


def entry(method: str = "GET", url: str = "https://api.example.com/a?x=1", status: int = 200,
          **parts: Any) -> dict[str, Any]:
    """A HAR 1.2 entry as devtools write one; ``parts`` replace or add request/response fields."""
    req = {"method": method, "url": url, "httpVersion": "HTTP/1.1", "headers": [], "queryString": [],
           "cookies": [], "headersSize": -1, "bodySize": 0, **parts.get("request", {})}
    res = {"status": status, "statusText": "", "httpVersion": "HTTP/1.1", "headers": [], "cookies": [],
           "content": {"size": 0, "mimeType": "x-unknown"}, "redirectURL": "", "headersSize": -1, "bodySize": 0,
           **parts.get("response", {})}
    return {"startedDateTime": "2026-12-01T10:00:00Z", "time": 1, "request": req, "response": res, "cache": {},
            "timings": {"send": 0, "wait": 1, "receive": 0}}


def test_url_headers_and_status() -> None:
    e = entry(request={"headers": [{"name": ":authority", "value": "api.example.com"},
                                   {"name": "X-Tenant", "value": "a"}, {"name": "x-tenant", "value": "b"}]})
    ex = decode(entry_record(e), "t")
    assert (ex.method, ex.scheme, ex.host, ex.path, ex.query, ex.status) == \
           ("GET", "https", "api.example.com", "/a", (("x", "1"),), 200)
    assert ex.request_headers == (("x-tenant", "a"), ("x-tenant", "b"))  # pseudo-headers dropped


def test_a_websocket_entry_is_its_handshake_over_http() -> None:
    # Chrome's and Firefox's entry of a WebSocket has the socket's URL; the spec's servers are the API's
    for url, scheme in (("wss://api.example.com/ws/live", "https"), ("WS://api.example.com/ws", "http")):
        e = entry(url=url, status=101, request={"headers": [{"name": "Upgrade", "value": "websocket"}]})
        got = decode(json.dumps(entry_record(e)), "t.har#/log/entries/0")
        assert (got.scheme, got.host, got.status) == (scheme, "api.example.com", 101)
    assert entry_record(entry(url="https://api.example.com/wsx"))["request"]["url"] == "https://api.example.com/wsx"


def test_post_data_params_are_a_form_and_text_wins() -> None:
    params = [{"name": "user", "value": "ada"}, {"name": "tags", "value": "a b"}, {"name": "tags", "value": "c"}]
    form = decode(entry_record(entry("POST", request={"postData": {
        "mimeType": "application/x-www-form-urlencoded", "params": params}})), "t")
    assert (form.request_body.kind, form.request_body.value) == ("form", {"user": ["ada"], "tags": ["a b", "c"]})
    text = decode(entry_record(entry("POST", request={"postData": {
        "mimeType": "application/json", "text": '{"a": 1}', "params": params}})), "t")
    assert (text.request_body.kind, text.request_body.value) == ("json", {"a": 1})


def test_base64_content_is_decoded_and_binary_stays_binary() -> None:
    doc = base64.b64encode(b'{"id": 7}').decode()
    ex = decode(entry_record(entry(response={"content": {"size": 9, "mimeType": "application/json",
                                                          "encoding": "base64", "text": doc}})), "t")
    assert (ex.response_body.kind, ex.response_body.value) == ("json", {"id": 7})
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n\xff\xfe").decode()
    img = decode(entry_record(entry(response={"content": {"size": 10, "mimeType": "image/png",
                                                           "encoding": "base64", "text": png}})), "t")
    assert (img.response_body.kind, img.response_body.media_type) == ("binary", "image/png")


def test_the_media_type_comes_from_the_headers_first() -> None:
    ex = decode(entry_record(entry(response={
        "headers": [{"name": "Content-Type", "value": "application/problem+json"}],
        "content": {"size": 2, "mimeType": "application/json", "text": "{}"}})), "t")
    assert ex.response_body.media_type == "application/problem+json"
    unknown = decode(entry_record(entry(response={"content": {"size": 0, "mimeType": "x-unknown", "text": ""}})), "t")
    assert unknown.response_body.kind == "empty"


@pytest.mark.parametrize("response", [None, {"status": 0, "headers": [], "content": {}}])
def test_an_entry_with_no_response_is_a_no_response_record(response: dict[str, Any] | None) -> None:
    e = entry()
    e["response"] = response
    with pytest.raises(RecordError) as caught:
        decode(entry_record(e), "s.har#/log/entries/0")
    assert caught.value.reason == "no-response"


def test_every_entry_is_located_and_a_har_without_entries_is_refused() -> None:
    doc = json.loads((FIXTURES / "har" / "devtools.har").read_text())
    origins = [origin for _, origin in har_records(doc, "devtools.har")]
    assert origins == [f"devtools.har#/log/entries/{i}" for i in range(5)]
    with pytest.raises(InputError, match=r"without a 'log\.entries' list"):
        list(har_records({"log": {"version": "1.2"}}, "x.har"))


def test_a_body_the_browser_did_not_keep_is_not_an_empty_body() -> None:
    """trial25: HAR leaves ``content.text`` out when "the information is not available" (Chrome for a
    redirect's page, a body devtools dropped): read as an empty body, `check` of a Chrome HAR called every
    302 `response-body-missing` (breaking) against a spec that a proxy's recording learned. A body that was
    there (``content.size`` or Content-Length above 0) but not kept is learned by its media type only."""
    moved = decode(entry_record(entry(status=302, response={
        "headers": [{"name": "Content-Type", "value": "text/html"}, {"name": "Content-Length", "value": "207"}],
        "content": {"size": 0, "mimeType": "x-unknown"}})), "t")
    assert (moved.response_body.kind, moved.response_body.media_type) == ("too-large", "text/html")
    dropped = decode(entry_record(entry(response={"content": {"size": 120, "mimeType": "application/json"}})), "t")
    assert (dropped.response_body.kind, dropped.response_body.media_type) == ("too-large", "application/json")
    # no body to keep: a HEAD's, a 204's or 304's, or one of no length
    sized = {"headers": [{"name": "Content-Length", "value": "1078"}], "content": {"size": 0, "mimeType": "x-unknown"}}
    for method, status in (("HEAD", 200), ("GET", 204), ("GET", 304)):
        none = decode(entry_record(entry(method, status=status, response=sized)), "t")
        assert none.response_body.kind == "empty", (method, status)
    assert decode(entry_record(entry(response={"content": {"size": 0, "mimeType": "x-unknown"}})),
                  "t").response_body.kind == "empty"
    kept_empty = {"content": {"size": 120, "mimeType": "application/json", "text": ""}}  # said empty: empty
    assert decode(entry_record(entry(response=kept_empty)), "t").response_body.kind == "empty"
