#!/usr/bin/env bash
# Record a Gotify server (SQLite, its uploaded images in the scratch dir) driven by its own Go client
# (github.com/gotify/go-api-client/v2, from a Go driver: `gotify_drive.go`) and by its API as its web UI and
# its documented curl pushes call it: OUT/gotify-a.jsonl.gz and -b (seeds 1 and 2, a fresh server each), and
# OUT/gotify.truth.json from the Swagger 2.0 description the running server serves at /swagger.
#   scripts/real/gotify.sh [OUT]      (default /work/realset-new20)
# The server is built with `go build` from its Go module (github.com/gotify/server/v2) as the main module, as
# Gitea's is: its web UI's bundle (ui/build, made by yarn, not part of the module) is embedded at build time,
# so the recipe puts a three-file stand-in there (the API does not read it). sqlite3 needs cgo.
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-new20}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
GOTIFY_VERSION=v2.6.3
CLIENT_VERSION=v2.0.4
PREFIX="$CACHE/gotify"
GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
if [[ ! -x "$PREFIX/gotify" || "$(cat "$PREFIX/.specbuild-pins" 2>/dev/null)" != "$GOTIFY_VERSION" ]]; then
  mkdir -p "$PREFIX"
  (cd "$PREFIX" && "$GO" mod download -json "github.com/gotify/server/v2@$GOTIFY_VERSION" >/dev/null)
  rm -rf "$PREFIX/src"
  cp -r "$(cd "$PREFIX" && "$GO" env GOMODCACHE)/github.com/gotify/server/v2@$GOTIFY_VERSION" "$PREFIX/src"
  chmod -R u+w "$PREFIX/src"
  mkdir -p "$PREFIX/src/ui/build/static/css"
  printf 'body{}\n' >"$PREFIX/src/ui/build/static/css/main.css"
  printf '<!doctype html><title>Gotify</title><script>window.config=%%CONFIG%%</script>\n' >"$PREFIX/src/ui/build/index.html"
  printf '{"name":"Gotify"}\n' >"$PREFIX/src/ui/build/manifest.json"
  printf '{"files":{}}\n' >"$PREFIX/src/ui/build/asset-manifest.json"
  (cd "$PREFIX/src" && CGO_ENABLED=1 GOFLAGS=-mod=mod "$GO" build -p 1 \
      -ldflags "-X main.Version=${GOTIFY_VERSION#v} -X main.Commit=$GOTIFY_VERSION -X main.BuildDate=2026-01-01T00:00:00Z -X main.Mode=prod" \
      -o "$PREFIX/gotify" . >&2)
  printf '%s' "$GOTIFY_VERSION" >"$PREFIX/.specbuild-pins"
fi
go_driver gotify github.com/gotify/go-api-client/v2 "$CLIENT_VERSION"
ADMIN=household-admin PASSWORD=realset-Gotify-2026

one_sample() {
  mkdir -p "$root/data/images" "$root/data/plugins"
  GOTIFY_SERVER_LISTENADDR=127.0.0.1 GOTIFY_SERVER_PORT="$port" GOTIFY_DATABASE_DIALECT=sqlite3 \
    GOTIFY_DATABASE_CONNECTION="$root/data/gotify.db" GOTIFY_DEFAULTUSER_NAME="$ADMIN" GOTIFY_DEFAULTUSER_PASS="$PASSWORD" \
    GOTIFY_UPLOADEDIMAGESDIR="$root/data/images" GOTIFY_PLUGINSDIR="$root/data/plugins" GOTIFY_REGISTRATION=false \
    "$PREFIX/gotify" >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 60
  if [[ $seed == 1 ]]; then
    python3 -c 'import json, sys, urllib.request; json.dump(json.load(urllib.request.urlopen(sys.argv[1])), open(sys.argv[2], "w"))' \
        "http://127.0.0.1:$port/swagger" "$root/swagger.json"
    "$SPECBUILD_PYTHON" "$HERE/truth.py" "$root/swagger.json" "$OUT/gotify.truth.json" >&2
  fi
  start_proxy "$port" "$rec"
  "$PREFIX/drive/gotify_drive" "http://127.0.0.1:$PROXY_PORT" "$ADMIN" "$PASSWORD" --seed "$seed" "${budget[@]}" \
      >"$root/drive.log" 2>&1
}
record_samples gotify "$OUT"
