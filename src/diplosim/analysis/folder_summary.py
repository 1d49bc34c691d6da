"""What ``diplosim summary`` shows of a folder, computed in one call: a simulated run's headline
and measures, or an imported folder's data-quality checks and what an export holds (never a
measure that imported data could not answer). Each table is a list of rows (dicts); a table
the folder cannot answer is None.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from diplosim.analysis import exports, user_lists
from diplosim.analysis.audience import published_reach
from diplosim.analysis.events import event_effects
from diplosim.analysis.misinformation import label_exposure
from diplosim.analysis.quality import Check, quality_checks
from diplosim.analysis.reach import engagement_rate
from diplosim.analysis.run import Run, load_run
from diplosim.analysis.summary import headline

__all__ = ["ImportedSummary", "PostsOverview", "Rejected", "RunSummary", "folder_summary",
           "rejected_sample", "summary_tables", "top_posts"]


@dataclass
class Rejected:
    """How many input rows the import rejected, and the first few (file, line, item, reason)."""

    count: int
    first: list[dict]


@dataclass
class RunSummary:
    """A simulated run: the headline tables (``analysis.summary.headline``), engagement per
    view by actor, event effects, false claims' exposure around their label, rejected rows."""

    headline: dict[str, list[dict] | None]
    engagement: list[dict] | None
    event_effects: list[dict] | None
    label_exposure: list[dict] | None
    rejected: Rejected | None
    top_posts: list[dict] | None = None
    published: list[dict] | None = None  # views per post beside the scenario's audience figures


@dataclass
class PostsOverview:
    """The posts table at a glance; ``first`` and ``last`` in seconds since 1970 (UTC)."""

    posts: int
    accounts: int
    first: int | None
    last: int | None
    views: int


@dataclass
class ImportedSummary:
    """An imported folder: every quality check; the follow graph and per-user lists when
    imported; and, when posts were imported, what an export holds."""

    checks: list[Check]
    follows: dict | None
    most_followed: list[dict] | None
    engagement_lists: list[dict] | None  # None: no engagements table
    shared_engagements: list[dict] | None
    has_posts: bool
    has_lists: bool  # follows or engagements imported
    overview: PostsOverview | None = None
    engagement_by_type: list[dict] | None = None
    top_accounts: list[dict] | None = None
    hashtag_pairs: list[dict] | None = None
    sounds: list[dict] | None = None
    regions: list[dict] | None = None
    labels: list[dict] | None = None
    duets: list[dict] | None = None
    comments: dict | None = None
    rejected: Rejected | None = None


def rejected_sample(run: Run, limit: int = 10) -> Rejected | None:
    """The rejected table's size and its first ``limit`` rows by file and line (None without
    one)."""
    if not run.has("rejected"):
        return None
    (n,) = run.con.execute("SELECT count(*) FROM rejected").fetchone()
    return Rejected(n, run.rows("SELECT file, line, item, reason FROM rejected "
                                f"ORDER BY file, line, item LIMIT {int(limit)}"))


def folder_summary(path: str | Path) -> RunSummary | ImportedSummary:
    """The summary of a run folder or an imported folder (``manifest.json``'s ``kind``)."""
    run = load_run(path)
    if run.manifest.get("kind") == "import":
        return _imported(run)
    return RunSummary(
        headline=headline(path),
        engagement=engagement_rate(run) if run.has("posts") else None,
        event_effects=event_effects(run) if run.has("events", "exposures", "posts") else None,
        label_exposure=(label_exposure(run) if run.has("posts", "exposures")
                        and "claim" in run.table("posts").columns else None),
        rejected=rejected_sample(run),
        top_posts=top_posts(run) if run.has("posts") else None,
        published=[r for r in published_reach(run) if r["published_views_per_post"]] or None)


def top_posts(run: Run, per_actor: int = 5) -> list[dict]:
    """Each actor's (and coordinated network's) ``per_actor`` most viewed posts: the day it was
    posted (and its date when the scenario gives a start), its views on the platform
    (estimated: the sample's impressions over the sampling fraction), the sample's
    impressions, engagements per impression and shares."""
    start = (run.manifest.get("scenario") or {}).get("start")
    views = ("platform_views" if run.has_column("posts", "platform_views")
             else "impressions")
    rows = run.rows(f"""
        SELECT actor::VARCHAR AS actor, post::VARCHAR AS post, day, {views} AS platform_views,
               impressions, (likes + comments + shares) / nullif(impressions, 0)
                 AS engagement_per_view, shares
        FROM posts WHERE actor IS NOT NULL
        QUALIFY row_number() OVER (PARTITION BY actor ORDER BY {views} DESC, post) <= ?
        ORDER BY actor, platform_views DESC, post""", [int(per_actor)])
    if start:
        from datetime import date, timedelta

        day0 = date.fromisoformat(str(start))
        for r in rows:
            r["date"] = (day0 + timedelta(days=int(r["day"]))).isoformat()
    return rows


def summary_tables(s: RunSummary | ImportedSummary) -> dict[str, list[dict]]:
    """Every table of a summary by name, as rows (for ``diplosim summary --format
    json|csv|md``); tables the folder cannot answer are left out."""
    if isinstance(s, RunSummary):
        tables = {name: rows for name, rows in s.headline.items()}
        tables.update({"engagement_by_actor": s.engagement, "top_posts": s.top_posts,
                       "published_audience": s.published,
                       "event_effects": s.event_effects, "label_exposure": s.label_exposure,
                       "rejected": s.rejected.first if s.rejected else None})
    else:
        o = s.overview
        tables = {
            "quality_checks": [{"check": c.title, "rows": c.count, "of": c.of,
                                "examples": ", ".join(c.examples)} for c in s.checks],
            "overview": None if o is None else [{
                "posts": o.posts, "accounts": o.accounts, "first": o.first, "last": o.last,
                "views": o.views}],
            "follows": None if s.follows is None else [s.follows],
            "most_followed": s.most_followed, "engagement_lists": s.engagement_lists,
            "shared_engagements": s.shared_engagements,
            "engagement_by_type": s.engagement_by_type, "top_accounts": s.top_accounts,
            "hashtag_pairs": s.hashtag_pairs, "sounds": s.sounds, "regions": s.regions,
            "labels": s.labels, "duets": s.duets,
            "comments": None if s.comments is None else [s.comments],
            "rejected": s.rejected.first if s.rejected else None}
    return {name: rows for name, rows in tables.items() if rows is not None}


def _imported(run: Run) -> ImportedSummary:
    follows = user_lists.follow_summary(run)
    engaged = run.has("engagements")
    s = ImportedSummary(
        checks=quality_checks(run), follows=follows,
        most_followed=user_lists.most_followed(run, 10) if follows is not None else None,
        engagement_lists=user_lists.engagement_summary(run) if engaged else None,
        shared_engagements=user_lists.shared_engagements(run, top=10) if engaged else None,
        has_posts=run.has("posts"), has_lists=run.has("follows") or engaged)
    if not s.has_posts:
        return s
    (n, accounts, first, last, views) = run.con.execute(
        "SELECT count(*), count(DISTINCT account), min(time), max(time), sum(impressions) "
        "FROM posts").fetchone()
    s.overview = PostsOverview(n, accounts, first, last, int(views or 0))
    s.engagement_by_type = exports.engagement_by_type(run)
    s.top_accounts = run.rows("""
        SELECT account::VARCHAR AS account, count(*) AS posts,
               sum(impressions)::BIGINT AS views FROM posts
        GROUP BY 1 ORDER BY views DESC NULLS LAST, posts DESC, account LIMIT 10""")
    s.hashtag_pairs = exports.hashtag_pairs(run, 10)
    s.sounds = exports.sounds(run, 10)
    s.regions = exports.regions(run)
    s.labels = user_lists.labels(run)
    s.duets = user_lists.duets(run, 10)
    s.comments = exports.comment_summary(run)
    s.rejected = rejected_sample(run)
    return s
