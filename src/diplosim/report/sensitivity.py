"""The HTML page of a sensitivity analysis: per measure, Morris mu* (with its interval, the
seed-noise floor and sigma) or Sobol S1 and ST (with their intervals) as bars, and the table."""

from __future__ import annotations

import plotly.graph_objects as go

from diplosim.report.html import render_page
from diplosim.report.sections import PALETTE, Section, Table

__all__ = ["sensitivity_page"]


def _bars(fig: go.Figure, names: list[str], rows: list[dict], key: str, label: str,
          color: str) -> None:
    fig.add_bar(y=names, x=[r[key] for r in rows], name=label, orientation="h",
                marker_color=color,
                error_x={"type": "data", "visible": True,
                         "array": [r[f"{key}_high"] - r[key] for r in rows],
                         "arrayminus": [r[key] - r[f"{key}_low"] for r in rows]})


def _section(i: int, measure: str, result: dict, method: str) -> Section:
    rows = result["indices"]
    names = [r["parameter"] for r in rows][::-1]  # largest at the top
    ordered = rows[::-1]
    fig = go.Figure()
    if method == "morris":
        _bars(fig, names, ordered, "mu_star", "mu* (95% interval)", PALETTE[0])
        fig.add_scatter(y=names, x=[r["sigma"] for r in ordered], name="sigma",
                        mode="markers", marker={"color": PALETTE[1], "symbol": "diamond"})
        floor = rows[0]["noise_floor"] if rows else 0.0
        if floor:
            fig.add_vline(x=floor, line_dash="dash", line_color="#888",
                          annotation_text="seed-noise floor")
        x_title = "elementary effect (units of the measure)"
        intro = ("Morris screening: mu* is the mean absolute change of the measure when one "
                 "parameter moves by two thirds of its range; sigma, how much that change varies "
                 "with the other parameters (interactions, non-linearity). A parameter is "
                 "distinguishable when both hold: its mu* is above the dashed seed-noise floor "
                 "(the 95th percentile of the mu* that the run's own randomness alone gives) and "
                 "its 95% interval stays above 0. A bar past the floor whose interval reaches 0 "
                 "rests on a few large effects among its trajectories and is not counted.")
        formats = {k: "auto" for k in ("mu_star", "mu_star_low", "mu_star_high", "mu", "sigma",
                                       "noise_floor")}
    else:
        _bars(fig, names, ordered, "S1", "S1, first order", PALETTE[0])
        _bars(fig, names, ordered, "ST", "ST, total", PALETTE[1])
        fig.update_layout(barmode="group")
        x_title = "share of the measure's variance"
        intro = ("Sobol indices: S1 is the share of the measure's variance a parameter explains "
                 "alone; ST adds its interactions with the others. Error bars are 95% bootstrap "
                 "intervals.")
        formats = {k: "f3" for k in ("S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high")}
    fig.update_layout(height=max(260, 34 * len(rows) + 120), xaxis_title=x_title,
                      showlegend=True)
    share = result.get("seed_share_of_variance")
    notes = [f"Mean of the measure over the runs: {result['mean']:.4g} (sd {result['sd']:.4g})."]
    if result.get("seed_sd") is not None:
        notes.append(f"Its sd over seeds alone, at the default parameters: "
                     f"{result['seed_sd']:.4g}"
                     + (f" ({share:.0%} of the variance over the runs)." if share is not None
                        else "."))
    return Section(f"m{i}", measure, intro=intro, figure=fig, notes=notes,
                   tables=[Table("Indices, largest first",
                                 [{k: v for k, v in r.items()} for r in rows], formats)])


def sensitivity_page(result: dict) -> str:
    """The page for ``indices.json``'s content."""
    method = result["method"]
    sections = [_section(i, m, r, method) for i, (m, r) in enumerate(result["measures"].items())]
    ranges = Table("Parameters and the ranges varied",
                   [{"parameter": p["name"], "low": p["low"], "high": p["high"],
                     "why this range": p["reason"]} for p in result["parameters"]],
                   {"low": "auto", "high": "auto"})
    sections.append(Section("ranges", "Parameters and the ranges varied",
                            intro="Each parameter moves within its sensitivity range from the "
                            "parameter table (diplosim parameters), for the reason given.",
                            tables=[ranges]))
    title = f"diplosim sensitivity: {result['scenario']}"
    subtitle = (f"{method.capitalize()}, {result['samples']} "
                f"{'trajectories' if method == 'morris' else 'base samples'}, "
                f"{result['runs']} runs at seed {result['seed']} (common random numbers)")
    return render_page(title, subtitle, sections, None)
