"""files: atomic writes, readable permissions, clear errors for unreadable specs."""

from __future__ import annotations

import gzip
import os
import stat
import time
from pathlib import Path

import pytest

from specbuild.errors import InputError
from specbuild.io.files import dumps, put_in_place, read_document, remove_stale_temps, write_atomic, write_temp
from specbuild.io.jsonl import Lines


def test_atomic_write_replaces_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "out" / "openapi.json"
    write_atomic(target, b"one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["openapi.json"]
    mode = stat.S_IMODE(target.stat().st_mode)
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask


def test_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "openapi.json"
    write_atomic(target, b"old")
    with pytest.raises(TypeError):
        write_atomic(target, object())  # type: ignore[arg-type]
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["openapi.json"]


def test_dumps_is_sorted_and_stable() -> None:
    assert dumps({"b": 1, "a": {"d": 2, "c": 3}}) == dumps({"a": {"c": 3, "d": 2}, "b": 1})
    assert dumps({"b": 1, "a": 2}, "yaml") == b"a: 2\nb: 1\n"


def test_dumps_writes_the_conventional_order_in_json_and_yaml(tmp_path: Path) -> None:
    """openapi, info, servers, tags, paths, components; name, in, required, schema; type, format; then the
    keys no kind lists and every map's names, sorted."""
    schema = {"x-b": 1, "required": ["id"], "properties": {"z": {"format": "uuid", "type": "string"}, "a": {}},
              "type": "object"}
    op = {"responses": {"404": {"description": "Not Found"},
                        "200": {"content": {"application/json": {"schema": schema}}, "description": "OK"}},
          "security": [], "parameters": [{"schema": {"type": "integer"}, "required": True, "in": "query",
                                          "name": "limit"}],
          "x-a": 0, "tags": ["users"], "operationId": "listUsers", "summary": "List users"}
    doc = {"components": {}, "paths": {"/users": {"post": op, "get": op}, "/a": {}}, "tags": [],
           "servers": [], "info": {"version": "1", "title": "t"}, "openapi": "3.0.3"}
    text = dumps(doc).decode()
    order = ['"openapi"', '"info"', '"title"', '"version"', '"servers"', '"tags"', '"paths"', '"/a"', '"/users"',
             '"get"', '"summary"', '"operationId"', '"tags"', '"parameters"', '"name"', '"in"', '"required"',
             '"schema"', '"responses"', '"200"', '"description"', '"content"', '"type": "object"', '"properties"',
             '"a"', '"z"', '"type": "string"', '"format"', '"required"', '"x-b"', '"404"', '"security"', '"x-a"',
             '"post"', '"components"']
    at = 0
    for key in order:
        found = text.find(key, at)
        assert found >= 0, (key, text[at:at + 200])
        at = found + len(key)
    yaml_text = dumps(doc, "yaml").decode()
    assert [ln for ln in yaml_text.splitlines() if not ln.startswith(" ")] == [
        "openapi: 3.0.3", "info:", "servers: []", "tags: []", "paths:", "components: {}"]
    (tmp_path / "a.yaml").write_text(yaml_text)
    (tmp_path / "a.json").write_text(text)
    assert read_document(tmp_path / "a.yaml") == read_document(tmp_path / "a.json")


def test_dumps_writes_no_yaml_anchors() -> None:
    shared = {"type": "string"}
    doc = {"paths": {"/a": {"get": {"responses": {"200": {"description": "OK", "content": {
        "text/plain": {"schema": shared}, "text/html": {"schema": shared}}}}}}}}
    text = dumps(doc, "yaml").decode()
    assert "&" not in text and "*" not in text
    assert text.count("type: string") == 2


def test_read_document_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.json: no such file"):
        read_document(tmp_path / "nope.json")
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [1,\n")
    with pytest.raises(InputError, match=r"bad\.yaml: neither JSON nor YAML"):
        read_document(bad)
    good = tmp_path / "good.yaml"
    good.write_text("openapi: 3.0.3\n")
    assert read_document(good) == {"openapi": "3.0.3"}


BILLION_LAUGHS = b"""\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_a_yaml_bomb_is_refused_fast(tmp_path: Path) -> None:
    import time

    bomb = tmp_path / "bomb.yaml"
    bomb.write_bytes(BILLION_LAUGHS)
    started = time.monotonic()
    with pytest.raises(InputError, match=r"bomb\.yaml: YAML aliases expand past \d+ nodes: refused"):
        read_document(bomb)
    assert time.monotonic() - started < 5.0  # expanded, the bomb takes minutes and gigabytes


def test_a_yaml_bomb_given_to_build_exits_2(tmp_path: Path) -> None:
    import subprocess
    import sys

    bomb = tmp_path / "bomb.yaml"
    bomb.write_bytes(b"openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\nx-bomb:\n"
                     + b"".join(b"  " + line + b"\n" for line in BILLION_LAUGHS.splitlines()))
    root = Path(__file__).resolve().parent.parent
    # 1 GiB of address space at most: the expanded bomb would need tens
    limit = "import resource; resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30)); "
    run = subprocess.run([sys.executable, "-c", limit + "from specbuild.cli.app import main; main()", "build",
                          "-i", str(root / "fixtures" / "users.jsonl"), "-o", str(tmp_path / "out"),
                          "--spec", str(bomb)], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(root)})
    assert run.returncode == 2 and "YAML aliases expand past" in run.stderr, run.stderr


def test_ordinary_yaml_aliases_still_load(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("ok: &ok {description: OK}\nr:\n  '200': *ok\n  '201': *ok\nbase: &base {a: 1}\n"
                    "merged: {<<: *base, b: 2}\n")
    doc = read_document(spec)
    assert doc["r"]["200"] == {"description": "OK"} and doc["merged"] == {"a": 1, "b": 2}


def test_yaml_keys_stay_strings(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("7: seven\n2024-01-01: day\n200: {description: OK}\ntrue: yes\nnull: x\n1.5: f\nwhen: 2024-01-01\n")
    doc = read_document(spec)
    assert list(doc) == ["7", "2024-01-01", "200", "true", "null", "1.5", "when"]
    assert doc["200"] == {"description": "OK"}


def test_a_recursive_yaml_alias_is_refused(tmp_path: Path) -> None:
    spec = tmp_path / "loop.yaml"
    spec.write_text("a: &a\n  - [*a]\n")
    with pytest.raises(InputError, match="recursive"):
        read_document(spec)


@pytest.mark.parametrize("name", ["deep.json", "deep.yaml"])
def test_a_deeply_nested_spec_is_refused(name: str, tmp_path: Path) -> None:
    spec = tmp_path / name
    spec.write_text("{a: " * 5000 + "{}" + "}" * 5000 if name.endswith("yaml") else '{"a":' * 5000 + "{}" + "}" * 5000)
    with pytest.raises(InputError, match=rf"{name}: nested too deeply"):
        read_document(spec)


def test_check_reads_a_spec_with_integer_and_date_property_names(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from specbuild.cli.app import main

    spec = tmp_path / "spec.yaml"
    spec.write_text("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /v1/pets:\n    get:\n"
                    "      responses:\n        200:\n          description: OK\n          content:\n"
                    "            application/json:\n              schema:\n                type: array\n"
                    "                items:\n                  properties:\n                    7: {type: string}\n"
                    "                    2024-01-01: {type: string}\n")
    traffic = Path(__file__).resolve().parent.parent / "fixtures" / "drift" / "control.jsonl"
    with pytest.raises(SystemExit) as done:
        main(["check", "--spec", str(spec), "-i", str(traffic)])
    _, err = capsys.readouterr()
    assert done.value.code in (0, 1), err


def test_stale_temps_of_a_killed_write_are_removed_and_nothing_else(tmp_path: Path) -> None:
    stale = tmp_path / ".openapi.json.ab3_x9qz.tmp"      # what a kill in _write leaves
    stale.write_bytes(b"x" * 1000)
    keep = [tmp_path / ".openapi.json.tmp", tmp_path / "notes.ab3_x9qz.tmp", tmp_path / "openapi.json",
            tmp_path / ".openapi.json.ab3_x9qz.tmp.bak"]
    for p in keep:
        p.write_bytes(b"mine")
    fresh = tmp_path / ".openapi.json.zzzzzzzz.tmp"     # another run's write under way
    old = time.time() - 60
    for p in (stale, *keep):
        os.utime(p, (old, old))
    fresh.write_bytes(b"y")
    started = time.time() - 1
    os.utime(fresh, (started + 0.5, started + 0.5))
    assert remove_stale_temps(tmp_path, started) == [stale]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in (*keep, fresh))
    assert remove_stale_temps(tmp_path / "missing", started) == []


@pytest.mark.parametrize("zipped", [False, True], ids=["plain", "gzip"])
def test_lines_say_how_far_into_the_file_they_are(tmp_path: Path, zipped: bool) -> None:
    """For a percentage: bytes of the file as it is on disk (of a .gz, the compressed ones: the only size
    known before it is read)."""
    text = b"".join(b'{"n": "%s"}\n' % os.urandom(48).hex().encode() for _ in range(60_000))  # ~6 MB, little to gain
    path = tmp_path / ("rec.jsonl.gz" if zipped else "rec.jsonl")
    path.write_bytes(gzip.compress(text, 1) if zipped else text)
    lines = Lines(str(path))
    assert lines.size == path.stat().st_size and lines.position() == 0
    seen = []
    for i, (line, origin) in enumerate(lines, 1):
        if i % 10_000 == 5_000:
            seen.append(lines.position())
        assert origin == f"{path.name}:{i}" and line.endswith(b"\n")
    assert i == 60_000 and lines.position() == lines.size
    assert seen == sorted(seen) and 0 < seen[0] < seen[-1] < lines.size, seen


def test_a_write_in_two_halves_leaves_the_target_whole_until_the_second(tmp_path: Path) -> None:
    """write_temp (another process may call it) then put_in_place: until the rename the target keeps its old
    bytes; the temporary file is one remove_stale_temps would clear were the run killed between."""
    target = tmp_path / "state.json"
    target.write_bytes(b"old")
    tmp = write_temp(target, b"new", private=True)
    assert target.read_bytes() == b"old" and tmp.parent == tmp_path and tmp.read_bytes() == b"new"
    assert stat.S_IMODE(tmp.stat().st_mode) == 0o600
    os.utime(tmp, (0, 0))
    assert remove_stale_temps(tmp_path, time.time()) == [tmp]
    tmp = write_temp(target, b"new")
    put_in_place(tmp, target)
    assert target.read_bytes() == b"new" and not tmp.exists()
    with pytest.raises(OSError):
        put_in_place(tmp_path / "gone.tmp", tmp_path / "missing" / "state.json")
