"""Starting a simulation in a run folder, or going on with a stopped one: the checks before a
run (a stopped run's checkpoint is never silently thrown away; the memory check), then the run,
with a failed write (disk full, no permission) said plainly. ``diplosim run`` is this module's
caller; the engine (``engine.engine``) does the simulating.
"""

from __future__ import annotations

import errno
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from diplosim.errors import DiplosimError, printable
from diplosim.scenario import Scenario, load_scenario

if TYPE_CHECKING:  # the engine pulls Numba: imported when a run starts
    from diplosim.engine.engine import Progress, RunResult

__all__ = ["RunPlan", "checkpoint_days", "plan_run", "start_run", "write_failure"]


@dataclass
class RunPlan:
    """A run about to start (``scenario`` given) or to go on (``scenario`` None) in ``folder``,
    ``days`` long, with a checkpoint every ``checkpoint_every`` days (None: no checkpoints)."""

    folder: Path
    scenario: Scenario | None
    checkpoint_every: int | None
    days: int
    #: Write into a ``--out`` folder diplosim did not make (``store.folders.claim_folder``).
    force: bool = False


def checkpoint_days(text: str) -> int:
    """``--checkpoint-every``: ``1d``, ``2d``, ... (or whole days in hours: ``48h``)."""
    m = re.fullmatch(r"\s*(\d+)\s*([dh])\s*", text.lower())
    if m is None or int(m.group(1)) == 0 or (m.group(2) == "h" and int(m.group(1)) % 24):
        raise DiplosimError(f"--checkpoint-every: expected whole days such as 1d or 2d (a "
                            f"checkpoint falls at a day's end), got {printable(text)!r}")
    return int(m.group(1)) // (24 if m.group(2) == "h" else 1)


def plan_run(scenario: Path | None, overrides: list[str], variant: str | None = None,
             out: Path | None = None, checkpoint_every: str | None = None,
             resume: Path | None = None, restart: bool = False,
             force: bool = False) -> RunPlan:
    """Check what ``diplosim run`` was given and refuse, before anything runs, a scenario that
    does not load, a folder holding a stopped run (unless ``restart``) and, unless ``force``,
    an output folder diplosim did not make (or of another kind) and a run that would not fit
    in memory. With ``resume`` (a stopped run's folder) nothing else may be given: the folder
    holds it."""
    from diplosim.engine.limits import check_memory
    from diplosim.store.folders import check_folder

    if resume is not None:
        if scenario is not None or overrides or variant or checkpoint_every or out:
            raise DiplosimError("--resume RUN takes no scenario, --set, --variant, "
                                "--checkpoint-every or --out: the run folder holds them")
        return RunPlan(resume, None, None, stopped_days(resume))
    if scenario is None:
        raise DiplosimError("run: give a scenario file (or --resume RUN)")
    s = load_scenario(scenario, overrides, variant)
    folder = out or Path("out") / s.name
    every = checkpoint_days(checkpoint_every) if checkpoint_every is not None else None
    if not restart:
        refuse_stopped(folder)
    check_folder(folder, "run", "--out", force)
    if not force:
        check_memory(s, scenario)
    return RunPlan(folder, s, every, s.duration_days, force)


def start_run(plan: RunPlan, progress: Progress | None = None) -> RunResult:
    """Run (or resume) ``plan``; a write that fails becomes a ``DiplosimError`` saying what
    failed, that the run stopped incomplete and how to go on."""
    from diplosim.engine.engine import resume, simulate
    from diplosim.store.folders import claim_folder

    try:
        if plan.scenario is None:
            return resume(plan.folder, progress=progress)
        claim_folder(plan.folder, "run", "--out", plan.force)
        return simulate(plan.scenario, plan.folder, progress=progress,
                        checkpoint_every=plan.checkpoint_every)
    except OSError as e:
        raise DiplosimError(write_failure(e, plan.folder, plan.checkpoint_every)) from None


def refuse_stopped(folder: Path) -> None:
    """A new run must not silently throw away a stopped run's checkpoint (hours of work), even
    one that would not resume as it stands (its files changed): the user decides."""
    from diplosim.engine.checkpoint import POINTER
    from diplosim.store.writer import STAGE, read_manifest

    pointer = read_manifest(folder / STAGE / POINTER)
    if isinstance(pointer, dict) and type(pointer.get("tick")) is int:
        day = int(pointer.get("tick", 0)) // 24
        raise DiplosimError(f"{folder}: holds a run stopped after day {day} of "
                            f"{stopped_days(folder)}, with a checkpoint; go on with `diplosim "
                            f"run --resume {folder}`, or start again with --restart (the "
                            f"checkpoint is discarded)")


def stopped_days(folder: Path) -> int:
    """The days a stopped run in ``folder`` was asked for (1 when unknown)."""
    from diplosim.store.writer import STAGE, read_manifest

    m = read_manifest(folder / STAGE / "manifest.json") or {}
    return int((m.get("scenario") or {}).get("duration_days") or 1)


_REASONS = {errno.ENOSPC: "the disk is full", errno.EFBIG: "a file grew past the size limit",
            errno.EDQUOT: "the disk quota is used up", errno.EACCES: "permission denied",
            errno.EROFS: "the file system is read-only"}


def write_failure(e: OSError, folder: Path, every: int | None) -> str:
    """A write that failed (disk full, file too large, no permission), said plainly."""
    code = e.errno
    if code is None:  # Arrow's errors carry the number in their text
        m = re.search(r"errno\s*(\d+)", str(e), re.IGNORECASE)
        code = int(m.group(1)) if m else None
    what = _REASONS.get(code) or printable(e.strerror or str(e))
    where = printable(str(e.filename)) if e.filename else str(folder)
    again = (f"free space, then go on with `diplosim run --resume {folder}`" if every
             else "free space, then run it again (add --checkpoint-every 1d to be able to "
                  "resume)")
    return (f"{where}: cannot write ({what}). The run in {folder} stopped and is marked "
            f"incomplete; outputs written before it are untouched. {again}")
