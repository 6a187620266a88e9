"""Drive a Verdaccio registry with the npm CLI.

    python verdaccio_drive.py REGISTRY_URL --seed N [--rounds R]

Run by verdaccio.sh. A seeded random workload of a few developers: each signs up (the request `npm
adduser` sends, made here since adduser only prompts), then publishes packages under names they
choose (scoped and not), bumps versions, tags, deprecates, unpublishes, installs them into projects,
views and searches, and hits the errors people hit (a version already published, a missing package,
someone else's package).
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

import workload  # beside this file

USERS = ("alice", "bob", "carol", "dave", "erin", "frank", "grace")
NAMES = (
    "left-pad-plus",
    "ui-kit",
    "date-utils",
    "api-client",
    "config-loader",
    "eslint-config-acme",
    "logger",
    "feature-flags",
    "i18n-strings",
    "charts",
)


class Drive:
    def __init__(self, url: str, rng: random.Random, tmp: Path, users: int) -> None:
        self.url, self.rng, self.tmp, self.users = url.rstrip("/") + "/", rng, tmp, users
        self.published: dict[str, tuple[str, list[str]]] = {}  # package -> (owner, versions)

    def npm(self, user: str, *args: str, cwd: Path | None = None) -> bool:
        cmd = [
            "npm",
            *args,
            "--registry",
            self.url,
            "--userconfig",
            str(self.tmp / f"{user}.npmrc"),
            "--cache",
            str(self.tmp / "npm-cache"),
            "--no-audit",
            "--no-fund",
            "--loglevel",
            "error",
        ]
        return (
            subprocess.run(
                cmd, cwd=cwd or self.tmp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL
            ).returncode
            == 0
        )

    def signup(self, user: str) -> None:
        body = json.dumps(
            {
                "_id": f"org.couchdb.user:{user}",
                "name": user,
                "password": f"pw-{user}-123",
                "type": "user",
                "roles": [],
                "date": "2026-01-01T00:00:00.000Z",
            }
        ).encode()
        req = urllib.request.Request(
            f"{self.url}-/user/org.couchdb.user:{user}",
            data=body,
            method="PUT",
            headers={"content-type": "application/json", "npm-command": "adduser"},
        )
        with urllib.request.urlopen(req, timeout=30) as r:
            token = json.loads(r.read())["token"]
        host = self.url.split("://", 1)[1]
        (self.tmp / f"{user}.npmrc").write_text(f"//{host}:_authToken={token}\n")
        self.npm(user, "whoami")

    def user(self) -> str:
        return self.rng.choice(USERS[: self.users])

    def publish(self) -> None:
        user = self.user()
        mine = [p for p, (o, _) in self.published.items() if o == user]
        if mine and self.rng.random() < 0.6:
            name = self.rng.choice(mine)
        else:
            base = self.rng.choice(NAMES)
            name = f"@{user}/{base}" if self.rng.random() < 0.5 else f"{base}-{self.rng.randint(1, 999)}"
        versions = self.published.get(name, (user, []))[1]
        version = f"1.{len(versions)}.0" + ("-beta.1" if self.rng.random() < 0.15 else "")
        folder = Path(tempfile.mkdtemp(dir=self.tmp))
        manifest: dict[str, object] = {
            "name": name,
            "version": version,
            "description": f"{name} by {user}",
            "main": "index.js",
            "license": self.rng.choice(["MIT", "ISC", "Apache-2.0"]),
            "keywords": self.rng.sample(NAMES, 2),
        }
        if self.published and self.rng.random() < 0.3:
            dep = self.rng.choice(sorted(self.published))
            manifest["dependencies"] = {dep: "^" + self.published[dep][1][0]} if self.published[dep][1] else {}
        (folder / "package.json").write_text(json.dumps(manifest))
        (folder / "index.js").write_text(f"module.exports = {version!r};\n")
        tag = ["--tag", "beta"] if "beta" in version else []
        if self.npm(user, "publish", *tag, cwd=folder):
            self.published.setdefault(name, (user, []))[1].append(version)

    def read(self) -> None:
        if not self.published:
            return
        user, name = self.user(), self.rng.choice(sorted(self.published))
        k = self.rng.randrange(5)
        if k == 0:
            self.npm(user, "view", name, "--json")
        elif k == 1:
            self.npm(user, "view", name, self.rng.choice(["versions", "dist-tags", "description"]))
        elif k == 2:
            self.npm(user, "dist-tag", "ls", name)
        elif k == 3:
            self.npm(user, "search", self.rng.choice(NAMES).split("-")[0], "--json")
        else:
            project = Path(tempfile.mkdtemp(dir=self.tmp))
            (project / "package.json").write_text(json.dumps({"name": "app", "version": "0.0.0", "private": True}))
            # a project depends on a few of the team's packages: one install fetches them all
            names = self.rng.sample(sorted(self.published), min(len(self.published), self.rng.randint(1, 5)))
            self.npm(user, "install", *names, cwd=project)

    def manage(self) -> None:
        if not self.published:
            return
        name = self.rng.choice(sorted(self.published))
        owner, versions = self.published[name]
        if not versions:
            return
        k = self.rng.randrange(4)
        if k == 0:
            self.npm(
                owner,
                "dist-tag",
                "add",
                f"{name}@{self.rng.choice(versions)}",
                self.rng.choice(["next", "stable", "canary"]),
            )
        elif k == 1:
            self.npm(
                owner,
                "deprecate",
                f"{name}@{versions[0]}",
                self.rng.choice(["use 2.x", "security fix in newer", "renamed"]),
            )
        elif k == 2 and len(versions) > 1:
            version = versions.pop()
            self.npm(owner, "unpublish", f"{name}@{version}", "--force")
        else:
            self.npm(owner, "owner", "ls", name)

    def errors(self) -> None:
        user = self.user()
        k = self.rng.randrange(3)
        if k == 0:
            self.npm(user, "view", f"no-such-package-{self.rng.randint(1, 999)}")
        elif k == 1 and self.published:
            name = self.rng.choice(sorted(self.published))
            self.npm(user, "dist-tag", "rm", name, "next")
        else:
            self.npm(user, "view", f"@{user}/missing-{self.rng.randint(1, 99)}")


def main() -> int:
    a = workload.parse(__doc__, ["url"], rounds=420)
    rng = random.Random(a.seed)
    with tempfile.TemporaryDirectory() as tmp:
        d = Drive(a.url, rng, Path(tmp), users=rng.randint(4, len(USERS)))
        for user in USERS[: d.users]:
            d.signup(user)
        workload.run(rng, [(d.publish, 8), (d.read, 12), (d.manage, 4), (d.errors, 2)], a.rounds, a.max_seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
