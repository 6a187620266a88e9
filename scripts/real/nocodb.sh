#!/usr/bin/env bash
# Record a NocoDB server (SQLite for its metadata and the users' tables, attachments on local disk)
# driven by its own client, `nocodb-sdk` (the `Api` NocoDB's web app uses): OUT/nocodb-a.jsonl.gz and -b
# (seeds 1 and 2, a fresh database each). NocoDB serves an OpenAPI description per base of the users'
# tables only (its data API for them, `/api/v2/meta/bases/{id}/swagger.json`), none of its meta API: no truth.
#   scripts/real/nocodb.sh [OUT]      (default /work/realset-holdout12)
# NocoDB 0.262 is the last line that runs on Node 20 (0.263 and later want Node 22). Its npm package names
# one dependency as a tarball outside the registry (`xlsx` from SheetJS's own server): an `overrides`
# entry takes the registry's last `xlsx` (0.18.5) instead. npm builds sqlite3 from source against
# /usr/include/node on the first install (~5 minutes). The server is the package's `Noco.init` mounted in an express app,
# as NocoDB documents for npm installs; its super admin comes from NC_ADMIN_EMAIL / NC_ADMIN_PASSWORD.
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-holdout12}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
VERSION=0.262.5 XLSX=0.18.5
PREFIX="$CACHE/nocodb"
PINS="$VERSION $XLSX"
if [[ "$(cat "$PREFIX/.specbuild-pins" 2>/dev/null)" != "$PINS" ]]; then
  rm -rf "$PREFIX"; mkdir -p "$PREFIX"
  cat >"$PREFIX/package.json" <<JSON
{ "name": "realset-nocodb", "private": true,
  "dependencies": { "nocodb": "$VERSION", "nocodb-sdk": "$VERSION" },
  "overrides": { "xlsx": "$XLSX" } }
JSON
  # --ignore-scripts: nocodb-sdk's preinstall refuses any client but pnpm (`npx only-allow pnpm`); the two
  # native modules the server needs are built after
  (cd "$PREFIX" && npm install --no-audit --no-fund --ignore-scripts >&2 && npm rebuild sqlite3 sharp >&2)
  printf '%s' "$PINS" >"$PREFIX/.specbuild-pins"
fi
EMAIL=admin@northwind.test PASSWORD='Realset-Pass-2026!'

one_sample() {
  mkdir -p "$root/nc"
  cat >"$root/server.js" <<'JS'
const express = require('express');
const { Noco } = require('nocodb');
(async () => {
  const app = express();
  const server = app.listen(Number(process.env.PORT), '127.0.0.1');
  app.use(await Noco.init({}, server, app));
})().catch((e) => { console.error(e); process.exit(1); });
JS
  # NC_TOOL_DIR: NocoDB keeps its SQLite database (noco.db) and attachments there. No telemetry, no
  # error reports, no update check.
  (cd "$root" && NODE_PATH="$PREFIX/node_modules" PORT="$port" NC_TOOL_DIR="$root/nc" NC_ADMIN_EMAIL="$EMAIL" \
      NC_ADMIN_PASSWORD="$PASSWORD" NC_AUTH_JWT_SECRET=realset-jwt-secret NC_DISABLE_TELE=true \
      NC_DISABLE_ERR_REPORTS=true NC_DISABLE_CACHE=false exec node server.js) >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 300
  # NocoDB listens before its migrations are done and the super admin is made
  for _ in $(seq 300); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/api/v1/health" && break
    sleep 1
  done
  start_proxy "$port" "$rec"
  NODE_PATH="$PREFIX/node_modules" node "$HERE/nocodb_drive.js" "http://127.0.0.1:$PROXY_PORT" "$EMAIL" "$PASSWORD" \
      --seed "$seed" "${budget[@]}" >"$root/drive.log" 2>&1
}
record_samples nocodb "$OUT"
