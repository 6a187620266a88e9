"""Drive a Chroma server with its own client, chromadb.HttpClient.

    python chroma_drive.py HOST PORT --seed N [--rounds R]

Run by chroma.sh with the server's own environment. A seeded random workload of what teams building
retrieval on a shared vector store do: tenants and databases under names they choose, collections
whose `metadata` carries keys each team chooses (namespaced and `k8s`-style labels, dotted, camelCase,
words, keys with spaces; a different mix per collection), documents whose `metadatas` do the same (one
team's chunk metadata is not another's), explicit embeddings (never the default embedding function: it
downloads a model), queries and gets with `where` filters on those keys, updates, upserts, renames,
deletes, and the errors people hit (a missing collection, a duplicate name, a dimension mismatch, a bad
filter).
"""

from __future__ import annotations

import random
import sys
from typing import Any

import chromadb
import workload  # beside this file
from chromadb.config import Settings
from chromadb.errors import ChromaError

TEAMS = ("search", "support-bot", "legal", "docs", "recsys", "sales", "infra", "research")
CLUSTERS = ("prod-eu-1", "prod-us-2", "staging", "dev-alice", "gpu-pool-7")
SOURCES = ("confluence", "zendesk", "github", "notion", "s3", "gdrive", "slack")
WORDS = ("alpha", "beta", "gamma", "delta", "omega", "kappa", "sigma", "theta", "lambda", "zeta")

# Key families a collection's owners pick from: each collection draws its own few families and keys.
COLLECTION_KEYS: tuple[tuple[str, ...], ...] = (
    ("app.kubernetes.io/name", "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by"),
    ("k8s.io/cluster-autoscaler/{cluster}", "kubernetes.io/cluster/{cluster}"),
    ("team", "owner", "costCenter", "retentionDays"),
    ("created by", "purpose", "Data Classification"),
    ("hnsw:space",),
    ("com.example.pipeline/version", "com.example.pipeline/run-id"),
    ("embeddingModel", "chunkSize", "chunkOverlap"),
    ("env", "tier", "region"),
)
DOC_KEYS: tuple[tuple[str, ...], ...] = (
    ("source", "url", "page"),
    ("author", "createdAt", "updatedAt", "lang"),
    ("doc.type", "doc.section", "doc.version"),
    ("ticket/id", "ticket/priority", "ticket/status"),
    ("repo:name", "repo:path", "repo:commit"),
    ("speaker name", "start seconds", "end seconds"),
    ("customerTier", "productLine", "isPublic"),
    ("label.{word}", "score.{word}"),
)


def value_for(key: str, rng: random.Random) -> Any:
    low = key.lower()
    if "autoscaler" in low or "/cluster/" in low:
        return rng.choice(["owned", "shared"])
    if any(w in low for w in ("days", "size", "overlap", "page", "seconds", "priority")):
        return rng.randint(0, 5000)
    if low.startswith(("score.", "hnsw")):
        return round(rng.random(), 4) if low.startswith("score.") else rng.choice(["cosine", "l2", "ip"])
    if low.startswith("is") or low.startswith("label."):
        return rng.random() < 0.5
    if "url" in low:
        return f"https://{rng.choice(SOURCES)}.example.com/{rng.randint(1, 99999)}"
    if "at" in low[-2:]:
        return f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T10:00:00Z"
    return rng.choice([*WORDS, *TEAMS, f"v{rng.randint(1, 9)}.{rng.randint(0, 20)}", f"u{rng.randint(1, 400)}"])


def keys_from(families: tuple[tuple[str, ...], ...], rng: random.Random, most: int) -> list[str]:
    """A few keys from a few families, placeholders filled: a mix of this entity's own."""
    out: list[str] = []
    for fam in rng.sample(families, rng.randint(1, min(most, len(families)))):
        for k in rng.sample(fam, rng.randint(1, len(fam))):
            out.append(k.format(cluster=rng.choice(CLUSTERS), word=rng.choice(WORDS)))
    return out


class Drive:
    def __init__(self, host: str, port: int, rng: random.Random) -> None:
        self.host, self.port, self.rng = host, port, rng
        self.settings = Settings(anonymized_telemetry=False)
        self.admin = chromadb.AdminClient(
            Settings(
                chroma_api_impl="chromadb.api.fastapi.FastAPI",
                chroma_server_host=host,
                chroma_server_http_port=port,
                anonymized_telemetry=False,
            )
        )
        self.places: list[tuple[str, str]] = [("default_tenant", "default_database")]
        self.clients: dict[tuple[str, str], Any] = {}
        # (tenant, database, collection name) -> (dimension, the collection's doc key pool, ids)
        self.collections: dict[tuple[str, str, str], tuple[int, list[str], list[str]]] = {}

    def client(self, place: tuple[str, str]) -> Any:
        if place not in self.clients:
            self.clients[place] = chromadb.HttpClient(
                host=self.host, port=self.port, tenant=place[0], database=place[1], settings=self.settings
            )
        return self.clients[place]

    def place(self) -> None:
        team = self.rng.choice(TEAMS)
        tenant = self.rng.choice(["default_tenant", f"{team}-org"])
        if tenant != "default_tenant" and all(t != tenant for t, _ in self.places):
            self.admin.create_tenant(tenant)
        db = f"{team}-{self.rng.choice(['rag', 'kb', 'eval', 'prod'])}-{self.rng.randint(1, 99)}"
        if (tenant, db) in self.places:
            return
        self.admin.create_database(db, tenant=tenant)
        self.places.append((tenant, db))
        if self.rng.random() < 0.3:
            self.admin.get_database(db, tenant=tenant)
        if self.rng.random() < 0.2:
            self.admin.list_databases(tenant=tenant)

    def collection(self) -> None:
        place = self.rng.choice(self.places)
        team, kind = self.rng.choice(TEAMS), self.rng.choice(["chunks", "faq", "tickets", "code", "calls"])
        name = f"{team}-{kind}-{self.rng.randint(1, 999)}"
        meta = {k: value_for(k, self.rng) for k in keys_from(COLLECTION_KEYS, self.rng, 3)}
        c = self.client(place)
        c.create_collection(name, metadata=meta or None, embedding_function=None, get_or_create=self.rng.random() < 0.2)
        dim = self.rng.choice([3, 4, 8])
        self.collections[(*place, name)] = (dim, keys_from(DOC_KEYS, self.rng, 3), [])

    def pick(self) -> tuple[Any, tuple[str, str, str]] | None:
        if not self.collections:
            self.collection()
        key = self.rng.choice(sorted(self.collections))
        col = self.client((key[0], key[1])).get_collection(key[2], embedding_function=None)
        return col, key

    def vec(self, dim: int) -> list[float]:
        return [round(self.rng.uniform(-1, 1), 5) for _ in range(dim)]

    def doc_meta(self, pool: list[str]) -> dict[str, Any] | None:
        keys = self.rng.sample(pool, self.rng.randint(0, len(pool)))
        return {k: value_for(k, self.rng) for k in keys} or None

    def add(self) -> None:
        got = self.pick()
        if got is None:
            return
        col, key = got
        dim, pool, ids = self.collections[key]
        n = self.rng.randint(1, 6)
        new = [f"{self.rng.choice(['doc', 'chunk', 'msg'])}-{self.rng.getrandbits(32):08x}" for _ in range(n)]
        metas = [self.doc_meta(pool) for _ in new]
        kwargs: dict[str, Any] = {"ids": new, "embeddings": [self.vec(dim) for _ in new]}
        if all(m is not None for m in metas):
            kwargs["metadatas"] = metas
        if self.rng.random() < 0.8:
            kwargs["documents"] = [f"{self.rng.choice(WORDS)} {self.rng.choice(TEAMS)} note {i}" for i in range(n)]
        (col.upsert if self.rng.random() < 0.2 else col.add)(**kwargs)
        ids.extend(new)

    def where(self, pool: list[str]) -> dict[str, Any] | None:
        if not pool or self.rng.random() < 0.25:
            return None
        k = self.rng.choice(pool)
        v = value_for(k, self.rng)
        kind = self.rng.randrange(4)
        if kind == 0 or isinstance(v, bool):
            return {k: v}
        if kind == 1 and isinstance(v, (int, float)):
            return {k: {self.rng.choice(["$gt", "$gte", "$lt", "$lte"]): v}}
        if kind == 2:
            return {k: {"$in": [v, value_for(k, self.rng)]}}
        k2 = self.rng.choice(pool)
        return {self.rng.choice(["$and", "$or"]): [{k: {"$ne": v}}, {k2: value_for(k2, self.rng)}]}

    def query(self) -> None:
        got = self.pick()
        if got is None:
            return
        col, key = got
        dim, pool, _ = self.collections[key]
        include = self.rng.choice([["metadatas", "documents", "distances"], ["metadatas"], ["distances", "embeddings"]])
        if self.rng.random() < 0.6:
            col.query(
                query_embeddings=[self.vec(dim) for _ in range(self.rng.randint(1, 2))],
                n_results=self.rng.choice([1, 3, 5, 10]),
                where=self.where(pool),
                include=include,
            )
        else:
            col.get(
                where=self.where(pool),
                limit=self.rng.choice([None, 5, 20]),
                offset=self.rng.choice([None, 0, 2]),
                include=[i for i in include if i != "distances"] or ["metadatas"],
            )

    def read(self) -> None:
        got = self.pick()
        if got is None:
            return
        col, key = got
        k = self.rng.randrange(5)
        if k == 0:
            col.count()
        elif k == 1:
            col.peek(limit=self.rng.choice([2, 5]))
        elif k == 2:
            self.client((key[0], key[1])).list_collections(limit=self.rng.choice([None, 10]))
        elif k == 3:
            self.client((key[0], key[1])).count_collections()
        elif self.collections[key][2]:
            col.get(ids=self.rng.sample(self.collections[key][2], 1), include=["metadatas", "documents"])

    def update(self) -> None:
        got = self.pick()
        if got is None:
            return
        col, key = got
        dim, pool, ids = self.collections[key]
        k = self.rng.randrange(3)
        if k == 0 and ids:
            chosen = self.rng.sample(ids, min(len(ids), self.rng.randint(1, 3)))
            metas = [self.doc_meta(pool) or {pool[0]: value_for(pool[0], self.rng)} for _ in chosen]
            col.update(ids=chosen, metadatas=metas, embeddings=[self.vec(dim) for _ in chosen])
        elif k == 1:
            # the distance function is fixed at creation: the client refuses to change it
            keys = [k for k in keys_from(COLLECTION_KEYS, self.rng, 2) if not k.startswith("hnsw:")]
            col.modify(metadata={k: value_for(k, self.rng) for k in keys} or {"team": self.rng.choice(TEAMS)})
        else:
            new = f"{key[2].rsplit('-', 1)[0]}-{self.rng.randint(1000, 9999)}"
            col.modify(name=new)
            self.collections[(key[0], key[1], new)] = self.collections.pop(key)

    def delete(self) -> None:
        got = self.pick()
        if got is None:
            return
        col, key = got
        _, pool, ids = self.collections[key]
        if ids and self.rng.random() < 0.6:
            gone = self.rng.sample(ids, min(len(ids), self.rng.randint(1, 2)))
            col.delete(ids=gone)
            for i in gone:
                ids.remove(i)
        elif pool and self.rng.random() < 0.5:
            col.delete(where={pool[0]: value_for(pool[0], self.rng)})
        elif len(self.collections) > 3:
            self.client((key[0], key[1])).delete_collection(key[2])
            del self.collections[key]

    def errors(self) -> None:
        k = self.rng.randrange(5)
        place = self.rng.choice(self.places)
        c = self.client(place)
        try:
            if k == 0:
                c.get_collection(f"missing-{self.rng.randint(1, 999)}", embedding_function=None)
            elif k == 1 and self.collections:
                key = self.rng.choice(sorted(self.collections))
                self.client((key[0], key[1])).create_collection(key[2], embedding_function=None)
            elif k == 2 and self.collections:
                key = self.rng.choice(sorted(self.collections))
                col = self.client((key[0], key[1])).get_collection(key[2], embedding_function=None)
                col.add(ids=["bad-dim"], embeddings=[self.vec(self.collections[key][0] + 1)])
            elif k == 3 and self.collections:
                key = self.rng.choice(sorted(self.collections))
                col = self.client((key[0], key[1])).get_collection(key[2], embedding_function=None)
                col.get(where={"$bogus": [1]})
            else:
                self.admin.get_database(f"nope-{self.rng.randint(1, 99)}", tenant=place[0])
        except (ChromaError, ValueError, TypeError) as e:
            print(f"expected: {type(e).__name__}", file=sys.stderr)


def main() -> int:
    a = workload.parse(__doc__, ["host", "port"], rounds=650)
    rng = random.Random(a.seed)
    d = Drive(a.host, int(a.port), rng)
    d.client(d.places[0]).heartbeat()
    d.client(d.places[0]).get_version()
    steps = [
        (d.place, 1),
        (d.collection, 3),
        (d.add, 10),
        (d.query, 10),
        (d.read, 5),
        (d.update, 5),
        (d.delete, 3),
        (d.errors, 2),
    ]
    workload.run(rng, steps, a.rounds, a.max_seconds, tolerated=(ChromaError, ValueError))
    return 0


if __name__ == "__main__":
    sys.exit(main())
