"""Counter-based random numbers: a pure function of (seed, counters), so any thread may draw any
number in any order and a run is identical on one thread or many (SplitMix64 finaliser)."""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["hash4", "poisson_small", "stream_key", "uniform", "uniform_at"]

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


# NumPy's Poisson draws, compiled. The hourly posting draw is a Poisson count for each of a
# million users at rates near 0.001, and ``Generator.poisson`` spends most of its time on an
# ``exp`` per user. For rates below 10 NumPy multiplies uniforms until the product falls to
# exp(-rate) or below (its ``random_poisson_mult``; a rate of 0 draws nothing), each uniform
# the next 64-bit output shifted to 53 bits (``_TO_UNIT``, as ``uniform`` makes its numbers).
# ``poisson_small`` plays the same steps on the generator's raw outputs and moves its state by
# the outputs used: the same counts and the same state after, tested against
# ``Generator.poisson``, at a third of its time.


@njit(cache=True)
def _poisson_mult(raw, lam, counts):
    """Counts for rates ``lam`` from raw outputs; returns the outputs used, or -1 if ``raw``
    ran out. exp(-l) is computed only where a draw could fall at or above it: the first
    uniform below (1 - l) - 1e-12 is below exp(-l) >= 1 - l, whatever the rounding."""
    used = 0
    n = raw.shape[0]
    for i in range(lam.shape[0]):
        rate = lam[i]
        counts[i] = 0
        if rate == 0.0:
            continue
        if used >= n:
            return -1
        if np.float64(raw[used] >> _S11) * _TO_UNIT < (1.0 - rate) - 1e-12:
            used += 1
            continue
        floor = np.exp(-rate)
        x, prod = 0, 1.0
        while True:
            if used >= n:
                return -1
            prod *= np.float64(raw[used] >> _S11) * _TO_UNIT
            used += 1
            if prod > floor:
                x += 1
            else:
                break
        counts[i] = x
    return used


def poisson_small(rng: np.random.Generator, lam: np.ndarray,
                  spare: int | None = None) -> np.ndarray:
    """``rng.poisson(lam)`` (int64 counts), the same numbers and the same state of ``rng``
    after; rates of 10 or more, or a generator other than PCG64, go to NumPy itself.
    ``spare``: raw outputs drawn beyond one per rate (by default enough in all but rare
    hours; when they run out, four times as many and 64 more are drawn and the pass is
    played again)."""
    lam = np.ascontiguousarray(lam, np.float64)
    bits = rng.bit_generator
    if lam.size == 0 or not isinstance(bits, np.random.PCG64) or not (
            lam.min() >= 0.0 and lam.max() < 10.0):
        return rng.poisson(lam)
    start = bits.state
    total = float(lam.sum())
    # outputs used: one per non-zero rate plus one per event; this many is rarely exceeded
    extra = int(64 + total + 8.0 * total ** 0.5) if spare is None else spare
    counts = np.empty(lam.size, np.int64)
    while True:
        used = _poisson_mult(bits.random_raw(lam.size + extra), lam, counts)
        bits.state = start
        if used >= 0:
            bits.advance(used)
            return counts
        extra = 4 * extra + 64
