"""Runs and sweeps side by side, with their uncertainty: each column is a set of replicates (a
sweep's combination, or one run folder), each cell the mean of the headline metric over its
seeds with its 95% interval, and each column after the first its difference from the first,
paired by seed when both hold the same seeds (Welch's interval otherwise), with whether the
difference is distinguishable from zero.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from diplosim.analysis.compare import compare, run_labels
from diplosim.analysis.uncertainty import Difference, Estimate, difference, estimate
from diplosim.errors import DiplosimError

__all__ = ["Column", "ReplicatedComparison", "as_json", "columns_of", "compare_replicated",
           "is_sweep"]


def is_sweep(path: Path) -> bool:
    return (Path(path) / "sweep.json").exists()


@dataclass
class Column:
    """A set of replicates: its label and its run folders by seed."""

    label: str
    runs: dict[int, Path]


def _value(v: object) -> str:
    return json.dumps(v) if not isinstance(v, str) else v


def columns_of(paths: list[Path]) -> list[Column]:
    """One column per run folder, and one per combination of each sweep folder (its complete
    runs)."""
    from diplosim.analysis.run import load_run
    from diplosim.store.sweeps import is_complete, load_sweep

    names = run_labels(paths)
    cols = []
    for name, p in zip(names, paths, strict=True):
        if is_sweep(p):
            sweep = load_sweep(p)
            keys = [k for k, _ in sweep.plan["vary"]]
            by_c: dict[int, Column] = {}
            for r in sweep.runs:
                folder = sweep.run_folder(r)
                if not is_complete(folder):
                    continue
                values = ", ".join(f"{k}={_value(r['values'][k])}" for k in keys)
                label = values if len(paths) == 1 else f"{name}[{values}]"
                by_c.setdefault(r["combination"], Column(label, {})).runs[r["seed"]] = folder
            if not by_c:
                raise DiplosimError(f"{p}: this sweep has no complete run yet")
            cols += [by_c[c] for c in sorted(by_c)]
        else:
            seed = (load_run(p).manifest.get("scenario") or {}).get("seed", 0)
            cols.append(Column(name, {int(seed): p}))
    return cols


@dataclass
class ReplicatedComparison:
    """Labels of the columns, of the difference columns, and one row per metric: ``group``,
    ``metric``, an ``Estimate`` per column and a ``Difference`` per difference column."""

    labels: list[str]
    differences: list[str]
    rows: list[dict]


def _numeric(v: object) -> float | None:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    return float(v)


def compare_replicated(paths: list[str | Path]) -> ReplicatedComparison:
    cols = columns_of([Path(p) for p in paths])
    if len(cols) < 2:
        raise DiplosimError("compare: give at least two runs, or a sweep with two combinations")
    metrics: list[dict[int, dict[tuple[str, str], float | None]]] = []
    order: dict[tuple[str, str], None] = {}
    for col in cols:
        by_seed = {}
        for seed, folder in sorted(col.runs.items()):
            c = compare([folder])
            by_seed[seed] = {(r["group"], r["metric"]): _numeric(r[c.labels[0]])
                             for r in c.rows if r["group"] != "setup"}
            order.update(dict.fromkeys(by_seed[seed]))
        metrics.append(by_seed)
    first = cols[0]
    diffs = [f"{c.label} − {first.label}" for c in cols[1:]]
    rows = []
    for key in order:
        row: dict = {"group": key[0], "metric": key[1]}
        values = [[m.get(key) for m in by_seed.values()] for by_seed in metrics]
        if all(v is None for vs in values for v in vs):
            continue
        for col, vs in zip(cols, values, strict=True):
            row[col.label] = estimate(vs)
        base = metrics[0]
        for label, by_seed in zip(diffs, metrics[1:], strict=True):
            paired = set(by_seed) == set(base) and len(base) > 1
            if paired:
                seeds = sorted(base)
                row[label] = difference([by_seed[s].get(key) for s in seeds],
                                        [base[s].get(key) for s in seeds])
            else:
                row[label] = difference([m.get(key) for m in by_seed.values()],
                                        [m.get(key) for m in base.values()], paired=False)
        rows.append(row)
    return ReplicatedComparison([c.label for c in cols], diffs, rows)


def as_json(c: ReplicatedComparison) -> dict:
    """The comparison as plain JSON values."""
    def num(x: float) -> float | None:
        return None if math.isnan(x) else x

    def enc(v: object) -> object:
        if isinstance(v, Estimate):
            return {"mean": num(v.mean), "low": num(v.low), "high": num(v.high), "n": v.n}
        if isinstance(v, Difference):
            return {"mean": num(v.mean), "low": num(v.low), "high": num(v.high), "n": v.n,
                    "paired": v.paired, "distinguishable": v.distinguishable}
        return v

    return {"columns": c.labels, "differences": c.differences,
            "rows": [{k: enc(v) for k, v in r.items()} for r in c.rows]}
