"""Accounts: posting rates as heavy-tailed as Pew measured, followers for actors."""

from __future__ import annotations

from types import SimpleNamespace
from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diplosim.errors import DiplosimError
from diplosim.parameters import resolve_parameters
from diplosim.platform import accounts
from diplosim.platform.accounts import build_accounts
from diplosim.scenario import load_scenario
from diplosim.world.population import synthesise
from tests.conftest import EXAMPLE


@pytest.fixture(scope="module")
def built():
    s = load_scenario(EXAMPLE, ["world.users=200000"])
    pop = synthesise(s)
    return s, build_accounts(s, pop, resolve_parameters(), s.seed)


def test_top_quarter_of_users_post_98_percent(built):
    """Pew Research Center (2024): the most active 25% of U.S. TikTok users post 98% of videos."""
    _, acc = built
    rates = np.sort(acc.post_rate[: acc.n_users])[::-1]
    top = rates[: rates.size // 4].sum() / rates.sum()
    assert top == pytest.approx(0.98, abs=0.01)


def test_posting_rates_have_a_ceiling_and_keep_their_mean(built):
    """No ordinary user posts above ``creator_max_posts_per_day`` (10 a day), and the mean
    stays ``creator_posts_per_day``: the ceiling takes the extreme tail (which a world of
    20,000 users holds or misses by chance), not the volume. The rates are stratified per
    country (``world/strata.py``), so every country's creators post the calibrated mean, the
    smallest country's included (issue 45: a small country's creators fell short by chance)."""
    _, acc = built
    p = resolve_parameters()
    rates = acc.post_rate[: acc.n_users]
    assert rates.max() <= p["creator_max_posts_per_day"]
    assert (rates >= np.float32(p["creator_max_posts_per_day"]) * 0.999).sum() >= 10
    country = acc.user_country
    sizes = np.bincount(country)
    means = np.bincount(country, rates.astype(np.float64)) / np.maximum(sizes, 1)
    assert sizes[sizes > 0].min() < 5000  # a small country is among them
    assert means[sizes > 0] == pytest.approx(p["creator_posts_per_day"], rel=1e-5)


@pytest.mark.parametrize("mean,sigma,cap", [(0.02, 2.8, 10.0), (0.02, 2.3, 5.0),
                                            (0.5, 3.0, 1.0), (0.08, 1.0, 1000.0)])
def test_capped_scale_gives_the_mean_in_closed_form(mean, sigma, cap):
    """The scale that keeps the capped log-normal's mean: a million draws agree within 2%."""
    m = accounts.capped_lognormal_scale(mean, sigma, cap)
    x = np.random.default_rng(7).lognormal(-sigma**2 / 2, sigma, 1_000_000)
    assert np.minimum(m * x, cap).mean() == pytest.approx(mean, rel=0.02)


def test_a_ceiling_below_the_mean_is_refused():
    with pytest.raises(DiplosimError, match="creator_max_posts_per_day"):
        accounts.capped_lognormal_scale(0.5, 2.8, 0.4)


def test_actor_accounts_and_followers(built):
    _, acc = built
    assert acc.size == acc.n_users + 1 + 1 + 1 + 500 + 200  # four actors (500 citizens), network
    assert acc.handle(acc.n_users) == "fr_embassy_jp"
    labelled = acc.column("labelled")
    assert labelled[acc.n_users] and not labelled[acc.n_users + 3] and not labelled[:10].any()
    assert (acc.column("network")[-200:] == 0).all()
    assert (acc.column("active_from")[-200:] == 4 * 24).all()
    # users' columns come from the population, any range, and by id
    assert (acc.column("country", 5, acc.n_users + 2)[:-2] == acc.user_country[5:]).all()
    ids = np.array([0, acc.n_users, acc.size - 1, 7])
    assert acc.of("network", ids).tolist() == [-1, -1, 0, -1]
    assert acc.of("actor", ids).tolist() == [-1, 0, -1, -1]
    assert acc.followers[acc.n_users] > 0          # the embassy starts with some followers
    assert acc.follow_ptr[-1] == acc.follow_idx.size


def _follows_numpy(country, n_countries, post_rate, mean_follows, rng, chunk):
    """The follow draw as plain NumPy statements (a search of the whole country per follow, a
    lexsort per chunk): what the compiled draw must give, edge for edge."""
    bounds = np.searchsorted(country, np.arange(n_countries + 1))
    counts = np.zeros(country.size, np.int32)
    rows = []
    for ci in range(n_countries):
        lo, hi = int(bounds[ci]), int(bounds[ci + 1])
        if hi - lo < 2:
            continue
        weights = np.cumsum(post_rate[lo:hi].astype(np.float64))
        k = rng.poisson(mean_follows, hi - lo)
        for a in range(lo, hi, chunk):
            b = min(hi, a + chunk)
            follower = np.repeat(np.arange(a, b, dtype=np.int32), k[a - lo:b - lo])
            pick = np.searchsorted(weights, rng.random(follower.size) * weights[-1], side="right")
            followee = (lo + np.minimum(pick, hi - lo - 1)).astype(np.int32)
            keep = followee != follower
            follower, followee = follower[keep], followee[keep]
            rows.append(followee[np.lexsort((followee, follower))])
            counts[a:b] = np.bincount(follower - a, minlength=b - a)
    return np.concatenate(rows) if rows else np.empty(0, np.int32), counts


@settings(max_examples=60, deadline=None)
@given(sizes=st.lists(st.integers(0, 300), min_size=1, max_size=5),
       levels=st.lists(st.sampled_from([0.0, 0.5, 1.0, 3.0, 1e-6]), min_size=1, max_size=4),
       mean=st.sampled_from([0.0, 1.0, 8.0, 40.0]), chunk=st.sampled_from([7, 64, 1 << 16]),
       seed=st.integers(0, 2**32 - 1))
def test_compiled_follow_draw_gives_the_numpy_statements_graph(sizes, levels, mean, chunk,
                                                                seed):
    """Every edge, row order and count as the whole-country search and lexsort give them, on
    post rates full of ties and zeros (equal cumulative weights), in chunks of any size."""
    country = np.repeat(np.arange(len(sizes)), sizes).astype(np.uint16)
    post_rate = np.resize(np.array(levels, np.float32), country.size)
    if country.size:
        post_rate[0] = max(post_rate[0], 0.25)  # keep some weight in every country's draw
        post_rate[np.searchsorted(country, np.arange(len(sizes)))[np.array(sizes) > 0]] = 0.25
    pop = SimpleNamespace(country=country, countries=tuple(str(i) for i in range(len(sizes))),
                          size=country.size)
    with patch.object(accounts, "_FOLLOW_CHUNK", chunk):
        idx, filled, counts = accounts._user_follows(pop, post_rate, mean,
                                                     np.random.default_rng(seed), spare=3)
    want, want_counts = _follows_numpy(country, len(sizes), post_rate, mean,
                                       np.random.default_rng(seed), chunk)
    assert filled == want.size
    assert np.array_equal(idx[:filled], want)
    assert np.array_equal(counts, want_counts)
    assert idx.size >= filled + 3


def test_follow_draw_picks_creators_in_proportion_to_their_post_rate():
    """One country of 2,000 users, a creator posting 9 times the rate of the rest: 9/(9+1999)
    of follows, 0.45%, go to them (200,000 follows; the binomial sd is 0.015 points)."""
    n = 2000
    post_rate = np.ones(n, np.float32)
    post_rate[123] = 9.0
    pop = SimpleNamespace(country=np.zeros(n, np.uint16), countries=("X",), size=n)
    idx, filled, counts = accounts._user_follows(pop, post_rate, 100.0,
                                                 np.random.default_rng(5), spare=0)
    share = np.count_nonzero(idx[:filled] == 123) / filled
    assert share == pytest.approx(9 / (9 + n - 1), abs=0.0006)
    assert counts.sum() == filled and abs(filled - 200_000) < 2_500
