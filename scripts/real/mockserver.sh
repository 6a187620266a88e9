#!/usr/bin/env bash
# Record a MockServer's control API (/mockserver/...) driven by its own Node client, mockserver-client
# (`mockserver_drive.js`): OUT/mockserver-a.jsonl.gz and -b (seeds 1 and 2, a fresh server each), and
# OUT/mockserver.truth.json from the OpenAPI 3.0 description the running server serves at
# /mockserver/openapi.yaml (refs inlined by truth.py). Only the control API goes through the proxy: the
# endpoints it mocks are called by the driver's "app under test" on the server directly (what they answer is
# the mocks' authors' API, not MockServer's), as WireMock's recipe does.
#   scripts/real/mockserver.sh [OUT]      (default /work/realset-new24)
# The server is Maven Central's `mockserver-netty` jar-with-dependencies (7.6.0, through `mvn`, run by the
# `java` on PATH, 17 or later), the client the same release from npm.
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-new24}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
VERSION=7.6.0
PREFIX="$CACHE/mockserver"
JAR="$PREFIX/mockserver-netty-$VERSION-jar-with-dependencies.jar"
if [[ ! -f "$JAR" ]]; then
  mvn -q dependency:copy -Dartifact="org.mock-server:mockserver-netty:$VERSION:jar:jar-with-dependencies" \
      -DoutputDirectory="$PREFIX" >&2
fi
if [[ ! -f "$PREFIX/node_modules/mockserver-client/package.json" ]] ||
   ! grep -q "\"version\": \"$VERSION\"" "$PREFIX/node_modules/mockserver-client/package.json"; then
  mkdir -p "$PREFIX" && npm install --prefix "$PREFIX" --no-audit --no-fund "mockserver-client@$VERSION" >&2
fi

one_sample() {
  # A small heap and the serial collector: the machine is shared. The log keeps its newest 500 entries, so a
  # retrieval of recorded requests stays the size a team's test run sees.
  # in the sample's dir: MockServer writes its CA certificate (mockserver-ca.pem) to its working directory
  (cd "$root" && exec java -Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Dmockserver.maxLogEntries=500 \
      -Dmockserver.maxExpectations=300 -jar "$JAR" -serverPort "$port" -logLevel WARN) >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 120
  [[ $seed == 1 ]] && "$SPECBUILD_PYTHON" "$HERE/truth.py" "http://127.0.0.1:$port/mockserver/openapi.yaml" \
      "$OUT/mockserver.truth.json"
  start_proxy "$port" "$rec"
  (cd "$root" && NODE_PATH="$PREFIX/node_modules" exec node "$HERE/mockserver_drive.js" \
      "http://127.0.0.1:$PROXY_PORT" "http://127.0.0.1:$port" --seed "$seed" "${budget[@]}") >"$root/drive.log" 2>&1
}
record_samples mockserver "$OUT"
