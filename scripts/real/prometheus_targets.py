"""The scrape targets of prometheus.sh: a shop's services as exporters, on one port, one path per service.

    python prometheus_targets.py PORT OPENMETRICS_OUT --seed N

Serves `/metrics/<service>` (the text exposition format, values moving with every scrape: request counters
by handler, method and code, latency histograms, queue depths, a Postgres and a node exporter's gauges),
and before serving writes six hours of the same series' history as OpenMetrics to OPENMETRICS_OUT, for
`promtool tsdb create-blocks-from openmetrics` (so range queries over hours find data). Stdlib only.
"""

from __future__ import annotations

import random
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SERVICES = {
    "checkout-api": ("/api/cart", "/api/checkout", "/api/orders/{id}", "/healthz"),
    "payments": ("/v1/charges", "/v1/refunds", "/v1/webhooks/stripe"),
    "inventory": ("/items", "/items/{sku}/stock", "/reservations"),
    "search": ("/search", "/suggest"),
}
INSTANCES = ("10.0.1.11:8080", "10.0.1.12:8080", "10.0.2.7:8080")


def lines(rng: random.Random, service: str, t: float, stamp: bool) -> list[str]:
    """One scrape's series for SERVICE at T (seconds), counters growing with T."""
    ts = f" {t:.3f}" if stamp else ""
    base = (t % 100_000) / 10.0
    out = ["# HELP http_requests_total Requests served, by handler, method and code.",
           "# TYPE http_requests_total counter"]
    for h in SERVICES[service]:
        for method, code, share in (("GET", "200", 50), ("POST", "201", 9), ("GET", "404", 2), ("POST", "500", 0.3)):
            out.append(f'http_requests_total{{handler="{h}",method="{method}",code="{code}"}} '
                       f"{int(base * share * (1 + len(h) % 3))}{ts}")
    out += ["# HELP http_request_duration_seconds Request latency.", "# TYPE http_request_duration_seconds histogram"]
    count = int(base * 60)
    for le, share in (("0.05", 0.6), ("0.1", 0.8), ("0.25", 0.93), ("1", 0.99), ("+Inf", 1.0)):
        out.append(f'http_request_duration_seconds_bucket{{le="{le}"}} {int(count * share)}{ts}')
    out.append(f"http_request_duration_seconds_sum {count * 0.07:.2f}{ts}")
    out.append(f"http_request_duration_seconds_count {count}{ts}")
    out += ["# HELP queue_depth Jobs waiting.", "# TYPE queue_depth gauge",
            f'queue_depth{{queue="emails"}} {rng.randint(0, 40)}{ts}',
            f'queue_depth{{queue="webhooks"}} {rng.randint(0, 9)}{ts}',
            "# HELP process_resident_memory_bytes Resident memory.", "# TYPE process_resident_memory_bytes gauge",
            f"process_resident_memory_bytes {rng.randint(80, 400) * 1_048_576}{ts}",
            "# HELP pg_stat_activity_count Connections by state.", "# TYPE pg_stat_activity_count gauge",
            f'pg_stat_activity_count{{datname="shop",state="active"}} {rng.randint(1, 30)}{ts}',
            f'pg_stat_activity_count{{datname="shop",state="idle"}} {rng.randint(5, 60)}{ts}',
            "# HELP node_filesystem_avail_bytes Free disk.", "# TYPE node_filesystem_avail_bytes gauge",
            f'node_filesystem_avail_bytes{{mountpoint="/",fstype="ext4"}} {rng.randint(5, 90) * 1_073_741_824}{ts}']
    return out


def history(rng: random.Random, path: str) -> None:
    """Six hours of every service's series, a sample a minute, as OpenMetrics: each family's samples together
    (OpenMetrics wants that; a counter's family drops `_total`), labels carrying job and instance as a scrape
    would add them."""
    now = time.time()
    families: dict[str, list[str]] = {}
    kinds: dict[str, str] = {}
    for service in SERVICES:
        for i, inst in enumerate(INSTANCES[:2]):
            for step in range(360):
                t = now - 6 * 3600 + step * 60 - 120
                family = ""
                for line in lines(rng, service, t - i * 1000, stamp=True):
                    if line.startswith("# TYPE"):
                        _, _, family, kind = line.split()
                        family = family.removesuffix("_total") if kind == "counter" else family
                        kinds[family] = kind
                        continue
                    if line.startswith("#"):
                        continue
                    name, rest = line.split(" ", 1)
                    extra = f'job="{service}",instance="{inst}"'
                    name = name[:-1] + "," + extra + "}" if name.endswith("}") else name + "{" + extra + "}"
                    families.setdefault(family, []).append(f"{name} {rest}")
    with open(path, "w") as f:
        for family, samples in families.items():
            f.write(f"# TYPE {family} {kinds[family]}\n")
            f.write("\n".join(samples) + "\n")
        f.write("# EOF\n")


def main() -> int:
    port, out = int(sys.argv[1]), sys.argv[2]
    seed = int(sys.argv[sys.argv.index("--seed") + 1])
    rng = random.Random(seed)
    history(rng, out)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            service = self.path.rsplit("/", 1)[-1]
            if service not in SERVICES:
                self.send_error(404)
                return
            body = ("\n".join(lines(rng, service, time.time(), stamp=False)) + "\n").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
