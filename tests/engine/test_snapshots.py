"""The daily attitude snapshot: its statistics equal NumPy's on the same values (the sort behind
them is a radix sort of float32 bits, so it is checked against np.sort on awkward values)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from diplosim.engine.snapshots import _STATS, _sorted_float32, attitude_table, attitudes_by_age
from diplosim.engine.state import build_state
from diplosim.scenario import load_scenario
from diplosim.world.ages import AGE_GROUPS
from tests.conftest import EXAMPLE

FINITE = st.floats(width=32, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(arrays(np.float32, st.integers(0, 3000), elements=FINITE))
def test_radix_sort_equals_numpy_sort(x):
    assert np.array_equal(_sorted_float32(x), np.sort(x).astype(np.float64))


def test_edge_values_sort_in_order():
    tiny = float(np.float32(1e-45))  # the smallest float32 above zero (a denormal)
    x = np.array([0.0, -0.0, tiny, -tiny, 3.4e38, -3.4e38, -1.0, 1.0, 0.5], np.float32)
    expect = np.array([-3.4e38, -1.0, -tiny, 0.0, 0.0, tiny, 0.5, 1.0, 3.4e38], np.float32)
    assert np.array_equal(_sorted_float32(x), expect.astype(np.float64))


def test_attitude_table_equals_numpy_statistics():
    scenario = load_scenario(EXAMPLE, ["world.users=20000"])
    state = build_state(scenario)
    rng = np.random.default_rng(5)
    pop = state.pop
    pop.attitudes[:] = np.clip(rng.normal(0.1, 0.4, pop.attitudes.shape), -1, 1)
    pop.attitudes[::7] = 0.0  # many ties, and zeros of both signs
    pop.attitudes[1::7] = -0.0
    table = attitude_table(state, 3).to_pylist()
    fav = [r for r in table if r["kind"] == "favourability"]
    assert len(fav) == len(pop.countries) * len(pop.focal)
    floor = state.params["attitude_opinion_floor"]
    checked = 0
    for row in fav:
        ci, fi = pop.countries.index(row["country"]), pop.focal.index(row["subject"])
        v = pop.attitudes[pop.country == ci, fi].astype(np.float64)
        assert row["n"] == v.size and row["day"] == 3
        if v.size == 0:
            assert all(row[s] is None for s in _STATS)
            continue
        sd = v.std()
        expect = {"mean": v.mean(), "sd": sd, "min": v.min(), "max": v.max(),
                  "q10": np.quantile(v, 0.1), "q25": np.quantile(v, 0.25),
                  "q50": np.quantile(v, 0.5), "q75": np.quantile(v, 0.75),
                  "q90": np.quantile(v, 0.9),
                  "skew": ((v - v.mean()) ** 3).mean() / sd**3 if sd > 0 else 0.0,
                  "kurtosis": ((v - v.mean()) ** 4).mean() / sd**4 if sd > 0 else 0.0,
                  "share_pos": (v > floor).mean(), "share_neg": (v < -floor).mean()}
        for name, value in expect.items():
            assert abs(row[name] - value) <= 1e-9 * max(1.0, abs(value)), (row["country"], name)
        checked += 1
    assert checked >= 5


def test_attitudes_by_age_equal_numpys_group_sums():
    """The by-age snapshot (summed in one compiled pass, without per-user temporaries) gives
    exactly the figures of NumPy's ``bincount`` over (country, age group), bit for bit."""
    state = build_state(load_scenario(EXAMPLE, ["world.users=20000"]))
    pop = state.pop
    rng = np.random.default_rng(9)
    pop.attitudes[:] = np.clip(rng.normal(0.1, 0.4, pop.attitudes.shape), -1, 1)
    pop.attitudes[::5] = 0.0
    floor = state.params["attitude_opinion_floor"]
    n_ages = len(AGE_GROUPS)
    group = pop.country.astype(np.int64) * n_ages + pop.age
    size = len(pop.countries) * n_ages
    n = np.bincount(group, minlength=size)
    rows = [r for r in attitudes_by_age(state, 2).to_pylist() if r["kind"] == "favourability"]
    assert len(rows) == size * len(pop.focal)
    filled = 0
    for r in rows:
        g = pop.countries.index(r["country"]) * n_ages + AGE_GROUPS.index(r["age"])
        x = pop.attitudes[:, pop.focal.index(r["subject"])].astype(np.float64)
        assert r["n"] == n[g] and r["day"] == 2
        if n[g] == 0:
            assert r["mean"] is None
            continue
        for name, w in (("mean", x), ("share_pos", (x > floor).astype(np.float64)),
                        ("share_neg", (x < -floor).astype(np.float64))):
            assert r[name] == np.bincount(group, weights=w, minlength=size)[g] / n[g], name
        filled += 1
    assert filled >= 10
