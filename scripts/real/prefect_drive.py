"""Drive a Prefect server with its own client, prefect's SyncPrefectClient.

    python prefect_drive.py API_URL --seed N [--rounds R] [--max-seconds S]

Run by prefect.sh with the server's own environment (API_URL ends in /api). A seeded random workload
of what a data team's orchestration does through the client, as workers, CI deploy steps and scripts
call it: flows and deployments under names the team chooses (in paths: `/deployments/name/{flow}/
{deployment}`), parameters and job variables whose keys each flow chooses, work pools and their queues,
flow runs from deployments moved through their states with task runs and logs, labels, run inputs
under keys (`/flow_runs/{id}/input/{key}`), variables by name, tag concurrency limits (the tag in the
path) and global ones by name, artifacts under keys, block types by slug with their documents, worker
heartbeats, filters, updates, deletes, and the errors people hit (a name that is missing, a duplicate,
an illegal state change). Flows are never executed: their engine reports task runs over a websocket
the recording proxy does not carry.
"""

from __future__ import annotations

import random
import sys
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import workload  # beside this file
from prefect import flow, task
from prefect.client.orchestration import SyncPrefectClient
from prefect.client.schemas import actions, filters, objects
from prefect.client.schemas.schedules import CronSchedule, IntervalSchedule
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound, PrefectHTTPStatusError
from prefect.states import Cancelled, Completed, Failed, Pending, Running, Scheduled

TEAMS = ("data-eng", "ml-platform", "finance", "growth", "search", "infra")
FLOWS = (
    "etl-orders",
    "nightly-dbt",
    "train-ranker",
    "sync-salesforce",
    "backfill-events",
    "score-churn",
    "export-ledger",
    "refresh-embeddings",
    "ingest-clickstream",
    "reconcile-payments",
)
ENVS = ("prod", "staging", "dev")
WORDS = ("alpha", "beta", "gamma", "delta", "omega", "kappa", "sigma", "theta")
# Parameter names a flow's authors pick: each flow draws its own few.
PARAM_KEYS = (
    "start_date",
    "end_date",
    "full_refresh",
    "batch_size",
    "target_table",
    "dry_run",
    "model_version",
    "region",
    "customer_ids",
    "threshold",
    "source.bucket",
    "dbt_select",
)
ENV_VARS = (
    "AWS_REGION",
    "DBT_PROFILES_DIR",
    "PREFECT_LOGGING_LEVEL",
    "SNOWFLAKE_WAREHOUSE",
    "MLFLOW_TRACKING_URI",
    "OMP_NUM_THREADS",
)
TASKS = ("extract", "transform", "load", "validate", "notify", "train", "evaluate", "publish")


def value_for(key: str, rng: random.Random) -> Any:
    if key.endswith("_date"):
        return f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if key in ("full_refresh", "dry_run"):
        return rng.random() < 0.5
    if key in ("batch_size",):
        return rng.choice([100, 500, 1000, 5000])
    if key == "threshold":
        return round(rng.random(), 3)
    if key == "customer_ids":
        return [rng.randint(1, 99999) for _ in range(rng.randint(0, 4))]
    return rng.choice(
        [*WORDS, *ENVS, f"v{rng.randint(1, 9)}.{rng.randint(0, 20)}", f"s3://lake-{rng.choice(ENVS)}/raw"]
    )


class Drive:
    def __init__(self, api: str, rng: random.Random) -> None:
        self.rng = rng
        self.c = SyncPrefectClient(api=api)
        self.flows: dict[str, uuid.UUID] = {}
        self.deployments: list[tuple[str, str, uuid.UUID, list[str]]] = []  # flow, name, id, param keys
        self.pools: dict[str, list[str]] = {}  # pool name -> its queues
        self.runs: list[uuid.UUID] = []
        self.variables: list[str] = []
        self.tags: list[str] = []
        self.gcls: list[str] = []
        self.block_types: list[str] = []
        self.blocks: list[tuple[str, str, uuid.UUID]] = []  # slug, document name, id

    def name(self, stem: str) -> str:
        return f"{stem}-{self.rng.choice(ENVS)}-{self.rng.randint(1, 99)}"

    def pool(self) -> None:
        name = f"{self.rng.choice(TEAMS)}-{self.rng.choice(['k8s', 'ecs', 'process', 'gpu'])}-{self.rng.randint(1, 9)}"
        if name in self.pools:
            self.c.read_work_pool(name)
            return
        base = {"env": {k: value_for(k, self.rng) for k in self.rng.sample(ENV_VARS, self.rng.randint(0, 3))}}
        self.c.create_work_pool(
            actions.WorkPoolCreate(
                name=name,
                type="process",
                description=f"{name} workers",
                base_job_template={"job_configuration": base, "variables": {"properties": {}}},
                concurrency_limit=self.rng.choice([None, 5, 20]),
            ),
        )
        self.pools[name] = ["default"]
        for _ in range(self.rng.randint(0, 2)):
            q = f"{self.rng.choice(['high', 'low', 'backfill', 'adhoc'])}-{self.rng.randint(1, 9)}"
            if q not in self.pools[name]:
                self.c.create_work_queue(
                    q,
                    work_pool_name=name,
                    priority=self.rng.randint(1, 10),
                    concurrency_limit=self.rng.choice([None, 2]),
                )
                self.pools[name].append(q)
        if self.rng.random() < 0.4:
            self.c.update_work_pool(
                name,
                actions.WorkPoolUpdate(
                    is_paused=self.rng.random() < 0.2, description=f"owned by {self.rng.choice(TEAMS)}"
                ),
            )

    def deployment(self) -> None:
        fname = self.rng.choice(FLOWS)
        if fname not in self.flows:
            self.flows[fname] = self.c.create_flow_from_name(fname)
        dname = self.name(self.rng.choice(["daily", "hourly", "adhoc", "backfill", "weekly"]))
        keys = self.rng.sample(PARAM_KEYS, self.rng.randint(1, 4))
        if not self.pools:
            self.pool()
        pname = self.rng.choice(sorted(self.pools))
        schedules = []
        if self.rng.random() < 0.5:
            sched: Any = (
                CronSchedule(cron=f"{self.rng.randint(0, 59)} {self.rng.randint(0, 23)} * * *", timezone="UTC")
                if self.rng.random() < 0.5
                else IntervalSchedule(interval=timedelta(hours=self.rng.choice([1, 6, 24])))
            )
            schedules.append(actions.DeploymentScheduleCreate(schedule=sched, active=self.rng.random() < 0.3))
        did = self.c.create_deployment(
            flow_id=self.flows[fname],
            name=dname,
            version=f"{self.rng.randint(1, 5)}.{self.rng.randint(0, 30)}",
            parameters={k: value_for(k, self.rng) for k in keys},
            work_pool_name=pname,
            work_queue_name=self.rng.choice(self.pools[pname]),
            tags=self.rng.sample([*TEAMS, *ENVS, "critical", "pii"], self.rng.randint(0, 3)),
            job_variables={k: value_for(k, self.rng) for k in self.rng.sample(ENV_VARS, self.rng.randint(0, 2))},
            description=f"{fname} for {self.rng.choice(TEAMS)}",
            schedules=schedules or None,
            entrypoint=f"flows/{fname.replace('-', '_')}.py:main",
            path="/opt/prefect",
            paused=self.rng.random() < 0.1,
        )
        self.deployments.append((fname, dname, did, keys))

    def pick_deployment(self) -> tuple[str, str, uuid.UUID, list[str]]:
        if not self.deployments:
            self.deployment()
        return self.rng.choice(self.deployments)

    def run(self) -> None:
        _, dname, did, keys = self.pick_deployment()
        params = {k: value_for(k, self.rng) for k in self.rng.sample(keys, self.rng.randint(0, len(keys)))}
        fr = self.c.create_flow_run_from_deployment(
            did,
            parameters=params,
            tags=self.rng.sample(["manual", "backfill", "retry", *ENVS], self.rng.randint(0, 2)),
            name=self.rng.choice([None, f"{dname}-{self.rng.choice(WORDS)}-{self.rng.randint(1, 999)}"]),
            idempotency_key=self.rng.choice([None, uuid.UUID(int=self.rng.getrandbits(128)).hex]),
        )
        self.runs.append(fr.id)
        if self.rng.random() < 0.8:
            self.advance(fr.id)

    def adhoc_run(self) -> None:
        """A run made from a flow object (a script calling the client), not a deployment."""
        fname = self.rng.choice(FLOWS)

        def body(**kwargs: Any) -> None:
            del kwargs

        f = flow(name=fname)(body)
        keys = self.rng.sample(PARAM_KEYS, self.rng.randint(0, 3))
        fr = self.c.create_flow_run(
            f,
            name=f"{fname}-adhoc-{self.rng.randint(1, 9999)}",
            parameters={k: value_for(k, self.rng) for k in keys},
            tags=self.rng.sample(["adhoc", *TEAMS], self.rng.randint(0, 2)),
        )
        self.flows.setdefault(fname, fr.flow_id)
        self.runs.append(fr.id)
        self.advance(fr.id)

    def advance(self, run_id: uuid.UUID) -> None:
        self.c.set_flow_run_state(run_id, Pending())
        self.c.set_flow_run_state(run_id, Running())
        for i in range(self.rng.randint(0, 3)):
            tname = self.rng.choice(TASKS)

            def body() -> None:
                pass

            t = task(name=tname)(body)
            tr = self.c.create_task_run(
                t,
                flow_run_id=run_id,
                dynamic_key=str(i),
                state=Pending(),
                extra_tags=self.rng.sample(["io", "cpu", "db"], self.rng.randint(0, 1)),
            )
            self.c.set_task_run_state(tr.id, Running())
            self.c.set_task_run_state(tr.id, Completed() if self.rng.random() < 0.85 else Failed(message="boom"))
        if self.rng.random() < 0.6:
            self.logs(run_id)
        end = self.rng.random()
        self.c.set_flow_run_state(
            run_id, Completed() if end < 0.7 else Failed(message="task failed") if end < 0.9 else Cancelled()
        )

    def logs(self, run_id: uuid.UUID) -> None:
        now = datetime.now(UTC)
        self.c.create_logs(
            [
                actions.LogCreate(
                    name=f"prefect.flow_runs.{self.rng.choice(TASKS)}",
                    level=self.rng.choice([10, 20, 30, 40]),
                    message=f"{self.rng.choice(['rows', 'files', 'batches'])} done: {self.rng.randint(0, 10**6)}",
                    timestamp=now,
                    flow_run_id=run_id,
                )
                for _ in range(self.rng.randint(1, 5))
            ]
        )

    def run_extras(self) -> None:
        if not self.runs:
            self.run()
            return
        rid = self.rng.choice(self.runs)
        k = self.rng.randrange(7)
        if k == 0:
            labels = {
                self.rng.choice(
                    ["team", "cost-center", "owner", f"{self.rng.choice(TEAMS)}.io/tier", "prefect.io/source"]
                ): self.rng.choice([*TEAMS, *ENVS])
                for _ in range(2)
            }
            self.c.update_flow_run_labels(rid, labels)
        elif k == 1:
            key = f"{self.rng.choice(['approval', 'input', 'answer'])}-{self.rng.randint(1, 999)}"
            self.c.create_flow_run_input(
                rid,
                key,
                f'{{"approved": {str(self.rng.random() < 0.5).lower()}}}',
                sender=self.rng.choice([None, "ui", "slack-bot"]),
            )
            self.c.read_flow_run_input(rid, key)
            if self.rng.random() < 0.5:
                self.c.delete_flow_run_input(rid, key)
        elif k == 2:
            self.c.read_flow_run(rid)
            self.c.read_flow_run_states(rid)
        elif k == 3:
            self.c.read_task_runs(flow_run_filter=filters.FlowRunFilter(id=filters.FlowRunFilterId(any_=[rid])))
        elif k == 4:
            self.c.read_logs(
                log_filter=filters.LogFilter(flow_run_id=filters.LogFilterFlowRunId(any_=[rid])),
                limit=self.rng.choice([None, 50]),
            )
        elif k == 5:
            self.c.update_flow_run(
                rid, tags=self.rng.sample([*TEAMS, "rerun"], 2), name=f"renamed-{self.rng.randint(1, 999)}"
            )
        else:
            self.c.set_flow_run_name(rid, f"{self.rng.choice(FLOWS)}-{self.rng.choice(WORDS)}")

    def reads(self) -> None:
        k = self.rng.randrange(9)
        if k == 0:
            self.c.read_flow_runs(
                flow_run_filter=filters.FlowRunFilter(
                    state=filters.FlowRunFilterState(
                        type=filters.FlowRunFilterStateType(any_=self.rng.sample(list(objects.StateType), 2))
                    )
                ),
                limit=self.rng.choice([10, 50]),
                sort=self.rng.choice(list(objects.FlowRunSort)) if hasattr(objects, "FlowRunSort") else None,
            )
        elif k == 1:
            self.c.read_deployments(
                limit=self.rng.choice([None, 20]),
                flow_filter=filters.FlowFilter(name=filters.FlowFilterName(any_=[self.rng.choice(FLOWS)])),
            )
        elif k == 2 and self.deployments:
            fname, dname, did, _ = self.rng.choice(self.deployments)
            self.c.read_deployment_by_name(f"{fname}/{dname}")
            self.c.read_deployment(did)
        elif k == 3:
            self.c.read_flows(limit=self.rng.choice([None, 10]))
        elif k == 4 and self.flows:
            self.c.read_flow_by_name(self.rng.choice(sorted(self.flows)))
        elif k == 5 and self.pools:
            pool = self.rng.choice(sorted(self.pools))
            self.c.read_work_queues(work_pool_name=pool)
            self.c.read_work_queue_by_name(self.rng.choice(self.pools[pool]), work_pool_name=pool)
        elif k == 6:
            self.c.read_work_pools()
        elif k == 7:
            self.c.count_flow_runs(
                flow_run_filter=filters.FlowRunFilter(
                    tags=filters.FlowRunFilterTags(all_=[self.rng.choice([*TEAMS, *ENVS])])
                )
            )
        else:
            self.c.read_variables(limit=self.rng.choice([None, 25]))

    def deployment_ops(self) -> None:
        fname, dname, did, keys = self.pick_deployment()
        k = self.rng.randrange(5)
        if k == 0:
            self.c.update_deployment(
                did,
                actions.DeploymentUpdate(
                    description=f"{fname} ({self.rng.choice(TEAMS)})",
                    parameters={kk: value_for(kk, self.rng) for kk in keys},
                    tags=self.rng.sample([*TEAMS, *ENVS], 2),
                ),
            )
        elif k == 1:
            (self.c.pause_deployment if self.rng.random() < 0.5 else self.c.resume_deployment)(did)
        elif k == 2:
            self.c.create_deployment_schedules(
                did, [(IntervalSchedule(interval=timedelta(minutes=self.rng.choice([15, 30, 60]))), False)]
            )
            for s in self.c.read_deployment_schedules(did)[: self.rng.randint(0, 1)]:
                self.c.delete_deployment_schedule(did, s.id)
        elif k == 3:
            self.c.read_deployment_schedules(did)
        elif len(self.deployments) > 4:
            self.c.delete_deployment(did)
            self.deployments.remove((fname, dname, did, keys))

    def worker(self) -> None:
        if not self.pools:
            self.pool()
        pool = self.rng.choice(sorted(self.pools))
        wname = f"{pool}-worker-{uuid.UUID(int=self.rng.getrandbits(128)).hex[:8]}"
        self.c.send_worker_heartbeat(pool, wname, heartbeat_interval_seconds=30, get_worker_id=self.rng.random() < 0.5)
        self.c.get_scheduled_flow_runs_for_work_pool(
            pool,
            work_queue_names=self.rng.sample(self.pools[pool], 1),
            scheduled_before=datetime.now(UTC) + timedelta(seconds=10),
        )
        if self.rng.random() < 0.3:
            self.c.read_workers_for_work_pool(pool)

    def variable(self) -> None:
        k = self.rng.randrange(4)
        if k == 0 or not self.variables:
            system = self.rng.choice(["snowflake", "slack", "dbt", "feature"])
            what = self.rng.choice(["warehouse", "channel", "target", "flag"])
            name = f"{system}_{what}_{self.rng.randint(1, 99)}"
            if name in self.variables:
                return
            value: Any = self.rng.choice(
                [
                    self.rng.choice(WORDS),
                    self.rng.randint(0, 100),
                    self.rng.random() < 0.5,
                    {"channel": f"#{self.rng.choice(TEAMS)}", "mention": self.rng.random() < 0.5},
                    [self.rng.choice(ENVS)],
                ]
            )
            self.c.create_variable(
                actions.VariableCreate(
                    name=name, value=value, tags=self.rng.sample(list(TEAMS), self.rng.randint(0, 2))
                )
            )
            self.variables.append(name)
        elif k == 1:
            self.c.read_variable_by_name(self.rng.choice(self.variables))
        elif k == 2:
            self.c.update_variable(
                actions.VariableUpdate(name=self.rng.choice(self.variables), value=self.rng.choice(WORDS))
            )
        else:
            name = self.rng.choice(self.variables)
            self.c.delete_variable_by_name(name)
            self.variables.remove(name)

    def concurrency(self) -> None:
        k = self.rng.randrange(5)
        if k == 0 or not self.tags:
            tag = f"{self.rng.choice(['db', 'api', 'gpu', 'warehouse'])}:{self.rng.choice(TEAMS)}"
            self.c.create_concurrency_limit(tag, self.rng.randint(1, 10))
            if tag not in self.tags:
                self.tags.append(tag)
        elif k == 1:
            self.c.read_concurrency_limit_by_tag(self.rng.choice(self.tags))
            if self.rng.random() < 0.3:
                self.c.reset_concurrency_limit_by_tag(self.rng.choice(self.tags))
        elif k == 2:
            name = f"{self.rng.choice(['rate', 'slots'])}-{self.rng.choice(TEAMS)}-{self.rng.randint(1, 20)}"
            self.c.upsert_global_concurrency_limit_by_name(name, self.rng.randint(1, 50))
            if name not in self.gcls:
                self.gcls.append(name)
        elif k == 3 and self.gcls:
            name = self.rng.choice(self.gcls)
            self.c.read_global_concurrency_limit_by_name(name)
            if self.rng.random() < 0.5:
                self.c.increment_concurrency_slots([name], 1, "concurrency")
                self.c.release_concurrency_slots([name], 1, 0.5)
        elif self.rng.random() < 0.5 and len(self.tags) > 2:
            tag = self.rng.choice(self.tags)
            self.c.delete_concurrency_limit_by_tag(tag)
            self.tags.remove(tag)
        else:
            self.c.read_concurrency_limits(limit=20, offset=0)
            self.c.read_global_concurrency_limits()

    def artifact(self) -> None:
        run = self.rng.choice(self.runs) if self.runs else None
        key = f"{self.rng.choice(['daily-report', 'model-metrics', 'row-counts', 'dq-check'])}-{self.rng.choice(ENVS)}"
        kind = self.rng.randrange(3)
        data: Any
        if kind == 0:
            data, typ = f"# Report\n{self.rng.randint(0, 9999)} rows", "markdown"
        elif kind == 1:
            data, typ = [{"table": self.rng.choice(["orders", "users"]), "rows": self.rng.randint(0, 10**6)}], "table"
        else:
            data, typ = f"s3://lake-{self.rng.choice(ENVS)}/out/{self.rng.randint(1, 999)}.parquet", "link"
        self.c.create_artifact(
            actions.ArtifactCreate(
                key=key, type=typ, data=data, flow_run_id=run, description=f"{typ} for {self.rng.choice(TEAMS)}"
            )
        )
        if self.rng.random() < 0.5:
            self.c.read_artifacts(limit=self.rng.choice([5, 20]))
        else:
            self.c.read_latest_artifacts(limit=10)

    def block(self) -> None:
        if not self.block_types or self.rng.random() < 0.15:
            slug = f"{self.rng.choice(TEAMS)}-{self.rng.choice(['warehouse', 'bucket', 'webhook', 'creds'])}"
            if slug in self.block_types:
                self.c.read_block_type_by_slug(slug)
                return
            bt = self.c.create_block_type(
                actions.BlockTypeCreate(name=slug.replace("-", " ").title(), slug=slug, description=f"{slug} settings")
            )
            fields = self.rng.sample(
                ["account", "database", "schema", "role", "bucket", "url", "region", "token"], self.rng.randint(2, 4)
            )
            schema = {
                "title": bt.name,
                "type": "object",
                "properties": {f: {"title": f, "type": "string"} for f in fields},
                "required": fields[:1],
            }
            self.c.create_block_schema(
                actions.BlockSchemaCreate(fields=schema, block_type_id=bt.id, capabilities=[], version="1")
            )
            self.block_types.append(slug)
            return
        slug = self.rng.choice(self.block_types)
        k = self.rng.randrange(4)
        if k == 0:
            bt = self.c.read_block_type_by_slug(slug)
            bs = self.c.get_most_recent_block_schema_for_block_type(bt.id)
            if bs is None:
                return
            doc = f"{slug}-{self.rng.choice(ENVS)}-{self.rng.randint(1, 50)}"
            props = list(bs.fields.get("properties", {}))
            bd = self.c.create_block_document(
                actions.BlockDocumentCreate(
                    name=doc,
                    block_type_id=bt.id,
                    block_schema_id=bs.id,
                    data={p: value_for(p, self.rng) for p in props if self.rng.random() < 0.8},
                )
            )
            self.blocks.append((slug, doc, bd.id))
        elif k == 1 and self.blocks:
            s, doc, _ = self.rng.choice(self.blocks)
            self.c.read_block_document_by_name(doc, s, include_secrets=self.rng.random() < 0.5)
        elif k == 2 and self.blocks:
            s, doc, bid = self.rng.choice(self.blocks)
            self.c.read_block_document(bid)
            if self.rng.random() < 0.3:
                self.c.delete_block_document(bid)
                self.blocks.remove((s, doc, bid))
        else:
            self.c.read_block_documents_by_type(slug)

    def cleanup(self) -> None:
        k = self.rng.randrange(3)
        if k == 0 and len(self.runs) > 10:
            rid = self.runs.pop(self.rng.randrange(len(self.runs)))
            self.c.delete_flow_run(rid)
        elif k == 1 and len(self.pools) > 3:
            pool = self.rng.choice(sorted(self.pools))
            if len(self.pools[pool]) > 1:
                q = self.c.read_work_queue_by_name(self.pools[pool][-1], work_pool_name=pool)
                self.c.delete_work_queue_by_id(q.id)
                self.pools[pool].pop()
        else:
            self.c.read_flow_runs(limit=5, offset=self.rng.choice([0, 5]))

    def errors(self) -> None:
        k = self.rng.randrange(6)
        try:
            if k == 0:
                self.c.read_deployment_by_name(f"{self.rng.choice(FLOWS)}/missing-{self.rng.randint(1, 99)}")
            elif k == 1:
                self.c.read_variable_by_name(f"nope_{self.rng.randint(1, 99)}")
                self.c.read_work_pool(f"missing-pool-{self.rng.randint(1, 99)}")
            elif k == 2 and self.variables:
                self.c.create_variable(actions.VariableCreate(name=self.rng.choice(self.variables), value=1))
            elif k == 3 and self.runs:
                # Scheduled after Completed: the orchestration rules refuse it (an ABORT, not an error)
                self.c.set_flow_run_state(self.rng.choice(self.runs), Scheduled())
            elif k == 4:
                self.c.read_flow_run(uuid.UUID(int=self.rng.getrandbits(128)))
            else:
                self.c.read_block_type_by_slug(f"no-such-{self.rng.choice(WORDS)}")
        except (ObjectNotFound, ObjectAlreadyExists, PrefectHTTPStatusError, httpx.HTTPStatusError) as e:
            print(f"expected: {type(e).__name__}", file=sys.stderr)


def main() -> int:
    a = workload.parse(__doc__, ["api"], rounds=520)
    rng = random.Random(a.seed)
    d = Drive(a.api, rng)
    d.c.__enter__()
    d.c.api_healthcheck()
    d.c.hello()
    steps = [
        (d.pool, 2),
        (d.deployment, 4),
        (d.run, 8),
        (d.adhoc_run, 3),
        (d.run_extras, 8),
        (d.reads, 8),
        (d.deployment_ops, 4),
        (d.worker, 3),
        (d.variable, 4),
        (d.concurrency, 3),
        (d.artifact, 3),
        (d.block, 4),
        (d.cleanup, 2),
        (d.errors, 2),
    ]
    workload.run(
        rng,
        steps,
        a.rounds,
        a.max_seconds,
        tolerated=(ObjectNotFound, ObjectAlreadyExists, PrefectHTTPStatusError, httpx.HTTPStatusError),
    )
    d.c.__exit__(None, None, None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
