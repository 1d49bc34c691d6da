"""The compiled loops of coordination detection, imported only by what needs them (a small
``diplosim coordination`` then loads no Numba at all, 0.3 s to import and 0.8 s to load a
kernel): the co-action scan for objects too many to pack, the union-find of near-duplicate
texts, and the window curve's growth of the network.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__: list[str] = []


@njit(cache=True)
def _co(obj, t, acc, window, out_i, out_j):
    """Positions of the co-actions in sorted (object, time) order, the earlier action first:
    call once to count, once to fill ``out_i``/``out_j``."""
    n = obj.shape[0]
    fill = out_i.shape[0] > 0
    k = 0
    for i in range(n):
        j = i + 1
        while j < n and obj[j] == obj[i] and t[j] - t[i] <= window:
            if acc[j] != acc[i]:
                if fill:
                    out_i[k] = i
                    out_j[k] = j
                k += 1
            j += 1
    return k


@njit(cache=True)
def _find(parent, i):
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


@njit(cache=True)
def _grow(a, b, t, windows, n):
    """Pairs (sorted by the window ``t`` at which each appears), joined in that order with a
    union-find: pairs, accounts and connected groups at each window (ascending)."""
    parent = np.arange(n)
    seen = np.zeros(n, np.bool_)
    out = np.zeros((windows.shape[0], 3), np.int64)
    pairs = accounts = unions = 0
    k = 0
    for w in range(windows.shape[0]):
        while k < t.shape[0] and t[k] <= windows[w]:
            x, y = a[k], b[k]
            for v in (x, y):
                if not seen[v]:
                    seen[v] = True
                    accounts += 1
            rx, ry = x, y
            while parent[rx] != rx:
                parent[rx] = parent[parent[rx]]
                rx = parent[rx]
            while parent[ry] != ry:
                parent[ry] = parent[parent[ry]]
                ry = parent[ry]
            if rx != ry:
                parent[max(rx, ry)] = min(rx, ry)
                unions += 1
            pairs += 1
            k += 1
        out[w, 0], out[w, 1], out[w, 2] = pairs, accounts, accounts - unions
    return out
