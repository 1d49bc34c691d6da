"""Figures from the Research API's per-user lists as imported (``follows``: follower,
followed; ``engagements``: account, relation, post, creator) and from the posts' duet and
label fields. Each returns plain rows; an absent table gives none.

The lists are states at collection time, not events: the API gives no time for a follow,
repost or like, so nothing here is windowed (unlike ``coordination``).
"""

from __future__ import annotations

from diplosim.analysis.run import Run

__all__ = ["audience_overlap", "duets", "engagement_summary", "follow_summary", "labels",
           "most_followed", "shared_engagements", "top_engaged"]


def follow_summary(run: Run) -> dict | None:
    """Ties, accounts, how many ties are returned (both directions listed), and how many
    accounts were listed from each side."""
    if not run.has("follows"):
        return None
    ties, accounts, mutual, followers, followed = run.con.execute("""
        WITH f AS (SELECT DISTINCT follower, followed FROM follows)
        SELECT count(*),
               (SELECT count(*) FROM (SELECT follower FROM f UNION SELECT followed FROM f)),
               (SELECT count(*) FROM f a JOIN f b
                  ON a.follower = b.followed AND a.followed = b.follower),
               count(DISTINCT follower), count(DISTINCT followed)
        FROM f""").fetchone()
    return {"ties": ties, "accounts": accounts, "mutual_ties": mutual,
            "mutual_share": mutual / ties if ties else None, "followers": followers,
            "followed": followed}


def most_followed(run: Run, top: int = 20) -> list[dict]:
    """The accounts with the most followers in the imported lists, with their registry type
    when a registry was given."""
    if not run.has("follows"):
        return []
    kind = ("coalesce(a.actor_type, 'user')" if run.has("accounts") else "'user'")
    join = "LEFT JOIN accounts a ON a.account = f.followed" if run.has("accounts") else ""
    return run.rows(f"""
        SELECT f.followed::VARCHAR AS account, {kind} AS account_type,
               count(DISTINCT f.follower) AS followers_listed
        FROM follows f {join} GROUP BY 1, 2
        ORDER BY followers_listed DESC, account LIMIT {int(top)}""")


def audience_overlap(run: Run, top: int = 20) -> list[dict]:
    """Pairs of followed accounts by the followers they share (Jaccard: shared / either's),
    among accounts with at least two listed followers."""
    if not run.has("follows"):
        return []
    return run.rows(f"""
        WITH f AS (SELECT DISTINCT follower, followed FROM follows),
             n AS (SELECT followed, count(*) AS k FROM f GROUP BY 1 HAVING count(*) >= 2),
             s AS (SELECT a.followed AS x, b.followed AS y, count(*) AS shared
                   FROM f a JOIN f b ON a.follower = b.follower AND a.followed < b.followed
                   WHERE a.followed IN (SELECT followed FROM n)
                     AND b.followed IN (SELECT followed FROM n)
                   GROUP BY 1, 2)
        SELECT s.x::VARCHAR AS account_a, s.y::VARCHAR AS account_b, s.shared AS shared_followers,
               s.shared / (nx.k + ny.k - s.shared) AS jaccard
        FROM s JOIN n nx ON nx.followed = s.x JOIN n ny ON ny.followed = s.y
        ORDER BY jaccard DESC, shared_followers DESC, account_a, account_b LIMIT {int(top)}""")


def engagement_summary(run: Run) -> list[dict]:
    """Per relation (repost, like, pin): the accounts listed, the videos, and the creators."""
    if not run.has("engagements"):
        return []
    return run.rows("""
        SELECT relation, count(DISTINCT account) AS accounts, count(*) AS listed,
               count(DISTINCT post) AS videos, count(DISTINCT creator) AS creators
        FROM engagements GROUP BY 1 ORDER BY 1""")


def top_engaged(run: Run, top: int = 20) -> list[dict]:
    """The videos listed by the most accounts, per relation, with their creator."""
    if not run.has("engagements"):
        return []
    return run.rows(f"""
        SELECT relation, post::VARCHAR AS post, any_value(creator)::VARCHAR AS creator,
               count(DISTINCT account) AS accounts
        FROM engagements GROUP BY 1, 2
        ORDER BY accounts DESC, relation, post LIMIT {int(top)}""")


def shared_engagements(run: Run, relation: str = "repost", top: int = 20,
                       min_shared: int = 2) -> list[dict]:
    """Pairs of accounts by the videos both listed (reposted, liked...), with Jaccard. No
    time: two accounts reposting the same videos months apart count alike, so this ranks
    pairs to inspect; it is not evidence of coordination by itself."""
    if not run.has("engagements"):
        return []
    return run.rows(f"""
        WITH e AS (SELECT DISTINCT account, post FROM engagements WHERE relation = ?),
             n AS (SELECT account, count(*) AS k FROM e GROUP BY 1),
             s AS (SELECT a.account AS x, b.account AS y, count(*) AS shared
                   FROM e a JOIN e b ON a.post = b.post AND a.account < b.account
                   GROUP BY 1, 2 HAVING count(*) >= {int(min_shared)})
        SELECT s.x::VARCHAR AS account_a, s.y::VARCHAR AS account_b, s.shared AS shared_videos,
               s.shared / (nx.k + ny.k - s.shared) AS jaccard
        FROM s JOIN n nx ON nx.account = s.x JOIN n ny ON ny.account = s.y
        ORDER BY shared_videos DESC, jaccard DESC, account_a, account_b LIMIT {int(top)}""",
                    [relation])


def _has_column(run: Run, name: str) -> bool:
    return run.has("posts") and name in run.table("posts").columns


def labels(run: Run) -> list[dict]:
    """Posts carrying each platform label (``video_label``), by account type."""
    if not _has_column(run, "label"):
        return []
    return run.rows("""
        SELECT label, messenger AS account_type, count(*) AS posts,
               count(DISTINCT account) AS accounts, sum(views)::BIGINT AS views
        FROM posts WHERE label IS NOT NULL AND label <> ''
        GROUP BY 1, 2 ORDER BY posts DESC, label, account_type""")


def duets(run: Run, top: int = 20) -> list[dict]:
    """The videos dueted most, by how many posts and accounts, with the source's author when
    the export holds it."""
    if not _has_column(run, "duet_of"):
        return []
    return run.rows(f"""
        SELECT d.duet_of::VARCHAR AS video, any_value(s.account)::VARCHAR AS author,
               count(*) AS duets, count(DISTINCT d.account) AS accounts,
               min(d.time) AS first, max(d.time) AS last
        FROM posts d LEFT JOIN posts s ON s.post = d.duet_of
        WHERE d.duet_of IS NOT NULL GROUP BY 1
        ORDER BY duets DESC, video LIMIT {int(top)}""")
