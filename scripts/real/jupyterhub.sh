#!/usr/bin/env bash
# Record a JupyterHub's REST API (`/hub/api`) driven by JupyterHub's own clients (`HubAuth`, `jupyterhub-idle-culler`)
# and as its admin panel and users' scripts call it, from `jupyterhub_drive.py`: OUT/jupyterhub-a.jsonl.gz and -b
# (seeds 1 and 2, a fresh hub each). The running hub serves no description: its REST API's OpenAPI 3.1 lives in
# JupyterHub's repository (`docs/source/_static/rest-api.yml`), converted by hand with `truth.py` (the recipe
# writes none).
#   scripts/real/jupyterhub.sh [OUT]      (default /work/realset-new27)
# From PyPI into one venv. `jupyterhub_config.py`: SQLite in the sample's scratch dir, the dummy authenticator,
# named servers on, an admin service whose token the driver sends; a proxy and a spawner that stand in (a routing
# table in memory, every server one small HTTP server in the hub's process): the recording is of the hub's API,
# which the proxy goes in front of directly.
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-new27}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
VENV="$(ensure_venv jupyterhub jupyterhub==6.1.1 jupyterhub-idle-culler==2.0.0 requests==2.34.2)"
export HUB_ADMIN_TOKEN=realset-hub-admin-token-0123456789abcdef

one_sample() {
  export HUB_ROOT="$root" HUB_PORT="$port" HUB_PUBLIC_PORT="$(free_port)"
  (cd "$root" && exec "$VENV/bin/jupyterhub" -f "$HERE/jupyterhub_config.py") >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 120
  wait_http 120 0.5 "http://127.0.0.1:$port/hub/api/"
  start_proxy "$port" "$rec"
  (cd "$root" && "$VENV/bin/python" "$HERE/jupyterhub_drive.py" "http://127.0.0.1:$PROXY_PORT" "$HUB_ADMIN_TOKEN" \
      --seed "$seed" "${budget[@]}") >"$root/drive.log" 2>&1
}
record_samples jupyterhub "$OUT"
