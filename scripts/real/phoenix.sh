#!/usr/bin/env bash
# Record an Arize Phoenix server (SQLite, no auth) driven by its own client, arize-phoenix-client's `Client`:
# OUT/phoenix-a.jsonl.gz and -b (seeds 1 and 2, a fresh server each), and OUT/phoenix.truth.json from
# `/openapi.json` of the running server (OpenAPI 3.1, its REST API under /v1).
#   scripts/real/phoenix.sh [OUT]      (default /work/realset-holdout8)
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-holdout8}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
VENV="$(ensure_venv phoenix arize-phoenix==20.26.1 arize-phoenix-client==3.5.0)"

one_sample() {
  local grpc_port
  grpc_port="$(free_port)"
  # Its SQLite database and exports in the scratch dir; its OTLP gRPC receiver on a free port (the client's
  # experiments report over OTLP/HTTP, on the REST port, which the proxy carries); no telemetry (offline);
  # warnings only in its log (at info it logs every SQL statement).
  (cd "$root" && PHOENIX_WORKING_DIR="$root" PHOENIX_HOST=127.0.0.1 PHOENIX_PORT="$port" \
      PHOENIX_GRPC_PORT="$grpc_port" PHOENIX_TELEMETRY_ENABLED=false PHOENIX_LOGGING_LEVEL=warning \
      PHOENIX_DB_LOGGING_LEVEL=warning exec "$VENV/bin/phoenix" serve) \
      >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 180
  if [[ $seed == 1 ]]; then
    "$SPECBUILD_PYTHON" "$HERE/truth.py" "http://127.0.0.1:$port/openapi.json" "$OUT/phoenix.truth.json" >&2
  fi
  start_proxy "$port" "$rec"
  # The experiments' OTLP exporter reads its endpoint from PHOENIX_COLLECTOR_ENDPOINT: the proxy too.
  PHOENIX_COLLECTOR_ENDPOINT="http://127.0.0.1:$PROXY_PORT" "$VENV/bin/python" "$HERE/phoenix_drive.py" \
      "http://127.0.0.1:$PROXY_PORT" --seed "$seed" "${budget[@]}" >"$root/drive.log" 2>&1
}
record_samples phoenix "$OUT"
