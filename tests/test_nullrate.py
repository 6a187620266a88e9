"""The null rate's grid search (learn/nullrate.py) ends where reading every cell ends, float for float."""

from __future__ import annotations

import math
import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import specbuild.learn.nullrate as nullrate
from specbuild.learn import native
from specbuild.learn.nullrate import MARGIN, RATES, SHARES, Tally, likeliest


def full_scan(tally: Tally) -> tuple[float, float]:
    """Every cell of the grid, in order (what fit_nulls did before the search; the reference)."""
    best, fit = -math.inf, (0.0, RATES[-1])
    for rate in reversed(RATES):
        chances = {key: 1.0 - (1.0 - rate) ** key[0] for key in tally}
        for share in SHARES:
            ll = sum(k * math.log(share * chances[key] if key[1] else 1.0 - share * chances[key])
                     for key, k in tally.items())
            if ll > best + MARGIN:
                best, fit = ll, (share, rate)
    return fit


def _api(places: int, nullable: float, rate: float) -> Tally:
    """A tally as an API gives it: ``places`` properties seen a long-tailed number of times each, a
    ``nullable`` share of them nullable, each of those shown null with chance 1 - (1 - rate) ** seen."""
    rng = random.Random(places)
    tally: Tally = Counter()
    for _ in range(places):
        seen = min(int(rng.paretovariate(0.5)), 5000)
        tally[(seen, rng.random() < nullable and rng.random() < 1 - (1 - rate) ** seen)] += 1
    return tally


# Tallies where the cells lie close: rows that are one row (every property seen so often that its chance
# of showing a null is 1.0 at every rate: ties go to the first, the highest rate), rows apart by less than
# MARGIN (seen ~700 times: 1 - 0.95 ** 700 is 1.0 less 3e-16), a top between two shares, one key.
HARD: list[tuple[Tally, tuple[float, float]]] = [
    (Counter({(10**6, True): 3, (10**6, False): 7}), (0.3, 0.25)),
    (Counter({(700, True): 40, (710, False): 55, (760, True): 5}), (0.45, 0.25)),
    (Counter({(10**6, True): 99, (10**6, False): 101}), (0.5, 0.25)),
    (Counter({(3, True): 1}), (0.99, 0.25)),
    (_api(2000, 0.4, 0.08), (0.42, 0.075)),
]


def test_hard_tallies_end_where_the_full_scan_ends() -> None:
    for tally, expected in HARD:
        assert full_scan(tally) == expected
        assert likeliest(tally) == expected, dict(tally)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.tuples(st.one_of(st.integers(1, 40), st.integers(1, 3000), st.just(10**6)), st.booleans()),
                       st.integers(1, 60), min_size=1, max_size=25))
def test_any_tally_ends_where_the_full_scan_ends(counts: dict[tuple[int, bool], int]) -> None:
    tally: Tally = Counter(counts)
    assert likeliest(tally) == full_scan(tally)


def test_the_search_reads_a_few_cells_of_the_grid(monkeypatch: pytest.MonkeyPatch) -> None:
    """An API's tally: a few hundred of the 4,059 sums (each a pass over the tally) decide the fit."""
    reads = 0
    read = nullrate._Row.likelihood

    def counted(row: nullrate._Row, j: int) -> float:
        nonlocal reads
        reads += j not in row.read
        return read(row, j)

    monkeypatch.setattr(nullrate._Row, "likelihood", counted)
    assert likeliest(_api(2000, 0.4, 0.08)) == (0.42, 0.075)
    assert reads < len(RATES) * len(SHARES) // 8, reads


def python_cell(tally: Tally, rate: float, share: float) -> float:
    """One cell's log-likelihood as the Python sum makes it (the reference the native sum must equal)."""
    return sum([k * math.log(share * c if null else 1.0 - share * c)
                for (seen, null), k in tally.items() for c in (1.0 - (1.0 - rate) ** seen,)])


@pytest.mark.skipif(not native.AVAILABLE, reason="the native module is not built here")
@settings(max_examples=80, deadline=None)
@given(st.dictionaries(st.tuples(st.one_of(st.integers(1, 40), st.integers(1, 3000), st.just(10**6)), st.booleans()),
                       st.integers(1, 10**6), min_size=1, max_size=60),
       st.sampled_from(RATES), st.integers(0, len(SHARES) - 1))
def test_a_native_cell_is_the_python_sum_float_for_float(counts: dict[tuple[int, bool], int], rate: float,
                                                          j: int) -> None:
    """``NullTerms.at`` (learn/nullrate.py reads the cells with it) adds the same floats in the same order."""
    tally: Tally = Counter(counts)
    row = nullrate._Row(tally, rate)
    assert row.native is not None
    assert row.likelihood(j) == python_cell(tally, rate, SHARES[j])


def test_without_the_native_module_the_search_ends_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pure-Python sums (no native module) decide every tally as the native ones do."""
    monkeypatch.setattr(native, "null_terms", lambda *_: None)
    for tally, expected in HARD:
        assert likeliest(tally) == expected
