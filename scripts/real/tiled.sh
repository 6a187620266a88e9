#!/usr/bin/env bash
# Record a Tiled server (a catalog on SQLite, the data it is sent written under a local dir) driven by its
# own Python client (`tiled.client`, the same package): OUT/tiled-a.jsonl.gz and -b (seeds 1 and 2, a fresh
# catalog each), and OUT/tiled.truth.json from the running server's /openapi.json (OpenAPI 3.1, FastAPI's).
#   scripts/real/tiled.sh [OUT]      (default /work/realset-holdout12)
# `tiled serve catalog --init` makes the catalog database; one API key (the single-user mode) is both the
# client's and the admin's. Every node's path is its keys (`/api/v1/metadata/{path}` where `{path}` is
# FastAPI's `{path:path}`: one segment or several).
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-holdout12}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
VENV="$(ensure_venv tiled "tiled[all]==0.2.20")"
KEY=realsetTiledKey2026  # Tiled takes letters and digits only

one_sample() {
  mkdir -p "$root/data"
  "$VENV/bin/tiled" serve catalog "$root/catalog.db" --init --write "$root/data" --api-key "$KEY" \
      --host 127.0.0.1 --port "$port" >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 120
  [[ $seed == 1 ]] && "$VENV/bin/python" "$HERE/truth.py" "http://127.0.0.1:$port/openapi.json" "$OUT/tiled.truth.json"
  start_proxy "$port" "$rec"
  "$VENV/bin/python" "$HERE/tiled_drive.py" "http://127.0.0.1:$PROXY_PORT" "$KEY" --seed "$seed" "${budget[@]}" \
      >"$root/drive.log" 2>&1
}
record_samples tiled "$OUT"
