"""Drive a Quetz server (mamba-org's conda package server) through its own client, quetz-client.

    python quetz_drive.py SERVER_URL API_KEY USERS --seed N [--rounds R] [--max-seconds S]

Run by quetz.sh with the venv's python (quetz-client installed beside the server). USERS is a comma list of
the handles the recipe made. A team's conda channels, as `quetz-client` and Quetz's web frontend (requests,
the same API key) work them: channels under names people pick (`robotics`, `ml-nightly`, `acme.internal`,
`qa-builds`), made public or private, renamed in their description, their size limit and ttl changed;
members and server roles given and taken; conda packages (built here: a `.tar.bz2` with its
`info/index.json`) uploaded for several platforms (`noarch`, `linux-64`, `osx-arm64`, `win-64`), through the
client's upload and the frontend's multipart form; packages, versions and package members listed, read,
searched, paged and deleted; the channel's index files and package files downloaded as conda does; API
keys with channel and package roles made, listed and deleted; errors (a channel or package that is not
there: 404, a name taken: 409, a role that is none: 422, a file that is no package: 400).
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import sys
import tarfile
from pathlib import Path
from typing import Any

import requests
from quetz_client.client import QuetzClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workload import parse, run

CHANNELS = ("robotics", "ml-nightly", "acme.internal", "qa-builds", "bioinfo-lab", "conda-forge-staging",
            "team-data", "edge.devices", "hpc.cluster", "gpu-stack", "sandbox", "release-2026")
PACKAGES = ("acme-utils", "ros-humble-nav2-lite", "numpy-shim", "libfoo", "r-tidyverse-lite", "xtensor-mini",
            "pytorch-cpu-shim", "samtools-lite", "py-geo-tools", "data_loader", "ml.pipelines", "openssl-compat",
            "fastq-qc", "lidar-driver")
PLATFORMS = ("noarch", "linux-64", "osx-arm64", "win-64", "linux-aarch64")
ROLES = ("owner", "maintainer", "member")
LICENSES = ("MIT", "BSD-3-Clause", "Apache-2.0", "GPL-3.0-or-later", "proprietary")
WORDS = ("builds", "nightly", "internal", "mirror", "lab", "team", "release", "staging", "tools", "drivers")


def conda_package(name: str, version: str, build_number: int, subdir: str, rng: random.Random) -> tuple[bytes, str]:
    """A conda package as conda-build writes one, with just the metadata Quetz reads; and its build string."""
    build = f"py_{build_number}" if subdir == "noarch" else f"h{rng.getrandbits(28):07x}_{build_number}"
    index = {"name": name, "version": version, "build": build, "build_number": build_number,
             "depends": rng.sample(["python >=3.9", "numpy >=1.22", "libstdcxx-ng >=12", "openssl >=3.0,<4.0a0",
                                    "zlib >=1.2.13", "requests"], rng.randint(0, 3)),
             "license": rng.choice(LICENSES), "subdir": subdir, "timestamp": 1767225600000 + build_number}
    if subdir == "noarch":
        index["noarch"] = "python"
    else:
        index["platform"], index["arch"] = subdir.split("-")[0], subdir.split("-")[1]
    about = {"summary": f"{name} {rng.choice(WORDS)} package", "home": f"https://example.org/{name}",
             "license": index["license"]}
    files = {"info/index.json": json.dumps(index), "info/about.json": json.dumps(about),
             "info/files": f"lib/{name}/__init__.py\n",
             f"lib/{name}/__init__.py": f"__version__ = '{version}'\n"}
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:bz2") as tar:
        for path, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(path)
            info.size, info.mtime = len(data), 1767225600
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue(), build


class Drive:
    def __init__(self, url: str, key: str, users: list[str], rng: random.Random, scratch: Path) -> None:
        self.c = QuetzClient.from_token(url, key)
        self.s: requests.Session = self.c.session
        self.url = url
        self.rng = rng
        self.users = users
        self.scratch = scratch
        self.channels: list[str] = []
        self.files: dict[str, list[tuple[str, str, str]]] = {}  # channel -> (package, platform, filename)
        self.keys: list[str] = []

    def get(self, path: str, **params: Any) -> Any:
        r = self.s.get(self.url + path, params=params or None)
        return r.json() if r.headers.get("content-type", "").startswith("application/json") else r.content

    def channel(self) -> str:
        if not self.channels:
            self.new_channel()
        return self.rng.choice(self.channels)

    def new_channel(self) -> None:
        free = [c for c in CHANNELS if c not in self.channels]
        if not free:
            return self.read_channel()
        name = self.rng.choice(free)
        kw: dict[str, Any] = {"private": self.rng.random() < 0.3,
                              "description": f"{name.replace('-', ' ')} {self.rng.choice(WORDS)}"}
        if self.rng.random() < 0.3:
            kw["size_limit"] = self.rng.choice((10_000_000, 500_000_000, 2_000_000_000))
        self.c.set_channel(name, **kw)
        self.channels.append(name)
        self.files[name] = []

    def read_channel(self) -> None:
        r = self.rng.random()
        if r < 0.3:
            self.get(f"/api/channels/{self.channel()}")
        elif r < 0.45:
            [ch.name for ch in self.c.yield_channels(limit=self.rng.choice((5, 10, 20)))]
        elif r < 0.6:
            self.get("/api/channels", q=self.rng.choice(("", "lab", "nightly", "a")))
        elif r < 0.7:
            self.get("/api/channels/search/", q=self.rng.choice(("robot", "ml", "team", "qa", "zzz")))
        elif r < 0.8:
            self.get(f"/metrics/channels/{self.channel()}")
        else:
            ch = self.channel()
            body: dict[str, Any] = {"name": ch, "description": f"{ch} {self.rng.choice(WORDS)} channel"}
            if self.rng.random() < 0.4:
                body["private"] = self.rng.random() < 0.5
            if self.rng.random() < 0.3:
                body["ttl"] = self.rng.choice((600, 3600, 36000))
            self.s.patch(f"{self.url}/api/channels/{ch}", json=body).raise_for_status()

    def members(self) -> None:
        ch, user = self.channel(), self.rng.choice(self.users)
        r = self.rng.random()
        if r < 0.45:
            self.c.set_channel_member(user, self.rng.choice(ROLES), ch)
        elif r < 0.8:
            [(m.user.username, m.role) for m in self.c.yield_channel_members(ch)]
        else:
            self.s.delete(f"{self.url}/api/channels/{ch}/members", params={"username": user})

    def users_(self) -> None:
        user = self.rng.choice(self.users)
        r = self.rng.random()
        if r < 0.2:
            self.c.set_role(user, self.rng.choice(("member", "maintainer", "member")))
        elif r < 0.35:
            list(self.c.get_role(user))
        elif r < 0.5:
            [u.username for u in self.c.yield_users(query=self.rng.choice(("", "a", "smith", "dev")),
                                                    limit=self.rng.choice((5, 10)))]
        elif r < 0.65:
            self.get(f"/api/users/{user}")
        elif r < 0.8:
            self.get(f"/api/users/{user}/channels")
        elif r < 0.9:
            self.get(f"/api/paginated/users/{user}/packages", skip=0, limit=10)
        else:
            self.get("/api/users", q=self.rng.choice(("", "an", "o")))

    def upload(self) -> None:
        ch = self.channel()
        name, subdir = self.rng.choice(PACKAGES), self.rng.choice(PLATFORMS)
        version = f"{self.rng.randint(0, 3)}.{self.rng.randint(0, 12)}.{self.rng.randint(0, 9)}"
        data, build = conda_package(name, version, self.rng.randint(0, 3), subdir, self.rng)
        filename = f"{name}-{version}-{build}.tar.bz2"
        if self.rng.random() < 0.6:
            path = self.scratch / filename
            path.write_bytes(data)
            self.c.post_file_to_channel(ch, path, force=self.rng.random() < 0.2)
            path.unlink()
        else:  # the web frontend's upload form
            self.s.post(f"{self.url}/api/channels/{ch}/files/", files={"files": (filename, data)},
                        data={"force": "false"}).raise_for_status()
        self.files.setdefault(ch, []).append((name, subdir, filename))

    def a_file(self) -> tuple[str, str, str, str] | None:
        have = [(ch, f) for ch, fs in self.files.items() for f in fs]
        if not have:
            return None
        ch, (pkg, subdir, filename) = self.rng.choice(have)
        return ch, pkg, subdir, filename

    def packages(self) -> None:
        got = self.a_file()
        if got is None:
            return self.upload()
        ch, pkg, subdir, filename = got
        r = self.rng.random()
        if r < 0.15:
            [p.name for p in self.c.yield_packages(ch, query=self.rng.choice(("", "lib", "r-")),
                                                   order_by=self.rng.choice(("", "name", "current_version")))]
        elif r < 0.3:
            self.get(f"/api/channels/{ch}/packages/{pkg}")
        elif r < 0.45:
            self.get(f"/api/channels/{ch}/packages/{pkg}/versions")
        elif r < 0.55:
            self.get(f"/api/paginated/channels/{ch}/packages/{pkg}/versions", skip=0, limit=5)
        elif r < 0.65:
            self.get(f"/api/channels/{ch}/packages/{pkg}/versions/{subdir}/{filename}")
        elif r < 0.75:
            self.get(f"/api/channels/{ch}/packages")
        elif r < 0.85:
            self.get("/api/packages/search/", q=self.rng.choice(("lib", "lite", "ros", "shim", "nothing-here")))
        elif r < 0.93:
            self.get(f"/api/channels/{ch}/packages/{pkg}/members")
        else:
            self.s.post(f"{self.url}/api/channels/{ch}/packages/{pkg}/members",
                        json={"username": self.rng.choice(self.users),
                              "role": self.rng.choice(ROLES)}).raise_for_status()

    def new_package(self) -> None:
        ch = self.channel()
        name = f"{self.rng.choice(PACKAGES)}-{self.rng.choice(('extras', 'docs', 'tests', 'core'))}"
        self.s.post(f"{self.url}/api/channels/{ch}/packages",
                    json={"name": name, "summary": f"{name} for {ch}",
                          "description": f"The {name} package of the {ch} channel"}).raise_for_status()

    def download(self) -> None:
        got = self.a_file()
        if got is None:
            return self.upload()
        ch, _, subdir, filename = got
        r = self.rng.random()
        if r < 0.35:
            self.s.get(f"{self.url}/get/{ch}/{subdir}/repodata.json")
        elif r < 0.5:
            self.s.get(f"{self.url}/get/{ch}/channeldata.json")
        elif r < 0.7:
            self.s.get(f"{self.url}/get/{ch}/{subdir}/{filename}")
        elif r < 0.8:
            self.s.head(f"{self.url}/get/{ch}/{subdir}/{filename}")
        elif r < 0.9:
            self.s.get(f"{self.url}/get/{ch}")
        else:
            self.s.get(f"{self.url}/metrics/channels/{ch}/packages/{got[1]}/versions/{subdir}/{filename}")

    def remove(self) -> None:
        got = self.a_file()
        r = self.rng.random()
        if got is not None and r < 0.55:
            ch, pkg, subdir, filename = got
            self.s.delete(f"{self.url}/api/channels/{ch}/packages/{pkg}/versions/{subdir}/{filename}")
            self.files[ch].remove((pkg, subdir, filename))
        elif got is not None and r < 0.85:
            ch, pkg = got[0], got[1]
            self.s.delete(f"{self.url}/api/channels/{ch}/packages/{pkg}")
            self.files[ch] = [f for f in self.files[ch] if f[0] != pkg]
        elif len(self.channels) > 3:
            ch = self.rng.choice(self.channels)
            self.c.delete_channel(ch)
            self.channels.remove(ch)
            self.files.pop(ch, None)

    def api_keys(self) -> None:
        r = self.rng.random()
        if r < 0.4 or not self.keys:
            ch = self.channel()
            roles = [{"channel": ch, "role": self.rng.choice(ROLES)}]
            got = self.a_file()
            if got is not None and self.rng.random() < 0.4:
                roles = [{"channel": got[0], "package": got[1], "role": self.rng.choice(("owner", "maintainer"))}]
            desc = self.rng.choice(("ci upload", "github actions", "mirror sync", f"{ch} bot", "nightly builds"))
            body: dict[str, Any] = {"description": desc, "roles": roles}
            if self.rng.random() < 0.3:
                body["expire_at"] = self.rng.choice(("2027-01-31", "2027-06-30"))
            r2 = self.s.post(f"{self.url}/api/api-keys", json=body)
            r2.raise_for_status()
            self.keys.append(r2.json()["key"])
        elif r < 0.8:
            self.get("/api/api-keys")
        else:
            key = self.rng.choice(self.keys)
            self.s.delete(f"{self.url}/api/api-keys/{key}")
            self.keys.remove(key)

    def system(self) -> None:
        r = self.rng.random()
        if r < 0.3:
            self.get("/health/ready")
        elif r < 0.5:
            self.get("/api/jobs")
        elif r < 0.7:
            self.s.put(f"{self.url}/api/channels/{self.channel()}/actions",
                       json={"action": self.rng.choice(("generate_indexes", "validate_packages"))})
        else:
            self.get("/api/me")

    def errors(self) -> None:
        r = self.rng.random()
        ch = self.channel()
        if r < 0.2:
            self.s.get(f"{self.url}/api/channels/{self.rng.choice(('nope', 'robotics-old', 'tmp.1'))}")
        elif r < 0.3:
            self.s.post(f"{self.url}/api/channels", json={"name": ch, "private": False})
        elif r < 0.35:  # Quetz takes no `_` in a channel name: 422
            self.s.post(f"{self.url}/api/channels", json={"name": ch.replace("-", "_") + "_v2", "private": False})
        elif r < 0.5:
            self.s.post(f"{self.url}/api/channels/{ch}/members", json={"username": self.rng.choice(self.users),
                                                                        "role": "superuser"})
        elif r < 0.65:
            self.s.get(f"{self.url}/api/channels/{ch}/packages/not-a-package")
        elif r < 0.8:
            self.s.post(f"{self.url}/api/channels/{ch}/upload/broken-1.0-0.tar.bz2",
                        params={"sha256": hashlib.sha256(b"junk").hexdigest(), "force": False}, data=b"junk")
        elif r < 0.9:
            self.s.get(f"{self.url}/api/users/nobody-{self.rng.randint(1, 99)}")
        else:
            self.s.put(f"{self.url}/api/users/{self.rng.choice(self.users)}/role", json={"role": "admin"})


def main() -> int:
    a = parse(__doc__, ("url", "key", "users"), rounds=1100)
    rng = random.Random(a.seed)
    d = Drive(a.url, a.key, a.users.split(","), rng, Path.cwd())  # the sample's scratch dir: quetz.sh runs it there
    for _ in range(6):
        d.new_channel()
    for _ in range(25):
        d.upload()
    steps = [
        (d.new_channel, 0.6),
        (d.read_channel, 8),
        (d.members, 6),
        (d.users_, 6),
        (d.upload, 10),
        (d.packages, 14),
        (d.new_package, 1.5),
        (d.download, 8),
        (d.remove, 3),
        (d.api_keys, 3),
        (d.system, 2),
        (d.errors, 4),
    ]
    run(rng, steps, a.rounds, a.max_seconds, tolerated=(requests.HTTPError, KeyError, ValueError))
    return 0


if __name__ == "__main__":
    sys.exit(main())
