"""Drive a Datasette 1.0 server's JSON and write APIs with its own client, dclient, and httpx.

    python datasette_drive.py SERVER_URL TOKEN WORKDIR --seed N [--rounds R] [--max-seconds S]

Run by datasette.sh with the server's own environment. TOKEN is a root API token (`datasette
create-token root`); WORKDIR holds the files dclient uploads. dclient (the Datasette project's CLI client,
run in this process through click's runner) loads CSV and JSON files into tables, creating them and
adding columns as it goes, and says who a token is; it has no call for the rest of the API (its `query`
asks an address Datasette 1.0 redirects, and does not follow), which the driver makes
with httpx as Datasette's own pages and scripts do (a Bearer token, JSON bodies). A seeded random
workload of a team publishing its data: databases `shop` and `ops`, tables the team names (`orders`,
`customers` keyed by text ids like `cus_8f3k`, `inventory_items` keyed by warehouse and SKU together,
`feature_flags` keyed by flag name, `metrics.daily` whose dot Datasette's tilde-encoding escapes in every
path, an `events` table with no primary key); their rows (columns the team picks, some holding JSON with
keys each row's author picks) inserted, upserted, updated (adding columns), read by primary key, listed
with filters (`total__gt`, `status__in`, `sku__startswith`), sorts, facets, column choices, shapes and
page tokens, and deleted; tables made and dropped; SQL queries with parameters; the instance's own
introspection pages; and the errors people hit (a missing table or row, a duplicate primary key, a bad
column, SQL that does not parse).
"""

from __future__ import annotations

import csv
import json
import random
import sys
from pathlib import Path
from typing import Any

import httpx
import workload  # beside this file
from click.testing import CliRunner
from dclient.cli import cli

FIRST = ("alice", "bob", "carol", "dmitri", "erin", "fatima", "grace", "hiro", "ines", "jonas")
CITIES = ("Berlin", "Lagos", "Osaka", "Lima", "Austin", "Lyon", "Pune", "Oslo")
STATUSES = ("pending", "paid", "shipped", "cancelled", "refunded")
WAREHOUSES = ("ber-1", "ams-2", "sfo-1", "nrt-3")
SKUS = ("TSHIRT-RED-M", "MUG-11OZ", "POSTER/A2", "BOOK-978-3-16", "STICKER.PACK", "HOODIE-BLK-XL")
FLAGS = ("new-checkout", "dark_mode", "beta.search", "pricing-v2", "ab:hero-banner", "legacy_api_off")
SERVICES = ("api", "web", "worker", "billing", "search")
# Keys the authors of a row's JSON column pick (an order's `attributes`, an event's `payload`).
ATTR_KEYS = ("gift_wrap", "coupon", "utm_source", "channel", "note", "delivery-window", "vat.id", "Referrer")
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def text_id(rng: random.Random, prefix: str) -> str:
    return prefix + "".join(rng.choice(ALPHABET) for _ in range(6))


class Drive:
    def __init__(self, url: str, token: str, workdir: str, rng: random.Random) -> None:
        self.url = url
        self.token = token
        self.work = Path(workdir)
        self.rng = rng
        self.http = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60)
        self.runner = CliRunner()
        self.orders: list[int] = []
        self.customers: list[str] = []
        self.stock: list[tuple[str, str]] = []  # warehouse, sku
        self.flags: list[str] = []
        self.extra_tables: list[str] = []
        self.next_order = 1000

    def dclient(self, *args: str) -> str:
        r = self.runner.invoke(cli, [*args, "--token", self.token])
        if r.exit_code != 0:
            print(f"dclient {args[0]}: exit {r.exit_code}: {r.output[:120]}", file=sys.stderr)
        return str(r.output)

    def post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        r = self.http.post(path, json=body)
        if r.status_code >= 400:
            print(f"{path}: {r.status_code}", file=sys.stderr)
        return r

    def setup(self) -> None:
        """The data model, the same in both samples: each table made with dclient from a first file."""
        self.load_customers(4, create=True)
        self.load_orders(5, create=True)
        # dclient's --pk names one column: the table keyed by two is made through the API
        rows = self.stock_rows(4)
        self.post("/shop/-/create", {"table": "inventory_items", "rows": rows, "pks": ["warehouse", "sku"]})
        self.post(
            "/ops/-/create",
            {
                "table": "feature_flags",
                "columns": [
                    {"name": "flag", "type": "text"},
                    {"name": "enabled", "type": "integer"},
                    {"name": "rollout", "type": "float"},
                    {"name": "owner", "type": "text"},
                ],
                "pk": "flag",
            },
        )
        self.post("/ops/-/create", {"table": "events", "rows": [self.event()]})
        self.post("/ops/-/create", {"table": "metrics.daily", "rows": [self.metric()], "pk": "day"})

    def customer(self) -> dict[str, Any]:
        cid = text_id(self.rng, "cus_")
        self.customers.append(cid)
        name = self.rng.choice(FIRST)
        return {"customer_id": cid, "name": name.title(), "email": f"{name}.{self.rng.randint(1, 999)}@example.com",
                "city": self.rng.choice(CITIES), "vip": self.rng.randint(0, 1)}

    def load_customers(self, n: int, create: bool = False) -> None:
        rows = [self.customer() for _ in range(n)]
        path = self.work / "customers.csv"
        with path.open("w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        flags = ["--create", "--pk", "customer_id"] if create else ["--ignore"]
        self.dclient("insert", f"{self.url}/shop", "customers", str(path), "--csv", *flags, "--silent")

    def order(self) -> dict[str, Any]:
        self.next_order += self.rng.randint(1, 3)
        attrs = {k: self.rng.choice(["yes", "SPRING10", "newsletter", "web", "9-12", "DE123456789"])
                 for k in self.rng.sample(ATTR_KEYS, self.rng.randint(0, 3))}
        return {"id": self.next_order, "customer_id": self.rng.choice(self.customers) if self.customers else None,
                "status": self.rng.choice(STATUSES), "total": round(self.rng.uniform(3, 400), 2),
                "currency": self.rng.choice(["EUR", "USD", "JPY"]), "attributes": json.dumps(attrs)}

    def load_orders(self, n: int, create: bool = False) -> None:
        rows = [self.order() for _ in range(n)]
        path = self.work / "orders.json"
        path.write_text(json.dumps(rows))
        flags = ["--create", "--pk", "id"] if create else ["--alter"] if self.rng.random() < 0.3 else []
        if self.rng.random() < 0.3 and not create:
            rows[0]["coupon_code"] = "SPRING10"  # a column the table lacks: --alter adds it
            path.write_text(json.dumps(rows))
            flags = ["--alter"]
        self.dclient("insert", f"{self.url}/shop", "orders", str(path), "--json", *flags, "--silent")
        self.orders += [r["id"] for r in rows]

    def stock_rows(self, n: int) -> list[dict[str, Any]]:
        rows: dict[tuple[str, str], dict[str, Any]] = {}  # one row a key: /-/create refuses a key twice
        for _ in range(n):
            key = (self.rng.choice(WAREHOUSES), self.rng.choice(SKUS))
            if key not in self.stock:
                self.stock.append(key)
            rows[key] = {"warehouse": key[0], "sku": key[1], "qty": self.rng.randint(0, 500),
                         "bin": f"{self.rng.choice('ABCD')}-{self.rng.randint(1, 40):02d}"}
        return list(rows.values())

    def load_stock(self, n: int) -> None:
        path = self.work / "stock.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in self.stock_rows(n)))
        self.dclient("insert", f"{self.url}/shop", "inventory_items", str(path), "--nl", "--replace", "--silent")

    def event(self) -> dict[str, Any]:
        payload = {k: self.rng.randint(0, 99) for k in self.rng.sample(ATTR_KEYS, self.rng.randint(1, 3))}
        return {"service": self.rng.choice(SERVICES), "level": self.rng.choice(["info", "warn", "error"]),
                "message": f"{self.rng.choice(['deploy', 'restart', 'timeout', 'oom'])} #{self.rng.randint(1, 9999)}",
                "payload": json.dumps(payload)}

    def metric(self) -> dict[str, Any]:
        return {"day": f"2026-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}",
                "signups": self.rng.randint(0, 900), "revenue": round(self.rng.uniform(0, 9999), 2)}

    def tilde(self, s: str) -> str:
        """Datasette's tilde-encoding of a name or key in a path (what its own links use)."""
        safe = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
        return "".join(c if c in safe else "+" if c == " " else f"~{ord(c):02X}" for c in s)

    def insert(self) -> None:
        k = self.rng.randrange(6)
        if k == 0:
            self.load_customers(self.rng.randint(1, 4))
        elif k == 1:
            self.load_orders(self.rng.randint(1, 6))
        elif k == 2:
            self.load_stock(self.rng.randint(1, 3))
        elif k == 3:
            rows = [self.event() for _ in range(self.rng.randint(1, 5))]
            self.post("/ops/events/-/insert", {"rows": rows, "return": self.rng.random() < 0.5})
        elif k == 4:
            rows = [self.metric() for _ in range(self.rng.randint(1, 3))]
            self.post(f"/ops/{self.tilde('metrics.daily')}/-/upsert", {"rows": rows, "return": True})
        else:
            flag = self.rng.choice(FLAGS)
            row = {"flag": flag, "enabled": self.rng.randint(0, 1), "rollout": self.rng.choice([0.0, 0.1, 0.5, 1.0]),
                   "owner": self.rng.choice(FIRST)}
            self.post("/ops/feature_flags/-/upsert", {"rows": [row]})
            if flag not in self.flags:
                self.flags.append(flag)

    def row_path(self) -> str:
        k = self.rng.randrange(4)
        if k == 0 and self.orders:
            return f"/shop/orders/{self.rng.choice(self.orders)}"
        if k == 1 and self.customers:
            return f"/shop/customers/{self.tilde(self.rng.choice(self.customers))}"
        if k == 2 and self.stock:
            w, s = self.rng.choice(self.stock)
            return f"/shop/inventory_items/{self.tilde(w)},{self.tilde(s)}"
        if self.flags:
            return f"/ops/feature_flags/{self.tilde(self.rng.choice(self.flags))}"
        return f"/shop/orders/{self.rng.choice(self.orders)}"

    def read_row(self) -> None:
        self.http.get(f"{self.row_path()}.json", params=self.rng.choice([{}, {"_shape": "objects"}]))

    def update_row(self) -> None:
        path = self.row_path()
        table = path.split("/")[2]
        update: dict[str, Any] = {
            "orders": {"status": self.rng.choice(STATUSES), "total": round(self.rng.uniform(3, 400), 2)},
            "customers": {"city": self.rng.choice(CITIES), "vip": self.rng.randint(0, 1)},
            "inventory_items": {"qty": self.rng.randint(0, 500)},
            "feature_flags": {"enabled": self.rng.randint(0, 1), "rollout": self.rng.choice([0.25, 0.75])},
        }[table]
        body: dict[str, Any] = {"update": update, "return": self.rng.random() < 0.5}
        if self.rng.random() < 0.15:
            body["update"][self.rng.choice(["notes", "reviewed_by", "tier"])] = self.rng.choice(FIRST)
            body["alter"] = True
        self.post(f"{path}/-/update", body)

    def delete_row(self) -> None:
        if len(self.orders) > 10 and self.rng.random() < 0.6:
            oid = self.rng.choice(self.orders)
            self.post(f"/shop/orders/{oid}/-/delete", {})
            self.orders.remove(oid)
        elif len(self.customers) > 8:
            cid = self.rng.choice(self.customers)
            self.post(f"/shop/customers/{self.tilde(cid)}/-/delete", {})
            self.customers.remove(cid)

    def list_table(self) -> None:
        table, params = self.rng.choice(
            [
                ("/shop/orders", {"status": self.rng.choice(STATUSES)}),
                ("/shop/orders", {"total__gt": str(self.rng.randint(10, 300)), "_sort_desc": "total"}),
                ("/shop/orders", {"status__in": ",".join(self.rng.sample(STATUSES, 2)), "_facet": "currency"}),
                ("/shop/customers", {"city": self.rng.choice(CITIES), "_shape": "objects"}),
                ("/shop/customers", {"_sort": "name", "_col": ["name", "email"]}),
                ("/shop/inventory_items", {"sku__startswith": self.rng.choice(SKUS)[:4], "_facet": "warehouse"}),
                ("/shop/inventory_items", {"qty__lt": "50", "_sort": "qty"}),
                ("/ops/events", {"level": "error", "_sort_desc": "rowid"}),
                ("/ops/events", {"service": self.rng.choice(SERVICES), "_shape": "array"}),
                (f"/ops/{self.tilde('metrics.daily')}", {"_sort": "day"}),
                ("/ops/feature_flags", {"enabled": "1"}),
            ]
        )
        params = {**params, "_size": str(self.rng.choice([5, 20, 100]))} if self.rng.random() < 0.5 else params
        r = self.http.get(f"{table}.json", params=params)
        page = r.json() if r.status_code == 200 and "json" in r.headers.get("content-type", "") else None
        nxt = page.get("next") if isinstance(page, dict) else None
        if nxt and self.rng.random() < 0.5:
            self.http.get(f"{table}.json", params={**params, "_next": nxt})

    def query(self) -> None:
        # dclient 0.4's `query` asks `/<db>.json?sql=`, which Datasette 1.0 redirects to `/<db>/-/query.json`
        # (302, and dclient does not follow): the driver asks the new address, with dclient's parameters.
        db, sql, params = self.rng.choice(
            [
                ("shop", "select status, count(*) as n, sum(total) as revenue from orders group by status", {}),
                ("ops", "select * from events where service = :s limit 20", {"s": self.rng.choice(SERVICES)}),
                ("shop", "select * from orders where total > :min limit 10", {"min": str(self.rng.randint(1, 200))}),
                ("shop", "select c.name, count(o.id) as orders from customers c left join orders o"
                 " on o.customer_id = c.customer_id group by c.customer_id", {}),
            ]
        )
        shape = self.rng.choice(["objects", "objects", "array", "arrays"])
        self.http.get(f"/{db}/-/query.json", params={"sql": sql, **params, "_shape": shape})

    def table_ops(self) -> None:
        k = self.rng.randrange(3)
        if k == 0 or not self.extra_tables:
            name = self.rng.choice(["survey_2026", "import batch", "tmp_orders_copy", "leads.q3"])
            if name in self.extra_tables:
                return
            rows = [{"id": i, "answer": self.rng.choice(["yes", "no", "maybe"]), "score": self.rng.randint(1, 5)}
                    for i in range(self.rng.randint(1, 4))]
            self.post("/shop/-/create", {"table": name, "rows": rows, "pk": "id"})
            self.extra_tables.append(name)
        elif k == 1:
            name = self.rng.choice(self.extra_tables)
            self.http.get(f"/shop/{self.tilde(name)}.json")
            self.post(f"/shop/{self.tilde(name)}/-/insert",
                      {"rows": [{"answer": "late", "score": 3}], "ignore": self.rng.random() < 0.5})
        else:
            name = self.rng.choice(self.extra_tables)
            r = self.post(f"/shop/{self.tilde(name)}/-/drop", {})  # first without confirm: the server's count
            if r.status_code == 200:
                self.post(f"/shop/{self.tilde(name)}/-/drop", {"confirm": True})
                self.extra_tables.remove(name)

    def meta(self) -> None:
        path = self.rng.choice(
            ["/.json", "/shop.json", "/ops.json", "/-/versions.json", "/-/plugins.json", "/-/settings.json",
             "/-/databases.json", "/-/actor.json", "/-/config.json"]
        )
        self.http.get(path)
        if self.rng.random() < 0.2:
            self.dclient("actor", f"{self.url}/shop")  # it asks the /-/actor.json beside a database

    def errors(self) -> None:
        k = self.rng.randrange(5)
        if k == 0:
            self.http.get(f"/shop/{self.rng.choice(['order', 'customer', 'items'])}.json")
        elif k == 1:
            self.http.get(f"/shop/orders/{self.rng.randint(1, 99)}.json")
        elif k == 2 and self.orders:
            self.post("/shop/orders/-/insert", {"row": {"id": self.rng.choice(self.orders), "status": "paid"}})
        elif k == 3:
            column = self.rng.choice(["nope", "totl"])
            self.http.get("/shop/-/query.json", params={"sql": f"select * from orders where {column} > 1"})
        else:
            self.post("/shop/orders/-/insert", {"rows": [{"id": 1, "no_such_column": 1}]})


def main() -> int:
    a = workload.parse(__doc__, ["url", "token", "workdir"], rounds=1000)
    rng = random.Random(a.seed)
    d = Drive(a.url.rstrip("/"), a.token, a.workdir, rng)
    d.setup()
    steps = [
        (d.insert, 8),
        (d.read_row, 8),
        (d.update_row, 6),
        (d.delete_row, 2),
        (d.list_table, 10),
        (d.query, 4),
        (d.table_ops, 2),
        (d.meta, 3),
        (d.errors, 2),
    ]
    workload.run(rng, steps, a.rounds, a.max_seconds, tolerated=(httpx.HTTPError, ValueError, KeyError))
    return 0


if __name__ == "__main__":
    sys.exit(main())
