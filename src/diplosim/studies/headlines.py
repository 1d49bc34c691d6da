"""The headline of each built-in scenario: what its question needs, measured on one replicate's
runs (a dict of variant -> run folder) and written through a ``Figures`` object, so that
``make scenarios`` can give every figure its interval over the replicates and every comparison
between variants its paired difference (``diplosim.studies.figures``).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from diplosim.analysis.attention import (
    ATTENTION_MONTHS,
    ATTENTION_REAL,
    REAL_CURVE,
    attention_fit,
    exponential_fit,
    longest_half_life,
    two_phase_fit,
    weekly_fall,
)
from diplosim.analysis.measures import (
    attitude,
    impressions,
    platform_daily_viewers,
    platform_views,
    positive_share,
)
from diplosim.analysis.reach import engagement_rate, follower_growth
from diplosim.analysis.run import Run
from diplosim.parameters import resolve_parameters
from diplosim.store.sweeps import BASE
from diplosim.studies.directions import stance_change_by_age
from diplosim.studies.figures import Figures
from diplosim.studies.tables import (
    actor_row,
    event_of,
    minus,
    scenario_of,
    stance_by_country,
    table,
)

__all__ = ["BASE", "HEADLINES"]


# -- one headline per scenario --------------------------------------------------------------

def _ukraine(runs: dict[str, Run], f: Figures) -> str:
    base, nob, noeu = runs[BASE], runs["no_briefing"], runs["no_eu_block"]
    actors = ["ua_president", "ua_citizens", "ru_state_media"]
    home = {"ua_president": "UA", "ua_citizens": "UA", "ru_state_media": "RU"}
    rows = []
    for a in actors:
        total = platform_views(base, a)
        outside = total - platform_views(base, a, [home[a]])
        rows.append([f"`{a}`", f.num(total), f.pct(outside / total if total else None)])
    countries = ["US", "GB", "DE", "FR", "PL", "BR", "ID", "TR", "RU", "UA"]
    share_rows = [[c, f.pct(positive_share(base, "ukraine_war", [c]))] for c in countries]
    days = scenario_of(base)["duration_days"]
    briefing = event_of(base, "influencer_briefing")
    after = (math.floor(briefing["day"]), days)
    # the briefed creators are sampled users: a sampled user's video draws the platform's views
    # per video, so the sponsored posts' own impressions are their views on the platform
    briefed = impressions(base, countries=briefing["countries"], days=after,
                          where="p.sponsor IS NOT NULL")
    us_with = positive_share(base, "ukraine_war", ["US"], after)
    us_without = positive_share(nob, "ukraine_war", ["US"], after)
    eu_campaign = next(c for a in scenario_of(base)["actors"] for c in a["campaigns"]
                       if c["id"] == "counter_narrative_eu")
    eu = eu_campaign["targets"]
    ru_eu = platform_views(base, "ru_state_media", eu)
    ru_eu_open = platform_views(noeu, "ru_state_media", eu)
    eu_with = positive_share(base, "ukraine_war", eu)
    eu_open = positive_share(noeu, "ukraine_war", eu)
    bio_start = attitude(base, "belief", "biolabs", "first")["share"]
    bio_end = attitude(base, "belief", "biolabs")["share"]
    fav_start = attitude(base, "favourability", "RU", "first", ["UA"])["mean"]
    fav_end = attitude(base, "favourability", "RU", "last", ["UA"])["mean"]
    policy = next((e for e in scenario_of(base)["events"] if e["type"] == "policy"
                   and e.get("countries") == ["RU"]), None)
    ru_lines: list[str] = []
    if policy is not None:
        cut = math.ceil(policy["day"])
        ru_before = positive_share(base, "ukraine_war", ["RU"], (0, cut))
        ru_after = positive_share(base, "ukraine_war", ["RU"], (cut, days))
        ru_lines = [
            f"**Russia's information environment.** From day {policy['day']:g} new uploads "
            "stop in Russia (except the exempt actors) and Russian users see only Russian "
            f"accounts. The pro-Ukraine share of what Russian viewers saw: {f.pct(ru_before)} "
            f"before day {cut}, {f.pct(ru_after)} from day {cut} on (base run).", ""]
    return "\n".join([
        f"**Who was seen (base run, all {days} days).**", "",
        table(["actor", "platform views", "outside its own country"], rows), "",
        "**Pro-Ukraine share of stance-bearing impressions, by viewer country (base run).**", "",
        table(["country", "pro-Ukraine share"], share_rows), "",
        *ru_lines,
        f"**Ukrainians' view of Russia.** Mean favourability of Ukrainian users toward Russia: "
        f"{f.signed(fav_start)} on day 0, {f.signed(fav_end)} on day {days}: a change of "
        f"{f.diff(fav_end, fav_start, 'signed', 3)}. A check outside the run: KIIS found "
        "Ukrainians' good attitude toward Russia falling from 34% (early February 2022) to 2% "
        "(13-18 May 2022); the run's change, compared in direction only: "
        f"{f.direction(minus(fav_end, fav_start), -1)}.", "",
        f"**The White House briefing.** The {briefing['influencers']} briefed creators' "
        f"sponsored posts drew {f.num(briefed)} platform views in the US from day {after[0]} to "
        f"day {days}. The briefed creators are sampled users, and a sampled user stands for "
        "1 / f users like them, so in the feed the briefing weighs as much as briefing 1 / f "
        "times as many creators would (a limit of this version). Over those days the "
        f"pro-Ukraine share of US impressions was "
        f"{f.pct(us_with)} with the briefing and {f.pct(us_without)} without it (variant "
        f"`no_briefing`): a difference of {f.diff(us_with, us_without)}.", "",
        f"**Blocking RT and Sputnik in the EU.** Russian state media's platform views in "
        f"{', '.join(eu)}: {f.num(ru_eu)} with the block from day {eu_campaign['end_day']:g}, "
        f"{f.num(ru_eu_open)} without it (variant `no_eu_block`; change "
        f"{f.change(ru_eu, ru_eu_open)}). The pro-Ukraine share there: {f.pct(eu_with)} with "
        f"the block, {f.pct(eu_open)} without: a difference of {f.diff(eu_with, eu_open)}.", "",
        f"**The biolabs claim.** Users believing it (belief above 0.5): {f.pct(bio_start)} on "
        f"day 0, {f.pct(bio_end)} on day {days} (base run, labelled "
        f"{scenario_of(base)['platform']['moderation']['fact_check_delay_hours']:g} hours after "
        "each post): a change of " + f.diff(bio_end, bio_start) + ".",
    ])


def _israel(runs: dict[str, Run], f: Figures) -> str:
    base, social = runs[BASE], runs["social_feed"]
    (pal_posts, isr_posts) = base.con.execute("""
        SELECT coalesce(sum(platform_posts) FILTER (
                   WHERE list_contains(hashtags, '#StandWithPalestine')), 0),
               coalesce(sum(platform_posts) FILTER (
                   WHERE list_contains(hashtags, '#StandWithIsrael')), 0)
        FROM posts""").fetchone()  # posts on the platform: a sampled user's stand for 1 / f
    pal_views = platform_views(base, where="list_contains(p.hashtags, '#StandWithPalestine')")
    isr_views = platform_views(base, where="list_contains(p.hashtags, '#StandWithIsrael')")
    countries = ["US", "GB", "DE", "FR", "IL", "PS", "MY", "PK", "AE", "EG", "TR", "ID"]
    pol = {r["country"]: r for r in stance_by_country(base, "gaza_war")}
    pol_social = {r["country"]: r for r in stance_by_country(social, "gaza_war")}
    rows = []
    for c in countries:
        p, q = pol.get(c), pol_social.get(c)
        if p is None or q is None:
            continue
        share, share_social = (positive_share(r, "gaza_war", [c]) for r in (base, social))
        rows.append([c, f.pct(share), f.pct(share_social),
                     f.diff(share_social, share),
                     f.signed(p["mean_start"], 2), f.signed(p["mean_end"], 2),
                     f.diff(p["mean_end"], p["mean_start"], "signed", 3),
                     f.fixed(p["bimodality_end"]), f.fixed(q["bimodality_end"])])
    idf, idf_social = platform_views(base, "idf"), platform_views(social, "idf")
    us = pol.get("US")
    us_change = None if us is None else minus(us["mean_end"], us["mean_start"])
    young = stance_change_by_age(base, "gaza_war", "US", ("18-24", "25-34"))
    return "\n".join([
        f"**Hashtags.** Posts on the platform with #StandWithPalestine: {f.num(pal_posts)}; with "
        f"#StandWithIsrael: {f.num(isr_posts)} ({f.ratio(pal_posts, isr_posts)}). Their "
        f"platform views: {f.num(pal_views)} against {f.num(isr_views)} "
        f"({f.ratio(pal_views, isr_views)}). Axios (31 October 2023) reported about 12 to 1 in "
        "posts and nearly 4 to 1 in views.", "",
        "**Narrative share and polarisation by viewer country** (pro-Palestine share of "
        "stance-bearing impressions, engagement feed and the `social_feed` variant, and their "
        "difference; mean stance on day 0 and day 14, -1 pro-Israel to +1 pro-Palestine, and "
        "its change; Sarle's bimodality coefficient on day 14, above 0.555 suggests two "
        "camps):", "",
        table(["country", "pro-Palestine share", "same, social feed", "social minus engagement",
               "stance day 0", "stance day 14", "change", "bimodality",
               "bimodality, social feed"], rows), "",
        f"**The IDF's account** drew {f.num(idf)} platform views under engagement ranking and "
        f"{f.num(idf_social)} under social ranking (change {f.change(idf_social, idf)}).", "",
        "**A check outside the run.** Quinnipiac's next poll (published 16 November 2023) "
        "found US voters' sympathies moving toward the Palestinians (Israelis 61% to 54%, "
        "Palestinians 13% to 24%), most of all among those aged 18-34 (Israelis 41% to 29%, "
        "Palestinians 26% to 52%). The run's change in US users' mean stance (+1 "
        f"pro-Palestine), compared in direction only: {f.direction(us_change, +1)}; among US "
        f"users aged 18-34: {f.direction(young, +1)}.",
    ])


def _us_ban(runs: dict[str, Run], f: Figures) -> str:
    base, held, none = runs[BASE], runs["ban_held"], runs["no_ban"]
    foreign = [a["id"] for a in scenario_of(base)["actors"]]
    ban, long_ban = event_of(base, "ban"), event_of(held, "ban")
    days, long_days = scenario_of(base)["duration_days"], scenario_of(held)["duration_days"]
    # whole days before, during and after the held ban (the days it starts and ends are mixed)
    spans = [(0, math.floor(long_ban["day"])),
             (math.ceil(long_ban["day"]), math.floor(long_ban["end_day"])),
             (math.ceil(long_ban["end_day"]), long_days)]
    rows = []
    for a in foreign:
        as_happened = platform_views(base, a, ["US"])
        counterfactual = platform_views(none, a, ["US"])
        before, during, after = (platform_views(held, a, ["US"], span) / (span[1] - span[0])
                                 for span in spans)
        rows.append([f"`{a}`", f.num(counterfactual), f.num(as_happened),
                     f.change(as_happened, counterfactual), f.num(before), f.num(during),
                     f.num(after), f.change(after, before)])
    day = math.floor(ban["day"])
    outage = [platform_views(r, countries=["US"], days=(day, day + 1)) for r in (base, none)]
    dark = 24 * (ban["end_day"] - ban["day"])
    (b0, b1), (d0, d1), (a0, a1) = spans
    return "\n".join([
        f"**Foreign actors' platform views in the US.** Columns 2-4: the {days} days as they "
        "happened "
        f"({dark:.0f} hours dark, {100 * ban['leave_share']:.1f}% of users gone to another "
        f"app, {100 * ban['vpn_share']:.0f}% on a VPN) against no ban. Columns 5-8: the "
        f"`ban_held` variant, per day before the ban (days {b0}-{b1 - 1}), during it (days "
        f"{d0}-{d1 - 1}, VPN users only) and after the framework deal restores the service "
        f"(days {a0}-{a1 - 1}).", "",
        table(["actor", f"no ban, {days} days", f"as happened, {days} days", "change",
               "held: per day before", "per day during", "per day after the deal",
               "after vs before"], rows),
        "",
        f"All platform views in the US on day {day}, the day of the outage: "
        f"{f.num(outage[0])} as it "
        f"happened, {f.num(outage[1])} without a ban (change {f.change(*outage)}).",
    ])


def _india(runs: dict[str, Run], f: Figures) -> str:
    base, none = runs[BASE], runs["no_ban"]
    ban = event_of(base, "ban")
    before = (0, math.floor(ban["day"]))  # whole days before and after the ban's day
    after = (math.ceil(ban["day"]), scenario_of(base)["duration_days"])
    rows = []
    for a in (actor["id"] for actor in scenario_of(base)["actors"]):
        in_ban, in_none = (platform_views(r, a, [ban["country"]], after) for r in (base, none))
        total_ban, total_none = (platform_views(r, a, days=after) for r in (base, none))
        share_before = (platform_views(base, a, [ban["country"]], before)
                        / max(platform_views(base, a, days=before), 1))
        rows.append([f"`{a}`", f.pct(share_before), f.num(in_none), f.num(in_ban),
                     f.num(total_none), f.num(total_ban), f.change(total_ban, total_none)])
    return "\n".join([
        f"**Reach after the ban (days {after[0]}-{after[1] - 1}) against no ban.** Share of each "
        f"actor's platform views that were in India before the ban (days {before[0]}-"
        f"{before[1] - 1}), then its platform views in India and in all countries after it, with "
        "and without the ban.", "",
        table(["actor", "India's share before", "in India, no ban", "in India, ban",
               "everywhere, no ban", "everywhere, ban", "change everywhere"], rows),
    ])


def _who(runs: dict[str, Run], f: Figures) -> str:
    rows = []
    believing = {}
    for key in (BASE, "fast_fact_check", "no_fact_check"):
        run = runs[key]
        moderation = scenario_of(run)["platform"]["moderation"]
        label = (f"labels after {moderation['fact_check_delay_hours']:g} h"
                 if moderation["fact_check"] else "no fact-checking")
        false_views = platform_views(run, where="p.claim::VARCHAR = 'garlic_cure'")
        belief = attitude(run, "belief", "garlic_cure")["share"]
        start = attitude(run, "belief", "garlic_cure", "first")["share"]
        true_belief = attitude(run, "belief", "hand_washing_protects")["share"]
        believing[key] = belief
        rows.append([label, f.num(false_views), f.num(platform_views(run, "who")), f.pct(start),
                     f.pct(belief), f.pct(true_belief)])
    days = scenario_of(runs[BASE])["duration_days"]
    return "\n".join([
        f"**The false cure against the WHO's messages, {days} days.** Platform views of posts "
        "carrying the false claim and of the WHO's posts; share of users believing the false "
        f"cure (belief above 0.5) on day 0 and day {days}, and the true claim on day {days}.",
        "",
        table(["fact-checking", "false-cure platform views", "WHO platform views",
               "believe the cure, day 0", f"day {days}",
               f"believe hand washing protects, day {days}"], rows), "",
        f"Believing the cure on day {days}, labels after the base delay minus no "
        f"fact-checking: {f.diff(believing[BASE], believing['no_fact_check'])}; fast labels "
        f"minus the base delay: {f.diff(believing['fast_fact_check'], believing[BASE])}.",
    ])


def _embassy(runs: dict[str, Run], f: Figures) -> str:
    labels = [(BASE, "balanced"), ("visa_first", "visa and policy first"),
              ("trend_first", "trends first, with a challenge")]
    rows = []
    totals = {}
    for key, label in labels:
        run = runs[key]
        rates, growth = engagement_rate(run), follower_growth(run)
        own = "p.messenger::VARCHAR = 'embassy'"  # its own posts, not viewers' challenge takes
        total = platform_views(run, "de_embassy_id", ["ID"], where=own)
        totals[key] = total
        policy = platform_views(run, "de_embassy_id", ["ID"],
                             where=f"{own} AND p.topic::VARCHAR IN ('politics', 'news')")
        fav = attitude(run, "favourability", "DE", "last", ["ID"])["mean"]
        fav0 = attitude(run, "favourability", "DE", "first", ["ID"])["mean"]
        takes, take_views = run.con.execute(
            "SELECT coalesce(sum(platform_posts), 0), "
            "coalesce(sum(platform_views * platform_posts), 0) FROM posts WHERE challenge AND "
            "messenger::VARCHAR = 'user' AND actor::VARCHAR = 'de_embassy_id'").fetchone()
        viewers = platform_daily_viewers(run, "de_embassy_id", ["ID"])
        rows.append([label, f.num(total), f.num(viewers),
                     f.pct(actor_row(rates, "de_embassy_id", "engagement_per_view"), 2),
                     f.num(actor_row(growth, "de_embassy_id", "growth")), f.num(policy),
                     f"{f.num(takes)} ({f.num(take_views)} platform views)",
                     f.signed((fav or 0) - (fav0 or 0))])
    return "\n".join([
        f"**Germany's embassy in Jakarta, {scenario_of(runs[BASE])['duration_days']} days, by "
        "content mix.** Platform views of its own posts among Indonesian users, mean daily "
        "distinct viewers on the platform (of its posts and of challenge videos made from "
        "them), engagement "
        "per view, followers gained, platform views of its policy and news videos (where visa "
        "updates sit), viewers' own challenge videos on the platform (anywhere) and their views, "
        "and the "
        "change in Indonesian users' mean favourability toward Germany.", "",
        table(["mix", "platform views", "daily viewers", "engagement per view",
               "followers gained", "policy and news platform views", "challenge videos",
               "favourability change"], rows), "",
        f"Own posts' platform views, trends first against balanced: "
        f"{f.change(totals['trend_first'], totals[BASE])}; visa first against balanced: "
        f"{f.change(totals['visa_first'], totals[BASE])}.",
    ])


def _tourism(runs: dict[str, Run], f: Figures) -> str:
    markets = ["US", "GB", "DE", "KR", "JP", "AU"]
    variants = [("alone", "alone"), (BASE, "joint"), ("no_pooling", "joint, pooling 0")]
    official = "p.messenger::VARCHAR <> 'user'"  # the authority's own posts, not viewers' takes
    rows = []
    for a, c in [("th_tourism", "TH"), ("kh_tourism", "KH"), ("la_tourism", "LA"),
                 ("vn_tourism", "VN")]:
        views = {k: platform_views(runs[k], a, markets, where=official) for k, _ in variants}
        row = [f"`{a}`"] + [f.num(views[k]) for k, _ in variants]
        row.append(f.change(views[BASE], views["alone"]))
        row += [f.num(runs[k].con.execute(
            "SELECT coalesce(sum(platform_posts), 0) FROM posts WHERE challenge AND "
            "messenger::VARCHAR = 'user' "
            "AND actor::VARCHAR = ?", [a]).fetchone()[0]) for k, _ in variants]
        fav0 = attitude(runs[BASE], "favourability", c, "first", markets)["mean"] or 0.0
        row += [f.signed((attitude(runs[k], "favourability", c, "last", markets)["mean"] or 0.0)
                         - fav0) for k, _ in variants]
        rows.append(row)
    heads = ["tourism authority"]
    heads += [f"own posts' platform views, {label}" for _, label in variants]
    heads += ["joint against alone"]
    heads += [f"viewers' challenge videos, {label}" for _, label in variants]
    heads += [f"favourability change, {label}" for _, label in variants]
    return "\n".join([
        f"**Each alone against one joint hashtag, {scenario_of(runs[BASE])['duration_days']} "
        "days.** The authorities' own posts' platform views in the six long-haul markets (and the "
        "joint hashtag's change against each alone, paired by seed); the challenge videos "
        "viewers posted with each authority's hashtag (anywhere); the change in those markets' "
        "mean favourability toward each country. The third run keeps the joint hashtag but "
        "gives hashtags no weight in the feed, the model's null.", "",
        table(heads, rows), "",
        "Challenge videos grow as a branching process (a viewer who completes one posts their "
        "own with probability `challenge_post_probability`), so whether a country's challenge "
        "takes off varies from seed to seed: the intervals show how much.",
    ])



def _attention(runs: dict[str, Run], f: Figures) -> str:
    fit = {key: attention_fit(runs[key]) for key in (BASE, "no_fading")}
    p = resolve_parameters(scenario_of(runs[BASE]).get("parameters") or {})
    rows = [[m, f"{x:.3f}", f.fixed(fit[BASE].curve[i]), f.fixed(fit["no_fading"].curve[i])]
            for i, (m, x) in enumerate(zip(ATTENTION_MONTHS, REAL_CURVE, strict=True))]
    march_peak = f.pct(1.0 if fit[BASE].curve[1] == 1.0 else 0.0, 0)
    r, fading = fit[BASE].correlation, fit["no_fading"].correlation
    form = (f"half-life {p['attention_fast_half_life_days']:g} days to day "
            f"{p['attention_switch_days']:g}, then a power law of exponent "
            f"{p['attention_power_exponent']:g}")
    return "\n".join([
        "**Attention to the war, February to August 2022.** Conflict videos posted per month, "
        "each curve divided by its own peak month: the real TikTok curve (Steel, Parker & "
        f"Ruths 2023) beside the run with the published two-phase fade ({form}; "
        f"{p['crisis_added_share']:.0%} of the extra interest adds posts) and the variant "
        "whose crisis never fades.", "",
        table(["month", "real", "simulated, two-phase fade", "never fading"], rows),
        "",
        f"Correlation of the monthly curves with the real one: {f.fixed(r)} (never fading: "
        f"{f.fixed(fading)}; fading minus never fading: {f.diff(r, fading, 'fixed', 3)}). "
        f"April over March: {f.fixed(fit[BASE].april_over_march)} (real: "
        f"{ATTENTION_REAL[2] / ATTENTION_REAL[1]:.3f}). Runs whose peak month is March: "
        f"{march_peak}.", "",
        "The target set for this curve (issue 30): a correlation of at least 0.9, the peak in "
        "March and April below half of March. The fade's parameters come from studies of "
        "other shocks and were committed before this comparison; with posts in proportion "
        f"to attention (nothing displaced, no saturation) the form could reach "
        f"{two_phase_fit(p):.3f}. Its extra interest falls {weekly_fall(p):.1f}-fold from the "
        "war's first week to its 14th; NewsWhip measured interactions with Ukraine news "
        "falling 22.7-fold over those weeks (109 million to 4.8 million; Axios, June 2022), a "
        "check nothing was fitted to. A single exponential with NewsWhip's 20.2-day half-life "
        f"could reach only {exponential_fit(20.2):.3f} (a correlation of 0.9 needs a "
        f"half-life of {longest_half_life():.1f} days or less).",
    ])

HEADLINES: dict[str, Callable[[dict[str, Run], Figures], str]] = {
    "ukraine_2022": _ukraine, "israel_palestine_narratives": _israel, "us_ban_2025": _us_ban,
    "india_ban_2020": _india, "who_covid_2020": _who, "embassy_cultural": _embassy,
    "regional_tourism": _tourism, "ukraine_attention_2022": _attention,
}
