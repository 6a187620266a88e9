#!/usr/bin/env bash
# Record a Home Assistant core's REST API (2024.3.3, the last release that runs on Python 3.11; its recorder on
# SQLite, the demo integration's devices, the owner's helpers) driven by its own CLI and client,
# homeassistant-cli (`hass-cli`, and the `homeassistant_cli.remote` functions its commands call), and the REST
# calls its frontend makes (`homeassistant_drive.py`): OUT/homeassistant-a.jsonl.gz and -b (seeds 1 and 2, a
# fresh configuration dir each). Home Assistant publishes no OpenAPI description of its REST API: no truth spec.
#   scripts/real/homeassistant.sh [OUT]      (default /work/realset-new25)
# Both from PyPI, each into its own venv (hass-cli pins its own aiohttp and click). The server's venv also gets
# the requirements the configured integrations would pip-install at their first start (recorder, conversation,
# frontend, camera, and those of the integrations they pull in: image_upload, file_upload, backup, ffmpeg, tts;
# without these a fresh venv fails to set up onboarding and frontend), and josepy below 2 (hass_nabucasa
# 0.78's acme import fails on josepy 2, a 500 on every request through a proxy). The owner is made by the
# onboarding API on the server itself (not recorded); the onboarding's location step, which sets up the met.no
# weather integration (outside traffic), is left out: the configuration gives the home's location.
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-new25}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
VENV="$(ensure_venv homeassistant homeassistant==2024.3.3 "josepy<2" SQLAlchemy==2.0.27 fnv-hash-fast==0.5.0 \
    psutil-home-assistant==0.0.1 hassil==1.6.1 home-assistant-intents==2024.3.12 \
    home-assistant-frontend==20240307.0 PyTurboJPEG==1.7.1 Pillow==10.2.0 janus==1.0.0 securetar==2024.2.1 \
    ha-ffmpeg==3.1.0 mutagen==1.47.0)"
CLI="$(ensure_venv hasscli homeassistant-cli==0.9.6)"

one_sample() {
  local cfg="$root/config"
  mkdir -p "$cfg"
  sed -e "s#@PORT@#$port#" "$HERE/homeassistant.yaml" >"$cfg/configuration.yaml"
  echo '[]' >"$cfg/automations.yaml"; echo '{}' >"$cfg/scripts.yaml"; echo '[]' >"$cfg/scenes.yaml"
  (exec "$VENV/bin/hass" -c "$cfg" --skip-pip) >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 180
  start_proxy "$port" "$rec"
  (cd "$root" && export PATH="$CLI/bin:$PATH" && exec "$CLI/bin/python" "$HERE/homeassistant_drive.py" \
      "http://127.0.0.1:$PROXY_PORT" "http://127.0.0.1:$port" "$root" --seed "$seed" "${budget[@]}") \
      >"$root/drive.log" 2>&1
}
record_samples homeassistant "$OUT"
