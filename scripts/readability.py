#!/usr/bin/env python3
"""How well a learned spec reads and generates clients: the measures of issue 12, to re-run at every landing.

    python scripts/readability.py [--devset ../shared/devset] [--api github --api kubernetes]
    python scripts/readability.py --spec github=out/openapi.json [--skip lint]

For each API it builds the devset's ``<api>-n5000`` traffic (or reads the given spec) and prints:
- inline object schemas of 3+ properties (distinct, outside a component's own root) and components;
- datamodel-code-generator (``--openapi-scopes schemas paths``): classes and numbered collisions
  (``Permissions33``: a name ending in digits whose stem is another class's name);
- openapi-python-client: generated, the package imports, responses it omitted (each a lost model);
- Redocly ``recommended`` errors and warnings, Spectral ``spectral:oas`` problems by rule;
- self-consistency: findings of ``specbuild check`` of the traffic against its own spec (built specs only).
Tools come from ``--gen-bin`` (datamodel-codegen, openapi-python-client) and ``npx`` (Redocly, Spectral);
a missing tool prints "skipped". Each runs in a fresh temporary folder; nothing is written elsewhere.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEEN = "x-specbuild-seen"
REF = "#/components/schemas/"


def run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True,
                          check=False)


def objects(node: Any) -> Iterator[dict[str, Any]]:
    """Every schema with ``properties`` under ``node``."""
    if isinstance(node, dict):
        if isinstance(node.get("properties"), dict):
            yield node
        for key, value in node.items():
            if key not in ("example", "examples", "enum", "default"):
                yield from objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from objects(value)


def _key(schema: Any) -> str:
    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k != SEEN}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node
    return json.dumps(strip(schema), sort_keys=True)


def inline_objects(doc: dict[str, Any]) -> int:
    """Distinct object schemas of 3+ properties that are not a component's own root (each a class a generator
    names by itself)."""
    comps = (doc.get("components") or {}).get("schemas") or {}
    found: set[str] = set()
    for top in [doc.get("paths") or {}, *comps.values()]:
        for obj in objects(top):
            if obj is not top and len(obj["properties"]) >= 3:
                found.add(_key(obj))
    return len(found)


def datamodel(spec: Path, tmp: Path, gen_bin: Path) -> str:
    exe = gen_bin / "datamodel-codegen"
    if not exe.exists():
        return "datamodel-codegen: skipped (not found)"
    out = tmp / "models.py"
    done = run([str(exe), "--input", str(spec), "--input-file-type", "openapi", "--openapi-scopes", "schemas",
                "paths", "--output", str(out)], tmp)
    if done.returncode:
        return f"datamodel-codegen: FAILED ({done.stderr.strip().splitlines()[-1:]})"
    names = re.findall(r"^class (\w+)\b", out.read_text(), re.M)
    stems = set(names)
    numbered = sorted(n for n in names if re.fullmatch(r"(.*\D)\d+", n)
                      and re.fullmatch(r"(.*\D)\d+", n).group(1) in stems)  # type: ignore[union-attr]
    share = 100 * len(numbered) / len(names) if names else 0
    shown = ", ".join(numbered[:12]) + (" ..." if len(numbered) > 12 else "")
    return f"datamodel-codegen: {len(names)} classes, {len(numbered)} numbered ({share:.1f}%) {shown}"


def python_client(spec: Path, tmp: Path, gen_bin: Path) -> str:
    exe = gen_bin / "openapi-python-client"
    if not exe.exists():
        return "openapi-python-client: skipped (not found)"
    out = tmp / "client"
    done = run([str(exe), "generate", "--path", str(spec), "--output-path", str(out), "--meta", "none"], tmp,
               env={"PATH": f"{gen_bin}:{os.environ.get('PATH', '')}"})
    if not out.is_dir():
        return f"openapi-python-client: FAILED ({done.returncode})"
    text = done.stdout + done.stderr
    lost = re.findall(r"WARNING parsing (\w+ \S+)", text)
    removed = re.findall(r"Unable to process schema (\S+):", text)
    shutil.move(str(out), str(tmp / "learned_client"))
    probe = ("import importlib, pkgutil, learned_client, learned_client.api as a\n"
             "for m in pkgutil.walk_packages(a.__path__, 'learned_client.api.'): importlib.import_module(m.name)\n")
    imported = run([str(gen_bin / "python"), "-c", probe], tmp).returncode == 0
    return (f"openapi-python-client: generated, imports {'ok' if imported else 'FAILED'}, "
            f"{len(lost)} operations lost a response model {lost[:6]}, {len(removed)} schemas removed {removed[:6]}")


def redocly(spec: Path, tmp: Path) -> str:
    if not shutil.which("npx"):
        return "redocly: skipped (no npx)"
    done = run(["npx", "-y", "@redocly/cli", "lint", "--format", "json", str(spec)], tmp)
    try:
        report = json.loads(done.stdout[done.stdout.index("{"):])
    except ValueError:
        return f"redocly: FAILED ({done.stderr.strip()[-200:]})"
    rules = Counter(f"{p['ruleId']}:{p['severity']}" for p in report["problems"])
    errors, warnings = report["totals"]["errors"], report["totals"]["warnings"]
    return f"redocly recommended: {errors} errors, {warnings} warnings {dict(sorted(rules.items()))}"


def spectral(spec: Path, tmp: Path) -> str:
    if not shutil.which("npx"):
        return "spectral: skipped (no npx)"
    ruleset = tmp / ".spectral.yaml"
    ruleset.write_text('extends: ["spectral:oas"]\n')
    report = tmp / "spectral.json"
    run(["npx", "-y", "@stoplight/spectral-cli", "lint", "-r", str(ruleset), "-f", "json", "-o", str(report),
         str(spec)], tmp)
    if not report.exists():
        return "spectral: FAILED"
    levels = {0: "error", 1: "warning", 2: "info", 3: "hint"}
    rules = Counter(f"{p['code']}:{levels[p['severity']]}" for p in json.loads(report.read_text() or "[]"))
    return f"spectral:oas: {sum(rules.values())} problems {dict(sorted(rules.items()))}"


def self_check(spec: Path, traffic: Path, tmp: Path) -> str:
    done = run([sys.executable, "-m", "specbuild", "check", "--spec", str(spec), "-i", str(traffic), "-f", "json",
                "-q"], ROOT, env={"PYTHONPATH": str(ROOT)})
    try:
        report = json.loads(done.stdout)
    except ValueError:
        return f"self-consistency: FAILED ({done.returncode}: {done.stderr.strip()[-200:]})"
    summary = report["summary"]
    return (f"self-consistency: check of the traffic against its own spec: {summary['matched']}/"
            f"{summary['exchanges']} matched, {summary['findings']} findings ({summary['breaking']} breaking)")


def build(traffic: Path, out: Path) -> Path:
    subprocess.run([sys.executable, "-m", "specbuild", "build", "-i", str(traffic), "-o", str(out), "-q"],
                   check=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return out / "openapi.json"


def measure(name: str, spec: Path, traffic: Path | None, args: argparse.Namespace) -> None:
    doc = json.loads(spec.read_text())
    comps = (doc.get("components") or {}).get("schemas") or {}
    print(f"== {name} ({spec.name})")
    print(f"inline object schemas (3+ properties): {inline_objects(doc)}; components/schemas: {len(comps)}")
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        copy = t / "openapi.json"
        shutil.copy(spec, copy)
        if "codegen" not in args.skip:
            print(datamodel(copy, t, args.gen_bin))
            print(python_client(copy, t, args.gen_bin))
        if "lint" not in args.skip:
            print(redocly(copy, t))
            print(spectral(copy, t))
        if traffic is not None and "check" not in args.skip:
            print(self_check(copy, traffic, t))
    sys.stdout.flush()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--devset", default=ROOT.parent / "shared" / "devset", type=Path)
    ap.add_argument("--api", action="append", help="devset APIs to build (default: github, kubernetes)")
    ap.add_argument("--spec", action="append", default=[], help="NAME=PATH: measure this spec instead of building")
    ap.add_argument("--gen-bin", default=ROOT.parent / "venv-gen" / "bin", type=Path,
                    help="folder with datamodel-codegen and openapi-python-client")
    ap.add_argument("--skip", action="append", default=[], choices=["codegen", "lint", "check"])
    args = ap.parse_args()
    if args.spec:
        for item in args.spec:
            name, _, path = item.partition("=")
            measure(name, Path(path), None, args)
        return 0
    for api in args.api or ["github", "kubernetes"]:
        traffic = args.devset / f"{api}-n5000.jsonl.gz"
        if not traffic.exists():
            print(f"skipped: {traffic} not found (the devset lives in ../shared, beside a development clone)")
            continue
        with tempfile.TemporaryDirectory() as tmp:
            measure(api, build(traffic, Path(tmp)), traffic, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
