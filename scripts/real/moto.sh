#!/usr/bin/env bash
# Record moto's server mode (one endpoint for every AWS service it mocks) driven by boto3 on services
# that speak REST-JSON (Lambda, API Gateway, EKS, IoT, Batch): OUT/moto-a.jsonl.gz and -b (seeds 1 and
# 2, a fresh server each). botocore ships the services' own models, not OpenAPI: no truth spec.
#   scripts/real/moto.sh [OUT]      (default /work/realset-holdout2)
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-holdout2}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
VENV="$(ensure_venv moto 'moto[server]==5.2.5' boto3==1.44.8)"

one_sample() {
  # Nothing leaves the machine: the proxy's URL and the server's are the only endpoints the driver has.
  (cd "$root" && exec "$VENV/bin/moto_server" -H 127.0.0.1 -p "$port") >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 90
  start_proxy "$port" "$rec"
  "$VENV/bin/python" "$HERE/moto_drive.py" "http://127.0.0.1:$PROXY_PORT" "http://127.0.0.1:$port" --seed "$seed" \
      "${budget[@]}" >"$root/drive.log" 2>&1
}
record_samples moto "$OUT"
