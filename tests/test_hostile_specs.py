"""Hostile specs given to ``check``, ``diff`` and ``build --spec``: no network, no file outside the spec's
folder, bounded memory and time, and an ordinary exit (0, 1 or 2, never a crash).

Each hostile spec is written into its own folder and every command runs as a subprocess whose Python
carries an audit hook (a ``sitecustomize`` put first on its PYTHONPATH, so workers started by spawn get
it too; forked ones inherit it). The hook logs every ``open`` of a path outside the allowed set and
every socket connect or name lookup. The allowed set, each entry and why:

- the spec's folder (and the other spec's, for ``diff``): the files the run was given;
- the traffic file and the output folder: the same;
- ``sys.prefix`` / ``sys.base_prefix`` / site-packages: the interpreter and the libraries it imports;
- the worktree's ``specbuild/`` package: our own modules and the native extension; and its
  ``specbuild.egg-info``, the metadata of an editable install (``importlib.metadata`` reads it);
- ``/proc``, ``/dev``, ``/sys``: what multiprocessing and the C libraries read about the machine.

Nothing else: not the temp folder, not ``/etc``, not the home folder.

The full GitHub and Kubernetes descriptions (``scripts/fetch_specs.sh`` puts them in
``~/.cache/specbuild/specs``) run in the ``slow`` tests, against the devset's traffic and truth specs.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.test_files import BILLION_LAUGHS
from tests.test_spec_refs import PET, spec_with

ROOT = Path(__file__).resolve().parent.parent
CONTROL = ROOT / "fixtures" / "drift" / "control.jsonl"
SPECS = Path(os.environ.get("SPECBUILD_SPECS", Path.home() / ".cache" / "specbuild" / "specs"))
DEVSET = ROOT.parent / "shared" / "devset"
SECONDS = 30.0
# A full public description is big, not hostile: its bound only tells a hang from work (a loaded CI
# machine ran GitHub's check past 30 s).
FULL_SECONDS = 180.0
MAX_RSS = 1 << 30
# a guard for the machine, not the measure: the measure is the peak RSS below
ADDRESS_SPACE = 4 << 30

HOOK = '''\
"""Audit hook for tests/test_hostile_specs.py: logs opens outside the allowed set and socket use."""
import os
import sys
import threading


def _install():
    log = os.environ.get("SPECBUILD_AUDIT_LOG")
    if not log:
        return
    allowed = tuple(p for p in os.environ.get("SPECBUILD_AUDIT_ALLOW", "").split(os.pathsep) if p)
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    local = threading.local()

    def inside(path):
        return any(path == a or path.startswith(a.rstrip(os.sep) + os.sep) for a in allowed)

    def note(line):
        os.write(fd, (line.replace("\\n", " ") + "\\n").encode("utf-8", "backslashreplace"))

    def hook(event, args):
        if getattr(local, "busy", False):
            return
        local.busy = True
        try:
            if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
                real = os.path.realpath(os.fsdecode(args[0]))
                if not inside(real):
                    note(f"open {real} ({os.getpid()})")
            elif event == "urllib.Request" and args[0].startswith("file://"):
                # a library reading its own bundled file through urllib: judged as an open of that file
                real = os.path.realpath(args[0][len("file://"):])
                if not inside(real):
                    note(f"open {args[0]} ({os.getpid()})")
            elif event in NET:
                note(f"{event} {args[1:] if event == 'socket.connect' else args} ({os.getpid()})")
        finally:
            local.busy = False

    NET = ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr",
           "socket.sendto", "socket.bind", "urllib.Request", "http.client.connect")
    sys.addaudithook(hook)


_install()
'''


@dataclass(frozen=True)
class Outcome:
    args: list[str]
    code: int
    bound: float  # seconds it was given before SIGKILL
    seconds: float
    rss: int
    stderr: str
    forbidden: list[str]

    def row(self) -> str:
        return (f"{' '.join(self.args[:1])}: exit {self.code}, {self.seconds:.1f} s, {self.rss >> 20} MiB, "
                f"{len(self.forbidden)} forbidden")


@pytest.fixture(scope="module")
def hook_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("audit-hook")
    (folder / "sitecustomize.py").write_text(HOOK)
    return folder


def _allowed(paths: list[Path]) -> list[str]:
    import site

    fixed = [sys.prefix, sys.base_prefix, *site.getsitepackages(), str(ROOT / "specbuild"),
             str(ROOT / "specbuild.egg-info"), "/proc", "/dev", "/sys"]
    return sorted({os.path.realpath(p) for p in [*fixed, *map(str, paths)]})


def _limit() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def run(args: list[str], allowed: list[Path], hook: Path, work: Path, bound: float = SECONDS) -> Outcome:
    """Run ``specbuild ARGS`` audited: its exit, wall time, peak RSS (it and its workers), stderr."""
    work.mkdir(parents=True, exist_ok=True)
    log, out, err = work / "audit.log", work / "stdout", work / "stderr"
    env = {**os.environ, "PYTHONPATH": f"{hook}{os.pathsep}{ROOT}", "SPECBUILD_AUDIT_LOG": str(log),
           "SPECBUILD_AUDIT_ALLOW": os.pathsep.join(_allowed([*allowed, work]))}
    started = time.monotonic()
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen([sys.executable, "-c", "from specbuild.cli.app import main; main()", *args],
                                stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL, env=env,
                                preexec_fn=_limit, start_new_session=True)
        timer = threading.Timer(bound, os.killpg, (proc.pid, signal.SIGKILL))
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
    seconds = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    forbidden = log.read_text().splitlines() if log.exists() else []
    return Outcome(args, proc.returncode, bound, seconds, usage.ru_maxrss * 1024, err.read_text(errors="replace"),
                   forbidden)


# -- the hostile specs: each builder writes its spec (and what it needs) into an empty folder -------------


def _json(folder: Path, doc: Any, name: str = "hostile.json") -> Path:
    (folder / name).write_text(json.dumps(doc))
    return folder / name


def _raw(folder: Path, data: bytes, name: str = "hostile.yaml") -> Path:
    (folder / name).write_bytes(data)
    return folder / name


def _items(schema: Any) -> dict[str, Any]:
    """The pets spec whose 200 response is an array of ``schema``."""
    spec = spec_with("#/components/schemas/Pet")
    spec["paths"]["/v1/pets"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["items"] = schema
    return spec


def _ref_out(ref: str) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        (folder.parent / "secret.json").write_text(json.dumps(PET))
        return _json(folder, spec_with(ref))

    return build


def _symlink_out(folder: Path) -> Path:
    (folder.parent / "secret.json").write_text(json.dumps(PET))
    (folder / "link.json").symlink_to(folder.parent / "secret.json")
    return _json(folder, spec_with("link.json"))


def _billion_laughs(folder: Path) -> Path:
    head = b"openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\nx-bomb:\n"
    return _raw(folder, head + b"".join(b"  " + line + b"\n" for line in BILLION_LAUGHS.splitlines()))


def _pattern(pattern: str, value: str) -> Callable[[Path], Path]:
    """A spec whose pet name has ``pattern``, and traffic (next to it) whose names are ``value``."""

    def build(folder: Path) -> Path:
        record = json.loads(CONTROL.read_text().splitlines()[0])
        record["response"]["body"] = json.dumps([{"id": 1, "name": value}])
        (folder / "traffic.jsonl").write_text(json.dumps(record) + "\n")
        name = {"type": "string", "pattern": pattern}
        return _json(folder, _items({"type": "object", "properties": {"id": {"type": "integer"}, "name": name}}))

    return build


ODD_KEYS = b"""\
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /v1/pets:
    get:
      responses:
        200:
          description: OK
          content:
            application/json:
              schema:
                type: array
                items:
                  type: object
                  properties:
                    7: {type: string}
                    2024-01-01: {type: string}
                    true: {type: string}
                    null: {type: string}
                    1.5: {type: string}
                    id: {type: integer, maximum: .inf, minimum: -.inf, multipleOf: .nan}
                    name: {type: string, maxLength: .inf}
"""


def _inf_json(folder: Path) -> Path:
    schema = {"type": "object", "properties": {"id": {"type": "integer", "maximum": float("inf"),
                                                      "minimum": float("nan")}}}
    return _json(folder, _items(schema))  # json.dumps writes Infinity / NaN: not JSON, Python reads it


DEPTH = 5000


def _deep_json(folder: Path) -> Path:
    text = json.dumps(spec_with("#/x"))
    deep = '{"type":"object","properties":{"a":' * DEPTH + '{"type":"string"}' + "}}" * DEPTH
    (folder / "hostile.json").write_text(text.replace('{"$ref": "#/x"}', deep))
    return folder / "hostile.json"


def _deep_yaml(folder: Path) -> Path:
    deep = "{type: object, properties: {a: " * DEPTH + "{type: string}" + "}}" * DEPTH
    head = ("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /v1/pets:\n    get:\n      responses:\n"
            "        '200':\n          description: OK\n          content:\n            application/json:\n"
            "              schema: {type: array, items: ")
    return _raw(folder, (head + deep + "}\n").encode())


def _ref_cycle(folder: Path) -> Path:
    spec = spec_with("#/components/schemas/A")
    spec["components"] = {"schemas": {"A": {"$ref": "#/components/schemas/B"},
                                      "B": {"$ref": "#/components/schemas/A"}}}
    return _json(folder, spec)


def _file_ref_cycle(folder: Path) -> Path:
    (folder / "a.json").write_text(json.dumps({"$ref": "b.json"}))
    (folder / "b.json").write_text(json.dumps({"$ref": "a.json"}))
    return _json(folder, spec_with("a.json"))


def _huge_enum(folder: Path) -> Path:
    name = {"type": "string", "enum": [f"name-{i}" for i in range(100_000)]}
    return _json(folder, _items({"type": "object", "properties": {"name": name}}))


def _huge_string(folder: Path) -> Path:
    spec = spec_with("#/components/schemas/Pet") | {"components": {"schemas": {"Pet": PET}}}
    spec["info"]["description"] = "x" * (50 << 20)
    return _json(folder, spec)


HOSTILE: dict[str, Callable[[Path], Path]] = {
    "http-ref": _ref_out("http://127.0.0.1:9/pet.json"),
    "https-ref": _ref_out("https://example.com/pet.json"),
    "file-url-ref": _ref_out("file:///etc/hostname"),
    "absolute-ref": _ref_out("/etc/hostname"),
    "parent-ref": _ref_out("../secret.json"),
    "symlink-out": _symlink_out,
    "billion-laughs": _billion_laughs,
    "recursive-alias": lambda f: _raw(f, b"openapi: 3.0.3\na: &a\n  - [*a]\n"),
    "catastrophic-pattern": _pattern("^(a+)+$", "a" * 40 + "!"),
    "lookahead-pattern": _pattern("^(?=.*[0-9])(?!.*\\s)[a-z0-9]+$", "rex"),
    "odd-keys-yaml": lambda f: _raw(f, ODD_KEYS),
    "inf-nan-json": _inf_json,
    "deep-json": _deep_json,
    "deep-yaml": _deep_yaml,
    "ref-cycle": _ref_cycle,
    "file-ref-cycle": _file_ref_cycle,
    "huge-enum": _huge_enum,
    "huge-string": _huge_string,
    "list": lambda f: _raw(f, b"- openapi\n- 3.0.3\n"),
    "scalar": lambda f: _raw(f, b"42\n", "hostile.json"),
    "empty": lambda f: _raw(f, b""),
    "invalid-utf8": lambda f: _raw(f, b"openapi: 3.0.3\ninfo: {title: \xff\xfe\xfd, version: '1'}\npaths: {}\n"),
}


def commands(spec: Path, other: Path, traffic: Path, out: Path) -> list[list[str]]:
    return [["check", "--spec", str(spec), "-i", str(traffic)],
            ["diff", str(spec), str(other)],
            ["diff", str(other), str(spec)],
            ["build", "-i", str(traffic), "-o", str(out), "--spec", str(spec)]]


def run_all(spec: Path, other: Path, traffic: Path, tmp: Path, hook: Path,
            bound: float = SECONDS) -> list[Outcome]:
    """The four commands on ``spec``, two at a time (the machine is shared)."""
    out = tmp / "out"
    allowed = [spec.parent, other.parent, traffic, out]
    jobs = commands(spec, other, traffic, out)
    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(lambda ij: run(ij[1], allowed, hook, tmp / f"run{ij[0]}", bound), enumerate(jobs)))


def assert_ordinary(outcome: Outcome, names: list[str]) -> None:
    where = f"{outcome.args}: {outcome.stderr[-2000:]}"
    assert outcome.code in (0, 1, 2), where
    assert outcome.seconds <= outcome.bound, where
    assert outcome.rss <= MAX_RSS, (outcome.rss >> 20, where)
    assert not outcome.forbidden, (outcome.forbidden, where)
    if outcome.code == 2:  # refused: the message says which file
        assert any(name in outcome.stderr for name in names), where


@pytest.fixture()
def plain(tmp_path: Path) -> Path:
    folder = tmp_path / "plain"
    folder.mkdir()
    return _json(folder, spec_with("#/components/schemas/Pet") | {"components": {"schemas": {"Pet": PET}}},
                 "plain.json")


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_a_hostile_spec_is_handled_in_bounds(kind: str, tmp_path: Path, plain: Path, hook_dir: Path) -> None:
    folder = tmp_path / "spec"
    folder.mkdir()
    spec = HOSTILE[kind](folder)
    traffic = folder / "traffic.jsonl" if (folder / "traffic.jsonl").exists() else CONTROL
    outcomes = run_all(spec, plain, traffic, tmp_path, hook_dir)
    print("\n".join(f"{kind} {o.row()}" for o in outcomes))
    for outcome in outcomes:
        assert_ordinary(outcome, [spec.name])


REFUSED = ["http-ref", "https-ref", "file-url-ref", "absolute-ref", "parent-ref", "symlink-out", "billion-laughs",
           "recursive-alias", "list", "scalar", "empty", "invalid-utf8"]


@pytest.mark.parametrize("kind", REFUSED)
def test_a_refused_spec_is_exit_2_naming_it(kind: str, tmp_path: Path, plain: Path, hook_dir: Path) -> None:
    folder = tmp_path / "spec"
    folder.mkdir()
    spec = HOSTILE[kind](folder)
    outcome = run(["check", "--spec", str(spec), "-i", str(CONTROL)], [folder, CONTROL], hook_dir, tmp_path / "run")
    assert outcome.code == 2 and spec.name in outcome.stderr, outcome.stderr


def test_the_hook_sees_an_open_outside_and_a_connect(tmp_path: Path, hook_dir: Path) -> None:
    """The audit is live: a worker started by spawn reports what it opens and connects to."""
    code = ("import multiprocessing as mp, socket\n"
            "def touch(_):\n"
            "    open('/etc/hostname').close()\n"
            "    try:\n        socket.create_connection(('127.0.0.1', 9), timeout=1)\n"
            "    except OSError:\n        pass\n"
            "if __name__ == '__main__':\n"
            "    with mp.get_context('spawn').Pool(1) as pool:\n        pool.map(touch, [0])\n")
    script = tmp_path / "probe.py"
    script.write_text(code)
    log = tmp_path / "audit.log"
    env = {**os.environ, "PYTHONPATH": f"{hook_dir}{os.pathsep}{ROOT}", "SPECBUILD_AUDIT_LOG": str(log),
           "SPECBUILD_AUDIT_ALLOW": os.pathsep.join(_allowed([tmp_path]))}
    subprocess.run([sys.executable, str(script)], env=env, check=True, timeout=SECONDS)
    text = log.read_text()
    assert "open /etc/hostname" in text and "socket.connect" in text, text


# -- the full public descriptions (scripts/fetch_specs.sh) --------------------------------------------------

FULL = [("github", "github-n5000"), ("kubernetes", "kubernetes-n5000")]


def _full(name: str, devset: str) -> tuple[Path, Path, Path]:
    spec = SPECS / f"{name}.json"
    if not spec.exists():
        pytest.skip(f"{spec} absent: run scripts/fetch_specs.sh to fetch the full descriptions")
    traffic, truth = DEVSET / f"{devset}.jsonl.gz", DEVSET / f"{devset}.truth.json"
    if not traffic.exists() or not truth.exists():
        pytest.skip(f"{traffic} or its truth spec absent: the devset is not on this machine")
    return spec, traffic, truth


@pytest.fixture()
def copies(tmp_path: Path) -> Iterator[Callable[[Path, str], Path]]:
    """A full description copied into its own folder (the cache folder holds the other one too)."""

    def copy(path: Path, folder: str) -> Path:
        target = tmp_path / folder / path.name
        target.parent.mkdir()
        target.write_bytes(path.read_bytes())
        return target

    yield copy


@pytest.mark.slow
@pytest.mark.parametrize(("name", "devset"), FULL)
def test_a_full_description_is_handled_in_bounds(name: str, devset: str, tmp_path: Path, hook_dir: Path,
                                                 copies: Callable[[Path, str], Path]) -> None:
    spec, traffic, truth = _full(name, devset)
    spec, twin, truth = copies(spec, "spec"), copies(spec, "twin"), copies(truth, "truth")
    outcomes = run_all(spec, truth, traffic, tmp_path, hook_dir, FULL_SECONDS)
    outcomes.append(run(["diff", str(spec), str(twin)], [spec.parent, twin.parent], hook_dir, tmp_path / "self",
                        FULL_SECONDS))
    print("\n".join(f"{name} {o.row()}" for o in outcomes))
    for outcome in outcomes:
        assert_ordinary(outcome, [spec.name])
        assert outcome.code in (0, 1), outcome.stderr[-2000:]
