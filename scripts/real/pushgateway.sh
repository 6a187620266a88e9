#!/usr/bin/env bash
# Record a Prometheus Pushgateway (metrics in memory, its admin API on) driven by Prometheus's own Python
# client, prometheus_client (`pushgateway_drive.py`): OUT/pushgateway-a.jsonl.gz and -b (seeds 1 and 2, a
# fresh server each). The Pushgateway publishes no OpenAPI description: no truth spec.
#   scripts/real/pushgateway.sh [OUT]      (default /work/realset-new21)
# The server is built with `go build` from its Go module (github.com/prometheus/pushgateway) as the main module,
# with the version a release stamps (`-X github.com/prometheus/common/version...`), as Alertmanager's is.
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-new21}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
PUSHGATEWAY_VERSION=v1.11.5
PREFIX="$CACHE/pushgateway"
GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
if [[ ! -x "$PREFIX/pushgateway" || "$(cat "$PREFIX/.specbuild-pins" 2>/dev/null)" != "$PUSHGATEWAY_VERSION" ]]; then
  mkdir -p "$PREFIX"
  (cd "$PREFIX" && "$GO" mod download -json "github.com/prometheus/pushgateway@$PUSHGATEWAY_VERSION" >/dev/null)
  rm -rf "$PREFIX/src"
  cp -r "$(cd "$PREFIX" && "$GO" env GOMODCACHE)/github.com/prometheus/pushgateway@$PUSHGATEWAY_VERSION" "$PREFIX/src"
  chmod -R u+w "$PREFIX/src"
  version=github.com/prometheus/common/version
  (cd "$PREFIX/src" && GOFLAGS=-mod=mod "$GO" build -p 1 -ldflags "-X $version.Version=${PUSHGATEWAY_VERSION#v} \
      -X $version.Revision=$PUSHGATEWAY_VERSION -X $version.Branch=HEAD -X $version.BuildUser=realset \
      -X $version.BuildDate=20260101-00:00:00" -o "$PREFIX/pushgateway" . >&2)
  printf '%s' "$PUSHGATEWAY_VERSION" >"$PREFIX/.specbuild-pins"
fi
VENV="$(ensure_venv pushgateway prometheus-client==0.26.0)"

one_sample() {
  "$PREFIX/pushgateway" --web.listen-address="127.0.0.1:$port" --web.enable-admin-api >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 60
  start_proxy "$port" "$rec"
  "$VENV/bin/python" "$HERE/pushgateway_drive.py" "http://127.0.0.1:$PROXY_PORT" --seed "$seed" "${budget[@]}" \
      >"$root/drive.log" 2>&1
}
record_samples pushgateway "$OUT"
