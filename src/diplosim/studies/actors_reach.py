"""The actors' reach table appended to every built-in scenario's headline: views per post in
the run, scaled to the real platform, beside the published (or implied) figure."""

from __future__ import annotations

from diplosim.analysis.run import Run
from diplosim.studies.figures import Figures
from diplosim.studies.headlines import scenario_of, table

__all__ = ["WATCH_RATE", "actors_reach"]

#: Views per post as a share of the account's followers (the "watch rate"): 16.23% on average
#: over 616,409 TikTok videos (Socialinsider with Wave.video, TikTok benchmarks 2022). Used
#: only to give an actor with a published follower count and no published views an expected
#: order of magnitude.
WATCH_RATE = 0.1623


def actors_reach(run: Run, f: Figures) -> str:
    """Each posting actor's views per post in the run, scaled up to the real platform (divided
    by the scenario's simulated users per platform user), beside the published figure where the
    scenario gives one (else the figure its published followers imply at ``WATCH_RATE``)."""
    from diplosim.scenario.schema import Scenario

    scenario = Scenario.model_validate(scenario_of(run), strict=False)
    scale = scenario.platform_scale()
    counts = {r["actor"]: r for r in run.rows(
        "SELECT p.actor::VARCHAR AS actor, count(DISTINCT p.post) AS posts, "
        "coalesce(sum(e.impressions), 0) AS views FROM posts p LEFT JOIN exposures e "
        "USING (post) WHERE p.actor IS NOT NULL GROUP BY 1")}
    rows = []
    for actor in scenario.actors:
        c = counts.get(actor.id)
        if not c or not c["posts"]:
            continue
        per_post = c["views"] / c["posts"]
        audience = actor.audience
        published, shown = None, "none found"
        if audience is not None and audience.views_per_post is not None:
            published = audience.views_per_post
            shown = f"{published:,.0f}"
        elif audience is not None and audience.followers is not None:
            published = audience.followers * WATCH_RATE
            shown = f"{published:,.0f} (followers x {WATCH_RATE:.2%})"
        start = scenario.start_followers(actor)
        rows.append([f"`{actor.id}`", f.num(c["posts"]), f.num(per_post),
                     f.num(per_post / scale), shown,
                     f.ratio(per_post / scale, published) if published else "",
                     "drawn" if start is None else f"{start:,}",
                     audience.source if audience else "no published figure used"])
    if not rows:
        return ""
    return ("**Actors' reach** (views per post in the base run; scaled to the platform: divided "
            f"by {scale:.3g} simulated users per platform user; where only followers are "
            f"published, the views they imply at TikTok's average watch rate, {WATCH_RATE:.2%} "
            "of followers per video, Socialinsider with Wave.video 2022):\n\n"
            + table(["actor", "posts", "views per post", "scaled to the platform",
                     "published (or implied)", "scaled over published", "followers at start",
                     "source"], rows))
