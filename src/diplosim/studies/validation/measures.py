"""The measures the validation suite scores: one number per replicate (one seed at one size).

Each reads the validation world's runs under one ranking (``Replicate.runs``) or the attention
run; ``findings.py`` pairs each with its published figure and tolerance.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from diplosim.analysis.attention import attention_fit
from diplosim.analysis.cascades import cascades, onward_shares, time_to_depth
from diplosim.analysis.measures import parse_measure
from diplosim.analysis.run import Run
from diplosim.studies.validation.world import Size


@dataclass
class Replicate:
    """One seed at one size: the validation world under each ranking, and the attention run."""

    runs: dict[str, Run]
    attention: Run
    users: int
    size: Size


_ENGAGEMENT = parse_measure("engagement_per_view")


@lru_cache(maxsize=8)
def _cascades(run: Run) -> list[dict]:
    return cascades(run)


def _claim_of(run: Run) -> dict[int, str]:
    return {r["post"]: r["claim"] for r in run.rows(
        "SELECT post, claim::VARCHAR AS claim FROM posts WHERE claim IS NOT NULL")}


# -- measures: one number per replicate ---------------------------------------------------------

def engagement_per_view(r: Replicate) -> float:
    return float(_ENGAGEMENT(r.runs["engagement"]))


def size_one_share(r: Replicate) -> float:
    sizes = np.array([c["size"] for c in _cascades(r.runs["engagement"])])
    return float((sizes == 1).mean())


def share_reaching_100(r: Replicate) -> float:
    sizes = np.array([c["size"] for c in _cascades(r.runs["engagement"])])
    return float((sizes >= 100).mean())


def size_orders(r: Replicate) -> float:
    """Orders of magnitude between the smallest cascade (1) and the largest."""
    return float(math.log10(max(c["size"] for c in _cascades(r.runs["engagement"]))))


def virality_spread(r: Replicate) -> float:
    """Interquartile range of the structural virality of large cascades (nan if fewer than
    four)."""
    v = [c["structural_virality"] for c in _cascades(r.runs["engagement"])
         if c["size"] >= r.size.large_cascade]
    if len(v) < 4:
        return math.nan
    q1, q3 = np.percentile(v, [25, 75])
    return float(q3 - q1)


def time_to_reach(run: Run, claim: str, people: int) -> float:
    """Hours from a claim's first post until its videos' impressions add up to ``people``
    (inf if never)."""
    rows = run.con.execute("""
        SELECT e.hour, sum(e.impressions) AS n FROM exposures e JOIN posts p USING (post)
        WHERE p.claim = ? GROUP BY 1 ORDER BY 1""", [claim]).fetchall()
    (first,) = run.con.execute("SELECT min(tick) FROM posts WHERE claim = ?",
                               [claim]).fetchone()
    total = 0
    for hour, n in rows:
        total += n
        if total >= people:
            return float(hour - first + 1)
    return math.inf


def truth_delay(r: Replicate) -> float:
    """Time for the true claim to reach 1.5% of the users over the false claim's time."""
    people = max(1, round(r.size.reach_share * r.users))
    run = r.runs["engagement"]
    return time_to_reach(run, "report", people) / time_to_reach(run, "rumour", people)


def depth_delay(r: Replicate) -> float:
    """Time for the true claim's cascades to reach depth 10 over the false claim's."""
    run = r.runs["engagement"]
    truth, falsehood = (time_to_depth(run, "p.claim::VARCHAR = ?", [claim], 10)
                        for claim in ("report", "rumour"))
    return math.nan if math.isinf(truth) and math.isinf(falsehood) else truth / falsehood


def equal_size_virality(r: Replicate) -> float:
    """Mean structural virality of the false claim's cascades minus the true claim's, compared
    within size classes (powers of two, at least 3 nodes), weighted by the smaller count of
    each class; nan with fewer than 5 matched cascades."""
    run = r.runs["engagement"]
    claim = _claim_of(run)
    by_class: dict[tuple[str, int], list[float]] = defaultdict(list)
    for c in _cascades(run):
        which = claim.get(c["post"])
        if which in ("rumour", "report") and c["size"] >= 3:
            by_class[(which, int(math.log2(c["size"])))].append(c["structural_virality"])
    total, weight = 0.0, 0
    for k in {k for _, k in by_class}:
        false, true = by_class.get(("rumour", k), []), by_class.get(("report", k), [])
        w = min(len(false), len(true))
        if w:
            total += w * (float(np.mean(false)) - float(np.mean(true)))
            weight += w
    return total / weight if weight >= 5 else math.nan


def _impressions(run: Run, actors: tuple[str, ...]) -> float:
    """The actors' views on the platform (``platform_views``): the accounts a scenario names
    are kept whole, so the simulated sample sees only the sampling fraction of them."""
    (v,) = run.con.execute(
        "SELECT coalesce(sum(platform_views), 0) FROM posts WHERE actor::VARCHAR IN "
        f"({', '.join('?' for _ in actors)})", list(actors)).fetchone()
    return float(v)


def amplification(r: Replicate) -> float:
    """Political accounts' platform views under engagement ranking over chronological."""
    parties = ("party_left", "party_right")
    chronological = _impressions(r.runs["chronological"], parties)
    # no sampled follower saw them on a feed of follows alone: the ratio is not computable
    if not chronological:
        return math.nan
    return _impressions(r.runs["engagement"], parties) / chronological


def newcomer_reach(r: Replicate) -> float:
    """A no-follower account's platform views under engagement ranking over social ranking."""
    return (_impressions(r.runs["engagement"], ("newcomer",))
            / max(_impressions(r.runs["social"], ("newcomer",)), 1.0))


def _stance_sd(run: Run, day: str) -> float:
    pick = "max" if day == "last" else "min"
    (sd,) = run.con.execute(f"""
        SELECT sd FROM attitudes WHERE kind = 'stance' AND subject = 'policy'
          AND country = 'US' AND day = (SELECT {pick}(day) FROM attitudes)""").fetchone()
    return float(sd)


def chronological_polarisation(r: Replicate) -> float:
    """US stance spread at the end under a chronological feed minus under engagement ranking,
    in units of the spread at the start."""
    start = _stance_sd(r.runs["engagement"], "first")
    return (_stance_sd(r.runs["chronological"], "last")
            - _stance_sd(r.runs["engagement"], "last")) / start


def chronological_time(r: Replicate) -> float:
    """Time on the platform under a chronological feed over engagement ranking: not modelled
    (sessions per day do not depend on the feed), so nan."""
    return math.nan


def views_per_video(r: Replicate) -> float:
    """Mean platform views of the sampled users' videos posted during the run (their views
    per video are the platform's: the ODD page's sampling concept)."""
    (x,) = r.runs["engagement"].con.execute(
        "SELECT avg(platform_views) FROM posts WHERE messenger::VARCHAR = 'user' "
        "AND day >= 0").fetchone()
    return float(x)


def views_concentration(r: Replicate) -> float:
    """The 99th percentile of the sampled users' videos' platform views over their mean, for
    videos at least three days old at the run's end (the published figures are of videos
    measured after their views had come in)."""
    (p99, mean) = r.runs["engagement"].con.execute(
        "SELECT quantile_cont(platform_views, 0.99), avg(platform_views) FROM posts "
        "WHERE messenger::VARCHAR = 'user' AND day >= 0 AND day <= ?",
        [r.size.days - 3]).fetchone()
    return float(p99) / float(mean) if mean else math.nan


def first_day_share(r: Replicate) -> float:
    """Of the views the sampled users' day-0 videos drew in their first 48 hours, the share
    drawn in their first 24."""
    (first, two) = r.runs["engagement"].con.execute(
        "SELECT sum(e.impressions) FILTER (WHERE e.hour < p.tick + 24), "
        "sum(e.impressions) FILTER (WHERE e.hour < p.tick + 48) FROM exposures e "
        "JOIN posts p ON p.post = e.post WHERE p.messenger::VARCHAR = 'user' AND p.day = 0"
    ).fetchone()
    return float(first) / float(two) if two else math.nan


def onward_share_ratio(r: Replicate) -> float:
    return onward_shares(r.runs["engagement"])


def deepest_cascade(r: Replicate) -> float:
    return float(max(c["depth"] for c in _cascades(r.runs["engagement"])))


def attention_correlation(r: Replicate) -> float:
    return attention_fit(r.attention).correlation


def attention_april(r: Replicate) -> float:
    return attention_fit(r.attention).april_over_march


#: The For You feed's own sources (``engine.outcomes.BY_SOURCE``); the others are the
#: sampled follow graph (``followed``) and friends' sends (``inbox``).
FOR_YOU = ("pool", "trending", "interest", "diversity")


def _per_view(run: Run, sources: tuple[str, ...], what: str) -> float:
    by = run.manifest["views_by_source"]
    seen = sum(by[s]["impressions"] for s in sources)
    return sum(by[s][what] for s in sources) / seen if seen else math.nan


def followed_like_ratio(r: Replicate) -> float:
    """Likes per impression of the videos the followed source served over likes per impression
    of those the For You sources served (engagement ranking)."""
    run = r.runs["engagement"]
    for_you = _per_view(run, FOR_YOU, "likes")
    return _per_view(run, ("followed",), "likes") / for_you if for_you > 0 else math.nan


def _share_of_views(run: Run, sources: tuple[str, ...]) -> float:
    by = run.manifest["views_by_source"]
    total = sum(b["impressions"] for b in by.values())
    return sum(by[s]["impressions"] for s in sources) / total if total else math.nan


def followed_share(r: Replicate) -> float:
    """Share of the engagement feed's impressions served from followed accounts."""
    return _share_of_views(r.runs["engagement"], ("followed",))


def for_you_share(r: Replicate) -> float:
    """Share of the engagement feed's impressions served by the For You sources."""
    return _share_of_views(r.runs["engagement"], FOR_YOU)


def _share_of_impressions(run: Run, where: str) -> float:
    """Share of the sample's impressions that went to posts matching ``where``."""
    (part, total) = run.con.execute(
        f"SELECT coalesce(sum(impressions) FILTER (WHERE {where}), 0), sum(impressions) "
        "FROM posts").fetchone()
    return float(part) / float(total) if total else math.nan


def _chronological_over_engagement(r: Replicate, where: str) -> float:
    ranked = _share_of_impressions(r.runs["engagement"], where)
    if not ranked or not math.isfinite(ranked):
        return math.nan
    return _share_of_impressions(r.runs["chronological"], where) / ranked


def chronological_political(r: Replicate) -> float:
    """Share of impressions going to political posts (those taking a stance on an issue) under
    a chronological feed over the share under engagement ranking."""
    return _chronological_over_engagement(r, "issue IS NOT NULL")


def chronological_untrustworthy(r: Replicate) -> float:
    """Share of impressions going to the posts of the outlet rated untrustworthy (its posts
    carry a false claim) under a chronological feed over the share under engagement ranking."""
    return _chronological_over_engagement(r, "actor = 'outlet_untrustworthy'")


def chronological_trustworthy(r: Replicate) -> float:
    """The same ratio for the untrustworthy outlet's twin, whose posts carry a true claim."""
    return _chronological_over_engagement(r, "actor = 'outlet_trustworthy'")
