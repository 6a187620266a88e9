"""specbuild.learn.components: every object written once, named after its resource, lossless."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from specbuild import build_spec
from specbuild.drift.diff import diff
from specbuild.extensions import SEEN
from specbuild.io.validate import spec_problems
from specbuild.learn import components
from specbuild.learn.components import _key, _presence, inline
from specbuild.learn.overlay import overlay
from specbuild.learn.render import RenderOptions
from tests.helpers import ex, rejections

USER = {"id": 1, "login": "ann", "url": "https://x.example/u/1"}
NOT_FOUND = {"message": "Not Found", "documentation_url": "https://docs.example/", "status": "404"}
OWNER = {"id": 2, "login": "bob", "url": "https://x.example/u/2", "site_admin": False}


def _traffic() -> list[Any]:
    rows = []
    for i in range(12):
        user = {**USER, "id": i}
        repo = {"id": i, "name": f"r{i}", "full_name": f"o/r{i}", "owner": {**OWNER, "id": i}}
        rows += [ex(path=f"/users/{user['login']}{i}", resp=user),
                 ex(path="/users", resp=[user, user]),
                 ex(path=f"/repos/owner{i}/r{i}", resp=repo),
                 ex(path=f"/orgs/org{i}/repos", resp={"items": [repo], "total": 1, "page": 1}),
                 ex(path=f"/gists/{i}", resp={"id": i, "owner": {**OWNER, "id": i}, "files": 2})]
    rows += [ex(path=f"/gists/{i}x", status=404, resp=NOT_FOUND) for i in range(3)]
    rows += [ex(path=f"/users/nobody{i}", status=404, resp=NOT_FOUND) for i in range(3)]
    return rows


def test_equal_objects_are_shared_and_named_after_the_resource_or_the_holder() -> None:
    rows = _traffic()
    doc = build_spec(rows)
    schemas = doc["components"]["schemas"]
    # every object held or repeated is a component; errors are named Error whatever the resource
    assert sorted(schemas) == ["Error", "Owner", "Repo", "User"]
    paths = doc["paths"]

    def body(path: str) -> Any:
        return paths[path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]

    user_path = next(p for p in paths if p.startswith("/users/{"))
    assert body(user_path) == {"$ref": "#/components/schemas/User"}
    assert body("/users")["items"] == {"$ref": "#/components/schemas/User"}
    assert body("/orgs/{orgName}/repos")["properties"]["items"]["items"] == {"$ref": "#/components/schemas/Repo"}
    assert schemas["Repo"]["properties"]["owner"] == {"$ref": "#/components/schemas/Owner"}
    assert spec_problems(doc) == [] and rejections(doc, rows) == []
    flat = build_spec(rows, RenderOptions(components=False))
    assert "components" not in flat
    assert diff(flat, doc) == [] and diff(doc, flat) == []
    bare = build_spec(rows, RenderOptions(evidence=False))
    assert inline(bare) == build_spec(rows, RenderOptions(evidence=False, components=False))


def test_a_shared_schema_has_the_most_values_seen_at_each_place() -> None:
    rows = [ex(path=f"/users/u{i}", resp={**USER, "id": i}) for i in range(30)]
    rows += [ex(path=f"/teams/t{i}", resp={"lead": {**USER, "id": i}, "name": "t", "size": 1, "topic": "x"})
             for i in range(12)]
    doc = build_spec(rows)
    user = doc["components"]["schemas"]["User"]
    assert user["x-specbuild-seen"] == 30
    flat = build_spec(rows, RenderOptions(components=False))
    [teams] = [p for p in flat["paths"] if p.startswith("/teams/")]
    team = flat["paths"][teams]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert team["x-specbuild-seen"] == 12 and "x-specbuild-seen" not in team["properties"]["lead"]
    shared = doc["paths"][teams]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert shared["properties"]["lead"] == {"$ref": "#/components/schemas/User"}


def test_a_property_absent_at_one_place_is_not_read_as_always_there() -> None:
    """Equal schemas (too few requests for ``required``) whose property is always there at one place and
    sometimes absent at the other are not one component: a second sample of the same API would be
    "breaking" at the second place (GitHub n5000 against its holdout: 13 breaking findings of this kind)."""
    rows = [ex(path=f"/users/u{i}", resp={**USER, "id": i}) for i in range(40)]
    rows += [ex(path=f"/teams/t{i}", resp={"lead": {**USER, "id": i} if i % 2 else {"id": i, "login": "x"},
                                           "name": "t", "size": 1}) for i in range(30)]
    rows += [ex(path=f"/orgs/o{i}", resp={"admin": {**USER, "id": i}, "name": "o", "size": 1}) for i in range(30)]
    doc = build_spec(rows)
    [teams] = [p for p in doc["paths"] if p.startswith("/teams/")]
    team = inline(doc)["paths"][teams]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert team["properties"]["lead"]["properties"]["url"]["x-specbuild-seen"] == 15
    [orgs] = [p for p in doc["paths"] if p.startswith("/orgs/")]
    org = doc["paths"][orgs]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert org["properties"]["admin"] == {"$ref": "#/components/schemas/User"}   # always there: shared
    again = [ex(path=f"/teams/t{i}", resp={"lead": {**USER, "id": i} if i % 2 else {"id": i, "login": "x"},
                                           "name": "t", "size": 1}) for i in range(100, 130)]
    changes = [c for c in diff(doc, build_spec(again)) if c.operation.startswith("GET /teams/")]
    assert not [c for c in changes if c.severity == "breaking"]


def _entries(i: int, feed: bool = True) -> dict[str, Any]:
    return {"entries": [{"id": i, "title": f"t{i}", "status": "read"}], "total": 300,
            **({"feed": {"id": 1, "url": "https://x.example/f"}} if feed else {})}


def test_a_place_too_thin_to_claim_required_keeps_the_claim_of_the_place_it_shares_a_component_with() -> None:
    """Miniflux's ``GET /v1/entries`` (90 distinct requests) requires ``entries`` and ``total``; ``GET
    /v1/categories/{id}/entries`` (20) answers the same list, too few distinct requests to claim any
    ``required`` (learn/rules.py REQUIRED_MIN_WITNESSES). Shared as one ``EntryList``, the component kept the
    intersection of both claims: nothing, and neither gate could see ``total`` go. A place that claims
    nothing for lack of witnesses claims nothing either way at its body: the proven claim stays."""
    rows = [ex(path="/v1/entries", query={"offset": str(i)}, resp=_entries(i)) for i in range(90)]
    thin = [ex(path=f"/v1/categories/{i}/entries", resp=_entries(i)) for i in range(1, 21)]
    doc = build_spec(rows + thin)
    schemas = doc["components"]["schemas"]
    for path in ("/v1/entries", "/v1/categories/{categoryId}/entries"):
        body = doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert body == {"$ref": "#/components/schemas/EntryList"}
    assert schemas["EntryList"]["required"] == ["entries", "feed", "total"]
    # below the body a thin place's objects still claim what they have, none: a shared object there would
    # take the other place's sample for its own (the devset's live1000, a mock serving complete examples)
    assert "required" not in schemas["Entry"] and "required" not in schemas["Feed"]
    assert rejections(doc, rows + thin) == []


def test_an_object_absent_from_some_objects_of_its_parent_keeps_its_count_beside_its_ref() -> None:
    """An object property is read as a scalar one is: absent from some of its parent's objects at one
    place (``feed`` in 14 of 20 answers) and in every one at the other, the two bodies are not one
    component (one place's "always there" would be read at the other), and its count stays beside the
    ``$ref`` to its component: the component's count is its own objects' (90 + 14, pooled), which says
    nothing of how often the parent held it. ``x-specbuild-evidence`` tells a reader the spec writes these."""
    rows = [ex(path="/v1/entries", query={"offset": str(i)}, resp=_entries(i)) for i in range(90)]
    thin = [ex(path=f"/v1/categories/{i}/entries", resp=_entries(i, feed=i % 3 > 0)) for i in range(1, 21)]
    doc = build_spec(rows + thin)
    assert doc["x-specbuild-evidence"] == 2
    bodies = {path: doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
              for path in ("/v1/entries", "/v1/categories/{categoryId}/entries")}
    assert bodies["/v1/entries"]["properties"]["feed"] == {"$ref": "#/components/schemas/Feed"}
    thin_feed = bodies["/v1/categories/{categoryId}/entries"]["properties"]["feed"]
    assert thin_feed == {"$ref": "#/components/schemas/Feed", "x-specbuild-seen": 14}
    assert rejections(doc, rows + thin) == []
    bare = build_spec(rows + thin, RenderOptions(evidence=False))
    assert "x-specbuild-evidence" not in bare and "x-specbuild-seen" not in json.dumps(bare)
    # each place alone claims what it did inline
    flat = build_spec(rows + thin, RenderOptions(components=False))
    wide = flat["paths"]["/v1/entries"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert wide["required"] == ["entries", "feed", "total"]
    # both places thin: no claim anywhere, as before
    few = build_spec(rows[:30] + thin)
    assert "required" not in str(few["components"])
    # without counts (--no-evidence) nothing says what the thin place saw absent: its claims as they were
    bare = build_spec(rows + thin, RenderOptions(evidence=False))
    assert "required" not in bare["components"]["schemas"]["EntryList"]


def test_a_written_spec_gets_the_learned_components_under_names_it_does_not_use() -> None:
    """The person's ``User`` is a string: the learned user object is no ``User`` of theirs, and keeps its
    component as ``ObservedUser``; the other learned components keep their names, none is inlined."""
    learned = build_spec(_traffic())
    written = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {
        "schemas": {"User": {"type": "string"}}}}
    merged = overlay(written, learned)
    schemas = merged["components"]["schemas"]
    assert sorted(schemas) == ["Error", "ObservedUser", "Owner", "Repo", "User"]
    assert schemas["User"] == {"type": "string"}
    assert schemas["ObservedUser"] == learned["components"]["schemas"]["User"]
    users = merged["paths"]["/users"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert users["items"] == {"$ref": "#/components/schemas/ObservedUser"}
    assert spec_problems(merged) == []


def test_like_named_objects_merge_and_nested_ones_take_their_parents_name() -> None:
    rows = []
    for i in range(12):
        label = {"name": "bug", "color": "red", "id": i}
        rows += [ex(path=f"/issues/{i}", resp={"id": i, "title": "t", "url": "https://x.example/", "label": label,
                                               "closed_at": "2024-01-02T03:04:05Z" if i % 2 else None}),
                 ex(path=f"/issues/{i}", method="PATCH", resp={"id": i, "title": "t", "url": "https://x.example/",
                                                                 "label": label, "closed_at": None}),
                 ex(path=f"/pulls/{i}", resp={"id": i, "label": {"text": "x", "size": 2, "id": i, "on": True}}),
                 ex(path=f"/tags/{i}", resp={"name": "v1", "label": label})]
    doc = build_spec(rows)
    schemas = doc["components"]["schemas"]
    assert all(not name[-1].isdigit() for name in schemas), sorted(schemas)
    # one issue: the patch response saw only null where the other saw a nullable date-time (the wider)
    closed = schemas["Issue"]["properties"]["closed_at"]
    assert closed["format"] == "date-time" and closed["nullable"] is True
    assert sorted(n for n in schemas if n.endswith("Label")) == ["Label", "PullLabel"]
    assert spec_problems(doc) == [] and rejections(doc, rows) == []
    assert build_spec(list(reversed(rows))) == doc


def test_the_items_of_an_object_with_an_id_are_its_own_not_a_page_of_the_resource() -> None:
    """An order's ``items`` are its lines: named after what holds them, never after the resource of another
    operation (main read ``{"id", "total", "items"}`` as a page of orders: ``CurrentCart``, ``GetOrderOk``).
    A page (``{"items": [...], "total"}``, no id) is still the resource's."""
    def order(i: int) -> dict[str, Any]:
        return {"id": i, "total": i * 1.5, "items": [{"sku": f"S{i}", "qty": 1 + i % 3}]}
    rows = [ex(path=f"/orders/{i}", resp=order(i)) for i in range(1, 30)]
    rows += [ex(path="/carts/mine", query={"v": str(i)}, resp=order(i)) for i in range(1, 30)]
    rows += [ex(path="/orders", query={"page": str(i)}, resp={"items": [order(i)], "total": 9}) for i in range(1, 5)]
    doc = build_spec(rows)
    schemas = doc["components"]["schemas"]
    assert sorted(schemas) == ["Item", "Order"], sorted(schemas)
    assert schemas["Order"]["properties"]["items"]["items"] == {"$ref": "#/components/schemas/Item"}
    page = doc["paths"]["/orders"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert page["properties"]["items"]["items"] == {"$ref": "#/components/schemas/Order"}
    assert spec_problems(doc) == [] and rejections(doc, rows) == []


def test_objects_that_differ_only_in_a_null_seen_at_one_place_are_one() -> None:
    """A license seen often with a name, and twice elsewhere where its name is nullable (learn/nullability.py:
    a thin place of a name nullable at most of its places) is one license, nullable where it meets: the
    other place's claims (``required`` there, none here) are not kept apart from it."""
    rows = []
    for i in range(30):
        license_ = {"key": f"k{i % 3}", "name": "MIT", "url": "https://x.example/l"}
        rows += [ex(path=f"/repos/{i}", resp={"id": i, "license": license_, "name": f"r{i}"})]
    for i in range(2):
        license_ = {"key": "k", "name": "MIT", "url": "https://x.example/l"}
        rows += [ex(path=f"/gists/{i}", resp={"id": i, "license": license_, "files": 2}),
                 ex(path=f"/orgs/{i}", resp={"id": i, "name": None, "login": "o"}),
                 ex(path=f"/teams/{i}", resp={"id": i, "name": None, "slug": "t"})]
    doc = build_spec(rows)
    licenses = [n for n, s in doc["components"]["schemas"].items() if "key" in s.get("properties", {})]
    assert licenses == ["License"], licenses
    assert doc["components"]["schemas"]["License"]["properties"]["name"].get("nullable") is True
    assert spec_problems(doc) == [] and rejections(doc, rows) == []


def _property_paths(node: Any, at: str = "") -> set[str]:
    """The places of an inlined schema's properties (``repo.owner.login``), or of a value's keys."""
    out: set[str] = set()
    if isinstance(node, dict):
        named = node.get("properties") if "properties" in node or "type" in node else node
        for key, sub in (named or {}).items():
            out |= {f"{at}{key}", *_property_paths(sub, f"{at}{key}.")}
        if isinstance(node.get("items"), dict):
            out |= _property_paths(node["items"], at)
    elif isinstance(node, list):
        for value in node:
            out |= _property_paths(value, at)
    return out


def test_like_named_objects_of_two_resources_claim_no_property_of_the_other() -> None:
    """A repository reference ({id, name, url}) beside a whole repository, and two resources' ``status``
    sharing two of three properties, stay apart: merged, each place would claim properties its traffic
    never had (GitHub n5000: a run's ``pull_requests[].base.repo`` read as the whole repository)."""
    bodies: dict[str, list[Any]] = {"/repos/": [], "/runs/": [], "/pods/": [], "/namespaces/": []}
    for i in range(12):
        owner = {"id": i, "login": f"u{i}", "url": "https://x.example/u"}
        bodies["/repos/"].append({"id": i, "name": f"r{i}", "url": "https://x.example/r", "stars": i, "owner": owner})
        bodies["/runs/"].append({"id": i, "repo": {"id": i, "name": f"r{i}", "url": "https://x.example/r"}})
        bodies["/pods/"].append({"name": f"p{i}", "status": {"phase": "Running", "message": "ok", "podIP": "10.0.0.1"}})
        bodies["/namespaces/"].append({"name": f"n{i}", "status": {"phase": "Active", "message": "ok",
                                                                   "reason": "Ready"}})
    rows = [ex(path=f"{where}o{i}/x{i}" if where == "/repos/" else f"{where}x{i}", resp=body)
            for where, seen in bodies.items() for i, body in enumerate(seen)]
    doc = build_spec(rows)
    flat = inline(doc)["paths"]
    for where, seen in bodies.items():
        [path] = [p for p in flat if p.startswith(where)]
        schema = flat[path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert _property_paths(schema) == _property_paths(seen), where
    assert all(not name[-1].isdigit() for name in doc["components"]["schemas"])
    assert spec_problems(doc) == [] and rejections(doc, rows) == []


def test_property_names_that_make_one_identifier_are_additional_properties() -> None:
    rows = [ex(path=f"/issues/{i}", resp={"id": i, "reactions": {"+1": i, "-1": 0, "url": "https://x.example/"}})
            for i in range(12)]
    rows += [ex(path=f"/issues/{i}/comments", resp=[{"id": i, "reactions": {"+1": 1, "-1": i, "url": "u"}}])
             for i in range(12)]
    doc = build_spec(rows)
    reaction = doc["components"]["schemas"]["Reaction"]
    assert sorted(reaction["properties"]) == ["url"]  # a generator cannot make fields of both +1 and -1
    assert reaction["additionalProperties"]["type"] == "integer"
    assert spec_problems(doc) == [] and rejections(doc, rows) == []


def test_names_moved_for_a_generator_claim_nothing_of_other_keys() -> None:
    """Unleash's variants answer ``featureEnabled`` and ``feature_enabled`` (one identifier) beside ``name``
    and ``enabled``: moved to ``additionalProperties`` as their type, booleans, they made every other key a
    flag, and the next sample's variant with a ``payload`` object was refused."""
    rows = [ex(path="/api/frontend", query={"q": str(i)}, resp={"toggles": [{"name": f"t{i}", "variant": {
        "name": "blue", "enabled": i % 2 == 0, "featureEnabled": True, "feature_enabled": True}}]})
        for i in range(30)]
    doc = build_spec(rows)
    tomorrow = [ex(path="/api/frontend", query={"q": "99"}, resp={"toggles": [{"name": "t", "variant": {
        "name": "red", "enabled": True, "featureEnabled": True, "feature_enabled": True,
        "payload": {"type": "json", "value": "{}"}}}]})]
    assert spec_problems(doc) == [] and rejections(doc, rows) == [] and rejections(doc, tomorrow) == []
    [variant] = [s for s in doc["components"]["schemas"].values() if "featureEnabled" in s.get("description", "")]
    assert variant["additionalProperties"] is True and sorted(variant["properties"]) == ["enabled", "name"]
    assert variant["description"] == ("Also `featureEnabled` (boolean), `feature_enabled` (boolean): names that make "
                                      "one field in a generated class, so not listed as properties.")


# Keys and strings that look like a count in a dump: the name itself, quoted, escaped, a placeholder's $ref.
_TRICKY = st.sampled_from([SEEN, f'"{SEEN}', f'\\"{SEEN}', f'{SEEN}\\', '"', "\\", "$ref", "properties", "a"])
_NODES = st.recursive(
    st.one_of(st.integers(-3, 10**6), st.booleans(), st.none(), st.text(max_size=6), _TRICKY,
              st.sampled_from([f'"{SEEN}":1', f'{{"{SEEN}":2}}', "\x0012"])),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_TRICKY | st.text(max_size=4), children,
                                                                     max_size=4),
    max_leaves=16,
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(_TRICKY | st.text(max_size=4), _NODES, max_size=5))
def test_the_key_of_a_schema_is_the_dump_of_its_counts_replaced(schema: dict[str, Any]) -> None:
    # _key rewrites the counts in one dump: the same bytes as dumping the copy, whatever the names and strings
    top = {k: v for k, v in schema.items() if k != SEEN}
    assert _key(schema) == orjson.dumps(_presence(top), option=orjson.OPT_SORT_KEYS)


# Refs and what looks like them in a dump: names quoted, escaped, not ASCII; a ref in a string; a ref to a name
# given no schema; a ref that is no string.
_REF = components.REF_PREFIX
_REF_NODES = st.recursive(
    st.one_of(st.integers(-3, 2**70), st.text(max_size=6),
              st.sampled_from([f"{_REF}A", f'"$ref":"{_REF}A"', f'\\"$ref\\":\\"{_REF}B']),
              st.fixed_dictionaries({"$ref": st.sampled_from(
                  [f"{_REF}A", f"{_REF}B", f'{_REF}"q\\', f"{_REF}é\n", f"{_REF}Gone", "#/other/A", 7])})),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(["$ref", "a", "example"])
                                                                     | st.text(max_size=3), children, max_size=3),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(_REF_NODES, st.dictionaries(st.sampled_from(["A", "B", '"q\\', "é\n", "C"]), _REF_NODES, max_size=5))
def test_the_schemas_used_are_read_off_the_json_text_as_a_walk_finds_them(paths: Any, schemas: dict[str, Any]) -> None:
    # _used searches each tree's dump for refs (a walk of every dict was a tenth of the sharing's time)
    assert components._used(paths, schemas) == components._walked_refs(paths, schemas)


def test_settling_compares_a_group_again_only_once_something_in_it_changed(monkeypatch: Any) -> None:
    """Merging runs in rounds until nothing changes; a group of like-named schemas of which none was
    compatible with another, and whose schemas stayed the same, gives the same answers again: it is
    not compared again (most groups, after the first round, on a large API)."""
    compared: list[tuple[bytes, bytes]] = []
    rounds: list[bool] = []
    compatible, unite = components._Table._compatible, components._Table._unite_compatible

    def spy(table: Any, one: dict[str, Any], other: dict[str, Any]) -> bool:
        compared.append((orjson.dumps(one, option=orjson.OPT_SORT_KEYS),
                         orjson.dumps(other, option=orjson.OPT_SORT_KEYS)))
        return compatible(table, one, other)

    def counted(table: Any) -> bool:
        rounds.append(unite(table))
        return rounds[-1]

    monkeypatch.setattr(components._Table, "_compatible", spy)
    monkeypatch.setattr(components._Table, "_unite_compatible", counted)
    rows = []
    for i in range(12):
        label = {"name": "bug", "color": "red", "id": i}
        rows += [ex(path=f"/issues/{i}", resp={"id": i, "title": "t", "label": label,
                                               "closed_at": "2024-01-02T03:04:05Z" if i % 2 else None}),
                 ex(path=f"/issues/{i}", method="PATCH", resp={"id": i, "title": "t", "label": label,
                                                                 "closed_at": None}),
                 ex(path=f"/pulls/{i}", resp={"id": i, "label": {"text": "x", "size": 2, "id": i, "on": True}}),
                 ex(path=f"/pulls/{i}", method="PATCH", resp={"id": i, "label": {"text": "x", "size": 2, "id": i,
                                                                                  "on": False, "x": 1}}),
                 ex(path=f"/tags/{i}", resp={"name": "v1", "label": label})]
    doc = build_spec(rows)
    assert len(rounds) >= 2 and compared, (rounds, compared)  # settled in rounds, comparing
    assert Counter(compared).most_common(1)[0][1] == 1, Counter(compared).most_common(2)
    assert build_spec(list(reversed(rows))) == doc



def test_an_entry_reads_the_places_of_its_best_occurrence_once_asked(monkeypatch: Any) -> None:
    """An entry keeps its best-evidenced occurrence and reads that one's counts by place on the first ask
    (render23: ~500 of ~1.6k walks were of occurrences a better one replaced), the same counts."""
    walked: list[Any] = []
    real = components._places

    def places(schema: dict[str, Any], inherited: int | None, at: Any, out: dict[Any, int]) -> None:
        if not at:
            walked.append(schema)
        real(schema, inherited, at, out)

    monkeypatch.setattr(components, "_places", places)
    table = components._Table()
    where = components._Where("User", "", False, "")
    thin = {"type": "object", "properties": {"id": {"type": "integer", SEEN: 2}}, SEEN: 3}
    rich = {"type": "object", "properties": {"id": {"type": "integer", SEEN: 5}}, SEEN: 9}
    for schema in (thin, rich, thin):
        table.intern(json.loads(json.dumps(schema)), where, root=True, holder="", inherited=None)
    (entry,) = table.entries
    assert walked == [] and entry.root == 9 and entry.count == 3
    assert entry.places() == {(): 9, (("p", "id"),): 5}
    assert entry.places() == {(): 9, (("p", "id"),): 5} and len(walked) == 1
