"""The HTML comparison of several runs: what differs, the headline metrics side by side, and
each run's curves overlaid."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import plotly.graph_objects as go

from diplosim.analysis.cascades import size_ccdf
from diplosim.analysis.compare import compare
from diplosim.analysis.uncertainty import Difference
from diplosim.report.html import cell, render_page
from diplosim.report.sections import PALETTE, Section, Table, panels

__all__ = ["comparison_page", "interval_cell", "replicated_page"]

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


def interval_cell(v: object) -> str:
    """An Estimate as "mean (low to high)", a Difference with its verdict; else as ``cell``."""
    from diplosim.analysis.uncertainty import Estimate

    if isinstance(v, Estimate | Difference):
        if v.n == 0:
            return "–"
        sign = "+" if isinstance(v, Difference) and v.mean > 0 else ""
        text = sign + cell(v.mean)
        if v.low == v.high:  # the same in every seed
            return text
        if v.n > 1 and v.low == v.low:
            text += f" ({cell(v.low)} to {cell(v.high)})"
        if isinstance(v, Difference) and v.n > 1:
            text += ", distinguishable" if v.distinguishable else ", not distinguishable"
            if v.holm == v.holm:  # Holm's correction taken over the comparisons made together
                text += "; after Holm: " + ("yes" if v.distinguishable_after_holm else "no")
        return text
    return cell(v)


def replicated_page(paths: list[Path], baseline: str | None = None,
                    measures: list[str] | None = None) -> str:
    """The HTML comparison of runs and sweeps: every metric's (and each named measure's) mean
    with its 95% interval per column, differences from the baseline column with Holm's
    correction, a factorial sweep's effects, and the intervals drawn for the named measures,
    the actors' impressions and platform views and the headline rates."""
    from diplosim.analysis.replicated import compare_replicated

    c = compare_replicated(paths, baseline, measures)
    rows = [{"group": r["group"], "metric": r["metric"],
             **{k: interval_cell(r.get(k)) for k in c.labels + c.differences}} for r in c.rows]
    sections = []
    drawn = [r for r in c.rows if r["group"] in ("measure", "actor impressions",
                                                   "actor platform views", "run",
                                                   "favourability change", "narrative",
                                                   "belief") and r["metric"] != "users"]
    for i, r in enumerate(drawn):
        est = [r[k] for k in c.labels]
        fig = go.Figure()
        fig.add_scatter(x=c.labels, y=[e.mean for e in est], mode="markers",
                        marker={"color": PALETTE[0], "size": 9},
                        error_y={"type": "data", "visible": True,
                                 "array": [0 if e.high != e.high else e.high - e.mean
                                           for e in est],
                                 "arrayminus": [0 if e.low != e.low else e.mean - e.low
                                                for e in est]})
        fig.update_layout(height=320, yaxis_title=r["metric"], showlegend=False)
        sections.append(Section(f"r{i}", f"{r['group']}: {r['metric']}", figure=fig,
                                intro="Mean over each column's seeds with its 95% interval."))
    n, raw, held = c.verdicts()
    table = Table(f"Every metric: mean and 95% interval per column; differences from "
                  f"{c.baseline} (paired by seed where the seeds match). {n:,} "
                  f"differences compared: {raw:,} distinguishable one by one, {held:,} after "
                  "Holm's correction for the number of comparisons", rows,
                  {k: "id" for k in c.labels + c.differences})
    if c.effects:
        sections.append(Section("effects", "Main effects and interactions", intro=(
            "The sweep varies two or more fields and holds every combination: each field's "
            "effect is a level against the baseline's, averaged over the other fields' levels; "
            "each interaction is the difference of differences (how much one field changes the "
            "other's effect), computed seed by seed, with Holm's correction over all of them."),
            tables=[Table("Effects", [{"group": e["group"], "metric": e["metric"],
                                       "kind": e["kind"], "effect": e["effect"],
                                       "estimate": interval_cell(e["value"])} for e in c.effects],
                          {"effect": "id", "estimate": "id"})]))
    return render_page("diplosim comparison with intervals", ", ".join(c.labels), sections,
                       table)
