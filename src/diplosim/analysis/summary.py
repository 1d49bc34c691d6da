"""Headline figures of a run, condensed from the metric functions: who reached whom, how
favourability moved, which side of each issue was seen more, how far each claim is believed.

Each function takes a ``Run`` and returns a list of row dicts (a small table).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from diplosim.analysis.opinion import belief_prevalence, soft_power_index
from diplosim.analysis.reach import narrative_battle, reach
from diplosim.analysis.run import Run, load_run

__all__ = ["belief_change", "favourability_change", "headline", "narrative_share",
           "top_actor_reach", "totals"]


def totals(run: Run) -> list[dict]:
    """The run's totals, from the posts table: posts, impressions (an import's views) and
    likes, comments and shares per impression. The one source of these figures: the line
    ``diplosim run`` prints, ``diplosim summary`` and the report's overview all read it."""
    n, imp, eng = run.con.execute(
        "SELECT count(*), coalesce(sum(impressions), 0), (sum(likes) + sum(comments) + "
        "sum(shares)) / nullif(sum(impressions), 0) FROM posts").fetchone()
    return [{"posts": int(n), "impressions": int(imp),
             "engagement_per_view": None if eng is None else float(eng)}]


def top_actor_reach(run: Run, per_country: int = 3) -> list[dict]:
    """The ``per_country`` actors with most impressions in each country, with their mean daily
    unique viewers there (null for folders without the ``audience`` table)."""
    totals: dict[tuple[str, str], list] = defaultdict(lambda: [0, 0, 0, 0])
    for r in reach(run):
        t = totals[(r["country"], r["actor"])]
        t[0] += r["impressions"]
        t[1] += r["completions"]
        if r["unique_viewers"] is not None:
            t[2] += r["unique_viewers"]
            t[3] += 1
    ranked = sorted(totals.items(), key=lambda kv: (kv[0][0], -kv[1][0], kv[0][1]))
    out, shown = [], defaultdict(int)
    for (country, actor), (impressions, completions, viewers, days) in ranked:
        if shown[country] < per_country:
            shown[country] += 1
            out.append({"country": country, "actor": actor, "impressions": impressions,
                        "completions": completions,
                        "daily_viewers": viewers / days if days else None})
    return out


def favourability_change(run: Run) -> list[dict]:
    """Favourability toward each foreign focal country, first day against last, largest first."""
    rows = soft_power_index(run)
    last = max((r["day"] for r in rows), default=0)
    out = [{"country": r["country"], "toward": r["toward"], "start": r["mean"] - r["change"],
            "end": r["mean"], "change": r["change"]}
           for r in rows if r["day"] == last and r["country"] != r["toward"]]
    return sorted(out, key=lambda r: (-abs(r["change"]), r["country"], r["toward"]))


def narrative_share(run: Run) -> list[dict]:
    """Share of each issue's stance-bearing impressions on its positive side, per country."""
    acc: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0])
    for r in narrative_battle(run):
        a = acc[(r["issue"], r["country"])]
        a[0] += (r["positive_share"] or 0.0) * r["impressions"]
        a[1] += r["impressions"]
    return [{"issue": issue, "country": country, "positive_share": pos / n, "impressions": n}
            for (issue, country), (pos, n) in sorted(acc.items())]


def belief_change(run: Run) -> list[dict]:
    """Share of users believing each claim (belief > 0.5), first day against last."""
    rows = belief_prevalence(run)
    if not rows:
        return []
    first, last = min(r["day"] for r in rows), max(r["day"] for r in rows)
    start = {(r["claim"], r["country"]): r["prevalence"] for r in rows if r["day"] == first}
    out = [{"claim": r["claim"], "country": r["country"],
            "start": start[(r["claim"], r["country"])], "end": r["prevalence"]}
           for r in rows if r["day"] == last]
    return sorted(out, key=lambda r: (r["claim"], -r["end"], r["country"]))


NEEDS = {"totals": ("posts",), "reach": ("exposures", "posts"), "favourability": ("attitudes",),
         "narratives": ("exposures", "posts"), "beliefs": ("attitudes",)}


def headline(path: str | Path) -> dict[str, list[dict] | None]:
    """The headline tables; a table whose inputs the folder lacks is None."""
    run = load_run(path)
    build = {"totals": totals, "reach": top_actor_reach, "favourability": favourability_change,
             "narratives": narrative_share, "beliefs": belief_change}
    return {name: fn(run) if run.has(*NEEDS[name]) else None for name, fn in build.items()}
