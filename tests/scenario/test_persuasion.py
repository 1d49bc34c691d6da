"""The stance update: bounded confidence, with a backfire only on committed viewers."""

from __future__ import annotations

import pytest

from diplosim.opinion.persuasion import stance_step

RATE, BOUND, BACKFIRE, COMMIT = 0.1, 0.6, 0.5, 0.3


def step(stance: float, video: float) -> float:
    return stance_step(stance, video, 1.0, RATE, BOUND, BACKFIRE, COMMIT)


def test_within_the_bound_the_viewer_moves_toward_the_video():
    assert step(0.2, 0.6) == pytest.approx(0.2 + 0.1 * 0.4)
    assert step(-0.1, -0.5) == pytest.approx(-0.1 - 0.1 * 0.4)


def test_beyond_the_bound_only_committed_viewers_of_the_other_side_backfire():
    assert step(-0.5, 0.9) == pytest.approx(-0.5 - 0.5 * 0.1)  # committed, other side
    assert step(0.5, -0.9) == pytest.approx(0.5 + 0.5 * 0.1)
    assert step(-0.1, 0.9) == -0.1  # not committed: no move
    assert step(0.0, 0.9) == 0.0     # no side yet: no move
    assert step(0.2, -0.9) == 0.2
