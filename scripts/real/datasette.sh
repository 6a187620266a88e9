#!/usr/bin/env bash
# Record a Datasette 1.0 server (two SQLite databases it creates, its write API on for the root actor)
# driven by its own client, dclient (and httpx for the calls dclient has no command for):
# OUT/datasette-a.jsonl.gz and -b (seeds 1 and 2, a fresh server each). Datasette serves no OpenAPI
# description of its API: no truth spec.
#   scripts/real/datasette.sh [OUT]      (default /work/realset-holdout6)
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-holdout6}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
VENV="$(ensure_venv datasette datasette==1.0a41 dclient==0.4)"
SECRET=realset-secret-1

one_sample() {
  # --root gives the root actor every permission (the write API's too); the signing secret is fixed so
  # that `datasette create-token` can mint the API token the client sends.
  "$VENV/bin/datasette" serve "$root/shop.db" "$root/ops.db" --create --root --secret "$SECRET" \
    --host 127.0.0.1 --port "$port" >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 120
  local token
  token="$("$VENV/bin/datasette" create-token root --secret "$SECRET")"
  start_proxy "$port" "$rec"
  mkdir -p "$root/files"
  "$VENV/bin/python" "$HERE/datasette_drive.py" "http://127.0.0.1:$PROXY_PORT" "$token" "$root/files" \
      --seed "$seed" "${budget[@]}" >"$root/drive.log" 2>&1
}
record_samples datasette "$OUT"
