"""Age groups: one byte a user, drawn from the platform's users by age in the user's country,
with polls by age group applied to those users only."""

from __future__ import annotations

import numpy as np
import pytest

from diplosim.scenario import load_scenario
from diplosim.scenario.schema import Baseline, Issue
from diplosim.world.ages import AGE_GROUPS, age_shares, shipped_age_shares
from diplosim.world.population import synthesise
from tests.conftest import SHARED_DATA

CONTRACT = SHARED_DATA.parent / "examples" / "scenario.yaml"


def test_the_shipped_rows_sum_to_one_and_name_their_source():
    rows = shipped_age_shares()
    assert "*" in rows and "US" in rows
    for shares, source in rows.values():
        assert sum(shares) == pytest.approx(1.0) and len(shares) == len(AGE_GROUPS)
        assert len(source) > 20
    # the worldwide row: 30.7% aged 18-24 (Digital 2025, TikTok's ad audience)
    assert rows["*"][0][0] == pytest.approx(0.307, abs=0.001)


def test_each_country_draws_its_own_shares_and_an_override_wins():
    s = load_scenario(CONTRACT)
    pop = synthesise(s, users=200_000, seed=3)
    assert pop.age.dtype == np.uint8 and pop.age.max() < len(AGE_GROUPS)  # one byte a user
    for code in ("US", "JP"):
        block = pop.age[pop.country == pop.countries.index(code)]
        got = np.bincount(block, minlength=5) / block.size
        # binomial standard error at most 0.5 / sqrt(block) (JP: about 9,000 users: 0.005)
        assert got == pytest.approx(age_shares(code), abs=0.02)
    young = s.model_copy(update={"world": s.world.model_copy(update={
        "age_shares": {"JP": {"18-24": 1.0}}})})
    jp = synthesise(young, users=20_000, seed=3)
    assert (jp.age[jp.country == jp.countries.index("JP")] == 0).all()
    # the other draws do not move when ages are overridden (their own stream)
    assert (jp.stances == synthesise(s, users=20_000, seed=3).stances).all()


def test_a_poll_by_age_sets_those_users_and_the_rest_keep_the_all_ages_poll():
    s = load_scenario(CONTRACT)
    issue = Issue(id="ukraine_war", negative="pro_russia", positive="pro_ukraine", baselines=[
        Baseline(country="US", positive=0.1, negative=0.8, source="a test poll"),
        Baseline(country="US", positive=0.9, negative=0.05, source="a test crosstab",
                 ages=["18-24", "25-34"])])
    pop = synthesise(s.model_copy(update={"issues": [issue]}), users=100_000, seed=5)
    us = pop.country == pop.countries.index("US")
    young = us & (pop.age <= 1)
    old = us & (pop.age > 1)
    # the side floor 0.2: a side's users are above 0.2 (below -0.2); standard errors 0.003
    assert (pop.stances[young, 0] > 0.2).mean() == pytest.approx(0.9, abs=0.01)
    assert (pop.stances[old, 0] < -0.2).mean() == pytest.approx(0.8, abs=0.015)
