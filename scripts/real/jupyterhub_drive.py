"""Drive a JupyterHub's REST API through its own clients and as its admin panel and users' scripts call it.

    python jupyterhub_drive.py HUB_URL ADMIN_TOKEN --seed N [--rounds R] [--max-seconds S]

Run by jupyterhub.sh. A university's hub: an admin script (the admin-scripts service's token) adds users under
the names people log in with (`anne.mueller`, `k.tanaka@uni-lab.example.org`), alone and in bulk, renames,
promotes and deletes them; makes groups (`course-cs101-fall2026`, `research.genomics`) with members and
properties whose keys each group's owner picks; starts and stops users' default and named servers
(`gpu-lab`, `thesis-2026`) with user options; mints, lists and revokes users' tokens; shares servers with
users and groups and hands out share codes; lists users and groups as the admin panel does (JupyterHub's
pagination media type, offset, limit, name filter, sort, state); reads the hub's info, services and proxy
routes and the hub's services. Users' own scripts call it with their tokens (who am I, their servers, activity
reports with past times, as a single-user server reports them), a grader service lists the courses' groups and
users with its own, and two of JupyterHub's own clients run: `HubAuth` (a service asking who a token belongs
to) and `jupyterhub-idle-culler` (its `cull_idle`, with the culler service's token: lists ready servers,
stops idle ones, removes named servers and users it finds idle). Errors: users, groups, servers and
tokens that are not there (404), a user made twice (409), a server started twice (400), bad bodies (400).
"""

from __future__ import annotations

import asyncio
import logging
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from jupyterhub.services.auth import HubAuth
from jupyterhub_idle_culler import cull_idle

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workload import parse, run

FIRST = ("anne", "dmitri", "priya", "kenji", "lucia", "olu", "sven", "mei", "fatima", "jonas", "ines", "tomasz",
         "aiko", "rafael", "zeynep", "liam")
LAST = ("mueller", "ivanov", "sharma", "tanaka", "garcia", "adeyemi", "larsen", "chen", "haddad", "berg")
DOMAINS = ("uni-lab.example.org", "physics.example.edu", "students.example.ac.uk")
GROUPS = ("course-cs101-fall2026", "course-stat202-spring2027", "research.genomics", "research.climate-models",
          "ml-platform", "data-science", "teaching-assistants", "hpc_power_users", "Visiting Scholars")
SERVERS = ("gpu-lab", "thesis-2026", "analysis", "scratch", "r-studio", "julia-1-11", "big-mem", "course-work",
           "dask-cluster", "viz")
PROP_KEYS = ("course_code", "owner", "slack-channel", "quota.cpu", "quota.memory_gb", "image", "term",
             "k8s.io/node-pool", "cost center", "mailing_list", "gpu_type", "expires")
SCOPES = ("read:users:name", "read:servers", "access:servers", "servers", "read:users:activity", "self",
          "users:activity", "read:groups")
SERVICES = ("admin-scripts", "idle-culler", "nbgrader-formgrader", "announcement", "prometheus-exporter")
PAGINATED = {"Accept": "application/jupyterhub-pagination+json"}


class Drive:
    def __init__(self, url: str, token: str, rng: random.Random) -> None:
        self.api = url.rstrip("/") + "/hub/api"
        self.token, self.rng = token, rng
        self.s = requests.Session()
        self.s.headers["Authorization"] = f"token {token}"
        self.users: list[str] = []
        self.groups: list[str] = []
        self.tokens: dict[str, str] = {}  # user -> a token of theirs
        self.token_ids: dict[str, list[str]] = {}
        self.servers: dict[str, set[str]] = {}  # user -> running server names ("" the default)
        self.n = 0
        self.auth = HubAuth(api_url=self.api, api_token=token, cache_max_age=0)
        self.log = logging.getLogger("culler")
        self.log.setLevel(logging.WARNING)

    def req(self, method: str, path: str, token: str | None = None, **kw: Any) -> requests.Response | None:
        headers = kw.pop("headers", {})
        if token:
            headers["Authorization"] = f"token {token}"
        try:
            return self.s.request(method, self.api + path, headers=headers, timeout=60, **kw)
        except requests.RequestException as e:
            print(f"{type(e).__name__}: {str(e)[:160]}", file=sys.stderr)
            return None

    def new_name(self) -> str:
        self.n += 1
        first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
        style = self.rng.randrange(5)
        if style == 0:
            return f"{first[0]}.{last}{self.n}@{self.rng.choice(DOMAINS)}"
        if style == 1:
            return f"{first}{self.n}"
        if style == 2:
            return f"{first}_{last}{self.n}"
        return f"{first}.{last}{self.n}"

    def pick_user(self) -> str | None:
        return self.rng.choice(self.users) if self.users else None

    # users -------------------------------------------------------------------------------------------
    def add_user(self) -> None:
        name = self.new_name()
        r = self.req("POST", f"/users/{name}", json={"admin": self.rng.random() < 0.1} if self.rng.random() < 0.5
                     else None)
        if r is not None and r.status_code == 201:
            self.users.append(name)

    def add_users(self) -> None:
        names = [self.new_name() for _ in range(self.rng.randint(2, 6))]
        r = self.req("POST", "/users", json={"usernames": names, "admin": False})
        if r is not None and r.status_code == 201:
            self.users += [u["name"] for u in r.json()]

    def get_user(self) -> None:
        if u := self.pick_user():
            params = {"include_stopped_servers": ""} if self.rng.random() < 0.3 else None
            self.req("GET", f"/users/{u}", params=params)

    def patch_user(self) -> None:
        u = self.pick_user()
        if not u:
            return
        if self.rng.random() < 0.3:
            new = self.new_name()
            r = self.req("PATCH", f"/users/{u}", json={"name": new})
            if r is not None and r.ok:
                self.users[self.users.index(u)] = new
                for d in (self.tokens, self.token_ids, self.servers):
                    if u in d:
                        d[new] = d.pop(u)  # type: ignore[attr-defined]
        else:
            self.req("PATCH", f"/users/{u}", json={"admin": self.rng.random() < 0.2})

    def delete_user(self) -> None:
        if len(self.users) > 8 and (u := self.pick_user()):
            r = self.req("DELETE", f"/users/{u}")
            if r is not None and r.status_code in (204, 404):
                self.users.remove(u)
                for d in (self.tokens, self.token_ids, self.servers):
                    d.pop(u, None)  # type: ignore[attr-defined]

    def list_users(self) -> None:
        """The admin panel's page of users."""
        params: dict[str, Any] = {"offset": self.rng.choice((0, 0, 10, 20, 50)),
                                  "limit": self.rng.choice((10, 50, 100))}
        if self.rng.random() < 0.4:
            params["name_filter"] = self.rng.choice(FIRST)[:3]
        if self.rng.random() < 0.5:
            params["sort"] = self.rng.choice(("id", "-id", "name", "-name", "last_activity", "-last_activity"))
        if self.rng.random() < 0.4:
            params["state"] = self.rng.choice(("active", "inactive", "ready"))
        if self.rng.random() < 0.3:
            params["include_stopped_servers"] = ""
        self.req("GET", "/users", params=params, headers=dict(PAGINATED) if self.rng.random() < 0.8 else {})

    # groups ------------------------------------------------------------------------------------------
    def add_group(self) -> None:
        name = self.rng.choice(GROUPS)
        if name in self.groups:
            name = f"{name}-{self.rng.randint(2, 99)}"
        members = self.rng.sample(self.users, min(len(self.users), self.rng.randint(0, 4)))
        body = {"users": members} if members or self.rng.random() < 0.5 else None
        r = self.req("POST", f"/groups/{name}", json=body)
        if r is not None and r.status_code == 201:
            self.groups.append(name)

    def group_members(self) -> None:
        if not self.groups or not self.users:
            return
        g = self.rng.choice(self.groups)
        members = self.rng.sample(self.users, min(len(self.users), self.rng.randint(1, 3)))
        self.req(self.rng.choice(("POST", "POST", "DELETE")), f"/groups/{g}/users", json={"users": members})

    def group_properties(self) -> None:
        if not self.groups:
            return
        g = self.rng.choice(self.groups)
        props: dict[str, Any] = {}
        for k in self.rng.sample(PROP_KEYS, self.rng.randint(1, 5)):
            props[k] = self.rng.choice((self.rng.randint(1, 64), f"{g}-{self.rng.randint(1, 9)}", True,
                                        ["mon", "wed"][: self.rng.randint(1, 2)]))
        self.req("PUT", f"/groups/{g}/properties", json=props)

    def get_group(self) -> None:
        if self.groups:
            self.req("GET", f"/groups/{self.rng.choice(self.groups)}")

    def list_groups(self) -> None:
        params = {"offset": self.rng.choice((0, 0, 5)), "limit": self.rng.choice((10, 50))}
        self.req("GET", "/groups", params=params, headers=dict(PAGINATED) if self.rng.random() < 0.7 else {})

    def grader(self) -> None:
        """The grader service reads a course's group and its students with its own token."""
        if self.groups:
            token = self.token + "-grader"
            self.req("GET", f"/groups/{self.rng.choice(self.groups)}", token=token)
            self.req("GET", "/users", token=token, params={"limit": 50}, headers=dict(PAGINATED))

    def delete_group(self) -> None:
        if len(self.groups) > 4:
            g = self.rng.choice(self.groups)
            self.req("DELETE", f"/groups/{g}")
            self.groups.remove(g)

    # servers -----------------------------------------------------------------------------------------
    def options(self) -> dict[str, Any] | None:
        if self.rng.random() < 0.3:
            return None
        return {"profile": self.rng.choice(("small", "medium", "gpu-a100", "r-4.4")),
                "image": f"jupyter/{self.rng.choice(('scipy', 'datascience', 'pytorch'))}-notebook"
                         f":2026-{self.rng.randint(1, 12):02d}",
                "cpu_limit": self.rng.choice((1, 2, 4)), "mem_gb": self.rng.choice((2, 4, 8.5))}

    def start_server(self) -> None:
        u = self.pick_user()
        if not u:
            return
        running = self.servers.setdefault(u, set())
        name = "" if self.rng.random() < 0.35 else self.rng.choice(SERVERS)
        path = f"/users/{u}/server" if not name else f"/users/{u}/servers/{name}"
        tok = self.tokens.get(u) if self.rng.random() < 0.5 else None
        r = self.req("POST", path, token=tok, json=self.options())
        if r is not None and r.status_code in (201, 202):
            running.add(name)

    def stop_server(self) -> None:
        owners = [u for u, names in self.servers.items() if names]
        if not owners:
            return
        u = self.rng.choice(owners)
        name = self.rng.choice(sorted(self.servers[u]))
        if not name:
            self.req("DELETE", f"/users/{u}/server")
        else:
            body = {"remove": True} if self.rng.random() < 0.4 else None
            self.req("DELETE", f"/users/{u}/servers/{name}", json=body)
        self.servers[u].discard(name)

    def progress(self) -> None:
        owners = [u for u, names in self.servers.items() if names]
        if owners:
            u = self.rng.choice(owners)
            name = self.rng.choice(sorted(self.servers[u]))
            path = f"/users/{u}/server/progress" if not name else f"/users/{u}/servers/{name}/progress"
            self.req("GET", path, headers={"Accept": "text/event-stream"})

    # tokens and the users' own calls -----------------------------------------------------------------
    def mint_token(self) -> None:
        u = self.pick_user()
        if not u:
            return
        body: dict[str, Any] = {"note": self.rng.choice(("laptop", "ci pipeline", "vscode remote", "nbgrader sync",
                                                         f"script {self.rng.randint(1, 99)}"))}
        if self.rng.random() < 0.5:
            body["expires_in"] = self.rng.choice((3600, 86400, 604800))
        if self.rng.random() < 0.5:
            body["scopes"] = self.rng.sample(SCOPES, self.rng.randint(1, 3))
        r = self.req("POST", f"/users/{u}/tokens", json=body)
        if r is not None and r.status_code == 201:
            doc = r.json()
            self.token_ids.setdefault(u, []).append(doc["id"])
            if "scopes" not in body:
                self.tokens[u] = doc["token"]

    def tokens_read(self) -> None:
        have = [u for u in self.token_ids if self.token_ids[u]]
        if not have:
            return
        u = self.rng.choice(have)
        which = self.rng.randrange(4)
        if which == 0:
            self.req("GET", f"/users/{u}/tokens")
        elif which == 1:
            self.req("GET", f"/users/{u}/tokens/{self.rng.choice(self.token_ids[u])}")
        elif which == 2 and len(self.token_ids[u]) > 1:
            tid = self.token_ids[u].pop(0)
            self.req("DELETE", f"/users/{u}/tokens/{tid}")
        else:
            self.req("GET", f"/users/{u}/tokens", token=self.tokens.get(u))

    def whoami(self) -> None:
        if not self.tokens:
            return
        u = self.rng.choice(sorted(self.tokens))
        if self.rng.random() < 0.5:
            self.req("GET", "/user", token=self.tokens[u])
        else:  # a service asking who a token belongs to, through JupyterHub's HubAuth
            try:
                self.auth.user_for_token(self.tokens[u], use_cache=False)
            except Exception as e:  # a token another step revoked: recorded all the same
                print(f"{type(e).__name__}: {str(e)[:120]}", file=sys.stderr)

    def activity(self) -> None:
        owners = [u for u, names in self.servers.items() if names]
        if not owners:
            return
        u = self.rng.choice(owners)
        ago = timedelta(minutes=self.rng.choice((1, 5, 30, 120, 600)))
        when = (datetime.now(UTC) - ago).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        servers = {n: {"last_activity": when} for n in sorted(self.servers[u])}
        self.req("POST", f"/users/{u}/activity", token=self.tokens.get(u), json={"last_activity": when,
                                                                                "servers": servers})

    # sharing -----------------------------------------------------------------------------------------
    def share(self) -> None:
        owners = [u for u, names in self.servers.items() if names - {""}]
        if not owners or len(self.users) < 2:
            return
        u = self.rng.choice(owners)
        name = self.rng.choice(sorted(self.servers[u] - {""}))
        which = self.rng.randrange(6)
        if which in (0, 1):
            body = ({"user": self.rng.choice(self.users)} if which == 0 or not self.groups
                    else {"group": self.rng.choice(self.groups)})
            self.req("POST", f"/shares/{u}/{name}", json=body)
        elif which == 2:
            self.req("GET", f"/shares/{u}", params={"limit": 20} if self.rng.random() < 0.5 else None)
        elif which == 3:
            self.req("PATCH", f"/shares/{u}/{name}", json={"user": self.rng.choice(self.users)})
        elif which == 4:
            self.req("POST", f"/share-codes/{u}/{name}", json={"expires_in": self.rng.choice((3600, 86400))})
        else:
            self.req("GET", f"/share-codes/{u}/{name}" if self.rng.random() < 0.5 else f"/share-codes/{u}")

    def shared_with(self) -> None:
        if u := self.pick_user():
            self.req("GET", f"/users/{u}/shared")

    # the hub, the culler, errors ---------------------------------------------------------------------
    def hub(self) -> None:
        which = self.rng.randrange(5)
        path = ("/", "/info", "/services", f"/services/{self.rng.choice(SERVICES)}", "/proxy")[which]
        self.req("GET", path, params={"offset": 0, "limit": 20} if which == 4 and self.rng.random() < 0.5 else None)

    def cull(self) -> None:
        try:
            asyncio.run(cull_idle(self.api, self.token + "-culler", self.rng.choice((600, 1800, 3600)), self.log,
                                  cull_users=self.rng.random() < 0.2, remove_named_servers=self.rng.random() < 0.5,
                                  api_page_size=self.rng.choice((0, 10, 50)), cull_admin_users=False))
        except Exception as e:  # a server another step stopped
            print(f"cull: {type(e).__name__}: {str(e)[:120]}", file=sys.stderr)
        # who and what it left: the admin panel's full list
        r = self.req("GET", "/users", params={"limit": 200, "state": "ready"}, headers=dict(PAGINATED))
        if r is not None and r.ok:
            ready = {u["name"]: set(u.get("servers", {})) for u in r.json()["items"]}
            self.servers = {u: ready.get(u, set()) for u in self.servers}
        r = self.req("GET", "/users", params={"limit": 200}, headers=dict(PAGINATED))
        if r is not None and r.ok:
            left = {u["name"] for u in r.json()["items"]}
            self.users = [u for u in self.users if u in left]

    def errors(self) -> None:
        which = self.rng.randrange(7)
        ghost = f"{self.rng.choice(FIRST)}.{self.rng.choice(LAST)}-gone{self.rng.randint(1, 99)}"
        if which == 0:
            self.req("GET", f"/users/{ghost}")
        elif which == 1 and self.users:
            self.req("POST", f"/users/{self.rng.choice(self.users)}")
        elif which == 2:
            self.req("GET", f"/groups/{self.rng.choice(GROUPS)}-gone")
        elif which == 3 and self.users:
            self.req("GET", f"/users/{self.rng.choice(self.users)}/tokens/a{self.rng.randint(9000, 9999)}")
        elif which == 4:
            self.req("POST", f"/users/{ghost}/servers/{self.rng.choice(SERVERS)}")
        elif which == 5 and self.users:
            self.req("PATCH", f"/users/{self.rng.choice(self.users)}", data="{not json")
        else:
            self.req("DELETE", f"/users/{ghost}/server")


def main() -> None:
    args = parse(__doc__, ["url", "token"], 2000)
    d = Drive(args.url, args.token, random.Random(args.seed))
    for _ in range(12):
        d.add_user()
    d.add_users()
    for _ in range(4):
        d.add_group()
    steps: list[tuple[Callable[[], object], float]] = [
        (d.add_user, 4), (d.add_users, 1), (d.get_user, 8), (d.patch_user, 2), (d.delete_user, 1.5),
        (d.list_users, 5), (d.add_group, 1.5), (d.group_members, 3), (d.group_properties, 2), (d.get_group, 3),
        (d.list_groups, 2), (d.grader, 1), (d.delete_group, 0.7), (d.start_server, 7), (d.stop_server, 4),
        (d.progress, 0.8),
        (d.mint_token, 3), (d.tokens_read, 4), (d.whoami, 4), (d.activity, 4), (d.share, 4), (d.shared_with, 1.5),
        (d.hub, 2), (d.cull, 0.3), (d.errors, 3),
    ]
    run(d.rng, steps, args.rounds, args.max_seconds)
    time.sleep(0.5)


if __name__ == "__main__":
    main()
