#!/usr/bin/env bash
# Record a Strapi 5 server (SQLite; the app strapi_app.js writes: a magazine's and its shop's content types)
# driven by Strapi's own JavaScript client, `@strapi/client`: OUT/strapi-a.jsonl.gz and -b (seeds 1 and 2, a
# fresh app dir and database each), and OUT/strapi.truth.json from the OpenAPI 3.0 description the
# documentation plugin (`@strapi/plugin-documentation`) writes for the app at its first start.
#   scripts/real/strapi.sh [OUT]      (default /work/realset-holdout9)
# Strapi 5.54.0 runs on Node 20 (20.18 or later; the client 1.6.2 too). npm builds better-sqlite3 from
# source against /usr/include/node on the first install (its prebuilt binaries come from outside the
# registry). The app is started with `strapi start` and no admin panel (`serveAdminPanel: false`: nothing
# to build), NODE_ENV=development (the documentation plugin writes its description only then).
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-holdout9}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
SERVER_VERSION=5.54.0 CLIENT_VERSION=1.6.2 SQLITE_VERSION=12.11.1
PREFIX="$CACHE/strapi"
PINS="$SERVER_VERSION $CLIENT_VERSION $SQLITE_VERSION"
if [[ "$(cat "$PREFIX/.specbuild-pins" 2>/dev/null)" != "$PINS" ]]; then
  mkdir -p "$PREFIX"
  # the admin panel's peers (react, styled-components, ...) too: @strapi/strapi loads the admin package,
  # which requires them, even when it serves no panel
  npm install --prefix "$PREFIX" --no-audit --no-fund "@strapi/strapi@$SERVER_VERSION" \
      "@strapi/plugin-users-permissions@$SERVER_VERSION" "@strapi/plugin-documentation@$SERVER_VERSION" \
      "better-sqlite3@$SQLITE_VERSION" react@18 react-dom@18 react-router-dom@6 styled-components@6 \
      "@strapi/client@$CLIENT_VERSION" >&2
  printf '%s' "$PINS" >"$PREFIX/.specbuild-pins"
fi

one_sample() {
  local app="$root/app"
  node "$HERE/strapi_app.js" "$app"
  ln -s "$PREFIX/node_modules" "$app/node_modules"
  # The app's bootstrap writes the full-access API token the driver sends into REALSET_TOKEN_FILE.
  (cd "$app" && STRAPI_TELEMETRY_DISABLED=true NODE_ENV=development HOST=127.0.0.1 PORT="$port" \
      DATABASE_FILENAME="$root/data.db" REALSET_TOKEN_FILE="$root/token" \
      exec node "$PREFIX/node_modules/@strapi/strapi/bin/strapi.js" start) >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 240
  if [[ $seed == 1 ]]; then
    "$SPECBUILD_PYTHON" "$HERE/truth.py" \
        "$app/src/extensions/documentation/documentation/1.0.0/full_documentation.json" "$OUT/strapi.truth.json" >&2
  fi
  start_proxy "$port" "$rec"
  NODE_PATH="$PREFIX/node_modules" node "$HERE/strapi_drive.js" "http://127.0.0.1:$PROXY_PORT" "$(cat "$root/token")" \
      --seed "$seed" "${budget[@]}" >"$root/drive.log" 2>&1
}
record_samples strapi "$OUT"
