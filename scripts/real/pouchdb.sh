#!/usr/bin/env bash
# Record a PouchDB Server (CouchDB's HTTP API; in-memory databases) driven by nano, the CouchDB client
# for Node: OUT/pouchdb-a.jsonl.gz and -b (seeds 1 and 2, a fresh server each). CouchDB publishes no
# OpenAPI description and pouchdb-server ships none: no truth spec.
#   scripts/real/pouchdb.sh [OUT]      (default /work/realset-holdout2)
# The driver is JavaScript (the client is): pouchdb_drive.js, the Node twin of workload.py.
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-holdout2}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
PREFIX="$CACHE/pouchdb"
if [[ ! -x "$PREFIX/node_modules/.bin/pouchdb-server" || ! -d "$PREFIX/node_modules/nano" ]]; then
  mkdir -p "$PREFIX" && npm install --prefix "$PREFIX" --no-audit --no-fund pouchdb-server@4.2.0 nano@10.1.4 >&2
fi

one_sample() {
  # --in-memory: the memdown adapter, no native leveldown build; the server writes its config.json and
  # log.txt into its working directory, the scratch dir.
  (cd "$root" && exec "$PREFIX/node_modules/.bin/pouchdb-server" --in-memory --host 127.0.0.1 --port "$port") \
      >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 90
  start_proxy "$port" "$rec"
  NODE_PATH="$PREFIX/node_modules" node "$HERE/pouchdb_drive.js" "http://127.0.0.1:$PROXY_PORT" --seed "$seed" \
      "${budget[@]}" >"$root/drive.log" 2>&1
}
record_samples pouchdb "$OUT"
