#!/usr/bin/env bash
# Record a Syncthing instance's REST API (Debian's syncthing 1.19, its configuration and database in the sample's
# scratch dir) driven by Syncthing's own CLI for it, `syncthing cli`, and the API as its web GUI calls it
# (`syncthing_drive.py`): OUT/syncthing-a.jsonl.gz and -b (seeds 1 and 2, a fresh instance each). Syncthing
# publishes no OpenAPI description of its REST API: no truth spec.
#   scripts/real/syncthing.sh [OUT]      (default /work/realset-new23)
# The server from Debian's packages (`apt-get install syncthing`, once: the recipe installs it when missing, as
# root). `syncthing generate` makes the instance's keys and configuration; the recipe then turns off what would
# reach outside (global and local discovery, relays, NAT, usage reports, upgrades) and listens for devices on a
# free loopback port. The GUI's API key is the one `generate` wrote, handed to the driver.
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-new23}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
command -v syncthing >/dev/null || apt-get install -y -q syncthing >&2

one_sample() {
  local home="$root/home" key
  mkdir -p "$root/data"
  syncthing generate --home="$home" --no-default-folder >"$root/generate.log" 2>&1
  sed -i -e "s#<listenAddress>default</listenAddress>#<listenAddress>tcp://127.0.0.1:$(free_port)</listenAddress>#" \
      -e 's#<globalAnnounceEnabled>true#<globalAnnounceEnabled>false#' \
      -e 's#<localAnnounceEnabled>true#<localAnnounceEnabled>false#' -e 's#<relaysEnabled>true#<relaysEnabled>false#' \
      -e 's#<natEnabled>true#<natEnabled>false#' -e 's#<urAccepted>0#<urAccepted>-1#' \
      -e 's#<crashReportingEnabled>true#<crashReportingEnabled>false#' -e 's#<startBrowser>true#<startBrowser>false#' \
      -e 's#<autoUpgradeIntervalH>12#<autoUpgradeIntervalH>0#' \
      -e "s#<address>127.0.0.1:8384</address>#<address>127.0.0.1:$port</address>#" "$home/config.xml"
  key="$(sed -n 's#.*<apikey>\(.*\)</apikey>.*#\1#p' "$home/config.xml")"
  (export HOME="$root" STNOUPGRADE=1; exec syncthing serve --home="$home" --no-browser --no-restart) \
      >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 60
  start_proxy "$port" "$rec"
  (cd "$root" && exec python3 "$HERE/syncthing_drive.py" "http://127.0.0.1:$PROXY_PORT" "$key" "$root/data" \
      --seed "$seed" "${budget[@]}") >"$root/drive.log" 2>&1
}
record_samples syncthing "$OUT"
