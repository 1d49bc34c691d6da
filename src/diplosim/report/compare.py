"""The HTML comparison of several runs: what differs, the headline metrics side by side, and
each run's curves overlaid."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from diplosim.analysis.cascades import cascades
from diplosim.analysis.compare import compare_runs, compare_series
from diplosim.analysis.run import load_run
from diplosim.report.html import render_page
from diplosim.report.sections import MAX_PANELS, PALETTE, Section, Table

__all__ = ["comparison_page"]

_CURVES = (("favourability", "Favourability over time",
            "Change in mean favourability toward each foreign focal country since day 0, pooled "
            "over viewer countries (weighted by users).", "toward {}", "+.3f"),
           ("narrative", "Narrative battle",
            "Share of each issue's stance-bearing impressions on the positive side, per day.",
            "{}: positive share", ".1%"),
           ("belief", "Claims", "Share of users who believe each claim (belief above 0.5).",
            "believe {}", ".1%"))


def _curves(kind: str, title: str, intro: str, panel: str, fmt: str, labels: list[str],
            series: list[dict]) -> Section:
    sec = Section(kind, title, intro=intro)
    subjects = sorted({s for one in series for (k, s) in one if k == kind})[:MAX_PANELS]
    if not subjects:
        sec.missing = "None of these runs has this measure."
        return sec
    fig = make_subplots(rows=len(subjects), cols=1, shared_xaxes=True, vertical_spacing=0.07,
                        subplot_titles=[panel.format(s) for s in subjects])
    for i, subject in enumerate(subjects, start=1):
        for j, (label, one) in enumerate(zip(labels, series, strict=True)):
            points = one.get((kind, subject))
            if not points:
                continue
            xs, ys = zip(*points, strict=True)
            fig.add_scatter(x=xs, y=ys, name=label, legendgroup=label, showlegend=i == 1,
                            mode="lines+markers", line_color=PALETTE[j % len(PALETTE)],
                            row=i, col=1, hovertemplate=f"{label}<br>day %{{x:.1f}}<br>"
                                                        f"%{{y:{fmt}}}<extra></extra>")
        fig.update_yaxes(tickformat=fmt.lstrip("+"), row=i, col=1)
    fig.update_xaxes(title_text="days since start", row=len(subjects), col=1)
    fig.update_layout(height=max(380, 250 * len(subjects) + 80))
    sec.figure = fig
    return sec


def comparison_page(paths: list[Path]) -> str:
    labels, rows = compare_runs(paths)
    runs = [load_run(p) for p in paths]
    series = [compare_series(r) for r in runs]
    sections: list[Section] = []

    reach = Section("reach", "Actors' reach", intro="Impressions of each actor's posts in each "
                    "run.")
    actors: dict[str, dict[str, float]] = defaultdict(dict)
    for r in rows:
        if r["group"] == "actor impressions":
            for label in labels:
                actors[r["metric"]][label] = r[label] or 0
    if actors:
        fig = go.Figure()
        names = sorted(actors, key=lambda a: -max(actors[a].values()))
        for j, label in enumerate(labels):
            fig.add_bar(name=label, x=names, y=[actors[a].get(label, 0) for a in names],
                        marker_color=PALETTE[j % len(PALETTE)])
        fig.update_layout(barmode="group", yaxis_title="impressions", height=420)
        reach.figure = fig
    else:
        reach.missing = "None of these runs has actors' posts."
    sections.append(reach)
    sections += [_curves(*c, labels, series) for c in _CURVES]

    casc = Section("cascades", "Cascade sizes", intro="Share of cascades at least as large as "
                   "s, per run, on log-log axes.")
    fig = go.Figure()
    for j, (label, run) in enumerate(zip(labels, runs, strict=True)):
        if not run.has("posts", "interactions"):
            continue
        size = np.sort(np.array([c["size"] for c in cascades(run)]))
        if size.size == 0:
            continue
        values, first = np.unique(size, return_index=True)
        fig.add_scatter(x=values, y=1.0 - first / size.size, name=label, mode="lines+markers",
                        line_color=PALETTE[j % len(PALETTE)])
    if fig.data:
        fig.update_xaxes(type="log", title_text="cascade size s")
        fig.update_yaxes(type="log", title_text="share of cascades of size ≥ s",
                         exponentformat="power")
        fig.update_layout(height=420)
        casc.figure = fig
    else:
        casc.missing = "None of these runs has share interactions."
    sections.append(casc)

    table = Table("Runs side by side", rows, {label: "auto" for label in labels})
    title = "diplosim comparison: " + " vs ".join(labels)
    return render_page(title, ", ".join(str(p) for p in paths), sections, table)


