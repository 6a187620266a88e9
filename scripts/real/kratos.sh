#!/usr/bin/env bash
# Record an Ory Kratos (its admin and public APIs; the in-memory SQLite store) driven by its own `kratos` CLI and
# its own Python SDK (ory-kratos-client, from `kratos_drive.py`): OUT/kratos-a.jsonl.gz and -b (seeds 1 and 2, a
# fresh server each; both APIs' exchanges in one recording, in time order), and OUT/kratos.truth.json from the
# OpenAPI 3 description Kratos' Go module ships (spec/api.json, both APIs; the server serves none).
#   scripts/real/kratos.sh [OUT]      (default /work/realset-new23)
# The server is built with `go build` from its Go module (github.com/ory/kratos) as the main module, as Hydra's
# is. Its go.mod points Ory's Go client (github.com/ory/client-go) at ./internal/client-go, a folder the
# module's zip leaves out: the recipe drops that replace, so the client the go.mod pins (published) is used.
# sqlite3 needs cgo and the `sqlite` build tag. Two identity schemas (a shop's customers, its staff) with
# traits people fill in; the courier is not run (`serve` without --watch-courier), so the recovery and
# verification mails stay queued and the courier API lists them.
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-new23}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
KRATOS_VERSION=v1.3.1
PREFIX="$CACHE/kratos"
GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
if [[ ! -x "$PREFIX/kratos" || "$(cat "$PREFIX/.specbuild-pins" 2>/dev/null)" != "$KRATOS_VERSION" ]]; then
  mkdir -p "$PREFIX"
  (cd "$PREFIX" && "$GO" mod download -json "github.com/ory/kratos@$KRATOS_VERSION" >/dev/null)
  rm -rf "$PREFIX/src"
  cp -r "$(cd "$PREFIX" && "$GO" env GOMODCACHE)/github.com/ory/kratos@$KRATOS_VERSION" "$PREFIX/src"
  chmod -R u+w "$PREFIX/src"
  sed -i '/github.com\/ory\/client-go => /d' "$PREFIX/src/go.mod"
  config=github.com/ory/kratos/driver/config
  (cd "$PREFIX/src" && CGO_ENABLED=1 GOFLAGS=-mod=mod "$GO" build -tags sqlite,sqlite_omit_load_extension \
      -ldflags "-X $config.Version=$KRATOS_VERSION -X $config.Commit=$KRATOS_VERSION -X $config.Date=2024-10-28T09:04:20Z" \
      -o "$PREFIX/kratos" . >&2)
  printf '%s' "$KRATOS_VERSION" >"$PREFIX/.specbuild-pins"
fi
VENV="$(ensure_venv kratos ory-kratos-client==1.3.8 requests)"
"$SPECBUILD_PYTHON" "$HERE/truth.py" "$PREFIX/src/spec/api.json" "$OUT/kratos.truth.json" >&2

write_config() {
  cat >"$root/customer.schema.json" <<'JSON'
{"$id": "https://schemas.example.com/customer.schema.json", "$schema": "http://json-schema.org/draft-07/schema#",
 "title": "Customer", "type": "object",
 "properties": {"traits": {"type": "object", "required": ["email"], "additionalProperties": false, "properties": {
   "email": {"type": "string", "format": "email", "title": "E-mail",
             "ory.sh/kratos": {"credentials": {"password": {"identifier": true}, "code": {"identifier": true, "via": "email"}},
                               "verification": {"via": "email"}, "recovery": {"via": "email"}}},
   "name": {"type": "object", "properties": {"first": {"type": "string"}, "last": {"type": "string"}}},
   "phone": {"type": "string"},
   "newsletter": {"type": "boolean"},
   "locale": {"type": "string", "enum": ["en-US", "de-DE", "fr-FR", "pt-BR", "ja-JP"]}}}}}
JSON
  cat >"$root/employee.schema.json" <<'JSON'
{"$id": "https://schemas.example.com/employee.schema.json", "$schema": "http://json-schema.org/draft-07/schema#",
 "title": "Employee", "type": "object",
 "properties": {"traits": {"type": "object", "required": ["email", "username"], "additionalProperties": false, "properties": {
   "email": {"type": "string", "format": "email",
             "ory.sh/kratos": {"credentials": {"password": {"identifier": true}}, "verification": {"via": "email"},
                               "recovery": {"via": "email"}}},
   "username": {"type": "string", "minLength": 3,
                "ory.sh/kratos": {"credentials": {"password": {"identifier": true}}}},
   "department": {"type": "string"},
   "manager": {"type": "string"}}}}}
JSON
  cat >"$root/kratos.yml" <<YML
version: $KRATOS_VERSION
dsn: memory
serve:
  public:
    base_url: http://127.0.0.1:$1/
    host: 127.0.0.1
    port: $2
  admin:
    base_url: http://127.0.0.1:$3/
    host: 127.0.0.1
    port: $3
selfservice:
  default_browser_return_url: http://127.0.0.1:4455/
  allowed_return_urls: [http://127.0.0.1:4455]
  methods:
    password: {enabled: true, config: {haveibeenpwned_enabled: false}}
    profile: {enabled: true}
    code: {enabled: true}
    link: {enabled: true}
  flows:
    error: {ui_url: http://127.0.0.1:4455/error}
    settings: {ui_url: http://127.0.0.1:4455/settings, privileged_session_max_age: 15m}
    recovery: {enabled: true, ui_url: http://127.0.0.1:4455/recovery, use: code}
    verification: {enabled: true, ui_url: http://127.0.0.1:4455/verification, use: code}
    logout: {after: {default_browser_return_url: http://127.0.0.1:4455/login}}
    login: {ui_url: http://127.0.0.1:4455/login, lifespan: 10m}
    registration:
      lifespan: 10m
      ui_url: http://127.0.0.1:4455/registration
      after: {password: {hooks: [{hook: session}]}}
log: {level: warning, leak_sensitive_values: false}
secrets:
  cookie: [realset-kratos-cookie-secret-2026]
  cipher: [32-LONG-SECRET-NOT-SECURE-AT-ALL]
ciphers: {algorithm: xchacha20-poly1305}
hashers: {algorithm: bcrypt, bcrypt: {cost: 4}}
identity:
  default_schema_id: customer
  schemas:
    - {id: customer, url: "file://$root/customer.schema.json"}
    - {id: employee, url: "file://$root/employee.schema.json"}
courier:
  smtp: {connection_uri: "smtp://127.0.0.1:1/?disable_starttls=true"}
YML
}

one_sample() {
  local admin_port="$port" public_port public_rec="$root/public.jsonl"
  public_port="$(free_port)"
  # the public base URL is the public proxy's, so the flows' action URLs go through it
  PROXY_PORT="$(free_port)"
  write_config "$PROXY_PORT" "$public_port" "$admin_port"
  "$PREFIX/kratos" serve --config "$root/kratos.yml" --dev --sqa-opt-out >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$admin_port" 60
  wait_port "$public_port" 60
  start_proxy "$public_port" "$public_rec"
  local public_proxy="$PROXY_PORT"
  PROXY_PORT=""
  start_proxy "$admin_port" "$rec"
  (cd "$root" && "$VENV/bin/python" "$HERE/kratos_drive.py" "http://127.0.0.1:$PROXY_PORT" \
      "http://127.0.0.1:$public_proxy" "$PREFIX/kratos" --seed "$seed" "${budget[@]}") >"$root/drive.log" 2>&1
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
record_samples kratos "$OUT"
