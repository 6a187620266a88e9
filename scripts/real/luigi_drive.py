"""Drive a Luigi central scheduler (`luigid`) with real Luigi workers and its visualiser's API calls.

    python luigi_drive.py URL LUIGI_BINARY OUTDIR --seed N [--rounds R] [--max-seconds S]

Run by luigi.sh. A data team's scheduler: its workers (`luigi.build` in this process, the worker talking to
the scheduler through Luigi's own `RemoteScheduler`: add_worker, add_task, add_task_batcher, get_work, ping,
status messages, progress, tracking URLs) run the task graphs of `luigi_tasks.py` under parameters people
choose (dates, regions, event sources, model names, learning rates, feature lists, hyperparameters,
dashboards, warehouse tables, payment providers), some tasks failing, some waiting on a file that never
comes, some days batched; a share of the runs through the `luigi` CLI (a process per command). Between runs
the team's browsers poll the visualiser's API as its page does (GET `/api/<method>?data=<json>`): task lists
by status and upstream status, searches, dependency graphs both ways, errors, status messages, progress,
workers, resources; and act on it (forgive failures, mark done, re-enable, pause and unpause, resource
amounts, worker processes, disable a worker). Errors: a method the API does not have (404), graphs and
errors of task ids the scheduler does not know.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import luigi
import requests
from luigi.task_register import Register

sys.path.insert(0, str(Path(__file__).resolve().parent))
import luigi_tasks as lt
from workload import parse, run

REGIONS = ("eu-west", "us-east", "ap-south", "latam", "eu-central", "us-west")
SOURCES = ("web", "ios", "android", "partner-api", "pos")
MODELS = ("churn-xgb", "churn_logreg", "ltv-gbm", "next-basket", "fraud.v2", "churn-xgb-eu")
FEATURES = ("recency", "frequency", "monetary", "tenure_days", "support_tickets", "nps", "device_mix",
            "avg_basket")
DASHBOARDS = ("exec-weekly-revenue", "ops_daily", "marketing funnel", "finance-close", "growth.kpis")
CHANNELS = ("#data-alerts", "#finance", "#growth", "#exec")
TABLES = ("fact_orders", "fact_sessions", "dim_customer", "agg_revenue_daily")
PROVIDERS = ("stripe", "adyen", "paypal", "klarna")
WORKERS = ("etl-runner-eu-1", "etl-runner-us-2", "ml-box-gpu-01", "analyst.laptop.priya", "nightly-backfill")
STATUSES = ("FAILED", "DONE", "RUNNING", "BATCH_RUNNING", "PENDING", "DISABLED")
RESOURCES = ("warehouse_db", "s3_bandwidth", "gpu")
MISSING = ("tasks", "task_detail", "list_tasks", "get_task", "workers", "taskList")


class Drive:
    def __init__(self, url: str, binary: str, out: str, rng: random.Random) -> None:
        self.url, self.bin, self.out, self.rng = url, binary, out, rng
        self.http = requests.Session()
        self.task_ids: list[str] = []
        self.worker_ids: list[str] = []

    # --- helpers
    def date(self) -> datetime.date:
        return datetime.date(2026, 11, 1) + datetime.timedelta(days=self.rng.randrange(30))

    def rpc(self, method: str, data: dict[str, Any] | None = None) -> Any:
        """A call as the visualiser's page makes it: GET with the arguments as JSON in `data`."""
        params = {"data": json.dumps(data)} if data is not None else None
        r = self.http.get(f"{self.url}/api/{method}", params=params, timeout=60)
        if r.status_code != 200:
            return None
        answer = r.json()["response"]
        return answer

    def known(self) -> str:
        return self.rng.choice(self.task_ids) if self.task_ids else "DailyRevenue_2026_11_01_EUR_0000000000"

    def graph(self) -> list[luigi.Task]:
        d = self.date()
        which = self.rng.random()
        if which < 0.3:
            regions = tuple(sorted(self.rng.sample(REGIONS, self.rng.randint(1, 3))))
            tasks: list[luigi.Task] = [lt.DailyRevenue(date=d, regions=regions,
                                                       currency=self.rng.choice(("EUR", "USD", "GBP")))]
        elif which < 0.5:
            hyper = {k: self.rng.choice(v) for k, v in (("max_depth", (3, 6, 8)), ("subsample", (0.7, 0.9)),
                                                         ("early_stopping", (True, False)))
                     if self.rng.random() < 0.6}
            tasks = [lt.TrainChurnModel(model_name=self.rng.choice(MODELS), date=d,
                                        learning_rate=self.rng.choice((0.01, 0.05, 0.1, 0.3)),
                                        features=tuple(self.rng.sample(FEATURES, self.rng.randint(2, 5))),
                                        hyper=hyper)]
        elif which < 0.65:
            tasks = [lt.PublishDashboard(dashboard=self.rng.choice(DASHBOARDS), date=d,
                                         channel=self.rng.choice(CHANNELS))]
        elif which < 0.8:
            tasks = [lt.SessionizeEvents(date=d, source=self.rng.choice(SOURCES),
                                         gap_minutes=self.rng.choice((15, 30, 45)))
                     for _ in range(self.rng.randint(1, 3))]
        elif which < 0.92:
            table = self.rng.choice(TABLES)
            tasks = [lt.LoadPartition(table=table, date=d - datetime.timedelta(days=k))
                     for k in range(self.rng.randint(2, 7))]
        else:
            tasks = [lt.ReconcilePayments(date=d, provider=self.rng.choice(PROVIDERS))]
        return tasks

    # --- workers
    def pipeline(self) -> None:
        Register.clear_instance_cache()
        config = luigi.configuration.get_config()
        worker_id = self.rng.choice(WORKERS) if self.rng.random() < 0.4 else ""
        config.set("worker", "id", worker_id)
        luigi.build(self.graph(), scheduler_url=self.url, workers=1, no_lock=True, log_level="ERROR",
                    detailed_summary=False)

    def pipeline_cli(self) -> None:
        d = self.date()
        args = self.rng.choice((
            ["PublishDashboard", "--dashboard", self.rng.choice(DASHBOARDS), "--date", str(d)],
            ["CleanOrders", "--date", str(d), "--region", self.rng.choice(REGIONS)],
            ["ExtractEvents", "--date", str(d), "--source", self.rng.choice(SOURCES)],
        ))
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent)}
        subprocess.run([self.bin, "--module", "luigi_tasks", *args, "--scheduler-url", self.url, "--no-lock",
                        "--log-level", "ERROR"], env=env, capture_output=True, timeout=120, check=False)

    # --- the visualiser
    def task_list(self) -> None:
        status = self.rng.choice(STATUSES)
        upstream = ""
        if status == "PENDING" and self.rng.random() < 0.4:
            upstream = self.rng.choice(("UPSTREAM_FAILED", "UPSTREAM_DISABLED", "UPSTREAM_MISSING_INPUT"))
        search = ""
        if self.rng.random() < 0.2:
            search = self.rng.choice((*REGIONS, *MODELS, "Revenue", "2026-11-1"))
        answer = self.rpc("task_list", {"status": status, "upstream_status": upstream, "search": search})
        if isinstance(answer, dict):
            for tid in list(answer)[:20]:
                if tid not in self.task_ids:
                    self.task_ids.append(tid)

    def task_search(self) -> None:
        self.rpc("task_search", {"task_str": self.rng.choice((*REGIONS, *TABLES, "Train", "Extract"))})

    def dep_graph(self) -> None:
        method = self.rng.choice(("dep_graph", "inverse_dep_graph"))
        self.rpc(method, {"task_id": self.known(), "include_done": self.rng.random() < 0.7})

    def task_detail(self) -> None:
        method = self.rng.choice(("fetch_error", "get_task_status_message", "get_task_progress_percentage"))
        self.rpc(method, {"task_id": self.known()})

    def overview(self) -> None:
        method = self.rng.choice(("worker_list", "resource_list", "is_paused", "is_pause_enabled",
                                  "has_task_history"))
        answer = self.rpc(method, {})
        if method == "worker_list" and isinstance(answer, list):
            self.worker_ids = [w["name"] for w in answer if isinstance(w, dict) and "name" in w][:20]

    def act(self) -> None:
        which = self.rng.randrange(7)
        if which == 0:
            self.rpc("forgive_failures", {"task_id": self.known()})
        elif which == 1:
            self.rpc("mark_as_done", {"task_id": self.known()})
        elif which == 2:
            self.rpc("re_enable_task", {"task_id": self.known()})
        elif which == 3:
            self.rpc(self.rng.choice(("pause", "unpause")))
        elif which == 4:
            self.rpc("update_resource", {"resource": self.rng.choice(RESOURCES), "amount": self.rng.randint(1, 8)})
        elif which == 5 and self.worker_ids:
            self.rpc("set_worker_processes", {"worker": self.rng.choice(self.worker_ids), "n": self.rng.randint(1, 4)})
        elif self.worker_ids and self.rng.random() < 0.3:
            self.rpc("disable_worker", {"worker": self.rng.choice(self.worker_ids)})
        else:
            self.rpc("unpause")

    def errors(self) -> None:
        which = self.rng.randrange(4)
        if which == 0:
            self.rpc(self.rng.choice(MISSING), {})
        elif which == 1:
            job = f"{self.rng.choice(('Nightly', 'Export'))}Job_{self.rng.randint(1, 999)}"
            self.rpc("dep_graph", {"task_id": job})
        elif which == 2:
            self.rpc("fetch_error", {"task_id": f"GoneTask_{self.rng.randint(1, 999)}_abcdef0123"})
        else:
            self.rpc("task_list", {"status": self.rng.choice(("failed", "Done", "QUEUED")), "upstream_status": ""})


def main() -> None:
    args = parse(__doc__, ["url", "binary", "out"], 700)
    rng = random.Random(args.seed)
    os.environ["LUIGI_DRIVE_OUT"] = args.out
    os.environ["LUIGI_DRIVE_FAIL"] = "0.12"
    os.environ["LUIGI_DRIVE_SALT"] = str(args.seed)
    lt.OUT = Path(args.out)
    logging.getLogger("luigi-interface").setLevel(logging.ERROR)
    d = Drive(args.url, args.binary, args.out, rng)
    for _ in range(3):
        d.pipeline()
    steps: list[tuple[Callable[[], object], float]] = [
        (d.pipeline, 6), (d.pipeline_cli, 0.3), (d.task_list, 8), (d.task_search, 2), (d.dep_graph, 4),
        (d.task_detail, 4), (d.overview, 4), (d.act, 2), (d.errors, 1.5),
    ]
    run(d.rng, steps, args.rounds, args.max_seconds)


if __name__ == "__main__":
    main()
