#!/usr/bin/env bash
# Record an MLflow tracking server (SQLite store, artifacts served) driven by MlflowClient:
# OUT/mlflow-a.jsonl.gz and -b (seeds 1 and 2, a fresh server each). MLflow publishes no OpenAPI
# description of its REST API: no truth spec.
#   scripts/real/mlflow.sh [OUT]      (default /work/realset)
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset}"; mkdir -p "$OUT"
VENV="$(ensure_venv mlflow mlflow)"
HERE="$(cd "$(dirname "$0")" && pwd)"

one_sample() {
  "$VENV/bin/mlflow" server --host 127.0.0.1 --port "$port" --workers 1 \
      --backend-store-uri "sqlite:///$root/mlflow.db" --artifacts-destination "$root/artifacts" \
      --allowed-hosts '127.0.0.1:*,localhost:*' >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 180
  start_proxy "$port" "$rec"
  "$VENV/bin/python" "$HERE/mlflow_drive.py" "http://127.0.0.1:$PROXY_PORT" --seed "$seed" "${budget[@]}" \
      >"$root/drive.log" 2>&1
}
record_samples mlflow "$OUT"
