#!/usr/bin/env bash
# Record one service of Azurite (Microsoft's open-source Azure Storage emulator, npm; its data in the sample's
# scratch dir) driven by Microsoft's own client for it: `table` with azure-data-tables (`azurite_table_drive.py`),
# `blob` with azure-storage-blob (`azurite_blob_drive.py`): OUT/azurite_SERVICE-a.jsonl.gz and -b (seeds 1 and 2,
# a fresh emulator each). Azurite publishes no OpenAPI description (Azure's Swagger lives in Microsoft's REST API
# specs repository, not in the server): no truth spec.
#   scripts/real/azurite.sh table|blob [OUT]      (default /work/realset-new24; azurite_table.sh, azurite_blob.sh)
# The emulator from npm (`azurite-table` or `azurite-blob`: the one service alone), the clients from PyPI into a
# venv. Two storage accounts the team names (AZURITE_ACCOUNTS, each with its own key; the client signs every
# request with Shared Key), addressed path-style as the emulator is (`--disableProductStyleUrl`: the account is
# the first segment); telemetry off; the API version check off (the client may be newer than the emulator).
source "$(dirname "$0")/lib.sh"
SERVICE="${1:?table or blob}"
[[ "$SERVICE" == table || "$SERVICE" == blob ]] || { echo "azurite.sh: table or blob, not $SERVICE" >&2; exit 2; }
OUT="${2:-/work/realset-new24}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
PREFIX="$CACHE/azurite"
if [[ ! -x "$PREFIX/node_modules/.bin/azurite-$SERVICE" ]]; then
  mkdir -p "$PREFIX" && npm install --prefix "$PREFIX" --no-audit --no-fund azurite@3.37.0 >&2
fi
VENV="$(ensure_venv azurite azure-data-tables==12.7.0 azure-storage-blob==12.31.1)"
ACCOUNTS="acmeretail:$(printf 'acmeretail-key' | base64),fieldlabs:$(printf 'fieldlabs-key' | base64)"

one_sample() {
  (export AZURITE_ACCOUNTS="${ACCOUNTS//,/;}"
   exec "$PREFIX/node_modules/.bin/azurite-$SERVICE" "--${SERVICE}Port" "$port" --location "$root" \
       --disableProductStyleUrl --disableTelemetry --skipApiVersionCheck --silent) >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 60
  start_proxy "$port" "$rec"
  (cd "$root" && exec "$VENV/bin/python" "$HERE/azurite_${SERVICE}_drive.py" "http://127.0.0.1:$PROXY_PORT" \
      "$ACCOUNTS" --seed "$seed" "${budget[@]}") >"$root/drive.log" 2>&1
}
record_samples "azurite_$SERVICE" "$OUT"
