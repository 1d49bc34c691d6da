"""Population synthesis: proportions, reproducibility, ranges and the survey shares it encodes."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from scipy.stats import chisquare

from diplosim.scenario import load_scenario
from diplosim.scenario.schema import Claim, ClaimBaseline
from diplosim.world.population import NO_LANGUAGE, country_shares, synthesise
from tests.conftest import EXAMPLE, SHARED_DATA

#: the shared contract: no start date and no polls of its own, so the shipped rows apply
CONTRACT = SHARED_DATA.parent / "examples" / "scenario.yaml"


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(CONTRACT)


@pytest.fixture(scope="module")
def million(scenario):
    return synthesise(scenario, users=1_000_000)


def test_users_per_country_match_platform_users(scenario, million):
    shares = country_shares(scenario)
    observed = np.array(list(million.users_per_country().values()))
    expected = np.array([shares[c] for c in million.countries]) * million.size
    assert observed.sum() == 1_000_000
    assert chisquare(observed, expected).pvalue > 0.001
    # US: 135.79M (published) of the 10 countries' 534.3M platform users.
    us = million.users_per_country()["US"] / million.size
    assert us == pytest.approx(135.79 / 534.30, abs=0.002)


def test_a_skewed_distribution_is_detected(scenario, million):
    """The chi-square check above has teeth: a uniform split fails it."""
    observed = np.array(list(million.users_per_country().values()))
    uniform = np.full(len(observed), million.size / len(observed))
    assert chisquare(observed, uniform).pvalue < 1e-6


def test_same_seed_same_arrays_other_seed_other_arrays(scenario):
    a, b = synthesise(scenario, users=20_000), synthesise(scenario, users=20_000)
    c = synthesise(scenario, users=20_000, seed=scenario.seed + 1)
    names = ["country", "lang1", "lang2", "interests", "activity", "attitudes", "stances",
             "beliefs"]
    for name in names:
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
        assert not np.array_equal(getattr(a, name), getattr(c, name)), name


def test_values_stay_in_their_ranges(million):
    assert million.attitudes.min() >= -1 and million.attitudes.max() <= 1
    assert million.stances.min() >= -1 and million.stances.max() <= 1
    assert million.beliefs.min() >= 0 and million.beliefs.max() <= 1
    # interests: each user's favourite topic at full scale, the others relative to it
    assert (million.interests.max(axis=1) == 65535).all()
    shares = million.interests / million.interests.sum(axis=1, keepdims=True)
    assert shares.mean(axis=0) == pytest.approx(np.full(16, 1 / 16), abs=0.002)  # symmetric
    # alpha 0.3 over 16 topics: the favourite takes about a third (0.335 measured on 200k)
    assert 0.25 < np.median(shares.max(axis=1)) < 0.45
    assert (million.interests == 0).mean() < 0.05  # weights under 1/65535 of the favourite
    assert million.activity.min() > 0
    assert million.activity.mean() == pytest.approx(1.0, abs=0.02)
    # the example's one claim is false and has no survey: false_claim_believing_share believe
    assert (million.beliefs > 0.5).mean() == pytest.approx(0.1, abs=0.003)


def test_languages_follow_cldr_shares(million):
    ua = million.country == million.countries.index("UA")
    uk, ru = million.languages.index("uk"), million.languages.index("ru")
    main = million.lang1[ua]
    # Ukrainian 65%, Russian 46% of the population: main language in proportion 65:46.
    assert (main == uk).mean() == pytest.approx(0.65 / 1.11, abs=0.02)
    # Anyone whose main language is Ukrainian also speaks Russian with probability 0.46.
    assert (million.lang2[ua][main == uk] == ru).mean() == pytest.approx(0.46, abs=0.02)
    jp = million.country == million.countries.index("JP")
    assert (million.lang2[jp] == NO_LANGUAGE).all()


def test_attitudes_encode_the_surveys(million):
    floor = 0.1
    pl = million.country == million.countries.index("PL")
    us, ru = million.focal.index("US"), million.focal.index("RU")
    assert (million.attitudes[pl, us] >= floor).mean() == pytest.approx(0.93, abs=0.01)
    assert (million.attitudes[pl, ru] <= -floor).mean() == pytest.approx(0.98, abs=0.005)
    id_ = million.country == million.countries.index("ID")
    assert (million.attitudes[id_, ru] >= floor).mean() == pytest.approx(0.40, abs=0.01)
    # Unsurveyed pairs centre on 0 (an assumption): Brazilians toward France.
    br = million.country == million.countries.index("BR")
    fr = million.focal.index("FR")
    assert abs(float(million.attitudes[br, fr].mean())) < 0.02


def test_state_fits_the_memory_budget(million):
    assert million.nbytes / million.size < 300


def test_claim_baselines_set_each_countrys_believers_and_truth_sets_the_rest():
    """A surveyed country starts with its share of believers (beliefs above 0.5); the others
    with the parameter for false or for true claims."""
    claims = [Claim(id="biolabs", true=False, baselines=[
        ClaimBaseline(country="US", believing=0.25, source="a test survey")]),
        Claim(id="washing", true=True)]
    s = load_scenario(EXAMPLE).model_copy(update={"claims": claims})
    pop = synthesise(s, users=60_000, seed=4)
    us = pop.country == pop.countries.index("US")
    believing = pop.beliefs > 0.5
    # binomial standard errors: US (about 21,000 users) 0.003, the rest 0.002
    assert believing[us, 0].mean() == pytest.approx(0.25, abs=0.012)
    assert believing[~us, 0].mean() == pytest.approx(0.1, abs=0.008)
    assert believing[:, 1].mean() == pytest.approx(0.8, abs=0.008)


def test_shipped_polls_fielded_after_the_start_are_not_used():
    """Pew's spring 2023 rows answer for 2023, not for a scenario of 2022: with a start before
    them, US users' view of Russia falls back to the unsurveyed shares."""
    views = {}
    for start in (None, dt.date(2022, 2, 24)):
        s = load_scenario(CONTRACT).model_copy(update={"start": start})
        pop = synthesise(s, users=20_000, seed=4)
        us = pop.country == pop.countries.index("US")
        views[start] = float((pop.attitudes[us, pop.focal.index("RU")] < 0).mean())
    assert views[None] > 0.85                       # Pew 2023: at least 90% unfavourable
    # unsurveyed: 35% on each side, the middle 30% split around 0
    assert views[dt.date(2022, 2, 24)] == pytest.approx(0.35 + 0.15, abs=0.03)
