"""Accounts and the follow graph: every user is an account, then actor and network accounts.

Users keep their population index as account id; actor accounts follow them, network accounts
(switched on by their event) come last. The follow graph is CSR (who each user follows) plus a
small ring per user for follows made during the run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from diplosim.errors import DiplosimError
from diplosim.platform.friends import friend_graph, narrow_offsets
from diplosim.platform.guide import fill_guide, guided_search
from diplosim.scenario.schema import CoordinatedNetwork, Scenario
from diplosim.store.contract import SIMULATED_ACCOUNT_TYPES
from diplosim.world.population import Population
from diplosim.world.strata import stratified_lognormal

__all__ = ["MESSENGER_TYPES", "Accounts", "build_accounts", "capped_lognormal_scale",
           "messenger_code"]

#: Messenger codes: ordinary user, the actor types, inauthentic network (the simulated account
#: types of ``store.contract``, in its tables' dictionary order).
MESSENGER_TYPES: tuple[str, ...] = SIMULATED_ACCOUNT_TYPES
GOVERNMENT = ("head_of_state", "foreign_ministry", "embassy")
LABELLED_TYPES = (*GOVERNMENT, "state_media")
#: Actor types that are groups of ordinary accounts: no followers to start with by default.
ORDINARY_TYPES = ("citizen", "diaspora")
EXTRA_FOLLOWS = 4


def messenger_code(kind: str) -> int:
    return MESSENGER_TYPES.index(kind)


#: What an ordinary user's account holds in the columns of actor and network accounts.
_USER_VALUES = {"messenger": 0, "actor": -1, "network": -1, "labelled": False, "active_from": 0}


@dataclass
class Accounts:
    """Every account. Users (ids below ``n_users``) take their country and language from the
    population and are all alike otherwise, so per-account columns are stored only for the
    actor and network accounts after them (``extra``); ``column`` and ``of`` give any range."""

    n_users: int
    countries: tuple[str, ...]   # index -> ISO code: the world's countries, then actors' others
    user_country: np.ndarray     # uint16, the population's (shared, not copied)
    user_lang: np.ndarray        # uint16, the population's main language (shared)
    extra: dict[str, np.ndarray]  # country, messenger, actor, network, lang, labelled,
    #                               active_from of the accounts after the users
    post_rate: np.ndarray        # float32 posts/day of ordinary users
    followers: np.ndarray        # int32 per account
    follow_ptr: np.ndarray       # int32 (int64 past 2**31 edges) (users + 1) CSR of follows
    follow_idx: np.ndarray       # int32
    extra_follows: np.ndarray    # int32 (users, EXTRA_FOLLOWS) follows made during the run, -1
    handles: list[str]           # non-user accounts' handles, by account id - n_users
    friend_ptr: np.ndarray       # int32 (or int64, as follow_ptr) CSR of friends (symmetric)
    friend_idx: np.ndarray       # int32

    @property
    def size(self) -> int:
        return self.n_users + int(self.extra["country"].shape[0])

    @property
    def nbytes(self) -> int:
        own = [self.post_rate, self.followers, self.follow_ptr, self.follow_idx,
               self.extra_follows, self.friend_ptr, self.friend_idx, *self.extra.values()]
        return sum(v.nbytes for v in own)

    def _user_part(self, name: str, lo: int, hi: int) -> np.ndarray:
        dtype = self.extra[name].dtype
        if name == "country":
            return self.user_country[lo:hi].astype(dtype, copy=False)
        if name == "lang":
            return self.user_lang[lo:hi].astype(dtype, copy=False)
        return np.full(max(hi - lo, 0), _USER_VALUES[name], dtype)

    def column(self, name: str, lo: int = 0, hi: int | None = None) -> np.ndarray:
        """Accounts ``lo`` to ``hi - 1`` of a column (country, messenger, actor, network, lang,
        labelled, active_from)."""
        hi = self.size if hi is None else hi
        n = self.n_users
        users = self._user_part(name, lo, min(hi, n))
        others = self.extra[name][max(lo, n) - n:max(hi, n) - n]
        return np.concatenate([users, others]) if users.size and others.size else \
            (users if users.size else others)

    def of(self, name: str, accounts: np.ndarray) -> np.ndarray:
        """A column's values for the given account ids."""
        extra = self.extra[name]
        is_user = accounts < self.n_users
        out = extra[np.where(is_user, 0, accounts - self.n_users)] if extra.size else \
            np.zeros(accounts.shape, extra.dtype)
        if name in ("country", "lang"):
            source = self.user_country if name == "country" else self.user_lang
            out[is_user] = source[accounts[is_user]]
        else:
            out[is_user] = _USER_VALUES[name]
        return out

    def handle(self, account: int) -> str:
        return f"user{account}" if account < self.n_users else self.handles[account - self.n_users]


@njit(cache=True)
def count_ids(ids, size):
    """How often each id in ``range(size)`` occurs: np.bincount without its int64 copy of the
    input (the follow graph is 40 bytes a user)."""
    out = np.zeros(size, np.int32)
    for i in ids:
        out[i] += 1
    return out


def _rng(seed: int, stream: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 100 + stream])))


#: Followers handled per step while drawing the follow graph (bounds its temporaries).
_FOLLOW_CHUNK = 1 << 16


@njit(cache=True)
def _spread(idx, counts, ptr, compact_end):
    """Move each user's followees from the compact layout to its CSR row (last row first: a
    row only moves to higher positions, so nothing unmoved is overwritten)."""
    pos = compact_end
    for u in range(counts.shape[0] - 1, -1, -1):
        k = counts[u]
        pos -= k
        dst = ptr[u]
        if dst != pos:
            for j in range(k - 1, -1, -1):
                idx[dst + j] = idx[pos + j]


@njit(cache=True)
def _place(idx, ptr, fill, followers, account):
    for u in followers:
        idx[ptr[u] + fill[u]] = account
        fill[u] += 1


@njit(cache=True)
def _draw_rows(a, b, lo, k, weights, guide, r, idx, filled, counts):
    """Followers ``a..b-1`` (of the country starting at ``lo``) with ``k`` draws each: each
    draw a followee by weight (``r``, one uniform per draw, in order), self-follows dropped,
    each row sorted, written to ``idx`` from ``filled``; returns the new end."""
    n = weights.shape[0]
    total = weights[-1]
    d = 0
    for u in range(a, b):
        row = filled
        for _ in range(k[u - lo]):
            followee = lo + min(guided_search(weights, 0, n, guide, 0.0, total, r[d]), n - 1)
            d += 1
            if followee == u:
                continue
            j = filled  # insertion sort: rows are short (a Poisson number of follows)
            while j > row and idx[j - 1] > followee:
                idx[j] = idx[j - 1]
                j -= 1
            idx[j] = followee
            filled += 1
        counts[u] = filled - row
    return filled


def _user_follows(pop: Population, post_rate: np.ndarray, mean_follows: float,
                  rng: np.random.Generator, spare: int) -> tuple[np.ndarray, int, np.ndarray]:
    """Who each user follows among popular creators of their own country: (followees of
    user 0, then user 1, ..., each user's sorted; how many; followees per user). The buffer
    keeps ``spare`` free places for the actors' followers.

    Each follow picks a creator of the country with probability proportional to their post
    rate; the draws are NumPy's (a Poisson count per user, then one uniform per follow, a chunk
    of followers at a time), the search and the sorted rows compiled."""
    n = pop.size
    bounds = np.searchsorted(pop.country, np.arange(len(pop.countries) + 1))
    counts = np.zeros(n, np.int32)
    idx = np.empty(int(n * mean_follows + 6 * np.sqrt(n * mean_follows)) + 1024 + spare,
                   np.int32)
    filled = 0
    for ci in range(len(pop.countries)):
        lo, hi = int(bounds[ci]), int(bounds[ci + 1])
        if hi - lo < 2:
            continue
        weights = np.cumsum(post_rate[lo:hi].astype(np.float64))
        guide = np.empty(hi - lo, np.int32)
        fill_guide(weights, 0, hi - lo, guide)
        k = rng.poisson(mean_follows, hi - lo)
        for a in range(lo, hi, _FOLLOW_CHUNK):  # consecutive draws: the same stream as one
            b = min(hi, a + _FOLLOW_CHUNK)
            draws = int(k[a - lo:b - lo].sum())
            if filled + draws + spare > idx.size:
                idx = np.resize(idx, max(2 * idx.size, filled + draws + spare))
            filled = _draw_rows(a, b, lo, k, weights, guide, rng.random(draws), idx, filled,
                                counts)
    return idx, filled, counts


def capped_lognormal_scale(mean: float, sigma: float, cap: float) -> float:
    """The scale ``m`` at which ``min(m X, cap)`` has mean ``mean``, for ``X`` log-normal with
    mean 1 and log-sd ``sigma``: E[min(m X, c)] = m Phi(z - sigma) + c (1 - Phi(z)), with
    z = (ln(c / m) + sigma^2 / 2) / sigma (the partial expectation of a log-normal). Ordinary
    users' posting rates are that draw (``creator_max_posts_per_day``): the mean stays the
    calibrated rate while no user posts above the ceiling."""
    if mean <= 0.0 or sigma <= 0.0:
        return mean
    if cap <= mean:
        raise DiplosimError(f"parameters creator_max_posts_per_day: {cap:g} is not above "
                            f"creator_posts_per_day ({mean:g}); a ceiling must be above the mean")

    def capped_mean(m: float) -> float:
        z = (math.log(cap / m) + sigma * sigma / 2) / sigma
        return m * _phi(z - sigma) + cap * (1.0 - _phi(z))

    lo, hi = mean, mean
    while capped_mean(hi) < mean:  # the capped mean grows with m, towards cap
        hi *= 2.0
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if capped_mean(mid) < mean else (lo, mid)
    return 0.5 * (lo + hi)


def _phi(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def build_accounts(scenario: Scenario, pop: Population, params: dict[str, float],
                   seed: int) -> Accounts:
    n = pop.size
    rng = _rng(seed, 1)
    sigma, cap = params["creator_lognormal_sigma"], params["creator_max_posts_per_day"]
    scale = capped_lognormal_scale(params["creator_posts_per_day"], sigma, cap)
    # stratified per country (``world/strata.py``): each country's creators post the
    # calibrated mean exactly, whatever its number of sampled users (issue 45)
    post_rate = stratified_lognormal(pop.country, sigma, scale, cap, rng).astype(np.float32)

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
    table = np.array(rows, dtype=np.int64).reshape(-1, 7)
    size = n + len(rows)
    dtypes = {"country": np.uint16, "messenger": np.uint8, "actor": np.int16,
              "network": np.int16, "lang": np.uint16, "labelled": np.bool_,
              "active_from": np.int32}
    follow_ptr, follow_idx = _follow_graph(scenario, pop, params, rng, post_rate)
    friend_ptr, friend_idx = friend_graph(pop.country, params["friends_per_user"],
                                          params["friends_same_country_share"], _rng(seed, 9))
    return Accounts(
        n_users=n, countries=tuple(countries), user_country=pop.country, user_lang=pop.lang1,
        extra={name: table[:, i].astype(dtype) for i, (name, dtype) in enumerate(dtypes.items())},
        post_rate=post_rate, followers=count_ids(follow_idx, size),
        follow_ptr=follow_ptr, follow_idx=follow_idx,
        extra_follows=np.full((n, EXTRA_FOLLOWS), -1, np.int32), handles=handles,
        friend_ptr=friend_ptr, friend_idx=friend_idx,
    )


def _follow_graph(scenario: Scenario, pop: Population, params: dict[str, float],
                  rng: np.random.Generator, post_rate: np.ndarray) -> tuple[np.ndarray, ...]:
    """The starting follow graph as CSR (who each user follows, each row sorted: users first,
    then actor accounts), built in one buffer sized for both kinds of edges."""
    n = pop.size
    spare = 0  # room for the actors' followers: their expected number plus six sd
    for actor, audience, share in _actor_audiences(scenario, pop, params, sizes_only=True):
        given = scenario.start_followers(actor)
        mean = min(audience, given) if given is not None else audience * min(share, 1.0)
        spare += actor.accounts * int(mean + 6 * np.sqrt(mean) + 16)
    idx, filled, counts = _user_follows(pop, post_rate, params["initial_follows_per_user"],
                                        rng, spare)
    actor_lists = _actor_followers(scenario, pop, params, rng, n)
    need = filled + sum(f.size for _, f in actor_lists)
    if need > idx.size:  # beyond six sd: grow once
        idx = np.resize(idx, need)
    return _assemble(n, actor_lists, idx, filled, counts)


def _assemble(n: int, actor_lists: list, idx: np.ndarray, filled: int,
              counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    extra = np.zeros(n, np.int32)
    for _, followers in actor_lists:
        extra[followers] += 1  # an account's followers are distinct
    follow_ptr = np.zeros(n + 1, np.int64)
    np.cumsum(counts + extra, out=follow_ptr[1:])
    del extra
    total = int(follow_ptr[-1])
    _spread(idx, counts, follow_ptr, filled)
    for account, followers in actor_lists:  # ascending accounts: each row stays sorted
        _place(idx, follow_ptr, counts, followers, account)
    return narrow_offsets(follow_ptr), idx[:total].copy() if idx.size > total else idx


def _actor_audiences(scenario: Scenario, pop: Population, params: dict[str, float],
                     sizes_only: bool = False):
    """Per actor: (actor, the users who may follow it at the start, its follower share). The
    audience is its target countries' speakers of its languages (only their number with
    ``sizes_only``)."""
    n = pop.size
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
        mask = in_target & speaks
        audience = int(np.count_nonzero(mask)) if sizes_only else \
            np.flatnonzero(mask).astype(np.int32)
        # citizens' and diaspora accounts are ordinary accounts: Pew (2024) gives the median
        # U.S. user 36 followers, which is none in any sample of the platform
        share = 0.0 if actor.type in ORDINARY_TYPES else params["actor_follower_share"] * (
            10 if actor.type in ("head_of_state", "influencer") else 1)
        yield actor, audience, share


def _actor_followers(scenario: Scenario, pop: Population, params: dict[str, float],
                     rng: np.random.Generator, n: int) -> list[tuple[int, np.ndarray]]:
    """Each actor account starts with followers among its audience: (account, its followers)
    in account order."""
    account = n
    out = []
    for actor, audience, share in _actor_audiences(scenario, pop, params):
        given = scenario.start_followers(actor)
        for _ in range(actor.accounts):
            k = (min(audience.size, given) if given is not None else
                 min(audience.size, rng.binomial(audience.size, min(share, 1.0))))
            followers = rng.choice(audience, size=k, replace=False) if k else audience[:0]
            out.append((account, followers))
            account += 1
    return out
