#!/usr/bin/env bash
# Record an Ory Hydra (its admin and public APIs; the in-memory SQLite store) driven by its own `hydra` CLI and
# its own Python SDK (ory-hydra-client, from `hydra_drive.py`): OUT/hydra-a.jsonl.gz and -b (seeds 1 and 2,
# a fresh server each; both APIs' exchanges in one recording, in time order), and OUT/hydra.truth.json from
# the OpenAPI 3 description Hydra's Go module ships (spec/api.json, both APIs; the server serves none).
#   scripts/real/hydra.sh [OUT]      (default /work/realset-new21)
# The server is built with `go build` from its Go module (github.com/ory/hydra/v2) as the main module, as
# Gotify's is. Its go.mod points its Go client (github.com/ory/hydra-client-go/v2) at ./internal/httpclient,
# a nested module the module's zip leaves out: the recipe drops that replace, so the client the go.mod pins
# (the same generated code, published) is used. sqlite3 needs cgo and the `sqlite` build tag.
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-new21}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
HYDRA_VERSION=v2.3.0
PREFIX="$CACHE/hydra"
GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
if [[ ! -x "$PREFIX/hydra" || "$(cat "$PREFIX/.specbuild-pins" 2>/dev/null)" != "$HYDRA_VERSION" ]]; then
  mkdir -p "$PREFIX"
  (cd "$PREFIX" && "$GO" mod download -json "github.com/ory/hydra/v2@$HYDRA_VERSION" >/dev/null)
  rm -rf "$PREFIX/src"
  cp -r "$(cd "$PREFIX" && "$GO" env GOMODCACHE)/github.com/ory/hydra/v2@$HYDRA_VERSION" "$PREFIX/src"
  chmod -R u+w "$PREFIX/src"
  sed -i '/^replace github.com\/ory\/hydra-client-go\/v2 => /d' "$PREFIX/src/go.mod"
  config=github.com/ory/hydra/v2/driver/config
  (cd "$PREFIX/src" && CGO_ENABLED=1 GOFLAGS=-mod=mod "$GO" build -p 1 -tags sqlite,sqlite_omit_load_extension \
      -ldflags "-X $config.Version=$HYDRA_VERSION -X $config.Commit=$HYDRA_VERSION -X $config.Date=2025-01-17T08:06:39Z" \
      -o "$PREFIX/hydra" . >&2)
  printf '%s' "$HYDRA_VERSION" >"$PREFIX/.specbuild-pins"
fi
VENV="$(ensure_venv hydra ory-hydra-client==2.2.0 requests)"
"$SPECBUILD_PYTHON" "$HERE/truth.py" "$PREFIX/src/spec/api.json" "$OUT/hydra.truth.json" >&2

one_sample() {
  local admin_port="$port" public_port admin_proxy public_rec="$root/public.jsonl"
  public_port="$(free_port)"
  # the issuer is the public proxy's URL, so every redirect the browser follows goes through it
  PROXY_PORT="$(free_port)"
  DSN=memory SECRETS_SYSTEM=realset-hydra-system-secret-2026 URLS_SELF_ISSUER="http://127.0.0.1:$PROXY_PORT" \
    URLS_LOGIN=http://127.0.0.1:5555/login URLS_CONSENT=http://127.0.0.1:5555/consent \
    URLS_LOGOUT=http://127.0.0.1:5555/logout OIDC_DYNAMIC_CLIENT_REGISTRATION_ENABLED=true \
    SERVE_PUBLIC_HOST=127.0.0.1 SERVE_PUBLIC_PORT="$public_port" SERVE_ADMIN_HOST=127.0.0.1 SERVE_ADMIN_PORT="$admin_port" \
    LOG_LEVEL=warn "$PREFIX/hydra" serve all --dev --sqa-opt-out >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$admin_port" 60
  wait_port "$public_port" 60
  start_proxy "$public_port" "$public_rec"
  local public_proxy="$PROXY_PORT"
  PROXY_PORT=""
  start_proxy "$admin_port" "$rec"
  admin_proxy="$PROXY_PORT"
  (cd "$root" && "$VENV/bin/python" "$HERE/hydra_drive.py" "http://127.0.0.1:$admin_proxy" \
      "http://127.0.0.1:$public_proxy" "$PREFIX/hydra" --seed "$seed" "${budget[@]}") >"$root/drive.log" 2>&1
  # both proxies stopped (their recordings flushed), then one recording in the order the calls were made
  stop_all
  python3 - "$rec" "$public_rec" <<'PY'
import json, sys
rows = [line for path in sys.argv[1:] for line in open(path, encoding="utf-8") if line.strip()]
rows.sort(key=lambda line: json.loads(line)["request"]["timestamp"])
open(sys.argv[1], "w", encoding="utf-8").writelines(rows)
PY
  rm -f "$public_rec" "$public_rec.proxy.log"
}
record_samples hydra "$OUT"
