#!/usr/bin/env python3
"""Learn each devset file and score it against its truth spec (../shared/devset/score.py).

    python scripts/quality.py [--devset ../shared/devset] [--only github-n5000] [--json-out q.json]
    python scripts/quality.py --realset /work/realset [--realset /work/realset-holdout]   (scripts/real)

For every `<api>-<set>.jsonl.gz` beside a `<api>-<set>.truth.json` it runs `specbuild build` in a fresh
process, then score.py with the traffic and the API's holdout traffic (does what it learned hold on a
second sample? for every file, not only n5000: issue 11 asks it of 200-exchange samples too). It prints
one line per file and checks the targets of issue 2:
path-template F1 >= 0.97, operation F1 >= 0.97, observed response-property recall >= 0.97 with
precision >= 0.95, format accuracy >= 0.9, valid, self-consistency 1.0, holdout (n5000) >= 0.95.
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def gunzip(path: Path, tmp: Path) -> str:
    """score.py reads plain JSONL."""
    target = tmp / path.name.removesuffix(".gz")
    if not target.exists():
        target.write_bytes(gzip.decompress(path.read_bytes()))
    return str(target)


def score(devset: Path, name: str, tmp: Path) -> dict[str, object]:
    traffic = devset / f"{name}.jsonl.gz"
    out = tmp / name
    subprocess.run([sys.executable, "-m", "specbuild", "build", "-i", str(traffic), "-o", str(out), "-q"],
                   check=True, cwd=ROOT)
    api = name.split("-")[0]
    cmd = [sys.executable, str(devset / "score.py"), str(devset / f"{name}.truth.json"),
           str(out / "openapi.json"), "--traffic", gunzip(traffic, tmp), "--json-out", str(tmp / f"{name}.m.json")]
    holdout = devset / f"{api}-holdout.jsonl.gz"
    if holdout.exists():  # every sample against the API's held-out traffic: does what it learned hold?
        cmd += ["--holdout", gunzip(holdout, tmp)]
    subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=devset)
    return dict(json.loads((tmp / f"{name}.m.json").read_text()))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--devset", default=str(ROOT.parent / "shared" / "devset"))
    ap.add_argument("--only", action="append", help="score only these files (e.g. github-n5000)")
    ap.add_argument("--json-out")
    ap.add_argument("--realset", action="append", help="a folder recorded by scripts/real (instead of the devset)")
    ap.add_argument("--findings", help="with --realset: write the concrete failures here (markdown)")
    ap.add_argument("--mutations", action="store_true",
                    help="with --realset: also mutate each -b sample (scripts/real/mutate.py) and gate each mutation")
    args = ap.parse_args()
    devset = Path(args.devset)
    if not (devset / "score.py").exists():  # --realset uses its score.py too (the acceptance rule)
        print(f"skipped: no devset at {devset} (it lives in ../shared beside a development clone)")
        return 0
    if args.realset:
        return realsets([Path(f) for f in args.realset], devset, args.only, args.json_out, args.findings,
                        args.mutations)
    names = sorted(p.name[: -len(".truth.json")] for p in devset.glob("*.truth.json")
                   if "holdout" not in p.name and (devset / (p.name[: -len(".truth.json")] + ".jsonl.gz")).exists())
    if args.only:
        names = [n for n in names if n in args.only]
    results: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            results[name] = m = score(devset, name, Path(tmp))
            print(name.ljust(20), summary(m), flush=True)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=2, sort_keys=True))
    return 0


def realsets(folders: list[Path], devset: Path, only: list[str] | None, json_out: str | None,
             findings: str | None, mutations: bool = False) -> int:
    """Score real-traffic sets (learn -a, judge on -b): scripts/real/measure.py says what each number is."""
    sys.path.insert(0, str(ROOT / "scripts" / "real"))
    import measure

    results: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for folder in folders:
            for name in measure.names_in(folder):
                if only and name not in only:
                    continue
                results[f"{folder.name}/{name}"] = r = measure.measure(folder, name, Path(tmp), devset, mutations)
                print(f"{folder.name}/{name}".ljust(26), measure.summary(r), flush=True)
    if results:
        print(measure.totals(results))
    if json_out:
        Path(json_out).write_text(json.dumps(results, indent=2, sort_keys=True))
    if findings:
        Path(findings).write_text(measure.findings(results))
    return 0


def _get(m: dict[str, object], *keys: str) -> object:
    cur: object = m
    for k in keys:
        if not isinstance(cur, dict) or k not in cur:
            return None
        cur = cur[k]
    return cur


def summary(m: dict[str, object]) -> str:
    fields = [("paths F1", ("paths", "f1")), ("ops F1", ("operations", "f1")),
              ("status F1", ("status_codes", "f1")), ("query F1", ("query_params", "f1")),
              ("resp obs R", ("response_properties", "recall_observed")),
              ("resp P", ("response_properties", "precision")), ("type", ("type_accuracy",)),
              ("fmt", ("format", "accuracy")), ("valid", ("valid",)), ("selfcons", ("self_consistency", "rate")),
              ("holdout", ("holdout_consistency", "rate"))]
    parts = []
    for label, keys in fields:
        v = _get(m, *keys)
        parts.append(f"{label} {v:.3f}" if isinstance(v, float) else f"{label} {v}")
    return " | ".join(parts)


if __name__ == "__main__":
    sys.exit(main())
