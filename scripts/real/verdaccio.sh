#!/usr/bin/env bash
# Record a Verdaccio registry (no uplinks: nothing leaves the machine) driven by the npm CLI:
# OUT/verdaccio-a.jsonl.gz and -b (seeds 1 and 2, a fresh registry each). The proxy's URL is the
# registry's public URL (VERDACCIO_PUBLIC_URL): tarball links must lead back through the proxy.
# Verdaccio publishes no OpenAPI description: no truth spec.
#   scripts/real/verdaccio.sh [OUT]      (default /work/realset-holdout; REALSET_MAX_SECONDS bounds each sample)
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-holdout}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
PREFIX="$CACHE/verdaccio"
if [[ ! -x "$PREFIX/node_modules/.bin/verdaccio" ]]; then
  mkdir -p "$PREFIX" && npm install --prefix "$PREFIX" --no-audit --no-fund verdaccio@6 >&2
fi

for sample in a b; do
  seed=$([[ $sample == a ]] && echo 1 || echo 2)
  root="$(scratch)"; port="$(free_port)"; PROXY_PORT="$(free_port)"
  cat >"$root/config.yaml" <<YAML
storage: $root/storage
auth:
  htpasswd:
    file: $root/htpasswd
    max_users: 1000
uplinks: {}
packages:
  '@*/*':
    access: \$all
    publish: \$authenticated
    unpublish: \$authenticated
  '**':
    access: \$all
    publish: \$authenticated
    unpublish: \$authenticated
# JWT tokens, as a team configures it: the legacy token makes every request verify a bcrypt password.
security:
  api:
    jwt:
      sign:
        expiresIn: 7d
listen: 127.0.0.1:$port
log: { type: stdout, format: pretty, level: warn }
YAML
  VERDACCIO_PUBLIC_URL="http://127.0.0.1:$PROXY_PORT/" "$PREFIX/node_modules/.bin/verdaccio" \
      --config "$root/config.yaml" >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 90
  start_proxy "$port" "$root/rec.jsonl"
  python3 "$HERE/verdaccio_drive.py" "http://127.0.0.1:$PROXY_PORT/" --seed "$seed" \
      --max-seconds "${REALSET_MAX_SECONDS:-0}" >"$root/drive.log" 2>&1
  stop_all
  finish "$root/rec.jsonl" "$OUT/verdaccio-$sample.jsonl.gz"
  rm -rf "$root"
done
