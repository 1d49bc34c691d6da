"""Replicated headlines: every figure becomes a mean with its interval, every comparison a paired
difference with its verdict, and a number written around the Figures object is refused."""

from __future__ import annotations

import pytest

from diplosim.studies.figures import Figures, combine


def _write(share: float, other: float, views: int) -> tuple[str, Figures]:
    f = Figures()
    text = (f"share {f.pct(share)}, other {f.pct(other)}, difference {f.diff(share, other)}, "
            f"views {f.num(views)}, change {f.change(views, 1000)}")
    return text, f


def test_figures_become_intervals_and_differences_are_paired():
    reps = [_write(0.50 + d, 0.40 + d, 1000 + 100 * i) for i, d in
            enumerate([0.0, 0.1, -0.1, 0.05])]
    out = combine([t for t, _ in reps], [f for _, f in reps])
    # the two shares vary a lot between seeds, but by exactly 10 points in each
    assert "difference +10.0 points (+10.0 to +10.0), distinguishable from zero" in out
    assert out.startswith("share 51.2% (")
    assert "views 1,150 (" in out
    # the paired difference (mean 150, interval -55 to +355) over the reference's mean (1000)
    assert "change +15.0% (-5.5% to +35.5%), not distinguishable from zero" in out


def test_intervals_stay_within_the_measures_range():
    reps = [_write(s, 0.5, v) for s, v in [(0.99, 0), (1.0, 5), (0.7, 0), (1.0, 0)]]
    out = combine([t for t, _ in reps], [f for _, f in reps])
    share = out.split("share ")[1].split(",")[0]
    assert share.endswith("to 100.0%)") and "views 1.25 (0 to " in out


def test_one_replicate_has_no_interval_and_says_so():
    text, f = _write(0.5, 0.4, 10)
    out = combine([text], [f])
    assert out.startswith("share 50.0%, other 40.0%, difference +10.0 points (one seed: no "
                          "interval)")


def test_a_number_written_without_the_object_is_refused():
    texts, figs = [], []
    for seed_value in (3, 4):
        f = Figures()
        texts.append(f"{f.num(seed_value)} and {seed_value} typed")
        figs.append(f)
    with pytest.raises(ValueError, match="a number was written without the Figures object"):
        combine(texts, figs)


def test_a_fall_of_a_count_is_never_more_than_all_of_it():
    texts, figs = [], []
    for new, old in [(0, 100), (90, 100), (0, 10), (5, 10)]:
        f = Figures()
        texts.append(f"change {f.change(new, old)}")
        figs.append(f)
    out = combine(texts, figs)
    # paired differences -100, -10, -10, -5 (mean -31.25, sd 45.894) over the reference mean 55:
    # upper bound -31.25 + t(0.975, 3) 3.18245 x 45.894 / 2 = 41.78, +76.0% of 55 (the old
    # table's t of 3.182 gave 41.77, +75.9%)
    assert out.startswith("change -56.8% (-100.0% to +76.0%), not distinguishable")
