"""How far a null seen spreads, and when "never null" is a claim the evidence makes (learn/nullability.py)."""

from __future__ import annotations

from typing import Any

from specbuild import build_spec
from specbuild.learn.components import inline
from specbuild.learn.nullability import (
    NullFit,
    Place,
    doubt,
    fit_nulls,
    nullable_by_evidence,
    places_by_path,
    share_nulls,
)
from specbuild.learn.render import RenderOptions
from specbuild.learn.rules import NULL_DOUBT, NULL_FIT_MIN_PLACES, NULL_SHARE, NULL_SHARE_MIN
from tests.helpers import ex, rejections


def _body(doc: dict[str, Any], path: str) -> dict[str, Any]:
    schema: dict[str, Any] = doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    return schema


def _nullable(schema: dict[str, Any]) -> bool:
    t = schema.get("type")
    return schema.get("nullable") is True or (isinstance(t, list) and "null" in t)


def test_a_null_stays_in_its_scope_where_other_places_prove_the_name_never_null() -> None:
    """``label: null`` on issues says nothing of the ``label`` of checks and of pins, each seen non-null
    twenty times in objects of other kinds (main made it nullable everywhere)."""
    exchanges = [ex(path=f"/issues/{i}", resp={"id": i, "title": "t", "label": None, "state": "open"})
                 for i in range(1, 4)]
    for word in ("checks", "pins", "tags"):
        exchanges += [ex(path=f"/{word}/{i}", resp={"id": i, "label": f"v{i}", word: True}) for i in range(1, 21)]
    for version in ("3.0", "3.1"):
        doc = inline(build_spec(exchanges, RenderOptions(openapi=version)))
        for word in ("checks", "pins", "tags"):
            label = _body(doc, f"/{word}/{{{word[:-1]}Id}}")["properties"]["label"]
            assert not _nullable(label), (version, word, label)
        assert rejections(doc, exchanges) == []


def test_the_items_of_an_object_with_an_id_are_not_in_its_resource_s_scope() -> None:
    """A list envelope's objects are the resource's (``{"items": [...], "total"}``), an order's ``items`` its
    lines: a line's ``note`` is in the scope ``items``, not in the order's (``orders``)."""
    order = {"id": 1, "note": "n", "items": [{"sku": "s", "note": None}]}
    page = {"total": 1, "items": [{"sku": "s", "note": None}]}
    doc = inline(build_spec([ex(path="/orders/1", resp=order), ex(path="/orders", resp=page)]))
    found = places_by_path(doc["paths"])
    assert sorted((scope, name) for scope, name, *_ in found["/orders/{orderId}"]) == [
        ("items", "note"), ("items", "sku"), ("orders", "id"), ("orders", "items"), ("orders", "note")]
    assert sorted((scope, name) for scope, name, *_ in found["/orders"]) == [
        ("orders", "items"), ("orders", "note"), ("orders", "sku"), ("orders", "total")]


def test_a_null_spreads_to_an_object_of_the_same_kind_and_to_a_union() -> None:
    """A user embedded as ``owner`` and as ``author`` is one kind of object (most names the same): an
    email null in one is nullable in the other, however often the other was seen; a union (number or
    string) in the same scope takes the null on each branch (main left a union without one)."""
    user = {"login": "a", "id": 1, "email": "a@example.com", "site_admin": False}
    exchanges = [ex(path=f"/repos/{i}", resp={"id": i, "owner": {**user, "email": None}}) for i in range(1, 4)]
    exchanges += [ex(path=f"/commits/{i}", resp={"sha": f"{i:040x}", "author": user}) for i in range(1, 31)]
    exchanges += [ex(path=f"/fields/{i}", resp={"id": i, "value": None if i == 1 else "y"}) for i in range(1, 4)]
    exchanges += [ex(path="/fields", resp=[{"id": i, "value": 1.5 if i % 2 else "x"} for i in range(1, 31)])]
    for version in ("3.0", "3.1"):
        doc = inline(build_spec(exchanges, RenderOptions(openapi=version)))
        author = _body(doc, "/commits/{commitId}")["properties"]["author"]
        # (3.1 writes a place only ever null as {} from the start, as it does any value: no source to read)
        assert _nullable(author["properties"]["email"]) is (version == "3.0")
        value = _body(doc, "/fields")["items"]["properties"]["value"]
        assert all(_nullable(b) for b in value["anyOf"]), value
        assert rejections(doc, exchanges) == []


def test_a_null_in_error_envelopes_is_never_shared_with_success_bodies_or_requests() -> None:
    """Strapi answers every 400 ``{"data": null, "error": {...}}``: that ``data`` is nullable, the ``data``
    of its 2xx answers and of the requests (never seen null) is not (holdout9: 58 false nullables)."""
    error = {"data": None, "error": {"status": 400, "name": "ValidationError", "message": "bad"}}
    exchanges = []
    for i in range(1, 31):
        item = {"title": f"t{i}", "price": i}
        exchanges.append(ex("post", "/api/articles", 201, body={"data": item}, resp={"data": {"id": i, **item}}))
        exchanges.append(ex(path=f"/api/articles/{i}", resp={"data": {"id": i, **item}, "meta": {}}))
        if i % 3 == 0:
            exchanges.append(ex("post", "/api/articles", 400, body={"data": {"title": 5}}, resp=error))
    for version in ("3.0", "3.1"):
        doc = inline(build_spec(exchanges, RenderOptions(openapi=version)))
        post = doc["paths"]["/api/articles"]["post"]
        body = post["requestBody"]["content"]["application/json"]["schema"]["properties"]["data"]
        created = post["responses"]["201"]["content"]["application/json"]["schema"]["properties"]["data"]
        read = _body(doc, "/api/articles/{articleId}")["properties"]["data"]
        refused = post["responses"]["400"]["content"]["application/json"]["schema"]["properties"]["data"]
        assert not any(_nullable(s) for s in (body, created, read)), version
        assert _nullable(refused) or refused == {} or refused.keys() <= {"nullable", "x-specbuild-seen"}, refused
        assert rejections(doc, exchanges) == []


def test_a_null_seen_in_a_success_body_reaches_the_error_bodies_of_its_scope() -> None:
    """GitHub's validation errors carry the refused ``value``, null where a resource's ``value`` is: the
    held-out traffic's 422 with ``value: null`` (the one way round the error scopes still share)."""
    exchanges = [ex(path=f"/api/settings/{i}", resp={"id": i, "value": None if i % 2 else f"v{i}"})
                 for i in range(1, 31)]
    exchanges += [ex("put", f"/api/settings/{i}", 422, body={"value": 5},
                     resp={"message": "bad", "value": f"x{i}"}) for i in range(1, 31)]
    doc = inline(build_spec(exchanges))
    refused = doc["paths"]["/api/settings/{id}"]["put"]["responses"]["422"]["content"]["application/json"]
    assert _nullable(refused["schema"]["properties"]["value"])


WHEN = "2024-01-02T03:04:05Z"


def test_never_null_is_claimed_only_on_enough_evidence() -> None:
    """A name null at most of its places is nullable at another place seen non-null only twice (the
    claim is in doubt), not at one seen forty times (main: at both). Each object is of its own kind."""
    exchanges = [ex(path=f"/runs/{i}", resp={"id": i, "closed_at": WHEN if i % 2 else None}) for i in range(1, 5)]
    exchanges += [ex(path=f"/jobs/{i}", resp={"id": i, "closed_at": WHEN if i % 2 else None, "n": 1})
                  for i in range(1, 5)]
    exchanges += [ex(path=f"/tasks/{i}", resp={"id": i, "closed_at": WHEN, **dict.fromkeys("abcd", 1)})
                  for i in range(1, 3)]
    exchanges += [ex(path=f"/notes/{i}", resp={"id": i, "closed_at": WHEN, **dict.fromkeys("wxyz", 1)})
                  for i in range(1, 41)]
    for version in ("3.0", "3.1"):
        doc = inline(build_spec(exchanges, RenderOptions(openapi=version)))
        assert _nullable(_body(doc, "/tasks/{taskId}")["properties"]["closed_at"])
        assert not _nullable(_body(doc, "/notes/{noteId}")["properties"]["closed_at"])
        assert rejections(doc, exchanges) == []
    bare = inline(build_spec(exchanges, RenderOptions(evidence=False)))  # the counts weigh without being written
    assert _nullable(_body(bare, "/tasks/{taskId}")["properties"]["closed_at"])
    assert not _nullable(_body(bare, "/notes/{noteId}")["properties"]["closed_at"])


def test_doubt_falls_with_the_values_seen() -> None:
    assert doubt(0.5, 0) == 0.5
    assert doubt(0.5, 2) >= NULL_DOUBT > doubt(0.5, 40)
    assert doubt(0.0, 0) == 0.0 and doubt(1.0, 100) == 1.0


def test_a_merge_patch_null_is_no_vote_for_a_thin_place() -> None:
    """A merge patch's ``{"title": null}`` deletes the title: even where the issue was seen only twice, its
    title is not taken to be nullable because of it."""
    exchanges = []
    for i in range(1, 3):
        exchanges.append(ex(path=f"/issues/{i}", resp={"id": i, "title": "t"}))
        patch = ex(path=f"/issues/{i}", method="PATCH", body={"title": None},
                   headers={"content-type": "application/merge-patch+json"}, resp={"id": i})
        exchanges.append(patch)
    doc = inline(build_spec(exchanges))
    assert not _nullable(_body(doc, "/issues/{issueId}")["properties"]["title"])


def test_a_name_seen_in_one_object_only_takes_its_neighbours_doubt() -> None:
    """``billing_email``, at one place in the whole API, seen non-null in five orgs whose other fields
    are mostly seen null: "never null" is in doubt there (main claimed it, and a sixth org's null was
    rejected); in forty orgs it is not; and an API that never sent a null doubts nothing."""
    def org(i: int, nulls: bool) -> dict[str, Any]:
        blank = None if nulls and i % 2 else "x"
        return {"login": f"o{i}", "blog": blank, "company": blank, "location": blank, "billing_email": "b@x.io"}

    for count, nulls, expect in ((5, True, True), (40, True, False), (5, False, False)):
        exchanges = [ex(path=f"/orgs/o{i}", resp=org(i, nulls)) for i in range(1, count + 1)]
        exchanges += [ex(path=f"/users/u{i}", resp={"login": f"u{i}", "id": i}) for i in range(1, 5)]
        for version in ("3.0", "3.1"):
            doc = inline(build_spec(exchanges, RenderOptions(openapi=version)))
            body = _body(doc, "/orgs/{orgName}")
            assert _nullable(body["properties"]["billing_email"]) is expect, (count, nulls, version)
            assert not _nullable(body["properties"]["login"])
            assert rejections(doc, exchanges) == []


def test_the_places_of_a_name_in_one_scope_are_one_field_seen_as_often_as_all_of_them() -> None:
    """``closed_at`` of notes, at two places of the notes resource seen eight times each, is one field
    seen sixteen times never null: "never null" is claimed there (each place alone, eight values, would
    be in doubt). And the field is one vote for its name, not two: with three scopes of four where it is
    nullable, a draft seen twice is in doubt (main counted places: 3 of 7 nullable, no majority, and
    claimed the draft's never null)."""
    def kind(word: str) -> dict[str, int]:  # objects of their own kinds: no null spreads between them
        return {f"{word}_{k}": 1 for k in "xyz"}

    exchanges = []
    for word in ("runs", "jobs", "pins"):
        exchanges += [ex(path=f"/{word}/{i}", resp={"id": i, "closed_at": WHEN if i % 2 else None, **kind(word)})
                      for i in range(1, 5)]
    exchanges += [ex(path=f"/tasks/{i}", resp={"id": i, "closed_at": WHEN, **kind("t")}) for i in range(1, 41)]
    exchanges += [ex(path=f"/notes/{i}", resp={"id": i, "closed_at": WHEN, **kind("a")}) for i in range(1, 9)]
    exchanges += [ex(path=f"/users/u1/notes/{i}", resp={"id": i, "closed_at": WHEN, **kind("b")})
                  for i in range(1, 9)]
    exchanges += [ex(path=f"/users/u1/drafts/{i}", resp={"id": i, "closed_at": WHEN, **kind("c")})
                  for i in range(1, 3)]
    for version in ("3.0", "3.1"):
        doc = inline(build_spec(exchanges, RenderOptions(openapi=version)))
        assert not _nullable(_body(doc, "/notes/{noteId}")["properties"]["closed_at"]), version
        assert not _nullable(_body(doc, "/users/u1/notes/{noteId}")["properties"]["closed_at"]), version
        assert _nullable(_body(doc, "/users/u1/drafts/{draftId}")["properties"]["closed_at"]), version
        assert rejections(doc, exchanges) == []


def _places(rate: float, objects: int = 60) -> list[Place]:
    """Objects seen 1..``objects`` times, each with two nullable properties (null in ``rate`` of their
    values: shown null once the chance of a null among its values passes a half) and two never null."""
    out: list[Place] = []
    for seen in range(1, objects + 1):
        parent: dict[str, Any] = {"type": "object", "properties": {}}
        for name, nullable in (("a", True), ("b", True), ("c", False), ("d", False)):
            shown = nullable and 1 - (1 - rate) ** seen > 0.5 + (seen % 3) / 10
            schema = {"type": "string", "nullable": True} if shown else {"type": "string"}
            parent["properties"][name] = schema
            out.append((f"r{seen}", name, schema, parent, seen))
    return out


def test_the_null_rate_is_fitted_to_the_api() -> None:
    """An API whose nullable fields are null in 8% of their values is told from one where they are in
    25%, and half its properties from the share shown null (fewer: the thin ones have not shown theirs)."""
    rare, often = fit_nulls(_places(0.08), "3.0"), fit_nulls(_places(0.25), "3.0")
    assert NULL_SHARE_MIN <= rare.rate <= 0.12 < 0.2 <= often.rate <= NULL_SHARE, (rare, often)
    assert 0.4 <= rare.nullable <= 0.6 and 0.4 <= often.nullable <= 0.6, (rare, often)
    never = [(s, n, {"type": "string"}, p, seen) for s, n, _, p, seen in _places(0.08)]
    assert fit_nulls(never, "3.0") == NullFit(0.0, NULL_SHARE)  # an API that sends no null doubts nothing
    few = _places(0.08, objects=NULL_FIT_MIN_PLACES // 4 - 1)
    assert fit_nulls(few, "3.0").rate == NULL_SHARE  # too few properties to tell the rate from the share


def test_rare_nulls_keep_never_null_in_doubt_longer() -> None:
    """At the API's 8% a property seen non-null twelve times beside nullable ones is still in doubt
    (main, at a fixed 25%, claimed it never null and rejected the next null); at 25% it is not."""
    for rate, expect in ((0.08, True), (0.25, False)):
        known = _places(rate)
        props: dict[str, dict[str, Any]] = {"x": {"type": "string", "nullable": True},
                                            "y": {"type": "string", "nullable": True}, "z": {"type": "string"}}
        thin = {"type": "object", "properties": props}
        extra: list[Place] = [("thin", n, s, thin, 12) for n, s in props.items()]
        every = known + extra
        nullable_by_evidence(every, every, "3.0", fit_nulls(every, "3.0"))
        assert _nullable(props["z"]) is expect, rate


def _patched_paths() -> dict[str, Any]:
    def thing(extra: dict[str, Any]) -> dict[str, Any]:
        return {"type": "object", "properties": {"name": {"type": "string", **extra}, "size": {"type": "integer"}}}

    def answer(schema: dict[str, Any]) -> dict[str, Any]:
        return {"responses": {"200": {"content": {"application/json": {"schema": schema}}}}}

    patch = {"requestBody": {"content": {"application/merge-patch+json": {"schema": thing({"nullable": True})}}},
             **answer(thing({}))}
    return {"/things/{id}": {"patch": patch}, "/others": {"get": answer(thing({}))}}


def test_the_places_handed_on_are_walked_again_where_a_merge_patch_is() -> None:
    """share_nulls reuses the places share_maps read for the path items without a merge patch only: a
    null in a merge patch deletes the field, and must not make the answer's ``name`` nullable (it did
    if the places of the patched item, its merge patch in them, were reused as the plain ones)."""
    for found in (True, False):
        paths = _patched_paths()
        share_nulls(paths, "3.0", places_by_path(paths) if found else None)
        answered = paths["/things/{id}"]["patch"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert not _nullable(answered["properties"]["name"]), found
        assert paths == _patched_paths(), found


def test_an_error_body_s_fraction_does_not_make_the_success_bodies_number() -> None:
    """A 400 echoes what the client sent (``price: 9.5`` refused): that says nothing of the integers the API
    answers; error bodies are scopes of their own for numbers as for nulls (ERROR_SCOPE)."""
    exchanges = [ex(path=f"/api/items/{i}", resp={"data": {"id": i, "price": i * 3}}) for i in range(1, 31)]
    exchanges += [ex("put", f"/api/items/{i}", 400, body={"price": 9.5},
                     resp={"data": {"id": i, "price": 9.5}, "error": "bad price"}) for i in range(1, 6)]
    doc = inline(build_spec(exchanges))
    item = doc["paths"]["/api/items/{itemId}"]
    assert _body(doc, "/api/items/{itemId}")["properties"]["data"]["properties"]["price"]["type"] == "integer"
    refused = item["put"]["responses"]["400"]["content"]["application/json"]["schema"]
    assert refused["properties"]["data"]["properties"]["price"]["type"] == "number"
