#!/usr/bin/env bash
# Record a Gradio app's API (`gradio_app.py`: a support team's toolkit, endpoints under the names its author gave
# them) driven by Gradio's own client (`gradio_client`) and the REST calls of its "Use via API" page, from
# `gradio_drive.py`: OUT/gradio-a.jsonl.gz and -b (seeds 1 and 2, a fresh app each), and the truth
# OUT/gradio.truth.json from `/gradio_api/openapi.json` of the running app (OpenAPI 3.0: the upload and each
# endpoint's REST call and result stream; not the queue's paths `gradio_client` calls).
#   scripts/real/gradio.sh [OUT]      (default /work/realset-new27)
# From PyPI into one venv (gradio_client comes with gradio). Analytics off; the app's uploads and outputs in one
# folder under the cache (GRADIO_TEMP_DIR), emptied before each sample: its path is in every file URL
# (`/gradio_api/file=<path>`), fixed as a deployment's is (a scratch dir per sample would differ a to b).
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-new27}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
VENV="$(ensure_venv gradio gradio==6.31.0 gradio_client==2.7.2)"
export GRADIO_ANALYTICS_ENABLED=False

one_sample() {
  rm -rf "$CACHE/gradio-files"
  (cd "$root" && GRADIO_TEMP_DIR="$CACHE/gradio-files" exec "$VENV/bin/python" "$HERE/gradio_app.py" "$port") >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 120
  [[ $seed == 1 ]] && "$VENV/bin/python" "$HERE/truth.py" "http://127.0.0.1:$port/gradio_api/openapi.json" "$OUT/gradio.truth.json"
  start_proxy "$port" "$rec"
  (cd "$root" && "$VENV/bin/python" "$HERE/gradio_drive.py" "http://127.0.0.1:$PROXY_PORT" --seed "$seed" \
      "${budget[@]}") >"$root/drive.log" 2>&1
}
record_samples gradio "$OUT"
