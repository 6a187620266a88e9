"""Drive a changedetection.io server through its REST API, as its API documentation calls it.

    python changedetection_drive.py SERVER_URL PAGES_URL PAGES_DIR API_KEY --seed N [--rounds R] [--max-seconds S]

Run by changedetection.sh in the server's environment (requests; the project ships no client library, its
docs call the API with curl and requests, the `x-api-key` header). A team watching the pages it cares
about: shops' product pages, vendors' changelogs, status pages and job boards (all served from PAGES_DIR
by a local static server, which this driver edits so rechecks find changes), each watch under a title
people type (`Tokyo flat listings`, `RTX 5090 — price`), in groups (tags) they name, with the request
headers each watch needs (names each watch's owner picks: `User-Agent`, `Accept-Language`,
`X-Requested-With`, `Cookie`), CSS/XPath filters, trigger and ignore text, a check interval or the
default; watches imported in bulk (a plain-text list of URLs), listed (by tag, with errors), read,
paused and muted through query flags, rechecked, updated (PUT) and deleted; their history listed, a
snapshot read (by timestamp and `latest`, as text or HTML), the difference of two snapshots in the
formats the API offers; tags made, updated, muted, deleted; the global notification URLs added, replaced
and removed; searches; system info; and the errors people hit (a watch or tag that is gone, a URL the
server refuses, a body the schema refuses, a wrong API key).
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workload import parse, run

PAGES = [
    ("shop/rtx-5090.html", "RTX 5090 — price"),
    ("shop/lego-10497.html", "Lego Galaxy Explorer"),
    ("vendors/postgres-changelog.html", "Postgres release notes"),
    ("vendors/kernel.org.html", "kernel.org latest"),
    ("status/acme-cloud.html", "Acme Cloud status"),
    ("jobs/berlin-rust.html", "Rust jobs Berlin"),
    ("flats/tokyo-setagaya.html", "Tokyo flat listings"),
    ("gov/visa-appointments.html", "Visa appointment slots"),
    ("blog/simon-w.html", "Simon's blog"),
    ("docs/api-deprecations.html", "API deprecations page"),
    ("tickets/festival 2027.html", "Festival tickets 2027"),
    ("pharmacy/vaccine_slots.html", "Vaccine slots (pharmacy)"),
]
TAGS = ["shopping", "Work", "infra & vendors", "home-search", "travel.visa", "Price drops", "jobs 2027"]
HEADER_NAMES = ["User-Agent", "Accept-Language", "X-Requested-With", "Cookie", "Referer", "X-Api-Version"]
FILTERS = ["#price", ".availability", "//div[@class='release']", "table.slots", "h1", "main article"]
WORDS = ["in stock", "sold out", "price", "released", "degraded", "maintenance", "new listing", "closed",
         "available", "waitlist", "RC1", "hiring"]
NOTIFY = ["json://127.0.0.1:9/hooks/changes", "form://127.0.0.1:9/notify?team=web", "posts://127.0.0.1:9/alert"]


class Watcher:
    def __init__(self, url: str, pages_url: str, pages_dir: str, key: str, seed: int) -> None:
        self.api = url.rstrip("/") + "/api/v1"
        self.pages_url, self.pages_dir = pages_url.rstrip("/"), Path(pages_dir)
        self.rng = random.Random(seed)
        self.s = requests.Session()
        self.s.headers["x-api-key"] = key
        self.watches: list[str] = []
        self.tags: dict[str, str] = {}
        self.n = 0

    # -- helpers ---------------------------------------------------------------------------------------
    def call(self, method: str, path: str, **kw: Any) -> requests.Response:
        r = self.s.request(method, self.api + path, timeout=60, **kw)
        if r.status_code >= 400:
            print(f"{method} {path}: {r.status_code} {r.text[:100]!r}", file=sys.stderr)
        return r

    def write_page(self, rel: str) -> None:
        r = self.rng
        p = self.pages_dir / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        rows = "".join(
            f"<tr><td>{r.choice(WORDS)}</td><td>{r.randint(1, 999)}</td></tr>" for _ in range(r.randint(1, 5))
        )
        p.write_text(
            f"<html><head><title>{rel}</title></head><body><h1>{rel}</h1>"
            f"<div id='price'>{r.randint(99, 2499)}.{r.randint(0, 99):02d} EUR</div>"
            f"<p class='availability'>{r.choice(WORDS)}</p>"
            f"<div class='release'>v{r.randint(1, 20)}.{r.randint(0, 9)}</div>"
            f"<table class='slots'>{rows}</table>"
            f"<main><article>{' '.join(r.sample(WORDS, 4))}</article></main></body></html>"
        )

    def page_url(self, rel: str) -> str:
        return f"{self.pages_url}/{requests.utils.quote(rel)}"

    # -- setup -----------------------------------------------------------------------------------------
    def setup(self) -> None:
        for rel, _ in PAGES:
            self.write_page(rel)
        for name in TAGS[:4]:
            self.add_tag(name)
        for _ in range(6):
            self.add_watch()
        self.watches.extend(self.call("GET", "/watch").json())
        self.watches = sorted(set(self.watches))

    # -- steps -----------------------------------------------------------------------------------------
    def add_tag(self, name: str | None = None) -> None:
        r = self.rng
        name = name or f"{r.choice(TAGS)} {self.n}"
        self.n += 1
        body: dict[str, Any] = {"title": name}
        if r.random() < 0.3:
            body["notification_urls"] = [r.choice(NOTIFY)]
        if r.random() < 0.3:
            body["notification_muted"] = r.random() < 0.5
        got = self.call("POST", "/tag", json=body)
        if got.status_code < 300:
            self.tags[name] = got.json()["uuid"]

    def add_watch(self) -> None:
        r = self.rng
        self.n += 1
        rel, title = r.choice(PAGES)
        body: dict[str, Any] = {"url": self.page_url(rel), "title": f"{title} #{self.n}" if r.random() < 0.4 else title,
                                "fetch_backend": "html_requests"}
        if self.tags and r.random() < 0.6:
            body["tag"] = ",".join(r.sample(sorted(self.tags), r.randint(1, min(2, len(self.tags)))))
        if r.random() < 0.4:
            body["headers"] = {h: r.choice(["Mozilla/5.0", "de-DE,de;q=0.9", "XMLHttpRequest", "session=abc123", "2"])
                               for h in r.sample(HEADER_NAMES, r.randint(1, 3))}
        if r.random() < 0.4:
            body["include_filters"] = r.sample(FILTERS, r.randint(1, 2))
        if r.random() < 0.3:
            body["trigger_text"] = [r.choice(WORDS)]
        if r.random() < 0.2:
            body["ignore_text"] = [r.choice(WORDS)]
        if r.random() < 0.3:
            body["time_between_check_use_default"] = False
            body["time_between_check"] = {"hours": r.choice([1, 6, 12]), "minutes": r.choice([0, 30])}
        if r.random() < 0.15:
            body["processor"] = "restock_diff"
        if r.random() < 0.2:
            body["paused"] = True
        got = self.call("POST", "/watch", json=body)
        if got.status_code == 201:
            self.watches.append(got.json()["uuid"])

    def import_urls(self) -> None:
        r = self.rng
        rels = r.sample([p for p, _ in PAGES], r.randint(2, 4))
        params: dict[str, str] = {}
        if self.tags and r.random() < 0.5:
            params["tag"] = r.choice(sorted(self.tags))
        got = self.call("POST", "/import", params=params, data="\n".join(self.page_url(p) for p in rels),
                        headers={"Content-Type": "text/plain"})
        if got.status_code < 300 and isinstance(got.json(), list):
            self.watches.extend(got.json())

    def change_pages(self) -> None:
        for rel, _ in self.rng.sample(PAGES, 3):
            self.write_page(rel)
        if self.watches:
            for uuid in self.rng.sample(self.watches, min(3, len(self.watches))):
                self.call("GET", f"/watch/{uuid}", params={"recheck": "1"})

    def list_watches(self) -> None:
        r = self.rng
        params: dict[str, str] = {}
        if self.tags and r.random() < 0.4:
            params["tag"] = r.choice(sorted(self.tags))
        if r.random() < 0.2:
            params["with_errors"] = "1"
        if r.random() < 0.05:
            params["recheck_all"] = "1"
        self.call("GET", "/watch", params=params)

    def read_watch(self) -> None:
        if not self.watches:
            return
        r = self.rng
        uuid = r.choice(self.watches)
        params: dict[str, str] = {}
        roll = r.random()
        if roll < 0.15:
            params["paused"] = r.choice(["paused", "unpaused"])
        elif roll < 0.3:
            params["muted"] = r.choice(["muted", "unmuted"])
        self.call("GET", f"/watch/{uuid}", params=params)

    def update_watch(self) -> None:
        if not self.watches:
            return
        r = self.rng
        uuid = r.choice(self.watches)
        body: dict[str, Any] = {}
        fields = ["title", "paused", "include_filters", "headers", "notification_muted", "url", "tags"]
        for field in r.sample(fields, 2):
            body[field] = {
                "title": f"{r.choice(PAGES)[1]} (edited)",
                "paused": r.random() < 0.3,
                "include_filters": r.sample(FILTERS, 1),
                "headers": {h: "1" for h in r.sample(HEADER_NAMES, 2)},
                "notification_muted": r.random() < 0.5,
                "url": self.page_url(r.choice(PAGES)[0]),
                "tags": [self.tags[t] for t in r.sample(sorted(self.tags), min(1, len(self.tags)))],
            }[field]
        self.call("PUT", f"/watch/{uuid}", json=body)

    def history(self) -> None:
        if not self.watches:
            return
        r = self.rng
        uuid = r.choice(self.watches)
        got = self.call("GET", f"/watch/{uuid}/history")
        stamps = sorted(got.json()) if got.status_code == 200 and isinstance(got.json(), dict) else []
        if not stamps:
            return
        roll = r.random()
        if roll < 0.4:
            stamp = r.choice([*stamps, "latest"])
            params = {"html": "1"} if r.random() < 0.3 else {}
            self.call("GET", f"/watch/{uuid}/history/{stamp}", params=params)
        elif roll < 0.8 and len(stamps) > 1:
            a, b = sorted(r.sample(stamps, 2))
            params = {"format": r.choice(["text", "html", "htmlcolor", "markdown"])}
            if r.random() < 0.4:
                params["word_diff"] = r.choice(["true", "false"])
            if r.random() < 0.3:
                params["changesOnly"] = "true"
            self.call("GET", f"/watch/{uuid}/difference/{a}/{r.choice([b, 'latest'])}", params=params)
        elif roll < 0.9:
            self.call("GET", f"/watch/{uuid}/favicon")

    def tags_step(self) -> None:
        r = self.rng
        roll = r.random()
        if roll < 0.3 or not self.tags:
            self.add_tag()
        elif roll < 0.55:
            self.call("GET", "/tags")
        elif roll < 0.75:
            name = r.choice(sorted(self.tags))
            params = {"muted": r.choice(["muted", "unmuted"])} if r.random() < 0.3 else {}
            self.call("GET", f"/tag/{self.tags[name]}", params=params)
        elif roll < 0.9:
            name = r.choice(sorted(self.tags))
            body = {"title": f"{name} (renamed)", "notification_urls": [r.choice(NOTIFY)]}
            self.call("PUT", f"/tag/{self.tags[name]}", json=body)
        elif len(self.tags) > 3:
            name = r.choice(sorted(self.tags))
            self.call("DELETE", f"/tag/{self.tags.pop(name)}")

    def notifications(self) -> None:
        r = self.rng
        roll = r.random()
        if roll < 0.4:
            self.call("GET", "/notifications")
        elif roll < 0.65:
            self.call("POST", "/notifications", json={"notification_urls": [r.choice(NOTIFY)]})
        elif roll < 0.85:
            self.call("PUT", "/notifications", json={"notification_urls": r.sample(NOTIFY, r.randint(1, 2))})
        else:
            self.call("DELETE", "/notifications", json={"notification_urls": [r.choice(NOTIFY)]})

    def search(self) -> None:
        r = self.rng
        params = {"q": r.choice(["price", "tokyo", "status", "Rust", "release", "127.0.0.1", "lego"])}
        if self.tags and r.random() < 0.3:
            params["tag"] = r.choice(sorted(self.tags))
        if r.random() < 0.3:
            params["partial"] = "true"
        self.call("GET", "/search", params=params)

    def misc(self) -> None:
        self.call("GET", "/systeminfo")

    def delete(self) -> None:
        if len(self.watches) < 8:
            return
        r = self.rng
        uuid = self.watches.pop(r.randrange(len(self.watches)))
        if r.random() < 0.2:
            self.call("DELETE", f"/watch/{uuid}/history")
        self.call("DELETE", f"/watch/{uuid}")

    def mistakes(self) -> None:
        r = self.rng
        roll = r.randrange(6)
        if roll == 0:
            self.call("GET", "/watch/3f1e9a52-7c44-4b1e-9d0a-5b2c8e6f1a70")
        elif roll == 1:
            self.call("POST", "/watch", json={"url": "javascript:alert(1)", "title": "bad"})
        elif roll == 2:
            self.call("POST", "/watch", json={"title": "no url"})
        elif roll == 3:
            requests.get(self.api + "/watch", headers={"x-api-key": "wrong-key"}, timeout=30)
        elif roll == 4:
            self.call("GET", "/tag/0d6b5e3c-2f4a-4c1b-8e7d-9a0b1c2d3e4f")
        elif self.watches:
            self.call("GET", f"/watch/{r.choice(self.watches)}/history/1700000000")

    def steps(self) -> list[tuple[Any, float]]:
        return [
            (self.add_watch, 10),
            (self.import_urls, 2),
            (self.change_pages, 6),
            (self.list_watches, 8),
            (self.read_watch, 12),
            (self.update_watch, 8),
            (self.history, 14),
            (self.tags_step, 8),
            (self.notifications, 4),
            (self.search, 6),
            (self.misc, 1),
            (self.delete, 5),
            (self.mistakes, 4),
        ]


def main() -> None:
    a = parse(__doc__, ["url", "pages_url", "pages_dir", "key"], 900)
    w = Watcher(a.url, a.pages_url, a.pages_dir, a.key, a.seed)
    w.setup()
    time.sleep(2)  # the first checks of the setup's watches, so history has something in it
    run(w.rng, w.steps(), a.rounds, a.max_seconds, tolerated=(requests.RequestException, ValueError, KeyError))


if __name__ == "__main__":
    main()
