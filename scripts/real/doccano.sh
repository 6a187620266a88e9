#!/usr/bin/env bash
# Record a doccano server (SQLite, its task worker beside it) driven by its own client, doccano-client's
# `DoccanoClient`: OUT/doccano-a.jsonl.gz and -b (seeds 1 and 2, a fresh server and database each), and
# OUT/doccano.truth.json from the Swagger 2.0 description it serves to a logged-in user (drf-yasg's
# `/swagger/?format=openapi`, read by the admin's session before the proxy starts).
#   scripts/real/doccano.sh [OUT]      (default /work/realset-holdout9)
# doccano 1.8.4 and doccano-client 1.2.8 pin different versions of the same libraries (pip refuses them
# together): each has an environment of its own. doccano's pins are loose where later releases broke it:
# environs wants marshmallow 3 (4 dropped `__version_info__`), pandas 1.5 was built against numpy 1;
# doccano-client's requests-toolbelt 0.9 wants urllib3 1 (2 dropped `contrib.appengine`).
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-holdout9}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
SERVER="$(ensure_venv doccano doccano==1.8.4 marshmallow==3.20.2 'numpy<2')"
CLIENT="$(ensure_venv doccano-client doccano-client==1.2.8 'urllib3<2')"
ADMIN=admin PASSWORD=realset-pass

one_sample() {
  # Its SQLite database (the task queue's broker too) and media in the scratch dir; `doccano task` runs
  # the imports and exports the client asks for.
  export DOCCANO_HOME="$root"
  # Django builds the `next` links of its paged lists from the Host it is sent, which the proxy sets to the
  # server's; the client follows a `next` only under its own base URL (else it asks
  # `/v1/http://127.0.0.1:PORT/v1/...` and gets the app's HTML): the server takes the host from the
  # proxy's X-Forwarded-Host, as behind any reverse proxy.
  printf 'from config.settings.production import *  # noqa\nUSE_X_FORWARDED_HOST = True\n' >"$root/realset_settings.py"
  export DJANGO_SETTINGS_MODULE=realset_settings PYTHONPATH="$root"
  (cd "$root" && "$SERVER/bin/doccano" init && "$SERVER/bin/doccano" createuser --username "$ADMIN" \
      --password "$PASSWORD") >"$root/init.log" 2>&1
  (cd "$root" && exec "$SERVER/bin/doccano" webserver --port "$port" --workers 2) >"$root/server.log" 2>&1 &
  PIDS+=($!)
  (cd "$root" && exec "$SERVER/bin/doccano" task --concurrency 1) >"$root/task.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 120
  if [[ $seed == 1 ]]; then
    "$CLIENT/bin/python" - "http://127.0.0.1:$port" "$ADMIN" "$PASSWORD" "$root/swagger.json" <<'PY'
import sys
from doccano_client import DoccanoClient
url, user, password, out = sys.argv[1:]
c = DoccanoClient(url)
c.login(user, password)
# the client's own session (its login cookie); drf-yasg answers 406 to the client's Accept: application/json
r = c._base_repository._session.get(f"{url}/swagger/?format=openapi", headers={"Accept": "application/openapi+json"})
r.raise_for_status()
open(out, "w", encoding="utf-8").write(r.text)
PY
    "$SPECBUILD_PYTHON" "$HERE/truth.py" "$root/swagger.json" "$OUT/doccano.truth.json" >&2
  fi
  start_proxy "$port" "$rec"
  "$CLIENT/bin/python" "$HERE/doccano_drive.py" "http://127.0.0.1:$PROXY_PORT" "$ADMIN" "$PASSWORD" \
      --seed "$seed" "${budget[@]}" >"$root/drive.log" 2>&1
}
record_samples doccano "$OUT"
