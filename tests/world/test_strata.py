"""Stratified heavy-tailed traits: every group's mean is the distribution's, at any size."""

from __future__ import annotations

import math

import numpy as np
import pytest

from diplosim.world.strata import stratified_lognormal


def _lognormal_mean_capped(sigma: float, scale: float, cap: float) -> float:
    """E[min(scale X, cap)] in closed form (X log-normal, mean 1, log-sd sigma)."""
    phi = lambda x: 0.5 * (1 + math.erf(x / math.sqrt(2)))  # noqa: E731
    z = (math.log(cap / scale) + sigma**2 / 2) / sigma
    return scale * phi(z - sigma) + cap * (1 - phi(z))


@pytest.mark.parametrize("sizes", [(1, 2, 7), (470, 5_000), (3, 120_000)])
@pytest.mark.parametrize("sigma,scale,cap", [(2.8, 0.0234, 10.0), (1.0, 1.0, math.inf),
                                             (2.3, 0.05, 5.0)])
def test_every_group_has_the_distributions_mean(sizes, sigma, scale, cap):
    """A group of k users holds k equal-probability slices, each at its conditional mean: the
    group's mean is the (capped) log-normal's mean to 1e-9, for a group of 1 or of 120,000."""
    group = np.repeat(np.arange(len(sizes)), sizes)
    v = stratified_lognormal(group, sigma, scale, cap, np.random.default_rng(3))
    want = scale if math.isinf(cap) else _lognormal_mean_capped(sigma, scale, cap)
    for g in range(len(sizes)):
        assert v[group == g].mean() == pytest.approx(want, rel=1e-9)
    assert v.max() <= cap


def test_a_large_group_keeps_the_spread_pew_reports():
    """Log-sd 2.8 (``creator_lognormal_sigma``): the top 25% of 100,000 users post 98% of the
    videos (Pew 2024), as independent draws would; the cap takes the extreme slices."""
    v = stratified_lognormal(np.zeros(100_000, np.int64), 2.8, 0.02337, 10.0)
    top = np.sort(v)[::-1][:25_000].sum() / v.sum()
    assert top == pytest.approx(0.98, abs=0.005)
    assert (v >= 10.0 * (1 - 1e-9)).sum() >= 5


def test_the_shuffle_is_seeded_and_only_reorders():
    group = np.repeat(np.arange(3), [50, 400, 9])
    a = stratified_lognormal(group, 2.8, 0.02, 10.0, np.random.default_rng(11))
    b = stratified_lognormal(group, 2.8, 0.02, 10.0, np.random.default_rng(11))
    c = stratified_lognormal(group, 2.8, 0.02, 10.0, np.random.default_rng(12))
    ordered = stratified_lognormal(group, 2.8, 0.02, 10.0, None)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    for g in range(3):
        assert np.array_equal(np.sort(a[group == g]), ordered[group == g])


def test_groups_must_be_sorted_blocks():
    with pytest.raises(ValueError, match="contiguous"):
        stratified_lognormal(np.array([0, 1, 0]), 1.0)
