"""Drive an Arize Phoenix server through its own client, arize-phoenix-client's `Client`.

    python phoenix_drive.py SERVER_URL --seed N [--rounds R] [--max-seconds S]

Run by phoenix.sh in the server's environment (the client installed beside it). An LLM team's
observability: projects under the names teams give them (`support-bot`, `rag-search prod`) in every
project path, spans of their apps logged with OpenInference attributes and the team's own keys
(`metadata` maps keyed by tenant, feature flag, prompt template), sessions of a chat's turns, traces
and spans read back with filters, annotations and notes on spans, traces, sessions and retrieved
documents, datasets of examples (inputs and outputs whose keys each dataset picks) with versions,
experiments run on them with evaluators (the client reports their task spans over OTLP), prompts with
versions and tags; annotation configs, dataset labels and splits, which the client has no call for,
through its HTTP client as Phoenix's UI sends them; and the errors people hit (a name taken, a project
or prompt that is gone, a bad identifier).
"""

from __future__ import annotations

import random
import secrets
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from phoenix.client import Client
from phoenix.client.types import PromptVersion

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workload import parse, run

PROJECTS = ["support-bot", "rag-search prod", "invoice-extractor", "sales_copilot", "eval-sandbox", "agent.planner-v2"]
MODELS = ["gpt-4o-mini", "claude-3-5-sonnet", "llama-3.1-70b", "mistral-large"]
QUESTIONS = [
    "How do I reset my password?",
    "What is the refund policy for annual plans?",
    "Summarise invoice INV-2291",
    "Which regions support SSO?",
    "Draft a follow-up email to Globex",
    "Why did build 1042 fail?",
]
# The keys each team puts in its spans' metadata and its datasets' examples.
META_KEYS = {
    "tenant": ["acme", "globex", "initech"],
    "feature_flag": ["rag-v2", "rerank", "none"],
    "prompt.template": ["support/v3", "summary/v1"],
    "user tier": ["free", "pro"],
    "ab-bucket": ["A", "B"],
    "retriever.k": [3, 5, 8],
}
DATASETS = {
    "faq-golden": ("question", "answer"),
    "invoice fields v2": ("document", "fields"),
    "sql-gen.eval": ("utterance", "sql"),
    "tone_rewrites": ("draft", "rewrite"),
}
PROMPTS = ["support-answer", "invoice_summary", "sql-writer", "email-followup"]
NOTES = ["hallucinated the plan name", "good citation", "too long", "wrong tenant data", "escalate to human"]


class Drive:
    def __init__(self, url: str, rng: random.Random) -> None:
        self.c = Client(base_url=url)
        self.http: httpx.Client = self.c._client  # the client's own session, for calls it has no method for
        self.r = rng
        self.projects: list[str] = []
        self.spans: list[tuple[str, str, str]] = []  # (project, span id, trace id)
        self.sessions: list[str] = []
        self.datasets: dict[str, Any] = {}
        self.first_versions: dict[str, str] = {}
        self.experiments: list[str] = []
        self.prompt_versions: dict[str, list[str]] = {}
        self.configs: list[str] = []
        self.labels: list[str] = []

    # -- projects ---------------------------------------------------------------------------------
    def create_project(self) -> None:
        # Get or create: a taken name is a 500 in Phoenix 20.26 (its unique constraint is not caught), after
        # which the server drops the connection.
        existing = {p["name"] for p in self.c.projects.list()}
        free = [n for n in PROJECTS if n not in existing]
        if not free:
            return
        name = self.r.choice(free)
        self.c.projects.create(name=name, description=self.r.choice([None, "prod traffic", "offline evals"]))
        self.projects.append(name)

    def project_ops(self) -> None:
        k = self.r.randrange(5)
        name = self.r.choice(self.projects) if self.projects else "default"
        if k == 0:
            self.c.projects.list()
        elif k == 1:
            self.c.projects.get(project_name=name if self.r.random() > 0.1 else "no-such-project")  # 404
        elif k == 2:
            self.c.projects.update(
                project_name=name, description=self.r.choice(["owned by support-eng", "EU data only", ""])
            )
        elif k == 3 and len(self.projects) > 3:
            self.projects.remove(name)
            self.c.projects.delete(project_name=name)
            self.spans = [s for s in self.spans if s[0] != name]
        else:
            self.c.projects.list(name_contains=self.r.choice(["bot", "prod", "eval"]))

    # -- spans, traces, sessions ------------------------------------------------------------------
    def log_trace(self) -> None:
        project = self.r.choice(self.projects) if self.projects else "default"
        trace_id, root_id = secrets.token_hex(16), secrets.token_hex(8)
        t0 = datetime.now(UTC) - timedelta(seconds=self.r.randint(5, 3600))
        session = (
            self.r.choice(self.sessions) if self.sessions and self.r.random() < 0.6 else f"chat-{secrets.token_hex(4)}"
        )
        if session not in self.sessions:
            self.sessions.append(session)
        q = self.r.choice(QUESTIONS)
        meta = {k: self.r.choice(v) for k, v in self.r.sample(sorted(META_KEYS.items()), self.r.randint(1, 4))}
        err = self.r.random() < 0.1

        def span(
            name: str, kind: str, sid: str, parent: str | None, dt: float, attrs: dict[str, Any]
        ) -> dict[str, Any]:
            s: dict[str, Any] = {
                "name": name,
                "context": {"trace_id": trace_id, "span_id": sid},
                "span_kind": kind,
                "start_time": (t0 + timedelta(seconds=dt)).isoformat(),
                "end_time": (t0 + timedelta(seconds=dt + self.r.uniform(0.05, 2))).isoformat(),
                "status_code": "ERROR" if err and parent is None else "OK",
                "attributes": attrs,
            }
            if parent:
                s["parent_id"] = parent
            if err and parent is None:
                s["status_message"] = "RateLimitError: 429 from provider"
                s["events"] = [
                    {
                        "name": "exception",
                        "timestamp": s["end_time"],
                        "attributes": {"exception.type": "RateLimitError", "exception.message": "429"},
                    }
                ]
            return s

        ret_id, llm_id = secrets.token_hex(8), secrets.token_hex(8)
        docs = {
            f"retrieval.documents.{i}.document.id": f"kb-{self.r.randint(100, 999)}"
            for i in range(self.r.randint(1, 3))
        }
        spans = [
            span(
                "chat",
                "CHAIN",
                root_id,
                None,
                0,
                {
                    "input.value": q,
                    "output.value": "...",
                    "session.id": session,
                    "user.id": self.r.choice(["u_481", "u_77", "u_1002"]),
                    "metadata": meta,
                },
            ),
            span("retrieve", "RETRIEVER", ret_id, root_id, 0.01, {"input.value": q, **docs}),
            span(
                "llm",
                "LLM",
                llm_id,
                root_id,
                0.3,
                {
                    "llm.model_name": self.r.choice(MODELS),
                    "llm.token_count.prompt": self.r.randint(200, 4000),
                    "llm.token_count.completion": self.r.randint(20, 600),
                    "llm.invocation_parameters": '{"temperature": 0.2}',
                },
            ),
        ]
        if self.r.random() < 0.3:
            spans.append(
                span(
                    "lookup_invoice",
                    "TOOL",
                    secrets.token_hex(8),
                    llm_id,
                    0.5,
                    {"tool.name": "lookup_invoice", "input.value": '{"id": "INV-2291"}'},
                )
            )
        self.c.spans.log_spans(project_identifier=project, spans=spans)  # type: ignore[arg-type]
        self.spans += [(project, s["context"]["span_id"], trace_id) for s in spans]

    def read_spans(self) -> None:
        project = self.r.choice(self.projects) if self.projects else "default"
        k = self.r.randrange(5)
        if k == 0:
            self.c.spans.get_spans(
                project_identifier=project,
                limit=self.r.choice([10, 50, 100]),
                span_kind=self.r.choice([None, "LLM", ["RETRIEVER", "TOOL"]]),
            )
        elif k == 1:
            self.c.traces.get_traces(
                project_identifier=project,
                limit=self.r.choice([10, 25]),
                include_spans=self.r.random() < 0.5,
                sort=self.r.choice(["start_time", "latency_ms"]),
                order=self.r.choice(["asc", "desc"]),
            )
        elif k == 2:
            self.c.sessions.list(project_name=project, limit=self.r.choice([10, 50]))
        elif k == 3 and self.sessions:
            sid = self.r.choice(self.sessions)
            self.c.sessions.get(session_id=sid)  # a session only logged into a deleted project: 404
            if self.r.random() < 0.4:
                self.c.sessions.get_session_turns(session_id=sid)
        else:
            self.c.spans.get_spans(
                project_identifier=project,
                name=self.r.choice(["llm", "retrieve"]),
                status_code=self.r.choice([None, "ERROR"]),
            )

    def annotate(self) -> None:
        if not self.spans:
            return
        project, sid, tid = self.r.choice(self.spans)
        k = self.r.randrange(6)
        label = self.r.choice(["correct", "incorrect", "partially correct"])
        meta = {"reviewer": self.r.choice(["alice", "bob"]), "rubric.version": self.r.choice([1, 2])}
        if k == 0:
            self.c.spans.add_span_annotation(
                span_id=sid,
                annotation_name=self.r.choice(["correctness", "helpfulness", "tone"]),
                label=label,
                score=self.r.choice([0, 0.5, 1]),
                metadata=meta,
                sync=True,
            )
        elif k == 1:
            self.c.spans.add_span_note(span_id=sid, note=self.r.choice(NOTES))
        elif k == 2:
            self.c.traces.add_trace_annotation(
                trace_id=tid,
                annotation_name="resolution",
                label=self.r.choice(["resolved", "escalated"]),
                annotator_kind=self.r.choice(["HUMAN", "LLM"]),
                sync=True,
            )
        elif k == 3 and self.sessions:
            self.c.sessions.add_session_annotation(
                session_id=self.r.choice(self.sessions), annotation_name="csat", score=self.r.randint(1, 5), sync=True
            )
        elif k == 4:
            self.c.spans.add_document_annotation(
                span_id=sid,
                document_position=self.r.randint(0, 2),
                annotation_name="relevance",
                label=self.r.choice(["relevant", "irrelevant"]),
                sync=True,
            )
        else:
            self.c.spans.get_span_annotations(
                span_ids=[s[1] for s in self.r.sample(self.spans, min(5, len(self.spans)))], project_identifier=project
            )

    def delete_span(self) -> None:
        if self.spans:
            s = self.spans.pop(self.r.randrange(len(self.spans)))
            self.c.spans.delete(span_identifier=s[1])

    # -- datasets and experiments -----------------------------------------------------------------
    def create_dataset(self) -> None:
        name = self.r.choice(sorted(DATASETS))
        ikey, okey = DATASETS[name]
        examples = [
            {
                "input": {ikey: self.r.choice(QUESTIONS), **({"locale": "de-DE"} if self.r.random() < 0.3 else {})},
                "output": {okey: self.r.choice(["See settings > security", "30 days", "SELECT 1"])},
                "metadata": {k: self.r.choice(v) for k, v in self.r.sample(sorted(META_KEYS.items()), 2)},
            }
            for _ in range(self.r.randint(3, 8))
        ]
        if name in self.datasets and self.r.random() < 0.7:
            self.datasets[name] = self.c.datasets.add_examples_to_dataset(dataset=name, examples=examples)
        else:
            self.datasets[name] = self.c.datasets.create_dataset(
                name=name,
                examples=examples,  # taken: 409
                dataset_description=self.r.choice([None, "golden set"]),
            )
            self.first_versions.setdefault(name, self.datasets[name].version_id)

    def dataset_ops(self) -> None:
        if not self.datasets:
            return
        name = self.r.choice(sorted(self.datasets))
        k = self.r.randrange(5)
        if k == 0:
            self.c.datasets.list()
        elif k == 1:
            self.datasets[name] = self.c.datasets.get_dataset(dataset=name)
        elif k == 2:
            self.c.datasets.get_dataset_versions(dataset=name)
        elif k == 3:
            ds = self.datasets[name]
            self.http.get(
                f"v1/datasets/{ds.id}/{self.r.choice(['csv', 'jsonl/openai_ft', 'jsonl/openai_evals'])}"
            ).raise_for_status()
        else:
            self.http.get(f"v1/datasets/{self.datasets[name].id}/examples").raise_for_status()

    def experiment(self) -> None:
        if not self.first_versions:
            return
        # on a dataset's first version, the golden examples a team compares its runs on
        name = self.r.choice(sorted(self.first_versions))
        ds = self.c.datasets.get_dataset(dataset=name, version_id=self.first_versions[name])
        model = self.r.choice(MODELS)

        def task(input: dict[str, Any]) -> dict[str, Any]:
            return {"answer": f"[{model}] {next(iter(input.values()))}"[:60]}

        def has_answer(output: dict[str, Any]) -> bool:
            return bool(output.get("answer"))

        def length(output: dict[str, Any]) -> float:
            return len(output.get("answer", "")) / 60

        evaluators = [has_answer, length] if self.r.random() < 0.3 else [has_answer]
        ran = self.c.experiments.run_experiment(
            dataset=ds,
            task=task,
            evaluators=evaluators,
            print_summary=False,
            experiment_name=f"{model} {self.r.choice(['baseline', 'rerank', 'prompt-v4'])}",
            experiment_metadata={"model": model, "temperature": self.r.choice([0, 0.2, 0.7])},
        )
        self.experiments.append(ran["experiment_id"])

    def experiment_ops(self) -> None:
        if not self.experiments:
            return
        eid = self.r.choice(self.experiments)
        k = self.r.randrange(4)
        if k == 0:
            self.c.experiments.get(experiment_id=eid)
        elif k == 1 and self.datasets:
            self.c.experiments.list(dataset_id=self.datasets[self.r.choice(sorted(self.datasets))].id)
        elif k == 2:
            self.http.get(f"v1/experiments/{eid}/{self.r.choice(['json', 'runs', 'csv'])}").raise_for_status()
        elif len(self.experiments) > 2:
            self.experiments.remove(eid)
            self.c.experiments.delete(experiment_id=eid)

    # -- prompts ----------------------------------------------------------------------------------
    def prompt(self) -> None:
        name = self.r.choice(PROMPTS)
        k = self.r.randrange(5)
        if k <= 1 or name not in self.prompt_versions:
            v = PromptVersion(
                [
                    {"role": "system", "content": f"You are the {name} assistant."},
                    {
                        "role": "user",
                        "content": "{{question}}" if self.r.random() < 0.7 else "Context: {{context}}\n{{question}}",
                    },
                ],
                model_name=self.r.choice(MODELS[:2]),
                model_provider=self.r.choice(["OPENAI", "ANTHROPIC"]),
                description=self.r.choice([None, "tighter tone", "adds citations"]),
            )
            got = self.c.prompts.create(
                version=v, name=name, prompt_metadata={"owner": self.r.choice(["support", "finance"])}
            )
            self.prompt_versions.setdefault(name, []).append(got.id)
        elif k == 2:
            vid = self.r.choice(self.prompt_versions[name])
            self.c.prompts.tags.create(prompt_version_id=vid, name=self.r.choice(["production", "staging", "canary"]))
            self.c.prompts.tags.list(prompt_version_id=vid)
        elif k == 3:
            self.c.prompts.get(
                prompt_identifier=name if self.r.random() > 0.1 else "no such prompt!",  # 404 / 422
                tag=self.r.choice([None, "production"]),
            )
        else:
            self.http.get("v1/prompts").raise_for_status()
            self.http.get(f"v1/prompts/{name}/versions").raise_for_status()

    # -- what the UI sends: annotation configs, dataset labels and splits ---------------------------
    def ui(self) -> None:
        k = self.r.randrange(6)
        if k == 0:
            name = self.r.choice(["correctness", "helpfulness", "tone", "latency ok"])
            body = self.r.choice(
                [
                    {
                        "type": "CATEGORICAL",
                        "name": name,
                        "optimization_direction": "MAXIMIZE",
                        "values": [{"label": "good", "score": 1}, {"label": "bad", "score": 0}],
                    },
                    {
                        "type": "CONTINUOUS",
                        "name": name,
                        "optimization_direction": "MAXIMIZE",
                        "lower_bound": 0,
                        "upper_bound": 1,
                    },
                    {"type": "FREEFORM", "name": name},
                ]
            )
            res = self.http.post("v1/annotation_configs", json=body)  # taken: 409
            if res.status_code == 200:
                self.configs.append(res.json()["data"]["id"])
        elif k == 1:
            self.http.get("v1/annotation_configs", params={"limit": self.r.choice([10, 100])})
        elif k == 2 and self.configs and self.projects:
            self.http.get(f"v1/projects/{self.r.choice(self.projects)}/annotation_configs")
        elif k == 3:
            res = self.http.post(
                "v1/dataset_labels",
                json={
                    "name": self.r.choice(["golden", "needs-review", "pii scrubbed"]),
                    "color": self.r.choice(["#ff0000", "#33aa55"]),
                },
            )
            if res.status_code == 200:
                self.labels.append(res.json()["data"]["id"])
            self.http.get("v1/dataset_labels")
        elif k == 4 and self.datasets:
            ds = self.datasets[self.r.choice(sorted(self.datasets))]
            self.http.get(f"v1/datasets/{ds.id}/splits")
            self.http.post(
                f"v1/datasets/{ds.id}/splits", json={"name": self.r.choice(["train", "test", "holdout-2026"])}
            )
        else:
            self.http.get("v1/model_providers")


def main() -> None:
    a = parse(__doc__, ["url"], 700)
    d = Drive(a.url.rstrip("/") + "/", random.Random(a.seed))
    for _ in range(3):
        d.create_project()
    for _ in range(6):
        d.log_trace()
    steps = [
        (d.create_project, 2),
        (d.project_ops, 5),
        (d.log_trace, 14),
        (d.read_spans, 9),
        (d.annotate, 9),
        (d.delete_span, 2),
        (d.create_dataset, 4),
        (d.dataset_ops, 6),
        (d.experiment, 1),
        (d.experiment_ops, 4),
        (d.prompt, 7),
        (d.ui, 6),
    ]
    # The client's own errors too: its dataset upload wraps an HTTP error in one of its own.
    run(d.r, steps, a.rounds, a.max_seconds, tolerated=(Exception,))


if __name__ == "__main__":
    main()
