#!/usr/bin/env bash
# Record a Prefect server (SQLite, its background services on, no UI) driven by its own client,
# prefect's SyncPrefectClient: OUT/prefect-a.jsonl.gz and -b (seeds 1 and 2, a fresh server each), and
# OUT/prefect.truth.json, the OpenAPI 3.1 description the server publishes at /api/openapi.json (its
# paths are the API app's, mounted under /api: truth.py adds that server URL).
#   scripts/real/prefect.sh [OUT]      (default /work/realset-holdout3)
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-holdout3}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
VENV="$(ensure_venv prefect prefect==3.9.1)"

one_sample() {
  # PREFECT_HOME in the scratch dir: the server's SQLite database and the client's profile live there.
  # No analytics: the machine reaches only package registries.
  export PREFECT_HOME="$root/home" PREFECT_SERVER_ANALYTICS_ENABLED=false
  "$VENV/bin/prefect" server start --host 127.0.0.1 --port "$port" --no-ui --analytics-off \
      >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 120
  [[ $seed == 1 ]] && "$VENV/bin/python" "$HERE/truth.py" "http://127.0.0.1:$port/api/openapi.json" \
      "$OUT/prefect.truth.json" /api
  start_proxy "$port" "$rec"
  # PREFECT_API_URL too: prefect's flow and task objects would otherwise start a temporary server of
  # their own.
  PREFECT_API_URL="http://127.0.0.1:$PROXY_PORT/api" "$VENV/bin/python" "$HERE/prefect_drive.py" \
      "http://127.0.0.1:$PROXY_PORT/api" --seed "$seed" "${budget[@]}" >"$root/drive.log" 2>&1
}
record_samples prefect "$OUT"
