"""Users' tables (learn/columns.py): the columns each table has are no resource's fields."""

from __future__ import annotations

import random
from typing import Any

import orjson

from specbuild.learn.builder import SpecBuilder
from specbuild.learn.components import inline
from specbuild.run import Fold, build_document

# Azurite's tables as its users made them (sample a of the real set): each row holds its table's columns
TABLES: dict[str, dict[str, Any]] = {
    "AuditLog": {"Actor": "ana@example.com", "Action": "login", "Ip": "10.0.0.7", "Details": "ok"},
    "TenantSettings": {"Value": "north", "Version": 3, "Secret": "s3"},
    "FeatureFlags": {"Enabled": True, "Rollout": 25, "Owner": "mobile", "Description": "hero"},
    "Shipments": {"CustomerId": "c-1", "Total": 12.5, "Currency": "EUR", "Status": "sent"},
}
DEVICES = {"Value": 4.99, "Model": "t-1000", "Firmware": "2.1"}  # sample b's table: Value a number


def _rows(tables: dict[str, dict[str, Any]], per_table: int = 6, seed: int = 1) -> list[tuple[bytes, str]]:
    """Rows inserted in each table, after a client made the tables (what makes their names values)."""
    rng, out = random.Random(seed), []
    for table in tables:
        made = {"odata.metadata": "http://h/acme/$metadata#Tables/@Element", "TableName": table}
        out.append((orjson.dumps({
            "request": {"method": "POST", "path": "/acme/Tables", "headers": {"content-type": "application/json"},
                        "body": orjson.dumps({"TableName": table}).decode()},
            "response": {"statusCode": 201, "headers": {"content-type": "application/json"},
                         "body": orjson.dumps(made).decode()}}), f"made:{table}"))
    for table, columns in tables.items():
        for n in range(per_table):
            row = {"PartitionKey": f"p{rng.randrange(3)}", "RowKey": f"r{n}-{rng.randrange(10**6)}", **columns}
            answer = {"odata.metadata": f"http://h/acme/$metadata#{table}", "odata.etag": f"W/\"{n}\"",
                      "Timestamp": "2026-01-06T12:00:00Z", **row}
            out.append((orjson.dumps({
                "request": {"method": "POST", "path": f"/acme/{table}", "headers": {"content-type": "application/json"},
                            "body": orjson.dumps(row).decode()},
                "response": {"statusCode": 201, "headers": {"content-type": "application/json"},
                             "body": orjson.dumps(answer).decode()}}), f"{table}:{n}"))
            # and read back by its keys: ``AuditLog(PartitionKey='p1',RowKey='r0-...')``, a value on sight
            keys = f"{table}(PartitionKey='{row['PartitionKey']}',RowKey='{row['RowKey']}')"
            out.append((orjson.dumps({
                "request": {"method": "GET", "path": f"/acme/{keys}"},
                "response": {"statusCode": 200, "headers": {"content-type": "application/json"},
                             "body": orjson.dumps(answer).decode()}}), f"{table}:{n}:read"))
    return out


def _post(lines: list[tuple[bytes, str]]) -> tuple[dict[str, Any], dict[str, Any]]:
    builder = SpecBuilder()
    Fold(builder).feed(lines)
    doc = inline(build_document(builder))
    [path] = [p for p in doc["paths"] if p != "/acme/Tables"]
    op = doc["paths"][path]["post"]
    return (op["responses"]["201"]["content"]["application/json"]["schema"],
            op["requestBody"]["content"]["application/json"]["schema"])


def test_the_columns_of_users_tables_are_keys_beyond_the_fields_every_table_answers() -> None:
    """Azurite answers each insert with the row: ``Value``, text in one user's table, failed the next sample's
    rows of a table where it is a number. Four tables, each its own columns, are one operation whose rows
    keep what every table holds and leave the columns open, in the answer and in the row written."""
    answer, written = _post(_rows(TABLES))
    assert set(answer["properties"]) == {"PartitionKey", "RowKey", "Timestamp", "odata.etag", "odata.metadata"}
    assert answer["additionalProperties"] is True and "Value" not in answer["properties"]
    assert set(written["properties"]) == {"PartitionKey", "RowKey"} and written["additionalProperties"] is True
    tomorrow, _ = _post(_rows({**TABLES, "DeviceTwins": DEVICES}, seed=2))
    assert set(tomorrow["properties"]) == set(answer["properties"])


def test_fields_that_differ_row_by_row_or_two_tables_are_a_resources_fields() -> None:
    """A resource whose objects differ one by one (a pet's ``breed`` or ``indoor``) differs within a key, not
    key by key: its fields stay. Two tables are too few to tell users' tables from two resources."""
    two, _ = _post(_rows(dict(list(TABLES.items())[:2])))
    assert {"Actor", "Value"} <= set(two["properties"]) and "additionalProperties" not in two
    mixed = {name: dict(TABLES.items()) for name in ("a", "b", "c", "d")}  # every table: every column
    rows = _rows({name: {k: v for cols in t.values() for k, v in cols.items()} for name, t in mixed.items()})
    every, _ = _post(rows)
    assert {"Actor", "Value", "Total"} <= set(every["properties"]) and "additionalProperties" not in every
