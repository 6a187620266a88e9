#!/usr/bin/env bash
# Record an Unleash server (open-source edition, PostgreSQL) driven by its own Node SDK, unleash-client (the
# client API: register, flags, metrics), and by its admin and frontend APIs as the admin UI and a web app
# call them: OUT/unleash-a.jsonl.gz and -b (seeds 1 and 2, a fresh server and database each), and
# OUT/unleash.truth.json from `/docs/openapi.json` of the running server (OpenAPI 3.0).
#   scripts/real/unleash.sh [OUT]      (default /work/realset-holdout7)
# Unleash 7.4.1 runs on Node 20 (so does 7.5.1; 7.6 and 8 want Node 22). Its
# database is a PostgreSQL cluster the recipe makes per sample with the server binaries on the machine
# (`postgres` on PATH, else PG_BIN; Debian's postgresql package), run as the `postgres` user when the
# recipe runs as root (PostgreSQL refuses root), its data under /tmp then (root's home is closed to it).
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-holdout7}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
SERVER_VERSION=7.4.1 SDK_VERSION=6.12.1
PREFIX="$CACHE/unleash"
if [[ "$(cat "$PREFIX/.specbuild-pins" 2>/dev/null)" != "$SERVER_VERSION $SDK_VERSION" ]]; then
  mkdir -p "$PREFIX"
  npm install --prefix "$PREFIX" --no-audit --no-fund "unleash-server@$SERVER_VERSION" "unleash-client@$SDK_VERSION" >&2
  printf '%s' "$SERVER_VERSION $SDK_VERSION" >"$PREFIX/.specbuild-pins"
fi
uses_postgres
# Tokens the server is started with (INIT_*_API_TOKENS): an admin token for the admin API, a backend token
# for the SDK, a frontend token for the frontend API.
ADMIN_TOKEN='*:*.realset-admin-token'
BACKEND_TOKEN='default:development.realset-backend-token'
FRONTEND_TOKEN='default:development.realset-frontend-token'

one_sample() {
  start_postgres unleash unleash
  # no version check or telemetry (offline); errors only in the server's log
  DATABASE_URL="postgres://unleash@127.0.0.1:$PG_PORT/postgres" DATABASE_SSL=false HTTP_HOST=127.0.0.1 \
  HTTP_PORT="$port" LOG_LEVEL=error CHECK_VERSION=false SEND_TELEMETRY=false \
  INIT_ADMIN_API_TOKENS="$ADMIN_TOKEN" INIT_BACKEND_API_TOKENS="$BACKEND_TOKEN" INIT_FRONTEND_API_TOKENS="$FRONTEND_TOKEN" \
      node "$PREFIX/node_modules/unleash-server/dist/server.js" >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 180
  if [[ $seed == 1 ]]; then
    "$SPECBUILD_PYTHON" "$HERE/truth.py" "http://127.0.0.1:$port/docs/openapi.json" "$OUT/unleash.truth.json" >&2
  fi
  start_proxy "$port" "$rec"
  NODE_PATH="$PREFIX/node_modules" node "$HERE/unleash_drive.js" "http://127.0.0.1:$PROXY_PORT" "$ADMIN_TOKEN" \
      "$BACKEND_TOKEN" "$FRONTEND_TOKEN" --seed "$seed" "${budget[@]}" >"$root/drive.log" 2>&1
}
record_samples unleash "$OUT"
