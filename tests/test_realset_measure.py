"""scripts/real/measure.py, the real-traffic sets' measure: the parts that need no server nor devset."""

from __future__ import annotations

import gzip
from pathlib import Path
from types import ModuleType

from tests.helpers import load_script


def _measure() -> ModuleType:
    return load_script("scripts/real/measure.py")


def test_gunzip_keeps_same_named_samples_of_two_folders_apart(tmp_path: Path) -> None:
    # A set and its -swap folder both hold moto-a.jsonl.gz: one quality.py run over both must judge
    # each folder on its own samples.
    measure = _measure()
    work = tmp_path / "work"
    work.mkdir()
    unpacked = []
    for folder, text in (("set", "first\n"), ("set-swap", "second\n")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "moto-a.jsonl.gz").write_bytes(gzip.compress(text.encode()))
        unpacked.append(measure.gunzip(tmp_path / folder / "moto-a.jsonl.gz", work))
    assert [p.read_text() for p in unpacked] == ["first\n", "second\n"]
    assert unpacked[0].name.endswith("moto-a.jsonl")


def _listing(milestone: dict[str, object]) -> dict[str, object]:
    item = {"type": "object", "properties": {"id": {"type": "integer"}, "milestone": milestone}}
    content = {"application/json": {"schema": {"type": "array", "items": item}}}
    return {"paths": {"/issues": {"get": {"responses": {"200": {"content": content}}}}}}


def test_a_field_learned_without_properties_is_no_key_set_the_samples_disagree_on() -> None:
    # Gitea's issues listed in sample a all had `milestone: null` (learned `{}`), in b some had a
    # milestone object: a learned no property name there, so none of its names is a map key. Ten
    # "differ in b" were counted against a spec that named no key at all.
    measure = _measure()
    names = {f: {"type": "string"} for f in ("title", "state", "due_on", "closed_at")}
    unknown, milestone = _listing({}), _listing({"type": "object", "properties": names})
    assert measure.map_keys(unknown, milestone) == []
    grown = _listing({"type": "object", "properties": {"sales": {}, "returns": {}, "2026-01": {}}})
    assert [m["n_differ"] for m in measure.map_keys(grown, milestone)] == [7]  # key sets that disagree


def test_an_odata_annotation_of_a_property_is_no_id_like_map_key() -> None:
    # Azure Tables (Azurite, azure-data-tables) answers an entity with each typed property's annotation
    # beside it: `CreatedAt` and `CreatedAt@odata.type: "Edm.DateTime"`, `Seq@odata.type: "Edm.Int64"`.
    # The `@` read as an email's: 71 "id-like map keys" counted on a spec with none (the learner keeps
    # them as fields: rules.ANNOTATION). An annotation is `<property>@<namespace>.<term>` beside its
    # property, or OData's own `@odata.` terms (`Members@odata.count` without `Members`); keys that are
    # emails, Matrix ids or node names stay id-like.
    measure = _measure()
    entity = {f: {"type": "string"} for f in ("PartitionKey", "CreatedAt", "CreatedAt@odata.type", "Seq",
                                                "Seq@org.acme.unit", "Members@odata.count", "odata.etag")}
    assert measure.map_keys(_listing({"type": "object", "properties": entity}), None) == []
    emails = {f: {"type": "integer"} for f in ("anne@acme.test", "bob@fieldlabs.io", "rabbit@mq-1", "Seq")}
    found = measure.map_keys(_listing({"type": "object", "properties": emails}), None)
    assert [m["id_like"] for m in found] == [["anne@acme.test", "bob@fieldlabs.io", "rabbit@mq-1"]]


def test_a_leading_colon_is_a_fields_spelling_and_a_colon_inside_a_key_an_ids() -> None:
    # devpi's upload form (PyPI's legacy API) names its fields `:action` and `:protocol_version`: counted as
    # id-like map keys on a spec that has none; a key id `ed25519:AAAB` or `@alice:host` stays id-like.
    measure = _measure()
    form = {f: {"type": "string"} for f in (":action", ":protocol_version", "name", "version")}
    assert measure.map_keys(_listing({"type": "object", "properties": form}), None) == []
    keys = {f: {"type": "string"} for f in ("ed25519:AAAB", "curve25519:BBBC", "name")}
    found = measure.map_keys(_listing({"type": "object", "properties": keys}), None)
    assert [m["id_like"] for m in found] == [["curve25519:BBBC", "ed25519:AAAB"]]


def test_a_gate_finding_is_on_the_mutated_operation_whatever_the_new_spec_names_its_parameters() -> None:
    # Azurite's blobs: `build --check` learns the mutated sample b anew, and its spec named the last parameter
    # of `PUT /acmeretail/{acmeretailName}/{idOrName}/{id}/{name}` `{idOrName2}`: the breaking
    # `response-server-error-added` on that route was counted as not caught (build --check 4/6, check 6/6).
    # Two templates of one shape are one route (OpenAPI cannot hold both); another shape is another route.
    mutate = load_script("scripts/real/mutate.py")
    op = ("PUT", "/acme/{acmeName}/{idOrName}/{id}/{name}")
    assert mutate._on({"operation": "PUT /acme/{acmeName}/{idOrName}/{id}/{idOrName2}"}, op)
    assert mutate._on({"operation": "PUT /acme/{acmeName}/{idOrName}/{id}/{name}"}, op)
    assert not mutate._on({"operation": "GET /acme/{acmeName}/{idOrName}/{id}/{name}"}, op)
    assert not mutate._on({"operation": "PUT /acme/{acmeName}/{idOrName}/{id}"}, op)
    assert not mutate._on({"operation": "PUT /acme/{acmeName}/img/{id}/{name}"}, op)


def test_a_gate_finding_on_the_route_written_with_a_trailing_slash_is_on_it() -> None:
    # devpi's `GET /{user}/{index}`: with its 200s gone (the operation-removed mutation), the sample learned
    # anew writes `/{name}/{name2}/` (the calls that ended in "/" are the served ones) and `build --check`
    # reports the breaking `response-status-removed` there: it was counted as not caught.
    mutate = load_script("scripts/real/mutate.py")
    assert mutate._on({"operation": "GET /{name}/{name2}/"}, ("GET", "/{user}/{index}"))
    assert mutate._on({"operation": "GET /"}, ("GET", "/"))
    assert not mutate._on({"operation": "GET /{name}/"}, ("GET", "/{user}/{index}"))


def test_learned_paths_outside_the_truths_mount_are_not_scored() -> None:
    # Alertmanager's description (basePath /api/v2) says nothing of its probes `/-/healthy` and `/-/ready`,
    # which amtool's users and the web UI call: learned right, they were counted as paths the truth lacks
    # (paths F1 0.800 with one real miss). A learned path that cannot lie under the truth's base is out of
    # the truth's reach; one that can (a parameter where the base has a word, a wrong path under it) is
    # still scored.
    measure = _measure()
    truth = {"servers": [{"url": "/api/v2/"}], "paths": {"/alerts": {}, "/silence/{silenceID}": {}}}
    learned = ["/-/healthy", "/-/ready", "/api", "/api/v2/alerts", "/api/v2/silence/not-a-uuid", "/{mount}/v2/alerts",
               "/api/v3/alerts"]
    assert measure.outside_truth(truth, learned) == ["/-/healthy", "/-/ready", "/api", "/api/v3/alerts"]
    # a truth at the root (or with no servers) leaves nothing outside
    assert measure.outside_truth({"servers": [{"url": "/"}], "paths": {}}, learned) == []
    assert measure.outside_truth({"paths": {}}, learned) == []
    # several servers: outside only when under none of them
    two = {"servers": [{"url": "http://x/api/v2"}, {"url": "/-"}], "paths": {}}
    assert measure.outside_truth(two, learned) == ["/api", "/api/v3/alerts"]


def test_file_paths_are_scored_as_one_or_more_segments_meanwhile_and_their_trailers_kept() -> None:
    """score.py matches every ``{x}`` as one segment; the acceptance of a spec whose file path spans
    segments (``x-multiSegment``) is also read with it as one or more, a trailer after it the trailer's."""
    import re
    from types import SimpleNamespace

    measure = _measure()
    one = SimpleNamespace(template_regex=lambda p: re.compile("^" + re.sub(r"\\\{[^/]*?\\\}", "([^/]+)",
                                                                            re.escape(p)) + "/?$"))
    span = {"name": "path", "in": "path", "x-multiSegment": True}
    learned = {"paths": {"/c/{path}": {"get": {"parameters": [span]}},
                         "/c/{path}/checkpoints": {"get": {"parameters": [span]}},
                         "/u/{id}": {"get": {}}}}
    with measure.spans_as_paths(one, learned):
        file, trailer, other = (one.template_regex(p) for p in ("/c/{path}", "/c/{path}/checkpoints", "/u/{id}"))
        assert file.match("/c/a/b/c.md") and not file.match("/c/a/b.md/checkpoints")
        assert trailer.match("/c/a/b.md/checkpoints") and not other.match("/u/a/b")
    assert not one.template_regex("/c/{path}").match("/c/a/b.md")


def test_a_mutation_is_caught_only_by_a_breaking_finding_the_unmutated_sample_did_not_have() -> None:
    # Azurite's blobs: `check` already finds `response-body-missing` (breaking) on `GET /acme/{c}/{b}` in the
    # unmutated sample b (a 200 with no body where a's one 200 was XML); any mutation of that route was
    # counted as caught by that finding alone. Caught is a breaking finding of a kind the unmutated sample
    # did not raise on the route; seen, any finding on it.
    mutate = load_script("scripts/real/mutate.py")
    op = ("GET", "/acme/{acmeName}/{name}")
    before = [{"operation": "GET /acme/{acmeName}/{id}", "kind": "response-body-missing", "severity": "breaking"},
              {"operation": "GET /other", "kind": "undocumented-server-error", "severity": "breaking"}]
    already = mutate.breaking_kinds(before, op)
    assert already == {"response-body-missing"}
    same = [{"operation": "GET /acme/{acmeName}/{id}", "kind": "response-body-missing", "severity": "breaking"}]
    assert mutate.verdict(same, op, already) == {"caught": False, "seen": True,
                                                 "kinds": ["response-body-missing:breaking"]}
    new = [*same, {"operation": "GET /acme/{x}/{y}", "kind": "undocumented-server-error", "severity": "breaking"}]
    assert mutate.verdict(new, op, already)["caught"]
    assert not mutate.verdict([{"operation": "GET /acme/{a}/{b}", "kind": "x", "severity": "warning"}], op,
                              set())["caught"]


def test_no_server_error_is_asked_of_an_operation_the_spec_learned_failing_already() -> None:
    # OctoPrint: `POST /api/printerprofiles` answers 500 to a profile id that exists (its own error path), and
    # `GET /api/files/local/{name}/{name2}` answered one 500 in sample a: spec A documents the 500, so a
    # "server-error" mutation there changes nothing a gate could report, and was counted a miss of both
    # gates (both ways). It is asked of operations whose spec documents no server error only.
    mutate = load_script("scripts/real/mutate.py")
    doc = {"paths": {"/p": {"post": {"responses": {"200": {}, "500": {}}}, "get": {"responses": {"200": {}}}},
                     "/q/{id}": {"get": {"responses": {"200": {}, "5XX": {}}},
                                 "put": {"responses": {"200": {}, "4XX": {}, "default": {}}}}}}
    assert not mutate.askable("server-error", doc, ("POST", "/p"))
    assert not mutate.askable("server-error", doc, ("GET", "/q/{id}"))
    assert mutate.askable("server-error", doc, ("GET", "/p"))
    assert mutate.askable("server-error", doc, ("PUT", "/q/{id}"))
    assert mutate.askable("field-removed", doc, ("POST", "/p"))


def test_a_type_changed_mutation_leaves_a_nullable_propertys_nulls_null() -> None:
    # OctoPrint: `users[].apikey` is "REDACTED" for the admin and null for every other user. The mutation
    # changed the string to its length and each null to the text "None": the strings it added were of the
    # type learned already, so `build --check` saw "null or string -> integer or null or string" (a widening
    # within its evidence, info) where the mutation meant every string to become a number. A null has no
    # type to change: it stays null.
    mutate = load_script("scripts/real/mutate.py")
    body = {"users": [{"name": "admin", "apikey": "REDACTED"}, {"name": "anne", "apikey": None}]}
    place = mutate.common_property([body])
    assert place == ("users", "[]", "apikey")
    mutate._edit(body, place, mutate._retype)
    assert body == {"users": [{"name": "admin", "apikey": 8}, {"name": "anne", "apikey": None}]}


def test_a_field_mutation_picks_a_field_spec_a_documents_not_a_map_key() -> None:
    # Home Assistant's `GET /api/states`: each entity's `attributes` is a map of its own keys, learned as
    # `additionalProperties`. Sample b's lights all had `max_mireds`, and the mutation removed it: no claim of
    # the API, so no gate could see it, and each missed it. A removed field is one spec A documents.
    mutate = load_script("scripts/real/mutate.py")
    doc = {"paths": {"/api/states": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {
        "type": "array", "items": {"$ref": "#/components/schemas/State"}}}}}}}}},
        "components": {"schemas": {"State": {"type": "object", "properties": {
            "entity_id": {"type": "string"}, "attributes": {"type": "object", "additionalProperties": True}}}}}}
    documented = mutate.documented_fields(doc, ("GET", "/api/states"))
    assert documented(("[]", "entity_id")) and not documented(("[]", "attributes", "max_mireds"))
    body = [{"entity_id": "light.a", "attributes": {"max_mireds": 500}}]
    assert mutate.common_property([body], documented) == ("[]", "entity_id")
    only_the_map = [{"attributes": {"max_mireds": 500}}]
    assert mutate.common_property([only_the_map], documented) is None
    assert mutate.common_property([only_the_map]) == ("[]", "attributes", "max_mireds")


def test_the_totals_line_names_what_misses_issue_11s_targets_and_sums_the_gates() -> None:
    # quality.py --realset printed a line per set only: whether a landing met the targets took adding up
    # 40 lines by hand (stop 58). The totals name each set under a target and sum both gates.
    measure = _measure()

    def result(f1: float | None, accept: float, broke: int, caught: int) -> dict[str, object]:
        r: dict[str, object] = {"accept": {"rate": accept},
                                "gate": {"build_check": {"breaking": broke}, "check": {"breaking": 0}},
                                "mutations": {"recall": {"build_check": {"asked": 12, "caught": caught, "seen": 12},
                                                         "check": {"asked": 12, "caught": 12, "seen": 12}}}}
        if f1 is not None:
            r["truth"] = {"paths": {"f1": f1}, "operations": {"f1": 1.0}}
        return r

    line = measure.totals({"s/a": result(1.0, 0.99, 0, 12), "s/b": result(0.9, 0.97, 1, 10),
                           "t/c": result(None, 1.0, 0, 11)})
    assert line == ("TOTAL 3 sets | paths or ops F1 < 0.95: 1 (b) | accept < 0.98: 1 (b) | breaking on "
                    "unchanged traffic: build --check 1, check 0 | mutations build_check caught 33/36 | "
                    "mutations check caught 36/36")
