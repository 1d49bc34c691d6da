"""A stable radix sort of unsigned integer keys, compiled: the engine's sorts on whole-number or
float bit keys (the exposure pool by remaining quota, the daily attitude quantiles) in a few
linear passes instead of a comparison sort."""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["radix_sort"]

_BITS = 11
_DIGITS = 1 << _BITS


@njit(cache=True)
def radix_sort(keys, track):
    """``(sorted keys, order)`` for unsigned integer keys, with ``keys[order]`` the sorted keys
    and equal keys in their input order (stable): least significant digit first, 11 bits a
    pass, as many passes as the largest key needs. Keys and positions move together, so no pass
    reads out of order; without ``track`` only the keys move and ``order`` is empty."""
    m = keys.shape[0]
    k = keys.copy()
    k2 = np.empty_like(k)
    order = np.arange(m if track else 0)
    order2 = np.empty(m if track else 0, np.int64)
    largest = np.uint64(k.max()) if m > 0 else np.uint64(0)
    shift = 0
    mask = np.uint64(_DIGITS - 1)
    while shift < 64 and (shift == 0 or (largest >> np.uint64(shift)) > 0):
        s = np.uint64(shift)
        count = np.zeros(_DIGITS + 1, np.int64)
        for i in range(m):
            count[((k[i] >> s) & mask) + 1] += 1
        for d in range(_DIGITS):
            count[d + 1] += count[d]
        for i in range(m):
            d = (k[i] >> s) & mask
            k2[count[d]] = k[i]
            if track:
                order2[count[d]] = order[i]
            count[d] += 1
        k, k2 = k2, k
        order, order2 = order2, order
        shift += _BITS
    return k, order
