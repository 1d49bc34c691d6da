"""Counter-based random numbers: a pure function of (seed, counters), so any thread may draw any
number in any order and a run is identical on one thread or many (SplitMix64 finaliser)."""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["hash4", "stream_key", "uniform", "uniform_at"]

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_G = np.uint64(0x9E3779B97F4A7C15)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53


@njit(inline="always", cache=True)
def _mix(z):
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(inline="always", cache=True)
def hash4(seed, a, b, c):
    """A 64-bit hash of four integers."""
    z = _mix(np.uint64(seed) + _G)
    z = _mix(z ^ (np.uint64(a) + _G))
    z = _mix(z ^ (np.uint64(b) + _G))
    return _mix(z ^ (np.uint64(c) + _G))


@njit(inline="always", cache=True)
def uniform(seed, a, b, c):
    """A uniform number in [0, 1) determined by (seed, a, b, c) alone."""
    return np.float64(hash4(seed, a, b, c) >> _S11) * _TO_UNIT


@njit(inline="always", cache=True)
def stream_key(seed, a, b):
    """The state ``hash4`` reaches after (seed, a, b): draws of one stream share it, so a kernel
    computes it once per user and hour instead of once per draw."""
    z = _mix(np.uint64(seed) + _G)
    z = _mix(z ^ (np.uint64(a) + _G))
    return _mix(z ^ (np.uint64(b) + _G))


@njit(inline="always", cache=True)
def uniform_at(key, c):
    """``uniform(seed, a, b, c)`` given ``key = stream_key(seed, a, b)``: the same number."""
    return np.float64(_mix(key ^ (np.uint64(c) + _G)) >> _S11) * _TO_UNIT
