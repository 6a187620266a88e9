#!/usr/bin/env bash
# Record an OctoPrint server (its REST API; a virtual printer, the plugin OctoPrint bundles) driven by its own
# API client (`octoprint_client.Client`, the library behind `octoprint client`) and the `octoprint client` CLI,
# from `octoprint_drive.py`: OUT/octoprint-a.jsonl.gz and -b (seeds 1 and 2, a fresh basedir each). OctoPrint
# serves no OpenAPI description: no truth spec.
#   scripts/real/octoprint.sh [OUT]      (default /work/realset-new26)
# From PyPI into one venv. The basedir's config skips the first-run wizard, turns off what calls out (online
# check, plugin blacklist, tracking, software update, announcements, error tracking, discovery) and turns the
# virtual printer on; the admin is made with `octoprint user add` and given an API key in users.yaml (what the
# web UI's "generate" button stores). `--iknowwhatimdoing`: the recipes run as root here.
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-new26}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
VENV="$(ensure_venv octoprint octoprint==1.11.8)"
KEY=REALSETADMINKEY0123456789ABCDEF

one_sample() {
  mkdir -p "$root/base"
  cat >"$root/base/config.yaml" <<'YML'
server:
  firstRun: false
  onlineCheck: {enabled: false}
  pluginBlacklist: {enabled: false}
plugins:
  _disabled: [tracking, softwareupdate, announcements, errortracking, discovery, achievements, health_check]
  virtual_printer: {enabled: true}
serial:
  autoconnect: false
YML
  "$VENV/bin/octoprint" -b "$root/base" user add admin --password Printer-Admin-1 --admin >"$root/user.log" 2>&1
  sed -i "s/apikey: null/apikey: $KEY/" "$root/base/users.yaml"
  (cd "$root" && exec "$VENV/bin/octoprint" -b "$root/base" serve --iknowwhatimdoing --host 127.0.0.1 \
      --port "$port") >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 120
  # the port opens before the API answers: a call then is the recorder's 502 to the driver, unrecorded (the
  # driver's first group was lost so in 3 of 4 samples before this wait)
  wait_http 120 0.5 -H "X-Api-Key: $KEY" "http://127.0.0.1:$port/api/version"
  start_proxy "$port" "$rec"
  (cd "$root" && "$VENV/bin/python" "$HERE/octoprint_drive.py" "http://127.0.0.1:$PROXY_PORT" "$KEY" \
      "$VENV/bin/octoprint" --seed "$seed" "${budget[@]}") >"$root/drive.log" 2>&1
}
record_samples octoprint "$OUT"
