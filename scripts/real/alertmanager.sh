#!/usr/bin/env bash
# Record a Prometheus Alertmanager (no cluster, its data in the scratch dir) driven by its own CLI, amtool,
# and by its API as its web UI calls it: OUT/alertmanager-a.jsonl.gz and -b (seeds 1 and 2, a fresh server
# each), and OUT/alertmanager.truth.json from the Swagger 2.0 description Alertmanager's Go module ships
# (api/v2/openapi.yaml, the description its API server is generated from; the server does not serve it).
#   scripts/real/alertmanager.sh [OUT]      (default /work/realset-new19)
# Both binaries are built with `go build` from the Go module (cmd/alertmanager, cmd/amtool) through the
# module proxy, as OpenFGA's is. The routing tree (alertmanager.yml below) routes by team and severity to
# receivers without notifiers (nothing leaves the machine), and inhibits warnings while a critical fires.
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-new19}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
AM_VERSION=v0.28.1
PREFIX="$CACHE/alertmanager"
GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
# The version a release build stamps (its Makefile's promu does): a build without it answers every
# versionInfo field of /api/v2/status as "", which no release serves
V=github.com/prometheus/common/version
LDFLAGS="-X $V.Version=${AM_VERSION#v} -X $V.Revision=${AM_VERSION} -X $V.Branch=HEAD -X $V.BuildUser=realset -X $V.BuildDate=20260101-00:00:00"
if [[ ! -x "$PREFIX/alertmanager" || "$(cat "$PREFIX/.specbuild-pins" 2>/dev/null)" != "$AM_VERSION stamped" ]]; then
  mkdir -p "$PREFIX/src"
  (cd "$PREFIX/src" && { [[ -f go.mod ]] || "$GO" mod init realset/alertmanager >&2; } \
    && GOFLAGS=-mod=mod "$GO" get "github.com/prometheus/alertmanager@$AM_VERSION" >&2 \
    && GOFLAGS=-mod=mod "$GO" build -p 1 -ldflags "$LDFLAGS" -o "$PREFIX/alertmanager" github.com/prometheus/alertmanager/cmd/alertmanager >&2 \
    && GOFLAGS=-mod=mod "$GO" build -p 1 -ldflags "$LDFLAGS" -o "$PREFIX/amtool" github.com/prometheus/alertmanager/cmd/amtool >&2)
  printf '%s' "$AM_VERSION stamped" >"$PREFIX/.specbuild-pins"
fi
DESCRIPTION="$(cd "$PREFIX/src" && "$GO" env GOMODCACHE)/github.com/prometheus/alertmanager@$AM_VERSION/api/v2/openapi.yaml"
# truth.py reads YAML with PyYAML: the interpreter that runs specbuild has it
"$SPECBUILD_PYTHON" "$HERE/truth.py" "$DESCRIPTION" "$OUT/alertmanager.truth.json" >&2

one_sample() {
  cat >"$root/alertmanager.yml" <<'YML'
route:
  receiver: team-platform
  group_by: [alertname, namespace]
  group_wait: 5s
  group_interval: 1m
  repeat_interval: 4h
  routes:
    - matchers: ['severity=~"critical|page"']
      receiver: oncall-pager
      continue: true
    - matchers: ['team="payments"']
      receiver: team-payments
    - matchers: ['team="search"']
      receiver: team-search
    - matchers: ['alertname="Watchdog"']
      receiver: blackhole
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [alertname, namespace]
receivers:
  - name: team-platform
  - name: team-payments
  - name: team-search
  - name: oncall-pager
  - name: blackhole
YML
  "$PREFIX/alertmanager" --config.file="$root/alertmanager.yml" --storage.path="$root/data" \
      --web.listen-address="127.0.0.1:$port" --cluster.listen-address= --log.level=warn >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 60
  start_proxy "$port" "$rec"
  python3 "$HERE/alertmanager_drive.py" "http://127.0.0.1:$PROXY_PORT" "$PREFIX/amtool" --seed "$seed" "${budget[@]}" \
      >"$root/drive.log" 2>&1
}
record_samples alertmanager "$OUT"
