"""Checks outside the runs: does a public move the way the next real poll moved?

Two built-in scenarios end before a poll their starting polls did not know: Quinnipiac's US poll
published 16 November 2023 (after ``israel_palestine_narratives``' start; all voters, and those
aged 18-34, whose shift was the largest) and KIIS's May 2022
poll of Ukrainians' view of Russia (after ``ukraine_2022``'s). Nothing was fitted to them. The
rule, written before any run was scored: over the scenario's seeds (its ``make scenarios``
runs), the change's 95% interval (Student's t) on the poll's side of zero is *reproduced*, on
the other side *the opposite*, across zero *not distinguishable*. Only the direction is
compared: the runs are two to four weeks, the polls a month to three months apart.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from diplosim.analysis.measures import attitude
from diplosim.analysis.opinion import opinion_by_age
from diplosim.analysis.run import Run, load_run
from diplosim.analysis.uncertainty import estimate
from diplosim.store.sweeps import BASE, VARIANT, load_sweep
from diplosim.store.writer import write_text_atomic
from diplosim.studies.blocks import DIRECTIONS_MARKERS, replace_block
from diplosim.studies.figures import REPRODUCED, verdict

__all__ = ["CHECKS", "Check", "Direction", "directions", "directions_markdown",
           "favourability_change", "stance_change", "stance_change_by_age", "write_directions"]



def stance_change(run: Run, issue: str, country: str) -> float | None:
    """The change of ``country``'s users' mean stance on ``issue`` over the run."""
    start = attitude(run, "stance", issue, "first", [country])["mean"]
    end = attitude(run, "stance", issue, "last", [country])["mean"]
    return None if start is None or end is None else end - start


def stance_change_by_age(run: Run, issue: str, country: str,
                         ages: tuple[str, ...]) -> float | None:
    """The change of the mean stance on ``issue`` of ``country``'s users in the age groups
    ``ages`` over the run (the groups' changes weighted by their users)."""
    rows = [r for r in opinion_by_age(run) if r["kind"] == "stance" and r["subject"] == issue
            and r["country"] == country and r["age"] in ages]
    n = sum(r["n"] for r in rows)
    return sum(r["change"] * r["n"] for r in rows) / n if n else None


def favourability_change(run: Run, focal: str, country: str) -> float | None:
    """The change of ``country``'s users' mean favourability toward ``focal`` over the run."""
    start = attitude(run, "favourability", focal, "first", [country])["mean"]
    end = attitude(run, "favourability", focal, "last", [country])["mean"]
    return None if start is None or end is None else end - start


@dataclass(frozen=True)
class Check:
    id: str
    scenario: str
    poll: str          # what the next poll found
    source: str
    measure: str       # what the run's figure is
    expected: int      # +1 or -1: the sign of the poll's move on the run's scale
    value: Callable[[Run], float | None]


CHECKS = (
    Check("quinnipiac_us", "israel_palestine_narratives",
          "US voters' sympathies moved toward the Palestinians: Israelis 61% to 54%, "
          "Palestinians 13% to 24%",
          "Quinnipiac University, 12-16 October 2023 and the poll published 16 November 2023",
          "change in US users' mean stance on gaza_war (+1 pro-Palestine)", +1,
          lambda r: stance_change(r, "gaza_war", "US")),
    Check("quinnipiac_us_18_34", "israel_palestine_narratives",
          "US voters aged 18-34 moved furthest toward the Palestinians: Israelis 41% to 29%, "
          "Palestinians 26% to 52%",
          "Quinnipiac University, 12-16 October 2023 and the poll published 16 November 2023 "
          "(its 18-34 crosstabs)",
          "change in the mean stance on gaza_war of US users aged 18-34 (+1 pro-Palestine)", +1,
          lambda r: stance_change_by_age(r, "gaza_war", "US", ("18-24", "25-34"))),
    Check("kiis_ua_russia", "ukraine_2022",
          "Ukrainians' good attitude toward Russia fell from 34% to 2%",
          "KIIS, early February 2022 and 13-18 May 2022 (2,000 adults)",
          "change in Ukrainian users' mean favourability toward Russia", -1,
          lambda r: favourability_change(r, "RU", "UA")),
)


@dataclass(frozen=True)
class Direction:
    id: str
    scenario: str
    poll: str
    source: str
    measure: str
    expected: int
    values: list[float]
    mean: float
    low: float
    high: float
    verdict: str


def directions(out: Path, scenarios: list[str] | None = None) -> list[Direction]:
    """Every check whose scenario has finished runs in ``out/NAME`` (``make scenarios``'s
    folder), scored on its base runs' seeds."""
    rows = []
    for c in CHECKS:
        if scenarios is not None and c.scenario not in scenarios:
            continue
        folder = out / c.scenario
        if not (folder / "sweep.json").is_file():
            continue
        sweep = load_sweep(folder)
        values = [c.value(load_run(sweep.run_folder(r))) for r in sweep.runs
                  if r["values"][VARIANT] == BASE]
        xs = [v for v in values if v is not None]
        if len(xs) < 2:
            continue
        e = estimate(xs)
        rows.append(Direction(c.id, c.scenario, c.poll, c.source, c.measure, c.expected, xs,
                              e.mean, e.low, e.high, verdict(e.low, e.high, c.expected)))
    return rows


def directions_markdown(rows: list[Direction]) -> str:
    lines = ["Generated by `make scenarios` from each scenario's base runs (its seeds; mean and "
             "95% interval). The rule, written before any run was scored: the interval on the "
             "poll's side of zero is *reproduced*, on the other side *the opposite*, across "
             "zero *not distinguishable*.", "",
             "| check | the next poll | the run's figure | over the run | result | source |",
             "| --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        side = "up" if r.expected > 0 else "down"
        lines.append(f"| `{r.scenario}` | {r.poll} ({side}) | {r.measure} | {r.mean:+.4f} "
                     f"({r.low:+.4f} to {r.high:+.4f}), {len(r.values)} seeds | "
                     f"{r.verdict if r.verdict == REPRODUCED else '**' + r.verdict + '**'} | "
                     f"{r.source} |")
    return "\n".join(lines)


def write_directions(out: Path, page: Path, json_file: Path | None = None) -> list[Direction]:
    """Score every check that has runs and write the table between the directions markers of
    ``page`` (and the rows to ``json_file``); a check without runs keeps nothing stale: the
    table is written from the checks scored now only when every check could be scored."""
    rows = directions(out)
    if len(rows) != len(CHECKS):
        return rows
    text = page.read_text(encoding="utf-8")
    write_text_atomic(page, replace_block(text, directions_markdown(rows), str(page),
                                          *DIRECTIONS_MARKERS))
    if json_file is not None:
        write_text_atomic(json_file, json.dumps([asdict(r) for r in rows], indent=1) + "\n")
    return rows
