"""The report's map of reach: a world choropleth of the share of each country's users an actor
reached on an average day, one actor at a time (a menu switches between them).

The country shapes are shipped with the package (``world/data/country_shapes.json``, Natural
Earth 1:110m, built by ``diplosim.world.build_shapes``) and drawn as filled polygons on plain
axes (longitude and latitude, equirectangular), so the page fetches nothing: Plotly's geo
traces would load their base map from a CDN, which the report's Content-Security-Policy
forbids."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from diplosim.analysis.run import Run
from diplosim.report.parts import MAX_SERIES, Section
from diplosim.report.parts import needs as _needs

__all__ = ["country_points", "country_shapes", "reach_map"]

SCALE = "Viridis"
NOT_SIMULATED = "#e8e8e8"


@cache
def _data() -> dict:
    text = resources.files("diplosim.world").joinpath("data/country_shapes.json").read_text(
        encoding="utf-8")
    return json.loads(text)


def country_shapes() -> dict[str, list[list[float]]]:
    """ISO alpha-2 code -> rings, each a flat [lon, lat, lon, lat, ...] list."""
    return _data()["shapes"]


def country_points() -> dict[str, list[float]]:
    """ISO alpha-2 code -> [lon, lat] of a country too small for the 1:110m shapes."""
    return _data()["points"]


def _xy(rings: list[list[float]]) -> tuple[list, list]:
    xs: list = []
    ys: list = []
    for ring in rings:
        xs += [*ring[0::2], None]  # None separates the rings; each is filled on its own
        ys += [*ring[1::2], None]
    return xs, ys


def _style(values: dict[str, float], actor: str, codes: list[str], top: float
           ) -> tuple[list[str], list[str]]:
    colours, texts = [], []
    for code in codes:
        if code in values:
            v = values[code]
            colours.append(sample_colorscale(SCALE, [v / top if top > 0 else 0])[0])
            texts.append(f"{code}: {v:.2%} of users reached per day by {actor}")
        else:
            colours.append(NOT_SIMULATED)
            texts.append(f"{code}: not simulated")
    return colours, texts


def reach_map(run: Run) -> Section:
    sid, title = "map", "Map of reach"
    if (missing := _needs(run, sid, title, "audience", "attitudes")) is not None:
        return missing
    sec = Section(sid, title, intro=(
        "Share of each country's users who saw at least one of the actor's posts on an "
        "average day (distinct users per day over the country's simulated users). The menu "
        "picks the actor; grey countries are not in the scenario's world. Shapes: Natural "
        "Earth 1:110m, shipped with diplosim."))
    rows = run.rows("""
        WITH users AS (SELECT country, max(n) AS n FROM attitudes GROUP BY country)
        SELECT a.actor, a.country, sum(a.unique_viewers) / count(DISTINCT a.day) / u.n AS value
        FROM audience a JOIN users u USING (country) GROUP BY a.actor, a.country, u.n""")
    simulated = [r["country"] for r in run.rows("SELECT DISTINCT country FROM attitudes")]
    if not rows:
        sec.missing = "No actor's post was seen by anyone."
        return sec
    values: dict[str, dict[str, float]] = {}
    for r in rows:
        values.setdefault(r["actor"], {c: 0.0 for c in simulated})[r["country"]] = r["value"]
    actors = sorted(values, key=lambda a: (-sum(values[a].values()), a))[:MAX_SERIES]
    shapes, points = country_shapes(), country_points()
    codes = list(shapes)
    dots = [c for c in sorted(simulated) if c not in shapes and c in points]
    fig = go.Figure()
    for code in codes:
        xs, ys = _xy(shapes[code])
        fig.add_scatter(x=xs, y=ys, fill="toself", mode="lines", hoveron="fills",
                        hoverinfo="text", line={"color": "#ffffff", "width": 0.4}, name=code)
    if dots:  # countries too small to have a shape at this scale, drawn as dots
        fig.add_scatter(x=[points[c][0] for c in dots], y=[points[c][1] for c in dots],
                        mode="markers", hoverinfo="text", name="small countries",
                        marker={"size": 7, "line": {"color": "#333333", "width": 0.6}})
    # a marker-less trace that carries the colour bar
    fig.add_scatter(x=[None], y=[None], mode="markers", hoverinfo="skip", marker={
        "colorscale": SCALE, "cmin": 0, "cmax": 1, "color": [0], "showscale": True,
        "colorbar": {"title": {"text": "reached per day"}, "tickformat": ".1%"}})
    extra = 2 if dots else 1
    buttons = []
    for actor in actors:
        top = max(values[actor].values())
        colours, texts = _style(values[actor], actor, codes, top)
        dot_colours, dot_texts = _style(values[actor], actor, dots, top)
        buttons.append({"label": actor, "method": "restyle", "args": [{
            "fillcolor": [*colours] + [NOT_SIMULATED] * extra,
            "text": [*texts] + ([dot_texts] if dots else []) + [""],
            "marker.color": [NOT_SIMULATED] * len(codes) + ([dot_colours] if dots else [])
            + [[0]],
            "marker.cmax": [1] * (len(codes) + extra - 1) + [top or 1]}]})
    first = buttons[0]["args"][0]
    for i, trace in enumerate(fig.data[:len(codes)]):
        trace.update(fillcolor=first["fillcolor"][i], text=first["text"][i])
    if dots:
        fig.data[len(codes)].update(text=first["text"][len(codes)],
                                    marker_color=first["marker.color"][len(codes)])
    fig.data[-1].marker.cmax = first["marker.cmax"][-1]
    fig.update_layout(
        height=460, showlegend=False, margin={"l": 10, "r": 10, "t": 40, "b": 10},
        xaxis={"visible": False, "range": [-170, 190]},
        yaxis={"visible": False, "range": [-58, 84], "scaleanchor": "x", "scaleratio": 1},
        plot_bgcolor="#ffffff",
        updatemenus=[{"buttons": buttons, "direction": "down", "x": 0, "xanchor": "left",
                      "y": 1.08, "yanchor": "bottom", "showactive": True}])
    if dots:
        sec.notes.append(f"Too small for the 1:110m shapes, so drawn as dots: {', '.join(dots)}.")
    unplaced = sorted(set(simulated) - set(shapes) - set(points))
    if unplaced:
        sec.notes.append(f"No shape or position, so not drawn: {', '.join(unplaced)} (their "
                         "figures are in the section above).")
    sec.figure = fig
    return sec
