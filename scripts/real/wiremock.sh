#!/usr/bin/env bash
# Record a WireMock standalone server's admin API (/__admin) driven by its own Python client,
# python-wiremock: OUT/wiremock-a.jsonl.gz and -b (seeds 1 and 2, a fresh server each), and
# OUT/wiremock.truth.json, the OpenAPI 3 description the server publishes at /__admin/docs/swagger
# (refs inlined by truth.py). Only the admin API goes through the proxy: the stubs it sets up are
# called on the server directly (what they answer is the stubs' authors' API, not WireMock's).
#   scripts/real/wiremock.sh [OUT]      (default /work/realset-holdout)
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-holdout}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
VERSION=3.13.2
JAR="$CACHE/wiremock/wiremock-standalone-$VERSION.jar"
if [[ ! -f "$JAR" ]]; then
  mvn -q dependency:copy -Dartifact="org.wiremock:wiremock-standalone:$VERSION" -DoutputDirectory="$CACHE/wiremock" >&2
fi
VENV="$(ensure_venv wiremock wiremock==2.7.0)"

one_sample() {
  mkdir -p "$root/wiremock"
  # A small heap and the serial collector: the machine is shared. The journal keeps its newest 200
  # requests, so a listing of it stays the size a team sees.
  java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "$JAR" --port "$port" \
      --bind-address 127.0.0.1 --root-dir "$root/wiremock" --disable-banner \
      --max-request-journal-entries 200 >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 120
  [[ $seed == 1 ]] && "$VENV/bin/python" "$HERE/truth.py" "http://127.0.0.1:$port/__admin/docs/swagger" "$OUT/wiremock.truth.json"
  start_proxy "$port" "$rec"
  "$VENV/bin/python" "$HERE/wiremock_drive.py" "http://127.0.0.1:$PROXY_PORT/__admin" "http://127.0.0.1:$port" \
      --seed "$seed" "${budget[@]}" >"$root/drive.log" 2>&1
}
record_samples wiremock "$OUT"
