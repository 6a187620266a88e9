"""The DAGs a data team's Airflow runs, for airflow.sh: copied into the server's dags folder.

Never executed here (no scheduler runs): the API serves them as parsed and serialized by `airflow dags
reserialize`, and the driver triggers, clears and marks their runs and task instances. Each DAG has the
ids, params, tags and asset outlets its team chose; one file fails to import (import errors are part
of what the API serves).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG, Asset, Param

PIPELINES = {
    "etl_orders": (["extract", "transform", "load"], ["sales", "daily"], {"full_refresh": False, "region": "eu"}),
    "nightly_dbt": (["dbt_deps", "dbt_run", "dbt_test"], ["analytics"], {"select": "tag:nightly", "threads": 4}),
    "train_ranker": (["fetch_features", "train", "evaluate", "publish"], ["ml"], {"model_version": "v3", "epochs": 10}),
    "sync_salesforce": (["pull_accounts", "pull_opportunities", "upsert"], ["crm", "hourly"], {"since_hours": 2}),
    "backfill_events": (
        ["list_partitions", "reprocess"],
        ["events"],
        {"start_date": "2026-01-01", "end_date": "2026-01-31"},
    ),
    "export_ledger": (["snapshot", "export", "notify"], ["finance", "pii"], {"bucket": "s3://finance-exports"}),
}

for dag_id, (tasks, tags, params) in PIPELINES.items():
    with DAG(
        dag_id=dag_id,
        description=f"{dag_id.replace('_', ' ')} pipeline",
        schedule=None if "backfill" in dag_id else "@daily",
        start_date=datetime(2026, 1, 1),
        catchup=False,
        tags=tags,
        params={
            k: Param(
                v, type=type(v).__name__.replace("str", "string").replace("bool", "boolean").replace("int", "integer")
            )
            for k, v in params.items()
        },
        default_args={"owner": tags[0], "retries": 1, "retry_delay": timedelta(minutes=5)},
    ) as dag:
        prev = EmptyOperator(task_id="start")
        for t in tasks:
            op = BashOperator(
                task_id=t,
                bash_command=f"echo {t}",
                outlets=[Asset(f"s3://lake/{dag_id}/{t}")] if t in ("load", "publish", "export") else [],
            )
            prev >> op
            prev = op
    globals()[dag_id] = dag
