"""The report of an imported folder: sections built for what a platform export holds, each
saying what the export cannot tell (a section with nothing in this export says why).

The data-quality section comes first; then volume over time, accounts, hashtags, sounds,
regions, engagement, mentions, comments and coordination (``diplosim.report.sections``'s, the
same detector the simulated runs use).
"""

from __future__ import annotations

from collections import defaultdict

import plotly.graph_objects as go

from diplosim.analysis import exports, user_lists
from diplosim.analysis.coordination import bursts
from diplosim.analysis.quality import quality_checks
from diplosim.analysis.run import Run
from diplosim.report.sections import (
    MAX_SERIES,
    PALETTE,
    Section,
    Table,
    actors,
    coordination_network,
)

__all__ = ["IMPORTED_SECTIONS", "build_imported_sections"]


def quality(run: Run) -> Section:
    checks = quality_checks(run)
    found = [c for c in checks if c.count]
    sec = Section("quality", "Data quality", intro="What in the export is implausible, counted "
                  "and explained. Rows the import could not load are in the folder's "
                  "rejected table with their file, line and reason; rows it loaded are "
                  "checked for what the platform would not write. Every check is listed, "
                  "zero counts included.")
    sec.notes.append(f"{len(found)} of {len(checks)} checks found something." if found
                     else f"None of the {len(checks)} checks found anything.")
    sec.tables.append(Table("Checks", [c.as_row() for c in checks],
                            {"rows": "int", "of": "int", "share": "pct"}))
    return sec


def _lines(rows: list[dict], x: str, y: str, series: str, x_title: str, y_title: str,
           bars: bool = False) -> go.Figure:
    groups: dict[str, list[tuple]] = defaultdict(list)
    for r in rows:
        groups[str(r[series])].append((r[x], r[y]))
    order = sorted(groups, key=lambda g: (-sum(v for _, v in groups[g]), g))[:MAX_SERIES]
    fig = go.Figure()
    for i, name in enumerate(order):
        xs, ys = zip(*sorted(groups[name]), strict=True)
        if bars:
            fig.add_bar(x=xs, y=ys, name=name, marker_color=PALETTE[i % len(PALETTE)])
        else:
            fig.add_scatter(x=xs, y=ys, name=name, mode="lines+markers",
                            line_color=PALETTE[i % len(PALETTE)])
    fig.update_layout(height=380, barmode="stack", xaxis_title=x_title, yaxis_title=y_title,
                      legend_title_text=series.replace("_", " "))
    return fig


def volume(run: Run) -> Section:
    rows = exports.volume(run)
    sec = Section("volume", "Posting volume and views over time", intro="Posts per day (UTC) "
                  "by account type (the registry's types; 'user' for accounts not in it), and "
                  "posts by hour of the day. Limits: an export holds what its query matched "
                  "and when it was collected: a rise may be the platform's or the search's, "
                  "and view counts are as of collection, not of the day posted.")
    if not rows:
        sec.missing = "The export has no posts."
        return sec
    for r in rows:
        r["date"] = _date(r["day"])
    sec.figure = _lines(rows, "date", "posts", "account_type", "day (UTC)", "posts")
    hours = exports.hour_of_day(run)
    by_hour: dict[int, int] = defaultdict(int)
    for r in hours:
        by_hour[r["hour"]] += r["posts"]
    sec.tables.append(Table("Posts by hour of the day (UTC)",
                            [{"hour": h, "posts": by_hour.get(h, 0)} for h in range(24)],
                            {"hour": "int", "posts": "int"}))
    daily: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        daily[r["date"]][0] += r["posts"]
        daily[r["date"]][1] += r["views"]
    sec.tables.append(Table("Per day", [{"day": d, "posts": p, "views": v}
                                        for d, (p, v) in sorted(daily.items())],
                            {"posts": "int", "views": "int"}))
    return sec


def _date(day: int) -> str:
    import datetime as dt

    return (dt.date(1970, 1, 1) + dt.timedelta(days=int(day))).isoformat()


def hashtags(run: Run) -> Section:
    share = exports.hashtag_share(run)
    sec = Section("hashtags", "Hashtags: share of voice and co-occurrence", intro="For the "
                  "most used hashtags, the share of each day's posts that carry them; below, "
                  "the pairs of hashtags used on the same post most often (the edges of the "
                  "co-occurrence network). Limits: a search by hashtag over-represents the "
                  "tags it searched for.")
    if not share:
        sec.missing = "No post in the export carries a hashtag."
        return sec
    for r in share:
        r["date"] = _date(r["day"])
    sec.figure = _lines(share, "date", "share", "hashtag", "day (UTC)", "share of the day's posts")
    sec.figure.update_yaxes(tickformat=".0%")
    sec.tables.append(Table("Hashtags used together", exports.hashtag_pairs(run),
                            {"posts": "int", "accounts": "int"}))
    found = [{**b, "start": run.when(b["start"]), "end": run.when(b["end"])}
             for b in bursts(run, "hashtag")]
    if found:
        sec.tables.append(Table("Hashtag bursts (hourly count above the previous day's mean "
                                "by 3 sd)", found[:20], {"peak": "int", "actions": "int"}))
    return sec


def sounds(run: Run) -> Section:
    rows = exports.sounds(run)
    sec = Section("sounds", "Sounds", intro="The sounds (music ids) used most, by how many "
                  "posts and accounts, with the accounts that used each most. Many accounts "
                  "sharing one sound is ordinary on TikTok (a trend); few accounts using it "
                  "within seconds of each other is what the coordination section looks for.")
    if not rows:
        sec.missing = "The export gives no sound (music id) for its posts."
        return sec
    sec.tables.append(Table("Most used sounds", rows, {"posts": "int", "accounts": "int",
                                                       "views": "int", "sound": "id"}))
    return sec


def regions(run: Run) -> Section:
    rows = exports.regions(run)
    sec = Section("regions", "Creator region", intro="Posts, accounts and views by the region "
                  "the export gives. Limits: the Research API's region_code is the creator's "
                  "registration region and Zeeschuimer's locationCreated where the video was "
                  "posted; neither says where the viewers are.")
    if not rows or all(r["region"] == "(not given)" for r in rows):
        sec.missing = "The export gives no region for its posts."
        return sec
    fig = go.Figure(go.Bar(x=[r["region"] for r in rows[:30]],
                           y=[r["posts"] for r in rows[:30]], marker_color=PALETTE[0]))
    fig.update_layout(height=360, xaxis_title="region", yaxis_title="posts")
    sec.figure = fig
    sec.tables.append(Table("By region", rows, {"posts": "int", "accounts": "int",
                                                "views": "int"}))
    return sec


def engagement(run: Run) -> Section:
    values, tail = exports.views_distribution(run)
    sec = Section("engagement", "Views and engagement", intro="The distribution of views per "
                  "post (share of posts with at least v views, log-log axes) and engagement "
                  "per view by account type. Limits: counts are public counters at "
                  "collection time; a young post has had less time to gather views.")
    if values.size == 0:
        sec.missing = "The export gives no view counts."
        return sec
    fig = go.Figure(go.Scatter(x=values, y=tail, mode="markers+lines",
                               hovertemplate="views ≥ %{x:,}: %{y:.2%}<extra></extra>"))
    fig.update_xaxes(type="log", title_text="views v")
    fig.update_yaxes(type="log", title_text="share of posts with ≥ v views",
                     exponentformat="power")
    fig.update_layout(height=400, showlegend=False)
    sec.figure = fig
    sec.tables.append(Table("Engagement per view by account type", exports.engagement_by_type(
        run), {"posts": "int", "views": "int", "engagement_per_view": "pct",
               "likes_per_view": "pct", "shares_per_view": "pct"}))
    return sec


def mentions(run: Run) -> Section:
    edges, most = exports.mentions(run)
    sec = Section("mentions", "Mentions", intro="Who mentions whom (@handle) in post texts: "
                  "the heaviest edges of the mention network and the accounts mentioned by "
                  "the most accounts. Limits: only mentions written in the description; "
                  "tags in the video itself are not in the export.")
    if not edges:
        sec.missing = "No post text in the export mentions another account."
        return sec
    sec.notes.append(f"{len(edges):,} mention edges among "
                     f"{len({e['account'] for e in edges} | {e['mentioned'] for e in edges}):,}"
                     " accounts.")
    sec.tables.append(Table("Most mentioned", most, {"accounts": "int"}))
    sec.tables.append(Table("Heaviest mention edges", edges[:20], {"posts": "int"}))
    return sec


def comments(run: Run) -> Section:
    summary = exports.comment_summary(run)
    sec = Section("comments", "Comments", intro="Comment volume per day, reply depth (1: on "
                  "the video, 2: a reply to a comment, ...) and the most commented posts. "
                  "Limits: the Research API returns at most 1,000 comments per video.")
    if summary is None:
        sec.missing = ("No comments were imported (import them with `diplosim import "
                       "tiktok-comments`).")
        return sec
    for r in summary["per_day"]:
        r["day"] = _date(r["day"])
    sec.notes.append(f"{summary['comments']:,} comments.")
    sec.tables.append(Table("Reply depth", summary["depth"], {"depth": "int",
                                                              "comments": "int"}))
    sec.tables.append(Table("Most commented posts", summary["top_posts"],
                            {"post": "id", "comments": "int"}))
    sec.tables.append(Table("Per day", summary["per_day"], {"comments": "int"}))
    return sec


def accounts(run: Run) -> Section:
    sec = actors(run)
    sec.tables = [t for t in sec.tables if t.rows]  # no registry: no actors, no campaigns
    sec.title = "Accounts and actors"
    sec.intro = ("Accounts ranked by views; actors are the registry's accounts (with their "
                 "types and labels), when a registry was given at import.")
    if run.has("accounts") and "label" in run.table("accounts").columns:
        labelled = run.rows("""
            SELECT account::VARCHAR AS account, actor_type, label, state_affiliated, posts
            FROM accounts WHERE actor IS NOT NULL ORDER BY posts DESC, account LIMIT 30""")
        if labelled:
            sec.tables.insert(0, Table("Registry accounts", labelled, {"posts": "int"}))
    return sec


def labels(run: Run) -> Section:
    sec = Section("labels", "Platform labels and state affiliation", intro="Posts carrying a "
                  "label TikTok added (the Research API's video_label, such as an election "
                  "information label), by account type; and the registry's state-affiliated "
                  "accounts. Limits: the API gives the label's text only, not when it was "
                  "added; state affiliation is the registry's, not the platform's.")
    rows = user_lists.labels(run)
    if rows:
        sec.tables.append(Table("Labelled posts", rows, {"posts": "int", "accounts": "int",
                                                         "views": "int"}))
    if run.has("accounts") and "state_affiliated" in run.table("accounts").columns:
        state = run.rows("""
            SELECT a.account::VARCHAR AS account, a.actor_type, a.label, a.posts,
                   sum(p.views)::BIGINT AS views
            FROM accounts a LEFT JOIN posts p USING (account)
            WHERE a.state_affiliated GROUP BY 1, 2, 3, 4
            ORDER BY views DESC NULLS LAST, account LIMIT 30""")
        if state:
            sec.tables.append(Table("State-affiliated accounts (registry)", state,
                                    {"posts": "int", "views": "int"}))
    if not sec.tables:
        sec.missing = ("No post carries a platform label and no registry account is "
                       "state-affiliated.")
    return sec


def duets(run: Run) -> Section:
    sec = Section("duets", "Duets", intro="The videos dueted most (a duet shows another "
                  "video beside the new one), by how many posts and accounts. Limits: web "
                  "captures (Zeeschuimer, TikTokApi) name a duet's source; the Research API "
                  "does not.")
    rows = user_lists.duets(run)
    for r in rows:
        r["first"], r["last"] = _when(r["first"]), _when(r["last"])
    sec.tables.append(Table("Most dueted videos", rows, {"video": "id", "duets": "int",
                                                         "accounts": "int"}))
    return sec


def _when(t: int | None) -> str:
    import datetime as dt

    return "" if t is None else dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%d %H:%M")


def follow_graph(run: Run) -> Section:
    s = user_lists.follow_summary(run)
    sec = Section("follows", "Follow graph", intro="Who follows whom, from the Research API's "
                  "followers and following lists: the accounts with the most followers in "
                  "the lists imported, and the pairs of accounts whose listed followers "
                  "overlap most (a shared audience). Limits: a list is the state when it "
                  "was collected, with no time for each follow; the graph holds only the "
                  "accounts whose lists were asked for and their neighbours.")
    assert s is not None
    sec.notes.append(f"{s['ties']:,} follow ties among {s['accounts']:,} accounts; "
                     f"{s['mutual_ties']:,} ties are mutual "
                     f"({(s['mutual_share'] or 0):.1%}).")
    sec.tables.append(Table("Most followed in the lists", user_lists.most_followed(run),
                            {"followers_listed": "int"}))
    overlap = user_lists.audience_overlap(run)
    if overlap:
        sec.tables.append(Table("Shared audiences (listed followers in common)", overlap,
                                {"shared_followers": "int", "jaccard": "pct"}))
    return sec


def user_videos(run: Run) -> Section:
    sec = Section("user_videos", "Reposted, liked and pinned videos", intro="From the "
                  "Research API's per-user video lists: how many accounts and videos each "
                  "list holds, the videos listed by the most accounts, and the pairs of "
                  "accounts that reposted the most videos in common. Limits: the lists give "
                  "no time of the repost or like, so shared reposts rank pairs to inspect "
                  "rather than showing coordination (which needs times: see the "
                  "coordination section); most accounts keep these lists private.")
    sec.tables.append(Table("Lists imported", user_lists.engagement_summary(run),
                            {"accounts": "int", "listed": "int", "videos": "int",
                             "creators": "int"}))
    sec.tables.append(Table("Videos listed by the most accounts", user_lists.top_engaged(run),
                            {"post": "id", "accounts": "int"}))
    shared = user_lists.shared_engagements(run)
    if shared:
        sec.tables.append(Table("Accounts reposting the same videos (two or more)", shared,
                                {"shared_videos": "int", "jaccard": "pct"}))
    return sec


#: Every section an imported folder can have, in order (``build_imported_sections`` picks
#: those its tables make possible).
IMPORTED_SECTIONS = (quality, volume, accounts, hashtags, sounds, regions, engagement, labels,
                     duets, mentions, comments, coordination_network, follow_graph,
                     user_videos)


def build_imported_sections(run: Run) -> list[Section]:
    """The sections the folder's tables make possible: the posts' (with duets only when the
    export names duet sources), the follow graph and the per-user video lists."""
    chosen = [quality]
    if run.has("posts"):
        chosen += [volume, accounts, hashtags, sounds, regions, engagement, labels]
        if user_lists.duets(run, 1):
            chosen.append(duets)
        chosen += [mentions, comments, coordination_network]
    if run.has("follows"):
        chosen.append(follow_graph)
    if run.has("engagements"):
        chosen.append(user_videos)
    return [build(run) for build in chosen]
