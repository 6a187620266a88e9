#!/usr/bin/env python3
"""Do two source trees of specbuild write the same bytes? A refactoring's regression check.

    python scripts/compare_builds.py --base ../wt-base [--head .] [--devset ../shared/devset]

For every devset traffic file it runs, in each tree (each process imports that tree's specbuild):
``build`` (plain, ``--examples``, ``--openapi 3.1``) and ``check --spec <learned n5000 spec> -f json``
against the API's holdout traffic, then compares the outputs byte for byte and prints the wall time
of each side. Exit 1 if any output differs. The native module each tree uses is whatever is built
into it (``specbuild/_native*.so``); ``SPECBUILD_PURE=1`` in the environment compares the pure folds.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VARIANTS: dict[str, list[str]] = {"plain": [], "examples": ["--examples"], "openapi31": ["--openapi", "3.1"]}


def run(tree: Path, args: list[str], stdout: Path | None = None, cwd: Path | None = None) -> float:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    start = time.perf_counter()
    with open(stdout, "wb") if stdout else open(os.devnull, "wb") as out:
        done = subprocess.run([sys.executable, "-m", "specbuild", *args], cwd=cwd or tree, env=env, stdout=out,
                              stderr=subprocess.PIPE, check=False)
    if done.returncode not in (0, 1):  # check exits 1 on findings
        raise SystemExit(f"{tree}: specbuild {' '.join(args)} failed ({done.returncode}):\n{done.stderr.decode()}")
    return time.perf_counter() - start


def build_all(tree: Path, devset: Path, out: Path) -> dict[str, float]:
    times: dict[str, float] = {}
    for traffic in sorted(devset.glob("*.jsonl.gz")):
        name = traffic.name.removesuffix(".jsonl.gz")
        for variant, flags in VARIANTS.items():
            target = out / f"{name}.{variant}"
            times[target.name] = run(tree, ["build", "-i", str(traffic), "-o", str(target), "-q", *flags])
    for holdout in sorted(devset.glob("*-holdout.jsonl.gz")):
        api = holdout.name.split("-")[0]
        spec = out / f"{api}-n5000.plain" / "openapi.json"
        if spec.exists():
            report = out / f"{api}-check.json"
            # the report names the spec: the same relative path on both sides, so the bytes compare
            times[report.name] = run(tree, ["check", "--spec", str(spec.relative_to(out)), "-i", str(holdout),
                                            "-f", "json", "-q"], stdout=report, cwd=out)
    return times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", required=True, type=Path)
    ap.add_argument("--head", default=ROOT, type=Path)
    ap.add_argument("--devset", default=ROOT.parent / "shared" / "devset", type=Path)
    args = ap.parse_args()
    if not args.devset.is_dir():
        print(f"skipped: no devset at {args.devset}")
        return 0
    differ = 0
    with tempfile.TemporaryDirectory() as tmp:
        base_out, head_out = Path(tmp, "base"), Path(tmp, "head")
        base_t = build_all(args.base.resolve(), args.devset, base_out)
        head_t = build_all(args.head.resolve(), args.devset, head_out)
        for name in sorted(base_t):
            a = sorted(p for p in (base_out / name).rglob("*") if p.is_file()) if (base_out / name).is_dir() \
                else [base_out / name]
            same = all(p.read_bytes() == (head_out / p.relative_to(base_out)).read_bytes() for p in a
                       if not p.name.startswith(".specbuild"))
            differ += not same
            print(f"{name:36} {'same' if same else 'DIFFERS':8} base {base_t[name]:6.2f} s  head {head_t[name]:6.2f} s")
    print(f"{differ} output(s) differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
