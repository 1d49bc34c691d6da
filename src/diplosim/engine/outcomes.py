"""From the feed kernel's output to counts on videos and rows of the event log (exposures,
interactions), with the follower, share-ring and reach bookkeeping.

A tick's active users are handled in chunks of at most ``CHUNK_USERS`` so the transient memory
does not grow with the population. Nothing the kernel reads changes between chunks: shares reach
followers' rings and engagement reaches the trending velocity only in ``TickLog.finish``, once
the whole tick has been played. Compiled, one pass over the impressions.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from numba import njit

from diplosim.engine.kernel import FLAG
from diplosim.engine.state import SimState

__all__ = ["CHUNK_USERS", "INTERACTION_KINDS", "TickLog", "interaction_table",
           "push_ring", "sweep_rings"]

#: Active users played per kernel call; bounds the per-tick buffers (about 9 bytes per slot).
CHUNK_USERS = 1 << 16
INTERACTION_KINDS = ("like", "comment", "share", "follow")
_KIND_BITS = (FLAG["like"], FLAG["comment"], FLAG["share"], FLAG["follow"])
_COMPLETE, _SHARE, _FOLLOW, _CHALLENGE = (FLAG["complete"], FLAG["share"], FLAG["follow"],
                                          FLAG["challenge"])


@njit(cache=True)
def push_ring(accounts, videos, tick, ring_vid, ring_tick, ring_pos):
    """Append items to accounts' rings in order (serial, so deterministic). Ticks are kept
    modulo 2**16 (see ``sweep_rings``)."""
    width = ring_vid.shape[1]
    for i in range(accounts.shape[0]):
        a = accounts[i]
        k = ring_pos[a] % width
        ring_vid[a, k] = videos[i]
        ring_tick[a, k] = tick % 65536
        ring_pos[a] += 1


@njit(cache=True)
def sweep_rings(ring_vid, ring_tick, tick, window):
    """Clear ring entries ``window`` hours old or older (followers are never shown them) and
    return the oldest video still in a ring, or -1. Run daily, it keeps every entry younger than
    a day plus ``window``, so ages taken modulo 2**16 are exact."""
    oldest = np.iinfo(np.int32).max
    for a in range(ring_vid.shape[0]):
        for k in range(ring_vid.shape[1]):
            v = ring_vid[a, k]
            if v < 0:
                continue
            if (tick - np.int64(ring_tick[a, k])) % 65536 >= window:
                ring_vid[a, k] = -1
            elif v < oldest:
                oldest = v
    return -1 if oldest == np.iinfo(np.int32).max else oldest


@njit(cache=True)
def _emit_block(block, country, tick_rows, base, exp_post, exp_country, exp_imp, exp_done,
                n_exp):
    """Rows of the finished country block, by post id; clears the block's counters."""
    n_t = block[0]
    touched = np.sort(tick_rows[:n_t])
    for i in range(n_t):
        j = touched[i]
        exp_post[n_exp] = base + j
        exp_country[n_exp] = country
        exp_imp[n_exp] = block[2 + 2 * j]
        exp_done[n_exp] = block[3 + 2 * j]
        block[2 + 2 * j] = 0
        block[3 + 2 * j] = 0
        n_exp += 1
    block[0] = 0
    return n_exp


@njit(cache=True)
def _collect(users, page, out_video, out_flags, out_from, u_country, v_author, v_actor,
             v_pool_stage, impressions, completions, likes, comments, shares, pool_views,
             pool_eng, weight_tick, done_tick, followers, reached, block, tick_rows, base,
             flush):
    """One chunk: counts onto videos, exposure rows of finished country blocks, interaction
    rows in viewer and slot order, and the (viewer, video) pairs of shares and challenges.

    Per-tick arrays cover videos ``base`` onwards (older ones cannot be shown). ``block``
    carries the country block across chunks: [videos touched, country, then (impressions,
    completions) per video]; ``tick_rows`` lists the touched videos."""
    n_slots = users.shape[0] * page
    n_int = n_share = n_ch = 0
    for s in range(n_slots):
        f = out_flags[s]
        if out_video[s] >= 0:
            for b in _KIND_BITS:
                n_int += (f & b) > 0
            n_share += (f & _SHARE) > 0
            n_ch += (f & _CHALLENGE) > 0
    cap = block[0] + n_slots
    exp_post = np.empty(cap, np.int32)
    exp_country = np.empty(cap, np.int32)
    exp_imp = np.empty(cap, np.int32)
    exp_done = np.empty(cap, np.int32)
    i_kind = np.empty(n_int, np.int32)
    i_account = np.empty(n_int, np.int32)
    i_post = np.empty(n_int, np.int32)
    i_from = np.empty(n_int, np.int32)
    sh_viewer = np.empty(n_share, np.int64)
    sh_video = np.empty(n_share, np.int32)
    ch_viewer = np.empty(n_ch, np.int64)
    ch_video = np.empty(n_ch, np.int32)
    n_exp = k = ks = kc = 0
    for i in range(users.shape[0]):
        u = users[i]
        c = u_country[u]
        if c != block[1] and block[0] > 0:
            n_exp = _emit_block(block, block[1], tick_rows, base, exp_post, exp_country,
                                exp_imp, exp_done, n_exp)
        block[1] = c
        for slot in range(page):
            s = i * page + slot
            v = out_video[s]
            if v < 0:
                continue
            f = out_flags[s]
            done = (f & _COMPLETE) > 0
            j = v - base
            if j < 0:
                raise AssertionError("a video older than the day's floor was shown")
            if block[2 + 2 * j] == 0:
                tick_rows[block[0]] = j
                block[0] += 1
            block[2 + 2 * j] += 1
            block[3 + 2 * j] += done
            impressions[v] += 1
            completions[v] += done
            lk, cm, sh = (f & _KIND_BITS[0]) > 0, (f & _KIND_BITS[1]) > 0, (f & _SHARE) > 0
            likes[v] += lk
            comments[v] += cm
            shares[v] += sh
            if v_pool_stage[v] >= 0:
                pool_views[v] += 1
                pool_eng[v] += lk + cm + sh
            weight_tick[j] += lk + 2 * cm + 4 * sh
            done_tick[j] += done
            a = v_actor[v]
            if a >= 0:
                reached[u, a >> 3] |= np.uint8(1 << (a & 7))
            for kind in range(4):
                if f & _KIND_BITS[kind]:
                    i_kind[k], i_account[k], i_post[k] = kind, u, v
                    i_from[k] = out_from[s] if kind == 2 else -1
                    k += 1
            if f & _FOLLOW:
                followers[v_author[v]] += 1
            if sh:
                sh_viewer[ks], sh_video[ks] = u, v
                ks += 1
            if f & _CHALLENGE:
                ch_viewer[kc], ch_video[kc] = u, v
                kc += 1
    if flush and block[0] > 0:
        n_exp = _emit_block(block, block[1], tick_rows, base, exp_post, exp_country, exp_imp,
                            exp_done, n_exp)
    return (exp_post[:n_exp], exp_country[:n_exp], exp_imp[:n_exp], exp_done[:n_exp],
            i_kind, i_account, i_post, i_from, sh_viewer, sh_video, ch_viewer, ch_video)


@njit(cache=True)
def _decay_velocity(eng, decay, weight, done):
    """Trending velocity: last hour's, decayed, plus this hour's engagement (likes + 2 comments
    + 4 shares + 0.2 completions). In place, with NumPy's float32/float64 steps, so the figures
    equal the array expression's."""
    d = np.float32(decay)
    for i in range(weight.shape[0]):
        kept = np.float32(eng[i] * d)
        eng[i] = np.float32(np.float64(kept) + (np.float64(weight[i]) + 0.2 * done[i]))
    return eng


def interaction_table(tick, kind, account, post, target, source, seconds) -> pa.Table:
    return pa.table({
        "tick": pa.array(np.full(account.size, tick, np.int32)),
        "time": pa.array(seconds.astype(np.int64)),
        "kind": pa.DictionaryArray.from_arrays(pa.array(kind.astype(np.int32)),
                                               pa.array(INTERACTION_KINDS)),
        "account": pa.array(account.astype(np.int32)),
        "post": pa.array(post.astype(np.int32)),
        "target_account": pa.array(target.astype(np.int32)),
        "from_account": pa.array(source.astype(np.int32), mask=source < 0),
    })


class TickLog:
    """Collects one tick's outcomes chunk by chunk; ``finish`` applies what the kernel must not
    see mid-tick and returns the tick's tables."""

    def __init__(self, state: SimState, tick: int, base: int):
        self.state, self.tick, self.base = state, tick, base
        n = state.store.n - base
        self.weight = np.zeros(n, np.int32)   # likes + 2 comments + 4 shares this tick
        self.done = np.zeros(n, np.int32)     # completions this tick
        # 2 header cells, then (impressions, completions) per video of the current country block
        self.block = np.zeros(2 + 2 * n, np.int32)
        self.block[1] = -1
        self.rows = np.empty(n, np.int32)
        self.exposures: list[tuple] = []
        self.interactions: list[tuple] = []
        self.shares: list[tuple] = []
        self.challenge_parts: list[tuple] = []
        self.impressions = 0

    def add(self, users: np.ndarray, page: int, out_video: np.ndarray, out_flags: np.ndarray,
            out_from: np.ndarray, last: bool) -> None:
        st, acc = self.state.store, self.state.accounts
        r = _collect(users, page, out_video, out_flags, out_from, self.state.pop.country,
                     st.author, st.actor, st.pool_stage, st.impressions, st.completions,
                     st.likes, st.comments, st.shares, st.pool_views, st.pool_eng, self.weight,
                     self.done, acc.followers, self.state.reached, self.block, self.rows,
                     self.base, last)
        self.exposures.append(r[0:4])
        self.interactions.append(r[4:8])
        self.shares.append(r[8:10])
        self.challenge_parts.append(r[10:12])
        self.impressions += int(np.count_nonzero(out_video >= 0))

    def finish(self, decay: float) -> tuple[pa.Table, pa.Table]:
        state, tick = self.state, self.tick
        st = state.store
        _decay_velocity(st.eng_decayed[self.base:st.n], decay, self.weight, self.done)
        viewer, video = _cat(self.shares, (np.int64, np.int32))
        push_ring(viewer, video, tick, state.ring_vid, state.ring_tick, state.ring_pos)
        self.challenges = _cat(self.challenge_parts, (np.int64, np.int32))
        post, country, imp, done = _cat(self.exposures, (np.int32,) * 4)
        exposures = pa.table({
            "post": pa.array(post),
            "country": pa.DictionaryArray.from_arrays(pa.array(country),
                                                      pa.array(state.pop.countries)),
            "day": pa.array(np.full(post.size, tick // 24, np.int16)),
            "hour": pa.array(np.full(post.size, tick, np.int32)),
            "impressions": pa.array(imp),
            "completions": pa.array(done),
            # a user opens one session per hour and a page never repeats a video, so within an
            # hour every impression of a post is a distinct viewer
            "unique_viewers": pa.array(imp),
        })
        kind, account, post, source = _cat(self.interactions, (np.int32,) * 4)
        # within the hour, interactions are spread by the viewer's position in the page
        seconds = tick * 3600 + (account.astype(np.int64) * 7919 + post) % 3600
        interactions = interaction_table(tick, kind, account, post, st.author[post], source,
                                         seconds)
        return exposures, interactions


def _cat(parts: list[tuple], dtypes: tuple) -> tuple[np.ndarray, ...]:
    if not parts:
        return tuple(np.empty(0, d) for d in dtypes)
    return tuple(np.concatenate([p[i] for p in parts]).astype(d, copy=False)
                 for i, d in enumerate(dtypes))
