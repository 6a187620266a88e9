#!/usr/bin/env bash
# Record a ZenML server (SQLite, the local deployment `zenml login --local` starts, its FastAPI app run
# by uvicorn) driven by its own client, `zenml.client.Client`, and the pipelines it runs on the local
# orchestrator: OUT/zenml-a.jsonl.gz and -b (seeds 1 and 2, a fresh server each), and OUT/zenml.truth.json,
# the OpenAPI 3.1 description the server publishes at /openapi.json (its $refs inlined 4 deep: all of them
# would be hundreds of MB).
#   scripts/real/zenml.sh [OUT]      (default /work/realset-holdout6)
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-holdout6}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
VENV="$(ensure_venv zenml 'zenml[server]==0.98.0')"

one_sample() {
  # The server as the local daemon of `zenml login --local` configures it (no auth, the local deployment
  # type, its default user and stack made at start), its database, global config and local stores in
  # the scratch dir; analytics off on both sides.
  ZENML_SERVER=true ZENML_CONFIG_PATH="$root/server" ZENML_STORE_URL="sqlite:///$root/zenml.db" \
    ZENML_LOCAL_STORES_PATH="$root/stores" ZENML_SERVER_AUTH_SCHEME=NO_AUTH ZENML_SERVER_DEPLOYMENT_TYPE=local \
    ZENML_SERVER_AUTO_ACTIVATE=True ZENML_ANALYTICS_OPT_IN=false ZENML_SERVER_ALLOW_LOCAL_FILE_ACCESS=true \
    "$VENV/bin/python" -m uvicorn zenml.zen_server.zen_server_api:app --host 127.0.0.1 --port "$port" \
    >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 180
  [[ $seed == 1 ]] && "$VENV/bin/python" "$HERE/truth.py" "http://127.0.0.1:$port/openapi.json" "$OUT/zenml.truth.json" \
      --max-ref-depth 4
  start_proxy "$port" "$rec"
  # The client's own config dir in the scratch dir (the default stack it activates, its local artifact
  # store's files), the server through the proxy; the pipelines run in the driver's process.
  (cd "$root" && ZENML_CONFIG_PATH="$root/client" ZENML_STORE_URL="http://127.0.0.1:$PROXY_PORT" \
    ZENML_ANALYTICS_OPT_IN=false ZENML_LOGGING_VERBOSITY=WARN \
    "$VENV/bin/python" "$HERE/zenml_drive.py" --seed "$seed" "${budget[@]}") >"$root/drive.log" 2>&1
}
record_samples zenml "$OUT"
