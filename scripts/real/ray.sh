#!/usr/bin/env bash
# Record a Ray head node's dashboard (its job submission REST API and its state API) driven by Ray's own clients:
# `JobSubmissionClient`, `ray.util.state` and the `ray job` / `ray list` / `ray summary` CLI, from `ray_drive.py`:
# OUT/ray-a.jsonl.gz and -b (seeds 1 and 2, a fresh head node each). The dashboard serves no OpenAPI
# description: no truth spec.
#   scripts/real/ray.sh [OUT]      (default /work/realset-new26)
# From PyPI (`ray[default]`: the dashboard and the job server). `ray start --head --block` in the foreground, so
# the recipe's PID is the head node's (TERM stops its processes); every port it opens is a free one, its temp dir
# (unix sockets: short paths) under /tmp, removed after the sample; usage stats off. The jobs run the driver's
# scripts from a working dir the client uploads; some start Ray tasks and named actors.
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-new26}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
VENV="$(ensure_venv ray "ray[default]==2.60.0")"
export RAY_USAGE_STATS_ENABLED=0
RAYDIRS=()
trap 'stop_all; rm -rf "${RAYDIRS[@]}"' EXIT

one_sample() {
  local tmp gcs worker
  tmp="$(mktemp -d /tmp/realset-ray.XXXXXX)"; RAYDIRS+=("$tmp")
  gcs="$(free_port)"; worker=$(( 20000 + RANDOM % 20000 ))
  (cd "$root" && exec "$VENV/bin/ray" start --head --block --node-ip-address 127.0.0.1 --port "$gcs" \
      --dashboard-host 127.0.0.1 --dashboard-port "$port" --include-dashboard true --num-cpus 2 \
      --ray-client-server-port "$(free_port)" --dashboard-agent-listen-port "$(free_port)" \
      --dashboard-agent-grpc-port "$(free_port)" --runtime-env-agent-port "$(free_port)" \
      --metrics-export-port "$(free_port)" --node-manager-port "$(free_port)" \
      --object-manager-port "$(free_port)" --min-worker-port "$worker" --max-worker-port $(( worker + 200 )) \
      --temp-dir "$tmp" --disable-usage-stats) >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 120
  # the job server answers once the head's agent is up
  wait_http 60 1 "http://127.0.0.1:$port/api/jobs/"
  start_proxy "$port" "$rec"
  (cd "$root" && "$VENV/bin/python" "$HERE/ray_drive.py" "http://127.0.0.1:$PROXY_PORT" "$VENV/bin/ray" \
      --seed "$seed" "${budget[@]}") >"$root/drive.log" 2>&1
}
record_samples ray "$OUT"
