"""Drive a Prometheus server's HTTP API through its own CLI, `promtool`, and as its web UI and Grafana call it.

    python prometheus_drive.py SERVER_URL --seed N [--rounds R] [--max-seconds S]

Run by prometheus.sh. `promtool query instant|range|series|labels` and `promtool debug metrics` (Prometheus'
own CLI, a process per command, through the Go API client: queries by POST, falling back to GET) take a
share of the calls; the rest go through urllib as Prometheus' web UI and Grafana's Prometheus data source send
them: instant and range queries (GET and form POST), series, label names and a label's values
(`/api/v1/label/<name>/values` under the label names the shop's exporters and relabelling chose: `job`,
`handler`, `queue`, `datname`, `team`, ...), metadata, targets and their metadata, rules and alerts, the status
pages, exemplars, federation, the admin API (delete series, tombstones, snapshots) and the lifecycle API
(reload, health, readiness); errors (a query that does not parse: 400, one that fails: 422, a bad time or
step, a label name that is not one).
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.parse import quote, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workload import parse, run

JOBS = ("checkout-api", "payments", "inventory", "search")
LABELS = ("job", "instance", "handler", "method", "code", "queue", "team", "env", "datname", "state",
          "mountpoint", "fstype", "le", "__name__", "alertname", "severity")
METRICS = ("http_requests_total", "http_request_duration_seconds_bucket", "queue_depth", "pg_stat_activity_count",
           "node_filesystem_avail_bytes", "process_resident_memory_bytes", "up", "job:http_requests:rate1m",
           "scrape_duration_seconds", "prometheus_tsdb_head_series")
QUERIES = (
    'sum by (job) (rate(http_requests_total[1m]))',
    'sum by (handler) (rate(http_requests_total{job="checkout-api",code=~"5.."}[5m]))',
    'histogram_quantile(0.95, sum by (le, job) (rate(http_request_duration_seconds_bucket[5m])))',
    'up', 'up{job="legacy-billing"} == 0', 'queue_depth{queue="emails"} > 10',
    'topk(3, sum by (handler) (rate(http_requests_total[5m])))',
    'avg_over_time(pg_stat_activity_count{state="active"}[10m])',
    'node_filesystem_avail_bytes{mountpoint="/"} / 1024 / 1024 / 1024',
    'job:http_requests:rate1m', 'count(up) by (team)', 'increase(http_requests_total{code="404"}[1h])',
    'predict_linear(node_filesystem_avail_bytes[1h], 4 * 3600) < 0', 'time()', 'vector(1)',
    'absent(up{job="payments"})', 'rate(prometheus_http_requests_total[1m])',
)
BAD = ('sum(rate(http_requests_total[5m])', 'http_requests_total{job="payments"', 'rate(up)', 'foo bar',
       'histogram_quantile(0.9, http_requests_total)[5m:1m]')


class Drive:
    def __init__(self, url: str, rng: random.Random) -> None:
        self.url, self.rng = url, rng
        self.deleted: list[str] = []

    def tool(self, *args: str) -> str:
        p = subprocess.run(["promtool", *args], capture_output=True, text=True, timeout=60)
        if p.returncode:
            print(f"promtool {' '.join(args)[:80]}: {(p.stderr or p.stdout).strip()[-160:]}", file=sys.stderr)
        return p.stdout

    def http(self, method: str, path: str, query: Any = None, form: Any = None) -> Any:
        url = self.url + path + ("?" + urlencode(query, doseq=True) if query else "")
        data = urlencode(form, doseq=True).encode() if form is not None else None
        req = urllib.request.Request(url, method=method, data=data)
        if data is not None:
            req.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                body = r.read()
                return json.loads(body) if r.headers.get_content_type() == "application/json" and body else None
        except HTTPError as e:
            e.read()
            return None

    def window(self) -> tuple[float, float, str]:
        end = time.time() - self.rng.choice((0, 30, 600))
        span = self.rng.choice((300, 1800, 3600, 6 * 3600))
        step = self.rng.choice(("15s", "30", "60", "1m", "5m", "14"))
        return round(end - span, 3), round(end, 3), step

    def instant(self) -> None:
        rng = self.rng
        q = rng.choice(QUERIES)
        r = rng.random()
        if r < 0.25:
            self.tool("query", "instant", self.url, q)
        elif r < 0.6:
            params: dict[str, Any] = {"query": q}
            if rng.random() < 0.5:
                params["time"] = round(time.time() - rng.choice((0, 60, 3600)), 3)
            self.http("GET", "/api/v1/query", params)
        else:
            self.http("POST", "/api/v1/query", form={"query": q, "time": round(time.time(), 3)})

    def ranged(self) -> None:
        rng = self.rng
        q = rng.choice(QUERIES)
        start, end, step = self.window()
        r = rng.random()
        if r < 0.2:
            self.tool("query", "range", "--start", str(int(start)), "--end", str(int(end)), "--step",
                      step if step[-1].isalpha() else step + "s", self.url, q)
        elif r < 0.6:
            self.http("GET", "/api/v1/query_range", {"query": q, "start": start, "end": end, "step": step})
        else:
            self.http("POST", "/api/v1/query_range", form={"query": q, "start": start, "end": end, "step": step})

    def labels(self) -> None:
        rng = self.rng
        r = rng.random()
        name = rng.choice(LABELS)
        if r < 0.2:
            self.tool("query", "labels", self.url, name)
        elif r < 0.6:
            q: dict[str, Any] = {}
            if rng.random() < 0.4:
                q["match[]"] = [f'{{job="{rng.choice(JOBS)}"}}']
            if rng.random() < 0.3:
                q["start"], q["end"], _ = self.window()
            self.http("GET", f"/api/v1/label/{quote(name, safe='')}/values", q or None)
        elif r < 0.85:
            self.http("GET", "/api/v1/labels", {"match[]": [rng.choice(METRICS)]} if rng.random() < 0.4 else None)
        else:
            self.http("POST", "/api/v1/labels", form={"match[]": [f'{{job="{rng.choice(JOBS)}"}}']})

    def series(self) -> None:
        rng = self.rng
        m = rng.choice(METRICS)
        job, team = rng.choice(JOBS), rng.choice(("shop", "platform"))  # in this order: the seeds' recordings
        sel = rng.choice((m, f'{m}{{job="{job}"}}', f'{{__name__=~"http_.*",team="{team}"}}'))
        r = rng.random()
        if r < 0.25:
            self.tool("query", "series", "--match", sel, self.url)
        elif r < 0.6:
            start, end, _ = self.window()
            self.http("GET", "/api/v1/series", {"match[]": [sel], "start": start, "end": end})
        elif r < 0.8:
            self.http("POST", "/api/v1/series", form={"match[]": [sel, "up"]})
        else:
            self.http("GET", "/api/v1/metadata", {"metric": m} if rng.random() < 0.6 else {"limit": 20})

    def status(self) -> None:
        rng = self.rng
        r = rng.random()
        if r < 0.2:
            self.http("GET", "/api/v1/targets", rng.choice((None, {"state": "active"}, {"state": "dropped"})))
        elif r < 0.3:
            self.http("GET", "/api/v1/targets/metadata",
                      {"match_target": f'{{job="{rng.choice(JOBS)}"}}', "metric": rng.choice(METRICS[:5])})
        elif r < 0.45:
            self.http("GET", "/api/v1/rules", rng.choice((None, {"type": "alert"}, {"type": "record"})))
        elif r < 0.55:
            self.http("GET", "/api/v1/alerts")
        elif r < 0.6:
            self.http("GET", "/api/v1/alertmanagers")
        elif r < 0.8:
            self.http("GET", "/api/v1/status/" + rng.choice(("config", "flags", "runtimeinfo", "buildinfo", "tsdb",
                                                              "walreplay")))
        elif r < 0.85:
            start, end, _ = self.window()
            self.http("GET", "/api/v1/query_exemplars", {"query": "http_request_duration_seconds_bucket",
                                                         "start": start, "end": end})
        elif r < 0.92:
            self.http("GET", "/-/" + rng.choice(("healthy", "ready")))
        elif r < 0.96:
            self.http("GET", "/federate", {"match[]": [f'{{job="{rng.choice(JOBS)}"}}']})
        else:
            self.tool("debug", "metrics", self.url)

    def admin(self) -> None:
        rng = self.rng
        r = rng.random()
        if r < 0.4:
            sel = f'{{job="{rng.choice(JOBS)}",handler="{rng.choice(("/healthz", "/suggest", "/reservations"))}"}}'
            q: dict[str, Any] = {"match[]": [sel]}
            if rng.random() < 0.5:
                q["start"], q["end"], _ = self.window()
            self.http(rng.choice(("POST", "PUT")), "/api/v1/admin/tsdb/delete_series", q)
            self.deleted.append(sel)
        elif r < 0.6:
            self.http("POST", "/api/v1/admin/tsdb/clean_tombstones")
        elif r < 0.75:
            self.http("POST", "/api/v1/admin/tsdb/snapshot", {"skip_head": "true"} if rng.random() < 0.5 else None)
        else:
            self.http("POST", "/-/reload")

    def errors(self) -> None:
        rng = self.rng
        r = rng.random()
        if r < 0.3:
            self.http("GET", "/api/v1/query", {"query": rng.choice(BAD)})
        elif r < 0.45:
            self.tool("query", "instant", self.url, rng.choice(BAD))
        elif r < 0.6:
            self.http("GET", "/api/v1/query_range", {"query": "up", "start": "yesterday", "end": time.time(),
                                                     "step": "15s"})
        elif r < 0.7:
            self.http("GET", "/api/v1/query_range", {"query": "up", "start": time.time() - 86400 * 30,
                                                     "end": time.time(), "step": "1"})
        elif r < 0.8:
            self.http("GET", "/api/v1/label/" + quote(rng.choice(("not-a-label", "9lives", "job name")), safe="")
                      + "/values")
        elif r < 0.9:
            self.http("GET", "/api/v1/series")
        else:
            self.http("GET", "/api/v1/" + rng.choice(("targets/metadata", "query")), {"match_target": "{job="})


def main() -> int:
    a = parse(__doc__, ("url",), rounds=1100)
    rng = random.Random(a.seed)
    d = Drive(a.url, rng)
    steps = [
        (d.instant, 20),
        (d.ranged, 14),
        (d.labels, 12),
        (d.series, 10),
        (d.status, 12),
        (d.admin, 2),
        (d.errors, 3),
    ]
    run(rng, steps, a.rounds, a.max_seconds, tolerated=(HTTPError, OSError, ValueError))
    return 0


if __name__ == "__main__":
    sys.exit(main())
