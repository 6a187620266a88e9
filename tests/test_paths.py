"""Path templating: segment kinds, evidence-based templates, naming, hints, and the laws."""

from __future__ import annotations

import json
import os
import pickle
import random
import re
import subprocess
import sys
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from specbuild.errors import RecordError, UsageError
from specbuild.learn.builder import SpecBuilder
from specbuild.learn.paths import templating
from specbuild.learn.paths.evidence import Answers, Likeness, object_props, similarity
from specbuild.learn.paths.templater import (
    MAX_SEGMENTS,
    Features,
    PathParam,
    PathTemplater,
    Template,
    classify_segment,
    decide,
    kind_schema,
)
from specbuild.learn.paths.templating import _plural
from specbuild.learn.render import render
from specbuild.records import decode
from specbuild.segments import is_cased, keeps_literal
from tests.helpers import ROOT, ex, load_script, record

# --- helpers ------------------------------------------------------------------------------------

Shapes = Mapping[str, Iterable[str]]


def learn(paths: Iterable[str], shapes: Mapping[str, frozenset[str]] | None = None,
          hints: tuple[str, ...] = (), file_paths: bool = False) -> dict[str, str]:
    """raw path -> template path; ``shapes`` gives features per raw path (merged per key)."""
    t = PathTemplater(hints)
    keys = {p: t.observe(p) for p in paths}
    feats: dict[str, set[str]] | None = None
    if shapes is not None:
        feats = {}
        for p, k in keys.items():
            feats.setdefault(k, set()).update(shapes.get(p, ()))
    templates = t.templates({k: frozenset(v) for k, v in feats.items()} if feats is not None else None,
                            file_paths=file_paths)
    for p, k in keys.items():
        assert templates[k].match(p) is not None, (p, templates[k])
    return {p: templates[k].path for p, k in keys.items()}


def erased(paths: Iterable[str]) -> set[str]:
    return {re.sub(r"\{[^}]*\}", "{}", p) for p in paths}


def shape(kind: str, rng: random.Random, method: str = "GET", optional: int = 2) -> frozenset[str]:
    """A response shape for one resource kind: core properties plus a few optional ones."""
    core = [f"{kind}.{name}" for name in ("id", "name", "created", "owner", "state", "size")]
    extra = [f"{kind}.opt{i}" for i in range(6)]
    return frozenset([method, *core, *rng.sample(extra, optional)])


def list_shape(kind: str, rng: random.Random) -> frozenset[str]:
    return frozenset({"GET", "total", "items", *(f"items[].{p}" for p in shape(kind, rng) if "." in p)})


NAMES = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
         "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango"]
SLUGS = ["how-to-bake-bread", "winter-garden-tips", "fast-pasta", "the-long-walk", "notes-on-tea",
         "city-cycling", "a-quiet-morning", "river-stones", "paper-boats", "late-trains", "old-maps",
         "red-kites"]


# --- classify_segment ---------------------------------------------------------------------------

@pytest.mark.parametrize(("seg", "kind"), [
    ("42", "integer"), ("0", "integer"), ("9007199254740993", "integer"), ("123456789012345678901", "token"),
    ("007", "token"),
    (str(uuid.UUID(int=12345)), "uuid"), ("3F2504E0-4F89-11D3-9A0C-0305E82C3301", "uuid"),
    ("95dd9ac09048ae2fc17e30cd00325e88", "hex"), ("3e4fbd9f4af5640b0786223b1060457e7f16f793", "hex"),
    ("5cc12fe", "hex"),
    ("2024-03-04", "date"), ("2024-03-04T08:00:01Z", "date-time"),
    ("2024-03-04T08:00:01.256+00:00", "date-time"),
    ("alice@example.com", "email"),
    ("api-45db8383e-q1zvr", "token"), ("MDQ6VXNlcjE", "token"), ("MDQ6VXNlcjE=", "token"),
    ("aks-nodepool1-631294d7-eecb", "token"), ("worker-cleanup-28740121", "token"),
    ("ip-10-0-1-53.ec2.internal", "token"), ("cus_NffrFeUfNV2Hib", "token"),
    ("0OdUWJ0sBjDrqHygGUXeCF", "token"), ("01H8XGJWBWBAQ4Z5GXQ3R5T6Y7", "token"),
    ("108.244.90.118", "ipv4"), ("10.0.0.1", "ipv4"), ("SP9ermtiAarE7", "token"),
    # nanoid-like: digits inside letters that read as no word, or in two places
    ("kta2ptlsr", "token"), ("ttvz8tmj2o6", "token"), ("m6ou7y7mass", "token"), ("42apeqe8", "token"),
    ("KTA2PTLSR", "token"), ("cus_BVpecptLnKlGZI", "token"), ("XzGfPlDIyNtO", "token"),
])
def test_typed_segments_are_classified(seg: str, kind: str) -> None:
    assert classify_segment(seg) == kind


@pytest.mark.parametrize("seg", [
    "v1", "v2", "v2beta1", "v1alpha1", "v10", "1.0", "2.1.3", "api", "apis", "oauth2", "networking.k8s.io",
    "s3", "md5", "sha256", "x86_64", "ec2", "ipv4", "http2", "utf-8", "users", "me", "release-1.4",
    "alice51", "frank76", "octocat", "rate_limit", "check-runs", "OAuth2Callback", "", "deadbeef",
    "John%20Doe", "PROJ-12", "v2LoggingLevel", "oauth2Callback",
    # a number after words or between two, short mixes, a mix of cases: names
    "oauth2callback", "sha256sum", "x509cert", "s3bucket", "h264", "i18n", "Kta2ptlsr", "web3auth",
    # camelCase words ending in an acronym (its capitals are no noise)
    "NewsByPlayerID", "TeamsByLeagueURL",
])
def test_word_like_segments_are_not_classified(seg: str) -> None:
    assert classify_segment(seg) is None


def test_kind_schemas() -> None:
    assert kind_schema(["integer"]) == {"type": "integer", "format": "int64"}
    assert kind_schema(["uuid"]) == {"type": "string", "format": "uuid"}
    assert kind_schema(["date"]) == {"type": "string", "format": "date"}
    assert kind_schema(["integer", "word"]) == {"type": "string"}
    assert kind_schema(["token"]) == {"type": "string"}


# --- skeleton keys ------------------------------------------------------------------------------

def test_observe_replaces_typed_segments_and_keeps_words() -> None:
    t = PathTemplater()
    assert t.observe("/repos/facebook/react/issues/42") == "/repos/facebook/react/issues/{:integer}"
    assert t.observe(f"/users/{uuid.UUID(int=1)}") == "/users/{:uuid}"
    assert t.observe("/") == "/"
    assert t.observe("/a/{x}") == "/a/%7Bx%7D"  # our braces never come from the traffic


def test_odd_characters_are_percent_encoded_in_skeleton_keys() -> None:
    t = PathTemplater()  # a query, a fragment, NUL or a JSON-pointer escape is never a path key as written
    assert t.observe("/?a=1") == "/%3Fa=1"
    assert t.observe("/b/x#y") == "/b/x%23y"
    assert t.observe("/c/\x00/\x1f") == "/c/%00/%1F"
    assert t.observe("/d/~1x/x~0y/~x") == "/d/%7E1x/x%7E0y/~x"


def test_past_the_word_cap_a_position_opens_and_its_words_become_one() -> None:
    t = PathTemplater(word_cap=5)
    keys = [t.observe(f"/users/{name}/profile") for name in NAMES[:8]]
    assert keys[:5] == [f"/users/{n}/profile" for n in NAMES[:5]]
    assert keys[5:] == ["/users/{:word}/profile"] * 3
    # the words admitted before the position opened are rewritten too, and the owner is told
    assert t.keys == {"/users/{:word}/profile"}
    assert t.take_renamed() == {f"/users/{n}/profile": "/users/{:word}/profile" for n in NAMES[:5]}
    assert t.take_renamed() == {}
    assert t.observe("/users/alpha/profile") == "/users/{:word}/profile"
    assert t.observe("/users/me/profile") == "/users/me/profile"  # a word that never is a value
    assert t._words["/users"] == {"{:word}", "me"}
    assert t.templates()["/users/{:word}/profile"].path == "/users/{userName}/profile"


def test_opening_cascades_where_rewritten_keys_meet() -> None:
    # invented words at every position: each open position brings the words below it together
    t = PathTemplater(word_cap=4)
    rnd = random.Random(3)
    for _ in range(400):
        t.observe("/" + "/".join("".join(rnd.choices("abcdefgh", k=6)) for _ in range(4)))
    assert t.keys == {"/{:word}/{:word}/{:word}/{:word}"}
    assert all(len(words) <= 5 for words in t._words.values())


def test_merge_opens_what_either_side_opened_and_renames_keys() -> None:
    a, b = PathTemplater(word_cap=3), PathTemplater(word_cap=3)
    for n in NAMES[:2]:
        a.observe(f"/users/{n}")
    for n in NAMES[2:6]:
        b.observe(f"/users/{n}")
    b.take_renamed()
    a.merge(b)
    assert a.keys == {"/users/{:word}"}
    assert a.take_renamed() == {f"/users/{n}": "/users/{:word}" for n in NAMES[:2]}


def test_hinted_words_never_open() -> None:
    t = PathTemplater(("/api/{tenant}",), word_cap=2)
    for n in NAMES[:5]:
        t.observe(f"/api/{n}/{n}")
    for n in NAMES[:5]:
        t.observe(f"/{n}")
    assert "/api/{tenant}/{:word}" in t.keys and "/{:word}" in t.keys


def test_cache_is_bounded_and_forgetting_is_harmless() -> None:
    t = PathTemplater(cache_size=4)
    first = [t.observe(f"/items/{i}/{n}") for i, n in enumerate(NAMES[:10])]
    assert len(t.recent) + len(t._older) <= 4
    assert [t.observe(f"/items/{i}/{n}") for i, n in enumerate(NAMES[:10])] == first


def test_templater_pickles() -> None:
    t = PathTemplater(("/repos/{owner}/{repo}",))
    t.observe("/repos/a/b/issues/1")
    clone = pickle.loads(pickle.dumps(t))
    assert clone.observe("/repos/c/d/issues/2") == t.observe("/repos/c/d/issues/2")
    assert clone.templates() == t.templates()


# --- templates: the rules of the issue ----------------------------------------------------------

def test_users_orders_api_with_uuids_and_literal_siblings() -> None:
    ids = [str(uuid.UUID(int=i * 7919)) for i in range(1, 6)]
    paths = ["/users", "/users/me", "/users/search", *(f"/users/{u}" for u in ids),
             *(f"/users/{u}/orders" for u in ids[:3]),
             "/orders/17/items/3", "/orders/18/items/4", "/orders/18"]
    got = learn(paths)
    assert got["/users/me"] == "/users/me"
    assert got["/users/search"] == "/users/search"
    assert got[f"/users/{ids[0]}"] == "/users/{userId}"
    assert got[f"/users/{ids[0]}/orders"] == "/users/{userId}/orders"
    assert got["/orders/17/items/3"] == "/orders/{orderId}/items/{itemId}"
    t = PathTemplater()
    t.observe(f"/users/{ids[0]}")
    assert t.templates()["/users/{:uuid}"].params == (PathParam("userId", {"type": "string",
                                                                            "format": "uuid"}),)


def test_latest_stays_literal_beside_typed_ids() -> None:
    paths = [f"/releases/{n}" for n in (101, 102, 250)] + ["/releases/latest"]
    got = learn(paths)
    assert got["/releases/latest"] == "/releases/latest"
    assert got["/releases/101"] == "/releases/{releaseId}"


def test_sibling_resources_stay_literal() -> None:
    rng = random.Random(1)
    paths = {"/api/users": list_shape("user", rng), "/api/orders": list_shape("order", rng),
             "/api/products": list_shape("product", rng)}
    for i in range(1, 4):
        paths[f"/api/users/{i}"] = shape("user", rng)
        paths[f"/api/orders/{i}"] = shape("order", rng)
    got = learn(paths, paths)
    assert erased(got.values()) == {"/api/users", "/api/orders", "/api/products", "/api/users/{}",
                                    "/api/orders/{}"}
    assert erased(learn(paths).values()) == erased(got.values())  # and without features too


def test_version_prefixes_and_api_groups_never_become_parameters() -> None:
    paths = [f"/api/{v}/things/{i}" for v in ("v1", "v2", "v3") for i in (1, 2)]
    paths += [f"/apis/{g}/v1/widgets" for g in ("shapes", "colors", "sizes.example.io")]
    paths += [f"/apis/{g}/v1/gadgets/{i}" for g in ("shapes", "colors") for i in (5, 6)]
    got = learn(paths)
    assert erased(got.values()) == {"/api/v1/things/{}", "/api/v2/things/{}", "/api/v3/things/{}",
                                    "/apis/shapes/v1/widgets", "/apis/colors/v1/widgets",
                                    "/apis/sizes.example.io/v1/widgets", "/apis/shapes/v1/gadgets/{}",
                                    "/apis/colors/v1/gadgets/{}"}


def test_slugs_template_from_enough_distinct_values() -> None:
    got = learn([f"/blog/posts/{s}" for s in SLUGS] + ["/blog/posts"])
    assert set(got.values()) == {"/blog/posts/{postName}", "/blog/posts"}


def test_two_slugs_need_shape_evidence() -> None:
    rng = random.Random(2)
    paths = {f"/blog/posts/{s}": shape("post", rng) for s in SLUGS[:2]}
    assert set(learn(paths).values()) == set(paths)
    assert erased(learn(paths, paths).values()) == {"/blog/posts/{}"}


def test_namespace_like_values_share_children() -> None:
    rng = random.Random(3)
    shapes: dict[str, frozenset[str]] = {}
    for ns in ("shop", "billing", "default", "edge", "batch-jobs"):
        for kind in ("widgets", "gizmos", "doohickeys"):
            shapes[f"/core/v1/zones/{ns}/{kind}"] = list_shape(kind, rng)
            for name in rng.sample(NAMES, 3):
                shapes[f"/core/v1/zones/{ns}/{kind}/{name}"] = shape(kind, rng)
    got = learn(shapes, shapes)
    assert erased(got.values()) == {"/core/v1/zones/{}/widgets", "/core/v1/zones/{}/gizmos",
                                    "/core/v1/zones/{}/doohickeys", "/core/v1/zones/{}/widgets/{}",
                                    "/core/v1/zones/{}/gizmos/{}", "/core/v1/zones/{}/doohickeys/{}"}
    assert got["/core/v1/zones/shop/widgets"] == "/core/v1/zones/{zoneName}/widgets"


def test_tenants_at_the_root() -> None:
    paths = [f"/{tenant}/{res}/{i}" for tenant in ("acme", "globex", "initech", "umbrella")
             for res in ("invoices", "customers", "payments") for i in (1, 2)]
    paths += [f"/{tenant}/invoices" for tenant in ("acme", "globex", "initech")]
    got = learn(paths)
    assert erased(got.values()) == {"/{}/invoices", "/{}/invoices/{}", "/{}/customers/{}",
                                    "/{}/payments/{}"}
    assert got["/acme/invoices/1"] == "/{name}/invoices/{invoiceId}"


def test_owner_and_repo_form_bottom_up() -> None:
    rng = random.Random(4)
    owners = NAMES[:6]
    repos = ["widget", "gizmo", "sprocket", "flange", "gasket", "bolt", "nut", "washer"]
    shapes: dict[str, frozenset[str]] = {}
    pairs = []
    for owner in owners:
        for repo in rng.sample(repos, 3):
            pairs.append((owner, repo))
            base = f"/projects/{owner}/{repo}"
            shapes[base] = shape("project", rng)
            shapes[f"{base}/tickets"] = list_shape("ticket", rng)
            shapes[f"{base}/tickets/{rng.randint(1, 999)}"] = shape("ticket", rng)
            shapes[f"{base}/builds"] = list_shape("build", rng)
    for owner, repo in (pairs[0], pairs[4]):  # values seen above: an owner is an owner everywhere
        shapes[f"/account/watching/{owner}/{repo}"] = frozenset({"PUT"})
    got = learn(shapes, shapes)
    assert erased(got.values()) == {"/projects/{}/{}", "/projects/{}/{}/tickets",
                                    "/projects/{}/{}/tickets/{}", "/projects/{}/{}/builds",
                                    "/account/watching/{}/{}"}
    assert got[f"/projects/{pairs[0][0]}/{pairs[0][1]}"] == "/projects/{namespace}/{project}"  # naming.pair_names


def test_resource_names_under_every_value_stay_literal() -> None:
    """The same children under every user are sub-resources, even if there are many of them."""
    rng = random.Random(5)
    subs = ["followers", "following", "starred", "subscriptions", "events", "keys", "gists", "orgs"]
    shapes = {f"/people/{name}/{sub}": list_shape(sub, rng) for name in NAMES[:5] for sub in subs}
    got = learn(shapes, shapes)
    assert erased(got.values()) == {f"/people/{{}}/{sub}" for sub in subs}


def test_petstore_like_api() -> None:
    rng = random.Random(6)
    shapes: dict[str, frozenset[str]] = {}
    for i in (1, 2, 10, 11):
        shapes[f"/pet/{i}"] = shape("pet", rng)
    shapes["/pet/findByStatus"] = list_shape("pet", rng)
    shapes["/pet/findByTags"] = list_shape("pet", rng)
    shapes["/store/inventory"] = frozenset({"GET", "available", "sold"})
    shapes["/store/order/5"] = shape("order", rng)
    for name in ("user1", "jdoe", "mary-k", "zed"):
        shapes[f"/user/{name}"] = shape("user", rng)
    shapes["/user/login"] = frozenset({"GET"})
    shapes["/user/logout"] = frozenset({"GET"})
    shapes["/user/createWithList"] = frozenset({"POST"})
    got = learn(shapes, shapes)
    assert erased(got.values()) == {"/pet/{}", "/pet/findByStatus", "/pet/findByTags", "/store/inventory",
                                    "/store/order/{}", "/user/{}", "/user/login", "/user/logout",
                                    "/user/createWithList"}


def test_shape_evidence_splits_resources_that_counting_would_merge() -> None:
    rng = random.Random(7)
    shapes = {f"/reports/{r}": list_shape(r, rng) for r in ("daily", "weekly", "monthly", "yearly")}
    shapes.update({f"/settings/{s}": shape(s, rng) for s in ("privacy", "billing", "alerts")})
    got = learn(shapes, shapes)
    assert set(got.values()) == set(shapes)


def test_opaque_token_ids_and_word_names_merge() -> None:
    rng = random.Random(8)
    shapes = {f"/pods/{n}": shape("pod", rng) for n in ("web-7f9c4d8b6-x2x9z", "db-5c6f8d9a7-pq4rt")}
    shapes["/pods/nginx"] = shape("pod", rng)
    shapes["/pods/redis"] = shape("pod", rng)
    got = learn(shapes, shapes)
    assert set(got.values()) == {"/pods/{podName}"}


def test_ip_addresses_are_values_not_versions() -> None:
    ips = ["108.244.90.118", "10.0.0.1", "192.168.1.20"]
    got = learn([f"/v2/reserved_ips/{ip}/actions" for ip in ips] + ["/v2/reserved_ips", "/v2/1.2/x"])
    assert got["/v2/reserved_ips/10.0.0.1/actions"] == "/v2/reserved_ips/{reservedIpAddress}/actions"
    assert got["/v2/1.2/x"] == "/v2/1.2/x"  # not four numbers: a version
    t = PathTemplater()
    assert t.templates({t.observe("/ips/10.0.0.1"): frozenset()})["/ips/{:ipv4}"].params[0].schema == {
        "type": "string", "format": "ipv4"}


CASED_IDS = ["4iV5W9uYEdYUVa79Axb7Rh", "0OdUWJ0sBjDrqHygGUXeCF", "cus_NffrFeUfNV2Hib", "7ouMYWpwJ422jRcDASZB7P",
             "1301WleyT98MSxVHPZCA6M", "6rqhFgbbKwnb9MLmUQDhG6"]


@pytest.mark.parametrize(("word", "cased"), [
    ("ftNbsXzOxVvX", True), ("HosTqyZlkVg", True), ("uDeUuuFcGc", True), ("findById", False),
    ("cus_NffrFeUfNV2Hib", True), ("MDQ6VXNlcjE", True), ("Utqvcfiipu", True), ("EantmzBhaZ", True),
    ("acxMknleHuu", True), ("saveAsTemplate", False), ("AllTeams", False),
    ("addMembers", False), ("removeCustomFieldSetting", False), ("dryRun", False), ("iPhone", False),
    ("metrics", False), ("verify_credentials", False), ("USD", False),
])
def test_cased_means_letters_of_both_cases_like_noise(word: str, cased: bool) -> None:
    assert is_cased(word) is cased


def test_plain_words_beside_cased_ids_stay_literal() -> None:
    rng = random.Random(3)
    shapes = {f"/accounts/{i}": shape("account", rng) for i in CASED_IDS}
    shapes |= {f"/accounts/{i}/follow": shape("rel", rng) for i in CASED_IDS[:3]}
    # the same shape as an account, and still endpoints: their alphabet is not the ids'
    shapes |= {f"/accounts/{w}": shape("account", rng) for w in ("verify_credentials", "update_credentials",
                                                                 "lookup", "search")}
    shapes["/accounts/HosTqyZlkVg"] = frozenset({"GET"})  # too short to be typed on sight, answered a 404
    got = learn(shapes, shapes)
    assert got["/accounts/verify_credentials"] == "/accounts/verify_credentials"
    assert got["/accounts/lookup"] == "/accounts/lookup"
    assert got["/accounts/HosTqyZlkVg"] == got[f"/accounts/{CASED_IDS[0]}"] == "/accounts/{accountId}"
    assert got[f"/accounts/{CASED_IDS[0]}/follow"] == "/accounts/{accountId}/follow"


def test_resources_sharing_the_names_below_them_stay_literal() -> None:
    rng = random.Random(6)
    # a dataset, a job and a project may all be called "sales": the names recur below each resource,
    # but every resource answers with fields of its own (tenants would answer alike)
    kinds = ("datasets", "jobs", "projects", "recipes", "rulesets", "schedules")
    envelope = {"GET", "Name", "CreateDate", "LastModifiedDate", "Tags", "AccountId", "ResourceArn"}
    shapes = {f"/{k}/{n}": frozenset({*envelope, f"{k}Spec"}) for k in kinds
              for n in ("sales", "daily", "cleanup", "audit")}
    shapes |= {f"/{k}": list_shape(k, rng) for k in kinds}
    got = learn(shapes, shapes)
    assert got["/jobs/sales"] == "/jobs/{jobName}"
    assert got["/datasets"] == "/datasets"


def test_many_values_seen_once_each_at_the_top_are_values_whatever_fields_each_answered() -> None:
    rng = random.Random(16)
    # Google's /v1/{parent}/operations from 200 calls: each value seen once, each answer with its own
    # random optional fields, so nearly every value "has a field no other has"
    words = [f"{a}-{b}" for a in ("north", "stone", "river", "summer", "green") for b in NAMES[:6]]
    kinds = ("operations", "certificates", "dnsAuthorizations")
    shapes = {f"/v1/{w}/{kinds[i % 3]}": shape(kinds[i % 3], rng) | {f"{kinds[i % 3]}.x{i}"}
              for i, w in enumerate(words)}
    got = learn(shapes, shapes)
    assert got["/v1/north-alpha/operations"] == "/v1/{name}/operations"
    assert len(erased(got.values())) == 3
    # a few resources sharing a value below them keep their own fields (and are no values)
    few = {f"/v1/{w}/sales": frozenset({"GET", f"{w}Spec"}) for w in ("datasets", "jobs", "projects")}
    few |= {f"/v1/{w}/cleanup": frozenset({"GET", f"{w}Spec"}) for w in ("datasets", "jobs", "projects")}
    assert learn(few, few)["/v1/jobs/sales"] == "/v1/jobs/{jobName}"


def test_many_values_seen_once_each_under_a_collection_are_values_though_they_answer_unlike() -> None:
    rng = random.Random(17)
    # each service seen once: two answers of one resource share a field or two of the many optional ones
    words = [f"{a}-{b}" for a in ("north", "stone", "river", "summer", "green") for b in NAMES[:6]]
    pool = [f"f{i}" for i in range(30)]
    shapes = {f"/v1/services/{w}/{('configs', 'rollouts')[i % 2]}": frozenset({"GET", *rng.sample(pool, 3)})
              for i, w in enumerate(words)}
    got = learn(shapes, shapes)
    assert got["/v1/services/north-alpha/configs"] == "/v1/services/{serviceName}/configs"
    assert len(erased(got.values())) == 2


def test_a_few_values_seen_once_each_under_a_collection_sharing_the_words_below_are_values() -> None:
    rng = random.Random(18)
    words = ["north-alpha", "stone-bravo", "river", "summer-echo", "green-golf"]
    pool = [f"f{i}" for i in range(30)]
    shapes = {f"/hubs/h1/predictions/{w}/{('getTrainingResults', 'getModelStatus')[i % 2]}":
              frozenset({"GET", *rng.sample(pool, 3)}) for i, w in enumerate(words)}
    got = learn(shapes, shapes)
    want = "/hubs/h1/predictions/{predictionName}/getModelStatus"
    assert got["/hubs/h1/predictions/stone-bravo/getModelStatus"] == want


def test_among_many_values_one_seen_once_answering_unlike_is_one_more() -> None:
    rng = random.Random(19)
    words = [f"{a}-{b}" for a in ("north", "stone", "river", "summer", "green") for b in NAMES[:6]]
    shapes = {f"/hubs/{w}": shape("hub", rng) for w in words[1:]}
    shapes["/hubs/north-alpha"] = frozenset({"GET", "hub.id", "error.code", "error.message"})
    shapes["/hubs/search"] = frozenset({"GET", "total", "results"})
    got = learn(shapes, shapes)
    assert got["/hubs/north-alpha"] == got["/hubs/stone-bravo"] == "/hubs/{hubName}"
    assert got["/hubs/search"] == "/hubs/search"


def test_words_only_posted_to_that_answer_the_collections_item_are_items_created_by_name() -> None:
    # AWS creates by name: POST /thing-types/{thingTypeName} answers the new thing type
    shapes = {"/thing-types/blue-deploy": frozenset({"POST", "thingTypeName", "thingTypeId"}),
              "/thing-types/search-billing": frozenset({"POST", "thingTypeName", "thingTypeId", "thingTypeArn"}),
              "/thing-types/summer": frozenset({"POST"})}
    # actions answer something else: /recordings/start is no recording
    shapes |= {f"/recordings/{w}": frozenset({"POST", "ok"}) for w in ("start", "stop", "pause")}
    got = learn(shapes, shapes)
    assert got["/thing-types/summer"] == got["/thing-types/blue-deploy"] == "/thing-types/{thingTypeName}"
    assert got["/recordings/pause"] == "/recordings/pause"


def test_ids_asked_for_in_a_format_keep_the_format_literal_beside_collections_in_it() -> None:
    # Twilio: short base62 sids are no tokens on sight; they are of the typed sids' alphabet
    sids = ["JfFSYjmXMFccFt5UwQXKISp", "wNCMorOUJl", "GyVrZPQ6HmX", "qWgI11kmq13N7hQ6"]
    paths = [f"/Accounts/AC{i:032x}/Applications/{s}.json" for i, s in enumerate(sids)]
    paths += [f"/Accounts/AC{i:032x}/Calls/CA{i:032x}/{w}.json" for i, w in
              enumerate(["Events", "Notifications", "Recordings", "UserDefinedMessageSubscriptions"])]
    got = learn(paths)
    assert erased(got[p] for p in paths[:4]) == {"/Accounts/{}/Applications/{}.json"}
    assert got[paths[-1]] == "/Accounts/{accountId}/Calls/{callId}/UserDefinedMessageSubscriptions.json"
    # beside a file name the ids fold into it after all, those of the alphabet with them (none is lost)
    files = ["/payloads/nteEbANFGQJcsha.json", "/payloads/Data.json", "/payloads/ZX1a9f3b2c8d7e6f5.json",
             "/payloads/QW8b7c6d5e4f3a2b1.json"]
    assert len(set(learn(files).values())) == 1


def test_a_word_in_the_ids_format_answering_as_they_do_is_one_more_id() -> None:
    """``atniuJxoTol.json``: random letters that read as camelCase, beside ``{sid}.json``; it answers an
    application as the sids do, so it is one of them, the format literal (as a file name it folded the
    format into ``{applicationName}``, Twilio's n5000). Answering something else, it is still a file name."""
    app = frozenset({"GET", "sid", "friendly_name", "voice_url", "date_created"})
    sids = ["JfFSYjmXMFccFt5UwQXKISp", "qWgI11kmq13N7hQ6", "GyVrZPQ6HmX", "TQ3ucEibMOM1"]
    shapes = {f"/Accounts/AC{i:032x}/Applications/{s}.json": app for i, s in enumerate(sids)}
    word = "/Accounts/AC0000/Applications/atniuJxoTol.json"
    got = learn(shapes | {word: app}, shapes | {word: app})
    assert erased(got.values()) == {"/Accounts/{}/Applications/{}.json"}
    other = frozenset({"GET", "call_count", "quality_score"})
    got = learn(shapes | {word: other}, shapes | {word: other})
    assert set(got.values()) == {"/Accounts/{accountId}/Applications/{applicationName}"}


def test_a_verb_after_a_colon_that_names_take_is_a_custom_method_on_a_value() -> None:
    paths = [f"/v1/{w}:setIamPolicy" for w in ("north-alpha", "payments", "stone")]
    paths += ["/v1/river:cancel", "/v1/summer-bravo:cancel", "/v1/services:generateConfigReport"]
    paths += ["/v3/projects:search", "/v3/folders:search"]
    got = learn(paths)
    assert got["/v1/north-alpha:setIamPolicy"] == got["/v1/payments:setIamPolicy"] == "/v1/{name}:setIamPolicy"
    assert got["/v1/river:cancel"] == "/v1/{name}:cancel"
    assert got["/v1/services:generateConfigReport"] == "/v1/services:generateConfigReport"
    assert got["/v3/projects:search"] == "/v3/projects:search"  # methods on collections


def test_a_custom_method_after_a_typed_id_stays_a_literal_after_the_value() -> None:
    """``/v1/txat25kjbx1:setIamPolicy``: the camelCase verb made the whole segment read as one opaque
    token, a value of ``/v1/{name}`` (gkebackup's POST ``/v1/{name}``, an operation the API lacks). The
    verb after an id is split off as an extension is, and one name taking a verb the ids take joins them;
    a sigil id keeps its colon (``@alice:matrix``)."""
    ids = ["txat25kjbx1", "p4sywq8n8", "07z603kdi"]
    paths = [f"/v1/{i}:setIamPolicy" for i in ids] + [f"/v1/{i}" for i in ids] + ["/v1/summer:setIamPolicy"]
    paths += ["/v1/23v1ht:getIamPolicy", "/v1/services:generateConfigReport", "/v1/summary:lookup"]
    paths += ["/rooms/@alice:matrix/state", "/rooms/@bob:matrix/state"]
    got = learn(paths)
    # one name alone with a verb: beside typed ids, one more id when it reads as one (digits), not a
    # collection's method nor a plain word's
    assert got["/v1/23v1ht:getIamPolicy"] == "/v1/{name}:getIamPolicy"
    assert got["/v1/services:generateConfigReport"] == "/v1/services:generateConfigReport"
    assert got["/v1/summary:lookup"] == "/v1/summary:lookup"
    assert {got[f"/v1/{i}:setIamPolicy"] for i in ids} == {got["/v1/summer:setIamPolicy"]} \
        == {"/v1/{name}:setIamPolicy"}
    assert erased(got[f"/v1/{i}"] for i in ids) == {"/v1/{}"}
    assert got["/rooms/@alice:matrix/state"] == "/rooms/{roomId}/state"


def test_past_the_word_cap_a_custom_method_stays_a_literal_after_the_value() -> None:
    """Google's ``/v1/{name}:setIamPolicy`` at 5000 exchanges: the position opened, and every
    ``name:verb`` became ``{:word}`` beside the names, the methods lost (gkebackup: four operations)."""
    t = PathTemplater(word_cap=5)
    early = t.observe("/v1/alpha:getIamPolicy")
    keys = [t.observe(f"/v1/{name}") for name in NAMES[:8]]
    keys += [t.observe(f"/v1/{name}:setIamPolicy") for name in NAMES[8:10]] + [t.observe("/v1/kilo:cancel")]
    assert set(keys[5:]) == {"/v1/{:word}", "/v1/{:word}:setIamPolicy", "/v1/{:word}:cancel"}
    assert t.take_renamed()[early] == "/v1/{:word}:getIamPolicy"  # rewritten as the position opened
    got = {key: template.path for key, template in t.templates().items()}
    assert got == {"/v1/{:word}": "/v1/{name}", "/v1/{:word}:getIamPolicy": "/v1/{name}:getIamPolicy",
                   "/v1/{:word}:setIamPolicy": "/v1/{name}:setIamPolicy", "/v1/{:word}:cancel": "/v1/{name}:cancel"}


def test_many_plain_words_beside_cased_ids_that_answer_unlike_stay_literal() -> None:
    rng = random.Random(7)
    shapes = {f"/scores/{fmt}/Games/{i}": shape("game", rng) for fmt in ("JSON", "XML") for i in CASED_IDS}
    for fmt in ("JSON", "XML"):
        for name in ("AllTeams", "CurrentSeason", "FreeAgents", "News", "Players", "Stadiums", "Standings",
                     "TeamSeasonStats", "SchedulesBasic", "ScoresBasic", "Games"):
            shapes[f"/scores/{fmt}/{name}"] = frozenset({"GET", *(f"{name}.{p}" for p in ("a", "b", "c"))})
        shapes[f"/scores/{fmt}/{CASED_IDS[0]}"] = shape("score", rng)
    got = learn(shapes, shapes)
    assert got["/scores/JSON/AllTeams"] != got["/scores/JSON/News"]


def test_many_resources_at_the_root_beside_a_cased_id_stay_resources() -> None:
    # one odd id at the root does not turn a dozen resources into its values
    names = ("endpoint", "jobs", "rules", "things", "policies", "certificates", "authorizers", "domains",
             "dimensions", "fleets", "streams", "tunnels")
    envelope = {"GET", "nextToken", "createdAt", "arn"}
    shapes = {f"/{n}": frozenset({*envelope, f"{n}Summary"}) for n in names}
    shapes["/4iV5W9uYEdYUVa79Axb7Rh"] = frozenset({*envelope, "thing"})
    got = learn(shapes, shapes)
    assert got["/jobs"] == "/jobs" and got["/endpoint"] == "/endpoint"


def test_below_an_alias_siblings_are_resources() -> None:
    rng = random.Random(5)
    # /me stands for one user as an id does: what lies below it are that user's resources, even when
    # some share structure (episodes/contains, tracks/contains)
    # (and answer alike: one paging envelope)
    shapes = {f"/v1/me/{r}": list_shape("page", rng) for r in ("albums", "audiobooks", "following", "shows")}
    shapes |= {f"/v1/me/{r}/contains": frozenset({"GET", "[]"}) for r in ("episodes", "tracks")}
    shapes |= {f"/v1/me/player/{a}": frozenset({"PUT"}) for a in ("next", "play", "queue", "seek")}
    got = learn(shapes, shapes)
    assert set(got.values()) == set(shapes)


def test_a_word_with_resources_of_its_own_beside_ids_stays_literal() -> None:
    rng = random.Random(4)
    shapes = {f"/apps/{i}": shape("app", rng) for i in CASED_IDS}
    shapes |= {f"/apps/{i}/deployments": list_shape("deployment", rng) for i in CASED_IDS}
    shapes |= {f"/apps/{i}/metrics/bandwidth": shape("metric", rng) for i in CASED_IDS[:2]}
    shapes["/apps/metrics/bandwidth_daily"] = shape("metric", rng)
    shapes["/apps/tiers/instance_sizes/basic"] = shape("tier", rng)
    got = learn(shapes, shapes)
    assert got["/apps/metrics/bandwidth_daily"] == "/apps/metrics/bandwidth_daily"
    assert got["/apps/tiers/instance_sizes/basic"] == "/apps/tiers/instance_sizes/basic"
    assert got[f"/apps/{CASED_IDS[1]}/deployments"] == "/apps/{appId}/deployments"


def test_dates_and_schemas() -> None:
    t = PathTemplater()
    key = t.observe("/reports/2024-01-31/summary")
    template = t.templates()[key]
    assert template.path == "/reports/{reportDate}/summary"
    assert template.params[0].schema == {"type": "string", "format": "date"}


def test_mixed_kinds_become_a_string() -> None:
    t = PathTemplater()
    a = t.observe("/files/123")
    b = t.observe("/files/abc-123-def-4567")
    templates = t.templates()
    assert templates[a] is templates[b] or templates[a] == templates[b]
    assert templates[a].params[0].schema == {"type": "string"}


def test_unique_names_within_a_path() -> None:
    t = PathTemplater()
    k = t.observe("/a/1/a/2")
    assert t.templates()[k].path == "/a/{aId}/a/{aId2}"
    k = t.observe("/v1/42")
    assert t.templates()[k].path == "/v1/{id}"


def test_decisions_are_revised_as_evidence_arrives() -> None:
    t = PathTemplater()
    first = t.observe("/teams/red")
    assert t.templates()[first].path == "/teams/red"
    for name in ("blue", "green", "amber"):
        t.observe(f"/teams/{name}")
    assert t.templates()[first].path == "/teams/{teamName}"


def test_names_written_as_people_write_are_values_where_two_are_siblings() -> None:
    """Tiled's catalog: nodes named ``scan 38``, ``energy (keV)``, two or three at a position below the
    folders people made. Too few to weigh as values, they stayed literal, and each new node name of
    tomorrow's traffic (``mu(E)``) matched no operation. No API names an endpoint with a space."""
    folders = ["Lima lab", "cryo-EM 2026"]
    nodes = ["scan 38", "zeolite Y_001", "dark 7"]
    paths = [f"/metadata/{f}/{n}" for f in folders for n in nodes]
    paths += ["/metadata/Lima lab/scan 38/energy (keV)", "/metadata/cryo-EM 2026/dark 7/ring current (mA)"]
    learned = set(learn(paths).values())
    assert learned == {"/metadata/{metadataId}/{name}", "/metadata/{metadataId}/{name}/{id}"}, learned


def test_names_written_as_people_write_are_values_recorded_percent_encoded_too() -> None:
    """A HAR's or a proxy's paths keep the wire form (``Lima%20lab``): the same names, the same template.
    Parentheses alone are no such name: Microsoft Graph's ``recent()`` and ``sharedWithMe()`` are functions."""
    wire = learn(["/catalog/Lima%20lab", "/catalog/cryo%20lab", "/catalog/search", "/catalog/stats"])
    assert wire["/catalog/Lima%20lab"] == wire["/catalog/cryo%20lab"] == "/catalog/{catalogName}"
    assert wire["/catalog/search"] == "/catalog/search"
    graph = learn(["/v1.0/me/drive/recent()", "/v1.0/me/drive/sharedWithMe()", "/v1.0/me/drive/root",
                   "/v1.0/me/drive/items"])
    assert graph["/v1.0/me/drive/recent()"] == "/v1.0/me/drive/recent()"


# --- hints --------------------------------------------------------------------------------------

def test_hints_win_and_name_parameters() -> None:
    t = PathTemplater(["/repos/{owner}/{repo}"])
    k1 = t.observe("/repos/facebook/react/issues/42")
    k2 = t.observe("/repos/torvalds/linux")
    assert k1 == "/repos/{owner}/{repo}/issues/{:integer}"
    templates = t.templates()
    assert templates[k1].path == "/repos/{owner}/{repo}/issues/{issueId}"
    assert templates[k2].path == "/repos/{owner}/{repo}"
    assert templates[k1].match("/repos/a/b/issues/7") == {"owner": "a", "repo": "b", "issueId": "7"}


def test_literal_hint_pins_a_segment() -> None:
    paths = ["/teams/mine"] + [f"/teams/{n}" for n in NAMES[:6]]
    assert learn(paths)["/teams/mine"] == "/teams/mine"
    assert learn(paths, hints=("/teams/alpha",))["/teams/alpha"] == "/teams/alpha"


def test_hint_param_kinds_give_the_schema() -> None:
    t = PathTemplater(["/orders/{order}"])
    k = t.observe("/orders/12")
    assert k == "/orders/{order:integer}"
    assert t.templates()[k].params == (PathParam("order", {"type": "integer", "format": "int64"}),)


@pytest.mark.parametrize("hints", [("/reports/{reportId}", "/reports/{reportId}.csv"),
                                   ("/reports/{reportId}.csv", "/reports/{reportId}")])
def test_a_hint_with_an_extension_takes_the_paths_that_end_with_it(hints: tuple[str, ...]) -> None:
    """A person's ``/reports/{reportId}.csv`` beside ``/reports/{reportId}``: each takes its own paths, in
    either order (a spec's paths come sorted, and ``{reportId}`` alone would take ``r1.csv`` too)."""
    t = PathTemplater(list(hints))
    csv, plain = t.observe("/reports/r1x.csv"), t.observe("/reports/r1x")
    assert (csv, plain) == ("/reports/{reportId}.csv", "/reports/{reportId}")
    t.observe("/reports/7.csv")
    templates = t.templates()
    assert templates[csv].path == "/reports/{reportId}.csv"
    assert templates[plain].path == "/reports/{reportId}"
    assert templates[csv].match("/reports/abc.csv") == {"reportId": "abc"}
    assert templates[t.observe("/reports/.csv")].path == "/reports/{reportId}"  # no value before it


def test_the_longer_literal_after_a_hints_parameter_wins() -> None:
    """``{x}.tar.gz`` before ``{x}.gz`` before ``{x}``, in any order given, as ``check`` routes them; and
    ``{a.b}`` (a name with a dot) is another parameter than ``{a}.b``. Found reviewing: the shorter
    ending took the longer one's paths (``x`` = ``f1.tar``), and the two ``a.b`` shared one slot."""
    for hints in (["/a/{x}.gz", "/a/{x}.tar.gz", "/a/{x}"], ["/a/{x}", "/a/{x}.tar.gz", "/a/{x}.gz"]):
        t = PathTemplater(hints)
        keys = {p: t.observe(p) for p in ("/a/f1.tar.gz", "/a/f1.gz", "/a/f1")}
        templates = t.templates()
        assert {p: templates[k].path for p, k in keys.items()} == \
            {"/a/f1.tar.gz": "/a/{x}.tar.gz", "/a/f1.gz": "/a/{x}.gz", "/a/f1": "/a/{x}"}
    t = PathTemplater(["/p/{a.b}", "/p/{a}.b"])
    dotted, plain = t.observe("/p/v1x.b"), t.observe("/p/w1y")
    templates = t.templates()
    assert (templates[dotted].path, templates[plain].path) == ("/p/{a}.b", "/p/{a.b}")


def test_a_hint_may_end_in_a_custom_method() -> None:
    t = PathTemplater(["/v1/{name}:cancel"])
    k = t.observe("/v1/operations-12:cancel")
    assert t.templates()[k].path == "/v1/{name}:cancel"


@pytest.mark.parametrize("bad", ["repos/{owner}", "/repos/{owner", "/a/{x}-{y}", "/a/{x}/{x}", "/a/{x}.{y}",
                                 "/a/x{y}", "/a/{x}.csv/{x}"])
def test_bad_hints_are_usage_errors(bad: str) -> None:
    with pytest.raises(UsageError):
        PathTemplater([bad])


# --- Template.match -----------------------------------------------------------------------------

def test_template_match() -> None:
    t = Template("/users/{userId}/orders", (PathParam("userId", {"type": "string"}),))
    assert t.match("/users/7/orders") == {"userId": "7"}
    assert t.match("/users/7") is None
    assert t.match("/users//orders") is None
    assert t.match("/people/7/orders") is None
    assert Template("/").match("/") == {}


# --- laws ---------------------------------------------------------------------------------------

segments = st.one_of(
    st.sampled_from(["users", "orders", "items", "me", "search", "v1", "api", "teams", "latest", *NAMES[:8]]),
    st.integers(0, 10**6).map(str),
    st.uuids().map(str),
    st.text("abcdefghijklmnopqrstuvwxyz0123456789-._~{}%", min_size=1, max_size=12),
    st.just(""),
)
raw_paths = st.lists(segments, min_size=0, max_size=5).map(lambda segs: "/" + "/".join(segs))


@settings(max_examples=150, deadline=None)
@given(st.lists(raw_paths, min_size=1, max_size=40))
def test_every_observed_path_matches_its_template(paths: list[str]) -> None:
    t = PathTemplater()
    keys = {p: t.observe(p) for p in paths}
    templates = t.templates()
    for p, k in keys.items():
        template = templates[k]
        assert template.match(p) is not None, (p, template)
        assert len({param.name for param in template.params}) == len(template.params)
        assert template.path.count("{") == len(template.params)


@settings(max_examples=60, deadline=None)
@given(st.lists(raw_paths, min_size=1, max_size=30), st.randoms(use_true_random=False))
def test_order_does_not_matter(paths: list[str], rnd: random.Random) -> None:
    t1, t2 = PathTemplater(), PathTemplater()
    for p in paths:
        t1.observe(p)
    shuffled = list(paths)
    rnd.shuffle(shuffled)
    for p in shuffled:
        t2.observe(p)
    assert t1.templates() == t2.templates()


# --- the devset ---------------------------------------------------------------------------------

DEVSET = Path(__file__).resolve().parent.parent.parent / "shared" / "devset"


@pytest.mark.slow
@pytest.mark.skipif(not DEVSET.is_dir(), reason="../shared/devset is not here (only in the dev workspace)")
@pytest.mark.parametrize("name", ["github-n200", "kubernetes-n200", "kubernetes-live1000"])
def test_devset_path_f1(name: str) -> None:
    """The devset's low-data and live files (the n5000 ones: scripts/eval_paths.py)."""
    eval_paths = load_script("scripts/eval_paths.py")
    _, templates, _raw = eval_paths.learn(name, DEVSET)
    learned = erased(t.path for t in templates.values())
    assert eval_paths.prf(eval_paths.truth_paths(name, DEVSET), learned)[2] >= 0.97


# --- other API styles ---------------------------------------------------------------------------

def test_bare_versions_where_a_version_goes() -> None:
    paths = [f"/rest/api/2/issue/{k}" for k in ("PROJ-1", "OPS-22")] + ["/rest/api/2/myself"]
    paths += [f"/2010-04-01/Accounts/AC{i:032x}/Calls.json" for i in (1, 2)]
    got = learn(paths)
    assert got["/rest/api/2/myself"] == "/rest/api/2/myself"
    assert got[f"/2010-04-01/Accounts/AC{1:032x}/Calls.json"] == "/2010-04-01/Accounts/{accountId}/Calls.json"
    assert learn(["/reports/2024-01-31"])["/reports/2024-01-31"] == "/reports/{reportDate}"


def test_typed_values_keep_their_extension() -> None:
    paths = [f"/Accounts/AC{i:032x}/Messages/SM{i:032x}.json" for i in (1, 2)]
    paths += ["/users/42.json", "/users/42"]
    got = learn(paths)
    assert got[paths[0]] == "/Accounts/{accountId}/Messages/{messageId}.json"
    assert got["/users/42.json"] == "/users/{userId}.json"
    assert got["/users/42"] == "/users/{userId}"
    assert learn(["/files/report.json"])["/files/report.json"] == "/files/report.json"


def test_top_level_siblings_outside_the_shared_structure_stay_literal() -> None:
    paths = [f"/{tenant}/{res}" for tenant in ("acme", "globex", "initech", "umbrella")
             for res in ("users", "invoices", "settings")]
    got = learn([*paths, "/health", "/metrics"])
    assert got["/health"] == "/health"
    assert got["/metrics"] == "/metrics"
    assert got["/acme/users"] == "/{name}/users"


def test_past_the_word_cap_the_odd_ones_still_stay_literal() -> None:
    rng = random.Random(9)
    t = PathTemplater(word_cap=8)
    feats: dict[str, set[str]] = {}
    for i in range(30):
        key = t.observe(f"/links/{NAMES[i % 20]}{'x' * (i // 20)}")
        feats.setdefault(key, set()).update(shape("link", rng))
    feats.setdefault(t.observe("/links/search"), set()).update(list_shape("link", rng))
    templates = t.templates({k: frozenset(v) for k, v in feats.items()})
    assert templates["/links/{:word}"].path == "/links/{linkName}"
    assert "/links/alpha" not in templates  # opened: rewritten to /links/{:word}
    assert templates["/links/search"].path == "/links/search"


@settings(max_examples=40, deadline=None)
@given(st.lists(raw_paths, min_size=1, max_size=30), st.randoms(use_true_random=False))
def test_order_does_not_matter_with_features(paths: list[str], rnd: random.Random) -> None:
    def run(order: list[str]) -> dict[str, Template]:
        t = PathTemplater()
        feats: dict[str, set[str]] = {}
        for p in order:
            # a response shape that depends on the path's first segment only
            feats.setdefault(t.observe(p), set()).update({"GET", f"{p.split('/')[1]}.id", "common"})
        return t.templates({k: frozenset(v) for k, v in feats.items()})

    shuffled = list(paths)
    rnd.shuffle(shuffled)
    assert run(paths) == run(shuffled)


def test_a_common_envelope_does_not_make_resources_one() -> None:
    """Twelve CRUD resources whose lists share data/meta/links and differ by one field stay apart."""
    rng = random.Random(10)
    resources = ["users", "orders", "products", "invoices", "payments", "refunds", "coupons", "reviews",
                 "carts", "shipments", "warehouses", "suppliers"]
    shapes: dict[str, frozenset[str]] = {}
    for r in resources:
        fields = ["id", "created_at", "updated_at", f"{r}_code"]
        shapes[f"/api/v1/{r}"] = frozenset({"GET", "data", "meta", "meta.total", "links", "links.next",
                                            *(f"data[].{f}" for f in fields)})
        for _ in range(3):
            item = frozenset({"GET", "data", *(f"data.{f}" for f in fields)})
            shapes[f"/api/v1/{r}/{rng.randint(1, 999)}"] = item
    got = learn(shapes, shapes)
    expected = {f"/api/v1/{r}" for r in resources} | {f"/api/v1/{r}/{{}}" for r in resources}
    assert erased(got.values()) == expected


def test_merge_folds_another_templater_in() -> None:
    a, b = PathTemplater(), PathTemplater()
    for name in NAMES[:2]:
        a.observe(f"/teams/{name}")
    for name in NAMES[2:5]:
        b.observe(f"/teams/{name}")
    a.merge(b)
    assert a.keys == {f"/teams/{n}" for n in NAMES[:5]}
    assert {t.path for t in a.templates().values()} == {"/teams/{teamName}"}


def test_pickles_without_the_cache() -> None:
    t = PathTemplater()
    for i in range(100):
        t.observe(f"/items/{i}")
    clone = pickle.loads(pickle.dumps(t))
    assert clone.recent == {}
    assert clone.keys == t.keys


def test_checkpointed_templaters_keep_their_class_paths() -> None:
    """Kafka checkpoints pickle the templater: its classes must stay importable where they were."""
    import pickle

    import specbuild.learn.paths.templater as paths_module

    t = paths_module.PathTemplater(hints=("/repos/{owner}/{repo}",))
    t.observe("/repos/a/b")
    blob = pickle.dumps(t)
    assert b"specbuild.learn.paths.templater" in blob and b"PathTemplater" in blob
    assert paths_module.PathTemplater.__module__ == "specbuild.learn.paths.templater"
    assert hasattr(paths_module, "Hint")
    again = pickle.loads(blob)
    assert again.templates() == t.templates()


# --- hostile paths ------------------------------------------------------------------------------


def test_deep_paths_are_templated_without_recursion_per_segment() -> None:
    """Keys thousands of segments deep once overflowed the resolver's stack (RecursionError at render)."""
    deep = "/a" * 5000
    out = decide(sorted({"/users/{:integer}", deep, deep + "/{:integer}", "/b" * 600 + "/x"}), (), {})
    assert out["/users/{:integer}"].path == "/users/{userId}"
    assert out[deep].path == deep


def test_a_path_deeper_than_any_api_is_a_record_error() -> None:
    t = PathTemplater()
    assert t.observe("/a" * MAX_SEGMENTS) == "/a" * MAX_SEGMENTS
    with pytest.raises(RecordError) as err:
        t.observe("/a" * (MAX_SEGMENTS + 1))
    assert err.value.reason == "too-deep"
    assert t.keys == {"/a" * MAX_SEGMENTS}  # nothing of the refused path kept


def test_a_long_segment_is_one_literal() -> None:
    long = "x" * 100_000
    out = learn([f"/files/{long}", "/files"])
    assert out[f"/files/{long}"].count("/") == 2


def test_namespaced_names_beside_each_other_are_values_of_one_parameter() -> None:
    """``/rooms/{id}/state/m.room.name``, ``/hooks/com.example.created``: nobody names an endpoint in
    reverse-DNS, so two of them side by side are one operation, not one per name; a version is not one."""
    t = PathTemplater()
    for name in ("m.room.name", "m.room.topic", "com.example.custom"):
        t.observe(f"/rooms/5f2b8c1d9e/state/{name}")
    for name in ("com.example.created", "org.acme.settings"):
        t.observe(f"/hooks/{name}")
    t.observe("/hooks/list")
    t.observe("/static/v1.2.3")
    assert sorted({tpl.path for tpl in t.templates().values()}) == [
        "/hooks/list", "/hooks/{hookName}", "/rooms/{roomId}/state/{stateName}", "/static/v1.2.3"]


@pytest.mark.parametrize("seg", ["@alice:matrix.org", "!OGEhHVWSdvArJzumhm:matrix.org", "$143273582443PhrSn:host",
                                 "#room:host", "~user:host", "acct:alice@host.example", "urn:isbn:0451450523",
                                 "arn:aws:s3:::bucket", "%40bob%3Aexample.org"])
def test_ids_with_sigils_and_uri_schemes_are_parameters_on_sight(seg: str) -> None:
    assert classify_segment(seg) == "token"
    t = PathTemplater()
    key = t.observe(f"/profile/{seg}/displayname")
    assert t.templates()[key].path == "/profile/{profileId}/displayname"


def test_an_arn_cut_by_its_own_slash_is_one_id_over_two_segments() -> None:
    """AWS Batch tags a queue by its ARN, ``job-queue/<name>`` sent with the slash: the name after the
    resource type is the rest of the id, whatever it reads as, not one literal path per queue."""
    arn = "arn:aws:batch:eu-west-1:123456789012:job-queue"
    quoted = arn.replace(":", "%3A")
    paths = [f"/v1/tags/{arn}/{q}" for q in ("growth-spot-1-queue", "mobile-ondemand-8-queue")]
    paths.append(f"/v1/tags/{quoted}/search-3")
    t = PathTemplater()
    for path in paths:
        t.observe(path)
    assert sorted({tpl.path for tpl in t.templates().values()}) == ["/v1/tags/{tagId}/{id}"]
    # an ARN that ends in a name (no region, no account: S3) is followed by a resource
    key = t.observe("/buckets/arn:aws:s3:::photos/policy")
    assert t.templates()[key].path == "/buckets/{bucketId}/policy"


@pytest.mark.parametrize("seg", ["files:copy", "abc:undelete", "alice", "v2", "me"])
def test_custom_methods_and_words_are_not_sigil_ids(seg: str) -> None:
    assert classify_segment(seg) is None


# --- names people choose, actions, hosts (issue 11) ------------------------------------------------

def _obj(*props: str) -> frozenset[str]:
    return frozenset({"GET", *props})


def _list(*props: str) -> frozenset[str]:
    return frozenset({"GET", *(f"[].{p}" for p in props)})


def test_one_name_answering_like_an_item_of_its_collection_is_a_value() -> None:
    """One pool and its queues: the pool answers like an item of /pools, so it is a value, not the
    resource (it was /pools/acme-pool/{acmePoolName})."""
    shapes = {"/pools": _list("name", "size", "state"), "/pools/acme-pool": _obj("name", "size", "state"),
              "/pools/acme-pool/queues": _list("name", "depth", "pool"),
              "/pools/acme-pool/queues/default": _obj("name", "depth", "pool"),
              "/pools/acme-pool/queues/reports": _obj("name", "depth", "pool")}
    got = learn(shapes, shapes)
    assert got["/pools/acme-pool/queues/default"] == "/pools/{poolName}/queues/{queueName}"
    assert got["/pools/acme-pool"] == "/pools/{poolName}"


def test_whoami_answering_like_an_item_of_its_collection_stays_literal() -> None:
    """Ory Kratos' ``/sessions/whoami`` answers the caller's own session, shaped like every item of
    ``/sessions``: as ``/users/me`` is the caller's user. It stands for one item (an alias), it is no
    name of one (it was ``/sessions/{sessionName}``, a route no other value reaches)."""
    shapes = {"/sessions": _list("id", "active", "expires_at", "identity"),
              "/sessions/whoami": _obj("id", "active", "expires_at", "identity"),
              "/account/whoami": _obj("user_id", "device_id")}
    got = learn(shapes, shapes)
    assert got["/sessions/whoami"] == "/sessions/whoami"
    assert got["/account/whoami"] == "/account/whoami"


def test_a_word_answering_like_a_listed_item_of_another_resource_stays_literal() -> None:
    shapes = {"/users": _list("login", "id"), "/users/search": _obj("total_count", "items"),
              "/users/alice": _obj("login", "id", "bio")}
    got = learn(shapes, shapes)
    assert got["/users/search"] == "/users/search"
    assert got["/users/alice"] == "/users/{userName}"


def test_names_beside_ids_answering_alike_are_one_parameter() -> None:
    limit = _obj("id", "name", "limit", "used")
    shapes = {"/limits/12": limit, "/limits/34": limit, "/limits/my-limit": limit,
              "/limits/search": _list("id", "name")}
    got = learn(shapes, shapes)
    assert got["/limits/my-limit"] == got["/limits/12"] == "/limits/{limitIdOrName}"
    assert got["/limits/search"] == "/limits/search"


def test_nested_names_each_under_one_owner_are_values() -> None:
    """39 calls to /deployments/by-name/{flow}/{deployment} were 6 literal paths."""
    dep = _obj("id", "name", "flow_id", "schedule")
    names = {"etl-flow": ("daily", "hourly"), "hello": ("hello-dep",), "nightly-sync": ("prod", "backfill")}
    shapes = {f"/api/deployments/by-name/{f}/{d}": dep for f, ds in names.items() for d in ds}
    shapes["/api/deployments/3fa85f64-5717-4562-b3fc-2c963f66afa6"] = dep
    got = learn(shapes, shapes)
    assert set(got.values()) == {"/api/deployments/by-name/{deploymentName}/{name}",
                                 "/api/deployments/{deploymentId}"}


_PEOPLE = ("alice", "bob", "carol", "dave", "heidi")


def test_owners_each_holding_many_names_of_their_own_answering_alike_are_values() -> None:
    """Issue 11: five users each holding a dozen indexes of their own, no user's answer naming it, were
    ``/alice/{aliceName}`` ... ``/heidi/{heidiName}``: the names below merged, the owners stayed literal."""
    index = _obj("result.type", "result.bases", "result.volatile")
    shapes = {f"/{user}/ix{12 * n + i}": index for n, user in enumerate(_PEOPLE) for i in range(12)}
    shapes["/+api"] = _obj("result.login", "result.features")
    got = learn(shapes, shapes)
    assert set(got.values()) == {"/{name}/{name2}", "/+api"}


def test_resources_each_holding_ids_or_names_stay_resources() -> None:
    """The counter-examples: resources hold ids (``/users/{id}``), are named as collections, or answer
    each their own; none of them is a value beside the others, however many items each holds."""
    resources = ("users", "orders", "invoices", "products", "carts")
    same = _obj("id", "name", "created")
    by_id = {f"/{r}/{100 * n + i}": same for n, r in enumerate(resources) for i in range(12)}
    assert erased(learn(by_id, by_id).values()) == {f"/{r}/{{}}" for r in resources}
    by_name = {f"/{r}/n{12 * n + i}": same for n, r in enumerate(resources) for i in range(12)}
    assert erased(learn(by_name, by_name).values()) == {f"/{r}/{{}}" for r in resources}
    own = {"project": ("repo", "stars", "forks"), "team": ("members", "slug", "privacy"),
           "pipeline": ("stages", "trigger", "runs"), "runner": ("os", "online", "tags")}
    singular = {f"/{r}/x{12 * n + i}": _obj("id", "name", *fields)
                for n, (r, fields) in enumerate(own.items()) for i in range(12)}
    assert erased(learn(singular, singular).values()) == {f"/{r}/{{}}" for r in own}


def test_words_holding_names_of_their_own_beside_values_holding_resources_stay_literal() -> None:
    """MediaConnect at 5000 exchanges: ``/flows/start/{arn}`` and ``/flows/stop/{arn}`` beside 222 flows
    were two more flows, and the flows' resources (entitlements, source...) became values beside the
    names started and stopped: ``/flows/{flowName}/{name}``."""
    rng = random.Random(11)
    subs = ("entitlements", "source", "outputs", "mediaStreams")
    flows = [f"{rng.choice(NAMES)}{rng.randrange(10 ** 6):x}" for _ in range(200)]
    shapes = {f"/v1/flows/{flow}": _obj("flow.name", "flow.status", "flow.source") for flow in flows[:40]}
    for flow in flows:
        sub = rng.choice(subs)
        shapes[f"/v1/flows/{flow}/{sub}"] = frozenset({"POST", f"{sub}[].name", "flowArn"})
    typed = str(uuid.UUID(int=rng.getrandbits(128)))  # a flow with an id of a kind seen on sight
    shapes[f"/v1/flows/{typed}"] = _obj("flow.name", "flow.status", "flow.source")
    shapes[f"/v1/flows/{typed}/source"] = frozenset({"POST", "source[].name", "flowArn"})
    for verb in ("start", "stop"):
        for flow in rng.sample(flows, 20):
            shapes[f"/v1/flows/{verb}/{flow}"] = frozenset({"POST", "flowArn", "status"})
    got = learn(shapes, shapes)
    assert erased(got.values()) == {"/v1/flows/{}", "/v1/flows/start/{}", "/v1/flows/stop/{}",
                                    *(f"/v1/flows/{{}}/{sub}" for sub in subs)}


def test_words_under_many_of_hundreds_of_values_are_their_resources() -> None:
    """DataBrew at 5000 exchanges: ``publishRecipe``, ``batchDeleteRecipeVersion`` and ``recipeVersion``
    each under some fifty of 165 recipes were read as names each under few recipes, values:
    ``/recipes/{recipeName}/{name}``."""
    rng = random.Random(12)
    recipes = sorted({f"{rng.choice(NAMES)}-{rng.choice(NAMES)}-{rng.choice(NAMES)}" for _ in range(150)})
    shapes: dict[str, frozenset[str]] = {"/recipes": _list("name", "steps")}
    for recipe in recipes:
        sub = rng.choice(("publishRecipe", "batchDeleteRecipeVersion", "recipeVersion"))
        if sub == "recipeVersion":
            sub += f"/{rng.choice(NAMES)}-{rng.randrange(100)}"
        shapes[f"/recipes/{recipe}/{sub}"] = frozenset({"POST", "name"})
    got = learn(shapes, shapes)
    assert erased(got.values()) == {"/recipes", "/recipes/{}/publishRecipe", "/recipes/{}/batchDeleteRecipeVersion",
                                    "/recipes/{}/recipeVersion/{}"}


def test_a_few_collections_answering_in_one_list_envelope_stay_resources() -> None:
    """Azure's ``/providers/Microsoft.ServiceBus/namespaces`` beside ``/premiumMessagingRegions`` and
    ``/sku/{sku}/regions``: lists answer alike by their envelope, which made three resources one
    parameter. Three names answering alike are still values."""
    page = frozenset({"GET", "value[].name", "value[].id", "nextLink"})
    shapes = {"/v2/catalog/products": page, "/v2/catalog/categories": page, "/v2/catalog/featured": page,
              "/v2/catalog/sku/basic/regions": page, "/v2/catalog/sku/premium/regions": page}
    got = learn(shapes, shapes)
    assert erased(got.values()) == {"/v2/catalog/products", "/v2/catalog/categories", "/v2/catalog/featured",
                                    "/v2/catalog/sku/{}/regions"}
    pool = _obj("name", "size", "state")
    named = {f"/v2/pool/{name}": pool for name in ("alpha", "bravo", "charlie")}
    assert erased(learn(named, named).values()) == {"/v2/pool/{}"}


def test_among_a_crowd_of_leaves_answering_alike_a_name_reading_as_a_plural_is_one_more() -> None:
    """Google's ``/v1/{name}`` (operations) at 5000 exchanges: ``blue-payments``, ``public-orders``
    stayed literal beside hundreds of names answering the same operation; ``/v1/operations``, a list,
    answers unlike them and stays the collection."""
    rng = random.Random(13)
    op = ("done", "name", "metadata", "response", "error")
    # each answer holds a map of its own keys (``metadata.<key>``): no two answer quite alike
    names = [f"{a}-{b}" for a in NAMES[:8] for b in NAMES[8:13]]
    shapes = {f"/v1/{name}": frozenset({"GET", *rng.sample(op, 4), f"metadata.{name}"}) for name in names}
    shapes["/v1/blue-payments"] = frozenset({"GET", "done", "name", "metadata", "metadata.k1"})
    shapes["/v1/public-orders"] = frozenset({"GET", "name", "response", "error", "metadata.k2"})
    shapes["/v1/operations"] = frozenset({"GET", "operations", "operations[].name", "nextPageToken"})
    got = learn(shapes, shapes)
    assert erased(got.values()) == {"/v1/{}", "/v1/operations"}


def test_one_word_under_a_collection_answering_its_items_key_is_an_item() -> None:
    """MediaConnect at 200 exchanges: ``DELETE /flows/{flow}/entitlements/storage`` answering
    ``EntitlementArn`` was a literal path; a word answering the collection's own listing, or the item
    itself (an API's own name for one item, ``/projects/default``), stays literal."""
    flow = "/v1/flows/3fa85f64-5717-4562-b3fc-2c963f66afa6/entitlements"
    shapes = {f"{flow}/storage": frozenset({"DELETE", "EntitlementArn", "DELETE EntitlementArn"}),
              flow: frozenset({"POST", "Entitlements", "Entitlements[].Name"}),
              "/v1/users/search": _obj("total", "items", "items[].userId"),
              "/v1/projects/default": _obj("project", "project.id", "project.name")}
    got = learn(shapes, shapes)
    assert got[f"{flow}/storage"] == "/v1/flows/{flowId}/entitlements/{entitlementName}"
    assert got["/v1/users/search"] == "/v1/users/search"
    assert got["/v1/projects/default"] == "/v1/projects/default"


def test_a_plural_holding_ids_beside_ids_holding_none_is_a_collection() -> None:
    """Gitea at 5000 exchanges: ``/issues/comments/{id}/reactions`` beside ``/issues/{index}/dependencies``
    and dozens of issue names was ``/issues/{issueIdOrName}/{id}/reactions``."""
    rng = random.Random(14)
    shapes: dict[str, frozenset[str]] = {}
    for i in range(30):
        shapes[f"/repos/acme/web/issues/{rng.randrange(1, 999)}/dependencies"] = _list("id", "title")
        shapes[f"/repos/acme/web/issues/{rng.choice(NAMES)}-{i}x/stopwatch"] = frozenset({"POST"})
    for _ in range(5):
        shapes[f"/repos/acme/web/issues/comments/{rng.randrange(1, 999)}/reactions"] = _list("user", "content")
    got = learn(shapes, shapes)
    assert erased(got.values()) == {"/repos/acme/web/issues/{}/dependencies", "/repos/acme/web/issues/{}/stopwatch",
                                    "/repos/acme/web/issues/comments/{}/reactions"}


def test_a_camel_case_verb_phrase_beside_many_names_stays_the_apis_word() -> None:
    """IoT at 5000 exchanges: ``POST /billing-groups/addThingToBillingGroup`` beside forty billing
    groups created by name (answering ``billingGroupArn``) was one more group. A plain action word
    among many names may be one (a group called "search"); a verb phrase in camelCase is nobody's name."""
    rng = random.Random(15)
    created = frozenset({"POST", "billingGroupName", "billingGroupArn",
                         "POST billingGroupName", "POST billingGroupArn"})
    shapes = {f"/billing-groups/{rng.choice(NAMES)}-{i}": created for i in range(30)}
    shapes["/billing-groups/alpha-bravo"] = created
    shapes["/billing-groups/search"] = created
    shapes["/billing-groups/addThingToBillingGroup"] = frozenset({"PUT"})
    got = learn(shapes, shapes)
    assert got["/billing-groups/addThingToBillingGroup"] == "/billing-groups/addThingToBillingGroup"
    assert got["/billing-groups/search"] == got["/billing-groups/alpha-bravo"] == "/billing-groups/{billingGroupName}"


def test_words_of_the_ids_alphabet_over_the_same_names_are_ids_not_verbs() -> None:
    """Omics at 5000 exchanges: ``/referencestore/VVCjHaazXz/reference/{id}`` and three more short ids,
    each holding only ``reference/{id}``, were read as verbs over the same names (``/files/fetch/{host}``)
    and stayed literal beside ``/referencestore/{referencestoreId}``."""
    shapes: dict[str, frozenset[str]] = {}
    for store in CASED_IDS[:4]:
        shapes[f"/referencestore/{store}/importjobs"] = _list("id", "status")
        shapes[f"/referencestore/{store}/reference/{CASED_IDS[5]}"] = _obj("id", "name", "md5")
    for store in ("VVCjHaazXz", "aPAQ705ULRU", "jkqNRqzwcKG", "uxBQMOAQkA"):
        shapes[f"/referencestore/{store}/reference/{CASED_IDS[4]}"] = _obj("id", "name", "md5")
    got = learn(shapes, shapes)
    assert erased(got.values()) == {"/referencestore/{}/importjobs", "/referencestore/{}/reference/{}"}


def test_resources_under_words_answering_unlike_stay_literal() -> None:
    shapes = {"/admin/billing/invoices": _list("id", "total"), "/admin/billing/plan": _obj("tier", "seats"),
              "/admin/audit/events": _list("actor", "action", "at")}
    got = learn(shapes, shapes)
    assert set(got.values()) == set(shapes)


def test_sibling_actions_stay_apart_and_the_host_after_them_is_a_parameter() -> None:
    shapes: dict[str, frozenset[str]] = {}
    for host in ("alpha", "beta.example.org", "gamma"):
        for media in ("Ab3dEf9hIjKlMn0p", "Zz9yXw8vUt7sRq6p"):
            shapes[f"/files/download/{host}/{media}"] = frozenset({"GET"})
            shapes[f"/files/preview/{host}/{media}"] = _obj("url", "title", "size")
    got = learn(shapes, shapes)
    assert set(got.values()) == {"/files/download/{name}/{id}", "/files/preview/{name}/{id}"}


def test_plural_resources_holding_ids_stay_resources() -> None:
    got = learn([f"/git/{kind}/{sha}" for kind in ("blobs", "trees", "commits")
                 for sha in ("a1b2c3d4e5", "f6a7b8c9d0")])
    assert set(got.values()) == {"/git/blobs/{blobId}", "/git/trees/{treeId}", "/git/commits/{commitId}"}


def test_parameter_names_come_from_resources_never_from_values() -> None:
    t = PathTemplater()
    receipt = t.observe("/rooms/!abc:host/receipt/m.read/$ev1:host")
    redact = t.observe("/rooms/!abc:host/redact/$ev1:host/$tx2:host")
    message = t.observe("/rooms/!abc:host/messages/$ev1:host")
    templates = t.templates()
    assert templates[receipt].path == "/rooms/{roomId}/receipt/m.read/{receiptId}"
    assert templates[redact].path == "/rooms/{roomId}/redact/{redactId}/{id}"
    assert templates[message].path == "/rooms/{roomId}/messages/{messageId}"
    alice = t.observe("/users/alice/keys/7")
    starred = t.observe("/users/alice/8")
    assert t.templates()[alice].path == "/users/alice/keys/{keyId}"
    assert t.templates()[starred].path == "/users/alice/{id}"


def test_rpc_verbs_under_a_collection_stay_literal() -> None:
    """MLflow's /model-versions/create, /update, /delete were one path with the verb as a parameter."""
    shapes = {f"/api/2.0/mlflow/model-versions/{verb}": _obj("model_version", "name")
              for verb in ("create", "update", "delete", "get")}
    shapes["/api/2.0/mlflow/model-versions/search"] = _obj("model_versions", "next_page_token")
    got = learn(shapes, shapes)
    assert set(got.values()) == set(shapes)


# --- registries on real traffic: marked words, owners' maps, scoped names (issue 11) ------------------

def test_marked_words_stay_literal_and_leave_the_names_beside_them_to_be_values() -> None:
    """``/{user}/{index}/+api`` beside ``/{user}/{index}/{project}``: a leading ``+``, ``-`` or ``_``
    marks the API's own word. It is never a value, and names beside it are judged without it (it
    sat under every index, so the projects beside it were each read as a resource of their own)."""
    user = _obj("result.username", "result.email", "result.indexes")
    index = _obj("result.type", "result.bases", "result.projects")
    project = _obj("result", "type")
    api = _obj("result.login", "result.authstatus", "result.features")
    owners = {"alice": {"dev": ("ml-kit", "web-app"), "prod2": ("infra-cli",)},
              "carol": {"team": ("data-core", "report-gen"), "qa": ("web-app",)},
              "erin": {"stage": ("auth-sdk", "web-app"), "dev": ("billing",)}}
    shapes: dict[str, frozenset[str]] = {"/+api": api, "/+login": _obj("result.expiration")}
    for user_name, indexes in owners.items():
        # each user lists their indexes in a map keyed by the index names the paths below hold
        shapes[f"/{user_name}"] = user | {f"result.indexes.{i}" for i in indexes}
        for index_name, projects in indexes.items():
            shapes[f"/{user_name}/{index_name}"] = index
            shapes[f"/{user_name}/{index_name}/+api"] = api
            for name in projects:
                shapes[f"/{user_name}/{index_name}/{name}"] = project | {f"result.1.{len(name)}.0"}
    got = learn(shapes, shapes)
    assert got["/+api"] == "/+api"
    assert got["/alice/dev/+api"] == "/{name}/{name2}/+api"
    assert got["/carol/team/report-gen"] == got["/erin/dev/billing"] == "/{name}/{name2}/{name3}"
    assert got["/erin"] == "/{name}"


def test_names_behind_a_sigil_are_values_and_a_resource_below_them_stays_one() -> None:
    """npm's scoped packages (``/@acme/logger``) beside plain ones: two scopes are one parameter, and
    ``dist-tags``, which every package holds below it, stays the resource it is."""
    doc = _obj("name", "versions", "dist-tags", "time")
    tags = _obj("latest")
    shapes: dict[str, frozenset[str]] = {}
    for name in ("@acme/logger", "@acme/charts", "@bob/date-utils", "@bob/left-pad", "left-pad",
                 "charts-76", "logger-12", "feature-flags", "i18n-strings", "config-loader"):
        shapes[f"/{name}"] = doc
        shapes[f"/-/package/{name}/dist-tags"] = tags
    got = learn(shapes, shapes)
    assert got["/@acme/logger"] == got["/@bob/left-pad"]
    assert got["/-/package/left-pad/dist-tags"] == "/-/package/{packageName}/dist-tags"
    assert got["/-/package/@acme/charts/dist-tags"] == "/-/package/{packageName}/{name}/dist-tags"


@pytest.mark.timeout(60)
def test_a_long_property_name_that_is_no_identifier_costs_one_pass() -> None:
    """Map keys are told from property names by a pattern; a long key that is not a name (``aaa...a!``)
    must fail it in one pass, not by trying every split of it into names."""
    long = "a" * 60 + "!"
    shapes = {f"/things/{n}": _obj("id", f"data.{long}", f"{long}.x") for n in ("red", "green", "blue")}
    got = learn(shapes, shapes)
    assert got["/things/red"] == "/things/{thingName}"


def test_a_later_pass_resolves_again_only_where_the_pool_answers_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    """The owners merged under /repos are values again under /starred in the next pass; that pass and the
    one after it take the rest of the tree from the pass before (its questions to the pool answered as
    then), and decide exactly as resolving every node again does."""
    paths = [f"/repos/{o}/r{i}/issues" for i, o in enumerate(("alice", "bob", "carol"))]
    paths += [f"/starred/{o}" for o in ("alice", "bob", "carol")] + ["/users", "/meta"]
    resolved: dict[int, int] = {}
    inner = templating._Resolver._resolve

    def counted(self: templating._Resolver, *call: object) -> object:
        resolved[self.passes] = resolved.get(self.passes, 0) + 1
        return inner(self, *call)  # type: ignore[arg-type]

    monkeypatch.setattr(templating._Resolver, "_resolve", counted)
    got = learn(paths)
    assert got["/starred/bob"] == "/starred/{starredName}"
    assert got["/repos/bob/r1/issues"] == "/repos/{owner}/{repo}/issues"
    # resolving every node again: 11 nodes in each pass; taken over: 3, then 2
    assert len(resolved) >= 2 and all(2 * resolved[n] < resolved[1] for n in resolved if n > 1)
    monkeypatch.setattr(templating._Resolver, "_reused", lambda self, call: None)
    assert learn(paths) == got


# --- file names: a name with an extension is a value, the extension included ----------------------

# A file store as its clients use it: folders of names people chose (with spaces and digits), files of
# several extensions, the same default name (``Untitled.ipynb``) in many folders, checkpoints below files.
FILES = ("Untitled.ipynb", "notes.md", "report 524.csv", "plots 26.md", "todo.txt", "demo 31.py")
FOLDERS = ("draft 889", "thesis", "2024-review 12")


def _file_store() -> list[str]:
    paths = [f"/api/files/{name}" for name in FILES]
    paths += [f"/api/files/{folder}/{name}" for folder in FOLDERS for name in FILES[:4]]
    paths += [f"/api/files/{folder}" for folder in FOLDERS]
    paths += [f"/api/files/{name}/checkpoints" for name in FILES[:3]]
    paths += [f"/api/files/{FOLDERS[0]}/{name}/checkpoints" for name in FILES[:3]]
    return paths


def test_file_names_where_names_vary_are_values_with_their_extension() -> None:
    """``/api/contents/{path}`` was ``/{contentName}/Untitled.ipynb``, ``{contentId}.txt`` and ``{id}.md``
    beside each other: a file name shared by many folders, and typed names whose extensions differ
    (``plots 26.md`` is ``{:token}.md``), were literal halves."""
    got = learn(_file_store())
    assert set(got.values()) == {"/api/files/{fileName}", "/api/files/{fileName}/checkpoints",
                                 "/api/files/{fileName}/{name}", "/api/files/{fileName}/{name}/checkpoints"}
    assert got["/api/files/plots 26.md"] == got["/api/files/todo.txt"] == got["/api/files/Untitled.ipynb"]


def test_file_names_where_resources_stand_and_a_strong_ids_format_stay_literal() -> None:
    """``/api/spec.yaml`` beside ``/api/status`` and ``/robots.txt`` beside ``/favicon.ico`` are endpoints;
    ``/users/42.json`` beside ``/users/7.xml`` asks for a format of one user."""
    got = learn(["/api/spec.yaml", "/api/status", "/api/me", "/robots.txt", "/favicon.ico", "/users/42.json",
                 "/users/7.xml", "/users/7", "/files/report.json", "/files/data.csv"])
    assert got["/api/spec.yaml"] == "/api/spec.yaml"
    assert got["/robots.txt"] == "/robots.txt" and got["/favicon.ico"] == "/favicon.ico"
    assert got["/users/42.json"] == "/users/{userId}.json" and got["/users/7.xml"] == "/users/{userId}.xml"
    assert got["/files/report.json"] == got["/files/data.csv"] == "/files/{fileName}"


@pytest.mark.parametrize("spans", [False, True])
def test_a_build_of_a_file_store_templates_file_names_as_values(tmp_path: Path, spans: bool) -> None:
    """The user's run: records of a file store through ``specbuild build``; every file is one operation. A file
    in a folder is a template per depth, or, with ``--file-paths``, one parameter of one or more segments
    (``x-multiSegment``) whose ``/checkpoints`` trailer stays after it."""
    records = tmp_path / "files.jsonl"
    with records.open("w") as out:
        for path in _file_store():
            # deleted: no body to tell a file from a resource, only the names
            out.write(json.dumps(record("post" if "checkpoints" in path else "delete", path, 204)) + "\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "specbuild", "build", "-i", str(records), "-o", str(tmp_path / "out"),
                          "-q", *(["--file-paths"] if spans else [])], capture_output=True, text=True, cwd=ROOT,
                         env=env, timeout=120, stdin=subprocess.DEVNULL)
    assert run.returncode == 0, run.stderr
    paths = json.loads((tmp_path / "out" / "openapi.json").read_text())["paths"]
    if spans:
        assert sorted(paths) == ["/api/files/{filePath}", "/api/files/{filePath}/checkpoints"]
        params = paths["/api/files/{filePath}"]["delete"]["parameters"]
        assert [(q["name"], q["in"], q["x-multiSegment"]) for q in params] == [("filePath", "path", True)]
        return
    assert sorted(paths) == ["/api/files/{fileName}", "/api/files/{fileName}/checkpoints",
                             "/api/files/{fileName}/{name}", "/api/files/{fileName}/{name}/checkpoints"]
    params = paths["/api/files/{fileName}"]["delete"]["parameters"]
    assert [(q["name"], q["in"], q["schema"]["type"]) for q in params] == [("fileName", "path", "string")]


def test_the_singular_of_the_collection_it_is_under_names_an_item() -> None:
    """Jupyter's checkpoints have one id, ``checkpoint``: ``/checkpoints/checkpoint`` is an item of the
    collection, not a resource named like one of its items; another word alone there stays literal."""
    got = learn(["/api/files/notes.md/checkpoints", "/api/files/notes.md/checkpoints/checkpoint",
                 "/api/files/todo.txt/checkpoints/checkpoint", "/api/jobs/archive", "/api/jobs",
                 "/api/queries/query/history"])
    assert got["/api/files/todo.txt/checkpoints/checkpoint"] == "/api/files/{fileName}/checkpoints/{checkpointName}"
    assert got["/api/jobs/archive"] == "/api/jobs/archive"
    assert got["/api/queries/query/history"] == "/api/queries/{queryName}/history"


def test_resources_asked_for_in_one_format_stay_resources() -> None:
    """``/products.json`` beside ``/orders.json``: plain words of one format (json, xml) are resources in
    it, not file names; ``config.txt`` beside ``summary.txt`` are files, and so are notes of one
    extension beside a name with digits."""
    shop = learn(["/shop/products.json", "/shop/orders.json", "/shop/customers.json", "/shop/orders/450789469.json"])
    assert shop["/shop/orders.json"] == "/shop/orders.json" and shop["/shop/products.json"] == "/shop/products.json"
    assert shop["/shop/orders/450789469.json"] == "/shop/orders/{orderId}.json"
    notes = learn(["/drive/x/notes.md", "/drive/x/todo.md", "/drive/x/plots 26.md"])
    assert notes["/drive/x/notes.md"] == notes["/drive/x/plots 26.md"]
    runs = learn([f"/runs/{run}/artifacts/{name}" for run in (7, 8) for name in ("config.txt", "summary.txt")])
    assert set(runs.values()) == {"/runs/{runId}/artifacts/{artifactName}"}


def _index_server(more: Mapping[str, tuple[str, ...]]) -> dict[str, frozenset[str]]:
    """Users at the root, each with indexes of packages (devpi's shape): three users of two indexes, and ``more``."""
    user, index, package = _obj("username", "indexes"), _obj("type", "bases", "volatile"), _obj("result", "type")
    shapes = {"/+api": _obj("login", "root"), "/+login": frozenset({"POST", "expires"})}
    indexes = {"bob": ("prod7", "staging7"), "carol": ("dev1", "team1"), "heidi": ("dev6", "team3"),
               **more}
    for i, (name, theirs) in enumerate(sorted(indexes.items())):
        shapes[f"/{name}"] = user
        for j, idx in enumerate(theirs):
            shapes[f"/{name}/{idx}"] = index
            shapes[f"/{name}/{idx}/+api"] = _obj("login", "root")
            for k in range(4):  # packages of nine names, shared between indexes
                shapes[f"/{name}/{idx}/{SLUGS[(i + j + k) % 9]}"] = package
    return shapes


def test_a_lone_word_below_a_sibling_stands_where_the_siblings_values_do() -> None:
    """Issue 11, devpi learned from its other sample: alice and grace had ONE index each, so nothing
    beside ``/alice/prod5`` said ``prod5`` was one of many; the users then shared too little below
    them to be one parameter, and every user stayed literal (``/alice/prod5/...``). Beside the other
    users' ``{index}``, the one index is an index."""
    shapes = _index_server({"alice": ("prod5",), "grace": ("team6",)})
    got = learn(shapes, shapes)
    assert got["/alice/prod5/+api"] == got["/bob/prod7/+api"] == "/{name}/{name2}/+api"
    assert got["/grace/team6"] == got["/carol/dev1"] == "/{name}/{name2}"
    assert got[f"/alice/prod5/{SLUGS[0]}"] == got[f"/heidi/team3/{SLUGS[8]}"] == "/{name}/{name2}/{name3}"
    assert got["/+api"] == "/+api" and got["/+login"] == "/+login"


def test_a_lone_word_that_names_a_resource_stays_one() -> None:
    """A plural below one sibling (``/admin/users``) is a collection, not one more value beside the
    others' ``{index}``: alone, it keeps the words beside it apart."""
    shapes = _index_server({})
    shapes.update({"/admin": _obj("version"), "/admin/users": _list("username"),
                   "/admin/users/+api": _obj("login", "root")})
    got = learn(shapes, shapes)
    assert got["/admin/users"] == "/admin/users"
    assert got["/admin/users/+api"] == "/admin/users/+api"


def test_names_that_were_values_elsewhere_are_values_where_they_answer_unlike() -> None:
    """Nine package names under one index: four answer a release, two an error, three nothing. The
    median of pair likeness is 0 (8 unlike pairs outnumber 7 alike), which reads as different
    resources; the same names were values under another parameter, and that evidence is asked first."""
    names = ["acme-utils", "auth-sdk", "billing-core", "data-tools", "infra-cli", "ml-pipelines", "report-gen",
             "web-api", "cli-tools"]
    release, error = _obj("result", "type"), _obj("message")
    shapes = {f"/simple/{name}": _obj("name", "files", "meta") for name in names}
    answers = [release] * 4 + [error] * 2 + [frozenset({"GET"})] * 3
    shapes.update({f"/projects/7/files/{name}": answer for name, answer in zip(names, answers, strict=True)})
    got = learn(shapes, shapes)
    assert got["/simple/acme-utils"] == "/simple/{simpleName}"
    assert len({got[f"/projects/7/files/{name}"] for name in names}) == 1, got


def test_a_build_learns_the_same_templates_from_either_sample(tmp_path: Path) -> None:
    """The user's run on two samples of one index server: in one every user has two indexes, in the
    other two users have one each. Learned from either, the spec holds the same paths."""
    learned = []
    for name, more in (("a", {"alice": ("prod5", "dev2"), "grace": ("team6", "prod4")}),
                       ("b", {"alice": ("prod5",), "grace": ("team6",)})):
        records = tmp_path / f"{name}.jsonl"
        with records.open("w") as out:
            for path, props in sorted(_index_server(more).items()):
                method = "post" if "POST" in props else "get"
                body = {p: "x" for p in sorted(props) if p not in ("GET", "POST")}
                out.write(json.dumps(record(method, path, 200, resp=body)) + "\n")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        run = subprocess.run([sys.executable, "-m", "specbuild", "build", "-i", str(records), "-o",
                              str(tmp_path / name), "-q"], capture_output=True, text=True, cwd=ROOT, env=env,
                             timeout=120, stdin=subprocess.DEVNULL)
        assert run.returncode == 0, run.stderr
        learned.append(sorted(json.loads((tmp_path / name / "openapi.json").read_text())["paths"]))
    assert learned[0] == learned[1] == ["/+api", "/+login", "/{name}", "/{name}/{name2}", "/{name}/{name2}/+api",
                                        "/{name}/{name2}/{name3}"]


def test_file_names_long_enough_to_look_opaque_are_file_names_in_either_sample() -> None:
    """WireMock's files, issue 11 both ways: ``billing-carts-43.json`` was an id as a whole (21
    characters with digits look opaque) while its stem is a plain name, and ``checkout-products-33``
    is opaque already: a sample of only such names learned ``{fileId}`` beside ``{fileId}.json``, the
    other sample, with short names too, one ``{fileName}``. The extension does not make an id."""
    long_only = ["/__admin/files/billing-carts-43.json", "/__admin/files/checkout-products-33.json",
                 "/__admin/files/shipping-quotes-38.json", "/__admin/files/payments-sessions-17.json"]
    with_short = [*long_only[:2], "/__admin/files/payments-orders-8.json", "/__admin/files/search-invoices-5.json"]
    for paths in (long_only, with_short):
        assert set(learn(paths).values()) == {"/__admin/files/{fileName}"}, paths


def test_the_cache_keeps_what_was_seen_last_when_full() -> None:
    """Two generations: a full cache forgets the older half, not all (ids recur soon after they appear)."""
    t = PathTemplater(cache_size=4)
    for i in range(5):
        t.observe(f"/items/{i}")
    assert "/items/4" in t.recent and "/items/3" in t._older  # not cleared when it filled at /items/4
    t.observe("/items/3")
    assert "/items/3" in t.recent  # a hit in the older generation moves it to the current one


def test_an_opened_position_rewrites_the_cached_keys() -> None:
    """A position that opens rewrites the keys it renamed in the cache (clearing it cost a miss of every
    path seen: ~8k of 100k records on the realistic mix), each as observing the path now would answer."""
    t = PathTemplater(word_cap=3)
    keys = [t.observe(f"/teams/{name}/members") for name in NAMES[:3]]
    assert keys == [f"/teams/{name}/members" for name in NAMES[:3]]
    t.observe(f"/teams/{NAMES[3]}/members")  # the fourth word opens /teams
    assert t.recent[f"/teams/{NAMES[0]}/members"] == "/teams/{:word}/members"
    fresh = PathTemplater(word_cap=3)
    for name in NAMES[:4]:
        fresh.observe(f"/teams/{name}/members")
    for path, key in t.recent.items():
        assert fresh._skeleton(path)[0] == key


# --- answers compared call by call; crowds of leaves ----------------------------------------------

def _call(method: str, *props: str) -> frozenset[str]:
    """Features as render.features gives them: the method, the properties, and which call answered them."""
    return frozenset({method, *props, *(f"{method} {p}" for p in props)})


def test_an_action_called_alone_beside_owners_only_called_below_stays_the_operation() -> None:
    """Gitea's ``GET /repos/search`` beside a dozen owners, each only ever called below
    (``/repos/{owner}/{repo}``, never ``/repos/{owner}`` itself), was learned as ``/repos/{repoName}``:
    among many values an action word may be one (a deployment called ``search``), but a value is called
    where the others are, and ``search`` is called where none of them is, with nothing below it. Where the
    owners are called themselves (``/users/{name}`` beside ``/users/search``), ``search`` may be one more."""
    owners = ["kenji", "acme-platform", "data.science", "fatima.z", "lena.m", "web-frontend", "Infra", "alice",
              "bob.smith", "secops", "ml.research", "eve"]
    repo = _call("GET", "id", "name", "full_name", "owner.login")
    names = ["blog", "payments-api", "etl.pipelines", "ledger", "dotfiles", "helm-charts", "web-app", "docs_site",
             "auth_service", "infra.terraform", "ios-client", "design-system"]
    shapes = {f"/api/v1/repos/{o}/{r}": repo for o, r in zip(owners, names, strict=True)}
    shapes["/api/v1/repos/search"] = _call("GET", "ok", "data", "data[].id", "data[].name")
    got = learn(shapes, shapes)
    assert got["/api/v1/repos/search"] == "/api/v1/repos/search"
    assert got["/api/v1/repos/kenji/blog"] == "/api/v1/repos/{owner}/{repo}"
    called = {**shapes, **{f"/api/v1/repos/{o}": _call("GET", "id", "login") for o in owners},
              "/api/v1/repos/search": _call("GET", "id", "login")}
    assert learn(called, called)["/api/v1/repos/search"] == learn(called, called)["/api/v1/repos/kenji"]


def test_values_compare_call_by_call_not_a_post_against_a_get() -> None:
    """A purchase POSTed to one offering answers a reservation, a GET of another the offering: as one
    union they look like two resources, yet no call answered both."""
    shapes = {"/v1/offerings/alpha": _call("GET", "Offering", "Offering.arn", "Offering.price"),
              "/v1/offerings/north": _call("GET", "Offering", "Offering.arn"),
              "/v1/offerings/river-cache": _call("POST", "Reservation", "Reservation.arn", "Reservation.start")}
    got = learn(shapes, shapes)
    assert got["/v1/offerings/river-cache"] == got["/v1/offerings/alpha"] == "/v1/offerings/{offeringName}"
    # the same call answering unlike still tells resources apart
    shapes["/v1/offerings/river-cache"] = _call("GET", "Reservation", "Reservation.arn", "Reservation.start")
    assert learn(shapes, shapes)["/v1/offerings/river-cache"] == "/v1/offerings/river-cache"


def _operation(rng: random.Random, method: str) -> frozenset[str]:
    """A long-running operation's answer: a random few of its fields, a map keyed by data below."""
    fields = rng.sample(["done", "error", "metadata", "name", "response"], 3)
    return _call(method, *fields, f"response.{rng.choice(SLUGS)}")


def test_many_leaves_answering_alike_call_by_call_at_the_top_are_values() -> None:
    """Google's ``/v1/{name}``, each name read or deleted once or twice in a small sample: the
    deletes answer alike, the reads answer alike, nothing is below any of them."""
    rng = random.Random(21)
    words = [f"{a}-{b}" for a in ("north", "stone", "river") for b in NAMES[:4]]   # 12
    shapes = {f"/v1/{w}": (_operation(rng, "DELETE") if i % 2 else
                           _call("GET", *rng.sample(["name", "createTime", "labels", "etag", "description"], 3)))
              for i, w in enumerate(words)}
    shapes["/v1/health"] = _call("GET", "status")
    shapes["/v1/ping"] = _call("GET", "status", "uptime")         # its own fields: a resource of its own
    got = learn(shapes, shapes)
    assert got["/v1/north-alpha"] == got["/v1/stone-bravo"] == "/v1/{name}"
    assert got["/v1/health"] == "/v1/health"
    assert got["/v1/ping"] == "/v1/ping"
    # a lone read beside values only ever deleted is compared with nothing: it stays literal
    deleted = {f"/v1/{w}": _operation(rng, "DELETE") for w in words}
    deleted["/v1/quota"] = _call("GET", "name", "limit")
    got = learn(deleted, deleted)
    assert got["/v1/north-alpha"] == "/v1/{name}"
    assert got["/v1/quota"] == "/v1/quota"
    # fewer than MANY_THIN at the top are the API's own endpoints
    few = {p: f for p, f in shapes.items() if p != "/v1/river-delta"}
    assert learn(few, few)["/v1/north-alpha"] == "/v1/north-alpha"


def test_many_leaves_only_posted_to_answering_alike_are_names_not_actions() -> None:
    """Xero's attachments, each POSTed to by its file name: forty words only POSTed to are no forty actions."""
    rng = random.Random(22)
    words = [f"{a}-{b}" for a in ("north", "stone", "river") for b in NAMES[:4]]
    fields = ["Attachments[].AttachmentID", "Attachments[].FileName", "Attachments[].MimeType", "Attachments[].Url"]
    shapes = {f"/2.0/Invoices/{uuid.UUID(int=i)}/Attachments/{w}": _call("POST", "Attachments", *rng.sample(fields, 2))
              for i, w in enumerate(words)}
    got = learn(shapes, shapes)
    assert set(got.values()) == {"/2.0/Invoices/{invoiceId}/Attachments/{attachmentName}"}
    # a few actions only POSTed to stay actions (test_actions.py), as do actions answering alike
    few = dict(list(shapes.items())[:4])
    assert len(set(learn(few, few).values())) == 4


def test_a_resource_below_values_called_under_one_of_them_is_no_host() -> None:
    """``/policies/{policyName}/version/{versionId}``: ``version`` holds only ids under most policies,
    but ``GET /policies/b/version`` answers: it is a resource of each policy, not a host the policy
    names are the API's words over (over_names)."""
    shapes = {f"/policies/{w}/version/{'V' + w[::-1].upper() + 'q7Zx'}": frozenset({"PATCH"})
              for w in ("alpha-payments", "legacy-data", "summer-cache")}
    shapes["/policies/storage-deploy/version"] = _call("GET", "policyVersions", "policyVersions[].versionId")
    got = learn(shapes, shapes)
    assert got["/policies/storage-deploy/version"] == "/policies/{policyName}/version"
    assert len(erased(got.values())) == 2
    # with no such call, words over the same names are still the API's words (the hosts are values)
    hosts = {f"/files/{verb}/{host}/{media}": frozenset({"GET"}) for verb in ("fetch", "show")
             for host in ("alpha", "gamma") for media in ("Ab3dEf9hIjKlMn0p", "Zz9yXw8vUt7sRq6p")}
    assert set(learn(hosts, hosts).values()) == {"/files/fetch/{name}/{id}", "/files/show/{name}/{id}"}


def test_two_words_posted_to_where_one_answered_the_collections_item_are_items() -> None:
    """``POST /billing-groups/billing-feature`` answers ``billingGroupArn``: the position holds billing
    groups created by name, so the other word only POSTed to is one more, even among two."""
    shapes = {"/billing-groups/billing-feature": _call("POST", "billingGroupArn", "billingGroupName"),
              "/billing-groups/north-quick-cache": frozenset({"POST"}),
              "/billing-groups/addThingToBillingGroup": frozenset({"PUT"})}
    got = learn(shapes, shapes)
    assert got["/billing-groups/north-quick-cache"] == "/billing-groups/{billingGroupName}"
    assert got["/billing-groups/billing-feature"] == "/billing-groups/{billingGroupName}"
    assert got["/billing-groups/addThingToBillingGroup"] == "/billing-groups/addThingToBillingGroup"
    # answering no field of the item, two words only POSTed to are actions
    actions = {"/recordings/begin": _call("POST", "ok"), "/recordings/halt": _call("POST", "ok")}
    assert learn(actions, actions)["/recordings/halt"] == "/recordings/halt"


def test_words_posted_to_beside_ids_posted_to_are_items() -> None:
    """Databrew tags resources by ARN: ``POST /tags/{arn}`` for ids and for names alike."""
    ids = ["7r29cluanw88xxxxxxxx", "ad3t668e6xxxxxxxxxxx", "pz3d9y7g7fljxxxxxxxx"]
    words = ["alphaxxxxxxxxxxxxxxx", "legacy-localxxxxxxxx", "orders-payments-cache", "deployxxxxxxxxxxxxxx"]
    shapes = {f"/tags/{w}": frozenset({"POST"}) for w in ids + words}
    got = learn(shapes, shapes)
    assert len(set(got.values())) == 1
    # ids only read: the words only POSTed to beside them are actions
    shapes = {f"/jobs/{i}": _call("GET", "JobName") for i in ids} | \
        {f"/jobs/{w}": frozenset({"POST"}) for w in ("begin", "halt", "pause")}
    assert learn(shapes, shapes)["/jobs/halt"] == "/jobs/halt"


def test_words_over_the_same_endpoints_and_names_are_values_not_verbs_over_hosts() -> None:
    """``/v3/scores/{format}/News`` beside ``/{format}/Player/{id}``: the same names recur under JSON and
    XML, as hosts do under ``/files/fetch`` and ``/files/show``, but JSON also holds endpoints of its
    own: a format over the API's words, not a verb over hosts (those are all a verb holds)."""
    shapes: dict[str, frozenset[str]] = {}
    for fmt in ("JSON", "XML"):
        shapes |= {f"/v3/scores/{fmt}/News": _call("GET", "[].NewsID", "[].Title"),
                   f"/v3/scores/{fmt}/AllTeams": _call("GET", "[].TeamID", "[].Name")}
        shapes |= {f"/v3/scores/{fmt}/{what}/{n}": _call("GET", "PlayerID", "Name")
                   for what in ("Player", "Team") for n in (10000031, 10000548)}
    got = learn(shapes, shapes)
    assert got["/v3/scores/XML/News"] == got["/v3/scores/JSON/News"]
    assert len(erased(got.values())) == 4


def test_two_words_deleted_under_a_collection_are_its_items() -> None:
    """``DELETE /releases/tags/green-feature``: nobody deletes an action; two such words are tags."""
    shapes = {"/repos/r/releases/tags/green-feature": frozenset({"DELETE"}),
              "/repos/r/releases/tags/bfz-report": frozenset({"DELETE", "GET"})}
    got = learn(shapes, shapes)
    assert got["/repos/r/releases/tags/green-feature"] == "/repos/r/releases/tags/{tagName}"
    # one alone, or two only read, say nothing
    assert learn(dict(list(shapes.items())[:1]))["/repos/r/releases/tags/green-feature"] == \
        "/repos/r/releases/tags/green-feature"
    read = {p: frozenset({"GET"}) for p in shapes}
    assert learn(read, read)["/repos/r/releases/tags/green-feature"] == "/repos/r/releases/tags/green-feature"


def test_a_word_deleted_beside_ids_deleted_stays_the_apis() -> None:
    """WireMock's ``DELETE /__admin/mappings/unmatched`` beside ``DELETE /__admin/mappings/{uuid}``: an
    endpoint of its own, though items are deleted beside it (only two words deleted are items)."""
    shapes = {"/__admin/mappings/unmatched": frozenset({"DELETE"}),
              **{f"/__admin/mappings/{uuid.UUID(int=i)}": frozenset({"DELETE"}) for i in range(1, 4)}}
    assert learn(shapes, shapes)["/__admin/mappings/unmatched"] == "/__admin/mappings/unmatched"


def test_a_thin_value_holding_a_resource_of_its_own_beside_ids_among_many_is_one_more() -> None:
    """Among a dozen values beside opaque ids, one seen once with a resource no other was seen with
    (a sample holds a random few of each value's resources) is one more value; few values, or a word
    seen often with it, keep it a resource of its own (``/apps/metrics/bandwidth_daily``)."""
    item = _call("GET", "Flow.Name", "Flow.Arn", "Flow.Status")
    shapes = {f"/v1/flows/{w}": item for w in NAMES[:12]}
    shapes |= {f"/v1/flows/{w}/entitlements": _call("POST", "FlowArn", "Entitlements") for w in NAMES[:12]}
    shapes |= {"/v1/flows/c1btmy9tsm": item, "/v1/flows/c1btmy9tsm/entitlements": _call("POST", "FlowArn"),
               "/v1/flows/river-summer/outputs": _call("POST", "Outputs")}
    got = learn(shapes, shapes)
    assert got["/v1/flows/river-summer/outputs"] == "/v1/flows/{flowName}/outputs"
    few = {p: f for p, f in shapes.items() if not any(w in p for w in NAMES[4:12])}
    assert learn(few, few)["/v1/flows/river-summer/outputs"] == "/v1/flows/river-summer/outputs"


VALUE_WORDS = ["river", "summer", "report", "stone", "north", "data"]


def test_a_thin_word_made_of_the_values_words_is_one_more_value() -> None:
    """Beside a dozen projects named from one vocabulary (``river-summer``, ``stone-data``...), a word
    POSTed to once under another collection and made only of those words (``summer-report``) is a rule
    created, no action; a word of other words (``evaluate``), a plural of one word, or a word at the top
    where no values stand stay literal."""
    item = _call("GET", "name", "state", "created")
    names = [f"{a}-{b}" for a in VALUE_WORDS for b in VALUE_WORDS if a != b][:14]
    shapes = {f"/projects/{n}": item for n in names}
    shapes |= {f"/projects/{n}/jobs": _call("GET", "jobs", "next") for n in names}
    lone = {"/rules/north-report": _call("POST", "status"), "/rules/evaluate": _call("POST", "result"),
            "/things/reports": _call("GET", "items"), "/v1/summer-report": _call("GET", "ok")}
    got = learn({**shapes, **lone}, {**shapes, **lone})
    assert got["/rules/north-report"] == "/rules/{ruleName}"
    assert got["/rules/evaluate"] == "/rules/evaluate"
    assert got["/things/reports"] == "/things/reports"
    assert got["/v1/summer-report"] == "/v1/summer-report"
    # values too few to speak for a vocabulary: the word stays the API's
    few = {p: f for p, f in shapes.items() if any(n in p for n in names[:3])}
    assert learn({**few, **lone}, {**few, **lone})["/rules/north-report"] == "/rules/north-report"


def test_resources_holding_many_names_a_few_alike_by_chance_stay_resources() -> None:
    """At 5,000 calls every resource of a hub holds dozens of names from one small vocabulary, a few the
    same by chance (a kpi and a view both called ``alpha-river``): shared structure is most of what
    lies below values (every namespace holds pods), not a few coincidences."""
    rng = random.Random(23)
    vocabulary = [f"{a}-{b}" for a in NAMES for b in NAMES]
    hub = "/hubs/0f8e2a51-5d4c-4e8a-9a43-1b2f3c4d5e6f"
    shapes: dict[str, frozenset[str]] = {}
    for resource in ("kpi", "views", "profiles", "connectors", "interactions"):
        shapes[f"{hub}/{resource}"] = _call("GET", "value", f"value[].{resource}Spec")
        for name in rng.sample(vocabulary, 20):
            shapes[f"{hub}/{resource}/{name}"] = _call("GET", "id", "name", f"properties.{resource}Spec")
    got = learn(shapes, shapes)
    assert got[f"{hub}/kpi"] == "/hubs/{hubId}/kpi"
    assert len(erased(got.values())) == 10


def test_leaves_called_again_and_again_on_many_ids_stay_the_apis_words() -> None:
    """Mastodon's ``/statuses/{id}/mute``, ``/unreblog``...: a dozen leaves only POSTed to, all answering
    the status, like a crowd of names; but each was called on many statuses (distinct request targets),
    where a name is seen once or twice. Past MANY_LEAVES leaves, each name was simply called often."""
    verbs = ["mute", "unmute", "pin", "unpin", "bookmark", "unbookmark", "favourite", "unfavourite", "reblog",
             "unreblog", "translate", "react"]
    status = _call("POST", "id", "content", "account", "reblogs_count")
    t = PathTemplater()
    keys = {t.observe(f"/api/v1/statuses/{i}/{verb}"): status for i, verb in enumerate(verbs, 100)}
    often = t.templates(keys, {key: 40 for key in keys})
    assert {often[key].path.rsplit("/", 1)[1] for key in keys} == set(verbs)
    once = t.templates(keys, {key: 1 for key in keys})
    assert {once[key].path for key in keys} == {"/api/v1/statuses/{statusId}/{name}"}
    names = [f"{a}-{b}" for a in NAMES for b in ("river", "stone")][:32]
    t = PathTemplater()
    keys = {t.observe(f"/api/v1/statuses/{i}/{name}"): status for i, name in enumerate(names, 100)}
    assert len({tpl.path for tpl in t.templates(keys, {key: 40 for key in keys}).values()}) == 1


def test_an_action_word_holding_the_resources_of_hundreds_of_values_is_one_more_value() -> None:
    """Past the word cap ``/v1/{name}/restorePlans``: a project called ``search`` holds restore plans like
    every other one (``/v1/search/restorePlans``); a ``search`` with nothing below it stays the action."""
    t = PathTemplater(word_cap=4)
    paths = [f"/v1/{a}-{b}/{what}" for a in NAMES[:4] for b in NAMES[4:8] for what in ("restorePlans", "backups")]
    paths += ["/v1/search/restorePlans", "/v1/update/backups", "/users/search"]
    paths += [f"/users/{a}-{b}" for a in NAMES[:4] for b in NAMES[4:8]]
    for p in paths:
        t.observe(p)
    templates = t.templates()
    got = {p: templates[t.observe(p)].path for p in paths}   # keys as they are once the positions opened
    assert got["/v1/search/restorePlans"] == got["/v1/alpha-echo/restorePlans"] == "/v1/{name}/restorePlans"
    assert got["/v1/update/backups"] == "/v1/{name}/backups"
    assert got["/users/search"] == "/users/search"


def test_an_action_word_holding_what_the_names_beside_it_hold_is_one_more_name() -> None:
    """A few names people chose: Airflow's task ids (``start``, ``extract``, and ``list_partitions``),
    Keycloak's role names (``read``, ``view-reports``, and ``export``). Under each, the resources every
    value has (``/tries``, ``/xcomEntries``; ``/users``): a word that holds them too is a value, whatever
    it reads as. An action word with nothing below it (``/taskInstances/list``) stays the action."""
    tasks = ["start", "extract", "load", "notify", "publish", "snapshot", "dbt_run"]
    paths = [f"/dags/etl/runs/r{i}/taskInstances/{t}/{what}" for i in range(3) for t in [*tasks, "list_partitions"]
             for what in ("tries", "xcomEntries", "dependencies")]
    paths += [f"/dags/etl/runs/r{i}/taskInstances/{t}" for i in range(3) for t in tasks]
    paths += ["/dags/etl/runs/r0/taskInstances/list"]
    roles = ["read", "write-3", "view-reports", "delete-6", "export-5", "manage-users"]
    paths += [f"/realms/acme/clients/c1/roles/{r}{below}" for r in [*roles, "export", "delete"]
              for below in ("", "/users")]
    got = learn(paths)
    runs = "/dags/etl/runs/r0/taskInstances"
    assert got[f"{runs}/list_partitions/tries"] == got[f"{runs}/start/tries"]
    assert got["/dags/etl/runs/r0/taskInstances/list"].endswith("/taskInstances/list")
    assert got["/realms/acme/clients/c1/roles/export/users"] == got["/realms/acme/clients/c1/roles/read/users"]
    assert got["/realms/acme/clients/c1/roles/delete"] == got["/realms/acme/clients/c1/roles/read"]


def test_as_many_action_words_as_names_holding_the_same_resources_are_the_apis_own_words() -> None:
    """Ory Kratos' self-service flows: ``login``, ``logout``, ``settings`` (action words) and
    ``registration``, ``recovery``, ``verification``, each with ``/api`` (and ``/flows``) below
    and answering a flow alike. One action word among many names holding their resources is one more
    name (the test above); as many action words as names is a vocabulary, the API's own: every one of
    them stays literal (it was ``/self-service/{selfServiceName}``, one operation for five flows)."""
    flow = ("id", "type", "expires_at", "issued_at", "request_url", "ui", "state")
    words = ("login", "registration", "settings", "recovery", "verification")
    shapes = {f"/self-service/{w}/api": _call("GET", *flow) for w in words}
    shapes |= {f"/self-service/{w}/flows": _call("GET", *flow) for w in ("login", "registration", "verification")}
    shapes |= {f"/self-service/{w}": _call("POST", "session", "identity", "continue_with") for w in words}
    shapes["/self-service/logout/api"] = frozenset({"DELETE"})
    got = learn(shapes, shapes)
    assert got["/self-service/registration/api"] == "/self-service/registration/api"
    assert got["/self-service/login"] == "/self-service/login"
    assert got["/self-service/logout/api"] == "/self-service/logout/api"
    # two action words are no vocabulary: Keycloak's roles ``export`` and ``delete`` beside ``read`` and
    # ``view-reports``, each with its ``/users``, are four roles
    roles = [f"/realms/acme/clients/c1/roles/{r}{below}" for r in ("read", "view-reports", "export", "delete")
             for below in ("", "/users")]
    few = learn(roles)
    assert few["/realms/acme/clients/c1/roles/export/users"] == few["/realms/acme/clients/c1/roles/read/users"]


def _jobs(parent: str, names: Iterable[str]) -> dict[str, frozenset[str]]:
    """Jenkins' jobs, each read, built, and its last build read: ``/job/{name}/api/json``, ..."""
    shapes = {f"/{parent}/{n}/api/json": _call("GET", "name", "color", "builds") for n in names}
    shapes |= {f"/{parent}/{n}/build": frozenset({"POST"}) for n in names}
    shapes |= {f"/{parent}/{n}/lastBuild/api/json": _call("GET", "number", "result") for n in names}
    return shapes


@pytest.mark.parametrize(("parent", "names"), [
    ("job", ("export", "import", "frontend", "backend")),   # Jenkins: a collection not named in the plural
    ("config", ("export", "refresh", "timeout", "retries")),
    ("flows/name", ("export", "refresh", "sales", "users-sync")),   # Prefect: names follow ``name``
    ("flows/name", ("export", "refresh", "import", "sales", "users-sync", "etl")),
])
def test_two_action_words_as_names_holding_the_same_resources_are_names(parent: str, names: tuple[str, ...]) -> None:
    """Two jobs called ``export`` and ``import`` beside ``frontend`` and ``backend``, each with the same
    resources below: names people chose, as Keycloak's roles ``export`` and ``delete`` are (the test above).
    Two action words are no vocabulary of the API's own, whatever the parent is called (a singular
    ``job``, ``config``); after a name marker none is (``/flows/name/export``: Prefect's flows). Each
    was one literal path per job and resource (12 for Jenkins' four jobs)."""
    shapes = _jobs(parent, names)
    got = learn(shapes, shapes)
    assert got[f"/{parent}/export/api/json"] == got[f"/{parent}/{names[2]}/api/json"] != f"/{parent}/export/api/json"


def test_a_few_plain_words_asked_for_in_a_format_stay_endpoints() -> None:
    """Twilio's ``/Usage/Records/ThisMonth.json`` beside ``Today.json``: two endpoints of the records
    collection answering alike, not two values of one parameter; many such words are values."""
    shapes = {f"/Accounts/AC1/Usage/Records/{w}.json": _call("GET", "usage_records", "usage_records[].count")
              for w in ("ThisMonth", "Today")}
    got = learn(shapes, shapes)
    assert got["/Accounts/AC1/Usage/Records/Today.json"] == "/Accounts/AC1/Usage/Records/Today.json"
    many = {f"/Accounts/AC1/Usage/Records/{w.title()}.json": _call("GET", "usage_records", "usage_records[].count")
            for w in NAMES[:12]}
    assert len(set(learn(many, many).values())) == 1


def _workspaces(rng: random.Random, names: Iterable[str], below: Iterable[str]) -> dict[str, frozenset[str]]:
    """Workspaces at the root, each answering with its users' own fields (what a database holds)."""
    shapes: dict[str, frozenset[str]] = {}
    for ws in names:
        own = f"{ws.replace('-', '_')}_field"
        shapes[f"/{ws}"] = _call("GET", "name", "size", own)
        for word in below:
            shapes[f"/{ws}/{word}"] = _call("GET", "total", "rows", f"rows[].{own}", f"rows[].{rng.choice(NAMES)}")
    return shapes


def test_names_beside_typed_ids_holding_the_same_resources_are_values() -> None:
    """Databases named by hand (``/acme-crm/records``) beside databases with generated names
    (``/ws-45db8383e-q1zvr/records``): at the root, where resources stand and each database's documents
    bring fields of their own, the words share two resources and more with the typed ids: values."""
    rng = random.Random(21)
    typed = ["ws-45db8383e-q1zvr", "ws-9a0c0305e-x7kpa"]
    words = ["acme-crm", "globex-survey", "stark-notes", "hooli-fieldwork", "acme-recipes"]
    below = ("records", "changes", "sync")
    shapes = _workspaces(rng, [*typed, *words], below)
    shapes |= {"/status": _call("GET", "version", "uptime"), "/replicate": _call("POST", "ok")}
    got = learn(shapes, shapes)
    assert got["/acme-crm/records"] == got["/ws-45db8383e-q1zvr/records"] == "/{name}/records"
    assert got["/globex-survey"] == "/{name}"
    assert got["/acme-recipes/sync"] == "/{name}/sync"   # a name that reads as a plural, no collection
    assert got["/status"] == "/status"
    assert got["/replicate"] == "/replicate"


def test_a_word_sharing_one_resource_with_typed_ids_stays_literal() -> None:
    """``/admin/users`` beside ``/{tenantId}/users``: one resource in common is a resource of both, not a
    shape; two collections holding ids (``/users/{id}``, ``/orders/{id}``) share only the parameter."""
    rng = random.Random(22)
    typed = ["ws-45db8383e-q1zvr", "ws-9a0c0305e-x7kpa", "ws-3e4fbd9f4-m2qwe"]
    shapes = _workspaces(rng, typed, ("users", "invoices", "settings"))
    shapes |= {"/admin/users": _call("GET", "total", "rows", "rows[].email"),
               "/admin/audit": _call("GET", "total", "events", "events[].actor"),
               "/orders/42": _call("GET", "order", "total"), "/users/42": _call("GET", "email", "name")}
    got = learn(shapes, shapes)
    assert got["/admin/users"] == "/admin/users"
    assert got["/admin/audit"] == "/admin/audit"
    assert got["/ws-45db8383e-q1zvr/users"].endswith("/users") and got["/ws-45db8383e-q1zvr/users"].startswith("/{")
    assert got["/orders/42"] == "/orders/{orderId}"


def test_numbered_probes_beside_typed_ids_are_values() -> None:
    """``/nobody-3``, ``/nobody-58``: names probed once each, answering no body (a 404), beside typed
    ids at the root are values of the ids' parameter; a plain word (``/status``) and fewer than four
    probes stay literal."""
    rng = random.Random(23)
    shapes = _workspaces(rng, ["ws-45db8383e-q1zvr", "ws-9a0c0305e-x7kpa"], ("records", "changes"))
    shapes |= {"/status": frozenset({"GET"}), "/replicate": _call("POST", "ok")}
    probes = {f"/nobody-{n}": frozenset({"GET"}) for n in (3, 58, 6, 69)}
    got = learn({**shapes, **probes}, {**shapes, **probes})
    assert got["/nobody-3"] == got["/ws-45db8383e-q1zvr"] == "/{name}"
    assert got["/status"] == "/status"
    few = {p: probes[p] for p in list(probes)[:3]}
    assert learn({**shapes, **few}, {**shapes, **few})["/nobody-3"] == "/nobody-3"


# --- what one decision works out once: never stale, never a different answer ------------------------

def _spelled(features: Features) -> frozenset[str]:
    """The plain form of render's features: the methods, the properties, and each call spelled out."""
    return frozenset({*features.methods, *features,
                      *(f"{method} {p}" for method, props in features.calls.items() for p in props)})


def _api(rng: random.Random) -> tuple[list[str], dict[str, dict[str, frozenset[str]]]]:
    """Paths of a small API, and what each path's calls answered (method -> properties), as render reads
    a builder: owners alike, teams alike, a few of them answering other things, some calls bare."""
    calls: dict[str, dict[str, frozenset[str]]] = {}
    for owner in rng.sample(NAMES, 8):
        calls[f"/owners/{owner}"] = {"GET": shape("owner", rng) - {"GET"}}
        for team in rng.sample(SLUGS, 3):
            path = f"/owners/{owner}/teams/{team}"
            calls[path] = {"GET": shape("team", rng) - {"GET"}, "DELETE": frozenset()}
            if rng.random() < 0.3:
                calls[path]["PATCH"] = shape("receipt", rng) - {"GET"}
    for word in ("search", "health", "stats"):
        calls[f"/owners/{word}"] = {"POST": shape(word, rng) - {"GET"}}
    return list(calls), calls


@pytest.mark.parametrize("seed", range(6))
def test_features_as_render_hands_them_decide_as_their_plain_form(seed: int) -> None:
    """render hands Features (no call spelled as a string); tests and callers may give the plain form:
    both are one decision."""
    paths, calls = _api(random.Random(seed))
    t = PathTemplater()
    by_key: dict[str, dict[str, set[str]]] = {}
    for path in paths:
        for method, props in calls[path].items():
            by_key.setdefault(t.observe(path), {}).setdefault(method, set()).update(props)
    features = {key: Features({m: frozenset(p) for m, p in held.items()}) for key, held in by_key.items()}
    plain = {key: _spelled(f) for key, f in features.items()}
    assert t.templates(features) == t.templates(plain)


def test_a_templater_rendered_fed_and_rendered_again_decides_as_a_fresh_one() -> None:
    """What a decision works out once (profiles, merged answers, likeness, per-answers facts) is the
    decision's own: a follower renders at every checkpoint, and the next render, with more traffic,
    decides from all of it as a fresh run would, words that became values included."""
    members = [f"/club/{name}" for name in NAMES[:12]]
    first = [record("get", path, resp={"member": {"id": 1, "name": "x", "state": "on"}}) for path in members[:2]]
    later = [record("get", path, resp={"member": {"id": 2, "name": "y", "state": "off"}}) for path in members[2:]]
    fed, fresh = SpecBuilder(), SpecBuilder()
    for r in first:
        fed.add(decode(json.dumps(r), "t"))
    before = render(fed)
    for r in later:
        fed.add(decode(json.dumps(r), "t"))
    for r in first + later:
        fresh.add(decode(json.dumps(r), "t"))
    assert list(before["paths"]) == members[:2]  # two members: too few to be values yet
    after = render(fed)
    assert after == render(fresh)
    assert list(after["paths"]) == ["/club/{clubName}"]  # twelve are


def test_features_decided_twice_decide_alike() -> None:
    """Answers keep what was worked out of them (their object properties, top-level names, sole call):
    deciding again from the very same Features, or with more keys beside them, is a fresh decision."""
    paths, calls = _api(random.Random(11))
    t = PathTemplater()
    held = {t.observe(path): {m: frozenset(p) for m, p in calls[path].items()} for path in paths}
    features = {key: Features(by_method) for key, by_method in held.items()}
    once = t.templates(features)
    assert t.templates(features) == once == t.templates({k: Features(v) for k, v in held.items()})
    more = {t.observe(f"/owners/{name}"): {"GET": shape("owner", random.Random(i)) - {"GET"}}
            for i, name in enumerate(NAMES[8:16])}
    grown = {**features, **{key: Features(by_method) for key, by_method in more.items()}}
    assert t.templates(grown) == t.templates({k: Features(v) for k, v in {**held, **more}.items()})


def test_answers_one_call_answered_merge_and_compare_as_any_do() -> None:
    """The shortcuts for answers one method answered all of (most endpoints) give what the general
    merge and the call-by-call comparison give."""
    a = Answers({"id", "name"}, {"GET": frozenset({"id", "name"})})
    b = Answers({"id", "size"}, {"GET": frozenset({"id", "size"})})
    both = Answers.merged([a, b])
    assert both == {"id", "name", "size"} and both.calls == {"GET": {"id", "name", "size"}}
    assert both.sole_call() == "GET" and a.sole_call() == "GET"
    posted = Answers({"id", "receipt"}, {"GET": frozenset({"id"}), "POST": frozenset({"receipt"})})
    assert posted.sole_call() is None
    mixed = Answers.merged([a, posted])
    assert mixed.calls == {"GET": {"id", "name"}, "POST": {"receipt"}} and mixed.sole_call() is None
    assert Features({"GET": frozenset({"id"}), "DELETE": frozenset()}).sole_call() == "GET"
    assert Features({"DELETE": frozenset()}).methods == {"DELETE"}
    # compared whole or call by call, as _likeness always did
    members = {"a": {(): a}, "b": {(): b}, "p": {(): posted}, "m": {(): mixed}}
    remembered = Likeness()
    assert similarity(members, remembered) == similarity(members) == similarity(members, remembered)


def test_a_word_under_a_collection_holding_only_the_ids_resources_is_one_more_item() -> None:
    """``/accounts/JMnecNiMyn/follow`` beside ``/accounts/{id}/follow``: random letters that read as
    camelCase, never called themselves, holding nothing but what the ids hold and answering there as
    they do: one more account. ``/accounts/search`` is called itself, ``/accounts/admin`` holds something
    of its own, and a word answering unlike the ids there is something else: all stay literal."""
    rel = _call("POST", "id", "following", "blocking", "muting")
    shapes: dict[str, frozenset[str]] = {}
    for i, acc in enumerate(CASED_IDS[:4]):
        shapes[f"/api/v1/accounts/{acc}"] = _call("GET", "id", "username", "acct", "note")
        shapes[f"/api/v1/accounts/{acc}/{('follow', 'unfollow')[i % 2]}"] = rel
    shapes["/api/v1/accounts/JMnecNiMyn/follow"] = rel
    shapes["/api/v1/accounts/search"] = _call("GET", "accounts", "accounts[].id")
    shapes["/api/v1/accounts/admin/follow"] = rel
    shapes["/api/v1/accounts/admin/reports"] = _call("GET", "total", "reports")
    shapes["/api/v1/accounts/pending/unfollow"] = _call("POST", "queued", "position")
    got = learn(shapes, shapes)
    assert got["/api/v1/accounts/JMnecNiMyn/follow"] == got[f"/api/v1/accounts/{CASED_IDS[0]}/follow"]
    assert got["/api/v1/accounts/search"] == "/api/v1/accounts/search"
    assert got["/api/v1/accounts/admin/follow"] == "/api/v1/accounts/admin/follow"
    assert got["/api/v1/accounts/pending/unfollow"] == "/api/v1/accounts/pending/unfollow"


def test_a_plural_of_an_acronym_is_a_collection_whose_deleted_words_are_items() -> None:
    """AWS's ``/restapis``: the plural of an acronym ending in ``i`` (as ``/uris``, ``/kpis``), unlike a
    word ending in ``is`` (``analysis``). Under it, base36 ids that drew no digit (``ypnxanrtzj``, one in
    twenty at ten characters) and were deleted as the ids beside them are items, and their
    ``resources`` the ids' (moto: two API Gateway APIs' 16 operations learned apart)."""
    ids = ["i4iz5f2ra3", "g9pc5kg3xz", "m6ytb0fsm0", "b296457747"]
    for parent in ("restapis", "analysis"):
        shapes: dict[str, frozenset[str]] = {}
        for api in [*ids, "ypnxanrtzj", "zdaloqwzlb"]:
            shapes[f"/{parent}/{api}"] = _call("DELETE")
            shapes[f"/{parent}/{api}/resources"] = _list("id", "path")
        got = learn(shapes, shapes)
        merged = got["/" + parent + "/ypnxanrtzj/resources"] == got[f"/{parent}/{ids[0]}/resources"]
        assert merged == (parent == "restapis"), got
    assert _plural("restapis") and _plural("uris") and not _plural("analysis") and not _plural("axis")


def test_words_after_a_name_marker_are_names_whatever_they_read_as() -> None:
    """Prefect's ``/flows/name/sync-salesforce``: the path says a name follows, so flow names that read as
    actions (``sync-salesforce``, ``refresh-embeddings``) are values, named after the resource before the
    marker; ``/deployments/name/{flow}/{deployment}``'s second part, leaves under few flows, too. A word
    under many of the names is their resource; ``/flows/filter``, beside no marker, stays the action."""
    flow = _call("GET", "id", "name", "tags", "created")
    deployment = _call("GET", "id", "name", "flow_id", "schedules")
    flows = ["sync-salesforce", "refresh-embeddings", "nightly-dbt", "backfill-events"]
    shapes = {f"/api/flows/name/{f}": flow for f in flows}
    shapes["/api/flows/filter"] = _call("POST", "[].id", "[].name")
    for i, f in enumerate(flows):
        shapes[f"/api/deployments/name/{f}/{('weekly', 'hourly')[i % 2]}-dev-{i}"] = deployment
        shapes[f"/api/deployments/name/{f}/runs"] = _call("GET", "[].id", "[].state")
    got = learn(shapes, shapes)
    assert {got[f"/api/flows/name/{f}"] for f in flows} == {"/api/flows/name/{flowName}"}
    assert got["/api/flows/filter"] == "/api/flows/filter"
    assert got["/api/deployments/name/nightly-dbt/weekly-dev-2"] == "/api/deployments/name/{deploymentName}/{name}"
    assert got["/api/deployments/name/nightly-dbt/runs"] == "/api/deployments/name/{deploymentName}/runs"


def test_an_action_only_posted_to_beside_values_never_posted_to_stays_the_operation() -> None:
    """Prefect's ``POST /work_pools/filter`` beside a dozen pools read, changed and deleted was learned as
    a POST on ``{workPoolName}``: among many values an action word may be one (a deployment called
    ``search``), but not one only POSTed to where no value is. Where values are POSTed to as well (each
    pool's ``POST /work_pools/{name}``), ``search`` POSTed to may be one more of them."""
    pool = _call("GET", "name", "type", "status")
    pools = [f"{team}-{kind}-{i}" for i, (team, kind) in
             enumerate((t, k) for t in ("growth", "data-eng", "infra") for k in ("ecs", "gpu", "process", "k8s"))]
    shapes = {f"/api/work_pools/{p}": pool for p in pools}
    shapes["/api/work_pools/filter"] = _call("POST", "[].name", "[].type")
    got = learn(shapes, shapes)
    assert got["/api/work_pools/filter"] == "/api/work_pools/filter"
    assert got[f"/api/work_pools/{pools[0]}"] == "/api/work_pools/{workPoolName}"
    posted = {**{f"/api/work_pools/{p}": _call("POST", "name", "type") for p in pools},
              "/api/work_pools/search": _call("POST", "name", "type")}
    assert learn(posted, posted)["/api/work_pools/search"] == "/api/work_pools/{workPoolName}"


def test_a_snake_case_verb_phrase_answering_like_an_item_stays_the_apis_word() -> None:
    """Mastodon's ``GET /accounts/verify_credentials`` answers the caller's account, as an item of
    ``/accounts`` does (an alias, as ``me`` is); ``verify`` names no thing, so the phrase it begins is an
    operation, as ``update_credentials`` is. A phrase beginning with a noun (``status_updates``) is judged
    on the evidence."""
    account = _obj("id", "username", "acct", "note")
    shapes = {f"/api/v1/accounts/{acc}": account for acc in CASED_IDS[:4]}
    shapes["/api/v1/accounts/verify_credentials"] = _obj("id", "username", "acct", "note", "source")
    got = learn(shapes, shapes)
    assert got["/api/v1/accounts/verify_credentials"] == "/api/v1/accounts/verify_credentials"
    assert classify_segment("verify_credentials") is None


def test_one_name_alone_under_many_owners_is_the_apis_own() -> None:
    """Azure's ``/namespaces/{name}/networkRuleSets/default`` under 79 namespaces, answering as an item
    of ``/networkRuleSets`` does: names people choose differ from one owner to the next, so one name
    alone under many owners is the API's name for one item. Under one owner it is a value, as before."""
    rule = _obj("name", "defaultAction", "ipRules")
    listed = _list("name", "defaultAction", "ipRules")
    namespaces = [f"ns-{a}-{b}" for a in NAMES[:3] for b in NAMES[3:6]]
    sets = [f"/subscriptions/S{i}x9/namespaces/{ns}/networkRuleSets" for i, ns in enumerate(namespaces)]
    shapes = {path: listed for path in sets} | {f"{path}/default": rule for path in sets}
    got = learn(shapes, shapes)
    assert {got[f"{path}/default"] for path in sets} \
        == {"/subscriptions/{subscriptionId}/namespaces/{namespaceName}/networkRuleSets/default"}
    one = {"/pools": listed, "/pools/acme-pool": rule}
    assert learn(one, one)["/pools/acme-pool"] == "/pools/{poolName}"
    # named after its collection's item, the one word names an item still (Jupyter's only checkpoint id)
    saved = {f"/api/contents/{n}.ipynb/checkpoints/checkpoint": _obj("id", "last_modified") for n in NAMES[:6]}
    got = learn(saved, saved)
    assert got["/api/contents/alpha.ipynb/checkpoints/checkpoint"].endswith("/checkpoints/{checkpointName}")


def test_calls_deleting_a_word_kept_for_what_it_holds_are_on_a_value_of_its_name() -> None:
    """HubSpot's ``POST /folders/update/async`` is the API's; ``GET`` and ``DELETE /folders/update``,
    answering as a folder does beside ``/folders/{folderId}``, are calls on a folder called "update": an
    API's own word is POSTed to or read, never deleted. Its calls go to the parameter, what it holds
    stays literal; a word only read (``/folders/search``) and an alias (``DELETE /users/me``) stay whole."""
    folder = _call("GET", "id", "name", "parentFolderId", "path")
    shapes = {f"/files/v3/folders/{i}": folder | {"DELETE"} for i in (1234567, 7654321, 5550123)}
    shapes |= {f"/files/v3/folders/{w}": folder | {"DELETE"} for w in ("alpha", "blue-river", "north")}
    shapes["/files/v3/folders/update"] = folder | {"DELETE"}
    shapes["/files/v3/folders/update/async"] = _call("POST", "id", "status")
    shapes["/files/v3/folders/search"] = _call("GET", "results", "results[].id", "total")
    shapes["/files/v3/folders/search/recent"] = _call("GET", "results", "results[].id", "total")
    got = learn(shapes, shapes)
    assert got["/files/v3/folders/update"] == got["/files/v3/folders/alpha"] == "/files/v3/folders/{folderIdOrName}"
    assert got["/files/v3/folders/update/async"] == "/files/v3/folders/update/async"
    assert got["/files/v3/folders/search"] == "/files/v3/folders/search"
    me = {f"/users/{i}": _call("GET", "id", "login") | {"DELETE"} for i in (1234567, 7654321, 5550123)}
    me |= {"/users/me": _call("GET", "id", "login") | {"DELETE"}, "/users/me/keys": _list("id", "key")}
    assert learn(me, me)["/users/me"] == "/users/me"


def test_one_file_name_under_many_folders_is_still_each_ones_file() -> None:
    """``README.md`` in every repository (``/repos/{owner}/{repo}/contents/README.md``): a file name many
    folders share is each one's own file, a value (:func:`_files`), not the API's name for one item as
    one word alone under many owners is (Azure's ``networkRuleSets/default``); it was learned literal."""
    item = _obj("name", "path", "sha", "size")
    listed = _list("name", "path", "sha", "size")
    repos = [f"/repos/{a}/{b}-x{i}9/contents" for i, (a, b) in enumerate(zip(NAMES[:9], NAMES[9:18], strict=True))]
    shapes = {path: listed for path in repos} | {f"{path}/README.md": item for path in repos}
    got = learn(shapes, shapes)
    assert len({got[f"{path}/README.md"] for path in repos}) == 1
    assert all(not got[f"{path}/README.md"].endswith("/README.md") for path in repos), got


def test_object_props_are_the_top_level_names_outside_lists() -> None:
    """An endpoint's object properties: each path's first name, ``a[]`` for a list it holds, none of a
    list it answers, and a property named ``""`` too (each text's top is remembered: the same answer)."""
    props = frozenset({"a", "a.b", "a[].c", "a[][].d", "[].e", "[]", "", ".f", "g"})
    expect = frozenset(p.partition(".")[0] for p in props if not p.startswith("[]"))
    assert object_props(props) == expect == {"a", "a[]", "a[][]", "", "g"}
    assert object_props(Answers(props)) == expect


def test_a_pass_decides_again_only_where_the_pool_answers_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each pass of a decision sees the same sites and raw profiles; only the pool differs. A site whose
    questions to the pool (and its vocabulary) get the answers they got in the pass before is decided
    as it was, from memory: the same templates as deciding every site in every pass."""
    item = _call("GET", "name", "state", "created")
    names = [f"{a}-{b}" for a in VALUE_WORDS for b in VALUE_WORDS if a != b][:14]
    shapes = {f"/projects/{n}": item for n in names} | {f"/projects/{n}/jobs": _call("GET", "jobs") for n in names}
    shapes |= {f"/archive/{n}": item for n in names[:9]} | {"/rules/north-report": _call("POST", "status"),
                                                             "/rules/evaluate": _call("POST", "result")}
    remembered = learn(shapes, shapes)
    decided: list[int] = []  # sites decided (not remembered), per pass
    resolve, decide = templating._Resolver.resolve, templating._Resolver._decide

    def counted_resolve(self: templating._Resolver, *args: object, **kwargs: object) -> object:
        decided.append(0)
        return resolve(self, *args, **kwargs)  # type: ignore[arg-type]

    def counted_decide(self: templating._Resolver, *args: object) -> set[str]:
        decided[-1] += 1
        return decide(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(templating._Resolver, "resolve", counted_resolve)
    monkeypatch.setattr(templating._Resolver, "_decide", counted_decide)
    assert learn(shapes, shapes) == remembered
    assert len(decided) >= 2 and decided[-1] < decided[0], decided
    # every site decided in every pass: the same templates
    monkeypatch.setattr(templating._Resolver, "_decided",
                        lambda self, site, where: decide(self, site, {w: site.profile(w) for w in where[-1]}))
    assert learn(shapes, shapes) == remembered


# --- a format glued to a name that is also a path of its own (issue 11, Datasette) ----------------

def _rails_app() -> list[str]:
    """A Rails-like app: ``.json`` formats on collections, items chosen by their owners, and their children."""
    paths = ["/projects.json", "/openapi.json", "/swagger.json", "/v1/status.json", "/v1/status/history.json"]
    for i, slug in enumerate(["acme", "beta-labs", "gamma", "delta-works", "echo"]):
        paths += [f"/projects/{slug}.json", f"/projects/{slug}/issues.json"]
        paths += [f"/projects/{slug}/issues/{n}.json" for n in (i + 1, i + 20)]
        if i % 2:
            paths.append(f"/projects/{slug}/issues/{i + 1}/comments.json")
    return paths


def test_a_name_in_a_format_beside_its_own_paths_is_one_parameter() -> None:
    """``/projects/acme.json`` beside ``/projects/acme/issues.json``: the project ``acme`` in a format; the
    name is templated and the format stays a literal after it, one parameter for the project and what it
    holds. Compared whole, ``acme.json`` was a plain word in a format (an endpoint) and stayed literal.
    What nothing pairs with a path of its own stays as it is: ``/openapi.json``, ``/v1/status.json``."""
    got = learn(_rails_app())
    assert got["/projects/acme.json"] == got["/projects/delta-works.json"] == "/projects/{projectName}.json"
    assert got["/projects/gamma/issues/22.json"] == "/projects/{projectName}/issues/{issueId}.json"
    assert got["/projects/beta-labs/issues/2/comments.json"] == "/projects/{projectName}/issues/{issueId}/comments.json"
    for literal in ("/projects.json", "/openapi.json", "/swagger.json", "/v1/status.json", "/v1/status/history.json"):
        assert got[literal] == literal


def _tables(read_only: Iterable[str]) -> list[str]:
    """A Datasette-like API: ``/{db}/{table}.json``, ``/{db}/{table}/{pks}.json``, ``/{db}/{table}/-/insert``,
    ``/{db}/{table}/{pks}/-/update``; tables with integer, text and compound keys, and tables only read."""
    authors = [f"au_{''.join(random.Random(i).choices('abcdefghjkmnpqrstuvwxyz23456789', k=6))}" for i in range(12)]
    tables = {"books": ["17", "18", "40", "41"], "authors": authors, "loans": ["2026-01-03,7", "2026-02-11,9"],
              "reading_list": ["1", "2", "3"]}
    paths = ["/library.json", "/library/-/query.json", "/-/versions.json"]
    for table, keys in tables.items():
        paths += [f"/library/{table}.json", f"/library/{table}/-/insert"]
        paths += [p for key in keys for p in (f"/library/{table}/{key}.json", f"/library/{table}/{key}/-/update")]
    return paths + [f"/library/{table}.json" for table in read_only]


def test_tables_in_a_format_are_one_parameter_with_their_rows_and_actions() -> None:
    """Datasette's ``/shop/customers.json`` beside ``/shop/customers/-/insert``: a table's ``.json`` and its
    subtree share one parameter, whatever its keys are (integers, text, compound), and a table only read
    (``/library/series.json``) is one more of them. Two samples with different tables learn one path set."""
    got = learn(_tables(["series", "genres"]))
    tables = {got[f"/library/{t}.json"] for t in ("books", "authors", "loans", "series")}
    assert tables == {"/library/{libraryName}.json"}
    assert got["/library/books/-/insert"] == got["/library/loans/-/insert"] == "/library/{libraryName}/-/insert"
    rows = {got[p] for p in got if p.count("/") == 3 and p.endswith(".json") and "/-/" not in p}
    assert rows == {"/library/{libraryName}/{idOrName}.json"}
    updates = {got[p] for p in got if p.endswith("/-/update")}
    assert updates == {"/library/{libraryName}/{idOrName}/-/update"}
    assert got["/library.json"] == "/library.json" and got["/library/-/query.json"] == "/library/-/query.json"
    other = learn(_tables(["publishers"]))
    assert set(other.values()) == set(got.values())


def test_typed_ids_in_a_format_fold_with_the_words_of_their_alphabet() -> None:
    """``{sid}.json`` beside ``{sid}/Media.json``, and ``wNCMorOUJl.json`` (an id too short to be typed on
    sight) under another account: one parameter, one name, the format literal after it."""
    sids = ["JfFSYjmXMFccFt5UwQXKISp", "qWgI11kmq13N7hQ6", "GyVrZPQ6HmX", "TQ3ucEibMOM1"]
    paths = [f"/Accounts/AC{i:032x}/Applications/{s}{tail}" for i, s in enumerate(sids)
             for tail in (".json", "/Media.json")]
    got = learn([*paths, "/Accounts/AC0000/Applications/wNCMorOUJl.json"])
    assert set(got.values()) == {"/Accounts/{accountId}/Applications/{applicationId}.json",
                                 "/Accounts/{accountId}/Applications/{applicationId}/Media.json"}


def test_file_names_beside_folders_of_the_same_name_stay_file_names() -> None:
    """``notes.md`` beside the folder ``notes``: a file's own type is no format the API serves it in."""
    got = learn(["/api/contents/notes.md", "/api/contents/todo.md", "/api/contents/notes/a.md",
                 "/api/contents/notes/b.md", "/api/contents/todo/c.md"])
    assert got["/api/contents/notes.md"].endswith("}") and got["/api/contents/todo.md"] == got["/api/contents/notes.md"]


def test_files_of_several_types_beside_folders_fold_no_format() -> None:
    """Jupyter's contents: ``notes 691.csv`` and ``kqz7wpx2vb.csv`` beside ``data_clean 943.md`` and a folder
    ``kqz7wpx2vb``: files of their own types in a folder, not a format the API serves the folder in; a typed
    name in a format beside a typed folder is no pair (``{:token}.csv`` and ``{:token}`` are two names)."""
    paths = []
    for folder in ("draft 87", "thesis 12", "plots 686"):
        paths += [f"/api/contents/{folder}{tail}" for tail in ("", "/checkpoints", "/exp 3/a.md")]
        paths += [f"/api/contents/{folder}/{name}" for name in
                  ("notes 691.csv", "plots 701.csv", "kqz7wpx2vb.csv", "data_clean 943.md", "Untitled.ipynb")]
        paths += [f"/api/contents/{folder}/kqz7wpx2vb", f"/api/contents/{folder}/kqz7wpx2vb/checkpoints"]
    got = learn(paths)
    assert got["/api/contents/draft 87/notes 691.csv"] == got["/api/contents/thesis 12/data_clean 943.md"] \
        == got["/api/contents/plots 686/kqz7wpx2vb.csv"] == "/api/contents/{contentName}/{name}"


# --- one value the collection lists (holdout7: Unleash's one project, ``default``) ------------------

def _learned_paths(records: Iterable[dict[str, object]]) -> list[str]:
    builder = SpecBuilder()
    for r in records:
        builder.add(decode(json.dumps(r), "t"))
    return sorted(render(builder)["paths"])


def _one_project(listing: object) -> list[dict[str, object]]:
    out = [record("get", "/api/admin/projects", resp=listing)]
    for flag in NAMES[:3]:
        out.append(record("get", f"/api/admin/projects/default/features/{flag}",
                          resp={"name": flag, "enabled": True, "type": "release"}))
        out.append(record("post", f"/api/admin/projects/default/features/{flag}/environments/dev/on", resp={}))
    out.append(record("get", "/api/admin/projects/default/features", resp={"features": [{"name": "alpha"}]}))
    return out


@pytest.mark.parametrize("listing", [
    {"projects": [{"id": "default", "name": "Default", "health": 100}]},
    [{"slug": "default", "title": "Default"}],   # a bare list, named by a slug
])
def test_one_value_the_collection_lists_is_a_parameter(listing: object) -> None:
    """``GET /projects`` lists ``default`` as an item's id, and ``/projects/default/...`` follows: one value
    of a parameter (a recording of one team's instance has one project), not a literal resource."""
    assert _learned_paths(_one_project(listing)) == [
        "/api/admin/projects", "/api/admin/projects/{projectName}/features",
        "/api/admin/projects/{projectName}/features/{featureName}",
        "/api/admin/projects/{projectName}/features/{featureName}/environments/dev/on"]


def test_a_word_the_collection_does_not_list_stays_literal() -> None:
    """Listed items named otherwise, or the word only in another field: nothing says ``default`` is one."""
    for listing in ({"projects": [{"id": "main", "name": "Main"}]}, [{"id": "main", "kind": "default"}]):
        assert "/api/admin/projects/default/features" in _learned_paths(_one_project(listing))


# --- OData entity sets: a user's tables, each addressed as ``Invoices`` and ``Invoices()`` ------------------

_TABLES: Final = {  # each table its own columns, as Azurite's recordings had them
    "Invoices": {"Name": "Cedar Alpha", "Email": "chloe@acme.test", "Tier": "enterprise", "Active": True},
    "AuditLog": {"Actor": "anne@acme.test", "Action": "login", "Ip": "10.0.0.7", "Details": "quiet rapid"},
    "DeviceTwins": {"Value": -3.25, "Unit": "kPa", "Firmware": "2.8.4", "Seq": "779342009210"},
    "FeatureFlags": {"Enabled": False, "Rollout": 51, "Owner": "bob@acme.test", "Description": "delta"},
    "PriceHistory": {"Quantity": 1874, "Price": 236.67, "Reserved": 6, "Thumbnail": "3L7UB+Q="},
    "TenantSettings": {"Value": "cedar", "Version": 38, "Secret": True},
    "Orders2026": {"CustomerId": "cus_0086b46f01", "Total": 612.3, "Items": 10, "Currency": "USD"},
}


def _row(table: str, key: str) -> dict[str, object]:
    return {"odata.metadata": f"http://127.0.0.1:10002/acme/$metadata#{table}/@Element",
            "odata.etag": "W/\"datetime'2026-12-07T02%3A19%3A30.23Z'\"", "PartitionKey": "eu", "RowKey": key,
            **_TABLES[table], "Timestamp": "2026-12-07T02:19:30.2341881Z"}


def _entity_set_calls() -> list[dict[str, object]]:
    """Azure Table's calls on one account, as Azurite's recordings had them (the smallest set of them
    that kept tables literal): a query of each table (``GET /acme/{table}()``), rows inserted into some
    (``POST /acme/{table}``), one row read from others (``GET /acme/{table}(PartitionKey='eu',RowKey='r1')``)
    and a table's access policy set in XML (``PUT /acme/AuditLog``)."""
    out = [record("get", f"/acme/{t}()", resp={"odata.metadata": "http://127.0.0.1:10002/acme/$metadata#Tables",
                                               "value": [_row(t, "r0")]})
           for t in _TABLES if t != "Orders2026"]
    for t in ("Orders2026", "TenantSettings"):
        row = {k: v for k, v in _row(t, "r1").items() if not k.startswith("odata.")}
        out.append(record("post", f"/acme/{t}", status=201, body=row, resp=_row(t, "r1")))
    for t in ("AuditLog", "Invoices"):
        out.append(record("get", f"/acme/{t}(PartitionKey='eu',RowKey='r1')", resp=_row(t, "r1")))
    policy = record("put", "/acme/AuditLog", status=204)
    policy["request"]["headers"]["content-type"] = "application/xml"
    policy["request"]["body"] = ("<?xml version='1.0' encoding='utf-8'?><SignedIdentifiers><SignedIdentifier>"
                                 "<Id>cedar-policy</Id></SignedIdentifier></SignedIdentifiers>")
    return [*out, policy]


def test_entity_sets_addressed_both_ways_are_values_whatever_their_rows() -> None:
    """OData's entity sets (Azure Table, SAP, Dynamics): ``POST /acme/Invoices`` inserts a row and
    ``GET /acme/Invoices()`` queries them, for every table a user made. Their rows are each table's own
    columns, so the sets answered unlike and stayed literal (realset Azurite: seven of one account's tables
    literal beside the other account's one template; the next sample's tables matched nothing). Two sets
    addressed both ways are values; ``Tables``, whose keys name the others, stays the catalogue."""
    catalogue = _learned_paths([*_entity_set_calls(), record("get", "/acme/Tables"),
                                record("delete", "/acme/Tables('Invoices')", status=204),
                                record("delete", "/acme/Tables('AuditLog')", status=204)])
    assert "/acme/Tables" in catalogue and "/acme/{acmeName}" in catalogue, catalogue
    paths = _learned_paths(_entity_set_calls())
    assert paths == ["/acme/{acmeName}"], paths


# --- names a collection lists after another key (RabbitMQ's ``/api/policies/{vhost}/{name}``) ------------

_VHOSTS: Final = ("%2F", "prod", "staging", "team-payments", "analytics-eu", "iot%2Fsensors")
_POLICIES: Final = ("dlx", "max-len", "ttl-retry", "expire-idle", "overflow")


def _policies(listing_names: Iterable[str], policies: Iterable[str] = _POLICIES) -> list[dict[str, object]]:
    """A team's few policy names set in every vhost: ``PUT``/``DELETE /api/policies/{vhost}/{name}``, and
    ``GET /api/policies`` listing each as ``{"vhost": ..., "name": ...}``."""
    names = list(policies)
    out = [record("get", "/api/policies", resp=[{"vhost": v, "name": n, "pattern": "^q", "priority": 0}
                                                 for v in _VHOSTS for n in listing_names])]
    for i, vhost in enumerate(_VHOSTS):
        for name in (names[(i + k) % len(names)] for k in range(3)):
            out.append(record("put", f"/api/policies/{vhost}/{name}", status=201,
                              body={"pattern": "^q", "definition": {"max-length": 10}}))
            out.append(record("delete", f"/api/policies/{vhost}/{name}", status=204))
    return out


def test_names_the_collection_lists_after_a_parameter_are_values() -> None:
    """RabbitMQ keys a policy by its vhost, then its name: the five names a team reuses in every vhost
    read as the API's own words under many owners; ``GET /api/policies`` lists each as an item's
    ``name``, so they are values (stage 44: 6 unseen calls matched no operation)."""
    assert _learned_paths(_policies(_POLICIES)) == ["/api/policies", "/api/policies/{policyName}/{name}"]


def test_words_after_a_parameter_the_collection_does_not_list_stay_literal() -> None:
    """The listing names other items (or lists only some of the words): the words are the API's."""
    assert "/api/policies/{policyName}/dlx" in _learned_paths(_policies(["main", "backup"]))
    assert "/api/policies/{policyName}/dlx" in _learned_paths(_policies(_POLICIES[:2]))


def test_action_words_the_collection_lists_are_its_items() -> None:
    """Three jobs called ``export``, ``import`` and ``refresh`` beside three others, each read, built and
    its last build read, and ``GET /job`` listing all six by name: as many action words as names holding
    the same resources would be the API's own vocabulary (Kratos' login, logout, settings), but the
    collection lists them as its items' names, so they are names (they were 9 literal paths)."""
    jobs = ["export", "import", "refresh", "frontend", "backend", "nightly"]
    out = [record("get", "/job", resp=[{"name": j, "color": "blue"} for j in jobs])]
    for j in jobs:
        out.append(record("get", f"/job/{j}/api/json", resp={"name": j, "color": "blue", "builds": [{"number": 1}]}))
        out.append(record("post", f"/job/{j}/build", status=201))
        out.append(record("get", f"/job/{j}/lastBuild/api/json", resp={"number": 3, "result": "SUCCESS"}))
    assert _learned_paths(out) == ["/job", "/job/{jobName}/api/json", "/job/{jobName}/build",
                                   "/job/{jobName}/lastBuild/api/json"]


def _listed_projects(listing: list[dict[str, object]], ids: Iterable[str]) -> list[dict[str, object]]:
    """Projects listed by ``GET /projects``, each with its ``/members`` and ``/hooks``."""
    out = [record("get", "/projects", resp=listing)]
    for pid in ids:
        out.append(record("get", f"/projects/{pid}/members", resp=[{"id": 1, "username": "ann"}]))
        out.append(record("get", f"/projects/{pid}/hooks", resp=[{"id": 2, "url": "https://ci.example/hook"}]))
    return out


def test_resources_of_items_named_like_listed_items_stay_literal() -> None:
    """Projects called ``members`` and ``hooks`` among those ``GET /projects`` lists, and every project's
    ``/members`` and ``/hooks``: the parameter before the words names an item on its own (its id, or a
    name the listing gives as the item's own), so the words are its resources, not the second part of
    a key (they were one ``/projects/{namespace}/{project}``). A second part follows a first one the
    listed items hold in a field of their own (RabbitMQ's ``vhost``, above)."""
    names = ["members", "hooks", "web", "api-gw"]
    listing = [{"id": i, "name": n} for i, n in enumerate(names, 1)]
    by_id = _learned_paths(_listed_projects(listing, map(str, range(1, 9))))
    assert "/projects/{projectId}/members" in by_id and "/projects/{projectId}/hooks" in by_id
    slugs = ["web", "api-gw", "billing", "search-ui"]
    listing = [{"slug": s, "name": n} for s, n in zip(slugs, names, strict=True)]
    by_slug = _learned_paths(_listed_projects(listing, slugs))
    assert "/projects/{projectName}/members" in by_slug and "/projects/{projectName}/hooks" in by_slug


# --- verbs and versions (holdout7: Unleash's flag ``search_v2``, its ``/features/validate``) -----------

def test_a_verb_numbered_after_an_underscore_is_a_name() -> None:
    """``search_v2`` beside flags with their sub-tree is one more flag; ``search_things`` is still a phrase."""
    flags = [f"{a}.{b}" for a, b in zip(NAMES[:10], SLUGS[:10], strict=True)] + ["search_v2"]
    base = "/api/projects/p1/features"
    shapes: dict[str, frozenset[str]] = {}
    for flag in flags:
        shapes[f"{base}/{flag}"] = frozenset({"GET", "name", "type", "enabled", "environments"})
        for env in ("dev", "prod"):
            shapes[f"{base}/{flag}/environments/{env}/on"] = frozenset({"POST"})
            shapes[f"{base}/{flag}/environments/{env}/strategies"] = frozenset({"GET", "[].id", "[].name"})
    for flag in [*flags[:2], "search_v2"]:
        shapes[f"{base}/{flag}/dependencies"] = frozenset({"POST"})
    shapes[f"{base}/search_v2/parents"] = frozenset({"GET", "[]"})
    got = learn(shapes, shapes)
    assert got[f"{base}/search_v2/parents"] == f"{base}/{{featureName}}/parents"
    assert got[f"{base}/search_v2/environments/dev/on"] == got[f"{base}/{flags[0]}/environments/dev/on"]
    assert keeps_literal("search_things") and keeps_literal("getUser") and not keeps_literal("get_2")


def test_validate_beside_names_stays_an_action() -> None:
    """``POST /features/validate`` beside a dozen flags that hold ``/tags``: the API's check, not a flag."""
    names = [f"{a}-{b}" for a, b in zip(NAMES[:12], SLUGS[:12], strict=True)]
    shapes = {f"/api/admin/features/{n}/tags": frozenset({"GET", "POST", "tags[].type", "tags[].value"})
              for n in names}
    shapes["/api/admin/features/validate"] = frozenset({"POST"})
    got = learn(shapes, shapes)
    assert got["/api/admin/features/validate"] == "/api/admin/features/validate"
    assert got[f"/api/admin/features/{names[0]}/tags"] == "/api/admin/features/{featureName}/tags"


def test_a_plural_leaf_only_deleted_is_one_more_owned_name() -> None:
    """Tag values deleted under their types (``/tags/team/payments`` beside ``/tags/simple/backend``):
    ``payments`` reads as a collection, but a collection is not deleted whole; an item is. Holdout7's
    Unleash sample a kept all six values literal for that one plural."""
    flags = [f"{a}.{b}" for a, b in zip(NAMES[:12], SLUGS[:12], strict=True)]
    shapes = {f"/api/features/{f}/tags": frozenset({"GET", "POST", "tags[].type", "tags[].value", "version"})
              for f in flags}
    pairs = [("team", "payments"), ("team", "growth"), ("team", "mobile"), ("simple", "backend"),
             ("simple", "frontend"), ("cleanup", "after-launch"), ("simple", "backend"), ("team", "growth")]
    for flag, (kind, value) in zip(flags, pairs, strict=False):
        shapes[f"/api/features/{flag}/tags/{kind}/{value}"] = frozenset({"DELETE"})
    got = learn(shapes, shapes)
    assert set(got.values()) == {"/api/features/{featureName}/tags",
                                 "/api/features/{featureName}/tags/{tagName}/{name}"}


def test_words_only_posted_to_that_are_values_elsewhere_are_items_acted_on() -> None:
    """Unleash revives archived flags by name: ``POST /archive/revive/beta_pricing_page-copy6`` beside
    four more flag names, each only POSTed to, with nothing below: the shape of an operation, so they were
    read as actions and two of them stayed literal beside ``{reviveName}``. Every one of them is a value
    of ``/features/{featureName}`` elsewhere: items acted on, not the API's words. A word POSTed to that
    no other position took as a value (``/archive/purge``) stays the operation."""
    flags = ["beta_pricing_page-copy6", "checkout.new-flow", "feature.x", "kill.legacy-export-copy3",
             "recs~ml-ranker", "search-v2", "PAY-2291-retry", "billing_portal", "dark-mode", "onboarding-tour"]
    flag = _call("GET", "name", "type", "enabled", "project")
    shapes = {f"/api/admin/features/{f}": flag for f in flags}
    shapes |= {f"/api/admin/features/{f}/tags": _call("GET", "tags[].type", "tags[].value") for f in flags}
    revived = ["beta_pricing_page-copy6", "kill.legacy-export-copy3", "checkout.new-flow", "feature.x",
               "recs~ml-ranker"]
    shapes |= {f"/api/admin/archive/revive/{f}": _call("POST") for f in revived}
    got = learn(shapes, shapes)
    assert {got[f"/api/admin/archive/revive/{f}"] for f in revived} == {"/api/admin/archive/revive/{reviveName}"}
    assert got["/api/admin/features/feature.x"] == "/api/admin/features/{featureName}"
    actions = {"/api/admin/archive/purge": _call("POST"), "/api/admin/archive/restore": _call("POST")}
    got = learn(shapes | actions, shapes | actions)
    assert got["/api/admin/archive/purge"] == "/api/admin/archive/purge"


# --- error-only words beside a parameter: the template's errors (issue 11, holdout8 cause 4) ---------

_PROJECT = {"data": {"id": "UHJvamVjdDox", "name": "x", "description": "d", "created_at": "2026-01-01"}}
_ERROR = {"code": 103, "error": "Invalid name"}


def _projects(names: tuple[str, ...] = ("rag-search", "support-bot", "agent-planner", "sql-writer")) -> list[Any]:
    """Phoenix in small: projects read by base64 id and by name, names changed and deleted (items of the
    collection), fewer plain names than WORDS_BESIDE_IDS."""
    rows = [ex("get", "/v1/projects", resp={"data": [_PROJECT["data"]]})]
    ids = ["UHJvamVjdDox", "UHJvamVjdDoy", "UHJvamVjdDoz", "UHJvamVjdDo0"]
    rows += [ex("get", f"/v1/projects/{i}", resp=_PROJECT) for i in ids]
    for name in names:
        rows += [ex("get", f"/v1/projects/{name}", resp=_PROJECT), ex("put", f"/v1/projects/{name}", resp=_PROJECT,
                                                                       body={"description": "e"}),
                 ex("delete", f"/v1/projects/{name}", 204)]
    return rows


def _paths(rows: Iterable[Any]) -> dict[str, Any]:
    builder = SpecBuilder()
    builder.add_all(rows)
    return dict(render(builder)["paths"])


def test_a_word_every_call_of_which_was_not_found_beside_a_parameter_is_one_of_its_values() -> None:
    """Phoenix's ``GET /v1/projects/no-such-project`` (one call, 404) stayed a path of its own beside
    ``/v1/projects/{projectName}``: a plain word beside base64 ids, and fewer than WORDS_BESIDE_IDS of
    them. Every call of it was answered "not found": no operation the server has, but the template's
    own error (a missing item); its 404 is documented there."""
    missing = ex("get", "/v1/projects/no-such-project", 404, resp={"detail": "Project not found"})
    paths = _paths([*_projects(), missing])
    assert "/v1/projects/no-such-project" not in paths
    assert "404" in paths["/v1/projects/{projectName}"]["get"]["responses"]
    # the API's own words stay, refused or not: an alias (``/me`` when logged out), a collection
    own = [ex("get", f"/v1/projects/{w}", 404, resp={"detail": "Not Found"}) for w in ("me", "summaries")]
    assert {"/v1/projects/me", "/v1/projects/summaries"} <= _paths([*_projects(), *own]).keys()


@pytest.mark.parametrize("status", [401, 403, 409, 503])
def test_a_word_only_answered_other_errors_stays_the_path_it_is(status: int) -> None:
    """A real endpoint that only errored in a sample (``/login`` answered 401, ``/health`` 503, a conflict)
    is still an endpoint: only "not found" (and the API's "invalid" in its own error shape) says the
    path names nothing the server has."""
    paths = _paths([*_projects(), ex("get", "/v1/projects/overview", status, resp={"detail": "no"})])
    assert "/v1/projects/overview" in paths


def test_a_word_not_found_with_no_parameter_beside_it_stays_literal() -> None:
    """``/functions/sendInvoice`` answered 400 (a function the app does not define) beside functions that
    are each an operation of their own: no template stands there to take it; it stays the path it is (a
    second sample asking it again is accepted)."""
    rows = [ex("post", f"/parse/functions/{f}", resp={"result": {"ok": True}}, body={"a": 1})
            for f in ("averageRating", "checkoutQuote", "searchCatalog")]
    rows += [ex("post", "/parse/functions/sendInvoice", 400, resp=_ERROR, body={"a": 1}),
             ex("post", "/parse/functions/recomputeStock", 404, resp=_ERROR, body={"a": 1})]
    paths = _paths(rows)
    assert {"/parse/functions/sendInvoice", "/parse/functions/recomputeStock"} <= paths.keys()


def test_a_call_the_values_never_take_stays_literal_however_it_was_answered() -> None:
    """``POST /v1/projects/archive-all`` beside projects that are read, changed and deleted, never
    POSTed to: a call of its own (an operation called wrongly), not one more value refused."""
    paths = _paths([*_projects(), ex("post", "/v1/projects/archive-all", 404, resp={"detail": "Not Found"})])
    assert "/v1/projects/archive-all" in paths


def test_a_word_not_found_that_would_change_the_parameter_stays_literal() -> None:
    """Beside integer ids a refused word would make ``{userId}`` a string (and rename it): an error never
    changes the template it would join, so ``/users/nobody`` stays as it is."""
    rows = [ex("get", f"/users/{i}", resp={"id": i, "login": "x", "email": "e"}) for i in range(1, 9)]
    paths = _paths([*rows, ex("get", "/users/nobody", 404, resp={"detail": "Not Found"})])
    assert "/users/nobody" in paths
    assert paths["/users/{userId}"]["get"]["parameters"][0]["schema"]["type"] == "integer"


def _silences() -> list[Any]:
    """Alertmanager's silences: uuids read and deleted, its own errors JSON strings."""
    rng = random.Random(5)
    ids = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(9)]
    rows = [ex("get", f"/api/v2/silence/{i}", resp={"id": i, "status": {"state": "active"}, "comment": "c"})
            for i in ids]
    rows += [ex("delete", f"/api/v2/silence/{i}", 200) for i in ids[:4]]
    rows += [ex("get", "/api/v2/silences", resp=[{"id": ids[0], "comment": "c"}]),
             ex("post", "/api/v2/silences", 400, resp="silence invalid: missing matchers", body={"comment": "c"})]
    return rows


@pytest.mark.parametrize("status", [400, 422])
def test_a_malformed_id_refused_as_invalid_beside_typed_ids_is_one_of_their_values(status: int) -> None:
    """Alertmanager's ``GET /api/v2/silence/not-a-uuid``, answered 422 ``{"code": 601, "message":
    "silenceID in path must be of type uuid"}`` by the validation layer (a shape the API answers nowhere
    else), stayed a path of its own beside ``/api/v2/silence/{silenceId}`` (held-out paths F1 0.923). A word
    the typed ids beside it would not take, refused as invalid in whatever shape: a malformed value of
    the parameter, its error; the parameter keeps its type (the word is what the server refused)."""
    bad = [ex("get", "/api/v2/silence/not-a-uuid", status,
              resp={"code": 601, "message": 'silenceID in path must be of type uuid: "not-a-uuid"'})] * 3
    paths = _paths([*_silences(), *bad])
    assert "/api/v2/silence/not-a-uuid" not in paths, sorted(paths)
    op = paths["/api/v2/silence/{silenceId}"]["get"]
    assert str(status) in op["responses"]
    assert op["parameters"][0]["schema"] == {"type": "string", "format": "uuid"}
    # "not found" at a word the ids would not take may be a router's (no route matched): it stays
    missing = [ex("get", "/api/v2/silence/not-a-uuid", 404, resp={"code": 404, "message": "path not found"})]
    assert "/api/v2/silence/not-a-uuid" in _paths([*_silences(), *missing])


def _form(method: str, path: str, status: int, media: str, body: str) -> Any:
    """An exchange whose request body is a form (``media``: urlencoded or multipart), answered ``status``."""
    row = record(method, path, status, resp={"code": 602, "message": "file in formData is required"})
    row["request"]["headers"]["content-type"] = media
    row["request"]["body"] = body
    return decode(row, "test")


_PART: Final = '--xx\r\nContent-Disposition: form-data; name="note"\r\n\r\nhi\r\n--xx--\r\n'


@pytest.mark.parametrize("call", [
    ex("post", "/api/v2/silence/check", 422, body={"comment": "c"},
       resp={"code": 602, "message": "matchers in body is required"}),
    ex("get", "/api/v2/silence/lookup", 400, query={"name": "x"},
       resp={"code": 602, "message": "id in query is required"}),
    _form("post", "/api/v2/silence/attach", 400, "application/x-www-form-urlencoded", "note=hi"),
    _form("post", "/api/v2/silence/attach", 400, "multipart/form-data; boundary=xx", _PART),
], ids=["json-body", "query", "form", "multipart"])
def test_a_call_carrying_input_refused_as_invalid_beside_typed_ids_stays_literal(call: Any) -> None:
    """``POST /silence/check`` with a payload, ``GET /silence/lookup?name=x``, a form posted to
    ``/silence/attach``, each answered 400/422 beside uuids that are read and POSTed to: a call that
    carried input (a query, a body) may have been refused for it, not for its path (a bad payload to a
    real endpoint, a required parameter missing). Only a bare call refused as invalid is a malformed
    value of the ids beside it; these stay the paths they are."""
    rng = random.Random(7)
    ids = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(4)]
    posted = [ex("post", f"/api/v2/silence/{i}", resp={"id": i}, body={"comment": "c"}) for i in ids]
    paths = _paths([*_silences(), *posted, call, call])
    word = "/api/v2/silence/" + call.path.rsplit("/", 1)[1]
    assert word in paths, sorted(paths)
    assert paths["/api/v2/silence/{silenceId}"]["get"]["parameters"][0]["schema"]["format"] == "uuid"


def test_the_apis_collections_mounted_again_under_a_word_stay_its_collections() -> None:
    """Quetz serves its lists twice, plain and paginated: ``/api/paginated/channels`` and
    ``/api/paginated/users`` (each called 30+ times, each with its own items below and their packages)
    were learned as ``/api/paginated/{paginatedName}``: two siblings sharing structure below read as two
    values. Both are collections the API names at its top (``/api/channels``, ``/api/users``): a second
    mount of them, each a resource of its own (held-out paths F1 0.806)."""
    channels = ["acme.internal", "ml-nightly", "robotics", "data-science", "conda-forge-mirror"]
    users = ["anne.mueller", "bob", "carla.rossi", "dmitri"]
    page = {"pagination": {"skip": 0, "limit": 10, "all_records_count": 3}}
    rows = []
    for kind, names in (("channels", channels), ("users", users)):
        item = {"name": "x", "description": "d", "private": False, "size_limit": 9, "mirror_mode": None} \
            if kind == "channels" else {"id": "u1", "username": "x", "profile": {"name": "n", "avatar_url": "a"}}
        rows += [ex("get", f"/api/{kind}", resp=[item]) for _ in range(3)]
        rows += [ex("get", f"/api/{kind}/{n}", resp=item) for n in names]
        rows += [ex("get", f"/api/{kind}/{n}/packages", resp=[{"name": "p", "summary": "s"}]) for n in names]
        rows += [ex("get", f"/api/paginated/{kind}", resp={**page, "result": [item]}) for _ in range(30)]
        rows += [ex("get", f"/api/paginated/{kind}/{n}/packages", resp={**page, "result": [{"name": "p"}]})
                 for n in names]
    rows += [ex("get", "/api/api-keys", resp=[{"key": "k", "description": "d", "roles": []}]),
             ex("get", "/api/me", resp={"id": "u1", "username": "x", "profile": {}})]
    paths = _paths(rows)
    assert {"/api/channels/{channelName}/packages", "/api/users/{userName}/packages"} <= paths.keys(), sorted(paths)
    assert {"/api/paginated/channels", "/api/paginated/users"} <= paths.keys(), sorted(paths)
    assert {"/api/paginated/channels/{channelName}/packages", "/api/paginated/users/{userName}/packages"} \
        <= paths.keys(), sorted(paths)


def test_a_collection_whose_members_are_named_like_the_apis_collections_keeps_them_values() -> None:
    """review24: a data API's tables are values of ``/api/tables/{tableName}`` even when each one seen is
    named like one of the API's own collections (``/api/users``, ``/api/orders``): under a plural the
    children are that collection's members (Kinto's ``/buckets/{bid}/collections/users``), not the API's
    lists mounted again under a word (Quetz's ``/api/paginated/users``). Literal, a third table
    (``/api/tables/sessions``) matched nothing the spec held."""
    rows = []
    for kind in ("users", "orders", "products"):
        for i in range(1, 6):
            rows += [ex("get", f"/api/{kind}", resp=[{"id": i, "name": f"n{i}"}]),
                     ex("get", f"/api/{kind}/{i}", resp={"id": i, "name": f"n{i}", "created": "2026-01-01"})]
    for table in ("users", "orders"):
        for k in range(4):
            rows += [ex("get", f"/api/tables/{table}/rows", resp={"table": table, "rows": [{"c": k}], "count": k}),
                     ex("get", f"/api/tables/{table}", resp={"name": table, "columns": [{"name": "id"}]})]
    paths = _paths(rows)
    assert {"/api/tables/{tableName}", "/api/tables/{tableName}/rows"} <= paths.keys(), sorted(paths)


def test_a_word_not_found_under_several_owners_is_the_apis_own_word() -> None:
    """``GET /orgs/{org}/projects/archived`` answered 404 under two organisations is a word the API
    names (a view every organisation may have), not a missing project; under one organisation it is one
    more project asked for and not found."""
    orgs = ["acme", "globex", "initech"]
    rows = []
    for org in orgs:
        rows += [ex("get", f"/orgs/{org}", resp={"name": org, "plan": "x", "seats": 3})]
        rows += [ex("get", f"/orgs/{org}/projects/UHJvamVjdDo{i}", resp=_PROJECT) for i in "xyz0"]
        rows += [ex(m, f"/orgs/{org}/projects/{org}-{p}", resp=_PROJECT) for p in ("web", "api")
                 for m in ("get", "put", "delete")]
    archived = [ex("get", f"/orgs/{org}/projects/archived", 404, resp={"detail": "Not Found"}) for org in orgs]
    assert "/orgs/{orgName}/projects/archived" in _paths([*rows, *archived[:2]])
    assert "/orgs/{orgName}/projects/archived" not in _paths([*rows, archived[0]])


def test_an_invalid_name_in_the_apis_error_shape_is_one_of_the_values() -> None:
    """Parse: ``POST /schemas/2ndClass`` and ``/schemas/bad-class name`` answered 400 "Invalid classname"
    beside class names only ever POSTed to (the JS SDK tunnels every call through POST): a name the API
    refused, in the error shape it answers everywhere else (``{code, error}``), is the template's error.
    A 400 in a shape of its own (a proxy's page, a different layer) says nothing of the kind."""
    schema = {"className": "x", "fields": {"a": {"type": "String"}}, "classLevelPermissions": {}, "indexes": {}}
    # (the SDK's reads filed as POSTs here, as a client that sends no _method would: envelope.py reads a
    # tunnel as the method it names, tests/test_envelope.py)
    rows = [ex("post", f"/parse/schemas/{c}", resp=schema, body={"fields": {}})
            for c in ("Product", "Merchant", "Order", "Review") for _ in range(2)]
    rows += [ex("post", "/parse/schemas", resp={"results": [schema]}, body={"fields": {}}),
             ex("post", "/parse/classes/Order", 400, resp={"code": 102, "error": "Invalid query"},
                body={"where": {}}),
             ex("post", "/parse/classes/Order", resp={"results": [{"objectId": "abc123XZ", "total": 3}]},
                body={"where": {}})]
    refused = [ex("post", "/parse/schemas/2ndClass", 400, resp=_ERROR, body={"className": "2ndClass"}),
               ex("post", "/parse/schemas/bad-class name", 400, resp=_ERROR, body={"className": "bad-class name"})]
    paths = _paths([*rows, *refused])
    assert not {"/parse/schemas/2ndClass", "/parse/schemas/bad-class name"} & paths.keys(), sorted(paths)
    assert "400" in paths["/parse/schemas/{schemaName}"]["post"]["responses"]
    odd = [ex("post", "/parse/schemas/2ndClass", 400, resp={"message": "Bad Request", "statusCode": 400},
              body={"className": "2ndClass"})]
    assert "/parse/schemas/2ndClass" in _paths([*rows, *odd])


META_COLLECTIONS = ["projects", "tables", "views", "columns", "filters", "sorts", "hooks", "comments"]


def _meta_ids(prefix: str, n: int, rng: random.Random) -> list[str]:
    return [prefix + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(14)) + "7"
            for _ in range(n)]


def test_collections_holding_ids_are_resources_however_many() -> None:
    """Eight plurals under ``/db/meta``, each holding ids of its own right below, some of those ids
    holding resources no other collection's have (a project's tables, a view's sorts), answering each its
    own fields beside a few common ones (likeness about one half): an API's collections, not eight values
    of one parameter, though two share a resource below their ids (a table's and a view's columns). The
    same collections with nothing of their own below their ids (a data API's tables, each holding its
    rows) stay values."""
    rng = random.Random(11)
    below = {"projects": ["tables"], "tables": ["columns", "forms"], "views": ["columns", "sorts"]}
    shapes: dict[str, frozenset[str]] = {}
    for noun in META_COLLECTIONS:
        props = ("id", "title", "created_at", "updated_at", "order", *(f"{noun}_{i}" for i in range(5)))
        shapes[f"/api/v1/db/meta/{noun}"] = _call("GET", "list", "pageInfo", *(f"list[].{p}" for p in props))
        for i in _meta_ids(noun[:2], 4, rng):
            shapes[f"/api/v1/db/meta/{noun}/{i}"] = _call("PATCH", *props)
            for resource in below.get(noun, ()):
                shapes[f"/api/v1/db/meta/{noun}/{i}/{resource}"] = _call("GET", "list", "pageInfo")
    got = learn(shapes, shapes)
    assert {t for p, t in got.items() if p.count("/") == 5} == {f"/api/v1/db/meta/{n}" for n in META_COLLECTIONS}
    assert got[next(p for p in shapes if p.startswith("/api/v1/db/meta/sorts/"))] == "/api/v1/db/meta/sorts/{sortId}"
    rows = {p.replace("/meta/", "/data/"): f for p, f in shapes.items() if p.count("/") <= 6}
    assert {t for p, t in learn(rows, rows).items() if p.count("/") == 5} == {"/api/v1/db/data/{dataName}"}


def test_a_folder_named_plainly_beside_folders_is_one_more() -> None:
    """A catalog's containers (``beamline 7-BM`` and ``cryo-EM 2026``, cased ids on sight; ``ISS_8-ID``
    and ``Lima lab``, words not plain), each holding nodes of its own (ids on sight, and names no other
    holds), read, posted to, and holding ids below as they do: ``materials.discovery``, a plain word, is
    one more container, under /metadata and under each verb that addresses the nodes (``/array/full/...``,
    never called at the container itself), not a literal branch of its own."""
    containers = ["beamline%207-BM", "cryo-EM%202026", "ISS_8-ID", "Lima%20lab", "materials.discovery"]
    shapes: dict[str, frozenset[str]] = {}
    for i, c in enumerate(containers):
        shapes[f"/api/v1/metadata/{c}"] = _call("GET", "id")
        shapes[f"/api/v1/metadata/{c}/"] = _call("POST", "id")
        for n in [f"NMC811%205{i}", f"frame_{i}07", f"dark%20{i}3"]:
            shapes[f"/api/v1/metadata/{c}/{n}"] = _call("GET", "id")
            shapes[f"/api/v1/array/full/{c}/{n}"] = _call("PUT")
    got = learn(shapes, shapes)
    assert got["/api/v1/metadata/materials.discovery"] == "/api/v1/metadata/{metadataName}"
    assert got["/api/v1/metadata/materials.discovery/frame_407"] == got["/api/v1/metadata/ISS_8-ID/frame_207"]
    assert got["/api/v1/array/full/materials.discovery/frame_407"] == got["/api/v1/array/full/ISS_8-ID/frame_207"]
    assert "materials" not in got["/api/v1/array/full/materials.discovery/frame_407"]


def test_random_letters_beside_opaque_ids_under_a_collection_are_one_more() -> None:
    """NocoDB's ids are a prefix and random ``[a-z0-9]``; one in a hundred or so has no digit
    (``sopzicifgyvccjjq``) and reads as a word on sight. Under a collection, beside opaque ids, called as
    they are (PATCH), letters that read as no word (four consonants in a row, a q without u) are one more
    id; a long word that reads as one (``housekeeping``), a plural, or an action stay literal."""
    ids = ["so5x5pkwt07ut5ye", "sodkefc4bauqy5kc", "so5fy7qpya26wlix"]
    shapes = {f"/api/v1/db/meta/sorts/{i}": _call("PATCH") for i in ids}
    shapes["/api/v1/db/meta/sorts/sopzicifgyvccjjq"] = _call("PATCH")
    shapes["/api/v1/db/meta/jobs/housekeeping"] = _call("PATCH")
    shapes |= {f"/api/v1/db/meta/jobs/{i.replace('so', 'jb')}": _call("PATCH") for i in ids}
    got = learn(shapes, shapes)
    assert got["/api/v1/db/meta/sorts/sopzicifgyvccjjq"] == got[f"/api/v1/db/meta/sorts/{ids[0]}"]
    assert got[f"/api/v1/db/meta/sorts/{ids[0]}"] == "/api/v1/db/meta/sorts/{sortId}"
    assert got["/api/v1/db/meta/jobs/housekeeping"] == "/api/v1/db/meta/jobs/housekeeping"


_PATH_PART = st.text(alphabet="ab.[]*", max_size=8)


@settings(max_examples=200, deadline=None)
@given(st.frozensets(_PATH_PART, max_size=12), st.lists(st.text(alphabet="ab*", max_size=2), max_size=4),
       st.lists(st.text(alphabet="ab*", max_size=2), max_size=4))
def test_the_remembered_first_names_and_positions_are_the_plain_ones(props: frozenset[str], a: list[str],
                                                                     b: list[str]) -> None:
    """``_top_level`` (its first names remembered per path) and ``same_position`` (a loop) answer as the
    plain expressions they replaced (render23) do."""
    from specbuild.learn.paths import evidence

    plain = frozenset(p[:2] if p.startswith("[]") else p.partition(".")[0].partition("[]")[0] for p in props)
    assert evidence._top_level(props) == plain
    assert evidence._top_level(props) == plain  # asked again: from the cache
    assert evidence.object_props(props) == frozenset(top for top in {evidence._top(p) for p in props}
                                                     if top is not None)
    x, y = tuple(a), tuple(b)
    assert evidence.same_position(x, y) == (len(x) == len(y) and all(p == q or "*" in (p, q)
                                                                    for p, q in zip(x, y, strict=True)))


def test_a_remembered_function_answers_as_itself_and_forgets_past_its_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    """evidence._Remembered (the first names of property paths): each answer worked out once, all
    forgotten at once past REMEMBERED (a long follow keeps bringing new paths)."""
    from specbuild.learn.paths import evidence

    monkeypatch.setattr(evidence, "REMEMBERED", 3)
    asked: list[str] = []

    def upper(word: str) -> str:
        asked.append(word)
        return word.upper()

    memo = evidence._Remembered(upper)
    assert [memo[w] for w in "abcab"] == list("ABCAB")
    assert asked == list("abc")
    assert memo["d"] == "D"
    assert len(memo) == 1  # the fourth word forgot the three before it
    assert evidence._top("a.b") == "a" and evidence._top("[].a") is None


@settings(max_examples=100, deadline=None)
@given(st.booleans(), st.lists(st.sampled_from(["k1", "k2"]), max_size=2),
       st.frozensets(st.sampled_from(["GET", "POST", "DELETE"])), st.lists(st.text(alphabet="ab*1.v", max_size=3),
                                                                         max_size=3))
def test_the_one_node_and_plain_loop_paths_answer_as_the_general_ones(below: bool, keys: list[str],
                                                                      methods: frozenset[str],
                                                                      suffix: list[str]) -> None:
    """``posted_only`` of one node (its fast path) as of the same node twice (the general path), and
    ``_strong`` (a plain loop) as the generator it replaced (render23)."""
    from types import SimpleNamespace

    from specbuild.learn.paths import evidence
    from specbuild.learn.paths.actions import posted_only

    node = SimpleNamespace(children={"x": object()} if below else {}, keys=keys, methods=methods)
    assert posted_only([node]) == posted_only([node, node])
    assert evidence._strong(tuple(suffix)) == any(label != "*" and not evidence._is_version(label)
                                                  for label in suffix)


def test_one_probe_that_reads_as_an_id_makes_no_collections_of_the_names_beside_it() -> None:
    """Azurite's Blob service: six containers a team named (`backups`, `exports`, `logs-prod`, ...), each
    holding blobs in folders, are values of one parameter. One probe of a container that is not there,
    `GET /acme/archive-2019` (a year in the name reads as a token), made the plural names "collections
    beside ids" (:func:`templating._collections_of_ids`): a literal path per plural container, 102 learned
    paths for what is two templates, acceptance of the next sample 0.889 / 0.843. One distinct request to a
    typed leaf is no id parameter: the rule wants ids, two or more, or ids holding something."""
    folders = ["img", "2026/01", "users/anne", "models/v3", ""]
    exts = ["pdf", "png", "csv", "gz"]

    def rows(probe: bool) -> list[Any]:
        out, n = [], 0
        for name in ["backups", "exports", "reports", "invoices", "logs-prod", "media-raw"]:
            out.append(ex("put", f"/acme/{name}", 201, query={"restype": ["container"]}))
            out.append(ex("get", f"/acme/{name}", 200, query={"restype": ["container"], "comp": ["list"]},
                          resp="<EnumerationResults/>", resp_headers={"content-type": "application/xml"}))
            for i in range(8):
                n += 1
                blob = f"{folders[(n * 7 + i) % len(folders)]}/IMG_{2000 + n}-{n}.{exts[n % 4]}".lstrip("/")
                out.append(ex("put", f"/acme/{name}/{blob}", 201))
                out.append(ex("get", f"/acme/{name}/{blob}", 206, resp="bytes",
                              resp_headers={"content-type": "application/octet-stream"}))
        if probe:
            out.append(ex("get", "/acme/archive-2019", 404, query={"restype": ["container"]}, resp="<Error/>",
                          resp_headers={"content-type": "application/xml"}))
        return out

    for probe in (False, True):
        paths = sorted(_paths(rows(probe)))
        assert [p for p in paths if p.split("/")[2] in ("backups", "exports", "reports", "invoices")] == []
        assert "/acme/{acmeName}" in paths


def test_one_real_id_called_once_still_makes_collections_of_the_plurals_beside_it() -> None:
    """Gitea: ``GET /issues/42`` answered once (200) beside issue names and ``/issues/comments/{id}/reactions``.
    One distinct request to a typed leaf read as a probe (:func:`templating._one_probe`) whatever its answer,
    and ``comments`` became one more issue: ``/issues/{issueIdOrName}/{id}/reactions``. A probe is a value
    the server does not have (Azurite's 404); an id it served is an id, and the plural beside it a
    collection of its own, as without the call."""
    rng = random.Random(14)
    base = "/repos/acme/web/issues"
    rows = [ex("post", f"{base}/{rng.choice(NAMES)}-{i}x/stopwatch", 201) for i in range(30)]
    rows += [ex("get", f"{base}/comments/{rng.randrange(1, 999)}/reactions", 200, resp=[{"user": "a", "content": "+1"}])
             for _ in range(5)]
    served = _paths([*rows, ex("get", f"{base}/42", 200, resp={"id": 42, "title": "x"})])
    assert f"{base}/comments/{{commentId}}/reactions" in served


# --- names saved by POST beside names saved and read (real24: a configuration API's create-or-update) ----

def _saved_scripts(read: tuple[str, ...], only_saved: tuple[str, ...]) -> list[Any]:
    """Scripts saved by ``POST /api/config/scripts/<name>`` (create or replace, answered ``{"result": "ok"}``),
    some of them read back by ``GET``: a configuration API whose items clients name."""
    def script(name: str) -> dict[str, object]:
        return {"alias": name.replace("-", " "), "mode": "single", "sequence": [{"service": "light.turn_on"}]}
    rows = []
    for name in read + only_saved:
        rows.append(ex("post", f"/api/config/scripts/{name}", body=script(name), resp={"result": "ok"}))
    rows += [ex("get", f"/api/config/scripts/{name}", resp=script(name)) for name in read]
    return rows


def test_names_only_posted_to_beside_names_posted_to_and_read_are_items_too() -> None:
    """Three scripts saved and read back, three only saved so far: as many POST-only words as the rest,
    which :func:`actions.invoked` reads as a position of operations (``POST /recordings/start``), so the
    three stayed literal paths beside ``{scriptName}``. Words here both POSTed to and read are items
    saved by name (an operation is not read back), so the words only POSTed to beside them are items
    not read yet, as beside ids POSTed to (``_ids_posted_to``)."""
    paths = _paths(_saved_scripts(("nightly-backup", "lights-off", "wake-up"), ("feed-the-cat", "water-plants",
                                                                                "morning")))
    assert sorted(paths) == ["/api/config/scripts/{scriptName}"]
    # only operations POSTed to, none read: they stay the API's own words
    ops = [ex("post", f"/api/recordings/{w}", resp={"state": w}) for w in ("start", "stop", "pause", "resume")]
    assert sorted(_paths(ops)) == [f"/api/recordings/{w}" for w in ("pause", "resume", "start", "stop")]


def test_a_name_reading_as_a_plural_among_names_answering_alike_and_no_list_is_one_of_them() -> None:
    """Under a singular parent, fewer than eight names answering alike take only the words that read as no
    plural (a few collections answer alike by their list envelope alone). ``feed-the-cats`` reads as a
    plural, but it answers what its siblings answer, and no list: a name among names, not a collection
    (Home Assistant's script ``wake_up_kids`` stayed a literal path beside ``{configName}``)."""
    rows = [ex("post", f"/api/automation/config/{name}", body={"alias": name}, resp={"result": "ok"})
            for name in ("nightly-backup", "lights-off", "wake-up", "feed-the-cats")]
    rows += [ex("get", f"/api/automation/config/{name}", resp={"alias": name, "mode": "single"})
             for name in ("nightly-backup", "lights-off", "wake-up")]
    assert sorted(_paths(rows)) == ["/api/automation/config/{configName}"]
    # collections answering alike by their list envelope stay apart, plurals beside them or not
    lists = [ex("get", f"/api/admin/{w}", resp={"value": [{"id": 1}], "nextLink": None})
             for w in ("users", "groups", "roles", "policies")]
    assert sorted(_paths(lists)) == [f"/api/admin/{w}" for w in ("groups", "policies", "roles", "users")]


def test_operations_only_posted_to_beside_names_posted_to_and_read_stay_operations() -> None:
    """Beside jobs saved (``POST``) and read by name, ``POST /api/jobs/build`` answering a queue receipt
    (no job) is an operation on the collection, not a job not read yet: names only POSTed to are items
    where their POST answers as the saved names' POSTs do (review27: every job became a literal path,
    ``build`` and ``reload`` joining the names and making them unlike; ``/api/jobs/{jobName}`` before)."""
    def job(name: str) -> dict[str, object]:
        return {"name": name, "color": "blue", "buildable": True, "lastBuild": {"number": 3}}
    names = ("frontend", "backend", "nightly")
    rows = [ex("post", f"/api/jobs/{n}", body=job(n), resp=job(n)) for n in names]
    rows += [ex("get", f"/api/jobs/{n}", resp=job(n)) for n in names]
    rows += [ex("post", f"/api/jobs/{w}", body={"job": "frontend"}, resp={"queued": True, "id": 7})
             for w in ("build", "cancel", "reload")]
    assert sorted(_paths(rows)) == ["/api/jobs/build", "/api/jobs/cancel", "/api/jobs/reload", "/api/jobs/{jobName}"]
    queues = [ex("post", f"/api/queues/{n}", body={"durable": True}, resp={"name": n, "durable": True, "messages": 0})
              for n in ("billing", "audit", "default")]
    queues += [ex("get", f"/api/queues/{n}", resp={"name": n, "durable": True, "messages": 3})
               for n in ("billing", "audit", "default")]
    queues += [ex("post", f"/api/queues/{w}", body={}, resp={"purged": 3}) for w in ("purge", "drain", "compact")]
    assert sorted(_paths(queues)) == [f"/api/queues/{w}" for w in ("compact", "drain", "purge", "{queueName}")]


def test_a_collection_answering_an_empty_page_beside_names_answering_alike_stays_a_collection() -> None:
    """``GET /api/team/members`` answering an empty page (``{"data": [], "meta": {}}``) holds no ``[]``
    property (an empty list has no items to name), so it read as "answering no list" and joined the team
    names beside it (review27, of 6c367f7). A plural word is one of the names where it answers, call by
    call, all the names answer (``wake_up_kids``' POSTs as its siblings'), not where it answers less: a
    page's envelope without the item the names hold."""
    rows = [ex("get", f"/api/team/{n}", resp={"data": {"name": n, "size": 3}, "meta": {}})
            for n in ("red-squad", "blue-squad", "core-infra")]
    rows += [ex("get", f"/api/team/{w}", resp={"data": [], "meta": {}}) for w in ("invitations", "members")]
    assert sorted(_paths(rows)) == ["/api/team/invitations", "/api/team/members", "/api/team/{teamName}"]
    bare = [*rows[:3], ex("get", "/api/team/members", resp=[])]
    assert sorted(_paths(bare)) == ["/api/team/members", "/api/team/{teamName}"]



# --- an RPC API's methods in one envelope (Luigi's scheduler: ``/api/<method>`` -> ``{"response": ...}``) ----

RPC_ANSWERS: Final[dict[str, object]] = {
    "task_list": {"ExtractOrders_2026_11_01_eu_west_1ff0d36376": {"status": "DONE"}}, "dep_graph": {},
    "inverse_dep_graph": {}, "task_search": {}, "has_task_history": False, "pause": None, "unpause": None,
    "re_enable_task": {}, "disable_worker": None, "is_paused": {"paused": False},
    "is_pause_enabled": {"enabled": True},
    "fetch_error": {"taskId": "a", "error": "", "displayName": "A", "taskFamily": "A"},
    "forgive_failures": {"status": "PENDING", "task_id": "a"}, "mark_as_done": {"status": "DONE", "task_id": "a"},
    "worker_list": [{"name": "w1", "host": "vm", "num_running": 0}],
    "resource_list": [{"name": "gpu", "num_total": 1, "num_used": 0}],
}


def _called(answers: Mapping[str, object]) -> list[dict[str, object]]:
    """Each path called five times, with its arguments as JSON in the query (distinct request targets)."""
    return [record("get", f"/api/{name}", query={"data": json.dumps({"task_id": f"T_{i}"})},
                   resp={"response": answer})
            for name, answer in answers.items() for i in range(5)]


def test_methods_answering_in_one_envelope_stay_apart_when_unlike_inside_it() -> None:
    """An RPC API's methods all answer ``{"response": ...}``: a bare ``response`` (a flag, null, a map
    keyed by task ids) is contained in every answer, so the envelope alone made sixteen methods
    "alike" and one ``/api/{name}``. Inside the envelope they are unlike (a worker list, an error, a
    pause flag): they stay literal."""
    assert _learned_paths(_called(RPC_ANSWERS)) == sorted(f"/api/{m}" for m in RPC_ANSWERS)


def test_values_answering_alike_inside_one_envelope_are_still_one_parameter() -> None:
    """Fourteen tenants answering ``{"data": {...}}`` with the same fields are one ``/api/{tenant}``."""
    tenants = [f"{w}-{c}" for w in ("acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne")
               for c in ("eu", "us")]
    answers = {t: {"data": {"id": t, "plan": "pro", "owner": "ops", "created_at": "2026-11-01"}} for t in tenants}
    assert len(_learned_paths(_called(answers))) == 1
