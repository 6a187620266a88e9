"""Drive an Evidently UI service through its own client, `RemoteWorkspace` (the same package).

    python evidently_drive.py SERVER_URL SECRET --seed N [--rounds R] [--max-seconds S]

Run by evidently.sh in the server's environment. An ML team monitoring its models: projects under the
names people give them (`churn-model v3`, `Fraud detection (EU)`, `recsys/ranker`), described, renamed
and deleted; reports run on small pandas frames each model's owner picks the columns of, with tags and
metadata (keys each team picks: `model_version`, `git.sha`, `owner`, `data window`) uploaded as runs,
listed, read and deleted; datasets uploaded, listed and loaded back; dashboards with tabs and panels
the team names; projects searched by name; and, as the service's web UI calls them (requests, the same
URLs), the project list, a project's reports, a report's metadata, its metrics, labels and label values.
The errors people hit: a project or run that is gone, a wrong secret, a search for a name nobody used.
"""

from __future__ import annotations

import random
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import requests
from evidently import DataDefinition, Dataset, Report
from evidently.metrics import ColumnCount, MaxValue, MeanValue, MissingValueCount, RowCount, UniqueValueCount
from evidently.presets import DataSummaryPreset
from evidently.sdk.models import PanelMetric
from evidently.sdk.panels import bar_plot_panel, counter_panel, line_plot_panel, text_panel
from evidently.ui.workspace import RemoteWorkspace

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workload import parse, run

NAMES = ["churn-model v3", "Fraud detection (EU)", "recsys/ranker", "LLM support bot", "credit_scoring",
         "demand forecast — stores", "Search relevance 2027", "ads.ctr.model", "Doc classifier", "ETA predictor",
         "price elasticity", "KYC OCR pipeline"]
COLUMNS = {
    "num": ["age", "tenure_months", "monthly_spend", "latency_ms", "score", "basket value", "sessions_7d",
            "distance_km", "pred.proba"],
    "cat": ["country", "plan", "device", "channel", "segment", "store_id", "label"],
}
META_KEYS = ["model_version", "git.sha", "owner", "data window", "env", "dataset", "pipelineRun", "team"]
TAGS = ["prod", "shadow", "weekly", "backfill", "canary", "nightly", "ab-test", "retrain"]
TABS = ["Overview", "Data quality", "Drift", "Business KPIs", "Latency & errors"]


class Team:
    def __init__(self, url: str, secret: str, seed: int) -> None:
        self.url, self.secret = url.rstrip("/"), secret
        self.rng = random.Random(seed)
        self.np = np.random.default_rng(seed)
        self.ws = RemoteWorkspace(self.url, secret=secret)
        self.ui = requests.Session()
        self.projects: dict[str, dict[str, Any]] = {}  # id -> {name, cols, runs, datasets}
        self.day = datetime(2026, 9, 1, tzinfo=UTC)

    def frame(self, cols: dict[str, list[str]], n: int) -> pd.DataFrame:
        data: dict[str, Any] = {}
        for c in cols["num"]:
            v = self.np.normal(self.rng.uniform(1, 500), self.rng.uniform(1, 50), n)
            if self.rng.random() < 0.3:
                v[self.np.random(n) < 0.1] = np.nan
            data[c] = v
        for c in cols["cat"]:
            data[c] = self.np.choice([f"{c}_{i}" for i in range(self.rng.randint(2, 6))], n)
        return pd.DataFrame(data)

    def dataset(self, cols: dict[str, list[str]], n: int) -> Dataset:
        return Dataset.from_pandas(self.frame(cols, n), data_definition=DataDefinition(
            numerical_columns=cols["num"], categorical_columns=cols["cat"]))

    def pick(self) -> tuple[str, dict[str, Any]] | None:
        if not self.projects:
            return None
        pid = self.rng.choice(sorted(self.projects))
        return pid, self.projects[pid]

    def add_project(self) -> None:
        r = self.rng
        name = r.choice(NAMES) + ("" if r.random() < 0.6 else f" #{r.randint(2, 99)}")
        desc = r.choice([None, "", f"Monitoring for {name}", "owned by the ML platform team"])
        p = self.ws.create_project(name, description=desc)
        cols = {"num": r.sample(COLUMNS["num"], r.randint(1, 4)), "cat": r.sample(COLUMNS["cat"], r.randint(0, 3))}
        self.projects[str(p.id)] = {"name": name, "cols": cols, "runs": [], "datasets": [], "p": p}

    def add_run(self) -> None:
        got = self.pick()
        if got is None:
            return self.add_project()
        pid, info = got
        r, cols = self.rng, info["cols"]
        metrics: list[Any] = [RowCount(), ColumnCount()]
        for c in cols["num"]:
            metrics += r.sample([MeanValue(column=c), MaxValue(column=c), MissingValueCount(column=c)], 2)
        for c in cols["cat"]:
            metrics.append(UniqueValueCount(column=c))
        if r.random() < 0.25:
            metrics = [DataSummaryPreset()]
        meta = {k: self.meta_value(k) for k in r.sample(META_KEYS, r.randint(0, 4))}
        self.day += timedelta(hours=r.randint(1, 30))
        report = Report(metrics, metadata=meta, tags=r.sample(TAGS, r.randint(0, 3)))
        ref = self.dataset(cols, r.randint(20, 60)) if r.random() < 0.5 else None
        snap = report.run(self.dataset(cols, r.randint(20, 80)), ref, timestamp=self.day)
        name = r.choice([None, None, f"run {self.day:%Y-%m-%d}", "nightly check"])
        ref_ = self.ws.add_run(pid, snap, include_data=r.random() < 0.15, name=name)
        info["runs"].append(str(ref_.id))

    def meta_value(self, key: str) -> str:
        r = self.rng
        return {"model_version": f"v{r.randint(1, 9)}.{r.randint(0, 20)}", "git.sha": f"{r.getrandbits(28):07x}",
                "owner": r.choice(["ana", "bo", "chen@ml", "dee"]), "env": r.choice(["prod", "staging"]),
                "team": r.choice(["growth", "risk", "search"])}.get(key, f"{key}-{r.randint(1, 400)}")

    def read_runs(self) -> None:
        """The client's run listing and reading are not implemented for a self-hosted service (its
        NotImplementedError): the web UI's URLs for a project's reports and a report's pieces."""
        got = self.pick()
        if got is None or not got[1]["runs"]:
            return
        pid, info = got
        sid = self.rng.choice(info["runs"])
        self.get(f"/api/projects/{pid}/{sid}/" + self.rng.choice(["metadata", "metadata", "data", "download"]))

    def delete_run(self) -> None:
        got = self.pick()
        if got is None or not got[1]["runs"]:
            return
        pid, info = got
        sid = info["runs"].pop(self.rng.randrange(len(info["runs"])))
        self.ui.delete(f"{self.url}/api/projects/{pid}/{sid}", headers={"evidently-secret": self.secret}, timeout=60)

    def project_step(self) -> None:
        got = self.pick()
        if got is None:
            return
        pid, info = got
        r = self.rng
        roll = r.random()
        if roll < 0.3:
            self.ws.get_project(pid)
        elif roll < 0.5:
            p = info["p"]
            p.description = r.choice(["", f"{info['name']}: weekly checks", "deprecated — see v4", "Ünïcode notes"])
            if r.random() < 0.3:
                info["name"] = p.name = info["name"] + r.choice([" (old)", " v2", "-eu"])
            p.save()
        elif roll < 0.8:
            self.ws.search_project(r.choice([info["name"], info["name"].split()[0], "nobody-named-this"]))
        else:
            self.ws.list_projects()

    def datasets(self) -> None:
        got = self.pick()
        if got is None:
            return
        pid, info = got
        r = self.rng
        if r.random() < 0.5 or not info["datasets"]:
            name = r.choice(["reference", "training set", "holdout-2026Q3", "prod sample", "golden_set"])
            did = self.ws.add_dataset(pid, self.dataset(info["cols"], r.randint(10, 40)), name=name,
                                      description=r.choice([None, "sampled from prod", "labelled by the team"]))
            info["datasets"].append(did)
        elif r.random() < 0.5:
            self.ws.list_datasets(pid)
        else:
            self.ws.load_dataset(r.choice(info["datasets"]))

    def dashboard(self) -> None:
        got = self.pick()
        if got is None:
            return
        pid, info = got
        r, dash = self.rng, info["p"].dashboard
        tab = None  # one tab: "Multiple tabs are not supported in Evidently OSS"
        roll = r.random()
        if roll < 0.15:
            self.ws.get_dashboard(pid)
        elif roll < 0.7:
            col = r.choice(info["cols"]["num"])
            metric = PanelMetric(legend=r.choice([col, "rows", None]), metric=r.choice(["RowCount", "MeanValue"]),
                                 metric_labels={"column": col} if r.random() < 0.5 else {},
                                 tags=r.sample(TAGS, r.randint(0, 2)))
            maker = r.choice([counter_panel, line_plot_panel, bar_plot_panel])
            dash.add_panel(maker(title=r.choice(["Rows", f"Mean {col}", "Missing values", "Volume per day"]),
                                 values=[metric], size=r.choice(["full", "half"])), tab=tab)
        elif roll < 0.8:
            dash.add_panel(text_panel(title=r.choice(["Read me", "Owner: risk team", "Alerts go to #ml-ops"])), tab=tab)
        elif roll < 0.9:
            self.ws.get_dashboard(pid)
        else:
            model = self.ws.get_dashboard(pid)
            if model.panels:
                dash.delete_panel(r.choice(model.panels).title, model.tabs[0].title if model.tabs else None)

    def web_ui(self) -> None:
        """The service's web UI's own calls (the same URLs its frontend asks)."""
        got = self.pick()
        r = self.rng
        if got is None or r.random() < 0.15:
            self.get("/api/projects")
            return
        pid, info = got
        roll = r.random()
        if roll < 0.25:
            self.get(f"/api/projects/{pid}/info")
        elif roll < 0.5:
            self.get(f"/api/projects/{pid}/reports")
        elif roll < 0.65:
            self.get(f"/api/projects/{pid}/snapshots")
        elif roll < 0.8 and info["runs"]:
            self.get(f"/api/projects/{pid}/{r.choice(info['runs'])}/metadata")
        elif roll < 0.9:
            self.get(f"/api/v2/snapshots/{pid}/metrics")
        elif roll < 0.95:
            self.get(f"/api/v2/snapshots/{pid}/labels", params={"metric_type": r.choice(["RowCount", "MeanValue"])})
        else:
            self.get(f"/api/v2/snapshots/{pid}/label_values",
                     params={"metric_type": "MeanValue", "label": "column"})

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.ui.get(self.url + path, timeout=60, **kw)

    def prompts(self) -> None:
        """Prompt templates the team versions beside its LLM projects (the client's prompts API)."""
        got = self.pick()
        if got is None:
            return
        pid, info = got
        r, api = self.rng, self.ws.prompts
        names = info.setdefault("prompts", [])
        roll = r.random()
        if roll < 0.3 or not names:
            name = r.choice(["support-answer", "summarise ticket", "classify_intent", "rag.system", "Tone check v2"])
            api.get_or_create_prompt(pid, name)
            if name not in names:
                names.append(name)
        elif roll < 0.6:
            p = api.get_prompt(pid, r.choice(names))
            p.bump_version(r.choice(["You are a helpful agent. Answer: {question}", "Summarise: {ticket}",
                                     "Classify {text} into one of {labels}"]) + f" (rev {r.randint(1, 99)})")
        elif roll < 0.75:
            api.get_prompt(pid, r.choice(names)).list_versions()
        elif roll < 0.85:
            api.get_prompt(pid, r.choice(names)).get_version("latest")
        elif roll < 0.93:
            api.list_prompts(pid)
        else:
            name = names.pop(r.randrange(len(names)))
            api.get_prompt(pid, name).delete()

    def delete_project(self) -> None:
        if len(self.projects) < 4:
            return
        pid = self.rng.choice(sorted(self.projects))
        self.ws.delete_project(pid)
        del self.projects[pid]

    def mistakes(self) -> None:
        r = self.rng
        gone = str(uuid.UUID(int=r.getrandbits(128), version=4))
        roll = r.randrange(5)
        if roll == 0:
            self.ws.get_project(gone)
        elif roll == 1:
            self.get(f"/api/projects/{gone}/info")
        elif roll == 2:
            requests.post(self.url + "/api/v2/projects", json={"name": "x"}, headers={"evidently-secret": "wrong"},
                          timeout=30)
        elif roll == 3 and self.projects:
            self.get(f"/api/projects/{r.choice(sorted(self.projects))}/{gone}/metadata")
        else:
            self.ws.search_project("nobody-named-this")

    def steps(self) -> list[tuple[Any, float]]:
        return [
            (self.add_project, 4),
            (self.add_run, 18),
            (self.read_runs, 10),
            (self.delete_run, 3),
            (self.project_step, 10),
            (self.datasets, 6),
            (self.dashboard, 8),
            (self.prompts, 8),
            (self.web_ui, 16),
            (self.delete_project, 1),
            (self.mistakes, 3),
        ]


def main() -> None:
    a = parse(__doc__, ["url", "secret"], 1000)
    t = Team(a.url, a.secret, a.seed)
    for _ in range(4):
        t.add_project()
    run(t.rng, t.steps(), a.rounds, a.max_seconds, tolerated=(Exception,))


if __name__ == "__main__":
    main()
