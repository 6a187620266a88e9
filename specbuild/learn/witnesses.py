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
_SPACE: Final = float(1 << 63)


def target_hash(path: str, query: Iterable[tuple[str, str]]) -> int:
    """A stable hash of one request target (not Python's ``hash``: that one changes per process)."""
    return _hash(_target(path, query))


def request_hash(path: str, query: Iterable[tuple[str, str]], digest: tuple[int, int]) -> int:
    """A stable hash of one request that sent a body: its target and the body's ``digest``
    (:func:`specbuild.records.body_digest`: its CRC-32 and length in bytes, as the record held it)."""
    return _hash(f"{_target(path, query)}\x00{digest[0]:08x}:{digest[1]}")


def _target(path: str, query: Iterable[tuple[str, str]]) -> str:
    return path + "?" + "&".join(f"{k}={v}" for k, v in query) if query else path + "?"


def _hash(text: str) -> int:
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1  # 63 bits: a JSON integer every reader keeps exact


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
