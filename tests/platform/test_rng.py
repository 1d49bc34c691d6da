"""The compiled Poisson draw gives NumPy's numbers and leaves the generator where NumPy would."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from diplosim.platform.rng import poisson_small


def _pair(seed: int) -> tuple[np.random.Generator, np.random.Generator]:
    return np.random.default_rng(seed), np.random.default_rng(seed)


def test_a_million_hourly_rates_match_numpy_and_the_state_after():
    rates = np.random.default_rng(7).lognormal(np.log(0.02 / 24), 2.8, 1_000_000).clip(0, 9.9)
    rates[::1000] = 0.0  # users who cannot post this hour draw nothing
    ours, numpys = _pair(2026)
    got, want = poisson_small(ours, rates), numpys.poisson(rates)
    assert got.dtype == want.dtype and np.array_equal(got, want)
    assert want.sum() > 1000  # the heavy tail posts: many users draw more than once
    assert ours.bit_generator.state == numpys.bit_generator.state
    assert np.array_equal(ours.integers(0, 3600, 50), numpys.integers(0, 3600, 50))


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1),
       rates=st.lists(st.one_of(st.just(0.0), st.floats(0.0, 9.999),
                                st.floats(1e-9, 1e-3)), min_size=0, max_size=300),
       spare=st.one_of(st.none(), st.integers(0, 5)))
def test_any_rates_below_ten_match_numpy(seed, rates, spare):
    """Including a spare too small, which makes the pass run out and be played again."""
    ours, numpys = _pair(seed)
    lam = np.array(rates, np.float64)
    assert np.array_equal(poisson_small(ours, lam, spare=spare), numpys.poisson(lam))
    assert ours.bit_generator.state == numpys.bit_generator.state


def test_rates_of_ten_or_more_go_to_numpy():
    ours, numpys = _pair(3)
    lam = np.array([0.5, 12.0, 40.0])
    assert np.array_equal(poisson_small(ours, lam), numpys.poisson(lam))
    assert ours.bit_generator.state == numpys.bit_generator.state
