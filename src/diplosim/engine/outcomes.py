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

from diplosim.engine.inboxes import send_to_friends
from diplosim.engine.kernel import FLAG, SOURCE
from diplosim.engine.state import SimState
from diplosim.prefetch import prefetch
from diplosim.store.contract import SIMULATED, schema
from diplosim.world.topics import TOPICS

__all__ = ["BY_SOURCE", "CHUNK_USERS", "INTERACTION_KINDS", "TickBuffers", "TickLog",
           "interaction_table"]

#: The rows of ``TickLog.by_source``: where a slot's video came from (``kernel.SOURCE``).
BY_SOURCE = ("none", *sorted(SOURCE, key=SOURCE.get))
#: Active users played per kernel call; bounds the per-tick buffers (about 10 bytes per slot).
CHUNK_USERS = 1 << 16
INTERACTION_KINDS = ("like", "comment", "share", "follow")
_KIND_BITS = (FLAG["like"], FLAG["comment"], FLAG["share"], FLAG["follow"])
#: The tables' columns and types, from the table contract.
_EXPOSURES = schema("exposures", SIMULATED)
_INTERACTIONS = schema("interactions", SIMULATED)
_COMPLETE, _SHARE, _FOLLOW, _CHALLENGE, _SOCIAL_BIT = (
    FLAG["complete"], FLAG["share"], FLAG["follow"], FLAG["challenge"], FLAG["social"])


#: Columns of the per-tick counts, one 32-byte row per live video (one cache line): the current
#: country block's impressions and completions, then the tick's impressions, completions,
#: likes, comments and shares, and the impressions that came through follows or friends' sends.
_BLK_IMP, _BLK_DONE, _IMP, _DONE, _LIKE, _COMMENT, _SHARES, _SOCIAL = range(8)
_WIDTH = 8
#: Slots ahead whose video rows are prefetched in ``_collect`` (``diplosim.prefetch``).
_AHEAD = 8
#: Header cells: videos touched in the country block, its country, videos touched this tick.
_H_BLOCK, _H_COUNTRY, _H_TICK = range(3)


#: De Bruijn sequence and table: the index of a 64-bit word's lowest set bit in one multiply.
_DEBRUIJN = np.uint64(0x03F79D71B4CB0A89)
_DEBRUIJN_INDEX = np.zeros(64, np.int64)
for _i in range(64):
    _DEBRUIJN_INDEX[((_DEBRUIJN << np.uint64(_i)) & np.uint64(2**64 - 1)) >> np.uint64(58)] = _i


@njit(cache=True)
def _emit_block(counts, header, block_bits, base, exp_post, exp_country, exp_imp, exp_done,
                n_exp):
    """Rows of the finished country block, by post id; clears the block's counters.

    The block's touched rows are bits of ``block_bits`` (one per live video), read in order:
    a pass over a bit per live video, not a sort of the touched rows (which cost 40% of
    ``_collect``)."""
    if header[_H_BLOCK] == 0:
        return n_exp
    country = header[_H_COUNTRY]
    for w in range(block_bits.shape[0]):
        x = block_bits[w]
        if x == 0:
            continue
        block_bits[w] = 0
        while x != 0:
            low = x & (~x + np.uint64(1))
            j = (w << 6) + _DEBRUIJN_INDEX[(low * _DEBRUIJN) >> np.uint64(58)]
            x ^= low
            exp_post[n_exp] = base + j
            exp_country[n_exp] = country
            exp_imp[n_exp] = counts[j, _BLK_IMP]
            exp_done[n_exp] = counts[j, _BLK_DONE]
            counts[j, _BLK_IMP] = 0
            counts[j, _BLK_DONE] = 0
            n_exp += 1
    header[_H_BLOCK] = 0
    return n_exp


@njit(cache=True)
def _collect(users, page, out_video, out_flags, out_from, out_src, u_country, v_author, v_lang,
             v_topic, v_actor, followers, reached, counts, header, block_bits, tick_rows, base,
             flush, slots, by_source):
    """One chunk: per-tick counts, exposure rows of finished country blocks, interaction rows
    in viewer and slot order, and the (viewer, video) pairs of shares and challenges.

    ``counts`` has a row per video from ``base`` on (older ones cannot be shown); the header
    and ``block_bits`` carry the country block across chunks, ``tick_rows`` the tick's
    touched videos. ``slots`` counts the slots each platform source filled, by (source, group,
    viewer country): the pool and trending by language, interest by topic, diversity in
    group 0 (``diplosim.platform.audience`` turns them into named accounts' platform views).
    ``by_source`` counts impressions, completions and likes by the slot's source (``SOURCE``;
    row 0: none recorded), for the run's manifest."""
    n_slots = users.shape[0] * page
    n_int = n_share = n_ch = 0
    for s in range(n_slots):
        f = out_flags[s]
        if out_video[s] >= 0:
            for b in _KIND_BITS:
                n_int += (f & b) > 0
            n_share += (f & _SHARE) > 0
            n_ch += (f & _CHALLENGE) > 0
    cap = header[_H_BLOCK] + n_slots
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
        if c != header[_H_COUNTRY] and header[_H_BLOCK] > 0:
            n_exp = _emit_block(counts, header, block_bits, base, exp_post, exp_country,
                                exp_imp, exp_done, n_exp)
        header[_H_COUNTRY] = c
        for slot in range(page):
            s = i * page + slot
            if s + _AHEAD < n_slots:
                w = np.int64(out_video[s + _AHEAD])
                if w >= base:
                    prefetch(counts, w - base)
                    prefetch(v_actor, w)
                    prefetch(v_lang, w)
                    prefetch(v_topic, w)
            v = out_video[s]
            if v < 0:
                continue
            f = out_flags[s]
            done = (f & _COMPLETE) > 0
            j = v - base
            if j < 0:
                raise AssertionError("a video older than the day's floor was shown")
            row = counts[j]
            if row[_BLK_IMP] == 0:
                block_bits[j >> 6] |= np.uint64(1) << np.uint64(j & 63)
                header[_H_BLOCK] += 1
            if row[_IMP] == 0:
                tick_rows[header[_H_TICK]] = j
                header[_H_TICK] += 1
            sh = (f & _SHARE) > 0
            src = out_src[s]
            by_source[src, 0] += 1
            by_source[src, 1] += done
            by_source[src, 2] += (f & _KIND_BITS[0]) > 0
            if 1 <= src <= 4:
                group = v_lang[v] if src <= 2 else (v_topic[v] if src == 3 else 0)
                slots[src - 1, group, c] += 1
            row[_SOCIAL] += (f & _SOCIAL_BIT) > 0
            row[_BLK_IMP] += 1
            row[_BLK_DONE] += done
            row[_IMP] += 1
            row[_DONE] += done
            row[_LIKE] += (f & _KIND_BITS[0]) > 0
            row[_COMMENT] += (f & _KIND_BITS[1]) > 0
            row[_SHARES] += sh
            a = v_actor[v]
            if a >= 0:
                reached[u, a >> 3] |= np.uint8(1 << (a & 7))
            if f & (_KIND_BITS[0] | _KIND_BITS[1] | _SHARE | _FOLLOW | _CHALLENGE):
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
    if flush and header[_H_BLOCK] > 0:
        n_exp = _emit_block(counts, header, block_bits, base, exp_post, exp_country, exp_imp,
                            exp_done, n_exp)
    # copies: the buffers are sized for every slot, the rows are far fewer (views would keep
    # each chunk's whole buffers alive until the tick ends)
    return (exp_post[:n_exp].copy(), exp_country[:n_exp].copy(), exp_imp[:n_exp].copy(),
            exp_done[:n_exp].copy(), i_kind, i_account, i_post, i_from, sh_viewer, sh_video,
            ch_viewer, ch_video)


@njit(cache=True)
def _apply_tick(counts, tick_rows, n_touched, base, decay, pool_stage, impressions,
                completions, likes, comments, shares, pool_views, pool_eng, eng, weight,
                all_views, all_engaged, platform_views):
    """The tick's counts onto the videos' totals (the pool stage cannot change mid-tick), then
    the trending velocity of every live video: last hour's, decayed, plus this hour's
    engagement (likes + 2 comments + 4 shares + 0.2 completions), with NumPy's float32/float64
    steps so the figures equal the array expression's; the rows are cleared.

    A video of the sample (``weight`` 1) draws the platform's views per video from the
    sample's feed: its impressions are its platform views and feed its pool, trending and
    interest state. A video of an account the scenario names draws those from its expected
    picks on the platform (``diplosim.platform.audience``); of its impressions here only those
    through the sampled follow graph and friends' sends add to its platform views, each once
    over its weight (the sample holds that share of its followers)."""
    for i in range(n_touched):
        j = tick_rows[i]
        v = base + j
        row = counts[j]
        impressions[v] += row[_IMP]
        completions[v] += row[_DONE]
        likes[v] += row[_LIKE]
        comments[v] += row[_COMMENT]
        shares[v] += row[_SHARES]
        if weight[v] < 1.0:
            platform_views[v] += np.float64(row[_SOCIAL]) / np.float64(weight[v])
            row[_LIKE] = row[_COMMENT] = row[_SHARES] = row[_DONE] = 0  # not the velocity's
            continue
        platform_views[v] += row[_IMP]
        all_views[v] += row[_IMP]
        all_engaged[v] += np.float32(row[_LIKE] + 2 * row[_COMMENT] + 4 * row[_SHARES])
        if pool_stage[v] >= 0:
            pool_views[v] += row[_IMP]
            pool_eng[v] += row[_LIKE] + row[_COMMENT] + row[_SHARES]
    d = np.float32(decay)
    for j in range(counts.shape[0]):
        row = counts[j]
        w = row[_LIKE] + 2 * row[_COMMENT] + 4 * row[_SHARES]
        kept = np.float32(eng[base + j] * d)
        eng[base + j] = np.float32(np.float64(kept) + (np.float64(w) + 0.2 * row[_DONE]))
    for i in range(n_touched):
        counts[tick_rows[i], :] = 0


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
    }, schema=_INTERACTIONS)


class TickBuffers:
    """A run's per-tick scratch, kept from one hour to the next: the counts rows and the country
    block's bitmap are all zero between ticks (a tick clears the rows it touched, a block its
    bits as it is emitted), so the next tick takes them as they are. Fresh zeroed arrays every
    hour cost a page fault per 4 KiB on first touch: a third of ``_collect``'s time at 300,000
    users. They grow by a sixteenth when the live videos outgrow them (they are alive at the
    run's high-water mark, while the hour's candidate lists are built)."""

    def __init__(self) -> None:
        self.counts = np.zeros((0, _WIDTH), np.int32)
        self.block_bits = np.zeros(0, np.uint64)
        self.tick_rows = np.empty(0, np.int32)

    def take(self, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Counts rows, block bitmap and touched-row list for ``n`` live videos."""
        if self.counts.shape[0] < n:
            cap = n + n // 16 + 1024
            self.counts = np.zeros((cap, _WIDTH), np.int32)
            self.block_bits = np.zeros((cap + 63) // 64, np.uint64)
            self.tick_rows = np.empty(cap, np.int32)
        return self.counts[:n], self.block_bits[:(n + 63) // 64], self.tick_rows[:n]


class TickLog:
    """Collects one tick's outcomes chunk by chunk; ``finish`` applies what the kernel must not
    see mid-tick and returns the tick's tables. ``buffers`` (a run's ``TickBuffers``) saves
    allocating the per-video scratch every hour."""

    def __init__(self, state: SimState, tick: int, base: int,
                 buffers: TickBuffers | None = None):
        self.state, self.tick, self.base = state, tick, base
        n = state.store.n - base
        buffers = TickBuffers() if buffers is None else buffers
        self.counts, self.block_bits, self.tick_rows = buffers.take(n)
        self.header = np.array([0, -1, 0], np.int64)
        self.exposures: list[tuple] = []
        self.interactions: list[tuple] = []
        self.shares: list[tuple] = []
        self.challenge_parts: list[tuple] = []
        self.impressions = 0
        # slots each platform source filled, by (source, group, viewer country)
        self.slots = np.zeros((4, max(len(state.languages), len(TOPICS)),
                               len(state.pop.countries)), np.int64)
        # impressions, completions and likes by the slot's source (``BY_SOURCE``)
        self.by_source = np.zeros((len(BY_SOURCE), 3), np.int64)

    def add(self, users: np.ndarray, page: int, out_video: np.ndarray, out_flags: np.ndarray,
            out_from: np.ndarray, out_src: np.ndarray, last: bool) -> None:
        st, acc = self.state.store, self.state.accounts
        r = _collect(users, page, out_video, out_flags, out_from, out_src,
                     self.state.pop.country,
                     st.author, st.lang, st.topic, st.actor, acc.followers,
                     self.state.reached, self.counts, self.header, self.block_bits,
                     self.tick_rows, self.base, last, self.slots, self.by_source)
        self.exposures.append(r[0:4])
        self.interactions.append(r[4:8])
        self.shares.append(r[8:10])
        self.challenge_parts.append(r[10:12])
        self.impressions += int(np.count_nonzero(out_video >= 0))

    def finish(self, decay: float, tables: bool = True) -> tuple[pa.Table, pa.Table] | None:
        """Apply the tick's counts, send its shares and push its reposts; then the tick's
        exposures and interactions tables (None without ``tables``: the burn-in's are not
        reported)."""
        state, tick = self.state, self.tick
        st = state.store
        _apply_tick(self.counts, self.tick_rows, int(self.header[_H_TICK]), self.base, decay,
                    st.pool_stage, st.impressions, st.completions, st.likes, st.comments,
                    st.shares, st.pool_views, st.pool_eng, st.eng_decayed, st.weight,
                    st.all_views, st.all_engaged, st.platform_views)
        viewer, video = _cat(self.shares, (np.int64, np.int32))
        acc = state.accounts
        used = state.reserve_inbox_rows(viewer.size)
        repost = send_to_friends(np.uint64(state.scenario.seed), tick, viewer, video,
                                 state.params["share_sent_to_friend"], acc.friend_ptr,
                                 acc.friend_idx, state.inbox_row, state.inbox_vid,
                                 state.inbox_from, state.inbox_tick, state.inbox_pos, used)
        state.push_ring(viewer[repost], video[repost], tick)
        self.challenges = _cat(self.challenge_parts, (np.int64, np.int32))
        if not tables:
            return None
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
        }, schema=_EXPOSURES)
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
