"""The generated blocks of the built-in scenarios' pages: their markers, replacing a block in a
page, the scenario's fingerprint a block names, and planning a study's folder afresh when it
holds runs of another version of the scenario. Nothing in a block is typed by hand."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from diplosim.engine.engine import scenario_hash
from diplosim.errors import DiplosimError
from diplosim.scenario.schema import Scenario
from diplosim.store.sweeps import Sweep

__all__ = ["ASSUMPTIONS_MARKERS", "DIRECTIONS_MARKERS", "EXPERIMENTS_MARKERS", "RESULT_MARKERS",
           "SIZES_MARKERS", "VALIDATION_MARKERS", "fingerprint", "plan_afresh", "replace_block"]

#: The markers of each kind of generated block: a scenario's replicated result
#: (``make scenarios``), its screening of assumptions (``make screening``), the validation
#: table and the table of the same figures at two world sizes (both ``make validate``).
RESULT_MARKERS = ("<!-- result:begin -->", "<!-- result:end -->")
ASSUMPTIONS_MARKERS = ("<!-- assumptions:begin -->", "<!-- assumptions:end -->")
VALIDATION_MARKERS = ("<!-- validation:begin -->", "<!-- validation:end -->")
SIZES_MARKERS = ("<!-- sizes:begin -->", "<!-- sizes:end -->")
EXPERIMENTS_MARKERS = ("<!-- experiments:begin -->", "<!-- experiments:end -->")
DIRECTIONS_MARKERS = ("<!-- directions:begin -->", "<!-- directions:end -->")


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


def fingerprint(scenario: Scenario) -> str:
    """The first 12 hex digits of the scenario's hash (the one each run's manifest records)."""
    return scenario_hash(scenario)[:12]


def replace_block(text: str, block: str, where: str, begin: str = RESULT_MARKERS[0],
                  end: str = RESULT_MARKERS[1]) -> str:
    """``text`` with the part between the markers (the result's, by default) replaced by
    ``block``."""
    if text.count(begin) != 1 or text.count(end) != 1 or text.index(begin) > text.index(end):
        raise DiplosimError(f"{where}: expected one '{begin}' line followed by one '{end}' line")
    head, rest = text.split(begin)
    _, tail = rest.split(end)
    return f"{head}{begin}\n{block.strip()}\n{end}{tail}"


