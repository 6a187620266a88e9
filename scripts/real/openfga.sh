#!/usr/bin/env bash
# Record an OpenFGA server (its in-memory datastore, a preshared API key) driven by its own client, the
# Python SDK `openfga-sdk` (`OpenFgaClient`): OUT/openfga-a.jsonl.gz and -b (seeds 1 and 2, a fresh server
# each). OpenFGA serves no OpenAPI description: its gateway's Swagger 2.0 is generated into its API
# repository (openfga/api, docs/openapiv2/apidocs.swagger.json), which no registry serves. The eleventh
# set's openfga.truth.json was converted from it with truth.py by hand, at the commit the server's Go module
# pins (github.com/openfga/api/proto v0.0.0-20260319214821-f153694bfc20: f153694); this recipe writes none.
#   scripts/real/openfga.sh [OUT]      (default /work/realset-holdout11)
# The server is built with `go build` from its Go module (cmd/openfga) through the module proxy, as
# PocketBase's is; only its HTTP API is recorded (the gRPC port is bound on loopback and not used).
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-holdout11}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
FGA_VERSION=v1.22.1 SDK_VERSION=0.10.5
PREFIX="$CACHE/openfga"
GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
if [[ ! -x "$PREFIX/openfga" || "$(cat "$PREFIX/.specbuild-pins" 2>/dev/null)" != "$FGA_VERSION" ]]; then
  mkdir -p "$PREFIX/src"
  # A module of our own requiring OpenFGA's, so go builds its cmd/openfga as a dependency; -p 1: the
  # machine's cores are shared (~10 minutes).
  (cd "$PREFIX/src" && { [[ -f go.mod ]] || "$GO" mod init realset/openfga >&2; } \
    && GOFLAGS=-mod=mod "$GO" get "github.com/openfga/openfga@$FGA_VERSION" >&2 \
    && GOFLAGS=-mod=mod "$GO" build -p 1 -o "$PREFIX/openfga" github.com/openfga/openfga/cmd/openfga >&2)
  printf '%s' "$FGA_VERSION" >"$PREFIX/.specbuild-pins"
fi
VENV="$(ensure_venv openfga "openfga-sdk==$SDK_VERSION")"
KEY=realset-fga-key-2026

one_sample() {
  local grpc_port
  grpc_port="$(free_port)"
  # No playground (it would serve a web app on another port), no metrics endpoint, no telemetry export
  "$PREFIX/openfga" run --datastore-engine memory --http-addr "127.0.0.1:$port" --grpc-addr "127.0.0.1:$grpc_port" \
      --playground-enabled=false --metrics-enabled=false --authn-method preshared --authn-preshared-keys "$KEY" \
      --log-level warn >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 60
  start_proxy "$port" "$rec"
  "$VENV/bin/python" "$HERE/openfga_drive.py" "http://127.0.0.1:$PROXY_PORT" "$KEY" --seed "$seed" "${budget[@]}" \
      >"$root/drive.log" 2>&1
}
record_samples openfga "$OUT"
