"""drift: each kind of drift found with its kind and severity, nothing found where there is none,
grouping, redaction, order independence, exit codes; and the learned-spec and devset controls."""

from __future__ import annotations

import contextlib
import gzip
import json
import re
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import specbuild.drift.check as drift
from specbuild.drift import check as drift_check
from specbuild.drift.check import Finding
from specbuild.drift.kinds import TRAFFIC_KINDS as KINDS
from specbuild.drift.kinds import exit_code
from specbuild.errors import RecordError
from specbuild.io.validate import BodyValidator
from specbuild.records import Exchange, decode

# The checker is pure: the caller hands it the body validator (jsonschema) that explains a rejection.
Checker = partial(drift_check.Checker, explain=BodyValidator)
check = partial(drift_check.check, explain=BodyValidator)

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fixtures" / "drift"
DEVSET = ROOT.parent / "shared" / "devset"
INDEX = json.loads((CORPUS / "cases.json").read_text())
SPEC = json.loads((CORPUS / INDEX["spec"]).read_text())


def exchanges(path: Path) -> list[Exchange]:
    if path.suffix == ".gz":
        with gzip.open(path) as fh:
            raw = fh.read()
    else:
        raw = path.read_bytes()
    out = []
    for number, line in enumerate(raw.splitlines(), 1):
        if line.strip():
            with contextlib.suppress(RecordError):  # the messy fixture has bad records on purpose
                out.append(decode(line, f"{path.name}:{number}"))
    return out


def summary(findings: list[Finding]) -> list[tuple[str, str, str, int]]:
    return sorted((f.operation, f.kind, f.severity, f.count) for f in findings)


def rec(method: str, path: str, status: int, answer: Any = None, **request: Any) -> Exchange:
    """An exchange; ``request`` holds extra request fields (``body``, ``headers``)."""
    response: dict[str, Any] = {"statusCode": status}
    if answer is not None:
        response["body"] = json.dumps(answer)
        response["headers"] = {"content-type": "application/json"}
    return decode({"request": {"method": method, "path": path, **request}, "response": response}, "t:1")


# --- the corpus ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(INDEX["cases"]))
def test_each_kind_of_drift_is_found_with_its_kind_and_severity(name: str) -> None:
    case = INDEX["cases"][name]
    spec = json.loads((CORPUS / case["spec"]).read_text()) if "spec" in case else SPEC
    found = check(spec, exchanges(CORPUS / case["traffic"]))
    expected = sorted((e["operation"], e["kind"], e["severity"], e["count"]) for e in case["expected"])
    assert summary(found) == expected


def test_the_corpus_covers_every_kind_and_its_severity_matches_the_table() -> None:
    covered = {e["kind"] for case in INDEX["cases"].values() for e in case["expected"]}
    assert covered == set(KINDS)
    for case in INDEX["cases"].values():
        for e in case["expected"]:
            assert KINDS[e["kind"]].severity == e["severity"]


def test_the_control_traffic_gives_no_finding() -> None:
    assert check(SPEC, exchanges(CORPUS / INDEX["control"])) == []


def test_the_kinds_are_listed_once_in_the_registry_and_its_doc_is_generated_from_it() -> None:
    import specbuild.drift.kinds as kinds

    assert "========" not in (drift.__doc__ or "")  # no second copy of the table to drift apart
    doc = kinds.__doc__ or ""
    for k in KINDS.values():
        assert kinds.TRAFFIC_KINDS[k.name] is k and f"{k.severity:<8}  {k.meaning}" in doc
    assert not set(KINDS) & set(kinds.CHANGE_KINDS)  # a name means one thing in every report


# --- grouping, examples, order ------------------------------------------------------------------


def test_many_exchanges_with_one_drift_are_one_finding_with_a_count_and_one_example() -> None:
    pet = {"id": 1, "name": "Rex", "status": "available"}
    traffic = [rec("get", f"/v1/pets/{i}", 200, {**pet, "id": i, "colour": f"c{i}"}) for i in range(1, 51)]
    [finding] = check(SPEC, traffic)
    assert (finding.kind, finding.count, finding.subjects) == (
        "response-undocumented-property",
        50,
        ("200 colour",),
    )
    assert finding.example.seen == '"c1"'  # the smallest by content, whatever the order


def test_a_client_error_in_another_media_type_than_an_inferred_4xx_is_info() -> None:
    """Unleash's rate limiter answered 429 in text/html where the learner had inferred a JSON ``4XX`` from
    the API's other errors: a guess that missed, not a change of the API (info). The same answer
    against a 4XX the traffic showed is an error page in another media type (a warning: the status still
    says what happened, as Express's own HTML 404 does); a success in another media type is breaking."""
    def spec(inferred: bool) -> dict[str, Any]:
        error = {"description": "Client error", "content": {"application/json": {"schema": {"type": "object"}}}}
        if inferred:
            error["x-specbuild-inferred"] = True
        return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/flags": {"get": {
            "responses": {"200": {"description": "OK"}, "4XX": error}}}}}
    limited = decode({"request": {"method": "get", "path": "/flags"}, "response": {
        "statusCode": 429, "headers": {"content-type": "text/html"}, "body": "<h1>Too many requests</h1>"}}, "t:1")
    [guess] = check(spec(True), [limited])
    assert (guess.kind, guess.severity) == ("response-inferred-media-type", "info")
    assert exit_code([guess], "breaking") == 0
    [seen] = check(spec(False), [limited])
    assert (seen.kind, seen.severity) == ("response-error-media-type", "warning")
    page = decode({"request": {"method": "get", "path": "/flags"}, "response": {
        "statusCode": 200, "headers": {"content-type": "text/html"}, "body": "<h1>Flags</h1>"}}, "t:2")
    documented = spec(False)
    documented["paths"]["/flags"]["get"]["responses"]["200"]["content"] = {"application/json": {"schema": {}}}
    [changed] = check(documented, [page])
    assert (changed.kind, changed.severity) == ("response-media-type", "breaking")


def test_a_body_declared_json_that_is_not_is_left_unchecked_not_a_finding() -> None:
    """A server's plain-text error page under application/json: the status is checked, the body is not
    (counted as unchecked); a JSON body of the wrong shape at the same place still is a finding."""
    pet = {"id": 1, "name": "Rex", "status": "available"}
    text = decode({"request": {"method": "get", "path": "/v1/pets/1"}, "response": {
        "statusCode": 200, "headers": {"content-type": "application/json"}, "body": "pet 1 is resting"}}, "t:1")
    checker = Checker(SPEC).add_all([text, rec("get", "/v1/pets/2", 200, pet)])
    assert checker.findings() == [] and checker.stats.bodies_unchecked == 1
    [finding] = check(SPEC, [text, rec("get", "/v1/pets/2", 200, [pet])])
    assert finding.kind == "response-type-mismatch"


def test_subjects_are_capped_and_say_there_are_more() -> None:
    pet = {"id": 1, "name": "Rex", "status": "available"}
    extra = {f"p{i:02}": i for i in range(30)}
    [finding] = check(SPEC, [rec("get", "/v1/pets/1", 200, {**pet, **extra})])
    assert finding.count == 1
    assert len(finding.subjects) == drift.MAX_SUBJECTS and finding.more_subjects
    assert finding.subjects[0] == "200 p00"


ALL_CORPUS = [ex for name in sorted(INDEX["cases"]) for ex in exchanges(CORPUS / INDEX["cases"][name]["traffic"])]


@settings(max_examples=25, deadline=None)
@given(st.permutations(ALL_CORPUS))
def test_findings_do_not_depend_on_record_order(shuffled: list[Exchange]) -> None:
    assert check(SPEC, shuffled) == check(SPEC, ALL_CORPUS)


def test_merged_checkers_equal_one_checker() -> None:
    half = len(ALL_CORPUS) // 2
    a, b = Checker(SPEC).add_all(ALL_CORPUS[:half]), Checker(SPEC).add_all(ALL_CORPUS[half:])
    a.merge(b)
    whole = Checker(SPEC).add_all(ALL_CORPUS)
    assert a.findings() == whole.findings()
    assert a.stats == whole.stats


# --- redaction ------------------------------------------------------------------------------------

SECRETS = ("hunter2", "tok-31337", "sess-4242", "k-5d1e8a7c44", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig")


def test_examples_never_carry_credentials_tokens_cookies_or_header_values() -> None:
    pet = {"id": 1, "name": "Rex", "status": "available"}
    traffic = [
        rec(
            "get",
            "/v1/pets/1?api_key=tok-31337&access=hunter2",
            200,
            {**pet, "password": "hunter2"},
            headers={
                "authorization": "Bearer tok-31337",
                "cookie": "s=sess-4242",
                "x-api-key": "k-5d1e8a7c44",
                "x-session-id": "sess-4242",  # x-session-token: a credential, an API key scheme
            },
        ),
        rec("get", "/v1/pets/1", 200, {**pet, "note": SECRETS[4]}),
        rec("get", "/v1/pets?limit=500", 200, [], headers={"x-tenant": "hunter2"}),
    ]
    findings = check(SPEC, traffic)
    kinds = {f.kind for f in findings}
    assert {
        "undocumented-query-parameter",
        "undocumented-header",
        "response-undocumented-property",
        "parameter-violation",
    } <= kinds
    text = repr(findings)
    for secret in SECRETS:
        assert secret not in text


def test_long_values_are_cut() -> None:
    pet = {"id": 1, "name": "Rex", "status": "lost" * 1000}
    [finding] = check(SPEC, [rec("get", "/v1/pets/1", 200, pet)])
    assert finding.kind == "response-enum-violation"
    assert len(finding.example.seen) <= 120 and finding.example.seen.endswith("(4002 chars)")


def test_show_redacts_by_name_and_by_value_and_summarises_containers() -> None:
    assert drift.show("hunter2", "userPassword") == "(redacted)"
    assert drift.show("Bearer abc.def") == "(redacted)"
    assert drift.show("ghp_abcdefghijklmnop1234") == "(redacted)"
    assert drift.show({"a": 1, "b": 2}) == "an object with 2 properties"
    assert drift.show([1]) == "an array of 1 item"
    assert drift.show("plain") == '"plain"'
    assert drift.show("author name", "author") == '"author name"'


# --- smaller rules -----------------------------------------------------------------------------------


def test_request_drift_answered_with_4xx_is_the_api_agreeing_with_its_spec() -> None:
    assert (
        check(
            SPEC,
            [
                rec(
                    "post",
                    "/v1/pets",
                    400,
                    {"code": 400, "message": "bad"},
                    body=json.dumps({"name": 42}),
                    headers={"content-type": "application/json"},
                )
            ],
        )
        == []
    )


def test_request_drift_answered_with_5xx_is_reported() -> None:
    found = check(SPEC, [rec("get", "/v1/pets?limit=abc", 500, {"code": 500, "message": "boom"})])
    assert summary(found) == [("GET /pets", "parameter-violation", "warning", 1)]


def test_read_only_properties_are_not_required_in_requests() -> None:
    body = json.dumps({"name": "Rex", "status": "sold"})  # no `id`: the server assigns it
    pet = {"id": 3, "name": "Rex", "status": "sold"}
    assert (
        check(SPEC, [rec("post", "/v1/pets", 201, pet, body=body, headers={"content-type": "application/json"})]) == []
    )


def test_head_is_get_without_a_body_and_cors_preflights_are_not_api_traffic() -> None:
    preflight = rec("options", "/v1/pets/1", 204, headers={"access-control-request-method": "DELETE"})
    assert check(SPEC, [rec("head", "/v1/pets/1", 200), preflight]) == []
    [finding] = check(SPEC, [rec("options", "/v1/pets/1", 200)])
    assert finding.kind == "undocumented-method"


def test_paths_match_with_and_without_the_server_base_path() -> None:
    pet = {"id": 1, "name": "Rex", "status": "available"}
    assert check(SPEC, [rec("get", "/v1/pets/1", 200, pet), rec("get", "/pets/1", 200, pet)]) == []


def test_json_flavoured_media_types_read_as_json() -> None:
    ex = decode(
        {
            "request": {"method": "get", "path": "/v1/pets/1"},
            "response": {
                "statusCode": 200,
                "headers": {"content-type": "application/vnd.pets+json"},
                "body": json.dumps({"id": 1, "name": "Rex", "status": "sold"}),
            },
        },
        "t:1",
    )
    assert check(SPEC, [ex]) == []


def test_a_too_large_body_is_counted_as_unchecked() -> None:
    raw = {
        "request": {"method": "get", "path": "/v1/pets/1"},
        "response": {
            "statusCode": 200,
            "headers": {"content-type": "application/json"},
            "body": json.dumps({"id": 1, "name": "x" * 500, "status": "sold"}),
        },
    }
    checker = Checker(SPEC).add_all([decode(raw, "t:1", max_body_bytes=100)])
    assert checker.findings() == [] and checker.stats.bodies_unchecked == 1


@pytest.mark.parametrize(("fail_on", "expected"), [("breaking", 1), ("warning", 1), ("info", 1), ("never", 0)])
def test_exit_code_when_something_breaks(fail_on: str, expected: int) -> None:
    findings = check(SPEC, exchanges(CORPUS / "undocumented-server-error.jsonl"))
    assert exit_code(findings, fail_on) == expected


@pytest.mark.parametrize(("fail_on", "expected"), [("breaking", 0), ("warning", 0), ("info", 1), ("never", 0)])
def test_exit_code_for_additive_drift(fail_on: str, expected: int) -> None:
    findings = check(SPEC, exchanges(CORPUS / "response-undocumented-property.jsonl"))
    assert exit_code(findings, fail_on) == expected
    assert exit_code([], fail_on) == 0


# --- controls: a spec learned from traffic accepts that traffic -----------------------------------


def _build_spec() -> Any:
    try:
        from specbuild import build_spec
    except ImportError as exc:  # the builder lands separately
        pytest.skip(f"specbuild.build_spec is not importable yet ({exc})")
    return build_spec


@pytest.mark.parametrize("name", ["users.jsonl", "messy.jsonl"])
def test_a_spec_learned_from_fixture_traffic_finds_no_drift_in_it(name: str) -> None:
    build_spec = _build_spec()
    traffic = exchanges(ROOT / "fixtures" / name)
    assert check(build_spec(traffic), traffic) == []


def test_a_spec_learned_from_the_drift_control_finds_no_drift_in_it() -> None:
    build_spec = _build_spec()
    traffic = exchanges(CORPUS / INDEX["control"])
    assert check(build_spec(traffic), traffic) == []


needs_devset = pytest.mark.skipif(not DEVSET.is_dir(), reason="needs ../shared/devset (not in this checkout)")
DEVSET_FILES = (
    sorted(p.name.removesuffix(".jsonl.gz") for p in DEVSET.glob("*.jsonl.gz")) if DEVSET.is_dir() else ["(none)"]
)


@pytest.mark.slow
@needs_devset
@pytest.mark.parametrize("name", DEVSET_FILES)
def test_a_spec_learned_from_a_devset_file_finds_no_drift_in_it(name: str) -> None:
    build_spec = _build_spec()
    traffic = exchanges(DEVSET / f"{name}.jsonl.gz")
    assert check(build_spec(traffic), traffic) == []


# The truth specs are real API descriptions: one GitHub schema says `oneOf` of three nullable types,
# so a null matches all three and is invalid by JSON Schema. And the live1000 traffic was recorded
# from a mock server (Prism) that adds random properties to objects: additive drift, rightly reported.
TRUTH_KNOWN = {"github": {("response-schema-violation", "422 errors[].value")}}


@pytest.mark.slow
@needs_devset
@pytest.mark.parametrize("name", DEVSET_FILES)
def test_the_truth_spec_finds_no_drift_in_its_own_traffic(name: str) -> None:
    truth = json.loads((DEVSET / f"{name}.truth.json").read_text())
    found = check(truth, exchanges(DEVSET / f"{name}.jsonl.gz"))
    known = TRUTH_KNOWN.get(re.sub(r"-.*", "", name), set())
    unexpected = [
        f
        for f in found
        if not {(f.kind, s) for s in f.subjects} <= known
        and not (name.endswith("live1000") and f.kind == "response-undocumented-property")
    ]
    assert unexpected == []


# --- unions: what broke, not "matches none of anyOf" ------------------------------------------------
_ITEM = {"type": "object", "required": ["n"], "properties": {"n": {"type": "integer", "x-specbuild-seen": 30}},
         "x-specbuild-seen": 30}
_UNION_BODY = {"type": "object", "x-specbuild-seen": 40, "properties": {
    "results": {"type": "array", "items": {"anyOf": [_ITEM, {"type": "string", "x-specbuild-seen": 10}]}}}}
UNION_SPEC = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/agg": {"get": {"responses": {
    "200": {"description": "OK", "content": {"application/json": {"schema": _UNION_BODY}}}}}}}}


def test_a_value_of_a_type_no_branch_of_a_union_has_is_a_type_change_weighed_by_its_evidence() -> None:
    traffic = [rec("GET", "/agg", 200, {"results": [{"n": 1}, "a"]}) for _ in range(30)]
    traffic.append(rec("GET", "/agg", 200, {"results": [9.9]}))
    (finding,) = drift_check.check(UNION_SPEC, traffic, explain=BodyValidator)
    # one of 31 against 40 seen: within the evidence, "we know more now", not a break
    assert (finding.kind, finding.severity) == ("response-type-refined", "info")
    assert finding.example.expected == "object or string" and finding.example.pointer == "results[0]"


def test_a_value_a_branch_of_a_union_takes_is_judged_by_that_branch_s_rules() -> None:
    traffic = [rec("GET", "/agg", 200, {"results": [{"n": "many"}]})]
    (finding,) = drift_check.check(UNION_SPEC, traffic, explain=BodyValidator)
    assert finding.kind in ("response-type-mismatch", "response-type-refined")
    assert (finding.example.pointer, finding.example.expected) == ("results[0].n", "integer")
    (missing,) = drift_check.check(UNION_SPEC, [rec("GET", "/agg", 200, {"results": [{}]})], explain=BodyValidator)
    assert missing.kind.startswith("response-required") and missing.example.pointer == "results[0].n"


def test_a_claim_inside_a_union_rests_on_the_branch_the_value_was_judged_by_in_either_order() -> None:
    """An article and an event under one operation both have a ``status`` enum: an event's new status is
    judged by the event's counts (3 seen: "we know more"), not the article's (300), whichever comes first."""
    article = {"type": "object", "x-specbuild-seen": 300, "required": ["title"], "properties": {
        "title": {"type": "string"}, "status": {"type": "string", "enum": ["draft", "published"]}}}
    event = {"type": "object", "x-specbuild-seen": 3, "properties": {
        "capacity": {"type": "integer"}, "status": {"type": "string", "enum": ["open", "closed"]}}}
    traffic = [rec("GET", "/items", 200, {"data": {"capacity": 5, "status": "cancelled"}}) for _ in range(2)]
    for branches in ([article, event], [event, article]):
        body = {"type": "object", "x-specbuild-seen": 303, "properties": {"data": {"anyOf": branches}}}
        spec = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/items": {"get": {
            "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": body}}}}}}}}
        (finding,) = drift_check.check(spec, traffic, explain=BodyValidator)
        assert (finding.kind, finding.example.pointer) == ("response-enum-refined", "data.status"), branches[0]
