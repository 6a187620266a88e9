"""Drive a Syncthing instance's REST API through Syncthing's own CLI for it, `syncthing cli`.

    python syncthing_drive.py SERVER_URL API_KEY DATA_DIR --seed N [--rounds R] [--max-seconds S]

Run by syncthing.sh (`syncthing cli` is a process per command, or a batch of commands on its stdin; it reads
and writes the whole configuration through /rest/system/config). The calls the CLI has no command for go
through urllib as Syncthing's web GUI and its REST documentation send them (the `X-API-Key` header):
/rest/config/folders/{id} and /rest/config/devices/{id} read, replaced, patched and deleted, the database's
status, browse, file, need, completion and ignores reads under `?folder=`, scans, events, stats, log, the
services (device id check, random strings). A household's and a small team's sync hub: folders under ids
people pick (`photos-2024`, `obsidian-vault`, `backup.nas`, the GUI's generated `kk7fq-2xgzw` style), devices
under their 63-character ids (made from the seed, with Syncthing's check characters) and names people pick,
folders shared with devices, versioning, ignores, files written, changed and removed in the folders and
rescanned; errors (a folder or device that is not there: 404, a device id with a bad check character, a
body the server refuses: 400, a wrong API key: 403).
"""

from __future__ import annotations

import json
import random
import string
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.parse import quote, urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workload import parse, run

FOLDERS = ("photos-2024", "Documents", "obsidian-vault", "work_projects", "phone-camera", "dotfiles", "backup.nas",
           "music", "kk7fq-2xgzw", "tax-returns", "shared.family", "dev-notes", "p4hsr-vcm9e", "Recipes")
LABELS = ("Photos 2024", "Documents", "Obsidian", "Work projects", "Phone camera", "dotfiles", "NAS backup",
          "Music", "Scans", "Taxes", "Family share", "Notes", "Camera roll", "Recipes")
DEVICES = ("laptop", "nas-basement", "pixel-7", "work-mbp", "raspberrypi", "anne's phone", "office-desktop",
           "steamdeck", "ThinkPad-X1")
FILES = ("IMG_2041.jpg", "notes/today.md", "notes/2024/march.md", "invoice-0042.pdf", "src/main.go", ".bashrc",
         "README.txt", "Music/track 01.flac", "scans/receipt_2024-03-01.png", "todo.txt", "deep/a/b/c.txt")
IGNORES = (["*.tmp", "(?d).DS_Store"], ["node_modules", "/build", "*.o"], ["#include .stglobalignore"],
           ["!/keep", "*"], ["(?i)thumbs.db", "~*"])
B32 = string.ascii_uppercase + "234567"


def luhn32(s: str) -> str:
    """Syncthing's check character (lib/protocol/luhn.go: Luhn mod 32 over the base32 alphabet)."""
    factor, total = 1, 0
    for c in s:
        addend = factor * B32.index(c)
        factor = 1 if factor == 2 else 2
        total += addend // 32 + addend % 32
    return B32[(32 - total % 32) % 32]


def device_id(rng: random.Random) -> str:
    raw = "".join(rng.choice(B32) for _ in range(52))
    chunks = [raw[i:i + 13] for i in range(0, 52, 13)]
    full = "".join(c + luhn32(c) for c in chunks)
    return "-".join(full[i:i + 7] for i in range(0, 56, 7))


class Drive:
    def __init__(self, url: str, key: str, data: Path, rng: random.Random) -> None:
        u = urlsplit(url)
        self.base, self.key, self.data, self.rng = url, key, data, rng
        self.cli = ["syncthing", "cli", "--gui-address", f"{u.hostname}:{u.port}", "--gui-apikey", key]
        self.folders: list[str] = []
        self.devices: dict[str, str] = {}
        self.me = ""
        self.since = 0
        self.n = 0

    def st(self, *args: str, batch: list[str] | None = None) -> str:
        p = subprocess.run([*self.cli, *args], capture_output=True, text=True, timeout=60,
                           input=None if batch is None else "\n".join(batch) + "\n")
        if p.returncode or "unexpected HTTP status" in p.stdout:
            print(f"syncthing cli {' '.join(args)[:80]}: {(p.stderr or p.stdout).strip()[:120]}", file=sys.stderr)
        return p.stdout

    def http(self, method: str, path: str, body: Any = None, query: dict[str, Any] | None = None,
             key: str | None = None) -> Any:
        url = self.base + path + ("?" + urlencode(query) if query else "")
        req = urllib.request.Request(url, method=method, data=None if body is None else json.dumps(body).encode())
        req.add_header("X-API-Key", self.key if key is None else key)
        if body is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                data = r.read()
                return json.loads(data) if data and r.headers.get_content_type() == "application/json" else None
        except HTTPError as e:
            e.read()
            return None

    @staticmethod
    def q(s: str) -> str:
        return quote(s, safe="")

    def fo(self) -> str:
        return self.rng.choice(self.folders)

    def new_folder(self) -> None:
        free = [f for f in FOLDERS if f not in self.folders]
        if not free:
            return self.folder_rw()
        fid = self.rng.choice(free)
        label = LABELS[FOLDERS.index(fid)]
        path = self.data / fid.replace(" ", "_")
        path.mkdir(parents=True, exist_ok=True)
        r = self.rng.random()
        if r < 0.5:
            self.st("config", "folders", "add", "--id", fid, "--label", label, "--path", str(path))
        else:
            body: dict[str, Any] = {"id": fid, "label": label, "path": str(path),
                                    "type": self.rng.choice(("sendreceive", "sendonly", "receiveonly")),
                                    "rescanIntervalS": self.rng.choice((60, 3600, 86400)),
                                    "fsWatcherEnabled": self.rng.random() < 0.5}
            if self.devices and self.rng.random() < 0.6:
                body["devices"] = [{"deviceID": d} for d in self.rng.sample(sorted(self.devices),
                                                                            min(2, len(self.devices)))]
            if self.rng.random() < 0.3:
                body["versioning"] = {"type": "simple", "params": {"keep": str(self.rng.choice((5, 10)))}}
            if r < 0.8:
                self.http("POST", "/rest/config/folders", body)
            else:
                self.http("PUT", f"/rest/config/folders/{self.q(fid)}", body)
        self.folders.append(fid)

    def new_device(self) -> None:
        free = [d for d in DEVICES if d not in self.devices.values()]
        if not free:
            return self.device_rw()
        name, did = self.rng.choice(free), device_id(self.rng)
        r = self.rng.random()
        if r < 0.4:
            self.st("config", "devices", "add", "--device-id", did, "--name", name)
        elif r < 0.8:
            self.http("POST", "/rest/config/devices",
                      {"deviceID": did, "name": name, "addresses": self.rng.choice(
                          (["dynamic"], ["tcp://192.0.2.10:22000"], ["tcp://nas.local:22000", "dynamic"])),
                       "compression": self.rng.choice(("metadata", "always", "never")),
                       "introducer": self.rng.random() < 0.2, "autoAcceptFolders": self.rng.random() < 0.3})
        else:
            self.http("PUT", f"/rest/config/devices/{did}", {"deviceID": did, "name": name})
        self.devices[did] = name

    def folder_rw(self) -> None:
        if not self.folders:
            return self.new_folder()
        fid, r = self.fo(), self.rng.random()
        if r < 0.2:
            self.http("GET", f"/rest/config/folders/{self.q(fid)}")
        elif r < 0.35:
            self.http("PATCH", f"/rest/config/folders/{self.q(fid)}",
                      self.rng.choice(({"paused": self.rng.random() < 0.3}, {"rescanIntervalS": 600},
                                       {"label": LABELS[self.rng.randrange(len(LABELS))]},
                                       {"fsWatcherDelayS": self.rng.choice((1, 10, 60))},
                                       {"versioning": {"type": "staggered", "params": {"maxAge": "2592000"}}},
                                       {"ignorePerms": True}, {"order": self.rng.choice(("random", "alphabetic",
                                                                                          "newestFirst"))})))
        elif r < 0.5:
            prop, value = self.rng.choice((("label", LABELS[self.rng.randrange(len(LABELS))]),
                                           ("rescan-intervals", str(self.rng.choice((60, 300, 3600)))),
                                           ("paused", self.rng.choice(("true", "false"))),
                                           ("fswatcher-enabled", self.rng.choice(("true", "false"))),
                                           ("max-conflicts", str(self.rng.choice((-1, 0, 10))))))
            self.st("config", "folders", fid, prop, "set", value)
        elif r < 0.6 and self.devices:
            did = self.rng.choice(sorted(self.devices))
            self.st("config", "folders", fid, "devices", "add", "--device-id", did)
        elif r < 0.68:
            self.st("config", "folders", fid, "dump-json")
        elif r < 0.78:
            self.http("GET", "/rest/config/folders")
        elif r < 0.86:
            self.st("config", "folders", "list")
        elif r < 0.93 and len(self.folders) > 3:
            if self.rng.random() < 0.5:
                self.http("DELETE", f"/rest/config/folders/{self.q(fid)}")
            else:
                self.st("config", "folders", fid, "delete")
            self.folders.remove(fid)
        else:
            cur = self.http("GET", f"/rest/config/folders/{self.q(fid)}")
            if cur:
                cur["maxConflicts"] = self.rng.choice((5, 10, -1))
                self.http("PUT", f"/rest/config/folders/{self.q(fid)}", cur)

    def device_rw(self) -> None:
        if not self.devices:
            return self.new_device()
        did, r = self.rng.choice(sorted(self.devices)), self.rng.random()
        if r < 0.25:
            self.http("GET", f"/rest/config/devices/{did}")
        elif r < 0.4:
            self.http("PATCH", f"/rest/config/devices/{did}", self.rng.choice(
                ({"paused": self.rng.random() < 0.5}, {"name": self.devices[did] + "-old"},
                 {"maxRecvKbps": self.rng.choice((0, 500, 2048))}, {"introducer": self.rng.random() < 0.5},
                 {"allowedNetworks": ["192.168.1.0/24"]})))
        elif r < 0.5:
            self.st("config", "devices", did, self.rng.choice(("name", "paused", "introducer")), "set",
                    self.rng.choice((self.devices[did], "true", "false")))
        elif r < 0.62:
            self.http("GET", "/rest/config/devices")
        elif r < 0.7:
            self.st("config", "devices", "list")
        elif r < 0.78:
            self.http("POST", f"/rest/system/{self.rng.choice(('pause', 'resume'))}", query={"device": did})
        elif r < 0.86:
            self.http("GET", "/rest/stats/device")
        elif r < 0.94 and len(self.devices) > 2:
            if self.rng.random() < 0.5:
                self.http("DELETE", f"/rest/config/devices/{did}")
            else:
                self.st("config", "devices", did, "delete")
            del self.devices[did]
        else:
            self.http("GET", "/rest/svc/deviceid", query={"id": did.lower().replace("-", "")})

    def files(self) -> None:
        if not self.folders:
            return self.new_folder()
        fid = self.fo()
        root = self.data / fid.replace(" ", "_")
        name = self.rng.choice(FILES)
        target = root / name
        self.n += 1
        r = self.rng.random()
        if r < 0.6 or not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(self.rng.randbytes(self.rng.randint(10, 40000)))
        elif r < 0.8:
            target.unlink()
        sub = name.rsplit("/", 1)[0] if "/" in name and self.rng.random() < 0.5 else None
        self.http("POST", "/rest/db/scan", query={"folder": fid, **({"sub": sub} if sub else {})})

    def db(self) -> None:
        if not self.folders:
            return self.new_folder()
        fid, r = self.fo(), self.rng.random()
        if r < 0.2:
            self.http("GET", "/rest/db/status", query={"folder": fid})
        elif r < 0.35:
            q: dict[str, Any] = {"folder": fid}
            if self.rng.random() < 0.5:
                q["levels"] = self.rng.choice((0, 1, 2))
            if self.rng.random() < 0.3:
                q["prefix"] = self.rng.choice(("notes", "scans", "deep/a"))
            self.http("GET", "/rest/db/browse", query=q)
        elif r < 0.45:
            self.http("GET", "/rest/db/file", query={"folder": fid, "file": self.rng.choice(FILES)})
        elif r < 0.55:
            self.http("GET", "/rest/db/need", query={"folder": fid, "page": 1, "perpage": 100})
        elif r < 0.62:
            q = {"folder": fid}
            if self.devices and self.rng.random() < 0.5:
                q["device"] = self.rng.choice(sorted(self.devices))
            self.http("GET", "/rest/db/completion", query=q)
        elif r < 0.72:
            self.http("GET", "/rest/db/ignores", query={"folder": fid})
        elif r < 0.8:
            self.http("POST", "/rest/db/ignores", {"ignore": self.rng.choice(IGNORES)}, query={"folder": fid})
        elif r < 0.86:
            self.http("GET", "/rest/folder/versions", query={"folder": fid})
        elif r < 0.9:
            self.http("GET", "/rest/folder/errors", query={"folder": fid, "page": 1, "perpage": 50})
        elif r < 0.94:
            self.http("GET", "/rest/db/localchanged", query={"folder": fid})
        else:
            self.http("GET", "/rest/stats/folder")

    def system(self) -> None:
        r = self.rng.random()
        if r < 0.15:
            got = self.http("GET", "/rest/events", query={"since": self.since, "limit": 50, "timeout": 0})
            if got:
                self.since = got[-1]["id"]
        elif r < 0.2:
            self.http("GET", "/rest/events/disk", query={"since": 0, "timeout": 0})
        elif r < 0.3:
            self.st("show", self.rng.choice(("system", "version", "connections", "config-status")))
        elif r < 0.36:
            self.st("-", batch=["show system", "show connections", "errors show", "show pending devices"])
        elif r < 0.42:
            self.http("GET", "/rest/system/log", query={"since": "2020-01-01T00:00:00Z"})
        elif r < 0.48:
            self.http(self.rng.choice(("GET", "POST")), "/rest/system/ping")
        elif r < 0.54:
            self.http("GET", "/rest/system/browse", query={"current": str(self.data) + "/"})
        elif r < 0.6:
            self.http("GET", "/rest/svc/random/string", query={"length": self.rng.choice((16, 32, 64))})
        elif r < 0.66:
            self.http("GET", self.rng.choice(("/rest/system/paths", "/rest/system/discovery", "/rest/svc/lang",
                                              "/rest/config/restart-required", "/rest/noauth/health")))
        elif r < 0.72:
            self.http("GET", self.rng.choice(("/rest/config/options", "/rest/config/gui",
                                              "/rest/config/defaults/folder", "/rest/config/defaults/device",
                                              "/rest/config/defaults/ignores")))
        elif r < 0.78:
            self.http("PATCH", "/rest/config/options", self.rng.choice(
                ({"maxSendKbps": self.rng.choice((0, 1000))}, {"reconnectionIntervalS": 60},
                 {"minHomeDiskFree": {"value": self.rng.choice((1, 5)), "unit": "%"}}, {"keepTemporariesH": 24})))
        elif r < 0.82:
            self.st("config", "options", self.rng.choice(("max-send-kbps", "max-recv-kbps")), "set",
                    str(self.rng.choice((0, 500, 10000))))
        elif r < 0.86:
            self.http("PUT", "/rest/config/defaults/ignores", {"lines": self.rng.choice(IGNORES)})
        elif r < 0.9:
            self.st("errors", "push", self.rng.choice(("backup disk full", "NAS offline since 02:00",
                                                       "check the phone's battery saver")))
        elif r < 0.93:
            self.st("errors", "clear")
        elif r < 0.96:
            self.st("show", "pending", self.rng.choice(("devices", "folders")))
        else:
            self.http("GET", "/rest/svc/report")

    def errors(self) -> None:
        r = self.rng.random()
        if r < 0.2:
            self.http("GET", f"/rest/config/folders/{self.q(self.rng.choice(('nope', 'old-photos', 'tmp.1')))}")
        elif r < 0.35:
            self.http("GET", f"/rest/config/devices/{device_id(self.rng)}")
        elif r < 0.5:
            self.http("GET", "/rest/db/status", query={"folder": "no-such-folder"})
        elif r < 0.6:
            bad = device_id(self.rng)
            self.http("GET", "/rest/svc/deviceid", query={"id": bad[:-1] + ("A" if bad[-1] != "A" else "B")})
        elif r < 0.7:
            self.http("POST", "/rest/config/folders", {"id": "", "path": ""})
        elif r < 0.8:
            self.http("GET", "/rest/system/status", key="wrong-" + str(self.rng.randint(1, 99)))
        elif r < 0.9:
            self.st("debug", "file", self.fo() if self.folders else "x", self.rng.choice(FILES))
        else:
            self.http("POST", "/rest/config/devices", {"deviceID": "not-a-device", "name": "broken"})


def main() -> int:
    ap_doc = __doc__
    a = parse(ap_doc, ("url", "key", "data"), rounds=1000)
    rng = random.Random(a.seed)
    d = Drive(a.url, a.key, Path(a.data), rng)
    status = d.http("GET", "/rest/system/status") or {}
    d.me = status.get("myID", "")
    for _ in range(3):
        d.new_device()
    for _ in range(5):
        d.new_folder()
    steps = [
        (d.new_folder, 2),
        (d.new_device, 1.5),
        (d.folder_rw, 12),
        (d.device_rw, 7),
        (d.files, 10),
        (d.db, 14),
        (d.system, 10),
        (d.errors, 3),
    ]
    run(rng, steps, a.rounds, a.max_seconds, tolerated=(HTTPError, KeyError, ValueError, IndexError, OSError))
    return 0


if __name__ == "__main__":
    sys.exit(main())
