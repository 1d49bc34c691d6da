"""One hour before the feeds are served: who posts (creators at their rates, the campaigns, the
coordinated networks' bursts, viewers taking up a challenge), what a ban stops from being
uploaded, how network accounts boost their fellows' new posts, and who opens the app. Users are
visited in blocks (``USER_BLOCK``) so the per-hour temporaries stay small."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from diplosim.actors.campaigns import campaign_posts, creator_posts
from diplosim.engine.named import probe_new
from diplosim.engine.outcomes import interaction_table
from diplosim.engine.state import DIURNAL, SimState, rng_for
from diplosim.engine.timeline import network_bursts
from diplosim.opinion.attention import posting_factor
from diplosim.platform.videos import NEVER, NewVideos

__all__ = ["USER_BLOCK", "active_users", "boost_networks", "post_hour", "rng_for"]


#: Users per step of the per-hour passes over the population (bounds their temporaries).
USER_BLOCK = 1 << 16


def _blocks(state: SimState, tick: int):
    """(first, last + 1, hour factor, allowed or None) for consecutive blocks of users: how
    busy each user's local hour is, and who can use the app now (None: everyone)."""
    pop = state.pop
    hour = (np.floor(tick + state.utc_offset).astype(np.int64) % 24)
    factor_of_country = DIURNAL[hour]
    restricted = state.banned.any() or state.left_share.any()
    for lo in range(0, pop.size, USER_BLOCK):
        hi = min(pop.size, lo + USER_BLOCK)
        country = pop.country[lo:hi]
        yield lo, hi, factor_of_country[country], \
            _allowed(state, country, lo, hi) if restricted else None


def _allowed(state: SimState, country: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Users who can use the app now: not banned, or behind a VPN; and not moved to another app
    during a ban. One uniform draw per user orders both: the lowest ``vpn_share`` keep using
    the app through a VPN, the highest ``left_share`` have left (the two never overlap)."""
    draw = state.vpn_draw[lo:hi]
    stays = ~state.banned[country] | (draw < state.vpn_share[country])
    if not state.left_share.any():  # the usual case: nobody has moved to another app
        return stays
    return stays & (draw < 1.0 - state.left_share[country])


def _creator_rates(state: SimState, tick: int, boost: np.ndarray):
    """Each block's posting rates this hour: the local hour, who can use the app, and (during
    a crisis) the posts its extra attention adds (``diplosim.opinion.attention``)."""
    post_rate, pop = state.accounts.post_rate, state.pop
    added = state.params["crisis_added_share"]
    crisis = added > 0 and bool((boost != 1.0).any())
    for lo, hi, factor, allowed in _blocks(state, tick):
        rate = post_rate[lo:hi] / 24 * factor
        if crisis:
            rate = rate * posting_factor(pop.interests[lo:hi], boost[pop.country[lo:hi]], added)
        yield lo, rate if allowed is None else rate * allowed


def post_hour(state: SimState, tick: int, challenge: tuple) -> int:
    """The hour's new videos; in the burn-in (hours before 0) ordinary users' only."""
    s, acc = state.scenario, state.accounts
    delay = state.fact_check_delay if state.fact_check else -1
    false_claims = np.array([not c.true for c in s.claims], np.bool_)
    boost = state.topic_boost(tick)
    parts = [creator_posts(tick, _creator_rates(state, tick, boost), state.pop,
                           state.focal_of_country, rng_for(s.seed, tick, 1), state.params,
                           boost, false_claims)]
    if tick < 0:
        return _append(state, tick, parts, delay)
    parts.append(campaign_posts(tick, s, acc, state.catalogue, state.vocab, state.focal_of_code,
                                rng_for(s.seed, tick, 2), state.params,
                                delay))
    parts += network_bursts(state, tick, rng_for(s.seed, tick, 3))
    parts += _challenge_posts(state, tick, *challenge)
    parts += state.pending
    state.pending = []
    return _append(state, tick, parts, delay)


def _append(state: SimState, tick: int, parts: list[NewVideos], delay: int) -> int:
    st, acc = state.store, state.accounts
    new = NewVideos.concat(parts)
    if new is None:
        return 0
    origin = acc.of("country", new.author.astype(np.int64))
    blocked = _stopped(state, new.author.astype(np.int64), origin)
    if blocked is not None and blocked.any():
        new, origin = new.take(~blocked), origin[~blocked]
        if len(new) == 0:
            return 0
    if delay >= 0:
        false = new.claim_false & (new.fact_check_tick == NEVER)
        new.fact_check_tick[false] = new.created_tick[false] + delay
    ids = st.append(new)
    st.pool_stage[ids] = 0
    # sampling: an account the scenario names is kept whole, so the sample keeps this share of
    # its videos' platform-audience picks (``diplosim.engine.kernel``)
    named = ids[new.author >= acc.n_users]
    st.weight[named] = state.sampling
    probe_new(state, tick, named)
    st.actor[ids] = state.actor_of(ids)
    st.origin[ids] = origin
    order = np.argsort(new.created_sec, kind="stable")
    state.push_ring(new.author[order].astype(np.int64), ids[order], tick)
    return len(new)


def _stopped(state: SimState, author: np.ndarray, origin: np.ndarray) -> np.ndarray | None:
    """Posts that cannot be uploaded: accounts based where uploads have stopped (a policy), and
    the scenario's accounts based in a banned country (ordinary users there post only
    through a VPN: ``_creator_rates``); exempt actors excepted. None: nothing is stopped."""
    world = state.banned.shape[0]
    home = np.minimum(origin, world - 1)
    inside = origin < world
    actor = state.accounts.of("actor", author)
    is_actor = actor >= 0

    def exempt(flags: np.ndarray) -> np.ndarray:
        out = np.zeros(author.shape, np.bool_)
        out[is_actor] = flags[actor[is_actor]]
        return out

    blocked = None
    if state.uploads_blocked.any():
        blocked = inside & state.uploads_blocked[home] & ~exempt(state.upload_exempt)
    if state.banned.any():
        named = author >= state.accounts.n_users
        banned = inside & named & state.banned[home] & ~exempt(state.ban_exempt)
        blocked = banned if blocked is None else blocked | banned
    return blocked


def _challenge_posts(state: SimState, tick: int, viewers: np.ndarray,
                     videos: np.ndarray) -> list[NewVideos]:
    """Viewers who took up a hashtag challenge post their own take an hour later."""
    if viewers.size == 0:
        return []
    st, pop = state.store, state.pop
    k = viewers.size
    rng = rng_for(state.scenario.seed, tick, 4)
    cols = {name: getattr(st, name)[videos].copy() for name in NewVideos.__dataclass_fields__}
    cols.update(author=viewers.astype(np.int32), created_tick=np.full(k, tick, np.int32),
                created_sec=tick * 3600 + rng.integers(0, 3600, k), lang=pop.lang1[viewers],
                sponsor=np.full(k, -1, np.int16), messenger=np.zeros(k, np.uint8),
                labelled=np.zeros(k, np.bool_), focal=state.focal_of_country[pop.country[viewers]],
                variant=rng.integers(0, 1 << 30, k, dtype=np.int32),
                appeal=rng.beta(2, 4, k).astype(np.float32),
                fact_check_tick=np.full(k, NEVER, np.int32))
    return [NewVideos(**cols)]


def boost_networks(state: SimState, tick: int, first_new: int) -> pa.Table | None:
    """Network accounts like and share their fellows' new posts within the burst."""
    st, acc = state.store, state.accounts
    new = np.arange(first_new, st.n)
    net_of = acc.of("network", st.author[new])
    new, net_of = new[net_of >= 0], net_of[net_of >= 0]
    if new.size == 0:
        return None
    rng = rng_for(state.scenario.seed, tick, 5)
    rows = []
    for net in np.unique(net_of):
        members = acc.n_users + np.flatnonzero(acc.extra["network"] == net)
        posts = new[net_of == net]
        m = min(5, members.size - 1)
        for kind in (0, 2):  # like, share
            booster = members[rng.integers(0, members.size, (posts.size, m))]
            post = np.repeat(posts, m)
            booster = booster.ravel()
            keep = booster != st.author[post]
            rows.append((np.full(int(keep.sum()), kind), booster[keep], post[keep]))
    kind, account, post = (np.concatenate(x) for x in zip(*rows, strict=True))
    # counted over the hour's new posts only (``post`` holds nothing older): a count over the
    # whole store would cost a pass over every video ever posted, each burst hour
    fresh, n_new = post - first_new, st.n - first_new
    likes = np.bincount(fresh[kind == 0], minlength=n_new)
    shares = np.bincount(fresh[kind == 2], minlength=n_new)
    watched = np.bincount(fresh, minlength=n_new)  # boosters watch what they push
    # the boosters are accounts at their real number: their views and reactions count on the
    # platform (views, the pool, trending, the interest rating), not in the sample's own counts
    # (``impressions``, ``likes``, ...), which hold what the sample's users did; counted there
    # they weighed 4 times as much in a world of 10,000 users as in one of 40,000 (issue 45)
    st.pool_views[first_new:st.n] += watched.astype(np.int32)
    st.all_views[first_new:st.n] += watched.astype(np.int32)
    st.all_engaged[first_new:st.n] += (likes + 4 * shares).astype(np.float32)
    st.platform_views[first_new:st.n] += watched
    st.pool_eng[first_new:st.n] += (likes + shares).astype(np.int32)
    st.eng_decayed[first_new:st.n] += (likes + 4 * shares).astype(np.float32)
    shared = kind == 2
    state.push_ring(account[shared].astype(np.int64), post[shared].astype(np.int32), tick)
    seconds = st.created_sec[post] + 1 + rng.integers(0, 60, post.size)
    source = np.where(kind == 2, st.author[post], -1)
    return interaction_table(tick, kind, account, post, st.author[post], source, seconds)


def active_users(state: SimState, tick: int) -> np.ndarray:
    """Users who open the app this hour: sessions per day scaled by activity and local hour."""
    rng = rng_for(state.scenario.seed, tick, 6)
    per_hour = state.params["sessions_per_day"] / 24
    parts = [np.empty(0, np.int64)]
    for lo, hi, factor, allowed in _blocks(state, tick):
        p = per_hour * state.pop.activity[lo:hi] * factor
        if allowed is not None:
            p = p * allowed
        parts.append(lo + np.flatnonzero(rng.random(hi - lo) < p))
    return np.concatenate(parts).astype(np.int64)
