"""A spec handed to ``check``, ``diff`` or ``build --spec`` reaches no network and no file outside its folder.

Only relative ``$ref``s to files inside the spec's own folder are followed; http(s), ``file://`` and
absolute paths are refused with an error naming the ref and where it is, and never fetched.
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from specbuild.cli.app import main

ROOT = Path(__file__).resolve().parent.parent
CONTROL = str(ROOT / "fixtures" / "drift" / "control.jsonl")
PET = {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}


class _Counter(http.server.BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self) -> None:
        type(self).hits += 1
        body = json.dumps(PET).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture()
def listener() -> Iterator[tuple[str, type[_Counter]]]:
    handler = type("Counter", (_Counter,), {"hits": 0})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/pet.json", handler
    finally:
        server.shutdown()
        server.server_close()


def spec_with(ref: str) -> dict[str, Any]:
    array = {"type": "array", "items": {"$ref": ref}}
    ok = {"description": "OK", "content": {"application/json": {"schema": array}}}
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {"/v1/pets": {"get": {"responses": {"200": ok}}}}}


def write_spec(folder: Path, ref: str, name: str = "openapi.json") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(spec_with(ref)))
    return path


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(args)
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def commands(spec: Path, tmp_path: Path) -> list[list[str]]:
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps(spec_with("#/components/schemas/Pet") | {"components": {"schemas": {"Pet": PET}}}))
    return [["check", "--spec", str(spec), "-i", CONTROL],
            ["diff", str(spec), str(plain)],
            ["diff", str(plain), str(spec)],
            ["build", "-i", CONTROL, "-o", str(tmp_path / "out"), "--spec", str(spec)]]


def test_an_http_ref_is_refused_and_never_fetched(tmp_path: Path, listener: tuple[str, type[_Counter]],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    url, counter = listener
    spec = write_spec(tmp_path / "spec", url)
    for args in commands(spec, tmp_path):
        code, _, err = run(args, capsys)
        assert code == 2, (args, err)
        assert url in err and "/paths/~1v1~1pets/get/responses/200" in err and "refused" in err, err
    assert counter.hits == 0


@pytest.mark.parametrize("ref", ["../secret.json", "/etc/hostname", "file:///etc/hostname",
                                 "https://example.invalid/pet.json", "link.json"])
def test_a_ref_out_of_the_folder_is_refused(ref: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "secret.json").write_text(json.dumps(PET))
    spec = write_spec(tmp_path / "spec", ref)
    (tmp_path / "spec" / "link.json").symlink_to(tmp_path / "secret.json")
    for args in commands(spec, tmp_path):
        code, _, err = run(args, capsys)
        assert code == 2, (args, err)
        assert ref in err and "refused" in err, err


@pytest.mark.parametrize("name", ["openapi.json", "openapi.yaml"])
def test_a_relative_ref_inside_the_folder_works(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "spec"
    (folder / "schemas").mkdir(parents=True)
    # a split spec: the pet file refers to a second file and to itself (a recursive schema)
    (folder / "schemas" / "pet.json").write_text(json.dumps(
        {"Pet": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                                  "owner": {"$ref": "owner.yaml"},
                                                  "parent": {"$ref": "#/Pet"}}}}))
    # the recordings' owner.email is a string: the integer here must show, so the file was read
    (folder / "schemas" / "owner.yaml").write_text("type: object\nproperties:\n  email: {type: integer}\n")
    spec = write_spec(folder, "./schemas/pet.json#/Pet", name)
    for args in commands(spec, tmp_path):
        code, out, err = run(args, capsys)
        assert code in (0, 1), (args, err)
    code, out, err = run(["check", "--spec", str(spec), "-i", CONTROL], capsys)
    assert code == 1 and "response-type-mismatch" in out and "owner.email" in out, out
    assert "at 200 (root)" not in out, out


def test_a_ref_to_a_missing_file_names_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = write_spec(tmp_path / "spec", "nope.json#/Pet")
    code, _, err = run(["check", "--spec", str(spec), "-i", CONTROL], capsys)
    assert code == 2 and "nope.json" in err, err


def test_the_validator_itself_fetches_nothing(listener: tuple[str, type[_Counter]]) -> None:
    from specbuild.io.validate import spec_problems

    url, counter = listener
    problems = spec_problems(spec_with(url))
    assert counter.hits == 0 and problems, problems  # the library words it "Unresolvable: <url>"
