#!/usr/bin/env bash
# Record a Pulp 3 server (pulpcore with its file plugin; PostgreSQL 15 from Debian, a cluster per sample)
# driven by its own client library, pulp-glue (pulp-cli's): OUT/pulp-a.jsonl.gz and -b (seeds 1 and 2, a
# fresh cluster and server each), and OUT/pulp.truth.json from the OpenAPI 3.1 description the server
# serves (`/pulp/api/v3/docs/api.json`, read before the proxy starts; its item paths, written from an
# entity's href, `{file_file_repository_href}sync/`, spelt out by truth.py --href-params).
#   scripts/real/pulp.sh [OUT]      (default /work/realset-holdout10)
# pulpcore 3.123.1 ships the file plugin and pulp_certguard; the API runs under pulpcore-api (gunicorn, one
# worker), tasks under one pulpcore-worker, and the content app (pulpcore-content) serves the
# distributions the driver's remotes sync from; none of them needs Redis.
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-holdout10}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
VENV="$(ensure_venv pulp pulpcore==3.123.1 pulp-glue==0.41.1)"
ADMIN=admin PASSWORD=realset-pass
uses_postgres

one_sample() {
  start_postgres pulp pulp
  local content_port; content_port="$(free_port)"
  mkdir -p "$root/media" "$root/tmp" "$root/exports"
  python3 -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())' >"$root/db.key"
  # the driver's exporters write under its own temporary dir
  cat >"$root/settings.py" <<PY
SECRET_KEY = "realset-not-secret"
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "postgres", "USER": "pulp",
                         "HOST": "127.0.0.1", "PORT": $PG_PORT}}
MEDIA_ROOT = "$root/media/"
STATIC_ROOT = "$root/static/"
WORKING_DIRECTORY = "$root/tmp/"
FILE_UPLOAD_TEMP_DIR = "$root/tmp/"
DB_ENCRYPTION_KEY = "$root/db.key"
CONTENT_ORIGIN = "http://127.0.0.1:$content_port"
ALLOWED_EXPORT_PATHS = ["/tmp"]
ALLOWED_IMPORT_PATHS = ["/tmp"]
PY
  export PULP_SETTINGS="$root/settings.py"
  (cd "$root" && "$VENV/bin/pulpcore-manager" migrate --noinput && "$VENV/bin/pulpcore-manager" \
      reset-admin-password --password "$PASSWORD") >"$root/init.log" 2>&1
  (cd "$root" && exec "$VENV/bin/pulpcore-api" --bind "127.0.0.1:$port" --workers 1) >"$root/api.log" 2>&1 &
  PIDS+=($!)
  (cd "$root" && exec "$VENV/bin/pulpcore-content" --bind "127.0.0.1:$content_port" --workers 1) >"$root/content.log" 2>&1 &
  PIDS+=($!)
  (cd "$root" && exec "$VENV/bin/pulpcore-worker") >"$root/worker.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 120
  wait_port "$content_port" 120
  if [[ $seed == 1 ]]; then
    curl -sf -u "$ADMIN:$PASSWORD" "http://127.0.0.1:$port/pulp/api/v3/docs/api.json" >"$root/api.json"
    "$SPECBUILD_PYTHON" "$HERE/truth.py" "$root/api.json" "$OUT/pulp.truth.json" --href-params >&2
  fi
  start_proxy "$port" "$rec"
  # pulp-glue keeps the description it read in XDG_CACHE_HOME: a fresh one per sample, so each reads it
  XDG_CACHE_HOME="$root/cache" TMPDIR=/tmp "$VENV/bin/python" "$HERE/pulp_drive.py" "http://127.0.0.1:$PROXY_PORT" \
      "http://127.0.0.1:$content_port" "$ADMIN" "$PASSWORD" --seed "$seed" "${budget[@]}" >"$root/drive.log" 2>&1
}
record_samples pulp "$OUT"
