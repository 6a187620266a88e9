"""The evidence behind learned claims: the test that tells a change from knowing more
(drift/evidence.py) and the witnesses that cap it (learn/witnesses.py)."""

from __future__ import annotations

import random
from typing import Final

import orjson

from specbuild.drift.evidence import overturned, seen_along, seen_at
from specbuild.learn import state
from specbuild.learn.builder import SpecBuilder
from specbuild.learn.render import RenderOptions
from specbuild.learn.witnesses import K, Witnesses, target_hash
from specbuild.run import Fold, build_document


def test_a_claim_is_overturned_only_beyond_chance() -> None:
    assert not overturned(12, 1000, 6)       # required from 12 objects, absent from 6 of 1,000: p 0.93
    assert overturned(5000, 200, 40)         # in 5,000 of 5,000, absent from 40 of 200
    assert overturned(10, 5, 5)              # gone from all 5 new ones, where 10 of 10 had it: p 3e-4
    assert not overturned(10, 3, 3)          # ... from all 3: p 0.0035, could be chance
    assert not overturned(0, 100, 100) and not overturned(100, 100, 0)  # no claim, or nothing against it


def test_the_evidence_at_a_place_is_the_nearest_count_capped_by_the_root() -> None:
    schema = {"type": "object", "x-specbuild-seen": 20, "properties": {
        "tags": {"type": "array", "x-specbuild-seen": 15, "items": {"type": "string", "x-specbuild-seen": 300}},
        "owner": {"type": "object", "x-specbuild-seen": 8, "properties": {"login": {"type": "string"}}},
        "meta": {"type": "object", "x-specbuild-seen": 20, "additionalProperties": {"type": "integer"}},
        "either": {"anyOf": [{"type": "integer"}, {"type": "object", "x-specbuild-seen": 4,
                                                   "properties": {"x": {"type": "string"}}}]}}}
    assert seen_at(schema, ()) == 20
    assert seen_at(schema, ("owner", "login")) == 8       # in every owner: the owner's count
    assert seen_at(schema, ("tags", 3)) == 20             # 300 strings in 20 bodies: 20 witnesses at most
    assert seen_at(schema, ("meta", "any-key")) == 20
    assert seen_at(schema, ("either", "x")) == 4
    assert seen_at(schema, ("nowhere",)) is None
    assert seen_at({"type": "object"}, ("a",)) is None    # not learned: no count at the root


def test_witnesses_count_distinct_targets_in_any_order_and_merge_exactly() -> None:
    targets = [target_hash(f"/users/{i % 700}", (("page", str(i % 3)),)) for i in range(5000)]
    one, shuffled = Witnesses(), Witnesses()
    for h in targets:
        one.add(h)
    rnd = random.Random(4)
    rnd.shuffle(targets)
    halves = Witnesses(), Witnesses()
    for i, h in enumerate(targets):
        halves[i % 2].add(h)
    shuffled.merge(halves[0])
    shuffled.merge(halves[1])
    assert one.smallest() == shuffled.smallest() and len(one.smallest()) == K + 1
    assert one.count() == shuffled.count()
    count = one.count()
    assert count is not None and abs(count - 2100) < 2100 * 0.15  # 700 paths x 3 pages, estimated past K
    few = Witnesses()
    for h in targets[:50]:
        few.add(h)
    assert few.count() == len(set(targets[:50]))                  # exact below K
    assert Witnesses(known=False).count() is None


def test_the_same_entity_fetched_many_times_is_one_witness() -> None:
    lines = [(orjson.dumps({"request": {"method": "GET", "path": "/user"}, "response": {
        "statusCode": 200, "headers": {"content-type": "application/json"},
        "body": orjson.dumps({"login": "ann", "email": "a@x.io"}).decode()}}), f"t:{i}") for i in range(500)]
    b = SpecBuilder()
    Fold(b).feed(lines)
    schema = build_document(b)["paths"]["/user"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["x-specbuild-seen"] == 1 and "required" not in schema  # one witness promises nothing


def _created(bodies: list[dict[str, object]]) -> dict[str, object]:
    """The learned schema of what ``POST /runs/create`` answered, one call per body (an RPC-style API:
    one target for every call), folded as a file replay folds them (natively where it can)."""
    lines = [(orjson.dumps({"request": {"method": "POST", "path": "/runs/create",
                                        "headers": {"content-type": "application/json"},
                                        "body": orjson.dumps(body).decode()},
                            "response": {"statusCode": 200, "headers": {"content-type": "application/json"},
                                         "body": orjson.dumps({"run": {"id": f"r{i}", "name": body["name"],
                                                                       "status": "RUNNING"}}).decode()}}),
              f"t:{i}") for i, body in enumerate(bodies)]
    b = SpecBuilder()
    Fold(b).feed(lines)
    doc = build_document(b)
    schema = doc["paths"]["/runs/create"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    return dict(schema)


def test_calls_of_one_target_with_different_bodies_are_different_witnesses() -> None:
    """A hundred runs created by a hundred ``POST /runs/create`` are a hundred witnesses of what the API
    answers, not one: their claims (``required``) stand, and a second sample without ``id`` is a change."""
    schema = _created([{"name": f"run-{i}"} for i in range(80)])
    assert schema["x-specbuild-seen"] == 80 and schema["required"] == ["run"]


def test_the_same_body_posted_again_and_again_is_one_witness() -> None:
    schema = _created([{"name": "nightly"}] * 80)
    assert schema["x-specbuild-seen"] == 1 and "required" not in schema


def test_the_requests_with_bodies_are_saved_and_a_format_6_state_counts_targets() -> None:
    lines = [(orjson.dumps({"request": {"method": "POST", "path": "/runs/create", "body": f'{{"n": {i}}}',
                                        "headers": {"content-type": "application/json"}},
                            "response": {"statusCode": 201, "headers": {"content-type": "application/json"},
                                         "body": '{"id": 1}'}}), f"t:{i}") for i in range(30)]
    b = SpecBuilder()
    Fold(b).feed(lines)
    data = state.encode(b, {})
    again, _ = state.decode(data, "s")
    assert state.encode(again, {}) == data
    [resp] = [r for op in again.operations.values() for r in op.responses.values()]
    assert resp.distinct() == 30 and resp.witnesses.count() == 1
    head, _, body = data.partition(b"\n")
    doc = orjson.loads(body)
    for op in doc["builder"]["operations"]:
        for _, saved in op[2][4]:
            del saved[4]   # as format 6 held it
    old, _ = state.decode(head.replace(b" %d " % state.FORMAT, b" 6 ") + b"\n" + orjson.dumps(doc), "s")
    [resp] = [r for op in old.operations.values() for r in op.responses.values()]
    assert resp.requests is None and resp.distinct() == 1


def test_a_state_saved_before_witnesses_loads_with_their_count_unknown() -> None:
    lines = [(orjson.dumps({"request": {"method": "GET", "path": f"/items/{i}"}, "response": {
        "statusCode": 200, "headers": {"content-type": "application/json"}, "body": '{"id": 1}'}}), f"t:{i}")
        for i in range(30)]
    b = SpecBuilder()
    Fold(b).feed(lines)
    data = state.encode(b, {})
    again, _ = state.decode(data, "s")
    assert state.encode(again, {}) == data
    head, _, body = data.partition(b"\n")
    doc = orjson.loads(body)
    for op in doc["builder"]["operations"]:
        for _, resp in op[2][4]:
            del resp[3:]   # as a state of an older release holds it
    old, _ = state.decode(head + b"\n" + orjson.dumps(doc, option=orjson.OPT_SORT_KEYS), "s")
    [resp] = [r for op in old.operations.values() for r in op.responses.values()]
    assert resp.witnesses.count() is None
    schema = build_document(old)["paths"]["/items/{itemId}"]["get"]["responses"]["200"]["content"][
        "application/json"]["schema"]
    assert schema["x-specbuild-seen"] == 30  # not capped: the number of witnesses is unknown


def test_the_evidence_behind_a_shared_schema_is_read_through_its_ref() -> None:
    """A learned spec shares equal objects under components (learn/components.py); the check reads the
    body's schema made self-contained, with the shared ones in its $defs."""
    owner = {"type": "object", "x-specbuild-seen": 30, "properties": {"login": {"type": "string"},
                                                                      "bio": {"type": "string", "x-specbuild-seen": 9}}}
    schema = {"$ref": "#/$defs/d0", "$defs": {
        "d0": {"type": "object", "x-specbuild-seen": 20, "properties": {"owner": {"$ref": "#/$defs/d1"}}},
        "d1": owner}}
    assert seen_at(schema, ()) == 20
    assert seen_at(schema, ("owner", "login")) == 20      # the shared type's 30, capped by the bodies here
    assert seen_at(schema, ("owner", "bio")) == 9
    assert seen_at({"$ref": "#/$defs/gone", "$defs": {}}, ("a",)) is None


def test_the_evidence_inside_a_union_of_shared_schemas_is_read_through_the_branch_s_ref() -> None:
    """Directus answers each collection's item under one operation: a union of objects shared under
    components. A claim inside one (an integer ``capacity``) rests on that object's counts, as outside a union."""
    events = {"type": "array", "items": {"$ref": "#/$defs/event"}}
    schema = {"type": "object", "x-specbuild-seen": 500, "properties": {"data": {"anyOf": [
        {"$ref": "#/$defs/article"}, {"$ref": "#/$defs/event"}, events]}},
        "$defs": {"article": {"type": "object", "x-specbuild-seen": 300, "properties": {"title": {"type": "string"}}},
                  "event": {"type": "object", "x-specbuild-seen": 120, "properties": {
                      "capacity": {"type": "integer", "nullable": True, "x-specbuild-seen": 110}}},
                  "loop": {"anyOf": [{"$ref": "#/$defs/loop"}]}}}
    assert seen_at(schema, ("data", "capacity")) == 110
    assert seen_at(schema, ("data", "title")) == 300
    assert seen_at(schema, ("data", 0, "capacity")) == 110
    assert seen_at({**schema, "properties": {"data": {"$ref": "#/$defs/loop"}}}, ("data", "x")) is None


def test_the_evidence_along_a_rule_s_schema_path_follows_its_refs_and_its_branch() -> None:
    schema = {"$ref": "#/$defs/root", "$defs": {
        "root": {"type": "object", "x-specbuild-seen": 50, "properties": {"data": {"anyOf": [
            {"$ref": "#/$defs/a"}, {"$ref": "#/$defs/b"}]}}},
        "a": {"type": "object", "x-specbuild-seen": 40,
              "properties": {"s": {"type": "string", "x-specbuild-seen": 30}}},
        "b": {"type": "object", "x-specbuild-seen": 4, "properties": {"s": {"type": "string"}}}}}
    assert seen_along(schema, ("properties", "data", "anyOf", 0, "properties", "s", "type")) == 30
    assert seen_along(schema, ("properties", "data", "anyOf", 1, "properties", "s", "type")) == 4
    assert seen_along(schema, ("properties", "data", "anyOf")) == 50  # no branch taken: the holder's
    assert seen_along(schema, ("properties", "nowhere", "type")) == 50
    assert seen_along({"type": "object"}, ("properties",)) is None


def test_a_success_is_gone_only_beyond_chance() -> None:
    from specbuild.drift.evidence import gone
    assert gone(91, 115, 115)          # a record's 200 to 91 of 115 requests, then to none of 115: removed
    assert not gone(3, 53, 60)         # 3 successes among 50 errors, none of 60 new calls: p 0.11
    assert not gone(0, 10, 10) and not gone(5, 10, 0)


def _items(status: int, n: int, start: int = 0) -> list[tuple[bytes, str]]:
    return [(orjson.dumps({"request": {"method": "GET", "path": f"/items/{i}"}, "response": {
        "statusCode": status, "headers": {"content-type": "application/json"},
        "body": orjson.dumps({"id": i, "name": f"item {i}"} if status == 200 else {"error": "not found"}).decode()}}),
        f"t:{i}") for i in range(start, start + n)]


def _learned(lines: list[tuple[bytes, str]]) -> dict[str, object]:
    b = SpecBuilder()
    Fold(b).feed(lines)
    return build_document(b)


def test_a_route_that_now_answers_404_to_every_call_is_a_removal_a_learned_head_proves() -> None:
    """``build --check`` reads a learned head's absences as no evidence, except where counts prove one:
    each learned response says how many distinct requests it answered (``x-specbuild-seen``)."""
    from specbuild.drift.diff import diff
    base = _learned(_items(200, 80) + _items(404, 5, 1000))
    assert base["paths"]["/items/{itemId}"]["get"]["responses"]["200"]["x-specbuild-seen"] == 80
    removed = _learned(_items(404, 80, 2000))
    found = [(c.kind, c.severity) for c in diff(base, removed, learned_head=True)]
    assert ("response-status-removed", "breaking") in found
    unchanged = _learned(_items(200, 60, 3000))  # no 404 this time: no evidence that it is gone
    assert not [c for c in diff(base, unchanged, learned_head=True) if c.severity == "breaking"]
    rare = _learned(_items(200, 3) + _items(404, 50, 1000))
    assert not [c for c in diff(rare, _learned(_items(404, 60, 2000)), learned_head=True) if c.severity == "breaking"]


def test_check_tells_a_route_removed_from_a_rare_success_unseen() -> None:
    """``check``: a success a learned operation answered to 80 of 85 requests, answered to none of 80
    now (each a 404), is gone; one success among 50 errors, unseen in 60 calls, could be chance. The
    verdict is the same when the traffic is checked in two shares and merged (a pool's workers)."""
    from specbuild.drift.check import Checker
    from specbuild.io.validate import BodyValidator
    from specbuild.records import decode

    def found(spec: dict[str, object], lines: list[tuple[bytes, str]], shares: int = 1) -> list[str]:
        checkers = [Checker(spec, explain=BodyValidator) for _ in range(shares)]
        for i, (raw, origin) in enumerate(lines):
            checkers[i % shares].add(decode(raw, origin))
        for other in checkers[1:]:
            checkers[0].merge(other.state())
        return [f.kind for f in checkers[0].findings() if f.severity == "breaking"]

    route = _learned(_items(200, 80) + _items(404, 5, 1000))
    removed = _items(404, 80, 2000)
    assert found(route, removed) == found(route, removed, shares=2) == ["response-status-gone"]
    assert found(route, _items(200, 80, 3000)) == []
    rare = _learned(_items(200, 3) + _items(404, 50, 1000))
    assert found(rare, _items(404, 60, 2000)) == []


def _calls(resource: str, status: int, ids: range) -> list[tuple[bytes, str]]:
    return [(orjson.dumps({"request": {"method": "GET", "path": f"/{resource}/{i}"}, "response": {
        "statusCode": status, "headers": {"content-type": "application/json"},
        "body": orjson.dumps({f"{resource}Id": i} if status == 200 else {"error": "missing"}).decode()}}),
        f"{resource}:{i}") for i in ids]


_RESOURCES: Final = ("users", "orders", "invoices", "carts", "products", "reviews", "coupons", "shipments",
                     "refunds", "stores", "teams", "projects", "tickets", "comments", "labels", "webhooks",
                     "sessions", "devices", "reports")


def test_a_success_gone_is_weighed_across_every_operation_the_gate_asks() -> None:
    """PouchDB's ``GET /{db}/_local/{id}`` (a replication checkpoint) answered 200 to 8 of 22 requests in
    one sample and 404 to all 26 of the next, where every replication was a first: p 8.5e-4, under ALPHA.
    Alone, that is a success gone; asked of 20 operations at once, a gate would cry wolf on some unchanged
    API that often, so each is weighed at ALPHA over the operations that could be found gone (Tarone's
    Bonferroni) and it is not. A route removed (80 of 80 answered, none of 80 now) is still gone among the
    20; and one removed after 8 of 8 among 30 operations called twice, which no test could find gone
    (p 1/6 at best), is weighed alone."""
    from specbuild.drift.check import Checker
    from specbuild.drift.diff import diff
    from specbuild.drift.evidence import gone, gone_tests, route_gone
    from specbuild.io.validate import BodyValidator
    from specbuild.records import decode

    assert gone(8, 22, 26) and not gone(8, 22, 26, tests=20) and gone(80, 80, 80, tests=1000)
    assert gone_tests([(8, 22, 26)] + [(30, 30, 30)] * 19) == 19  # the checkpoint's own test could not reach 5e-5
    assert gone_tests([(8, 8, 8)] + [(2, 2, 2)] * 30) == 1 and gone_tests([]) == 1
    assert route_gone([("200", 3)], [("404", 20)])  # p 5.6e-4 alone; not among 50 that could be found gone
    assert not route_gone([("200", 3)], [("404", 20)], tests=gone_tests([(3, 3, 20)] + [(300, 300, 300)] * 50))

    def breaking(base: list[tuple[bytes, str]], now: list[tuple[bytes, str]]) -> tuple[list[str], list[str]]:
        spec = _learned(base)
        checker = Checker(spec, explain=BodyValidator)
        for raw, origin in now:
            checker.add(decode(raw, origin))
        return ([f.operation for f in checker.findings() if f.severity == "breaking"],
                [c.operation for c in diff(spec, _learned(now), learned_head=True) if c.severity == "breaking"])

    checkpoint = _calls("local", 200, range(8)) + _calls("local", 404, range(100, 114))
    unfound = _calls("local", 404, range(200, 226))
    assert breaking(checkpoint, unfound) == (["GET /local/{localId}"], ["GET /local/{localId}"])
    others = [line for name in _RESOURCES for line in _calls(name, 200, range(30))]
    again = [line for name in _RESOURCES for line in _calls(name, 200, range(500, 530))]
    assert len(_learned(checkpoint + others)["paths"]) == 20
    assert breaking(checkpoint + others, unfound + again) == ([], [])
    removed = _calls("local", 200, range(80))
    assert breaking(removed + others, _calls("local", 404, range(300, 380)) + again) == (
        ["GET /local/{localId}"], ["GET /local/{localId}"])
    few = [line for name in _RESOURCES for line in _calls(name, 200, range(2))]
    fewer = [line for name in _RESOURCES for line in _calls(name, 200, range(600, 602))]
    assert breaking(_calls("local", 200, range(8)) + few, _calls("local", 404, range(400, 408)) + fewer) == (
        ["GET /local/{localId}"], ["GET /local/{localId}"])


def test_another_success_is_no_success_gone() -> None:
    """A PUT that created (201) in one sample and only updated (200) in the next, a GET answered 304 to
    conditional calls: successes all, neither gate calls the route removed."""
    from specbuild.drift.check import Checker
    from specbuild.drift.diff import diff
    from specbuild.io.validate import BodyValidator
    from specbuild.records import decode

    def put(status: int, n: int, start: int = 0) -> list[tuple[bytes, str]]:
        return [(orjson.dumps({"request": {"method": "PUT", "path": f"/items/{i}", "body": '{"a": 1}',
                                           "headers": {"content-type": "application/json"}},
                               "response": {"statusCode": status}}), f"t:{i}") for i in range(start, start + n)]

    base = _learned(put(201, 80) + put(200, 5, 500))
    updates = put(200, 80, 1000)
    assert not [c for c in diff(base, _learned(updates), learned_head=True) if c.severity == "breaking"]
    checker = Checker(base, explain=BodyValidator)
    for raw, origin in updates:
        checker.add(decode(raw, origin))
    assert not [f for f in checker.findings() if f.severity == "breaking"]


def test_a_window_the_server_could_not_answer_is_no_route_removed() -> None:
    """Every call answered 503 (an upstream down), 502, 504 or 429 (a rate limiter): the server could not
    answer then (drift/kinds.py UNAVAILABLE: not the contract), which says nothing of the route. Neither
    gate calls a success gone; the same share answered 404 is one."""
    from specbuild.drift.check import Checker
    from specbuild.drift.diff import diff
    from specbuild.io.validate import BodyValidator
    from specbuild.records import decode

    route = _learned(_items(200, 80) + _items(404, 5, 1000))
    for status in (429, 502, 503, 504, 404):
        now = _items(status, 80, 2000)
        checker = Checker(route, explain=BodyValidator)
        for raw, origin in now:
            checker.add(decode(raw, origin))
        found = [f.kind for f in checker.findings() if f.severity == "breaking"]
        changes = [c.kind for c in diff(route, _learned(now), learned_head=True) if c.severity == "breaking"]
        if status == 404:
            assert found == ["response-status-gone"] and changes == ["response-status-removed"], (found, changes)
        else:
            assert "response-status-gone" not in found and not changes, (status, found, changes)


def test_one_success_in_any_share_settles_an_operation() -> None:
    """The checker stops counting an operation's answers at its first success (nothing can be gone then):
    the verdict is the same whichever share of a pool saw that success, before or after the errors."""
    from specbuild.drift.check import Checker
    from specbuild.io.validate import BodyValidator
    from specbuild.records import decode

    route = _learned(_items(200, 80) + _items(404, 5, 1000))
    lines = _items(404, 79, 2000) + _items(200, 1, 3000)
    for order in (lines, list(reversed(lines))):
        for shares in (1, 2, 3):
            checkers = [Checker(route, explain=BodyValidator) for _ in range(shares)]
            for i, (raw, origin) in enumerate(order):
                checkers[i % shares].add(decode(raw, origin))
            for other in reversed(checkers[1:]):
                checkers[0].merge(other.state())
            assert not [f for f in checkers[0].findings() if f.kind == "response-status-gone"], shares


def test_head_calls_checked_as_the_get_are_no_evidence_its_success_is_gone() -> None:
    """A HEAD the spec does not document is checked as its GET (HTTP: the GET without the body); a 405 to
    it (FastAPI's answer to HEAD on a GET route: link checkers, uptime probes) says HEAD is not served, not
    that the GET's 200 is gone. A HEAD answered 200 still shows the route there."""
    from specbuild.drift.check import Checker
    from specbuild.io.validate import BodyValidator
    from specbuild.records import decode

    def head(status: int, n: int, start: int) -> list[tuple[bytes, str]]:
        return [(orjson.dumps({"request": {"method": "HEAD", "path": f"/items/{i}"},
                               "response": {"statusCode": status}}), f"h:{i}") for i in range(start, start + n)]

    route = _learned(_items(200, 80) + _items(404, 5, 1000))
    removed = _items(404, 80, 3000)
    for lines, want in ((head(405, 80, 2000), []), (head(405, 80, 2000) + removed, ["response-status-gone"]),
                        (head(200, 1, 2000) + removed, [])):
        checker = Checker(route, explain=BodyValidator)
        for raw, origin in lines:
            checker.add(decode(raw, origin))
        assert [f.kind for f in checker.findings() if f.kind == "response-status-gone"] == want


def _word(i: int) -> str:
    """A name a person picks, never a number: ``bak-cad``."""
    letters = "abcdefghij"
    return "-".join("".join(letters[int(d)] for d in f"{part:03d}") for part in divmod(i, 1000))


def _files(n: int, start: int = 0, writable: bool = True) -> list[tuple[bytes, str]]:
    def body(i: int) -> dict[str, object]:
        return {"name": _word(i), "size": i, **({"writable": i % 2 == 0} if writable else {})}
    return [(orjson.dumps({"request": {"method": "GET", "path": f"/files/{_word(i)}"}, "response": {
        "statusCode": 200, "headers": {"content-type": "application/json"}, "body": orjson.dumps(body(i)).decode()}}),
        f"t:{i}") for i in range(start, start + n)]


def test_a_property_in_every_answer_gone_from_every_answer_is_caught_by_both_gates_without_required() -> None:
    """Jupyter's contents: ``writable`` in each of 47 answers, too few distinct requests to claim it
    ``required`` (REQUIRED_MIN_WITNESSES), so neither gate saw it go from every answer of the next sample.
    Its presence in every object is evidence all the same: gone from all 47 new answers is a change
    (``check``: response-property-gone; ``build --check``: response-property-removed, both breaking); gone
    from 3 answers after 3 is chance, and present again is nothing. The verdict is the same in two shares."""
    from specbuild.drift.check import Checker
    from specbuild.drift.diff import diff
    from specbuild.io.validate import BodyValidator
    from specbuild.records import decode

    def found(spec: dict[str, object], lines: list[tuple[bytes, str]], shares: int = 1) -> list[tuple[str, ...]]:
        checkers = [Checker(spec, explain=BodyValidator) for _ in range(shares)]
        for i, (raw, origin) in enumerate(lines):
            checkers[i % shares].add(decode(raw, origin))
        for other in checkers[1:]:
            checkers[0].merge(other.state())
        return [(f.kind, *f.subjects) for f in checkers[0].findings() if f.severity == "breaking"]

    base = _learned(_files(47))
    schema = base["paths"]["/files/{fileName}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert "required" not in str(schema) and "required" not in str(base.get("components"))
    gone = _files(47, 1000, writable=False)
    assert found(base, gone) == found(base, gone, shares=2) == [("response-property-gone", "200 writable")]
    changes = [(c.kind, c.severity) for c in diff(base, _learned(gone), learned_head=True)]
    assert ("response-property-removed", "breaking") in changes
    assert found(base, _files(47, 2000)) == []
    assert not [c for c in diff(base, _learned(_files(47, 2000)), learned_head=True) if c.severity == "breaking"]
    thin = _learned(_files(3))
    assert found(thin, _files(3, 1000, writable=False)) == []


def _status(status: int, n: int, start: int = 0, path: str = "/api/status") -> list[tuple[bytes, str]]:
    """``n`` calls of one request: a route without parameters (a status, version or settings endpoint)."""
    body = {"version": "0.28.1", "uptime": "1h"} if status == 200 else {"error": "not found"}
    return [(orjson.dumps({"request": {"method": "GET", "path": path}, "response": {
        "statusCode": status, "headers": {"content-type": "application/json"}, "body": orjson.dumps(body).decode()}}),
        f"s:{i}") for i in range(start, start + n)]


def test_a_route_without_parameters_answering_404_to_every_call_is_gone_by_its_calls() -> None:
    """Alertmanager's ``GET /api/v2/status``: 835 calls, one distinct request, so ``x-specbuild-seen`` is 1
    and a test on distinct requests can never prove its 200 gone when every next call answers 404. Where
    the path has no parameter, every call asks the same route: the calls it answered are the route's
    behaviour over time (``x-specbuild-calls``), and a 404 or 405 to every one of as many calls, where it
    never answered one before, is the route removed (both gates). Not so where it answered 404 before (a
    resource that can be absent), where the new answers are another error (401: a client not signed in),
    nor for a route with a parameter (40 calls of ``/items/5`` are one item)."""
    gates = _gates
    route = _learned(_status(200, 40))
    ok = route["paths"]["/api/status"]["get"]["responses"]["200"]  # type: ignore[index]
    assert (ok["x-specbuild-seen"], ok["x-specbuild-calls"]) == (1, 40)
    b = SpecBuilder()
    Fold(b).feed(_status(200, 40))
    assert "x-specbuild-" not in str(build_document(b, RenderOptions(evidence=False)))  # --no-evidence
    removed = _status(404, 40, 1000)
    assert gates(route, removed) == gates(route, removed, shares=2) == (
        ["response-status-gone"], ["response-status-removed"])
    assert gates(route, _status(405, 40, 1000)) == (["response-status-gone"], ["response-status-removed"])
    assert gates(route, _status(404, 1, 1000)) == ([], [])  # one call after forty: chance
    assert gates(route, _status(200, 40, 1000)) == ([], [])
    assert gates(route, _status(401, 40, 1000))[0] == []  # not signed in: the route says nothing of itself
    absent_before = _learned(_status(200, 40) + _status(404, 5, 500))
    assert gates(absent_before, removed) == ([], [])
    one_item = _learned([(raw.replace(b"/api/status", b"/items/5"), o) for raw, o in _status(200, 40)]
                        + _items(200, 1, 900))
    assert "x-specbuild-calls" not in str(one_item)
    assert gates(one_item, _items(404, 40, 2000)) == ([], [])


def _called(status: int, n: int, start: int = 0, path: str = "/lookup", query: str = "",
            body: dict[str, object] | None = None, method: str = "GET") -> list[tuple[bytes, str]]:
    """``n`` calls of one request to a path without parameters, with its query or body if any."""
    request: dict[str, object] = {"method": method, "path": f"{path}?{query}" if query else path}
    if body is not None:
        request["headers"] = {"content-type": "application/json"}
        request["body"] = orjson.dumps(body).decode()
    answer = {"email": "a@example.com", "name": "A"} if status < 400 else {"error": "not found"}
    return [(orjson.dumps({"request": request, "response": {"statusCode": status, "headers": {
        "content-type": "application/json"}, "body": orjson.dumps(answer).decode()}}), f"c:{i}")
        for i in range(start, start + n)]


def _gates(base: dict[str, object], lines: list[tuple[bytes, str]], shares: int = 1) -> tuple[list[str], list[str]]:
    """The breaking findings of ``check`` (``shares`` checkers merged, as ``-j``) and of ``build --check``."""
    from specbuild.drift.check import Checker
    from specbuild.drift.diff import diff
    from specbuild.io.validate import BodyValidator
    from specbuild.records import decode

    checkers = [Checker(base, explain=BodyValidator) for _ in range(shares)]
    for i, (raw, origin) in enumerate(lines):
        checkers[i % shares].add(decode(raw, origin))
    for other in checkers[1:]:
        checkers[0].merge(other.state())
    found = [f.kind for f in checkers[0].findings() if f.severity == "breaking"]
    changes = [c.kind for c in diff(base, _learned(lines), learned_head=True) if c.severity == "breaking"]
    return found, changes


def test_a_route_without_parameters_refused_what_its_query_or_body_names_is_not_gone() -> None:
    """A path without parameters asks the same route in every call only where the call names nothing
    else: ``GET /lookup?email=b`` answered 404 is ``b`` not found, and Alertmanager's ``POST
    /api/v2/silences`` answers 404 to a body naming a silence that is not there. Forty calls of one such
    request answered 200, then thirty of another all refused, is one entity absent, not the route gone
    (its distinct requests, one and one, prove nothing): neither gate may weigh those calls, and the spec
    says no calls there. A bare call refused is the route (the lead's test above)."""
    lookup = _learned(_called(200, 40, query="email=a"))
    assert "x-specbuild-calls" not in str(lookup)
    silences = _learned(_called(200, 40, path="/silences", method="POST", body={"id": "a"}))
    assert "x-specbuild-calls" not in str(silences)
    for spec in (lookup, silences):  # and as a spec that counted their calls says (stop 42's first builds)
        counted = orjson.loads(orjson.dumps(spec))
        for item in counted["paths"].values():
            for op in item.values():
                op["responses"]["200"]["x-specbuild-calls"] = 40
        for base in (spec, counted):
            assert _gates(base, _called(404, 30, 1000, query="email=b")) == ([], [])
            assert _gates(base, _called(404, 30, 1000, query="email=b"), shares=2) == ([], [])
            # thirty others, each asked once: as many distinct requests as calls
            others = [line for i in range(30) for line in _called(404, 1, 1000 + i, query=f"email=b{i}")]
            assert _gates(base, others) == ([], [])
            assert _gates(base, _called(404, 30, 1000, path="/silences", method="POST", body={"id": "zz"})) == ([], [])
            others = [line for i in range(30)
                      for line in _called(404, 1, 1000 + i, path="/silences", method="POST", body={"id": f"z{i}"})]
            assert _gates(base, others) == ([], [])
    # a route learned bare, now asked with a query it never took: the traffic names more than the route
    status = _learned(_called(200, 40, path="/status"))
    assert _gates(status, _called(404, 30, 1000, path="/status", query="id=7")) == ([], [])
    assert _gates(status, _called(404, 30, 1000, path="/status")) == (["response-status-gone"],
                                                                      ["response-status-removed"])


def test_a_route_without_parameters_refused_in_a_few_calls_is_not_proven_gone() -> None:
    """Calls of one route are a series in time, not independent draws: a status endpoint polled forty
    times, then refused in the three calls of a short window (a redeploy behind a gateway that answers
    404 meanwhile), would be "gone" at p 8e-5. As for a property gone (GONE_MIN_WITNESSES), every one of
    twenty new calls at least must be refused before the calls can prove the route gone, in both gates."""
    status = _learned(_called(200, 40, path="/status"))
    for n in (3, 19):
        assert _gates(status, _called(404, n, 1000, path="/status")) == ([], []), n
    assert _gates(status, _called(404, 20, 1000, path="/status")) == (["response-status-gone"],
                                                                      ["response-status-removed"])


def test_a_path_whose_parameter_is_not_declared_is_no_route_without_parameters() -> None:
    """``check`` read a path as one without parameters when none of its template's names was declared
    (a spec edited by hand, an overlay): forty calls of ``/items/0`` then thirty of ``/items/99``, all
    404, read as the route gone, where ``build --check`` (which reads the template) said nothing. An item
    not found is no route gone: a path with a parameter in its template is weighed on distinct requests."""
    base = _learned(_items(200, 1) * 40 + _items(200, 3, 10))
    for item in base["paths"].values():  # type: ignore[attr-defined]
        for op in item.values():
            op.pop("parameters", None)
    missing = [(raw.replace(b'"/items/1000"', b'"/items/99"'), f"m:{i}") for i, (raw, _) in
               enumerate(_items(404, 1, 1000) * 30)]
    assert _gates(base, missing)[0] == []


def _diff(n: int, start: int, media: str, query: str) -> list[tuple[bytes, str]]:
    """changedetection.io's diff of two snapshots: HTML or text as the ``format`` query parameter asks."""
    body = "<p>changed</p>" if media == "text/html" else "changed"
    return [(orjson.dumps({"request": {"method": "GET", "path": f"/watch/{1000 + i}/diff?format={query}"},
                           "response": {"statusCode": 200, "headers": {"content-type": media}, "body": body}}),
             f"d:{i}") for i in range(start, start + n)]


def test_a_response_media_type_unseen_on_few_requests_is_knowing_more_not_a_change() -> None:
    """changedetection.io answers a diff as HTML or text as ``format=`` asks: sample a asked only for HTML (8
    distinct requests), sample b for text too (7 of 13). A media type is a learned claim like a type: within
    its evidence (8 requests, 7 of 13 new ones otherwise, p ~ 0.015) it is ``response-media-type-refined``
    (info); a response learned on 100 requests answered otherwise in 50 of 50 is a change (breaking), and so
    is any such answer where the spec has no counts (written by a person)."""
    from specbuild.drift.check import Checker
    from specbuild.io.validate import BodyValidator
    from specbuild.records import decode

    def kinds(spec: dict[str, object], lines: list[tuple[bytes, str]]) -> list[tuple[str, str]]:
        checker = Checker(spec, explain=BodyValidator)
        for raw, origin in lines:
            checker.add(decode(raw, origin))
        return [(f.kind, f.severity) for f in checker.findings() if "media-type" in f.kind]

    thin = _learned(_diff(8, 0, "text/html", "html"))
    b = _diff(6, 100, "text/html", "htmlcolor") + _diff(7, 200, "text/plain", "text")
    assert kinds(thin, b) == [("response-media-type-refined", "info")]
    wide = _learned(_diff(100, 0, "text/html", "html"))
    assert kinds(wide, _diff(50, 300, "text/plain", "text")) == [("response-media-type", "breaking")]
    written = orjson.loads(orjson.dumps(thin).replace(b'"x-specbuild-seen":', b'"x-seen":'))
    assert kinds(written, b) == [("response-media-type", "breaking")]


def _blobs(n: int, start: int, body: str = "<log>line</log>") -> list[tuple[bytes, str]]:
    """Azurite's blobs read back: a log file's text, or nothing for a blob of zero bytes."""
    return [(orjson.dumps({"request": {"method": "GET", "path": f"/acme/logs/api-{i}.log"},
                           "response": {"statusCode": 200, "headers": {"content-type": "application/xml"},
                                        "body": body}}), f"b:{i}") for i in range(start, start + n)]


def test_an_empty_response_where_bodies_were_learned_is_weighed_on_their_evidence() -> None:
    """Azurite served 60 blobs with content in sample a; sample b read two of zero bytes among 60. A body
    always there is a learned claim like a type: within its evidence (60 requests, then 2 of 60 empty,
    p ~ 0.25) it is ``response-body-optional-refined`` (info); 60 of 60 answered empty after 60 with a body
    is a change (breaking), and so is any empty answer where the spec has no counts (written by a person)."""
    from specbuild.drift.check import Checker
    from specbuild.io.validate import BodyValidator
    from specbuild.records import decode

    def kinds(spec: dict[str, object], lines: list[tuple[bytes, str]]) -> list[tuple[str, str]]:
        checker = Checker(spec, explain=BodyValidator)
        for raw, origin in lines:
            checker.add(decode(raw, origin))
        return [(f.kind, f.severity) for f in checker.findings() if "body" in f.kind]

    learned = _learned(_blobs(60, 0))
    b = _blobs(58, 100) + _blobs(2, 200, body="")
    assert kinds(learned, b) == [("response-body-optional-refined", "info")]
    assert kinds(learned, _blobs(60, 300, body="")) == [("response-body-missing", "breaking")]
    written = orjson.loads(orjson.dumps(learned).replace(b'"x-specbuild-seen":', b'"x-seen":'))
    assert kinds(written, b) == [("response-body-missing", "breaking")]


def _version(n: int, start: int = 0, **body: object) -> list[tuple[bytes, str]]:
    """``n`` calls of Ray's ``GET /api/version``: a route without parameters, one thing read again; ``body``
    changes its answer (None: the field left out)."""
    answer: dict[str, object] = {"version": "2.9.0", "commit": "a1b2c3", "session": "s-1",
                                 "build": {"go": "go1.22", "user": "ci"}}
    answer.update(body)
    answer = {k: v for k, v in answer.items() if v is not None}
    return [(orjson.dumps({"request": {"method": "GET", "path": "/api/version"}, "response": {
        "statusCode": 200, "headers": {"content-type": "application/json"}, "body": orjson.dumps(answer).decode()}}),
        f"v:{i}") for i in range(start, start + n)]


def test_a_route_without_parameters_changed_in_every_call_is_weighed_on_its_calls() -> None:
    """Ray's ``GET /api/version`` (321 calls), Alertmanager's ``/api/v2/status``, JupyterHub's ``/hub/api/user``:
    each is one thing read again, one distinct request, so no test on distinct requests could tell a field
    removed from every answer, or a value of another type in every one, from "we know more now"; the
    drift corpus' mutations went uncaught on eight real servers. The calls are that one thing over time:
    a property in each of 40 calls and absent from each of 25 new ones is gone, a string that is a number in
    each is changed, in both gates. A series, not independent draws: a few calls (a window while a cluster
    reconnects), or some of many, prove nothing (refined, or nothing), nor does a path with a parameter."""
    base = _learned(_version(40))
    ok = base["paths"]["/api/version"]["get"]["responses"]["200"]  # type: ignore[index]
    assert (ok["x-specbuild-seen"], ok["x-specbuild-calls"]) == (1, 40)
    assert _gates(base, _version(25, 1000)) == ([], [])
    gone = _version(25, 1000, session=None)
    assert _gates(base, gone) == _gates(base, gone, shares=2) == (["response-property-gone"],
                                                                  ["response-property-removed"])
    retyped = _version(25, 1000, commit=12345)
    assert _gates(base, retyped) == _gates(base, retyped, shares=2) == (["response-type-mismatch"],
                                                                        ["response-type-changed"])
    # inside an object in every answer (a component: its count there is the root's one request, inherited)
    assert "$ref" in str(base["paths"]["/api/version"])  # type: ignore[index]
    assert _gates(base, _version(25, 1000, build={"go": "go1.22"})) == (["response-property-gone"],
                                                                        ["response-property-removed"])
    assert _gates(base, _version(25, 1000, build={"go": 122, "user": "ci"})) == (["response-type-mismatch"],
                                                                                 ["response-type-changed"])
    # beside a few refused calls (Home Assistant's 401s, their bodies checked as the 401's): still every call
    refused = [(raw.replace(b'"statusCode":200', b'"statusCode":401'), o + "r")
               for raw, o in _version(4, 5000, version=None, commit=None, session=None, build=None)]
    with_401 = _learned(_version(40) + refused)
    assert _gates(with_401, _version(25, 1000, commit=12345) + refused)[0] == ["response-type-mismatch"]
    # too few new calls: a moment of the series, in either gate
    assert _gates(base, _version(19, 1000, session=None)) == ([], [])
    assert _gates(base, _version(19, 1000, commit=12345)) == ([], [])
    # some calls of many: no proof of a change (the head learned the union, and its property is optional)
    mixed = _version(20, 1000, commit=12345) + _version(20, 2000)
    assert _gates(base, mixed) == ([], [])
    assert _gates(base, _version(20, 1000, session=None) + _version(20, 2000)) == ([], [])
    # too few calls learned: as before, one distinct request proves nothing
    assert _gates(_learned(_version(19)), gone) == ([], [])
    # one item of a path with a parameter, read again: one thing, not a route, weighed on distinct requests
    item = [(raw.replace(b"/api/version", b"/api/versions/7"), o) for raw, o in _version(40)]
    renamed = [(raw.replace(b"/api/version", b"/api/versions/7"), o) for raw, o in gone]
    learned_item = _learned(item + [(raw.replace(b"/api/versions/7", b"/api/versions/8"), o + "x")
                                    for raw, o in item[:1]])
    assert _gates(learned_item, renamed) == ([], [])
