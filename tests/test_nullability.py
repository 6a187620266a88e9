"""How far a null seen spreads, and when "never null" is a claim the evidence makes (learn/nullability.py)."""

from __future__ import annotations

from typing import Any

from specbuild import build_spec
from specbuild.learn.components import inline
from specbuild.learn.nullability import doubt
from specbuild.learn.render import RenderOptions
from specbuild.learn.rules import NULL_DOUBT
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
