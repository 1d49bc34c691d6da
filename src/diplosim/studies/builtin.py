"""Run the built-in scenarios and write each one's headline result into its ``.md``.

``make scenarios`` (``diplosim studies``) runs every scenario and each of its
declared variants with several seeds (8 unless the scenario or ``--replicates`` says otherwise)
through the sweep machinery (a local Ray, or serially with ``--serial``), measures the figures
its question needs in each replicate (``diplosim.studies.headlines``), and replaces the block
between ``<!-- result:begin -->`` and ``<!-- result:end -->`` in ``scenarios/NAME.md`` with
every figure's mean and 95% interval and every comparison's paired difference. Nothing in that
block is typed by hand.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from diplosim._version import __version__
from diplosim.analysis.run import load_run
from diplosim.distributed.sweep import run_sweep
from diplosim.errors import DiplosimError
from diplosim.scenario.builtin import BuiltIn
from diplosim.scenario.loader import load_scenario, read_scenario_text
from diplosim.scenario.sweeps import plan_sweep
from diplosim.store.sweeps import VARIANT, Sweep
from diplosim.store.writer import write_text_atomic
from diplosim.studies.actors_reach import actors_reach
from diplosim.studies.blocks import RESULT_MARKERS, fingerprint, plan_afresh, replace_block
from diplosim.studies.figures import Figures, combine
from diplosim.studies.headlines import BASE, HEADLINES

__all__ = ["BEGIN", "DEFAULT_REPLICATES", "END", "HEADLINES", "REPLICATES", "generate",
           "replace_block", "run_replicates"]

BEGIN, END = RESULT_MARKERS
#: Seeds per variant unless a scenario says otherwise (issue 29: eight by default).
DEFAULT_REPLICATES = 8
#: Scenarios that need another number of seeds (none today).
REPLICATES: dict[str, int] = {}


# -- running and writing -------------------------------------------------------------------

def run_replicates(b: BuiltIn, out: Path, replicates: int,
                   overrides: list[str] | None = None, use_ray: bool = True,
                   address: str | None = None, say: Callable[[str], None] = print) -> Sweep:
    """Run the scenario and each declared variant with seeds SEED .. SEED + replicates - 1 into
    the sweep folder ``out/NAME`` (runs already complete are kept); returns the sweep."""
    labels = [BASE] + [v.id for v in b.scenario.variants]
    sweep = plan_afresh(lambda: plan_sweep(read_scenario_text(b.path), b.path.name,
                                           [(VARIANT, labels)], replicates, out / b.name,
                                           overrides),
                        out / b.name / "sweep.json", say, "runs of an earlier version")
    started = time.perf_counter()
    counts = run_sweep(sweep, address, use_ray=use_ray, combined=False)
    say(f"{b.name}: {len(labels)} runs x {replicates} seeds ({counts['ran']} run now, "
        f"{counts['skipped']} already complete) in {time.perf_counter() - started:.1f} s "
        f"-> {out / b.name}")
    return sweep


def measure_replicates(b: BuiltIn, sweep: Sweep) -> str:
    """The headline written once per replicate, combined into figures with intervals."""
    by_seed: dict[int, dict[str, Path]] = {}
    for r in sweep.runs:
        by_seed.setdefault(r["replicate"], {})[r["values"][VARIANT]] = sweep.run_folder(r)
    texts, figures = [], []
    for _, folders in sorted(by_seed.items()):
        f = Figures()
        runs = {k: load_run(p) for k, p in folders.items()}
        reach = actors_reach(runs[BASE], f)
        texts.append(HEADLINES[b.name](runs, f) + (f"\n\n{reach}" if reach else ""))
        figures.append(f)
    return combine(texts, figures)


def generate(b: BuiltIn, out: Path, overrides: list[str] | None = None, write: bool = True,
             say: Callable[[str], None] = print, replicates: int | None = None,
             use_ray: bool = True, address: str | None = None) -> str:
    """Run ``b`` and its variants with their replicates, measure its headline, write it into
    ``b.notes``; returns the block."""
    if b.name not in HEADLINES:
        raise DiplosimError(f"{b.name}: no headline measure is defined for this scenario")
    n = replicates or REPLICATES.get(b.name, DEFAULT_REPLICATES)
    sweep = run_replicates(b, out, n, overrides, use_ray, address, say)
    s = load_scenario(b.path, overrides)
    labels = [BASE] + [v.id for v in b.scenario.variants]
    seeds = f"seed {s.seed}" if n == 1 else f"seeds {s.seed} to {s.seed + n - 1}"
    setup = (f"Produced by `make scenarios` (diplosim {__version__}) from scenario "
             f"{fingerprint(s)}: {s.world.users:,} users, {s.duration_days} days; runs: "
             + ", ".join(f"`{label}`" for label in labels)
             + f", each with {seeds}"
             + (f"; overrides: {', '.join(f'`{o}`' for o in overrides)}" if overrides else "")
             + ". Each figure is the mean over the seeds with its 95% interval (Student's t; "
             "a figure without one was the same in every seed). "
             "A difference between runs is computed seed by seed (the variants share their "
             "seeds), a change in percent is that difference over the reference's mean, and "
             "either is distinguishable from zero when its 95% interval excludes zero.")
    block = f"_{setup}_\n\n{measure_replicates(b, sweep)}"
    if write:
        text = b.notes.read_text(encoding="utf-8")
        write_text_atomic(b.notes, replace_block(text, block, str(b.notes)))
    return block
