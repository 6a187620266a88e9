"""Drive a Gradio app (gradio_app.py) through Gradio's own client and its documented REST calls.

    python gradio_drive.py APP_URL --seed N [--rounds R] [--max-seconds S]

Run by gradio.sh. A support team's scripts and integrations call the toolkit's endpoints by the names its
author gave them: through `gradio_client.Client` (`predict`, `submit` and reading a job's streamed outputs
and status, `handle_file` uploads, `view_api`; a new client now and then, as a new script run does: its
config and API info read again) and, for a share of the calls, as the app's "Use via API" page shows with
curl (httpx, the client Gradio's own packages use: `POST /gradio_api/call/<name>` or `/call/v2/<name>` with
the inputs, then the event's result stream `GET /gradio_api/call/<name>/<event_id>`, files uploaded first to
`/gradio_api/upload`).
Errors: empty inputs (the app's `gr.Error`: the stream's error event), an endpoint that is not there, an
event id that is not there, a body Gradio cannot read (422).
"""

from __future__ import annotations

import io
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from gradio_client import Client, handle_file
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workload import parse, run

CUSTOMERS = ("anne.mueller@example.org", "d.ivanov@shop.example.com", "priya@sharma.example.in", "k.tanaka@example.jp")
ISSUES = ("My invoice shows a double charge of 49.99 for ORD-20931. Please refund it.",
          "The app crashes when I open the settings page. It fails every time since the update!",
          "Would like support for exporting reports as PDF. Please add it to the roadmap.",
          "I am locked out of my account after the 2fa reset. I cannot sign in.",
          "My parcel has no tracking update for five days. The courier says it shipped.",
          "Hello, thank you for the quick help last week. Sorry to bother you again about the refund.")
SUBJECTS = ("Double charge", "Crash on settings", "PDF export", "Locked out", "Where is my parcel", "Follow-up")


class Drive:
    def __init__(self, url: str, rng: random.Random) -> None:
        self.url, self.rng = url.rstrip("/"), rng
        self.api = self.url + "/gradio_api"
        self.client = Client(self.url, verbose=False)
        self.http = httpx.Client(timeout=30)
        self.dir = Path(tempfile.mkdtemp(prefix="gradio-drive-"))
        self.events: list[tuple[str, str]] = []  # (api name, event id) posted, maybe not yet read
        self.n = 0

    def call(self, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        try:
            return fn(*args, **kw)
        except Exception as e:  # an app's gr.Error and the client's own errors: recorded all the same
            print(f"{type(e).__name__}: {str(e)[:160]}", file=sys.stderr)
            return None

    def ticket(self) -> str:
        text = self.rng.choice(ISSUES)
        if self.rng.random() < 0.5:
            text += f" Contact me at {self.rng.choice(CUSTOMERS)} about ORD-{self.rng.randint(10000, 99999)}."
        return text if self.rng.random() > 0.05 else ""  # an empty ticket: the app's gr.Error

    def image(self) -> Path:
        self.n += 1
        p = self.dir / f"screenshot-{self.n}.png"
        w, h = self.rng.choice(((320, 200), (640, 400), (128, 128)))
        Image.new("RGB", (w, h), tuple(self.rng.randrange(256) for _ in range(3))).save(p)
        return p

    def csv_file(self) -> Path:
        self.n += 1
        p = self.dir / f"tickets-export-{self.n}.csv"
        rows = ["id,subject,status,amount"] + [
            f"{self.rng.randint(1000, 9999)},{self.rng.choice(SUBJECTS)},{self.rng.choice(('open', 'closed'))},"
            f"{self.rng.randint(1, 500)}.{self.rng.randint(0, 99):02d}" for _ in range(self.rng.randint(2, 12))]
        p.write_text("\n".join(rows) + "\n")
        return p

    # gradio_client ------------------------------------------------------------------------------------
    def summarize(self) -> None:
        self.call(self.client.predict, self.ticket(), self.rng.randint(1, 5), api_name="/summarize_ticket")

    def classify(self) -> None:
        self.call(self.client.predict, self.rng.choice(SUBJECTS), self.ticket(), api_name="/classify_ticket")

    def entities(self) -> None:
        self.call(self.client.predict, self.ticket(), api_name="/extract_entities")

    def translate(self) -> None:
        self.call(self.client.predict, self.ticket(), self.rng.choice(("de", "fr", "es")), api_name="/translate_reply")

    def draft(self) -> None:
        job = self.client.submit(self.ticket(), self.rng.choice(("friendly", "formal", "apologetic")),
                                 api_name="/draft_reply")
        for _ in job:  # the streamed pieces, as a script prints them
            pass
        self.call(job.result)
        job.status()

    def chat(self) -> None:
        self.call(self.client.predict, f"{self.rng.choice(SUBJECTS)}: {self.ticket()[:80]}", api_name="/ticket_chat")

    def resize(self) -> None:
        self.call(self.client.predict, handle_file(str(self.image())), self.rng.choice((32, 64, 100)),
                  api_name="/resize_screenshot")

    def read_csv(self) -> None:
        self.call(self.client.predict, handle_file(str(self.csv_file())), api_name="/read_csv_export")

    def stats(self) -> None:
        table = {"headers": ["id", "status"], "data": [[str(self.rng.randint(1, 99)), "open"]
                                                       for _ in range(self.rng.randint(1, 5))]}
        self.call(self.client.predict, table, api_name="/table_stats")

    def reindex(self) -> None:
        job = self.client.submit(self.rng.choice((5, 20, 50)), api_name="/reindex_tickets")
        self.call(job.result, timeout=60)

    def new_client(self) -> None:
        """A new script run: its client reads the app's config and API info again."""
        self.client = Client(self.url, verbose=False)
        if self.rng.random() < 0.5:
            self.client.view_api(print_info=False, return_format="dict")

    # the REST calls of "Use via API" -------------------------------------------------------------------
    def rest(self) -> None:
        which = self.rng.randrange(5)
        if which == 0:
            name, data = "summarize_ticket", [self.ticket(), self.rng.randint(1, 5)]
        elif which == 1:
            name, data = "classify_ticket", [self.rng.choice(SUBJECTS), self.ticket()]
        elif which == 2:
            name, data = "translate_reply", [self.ticket(), self.rng.choice(("de", "fr", "es"))]
        elif which == 3:
            name, data = "draft_reply", [self.ticket(), "formal"]
        else:
            name, data = "read_csv_export", [self.upload(self.csv_file())]
        if self.rng.random() < 0.4:  # the v2 call takes the inputs by their names
            names = {"summarize_ticket": ("text", "max_sentences"), "classify_ticket": ("subject", "body"),
                     "translate_reply": ("text", "language"), "draft_reply": ("prompt", "tone"),
                     "read_csv_export": ("path",)}[name]
            r = self.call(self.http.post, f"{self.api}/call/v2/{name}", json=dict(zip(names, data, strict=True)))
        else:
            r = self.call(self.http.post, f"{self.api}/call/{name}", json={"data": data})
        if r is not None and r.is_success:
            self.events.append((name, r.json()["event_id"]))
        if self.events and self.rng.random() < 0.8:
            self.result(*self.events.pop(self.rng.randrange(len(self.events))))

    def upload(self, path: Path) -> dict[str, Any]:
        with path.open("rb") as f:
            r = self.http.post(f"{self.api}/upload", files={"files": (path.name, f, "text/csv")})
        return {"path": r.json()[0], "meta": {"_type": "gradio.FileData"}}

    def result(self, name: str, event: str) -> None:
        self.call(lambda: self.http.get(f"{self.api}/call/{name}/{event}").text)

    def info(self) -> None:
        path = self.rng.choice(("/info", "/info?all_endpoints=True", "/openapi.json"))
        self.call(self.http.get, self.api + path)
        if self.rng.random() < 0.3:
            self.call(self.http.get, self.url + "/config")

    def errors(self) -> None:
        which = self.rng.randrange(5)
        if which == 0:
            self.call(self.http.post, f"{self.api}/call/close_ticket", json={"data": ["x"]})
        elif which == 1:
            self.call(self.http.get, f"{self.api}/call/summarize_ticket/{self.rng.getrandbits(128):032x}")
        elif which == 2:
            self.call(self.http.post, f"{self.api}/call/summarize_ticket", content="{not json",
                      headers={"Content-Type": "application/json"})
        elif which == 3:
            self.call(self.client.predict, "", api_name="/extract_entities")
        else:
            buf = io.BytesIO(json.dumps({"x": 1}).encode())
            self.call(self.http.post, f"{self.api}/upload", files={"wrong": ("a.json", buf)})


def main() -> None:
    args = parse(__doc__, ["url"], 900)
    d = Drive(args.url, random.Random(args.seed))
    steps: list[tuple[Callable[[], object], float]] = [
        (d.summarize, 6), (d.classify, 6), (d.entities, 4), (d.translate, 4), (d.draft, 3), (d.chat, 3),
        (d.resize, 3), (d.read_csv, 2), (d.stats, 2), (d.reindex, 1), (d.new_client, 1), (d.rest, 8), (d.info, 2),
        (d.errors, 3),
    ]
    run(d.rng, steps, args.rounds, args.max_seconds, tolerated=(Exception,))
    time.sleep(0.5)


if __name__ == "__main__":
    main()
