"""The actors' reach table appended to every built-in scenario's headline: each actor's views per
post on the platform (the posts table's ``platform_views``: the simulated users are a sample of
the platform's users in the scenario's countries) beside the published (or implied) figure, and
what the sample itself saw."""

from __future__ import annotations

from diplosim.analysis.audience import WATCH_RATE, published_reach
from diplosim.analysis.run import Run
from diplosim.studies.figures import Figures
from diplosim.studies.tables import scenario_of, table

__all__ = ["WATCH_RATE", "actors_reach"]


def actors_reach(run: Run, f: Figures) -> str:
    """Each posting actor's estimated views per post on the platform (``platform_views``),
    beside the published figure where the scenario gives one (else the figure its published
    followers imply at ``WATCH_RATE``), and the impressions the simulated sample saw."""
    from diplosim.scenario.schema import Scenario

    scenario = Scenario.model_validate(scenario_of(run), strict=False)
    scale = scenario.platform_scale()
    rows = []
    for r in published_reach(run):
        published = r["published_views_per_post"]
        shown = ("none found" if published is None else f"{published:,.0f}"
                 if r["basis"] == "published views per post"
                 else f"{published:,.0f} (followers x {WATCH_RATE:.2%})")
        start = r["followers_at_start"]
        rows.append([f"`{r['actor']}`", f.num(r["posts"]), f.num(r["platform_views_per_post"]),
                     f.num(r["sample_impressions_per_post"]), shown,
                     f.ratio(r["platform_views_per_post"], published) if published else "",
                     "drawn" if start is None else f"{start:,}",
                     r["source"] or "no published figure used"])
    if not rows:
        return ""
    return ("**Actors' reach** (views per post on the platform, estimated from the base run: "
            f"the {scenario.world.users:,} simulated users are a sample of the "
            f"{scenario.platform_users():,} platform users of the scenario's countries, "
            f"{scale:.3g} of them; the sample's own impressions per post beside it; where only "
            "followers are published, the views they imply at TikTok's average watch rate, "
            f"{WATCH_RATE:.2%} of followers per video, Socialinsider with Wave.video 2022):\n\n"
            + table(["actor", "posts", "platform views per post", "seen by the sample per post",
                     "published (or implied)", "platform over published",
                     "followers at start (sample)", "source"], rows))
