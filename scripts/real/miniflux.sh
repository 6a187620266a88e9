#!/usr/bin/env bash
# Record a Miniflux server (PostgreSQL 15 from Debian, a cluster per sample) driven by its own Go client
# (miniflux.app/v2/client), from a Go driver (`miniflux_drive.go`): OUT/miniflux-a.jsonl.gz and -b (seeds 1
# and 2, a fresh server and database each). Miniflux serves no OpenAPI description: no truth spec.
#   scripts/real/miniflux.sh [OUT]      (default /work/realset-new19)
# The server is built with `go build` from its Go module (miniflux.app/v2, the main package) through the
# module proxy, the driver against the client package of the same module version. The feeds it subscribes to
# are files a local static server serves (loopback only: FETCHER_ALLOW_PRIVATE_NETWORKS lets its fetcher
# reach it); the driver writes and rewrites them so refreshes find new entries. Its background poller runs
# once a day (the driver refreshes what it wants refreshed); its admin is made at start from the environment.
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-new19}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
MINIFLUX_VERSION=v2.3.5
PREFIX="$CACHE/miniflux"
GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
if [[ ! -x "$PREFIX/miniflux" || "$(cat "$PREFIX/.specbuild-pins" 2>/dev/null)" != "$MINIFLUX_VERSION" ]]; then
  mkdir -p "$PREFIX/src"
  (cd "$PREFIX/src" && { [[ -f go.mod ]] || "$GO" mod init realset/miniflux >&2; } \
    && GOFLAGS=-mod=mod "$GO" get "miniflux.app/v2@$MINIFLUX_VERSION" >&2 \
    && GOFLAGS=-mod=mod "$GO" build -p 1 -o "$PREFIX/miniflux" miniflux.app/v2 >&2)
  printf '%s' "$MINIFLUX_VERSION" >"$PREFIX/.specbuild-pins"
fi
go_driver miniflux miniflux.app/v2 "$MINIFLUX_VERSION"
ADMIN=reader-admin PASSWORD=realset-Miniflux-2026
uses_postgres

one_sample() {
  local feeds_port; feeds_port="$(free_port)"
  mkdir -p "$root/feeds"
  (cd "$root/feeds" && exec python3 -m http.server "$feeds_port" --bind 127.0.0.1) >"$root/feeds.log" 2>&1 &
  PIDS+=($!)
  wait_port "$feeds_port" 30
  start_postgres miniflux miniflux
  "${AS_PG[@]}" "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U miniflux miniflux >&2
  DATABASE_URL="postgres://miniflux@127.0.0.1:$PG_PORT/miniflux?sslmode=disable" RUN_MIGRATIONS=1 CREATE_ADMIN=1 \
    ADMIN_USERNAME="$ADMIN" ADMIN_PASSWORD="$PASSWORD" LISTEN_ADDR="127.0.0.1:$port" BASE_URL="http://127.0.0.1:$port" \
    FETCHER_ALLOW_PRIVATE_NETWORKS=1 POLLING_FREQUENCY=1440 SCHEDULER_ENTRY_FREQUENCY_MIN_INTERVAL=1440 \
    WORKER_POOL_SIZE=2 LOG_LEVEL=warning "$PREFIX/miniflux" >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 120
  start_proxy "$port" "$rec"
  "$PREFIX/drive/miniflux_drive" "http://127.0.0.1:$PROXY_PORT" "$ADMIN" "$PASSWORD" "http://127.0.0.1:$feeds_port" \
      "$root/feeds" --seed "$seed" "${budget[@]}" >"$root/drive.log" 2>&1
}
record_samples miniflux "$OUT"
