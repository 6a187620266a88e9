#!/usr/bin/env bash
# Record a Node-RED 4 server (its admin API and the HTTP endpoints its flows serve) driven by its own
# clients: OUT/nodered-a.jsonl.gz and -b (seeds 1 and 2, a fresh user dir each). Node-RED publishes no
# OpenAPI description: no truth.
#   scripts/real/nodered.sh [OUT]      (default /work/realset-holdout11)
# Node-RED 4.1 is the last line that runs on Node 20 (5 wants Node 22). The clients: `node-red-admin`
# (Node-RED's admin CLI: login, list, info, enable, disable, remove), run as a process per command, and
# the admin API as Node-RED's editor calls it (fetch, from nodered_drive.js); the flows the driver deploys
# serve a small shop's REST API (http in/out nodes) that a web app calls. Two small node modules are packed
# from the registry at install time and uploaded through the palette manager's upload while recording.
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-holdout11}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
SERVER_VERSION=4.1.8 ADMIN_VERSION=4.1.7 UPLOADS="node-red-node-random@0.4.1 node-red-node-base64@1.0.0"
PREFIX="$CACHE/nodered"
PINS="$SERVER_VERSION $ADMIN_VERSION $UPLOADS"
if [[ "$(cat "$PREFIX/.specbuild-pins" 2>/dev/null)" != "$PINS" ]]; then
  rm -rf "$PREFIX"; mkdir -p "$PREFIX/uploads"
  npm install --prefix "$PREFIX" --no-audit --no-fund "node-red@$SERVER_VERSION" "node-red-admin@$ADMIN_VERSION" >&2
  # shellcheck disable=SC2086
  (cd "$PREFIX/uploads" && npm pack $UPLOADS >&2)
  printf '%s' "$PINS" >"$PREFIX/.specbuild-pins"
fi
ADMIN=admin PASSWORD=realset-Pass-2026 VIEWER=viewer

one_sample() {
  mkdir -p "$root/user" "$root/home"
  local hash
  hash="$(NODE_PATH="$PREFIX/node_modules" node -e "console.log(require('bcryptjs').hashSync(process.argv[1], 8))" "$PASSWORD")"
  # Two users (an admin, a read-only viewer), the runtime state API on (flows stopped and started), a
  # file context store besides memory, palette uploads allowed; no projects, no telemetry, no update check.
  cat >"$root/user/settings.js" <<JS
module.exports = {
  uiHost: '127.0.0.1', uiPort: $port, flowFile: 'flows.json', credentialSecret: 'realset-secret',
  adminAuth: { type: 'credentials', users: [
    { username: '$ADMIN', password: '$hash', permissions: '*' },
    { username: '$VIEWER', password: '$hash', permissions: 'read' } ] },
  runtimeState: { enabled: true, ui: true },
  diagnostics: { enabled: true, ui: true },
  contextStorage: { default: { module: 'memory' }, file: { module: 'localfilesystem' } },
  externalModules: { palette: { allowInstall: true, allowUpload: true } },
  telemetry: { enabled: false, updateNotification: false },
  editorTheme: { projects: { enabled: false }, tours: false },
  logging: { console: { level: 'warn' } },
};
JS
  (cd "$root" && HOME="$root/home" exec node "$PREFIX/node_modules/node-red/red.js" --userDir "$root/user" \
      --settings "$root/user/settings.js") >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 120
  start_proxy "$port" "$rec"
  # node-red-admin keeps its target and token in HOME/.node-red/.cli-config.json: one per sample
  HOME="$root/home" NODE_PATH="$PREFIX/node_modules" NODE_RED_ADMIN="$PREFIX/node_modules/.bin/node-red-admin" \
      node "$HERE/nodered_drive.js" "http://127.0.0.1:$PROXY_PORT" "$ADMIN" "$PASSWORD" "$VIEWER" "$PREFIX/uploads" \
      --seed "$seed" "${budget[@]}" >"$root/drive.log" 2>&1
}
record_samples nodered "$OUT"
