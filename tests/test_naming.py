"""specbuild.learn.naming: tags, summaries and operationIds a reader and a client generator can use."""

from __future__ import annotations

import random
from typing import Any

import pytest

from specbuild.learn.naming import name, name_operations, singular, tag_of
from specbuild.segments import ALIASES


@pytest.mark.parametrize(("method", "path", "summary", "words"), [
    ("get", "/users", "List users", "listUsers"),
    ("get", "/users/{userId}", "Get a user", "getUser"),
    ("post", "/users", "Create a user", "createUser"),
    ("put", "/users/{userId}", "Replace a user", "replaceUser"),
    ("patch", "/users/{userId}", "Update a user", "updateUser"),
    ("delete", "/users", "Delete users", "deleteUsers"),
    ("get", "/users/me", "Get the current user", "getCurrentUser"),
    ("get", "/sessions/whoami", "Get the current session", "getCurrentSession"),   # Ory Kratos
    ("get", "/rate_limit", "Get the rate limit", "getRateLimit"),
    ("post", "/repos/{owner}/{repo}/issues/{issueNumber}/comments", "Create an issue comment",
     "createIssueComment"),
    ("delete", "/repos/{owner}/{repo}/labels/{name}", "Delete a repo label", "deleteRepoLabel"),
    ("get", "/repos/{owner}/{repo}/check-runs/{id}", "Get a repo check run", "getRepoCheckRun"),
    ("get", "/repos/{owner}/{repo}/releases/latest", "Get the latest release", "getLatestRelease"),
    ("get", "/api/v1/namespaces/{ns}/pods", "List namespace pods", "listNamespacePods"),
    ("get", "/apis/apps/v1/namespaces/{ns}/deployments/{name}/scale", "Get the deployment scale",
     "getDeploymentScale"),
    ("get", "/", "Get the root", "getRoot"),
    ("get", "/{id}", "Get a resource", "getResource"),
])
def test_a_summary_and_an_id_from_method_and_path(method: str, path: str, summary: str, words: str) -> None:
    n = name(method, path)
    assert n.summary == summary
    assert n.words[0] + "".join(w.capitalize() for w in n.words[1:]) == words


@pytest.mark.parametrize("alias", sorted(ALIASES))
def test_every_alias_names_the_one_it_picks(alias: str) -> None:
    """An alias stays literal as the one item it stands for (segments.ALIASES): its operation is named
    so (``/users/me``: the current user), not as a sub-resource called after it (``Get the session whoami``)."""
    assert name("get", f"/sessions/{alias}").summary != f"Get the session {alias}"



def test_singular() -> None:
    assert [singular(w) for w in ("issues", "policies", "branches", "status", "addresses", "repos", "people",
                                  "ingresses", "data", "is")] == [
        "issue", "policy", "branch", "status", "address", "repo", "person", "ingress", "data", "is"]


def test_the_tag_is_the_first_word_after_version_prefixes() -> None:
    assert tag_of("/api/v1/namespaces/{ns}/pods") == "namespaces"
    assert tag_of("/apis/networking.k8s.io/v1/ingresses") == "ingresses"
    assert tag_of("/v2/users/{id}") == "users"
    assert tag_of("/repos/{owner}/{repo}/issues") == "repos"
    assert tag_of("/{tenant}/orders") == "orders"
    assert tag_of("/") == "default"


def _paths(*spec: str) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for item in spec:
        method, path = item.split(" ")
        out.setdefault(path, {})[method] = {}
    return out


def test_every_operation_is_tagged_named_and_unique_in_any_order() -> None:
    items = ["get /user", "get /users/{userName}", "get /users", "get /repos/{o}/{r}/issues/comments",
             "get /repos/{o}/{r}/issues/{n}/comments", "get /a/{x}/b", "get /a/b", "post /users", "get /a/B"]
    paths = _paths(*items)
    tags = name_operations(paths)
    assert tags == [{"name": n, "description": f"Operations on {n}"} for n in ("a", "repos", "user", "users")]
    ops = {f"{m} {p}": op for p, item in paths.items() for m, op in item.items()}
    assert all(op["tags"] and op["summary"] for op in ops.values())
    ids = {k: op["operationId"] for k, op in ops.items()}
    assert len(set(ids.values())) == len(ids)
    assert ids["get /user"] == "getUser" and ids["get /users/{userName}"] == "getUserByUserName"
    assert ids["get /users"] == "listUsers" and ids["post /users"] == "createUser"
    assert ids["get /repos/{o}/{r}/issues/comments"] != ids["get /repos/{o}/{r}/issues/{n}/comments"]
    random.Random(7).shuffle(items)
    again = _paths(*items)
    name_operations(again)
    assert {f"{m} {p}": op["operationId"] for p, item in again.items() for m, op in item.items()} == ids
