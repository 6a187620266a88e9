#!/usr/bin/env bash
# Record a GNU Mailman 3 core (its REST API; SQLite, its runners on, no MTA: outgoing mail waits in its
# retry queue) driven by its own REST client, mailmanclient: OUT/mailman-a.jsonl.gz and -b (seeds 1 and 2,
# a fresh server and database each). Mailman's core serves no OpenAPI description: no truth spec.
#   scripts/real/mailman.sh [OUT]      (default /work/realset-new20)
# Both from PyPI into one venv (SQLAlchemy below 2.1: Mailman 3.3.10's roster queries fail on 2.1 with 500s). The server is Mailman's `master` in the foreground (it starts the REST
# runner, gunicorn, and the queue runners; the NNTP and archive runners are off: nothing to gate to).
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-new20}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
VENV="$(ensure_venv mailman mailman==3.3.10 mailmanclient==3.3.5 "SQLAlchemy<2.1")"

one_sample() {
  # No MTA to tell of new lists (the null one); SMTP and LMTP point at ports nobody listens on: the out
  # runner keeps the mail for a retry
  cat >"$root/mailman.cfg" <<CFG
[mailman]
layout: here
site_owner: postmaster@lists.example.org
[paths.here]
var_dir: $root/var
[webservice]
hostname: 127.0.0.1
port: $port
admin_user: restadmin
admin_pass: restpass
[mta]
incoming: mailman.mta.null.NullMTA
smtp_host: 127.0.0.1
smtp_port: $(free_port)
lmtp_host: 127.0.0.1
lmtp_port: $(free_port)
[runner.nntp]
start: no
[runner.archive]
start: no
CFG
  (cd "$root" && exec "$VENV/bin/master" -C "$root/mailman.cfg") >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 120
  start_proxy "$port" "$rec"
  "$VENV/bin/python" "$HERE/mailman_drive.py" "http://127.0.0.1:$PROXY_PORT" --seed "$seed" "${budget[@]}" \
      >"$root/drive.log" 2>&1
}
record_samples mailman "$OUT"
