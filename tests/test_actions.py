"""Sibling actions stay literal (learn/paths/actions.py): a word only ever POSTed to, with nothing below
it, names an operation, where such words are most of the siblings (issue 11, "Sibling actions merged")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from specbuild.learn.paths.templater import PathTemplater
from tests.helpers import ROOT, record


def build(tmp_path: Path, records: list[dict[str, Any]]) -> set[str]:
    """The paths of the spec ``specbuild build`` learns from these records, run as a user runs it."""
    tmp_path.mkdir(exist_ok=True)
    source = tmp_path / "traffic.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records))
    out = tmp_path / "spec"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-m", "specbuild", "build", "-i", str(source), "-o", str(out), "-q"],
                       capture_output=True, text=True, cwd=ROOT, env=env, timeout=120, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stderr
    return set(json.loads((out / "openapi.json").read_text())["paths"])


def recorder_traffic(rounds: int) -> list[dict[str, Any]]:
    """A mock server's admin API: recordings started, stopped and snapshotted, near misses asked for,
    and stubs by name (items of a collection: read, replaced, deleted)."""
    out = []
    for i in range(rounds):
        out += [
            record("POST", "/__admin/recordings/start", body={"targetBaseUrl": f"http://h{i}.test"}),
            record("GET", "/__admin/recordings/status", resp={"status": "Recording"}),
            record("POST", "/__admin/recordings/stop", resp={"mappings": [{"id": f"m{i}", "name": f"s{i}"}]}),
            record("POST", "/__admin/recordings/snapshot", body={"persist": False},
                   resp={"mappings": [{"id": f"m{i}", "name": f"s{i}"}]}),
            record("POST", "/__admin/near-misses/request", body={"url": f"/x/{i}", "method": "GET"},
                   resp={"nearMisses": [{"request": {"url": "/x"}, "matchResult": {"distance": 0.5}}]}),
            record("POST", "/__admin/near-misses/request-pattern", body={"urlPath": "/x", "method": "GET"},
                   resp={"nearMisses": [{"request": {"url": "/x"}, "matchResult": {"distance": 0.2}}]}),
        ]
    for name in ("checkout-ok", "login-fails", "slow-search"):
        stub = {"name": name, "priority": 5, "response": {"status": 200}}
        out += [record("PUT", f"/__admin/stubs/{name}", body=stub, resp=stub),
                record("GET", f"/__admin/stubs/{name}", resp=stub),
                record("DELETE", f"/__admin/stubs/{name}")]
    return out


def test_actions_posted_to_stay_literal_and_names_beside_them_are_values(tmp_path: Path) -> None:
    """``/recordings/start|stop|snapshot`` were ``/recordings/{recordingName}``, ``/near-misses/request``
    and ``/request-pattern`` one ``/near-misses/{nearMissName}``."""
    paths = build(tmp_path, recorder_traffic(4))
    assert paths == {"/__admin/recordings/start", "/__admin/recordings/stop", "/__admin/recordings/snapshot",
                     "/__admin/recordings/status", "/__admin/near-misses/request",
                     "/__admin/near-misses/request-pattern", "/__admin/stubs/{stubName}"}


def test_rpc_calls_beside_rpc_verbs_stay_literal(tmp_path: Path) -> None:
    """A tracking server's ``/runs/log-metric``, ``/set-tag``... beside ``/runs/create``: the verbs the
    word list knows stayed literal, and the rest became ``/runs/{runName}``."""
    records = []
    for i in range(3):
        run = {"run_id": f"{i:032x}"}
        records += [record("POST", "/api/2.0/mlflow/runs/create", body={"experiment_id": "1"},
                           resp={"run": {"info": run}}),
                    record("GET", "/api/2.0/mlflow/runs/get", query={"run_id": run["run_id"]},
                           resp={"run": {"info": run}}),
                    *(record("POST", f"/api/2.0/mlflow/runs/{call}", body={**run, **args}, resp={})
                      for call, args in (("log-metric", {"key": "loss", "value": 0.5}),
                                         ("log-parameter", {"key": "lr", "value": "1"}),
                                         ("set-tag", {"key": "team", "value": "x"}),
                                         ("delete-tag", {"key": "team"})))]
    paths = build(tmp_path, records)
    assert {p.rsplit("/", 1)[1] for p in paths} == {"create", "get", "log-metric", "log-parameter", "set-tag",
                                                   "delete-tag"}


def test_words_over_the_same_hosts_stay_literal_and_the_hosts_are_values(tmp_path: Path) -> None:
    """``/media/original/{host}/{id}`` beside ``/media/scaled/{host}/{id}`` were
    ``/media/{mediaName}/alpha/{alphaId}``: the word that varies the least became the parameter and
    every host a path of its own. With one host seen, the host stays literal, but the words stay apart."""
    records = [record("GET", f"/media/{size}/{host}/{media}", resp={"url": "u", "bytes": 3})
               for size in ("original", "scaled") for host in ("alpha", "beta.example.org", "gamma")
               for media in ("Ab3dEf9hIjKlMn0p", "Zz9yXw8vUt7sRq6p")]
    # named by their kind: an action names no parameter (it was {originalName})
    assert build(tmp_path / "hosts", records) == {"/media/original/{name}/{id}", "/media/scaled/{name}/{id}"}
    one_host = [r for r in records if r["request"]["pathname"].split("/")[3] == "alpha"]
    assert {p.rsplit("/", 2)[0] for p in build(tmp_path / "one", one_host)} == {"/media/original", "/media/scaled"}


def learn(endpoints: dict[str, set[str]]) -> dict[str, str]:
    """raw path -> template path, from each path's methods."""
    t = PathTemplater()
    keys = {p: t.observe(p) for p in endpoints}
    templates = t.templates({keys[p]: frozenset(methods) for p, methods in endpoints.items()})
    return {p: templates[k].path for p, k in keys.items()}


def test_one_name_only_posted_to_among_names_read_is_one_more_name() -> None:
    got = learn({"/queues/orders": {"GET", "DELETE"}, "/queues/emails": {"GET", "PUT"},
                 "/queues/reports": {"GET"}, "/queues/audit": {"POST"}})
    assert set(got.values()) == {"/queues/{queueName}"}


def test_words_posted_to_with_resources_below_them_are_names() -> None:
    """``POST /projects/alpha`` beside ``/projects/alpha/builds``: an item that takes a POST is still an item."""
    endpoints = {f"/projects/{name}": {"POST"} for name in ("alpha", "bravo", "charlie")}
    endpoints |= {f"/projects/{name}/builds": {"GET"} for name in ("alpha", "bravo", "charlie")}
    got = learn(endpoints)
    assert got["/projects/alpha"] == "/projects/{projectName}"


def test_many_names_posted_to_are_values() -> None:
    """Past WORDS_BESIDE_IDS other words the actions are values too: a position of many names."""
    names = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
             "kilo", "lima"]
    endpoints = {f"/inbox/{name}": {"POST"} for name in names[:6]} | {f"/inbox/{name}": {"GET"} for name in names[6:]}
    endpoints |= {f"/inbox/{name}": {"GET"} for name in ("mike", "november", "oscar", "papa")}
    got = learn(endpoints)
    assert set(got.values()) == {"/inbox/{inboxName}"}


def test_items_over_the_same_sub_resource_are_values() -> None:
    """``/pods/web`` and ``/pods/db``, each read itself, both over ``proxy/{path}``: items that share a
    sub-resource, not words over a host."""
    endpoints = {f"/pods/{pod}": {"GET"} for pod in ("web", "db")}
    endpoints |= {f"/pods/{pod}/proxy/Ab3dEf9hIjKlMn0p": {"GET"} for pod in ("web", "db")}
    endpoints["/pods"] = {"GET"}
    got = learn(endpoints)
    assert got["/pods/web"] == "/pods/{podName}"


def test_many_words_over_the_same_hosts_are_values_themselves() -> None:
    """Twelve tenants over the same regions: past WORDS_BESIDE_IDS words they are a position of names."""
    tenants = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
               "kilo", "lima"]
    endpoints = {f"/tenants/{t}/{region}/Ab3dEf9hIjKlMn0p": {"GET"} for t in tenants for region in ("east", "west")}
    got = learn(endpoints)
    assert got["/tenants/kilo/east/Ab3dEf9hIjKlMn0p"].startswith("/tenants/{tenantName}/")
