"""Run the built-in scenarios and write each one's headline result into its ``.md``.

``make scenarios`` (``python -m diplosim.report.builtin``) runs every scenario and each of its
declared variants, measures the figures its question needs from the run folders, and replaces
the block between ``<!-- result:begin -->`` and ``<!-- result:end -->`` in ``scenarios/NAME.md``.
Nothing in that block is typed by hand.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path

from diplosim import __version__
from diplosim.analysis.measures import attitude, daily_viewers, impressions, positive_share
from diplosim.analysis.reach import engagement_rate, follower_growth
from diplosim.analysis.run import Run, load_run
from diplosim.engine.engine import scenario_hash
from diplosim.errors import DiplosimError
from diplosim.scenario.builtin import BuiltIn, builtin, builtin_scenarios
from diplosim.scenario.loader import load_scenario
from diplosim.scenario.schema import Scenario
from diplosim.store.writer import write_text_atomic

__all__ = ["BEGIN", "END", "HEADLINES", "generate", "replace_block", "run_variants"]

BEGIN, END = "<!-- result:begin -->", "<!-- result:end -->"
BASE = "base"


# -- small measures over a run folder ------------------------------------------------------

def stance_by_country(run: Run, issue: str) -> list[dict]:
    """Per country, first and last day: stance mean, sd and Sarle's bimodality coefficient."""
    from diplosim.analysis.opinion import polarisation

    rows = [r for r in polarisation(run) if r["issue"] == issue]
    first, last = min(r["day"] for r in rows), max(r["day"] for r in rows)
    start = {r["country"]: r for r in rows if r["day"] == first}
    return [{"country": r["country"], "mean_start": start[r["country"]]["mean"],
             "mean_end": r["mean"], "sd_end": r["variance"] ** 0.5,
             "bimodality_end": r["bimodality"]}
            for r in rows if r["day"] == last]


def actor_row(rows: list[dict], actor: str, key: str) -> float | None:
    """``key`` of ``actor``'s row in an analysis table (engagement_rate, follower_growth)."""
    return next((r[key] for r in rows if r["actor"] == actor), None)


def scenario_of(run: Run) -> dict:
    """The scenario a run was made from, as recorded in its manifest."""
    return run.manifest["scenario"]


def event_of(run: Run, kind: str) -> dict:
    """The run's first event of type ``kind``."""
    return next(e for e in scenario_of(run)["events"] if e["type"] == kind)


# -- formatting ----------------------------------------------------------------------------

def pct(x: float | None, digits: int = 1) -> str:
    return "n/a" if x is None else f"{100 * x:.{digits}f}%"


def num(x: float | None) -> str:
    if x is None:
        return "n/a"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.3g}"


def signed(x: float | None, digits: int = 3) -> str:
    return "n/a" if x is None else f"{x:+.{digits}f}"


def change(new: float, old: float) -> str:
    return "n/a" if not old else f"{100 * (new - old) / old:+.1f}%"


def table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |",
             "|" + "|".join("---" if i == 0 else "---:" for i in range(len(headers))) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


# -- one headline per scenario --------------------------------------------------------------

def _ukraine(runs: dict[str, Run]) -> str:
    base, nob, noeu = runs[BASE], runs["no_briefing"], runs["no_eu_block"]
    actors = ["ua_president", "ua_citizens", "ru_state_media"]
    home = {"ua_president": "UA", "ua_citizens": "UA", "ru_state_media": "RU"}
    rows = []
    for a in actors:
        total = impressions(base, a)
        outside = total - impressions(base, a, [home[a]])
        rows.append([f"`{a}`", num(total), pct(outside / total if total else None)])
    countries = ["US", "GB", "DE", "FR", "PL", "BR", "ID", "TR", "RU", "UA"]
    share_rows = [[c, pct(positive_share(base, "ukraine_war", [c]))] for c in countries]
    days = scenario_of(base)["duration_days"]
    briefing = event_of(base, "influencer_briefing")
    after = (math.floor(briefing["day"]), days)
    briefed = impressions(base, countries=briefing["countries"], days=after,
                          where="p.sponsor IS NOT NULL")
    us_with = positive_share(base, "ukraine_war", ["US"], after)
    us_without = positive_share(nob, "ukraine_war", ["US"], after)
    eu_campaign = next(c for a in scenario_of(base)["actors"] for c in a["campaigns"]
                       if c["id"] == "counter_narrative_eu")
    eu = eu_campaign["targets"]
    ru_eu, ru_eu_open = impressions(base, "ru_state_media", eu), impressions(noeu,
                                                                             "ru_state_media", eu)
    eu_with, eu_open = positive_share(base, "ukraine_war", eu), positive_share(noeu,
                                                                              "ukraine_war", eu)
    bio_start = attitude(base, "belief", "biolabs", "first")["share"]
    bio_end = attitude(base, "belief", "biolabs")["share"]
    return "\n".join([
        f"**Who was seen (base run, all {days} days).**", "",
        table(["actor", "impressions", "outside its own country"], rows), "",
        "**Pro-Ukraine share of stance-bearing impressions, by viewer country (base run).**", "",
        table(["country", "pro-Ukraine share"], share_rows), "",
        f"**The White House briefing.** The {briefing['influencers']} briefed creators' "
        f"sponsored posts drew {num(briefed)} impressions in the US from day {after[0]} to day "
        f"{days}. Over those days the "
        f"pro-Ukraine share of US impressions was {pct(us_with)} with the briefing and "
        f"{pct(us_without)} without it (variant `no_briefing`).", "",
        f"**Blocking RT and Sputnik in the EU.** Russian state media's impressions in "
        f"{', '.join(eu)}: {num(ru_eu)} with the block from day {eu_campaign['end_day']:g}, "
        f"{num(ru_eu_open)} without it "
        f"(variant `no_eu_block`, {change(ru_eu, ru_eu_open)}). The pro-Ukraine share there: "
        f"{pct(eu_with)} with the block, {pct(eu_open)} without.", "",
        f"**The biolabs claim.** Users believing it (belief above 0.5): {pct(bio_start)} on day "
        f"0, {pct(bio_end)} on day {days} (base run, labelled "
        f"{scenario_of(base)['platform']['moderation']['fact_check_delay_hours']:g} hours after "
        "each post).",
    ])


def _israel(runs: dict[str, Run]) -> str:
    base, social = runs[BASE], runs["social_feed"]
    (pal_posts, isr_posts) = base.con.execute("""
        SELECT count(*) FILTER (WHERE list_contains(hashtags, '#StandWithPalestine')),
               count(*) FILTER (WHERE list_contains(hashtags, '#StandWithIsrael'))
        FROM posts""").fetchone()
    pal_views = impressions(base, where="list_contains(p.hashtags, '#StandWithPalestine')")
    isr_views = impressions(base, where="list_contains(p.hashtags, '#StandWithIsrael')")
    countries = ["US", "GB", "DE", "FR", "IL", "PS", "MY", "PK", "AE", "EG", "TR", "ID"]
    pol = {r["country"]: r for r in stance_by_country(base, "gaza_war")}
    pol_social = {r["country"]: r for r in stance_by_country(social, "gaza_war")}
    rows = []
    for c in countries:
        p, q = pol.get(c), pol_social.get(c)
        if p is None or q is None:
            continue
        rows.append([c, pct(positive_share(base, "gaza_war", [c])),
                     pct(positive_share(social, "gaza_war", [c])),
                     signed(p["mean_start"], 2), signed(p["mean_end"], 2),
                     f"{p['bimodality_end']:.3f}", f"{q['bimodality_end']:.3f}"])
    idf = impressions(base, "idf")
    idf_social = impressions(social, "idf")
    return "\n".join([
        f"**Hashtags.** Posts with #StandWithPalestine: {num(pal_posts)}; with "
        f"#StandWithIsrael: {num(isr_posts)} ({pal_posts / max(isr_posts, 1):.1f} to 1). Their "
        f"impressions: {num(pal_views)} against {num(isr_views)} "
        f"({pal_views / max(isr_views, 1):.1f} to 1). Axios (31 October 2023) reported about 12 "
        "to 1 in posts and nearly 4 to 1 in views.", "",
        "**Narrative share and polarisation by viewer country** (pro-Palestine share of "
        "stance-bearing impressions; mean stance on day 0 and day 14, -1 pro-Israel to +1 "
        "pro-Palestine; Sarle's bimodality coefficient on day 14, above 0.555 suggests two "
        "camps), engagement feed against the `social_feed` variant:", "",
        table(["country", "pro-Palestine share", "same, social feed", "stance day 0",
               "stance day 14", "bimodality", "bimodality, social feed"], rows), "",
        f"**The IDF's account** drew {num(idf)} impressions under engagement ranking and "
        f"{num(idf_social)} under social ranking ({change(idf_social, idf)}).",
    ])


def _us_ban(runs: dict[str, Run]) -> str:
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
        as_happened, counterfactual = impressions(base, a, ["US"]), impressions(none, a, ["US"])
        before, during, after = (impressions(held, a, ["US"], span) / (span[1] - span[0])
                                 for span in spans)
        rows.append([f"`{a}`", num(counterfactual), num(as_happened),
                     change(as_happened, counterfactual), num(before), num(during),
                     num(after), change(after, before)])
    day = math.floor(ban["day"])
    outage = [impressions(r, countries=["US"], days=(day, day + 1)) for r in (base, none)]
    dark = 24 * (ban["end_day"] - ban["day"])
    (b0, b1), (d0, d1), (a0, a1) = spans
    return "\n".join([
        f"**US impressions of foreign actors.** Columns 2-4: the {days} days as they happened "
        f"({dark:.0f} hours dark, {pct(ban['leave_share'])} of users gone to another app, "
        f"{pct(ban['vpn_share'], 0)} on a VPN) against no ban. Columns 5-8: the `ban_held` "
        f"variant, per day before the ban (days {b0}-{b1 - 1}), during it (days {d0}-{d1 - 1}, "
        f"VPN users only) and after the framework deal restores the service (days {a0}-"
        f"{a1 - 1}).", "",
        table(["actor", f"no ban, {days} days", f"as happened, {days} days", "loss",
               "held: per day before", "per day during", "per day after the deal",
               "after vs before"], rows),
        "",
        f"All US impressions on day {day}, the day of the outage: {num(outage[0])} as it "
        f"happened, "
        f"{num(outage[1])} without a ban ({change(*outage)}). The rest of the differences in "
        "columns 2-4 are mostly chance: after the outage the two runs' feeds diverge, and one "
        "viral video more or less moves an actor's total by tens of percent.",
    ])


def _india(runs: dict[str, Run]) -> str:
    base, none = runs[BASE], runs["no_ban"]
    ban = event_of(base, "ban")
    before = (0, math.floor(ban["day"]))  # whole days before and after the ban's day
    after = (math.ceil(ban["day"]), scenario_of(base)["duration_days"])
    rows = []
    for a in (actor["id"] for actor in scenario_of(base)["actors"]):
        in_ban, in_none = (impressions(r, a, [ban["country"]], after) for r in (base, none))
        total_ban, total_none = (impressions(r, a, days=after) for r in (base, none))
        share_before = (impressions(base, a, [ban["country"]], before)
                        / max(impressions(base, a, days=before), 1))
        rows.append([f"`{a}`", pct(share_before), num(in_none), num(in_ban),
                     num(total_none), num(total_ban), change(total_ban, total_none)])
    return "\n".join([
        f"**Reach after the ban (days {after[0]}-{after[1] - 1}) against no ban.** Share of each "
        f"actor's impressions that were in India before the ban (days {before[0]}-"
        f"{before[1] - 1}), then its impressions in India and in all countries after it, with "
        "and without the ban.", "",
        table(["actor", "India's share before", "in India, no ban", "in India, ban",
               "everywhere, no ban", "everywhere, ban", "change everywhere"], rows),
    ])


def _who(runs: dict[str, Run]) -> str:
    rows = []
    for key in (BASE, "fast_fact_check", "no_fact_check"):
        run = runs[key]
        moderation = scenario_of(run)["platform"]["moderation"]
        label = (f"labels after {moderation['fact_check_delay_hours']:g} h"
                 if moderation["fact_check"] else "no fact-checking")
        false_views = impressions(run, where="p.claim::VARCHAR = 'garlic_cure'")
        who_views = impressions(run, "who")
        belief = attitude(run, "belief", "garlic_cure")["share"]
        start = attitude(run, "belief", "garlic_cure", "first")["share"]
        true_belief = attitude(run, "belief", "hand_washing_protects")["share"]
        rows.append([label, num(false_views), num(who_views), pct(start), pct(belief),
                     pct(true_belief)])
    days = scenario_of(runs[BASE])["duration_days"]
    return "\n".join([
        f"**The false cure against the WHO's messages, {days} days.** Impressions of posts "
        "carrying the false claim and of the WHO's posts; share of users believing the false "
        f"cure (belief above 0.5) on day 0 and day {days}, and the true claim on day {days}.",
        "",
        table(["fact-checking", "false-cure impressions", "WHO impressions",
               "believe the cure, day 0", f"day {days}",
               f"believe hand washing protects, day {days}"], rows),
    ])


def _embassy(runs: dict[str, Run]) -> str:
    labels = [(BASE, "balanced"), ("visa_first", "visa and policy first"),
              ("trend_first", "trends first, with a challenge")]
    rows = []
    for key, label in labels:
        run = runs[key]
        rates, growth = engagement_rate(run), follower_growth(run)
        own = "p.messenger::VARCHAR = 'embassy'"  # its own posts, not viewers' challenge takes
        total = impressions(run, "de_embassy_id", ["ID"], where=own)
        policy = impressions(run, "de_embassy_id", ["ID"],
                             where=f"{own} AND p.topic::VARCHAR IN ('politics', 'news')")
        fav = attitude(run, "favourability", "DE", "last", ["ID"])["mean"]
        fav0 = attitude(run, "favourability", "DE", "first", ["ID"])["mean"]
        takes, take_views = run.con.execute(
            "SELECT count(*), coalesce(sum(impressions), 0) FROM posts WHERE challenge AND "
            "messenger::VARCHAR = 'user' AND actor::VARCHAR = 'de_embassy_id'").fetchone()
        rows.append([label, num(total), num(daily_viewers(run, "de_embassy_id", ["ID"])),
                     pct(actor_row(rates, "de_embassy_id", "engagement_per_view"), 2),
                     num(actor_row(growth, "de_embassy_id", "growth")), num(policy),
                     f"{num(takes)} ({num(take_views)} impressions)",
                     signed((fav or 0) - (fav0 or 0))])
    return "\n".join([
        f"**Germany's embassy in Jakarta, {scenario_of(runs[BASE])['duration_days']} days, by "
        "content mix.** Impressions of its own "
        "posts among Indonesian users, mean daily distinct viewers (of its posts and of "
        "challenge videos made from them), engagement per view, followers gained, "
        "impressions of its policy and news videos (where visa updates sit), "
        "viewers' own challenge videos (anywhere) and their impressions, and the change in "
        "Indonesian users' mean favourability toward Germany.", "",
        table(["mix", "impressions", "daily viewers", "engagement per view",
               "followers gained", "policy and news impressions", "challenge videos",
               "favourability change"], rows),
    ])


def _tourism(runs: dict[str, Run]) -> str:
    markets = ["US", "GB", "DE", "KR", "JP", "AU"]
    variants = [("alone", "alone"), (BASE, "joint"), ("no_pooling", "joint, pooling 0")]
    official = "p.messenger::VARCHAR <> 'user'"  # the authority's own posts, not viewers' takes
    rows = []
    for a, c in [("th_tourism", "TH"), ("kh_tourism", "KH"), ("la_tourism", "LA"),
                 ("vn_tourism", "VN")]:
        row = [f"`{a}`"]
        row += [num(impressions(runs[k], a, markets, where=official)) for k, _ in variants]
        row += [num(runs[k].con.execute(
            "SELECT count(*) FROM posts WHERE challenge AND messenger::VARCHAR = 'user' "
            "AND actor::VARCHAR = ?", [a]).fetchone()[0]) for k, _ in variants]
        fav0 = attitude(runs[BASE], "favourability", c, "first", markets)["mean"] or 0.0
        row += [signed((attitude(runs[k], "favourability", c, "last", markets)["mean"] or 0.0)
                       - fav0) for k, _ in variants]
        rows.append(row)
    heads = ["tourism authority"]
    heads += [f"own posts' impressions, {label}" for _, label in variants]
    heads += [f"viewers' challenge videos, {label}" for _, label in variants]
    heads += [f"favourability change, {label}" for _, label in variants]
    return "\n".join([
        f"**Each alone against one joint hashtag, {scenario_of(runs[BASE])['duration_days']} "
        "days.** The authorities' own posts' "
        "impressions in the six long-haul markets; the challenge videos viewers posted with "
        "each authority's hashtag (anywhere); the change in those markets' mean favourability "
        "toward each country. The third run keeps the joint hashtag but gives hashtags no "
        "weight in the feed, the model's null.", "",
        table(heads, rows), "",
        "Challenge videos grow as a branching process (a viewer who completes one posts their "
        "own with probability `challenge_post_probability`), so whether a country's challenge "
        "takes off varies from seed to seed; compare the columns as one draw each.",
    ])


HEADLINES: dict[str, Callable[[dict[str, Run]], str]] = {
    "ukraine_2022": _ukraine, "israel_palestine_narratives": _israel, "us_ban_2025": _us_ban,
    "india_ban_2020": _india, "who_covid_2020": _who, "embassy_cultural": _embassy,
    "regional_tourism": _tourism,
}


# -- running and writing -------------------------------------------------------------------

def run_variants(b: BuiltIn, out: Path, overrides: list[str] | None = None,
                 say: Callable[[str], None] = print) -> dict[str, Path]:
    """Run the scenario and each declared variant into ``out/NAME/LABEL``; returns the folders."""
    from diplosim.engine.engine import simulate

    folders = {}
    for label in [BASE] + [v.id for v in b.scenario.variants]:
        scenario = load_scenario(b.path, overrides, None if label == BASE else label)
        folder = out / b.name / label
        started = time.perf_counter()
        simulate(scenario, folder)
        say(f"{b.name} [{label}]: {scenario.world.users:,} users, {scenario.duration_days} "
            f"days in {time.perf_counter() - started:.1f} s -> {folder}")
        folders[label] = folder
    return folders


def fingerprint(scenario: Scenario) -> str:
    """The first 12 hex digits of the scenario's hash (the one each run's manifest records)."""
    return scenario_hash(scenario)[:12]


def replace_block(text: str, block: str, where: str) -> str:
    """``text`` with the part between the result markers replaced by ``block``."""
    if text.count(BEGIN) != 1 or text.count(END) != 1 or text.index(BEGIN) > text.index(END):
        raise DiplosimError(f"{where}: expected one '{BEGIN}' line followed by one '{END}' line")
    head, rest = text.split(BEGIN)
    _, tail = rest.split(END)
    return f"{head}{BEGIN}\n{block.strip()}\n{END}{tail}"


def generate(b: BuiltIn, out: Path, overrides: list[str] | None = None, write: bool = True,
             say: Callable[[str], None] = print) -> str:
    """Run ``b`` and its variants, measure its headline, write it into ``b.notes``; returns
    the block."""
    if b.name not in HEADLINES:
        raise DiplosimError(f"{b.name}: no headline measure is defined for this scenario")
    folders = run_variants(b, out, overrides, say)
    runs = {label: load_run(f) for label, f in folders.items()}
    s = load_scenario(b.path, overrides)
    setup = (f"Produced by `make scenarios` (diplosim {__version__}) from scenario "
             f"{fingerprint(s)}: {s.world.users:,} users, {s.duration_days} days, seed {s.seed}; "
             "runs: "
             + ", ".join(f"`{label}`" for label in folders)
             + (f"; overrides: {', '.join(f'`{o}`' for o in overrides)}" if overrides else "")
             + ". One seed per run: differences of a few percent are within run-to-run noise.")
    block = f"_{setup}_\n\n{HEADLINES[b.name](runs)}"
    if write:
        text = b.notes.read_text(encoding="utf-8")
        write_text_atomic(b.notes, replace_block(text, block, str(b.notes)))
    return block


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m diplosim.report.builtin",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="scenarios (default: all built-in cases)")
    parser.add_argument("--out", type=Path, default=Path("out/scenarios"))
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="KEY.PATH=VALUE", help="applied to every run (for quick checks; "
                        "the .md then names it)")
    parser.add_argument("--print", dest="print_only", action="store_true",
                        help="print the blocks instead of writing the .md files")
    args = parser.parse_args(argv)
    try:
        cases = [builtin(n) for n in args.names] if args.names else builtin_scenarios()
        for b in cases:
            block = generate(b, args.out, args.overrides, write=not args.print_only,
                             say=lambda m: print(m, file=sys.stderr))
            if args.print_only:
                print(f"## {b.name}\n\n{block}\n")
            else:
                print(f"wrote {b.notes}", file=sys.stderr)
    except DiplosimError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
