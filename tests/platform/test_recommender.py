"""The candidate lists: the exposure pool's compiled list against a plain NumPy statement of the
same order (language, then remaining views, most first, then id) and weights (remaining views
times the pull at the video's age); the source mix by mode."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numba import njit

from diplosim.errors import DiplosimError
from diplosim.parameters import resolve_parameters
from diplosim.platform.guide import upper_bound
from diplosim.platform.recommender import (
    RECENT_HOURS,
    _by_group,
    _pool_list,
    _recent_members,
    guide_table,
    pick_weighted,
    source_mix,
    with_platform_share,
)


def _ranked(ids, group, weight, n_groups, top=None):
    """The CSR lists stated plainly: by group, heaviest first, ties by id, the first ``top``."""
    order = np.lexsort((ids, -weight, group))
    ptr, out = np.zeros(n_groups + 1, np.int64), []
    for g in range(n_groups):
        members = order[group[order] == g][:top]
        ptr[g + 1] = ptr[g] + members.size
        out.append(members)
    keep = np.concatenate(out).astype(np.int64)
    return ptr, ids[keep].astype(np.int32), np.cumsum(weight[keep].astype(np.float64))


SCALE, EXPONENT = 5.7, 1.234


def _members(created, stage, views, quotas, tick, max_age):
    age = tick - created
    live = (stage >= 0) & (age >= 0) & (age < max_age)
    member = np.flatnonzero(live & (quotas[np.maximum(stage, 0)] > views))
    return member, age


def _reference(lo, created, stage, views, lang, quotas, tick, max_age, n_langs, scale, exponent,
               weight):
    member, age = _members(created, stage, views, quotas, tick, max_age)
    rest = quotas[stage[member]] - views[member]
    pull = (1.0 + age[member] / scale) ** -exponent * weight[member]
    order = np.lexsort((member, -rest, lang[member]))  # last key sorts first
    ptr = np.zeros(n_langs + 1, np.int64)
    np.add.at(ptr, lang[member] + 1, 1)
    return np.cumsum(ptr), (lo + member[order]).astype(np.int32), \
        np.cumsum(rest[order].astype(np.float64) * pull[order])


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
    # the sample's own videos weigh 1, a named account's the sampling fraction
    weight = np.where(rng.random(n) < 0.2, 2.5e-5, 1.0).astype(np.float32)
    return (int(rng.integers(0, 10**6)), created, stage, views, lang, quotas, tick,
            int(rng.integers(1, 100)), n_langs, SCALE, EXPONENT, weight)


@settings(max_examples=200, deadline=None)
@given(stores())
def test_pool_list_matches_the_stated_order(args):
    got = _pool_list(*args)
    want = _reference(*args)
    for g, w in zip(got[:2], want[:2], strict=True):
        np.testing.assert_array_equal(g, w)
    np.testing.assert_allclose(got[2], want[2], rtol=1e-12)


@settings(max_examples=100, deadline=None)
@given(stores())
def test_pool_list_without_age_fall_is_the_comparison_sort(args):
    """With no fall with age, the radix-sorted list is the comparison-sorted one, to the last
    bit of the weights."""
    lo, created, stage, views, lang, quotas, tick, max_age, n_langs, _, _, _ = args
    member, _ = _members(created, stage, views, quotas, tick, max_age)
    rest = (quotas[stage[member]] - views[member]).astype(np.float64)
    want = _ranked(lo + member, lang[member].astype(np.int64), rest, n_langs)
    got = _pool_list(*args[:-2], 0.0, np.ones(created.size, np.float32))
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)


def test_pool_pull_falls_with_age_as_trendpop_lifecycle():
    """Two videos with the same views left: the one posted a day earlier weighs
    (1 + 24 / 5.7) ** -1.234 = 0.130 of the new one's; a video with no views left is out."""
    quotas = np.array([300], np.int64)
    created = np.array([0, 24, 24], np.int32)
    stage = np.zeros(3, np.int8)
    views = np.array([0, 0, 300], np.int32)
    lang = np.zeros(3, np.uint16)
    ptr, ids, cum = _pool_list(0, created, stage, views, lang, quotas, 24, 168, 1, SCALE,
                               EXPONENT, np.ones(3, np.float32))
    assert ids.tolist() == [0, 1] and ptr.tolist() == [0, 2]
    assert cum[1] - cum[0] == pytest.approx(300.0)
    assert cum[0] / 300.0 == pytest.approx((1 + 24 / 5.7) ** -1.234)
    assert cum[0] / 300.0 == pytest.approx(0.1304, abs=1e-4)


def test_pool_list_weights_large_quotas():
    """Weights past 2**33 take more than three 11-bit passes and still sort exactly."""
    quotas = np.array([3, 2**40, 2**50 + 7], np.int64)
    stage = np.array([0, 1, 2, 2, 1], np.int8)
    views = np.zeros(5, np.int32)
    created = np.zeros(5, np.int32)
    lang = np.zeros(5, np.uint16)
    ptr, ids, cum = _pool_list(100, created, stage, views, lang, quotas, 1, 10, 1, 1.0, 0.0,
                               np.ones(105, np.float32))
    assert ids.tolist() == [102, 103, 101, 104, 100]
    assert ptr.tolist() == [0, 5]
    assert cum[-1] == float(2 * (2**50 + 7) + 2 * 2**40 + 3)


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 6000))
def test_recent_members_match_the_array_expressions(seed, n):
    """The trending, interest and diversity members of one compiled pass are the NumPy masks'
    (ascending rows), with the interest rating squared to the last bit."""
    rng = np.random.default_rng(seed)
    tick = int(rng.integers(0, 400))
    created = np.sort(rng.integers(max(0, tick - 300), tick + 3, n)).astype(np.int32)
    velocity = np.where(rng.random(n) < 0.4, 0, rng.random(n) * 50).astype(np.float32)
    impressions = np.where(rng.random(n) < 0.3, 0, rng.integers(1, 10**6, n)).astype(np.int64)
    likes, comments, shares = (rng.integers(0, 5000, n).astype(np.int32) for _ in range(3))
    engaged = (likes + 2.0 * comments + 4.0 * shares).astype(np.float32)
    hot, seen, rating2, first = _recent_members(created, velocity, impressions, engaged, tick,
                                                RECENT_HOURS)
    age = tick - created
    recent = (age >= 0) & (age < RECENT_HOURS)
    np.testing.assert_array_equal(hot, np.flatnonzero(recent & (velocity > 0)))
    want_seen = np.flatnonzero(recent & (impressions > 0))
    np.testing.assert_array_equal(seen, want_seen)
    np.testing.assert_array_equal(
        rating2, ((engaged[want_seen].astype(np.float64) + 0.4)
                  / (impressions[want_seen] + 20.0)) ** 2)
    # the diversity source draws from every recent row: the first of them
    assert first == (np.flatnonzero(recent)[0] if recent.any() else n)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 3000), st.integers(1, 20))
def test_group_lists_keep_every_member(seed, m, n_groups):
    """Trending and interest lists keep every member of each group (a list cut at a fixed
    length would keep a share of the videos that shrinks as the world grows), in id order, with
    cumulative weights: each member's weight is its step in the cumulative sum."""
    rng = np.random.default_rng(seed)
    ids = np.sort(rng.choice(10**7, m, replace=False)).astype(np.int64)
    group = rng.integers(0, n_groups, m).astype(np.int64)
    weight = rng.choice(np.array([0.25, 1.0, 3.5, 1e-9, 7.0]), m) * rng.integers(1, 3, m)
    ptr, out_ids, cum = _by_group(ids, group, weight, n_groups)
    order = np.lexsort((ids, group))
    np.testing.assert_array_equal(out_ids, ids[order])
    np.testing.assert_array_equal(np.diff(ptr), np.bincount(group, minlength=n_groups))
    np.testing.assert_allclose(np.diff(np.concatenate([[0.0], cum])), weight[order],
                               rtol=1e-9, atol=1e-6)


@njit
def _picks(ptr, ids, cum, guide, group, rs, guided):
    """Picks through ``pick_weighted`` (with the guide, or without it as trending and interest
    lists pick), or (``guided`` None) by NumPy's binary search, the reference."""
    out = np.empty(rs.shape[0], np.int64)
    a, b = ptr[group], ptr[group + 1]
    for i in range(rs.shape[0]):
        if guided is None:
            base = cum[a - 1] if a > 0 else 0.0
            total = cum[b - 1] - base if b > a else 0.0
            if b <= a or total <= 0.0:
                out[i] = -1
                continue
            j = np.searchsorted(cum[a:b], base + rs[i] * total, side="right")
            out[i] = ids[a + min(j, b - a - 1)]
        elif guided:
            out[i] = pick_weighted(ptr, ids, cum, group, rs[i], guide)
        else:
            out[i] = pick_weighted(ptr, ids, cum, group, rs[i])
    return out


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 6), st.integers(0, 300),
       st.sampled_from(["ties", "spread", "zeros", "negative"]))
def test_guided_pick_is_the_binary_searchs_pick(seed, n_groups, n, weights):
    """The exposure pool's guided pick gives, for every draw, the video of the plain binary
    search: at bucket edges (and one float either side), at 0 and just below 1, with tied,
    zero, heavy-tailed and (a group's sums falling) negative weights."""
    rng = np.random.default_rng(seed)
    group = np.sort(rng.integers(0, n_groups, n))
    ptr = np.zeros(n_groups + 1, np.int64)
    np.add.at(ptr, group + 1, 1)
    ptr = np.cumsum(ptr)
    w = {"ties": rng.choice([1.0, 5.0, 20.0], n),
         "spread": np.floor(rng.pareto(1.2, n) * 50) + 1,
         "zeros": rng.choice([0.0, 0.0, 1.0, 200.0], n),
         "negative": rng.choice([-3.0, 1.0, 40.0], n)}[weights]
    for g in range(n_groups):  # heaviest first, as in the pool
        w[ptr[g]:ptr[g + 1]] = np.sort(w[ptr[g]:ptr[g + 1]])[::-1]
    cum = np.cumsum(w)
    ids = rng.permutation(n).astype(np.int32)
    guide = guide_table(ptr, cum)
    for g in range(n_groups):
        size = max(int(ptr[g + 1] - ptr[g]), 1)
        edges = np.arange(size + 1) / size
        rs = np.concatenate([rng.random(200), [0.0, np.nextafter(1.0, 0.0)], edges,
                             np.nextafter(edges, -1.0), np.nextafter(edges, 2.0)])
        rs = rs[(rs >= 0.0) & (rs < 1.0)]
        want = _picks(ptr, ids, cum, guide, g, rs, None)
        assert np.array_equal(_picks(ptr, ids, cum, guide, g, rs, True), want)
        if weights != "negative":  # unguided picks serve lists whose weights are positive
            assert np.array_equal(_picks(ptr, ids, cum, guide, g, rs, False), want)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 70), st.sampled_from([1, 2, 3, 1000]))
def test_branchless_search_is_numpys(seed, n, distinct):
    """``upper_bound`` answers as ``np.searchsorted(side="right")`` on sums that never fall,
    for every segment of the list: at, between and beyond its values, with runs of ties."""
    rng = np.random.default_rng(seed)
    cum = np.cumsum(rng.integers(0, distinct, n).astype(np.float64))
    xs = np.concatenate([cum, np.nextafter(cum, -np.inf), np.nextafter(cum, np.inf),
                         [-1.0, 0.0, cum[-1] + 1 if n else 1.0], rng.random(20) * (n + 1)])
    for a in range(0, n + 1, max(1, n // 7)):
        for b in range(a, n + 1, max(1, n // 5)):
            for x in xs:
                assert upper_bound(cum, a, b, x) == np.searchsorted(cum[a:b], x, side="right")


def test_guided_pick_draws_in_proportion_to_weight():
    """Over a 100,000-member group, 200,000 uniform draws land on each weight class in
    proportion to its share of the total (within 4 standard errors)."""
    rng = np.random.default_rng(3)
    w = np.sort(rng.choice([1.0, 10.0, 100.0], 100_000))[::-1]
    cum, ptr = np.cumsum(w), np.array([0, w.size], np.int64)
    ids = np.arange(w.size, dtype=np.int32)
    picked = _picks(ptr, ids, cum, guide_table(ptr, cum), 0, rng.random(200_000), True)
    for value in (1.0, 10.0, 100.0):
        share = w[w == value].sum() / w.sum()
        got = np.mean(w[picked] == value)
        assert abs(got - share) < 4 * np.sqrt(share * (1 - share) / picked.size)


def test_source_mix_is_each_modes_weights_over_their_sum():
    p = resolve_parameters()
    assert source_mix(p, "engagement").tolist() == [0.3, 0.5, 0.88]  # exactly the shares
    assert source_mix(p, "social").tolist() == [0.0, 0.25, 0.25]
    assert source_mix(p, "chronological").tolist() == [0.0, 0.0, 0.0]
    twice = resolve_parameters({"source_mix_social_trending": 0.5,
                                "source_mix_social_followed": 1.5})
    assert source_mix(twice, "social").tolist() == [0.0, 0.25, 0.25]
    off = resolve_parameters({"source_mix_social_trending": 0.0,
                              "source_mix_social_followed": 0.0})
    with pytest.raises(DiplosimError, match="social feed's source weights sum to 0"):
        source_mix(off, "social")


def test_platform_share_fills_a_language_the_sample_under_draws():
    """Two languages with equal demand: language 0 holds the sample's videos of weight 30 and a
    named account's video of weight 2 (its weight already times the sampling fraction);
    language 1 holds 10 of the sample's. Each language should weigh half of the sample's 40:
    language 1 gets a platform share entry of 20 - 10 = 10 (id -1, drawn again when picked),
    language 0 none (30 is more than 20: nothing is taken away). The named video's chance in
    language 0 is 2 / 32; in language 1 a named video would compete with 20, not 10."""
    ptr = np.array([0, 3, 4], np.int64)
    ids = np.array([5, 6, 7, 8], np.int32)
    cum = np.cumsum([20.0, 10.0, 2.0, 10.0])
    sampling = np.ones(9, np.float32)
    sampling[7] = 2.5e-5
    out_ptr, out_ids, out_cum = with_platform_share(ptr, ids, cum, sampling,
                                                    np.array([0.5, 0.5]))
    assert out_ptr.tolist() == [0, 3, 5]
    assert out_ids.tolist() == [5, 6, 7, 8, -1]
    np.testing.assert_allclose(np.diff(np.concatenate([[0.0], out_cum])),
                               [20.0, 10.0, 2.0, 10.0, 10.0])
    # a pick of the entry gives -1: the kernel draws again
    assert pick_weighted(out_ptr, out_ids, out_cum, 1, 0.99) == -1
    assert pick_weighted(out_ptr, out_ids, out_cum, 1, 0.25) == 8
