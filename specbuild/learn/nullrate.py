"""The API's null rate by maximum likelihood (:func:`nullability.fit_nulls`): a grid search that reads only
the cells of the grid that can decide it, and decides exactly as reading every cell would.

The grid is every rate (NULL_SHARE_MIN to NULL_SHARE by half a percent, highest first: ties go to the
rate that doubts less) by every share of nullable properties (1% to 99%, lowest first); a cell replaces
the best so far when its log-likelihood (:meth:`_Row.likelihood`, a sum over the tally in its order)
exceeds the best by more than 1e-9. Reading all 4,059 cells took a third of a second on a 100k-record
mix (a sum over 750 tally keys each); the answer depends on a handful of them.

Why a cell can be left unread: for one rate, the log-likelihood is a concave function of the share
(each term is ``k log(share c)`` or ``k log(1 - share c)``), so a chord through two read cells, extended,
is above every cell beyond them. A cell whose bound is no more than the best so far + 1e-9 cannot
replace it. A bound covers the rounding of every sum it rests on (:meth:`_Row.error`, a forward error
bound with room to spare), so the cells skipped are exactly ones the full scan would pass over, and the
answer is the same float for float. One more shortcut: a cell that beats the best by more than every
cell before it in its row could, replaces it whatever those did (:meth:`_Row.scan`), so the rising
side of a row is not read either.
"""

from __future__ import annotations

import math
from bisect import bisect_left, insort
from collections import Counter
from typing import Final

from specbuild.learn import native
from specbuild.learn.rules import NULL_SHARE, NULL_SHARE_MIN

# The rates tried, NULL_SHARE_MIN to NULL_SHARE by half a percent; the shares of nullable properties
# tried with each, by one percent.
RATES: Final = tuple(round(NULL_SHARE_MIN + i / 200, 3) for i in range(round((NULL_SHARE - NULL_SHARE_MIN) * 200) + 1))
SHARES: Final = tuple(i / 100 for i in range(1, 100))
# A cell replaces the best so far when it is more likely by more than this (a tie keeps the earlier cell)
MARGIN: Final = 1e-9
# The unit roundoff of a float: rounding moves a result by at most this fraction of it
_UNIT: Final = 2.0 ** -53

Tally = Counter[tuple[int, bool]]  # (values seen, nullable) -> how many properties


def likeliest(tally: Tally) -> tuple[float, float]:
    """(share, rate): the cell of the grid the full scan would end on (the first of the most likely,
    in its order), for a tally with a null shown and a value not shown (the log-likelihood is finite)."""
    best, fit, peak = -math.inf, (0.0, NULL_SHARE), len(SHARES) // 2
    for rate in reversed(RATES):
        row = _Row(tally, rate)
        peak = row.peak(peak)  # the rows' peaks lie close: each climb starts from the last
        best, fit = row.scan(best, fit, peak)
    return fit


class _Row:
    """The cells of one rate: read lazily (:meth:`likelihood`), bounded from the cells read (:meth:`ceiling`)."""

    def __init__(self, tally: Tally, rate: float) -> None:
        self.tally, self.rate = tally, rate
        # per tally key, in its order: the chance a nullable property showed a null in its values
        self.chances = [1.0 - (1.0 - rate) ** seen for seen, _ in tally]
        # the cells' sums, natively where the module is (in Python they were ~0.03 s of the mix's 100k
        # render: 140 cells of 1,049 terms, a log each): the same float, the same operations in order
        self.native = native.null_terms(list(tally.values()), self.chances, [null for _, null in tally])
        self.read: dict[int, float] = {}
        self.order: list[int] = []  # the cells read, in order (the ceilings look up their neighbours)
        # error() = slope * |sum| + floor: rounding in each term (its argument, log, the product with k)
        # and in the running sum; twice, four times what the analysis gives
        self.slope = 4 * (len(tally) + 8) * _UNIT
        self.floor = 256 * _UNIT * sum(tally.values())

    def likelihood(self, j: int) -> float:
        """The log-likelihood at share ``SHARES[j]``: the full scan's sum, the same operations in the same
        order (a float sum's result depends on its order)."""
        found = self.read.get(j)
        if found is None:
            found = self.read[j] = self._sum(SHARES[j])
            insort(self.order, j)
        return found

    def _sum(self, share: float) -> float:
        """The terms at ``share``, summed in their order (natively when the module is there)."""
        if self.native is not None:
            return self.native(share)
        log = math.log
        return sum([k * log(share * chance if null else 1.0 - share * chance)
                    for ((_, null), k), chance in zip(self.tally.items(), self.chances, strict=True)])

    def error(self, value: float) -> float:
        """How far a computed log-likelihood can be from the exact sum of its cell (every term is <= 0)."""
        return self.slope * abs(value) + self.floor

    def peak(self, start: int) -> int:
        """A cell no lower than its neighbours, climbing from ``start`` (a concave row has one such top;
        the scan is exact wherever this lands: a wrong top only costs more cells read)."""
        j, last = start, len(SHARES) - 1
        while j < last and self.likelihood(j + 1) > self.likelihood(j):
            j += 1
        while j > 0 and self.likelihood(j - 1) > self.likelihood(j):
            j -= 1
        return j

    def scan(self, best: float, fit: tuple[float, float], peak: int) -> tuple[float, tuple[float, float]]:
        """The full scan's (best, fit) after this row, from theirs before it; reads only cells that can
        replace the best (and a few to bound the others)."""
        start = self._rising_start(best, peak)
        if start is not None:
            best, fit = self.likelihood(start), (SHARES[start], self.rate)
        for j in range(0 if start is None else start + 1, len(SHARES)):
            if j not in self.read and self.ceiling(j) <= best + MARGIN:
                continue
            value = self.likelihood(j)
            if value > best + MARGIN:
                best, fit = value, (SHARES[j], self.rate)
        return best, fit

    def _rising_start(self, best: float, peak: int) -> int | None:
        """A cell at or below ``peak`` that replaces the best whatever the cells before it in this row did:
        it beats ``best`` and a bound on all of them by more than MARGIN. The highest such, or None."""
        for j in range(peak, -1, -1):
            value = self.likelihood(j)
            if not value > best + MARGIN:
                return None  # and lower on the rising side: none below replaces the best
            if j == 0:
                return 0
            before = self._before(j)
            if before is not None and value > max(best, before) + MARGIN:
                return j
        return None

    def _before(self, j: int) -> float | None:
        """A bound on every cell below ``j`` (j >= 1) from the chord through ``j`` and ``j + 1``, when
        that chord rises. The bound of :meth:`_beyond` is convex in how far it reaches (a line plus a
        multiple of its absolute value), so its highest over cells 0 .. j - 1 is at one of the two ends."""
        if j + 1 >= len(SHARES) or not self.likelihood(j + 1) > self.likelihood(j):
            return None  # a falling chord bounds the cells below by more than they can beat
        return max(self._beyond(j, j + 1, j - 1), self._beyond(j, j + 1, 0))

    def ceiling(self, j: int) -> float:
        """A bound on the computed log-likelihood of unread cell ``j``: the lower of the chords through
        the two read cells nearest on each side, extended to it (inf without two on a side)."""
        at = bisect_left(self.order, j)
        below, above = self.order[max(at - 2, 0):at], self.order[at:at + 2]
        out = math.inf
        if len(below) == 2:
            out = min(out, self._beyond(below[1], below[0], j))
        if len(above) == 2:
            out = min(out, self._beyond(above[0], above[1], j))
        return out

    def _beyond(self, near: int, far: int, j: int) -> float:
        """A bound at ``j`` (past ``near``, away from ``far``) from the chord through read cells ``near``
        and ``far``: concavity puts the exact sum of ``j`` below the chord, each read value is within its
        error of its exact sum, and the bound's own arithmetic is given room (``slack``)."""
        a, b = self.likelihood(near), self.likelihood(far)
        ea, eb = self.error(a), self.error(b)
        mu = (SHARES[j] - SHARES[near]) / (SHARES[near] - SHARES[far])  # > 0: how many chords further
        exact = (1.0 + mu) * (a + ea) - mu * (b - eb)
        slack = 16 * _UNIT * (1.0 + mu) * (abs(a) + abs(b) + ea + eb)
        return exact + 2 * slack + self.slope * abs(exact) + self.floor
