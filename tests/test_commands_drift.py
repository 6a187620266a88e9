"""`specbuild check` and `specbuild diff` from the command line: exit codes and what a user sees."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from specbuild.cli.app import main
from specbuild.cli.drift import AUTO_PARALLEL_BYTES, auto_jobs, run_check
from specbuild.errors import RecordError
from specbuild.filters import RecordFilter
from specbuild.io.jsonl import iter_lines
from specbuild.learn import native
from specbuild.learn.builder import SpecBuilder
from specbuild.run import Fold

ROOT = Path(__file__).resolve().parent.parent
DRIFT = ROOT / "fixtures" / "drift"
DIFF = ROOT / "fixtures" / "diff"
SPEC = str(DRIFT / "spec.json")


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(args)
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def traffic(case: str) -> str:
    return str(DRIFT / f"{case}.jsonl")


def test_drift_at_the_threshold_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", "--spec", SPEC, "-i", traffic("response-type-mismatch")], capsys)
    assert code == 1 and "response-type-mismatch" in out and "Result: FAILED" in out


def test_the_control_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", "--spec", SPEC, "-i", traffic("control")], capsys)
    assert code == 0 and "no findings" in out


@pytest.mark.parametrize(("fail_on", "expected"), [("breaking", 0), ("warning", 0), ("info", 1), ("never", 0)])
def test_fail_on(fail_on: str, expected: int, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["check", "--spec", SPEC, "-i", traffic("response-undocumented-property"), "--fail-on", fail_on]
    assert run(args, capsys)[0] == expected


def test_a_report_file_in_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "report.json"
    code, out, err = run(
        ["check", "--spec", SPEC, "-i", traffic("undocumented-server-error"), "-f", "json", "-o", str(target)], capsys
    )
    doc = json.loads(target.read_text())
    assert code == 1 and out == "" and doc["result"]["exit_code"] == 1
    assert doc["findings"][0]["kind"] == "undocumented-server-error"
    assert "specbuild check: 2 exchanges" in err


def test_accepted_drift_in_an_ignore_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = tmp_path / "drift.ignore"
    rules.write_text("GET /pets/{petId} undocumented-server-error  # the mock returns 500 (INFRA-3)\n")
    code, out, _ = run(
        ["check", "--spec", SPEC, "-i", traffic("undocumented-server-error"), "--ignore", str(rules)], capsys
    )
    assert code == 0 and "(1 ignored)" in out
    rules.write_text("GET /pets/{petId} undocumented-server-error\n")
    code, _, err = run(
        ["check", "--spec", SPEC, "-i", traffic("undocumented-server-error"), "--ignore", str(rules)], capsys
    )
    assert code == 2 and "drift.ignore:1: the rule has no reason" in err


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"swagger": "2.0", "info": {}, "paths": {}}, "not an OpenAPI 3 document (swagger 2.0)"),
        ({"openapi": "3.0.3", "paths": {"/a": {"get": {}}}}, "invalid OpenAPI document"),
        ([1, 2], "not an OpenAPI document"),
    ],
)
def test_a_spec_that_is_not_valid_openapi_3_exits_2(
    doc: object, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(doc))
    for args in (["check", "--spec", str(spec), "-i", traffic("control")], ["diff", str(spec), SPEC]):
        code, _, err = run(args, capsys)
        assert code == 2 and err.startswith("Error: ") and message in err


def test_an_invalid_spec_lists_every_problem_with_its_json_pointer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not only the first: fixing a spec one error per run is a slow loop."""
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps({"openapi": "3.0.3", "info": {"title": "x"}, "paths": {
        "/a": {"get": {"responses": {"200": {"description": 5}}}},
        "/b": {"get": {"responses": {"abc": {"description": "ok"}}}}}}))
    code, _, err = run(["diff", str(spec), SPEC], capsys)
    assert code == 2 and err.startswith(f"Error: {spec}: invalid OpenAPI document, 3 problems:\n"), err
    listed = [line.strip() for line in err.splitlines()[1:4]]
    assert [line.split(":")[0] for line in listed] == ["/info", "/paths/~1a/get/responses/200",
                                                        "/paths/~1b/get/responses"]
    assert "'version' is a required property" in listed[0]


def test_missing_inputs_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["check", "--spec", SPEC, "-i", str(tmp_path / "nope.jsonl")], capsys)
    assert code == 2 and "no such file" in err
    code, _, err = run(["check", "--spec", str(tmp_path / "nope.json"), "-i", traffic("control")], capsys)
    assert code == 2 and "no such file" in err
    code, _, err = run(["check", "--spec", SPEC, "--source", "kafka", "-i", traffic("control")], capsys)
    assert code == 2 and "-i/--input is for --source file" in err


def test_bad_records_are_counted_and_strict_makes_them_fatal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rec = tmp_path / "rec.jsonl"
    rec.write_bytes((DRIFT / "control.jsonl").read_bytes() + b"not json\n")
    code, out, err = run(["check", "--spec", SPEC, "-i", str(rec)], capsys)
    assert code == 0 and "1 skipped (not-json 1)" in out and "rec.jsonl:14" in err
    code, _, err = run(["check", "--spec", SPEC, "-i", str(rec), "--strict"], capsys)
    assert code == 2 and "rec.jsonl:14" in err


def test_diff_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    base = str(DIFF / "base.json")
    code, out, _ = run(["diff", base, str(DIFF / "operation-removed.head.json")], capsys)
    assert code == 1 and "operation-removed" in out
    code, out, _ = run(["diff", base, str(DIFF / "renamed-path-parameter.head.json")], capsys)
    assert code == 0 and "no changes" in out
    code, out, _ = run(
        ["diff", base, str(DIFF / "response-enum-value-added.head.json"), "--fail-on", "warning", "-f", "markdown"],
        capsys,
    )
    assert code == 1 and out.startswith("## ❌ specbuild diff")


def test_diff_learned_reads_head_as_build_check_does(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """README's pipe, ``build -o - | diff openapi.json -``, called an operation the traffic did not call
    removed (breaking, exit 1) where ``build --check`` of the same traffic is silent (trial25): ``--learned``
    reads HEAD as build --check does."""
    base = str(DIFF / "base.json")
    code, out, _ = run(["diff", base, str(DIFF / "operation-removed.head.json")], capsys)
    assert code == 1 and "operation-removed" in out
    code, out, _ = run(["diff", "--learned", base, str(DIFF / "operation-removed.head.json")], capsys)
    assert code == 0 and out.splitlines()[0].endswith(": no changes"), out
    learned = tmp_path / "learned"
    built = run(["build", "-i", traffic("control"), "-o", str(learned), "-q"], capsys)
    assert built[0] == 0, built[2]
    code, gate, _ = run(["build", "-i", traffic("control"), "-o", str(tmp_path / "again"), "--check", SPEC,
                         "--check-format", "json", "-q"], capsys)
    code2, piped, _ = run(["diff", "--learned", SPEC, str(learned / "openapi.json"), "-f", "json"], capsys)
    assert (code, json.loads(gate)["changes"]) == (code2, json.loads(piped)["changes"])


def _diff(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "specbuild", "diff", *args], input=stdin, capture_output=True,
                          cwd=ROOT, check=False, timeout=60)


def test_diff_reads_one_spec_from_stdin() -> None:
    """``specbuild build ... -o - | specbuild diff openapi.json -``: '-' is stdin (it was '-: no such file')."""
    base, head = DIFF / "base.json", DIFF / "operation-removed.head.json"
    piped = _diff(str(base), "-", stdin=head.read_bytes())
    assert piped.returncode == 1 and b"operation-removed" in piped.stdout, piped.stderr
    assert piped.stdout == _diff(str(base), str(head)).stdout.replace(str(head).encode(), b"stdin")
    assert _diff("-", str(base), stdin=base.read_bytes()).returncode == 0
    both = _diff("-", "-", stdin=base.read_bytes())
    assert both.returncode == 2 and b"only one of them can be read from stdin" in both.stderr
    bad = _diff(str(base), "-", stdin=b"{not a spec")
    assert bad.returncode == 2 and b"stdin: " in bad.stderr
    invalid = _diff(str(base), "-", stdin=b'{"openapi": "3.0.3"}')   # JSON, not a spec: named stdin too
    assert invalid.returncode == 2 and b"stdin: invalid OpenAPI document" in invalid.stderr, invalid.stderr
    check = _check("--spec", "-", "-i", traffic("control"))  # check's stdin is the traffic's
    assert check.returncode == 2 and "--spec -: check reads traffic from stdin" in check.stderr


REFS = ROOT / "fixtures" / "refs"


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_property_named_type_with_a_ref_is_checked(jobs: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The GitHub description's search results: exit 70 (-j 1) or a hang (-j 2) before."""
    code, out, err = run(["check", "--spec", str(REFS / "keyword-properties.openapi.json"),
                          "-i", str(REFS / "keyword-properties.jsonl"), "-j", jobs], capsys)
    assert code == 1, err
    assert "at 200 type.name" in out and "response-type-mismatch" in out


def test_a_ref_left_pointing_nowhere_is_a_clear_error(monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    from specbuild.drift import check

    monkeypatch.setattr(check, "self_contained", lambda *_a: {"$ref": "#/components/schemas/gone"})
    code, _, err = run(["check", "--spec", str(REFS / "keyword-properties.openapi.json"),
                        "-i", str(REFS / "keyword-properties.jsonl"), "-j", "1"], capsys)
    assert code == 2 and "'#/components/schemas/gone' points nowhere" in err and "Internal error" not in err


def test_workers_find_what_one_process_finds(tmp_path: Path) -> None:
    big = tmp_path / "all.jsonl"
    big.write_bytes(b"".join((DRIFT / p.name).read_bytes() for p in sorted(DRIFT.glob("*.jsonl"))) * 40)
    spec = json.loads(Path(SPEC).read_text())
    one = run_check(str(big), spec, jobs=1)
    many = run_check(str(big), spec, jobs=3)
    queued = run_check(iter_lines(str(big)), spec, jobs=2)
    assert one.findings == many.findings == queued.findings and one.stats == many.stats == queued.stats


@pytest.mark.parametrize("jobs", [1, 2])
def test_check_skips_and_counts_bad_records_as_the_build_does(jobs: int) -> None:
    """One record loop (run.Fold) for both: same reasons, same counts, same warnings."""
    messy = str(ROOT / "fixtures" / "messy.jsonl")
    warned: list[RecordError] = []
    outcome = run_check(messy, json.loads(Path(SPEC).read_text()), jobs=jobs, on_skip=warned.append)
    built: list[RecordError] = []
    fold = Fold(SpecBuilder(), on_skip=built.append)
    fold.feed(iter_lines(messy))
    assert outcome.skipped == fold.stats.skipped and sum(outcome.skipped.values()) > 0
    assert sorted(map(str, warned)) == sorted(map(str, built))
    assert outcome.stats.exchanges == fold.stats.learned


def test_no_more_workers_than_cores_or_four(monkeypatch: pytest.MonkeyPatch) -> None:
    """-j 1000 started 1,000 processes, each reading the whole file; -j 2 on one core is kept."""
    from specbuild.cli import drift

    started: list[int] = []
    real = drift._run_parallel

    def counted(records: Any, spec: Any, jobs: int, *rest: Any) -> Any:
        started.append(jobs)
        return real(records, spec, jobs, *rest)

    monkeypatch.setattr(drift, "_run_parallel", counted)
    spec, messy = json.loads(Path(SPEC).read_text()), str(ROOT / "fixtures" / "messy.jsonl")
    for cores, jobs in ((2, 1000), (1, 2)):
        monkeypatch.setattr(drift, "cores", lambda cores=cores: cores)
        assert run_check(messy, spec, jobs=jobs).stats == run_check(messy, spec, jobs=1).stats
    assert started == [4, 2]


def test_big_files_get_one_worker_per_core(tmp_path: Path) -> None:
    small = tmp_path / "small.jsonl"
    small.write_bytes(b"{}\n")
    big = tmp_path / "big.jsonl"
    with big.open("wb") as fh:
        fh.truncate(AUTO_PARALLEL_BYTES)
    assert auto_jobs(str(small)) == 1 and auto_jobs("-") == 1 and auto_jobs(None) == 1
    assert auto_jobs(str(big)) >= 1


def test_stdin(capsys: pytest.CaptureFixture[str]) -> None:
    data = (DRIFT / "response-type-mismatch.jsonl").read_bytes()
    done = subprocess.run(
        [sys.executable, "-m", "specbuild", "check", "--spec", SPEC, "-i", "-", "-f", "json"],
        input=data,
        capture_output=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["summary"]["findings"] == 2


@pytest.mark.kafka
@pytest.mark.timeout(120)
def test_check_reads_a_topic_to_its_end(kafka_broker: Any) -> None:
    from confluent_kafka import Producer

    from tests.brokers import consumer_overrides, create_topic

    topic = f"check-{uuid.uuid4().hex[:8]}"
    create_topic(kafka_broker.bootstrap, topic, 2)
    lines = [
        line
        for case in ("response-type-mismatch", "control")
        for line in (DRIFT / f"{case}.jsonl").read_bytes().splitlines()
    ]
    producer = Producer({"bootstrap.servers": kafka_broker.bootstrap})
    for line in [*lines, b"not json"]:
        producer.produce(topic, value=line)
    assert producer.flush(30) == 0
    overrides = [
        f"-X{k}={str(v).lower() if isinstance(v, bool) else v}"
        for k, v in consumer_overrides(kafka_broker.kind).items()
    ]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "specbuild",
            "check",
            "--spec",
            SPEC,
            "--source",
            "kafka",
            "-b",
            kafka_broker.bootstrap,
            "--topic",
            topic,
            "--until-end",
            "-f",
            "json",
            *overrides,
        ],
        capture_output=True,
        cwd=ROOT,
        check=False,
        timeout=90,
    )
    assert done.returncode == 1, done.stderr
    doc = json.loads(done.stdout)
    assert doc["summary"]["exchanges"] == len(lines) and doc["summary"]["skipped"] == {"not-json": 1}
    assert [(f["operation"], f["kind"]) for f in doc["findings"]] == [
        ("GET /pets", "response-type-mismatch"),
        ("GET /pets/{petId}", "response-type-mismatch"),
    ]
    assert "@" in doc["findings"][0]["example"]["origin"]  # topic[partition]@offset


def _words_spec(word: dict[str, Any]) -> dict[str, Any]:
    """A spec of one operation whose response body is ``{"word": <string schema>}``."""
    body = {"type": "object", "properties": {"word": {"type": "string", **word}}}
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/words": {"get": {
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": body}}}}}}}}


def _words_traffic(path: Path, *words: str) -> str:
    lines = []
    for w in words:
        res = {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": json.dumps({"word": w})}
        req = {"method": "get", "protocol": "https", "host": "api.example.com", "pathname": "/words",
               "query": {}, "headers": {}}
        lines.append(json.dumps({"request": req, "response": res}))
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def test_a_catastrophic_pattern_is_checked_in_linear_time(tmp_path: Path) -> None:
    # Python's backtracking `re` needs ~2^40 steps for this value: minutes, where a linear engine needs µs.
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(_words_spec({"pattern": "^(a+)+$"})))
    rec = _words_traffic(tmp_path / "rec.jsonl", "a" * 40 + "!", "aaa")
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "specbuild", "check", "--spec", str(spec), "-i", rec, "-f", "json",
                           "--fail-on", "warning"], capture_output=True, cwd=ROOT, check=False, timeout=30)
    assert time.monotonic() - started < 10, "a spec's pattern ran with a backtracking engine"
    assert done.returncode == 1, done.stderr
    findings = json.loads(done.stdout)["findings"]
    assert [(f["kind"], f["count"], f["subjects"]) for f in findings] == [
        ("response-schema-violation", 1, ["200 word"])]


def test_a_pattern_no_linear_engine_runs_is_reported_not_run(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(_words_spec({"pattern": "^(?=a)(a+)+$"})))  # lookahead: re2 refuses it
    rec = _words_traffic(tmp_path / "rec.jsonl", "a" * 40 + "!")
    started = time.monotonic()
    code, out, _ = run(["check", "--spec", str(spec), "-i", rec, "-f", "json", "--fail-on", "warning"], capsys)
    assert time.monotonic() - started < 10
    finding = json.loads(out)["findings"][0]
    assert code == 1 and finding["kind"] == "response-schema-violation"
    assert "not checked: lookaround" in finding["example"]["expected"]


_NUMBER_YAML = """openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /words:
    get:
      responses:
        CODE:
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {n: {type: number, BOUNDS}}}
"""


@pytest.mark.parametrize(("code", "bounds", "n", "expected"), [
    ('"200"', "maximum: .inf, minimum: -.inf", 3, 0),   # YAML's infinities: no undefined `inf` in generated code
    ('"200"', "maximum: .inf, exclusiveMaximum: true", 3, 0),
    ("200", "maximum: 10", 3, 0),                        # an unquoted status code is an int key
    ("200", "maximum: 10", 11, 1),
])
def test_hand_written_yaml_specs_check(code: str, bounds: str, n: int, expected: int, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "openapi.yaml"
    spec.write_text(_NUMBER_YAML.replace("CODE", code).replace("BOUNDS", bounds))
    rec = tmp_path / "rec.jsonl"
    res = {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": json.dumps({"n": n})}
    req = {"method": "get", "protocol": "https", "host": "a.example.com", "pathname": "/words", "query": {},
           "headers": {}}
    rec.write_text(json.dumps({"request": req, "response": res}) + "\n")
    got, out, err = run(["check", "--spec", str(spec), "-i", str(rec), "--fail-on", "warning"], capsys)
    assert got == expected, out + err
    got, out, err = run(["diff", str(spec), str(spec)], capsys)
    assert got == 0 and "no changes" in out, out + err


@pytest.mark.parametrize("command", ["check", "diff"])
def test_check_and_diff_take_traceback_as_their_bug_message_says(command: str, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    args = ["check", "--spec", SPEC, "-i", traffic("control")] if command == "check" else ["diff", SPEC, SPEC]
    code, out, err = run([*args, "--traceback"], capsys)
    assert code == 0, out + err


def test_filters_leave_the_same_records_out_in_one_process_or_many(tmp_path: Path) -> None:
    big = tmp_path / "all.jsonl"
    big.write_bytes(b"".join((DRIFT / p.name).read_bytes() for p in sorted(DRIFT.glob("*.jsonl"))) * 8)
    spec = json.loads(Path(SPEC).read_text())
    keep = RecordFilter.of(methods=["GET"])
    one = run_check(str(big), spec, jobs=1, keep=keep)
    many = run_check(str(big), spec, jobs=3, keep=keep)
    queued = run_check(iter_lines(str(big)), spec, jobs=2, keep=keep)
    everything = run_check(str(big), spec, jobs=1)
    assert one.findings == many.findings == queued.findings and one.stats == many.stats == queued.stats
    assert one.filtered == many.filtered == queued.filtered > 0
    assert one.read == many.read == everything.read == one.filtered + one.stats.exchanges + sum(one.skipped.values())
    assert one.findings != everything.findings and {f.operation.split()[0] for f in one.findings} == {"GET"}


def _check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "specbuild", "check", *args], capture_output=True, text=True,
                          cwd=ROOT, stdin=subprocess.DEVNULL, check=False, timeout=60)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_check_reads_a_har(jobs: str, tmp_path: Path) -> None:
    har = ROOT / "fixtures" / "har"
    built = subprocess.run([sys.executable, "-m", "specbuild", "-i", str(har / "devtools.jsonl"), "-o", str(tmp_path),
                            "-q"], cwd=ROOT, check=True)
    assert built.returncode == 0
    done = _check("--spec", str(tmp_path / "openapi.json"), "-i", str(har / "devtools.har"), "-f", "json", "-j", jobs)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)["summary"]
    assert (summary["exchanges"], summary["matched"], summary["skipped"]) == (4, 4, {"no-response": 1})
    assert "warning: devtools.har#/log/entries/4: record has no 'response' object" in done.stderr


def test_a_check_of_no_record_or_only_bad_ones_says_nothing_was_checked(tmp_path: Path) -> None:
    """An empty recording (a broken recorder in CI) passed as "no findings", exit 0, saying nothing."""
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    done = _check("--spec", SPEC, "-i", str(empty))
    assert done.returncode == 0 and f"warning: {empty} holds no records: nothing was checked" in done.stderr
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b"not json\n{}\n[]\n")
    done = _check("--spec", SPEC, "-i", str(bad), "-f", "json")
    assert f"warning: all 3 records of {bad} were skipped (no-request: 1, not-an-object: 1, not-json: 1): " \
           "nothing was checked" in done.stderr, done.stderr
    some = _check("--spec", SPEC, "-i", str(DRIFT / "control.jsonl"))
    assert "nothing was checked" not in some.stderr


def test_a_check_whose_records_were_all_filtered_says_so() -> None:
    done = _check("--spec", SPEC, "-i", str(DRIFT / "control.jsonl"), "--include-path", "/nowhere/**")
    assert done.returncode == 0, done.stderr
    read = len([line for line in (DRIFT / "control.jsonl").read_text().splitlines() if line.strip()])
    assert f"warning: all {read} records were filtered out (--include-path '/nowhere/**'): " \
           "nothing was checked" in done.stderr
    some = _check("--spec", SPEC, "-i", str(DRIFT / "control.jsonl"), "--method", "DELETE", "-f", "json")
    assert "records filtered out in" in some.stderr


# -- a spec accepts the traffic it was learned from ------------------------------------------------

ENGINES = [pytest.param(True, id="native", marks=pytest.mark.skipif(not native.AVAILABLE, reason="no native")),
           pytest.param(False, id="pure")]


@pytest.fixture
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Fold and decode natively, or in Python only (as SPECBUILD_PURE=1 does)."""
    on: bool = request.param
    monkeypatch.setattr(native, "AVAILABLE", on and native.AVAILABLE)
    return on


def learned_and_checked(records: list[dict[str, Any]], tmp_path: Path,
                        capsys: pytest.CaptureFixture[str]) -> tuple[dict[str, Any], str]:
    """The spec ``build`` learns from ``records``, and ``check``'s report of the same records against it."""
    path = tmp_path / "traffic.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    assert run(["build", "-i", str(path), "-o", str(tmp_path / "out"), "-q"], capsys)[0] == 0
    spec = tmp_path / "out" / "openapi.json"
    code, out, _ = run(["check", "--spec", str(spec), "-i", str(path), "--fail-on", "info"], capsys)
    assert code in (0, 1), out
    return json.loads(spec.read_text()), out


def call(method: str, path: str, status: int, *, body: str | None = None, ctype: str | None = None,
         resp: str | None = None, resp_ctype: str | None = None) -> dict[str, Any]:
    req: dict[str, Any] = {"method": method, "protocol": "https", "host": "api.example.com", "pathname": path,
                           "query": {}, "headers": {"content-type": ctype} if ctype else {}}
    res: dict[str, Any] = {"statusCode": status, "headers": {"content-type": resp_ctype} if resp_ctype else {}}
    if body is not None:
        req["body"] = body
    if resp is not None:
        res["body"] = resp
    return {"request": req, "response": res}


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
def test_a_body_sent_without_content_type_is_documented_as_any_media_type(
        engine: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A bare ``401 Unauthorized`` without Content-Type was documented application/octet-stream: a
    reader of the spec expects that header. The server named no type: ``*/*``, which check accepts."""
    records = [call("GET", "/flows", 200, resp=json.dumps([{"id": str(i)}]), resp_ctype="application/json")
               for i in range(12)] + [call("GET", "/flows", 401, resp="Unauthorized") for _ in range(4)]
    doc, out = learned_and_checked(records, tmp_path, capsys)
    assert list(doc["paths"]["/flows"]["get"]["responses"]["401"]["content"]) == ["*/*"]
    assert "no findings" in out


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
def test_a_response_sometimes_empty_passes_check_against_its_own_spec(
        engine: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One operation's 200 with a body in some exchanges and none in others: documented with its body,
    check called each empty one response-body-missing (breaking) against the spec learned from them."""
    records = [call("GET", f"/jobs/{i}/result", 200, resp=json.dumps({"value": i}) if i % 3 else None,
                    resp_ctype="application/json" if i % 3 else None) for i in range(1, 30)]
    doc, out = learned_and_checked(records, tmp_path, capsys)
    ok = doc["paths"]["/jobs/{jobId}/result"]["get"]["responses"]["200"]
    assert "application/json" in ok["content"] and ok["x-specbuild-body-optional"] is True
    assert "no findings" in out
    always = [r for r in records if "body" in r["response"]]
    doc, out = learned_and_checked(always, tmp_path, capsys)
    assert "x-specbuild-body-optional" not in doc["paths"]["/jobs/{jobId}/result"]["get"]["responses"]["200"]
    assert "no findings" in out
