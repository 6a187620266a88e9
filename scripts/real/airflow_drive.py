"""Drive an Apache Airflow API server with its own client, apache-airflow-client (`airflow_client.client`).

    python airflow_drive.py SERVER_URL --seed N [--rounds R] [--max-seconds S]

Run by airflow.sh with the server's own environment. The client takes a JWT from the auth manager's
`/auth/token` first (the simple auth manager, every user an admin), then sends it on every call. A seeded
random workload of what a data team's scripts and CI do through the stable REST API (`/api/v2`): the
DAGs the team wrote (airflow_dags.py: their ids, tasks, params and tags in paths and bodies) listed,
read, paused and unpaused, their sources and versions; DAG runs triggered under run ids the team
chooses with a `conf` whose keys each DAG's params name, read, filtered, noted, marked, cleared and
deleted; their task instances read, marked and cleared, their tries and dependencies, XCom entries under
keys the team picks; variables, connections (an `extra` JSON each) and pools by names people choose;
assets and the events the team posts to them (an `extra` map each), backfills, event logs, import errors,
DAG stats and warnings, health and version, and the errors people hit (a missing DAG or run, a run id
taken, a key that is missing, an illegal state).
"""

from __future__ import annotations

import json
import random
import sys
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any

import workload  # beside this file
from airflow_client import client as af
from airflow_client.client.exceptions import ApiException

DAGS = {
    # dag id -> its tasks (after `start`) and its params' keys, as airflow_dags.py declares them
    "etl_orders": (["start", "extract", "transform", "load"], ["full_refresh", "region"]),
    "nightly_dbt": (["start", "dbt_deps", "dbt_run", "dbt_test"], ["select", "threads"]),
    "train_ranker": (["start", "fetch_features", "train", "evaluate", "publish"], ["model_version", "epochs"]),
    "sync_salesforce": (["start", "pull_accounts", "pull_opportunities", "upsert"], ["since_hours"]),
    "backfill_events": (["start", "list_partitions", "reprocess"], ["start_date", "end_date"]),
    "export_ledger": (["start", "snapshot", "export", "notify"], ["bucket"]),
}
TEAMS = ("data-eng", "ml", "finance", "growth", "analytics")
WORDS = ("alpha", "bravo", "delta", "kilo", "lima", "tango", "zulu")
CONN_TYPES = {
    "postgres": ("db.internal", 5432),
    "snowflake": ("acme.snowflakecomputing.com", None),
    "aws": (None, None),
    "http": ("api.partner.example.com", 443),
    "mysql": ("mysql.internal", 3306),
    "slack": (None, None),
}
XCOM_KEYS = ("return_value", "row_count", "s3_path", "model_metrics", "partition", "watermark")


def param_value(key: str, rng: random.Random) -> Any:
    if key in ("full_refresh",):
        return rng.random() < 0.5
    if key in ("threads", "epochs", "since_hours"):
        return rng.randint(1, 16)
    if key.endswith("_date"):
        return f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if key == "region":
        return rng.choice(["eu", "us", "apac"])
    if key == "bucket":
        return f"s3://finance-exports/{rng.choice(WORDS)}"
    if key == "select":
        return rng.choice(["tag:nightly", "marts.finance", "+orders"])
    return f"v{rng.randint(1, 9)}"


class Drive:
    def __init__(self, url: str, rng: random.Random) -> None:
        self.rng = rng
        with urllib.request.urlopen(f"{url}/auth/token", timeout=60) as r:  # every user an admin: no password
            token = json.loads(r.read())["access_token"]
        self.api = af.ApiClient(af.Configuration(host=url, access_token=token))
        self.dags = af.DAGApi(self.api)
        self.runs_api = af.DagRunApi(self.api)
        self.tis = af.TaskInstanceApi(self.api)
        self.xcom = af.XComApi(self.api)
        self.vars = af.VariableApi(self.api)
        self.conns = af.ConnectionApi(self.api)
        self.pools_api = af.PoolApi(self.api)
        self.assets = af.AssetApi(self.api)
        self.backfills_api = af.BackfillApi(self.api)
        self.runs: list[tuple[str, str]] = []  # dag id, run id
        self.variables: list[str] = []
        self.connections: list[str] = []
        self.pools: list[str] = []
        self.xcoms: list[tuple[str, str, str, str]] = []  # dag, run, task, key
        self.backfills: list[int] = []

    def dag_id(self) -> str:
        return self.rng.choice(sorted(DAGS))

    def dag(self) -> None:
        k = self.rng.randrange(9)
        d = self.dag_id()
        if k == 0:
            self.dags.get_dags(
                limit=self.rng.choice([10, 100]),
                tags=self.rng.sample(["sales", "ml", "finance", "crm", "daily", "pii"], self.rng.randint(0, 2)) or None,
                paused=self.rng.choice([None, True, False]),
                dag_id_pattern=self.rng.choice([None, "sync", "etl"]),
            )
        elif k == 1:
            self.dags.get_dag(d)
        elif k == 2:
            self.dags.get_dag_details(d)
        elif k == 3:
            self.dags.patch_dag(d, af.DAGPatchBody(is_paused=self.rng.random() < 0.5))
        elif k == 4:
            af.TaskApi(self.api).get_tasks(d)
            af.TaskApi(self.api).get_task(d, self.rng.choice(DAGS[d][0]))
        elif k == 5:
            af.DagSourceApi(self.api).get_dag_source(d)
        elif k == 6:
            af.DagVersionApi(self.api).get_dag_versions(d)
        elif k == 7:
            self.dags.get_dag_tags()
            af.DagStatsApi(self.api).get_dag_stats(dag_ids=self.rng.sample(sorted(DAGS), 2))
        else:
            (self.dags.favorite_dag if self.rng.random() < 0.5 else self.dags.unfavorite_dag)(d)

    def trigger(self) -> None:
        d = self.dag_id()
        keys = DAGS[d][1]
        run_id = self.rng.choice(
            [
                f"manual__{d}_{self.rng.randint(1, 99999)}",
                f"{self.rng.choice(TEAMS)}-rerun-{self.rng.randint(1, 9999)}",
                f"ci-{self.rng.choice(WORDS)}-{self.rng.randint(100, 999)}",
            ]
        )
        when = datetime(2026, self.rng.randint(1, 11), self.rng.randint(1, 28), self.rng.randint(0, 23), tzinfo=UTC)
        r = self.runs_api.trigger_dag_run(
            d,
            af.TriggerDAGRunPostBody(
                dag_run_id=run_id,
                logical_date=when if self.rng.random() < 0.6 else None,
                conf={k: param_value(k, self.rng) for k in self.rng.sample(keys, self.rng.randint(0, len(keys)))},
                note=self.rng.choice([None, f"triggered by {self.rng.choice(TEAMS)}", "rerun after fix"]),
            ),
        )
        self.runs.append((d, r.dag_run_id))

    def pick_run(self) -> tuple[str, str]:
        if not self.runs:
            self.trigger()
        return self.rng.choice(self.runs)

    def run_ops(self) -> None:
        d, run_id = self.pick_run()
        k = self.rng.randrange(8)
        if k == 0:
            self.runs_api.get_dag_run(d, run_id)
        elif k == 1:
            self.runs_api.get_dag_runs(
                self.rng.choice([d, "~"]),
                limit=self.rng.choice([10, 50]),
                state=self.rng.sample(["queued", "running", "success", "failed"], self.rng.randint(0, 2)) or None,
                order_by=self.rng.choice([None, ["-run_after"], ["run_id"]]),
            )
        elif k == 2:
            self.runs_api.patch_dag_run(
                d,
                run_id,
                af.DAGRunPatchBody(state=self.rng.choice(["success", "failed", "queued"])),
                update_mask=["state"],
            )
        elif k == 3:
            self.runs_api.patch_dag_run(
                d,
                run_id,
                af.DAGRunPatchBody(note=f"{self.rng.choice(TEAMS)}: {self.rng.choice(WORDS)}"),
                update_mask=["note"],
            )
        elif k == 4:
            # *_without_preload_content: the client's models cannot read a dry run's answer (its anyOf of
            # two task instance shapes matches both); the call and the answer are the same.
            self.runs_api.clear_dag_run_without_preload_content(
                d, run_id, af.DAGRunClearBody(dry_run=self.rng.random() < 0.5, only_failed=self.rng.random() < 0.3)
            )
        elif k == 5:
            self.runs_api.get_list_dag_runs_batch(
                "~", af.DAGRunsBatchBody(dag_ids=self.rng.sample(sorted(DAGS), 2), page_limit=self.rng.choice([10, 50]))
            )
        elif k == 6:
            self.runs_api.get_upstream_asset_events(d, run_id)
        elif len(self.runs) > 12:
            self.runs_api.delete_dag_run(d, run_id)
            self.runs.remove((d, run_id))
            self.xcoms = [x for x in self.xcoms if (x[0], x[1]) != (d, run_id)]
        else:
            self.runs_api.get_dag_runs(d, limit=5)

    def task_ops(self) -> None:
        d, run_id = self.pick_run()
        task = self.rng.choice(DAGS[d][0])
        k = self.rng.randrange(8)
        if k == 0:
            self.tis.get_task_instances(d, run_id, state=self.rng.choice([None, ["success"], ["failed", "queued"]]))
        elif k == 1:
            self.tis.get_task_instance(d, run_id, task)
        elif k == 2:
            self.tis.patch_task_instance(
                d,
                run_id,
                task,
                af.PatchTaskInstanceBody(
                    new_state=self.rng.choice(["success", "failed", "skipped"]),
                    include_downstream=self.rng.random() < 0.3,
                ),
            )
        elif k == 3:
            self.tis.patch_task_instance(
                d,
                run_id,
                task,
                af.PatchTaskInstanceBody(note=f"checked by {self.rng.choice(TEAMS)}"),
                update_mask=["note"],
            )
        elif k == 4:
            self.dags_clear(d, run_id, task)
        elif k == 5:
            self.tis.get_task_instance_tries(d, run_id, task)
            self.tis.get_task_instance_dependencies(d, run_id, task)
        elif k == 6:
            self.tis.get_task_instances_batch(
                "~",
                "~",
                af.TaskInstancesBatchBody(dag_ids=[d], state=self.rng.choice([None, ["success"]]), page_limit=20),
            )
        else:
            self.tis.get_task_instances("~", "~", limit=self.rng.choice([10, 25]), task_id=task)

    def dags_clear(self, d: str, run_id: str, task: str) -> None:
        self.tis.post_clear_task_instances_without_preload_content(  # as clear_dag_run's, in run_ops
            d,
            af.ClearTaskInstancesBody(
                dry_run=self.rng.random() < 0.6,
                task_ids=[af.ClearTaskInstancesBodyTaskIdsInner(task)],
                dag_run_id=run_id,
                only_failed=self.rng.random() < 0.5,
                include_downstream=self.rng.random() < 0.5,
            ),
        )

    def xcom_ops(self) -> None:
        k = self.rng.randrange(5)
        if k <= 1 or not self.xcoms:
            d, run_id = self.pick_run()
            task = self.rng.choice(DAGS[d][0][1:])
            key = self.rng.choice(XCOM_KEYS)
            if (d, run_id, task, key) in self.xcoms:
                return
            value: Any = self.rng.choice(
                [
                    self.rng.randint(0, 10**6),
                    f"s3://lake/{d}/{self.rng.randint(1, 999)}.parquet",
                    {"auc": round(self.rng.random(), 3), "rows": self.rng.randint(0, 10**5)},
                    [self.rng.choice(WORDS) for _ in range(self.rng.randint(1, 3))],
                ]
            )
            self.xcom.create_xcom_entry(d, task, run_id, af.XComCreateBody(key=key, value=value))
            self.xcoms.append((d, run_id, task, key))
        elif k == 2:
            d, run_id, task, key = self.rng.choice(self.xcoms)
            self.xcom.get_xcom_entry(d, task, run_id, key, deserialize=self.rng.random() < 0.5)
        elif k == 3:
            d, run_id, task, key = self.rng.choice(self.xcoms)
            self.xcom.update_xcom_entry(d, task, run_id, key, af.XComUpdateBody(value=self.rng.randint(0, 100)))
        else:
            d, run_id, task, _ = self.rng.choice(self.xcoms)
            self.xcom.get_xcom_entries(
                self.rng.choice([d, "~"]),
                "~" if self.rng.random() < 0.5 else run_id,
                self.rng.choice([task, "~"]),
                limit=20,
            )

    def variable(self) -> None:
        k = self.rng.randrange(5)
        if k <= 1 or not self.variables:
            system = self.rng.choice(["snowflake", "slack", "dbt", "feature"])
            key = f"{system}_{self.rng.choice(['warehouse', 'channel', 'target', 'flag'])}"
            value = self.rng.choice(
                [
                    self.rng.choice(WORDS),
                    str(self.rng.randint(0, 100)),
                    json.dumps({"env": self.rng.choice(["prod", "dev"]), "retries": self.rng.randint(0, 3)}),
                ]
            )
            if key in self.variables:
                self.vars.patch_variable(key, af.VariableBody(key=key, value=value))
                return
            self.vars.post_variable(
                af.VariableBody(
                    key=key, value=value, description=self.rng.choice([None, f"owned by {self.rng.choice(TEAMS)}"])
                )
            )
            self.variables.append(key)
        elif k == 2:
            self.vars.get_variable(self.rng.choice(self.variables))
        elif k == 3:
            self.vars.get_variables(
                limit=self.rng.choice([10, 100]), variable_key_pattern=self.rng.choice([None, "slack", "dbt"])
            )
        else:
            key = self.rng.choice(self.variables)
            self.vars.delete_variable(key)
            self.variables.remove(key)

    def connection(self) -> None:
        k = self.rng.randrange(5)
        if k <= 1 or not self.connections:
            ctype = self.rng.choice(sorted(CONN_TYPES))
            cid = f"{ctype}_{self.rng.choice(['prod', 'staging', 'dev'])}"
            host, port = CONN_TYPES[ctype]
            extra = {
                "postgres": {"sslmode": "require"},
                "snowflake": {"account": "acme", "warehouse": "COMPUTE_WH", "role": "TRANSFORMER"},
                "aws": {"region_name": "eu-west-1", "role_arn": "arn:aws:iam::123456789012:role/airflow"},
                "http": {"timeout": 30},
                "mysql": {"charset": "utf8mb4"},
                "slack": {"channel": f"#{self.rng.choice(TEAMS)}"},
            }[ctype]
            body = af.ConnectionBody(
                connection_id=cid,
                conn_type=ctype,
                host=host,
                port=port,
                login=self.rng.choice([None, "airflow", "svc_etl"]),
                password="s3cret",
                var_schema=self.rng.choice([None, "public", "analytics"]),
                extra=json.dumps(extra),
                description=f"{ctype} for {self.rng.choice(TEAMS)}",
            )
            if cid in self.connections:
                self.conns.patch_connection(cid, body)
            else:
                self.conns.post_connection(body)
                self.connections.append(cid)
        elif k == 2:
            self.conns.get_connection(self.rng.choice(self.connections))
        elif k == 3:
            self.conns.get_connections(limit=self.rng.choice([10, 100]), order_by=self.rng.choice([None, ["conn_id"]]))
        else:
            cid = self.rng.choice(self.connections)
            self.conns.delete_connection(cid)
            self.connections.remove(cid)

    def pool(self) -> None:
        k = self.rng.randrange(5)
        if k <= 1 or not self.pools:
            name = f"{self.rng.choice(['snowflake', 'api', 'gpu', 'spark'])}_{self.rng.choice(TEAMS).replace('-', '_')}"
            if name in self.pools:
                # include_deferred too: the server's body model requires it, whatever the update mask says
                body = af.PoolPatchBody(pool=name, slots=self.rng.randint(1, 32), include_deferred=False)
                self.pools_api.patch_pool(name, body, update_mask=["slots"])
                return
            self.pools_api.post_pool(
                af.PoolBody(
                    name=name,
                    slots=self.rng.randint(1, 16),
                    description=f"{name} slots",
                    include_deferred=self.rng.random() < 0.3,
                )
            )
            self.pools.append(name)
        elif k == 2:
            self.pools_api.get_pool(self.rng.choice([*self.pools, "default_pool"]))
        elif k == 3:
            self.pools_api.get_pools(limit=self.rng.choice([10, 50]))
        else:
            name = self.rng.choice(self.pools)
            self.pools_api.delete_pool(name)
            self.pools.remove(name)

    def asset(self) -> None:
        k = self.rng.randrange(5)
        assets = self.assets.get_assets(limit=50).assets
        if k == 0 or not assets:
            self.assets.get_assets(
                limit=self.rng.choice([10, 50]), uri_pattern=self.rng.choice([None, "lake", "orders"])
            )
            return
        a = self.rng.choice(assets)
        if k == 1:
            self.assets.get_asset(a.id)
        elif k == 2:
            extra = {
                self.rng.choice(["rows", "partition", "source", "checksum", "producer"]): self.rng.choice(WORDS)
                for _ in range(self.rng.randint(0, 3))
            }
            self.assets.create_asset_event(af.CreateAssetEventsBody(asset_id=a.id, extra=extra))
        elif k == 3:
            self.assets.get_asset_events(asset_id=self.rng.choice([None, a.id]), limit=self.rng.choice([10, 50]))
        else:
            self.assets.get_asset_queued_events(a.id)

    def backfill(self) -> None:
        k = self.rng.randrange(4)
        if k == 0 or not self.backfills:
            d = self.rng.choice(["etl_orders", "nightly_dbt", "export_ledger"])
            start = datetime(2026, self.rng.randint(1, 9), self.rng.randint(1, 20), tzinfo=UTC)
            body = af.BackfillPostBody(
                dag_id=d,
                from_date=start,
                to_date=start + timedelta(days=self.rng.randint(1, 4)),
                reprocess_behavior=self.rng.choice(["none", "failed", "completed"]),
                max_active_runs=self.rng.randint(1, 3),
                dag_run_conf={},
            )
            if self.rng.random() < 0.4:
                self.backfills_api.create_backfill_dry_run(body)
            else:
                b = self.backfills_api.create_backfill(body)
                self.backfills.append(b.id)
        elif k == 1:
            self.backfills_api.list_backfills(dag_id=self.rng.choice(["etl_orders", "nightly_dbt", "export_ledger"]))
        elif k == 2:
            self.backfills_api.get_backfill(self.rng.choice(self.backfills))
        else:
            bid = self.rng.choice(self.backfills)
            op = self.rng.choice(
                [
                    self.backfills_api.pause_backfill,
                    self.backfills_api.unpause_backfill,
                    self.backfills_api.cancel_backfill,
                ]
            )
            op(bid)
            if op == self.backfills_api.cancel_backfill:
                self.backfills.remove(bid)

    def ops(self) -> None:
        k = self.rng.randrange(8)
        if k == 0:
            af.EventLogApi(self.api).get_event_logs(
                limit=self.rng.choice([10, 50]), dag_id=self.rng.choice([None, self.dag_id()])
            )
        elif k == 1:
            errs = af.ImportErrorApi(self.api).get_import_errors()
            for e in errs.import_errors[:1]:
                af.ImportErrorApi(self.api).get_import_error(e.import_error_id)
        elif k == 2:
            af.MonitorApi(self.api).get_health()
        elif k == 3:
            af.VersionApi(self.api).get_version()
        elif k == 4:
            af.DagWarningApi(self.api).list_dag_warnings()
        elif k == 5:
            af.ProviderApi(self.api).get_providers()
        elif k == 6:
            af.PluginApi(self.api).get_plugins()
        else:
            af.JobApi(self.api).get_jobs(limit=10)

    def errors(self) -> None:
        k = self.rng.randrange(6)
        try:
            if k == 0:
                self.dags.get_dag(f"missing_{self.rng.choice(WORDS)}")
            elif k == 1 and self.runs:
                d, run_id = self.rng.choice(self.runs)
                self.runs_api.trigger_dag_run(d, af.TriggerDAGRunPostBody(dag_run_id=run_id))
            elif k == 2:
                self.vars.get_variable(f"nope_{self.rng.randint(1, 99)}")
            elif k == 3:
                self.conns.get_connection(f"missing_{self.rng.choice(WORDS)}")
            elif k == 4:
                self.runs_api.get_dag_run(self.dag_id(), f"no-such-run-{self.rng.randint(1, 999)}")
            else:
                self.pools_api.get_pool(f"pool_{self.rng.choice(WORDS)}")
        except ApiException as e:
            print(f"expected: {e.status}", file=sys.stderr)


def main() -> int:
    a = workload.parse(__doc__, ["url"], rounds=1000)
    rng = random.Random(a.seed)
    d = Drive(a.url.rstrip("/"), rng)
    steps = [
        (d.dag, 8),
        (d.trigger, 6),
        (d.run_ops, 8),
        (d.task_ops, 8),
        (d.xcom_ops, 4),
        (d.variable, 5),
        (d.connection, 4),
        (d.pool, 3),
        (d.asset, 3),
        (d.backfill, 2),
        (d.ops, 3),
        (d.errors, 2),
    ]
    workload.run(rng, steps, a.rounds, a.max_seconds, tolerated=(ApiException,))
    return 0


if __name__ == "__main__":
    sys.exit(main())
