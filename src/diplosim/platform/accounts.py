"""Accounts and the follow graph: every user is an account, then actor and network accounts.

Users keep their population index as account id; actor accounts follow them, network accounts
(switched on by their event) come last. The follow graph is CSR (who each user follows) plus a
small ring per user for follows made during the run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from diplosim.scenario.schema import ACTOR_TYPES, CoordinatedNetwork, Scenario
from diplosim.world.population import Population

__all__ = ["MESSENGER_TYPES", "Accounts", "build_accounts", "messenger_code"]

#: Messenger codes: ordinary user, the nine actor types, inauthentic network.
MESSENGER_TYPES: tuple[str, ...] = ("user", *ACTOR_TYPES, "network")
GOVERNMENT = ("head_of_state", "foreign_ministry", "embassy")
LABELLED_TYPES = (*GOVERNMENT, "state_media")
EXTRA_FOLLOWS = 4


def messenger_code(kind: str) -> int:
    return MESSENGER_TYPES.index(kind)


@dataclass
class Accounts:
    n_users: int
    countries: tuple[str, ...]   # index -> ISO code: the world's countries, then actors' others
    country: np.ndarray          # uint16
    messenger: np.ndarray        # uint8, MESSENGER_TYPES
    actor: np.ndarray            # int16 actor index or -1
    network: np.ndarray          # int16 network index or -1
    lang: np.ndarray             # uint16 main language (population vocabulary)
    labelled: np.ndarray         # bool: state-affiliated or government account
    post_rate: np.ndarray        # float32 posts/day of ordinary users (0 for others)
    active_from: np.ndarray      # int32 first tick the account exists
    followers: np.ndarray        # int32
    follow_ptr: np.ndarray       # int64 (users + 1) CSR of who each user follows
    follow_idx: np.ndarray       # int32
    extra_follows: np.ndarray    # int32 (users, EXTRA_FOLLOWS) follows made during the run, -1
    handles: list[str]           # non-user accounts' handles, by account id - n_users

    @property
    def size(self) -> int:
        return int(self.country.shape[0])

    @property
    def nbytes(self) -> int:
        return sum(v.nbytes for v in vars(self).values() if isinstance(v, np.ndarray))

    def handle(self, account: int) -> str:
        return f"user{account}" if account < self.n_users else self.handles[account - self.n_users]


def _rng(seed: int, stream: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 100 + stream])))


def _user_follows(pop: Population, post_rate: np.ndarray, mean_follows: float,
                  rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(follower, followee) edges among users: popular creators of one's own country."""
    bounds = np.searchsorted(pop.country, np.arange(len(pop.countries) + 1))
    src, dst = [], []
    for ci in range(len(pop.countries)):
        lo, hi = int(bounds[ci]), int(bounds[ci + 1])
        if hi - lo < 2:
            continue
        weights = np.cumsum(post_rate[lo:hi].astype(np.float64))
        k = rng.poisson(mean_follows, hi - lo)
        follower = np.repeat(np.arange(lo, hi, dtype=np.int32), k)
        pick = np.searchsorted(weights, rng.random(follower.size) * weights[-1], side="right")
        followee = (lo + np.minimum(pick, hi - lo - 1)).astype(np.int32)
        keep = followee != follower
        src.append(follower[keep])
        dst.append(followee[keep])
    return (np.concatenate(src) if src else np.empty(0, np.int32),
            np.concatenate(dst) if dst else np.empty(0, np.int32))


def build_accounts(scenario: Scenario, pop: Population, params: dict[str, float],
                   seed: int) -> Accounts:
    n = pop.size
    rng = _rng(seed, 1)
    sigma = params["creator_lognormal_sigma"]
    post_rate = (params["creator_posts_per_day"] *
                 rng.lognormal(-sigma**2 / 2, sigma, n)).astype(np.float32)

    countries = list(pop.countries)
    handles: list[str] = []
    rows: list[tuple[int, int, int, int, int, bool, int]] = []  # country, type, actor, net, lang
    vocab = {code: i for i, code in enumerate(pop.languages)}
    und = vocab["und"]
    for ai, actor in enumerate(scenario.actors):
        if actor.country not in countries:
            countries.append(actor.country)
        for k in range(actor.accounts):
            handles.append(actor.id if actor.accounts == 1 else f"{actor.id}_{k}")
            rows.append((countries.index(actor.country), messenger_code(actor.type), ai, -1,
                         vocab.get(actor.languages[0], und), actor.type in LABELLED_TYPES, 0))
    networks = [e for e in scenario.events if isinstance(e, CoordinatedNetwork)]
    for ni, net in enumerate(networks):
        if net.country not in countries:
            countries.append(net.country)
        start = int(net.day * 24)
        for k in range(net.accounts):
            handles.append(f"{net.id}_{k}")
            rows.append((countries.index(net.country), messenger_code("network"), -1, ni,
                         vocab.get(net.languages[0], und), False, start))
    extra = np.array(rows, dtype=np.int64).reshape(-1, 7)
    size = n + len(rows)

    def column(values: np.ndarray, i: int, dtype) -> np.ndarray:
        return np.concatenate([values.astype(dtype), extra[:, i].astype(dtype)])

    src, dst = _user_follows(pop, post_rate, params["initial_follows_per_user"], rng)
    src, dst = _actor_followers(scenario, pop, n, params, rng, src, dst)
    order = np.lexsort((dst, src))
    src, dst = src[order], dst[order]
    follow_ptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=follow_ptr[1:])
    return Accounts(
        n_users=n, countries=tuple(countries),
        country=column(pop.country, 0, np.uint16), messenger=column(np.zeros(n), 1, np.uint8),
        actor=column(np.full(n, -1), 2, np.int16), network=column(np.full(n, -1), 3, np.int16),
        lang=column(pop.lang1, 4, np.uint16), labelled=column(np.zeros(n), 5, np.bool_),
        post_rate=np.concatenate([post_rate, np.zeros(len(rows), np.float32)]),
        active_from=column(np.zeros(n), 6, np.int32),
        followers=np.bincount(dst, minlength=size).astype(np.int32),
        follow_ptr=follow_ptr, follow_idx=dst.astype(np.int32),
        extra_follows=np.full((n, EXTRA_FOLLOWS), -1, np.int32), handles=handles,
    )


def _actor_followers(scenario: Scenario, pop: Population, n: int, params: dict[str, float],
                     rng: np.random.Generator, src: np.ndarray, dst: np.ndarray):
    """Each actor account starts with followers among its target countries' speakers."""
    account = n
    add_src, add_dst = [src], [dst]
    vocab = {code: i for i, code in enumerate(pop.languages)}
    for actor in scenario.actors:
        targets = {t for c in actor.campaigns for t in c.targets} or {"all"}
        if actor.host_country:
            targets.add(actor.host_country)
        in_target = (np.ones(n, bool) if "all" in targets else
                     np.isin(pop.country, [pop.countries.index(t) for t in targets
                                           if t in pop.countries]))
        langs = [vocab[lang] for lang in actor.languages if lang in vocab]
        speaks = np.isin(pop.lang1, langs) | np.isin(pop.lang2, langs)
        audience = np.flatnonzero(in_target & speaks).astype(np.int32)
        share = params["actor_follower_share"] * (
            10 if actor.type in ("head_of_state", "influencer") else 1)
        for _ in range(actor.accounts):
            k = (min(audience.size, actor.followers) if actor.followers is not None else
                 min(audience.size, rng.binomial(audience.size, min(share, 1.0))))
            followers = rng.choice(audience, size=k, replace=False) if k else audience[:0]
            add_src.append(followers)
            add_dst.append(np.full(k, account, np.int32))
            account += 1
    return np.concatenate(add_src), np.concatenate(add_dst)
