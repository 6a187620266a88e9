#!/usr/bin/env bash
# Record a Chroma server (a local persistent store) driven by its own client, chromadb.HttpClient:
# OUT/chroma-a.jsonl.gz and -b (seeds 1 and 2, a fresh server each), and OUT/chroma.truth.json, the
# OpenAPI 3.1 description the server publishes at /openapi.json (refs inlined by truth.py). Its
# collections' `metadata` and its documents' `metadatas` carry keys each team chooses: maps, never
# properties.
#   scripts/real/chroma.sh [OUT]      (default /work/realset)
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset}"; mkdir -p "$OUT"
VENV="$(ensure_venv chroma chromadb==1.5.9)"
HERE="$(cd "$(dirname "$0")" && pwd)"

one_sample() {
  # No telemetry: the machine reaches only package registries.
  ANONYMIZED_TELEMETRY=False "$VENV/bin/chroma" run --path "$root/data" --host 127.0.0.1 --port "$port" \
      >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 120
  [[ $seed == 1 ]] && "$VENV/bin/python" "$HERE/truth.py" "http://127.0.0.1:$port/openapi.json" "$OUT/chroma.truth.json"
  start_proxy "$port" "$rec"
  ANONYMIZED_TELEMETRY=False "$VENV/bin/python" "$HERE/chroma_drive.py" 127.0.0.1 "$PROXY_PORT" --seed "$seed" \
      "${budget[@]}" >"$root/drive.log" 2>&1
}
record_samples chroma "$OUT"
