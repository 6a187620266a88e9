"""Drive a Ray head node's dashboard (its job submission and state REST APIs) through Ray's own clients.

    python ray_drive.py DASHBOARD_URL RAY_BINARY --seed N [--rounds R] [--max-seconds S]

Run by ray.sh. A data team's Ray cluster: jobs submitted with Ray's `JobSubmissionClient` under submission
ids the team picks (`nightly-etl-2026-12-06-eu-west-7`) or Ray's own (`raysubmit_...`), with metadata
(owner, team, pipeline, git sha), runtime environments (env vars; a working dir the client uploads as a
package: `GET` / `PUT /api/packages/gcs/_ray_pkg_<hash>.zip`), entrypoint resources; their status, details
and logs read, running ones stopped, finished ones deleted, the list read; some jobs start Ray tasks and
named actors, which the state API (`ray.util.state`: actors, tasks, nodes, workers, objects, placement
groups, jobs; filters, limits, details, summaries) then lists; and a share of it through the `ray job` and
`ray list` / `ray summary` CLI (a process per command). Errors: a job that is not there (404), a job deleted
while it runs or submitted twice under one id (Ray answers both with a 500 and its traceback as text).
"""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ray.job_submission import JobStatus, JobSubmissionClient
from ray.util import state

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workload import parse, run

PIPELINES = ("nightly-etl", "feature-backfill", "train-ranker", "eval-llm", "reindex-search", "churn-report",
             "dedupe-users", "embed-docs", "ab-test-stats", "fraud-scoring")
REGIONS = ("eu-west", "us-east", "ap-south", "sa-east")
OWNERS = ("anne.mueller", "dmitri.ivanov", "priya.sharma", "kenji.tanaka", "lucia.garcia", "olu.adeyemi",
          "sven.larsen", "mei.chen")
TEAMS = ("data-eng", "ml-platform", "search", "growth", "risk")
ACTORS = ("feature-store", "model-cache", "rate-limiter", "metrics-sink", "tokenizer-pool", "shard-router")

ETL = """import argparse, random, sys, time
ap = argparse.ArgumentParser(); ap.add_argument('--date'); ap.add_argument('--region'); ap.add_argument('--rows', type=int)
ap.add_argument('--fail', action='store_true'); ap.add_argument('--sleep', type=float, default=0.2)
a = ap.parse_args()
print(f'extracting {a.rows} rows for {a.region} on {a.date}')
time.sleep(a.sleep)
print(f'loaded {a.rows} rows'); sys.exit(1 if a.fail else 0)
"""  # noqa: E501  (the job's script, as uploaded: its bytes name the package)
TASKS = """import sys, ray
ray.init()
@ray.remote
def score(batch):
    return sum(range(batch))
@ray.remote
class Holder:
    def __init__(self, name): self.name = name
    def ping(self): return self.name
name, n = sys.argv[1], int(sys.argv[2])
h = Holder.options(name=name, lifetime='detached' if n % 2 else None, get_if_exists=True).remote(name)
print(ray.get(h.ping.remote()), sum(ray.get([score.remote(i) for i in range(n)])))
"""


class Drive:
    def __init__(self, url: str, binary: str, rng: random.Random) -> None:
        self.url, self.bin, self.rng = url, binary, rng
        self.jobs = JobSubmissionClient(url)
        self.live: list[str] = []  # submitted, maybe running
        self.done: list[str] = []  # terminal, deletable
        self.n = 0
        self.dir = Path(tempfile.mkdtemp(prefix="ray-drive-"))
        (self.dir / "etl.py").write_text(ETL)
        (self.dir / "tasks.py").write_text(TASKS)

    def call(self, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        try:
            return fn(*args, **kw)
        except Exception as e:  # the client raises on every 4xx / 5xx: the exchange is recorded all the same
            print(f"{type(e).__name__}: {str(e)[:160]}", file=sys.stderr)
            return None

    def cli(self, *args: str) -> None:
        subprocess.run([self.bin, *args], capture_output=True, timeout=120, check=False)

    def sid(self) -> str | None:
        self.n += 1
        if self.rng.random() < 0.2:
            return None  # Ray picks raysubmit_<random>
        date = f"2026-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}"
        return f"{self.rng.choice(PIPELINES)}-{date}-{self.rng.choice(REGIONS)}-{self.n}"

    def metadata(self) -> dict[str, str]:
        meta = {"owner": self.rng.choice(OWNERS), "team": self.rng.choice(TEAMS)}
        if self.rng.random() < 0.5:
            meta["git_sha"] = f"{self.rng.getrandbits(28):07x}"
        if self.rng.random() < 0.3:
            meta["pipeline"] = self.rng.choice(PIPELINES)
        return meta

    def throttle(self) -> None:
        # at most three jobs at once on a small head node: wait for the oldest
        end = time.monotonic() + 60
        while len(self.live) >= 3 and time.monotonic() < end:
            self.poll()
            time.sleep(0.3)

    # --- jobs
    def submit(self) -> None:
        self.throttle()
        rows = self.rng.randint(100, 90000)
        fail = self.rng.random() < 0.12
        entry = (f"python etl.py --date 2026-12-{self.rng.randint(1, 28):02d} --region {self.rng.choice(REGIONS)}"
                 f" --rows {rows} --sleep {self.rng.choice((0.1, 0.5, 2, 6))}" + (" --fail" if fail else ""))
        env: dict[str, Any] = {"working_dir": str(self.dir)}
        if self.rng.random() < 0.5:
            env["env_vars"] = {"STAGE": self.rng.choice(("dev", "staging", "prod")), "BATCH": str(rows)}
        kw: dict[str, Any] = {"entrypoint": entry, "runtime_env": env, "submission_id": self.sid()}
        if self.rng.random() < 0.7:
            kw["metadata"] = self.metadata()
        if self.rng.random() < 0.3:
            kw["entrypoint_num_cpus"] = self.rng.choice((0.1, 0.25, 0.5))
        got = self.call(self.jobs.submit_job, **kw)
        if got:
            self.live.append(got)

    def submit_tasks(self) -> None:
        self.throttle()
        name = f"{self.rng.choice(ACTORS)}-{self.rng.choice(REGIONS)}"
        got = self.call(self.jobs.submit_job, entrypoint=f"python tasks.py {name} {self.rng.randint(3, 12)}",
                        runtime_env={"working_dir": str(self.dir)}, submission_id=self.sid(),
                        metadata=self.metadata(), entrypoint_num_cpus=0.5)
        if got:
            self.live.append(got)

    def submit_cli(self) -> None:
        self.throttle()
        sid = self.sid() or f"adhoc-{self.n}"
        self.cli("job", "submit", "--address", self.url, "--no-wait", "--submission-id", sid,
                 "--metadata-json", f'{{"owner": "{self.rng.choice(OWNERS)}", "via": "cli"}}',
                 "--", "python", "-c", f"print('adhoc {sid}')")
        self.live.append(sid)

    def poll(self) -> None:
        if not self.live:
            return
        sid = self.rng.choice(self.live)
        status = self.call(self.jobs.get_job_status, sid)
        if status is None or JobStatus(status).is_terminal():
            self.live.remove(sid)
            if status is not None:
                self.done.append(sid)

    def info(self) -> None:
        pool = self.live + self.done
        if pool:
            sid = self.rng.choice(pool)
            self.call(self.rng.choice((self.jobs.get_job_info, self.jobs.get_job_logs)), sid)

    def list_jobs(self) -> None:
        if self.rng.random() < 0.15:
            self.cli("job", "list", "--address", self.url)
        else:
            self.call(self.jobs.list_jobs)

    def stop(self) -> None:
        if self.live:
            sid = self.rng.choice(self.live)
            if self.rng.random() < 0.2:
                self.cli("job", "stop", "--address", self.url, "--no-wait", sid)
            else:
                self.call(self.jobs.stop_job, sid)

    def delete(self) -> None:
        if self.done:
            sid = self.done.pop(self.rng.randrange(len(self.done)))
            if self.rng.random() < 0.2:
                self.cli("job", "delete", "--address", self.url, sid)
            else:
                self.call(self.jobs.delete_job, sid)

    def logs_cli(self) -> None:
        pool = self.live + self.done
        if pool:
            self.cli("job", self.rng.choice(("logs", "status")), "--address", self.url, self.rng.choice(pool))

    # --- the state API
    def state_api(self) -> None:
        which = self.rng.randrange(10)
        limit = self.rng.choice((10, 50, 100))
        if which == 0:
            self.call(state.list_actors, address=self.url, limit=limit, detail=self.rng.random() < 0.3)
        elif which == 1:
            flt = [("state", "=", self.rng.choice(("FINISHED", "RUNNING", "FAILED")))]
            self.call(state.list_tasks, address=self.url, filters=flt, limit=limit)
        elif which == 2:
            self.call(state.list_nodes, address=self.url, detail=self.rng.random() < 0.5)
        elif which == 3:
            self.call(state.list_workers, address=self.url, limit=limit)
        elif which == 4:
            self.call(state.list_jobs, address=self.url, limit=limit)
        elif which == 5:
            self.call(state.list_objects, address=self.url, limit=limit)
        elif which == 6:
            self.call(state.list_placement_groups, address=self.url)
        elif which == 7:
            self.call(state.summarize_tasks, address=self.url)
        elif which == 8:
            self.call(state.summarize_actors, address=self.url)
        else:
            name = f"{self.rng.choice(ACTORS)}-{self.rng.choice(REGIONS)}"
            self.call(state.list_actors, address=self.url, filters=[("name", "=", name)])

    def state_cli(self) -> None:
        args = self.rng.choice((("list", "actors"), ("list", "tasks", "--filter", "state=FINISHED"),
                                ("list", "nodes"), ("list", "jobs", "--detail"), ("summary", "tasks"),
                                ("summary", "actors"), ("list", "workers", "--limit", "20")))
        self.cli(*args, "--address", self.url)

    def misc(self) -> None:
        self.call(self.jobs.get_version)

    def errors(self) -> None:
        which = self.rng.randrange(5)
        if which == 0:
            self.call(self.jobs.get_job_info, f"{self.rng.choice(PIPELINES)}-missing-{self.rng.randint(1, 99)}")
        elif which == 1:
            self.call(self.jobs.get_job_logs, f"raysubmit_{self.rng.getrandbits(60):016x}")
        elif which == 2 and self.live:
            self.call(self.jobs.delete_job, self.rng.choice(self.live))
        elif which == 3 and self.done:
            self.call(self.jobs.submit_job, entrypoint="python -c 'print(1)'",
                      submission_id=self.rng.choice(self.done))
        else:
            self.call(self.jobs.stop_job, f"{self.rng.choice(PIPELINES)}-gone-{self.rng.randint(1, 99)}")


def main() -> None:
    args = parse(__doc__, ["url", "binary"], 1500)
    d = Drive(args.url, args.binary, random.Random(args.seed))
    steps: list[tuple[Callable[[], object], float]] = [
        (d.submit, 8), (d.submit_tasks, 1.5), (d.submit_cli, 0.6), (d.poll, 14), (d.info, 8), (d.list_jobs, 3),
        (d.stop, 2), (d.delete, 4), (d.logs_cli, 0.5), (d.state_api, 6), (d.state_cli, 0.5), (d.misc, 1),
        (d.errors, 3),
    ]
    run(d.rng, steps, args.rounds, args.max_seconds)
    end = time.monotonic() + 120
    while d.live and time.monotonic() < end:  # every job ends before the server does
        d.poll()
        time.sleep(0.2)


if __name__ == "__main__":
    main()
