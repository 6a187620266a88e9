#!/usr/bin/env bash
# Record jupyter_server's REST API: OUT/jupyter-a.jsonl.gz and -b (seeds 1 and 2, a fresh server each),
# and OUT/jupyter.truth.json, the API description the package ships (services/api/api.yaml).
#   scripts/real/jupyter.sh [OUT]      (default /work/realset)
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset}"; mkdir -p "$OUT"
VENV="$(ensure_venv jupyter "jupyter_server==2.*" ipykernel requests pyyaml)"
HERE="$(cd "$(dirname "$0")" && pwd)"

"$VENV/bin/python" "$HERE/truth.py" jupyter "$OUT/jupyter.truth.json"

one_sample() {
  local token="realset-$seed"
  mkdir "$root/home"
  (cd "$root/home" && exec "$VENV/bin/jupyter-server" --no-browser --ip=127.0.0.1 --port="$port" \
      --ServerApp.root_dir="$root/home" --IdentityProvider.token="$token" --ServerApp.port_retries=0 --allow-root) \
      >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 90
  start_proxy "$port" "$rec"
  "$VENV/bin/python" "$HERE/jupyter_drive.py" "http://127.0.0.1:$PROXY_PORT" "$token" --seed "$seed" "${budget[@]}"
}
record_samples jupyter "$OUT"
