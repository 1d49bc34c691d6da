"""The README's performance table says which results were re-measured after the full run, and
shows the Mesa ratio with the kernel-only ceiling when the bench recorded it."""

import copy

from benchmarks.readme_table import current, render


def _mesa_row(text: str) -> str:
    return next(line for line in text.splitlines() if "reduced model in Mesa" in line)


def test_heading_names_results_re_measured_on_their_own():
    results = copy.deepcopy(current())
    for value in results.values():
        if isinstance(value, dict) and "measured" in value:
            value["measured"] = results["started"]
    assert "re-measured" not in render(results)
    results["mesa_baseline"]["measured"] = "2030-01-01T00:00:00Z"
    heading = render(results).splitlines()[1]
    assert heading.endswith("(re-measured on its own: `mesa_baseline` 2030-01-01T00:00:00Z):")


def test_mesa_row_shows_the_kernel_only_ceiling_when_recorded():
    results = copy.deepcopy(current())
    run = results["mesa_baseline"]["runs"][0]
    run.update(ratio_vs_mesa=19.44, kernel_only_ratio_vs_mesa=57.6, diplosim_seconds=2.471,
               diplosim_kernel_seconds=0.776)
    row = _mesa_row(render(results))
    assert "**19.4×**" in row and "feed kernel alone 58×" in row
    assert "outside the kernel 1.70 of 2.47 s" in row
    assert "100× would allow 0.48 s in all" in row  # 2.471 s × 19.44 / 100
    del run["kernel_only_ratio_vs_mesa"]  # results written before the ceiling was measured
    assert "kernel alone" not in _mesa_row(render(results))


def _linear_row(text: str) -> str:
    return next(line for line in text.splitlines() if "doubling the work" in line)


def test_linearity_row_says_when_each_run_is_a_median_of_repeats():
    results = copy.deepcopy(current())
    lin = results["engine_scale"]["linear"]
    lin.pop("repeats", None)  # results written before the runs were repeated
    assert "median" not in _linear_row(render(results))
    lin["repeats"] = 3
    assert "the median of 3 interleaved runs of each" in _linear_row(render(results))


def test_uncertainty_rows_give_runs_per_hour_and_the_large_mode_times():
    results = copy.deepcopy(current())
    ray = {"workers": 1, "runs": 32, "users": 20000, "days": 14, "seconds": 400.0,
           "ray_start_seconds": 6.0, "mean_run_seconds": 4.0}
    results["uncertainty"] = {
        "ray_runs": [ray, {**ray, "workers": 2}],
        "target": {"min_ray_speedup": 1.8, "ray_speedup": 1.9, "runs_per_hour_one_worker": 288,
                   "runs_per_hour_two_workers": 547.2, "pass": True,
                   "steady_speedup_without_fixed_costs": 1.95},
        "measured": results["started"]}
    results.pop("morris_screening", None)
    results.pop("scenarios_replicated", None)
    text = render(results)
    assert ("one worker 288, two workers 547: ×1.90 (each try timed from starting Ray, which "
            "took 6.0–6.0 s; busy workers alone ×1.95) | ≥ ×1.8 |") in text
    assert "Morris" not in text and "make scenarios" not in text
    results["morris_screening"] = {"morris": {
        "parameters": 20, "trajectories": 10, "runs": 215, "users": 20000, "days": 14,
        "seconds": 600.0, "runs_per_hour": 1290.0}}
    results["scenarios_replicated"] = {"runs": [{"seconds": 1800.0}],
                                       "measured": results["started"]}
    text = render(results)
    assert "| 10.0 min (1,290 runs per hour) | < 20 min |" in text
    assert "| `make scenarios` with its replicates (every run from scratch) | 30.0 min |" in text


def test_the_limit_row_and_the_tables_by_part_and_phase():
    """The engine_limit entry gives its row (both limits, the engine's rate and its share) and,
    when it has them, the state by part (largest first) and the profile by phase, with the
    phases it does not name summed into the last row."""
    results = copy.deepcopy(current())
    limit = {"x": 1, "impressions_per_s": 3_000_000}
    engine = {"users": 1_000_000, "impressions_per_s": 1_500_000, "seconds": 100.0,
              "state_bytes_per_user": 270.0, "bytes_per_user": 296.5,
              "state_bytes_per_user_by_part": {"topic interests": 32.0, "follow graph": 44.0}}
    results["engine_limit"] = {
        "runs": [limit, engine, {**limit, "impressions_per_s": 2_000_000}],
        "limit_impressions_per_s": 2_500_000, "engine_impressions_per_s": 1_500_000,
        "engine_share_of_limit": 0.6, "measured": results["started"],
        "profile": {"users": 1_000_000, "days": 7, "seconds": 100.0, "impressions": 3e8,
                    "phases": {"run_sessions": 70.0, "_collect": 10.0, "attitude_table": 2.0},
                    "untimed": 3.0}}
    text = render(results)
    assert ("limit 3.00M and 2.00M impressions/s; the engine 1.50M/s (100.0 s): **60.0%** of "
            "the limits' mean | (reported) |") in text
    assert text.index("| follow graph | 44.0 |") < text.index("| topic interests | 32.0 |")
    assert "(270.0 in all; 296.5 at the peak" in text
    assert "| feed kernel (`run_sessions`) | 70.0 | 70% |" in text
    assert "| daily tables, writer, the rest | 5.0 | 5% |" in text
    del results["engine_limit"]["profile"]
    del engine["state_bytes_per_user_by_part"]
    text = render(results)
    assert "by part" not in text and "time goes" not in text and "**60.0%**" in text
