"""Who was seen, by whom, and how much they engaged: reach, engagement, followers, share of voice.

Each function takes a ``Run`` and returns a list of row dicts (a table). Distinct viewers per
actor, country and day come from the ``audience`` table the engine writes (a user who saw three
of an actor's posts that day counts once); folders without it (imported data) leave them null.
"""

from __future__ import annotations

from diplosim.analysis.run import Run

__all__ = ["actor_ranking", "campaign_ranking", "engagement_rate", "follower_growth",
           "narrative_battle", "reach", "share_of_voice"]


def reach(run: Run) -> list[dict]:
    """Per actor x viewer country x day: impressions, completions, and unique viewers (distinct
    users who saw at least one of the actor's posts that day; null without ``audience``).

    Input: exposures, posts (audience if present). O(rows of exposures).
    """
    run.require("exposures", "posts")
    audience = ("LEFT JOIN audience a ON a.actor = r.actor AND a.country = r.country "
                "AND a.day = r.day" if run.has("audience") else "")
    viewers = "a.unique_viewers" if audience else "NULL::BIGINT"
    return run.rows(f"""
        WITH r AS (
          SELECT p.actor::VARCHAR AS actor, e.country::VARCHAR AS country, e.day,
                 sum(e.impressions) AS impressions, sum(e.completions) AS completions
          FROM exposures e JOIN posts p USING (post) WHERE p.actor IS NOT NULL GROUP BY ALL)
        SELECT r.actor, r.country, r.day, r.impressions, r.completions,
               {viewers} AS unique_viewers
        FROM r {audience} ORDER BY r.actor, r.country, r.day""")


def _platform_views(run: Run) -> str:
    """The SQL sum of posts' views on the platform: ``platform_views`` in a simulated run (its
    users are a sample of the platform's), the impressions of an import (the platform's own)."""
    return ("sum(platform_views)" if run.has_column("posts", "platform_views")
            else "sum(impressions)")


def actor_ranking(run: Run) -> list[dict]:
    """Actors ranked by their views on the platform: type, country, accounts, posts, platform
    views, impressions (in a simulated run, the sample's), engagement per view, shares, mean
    daily unique viewers in the sample (summed over countries) and follower growth.

    Input: posts, accounts (audience if present).
    """
    run.require("posts", "accounts")
    views = _platform_views(run)
    daily = ("(SELECT actor, sum(unique_viewers) / count(DISTINCT day) AS daily_viewers "
             "FROM audience GROUP BY actor)" if run.has("audience")
             else "(SELECT NULL::VARCHAR AS actor, NULL::DOUBLE AS daily_viewers)")
    return run.rows(f"""
        WITH acc AS (
          SELECT actor::VARCHAR AS actor, any_value(actor_type::VARCHAR) AS type,
                 any_value(country::VARCHAR) AS country, count(*) AS accounts,
                 sum(followers_end) - sum(followers_start) AS follower_growth
          FROM accounts WHERE actor IS NOT NULL GROUP BY 1),
        p AS (
          SELECT actor::VARCHAR AS actor, count(*) AS posts, {views} AS platform_views,
                 sum(impressions) AS impressions,
                 (sum(likes) + sum(comments) + sum(shares)) / nullif(sum(impressions), 0)
                   AS engagement_per_view,
                 sum(shares) AS shares
          FROM posts WHERE actor IS NOT NULL GROUP BY 1)
        SELECT acc.actor, acc.type, acc.country, acc.accounts, coalesce(p.posts, 0) AS posts,
               coalesce(p.platform_views, 0) AS platform_views,
               coalesce(p.impressions, 0) AS impressions, d.daily_viewers,
               p.engagement_per_view, coalesce(p.shares, 0) AS shares, acc.follower_growth
        FROM acc LEFT JOIN p USING (actor) LEFT JOIN {daily} d USING (actor)
        ORDER BY platform_views DESC, impressions DESC, acc.actor""")


def campaign_ranking(run: Run) -> list[dict]:
    """Campaigns ranked by their views on the platform: actor, posts, platform views,
    impressions, engagement per view, shares, completion rate. Input: posts."""
    run.require("posts")
    return run.rows(f"""
        SELECT campaign::VARCHAR AS campaign, any_value(actor::VARCHAR) AS actor,
               count(*) AS posts, {_platform_views(run)} AS platform_views,
               sum(impressions) AS impressions,
               sum(completions) / nullif(sum(impressions), 0) AS completion_rate,
               (sum(likes) + sum(comments) + sum(shares)) / nullif(sum(impressions), 0)
                 AS engagement_per_view,
               sum(shares) AS shares
        FROM posts WHERE campaign IS NOT NULL GROUP BY 1
        ORDER BY platform_views DESC, impressions DESC, campaign""")


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
