#!/usr/bin/env bash
# Record a pretix server (its REST API, `/api/v1`) driven as pretix's API documentation shows it (requests with
# team API tokens; pretix ships no Python client), from `pretix_drive.py`: OUT/pretix-a.jsonl.gz and -b (seeds
# 1 and 2, a fresh database each). pretix serves no OpenAPI description (its API reference is prose): no
# truth spec.
#   scripts/real/pretix.sh [OUT]      (default /work/realset-new28)
# From PyPI into one venv; SQLite, Django's `runserver` without its reloader, no Celery (pretix then runs its
# tasks in the request), mail to a closed port. `migrate` runs once (~6 minutes) into a template database
# under the cache that each sample copies; `pretix_setup.py` (in `pretix shell`) makes the two organizers,
# their teams with every permission and the teams' API tokens, as pretix's Teams page does.
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-new28}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
VERSION=2026.8.0
VENV="$(ensure_venv pretix pretix==$VERSION requests==2.34.2)"
TEMPLATE="$CACHE/pretix-$VERSION.sqlite3"

config() {  # config DATADIR PORT -> a pretix.cfg for a server on PORT keeping its data in DATADIR
  cat <<CFG
[pretix]
instance_name=Realset pretix
url=http://127.0.0.1:$2
currency=EUR
datadir=$1

[database]
backend=sqlite3
name=$1/db.sqlite3

[mail]
from=tickets@example.org
host=127.0.0.1
port=9

[django]
debug=off
CFG
}

if [[ ! -f "$TEMPLATE" ]]; then
  tmpl="$(scratch)"; mkdir -p "$tmpl/data"
  config "$tmpl/data" 1 >"$tmpl/pretix.cfg"
  PRETIX_CONFIG_FILE="$tmpl/pretix.cfg" "$VENV/bin/python" -m pretix migrate >"$tmpl/migrate.log" 2>&1
  cp "$tmpl/data/db.sqlite3" "$TEMPLATE"; rm -rf "$tmpl"
fi

one_sample() {
  mkdir -p "$root/data"; cp "$TEMPLATE" "$root/data/db.sqlite3"
  PROXY_PORT="$(free_port)"   # pretix's absolute URLs (public_url) name the address clients reach it at
  config "$root/data" "$PROXY_PORT" >"$root/pretix.cfg"
  export PRETIX_CONFIG_FILE="$root/pretix.cfg"
  "$VENV/bin/python" -m pretix shell <"$HERE/pretix_setup.py" 2>"$root/setup.log" \
    | grep -E '^(berlin-jazz-collective|pycon-nordics) ' >"$root/tokens"
  (cd "$root" && exec "$VENV/bin/python" -m pretix runserver --noreload "127.0.0.1:$port") >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 120
  # the API answers (401 without a token) once Django has loaded
  for _ in $(seq 120); do [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/v1/organizers/")" != 000 ]] && break; sleep 0.5; done
  start_proxy "$port" "$rec"
  (cd "$root" && "$VENV/bin/python" "$HERE/pretix_drive.py" "http://127.0.0.1:$PROXY_PORT" "$root/tokens" \
      --seed "$seed" "${budget[@]}") >"$root/drive.log" 2>&1
}
record_samples pretix "$OUT"
