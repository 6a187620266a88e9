"""Drive a Label Studio server with its own client, label-studio-sdk's LabelStudio.

    python labelstudio_drive.py URL API_KEY --seed N [--rounds R] [--max-seconds S]

Run by labelstudio.sh with the server's own environment. A seeded random workload of what annotation
teams do through the SDK: projects with label configs of several kinds (text classification, NER,
image boxes, audio transcription, a multi-field survey), so every project's task `data` carries the
keys its own config names (`$text`, `$image`, `$title`/`$body`, ...) and its annotations' `result`
regions their own `value` shapes; tasks imported in batches or made one at a time with free-form
`meta`, annotations and predictions (model versions), updates, Data Manager views with filters,
webhooks, exports, label-config validation, deletes, and the errors people hit (a missing project or
task, a config that does not parse, an annotation on a task that is gone).
"""

from __future__ import annotations

import random
import sys
from typing import Any

import workload  # beside this file
from label_studio_sdk import LabelStudio
from label_studio_sdk.core.api_error import ApiError

TEAMS = ("support", "legal", "search", "vision", "speech", "trust-safety")
WORDS = ("refund", "late", "broken", "great", "invoice", "login", "crash", "shipping", "password", "upgrade")
NAMES = ("Alice Smith", "Bob Jones", "Acme Corp", "Berlin", "Paris", "Globex", "Dr. Who", "Initech")

# kind -> (label config, the data keys its variables name)
CONFIGS: dict[str, tuple[str, tuple[str, ...]]] = {
    "sentiment": (
        '<View><Text name="text" value="$text"/><Choices name="sentiment" toName="text" choice="single">'
        '<Choice value="Positive"/><Choice value="Negative"/><Choice value="Neutral"/></Choices></View>',
        ("text",),
    ),
    "ner": (
        '<View><Labels name="label" toName="text"><Label value="PER"/><Label value="ORG"/><Label value="LOC"/>'
        '</Labels><Text name="text" value="$text"/></View>',
        ("text",),
    ),
    "boxes": (
        '<View><Image name="image" value="$image"/><RectangleLabels name="label" toName="image">'
        '<Label value="car"/><Label value="person"/><Label value="sign"/></RectangleLabels></View>',
        ("image",),
    ),
    "transcribe": (
        '<View><Audio name="audio" value="$audio"/><TextArea name="transcription" toName="audio" '
        'rows="4" editable="true"/></View>',
        ("audio",),
    ),
    "ticket": (
        '<View><Header value="$title"/><Text name="body" value="$body"/><Choices name="queue" toName="body">'
        '<Choice value="billing"/><Choice value="bug"/><Choice value="other"/></Choices>'
        '<Rating name="urgency" toName="body" maxRating="5"/></View>',
        ("title", "body"),
    ),
}
META_KEYS = ("source", "batch", "customer_tier", "lang", "priority", "ingested_at", "external-id", "shard")


class Drive:
    def __init__(self, url: str, key: str, rng: random.Random) -> None:
        self.rng = rng
        self.ls = LabelStudio(base_url=url, api_key=key)
        self.projects: dict[int, str] = {}  # id -> kind
        self.tasks: dict[int, list[int]] = {}  # project id -> task ids
        self.annotations: list[int] = []
        self.predictions: list[int] = []
        self.views: list[int] = []
        self.webhooks: list[int] = []

    def sentence(self) -> str:
        return " ".join(self.rng.choice([*WORDS, *NAMES]) for _ in range(self.rng.randint(3, 12)))

    def data(self, kind: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k in CONFIGS[kind][1]:
            if k == "image":
                out[k] = f"https://cdn.example.com/{self.rng.choice(TEAMS)}/img-{self.rng.randint(1, 99999)}.jpg"
            elif k == "audio":
                out[k] = f"s3://calls-{self.rng.choice(['eu', 'us'])}/{self.rng.randint(1, 99999)}.wav"
            elif k == "title":
                out[k] = f"Ticket #{self.rng.randint(1000, 9999)}: {self.rng.choice(WORDS)}"
            else:
                out[k] = self.sentence()
        # extra columns people import beside the ones the config reads
        for k in self.rng.sample(META_KEYS, self.rng.randint(0, 2)):
            out[k] = self.rng.choice([self.rng.choice(TEAMS), self.rng.randint(1, 500)])
        return out

    def result(self, kind: str, data: dict[str, Any]) -> list[dict[str, Any]]:
        """Regions in the shape each control type writes."""
        if kind == "sentiment":
            return [
                {
                    "from_name": "sentiment",
                    "to_name": "text",
                    "type": "choices",
                    "value": {"choices": [self.rng.choice(["Positive", "Negative", "Neutral"])]},
                }
            ]
        if kind == "ner":
            text = str(data.get("text", ""))
            out = []
            for _ in range(self.rng.randint(0, 3)):
                start = self.rng.randint(0, max(0, len(text) - 5))
                end = min(len(text), start + self.rng.randint(3, 12))
                out.append(
                    {
                        "from_name": "label",
                        "to_name": "text",
                        "type": "labels",
                        "value": {
                            "start": start,
                            "end": end,
                            "text": text[start:end],
                            "labels": [self.rng.choice(["PER", "ORG", "LOC"])],
                        },
                    }
                )
            return out
        if kind == "boxes":
            return [
                {
                    "from_name": "label",
                    "to_name": "image",
                    "type": "rectanglelabels",
                    "original_width": 1280,
                    "original_height": 720,
                    "image_rotation": 0,
                    "value": {
                        "x": round(self.rng.uniform(0, 80), 2),
                        "y": round(self.rng.uniform(0, 80), 2),
                        "width": round(self.rng.uniform(1, 20), 2),
                        "height": round(self.rng.uniform(1, 20), 2),
                        "rotation": 0,
                        "rectanglelabels": [self.rng.choice(["car", "person", "sign"])],
                    },
                }
                for _ in range(self.rng.randint(1, 3))
            ]
        if kind == "transcribe":
            return [
                {
                    "from_name": "transcription",
                    "to_name": "audio",
                    "type": "textarea",
                    "value": {"text": [self.sentence()]},
                }
            ]
        return [
            {
                "from_name": "queue",
                "to_name": "body",
                "type": "choices",
                "value": {"choices": [self.rng.choice(["billing", "bug", "other"])]},
            },
            {"from_name": "urgency", "to_name": "body", "type": "rating", "value": {"rating": self.rng.randint(1, 5)}},
        ]

    def project(self) -> None:
        kind = self.rng.choice(sorted(CONFIGS))
        team = self.rng.choice(TEAMS)
        extra: dict[str, Any] = {}
        if self.rng.random() < 0.5:
            extra = {"expert_instruction": f"<p>Label every {kind} item.</p>", "show_instruction": True}
        p = self.ls.projects.create(
            title=f"{team} {kind} {self.rng.randint(1, 999)}",
            description=f"{kind} labelling for {team}",
            label_config=CONFIGS[kind][0],
            **extra,
            maximum_annotations=self.rng.choice([1, 1, 2]),
            color=self.rng.choice(["#FF0000", "#00AAFF", "#FFFFFF"]),
        )
        assert p.id is not None
        self.projects[p.id] = kind
        self.tasks[p.id] = []
        self.import_tasks(p.id)

    def pick(self) -> int:
        if not self.projects:
            self.project()
        return self.rng.choice(sorted(self.projects))

    def import_tasks(self, pid: int | None = None) -> None:
        pid = self.pick() if pid is None else pid
        kind = self.projects[pid]
        batch = []
        for _ in range(self.rng.randint(1, 8)):
            item: dict[str, Any] = {"data": self.data(kind)}
            if self.rng.random() < 0.2:
                item["predictions"] = [
                    {
                        "model_version": f"{kind}-v{self.rng.randint(1, 4)}",
                        "score": round(self.rng.random(), 3),
                        "result": self.result(kind, item["data"]),
                    }
                ]
            batch.append(item)
        r = self.ls.projects.import_tasks(id=pid, request=batch, return_task_ids=True)
        self.tasks[pid].extend(int(t) for t in (r.task_ids or []))

    def task(self) -> None:
        pid = self.pick()
        kind = self.projects[pid]
        meta = {
            k: self.rng.choice([self.rng.choice(WORDS), self.rng.randint(0, 99)])
            for k in self.rng.sample(META_KEYS, self.rng.randint(0, 3))
        }
        t = self.ls.tasks.create(project=pid, data=self.data(kind), **({"meta": meta} if meta else {}))
        assert t.id is not None
        self.tasks[pid].append(t.id)

    def pick_task(self) -> tuple[int, int] | None:
        pid = self.pick()
        if not self.tasks[pid]:
            self.import_tasks(pid)
        if not self.tasks[pid]:
            return None
        return pid, self.rng.choice(self.tasks[pid])

    def annotate(self) -> None:
        got = self.pick_task()
        if got is None:
            return
        pid, tid = got
        task = self.ls.tasks.get(id=str(tid))
        a = self.ls.annotations.create(
            id=tid,
            result=self.result(self.projects[pid], dict(task.data or {})),
            was_cancelled=self.rng.random() < 0.05,
            ground_truth=self.rng.random() < 0.1,
            lead_time=round(self.rng.uniform(2, 300), 3),
        )
        if a.id is not None:
            self.annotations.append(a.id)

    def predict(self) -> None:
        got = self.pick_task()
        if got is None:
            return
        pid, tid = got
        task = self.ls.tasks.get(id=str(tid))
        p = self.ls.predictions.create(
            task=tid,
            result=self.result(self.projects[pid], dict(task.data or {})),
            score=round(self.rng.random(), 3),
            model_version=f"{self.projects[pid]}-v{self.rng.randint(1, 4)}",
        )
        if p.id is not None:
            self.predictions.append(p.id)

    def reads(self) -> None:
        k = self.rng.randrange(8)
        if k == 0:
            pid = self.pick()
            for i, _ in enumerate(self.ls.tasks.list(project=pid, page_size=self.rng.choice([10, 50]))):
                if i > 20:
                    break
        elif k == 1:
            self.ls.projects.get(id=self.pick())
        elif k == 2:
            for i, _ in enumerate(self.ls.projects.list(page_size=self.rng.choice([10, 100]))):
                if i > 10:
                    break
        elif k == 3 and self.annotations:
            self.ls.annotations.get(id=self.rng.choice(self.annotations))
        elif k == 4:
            got = self.pick_task()
            if got:
                self.ls.annotations.list(id=got[1])
        elif k == 5:
            self.ls.predictions.list(project=self.pick())
        elif k == 6:
            self.ls.users.whoami()
        else:
            got = self.pick_task()
            if got:
                self.ls.tasks.get(id=str(got[1]))

    def update(self) -> None:
        k = self.rng.randrange(4)
        if k == 0:
            pid = self.pick()
            self.ls.projects.update(
                id=pid,
                description=f"{self.projects[pid]} for {self.rng.choice(TEAMS)}",
                is_published=self.rng.random() < 0.5,
            )
        elif k == 1 and self.annotations:
            aid = self.rng.choice(self.annotations)
            a = self.ls.annotations.get(id=aid)
            self.ls.annotations.update(id=aid, result=list(a.result or []), ground_truth=self.rng.random() < 0.5)
        elif k == 2:
            got = self.pick_task()
            if got:
                pid, tid = got
                self.ls.tasks.update(id=str(tid), data=self.data(self.projects[pid]))
        elif self.predictions:
            pr = self.rng.choice(self.predictions)
            self.ls.predictions.update(id=pr, score=round(self.rng.random(), 3))

    def view(self) -> None:
        pid = self.pick()
        k = self.rng.randrange(3)
        if k == 0 or not self.views:
            data: dict[str, Any] = {
                "title": self.rng.choice(["To review", "Low confidence", "My queue", "Gold"]),
                "filters": {
                    "conjunction": self.rng.choice(["and", "or"]),
                    "items": [
                        {
                            "filter": "filter:tasks:total_annotations",
                            "operator": "greater",
                            "type": "Number",
                            "value": self.rng.randint(0, 2),
                        }
                    ],
                },
                "ordering": [self.rng.choice(["tasks:id", "-tasks:id", "tasks:total_annotations"])],
            }
            v = self.ls.views.create(project=pid, data=data)  # type: ignore[arg-type]
            if v.id is not None:
                self.views.append(v.id)
        elif k == 1:
            self.ls.views.list(project=pid)
        else:
            vid = self.views.pop(self.rng.randrange(len(self.views)))
            self.ls.views.delete(id=str(vid))

    def webhook(self) -> None:
        k = self.rng.randrange(3)
        if k == 0 or not self.webhooks:
            pid = self.pick()
            w = self.ls.webhooks.create(
                url=f"http://127.0.0.1:9/{self.rng.choice(TEAMS)}/hook",
                project=pid,
                send_payload=self.rng.random() < 0.5,
                is_active=False,
                actions=self.rng.sample(["ANNOTATION_CREATED", "TASKS_CREATED", "PROJECT_UPDATED"], 2),
                headers={self.rng.choice(["X-Team", "Authorization", "X-Signature"]): self.rng.choice(TEAMS)},
            )
            if w.id is not None:
                self.webhooks.append(w.id)
        elif k == 1:
            self.ls.webhooks.list(project=str(self.pick()))
        else:
            wid = self.webhooks.pop(self.rng.randrange(len(self.webhooks)))
            self.ls.webhooks.delete(id=wid)

    def export(self) -> None:
        pid = self.pick()
        k = self.rng.randrange(3)
        if k == 0:
            self.ls.projects.exports.list(id=pid)
        elif k == 1:
            self.ls.projects.validate_label_config(id=pid, label_config=CONFIGS[self.projects[pid]][0])
        else:
            self.ls.projects.exports.create(id=pid, title=f"export {self.rng.randint(1, 99)}")

    def delete(self) -> None:
        k = self.rng.randrange(4)
        if k == 0 and self.annotations:
            self.ls.annotations.delete(id=self.annotations.pop(self.rng.randrange(len(self.annotations))))
        elif k == 1 and self.predictions:
            self.ls.predictions.delete(id=self.predictions.pop(self.rng.randrange(len(self.predictions))))
        elif k == 2:
            pid = self.pick()
            if len(self.tasks[pid]) > 3:
                tid = self.tasks[pid].pop(self.rng.randrange(len(self.tasks[pid])))
                self.ls.tasks.delete(id=str(tid))
        elif len(self.projects) > 6:
            pid = self.pick()
            self.ls.projects.delete(id=pid)
            del self.projects[pid]
            del self.tasks[pid]

    def errors(self) -> None:
        k = self.rng.randrange(4)
        try:
            if k == 0:
                self.ls.projects.get(id=90000 + self.rng.randint(1, 999))
            elif k == 1:
                self.ls.tasks.get(id=str(90000 + self.rng.randint(1, 999)))
            elif k == 2:
                self.ls.projects.create(title=f"broken {self.rng.randint(1, 99)}", label_config="<View><Text name=")
            else:
                self.ls.annotations.create(id=90000 + self.rng.randint(1, 999), result=[])
        except ApiError as e:
            print(f"expected: {e.status_code}", file=sys.stderr)


def main() -> int:
    a = workload.parse(__doc__, ["url", "key"], rounds=800)
    rng = random.Random(a.seed)
    d = Drive(a.url, a.key, rng)
    d.ls.versions.get()
    d.ls.users.whoami()
    steps = [
        (d.project, 2),
        (d.import_tasks, 4),
        (d.task, 4),
        (d.annotate, 10),
        (d.predict, 4),
        (d.reads, 10),
        (d.update, 5),
        (d.view, 2),
        (d.webhook, 2),
        (d.export, 2),
        (d.delete, 3),
        (d.errors, 2),
    ]
    workload.run(rng, steps, a.rounds, a.max_seconds, tolerated=(ApiError,))
    return 0


if __name__ == "__main__":
    sys.exit(main())
