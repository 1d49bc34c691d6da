"""Who was seen, by whom, and how much they engaged: reach, engagement, followers, share of voice.

Each function takes a ``Run`` and returns a list of row dicts (a table). Reach counts hourly
unique viewers summed over hours, so over a day it is an upper bound on distinct viewers.
"""

from __future__ import annotations

from diplosim.analysis.run import Run

__all__ = ["engagement_rate", "follower_growth", "narrative_battle", "reach", "share_of_voice"]


def reach(run: Run) -> list[dict]:
    """Per actor x viewer country x day: impressions, viewers (hourly unique, summed), completions.

    Input: exposures, posts. O(rows of exposures).
    """
    run.require("exposures", "posts")
    return run.rows("""
        SELECT p.actor, e.country, e.day, sum(e.impressions) AS impressions,
               sum(e.unique_viewers) AS viewers, sum(e.completions) AS completions
        FROM exposures e JOIN posts p USING (post) WHERE p.actor IS NOT NULL
        GROUP BY ALL ORDER BY p.actor, e.country, e.day""")


def engagement_rate(run: Run) -> list[dict]:
    """Per actor (or 'everyone else'): likes, comments and shares per impression. Input: posts."""
    run.require("posts")
    return run.rows("""
        SELECT coalesce(actor, '(others)') AS actor, count(*) AS posts,
               sum(impressions) AS impressions,
               (sum(likes) + sum(comments) + sum(shares)) / nullif(sum(impressions), 0)
                 AS engagement_per_view,
               sum(likes) / nullif(sum(impressions), 0) AS likes_per_view,
               sum(shares) / nullif(sum(impressions), 0) AS shares_per_view
        FROM posts GROUP BY 1 ORDER BY impressions DESC, actor""")


def follower_growth(run: Run) -> list[dict]:
    """Per actor: followers at the start and the end of the run, summed over its accounts."""
    run.require("accounts")
    return run.rows("""
        SELECT actor, count(*) AS accounts, sum(followers_start) AS followers_start,
               sum(followers_end) AS followers_end,
               sum(followers_end) - sum(followers_start) AS growth
        FROM accounts WHERE actor IS NOT NULL GROUP BY actor ORDER BY growth DESC, actor""")


_VOICE = {
    "hashtag": "unnest(p.hashtags)",
    "actor_type": "p.messenger",
    "side": "p.issue || CASE WHEN p.stance > 0 THEN ':positive' WHEN p.stance < 0 "
            "THEN ':negative' ELSE ':neutral' END",
    "actor": "coalesce(p.actor, '(others)')",
}


def share_of_voice(run: Run, by: str = "hashtag") -> list[dict]:
    """Per ``by`` (hashtag, side of an issue, actor type or actor) x viewer country x day: the
    impressions and their share of all impressions of that group's kind in the country that day.
    """
    if by not in _VOICE:
        raise ValueError(f"by: expected one of {', '.join(_VOICE)}, got {by!r}")
    run.require("exposures", "posts")
    where = {"hashtag": "len(p.hashtags) > 0", "side": "p.issue IS NOT NULL"}.get(by, "true")
    return run.rows(f"""
        WITH v AS (
          SELECT {_VOICE[by]} AS voice, e.country, e.day, e.impressions
          FROM exposures e JOIN posts p USING (post) WHERE {where})
        SELECT voice, country, day, sum(impressions) AS impressions,
               sum(impressions) / sum(sum(impressions)) OVER (PARTITION BY country, day) AS share
        FROM v GROUP BY voice, country, day ORDER BY country, day, impressions DESC, voice""")


def narrative_battle(run: Run) -> list[dict]:
    """Per issue x viewer country x day: the share of stance-bearing impressions on each side."""
    run.require("exposures", "posts")
    return run.rows("""
        SELECT p.issue, e.country, e.day,
               sum(e.impressions) FILTER (WHERE p.stance > 0) / sum(e.impressions)
                 AS positive_share,
               sum(e.impressions) FILTER (WHERE p.stance < 0) / sum(e.impressions)
                 AS negative_share,
               sum(e.impressions) AS impressions
        FROM exposures e JOIN posts p USING (post)
        WHERE p.issue IS NOT NULL AND p.stance <> 0
        GROUP BY ALL ORDER BY p.issue, e.country, e.day""")
