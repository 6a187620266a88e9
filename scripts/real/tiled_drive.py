"""Drive a Tiled server (a catalog on SQLite, data written to a local dir) through its own Python client.

    python tiled_drive.py SERVER_URL API_KEY --seed N [--rounds R] [--max-seconds S]

Run by tiled.sh in the server's environment (the client is the same package, `tiled.client`). A few
labs' scientific data service: containers under the names groups give them (`beamline 7-BM`,
`cryo-EM 2026`, `Lima lab`), nested by sample and run (`Si-wafer_03/run 12`: every node's path is its keys,
so names people choose sit in every path, one segment or several), holding arrays (detector frames,
spectra; read whole, by block and sliced, patched), tables (fly scans with the columns each instrument
names, `energy (keV)`, `I0`; read whole, by partition and by column, appended to), sparse arrays and
awkward arrays; metadata keyed by what each group picks (`PI`, `sample.formula`, `exposure (s)`,
`proposal-id`), updated in part (JSON merge and JSON patch), replaced, its revisions read and dropped;
searches with Tiled's queries (Key comparisons, FullText, Contains, In, Regex), distinct values, sorted
and paged listings, exports (CSV, JSON, HDF5), deletes; and the errors people hit (a key that is taken,
a node that is gone, a slice out of range, a query on a key nobody wrote, a wrong API key).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

import awkward as ak
import httpx
import numpy as np
import pandas as pd
from tiled.client import from_uri
from tiled.queries import Comparison, Contains, FullText, In, Key, Regex

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workload import parse, run

LABS = ["beamline 7-BM", "cryo-EM 2026", "Lima lab", "ISS_8-ID", "materials.discovery"]
SAMPLES = ["Si-wafer_03", "LiFePO4 batch B", "protein-kinase_A", "graphene (CVD)", "NMC811", "zeolite Y"]
PEOPLE = ["Ana Lima", "Ben Carter", "Chloé Dubois", "Dev Patel", "Hiro Tanaka", "Kemi Adeyemi"]
META_KEYS = [
    "PI",
    "sample.formula",
    "exposure (s)",
    "proposal-id",
    "beam_energy_keV",
    "operator",
    "detector",
    "temperature_K",
    "notes",
]
COLUMNS = ["energy (keV)", "I0", "It", "If", "mu(E)", "time_s", "theta_deg", "ring current (mA)"]
WORDS = ["calibration", "dark", "flat", "overnight", "retake", "alignment", "tomo", "XANES", "XRD", "good"]


class Lab:
    def __init__(self, url: str, key: str, seed: int) -> None:
        self.url, self.api_key = url, key
        self.rng = random.Random(seed)
        self.client = from_uri(url, api_key=key)
        self.nodes: dict[str, list[str]] = {"container": [], "array": [], "table": [], "sparse": [], "awkward": []}
        self.n = 0

    # -- helpers ---------------------------------------------------------------------------------------
    def meta(self, k: int | None = None) -> dict[str, Any]:
        r = self.rng
        out: dict[str, Any] = {}
        for key in r.sample(META_KEYS, k or r.randint(2, 5)):
            out[key] = {
                "PI": r.choice(PEOPLE),
                "sample.formula": r.choice(["Si", "LiFePO4", "C", "Al2O3"]),
                "exposure (s)": round(r.uniform(0.01, 5), 3),
                "proposal-id": f"GUP-{r.randint(70000, 79999)}",
                "beam_energy_keV": round(r.uniform(5, 30), 2),
                "operator": r.choice(PEOPLE),
                "detector": r.choice(["Eiger2 X 9M", "Pilatus 300K", "Vortex ME4"]),
                "temperature_K": r.choice([4, 77, 295, 300.5]),
                "notes": " ".join(r.sample(WORDS, 3)),
            }[key]
        if r.random() < 0.3:
            out["motors"] = {
                m: round(r.uniform(-10, 10), 3) for m in r.sample(["sx", "sy", "sz", "phi", "chi", "omega"], 3)
            }
        if r.random() < 0.3:
            out["tags"] = r.sample(WORDS, r.randint(1, 3))
        return out

    def node(self, path: str) -> Any:
        return self.client[path]

    def pick(self, kind: str) -> str | None:
        return self.rng.choice(self.nodes[kind]) if self.nodes[kind] else None

    def parent(self) -> Any:
        path = self.pick("container")
        return self.client if path is None else self.node(path)

    def key(self, stem: str) -> str:
        self.n += 1
        return f"{stem}_{self.n:03d}" if self.rng.random() < 0.6 else f"{stem} {self.n}"

    def add(self, kind: str, parent: Any, key: str) -> None:
        prefix = "/".join(parent.path_parts)
        self.nodes[kind].append(f"{prefix}/{key}" if prefix else key)

    # -- steps -----------------------------------------------------------------------------------------
    def setup(self) -> None:
        for lab in LABS:
            self.client.create_container(
                lab, metadata=self.meta(), specs=[] if self.rng.random() < 0.5 else ["BlueskyRun"]
            )
            self.nodes["container"].append(lab)
        for _ in range(4):
            self.add_container()
        for _ in range(6):
            self.add_array()
            self.add_table()

    def add_container(self) -> None:
        parent = self.parent()
        if len(parent.path_parts) > 2:
            parent = self.node(parent.path_parts[0])
        stem = self.rng.choice(SAMPLES) if len(parent.path_parts) < 2 else "run"
        key = self.key(stem)
        parent.create_container(key, metadata=self.meta())
        self.add("container", parent, key)

    def add_array(self) -> None:
        r, parent = self.rng, self.parent()
        shape = r.choice([(r.randint(8, 64),), (r.randint(4, 16), r.randint(4, 16)), (3, 8, 8)])
        data = (
            np.random.default_rng(r.randint(0, 9999))
            .normal(size=shape)
            .astype(r.choice(["float64", "float32", "int32", "uint16"]))
        )
        key = self.key(r.choice(["frame", "spectrum", "dark", "flat", "image"]))
        dims = ["x"] if len(shape) == 1 else None
        parent.write_array(data, key=key, metadata=self.meta(), dims=dims)
        self.add("array", parent, key)

    def add_table(self) -> None:
        r, parent = self.rng, self.parent()
        cols = r.sample(COLUMNS, r.randint(2, 5))
        rows = r.randint(5, 40)
        gen = np.random.default_rng(r.randint(0, 9999))
        df = pd.DataFrame({c: gen.normal(size=rows) for c in cols})
        if r.random() < 0.3:
            df["comment"] = [r.choice(WORDS) for _ in range(rows)]
        key = self.key(r.choice(["flyscan", "xas scan", "baseline", "temperature log"]))
        parent.write_table(df, key=key, metadata=self.meta())
        self.add("table", parent, key)

    def add_other(self) -> None:
        r, parent = self.rng, self.parent()
        if r.random() < 0.5:
            coords = np.array([[r.randint(0, 9) for _ in range(4)], [r.randint(0, 9) for _ in range(4)]])
            key = self.key("mask")
            parent.write_sparse(coords=coords, data=np.arange(4.0), shape=(10, 10), key=key, metadata=self.meta(2))
            self.add("sparse", parent, key)
        else:
            key = self.key("peaks")
            arr = ak.Array([{"x": float(i), "hits": list(range(i % 4))} for i in range(r.randint(2, 8))])
            parent.write_awkward(arr, key=key, metadata=self.meta(2))
            self.add("awkward", parent, key)

    def read_array(self) -> None:
        path = self.pick("array")
        if path is None:
            return self.add_array()
        a = self.node(path)
        r = self.rng
        x = r.randint(0, 4)
        if x == 0:
            a.read()
        elif x == 1:
            a[0 : r.randint(1, a.shape[0])]
        elif x == 2 and a.ndim > 1:
            a[r.randint(0, a.shape[0] - 1), :]
        elif x == 3:
            a.read_block((0,) * a.ndim)
        else:
            a.export(str(Path("/tmp") / f"tiled-{id(a)}.csv"), format="text/csv") if a.ndim <= 2 else a.read()

    def write_array(self) -> None:
        path = self.pick("array")
        if path is None:
            return self.add_array()
        a = self.node(path)
        data = np.random.default_rng(self.rng.randint(0, 9999)).normal(size=a.shape).astype(a.dtype)
        if self.rng.random() < 0.5:
            a.write(data)
        else:
            a.write_block(data, block=(0,) * a.ndim)

    def read_table(self) -> None:
        path = self.pick("table")
        if path is None:
            return self.add_table()
        t = self.node(path)
        x = self.rng.randint(0, 3)
        if x == 0:
            t.read()
        elif x == 1:
            t.read(columns=self.rng.sample(list(t.columns), 1))
        elif x == 2:
            t.read_partition(0)
        else:
            t[self.rng.choice(list(t.columns))]

    def search(self) -> None:
        r = self.rng
        c = self.parent()
        key = r.choice([*META_KEYS, "motors.sx", "tags", "no.such.key"])
        q = r.choice(
            [
                lambda: Key(key) == r.choice([*PEOPLE, "Si", "C"]),
                lambda: Comparison(r.choice(["lt", "gt", "le", "ge"]), key, round(r.uniform(0, 30), 2)),
                lambda: FullText(r.choice(WORDS + PEOPLE[:2])),
                lambda: Contains("tags", r.choice(WORDS)),
                lambda: In(key, r.sample(PEOPLE, 2)),
            ]
            + [lambda: Regex(key, r.choice(["^GUP-7", "Eiger.*", "L[io]"]))] * (r.random() < 0.3)
        )()
        result = c.search(q)
        if r.random() < 0.5:
            # Tiled sorts by keys of letters, digits, dots and underscores: a key with a space is a 422
            by = r.choice(["PI", "operator", "beam_energy_keV", "temperature_K", "motors.sx", "exposure (s)"])
            result = result.sort((by, r.choice([1, -1])))
        list(result.keys()[: r.randint(1, 20)])
        if r.random() < 0.3:
            c.distinct(r.choice(META_KEYS), counts=r.random() < 0.5)

    def listing(self) -> None:
        c = self.parent()
        r = self.rng
        x = r.randint(0, 3)
        if x == 0:
            list(c)
        elif x == 1:
            list(c.items()[: r.randint(1, 5)])
        elif x == 2:
            c.values().first() if len(c) else None
        else:
            c.refresh()
            dict(c.metadata)

    def update_meta(self) -> None:
        kind = self.rng.choice(["container", "array", "table", "array"])
        path = self.pick(kind)
        if path is None:
            return self.add_container()
        n = self.node(path)
        r = self.rng
        x = r.randint(0, 3)
        if x <= 1:
            n.update_metadata(metadata=self.meta(r.randint(1, 2)), drop_revision=r.random() < 0.3)
        elif x == 2:
            n.replace_metadata(metadata=self.meta())
        else:
            n.patch_metadata(
                metadata_patch=[
                    {
                        "op": "add",
                        "path": f"/{r.choice(['status', 'quality', 'reviewed_by'])}",
                        "value": r.choice(WORDS + PEOPLE),
                    }
                ]
            )

    def revisions(self) -> None:
        path = self.pick(self.rng.choice(["container", "array", "table"]))
        if path is None:
            return self.add_container()
        revs = self.node(path).metadata_revisions
        if len(revs) and self.rng.random() < 0.3:
            revs.delete_revision(revs[0]["revision_number"])
        elif len(revs):
            revs[0:3]

    def delete(self) -> None:
        kind = self.rng.choice(["array", "table", "array", "sparse", "awkward", "container"])
        if len(self.nodes[kind]) < (6 if kind == "container" else 3):
            return self.add_other() if kind in ("sparse", "awkward") else self.add_array()
        path = self.rng.choice(self.nodes[kind])
        if kind == "container" and path in LABS:
            return
        self.node(path).delete(recursive=True, external_only=False)
        for k, paths in self.nodes.items():
            self.nodes[k] = [p for p in paths if p != path and not p.startswith(path + "/")]

    def mistakes(self) -> None:
        r = self.rng
        x = r.randint(0, 4)
        try:
            if x == 0 and self.nodes["array"]:
                path = r.choice(self.nodes["array"])
                parent = self.node(path.rpartition("/")[0]) if "/" in path else self.client
                parent.write_array(np.zeros(3), key=path.rpartition("/")[2])
            elif x == 1:
                self.client[f"{r.choice(LABS)}/{r.choice(SAMPLES)}_999"]
            elif x == 2 and self.nodes["array"]:
                a = self.node(r.choice(self.nodes["array"]))
                a.read_block((99,) * a.ndim)
            elif x == 3:
                from_uri(self.url, api_key="wrong-key-123")
            else:
                self.parent().search(Key("exposure (s)") > "abc").keys().first()
        except (KeyError, httpx.HTTPStatusError, ValueError, RuntimeError) as e:
            print(f"expected: {type(e).__name__}: {str(e)[:100]}", file=sys.stderr)

    def steps(self) -> list[tuple[Any, float]]:
        return [
            (self.add_container, 4),
            (self.add_array, 10),
            (self.add_table, 8),
            (self.add_other, 3),
            (self.read_array, 12),
            (self.write_array, 5),
            (self.read_table, 9),
            (self.search, 12),
            (self.listing, 10),
            (self.update_meta, 10),
            (self.revisions, 4),
            (self.delete, 5),
            (self.mistakes, 4),
        ]


def main() -> None:
    a = parse(__doc__, ["url", "key"], 700)
    lab = Lab(a.url, a.key, a.seed)
    np.random.seed(a.seed)
    lab.setup()
    run(
        lab.rng,
        lab.steps(),
        a.rounds,
        a.max_seconds,
        tolerated=(KeyError, httpx.HTTPStatusError, ValueError, IndexError, RuntimeError, TypeError),
    )


if __name__ == "__main__":
    main()
