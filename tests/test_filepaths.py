"""File paths: a run of folders and a file below one parameter is ONE parameter that spans segments
(learn/paths/filepaths.py), and ``check``, ``diff`` and the learner's own matching honour it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from specbuild import build_spec
from specbuild.drift.check import Checker
from specbuild.drift.diff import diff
from specbuild.drift.routes import Router
from specbuild.io.validate import BodyValidator
from specbuild.learn.render import RenderOptions
from specbuild.records import decode
from tests.helpers import ex, record
from tests.test_paths import _call, learn

OWNERS = ["alice", "bob.smith", "carol_dev", "dmitri-k", "lena.m41", "Infra"]
SPANNED = RenderOptions(file_paths=True)
REPOS = ["ledger", "web-app", "infra.terraform", "dotfiles", "payments-api", "blog"]
# a repository's files as Gitea's clients ask for them: several types, several depths, folders that vary
FILES = ["README.md", "CHANGELOG.md", "Makefile", "docs/setup.md", "docs/adr/0001-record.md", "src/main.go",
         "src/api/handlers.go", "config/app.yaml", "scripts/deploy.sh", ".github/CODEOWNERS"]


def _repos() -> list[str]:
    return [f"/repos/{o}/{r}" for o, r in zip(OWNERS, REPOS, strict=True)]


def _gitea() -> list[str]:
    paths = []
    for i, repo in enumerate(_repos()):
        paths += [repo, f"{repo}/issues", f"{repo}/issues/{i + 1}", f"{repo}/issues/{i + 1}/comments",
                  f"{repo}/pulls", f"{repo}/pulls/{i + 7}", f"{repo}/contents"]
        paths += [f"{repo}/contents/{f}" for f in FILES[i % 3::2]]
        paths += [f"{repo}/raw/{f}" for f in FILES[(i + 1) % 3::3]]
    return paths


def _without_the_rule(paths: Iterable[str]) -> dict[str, str]:
    return learn(paths)  # the default: a template per depth (``--file-paths`` asks for the rule)


def test_a_file_path_with_folders_is_one_parameter() -> None:
    """Gitea's ``/repos/{owner}/{repo}/contents/{filepath}`` and ``/raw/{filepath}`` take
    ``docs/adr/0001-record.md``: one template each, not one per depth (``/contents/{contentName}/{name}``,
    ``/contents/{contentName}/{name}/{id}.md``, a lone ``/contents/{contentName}/api/handlers.go``); the
    repository's other resources are as they were."""
    got = learn(_gitea(), file_paths=True)
    contents = {got[p] for p in got if "/contents/" in p}
    raw = {got[p] for p in got if "/raw/" in p}
    assert contents == {"/repos/{owner}/{repo}/contents/{contentPath}"}
    assert raw == {"/repos/{owner}/{repo}/raw/{path}"}
    assert got["/repos/alice/ledger/issues/1/comments"] == "/repos/{owner}/{repo}/issues/{issueId}/comments"
    assert got["/repos/alice/ledger/contents"] == "/repos/{owner}/{repo}/contents"


def test_a_trailer_after_the_file_path_stays_literal() -> None:
    """jupyter-server's ``/api/contents/{path}/checkpoints[/{checkpoint_id}]``: the word below files at every
    depth is the trailer after one file path, and what follows it is its own."""
    folders = ["thesis", "draft 87", "2024-review 12", "plots"]
    files = ["Untitled.ipynb", "notes 691.csv", "todo.txt", "report.md"]
    paths = ["/api/contents"] + [f"/api/contents/{f}" for f in files] + [f"/api/contents/{d}" for d in folders]
    paths += [f"/api/contents/{d}/{f}" for d in folders for f in files[1:]]
    paths += [f"/api/contents/{f}/checkpoints" for f in files[:2]]
    paths += [f"/api/contents/{d}/{f}/checkpoints" for d in folders[:2] for f in files[:2]]
    paths += [f"/api/contents/{d}/{f}/checkpoints/{c}" for d in folders[:2] for f in files[:2]
              for c in ("a1b2c3d4-0000-4000-8000-00000000000" + str(i) for i in range(2))]
    model = _call("GET", "name", "path", "type", "content", "last_modified")
    shapes = {p: _call("GET", "[].id", "[].last_modified") if p.endswith("/checkpoints")
              else _call("GET", "id", "last_modified") if "/checkpoints/" in p else model for p in paths}
    got = learn(paths, shapes, file_paths=True)
    assert set(got.values()) == {"/api/contents", "/api/contents/{contentPath}",
                                 "/api/contents/{contentPath}/checkpoints",
                                 "/api/contents/{contentPath}/checkpoints/{checkpointId}"}
    assert got["/api/contents/thesis/todo.txt"] == got["/api/contents/todo.txt"] == "/api/contents/{contentPath}"
    assert got["/api/contents/thesis/Untitled.ipynb/checkpoints"] == "/api/contents/{contentPath}/checkpoints"


@pytest.mark.parametrize("paths", [
    # nested resources at varying depth, names with dots among them: no file types at several depths
    [f"{r}{tail}" for i, r in enumerate([*_repos(), "/repos/vuejs/vue.js", "/repos/socketio/socket.io"])
     for tail in ("", "/issues", f"/issues/{i + 1}", f"/issues/{i + 1}/comments", f"/pulls/{i + 3}/files")],
    [f"/api/v1/namespaces/{ns}/{tail}" for ns in ("default", "kube-system", "team-a", "team-b.dev")
     for tail in ("pods", "pods/web-7d9f", "pods/web-7d9f/log", "configmaps/kube-root-ca.crt",
                  "configmaps/app.yaml", "secrets/tls.key", "services/api")],
    # file names at several depths, but below a resource of the values at one depth (``-``, its history)
    [*(p for p in _gitea() if "/raw/" not in p),
     *(f"{repo}/contents/{d}/-/history" for repo in _repos() for d in ("docs", "src", "config"))],
    # one format at every depth (Datasette's tables and rows): resources in a format, not files
    [f"/db/{t}{tail}" for t in ("books", "authors", "loans") for tail in (".json", "/1.json", "/2.json", "/-/insert")],
])
def test_no_file_paths_no_merge(paths: list[str]) -> None:
    """Without all the evidence, templates are exactly what they were without the rule."""
    got = learn(paths, file_paths=True)
    assert got == _without_the_rule(paths)
    assert not any("Path}" in t for t in got.values())


def _records() -> list[dict[str, Any]]:
    item = {"name": "setup.md", "path": "docs/setup.md", "sha": "a1b2", "size": 120, "type": "file"}
    out = []
    for i, path in enumerate(p for p in _gitea() if "/contents/" in p):
        method = ("get", "post", "put", "delete")[i % 4]
        out.append(record(method, "/api/v1" + path, 200 if method != "post" else 201,
                          body={"content": "aGk=", "message": "m"} if method in ("post", "put") else None,
                          resp={"content": item, "commit": {"sha": "c3d4"}} if method != "get" else item))
    return out


def test_a_built_spec_marks_the_parameter_and_check_routes_any_depth_to_it() -> None:
    """The learned parameter is ``in: path``, required, a string, marked ``x-multiSegment`` with a description
    (the spec validates); ``check`` routes a file at a depth never seen to the one operation, the methods of
    every depth merged there."""
    doc = build_spec((decode(r, "t") for r in _records()), SPANNED)
    item = doc["paths"]["/api/v1/repos/{owner}/{repo}/contents/{contentPath}"]
    assert sorted(item) == ["delete", "get", "post", "put"]
    param = item["get"]["parameters"][2]
    assert param["name"] == "contentPath" and param["in"] == "path" and param["required"] is True
    assert param["schema"] == {"type": "string"} and param["x-multiSegment"] is True and param["description"]
    assert sum("/contents/" in p for p in doc["paths"]) == 1
    checker = Checker(doc, explain=BodyValidator)
    deeper = ex("put", "/api/v1/repos/alice/ledger/contents/a/b/c/d/notes.md", 200,
                body={"content": "aGk=", "message": "m"}, resp={"content": {"name": "notes.md",
                "path": "a/b/c/d/notes.md", "sha": "e5f6", "size": 3, "type": "file"}, "commit": {"sha": "c3d4"}})
    checker.add(deeper)
    assert [f.kind for f in checker.findings() if f.kind.startswith("undocumented")] == []


def test_the_router_gives_a_file_path_one_or_more_segments_and_the_trailer_its_own() -> None:
    spans = {"name": "path", "in": "path", "required": True, "schema": {"type": "string"}, "x-multiSegment": True}
    one = {"name": "path", "in": "path", "required": True, "schema": {"type": "string"}}
    router = Router({"/contents/{path}": {"get": {"parameters": [spans]}},
                     "/contents/{path}/checkpoints": {"get": {"parameters": [spans]}},
                     "/contents/{path}/checkpoints/{id}": {"get": {"parameters": [spans]}},
                     "/raw/{path}": {"get": {"parameters": [one]}}})
    found = {p: (m.route.template, m.values) if (m := router.match(p)) else None for p in (
        "/contents/a.md", "/contents/docs/adr/1.md", "/contents/x/y.ipynb/checkpoints",
        "/contents/x/y.ipynb/checkpoints/c1", "/contents/a//b.md", "/contents", "/raw/a.md", "/raw/docs/a.md")}
    assert found == {"/contents/a.md": ("/contents/{path}", ("a.md",)),
                     "/contents/docs/adr/1.md": ("/contents/{path}", ("docs/adr/1.md",)),
                     "/contents/x/y.ipynb/checkpoints": ("/contents/{path}/checkpoints", ("x/y.ipynb",)),
                     "/contents/x/y.ipynb/checkpoints/c1": ("/contents/{path}/checkpoints/{id}", ("x/y.ipynb", "c1")),
                     "/contents/a//b.md": None, "/contents": None,
                     "/raw/a.md": ("/raw/{path}", ("a.md",)), "/raw/docs/a.md": None}


def test_diff_pairs_the_depths_of_a_spec_before_with_the_file_path_after() -> None:
    """A spec learned with a template per depth, diffed against one learned with the file path: the
    operations of every depth are the file path's (none removed, no parameter of a depth removed), which
    now spans segments; the other way round it no longer does (breaking: calls with folders match nothing)."""
    head = build_spec((decode(r, "t") for r in _records()), SPANNED)
    per_depth = {"openapi": head["openapi"], "info": head["info"], "paths": {}}
    op = head["paths"]["/api/v1/repos/{owner}/{repo}/contents/{contentPath}"]["get"]
    params = [p for p in op["parameters"] if p["in"] == "path"]
    one = [*params[:2], {k: v for k, v in params[2].items() if k not in ("x-multiSegment", "description")}]
    for depth in ("/{a}", "/{a}/{b}", "/{a}/{b}/{c}.md"):
        names = [*one, *({"name": n[1], "in": "path", "required": True, "schema": {"type": "string"}}
                         for n in ("{b}", "{c}") if n in depth)]
        per_depth["paths"]["/api/v1/repos/{owner}/{repo}/contents" + depth.replace("{a}", "{contentPath}")] = {
            "get": {**op, "parameters": names}}
    forward = {(c.operation.split()[0], c.kind, c.where) for c in diff(per_depth, head)
               if c.kind != "response-type-narrowed"}  # (the hand-made base's responses hold no components)
    where = "path parameter contentPath"
    assert forward == {("GET", "path-parameter-now-spans", where), *(
        (method, "operation-added", "") for method in ("POST", "PUT", "DELETE"))}
    back = {(c.kind, c.severity) for c in diff(head, per_depth) if c.where == where}
    assert back == {("path-parameter-no-longer-spans", "breaking")}
    # a learned head that saw no folders there is no evidence the API stopped taking them
    assert not any(c.where == where for c in diff(head, per_depth, learned_head=True))
