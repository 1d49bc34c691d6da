"""Run the built-in scenarios and write each one's headline result into its ``.md``.

``make scenarios`` (``python -m diplosim.report.builtin``) runs every scenario and each of its
declared variants with several seeds (8 unless the scenario or ``--replicates`` says otherwise)
through the sweep machinery (a local Ray, or serially with ``--serial``), measures the figures
its question needs in each replicate (``diplosim.report.headlines``), and replaces the block
between ``<!-- result:begin -->`` and ``<!-- result:end -->`` in ``scenarios/NAME.md`` with
every figure's mean and 95% interval and every comparison's paired difference. Nothing in that
block is typed by hand.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

from diplosim import __version__
from diplosim.analysis.run import load_run
from diplosim.distributed.sweep import VARIANT, Sweep, plan_sweep, run_sweep
from diplosim.engine.engine import scenario_hash
from diplosim.errors import DiplosimError
from diplosim.report.actors_reach import actors_reach
from diplosim.report.figures import Figures, combine
from diplosim.report.headlines import BASE, HEADLINES
from diplosim.scenario.builtin import BuiltIn, builtin, builtin_scenarios
from diplosim.scenario.loader import load_scenario, read_scenario_text
from diplosim.scenario.schema import Scenario
from diplosim.store.writer import write_text_atomic

__all__ = ["BEGIN", "DEFAULT_REPLICATES", "END", "HEADLINES", "REPLICATES", "generate",
           "replace_block", "run_replicates"]

BEGIN, END = "<!-- result:begin -->", "<!-- result:end -->"
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


def plan_afresh(plan: Callable[[], Sweep], plan_file: Path, say: Callable[[str], None],
                held: str) -> Sweep:
    """``plan()``; when the folder holds a plan of an earlier version of the scenario (or of
    the parameter table), which answers another question, the folder (this command's own) is
    removed, with a message, and planned again."""
    try:
        return plan()
    except DiplosimError:
        if not plan_file.is_file():
            raise
        say(f"{plan_file.parent.name}: {plan_file.parent} "
            f"holds {held}; starting again")
        shutil.rmtree(plan_file.parent)
        return plan()


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


def fingerprint(scenario: Scenario) -> str:
    """The first 12 hex digits of the scenario's hash (the one each run's manifest records)."""
    return scenario_hash(scenario)[:12]


def replace_block(text: str, block: str, where: str, begin: str = BEGIN, end: str = END) -> str:
    """``text`` with the part between the markers (the result's, by default) replaced by
    ``block``."""
    if text.count(begin) != 1 or text.count(end) != 1 or text.index(begin) > text.index(end):
        raise DiplosimError(f"{where}: expected one '{begin}' line followed by one '{end}' line")
    head, rest = text.split(begin)
    _, tail = rest.split(end)
    return f"{head}{begin}\n{block.strip()}\n{end}{tail}"


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m diplosim.report.builtin",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="scenarios (default: all built-in cases)")
    parser.add_argument("--out", type=Path, default=Path("out/scenarios"))
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="KEY.PATH=VALUE", help="applied to every run (for quick checks; "
                        "the .md then names it)")
    parser.add_argument("--print", dest="print_only", action="store_true",
                        help="print the blocks instead of writing the .md files")
    parser.add_argument("--replicates", type=int, default=None,
                        help=f"seeds per run (default {DEFAULT_REPLICATES}, or the scenario's)")
    parser.add_argument("--serial", action="store_true", help="run without Ray")
    parser.add_argument("--screening", action="store_true",
                        help="write each scenario's Morris screening of its assumptions "
                        "instead of its replicated result")
    parser.add_argument("--ray-address", default=None, help="a Ray cluster (default: local)")
    args = parser.parse_args(argv)
    if args.replicates is not None and args.replicates < 1:
        parser.error("--replicates: expected 1 or more")
    try:
        cases = [builtin(n) for n in args.names] if args.names else builtin_scenarios()
        if not args.serial:
            _start_ray(args.ray_address)
        for b in cases:
            if args.screening:
                from diplosim.report.screening import screen

                block = screen(b, args.out, args.overrides, write=not args.print_only,
                               say=lambda m: print(m, file=sys.stderr),
                               use_ray=not args.serial, address=args.ray_address)
            else:
                block = generate(b, args.out, args.overrides, write=not args.print_only,
                                 say=lambda m: print(m, file=sys.stderr),
                                 replicates=args.replicates, use_ray=not args.serial,
                                 address=args.ray_address)
            if args.print_only:
                print(f"## {b.name}\n\n{block}\n")
            else:
                print(f"wrote {b.notes}", file=sys.stderr)
    except DiplosimError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    finally:
        if not args.serial:
            _stop_ray()
    return 0


def _start_ray(address: str | None) -> None:
    """One Ray for every scenario (each sweep would otherwise start and stop its own)."""
    import ray

    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False,
                 logging_level="ERROR", runtime_env={"env_vars": {"NUMBA_NUM_THREADS": "1"}})


def _stop_ray() -> None:
    import ray

    if ray.is_initialized():
        ray.shutdown()


if __name__ == "__main__":
    raise SystemExit(main())
