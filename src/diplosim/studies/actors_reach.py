"""The actors' reach table appended to every built-in scenario's headline: each actor's views per
post on the platform (the posts table's ``platform_views``: the simulated users are a sample of
the platform's users in the scenario's countries) beside the published (or implied) figure, and
what the sample itself saw."""

from __future__ import annotations

from diplosim.analysis.run import Run
from diplosim.studies.figures import Figures
from diplosim.studies.tables import scenario_of, table

__all__ = ["WATCH_RATE", "actors_reach"]

#: Views per post as a share of the account's followers (the "watch rate"): 16.23% on average
#: over 616,409 TikTok videos (Socialinsider with Wave.video, TikTok benchmarks 2022). Used
#: only to give an actor with a published follower count and no published views an expected
#: order of magnitude.
WATCH_RATE = 0.1623


def actors_reach(run: Run, f: Figures) -> str:
    """Each posting actor's estimated views per post on the platform (``platform_views``),
    beside the published figure where the scenario gives one (else the figure its published
    followers imply at ``WATCH_RATE``), and the impressions the simulated sample saw."""
    from diplosim.scenario.schema import Scenario

    scenario = Scenario.model_validate(scenario_of(run), strict=False)
    scale = scenario.platform_scale()
    counts = {r["actor"]: r for r in run.rows(
        "SELECT actor::VARCHAR AS actor, count(*) AS posts, "
        "coalesce(sum(platform_views), 0) AS platform, coalesce(sum(impressions), 0) AS seen "
        "FROM posts WHERE actor IS NOT NULL AND messenger::VARCHAR <> 'user' GROUP BY 1")}
    rows = []
    for actor in scenario.actors:
        c = counts.get(actor.id)
        if not c or not c["posts"]:
            continue
        per_post = c["platform"] / c["posts"]
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
                     f.num(c["seen"] / c["posts"]), shown,
                     f.ratio(per_post, published) if published else "",
                     "drawn" if start is None else f"{start:,}",
                     audience.source if audience else "no published figure used"])
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
