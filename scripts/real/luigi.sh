#!/usr/bin/env bash
# Record a Luigi central scheduler (`luigid`: its RPC API `/api/<method>`) driven by real Luigi workers (Luigi's
# own `RemoteScheduler`, in the driver's process and through the `luigi` CLI) running the task graphs of
# `luigi_tasks.py`, and by its visualiser's API calls, from `luigi_drive.py`: OUT/luigi-a.jsonl.gz and -b
# (seeds 1 and 2, a fresh scheduler each). luigid serves no OpenAPI description: no truth spec.
#   scripts/real/luigi.sh [OUT]      (default /work/realset-new28)
# From PyPI into one venv (with requests, which Luigi's RemoteScheduler uses when it is there: a POST with the
# arguments as JSON in a form field). The scheduler's config (LUIGI_CONFIG_PATH) retries a failed task after 5
# s and disables it after 2 failures in an hour, so the visualiser finds FAILED and DISABLED tasks; its state
# file and the tasks' outputs are in the sample's scratch dir.
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-new28}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
VENV="$(ensure_venv luigi luigi==3.8.1 requests==2.34.2)"

one_sample() {
  cat >"$root/luigi.cfg" <<'CFG'
[scheduler]
retry_delay = 5
retry_count = 2
disable_window = 3600
disable_persist = 600
CFG
  export LUIGI_CONFIG_PATH="$root/luigi.cfg"
  (cd "$root" && exec "$VENV/bin/luigid" --address 127.0.0.1 --port "$port" --state-path "$root/state.pickle" \
      --logdir "$root") >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 60
  wait_http 60 0.5 "http://127.0.0.1:$port/api/is_paused"
  start_proxy "$port" "$rec"
  (cd "$root" && "$VENV/bin/python" "$HERE/luigi_drive.py" "http://127.0.0.1:$PROXY_PORT" "$VENV/bin/luigi" \
      "$root/out" --seed "$seed" "${budget[@]}") >"$root/drive.log" 2>&1
}
record_samples luigi "$OUT"
