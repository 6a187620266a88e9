"""Drive a doccano server through its own client, doccano-client's `DoccanoClient`.

    python doccano_drive.py SERVER_URL ADMIN PASSWORD --seed N [--rounds R] [--max-seconds S]

Run by doccano.sh in the client's environment (doccano-client 1.2.8 pins other versions of doccano's own
dependencies: the server has an environment of its own). An annotation team's work: the admin makes
text projects of four kinds (classification, sequence labeling, seq2seq, intent and slots) under the
names the team gives them, their label types (categories, spans, relations: `toxic`, `B-ORG`,
`works_for`, with shortcut keys and colours), users and members under roles; examples created one by
one with `meta` maps whose keys each project picks (`source`, `ticket.id`, `lang`, `annotator note`),
uploaded as JSONL files and exported (the server's task worker runs the import and export); annotators
logged in as themselves label them (categories, spans, relations, texts), confirm them and comment;
everything read back (the client pages lists of five), updated, deleted; progress and label
distributions; and the errors people hit (a project or example that is gone, a wrong password, a label
that does not exist, a member already there, an annotator asking for what only the admin may).
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

from doccano_client import DoccanoClient
from doccano_client.models.data_upload import Task
from doccano_client.models.project import ProjectType

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workload import parse, run

# project name -> (kind, category labels, span labels, relation labels, meta keys its examples carry)
PROJECTS: dict[str, tuple[ProjectType, list[str], list[str], list[str], list[str]]] = {
    "support-tickets triage": (
        ProjectType.DOCUMENT_CLASSIFICATION,
        ["billing", "bug", "feature request", "spam"],
        [],
        [],
        ["ticket.id", "channel", "priority"],
    ),
    "toxicity_v2": (
        ProjectType.DOCUMENT_CLASSIFICATION,
        ["toxic", "insult", "threat", "ok"],
        [],
        [],
        ["source", "lang", "reported_by"],
    ),
    "NER - news (de)": (
        ProjectType.SEQUENCE_LABELING,
        [],
        ["PER", "ORG", "LOC", "MISC"],
        ["works_for", "based_in"],
        ["outlet", "published", "url"],
    ),
    "contracts.clauses": (
        ProjectType.SEQUENCE_LABELING,
        [],
        ["party", "date", "amount", "governing-law"],
        ["pays"],
        ["contract no.", "page"],
    ),
    "faq rewrite": (ProjectType.SEQ2SEQ, [], [], [], ["intent", "annotator note"]),
    "voice-assistant intents": (
        ProjectType.INTENT_DETECTION_AND_SLOT_FILLING,
        ["set_alarm", "play_music", "weather"],
        ["time", "artist", "city"],
        [],
        ["device", "locale"],
    ),
}
TEXTS = [
    "Angela Merkel met executives of Siemens in Munich on Tuesday.",
    "I was charged twice for my annual plan, please refund one payment.",
    "The app crashes every time I open the settings page on Android 14.",
    "Wake me up at 6:30 tomorrow and play something by Nina Simone.",
    "This agreement is made on 1 March 2026 between Acme GmbH and Globex Ltd.",
    "You are an idiot and everyone knows it.",
    "What is the weather like in Lisbon this weekend?",
    "Could you add dark mode to the web dashboard?",
]
META_VALUES = {
    "channel": ["email", "chat", "phone"],
    "priority": [1, 2, 3],
    "lang": ["en", "de", "pt"],
    "source": ["forum", "twitter"],
    "device": ["echo-dot", "pixel 8"],
    "locale": ["en-GB", "de-DE"],
}
ANNOTATORS = ["anna.k", "ben_t", "chloe-r", "dev.patel", "emma92"]
ROLES = ["annotator", "annotation_approver", "project_admin"]
COLORS = ["#e57373", "#64b5f6", "#81c784", "#ffb74d", "#ba68c8"]


class Team:
    def __init__(self, url: str, admin: str, password: str, rng: random.Random) -> None:
        self.url, self.rng = url, rng
        self.admin = DoccanoClient(url)
        self.admin.login(admin, password)
        self.users: dict[str, DoccanoClient] = {}
        self.projects: dict[int, str] = {}  # id -> its name in PROJECTS
        self.examples: dict[int, list[int]] = {}
        self.tmp = Path(tempfile.mkdtemp(prefix="doccano-drive-"))

    # -- projects, labels, members --
    def project(self) -> None:
        name = self.rng.choice(list(PROJECTS))
        kind, cats, spans, rels, _ = PROJECTS[name]
        seq = kind == ProjectType.SEQUENCE_LABELING
        p = self.admin.create_project(
            f"{name} {self.rng.randint(1, 999)}",
            kind,
            f"{name}: {self.rng.choice(TEXTS)[:40]}",
            guideline="Label what the text says, not what you think.",
            random_order=self.rng.random() < 0.3,
            collaborative_annotation=self.rng.random() < 0.4,
            allow_overlapping=seq and self.rng.random() < 0.3,
            use_relation=bool(rels),
            tags=self.rng.sample(["q3", "pilot", "prod", "gold set"], 2),
        )
        self.projects[p.id], self.examples[p.id] = name, []
        for kind_name, labels in (("category", cats), ("span", spans), ("relation", rels)):
            for i, text in enumerate(labels):
                self.admin.create_label_type(
                    p.id,
                    kind_name,
                    text,
                    suffix_key=str(i % 10) if kind_name != "relation" else None,
                    color=self.rng.choice(COLORS),
                )
        for _ in range(self.rng.randint(2, 5)):
            self.example(p.id)

    def pid(self) -> int:
        if not self.projects:
            self.project()
        return self.rng.choice(list(self.projects))

    def update_project(self) -> None:
        p = self.pid()
        self.admin.update_project(
            p,
            description=f"{self.projects[p]} (round {self.rng.randint(2, 9)})",
            guideline=self.rng.choice(["Be strict.", "When unsure, skip.", "See the wiki page."]),
            random_order=self.rng.random() < 0.5,
            tags=self.rng.sample(["q4", "relabel", "prod"], 1),
        )

    def delete_project(self) -> None:
        if len(self.projects) < 4:
            return self.project()
        p = self.rng.choice(list(self.projects))
        del self.projects[p], self.examples[p]
        self.admin.delete_project(p)

    def labels(self) -> None:
        p = self.pid()
        kind = self.rng.choice(["category", "span", "relation"])
        got = self.admin.list_label_types(p, kind)
        x = self.rng.random()
        if x < 0.35:
            self.admin.create_label_type(
                p,
                kind,
                f"{self.rng.choice(['needs-review', 'other', 'B-PRODUCT', 'off topic'])}{self.rng.randint(1, 99)}",
                color=self.rng.choice(COLORS),
            )
        elif got and x < 0.7:
            self.admin.update_label_type(p, got[0].id, kind, color=self.rng.choice(COLORS), text=f"{got[0].text}")
        elif got and x < 0.85:
            self.admin.find_label_type_by_id(p, got[-1].id, kind)
        elif len(got) > 3:
            self.admin.delete_label_type(p, got[-1].id, kind)

    def user(self, name: str) -> DoccanoClient:
        if name not in self.users:
            self.admin.create_user(name, f"pw-{name}-2026!")
            c = DoccanoClient(self.url)
            c.login(name, f"pw-{name}-2026!")
            self.users[name] = c
        return self.users[name]

    def member(self) -> None:
        p, name = self.pid(), self.rng.choice(ANNOTATORS)
        self.user(name)
        members = {m.username: m for m in self.admin.list_members(p)}
        if name not in members:
            self.admin.add_member(p, name, self.rng.choice(ROLES[:2]))
        elif self.rng.random() < 0.6:
            self.admin.update_member(p, members[name].id, self.rng.choice(ROLES))
        else:
            self.admin.delete_member(p, members[name].id)

    # -- examples and their annotations --
    def example(self, p: int | None = None) -> None:
        p = p or self.pid()
        keys = PROJECTS[self.projects[p]][4]
        meta: dict[str, Any] = {
            k: self.rng.choice(META_VALUES.get(k, [f"{k}-{self.rng.randint(1, 999)}"]))
            for k in self.rng.sample(keys, self.rng.randint(1, len(keys)))
        }
        e = self.admin.create_example(p, self.rng.choice(TEXTS), meta=meta)
        self.examples[p].append(e.id)

    def eid(self, p: int) -> int:
        if not self.examples[p]:
            self.example(p)
        return self.rng.choice(self.examples[p])

    def read(self) -> None:
        p = self.pid()
        x = self.rng.random()
        if x < 0.3:
            list(self.admin.list_examples(p, is_confirmed=self.rng.choice([None, True, False])))
        elif x < 0.5:
            self.admin.find_example_by_id(p, self.eid(p))
        elif x < 0.6:
            self.admin.count_examples(p)
        elif x < 0.7:
            list(self.admin.list_projects())
        elif x < 0.8:
            self.admin.find_project_by_id(p)
        elif x < 0.9:
            self.admin.get_progress(p)
            self.admin.get_members_progress(p)
        else:
            kind = "category" if PROJECTS[self.projects[p]][1] else "span"
            self.admin.get_label_distribution(p, kind)

    def edit_example(self) -> None:
        p = self.pid()
        e = self.eid(p)
        if self.rng.random() < 0.7:
            self.admin.update_example(
                p, e, text=self.rng.choice(TEXTS), meta={"edited": True, "by": self.rng.choice(ANNOTATORS)}
            )
        elif len(self.examples[p]) > 2:
            self.examples[p].remove(e)
            self.admin.delete_example(p, e)

    def annotate(self) -> None:
        p = self.pid()
        kind, cats, spans, rels, _ = PROJECTS[self.projects[p]]
        e, c = self.eid(p), self.admin
        x = self.rng.random()
        if kind == ProjectType.SEQ2SEQ:
            t = c.create_text(p, e, self.rng.choice(TEXTS).lower(), human_annotated=True)
            if x < 0.3:
                c.update_text(p, e, t.id, text="rewritten: " + self.rng.choice(TEXTS))
            return
        if cats and (not spans or x < 0.5):
            label = c.create_category(
                p, e, self.rng.choice(cats), human_annotated=True, confidence=round(self.rng.random(), 2)
            )
            if self.rng.random() < 0.2:
                c.delete_category(p, e, label.id)
            return
        made = [
            c.create_span(p, e, s, s + self.rng.randint(3, 12), self.rng.choice(spans))
            for s in self.rng.sample(range(0, 40, 13), 2)
        ]
        if rels and len(made) == 2 and self.rng.random() < 0.6:
            c.create_relation(p, e, made[0].id, made[1].id, self.rng.choice(rels))
        if self.rng.random() < 0.3:
            c.update_span(p, e, made[0].id, end_offset=made[0].start_offset + 2)

    def review(self) -> None:
        p = self.pid()
        e, c = self.eid(p), self.admin
        x = self.rng.random()
        if x < 0.25:
            c.list_categories(p, e)
            c.list_spans(p, e)
        elif x < 0.4:
            c.list_relations(p, e)
            c.list_texts(p, e)
        elif x < 0.6:
            c.update_example_state(p, e)
        elif x < 0.8:
            c.create_comment(
                p,
                e,
                self.rng.choice(["unsure about the 2nd span", "@anna.k please check", "fixed the offsets", "LGTM"]),
            )
        else:
            comments = list(c.list_comments(p, e))
            if comments:
                if self.rng.random() < 0.4:
                    c.delete_comment(p, comments[0].id)
                else:
                    c.update_comment(p, comments[0].id, "edited")

    def teammate(self) -> None:
        """An annotator working as themselves: their profile, the projects they are in, their labels."""
        me = self.user(self.rng.choice(ANNOTATORS))
        x = self.rng.random()
        if x < 0.3:
            me.get_profile()
        elif x < 0.5:
            list(me.list_projects())
        elif x < 0.6:
            me.update_current_user_details(first_name=self.rng.choice(["Anna", "Ben", "Dev"]), last_name="Q")
        elif x < 0.75:
            self.admin.search_users(self.rng.choice(["an", "be", "dev", "e"]))
        elif x < 0.85:
            self.admin.list_roles()
        else:
            p = self.pid()  # a project they may not be in: doccano's 403
            list(me.list_examples(p))

    def transfer(self) -> None:
        p = self.pid()
        kind = PROJECTS[self.projects[p]][0]
        if self.rng.random() < 0.5:
            path = self.tmp / f"batch-{self.rng.randint(1, 9999)}.jsonl"
            rows = [
                {
                    "text": self.rng.choice(TEXTS),
                    "label": [],
                    self.rng.choice(["source", "batch id"]): self.rng.randint(1, 99),
                }
                for _ in range(3)
            ]
            path.write_text("".join(json.dumps(r) + "\n" for r in rows))
            self.admin.list_upload_options(p)
            self.admin.upload(p, [str(path)], Task(kind.value), "JSONL")
        else:
            self.admin.list_download_options(p)
            self.admin.download(p, "JSONL", dir_name=str(self.tmp))

    def mistake(self) -> None:
        x = self.rng.random()
        if x < 0.25:
            self.admin.find_project_by_id(900000 + self.rng.randint(1, 999))
        elif x < 0.45:
            p = self.pid()
            self.admin.find_example_by_id(p, 900000 + self.rng.randint(1, 999))
        elif x < 0.6:
            DoccanoClient(self.url).login(self.rng.choice(ANNOTATORS), "wrong-password")
        elif x < 0.75:
            self.admin.create_user("admin", "taken-name-1!")
        elif x < 0.9:
            p = self.pid()
            self.admin.create_category(p, self.eid(p), 987654)
        else:
            self.user(self.rng.choice(ANNOTATORS)).create_project("not mine", ProjectType.SEQ2SEQ, "annotators cannot")


def main() -> None:
    a = parse(__doc__, ["url", "admin", "password"], rounds=700)
    rng = random.Random(a.seed)
    team = Team(a.url, a.admin, a.password, rng)
    for _ in range(4):
        team.project()
    steps = [
        (team.project, 2),
        (team.update_project, 2),
        (team.delete_project, 0.7),
        (team.labels, 5),
        (team.member, 3),
        (team.example, 10),
        (team.read, 14),
        (team.edit_example, 5),
        (team.annotate, 16),
        (team.review, 9),
        (team.teammate, 6),
        (team.transfer, 1),
        (team.mistake, 5),
    ]
    run(rng, steps, a.rounds, a.max_seconds, tolerated=(Exception,))


if __name__ == "__main__":
    main()
