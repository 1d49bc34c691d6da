"""Figures of a replicated headline: each number written through a ``Figures`` object becomes the
mean over the replicates with its 95% interval, and each comparison the paired difference with
its interval and whether it is distinguishable from zero, computed, never typed.

Intervals are Student's t, cut to the measure's possible range (a count never below 0, a share
never above 100%). A headline is written once per replicate with a recording ``Figures``; each
figure call returns a placeholder and keeps its value. ``combine`` checks that every replicate
wrote the same text around its figures (a number written without the object would differ
between seeds and is refused) and puts the intervals in.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from diplosim.analysis.uncertainty import Difference, Estimate, difference, estimate

__all__ = ["OPPOSITE", "REPRODUCED", "UNCLEAR", "Figures", "combine", "fmt_difference",
           "fmt_estimate", "verdict"]

_MARK = re.compile("\u27e6(\\d+)\u27e7")


@dataclass
class _Slot:
    kind: str          # how to show it: pct, num, signed, ratio
    mode: str          # value, diff (a - b), change ((a - b) / b)
    digits: int
    values: list[tuple[float | None, float | None]] = field(default_factory=list)


@dataclass
class Figures:
    """Records one replicate's figures; the same headline code runs for every replicate."""

    slots: list[tuple[str, str, int, float | None, float | None]] = field(default_factory=list)

    def _mark(self, kind: str, mode: str, digits: int, a: float | None,
              b: float | None = None) -> str:
        self.slots.append((kind, mode, digits, _num(a), _num(b)))
        return f"\u27e6{len(self.slots) - 1}\u27e7"

    def pct(self, x: float | None, digits: int = 1) -> str:
        """A share, shown in percent."""
        return self._mark("pct", "value", digits, x)

    def num(self, x: float | None) -> str:
        """A count or amount."""
        return self._mark("num", "value", 0, x)

    def signed(self, x: float | None, digits: int = 3) -> str:
        """A change on the attitude scale, with its sign."""
        return self._mark("signed", "value", digits, x)

    def fixed(self, x: float | None, digits: int = 3) -> str:
        """A number shown with ``digits`` decimals (an index such as bimodality)."""
        return self._mark("fixed", "value", digits, x)

    def ratio(self, a: float | None, b: float | None) -> str:
        """``a / b``, shown as "N to 1"."""
        return self._mark("ratio", "value", 1, None if not b or a is None else a / b)

    def diff(self, a: float | None, b: float | None, kind: str = "pct", digits: int = 1) -> str:
        """The difference ``a - b`` of two variants' figures (paired by seed)."""
        return self._mark(kind, "diff", digits, a, b)

    def direction(self, x: float | None, expected: int) -> str:
        """A change compared in direction with a poll that moved ``expected`` (+1 up, -1
        down): its interval and the verdict of ``verdict``."""
        return self._mark("signed", "up" if expected > 0 else "down", 3, x)

    def change(self, new: float | None, old: float | None) -> str:
        """The relative change from ``old`` to ``new``: their paired difference over the mean
        of ``old``."""
        return self._mark("pct", "change", 1, new, old)


REPRODUCED, OPPOSITE, UNCLEAR = ("the poll's direction (reproduced)",
                                 "the opposite direction (not reproduced)",
                                 "not distinguishable from zero (not reproduced)")


def verdict(low: float, high: float, expected: int) -> str:
    """A change's 95% interval against a poll's direction: on the poll's side of zero,
    the other side, or across zero (the rule of ``diplosim.studies.directions``)."""
    if low > 0 or high < 0:
        return REPRODUCED if (low > 0) == (expected > 0) else OPPOSITE
    return UNCLEAR


def _num(x: object) -> float | None:
    if x is None:
        return None
    v = float(x)  # type: ignore[arg-type]
    return None if math.isnan(v) else v


def _show(kind: str, x: float, digits: int, sign: bool = False) -> str:
    if math.isnan(x):
        return "n/a"
    plus = "+" if sign else ""
    if kind == "pct":
        return f"{100 * x:{plus}.{digits}f}%"
    if kind == "signed":
        return f"{x:+.{digits}f}"
    if kind == "ratio":
        return f"{x:.{digits}f} to 1"
    if kind == "fixed":
        return f"{x:{plus}.{digits}f}"
    if abs(x) >= 100:
        return f"{x:{plus},.0f}"
    return f"{x:{plus},.3g}"


def fmt_estimate(e: Estimate, kind: str, digits: int = 1) -> str:
    """"57.9% (55.1% to 60.7%)": the mean and its 95% interval."""
    if e.n == 0:
        return "n/a"
    if e.n < 2 or e.low == e.high:
        return _show(kind, e.mean, digits)
    bound = "fixed" if kind == "ratio" else kind  # "12.0 to 1 (10.9 to 13.0)"
    return (f"{_show(kind, e.mean, digits)} ({_show(bound, e.low, digits)} to "
            f"{_show(bound, e.high, digits)})")


def fmt_difference(d: Difference, kind: str, digits: int = 1) -> str:
    """"+1.9 points (-0.5 to +4.3), not distinguishable from zero"."""
    if d.n == 0:
        return "n/a"
    unit = " points" if kind == "pct" else ""

    def show(x: float) -> str:
        if kind == "pct":
            return f"{100 * x:+.{digits}f}"
        if kind == "rel":  # a relative change
            return f"{100 * x:+.{digits}f}%"
        if kind == "signed":
            return f"{x:+.{digits}f}"
        return _show(kind, x, digits, sign=True)

    if d.n < 2:
        return f"{show(d.mean)}{unit} (one seed: no interval)"
    verdict = "distinguishable from zero" if d.distinguishable else \
        "not distinguishable from zero"
    return f"{show(d.mean)}{unit} ({show(d.low)} to {show(d.high)}), {verdict}"


def _within_range(e: Estimate, values: list[float | None], kind: str) -> Estimate:
    """The t interval cut to the measure's possible range: a count or share that is never
    negative cannot have a negative bound, a share not one above 1."""
    xs = [v for v in values if v is not None]
    low, high = e.low, e.high
    if xs and min(xs) >= 0 and low < 0:
        low = 0.0
    if kind == "pct" and xs and max(xs) <= 1 and high > 1:
        high = 1.0
    return Estimate(e.mean, low, high, e.n, e.sd)


def combine(texts: list[str], figures: list[Figures]) -> str:
    """The replicates' texts as one, each figure replaced by its interval."""
    if not texts:
        raise ValueError("no replicates")
    if any(t != texts[0] for t in texts):
        raise ValueError("the replicates wrote different text around their figures: a number "
                         "was written without the Figures object")
    slots = [_Slot(k, m, d) for k, m, d, _, _ in figures[0].slots]
    for f in figures:
        if [(k, m, d) for k, m, d, _, _ in f.slots] != [(s.kind, s.mode, s.digits)
                                                       for s in slots]:
            raise ValueError("the replicates wrote different figures")
        for slot, (_, _, _, a, b) in zip(slots, f.slots, strict=True):
            slot.values.append((a, b))

    def fill(match: re.Match) -> str:
        s = slots[int(match.group(1))]
        a = [v[0] for v in s.values]
        if s.mode == "value":
            return fmt_estimate(_within_range(estimate(a), a, s.kind), s.kind, s.digits)
        if s.mode in ("up", "down"):
            e = estimate(a)
            if e.n < 2:
                return f"{_show('signed', e.mean, s.digits, sign=True)} (one seed: no verdict)"
            said = verdict(e.low, e.high, 1 if s.mode == "up" else -1)
            return (f"{e.mean:+.{s.digits}f} ({e.low:+.{s.digits}f} to {e.high:+.{s.digits}f}):"
                    f" {said}")
        b = [v[1] for v in s.values]
        if s.mode == "diff":
            d = difference(a, b)
            if s.kind == "pct":  # two shares differ by at most 100 points either way
                d = Difference(d.mean, max(d.low, -1.0), min(d.high, 1.0), d.n, d.paired)
            return fmt_difference(d, s.kind, s.digits)
        # the paired difference over the reference's mean (a mean of per-seed ratios would
        # let one seed with a tiny reference dominate)
        d, ref = difference(a, b), estimate(b).mean
        if not ref or math.isnan(ref):
            return "n/a"
        low = d.low / ref
        if all(x is None or x >= 0 for x in a + b):  # a measure never below 0 falls by 100% at most
            low = max(low, -1.0)
        return fmt_difference(Difference(d.mean / ref, low, d.high / ref, d.n, True), "rel",
                              s.digits)

    return _MARK.sub(fill, texts[0])
