"""Drive a Pulp 3 server (pulpcore with its file plugin) through its own client library, pulp-glue.

    python pulp_drive.py SERVER_URL CONTENT_URL ADMIN PASSWORD --seed N [--rounds R] [--max-seconds S]

Run by pulp.sh in the server's environment (pulp-glue is pulp-cli's library: it reads the server's
OpenAPI description once, then calls operations by their ids and waits on the tasks they start). A
platform team's artifact hosting: file repositories under the names teams give them (`el9-baseos-extras`,
`ml-models`, `docs site`), labelled with keys each team picks (`team`, `env`,
`app-name`, `cost center`); files uploaded into them (small ones whole, larger ones in
chunks through the upload API), repository versions made, listed, repaired and deleted; publications
with their manifests and distributions under base paths people choose; remotes pointing at another
repository's distribution on the content app, synced; users, groups, custom roles and role
assignments; content guards; exporters and their exports; task lists filtered by state and name; and the
errors people hit (a name taken, a repository or href that is gone, a base path in use, an unknown role,
a user asking for what only the admin may).
"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
import time
import types
import uuid
from pathlib import Path
from typing import Any

import pulp_glue.common.context as glue_context
from pulp_glue.common.context import PulpContext, PulpException
from pulp_glue.core.context import (
    PulpAccessPolicyContext,
    PulpArtifactContext,
    PulpExportContext,
    PulpExporterContext,
    PulpGroupContext,
    PulpGroupRoleContext,
    PulpGroupUserContext,
    PulpHeaderContentGuardContext,
    PulpOrphanContext,
    PulpRbacContentGuardContext,
    PulpRoleContext,
    PulpTaskContext,
    PulpUserContext,
    PulpUserRoleContext,
    PulpWorkerContext,
)
from pulp_glue.file.context import (
    PulpFileContentContext,
    PulpFileDistributionContext,
    PulpFilePublicationContext,
    PulpFileRemoteContext,
    PulpFileRepositoryContext,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workload import parse, run

REPOS = [
    "el9-baseos-extras",
    "ml-models",
    "docs site",
    "firmware_blobs",
    "team-artifacts",
    "ci.cache",
    "vendor drops 2026",
    "Infra-Tools",
    "golden-images",
    "helm charts",
    "release-candidates",
    "sbom.archive",
]
LABEL_KEYS = ["team", "env", "app-name", "cost center", "owner", "tier", "compliance_pci", "Region"]
TEAMS = ["platform", "data", "payments", "mobile", "sre", "research"]
FILES = [
    "README.md",
    "checksums.txt",
    "model.onnx",
    "config/app.yaml",
    "bin/tool-linux-amd64",
    "docs/index.html",
    "images/logo.svg",
    "release-notes.txt",
    "v1.2.3/firmware.bin",
    "data/part-0001.csv",
]
PEOPLE = ["alice", "bob.smith", "carol_ng", "dave-okafor", "erin", "frank.li", "grace", "heidi"]
GROUPS = ["platform-admins", "release managers", "auditors", "data.readers", "ci-bots"]
# pulp-glue asks after a task it waits on once a second (pulp-cli's pace), and most of a sample's calls start
# one: a quarter of a second gets a sample's rounds done in minutes, with the same calls (a task still
# running is asked after again, as it is at any pace).
glue_context.time = types.SimpleNamespace(sleep=lambda seconds: time.sleep(min(seconds, 0.25)))
ROLES = [
    "file.filerepository_viewer",
    "file.filerepository_creator",
    "file.filedistribution_owner",
    "file.filerepository_owner",
    "core.rbaccontentguard_downloader",
    "core.task_viewer",
]


class Glue(PulpContext):
    """pulp-glue leaves printing and prompting to its caller: a script prints nothing."""

    def echo(self, message: str, nl: bool = True, err: bool = False) -> None:
        pass


def context(url: str, user: str, password: str) -> Glue:
    from pulp_glue.common.authentication import GlueAuthProvider

    return Glue(
        api_root="/pulp/",
        api_kwargs={"base_url": url, "auth_provider": GlueAuthProvider(username=user, password=password)},
        timeout=120,
    )


class Team:
    def __init__(self, url: str, content_url: str, admin: str, password: str, rng: random.Random) -> None:
        self.url, self.content_url, self.rng = url, content_url, rng
        self.ctx = context(url, admin, password)
        self.tmp = Path(tempfile.mkdtemp(prefix="pulp-drive-"))
        self.repos: dict[str, str] = {}  # name -> href
        self.content: list[str] = []
        self.dists: dict[str, str] = {}  # base path -> href
        self.remotes: list[str] = []
        self.users: dict[str, str] = {}  # username -> password
        self.groups: list[str] = []
        self.roles: list[str] = []
        self.guards: list[str] = []
        self.exporters: list[str] = []
        self.n = 0

    def name(self, pool: list[str]) -> str:
        self.n += 1
        return f"{self.rng.choice(pool)}-{self.n}" if self.rng.random() < 0.7 else f"{self.rng.choice(pool)} {self.n}"

    def labels(self) -> dict[str, str]:
        keys = self.rng.sample(LABEL_KEYS, self.rng.randint(0, 3))
        return {
            k: self.rng.choice(TEAMS)
            if k in ("team", "owner")
            else self.rng.choice(["prod", "dev", "true", "eu-1", "42"])
            for k in keys
        }

    def repo(self, href: str | None = None) -> PulpFileRepositoryContext:
        return PulpFileRepositoryContext(self.ctx, pulp_href=href or self.rng.choice(list(self.repos.values())))

    def create_repo(self) -> None:
        name = self.name(REPOS)
        body: dict[str, Any] = {
            "name": name,
            "description": f"{self.rng.choice(TEAMS)} team's files",
            "pulp_labels": self.labels(),
        }
        if self.rng.random() < 0.5:
            body["retain_repo_versions"] = self.rng.randint(2, 6)
        if self.rng.random() < 0.3:
            body["autopublish"] = True
            body["manifest"] = self.rng.choice(["PULP_MANIFEST", "MANIFEST.csv"])
        made = PulpFileRepositoryContext(self.ctx).create(body=body)
        self.repos[name] = made["pulp_href"]

    def read_repo(self) -> Any:
        if not self.repos:
            return self.create_repo()
        x = self.rng.random()
        if x < 0.35:
            name = self.rng.choice(list(self.repos))
            repo = PulpFileRepositoryContext(self.ctx)
            repo.entity = {"name": name}
            return repo.entity
        if x < 0.6:
            params = self.rng.choice(
                [
                    {},
                    {"name__contains": self.rng.choice(["ml", "docs", "ci", "-"])},
                    {"pulp_label_select": f"{self.rng.choice(LABEL_KEYS)}"},
                    {"ordering": ["-pulp_created"]},
                    {"name__startswith": self.rng.choice(REPOS)[:3]},
                ]
            )
            return PulpFileRepositoryContext(self.ctx).list(self.rng.choice([5, 10, 100]), 0, params)
        repo = self.repo()
        if x < 0.75:
            return repo.show()
        if x < 0.85:
            return repo.get_version_context().list(10, 0, {})
        if x < 0.93:
            return repo.my_permissions()
        return repo.list_roles()

    def update_repo(self) -> Any:
        if not self.repos:
            return self.create_repo()
        repo = self.repo()
        x = self.rng.random()
        if x < 0.4:
            return repo.set_label(self.rng.choice(LABEL_KEYS), self.rng.choice(TEAMS))
        if x < 0.5:
            return repo.unset_label(self.rng.choice(LABEL_KEYS))
        return repo.update(
            body={
                "description": f"owned by {self.rng.choice(TEAMS)}",
                "retain_repo_versions": self.rng.choice([None, 3, 10]),
            }
        )

    def delete_repo(self) -> Any:
        if len(self.repos) < 4:
            return self.create_repo()
        name = self.rng.choice(list(self.repos))
        return PulpFileRepositoryContext(self.ctx, pulp_href=self.repos.pop(name)).delete()

    def upload(self) -> Any:
        if not self.repos:
            return self.create_repo()
        rel = self.rng.choice(FILES)
        if self.rng.random() < 0.4:
            rel = f"{self.rng.choice(['2026', 'nightly', 'v' + str(self.rng.randint(1, 9))])}/{rel}"
        path = self.tmp / f"up-{self.n}"
        self.n += 1
        size = self.rng.choice([40, 300, 2000, 9000])
        path.write_bytes(bytes(self.rng.getrandbits(8) for _ in range(size)))
        body: dict[str, Any] = {"relative_path": rel, "file": path}
        if size > 4000:
            body["chunk_size"] = 4096  # the upload API: chunks, then commit
        repo = self.repo() if self.rng.random() < 0.8 else None
        made = PulpFileContentContext(self.ctx, repository_ctx=repo).create(body=body)
        self.content.append(made["pulp_href"])
        return made

    def read_content(self) -> Any:
        x = self.rng.random()
        files = PulpFileContentContext(self.ctx)
        if x < 0.4 or not self.content:
            params = self.rng.choice(
                [
                    {},
                    {"relative_path__contains": self.rng.choice(["docs", ".txt", "v1"])},
                    {"ordering": ["relative_path"]},
                    {"fields": ["relative_path", "sha256"]},
                ]
            )
            return files.list(self.rng.choice([10, 50]), self.rng.choice([0, 0, 10]), params)
        if x < 0.7:
            return files.show(self.rng.choice(self.content))
        if x < 0.85 and self.repos:
            return PulpFileContentContext(self.ctx, repository_ctx=self.repo()).list(20, 0, {})
        return PulpArtifactContext(self.ctx).list(10, 0, {})

    def modify(self) -> Any:
        if not self.repos or not self.content:
            return self.upload()
        repo = self.repo()
        units = self.rng.sample(self.content, min(len(self.content), self.rng.randint(1, 3)))
        if self.rng.random() < 0.7:
            return repo.modify(add_content=units)
        return repo.modify(remove_content=units)

    def version(self) -> Any:
        if not self.repos:
            return self.create_repo()
        repo = self.repo()
        latest = repo.entity["latest_version_href"]
        number = int(latest.rstrip("/").rsplit("/", 1)[1])
        x = self.rng.random()
        if x < 0.4:
            return repo.get_version_context(self.rng.randint(0, number)).entity
        if x < 0.6:
            return repo.get_version_context(-1).repair()
        if x < 0.8 and number > 1:
            return repo.get_version_context(self.rng.randint(1, number - 1)).delete()
        return repo.get_version_context().list(5, 0, {"number__gte": max(0, number - 2)})

    def publish(self) -> Any:
        if not self.repos:
            return self.create_repo()
        repo = self.repo()
        pubs = PulpFilePublicationContext(self.ctx)
        if self.rng.random() < 0.6:
            return pubs.create(
                body={"repository": repo.pulp_href, "manifest": self.rng.choice(["PULP_MANIFEST", "MANIFEST.csv"])}
            )
        return pubs.list(10, 0, self.rng.choice([{}, {"repository": repo.pulp_href}, {"ordering": ["-pulp_created"]}]))

    def distribute(self) -> Any:
        x = self.rng.random()
        dists = PulpFileDistributionContext(self.ctx)
        if (x < 0.45 or not self.dists) and self.repos:
            name = self.name(REPOS)
            base = f"{self.rng.choice(TEAMS)}/{name.replace(' ', '-')}"
            body: dict[str, Any] = {
                "name": name,
                "base_path": base,
                "repository": self.repo().pulp_href,
                "pulp_labels": self.labels(),
            }
            if self.guards and self.rng.random() < 0.3:
                body["content_guard"] = self.rng.choice(self.guards)
            made = dists.create(body=body)
            self.dists[base] = made["pulp_href"]
            return made
        if x < 0.65 or not self.dists:
            return dists.list(
                25, 0, self.rng.choice([{}, {"base_path__contains": self.rng.choice(TEAMS)}, {"name__icontains": "ml"}])
            )
        base = self.rng.choice(list(self.dists))
        dist = PulpFileDistributionContext(self.ctx, pulp_href=self.dists[base])
        if x < 0.85:
            return dist.update(
                body={"base_path": f"{base}-v{self.rng.randint(2, 9)}", "hidden": self.rng.random() < 0.2}
            )
        del self.dists[base]
        return dist.delete()

    def remote(self) -> Any:
        x = self.rng.random()
        remotes = PulpFileRemoteContext(self.ctx)
        if x < 0.4 or not self.remotes or not self.dists:
            base = self.rng.choice(list(self.dists)) if self.dists else "nowhere"
            made = remotes.create(
                body={
                    "name": self.name(REPOS),
                    "url": f"{self.content_url}/pulp/content/{base}/PULP_MANIFEST",
                    "policy": self.rng.choice(["immediate", "on_demand", "streamed"]),
                    "pulp_labels": self.labels(),
                    "tls_validation": False,
                }
            )
            self.remotes.append(made["pulp_href"])
            return made
        if x < 0.8 and self.repos:
            # sync a repository from another's distribution (a failed task when it has no publication yet)
            return self.repo().sync(body={"remote": self.rng.choice(self.remotes), "mirror": self.rng.random() < 0.3})
        if x < 0.9:
            return PulpFileRemoteContext(self.ctx, pulp_href=self.rng.choice(self.remotes)).update(
                body={"download_concurrency": self.rng.randint(1, 10), "total_timeout": 30.0}
            )
        return remotes.list(10, 0, {})

    def people(self) -> Any:
        x = self.rng.random()
        if x < 0.25 or not self.users:
            name = self.name(PEOPLE)
            password = f"Pw-{self.rng.randint(100000, 999999)}-realset"
            PulpUserContext(self.ctx).create(
                body={
                    "username": name,
                    "password": password,
                    "first_name": name.split("-")[0].title(),
                    "email": f"{name.replace(' ', '.')}@corp.test",
                    "is_staff": False,
                }
            )
            self.users[name] = password
            return None
        user = PulpUserContext(self.ctx)
        user.entity = {"username": self.rng.choice(list(self.users))}
        if x < 0.45:
            role = self.rng.choice(ROLES + self.roles)
            obj = (
                self.repo().pulp_href
                if self.repos and role.startswith("file.filerepository") and self.rng.random() < 0.6
                else None
            )
            return PulpUserRoleContext(self.ctx, user).create(body={"role": role, "content_object": obj or ""})
        if x < 0.6:
            return PulpUserRoleContext(self.ctx, user).list(20, 0, {})
        if x < 0.75:
            return user.update(
                body={"last_name": self.rng.choice(["Moreau", "Ng", "Walsh"]), "is_active": self.rng.random() < 0.9}
            )
        if x < 0.9:
            return PulpUserContext(self.ctx).list(
                50, 0, self.rng.choice([{}, {"username__contains": "a"}, {"is_active": True}])
            )
        return self.as_user()

    def as_user(self) -> Any:
        """A user calls with their own password: lists filtered to what they may see, 403 on the rest."""
        name = self.rng.choice(list(self.users))
        ctx = context(self.url, name, self.users[name])
        if self.rng.random() < 0.6:
            return PulpFileRepositoryContext(ctx).list(10, 0, {})
        return PulpFileRepositoryContext(ctx).create(body={"name": self.name(REPOS)})

    def teams(self) -> Any:
        x = self.rng.random()
        if x < 0.3 or not self.groups:
            name = self.name(GROUPS)
            PulpGroupContext(self.ctx).create(body={"name": name})
            self.groups.append(name)
            return None
        group = PulpGroupContext(self.ctx)
        group.entity = {"name": self.rng.choice(self.groups)}
        if x < 0.5 and self.users:
            return PulpGroupUserContext(self.ctx, group).create(body={"username": self.rng.choice(list(self.users))})
        if x < 0.65:
            obj = self.repo().pulp_href if self.repos else None
            return PulpGroupRoleContext(self.ctx, group).create(
                body={"role": "file.filerepository_viewer", "content_object": obj or ""}
            )
        if x < 0.8:
            return PulpGroupUserContext(self.ctx, group).list(20, 0, {})
        if x < 0.9 and self.repos:
            return self.repo().add_role("file.filerepository_viewer", [], [group.entity["name"]])
        return PulpGroupContext(self.ctx).list(20, 0, {})

    def role(self) -> Any:
        x = self.rng.random()
        roles = PulpRoleContext(self.ctx)
        if x < 0.35:
            name = f"acme.{self.name(['repo-auditor', 'release.publisher', 'dist_manager'])}".replace(" ", "-")
            perms = self.rng.sample(
                [
                    "file.view_filerepository",
                    "file.modify_filerepository",
                    "file.view_filedistribution",
                    "file.change_filedistribution",
                    "core.view_task",
                ],
                self.rng.randint(1, 3),
            )
            roles.create(body={"name": name, "description": "made by the platform team", "permissions": perms})
            self.roles.append(name)
            return None
        if x < 0.7:
            return roles.list(
                25,
                0,
                self.rng.choice(
                    [
                        {},
                        {"name__startswith": "file."},
                        {"locked": False},
                        {"contains_permission": ["file.view_filerepository"]},
                    ]
                ),
            )
        if self.roles:
            role = PulpRoleContext(self.ctx)
            role.entity = {"name": self.rng.choice(self.roles)}
            return role.update(body={"description": f"reviewed {self.rng.randint(1, 28)} Nov"})
        return PulpAccessPolicyContext(self.ctx).list(10, 0, {})

    def guard(self) -> Any:
        if self.rng.random() < 0.4 or not self.guards:
            if self.rng.random() < 0.5:
                made = PulpRbacContentGuardContext(self.ctx).create(
                    body={"name": self.name(["internal-only", "partners"]), "description": "who may download"}
                )
            else:
                made = PulpHeaderContentGuardContext(self.ctx).create(
                    body={
                        "name": self.name(["ci-token", "mirror key"]),
                        "header_name": self.rng.choice(["X-Ci-Token", "x-mirror-key"]),
                        "header_value": f"{self.rng.getrandbits(64):x}",
                    }
                )
            self.guards.append(made["pulp_href"])
            return made
        return PulpRbacContentGuardContext(self.ctx).list(10, 0, {})

    def export(self) -> Any:
        if (self.rng.random() < 0.3 or not self.exporters) and self.repos:
            made = PulpExporterContext(self.ctx).create(
                body={
                    "name": self.name(["offsite", "air-gap"]),
                    "path": f"{self.tmp}/exports/{self.n}",
                    "repositories": self.rng.sample(list(self.repos.values()), min(2, len(self.repos))),
                }
            )
            self.exporters.append(made["pulp_href"])
            return made
        if not self.exporters:
            return None
        exporter = PulpExporterContext(self.ctx, pulp_href=self.rng.choice(self.exporters))
        exports = PulpExportContext(self.ctx)
        exports.exporter = exporter.entity
        if self.rng.random() < 0.5:
            return exports.create(body={"full": True, "chunk_size": "1MB"} if self.rng.random() < 0.5 else {})
        return exports.list(10, 0, {})

    def tasks(self) -> Any:
        x = self.rng.random()
        if x < 0.6:
            params = self.rng.choice(
                [
                    {},
                    {"state": "completed"},
                    {"state": "failed"},
                    {"name__contains": "sync"},
                    {"ordering": ["-started_at"]},
                    {"state__in": ["waiting", "running"]},
                ]
            )
            return PulpTaskContext(self.ctx).list(self.rng.choice([10, 25]), 0, params)
        if x < 0.75:
            return PulpWorkerContext(self.ctx).list(10, 0, {"online": True})
        if x < 0.9:
            return self.ctx.call("status_read")
        return PulpOrphanContext(self.ctx).cleanup({"orphan_protection_time": 0})

    def mistake(self) -> Any:
        x = self.rng.random()
        if x < 0.25 and self.repos:
            return PulpFileRepositoryContext(self.ctx).create(body={"name": self.rng.choice(list(self.repos))})
        if x < 0.45:
            repo = PulpFileRepositoryContext(self.ctx)
            repo.entity = {"name": f"{self.rng.choice(REPOS)}-gone"}
            return repo.entity
        if x < 0.6:
            gone = uuid.UUID(int=self.rng.getrandbits(128))
            return PulpFileRepositoryContext(self.ctx, pulp_href=f"/pulp/api/v3/repositories/file/file/{gone}/").show()
        if x < 0.75 and self.dists and self.repos:
            return PulpFileDistributionContext(self.ctx).create(
                body={
                    "name": self.name(REPOS),
                    "base_path": self.rng.choice(list(self.dists)),
                    "repository": self.repo().pulp_href,
                }
            )
        if x < 0.85 and self.users:
            user = PulpUserContext(self.ctx)
            user.entity = {"username": self.rng.choice(list(self.users))}
            return PulpUserRoleContext(self.ctx, user).create(body={"role": "file.no_such_role", "content_object": ""})
        return PulpFileRemoteContext(self.ctx).create(body={"name": self.name(REPOS), "url": "not a url"})


def main() -> None:
    a = parse(__doc__, ["url", "content_url", "admin", "password"], rounds=400)
    rng = random.Random(a.seed)
    team = Team(a.url, a.content_url, a.admin, a.password, rng)
    run(rng, [(team.create_repo, 1)], 4, tolerated=(Exception,))
    run(rng, [(team.upload, 1)], 3, tolerated=(Exception,))
    steps = [
        (team.create_repo, 3),
        (team.read_repo, 10),
        (team.update_repo, 4),
        (team.delete_repo, 1),
        (team.upload, 8),
        (team.read_content, 6),
        (team.modify, 5),
        (team.version, 5),
        (team.publish, 4),
        (team.distribute, 5),
        (team.remote, 3),
        (team.people, 5),
        (team.teams, 3),
        (team.role, 2),
        (team.guard, 1.5),
        (team.export, 1.5),
        (team.tasks, 4),
        (team.mistake, 5),
    ]
    try:
        run(rng, steps, a.rounds, a.max_seconds, tolerated=(PulpException, Exception))
    finally:
        shutil.rmtree(team.tmp, ignore_errors=True)  # the uploads' sources and the exports


if __name__ == "__main__":
    main()
