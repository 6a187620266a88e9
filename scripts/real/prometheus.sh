#!/usr/bin/env bash
# Record a Prometheus server's HTTP API (Debian's prometheus 2.42, its TSDB in the sample's scratch dir, its
# admin and lifecycle APIs on) driven by Prometheus' own CLI, `promtool`, and the API as its web UI and
# Grafana call it (`prometheus_drive.py`): OUT/prometheus-a.jsonl.gz and -b (seeds 1 and 2, a fresh server and
# TSDB each). Prometheus 2.42 publishes no OpenAPI description of its API: no truth spec.
#   scripts/real/prometheus.sh [OUT]      (default /work/realset-new25)
# The server and promtool from Debian's packages (`apt-get install prometheus`, once: the recipe installs it when
# missing, as root; the package's service is not used). It scrapes a shop's services, which
# `prometheus_targets.py` serves on one loopback port (a path per service, every 2 s) along with a target that
# is down; it evaluates recording and alerting rules; six hours of the services' history are backfilled with
# `promtool tsdb create-blocks-from openmetrics` before it starts.
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-new25}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
command -v prometheus >/dev/null || apt-get install -y -q prometheus >&2

one_sample() {
  local targets job team
  targets="$(free_port)"
  python3 "$HERE/prometheus_targets.py" "$targets" "$root/history.om" --seed "$seed" >"$root/targets.log" 2>&1 &
  PIDS+=($!)
  wait_port "$targets" 120
  promtool tsdb create-blocks-from openmetrics "$root/history.om" "$root/tsdb" >"$root/backfill.log" 2>&1
  {
    printf 'global:\n  scrape_interval: 2s\n  evaluation_interval: 2s\n  external_labels: {cluster: shop-eu1}\n'
    printf 'rule_files: [%s]\nscrape_configs:\n' "$HERE/prometheus_rules.yml"
    printf '  - job_name: prometheus\n    static_configs: [{targets: ["127.0.0.1:%s"]}]\n' "$port"
    for job in checkout-api payments inventory search; do
      team=$([[ $job == search ]] && echo platform || echo shop)
      printf '  - job_name: %s\n    metrics_path: /metrics/%s\n' "$job" "$job"
      printf '    static_configs: [{targets: ["127.0.0.1:%s"], labels: {team: %s, env: prod}}]\n' "$targets" "$team"
    done
    printf '  - job_name: legacy-billing\n    static_configs: [{targets: ["127.0.0.1:%s"], labels: {team: finance}}]\n' \
        "$(free_port)"
  } >"$root/prometheus.yml"
  prometheus --config.file="$root/prometheus.yml" --storage.tsdb.path="$root/tsdb" \
      --web.listen-address="127.0.0.1:$port" --web.enable-admin-api --web.enable-lifecycle \
      --storage.tsdb.retention.time=2d >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 60
  sleep 5  # a few scrapes and rule evaluations before the first query
  start_proxy "$port" "$rec"
  (cd "$root" && exec python3 "$HERE/prometheus_drive.py" "http://127.0.0.1:$PROXY_PORT" --seed "$seed" \
      "${budget[@]}") >"$root/drive.log" 2>&1
}
record_samples prometheus "$OUT"
