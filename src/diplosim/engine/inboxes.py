"""Inboxes: what friends send a user, kept in rows only for users sent something lately. A share
sent to a friend fills a slot of the friend's row (taken at the first send); the feed kernel
reads and clears the row; the daily sweep gives emptied rows up."""

from __future__ import annotations

import numpy as np
from numba import njit

from diplosim.engine.rings import gather_rows, renumber_rows
from diplosim.platform.rng import stream_key, uniform_at

__all__ = ["SEND_DRAW", "compact_inboxes", "send_to_friends"]

#: The first draw number of the sends in a user's (seed, tick, user) stream: far above any draw
#: the feed kernel numbers, so the two never share a number.
SEND_DRAW = 1 << 40


@njit(cache=True)
def send_to_friends(seed, tick, viewers, videos, p_send, friend_ptr, friend_idx, inbox_row,
                    inbox_vid, inbox_from, inbox_tick, inbox_pos, used):
    """Each share, in viewer order (serial, so deterministic on any thread count): with
    probability ``p_send`` it is sent to one friend drawn uniformly, into the friend's inbox
    (the oldest entry gives way; ``inbox_from`` gets the sender's place in the friend's row of
    ``friend_idx``); otherwise, or for a user without friends, it is a repost. A user's inbox
    is row ``inbox_row[user]`` of the inbox arrays, taken (row ``used``, then the next) at the
    first send; the arrays must have a row free for every viewer.
    Returns the reposts' mask (they go to the sharer's ring, read by followers' feeds)."""
    n = viewers.shape[0]
    repost = np.ones(n, np.bool_)
    width = inbox_vid.shape[1]
    j = 0
    for i in range(n):
        u = viewers[i]
        j = j + 1 if i > 0 and viewers[i - 1] == u else 0  # the viewer's j-th share this tick
        a, b = friend_ptr[u], friend_ptr[u + 1]
        if b == a:
            continue
        key = stream_key(seed, tick, u)
        if uniform_at(key, SEND_DRAW + 2 * j) >= p_send:
            continue
        f = friend_idx[a + int(uniform_at(key, SEND_DRAW + 2 * j + 1) * (b - a))]
        k = inbox_pos[f] % width
        r = inbox_row[f]
        if r < 0:
            r = used
            used += 1
            inbox_row[f] = r
        inbox_vid[r, k] = videos[i]
        # the sender as its place in the friend's own (sorted) row: ties are symmetric, so it
        # is there, and a place takes a byte where an account id takes four
        lo, hi = friend_ptr[f], friend_ptr[f + 1]
        inbox_from[r, k] = np.searchsorted(friend_idx[lo:hi], u)
        inbox_tick[r, k] = tick % 65536
        inbox_pos[f] += 1
        repost[i] = False
    return repost


def compact_inboxes(inbox_row, inbox_vid, inbox_from, inbox_tick, spare):
    """The inbox rows still holding an entry, renumbered in user order (a user whose row is
    empty gives it up), in new arrays with ``spare`` free rows after them (the rings' rows are
    kept the same way: ``engine.rings.renumber_rows``)."""
    old = renumber_rows(inbox_row, inbox_vid)
    return (gather_rows(inbox_vid, old, spare, -1), gather_rows(inbox_from, old, spare, 0),
            gather_rows(inbox_tick, old, spare, 0))
