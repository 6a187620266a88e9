#!/usr/bin/env bash
# Record a Parse Server (PostgreSQL) driven by Parse's own JavaScript SDK, `parse` (a shop's web app and
# admin scripts), and by its REST API as the shop's mobile app calls it: OUT/parse-a.jsonl.gz and -b (seeds 1
# and 2, a fresh server and database each). Parse Server serves no OpenAPI description: no truth spec.
#   scripts/real/parse.sh [OUT]      (default /work/realset-holdout8)
# Parse Server 9.10.0 runs on Node 20.19 or later (and 22, 24). Its database is a PostgreSQL cluster the
# recipe makes per sample with the server binaries on the machine, as unleash.sh does (`postgres` on PATH,
# else PG_BIN; Debian's postgresql package), run as the `postgres` user when the recipe runs as root. The
# app's cloud code is parse_cloud.js.
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-holdout8}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
# router 2.2.0 pinned beside them: express 5.2.1 takes router ^2.2.0, and 2.3.0's Layer.match returns its
# params instead of setting layer.params, which Parse Server's PromiseRouter reads (every /batch request and
# every cloud-code query then fails with a 500).
SERVER_VERSION=9.10.0 SDK_VERSION=8.6.0 ROUTER_VERSION=2.2.0
PREFIX="$CACHE/parse"
if [[ "$(cat "$PREFIX/.specbuild-pins" 2>/dev/null)" != "$SERVER_VERSION $SDK_VERSION $ROUTER_VERSION" ]]; then
  mkdir -p "$PREFIX"
  npm install --prefix "$PREFIX" --no-audit --no-fund "parse-server@$SERVER_VERSION" "parse@$SDK_VERSION" \
      "router@$ROUTER_VERSION" >&2
  printf '%s' "$SERVER_VERSION $SDK_VERSION $ROUTER_VERSION" >"$PREFIX/.specbuild-pins"
fi
uses_postgres
APP_ID=realset-shop JS_KEY=realset-js-key MASTER_KEY=realset-master-key REST_KEY=realset-rest-key

one_sample() {
  start_postgres parse parse
  PROXY_PORT="$(free_port)"
  # The server's own URL (its cloud code calls back through it, files get their URLs from it) is the
  # proxy's: what the clients see. Master key from loopback only (Parse's default); files on local disk.
  (cd "$root" && exec node "$PREFIX/node_modules/parse-server/bin/parse-server" --appId "$APP_ID" \
      --masterKey "$MASTER_KEY" --javascriptKey "$JS_KEY" --restAPIKey "$REST_KEY" \
      --databaseURI "postgres://parse@127.0.0.1:$PG_PORT/postgres" --port "$port" --host 127.0.0.1 \
      --mountPath /parse --serverURL "http://127.0.0.1:$port/parse" --publicServerURL "http://127.0.0.1:$PROXY_PORT/parse" \
      --filesAdapter @parse/fs-files-adapter --cloud "$HERE/parse_cloud.js" --logLevel error) >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 120
  start_proxy "$port" "$rec"
  NODE_PATH="$PREFIX/node_modules" node "$HERE/parse_drive.js" "http://127.0.0.1:$PROXY_PORT/parse" "$APP_ID" "$JS_KEY" \
      "$MASTER_KEY" "$REST_KEY" --seed "$seed" "${budget[@]}" >"$root/drive.log" 2>&1
}
record_samples parse "$OUT"
