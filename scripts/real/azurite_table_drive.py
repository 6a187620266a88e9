"""Drive Azurite's Table service (Microsoft's Azure Storage emulator) through Microsoft's own client, azure-data-tables.

    python azurite_table_drive.py SERVER_URL ACCOUNTS --seed N [--rounds R] [--max-seconds S]

Run by azurite_table.sh with the venv's python. ACCOUNTS is a comma list of `name:key` (base64), the
storage accounts the recipe gave Azurite; every URL starts with the account's name (path-style, as the
emulator is addressed). Teams' tables as their services keep them: tables under names people pick
(`Customers`, `Orders2026`, `DeviceTwins`), entities addressed as `/Table(PartitionKey='p',RowKey='r')` with
keys each table's owner chooses (regions and customer ids, order dates and numbers, device names and
reversed ticks, flag names, emails and UUIDs), their properties of every EDM type (Int64, DateTime, Guid,
Binary, Double, Boolean), created, read with `$select`, upserted and updated (merge and replace, with and
without an ETag), deleted; OData queries with `$filter`, `$select`, `$top` and continuation; tables listed
with and without a filter, made and dropped; access policies; batches (`$batch`); errors (an entity or a
table that is not there: 404, one that is there already: 409, a stale ETag: 412, a name that is none: 400).
"""

from __future__ import annotations

import random
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from azure.core import MatchConditions
from azure.core.credentials import AzureNamedKeyCredential
from azure.core.exceptions import AzureError
from azure.data.tables import (
    EdmType,
    EntityProperty,
    TableAccessPolicy,
    TableClient,
    TableSasPermissions,
    TableServiceClient,
    UpdateMode,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workload import parse, run

TABLES = (
    "Customers",
    "Orders2026",
    "SensorReadings",
    "AuditLog",
    "FeatureFlags",
    "InventoryEU",
    "Sessions",
    "Invoices",
    "DeviceTwins",
    "PriceHistory",
    "ShipmentsNL",
    "TenantSettings",
)
REGIONS = ("eu-west", "eu-north", "us-east", "us-west2", "ap-south", "br-sp")
DEVICES = (
    "greenhouse-3.temp",
    "greenhouse-3.humidity",
    "dock-7.door",
    "fridge_a12",
    "line4.press-2",
    "hvac.floor-12",
    "gate-north",
    "pump.station-09",
)
FLAGS = (
    "checkout.new-flow",
    "search.v2",
    "beta:dark-mode",
    "pricing_experiment_b",
    "onboarding.tour",
    "mobile.push-v3",
    "ab:hero-banner",
)
SKUS = ("SKU-10023", "SKU-77A1", "AX-500-BLK", "bolt_m8x30", "TSHIRT-L-RED", "cable.usb-c.2m", "9780262033848")
EMAILS = (
    "anne.mueller@acme.test",
    "bob@fieldlabs.test",
    "chloe+ops@acme.test",
    "dmitri.k@example.org",
    "eva_lab@fieldlabs.test",
)
WORDS = ("alpha", "north", "blue", "rapid", "quiet", "lumen", "orbit", "delta", "cedar", "harbor")
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


class Drive:
    def __init__(self, url: str, accounts: list[tuple[str, str]], rng: random.Random) -> None:
        self.rng = rng
        self.services = {
            name: TableServiceClient(endpoint=f"{url}/{name}", credential=AzureNamedKeyCredential(name, key))
            for name, key in accounts
        }
        self.tables: list[tuple[str, str]] = []  # (account, table)
        self.keys: dict[tuple[str, str], list[tuple[str, str]]] = {}  # table -> (PartitionKey, RowKey)
        self.n = 0

    def client(self, at: tuple[str, str]) -> TableClient:
        return self.services[at[0]].get_table_client(at[1])

    def table(self) -> tuple[str, str]:
        return self.rng.choice(self.tables)

    def new_table(self) -> None:
        account = self.rng.choice(sorted(self.services))
        free = [t for t in TABLES if (account, t) not in self.tables]
        if not free:
            return
        name = self.rng.choice(free)
        self.services[account].create_table(name)
        self.tables.append((account, name))
        self.keys[(account, name)] = []

    def keys_for(self, table: str) -> tuple[str, str]:
        """A PartitionKey and RowKey as the table's owner picks them."""
        r = self.rng
        self.n += 1
        if table in ("Customers", "Invoices"):
            return r.choice(
                REGIONS
            ), f"cus_{r.getrandbits(40):010x}" if table == "Customers" else f"INV-2026-{self.n:05d}"
        if table in ("Orders2026", "ShipmentsNL"):
            day = EPOCH + timedelta(days=r.randint(0, 200))
            return day.strftime("%Y-%m-%d"), f"ORD-{r.randint(10000, 99999)}"
        if table in ("SensorReadings", "DeviceTwins"):
            ticks = 9_999_999_999 - r.randint(0, 10**8)
            return r.choice(DEVICES), f"{ticks:019d}" if table == "SensorReadings" else r.choice(WORDS) + f"-{self.n}"
        if table == "FeatureFlags":
            return r.choice(("web", "ios", "android", "backoffice")), r.choice(FLAGS) + (
                "" if r.random() < 0.5 else f".{self.n}"
            )
        if table in ("InventoryEU", "PriceHistory"):
            return r.choice(("warehouse-ams", "warehouse-ber", "store_042", "store_117")), f"{r.choice(SKUS)}-{self.n}"
        if table == "Sessions":
            return r.choice(EMAILS), str(uuid.UUID(int=r.getrandbits(128), version=4))
        if table == "AuditLog":
            return (EPOCH + timedelta(hours=r.randint(0, 4000))).strftime("%Y%m%d%H"), f"{self.n:08d}-{r.choice(WORDS)}"
        return r.choice(("default", "tenant-a", "tenant.b", "globex")), r.choice(WORDS) + f".{r.choice(WORDS)}.{self.n}"

    def properties(self, table: str) -> dict[str, Any]:
        r = self.rng
        p: dict[str, Any] = {}
        if table in ("Customers", "Sessions", "Invoices"):
            p |= {
                "Name": f"{r.choice(WORDS).title()} {r.choice(WORDS).title()}",
                "Email": r.choice(EMAILS),
                "Tier": r.choice(("free", "pro", "enterprise")),
                "Active": r.random() < 0.8,
                "CreatedAt": EPOCH + timedelta(minutes=r.randint(0, 300000)),
                "Balance": round(r.uniform(-50, 5000), 2),
            }
        elif table in ("Orders2026", "ShipmentsNL"):
            p |= {
                "CustomerId": f"cus_{r.getrandbits(40):010x}",
                "Total": round(r.uniform(5, 900), 2),
                "Items": r.randint(1, 12),
                "Currency": r.choice(("EUR", "USD", "GBP")),
                "OrderId": uuid.UUID(int=r.getrandbits(128), version=4),
                "Status": r.choice(("placed", "paid", "shipped", "returned")),
            }
        elif table in ("SensorReadings", "DeviceTwins"):
            p |= {
                "Value": round(r.uniform(-20, 80), 3),
                "Unit": r.choice(("C", "%", "kPa", "open")),
                "Firmware": f"{r.randint(1, 4)}.{r.randint(0, 20)}.{r.randint(0, 9)}",
                "Seq": EntityProperty(r.randint(2**33, 2**40), EdmType.INT64),
                "ReadAt": EPOCH + timedelta(seconds=r.randint(0, 10**7)),
            }
            if table == "DeviceTwins":  # a twin's reported properties: the columns each device reports
                for k in r.sample(
                    ("batteryPct", "rssi", "lastBoot", "ipAddress", "zone", "calibrationOffset"), r.randint(1, 4)
                ):
                    p[k] = r.randint(0, 100) if k in ("batteryPct", "rssi") else r.choice(WORDS)
        elif table == "FeatureFlags":
            p |= {
                "Enabled": r.random() < 0.5,
                "Rollout": r.randint(0, 100),
                "Owner": r.choice(EMAILS),
                "Description": f"{r.choice(WORDS)} rollout",
            }
        elif table in ("InventoryEU", "PriceHistory"):
            p |= {
                "Quantity": r.randint(0, 5000),
                "Price": round(r.uniform(0.5, 400), 2),
                "Reserved": r.randint(0, 50),
                "Thumbnail": r.randbytes(r.randint(4, 24)),
                "UpdatedAt": EPOCH + timedelta(days=r.randint(0, 300)),
            }
        elif table == "AuditLog":
            p |= {
                "Actor": r.choice(EMAILS),
                "Action": r.choice(("login", "delete", "export", "grant")),
                "Ip": f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
                "Details": f"{r.choice(WORDS)} {r.choice(WORDS)}",
            }
        else:
            p |= {"Value": r.choice(WORDS), "Version": r.randint(1, 40), "Secret": r.random() < 0.2}
        return p

    def create(self) -> None:
        at = self.table()
        pk, rk = self.keys_for(at[1])
        entity = {"PartitionKey": pk, "RowKey": rk, **self.properties(at[1])}
        if self.rng.random() < 0.7:
            self.client(at).create_entity(entity)
        else:
            self.client(at).upsert_entity(entity, mode=self.rng.choice((UpdateMode.MERGE, UpdateMode.REPLACE)))
        self.keys[at].append((pk, rk))

    def known(self) -> tuple[tuple[str, str], str, str] | None:
        filled = [t for t in self.tables if self.keys[t]]
        if not filled:
            return None
        at = self.rng.choice(filled)
        pk, rk = self.rng.choice(self.keys[at])
        return at, pk, rk

    def read(self) -> None:
        k = self.known()
        if k is None:
            return
        at, pk, rk = k
        if self.rng.random() < 0.3:
            props = sorted(self.properties(at[1]))
            self.client(at).get_entity(pk, rk, select=self.rng.sample(props, min(len(props), 2)))
        else:
            self.client(at).get_entity(pk, rk)

    def update(self) -> None:
        k = self.known()
        if k is None:
            return
        at, pk, rk = k
        c = self.client(at)
        entity = {"PartitionKey": pk, "RowKey": rk, **self.properties(at[1])}
        mode = self.rng.choice((UpdateMode.MERGE, UpdateMode.REPLACE))
        r = self.rng.random()
        if r < 0.4:
            c.update_entity(entity, mode=mode)
        elif r < 0.7:
            current = c.get_entity(pk, rk)
            c.update_entity(
                entity, mode=mode, etag=current.metadata["etag"], match_condition=MatchConditions.IfNotModified
            )
        else:
            c.upsert_entity(entity, mode=mode)

    def delete(self) -> None:
        k = self.known()
        if k is None:
            return
        at, pk, rk = k
        self.client(at).delete_entity(pk, rk)
        self.keys[at].remove((pk, rk))

    def query(self) -> None:
        at = self.table()
        c = self.client(at)
        r = self.rng.random()
        keys = self.keys[at]
        if r < 0.3 and keys:
            pk = self.rng.choice(keys)[0]
            list(c.query_entities("PartitionKey eq @pk", parameters={"pk": pk}))
        elif r < 0.5:
            prop, value = self.rng.choice(
                (("Total", 100.0), ("Quantity", 50), ("Value", 20.0), ("Rollout", 50), ("Items", 3), ("Balance", 0.0))
            )
            pages = c.query_entities(f"{prop} gt @v", parameters={"v": value}, results_per_page=5).by_page()
            for _ in range(self.rng.randint(1, 3)):
                if next(pages, None) is None:
                    break
        elif r < 0.7:
            props = sorted(self.properties(at[1]))
            list(c.list_entities(select=["PartitionKey", "RowKey", *self.rng.sample(props, 2)]))
        elif r < 0.85:
            pages = c.list_entities(results_per_page=self.rng.choice((3, 10, 25))).by_page()
            for _ in range(self.rng.randint(1, 4)):
                if next(pages, None) is None:
                    break
        elif keys:
            pk, rk = self.rng.choice(keys)
            list(c.query_entities("PartitionKey eq @pk and RowKey ge @rk", parameters={"pk": pk, "rk": rk}))

    def batch(self) -> None:
        at = self.table()
        pk, _ = self.keys_for(at[1])
        ops: list[tuple[str, dict[str, Any]]] = []
        made = []
        for _ in range(self.rng.randint(2, 6)):
            _, rk = self.keys_for(at[1])
            if (pk, rk) in made:  # an entity appears once in a batch
                continue
            ops.append(
                (self.rng.choice(("create", "upsert")), {"PartitionKey": pk, "RowKey": rk, **self.properties(at[1])})
            )
            made.append((pk, rk))
        self.client(at).submit_transaction(ops)
        self.keys[at].extend(made)

    def tables_(self) -> None:
        r = self.rng.random()
        svc = self.services[self.rng.choice(sorted(self.services))]
        if r < 0.5:
            list(svc.list_tables())
        elif r < 0.8:
            first = self.rng.choice(TABLES)[0]
            list(
                svc.query_tables(
                    "TableName ge @a and TableName lt @b", parameters={"a": first, "b": chr(ord(first) + 1)}
                )
            )
        else:
            svc.get_service_properties()

    def acl(self) -> None:
        at = self.table()
        c = self.client(at)
        if self.rng.random() < 0.5:
            start = EPOCH + timedelta(days=self.rng.randint(0, 30))
            policy = TableAccessPolicy(
                start=start,
                expiry=start + timedelta(days=self.rng.randint(1, 90)),
                permission=TableSasPermissions(read=True, add=self.rng.random() < 0.5),
            )
            c.set_table_access_policy({f"{self.rng.choice(WORDS)}-policy": policy})
        else:
            c.get_table_access_policy()

    def drop(self) -> None:
        if len(self.tables) < 5:
            return
        at = self.table()
        self.services[at[0]].delete_table(at[1])
        self.tables.remove(at)
        del self.keys[at]

    def errors(self) -> None:
        r = self.rng.random()
        at = self.table()
        c = self.client(at)
        try:
            if r < 0.3:
                pk, rk = self.keys_for(at[1])
                c.get_entity(pk, rk + "-missing")
            elif r < 0.45 and self.keys[at]:
                pk, rk = self.rng.choice(self.keys[at])
                c.create_entity({"PartitionKey": pk, "RowKey": rk, "Note": "again"})
            elif r < 0.6:
                self.services[at[0]].create_table(at[1])
            elif r < 0.7:
                self.services[at[0]].get_table_client(
                    self.rng.choice(("Archive2019", "TmpImport", "Legacy"))
                ).get_entity("x", "y")
            elif r < 0.8:
                self.services[at[0]].create_table(self.rng.choice(("1nvalid", "my-table", "ab")))
            elif self.keys[at]:
                pk, rk = self.rng.choice(self.keys[at])
                c.update_entity(
                    {"PartitionKey": pk, "RowKey": rk, "Note": "stale"},
                    etag="W/\"datetime'2020-01-01T00%3A00%3A00.0000000Z'\"",
                    match_condition=MatchConditions.IfNotModified,
                )
        except AzureError as e:
            print(f"expected: {type(e).__name__}", file=sys.stderr)


def main() -> int:
    a = parse(__doc__, ("url", "accounts"), rounds=1100)
    rng = random.Random(a.seed)
    accounts = [tuple(x.split(":", 1)) for x in a.accounts.split(",")]
    d = Drive(a.url, accounts, rng)  # type: ignore[arg-type]
    for _ in range(8):
        d.new_table()
    for _ in range(30):
        d.create()
    steps = [
        (d.new_table, 0.5),
        (d.create, 14),
        (d.read, 14),
        (d.update, 9),
        (d.delete, 4),
        (d.query, 10),
        (d.batch, 2),
        (d.tables_, 3),
        (d.acl, 2),
        (d.drop, 0.3),
        (d.errors, 4),
    ]
    run(rng, steps, a.rounds, a.max_seconds, tolerated=(AzureError, KeyError, ValueError))
    return 0


if __name__ == "__main__":
    sys.exit(main())
