"""Global sensitivity analysis: which parameters move a measure, over their documented ranges.

SALib draws the parameter sets (Morris trajectories for screening, Saltelli's scheme for Sobol
indices) over each parameter's sensitivity range in the parameter table; every set is one run,
a task of the sweep machinery (Ray, or serially), so a stopped analysis resumes. Every run uses
the scenario's seed (common random numbers), so two runs differ by their parameters alone. A
stochastic model still turns any change into some noise, so a few more runs at the default
parameters with other seeds measure the seed's own spread: a Morris mu* counts as distinguishable
only above the 95th percentile of the mu* that pure seed noise of that spread gives through the
same design, and the Sobol table gives the share of the measure's variance the seed alone
explains. Measures are named functions of a run folder (``diplosim.analysis.measures``),
evaluated after the runs.

References: Morris (1991), Technometrics 33:161; Campolongo, Cariboni & Saltelli (2007),
Environ. Model. Softw. 22:1509 (mu*); Saltelli et al. (2010), Comput. Phys. Commun. 181:259
(Sobol estimators); Herman & Usher (2017), JOSS 2(9):97 (SALib).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np

from diplosim.distributed.sweep import run_sweep
from diplosim.errors import DiplosimError
from diplosim.parameters import PARAMETERS
from diplosim.scenario.loader import parse_scenario
from diplosim.store.sweeps import Sweep, is_complete, load_plan, save_plan
from diplosim.store.writer import write_json_atomic

__all__ = ["KIND", "METHODS", "MORRIS_RULE", "SOBOL_RULE", "analyse", "assumption_parameters",
           "load_sensitivity", "measure_values", "plan_sensitivity", "problem",
           "run_sensitivity", "sample", "sensitivity_indices"]

KIND = "diplosim sensitivity"
#: ``lhs``: a Latin hypercube (McKay, Beckman & Conover 1979) over the same ranges, for the range a
#: measure takes over the assumptions (no indices: ``studies.ranges``).
METHODS = ("morris", "sobol", "lhs")
#: Morris' grid levels (Saltelli et al. 2008, Global Sensitivity Analysis: The Primer, ch. 3,
#: recommend 4 with trajectories of one step each).
MORRIS_LEVELS = 4
#: Bootstrap resamples for Morris' mu* interval and Sobol's intervals (SALib's default).
RESAMPLES = 1000
#: Runs at the default parameters with seeds SEED+1, ... that measure the seed's own spread.
NOISE_RUNS = 5
#: When a Morris row counts as distinguishable (``analyse``; printed under the indices).
MORRIS_RULE = ("distinguishable: mu* above the seed-noise floor and its 95% interval above 0 "
               "(both)")
#: When a Sobol row does.
SOBOL_RULE = "distinguishable: ST's 95% interval above 0"

#: Designs of pure seed noise drawn to find the noise floor of Morris' mu*.
NOISE_DRAWS = 200


def assumption_parameters() -> list[str]:
    """The parameters whose source is an assumption (not a published figure)."""
    return [p.name for p in PARAMETERS.values() if p.source.startswith("assumption")]


def problem(names: list[str]) -> dict:
    """SALib's problem: the parameters and their sensitivity ranges from the table."""
    unknown = [n for n in names if n not in PARAMETERS]
    if unknown:
        raise DiplosimError(f"--params: no parameter {', '.join(unknown)} (diplosim parameters "
                            "lists them)")
    if len(set(names)) != len(names) or len(names) < 2:
        raise DiplosimError("--params: expected two or more distinct parameters")
    return {"num_vars": len(names), "names": list(names),
            "bounds": [[PARAMETERS[n].sa_low, PARAMETERS[n].sa_high] for n in names]}


def sample(prob: dict, method: str, samples: int, seed: int) -> np.ndarray:
    """Parameter sets: Morris, ``samples`` trajectories of k + 1 sets each; Sobol (first and
    total order), ``samples`` (a power of 2) base rows of k + 2 sets each."""
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(prob, samples, num_levels=MORRIS_LEVELS, seed=seed)
    if method == "sobol":
        from SALib.sample import sobol

        if samples < 2 or samples & (samples - 1):
            raise DiplosimError(f"--samples {samples}: Sobol needs a power of 2 (8, 16, 32, ...)")
        return sobol.sample(prob, samples, calc_second_order=False, seed=seed)
    if method == "lhs":
        from SALib.sample import latin

        return latin.sample(prob, samples, seed=seed)
    raise DiplosimError(f"--method {method}: expected one of {', '.join(METHODS)}")


def noise_floor(prob: dict, x: np.ndarray, noise_sd: float, seed: int) -> float:
    """The 95th percentile of Morris' mu* when the measure is pure noise of sd ``noise_sd``
    (independent per run: an upper bound for runs that share their seed), over this design."""
    from SALib.analyze import morris

    if not noise_sd > 0:
        return 0.0
    rng = np.random.default_rng(seed)
    stars = []
    for _ in range(NOISE_DRAWS):
        r = morris.analyze(prob, x, rng.normal(0.0, noise_sd, len(x)), num_levels=MORRIS_LEVELS,
                           num_resamples=2, seed=seed)
        stars.extend(float(v) for v in r["mu_star"])
    return float(np.quantile(stars, 0.95))


def analyse(prob: dict, method: str, x: np.ndarray, y: np.ndarray, seed: int,
            noise_sd: float | None = None) -> list[dict]:
    """One row per parameter: Morris mu*, its 95% interval, mu, sigma and whether mu* is above
    the seed-noise floor; or Sobol S1 and ST with their 95% intervals (distinguishable when ST's
    interval excludes 0). Rows are sorted by mu* or ST, largest first."""
    y = np.asarray(y, dtype=float)
    if not np.all(np.isfinite(y)):
        raise DiplosimError(f"{int((~np.isfinite(y)).sum())} of {y.size} runs give no value "
                            "for this measure; choose a measure every run defines")
    rows = []
    if method == "morris":
        from SALib.analyze import morris

        r = morris.analyze(prob, x, y, num_levels=MORRIS_LEVELS, conf_level=0.95,
                           num_resamples=RESAMPLES, seed=seed)
        for i, name in enumerate(prob["names"]):
            half = float(r["mu_star_conf"][i])
            rows.append({"parameter": name, "mu_star": float(r["mu_star"][i]),
                         # the bootstrap interval is symmetric; mu* is never below 0
                         "mu_star_low": max(0.0, float(r["mu_star"][i]) - half),
                         "mu_star_high": float(r["mu_star"][i]) + half,
                         "mu": float(r["mu"][i]), "sigma": float(r["sigma"][i])})
        rows.sort(key=lambda row: -row["mu_star"])
    else:
        from SALib.analyze import sobol

        r = sobol.analyze(prob, y, calc_second_order=False, conf_level=0.95,
                          num_resamples=RESAMPLES, seed=seed)
        for i, name in enumerate(prob["names"]):
            row = {"parameter": name}
            for k in ("S1", "ST"):
                v, half = float(r[k][i]), float(r[f"{k}_conf"][i])
                row.update({k: v, f"{k}_low": v - half, f"{k}_high": v + half})
            rows.append(row)
        rows.sort(key=lambda row: -row["ST"])
    if method == "morris":
        floor = noise_floor(prob, x, noise_sd, seed) if noise_sd is not None else 0.0
        for row in rows:
            row["noise_floor"] = floor
            # the rule the page and the command state (MORRIS_RULE)
            row["distinguishable"] = bool(row["mu_star"] > floor and row["mu_star_low"] > 0)
    else:
        for row in rows:
            row["distinguishable"] = bool(row["ST_low"] > 0)
    return rows


#: What makes two plans the same analysis (a folder holding another is refused).
_SAME = ("scenario_sha256", "fixed", "method", "samples", "seed", "problem")


def plan_sensitivity(scenario_text: str, name: str, params: list[str], method: str,
                     samples: int, out: Path, fixed: list[str] | None = None) -> Sweep:
    """Validate the scenario and draw the parameter sets; write ``sensitivity.json``. A folder
    holding another analysis is refused; the same one is resumed."""
    fixed = list(fixed or [])
    base = parse_scenario(scenario_text, name, fixed)
    prob = problem(params)
    x = sample(prob, method, samples, base.seed)
    runs = []
    for i, row in enumerate(x):
        sets = [f"parameters.{n}={float(v)!r}" for n, v in zip(prob["names"], row, strict=True)]
        runs.append({"combination": i, "replicate": 0, "seed": base.seed,
                     "values": dict(zip(prob["names"], map(float, row), strict=True)),
                     "overrides": [*fixed, *sets], "folder": f"runs/s{i:05d}"})
    parse_scenario(scenario_text, name, runs[0]["overrides"])  # a bad --set fails here
    for i in range(NOISE_RUNS):  # the defaults with other seeds: the seed's own spread
        seed = base.seed + 1 + i
        runs.append({"combination": len(x) + i, "replicate": i + 1, "seed": seed, "noise": True,
                     "values": {}, "overrides": [*fixed, f"seed={seed}"],
                     "folder": f"runs/n{i:02d}"})
    plan = {"kind": KIND, "scenario_name": name, "scenario_text": scenario_text,
            "scenario_sha256": hashlib.sha256(scenario_text.encode()).hexdigest(),
            "fixed": fixed, "method": method, "samples": samples, "seed": base.seed,
            "problem": prob, "runs": runs}
    return save_plan(Path(out), "sensitivity.json", plan, "sensitivity", _SAME,
                     "a different sensitivity analysis (another scenario, --set, --params, "
                     "--method, --samples)")


def load_sensitivity(folder: Path) -> Sweep:
    return load_plan(folder, "sensitivity.json", KIND, "sensitivity")


def run_sensitivity(plan: Sweep, address: str | None = None, use_ray: bool = True,
                    progress: Callable[[int, int], None] | None = None,
                    force: bool = False) -> dict:
    """Run the parameter sets not yet complete (Ray tasks, or serially)."""
    return run_sweep(plan, address, progress=progress, use_ray=use_ray, force=force,
                     combined=False)


def measure_values(plan: Sweep, measure: str) -> np.ndarray:
    """The measure of every run: the parameter sets in order, then the seed-noise runs."""
    from diplosim.analysis.measures import parse_measure
    from diplosim.analysis.run import load_run

    fn = parse_measure(measure)
    values = []
    for r in plan.runs:
        folder = plan.run_folder(r)
        if not is_complete(folder):
            raise DiplosimError(f"{folder}: this run is not complete; run the analysis again "
                                "to finish it")
        v = fn(load_run(folder))
        values.append(math.nan if v is None else v)
    return np.array(values)


def sensitivity_indices(plan: Sweep, measures: list[str]) -> dict:
    """The indices of each measure (``indices.json``, written into the folder)."""
    prob, method = plan.plan["problem"], plan.plan["method"]
    sets = [r for r in plan.runs if not r.get("noise")]
    x = np.array([[r["values"][n] for n in prob["names"]] for r in sets])
    result = {"scenario": plan.plan["scenario_name"], "method": method,
              "samples": plan.plan["samples"], "runs": len(plan.runs), "seed": plan.plan["seed"],
              "parameters": [{"name": n, "low": lo, "high": hi,
                              "reason": PARAMETERS[n].sa_reason}
                             for n, (lo, hi) in zip(prob["names"], prob["bounds"], strict=True)],
              "measures": {}}
    for m in measures:
        values = measure_values(plan, m)
        y = values[:len(sets)]
        # the seed's spread: the noise runs with the base run (the defaults at the plan's seed)
        noise = values[len(sets):]
        noise_sd = float(np.std(noise, ddof=1)) if noise.size >= 2 else None
        var = float(np.var(y, ddof=1))
        finite = y[np.isfinite(y)]
        result["measures"][m] = {
            "mean": float(np.mean(y)), "sd": float(np.sqrt(var)), "seed_sd": noise_sd,
            # the range over the assumptions: every run moves every assumption within its range
            "p05": float(np.percentile(finite, 5)) if finite.size else None,
            "p95": float(np.percentile(finite, 95)) if finite.size else None,
            "seed_share_of_variance": (noise_sd**2 / var) if noise_sd is not None and var > 0
            else None,
            "indices": analyse(prob, method, x, y, plan.plan["seed"], noise_sd)}
    write_json_atomic(plan.folder / "indices.json", result)
    return result
