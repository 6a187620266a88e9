#!/usr/bin/env bash
# Record a Label Studio server (SQLite, a data dir of its own) driven by its own client,
# label-studio-sdk's LabelStudio: OUT/labelstudio-a.jsonl.gz and -b (seeds 1 and 2, a fresh server each),
# and OUT/labelstudio.truth.json, the OpenAPI 3.0 description it publishes at /docs/api/schema/json/.
#   scripts/real/labelstudio.sh [OUT]      (default /work/realset-holdout3)
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-holdout3}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
# sentry-sdk 3 (2026) dropped the `send_default_pii` option label-studio 1.23.2 passes at start: the server
# died importing its settings, and nothing ever listened
VENV="$(ensure_venv labelstudio label-studio==1.23.2 label-studio-sdk==2.1.2 'sentry-sdk<3')"
TOKEN=0123456789abcdef0123456789abcdef01234567

one_sample() {
  # The first user and its legacy API token (the SDK sends `Token ...`) are made at start.
  # LATEST_VERSION_CHECK off: the server would ask the package registry for its newest release.
  # SSRF_PROTECTION_ENABLED off: the workload's webhooks are inactive ones on loopback, which the
  # server refuses to register otherwise.
  (cd "$root" && LABEL_STUDIO_BASE_DATA_DIR="$root/data" LATEST_VERSION_CHECK=false SSRF_PROTECTION_ENABLED=false \
      exec "$VENV/bin/label-studio" start --no-browser --internal-host 127.0.0.1 -p "$port" --data-dir "$root/data" \
      --username admin@example.com --password 'realset-pass-1' --user-token "$TOKEN" --enable-legacy-api-token) \
      >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 300
  [[ $seed == 1 ]] && "$VENV/bin/python" "$HERE/truth.py" "http://127.0.0.1:$port/docs/api/schema/json/" \
      "$OUT/labelstudio.truth.json"
  start_proxy "$port" "$rec"
  "$VENV/bin/python" "$HERE/labelstudio_drive.py" "http://127.0.0.1:$PROXY_PORT" "$TOKEN" --seed "$seed" \
      "${budget[@]}" >"$root/drive.log" 2>&1
}
record_samples labelstudio "$OUT"
