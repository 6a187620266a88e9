#!/usr/bin/env bash
# Record a RabbitMQ broker's management HTTP API (Debian's rabbitmq-server 3.10, its management plugin on; one
# node, its Mnesia database and logs in the sample's scratch dir) driven by RabbitMQ's own CLI for that API,
# rabbitmqadmin, and the API as the management UI calls it (`rabbitmq_drive.py`): OUT/rabbitmq-a.jsonl.gz and -b
# (seeds 1 and 2, a fresh node each). RabbitMQ publishes no OpenAPI description of the API: no truth spec.
#   scripts/real/rabbitmq.sh [OUT]      (default /work/realset-new22)
# The server from Debian's packages (`apt-get install rabbitmq-server`, once: the recipe installs it when
# missing, as root); rabbitmqadmin is the script the management plugin ships (/usr/bin/rabbitmqadmin in
# Debian's package). Each sample runs its own epmd on a free port (ERL_EPMD_PORT), the node's AMQP and
# distribution ports free ones too, and the broker in the foreground (RABBITMQ_ALLOW_INPUT and -noinput: `erl` is exec'd, so
# the PID stopped is the node's). Only the loopback guest user logs in, as on a developer's broker.
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-new22}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
if [[ ! -x /usr/lib/rabbitmq/bin/rabbitmq-server || ! -x /usr/bin/rabbitmqadmin ]]; then
  apt-get install -y -q rabbitmq-server >&2
fi

one_sample() {
  local epmd_port
  epmd_port="$(free_port)"
  mkdir -p "$root/mnesia" "$root/log"
  echo '[rabbitmq_management].' >"$root/enabled_plugins"
  cat >"$root/rabbitmq.conf" <<CFG
listeners.tcp.default = 127.0.0.1:$(free_port)
management.tcp.ip = 127.0.0.1
management.tcp.port = $port
CFG
  (exec epmd -port "$epmd_port") >"$root/epmd.log" 2>&1 &
  PIDS+=($!)
  wait_port "$epmd_port" 30
  (export HOME="$root" ERL_EPMD_PORT="$epmd_port" RABBITMQ_ALLOW_INPUT=1 RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=-noinput \
      RABBITMQ_NODENAME="realset$seed@localhost" RABBITMQ_CONFIG_FILE="$root/rabbitmq.conf" \
      RABBITMQ_MNESIA_BASE="$root/mnesia" RABBITMQ_LOG_BASE="$root/log" \
      RABBITMQ_ENABLED_PLUGINS_FILE="$root/enabled_plugins" RABBITMQ_DIST_PORT="$(free_port)"
   exec /usr/lib/rabbitmq/bin/rabbitmq-server) >"$root/server.log" 2>&1 </dev/null &
  PIDS+=($!)
  wait_port "$port" 120
  start_proxy "$port" "$rec"
  (cd "$root" && exec python3 "$HERE/rabbitmq_drive.py" "http://127.0.0.1:$PROXY_PORT" --seed "$seed" \
      "${budget[@]}") >"$root/drive.log" 2>&1
}
record_samples rabbitmq "$OUT"
