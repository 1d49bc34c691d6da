"""Main effects and interactions of a factorial sweep, worked out by hand on a 2 x 2 and a 3 x 2
design whose cells follow a known formula; Holm's correction by hand."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from diplosim.analysis.factorial import factorial_effects
from diplosim.analysis.replicated import Column, pick_baseline
from diplosim.analysis.uncertainty import difference, holm
from diplosim.errors import DiplosimError

KEY = ("actor impressions", "jp_embassy_br")
SEEDS = range(1, 9)


def _cols(levels_a, levels_b, y):
    cols, metrics = [], []
    for a in levels_a:
        for b in levels_b:
            cols.append(Column(f"content={a}, counter={b}", {s: Path(".") for s in SEEDS},
                               {"content": a, "counter": b}))
            metrics.append({s: {KEY: y(a, b, s)} for s in SEEDS})
    return cols, metrics


def test_a_2x2_design_gives_its_main_effects_and_interaction():
    # impressions = 100 + 20 pop + (-30 counter) + (-10 pop x counter) + a seed's own noise
    def y(a, b, s):
        pop, counter = a == "pop", b is True
        return 100 + 20 * pop - 30 * counter - 10 * pop * counter + math.sin(7 * s) * (1 + pop)

    cols, metrics = _cols(["tourism", "pop"], [False, True], y)
    rows = {r["effect"]: r for r in factorial_effects(cols, metrics, {KEY: None})}
    assert set(rows) == {"content=pop", "counter=true", "content=pop × counter=true"}
    noise = [math.sin(7 * s) for s in SEEDS]  # pop's cells carry it twice: it does not cancel
    main_pop = rows["content=pop"]["value"]
    assert main_pop.mean == pytest.approx(20 - 10 / 2 + sum(noise) / len(noise))
    assert rows["counter=true"]["value"].mean == pytest.approx(-30 - 10 / 2)
    inter = rows["content=pop × counter=true"]["value"]
    # the seed's noise is the same in both differences: the interaction is exact, every seed
    assert (inter.mean, inter.low, inter.high, inter.n) == pytest.approx((-10, -10, -10, 8))
    assert rows["counter=true"]["kind"] == "main" and inter.distinguishable
    assert main_pop.low < main_pop.mean < main_pop.high  # pop's own noise: a real interval
    # Holm's p over the three, by hand
    ps = [r["value"].p for r in rows.values()]
    assert [r["value"].holm for r in rows.values()] == pytest.approx(holm(ps))


def test_a_3x2_design_averages_a_main_effect_over_the_other_field():
    cols, metrics = _cols(["a", "b", "c"], ["x", "y"],
                          lambda a, b, s: {"a": 0, "b": 5, "c": 9}[a] + (3 if b == "y" else 0)
                          + (2 if (a, b) == ("c", "y") else 0) + 0.01 * s)
    rows = {r["effect"]: r["value"].mean for r in factorial_effects(cols, metrics, {KEY: None})}
    assert rows == pytest.approx({"content=b": 5, "content=c": 10, "counter=y": 3 + 2 / 3,
                                  "content=b × counter=y": 0, "content=c × counter=y": 2})


def test_no_effects_without_a_complete_factorial():
    cols, metrics = _cols(["tourism", "pop"], [False, True], lambda a, b, s: float(s))
    assert factorial_effects(cols[:3], metrics[:3], {KEY: None}) == []          # a cell short
    one_field = [Column(c.label, c.runs, {"content": c.values["content"]}) for c in cols[:2]]
    assert factorial_effects(one_field, metrics[:2], {KEY: None}) == []


def test_holm_by_hand_and_p_values_of_the_t_test():
    assert holm([0.01, 0.04, 0.03, math.nan, 0.005]) == pytest.approx(
        [0.03, 0.06, 0.06, math.nan, 0.02], nan_ok=True)
    from scipy import stats

    a, b = [1.2, 1.5, 1.1, 1.4], [1.0, 1.0, 1.05, 1.0]
    assert difference(a, b).p == pytest.approx(stats.ttest_rel(a, b).pvalue)
    assert difference(a, b, paired=False).p == pytest.approx(
        stats.ttest_ind(a, b, equal_var=False).pvalue)


def test_the_baseline_is_named_by_label_or_a_unique_part_of_it():
    labels = ["content=tourism, counter=false", "content=pop, counter=false",
              "content=pop, counter=true"]
    assert pick_baseline(labels, None) == 0
    assert pick_baseline(labels, "content=pop, counter=false") == 1
    assert pick_baseline(labels, "counter=true") == 2
    with pytest.raises(DiplosimError, match="matches 2 columns"):
        pick_baseline(labels, "content=pop")
    with pytest.raises(DiplosimError, match="matches no column"):
        pick_baseline(labels, "ranking=social")
