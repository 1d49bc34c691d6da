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
