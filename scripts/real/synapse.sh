#!/usr/bin/env bash
# Record a Matrix Synapse homeserver (SQLite, its client API only, registration open) driven by
# matrix-nio's AsyncClient: OUT/synapse-a.jsonl.gz and -b (seeds 1 and 2, a fresh server each). Synapse
# serves no OpenAPI description of its API (the Matrix spec's lives in the spec's own repository): no
# truth spec.
#   scripts/real/synapse.sh [OUT]      (default /work/realset-holdout7)
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-holdout7}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
VENV="$(ensure_venv synapse matrix-synapse==1.163.2 matrix-nio==0.26.0)"

one_sample() {
  "$VENV/bin/python" -m synapse.app.homeserver --server-name realset.test --config-path "$root/homeserver.yaml" \
      --data-directory "$root" --generate-config --report-stats=no >"$root/generate.log" 2>&1
  # Read after the generated file, so these win: the client API alone on $port; registration open without
  # an email step (a team's own server); no key servers (offline); media readable on its legacy paths too
  # (nio 0.26 uploads to /_matrix/media/v3/upload and downloads from the authenticated
  # /_matrix/client/v1/media/...); rate limits out of the way of one driver that is every member of the
  # team at once.
  local burst='{per_second: 1000, burst_count: 1000}'
  cat >"$root/realset.yaml" <<YAML
listeners:
  - {port: $port, bind_addresses: ['127.0.0.1'], type: http, tls: false, x_forwarded: false,
     resources: [{names: [client], compress: false}]}
enable_registration: true
enable_registration_without_verification: true
trusted_key_servers: []
suppress_key_server_warning: true
enable_authenticated_media: false
url_preview_enabled: false
rc_message: $burst
rc_registration: $burst
rc_login: {address: $burst, account: $burst, failed_attempts: $burst}
rc_joins: {local: $burst, remote: $burst}
rc_joins_per_room: $burst
rc_invites: {per_room: $burst, per_user: $burst, per_issuer: $burst}
rc_admin_redaction: $burst
rc_presence: {per_user: $burst}
rc_media_create: $burst
rc_room_creation: $burst
rc_reports: $burst
YAML
  "$VENV/bin/python" -m synapse.app.homeserver --config-path "$root/homeserver.yaml" \
      --config-path "$root/realset.yaml" >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 180
  start_proxy "$port" "$rec"
  "$VENV/bin/python" "$HERE/synapse_drive.py" "http://127.0.0.1:$PROXY_PORT" --seed "$seed" "${budget[@]}" \
      >"$root/drive.log" 2>&1
}
record_samples synapse "$OUT"
