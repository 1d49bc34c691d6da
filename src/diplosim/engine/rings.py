"""Rings of recent posts and shares, kept in rows only for accounts that posted or shared lately.

An account's ring holds its last ``RING`` posts and reposts for its followers' feeds
(``kernel._followed`` reads it). Most accounts have nothing in their ring at any time (in the
example at 50,000 users, 4.4% of users hold a live entry in their first slot at a run's end),
so a ring is row ``ring_row[account]`` of the ring arrays, taken at the account's first post or
repost and given up at the daily sweep once every entry has gone stale: 4 bytes an account and
6 bytes an entry for the accounts with a row, against 24 bytes an account for a ring each.
``ring_pos`` (which slot is next) stays per account, so an account's entries fill the same
slots as before and every read is the same.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["compact_rings", "gather_rows", "push_ring", "renumber_rows", "ring_spare",
           "sweep_rings"]


def ring_spare(accounts: int) -> int:
    """Free ring rows kept after each daily sweep (a day's new rings: about a twentieth of the
    accounts), so the rows seldom grow during a day."""
    return accounts // 20 + 1024


@njit(cache=True)
def push_ring(accounts, videos, tick, ring_row, ring_vid, ring_tick, ring_pos, used):
    """Append items to accounts' rings in order (serial, so deterministic); an account without
    a row takes row ``used``, then the next (the arrays must have a row free for every item).
    Ticks are kept modulo 2**16 (see ``sweep_rings``). Returns the rows in use."""
    width = ring_vid.shape[1]
    for i in range(accounts.shape[0]):
        a = accounts[i]
        r = ring_row[a]
        if r < 0:
            r = used
            used += 1
            ring_row[a] = r
        k = ring_pos[a] % width
        ring_vid[r, k] = videos[i]
        ring_tick[r, k] = tick % 65536
        ring_pos[a] += 1
    return used


@njit(cache=True)
def sweep_rings(ring_vid, ring_tick, tick, window):
    """Clear entries ``window`` hours old or older (followers are never shown them) in every
    row of a ring or inbox array and return the oldest video still held, or -1. Run daily, it
    keeps every entry younger than a day plus ``window``, so ages taken modulo 2**16 are exact."""
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
def renumber_rows(owner_row, vid):
    """Rows kept only for owners holding an entry (rings, inboxes): an owner whose row has
    no entry left (``vid`` all -1) gives it up (``owner_row`` -1), the others are renumbered
    0, 1, ... in owner order. Returns each new row's old row number."""
    live = 0
    for a in range(owner_row.shape[0]):
        r = owner_row[a]
        if r >= 0:
            keep = False
            for k in range(vid.shape[1]):
                keep = keep or vid[r, k] >= 0
            if keep:
                live += 1
            else:
                owner_row[a] = -1
    old = np.empty(live, np.int64)
    w = 0
    for a in range(owner_row.shape[0]):
        r = owner_row[a]
        if r >= 0:
            old[w] = r
            owner_row[a] = w
            w += 1
    return old


def gather_rows(rows: np.ndarray, old: np.ndarray, spare: int, fill: int) -> np.ndarray:
    """``rows[old]`` in a new array with ``spare`` free rows (``fill``) after them."""
    out = np.full((old.size + spare, rows.shape[1]), fill, rows.dtype)
    out[:old.size] = rows[old]
    return out


def compact_rings(ring_row, ring_vid, ring_tick, spare):
    """The ring rows still holding an entry, renumbered in account order (an account whose
    row is empty gives it up), with ``spare`` free rows after them."""
    old = renumber_rows(ring_row, ring_vid)
    return gather_rows(ring_vid, old, spare, -1), gather_rows(ring_tick, old, spare, 0)
