#!/usr/bin/env bash
# Record a Ghost 5 server (SQLite, local file storage) driven by its own JavaScript clients,
# `@tryghost/admin-api` and `@tryghost/content-api`: OUT/ghost-a.jsonl.gz and -b (seeds 1 and 2, a fresh
# content dir and database each). Ghost publishes no OpenAPI description: no truth.
#   scripts/real/ghost.sh [OUT]      (default /work/realset-holdout10)
# Ghost 5.130.6 is the last line that runs on Node 20 (6 wants Node 22). Its npm package is installed the way
# Ghost-CLI installs it: the package unpacked (`npm pack`), then its own dependencies installed inside it,
# since it names one of them as a tarball it ships (`file:components/...`); its devDependencies are dropped
# first (one is a GitHub tarball, outside the registry) and peers are not enforced (bookshelf 1.2 names an
# older knex than Ghost's). npm builds sqlite3 from source against /usr/include/node on the first install.
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-holdout10}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
SERVER_VERSION=5.130.6 ADMIN_CLIENT_VERSION=1.14.13 CONTENT_CLIENT_VERSION=1.12.12
PREFIX="$CACHE/ghost"
PINS="$SERVER_VERSION $ADMIN_CLIENT_VERSION $CONTENT_CLIENT_VERSION"
if [[ "$(cat "$PREFIX/.specbuild-pins" 2>/dev/null)" != "$PINS" ]]; then
  rm -rf "$PREFIX"; mkdir -p "$PREFIX/client"
  (cd "$PREFIX" && npm pack "ghost@$SERVER_VERSION" >&2 && tar xzf "ghost-$SERVER_VERSION.tgz")
  python3 - "$PREFIX/package/package.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
p.pop("devDependencies", None)
json.dump(p, open(sys.argv[1], "w"), indent=2)
PY
  rm -f "$PREFIX/package/yarn.lock"
  (cd "$PREFIX/package" && npm install --omit=dev --legacy-peer-deps --no-audit --no-fund >&2)
  npm install --prefix "$PREFIX/client" --no-audit --no-fund "@tryghost/admin-api@$ADMIN_CLIENT_VERSION" \
      "@tryghost/content-api@$CONTENT_CLIENT_VERSION" >&2
  printf '%s' "$PINS" >"$PREFIX/.specbuild-pins"
fi
EMAIL=owner@lantern.test PASSWORD=realset-Pass-2026

one_sample() {
  cp -r "$PREFIX/package/content" "$root/content"
  # Ghost writes its own URL into every link and checks an admin session's Origin against it: the proxy's.
  PROXY_PORT="$(free_port)"
  # No network: no update check, no Gravatar look-ups; staff device verification would mail a code.
  (cd "$PREFIX/package" && NODE_ENV=development url="http://127.0.0.1:$PROXY_PORT" server__host=127.0.0.1 \
      server__port="$port" database__client=sqlite3 database__connection__filename="$root/ghost.db" \
      paths__contentPath="$root/content" privacy__useUpdateCheck=false privacy__useGravatar=false \
      security__staffDeviceVerification=false logging__level=warn exec node index.js) >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 240
  # Ghost listens before its first start has made the database (503 until then)
  for _ in $(seq 300); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/ghost/api/admin/site/" && break
    sleep 1
  done
  start_proxy "$port" "$rec"
  NODE_PATH="$PREFIX/client/node_modules" node "$HERE/ghost_drive.js" "http://127.0.0.1:$PROXY_PORT" "$EMAIL" "$PASSWORD" \
      --seed "$seed" "${budget[@]}" >"$root/drive.log" 2>&1
}
record_samples ghost "$OUT"
