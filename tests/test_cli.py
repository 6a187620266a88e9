"""The command line as a user meets it: exit codes, messages, files written."""

from __future__ import annotations

import gc
import gzip
import importlib
import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from specbuild.io.validate import spec_problems
from tests.helpers import FIXTURES, ROOT, children, gone, small_records

USERS = FIXTURES / "users.jsonl"
MESSY = FIXTURES / "messy.jsonl"


def specbuild(*args: str, stdin: bytes | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("SPECBUILD_SOURCE", None)
    # no stdin given: /dev/null, as a terminal user or a service has (a pipe would be read as the records)
    feed: dict[str, Any] = {"input": stdin.decode()} if stdin is not None else {"stdin": subprocess.DEVNULL}
    return subprocess.run([sys.executable, "-m", "specbuild", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=120, **feed)


def test_build_from_file_writes_valid_spec(tmp_path: Path) -> None:
    out = tmp_path / "my_spec"
    r = specbuild("-i", str(USERS), "-o", str(out))
    assert r.returncode == 0, r.stderr
    doc = json.loads((out / "openapi.json").read_text())
    assert spec_problems(doc) == []
    assert "/users/{userId}" in doc["paths"]
    assert "144 records read, 144 learned, 0 skipped" in r.stderr
    assert "records/s" in r.stderr
    assert r.stdout == ""
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == [".specbuild.lock"]  # no temp files


def test_build_subcommand_stdin_gzip_and_yaml_agree(tmp_path: Path) -> None:
    gz = tmp_path / "rec.jsonl.gz"
    gz.write_bytes(gzip.compress(USERS.read_bytes()))
    a = specbuild("build", "--source", "file", "-i", "-", "-o", str(tmp_path / "a"), stdin=USERS.read_bytes())
    b = specbuild("build", "-i", str(gz), "-o", str(tmp_path / "b"))
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    assert (tmp_path / "a" / "openapi.json").read_bytes() == (tmp_path / "b" / "openapi.json").read_bytes()
    y = specbuild("build", "-i", str(USERS), "-o", str(tmp_path / "y"), "--format", "yaml")
    assert y.returncode == 0, y.stderr
    assert (tmp_path / "y" / "openapi.yaml").read_text().startswith("openapi: 3.0.3\ninfo:\n")


def test_messy_input_is_skipped_counted_and_located(tmp_path: Path) -> None:
    r = specbuild("-i", str(MESSY), "-o", str(tmp_path), "--max-body-bytes", "10000")
    assert r.returncode == 0, r.stderr
    assert "warning: messy.jsonl:11: not a JSON record" in r.stderr
    assert "no-response: 1" in r.stderr and "bad-json-body" not in r.stderr
    # a body declared JSON that is not: the record is learned, its body left out, and the summary says where
    assert ("1 record had a body that could not be read as its declared type (operation and status "
            "learned, body left out); the first: messy.jsonl:25: response body is declared application/json"
            in r.stderr)
    assert "not-json: 2" in r.stderr
    assert ("1 record had a body over --max-body-bytes or cut by its recorder (operation and status learned, body "
            "not parsed); the first: "
            "messy.jsonl:19: response body of 20,036 characters is over --max-body-bytes 10,000" in r.stderr)
    assert "Traceback" not in r.stderr
    doc = json.loads((tmp_path / "openapi.json").read_text())
    assert "/users/me" in doc["paths"]


def test_strict_stops_at_first_bad_record(tmp_path: Path) -> None:
    r = specbuild("-i", str(MESSY), "-o", str(tmp_path), "--strict")
    assert r.returncode == 2
    assert r.stderr.startswith("Error: messy.jsonl:11: not a JSON record")
    assert not (tmp_path / "openapi.json").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-i", "no/such/file.jsonl"], "Error: no/such/file.jsonl: no such file"),
        (["--source", "file"], "Error: --source file needs -i FILE"),
        (["-i", "x", "--openapi", "2.0"], "Invalid value for '--openapi'"),
        # written as given, a servers[0].url no client could use (trial24)
        (["-i", "x", "--server-url", "api.example.com"], "'api.example.com': give an absolute URL"),
        (["-i", "x", "--server-url", "https://api example.com"], "give an absolute URL"),
    ],
)
def test_usage_errors_exit_2_without_traceback(tmp_path: Path, args: list[str], message: str) -> None:
    r = specbuild(*args, "-o", str(tmp_path))
    assert r.returncode == 2
    assert message in r.stderr
    assert "Traceback" not in r.stderr


def test_a_body_its_recorder_cut_is_said_so_not_blamed_on_max_body_bytes(tmp_path: Path) -> None:
    # the summary said every unparsed body was "over --max-body-bytes", a limit the user never set (trial24)
    rec = {"request": {"method": "GET", "path": "/files/1", "headers": {}},
           "response": {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": '{"a": 1, "b',
                        "bodyTruncated": True}}
    src = tmp_path / "cut.jsonl"
    src.write_text(json.dumps(rec) + "\n")
    r = specbuild("-i", str(src), "-o", str(tmp_path / "out"))
    assert r.returncode == 0, r.stderr
    assert ("1 record had a body over --max-body-bytes or cut by its recorder (operation and status learned, body "
            "not parsed); the first: cut.jsonl:1: response body was cut by its recorder (bodyTruncated)") in r.stderr


def test_invalid_existing_spec_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "old.json"
    bad.write_text(json.dumps({"swagger": "2.0", "info": {}, "paths": {}}))
    r = specbuild("-i", str(USERS), "-o", str(tmp_path), "--spec", str(bad))
    assert r.returncode == 2
    assert "not an OpenAPI 3 document (swagger 2.0)" in r.stderr


def test_spec_keeps_what_a_person_wrote(tmp_path: Path) -> None:
    first = specbuild("-i", str(USERS), "-o", str(tmp_path))
    assert first.returncode == 0
    doc = json.loads((tmp_path / "openapi.json").read_text())
    doc["info"]["title"] = "Users API"
    item = doc["paths"].pop("/users/{userId}")
    for op in item.values():
        for p in op.get("parameters", []):
            if p["in"] == "path":
                p["name"] = "id"
    item["get"]["summary"] = "Fetch one user"
    doc["paths"]["/users/{id}"] = item
    (tmp_path / "openapi.json").write_text(json.dumps(doc))
    again = specbuild("-i", str(USERS), "-o", str(tmp_path), "--spec", str(tmp_path / "openapi.json"))
    assert again.returncode == 0, again.stderr
    merged = json.loads((tmp_path / "openapi.json").read_text())
    assert merged["info"]["title"] == "Users API"
    assert merged["paths"]["/users/{id}"]["get"]["summary"] == "Fetch one user"
    assert "/users/{userId}" not in merged["paths"]


def test_version_and_help() -> None:
    assert specbuild("--version").stdout.startswith("specbuild ")
    h = specbuild("--help")
    assert h.returncode == 0 and "build" in h.stdout
    hb = specbuild("build", "--help")
    assert "--path-template" in hb.stdout


def test_output_to_stdout() -> None:
    r = specbuild("-i", str(USERS), "-o", "-", "-q")
    assert r.returncode == 0
    assert json.loads(r.stdout)["openapi"] == "3.0.3"
    assert r.stderr == ""


def test_a_ctrl_c_while_the_program_loads_is_an_interruption_not_a_traceback() -> None:
    """The entry point (``specbuild._entry.run``) loads the program itself: a Ctrl-C in that sixth of a
    second (here: raised when ``specbuild.cli.app`` is looked for) ends as a stop before any write does."""
    program = ("import sys\n"
               "class Ctrl_C:\n"
               "    def find_spec(self, name, path=None, target=None):\n"
               "        if name == 'specbuild.cli.app':\n"
               "            raise KeyboardInterrupt\n"
               "sys.meta_path.insert(0, Ctrl_C())\n"
               "from specbuild._entry import run\n"
               "run()\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-c", program, "-i", str(USERS), "-o", "-"], capture_output=True,
                       text=True, env=env, timeout=120, stdin=subprocess.DEVNULL)
    assert (r.returncode, r.stderr, r.stdout) == (130, "Interrupted: nothing was written.\n", "")


def test_the_entry_point_is_reached_before_the_program_loads() -> None:
    """``import specbuild`` (which every ``specbuild.*`` import runs first) loads no learner, typer or rich:
    the entry point's guard is in place for nearly all of the start-up; the package API still answers."""
    code = ("import sys, specbuild._entry\n"
            "heavy = [m for m in ('specbuild.learn.builder', 'specbuild.cli.app', 'typer', 'rich')\n"
            "         if m in sys.modules]\n"
            "assert not heavy, heavy\n"
            "from specbuild import SpecBuilder, build_spec, decode, RenderOptions, render\n"
            "assert SpecBuilder.__module__ == 'specbuild.learn.builder'\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr


def test_the_program_ends_at_once_after_its_exit_handlers_with_its_output_flushed(tmp_path: Path) -> None:
    """``python -m specbuild`` (cli.app.run) skips the interpreter's teardown, where freeing a group member's
    builders took 0.4-0.9 s: exit handlers run (the recorders flush there), objects are not freed."""
    program = ("import atexit, sys\nfrom specbuild.cli.app import run\n"
               "class Freed:\n    def __del__(self) -> None:\n        print('freed', file=sys.stderr)\n"
               "kept = Freed()\natexit.register(lambda: print('exit handler', file=sys.stderr))\n"
               "sys.argv[0] = 'specbuild'\nrun()\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-c", program, "-i", str(USERS), "-o", "-", "-q"], capture_output=True,
                       text=True, env=env, timeout=120, stdin=subprocess.DEVNULL)
    assert (r.returncode, r.stderr) == (0, "exit handler\n")
    assert r.stdout == specbuild("-i", str(USERS), "-o", "-", "-q").stdout and json.loads(r.stdout)["paths"]
    r = subprocess.run([sys.executable, "-c", program, "-i", str(tmp_path / "none.jsonl")], capture_output=True,
                       text=True, env=env, timeout=120, stdin=subprocess.DEVNULL)
    assert r.returncode == 2 and r.stderr.startswith("Error: ") and r.stderr.endswith("exit handler\n")


def test_build_check_reports_the_diff_and_fails_on_threshold(tmp_path: Path) -> None:
    same = specbuild("-i", str(USERS), "-o", str(tmp_path / "a"), "-q", "--check", str(FIXTURES / "users.openapi.json"))
    assert same.returncode == 0, same.stderr
    assert "no changes" in same.stdout
    old = json.loads((FIXTURES / "users.openapi.json").read_text())
    del old["paths"]["/users/{userId}"]["get"]["responses"]["404"]
    (tmp_path / "old.json").write_text(json.dumps(old))
    drifted = specbuild("-i", str(USERS), "-o", str(tmp_path / "b"), "-q", "--check", str(tmp_path / "old.json"),
                        "--fail-on", "info", "--check-format", "json")
    assert drifted.returncode == 1, drifted.stderr
    report = json.loads(drifted.stdout)
    assert "response-client-error-added" in json.dumps(report)
    assert (tmp_path / "b" / "openapi.json").exists()  # the learned spec is written either way


def test_build_check_takes_the_ignore_file_of_check_and_diff(tmp_path: Path) -> None:
    """trial25: a team's accepted drift (`diff --ignore`) could not be given to `build --check`: `--ignore`
    was 'No such option' (the hint offered --source), so the gate failed on drift the team had accepted."""
    old = json.loads((FIXTURES / "users.openapi.json").read_text())
    del old["paths"]["/users/{userId}"]["get"]["responses"]["404"]
    (tmp_path / "old.json").write_text(json.dumps(old))
    (tmp_path / "drift.ignore").write_text("GET /users/{id} response-client-error-added  # 404s ship in v2\n"
                                           "GET /nothing response-status-added  # stale\n")
    args = ["-i", str(USERS), "-q", "--check", str(tmp_path / "old.json"), "--fail-on", "warning"]
    assert specbuild(*args, "-o", str(tmp_path / "a")).returncode == 1
    accepted = specbuild(*args, "-o", str(tmp_path / "b"), "--ignore", str(tmp_path / "drift.ignore"))
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "1 ignored" in accepted.stdout and "drift.ignore:2 matched nothing" in accepted.stdout
    # read before learning, as the committed spec is; and only with --check
    (tmp_path / "bad.ignore").write_text("GET /users response-client-error-added\n")
    bad = specbuild(*args, "-o", str(tmp_path / "c"), "--ignore", str(tmp_path / "bad.ignore"))
    assert bad.returncode == 2 and "bad.ignore:1: the rule has no reason" in bad.stderr, bad.stderr
    assert not (tmp_path / "c" / "openapi.json").exists()
    alone = specbuild("-i", str(USERS), "-o", str(tmp_path / "d"), "--ignore", str(tmp_path / "drift.ignore"))
    assert alone.returncode == 2 and "Error: --ignore is for --check" in alone.stderr, alone.stderr


@pytest.mark.parametrize("option", [["--fail-on", "warning"], ["--check-format", "json"]])
def test_build_check_options_without_check_are_refused(option: list[str], tmp_path: Path) -> None:
    """trial25: `specbuild -i rec.jsonl -o out --fail-on warning` (a gate, its author thought) learned, wrote
    and exited 0 whatever the traffic: without --check there is nothing to fail on."""
    r = specbuild("-i", str(USERS), "-o", str(tmp_path / "out"), *option)
    assert r.returncode == 2 and r.stderr.startswith(f"Error: {option[0]} is for --check"), r.stderr
    assert not (tmp_path / "out" / "openapi.json").exists()


def test_build_check_refuses_a_missing_or_invalid_committed_spec_before_learning(tmp_path: Path) -> None:
    # the committed spec was read only after the build: a long replay learned and wrote its spec, then
    # said "no such file" (trial24); a mistyped --check is a bad option, said before any record is read
    (tmp_path / "bad.json").write_text('{"openapi": "3.0.3"}')
    for committed, message in [(tmp_path / "nope.json", "nope.json: no such file"),
                               (tmp_path / "bad.json", "bad.json")]:
        out = tmp_path / committed.stem
        r = specbuild("-i", str(USERS), "-o", str(out), "--check", str(committed))
        assert r.returncode == 2, r.stderr
        assert r.stderr.startswith("Error: ") and message in r.stderr.splitlines()[0], r.stderr
        assert "records read" not in r.stderr and not (out / "openapi.json").exists(), r.stderr


def test_binary_utf16_and_jsonl_given_as_a_spec_are_named_for_what_they_are(tmp_path: Path) -> None:
    # random bytes and a UTF-16 export (PowerShell's `>`) were both "text, not recordings", and recordings
    # given as a spec were "neither JSON nor YAML (expected '<document start>', but found '{')" (trial24)
    (tmp_path / "bin.dat").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "utf16.jsonl").write_bytes(USERS.read_text().encode("utf-16"))
    for name, said in [("bin.dat", "binary data"), ("utf16.jsonl", "UTF-16 text")]:
        r = specbuild("-i", str(tmp_path / name), "-o", str(tmp_path / "out"))
        assert r.returncode == 2 and r.stderr.startswith(f"Error: {name} is {said}, not recordings"), \
            r.stderr
    assert "UTF-8" in r.stderr
    for args in (["check", "--spec", str(USERS), "-i", str(USERS)], ["diff", str(USERS), str(USERS)],
                 ["-i", str(USERS), "-o", str(tmp_path / "o"), "--spec", str(USERS)]):
        r = specbuild(*args)
        assert r.returncode == 2, r.stderr
        assert r.stderr.startswith(f"Error: {USERS}: JSON lines (recordings?), not one JSON or YAML document\n"
                                   "  hint: "), r.stderr


def test_the_readme_names_every_environment_variable_the_options_read_and_no_other() -> None:
    # the README said "Each option also reads a SPECBUILD_* environment variable": 13 of them do, and a user
    # who set SPECBUILD_UNTIL_END=1 followed forever (trial24)
    read = set(re.findall(r'envvar="(SPECBUILD_[A-Z_]+)"', "".join(
        p.read_text() for p in sorted((ROOT / "specbuild" / "cli").glob("*.py")))))
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("### Environment variables"):]
    section = section[:section.index("\n#")]
    assert set(re.findall(r"`(SPECBUILD_[A-Z_]+)`", section)) == read


def test_reset_state_that_cannot_remove_the_saved_state_says_so(tmp_path: Path) -> None:
    # --reset-state in a folder whose state cannot be removed (a folder made read-only for the follower's user;
    # here a directory in its place, as root may remove any file) was an internal error, exit 70 (trial24)
    (tmp_path / "out" / ".specbuild-state.json" / "x").mkdir(parents=True)
    r = specbuild("-b", "127.0.0.1:1", "-o", str(tmp_path / "out"), "--reset-state")
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith(f"Error: {tmp_path / 'out' / '.specbuild-state.json'}: cannot remove the saved "
                               "state (Is a directory)\n  hint: "), r.stderr


def test_empty_input_bom_and_unwritable_output(tmp_path: Path) -> None:
    empty = specbuild("-i", "-", "-o", str(tmp_path / "e"), stdin=b"")
    assert (empty.returncode, empty.stderr) == (2, "Error: nothing learned: stdin holds no records\n")
    assert not (tmp_path / "e" / "openapi.json").exists()  # no spec of no paths that would pass for a result
    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(b'\xef\xbb\xbf{"request":{"method":"get","path":"/a"},"response":{"statusCode":200}}\r\n')
    r = specbuild("-i", str(bom), "-o", str(tmp_path / "b"))
    assert r.returncode == 0 and "1 learned" in r.stderr
    blocked = tmp_path / "file"
    blocked.write_text("")
    w = specbuild("-i", str(USERS), "-o", str(blocked / "sub"))
    assert w.returncode == 2
    assert w.stderr.startswith(f"Error: {blocked}/sub: cannot use as the output folder ({blocked} is a file)\n"
                               "  hint: -o names a folder"), w.stderr
    f = specbuild("-i", str(USERS), "-o", str(blocked))  # said "(File exists)": a user who meant -o spec.json
    assert f.returncode == 2 and f.stderr.startswith(f"Error: {blocked}: cannot use as the output folder ({blocked} "
                                                     "is a file)\n  hint: -o names a folder"), f.stderr


def test_build_loads_no_other_command(tmp_path: Path) -> None:
    """`specbuild build` (and plain `specbuild`) does not load the drift checker: start-up time; the help
    still lists every command."""
    code = ("import sys\nfrom specbuild import cli\ntry:\n    cli.main(sys.argv[1:])\nexcept SystemExit as e:\n"
            "    assert not e.code, e.code\nassert 'specbuild.cli.drift' not in sys.modules\n"
            "assert 'specbuild.cli.produce' not in sys.modules\n")
    users = str(FIXTURES / "users.jsonl")
    subprocess.run([sys.executable, "-c", code, "-i", users, "-o", str(tmp_path / "a"), "-q"], check=True)
    subprocess.run([sys.executable, "-c", code, "build", "-i", users, "-o", str(tmp_path / "b"), "-q"],
                   check=True)
    out = subprocess.run([sys.executable, "-m", "specbuild", "--help"], check=True, capture_output=True,
                         text=True, env={**os.environ, "COLUMNS": "200"}).stdout
    assert all(name in out for name in ("build", "check", "diff", "produce"))


def help_entries(command: str) -> dict[str, str]:
    """``specbuild COMMAND --help`` as {long flag: its lines joined}; one layout for every command."""
    text = subprocess.run([sys.executable, "-m", "specbuild", command, "--help"], check=True, capture_output=True,
                          text=True, cwd=ROOT, env={**os.environ, "COLUMNS": "200", "PYTHONPATH": str(ROOT)}).stdout
    entries: dict[str, str] = {}
    flag = ""
    for line in text.splitlines():
        if not line.startswith(" "):  # a section's heading: Options, Kafka source, Examples...
            flag = ""
        elif line.startswith("  -"):
            flags = [word.rstrip(",") for word in line.split() if word.startswith("-")]
            flag = next((f for f in flags if f.startswith("--")), flags[0])
            entries[flag] = " ".join(line.split())
        elif flag and line.strip():
            entries[flag] += " " + " ".join(line.split())
    return entries


def help_sections(command: str) -> dict[str, str]:
    """``specbuild COMMAND --help`` as {section heading: its text}, the usage line under "Usage"."""
    text = specbuild(command, "--help").stdout
    sections: dict[str, str] = {}
    heading = ""
    for line in text.splitlines():
        if line.startswith("Usage:"):
            heading, line = "Usage", line.removeprefix("Usage:")
        elif line and not line.startswith(" "):
            heading, line = line.rstrip(":"), ""
        sections[heading] = sections.get(heading, "") + line + "\n"
    return sections


@pytest.mark.parametrize(("command", "groups"), [
    ("build", ["Options", "Output", "Drift (--check)", "Learning", "Kafka source", "Filters", "Examples"]),
    ("check", ["Options", "Report", "Kafka source", "Filters", "Examples"]),
    ("diff", ["Arguments", "Options", "Examples"]),
    ("produce", ["Options", "Examples"]),
    ("record", ["Options", "Redaction (on by default)", "Filters", "Kafka sink (-o kafka://HOST:PORT/TOPIC)",
                "Examples"]),
    ("render", ["Options", "Kafka source", "Output", "Learning", "Examples"]),
])
def test_help_groups_the_options_names_placeholders_and_shows_examples(command: str, groups: list[str]) -> None:
    """The help teaches: options in their groups, placeholders that say what goes there, examples to copy."""
    sections = help_sections(command)
    assert [name for name in sections if name not in ("", "Usage")] == groups
    text = "".join(sections.values())
    assert not re.search(r"<[a-z][^>]*>|\[x[<>]=", text), text  # no <str>, <list[str]>, <int range>, [x>=1]
    examples = [line.split("specbuild ", 1)[1].split() for line in sections["Examples"].splitlines() if line.strip()]
    assert 2 <= len(examples) <= 4
    if command != "build":  # plain `specbuild -i ...` is a build
        assert all(e[0] == command for e in examples)


def test_help_placeholders_say_what_goes_there() -> None:
    build, check, diff = help_entries("build"), help_entries("check"), help_sections("diff")
    for flag, shown in [("--input", "-i, --input FILE"), ("--output", "-o, --output DIR"),
                        ("--bootstrap-servers", "-b, --bootstrap-servers HOST:PORT"), ("--jobs", "-j, --jobs N"),
                        ("--max-body-bytes", "--max-body-bytes BYTES"), ("--path-template", "--path-template TEMPLATE"),
                        ("--include-header", "--include-header GLOB"), ("--fail-on", "--fail-on SEVERITY"),
                        ("--topic", "-t, --topic TOPIC"), ("--until-end", "-e, --until-end")]:
        assert build[flag].startswith(shown), build[flag]
    assert check["--output"].startswith("-o, --output FILE") and check["--spec"].startswith("--spec FILE")
    assert diff["Usage"].splitlines()[0].split() == ["specbuild", "diff", "[OPTIONS]", "BASE", "HEAD"]


def test_a_usage_error_is_one_error_line_and_a_hint() -> None:
    for args in (["build", "--nosuch"], ["diff", "a.json"], ["check"], ["build", "--openapi", "2.0"],
                 ["build", "--jobs", "-3"]):
        r = specbuild(*args)
        lines = r.stderr.splitlines()
        assert r.returncode == 2 and len(lines) == 2, r.stderr
        assert lines[0].startswith("Error: ") and lines[1].startswith(f"  hint: 'specbuild {args[0]} -h'")


# a check neither checkpoints, renders a group's spec nor keeps bad records: no state to reset or keep in a topic
FOLLOWER_ONLY = {"--checkpoint-interval", "--dead-letter", "--render-interval", "--reset-state", "--state",
                 "--state-topic"}


def test_build_and_check_show_the_same_kafka_options() -> None:
    import typer.main

    from specbuild.cli.app import _register_optional_commands, app
    from specbuild.cli.options import PANEL_KAFKA

    _register_optional_commands(["check"])
    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    kafka = {name: {max(p.opts, key=len): p for p in commands[name].params
                    if getattr(p, "rich_help_panel", None) == PANEL_KAFKA} for name in ("build", "check")}
    assert set(kafka["build"]) - set(kafka["check"]) == FOLLOWER_ONLY
    assert set(kafka["check"]) <= set(kafka["build"])
    shared = sorted(kafka["check"])
    assert set(shared) == {"--bootstrap-servers", "--topic", "--group-id", "--from-beginning", "--offset-reset",
                           "-X", "--kafka-config", "--until-end", "--max-records", "--idle-timeout",
                           "--start-offset", "--start-time", "--partition"}
    build, check = help_entries("build"), help_entries("check")
    for flag in shared:  # compared without white space: click wraps at 80 columns, and at hyphens
        shown = "".join(build[flag].split())
        if flag == "--group-id":  # each command has its own default group; a check reads no env var
            assert "envvar:SPECBUILD_GROUP_ID;default:specbuild]" in shown
            assert "SPECBUILD_GROUP_ID" not in check[flag]
            shown = shown.replace("envvar:SPECBUILD_GROUP_ID;default:specbuild]", "default:specbuild-check]")
        assert shown == "".join(check[flag].split()), flag


def test_traceback_is_shown_only_when_asked_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """--traceback reaches main()'s error handlers through the context, and one run's flag does not leak into
    the next (there is no global state to reset)."""
    cli_app = importlib.import_module("specbuild.cli.app")  # the module (specbuild.cli.app is the Typer)

    def bug(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(cli_app, "_build_from_file", bug)
    for flags, shown in ((["--traceback"], True), ([], False), (["--traceback"], True)):
        with pytest.raises(SystemExit) as done:
            cli_app.main(["-i", str(USERS), "-o", str(tmp_path), *flags])
        err = capsys.readouterr().err
        assert done.value.code == 70
        assert ("Traceback (most recent call last)" in err) is shown, err
        assert ("Internal error (a bug in specbuild): RuntimeError: boom" in err) is not shown
    r = specbuild("-i", "no/such/file.jsonl", "-o", str(tmp_path), "--traceback")
    assert r.returncode == 2 and "Error: no/such/file.jsonl: no such file" in r.stderr and "Traceback" in r.stderr


def test_a_file_build_runs_held_from_the_fold_to_the_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file build is one run, then the process ends: the collector does not walk its builder or its document
    (collector.held; before, resumed between the fold, the render and the validation, it walked them each
    time), and is running again after."""
    cli_app = importlib.import_module("specbuild.cli.app")
    seen: list[bool] = []
    build_serialised, write_document = cli_app.build_serialised, cli_app.write_document

    def rendered(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return build_serialised(*args, **kwargs)

    def written(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return write_document(*args, **kwargs)

    monkeypatch.setattr(cli_app, "build_serialised", rendered)
    monkeypatch.setattr(cli_app, "write_document", written)
    try:
        with pytest.raises(SystemExit) as done:
            cli_app.main(["-q", "-i", str(USERS), "-o", str(tmp_path)])
        assert done.value.code == 0 and seen == [False, False] and gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()
    assert (tmp_path / "openapi.json").exists()


def test_a_spec_path_with_two_parameters_in_one_segment_builds(tmp_path: Path) -> None:
    # /compare/{base}...{head} is valid OpenAPI; it is no whole-segment template, so it is kept, not templated
    spec = tmp_path / "openapi.yaml"
    spec.write_text("""openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /compare/{base}...{head}:
    get:
      parameters:
        - {name: base, in: path, required: true, schema: {type: string}}
        - {name: head, in: path, required: true, schema: {type: string}}
      responses:
        200: {description: ok}
""")
    out = tmp_path / "out"
    r = specbuild("-i", str(USERS), "-o", str(out), "--spec", str(spec))
    assert r.returncode == 0, r.stderr
    doc = json.loads((out / "openapi.json").read_text())
    assert doc["paths"]["/compare/{base}...{head}"]["get"]["responses"]["200"]["description"] == "ok"
    assert "/users/{userId}" in doc["paths"] and spec_problems(doc) == []
    assert "/compare/{base}...{head}" in r.stderr and "not used to template" in r.stderr


def test_a_build_neither_overwrites_a_followers_folder_nor_keeps_a_killed_writes_temp(tmp_path: Path) -> None:
    from specbuild.kafka.checkpoint import locked

    out = tmp_path / "out"
    out.mkdir()
    (out / "openapi.json").write_text("the follower's spec")
    stale = out / ".openapi.json.k1ll3d_x.tmp"
    stale.write_text("half a spec")
    os.utime(stale, (1, 1))
    with locked(out):  # a follower holds the folder
        r = specbuild("-i", str(USERS), "-o", str(out))
    assert r.returncode == 2 and "already building or following into this folder" in r.stderr, r.stderr
    assert (out / "openapi.json").read_text() == "the follower's spec"
    ok = specbuild("-i", str(USERS), "-o", str(out))
    assert ok.returncode == 0, ok.stderr
    assert not stale.exists()


def test_a_build_says_when_invented_parameter_names_were_left_out(tmp_path: Path) -> None:
    wide = tmp_path / "wide.jsonl"
    query = "&".join(f"q{i}=1" for i in range(1000))
    wide.write_text(json.dumps({"request": {"method": "get", "path": f"/w?{query}"},
                                "response": {"statusCode": 200}}) + "\n")
    r = specbuild("-i", str(wide), "-o", str(tmp_path / "out"))
    assert r.returncode == 0, r.stderr
    assert "1 operation(s) saw more than 128 query parameter or header names" in r.stderr
    op = json.loads((tmp_path / "out" / "openapi.json").read_text())["paths"]["/w"]["get"]
    assert len(op["parameters"]) <= 128 and op["x-specbuild-more-query-parameters"] is True


def test_a_spec_to_extend_from_stdin_is_refused(tmp_path: Path) -> None:
    """``build --spec -`` looked for a file called '-' and, finding none, said the spec 'does not exist
    yet' and learned from the traffic alone: the piped spec, with what a person wrote in it, was lost."""
    spec = specbuild("-i", str(USERS), "-o", "-", "-q").stdout.encode()
    for command, source in (("build", ("-i", str(USERS))), ("render", ("--state-topic", "g.specbuild-state"))):
        r = specbuild(command, "--spec", "-", *source, "-o", str(tmp_path / command), stdin=spec)
        assert r.returncode == 2 and "--spec -: give the spec to extend as a file" in r.stderr, r.stderr
        assert not (tmp_path / command).exists()


def test_a_pipe_on_stdin_is_the_file_source(tmp_path: Path) -> None:
    """`cat rec.jsonl | specbuild -o x` reads the pipe (it used to try Kafka and fail after 9 s)."""
    r = specbuild("-o", str(tmp_path / "x"), stdin=USERS.read_bytes())
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "x" / "openapi.json").read_bytes() == (FIXTURES / "users.openapi.json").read_bytes()


@pytest.mark.parametrize("args", [["--max-body-bytes", "-1"], ["--jobs", "-3"], ["-X", "foo=bar"],
                                  ["--kafka-config", "kafka.properties"], ["-e"], ["--dead-letter", "bad.jsonl"],
                                  ["--start-offset", "5"], ["-p", "1"], ["--reset-state"], ["--max-records", "9"]])
def test_options_that_mean_nothing_here_are_refused(args: list[str], tmp_path: Path) -> None:
    r = specbuild("-i", str(USERS), "-o", str(tmp_path / "x"), *args)
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert "Internal error" not in r.stderr and not (tmp_path / "x" / "openapi.json").exists()


@pytest.mark.parametrize(("word", "hint"), [("chek", "did you mean 'specbuild check'?"),
                                            (str(USERS), f"specbuild -i {USERS} -o FOLDER"),
                                            ("frobnicate", "the commands are build, check, diff, produce")])
def test_a_word_that_is_no_command_says_which_was_meant(word: str, hint: str) -> None:
    r = specbuild(word, "--spec", "x.json")
    assert r.returncode == 2 and f"Error: no command {word!r}" in r.stderr and hint in r.stderr, r.stderr


# --- progress and Ctrl-C, as a user at a terminal meets them ----------------------------------------------

def _run_env(**env: str) -> dict[str, str]:
    out = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    out.pop("SPECBUILD_SOURCE", None)
    return out


def _on_a_terminal(*args: str, **env: str) -> tuple[int, list[str]]:
    """Run specbuild with stdout and stderr on a pseudo-terminal: its exit code and every line it drew there
    (each redraw of the live line is one), escape codes removed."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "specbuild", *args], stdin=subprocess.DEVNULL, stdout=slave,
                            stderr=slave, cwd=ROOT, env=_run_env(**env))
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            if select.select([master], [], [], 1.0)[0]:
                try:
                    chunk = os.read(master, 1 << 16)
                except OSError:  # EIO: the process has ended, and the terminal with it
                    break
                if not chunk:
                    break
                seen += chunk
        code = proc.wait(timeout=10)
    finally:
        proc.kill()
        os.close(master)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", seen.decode())
    return code, [line for line in re.split(r"[\r\n]+", text) if line.strip()]


def test_progress_on_a_terminal_counts_every_worker_and_shows_phase_percent_and_eta(tmp_path: Path) -> None:
    """It showed '0 records, 0/s' for the whole run with -j 2, no percent, no ETA, no phase."""
    big = tmp_path / "big.jsonl"
    total = small_records(big, 32)
    code, lines = _on_a_terminal("-i", str(big), "-o", str(tmp_path / "out"), "-j", "2", SPECBUILD_PURE="1")
    assert code == 0, lines
    reading = [m for line in lines
               if (m := re.fullmatch(r"specbuild: reading (\d+)%, ETA (\S+), ([\d,]+) records, ([\d,]+)/s, "
                                     r"2 processes", line))]
    assert reading, lines
    percents = [int(m[1]) for m in reading]
    records = [int(m[3].replace(",", "")) for m in reading]
    assert percents == sorted(percents) and records == sorted(records)
    # past half the records: the worker's shard is counted, not only this process's own
    assert max(records) > total // 2 and max(percents) > 50, lines
    assert any(re.fullmatch(r"\d+:\d\d", m[2]) and int(m[4].replace(",", "")) > 0 for m in reading), lines
    for phase in ("rendering", "validating", "writing"):
        assert f"specbuild: {phase}, {total:,} records read" in lines
    assert f"specbuild: {total:,} records read, {total:,} learned, 0 skipped" in lines


def test_a_pipe_gets_no_progress_only_the_summary(tmp_path: Path) -> None:
    big = tmp_path / "big.jsonl"
    total = small_records(big, 12)
    r = subprocess.run([sys.executable, "-m", "specbuild", "-i", str(big), "-o", str(tmp_path / "out"), "-j", "2"],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, cwd=ROOT, env=_run_env(), timeout=120)
    assert r.returncode == 0, r.stderr
    lines = r.stderr.splitlines()
    assert lines[0] == f"specbuild: {total:,} records read, {total:,} learned, 0 skipped" and len(lines) == 2, lines
    assert lines[1].startswith("specbuild: 1 path, 1 operation in ")


def _interrupted(args: list[str], reads: Path, sig: int = signal.SIGINT) -> tuple[subprocess.Popen[bytes], set[int],
                                                                                  float]:
    """Start ``specbuild ARGS``, wait until it (or a worker) reads ``reads``, then Ctrl-C it (or send it ``sig``):
    the process, its workers, and how long it took to end."""

    proc = subprocess.Popen([sys.executable, "-m", "specbuild", *args], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT,
                            env=_run_env(SPECBUILD_PURE="1"),
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not _reading(proc.pid, reads):
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.02)
    time.sleep(0.3)  # well into the fold
    workers = children(proc.pid)
    stopped = time.monotonic()
    proc.send_signal(sig)
    proc.wait(timeout=30)
    return proc, workers, time.monotonic() - stopped


def _reading(pid: int, path: Path) -> bool:
    """``pid`` or one of its workers has ``path`` open."""
    for p in {pid, *children(pid)}:
        try:
            if any(os.readlink(f"/proc/{p}/fd/{fd}") == str(path) for fd in os.listdir(f"/proc/{p}/fd")):
                return True
        except OSError:
            continue
    return False


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("command", ["build", "check"])
def test_ctrl_c_stops_at_once_says_nothing_was_written_and_leaves_no_worker(tmp_path: Path, command: str,
                                                                            jobs: str, sig: int) -> None:
    """Typer turned Ctrl-C into a silent exit 130 before the CLI's handler saw it, and ending the workers
    took 6.5 s. SIGTERM (a CI timeout) killed the process on the spot, silently, and a worker sending its
    share when it came waited for ever."""
    big = tmp_path / "big.jsonl"
    small_records(big, 32)
    out = tmp_path / "out"
    args = ["-o", str(out)] if command == "build" else ["--spec", str(FIXTURES / "users.openapi.json")]
    proc, workers, took = _interrupted([command, "-i", str(big), "-j", jobs, *args], big, sig)
    assert proc.stderr is not None
    err = proc.stderr.read().decode()
    # the bug took 6.5 s; a fixed stop takes ~0.1 s, 3 s leaves a loaded CI machine its margin
    assert proc.returncode == 128 + sig and took < 3.0, (proc.returncode, took, err)
    assert err.strip().splitlines() == ["Interrupted: nothing was written."]
    # -j 2 folds in workers; a build's -j 1 validates in a standby where the machine has a second core
    beside = jobs == "2" or (command == "build" and len(os.sched_getaffinity(0)) > 1)
    assert (len(workers) >= 1) == beside and all(gone(pid) for pid in workers)
    assert not (out / "openapi.json").exists()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_with_partial_writes_what_was_learned(tmp_path: Path, jobs: str) -> None:

    big = tmp_path / "big.jsonl"
    total = small_records(big, 32)
    out = tmp_path / "out"
    proc, workers, _ = _interrupted(["-i", str(big), "-o", str(out), "-j", jobs, "--partial"], big)
    assert proc.stderr is not None
    err = proc.stderr.read().decode()
    last = err.strip().splitlines()[-1]
    said = re.fullmatch(r"Interrupted: wrote what was learned from ([\d,]+) records to (.*) \(--partial\)\.", last)
    assert proc.returncode == 130 and said, err
    assert 0 < int(said[1].replace(",", "")) < total and said[2] == str(out / "openapi.json")
    doc = json.loads((out / "openapi.json").read_text())
    assert spec_problems(doc) == [] and list(doc["paths"]) == ["/u/{uId}"]
    assert all(gone(pid) for pid in workers)


def test_partial_is_for_a_file_build(tmp_path: Path) -> None:
    r = specbuild("--source", "kafka", "--partial", "-o", str(tmp_path / "x"))
    assert r.returncode == 2 and "Error: --partial is for a file build" in r.stderr, r.stderr


def test_a_spec_to_extend_that_does_not_exist_yet_is_said(tmp_path: Path) -> None:
    r = specbuild("-i", str(USERS), "-o", str(tmp_path / "x"), "--spec", str(tmp_path / "nosuch.json"))
    assert r.returncode == 0 and "--spec" in r.stderr and "does not exist yet" in r.stderr, r.stderr


def test_t_is_the_topic_and_a_path_template_given_to_it_says_where_it_goes(tmp_path: Path) -> None:
    """kcat's -t is the topic; -t used to force a path template, so a template given to it is named, not read."""
    r = specbuild("-i", str(USERS), "-o", str(tmp_path / "x"), "-t", "/users/{id}")
    assert r.returncode == 2 and not (tmp_path / "x" / "openapi.json").exists()
    assert r.stderr.splitlines() == [
        "Error: -t/--topic '/users/{id}' looks like a path template: -t is the Kafka topic (as in kcat)",
        "  hint: force a template with --path-template '/users/{id}'"]
    ok = specbuild("-i", str(USERS), "-o", str(tmp_path / "y"), "--path-template", "/users/{id}")
    assert ok.returncode == 0, ok.stderr
    assert "/users/{id}" in json.loads((tmp_path / "y" / "openapi.json").read_text())["paths"]


def _json_report(r: subprocess.CompletedProcess[str]) -> list[tuple[str, str, str]]:
    doc = json.loads(r.stdout)
    rows = doc.get("findings", doc.get("changes", []))
    return sorted((row["operation"], row["kind"], row["severity"]) for row in rows)


def _users_answered(tmp_path: Path, **response: Any) -> Path:
    """fixtures/users.jsonl and its first exchange once more, answered with ``response``'s fields."""
    again = json.loads(USERS.read_text().splitlines()[0])
    again["response"].update(response)
    traffic = tmp_path / "traffic.jsonl"
    traffic.write_text(USERS.read_text() + json.dumps(again) + "\n")
    return traffic


def _check_and_build(spec: Path, traffic: Path, out: Path) -> tuple[subprocess.CompletedProcess[str], ...]:
    """``check`` of ``traffic`` against ``spec``, and ``build --check`` of it, both as JSON reports."""
    check = specbuild("check", "--spec", str(spec), "-i", str(traffic), "-f", "json")
    build = specbuild("-i", str(traffic), "-o", str(out), "-q", "--check", str(spec), "--check-format", "json")
    return check, build


def test_a_new_500_has_one_severity_in_check_build_check_and_diff(tmp_path: Path) -> None:
    """What a status means to a client does not depend on which command saw it (drift/kinds.py)."""
    spec = FIXTURES / "users.openapi.json"
    traffic = _users_answered(tmp_path, statusCode=500, body="", headers={})
    check, build = _check_and_build(spec, traffic, tmp_path / "out")
    assert check.returncode == 1 and build.returncode == 1, check.stderr + build.stderr
    assert _json_report(check) == [("GET /users/{userId}", "undocumented-server-error", "breaking")]
    assert _json_report(build) == [("GET /users/{userId}", "response-server-error-added", "breaking")]
    diff = specbuild("diff", str(spec), str(tmp_path / "out" / "openapi.json"), "-f", "json")
    assert diff.returncode == 1 and ("GET /users/{userId}", "response-server-error-added", "breaking") in \
        _json_report(diff)
    # build --check annotates the committed spec (the file in the repository), not the learned one
    github = specbuild("-i", str(traffic), "-o", str(tmp_path / "out2"), "-q", "--check", str(spec),
                       "--check-format", "github")
    lines = spec.read_text().splitlines()
    path_line = next(i for i, t in enumerate(lines, 1) if t.strip() == '"/users/{userId}": {')
    get = next(i for i, t in enumerate(lines[path_line:], path_line + 1) if t.strip() == '"get": {')
    assert github.stdout.startswith(f"::error file={spec},line={get},title=specbuild diff%3A "
                                    "response-server-error-added::GET /users/{userId}"), github.stdout


def test_a_503_is_the_server_unable_to_answer_then_a_warning_in_every_command(tmp_path: Path) -> None:
    """A busy database's retried 503 (Prefect on SQLite, a few operations per sample of one unchanged
    API) is no change of the contract: a warning, whichever command sees it; ``--fail-on warning`` fails."""
    spec = FIXTURES / "users.openapi.json"
    traffic = _users_answered(tmp_path, statusCode=503, body='{"exception_message": "Service Unavailable"}',
                              headers={"content-type": "application/json"})
    check, build = _check_and_build(spec, traffic, tmp_path / "out")
    assert check.returncode == 0 and build.returncode == 0, check.stderr + build.stderr
    assert _json_report(check) == [("GET /users/{userId}", "undocumented-unavailable", "warning")]
    assert _json_report(build) == [("GET /users/{userId}", "response-unavailable-added", "warning")]
    strict = specbuild("check", "--spec", str(spec), "-i", str(traffic), "--fail-on", "warning")
    assert strict.returncode == 1, strict.stderr


def test_diff_compares_security_schemes_by_definition_not_name(tmp_path: Path) -> None:
    base = FIXTURES / "drift" / "spec.json"
    text = base.read_text()
    renamed = tmp_path / "renamed.json"
    renamed.write_text(text.replace('"apiKey": {', '"ApiKeyAuth": {').replace('{"apiKey": []}', '{"ApiKeyAuth": []}')
                       .replace('"apiKey": []', '"ApiKeyAuth": []'))
    assert "ApiKeyAuth" in renamed.read_text()
    same = specbuild("diff", str(base), str(renamed), "-f", "json")
    assert same.returncode == 0 and _json_report(same) == [], same.stdout + same.stderr
    other = tmp_path / "other.json"
    other.write_text(renamed.read_text().replace('"X-API-Key"', '"X-Token"'))
    changed = specbuild("diff", str(base), str(other), "-f", "json")
    assert changed.returncode == 1
    assert {(kind, sev) for _, kind, sev in _json_report(changed)} == {
        ("security-alternative-removed", "breaking"), ("security-alternative-added", "info")}


def test_github_annotations_carry_the_spec_file_and_line(tmp_path: Path) -> None:
    spec = FIXTURES / "drift" / "spec.json"
    text = spec.read_text().splitlines()
    line = next(i for i, t in enumerate(text, 1) if t.strip() == '"/pets/{petId}": {')
    get = next(i for i, t in enumerate(text[line:], line + 1) if t.strip() == '"get": {')
    r = specbuild("check", "--spec", str(spec), "-i", str(FIXTURES / "drift" / "undocumented-method.jsonl"),
                  "-f", "github")
    annotation = r.stdout.splitlines()[0]
    assert annotation.startswith(f"::warning file={spec},line={line},title=specbuild check%3A undocumented-method::")
    assert "(1 exchange)." in annotation and "1 exchange in" in r.stderr and "1 finding;" in r.stderr
    failed = specbuild("check", "--spec", str(spec), "-i", str(FIXTURES / "drift" / "undocumented-server-error.jsonl"),
                       "-f", "github")
    assert failed.returncode == 1
    assert failed.stdout.startswith(f"::error file={spec},line={get},title=specbuild check%3A "
                                    "undocumented-server-error")
    head = tmp_path / "head.json"
    doc = json.loads(spec.read_text())
    doc["paths"]["/pets/{petId}"]["get"]["responses"]["500"] = {"description": "down"}
    head.write_text(json.dumps(doc, indent=2))
    head_get = next(i for i, t in enumerate(head.read_text().splitlines(), 1) if t.strip() == '"get": {'
                    and i > next(j for j, u in enumerate(head.read_text().splitlines(), 1) if "/pets/{petId}" in u))
    d = specbuild("diff", str(spec), str(head), "-f", "github")
    assert d.stdout.startswith(f"::error file={head},line={head_get},title=specbuild diff%3A "
                               "response-server-error-added::"), d.stdout


def test_a_report_written_to_a_fifo_or_device_goes_into_it_and_leaves_it_in_place(tmp_path: Path) -> None:
    """`-o /dev/null` (run as root) replaced /dev/null with a regular file: a write is atomic by renaming a
    temporary file over the target, which must not happen to a device or a FIFO. A FIFO stands in for it."""
    import stat
    import threading

    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    r = specbuild("check", "--spec", str(FIXTURES / "users.openapi.json"), "-i", str(USERS), "-o", str(fifo),
                  "-f", "json")
    reader.join(30)
    assert r.returncode == 0, r.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode) and json.loads(got[0])["command"] == "check"
    assert [p.name for p in tmp_path.iterdir()] == ["report.fifo"]


def test_a_kafka_follow_without_o_is_refused_and_drops_nothing_in_the_current_folder(tmp_path: Path) -> None:
    r = specbuild("-t", "http_recordings", "-b", "127.0.0.1:1", cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.startswith("Error: a Kafka follow needs -o DIR"), r.stderr
    assert "hint:" in r.stderr and list(tmp_path.iterdir()) == []


def test_a_base_path_no_path_has_is_said(tmp_path: Path) -> None:
    r = specbuild("-i", str(USERS), "-o", str(tmp_path / "x"), "--base-path", "/nope")
    assert r.returncode == 0
    assert "warning: --base-path /nope: 3 of 3 paths do not start with it (e.g. /users)" in r.stderr
    shared = specbuild("-i", str(USERS), "-o", str(tmp_path / "y"), "--base-path", "/users")
    assert shared.returncode == 0 and "--base-path" not in shared.stderr
    assert json.loads((tmp_path / "y" / "openapi.json").read_text())["servers"][0]["url"].endswith("/users")


@pytest.mark.parametrize("command", ["build", "check", "produce"])
def test_java_client_settings_name_what_librdkafka_takes_instead(tmp_path: Path, command: str) -> None:
    props = tmp_path / "consumer.properties"
    props.write_text("bootstrap.servers=127.0.0.1:1\nsecurity.protocol=SASL_SSL\nsasl.mechanism=PLAIN\n"
                     'sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required '
                     'username="alice" password="s3cret";\n'
                     "key.deserializer=org.apache.kafka.common.serialization.StringDeserializer\n")
    args = {"build": ["-t", "t", "-o", str(tmp_path / "out")],
            "check": ["--spec", str(FIXTURES / "users.openapi.json"), "-t", "t"],
            "produce": ["-i", str(USERS), "-t", "t"]}[command]
    r = specbuild(command, *args, "--kafka-config", str(props))
    lines = r.stderr.splitlines()
    assert r.returncode == 2 and len(lines) == 2, r.stderr
    assert lines[0] == (f"Error: --kafka-config {props}: key.deserializer, sasl.jaas.config are settings of the "
                        "Java client, which librdkafka does not have")
    assert "sasl.jaas.config: sasl.username and sasl.password" in lines[1] and "sasl.username=alice" in lines[1]
    assert "s3cret" not in r.stderr and "key.deserializer: remove it" in lines[1]
    x = specbuild(command, *args, "-X", "ssl.truststore.location=/etc/kafka/truststore.jks")
    assert x.returncode == 2 and "Error: -X: ssl.truststore.location is a setting of the Java client" in x.stderr
    assert "ssl.ca.location" in x.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["--start-offset", "soon"], "Error: --start-offset 'soon': expected beginning, end, an offset N or -N"),
    (["--start-offset", "9" * 30], "no Kafka offset is that large"),
    (["--start-time", "yesterday"], "Error: --start-time 'yesterday': expected an ISO 8601 time or epoch milliseconds"),
    (["--start-offset", "5", "--start-time", "0"], "Error: --start-offset and --start-time both say where"),
    (["--checkpoint-interval", "-1"], "give a number of seconds above 0"),
    (["--render-interval", "-1"], "give 0 (at every checkpoint) or a number of seconds above it"),
    # trial25: README and -h say "0: at every checkpoint"; 0 was refused as "not above 0". The start is
    # checked after the options are: this says --render-interval 0 got through
    (["--render-interval", "0", "--start-offset", "soon"], "Error: --start-offset 'soon': expected beginning"),
    (["--max-records", "-1"], "-1 is negative"),
    (["-p", "-1"], "-1 is negative"),
    (["-t", "^(http"], "Error: --topic '^(http': not a regular expression"),
])
def test_kafka_start_and_limits_are_checked_before_any_broker_is_asked(args: list[str], message: str,
                                                                        tmp_path: Path) -> None:
    r = specbuild("-t", "t", "-b", "127.0.0.1:1", "-o", str(tmp_path / "x"), *args)
    assert r.returncode == 2 and message in r.stderr and "cannot reach Kafka" not in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and not (tmp_path / "x").exists()
HAR = FIXTURES / "har" / "devtools.har"


def test_a_har_gives_the_spec_of_the_same_exchanges_written_as_jsonl(tmp_path: Path) -> None:
    """fixtures/har/devtools.jsonl holds, written by hand as HTTP Types, what devtools.har holds as HAR."""
    jsonl = specbuild("-i", str(FIXTURES / "har" / "devtools.jsonl"), "-o", "-", "-q")
    har = specbuild("-i", str(HAR), "-o", "-")
    assert (jsonl.returncode, har.returncode) == (0, 0), jsonl.stderr + har.stderr
    assert har.stdout == jsonl.stdout
    assert "warning: devtools.har#/log/entries/4: record has no 'response' object" in har.stderr
    assert "5 records read, 4 learned, 1 skipped (no-response: 1)" in har.stderr
    gz = tmp_path / "session.har.gz"
    gz.write_bytes(gzip.compress(HAR.read_bytes()))
    assert specbuild("-i", str(gz), "-o", "-", "-q").stdout == jsonl.stdout
    with gz.open("rb") as fh:  # gzip on stdin (a file: what a shell's `< session.har.gz` gives)
        piped = subprocess.run([sys.executable, "-m", "specbuild", "-i", "-", "-o", "-", "-q"], stdin=fh,
                               capture_output=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert piped.stdout.decode() == jsonl.stdout
    doc = json.loads(har.stdout)
    assert sorted(doc["paths"]) == ["/login", "/users", "/users/{userId}"]
    assert "application/x-www-form-urlencoded" in doc["paths"]["/login"]["post"]["requestBody"]["content"]


def test_a_file_that_holds_no_recordings_is_refused(tmp_path: Path) -> None:
    r = specbuild("-i", str(FIXTURES / "users.openapi.json"), "-o", str(tmp_path / "out"))
    assert r.returncode == 2
    assert r.stderr.startswith("Error: users.openapi.json is an OpenAPI document, not recordings\n  hint: ")
    assert not (tmp_path / "out" / "openapi.json").exists()


def test_a_run_that_learned_nothing_fails_saying_why(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"req": 1}\n{"req": 2}\nnot json\n{"req": 3}\n')
    r = specbuild("-i", str(bad), "-o", str(tmp_path / "out"))
    assert r.returncode == 2
    assert r.stderr.splitlines()[-2:] == [
        f"Error: nothing learned from {bad}: all 4 records were skipped (no-request: 3, not-json: 1)",
        "  hint: is it HTTP Types? each record needs a 'request' and a 'response' object (HAR 1.2 is read too)"]
    assert "warning: bad.jsonl:3: not a JSON record" in r.stderr  # each is still located
    assert not (tmp_path / "out" / "openapi.json").exists()


def test_filters_leave_records_out_and_count_them(tmp_path: Path) -> None:
    r = specbuild("-i", str(USERS), "-o", str(tmp_path / "a"), "--include-path", "/users/*", "--method", "get",
                  "--exclude-path", "/users/me", "--host", "localhost")
    assert r.returncode == 0, r.stderr
    doc = json.loads((tmp_path / "a" / "openapi.json").read_text())
    assert list(doc["paths"]) == ["/users/{userId}"] and list(doc["paths"]["/users/{userId}"]) == ["get"]
    learned = int(r.stderr.split(" learned")[0].rsplit(" ", 1)[-1])
    assert f"144 records read, {learned} learned, {144 - learned} filtered out, 0 skipped" in r.stderr
    none = specbuild("-i", str(USERS), "-o", str(tmp_path / "b"), "--host", "api.example.com")
    assert none.returncode == 2
    assert "Error: nothing learned: all 144 records were filtered out (--host 'api.example.com')" in none.stderr
    assert not (tmp_path / "b" / "openapi.json").exists()
    bad = specbuild("-i", str(USERS), "-o", str(tmp_path / "c"), "--method", "fetch")
    assert bad.returncode == 2 and bad.stderr.startswith("Error: --method 'FETCH' is not an HTTP method")


def _same_spec(har: Path, jsonl: Path) -> str:
    a = specbuild("-i", str(har), "-o", "-")
    b = specbuild("-i", str(jsonl), "-o", "-")
    assert (a.returncode, b.returncode) == (0, 0), a.stderr + b.stderr
    assert a.stdout == b.stdout
    return a.stderr


def test_a_har_written_by_mitmdump_gives_the_spec_of_the_servers_own_recording() -> None:
    """fixtures/har/mitmproxy.har: mitmdump (reverse proxy, HAR export) recording the session of
    tests/har_session.py; mitmproxy-server.jsonl: the same exchanges as the server recorded them."""
    stderr = _same_spec(FIXTURES / "har" / "mitmproxy.har", FIXTURES / "har" / "mitmproxy-server.jsonl")
    assert "14 records read, 14 learned, 0 skipped" in stderr


def test_mitmdump_recording_a_live_session_gives_the_spec_of_the_servers_own_recording(tmp_path: Path) -> None:
    """The same, recorded now: a real server on loopback, a real mitmdump in front of it (from PyPI, in
    a virtualenv of its own that the test makes once: tests/har_session.find_mitmdump)."""
    from tests.har_session import find_mitmdump, record_session

    mitmdump, why = find_mitmdump()
    if not mitmdump:
        pytest.skip(why)
    har, jsonl = record_session(mitmdump, tmp_path)
    stderr = _same_spec(har, jsonl)
    assert "14 records read, 14 learned, 0 skipped" in stderr


@pytest.mark.parametrize("args", [["-i", str(USERS), "-o", "-"], ["-i", str(USERS), "-o", "-", "--format", "yaml"],
                                  ["check", "--spec", str(FIXTURES / "users.openapi.json"), "-i", str(USERS)],
                                  ["diff", str(FIXTURES / "users.openapi.json"), str(FIXTURES / "users.openapi.json")]],
                         ids=["build", "build-yaml", "check", "diff"])
@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
def test_a_full_disk_behind_stdout_is_an_error_not_a_bug(args: list[str]) -> None:
    """`-o - > file` on a full disk was 'Internal error (a bug in specbuild): OSError', exit 70."""
    with open("/dev/full", "wb") as full:
        done = subprocess.run([sys.executable, "-m", "specbuild", *args], stdout=full, stderr=subprocess.PIPE,
                              text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                              stdin=subprocess.DEVNULL, timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("Error: stdout: cannot write") and "No space left on device" in done.stderr
