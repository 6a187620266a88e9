"""Drive a Kinto server with its own client, kinto-http.

    python kinto_drive.py SERVER_URL --seed N [--rounds R]

Run by kinto.sh with the server's own environment. A seeded random workload of a few users (accounts
they create under their own names) sharing buckets: collections with user-defined records (free-form
fields, tags, nested settings), updates as plain, merge and JSON patches, permissions granted to other
accounts, groups, batches, history, filtered and sorted listings, deletes, and the errors people hit
(412 on a stale If-Match, 403 on someone else's bucket, 404s).
"""

from __future__ import annotations

import random
import sys

import workload  # beside this file
from kinto_http import Client, KintoException
from kinto_http.patch_type import BasicPatch, JSONPatch, MergePatch

USERS = ("alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy")
PROJECTS = ("blog", "recipes", "inventory", "todo", "bookmarks", "crm", "survey", "kanban")
COLLECTIONS = ("posts", "comments", "tasks", "items", "contacts", "answers", "cards", "tags")


def record(rng: random.Random) -> dict[str, object]:
    data: dict[str, object] = {
        "title": rng.choice(["Buy milk", "Draft post", "Call Bob", "Fix bug #12", "Plan trip"]),
        "done": rng.random() < 0.4,
        "priority": rng.randint(1, 5),
    }
    if rng.random() < 0.5:
        data["tags"] = rng.sample(["home", "work", "urgent", "later", "ideas"], rng.randint(0, 3))
    if rng.random() < 0.4:  # fields each user names as they like
        data["custom"] = {
            rng.choice(["color", "mood", "source", "owner", "due"]): rng.choice(["red", "ok", 3, None])
            for _ in range(rng.randint(1, 3))
        }
    if rng.random() < 0.3:
        data["notes"] = "n" * rng.randint(0, 80)
    return data


class Drive:
    def __init__(self, url: str, rng: random.Random) -> None:
        self.url, self.rng = url, rng
        self.clients: dict[str, Client] = {}
        self.owned: dict[str, list[tuple[str, str]]] = {}  # user -> (bucket, collection)
        self.records: list[tuple[str, str, str, str]] = []  # user, bucket, collection, id

    def signup(self, user: str) -> None:
        anon = Client(server_url=self.url)
        anon.session.request("put", f"/accounts/{user}", data={"password": f"pw-{user}"})
        self.clients[user] = Client(server_url=self.url, auth=(user, f"pw-{user}"))
        self.owned[user] = []

    def user(self) -> tuple[str, Client]:
        user = self.rng.choice(sorted(self.clients))
        return user, self.clients[user]

    def bucket(self) -> None:
        user, c = self.user()
        name = f"{user}-{self.rng.choice(PROJECTS)}-{self.rng.randint(1, 99)}"
        c.create_bucket(id=name, data={"description": f"{user}'s {name}"}, if_not_exists=True)
        coll = self.rng.choice(COLLECTIONS)
        c.create_collection(
            id=coll,
            bucket=name,
            if_not_exists=True,
            data={"schema_version": self.rng.randint(1, 3), "sort": "-last_modified"},
        )
        self.owned[user].append((name, coll))

    def add(self) -> None:
        user, c = self.user()
        if not self.owned[user]:
            return self.bucket()
        b, col = self.rng.choice(self.owned[user])
        if self.rng.random() < 0.2:
            with c.batch(bucket=b, collection=col) as batch:
                for _ in range(self.rng.randint(2, 6)):
                    batch.create_record(data=record(self.rng))
            return
        rid = None if self.rng.random() < 0.7 else f"{self.rng.choice(['note', 'item'])}-{self.rng.randint(1, 9999)}"
        r = c.create_record(id=rid, bucket=b, collection=col, data=record(self.rng), if_not_exists=rid is not None)
        self.records.append((user, b, col, r["data"]["id"]))

    def read(self) -> None:
        user, c = self.user()
        k = self.rng.randrange(5)
        if k == 0:
            c.get_buckets()
        elif self.owned[user]:
            b, col = self.rng.choice(self.owned[user])
            if k == 1:
                c.get_records(
                    bucket=b,
                    collection=col,
                    **self.rng.choice(
                        [
                            {},
                            {"_sort": "-priority"},
                            {"done": "false"},
                            {"_limit": "5"},
                            {"has_tags": "true"},
                            {"min_priority": "3"},
                            {"_fields": "title,done"},
                        ]
                    ),
                )
            elif k == 2:
                c.get_collection(id=col, bucket=b)
            elif k == 3:
                c.get_bucket(id=b)
            else:
                c.get_collections(bucket=b)
        mine = [r for r in self.records if r[0] == user]
        if mine:
            _, b, col, rid = self.rng.choice(mine)
            c.get_record(id=rid, bucket=b, collection=col)

    def update(self) -> None:
        if not self.records:
            return
        user, b, col, rid = self.rng.choice(self.records)
        c = self.clients[user]
        k = self.rng.randrange(4)
        if k == 0:
            c.update_record(id=rid, bucket=b, collection=col, data=record(self.rng))
        elif k == 1:
            c.patch_record(id=rid, bucket=b, collection=col, changes=BasicPatch(data={"done": True}))
        elif k == 2:
            c.patch_record(
                id=rid,
                bucket=b,
                collection=col,
                changes=MergePatch(data={"notes": None, "priority": self.rng.randint(1, 5)}),
            )
        else:
            c.patch_record(
                id=rid,
                bucket=b,
                collection=col,
                changes=JSONPatch([{"op": "add", "path": "/data/reviewed", "value": True}]),
            )

    def share(self) -> None:
        user, c = self.user()
        if not self.owned[user]:
            return
        b, col = self.rng.choice(self.owned[user])
        friend = self.rng.choice(sorted(self.clients))
        if self.rng.random() < 0.5:
            c.patch_bucket(id=b, permissions={"read": [f"account:{friend}"]})
        else:
            group = self.rng.choice(["editors", "readers", "family"])
            c.create_group(id=group, bucket=b, data={"members": [f"account:{friend}"]}, if_not_exists=True)
            c.patch_collection(id=col, bucket=b, permissions={"write": [f"/buckets/{b}/groups/{group}"]})
        self.clients[friend].get_permissions()

    def history(self) -> None:
        user, c = self.user()
        if self.owned[user]:
            b, _ = self.rng.choice(self.owned[user])
            c.get_history(bucket=b, **self.rng.choice([{}, {"resource_name": "record"}, {"_limit": "10"}]))

    def delete(self) -> None:
        if self.records and self.rng.random() < 0.8:
            user, b, col, rid = self.records.pop(self.rng.randrange(len(self.records)))
            self.clients[user].delete_record(id=rid, bucket=b, collection=col)
            return
        user, c = self.user()
        if len(self.owned[user]) > 1:
            b, col = self.owned[user].pop(self.rng.randrange(len(self.owned[user])))
            c.delete_collection(id=col, bucket=b)
            self.records = [r for r in self.records if r[1:3] != (b, col)]

    def errors(self) -> None:
        user, c = self.user()
        k = self.rng.randrange(4)
        try:
            if k == 0 and self.records:
                u, b, col, rid = self.rng.choice(self.records)
                self.clients[u].update_record(id=rid, bucket=b, collection=col, data={"title": "stale"}, if_match=1)
            elif k == 1:
                other = self.rng.choice([o for o in self.owned if o != user])
                if self.owned[other]:
                    b, col = self.owned[other][0]
                    c.delete_collection(id=col, bucket=b)
            elif k == 2:
                c.get_record(id=f"missing-{self.rng.randint(1, 999)}", bucket=f"{user}-nope", collection="posts")
            else:
                c.server_info()
        except KintoException:
            pass


def main() -> int:
    a = workload.parse(__doc__, ["url"], rounds=900)
    rng = random.Random(a.seed)
    d = Drive(a.url, rng)
    for user in rng.sample(USERS, 6):
        d.signup(user)
        d.bucket()
    steps = [
        (d.bucket, 3),
        (d.add, 14),
        (d.read, 14),
        (d.update, 8),
        (d.share, 3),
        (d.history, 2),
        (d.delete, 4),
        (d.errors, 4),
    ]
    workload.run(rng, steps, a.rounds, a.max_seconds, tolerated=(KintoException,))
    return 0


if __name__ == "__main__":
    sys.exit(main())
