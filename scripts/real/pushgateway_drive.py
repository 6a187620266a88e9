"""Drive a Prometheus Pushgateway through Prometheus's own Python client, prometheus_client.

    python pushgateway_drive.py SERVER_URL --seed N [--rounds R] [--max-seconds S]

Run by pushgateway.sh with the venv's python (prometheus-client installed). A platform team's batch jobs
and cron scripts reporting to the Pushgateway as prometheus_client pushes: jobs under names people pick
(`nightly-backup`, `etl.orders`, `invoice export`, `cron/cleanup`: a slash or an empty value makes the
client write the `@base64` form), grouping keys whose label names each team picks (`instance`, `env`,
`region`, `shard`, `customer_id`, `k8s_namespace`) and values people type (host names, ids, `eu-west-1`);
gauges, counters, histograms, summaries, infos and enums of a job's run, pushed replacing their group (PUT),
added to it (POST) and the group deleted (DELETE); the status page's and Grafana's reads of the API
(`/api/v1/metrics`, `/api/v1/status`), the probes, and the admin's wipe; errors (a push whose metrics
carry a label of the grouping key with another value, or that disagree in type with another group's
metric of that name: 400, a push of what is no exposition text: 400).
"""

from __future__ import annotations

import json
import random
import sys
import urllib.request
from pathlib import Path
from urllib.error import HTTPError, URLError

from prometheus_client import CollectorRegistry, Counter, Enum, Gauge, Histogram, Info, Summary
from prometheus_client.exposition import delete_from_gateway, push_to_gateway, pushadd_to_gateway

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workload import parse, run

JOBS = ("nightly-backup", "db_dump", "etl.orders", "invoice export", "cron/cleanup", "reindex-search",
        "ml-train:weekly", "sync_ldap", "certbot-renew", "Report Generator", "s3-lifecycle", "gc")
HOSTS = ("web-01", "web-02.prod.acme.internal", "batch-7", "10.0.3.17:9100", "db-primary", "runner-a1b2c3",
         "worker_12", "mac-mini.local")
KEYS = {
    "env": ("prod", "staging", "dev", "qa"),
    "region": ("eu-west-1", "us-east-2", "ap-southeast-1", "fra1"),
    "shard": ("0", "1", "2", "17"),
    "customer_id": ("c-10042", "c-20917", "acme", "globex/emea"),
    "k8s_namespace": ("payments", "data-platform", "kube-system"),
    "team": ("sre", "data", "billing"),
    "cron": ("0 3 * * *", "*/15 * * * *", "@hourly"),
    "branch": ("main", "release/2.1", ""),
}
ERRORS = ("timeout", "disk full", "auth", "none")


class Drive:
    def __init__(self, url: str, rng: random.Random) -> None:
        self.url, self.rng = url, rng
        self.groups: list[tuple[str, dict[str, str]]] = []

    def key(self) -> dict[str, str]:
        r = self.rng
        out = {"instance": r.choice(HOSTS)} if r.random() < 0.75 else {}
        for name in r.sample(sorted(KEYS), r.choice((0, 1, 1, 2, 3))):
            out[name] = r.choice(KEYS[name])
        return out

    def registry(self, job: str) -> CollectorRegistry:
        r = self.rng
        reg = CollectorRegistry()
        stem = job.replace("-", "_").replace(".", "_").replace(" ", "_").replace("/", "_").replace(":", "_").lower()
        Gauge("job_last_success_unixtime", "Last time the batch job succeeded", registry=reg).set(
            1_780_000_000 + r.randint(0, 9_000_000))
        Gauge("job_duration_seconds", "How long the run took", registry=reg).set(round(r.uniform(0.2, 7200), 3))
        if r.random() < 0.6:
            c = Counter(f"{stem}_records_processed", "Records the run processed", ["table"], registry=reg)
            for table in r.sample(("orders", "customers", "invoices", "events"), r.randint(1, 3)):
                c.labels(table=table).inc(r.randint(0, 500_000))
        if r.random() < 0.4:
            h = Histogram("job_step_seconds", "Time per step", ["step"], registry=reg,
                          buckets=(0.1, 1, 10, 60, 600))
            for step in r.sample(("extract", "transform", "load", "verify"), r.randint(1, 4)):
                for _ in range(r.randint(1, 4)):
                    h.labels(step=step).observe(r.uniform(0.01, 900))
        if r.random() < 0.3:
            s = Summary("job_batch_size_bytes", "Bytes per batch", registry=reg)
            for _ in range(r.randint(1, 5)):
                s.observe(r.randint(100, 10_000_000))
        if r.random() < 0.3:
            Info("job_build", "Build of the job's code", registry=reg).info(
                {"version": f"{r.randint(1, 4)}.{r.randint(0, 20)}.{r.randint(0, 9)}",
                 "commit": f"{r.getrandbits(28):07x}", "python": r.choice(("3.11", "3.12"))})
        if r.random() < 0.3:
            Enum("job_state", "State of the last run", registry=reg,
                 states=["succeeded", "failed", "running"]).state(r.choice(("succeeded", "failed", "running")))
        if r.random() < 0.25:
            g = Gauge("job_failures", "Failures of the last run by cause", ["cause"], registry=reg)
            g.labels(cause=r.choice(ERRORS)).set(r.randint(0, 12))
        return reg

    def push(self) -> None:
        r = self.rng
        if self.groups and r.random() < 0.55:
            job, key = r.choice(self.groups)
        else:
            job, key = r.choice(JOBS), self.key()
        reg = self.registry(job)
        if r.random() < 0.6:
            push_to_gateway(self.url, job=job, registry=reg, grouping_key=key)
        else:
            pushadd_to_gateway(self.url, job=job, registry=reg, grouping_key=key)
        if (job, key) not in self.groups:
            self.groups.append((job, key))

    def delete(self) -> None:
        if len(self.groups) < 5:
            return
        job, key = self.groups.pop(self.rng.randrange(len(self.groups)))
        delete_from_gateway(self.url, job=job, grouping_key=key)

    def get(self, path: str) -> None:
        with urllib.request.urlopen(self.url + path, timeout=30) as resp:
            resp.read()

    def read(self) -> None:
        x = self.rng.random()
        if x < 0.55:
            self.get("/api/v1/metrics")
        elif x < 0.75:
            self.get("/api/v1/status")
        elif x < 0.87:
            self.get("/-/healthy")
        else:
            self.get("/-/ready")

    def wipe(self) -> None:
        req = urllib.request.Request(self.url + "/api/v1/admin/wipe", method="PUT")
        with urllib.request.urlopen(req, timeout=30) as resp:
            resp.read()
        self.groups.clear()

    def errors(self) -> None:
        r = self.rng
        x = r.random()
        try:
            if x < 0.4:
                # a metric's label that the grouping key also names, with another value
                reg = CollectorRegistry()
                Gauge("job_last_success_unixtime", "Last success", ["instance"], registry=reg).labels(
                    instance="somewhere-else").set(1)
                push_to_gateway(self.url, job=r.choice(JOBS), registry=reg, grouping_key={"instance": r.choice(HOSTS)})
            elif x < 0.7:
                # a metric of another type under a name another group pushed as a gauge
                reg = CollectorRegistry()
                Counter("job_duration_seconds", "Not a gauge", registry=reg).inc()
                push_to_gateway(self.url, job=r.choice(JOBS), registry=reg, grouping_key=self.key())
            else:
                req = urllib.request.Request(f"{self.url}/metrics/job/{r.choice(('db_dump', 'gc', 'sync_ldap'))}",
                                             data=b"this is { not exposition text\n", method="POST",
                                             headers={"Content-Type": "text/plain; version=0.0.4"})
                urllib.request.urlopen(req, timeout=30).read()
        except (HTTPError, URLError, OSError) as e:
            print(f"expected: {type(e).__name__}: {str(e)[:100]}", file=sys.stderr)


def main() -> int:
    a = parse(__doc__, ["url"], rounds=1150)
    rng = random.Random(a.seed)
    d = Drive(a.url.rstrip("/"), rng)
    for _ in range(12):
        d.push()
    steps = [
        (d.push, 30),
        (d.delete, 4),
        (d.read, 9),
        (d.wipe, 0.15),
        (d.errors, 2.5),
    ]
    run(rng, steps, a.rounds, a.max_seconds, tolerated=(HTTPError, URLError, json.JSONDecodeError))
    return 0


if __name__ == "__main__":
    sys.exit(main())
