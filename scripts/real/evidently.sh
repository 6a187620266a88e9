#!/usr/bin/env bash
# Record an Evidently UI service (`evidently ui`: its local file workspace in the scratch dir, a secret for
# writes) driven by its own client, `RemoteWorkspace` (the same package), and the web UI's calls for what
# the client leaves to the UI: OUT/evidently-a.jsonl.gz and -b (seeds 1 and 2, a fresh workspace each), and
# OUT/evidently.truth.json from the OpenAPI 3.1 description the service serves (`/schema/openapi.json`,
# Litestar's, read before the proxy starts).
#   scripts/real/evidently.sh [OUT]      (default /work/realset-new18)
# pandas is pinned below 3: evidently 0.7.23's legacy tests import a helper pandas 3 removed (the service
# fails at start without the pin). Telemetry is off (DO_NOT_TRACK).
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-new18}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
VENV="$(ensure_venv evidently evidently==0.7.23 "pandas<3" requests)"
SECRET=realset-evidently-secret

one_sample() {
  DO_NOT_TRACK=1 "$VENV/bin/evidently" ui --host 127.0.0.1 --port "$port" --workspace "$root/workspace" \
      --secret "$SECRET" >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 120
  if [[ $seed == 1 ]]; then
    curl -sf "http://127.0.0.1:$port/schema/openapi.json" >"$root/openapi.json"
    "$SPECBUILD_PYTHON" "$HERE/truth.py" "$root/openapi.json" "$OUT/evidently.truth.json" >&2
  fi
  start_proxy "$port" "$rec"
  DO_NOT_TRACK=1 "$VENV/bin/python" "$HERE/evidently_drive.py" "http://127.0.0.1:$PROXY_PORT" "$SECRET" \
      --seed "$seed" "${budget[@]}" >"$root/drive.log" 2>&1
}
record_samples evidently "$OUT"
