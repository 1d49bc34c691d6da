"""The HTML comparison of several runs: what differs, the headline metrics side by side, and
each run's curves overlaid."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import plotly.graph_objects as go

from diplosim.analysis.cascades import size_ccdf
from diplosim.analysis.compare import compare
from diplosim.report.html import render_page
from diplosim.report.sections import PALETTE, Section, Table, panels

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
    rows = [{"subject": subject, "run": label, "day": day, "value": value}
            for label, one in zip(labels, series, strict=True)
            for (k, subject), points in one.items() if k == kind for day, value in points]
    if not rows:
        sec.missing = "None of these runs has this measure."
        return sec
    sec.figure = panels(None, rows, panel="subject", series="run", y="value", panel_title=panel,
                        y_title="", x_offset=0.0, y_format=fmt)
    return sec


def comparison_page(paths: list[Path]) -> str:
    c = compare(paths)
    labels, rows = c.labels, c.rows
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
    sections += [_curves(*spec, labels, c.series) for spec in _CURVES]

    casc = Section("cascades", "Cascade sizes", intro="Share of cascades at least as large as "
                   "s, per run, on log-log axes.")
    fig = go.Figure()
    for j, (label, sizes) in enumerate(zip(labels, c.sizes, strict=True)):
        if sizes is not None and sizes.size:
            values, share = size_ccdf(sizes)
            fig.add_scatter(x=values, y=share, name=label, mode="lines+markers",
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
