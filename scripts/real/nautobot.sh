#!/usr/bin/env bash
# Record a Nautobot server (PostgreSQL 15 and Redis from Debian, a cluster and a Redis per sample) driven by
# its own client library, pynautobot: OUT/nautobot-a.jsonl.gz and -b (seeds 1 and 2, a fresh database each),
# and OUT/nautobot.truth.json from the OpenAPI 3 description the server serves (`/api/swagger.json`,
# drf-spectacular's, read with the admin's token before the proxy starts).
#   scripts/real/nautobot.sh [OUT]      (default /work/realset-new)
# The web app runs under `nautobot-server runserver` (Django's, threaded, no reloader); no Celery worker:
# the workload runs no jobs. Redis is Django's cache and Celery's broker (Nautobot will not start without it).
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-new}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
VENV="$(ensure_venv nautobot nautobot==3.2.7 pynautobot==3.2.0)"
ADMIN=admin PASSWORD=realset-pass TOKEN=0123456789abcdef0123456789abcdef01234567
# Debian's redis-server, installed by apt when missing (as root), as RabbitMQ's and Syncthing's recipes do:
# a new machine has none, and without it the first sample stops at once (redis.log: "/usr/bin/redis-server:
# No such file or directory", then "nothing listens on 127.0.0.1:PORT after 30.0s").
if [[ -z "${REDIS_SERVER:-}" ]] && ! command -v redis-server >/dev/null; then
  apt-get install -y -q redis-server >&2
fi
REDIS_SERVER="${REDIS_SERVER:-$(command -v redis-server || echo /usr/bin/redis-server)}"
uses_postgres

one_sample() {
  start_postgres nautobot nautobot
  local redis_port; redis_port="$(free_port)"
  "$REDIS_SERVER" --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$root" \
      >"$root/redis.log" 2>&1 &
  PIDS+=($!)
  wait_port "$redis_port" 30
  export NAUTOBOT_ROOT="$root/nautobot" NAUTOBOT_DB_HOST=127.0.0.1 NAUTOBOT_DB_PORT="$PG_PORT" \
      NAUTOBOT_DB_USER=nautobot NAUTOBOT_DB_NAME=postgres NAUTOBOT_DB_PASSWORD="" NAUTOBOT_REDIS_HOST=127.0.0.1 \
      NAUTOBOT_REDIS_PORT="$redis_port" NAUTOBOT_ALLOWED_HOSTS='*' NAUTOBOT_SECRET_KEY=realset-not-secret-0123456789 \
      NAUTOBOT_INSTALLATION_METRICS_ENABLED=false NAUTOBOT_DEBUG=false
  mkdir -p "$NAUTOBOT_ROOT"
  "$VENV/bin/nautobot-server" init --disable-installation-metrics "$NAUTOBOT_ROOT/nautobot_config.py" \
      >"$root/init.log" 2>&1 </dev/null
  "$VENV/bin/nautobot-server" migrate --noinput >>"$root/init.log" 2>&1
  DJANGO_SUPERUSER_PASSWORD="$PASSWORD" "$VENV/bin/nautobot-server" createsuperuser --noinput \
      --username "$ADMIN" --email admin@example.com >>"$root/init.log" 2>&1
  "$VENV/bin/nautobot-server" nbshell >>"$root/init.log" 2>&1 <<PY
from nautobot.users.models import Token, User
Token.objects.create(user=User.objects.get(username="$ADMIN"), key="$TOKEN")
PY
  "$VENV/bin/nautobot-server" runserver --noreload "127.0.0.1:$port" >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 180
  if [[ $seed == 1 ]]; then
    curl -sf -H "Authorization: Token $TOKEN" "http://127.0.0.1:$port/api/swagger.json" >"$root/api.json"
    "$SPECBUILD_PYTHON" "$HERE/truth.py" "$root/api.json" "$OUT/nautobot.truth.json" >&2
  fi
  start_proxy "$port" "$rec"
  "$VENV/bin/python" "$HERE/nautobot_drive.py" "http://127.0.0.1:$PROXY_PORT" "$TOKEN" --seed "$seed" "${budget[@]}" \
      >"$root/drive.log" 2>&1
}
record_samples nautobot "$OUT"
