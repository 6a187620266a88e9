#!/usr/bin/env bash
# Record a Gitea server (SQLite, repositories and data in the scratch dir) driven by its own Go SDK
# (code.gitea.io/sdk/gitea), from a Go driver (`gitea_drive.go`): OUT/gitea-a.jsonl.gz and -b (seeds 1 and 2,
# a fresh server each), and OUT/gitea.truth.json from the Swagger 2.0 description the server serves
# (`/swagger.v1.json`, read before the proxy starts, converted by truth.py).
#   scripts/real/gitea.sh [OUT]      (default /work/realset-new18)
# The server is built with `go build` from its Go module (code.gitea.io/gitea, through the module proxy) as
# the main module (its go.mod's replace directives apply; ~5 minutes of both cores), with SQLite (cgo); the
# web UI's frontend assets are not built (only the API is driven; the source tree is its STATIC_ROOT_PATH,
# for the locales and templates). Gitea refuses to run as root unless
# told (GITEA_I_AM_BEING_UNSAFE_RUNNING_AS_ROOT). The admin user is made with `gitea admin user create`
# before the server starts; the driver makes its own token with basic auth and acts for the users it makes
# through the admin's Sudo.
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-new18}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
GITEA_VERSION=v1.27.3 SDK_VERSION=v0.25.1
PREFIX="$CACHE/gitea"
GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
if [[ ! -x "$PREFIX/gitea" || "$(cat "$PREFIX/.specbuild-pins" 2>/dev/null)" != "$GITEA_VERSION" ]]; then
  mkdir -p "$PREFIX"
  dir="$("$GO" mod download -json "code.gitea.io/gitea@$GITEA_VERSION" \
      | python3 -c 'import json, sys; print(json.load(sys.stdin)["Dir"])')"
  rm -rf "$PREFIX/src" && cp -r "$dir" "$PREFIX/src" && chmod -R u+w "$PREFIX/src"
  (cd "$PREFIX/src" && "$GO" build -p 2 -tags 'sqlite sqlite_unlock_notify' \
      -ldflags "-X main.Version=${GITEA_VERSION#v} -X 'main.Tags=sqlite sqlite_unlock_notify'" -o "$PREFIX/gitea" . >&2)
  printf '%s' "$GITEA_VERSION" >"$PREFIX/.specbuild-pins"
fi
go_driver gitea code.gitea.io/sdk/gitea "$SDK_VERSION"
ADMIN=forge-admin PASSWORD=realset-Gitea-2026

one_sample() {
  mkdir -p "$root/gitea/custom/conf"
  cat >"$root/gitea/custom/conf/app.ini" <<INI
APP_NAME = realset forge
RUN_MODE = prod
WORK_PATH = $root/gitea
[database]
DB_TYPE = sqlite3
PATH = $root/gitea/data/gitea.db
[repository]
ROOT = $root/gitea/repos
[server]
HTTP_ADDR = 127.0.0.1
HTTP_PORT = $port
ROOT_URL = http://127.0.0.1:$port/
STATIC_ROOT_PATH = $PREFIX/src
DISABLE_SSH = true
OFFLINE_MODE = true
LFS_START_SERVER = false
[security]
INSTALL_LOCK = true
SECRET_KEY = realset-secret-key
INTERNAL_TOKEN = realset-internal-token-0123456789abcdef0123456789abcdef
ALLOWED_HOST_LIST = loopback
[service]
DISABLE_REGISTRATION = true
[webhook]
DELIVER_TIMEOUT = 1
[cron.update_checker]
ENABLED = false
[log]
LEVEL = Warn
ROOT_PATH = $root/gitea/log
[mailer]
ENABLED = false
INI
  export GITEA_I_AM_BEING_UNSAFE_RUNNING_AS_ROOT=true GITEA_WORK_DIR="$root/gitea"
  "$PREFIX/gitea" --config "$root/gitea/custom/conf/app.ini" migrate >"$root/migrate.log" 2>&1
  "$PREFIX/gitea" --config "$root/gitea/custom/conf/app.ini" admin user create --admin --username "$ADMIN" \
      --password "$PASSWORD" --email "$ADMIN@example.com" --must-change-password=false >"$root/admin.log" 2>&1
  "$PREFIX/gitea" --config "$root/gitea/custom/conf/app.ini" web >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 120
  if [[ $seed == 1 ]]; then
    curl -sf "http://127.0.0.1:$port/swagger.v1.json" >"$root/swagger.json"
    "$SPECBUILD_PYTHON" "$HERE/truth.py" "$root/swagger.json" "$OUT/gitea.truth.json" >&2
  fi
  start_proxy "$port" "$rec"
  "$PREFIX/drive/gitea_drive" "http://127.0.0.1:$PROXY_PORT" "$ADMIN" "$PASSWORD" --seed "$seed" "${budget[@]}" \
      >"$root/drive.log" 2>&1
}
record_samples gitea "$OUT"
