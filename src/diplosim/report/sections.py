"""The report's sections, each built from the metric functions of ``diplosim.analysis``.

A section is a title, a sentence on how to read it, at most one Plotly figure and any number of
tables. A section whose input tables the run folder lacks (imported data often has no
``attitudes``) is kept, with a note naming what is missing, so a reader sees what was not
measured rather than a silently shorter report.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable

import numpy as np
import plotly.graph_objects as go
import yaml
from plotly.subplots import make_subplots

from diplosim.analysis.audience import published_reach
from diplosim.analysis.cascades import cascades, size_ccdf
from diplosim.analysis.events import event_effects
from diplosim.analysis.misinformation import label_exposure
from diplosim.analysis.opinion import belief_prevalence, soft_power_index
from diplosim.analysis.reach import actor_ranking, campaign_ranking, narrative_battle
from diplosim.analysis.run import Run
from diplosim.analysis.summary import totals
from diplosim.report.coordination import coordination_network
from diplosim.report.parts import MAX_PANELS, MAX_SERIES, PALETTE, Section, Table
from diplosim.report.parts import needs as _needs
from diplosim.report.reach_map import reach_map
from diplosim.scenario.schema import Scenario

__all__ = ["MAX_SERIES", "PALETTE", "SECTIONS", "Section", "Table", "build_sections",
           "cascade_summary", "coordination_network", "overview"]


def _event_marks(run: Run, fig: go.Figure, rows: int = 1) -> None:
    """Dashed vertical lines at each event, labelled with its type and subject."""
    if not run.has("events"):
        return
    events = run.rows("SELECT * FROM events ORDER BY tick") if "tick" in run.table(
        "events").columns else []
    for ev in events:
        if ev.get("type") is None:
            continue
        x = ev["tick"] / 24
        for r in range(1, rows + 1):
            fig.add_vline(x=x, line_dash="dash", line_color="#888", line_width=1, row=r, col=1)
        fig.add_annotation(x=x, y=1, yref="paper", text=f"{ev['type']}: {ev['subject']}",
                           showarrow=False, textangle=-90, xanchor="right", yanchor="top",
                           font={"size": 10, "color": "#555"})


def overview(run: Run) -> Table:
    m = run.manifest
    rows: list[dict] = []
    s = m.get("scenario") or {}
    if s.get("name"):
        rows.append({"figure": "scenario", "value": f"{s['name']} (seed {m.get('seed')})"})
    if m.get("users"):
        rows.append({"figure": "simulated", "value": f"{m.get('users', 0):,} users, "
                     f"{s.get('duration_days')} days, {s.get('platform', {}).get('ranking')} "
                     "ranking"})
    if run.has("posts"):
        (t,) = totals(run)  # the same figures `diplosim run` and `diplosim summary` print
        n, imp, eng = t["posts"], t["impressions"], t["engagement_per_view"]
        imported = m.get("kind") == "import"
        rows.append({"figure": "posts", "value": f"{n:,}"})
        rows.append({"figure": "views" if imported else "impressions",
                     "value": f"{int(imp or 0):,}"})
        if eng is not None:
            rows.append({"figure": "engagement per view (likes, comments, shares)",
                         "value": f"{eng:.2%}"})
    if run.has("accounts"):
        (n,) = run.con.execute("SELECT count(*) FROM accounts").fetchone()
        rows.append({"figure": "accounts", "value": f"{n:,}"})
    for i in m.get("imports") or []:
        rows.append({"figure": f"imported ({i.get('format')}, {i.get('at')})",
                     "value": f"{i.get('rows', 0):,} rows read: {i.get('loaded', 0):,} loaded, "
                              f"{i.get('rejected', 0):,} rejected, {i.get('duplicates', 0):,} "
                              "duplicates"})
    if "wall_seconds" in m:
        rows.append({"figure": "wall time", "value": f"{m['wall_seconds']:.1f} s "
                     f"(diplosim {m.get('diplosim_version')}, {m.get('numba_threads')} threads)"})
    return Table("Overview", rows)


def reach_by_country(run: Run) -> Section:
    sid, title = "reach", "Reach by country"
    if (missing := _needs(run, sid, title, "exposures", "posts")) is not None:
        return missing
    sec = Section(sid, title)
    has_audience = run.has("audience") and run.has("attitudes")
    if has_audience:
        rows = run.rows("""
            WITH users AS (SELECT country, max(n) AS n FROM attitudes GROUP BY country)
            SELECT a.actor, a.country, sum(a.unique_viewers) / count(DISTINCT a.day) / u.n
                     AS value
            FROM audience a JOIN users u USING (country) GROUP BY a.actor, a.country, u.n""")
        sec.intro = ("Share of each country's users who saw at least one of the actor's posts "
                     "on an average day (distinct users per day, from the audience table).")
        axis = "share of users reached per day"
    else:
        rows = run.rows("""
            SELECT p.actor::VARCHAR AS actor, e.country::VARCHAR AS country,
                   sum(e.impressions) AS value
            FROM exposures e JOIN posts p USING (post) WHERE p.actor IS NOT NULL
            GROUP BY ALL""")
        sec.intro = "Impressions of each actor's posts by the viewer's country."
        axis = "impressions"
    if not rows:
        sec.missing = "No actor's post was seen by anyone."
        return sec
    by_actor: dict[str, float] = defaultdict(float)
    for r in rows:
        by_actor[r["actor"]] += r["value"]
    actors = sorted(by_actor, key=lambda a: (-by_actor[a], a))
    shown = actors[:MAX_SERIES]
    countries = sorted({r["country"] for r in rows})
    value = {(r["actor"], r["country"]): r["value"] for r in rows}
    fig = go.Figure()
    for i, actor in enumerate(shown):
        fig.add_bar(name=actor, x=countries, y=[value.get((actor, c), 0) for c in countries],
                    marker_color=PALETTE[i % len(PALETTE)])
    fig.update_layout(barmode="group", yaxis_title=axis, xaxis_title="viewer country",
                      yaxis_tickformat=".1%" if has_audience else ",", height=420,
                      showlegend=True, legend_title_text="actor")
    sec.figure = fig
    if len(actors) > len(shown):
        sec.notes.append(f"{len(actors) - len(shown)} smaller actors are not drawn; all are in "
                         "the table of actors below.")
    return sec


def favourability_over_time(run: Run) -> Section:
    sid, title = "favourability", "Favourability over time"
    if (missing := _needs(run, sid, title, "attitudes")) is not None:
        return missing
    rows = [r for r in soft_power_index(run) if r["country"] != r["toward"]]
    sec = Section(sid, title, intro="Change in the mean favourability of each country's users "
                  "toward each foreign focal country since day 0 (soft-power index; scale -1 to "
                  "1). Dashed lines mark events.")
    if not rows:
        sec.missing = "The run has no favourability toward a foreign country to show."
        return sec
    sec.figure = panels(run, rows, panel="toward", series="country", y="change",
                         panel_title="toward {}", y_title="change", x_offset=0.0)
    return sec


def panels(run: Run | None, rows: list[dict], panel: str, series: str, y: str,
           panel_title: str, y_title: str, x_offset: float, y_format: str = "+.3f") -> go.Figure:
    """One panel per value of ``panel``, a line per value of ``series`` (x: ``day`` +
    ``x_offset``); the run's events marked when a run is given."""
    groups: dict[str, dict[str, list[tuple[float, float]]]] = defaultdict(lambda: defaultdict(
        list))
    for r in rows:
        if r[y] is not None:
            groups[r[panel]][r[series]].append((r["day"] + x_offset, r[y]))
    panels = sorted(groups)[:MAX_PANELS]
    fig = make_subplots(rows=len(panels), cols=1, shared_xaxes=True, vertical_spacing=0.06,
                        subplot_titles=[panel_title.format(p) for p in panels])
    names = sorted({s for p in panels for s in groups[p]})
    colour = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}
    for i, p in enumerate(panels, start=1):
        for name in sorted(groups[p])[:MAX_SERIES]:
            xs, ys = zip(*sorted(groups[p][name]), strict=True)
            fig.add_scatter(x=xs, y=ys, name=name, legendgroup=name, showlegend=i == 1,
                            mode="lines+markers", line_color=colour[name], row=i, col=1,
                            # the name through Plotly (escaped with the trace's data by
                            # ``html.figure_json``), never pasted into the template
                            hovertemplate="%{fullData.name}<br>day %{x:.1f}<br>"
                                          f"%{{y:{y_format}}}<extra></extra>")
        fig.update_yaxes(title_text=y_title, tickformat=y_format.lstrip("+"), row=i, col=1)
    fig.update_xaxes(title_text="days since start", row=len(panels), col=1)
    fig.update_layout(height=260 * len(panels) + 80)
    if run is not None:
        _event_marks(run, fig, rows=len(panels))
    return fig


def narrative_share(run: Run) -> Section:
    sid, title = "narratives", "Narrative battle"
    if (missing := _needs(run, sid, title, "exposures", "posts")) is not None:
        return missing
    rows = narrative_battle(run)
    sec = Section(sid, title, intro="Share of each issue's stance-bearing impressions that took "
                  "the positive side, per viewer country and day (plotted at mid-day).")
    if not rows:
        sec.missing = "No post took a side on an issue."
        return sec
    sec.figure = panels(run, rows, panel="issue", series="country", y="positive_share",
                         panel_title="{}: share on the positive side", y_title="share",
                         x_offset=0.5, y_format=".1%")
    return sec


def beliefs(run: Run) -> Section:
    sid, title = "claims", "Claims and fact-checks"
    if (missing := _needs(run, sid, title, "attitudes")) is not None:
        return missing
    rows = belief_prevalence(run)
    sec = Section(sid, title, intro="Share of each country's users who believe each claim "
                  "(belief above 0.5), and how many impressions the claim's posts got before "
                  "and after their fact-check label.")
    if not rows:
        sec.missing = "The scenario has no claims."
        return sec
    sec.figure = panels(run, rows, panel="claim", series="country", y="prevalence",
                         panel_title="believe {}", y_title="share", x_offset=0.0,
                         y_format=".1%")
    if run.has("posts", "exposures"):
        sec.tables.append(Table("Impressions before and after the label", label_exposure(run),
                                {"posts": "int", "labelled_posts": "int",
                                 "impressions_before_label": "int",
                                 "impressions_after_label": "int"}))
    return sec


def cascade_summary(rows: list[dict]) -> dict:
    """Headline figures of a cascade table: share of size 1, largest size and depth, virality."""
    if not rows:
        return {}
    size = np.array([r["size"] for r in rows])
    large = [r["structural_virality"] for r in rows if r["size"] >= 10]
    return {"cascades": int(size.size), "share_size_1": float((size == 1).mean()),
            "largest": int(size.max()), "deepest": int(max(r["depth"] for r in rows)),
            "cascades_size_10_plus": len(large),
            "virality_size_10_plus": float(np.mean(large)) if large else None}


def cascade_sizes(run: Run) -> Section:
    sid, title = "cascades", "Cascades"
    if (missing := _needs(run, sid, title, "posts", "interactions")) is not None:
        return missing
    rows = cascades(run)
    sec = Section(sid, title, intro="Share cascades rebuilt from who shared from whom. The "
                  "plot is the complementary cumulative distribution of cascade size (share of "
                  "cascades at least that large) on log-log axes; structural virality is the "
                  "mean distance between all pairs of nodes of a cascade tree (Goel et al. "
                  "2016).")
    if not rows:
        sec.missing = "The run has no posts."
        return sec
    values, ccdf = size_ccdf([r["size"] for r in rows])
    fig = go.Figure(go.Scatter(x=values, y=ccdf, mode="markers+lines", name="P(size ≥ s)",
                               hovertemplate="size ≥ %{x}: %{y:.3%}<extra></extra>"))
    fig.update_xaxes(type="log", title_text="cascade size s (accounts)")
    fig.update_yaxes(type="log", title_text="share of cascades of size ≥ s",
                     exponentformat="power")
    fig.update_layout(height=420, showlegend=False)
    sec.figure = fig
    summary = cascade_summary(rows)
    sec.tables.append(Table("Cascade figures", [summary], {
        "cascades": "int", "share_size_1": "pct", "largest": "int", "deepest": "int",
        "cascades_size_10_plus": "int", "virality_size_10_plus": "f2"}))
    top = sorted(rows, key=lambda r: (-r["size"], r["post"]))[:10]
    sec.tables.append(Table("Largest cascades", top, {"post": "id", "size": "int",
                                                      "depth": "int", "max_breadth": "int",
                                                      "structural_virality": "f2"}))
    return sec


def actors(run: Run) -> Section:
    sid, title = "actors", "Actors and campaigns"
    if (missing := _needs(run, sid, title, "posts", "accounts")) is not None:
        return missing
    sec = Section(sid, title, intro="Ranked by views on the platform (a simulated run's users "
                  "are a sample of the platform's users in its countries: platform views are "
                  "estimated for the whole platform, impressions and daily viewers are the "
                  "sample's). Daily viewers: distinct users who saw at least one of the "
                  "actor's posts, mean over days, summed over countries.")
    sec.tables.append(Table("Actors", actor_ranking(run), {
        "accounts": "int", "posts": "int", "platform_views": "int", "impressions": "int",
        "daily_viewers": "int", "engagement_per_view": "pct", "shares": "int",
        "follower_growth": "int"}))
    published = [r for r in published_reach(run) if r["published_views_per_post"]]
    if published:
        sec.tables.append(Table(
            "Views per post on the platform beside the published audience (the scenario's "
            "audience figures; followers alone imply views at TikTok's average watch rate)",
            [{k: r[k] for k in ("actor", "posts", "platform_views_per_post",
                                "published_views_per_post", "platform_over_published", "basis",
                                "source")} for r in published],
            {"posts": "int", "platform_views_per_post": "int",
             "published_views_per_post": "int", "platform_over_published": "f2"}))
    sec.tables.append(Table("Campaigns", campaign_ranking(run), {
        "posts": "int", "platform_views": "int", "impressions": "int", "completion_rate": "pct",
        "engagement_per_view": "pct", "shares": "int"}))
    top = run.rows("""
        SELECT account::VARCHAR AS account, count(*) AS posts, sum(impressions) AS impressions,
               (sum(likes) + sum(comments) + sum(shares)) / nullif(sum(impressions), 0)
                 AS engagement_per_view, sum(shares) AS shares
        FROM posts GROUP BY 1 ORDER BY impressions DESC NULLS LAST, posts DESC, account
        LIMIT 20""")
    sec.tables.append(Table("Top accounts by impressions", top, {
        "posts": "int", "impressions": "int", "engagement_per_view": "pct", "shares": "int"}))
    return sec


def events(run: Run) -> Section:
    sid, title = "events", "Events and their effects"
    if (missing := _needs(run, sid, title, "events", "exposures", "posts")) is not None:
        return missing
    rows = event_effects(run)
    sec = Section(sid, title, intro="Each event's measure as the mean daily value over the two "
                  "days before the event against the two days from it: a ban's foreign actors' "
                  "impressions in the country, a briefing's campaign impressions, a ranking "
                  "change's narrative share, a crisis topic's impressions, and a coordinated "
                  "network's impressions, belief in its claim, stance on its issue and "
                  "favourability toward the countries it portrays, in its target countries.")
    if not rows:
        (n,) = run.one("SELECT count(*) FROM events")
        sec.missing = ("The run has no events." if not n else
                       f"None of the run's {n} events had impressions or attitudes in the two "
                       "days around it to measure (an event on the first or last day, or in a "
                       "country nobody in the sample lives in).")
        return sec
    sec.tables.append(Table("Before and after", rows, {"day": "int", "before": "num",
                                                       "after": "num", "change": "num",
                                                       "ratio": "f3"}))
    return sec


def scenario(run: Run) -> Section:
    sec = Section("scenario", "The scenario that produced this run")
    s = run.manifest.get("scenario")
    if not s:
        sec.missing = "This folder was not produced from a scenario (imported data)."
        return sec
    sec.intro = (f"Scenario hash {run.manifest.get('scenario_hash', '?')[:16]}; run it again "
                 "with `diplosim run` and the same seed for the same tables.")
    sec.pre = yaml.safe_dump(_tidy(s), sort_keys=False, allow_unicode=True, width=100)
    return sec


def _tidy(scenario: dict) -> dict:
    """The scenario in the schema's field order, without the fields left empty."""
    try:
        data = Scenario.model_validate(scenario).model_dump(mode="json", exclude_none=True)
    except ValueError:  # written by another version of diplosim: show it as stored
        data = json.loads(json.dumps(scenario))

    def drop(value):
        if isinstance(value, dict):
            return {k: drop(v) for k, v in value.items() if v not in ([], {}, None)}
        if isinstance(value, list):
            return [drop(v) for v in value]
        return value

    return drop(data)


SECTIONS: tuple[Callable[[Run], Section], ...] = (
    reach_by_country, reach_map, favourability_over_time, narrative_share, beliefs, cascade_sizes,
    actors, coordination_network, events, scenario)


def build_sections(run: Run) -> list[Section]:
    return [build(run) for build in SECTIONS]
