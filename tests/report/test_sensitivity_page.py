"""The sensitivity page draws both methods' indices with their intervals and escapes names."""

from __future__ import annotations

import math

import numpy as np

from diplosim.distributed.sensitivity import analyse, sample
from diplosim.report.sensitivity import sensitivity_page

PROB = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[0.0, 1.0]] * 3}


def _result(method: str) -> dict:
    x = sample(PROB, method, 8 if method == "sobol" else 6, seed=3)
    y = 4 * x[:, 0] + x[:, 1] ** 2 + np.random.default_rng(0).normal(0, 0.01, len(x))
    rows = analyse(PROB, method, x, y, seed=3, noise_sd=0.01)
    return {"scenario": "s.yaml", "method": method, "samples": 8, "runs": len(x), "seed": 3,
            "parameters": [{"name": n, "low": 0.0, "high": 1.0, "reason": "assumption <b>"}
                           for n in PROB["names"]],
            "measures": {"metric:<script>alert(1)</script>": {
                "mean": float(y.mean()), "sd": float(y.std()), "seed_sd": 0.01,
                "seed_share_of_variance": 0.0001, "indices": rows}}}


def test_morris_page():
    result = _result("morris")
    rows = result["measures"]["metric:<script>alert(1)</script>"]["indices"]
    assert rows[0]["parameter"] == "a" and rows[0]["distinguishable"]
    assert rows[-1]["parameter"] == "c" and not rows[-1]["distinguishable"]
    assert all(r["mu_star_low"] >= 0 and not math.isnan(r["noise_floor"]) for r in rows)
    page = sensitivity_page(result)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "assumption &lt;b&gt;" in page and "seed-noise floor" in page


def test_sobol_page():
    result = _result("sobol")
    rows = {r["parameter"]: r for r in
            result["measures"]["metric:<script>alert(1)</script>"]["indices"]}
    assert rows["a"]["ST"] > rows["b"]["ST"] > rows["c"]["ST"]
    page = sensitivity_page(result)
    assert "S1, first order" in page and "ST, total" in page
    assert "<script>alert(1)</script>" not in page
