#!/usr/bin/env bash
# Record a PocketBase server (SQLite in a data dir of its own) driven by its own client, the `pocketbase`
# JS SDK: OUT/pocketbase-a.jsonl.gz and -b (seeds 1 and 2, a fresh server each). PocketBase publishes no
# OpenAPI description: no truth spec.
#   scripts/real/pocketbase.sh [OUT]      (default /work/realset-holdout4)
# The server is built with `go build` from its Go module (its examples/base, the stock binary's main)
# through the module proxy; the driver is JavaScript (the client is): pocketbase_drive.js, the Node twin
# of workload.py.
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-holdout4}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
PB_VERSION=v0.36.8 SDK_VERSION=0.28.1
PREFIX="$CACHE/pocketbase"
GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
if [[ ! -x "$PREFIX/pocketbase" || "$(cat "$PREFIX/.specbuild-pins" 2>/dev/null)" != "$PB_VERSION $SDK_VERSION" ]]; then
  mkdir -p "$PREFIX/src"
  # A module of our own requiring PocketBase's, so go builds its examples/base package as a dependency;
  # -p 1: the machine's cores are shared.
  (cd "$PREFIX/src" && { [[ -f go.mod ]] || "$GO" mod init realset/pocketbase >&2; } \
    && GOFLAGS=-mod=mod "$GO" get "github.com/pocketbase/pocketbase@$PB_VERSION" >&2 \
    && GOFLAGS=-mod=mod "$GO" build -p 1 -o "$PREFIX/pocketbase" github.com/pocketbase/pocketbase/examples/base >&2)
  npm install --prefix "$PREFIX" --no-audit --no-fund "pocketbase@$SDK_VERSION" >&2
  printf '%s' "$PB_VERSION $SDK_VERSION" >"$PREFIX/.specbuild-pins"
fi
EMAIL=admin@example.com PASSWORD=realset-pass-1

one_sample() {
  # --dev=false: the stock main turns dev mode (every SQL statement printed) on when it guesses `go run`;
  # no automigrate (it would write migration files for every collection change), hooks and public dirs
  # in the scratch dir.
  "$PREFIX/pocketbase" superuser upsert "$EMAIL" "$PASSWORD" --dir "$root/data" --dev=false >"$root/setup.log" 2>&1
  "$PREFIX/pocketbase" serve --http "127.0.0.1:$port" --dir "$root/data" --dev=false --automigrate=false \
      --hooksDir "$root/hooks" --publicDir "$root/public" >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 60
  start_proxy "$port" "$rec"
  NODE_PATH="$PREFIX/node_modules" node "$HERE/pocketbase_drive.js" "http://127.0.0.1:$PROXY_PORT" "$EMAIL" "$PASSWORD" \
      --seed "$seed" "${budget[@]}" >"$root/drive.log" 2>&1
}
record_samples pocketbase "$OUT"
