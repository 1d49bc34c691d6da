"""Attention after a shock: how a crisis's extra interest in a topic fades, and how much of it
adds posts rather than taking them from other topics.

A crisis multiplies its countries' interest in one topic (``Crisis.interest_multiplier``). The
extra interest (the multiplier less one) then relaxes in two phases, as collective attention
to an outside shock is measured to: a fast exponential phase, then a slow power law from a
switching point on (Igarashi, Okada, Sayama & Sano 2022, Scientific Reports 12:21484: page
views after five kinds of events switch about 10 to 11 days after the peak; the power law's
exponent from Crane & Sornette 2008, PNAS 105:15649, YouTube views after outside shocks; two
timescales of attention also in Candia et al. 2019, Nature Human Behaviour 3:82). The
exponential phase's half-life makes it fall as fast as the power law at the switch, so the
switch is where the slower law takes over. The parameter table gives each constant's source
(``attention_switch_days``, ``attention_power_exponent``, ``attention_fast_half_life_days``).
A scenario can instead give one half-life (``half_life_days``, a single exponential) or hold
the multiplier (``fades: false``).

Posting follows attention: a share ``crisis_added_share`` (an assumption; see the table) of
the extra interest adds posts (the user posts more that hour), the rest only moves posts from
other topics to the crisis's.
"""

from __future__ import annotations

import numpy as np

__all__ = ["HOLD", "PUBLISHED", "crisis_level", "fade", "posting_factor"]

#: A crisis whose extra interest holds to its end (``fades: false``).
HOLD = -1.0
#: A crisis that fades as published (the two-phase form; no ``half_life_days`` given).
PUBLISHED = 0.0


def fade(age_days: float, params: dict[str, float], half_life_days: float = PUBLISHED) -> float:
    """The share of a crisis's extra interest left ``age_days`` after its onset.

    ``half_life_days`` > 0: one exponential with that half-life; ``HOLD``: 1 throughout;
    ``PUBLISHED``: the two-phase form, an exponential with half-life
    ``attention_fast_half_life_days`` up to ``attention_switch_days``, then a power law
    ``(age / switch) ** -attention_power_exponent`` from the level reached there (continuous
    at the switch)."""
    if half_life_days == HOLD or age_days <= 0.0:
        return 1.0
    if half_life_days > 0.0:
        return 0.5 ** (age_days / half_life_days)
    fast, switch = params["attention_fast_half_life_days"], params["attention_switch_days"]
    if age_days <= switch:
        return 0.5 ** (age_days / fast)
    return 0.5 ** (switch / fast) * (age_days / switch) ** -params["attention_power_exponent"]


def crisis_level(age_days: float, multiplier: float, params: dict[str, float],
                 half_life_days: float = PUBLISHED) -> float:
    """The crisis's interest multiplier ``age_days`` after its onset: one plus the extra
    interest that is left."""
    return 1.0 + (multiplier - 1.0) * fade(age_days, params, half_life_days)


def posting_factor(interests: np.ndarray, boost: np.ndarray, added_share: float) -> np.ndarray:
    """How many times their usual rate users post this hour: ``interests`` (users x topics)
    weighted by their country's ``boost`` rows (users x topics) against the unweighted sum
    is the attention a user now gives all topics together; ``added_share`` of the rise adds
    posts (1: every extra post on the crisis is an added post; 0: the crisis only displaces
    other topics, the user's total unchanged)."""
    usual = interests.sum(axis=1, dtype=np.float64)
    now = (interests * boost).sum(axis=1, dtype=np.float64)
    rise = np.divide(now, usual, out=np.ones_like(usual), where=usual > 0) - 1.0
    return 1.0 + added_share * rise
