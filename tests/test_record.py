"""record: the WSGI and ASGI recorders, on real apps served by real servers, driven by a real client."""

from __future__ import annotations

import asyncio
import base64
import gzip
import io
import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pytest

from specbuild.filters import RecordFilter
from specbuild.multipart import MAX_PARTS
from specbuild.record import ASGIRecorder, JsonlSink, Redaction, WSGIRecorder
from specbuild.record import sink as sink_module
from specbuild.record.capture import REDACTED, Exchange, http_types
from specbuild.record.sink import KafkaRecordSink
from specbuild.records import decode
from tests.helpers import ROOT, free_port, stop_app, wait_lines, wait_listening


def exchange(**parts: object) -> Exchange:
    base: dict[str, object] = {"method": "GET", "scheme": "http", "host": "api.example.com", "path": "/a",
                               "query": "", "request_headers": [], "status": 200}
    return Exchange(**{**base, **parts})  # type: ignore[arg-type]


def test_a_header_the_learner_takes_for_a_credential_is_redacted() -> None:
    """Gotify's ``X-Gotify-Key`` (an application's token), Azure's ``Ocp-Apim-Subscription-Key`` and
    ``x-functions-key``: the learner reads them as API keys (is_api_key_header), and the recorder wrote
    their values in the clear (no secret word in the name). What is a credential to one is to the other."""
    rec = http_types(exchange(request_headers=[("X-Gotify-Key", "AbC.dEf-123"), ("Ocp-Apim-Subscription-Key", "k1"),
                                               ("x-functions-key", "k2"), ("X-Cache-Key", "home"),
                                               ("Idempotency-Key", "i1")]), Redaction())
    assert rec["request"]["headers"] == {"x-gotify-key": REDACTED, "ocp-apim-subscription-key": REDACTED,
                                         "x-functions-key": REDACTED, "x-cache-key": "home", "idempotency-key": "i1"}


def test_credentials_are_redacted_and_the_scheme_is_kept() -> None:
    rec = http_types(exchange(query="api_key=k3y&limit=2&token=t0k", request_headers=[
        ("Authorization", "Bearer s3cret"), ("Cookie", "session=abc; theme=dark"), ("X-API-Key", "k"),
        ("X-Session-Secret", "s"), ("Accept", "application/json")],
        response_headers=[("Set-Cookie", "session=abc; Path=/; HttpOnly")]), Redaction())
    req = rec["request"]
    assert req["headers"] == {"authorization": f"Bearer {REDACTED}", "cookie": f"session={REDACTED}; theme={REDACTED}",
                              "x-api-key": REDACTED, "x-session-secret": REDACTED, "accept": "application/json"}
    assert req["query"] == {"api_key": [REDACTED], "limit": ["2"], "token": [REDACTED]}
    assert req["path"] == f"/a?api_key={REDACTED}&limit=2&token={REDACTED}"
    escaped = http_types(exchange(query="q=a%20b+c&&Access_Token=t%2F0&x", request_headers=[]),
                         Redaction(query=frozenset({"x"})))["request"]
    assert escaped["query"] == {"q": ["a b c"], "Access_Token": [REDACTED], "x": [REDACTED]}
    assert escaped["path"] == f"/a?q=a%20b+c&Access_Token={REDACTED}&x={REDACTED}"  # only the secrets rewritten
    assert rec["response"]["headers"] == {"set-cookie": f"session={REDACTED}; Path=/; HttpOnly"}
    assert decode(rec).request_header("authorization") == f"Bearer {REDACTED}"
    kept = http_types(exchange(query="api_key=k3y", request_headers=[("Authorization", "Bearer s3cret")]),
                      Redaction(enabled=False))
    assert kept["request"]["headers"]["authorization"] == "Bearer s3cret"
    assert kept["request"]["query"]["api_key"] == ["k3y"]



def test_a_credential_the_request_sent_is_redacted_where_the_answer_echoes_it() -> None:
    """Quetz lists the caller's API keys with each key's value (``GET /api/api-keys``: the key the client sent
    in ``X-API-Key``, under ``key``); a server answers a bearer token back (``/whoami``), a query's API key in
    a link. The header is redacted, the same value in a body is too, whatever its field's name. A short
    credential (``guest``) could be any word of a body: left."""
    key, token = "bab2019cefd1e88b4a54e885adb018ad", "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJlLXRva2Vu"
    listing = json.dumps([{"description": "driver", "key": key}, {"description": "ci", "key": "0f9e8d7c6b5a4f3e2d1c"}])
    rec = http_types(exchange(request_headers=[("X-API-Key", key), ("Authorization", f"Bearer {token}")],
                              response_headers=[("Content-Type", "application/json")],
                              response_body=listing.encode()), Redaction())
    assert json.loads(rec["response"]["body"]) == [{"description": "driver", "key": REDACTED},
                                                   {"description": "ci", "key": "0f9e8d7c6b5a4f3e2d1c"}]
    echo = http_types(exchange(query=f"api_key={key}", request_headers=[("Authorization", f"Bearer {token}")],
                               response_headers=[("Content-Type", "text/plain")],
                               response_body=f"token {token}; next /items?api_key={key}".encode()), Redaction())
    assert echo["response"]["body"] == f"token {REDACTED}; next /items?api_key={REDACTED}"
    short = http_types(exchange(request_headers=[("X-API-Key", "guest")],
                                response_headers=[("Content-Type", "application/json")],
                                response_body=b'{"user": "guest"}'), Redaction())
    assert short["response"]["body"] == '{"user": "guest"}'
    kept = http_types(exchange(request_headers=[("X-API-Key", key)],
                               response_headers=[("Content-Type", "application/json")],
                               response_body=listing.encode()), Redaction(enabled=False))
    assert kept["response"]["body"] == listing

def test_an_echoed_credential_is_redacted_in_the_forms_a_body_writes_it() -> None:
    # review24: a base64 token has ``/``, ``+`` and ``=``; PHP's json_encode and some Java writers escape ``/``
    # as ``\/`` in JSON, and a link carries the key percent-encoded: both left the credential in the clear
    token = "AbC/dEf+GhIjKlMnOpQr=="
    body = json.dumps({"value": token, "next": "/items?api_key=" + quote(token, safe="")}).replace("/", "\\/")
    rec = http_types(exchange(request_headers=[("X-Auth-Token", token)],
                              response_headers=[("Content-Type", "application/json")],
                              response_body=body.encode()), Redaction())
    assert json.loads(rec["response"]["body"]) == {"value": REDACTED, "next": f"/items?api_key={REDACTED}"}



def test_secret_and_configured_body_fields_keep_their_type() -> None:
    body = json.dumps({"user": {"password": "p", "pin": 1234, "name": "ada"}, "card": {"number": "4111"},
                       "ok": True}).encode()
    rec = http_types(exchange(method="POST", request_headers=[("content-type", "application/json")],
                              request_body=body,
                              response_headers=[("content-type", "application/x-www-form-urlencoded")],
                              response_body=b"user=ada&password=hunter2"),
                     Redaction(fields=frozenset({"card"})))
    assert json.loads(rec["request"]["body"]) == {"user": {"password": REDACTED, "pin": 0, "name": "ada"},
                                                  "card": {"number": REDACTED}, "ok": True}
    assert rec["response"]["body"] == f"user=ada&password={REDACTED}"


def test_a_pass_field_is_a_password_and_is_redacted() -> None:
    """Gotify's users are created and updated with ``{"name": ..., "pass": ...}`` (its Swagger: "The user
    password"), Mailman's configuration answers ``admin_pass`` and ``smtp_pass``: recorded in the clear
    (``pass`` was no secret word). A ``pass_rate`` or ``passes`` is no password."""
    body = json.dumps({"name": "anne", "pass": "pw-1", "admin_pass": "restpass", "newPass": "x",
                       "pass_rate": 0.9, "passes": 3}).encode()
    rec = http_types(exchange(method="POST", request_headers=[("content-type", "application/json")],
                              request_body=body), Redaction())
    assert json.loads(rec["request"]["body"]) == {"name": "anne", "pass": REDACTED, "admin_pass": REDACTED,
                                                  "newPass": REDACTED, "pass_rate": 0.9, "passes": 3}


def test_oauth_vocabulary_named_after_a_token_is_recorded_and_the_tokens_are_not() -> None:
    """Ory Hydra's clients (``token_endpoint_auth_method``, ``access_token_strategy``, lifespans), token
    answers (``token_type``) and discovery (``token_endpoint``) were recorded as REDACTED: the learned spec
    lost their enums and formats. The tokens and the secret beside them stay redacted."""
    body = json.dumps({"client_secret": "s3cr3t", "token_endpoint_auth_method": "client_secret_basic",
                       "access_token_strategy": "opaque", "authorization_code_grant_access_token_lifespan": "1h",
                       "access_token": "ory_at_x", "refresh_token": "ory_rt_y", "token_type": "bearer",
                       "token_endpoint": "http://127.0.0.1/oauth2/token"}).encode()
    rec = http_types(exchange(method="POST", request_headers=[("content-type", "application/json")],
                              request_body=body), Redaction())
    assert json.loads(rec["request"]["body"]) == {
        "client_secret": REDACTED, "token_endpoint_auth_method": "client_secret_basic",
        "access_token_strategy": "opaque", "authorization_code_grant_access_token_lifespan": "1h",
        "access_token": REDACTED, "refresh_token": REDACTED, "token_type": "bearer",
        "token_endpoint": "http://127.0.0.1/oauth2/token"}


def test_a_json_web_keys_private_members_are_redacted_and_its_public_ones_kept() -> None:
    """Ory Hydra's admin API answers its key sets with the private keys (``GET /admin/keys/{set}``: an EC
    key's ``d``, an RSA key's ``d``, ``p``, ``q``, ``dp``, ``dq``, ``qi``; 128 ``d`` in a re-recorded sample of
    1,104 exchanges) and takes them in ``PUT /admin/keys/{set}/{kid}``: one-letter names no secret rule
    reads, recorded in the clear. In an object with a ``kty`` (a JSON Web Key, RFC 7517) they are the key
    (RFC 7518: also a symmetric key's ``k``); ``x``, ``y``, ``n``, ``e`` are public, and a ``d`` elsewhere is data."""
    key = {"kty": "EC", "kid": "a1", "crv": "P-256", "alg": "ES256", "use": "sig", "x": "f83O", "y": "x_FE",
           "d": "jpsQ"}
    rsa = {"kty": "RSA", "kid": "r1", "n": "0vx7", "e": "AQAB", "d": "X4cT", "p": "83i-", "q": "3dfO",
           "dp": "G4sP", "dq": "s9lA", "qi": "GyM_"}
    body = json.dumps({"keys": [key, rsa], "d": "a field named d"}).encode()
    rec = http_types(exchange(method="PUT", request_headers=[("content-type", "application/json")],
                              request_body=body), Redaction())
    assert json.loads(rec["request"]["body"]) == {
        "keys": [{**key, "d": REDACTED},
                 {**rsa, "d": REDACTED, "p": REDACTED, "q": REDACTED, "dp": REDACTED, "dq": REDACTED,
                  "qi": REDACTED}],
        "d": "a field named d"}
    oct_key = json.dumps({"kty": "oct", "kid": "h1", "k": "GawgguFyGrWKav7AX4VKUg"}).encode()
    rec = http_types(exchange(method="PUT", request_headers=[("content-type", "application/json")],
                              request_body=oct_key), Redaction())
    assert json.loads(rec["request"]["body"]) == {"kty": "oct", "kid": "h1", "k": REDACTED}


def test_secret_parts_of_a_multipart_upload_are_redacted_and_the_rest_kept_as_it_came() -> None:
    """A form posted as multipart/form-data is redacted as an urlencoded one is: a secret-named part's value
    and a JSON part's secret fields; a file's bytes, the headers and the delimiters as they came, the parts
    before a cut too."""
    def part(name: str, value: bytes, extra: str = "") -> bytes:
        return f'--b0\r\nContent-Disposition: form-data; name="{name}"{extra}\r\n'.encode() + b"\r\n" + value + b"\r\n"
    body = (part("username", b"ada") + part("password", b"hunter2") + part("api_key", b"k", '; filename="key.pem"')
            + part("meta", b'{"token": "t0k", "n": 1}', "\r\nContent-Type: application/json") + b"--b0--\r\n")
    headers = [("content-type", "multipart/form-data; boundary=b0")]
    rec = http_types(exchange(method="POST", request_headers=headers, request_body=body), Redaction())
    sent = base64.b64decode(rec["request"]["body"])
    assert sent == body.replace(b"hunter2", REDACTED.encode()).replace(
        b'{"token": "t0k", "n": 1}', b'{"token":"%s","n":1}' % REDACTED.encode())
    assert decode(rec).request_body.value is not None
    cut = http_types(exchange(method="POST", request_headers=headers, request_body=body), Redaction(),
                     max_body_bytes=body.index(b"hunter2") + 3)
    assert base64.b64decode(cut["request"]["body"]).endswith(b"\r\n\r\n" + REDACTED.encode())
    assert cut["request"]["bodyTruncated"] is True
    plain = http_types(exchange(method="POST", request_headers=headers, request_body=body), Redaction(enabled=False))
    assert base64.b64decode(plain["request"]["body"]) == body
    odd = http_types(exchange(method="POST", request_headers=headers, request_body=b"no parts here"), Redaction())
    assert base64.b64decode(odd["request"]["body"]) == b"no parts here"  # not multipart: the fold says malformed


def test_a_multipart_form_of_more_parts_than_the_fold_reads_is_redacted_all_the_same() -> None:
    """The fold refuses a body of more than multipart.MAX_PARTS parts (malformed: its media type learned);
    the recording still holds it, so its password part is redacted as in a form of two parts."""
    fields = [f'--b0\r\nContent-Disposition: form-data; name="f{i}"\r\n\r\nv\r\n' for i in range(MAX_PARTS)]
    body = ("".join(fields) + '--b0\r\nContent-Disposition: form-data; name="password"\r\n\r\nhunter2\r\n'
            "--b0--\r\n").encode()
    headers = [("content-type", "multipart/form-data; boundary=b0")]
    rec = http_types(exchange(method="POST", request_headers=headers, request_body=body), Redaction())
    assert base64.b64decode(rec["request"]["body"]) == body.replace(b"hunter2", REDACTED.encode())


@pytest.mark.parametrize(("body", "redacted"), [
    ('{"items": [{"name": "pin", "note": "a token"}],  "n": 1}', None),  # secret words only in values: as it came
    ('{"a": {"b": [{"apiKey": "k"}]}}', {"a": {"b": [{"apiKey": REDACTED}]}}),
    ('{"pass\\u0077ord": "p", "x": 1}', {"password": REDACTED, "x": 1}),  # an escaped key is read as JSON reads it
    ('{"shipping": "fast", "card": {"number": "4111"}}', {"shipping": "fast", "card": {"number": "4111"}}),
])
def test_only_a_body_whose_keys_may_be_secret_is_parsed(body: str, redacted: Any) -> None:
    rec = http_types(exchange(method="POST", request_headers=[("content-type", "application/json")],
                              request_body=body.encode()), Redaction())
    if redacted is None:
        assert rec["request"]["body"] == body
    else:
        assert json.loads(rec["request"]["body"]) == redacted


@pytest.mark.parametrize(("media", "body", "written"), [
    # not UTF-8: Latin-1 forms and JSON (a page served as ISO-8859-1 posts its form so) were written base64,
    # which no redaction reads: the password left the process
    ("application/x-www-form-urlencoded", b"name=Jos\xe9&password=hunter2", "name=Jos%C3%A9&password=REDACTED"),
    ("application/json", b'{"name": "Jos\xe9", "password": "hunter2"}', '{"name":"José","password":"REDACTED"}'),
    ("text/plain; charset=iso-8859-1", b"caf\xe9", "café"),
    # JSON that cannot be read (a trailing comma) was written as it came, secrets and all: left out now
    ("application/json", b'{"password": "hunter2", "n": 1,}', None),
    ("application/json", b'{"name": "x", "n": 1,}', '{"name": "x", "n": 1,}'),  # no secret's key: as it came
])
def test_a_body_that_cannot_be_redacted_as_it_came_is_redacted_as_text_or_left_out(
        media: str, body: bytes, written: str | None) -> None:
    rec = http_types(exchange(method="POST", request_headers=[("content-type", media)], request_body=body),
                     Redaction())["request"]
    assert rec.get("body") == written and rec.get("bodyTruncated") is (None if written else True)
    assert b"hunter2" not in json.dumps(rec).encode()


def test_a_body_cut_short_is_redacted_or_left_out() -> None:
    """A body over max_body_bytes is kept up to the cut, flagged ``bodyTruncated``: a form's pairs before the
    cut are redacted (they were written as they came), JSON that may hold a secret is left out (it cannot be
    parsed), and a character the cut split is dropped rather than the body written base64."""
    def cut(media: str, body: bytes, limit: int) -> dict[str, Any]:
        return http_types(exchange(method="POST", request_headers=[("content-type", media)], request_body=body),
                          Redaction(), max_body_bytes=limit)["request"]
    form = cut("application/x-www-form-urlencoded", b"password=hunter2&user=ann&note=" + b"x" * 100, 40)
    assert form["bodyTruncated"] is True and form["body"].startswith("password=REDACTED&user=ann&note=xx")
    secret = cut("application/json", json.dumps({"password": "hunter2", "blob": "x" * 100}).encode(), 60)
    assert "body" not in secret and secret["bodyTruncated"] is True
    plain = cut("application/json", json.dumps({"name": "ann", "blob": "x" * 100}).encode(), 20)
    assert plain["body"] == '{"name": "ann", "blo'  # no secret's key: kept to the cut, as before
    split = cut("text/plain", "é".encode() * 10, 5)  # 2.5 characters
    assert split["body"] == "éé" and split["bodyTruncated"] is True
    binary = http_types(exchange(response_body=b"\x89\xff\x00"), Redaction())["response"]  # no media type named
    assert base64.b64decode(binary["body"]) == b"\x89\xff\x00"


def test_bodies_decoded_cut_and_binary() -> None:
    doc = json.dumps({"items": list(range(50))}).encode()
    zipped = http_types(exchange(response_headers=[("content-type", "application/json"), ("content-encoding", "gzip")],
                                 response_body=gzip.compress(doc)), Redaction())
    assert json.loads(zipped["response"]["body"]) == {"items": list(range(50))}
    cut = http_types(exchange(response_headers=[("content-type", "application/json")], response_body=doc),
                     Redaction(), max_body_bytes=20)
    assert cut["response"]["bodyTruncated"] is True and len(cut["response"]["body"]) == 20
    assert decode(cut).response_body.kind == "too-large"  # learned by its media type only, never a bad record
    bomb = http_types(exchange(response_headers=[("content-type", "application/json"), ("content-encoding", "gzip")],
                               response_body=gzip.compress(b"[" + b"0," * 5_000_000 + b"0]")), Redaction(),
                      max_body_bytes=1000)
    assert bomb["response"]["bodyTruncated"] is True and len(bomb["response"]["body"]) == 1000
    brotli = pytest.importorskip("brotli", reason="specbuild[test] has brotli, to decode br bodies")
    br = http_types(exchange(response_headers=[("content-type", "application/json"), ("content-encoding", "br")],
                             response_body=brotli.compress(doc)), Redaction())
    assert json.loads(br["response"]["body"]) == {"items": list(range(50))}
    br_bomb = http_types(exchange(response_headers=[("content-type", "application/json"), ("content-encoding", "br")],
                                  response_body=brotli.compress(b"[" + b"0," * 5_000_000 + b"0]")), Redaction(),
                         max_body_bytes=1000)
    assert br_bomb["response"]["bodyTruncated"] is True and len(br_bomb["response"]["body"]) == 1000
    not_br = http_types(exchange(response_headers=[("content-type", "application/json"), ("content-encoding", "br")],
                                 response_body=b"\xff\xff not brotli"), Redaction())
    assert not_br["response"] == {"statusCode": 200, "headers": {"content-type": "application/json",
                                  "content-encoding": "br"}, "timestamp": "", "bodyTruncated": True}
    png = http_types(exchange(response_headers=[("content-type", "image/png")], response_body=b"\x89PNG\xff"),
                     Redaction())
    assert base64.b64decode(png["response"]["body"]) == b"\x89PNG\xff"
    assert decode(png).response_body.kind == "binary"
    omitted = http_types(exchange(response_headers=[("content-type", "image/png")], response_body=b"\x89PNG\xff",
                                  request_headers=[("content-type", "application/json")], request_body=b"{}"),
                         Redaction(), omit=("image/*", "application/pdf"))
    assert "body" not in omitted["response"] and omitted["response"]["bodyTruncated"] is True
    assert omitted["request"]["body"] == "{}"  # a media type not named is kept
    assert decode(omitted).response_body.kind == "too-large"  # learned by its media type only


def _append_from_a_process(path: str, n: int) -> None:
    sink = JsonlSink(path)
    for i in range(n):
        sink.write({"process": os.getpid(), "i": i, "pad": "x" * 5000})


def _write_at_once(sink: JsonlSink, threads: int, per_thread: int, pad: int, worker: str, per_process: int) -> None:
    """``threads`` threads write through ``sink`` while two processes run ``worker`` on the same file."""
    writers = [threading.Thread(target=lambda: [sink.write({"i": i, "pad": "y" * pad}) for i in range(per_thread)])
               for _ in range(threads)]
    code = f"from tests.test_record import {worker} as a; a({str(sink.path)!r}, {per_process})"
    procs = [subprocess.Popen([sys.executable, "-c", code], cwd=ROOT) for _ in range(2)]
    for t in writers:
        t.start()
    for t in writers:
        t.join()
    assert all(p.wait(timeout=60) == 0 for p in procs)


def test_appends_from_threads_and_processes_never_interleave(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    sink = JsonlSink(path)
    _write_at_once(sink, 4, 50, 70_000, "_append_from_a_process", 200)
    lines = path.read_bytes().splitlines()
    assert len(lines) == 4 * 50 + 2 * 200 and all(json.loads(line) for line in lines)
    assert sink.written == 200 and sink.dropped == 0


def _append_rotating(path: str, n: int) -> None:
    sink = JsonlSink(path, max_bytes=100_000, backups=50)
    for i in range(n):
        sink.write({"process": os.getpid(), "i": i, "pad": "z" * 1000})


def test_rotation_by_size_loses_and_cuts_no_line(tmp_path: Path) -> None:
    sink = JsonlSink(tmp_path / "rec.jsonl", max_bytes=100_000, backups=50)
    _write_at_once(sink, 2, 150, 1000, "_append_rotating", 300)
    files = sorted(tmp_path.glob("rec.jsonl*"))
    lines = [line for f in files for line in f.read_bytes().splitlines()]
    assert len(lines) == 2 * 150 + 2 * 300 and all(json.loads(line) for line in lines)
    assert len(files) >= 8  # ~1.2 MB in files of ~100 kB
    assert all(f.stat().st_size < 100_000 + 2 * 1100 for f in files)  # each closed by the write that passed the cap
    few = JsonlSink(tmp_path / "few.jsonl", max_bytes=1000, backups=2)
    for i in range(20):
        few.write({"i": i, "pad": "w" * 600})
    assert sorted(p.name for p in tmp_path.glob("few.jsonl*")) == ["few.jsonl.1", "few.jsonl.2"]


def _warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the sinks log as warnings (not caplog: another test of the process may have disabled the logger)."""
    said: list[str] = []
    monkeypatch.setattr(sink_module.log, "warning", lambda msg, *args: said.append(msg % args))
    return said


def test_a_sink_that_cannot_write_drops_and_counts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    said = _warnings(monkeypatch)
    sink = JsonlSink(tmp_path / "missing-folder" / "rec.jsonl")
    sink.write({"a": 1})
    sink.write({"a": 2})
    assert (sink.written, sink.dropped) == (0, 2)
    assert len([m for m in said if "cannot append to" in m]) == 1


def test_a_sink_that_cannot_write_a_first_batch_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first failure was logged only when it dropped exactly one record: a first batch of two said nothing."""
    said = _warnings(monkeypatch)
    sink = JsonlSink(tmp_path)  # a folder
    sink.write_many([{"a": 1}, {"a": 2}])
    sink.write({"a": 3})
    assert sink.dropped == 3
    assert len([m for m in said if "cannot append to" in m]) == 1


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[object]:
    started: list[subprocess.Popen[bytes]] = []

    def start(argv: list[str], recording: Path) -> str:
        port = free_port()
        proc = subprocess.Popen([sys.executable, "-m", *[a.replace("PORT", str(port)) for a in argv]], cwd=ROOT,
                                env={**os.environ, "SPECBUILD_RECORD_TO": str(recording), "PYTHONPATH": str(ROOT)},
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        started.append(proc)
        wait_listening(port, proc)
        return f"http://127.0.0.1:{port}"

    yield start
    for proc in started:
        stop_app(proc)


def _build(path: Path) -> str:
    """The spec learned from ``path``, without when it was recorded (a client's own log has no server
    timestamps: the time range is the one thing the two sides cannot share)."""
    done = subprocess.run([sys.executable, "-m", "specbuild", "-i", str(path), "-o", "-", "-q"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    return _untimed(done.stdout)


# the end of info.description that says when the traffic was recorded (learn.render._recorded)
_RECORDED = re.compile(r', recorded (at )?[0-9TZ:-]+( to [0-9TZ:-]+)?\.",')


def _untimed(spec: str) -> str:
    return _RECORDED.sub('.",', spec, count=1)


def _timed(spec: str) -> bool:
    return _RECORDED.search(spec) is not None


SERVERS = {
    "starlette-uvicorn": ["uvicorn", "tests.apps.starlette_app:app", "--host", "127.0.0.1", "--port", "PORT",
                          "--no-access-log"],
    "flask-waitress": ["waitress", "--host=127.0.0.1", "--port=PORT", "tests.apps.flask_app:app"],
}


@pytest.mark.parametrize("server", sorted(SERVERS))
def test_the_recording_gives_the_spec_of_the_exchanges_the_client_saw(server: str, serve: object,
                                                                      tmp_path: Path) -> None:
    for name in ("httpx", "starlette" if server.startswith("starlette") else "flask"):
        pytest.importorskip(name, reason="specbuild[test] has the apps, servers and client of this test")
    from tests.apps.session import SECRETS, play

    recording, client_log = tmp_path / "recorded.jsonl", tmp_path / "client.jsonl"
    base = serve(SERVERS[server], recording)  # type: ignore[operator]
    n = play(base, client_log)
    assert len(wait_lines(recording, n)) == n
    text = recording.read_text()
    assert not [s for s in SECRETS if s in text]  # redacted before it left the app
    learned = json.loads(_build(recording))
    assert _build(recording) == _build(client_log)
    assert sorted(learned["paths"]) == ["/items", "/items/{itemId}", "/items/{itemId}/picture", "/listing", "/login",
                                        "/stream"]
    assert "image/png" in learned["paths"]["/items/{itemId}/picture"]["get"]["responses"]["200"]["content"]


def _wsgi_call(app: object, path: str, method: str = "GET") -> None:
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "HTTP_HOST": "api.example.com",
               "wsgi.url_scheme": "https", "wsgi.input": io.BytesIO(b"")}
    result = app(environ, lambda status, headers, exc_info=None: None)  # type: ignore[operator]
    b"".join(result)
    getattr(result, "close", lambda: None)()  # as a server does


def test_filters_and_sampling_decide_which_exchanges_are_recorded(tmp_path: Path) -> None:
    def hello(environ: dict[str, object], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"ok": true}']

    keep = RecordFilter.of(exclude=["/health"], methods=["GET"])
    filtered = WSGIRecorder(hello, to=tmp_path / "f.jsonl", keep=keep)
    for path, method in [("/a", "GET"), ("/health", "GET"), ("/a", "POST"), ("/b/c", "GET")]:
        _wsgi_call(filtered, path, method)
    filtered.flush()  # the records are written by the recorder's thread, off the request
    recorded = [json.loads(line)["request"] for line in (tmp_path / "f.jsonl").read_text().splitlines()]
    assert [(r["method"], r["pathname"], r["host"], r["protocol"]) for r in recorded] == [
        ("GET", "/a", "api.example.com", "https"), ("GET", "/b/c", "api.example.com", "https")]
    none = WSGIRecorder(hello, to=tmp_path / "none.jsonl", sample=0.0)
    half = WSGIRecorder(hello, to=tmp_path / "half.jsonl", sample=0.5)
    for _ in range(400):
        _wsgi_call(none, "/a")
        _wsgi_call(half, "/a")
    none.close()
    half.close()
    assert not (tmp_path / "none.jsonl").exists()
    assert 100 < len((tmp_path / "half.jsonl").read_text().splitlines()) < 300  # 400 draws of p = 0.5
    with pytest.raises(ValueError, match="sample is a share"):
        WSGIRecorder(hello, to=tmp_path / "x.jsonl", sample=1.5)



def test_an_encoded_slash_the_server_decoded_is_read_back_from_the_raw_path(tmp_path: Path) -> None:
    # WSGI's PATH_INFO and ASGI's path come decoded, `%2F` a slash like any other; the raw path the server
    # keeps beside them (gunicorn's RAW_URI, uwsgi's REQUEST_URI, ASGI's raw_path) tells the segments
    def hello(environ: dict[str, object], start_response: Any) -> list[bytes]:
        start_response("204 No Content", [])
        return []

    app = WSGIRecorder(hello, to=tmp_path / "w.jsonl")
    for raw, key in [("/api/queues/%2F/orders?x=1", "RAW_URI"), ("/api/vhosts/iot%2fsensors", "REQUEST_URI"),
                     ("/files/a%20b", "RAW_URI"), ("/plain/a%2Fb", None)]:
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": unquote(raw.partition("?")[0]), "QUERY_STRING": "",
                   "HTTP_HOST": "mq.example.com", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b"")}
        if key is not None:
            environ[key] = raw
        result = app(environ, lambda status, headers, exc_info=None: None)
        b"".join(result)
        getattr(result, "close", lambda: None)()  # as a server does
    app.flush()
    recorded = [json.loads(line)["request"]["pathname"] for line in (tmp_path / "w.jsonl").read_text().splitlines()]
    assert recorded == ["/api/queues/%2F/orders", "/api/vhosts/iot%2Fsensors", "/files/a b", "/plain/a/b"]

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        pass

    asgi = ASGIRecorder(inner, to=tmp_path / "a.jsonl")
    for raw, root in [(b"/api/queues/%2F/orders", ""), (b"/mq/api/vhosts/iot%2Fsensors", "/mq"), (b"/a%20b", "")]:
        scope = {"type": "http", "method": "GET", "path": unquote(raw.decode()), "raw_path": raw, "root_path": root,
                 "query_string": b"", "headers": [(b"host", b"mq.example.com")], "scheme": "http"}
        asyncio.run(asgi(scope, receive, send))
    asgi.flush()
    recorded = [json.loads(line)["request"]["pathname"] for line in (tmp_path / "a.jsonl").read_text().splitlines()]
    assert recorded == ["/api/queues/%2F/orders", "/mq/api/vhosts/iot%2Fsensors", "/a b"]

def test_an_encoded_slash_read_back_from_the_target_keeps_the_servers_path_around_it(tmp_path: Path) -> None:
    # review24: the target as sent is read for where its slashes were encoded, the path stays the server's:
    # an absolute-form target (``GET http://host/p``) is not a path, a prefix a proxy put in SCRIPT_NAME
    # (werkzeug's ProxyFix from X-Forwarded-Prefix) is not in the target, and a ``%2F`` the client meant as
    # text (``%252F``) must not read back as an encoded slash
    def hello(environ: dict[str, object], start_response: Any) -> list[bytes]:
        start_response("204 No Content", [])
        return []

    app = WSGIRecorder(hello, to=tmp_path / "w.jsonl")
    for script, info, raw in [("", "/api/queues///orders", "http://mq.example.com/api/queues/%2F/orders?x=1"),
                              ("/mq", "/api/queues///orders", "/api/queues/%2F/orders"),
                              ("", "/api/queues/a%2Fb//orders", "/api/queues/a%252Fb%2F/orders")]:
        environ = {"REQUEST_METHOD": "GET", "SCRIPT_NAME": script, "PATH_INFO": info, "QUERY_STRING": "",
                   "RAW_URI": raw, "HTTP_HOST": "mq.example.com", "wsgi.url_scheme": "http",
                   "wsgi.input": io.BytesIO(b"")}
        result = app(environ, lambda status, headers, exc_info=None: None)
        b"".join(result)
        getattr(result, "close", lambda: None)()
    app.flush()
    recorded = [json.loads(line)["request"]["pathname"] for line in (tmp_path / "w.jsonl").read_text().splitlines()]
    assert recorded == ["/api/queues/%2F/orders", "/mq/api/queues/%2F/orders", "/api/queues/a%252Fb%2F/orders"]
    assert [unquote(p.split("/")[-2]) for p in recorded] == ["/", "/", "a%2Fb/"]  # what check's router reads


@pytest.mark.kafka
def test_a_recorder_produces_to_kafka_what_a_file_build_learns(kafka_broker: Any, serve: Any, tmp_path: Path) -> None:
    """kafka://HOST:PORT/TOPIC: the records go to the topic (keyed by method and path), and a build that
    reads the topic learns the spec of the client's own log."""
    from tests.apps.session import play
    from tests.test_kafka_integration import kafka_args

    topic = f"recorded-{uuid.uuid4().hex[:8]}"
    client_log = tmp_path / "client.jsonl"
    base = serve(SERVERS["starlette-uvicorn"], f"kafka://{kafka_broker.bootstrap}/{topic}")
    n = play(base, client_log)
    for attempt in range(50):  # the records reach the topic a moment after the client has its answers
        out = tmp_path / f"from-kafka-{attempt}"
        done = subprocess.run([sys.executable, "-m", "specbuild", *kafka_args(kafka_broker, topic, f"g-{attempt}"),
                               "-o", str(out), "--until-end"], cwd=ROOT, capture_output=True, text=True,
                              timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdin=subprocess.DEVNULL)
        if done.returncode == 0 and f"specbuild: {n} records read, {n} learned" in done.stderr:
            break
        time.sleep(0.2)
    assert done.returncode == 0, done.stderr
    assert _timed((out / "openapi.json").read_text())  # the recorder wrote when each exchange happened
    assert _untimed((out / "openapi.json").read_text()) == _build(client_log)


def test_a_broker_that_is_not_there_never_reaches_the_app(tmp_path: Path) -> None:
    def hello(environ: dict[str, object], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"ok": true}']

    app = WSGIRecorder(hello, to=f"kafka://127.0.0.1:{free_port()}/nowhere")
    for _ in range(300):
        _wsgi_call(app, "/a")  # each answers, none raises: the records wait in librdkafka's queue
    assert app.flush()  # the writer thread has handed every record to librdkafka, never waiting on the broker
    sink = app.sink
    assert isinstance(sink, KafkaRecordSink)
    assert sink.written + sink.dropped == 300 and app.failed == 0
    sink.close(timeout=0.1)  # the broker is not there: nothing is delivered, and close says so


def _hello(environ: dict[str, object], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "application/json")])
    return [b'{"ok": true}']


def _record_and_exit(path: str, n: int) -> None:
    app = WSGIRecorder(_hello, to=path)
    for i in range(n):
        _wsgi_call(app, f"/a/{i}")
    # no close: what the writer thread still holds is written as the process exits


def test_what_is_queued_is_written_when_the_process_exits(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    code = f"from tests.test_record import _record_and_exit as r; r({str(path)!r}, 2000)"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=120)
    lines = path.read_text().splitlines()
    assert [json.loads(line)["request"]["pathname"] for line in lines] == [f"/a/{i}" for i in range(2000)]


class _HeldSink:
    """A sink that holds its first write until released: the recorder's queue fills meanwhile."""

    def __init__(self) -> None:
        self.entered, self.release = threading.Event(), threading.Event()
        self.records: list[dict[str, Any]] = []

    def write(self, record: dict[str, Any]) -> None:
        self.entered.set()
        self.release.wait(30)
        self.records.append(record)

    def close(self) -> None:
        pass


def test_a_full_queue_drops_and_counts_and_the_app_never_waits() -> None:
    sink = _HeldSink()
    app = WSGIRecorder(_hello, to=sink)
    app.writer.max_items = 10
    _wsgi_call(app, "/first")
    assert sink.entered.wait(30)  # the writer thread is in the sink with /first
    for i in range(25):
        _wsgi_call(app, f"/b/{i}")  # 10 are queued, 15 find the queue full: dropped, not waited for
    assert app.dropped == 15
    sink.release.set()
    assert app.flush()
    assert [r["request"]["pathname"] for r in sink.records] == ["/first", *[f"/b/{i}" for i in range(10)]]
    app.close()
    _wsgi_call(app, "/closed")  # a request after close is served, and not recorded
    assert app.dropped == 16 and len(sink.records) == 11


def test_a_forked_worker_records_its_own_exchanges_once(tmp_path: Path) -> None:
    """gunicorn --preload: the app (and its recorder) made before the fork; each process writes its own."""
    path = tmp_path / "rec.jsonl"
    app = WSGIRecorder(_hello, to=path)
    _wsgi_call(app, "/parent")  # queued (the writer lingers) when the child is forked
    pid = os.fork()
    if pid == 0:
        try:
            _wsgi_call(app, "/child")
            app.close()
        finally:
            os._exit(0)
    assert os.waitpid(pid, 0)[1] == 0
    app.close()
    assert sorted(json.loads(line)["request"]["pathname"] for line in path.read_text().splitlines()) == [
        "/child", "/parent"]
