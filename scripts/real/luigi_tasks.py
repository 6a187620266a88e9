"""The task graph `luigi_drive.py` schedules on luigid: a data team's daily pipeline (orders and events
extracted per region and source, cleaned, sessionized, revenue aggregated, churn models trained, dashboards
published, partitions loaded in batches).

Imported by the driver (its workers, in its process) and by the `luigi` CLI (a process per command, with
`--module luigi_tasks`). Outputs go under LUIGI_DRIVE_OUT; a task fails when its id hashes under
LUIGI_DRIVE_FAIL (a share, 0 to 1), so the same seed fails the same tasks in the CLI's process too.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import luigi

OUT = Path(os.environ.get("LUIGI_DRIVE_OUT", "/tmp/luigi-drive"))


def _flaky(task: luigi.Task) -> None:
    share = float(os.environ.get("LUIGI_DRIVE_FAIL", "0"))
    salt = os.environ.get("LUIGI_DRIVE_SALT", "")
    h = int(hashlib.sha256((salt + task.task_id).encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    if h < share:
        raise RuntimeError(f"{task.task_family}: upstream source answered 503 for {task.to_str_params()}")


def _write(task: luigi.Task, text: str) -> None:
    with task.output().open("w") as f:
        f.write(text)


class ExtractOrders(luigi.Task):
    date = luigi.DateParameter()
    region = luigi.Parameter()
    resources = {"warehouse_db": 1}  # noqa: RUF012 (Luigi reads the class attribute)
    priority = 10

    def output(self) -> luigi.LocalTarget:
        return luigi.LocalTarget(str(OUT / "orders" / self.region / f"{self.date}.csv"))

    def run(self) -> None:
        self.set_status_message(f"reading orders of {self.region} for {self.date}")
        self.set_progress_percentage(40)
        _flaky(self)
        self.set_tracking_url(f"http://warehouse.internal/queries/{self.region}-{self.date}")
        _write(self, "order_id,amount\n1,10\n")
        self.set_progress_percentage(100)


class ExtractEvents(luigi.Task):
    date = luigi.DateParameter()
    source = luigi.ChoiceParameter(choices=["web", "ios", "android", "partner-api", "pos"])
    resources = {"s3_bandwidth": 1}  # noqa: RUF012 (Luigi reads the class attribute)

    def output(self) -> luigi.LocalTarget:
        return luigi.LocalTarget(str(OUT / "events" / self.source / f"{self.date}.jsonl"))

    def run(self) -> None:
        self.set_status_message(f"copying {self.source} events")
        _flaky(self)
        _write(self, "{}\n")


class CleanOrders(luigi.Task):
    date = luigi.DateParameter()
    region = luigi.Parameter()
    drop_test_accounts = luigi.BoolParameter(default=True)

    def requires(self) -> luigi.Task:
        return ExtractOrders(date=self.date, region=self.region)

    def output(self) -> luigi.LocalTarget:
        return luigi.LocalTarget(str(OUT / "clean" / self.region / f"{self.date}.csv"))

    def run(self) -> None:
        _flaky(self)
        _write(self, "order_id,amount\n1,10\n")


class SessionizeEvents(luigi.Task):
    date = luigi.DateParameter()
    source = luigi.Parameter()
    gap_minutes = luigi.IntParameter(default=30)

    def requires(self) -> luigi.Task:
        return ExtractEvents(date=self.date, source=self.source)

    def output(self) -> luigi.LocalTarget:
        return luigi.LocalTarget(str(OUT / "sessions" / self.source / f"{self.date}-{self.gap_minutes}.jsonl"))

    def run(self) -> None:
        self.set_progress_percentage(50)
        _flaky(self)
        _write(self, "{}\n")


class DailyRevenue(luigi.Task):
    date = luigi.DateParameter()
    regions = luigi.ListParameter()
    currency = luigi.Parameter(default="EUR")

    def requires(self) -> list[luigi.Task]:
        return [CleanOrders(date=self.date, region=r) for r in self.regions]

    def output(self) -> luigi.LocalTarget:
        return luigi.LocalTarget(str(OUT / "revenue" / f"{self.date}-{'-'.join(self.regions)}-{self.currency}.csv"))

    def run(self) -> None:
        self.set_status_message(f"summing {len(self.regions)} regions in {self.currency}")
        _flaky(self)
        _write(self, "revenue\n100\n")


class TrainChurnModel(luigi.Task):
    model_name = luigi.Parameter()
    date = luigi.DateParameter()
    learning_rate = luigi.FloatParameter(default=0.1)
    features = luigi.ListParameter(default=["recency", "frequency"])
    hyper = luigi.DictParameter(default={})
    resources = {"gpu": 1}  # noqa: RUF012 (Luigi reads the class attribute)

    def requires(self) -> list[luigi.Task]:
        return [DailyRevenue(date=self.date, regions=("eu-west", "us-east")),
                SessionizeEvents(date=self.date, source="web")]

    def output(self) -> luigi.LocalTarget:
        return luigi.LocalTarget(str(OUT / "models" / self.model_name / f"{self.date}-{self.learning_rate}.pkl"))

    def run(self) -> None:
        for step in (25, 50, 75):
            self.set_progress_percentage(step)
        self.set_status_message(f"epoch 3/3 of {self.model_name}")
        _flaky(self)
        _write(self, "model\n")


class PublishDashboard(luigi.Task):
    dashboard = luigi.Parameter()
    date = luigi.DateParameter()
    channel = luigi.Parameter(default="#data-alerts")

    def requires(self) -> luigi.Task:
        return DailyRevenue(date=self.date, regions=("eu-west", "us-east"))

    def output(self) -> luigi.LocalTarget:
        return luigi.LocalTarget(str(OUT / "dashboards" / self.dashboard / f"{self.date}.html"))

    def run(self) -> None:
        _flaky(self)
        _write(self, "<html></html>\n")


class LoadPartition(luigi.Task):
    """Loads a day's partition into the warehouse; the scheduler batches pending days into one run."""

    table = luigi.Parameter()
    date = luigi.DateParameter(batch_method=max)
    max_batch_size = 5

    def output(self) -> luigi.LocalTarget:
        return luigi.LocalTarget(str(OUT / "partitions" / self.table / f"{self.date}.done"))

    def run(self) -> None:
        time.sleep(0.01)
        _write(self, "ok\n")


class WaitForUpstreamFile(luigi.ExternalTask):
    """A file another team drops: never there, so tasks needing it stay pending."""

    path = luigi.Parameter()

    def output(self) -> luigi.LocalTarget:
        return luigi.LocalTarget(str(OUT / "external" / self.path))


class ReconcilePayments(luigi.Task):
    date = luigi.DateParameter()
    provider = luigi.Parameter()

    def requires(self) -> luigi.Task:
        return WaitForUpstreamFile(path=f"{self.provider}/{self.date}.csv")

    def output(self) -> luigi.LocalTarget:
        return luigi.LocalTarget(str(OUT / "reconciled" / self.provider / f"{self.date}.csv"))

    def run(self) -> None:
        _write(self, "ok\n")
