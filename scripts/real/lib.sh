# Shared by the scripts/real/*.sh recipes (sourced, never run): a cache dir for the servers' own
# environments, free ports, waiting for a port, and stopping by PID what a recipe started.
set -euo pipefail

CACHE="${SPECBUILD_REALSET_CACHE:-$HOME/.cache/specbuild-realset}"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# The interpreter that runs this checkout's specbuild (its deps installed): SPECBUILD_PYTHON, else the
# checkout's .venv, else python3.
if [[ -z "${SPECBUILD_PYTHON:-}" ]]; then
  SPECBUILD_PYTHON=python3
  [[ -x "$REPO/.venv/bin/python" ]] && SPECBUILD_PYTHON="$REPO/.venv/bin/python"
fi
mkdir -p "$CACHE/work"

# scratch DIR for one sample (server data, the raw recording, logs), under the cache, not /tmp.
scratch() { mktemp -d "$CACHE/work/run.XXXXXX"; }

# ensure_venv NAME PACKAGE... -> prints the venv path; installs only when the packages asked for differ
# from the last install's (a marker file names them).
ensure_venv() {
  local name="$1"; shift
  local venv="$CACHE/venv-$name" want="$*"
  if [[ ! -f "$venv/.specbuild-pins" || "$(cat "$venv/.specbuild-pins")" != "$want" ]]; then
    [[ -x "$venv/bin/pip" ]] || python3 -m venv "$venv" >&2
    "$venv/bin/pip" install -q --disable-pip-version-check "$@" >&2
    printf '%s' "$want" >"$venv/.specbuild-pins"
  fi
  printf '%s\n' "$venv"
}

# free_port -> a TCP port nobody listens on now (bound, then released).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# wait_port PORT [SECONDS] -> returns once something accepts on 127.0.0.1:PORT, fails after SECONDS.
wait_port() {
  local port="$1" limit="${2:-60}"
  python3 - "$port" "$limit" <<'PY'
import socket, sys, time
port, limit = int(sys.argv[1]), float(sys.argv[2])
end = time.monotonic() + limit
while time.monotonic() < end:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.2)
sys.exit(f"nothing listens on 127.0.0.1:{port} after {limit}s")
PY
}

# wait_http TRIES PAUSE CURL_ARG... -> returns once curl -sf CURL_ARG... succeeds (the server answers the URL
# with a success: up, not only listening), or after TRIES tries PAUSE seconds apart; the recipe goes on
# either way (its driver's first call says what is wrong).
wait_http() {
  local tries="$1" pause="$2"; shift 2
  for _ in $(seq "$tries"); do curl -sf "$@" >/dev/null && return 0; sleep "$pause"; done
  return 0
}

# Every PID a recipe starts goes here; stop_all ends them (TERM, then KILL after 10 s), newest first.
PIDS=()
stop_all() {
  local pid i
  for ((i=${#PIDS[@]}-1; i>=0; i--)); do
    pid="${PIDS[$i]}"
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  PIDS=()
  PROXY_PORT=""
}
trap stop_all EXIT

# A scratch PostgreSQL cluster per sample, from Debian's binaries (run as the postgres user when this runs
# as root, as initdb wants): `uses_postgres` once (its EXIT trap also removes the clusters), then
# `start_postgres NAME USER` in a sample (a trust-auth cluster owned by USER, fsync off: thrown away after
# the sample); it sets PG_PORT.
uses_postgres() {
  PG_BIN="${PG_BIN:-$(dirname "$(readlink -f "$(command -v postgres || echo /usr/lib/postgresql/15/bin/postgres)")")}"
  AS_PG=()
  [[ "$(id -u)" == 0 ]] && AS_PG=(setpriv --reuid=postgres --regid=postgres --init-groups)
  PGDIRS=()
  trap 'stop_all; rm -rf "${PGDIRS[@]}"' EXIT
}

start_postgres() {
  local name=$1 user=$2 pg
  if [[ ${#AS_PG[@]} -gt 0 ]]; then
    pg="$(mktemp -d "/tmp/realset-$name-pg.XXXXXX")"; PGDIRS+=("$pg"); chown postgres "$pg"
  else
    pg="$root/pg"; mkdir -p "$pg"
  fi
  PG_PORT="$(free_port)"
  "${AS_PG[@]}" "$PG_BIN/initdb" -D "$pg/data" -U "$user" --auth=trust -E UTF8 >"$root/initdb.log" 2>&1
  "${AS_PG[@]}" "$PG_BIN/postgres" -D "$pg/data" -p "$PG_PORT" -k "$pg" -c listen_addresses=127.0.0.1 \
      -c fsync=off -c synchronous_commit=off >"$root/postgres.log" 2>&1 &
  PIDS+=($!)
  wait_port "$PG_PORT" 60
}

# start_proxy UPSTREAM_PORT OUT.jsonl -> the recording proxy in front of the server, on PROXY_PORT (set
# before for a server that must know its outside URL, else a free port).
start_proxy() {
  PROXY_PORT="${PROXY_PORT:-$(free_port)}"
  (cd "$REPO" && exec "$SPECBUILD_PYTHON" -m specbuild record --upstream "http://127.0.0.1:$1" \
      --listen "127.0.0.1:$PROXY_PORT" -o "$2") >"$2.proxy.log" 2>&1 &
  PIDS+=($!)
  # the proxy's own error (an interpreter without specbuild's deps, say: a worktree has no .venv of its
  # own, so SPECBUILD_PYTHON must name one) rather than only a port nobody listens on
  wait_port "$PROXY_PORT" 60 || { tail -n 5 "$2.proxy.log" >&2; return 1; }
}

# finish OUT.jsonl DEST.jsonl.gz -> gzip the recording into place and say how many exchanges it has.
finish() {
  gzip -c -n "$1" >"$2"
  echo "$(basename "$2"): $(wc -l <"$1") exchanges"
  rm -f "$1" "$1.proxy.log"
}

# record_samples NAME OUT -> OUT/NAME-a.jsonl.gz and -b: for each sample it sets $seed (1, 2), $root (a
# scratch dir), $port (free, for the server) and $rec (the raw recording), calls the recipe's
# one_sample (start the server and start_proxy, then drive it through $PROXY_PORT), stops everything.
# REALSET_MAX_SECONDS (default 0: none) is handed to the drivers as --max-seconds via $budget.
record_samples() {
  local name="$1" out="$2" sample
  budget=(--max-seconds "${REALSET_MAX_SECONDS:-0}")
  for sample in a b; do
    seed=$([[ $sample == a ]] && echo 1 || echo 2)
    root="$(scratch)"; port="$(free_port)"; rec="$root/rec.jsonl"
    one_sample
    stop_all
    finish "$rec" "$out/$name-$sample.jsonl.gz"
    rm -rf "$root"
  done
}

# Build the recipe's Go driver, $HERE/NAME_drive.go, against MODULE@VERSION (the server's own client), into
# $PREFIX/drive/NAME_drive; again only when the driver's source or the client's version changed. Uses the
# recipe's GO, HERE and PREFIX.
go_driver() {
  local name=$1 module=$2 version=$3 pins
  pins="$version $(cksum <"$HERE/${name}_drive.go")"
  if [[ ! -x "$PREFIX/drive/${name}_drive" || "$(cat "$PREFIX/drive/.specbuild-pins" 2>/dev/null)" != "$pins" ]]; then
    mkdir -p "$PREFIX/drive" && cp "$HERE/${name}_drive.go" "$PREFIX/drive/main.go"
    (cd "$PREFIX/drive" && { [[ -f go.mod ]] || "$GO" mod init "realset/${name}drive" >&2; } \
      && GOFLAGS=-mod=mod "$GO" get "$module@$version" >&2 \
      && GOFLAGS=-mod=mod "$GO" build -o "${name}_drive" . >&2)
    printf '%s' "$pins" >"$PREFIX/drive/.specbuild-pins"
  fi
}
