#!/usr/bin/env bash
# Record a devpi-server (offline: no mirror of the public index) driven by the devpi CLI and pip:
# OUT/devpi-a.jsonl.gz and -b (seeds 1 and 2, a fresh server each). The proxy's URL is the server's
# --outside-url: devpi hands clients absolute URLs, which must lead back through the proxy.
# devpi publishes no OpenAPI description: no truth spec.
#   scripts/real/devpi.sh [OUT]      (default /work/realset-holdout)
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-holdout}"; mkdir -p "$OUT"
VENV="$(ensure_venv devpi devpi-server devpi-client devpi-web)"
HERE="$(cd "$(dirname "$0")" && pwd)"

one_sample() {
  PROXY_PORT="$(free_port)"
  "$VENV/bin/devpi-init" --serverdir "$root/server" --root-passwd root --no-root-pypi >"$root/init.log" 2>&1
  "$VENV/bin/devpi-server" --serverdir "$root/server" --host 127.0.0.1 --port "$port" --offline-mode \
      --outside-url "http://127.0.0.1:$PROXY_PORT" >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 120
  start_proxy "$port" "$rec"
  "$VENV/bin/python" "$HERE/devpi_drive.py" "http://127.0.0.1:$PROXY_PORT" --seed "$seed" "${budget[@]}" \
      >"$root/drive.log" 2>&1
}
record_samples devpi "$OUT"
