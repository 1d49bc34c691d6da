"""Friends: the symmetric ties a share travels along (TikTok's friends are mutual follows; a
video is sent to a friend's inbox with the Share button's "send to" row).

Each user draws ``friends_per_user / 2`` ties; a tie stays in the user's country with
probability ``friends_same_country_share`` (Ugander et al. 2011: 84.2% of Facebook's friendship
edges are within a country) and goes to anyone otherwise. Ties are made symmetric, self-ties and
repeats dropped, and stored as CSR arrays (``friend_ptr``, ``friend_idx``): about
``friends_per_user`` int32 entries per user, never a Python object per user.
"""

from __future__ import annotations

import numpy as np

__all__ = ["friend_graph"]


def friend_graph(country: np.ndarray, friends_per_user: float, same_country: float,
                 rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(friend_ptr int64 (n + 1), friend_idx int32) for users grouped by ``country``."""
    n = int(country.shape[0])
    half = friends_per_user / 2.0
    if n < 2 or half <= 0.0:
        return np.zeros(n + 1, np.int64), np.empty(0, np.int32)
    # ties drawn per user: the integer part, plus one more with the fraction's probability
    draws = np.floor(half).astype(np.int64) + (rng.random(n) < half - np.floor(half))
    src = np.repeat(np.arange(n, dtype=np.int64), draws)
    m = src.size
    # users are grouped by country: a same-country partner is drawn inside the source's block
    bounds = np.searchsorted(country, np.arange(int(country.max()) + 2))
    c = country[src].astype(np.int64)
    lo, hi = bounds[c], bounds[c + 1]
    local = rng.random(m) < same_country
    dst = np.where(local, lo + (rng.random(m) * (hi - lo)).astype(np.int64),
                   (rng.random(m) * n).astype(np.int64))
    keep = dst != src
    src, dst = src[keep], dst[keep]
    key = np.unique(np.concatenate([src * n + dst, dst * n + src]))  # symmetric, no repeats
    a = key // n
    idx = (key % n).astype(np.int32)
    ptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(a, minlength=n), out=ptr[1:])
    return ptr, idx
