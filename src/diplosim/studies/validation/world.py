"""The validation worlds: their sizes (two per suite, a factor 4 apart) and the scenarios.

Every size is chosen before any result is seen and stays fixed; a finding must hold at both
sizes of a suite. ``quick`` runs in ``make test``, ``full`` in ``make validate``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RANKINGS", "SIZES", "Size", "attention_scenario", "validation_scenario"]

RANKINGS = ("engagement", "social", "chronological")


@dataclass(frozen=True)
class Size:
    #: The two world sizes, a factor 4 apart (issue 31: results must not flip with size).
    users: tuple[int, int]
    days: int
    #: Seeds per size (each seed runs the world under the three rankings).
    seeds: int
    #: Users in the seven-month attention run, at each size.
    attention_users: tuple[int, int]
    #: Cascades with at least this many nodes count as "large" (structural virality). Goel et
    #: al. (2016) used 100 adopters on Twitter; a 5,000-user world seldom gets there, so one
    #: smaller threshold serves both sizes (compared at equal cascade size, Juul & Ugander 2021).
    large_cascade: int = 20
    #: Share of the users a claim must reach for the time-to-reach comparison: Vosoughi et al.
    #: used 1,500 people on Twitter; 1.5% of the world is 1,500 at 100,000 users.
    reach_share: float = 0.015


SIZES = {"quick": Size(users=(5_000, 20_000), days=4, seeds=6, attention_users=(500, 2_000)),
         "full": Size(users=(25_000, 100_000), days=7, seeds=6,
                      attention_users=(2_500, 10_000))}


def validation_scenario(users: int, days: int, seed: int, ranking: str) -> dict:
    """The validation world as a scenario document (validated by the ordinary schema): seven
    countries, two political parties' accounts posting on one issue to the US, a newcomer with
    no followers, two identical citizen groups posting a false and a true claim, and two
    identical followed outlets, one posting a false claim (the source rated untrustworthy)."""
    political = {"posts_per_day": 3, "content_mix": {"policy": 0.7, "news": 0.3},
                 "targets": ["US"]}
    # Enough posts per claim that both claims' impressions add up to the reach threshold in
    # most runs; identical groups, so only the claim's truth differs.
    claim_group = {"type": "citizen", "country": "US", "languages": ["en"], "accounts": 30,
                   "followers": 0}
    claim_campaign = {"start_day": 0.5, "posts_per_day": 1.0, "content_mix": {"news": 1.0},
                      "targets": ["US", "GB"]}
    # Guess et al. (2023) counted content from sources rated untrustworthy (NewsGuard), which
    # their users had followed: two outlets alike but for the truth of what they post, each
    # followed as an official account is at the start (actor_follower_share of its audience).
    outlet = {"type": "ngo", "country": "US", "languages": ["en"]}
    outlet_campaign = {"posts_per_day": 3, "content_mix": {"news": 1.0},
                       "targets": ["US", "GB"]}
    return {
        "name": f"validation_{ranking}", "seed": seed, "duration_days": days,
        "world": {"users": users, "countries": ["US", "GB", "DE", "FR", "BR", "ID", "JP"]},
        "platform": {"ranking": ranking},
        "issues": [{"id": "policy", "negative": "left", "positive": "right"}],
        "claims": [{"id": "rumour", "true": False}, {"id": "report", "true": True},
                   {"id": "outlet_rumour", "true": False},
                   {"id": "outlet_report", "true": True}],
        "actors": [
            {"id": "party_left", "type": "foreign_ministry", "country": "US", "languages": ["en"],
             "campaigns": [{"id": "left", **political,
                            "stance": {"issue": "policy", "value": -0.7}}]},
            {"id": "party_right", "type": "foreign_ministry", "country": "US",
             "languages": ["en"], "campaigns": [{"id": "right", **political,
                                                 "stance": {"issue": "policy", "value": 0.7}}]},
            {"id": "newcomer", "type": "influencer", "country": "US", "languages": ["en"],
             "followers": 0, "campaigns": [{"id": "clips", "posts_per_day": 2,
                                            "content_mix": {"entertainment": 1.0},
                                            "topics": ["music", "food"], "targets": ["US"]}]},
            {"id": "rumour_posters", **claim_group,
             "campaigns": [{"id": "rumour", **claim_campaign, "claim": "rumour"}]},
            {"id": "report_posters", **claim_group,
             "campaigns": [{"id": "report", **claim_campaign, "claim": "report"}]},
            {"id": "outlet_untrustworthy", **outlet,
             "campaigns": [{"id": "outlet_rumour", **outlet_campaign,
                            "claim": "outlet_rumour"}]},
            {"id": "outlet_trustworthy", **outlet,
             "campaigns": [{"id": "outlet_report", **outlet_campaign,
                            "claim": "outlet_report"}]},
        ],
    }


def attention_scenario(users: int, seed: int):
    """The built-in ``ukraine_attention_2022`` scenario with ``users`` and ``seed``
    (its parameters, the crisis multiplier and the published two-phase fade, are not fitted
    to the curve it is compared with)."""
    from diplosim.scenario.builtin import builtin
    from diplosim.scenario.loader import load_scenario

    b = builtin("ukraine_attention_2022")
    return load_scenario(b.path, [f"world.users={users}", f"seed={seed}"])
