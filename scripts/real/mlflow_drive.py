"""Drive an MLflow tracking server with its own client, MlflowClient.

    python mlflow_drive.py TRACKING_URI --seed N [--rounds R]

Run by mlflow.sh with the server's own environment. A seeded random workload of what a team's
notebooks do: experiments under chosen names and tags, runs with params, metrics (single and batch),
tags, artifacts, searches with filters, renames, deletes and restores, registered models with versions
and aliases, and the errors people hit (a missing run, a duplicate name, a bad filter).
"""

from __future__ import annotations

import random
import sys
import tempfile
from pathlib import Path

import workload  # beside this file
from mlflow.entities import Metric, Param, RunTag
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

TEAMS = ("vision", "nlp", "forecast", "recsys", "fraud", "churn", "ads-ranking", "search")
PARAMS = ("learning_rate", "batch_size", "epochs", "optimizer", "dropout", "max_depth", "n_estimators", "seed")
METRICS = ("loss", "val_loss", "accuracy", "f1", "auc", "rmse", "latency_ms")


class Drive:
    def __init__(self, client: MlflowClient, rng: random.Random, tmp: Path) -> None:
        self.c, self.rng, self.tmp = client, rng, tmp
        self.experiments: list[str] = []
        self.runs: list[str] = []
        self.models: list[str] = []

    def experiment(self) -> None:
        kind = self.rng.choice(["baseline", "tuning", "ablation", "prod"])
        name = f"{self.rng.choice(TEAMS)}/{kind}-{self.rng.randint(1, 999)}"
        tags = {"team": self.rng.choice(TEAMS), "owner": f"user{self.rng.randint(1, 40)}"}
        self.experiments.append(self.c.create_experiment(name, tags=tags))

    def run(self) -> None:
        if not self.experiments:
            self.experiment()
        exp = self.rng.choice(self.experiments)
        r = self.c.create_run(
            exp,
            run_name=f"run-{self.rng.randint(1, 9999)}",
            tags={"mlflow.source.type": "NOTEBOOK", "stage": self.rng.choice(["dev", "staging"])},
        )
        rid = r.info.run_id
        self.runs.append(rid)
        for p in self.rng.sample(PARAMS, self.rng.randint(1, 5)):
            self.c.log_param(rid, p, self.rng.choice([0.1, 0.01, 32, 64, "adam", "sgd", 7]))
        for step in range(self.rng.randint(1, 4)):
            self.c.log_metric(rid, self.rng.choice(METRICS), self.rng.random(), step=step)
        if self.rng.random() < 0.5:
            ts = 1_700_000_000_000
            self.c.log_batch(
                rid,
                metrics=[Metric(m, self.rng.random(), ts + i, i) for i, m in enumerate(self.rng.sample(METRICS, 3))],
                params=[Param(f"extra_{self.rng.randint(1, 50)}", str(self.rng.randint(0, 9)))],
                tags=[RunTag("note", self.rng.choice(["ok", "flaky", "best so far"]))],
            )
        if self.rng.random() < 0.7:
            self.c.set_terminated(rid, status=self.rng.choice(["FINISHED", "FINISHED", "FAILED", "KILLED"]))

    def artifact(self) -> None:
        if not self.runs:
            return
        rid = self.rng.choice(self.runs)
        f = self.tmp / f"{self.rng.choice(['confusion', 'summary', 'config'])}.txt"
        f.write_text("x" * self.rng.randint(1, 500))
        self.c.log_artifact(rid, str(f), artifact_path=self.rng.choice([None, "plots", "reports"]))
        self.c.list_artifacts(rid)
        if self.rng.random() < 0.4:
            self.c.list_artifacts(rid, "plots")

    def read(self) -> None:
        if not self.runs:
            return
        rid = self.rng.choice(self.runs)
        k = self.rng.randrange(4)
        if k == 0:
            self.c.get_run(rid)
        elif k == 1:
            self.c.get_metric_history(rid, self.rng.choice(METRICS))
        elif k == 2:
            self.c.get_experiment(self.rng.choice(self.experiments))
        else:
            self.c.get_experiment_by_name(f"{self.rng.choice(TEAMS)}/baseline-{self.rng.randint(1, 999)}")

    def search(self) -> None:
        if not self.experiments:
            return
        flt = self.rng.choice(
            [
                "",
                "metrics.accuracy > 0.5",
                "params.optimizer = 'adam'",
                "tags.stage = 'dev'",
                "attributes.status = 'FINISHED'",
            ]
        )
        self.c.search_runs(
            self.rng.sample(self.experiments, min(len(self.experiments), 2)),
            filter_string=flt,
            max_results=self.rng.choice([10, 50, 100]),
            order_by=self.rng.choice([[], ["metrics.loss ASC"]]),
        )
        if self.rng.random() < 0.3:
            self.c.search_experiments(filter_string=self.rng.choice(["", f"name LIKE '{self.rng.choice(TEAMS)}%'"]))

    def update(self) -> None:
        if not self.runs:
            return
        rid = self.rng.choice(self.runs)
        k = self.rng.randrange(4)
        if k == 0:
            self.c.set_tag(rid, self.rng.choice(["reviewed", "dataset", "commit"]), f"v{self.rng.randint(1, 30)}")
        elif k == 1:
            self.c.delete_tag(rid, "note")
        elif k == 2 and self.experiments:
            exp = self.rng.choice(self.experiments)
            self.c.set_experiment_tag(exp, "priority", self.rng.choice(["high", "low"]))
        elif self.experiments:
            self.c.rename_experiment(self.rng.choice(self.experiments), f"renamed-{self.rng.randint(1, 99999)}")

    def delete(self) -> None:
        if self.runs and self.rng.random() < 0.8:
            rid = self.runs.pop(self.rng.randrange(len(self.runs)))
            self.c.delete_run(rid)
            if self.rng.random() < 0.3:
                self.c.restore_run(rid)
                self.runs.append(rid)
        elif len(self.experiments) > 2:
            self.c.delete_experiment(self.experiments.pop(self.rng.randrange(len(self.experiments))))

    def model(self) -> None:
        if not self.runs:
            return
        if not self.models or self.rng.random() < 0.3:
            kind = self.rng.choice(["classifier", "regressor", "ranker"])
            name = f"{self.rng.choice(TEAMS)}-{kind}-{self.rng.randint(1, 999)}"
            self.c.create_registered_model(name, tags={"team": self.rng.choice(TEAMS)}, description="trained weekly")
            self.models.append(name)
        name = self.rng.choice(self.models)
        rid = self.rng.choice(self.runs)
        mv = self.c.create_model_version(name, f"runs:/{rid}/model", run_id=rid)
        k = self.rng.randrange(5)
        if k == 0:
            self.c.set_registered_model_alias(name, self.rng.choice(["champion", "challenger"]), mv.version)
            self.c.get_model_version_by_alias(name, "champion") if self.rng.random() < 0.5 else None
        elif k == 1:
            self.c.update_model_version(name, mv.version, description=f"accuracy {self.rng.random():.3f}")
        elif k == 2:
            self.c.search_model_versions(f"name='{name}'")
        elif k == 3:
            self.c.get_registered_model(name)
        else:
            self.c.search_registered_models(max_results=self.rng.choice([10, 100]))
        if self.rng.random() < 0.2:
            self.c.delete_model_version(name, mv.version)

    def errors(self) -> None:
        k = self.rng.randrange(4)
        try:
            if k == 0:
                self.c.get_run(f"{self.rng.getrandbits(128):032x}")
            elif k == 1 and self.experiments:
                self.c.create_experiment(self.c.get_experiment(self.experiments[0]).name)
            elif k == 2 and self.experiments:
                self.c.search_runs([self.experiments[0]], filter_string="metrics.loss >>> 1")
            else:
                self.c.get_registered_model(f"nope-{self.rng.randint(1, 999)}")
        except MlflowException:
            pass


def main() -> int:
    a = workload.parse(__doc__, ["uri"], rounds=450)
    rng = random.Random(a.seed)
    with tempfile.TemporaryDirectory() as tmp:
        d = Drive(MlflowClient(tracking_uri=a.uri, registry_uri=a.uri), rng, Path(tmp))
        steps = [
            (d.experiment, 2),
            (d.run, 10),
            (d.artifact, 3),
            (d.read, 10),
            (d.search, 5),
            (d.update, 6),
            (d.delete, 2),
            (d.model, 3),
            (d.errors, 3),
        ]
        workload.run(rng, steps, a.rounds, a.max_seconds, tolerated=(MlflowException,))
    return 0


if __name__ == "__main__":
    sys.exit(main())
