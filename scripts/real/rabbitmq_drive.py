"""Drive a RabbitMQ broker's management HTTP API through RabbitMQ's own CLI for it, rabbitmqadmin.

    python rabbitmq_drive.py SERVER_URL --seed N [--rounds R] [--max-seconds S]

Run by rabbitmq.sh (rabbitmqadmin is the script the management plugin ships, a process per command; the
web UI's reads and the calls rabbitmqadmin has no subcommand for go through urllib, as the management UI
sends them). A platform team's broker: virtual hosts under names people pick (`prod`, `team-payments`,
`iot/sensors`: a slash, `%2F` in a path, as the default vhost `/` is), users of services and people with
their tags and permissions, exchanges of each type, queues (classic and quorum, with TTLs, dead-letter
exchanges, length limits) and bindings under routing keys, policies and vhost limits set and cleared,
messages published and fetched, queues purged, definitions exported and imported, the web UI's overview,
node, queue and binding pages read; errors (a queue, vhost or user that is not there: 404, a queue
declared again with other arguments or an exchange of no type: 400, a user without rights: 401).
"""

from __future__ import annotations

import base64
import json
import random
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.parse import quote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workload import parse, run

VHOSTS = ("prod", "staging", "team-payments", "iot/sensors", "ci.builds", "customer_acme", "analytics-eu")
USERS = ("svc-orders", "grafana-reader", "anne.mueller", "ci_bot", "iot-gateway-17", "billing.worker",
         "dmitri-ops", "shovel_eu")
TAGS = ("", "management", "monitoring", "policymaker", "administrator", "management,policymaker")
EXCHANGES = (("orders", "topic"), ("events.topic", "topic"), ("billing-dlx", "fanout"), ("notifications", "direct"),
             ("telemetry.fanout", "fanout"), ("audit_log", "headers"), ("payments.v2", "topic"))
QUEUES = ("orders.created", "orders.shipped", "email-notifications", "invoice_pdf_jobs", "celery", "iot.telemetry.raw",
          "dead-letters", "retry.5s", "sms.outbound", "search-indexer", "payments.refunds", "report_builder")
KEYS = ("order.*.created", "order.eu.#", "#", "eu.*", "payment.refund", "sms", "email", "telemetry.#", "")
POLICIES = (("ttl-retry", "^retry\\.", {"message-ttl": 5000}), ("max-len", ".*", {"max-length": 10000}),
            ("dlx", "^orders\\.", {"dead-letter-exchange": "billing-dlx"}),
            ("overflow", "^sms", {"overflow": "reject-publish", "max-length-bytes": 1048576}),
            ("expire-idle", "^tmp", {"expires": 1800000}))
PAYLOADS = ('{"order_id": "ORD-%d", "total": 42.5, "currency": "EUR"}', "invoice %d ready", '{"sensor": "t-%d"}',
            "<event id='%d'/>")


class Drive:
    def __init__(self, url: str, rng: random.Random) -> None:
        u = urlsplit(url)
        self.base = url
        self.cli = ["rabbitmqadmin", "-H", u.hostname or "127.0.0.1", "-P", str(u.port), "-u", "guest", "-p", "guest"]
        self.auth = "Basic " + base64.b64encode(b"guest:guest").decode()
        self.rng = rng
        self.vhosts: list[str] = ["/"]
        self.users: list[str] = []
        self.exchanges: dict[str, list[str]] = {"/": []}
        self.queues: dict[str, list[str]] = {"/": []}
        self.n = 0

    def admin(self, *args: str, vhost: str | None = None) -> str:
        cmd = [*self.cli, *(["-V", vhost] if vhost is not None else []), *args]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        if p.returncode:
            print(f"rabbitmqadmin {' '.join(args)[:80]}: {p.stderr.strip()[:120]}", file=sys.stderr)
        return p.stdout

    def http(self, method: str, path: str, body: Any = None, user: str | None = None) -> Any:
        req = urllib.request.Request(self.base + path, method=method,
                                     data=None if body is None else json.dumps(body).encode())
        auth = self.auth if user is None else "Basic " + base64.b64encode(f"{user}:wrong".encode()).decode()
        req.add_header("authorization", auth)
        if body is not None:
            req.add_header("content-type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                data = r.read()
                return json.loads(data) if data and r.headers.get_content_type() == "application/json" else None
        except HTTPError as e:
            e.read()
            return None

    def vh(self) -> str:
        return self.rng.choice(self.vhosts)

    @staticmethod
    def q(name: str) -> str:
        return quote(name, safe="")

    def vhost(self) -> None:
        free = [v for v in VHOSTS if v not in self.vhosts]
        if not free or self.rng.random() < 0.15:
            if len(self.vhosts) > 3 and self.rng.random() < 0.5:
                v = self.rng.choice(self.vhosts[1:])
                self.admin("delete", "vhost", f"name={v}")
                self.vhosts.remove(v)
                self.exchanges.pop(v, None)
                self.queues.pop(v, None)
            else:
                self.admin("-f", "raw_json", "list", "vhosts")
            return
        v = self.rng.choice(free)
        self.admin("declare", "vhost", f"name={v}", *(["tracing=true"] if self.rng.random() < 0.2 else []))
        self.vhosts.append(v)
        self.exchanges[v], self.queues[v] = [], []
        self.admin("declare", "permission", f"vhost={v}", "user=guest", "configure=.*", "write=.*", "read=.*")

    def user(self) -> None:
        free = [u for u in USERS if u not in self.users]
        r = self.rng.random()
        if free and (r < 0.5 or not self.users):
            u = self.rng.choice(free)
            self.admin("declare", "user", f"name={u}", f"password=pw-{self.rng.getrandbits(32):x}",
                       f"tags={self.rng.choice(TAGS)}")
            self.users.append(u)
        elif r < 0.75:
            u = self.rng.choice(self.users)
            rights = self.rng.choice((".*", "^$", f"^{u.split('.')[0]}\\..*", "^(orders|payments)\\..*"))
            self.admin("declare", "permission", f"vhost={self.vh()}", f"user={u}", f"configure={rights}",
                       f"write={rights}", "read=.*")
        elif r < 0.85:
            u = self.rng.choice(self.users)
            self.http("GET", f"/api/users/{self.q(u)}/permissions")
        elif r < 0.92 and len(self.users) > 2:
            u = self.rng.choice(self.users)
            self.admin("delete", "user", f"name={u}")
            self.users.remove(u)
        else:
            self.admin("-f", "raw_json", "list", "users")

    def exchange(self) -> None:
        v = self.vh()
        free = [e for e in EXCHANGES if e[0] not in self.exchanges[v]]
        if free and self.rng.random() < 0.7:
            name, kind = self.rng.choice(free)
            self.admin("declare", "exchange", f"name={name}", f"type={kind}",
                       f"durable={self.rng.choice(('true', 'false'))}", vhost=v)
            self.exchanges[v].append(name)
        elif self.exchanges[v] and self.rng.random() < 0.5:
            name = self.rng.choice(self.exchanges[v])
            self.http("GET", f"/api/exchanges/{self.q(v)}/{self.q(name)}")
            self.http("GET", f"/api/exchanges/{self.q(v)}/{self.q(name)}/bindings/source")
        elif self.exchanges[v] and self.rng.random() < 0.3:
            name = self.rng.choice(self.exchanges[v])
            self.admin("delete", "exchange", f"name={name}", vhost=v)
            self.exchanges[v].remove(name)
        else:
            self.admin("-f", "raw_json", "list", "exchanges", *(["name", "type", "durable"]
                                                               if self.rng.random() < 0.5 else []), vhost=v)

    def queue(self) -> None:
        v = self.vh()
        free = [q for q in QUEUES if q not in self.queues[v]]
        if free and self.rng.random() < 0.6:
            name = self.rng.choice(free)
            args: dict[str, Any] = {}
            if self.rng.random() < 0.4:
                args["x-message-ttl"] = self.rng.choice((5000, 60000, 86400000))
            if self.rng.random() < 0.3:
                args["x-dead-letter-exchange"] = "billing-dlx"
            if self.rng.random() < 0.2:
                args["x-max-length"] = self.rng.choice((1000, 50000))
            extra = [f"arguments={json.dumps(args)}"] if args else []
            if self.rng.random() < 0.3:
                extra.append("queue_type=quorum")
            else:
                extra.append(f"durable={self.rng.choice(('true', 'false'))}")
            self.admin("declare", "queue", f"name={name}", *extra, vhost=v)
            self.queues[v].append(name)
        elif self.queues[v]:
            name = self.rng.choice(self.queues[v])
            r = self.rng.random()
            if r < 0.35:
                self.http("GET", f"/api/queues/{self.q(v)}/{self.q(name)}?lengths_age=60&lengths_incr=5"
                                 "&msg_rates_age=60&msg_rates_incr=5&data_rates_age=60&data_rates_incr=5")
            elif r < 0.55:
                self.http("GET", f"/api/queues/{self.q(v)}/{self.q(name)}/bindings")
            elif r < 0.7:
                self.admin("purge", "queue", f"name={name}", vhost=v)
            elif r < 0.8:
                self.admin("delete", "queue", f"name={name}", vhost=v)
                self.queues[v].remove(name)
            else:
                self.admin("-f", "raw_json", "list", "queues", *(["name", "messages", "consumers", "type"]
                                                                 if self.rng.random() < 0.5 else []), vhost=v)
        else:
            self.admin("-f", "raw_json", "list", "queues")

    def binding(self) -> None:
        v = self.vh()
        if not self.exchanges[v] or not self.queues[v]:
            return self.queue() if self.exchanges[v] else self.exchange()
        e, q = self.rng.choice(self.exchanges[v]), self.rng.choice(self.queues[v])
        key = self.rng.choice(KEYS)
        r = self.rng.random()
        if r < 0.5:
            self.admin("declare", "binding", f"source={e}", f"destination={q}", "destination_type=queue",
                       f"routing_key={key}", vhost=v)
        elif r < 0.75:
            got = self.http("GET", f"/api/bindings/{self.q(v)}/e/{self.q(e)}/q/{self.q(q)}") or []
            if got and self.rng.random() < 0.5:
                props = got[0]["properties_key"]
                self.http("GET", f"/api/bindings/{self.q(v)}/e/{self.q(e)}/q/{self.q(q)}/{self.q(props)}")
        elif r < 0.88:
            got = self.http("GET", f"/api/bindings/{self.q(v)}/e/{self.q(e)}/q/{self.q(q)}") or []
            if got:
                self.admin("delete", "binding", f"source={e}", "destination_type=queue", f"destination={q}",
                           f"properties_key={got[0]['properties_key']}", vhost=v)
        else:
            self.admin("-f", "raw_json", "list", "bindings", vhost=v)

    def messages(self) -> None:
        v = self.vh()
        if not self.queues[v]:
            return self.queue()
        q = self.rng.choice(self.queues[v])
        self.n += 1
        if self.rng.random() < 0.6:
            payload = self.rng.choice(PAYLOADS) % self.n
            props = {"content_type": "application/json" if payload.startswith("{") else "text/plain",
                     "delivery_mode": self.rng.choice((1, 2))}
            if self.rng.random() < 0.3:
                props["headers"] = {"x-tenant": self.rng.choice(("acme", "globex", "initech")),
                                    "x-retry-count": self.rng.randint(0, 3)}
            if self.exchanges[v] and self.rng.random() < 0.4:
                self.admin("publish", f"exchange={self.rng.choice(self.exchanges[v])}",
                           f"routing_key={self.rng.choice(KEYS)}", f"payload={payload}",
                           f"properties={json.dumps(props)}", vhost=v)
            else:
                self.admin("publish", "exchange=amq.default", f"routing_key={q}", f"payload={payload}",
                           f"properties={json.dumps(props)}", vhost=v)
        else:
            self.admin("-f", "raw_json", "get", f"queue={q}", f"count={self.rng.randint(1, 5)}",
                       f"ackmode={self.rng.choice(('ack_requeue_true', 'ack_requeue_false', 'reject_requeue_true'))}",
                       vhost=v)

    def policy(self) -> None:
        v = self.vh()
        name, pattern, definition = self.rng.choice(POLICIES)
        r = self.rng.random()
        if r < 0.45:
            self.admin("declare", "policy", f"name={name}", f"pattern={pattern}",
                       f"definition={json.dumps(definition)}", f"priority={self.rng.randint(0, 10)}",
                       f"apply-to={self.rng.choice(('queues', 'all'))}", vhost=v)
        elif r < 0.6:
            self.admin("delete", "policy", f"name={name}", vhost=v)
        elif r < 0.75:
            self.admin("-f", "raw_json", "list", "policies", vhost=v)
        elif r < 0.9:
            self.admin("declare", "vhost_limit", f"vhost={v}",
                       f"name={self.rng.choice(('max-connections', 'max-queues'))}",
                       f"value={self.rng.choice((100, 256, 1000, -1))}")
        else:
            self.http("GET", f"/api/vhost-limits/{self.q(v)}")

    def ui(self) -> None:
        r = self.rng.random()
        if r < 0.25:
            self.http("GET", "/api/overview?lengths_age=60&lengths_incr=5&msg_rates_age=60&msg_rates_incr=5")
        elif r < 0.35:
            self.admin("-f", "raw_json", "show", "overview")
        elif r < 0.5:
            nodes = self.http("GET", "/api/nodes") or []
            if nodes:
                self.http("GET", f"/api/nodes/{self.q(nodes[0]['name'])}?memory=true&binary=true")
        elif r < 0.65:
            self.http("GET", f"/api/queues/{self.q(self.vh())}?page=1&page_size=100&name="
                             f"&use_regex=false&pagination=true")
        elif r < 0.72:
            self.http("GET", "/api/whoami")
        elif r < 0.8:
            self.http("GET", f"/api/vhosts/{self.q(self.vh())}/permissions")
        elif r < 0.86:
            self.http("GET", f"/api/aliveness-test/{self.q(self.vh())}")
        elif r < 0.92:
            self.http("GET", self.rng.choice(("/api/health/checks/alarms", "/api/health/checks/virtual-hosts",
                                              "/api/extensions", "/api/feature-flags")))
        else:
            self.admin("-f", "raw_json", "list", "nodes")

    def definitions(self) -> None:
        path = Path.cwd() / f"definitions-{self.n}.json"
        if self.rng.random() < 0.6:
            self.admin("export", str(path))
            if self.rng.random() < 0.3 and path.exists():
                self.admin("import", str(path))
            path.unlink(missing_ok=True)
        else:
            v = self.vh()
            self.http("GET", f"/api/definitions/{self.q(v)}")

    def errors(self) -> None:
        r = self.rng.random()
        v = self.vh()
        if r < 0.2:
            self.http("GET", f"/api/queues/{self.q(v)}/{self.q(self.rng.choice(('nope', 'orders.deleted', 'tmp-1')))}")
        elif r < 0.35:
            self.admin("declare", "queue", "name=orders.created", "durable=true", vhost="no-such-vhost")
        elif r < 0.5 and self.queues[v]:
            self.admin("declare", "queue", f"name={self.rng.choice(self.queues[v])}",
                       'arguments={"x-max-priority": 7}', "durable=false", vhost=v)
        elif r < 0.65:
            self.admin("declare", "exchange", "name=broken", "type=fanciful", vhost=v)
        elif r < 0.8:
            self.http("GET", f"/api/users/{self.q('ghost-' + str(self.rng.randint(1, 99)))}")
        elif r < 0.9:
            self.http("GET", "/api/overview", user=self.rng.choice(USERS))
        else:
            self.admin("get", "queue=not-there", "count=1", vhost=v)


def main() -> int:
    a = parse(__doc__, ("url",), rounds=1000)
    rng = random.Random(a.seed)
    d = Drive(a.url, rng)
    for _ in range(4):
        d.vhost()
    for _ in range(3):
        d.user()
    for _ in range(8):
        d.exchange()
        d.queue()
    steps = [
        (d.vhost, 1),
        (d.user, 4),
        (d.exchange, 7),
        (d.queue, 12),
        (d.binding, 8),
        (d.messages, 14),
        (d.policy, 4),
        (d.ui, 10),
        (d.definitions, 1.5),
        (d.errors, 4),
    ]
    run(rng, steps, a.rounds, a.max_seconds, tolerated=(HTTPError, KeyError, ValueError, IndexError))
    return 0


if __name__ == "__main__":
    sys.exit(main())
