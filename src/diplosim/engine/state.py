"""Everything a run holds in memory: the population, accounts, videos and the per-user feed state,
built once from a validated scenario."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from diplosim.actors.campaigns import Catalogue
from diplosim.engine.kernel import kernel_parameters
from diplosim.engine.rings import push_ring, ring_spare
from diplosim.opinion.attention import crisis_level
from diplosim.opinion.persuasion import lasting_capture, relax
from diplosim.parameters import resolve_parameters
from diplosim.platform.accounts import MESSENGER_TYPES, Accounts, build_accounts
from diplosim.platform.exposure_pools import pool_quotas
from diplosim.platform.recommender import PoolShape
from diplosim.platform.videos import VideoStore
from diplosim.scenario.schema import Scenario
from diplosim.world.ages import AGE_GROUPS
from diplosim.world.countries import country_table
from diplosim.world.population import Population, synthesise
from diplosim.world.topics import TOPICS

__all__ = ["DIURNAL", "INBOX", "SEEN", "SimState", "build_state", "credibility_table",
           "friend_place_dtype", "inbox_spare", "refresh_masks", "relax_opinions", "rng_for",
           "speak_shares", "target_cover"]

#: Relative app use by local hour, mean 1 (assumption: low overnight, an evening peak).
DIURNAL = np.array([0.6, 0.4, 0.25, 0.15, 0.1, 0.1, 0.2, 0.4, 0.6, 0.7, 0.8, 0.9, 1.0, 1.0,
                    0.95, 0.95, 1.0, 1.1, 1.3, 1.5, 1.7, 1.8, 1.6, 1.1])
DIURNAL = DIURNAL / DIURNAL.mean()
SEEN = 8          # recently seen videos remembered per user (not shown again)
RING = 4          # recent posts and shares kept per account for followers' feeds
INBOX = 4         # videos friends sent a user, kept until read (or follow_window_hours old)


def rng_for(seed: int, tick: int, stream: int) -> np.random.Generator:
    """The generator of one stream at one hour; the burn-in's hours (before 0) have their own."""
    key = [seed, 400, tick, stream] if tick >= 0 else [seed, 401, -tick, stream]
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(key)))



def speak_shares(pop: Population, n_languages: int) -> np.ndarray:
    """Per world country and language: the share of the country's users who speak it."""
    n_c, n_l = len(pop.countries), n_languages
    count = np.zeros((n_c, n_l), np.float64)
    np.add.at(count, (pop.country, pop.lang1), 1.0)
    second = pop.lang2 != np.iinfo(pop.lang2.dtype).max
    np.add.at(count, (pop.country[second], pop.lang2[second]), 1.0)
    users = np.bincount(pop.country, minlength=n_c).astype(np.float64)
    return np.minimum(count / np.maximum(users, 1.0)[:, None], 1.0)


def language_demand(pop: Population, n_languages: int) -> np.ndarray:
    """Each language's share of the feed's language choices: a user's main language, or
    their second one in a fifth of the picks (``diplosim.engine.kernel``), weighted by
    activity."""
    none = np.iinfo(pop.lang2.dtype).max
    has2 = pop.lang2 != none
    w = pop.activity.astype(np.float64)
    out = np.bincount(pop.lang1, weights=np.where(has2, 0.8 * w, w), minlength=n_languages)
    out += np.bincount(pop.lang2[has2], weights=0.2 * w[has2], minlength=n_languages)
    return out[:n_languages] / max(out.sum(), 1e-12)


def credibility_table(params: dict[str, float]) -> np.ndarray:
    group = {
        "user": "citizen", "citizen": "citizen", "diaspora": "citizen", "network": "citizen",
        "influencer": "influencer", "ngo": "organisation", "international_org": "organisation",
        "head_of_state": "government", "foreign_ministry": "government", "embassy": "government",
        "military": "government",
        "state_media": "state_media",
    }
    return np.array([params[f"credibility_{group[t]}"] for t in MESSENGER_TYPES], np.float64)


def inbox_spare(users: int) -> int:
    """Free inbox rows kept after each daily sweep: a day's new inboxes (about 5% of users),
    so the rows seldom grow during a day."""
    return users // 20 + 1024


def friend_place_dtype(friend_ptr: np.ndarray) -> np.dtype:
    """The smallest unsigned type that holds a place in any user's row of friends."""
    most = int(np.diff(friend_ptr).max()) if friend_ptr.size > 1 else 0
    for dtype in (np.uint8, np.uint16, np.uint32):
        if most <= np.iinfo(dtype).max + 1:
            return np.dtype(dtype)
    return np.dtype(np.int64)


@dataclass
class SimState:
    scenario: Scenario
    params: dict[str, float]
    pop: Population
    accounts: Accounts
    languages: tuple[str, ...]
    vocab: dict[str, int]
    focal_of_code: dict[str, int]
    focal_of_country: np.ndarray       # world country index -> focal index or -1
    catalogue: Catalogue
    store: VideoStore
    pool: PoolShape                    # the exposure pool's stages (platform views) and ages
    sampling: float                    # simulated users per platform user (platform_scale)
    speak_share: np.ndarray            # world country x language -> share of users speaking it
    demand: np.ndarray                 # language -> share of the feed's language choices
    utc_offset: np.ndarray             # world country index -> hours
    vpn_draw: np.ndarray               # float32 per user: stays through a ban if < vpn_share
    expo: np.ndarray                   # uint16 (users, focal) completed views per focal country
    # the lasting part of each opinion (``opinion.persuasion.relax``): as pop's attitudes,
    # stances and beliefs; the rest of a change fades day by day
    lasting_attitudes: np.ndarray
    lasting_stances: np.ndarray
    lasting_beliefs: np.ndarray
    seen: np.ndarray
    seen_pos: np.ndarray
    extra_pos: np.ndarray
    # Rings of recent posts are rows kept only for accounts that posted or shared lately
    # (``engine.rings``): ``ring_row`` per account, then rows of RING entries
    ring_row: np.ndarray               # int32 per account: its ring row, -1 = none
    ring_vid: np.ndarray               # int32 (rows, RING) recent posts and reposts, -1 = none
    ring_tick: np.ndarray              # uint16 (rows, RING) tick modulo 2**16 of each entry
    ring_pos: np.ndarray               # uint8 per account: the next slot to fill
    # Inboxes are rows kept only for users sent something lately (about 5% at a day's end):
    # ``inbox_row`` per user, then rows of INBOX entries, taken at a user's first send and
    # given up at the daily sweep once empty (``engine.inboxes``).
    inbox_row: np.ndarray              # int32 per user: the user's inbox row, -1 = none
    inbox_vid: np.ndarray              # int32 (rows, INBOX) videos sent by friends, -1 = none
    inbox_from: np.ndarray             # (rows, INBOX) who sent each: the sender's place in
    #                                    the user's friend row (uint8 while every user has at
    #                                    most 256 friends: ``friend_place_dtype``)
    inbox_tick: np.ndarray             # uint16 (rows, INBOX) tick modulo 2**16 it was sent
    inbox_pos: np.ndarray              # uint8 per user: the next inbox slot to fill (per user:
    #                                    the slot decides the order the feed reads sends in)
    reached: np.ndarray                # uint8 (users, ceil(named / 8)): bit a = saw named_ids()[a]
    #                                    (an actor or a network) today
    kernel_params: np.ndarray          # the kernel's parameter record (kernel_parameters)
    credibility: np.ndarray            # credibility by messenger type
    masks: np.ndarray                  # target set x world country -> shown there
    age_masks: np.ndarray              # target set x age group -> shown to it
    cover: np.ndarray                  # target set x world country -> share of its users shown
    set_tags: list[np.ndarray]         # hashtag set -> tag numbers
    portray: np.ndarray                # portrayal row x focal column -> valence
    # timeline state
    ranking: str = "engagement"
    labels_on: np.ndarray = field(default_factory=lambda: np.ones(0, np.bool_))  # per country
    foreign_blocked: np.ndarray = field(default_factory=lambda: np.zeros(0, np.bool_))
    uploads_blocked: np.ndarray = field(default_factory=lambda: np.zeros(0, np.bool_))
    upload_exempt: np.ndarray = field(default_factory=lambda: np.zeros(0, np.bool_))  # per actor
    ban_exempt: np.ndarray = field(default_factory=lambda: np.zeros(0, np.bool_))  # per actor
    fact_check: bool = False
    fact_check_delay: int = 24
    diversity: float = 0.0
    video_floor: int = 0               # videos before this cannot be shown today
    banned: np.ndarray = field(default_factory=lambda: np.zeros(0, np.bool_))
    vpn_share: np.ndarray = field(default_factory=lambda: np.zeros(0))
    left_share: np.ndarray = field(default_factory=lambda: np.zeros(0))  # moved to another app
    #: crises: (start tick, end tick, countries, topic, multiplier, half-life in days or 0)
    #: Crises: (start, end, countries, topic, multiplier, fading: a half-life in days, or
    #: ``opinion.attention.PUBLISHED`` / ``HOLD``).
    boosts: list[tuple[int, int, np.ndarray, int, float, float]] = field(default_factory=list)
    network_active: dict[int, tuple[int, int]] = field(default_factory=dict)
    pending: list = field(default_factory=list)       # posts created by this tick's events
    event_log: list[dict] = field(default_factory=list)
    _campaign_actor: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    @property
    def nbytes_per_user(self) -> float:
        return sum(self.nbytes_by_part().values()) / self.pop.size

    def nbytes_by_part(self) -> dict[str, int]:
        """The engine's state in bytes, by what it holds (the video store apart): the parts
        ``make bench`` reports per user."""
        pop, acc = self.pop, self.accounts
        parts = {
            "follow graph": (acc.follow_ptr, acc.follow_idx),
            "friends graph": (acc.friend_ptr, acc.friend_idx),
            "topic interests": (pop.interests,),
            "seen videos": (self.seen, self.seen_pos),
            "rings of recent posts": (self.ring_row, self.ring_vid, self.ring_tick,
                                      self.ring_pos),
            "opinions and their lasting parts": (
                pop.attitudes, pop.stances, pop.beliefs, self.lasting_attitudes,
                self.lasting_stances, self.lasting_beliefs),
            "follows made in the run": (acc.extra_follows, self.extra_pos),
            "completed views by focal country": (self.expo,),
            "inboxes": (self.inbox_row, self.inbox_vid, self.inbox_from, self.inbox_tick,
                        self.inbox_pos),
            "reached bits (distinct viewers)": (self.reached,),
        }
        out = {name: sum(a.nbytes for a in arrays) for name, arrays in parts.items()}
        out["the rest (country, languages, age, activity, post rate, followers, ...)"] = (
            pop.nbytes + acc.nbytes + self.vpn_draw.nbytes
            - sum(a.nbytes for a in (pop.interests, pop.attitudes, pop.stances, pop.beliefs,
                                     acc.follow_ptr, acc.follow_idx, acc.friend_ptr,
                                     acc.friend_idx, acc.extra_follows)))
        return out

    def push_ring(self, accounts: np.ndarray, videos: np.ndarray, tick: int) -> None:
        """Append posts or reposts to their accounts' rings (``engine.rings.push_ring``),
        with a row free for each."""
        used = int(self.ring_row.max()) + 1 if self.ring_row.size else 0
        cap = self.ring_vid.shape[0]
        if used + accounts.size > cap:
            grow = max(used + accounts.size, cap + cap // 2) - cap
            self.ring_vid = np.concatenate([self.ring_vid, np.full(
                (grow, RING), -1, self.ring_vid.dtype)])
            self.ring_tick = np.concatenate([self.ring_tick, np.zeros(
                (grow, RING), self.ring_tick.dtype)])
        push_ring(accounts, videos, tick, self.ring_row, self.ring_vid, self.ring_tick,
                  self.ring_pos, used)

    def reserve_inbox_rows(self, k: int) -> int:
        """Make room for ``k`` more inbox rows; returns the number of rows in use."""
        used = int(self.inbox_row.max()) + 1 if self.inbox_row.size else 0
        cap = self.inbox_vid.shape[0]
        if used + k > cap:
            new = max(used + k, cap + cap // 2)
            grow = new - cap
            self.inbox_vid = np.concatenate([self.inbox_vid, np.full(
                (grow, INBOX), -1, self.inbox_vid.dtype)])
            self.inbox_from = np.concatenate([self.inbox_from, np.zeros(
                (grow, INBOX), self.inbox_from.dtype)])
            self.inbox_tick = np.concatenate([self.inbox_tick, np.zeros(
                (grow, INBOX), self.inbox_tick.dtype)])
        return used

    def actor_of(self, videos: np.ndarray) -> np.ndarray:
        """Who is behind each video, as an index of ``scenario.named_ids()``: its campaign's
        actor, else its author's actor, else its author's coordinated network (after the
        actors), or -1 for an ordinary user's video."""
        campaign_actor = self._campaign_actor
        if campaign_actor.size != len(self.catalogue.campaigns) + 1:  # built once, on first use
            actors = [a.id for a in self.scenario.actors]
            campaign_actor = np.array([actors.index(a) for a, _ in self.catalogue.campaigns]
                                      + [-1], np.int64)
            self._campaign_actor = campaign_actor
        campaign = self.store.campaign[videos]
        author = self.store.author[videos]
        network = self.accounts.of("network", author).astype(np.int64)
        own = self.accounts.of("actor", author).astype(np.int64)
        own = np.where(network >= 0, len(self.scenario.actors) + network, own)
        return np.where(campaign >= 0, campaign_actor[campaign], own).astype(np.int64)

    def topic_boost(self, tick: int) -> np.ndarray:
        boost = np.ones((len(self.pop.countries), len(TOPICS)), np.float64)
        for start, end, countries, topic, mult, fading in self.boosts:
            if start <= tick < end:  # the extra interest fades (diplosim.opinion.attention)
                boost[countries, topic] *= crisis_level((tick - start) / 24.0, mult,
                                                        self.params, fading)
        return boost


def build_state(scenario: Scenario, seed: int | None = None) -> SimState:
    seed = scenario.seed if seed is None else seed
    params = resolve_parameters(scenario.parameters)
    pop = synthesise(scenario, seed=seed, params=params)
    accounts = build_accounts(scenario, pop, params, seed)
    wanted = [lang for a in scenario.actors for c in [a.languages, *[
        c.languages or [] for c in a.campaigns]] for lang in c]
    wanted += [lang for e in scenario.events for lang in getattr(e, "languages", [])]
    languages = pop.languages + tuple(sorted(set(wanted) - set(pop.languages)))
    vocab = {code: i for i, code in enumerate(languages)}
    focal_of_code = {code: i for i, code in enumerate(pop.focal)}
    catalogue = Catalogue(world=pop.countries)
    for actor in scenario.actors:
        for campaign in actor.campaigns:
            catalogue.campaigns.append((actor.id, campaign.id))
    table = country_table()
    n, size = pop.size, accounts.size
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 200])))
    p = scenario.platform
    return SimState(
        scenario=scenario, params=params, pop=pop, accounts=accounts, languages=languages,
        vocab=vocab, focal_of_code=focal_of_code,
        focal_of_country=np.array([focal_of_code.get(c, -1) for c in pop.countries], np.int16),
        catalogue=catalogue,
        store=VideoStore(capacity=int(scenario.duration_days * n * 0.12) + 1024),
        pool=PoolShape(pool_quotas(params["pool_first_audience"], int(params["pool_stages"])),
                       int(params["pool_max_age_hours"]), params["pool_age_scale_hours"],
                       params["pool_age_exponent"]),
        sampling=scenario.platform_scale(),
        speak_share=speak_shares(pop, len(languages)),
        demand=language_demand(pop, len(languages)),
        utc_offset=np.array([table[c].utc_offset_hours for c in pop.countries]),
        vpn_draw=rng.random(n, dtype=np.float32),
        expo=np.zeros((n, len(pop.focal)), np.uint16),
        lasting_attitudes=pop.attitudes.copy(), lasting_stances=pop.stances.copy(),
        lasting_beliefs=pop.beliefs.copy(),
        seen=np.full((n, SEEN), -1, np.int32), seen_pos=np.zeros(n, np.uint8),
        extra_pos=np.zeros(n, np.uint8),
        ring_row=np.full(size, -1, np.int32),
        ring_vid=np.full((ring_spare(size), RING), -1, np.int32),
        ring_tick=np.zeros((ring_spare(size), RING), np.uint16),
        ring_pos=np.zeros(size, np.uint8),
        inbox_row=np.full(n, -1, np.int32),
        inbox_vid=np.full((inbox_spare(n), INBOX), -1, np.int32),
        inbox_from=np.zeros((inbox_spare(n), INBOX), friend_place_dtype(accounts.friend_ptr)),
        inbox_tick=np.zeros((inbox_spare(n), INBOX), np.uint16),
        inbox_pos=np.zeros(n, np.uint8),
        reached=np.zeros((n, max(1, (len(scenario.named_ids()) + 7) // 8)), np.uint8),
        kernel_params=kernel_parameters(params), credibility=credibility_table(params),
        masks=catalogue.masks(), age_masks=catalogue.age_masks(),
        cover=target_cover(catalogue, pop), set_tags=catalogue.set_tags(),
        portray=catalogue.portray_table(focal_of_code),
        ranking=p.ranking,
        labels_on=np.full(len(pop.countries), p.state_media_labels, np.bool_),
        foreign_blocked=np.zeros(len(pop.countries), np.bool_),
        uploads_blocked=np.zeros(len(pop.countries), np.bool_),
        upload_exempt=np.zeros(len(scenario.actors), np.bool_),
        ban_exempt=np.zeros(len(scenario.actors), np.bool_),
        fact_check=p.moderation.fact_check,
        fact_check_delay=int(round(p.moderation.fact_check_delay_hours)),
        diversity=p.diversity,
        banned=np.zeros(len(pop.countries), np.bool_), vpn_share=np.zeros(len(pop.countries)),
        left_share=np.zeros(len(pop.countries)),
    )


def relax_opinions(state: SimState) -> None:
    """The day's end: the part of every opinion that has not lasted fades
    (``diplosim.opinion.persuasion.relax``, with ``persuasion_half_life_days`` and
    ``persuasion_lasting_share``)."""
    keep = 0.5 ** (1.0 / state.params["persuasion_half_life_days"])
    capture = lasting_capture(state.params["persuasion_lasting_share"], keep)
    pop = state.pop
    for values, lasting in ((pop.attitudes, state.lasting_attitudes),
                            (pop.stances, state.lasting_stances),
                            (pop.beliefs, state.lasting_beliefs)):
        if values.size:
            relax(values, lasting, keep, capture)


def target_cover(catalogue: Catalogue, pop: Population) -> np.ndarray:
    """Target set x world country -> the share of the country's users a set's posts may be
    shown to: 1 where the country is targeted (0 where not), times the share of its users in
    the targeted age groups for a set aimed at some ages."""
    masks = catalogue.masks()
    out = masks.astype(np.float64)
    ages = catalogue.age_masks()
    aimed = ~ages.all(axis=1)
    if aimed.any():
        counts = np.zeros((len(pop.countries), len(AGE_GROUPS)))
        np.add.at(counts, (pop.country, pop.age), 1.0)
        shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1.0)
        out[aimed] *= (shares @ ages[aimed].T.astype(np.float64)).T
    return out


def refresh_masks(state: SimState) -> None:
    """The target masks again once a campaign or network has added a target set."""
    if state.masks.shape[0] != len(state.catalogue.target_sets):
        state.masks = state.catalogue.masks()
        state.age_masks = state.catalogue.age_masks()
        state.cover = target_cover(state.catalogue, state.pop)
