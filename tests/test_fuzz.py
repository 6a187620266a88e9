"""Fuzzing the two doors hostile input comes in by: the record decoder and the spec loader (issue 16).

Records: any HTTP Types record, mangled (fields missing or of the wrong type, odd strings, invalid
UTF-8 bytes spliced into the line, repeated headers and query names, bodies of every kind) decodes to
an Exchange or is refused with a RecordError, never anything else; the native decoder answers what
records.decode answers (or declines); folding never raises, and the native and pure folds render the
same bytes. Specs: any JSON or YAML text is read and checked or refused with a SpecbuildError, without
touching the network; a spec that passes builds a drift checker that checks a record.

Bounded for CI (the file runs in well under 30 s on two cores); ``SPECBUILD_FUZZ_EXAMPLES=N`` sets the
number of examples per property for a longer local run.
"""

from __future__ import annotations

import json
import os
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Final
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from specbuild.drift.check import Checker
from specbuild.errors import RecordError, SpecbuildError
from specbuild.io.files import dumps
from specbuild.io.specs import read_spec
from specbuild.io.validate import BodyValidator, check_input_spec
from specbuild.learn import native
from specbuild.learn.builder import SpecBuilder
from specbuild.learn.render import render
from specbuild.records import decode
from specbuild.run import Fold
from tests.test_native import assert_fast_decode_agrees

EXAMPLES: Final = int(os.environ.get("SPECBUILD_FUZZ_EXAMPLES", "0"))
fuzz = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def examples(ci: int) -> settings:
    return settings(fuzz, max_examples=EXAMPLES or ci)


# --- records -----------------------------------------------------------------------------------------

ODD_TEXT = ["", " ", "\x00", "\ud800", "\udfff", "é", "\u2028", "%", "%zz", "%00", "..", "/", "//", "?", "#", "&",
            "=", "a=b&a=c", "{id}", "\x7f", "🙂", "\ufeff", "-0", "1e999", "NaN", "true"]
# Long texts are built from their length, so a failure's report stays readable.
long_text = st.builds(lambda c, n: c * n, st.sampled_from(["x", "a/", "[", "\x00", "é"]), st.integers(100, 6000))
short_text = st.one_of(st.sampled_from(ODD_TEXT), st.text(max_size=20))
odd_text = st.one_of(short_text, short_text, short_text, long_text)  # long ones one time in four
scalar = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(), odd_text)
json_any = st.recursive(scalar, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                        st.dictionaries(odd_text, inner, max_size=4)),
                        max_leaves=20)
path_text = st.one_of(
    st.sampled_from(["/", "", "/a/b", "a//b/", "/users/42", "/v1/items/2024-03-04/x", "http://h:1/x/y?z=1",
                     "/a/%2F/b", "/a?x=1&x=2&y", "/./../x",
                     "/a/;b/c", "/\x00/\ud800"]), long_text.map(lambda t: "/" + t),
    st.lists(odd_text, max_size=8).map(lambda parts: "/" + "/".join(parts)))
CONTENT_TYPES = ["application/json", "application/problem+json; charset=utf-8", "text/plain",
                 "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml",
                 " APPLICATION/JSON ", ";", "", "application/json; charset=latin1", "*/*"]
header_name = st.one_of(st.sampled_from(["content-type", "Content-Type", "authorization", "x-api-key", "host",
                                         "", " ", "X-\x00", "é"]), odd_text)
header_value = st.one_of(st.sampled_from(CONTENT_TYPES), scalar, st.lists(st.one_of(odd_text, st.none()), max_size=3))
headers = st.one_of(st.dictionaries(header_name, header_value, max_size=5),
                    st.lists(st.tuples(header_name, header_value), max_size=4), scalar)
query = st.one_of(st.dictionaries(odd_text, st.one_of(scalar, st.lists(scalar, max_size=3)), max_size=5),
                  odd_text, st.lists(st.tuples(odd_text, odd_text), max_size=3), scalar)
body = st.one_of(st.none(), odd_text, json_any, json_any.map(json.dumps),
                 st.sampled_from(['{"a":1,"a":2}', "[1,2", " {} ", '{"a": [1, -0, 2.5]}', "1e400", '"\\ud800"',
                                  "a=1&a=2&b"]),
                 st.integers(1, 400).map(lambda n: "[" * n + "]" * n))
side = st.fixed_dictionaries({}, optional={
    "method": st.one_of(st.sampled_from(["get", "POST", "Patch", "FETCH", "OPTIONS", ""]), scalar),
    "pathname": st.one_of(path_text, scalar), "path": st.one_of(path_text, scalar),
    "url": st.one_of(st.sampled_from(["http://example.com/u?z=1", "https://[::1]:99/x", "//h/p", "mailto:a"]),
                     scalar),
    "query": query, "protocol": st.one_of(st.sampled_from(["https", "http", "ftp"]), scalar),
    "host": st.one_of(st.sampled_from(["h.example:8080", "[::1]", ""]), scalar),
    "headers": headers, "body": body,
    "statusCode": st.one_of(st.sampled_from([200, "201", 99, 600, 404.0, 204, "2OO", 1e300]), scalar),
})
# Mostly records with both sides (so the fields themselves are fuzzed), sometimes a side of another kind.
record = st.one_of(st.fixed_dictionaries({"request": side, "response": side}, optional={"meta": json_any}),
                   st.fixed_dictionaries({"request": st.one_of(side, json_any), "response": st.one_of(side, json_any)}),
                   json_any)
SPLICE: Final = [b"\xff", b"\xc3", b"\xed\xa0\x80", b"\\ud800", b"\\udfff", b"\x00", b"\n", b"\"", b"\\", b"}"]


@st.composite
def raw_records(draw: st.DrawFn) -> bytes:
    """A record serialized, sometimes with odd bytes spliced in anywhere (the line may no longer parse)."""
    line = json.dumps(draw(record), ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, len(line)))
        line = line[:at] + draw(st.sampled_from(SPLICE)) + line[at:]
    return line


needs_native = pytest.mark.skipif(not native.AVAILABLE, reason="specbuild._native is not built here")


@examples(1200)
@given(raw_records())
def test_a_record_decodes_or_is_refused_with_a_record_error(raw: bytes) -> None:
    with suppress(RecordError):
        decode(raw, "fuzz:1")
    if native.AVAILABLE:
        assert_fast_decode_agrees(raw)
        python = _outcome(lambda: decode(raw, "fuzz:1"))
        assert _outcome(lambda: decode(raw, "fuzz:1", parse_json=native.json_parser())) == python


def _outcome(run: Any) -> Any:
    """The reason of the refusal, or the fields of the Exchange that do not depend on the body parser."""
    try:
        ex = run()
    except RecordError as err:
        return err.reason
    return (ex.method, ex.path, ex.status, ex.query, ex.request_headers, ex.response_headers,
            ex.request_body.kind, ex.response_body.kind)


def _fold(raws: list[bytes], *, accelerated: bool) -> bytes:
    builder = SpecBuilder(accelerated=accelerated)
    Fold(builder).feed((raw, f"fuzz:{i}") for i, raw in enumerate(raws))
    return dumps(render(builder))


@needs_native
@examples(400)
@given(st.lists(raw_records(), min_size=1, max_size=8))
def test_folding_any_records_never_raises_and_both_engines_render_the_same(raws: list[bytes]) -> None:
    assert _fold(raws, accelerated=True) == _fold(raws, accelerated=False)


@examples(200)
@given(st.lists(raw_records(), min_size=1, max_size=8))
def test_folding_any_records_never_raises(raws: list[bytes]) -> None:
    _fold(raws, accelerated=False)


# --- specs -------------------------------------------------------------------------------------------

REFS = ["#/components/schemas/A", "#/components/schemas/Missing", "#", "#/", "#/paths/~1a", "http://127.0.0.1:9/x.json",
        "https://example.com/s.yaml#/A", "file:///etc/passwd", "/etc/passwd", "../outside.json", "./other.json",
        "other.json#/A", "other.json#/no/such", "%2e%2e/x.json", "\x00", "", "#/components/schemas/A/properties",
        "//host/x", "self.json", "self.json#/components"]
ref = st.one_of(st.sampled_from(REFS), odd_text, scalar)
NUMBERS = [10**400, -(10**400), 1e308, float("inf"), float("-inf"), float("nan"), -0.0, 2**64]
spec_scalar = st.one_of(scalar, st.sampled_from(NUMBERS), st.sampled_from(["^(a+)+$", "[", "\\p{L}", "(?P<x>"]))
spec_value = st.recursive(
    st.one_of(spec_scalar, ref.map(lambda r: {"$ref": r})),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.one_of(st.sampled_from(["type", "properties", "items", "pattern", "$ref", "enum",
                                                   "required", "nullable", "allOf", "oneOf", "format",
                                                   "additionalProperties", "200", "default", "minimum"]),
                                  odd_text), inner, max_size=4)),
    max_leaves=15)
PARAM = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}


@st.composite
def spec_documents(draw: st.DrawFn) -> dict[str, Any]:
    """Something shaped like an OpenAPI document, with any part of it replaced by anything."""
    schema = draw(st.one_of(spec_value, st.just({"type": "object", "properties": {"id": {"type": "integer"}}})))
    op = {"parameters": [PARAM], "responses": {draw(st.sampled_from(["200", "default", "2XX", "999"])): {
        "description": "ok", "content": {draw(st.sampled_from(CONTENT_TYPES)): {"schema": schema}}}}}
    doc: dict[str, Any] = {"openapi": draw(st.sampled_from(["3.0.3", "3.1.0", "2.0", "3", 3.0])),
                           "info": {"title": "t", "version": "1"},
                           "paths": {draw(path_text): {draw(st.sampled_from(["get", "post", "x-op"])): op}},
                           "components": {"schemas": {"A": draw(spec_value)}}}
    for _ in range(draw(st.integers(0, 3))):
        at: Any = doc
        for key in draw(st.lists(st.sampled_from(["paths", "components", "schemas", "A", "info"]), max_size=3)):
            at = at.get(key, at) if isinstance(at, dict) else at
        if isinstance(at, dict):
            at[draw(odd_text)] = draw(spec_value)
    return doc


YAML_TEXTS = [
    "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        200: &r\n"
    "          description: ok\n        404: *r\n",
    "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A: {type: number, "
    "minimum: .inf, maximum: .nan, default: 1e999}\n",
    "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n? [a, b]\n: c\n",
    "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n1: one\ntrue: yes\n2024-01-01: date\nnull: x\n",
    "a: &a [1, *a]\n", "a: &a {b: *a}\n", "openapi: 3.0.3\n<<: {info: {title: t, version: '1'}, paths: {}}\n",
    "openapi: 3.0.3\ninfo: !!python/object/apply:os.system ['true']\n", "!!binary aGk=\n", "--- 1\n--- 2\n",
    "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    $ref: 'http://127.0.0.1:9/p.yaml'\n",
    "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents: {schemas: {A: {pattern: '(a|a)*b'}}}\n",
    "\t- x", "%YAML 9.9\n---\na: 1\n", "a: 1\na: 2\n", "[" * 200, "- " * 200 + "x", "\ufeffopenapi: 3.0.3\n",
    "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents: {schemas: {A: 0x1F, B: 0o17, "
    "C: 1_000, D: 190:20:30, E: ~}}\n",
]


@st.composite
def spec_texts(draw: st.DrawFn) -> bytes:
    """A spec's bytes: JSON of a hostile document, YAML with anchors, tags and odd keys, or a mix."""
    kind = draw(st.sampled_from(["json", "yaml", "mangled"]))
    if kind == "yaml":
        text = draw(st.sampled_from(YAML_TEXTS))
    else:
        text = json.dumps(draw(spec_documents()), allow_nan=True, indent=draw(st.sampled_from([None, 1])))
    data = text.encode("utf-8", "surrogatepass")
    if kind == "mangled":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from([*SPLICE, b": &x", b"*x", b"\t", b"{", b"- "])) + data[at:]
    return data


@contextmanager
def no_network() -> Iterator[None]:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"the spec loader reached for the network: {args[1:]!r}")
    with mock.patch.object(socket.socket, "connect", refuse), \
            mock.patch.object(socket.socket, "connect_ex", refuse), \
            mock.patch.object(socket, "getaddrinfo", refuse), \
            mock.patch.object(socket, "create_connection", refuse):
        yield


CHECKED: Final = (b'{"request":{"method":"GET","path":"/a/1?x=1","headers":{"content-type":"application/json"},'
                  b'"body":"{}"},"response":{"statusCode":200,"headers":{"content-type":"application/json"},'
                  b'"body":"{\\"id\\": 1}"}}')


def load_and_check(text: bytes) -> None:
    """Read, check and use the spec the way ``specbuild check`` does (cli.drift.load_spec, run_check)."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "other.json").write_text('{"A": {"type": "string"}}')
        (Path(tmp) / "self.json").write_bytes(text)
        path = Path(tmp) / "spec.yaml"
        path.write_bytes(text)
        try:
            doc = read_spec(path)
            check_input_spec(doc, str(path))
            checker = Checker(dict(doc), explain=BodyValidator)
            checker.add(decode(CHECKED, "fuzz:1"))
            checker.findings()
        except SpecbuildError:
            pass


@examples(600)
@given(spec_texts())
def test_a_spec_is_read_and_checked_or_refused_with_a_specbuild_error(text: bytes) -> None:
    with no_network():
        load_and_check(text)


@pytest.mark.parametrize("text", [t.encode() for t in YAML_TEXTS])
def test_every_yaml_sample_is_read_or_refused(text: bytes) -> None:
    with no_network():
        load_and_check(text)


@pytest.mark.parametrize("ref", ["\\ud800", "0\\u0000", "a" * 5000 + ".json"])
def test_a_ref_that_is_no_file_name_is_refused(ref: str) -> None:
    """Found by the fuzzer: a NUL or a lone surrogate in a $ref crashed Path.resolve (ValueError);
    a name too long is a file that cannot be read."""
    head = b'{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}, "components": '
    text = head + b'{"schemas": {"A": {"$ref": "' + ref.encode() + b'"}}}}'
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "spec.json"
        path.write_bytes(text)
        with pytest.raises(SpecbuildError, match=r"refused|cannot read"):
            read_spec(path)
