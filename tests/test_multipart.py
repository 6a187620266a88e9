"""multipart/form-data bodies read as their parts (specbuild/multipart.py): base64 undone, the boundary
found, each part a field of a form (a file part ``string``/``binary``, the others typed as form fields),
learned, checked and diffed as objects; the native decoder leaves such records to Python, which agrees."""

from __future__ import annotations

import base64
import contextlib
import time
from typing import Any

import orjson
import pytest

from specbuild import build_spec, multipart
from specbuild.drift import check as drift_check
from specbuild.drift.diff import diff
from specbuild.errors import RecordError
from specbuild.io.files import dumps
from specbuild.io.validate import BodyValidator, spec_problems
from specbuild.learn import native
from specbuild.learn import state as codec
from specbuild.learn.builder import Bodies, BodyState, SpecBuilder
from specbuild.learn.overlay import overlay
from specbuild.learn.render import RenderOptions, render
from specbuild.multipart import FILE_PART, Malformed, fields
from specbuild.records import Body, decode
from specbuild.run import Fold, build_document

MP = "multipart/form-data"


def body(parts: list[tuple[str, str | bytes, str | None, str | None]], boundary: str = "b0und") -> bytes:
    """A multipart body of (name, content, filename, content type) parts, as a client sends it."""
    out = b""
    for name, content, filename, ctype in parts:
        out += f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"".encode()
        if filename is not None:
            out += f'; filename="{filename}"'.encode()
        out += b"\r\n" + (f"Content-Type: {ctype}\r\n".encode() if ctype else b"") + b"\r\n"
        out += (content.encode() if isinstance(content, str) else content) + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


def upload(path: str, parts: list[tuple[str, str | bytes, str | None, str | None]], *, b64: bool = True,
           header: str = f"{MP}; boundary=b0und") -> dict[str, Any]:
    """A record of a multipart POST kept as specbuild's recorder keeps it (base64), or as text."""
    raw = body(parts)
    text = base64.b64encode(raw).decode() if b64 else raw.decode()
    return {"request": {"method": "POST", "protocol": "https", "host": "h", "pathname": path,
                        "headers": {"content-type": header}, "body": text},
            "response": {"statusCode": 201}}


def content(path: str, relative: str = "a.txt", repo: bool = True) -> dict[str, Any]:
    parts: list[tuple[str, str | bytes, str | None, str | None]] = [("relative_path", relative, None, None)]
    if repo:
        parts.append(("repository", "/repos/1/", None, None))
    parts.append(("file", b"\x89PNG\x00\x01", "up.png", "image/png"))
    return upload(path, parts)


def doc_of(records: list[dict[str, Any]], openapi: str = "3.0") -> dict[str, Any]:
    return build_spec([decode(orjson.dumps(r)) for r in records], RenderOptions(openapi=openapi))


def media(doc: dict[str, Any], path: str = "/files") -> dict[str, Any]:
    return dict(doc["paths"][path]["post"]["requestBody"]["content"][MP])


def resolved(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return resolved(doc, doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]])
    return schema


# -- reading ------------------------------------------------------------------------------------------
def test_base64_text_and_lf_bodies_read_as_the_same_parts() -> None:
    parts: list[tuple[str, str | bytes, str | None, str | None]] = [
        ("title", "héllo", None, None), ("file", b"\xff\xfe", "x.bin", "application/octet-stream"),
        ("tags", "a", None, None), ("tags", "b", None, None)]
    raw = body(parts)
    want = {"title": ["héllo"], "file": [FILE_PART + "application/octet-stream"], "tags": ["a", "b"]}
    header = f"{MP}; boundary=b0und"
    assert fields(base64.b64encode(raw).decode(), header) == want
    text_parts = [p for p in parts if p[0] != "file"]
    assert fields(body(text_parts).decode(), header) == {"title": ["héllo"], "tags": ["a", "b"]}
    assert fields(body(text_parts).decode().replace("\r\n", "\n"), header) == {"title": ["héllo"], "tags": ["a", "b"]}


def test_the_boundary_comes_from_the_first_line_when_the_header_has_none() -> None:
    raw = base64.b64encode(body([("a", "1", None, None)], boundary="zz9")).decode()
    assert fields(raw, MP) == {"a": ["1"]}
    assert fields(raw, f"{MP}; boundary=wrong") == {"a": ["1"]}
    assert fields(raw, f'{MP}; boundary="zz9"') == {"a": ["1"]}


def test_a_file_is_a_part_with_a_filename_a_type_that_is_not_text_or_bytes_that_are_not_text() -> None:
    raw = body([("named", "plain words", "n.txt", "text/plain"), ("typed", "PK", None, "application/zip"),
                ("json", '{"a": 1}', None, "application/json"), ("bytes", b"\xc3\x28", None, None),
                ("nul", b"a\x00b", None, None), ("bare", b"", "empty.bin", None)])
    assert fields(base64.b64encode(raw).decode(), f"{MP}; boundary=b0und") == {
        "named": [FILE_PART + "text/plain"], "typed": [FILE_PART + "application/zip"], "json": ['{"a": 1}'],
        "bytes": [FILE_PART], "nul": [FILE_PART], "bare": [FILE_PART]}


def test_an_escaped_quote_in_a_name_and_a_part_without_a_name() -> None:
    raw = (b'--b\r\nContent-Disposition: form-data; name="a\\"b"\r\n\r\n1\r\n'
           b"--b\r\nContent-Disposition: form-data\r\n\r\n2\r\n--b--")
    assert fields(raw.decode(), f"{MP}; boundary=b") == {'a"b': ["1"]}


@pytest.mark.parametrize(("text", "why"), [
    ("%%% not base64 %%%", "neither multipart text nor base64"),
    (base64.b64encode(b"just some bytes").decode(), "no boundary"),
    ("--b\r\nContent-Disposition: form-data; name=a\r\n1\r\n--b--", "without a blank line"),
    ("--b\r\n" + "--b\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n" * (multipart.MAX_PARTS + 1),
     "more than 1,000 parts"),
])
def test_what_is_not_multipart_is_refused_with_a_reason(text: str, why: str) -> None:
    with pytest.raises(Malformed, match=why):
        fields(text, f"{MP}; boundary=b")


def test_records_decode_a_multipart_body_as_a_form_and_a_broken_one_as_malformed() -> None:
    ex = decode(orjson.dumps(content("/files")))
    assert ex.request_body == Body("form", MP, {"relative_path": ["a.txt"], "repository": ["/repos/1/"],
                                                "file": [FILE_PART + "image/png"]})
    bad = upload("/files", [("a", "1", None, None)])
    bad["request"]["body"] = "!!"
    body_ = decode(orjson.dumps(bad)).request_body
    assert (body_.kind, body_.media_type) == ("malformed", MP)
    assert "could not be read" in body_.value


# -- learning -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("openapi", ["3.0", "3.1"])
def test_a_multipart_body_is_an_object_of_its_parts_with_the_file_binary(openapi: str) -> None:
    # 60 distinct uploads: a request body's ``required`` rests on as many as a response's
    records = [content("/files", f"f{i}.txt", repo=i % 3 != 0) for i in range(60)]
    doc = doc_of(records, openapi)
    assert spec_problems(doc) == []
    got = media(doc)
    assert resolved(doc, got["schema"]) == {
        "type": "object", "properties": {"file": {"type": "string", "format": "binary"},
                                         "relative_path": {"type": "string"}, "repository": {"type": "string"}},
        "required": ["file", "relative_path"]}
    assert got["encoding"] == {"file": {"contentType": "image/png"}}


def test_no_content_type_is_written_for_files_sent_in_several_and_text_parts_are_typed() -> None:
    records = [upload("/files", [("n", str(i), None, None), ("on", "true", None, None),
                                 ("f", "x", "a", "image/png" if i % 2 else "text/csv")]) for i in range(20)]
    got = media(doc_of(records))
    schema = got["schema"]
    assert schema["properties"] == {"f": {"type": "string", "format": "binary"},
                                    "n": {"type": "integer", "format": "int64"}, "on": {"type": "boolean"}}
    assert "encoding" not in got


def test_repeated_and_bracketed_parts_are_arrays_and_objects() -> None:
    records = [upload("/files", [("files", "x", "a.png", "image/png"), ("files", "y", "b.png", "image/png"),
                                 ("data[title]", f"t{i}", None, None), ("data[size]", str(i), None, None)])
               for i in range(20)]
    doc = doc_of(records)
    got = media(doc)
    props = resolved(doc, got["schema"])["properties"]
    assert props["files"] == {"type": "array", "items": {"type": "string", "format": "binary"}}
    assert resolved(doc, props["data"])["properties"] == {"size": {"type": "integer", "format": "int64"},
                                                          "title": {"type": "string"}}
    assert got["encoding"] == {"data": {"explode": True, "style": "deepObject"},
                               "files": {"contentType": "image/png"}}


def test_a_form_s_fields_win_over_an_opaque_body_of_the_same_media_in_either_order() -> None:
    form = Body("form", MP, {"a": ["1"]})
    binary = Body("binary", MP)
    for first, second in ((form, binary), (binary, form)):
        bodies = Bodies()
        bodies.add(first)
        bodies.add(second)
        assert (bodies.by_media[MP].kind, bodies.by_media[MP].count) == ("form", 2)
    mine, theirs = Bodies(), Bodies()
    mine.add(binary)
    theirs.add(form)
    mine.merge(theirs)
    assert mine.by_media[MP].kind == "form"
    mine, theirs = Bodies(), Bodies()
    mine.add(form)
    theirs.add(binary)
    mine.merge(theirs)
    assert (mine.by_media[MP].kind, mine.by_media[MP].count) == ("form", 2)


@pytest.mark.skipif(not native.AVAILABLE, reason="specbuild._native is not built here")
def test_the_native_decoder_leaves_multipart_to_python_and_the_specs_agree() -> None:
    records = [content("/files", f"f{i}.txt", repo=i % 2 == 0) for i in range(20)]
    lines = [(orjson.dumps(r), "x") for r in records]
    decode_natively = native.fields_decoder()
    assert decode_natively is not None and decode_natively(lines[0][0], 1 << 20) is None
    pure, fast = SpecBuilder(accelerated=False), SpecBuilder(accelerated=True)
    Fold(pure).feed(lines)
    Fold(fast).feed(lines)
    assert dumps(build_document(fast)) == dumps(build_document(pure))


# -- check and diff -------------------------------------------------------------------------------------
def test_check_holds_a_multipart_body_to_the_parts_the_spec_requires() -> None:
    records = [content("/files", f"f{i}.txt") for i in range(60)]
    traffic = [decode(orjson.dumps(r)) for r in records]
    doc = build_spec(traffic)
    assert drift_check.check(doc, traffic, explain=BodyValidator) == []
    missing = decode(orjson.dumps(upload("/files", [("file", "x", "a.png", "image/png")])))
    findings = drift_check.check(doc, [missing], explain=BodyValidator)
    assert [f.kind for f in findings] == ["request-missing-required"]


def test_check_does_not_hold_parts_to_a_spec_that_documents_the_body_as_binary() -> None:
    doc = doc_of([content("/files", f"f{i}.txt") for i in range(30)])
    doc["paths"]["/files"]["post"]["requestBody"]["content"][MP] = {"schema": {"type": "string", "format": "binary"}}
    traffic = [decode(orjson.dumps(content("/files", "x")))] * 2
    checker = drift_check.Checker(doc, explain=BodyValidator).add_all(traffic)
    assert checker.findings() == []
    assert checker.stats.bodies_unchecked == 2
    typeless = {"properties": {"note": {"type": "string"}}, "required": ["note"]}
    doc["paths"]["/files"]["post"]["requestBody"]["content"][MP] = {"schema": typeless}
    findings = drift_check.check(doc, traffic[:1], explain=BodyValidator)
    assert "request-missing-required" in {f.kind for f in findings}


def test_diff_compares_multipart_parts_as_properties() -> None:
    base = doc_of([content("/files", f"f{i}.txt", repo=i % 3 != 0) for i in range(60)])
    head = doc_of([upload("/files", [("repository", f"/r/{i}/", None, None), ("file", "x", "a.png", "image/png")])
                   for i in range(60)])
    changes = {(c.kind, c.where) for c in diff(base, head)}
    assert changes == {("request-property-removed", f"request body {MP}"),
                       ("request-property-now-required", f"request body {MP}")}


# -- overlay --------------------------------------------------------------------------------------------
def _upload_op(media_obj: dict[str, Any]) -> dict[str, Any]:
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/files": {"post": {
        "requestBody": {"content": {MP: media_obj}}, "responses": {"201": {"description": "ok"}}}}}}


def test_a_written_multipart_schema_wins_and_takes_only_the_encoding_of_parts_it_gained() -> None:
    learned = _upload_op({"schema": {"type": "object", "properties": {
        "file": {"type": "string", "format": "binary"}, "note": {"type": "string"}}},
        "encoding": {"file": {"contentType": "image/png"}}})
    binary = overlay(_upload_op({"schema": {"type": "string", "format": "binary"}}), learned)
    assert media(binary) == {"schema": {"type": "string", "format": "binary"}}
    written = _upload_op({"schema": {"type": "object", "properties": {"note": {"type": "integer"}}},
                          "encoding": {"note": {"contentType": "text/plain"}}})
    merged = media(overlay(written, learned))
    assert merged["schema"]["properties"] == {"note": {"type": "integer"},
                                              "file": {"type": "string", "format": "binary"}}
    assert merged["encoding"] == {"note": {"contentType": "text/plain"}, "file": {"contentType": "image/png"}}
    assert spec_problems(overlay(written, learned)) == []


def test_a_multipart_post_naming_its_method_is_that_method() -> None:
    records = [upload("/files/1", [("_method", "PATCH", None, None), ("title", f"t{i}", None, None),
                                   ("file", "x", "a.png", "image/png")]) for i in range(5)]
    doc = doc_of(records)
    (method,) = doc["paths"]["/files/{fileId}"]
    assert method == "patch"
    schema = resolved(doc, doc["paths"]["/files/{fileId}"]["patch"]["requestBody"]["content"][MP]["schema"])
    assert sorted(schema["properties"]) == ["file", "title"]


def test_strict_makes_a_body_that_is_not_multipart_the_record_s_error() -> None:
    bad = upload("/files", [("a", "1", None, None)])
    bad["request"]["body"] = "!!"
    fold = Fold(SpecBuilder(), strict=True)
    with pytest.raises(RecordError) as info:
        fold.feed([(orjson.dumps(bad), "r.jsonl:1")])
    assert info.value.reason == "bad-multipart-body"


@pytest.mark.parametrize("hostile", [
    "--b\r\nContent-Disposition: form-data; " + "x" * 3_000_000 + "\r\n\r\n1\r\n--b--",
    "--b\r\nContent-Disposition: form-data; name=" + "; a" * 1_000_000 + "\r\n\r\n1\r\n--b--",
    "--b\r\nContent-Disposition: form-data; name=\"" + "\\" * 2_000_001 + "\r\n\r\n1\r\n--b--",
    "--b\r\n" * 500 + "Content-Disposition: form-data; name=a\r\n\r\n" + "y" * 3_000_000,
])
def test_a_hostile_body_is_read_in_linear_time(hostile: str) -> None:
    started = time.process_time()
    with contextlib.suppress(Malformed):
        fields(hostile, f"{MP}; boundary=b")
    assert time.process_time() - started < 2.0


def test_a_format_5_state_s_binary_multipart_body_gives_way_to_the_parts_read_now() -> None:
    old = SpecBuilder(accelerated=False)
    old.add(decode(orjson.dumps(content("/files"))))
    state = old.operations[next(iter(old.operations))].request.by_media
    state[MP] = BodyState("binary")  # what specbuild kept before this
    state[MP].count = 1
    header, _, payload = codec.encode(old, {}).partition(b"\n")
    loaded, _ = codec.decode(header.replace(b" %d " % codec.FORMAT, b" 5 ") + b"\n" + payload, "s")
    for i in range(30):
        loaded.add(decode(orjson.dumps(content("/files", f"f{i}"))))
    got = media(render(loaded))
    assert got["encoding"] == {"file": {"contentType": "image/png"}}
    assert sorted(resolved(render(loaded), got["schema"])["properties"]) == ["file", "relative_path", "repository"]


def _note(i: int, title: str | None) -> dict[str, Any]:
    return {"request": {"method": "GET", "protocol": "https", "host": "h", "pathname": f"/notes/{i}"},
            "response": {"statusCode": 200, "headers": {"content-type": "application/json"},
                         "body": orjson.dumps({"id": i, "title": title}).decode()}}


def _edit(i: int) -> dict[str, Any]:
    return {"request": {"method": "PATCH", "protocol": "https", "host": "h", "pathname": f"/notes/{i}",
                        "headers": {"content-type": "application/json"},
                        "body": orjson.dumps({"title": f"t{i}"}).decode()},
            "response": {"statusCode": 204}}


def test_a_part_is_never_null_nor_evidence_against_a_null_elsewhere() -> None:
    """A multipart field is text on the wire, as an urlencoded one: it neither shows a null nor takes one."""
    notes = [_note(i, None if i % 4 == 0 else f"n{i}") for i in range(40)] + [_edit(i) for i in range(40)]
    uploads = [upload("/notes", [("title", f"t{i}", None, None), ("file", "x", "a.png", "image/png")])
               for i in range(60)]
    alone, beside = doc_of(notes), doc_of(notes + uploads)
    assert {k: v for k, v in beside["paths"].items() if k != "/notes"} == alone["paths"]
    assert "nullable" not in resolved(beside, media(beside, "/notes")["schema"])["properties"]["title"]


# -- review: names that collide with the file segment, or that spell no bracketed path ---------------------
def test_a_file_part_whose_name_spells_no_bracketed_path_is_a_binary_property_of_that_name() -> None:
    """``[x]``, ``a[b`` and names of more segments than a form's depth are names of their own (records.form_name):
    a file part so named was written as ``[x][\\x00file]``, the fold's marker in the spec."""
    deep = "d" + "[k]" * 40
    records = [upload("/files", [("[x]", b"\x89PNG\x00", "a.png", "image/png"), ("a[b", b"\x00", "b.png", "image/png"),
                                 (deep, b"\x00", "c.png", "image/png"), ("t", "1", None, None)]) for _ in range(5)]
    doc = doc_of(records)
    props = resolved(doc, media(doc)["schema"])["properties"]
    assert sorted(props) == sorted(["[x]", "a[b", deep, "t"])
    assert props["[x]"] == props["a[b"] == props[deep] == {"type": "string", "format": "binary"}
    assert "\x00" not in dumps(doc).decode()
    traffic = [decode(orjson.dumps(r)) for r in records]
    assert drift_check.check(doc, traffic, explain=BodyValidator) == []


def test_a_sent_name_holding_the_file_segment_is_no_file_part() -> None:
    """The fold's file segment is ``\\x00file``: a urlencoded field (or a query's deepObject) sent under
    ``a[\\x00file]`` is a field of that name as before multipart bodies were read, never a binary file
    with a media type, and its own traffic checks clean."""
    records = [{"request": {"method": "POST", "protocol": "https", "host": "h", "pathname": "/form",
                            "headers": {"content-type": "application/x-www-form-urlencoded"},
                            "body": "a%5B%00file%5D=image/png&x=1"}, "response": {"statusCode": 200}}
               for _ in range(5)]
    doc = doc_of(records)
    got = doc["paths"]["/form"]["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"]
    assert "binary" not in dumps(got).decode()
    assert "contentType" not in dumps(got).decode()
    traffic = [decode(orjson.dumps(r)) for r in records]
    assert drift_check.check(doc, traffic, explain=BodyValidator) == []
    assert fields(body([("a[\x00file]", "text", None, None), ("b", "1", None, None)]).decode(),
                  f"{MP}; boundary=b0und") == {"b": ["1"]}


def test_a_file_part_where_the_spec_wants_text_is_shown_as_a_file_not_as_the_fold_s_marker() -> None:
    records = [upload("/files", [("count", str(i), None, None)]) for i in range(30)]
    doc = doc_of(records)
    sent = decode(orjson.dumps(upload("/files", [("count", b"\x89PNG\x00", "c.png", "image/png")])))
    (finding,) = drift_check.check(doc, [sent], explain=BodyValidator)
    assert finding.kind == "request-type-mismatch"
    assert finding.example.seen == "a file (image/png)"
