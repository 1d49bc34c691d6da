"""Each built-in scenario's headline figures over the assumptions, beside the seed's own spread:
a Latin hypercube over every assumption's sensitivity range (issue 47), written into the block
between ``<!-- ranges:begin -->`` and ``<!-- ranges:end -->`` of ``scenarios/NAME.md``
(``make ranges``). Nothing in that block is typed by hand.

The result block's intervals cover seed noise only; what is not known about the assumptions is
wider. Here every run draws all assumptions at once, each within the range the parameter table
documents for it (McKay, Beckman & Conover 1979: one draw in each of N equal slices of every
range, the slices paired at random), at the screening's world size and the scenario's seed
(common random numbers), so two runs differ by their assumptions alone; the default
parameters with other seeds give the seed's own spread at the same size. The figures are the
size check's headline measures (``studies.sizes.headline_measures``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from diplosim._version import __version__
from diplosim.analysis.run import load_run
from diplosim.distributed.sensitivity import (
    NOISE_RUNS,
    assumption_parameters,
    plan_sensitivity,
    run_sensitivity,
)
from diplosim.errors import DiplosimError
from diplosim.scenario.builtin import BuiltIn
from diplosim.scenario.loader import load_scenario, read_scenario_text
from diplosim.store.sweeps import is_complete
from diplosim.store.writer import write_text_atomic
from diplosim.studies.blocks import RESULT_MARKERS, fingerprint, plan_afresh, replace_block
from diplosim.studies.screening import SCREENING_SIZES, SCREENING_USERS
from diplosim.studies.sizes import headline_measures
from diplosim.studies.tables import table

__all__ = [
    "RANGES_MARKERS",
    "RANGE_SAMPLES",
    "assumption_ranges",
    "ensure_section",
    "summarise",
]

RANGES_MARKERS = ("<!-- ranges:begin -->", "<!-- ranges:end -->")
#: Latin hypercube sets per scenario: the 5th and 95th percentiles of 16 draws are the second
#: smallest and second largest (interpolated), a rough range; more sets narrow its own error.
RANGE_SAMPLES = 16
_HEADING = "## The headline over the assumptions"


def _g(x: float | None) -> str:
    if x is None or not math.isfinite(x):
        return "n/a"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"


def summarise(lhs: list[float | None], noise: list[float | None]) -> dict:
    """The range over the assumptions (5th to 95th percentile of the Latin hypercube's runs)
    and the seed's spread at the defaults (mean, and 1.96 sd either side over the default
    runs), with the ratio of the two widths."""
    x = np.array([v for v in lhs if v is not None and math.isfinite(v)], float)
    y = np.array([v for v in noise if v is not None and math.isfinite(v)], float)
    out = {"runs": int(x.size), "p05": None, "p50": None, "p95": None, "seed_mean": None,
           "seed_half_width": None, "ratio": None}
    if x.size >= 2:
        out["p05"], out["p50"], out["p95"] = (float(v) for v in np.percentile(x, [5, 50, 95]))
    if y.size >= 2:
        out["seed_mean"] = float(y.mean())
        out["seed_half_width"] = float(1.96 * y.std(ddof=1))
    if out["p05"] is not None and out["seed_half_width"]:
        out["ratio"] = (out["p95"] - out["p05"]) / (2 * out["seed_half_width"])
    return out


def ensure_section(text: str) -> str:
    """``text`` with the ranges section (heading and markers) after the result block, when it
    has none yet."""
    begin, end = RANGES_MARKERS
    if begin in text:
        return text
    _, result_end = RESULT_MARKERS
    if text.count(result_end) != 1:
        raise DiplosimError(f"expected one '{result_end}' line to put the ranges after")
    head, tail = text.split(result_end)
    return (f"{head}{result_end}\n\n{_HEADING}\n\n{begin}\n{end}\n"
            f"{tail if tail.startswith(chr(10)) else chr(10) + tail}")


def assumption_ranges(b: BuiltIn, out: Path, overrides: list[str] | None = None,
                      write: bool = True, say: Callable[[str], None] = print,
                      use_ray: bool = True, address: str | None = None,
                      samples: int = RANGE_SAMPLES, users: int | None = None) -> str:
    """Run the Latin hypercube of ``b`` into ``out/ranges/NAME`` (resumable) and write its block
    into ``b.notes``; returns the block. ``users``: by default the screening's size."""
    if samples < 2:
        raise DiplosimError(f"--samples {samples}: a range needs 2 or more sets")
    why = ""
    if users is None:
        users, why = SCREENING_SIZES.get(b.name, (SCREENING_USERS, ""))
    fixed = [f"world.users={users}", *(overrides or [])]
    params = assumption_parameters()
    started = time.perf_counter()
    folder = out / "ranges" / b.name
    plan = plan_afresh(lambda: plan_sensitivity(read_scenario_text(b.path), b.path.name, params,
                                                "lhs", samples, folder, fixed),
                       folder / "sensitivity.json", say, "an earlier range")
    run_sensitivity(plan, address, use_ray=use_ray)
    small = load_scenario(b.path, fixed)
    measures = headline_measures(small)
    lhs: dict[str, list] = {m: [] for m, _ in measures}
    noise: dict[str, list] = {m: [] for m, _ in measures}
    for r in plan.runs:
        run_dir = plan.run_folder(r)
        if not is_complete(run_dir):
            raise DiplosimError(f"{run_dir}: this run is not complete; run again to finish it")
        run = load_run(run_dir)
        for m, fn in measures:
            (noise if r.get("noise") else lhs)[m].append(fn(run))
        run.con.close()
    say(f"{b.name}: {samples} sets over {len(params)} assumptions and {NOISE_RUNS} seed runs "
        f"in {time.perf_counter() - started:.1f} s -> {plan.folder}")
    rows, wide = [], 0
    for m, _ in measures:
        s = summarise(lhs[m], [*noise[m]])
        wide += s["ratio"] is not None and s["ratio"] > 1
        rows.append([m, f"{_g(s['seed_mean'])} ± {_g(s['seed_half_width'])}",
                     f"{_g(s['p05'])} to {_g(s['p95'])} (median {_g(s['p50'])})",
                     "n/a" if s["ratio"] is None else f"{s['ratio']:.2g}"])
    block = "\n".join([
        f"_Produced by `make ranges` (diplosim {__version__}) from scenario "
        f"{fingerprint(small)}: a Latin hypercube of {samples} sets over the {len(params)} "
        f"parameters whose source is an assumption, each within its sensitivity range in the "
        f"parameter table, at {small.world.users:,} users" + (f" ({why})" if why else "")
        + f" and {small.duration_days} days, seed {small.seed}; the seed's spread from "
        f"{NOISE_RUNS} runs at the defaults with other seeds._", "",
        "The result block's intervals cover seed noise only. Here each figure's range over "
        "the assumptions (5th to 95th percentile of the sets) stands beside the seed's own "
        "spread at the same size (mean and 1.96 sd either side), and the last column is the "
        "ratio of the two widths: above 1, what is not known about the assumptions moves "
        "the figure more than the seed does, and the result block's interval understates "
        "the uncertainty by about that factor.", "",
        table(["figure", "defaults: seed spread", "over the assumptions", "width ratio"], rows),
        "", f"{wide} of {len(rows)} figures move more over the assumptions than over seeds. "
        "The screening below names the assumptions each headline depends on most.",
    ])
    if write:
        text = ensure_section(b.notes.read_text(encoding="utf-8"))
        write_text_atomic(b.notes, replace_block(text, block, str(b.notes), *RANGES_MARKERS))
    return block
