"""Drive Azurite's Blob service (Microsoft's Azure Storage emulator) through Microsoft's own client, azure-storage-blob.

    python azurite_blob_drive.py SERVER_URL ACCOUNTS --seed N [--rounds R] [--max-seconds S]

Run by azurite_blob.sh with the venv's python. ACCOUNTS is a comma list of `name:key` (base64), the storage
accounts the recipe gave Azurite; every URL starts with the account's name (path-style, as the emulator is
addressed). Teams' files as their apps keep them: containers under names people pick (`invoices-2026`,
`ml-datasets`, `web-assets`), blobs under names with slashes as virtual folders (`2026/01/INV-00042.pdf`,
`models/resnet50/v3/weights.bin`, `img/logo@2x.png`), uploaded whole or in blocks, appended to, read
whole and in ranges, their properties, metadata (keys each app picks) and tags set and read, snapshotted,
copied, leased, listed flat and by folder (`prefix`, `delimiter`, paged), found by tag, deleted with their
snapshots; containers' metadata and access policies; errors (a blob or container that is not there: 404,
one that is there already: 409, a lease held: 412, a name that is none: 400).
"""

from __future__ import annotations

import random
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from azure.core.exceptions import AzureError
from azure.storage.blob import (
    AccessPolicy,
    BlobBlock,
    BlobServiceClient,
    ContainerClient,
    ContainerSasPermissions,
    ContentSettings,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workload import parse, run

CONTAINERS = (
    "invoices-2026",
    "ml-datasets",
    "web-assets",
    "backups",
    "user-uploads",
    "logs-prod",
    "reports",
    "media-raw",
    "tenant-acme",
    "exports",
    "build-artifacts",
    "scans",
)
FOLDERS = (
    "2026/01",
    "2026/02",
    "img",
    "css/themes",
    "models/resnet50/v3",
    "raw/cam-07",
    "tenants/acme/docs",
    "exports/daily",
    "nightly/linux-x64",
    "users/anne.mueller",
    "users/bob_smith",
    "",
)
STEMS = (
    "INV-00042",
    "report_q1",
    "logo@2x",
    "train-part-0001",
    "weights",
    "summary",
    "IMG_2041",
    "dump",
    "index",
    "app.min",
    "notes v2",
    "data.2026-01-05",
)
TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".json": "application/json",
    ".csv": "text/csv",
    ".bin": "application/octet-stream",
    ".css": "text/css",
    ".gz": "application/gzip",
    ".txt": "text/plain",
}
META_KEYS = (
    "author",
    "department",
    "source",
    "checksum",
    "reviewed",
    "retention",
    "project",
    "camera",
    "tenant",
    "build_id",
    "pipeline",
    "origin",
)
WORDS = ("alpha", "north", "blue", "rapid", "quiet", "lumen", "orbit", "delta", "cedar", "harbor")
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


class Drive:
    def __init__(self, url: str, accounts: list[tuple[str, str]], rng: random.Random) -> None:
        self.rng = rng
        self.services = {
            name: BlobServiceClient(account_url=f"{url}/{name}", credential={"account_name": name, "account_key": key})
            for name, key in accounts
        }
        self.containers: list[tuple[str, str]] = []
        self.blobs: dict[tuple[str, str], list[str]] = {}
        self.appends: dict[tuple[str, str], list[str]] = {}
        self.n = 0

    def container(self, at: tuple[str, str] | None = None) -> ContainerClient:
        at = at or self.rng.choice(self.containers)
        return self.services[at[0]].get_container_client(at[1])

    def new_container(self) -> None:
        account = self.rng.choice(sorted(self.services))
        free = [c for c in CONTAINERS if (account, c) not in self.containers]
        if not free:
            return
        name = self.rng.choice(free)
        meta = {k: self.rng.choice(WORDS) for k in self.rng.sample(("team", "costcenter", "owner", "env"), 2)}
        self.services[account].create_container(name, metadata=meta)
        self.containers.append((account, name))
        self.blobs[(account, name)] = []
        self.appends[(account, name)] = []

    def name(self) -> str:
        self.n += 1
        folder = self.rng.choice(FOLDERS)
        ext = self.rng.choice(sorted(TYPES))
        stem = f"{self.rng.choice(STEMS)}-{self.n}"
        return f"{folder}/{stem}{ext}" if folder else f"{stem}{ext}"

    def metadata(self) -> dict[str, str]:
        return {k: self.rng.choice(WORDS) for k in self.rng.sample(META_KEYS, self.rng.randint(0, 4))}

    def upload(self) -> None:
        at = self.rng.choice(self.containers)
        name = self.name()
        ext = name[name.rfind(".") :]
        data = self.rng.randbytes(self.rng.randint(16, 3000))
        blob = self.container(at).get_blob_client(name)
        r = self.rng.random()
        if r < 0.7:
            blob.upload_blob(
                data,
                overwrite=True,
                metadata=self.metadata(),
                content_settings=ContentSettings(content_type=TYPES[ext]),
            )
        else:  # in blocks, as a large upload is made
            ids = []
            for i in range(self.rng.randint(2, 4)):
                bid = f"{i:06d}"
                blob.stage_block(bid, data[i::4] or b"x")
                ids.append(BlobBlock(block_id=bid))
            blob.commit_block_list(ids, metadata=self.metadata())
        self.blobs[at].append(name)

    def append(self) -> None:
        at = self.rng.choice(self.containers)
        if not self.appends[at] or self.rng.random() < 0.3:
            day = EPOCH + timedelta(days=self.n % 40)
            name = f"applogs/{self.rng.choice(('api', 'worker', 'cron'))}-{day:%Y-%m-%d}-{self.n}.log"
            self.n += 1
            self.container(at).get_blob_client(name).create_append_blob()
            self.appends[at].append(name)
            self.blobs[at].append(name)
        name = self.rng.choice(self.appends[at])
        level = self.rng.choice(("INFO", "WARN", "ERROR"))
        line = f"{EPOCH + timedelta(seconds=self.n)} {level} {self.rng.choice(WORDS)}\n"
        self.container(at).get_blob_client(name).append_block(line.encode())

    def known(self) -> tuple[tuple[str, str], str] | None:
        filled = [c for c in self.containers if self.blobs[c]]
        if not filled:
            return None
        at = self.rng.choice(filled)
        return at, self.rng.choice(self.blobs[at])

    def read(self) -> None:
        k = self.known()
        if k is None:
            return
        at, name = k
        blob = self.container(at).get_blob_client(name)
        r = self.rng.random()
        if r < 0.4:
            blob.download_blob().readall()
        elif r < 0.6:
            blob.download_blob(offset=0, length=self.rng.randint(8, 64)).readall()
        elif r < 0.85:
            blob.get_blob_properties()
        else:
            blob.get_blob_tags()

    def change(self) -> None:
        k = self.known()
        if k is None:
            return
        at, name = k
        blob = self.container(at).get_blob_client(name)
        r = self.rng.random()
        if r < 0.35:
            blob.set_blob_metadata(self.metadata())
        elif r < 0.6:
            blob.set_blob_tags(
                {k: self.rng.choice(WORDS) for k in self.rng.sample(("status", "owner", "stage", "pii"), 2)}
            )
        elif r < 0.75:
            blob.set_http_headers(
                ContentSettings(
                    content_type=self.rng.choice(sorted(TYPES.values())),
                    cache_control=self.rng.choice(("no-cache", "max-age=3600")),
                )
            )
        elif r < 0.85:
            blob.create_snapshot(metadata=self.metadata())
        else:
            dest = f"copies/{name}"
            self.container(at).get_blob_client(dest).start_copy_from_url(blob.url)
            self.blobs[at].append(dest)

    def lease(self) -> None:
        k = self.known()
        if k is None:
            return
        at, name = k
        blob = self.container(at).get_blob_client(name)
        lease = blob.acquire_lease(lease_duration=self.rng.choice((15, 30, -1)))
        if self.rng.random() < 0.4:
            lease.renew()
        try:
            blob.set_blob_metadata({"locked": "no"})  # without the lease: 412
        except AzureError as e:
            print(f"expected: {type(e).__name__}", file=sys.stderr)
        blob.set_blob_metadata({"locked": "yes"}, lease=lease)
        if self.rng.random() < 0.7:
            lease.release()
        else:
            lease.break_lease(lease_break_period=0)

    def delete(self) -> None:
        k = self.known()
        if k is None:
            return
        at, name = k
        self.container(at).get_blob_client(name).delete_blob(delete_snapshots="include")
        self.blobs[at].remove(name)
        if name in self.appends[at]:
            self.appends[at].remove(name)

    def list_(self) -> None:
        c = self.container()
        r = self.rng.random()
        if r < 0.35:
            list(
                c.walk_blobs(
                    name_starts_with=self.rng.choice(("", "2026/", "users/", "img/", "models/")), delimiter="/"
                )
            )
        elif r < 0.6:
            pages = c.list_blobs(
                results_per_page=self.rng.choice((5, 20)),
                include=self.rng.sample(["metadata", "snapshots", "tags"], self.rng.randint(0, 2)),
            ).by_page()
            for _ in range(self.rng.randint(1, 3)):
                if next(pages, None) is None:
                    break
        elif r < 0.75:
            list(c.list_blob_names(name_starts_with=self.rng.choice(("2026/0", "tenants/", "nightly/", "applogs/"))))
        elif r < 0.85:
            svc = self.services[self.rng.choice(sorted(self.services))]
            list(svc.find_blobs_by_tags(f"\"status\"='{self.rng.choice(WORDS)}'"))
        else:
            svc = self.services[self.rng.choice(sorted(self.services))]
            list(
                svc.list_containers(
                    include_metadata=self.rng.random() < 0.5, name_starts_with=self.rng.choice((None, "m", "web", "t"))
                )
            )

    def containers_(self) -> None:
        at = self.rng.choice(self.containers)
        c = self.container(at)
        r = self.rng.random()
        if r < 0.3:
            c.get_container_properties()
        elif r < 0.55:
            c.set_container_metadata(
                {
                    k: self.rng.choice(WORDS)
                    for k in self.rng.sample(("team", "costcenter", "owner", "env", "purpose"), 3)
                }
            )
        elif r < 0.75:
            start = EPOCH + timedelta(days=self.rng.randint(0, 30))
            c.set_container_access_policy(
                {
                    f"{self.rng.choice(WORDS)}-read": AccessPolicy(
                        permission=ContainerSasPermissions(read=True, list=self.rng.random() < 0.5),
                        start=start,
                        expiry=start + timedelta(days=30),
                    )
                },
                public_access=self.rng.choice((None, "blob")),
            )
        elif r < 0.9:
            c.get_container_access_policy()
        else:
            self.services[at[0]].get_service_properties()

    def drop(self) -> None:
        if len(self.containers) < 5:
            return
        at = self.rng.choice(self.containers)
        self.container(at).delete_container()
        self.containers.remove(at)
        del self.blobs[at], self.appends[at]

    def errors(self) -> None:
        r = self.rng.random()
        at = self.rng.choice(self.containers)
        c = self.container(at)
        try:
            if r < 0.3:
                c.get_blob_client(
                    f"{self.rng.choice(FOLDERS)}/missing-{uuid.UUID(int=self.rng.getrandbits(128))}.bin"
                ).download_blob()
            elif r < 0.5:
                self.services[at[0]].create_container(at[1])
            elif r < 0.65:
                self.services[at[0]].get_container_client(
                    self.rng.choice(("archive-2019", "tmp-import"))
                ).get_container_properties()
            elif r < 0.8:
                self.services[at[0]].create_container(self.rng.choice(("Bad_Name", "ab", "double--dash")))
            elif self.blobs[at]:
                c.get_blob_client(self.rng.choice(self.blobs[at])).upload_blob(b"again", overwrite=False)
        except AzureError as e:
            print(f"expected: {type(e).__name__}", file=sys.stderr)


def main() -> int:
    a = parse(__doc__, ("url", "accounts"), rounds=1000)
    rng = random.Random(a.seed)
    accounts = [tuple(x.split(":", 1)) for x in a.accounts.split(",")]
    d = Drive(a.url, accounts, rng)  # type: ignore[arg-type]
    for _ in range(7):
        d.new_container()
    for _ in range(30):
        d.upload()
    steps = [
        (d.new_container, 0.4),
        (d.upload, 14),
        (d.append, 4),
        (d.read, 16),
        (d.change, 9),
        (d.lease, 2),
        (d.delete, 4),
        (d.list_, 8),
        (d.containers_, 3),
        (d.drop, 0.3),
        (d.errors, 4),
    ]
    run(rng, steps, a.rounds, a.max_seconds, tolerated=(AzureError, KeyError, ValueError))
    return 0


if __name__ == "__main__":
    sys.exit(main())
