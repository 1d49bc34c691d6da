"""Intervals of replicated results and differences between variants, against SciPy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from diplosim.analysis.uncertainty import difference, estimate, t975


@pytest.mark.parametrize("df", [1, 2, 2.5, 7, 7.3, 30, 31, 45, 120, 5000])
def test_t_quantile_is_scipys_including_welchs_fractional_degrees_of_freedom(df):
    assert t975(df) == pytest.approx(stats.t.ppf(0.975, df), rel=1e-12)
    assert math.isnan(t975(0.5)) and math.isnan(t975(math.nan))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3), min_size=2, max_size=40))
def test_estimate_is_the_t_interval(values):
    e = estimate(values)
    mean, sem = np.mean(values), stats.sem(values)
    assert e.mean == pytest.approx(mean, abs=1e-9) and e.n == len(values)
    if sem > 0:  # the half-width, with SciPy's quantile of t
        half = stats.t.ppf(0.975, len(values) - 1) * sem
        assert e.high - e.mean == pytest.approx(half, rel=1e-9)
        assert e.mean - e.low == pytest.approx(half, rel=1e-9)


def test_nones_are_left_out_and_one_value_has_no_interval():
    e = estimate([None, 2.0, math.nan])
    assert e.n == 1 and e.mean == 2.0 and math.isnan(e.low)
    assert estimate([]).n == 0


def test_pairing_by_seed_removes_shared_noise():
    rng = np.random.default_rng(1)
    shared = rng.normal(0, 10, 8)          # what the two variants' runs share, seed by seed
    a, b = shared + 1.0 + rng.normal(0, 0.2, 8), shared + rng.normal(0, 0.2, 8)
    paired, unpaired = difference(a, b), difference(a, b, paired=False)
    assert paired.distinguishable and 0.6 < paired.low < 1.0 < paired.high < 1.4
    assert not unpaired.distinguishable  # the same data without pairing: lost in the noise
    ref = stats.ttest_rel(a, b).confidence_interval(0.95)
    assert (paired.low, paired.high) == pytest.approx((ref.low, ref.high), rel=1e-3)
    welch = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    # Welch's fractional degrees of freedom are used as they are (no rounding down)
    assert (unpaired.low, unpaired.high) == pytest.approx((welch.low, welch.high), rel=1e-9)


def test_identical_variants_are_not_distinguishable():
    d = difference([0.5, 0.6, 0.55], [0.5, 0.6, 0.55])
    assert d.mean == 0 and not d.distinguishable


def test_paired_needs_equal_lengths():
    with pytest.raises(ValueError, match="3 values against 2"):
        difference([1, 2, 3], [1, 2])
