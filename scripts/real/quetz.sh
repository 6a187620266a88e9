#!/usr/bin/env bash
# Record a Quetz server (mamba-org's conda package server; SQLite, packages on local disk) driven by its own
# client, quetz-client, and its web frontend's API calls (`quetz_drive.py`): OUT/quetz-a.jsonl.gz and -b
# (seeds 1 and 2, a fresh deployment each), and OUT/quetz.truth.json from the running server's
# /openapi.json (OpenAPI 3.1, FastAPI's).
#   scripts/real/quetz.sh [OUT]      (default /work/realset-new22)
# Both from PyPI into one venv, with the FastAPI, Starlette, pydantic, SQLAlchemy and uvicorn of its release
# (Quetz 0.10.4, December 2023: a later Starlette has no `app.route`, which Quetz's frontend calls). Quetz
# logs people in through GitHub or another identity provider only; the recipe makes the users and an admin's
# API key in the deployment's database (as `quetz create --dev` makes its test users), and the driver sends
# the key as the client does (`X-API-Key`).
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-new22}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
VENV="$(ensure_venv quetz quetz-server==0.10.4 quetz-client==0.5.0 fastapi==0.104.1 pydantic==2.5.3 \
    "SQLAlchemy<2.1" "uvicorn<0.30")"
USERS=anne.mueller,bob_smith,chloe-dubois,dmitri.k,eva_lab,farah.haddad,gustav-ci,hiro.tanaka,ines_r,jonas.bot

one_sample() {
  local key
  key="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
  cat >"$root/config.toml" <<CFG
[github]
client_id = "realset"
client_secret = "realset"

[sqlalchemy]
database_url = "sqlite:///$root/deploy/quetz.sqlite"

[session]
secret = "$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
https_only = false

[logging]
level = "WARNING"
CFG
  # in the sample's dir: Quetz's logging opens quetz.log in the working directory
  (cd "$root" && "$VENV/bin/quetz" create "$root/deploy" --copy-conf "$root/config.toml" >"$root/create.log" 2>&1 &&
  QUETZ_CONFIG_FILE="$root/deploy/config.toml" "$VENV/bin/python" - "$root/deploy" "$key" ${USERS//,/ } \
      >>"$root/create.log" 2>&1 <<'PY'
import os, sys
from quetz.config import Config
from quetz.dao import Dao
from quetz.database import get_session
from quetz.db_models import ApiKey, Identity, Profile
deploy, key, users = sys.argv[1], sys.argv[2], sys.argv[3:]
db = get_session(Config(os.path.join(deploy, "config.toml")).sqlalchemy_database_url)
dao = Dao(db)
made = []
for i, name in enumerate(["realset-admin", *users]):
    user = dao.create_user_with_role(name, role="owner" if i == 0 else None)
    user.identities.append(Identity(provider="dummy", identity_id=str(i), username=name))
    user.profile = Profile(name=name.replace(".", " ").replace("_", " ").title(), avatar_url="/avatar.jpg")
    db.add(user)
    made.append(user)
db.add(ApiKey(key=key, description="realset driver", user=made[0], owner=made[0]))
db.commit()
PY
  )
  # in a process group of its own: its job workers (multiprocessing) outlive a TERM to the server alone
  (cd "$root/deploy" && exec setsid "$VENV/bin/quetz" start "$root/deploy" --port "$port") >"$root/server.log" 2>&1 &
  local server=$!
  PIDS+=($server)
  wait_port "$port" 120
  [[ -f "$OUT/quetz.truth.json" ]] || "$SPECBUILD_PYTHON" "$HERE/truth.py" "http://127.0.0.1:$port/openapi.json" \
      "$OUT/quetz.truth.json"
  start_proxy "$port" "$rec"
  (cd "$root" && "$VENV/bin/python" "$HERE/quetz_drive.py" "http://127.0.0.1:$PROXY_PORT" "$key" "$USERS" \
      --seed "$seed" "${budget[@]}") >"$root/drive.log" 2>&1
  kill -TERM -- "-$server" 2>/dev/null || true  # the server and its workers; stop_all waits for the server
}
record_samples quetz "$OUT"
