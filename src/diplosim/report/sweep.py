"""The HTML report of a sweep: each headline metric against the first varied parameter, one line
per combination of the others, with the replicates' 95% intervals as error bars."""

from __future__ import annotations

import json
import math
from pathlib import Path

import plotly.graph_objects as go
import pyarrow.parquet as pq

from diplosim.analysis.sweeps import combine
from diplosim.report.html import render_page
from diplosim.report.sections import PALETTE, Section, Table
from diplosim.store.sweeps import load_sweep

__all__ = ["events_section", "runs_section", "sweep_page"]

#: The metrics drawn (others are in the table): (group, metric) prefixes.
_DRAWN = (("run", "impressions per user per day"), ("run", "engagement per view"),
          ("actor impressions", ""), ("actor platform views", ""),
          ("favourability change", ""), ("narrative", ""), ("belief", ""),
          ("cascades", "largest"))


def sweep_page(folder: Path) -> str:
    sweep = load_sweep(folder)
    path = folder / "sweep.parquet"
    if not path.exists():
        combine(sweep)
    rows = pq.read_table(path).to_pylist()
    keys = [k for k, _ in sweep.plan["vary"]]
    x_key, others = keys[0], keys[1:]
    order = {str(v): i for i, v in enumerate(sweep.plan["vary"][0][1])}
    sections = []
    metrics = sorted({(r["group"], r["metric"]) for r in rows})
    for group, metric in metrics:
        if not any(group == g and metric.startswith(m) for g, m in _DRAWN):
            continue
        sel = [r for r in rows if r["group"] == group and r["metric"] == metric]
        fig = go.Figure()
        lines: dict[str, list[dict]] = {}
        for r in sel:
            label = ", ".join(f"{k}={r[k]}" for k in others) or "mean"
            lines.setdefault(label, []).append(r)
        for j, (label, pts) in enumerate(sorted(lines.items())):
            pts.sort(key=lambda r: order.get(r[x_key], 0))
            up = [0.0 if math.isnan(r["ci95_high"]) else r["ci95_high"] - r["mean"] for r in pts]
            down = [0.0 if math.isnan(r["ci95_low"]) else r["mean"] - r["ci95_low"] for r in pts]
            fig.add_scatter(x=[r[x_key] for r in pts], y=[r["mean"] for r in pts], name=label,
                            mode="lines+markers", line_color=PALETTE[j % len(PALETTE)],
                            error_y={"type": "data", "array": up, "arrayminus": down,
                                     "visible": True})
        fig.update_layout(height=360, xaxis_title=x_key, yaxis_title=metric, showlegend=True)
        sec = Section(f"m{len(sections)}", f"{group}: {metric}", intro="Mean of the "
                      f"replicates with its 95% interval, against {x_key}.", figure=fig)
        sections.append(sec)
    table = Table("Every metric, per combination (mean and 95% interval)",
                  [{**{k: r[k] for k in keys}, "group": r["group"], "metric": r["metric"],
                    "n": r["n"], "mean": r["mean"], "95% low": r["ci95_low"],
                    "95% high": r["ci95_high"]} for r in rows],
                  {"mean": "auto", "95% low": "auto", "95% high": "auto", "n": "int"})
    effects = events_section(sweep)
    if effects is not None:
        sections.append(effects)
    where = runs_section(folder)
    if where is not None:
        sections.append(where)
    runs = len(sweep.runs)
    vary = "; ".join(f"{k} = {', '.join(map(str, v))}" for k, v in sweep.plan["vary"])
    title = f"diplosim sweep: {sweep.plan['scenario_name']}"
    subtitle = f"{vary}; {sweep.plan['replicates']} replicates; {runs} runs"
    return render_page(title, subtitle, sections, table)


def runs_section(folder: Path) -> Section | None:
    """Where the runs ran, from ``runs.jsonl``: per host, the runs, their seconds and the most
    memory a run asked Ray for. Lines that cannot be read (a sweep killed mid-write) are
    counted, not fatal."""
    path = folder / "runs.jsonl"
    if not path.exists():
        return None
    hosts: dict[str, dict] = {}
    bad = 0
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            r = json.loads(line)
            host, seconds = str(r["host"]), float(r["seconds"])
            memory = r.get("memory_bytes")
            memory = float(memory) if memory is not None else None
        except (ValueError, TypeError, KeyError):
            bad += 1
            continue
        h = hosts.setdefault(host, {"host": host, "runs": 0, "seconds": 0.0,
                                    "longest run (s)": 0.0, "memory asked (GB)": None})
        h["runs"] += 1
        h["seconds"] += seconds
        h["longest run (s)"] = max(h["longest run (s)"], seconds)
        if memory is not None:
            h["memory asked (GB)"] = max(h["memory asked (GB)"] or 0.0, memory / 1e9)
    rows = sorted(hosts.values(), key=lambda h: h["host"])
    notes = [f"{bad} line{'s' if bad != 1 else ''} of runs.jsonl could not be read."] if bad \
        else []
    return Section("runs", "Where the runs ran",
                   intro="Runs done by this sweep, per host (from runs.jsonl; runs skipped as "
                   "already complete are not listed again). Memory is what a run asked Ray "
                   "for: its estimated peak.",
                   tables=[Table("Runs per host", rows,
                                 {"runs": "int", "seconds": "f1", "longest run (s)": "f1",
                                  "memory asked (GB)": "f3"})],
                   notes=notes)


def events_section(sweep) -> Section | None:
    """Each combination's events with their effects over its seeds (``analysis.events``): the
    change from the two days before to the two days from each event, with its 95% interval."""
    from diplosim.analysis.events import event_effects_over_seeds
    from diplosim.analysis.run import load_run
    from diplosim.store.sweeps import is_complete

    keys = [k for k, _ in sweep.plan["vary"]]
    by_c: dict[int, list] = {}
    values: dict[int, dict] = {}
    for r in sweep.runs:
        folder = sweep.run_folder(r)
        if is_complete(folder):
            run = load_run(folder)
            if run.has("events", "exposures", "posts"):
                by_c.setdefault(r["combination"], []).append(run)
                values[r["combination"]] = r["values"]
    rows = [{**{k: json.dumps(values[c][k]) if not isinstance(values[c][k], str)
                else values[c][k] for k in keys}, **e}
            for c in sorted(by_c) for e in event_effects_over_seeds(by_c[c])]
    if not rows:
        return None
    return Section("events", "Events and their effects, over the seeds", intro=(
        "Each event's measure as the mean daily value over the two days before it against the "
        "two days from it (as in a run's report), per combination: the change's mean over the "
        "seeds with its 95% interval, and whether that interval excludes 0."),
        tables=[Table("Event effects", rows, {"day": "int", "seeds": "int", "before": "num",
                                              "after": "num", "change": "num",
                                              "change_low": "num", "change_high": "num"})])
