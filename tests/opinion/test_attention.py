"""The fade of a crisis's extra interest and the posts it adds (diplosim.opinion.attention)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from diplosim.opinion.attention import HOLD, crisis_level, fade, posting_factor
from diplosim.parameters import resolve_parameters

P = resolve_parameters()


def test_two_phase_fade_switches_from_exponential_to_power_law_at_ten_and_a_half_days():
    switch, fast = P["attention_switch_days"], P["attention_fast_half_life_days"]
    assert switch == 10.5  # Igarashi et al. 2022: 10 to 11 days after the peak
    assert fade(0.0, P) == 1.0
    assert fade(fast, P) == pytest.approx(0.5)
    # continuous at the switch, and from there a power law of exponent 1: twice as old, half
    at = fade(switch, P)
    assert at == pytest.approx(0.5 ** (10.5 / 7.28))
    assert fade(switch + 1e-6, P) == pytest.approx(at, rel=1e-6)
    assert fade(2 * switch, P) / at == pytest.approx(0.5)
    assert fade(8 * switch, P) / at == pytest.approx(1 / 8)
    # the derived half-life: the two laws fall at the same rate at the switch
    slope_exp = math.log(2) / fast
    slope_pow = P["attention_power_exponent"] / switch
    assert slope_exp == pytest.approx(slope_pow, rel=1e-3)


def test_fade_is_slower_than_the_exponential_after_the_switch():
    """A month after the shock the power law keeps more than the fast exponential would: 11.7%
    of the extra interest at 30 days against 5.8% had the 7.28-day half-life held."""
    assert fade(30.0, P) == pytest.approx(0.3679 * 10.5 / 30, rel=1e-3)
    assert fade(30.0, P) > 2 * 0.5 ** (30 / 7.28)


def test_the_fade_from_week_one_to_week_fourteen_is_computed_not_fitted():
    """NewsWhip (via Axios, June 2022) saw interactions with Ukraine news fall 22.7-fold from
    the war's first week to about its 14th; nothing was fitted to it. The fade's own fall over
    the same weeks is what the attention scenario's block reports beside it: the mean of the
    fade over each week, computed here by hand from the closed form."""
    from diplosim.analysis.attention import weekly_fall

    first = np.mean([0.5 ** (h / 24 / 7.28) for h in range(168)])
    later = np.mean([0.5 ** (10.5 / 7.28) * 10.5 / (91 + h / 24) for h in range(168)])
    assert weekly_fall(P) == pytest.approx(first / later, rel=1e-9)
    assert weekly_fall(P) > 1  # it falls


def test_a_given_half_life_or_a_held_crisis_overrides_the_published_fade():
    assert fade(20.2, P, 20.2) == pytest.approx(0.5)
    assert fade(100.0, P, HOLD) == 1.0
    assert crisis_level(0.0, 20.0, P) == 20.0
    assert crisis_level(7.28, 21.0, P) == pytest.approx(11.0)
    assert crisis_level(5.0, 3.0, P, HOLD) == 3.0


def test_posting_factor_adds_the_chosen_share_of_the_extra_attention():
    interests = np.array([[0.5, 0.5], [0.9, 0.1], [0.0, 0.0]], np.float32)
    boost = np.array([[1.0, 3.0]] * 3)
    # extra attention: user 0 gives 0.5 x 2 = 1.0 more, user 1 0.1 x 2 = 0.2 more; nobody
    # without interests changes
    assert posting_factor(interests, boost, 1.0) == pytest.approx([2.0, 1.2, 1.0])
    assert posting_factor(interests, boost, 0.5) == pytest.approx([1.5, 1.1, 1.0])
    assert posting_factor(interests, boost, 0.0) == pytest.approx([1.0, 1.0, 1.0])
