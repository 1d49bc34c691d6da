"""A sweep's combined table: each combination's headline metrics over its replicates, with the
mean and 95% interval (``sweep.parquet``) and every run's value (``per_run.parquet``). Reads the
sweep folder through ``diplosim.store.sweeps``; nothing here runs anything."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from diplosim.analysis.uncertainty import estimate
from diplosim.store.sweeps import Sweep, format_value, is_complete

__all__ = ["combine"]


def _interval(values: list[float]) -> tuple[float, float, float]:
    e = estimate(values)
    return e.mean, e.low, e.high


def combine(sweep: Sweep) -> Path:
    """``sweep.parquet``: one row per combination and headline metric, with its replicates'
    mean and 95% interval (Student's t); ``per_run.parquet``: every run's value."""
    from diplosim.analysis.compare import compare_runs

    keys = [k for k, _ in sweep.plan["vary"]]
    per_run = []
    for r in sweep.runs:
        folder = sweep.run_folder(r)
        if not is_complete(folder):
            continue
        labels, rows = compare_runs([folder])
        for row in rows:
            value = row[labels[0]]
            if row["group"] == "setup" or not isinstance(value, int | float) or \
                    isinstance(value, bool):
                continue
            per_run.append({"combination": r["combination"], "replicate": r["replicate"],
                            "seed": r["seed"], **{k: format_value(r["values"][k]) for k in keys},
                            "group": row["group"], "metric": row["metric"],
                            "value": float(value)})
    groups: dict[tuple, list[float]] = {}
    for p in per_run:
        groups.setdefault((p["combination"], p["group"], p["metric"]), []).append(p["value"])
    values_of = {r["combination"]: r["values"] for r in sweep.runs}
    rows = []
    for (c, group, metric), values in sorted(groups.items()):
        mean, lo, hi = _interval(values)
        rows.append({"combination": c, **{k: format_value(values_of[c][k]) for k in keys},
                     "group": group, "metric": metric, "n": len(values), "mean": mean,
                     "ci95_low": lo, "ci95_high": hi})
    out = sweep.folder / "sweep.parquet"
    for path, data in ((out, rows), (sweep.folder / "per_run.parquet", per_run)):
        tmp = path.with_name(f".{path.name}.tmp")
        pq.write_table(pa.Table.from_pylist(data), tmp)
        os.replace(tmp, path)
    return out
