"""``diplosim compare``: runs side by side, or sweeps with their intervals, each column's
difference from a baseline column with Holm's correction stated beside the verdicts, a
factorial sweep's main effects and interactions, any named measure as a row, and the table as
JSON or CSV."""

from __future__ import annotations

import csv
import json
import math
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from diplosim.cli.options import ForceOption, out_path
from diplosim.cli.terminal import err, out
from diplosim.errors import DiplosimError, printable

__all__ = ["compare"]


class CompareFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def compare(
    run_dirs: Annotated[list[Path], typer.Argument(help="Two or more run folders, or sweep "
                                                   "folders (each combination a column).",
                                                   show_default=False)],
    out_file: Annotated[Path | None, typer.Option(
        "--out", callback=out_path, help="Also write the comparison as a self-contained HTML "
        "file.")] = None,
    format: Annotated[CompareFormat, typer.Option(
        "--format", help="table, json, or csv (one row per cell: column, mean, interval, p, "
        "Holm's p).")] = CompareFormat.table,
    baseline: Annotated[str | None, typer.Option(
        "--baseline", help="With sweeps: the column differences are taken from (its label, "
        "or a part of it only one label has; default the first).")] = None,
    measure: Annotated[list[str] | None, typer.Option(
        "--measure", metavar="NAME[:ARG...]", help="With sweeps: also compare a named measure "
        "(repeatable), e.g. impressions:ACTOR or favourability_change:JP:BR.")] = None,
    force: ForceOption = False,
) -> None:
    """Put runs side by side: what differs in their setup, then the headline metrics. With sweep
    folders, each combination is a column: every metric's (and each --measure's) mean over its
    seeds with its 95% interval, each column's difference from the --baseline column (paired by
    seed) with whether it is distinguishable from zero, before and after Holm's correction over
    all the table's differences; a sweep of two or more fields with every combination also
    gets its main effects and interactions."""
    from diplosim.analysis.replicated import is_sweep
    from diplosim.store.folders import check_output_file

    if out_file is not None:  # before the comparison: an input is never replaced
        check_output_file(out_file, "html", run_dirs, "--out", force)
    replicated = any(is_sweep(p) for p in run_dirs)
    if not replicated and (baseline or measure):
        raise DiplosimError("compare: --baseline and --measure need sweep folders (runs with "
                            "seeds to take intervals over)")
    if replicated:
        _compare_replicated(run_dirs, format, baseline, measure or [])
    else:
        _compare_runs(run_dirs, format)
    if out_file is not None:
        from diplosim.report import write_comparison

        with err.status("writing the comparison", spinner="dots"):
            path = write_comparison(run_dirs, out_file, force, baseline, measure or [])
        (err if format is not CompareFormat.table else out).print(f"comparison: {path}",
                                                                   markup=False)


def _compare_runs(paths: list[Path], format: CompareFormat) -> None:
    from diplosim.analysis.compare import compare_runs
    from diplosim.report.html import cell  # the HTML comparison's formatting, in the terminal

    if len(paths) < 2:
        raise DiplosimError("compare: give at least two run folders")
    labels, rows = compare_runs(paths)
    if format is CompareFormat.json:
        sys.stdout.write(json.dumps({"runs": labels, "rows": rows}) + "\n")
        return
    if format is CompareFormat.csv:
        w = csv.writer(sys.stdout)
        w.writerow(["group", "metric", *labels])
        w.writerows([r["group"], r["metric"], *[r[k] for k in labels]] for r in rows)
        return
    t = _table(["group", "metric", *labels], "Runs side by side")
    for r in rows:
        t.add_row(r["group"], printable(r["metric"]), *[printable(cell(r[k])) for k in labels])
    out.print(t)


def _table(headers: list[str], title: str) -> Table:
    """A table that wraps long labels and cells instead of cutting them."""
    t = Table(title=title, title_justify="left")
    for h in headers:
        t.add_column(printable(h), overflow="fold")
    return t


def _cell(v) -> str:
    from diplosim.report.compare import interval_cell

    return printable(interval_cell(v))


def _csv_rows(c) -> list[dict]:
    from diplosim.analysis.uncertainty import Difference

    def num(x: float) -> float | None:
        return None if x is None or math.isnan(x) else x

    rows = []
    for r in c.rows:
        for k in c.labels + c.differences:
            v = r.get(k)
            if v is None:
                continue
            diff = isinstance(v, Difference)
            rows.append({"group": r["group"], "metric": r["metric"], "column": k,
                         "kind": "difference" if diff else "estimate", "mean": num(v.mean),
                         "low": num(v.low), "high": num(v.high), "n": v.n,
                         "p": num(v.p) if diff else None, "p_holm": num(v.holm) if diff else None,
                         "distinguishable": v.distinguishable if diff else None,
                         "distinguishable_after_holm":
                             v.distinguishable_after_holm if diff else None})
    for e in c.effects or []:
        v = e["value"]
        rows.append({"group": e["group"], "metric": e["metric"],
                     "column": f"{e['kind']} effect: {e['effect']}", "kind": e["kind"],
                     "mean": num(v.mean), "low": num(v.low), "high": num(v.high), "n": v.n,
                     "p": num(v.p), "p_holm": num(v.holm),
                     "distinguishable": v.distinguishable,
                     "distinguishable_after_holm": v.distinguishable_after_holm})
    return rows


def _compare_replicated(paths: list[Path], format: CompareFormat, baseline: str | None,
                        measures: list[str]) -> None:
    from diplosim.analysis.replicated import as_json, compare_replicated

    with err.status("measuring every run", spinner="dots"):
        c = compare_replicated(paths, baseline, measures)
    if format is CompareFormat.json:
        sys.stdout.write(json.dumps(as_json(c)) + "\n")
        return
    if format is CompareFormat.csv:
        rows = _csv_rows(c)
        w = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["group"])
        w.writeheader()
        w.writerows(rows)
        return
    t = _table(["group", "metric", *c.labels, *c.differences],
               f"Mean and 95% interval over each column's seeds; differences from "
               f"{c.baseline} (paired by seed)")
    for r in c.rows:
        t.add_row(r["group"], printable(r["metric"]), *[_cell(r.get(k)) for k in
                                                         c.labels + c.differences])
    out.print(t)
    out.print(_holm_line(c), markup=False)
    if c.effects:
        e = _table(["group", "metric", "kind", "effect", "estimate (95% interval)"],
                   "Main effects (a level against the baseline's, averaged over the other "
                   "fields) and interactions (difference of differences), paired by seed")
        for row in c.effects:
            e.add_row(row["group"], printable(row["metric"]), row["kind"],
                      printable(row["effect"]), _cell(row["value"]))
        out.print(e)


def _holm_line(c) -> str:
    n, raw, held = c.verdicts()
    return (f"{n:,} differences compared: {raw:,} distinguishable at 95% one by one, "
            f"{held:,} after Holm's correction for the {n:,} comparisons (the chance of any "
            "false verdict among them held to 5%). With few seeds, quote the corrected "
            "verdict; a difference that is distinguishable only one by one may vanish with "
            "more seeds.")
