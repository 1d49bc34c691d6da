"""Why each scored finding the model does not reproduce fails: the reasons, kept with the code.

``validate-model`` exits 3 when a scored finding (or an opinion-rule check) is not reproduced;
``make test`` accepts that exit only while every failing row has its reason here (issue 47:
"only while the note lists which finding fails and why"). The page prints the reason of each
row that fails in the run it shows, and the command prints it beside the failing id; a row
that fails without a reason here is reported as undocumented, and the quick suite's test fails.
A reason is the mechanism the model lacks or the sourced parameter that keeps the row out of
reach, with the arithmetic where there is one; a reason is never a tolerance to widen.
"""

from __future__ import annotations

__all__ = ["WHY", "why"]

WHY: dict[str, str] = {
    "first_day_share": (
        "Trendpop's lifecycle puts 0.84 of a video's first two days' views on its first day; "
        "the pool's age curve (`pool_age_scale_hours`, `pool_age_exponent`) was fitted to the "
        "same study's 24-hour and 7-day points, but the staged exposure pool keeps promoting a "
        "video into its second day more than the age curve alone would, and the fit was made "
        "on the curve, not on the whole engine. Refitting the curve on whole runs is a "
        "calibration change (every scenario's figures move), not yet made."),
    "chronological_time": (
        "Not modelled: sessions per day and their length are parameters, so no feed can make "
        "users stay longer or leave sooner. The mechanism Guess et al.'s finding needs is "
        "session length responding to what the feed serves (what TikTok optimises for); no "
        "published size of that response on TikTok was found, and any assumed size would "
        "set the direction this row tests."),
    "chronological_political": (
        "In the model a chronological feed serves followed accounts only, newest first, and "
        "nothing in engagement ranking serves political posts less than other posts of the "
        "same engagement: the parties' videos compete in the For You sources like any others. "
        "So the political share of impressions comes out about the same under both feeds "
        "(the ratio near 1, its interval including or below 1). Guess et al.'s rise came from "
        "Facebook's and Instagram's ranking, whose signals for political content the model "
        "has no published TikTok counterpart for."),
    "chronological_untrustworthy": (
        "The outlets are kept whole and followed at the start by `actor_follower_share` "
        "(0.2%) of their audience, a handful of users in a small world: where the row fails, "
        "the untrustworthy outlet drew no impression at all under engagement ranking in some "
        "seed, so the ratio cannot be computed there (a value that cannot be computed counts "
        "as a failure). The twin's row among the model's own figures shows how much of the "
        "ratio any followed source gets from a feed of follows."),
    "followed_liked_more": (
        "Zannettou et al.'s users liked followed accounts' videos more than the feed's picks "
        "from strangers; in the model the followed source's videos are liked less per view. "
        "The start's follows are drawn by posting volume (`initial_follows_per_user`), not by "
        "the viewer's interests; the followed source serves a followed account's latest or "
        "most engaging item whatever its topic; and the chance of a like has no term for a "
        "tie to the author. A tie term would need to multiply the followed likes by about "
        "1 / (the ratio in the table), 1.65 at 0.606; the only published size for it is this "
        "finding's own, which would make the row calibration."),
    "rated_false_tag": (
        "The correction is sized by Coppock, Gross, Porter, Thorson & Wood 2023 (a fact-check "
        "lowers belief by 0.42 on the log-odds scale), not by Clayton et al. From their control "
        "share, 29% (log-odds -0.895), one labelled view's correction gives -1.315, 21.2% "
        "rating the headline accurate. The tolerance's upper end, 20% (log-odds -1.386), needs "
        "a correction of at least 0.491; Clayton et al.'s own fall, 29% to 16%, is 0.763, and "
        "sizing the rule by it would make this row calibration."),
}


def why(finding_id: str) -> str | None:
    """The recorded reason ``finding_id`` fails, or None when none is recorded."""
    return WHY.get(finding_id)
