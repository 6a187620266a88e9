#!/usr/bin/env bash
# Record a Keycloak server's admin REST API (dev mode, an in-memory H2 database) driven by its own
# Python client, python-keycloak's KeycloakAdmin: OUT/keycloak-a.jsonl.gz and -b (seeds 1 and 2, a
# fresh server each). Keycloak serves no OpenAPI description of its admin API: no truth spec.
#   scripts/real/keycloak.sh [OUT]      (default /work/realset-holdout5)
# The server is the Quarkus distribution's zip from Maven Central, fetched by `mvn dependency:copy` and
# run by the `java` on PATH (17 or later); the client from PyPI.
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-holdout5}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
VERSION=26.5.6
HOME_KC="$CACHE/keycloak/keycloak-$VERSION"
if [[ ! -x "$HOME_KC/bin/kc.sh" ]]; then
  mvn -q dependency:copy -Dartifact="org.keycloak:keycloak-quarkus-dist:$VERSION:zip" -DoutputDirectory="$CACHE/keycloak" >&2
  (cd "$CACHE/keycloak" && unzip -q -o "keycloak-quarkus-dist-$VERSION.zip")
fi
VENV="$(ensure_venv keycloak python-keycloak==7.1.1)"
ADMIN=admin PASSWORD=realset-pass-1

one_sample() {
  # start-dev on dev-mem: a fresh database in memory each start (the first start re-augments the
  # distribution for it, ~25 s once). The bootstrap admin of the master realm is what the client logs
  # in as. A bounded heap: the machine is shared. Its temporary files in the
  # scratch dir.
  KC_BOOTSTRAP_ADMIN_USERNAME="$ADMIN" KC_BOOTSTRAP_ADMIN_PASSWORD="$PASSWORD" \
    JAVA_OPTS_KC_HEAP="-Xms64m -Xmx768m" JAVA_OPTS_APPEND="-Djava.io.tmpdir=$root" \
    "$HOME_KC/bin/kc.sh" start-dev --db=dev-mem --http-host 127.0.0.1 --http-port "$port" \
    --log-level=warn >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 240
  start_proxy "$port" "$rec"
  "$VENV/bin/python" "$HERE/keycloak_drive.py" "http://127.0.0.1:$PROXY_PORT" "$ADMIN" "$PASSWORD" \
      --seed "$seed" "${budget[@]}" >"$root/drive.log" 2>&1
}
record_samples keycloak "$OUT"
