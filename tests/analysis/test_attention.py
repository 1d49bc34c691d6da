"""Attention that rises and fades (issue 30): the seven-month scenario's conflict posts peak
in March and fall month by month after, a crisis that never fades does not, and the ceiling any
single exponential fade can reach against the real curve is computed, not assumed."""

from __future__ import annotations

import itertools

import pytest

from diplosim.analysis.attention import (
    ATTENTION_REAL,
    correlation,
    exponential_fit,
    longest_half_life,
    monthly_topic_posts,
    two_phase_fit,
)
from diplosim.analysis.run import load_run
from diplosim.engine.engine import simulate
from diplosim.parameters import resolve_parameters
from diplosim.scenario.builtin import builtin
from diplosim.scenario.loader import load_scenario
from tests.conftest import SHARED_DATA

SMALL = ["world.users=2000"]


def test_the_real_curve_is_the_datasets_monthly_count():
    import csv
    import datetime as dt

    path = SHARED_DATA / "ukraine" / "videos_per_day.csv"
    if not path.exists():
        pytest.skip(f"no shared data at {path}")
    months = [0] * 7
    with path.open() as f:
        for row in csv.DictReader(f):
            day = dt.date.fromisoformat(row["date"])
            if day.year == 2022 and 2 <= day.month <= 8:
                months[day.month - 2] += int(row["videos"])
    assert tuple(months) == ATTENTION_REAL


def test_a_single_exponential_fade_has_a_ceiling_below_the_target_at_published_half_lives():
    # NewsWhip's decline (22.7-fold in 91 days) is a 20.2-day half-life: no multiplier gets a
    # single exponential fade to a correlation of 0.9 with the real monthly curve
    assert 0.87 < exponential_fit(20.2) < 0.89
    assert exponential_fit(8.0) > 0.94  # the best single half-life, fitted to the curve itself
    h = longest_half_life(0.9)
    assert 16.0 < h < 17.5
    assert exponential_fit(h - 0.1) >= 0.9 > exponential_fit(h + 0.1)
    # the published two-phase fade (not fitted to this curve) can reach 0.958
    assert two_phase_fit(resolve_parameters()) == pytest.approx(0.958, abs=0.001)
    assert correlation([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert correlation([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    b = builtin("ukraine_attention_2022")
    out = {}
    for variant in (None, "no_fading"):
        folder = tmp_path_factory.mktemp(variant or "base")
        simulate(load_scenario(b.path, SMALL, variant=variant), folder)
        out[variant or "base"] = monthly_topic_posts(load_run(folder), "conflict", (2022, 2, 1))
    return out


def test_attention_peaks_in_march_and_falls_every_month_after(runs):
    months = runs["base"]
    assert max(months) == months[1]  # March
    # falls every month from March to June; the power-law phase then flattens, so at 2,000
    # users July and August differ from June by less than the count's own noise (seed 2022,
    # stratified rates: June 291, July 303, sd about 17) and are only held below May
    assert all(a > b for a, b in itertools.pairwise(months[1:5]))
    assert max(months[5:]) < months[3]
    # the invasion raises conflict posting: March's daily rate is over 1.2 times February's,
    # whose 28 days include the war's first five at its highest (seed 2022: 81 and 46 a day)
    assert months[1] / 31 > 1.2 * (months[0] / 28)
    assert months[2] < 0.5 * months[1]  # April: less than half of March (seed 2022: 0.40)
    assert months[6] < 0.25 * months[1]  # August (0.18)


def test_a_crisis_that_never_fades_holds_its_level(runs):
    fading, held = runs["base"], runs["no_fading"]
    assert held[6] > 0.8 * held[1]  # August within 20% of March
    assert held[6] > 2 * fading[6]
    # February holds five days of war, in which the extra interest has fallen to 0.62 of its
    # onset (seed 2022: 1,296 posts fading, 1,561 held)
    assert 0.7 * held[0] < fading[0] < 0.95 * held[0]
