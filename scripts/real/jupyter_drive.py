"""Drive a jupyter_server through its REST API (contents, checkpoints, sessions, kernels, terminals).

    python jupyter_drive.py BASE_URL TOKEN --seed N [--rounds R]

Run by jupyter.sh with the server's own environment. jupyter_server publishes no Python REST client, so
this speaks its documented REST API (the same calls JupyterLab's services make) with requests. A seeded
random workload: directories and notebooks under names a person picks, saves, renames, copies,
checkpoints, sessions with kernels, terminals, and the errors people run into (404, 409, 400).
"""

from __future__ import annotations

import random
import sys

import requests
import workload  # beside this file

WORDS = (
    "analysis",
    "draft",
    "report",
    "Q3 sales",
    "experiments",
    "notes",
    "scratch",
    "demo",
    "étude",
    "thesis",
    "ml-model",
    "data_clean",
    "plots",
    "2024-review",
    "team.shared",
)


def notebook(rng: random.Random) -> dict[str, object]:
    cells = []
    for i in range(rng.randint(1, 5)):
        kind = rng.choice(["code", "markdown"])
        cell: dict[str, object] = {"cell_type": kind, "metadata": {}, "source": f"# cell {i}\nx = {rng.randint(0, 99)}"}
        if kind == "code":
            cell.update(execution_count=None, outputs=[])
        cells.append(cell)
    return {
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


class Drive:
    def __init__(self, base: str, token: str, rng: random.Random) -> None:
        self.base, self.rng = base.rstrip("/"), rng
        self.s = requests.Session()
        self.s.headers["Authorization"] = f"token {token}"
        self.files: list[str] = []
        self.dirs: list[str] = [""]

    def call(self, method: str, path: str, **kw: object) -> requests.Response:
        return self.s.request(method, self.base + path, timeout=60, **kw)  # type: ignore[arg-type]

    def name(self) -> str:
        return f"{self.rng.choice(WORDS)} {self.rng.randint(1, 999)}"

    def mkdir(self) -> None:
        # folders nest up to three deep, as people keep them (not ever deeper with each new one)
        parent = self.rng.choice([d for d in self.dirs if d.count("/") < 2])
        path = f"{parent}/{self.name()}".lstrip("/")
        if self.call("PUT", f"/api/contents/{path}", json={"type": "directory"}).ok:
            self.dirs.append(path)

    def new_file(self) -> None:
        parent = self.rng.choice(self.dirs)
        if self.rng.random() < 0.3:  # an untitled file, named by the server
            r = self.call(
                "POST", f"/api/contents/{parent}", json={"type": self.rng.choice(["notebook", "file"]), "ext": ".py"}
            )
            if r.ok:
                self.files.append(r.json()["path"])
            return
        kind = self.rng.choice(["notebook", "file", "file"])
        ext = ".ipynb" if kind == "notebook" else self.rng.choice([".py", ".txt", ".csv", ".md"])
        path = f"{parent}/{self.name()}{ext}".lstrip("/")
        body: dict[str, object] = {
            "type": kind,
            "format": "json" if kind == "notebook" else "text",
            "content": notebook(self.rng) if kind == "notebook" else "a,b\n1,2\n" * self.rng.randint(1, 20),
        }
        if self.call("PUT", f"/api/contents/{path}", json=body).ok:
            self.files.append(path)

    def read(self) -> None:
        path = self.rng.choice(self.files or [""])
        params = self.rng.choice([{}, {"content": "0"}, {"content": "1"}, {"type": "file", "format": "text"}])
        self.call("GET", f"/api/contents/{path}", params=params)

    def listing(self) -> None:
        self.call("GET", f"/api/contents/{self.rng.choice(self.dirs)}", params=self.rng.choice([{}, {"content": "1"}]))

    def rename(self) -> None:
        if not self.files:
            return
        old = self.rng.choice(self.files)
        new = f"{old.rsplit('/', 1)[0] + '/' if '/' in old else ''}{self.name()}.{old.rsplit('.', 1)[-1]}"
        if self.call("PATCH", f"/api/contents/{old}", json={"path": new}).ok:
            self.files[self.files.index(old)] = new

    def copy(self) -> None:
        if self.files:
            r = self.call(
                "POST", f"/api/contents/{self.rng.choice(self.dirs)}", json={"copy_from": self.rng.choice(self.files)}
            )
            if r.ok:
                self.files.append(r.json()["path"])

    def checkpoints(self) -> None:
        if not self.files:
            return
        path = self.rng.choice(self.files)
        r = self.call("POST", f"/api/contents/{path}/checkpoints")
        self.call("GET", f"/api/contents/{path}/checkpoints")
        if r.ok and self.rng.random() < 0.5:
            cid = r.json()["id"]
            self.call("POST", f"/api/contents/{path}/checkpoints/{cid}")
            if self.rng.random() < 0.5:
                self.call("DELETE", f"/api/contents/{path}/checkpoints/{cid}")

    def delete(self) -> None:
        if self.files:
            path = self.files.pop(self.rng.randrange(len(self.files)))
            self.call("DELETE", f"/api/contents/{path}")

    def errors(self) -> None:
        kind = self.rng.randrange(5)
        if kind == 0:
            self.call("GET", f"/api/contents/{self.name()}/missing.ipynb")
        elif kind == 1 and self.files:
            self.call(
                "PATCH", f"/api/contents/{self.rng.choice(self.files)}", json={"path": self.rng.choice(self.files)}
            )
        elif kind == 2:
            self.call("GET", f"/api/kernels/{self.rng.getrandbits(128):032x}")
        elif kind == 3:
            self.call("DELETE", f"/api/sessions/{self.rng.getrandbits(128):032x}")
        else:
            self.call(
                "PUT", f"/api/contents/{self.name()}/x.txt", json={"type": "file", "format": "text", "content": "x"}
            )

    def kernels_and_sessions(self) -> None:
        nbs = [f for f in self.files if f.endswith(".ipynb")]
        if not nbs:
            return
        path = self.rng.choice(nbs)
        r = self.call(
            "POST",
            "/api/sessions",
            json={"path": path, "name": path.rsplit("/", 1)[-1], "type": "notebook", "kernel": {"name": "python3"}},
        )
        if not r.ok:
            return
        sid, kid = r.json()["id"], r.json()["kernel"]["id"]
        for _ in range(self.rng.randint(1, 4)):
            self.call(
                "GET", self.rng.choice([f"/api/sessions/{sid}", "/api/sessions", f"/api/kernels/{kid}", "/api/kernels"])
            )
        if self.rng.random() < 0.5:
            self.call("PATCH", f"/api/sessions/{sid}", json={"path": path, "name": self.name()})
        if self.rng.random() < 0.3:
            self.call("POST", f"/api/kernels/{kid}/interrupt")
        if self.rng.random() < 0.2:
            self.call("POST", f"/api/kernels/{kid}/restart")
        self.call("DELETE", f"/api/sessions/{sid}")

    def terminal(self) -> None:
        r = self.call("POST", "/api/terminals", json={"cwd": ""})
        if r.ok:
            name = r.json()["name"]
            self.call("GET", f"/api/terminals/{name}")
            self.call("GET", "/api/terminals")
            self.call("DELETE", f"/api/terminals/{name}")

    def misc(self) -> None:
        self.call(
            "GET",
            self.rng.choice(
                [
                    "/api/status",
                    "/api/kernelspecs",
                    "/api/me",
                    "/api/kernelspecs/python3",
                    "/api",
                    "/api/config/notebook",
                    "/api/contents",
                ]
            ),
        )


def main() -> int:
    a = workload.parse(__doc__, ["base", "token"], rounds=1300)
    rng = random.Random(a.seed)
    d = Drive(a.base, a.token, rng)
    for _ in range(4):
        d.mkdir()
    steps = [
        (d.mkdir, 4),
        (d.new_file, 16),
        (d.read, 20),
        (d.listing, 10),
        (d.rename, 6),
        (d.copy, 4),
        (d.checkpoints, 6),
        (d.delete, 6),
        (d.errors, 6),
        (d.kernels_and_sessions, 1.5),
        (d.terminal, 1),
        (d.misc, 6),
    ]
    workload.run(rng, steps, a.rounds, a.max_seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
