"""The built-in studies: each built-in scenario run with its variants and seeds and its headline
written into ``scenarios/NAME.md`` (``builtin``), the screening of its assumptions
(``screening``), its headline figures over them (``ranges``), the measures each headline needs
(``headlines``, ``figures``, ``actors_reach``), the generated blocks (``blocks``), the
validation suite (``validation``) and the check that the scenarios' figures agree at two world
sizes (``sizes``).

Studies sit at the top of the house: they run the engine (on Ray through
``diplosim.distributed``) and read runs through ``diplosim.analysis``; nothing below imports them.
The command line reaches them as ``diplosim studies`` and ``diplosim validate-model``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

__all__ = ["write_studies"]


def write_studies(names: list[str], out: Path, overrides: list[str] | None = None,
                  write: bool = True, replicates: int | None = None, serial: bool = False,
                  screening: bool = False, address: str | None = None,
                  say: Callable[[str], None] = print,
                  page: Path | None = None,
                  trajectories: int | None = None,
                  ranges: bool = False) -> Iterator[tuple[str, Path, str]]:
    """Run the named built-in scenarios (all when ``names`` is empty) and yield
    ``(name, notes file, block)`` for each, writing the block into the notes file unless
    ``write`` is false: the replicated result, or with ``screening`` the Morris screening of its
    assumptions. One Ray serves every scenario (none with ``serial``). With ``page`` (the
    validation page), the checks against the next real polls (``studies.directions``) are
    scored on the runs and written there once every scenario they need has runs.
    ``trajectories``: the screening's Morris trajectories (default ``SCREENING_TRAJECTORIES``).
    With ``ranges``: each scenario's headline figures over its assumptions (``studies.ranges``)
    instead."""
    from diplosim.distributed.sweep import start_ray, stop_ray
    from diplosim.errors import DiplosimError
    from diplosim.scenario.builtin import builtin, builtin_scenarios
    from diplosim.studies.builtin import generate
    from diplosim.studies.ranges import assumption_ranges
    from diplosim.studies.screening import SCREENING_TRAJECTORIES, screen

    if replicates is not None and replicates < 1:
        raise DiplosimError(f"--replicates {replicates}: expected 1 or more")
    if trajectories is not None and trajectories < 2:
        raise DiplosimError(f"--trajectories {trajectories}: expected 2 or more")
    cases = [builtin(n) for n in names] if names else builtin_scenarios()
    if not serial:
        start_ray(address)
    try:
        for b in cases:
            if ranges:
                block = assumption_ranges(b, out, overrides, write=write, say=say,
                                          use_ray=not serial, address=address)
            elif screening:
                block = screen(b, out, overrides, write=write, say=say, use_ray=not serial,
                               address=address,
                               trajectories=trajectories or SCREENING_TRAJECTORIES)
            else:
                block = generate(b, out, overrides, write=write, say=say, replicates=replicates,
                                 use_ray=not serial, address=address)
            yield b.name, b.notes, block
        if page is not None and write and not (screening or ranges):
            from diplosim.studies.directions import write_directions

            write_directions(out, page)
    finally:
        if not serial:
            stop_ray()
