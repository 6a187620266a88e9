"""Drive a devpi-server with its own client, the devpi CLI (and pip against its simple pages).

    python devpi_drive.py SERVER_URL --seed N [--rounds R]

Run by devpi.sh with the server's own environment. A seeded random workload of a small team: users
signing up under their names, personal and shared indexes (with bases and ACLs), uploads of wheels
they built (versions bumped over time), listings, JSON reads, pushes between indexes, removals,
pip downloads from the simple index, and the errors people hit (a missing project, a taken name).
"""

from __future__ import annotations

import base64
import hashlib
import random
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import workload  # beside this file

USERS = ("alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi")
PROJECTS = (
    "acme-utils",
    "billing-core",
    "data_tools",
    "ml.pipelines",
    "web-frontend-api",
    "infra-cli",
    "report-gen",
    "auth-sdk",
)
BIN = Path(sys.executable).parent


def wheel(folder: Path, project: str, version: str) -> Path:
    """A minimal valid wheel of one module, as a build backend would write it."""
    dist = project.replace("-", "_").replace(".", "_")
    path = folder / f"{dist}-{version}-py3-none-any.whl"
    files = {
        f"{dist}/__init__.py": f"__version__ = {version!r}\n",
        f"{dist}-{version}.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {project}\nVersion: {version}\n"
        f"Summary: {project} for the team\n",
        f"{dist}-{version}.dist-info/WHEEL": (
            "Wheel-Version: 1.0\nGenerator: realset\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    record = "".join(
        f"{n},sha256={base64.urlsafe_b64encode(hashlib.sha256(c.encode()).digest()).rstrip(b'=').decode()},{len(c)}\n"
        for n, c in files.items()
    )
    with zipfile.ZipFile(path, "w") as z:
        for n, c in files.items():
            z.writestr(n, c)
        z.writestr(f"{dist}-{version}.dist-info/RECORD", record + f"{dist}-{version}.dist-info/RECORD,,\n")
    return path


class Drive:
    def __init__(self, url: str, rng: random.Random, tmp: Path) -> None:
        self.url, self.rng, self.tmp = url.rstrip("/"), rng, tmp
        self.indexes: dict[str, list[str]] = {}  # user -> their indexes
        self.releases: dict[str, dict[str, int]] = {}  # "user/index" -> project -> last minor version

    def devpi(self, user: str, *args: str) -> bool:
        """One devpi command as USER (each user keeps their own client state, as on their machine)."""
        cmd = [str(BIN / "devpi"), "--clientdir", str(self.tmp / f"client-{user}"), *args]
        return (
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, input="", text=True).returncode
            == 0
        )

    def signup(self, user: str) -> None:
        self.devpi(user, "use", self.url)
        self.devpi(user, "user", "-c", user, f"password=pw-{user}", f"email={user}@example.org")
        self.devpi(user, "login", user, "--password", f"pw-{user}")
        self.indexes[user] = []
        self.new_index(user)

    def new_index(self, user: str) -> None:
        name = self.rng.choice(["dev", "staging", "prod", "experimental", "team"]) + f"{self.rng.randint(1, 9)}"
        bases = self.rng.choice(["bases=", f"bases={user}/{self.indexes[user][0]}" if self.indexes[user] else "bases="])
        if self.devpi(user, "index", "-c", name, bases, self.rng.choice(["volatile=True", "volatile=False"])):
            self.indexes[user].append(name)
            self.devpi(user, "use", f"{user}/{name}")

    def user(self) -> str:
        return self.rng.choice(sorted(self.indexes))

    def upload(self) -> None:
        user = self.user()
        index = f"{user}/{self.rng.choice(self.indexes[user])}"
        project = self.rng.choice(PROJECTS)
        minor = self.releases.setdefault(index, {}).get(project, -1) + 1
        self.releases[index][project] = minor
        folder = Path(tempfile.mkdtemp(dir=self.tmp))
        wheel(folder, project, f"1.{minor}.{self.rng.randint(0, 3)}")
        self.devpi(user, "use", index)
        self.devpi(user, "upload", "--from-dir", str(folder))

    def read(self) -> None:
        user = self.user()
        index = f"{user}/{self.rng.choice(self.indexes[user])}"
        self.devpi(user, "use", index)
        k = self.rng.randrange(6)
        if k == 0:
            self.devpi(user, "list")
        elif k == 1 and self.releases.get(index):
            self.devpi(user, "list", self.rng.choice(sorted(self.releases[index])))
        elif k == 2:
            self.devpi(
                user,
                "getjson",
                self.rng.choice([f"/{index}", f"/{user}", "/", f"/{index}/{self.rng.choice(PROJECTS)}"]),
            )
        elif k == 3:
            self.devpi(user, "index", "-l")
        elif k == 4:
            self.devpi(user, "user", "-l")
        elif self.releases.get(index):
            subprocess.run(
                [
                    str(BIN / "pip"),
                    "download",
                    "-q",
                    "--no-deps",
                    "-d",
                    str(self.tmp / "dl"),
                    "-i",
                    f"{self.url}/{index}/+simple/",
                    self.rng.choice(sorted(self.releases[index])),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )

    def modify(self) -> None:
        user = self.user()
        index = f"{user}/{self.rng.choice(self.indexes[user])}"
        k = self.rng.randrange(5)
        if k == 0:
            self.new_index(user)
        elif k == 1:
            friend = self.rng.choice(sorted(self.indexes))
            self.devpi(user, "index", index, f"acl_upload={user},{friend}")
        elif k == 2:
            self.devpi(user, "user", "-m", user, f"email={user}+{self.rng.randint(1, 99)}@example.org")
        elif k == 3 and self.releases.get(index):
            project = self.rng.choice(sorted(self.releases[index]))
            other = f"{user}/{self.rng.choice(self.indexes[user])}"
            self.devpi(user, "use", index)
            self.devpi(user, "push", f"{project}==1.{self.releases[index][project]}.0", other)
        elif self.releases.get(index):
            project = self.rng.choice(sorted(self.releases[index]))
            self.devpi(user, "use", index)
            if self.devpi(user, "remove", "-y", project):
                del self.releases[index][project]

    def errors(self) -> None:
        user = self.user()
        k = self.rng.randrange(3)
        if k == 0:
            self.devpi(user, "getjson", f"/{user}/nope{self.rng.randint(1, 99)}")
        elif k == 1:
            self.devpi(user, "user", "-c", self.rng.choice(sorted(self.indexes)), "password=x")
        else:
            self.devpi(user, "list", f"missing-{self.rng.randint(1, 99)}")


def main() -> int:
    a = workload.parse(__doc__, ["url"], rounds=260)
    rng = random.Random(a.seed)
    with tempfile.TemporaryDirectory() as tmp:
        d = Drive(a.url, rng, Path(tmp))
        for user in rng.sample(USERS, 5):
            d.signup(user)
        workload.run(rng, [(d.upload, 8), (d.read, 10), (d.modify, 4), (d.errors, 2)], a.rounds, a.max_seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
