"""drift/presence.py: the learned properties ``check`` follows through traffic (``response-property-gone``),
reviewed as a stranger would: no alarm on an unchanged API, the same findings whatever the order or the
workers."""

from __future__ import annotations

from typing import Any

import orjson

from specbuild.drift.check import Checker, Finding
from specbuild.io.validate import BodyValidator
from specbuild.learn.builder import SpecBuilder
from specbuild.records import decode
from specbuild.run import Fold, build_document

Line = tuple[bytes, str]


def _word(i: int) -> str:
    """A name a person picks, never a number: ``bak-cad``."""
    letters = "abcdefghij"
    return "-".join("".join(letters[int(d)] for d in f"{part:03d}") for part in divmod(i, 1000))


def _line(method: str, path: str, body: Any, origin: str, status: int = 200,
          media: str = "application/json") -> Line:
    return (orjson.dumps({"request": {"method": method, "path": path}, "response": {
        "statusCode": status, "headers": {"content-type": media}, "body": orjson.dumps(body).decode()}}), origin)


def _learned(lines: list[Line]) -> dict[str, Any]:
    b = SpecBuilder()
    Fold(b).feed(lines)
    return build_document(b)


def _checked(spec: dict[str, Any], lines: list[Line], shares: int = 1) -> list[Finding]:
    checkers = [Checker(spec, explain=BodyValidator) for _ in range(shares)]
    for i, (raw, origin) in enumerate(lines):
        checkers[i % shares].add(decode(raw, origin))
    for other in checkers[1:]:
        checkers[0].merge(other.state())
    return checkers[0].findings()


def _gone(findings: list[Finding]) -> list[tuple[str, ...]]:
    return [(f.operation, *f.subjects) for f in findings if f.kind == "response-property-gone"]


def _files(n: int, start: int = 0) -> list[Line]:
    return [_line("GET", f"/files/{_word(i)}", {"name": _word(i), "size": i,
                                               "owner": {"id": i, "login": _word(i)}}, f"t:{i}")
            for i in range(start, start + n)]


PERSON: dict[str, Any] = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {
    "schemas": {"User": {"type": "object", "properties": {"id": {"type": "integer"}, "login": {"type": "string"},
                                                          "nickname": {"type": "string"}}}}}}


def test_a_person_s_component_in_an_overlay_spec_is_no_evidence_of_presence() -> None:
    """``--spec FILE``: a learned object that fits a person's component is a ``$ref`` to it (learn/overlay.py),
    and the person's optional ``nickname`` there carries no count: it was never seen at all, in no learned
    object, yet read as "in every object" of the learned body above it. Traffic that never sent it either
    (the API unchanged) was ``response-property-gone``, breaking; and ``build --check``, whose new owner
    (with an ``avatar``) no longer fits the person's ``User``, called it a proven removal."""
    from specbuild.drift.diff import diff
    from specbuild.learn.overlay import overlay
    spec = overlay(PERSON, _learned(_files(47)))
    body = spec["paths"]["/files/{fileName}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert body["properties"]["owner"] == {"$ref": "#/components/schemas/User"}
    assert _gone(_checked(spec, _files(47, 1000))) == []
    avatar = [_line("GET", f"/files/{_word(i)}", {"name": _word(i), "size": i, "owner": {
        "id": i, "login": _word(i), "avatar": "a.png"}}, f"t:{i}") for i in range(1000, 1047)]
    head = overlay(PERSON, _learned(avatar))
    assert [(c.kind, c.pointer) for c in diff(spec, head, learned_head=True) if c.severity == "breaking"] == []
    # a learned component of its own (no person's to fit) is counted: its property gone is still caught
    mine = _learned(_files(47))
    gone = [_line("GET", f"/files/{_word(i)}", {"name": _word(i), "size": i, "owner": {"id": i}}, f"t:{i}")
            for i in range(1000, 1047)]
    assert _gone(_checked(mine, gone)) == [("GET /files/{fileName}", "200 owner.login")]


def test_the_example_of_a_property_gone_is_an_answer_that_reached_it_whatever_the_order() -> None:
    """The finding's example was the smallest exchange that reached *any* parent still followed when it came:
    an answer without ``q`` at all (so without ``q.d``), seen before ``p`` settled, was the example of
    ``q.d`` gone in one record order and not in the other, nor with two workers. It is now the smallest
    answer that reached the parent of a property reported gone."""
    def body(i: int, d: bool = True) -> dict[str, Any]:
        return {"id": i, "p": {"c": i}, "q": {"d": i} if d else {"e": i}}
    base = _learned([_line("GET", f"/files/{_word(i)}", body(i), f"t:{i}") for i in range(1, 48)])
    traffic = [_line("GET", f"/files/{_word(i)}", body(i, d=False), f"t:{i}") for i in range(1001, 1048)]
    small = _line("GET", "/files/a", {"id": 0, "p": {}}, "t:0")  # no q: nothing of q.d's
    runs = [_checked(base, [small, *traffic]), _checked(base, [*traffic, small]),
            _checked(base, [small, *traffic], shares=2), _checked(base, [*traffic, small], shares=2)]
    examples = [[(f.subjects, f.count, f.example) for f in run if f.kind == "response-property-gone"]
                for run in runs]
    assert examples[0] and examples[0][0][0] == ("200 q.d",)
    assert all(e == examples[0] for e in examples), examples
    assert examples[0][0][2].request == "GET /files/aab-aab"


def test_a_property_gone_from_two_statuses_of_one_operation_is_one_finding_in_any_order() -> None:
    """``PUT`` answering 201 (created) and 200 (replaced), each learned with ``etag`` in every answer: gone
    from both, ``check`` made one finding per status of the same operation and kind, listed in the order
    the statuses first came (check's findings are one per operation and kind, sorted: never by arrival)."""
    def put(i: int, status: int, etag: bool = True) -> Line:
        return _line("PUT", f"/files/{_word(i)}", {"name": _word(i), **({"etag": f"e{i}"} if etag else {})},
                     f"t:{status}:{i}", status=status)
    base = _learned([put(i, 201) for i in range(1, 48)] + [put(i, 200) for i in range(101, 148)])
    created = [put(i, 201, etag=False) for i in range(1001, 1048)]
    replaced = [put(i, 200, etag=False) for i in range(1101, 1148)]
    one, other = _checked(base, created + replaced), _checked(base, replaced + created)
    assert _gone(one) == _gone(other) == [("PUT /files/{fileName}", "200 etag", "201 etag")]
    assert one == other == _checked(base, created + replaced, shares=2)


def test_each_media_type_of_a_response_is_followed_by_its_own_schema_whatever_came_first() -> None:
    """A 200 learned in two JSON media types, each its own schema: the one the first answer came in decided
    what was followed for both (a HAL answer first: nothing; ``etag`` gone from every plain JSON answer
    unseen), so the finding came and went with the record order and the workers' shares."""
    def get(i: int, hal: bool = False, etag: bool = True) -> Line:
        body: dict[str, Any] = {"_links": {"self": {"href": f"/files/{_word(i)}"}}} if hal else \
            {"name": _word(i), **({"etag": f"e{i}"} if etag else {})}
        return _line("GET", f"/files/{_word(i)}", body, f"t:{i}", media="application/hal+json" if hal else
                     "application/json")
    # 58 distinct requests: too few to claim ``required`` (learn/rules.py REQUIRED_MIN_WITNESSES)
    base = _learned([get(i) for i in range(1, 30)] + [get(i, hal=True) for i in range(101, 130)])
    assert len(base["paths"]["/files/{fileName}"]["get"]["responses"]["200"]["content"]) == 2
    plain = [get(i, etag=False) for i in range(1001, 1030)]
    hal = [get(i, hal=True) for i in range(1101, 1130)]
    want = [("GET /files/{fileName}", "200 etag")]
    assert _gone(_checked(base, plain + hal)) == _gone(_checked(base, hal + plain)) == want
    assert _gone(_checked(base, hal + plain, shares=2)) == want


def test_a_component_shared_by_several_places_lends_none_its_counts_below_the_body() -> None:
    """``meta`` is in 3 of the 47 files' answers and in each of 130 directories': one component, whose count
    is the directories' 130 (learn/components.py keeps the best-evidenced place's). Before the ``$ref`` at the
    file's ``meta`` carried a count of its own, ``meta.x`` absent from the 3 metas of 47 new answers read as
    "in every one of 47 objects before, in none of 3 now": breaking, in both gates, where 3 after 3 is chance.
    Below the body, a component referred to more than once gives no count of this place: the ``$ref``'s own does."""
    from specbuild.drift.diff import diff

    def file(i: int, x: bool = True) -> Line:
        body: dict[str, Any] = {"name": _word(i)}
        if i % 15 == 0:
            body["meta"] = {"owner": _word(i), **({"x": _word(i + 1)} if x else {})}
        return _line("GET", f"/files/{_word(i)}", body, f"t:{i}")
    dirs = [_line("GET", f"/dirs/{_word(i)}", {"name": _word(i), "meta": {"owner": _word(i), "x": _word(i + 2)}},
                  f"u:{i}") for i in range(1, 131)]
    base = _learned([file(i) for i in range(1, 48)] + dirs)
    body = base["paths"]["/files/{fileName}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert body["properties"]["meta"] == {"$ref": "#/components/schemas/Meta", "x-specbuild-seen": 3}
    assert base["components"]["schemas"]["Meta"]["x-specbuild-seen"] == 130
    new = [file(i, x=False) for i in range(1001, 1048)]
    assert _gone(_checked(base, new)) == []
    assert [c for c in diff(base, _learned(new), learned_head=True) if c.severity == "breaking"] == []


def test_a_shared_component_its_parent_claims_required_is_followed_by_its_parent_s_count() -> None:
    """MLflow's ``runs/get``: ``run`` (a component shared with ``runs/search``) is in every answer, claimed
    required, so it was as often here as its parent; a property gone from every ``run`` below is caught by
    both gates (the shared component's own count is another place's, capped by the parent's)."""
    from specbuild.drift.diff import diff

    def got(i: int, x: bool = True) -> Line:
        return _line("GET", f"/runs/{_word(i)}", {"run": {"owner": _word(i), **({"x": _word(i + 1)} if x else {})}},
                     f"t:{i}")
    search = [_line("GET", f"/search/{_word(i)}", {"name": _word(i), "run": {"owner": _word(i), "x": _word(i)}},
                    f"u:{i}") for i in range(1, 31)]
    base = _learned([got(i) for i in range(1, 71)] + search)
    body = base["paths"]["/runs/{runName}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert body["properties"]["run"] == {"$ref": "#/components/schemas/Run"} and body["required"] == ["run"]
    assert "required" not in base["components"]["schemas"]["Run"]  # search's 30 claim none: neither does Run
    new = [got(i, x=False) for i in range(1001, 1071)]
    assert _gone(_checked(base, new)) == [("GET /runs/{runName}", "200 run.x")]
    assert [(c.kind, c.pointer, c.detail) for c in diff(base, _learned(new), learned_head=True)
            if c.severity == "breaking"] == [
        ("response-property-removed", "run.x", "in every one of 70 objects before, in none of 70 now")]


def _paged(path: str, i: int, since: bool = True) -> Line:
    """Gotify's pages of messages: ``paging`` in every answer, its ``since`` too (an application's page names it)."""
    paging = {"limit": 100, "size": 1, **({"since": i} if since else {})}
    app = {"appid": i} if path.startswith("/application/") else {}
    return _line("GET", path, {"messages": [{"id": i, "message": _word(i)}], "paging": paging, **app},
                 f"t:{path}:{i}")


def test_a_shared_component_in_every_object_of_a_thin_body_is_followed_by_its_parent_s_count() -> None:
    """Gotify's ``GET /application/{id}/message`` (39 distinct requests: too few to claim ``required``) and
    ``GET /message`` share ``Paging``, in every answer of both. Without a count of its own beside the ``$ref``
    (a spec that writes those: ``x-specbuild-evidence``), ``paging`` was in every object of its parent, so
    as often as the body; ``paging.since`` gone from all 39 new answers is caught by both gates. Before,
    neither gate followed an unclaimed shared ``$ref``: the real set's field-removed mutation went unseen."""
    from specbuild.drift.diff import diff

    apps = [_paged(f"/application/{i}/message", i) for i in range(1, 40)]
    mine = [_paged("/message", i) for i in range(1, 8)]
    base = _learned(apps + mine)
    body = base["paths"]["/application/{applicationId}/message"]["get"]["responses"]["200"]["content"][
        "application/json"]["schema"]
    assert body["properties"]["paging"] == {"$ref": "#/components/schemas/Paging"} and "required" not in body
    new = [_paged(f"/application/{i}/message", i, since=False) for i in range(101, 140)]
    assert _gone(_checked(base, new)) == [("GET /application/{applicationId}/message", "200 paging.since")]
    assert [(c.kind, c.pointer, c.detail) for c in diff(base, _learned(new), learned_head=True)
            if c.severity == "breaking"] == [
        ("response-property-removed", "paging.since", "in every one of 39 objects before, in none of 39 now")]
    # the same API: nothing
    again = [_paged(f"/application/{i}/message", i) for i in range(201, 240)]
    assert _gone(_checked(base, again)) == []
    assert [c for c in diff(base, _learned(again), learned_head=True) if c.severity == "breaking"] == []


def test_a_spec_without_the_evidence_marker_follows_no_unclaimed_shared_ref() -> None:
    """A spec learned before counts were written beside a ``$ref`` (no ``x-specbuild-evidence``) says nothing
    of how often an unclaimed shared component was in its parent: neither gate follows it."""
    from specbuild.drift.diff import diff

    apps = [_paged(f"/application/{i}/message", i) for i in range(1, 40)]
    base = _learned(apps + [_paged("/message", i) for i in range(1, 8)])
    del base["x-specbuild-evidence"]
    new = [_paged(f"/application/{i}/message", i, since=False) for i in range(101, 140)]
    assert _gone(_checked(base, new)) == []
    assert [c for c in diff(base, _learned(new), learned_head=True) if c.severity == "breaking"] == []


def test_an_object_null_in_some_answers_is_no_absence_in_build_check() -> None:
    """GitHub's workflow run: ``head_commit`` in every answer, null in 8 of 22 of the second sample. An object's
    count is of its objects, not of the answers that held the property (a null is no object), so the count
    beside its ``$ref`` (14) is no "absent from 8": the diff read it as one and reported 18 breaking
    ``response-property-now-optional`` on the devset's unchanged GitHub API."""
    from specbuild.drift.diff import diff

    def run(i: int, null: bool = False) -> Line:
        return _line("GET", f"/runs/{i}", {"id": i, "head_commit": None if null else {"id": _word(i), "tree": "t"}},
                     f"t:{i}")
    base = _learned([run(i) for i in range(1, 84)])
    body = base["paths"]["/runs/{runId}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert "head_commit" in body["required"]
    head = _learned([run(i, null=i % 3 == 0) for i in range(1001, 1023)])
    assert [(c.kind, c.pointer) for c in diff(base, head, learned_head=True) if c.severity == "breaking"] == []
    assert _gone(_checked(base, [run(i, null=i % 3 == 0) for i in range(1001, 1023)])) == []


def _filed(i: int, x: bool = True) -> Line:
    """A file whose ``meta`` (in 3 of every 10) is the directories' ``Meta``: ``x`` and ``y`` in every one."""
    meta = {"meta": {**({"x": i} if x else {}), "y": _word(i)}} if i % 10 < 3 else {}
    return _line("GET", f"/files/{_word(i)}", {"name": _word(i), "size": i, **meta}, f"f:{i}")


def test_a_ref_s_own_count_caps_its_shared_component_s_count_in_the_diff() -> None:
    """``meta`` is in 60 of the files' 200 answers (its count beside the ``$ref``) and in each of 600
    directories': one ``Meta`` requiring ``x``, counted 587 (its best-evidenced place's). ``build --check``
    weighed ``x`` absent from 5 of 60 new metas on the component's count capped only by the bodies: "from
    none of 200 before", breaking, where the files held 60 metas (5 of 60 after 60 of 60: p 0.03, chance,
    and ``check`` says so). The ``$ref``'s own count caps the pooled one below it."""
    from specbuild.drift.diff import diff

    dirs = [_line("GET", f"/dirs/{_word(i)}", {"name": _word(i), "meta": {"x": i, "y": _word(i)}}, f"d:{i}")
            for i in range(1, 601)]
    base = _learned([_filed(i) for i in range(200)] + dirs)
    body = base["paths"]["/files/{fileName}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert body["properties"]["meta"] == {"$ref": "#/components/schemas/Meta", "x-specbuild-seen": 60}
    assert base["components"]["schemas"]["Meta"]["required"] == ["x", "y"]
    new = [_filed(i, x=i % 10 != 0 or i >= 1050) for i in range(1000, 1200)]
    assert [f for f in _checked(base, new) if f.severity == "breaking"] == []
    assert [(c.kind, c.pointer, c.detail) for c in diff(base, _learned(new), learned_head=True)] == [
        ("response-required-unproven", "meta.x", "absent from 5 of 60 objects (from none of 60 before)")]


def _thing(i: int, state: bool) -> Line:
    return _line("GET", f"/things/{_word(i)}", {"id": i, "name": _word(i), **(
        {"state": "open" if i % 2 else "closed"} if state else {})}, f"o:{i}")


def test_an_enum_absent_from_some_objects_is_not_merged_with_a_string_always_there() -> None:
    """``GET /things/{id}`` answers ``state`` (open or closed: an enum) in 27 of its 80 things; the list's
    things always have one, any string. Like-named, the enum joined the string as the wider of the two
    (learn/components.py ``_wider``) whatever each one's presence: one ``Thing`` whose ``state`` carried no
    count, read as in every one of the 80 things. 25 new things without it (the same API: two in three
    never had one) were ``response-property-gone`` and a proven ``response-property-removed``, "in every
    one of 80 objects before". An enum absent from some objects is a string always there no more than an
    object is (the count beside its ``$ref``)."""
    from specbuild.drift.diff import diff

    lists = [_line("GET", f"/things?page={i}", [{"id": j, "name": _word(j), "state": _word(j)}
                                                for j in range(i, i + 3)], f"l:{i}") for i in range(80)]
    base = _learned([_thing(i, i % 3 == 0) for i in range(80)] + lists)
    body = base["paths"]["/things/{thingName}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    state = body["properties"]["state"] if "properties" in body else \
        base["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]["properties"]["state"]
    assert state["x-specbuild-seen"] == 27
    new = [_thing(i, False) for i in range(5000, 5025)]
    assert _gone(_checked(base, new)) == []
    assert [c for c in diff(base, _learned(new), learned_head=True) if c.severity == "breaking"] == []


FILE_SPEC: dict[str, Any] = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {
    "schemas": {"File": {"type": "object", "properties": {"name": {"type": "string"}, "size": {"type": "integer"},
                                                          "meta": {"$ref": "#/components/schemas/Meta"}},
                         "required": ["meta", "name"]},
                "Meta": {"type": "object", "properties": {"x": {"type": "integer"}, "y": {"type": "string"}}}}}}


def _metas(start: int) -> list[Line]:
    """Files, ``meta`` in 3 of every 47."""
    return [_line("GET", f"/files/{_word(i)}", {"name": _word(i), "size": i, **(
        {"meta": {"x": i, "y": _word(i)}} if i % 16 == 0 else {})}, f"f:{i}") for i in range(start, start + 47)]


def test_a_person_s_required_object_is_not_fitted_by_a_learned_one_absent_from_most() -> None:
    """``--spec FILE``: the person's ``File`` requires ``meta``; the learned file had ``meta`` in 3 of 47 answers
    (its count beside its ``$ref``). A learned object fits a person's component only if every property it
    requires was in every learned object (learn/agreement.py ``_always``), which read the count of the
    component behind the ``$ref`` (the person's ``Meta``, which the learned one joined: no count, read as
    "always"), not the one beside it: the body became the person's ``File``, and the same API's next 47
    answers were 44 ``response-missing-required``, breaking."""
    from specbuild.learn.overlay import overlay
    spec = overlay(FILE_SPEC, _learned(_metas(0)))
    body = spec["paths"]["/files/{fileName}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert body.get("$ref") != "#/components/schemas/File"
    assert [f for f in _checked(spec, _metas(1000)) if f.severity == "breaking"] == []


def test_a_shared_object_answered_empty_everywhere_now_is_a_removal_in_build_check() -> None:
    """Alertmanager's ``GET /api/v2/silence/{id}``: ``status`` (the shared ``SilenceStatus``, its ``state`` in
    every one of the 52 answers) answered ``{}`` in every new answer. The head learns that place as an object
    seen only empty (``{"type": "object"}``, in every parent: no count of its own), which the diff read as a
    person's free-form object with nothing to compare: ``check`` caught the mutation, ``build --check`` did not.
    A spec that says it is learned (``x-specbuild-evidence``) writes such an object only where it was seen empty."""
    from specbuild.drift.diff import diff

    def silence(path: str, i: int, state: bool = True) -> Line:
        return _line("GET", path, {"id": i, "status": {"state": "active"} if state else {}}, f"t:{path}:{i}")
    listed = [_line("GET", "/silences", [{"id": i, "status": {"state": "active"}, "comment": _word(i)}], f"u:{i}")
              for i in range(1, 5)]
    base = _learned([silence(f"/silence/{i}", i) for i in range(1, 53)] + listed)
    new = [silence(f"/silence/{i}", i, state=False) for i in range(101, 141)]
    assert [(c.kind, c.pointer) for c in diff(base, _learned(new), learned_head=True) if c.severity == "breaking"] == [
        ("response-property-removed", "status.state")]
    same = [silence(f"/silence/{i}", i) for i in range(101, 141)]
    assert [c for c in diff(base, _learned(same), learned_head=True) if c.severity == "breaking"] == []


def test_a_shared_nullable_component_is_no_licence_for_an_absence_elsewhere_in_build_check() -> None:
    """review22: fix21 read any place whose object may be null as "its count is of its objects, no absence".
    A component shared by several places is nullable where ANY of them held a null (a workflow run's
    ``head_commit``), so a push whose ``head_commit`` (required: in all 83 before) is now absent from 7 of 22
    was silent in ``build --check`` (``check`` said response-missing-required). Whether this place held
    nulls or absences the head cannot say: a required property no longer in every object there is
    ``response-required-unproven`` (info), never silence, never a proven break."""
    from specbuild.drift.diff import diff

    def run(i: int, null: bool = False) -> Line:
        return _line("GET", f"/runs/{i}", {"id": i, "head_commit": None if null else {"id": _word(i), "tree": "t"}},
                     f"t:{i}")

    def push(i: int, absent: bool = False) -> Line:
        body: dict[str, Any] = {"id": i, "ref": _word(i)}
        if not absent:
            body["head_commit"] = {"id": _word(i + 5), "tree": "t"}
        return _line("GET", f"/pushes/{i}", body, f"p:{i}")

    base = _learned([run(i) for i in range(1, 84)] + [push(i) for i in range(1, 84)])
    new = [run(i, null=i % 3 == 0) for i in range(1001, 1023)] + [push(i, absent=i % 3 == 0) for i in range(1001, 1023)]
    head = _learned(new)
    pushed = head["paths"]["/pushes/{pushId}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert pushed["properties"]["head_commit"]["$ref"] == "#/components/schemas/HeadCommit"
    assert head["components"]["schemas"]["HeadCommit"]["nullable"] is True  # the runs' nulls, shared
    changes = [c for c in diff(base, head, learned_head=True) if c.pointer == "head_commit"]
    assert ("GET /pushes/{pushId}", "response-required-unproven") in [(c.operation, c.kind) for c in changes]
    assert [c.kind for c in changes if c.severity == "breaking"] == []


def test_an_object_seen_only_empty_or_null_reads_alike_in_3_0_and_3_1() -> None:
    """review22 (of empty21): a nullable object seen only empty is ``{"nullable": true, "type": "object"}`` in
    3.0 and ``{"type": ["object", "null"]}`` in 3.1; the diff read only the first as "seen only empty", so
    Alertmanager's silence ``status`` (``state`` in all 39 objects before) answered ``{}`` or null was a proven
    removal from a 3.0 head and nothing at all from a 3.1 one (the same traffic)."""
    from specbuild.drift.diff import diff
    from specbuild.learn.render import RenderOptions

    def silence(i: int, state: bool = True) -> Line:
        status = None if i % 4 == 0 else {"state": "active"} if state else {}
        return _line("GET", f"/silence/{i}", {"id": i, "status": status}, f"t:{i}")

    def learned(lines: list[Line], openapi: str) -> dict[str, Any]:
        b = SpecBuilder()
        Fold(b).feed(lines)
        return build_document(b, RenderOptions(openapi=openapi))

    for openapi in ("3.0", "3.1"):
        base = learned([silence(i) for i in range(1, 53)], openapi)
        head = learned([silence(i, state=False) for i in range(101, 141)], openapi)
        assert [(c.kind, c.pointer) for c in diff(base, head, learned_head=True) if c.severity == "breaking"] == [
            ("response-property-removed", "status.state")], openapi
        same = learned([silence(i) for i in range(101, 141)], openapi)
        assert [c for c in diff(base, same, learned_head=True) if c.severity == "breaking"] == [], openapi
