"""What every *_drive.py shares: its arguments and the seeded loop of weighted steps.

Stdlib only: each driver runs in its own server's environment and imports this from beside it.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Sequence


def parse(doc: str | None, positional: Sequence[str], rounds: int) -> argparse.Namespace:
    """URL-like positionals, then --seed (required), --rounds and --max-seconds."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    for name in positional:
        ap.add_argument(name)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--rounds", type=int, default=rounds)
    ap.add_argument("--max-seconds", type=float, default=0, help="stop early after this long (0: never)")
    return ap.parse_args()


def run(
    rng: random.Random,
    steps: Sequence[tuple[Callable[[], object], float]],
    rounds: int,
    max_seconds: float = 0,
    tolerated: tuple[type[Exception], ...] = (),
) -> None:
    """ROUNDS steps, each drawn by weight. A CLI-driven client starts a process per command (seconds
    each on a busy machine): MAX_SECONDS bounds a recording; the seed still fixes what is done, the
    budget only where it stops. A TOLERATED error (the client saying a target another step removed is
    gone) is printed and the loop goes on."""
    funcs, weights = zip(*steps, strict=True)
    end = time.monotonic() + max_seconds if max_seconds else float("inf")
    for _ in range(rounds):
        if time.monotonic() > end:
            break
        try:
            rng.choices(funcs, weights)[0]()
        except tolerated as e:
            print(f"{type(e).__name__}: {str(e)[:120]}", file=sys.stderr)
