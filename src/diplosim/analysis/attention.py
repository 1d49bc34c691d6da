"""Attention over time: posts on a topic per calendar month, compared with a real curve.

The real curve is the number of Ukraine-war videos per month in the "Invasion of Ukraine on
TikTok" dataset. ``fade_fit`` gives the correlation a fade of attention reaches against it when
posts grow in proportion to attention (no saturation, nothing displaced): the ceiling for the
model's published two-phase fade (``two_phase_fit``) and for any single exponential
(``exponential_fit``), under which the ``ukraine_attention_2022`` scenario is judged.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from diplosim.analysis.run import Run

__all__ = ["ATTENTION_MONTHS", "ATTENTION_REAL", "REAL_CURVE", "AttentionFit", "attention_fit",
           "correlation", "exponential_fit", "fade_fit", "longest_half_life",
           "monthly_topic_posts", "two_phase_fit", "weekly_fall"]


#: War videos per month in the "Invasion of Ukraine on TikTok" dataset (Steel, Parker & Ruths
#: 2023, arXiv:2301.08305; counts derived from its 9,503 video ids in
#: ../shared/data/ukraine/videos_per_day.csv), February to August 2022.
ATTENTION_REAL = (2047, 2520, 1092, 747, 516, 389, 92)
ATTENTION_MONTHS = ("Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug")
#: The real curve divided by its peak month.
REAL_CURVE = tuple(x / max(ATTENTION_REAL) for x in ATTENTION_REAL)
#: Day 0 of the attention runs (``ukraine_attention_2022``).
START = (2022, 2, 1)


def monthly_topic_posts(run: Run, topic: str, start: tuple[int, int, int]) -> list[float]:
    """Posts on ``topic`` per calendar month, day 0 being the date ``start``."""
    import datetime as dt

    first = dt.date(*start)
    counts: dict[int, float] = {}
    for r in run.rows("SELECT day, count(*) AS n FROM posts WHERE topic::VARCHAR = ? "
                      "AND day >= 0 GROUP BY 1", [topic]):  # not the burn-in's past
        month = (first + dt.timedelta(days=int(r["day"]))).month
        counts[month] = counts.get(month, 0.0) + float(r["n"])
    return [counts.get(m, 0.0) for m in range(first.month, first.month + 7)]


def correlation(a, b) -> float:
    """Pearson's correlation (SciPy's ``pearsonr``); nan when either side does not vary."""
    from scipy.stats import pearsonr

    x, y = np.asarray(a, float), np.asarray(b, float)
    return float(pearsonr(x, y).statistic) if x.std() and y.std() else math.nan


@dataclass(frozen=True)
class AttentionFit:
    curve: list[float]           # monthly posts on the topic divided by the peak month
    correlation: float           # with the real curve
    april_over_march: float


def attention_fit(run: Run, topic: str = "conflict") -> AttentionFit:
    """A seven-month run's monthly curve of ``topic`` posts against the real one."""
    months = monthly_topic_posts(run, topic, START)
    peak = max(months) or 1.0
    curve = [m / peak for m in months]
    return AttentionFit(curve, correlation(curve, REAL_CURVE),
                        months[2] / months[1] if months[1] else math.nan)


def fade_fit(fade: Callable[[float], float], start: tuple[int, int, int] = START,
             onset_day: int = 23, days: int = 212) -> float:
    """The correlation with the real monthly curve of posts in proportion to attention, with a
    multiplier of 10,000 at onset (the limit of a large multiplier) whose extra part is
    ``fade(age in days)`` of itself."""
    import datetime as dt

    first = dt.date(*start)
    months = [0.0] * 7
    for day in range(days):
        t = day - onset_day
        level = 1.0 + (1e4 - 1.0) * fade(float(t)) if t >= 0 else 1.0
        months[(first + dt.timedelta(days=day)).month - first.month] += level
    peak = max(months)
    return correlation([m / peak for m in months], REAL_CURVE)


def exponential_fit(half_life: float, start: tuple[int, int, int] = START,
                    onset_day: int = 23, days: int = 212) -> float:
    """The best correlation a single exponential fade halving every ``half_life`` days can
    give (``fade_fit``)."""
    from diplosim.opinion.attention import fade

    return fade_fit(lambda t: fade(t, {}, half_life), start, onset_day, days)


def weekly_fall(params: dict[str, float], first: int = 0, later: int = 91) -> float:
    """How many times the extra interest of the published fade (with ``params``) averaged
    over the week from day ``first`` exceeds its average over the week from day ``later``:
    NewsWhip's check (interactions with Ukraine news in the war's first week against about its
    14th)."""
    from diplosim.opinion.attention import fade

    def week(day: int) -> float:
        return float(np.mean([fade(day + h / 24, params) for h in range(7 * 24)]))

    return week(first) / week(later)


def two_phase_fit(params: dict[str, float]) -> float:
    """The best correlation the published two-phase fade (``diplosim.opinion.attention``, with
    ``params``) can give (``fade_fit``)."""
    from diplosim.opinion.attention import fade

    return fade_fit(lambda t: fade(t, params))


def longest_half_life(target: float = 0.9) -> float:
    """The longest half-life (days) whose single exponential fade reaches ``target``."""
    lo, hi = 8.0, 60.0  # the correlation is highest near 8 days and falls beyond
    for _ in range(40):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if exponential_fit(mid) >= target else (lo, mid)
    return lo
