#!/usr/bin/env bash
# Record a changedetection.io server (its JSON datastore in the scratch dir) driven through its REST API as
# its API documentation calls it (requests; the project ships no client library): OUT/changedetection-a.jsonl.gz
# and -b (seeds 1 and 2, a fresh datastore each), and OUT/changedetection.truth.json from the OpenAPI 3
# description the server serves (`/api/v1/full-spec`, YAML, read before the proxy starts).
#   scripts/real/changedetection.sh [OUT]      (default /work/realset-new)
# Every watch points at pages a local static server serves (loopback only: ALLOW_IANA_RESTRICTED_ADDRESSES
# lets the fetcher reach it); the driver rewrites those pages so rechecks find changes and history grows.
# The one `-u` URL at start keeps the server from adding its two default watches (public sites), and
# DISABLE_VERSION_CHECK keeps it from asking its project's site for a newer release.
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-new}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
VENV="$(ensure_venv changedetection changedetection.io==0.60.10 requests)"

one_sample() {
  local pages_port; pages_port="$(free_port)"
  mkdir -p "$root/pages" "$root/data"
  echo "<html><body><h1>status</h1><p>all systems normal</p></body></html>" >"$root/pages/status.html"
  (cd "$root/pages" && exec python3 -m http.server "$pages_port" --bind 127.0.0.1) >"$root/pages.log" 2>&1 &
  PIDS+=($!)
  wait_port "$pages_port" 30
  DISABLE_VERSION_CHECK=true ALLOW_IANA_RESTRICTED_ADDRESSES=true LLM_FEATURES_DISABLED=true \
      "$VENV/bin/changedetection.io" -C -d "$root/data" -h 127.0.0.1 -p "$port" -l WARNING \
      -u "http://127.0.0.1:$pages_port/status.html" >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 120
  local key
  key="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["settings"]["application"]["api_access_token"])' \
      "$root/data/changedetection.json")"
  if [[ $seed == 1 ]]; then
    curl -sf -H "x-api-key: $key" "http://127.0.0.1:$port/api/v1/full-spec" >"$root/api.yaml"
    "$VENV/bin/python" -c 'import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), open(sys.argv[2], "w"))' \
        "$root/api.yaml" "$root/api.json"
    "$SPECBUILD_PYTHON" "$HERE/truth.py" "$root/api.json" "$OUT/changedetection.truth.json" >&2
  fi
  start_proxy "$port" "$rec"
  "$VENV/bin/python" "$HERE/changedetection_drive.py" "http://127.0.0.1:$PROXY_PORT" "http://127.0.0.1:$pages_port" \
      "$root/pages" "$key" --seed "$seed" "${budget[@]}" >"$root/drive.log" 2>&1
}
record_samples changedetection "$OUT"
