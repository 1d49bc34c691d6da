"""The report's coordinated-behaviour section: the co-action network drawn, the most
coordinated accounts, each edge's symmetry, the window curve and hashtag bursts."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from diplosim.analysis.run import Run
from diplosim.report.parts import PALETTE, Section, Table, needs

__all__ = ["WINDOWS", "coordination_network"]

MAX_NODES = 300  # accounts drawn in the coordination network (the heaviest)
#: Windows of the report's window curve, seconds: 1 s to 1 hour.
WINDOWS = (1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600)


def coordination_network(run: Run) -> Section:
    sid, title = "coordination", "Coordinated behaviour"
    if (missing := needs(run, sid, title, "posts")) is not None:
        return missing
    import networkx as nx

    from diplosim.analysis.coordination import account_stats, actions, bursts, coordination
    from diplosim.analysis.coordination_evidence import (
        edge_symmetry,
        estimate_interval,
        window_curve,
    )

    sec = Section(sid, title, intro="Pairs of accounts that shared the same post or object "
                  "within 60 seconds at least twice (the default detector), drawn as a network "
                  "of the most active accounts, coloured by Leiden community.")
    net = coordination(run)
    if net.a.size == 0:
        sec.missing = "No pair of accounts shared the same object within 60 s twice or more."
        return sec
    stats = account_stats(net)
    keep = {r["account"] for r in stats[:MAX_NODES]}
    community = {r["account"]: r["community"] for r in stats}
    g = nx.Graph()
    for r in net.rows():
        if r["account_a"] in keep and r["account_b"] in keep:
            g.add_edge(r["account_a"], r["account_b"], weight=r["weight"])
    pos = nx.spring_layout(g, seed=1, weight="weight")
    ex, ey = [], []
    for a, b in g.edges():
        ex += [pos[a][0], pos[b][0], None]
        ey += [pos[a][1], pos[b][1], None]
    fig = go.Figure(go.Scatter(x=ex, y=ey, mode="lines", line={"width": 0.5, "color": "#bbb"},
                               hoverinfo="skip", showlegend=False))
    nodes = list(g.nodes())
    fig.add_scatter(x=[pos[n][0] for n in nodes], y=[pos[n][1] for n in nodes], mode="markers",
                    text=nodes, hovertemplate="%{text}<extra></extra>", showlegend=False,
                    marker={"size": 7, "color": [PALETTE[community[n] % len(PALETTE)]
                                                 for n in nodes]})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(height=560)
    sec.figure = fig
    comps = {r["component"] for r in stats}
    sec.notes.append(f"{len(net.a):,} pairs among {len(stats):,} accounts in {len(comps):,} "
                     f"connected groups; {len(nodes):,} accounts drawn.")
    if run.has("accounts") and "inauthentic" in run.table("accounts").columns:
        truth = {a for (a,) in run.con.execute(
            "SELECT account::VARCHAR FROM accounts WHERE inauthentic").fetchall()}
        flagged = {r["account"] for r in stats}
        if truth:
            hit = len(truth & flagged)
            sec.notes.append(f"Against the planted network (ground truth): precision "
                             f"{hit / len(flagged):.1%}, recall {hit / len(truth):.1%}.")
    sec.tables.append(Table("Most coordinated accounts", stats[:20], {
        "degree": "int", "weight": "int", "component": "int", "component_size": "int",
        "community": "int", "community_size": "int"}))
    act = actions(run, "shared_object", with_posts=True)
    symmetry = edge_symmetry(act, net, 60)
    sec.notes.append(f"Edge symmetry (distinct posts of the less active account of a pair "
                     f"over the more active one's; CooRTweet's score): median "
                     f"{float(np.median(symmetry)):.2f}, {int((symmetry < 0.25).sum()):,} "
                     "edges below 0.25, driven by one account.")
    sec.tables.append(Table("The network as the window grows (from one detection at 1 hour; "
                            "choose the window knowingly)", window_curve(act, WINDOWS, 2),
                            {"window": "int", "pairs": "int", "accounts": "int",
                             "groups": "int", "co_actions": "int"}))
    est = estimate_interval(act)
    if est["interval"] is not None:
        sec.notes.append(f"Window estimated from this data by CooRnet's rule (Giglietto et al. "
                         f"2020): {est['interval']:g} s, the median time the quickest "
                         f"{est['quickest']:,} of {est['objects']:,} shared objects (second "
                         f"share within {est['second_within']:g} s) took to gather over half "
                         "their shares; a check on the 60 s used here, not a replacement.")
    found = [{**b, "start": run.when(b["start"]), "end": run.when(b["end"])}
             for b in bursts(run, "hashtag")]
    if found:
        sec.tables.append(Table("Hashtag bursts (hourly count above the previous day's mean by "
                                "3 sd)", found[:20], {"peak": "int", "actions": "int"}))
    return sec
