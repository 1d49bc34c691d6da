"""Measures of what a platform export holds (posts with their public counts, hashtags, sounds,
regions, mentions and, when imported, comments), for the report and summary of an imported
folder. Each works on the contract tables, so a simulated run answers them too.

Every function returns plain rows (dicts); times are UTC (exports give seconds since 1970).
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

from diplosim.analysis.run import Run

__all__ = ["comment_summary", "engagement_by_type", "hashtag_pairs", "hashtag_share",
           "hour_of_day", "mentions", "regions", "sounds", "views_distribution", "volume"]

#: An @mention in a post's text (TikTok handles: letters, digits, '_' and '.'); a pseudonymised
#: import keeps the mention as its pseudonym, which matches too.
MENTION = re.compile(r"@([A-Za-z0-9_.]{0,39}[A-Za-z0-9_])")


def _type(run: Run) -> str:
    """The account type of a post: the registry's, else 'user'."""
    return "coalesce(messenger::VARCHAR, 'user')" if "messenger" in run.table(
        "posts").columns else "'user'"


def volume(run: Run) -> list[dict]:
    """Posts and views per day and account type (from day 0: a simulated run's burn-in videos,
    the platform's past, have negative times)."""
    return run.rows(f"""
        SELECT (time // 86400)::BIGINT AS day, {_type(run)} AS account_type,
               count(*) AS posts, sum(coalesce(impressions, 0))::BIGINT AS views
        FROM posts WHERE time >= 0 GROUP BY ALL ORDER BY day, account_type""")


def hour_of_day(run: Run) -> list[dict]:
    """Posts per hour of the day (UTC) and account type."""
    return run.rows(f"""
        SELECT ((time % 86400) // 3600)::INTEGER AS hour, {_type(run)} AS account_type,
               count(*) AS posts
        FROM posts GROUP BY ALL ORDER BY hour, account_type""")


def _top_tags(run: Run, top: int) -> list[str]:
    return [r["hashtag"] for r in run.rows(f"""
        SELECT h AS hashtag, count(*) AS n FROM (SELECT unnest(hashtags) AS h FROM posts)
        GROUP BY 1 ORDER BY n DESC, hashtag LIMIT {int(top)}""")]


def hashtag_share(run: Run, top: int = 8) -> list[dict]:
    """For the ``top`` most used hashtags: the share of each day's posts that carry it (share
    of voice)."""
    tags = _top_tags(run, top)
    if not tags:
        return []
    return run.rows("""
        WITH d AS (SELECT (time // 86400)::BIGINT AS day, hashtags FROM posts WHERE time >= 0),
             n AS (SELECT day, count(*) AS posts FROM d GROUP BY 1)
        SELECT t.tag AS hashtag, d.day, count(*) / any_value(n.posts) AS share,
               count(*) AS posts
        FROM d, unnest(?) AS t(tag), n
        WHERE n.day = d.day AND list_contains(d.hashtags, t.tag)
        GROUP BY ALL ORDER BY hashtag, day""", [tags])


def hashtag_pairs(run: Run, top: int = 30) -> list[dict]:
    """Pairs of hashtags used on the same post, the most frequent first (the co-occurrence
    network's edges), with the number of posts and of accounts behind each."""
    return run.rows(f"""
        WITH t AS (SELECT post, account, unnest(hashtags) AS tag FROM posts)
        SELECT a.tag AS hashtag_a, b.tag AS hashtag_b, count(*) AS posts,
               count(DISTINCT a.account) AS accounts
        FROM t a JOIN t b ON a.post = b.post AND a.tag < b.tag
        GROUP BY ALL ORDER BY posts DESC, hashtag_a, hashtag_b LIMIT {int(top)}""")


def sounds(run: Run, top: int = 20) -> list[dict]:
    """The most used sounds (``music``): posts, distinct accounts, views, and the accounts that
    used it most."""
    if "music" not in run.table("posts").columns:
        return []
    return run.rows(f"""
        WITH s AS (SELECT music::VARCHAR AS sound, account::VARCHAR AS account,
                          coalesce(impressions, 0) AS views FROM posts WHERE music IS NOT NULL),
             by_account AS (SELECT sound, account, count(*) AS n FROM s GROUP BY ALL)
        SELECT s.sound, count(*) AS posts, count(DISTINCT s.account) AS accounts,
               sum(s.views)::BIGINT AS views,
               (SELECT string_agg(account, ', ' ORDER BY n DESC, account)
                FROM (SELECT account, n FROM by_account b WHERE b.sound = s.sound
                      ORDER BY n DESC, account LIMIT 5)) AS top_accounts
        FROM s GROUP BY s.sound ORDER BY posts DESC, accounts DESC, sound LIMIT {int(top)}""")


def regions(run: Run) -> list[dict]:
    """Posts, accounts and views by the region the export gives for each post (the Research
    API's ``region_code`` is the creator's registration region, not where viewers are)."""
    return run.rows("""
        SELECT coalesce(country::VARCHAR, '(not given)') AS region, count(*) AS posts,
               count(DISTINCT account) AS accounts,
               sum(coalesce(impressions, 0))::BIGINT AS views
        FROM posts GROUP BY 1 ORDER BY posts DESC, region""")


def views_distribution(run: Run) -> tuple[np.ndarray, np.ndarray]:
    """(views v, share of posts with at least v views), for posts with a view count above 0."""
    views = np.array([r[0] for r in run.con.execute(
        "SELECT impressions FROM posts WHERE impressions > 0").fetchall()], np.int64)
    if views.size == 0:
        return np.empty(0, np.int64), np.empty(0)
    values, counts = np.unique(views, return_counts=True)
    tail = np.cumsum(counts[::-1])[::-1] / views.size
    return values, tail


def engagement_by_type(run: Run) -> list[dict]:
    """Per account type: posts, views, and likes, comments and shares per view (over posts
    with a view count)."""
    return run.rows(f"""
        SELECT {_type(run)} AS account_type, count(*) AS posts,
               sum(impressions)::BIGINT AS views,
               (sum(likes) + sum(comments) + sum(shares)) / nullif(sum(impressions), 0)
                 AS engagement_per_view,
               sum(likes) / nullif(sum(impressions), 0) AS likes_per_view,
               sum(shares) / nullif(sum(impressions), 0) AS shares_per_view
        FROM posts WHERE impressions IS NOT NULL GROUP BY 1 ORDER BY views DESC NULLS LAST""")


def mentions(run: Run, top: int = 20) -> tuple[list[dict], list[dict]]:
    """(edges, most mentioned): who mentions whom in post texts (account, mentioned, posts),
    the heaviest first, and the accounts mentioned by the most distinct accounts."""
    edges: Counter[tuple[str, str]] = Counter()
    for account, text in run.con.execute(
            "SELECT account::VARCHAR, text FROM posts WHERE text LIKE '%@%'").fetchall():
        for handle in set(MENTION.findall(text or "")):
            if handle != account:
                edges[(account, handle)] += 1
    rows = [{"account": a, "mentioned": m, "posts": n}
            for (a, m), n in sorted(edges.items(), key=lambda kv: (-kv[1], kv[0]))]
    by: Counter[str] = Counter(m for _, m in edges)
    most = [{"mentioned": m, "accounts": n} for m, n in
            sorted(by.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]
    return rows, most


def comment_summary(run: Run) -> dict | None:
    """Comments when imported: per day, the reply depth (a comment on the post is depth 1, a
    reply to it 2, ...), and the most commented posts; None without comments."""
    if not run.has("interactions") or "parent" not in run.table("interactions").columns:
        return None
    rows = run.con.execute("""
        SELECT comment::VARCHAR, parent::VARCHAR, post::VARCHAR, time FROM interactions
        WHERE kind = 'comment'""").fetchall()
    if not rows:
        return None
    parent = {c: p for c, p, _, _ in rows}
    depth: dict[str, int] = {}

    def depth_of(c: str) -> int:
        path: list[str] = []
        while c not in depth:
            path.append(c)
            p = parent.get(c)
            # on the post (the API gives top-level comments the video's id as parent), a
            # parent not collected, or a loop: the walk stops at depth 1
            if p is None or p not in parent or len(path) > len(parent):
                break
            c = p
        d = depth.get(c, 0) if not path or c != path[-1] else 0
        for x in reversed(path):
            d += 1
            depth[x] = d
        return depth[path[0]] if path else depth[c]

    depths = Counter(depth_of(c) for c, _, _, _ in rows)
    per_day = Counter(int(t) // 86400 for _, _, _, t in rows if t is not None)
    top = Counter(p for _, _, p, _ in rows)
    return {
        "comments": len(rows),
        "per_day": [{"day": d, "comments": n} for d, n in sorted(per_day.items())],
        "depth": [{"depth": d, "comments": n} for d, n in sorted(depths.items())],
        "top_posts": [{"post": p, "comments": n} for p, n in
                      sorted(top.items(), key=lambda kv: (-kv[1], kv[0]))[:10]],
    }
