"""Which assumptions each built-in scenario's headline depends on most: a Morris screening of
every parameter whose source is an assumption, at a size this machine runs in minutes, written
into the block between ``<!-- assumptions:begin -->`` and ``<!-- assumptions:end -->`` of
``scenarios/NAME.md`` (``make screening``). Nothing in that block is typed by hand.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from diplosim._version import __version__
from diplosim.distributed.sensitivity import (
    NOISE_RUNS,
    assumption_parameters,
    plan_sensitivity,
    run_sensitivity,
    sensitivity_indices,
)
from diplosim.errors import DiplosimError
from diplosim.scenario.builtin import BuiltIn
from diplosim.scenario.loader import load_scenario, read_scenario_text
from diplosim.store.writer import write_text_atomic
from diplosim.studies.blocks import ASSUMPTIONS_MARKERS, fingerprint, plan_afresh, replace_block
from diplosim.studies.tables import table

__all__ = ["BEGIN", "END", "SCREENING", "SCREENING_SIZES", "SCREENING_TRAJECTORIES",
           "SCREENING_USERS", "screen"]

BEGIN, END = ASSUMPTIONS_MARKERS
#: The headline measure each scenario's screening explains (a measure of
#: ``diplosim.analysis.measures``).
SCREENING: dict[str, str] = {
    "ukraine_2022": "positive_share:ukraine_war",
    "israel_palestine_narratives": "positive_share:gaza_war",
    "us_ban_2025": "impressions:cn_state_media:US",
    "india_ban_2020": "impressions:cn_state_media",
    "who_covid_2020": "believing:garlic_cure",
    "embassy_cultural": "impressions:de_embassy_id:ID",
    "regional_tourism": "impressions:th_tourism:US,GB,DE,KR,JP,AU",
    "ukraine_attention_2022": "topic_posts:conflict",
}
#: The screening's world and design: small enough for minutes per scenario on two cores.
SCREENING_USERS = 5000
#: Scenarios screened at another size, and why.
SCREENING_SIZES: dict[str, tuple[int, str]] = {
    "ukraine_attention_2022": (1000, "its 212 days cost eight times a four-week scenario's; its "
                               "measure, posts on one topic over seven months, counts "
                               "thousands of posts even at this size (the mean is below)"),
}
SCREENING_TRAJECTORIES = 4
#: Rows shown: the parameters with the largest mu*.
TOP = 6


def _g(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"


def _assumption_range(r: dict, runs: int) -> str:
    """The measure's range over the assumptions beside the seed's own spread: what a seed
    interval leaves out (issue 47)."""
    if r.get("p05") is None:
        return "Range over the assumptions: not computed in this screening."
    seed = r["seed_sd"] or 0.0
    width, noise = r["p95"] - r["p05"], 2 * 1.96 * seed
    return (f"**Range over the assumptions:** {_g(r['p05'])} to {_g(r['p95'])} (5th to 95th "
            f"percentile over the {runs} screening runs, each moving every assumption within its "
            "range: Morris trajectories, not a Latin hypercube), a width of "
            f"{_g(width)}" + (f", {width / noise:.2g} times the seed's own spread in one run "
                              f"({_g(noise)}: 1.96 sd either side). The result block's "
                              "intervals cover seed noise only and leave this range out."
                              if noise > 0 else "; the seed alone did not move it."))


def screen(b: BuiltIn, out: Path, overrides: list[str] | None = None, write: bool = True,
           say: Callable[[str], None] = print, use_ray: bool = True,
           address: str | None = None, users: int | None = None,
           trajectories: int = SCREENING_TRAJECTORIES) -> str:
    """Run the screening of ``b`` into ``out/screening/NAME`` (resumable), write its block
    into ``b.notes``; returns the block. ``users``: by default ``SCREENING_USERS``, or the
    scenario's own size in ``SCREENING_SIZES``."""
    if b.name not in SCREENING:
        raise DiplosimError(f"{b.name}: no screening measure is defined for this scenario")
    why = ""
    if users is None:
        users, why = SCREENING_SIZES.get(b.name, (SCREENING_USERS, ""))
    fixed = [f"world.users={users}", *(overrides or [])]
    params = assumption_parameters()
    started = time.perf_counter()
    folder = out / "screening" / b.name
    plan = plan_afresh(lambda: plan_sensitivity(read_scenario_text(b.path), b.path.name, params,
                                                "morris", trajectories, folder, fixed),
                       folder / "sensitivity.json", say, "an earlier screening")
    run_sensitivity(plan, address, use_ray=use_ray)
    measure = SCREENING[b.name]
    result = sensitivity_indices(plan, [measure])
    say(f"{b.name}: screening of {len(params)} assumptions, {len(plan.runs)} runs in "
        f"{time.perf_counter() - started:.1f} s -> {plan.folder}")
    s, small = load_scenario(b.path, overrides), load_scenario(b.path, fixed)
    r = result["measures"][measure]
    rows = r["indices"]
    floor = rows[0]["noise_floor"]
    above = [x for x in rows if x["distinguishable"]]
    unread = [x["parameter"] for x in rows if x["mu_star"] == 0]
    shown = [[f"`{x['parameter']}`", f"{_g(x['mu_star'])} ({_g(x['mu_star_low'])} to "
              f"{_g(x['mu_star_high'])})", _g(x["sigma"]),
              "yes" if x["distinguishable"] else "no"] for x in rows[:TOP]]
    block = "\n".join([
        f"_Produced by `make screening` (diplosim {__version__}) from scenario "
        f"{fingerprint(s)}: a Morris screening (SALib) of the {len(params)} parameters whose "
        f"source is an assumption, each over its sensitivity range in the parameter table, at "
        f"{small.world.users:,} users" + (f" ({why})" if why else "")
        + f" and {small.duration_days} days; "
        f"{trajectories} trajectories, {len(plan.runs) - NOISE_RUNS} runs at seed "
        f"{small.seed} and {NOISE_RUNS} at the defaults with other seeds for the noise floor"
        + (f"; overrides: {', '.join(f'`{o}`' for o in overrides)}" if overrides else "")
        + "._", "",
        f"**The measure:** `{measure}` (mean over the runs {_g(r['mean'])}; sd over seeds "
        f"alone {_g(r['seed_sd'] or 0)}).", "",
        _assumption_range(r, len(plan.runs) - NOISE_RUNS), "",
        "mu* is the mean absolute change of the measure when "
        "one assumption moves by two thirds of its range; sigma, how much that change depends "
        f"on the other assumptions. The {min(TOP, len(rows))} largest:", "",
        table(["assumption", "mu* (95% interval)", "sigma", "distinguishable"],
              shown), "",
        f"{len(above)} of {len(params)} assumptions are distinguishable: their mu* is above "
        f"{_g(floor)}, the 95th percentile of mu* under the seed's own noise, and its interval "
        f"excludes 0" + (": " + ", ".join(f"`{x['parameter']}`" for x in above) if above else "")
        + (f". {len(unread)} never changed it (mu* exactly 0: not read in this scenario at "
           "this size).")
        + ("" if above else " At this size the seed's own noise is larger than any "
           "assumption's measured effect: the rows above are the largest effects seen, "
           "candidates to test with more users or seeds, not established ones."),
    ])
    if write:
        text = b.notes.read_text(encoding="utf-8")
        write_text_atomic(b.notes, replace_block(text, block, str(b.notes), BEGIN, END))
    return block
