"""Drive a WireMock server's admin API with its own client, python-wiremock (the `wiremock` package).

    python wiremock_drive.py ADMIN_URL SERVER_URL --seed N [--rounds R]

Run by wiremock.sh with the client's own environment. ADMIN_URL is the recording proxy's
`/__admin`: only the admin API is recorded (it is what the published description covers).
SERVER_URL is WireMock itself, where the code under test calls the stubs (not recorded): those calls
fill the request journal that the admin calls then read. A seeded workload of a few teams stubbing
their services: stubs under names people choose (tenants, services, scenarios, files), with
free-form metadata, updated, found and removed by metadata, the journal read, searched and pruned,
near misses, scenarios, body files, global settings, recordings from a little upstream in this
process and snapshots, imports, saves and resets, and the errors people hit (404 on a removed stub,
422 on a broken one). The client has no call for a few endpoints (recordings, files, scenarios
listed, version, health...): those go through the client's own REST client, as its users do.
"""

from __future__ import annotations

import contextlib
import json
import random
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests
import workload  # beside this file
from wiremock.base.base_resource import BaseResource
from wiremock.constants import Config, make_headers
from wiremock.exceptions import ApiException
from wiremock.resources.mappings import Mapping, MappingRequest, MappingResponse
from wiremock.resources.mappings.resource import Mappings
from wiremock.resources.near_misses import NearMissMatchPatternRequest, NearMissMatchRequest
from wiremock.resources.near_misses.resource import NearMisses
from wiremock.resources.requests.resource import Requests
from wiremock.resources.scenarios.resource import Scenarios
from wiremock.resources.settings import GlobalSetting
from wiremock.resources.settings.resource import GlobalSettings

TEAMS = ("payments", "search", "checkout", "identity", "billing", "shipping", "catalog", "growth")
TENANTS = ("acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka")
RESOURCES = ("orders", "users", "invoices", "carts", "products", "sessions", "refunds", "quotes")
OWNERS = ("alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi")
METHODS = ("GET", "GET", "GET", "POST", "PUT", "DELETE")
REST = BaseResource.REST_CLIENT  # the client's own REST client, for the endpoints it has no call for


def rest(method: str, uri: str, body: Any = None, **params: Any) -> Any:
    """One admin call through the client's REST client; its own error for a non-2xx answer."""
    kwargs: dict[str, Any] = {"headers": make_headers(), "params": params}
    if body is not None:
        kwargs["json"] = body
    resp = REST.handle_response(getattr(REST, method)(uri, **kwargs))
    return resp.json() if resp.content and resp.headers.get("content-type", "").startswith("application/json") else None


class Upstream(BaseHTTPRequestHandler):
    """The legacy service a team records stubs from: JSON echoing what was asked."""

    def reply(self) -> None:
        size = int(self.headers.get("content-length") or 0)
        self.rfile.read(size)
        body = json.dumps({"path": self.path, "method": self.command, "ok": True}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = reply

    def log_message(self, format: str, *args: Any) -> None:
        pass


class Drive:
    def __init__(self, server: str, upstream: str, rng: random.Random) -> None:
        self.server, self.upstream, self.rng = server.rstrip("/"), upstream, rng
        self.http = requests.Session()  # the code under test, calling its stubs directly
        # id -> what the stub matches and who owns it, in the order made: ids are random, the choices seeded
        self.stubs: dict[str, dict[str, Any]] = {}
        self.fixtures: list[str] = []

    def stub_url(self, team: str) -> tuple[str, str]:
        tenant, res = self.rng.choice(TENANTS), self.rng.choice(RESOURCES)
        return f"/{team}/{tenant}/{res}", res

    def metadata(self, team: str) -> dict[str, Any]:
        meta: dict[str, Any] = {"team": team, "owner": self.rng.choice(OWNERS)}
        if self.rng.random() < 0.5:  # keys each team picks for itself
            key = self.rng.choice(["ticket", "suite", "env", "story"])
            meta[key] = f"{team[:3].upper()}-{self.rng.randint(1, 999)}"
        if self.rng.random() < 0.3:
            meta["tags"] = self.rng.sample(["smoke", "regression", "contract", "flaky"], self.rng.randint(1, 2))
        return meta

    def mapping(self, team: str, sid: str | None = None) -> Mapping:
        base, res = self.stub_url(team)
        method = self.rng.choice(METHODS)
        req: dict[str, Any] = {"method": method}
        k = self.rng.randrange(3)
        if k == 0:
            req["url"] = f"{base}/{self.rng.randint(1, 500)}"
        elif k == 1:
            req["url_path_pattern"] = f"{base}/[0-9]+"
        else:
            req["url_path"] = base
            req["query_parameters"] = {"status": {"equalTo": self.rng.choice(["open", "paid", "shipped"])}}
        if method in ("POST", "PUT") and self.rng.random() < 0.5:
            req["body_patterns"] = [{"matchesJsonPath": f"$.{self.rng.choice(['amount', 'sku', 'email'])}"}]
        status = self.rng.choice([200, 200, 200, 201, 204, 400, 404, 500])
        body = {"id": self.rng.randint(1, 99999), res[:-1]: {"state": self.rng.choice(["new", "done"])}}
        resp = MappingResponse(status=status, headers={"Content-Type": "application/json"})
        if status != 204:
            resp.json_body = body
        m = Mapping(id=sid, request=MappingRequest(**req), response=resp, metadata=self.metadata(team))
        m.priority = self.rng.randint(1, 10) if self.rng.random() < 0.3 else None
        m.persistent = self.rng.random() < 0.3 or None
        if self.rng.random() < 0.15:
            m.scenario_name = f"{team}-{self.rng.choice(['signup', 'checkout', 'retry', 'outage'])}-flow"
            m.required_scenario_state = "Started"
            m.new_scenario_state = self.rng.choice(["Step 2", "Failed", "Done"])
        return m

    def remember(self, m: Mapping) -> None:
        req = m.request
        url = req.url or req.url_path or (req.url_path_pattern or "").replace("[0-9]+", str(self.rng.randint(1, 99)))
        self.stubs[m.id] = {"method": req.method, "url": url, "team": m.metadata["team"]}

    def create(self) -> None:
        m = Mappings.create_mapping(self.mapping(self.rng.choice(TEAMS)))
        self.remember(m)

    def hit(self) -> None:
        """The code under test calls stubs (and paths nobody stubbed), filling the journal."""
        for _ in range(self.rng.randint(2, 8)):
            if self.stubs and self.rng.random() < 0.8:
                s = self.stubs[self.rng.choice(list(self.stubs))]
                method, url = s["method"], s["url"]
            else:
                method, url = "GET", self.stub_url(self.rng.choice(TEAMS))[0] + "/missing"
            q = {"status": self.rng.choice(["open", "paid", "shipped"])} if self.rng.random() < 0.4 else None
            payload = {"amount": self.rng.randint(1, 900), "sku": f"SKU-{self.rng.randint(1, 99)}"}
            self.http.request(method, self.server + url, params=q, json=payload if method in ("POST", "PUT") else None)

    def inspect(self) -> None:
        k = self.rng.randrange(5)
        if k == 0:
            offset = self.rng.randint(0, max(0, len(self.stubs) - 1))  # past the end WireMock answers 500
            params = self.rng.choice([{}, {"limit": 10}, {"limit": 5, "offset": offset}])
            Mappings.retrieve_all_mappings(parameters=params)
        elif k == 1 and self.stubs:
            Mappings.retrieve_mapping(self.rng.choice(list(self.stubs)))
        elif k == 2:
            rest("post", "/mappings/find-by-metadata", self.by_metadata())
        elif k == 3:
            rest("get", "/mappings/unmatched")
        else:
            rest("get", "/scenarios")

    def by_metadata(self) -> dict[str, Any]:
        team = self.rng.choice(TEAMS)
        if self.rng.random() < 0.5:
            return {"matchesJsonPath": {"expression": "$.team", "equalTo": team}}
        return {"matchesJsonPath": f"$.[?(@.owner == '{self.rng.choice(OWNERS)}')]"}

    def update(self) -> None:
        if not self.stubs:
            return self.create()
        sid = self.rng.choice(list(self.stubs))
        self.remember(Mappings.update_mapping(self.mapping(self.stubs[sid]["team"], sid)))

    def remove(self) -> None:
        k = self.rng.randrange(6)
        if k < 4 and self.stubs:
            sid = self.rng.choice(list(self.stubs))
            Mappings.delete_mapping(sid)
            del self.stubs[sid]
        elif k == 4:
            team = self.rng.choice(TEAMS)
            Mappings.delete_mapping_by_metadata({"matchesJsonPath": {"expression": "$.team", "equalTo": team}})
            self.stubs = {i: s for i, s in self.stubs.items() if s["team"] != team}
        else:
            rest("delete", "/mappings/unmatched")
            self.resync()

    def resync(self) -> None:
        """Which stubs are left after a bulk removal: the admin API's own listing says."""
        live = {m.id for m in Mappings.retrieve_all_mappings(parameters={}).mappings}
        self.stubs = {i: s for i, s in self.stubs.items() if i in live}

    def pattern(self) -> dict[str, Any]:
        if self.stubs and self.rng.random() < 0.7:
            s = self.stubs[self.rng.choice(list(self.stubs))]
            return {"method": s["method"], "url": s["url"]}
        return {"method": "ANY", "urlPathPattern": f"/{self.rng.choice(TEAMS)}/.*"}

    def journal(self) -> None:
        k = self.rng.randrange(8)
        if k == 0:
            since = f"2026-0{self.rng.randint(1, 9)}-1{self.rng.randint(0, 9)}T10:00:00Z"
            got = Requests.get_all_received_requests(parameters=self.rng.choice([{}, {"since": since}]))
        else:
            got = Requests.get_all_received_requests(limit=self.rng.choice([5, 10, 20]), parameters={})
        if k < 2:
            return
        if k < 4 and got.requests:
            rid = self.rng.choice(got.requests).id
            if k == 2:
                Requests.get_request(rid, parameters={})
            else:
                rest("delete", f"/requests/{rid}")
        elif k == 4:
            Requests.get_matching_request_count(NearMissMatchPatternRequest.from_dict(self.pattern()), parameters={})
        elif k == 5:
            Requests.get_matching_requests(NearMissMatchPatternRequest.from_dict(self.pattern()), parameters={})
        elif k == 6:
            Requests.get_unmatched_requests(parameters={})
        else:
            rest("post", "/requests/remove", self.pattern())

    def misses(self) -> None:
        k = self.rng.randrange(3)
        if k == 0:
            Requests.get_unmatched_requests_near_misses(parameters={})
        elif k == 1:
            url = self.stub_url(self.rng.choice(TEAMS))[0] + f"/{self.rng.randint(1, 999)}"
            req = {"url": url, "absoluteUrl": self.server + url, "method": self.rng.choice(METHODS)}
            NearMisses.find_nearest_misses_by_request(NearMissMatchRequest.from_dict(req), parameters={})
        else:
            NearMisses.find_nearest_misses_by_request_pattern(
                NearMissMatchPatternRequest.from_dict(self.pattern()), parameters={}
            )

    def files(self) -> None:
        k = self.rng.randrange(4)
        if k == 0 or not self.fixtures:
            name = f"{self.rng.choice(TEAMS)}-{self.rng.choice(RESOURCES)}-{self.rng.randint(1, 50)}.json"
            body = json.dumps({"fixture": name, "rows": self.rng.randint(0, 30)})
            headers = {"Content-Type": "application/octet-stream"}
            REST.handle_response(REST.put(f"/files/{name}", data=body, headers=headers))
            self.fixtures.append(name)
        elif k == 1:
            rest("get", "/files")
        elif k == 2:
            REST.handle_response(REST.get(f"/files/{self.rng.choice(self.fixtures)}"))
        else:
            REST.handle_response(REST.delete(f"/files/{self.fixtures.pop(self.rng.randrange(len(self.fixtures)))}"))

    def record(self) -> None:
        """Record a legacy service's answers into stubs, or snapshot the journal into stubs."""
        team = self.rng.choice(TEAMS)
        if self.rng.random() < 0.5:
            spec = {"filters": {"urlPathPattern": f"/{team}/.*"}, "persist": False, "repeatsAsScenarios": False}
            if self.rng.random() < 0.5:
                spec["captureHeaders"] = {"Accept": {}}
            rest("post", "/recordings/snapshot", spec)
            return
        rest("post", "/recordings/start", {"targetBaseUrl": self.upstream, "persist": False})
        rest("get", "/recordings/status")
        for _ in range(self.rng.randint(1, 4)):
            self.http.get(f"{self.server}/legacy/{team}/{self.rng.choice(RESOURCES)}/{self.rng.randint(1, 99)}")
        rest("post", "/recordings/stop")
        rest("get", "/recordings/status")

    def admin(self) -> None:
        k = self.rng.randrange(11)
        if k < 3:
            rest("get", self.rng.choice(["/version", "/health"]))
        elif k == 3:
            # The client reads a JSON answer; WireMock 3 answers nothing (the settings are set all the same).
            with contextlib.suppress(ValueError):
                GlobalSettings.update_global_settings(GlobalSetting(fixed_delay=self.rng.choice([0, 1, 2])))
        elif k == 4:
            Scenarios.reset_all_scenarios()
        elif k == 5:
            Mappings.persist_mappings()
        elif k == 6:
            mappings = [self.mapping(self.rng.choice(TEAMS)).get_json_data() for _ in range(self.rng.randint(1, 3))]
            options = {"duplicatePolicy": "IGNORE", "deleteAllNotInImport": False}
            rest("post", "/mappings/import", {"mappings": mappings, "importOptions": options})
            self.resync_all()
        elif k == 7:
            Requests.reset_request_journal()
        elif k == 8:
            rest("post", "/requests/remove-by-metadata", self.by_metadata())
        elif k == 9:
            rest("delete", "/requests")
        else:  # a test suite's teardown: everything back to nothing, or to what was saved
            self.rng.choice([lambda: rest("post", "/reset"), Mappings.reset_mappings, Mappings.delete_all_mappings])()
            self.resync_all()

    def resync_all(self) -> None:
        """Learn the stubs anew from the listing (after an import or a reset)."""
        self.stubs = {}
        for m in Mappings.retrieve_all_mappings(parameters={}).mappings:
            if m.request and m.metadata and "team" in m.metadata:
                self.remember(m)

    def errors(self) -> None:
        k = self.rng.randrange(3)
        try:
            if k == 0:
                Mappings.retrieve_mapping(str(uuid.UUID(int=self.rng.getrandbits(128))))
            elif k == 1:
                rest("get", f"/requests/{uuid.UUID(int=self.rng.getrandbits(128))}")
            else:  # a stub whose request says nothing it could match
                rest("post", "/mappings", {"request": {"method": "GET", "url": 42}, "response": {"status": "ok"}})
        except ApiException:
            pass


def upstream() -> str:
    """A legacy service on a free loopback port, served by a thread of this process."""
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{srv.server_address[1]}"


def main() -> int:
    a = workload.parse(__doc__, ["admin", "server"], rounds=1100)
    Config.base_url = a.admin.rstrip("/")
    rng = random.Random(a.seed)
    d = Drive(a.server, upstream(), rng)
    for _ in range(12):
        d.create()
    steps = [
        (d.create, 10),
        (d.hit, 10),
        (d.inspect, 10),
        (d.update, 6),
        (d.remove, 4),
        (d.journal, 12),
        (d.misses, 4),
        (d.files, 4),
        (d.record, 2),
        (d.admin, 5),
        (d.errors, 3),
    ]
    workload.run(rng, steps, a.rounds, a.max_seconds, tolerated=(ApiException,))
    return 0


if __name__ == "__main__":
    sys.exit(main())
