#!/usr/bin/env bash
# Record a Directus server (SQLite, uploads in a scratch dir) driven by its own client, `@directus/sdk`:
# OUT/directus-a.jsonl.gz and -b (seeds 1 and 2, a fresh server each), and OUT/directus.truth.json, the
# OpenAPI 3.0 description the running server publishes at /server/specs/oas, fetched with the admin's
# token after sample a's workload so that it lists the collections the workload made (their
# `/items/<collection>` paths are per collection there).
#   scripts/real/directus.sh [OUT]      (default /work/realset-holdout4)
# Directus 10.13 (the last line that runs on Node 20; 11 and later want Node 22) and the SDK of its time;
# npm builds its native modules (sqlite3, isolated-vm, argon2) from source against the system's Node
# headers (/usr/include/node), since their prebuilt binaries come from outside the registry. The driver
# is JavaScript (the client is): directus_drive.js, the Node twin of workload.py.
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-holdout4}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
PINS="directus@10.13.4 @directus/sdk@16.1.2"
PREFIX="$CACHE/directus"
if [[ ! -x "$PREFIX/node_modules/.bin/directus" || "$(cat "$PREFIX/.specbuild-pins" 2>/dev/null)" != "$PINS" ]]; then
  mkdir -p "$PREFIX"
  # nice: the native builds take minutes of both cores
  npm_config_nodedir="${npm_config_nodedir:-/usr}" nice -n 10 npm install --prefix "$PREFIX" --no-audit --no-fund $PINS >&2
  printf '%s' "$PINS" >"$PREFIX/.specbuild-pins"
fi
EMAIL=admin@example.com PASSWORD=realset-pass-1 TOKEN=realset-admin-token-0123456789

one_sample() {
  # The server's whole configuration is its environment. No telemetry, no cache, no rate limiter (the
  # workload is one client), the first admin with a static token (for the description's fetch); a
  # package.json in its working dir, where it looks for extensions packages.
  export DB_CLIENT=sqlite3 DB_FILENAME="$root/data.db" KEY=realset-key SECRET=realset-secret \
    ADMIN_EMAIL="$EMAIL" ADMIN_PASSWORD="$PASSWORD" ADMIN_TOKEN="$TOKEN" HOST=127.0.0.1 PORT="$port" \
    PUBLIC_URL="http://127.0.0.1:$port" TELEMETRY=false STORAGE_LOCATIONS=local STORAGE_LOCAL_ROOT="$root/uploads" \
    EXTENSIONS_PATH="$root/extensions" LOG_LEVEL=warn CACHE_ENABLED=false RATE_LIMITER_ENABLED=false
  mkdir -p "$root/uploads" "$root/extensions" && echo '{"name": "realset-directus", "private": true}' >"$root/package.json"
  (cd "$root" && "$PREFIX/node_modules/.bin/directus" bootstrap) >"$root/bootstrap.log" 2>&1
  (cd "$root" && exec "$PREFIX/node_modules/.bin/directus" start) >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 120
  start_proxy "$port" "$rec"
  NODE_PATH="$PREFIX/node_modules" node "$HERE/directus_drive.js" "http://127.0.0.1:$PROXY_PORT" "$EMAIL" "$PASSWORD" \
      --seed "$seed" "${budget[@]}" >"$root/drive.log" 2>&1
  [[ $seed == 1 ]] && python3 "$HERE/truth.py" "http://127.0.0.1:$port/server/specs/oas?access_token=$TOKEN" \
      "$OUT/directus.truth.json"
  return 0
}
record_samples directus "$OUT"
