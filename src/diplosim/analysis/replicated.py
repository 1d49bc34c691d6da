"""Runs and sweeps side by side, with their uncertainty: each column is a set of replicates (a
sweep's combination, or one run folder), each cell the mean of the headline metric over its
seeds with its 95% interval, and each column after the first its difference from the first,
paired by seed when both hold the same seeds (Welch's interval otherwise), with whether the
difference is distinguishable from zero.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from pathlib import Path

from diplosim.analysis.compare import compare, run_labels
from diplosim.analysis.uncertainty import Difference, Estimate, difference, estimate
from diplosim.errors import DiplosimError

__all__ = ["Column", "ReplicatedComparison", "as_json", "columns_of", "compare_replicated",
           "is_sweep", "pick_baseline"]


def is_sweep(path: Path) -> bool:
    return (Path(path) / "sweep.json").exists()


@dataclass
class Column:
    """A set of replicates: its label, its run folders by seed, and for a sweep's combination
    the value of each varied field."""

    label: str
    runs: dict[int, Path]
    values: dict[str, object] | None = None


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
                by_c.setdefault(r["combination"], Column(label, {}, {
                    k: r["values"][k] for k in keys})).runs[r["seed"]] = folder
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
    ``metric``, an ``Estimate`` per column and a ``Difference`` per difference column (each
    with Holm's p over all the table's differences); ``baseline`` the column the differences
    are taken from; ``effects`` the main effects and interactions of a factorial sweep
    (``analysis.factorial``; empty otherwise)."""

    labels: list[str]
    differences: list[str]
    rows: list[dict]
    baseline: str = ""
    effects: list[dict] | None = None

    def _compared(self) -> list[Difference]:
        return [r[k] for r in self.rows for k in self.differences
                if isinstance(r.get(k), Difference) and not math.isnan(r[k].p)]

    @property
    def comparisons(self) -> int:
        """How many differences Holm's correction was taken over."""
        return len(self._compared())

    def verdicts(self) -> tuple[int, int, int]:
        """(differences compared, distinguishable one by one, distinguishable after Holm)."""
        cells = self._compared()
        return (len(cells), sum(d.distinguishable for d in cells),
                sum(d.distinguishable_after_holm for d in cells))


def pick_baseline(labels: list[str], baseline: str | None) -> int:
    """The index of the baseline column: the first without ``baseline``, else the column whose
    label is ``baseline`` or the only one containing it; anything else is an error listing the
    columns."""
    if baseline is None:
        return 0
    exact = [i for i, label in enumerate(labels) if label == baseline]
    found = exact or [i for i, label in enumerate(labels) if baseline in label]
    if len(found) != 1:
        why = "matches no column" if not found else f"matches {len(found)} columns"
        raise DiplosimError(f"compare --baseline {baseline}: {why} (columns: "
                            f"{'; '.join(labels)})")
    return found[0]


def _measure_values(folder: Path, measures: list) -> dict[tuple[str, str], float | None]:
    from diplosim.analysis.run import load_run

    run = load_run(folder)
    return {("measure", m.__name__): m(run) for m in measures}


def _numeric(v: object) -> float | None:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    return float(v)


def compare_replicated(paths: list[str | Path], baseline: str | None = None,
                       measures: list[str] | None = None) -> ReplicatedComparison:
    """Every headline metric (and each named measure of ``measures``) per column, and each
    column's difference from the ``baseline`` column (``pick_baseline``), with Holm's
    correction over all the differences; a factorial sweep's main effects and interactions."""
    from diplosim.analysis.factorial import factorial_effects
    from diplosim.analysis.measures import parse_measure
    from diplosim.analysis.uncertainty import holm

    named = [parse_measure(m) for m in measures or []]  # a bad name fails before any read
    cols = columns_of([Path(p) for p in paths])
    if len(cols) < 2:
        raise DiplosimError("compare: give at least two runs, or a sweep with two combinations")
    b = pick_baseline([c.label for c in cols], baseline)
    cols = [cols[b], *cols[:b], *cols[b + 1:]]
    metrics: list[dict[int, dict[tuple[str, str], float | None]]] = []
    order: dict[tuple[str, str], None] = {}
    for col in cols:
        by_seed = {}
        for seed, folder in sorted(col.runs.items()):
            c = compare([folder])
            by_seed[seed] = {(r["group"], r["metric"]): _numeric(r[c.labels[0]])
                             for r in c.rows if r["group"] != "setup"}
            by_seed[seed].update(_measure_values(folder, named))
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
    cells = [(r, k) for r in rows for k in diffs if isinstance(r.get(k), Difference)]
    for (r, k), adjusted in zip(cells, holm([r[k].p for r, k in cells]), strict=True):
        r[k] = replace(r[k], holm=adjusted)
    return ReplicatedComparison([c.label for c in cols], diffs, rows, cols[0].label,
                                factorial_effects(cols, metrics, order))


def as_json(c: ReplicatedComparison) -> dict:
    """The comparison as plain JSON values."""
    def num(x: float) -> float | None:
        return None if math.isnan(x) else x

    def enc(v: object) -> object:
        if isinstance(v, Estimate):
            return {"mean": num(v.mean), "low": num(v.low), "high": num(v.high), "n": v.n}
        if isinstance(v, Difference):
            return {"mean": num(v.mean), "low": num(v.low), "high": num(v.high), "n": v.n,
                    "paired": v.paired, "distinguishable": v.distinguishable,
                    "p": num(v.p), "p_holm": num(v.holm),
                    "distinguishable_after_holm": v.distinguishable_after_holm}
        return v

    return {"columns": c.labels, "baseline": c.baseline, "differences": c.differences,
            "comparisons": c.comparisons,
            "rows": [{k: enc(v) for k, v in r.items()} for r in c.rows],
            "effects": [{k: enc(v) for k, v in r.items()} for r in c.effects or []]}
