"""Friends: the symmetric ties a share travels along (TikTok's friends are mutual follows; a
video is sent to a friend's inbox with the Share button's "send to" row).

Each user draws ``friends_per_user / 2`` ties; a tie stays in the user's country with
probability ``friends_same_country_share`` (Ugander et al. 2011: 84.2% of Facebook's friendship
edges are within a country) and goes to anyone otherwise. Ties are made symmetric, self-ties and
repeats dropped, and stored as CSR arrays (``friend_ptr``, ``friend_idx``): about
``friends_per_user`` int32 entries per user, never a Python object per user.
"""

from __future__ import annotations

import copy

import numpy as np
from numba import njit

__all__ = ["friend_graph", "narrow_offsets"]


def narrow_offsets(ptr: np.ndarray) -> np.ndarray:
    """A CSR row-offset array as int32 when its last offset fits (4 bytes a user instead of 8;
    the values, and so every read of them, are the same), else as it is."""
    if ptr.dtype != np.int32 and (ptr.size == 0 or int(ptr[-1]) <= np.iinfo(np.int32).max):
        return ptr.astype(np.int32)
    return ptr


#: Ties drawn per step (bounds the temporaries: a few arrays of this many numbers).
CHUNK = 1 << 20


def friend_graph(country: np.ndarray, friends_per_user: float, same_country: float,
                 rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(friend_ptr (n + 1), friend_idx int32) for users grouped by ``country``; the offsets
    are int32 while the ties fit (``narrow_offsets``), int64 beyond.

    The draws are, in order: one per user (the fractional tie), then three per tie (inside
    the country or not, the partner inside it, the partner anywhere), each kind as one run of
    the generator's stream; they are read ``CHUNK`` ties at a time from copies of the
    generator advanced to each run's place, so memory stays a few bytes per tie."""
    n = int(country.shape[0])
    half = friends_per_user / 2.0
    if n < 2 or half <= 0.0:
        return np.zeros(n + 1, np.int32), np.empty(0, np.int32)
    # ties drawn per user: the integer part, plus one more with the fraction's probability
    draws = np.floor(half).astype(np.int64) + (rng.random(n) < half - np.floor(half))
    m = int(draws.sum())
    runs = []  # generators at the start of each run of m draws
    for k in range(3):
        bg = copy.deepcopy(rng.bit_generator)
        bg.advance(k * m)
        runs.append(np.random.Generator(bg))
    rng.bit_generator.advance(3 * m)  # the caller's generator moves past all of them
    bounds = np.searchsorted(country, np.arange(int(country.max()) + 2))
    src = np.repeat(np.arange(n, dtype=np.int32), draws)
    dst = np.empty(m, np.int32)
    for lo in range(0, m, CHUNK):
        hi = min(m, lo + CHUNK)
        s = src[lo:hi]
        c = country[s].astype(np.int64)
        first, last = bounds[c], bounds[c + 1]
        local = runs[0].random(hi - lo) < same_country
        inside = first + (runs[1].random(hi - lo) * (last - first)).astype(np.int64)
        anywhere = (runs[2].random(hi - lo) * n).astype(np.int64)
        dst[lo:hi] = np.where(local, inside, anywhere)
    ptr, idx = _symmetric_csr(n, src, dst)
    return narrow_offsets(ptr), idx


@njit(cache=True)
def _symmetric_csr(n, src, dst):
    """Both directions of every tie but self-ties, each row sorted, repeats dropped."""
    count = np.zeros(n + 1, np.int64)
    for k in range(src.shape[0]):
        if src[k] != dst[k]:
            count[src[k] + 1] += 1
            count[dst[k] + 1] += 1
    for i in range(n):
        count[i + 1] += count[i]
    fill = count[:-1].copy()
    idx = np.empty(count[n], np.int32)
    for k in range(src.shape[0]):
        a, b = src[k], dst[k]
        if a != b:
            idx[fill[a]] = b
            fill[a] += 1
            idx[fill[b]] = a
            fill[b] += 1
    ptr = np.zeros(n + 1, np.int64)
    w = 0
    for i in range(n):
        row = np.sort(idx[count[i]:count[i + 1]])
        for j in range(row.shape[0]):
            if j == 0 or row[j] != row[j - 1]:
                idx[w] = row[j]
                w += 1
        ptr[i + 1] = w
    return ptr, idx[:w].copy()
