"""What accounts post each hour: ordinary creators, actors' campaigns, briefed influencers,
coordinated networks and challenge responses. Each returns ``NewVideos`` for the tick."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from diplosim.platform.accounts import MESSENGER_TYPES, Accounts, messenger_code
from diplosim.platform.rng import poisson_small
from diplosim.platform.videos import NEVER, NewVideos
from diplosim.scenario.schema import Campaign, Scenario
from diplosim.world.ages import AGE_GROUPS
from diplosim.world.population import Population
from diplosim.world.topics import CONTENT_KINDS, TOPICS

__all__ = ["Catalogue", "campaign_posts", "creator_posts", "network_posts", "sponsored_posts"]

_CONFLICT = TOPICS.index("conflict")
_POLITICS_TOPICS = (TOPICS.index("politics"), TOPICS.index("conflict"), TOPICS.index("news"))


@dataclass
class Catalogue:
    """Lookup tables shared by posts: target country sets, hashtag sets, campaigns."""

    world: tuple[str, ...]
    target_sets: list[tuple[str, ...]] = field(default_factory=lambda: [("all",)])
    target_ages: list[tuple[str, ...]] = field(default_factory=lambda: [()])  # (): all ages
    hashtag_sets: list[tuple[str, ...]] = field(default_factory=lambda: [()])
    campaigns: list[tuple[str, str]] = field(default_factory=list)  # (actor id, campaign id)
    #: how content portrays countries: row 0 portrays none; each row (code, valence) pairs
    portrayals: list[tuple] = field(default_factory=lambda: [()])

    def target_set(self, targets: list[str], ages: list[str] | None = None) -> int:
        """The row of the countries ``targets`` (and age groups ``ages``, None: all)."""
        key = ("all",) if "all" in targets else tuple(sorted(targets))
        groups = tuple(a for a in AGE_GROUPS if a in ages) if ages else ()
        for i, (k, g) in enumerate(zip(self.target_sets, self.target_ages, strict=True)):
            if k == key and g == groups:
                return i
        self.target_sets.append(key)
        self.target_ages.append(groups)
        return len(self.target_sets) - 1

    def hashtag_set(self, tags: list[str]) -> int:
        key = tuple(tags)
        if key not in self.hashtag_sets:
            self.hashtag_sets.append(key)
        return self.hashtag_sets.index(key)

    def portrayal(self, portrays: dict[str, float]) -> int:
        """The row of a campaign's or network's ``portrays`` (0 when it names no country)."""
        key = tuple(sorted((c, float(w)) for c, w in portrays.items() if w != 0))
        if not key:
            return 0
        if key not in self.portrayals:
            if len(self.portrayals) == 256:
                raise ValueError("more than 255 distinct `portrays` declarations")
            self.portrayals.append(key)
        return self.portrayals.index(key)

    def portray_table(self, focal_of_code: dict[str, int]) -> np.ndarray:
        """Valence by portrayal row and focal column (float64, 0 where not portrayed)."""
        out = np.zeros((len(self.portrayals), max(1, len(focal_of_code))), np.float64)
        for i, pairs in enumerate(self.portrayals):
            for code, w in pairs:
                out[i, focal_of_code[code]] = w
        return out

    def set_tags(self) -> list[np.ndarray]:
        """Per hashtag set, the numbers of its tags (case-insensitive, numbered by first use)."""
        number: dict[str, int] = {}
        return [np.array([number.setdefault(t.lower(), len(number)) for t in tags], np.int64)
                for tags in self.hashtag_sets]

    def masks(self) -> np.ndarray:
        out = np.zeros((len(self.target_sets), len(self.world)), np.bool_)
        for i, targets in enumerate(self.target_sets):
            out[i] = [("all" in targets) or (c in targets) for c in self.world]
        return out

    def age_masks(self) -> np.ndarray:
        """Target set x age group -> shown to that group (every group for a set without
        ages)."""
        out = np.ones((len(self.target_sets), len(AGE_GROUPS)), np.bool_)
        for i, groups in enumerate(self.target_ages):
            if groups:
                out[i] = [a in groups for a in AGE_GROUPS]
        return out


def _blank(k: int, tick: int) -> dict[str, np.ndarray]:
    return {
        "author": np.zeros(k, np.int32), "created_tick": np.full(k, tick, np.int32),
        "created_sec": np.full(k, tick * 3600, np.int64), "lang": np.zeros(k, np.uint16),
        "topic": np.zeros(k, np.uint8), "appeal": np.zeros(k, np.float32),
        "stance_issue": np.full(k, -1, np.int16), "stance_value": np.zeros(k, np.float32),
        "claim": np.full(k, -1, np.int16), "claim_false": np.zeros(k, np.bool_),
        "sponsor": np.full(k, -1, np.int16), "campaign": np.full(k, -1, np.int32),
        "target_set": np.zeros(k, np.int32), "messenger": np.zeros(k, np.uint8),
        "labelled": np.zeros(k, np.bool_), "focal": np.full(k, -1, np.int16),
        "challenge": np.zeros(k, np.bool_), "hashtags": np.zeros(k, np.int32),
        "variant": np.zeros(k, np.int32), "fact_check_tick": np.full(k, NEVER, np.int32),
        "portrayal": np.zeros(k, np.uint8),
    }


def _appeal(rng: np.random.Generator, mean: float, k: int) -> np.ndarray:
    conc = 6.0
    return rng.beta(mean * conc, (1 - mean) * conc, k).astype(np.float32)


def creator_posts(tick: int, rates: Iterable[tuple[int, np.ndarray]], pop: Population,
                  focal_of: np.ndarray, rng: np.random.Generator,
                  params: dict[str, float], boost: np.ndarray | None = None,
                  false_claims: np.ndarray | None = None) -> NewVideos:
    """Ordinary users post at their own (heavy-tailed) rates, on topics they care about, as
    their country's attention to each topic stands this hour (``boost``: country x topic
    multipliers of a crisis). A post repeating a claim is marked false when the claim is
    (``false_claims``, by claim: what fact-checkers label and the feed demotes, and what
    engages as false news does). ``rates`` gives (first user, this hour's posting rates) for
    consecutive blocks of users."""
    parts = [np.empty(0, np.int32)]
    for first, rate in rates:
        counts = poisson_small(rng, rate)  # rng.poisson's numbers, compiled
        posting = np.flatnonzero(counts)
        parts.append(np.repeat((first + posting).astype(np.int32), counts[posting]))
    authors = np.concatenate(parts)
    k = authors.size
    cols = _blank(k, tick)
    cols["author"] = authors
    cols["created_sec"] += rng.integers(0, 3600, k)
    cols["lang"] = pop.lang1[authors]
    weights = pop.interests[authors].astype(np.float64)
    if boost is not None and k and (boost != 1.0).any():
        weights *= boost[pop.country[authors]]
    cum = np.cumsum(weights, axis=1)
    topic = (cum < rng.random((k, 1)) * cum[:, -1:]).sum(axis=1)
    cols["topic"] = np.minimum(topic, len(TOPICS) - 1).astype(np.uint8)
    cols["appeal"] = _appeal(rng, params["user_appeal_mean"], k)
    cols["focal"] = focal_of[pop.country[authors]]
    political = np.isin(cols["topic"], _POLITICS_TOPICS)
    if pop.issues and k:
        issue = rng.integers(0, len(pop.issues), k)
        cols["stance_issue"] = np.where(political, issue, -1).astype(np.int16)
        cols["stance_value"] = pop.stances[authors, issue]
    for ci in range(len(pop.claims)):
        # a political post repeats a claim with a chance that grows with the poster's belief
        # (``claim_repeat_rate``, sized by Grinberg et al. 2019: fake-news sources were nearly
        # 6% of registered voters' political news on Twitter in 2016)
        chance = params["claim_repeat_rate"] * pop.beliefs[authors, ci]
        repeats = political & (rng.random(k) < chance) & (cols["claim"] < 0)
        cols["claim"][repeats] = ci
        if false_claims is not None and false_claims[ci]:
            cols["claim_false"][repeats] = True
    cols["variant"] = rng.integers(0, 1 << 30, k, dtype=np.int32)
    return NewVideos(**cols)


def _content(campaign: Campaign, kind: str, has_stance: bool, rng: np.random.Generator) -> int:
    if kind == "entertainment":
        return TOPICS.index(rng.choice(campaign.topics)) if campaign.topics else 0
    if has_stance and kind in ("news", "policy"):
        return _CONFLICT
    return TOPICS.index(CONTENT_KINDS[kind])


def _kinds(campaign: Campaign, default: dict[str, float]) -> tuple[list[str], np.ndarray]:
    mix = campaign.content_mix or default
    kinds = list(mix)
    weights = np.array([mix[k] for k in kinds], dtype=np.float64)
    return kinds, weights / weights.sum()


#: Content mix of a campaign that gives none, by actor type (assumption): official voices
#: post mostly news and policy, people mostly entertainment.
DEFAULT_MIX = {
    "state_media": {"news": 0.8, "entertainment": 0.2},
    "citizen": {"entertainment": 0.5, "news": 0.5},
    "diaspora": {"entertainment": 0.6, "news": 0.4},
    "influencer": {"entertainment": 0.8, "news": 0.2},
}
_OFFICIAL_MIX = {"policy": 0.6, "news": 0.2, "entertainment": 0.2}


def _fill_campaign(cols: dict[str, np.ndarray], rows: slice, campaign: Campaign, scenario,
                   catalogue: Catalogue, vocab: dict[str, int], languages: list[str],
                   kind_default: dict[str, float], rng: np.random.Generator,
                   params: dict[str, float], appeal: float | None, claim_delay: int) -> None:
    k = rows.stop - rows.start
    kinds, weights = _kinds(campaign, kind_default)
    picked = rng.choice(len(kinds), size=k, p=weights)
    has_stance = campaign.stance is not None
    cols["topic"][rows] = [_content(campaign, kinds[j], has_stance, rng) for j in picked]
    langs = campaign.languages or languages
    cols["lang"][rows] = [vocab.get(x, vocab["und"]) for x in rng.choice(langs, size=k)]
    ent = np.array([kinds[j] == "entertainment" for j in picked])
    default_appeal = np.where(ent, params["actor_appeal_entertainment"],
                              params["actor_appeal_other"])
    cols["appeal"][rows] = default_appeal if appeal is None else appeal
    issues = [i.id for i in scenario.issues]
    if has_stance:
        cols["stance_issue"][rows] = issues.index(campaign.stance.issue)
        cols["stance_value"][rows] = campaign.stance.value
    _fill_claim(cols, rows, campaign.claim, scenario, claim_delay)
    cols["target_set"][rows] = catalogue.target_set(campaign.targets, campaign.ages)
    cols["hashtags"][rows] = catalogue.hashtag_set(campaign.hashtags)
    cols["challenge"][rows] = campaign.challenge
    cols["portrayal"][rows] = catalogue.portrayal(campaign.portrays)


def _fill_claim(cols, rows, claim: str | None, scenario: Scenario, delay: int) -> None:
    if claim is None:
        return
    claims = [c.id for c in scenario.claims]
    ci = claims.index(claim)
    cols["claim"][rows] = ci
    is_false = not scenario.claims[ci].true
    cols["claim_false"][rows] = is_false
    if is_false and delay >= 0:
        cols["fact_check_tick"][rows] = cols["created_tick"][rows] + delay


def campaign_posts(tick: int, scenario: Scenario, accounts: Accounts, catalogue: Catalogue,
                   vocab: dict[str, int], focal_of_code: dict[str, int],
                   rng: np.random.Generator, params: dict[str, float],
                   claim_delay: int) -> NewVideos:
    """Actors' campaigns: each account posts exactly ``posts_per_day`` a day, spread evenly."""
    parts: list[NewVideos] = []
    first = accounts.n_users
    for actor in scenario.actors:
        for campaign in actor.campaigns:
            ci = catalogue.campaigns.index((actor.id, campaign.id))
            end = campaign.end_day if campaign.end_day is not None else scenario.duration_days
            if not campaign.start_day * 24 <= tick < end * 24:
                continue
            t0 = tick - int(campaign.start_day * 24)
            per_hour = campaign.posts_per_day / 24
            phase = (np.arange(actor.accounts) * 0.618034) % 1.0  # accounts post out of step
            n_posts = (np.floor((t0 + 1) * per_hour + phase) - np.floor(t0 * per_hour + phase))
            n_posts = n_posts.astype(np.int64)
            k = int(n_posts.sum())
            if k:
                cols = _blank(k, tick)
                cols["author"] = np.repeat(np.arange(first, first + actor.accounts), n_posts)
                cols["created_sec"] += rng.integers(0, 3600, k)
                cols["campaign"][:] = ci
                cols["messenger"][:] = messenger_code(actor.type)
                cols["labelled"][:] = accounts.column("labelled", first, first + 1)[0]
                cols["focal"][:] = focal_of_code.get(actor.country, -1)
                cols["variant"] = rng.integers(0, 1 << 30, k, dtype=np.int32)
                default = DEFAULT_MIX.get(actor.type, _OFFICIAL_MIX)
                _fill_campaign(cols, slice(0, k), campaign, scenario, catalogue, vocab,
                               actor.languages, default, rng, params, campaign.appeal,
                               claim_delay)
                parts.append(NewVideos(**cols))
        first += actor.accounts
    return NewVideos.concat(parts) or NewVideos(**_blank(0, tick))


def sponsored_posts(tick: int, influencers: np.ndarray, campaign: Campaign, actor, scenario,
                    catalogue: Catalogue, pop: Population, vocab: dict[str, int],
                    focal_of_code: dict[str, int], rng: np.random.Generator,
                    params: dict[str, float], claim_delay: int) -> NewVideos:
    """Briefed influencers each post the campaign's message once, as sponsored content."""
    k = influencers.size
    cols = _blank(k, tick)
    cols["author"] = influencers.astype(np.int32)
    cols["created_sec"] += rng.integers(0, 3600, k)
    cols["campaign"][:] = catalogue.campaigns.index((actor.id, campaign.id))
    cols["sponsor"][:] = [a.id for a in scenario.actors].index(actor.id)
    cols["messenger"][:] = messenger_code("influencer")
    cols["focal"][:] = focal_of_code.get(actor.country, -1)
    cols["variant"] = rng.integers(0, 1 << 30, k, dtype=np.int32)
    default = DEFAULT_MIX["influencer"]
    own = [pop.languages[x] for x in pop.lang1[influencers]]
    _fill_campaign(cols, slice(0, k), campaign, scenario, catalogue, vocab, actor.languages,
                   default, rng, params, campaign.appeal, claim_delay)
    cols["lang"] = np.array([vocab[x] for x in own], np.uint16)  # in the influencer's language
    cols["target_set"][:] = 0                                    # to the influencer's audience
    if campaign.appeal is None:
        cols["appeal"][:] = params["actor_appeal_entertainment"]
    return NewVideos(**cols)


def network_posts(tick: int, net, net_index: int, first_account: int, scenario: Scenario,
                  catalogue: Catalogue, vocab: dict[str, int], focal_of_code: dict[str, int],
                  rng: np.random.Generator, params: dict[str, float],
                  claim_delay: int) -> NewVideos:
    """One coordinated burst: every account posts a near-copy within the burst window."""
    k = net.accounts
    cols = _blank(k, tick)
    cols["author"] = np.arange(first_account, first_account + k, dtype=np.int32)
    window = int(net.burst_window_minutes * 60)
    start = int(rng.integers(0, max(1, 3600 - window)))
    cols["created_sec"] += start + rng.integers(0, window, k)
    cols["messenger"][:] = MESSENGER_TYPES.index("network")
    cols["focal"][:] = focal_of_code.get(net.country, -1)
    cols["lang"] = np.array([vocab.get(x, vocab["und"]) for x in rng.choice(net.languages, k)],
                            np.uint16)
    cols["topic"][:] = _CONFLICT if (net.stance or net.claim) else 0
    cols["appeal"][:] = params["actor_appeal_other"]
    if net.stance is not None:
        cols["stance_issue"][:] = [i.id for i in scenario.issues].index(net.stance.issue)
        cols["stance_value"][:] = net.stance.value
    _fill_claim(cols, slice(0, k), net.claim, scenario, claim_delay)
    cols["target_set"][:] = catalogue.target_set(net.targets)
    cols["hashtags"][:] = catalogue.hashtag_set(net.hashtags)
    cols["portrayal"][:] = catalogue.portrayal(net.portrays)
    # near-copies: one template per burst, a small per-account variation
    cols["variant"] = (net_index << 24) + (tick << 4) + rng.integers(0, 4, k)
    return NewVideos(**cols)
