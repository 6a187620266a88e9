# JupyterHub's config for jupyterhub.sh (read by `jupyterhub -f`): the Hub's REST API on loopback, its state in
# the sample's scratch dir. A Hub needs a proxy and a spawner; the recipe records the Hub's API, not notebooks,
# so both stand in: the proxy keeps its routing table in memory (no configurable-http-proxy), and every
# server a spawner "starts" is one small HTTP server in the Hub's process (the Hub only waits for it to
# answer). Users log in with the dummy authenticator; the admin scripts use the token of a service the
# config names, with the admin role; the idle culler runs as a service of its own, as its docs set it up.
# ruff: noqa: F821  (`c` and `get_config` are the Hub's config loader's)
from __future__ import annotations

import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

from jupyterhub.proxy import Proxy
from jupyterhub.spawner import Spawner


class NotebookStandIn(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # http.server's name for it
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"notebook stand-in\n")

    def log_message(self, *args: Any) -> None:
        pass


STAND_IN = ThreadingHTTPServer(("127.0.0.1", 0), NotebookStandIn)
threading.Thread(target=STAND_IN.serve_forever, daemon=True).start()


class MemoryProxy(Proxy):
    """A routing table in memory: what the Hub asks a proxy to add, remove and list."""

    should_start = False
    routes: ClassVar[dict[str, dict[str, Any]]] = {}  # the hub makes one proxy

    async def add_route(self, routespec: str, target: str, data: dict[str, Any]) -> None:
        self.routes[routespec] = {"routespec": routespec, "target": target, "data": data}

    async def delete_route(self, routespec: str) -> None:
        self.routes.pop(routespec, None)

    async def get_all_routes(self) -> dict[str, dict[str, Any]]:
        return dict(self.routes)


class StandInSpawner(Spawner):
    """Starts nothing: every server is the stand-in, running until the Hub stops it."""

    running = False

    async def start(self) -> str:
        self.running = True
        return f"http://127.0.0.1:{STAND_IN.server_address[1]}"

    async def poll(self) -> int | None:
        return None if self.running else 0

    async def stop(self, now: bool = False) -> None:
        self.running = False


root = os.environ["HUB_ROOT"]
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ["HUB_PORT"])
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = int(os.environ["HUB_PUBLIC_PORT"])
c.JupyterHub.proxy_class = MemoryProxy
c.JupyterHub.spawner_class = StandInSpawner
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True
c.JupyterHub.allow_named_servers = True
c.JupyterHub.named_server_limit_per_user = 0
c.JupyterHub.db_url = f"sqlite:///{root}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = f"{root}/jupyterhub_cookie_secret"
c.JupyterHub.pid_file = f"{root}/jupyterhub.pid"
c.JupyterHub.cleanup_servers = True
c.JupyterHub.last_activity_interval = 3600
# a hub's services, each with its token: the admin scripts, the idle culler (the scopes its docs ask for), and
# external ones that only hold a token (a grader, an announcement page, a metrics exporter)
token = os.environ["HUB_ADMIN_TOKEN"]
c.JupyterHub.services = [
    {"name": "admin-scripts", "api_token": token},
    {"name": "idle-culler", "api_token": token + "-culler"},
    {"name": "nbgrader-formgrader", "api_token": token + "-grader", "display": False},
    {"name": "announcement", "api_token": token + "-announce"},
    {"name": "prometheus-exporter", "api_token": token + "-metrics"},
]
c.JupyterHub.load_roles = [
    {"name": "admin", "users": ["hub-admin"], "services": ["admin-scripts"]},
    {"name": "idle-culler", "services": ["idle-culler"],
     "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers", "admin:users"]},
    {"name": "grader", "services": ["nbgrader-formgrader"], "scopes": ["list:users", "read:users", "read:groups"]},
    {"name": "metrics", "services": ["prometheus-exporter"], "scopes": ["read:metrics"]},
    # users share their own servers (JupyterHub 5's sharing is opt-in)
    {"name": "user", "scopes": ["self", "shares!user"]},
]
c.JupyterHub.load_groups = {"hub-admins": {"users": ["hub-admin"], "properties": {"owner": "it-ops"}}}
