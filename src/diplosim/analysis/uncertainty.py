"""How sure a replicated result is: the mean of replicates with its 95% interval, and the
difference between two variants with its interval and whether it is distinguishable from zero.

Replicates are runs of one scenario that differ only in their seed. Variants run with the same
seeds are compared pair by pair (a paired t interval on the per-seed differences), which removes
the noise the two runs share; otherwise Welch's interval is used. A value of ``None`` (a measure
undefined in one run) is left out, with its partner when paired. Reference: Student's t
intervals, e.g. Wasserman (2004), All of Statistics, ch. 6 and 10.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Difference", "Estimate", "difference", "estimate", "holm", "p_two_sided", "t975"]


def t975(df: float) -> float:
    """The 97.5% quantile of Student's t with ``df`` degrees of freedom, fractional ones
    (Welch's) included: SciPy's inverse of the t distribution function (``scipy.special.stdtrit``,
    what ``scipy.stats.t.ppf`` computes, without importing all of ``scipy.stats``)."""
    if not df >= 1:
        return math.nan
    from scipy.special import stdtrit

    return float(stdtrit(df, 0.975))


@dataclass(frozen=True)
class Estimate:
    """The mean of ``n`` replicates and its 95% interval (NaN bounds below 2 replicates)."""

    mean: float
    low: float
    high: float
    n: int
    sd: float = math.nan


def _clean(values: Sequence[float | None]) -> list[float]:
    return [float(v) for v in values if v is not None and not math.isnan(float(v))]


def estimate(values: Sequence[float | None]) -> Estimate:
    """Mean and Student's t 95% interval of the replicates' values."""
    xs = _clean(values)
    n = len(xs)
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    mean = sum(xs) / n
    if n < 2:
        return Estimate(mean, math.nan, math.nan, 1)
    sd = math.sqrt(sum((x - mean) ** 2 for x in xs) / (n - 1))
    half = t975(n - 1) * sd / math.sqrt(n)
    return Estimate(mean, mean - half, mean + half, n, sd)


def p_two_sided(t: float, df: float) -> float:
    """The two-sided p-value of Student's t statistic ``t`` with ``df`` degrees of freedom
    (``scipy.special.stdtr``, the t distribution function)."""
    if not df >= 1 or math.isnan(t):
        return math.nan
    from scipy.special import stdtr

    return float(2.0 * stdtr(df, -abs(t)))


def holm(ps: Sequence[float]) -> list[float]:
    """Holm's (1979) step-down adjustment of ``ps`` (NaN left out and kept NaN): sorted
    ascending, the i-th smallest of m is multiplied by m - i + 1, made non-decreasing, capped at
    1. A comparison whose adjusted p is below 0.05 stays distinguishable with the chance of any
    false verdict among the m held to 5%."""
    order = sorted((p, i) for i, p in enumerate(ps) if not math.isnan(p))
    m, out, running = len(order), [math.nan] * len(ps), 0.0
    for rank, (p, i) in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p))
        out[i] = running
    return out


@dataclass(frozen=True)
class Difference:
    """``a - b``: the mean difference, its 95% interval and how it was computed; ``p`` the
    two-sided p-value of the same t test, ``holm`` the p after Holm's correction over the
    comparisons made together (NaN until ``holm`` is applied)."""

    mean: float
    low: float
    high: float
    n: int
    paired: bool
    p: float = math.nan
    holm: float = math.nan

    @property
    def distinguishable(self) -> bool:
        """True when the 95% interval excludes zero."""
        return self.low > 0 or self.high < 0

    @property
    def distinguishable_after_holm(self) -> bool:
        """True when Holm's adjusted p is below 0.05."""
        return self.holm < 0.05


def difference(a: Sequence[float | None], b: Sequence[float | None],
               paired: bool = True) -> Difference:
    """The difference of means ``a - b``. ``paired``: ``a[i]`` and ``b[i]`` share a seed, so
    the interval is the paired t interval of the per-seed differences; otherwise Welch's."""
    if paired:
        if len(a) != len(b):
            raise ValueError(f"paired difference: {len(a)} values against {len(b)}")
        diffs = [float(x) - float(y) for x, y in zip(a, b, strict=True)
                 if x is not None and y is not None
                 and not math.isnan(float(x)) and not math.isnan(float(y))]
        e = estimate(diffs)
        p = (math.nan if e.n < 2 else (0.0 if e.mean else 1.0) if e.sd == 0
             else p_two_sided(e.mean / (e.sd / math.sqrt(e.n)), e.n - 1))
        return Difference(e.mean, e.low, e.high, e.n, True, p)
    ea, eb = estimate(a), estimate(b)
    mean = ea.mean - eb.mean
    if ea.n < 2 or eb.n < 2:
        return Difference(mean, math.nan, math.nan, min(ea.n, eb.n), False)
    va, vb = ea.sd**2 / ea.n, eb.sd**2 / eb.n
    se = math.sqrt(va + vb)
    if se == 0:
        return Difference(mean, mean, mean, min(ea.n, eb.n), False, 0.0 if mean else 1.0)
    df = (va + vb) ** 2 / (va**2 / (ea.n - 1) + vb**2 / (eb.n - 1))
    half = t975(df) * se
    return Difference(mean, mean - half, mean + half, min(ea.n, eb.n), False,
                      p_two_sided(mean / se, df))
