"""Each actor's simulated views per post beside its published audience, for any scenario that
gives one (``audience`` in the scenario: views per post, or followers): what a journalist could
check a figure against."""

from __future__ import annotations

from pydantic import ValidationError

from diplosim.analysis.run import Run
from diplosim.scenario.schema import Scenario

__all__ = ["WATCH_RATE", "published_reach"]

#: Views per post as a share of the account's followers (the "watch rate"): 16.23% on average
#: over 616,409 TikTok videos (Socialinsider with Wave.video, TikTok benchmarks 2022). Used
#: only to give an actor with a published follower count and no published views an expected
#: order of magnitude.
WATCH_RATE = 0.1623


def published_reach(run: Run) -> list[dict]:
    """One row per posting actor of a simulated run: posts, platform views per post (the posts
    table's ``platform_views``, an estimate for the whole platform), the sample's impressions
    per post, the published views per post (else the figure its published followers imply at
    ``WATCH_RATE``; None without either), their ratio, the followers each account started
    with in the sample (None: drawn) and the source. Empty for an import or a run without
    actors, or whose manifest's scenario this version cannot read."""
    raw = run.manifest.get("scenario")
    if not raw or not run.has("posts"):
        return []
    try:
        scenario = Scenario.model_validate(raw, strict=False)
    except ValidationError:  # a manifest this version cannot read: no figures to set beside
        return []
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
        published, basis = None, None
        if audience is not None and audience.views_per_post is not None:
            published, basis = audience.views_per_post, "published views per post"
        elif audience is not None and audience.followers is not None:
            published = audience.followers * WATCH_RATE
            basis = f"followers x {WATCH_RATE:.2%}"
        rows.append({"actor": actor.id, "posts": c["posts"], "platform_views_per_post": per_post,
                     "sample_impressions_per_post": c["seen"] / c["posts"],
                     "published_views_per_post": published, "basis": basis,
                     "platform_over_published": per_post / published if published else None,
                     "followers_at_start": scenario.start_followers(actor),
                     "source": audience.source if audience else None})
    return rows
