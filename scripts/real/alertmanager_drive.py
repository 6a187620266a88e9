"""Drive a Prometheus Alertmanager through its own CLI, amtool, and its API as its web UI calls it.

    python alertmanager_drive.py SERVER_URL AMTOOL --seed N [--rounds R] [--max-seconds S]

Run by alertmanager.sh (stdlib only: amtool is a Go binary the recipe built). A platform team's alerting:
alerts from the services it runs pushed as Prometheus would (`amtool alert add`: alert names people write,
`HighErrorRate`, `KubePodCrashLooping`, `disk.usage > 90%`, label sets whose keys each team picks,
`team`, `k8s_namespace`, `app.kubernetes.io/name`, annotations with summaries and runbook URLs, start and
end times, generator URLs), resolved by pushing them again with an end; silences made for maintenance
windows with matchers of all four kinds (`amtool silence add`: `=`, `!=`, `=~`, `!~`), queried by matcher,
expired and extended (`silence update`), imported in bulk (`silence import`); alerts queried by matcher
and state (active, silenced, inhibited, unprocessed, receiver); the routing tree read back and tested
(`config show`, `config routes test`, `cluster show`); and, as the web UI asks them (amtool has no command
for them: it sends them with urllib), alert groups filtered by receiver and matcher, the receivers, the
status, one silence by id, the health and readiness probes; errors (a silence that is not there: 404, a
matcher that does not parse, an alert without labels, a silence whose end is before its start: 400).
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workload import parse, run

ALERTS = (
    "HighErrorRate",
    "HighLatencyP99",
    "KubePodCrashLooping",
    "KubeDeploymentReplicasMismatch",
    "NodeFilesystemAlmostFull",
    "disk.usage > 90%",
    "Postgres replication lag",
    "certificate_expiring_soon",
    "TargetDown",
    "Watchdog",
    "SLO burn rate (fast)",
    "kafka-consumer-lag",
)
TEAMS = ("platform", "payments", "search", "data-eng", "sre", "mobile backend")
SEVERITIES = ("critical", "warning", "info", "page")
NAMESPACES = ("prod", "staging", "kube-system", "monitoring", "payments-eu", "team-a/dev")
SERVICES = ("checkout-api", "cart", "search.indexer", "ledger", "auth", "notifications", "web-frontend")
# Label keys each team adds beside the common ones: namespaced, dotted, Kubernetes-style.
EXTRA_LABELS = (
    "instance",
    "job",
    "pod",
    "container",
    "k8s_cluster",
    "region",
    "app_kubernetes_io_name",
    "cloud.provider",
    "env",
    "shard",
    "consumer_group",
    "tier",
)
ANNOTATIONS = ("summary", "description", "runbook_url", "dashboard", "grafana_panel", "owner email")
RECEIVERS = ("team-platform", "team-payments", "team-search", "oncall-pager", "blackhole")
AUTHORS = ("anne@acme.io", "bob", "carol.ops", "Dmitri K.", "erin@sre")
COMMENTS = (
    "maintenance window: node pool upgrade",
    "known issue, see INC-2041",
    "flapping during deploy",
    "Postgres failover test",
    "silenced until the vendor fixes their status page",
    "noisy — tuning thresholds",
)


def now() -> datetime:
    return datetime.now(UTC)


def stamp(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.000Z")


class Drive:
    def __init__(self, url: str, amtool: str, rng: random.Random) -> None:
        self.url = url
        self.amtool = amtool
        self.rng = rng
        self.silences: list[str] = []
        self.expired: list[str] = []
        self.pushed: list[dict[str, str]] = []
        self.tmp = Path(tempfile.mkdtemp(prefix="am-drive-"))

    # --- the clients ---------------------------------------------------------------------------------
    def am(self, *args: str, stdin: str | None = None) -> str:
        cmd = [self.amtool, f"--alertmanager.url={self.url}", *args]
        r = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            print(f"amtool {' '.join(args[:2])}: {r.stderr.strip()[:120]}", file=sys.stderr)
        return r.stdout

    def ui(self, method: str, path: str, query: dict[str, Any] | None = None, body: Any = None) -> Any:
        url = self.url + path
        if query:
            url += "?" + urllib.parse.urlencode(query, doseq=True)
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                text = r.read().decode()
        except urllib.error.HTTPError as e:
            e.read()
            return None
        try:
            return json.loads(text) if text else None
        except ValueError:
            return text

    # --- what a team does ----------------------------------------------------------------------------
    def labels(self) -> dict[str, str]:
        rng = self.rng
        out = {
            "alertname": rng.choice(ALERTS),
            "severity": rng.choice(SEVERITIES),
            "team": rng.choice(TEAMS),
            "namespace": rng.choice(NAMESPACES),
            "service": rng.choice(SERVICES),
        }
        for key in rng.sample(EXTRA_LABELS, rng.randint(0, 4)):
            out[key] = rng.choice(("eu-west-1", "node-7:9100", "kube-state-metrics", "db-2", "blue", "3", "gold"))
        return out

    def push(self) -> None:
        rng = self.rng
        if self.pushed and rng.random() < 0.3:
            labels = rng.choice(self.pushed)  # the same alert again: still firing, or resolved
        else:
            labels = self.labels()
            self.pushed.append(labels)
        args = ["alert", "add", *(f"{k}={v}" for k, v in labels.items())]
        for key in rng.sample(ANNOTATIONS, rng.randint(0, 3)):
            args.append(f"--annotation={key}={rng.choice(('p99 above 2s', 'see runbook', 'https://wiki/rb/1'))}")
        if rng.random() < 0.5:
            args.append(f"--start={stamp(now() - timedelta(minutes=rng.randint(1, 300)))}")
        if rng.random() < 0.25:
            args.append(f"--end={stamp(now() + timedelta(minutes=rng.randint(-30, 240)))}")
        if rng.random() < 0.4:
            expr = f"up%7Bjob%3D%22{rng.randint(1, 9)}%22%7D"
            args.append(f"--generator-url=http://prometheus.local:9090/graph?g0.expr={expr}")
        self.am(*args)

    def push_batch(self) -> None:
        # Prometheus posts every firing alert of a rule group in one request
        alerts = []
        for _ in range(self.rng.randint(2, 8)):
            labels = self.labels()
            self.pushed.append(labels)
            alert: dict[str, Any] = {"labels": labels, "annotations": {"summary": f"{labels['alertname']} firing"}}
            if self.rng.random() < 0.5:
                alert["startsAt"] = stamp(now() - timedelta(minutes=self.rng.randint(1, 60)))
                alert["generatorURL"] = "http://prometheus.local:9090/graph"
            alerts.append(alert)
        self.ui("POST", "/api/v2/alerts", body=alerts)

    def matcher(self) -> str:
        rng = self.rng
        kind = rng.choice(("=", "=", "!=", "=~", "!~"))
        key = rng.choice(("alertname", "severity", "team", "namespace", "service"))
        if kind in ("=~", "!~"):
            value = rng.choice(("Kube.*", "High.*|TargetDown", "payments-.*", "crit.*", ".+"))
        else:
            value = rng.choice({"alertname": ALERTS, "severity": SEVERITIES, "team": TEAMS,
                                "namespace": NAMESPACES, "service": SERVICES}[key])
        return f'{key}{kind}"{value}"'

    def silence(self) -> None:
        rng = self.rng
        matchers = [self.matcher() for _ in range(rng.randint(1, 3))]
        if not any("=" in m and "!" not in m and "~" not in m for m in matchers):
            matchers.insert(0, f'alertname="{rng.choice(ALERTS)}"')
        args = ["silence", "add", f"--author={rng.choice(AUTHORS)}", f"--comment={rng.choice(COMMENTS)}"]
        if rng.random() < 0.6:
            args.append(f"--duration={rng.choice(('30m', '2h', '1d', '90m', '4h'))}")
        else:
            start = now() + timedelta(minutes=rng.randint(-10, 120))
            args += [f"--start={stamp(start)}", f"--end={stamp(start + timedelta(hours=rng.randint(1, 12)))}"]
        out = self.am(*args, *matchers).strip()
        if out:
            self.silences.append(out.splitlines()[-1])

    def import_silences(self) -> None:
        rng = self.rng
        body = []
        for _ in range(rng.randint(2, 5)):
            body.append({
                "matchers": [{"name": "team", "value": rng.choice(TEAMS), "isRegex": False, "isEqual": True},
                             {"name": "severity", "value": "info|warning", "isRegex": True}],
                "startsAt": stamp(now()),
                "endsAt": stamp(now() + timedelta(hours=rng.randint(1, 48))),
                "createdBy": rng.choice(AUTHORS),
                "comment": "imported from last week's maintenance plan",
            })
        path = self.tmp / "silences.json"
        path.write_text(json.dumps(body))
        self.am("silence", "import", str(path))

    def query_silences(self) -> None:
        rng = self.rng
        args = ["silence", "query", "-o", rng.choice(("simple", "extended", "json"))]
        if rng.random() < 0.3:
            args.append("--expired")
        if rng.random() < 0.2:
            args.append(f"--within={rng.choice(('1h', '2h', '1d'))}")
        if rng.random() < 0.15:
            args.append(f"--created-by={rng.choice(AUTHORS)}")
        if rng.random() < 0.3 and self.silences + self.expired:
            args.append(f"--id={rng.choice(self.silences + self.expired)}")
        self.am(*args, *[self.matcher() for _ in range(rng.randint(0, 2))])

    def expire(self) -> None:
        if not self.silences:
            return self.silence()
        sid = self.silences.pop(self.rng.randrange(len(self.silences)))
        self.am("silence", "expire", sid)
        self.expired.append(sid)
        return None

    def update(self) -> None:
        if not self.silences:
            return self.silence()
        sid = self.rng.choice(self.silences)
        args = ["silence", "update", "-q", sid]
        if self.rng.random() < 0.7:
            args.append(f"--duration={self.rng.choice(('3h', '6h', '2d'))}")
        if self.rng.random() < 0.5:
            args.append(f"--comment={self.rng.choice(COMMENTS)} (extended)")
        out = self.am(*args).strip()
        # an update of a silence that has started makes a new one and expires the old (amtool 0.28's -q
        # prints a pointer, not the id, when the silence is updated in place)
        if out and out != sid and len(out.splitlines()[-1]) == 36:
            self.silences.remove(sid)
            self.silences.append(out.splitlines()[-1])
        return None

    def query_alerts(self) -> None:
        rng = self.rng
        args = ["alert", "query", "-o", rng.choice(("simple", "extended", "json"))]
        for flag in ("--active", "--silenced", "--inhibited", "--unprocessed"):
            if rng.random() < 0.25:
                args.append(flag)
        if rng.random() < 0.2:
            args.append(f"--receiver={rng.choice(RECEIVERS)}")
        self.am(*args, *[self.matcher() for _ in range(rng.randint(0, 2))])

    def config(self) -> None:
        rng = self.rng
        what = rng.choice(("show", "routes", "test", "cluster"))
        if what == "show":
            self.am("config", "show")
        elif what == "routes":
            self.am("config", "routes", "show")
        elif what == "test":
            labels = self.labels()
            self.am("config", "routes", "test", *(f"{k}={v}" for k, v in labels.items()))
        else:
            self.am("cluster", "show")

    def web_ui(self) -> None:
        rng = self.rng
        what = rng.choice(("groups", "groups", "alerts", "silences", "silence", "receivers", "status", "probe"))
        if what == "groups":
            q: dict[str, Any] = {"silenced": rng.choice(("false", "true")), "inhibited": rng.choice(("false", "true")),
                                 "active": "true"}
            if rng.random() < 0.5:
                q["filter"] = [self.matcher() for _ in range(rng.randint(1, 2))]
            if rng.random() < 0.3:
                q["receiver"] = rng.choice(RECEIVERS)
            self.ui("GET", "/api/v2/alerts/groups", q)
        elif what == "alerts":
            self.ui("GET", "/api/v2/alerts", {"filter": [self.matcher()], "silenced": "false"})
        elif what == "silences":
            self.ui("GET", "/api/v2/silences", {"filter": [self.matcher()]} if rng.random() < 0.5 else None)
        elif what == "silence":
            pool = self.silences + self.expired
            if pool:
                self.ui("GET", f"/api/v2/silence/{rng.choice(pool)}")
        elif what == "receivers":
            self.ui("GET", "/api/v2/receivers")
        elif what == "status":
            self.ui("GET", "/api/v2/status")
        else:
            self.ui("GET", rng.choice(("/-/healthy", "/-/ready")))

    def errors(self) -> None:
        rng = self.rng
        what = rng.choice(("no-silence", "expire-gone", "bad-matcher", "no-labels", "backwards", "bad-filter"))
        if what == "no-silence":
            self.ui("GET", f"/api/v2/silence/{rng.choice(('6f1c1b4e-0000-4000-8000-000000000000', 'not-a-uuid'))}")
        elif what == "expire-gone":
            self.ui("DELETE", "/api/v2/silence/00000000-1111-4222-8333-444444444444")
        elif what == "bad-matcher":
            self.ui("GET", "/api/v2/alerts", {"filter": ['alertname=~"(unclosed']})
        elif what == "no-labels":
            self.ui("POST", "/api/v2/alerts", body=[{"labels": {}, "annotations": {"summary": "oops"}}])
        elif what == "backwards":
            self.ui("POST", "/api/v2/silences", body={
                "matchers": [{"name": "alertname", "value": "Watchdog", "isRegex": False}],
                "startsAt": stamp(now() + timedelta(hours=2)), "endsAt": stamp(now()),
                "createdBy": rng.choice(AUTHORS), "comment": "wrong way round"})
        else:
            self.ui("GET", "/api/v2/silences", {"filter": ["team"]})


def main() -> int:
    a = parse(__doc__, ["url", "amtool"], rounds=1100)
    rng = random.Random(a.seed)
    d = Drive(a.url.rstrip("/"), a.amtool, rng)
    for _ in range(8):
        d.push()
    steps = [
        (d.push, 14),
        (d.push_batch, 3),
        (d.silence, 8),
        (d.import_silences, 1),
        (d.query_silences, 7),
        (d.expire, 4),
        (d.update, 3),
        (d.query_alerts, 9),
        (d.config, 3),
        (d.web_ui, 14),
        (d.errors, 3),
    ]
    run(rng, steps, a.rounds, a.max_seconds, tolerated=(subprocess.SubprocessError, OSError, ValueError))
    return 0


if __name__ == "__main__":
    sys.exit(main())
