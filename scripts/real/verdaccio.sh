#!/usr/bin/env bash
# Record a Verdaccio registry (no uplinks: nothing leaves the machine) driven by the npm CLI:
# OUT/verdaccio-a.jsonl.gz and -b (seeds 1 and 2, a fresh registry each). The proxy's URL is the
# registry's public URL (VERDACCIO_PUBLIC_URL): tarball links must lead back through the proxy.
# Verdaccio publishes no OpenAPI description: no truth spec.
#   scripts/real/verdaccio.sh [OUT]      (default /work/realset-holdout)
# Every npm command starts a node process (~4 s each on 2 busy cores): each sample is bounded to 11
# minutes unless REALSET_MAX_SECONDS says otherwise (~350 exchanges then).
REALSET_MAX_SECONDS="${REALSET_MAX_SECONDS:-660}"
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-holdout}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
PREFIX="$CACHE/verdaccio"
if [[ ! -x "$PREFIX/node_modules/.bin/verdaccio" ]]; then
  mkdir -p "$PREFIX" && npm install --prefix "$PREFIX" --no-audit --no-fund verdaccio@6 >&2
fi

one_sample() {
  PROXY_PORT="$(free_port)"
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
  start_proxy "$port" "$rec"
  python3 "$HERE/verdaccio_drive.py" "http://127.0.0.1:$PROXY_PORT/" --seed "$seed" "${budget[@]}" \
      >"$root/drive.log" 2>&1
}
record_samples verdaccio "$OUT"
