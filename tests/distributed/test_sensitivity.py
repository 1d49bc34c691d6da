"""Sensitivity analysis: SALib's indices on a function with known answers pass through the same
pipeline; on a small scenario, a parameter the model does not read has mu* of exactly 0 and the
one that scales the measure has the largest; a stopped analysis resumes."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from diplosim.analysis.measures import MEASURES, parse_measure
from diplosim.distributed.sensitivity import (
    NOISE_RUNS,
    analyse,
    assumption_parameters,
    load_sensitivity,
    plan_sensitivity,
    problem,
    run_sensitivity,
    sample,
    sensitivity_indices,
)
from diplosim.errors import DiplosimError
from diplosim.parameters import PARAMETERS
from tests.conftest import EXAMPLE_TEXT

TEXT = EXAMPLE_TEXT
FIXED = ["duration_days=2", "events=[]", "world.users=1500"]
#: sessions_per_day scales impressions directly; without events nothing posts the example's
#: false claim, so fact_check_share_reduction is never read.
PARAMS = ["sessions_per_day", "fact_check_share_reduction", "stance_rate"]


def _ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_ishigami_sobol_indices_match_their_analytic_values():
    # Ishigami & Homma (1990); analytic indices for a=7, b=0.1 (Saltelli et al. 2008, p. 179)
    prob = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-math.pi, math.pi]] * 3}
    x = sample(prob, "sobol", 1024, seed=1)
    rows = {r["parameter"]: r for r in analyse(prob, "sobol", x, _ishigami(x), seed=1)}
    for name, s1, st in (("x1", 0.3139, 0.5576), ("x2", 0.4424, 0.4424), ("x3", 0.0, 0.2437)):
        assert rows[name]["S1"] == pytest.approx(s1, abs=0.05)
        assert rows[name]["ST"] == pytest.approx(st, abs=0.05)
        assert rows[name]["ST_low"] - 0.02 <= st <= rows[name]["ST_high"] + 0.02
    assert [r["parameter"] for r in analyse(prob, "sobol", x, _ishigami(x), 1)] == \
        ["x1", "x2", "x3"]  # sorted by ST


def test_ishigami_morris_ranks_x3_below_x1_and_x2():
    prob = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-math.pi, math.pi]] * 3}
    x = sample(prob, "morris", 50, seed=2)
    assert x.shape == (50 * 4, 3)
    rows = analyse(prob, "morris", x, _ishigami(x), seed=2, noise_sd=0.0)
    assert rows[-1]["parameter"] == "x3" or rows[-1]["mu_star"] < rows[0]["mu_star"] / 2
    assert all(r["distinguishable"] for r in rows)  # no noise: every effect counts


def test_problem_takes_the_tables_sensitivity_ranges():
    prob = problem(["sessions_per_day", "stance_rate"])
    assert prob["bounds"] == [[PARAMETERS["sessions_per_day"].sa_low,
                               PARAMETERS["sessions_per_day"].sa_high],
                              [PARAMETERS["stance_rate"].sa_low, PARAMETERS["stance_rate"].sa_high]]
    with pytest.raises(DiplosimError, match="no parameter nope"):
        problem(["nope", "stance_rate"])
    with pytest.raises(DiplosimError, match="power of 2"):
        sample(prob, "sobol", 12, 1)
    assert "counter_attitudinal_factor" in assumption_parameters()
    assert "stance_rate" not in assumption_parameters()  # sized by a published figure
    assert "pool_promotion_engagement" not in assumption_parameters()  # a published figure


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    out = tmp_path_factory.mktemp("sa")
    plan = plan_sensitivity(TEXT, "example.yaml", PARAMS, "morris", 3, out, FIXED)
    assert len(plan.runs) == 3 * (len(PARAMS) + 1) + NOISE_RUNS
    assert run_sensitivity(plan, use_ray=False) == {"ran": len(plan.runs), "skipped": 0}
    return out, sensitivity_indices(plan, ["impressions"])


def test_unread_parameter_has_no_effect_and_the_scaling_one_the_largest(analysed):
    _, result = analysed
    rows = {r["parameter"]: r for r in result["measures"]["impressions"]["indices"]}
    assert rows["fact_check_share_reduction"]["mu_star"] == 0.0
    assert not rows["fact_check_share_reduction"]["distinguishable"]
    top = result["measures"]["impressions"]["indices"][0]
    assert top["parameter"] == "sessions_per_day" and top["distinguishable"]
    assert top["mu_star"] > 5 * rows["stance_rate"]["mu_star"]
    assert top["mu_star"] > top["noise_floor"] > 0
    assert result["measures"]["impressions"]["seed_sd"] > 0


def test_a_stopped_analysis_resumes_and_another_is_refused(analysed):
    out, result = analysed
    plan = plan_sensitivity(TEXT, "example.yaml", PARAMS, "morris", 3, out, FIXED)
    assert run_sensitivity(plan, use_ray=False) == {"ran": 0, "skipped": len(plan.runs)}
    assert json.loads((out / "indices.json").read_text()) == result
    assert load_sensitivity(out).plan["problem"]["names"] == PARAMS
    with pytest.raises(DiplosimError, match="holds a different sensitivity analysis"):
        plan_sensitivity(TEXT, "example.yaml", PARAMS, "morris", 4, out, FIXED)


def test_measure_names_are_checked():
    assert set(MEASURES) >= {"impressions", "positive_share", "believing", "metric"}
    with pytest.raises(DiplosimError, match="no measure 'nope'"):
        parse_measure("nope")
    with pytest.raises(DiplosimError, match="expected positive_share:ISSUE"):
        parse_measure("positive_share")
    with pytest.raises(DiplosimError, match="expected impressions:"):
        parse_measure("impressions:a:US:extra")
