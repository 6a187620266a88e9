#!/usr/bin/env bash
# Record a Kinto server (memory backends, accounts, history) driven by kinto-http:
# OUT/kinto-a.jsonl.gz and -b (seeds 1 and 2, a fresh server each), and OUT/kinto.truth.json, the
# description the server publishes at /v1/__api__ (Swagger 2.0, converted by truth.py).
#   scripts/real/kinto.sh [OUT]      (default /work/realset)
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset}"; mkdir -p "$OUT"
VENV="$(ensure_venv kinto kinto kinto-http)"
HERE="$(cd "$(dirname "$0")" && pwd)"

one_sample() {
  "$VENV/bin/kinto" init --ini "$root/kinto.ini" --backend memory --cache-backend memory >/dev/null 2>&1
  # Any account may create buckets (a shared server); history on; INFO logs, not DEBUG.
  sed -i -e 's/^kinto.bucket_create_principals = .*/kinto.bucket_create_principals = system.Authenticated/' \
         -e 's/^                 kinto.plugins.accounts/                 kinto.plugins.accounts\n                 kinto.plugins.history/' \
         -e 's/^level = DEBUG/level = INFO/' "$root/kinto.ini"
  "$VENV/bin/pserve" "$root/kinto.ini" "http_port=$port" >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 90
  [[ $seed == 1 ]] && "$VENV/bin/python" "$HERE/truth.py" "http://127.0.0.1:$port/v1/__api__" "$OUT/kinto.truth.json"
  start_proxy "$port" "$rec"
  "$VENV/bin/python" "$HERE/kinto_drive.py" "http://127.0.0.1:$PROXY_PORT/v1" --seed "$seed" "${budget[@]}" \
      >"$root/drive.log" 2>&1
}
record_samples kinto "$OUT"
