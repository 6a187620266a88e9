#!/usr/bin/env bash
# Record an Apache Airflow 3 API server (SQLite, no scheduler) driven by its own client,
# apache-airflow-client: OUT/airflow-a.jsonl.gz and -b (seeds 1 and 2, a fresh server each), and
# OUT/airflow.truth.json, the OpenAPI 3.1 description the server publishes at /openapi.json (its public
# REST API, every path under /api/v2).
#   scripts/real/airflow.sh [OUT]      (default /work/realset-holdout5)
# The server's DAGs are airflow_dags.py (and airflow_broken_dag.py, which fails to import), put into
# the database by `airflow dags reserialize` before the server starts: no scheduler or DAG processor
# runs, so DAG runs stay as the API leaves them (the driver marks and clears them itself).
source "$(dirname "$0")/lib.sh"
OUT="${1:-/work/realset-holdout5}"; mkdir -p "$OUT"
HERE="$(cd "$(dirname "$0")" && pwd)"
VENV="$(ensure_venv airflow apache-airflow==3.3.2 apache-airflow-client==3.3.2)"

one_sample() {
  # The server's whole configuration is its environment: AIRFLOW_HOME and the SQLite database in the
  # scratch dir, no example DAGs, the simple auth manager with every user an admin (its /auth/token
  # hands out a JWT without a password, which the client then sends).
  export AIRFLOW_HOME="$root/home" AIRFLOW__CORE__DAGS_FOLDER="$root/dags" AIRFLOW__CORE__LOAD_EXAMPLES=False \
    AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="sqlite:///$root/airflow.db" AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS=True
  mkdir -p "$root/dags" && cp "$HERE/airflow_dags.py" "$HERE/airflow_broken_dag.py" "$root/dags/"
  "$VENV/bin/airflow" db migrate >"$root/setup.log" 2>&1
  "$VENV/bin/airflow" dags reserialize >>"$root/setup.log" 2>&1
  "$VENV/bin/airflow" api-server --host 127.0.0.1 --port "$port" --workers 1 >"$root/server.log" 2>&1 &
  PIDS+=($!)
  wait_port "$port" 120
  [[ $seed == 1 ]] && "$VENV/bin/python" "$HERE/truth.py" "http://127.0.0.1:$port/openapi.json" "$OUT/airflow.truth.json"
  start_proxy "$port" "$rec"
  "$VENV/bin/python" "$HERE/airflow_drive.py" "http://127.0.0.1:$PROXY_PORT" --seed "$seed" "${budget[@]}" \
      >"$root/drive.log" 2>&1
}
record_samples airflow "$OUT"
