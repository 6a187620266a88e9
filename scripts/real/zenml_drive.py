"""Drive a ZenML server with its own client, `zenml.client.Client` (and the pipelines it runs).

    python zenml_drive.py --seed N [--rounds R] [--max-seconds S]

Run by zenml.sh with the server's own environment; the client finds the server through ZENML_STORE_URL
(the recording proxy) as a team's laptop does after `zenml login`. A seeded random workload of an ML
team's MLOps metadata: pipelines the team wrote (below: their step names, parameters and the artifacts
they name) run on the local orchestrator, which reports every run, step, artifact version, log and
metadata entry to the server as it goes; runs listed, read, filtered and deleted; the metadata the team
logs on runs, steps and artifact versions (keys each team picks: `auc`, `dataset.rows`, `git sha`, ...);
models under names people choose with their versions moved between stages; tags (with colors, some
exclusive) attached to models, versions and artifacts; secrets whose value keys each team picks, updated
and removed key by key; stack components (artifact stores, orchestrators, image builders) with their
configuration and labels, stacks made of them; service accounts with API keys made, rotated and
deactivated; users; and the errors people hit (a name taken, a missing model, version or secret).
"""

from __future__ import annotations

import random
import sys
import uuid
from typing import Annotated, Any

import workload  # beside this file
from zenml import log_metadata, pipeline, step
from zenml.client import Client
from zenml.enums import MetadataResourceTypes, StackComponentType
from zenml.exceptions import ZenMLBaseException
from zenml.models import RunMetadataResource

TEAMS = ("growth", "search", "fraud", "ml-platform", "pricing", "nlp")
MODELS = ("churn-predictor", "fraud_detector", "SearchRanker", "price-elasticity", "ticket.router", "llm-judge")
TAGS = ("candidate", "team:growth", "team:fraud", "pii", "gdpr", "dataset/orders", "v2-arch", "needs review")
COLORS = ("blue", "green", "red", "yellow", "purple", "grey", "orange", "lime", "teal", "turquoise", "magenta")
# Metadata keys the teams log: each run draws its own few.
META_KEYS = (
    "auc",
    "f1",
    "dataset.rows",
    "git sha",
    "trainer/epochs",
    "learning_rate",
    "gpu",
    "owner",
    "data_version",
    "latency_p95_ms",
    "feature-count",
    "notes",
)
SECRET_KEYS = ("username", "password", "api_key", "host", "AWS_ACCESS_KEY_ID", "aws_secret_access_key", "token", "dsn")
WORDS = ("alpha", "bravo", "delta", "kilo", "lima", "tango", "zulu")
STAGES = ("staging", "production", "archived", "latest")
# What the client raises for a name taken or missing, a stage move it refuses, a bad value.
TOLERATED = (KeyError, ValueError, RuntimeError, ZenMLBaseException)


def meta_value(key: str, rng: random.Random) -> Any:
    if key in ("auc", "f1", "learning_rate"):
        return round(rng.random(), 4)
    if key in ("dataset.rows", "trainer/epochs", "latency_p95_ms", "feature-count"):
        return rng.randint(1, 100000)
    if key == "git sha":
        return uuid.UUID(int=rng.getrandbits(128)).hex[:12]
    if key == "gpu":
        return rng.choice([True, False])
    if key == "data_version":
        return f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return rng.choice([*TEAMS, *WORDS])


# The team's pipelines: the local orchestrator runs them in this process, against the server.
@step
def load_rows(rows: int, source: str) -> Annotated[list[int], "raw_rows"]:
    log_metadata(metadata={"rows": rows, "source": source})
    return list(range(rows))


@step
def clean(data: list[int], drop_odd: bool) -> Annotated[list[int], "clean_rows"]:
    return [x for x in data if not (drop_odd and x % 2)]


@step
def train(data: list[int], learning_rate: float) -> Annotated[dict[str, float], "metrics"]:
    return {"auc": round(0.5 + len(data) / (2 * (len(data) + 10)), 3), "learning_rate": learning_rate}


@step
def evaluate(metrics: dict[str, float], threshold: float) -> Annotated[bool, "promote"]:
    return metrics["auc"] >= threshold


@pipeline(enable_cache=False)
def training(rows: int = 20, learning_rate: float = 0.1, threshold: float = 0.7) -> None:
    evaluate(train(clean(load_rows(rows, "s3://lake/orders"), True), learning_rate), threshold)


@pipeline(enable_cache=False)
def feature_refresh(rows: int = 50, source: str = "s3://lake/events") -> None:
    clean(load_rows(rows, source), False)


class Drive:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.c = Client()
        self.models: list[str] = []
        self.versions: list[tuple[str, str]] = []  # model name, version name
        self.tags: list[str] = []
        self.secrets: dict[str, list[str]] = {}  # name -> value keys
        self.components: list[tuple[str, StackComponentType]] = []
        self.stacks: list[str] = []
        self.accounts: dict[str, list[str]] = {}  # service account -> API key names
        self.users: list[str] = []

    def run_pipeline(self) -> None:
        team = self.rng.choice(TEAMS)
        if self.rng.random() < 0.6:
            p = training.with_options(run_name=f"{team}-train-{{date}}-{{time}}")
            p(rows=self.rng.randint(5, 40), learning_rate=self.rng.choice([0.1, 0.01, 0.3]), threshold=0.6)
        else:
            p = feature_refresh.with_options(run_name=f"{team}-features-{{date}}-{{time}}")
            p(rows=self.rng.randint(5, 60), source=f"s3://lake/{self.rng.choice(WORDS)}")

    def runs(self) -> None:
        k = self.rng.randrange(7)
        runs = self.c.list_pipeline_runs(size=50).items
        if not runs or k == 0:
            self.c.list_pipeline_runs(
                size=self.rng.choice([10, 50]),
                sort_by=self.rng.choice(["desc:created", "asc:name", "desc:start_time"]),
                status=self.rng.choice([None, "completed", "failed"]),
            )
            return
        r = self.rng.choice(runs)
        if k == 1:
            self.c.get_pipeline_run(r.id)
        elif k == 2:
            self.c.list_run_steps(pipeline_run_id=r.id)
        elif k == 3:
            keys = self.rng.sample(META_KEYS, self.rng.randint(1, 4))
            self.c.create_run_metadata(
                metadata={k2: meta_value(k2, self.rng) for k2 in keys},
                resources=[RunMetadataResource(id=r.id, type=MetadataResourceTypes.PIPELINE_RUN)],
            )
        elif k == 4:
            steps = self.c.list_run_steps(pipeline_run_id=r.id).items
            if steps:
                s = self.rng.choice(steps)
                self.c.get_run_step(s.id)
                keys = self.rng.sample(META_KEYS, self.rng.randint(1, 3))
                self.c.create_run_metadata(
                    metadata={k2: meta_value(k2, self.rng) for k2 in keys},
                    resources=[RunMetadataResource(id=s.id, type=MetadataResourceTypes.STEP_RUN)],
                )
        elif k == 5:
            self.c.list_pipelines(size=self.rng.choice([10, 20]), name=self.rng.choice([None, "training"]))
        elif len(runs) > 8:
            self.c.delete_pipeline_run(r.id)
        else:
            self.c.list_pipeline_runs(pipeline_name=self.rng.choice(["training", "feature_refresh"]))

    def artifacts(self) -> None:
        k = self.rng.randrange(5)
        avs = self.c.list_artifact_versions(size=30).items
        if k == 0 or not avs:
            self.c.list_artifacts(size=self.rng.choice([10, 50]), name=self.rng.choice([None, "metrics", "raw_rows"]))
            return
        av = self.rng.choice(avs)
        if k == 1:
            self.c.get_artifact_version(av.id)
        elif k == 2:
            self.c.update_artifact_version(av.id, add_tags=self.rng.sample(TAGS, self.rng.randint(1, 2)))
        elif k == 3:
            keys = self.rng.sample(META_KEYS, self.rng.randint(1, 3))
            self.c.create_run_metadata(
                metadata={k2: meta_value(k2, self.rng) for k2 in keys},
                resources=[RunMetadataResource(id=av.id, type=MetadataResourceTypes.ARTIFACT_VERSION)],
            )
        else:
            self.c.list_artifact_versions(artifact=self.rng.choice(["metrics", "raw_rows", "clean_rows"]), size=10)

    def model(self) -> None:
        k = self.rng.randrange(6)
        if k <= 1 or not self.models:
            name = f"{self.rng.choice(MODELS)}-{self.rng.choice(TEAMS)}"
            if name in self.models:
                self.c.update_model(name, description=f"owned by {self.rng.choice(TEAMS)}", add_tags=["needs review"])
                return
            self.c.create_model(
                name=name,
                license=self.rng.choice([None, "Apache-2.0", "proprietary"]),
                description=f"{name} for {self.rng.choice(TEAMS)}",
                audience=self.rng.choice([None, "internal", "customers"]),
                use_cases=self.rng.choice([None, "batch scoring", "online ranking"]),
                tags=self.rng.sample(TAGS, self.rng.randint(0, 3)),
            )
            self.models.append(name)
        elif k == 2:
            self.c.get_model(self.rng.choice(self.models))
        elif k == 3:
            self.c.list_models(size=self.rng.choice([10, 50]), sort_by=self.rng.choice(["created", "desc:name"]))
        elif k == 4:
            self.c.update_model(
                self.rng.choice(self.models),
                limitations=self.rng.choice(["not for minors", "EU data only"]),
                add_tags=self.rng.sample(TAGS, 1),
            )
        elif len(self.models) > 4:
            name = self.rng.choice(self.models)
            self.c.delete_model(name)
            self.models.remove(name)
            self.versions = [v for v in self.versions if v[0] != name]

    def model_version(self) -> None:
        k = self.rng.randrange(5)
        if not self.models:
            self.model()
            return
        if k <= 1 or not self.versions:
            m = self.rng.choice(self.models)
            name = self.rng.choice([None, f"v{self.rng.randint(1, 40)}", f"{self.rng.choice(WORDS)}-2026"])
            if name is not None and (m, name) in self.versions:
                return
            mv = self.c.create_model_version(m, name=name, tags=self.rng.sample(TAGS, self.rng.randint(0, 2)))
            self.versions.append((m, mv.name))
        elif k == 2:
            m, v = self.rng.choice(self.versions)
            self.c.get_model_version(m, v)
        elif k == 3:
            m, v = self.rng.choice(self.versions)
            stage = self.rng.choice(STAGES)
            self.c.update_model_version(m, v, stage=stage if stage != "latest" else None, force=True,
                                        add_tags=self.rng.sample(TAGS, self.rng.randint(0, 1)))
        else:
            self.c.list_model_versions(model=self.rng.choice(self.models), size=20)

    def tag(self) -> None:
        k = self.rng.randrange(4)
        if k == 0 or not self.tags:
            name = self.rng.choice([*TAGS, f"exp-{self.rng.randint(1, 500)}"])
            if name in self.tags:
                self.c.update_tag(name, color=self.rng.choice(COLORS))
                return
            self.c.create_tag(name, exclusive=self.rng.random() < 0.2, color=self.rng.choice([None, *COLORS]))
            self.tags.append(name)
        elif k == 1:
            self.c.list_tags(size=50)
        elif k == 2:
            self.c.get_tag(self.rng.choice(self.tags))
        elif len(self.tags) > 6:
            name = self.rng.choice(self.tags)
            self.c.delete_tag(name)
            self.tags.remove(name)

    def secret(self) -> None:
        k = self.rng.randrange(6)
        if k <= 1 or not self.secrets:
            name = f"{self.rng.choice(['snowflake', 'aws', 'hf', 'wandb', 'postgres'])}-{self.rng.choice(TEAMS)}"
            if name in self.secrets:
                return
            keys = self.rng.sample(SECRET_KEYS, self.rng.randint(1, 4))
            values = {key: f"{self.rng.choice(WORDS)}{self.rng.randint(1, 999)}" for key in keys}
            self.c.create_secret(name, values=values)
            self.secrets[name] = keys
        elif k == 2:
            self.c.get_secret(self.rng.choice(sorted(self.secrets)))
        elif k == 3:
            name = self.rng.choice(sorted(self.secrets))
            add = self.rng.choice(SECRET_KEYS)
            remove = [x for x in self.secrets[name] if x != add][:1] if self.rng.random() < 0.4 else []
            self.c.update_secret(name, add_or_update_values={add: "rotated"}, remove_values=remove or None)
            self.secrets[name] = [x for x in {*self.secrets[name], add} if x not in remove]
        elif k == 4:
            self.c.list_secrets(size=self.rng.choice([10, 50]))
        else:
            name = self.rng.choice(sorted(self.secrets))
            self.c.delete_secret(name)
            del self.secrets[name]

    def component(self) -> None:
        k = self.rng.randrange(5)
        if k <= 1 or not self.components:
            team = self.rng.choice(TEAMS)
            kind, flavor, config = self.rng.choice(
                [
                    (StackComponentType.ARTIFACT_STORE, "local", {"path": f"/tmp/zenml-artifacts/{team}"}),
                    (StackComponentType.ORCHESTRATOR, "local", {}),
                    (StackComponentType.IMAGE_BUILDER, "local", {}),
                    (StackComponentType.CONTAINER_REGISTRY, "default", {"uri": f"registry.example.com/{team}"}),
                ]
            )
            name = f"{team}-{flavor}-{kind.value.replace('_', '-')}"
            if (name, kind) in self.components:
                return
            labels = {self.rng.choice(["env", "owner", "cost-center", "k8s.io/region"]): self.rng.choice(WORDS)}
            self.c.create_stack_component(name, flavor, kind, configuration=config, labels=labels)
            self.components.append((name, kind))
        elif k == 2:
            self.c.list_stack_components(size=50, type=self.rng.choice([None, "artifact_store", "orchestrator"]))
        elif k == 3:
            self.c.list_flavors(size=self.rng.choice([20, 50]), type=self.rng.choice([None, "orchestrator"]))
        else:
            name, kind = self.rng.choice(self.components)
            self.c.update_stack_component(name, kind, labels={"owner": self.rng.choice(TEAMS)})

    def stack(self) -> None:
        k = self.rng.randrange(4)
        stores = [n for n, t in self.components if t == StackComponentType.ARTIFACT_STORE]
        orchs = [n for n, t in self.components if t == StackComponentType.ORCHESTRATOR]
        if k <= 1 and stores and orchs:
            name = f"{self.rng.choice(TEAMS)}-{self.rng.choice(['dev', 'prod', 'gpu'])}"
            if name in self.stacks:
                self.c.update_stack(name, labels={"tier": self.rng.choice(WORDS)})
                return
            comps = {StackComponentType.ARTIFACT_STORE: self.rng.choice(stores),
                     StackComponentType.ORCHESTRATOR: self.rng.choice(orchs)}
            self.c.create_stack(name, components=comps, labels={"team": self.rng.choice(TEAMS)})
            self.stacks.append(name)
        elif k == 2:
            self.c.list_stacks(size=20)
        elif self.stacks:
            name = self.rng.choice(self.stacks)
            self.c.get_stack(name)
            if len(self.stacks) > 3:
                self.c.delete_stack(name)
                self.stacks.remove(name)

    def account(self) -> None:
        k = self.rng.randrange(4)
        if k == 0 or not self.accounts:
            name = f"{self.rng.choice(['ci', 'airflow', 'github-actions', 'scheduler'])}-{self.rng.choice(TEAMS)}"
            if name not in self.accounts:
                self.c.create_service_account(name, description=f"robot for {name}")
                self.accounts[name] = []
            return
        sa = self.rng.choice(sorted(self.accounts))
        if k == 1:
            key = f"key-{self.rng.choice(WORDS)}"
            if key not in self.accounts[sa]:
                self.c.create_api_key(sa, key, description="rotated monthly")
                self.accounts[sa].append(key)
        elif k == 2 and self.accounts[sa]:
            key = self.rng.choice(self.accounts[sa])
            if self.rng.random() < 0.5:
                self.c.rotate_api_key(sa, key, retain_period_minutes=self.rng.choice([0, 60]))
            else:
                self.c.update_api_key(sa, key, active=self.rng.random() < 0.5)
        else:
            self.c.list_api_keys(sa)
            self.c.list_service_accounts(size=20)

    def user(self) -> None:
        if self.rng.random() < 0.4 or not self.users:
            name = f"{self.rng.choice(['alice', 'bob', 'carol', 'dmitri', 'erin'])}.{self.rng.choice(TEAMS)}"
            if name not in self.users:
                self.c.create_user(name, password=f"pw-{self.rng.randint(1000, 9999)}-xyz")
                self.users.append(name)
        elif self.rng.random() < 0.5:
            self.c.update_user(self.rng.choice(self.users), updated_full_name=self.rng.choice(["Alice A.", "Bob B."]))
        else:
            self.c.list_users(size=20)
            self.c.get_user(self.rng.choice(self.users))

    def misc(self) -> None:
        k = self.rng.randrange(4)
        if k == 0:
            self.c.zen_store.get_store_info()
        elif k == 1:
            self.c.list_projects()
        elif k == 2:
            self.c.list_service_connectors()
        else:
            self.c.list_code_repositories()

    def errors(self) -> None:
        k = self.rng.randrange(4)
        try:
            if k == 0:
                self.c.get_model(f"missing-{self.rng.choice(WORDS)}")
            elif k == 1 and self.models:
                self.c.create_model(name=self.rng.choice(self.models))
            elif k == 2:
                self.c.get_secret(f"nope-{self.rng.randint(1, 99)}", allow_partial_name_match=False)
            else:
                model = self.rng.choice([*self.models, "churn-predictor"])
                self.c.get_model_version(model, f"v{self.rng.randint(900, 999)}")
        except TOLERATED as e:
            print(f"expected: {type(e).__name__}", file=sys.stderr)


def main() -> int:
    a = workload.parse(__doc__, [], rounds=500)
    rng = random.Random(a.seed)
    d = Drive(rng)
    steps = [
        (d.run_pipeline, 2),
        (d.runs, 6),
        (d.artifacts, 5),
        (d.model, 5),
        (d.model_version, 6),
        (d.tag, 3),
        (d.secret, 5),
        (d.component, 4),
        (d.stack, 2),
        (d.account, 3),
        (d.user, 2),
        (d.misc, 2),
        (d.errors, 2),
    ]
    workload.run(rng, steps, a.rounds, a.max_seconds, tolerated=TOLERATED)
    return 0


if __name__ == "__main__":
    sys.exit(main())
