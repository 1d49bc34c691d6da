"""The candidate lists: the exposure pool's compiled list against a plain NumPy statement of the
same order (language, then remaining impressions, most first, then id)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from diplosim.platform.recommender import _grouped, _pool_list


def _reference(lo, created, stage, views, lang, quotas, tick, max_age, n_langs):
    age = tick - created
    member = np.flatnonzero((stage >= 0) & (age >= 0) & (age < max_age))
    rest = quotas[stage[member]] - views[member]
    order = np.lexsort((member, -rest, lang[member]))  # last key sorts first
    ptr = np.zeros(n_langs + 1, np.int64)
    np.add.at(ptr, lang[member] + 1, 1)
    return np.cumsum(ptr), (lo + member[order]).astype(np.int32), \
        np.cumsum(rest[order].astype(np.float64))


@st.composite
def stores(draw):
    n = draw(st.integers(0, 400))
    n_langs = draw(st.integers(1, 5))
    stages = draw(st.integers(1, 4))
    quotas = np.array([20 * 10**s for s in range(stages)], np.int64)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    tick = int(rng.integers(0, 500))
    created = np.sort(rng.integers(max(0, tick - 200), tick + 2, n)).astype(np.int32)
    stage = rng.integers(-1, stages, n).astype(np.int8)
    # few distinct view counts, so ties are common; some above the quota (a tick's overshoot)
    views = rng.choice(np.array([0, 1, 5, 19, 20, 25, 199, 1999]), n).astype(np.int32)
    lang = rng.integers(0, n_langs, n).astype(np.uint16)
    return (int(rng.integers(0, 10**6)), created, stage, views, lang, quotas, tick,
            int(rng.integers(1, 100)), n_langs)


@settings(max_examples=200, deadline=None)
@given(stores())
def test_pool_list_matches_the_stated_order(args):
    got = _pool_list(*args)
    want = _reference(*args)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)


@settings(max_examples=100, deadline=None)
@given(stores())
def test_pool_list_equals_the_general_grouping(args):
    """The radix-sorted list is the comparison-sorted one, to the last bit of the weights."""
    lo, created, stage, views, lang, quotas, tick, max_age, n_langs = args
    age = tick - created
    member = np.flatnonzero((stage >= 0) & (age >= 0) & (age < max_age))
    rest = (quotas[stage[member]] - views[member]).astype(np.float64)
    want = _grouped(lo + member, lang[member].astype(np.int64), rest, n_langs, -1)
    got = _pool_list(*args)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)


def test_pool_list_weights_large_quotas():
    """Weights past 2**33 take more than three 11-bit passes and still sort exactly."""
    quotas = np.array([3, 2**40, 2**50 + 7], np.int64)
    stage = np.array([0, 1, 2, 2, 1], np.int8)
    views = np.zeros(5, np.int32)
    created = np.zeros(5, np.int32)
    lang = np.zeros(5, np.uint16)
    ptr, ids, cum = _pool_list(100, created, stage, views, lang, quotas, 1, 10, 1)
    assert ids.tolist() == [102, 103, 101, 104, 100]
    assert ptr.tolist() == [0, 5]
    assert cum[-1] == float(2 * (2**50 + 7) + 2 * 2**40 + 3)
