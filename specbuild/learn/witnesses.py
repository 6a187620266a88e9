"""How many distinct requests a response was seen for: the independent witnesses behind its claims.

Five hundred calls of ``GET /user`` are one user seen five hundred times: evidence that ``email`` is
always there for *that* user, not for users. A response's learned claims rest on at most as many
witnesses as the distinct requests that produced it: request targets (path and query), and for a
request that sends a body, the target and the body together (``request_hash``): a hundred ``POST
/runs/create`` with a hundred different bodies are a hundred runs created (an RPC-style API's every
call has the same target), the same search body posted again and again is one. The rendered schema's
root count is capped by this number (drift/evidence.py reads it). The path templater reads only the
targets (a word called again and again on many ids is an endpoint; bodies say nothing of paths).

The count is a *k minimum values* sketch: a stable 63-bit hash of each target, the ``K`` smallest kept.
Below ``K`` distinct targets the count is exact; above, an estimate within a few percent. Which hashes
are kept does not depend on the order of the records, so merged shards and resumed states agree
byte for byte.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Final

K: Final = 256
_MASK: Final = (1 << 64) - 1
_SPACE: Final = float(1 << 63)


def target_hash(path: str, query: Iterable[tuple[str, str]]) -> int:
    """A stable hash of one request target (not Python's ``hash``: that one changes per process)."""
    text = path + "?" + "&".join(f"{k}={v}" for k, v in query) if query else path + "?"
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1  # 63 bits: a JSON integer every reader keeps exact


def request_hash(target: int, digest: tuple[int, int]) -> int:
    """A stable hash of one request that sent a body: its :func:`target_hash` and the body's ``digest``
    (:func:`specbuild.records.body_digest`: its CRC-32 and length in bytes), mixed by SplitMix64's
    finalizer (witness.rs does the same), 63 bits."""
    z = ((target ^ (digest[0] << 32 | digest[1] & 0xFFFFFFFF)) + 0x9E3779B97F4A7C15) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return (z ^ (z >> 31)) >> 1


class Witnesses:
    """Distinct request targets, counted with a bounded sketch; ``known`` is False for a state saved
    before specbuild counted them (its count is then unknown, never an undercount)."""

    __slots__ = ("hashes", "known")

    def __init__(self, hashes: Iterable[int] = (), known: bool = True) -> None:
        self.hashes = set(hashes)
        self.known = known

    def add(self, h: int) -> None:
        hashes = self.hashes
        hashes.add(h)
        if len(hashes) > 2 * K:  # trim now and then, not per record
            self.hashes = set(self.smallest())

    def merge(self, other: Witnesses) -> None:
        self.known = self.known and other.known
        self.hashes |= other.hashes
        if len(self.hashes) > 2 * K:
            self.hashes = set(self.smallest())

    def smallest(self) -> list[int]:
        """The K + 1 smallest hashes, sorted: all the sketch needs (what a state file keeps). One more
        than K, so a sketch that was trimmed still says it saw more than K."""
        return sorted(self.hashes)[:K + 1]

    def count(self) -> int | None:
        """Distinct targets seen (estimated past K); None when unknown."""
        if not self.known:
            return None
        if len(self.hashes) <= K:
            return len(self.hashes)
        kth = self.smallest()[K - 1]
        return max(K, round((K - 1) * _SPACE / (kth + 1)))
