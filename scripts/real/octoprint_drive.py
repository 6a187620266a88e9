"""Drive an OctoPrint server (its REST API, a virtual printer) through its own API client and CLI.

    python octoprint_drive.py URL APIKEY OCTOPRINT_BINARY --seed N [--rounds R] [--max-seconds S]

Run by octoprint.sh. A makerspace's print server: members upload G-code into folders they name
(`members/anne.mueller/enclosure`, `jobs/2026-q4`), read, list, copy, move, select and delete them, make
folders; the space's admin keeps printer profiles under ids people choose (`prusa_mk4_bay2`), patches and
deletes them, manages users (made, read, updated, their passwords, settings and API keys, deleted) and
groups (made with permissions, updated, deleted), reads and changes settings, connects and disconnects
the (virtual) printer, jogs and homes it, sets temperatures, sends G-code, starts, pauses and cancels
jobs; errors (a file, profile, user or group that is not there: 404, a user or group made twice: 409, a
command the API does not know or a body it refuses: 400). Every call goes through OctoPrint's own
`octoprint_client.Client` (the library behind `octoprint client`); a share of them through the
`octoprint client` CLI itself (a process per command).
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from octoprint_client import Client

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workload import parse, run

FIRST = ("anne", "dmitri", "priya", "kenji", "lucia", "tomasz", "amara", "jonas", "mei", "olu", "sven", "fatima",
         "chloe", "ravi", "ingrid", "mateo")
LAST = ("mueller", "ivanov", "sharma", "tanaka", "garcia", "kowalski", "okafor", "berg", "chen", "adeyemi",
        "larsen", "haddad", "dubois", "patel", "nilsson", "rossi")
TOP = ("members", "jobs", "calibration", "customers", "prototypes", "archive")
SUB = ("enclosure", "brackets", "gears", "2026-q4", "drone-frame", "cable clips", "spare_parts", "v2",
       "lithophanes", "benchy tests", "keycaps", "fixtures")
PART = ("bracket", "gear_32t", "hinge-left", "Benchy", "cable clip", "spool holder", "phone stand", "knob",
        "vase mode", "calibration cube", "fan duct", "enclosure-lid")
MODELS = (("prusa_mk4", "Original Prusa MK4", 250, 210, 220), ("ender3_v2", "Creality Ender-3 V2", 220, 220, 250),
          ("voron_24", "Voron 2.4 350", 350, 350, 340), ("bambu_p1s", "Bambu P1S", 256, 256, 256),
          ("anycubic_kobra", "Anycubic Kobra 2", 250, 220, 220))
BAYS = ("bay1", "bay2", "bay3", "lab", "annex", "front-desk")
PERMS = ("FILES_LIST", "FILES_UPLOAD", "FILES_DOWNLOAD", "FILES_DELETE", "FILES_SELECT", "PRINT", "STATUS",
         "CONNECTION", "CONTROL", "GCODE_VIEWER", "TIMELAPSE_LIST", "SETTINGS_READ", "WEBCAM")
TEAMS = ("lab_techs", "night_shift", "students", "guests", "maintainers", "design-team", "workshop_b")


class Drive:
    def __init__(self, url: str, key: str, binary: str, rng: random.Random) -> None:
        self.api = Client(url, key)
        self.url, self.key, self.bin, self.rng = url, key, binary, rng
        self.files: list[str] = []
        self.folders: list[str] = ["members", "jobs"]
        self.profiles: list[str] = []
        self.users: list[str] = []
        self.groups: list[str] = []
        self.tmp = Path(tempfile.mkdtemp(prefix="octoprint-drive-"))
        self.n = 0

    # --- helpers
    def name(self) -> str:
        return f"{self.rng.choice(FIRST)}.{self.rng.choice(LAST)}"

    def gcode(self) -> Path:
        self.n += 1
        lines = [f"; {self.rng.choice(PART)} sliced for the makerspace", "G28", "M104 S215", "M140 S60", "G90"]
        for _ in range(self.rng.randint(4, 20)):
            x, y = self.rng.uniform(10, 200), self.rng.uniform(10, 200)
            lines.append(f"G1 X{x:.2f} Y{y:.2f} E{self.rng.uniform(0.1, 3):.4f} F{self.rng.choice((1200, 1800, 3000))}")
        path = self.tmp / f"part{self.n}.gcode"
        path.write_text("\n".join(lines) + "\n")
        return path

    def cli(self, *args: str) -> None:
        u = urlsplit(self.url)
        cmd = [self.bin, "client", "--apikey", self.key, "--host", u.hostname or "127.0.0.1", "--port", str(u.port)]
        subprocess.run([*cmd, *args], capture_output=True, timeout=60, check=False)

    def folder(self) -> str:
        return self.rng.choice(self.folders)

    # --- files
    def upload(self) -> None:
        fname = f"{self.rng.choice(PART)}-{self.rng.randint(1, 99)}.gcode"
        data = {"path": self.folder(), "select": "false"}
        if self.rng.random() < 0.2:
            data["userdata"] = json.dumps({"owner": self.name(), "material": self.rng.choice(("PLA", "PETG", "ABS"))})
        r = self.api.upload("/api/files/local", str(self.gcode()), additional=data, file_name=fname)
        if r.status_code == 201:
            self.files.append(r.json()["files"]["local"]["path"])

    def upload_cli(self) -> None:
        fname = f"{self.rng.choice(PART)}-{self.rng.randint(1, 99)}.gcode"
        src = self.gcode()
        dst = src.with_name(fname)
        src.rename(dst)
        folder = self.folder()
        self.cli("upload", "--path", folder, "/api/files/local", str(dst))
        self.files.append(f"{folder}/{fname}")

    def make_folder(self) -> None:
        parent = self.rng.choice((*TOP, *self.folders[:8]))
        leaf = self.rng.choice(SUB) if self.rng.random() < 0.6 else self.name()
        r = self.api.post("/api/files/local", {"foldername": leaf, "path": parent if parent in self.folders else ""})
        if r.status_code == 201:
            self.folders.append(r.json()["folder"]["path"])

    def read_file(self) -> None:
        if self.files:
            self.api.get(f"/api/files/local/{self.rng.choice(self.files)}")

    def read_folder(self) -> None:
        params = {"recursive": "true"} if self.rng.random() < 0.5 else None
        self.api.get(f"/api/files/local/{self.folder()}", params=params)

    def list_files(self) -> None:
        which = self.rng.random()
        if which < 0.4:
            self.api.get("/api/files", params={"recursive": self.rng.choice(("true", "false"))})
        elif which < 0.8:
            self.api.get("/api/files/local", params={"recursive": "true"} if self.rng.random() < 0.5 else None)
        else:
            self.cli("get", "/api/files")

    def copy_move(self) -> None:
        if not self.files:
            return
        src = self.rng.choice(self.files)
        dest = self.folder()
        command = self.rng.choice(("copy", "move"))
        r = self.api.post_json(f"/api/files/local/{src}", {"command": command, "destination": dest})
        if r.status_code == 201:
            new = r.json().get("path") or f"{dest}/{src.rsplit('/', 1)[-1]}"
            if command == "move":
                self.files.remove(src)
            self.files.append(new)

    def select(self) -> None:
        if self.files:
            self.api.post_command(f"/api/files/local/{self.rng.choice(self.files)}", "select")

    def delete_file(self) -> None:
        if not self.files:
            return
        path = self.files.pop(self.rng.randrange(len(self.files)))
        if self.rng.random() < 0.3:
            self.cli("delete", f"/api/files/local/{path}")
        else:
            self.api.delete(f"/api/files/local/{path}")

    def delete_folder(self) -> None:
        if len(self.folders) > 6:
            path = self.folders.pop(self.rng.randrange(2, len(self.folders)))
            self.api.delete(f"/api/files/local/{path}")
            self.files = [f for f in self.files if not f.startswith(path + "/")]
            self.folders = [f for f in self.folders if not f.startswith(path + "/")]

    # --- printer profiles
    def add_profile(self) -> None:
        ident, model, x, y, z = self.rng.choice(MODELS)
        pid = f"{ident}_{self.rng.choice(BAYS)}"
        profile: dict[str, Any] = {"id": pid, "name": f"{model} ({pid.rsplit('_', 1)[-1]})", "model": model,
                                   "volume": {"width": x, "depth": y, "height": z},
                                   "heatedBed": self.rng.random() < 0.9}
        if self.rng.random() < 0.4:
            profile["extruder"] = {"count": self.rng.choice((1, 2)), "nozzleDiameter": self.rng.choice((0.4, 0.6))}
        body: dict[str, Any] = {"profile": profile}
        if self.profiles and self.rng.random() < 0.3:
            body["basedOn"] = self.rng.choice(self.profiles)
        r = self.api.post_json("/api/printerprofiles", body)
        if r.status_code == 200 and pid not in self.profiles:
            self.profiles.append(pid)

    def read_profile(self) -> None:
        if self.rng.random() < 0.4 or not self.profiles:
            self.api.get("/api/printerprofiles")
        else:
            self.api.get(f"/api/printerprofiles/{self.rng.choice(self.profiles)}")

    def patch_profile(self) -> None:
        if self.profiles:
            pid = self.rng.choice(self.profiles)
            change = self.rng.choice(({"volume": {"height": self.rng.randint(150, 400)}},
                                      {"name": f"{pid} (recalibrated)"}, {"heatedChamber": self.rng.random() < 0.5},
                                      {"axes": {"z": {"speed": self.rng.choice((200, 300, 400))}}}))
            self.api.patch(f"/api/printerprofiles/{pid}", {"profile": change}, encoding="json")

    def delete_profile(self) -> None:
        if len(self.profiles) > 2:
            self.api.delete(f"/api/printerprofiles/{self.profiles.pop(self.rng.randrange(len(self.profiles)))}")

    # --- users and groups
    def add_user(self) -> None:
        name = self.name() if self.rng.random() < 0.8 else f"{self.rng.choice(FIRST)}{self.rng.randint(1, 99)}"
        groups = ["users", *self.rng.sample(self.groups, k=min(len(self.groups), self.rng.randint(0, 2)))]
        r = self.api.post_json("/api/access/users", {"name": name, "password": f"Pw-{self.rng.randint(1000, 9999)}x",
                                                     "active": self.rng.random() < 0.9, "groups": groups})
        if r.status_code == 200 and name not in self.users:
            self.users.append(name)

    def read_user(self) -> None:
        if self.rng.random() < 0.3 or not self.users:
            self.api.get("/api/access/users")
        else:
            user = self.rng.choice(self.users)
            self.api.get(f"/api/access/users/{user}" + ("/settings" if self.rng.random() < 0.3 else ""))

    def update_user(self) -> None:
        if not self.users:
            return
        user = self.rng.choice(self.users)
        which = self.rng.random()
        if which < 0.35:
            body: dict[str, Any] = {"active": self.rng.random() < 0.8}
            if self.groups and self.rng.random() < 0.6:
                body["groups"] = ["users", self.rng.choice(self.groups)]
            self.api.put(f"/api/access/users/{user}", body, encoding="json")
        elif which < 0.55:
            self.api.put(f"/api/access/users/{user}/password", {"password": f"New-{self.rng.randint(1000, 9999)}y"},
                         encoding="json")
        elif which < 0.8:
            change = self.rng.choice(({"interface": {"language": self.rng.choice(("en", "de", "fr"))}},
                                      {"interface": {"color": self.rng.choice(("default", "red", "blue"))}},
                                      {"gcodeViewer": {"sizeThreshold": self.rng.randint(1, 50) * 1048576}}))
            self.api.patch(f"/api/access/users/{user}/settings", change, encoding="json")
        elif which < 0.92:
            self.api.post(f"/api/access/users/{user}/apikey", None)
        else:
            self.api.delete(f"/api/access/users/{user}/apikey")

    def delete_user(self) -> None:
        if len(self.users) > 3:
            self.api.delete(f"/api/access/users/{self.users.pop(self.rng.randrange(len(self.users)))}")

    def add_group(self) -> None:
        if self.rng.random() < 0.7:
            key = self.rng.choice(TEAMS)
        else:
            key = f"{self.rng.choice(TEAMS)}_{self.rng.randint(1, 9)}"
        body = {"key": key, "name": key.replace("_", " ").title(), "description": f"Makerspace {key}",
                "permissions": self.rng.sample(PERMS, k=self.rng.randint(1, 5)), "subgroups": [],
                "default": False}
        r = self.api.post_json("/api/access/groups", body)
        if r.status_code == 200 and key not in self.groups:
            self.groups.append(key)

    def read_group(self) -> None:
        if self.rng.random() < 0.4 or not self.groups:
            self.api.get(self.rng.choice(("/api/access/groups", "/api/access/permissions")))
        else:
            self.api.get(f"/api/access/groups/{self.rng.choice(self.groups)}")

    def update_group(self) -> None:
        if self.groups:
            key = self.rng.choice(self.groups)
            self.api.put(f"/api/access/groups/{key}", {"permissions": self.rng.sample(PERMS, k=self.rng.randint(1, 6)),
                                                       "description": f"{key} (updated)"}, encoding="json")

    def delete_group(self) -> None:
        if len(self.groups) > 2:
            self.api.delete(f"/api/access/groups/{self.groups.pop(self.rng.randrange(len(self.groups)))}")

    # --- printer, job, connection, settings, system
    def printer(self) -> None:
        which = self.rng.random()
        if which < 0.25:
            params = {"history": "true", "limit": str(self.rng.randint(1, 10))} if self.rng.random() < 0.4 else None
            self.api.get("/api/printer", params=params)
        elif which < 0.4:
            self.api.post_json("/api/printer/printhead", {"command": "jog", "x": self.rng.randint(-20, 20),
                                                          "y": self.rng.randint(-20, 20), "z": self.rng.randint(0, 5)})
        elif which < 0.48:
            axes = self.rng.sample(["x", "y", "z"], 2)
            self.api.post_json("/api/printer/printhead", {"command": "home", "axes": axes})
        elif which < 0.6:
            self.api.post_json("/api/printer/tool", {"command": "target",
                                                     "targets": {"tool0": self.rng.choice((0, 190, 210, 235))}})
        elif which < 0.7:
            self.api.post_json("/api/printer/bed", {"command": "target", "target": self.rng.choice((0, 55, 60, 80))})
        elif which < 0.8:
            self.api.get(self.rng.choice(("/api/printer/tool", "/api/printer/bed", "/api/printer/sd")))
        else:
            cmds = self.rng.sample(["M105", "M114", "G28 X", "M106 S128", "M107", "M503", "G91", "G90"], 2)
            self.api.post_json("/api/printer/command", {"commands": cmds})

    def job(self) -> None:
        which = self.rng.random()
        if which < 0.5:
            self.api.get("/api/job")
        elif which < 0.7 and self.files:
            self.api.post_json(f"/api/files/local/{self.rng.choice(self.files)}", {"command": "select", "print": True})
        else:
            cmd = self.rng.choice(({"command": "pause", "action": "toggle"}, {"command": "cancel"},
                                   {"command": "start"}, {"command": "restart"}))
            self.api.post_json("/api/job", cmd)

    def connection(self) -> None:
        if self.rng.random() < 0.6:
            self.api.get("/api/connection")
        elif self.rng.random() < 0.5:
            body: dict[str, Any] = {"command": "connect", "port": "VIRTUAL", "autoconnect": False}
            if self.profiles and self.rng.random() < 0.5:
                body["printerProfile"] = self.rng.choice(self.profiles)
            self.api.post_json("/api/connection", body)
        else:
            self.api.post_json("/api/connection", {"command": "disconnect"})
            self.api.post_json("/api/connection", {"command": "connect", "port": "VIRTUAL"})

    def settings(self) -> None:
        if self.rng.random() < 0.5:
            self.api.get("/api/settings")
            return
        change = self.rng.choice((
            {"appearance": {"name": f"Makerspace {self.rng.choice(BAYS)}", "color": self.rng.choice(("red", "blue"))}},
            {"temperature": {"profiles": [{"name": m, "extruder": e, "bed": b} for m, e, b in
                                          self.rng.sample([("PLA", 210, 60), ("PETG", 235, 80), ("ABS", 245, 100),
                                                           ("TPU", 225, 50)], 2)]}},
            {"feature": {"sdSupport": self.rng.random() < 0.5}},
            {"serial": {"timeoutConnection": self.rng.randint(5, 20)}},
            {"api": {"allowCrossOrigin": self.rng.random() < 0.3}}))
        self.api.post_json("/api/settings", change)

    def misc(self) -> None:
        path = self.rng.choice(("/api/version", "/api/server", "/api/currentuser", "/api/system/commands",
                                "/api/system/commands/core", "/api/timelapse", "/api/slicing", "/api/languages",
                                "/api/files/local/calibration"))
        if self.rng.random() < 0.15:
            self.cli("get", path)
        else:
            self.api.get(path)

    def util_test(self) -> None:
        body = self.rng.choice(({"command": "path", "path": f"/tmp/{self.rng.choice(SUB)}", "check_type": "dir"},
                                {"command": "url", "url": "http://127.0.0.1:9/snapshot", "timeout": 1},
                                {"command": "server", "host": "127.0.0.1", "port": 9, "timeout": 1}))
        self.api.post_json("/api/util/test", body)

    def errors(self) -> None:
        which = self.rng.randrange(8)
        if which == 0:
            self.api.get(f"/api/files/local/{self.folder()}/missing-{self.rng.randint(1, 999)}.gcode")
        elif which == 1:
            self.api.get(f"/api/printerprofiles/{self.rng.choice(MODELS)[0]}_gone")
        elif which == 2:
            self.api.get(f"/api/access/users/ghost.{self.rng.choice(LAST)}")
        elif which == 3 and self.users:
            self.api.post_json("/api/access/users", {"name": self.rng.choice(self.users), "password": "Pw-1234x",
                                                     "active": True})
        elif which == 4:
            self.api.post_json("/api/printer/printhead", {"command": "spin"})
        elif which == 5:
            self.api.get(f"/api/access/groups/{self.rng.choice(TEAMS)}_old")
        elif which == 6 and self.files:
            self.api.post_json(f"/api/files/local/{self.rng.choice(self.files)}", {"command": "copy"})
        else:
            self.api.post_json("/api/printerprofiles", {"profile": {"name": "no id"}})


def main() -> None:
    args = parse(__doc__, ["url", "apikey", "binary"], 1300)
    d = Drive(args.url, args.apikey, args.binary, random.Random(args.seed))
    for _ in range(3):
        d.add_group()
        d.add_profile()
    d.api.post_json("/api/connection", {"command": "connect", "port": "VIRTUAL"})
    steps: list[tuple[Callable[[], object], float]] = [
        (d.upload, 10), (d.upload_cli, 1), (d.make_folder, 4), (d.read_file, 6), (d.read_folder, 4),
        (d.list_files, 4), (d.copy_move, 4), (d.select, 2), (d.delete_file, 4), (d.delete_folder, 1),
        (d.add_profile, 3), (d.read_profile, 4), (d.patch_profile, 3), (d.delete_profile, 1),
        (d.add_user, 4), (d.read_user, 5), (d.update_user, 5), (d.delete_user, 1.5),
        (d.add_group, 1.5), (d.read_group, 2), (d.update_group, 1.5), (d.delete_group, 0.7),
        (d.printer, 7), (d.job, 3), (d.connection, 2), (d.settings, 3), (d.misc, 4), (d.util_test, 1),
        (d.errors, 4),
    ]
    run(d.rng, steps, args.rounds, args.max_seconds)


if __name__ == "__main__":
    main()
