"""Drive an OpenFGA server through its own Python SDK, openfga-sdk (`OpenFgaClient`, the sync one).

    python openfga_drive.py SERVER_URL API_KEY --seed N [--rounds R] [--max-seconds S]

Run by openfga.sh in the client's environment. The authorization service of a few products, a store each
under the names teams give them (`acme-docs`, `GitHub clone - staging`, `iot.fleet`, `hr portal`): their
models (a document sharing model with folders, groups and a time-limited grant condition; a code-hosting
model with organisations, teams and repository roles; a device fleet's), written and rewritten as the
products grow (every version kept, read back, the latest read); relationship tuples under the object and
user ids the products pick (`document:2026_roadmap.md`, `repo:acme/web-app`, `user:anne@acme.com`,
`team:acme#member`), some with conditions and their context, written and deleted in transactions and one
by one, duplicates ignored or refused; checks (with contextual tuples and context), batch checks,
expansions, object and user listings, the SDK's relation listing; the change log, tuples read by filter,
assertions; stores listed by name and page, read and deleted; and the errors people hit (a type or
relation the model lacks, a tuple that exists or is gone, a store or model id that is not there, a wrong
API key).
"""

from __future__ import annotations

import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from openfga_sdk import ClientConfiguration, CreateStoreRequest
from openfga_sdk.client.models import (
    ClientAssertion,
    ClientBatchCheckItem,
    ClientBatchCheckRequest,
    ClientCheckRequest,
    ClientExpandRequest,
    ClientListObjectsRequest,
    ClientListRelationsRequest,
    ClientReadChangesRequest,
    ClientTuple,
    ClientWriteRequest,
)
from openfga_sdk.client.models.list_users_request import ClientListUsersRequest
from openfga_sdk.client.models.write_conflict_opts import (
    ClientWriteRequestOnDuplicateWrites,
    ClientWriteRequestOnMissingDeletes,
    ConflictOptions,
)
from openfga_sdk.client.models.write_transaction_opts import WriteTransactionOpts
from openfga_sdk.credentials import CredentialConfiguration, Credentials
from openfga_sdk.exceptions import ApiException, FgaValidationException
from openfga_sdk.models import FgaObject, ReadRequestTupleKey, RelationshipCondition, UserTypeFilter
from openfga_sdk.sync import OpenFgaClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workload import parse, run


def this(name: str) -> dict[str, Any]:
    return {"this": {}}


def union(*parts: dict[str, Any]) -> dict[str, Any]:
    return {"union": {"child": list(parts)}}


def computed(rel: str) -> dict[str, Any]:
    return {"computedUserset": {"relation": rel}}


def from_parent(tupleset: str, rel: str) -> dict[str, Any]:
    return {"tupleToUserset": {"tupleset": {"relation": tupleset}, "computedUserset": {"relation": rel}}}


def direct(*types: str, cond: str | None = None) -> dict[str, Any]:
    out: list[dict[str, Any]] = []
    for t in types:
        typ, _, rel = t.partition("#")
        ref: dict[str, Any] = {"type": typ.removesuffix(":*")}
        if rel:
            ref["relation"] = rel
        if typ.endswith(":*"):
            ref["wildcard"] = {}
        out.append(ref)
        if cond:
            out.append({**ref, "condition": cond})
    return {"directly_related_user_types": out}


def typedef(name: str, relations: dict[str, tuple[dict[str, Any], dict[str, Any]]]) -> dict[str, Any]:
    if not relations:
        return {"type": name}
    return {
        "type": name,
        "relations": {k: v[0] for k, v in relations.items()},
        "metadata": {"relations": {k: v[1] for k, v in relations.items()}},
    }


NON_EXPIRED = {
    "non_expired_grant": {
        "name": "non_expired_grant",
        "expression": "current_time < grant_time + grant_duration",
        "parameters": {
            "current_time": {"type_name": "TYPE_NAME_TIMESTAMP"},
            "grant_time": {"type_name": "TYPE_NAME_TIMESTAMP"},
            "grant_duration": {"type_name": "TYPE_NAME_DURATION"},
        },
    }
}


def docs_model(version: int) -> dict[str, Any]:
    doc = {
        "owner": (this("owner"), direct("user")),
        "editor": (union(this("e"), computed("owner")), direct("user", "group#member")),
        "viewer": (
            union(this("v"), computed("editor"), from_parent("parent", "viewer")),
            direct("user", "user:*", "group#member", cond="non_expired_grant"),
        ),
        "parent": (this("p"), direct("folder")),
    }
    if version > 1:
        doc["commenter"] = (union(this("c"), computed("editor")), direct("user", "group#member"))
    return {
        "schema_version": "1.1",
        "type_definitions": [
            typedef("user", {}),
            typedef("group", {"member": (this("m"), direct("user", "group#member"))}),
            typedef(
                "folder",
                {
                    "owner": (this("o"), direct("user")),
                    "viewer": (union(this("v"), computed("owner")), direct("user", "group#member")),
                },
            ),
            typedef("document", doc),
        ],
        "conditions": NON_EXPIRED,
    }


def code_model(version: int) -> dict[str, Any]:
    repo = {
        "owner": (this("o"), direct("organization")),
        "admin": (union(this("a"), from_parent("owner", "repo_admin")), direct("user", "team#member")),
        "maintainer": (union(this("m"), computed("admin")), direct("user", "team#member")),
        "writer": (union(this("w"), computed("maintainer")), direct("user", "team#member")),
        "reader": (union(this("r"), computed("writer"), from_parent("owner", "member")), direct("user", "team#member")),
    }
    if version > 1:
        repo["triager"] = (union(this("t"), computed("writer")), direct("user", "team#member"))
    return {
        "schema_version": "1.1",
        "type_definitions": [
            typedef("user", {}),
            typedef("team", {"member": (this("m"), direct("user", "team#member"))}),
            typedef(
                "organization",
                {
                    "owner": (this("o"), direct("user")),
                    "member": (union(this("m"), computed("owner")), direct("user", "team#member")),
                    "repo_admin": (this("ra"), direct("user", "organization#member")),
                },
            ),
            typedef("repo", repo),
        ],
    }


def iot_model(version: int) -> dict[str, Any]:
    device = {
        "group": (this("g"), direct("device_group")),
        "it_admin": (union(this("i"), from_parent("group", "it_admin")), direct("user")),
        "security_guard": (union(this("s"), from_parent("group", "security_guard")), direct("user")),
        "live_video_viewer": (union(computed("it_admin"), computed("security_guard")), {}),
    }
    if version > 1:
        device["recorded_video_viewer"] = (computed("it_admin"), {})
    return {
        "schema_version": "1.1",
        "type_definitions": [
            typedef("user", {}),
            typedef(
                "device_group",
                {"it_admin": (this("i"), direct("user")), "security_guard": (this("s"), direct("user"))},
            ),
            typedef("device", device),
        ],
    }


# Each product: its model, its objects (type -> ids people pick), its users, the (relation, object type,
# user kinds) it grants, and the relations people ask about.
PRODUCTS: dict[str, dict[str, Any]] = {
    "acme-docs": {
        "model": docs_model,
        "objects": {
            "document": [
                "2026_roadmap.md",
                "budget-q3.xlsx",
                "onboarding/checklist",
                "RFC-0042",
                "meeting-notes-12.05",
            ],
            "folder": ["engineering", "finance/2026", "Shared-with-me", "hr"],
            "group": ["eng", "finance-team", "contractors"],
        },
        "users": ["anne@acme.com", "beth", "charles.o", "dmitri@acme.com", "eve_k"],
        "grants": [
            ("owner", "document", "user"),
            ("editor", "document", "user"),
            ("editor", "document", "group#member"),
            ("viewer", "document", "user"),
            ("viewer", "document", "group#member"),
            ("parent", "document", "folder"),
            ("owner", "folder", "user"),
            ("viewer", "folder", "group#member"),
            ("member", "group", "user"),
        ],
        "ask": [("document", "viewer"), ("document", "editor"), ("document", "owner"), ("folder", "viewer")],
    },
    "GitHub clone - staging": {
        "model": code_model,
        "objects": {
            "repo": ["acme/web-app", "acme/infra", "acme/docs.site", "widgets-inc/sdk-python"],
            "organization": ["acme", "widgets-inc"],
            "team": ["acme.platform", "acme/frontend", "widgets-inc_core"],
        },
        "users": ["octocat", "j.smith", "linus", "ada-lovelace"],
        "grants": [
            ("owner", "repo", "organization"),
            ("admin", "repo", "user"),
            ("maintainer", "repo", "team#member"),
            ("writer", "repo", "user"),
            ("reader", "repo", "team#member"),
            ("owner", "organization", "user"),
            ("member", "organization", "user"),
            ("repo_admin", "organization", "user"),
            ("member", "team", "user"),
        ],
        "ask": [("repo", "reader"), ("repo", "writer"), ("repo", "admin"), ("organization", "member")],
    },
    "iot.fleet": {
        "model": iot_model,
        "objects": {
            "device": ["cam-lobby-01", "cam-garage-02", "thermostat_3F", "door.badge.west"],
            "device_group": ["hq-cameras", "Building_B", "eu_west"],
        },
        "users": ["guard.night", "it-ops", "maria"],
        "grants": [
            ("group", "device", "device_group"),
            ("it_admin", "device", "user"),
            ("security_guard", "device_group", "user"),
            ("it_admin", "device_group", "user"),
        ],
        "ask": [("device", "live_video_viewer"), ("device", "it_admin"), ("device", "security_guard")],
    },
    "hr portal": {
        "model": docs_model,
        "objects": {
            "document": ["payroll_2026-11", "reviews/anne", "handbook-v7"],
            "folder": ["payroll", "people-ops"],
            "group": ["hr", "managers"],
        },
        "users": ["hr.lead@acme.com", "manager-1", "anne@acme.com"],
        "grants": [
            ("owner", "document", "user"),
            ("viewer", "document", "group#member"),
            ("viewer", "document", "user"),
            ("parent", "document", "folder"),
            ("member", "group", "user"),
        ],
        "ask": [("document", "viewer"), ("document", "owner")],
    },
}


class Fleet:
    """The stores the products own, each with the model versions written and the tuples it holds."""

    def __init__(self, url: str, key: str, rng: random.Random) -> None:
        self.url, self.key, self.rng = url, key, rng
        self.client = self.connect(key)
        self.stores: dict[str, dict[str, Any]] = {}

    def connect(self, key: str) -> OpenFgaClient:
        creds = Credentials(method="api_token", configuration=CredentialConfiguration(api_token=key))
        return OpenFgaClient(ClientConfiguration(api_url=self.url, credentials=creds))

    # ---- stores and models -------------------------------------------------------------------------
    def open_store(self, product: str) -> dict[str, Any]:
        store = self.stores.get(product)
        if store is None:
            resp = self.client.create_store(CreateStoreRequest(name=product))
            store = {"id": resp.id, "product": product, "models": [], "tuples": set(), "version": 0}
            self.stores[product] = store
            self.write_model(store)
        self.client.set_store_id(store["id"])
        self.client.set_authorization_model_id(store["models"][-1] if store["models"] else None)
        return store

    def write_model(self, store: dict[str, Any]) -> None:
        store["version"] += 1
        self.client.set_store_id(store["id"])
        body = PRODUCTS[store["product"]]["model"](min(store["version"], 2))
        resp = self.client.write_authorization_model(body)
        store["models"].append(resp.authorization_model_id)

    def any_store(self) -> dict[str, Any]:
        return self.open_store(self.rng.choice(list(PRODUCTS)))

    # ---- tuples --------------------------------------------------------------------------------------
    def user_of(self, prod: dict[str, Any], kind: str) -> str:
        if kind == "user":
            return "user:" + self.rng.choice(prod["users"])
        typ, _, rel = kind.partition("#")
        return f"{typ}:{self.rng.choice(prod['objects'][typ])}" + (f"#{rel}" if rel else "")

    def new_tuple(self, store: dict[str, Any]) -> ClientTuple:
        prod = PRODUCTS[store["product"]]
        rel, otype, kind = self.rng.choice(prod["grants"])
        obj = f"{otype}:{self.rng.choice(prod['objects'][otype])}"
        user = self.user_of(prod, kind)
        cond = None
        if rel == "viewer" and otype == "document" and self.rng.random() < 0.3:
            granted = datetime(2026, 11, 1, tzinfo=UTC) + timedelta(days=self.rng.randint(0, 30))
            cond = RelationshipCondition(
                name="non_expired_grant",
                context={
                    "grant_time": granted.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "grant_duration": f"{self.rng.choice([1, 24, 168])}h",
                },
            )
        return ClientTuple(user=user, relation=rel, object=obj, condition=cond)

    def grant(self) -> None:
        store = self.any_store()
        tuples = [self.new_tuple(store) for _ in range(self.rng.randint(1, 6))]
        seen: set[tuple[str, str, str]] = set()
        fresh = []
        for t in tuples:
            key = (t.user, t.relation, t.object)
            if key not in seen and (key not in store["tuples"] or self.rng.random() < 0.1):
                seen.add(key)
                fresh.append(t)
        if not fresh:
            return
        options: dict[str, Any] = {}
        if self.rng.random() < 0.3:
            options["conflict"] = ConflictOptions(on_duplicate_writes=ClientWriteRequestOnDuplicateWrites.IGNORE)
        if self.rng.random() < 0.2:
            options["transaction"] = WriteTransactionOpts(disabled=True, max_per_chunk=2)
        try:
            if self.rng.random() < 0.5:
                self.client.write(ClientWriteRequest(writes=fresh), options)
            else:
                self.client.write_tuples(fresh, options)
        finally:
            for t in fresh:
                store["tuples"].add((t.user, t.relation, t.object))

    def revoke(self) -> None:
        store = self.any_store()
        if not store["tuples"]:
            return self.grant()
        picked = self.rng.sample(sorted(store["tuples"]), min(len(store["tuples"]), self.rng.randint(1, 3)))
        tuples = [ClientTuple(user=u, relation=r, object=o) for u, r, o in picked]
        options: dict[str, Any] = {}
        if self.rng.random() < 0.3:
            options["conflict"] = ConflictOptions(on_missing_deletes=ClientWriteRequestOnMissingDeletes.IGNORE)
        try:
            if self.rng.random() < 0.4:
                extra = [t for t in [self.new_tuple(store)] if (t.user, t.relation, t.object) not in store["tuples"]]
                self.client.write(ClientWriteRequest(writes=extra, deletes=tuples), options)
                store["tuples"].update((t.user, t.relation, t.object) for t in extra)
            else:
                self.client.delete_tuples(tuples, options)
        finally:
            for key in picked:
                store["tuples"].discard(key)

    def read_tuples(self) -> None:
        store = self.any_store()
        prod = PRODUCTS[store["product"]]
        otype = self.rng.choice(list(prod["objects"]))
        pick = self.rng.randrange(4)
        if pick == 0:
            key = ReadRequestTupleKey(object=f"{otype}:")
        elif pick == 1:
            key = ReadRequestTupleKey(object=f"{otype}:{self.rng.choice(prod['objects'][otype])}")
        elif pick == 2:
            key = ReadRequestTupleKey(user="user:" + self.rng.choice(prod["users"]), object=f"{otype}:")
        else:
            key = ReadRequestTupleKey()
        options: dict[str, Any] = {"page_size": self.rng.choice([5, 20, 50])}
        resp = self.client.read(key, options)
        if resp.continuation_token and self.rng.random() < 0.5:
            self.client.read(key, {**options, "continuation_token": resp.continuation_token})

    def changes(self) -> None:
        store = self.any_store()
        otype = self.rng.choice(list(PRODUCTS[store["product"]]["objects"]))
        start = None
        if self.rng.random() < 0.3:
            start = (datetime.now(UTC) - timedelta(minutes=self.rng.randint(1, 30))).strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            )
        resp = self.client.read_changes(
            ClientReadChangesRequest(type=otype, start_time=start), {"page_size": self.rng.choice([10, 50])}
        )
        if resp.continuation_token and self.rng.random() < 0.4:
            self.client.read_changes(
                ClientReadChangesRequest(type=otype), {"continuation_token": resp.continuation_token}
            )

    # ---- queries -------------------------------------------------------------------------------------
    def question(self, store: dict[str, Any]) -> tuple[str, str, str]:
        prod = PRODUCTS[store["product"]]
        otype, rel = self.rng.choice(prod["ask"])
        return "user:" + self.rng.choice(prod["users"]), rel, f"{otype}:{self.rng.choice(prod['objects'][otype])}"

    def context(self) -> dict[str, Any] | None:
        if self.rng.random() < 0.5:
            return None
        return {
            "current_time": (
                datetime(2026, 11, 1, tzinfo=UTC) + timedelta(days=self.rng.randint(0, 40))
            ).strftime("%Y-%m-%dT%H:%M:%SZ")
        }

    def check(self) -> None:
        store = self.any_store()
        user, rel, obj = self.question(store)
        ctx_tuples = [self.new_tuple(store)] if self.rng.random() < 0.2 else None
        options: dict[str, Any] = {}
        if self.rng.random() < 0.2:
            options["consistency"] = "HIGHER_CONSISTENCY"
        if self.rng.random() < 0.2 and len(store["models"]) > 1:
            options["authorization_model_id"] = self.rng.choice(store["models"])
        self.client.check(
            ClientCheckRequest(
                user=user, relation=rel, object=obj, contextual_tuples=ctx_tuples, context=self.context()
            ),
            options,
        )

    def batch_check(self) -> None:
        store = self.any_store()
        items = []
        for i in range(self.rng.randint(2, 8)):
            user, rel, obj = self.question(store)
            items.append(
                ClientBatchCheckItem(
                    user=user,
                    relation=rel,
                    object=obj,
                    correlation_id=f"chk-{i}" if self.rng.random() < 0.5 else None,
                    context=self.context(),
                )
            )
        self.client.batch_check(ClientBatchCheckRequest(checks=items))

    def expand(self) -> None:
        store = self.any_store()
        _, rel, obj = self.question(store)
        self.client.expand(ClientExpandRequest(relation=rel, object=obj))

    def list_objects(self) -> None:
        store = self.any_store()
        user, rel, obj = self.question(store)
        self.client.list_objects(
            ClientListObjectsRequest(user=user, relation=rel, type=obj.split(":")[0], context=self.context())
        )

    def list_users(self) -> None:
        store = self.any_store()
        _, rel, obj = self.question(store)
        typ, _, oid = obj.partition(":")
        filters = [UserTypeFilter(type="user")]
        if store["product"] in ("acme-docs", "hr portal") and self.rng.random() < 0.4:
            filters = [UserTypeFilter(type="group", relation="member")]
        self.client.list_users(
            ClientListUsersRequest(
                object=FgaObject(type=typ, id=oid), relation=rel, user_filters=filters, context=self.context()
            )
        )

    def list_relations(self) -> None:
        store = self.any_store()
        user, _, obj = self.question(store)
        rels = sorted({r for t, r in PRODUCTS[store["product"]]["ask"] if t == obj.split(":")[0]})
        self.client.list_relations(ClientListRelationsRequest(user=user, object=obj, relations=rels))

    def assertions(self) -> None:
        store = self.any_store()
        if self.rng.random() < 0.5:
            cases = []
            for _ in range(self.rng.randint(1, 4)):
                user, rel, obj = self.question(store)
                cases.append(ClientAssertion(user=user, relation=rel, object=obj, expectation=self.rng.random() < 0.5))
            self.client.write_assertions(cases)
        self.client.read_assertions()

    def models(self) -> None:
        store = self.any_store()
        pick = self.rng.randrange(5)
        if pick == 0:
            self.write_model(store)
        elif pick == 1:
            self.client.read_authorization_models({"page_size": self.rng.choice([1, 5, 50])})
        elif pick == 2:
            self.client.read_latest_authorization_model()
        else:
            self.client.read_authorization_model({"authorization_model_id": self.rng.choice(store["models"])})

    def store_admin(self) -> None:
        pick = self.rng.randrange(6)
        if pick == 0:
            self.client.list_stores({"page_size": self.rng.choice([2, 10, 50])})
        elif pick == 1:
            self.client.list_stores({"name": self.rng.choice(list(PRODUCTS))})
        elif pick in (2, 3):
            self.any_store()
            self.client.get_store()
        elif pick == 4 and len(self.stores) > 2:
            # a product retired: its store deleted, made again the next time it is used
            product = self.rng.choice(list(self.stores))
            self.open_store(product)
            self.client.delete_store()
            del self.stores[product]
        else:
            self.any_store()

    # ---- errors --------------------------------------------------------------------------------------
    def mistakes(self) -> None:
        store = self.any_store()
        pick = self.rng.randrange(7)
        if pick == 0:  # a type the model lacks
            self.client.check(ClientCheckRequest(user="user:anne", relation="viewer", object="spreadsheet:budget"))
        elif pick == 1:  # a relation it lacks
            user, _, obj = self.question(store)
            self.client.check(ClientCheckRequest(user=user, relation="can_delete", object=obj))
        elif pick == 2 and store["tuples"]:  # a tuple that exists
            u, r, o = self.rng.choice(sorted(store["tuples"]))
            self.client.write_tuples([ClientTuple(user=u, relation=r, object=o)])
        elif pick == 3:  # a tuple that is gone
            self.client.delete_tuples(
                [ClientTuple(user="user:nobody", relation="owner", object=self.question(store)[2])]
            )
        elif pick == 4:  # a model id that is not there
            self.client.read_authorization_model({"authorization_model_id": "01JZZZZZZZZZZZZZZZZZZZZZZZ"})
        elif pick == 5:  # a store that was deleted
            self.client.set_store_id("01HZZZZZZZZZZZZZZZZZZZZZZZ")
            if self.rng.random() < 0.5:
                self.client.read_assertions({"authorization_model_id": store["models"][-1]})
            else:
                self.client.get_store()
        else:  # a wrong key
            other = self.connect("not-the-key")
            other.set_store_id(store["id"])
            try:
                other.list_stores()
            finally:
                other.close()


def main() -> None:
    args = parse(__doc__, ["url", "key"], 1000)
    rng = random.Random(args.seed)
    fleet = Fleet(args.url, args.key, rng)
    for product in PRODUCTS:
        fleet.open_store(product)
        for _ in range(3):
            fleet.grant()
    steps = [
        (fleet.grant, 16),
        (fleet.revoke, 7),
        (fleet.check, 18),
        (fleet.batch_check, 6),
        (fleet.expand, 4),
        (fleet.list_objects, 6),
        (fleet.list_users, 5),
        (fleet.list_relations, 2),
        (fleet.read_tuples, 6),
        (fleet.changes, 4),
        (fleet.assertions, 3),
        (fleet.models, 4),
        (fleet.store_admin, 3),
        (fleet.mistakes, 5),
    ]
    try:
        run(rng, steps, args.rounds, args.max_seconds, tolerated=(ApiException, FgaValidationException))
    finally:
        fleet.client.close()


if __name__ == "__main__":
    main()
